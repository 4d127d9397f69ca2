#!/usr/bin/env bash
# Runs each named fuzz target (default: all) for SECONDS (default 600) one after another at the
# lowest priority, then minimizes its corpus in place. Logs go to fuzz/logs/<target>.log.
# Needs the nightly toolchain and cargo-fuzz. Usage: fuzz/run.sh [-t SECONDS] [target...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
seconds=600
if [[ "${1:-}" == "-t" ]]; then seconds="$2"; shift 2; fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then targets=(status headers pex snapshot js_args); fi
mkdir -p logs
# The largest input each target can use: its biggest frame plus prefix and selector bytes
# (status: two of its biggest frames, the stream carries one after another).
declare -A max_len=([status]=8400 [headers]=16500 [pex]=9300 [snapshot]=8192 [js_args]=512)
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  # No sanitizer: the code under test is safe Rust, and libFuzzer's own malloc limit is what
  # checks the allocation bound (no single allocation over 64 MiB).
  nice -n 19 cargo +nightly fuzz run -s none "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=64 \
    -max_len="${max_len[$t]}" -print_final_stats=1 >"logs/$t.log" 2>&1 || echo "$t: fuzzer exited $?" >>"logs/$t.log"
  nice -n 19 cargo +nightly fuzz cmin -s none "$t" "corpus/$t" >"logs/$t.cmin.log" 2>&1 || echo "$t: cmin exited $?" >>"logs/$t.cmin.log"
done

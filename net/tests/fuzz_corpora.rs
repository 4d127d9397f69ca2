//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) and the seeds they grew from
//! through the checks the fuzz targets run, so every input the fuzzer kept, crashes included,
//! is a regression test on stable, without cargo-fuzz.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::PathBuf;

use peerkeeper_net::fuzzing::{check_for, seeds};

const TARGETS: [&str; 3] = ["status", "headers", "pex"];

fn corpus(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target)
}

#[test]
fn every_committed_corpus_input_passes_its_targets_check() {
    for target in TARGETS {
        let check = check_for(target).expect("a check per target");
        let entries = fs::read_dir(corpus(target))
            .unwrap_or_else(|e| panic!("no corpus for {target}: {e}"))
            .map(|e| e.expect("a readable entry").path())
            .collect::<Vec<_>>();
        assert!(entries.len() >= 2, "{target}: only {} corpus inputs", entries.len());
        for path in entries {
            let data = fs::read(&path).expect("a readable input");
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{target}: {} breaks the check", path.display());
        }
    }
}

#[test]
fn every_seed_is_a_real_message_the_check_accepts() {
    let all = seeds();
    for target in TARGETS {
        assert!(all.iter().filter(|(t, _, _)| *t == target).count() >= 3, "{target} seeds");
    }
    for (target, name, data) in all {
        let check = check_for(target).expect("a check per seed's target");
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}/{name} breaks the check");
    }
}

/// `cargo test -p peerkeeper-net --test fuzz_corpora -- --ignored` (re)writes the seeds into
/// the corpora; `cargo fuzz cmin` then keeps them only if they add coverage.
#[test]
#[ignore = "writes fuzz/corpus; run by hand when the seeds change"]
fn write_the_seeds_into_the_corpora() {
    for (target, name, data) in seeds() {
        fs::create_dir_all(corpus(target)).expect("corpus dir");
        fs::write(corpus(target).join(format!("seed-{name}")), data).expect("seed written");
    }
}

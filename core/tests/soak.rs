//! A short soak in the regular suite: 1 000 peers for two simulated hours, every invariant of
//! the driver checked (see `common/soak.rs`), retention and forgetting shortened so the
//! warm-up ends early, and memory flat after it. The full day runs as an example
//! (`cargo run --release -p peerkeeper-core --example soak`); figures in docs/reliability.md.

mod common;

use common::soak::{self, Counting, SoakConfig};

#[global_allocator]
static ALLOC: Counting = Counting;

#[test]
fn a_thousand_peers_churn_for_two_simulated_hours_with_every_invariant_holding_and_memory_flat() {
    let mut cfg = SoakConfig::new(1_000, 2);
    cfg.engine.retention_ms = 300_000;
    cfg.engine.lifecycle.forget_after = 900_000;
    cfg.sample_every = 600_000;
    cfg.sweep_every = 60_000;
    // Half the full soak's input rate keeps this test to seconds in a debug build.
    cfg.inputs_per_second = 6;
    let report = soak::run(cfg, |_| {});

    assert!(report.checks > 300_000, "{} checks", report.checks);
    assert_eq!(report.sweeps, 120);
    assert_eq!(report.epochs, 2);
    for (what, n) in [
        ("trims", report.trims),
        ("bans", report.bans),
        ("soft bans", report.soft_bans),
        ("blocks", report.blocks),
        ("forgotten peers", report.forgotten),
        ("dials", report.dials),
        ("refused connections", report.refused),
        ("fork status changes", report.fork_changes),
        ("decays", report.decays),
    ] {
        assert!(n > 0, "the soak never produced {what}");
    }
    // After the warm-up (the first hour), live memory stays within 10% of its level then.
    let samples = &report.samples;
    assert_eq!(samples.len(), 12);
    let warm = samples[5].live_bytes as f64;
    for s in &samples[6..] {
        let ratio = s.live_bytes as f64 / warm;
        assert!(
            (0.9..=1.1).contains(&ratio),
            "memory at {} ms is {ratio:.3} of the warm level",
            s.at
        );
    }
}

//! The full soak (issue 10): `cargo run --release -p peerkeeper-core --example soak -- --peers
//! 10000 --hours 24`. Prints the memory curve (live bytes from a counting allocator, sampled
//! every simulated hour) and the totals; panics on the first broken invariant.

#[path = "../tests/common/mod.rs"]
mod common;

use common::soak::{self, Counting, SoakConfig};

#[global_allocator]
static ALLOC: Counting = Counting;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} takes a number, got {v}")))
        .unwrap_or(default)
}

fn main() {
    let peers = arg("--peers", 10_000) as usize;
    let hours = arg("--hours", 24);
    let mut cfg = SoakConfig::new(peers, hours);
    cfg.seed = arg("--seed", cfg.seed);
    let baseline = soak::live_bytes();
    let started = std::time::Instant::now();
    println!("soak: {peers} peers, {hours} simulated hours, seed {}", cfg.seed);
    println!(
        "{:>5} {:>12} {:>9} {:>7} {:>9}",
        "hour", "live bytes", "B/peer", "known", "connected"
    );
    let report = soak::run(cfg, |s| {
        let bytes = s.live_bytes - baseline;
        println!(
            "{:>5} {:>12} {:>9.1} {:>7} {:>9}",
            s.at / 3_600_000,
            bytes,
            bytes as f64 / s.known_peers.max(1) as f64,
            s.known_peers,
            s.connected
        );
    });
    println!("wall time: {:.1} s", started.elapsed().as_secs_f64());
    println!(
        "inputs {} | invariant checks {} | full sweeps {} | events {}",
        report.inputs, report.checks, report.sweeps, report.events
    );
    println!(
        "connects {} (refused {}) | dials {} | trims {} closing {} | bans {} | soft bans {} | blocks {} | epochs {} | fork status changes {} | decays {} | forgotten {}",
        report.connects,
        report.refused,
        report.dials,
        report.trims,
        report.trimmed,
        report.bans,
        report.soft_bans,
        report.blocks,
        report.epochs,
        report.fork_changes,
        report.decays,
        report.forgotten
    );
}

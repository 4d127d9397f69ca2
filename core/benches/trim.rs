//! Trim cost. Scenario from issue 3: N connected peers, 10% protected, 5% in grace, three
//! tags each (one decaying), one explicit trim down to N/2 (commands and report drained).

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use peerkeeper_core::{Config, ConnId, DecayFn, Direction, PeerManager};

const NOW: u64 = 1_000_000;

fn populated(n: u64) -> PeerManager<u64> {
    let config = Config {
        low_water: (n / 2) as usize,
        high_water: n as usize,
        grace_period: 60_000,
        silence_period: 0,
        ..Config::default()
    };
    let mut pm = PeerManager::new(config).unwrap();
    // Time only moves forward, so the 5% inside the grace window connect last.
    let in_grace = |i: u64| i.is_multiple_of(20);
    let order = (0..n).filter(|&i| !in_grace(i)).chain((0..n).filter(|&i| in_grace(i)));
    for i in order {
        let at = if in_grace(i) { NOW - 1_000 } else { i * 5 };
        pm.connected(&i, ConnId(i), Direction::Inbound, at);
        pm.tag_peer(&i, "kbucket", (i % 7) as i64);
        pm.tag_peer(&i, "bitswap", ((i * 31) % 13) as i64);
        pm.tag_peer_decaying(&i, "gossip", 1 + (i % 50) as i64, 3_600_000, DecayFn::fixed(1), at);
        if i % 10 == 1 {
            pm.protect(&i, "relay");
        }
        while pm.poll_event().is_some() {}
    }
    pm
}

fn trim(c: &mut Criterion) {
    let mut g = c.benchmark_group("trim");
    for n in [1_000u64, 10_000, 100_000] {
        let base = populated(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter_batched_ref(
                || base.clone(),
                |pm| {
                    pm.trim(NOW);
                    let mut closed = 0;
                    while pm.poll_command().is_some() {
                        closed += 1;
                    }
                    while pm.poll_event().is_some() {}
                    assert_eq!(closed, n / 2);
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();

    // The same trims with the caches flushed first: at 10 000 peers the whole state fits in
    // this machine's 4 MiB L2, at 100 000 it does not, and a real trim (rare, between
    // unrelated work) starts cold. This variant compares the two sizes like for like.
    let mut g = c.benchmark_group("trim_cold_cache");
    let mut evict = vec![0u8; 64 << 20];
    for n in [10_000u64, 100_000] {
        let base = populated(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter_batched_ref(
                || {
                    let pm = base.clone();
                    for (i, x) in evict.iter_mut().enumerate().step_by(64) {
                        *x = x.wrapping_add(i as u8);
                    }
                    std::hint::black_box(&evict);
                    pm
                },
                |pm| {
                    pm.trim(NOW);
                    while pm.poll_command().is_some() {}
                    while pm.poll_event().is_some() {}
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, trim);
criterion_main!(benches);

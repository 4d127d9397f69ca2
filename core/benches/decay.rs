//! Decay tick cost: `handle_timeout` when 1 000 decaying tags are due, among N decaying tags
//! in all. A tick should cost what is due, not what exists.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use peerkeeper_core::{Config, ConnId, DecayFn, Direction, PeerManager};

const RES: u64 = 1_000;
const DUE: u64 = 1_000;

fn decay(c: &mut Criterion) {
    let mut g = c.benchmark_group("decay_tick_1000_due");
    g.throughput(Throughput::Elements(DUE));
    for n in [1_000u64, 10_000, 100_000] {
        let config = Config {
            high_water: n as usize + 1,
            low_water: n as usize,
            decay_resolution: RES,
            ..Config::default()
        };
        let mut pm: PeerManager<u64> = PeerManager::new(config).unwrap();
        for i in 0..n {
            pm.connected(&i, ConnId(i), Direction::Inbound, 0);
            // Spread the due tags over the peer book, as they would be in practice.
            let (interval, start) = if i % (n / DUE) == 0 {
                (RES, 1_000_000_000_000_000)
            } else {
                (1_000_000_000_000, 1_000)
            };
            pm.tag_peer_decaying(&i, "gossip", start, interval, DecayFn::fixed(1), 0);
            while pm.poll_event().is_some() {}
        }
        let mut now = 0;
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                now += RES;
                pm.handle_timeout(now);
                let mut decayed = 0;
                while pm.poll_event().is_some() {
                    decayed += 1;
                }
                assert_eq!(decayed, DUE);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, decay);
criterion_main!(benches);

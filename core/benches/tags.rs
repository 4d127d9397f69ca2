//! Tag throughput: a mix of set, bump, untag and re-set over 10 000 connected peers with
//! three tags each; events are drained as part of the cost.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use peerkeeper_core::{Config, ConnId, DecayFn, Direction, PeerManager};

const N: u64 = 10_000;
const BATCH: u64 = 1_000;

fn tags(c: &mut Criterion) {
    let config = Config { high_water: N as usize, low_water: N as usize, ..Config::default() };
    let mut pm: PeerManager<u64> = PeerManager::new(config).unwrap();
    for i in 0..N {
        pm.connected(&i, ConnId(i), Direction::Inbound, 0);
        pm.tag_peer(&i, "kbucket", 1);
        pm.tag_peer(&i, "bitswap", 2);
        pm.tag_peer_decaying(&i, "gossip", 10, 60_000, DecayFn::fixed(1), 0);
    }
    while pm.poll_event().is_some() {}
    let mut g = c.benchmark_group("tag_ops");
    g.throughput(Throughput::Elements(4 * BATCH));
    let mut round = 0u64;
    g.bench_function("set_bump_untag_reset", |b| {
        b.iter(|| {
            round += 1;
            for j in 0..BATCH {
                let p = (round * BATCH + j) * 7_919 % N;
                pm.tag_peer(&p, "kbucket", (round + j) as i64);
                assert!(pm.bump_decaying_tag(&p, "gossip", 1, 0));
                assert!(pm.untag_peer(&p, "bitswap"));
                pm.tag_peer(&p, "bitswap", 2);
            }
            while pm.poll_event().is_some() {}
        })
    });
    g.finish();
}

criterion_group!(benches, tags);
criterion_main!(benches);

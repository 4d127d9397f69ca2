//! The native side of the npm trim comparison (`tests/npm/bench.mjs`): core's trim scenario
//! (`core/benches/trim.rs`) with the keys the JS package uses (`js_key::Key`, peer ids of 52
//! characters), so "JS vs native" compares the same work.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use peerkeeper_core::{Config, ConnId, DecayFn, Direction, PeerManager};
use peerkeeper_web::js_key::Key;

const NOW: u64 = 1_000_000;
const N: u64 = 10_000;

fn populated() -> PeerManager<Key> {
    let config = Config {
        low_water: (N / 2) as usize,
        high_water: N as usize,
        grace_period: 60_000,
        silence_period: 0,
        ..Config::default()
    };
    let mut pm = PeerManager::new(config).unwrap();
    let in_grace = |i: u64| i.is_multiple_of(20);
    let order = (0..N).filter(|&i| !in_grace(i)).chain((0..N).filter(|&i| in_grace(i)));
    for i in order {
        let at = if in_grace(i) { NOW - 1_000 } else { i * 5 };
        let p = Key::from(format!("12D3KooW{i:x>44}").as_str());
        pm.connected(&p, ConnId(i), Direction::Inbound, at);
        pm.tag_peer(&p, "kbucket", (i % 7) as i64);
        pm.tag_peer(&p, "bitswap", ((i * 31) % 13) as i64);
        pm.tag_peer_decaying(&p, "gossip", 1 + (i % 50) as i64, 3_600_000, DecayFn::fixed(1), at);
        if i % 10 == 1 {
            pm.protect(&p, "relay");
        }
        while pm.poll_event().is_some() {}
    }
    pm
}

fn trim(c: &mut Criterion) {
    let base = populated();
    c.bench_function("trim_string_keys/10000", |b| {
        b.iter_batched_ref(
            || base.clone(),
            |pm| {
                pm.trim(NOW);
                let mut closed = 0;
                while pm.poll_command().is_some() {
                    closed += 1;
                }
                while pm.poll_event().is_some() {}
                assert_eq!(closed, N / 2);
            },
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, trim);
criterion_main!(benches);

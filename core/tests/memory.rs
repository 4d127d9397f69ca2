//! Memory per connected peer, measured with a counting global allocator (in its own test
//! binary so no other test pays for the counting). The bench scenario: every peer has three
//! tags (one decaying) and one connection, 10% are protected, tag names are interned.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use peerkeeper_core::{Config, ConnId, DecayFn, Direction, PeerManager};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn bytes_per_peer<P: Clone + Eq + std::hash::Hash + Ord + std::fmt::Debug>(
    n: usize,
    key: impl Fn(u64) -> P,
) -> f64 {
    let config = Config { low_water: n, high_water: n, ..Config::default() };
    let mut pm: PeerManager<P> = PeerManager::new(config).unwrap();
    let before = LIVE.load(Ordering::Relaxed);
    for i in 0..n as u64 {
        let p = key(i);
        pm.connected(&p, ConnId(i), Direction::Inbound, i);
        pm.tag_peer(&p, "kbucket", 5);
        pm.tag_peer(&p, "bitswap", 3);
        pm.tag_peer_decaying(&p, "gossip", 100, 60_000, DecayFn::fixed(1), i);
        if i % 10 == 0 {
            pm.protect(&p, "relay");
        }
        while pm.poll_event().is_some() {}
    }
    let after = LIVE.load(Ordering::Relaxed);
    assert_eq!(pm.connected_count(), n);
    drop(pm);
    (after - before) as f64 / n as f64
}

#[test]
fn a_connected_peer_with_three_tags_costs_at_most_256_bytes() {
    // Sizes on both sides of a power of two, where table and slab slack differ most.
    for n in [10_000, 65_536, 100_000] {
        let small = bytes_per_peer(n, |i| i);
        let id32 = bytes_per_peer(n, |i| {
            let mut k = [0u8; 32];
            k[..8].copy_from_slice(&i.to_le_bytes());
            k
        });
        // The in-memory size of a rust-libp2p `PeerId` (a 64-byte multihash buffer plus
        // code and length), for reference.
        let id80 = bytes_per_peer(n, |i| {
            let mut k = [0u8; 80];
            k[..8].copy_from_slice(&i.to_le_bytes());
            k
        });
        println!(
            "n = {n}: {small:.1} B/peer with u64 keys, {id32:.1} with 32-byte keys, \
             {id80:.1} with 80-byte keys"
        );
        assert!(small <= 256.0, "{small} bytes per peer at n = {n} (u64 keys)");
        assert!(id32 <= 256.0, "{id32} bytes per peer at n = {n} (32-byte keys)");
    }
}

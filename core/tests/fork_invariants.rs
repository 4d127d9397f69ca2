//! Limits under random scripts (a seeded generator, so failures replay): the tree bound, gap
//! requests within 100 blocks, the serving peer's range and the 5 s cooldown, and no deadline
//! that fails to move once handled (a host driving `poll_timeout` never spins).

#[path = "fork_harness.rs"]
mod harness;

use harness::*;
use peerkeeper_core::fork::{ForkConfig, ForkOutcome, ForkStatus, Header, NodeMode};
use peerkeeper_core::Millis;

/// xorshift64*: tiny, deterministic, good enough to shuffle a script.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const PEERS: [Peer; 5] = ["p0", "p1", "p2", "p3", "p4"];
const CAPACITY: usize = 48;

/// Branch b forks off a#50 and c off a#70; every block's parent follows from that.
fn block(branch: u8, n: u64) -> Header {
    let parent = match (branch, n) {
        (B, 51) => at(A, 50),
        (C, 71) => at(A, 70),
        (B, _) if n <= 50 => return a(n),
        (C, _) if n <= 70 => return a(n),
        _ => at(branch, n - 1),
    };
    header(branch, n, parent)
}

fn random_branch(rng: &mut Rng) -> u8 {
    [A, A, A, B, C][rng.below(5) as usize]
}

struct Checker {
    last_request_at: Option<Millis>,
}

impl Checker {
    fn check(&mut self, h: &Harness, out: &[ForkOutcome<Peer>], seed: u64) {
        assert!(h.view.tree().len() <= CAPACITY, "seed {seed}: tree over capacity");
        for o in out {
            if let ForkOutcome::RequestBlocks { peer, from, count } = o {
                assert!((1..=100).contains(count), "seed {seed}: count {count}");
                let range = h.view.peer_status(peer).and_then(|s| s.range).unwrap();
                assert!(range.contains(*from), "seed {seed}: {range:?} lacks #{from}");
                assert!(range.contains(from + count - 1), "seed {seed}: {range:?} too short");
                if let Some(prev) = self.last_request_at {
                    assert!(h.now >= prev + 5_000, "seed {seed}: requests {prev} and {}", h.now);
                }
                self.last_request_at = Some(h.now);
            }
        }
    }
}

fn run(seed: u64) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut config = ForkConfig::new(NET, DIGEST);
    config.tree_capacity = CAPACITY;
    let mut h = Harness::with_config(config, 40, 60);
    let mut checker = Checker { last_request_at: None };
    let mut our_branch = A;
    for _ in 0..300 {
        let peer = PEERS[rng.below(PEERS.len() as u64) as usize];
        let head = h.view.head().number;
        let out = match rng.below(8) {
            0 => {
                let branch = random_branch(&mut rng);
                let n = (head + rng.below(40)).saturating_sub(10).max(41);
                let lib = n.saturating_sub(rng.below(12)).clamp(41, h.view.lib().number.max(41));
                let mut s = status(at(branch, n), at(A, lib));
                s.range = Some(peerkeeper_core::fork::BlockRange {
                    earliest: lib.saturating_sub(rng.below(30)),
                    latest: n,
                });
                if rng.below(6) == 0 {
                    s.fork_status = ForkStatus::Minority;
                }
                if rng.below(3) == 0 {
                    s.node_mode = NodeMode::Sync;
                }
                h.status(peer, s)
            }
            1 | 2 => {
                if rng.below(10) == 0 {
                    our_branch = random_branch(&mut rng);
                }
                let next = block(our_branch, head + 1);
                let from = (rng.below(2) == 0).then_some(peer);
                h.apply(next, from)
            }
            3 | 4 => {
                let branch = random_branch(&mut rng);
                let start = (head + rng.below(30)).saturating_sub(8).max(41);
                let hs = (start..start + rng.below(6)).map(|n| block(branch, n)).collect();
                h.receive(peer, hs)
            }
            5 => {
                let lib = h.view.lib().number;
                let target = (lib + rng.below(4)).min(head);
                let id = h.view.tree().canonical_at(target);
                match id {
                    Some(id) => {
                        h.view.lib_advanced(
                            peerkeeper_core::fork::BlockRef { number: target, id },
                            h.now,
                        );
                        h.drain()
                    }
                    None => Vec::new(),
                }
            }
            6 => {
                h.view.peer_disconnected(&peer, h.now);
                h.drain()
            }
            _ => {
                let t = h.now + rng.below(20_000);
                // Checked step by step at each deadline's own instant, not again below.
                let out = h.drain();
                while let Some(deadline) = h.view.poll_timeout() {
                    if deadline > t {
                        break;
                    }
                    h.now = h.now.max(deadline);
                    h.view.handle_timeout(h.now);
                    let step = h.drain();
                    checker.check(&h, &step, seed);
                    if let Some(next) = h.view.poll_timeout() {
                        assert!(next > deadline, "seed {seed}: deadline {deadline} did not move");
                    }
                }
                h.now = h.now.max(t);
                out
            }
        };
        checker.check(&h, &out, seed);
        for p in PEERS {
            if h.view.is_aligned(&p) {
                assert!(h.view.peers().any(|q| *q == p), "seed {seed}: aligned ghost {p}");
            }
        }
    }
}

#[test]
fn random_scripts_respect_every_limit() {
    for seed in 0..300 {
        run(seed);
    }
}

#[test]
fn the_same_script_gives_the_same_outcomes() {
    let script = |order: [Peer; 3]| {
        let mut h = Harness::new(90, 100);
        for p in order {
            h.connect(p, status(at(A, 103), at(A, 95)));
        }
        h.apply_all(branch(A, at(A, 100), 103), None)
    };
    assert_eq!(script(["p1", "p2", "p3"]), script(["p3", "p1", "p2"]));
}

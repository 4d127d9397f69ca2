//! Shared harness for the fork tests: scripted header trees and a clock that jumps straight to
//! the next deadline. Included by each `fork_*.rs` test with `#[path]`; alone it runs nothing.
#![allow(dead_code)]

use peerkeeper_core::fork::{
    BlockId, BlockRange, BlockRef, ChainStatus, ForkConfig, ForkDigest, ForkOutcome, ForkStatus,
    ForkView, Header, NetworkId, NodeMode,
};
use peerkeeper_core::Millis;

pub type Peer = &'static str;

pub const NET: NetworkId = NetworkId(7);
pub const DIGEST: ForkDigest = ForkDigest([0xd1, 0x70, 0x00, 0x01]);

/// Branch 0 is our original chain (`a`); other branches fork off it (`b`, `c`, ...).
pub const A: u8 = 0;
pub const B: u8 = 1;
pub const C: u8 = 2;

pub fn id(branch: u8, number: u64) -> BlockId {
    let mut bytes = [0u8; 32];
    bytes[0] = branch;
    bytes[1..9].copy_from_slice(&number.to_be_bytes());
    BlockId(bytes)
}

pub fn at(branch: u8, number: u64) -> BlockRef {
    BlockRef { number, id: id(branch, number) }
}

/// Block `number` of chain `a`.
pub fn a(number: u64) -> Header {
    header(A, number, at(A, number - 1))
}

pub fn header(branch: u8, number: u64, parent: BlockRef) -> Header {
    assert_eq!(parent.number + 1, number, "scripts must link consecutive heights");
    Header {
        number,
        id: id(branch, number),
        parent: parent.id,
        producer: format!("validator-{}", number % 21),
    }
}

/// Headers `from.number + 1 ..= to` of `branch`, the first building on `from`.
pub fn branch(branch: u8, from: BlockRef, to: u64) -> Vec<Header> {
    let mut parent = from;
    let mut out = Vec::new();
    for n in from.number + 1..=to {
        let h = header(branch, n, parent);
        parent = h.block_ref();
        out.push(h);
    }
    out
}

/// A status from a peer on our network, FWD and NORM, serving `lib..=head` of its chain.
pub fn status(head: BlockRef, lib: BlockRef) -> ChainStatus {
    ChainStatus {
        network_id: NET,
        fork_digest: DIGEST,
        head,
        lib,
        range: Some(BlockRange { earliest: lib.number, latest: head.number }),
        node_mode: NodeMode::Forward,
        fork_status: ForkStatus::Normal,
        emergency: false,
        emergency_key: false,
    }
}

pub fn with_range(mut s: ChainStatus, earliest: u64, latest: u64) -> ChainStatus {
    s.range = Some(BlockRange { earliest, latest });
    s
}

pub fn with_mode(mut s: ChainStatus, mode: NodeMode) -> ChainStatus {
    s.node_mode = mode;
    s
}

pub fn with_fork(mut s: ChainStatus, fork: ForkStatus) -> ChainStatus {
    s.fork_status = fork;
    s
}

/// The view under test plus its clock.
pub struct Harness {
    pub view: ForkView<Peer>,
    pub now: Millis,
}

impl Harness {
    /// Our chain is `a` with LIB at `lib` and head at `head`, all applied at t=0.
    pub fn new(lib: u64, head: u64) -> Harness {
        Self::with_config(ForkConfig::new(NET, DIGEST), lib, head)
    }

    pub fn with_config(config: ForkConfig, lib: u64, head: u64) -> Harness {
        let mut view = ForkView::new(config, a(lib), at(A, lib), 0);
        for n in lib + 1..=head {
            view.block_applied(a(n), None, 0);
        }
        let mut h = Harness { view, now: 0 };
        h.drain();
        h
    }

    pub fn drain(&mut self) -> Vec<ForkOutcome<Peer>> {
        std::iter::from_fn(|| self.view.poll_outcome()).collect()
    }

    /// Moves the clock to `t` (never backwards), firing every deadline on the way.
    pub fn advance_to(&mut self, t: Millis) -> Vec<ForkOutcome<Peer>> {
        let mut out = self.drain();
        while let Some(deadline) = self.view.poll_timeout() {
            if deadline > t {
                break;
            }
            self.now = self.now.max(deadline);
            self.view.handle_timeout(self.now);
            out.extend(self.drain());
        }
        self.now = self.now.max(t);
        out
    }

    pub fn connect(&mut self, peer: Peer, s: ChainStatus) -> Vec<ForkOutcome<Peer>> {
        self.view.peer_connected(peer, self.now);
        self.view.status_received(peer, s, self.now);
        self.drain()
    }

    pub fn status(&mut self, peer: Peer, s: ChainStatus) -> Vec<ForkOutcome<Peer>> {
        self.view.status_received(peer, s, self.now);
        self.drain()
    }

    pub fn apply(&mut self, h: Header, from: Option<Peer>) -> Vec<ForkOutcome<Peer>> {
        self.view.block_applied(h, from, self.now);
        self.drain()
    }

    pub fn apply_all(&mut self, hs: Vec<Header>, from: Option<Peer>) -> Vec<ForkOutcome<Peer>> {
        let mut out = Vec::new();
        for h in hs {
            out.extend(self.apply(h, from));
        }
        out
    }

    pub fn receive(&mut self, peer: Peer, hs: Vec<Header>) -> Vec<ForkOutcome<Peer>> {
        self.view.headers_received(peer, hs, self.now);
        self.drain()
    }

    /// Receives `hs` one header per call, as relays arrive.
    pub fn relay(&mut self, peer: Peer, hs: Vec<Header>) -> Vec<ForkOutcome<Peer>> {
        let mut out = Vec::new();
        for h in hs {
            out.extend(self.receive(peer, vec![h]));
        }
        out
    }
}

/// Only the fork-status changes among `outcomes`.
pub fn fork_changes(outcomes: &[ForkOutcome<Peer>]) -> Vec<(ForkStatus, ForkStatus)> {
    outcomes
        .iter()
        .filter_map(|o| match o {
            ForkOutcome::ForkStatusChanged { from, to } => Some((*from, *to)),
            _ => None,
        })
        .collect()
}

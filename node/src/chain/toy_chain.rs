//! A toy chain: blocks numbered from 0, each naming its parent and a producer taken round-robin
//! from a fixed list, final (LIB) a fixed number of blocks behind the head.
//!
//! Pure data, no clock: [`crate::chain::runner`] calls [`ToyChain::produce`] on a timer. Block ids
//! are a deterministic mix of parent, number and producer, so a branch built by another producer
//! from the same parent gets other ids (that is all a fork needs to be).

use peerkeeper_core::fork::{
    BlockId, BlockRange, BlockRef, ChainStatus, ForkDigest, ForkStatus, Header, NetworkId, NodeMode,
};

/// Headers kept (and served over `/peerkeeper/headers/1`); older ones are dropped.
/// 1024 blocks at one per 3 s is 51 minutes of history.
pub const KEPT_HEADERS: usize = 1024;

/// One chain (or one branch of it) as a node holding it sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToyChain {
    network_id: NetworkId,
    fork_digest: ForkDigest,
    /// Oldest first; contiguous numbers, each the parent of the next.
    headers: Vec<Header>,
    /// LIB trails the head by this many blocks.
    lib_lag: u64,
    fork_status: ForkStatus,
}

impl ToyChain {
    /// A chain holding only its genesis block (number 0, produced by `genesis_producer`).
    pub fn genesis(
        network_id: NetworkId,
        fork_digest: ForkDigest,
        lib_lag: u64,
        genesis_producer: &str,
    ) -> Self {
        // Different networks get different genesis ids.
        let root = BlockId(block_id(&BlockId([0; 32]), network_id.0, "genesis"));
        let genesis = header(root, 0, genesis_producer);
        ToyChain {
            network_id,
            fork_digest,
            headers: vec![genesis],
            lib_lag,
            fork_status: ForkStatus::Normal,
        }
    }

    /// Appends the next block, produced by `producer`; returns it.
    pub fn produce(&mut self, producer: &str) -> Header {
        let head = self.head_header();
        let next = header(head.id, head.number + 1, producer);
        self.headers.push(next.clone());
        if self.headers.len() > KEPT_HEADERS {
            let excess = self.headers.len() - KEPT_HEADERS;
            self.headers.drain(..excess);
        }
        next
    }

    /// Marks this chain as a minority branch (what its status says about it).
    pub fn set_fork_status(&mut self, status: ForkStatus) {
        self.fork_status = status;
    }

    pub fn head_header(&self) -> &Header {
        self.headers.last().expect("a chain always holds its head")
    }

    pub fn head(&self) -> BlockRef {
        self.head_header().block_ref()
    }

    /// The last irreversible block: `lib_lag` behind the head, or the oldest block kept.
    pub fn lib(&self) -> BlockRef {
        let at = self.head_header().number.saturating_sub(self.lib_lag);
        self.header_at(at).unwrap_or(&self.headers[0]).block_ref()
    }

    pub fn header_at(&self, number: u64) -> Option<&Header> {
        let first = self.headers[0].number;
        let index = usize::try_from(number.checked_sub(first)?).ok()?;
        self.headers.get(index)
    }

    /// Up to `count` headers from `from` on, ascending (fewer where we hold none).
    pub fn headers(&self, from: u64, count: u16) -> Vec<Header> {
        (from..from.saturating_add(count.into()))
            .map_while(|n| self.header_at(n).cloned())
            .collect()
    }

    /// What a node on this chain tells its peers.
    pub fn status(&self) -> ChainStatus {
        ChainStatus {
            network_id: self.network_id,
            fork_digest: self.fork_digest,
            head: self.head(),
            lib: self.lib(),
            range: Some(BlockRange {
                earliest: self.headers[0].number,
                latest: self.head().number,
            }),
            node_mode: NodeMode::Forward,
            fork_status: self.fork_status,
            emergency: false,
            emergency_key: false,
        }
    }
}

fn header(parent: BlockId, number: u64, producer: &str) -> Header {
    Header {
        number,
        id: BlockId(block_id(&parent, number, producer)),
        parent,
        producer: producer.to_owned(),
    }
}

/// 32 bytes from parent, number and producer: four rounds of splitmix64 over an FNV-1a fold.
/// Not a cryptographic hash; the toy chain only needs distinct, stable ids.
fn block_id(parent: &BlockId, number: u64, producer: &str) -> [u8; 32] {
    let mut seed: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parent.0.iter().chain(&number.to_le_bytes()).chain(producer.as_bytes()) {
        seed = (seed ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = [0u8; 32];
    for chunk in out.chunks_mut(8) {
        seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> ToyChain {
        ToyChain::genesis(NetworkId(7), ForkDigest([1, 2, 3, 4]), 3, "p0")
    }

    #[test]
    fn each_block_names_its_parent_and_lib_trails_the_head_by_the_lag() {
        let mut c = chain();
        assert_eq!((c.head().number, c.lib().number), (0, 0));
        let genesis = c.head();
        let b1 = c.produce("p1");
        assert_eq!((b1.number, b1.parent, b1.producer.as_str()), (1, genesis.id, "p1"));
        for p in ["p2", "p0", "p1", "p2"] {
            c.produce(p);
        }
        assert_eq!(c.head().number, 5);
        assert_eq!(c.lib().number, 2);
        assert_eq!(c.lib(), c.header_at(2).unwrap().block_ref());
        let s = c.status();
        assert_eq!((s.head, s.lib), (c.head(), c.lib()));
        assert_eq!(s.range, Some(BlockRange { earliest: 0, latest: 5 }));
        assert_eq!(s.fork_status, ForkStatus::Normal);
    }

    #[test]
    fn a_branch_from_the_same_parent_by_another_producer_has_other_ids() {
        let mut a = chain();
        a.produce("p1");
        let mut b = a.clone();
        let on_a = a.produce("p2");
        let on_b = b.produce("minority");
        assert_eq!(on_a.parent, on_b.parent);
        assert_ne!(on_a.id, on_b.id);
        // Same inputs, same id: every node following the chain agrees.
        let mut c = chain();
        c.produce("p1");
        assert_eq!(c.produce("p2"), on_a);
    }

    #[test]
    fn other_networks_start_from_another_genesis() {
        let other = ToyChain::genesis(NetworkId(8), ForkDigest([1, 2, 3, 4]), 3, "p0");
        assert_ne!(other.head().id, chain().head().id);
    }

    #[test]
    fn headers_are_served_in_order_and_only_where_held() {
        let mut c = chain();
        for _ in 0..KEPT_HEADERS + 10 {
            c.produce("p0");
        }
        let head = c.head().number;
        assert_eq!(c.headers(0, 5), vec![]);
        let first = head + 1 - KEPT_HEADERS as u64;
        let served = c.headers(first, 3);
        assert_eq!(
            served.iter().map(|h| h.number).collect::<Vec<_>>(),
            [first, first + 1, first + 2]
        );
        assert_eq!(served[1].parent, served[0].id);
        assert_eq!(c.headers(head - 1, 100).len(), 2);
        assert_eq!(c.status().range, Some(BlockRange { earliest: first, latest: head }));
    }
}

//! The toy chain the node and its demo peers follow, so the status protocol, fork alignment
//! and the page's light node have something real to track.
//!
//! One block every few seconds (`--chain-block-ms`, default 3 s), producers taken round-robin from [`PRODUCERS`], LIB
//! [`LIB_LAG`] blocks behind the head. The node's task ([`spawn_producer`]) extends the one
//! canonical [`SharedChain`]; honest demo peers announce its status, the minority-fork peer
//! copies it at the scripted split and extends its own branch, and the irrelevant-network peer
//! runs a chain of another network id.

mod shared_chain;
mod toy_chain;

use std::time::Duration;

use peerkeeper_core::fork::{ForkDigest, NetworkId};

pub use shared_chain::SharedChain;
pub use toy_chain::ToyChain;

/// The demo network's id.
pub const NETWORK_ID: NetworkId = NetworkId(7);
/// The id the irrelevant-network demo peer announces: any other id gets it dropped.
pub const IRRELEVANT_NETWORK_ID: NetworkId = NetworkId(99);
/// The demo chain's consensus rules (`pk` and version 1).
pub const FORK_DIGEST: ForkDigest = ForkDigest([0x70, 0x6b, 0x00, 0x01]);
/// LIB trails the head by 3 blocks (9 s).
pub const LIB_LAG: u64 = 3;
/// Block producers, in turn.
pub const PRODUCERS: [&str; 4] = ["producer-a", "producer-b", "producer-c", "producer-d"];
/// The producer of the minority branch's blocks.
pub const MINORITY_PRODUCER: &str = "producer-minority";

/// The demo network's chain at genesis.
pub fn demo_chain() -> SharedChain {
    SharedChain::new(ToyChain::genesis(NETWORK_ID, FORK_DIGEST, LIB_LAG, PRODUCERS[0]))
}

/// The producer of block `number`.
pub fn producer_of(number: u64) -> &'static str {
    PRODUCERS[(number % PRODUCERS.len() as u64) as usize]
}

/// Extends `chain` every `interval` with the next round-robin producer, for as long as the
/// runtime lives.
pub fn spawn_producer(chain: SharedChain, interval: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let next = chain.status().head.number + 1;
            chain.produce(producer_of(next));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn producers_take_turns() {
        let order: Vec<_> = (0..6).map(producer_of).collect();
        assert_eq!(
            order,
            ["producer-a", "producer-b", "producer-c", "producer-d", "producer-a", "producer-b"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_producer_adds_one_block_per_interval() {
        let chain = demo_chain();
        let interval = Duration::from_secs(3);
        spawn_producer(chain.clone(), interval);
        tokio::time::sleep(interval * 3 + Duration::from_millis(10)).await;
        let snapshot = chain.snapshot();
        assert_eq!(snapshot.head().number, 3);
        let producers: Vec<_> = snapshot.headers(1, 3).into_iter().map(|h| h.producer).collect();
        assert_eq!(producers, ["producer-b", "producer-c", "producer-d"]);
    }
}

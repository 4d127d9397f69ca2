//! A [`ToyChain`] shared between the task that extends it and the peers that follow it: they
//! read its status (a `watch` channel, so a follower wakes on each new block) and serve its
//! headers.

use std::sync::{Arc, RwLock};

use peerkeeper_core::fork::{ChainStatus, ForkStatus, Header};
use peerkeeper_net::headers_protocol::HeaderSource;
use tokio::sync::watch;

use super::toy_chain::ToyChain;

#[derive(Clone)]
pub struct SharedChain {
    chain: Arc<RwLock<ToyChain>>,
    status: Arc<watch::Sender<ChainStatus>>,
}

impl SharedChain {
    pub fn new(chain: ToyChain) -> Self {
        let (status, _) = watch::channel(chain.status());
        SharedChain { chain: Arc::new(RwLock::new(chain)), status: Arc::new(status) }
    }

    /// Appends a block and tells every follower.
    pub fn produce(&self, producer: &str) -> Header {
        let mut chain = self.chain.write().expect("chain lock");
        let header = chain.produce(producer);
        self.status.send_replace(chain.status());
        header
    }

    /// A separate chain that starts as a copy of this one (same history, same head) and then
    /// goes its own way.
    pub fn branch(&self, fork_status: ForkStatus) -> SharedChain {
        let mut copy = self.snapshot();
        copy.set_fork_status(fork_status);
        SharedChain::new(copy)
    }

    pub fn snapshot(&self) -> ToyChain {
        self.chain.read().expect("chain lock").clone()
    }

    pub fn status(&self) -> ChainStatus {
        self.status.borrow().clone()
    }

    /// Wakes on every new block.
    pub fn subscribe(&self) -> watch::Receiver<ChainStatus> {
        self.status.subscribe()
    }
}

impl HeaderSource for SharedChain {
    fn headers(&self, from: u64, count: u16) -> Vec<Header> {
        self.chain.read().expect("chain lock").headers(from, count)
    }
}

#[cfg(test)]
mod tests {
    use peerkeeper_core::fork::{ForkDigest, NetworkId};

    use super::*;

    #[test]
    fn followers_see_each_block_and_a_branch_diverges_from_the_shared_head() {
        let shared = SharedChain::new(ToyChain::genesis(NetworkId(7), ForkDigest([0; 4]), 3, "p0"));
        let mut follower = shared.subscribe();
        let b1 = shared.produce("p1");
        assert!(follower.has_changed().unwrap());
        assert_eq!(follower.borrow_and_update().head, b1.block_ref());
        let branch = shared.branch(ForkStatus::Minority);
        let main2 = shared.produce("p2");
        let side2 = branch.produce("minority");
        assert_eq!(main2.parent, side2.parent);
        assert_ne!(main2.id, side2.id);
        assert_eq!(branch.status().fork_status, ForkStatus::Minority);
        assert_eq!(shared.status().fork_status, ForkStatus::Normal);
        assert_eq!(HeaderSource::headers(&branch, 2, 1), vec![side2]);
    }
}

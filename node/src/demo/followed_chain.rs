//! The chain a demo peer announces over `/peerkeeper/status/3` and serves headers from: the
//! demo chain for most kinds, a chain of another network for the irrelevant-network peer, and
//! for a minority-fork peer the demo chain until the scripted split, then its own branch.

use std::{sync::Arc, time::Duration};

use peerkeeper_core::fork::{ChainStatus, ForkStatus, Header};
use peerkeeper_net::headers_protocol::HeaderSource;
use tokio::sync::watch;

use crate::chain::{SharedChain, MINORITY_PRODUCER};

/// Which chain a peer follows; switches at most once (at the split).
#[derive(Clone)]
pub struct FollowedChain {
    which: watch::Receiver<SharedChain>,
    /// Keeps a fixed choice's channel open, so waiting on it never ends in an error.
    _fixed: Option<Arc<watch::Sender<SharedChain>>>,
}

impl FollowedChain {
    /// Always `chain`.
    pub fn fixed(chain: SharedChain) -> Self {
        let (tx, which) = watch::channel(chain);
        FollowedChain { which, _fixed: Some(Arc::new(tx)) }
    }

    /// `canonical` until `after` has passed, then a branch of it (copied at that moment, fork
    /// status `minority`) extended with a block every `interval` by [`MINORITY_PRODUCER`].
    pub fn split(canonical: SharedChain, after: Duration, interval: Duration) -> Self {
        let (tx, which) = watch::channel(canonical.clone());
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let branch = canonical.branch(ForkStatus::Minority);
            tracing::info!(
                at = branch.status().head.number,
                "demo chain split: a minority branch starts"
            );
            tx.send_replace(branch.clone());
            let mut tick =
                tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
            loop {
                tick.tick().await;
                branch.produce(MINORITY_PRODUCER);
                if tx.is_closed() {
                    return; // every follower is gone
                }
            }
        });
        FollowedChain { which, _fixed: None }
    }

    pub fn status(&self) -> ChainStatus {
        self.which.borrow().status()
    }

    /// Serves headers from whichever chain is followed at the time of the request.
    pub fn headers(&self) -> FollowedHeaders {
        FollowedHeaders(self.which.clone())
    }

    /// A follower that wakes on every change of the announced status.
    pub fn follow(&self) -> StatusFollower {
        let mut which = self.which.clone();
        let blocks = which.borrow_and_update().subscribe();
        StatusFollower { which, blocks, _fixed: self._fixed.clone() }
    }
}

/// [`HeaderSource`] over a [`FollowedChain`].
pub struct FollowedHeaders(watch::Receiver<SharedChain>);

impl HeaderSource for FollowedHeaders {
    fn headers(&self, from: u64, count: u16) -> Vec<Header> {
        HeaderSource::headers(&*self.0.borrow(), from, count)
    }
}

pub struct StatusFollower {
    which: watch::Receiver<SharedChain>,
    blocks: watch::Receiver<ChainStatus>,
    _fixed: Option<Arc<watch::Sender<SharedChain>>>,
}

impl StatusFollower {
    /// Waits for a new block or the split and returns the status to announce; never returns
    /// once the followed chain can no longer change.
    pub async fn changed(&mut self) -> ChainStatus {
        loop {
            tokio::select! {
                switched = self.which.changed() => match switched {
                    Ok(()) => {
                        let chain = self.which.borrow_and_update().clone();
                        self.blocks = chain.subscribe();
                        return chain.status();
                    }
                    Err(_) => std::future::pending::<()>().await,
                },
                block = self.blocks.changed() => match block {
                    Ok(()) => return self.blocks.borrow_and_update().clone(),
                    Err(_) => std::future::pending::<()>().await,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::demo_chain;

    #[tokio::test(start_paused = true)]
    async fn a_minority_follower_announces_the_chain_until_the_split_then_its_own_branch() {
        let canonical = demo_chain();
        let followed = FollowedChain::split(
            canonical.clone(),
            Duration::from_millis(1_000),
            Duration::from_millis(300),
        );
        let mut follower = followed.follow();
        let b1 = canonical.produce("producer-b");
        assert_eq!(follower.changed().await.head, b1.block_ref());
        let at_split = follower.changed().await;
        assert_eq!((at_split.head, at_split.fork_status), (b1.block_ref(), ForkStatus::Minority));
        let own = follower.changed().await;
        assert_eq!(own.head.number, 2);
        let served = followed.headers().headers(2, 1);
        assert_eq!(served[0].producer, MINORITY_PRODUCER);
        assert_eq!(served[0].parent, b1.id);
        // The canonical chain goes on without it.
        let main2 = canonical.produce("producer-c");
        assert_ne!(main2.id, own.head.id);
        assert_eq!(followed.status().fork_status, ForkStatus::Minority);
    }
}

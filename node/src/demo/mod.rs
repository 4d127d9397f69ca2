//! The embedded demo network: real libp2p peers in this process, each with its own key and
//! listeners, so the page has peers to manage on a machine with no internet.
//!
//! [`plan`] turns the flags into kinds, [`spawn`] starts one supervised task per peer
//! ([`peer`]), and each peer lists itself in `/bootstrap.json`.

mod behaviour_kind;
mod flap_schedule;
mod followed_chain;
mod peer;
mod plan;
mod slow_ping;
mod spam;

use std::{
    net::Ipv4Addr,
    sync::{atomic::AtomicU64, Arc},
    time::Duration,
};

use libp2p::{Multiaddr, PeerId};
use tokio::sync::watch;

pub use behaviour_kind::BehaviourKind;
pub use flap_schedule::FlapSchedule;
pub use plan::{plan, KindCounts};

use self::{
    followed_chain::FollowedChain,
    peer::{DemoPeer, Env},
};
use crate::{
    bootstrap::BootstrapBook,
    chain::{self, SharedChain, ToyChain},
    keys::NodeKeys,
};

/// A demo peer whose swarm failed is rebuilt after this long (same identity, new ports).
const RESTART_DELAY: Duration = Duration::from_secs(5);

/// What the demo network follows and when its scripted events happen.
#[derive(Clone)]
pub struct DemoOptions {
    /// The node's chain, which honest, slow and flapping peers announce.
    pub chain: SharedChain,
    pub block_interval: Duration,
    /// Since start, when minority-fork peers leave the chain.
    pub split_after: Duration,
    pub flap_up_ms: u64,
    pub flap_down_ms: u64,
}

/// Starts one task per kind, in order; returns their peer ids. Identities and certificates are
/// generated here, in memory: demo peers get new peer ids on every start of the node.
pub fn spawn(
    kinds: &[BehaviourKind],
    listen_ip: Ipv4Addr,
    book: &BootstrapBook,
    node_addr: watch::Receiver<Option<Multiaddr>>,
    options: &DemoOptions,
) -> anyhow::Result<Vec<PeerId>> {
    let env = Env { listen_ip, book: book.clone(), node_addr };
    let mut flapping_seen = 0;
    let mut irrelevant: Option<SharedChain> = None;
    let mut peers = Vec::with_capacity(kinds.len());
    for &kind in kinds {
        let flap = (kind == BehaviourKind::Flapping).then(|| {
            flapping_seen += 1;
            FlapSchedule::staggered_with(
                flapping_seen - 1,
                options.flap_up_ms,
                options.flap_down_ms,
            )
        });
        let chain = match kind {
            BehaviourKind::Honest | BehaviourKind::Slow | BehaviourKind::Flapping => {
                Some(FollowedChain::fixed(options.chain.clone()))
            }
            BehaviourKind::Spamming => None,
            BehaviourKind::MinorityFork => Some(FollowedChain::split(
                options.chain.clone(),
                options.split_after,
                options.block_interval,
            )),
            BehaviourKind::IrrelevantNetwork => {
                let other = irrelevant.get_or_insert_with(|| {
                    let other = SharedChain::new(ToyChain::genesis(
                        chain::IRRELEVANT_NETWORK_ID,
                        chain::FORK_DIGEST,
                        chain::LIB_LAG,
                        chain::PRODUCERS[0],
                    ));
                    chain::spawn_producer(other.clone(), options.block_interval);
                    other
                });
                Some(FollowedChain::fixed(other.clone()))
            }
        };
        let peer = DemoPeer {
            kind,
            keys: NodeKeys::ephemeral()?,
            flap,
            chain,
            spam_sent: Arc::new(AtomicU64::new(0)),
        };
        let peer_id = peer.peer_id();
        book.add_demo_peer(peer_id, kind.name());
        tokio::spawn(supervise(peer, env.clone()));
        peers.push(peer_id);
    }
    Ok(peers)
}

async fn supervise(peer: DemoPeer, mut env: Env) {
    let peer_id = peer.peer_id();
    loop {
        let Err(e) = peer::run(&peer, &mut env).await;
        if env.node_addr.has_changed().is_err() {
            return; // the node is shutting down
        }
        tracing::warn!(%peer_id, kind = %peer.kind, "demo peer failed ({e:#}); restarting in {RESTART_DELAY:?}");
        tokio::time::sleep(RESTART_DELAY).await;
    }
}

/// `12 peers (7 honest, 1 slow, 1 flapping, 1 spamming, 1 minority_fork, 1
/// irrelevant_network)`, for the startup banner.
pub fn summary(kinds: &[BehaviourKind]) -> String {
    let mut parts =
        vec![format!("{} honest", kinds.iter().filter(|k| **k == BehaviourKind::Honest).count())];
    for kind in [
        BehaviourKind::Slow,
        BehaviourKind::Flapping,
        BehaviourKind::Spamming,
        BehaviourKind::MinorityFork,
        BehaviourKind::IrrelevantNetwork,
    ] {
        parts.push(format!("{} {kind}", kinds.iter().filter(|k| **k == kind).count()));
    }
    format!("{} peers ({})", kinds.len(), parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_each_kind() {
        assert_eq!(
            summary(&plan(12, KindCounts::default()).unwrap()),
            "12 peers (7 honest, 1 slow, 1 flapping, 1 spamming, 1 minority_fork, 1 irrelevant_network)"
        );
    }
}

//! The embedded demo network: real libp2p peers in this process, each with its own key and
//! listeners, so the page has peers to manage on a machine with no internet.
//!
//! [`plan`] turns the flags into kinds, [`spawn`] starts one supervised task per peer
//! ([`peer`]), and each peer lists itself in `/bootstrap.json`.

mod behaviour_kind;
mod flap_schedule;
mod peer;
mod plan;
mod slow_ping;

use std::{net::Ipv4Addr, time::Duration};

use libp2p::{Multiaddr, PeerId};
use tokio::sync::watch;

pub use behaviour_kind::BehaviourKind;
pub use plan::plan;

use self::{
    flap_schedule::FlapSchedule,
    peer::{DemoPeer, Env},
};
use crate::{bootstrap::BootstrapBook, keys::NodeKeys};

/// A demo peer whose swarm failed is rebuilt after this long (same identity, new ports).
const RESTART_DELAY: Duration = Duration::from_secs(5);

/// Starts one task per kind, in order; returns their peer ids. Identities and certificates are
/// generated here, in memory: demo peers get new peer ids on every start of the node.
pub fn spawn(
    kinds: &[BehaviourKind],
    listen_ip: Ipv4Addr,
    book: &BootstrapBook,
    node_addr: watch::Receiver<Option<Multiaddr>>,
) -> anyhow::Result<Vec<PeerId>> {
    let env = Env { listen_ip, book: book.clone(), node_addr };
    let mut flapping_seen = 0;
    let mut peers = Vec::with_capacity(kinds.len());
    for &kind in kinds {
        let flap = (kind == BehaviourKind::Flapping).then(|| {
            flapping_seen += 1;
            FlapSchedule::staggered(flapping_seen - 1)
        });
        let peer = DemoPeer { kind, keys: NodeKeys::ephemeral()?, flap };
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

/// `12 peers (10 honest, 1 slow, 1 flapping)`, for the startup banner.
pub fn summary(kinds: &[BehaviourKind]) -> String {
    let count = |k| kinds.iter().filter(|&&x| x == k).count();
    format!(
        "{} peers ({} honest, {} slow, {} flapping)",
        kinds.len(),
        count(BehaviourKind::Honest),
        count(BehaviourKind::Slow),
        count(BehaviourKind::Flapping)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_each_kind() {
        assert_eq!(
            summary(&plan(12, None, None).unwrap()),
            "12 peers (10 honest, 1 slow, 1 flapping)"
        );
    }
}

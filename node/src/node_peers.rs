//! The node's own behaviour: the peerkeeper set (connection manager, status, headers, peer
//! exchange) beside identify and ping, following the demo chain. It hands out the addresses
//! its peers listen on (browser transports only) through peer exchange.

use std::time::Duration;

use libp2p::{identify, identity::Keypair, ping, swarm::NetworkBehaviour, PeerId};
use peerkeeper_core::fork::ForkConfig;
use peerkeeper_net::{
    browser_dialable,
    peerkeeper_behaviour::{self, ChainStart, PeerkeeperBehaviour},
    NodeBehaviour,
};

use crate::{
    bootstrap::{BootstrapBook, ChainInfo},
    chain::{SharedChain, FORK_DIGEST, NETWORK_ID},
};

const PING_INTERVAL: Duration = Duration::from_secs(5);

#[derive(NetworkBehaviour)]
pub struct NodePeers {
    pub peerkeeper: PeerkeeperBehaviour,
    pub identify: identify::Behaviour,
    pub ping: ping::Behaviour,
}

/// The node's watermarks and grace (`--low-water`, `--high-water`, `--grace-period-ms`).
#[derive(Debug, Clone, Copy)]
pub struct Watermarks {
    pub low: usize,
    pub high: usize,
    pub grace_ms: u64,
}

impl NodePeers {
    /// Refuses watermarks the engine refuses, naming the flag.
    pub fn new(
        key: &Keypair,
        chain: &SharedChain,
        marks: Watermarks,
        hash_seed: u64,
    ) -> anyhow::Result<Self> {
        let NodeBehaviour { identify, ping } =
            NodeBehaviour::new(key.public(), "node", PING_INTERVAL);
        let snapshot = chain.snapshot();
        let mut config = peerkeeper_behaviour::Config {
            chain: Some(ChainStart { head: snapshot.head_header().clone(), lib: snapshot.lib() }),
            // The node hands out peers; it does not collect them.
            pex_on_connect: false,
            ..Default::default()
        };
        config.peers.engine.low_water = marks.low;
        config.peers.engine.high_water = marks.high;
        config.peers.engine.grace_period = marks.grace_ms;
        // Remote peers pick their ids; a random seed keeps them from gaming trim ties.
        config.peers.engine.hash_seed = hash_seed;
        config.peers.engine.fork = Some(ForkConfig::new(NETWORK_ID, FORK_DIGEST));
        let mut peerkeeper = PeerkeeperBehaviour::new(key.public().to_peer_id(), config)
            .map_err(|e| anyhow::anyhow!("--low-water/--high-water/--grace-period-ms: {e}"))?;
        peerkeeper.set_header_source(chain.clone());
        peerkeeper.set_local_status(chain.status());
        Ok(NodePeers { peerkeeper, identify, ping })
    }

    /// Feeds identify to the engine and keeps the peer's browser-dialable listen addresses
    /// for peer exchange.
    pub fn on_identify(&mut self, event: &identify::Event) {
        self.peerkeeper.peers_mut().on_identify_event(event);
        if let identify::Event::Received { peer_id, info, .. } = event {
            for addr in info.listen_addrs.iter().filter(|a| browser_dialable(a)) {
                self.peerkeeper.address_book_mut().add(*peer_id, addr.clone());
            }
        }
    }

    /// Applies every block of `chain` past the one applied last, advances LIB and tells peers.
    /// Returns the new last applied block number.
    pub fn follow(&mut self, chain: &SharedChain, applied: u64, book: &BootstrapBook) -> u64 {
        let snapshot = chain.snapshot();
        let head = snapshot.head();
        let now = self.peerkeeper.peers().now();
        {
            let mut engine = self.peerkeeper.peers_mut().manager_mut();
            for header in snapshot.headers(applied + 1, u16::MAX) {
                engine.block_applied(header, None::<PeerId>, now);
            }
            engine.lib_advanced(snapshot.lib(), now);
        }
        self.peerkeeper.set_local_status(snapshot.status());
        book.set_chain(ChainInfo {
            network_id: NETWORK_ID,
            fork_digest: FORK_DIGEST,
            head: snapshot.head_header().clone(),
            lib: snapshot.lib(),
        });
        head.number
    }
}

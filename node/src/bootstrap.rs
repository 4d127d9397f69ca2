//! `/bootstrap.json`: the addresses a page dials to reach this node, and the demo peers running
//! beside it.

use std::sync::{Arc, RwLock};

use libp2p::{Multiaddr, PeerId};
use peerkeeper_core::fork::{BlockRef, ForkDigest, Header, NetworkId};
use peerkeeper_net::transport_name;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BootstrapAddr {
    /// `webrtc-direct`, `websocket`, `webtransport` or `tcp`.
    pub transport: &'static str,
    /// Full multiaddr including `/p2p/<peer id>`.
    pub multiaddr: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bootstrap {
    pub peer_id: String,
    pub addrs: Vec<BootstrapAddr>,
    /// The embedded demo network, in the order the peers were started (empty when disabled).
    pub demo_peers: Vec<DemoPeerEntry>,
    /// The chain the node follows, as of the latest block: a page starts its light node here.
    pub chain: Option<ChainInfo>,
}

/// Where a light node joining the chain starts: the network, its rules, our head and LIB.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ChainInfo {
    pub network_id: NetworkId,
    /// 8 hex digits.
    pub fork_digest: ForkDigest,
    /// Block ids as 64 hex digits.
    pub head: Header,
    pub lib: BlockRef,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DemoPeerEntry {
    pub peer_id: String,
    /// The peer's [`BehaviourKind`](crate::demo::BehaviourKind) name.
    pub kind: &'static str,
    /// Where it listens when up; a flapping peer keeps these while down.
    pub addrs: Vec<BootstrapAddr>,
}

fn entry(addr: &Multiaddr, peer: PeerId) -> BootstrapAddr {
    BootstrapAddr {
        transport: transport_name(addr),
        multiaddr: addr.clone().with_p2p(peer).unwrap_or_else(|a| a).to_string(),
    }
}

/// Shared between the swarm loop (which learns listen addresses) and the HTTP server.
#[derive(Clone)]
pub struct BootstrapBook {
    inner: Arc<RwLock<Bootstrap>>,
    peer_id: PeerId,
}

impl BootstrapBook {
    pub fn new(peer_id: PeerId) -> Self {
        let inner = Bootstrap {
            peer_id: peer_id.to_string(),
            addrs: Vec::new(),
            demo_peers: Vec::new(),
            chain: None,
        };
        BootstrapBook { inner: Arc::new(RwLock::new(inner)), peer_id }
    }

    pub fn peer_id(&self) -> PeerId {
        self.peer_id
    }

    pub fn add_listen_addr(&self, addr: &Multiaddr) {
        let entry = entry(addr, self.peer_id);
        let mut inner = self.inner.write().expect("bootstrap lock");
        if !inner.addrs.contains(&entry) {
            inner.addrs.push(entry);
        }
    }

    /// Lists a demo peer (with no addresses yet); listing it again is a no-op.
    pub fn add_demo_peer(&self, peer: PeerId, kind: &'static str) {
        let peer_id = peer.to_string();
        let mut inner = self.inner.write().expect("bootstrap lock");
        if !inner.demo_peers.iter().any(|d| d.peer_id == peer_id) {
            inner.demo_peers.push(DemoPeerEntry { peer_id, kind, addrs: Vec::new() });
        }
    }

    /// Adds a listen address to a listed demo peer (once); unknown peers are ignored.
    pub fn add_demo_listen_addr(&self, peer: PeerId, addr: &Multiaddr) {
        self.with_demo_peer(peer, |d| {
            let entry = entry(addr, peer);
            if !d.addrs.contains(&entry) {
                d.addrs.push(entry);
            }
        });
    }

    /// Removes a demo peer's listener address, given as listened on (no certhash, no peer id).
    pub fn remove_demo_listen_addr(&self, peer: PeerId, listen_addr: &Multiaddr) {
        let prefix = format!("{listen_addr}/");
        self.with_demo_peer(peer, |d| d.addrs.retain(|a| !a.multiaddr.starts_with(&prefix)));
    }

    /// Forgets a demo peer's addresses, e.g. when it restarts on new ports.
    pub fn clear_demo_listen_addrs(&self, peer: PeerId) {
        self.with_demo_peer(peer, |d| d.addrs.clear());
    }

    fn with_demo_peer(&self, peer: PeerId, f: impl FnOnce(&mut DemoPeerEntry)) {
        let peer_id = peer.to_string();
        let mut inner = self.inner.write().expect("bootstrap lock");
        if let Some(d) = inner.demo_peers.iter_mut().find(|d| d.peer_id == peer_id) {
            f(d);
        }
    }

    pub fn remove_listen_addr(&self, addr: &Multiaddr) {
        let full = addr.clone().with_p2p(self.peer_id).unwrap_or_else(|a| a).to_string();
        self.inner.write().expect("bootstrap lock").addrs.retain(|a| a.multiaddr != full);
    }

    /// Records the chain's latest head and LIB.
    pub fn set_chain(&self, chain: ChainInfo) {
        self.inner.write().expect("bootstrap lock").chain = Some(chain);
    }

    pub fn snapshot(&self) -> Bootstrap {
        self.inner.read().expect("bootstrap lock").clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addrs_are_listed_once_with_peer_id_and_transport() {
        let peer = PeerId::random();
        let book = BootstrapBook::new(peer);
        let ws: Multiaddr = "/ip4/127.0.0.1/tcp/9091/ws".parse().unwrap();
        book.add_listen_addr(&ws);
        book.add_listen_addr(&ws);
        book.add_listen_addr(&"/ip4/127.0.0.1/tcp/9092".parse().unwrap());
        let snap = book.snapshot();
        assert_eq!(snap.peer_id, peer.to_string());
        assert_eq!(snap.addrs.len(), 2);
        assert_eq!(snap.addrs[0].transport, "websocket");
        assert_eq!(snap.addrs[0].multiaddr, format!("/ip4/127.0.0.1/tcp/9091/ws/p2p/{peer}"));
        assert_eq!(snap.addrs[1].transport, "tcp");
        book.remove_listen_addr(&ws);
        assert_eq!(book.snapshot().addrs.len(), 1);
    }

    #[test]
    fn a_rotated_webtransport_address_replaces_the_expired_one() {
        let peer = PeerId::random();
        let book = BootstrapBook::new(peer);
        let hash = |byte: u8| {
            libp2p::multiaddr::Protocol::Certhash(
                libp2p::multihash::Multihash::wrap(0x12, &[byte; 32]).unwrap(),
            )
        };
        let base: Multiaddr = "/ip4/127.0.0.1/udp/9093/quic-v1/webtransport".parse().unwrap();
        let old = base.clone().with(hash(1)).with(hash(2));
        let new = base.with(hash(2)).with(hash(3));
        book.add_listen_addr(&old);
        book.remove_listen_addr(&old);
        book.add_listen_addr(&new);
        let addrs = book.snapshot().addrs;
        assert_eq!(addrs.len(), 1);
        assert_eq!(addrs[0].transport, "webtransport");
        assert_eq!(addrs[0].multiaddr, format!("{new}/p2p/{peer}"));
    }

    #[test]
    fn json_keeps_the_node_shape_and_lists_demo_peers_in_start_order_with_their_addrs() {
        let node = PeerId::random();
        let (honest, slow) = (PeerId::random(), PeerId::random());
        let book = BootstrapBook::new(node);
        book.add_listen_addr(&"/ip4/127.0.0.1/tcp/9091/ws".parse().unwrap());
        book.add_demo_peer(honest, "honest");
        book.add_demo_peer(slow, "slow");
        book.add_demo_peer(honest, "honest");
        let rtc: Multiaddr = "/ip4/127.0.0.1/udp/40001/webrtc-direct".parse().unwrap();
        book.add_demo_listen_addr(honest, &rtc);
        book.add_demo_listen_addr(honest, &rtc);
        book.add_demo_listen_addr(honest, &"/ip4/127.0.0.1/tcp/40002/ws".parse().unwrap());
        book.add_demo_listen_addr(PeerId::random(), &rtc);
        let json = serde_json::to_value(book.snapshot()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "peer_id": node.to_string(),
                "addrs": [{
                    "transport": "websocket",
                    "multiaddr": format!("/ip4/127.0.0.1/tcp/9091/ws/p2p/{node}"),
                }],
                "demo_peers": [
                    {
                        "peer_id": honest.to_string(),
                        "kind": "honest",
                        "addrs": [
                            {
                                "transport": "webrtc-direct",
                                "multiaddr": format!("{rtc}/p2p/{honest}"),
                            },
                            {
                                "transport": "websocket",
                                "multiaddr": format!("/ip4/127.0.0.1/tcp/40002/ws/p2p/{honest}"),
                            },
                        ],
                    },
                    { "peer_id": slow.to_string(), "kind": "slow", "addrs": [] },
                ],
                "chain": null,
            })
        );
        book.remove_demo_listen_addr(
            honest,
            &"/ip4/127.0.0.1/udp/40001/webrtc-direct".parse().unwrap(),
        );
        assert_eq!(book.snapshot().demo_peers[0].addrs[0].transport, "websocket");
        assert_eq!(book.snapshot().demo_peers[0].addrs.len(), 1);
        book.clear_demo_listen_addrs(honest);
        assert!(book.snapshot().demo_peers[0].addrs.is_empty());
    }

    #[test]
    fn the_chain_is_listed_with_hex_ids_for_a_page_to_start_from() {
        let book = BootstrapBook::new(PeerId::random());
        let chain = crate::chain::demo_chain();
        chain.produce("producer-b");
        let snap = chain.snapshot();
        book.set_chain(ChainInfo {
            network_id: crate::chain::NETWORK_ID,
            fork_digest: crate::chain::FORK_DIGEST,
            head: snap.head_header().clone(),
            lib: snap.lib(),
        });
        let json = serde_json::to_value(book.snapshot()).unwrap();
        assert_eq!(json["chain"]["network_id"], 7);
        assert_eq!(json["chain"]["fork_digest"], "706b0001");
        assert_eq!(json["chain"]["head"]["number"], 1);
        assert_eq!(json["chain"]["head"]["producer"], "producer-b");
        assert_eq!(json["chain"]["head"]["parent"], snap.lib().id.to_string());
        assert_eq!(json["chain"]["lib"]["number"], 0);
    }
}

//! `/bootstrap.json`: the addresses a page dials to reach this node.

use std::sync::{Arc, RwLock};

use libp2p::{Multiaddr, PeerId};
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
}

/// Shared between the swarm loop (which learns listen addresses) and the HTTP server.
#[derive(Clone)]
pub struct BootstrapBook {
    inner: Arc<RwLock<Bootstrap>>,
    peer_id: PeerId,
}

impl BootstrapBook {
    pub fn new(peer_id: PeerId) -> Self {
        let inner = Bootstrap { peer_id: peer_id.to_string(), addrs: Vec::new() };
        BootstrapBook { inner: Arc::new(RwLock::new(inner)), peer_id }
    }

    pub fn add_listen_addr(&self, addr: &Multiaddr) {
        let entry = BootstrapAddr {
            transport: transport_name(addr),
            multiaddr: addr.clone().with_p2p(self.peer_id).unwrap_or_else(|a| a).to_string(),
        };
        let mut inner = self.inner.write().expect("bootstrap lock");
        if !inner.addrs.contains(&entry) {
            inner.addrs.push(entry);
        }
    }

    pub fn remove_listen_addr(&self, addr: &Multiaddr) {
        let full = addr.clone().with_p2p(self.peer_id).unwrap_or_else(|a| a).to_string();
        self.inner.write().expect("bootstrap lock").addrs.retain(|a| a.multiaddr != full);
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
}

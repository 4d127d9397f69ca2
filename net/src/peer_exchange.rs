//! `/peerkeeper/pex/1`: peer exchange. A request asks for up to `limit` addresses of peers the
//! server knows; the response carries them, each ending in `/p2p/<peer id>` so it can be dialled
//! as is, or says the request was refused by the rate limit.
//!
//! Rate limit (seed 003): each peer may ask [`PEER_EXCHANGE_MAX_REQUESTS`] times per
//! 300 s sliding window; the engine keeps the count (`peer_exchange_request`). A refused
//! request is answered with [`PexResponse::RateLimited`] and its `retry_after_ms`. It is not a
//! strike: the seed's strike triggers are deserialization failures, protocol violations
//! ("unexpected message in current state") and dead-fork blocks, and an early request is none
//! of them.
//!
//! Bounds: 4 KiB per request (it is one or two bytes); at most [`MAX_PEX_ADDRS`] (32)
//! addresses per response, each at most [`MAX_ADDR_BYTES`] (255) bytes, so a response is at
//! most 1 + 1 + 32 x (2 + 255) = 8 226 bytes, under [`MAX_PEX_RESPONSE_BYTES`] = 9 KiB.

use std::collections::BTreeSet;

use libp2p::multiaddr::Protocol;
use libp2p::{Multiaddr, PeerId, StreamProtocol};
use peerkeeper_core::peer_map::PeerMap;
use serde::{Deserialize, Serialize};

use crate::codec::{BoundedCodec, WireProtocol};

pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/peerkeeper/pex/1");

/// Seed 003's `PEER_EXCHANGE_MAX_REQUESTS`, enforced by the engine's sliding window.
pub const PEER_EXCHANGE_MAX_REQUESTS: u32 = 3;

/// Most addresses one response may carry.
pub const MAX_PEX_ADDRS: u8 = 32;

/// Longest address carried, in bytes of its binary form.
pub const MAX_ADDR_BYTES: usize = 255;

pub const MAX_PEX_REQUEST_BYTES: usize = 4096;
pub const MAX_PEX_RESPONSE_BYTES: usize = 9 * 1024;

/// Asks for up to `limit` addresses (capped at [`MAX_PEX_ADDRS`] by the server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PexRequest {
    pub limit: u8,
}

/// The answer to a [`PexRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PexResponse {
    /// Multiaddrs in their binary form, each ending in `/p2p/<peer id>`.
    Peers(Vec<Vec<u8>>),
    /// Refused by the rate limit; a request is admitted again after this many milliseconds.
    RateLimited { retry_after_ms: u64 },
}

/// Why a peer-exchange response breaks the protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PexViolation {
    #[error("{got} addresses answer a request for {asked}")]
    TooMany { got: usize, asked: u8 },
    #[error("address {index} is not a multiaddr")]
    BadAddress { index: usize },
    #[error("address {index} does not end in /p2p/<peer id>")]
    NoPeerId { index: usize },
}

impl PexResponse {
    /// The dialable (peer, address) pairs of a `Peers` answer, in order; the first address that
    /// breaks the protocol fails the whole response.
    pub fn peers(&self, asked: u8) -> Result<Vec<(PeerId, Multiaddr)>, PexViolation> {
        let PexResponse::Peers(addrs) = self else {
            return Ok(Vec::new());
        };
        if addrs.len() > usize::from(asked.min(MAX_PEX_ADDRS)) {
            return Err(PexViolation::TooMany { got: addrs.len(), asked });
        }
        addrs
            .iter()
            .enumerate()
            .map(|(index, bytes)| {
                if bytes.len() > MAX_ADDR_BYTES {
                    return Err(PexViolation::BadAddress { index });
                }
                let addr = Multiaddr::try_from(bytes.clone())
                    .map_err(|_| PexViolation::BadAddress { index })?;
                match addr.iter().last() {
                    Some(Protocol::P2p(peer)) => Ok((peer, addr)),
                    _ => Err(PexViolation::NoPeerId { index }),
                }
            })
            .collect()
    }
}

/// Addresses worth handing out: where peers can be dialled. Bounded; served in peer-id order
/// so answers are deterministic.
#[derive(Debug, Clone)]
pub struct AddressBook {
    peers: PeerMap<PeerId, BTreeSet<Multiaddr>>,
    max_peers: usize,
    max_per_peer: usize,
}

impl Default for AddressBook {
    fn default() -> Self {
        AddressBook::new(1024, 4)
    }
}

impl AddressBook {
    pub fn new(max_peers: usize, max_per_peer: usize) -> Self {
        AddressBook { peers: PeerMap::new(), max_peers, max_per_peer }
    }

    /// Records an address of `peer` (a trailing `/p2p/` is stripped and re-added when served).
    /// Returns false if it was known, too long, or the book is full.
    pub fn add(&mut self, peer: PeerId, mut addr: Multiaddr) -> bool {
        if matches!(addr.iter().last(), Some(Protocol::P2p(_))) {
            addr.pop();
        }
        if addr.iter().next().is_none() || dialable(peer, &addr).to_vec().len() > MAX_ADDR_BYTES {
            return false;
        }
        if !self.peers.contains_key(&peer) && self.peers.len() >= self.max_peers {
            return false;
        }
        let addrs = self.peers.get_or_default(peer);
        addrs.len() < self.max_per_peer && addrs.insert(addr)
    }

    /// Forgets a peer's addresses. Returns whether it had any.
    pub fn remove(&mut self, peer: &PeerId) -> bool {
        self.peers.remove(peer).is_some()
    }

    /// Every known address of `peer`.
    pub fn addresses(&self, peer: &PeerId) -> impl Iterator<Item = &Multiaddr> + '_ {
        self.peers.get(peer).into_iter().flatten()
    }

    pub fn len(&self) -> usize {
        self.peers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    /// Up to `limit` (capped at [`MAX_PEX_ADDRS`]) dialable addresses, none of `requester`.
    pub fn select(&self, requester: &PeerId, limit: u8) -> Vec<Multiaddr> {
        self.peers
            .iter()
            .filter(|(peer, _)| *peer != requester)
            .flat_map(|(peer, addrs)| addrs.iter().map(|a| dialable(*peer, a)))
            .take(usize::from(limit.min(MAX_PEX_ADDRS)))
            .collect()
    }
}

fn dialable(peer: PeerId, addr: &Multiaddr) -> Multiaddr {
    addr.clone().with(Protocol::P2p(peer))
}

pub enum PeerExchange {}

impl WireProtocol for PeerExchange {
    const NAME: StreamProtocol = PROTOCOL;
    const MAX_REQUEST: usize = MAX_PEX_REQUEST_BYTES;
    const MAX_RESPONSE: usize = MAX_PEX_RESPONSE_BYTES;
    type Request = PexRequest;
    type Response = PexResponse;
}

pub type PexCodec = BoundedCodec<PeerExchange>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::encode;

    fn peer(n: u8) -> PeerId {
        libp2p::identity::Keypair::ed25519_from_bytes([n; 32]).unwrap().public().to_peer_id()
    }

    #[test]
    fn thirty_two_maximal_addresses_fit_the_response_bound() {
        let response = PexResponse::Peers(vec![vec![0; MAX_ADDR_BYTES]; MAX_PEX_ADDRS.into()]);
        assert_eq!(encode(&response).unwrap().len(), 8_226);
        assert!(encode(&response).unwrap().len() <= MAX_PEX_RESPONSE_BYTES);
    }

    #[test]
    fn the_book_serves_dialable_addresses_in_peer_order_without_the_requester() {
        let mut book = AddressBook::new(3, 2);
        let (a, b, c, d) = (peer(1), peer(2), peer(3), peer(4));
        let addr =
            |port: u16| -> Multiaddr { format!("/ip4/127.0.0.1/tcp/{port}").parse().unwrap() };
        assert!(book.add(a, addr(1)));
        assert!(!book.add(a, addr(1).with(Protocol::P2p(a))), "the same address with /p2p");
        assert!(book.add(a, addr(2)));
        assert!(!book.add(a, addr(3)), "two addresses per peer");
        assert!(book.add(b, addr(4)));
        assert!(book.add(c, addr(5)));
        assert!(!book.add(d, addr(6)), "three peers at most");

        let mut expected = vec![
            (b, addr(4).with(Protocol::P2p(b))),
            (c, addr(5).with(Protocol::P2p(c))),
            (a, addr(1).with(Protocol::P2p(a))),
            (a, addr(2).with(Protocol::P2p(a))),
        ];
        expected.sort_by_key(|(p, _)| *p);
        let served = book.select(&d, 10);
        assert_eq!(served, expected.iter().map(|(_, a)| a.clone()).collect::<Vec<_>>());
        assert!(book.select(&a, 10).iter().all(|m| m.iter().last() != Some(Protocol::P2p(a))));
        assert_eq!(book.select(&d, 1).len(), 1);

        let wire = PexResponse::Peers(served.iter().map(|m| m.to_vec()).collect());
        assert_eq!(wire.peers(10).unwrap(), expected);
    }

    #[test]
    fn addresses_without_a_peer_id_garbage_or_too_many_are_violations() {
        let plain: Multiaddr = "/ip4/127.0.0.1/tcp/1".parse().unwrap();
        assert_eq!(
            PexResponse::Peers(vec![plain.to_vec()]).peers(4),
            Err(PexViolation::NoPeerId { index: 0 })
        );
        assert_eq!(
            PexResponse::Peers(vec![vec![0xff, 0xff, 0xff]]).peers(4),
            Err(PexViolation::BadAddress { index: 0 })
        );
        let one = plain.with(Protocol::P2p(peer(1))).to_vec();
        assert_eq!(
            PexResponse::Peers(vec![one.clone(), one]).peers(1),
            Err(PexViolation::TooMany { got: 2, asked: 1 })
        );
        assert_eq!(PexResponse::RateLimited { retry_after_ms: 5 }.peers(1), Ok(vec![]));
    }
}

//! Property: whatever order connections open, close, get blocked and get trimmed in, the
//! behaviour never holds more than `max_connections`, refuses exactly the connections it
//! should with the right reason, and the engine's view matches the connections that exist.
//! The swarm is simulated by hand so thousands of cases run in a second.
#![cfg(not(target_arch = "wasm32"))]

use std::task::{Context, Poll};

use libp2p::core::{transport::PortUse, ConnectedPoint, Endpoint, Multiaddr};
use libp2p::swarm::behaviour::{ConnectionClosed, ConnectionEstablished};
use libp2p::swarm::{CloseConnection, ConnectionId, FromSwarm, NetworkBehaviour, ToSwarm};
use libp2p::PeerId;
use peerkeeper_core::Millis;
use peerkeeper_net::connection_manager::{Behaviour, Config, ConnectionDenied, ManualClock};
use proptest::prelude::*;

const MAX: usize = 5;
const HIGH: usize = 3;
const PEERS: usize = 6;

#[derive(Debug, Clone)]
enum Op {
    Open { peer: usize, inbound: bool },
    Close { pick: usize },
    Block { peer: usize },
    Unblock { peer: usize },
    Trim,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..PEERS, any::<bool>()).prop_map(|(peer, inbound)| Op::Open { peer, inbound }),
        2 => any::<usize>().prop_map(|pick| Op::Close { pick }),
        1 => (0..PEERS).prop_map(|peer| Op::Block { peer }),
        1 => (0..PEERS).prop_map(|peer| Op::Unblock { peer }),
        1 => Just(Op::Trim),
    ]
}

struct Sim {
    b: Behaviour<ManualClock>,
    clock: ManualClock,
    peers: Vec<PeerId>,
    open: Vec<(ConnectionId, PeerId, ConnectedPoint)>,
    next_id: usize,
}

impl Sim {
    fn new() -> Self {
        let mut config = Config::default();
        config.engine.high_water = HIGH;
        config.engine.low_water = 2;
        config.engine.grace_period = 0;
        config.engine.silence_period = 0;
        config.max_connections = Some(MAX);
        let clock = ManualClock::default();
        let b = Behaviour::with_clock(config, clock.clone()).unwrap();
        let peers = (0..PEERS).map(|_| PeerId::random()).collect();
        Sim { b, clock, peers, open: Vec::new(), next_id: 0 }
    }

    /// What the swarm does: ask the behaviour, and report the connection if it agreed.
    fn open(&mut self, peer: PeerId, inbound: bool) -> Result<(), ConnectionDenied> {
        let id = ConnectionId::new_unchecked(self.next_id);
        self.next_id += 1;
        let addr: Multiaddr = "/memory/1".parse().unwrap();
        let (result, endpoint) = if inbound {
            let r = self.b.handle_established_inbound_connection(id, peer, &addr, &addr);
            (r, ConnectedPoint::Listener { local_addr: addr.clone(), send_back_addr: addr })
        } else {
            let r = self.b.handle_established_outbound_connection(
                id,
                peer,
                &addr,
                Endpoint::Dialer,
                PortUse::Reuse,
            );
            let endpoint = ConnectedPoint::Dialer {
                address: addr,
                role_override: Endpoint::Dialer,
                port_use: PortUse::Reuse,
            };
            (r, endpoint)
        };
        if let Err(denied) = result {
            return Err(denied.downcast::<ConnectionDenied>().expect("typed denial"));
        }
        let other_established = self.open.iter().filter(|(_, p, _)| *p == peer).count();
        self.b.on_swarm_event(FromSwarm::ConnectionEstablished(ConnectionEstablished {
            peer_id: peer,
            connection_id: id,
            endpoint: &endpoint,
            failed_addresses: &[],
            other_established,
        }));
        self.open.push((id, peer, endpoint));
        Ok(())
    }

    fn close(&mut self, index: usize) {
        let (id, peer, endpoint) = self.open.remove(index);
        let remaining = self.open.iter().filter(|(_, p, _)| *p == peer).count();
        self.b.on_swarm_event(FromSwarm::ConnectionClosed(ConnectionClosed {
            peer_id: peer,
            connection_id: id,
            endpoint: &endpoint,
            cause: None,
            remaining_established: remaining,
        }));
    }

    /// Polls the behaviour until pending, carrying out every close it asks for.
    fn drain(&mut self) {
        let mut cx = Context::from_waker(futures::task::noop_waker_ref());
        while let Poll::Ready(out) = self.b.poll(&mut cx) {
            if let ToSwarm::CloseConnection { peer_id, connection: CloseConnection::All } = out {
                while let Some(i) = self.open.iter().position(|(_, p, _)| *p == peer_id) {
                    self.close(i);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_limit_and_the_block_list_hold_and_the_engine_sees_every_connection(
        ops in prop::collection::vec(op(), 1..80)
    ) {
        let mut sim = Sim::new();
        for (t, op) in ops.into_iter().enumerate() {
            sim.clock.set(t as Millis);
            match op {
                Op::Open { peer, inbound } => {
                    let peer = sim.peers[peer];
                    let blocked = sim.b.blocked_peers().any(|p| *p == peer);
                    let full = sim.open.len() >= MAX;
                    let expected = if blocked {
                        Err(ConnectionDenied::Blocked { peer })
                    } else if full {
                        Err(ConnectionDenied::LimitReached { limit: MAX, established: MAX })
                    } else {
                        Ok(())
                    };
                    prop_assert_eq!(sim.open(peer, inbound), expected);
                }
                Op::Close { pick } => {
                    if !sim.open.is_empty() {
                        let i = pick % sim.open.len();
                        sim.close(i);
                    }
                }
                Op::Block { peer } => {
                    let peer = sim.peers[peer];
                    let was = sim.b.blocked_peers().any(|p| *p == peer);
                    prop_assert_eq!(sim.b.block_peer(peer), !was);
                }
                Op::Unblock { peer } => {
                    let peer = sim.peers[peer];
                    let was = sim.b.blocked_peers().any(|p| *p == peer);
                    prop_assert_eq!(sim.b.unblock_peer(&peer), was);
                }
                Op::Trim => sim.b.trim(),
            }
            sim.drain();

            prop_assert!(sim.open.len() <= MAX);
            prop_assert_eq!(sim.b.established_connections(), sim.open.len());
            for peer in &sim.peers {
                let open = sim.open.iter().filter(|(_, p, _)| p == peer).count();
                prop_assert_eq!(sim.b.manager().connection_count(peer), open);
                if sim.b.blocked_peers().any(|p| p == peer) {
                    prop_assert_eq!(open, 0, "a blocked peer kept a connection");
                }
            }
            // No grace, no silence, no protection: every trim reaches its target at once.
            prop_assert!(sim.b.manager().connected_count() <= HIGH);
        }
    }
}

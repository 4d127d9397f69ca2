//! The connection manager holds the engine's redials at the high water (they count as failed,
//! so the peer backs off) and tells the app why it closes a peer before closing it. The swarm
//! is simulated by hand on an injected clock.
#![cfg(not(target_arch = "wasm32"))]

use std::task::{Context, Poll};

use libp2p::core::{transport::PortUse, ConnectedPoint, Endpoint, Multiaddr};
use libp2p::swarm::behaviour::{ConnectionClosed, ConnectionEstablished};
use libp2p::swarm::{ConnectionId, FromSwarm, NetworkBehaviour, ToSwarm};
use libp2p::PeerId;
use peerkeeper_core::{DisconnectReason, Event as EngineEvent};
use peerkeeper_net::connection_manager::{Behaviour, Config, Event, ManualClock};

struct Sim {
    b: Behaviour<ManualClock>,
    clock: ManualClock,
    next_id: usize,
    open: Vec<(ConnectionId, PeerId)>,
}

fn dialer() -> ConnectedPoint {
    ConnectedPoint::Dialer {
        address: "/memory/1".parse::<Multiaddr>().unwrap(),
        role_override: Endpoint::Dialer,
        port_use: PortUse::Reuse,
    }
}

impl Sim {
    fn new(hold: bool) -> Self {
        let mut config = Config::default();
        config.engine.high_water = 2;
        config.engine.low_water = 1;
        config.engine.grace_period = 0;
        config.engine.silence_period = 0;
        config.engine.track_lifecycle = true;
        config.engine.backoff.initial_backoff = 1_000;
        config.engine.backoff.max_backoff = 8_000;
        config.hold_dials_at_high_water = hold;
        let clock = ManualClock::default();
        let b = Behaviour::with_clock(config, clock.clone()).unwrap();
        Sim { b, clock, next_id: 0, open: Vec::new() }
    }

    fn connect(&mut self, peer: PeerId) {
        let id = ConnectionId::new_unchecked(self.next_id);
        self.next_id += 1;
        let addr: Multiaddr = "/memory/1".parse().unwrap();
        self.b
            .handle_established_outbound_connection(
                id,
                peer,
                &addr,
                Endpoint::Dialer,
                PortUse::Reuse,
            )
            .unwrap();
        self.b.on_swarm_event(FromSwarm::ConnectionEstablished(ConnectionEstablished {
            peer_id: peer,
            connection_id: id,
            endpoint: &dialer(),
            failed_addresses: &[],
            other_established: 0,
        }));
        self.open.push((id, peer));
    }

    fn close(&mut self, peer: PeerId) {
        let i = self.open.iter().position(|(_, p)| *p == peer).unwrap();
        let (id, _) = self.open.remove(i);
        self.b.on_swarm_event(FromSwarm::ConnectionClosed(ConnectionClosed {
            peer_id: peer,
            connection_id: id,
            endpoint: &dialer(),
            cause: None,
            remaining_established: 0,
        }));
    }

    /// Everything the behaviour wants now: dials (by peer), closes, and the app events.
    fn drain(&mut self) -> (Vec<PeerId>, Vec<PeerId>, Vec<Event>) {
        let (mut dials, mut closes, mut events) = (Vec::new(), Vec::new(), Vec::new());
        let mut cx = Context::from_waker(futures::task::noop_waker_ref());
        while let Poll::Ready(out) = self.b.poll(&mut cx) {
            match out {
                ToSwarm::Dial { opts } => dials.push(opts.get_peer_id().unwrap()),
                ToSwarm::CloseConnection { peer_id, .. } => closes.push(peer_id),
                ToSwarm::GenerateEvent(e) => events.push(e),
                _ => {}
            }
        }
        (dials, closes, events)
    }
}

fn scheduled(events: &[Event], peer: PeerId) -> Vec<(u64, u64, u32)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Engine(EngineEvent::DialScheduled {
                peer: p, due, backoff, failures, ..
            }) if *p == peer => Some((*due, *backoff, *failures)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_redial_due_at_the_high_water_opens_no_socket_and_backs_off_until_a_slot_frees() {
    let mut sim = Sim::new(true);
    let (a, b, c) = (PeerId::random(), PeerId::random(), PeerId::random());
    sim.connect(a);
    sim.connect(b);
    sim.drain();

    sim.b.manager_mut().add_peer(&c, 0);
    let (dials, _, events) = sim.drain();
    assert_eq!(dials, vec![], "no dial past the high water");
    assert_eq!(scheduled(&events, c), vec![(1_000, 1_000, 1)]);

    // Still full when it comes due: held again, the wait doubles.
    sim.clock.set(1_000);
    let (dials, _, events) = sim.drain();
    assert_eq!(dials, vec![]);
    assert_eq!(scheduled(&events, c), vec![(3_000, 2_000, 2)]);

    // A slot frees; the next due redial goes out.
    sim.close(b);
    let (_, _, events) = sim.drain();
    assert_eq!(scheduled(&events, b), vec![(1_000 + 1_000, 1_000, 1)]);
    sim.clock.set(1_999);
    assert_eq!(sim.drain().0, vec![]);
    sim.clock.set(2_000);
    assert_eq!(sim.drain().0, vec![b], "b's redial takes the free slot");
    // c is due at 3 000 but b's dial is in flight: with a connected and b dialling we are full.
    sim.clock.set(3_000);
    let (dials, _, events) = sim.drain();
    assert_eq!(dials, vec![]);
    assert_eq!(scheduled(&events, c), vec![(7_000, 4_000, 3)]);
}

#[test]
fn without_the_hold_a_due_redial_is_dialled_at_any_count() {
    let mut sim = Sim::new(false);
    let (a, b, c) = (PeerId::random(), PeerId::random(), PeerId::random());
    sim.connect(a);
    sim.connect(b);
    sim.drain();
    sim.b.manager_mut().add_peer(&c, 0);
    assert_eq!(sim.drain().0, vec![c]);
}

#[test]
fn the_app_hears_why_a_peer_is_closed_before_the_close() {
    let mut sim = Sim::new(true);
    let (a, b, c) = (PeerId::random(), PeerId::random(), PeerId::random());
    sim.connect(a);
    sim.connect(b);
    sim.drain();
    sim.clock.set(10);
    sim.connect(c);
    let (_, closes, events) = sim.drain();
    assert_eq!(closes.len(), 2, "trimmed from 3 to the low water of 1");
    let closing: Vec<(PeerId, DisconnectReason)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Closing { peer, reason } => Some((*peer, *reason)),
            _ => None,
        })
        .collect();
    assert_eq!(
        closing,
        closes.iter().map(|p| (*p, DisconnectReason::TooManyPeers)).collect::<Vec<_>>()
    );
}

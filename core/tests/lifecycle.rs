//! The seed 003 peer lifecycle with its timeouts and 8-hour removal, on the injected clock.

use peerkeeper_core::lifecycle::{
    Lifecycle, LifecycleConfig, LifecycleError, LifecycleEvent, PeerState, TimeoutKind,
};
use peerkeeper_core::DisconnectReason;

const HOUR: u64 = 3_600_000;

fn lifecycle() -> Lifecycle<&'static str> {
    Lifecycle::new(LifecycleConfig::default()).unwrap()
}

#[test]
fn defaults_are_the_seed_constants() {
    let c = LifecycleConfig::default();
    assert_eq!((c.connect_timeout, c.handshake_timeout, c.forget_after), (5_000, 10_000, 8 * HOUR));
}

#[test]
fn a_connect_that_takes_5_s_times_out_to_disconnected_with_a_reason() {
    let mut l = lifecycle();
    l.dialing("p", 1_000).unwrap();
    assert_eq!(l.state(&"p"), Some(PeerState::Connect));
    assert_eq!(l.next_deadline(), Some(6_000));
    assert_eq!(l.handle_timeout(5_999), vec![]);
    assert_eq!(
        l.handle_timeout(6_000),
        vec![LifecycleEvent::TimedOut {
            peer: "p",
            from: PeerState::Connect,
            timeout: TimeoutKind::Connect,
            reason: DisconnectReason::IoError
        }]
    );
    assert_eq!(l.state(&"p"), Some(PeerState::Disconnected));
    assert_eq!(l.last_disconnect_reason(&"p"), Some(DisconnectReason::IoError));
}

#[test]
fn a_handshake_that_takes_10_s_times_out() {
    let mut l = lifecycle();
    l.dialing("p", 0).unwrap();
    l.connected("p", 4_999).unwrap();
    assert_eq!(l.state(&"p"), Some(PeerState::Handshake));
    assert_eq!(l.handle_timeout(14_998), vec![]);
    assert_eq!(
        l.handle_timeout(14_999),
        vec![LifecycleEvent::TimedOut {
            peer: "p",
            from: PeerState::Handshake,
            timeout: TimeoutKind::Handshake,
            reason: DisconnectReason::IoError
        }]
    );
}

#[test]
fn a_timely_handshake_makes_the_peer_active_and_syncing_still_counts_as_active() {
    let mut l = lifecycle();
    l.connected("in", 0).unwrap(); // inbound: straight to handshake
    l.handshake_completed(&"in", 9_999).unwrap();
    assert_eq!(l.state(&"in"), Some(PeerState::Active));
    assert_eq!(l.handle_timeout(100_000), vec![]);
    l.sync_started(&"in", 100_000).unwrap();
    assert_eq!(l.state(&"in"), Some(PeerState::Syncing));
    assert_eq!(l.active_count(), 1);
    l.sync_finished(&"in", 100_001).unwrap();
    assert_eq!(l.active_count(), 1);
    l.disconnected(&"in", DisconnectReason::InboundDisconnect, 100_002).unwrap();
    assert_eq!(l.active_count(), 0);
    assert_eq!(l.count(PeerState::Disconnected), 1);
}

#[test]
fn transitions_the_seed_does_not_have_are_refused_and_change_nothing() {
    let mut l = lifecycle();
    l.add("p", 0);
    assert_eq!(
        l.handshake_completed(&"p", 1),
        Err(LifecycleError::InvalidTransition {
            from: PeerState::Disconnected,
            to: PeerState::Active
        })
    );
    l.banned("p", 2);
    assert_eq!(
        l.dialing("p", 3),
        Err(LifecycleError::InvalidTransition { from: PeerState::Banned, to: PeerState::Connect })
    );
    assert_eq!(
        l.connected("p", 3),
        Err(LifecycleError::InvalidTransition {
            from: PeerState::Banned,
            to: PeerState::Handshake
        })
    );
    assert_eq!(l.state(&"p"), Some(PeerState::Banned));
    assert_eq!(l.sync_started(&"nobody", 0), Err(LifecycleError::UnknownPeer));
}

#[test]
fn disconnecting_twice_or_while_banned_is_harmless() {
    let mut l = lifecycle();
    l.connected("p", 0).unwrap();
    l.disconnected(&"p", DisconnectReason::TooManyPeers, 1).unwrap();
    l.disconnected(&"p", DisconnectReason::Unknown, 2).unwrap();
    assert_eq!(l.last_disconnect_reason(&"p"), Some(DisconnectReason::TooManyPeers));
    l.banned("p", 3);
    l.disconnected(&"p", DisconnectReason::Unknown, 4).unwrap();
    assert_eq!(l.state(&"p"), Some(PeerState::Banned));
    assert_eq!(
        l.disconnected(&"x", DisconnectReason::Unknown, 4),
        Err(LifecycleError::UnknownPeer)
    );
}

#[test]
fn a_peer_that_never_responds_is_forgotten_after_8_hours_even_while_redialled() {
    let mut l = lifecycle();
    l.add("p", 0);
    for h in 1..8 {
        l.dialing("p", h * HOUR).unwrap();
        l.handle_timeout(h * HOUR + 5_000);
    }
    assert_eq!(l.next_deadline(), Some(8 * HOUR));
    assert_eq!(l.handle_timeout(8 * HOUR - 1), vec![]);
    assert_eq!(
        l.handle_timeout(8 * HOUR),
        vec![LifecycleEvent::Forgotten { peer: "p", last_responsive: 0 }]
    );
    assert_eq!(l.state(&"p"), None);
    assert!(l.is_empty());
    assert_eq!(l.count(PeerState::Disconnected), 0);
}

#[test]
fn responding_restarts_the_8_hours() {
    let mut l = lifecycle();
    l.add("p", 0);
    l.connected("p", HOUR).unwrap();
    l.handshake_completed(&"p", HOUR + 10).unwrap();
    l.message_received(&"p", 2 * HOUR);
    // Connected peers are never forgotten, however long.
    assert_eq!(l.handle_timeout(20 * HOUR), vec![]);
    l.disconnected(&"p", DisconnectReason::IoError, 21 * HOUR).unwrap();
    // Last response at 2 h: already more than 8 h ago, so the next tick forgets it.
    assert_eq!(l.next_deadline(), Some(10 * HOUR));
    assert!(matches!(
        l.handle_timeout(21 * HOUR)[..],
        [LifecycleEvent::Forgotten { last_responsive, .. }] if last_responsive == 2 * HOUR
    ));
}

#[test]
fn a_banned_peer_is_not_forgotten_and_returns_to_disconnected_when_unbanned() {
    let mut l = lifecycle();
    l.connected("p", 0).unwrap();
    l.handshake_completed(&"p", 1).unwrap();
    l.banned("p", 2);
    assert_eq!(l.state(&"p"), Some(PeerState::Banned));
    assert_eq!(l.next_deadline(), None);
    l.unbanned(&"p", HOUR + 2).unwrap();
    assert_eq!(l.state(&"p"), Some(PeerState::Disconnected));
    assert_eq!(l.next_deadline(), Some(8 * HOUR + 1));
    assert_eq!(
        l.unbanned(&"p", HOUR + 3),
        Err(LifecycleError::InvalidTransition {
            from: PeerState::Disconnected,
            to: PeerState::Disconnected
        })
    );
}

#[test]
fn config_validation_names_the_field() {
    let bad = |c: LifecycleConfig| Lifecycle::<u32>::new(c).unwrap_err().field();
    let d = LifecycleConfig::default;
    assert_eq!(bad(LifecycleConfig { connect_timeout: 0, ..d() }), "connect_timeout");
    assert_eq!(bad(LifecycleConfig { handshake_timeout: 0, ..d() }), "handshake_timeout");
    assert_eq!(bad(LifecycleConfig { forget_after: 0, ..d() }), "forget_after");
}

#[test]
fn state_round_trips_through_json_and_events_are_tagged() {
    let mut l: Lifecycle<String> = Lifecycle::new(LifecycleConfig::default()).unwrap();
    l.dialing("a".into(), 0).unwrap();
    l.add("b".into(), 0);
    let back: Lifecycle<String> =
        serde_json::from_str(&serde_json::to_string(&l).unwrap()).unwrap();
    assert_eq!(back.state(&"a".into()), Some(PeerState::Connect));
    assert_eq!(back.next_deadline(), Some(5_000));
    assert_eq!(back.count(PeerState::Disconnected), 1);
    let ev = LifecycleEvent::Forgotten { peer: "a", last_responsive: 1 };
    assert_eq!(
        serde_json::to_value(ev).unwrap(),
        serde_json::json!({"type": "forgotten", "peer": "a", "last_responsive": 1})
    );
}

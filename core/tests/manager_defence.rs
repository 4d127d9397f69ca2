//! Issue 5 end to end through the facade: strikes and soft bans, lifecycle timeouts, dials with
//! backoff, the isolation reset, the benchlist, blocklists across epochs, rate limits and
//! health, all driven through `PeerManager` on the injected clock.

use peerkeeper_core::blocklist::{BlockResult, ProbeOutcome, Role, TransportFailure};
use peerkeeper_core::lifecycle::{PeerState, TimeoutKind};
use peerkeeper_core::rate_limit::{RateDecision, ThrottleDecision, UpgradeDecision};
use peerkeeper_core::strikes::{StrikeKind, StrikeOutcome};
use peerkeeper_core::{
    Command, Config, ConnId, DenialReason, Direction, DisconnectReason, Event, Millis, PeerManager,
    UnblockCause,
};

type P = &'static str;

#[path = "common/timed_host.rs"]
mod timed_host;

type Host = timed_host::Host<P>;

impl Host {
    fn new(config: Config) -> Self {
        Host::around(PeerManager::new(config).unwrap())
    }

    fn tracking() -> Self {
        Host::new(Config { track_lifecycle: true, ..Config::default() })
    }

    fn dials(&self) -> Vec<(Millis, P)> {
        self.commands
            .iter()
            .filter_map(|(t, c)| match c {
                Command::Dial { peer } => Some((*t, *peer)),
                _ => None,
            })
            .collect()
    }
}

fn changed(peer: P, from: Option<PeerState>, to: PeerState, at: Millis) -> Event<P> {
    Event::LifecycleChanged { peer, from, to, at }
}

/// "a" dialled at 0, connected at 100, active at 200; "b" inbound and active, so the node is
/// never isolated. Then ten deserialization strikes on "a" at 1000..=1009.
fn spam_a_until_banned() -> Host {
    let mut h = Host::tracking();
    h.connect("b", Direction::Inbound);
    assert!(h.pm.handshake_completed(&"b", 0));
    assert!(h.pm.add_peer(&"a", 0));
    h.drain();
    h.advance_to(100);
    h.connect("a", Direction::Outbound);
    h.advance_to(200);
    assert!(h.pm.handshake_completed(&"a", 200));
    h.drain();
    for i in 0..9 {
        h.advance_to(1_000 + i);
        let out = h.pm.strike(&"a", StrikeKind::Deserialization, h.now);
        assert!(matches!(out, StrikeOutcome::Counted { strikes, .. } if strikes == i as u32 + 1));
        h.drain();
    }
    assert_eq!(h.pm.strikes(&"a"), 9);
    assert_eq!(h.pm.peer_state(&"a"), Some(PeerState::Active), "the 9th strike does not ban");
    h.take_events();
    h.advance_to(1_009);
    h.pm.strike(&"a", StrikeKind::Deserialization, 1_009);
    h.drain();
    h
}

#[test]
fn the_tenth_strike_bans_disconnects_and_no_dial_happens_until_expiry_plus_backoff() {
    let mut h = spam_a_until_banned();
    let reason = "spam strike threshold exceeded".to_string();
    assert_eq!(
        h.take_events(),
        vec![
            Event::Struck {
                peer: "a",
                kind: StrikeKind::Deserialization,
                counted: true,
                strikes: 10,
                threshold: 10,
                at: 1_009
            },
            Event::SoftBanned { peer: "a", reason: reason.clone(), until: 3_601_009, at: 1_009 },
            changed("a", Some(PeerState::Active), PeerState::Banned, 1_009),
            Event::Disconnected { peer: "a", conn: ConnId(2), connections: 0, at: 1_009 },
        ]
    );
    assert_eq!(
        h.take_commands().last(),
        Some(&(1_009, Command::Disconnect { peer: "a", reason: DisconnectReason::Banned }))
    );
    assert_eq!(
        h.pm.defence_denial(&"a", 1_009),
        Some(DenialReason::SoftBanned { until: 3_601_009, reason: reason.clone() })
    );
    assert_eq!(h.pm.poll_timeout(), Some(3_601_009), "nothing wakes before the ban expires");

    h.advance_to(3_601_009);
    // The 909 ms connection was not stable: its drop doubled the wait to 60 s, which applies
    // from the expiry. The peer book's one-hour retention of the departed peer's tags happens
    // to end at the same instant.
    assert_eq!(
        h.take_events(),
        vec![
            Event::BanExpired { peer: "a", since: 1_009, reason, at: 3_601_009 },
            changed("a", Some(PeerState::Banned), PeerState::Disconnected, 3_601_009),
            Event::DialScheduled {
                peer: "a",
                due: 3_661_009,
                backoff: 60_000,
                failures: 1,
                at: 3_601_009
            },
            Event::PeerForgotten { peer: "a", at: 3_601_009 },
        ]
    );
    assert!(h.take_commands().is_empty(), "no dial while banned or at the expiry itself");
    assert_eq!(h.pm.defence_denial(&"a", 3_601_009), None);

    h.advance_to(3_661_009);
    assert_eq!(h.take_commands(), vec![(3_661_009, Command::Dial { peer: "a" })]);
    assert_eq!(
        h.take_events(),
        vec![changed("a", Some(PeerState::Disconnected), PeerState::Connect, 3_661_009)]
    );
}

#[test]
fn a_banned_peer_that_connects_anyway_is_closed_again() {
    let mut h = spam_a_until_banned();
    h.take_commands();
    h.advance_to(2_000);
    h.connect("a", Direction::Inbound);
    assert_eq!(
        h.take_commands(),
        vec![(2_000, Command::Disconnect { peer: "a", reason: DisconnectReason::Banned })]
    );
    assert_eq!(h.pm.peer_state(&"a"), Some(PeerState::Banned));
    assert!(!h.pm.is_connected(&"a"));
}

#[test]
fn a_valid_packet_resets_the_strike_counter_with_an_event() {
    let mut h = Host::new(Config::default());
    h.pm.strike(&"a", StrikeKind::ProtocolViolation, 10);
    h.pm.strike(&"a", StrikeKind::DuplicateBlock, 11);
    h.pm.valid_packet(&"a", 12);
    h.drain();
    assert_eq!(
        h.take_events(),
        vec![
            Event::Struck {
                peer: "a",
                kind: StrikeKind::ProtocolViolation,
                counted: true,
                strikes: 1,
                threshold: 10,
                at: 10
            },
            Event::Struck {
                peer: "a",
                kind: StrikeKind::DuplicateBlock,
                counted: false,
                strikes: 1,
                threshold: 10,
                at: 11
            },
            Event::StrikesReset { peer: "a", cleared: 1, at: 12 },
        ]
    );
    assert_eq!(h.pm.strikes(&"a"), 0);
}

#[test]
fn the_isolation_reset_fires_at_exactly_60_000_ms_and_redials_the_waiting_peer() {
    let mut h = Host::tracking();
    h.pm.add_peer(&"a", 0);
    h.drain();
    assert!(h.pm.dial_failed(&"a", 0));
    h.drain();
    h.advance_to(30_000);
    assert!(h.pm.dial_failed(&"a", 30_000));
    h.drain();
    h.advance_to(59_999);
    assert!(!h.events.iter().any(|e| matches!(e, Event::IsolationReset { .. })));
    h.advance_to(60_000);
    let resets: Vec<_> =
        h.events.iter().filter(|e| matches!(e, Event::IsolationReset { .. })).collect();
    assert_eq!(
        resets,
        vec![&Event::IsolationReset { isolated_since: 0, redialled: vec!["a"], at: 60_000 }]
    );
    // Without the reset the second failure's 60 s wait would have dialled at 90 000.
    assert_eq!(h.dials(), vec![(0, "a"), (30_000, "a"), (60_000, "a")]);
}

#[test]
fn a_connect_timeout_abandons_the_dial_and_counts_as_a_failure() {
    let mut h = Host::tracking();
    h.connect("b", Direction::Inbound);
    h.pm.handshake_completed(&"b", 0);
    h.pm.add_peer(&"a", 0);
    h.drain();
    h.take_events();
    h.take_commands();
    h.advance_to(5_000);
    assert_eq!(
        h.take_commands(),
        vec![(5_000, Command::Disconnect { peer: "a", reason: DisconnectReason::IoError })]
    );
    assert_eq!(
        h.take_events(),
        vec![
            Event::LifecycleTimedOut {
                peer: "a",
                from: PeerState::Connect,
                timeout: TimeoutKind::Connect,
                at: 5_000
            },
            changed("a", Some(PeerState::Connect), PeerState::Disconnected, 5_000),
            Event::DialScheduled {
                peer: "a",
                due: 35_000,
                backoff: 30_000,
                failures: 1,
                at: 5_000
            },
        ]
    );
    assert!(!h.pm.dial_failed(&"a", 5_001), "the facade already counted it");
    assert_eq!(h.pm.dials_in_flight(), 0);
    h.advance_to(35_000);
    assert_eq!(h.take_commands(), vec![(35_000, Command::Dial { peer: "a" })]);
}

#[test]
fn a_handshake_timeout_closes_the_connection_and_backs_off() {
    let mut h = Host::tracking();
    h.connect("x", Direction::Inbound);
    h.take_events();
    h.advance_to(10_000);
    assert_eq!(
        h.take_commands(),
        vec![(10_000, Command::Disconnect { peer: "x", reason: DisconnectReason::IoError })]
    );
    let events = h.take_events();
    assert_eq!(
        events[0],
        Event::LifecycleTimedOut {
            peer: "x",
            from: PeerState::Handshake,
            timeout: TimeoutKind::Handshake,
            at: 10_000
        }
    );
    assert!(events.contains(&Event::DialScheduled {
        peer: "x",
        due: 40_000,
        backoff: 30_000,
        failures: 1,
        at: 10_000
    }));
}

#[test]
fn without_lifecycle_tracking_connections_start_no_timers_and_no_dials() {
    let mut h = Host::new(Config::default());
    h.connect("x", Direction::Inbound);
    assert!(!h.pm.add_peer(&"y", 0));
    assert!(!h.pm.handshake_completed(&"x", 0));
    assert_eq!(h.pm.poll_timeout(), None);
    assert_eq!(h.pm.peer_state(&"x"), None);
}

#[test]
fn a_blocked_backup_is_carried_into_the_next_epoch_probed_and_redialled_when_the_probe_passes() {
    let mut h = Host::tracking();
    h.connect("keep", Direction::Inbound);
    h.pm.handshake_completed(&"keep", 0);
    h.pm.epoch_transition([("p", Role::Primary), ("b", Role::Backup)], 0);
    h.pm.add_peer(&"b", 0);
    h.drain();
    h.advance_to(100);
    h.connect("b", Direction::Outbound);
    h.take_events();
    h.take_commands();

    assert_eq!(h.pm.block(&"b", "stale responses", 1_000), BlockResult::Blocked);
    h.now = 1_000;
    h.drain();
    assert_eq!(
        h.take_commands(),
        vec![(1_000, Command::Disconnect { peer: "b", reason: DisconnectReason::Banned })]
    );
    let events = h.take_events();
    assert_eq!(
        events[..2],
        [
            Event::Blocked {
                peer: "b",
                role: Role::Backup,
                reason: "stale responses".into(),
                at: 1_000
            },
            changed("b", Some(PeerState::Handshake), PeerState::Banned, 1_000),
        ]
    );
    assert_eq!(
        h.pm.defence_denial(&"b", 1_000),
        Some(DenialReason::Blocked { reason: "stale responses".into() })
    );

    h.advance_to(2_000);
    assert_eq!(h.pm.epoch_transition([("b", Role::Primary)], 2_000), 2);
    h.drain();
    assert_eq!(h.take_commands(), vec![(2_000, Command::Probe { peer: "b" })]);
    assert_eq!(
        h.take_events(),
        vec![Event::EpochTransitioned {
            epoch: 2,
            reblocked: vec![("b", Role::Primary)],
            dropped: vec![],
            at: 2_000
        }]
    );
    assert!(h.pm.is_blocked(&"b"));
    assert_eq!(h.pm.probe_result(&"b", true, 2_500), ProbeOutcome::Unblocked);
    h.now = 2_500;
    h.drain();
    // The 900 ms connection doubled the wait to 60 s; the probe lifts the block and the
    // ban-style hold, and normal backoff resumes.
    assert_eq!(
        h.take_events(),
        vec![
            Event::Unblocked { peer: "b", cause: UnblockCause::Probe, at: 2_500 },
            changed("b", Some(PeerState::Banned), PeerState::Disconnected, 2_500),
            Event::DialScheduled {
                peer: "b",
                due: 62_500,
                backoff: 60_000,
                failures: 1,
                at: 2_500
            },
        ]
    );
    h.advance_to(62_500);
    assert_eq!(h.take_commands(), vec![(62_500, Command::Dial { peer: "b" })]);
}

#[test]
fn a_failing_peer_is_benched_and_unbenched_after_five_minutes() {
    let mut h = Host::new(Config::default());
    for p in ["b", "c", "d"] {
        h.pm.register_response(&p, 0);
    }
    h.pm.register_failure(&"a", 1_000);
    h.drain();
    assert!(h.pm.is_benched(&"a"));
    assert_eq!(
        h.take_events(),
        vec![Event::Benched { peer: "a", failure_probability: 1.0, until: 301_000, at: 1_000 }]
    );
    assert_eq!(h.pm.poll_timeout(), Some(301_000));
    h.advance_to(301_000);
    assert!(!h.pm.is_benched(&"a"));
    assert_eq!(
        h.take_events(),
        vec![Event::Unbenched {
            peer: "a",
            failure_probability: 1.0,
            cause: peerkeeper_core::benchlist::UnbenchCause::Expired,
            at: 301_000
        }]
    );
}

#[test]
fn rate_limits_answer_at_and_just_past_their_limits() {
    let mut pm: PeerManager<P> = PeerManager::new(Config::default()).unwrap();
    for t in [0, 1_000, 2_000] {
        assert_eq!(pm.peer_exchange_request(&"a", t), RateDecision::Allow);
    }
    assert_eq!(pm.peer_exchange_request(&"a", 3_000), RateDecision::Deny { retry_at: 300_000 });
    assert_eq!(pm.peer_exchange_request(&"a", 300_000), RateDecision::Allow);

    let ip = "10.0.0.1".parse().unwrap();
    assert_eq!(pm.should_upgrade(ip, 300_000), UpgradeDecision::Allow);
    assert_eq!(pm.should_upgrade(ip, 309_999), UpgradeDecision::DenyIp { retry_at: 310_000 });
    assert_eq!(pm.should_upgrade(ip, 310_000), UpgradeDecision::Allow);

    assert_eq!(pm.inbound_message(&"a", 2 * 1024 * 1024, 310_000), ThrottleDecision::Allow);
    assert_eq!(
        pm.inbound_message(&"a", 512 * 1024, 310_000),
        ThrottleDecision::DelayUntil { at: 311_000 }
    );
}

#[test]
fn health_reports_connected_peers_and_message_times_from_the_facade() {
    let mut h = Host::new(Config::default());
    h.connect("a", Direction::Inbound);
    h.pm.inbound_message(&"a", 10, 1_000);
    h.pm.message_sent(1_200);
    let report = serde_json::to_value(h.pm.health(2_000)).unwrap();
    assert_eq!(report["healthy"], true);
    let message = &report["checks"]["network"]["message"];
    assert_eq!(message["connectedPeers"], 1);
    assert_eq!(message["timeSinceLastMsgReceived"], "1s");
    assert_eq!(message["timeSinceLastMsgSent"], "800ms");
}

#[test]
fn a_bad_section_value_is_refused_at_construction_naming_the_nested_field() {
    let mut config = Config::default();
    config.backoff.max_backoff = 1_000;
    let err = PeerManager::<P>::new(config).err().unwrap();
    assert_eq!(err.path(), "backoff.max_backoff");
    assert!(err.to_string().starts_with("invalid config field `backoff.max_backoff`"));
}

#[test]
fn new_commands_and_events_serialize_with_snake_case_tags() {
    assert_eq!(
        serde_json::to_value(Command::Dial { peer: "a" }).unwrap(),
        serde_json::json!({"type": "dial", "peer": "a"})
    );
    assert_eq!(
        serde_json::to_value(Event::SoftBanned { peer: "a", reason: "r".into(), until: 5, at: 1 })
            .unwrap(),
        serde_json::json!({"type": "soft_banned", "peer": "a", "reason": "r", "until": 5, "at": 1})
    );
    assert_eq!(
        serde_json::to_value(changed("a", None, PeerState::Disconnected, 0)).unwrap(),
        serde_json::json!({"type": "lifecycle_changed", "peer": "a", "from": null, "to": "disconnected", "at": 0})
    );
}

#[test]
fn a_block_dropped_at_an_epoch_lifts_and_dialling_resumes() {
    let mut h = Host::tracking();
    h.connect("keep", Direction::Inbound);
    h.pm.handshake_completed(&"keep", 0);
    h.pm.add_peer(&"x", 0);
    h.drain();
    assert!(h.pm.dial_failed(&"x", 0));
    h.pm.block(&"x", "bad answers", 0);
    h.drain();
    h.take_events();
    h.take_commands();
    h.advance_to(100_000);
    assert!(h.take_commands().is_empty(), "no dial while blocked, however long");
    h.pm.epoch_transition([("keep", Role::Primary)], 100_000);
    h.drain();
    assert_eq!(
        h.take_events(),
        vec![
            Event::EpochTransitioned {
                epoch: 1,
                reblocked: vec![],
                dropped: vec!["x"],
                at: 100_000
            },
            Event::Unblocked { peer: "x", cause: UnblockCause::DroppedAtEpoch, at: 100_000 },
            changed("x", Some(PeerState::Banned), PeerState::Disconnected, 100_000),
            Event::DialScheduled {
                peer: "x",
                due: 160_000,
                backoff: 60_000,
                failures: 1,
                at: 100_000
            },
        ]
    );
    assert!(h.take_commands().is_empty(), "nothing was re-blocked, so nothing to probe");
}

#[test]
fn transport_failures_disable_a_peer_but_application_errors_do_not_count() {
    let mut h = Host::new(Config::default());
    h.pm.epoch_transition([("s", Role::Backup)], 0);
    assert!(!h.pm.transport_failure(&"s", TransportFailure::Dial, 1));
    h.pm.application_error(&"s", 503, 2);
    assert!(h.pm.is_healthy(&"s"), "a 5xx proves the transport works");
    assert!(!h.pm.transport_failure(&"s", TransportFailure::Tls, 3));
    assert!(!h.pm.transport_failure(&"s", TransportFailure::Reset, 4));
    assert!(h.pm.transport_failure(&"s", TransportFailure::Reset, 5), "third in a row");
    h.drain();
    assert_eq!(
        h.take_events(),
        vec![
            Event::EpochTransitioned { epoch: 1, reblocked: vec![], dropped: vec![], at: 0 },
            Event::PeerDisabled { peer: "s", at: 5 },
        ]
    );
    // A lucky probe does not revive a disabled peer.
    h.pm.block(&"s", "disabled", 6);
    h.pm.epoch_transition([("s", Role::Backup)], 7);
    assert_eq!(h.pm.probe_result(&"s", true, 8), ProbeOutcome::StillBlockedDisabled);
    assert!(h.pm.is_blocked(&"s"));
}

#[test]
fn sync_moves_the_lifecycle_and_a_silent_peer_is_removed_after_eight_hours() {
    let mut h = Host::tracking();
    h.connect("s", Direction::Inbound);
    assert!(h.pm.handshake_completed(&"s", 0));
    assert!(h.pm.sync_started(&"s", 10));
    assert!(!h.pm.sync_started(&"s", 11), "already syncing");
    assert!(h.pm.sync_finished(&"s", 20));
    h.drain();
    h.take_events();
    h.now = 1_000;
    h.pm.inbound_message(&"s", 100, 1_000);
    let conn = h.conns.remove("s").unwrap()[0];
    h.pm.disconnected(&"s", conn, 2_000);
    h.now = 2_000;
    h.drain();
    h.take_events();
    // Last response at 1 000: removed 8 h later, not 8 h after the disconnect.
    h.advance_to(28_801_000);
    let removed: Vec<_> =
        h.take_events().into_iter().filter(|e| matches!(e, Event::PeerRemoved { .. })).collect();
    assert_eq!(
        removed,
        vec![Event::PeerRemoved { peer: "s", last_responsive: 1_000, at: 28_801_000 }]
    );
    assert_eq!(h.pm.peer_state(&"s"), None);
    assert_eq!(h.pm.next_dial_at(&"s"), None, "the dialler forgot it too");
}

#[test]
fn poll_timeout_is_the_earliest_deadline_of_every_component() {
    let mut h = Host::tracking();
    h.pm.add_peer(&"a", 0);
    h.drain();
    // Connect timeout 5 000, isolation 60 000, forgetting 8 h: the earliest wins.
    assert_eq!(h.pm.poll_timeout(), Some(5_000));
    h.pm.register_response(&"b", 100);
    h.pm.register_response(&"c", 100);
    h.pm.register_response(&"d", 100);
    h.pm.register_failure(&"e", 1_000);
    assert_eq!(h.pm.poll_timeout(), Some(5_000));
    h.pm.soft_ban(&"z", "operator", 1_000);
    h.advance_to(5_000);
    // Redial after the timeout at 35 000; the isolation reset at 60 000 comes later.
    assert_eq!(h.pm.poll_timeout(), Some(35_000));
}

#[test]
fn blocking_a_peer_mid_dial_abandons_the_dial_and_frees_its_slot_at_once() {
    let mut config = Config { track_lifecycle: true, ..Config::default() };
    config.backoff.max_dials_in_flight = 1;
    let mut h = Host::new(config);
    h.pm.add_peer(&"a", 0);
    h.pm.add_peer(&"b", 0);
    h.drain();
    assert_eq!(h.take_commands(), vec![(0, Command::Dial { peer: "a" })]);
    h.take_events();
    h.pm.block(&"a", "bad", 1_000);
    h.now = 1_000;
    h.drain();
    assert_eq!(
        h.take_commands(),
        vec![
            (1_000, Command::Disconnect { peer: "a", reason: DisconnectReason::Banned }),
            (1_000, Command::Dial { peer: "b" }),
        ]
    );
    assert!(
        !h.take_events().iter().any(|e| matches!(e, Event::DialScheduled { peer: "a", .. })),
        "a blocked peer is not scheduled"
    );
    assert!(!h.pm.dial_failed(&"a", 1_001), "the abandoned dial is already counted");
    assert_eq!(h.pm.dials_in_flight(), 1);
}

#[test]
fn a_ban_that_expires_while_the_peer_is_still_blocked_does_not_resume_dialling() {
    let mut h = Host::tracking();
    h.connect("keep", Direction::Inbound);
    h.pm.handshake_completed(&"keep", 0);
    h.pm.add_peer(&"a", 0);
    h.drain();
    assert!(h.pm.dial_failed(&"a", 0));
    h.pm.soft_ban(&"a", "operator", 0);
    h.pm.block(&"a", "bad answers", 0);
    h.drain();
    h.take_events();
    h.take_commands();
    h.advance_to(3_600_000);
    assert_eq!(
        h.take_events(),
        vec![Event::BanExpired { peer: "a", since: 0, reason: "operator".into(), at: 3_600_000 }]
    );
    assert_eq!(h.pm.peer_state(&"a"), Some(PeerState::Banned), "the block still holds");
    assert_eq!(h.pm.next_dial_at(&"a"), None);
    assert_eq!(
        h.pm.defence_denial(&"a", 3_600_000),
        Some(DenialReason::Blocked { reason: "bad answers".into() })
    );
    h.advance_to(10_000_000);
    assert!(h.dials().is_empty());
}

#[test]
fn allow_connection_refuses_behaviour_bans_then_soft_bans_then_blocks() {
    use peerkeeper_core::{behaviour_score::PeerAction, ConnectionDenied};
    let mut pm = PeerManager::<P>::new(Config::default()).unwrap();
    assert_eq!(pm.allow_connection(&"fresh", 0), Ok(()));

    pm.report_peer(&"rude", PeerAction::Fatal, "invalid_block", 0).unwrap();
    pm.soft_ban(&"rude", "operator ban", 0);
    let Err(ConnectionDenied::Banned { until, reason: DisconnectReason::Banned }) =
        pm.allow_connection(&"rude", 10)
    else {
        panic!("a behaviour ban is reported first");
    };
    assert_eq!(until, 30 * 60 * 1000);

    pm.soft_ban(&"spammer", "operator ban", 0);
    assert_eq!(
        pm.allow_connection(&"spammer", 1),
        Err(ConnectionDenied::SoftBanned { until: 3_600_000, reason: "operator ban".into() })
    );

    pm.block(&"flaky", "tls handshake failed", 0);
    assert_eq!(
        pm.allow_connection(&"flaky", 1),
        Err(ConnectionDenied::Blocked { reason: "tls handshake failed".into() })
    );
    assert_eq!(pm.allow_connection(&"fresh", 1), Ok(()));
}

#[test]
fn a_behaviour_banned_peer_is_not_dialled_until_its_ban_ends() {
    use peerkeeper_core::behaviour_score::PeerAction;
    let mut h = Host::tracking();
    h.connect("keep", Direction::Inbound);
    h.pm.handshake_completed(&"keep", 0);
    h.pm.add_peer(&"a", 0);
    h.drain();
    assert!(h.pm.dial_failed(&"a", 0)); // due at 30 000
    h.drain();
    h.take_events();
    h.take_commands();
    h.advance_to(1_000);
    h.pm.report_peer(&"a", PeerAction::Fatal, "invalid_block", 1_000).unwrap();
    h.drain();
    let events = h.take_events();
    assert_eq!(
        events[1..],
        [
            Event::Banned {
                peer: "a",
                until: 1_801_000,
                reason: DisconnectReason::Banned,
                at: 1_000
            },
            changed("a", Some(PeerState::Disconnected), PeerState::Banned, 1_000),
        ]
    );
    assert_eq!(h.pm.next_dial_at(&"a"), None, "the 30 000 ms retry is suspended");
    h.advance_to(1_800_999);
    assert!(h.dials().is_empty(), "no dial during the ban");
    h.advance_to(1_801_000);
    assert_eq!(
        h.take_events(),
        vec![
            Event::Unbanned { peer: "a", at: 1_801_000 },
            changed("a", Some(PeerState::Banned), PeerState::Disconnected, 1_801_000),
            Event::DialScheduled {
                peer: "a",
                due: 1_861_000,
                backoff: 60_000,
                failures: 1,
                at: 1_801_000
            },
        ]
    );
    h.advance_to(1_861_000);
    assert_eq!(h.take_commands(), vec![(1_861_000, Command::Dial { peer: "a" })]);
}

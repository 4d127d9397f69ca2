//! Behaviour scoring through the facade: tiers, bans, decay to the millisecond, clamping,
//! last-action fields, the application score and the total score trimming ranks by.

use peerkeeper_core::{
    BehaviourConfig, Command, Config, ConfigError, ConnId, ConnectionDenied, Direction,
    DisconnectReason, Event, Millis, PeerAction, PeerManager,
};

const BAN: Millis = 1_800_000;
const HALF_LIFE: f64 = 600_000.0;

fn pm() -> PeerManager<String> {
    PeerManager::new(Config::default()).unwrap()
}

fn id(s: &str) -> String {
    s.to_string()
}

fn commands(pm: &mut PeerManager<String>) -> Vec<Command<String>> {
    std::iter::from_fn(|| pm.poll_command()).collect()
}

fn events(pm: &mut PeerManager<String>) -> Vec<Event<String>> {
    std::iter::from_fn(|| pm.poll_event()).collect()
}

/// The first ms at which `start * 2^(-t / half_life)` is strictly above `threshold`.
fn first_ms_above(start: f64, threshold: f64) -> Millis {
    (HALF_LIFE * (start / threshold).log2()).ceil() as Millis
}

#[test]
fn each_tier_bans_after_exactly_its_number_of_actions() {
    let tiers = [
        (PeerAction::Fatal, 1, -100.0),
        (PeerAction::LowTolerance, 5, -10.0),
        (PeerAction::MidTolerance, 10, -5.0),
        (PeerAction::HighTolerance, 50, -1.0),
    ];
    for (action, n, delta) in tiers {
        let mut pm = pm();
        let p = id("p");
        for i in 1..n {
            let score = pm.report_peer(&p, action, "x", 1_000).unwrap();
            assert_eq!(score, delta * i as f64, "{action:?} after {i}");
            assert!(!pm.is_banned(&p, 1_000), "{action:?} banned after only {i}");
        }
        events(&mut pm);
        pm.report_peer(&p, action, "x", 1_000).unwrap();
        assert!(pm.is_banned(&p, 1_000), "{action:?} not banned after {n}");
        let evs = events(&mut pm);
        assert_eq!(
            evs[1],
            Event::Banned {
                peer: p.clone(),
                until: 1_000 + BAN,
                reason: DisconnectReason::Banned,
                at: 1_000
            },
            "{action:?}"
        );
        assert_eq!(evs.len(), 2);
        assert!(commands(&mut pm).is_empty(), "a peer without connections gets no command");
    }
}

#[test]
fn a_connected_peer_is_disconnected_at_minus_twenty_with_bad_score_once() {
    let mut pm = pm();
    let p = id("p");
    pm.connected(&p, ConnId(1), Direction::Inbound, 0);
    pm.report_peer(&p, PeerAction::LowTolerance, "a", 10).unwrap();
    assert!(commands(&mut pm).is_empty(), "-10 is above the disconnect threshold");
    // Reported 10 ms later the first -10 has decayed a little, so -10 more stays above -20.
    pm.report_peer(&p, PeerAction::LowTolerance, "b", 20).unwrap();
    assert!(commands(&mut pm).is_empty());
    pm.report_peer(&p, PeerAction::Custom { delta: -0.001 }, "c", 20).unwrap();
    assert_eq!(
        commands(&mut pm),
        vec![Command::Disconnect { peer: p.clone(), reason: DisconnectReason::BadScore }]
    );
    assert!(pm.is_closing(&p));
    assert_eq!(pm.connected_count(), 0);
    pm.report_peer(&p, PeerAction::HighTolerance, "d", 30).unwrap();
    assert!(commands(&mut pm).is_empty(), "already being disconnected");
}

#[test]
fn a_fatal_report_bans_refuses_connections_until_the_ban_ends_then_unbans() {
    let mut pm = pm();
    let p = id("p");
    pm.connected(&p, ConnId(1), Direction::Outbound, 0);
    events(&mut pm);
    assert_eq!(pm.report_peer(&p, PeerAction::Fatal, "invalid_block", 100).unwrap(), -100.0);
    let until = 100 + BAN;
    assert_eq!(
        events(&mut pm),
        vec![
            Event::BehaviourReported {
                peer: p.clone(),
                action: PeerAction::Fatal,
                name: "invalid_block".into(),
                delta: -100.0,
                score: -100.0,
                at: 100
            },
            Event::Banned { peer: p.clone(), until, reason: DisconnectReason::Banned, at: 100 },
        ]
    );
    assert_eq!(
        commands(&mut pm),
        vec![Command::Disconnect { peer: p.clone(), reason: DisconnectReason::Banned }]
    );
    pm.disconnected(&p, ConnId(1), 150);
    let denied = ConnectionDenied::Banned { until, reason: DisconnectReason::Banned };
    assert_eq!(pm.allow_connection(&p, until - 1), Err(denied));
    assert_eq!(pm.poll_timeout(), Some(until));
    pm.handle_timeout(until - 1);
    assert!(events(&mut pm).iter().all(|e| !matches!(e, Event::Unbanned { .. })));
    pm.handle_timeout(until);
    assert_eq!(events(&mut pm), vec![Event::Unbanned { peer: p.clone(), at: until }]);
    assert_eq!(pm.allow_connection(&p, until), Ok(()));
    assert!(!pm.is_banned(&p, until));
}

#[test]
fn the_ban_ends_at_its_time_even_before_handle_timeout_runs() {
    let mut pm = pm();
    let p = id("p");
    pm.report_peer(&p, PeerAction::Fatal, "x", 0).unwrap();
    assert!(pm.is_banned(&p, BAN - 1));
    assert!(!pm.is_banned(&p, BAN));
    assert_eq!(pm.allow_connection(&p, BAN), Ok(()));
}

#[test]
fn the_score_does_not_decay_while_banned() {
    let mut pm = pm();
    let p = id("p");
    pm.report_peer(&p, PeerAction::Fatal, "x", 0).unwrap();
    for t in [0, 1, 600_000, BAN - 1, BAN] {
        assert_eq!(pm.behaviour_score(&p, t), -100.0, "at {t}");
    }
    assert_eq!(pm.behaviour_score(&p, BAN + 600_000), -50.0);
}

#[test]
fn from_the_minimum_the_score_rises_above_the_disconnect_threshold_when_the_half_life_says() {
    let mut pm = pm();
    let p = id("p");
    pm.report_peer(&p, PeerAction::Fatal, "x", 0).unwrap();
    // Decay starts when the ban ends; -100 * 2^(-t / 10 min) > -20 once t > 10 min * log2(5).
    let t = first_ms_above(-100.0, -20.0);
    assert_eq!(t, 1_393_157);
    assert!(pm.behaviour_score(&p, BAN + t - 1) <= -20.0);
    assert!(pm.behaviour_score(&p, BAN + t) > -20.0);
    // Driving time through handle_timeout (and its unban) does not change the curve.
    pm.handle_timeout(BAN + 1);
    assert!(pm.behaviour_score(&p, BAN + t - 1) <= -20.0);
    assert!(pm.behaviour_score(&p, BAN + t) > -20.0);
}

#[test]
fn a_returning_peer_still_below_the_threshold_is_told_to_go_with_bad_score() {
    let mut pm = pm();
    let p = id("p");
    pm.report_peer(&p, PeerAction::Fatal, "x", 0).unwrap();
    let t = first_ms_above(-100.0, -20.0);
    pm.handle_timeout(BAN);
    pm.connected(&p, ConnId(1), Direction::Inbound, BAN + t - 1);
    assert_eq!(
        commands(&mut pm),
        vec![Command::Disconnect { peer: p.clone(), reason: DisconnectReason::BadScore }]
    );
    pm.disconnected(&p, ConnId(1), BAN + t - 1);
    pm.connected(&p, ConnId(2), Direction::Inbound, BAN + t);
    assert!(commands(&mut pm).is_empty());
    assert!(pm.is_connected(&p));
}

#[test]
fn a_connection_during_a_ban_is_closed_with_banned() {
    let mut pm = pm();
    let p = id("p");
    pm.report_peer(&p, PeerAction::Fatal, "x", 0).unwrap();
    pm.connected(&p, ConnId(1), Direction::Inbound, 10);
    assert_eq!(
        commands(&mut pm),
        vec![Command::Disconnect { peer: p.clone(), reason: DisconnectReason::Banned }]
    );
}

#[test]
fn a_moderate_score_halves_every_half_life_to_the_millisecond() {
    let mut pm = pm();
    let p = id("p");
    pm.report_peer(&p, PeerAction::Custom { delta: -40.0 }, "x", 5).unwrap();
    assert_eq!(pm.behaviour_score(&p, 5 + 600_000), -20.0);
    assert_eq!(pm.behaviour_score(&p, 5 + 1_200_000), -10.0);
    let t = first_ms_above(-40.0, -20.0);
    assert_eq!(t, 600_000);
    assert!(pm.behaviour_score(&p, 5 + t - 1) < -20.0);
}

#[test]
fn scores_are_clamped_and_the_last_action_delta_is_the_clamped_change() {
    let mut pm = pm();
    let p = id("p");
    let last = |pm: &PeerManager<String>| {
        let s = pm.score_stats(0).into_iter().next().unwrap();
        (s.behaviour_score, s.last_action_name.unwrap(), s.last_action_delta.unwrap())
    };
    pm.report_peer(&p, PeerAction::Custom { delta: 150.0 }, "good", 0).unwrap();
    assert_eq!(last(&pm), (100.0, "good".into(), 100.0));
    pm.report_peer(&p, PeerAction::Custom { delta: 5.0 }, "better", 0).unwrap();
    assert_eq!(last(&pm), (100.0, "better".into(), 0.0));
    pm.report_peer(&p, PeerAction::Fatal, "fatal", 0).unwrap();
    assert_eq!(last(&pm), (-100.0, "fatal".into(), -200.0));
    pm.report_peer(&p, PeerAction::HighTolerance, "more", 0).unwrap();
    assert_eq!(last(&pm), (-100.0, "more".into(), 0.0));
}

#[test]
fn the_application_score_is_kept_apart_and_never_clobbers_the_last_action() {
    let mut pm = pm();
    let p = id("p");
    pm.tag_peer(&p, "useful", 7);
    pm.report_peer(&p, PeerAction::MidTolerance, "REQUEST_ERROR_TTFB_TIMEOUT", 1_000).unwrap();
    pm.set_application_score(&p, 3.5, 2_000).unwrap();
    pm.set_application_score(&p, 2.5, 3_000).unwrap();
    let s = pm.score_stats(3_000).remove(0);
    let behaviour = -5.0 * (-(2_000.0) / HALF_LIFE).exp2();
    assert_eq!(s.application_score, 2.5);
    assert_eq!(s.tag_score, 7.0);
    assert_eq!(s.behaviour_score, behaviour);
    assert_eq!(s.score, 7.0 + behaviour + 2.5);
    assert_eq!(pm.peer_score(&p), s.score);
    assert_eq!(s.last_action_name.as_deref(), Some("REQUEST_ERROR_TTFB_TIMEOUT"));
    assert_eq!(s.last_action_delta, Some(-5.0));
    assert_eq!(s.last_action_time, Some(1_000));
    assert_eq!(pm.application_score(&p), 2.5);
}

#[test]
fn the_weights_scale_each_part_of_the_total() {
    let behaviour =
        BehaviourConfig { behaviour_weight: 2.0, application_weight: 0.5, ..Default::default() };
    let mut pm = PeerManager::new(Config { behaviour, ..Config::default() }).unwrap();
    let p = id("p");
    pm.tag_peer(&p, "t", 10);
    pm.report_peer(&p, PeerAction::HighTolerance, "x", 0).unwrap();
    pm.set_application_score(&p, 4.0, 0).unwrap();
    assert_eq!(pm.peer_score(&p), 10.0 - 2.0 + 2.0);
}

#[test]
fn a_low_application_score_counts_toward_the_thresholds() {
    let mut pm = pm();
    let p = id("p");
    pm.connected(&p, ConnId(1), Direction::Inbound, 0);
    pm.set_application_score(&p, -25.0, 10).unwrap();
    assert_eq!(
        commands(&mut pm),
        vec![Command::Disconnect { peer: p.clone(), reason: DisconnectReason::BadScore }]
    );
    pm.set_application_score(&p, -60.0, 20).unwrap();
    assert!(pm.is_banned(&p, 20));
    assert!(pm.score_stats(20)[0].last_action_name.is_none());
}

#[test]
fn trimming_closes_the_worst_behaved_peer_first_and_reports_the_total_score() {
    let cfg = Config { low_water: 2, high_water: 2, grace_period: 0, ..Config::default() };
    let mut pm = PeerManager::new(cfg).unwrap();
    for (i, p) in ["a", "b"].iter().enumerate() {
        pm.connected(&id(p), ConnId(i as u64), Direction::Inbound, 0);
    }
    pm.report_peer(&id("b"), PeerAction::HighTolerance, "x", 0).unwrap();
    pm.connected(&id("c"), ConnId(9), Direction::Inbound, 0);
    assert_eq!(
        commands(&mut pm),
        vec![Command::Disconnect { peer: id("b"), reason: DisconnectReason::TooManyPeers }]
    );
    let report = events(&mut pm)
        .into_iter()
        .find_map(|e| match e {
            Event::Trimmed { report, .. } => Some(report),
            _ => None,
        })
        .unwrap();
    assert_eq!(report.entry(&id("b")).unwrap().score, -1.0);
    assert_eq!(report.cut_score, Some(0.0));
}

#[test]
fn a_non_finite_input_is_refused_and_changes_nothing() {
    let mut pm = pm();
    let p = id("p");
    let err = pm.report_peer(&p, PeerAction::Custom { delta: f64::NAN }, "x", 0).unwrap_err();
    assert_eq!(err.to_string(), "`delta` must be a finite number");
    let err = pm.set_application_score(&p, f64::INFINITY, 0).unwrap_err();
    assert_eq!(err.to_string(), "`score` must be a finite number");
    assert_eq!(pm.known_peers(), 0);
    assert!(events(&mut pm).is_empty());
}

#[test]
fn asking_about_an_unknown_peer_creates_nothing() {
    let pm = pm();
    let p = id("nobody");
    assert_eq!(pm.behaviour_score(&p, 0), 0.0);
    assert_eq!(pm.application_score(&p), 0.0);
    assert!(!pm.is_banned(&p, 0));
    assert_eq!(pm.allow_connection(&p, 0), Ok(()));
    assert_eq!(pm.peer(&p, 0), None);
    assert_eq!(pm.last_disconnect(&p), None);
    assert!(pm.peers(0).is_empty());
    assert!(pm.score_stats(0).is_empty());
    assert_eq!(pm.known_peers(), 0);
}

#[test]
fn a_ban_holds_even_when_retention_forgets_the_peer_record() {
    let mut pm = PeerManager::new(Config { max_retained_peers: 0, ..Config::default() }).unwrap();
    let p = id("p");
    pm.report_peer(&p, PeerAction::Fatal, "x", 0).unwrap();
    assert_eq!(pm.known_peers(), 0);
    assert!(pm.is_banned(&p, 1));
    assert!(pm.allow_connection(&p, 1).is_err());
}

#[test]
fn a_report_after_a_ban_ends_with_the_score_still_low_bans_again() {
    let mut pm = pm();
    let p = id("p");
    pm.report_peer(&p, PeerAction::Fatal, "x", 0).unwrap();
    events(&mut pm);
    pm.report_peer(&p, PeerAction::HighTolerance, "y", BAN).unwrap();
    let evs = events(&mut pm);
    assert_eq!(evs[0], Event::Unbanned { peer: p.clone(), at: BAN });
    assert!(matches!(evs[2], Event::Banned { until, .. } if until == 2 * BAN));
    assert!(matches!(evs[1], Event::BehaviourReported { delta, .. } if delta == 0.0));
}

#[test]
fn an_invalid_behaviour_config_is_refused_naming_the_field() {
    let behaviour = BehaviourConfig { ban_threshold: -10.0, ..Default::default() };
    let err = PeerManager::<String>::new(Config { behaviour, ..Config::default() }).err();
    let err = err.unwrap();
    assert_eq!(err.path(), "behaviour.ban_threshold");
    assert_eq!(
        err,
        ConfigError::Invalid {
            section: Some("behaviour"),
            field: "ban_threshold",
            reason: "must be at most disconnect_threshold and at least min_score".into()
        }
    );
}

#[test]
fn the_decayed_score_does_not_depend_on_how_often_time_is_driven() {
    let (mut lazy, mut busy) = (pm(), pm());
    let p = id("p");
    for m in [&mut lazy, &mut busy] {
        m.report_peer(&p, PeerAction::Custom { delta: -30.0 }, "x", 0).unwrap();
    }
    for t in (1..=3_000).map(|i| i * 997) {
        busy.handle_timeout(t);
        if t % 7 == 0 {
            busy.report_peer(&p, PeerAction::Custom { delta: 0.0 }, "noop", t).unwrap();
        }
    }
    let end = 3_000 * 997;
    assert_eq!(lazy.behaviour_score(&p, end), -30.0 * (-(end as f64) / HALF_LIFE).exp2());
    let (a, b) = (lazy.behaviour_score(&p, end), busy.behaviour_score(&p, end));
    assert!((a - b).abs() <= 1e-9 * a.abs(), "{a} vs {b}");
}

#[test]
fn the_new_events_and_the_refusal_serialize_with_snake_case_names() {
    let mut pm = pm();
    let p = id("p");
    pm.report_peer(&p, PeerAction::Fatal, "bad_block", 7).unwrap();
    let json: Vec<String> =
        events(&mut pm).iter().map(|e| serde_json::to_string(e).unwrap()).collect();
    assert_eq!(
        json,
        vec![
            concat!(
                r#"{"type":"behaviour_reported","peer":"p","action":{"type":"fatal"},"#,
                r#""name":"bad_block","delta":-100.0,"score":-100.0,"at":7}"#
            ),
            r#"{"type":"banned","peer":"p","until":1800007,"reason":"banned","at":7}"#,
        ]
    );
    let denied = pm.allow_connection(&p, 8).unwrap_err();
    assert_eq!(
        serde_json::to_string(&denied).unwrap(),
        r#"{"type":"banned","until":1800007,"reason":"banned"}"#
    );
    assert_eq!(denied.to_string(), "peer is banned until 1800007 ms (banned)");
    pm.handle_timeout(1_800_007);
    let unbanned = serde_json::to_string(&events(&mut pm)[0]).unwrap();
    assert_eq!(unbanned, r#"{"type":"unbanned","peer":"p","at":1800007}"#);
    let custom = serde_json::to_string(&PeerAction::Custom { delta: -2.5 }).unwrap();
    assert_eq!(custom, r#"{"type":"custom","delta":-2.5}"#);
}

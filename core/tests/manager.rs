//! Behaviour of the manager beyond the seed's scenarios: silence, shortfall, retention,
//! every tag and decay function, events and their JSON shape.

mod common;

use common::{s, seed_config, Host};
use peerkeeper_core::{
    BumpFn, Command, Config, ConfigError, ConnId, DecayFn, Direction, DisconnectReason, Event,
    PeerManager, RemovalCause, TrimTrigger, Verdict,
};

fn pm(config: Config) -> PeerManager<String> {
    PeerManager::new(config).unwrap()
}

fn drain(pm: &mut PeerManager<String>) -> Vec<Event<String>> {
    std::iter::from_fn(|| pm.poll_event()).collect()
}

#[test]
fn an_invalid_config_is_refused_naming_the_field() {
    let err = PeerManager::<String>::new(Config { low_water: 4, high_water: 3, ..seed_config() });
    assert!(matches!(err, Err(ConfigError::Invalid { field: "low_water", .. })));
    let err = PeerManager::<String>::new(Config { decay_resolution: 0, ..seed_config() });
    assert!(matches!(err, Err(ConfigError::Invalid { field: "decay_resolution", .. })));
}

#[test]
fn a_trim_requested_during_silence_runs_when_the_silence_ends() {
    let mut host = Host::new(Config { grace_period: 0, silence_period: 50, ..seed_config() });
    for c in ["a", "b", "c", "d"] {
        host.connect_with(c, Direction::Inbound);
    }
    assert_eq!(host.trims().len(), 1, "the fourth peer triggers a trim at t = 0");
    assert_eq!(host.connected_ids().len(), 2);
    host.now = 10;
    host.connect_with("e", Direction::Inbound);
    host.connect_with("f", Direction::Inbound);
    assert_eq!(host.trims().len(), 1, "inside the silence: deferred");
    assert_eq!(host.pm.poll_timeout(), Some(50));
    assert!(host.events.contains(&Event::TrimDeferred { until: 50, at: 10 }));
    assert_eq!(host.connected_ids().len(), 4);
    host.advance_to(49);
    assert_eq!(host.trims().len(), 1);
    host.advance_to(50);
    let trims = host.trims();
    assert_eq!(trims.len(), 2);
    assert_eq!(trims[1].trigger, TrimTrigger::DeferredAfterSilence);
    assert_eq!(host.connected_ids().len(), 2);
    assert_eq!(host.pm.poll_timeout(), Some(3_600_000), "only the closed peers' retention is left");
}

#[test]
fn too_few_eligible_peers_close_what_may_close_and_report_the_shortfall() {
    let mut host = Host::seed();
    host.connect_with("old", Direction::Inbound);
    host.pm.protect(&s("old"), "keep");
    host.sleep(150);
    for c in ["x", "y", "z"] {
        host.connect_with(c, Direction::Inbound);
    }
    let r = host.trims()[0];
    assert_eq!((r.connected, r.target, r.closed, r.shortfall), (4, 2, 0, 2));
    assert!(host.commands.is_empty());
    assert_eq!(host.connected_ids().len(), 4);
    assert!(r.entries.iter().all(|e| !e.verdict.is_closed()));
}

#[test]
fn an_explicit_trim_goes_down_to_low_water_even_below_high_water() {
    let mut host = Host::seed();
    host.connect_with("a", Direction::Inbound);
    host.connect_with("b", Direction::Inbound);
    host.connect_with("c", Direction::Inbound);
    host.sleep(100);
    host.pm.trim(host.now);
    host.progress();
    let r = host.trims()[0];
    assert_eq!(r.trigger, TrimTrigger::Explicit);
    assert_eq!(r.closed, 1);
    assert_eq!(host.connected_ids(), vec![s("b"), s("c")], "same time and score: seq decides");
    assert_eq!(r.entries[0].verdict, Verdict::ClosedTieOldest);
}

#[test]
fn an_outbound_connection_adds_the_bonus_and_ranks_the_peer_higher() {
    let mut host = Host::new(Config { outbound_bonus: 10, ..seed_config() });
    host.connect_with("dialed", Direction::Outbound);
    host.sleep(5);
    host.connect_with("in1", Direction::Inbound);
    host.connect_with("in2", Direction::Inbound);
    host.pm.tag_peer(&s("in2"), "t", 9);
    assert_eq!(host.score("dialed"), 10.0);
    assert_eq!(host.score("in2"), 9.0);
    host.sleep(100);
    host.connect_with("new", Direction::Inbound);
    assert_eq!(host.connected_ids(), vec![s("dialed"), s("new")]);
}

#[test]
fn several_connections_count_as_one_peer_and_only_the_last_close_disconnects_it() {
    let mut p = pm(seed_config());
    let a = s("a");
    p.connected(&a, ConnId(1), Direction::Inbound, 0);
    p.connected(&a, ConnId(2), Direction::Outbound, 1);
    p.connected(&a, ConnId(2), Direction::Outbound, 2);
    assert_eq!((p.connected_count(), p.connection_count(&a)), (1, 2));
    assert!(p.disconnected(&a, ConnId(1), 3));
    assert!(!p.disconnected(&a, ConnId(1), 3), "already closed");
    assert!(p.is_connected(&a));
    assert!(p.disconnected(&a, ConnId(2), 4));
    assert!(!p.is_connected(&a));
    assert_eq!(
        drain(&mut p),
        vec![
            Event::Connected {
                peer: a.clone(),
                conn: ConnId(1),
                direction: Direction::Inbound,
                connections: 1,
                at: 0
            },
            Event::Connected {
                peer: a.clone(),
                conn: ConnId(2),
                direction: Direction::Outbound,
                connections: 2,
                at: 1
            },
            Event::Disconnected { peer: a.clone(), conn: ConnId(1), connections: 1, at: 3 },
            Event::Disconnected { peer: a.clone(), conn: ConnId(2), connections: 0, at: 4 },
        ]
    );
}

#[test]
fn a_peer_that_comes_back_keeps_its_tags_and_protections() {
    let mut p = pm(seed_config());
    let a = s("a");
    p.connected(&a, ConnId(1), Direction::Inbound, 0);
    p.tag_peer(&a, "t", 7);
    p.protect(&a, "vip");
    p.disconnected(&a, ConnId(1), 10);
    p.connected(&a, ConnId(2), Direction::Inbound, 20);
    assert_eq!(p.peer_score(&a), 7.0);
    assert!(p.is_protected(&a, Some("vip")));
    assert!(!p.is_protected(&a, Some("other")));
}

#[test]
fn departed_peers_are_forgotten_after_the_retention_time() {
    let mut p = pm(Config { retention_ms: 1_000, ..seed_config() });
    let a = s("a");
    p.connected(&a, ConnId(1), Direction::Inbound, 0);
    p.tag_peer_decaying(&a, "d", 5, 1_000_000, DecayFn::fixed(1), 0);
    p.disconnected(&a, ConnId(1), 100);
    drain(&mut p);
    assert_eq!(p.poll_timeout(), Some(1_100));
    p.handle_timeout(1_099);
    assert_eq!(p.known_peers(), 1);
    p.handle_timeout(1_100);
    assert_eq!(p.known_peers(), 0);
    assert_eq!(drain(&mut p), vec![Event::PeerForgotten { peer: a.clone(), at: 1_100 }]);
    assert_eq!(p.peer_score(&a), 0.0);
    assert_eq!(p.poll_timeout(), Some(1_000_000), "a stale decay bucket may still wake once");
    p.handle_timeout(1_000_000);
    assert_eq!(drain(&mut p), vec![]);
    assert_eq!(p.poll_timeout(), None);
}

#[test]
fn beyond_the_retention_count_the_longest_waiting_peer_is_forgotten_first() {
    let mut p = pm(Config { max_retained_peers: 2, ..seed_config() });
    p.tag_peer(&s("never-connected"), "t", 1);
    p.connected(&s("b"), ConnId(1), Direction::Inbound, 5);
    p.protect(&s("c"), "x");
    p.disconnected(&s("b"), ConnId(1), 6);
    assert_eq!(
        drain(&mut p).pop().unwrap(),
        Event::PeerForgotten { peer: s("never-connected"), at: 6 },
        "b's departure makes three retained peers"
    );
    p.tag_peer(&s("d"), "t", 1);
    assert_eq!(
        drain(&mut p),
        vec![
            Event::TagSet {
                peer: s("d"),
                tag: "t".into(),
                old: None,
                new: 1,
                decaying: false,
                at: 6
            },
            Event::PeerForgotten { peer: s("c"), at: 6 },
        ]
    );
    assert_eq!(p.known_peers(), 2);
    assert!(!p.is_protected(&s("c"), None));
    assert_eq!(p.tag_value(&s("d"), "t"), Some(1));
}

#[test]
fn read_paths_create_nothing_for_unknown_peers() {
    let mut p = pm(seed_config());
    let ghost = s("ghost");
    assert_eq!(p.peer_score(&ghost), 0.0);
    assert!(!p.is_protected(&ghost, None));
    assert!(!p.unprotect(&ghost, "x"));
    assert!(!p.untag_peer(&ghost, "x"));
    assert!(!p.bump_decaying_tag(&ghost, "x", 1, 0));
    assert!(!p.remove_decaying_tag(&ghost, "x"));
    assert!(!p.disconnected(&ghost, ConnId(1), 0));
    assert_eq!(p.tag_value(&ghost, "x"), None);
    assert_eq!(p.known_peers(), 0);
    assert_eq!(drain(&mut p), vec![]);
}

#[test]
fn static_tags_set_upsert_and_untag_with_old_and_new_values() {
    let mut p = pm(seed_config());
    let a = s("a");
    p.tag_peer(&a, "t", 5);
    p.tag_peer(&a, "t", 5);
    p.upsert_tag(&a, "t", |v| v * 3);
    p.upsert_tag(&a, "u", |v| v - 2);
    assert_eq!(p.peer_score(&a), 13.0);
    assert!(!p.remove_decaying_tag(&a, "t"), "a static tag is not a decaying one");
    assert!(p.untag_peer(&a, "t"));
    assert!(!p.untag_peer(&a, "t"));
    assert_eq!(p.peer_score(&a), -2.0, "static tags may be negative");
    let t = || "t".into();
    assert_eq!(
        drain(&mut p),
        vec![
            Event::TagSet { peer: a.clone(), tag: t(), old: None, new: 5, decaying: false, at: 0 },
            Event::TagSet {
                peer: a.clone(),
                tag: t(),
                old: Some(5),
                new: 15,
                decaying: false,
                at: 0
            },
            Event::TagSet {
                peer: a.clone(),
                tag: "u".into(),
                old: None,
                new: -2,
                decaying: false,
                at: 0
            },
            Event::TagRemoved {
                peer: a.clone(),
                tag: t(),
                old: 15,
                cause: RemovalCause::Removed,
                at: 0
            },
        ]
    );
}

#[test]
fn setting_a_static_tag_over_a_decaying_one_stops_its_decay() {
    let mut p = pm(seed_config());
    let a = s("a");
    p.tag_peer_decaying(&a, "t", 100, 50, DecayFn::fixed(10), 0);
    assert!(!p.untag_peer(&a, "t"), "untag_peer leaves decaying tags alone");
    p.tag_peer(&a, "t", 40);
    assert!(!p.bump_decaying_tag(&a, "t", 1, 0), "it is static now");
    p.handle_timeout(1_000);
    assert_eq!(p.tag_value(&a, "t"), Some(40));
    assert_eq!(p.tags(&a), vec![("t".into(), 40, false)]);
}

#[test]
fn linear_decay_floors_each_tick_and_late_timeouts_catch_up() {
    let mut p = pm(seed_config());
    let a = s("a");
    p.tag_peer_decaying(&a, "l", 15, 50, DecayFn::linear(0.9), 0);
    p.handle_timeout(50);
    assert_eq!(p.tag_value(&a, "l"), Some(13));
    // Ticks at 100, 150 and 200 are handled at once: 13 -> 11 -> 9 -> 8.
    p.handle_timeout(220);
    assert_eq!(p.tag_value(&a, "l"), Some(8));
    assert_eq!(p.poll_timeout(), Some(250));
}

#[test]
fn intervals_round_up_to_the_decay_resolution() {
    let mut p = pm(seed_config());
    let a = s("a");
    p.tag_peer_decaying(&a, "f", 100, 70, DecayFn::fixed(1), 10);
    // 70 -> 100; first tick at 10 + 100 = 110 rounded up to 150, then every 100.
    assert_eq!(p.poll_timeout(), Some(150));
    p.handle_timeout(150);
    assert_eq!(p.poll_timeout(), Some(250));
    assert_eq!(p.tag_value(&a, "f"), Some(99));
}

#[test]
fn expire_when_inactive_removes_an_idle_tag_and_bumps_keep_it_alive() {
    let mut p = pm(seed_config());
    let a = s("a");
    p.tag_peer_decaying(&a, "e", 10, 50, DecayFn::expire_when_inactive(120), 0);
    p.handle_timeout(100);
    assert!(p.bump_decaying_tag(&a, "e", 5, 100));
    p.handle_timeout(200);
    assert_eq!(p.tag_value(&a, "e"), Some(15), "idle 100 ms at t = 200");
    p.handle_timeout(250);
    assert_eq!(p.tag_value(&a, "e"), None, "idle 150 ms at t = 250");
    let last = drain(&mut p).pop().unwrap();
    assert_eq!(
        last,
        Event::TagRemoved {
            peer: a.clone(),
            tag: "e".into(),
            old: 15,
            cause: RemovalCause::ExpiredInactive,
            at: 250
        }
    );
}

#[test]
fn bump_functions_sum_bounded_and_overwrite_and_a_bump_to_zero_removes() {
    let mut p = pm(seed_config());
    let a = s("a");
    let none = DecayFn::none;
    p.tag_peer_decaying_with_bump(&a, "b", 10, 50, none(), BumpFn::sum_bounded(0, 25), 0);
    p.tag_peer_decaying_with_bump(&a, "o", 10, 50, none(), BumpFn::overwrite(), 0);
    assert!(p.bump_decaying_tag(&a, "b", 100, 0));
    assert!(p.bump_decaying_tag(&a, "o", 3, 0));
    assert_eq!((p.tag_value(&a, "b"), p.tag_value(&a, "o")), (Some(25), Some(3)));
    assert!(p.bump_decaying_tag(&a, "o", -1, 0));
    assert_eq!(p.tag_value(&a, "o"), None);
    assert_eq!(
        drain(&mut p).pop().unwrap(),
        Event::TagRemoved {
            peer: a.clone(),
            tag: "o".into(),
            old: 3,
            cause: RemovalCause::BumpedToZero,
            at: 0
        }
    );
    assert_eq!(p.poll_timeout(), Some(3_600_000), "decayNone needs no wake-ups: only retention");
}

#[test]
fn re_tagging_a_decaying_tag_restarts_its_schedule() {
    let mut p = pm(seed_config());
    let a = s("a");
    p.tag_peer_decaying(&a, "d", 100, 100, DecayFn::fixed(10), 0);
    p.handle_timeout(60);
    p.tag_peer_decaying(&a, "d", 50, 100, DecayFn::fixed(1), 60);
    assert_eq!(p.poll_timeout(), Some(100), "the old bucket is still there, stale");
    p.handle_timeout(100);
    assert_eq!(p.tag_value(&a, "d"), Some(50));
    assert_eq!(p.poll_timeout(), Some(200));
    p.handle_timeout(200);
    assert_eq!(p.tag_value(&a, "d"), Some(49));
}

#[test]
fn a_trim_ranks_on_values_decayed_up_to_its_own_time() {
    let mut p = pm(Config { grace_period: 0, ..seed_config() });
    for (i, peer) in ["a", "b", "c"].iter().enumerate() {
        p.connected(&s(peer), ConnId(i as u64), Direction::Inbound, 0);
    }
    p.tag_peer(&s("a"), "t", 30);
    p.tag_peer_decaying(&s("b"), "d", 50, 50, DecayFn::fixed(40), 0);
    p.tag_peer(&s("c"), "t", 20);
    // At t = 50 b decays to 10, though nobody called handle_timeout.
    p.connected(&s("d"), ConnId(9), Direction::Inbound, 50);
    let closed: Vec<_> = std::iter::from_fn(|| p.poll_command()).collect();
    assert_eq!(
        closed,
        vec![
            Command::Disconnect { peer: s("b"), reason: DisconnectReason::TooManyPeers },
            Command::Disconnect { peer: s("d"), reason: DisconnectReason::TooManyPeers },
        ],
        "grace 0: the new peer (score 0) and b (10, not 50) close, in peer-book order"
    );
    let report = std::iter::from_fn(|| p.poll_event())
        .find_map(|e| match e {
            Event::Trimmed { report, .. } => Some(report),
            _ => None,
        })
        .unwrap();
    let order: Vec<_> =
        report.closed_in_order().iter().map(|e| (e.peer.clone(), e.score)).collect();
    assert_eq!(order, vec![(s("d"), 0.0), (s("b"), 10.0)], "the report keeps closing order");
}

#[test]
fn a_peer_being_closed_is_neither_counted_nor_chosen_again() {
    let mut p = pm(Config { grace_period: 0, silence_period: 0, ..seed_config() });
    for (i, peer) in ["a", "b", "c", "d"].iter().enumerate() {
        p.connected(&s(peer), ConnId(i as u64), Direction::Inbound, i as u64);
    }
    let first: Vec<_> = std::iter::from_fn(|| p.poll_command()).collect();
    assert_eq!(first.len(), 2);
    assert_eq!(p.connected_count(), 2);
    assert!(p.is_closing(&s("a")) && p.is_closing(&s("b")));
    p.trim(10);
    assert_eq!(p.poll_command(), None, "already at low water; a and b are not chosen twice");
    p.disconnected(&s("a"), ConnId(0), 11);
    assert!(!p.is_closing(&s("a")));
    assert_eq!(p.connected_count(), 2);
}

#[test]
fn time_never_goes_backwards() {
    let mut p = pm(seed_config());
    p.connected(&s("a"), ConnId(1), Direction::Inbound, 100);
    p.connected(&s("b"), ConnId(2), Direction::Inbound, 40);
    assert_eq!(p.now(), 100);
    let at: Vec<_> = drain(&mut p)
        .into_iter()
        .map(|e| match e {
            Event::Connected { at, .. } => at,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(at, vec![100, 100]);
}

#[test]
fn commands_and_trim_reports_serialize_with_snake_case_tags() {
    let mut host = Host::new(Config { grace_period: 0, ..seed_config() });
    for c in ["a", "b", "c", "d"] {
        host.connect_with(c, Direction::Inbound);
    }
    assert_eq!(
        serde_json::to_string(&host.commands[0]).unwrap(),
        r#"{"type":"disconnect","peer":"a","reason":"too_many_peers"}"#
    );
    let trimmed = host.events.iter().find(|e| matches!(e, Event::Trimmed { .. })).unwrap();
    let json = serde_json::to_value(trimmed).unwrap();
    assert_eq!(json["type"], "trimmed");
    assert_eq!(json["report"]["trigger"], "high_water_crossed");
    assert_eq!(json["report"]["entries"][0]["verdict"], "closed_tie_oldest");
    assert_eq!(json["report"]["entries"][0]["rank"], 1);
    assert_eq!(json["report"]["entries"][3]["verdict"], "kept_above_cut");
    assert_eq!(json["report"]["entries"][3]["rank"], 4);
    let tagged = serde_json::to_string(&Event::TagRemoved {
        peer: s("a"),
        tag: "t".into(),
        old: 3,
        cause: RemovalCause::ExpiredInactive,
        at: 9,
    })
    .unwrap();
    assert_eq!(
        tagged,
        r#"{"type":"tag_removed","peer":"a","tag":"t","old":3,"cause":"expired_inactive","at":9}"#
    );
}

#[test]
fn a_custom_decay_runs_once_per_elapsed_interval_with_the_idle_time() {
    let mut p = pm(seed_config());
    let a = s("a");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let halve = DecayFn::custom(move |v, idle| {
        log.lock().unwrap().push((v, idle));
        v / 2
    });
    p.tag_peer_decaying(&a, "c", 40, 50, halve, 0);
    p.handle_timeout(50);
    assert_eq!(p.tag_value(&a, "c"), Some(20));
    // Two intervals late: both run, seeing 100 and 150 ms since the tag was set.
    p.handle_timeout(160);
    assert_eq!(p.tag_value(&a, "c"), Some(5));
    assert_eq!(*seen.lock().unwrap(), vec![(40, 50), (20, 100), (10, 150)]);
    assert_eq!(p.poll_timeout(), Some(200));
}

#[test]
fn an_empty_manager_has_nothing_to_do() {
    let mut p = pm(Config::default());
    assert_eq!(p.poll_timeout(), None);
    p.handle_timeout(1_000_000);
    p.trim(1_000_000);
    assert_eq!(p.poll_command(), None);
    let events = drain(&mut p);
    assert_eq!(events.len(), 1, "an explicit trim still reports");
    let Event::Trimmed { report, .. } = &events[0] else { panic!("{events:?}") };
    assert_eq!((report.connected, report.closed, report.shortfall), (0, 0, 0));
    assert_eq!(report.cut_score, None);
}

#[test]
fn the_manager_can_move_between_threads_and_be_shared() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<PeerManager<String>>();
    send_sync::<Event<String>>();
    send_sync::<Command<String>>();
}

#[test]
fn verdict_and_trigger_names_are_their_serialized_names() {
    use peerkeeper_core::{TrimTrigger, Verdict};
    for v in Verdict::ALL {
        assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
    }
    for t in TrimTrigger::ALL {
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
    }
}

//! The recorder's live rows from light-peer events: what the demo network's peers do (strikes,
//! soft bans, alignment, redials, drops) lands on their rows.

use peerkeeper_web::light_peer_event::{
    EnginePeerView, EngineView, LightPeerEvent, SettingsView, StatusView, TagView, TrimEntryView,
};
use peerkeeper_www::state_recorder::Recorder;

fn connect(r: &mut Recorder, peer: &str, at: u64) {
    r.apply_light(
        LightPeerEvent::Connected {
            peer_id: peer.into(),
            transport: "websocket".into(),
            address: format!("/ip4/127.0.0.1/tcp/1/ws/p2p/{peer}"),
        },
        at,
    );
}

fn row(r: &Recorder, peer: &str) -> peerkeeper_www::state_peers::PeerRow {
    r.live_rows().into_iter().find(|row| row.peer_id == peer).expect("a row for the peer")
}

#[test]
fn strikes_a_soft_ban_alignment_and_redials_land_on_the_peer_row() {
    let mut r = Recorder::default();
    connect(&mut r, "S", 0);
    for strikes in 1..=10 {
        r.apply_light(
            LightPeerEvent::Struck {
                peer_id: "S".into(),
                kind: "deserialization".into(),
                counted: true,
                strikes,
                threshold: 10,
                at_ms: u64::from(strikes),
            },
            u64::from(strikes),
        );
    }
    r.apply_light(
        LightPeerEvent::SoftBanned {
            peer_id: "S".into(),
            reason: "spam".into(),
            until_ms: 3_600_010,
            at_ms: 10,
        },
        10,
    );
    r.apply_light(
        LightPeerEvent::AlignmentChanged {
            peer_id: "S".into(),
            aligned: false,
            why: "fork_mismatch".into(),
            at_ms: 11,
        },
        11,
    );
    r.apply_light(
        LightPeerEvent::DialScheduled {
            peer_id: "S".into(),
            due_ms: 2_011,
            backoff_ms: 2_000,
            failures: 0,
            at_ms: 11,
        },
        11,
    );
    let s = row(&r, "S");
    assert_eq!(
        (s.strikes, s.banned_after_strikes, s.banned_until),
        (10, Some(10), Some(3_600_010))
    );
    assert_eq!(s.reason.as_deref(), Some("banned"));
    assert_eq!(s.aligned, Some(false));
    assert_eq!(
        (s.dials_scheduled.clone(), s.backoff_until),
        (vec![(11, 2_011, 2_000, 0)], Some(2_011))
    );
    r.apply_light(LightPeerEvent::DialStarted { peer_id: "S".into(), at_ms: 2_012 }, 2_012);
    let s = row(&r, "S");
    assert_eq!((s.dials_started, s.backoff_until), (vec![2_012], None));
}

#[test]
fn a_peer_status_fills_network_head_and_fork_on_the_row() {
    let mut r = Recorder::default();
    connect(&mut r, "I", 0);
    let status = StatusView {
        network_id: 99,
        fork_digest: "00000001".into(),
        head: 42,
        head_id: "ab".repeat(32),
        lib: 39,
        fork_status: "normal".into(),
        node_mode: "sync".into(),
    };
    r.apply_light(LightPeerEvent::PeerStatus { peer_id: "I".into(), status: status.clone() }, 1);
    r.apply_light(LightPeerEvent::LocalStatus { status: status.clone(), at_ms: 1 }, 1);
    let i = row(&r, "I");
    assert_eq!(
        (i.network_id, i.peer_head, i.peer_fork_status.as_deref()),
        (Some(99), Some(42), Some("normal"))
    );
    assert_eq!(i.peer_fork.as_deref(), Some("NORMAL/SYNC"));
    assert_eq!(r.local_status(), Some(&status));
}

#[test]
fn a_drop_names_its_reason_but_a_trim_victim_keeps_its_verdict() {
    let mut r = Recorder::default();
    connect(&mut r, "I", 0);
    r.apply_light(
        LightPeerEvent::Dropped {
            peer_id: "I".into(),
            reason: "irrelevant_network".into(),
            at_ms: 1,
        },
        1,
    );
    assert_eq!(row(&r, "I").reason.as_deref(), Some("irrelevant_network"));

    connect(&mut r, "T", 2);
    r.apply_light(
        LightPeerEvent::Trimmed {
            at_ms: 3,
            trigger: "high_water".into(),
            connected: 2,
            target: 1,
            shortfall: 0,
            entries: vec![TrimEntryView {
                peer_id: "T".into(),
                score: 1.0,
                verdict: "closed_lowest_score".into(),
                closed: true,
                rank: Some(1),
            }],
        },
        3,
    );
    r.apply_light(
        LightPeerEvent::Dropped { peer_id: "T".into(), reason: "too_many_peers".into(), at_ms: 3 },
        3,
    );
    r.apply_light(
        LightPeerEvent::Disconnected {
            peer_id: "T".into(),
            transport: "websocket".into(),
            cause: None,
        },
        4,
    );
    let t = row(&r, "T");
    assert_eq!(t.state, "disconnected");
    assert_eq!(t.reason.as_deref(), Some("too_many_peers (closed_lowest_score)"));
}

fn engine_peer(peer: &str, state: &str) -> EnginePeerView {
    EnginePeerView {
        peer_id: peer.into(),
        state: state.into(),
        direction: Some("outbound".into()),
        agent_version: Some("peerkeeper-demo/0.1".into()),
        score: 4.0,
        tag_score: 10.0,
        behaviour_score: -6.0,
        application_score: 0.0,
        tags: vec![TagView { name: "useful".into(), value: 10, decaying: false }],
        protected: true,
        aligned: Some(true),
        strikes: 3,
        redial_in_ms: None,
        ban_remaining_ms: None,
        last_action: Some("page".into()),
        disconnect_reason: None,
    }
}

fn view(at_ms: u64, peers: Vec<EnginePeerView>) -> EngineView {
    let settings =
        SettingsView { low_water: 2, high_water: 3, grace_period_ms: 0, silence_period_ms: 500 };
    EngineView { at_ms, settings, connected: peers.len(), peers }
}

#[test]
fn the_engine_view_fills_score_parts_tags_protection_strikes_and_the_last_action() {
    let mut r = Recorder::default();
    connect(&mut r, "A", 0);
    r.apply_engine_view(&view(900, vec![engine_peer("A", "connected")]), 1_000);
    let a = row(&r, "A");
    assert_eq!(a.state, "connected");
    assert_eq!(
        (a.score, a.tag_score, a.behaviour_score, a.application_score),
        (Some(4.0), Some(10.0), Some(-6.0), Some(0.0))
    );
    assert_eq!(a.tags, vec![("useful".to_string(), 10, false)]);
    assert!(a.protected);
    assert_eq!((a.strikes, a.aligned), (3, Some(true)));
    assert_eq!(a.last_action.as_deref(), Some("page"));
    assert_eq!(a.agent.as_deref(), Some("peerkeeper-demo/0.1"));
    let settings = r.live_settings().expect("settings from the view");
    assert_eq!((settings.low_water, settings.high_water), (2, 3));
    let history = r.history("A").expect("a trace");
    assert_eq!(history.tags, vec![("useful".to_string(), vec![(1_000, 10.0)])]);
}

#[test]
fn countdowns_from_the_view_and_a_ban_event_land_on_the_page_clock() {
    let mut r = Recorder::default();
    connect(&mut r, "B", 0);
    let mut b = engine_peer("B", "connected");
    b.redial_in_ms = Some(2_000);
    // The page clock runs 300 ms ahead of the engine's.
    r.apply_engine_view(&view(700, vec![b]), 1_000);
    assert_eq!(row(&r, "B").backoff_until, Some(3_000));
    r.apply_light(
        LightPeerEvent::Banned {
            peer_id: "B".into(),
            reason: "banned".into(),
            until_ms: 10_700,
            at_ms: 800,
        },
        1_100,
    );
    let b = row(&r, "B");
    assert_eq!((b.banned_until, b.reason.as_deref()), (Some(11_000), Some("banned")));
    let mut banned = engine_peer("B", "banned");
    banned.ban_remaining_ms = Some(9_000);
    r.apply_engine_view(&view(2_000, vec![banned]), 2_300);
    let b = row(&r, "B");
    assert_eq!((b.state.as_str(), b.banned_until), ("banned", Some(11_300)));
}

#[test]
fn a_disconnect_by_the_page_leaves_the_row_disconnected_with_its_reason_whatever_the_view_says() {
    let mut r = Recorder::default();
    connect(&mut r, "C", 0);
    r.apply_light(
        LightPeerEvent::Dropped { peer_id: "C".into(), reason: "client_shutdown".into(), at_ms: 5 },
        5,
    );
    r.apply_engine_view(&view(5, vec![engine_peer("C", "disconnecting")]), 5);
    assert_eq!(row(&r, "C").state, "disconnecting");
    r.apply_light(
        LightPeerEvent::Disconnected {
            peer_id: "C".into(),
            transport: "websocket".into(),
            cause: None,
        },
        6,
    );
    // A view taken before the close arrives after it: the connection event wins.
    r.apply_engine_view(&view(5, vec![engine_peer("C", "connected")]), 7);
    let c = row(&r, "C");
    assert_eq!((c.state.as_str(), c.reason.as_deref()), ("disconnected", Some("client_shutdown")));
}

#[test]
fn control_events_update_the_row_and_the_peer_history() {
    let mut r = Recorder::default();
    connect(&mut r, "D", 0);
    let events = [
        LightPeerEvent::Tagged {
            peer_id: "D".into(),
            tag: "useful".into(),
            value: 25,
            decaying: false,
            at_ms: 1_000,
        },
        LightPeerEvent::Protected { peer_id: "D".into(), tag: "user".into(), at_ms: 1_100 },
        LightPeerEvent::Reported {
            peer_id: "D".into(),
            action: "low_tolerance".into(),
            name: "page".into(),
            delta: -10.0,
            score: -10.0,
            at_ms: 1_200,
        },
        LightPeerEvent::Unprotected {
            peer_id: "D".into(),
            tag: "user".into(),
            still_protected: false,
            at_ms: 1_300,
        },
        LightPeerEvent::TagRemoved {
            peer_id: "D".into(),
            tag: "useful".into(),
            cause: "removed".into(),
            at_ms: 1_400,
        },
    ];
    for (i, e) in events.into_iter().enumerate() {
        r.apply_light(e, 1_000 + 100 * i as u64);
    }
    let d = row(&r, "D");
    assert_eq!((d.tags.len(), d.protected, d.last_action.as_deref()), (0, false, Some("page")));
    let h = r.history("D").expect("a trace");
    assert_eq!(
        h.events,
        vec![
            "0.0 s connected over websocket",
            "1.0 s tag useful = 25",
            "1.1 s protected (user)",
            "1.2 s reported page (low_tolerance): -10.0 → -10.0",
            "1.3 s unprotected (user)",
            "1.4 s tag useful removed (removed)",
        ]
    );
    assert_eq!(h.tags, vec![("useful".to_string(), vec![(1_000, 25.0), (1_400, 0.0)])]);
}

#[test]
fn a_settings_change_becomes_the_live_settings() {
    let mut r = Recorder::default();
    let settings =
        SettingsView { low_water: 1, high_water: 2, grace_period_ms: 0, silence_period_ms: 0 };
    r.apply_light(LightPeerEvent::SettingsChanged { settings, trimmed: true, at_ms: 4_000 }, 4_100);
    assert_eq!(r.live_settings(), Some(settings));
}

#[test]
fn a_live_peer_history_tells_its_connection_strikes_and_close() {
    let mut r = Recorder::default();
    r.apply_engine_view(&view(1_000, vec![]), 1_200);
    connect(&mut r, "H", 1_700);
    r.apply_light(
        LightPeerEvent::Struck {
            peer_id: "H".into(),
            kind: "deserialization".into(),
            counted: true,
            strikes: 1,
            threshold: 10,
            at_ms: 2_000,
        },
        2_200,
    );
    r.apply_light(
        LightPeerEvent::Dropped {
            peer_id: "H".into(),
            reason: "client_shutdown".into(),
            at_ms: 2_500,
        },
        2_700,
    );
    r.apply_light(
        LightPeerEvent::Disconnected {
            peer_id: "H".into(),
            transport: "websocket".into(),
            cause: None,
        },
        2_800,
    );
    assert_eq!(
        r.history("H").expect("a trace").events,
        vec![
            "1.5 s connected over websocket",
            "2.0 s strike deserialization: 1/10",
            "2.5 s closing: client_shutdown",
            "2.6 s disconnected: closed",
        ]
    );
}

#[test]
fn a_restored_ban_counts_down_from_the_restored_engines_time_not_the_new_pages() {
    use peerkeeper_web::light_peer_event::RestoredPeerView;
    let mut r = Recorder::default();
    let banned = |until| RestoredPeerView {
        peer_id: "S".into(),
        score: -50.0,
        protected: false,
        reason: Some("banned".into()),
        banned_until_ms: until,
        agent_version: None,
    };
    // The engine carries on at 7 500 000 ms (snapshot time plus the time the page was closed)
    // while the new page's clock reads 300 ms: the ban's 1 500 000 ms left start from there.
    r.apply_light(
        LightPeerEvent::Restored { peers: vec![banned(Some(9_000_000))], at_ms: 7_500_000 },
        300,
    );
    assert_eq!(row(&r, "S").banned_until, Some(1_500_300));
    assert_eq!(row(&r, "S").reason.as_deref(), Some("banned"));
    // Later events are stamped on the same engine clock.
    r.apply_light(
        LightPeerEvent::Banned {
            peer_id: "T".into(),
            reason: "banned".into(),
            until_ms: 7_600_000,
            at_ms: 7_500_100,
        },
        400,
    );
    assert_eq!(row(&r, "T").banned_until, Some(100_300));
}

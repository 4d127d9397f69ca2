//! The recorder's live rows from light-peer events: what the demo network's peers do (strikes,
//! soft bans, alignment, redials, drops) lands on their rows.

use peerkeeper_web::light_peer_event::{LightPeerEvent, StatusView, TrimEntryView};
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

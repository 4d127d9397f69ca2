//! Snapshot format 2: a restored manager is indistinguishable from the original from the
//! snapshot on (same views, same events at the same times), and refused bytes change nothing.

use peerkeeper_core::snapshot::{SnapshotError, SNAPSHOT_VERSION};
use peerkeeper_core::strikes::StrikeKind;
use peerkeeper_core::{
    BumpFn, Config, ConnId, DecayFn, Direction, Event, Millis, PeerAction, PeerManager,
};

type P = String;

fn p(s: &str) -> P {
    s.to_owned()
}

fn config() -> Config {
    let mut c = Config { decay_resolution: 100, retention_ms: 50_000, ..Config::default() };
    c.behaviour.ban_duration_ms = 20_000;
    c.strikes.threshold = 2;
    c.strikes.ban_duration = 30_000;
    c
}

/// A manager whose peers have every kind of state, all disconnected by t = 1 000.
fn populated() -> PeerManager<P> {
    let mut pm = PeerManager::new(config()).unwrap();
    pm.connected(&p("a"), ConnId(1), Direction::Outbound, 10);
    pm.tag_peer(&p("a"), "kbucket", 7);
    pm.tag_peer_decaying_with_bump(
        &p("a"),
        "gossip",
        90,
        300,
        DecayFn::fixed(10),
        BumpFn::sum_bounded(0, 100),
        50,
    );
    pm.tag_peer_decaying(&p("b"), "seen", 5, 100, DecayFn::expire_when_inactive(1_000), 120);
    pm.tag_peer_decaying(&p("b"), "half", 64, 200, DecayFn::linear(0.5), 130);
    pm.protect(&p("b"), "relay");
    pm.protect(&p("b"), "bootstrap");
    pm.report_peer(&p("a"), PeerAction::MidTolerance, "timeout", 200).unwrap();
    pm.set_application_score(&p("a"), 1.5, 210).unwrap();
    pm.set_agent_version(&p("a"), "rust-libp2p/0.56".into());
    pm.set_address(&p("a"), "/ip4/127.0.0.1/tcp/1".into());
    pm.report_peer(&p("c"), PeerAction::Fatal, "invalid block", 300).unwrap();
    pm.strike(&p("d"), StrikeKind::Deserialization, 310);
    pm.strike(&p("d"), StrikeKind::Deserialization, 320);
    pm.strike(&p("e"), StrikeKind::ProtocolViolation, 330);
    pm.block(&p("f"), "unreachable", 340);
    pm.goodbye_received(&p("a"), 3, 400);
    pm.disconnected(&p("a"), ConnId(1), 1_000);
    while pm.poll_command().is_some() {}
    while pm.poll_event().is_some() {}
    pm
}

/// Every event both managers emit when driven to the same times.
fn replay(pm: &mut PeerManager<P>, times: &[Millis]) -> Vec<Event<P>> {
    let mut out = Vec::new();
    for &t in times {
        pm.handle_timeout(t);
        while let Some(e) = pm.poll_event() {
            out.push(e);
        }
    }
    out
}

#[test]
fn a_restored_manager_has_the_same_views_and_emits_the_same_events_as_the_original() {
    let mut original = populated();
    let bytes = original.export_snapshot(1_000);
    let mut restored: PeerManager<P> = PeerManager::new(config()).unwrap();
    // d and e live only in the strikes component, f only in the blocklist.
    assert_eq!(restored.import_snapshot(&bytes, 1_000), Ok(3));
    assert_eq!(restored.now(), 1_000);
    assert_eq!(restored.peers(1_000), original.peers(1_000));
    assert_eq!(restored.score_stats(1_000), original.score_stats(1_000));
    for peer in ["a", "b", "c", "d", "e", "f"] {
        let peer = p(peer);
        assert_eq!(restored.tags(&peer), original.tags(&peer), "{peer}");
        assert_eq!(
            restored.is_protected(&peer, Some("relay")),
            original.is_protected(&peer, Some("relay"))
        );
        assert_eq!(restored.last_disconnect(&peer), original.last_disconnect(&peer), "{peer}");
        assert_eq!(
            restored.allow_connection(&peer, 1_000),
            original.allow_connection(&peer, 1_000),
            "{peer}"
        );
        assert_eq!(restored.strikes(&peer), original.strikes(&peer), "{peer}");
        assert_eq!(restored.is_blocked(&peer), original.is_blocked(&peer), "{peer}");
    }
    assert_eq!(restored.last_disconnect(&p("a")).map(|d| d.code), Some(Some(3)));
    assert_eq!(restored.poll_timeout(), original.poll_timeout());
    let times = [1_100, 1_200, 1_500, 2_000, 5_000, 20_300, 30_320, 51_000, 60_000];
    let expected = replay(&mut original, &times);
    assert!(expected.iter().any(|e| matches!(e, Event::TagDecayed { .. })));
    assert!(expected.iter().any(|e| matches!(e, Event::Unbanned { .. })));
    assert!(expected.iter().any(|e| matches!(e, Event::BanExpired { .. })));
    assert!(expected.iter().any(|e| matches!(e, Event::PeerForgotten { .. })));
    assert_eq!(replay(&mut restored, &times), expected);
}

#[test]
fn importing_later_runs_what_fell_due_meanwhile_at_the_next_timeout() {
    let mut original = populated();
    let bytes = original.export_snapshot(1_000);
    let mut restored: PeerManager<P> = PeerManager::new(config()).unwrap();
    restored.import_snapshot(&bytes, 1_350).unwrap();
    assert_eq!(restored.now(), 1_350);
    // Nothing ran a timeout since t = 300 ("seen", set at 120 with a 100 ms interval, was
    // due then): the import keeps every due time, so the same catch-up runs.
    assert_eq!(original.poll_timeout(), Some(300));
    assert_eq!(restored.poll_timeout(), Some(300));
    original.handle_timeout(1_350);
    restored.handle_timeout(1_350);
    for (peer, tag) in [("a", "gossip"), ("b", "half"), ("b", "seen")] {
        assert_eq!(restored.tag_value(&p(peer), tag), original.tag_value(&p(peer), tag), "{tag}");
    }
    assert_eq!(restored.tag_value(&p("a"), "gossip"), Some(50));
}

#[test]
fn a_snapshot_of_a_restored_manager_is_byte_identical() {
    let bytes = populated().export_snapshot(1_000);
    let mut restored: PeerManager<P> = PeerManager::new(config()).unwrap();
    restored.import_snapshot(&bytes, 1_000).unwrap();
    assert_eq!(restored.export_snapshot(1_000), bytes);
}

#[test]
fn corrupt_truncated_foreign_and_future_bytes_are_refused_and_change_nothing() {
    let bytes = populated().export_snapshot(1_000);
    let mut pm: PeerManager<P> = PeerManager::new(config()).unwrap();
    pm.tag_peer(&p("z"), "keep", 1);
    let before = pm.export_snapshot(0);
    for i in 14..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x41;
        assert!(matches!(pm.import_snapshot(&bad, 0), Err(SnapshotError::Corrupt(_))), "byte {i}");
    }
    for len in [0, 3, 6, 13, 14, bytes.len() - 1] {
        assert!(pm.import_snapshot(&bytes[..len], 0).is_err(), "length {len}");
    }
    let mut future = bytes.clone();
    future[4] = (SNAPSHOT_VERSION + 1) as u8;
    assert_eq!(
        pm.import_snapshot(&future, 0),
        Err(SnapshotError::FutureVersion(SNAPSHOT_VERSION + 1))
    );
    assert_eq!(pm.import_snapshot(b"{\"now\":1}", 0), Err(SnapshotError::NotASnapshot));
    let mut v1 = bytes.clone();
    v1[4] = 1;
    assert_eq!(pm.import_snapshot(&v1, 0), Err(SnapshotError::OlderVersion(1)));
    let mut other = config();
    other.strikes.threshold = 9;
    let mut elsewhere: PeerManager<P> = PeerManager::new(other).unwrap();
    assert_eq!(
        elsewhere.import_snapshot(&bytes, 0),
        Err(SnapshotError::Corrupt("taken with another `strikes` config section".into()))
    );
    assert_eq!(pm.export_snapshot(0), before);
    assert_eq!(pm.tag_value(&p("z"), "keep"), Some(1));
}

#[test]
fn with_track_lifecycle_tracked_peers_are_dialled_again_and_banned_ones_wait() {
    let mut c = config();
    c.track_lifecycle = true;
    let mut pm: PeerManager<P> = PeerManager::new(c.clone()).unwrap();
    pm.add_peer(&p("ok"), 0);
    pm.add_peer(&p("bad"), 0);
    pm.soft_ban(&p("bad"), "operator", 5);
    let bytes = pm.export_snapshot(10);
    let mut restored: PeerManager<P> = PeerManager::new(c).unwrap();
    restored.import_snapshot(&bytes, 10).unwrap();
    restored.handle_timeout(10);
    let mut dials = Vec::new();
    while let Some(cmd) = restored.poll_command() {
        dials.push(cmd);
    }
    assert_eq!(dials, vec![peerkeeper_core::Command::Dial { peer: p("ok") }]);
    assert!(restored.soft_ban_of(&p("bad")).is_some());
    assert_eq!(restored.next_dial_at(&p("bad")), None);
}

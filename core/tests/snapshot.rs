//! Snapshot format 2: a restored manager is indistinguishable from the original from the
//! snapshot on (same views, same events at the same times), and refused bytes change nothing.

use peerkeeper_core::snapshot::{frame, unframe, SnapshotError, SNAPSHOT_VERSION};
use peerkeeper_core::strikes::StrikeKind;
use peerkeeper_core::{
    BumpFn, Command, Config, ConnId, DecayFn, Direction, Event, Millis, PeerAction, PeerManager,
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
fn the_header_carries_magic_version_length_and_the_ieee_crc32_of_the_payload() {
    // "123456789" is CRC-32's check string; zlib and crc32fast give 0xCBF43926 for it, so
    // snapshots written before the checksum changed crates still read.
    let framed = frame(3, b"123456789");
    assert_eq!(&framed[..6], b"PKSN\x03\x00");
    assert_eq!(framed[6..10], 9u32.to_le_bytes());
    assert_eq!(framed[10..14], 0xCBF4_3926u32.to_le_bytes());
    assert_eq!(unframe(&framed), Ok((3, &b"123456789"[..])));
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

/// Runs `pm` to each time, failing every dial it issues at once; returns the events and
/// commands in order.
fn drive_dials(pm: &mut PeerManager<P>, times: &[Millis]) -> (Vec<Event<P>>, Vec<Command<P>>) {
    let (mut events, mut commands) = (Vec::new(), Vec::new());
    for &t in times {
        pm.handle_timeout(t);
        while let Some(cmd) = pm.poll_command() {
            if let Command::Dial { peer } = &cmd {
                assert!(pm.dial_failed(peer, t), "{peer} at {t}");
            }
            commands.push(cmd);
        }
        while let Some(e) = pm.poll_event() {
            events.push(e);
        }
    }
    (events, commands)
}

/// Three tracked peers whose dials keep failing: "a" twice (next dial 90 000, next wait
/// 120 s), "b" once (next dial 35 000), "bad" once and then soft-banned until 40 000.
fn failing_dials() -> (Config, PeerManager<P>) {
    let mut c = config();
    c.track_lifecycle = true;
    let mut pm: PeerManager<P> = PeerManager::new(c.clone()).unwrap();
    pm.add_peer(&p("a"), 0);
    pm.add_peer(&p("bad"), 0);
    drive_dials(&mut pm, &[0]);
    pm.add_peer(&p("b"), 5_000);
    drive_dials(&mut pm, &[5_000]);
    pm.soft_ban(&p("bad"), "operator", 10_000);
    drive_dials(&mut pm, &[30_000]);
    (c, pm)
}

#[test]
fn reconnect_backoff_and_the_isolation_clock_survive_a_snapshot() {
    let (c, mut original) = failing_dials();
    assert_eq!(original.next_dial_at(&p("a")), Some(90_000));
    assert_eq!(original.next_dial_at(&p("b")), Some(35_000));
    let bytes = original.export_snapshot(32_000);
    assert_eq!(&bytes[4..6], &[3, 0]);
    let mut restored: PeerManager<P> = PeerManager::new(c).unwrap();
    restored.import_snapshot(&bytes, 32_000).unwrap();
    assert_eq!(restored.next_dial_at(&p("a")), Some(90_000));
    assert_eq!(restored.next_dial_at(&p("b")), Some(35_000));
    assert_eq!(restored.next_dial_at(&p("bad")), None);
    assert_eq!(restored.peers(32_000), original.peers(32_000));
    assert_eq!(restored.poll_command(), None);
    // The import re-enters each tracked peer's lifecycle; what follows must match.
    while original.poll_event().is_some() {}
    while restored.poll_event().is_some() {}
    let times = [35_000, 40_000, 60_000, 61_000];
    let expected = drive_dials(&mut original, &times);
    // b's second failure waits 60 s; bad, let out at 40 000, waits its saved 60 s, not a
    // fresh 30 s; nobody was active since t = 0, so the reset fires at 60 000, not 92 000.
    let scheduled: Vec<(&str, Millis, u32)> = expected
        .0
        .iter()
        .filter_map(|e| match e {
            Event::DialScheduled { peer, due, failures, .. } => {
                Some((peer.as_str(), *due, *failures))
            }
            _ => None,
        })
        .collect();
    assert_eq!(scheduled[..2], [("b", 95_000, 2), ("bad", 100_000, 1)], "{:?}", expected.0);
    assert!(expected.0.iter().any(|e| matches!(
        e,
        Event::IsolationReset { isolated_since: 0, at: 60_000, redialled } if redialled.len() == 3
    )));
    assert_eq!(drive_dials(&mut restored, &times), expected);
}

#[test]
fn a_peer_connected_at_the_snapshot_is_dialled_at_the_import_keeping_its_wait() {
    let (c, mut pm) = failing_dials();
    pm.handle_timeout(35_000);
    assert_eq!(pm.poll_command(), Some(Command::Dial { peer: p("b") }));
    pm.connected(&p("b"), ConnId(7), Direction::Outbound, 35_000);
    let mut restored: PeerManager<P> = PeerManager::new(c.clone()).unwrap();
    restored.import_snapshot(&pm.export_snapshot(36_000), 36_000).unwrap();
    assert_eq!(restored.poll_command(), Some(Command::Dial { peer: p("b") }));
    restored.dial_failed(&p("b"), 36_000);
    // One failure before the connection, which was not up 300 s: the next wait is 60 s.
    assert_eq!(restored.next_dial_at(&p("b")), Some(96_000));
    // Up 300 s by the snapshot: the wait was reset, as the original would on a drop.
    let mut restored: PeerManager<P> = PeerManager::new(c).unwrap();
    restored.import_snapshot(&pm.export_snapshot(335_000), 335_000).unwrap();
    restored.handle_timeout(335_000);
    while let Some(cmd) = restored.poll_command() {
        if cmd == (Command::Dial { peer: p("b") }) {
            restored.dial_failed(&p("b"), 335_000);
        }
    }
    assert_eq!(restored.next_dial_at(&p("b")), Some(365_000));
}

#[test]
fn a_format_2_snapshot_is_still_read_and_its_tracked_peers_start_a_fresh_backoff() {
    let (c, original) = failing_dials();
    let v3 = original.export_snapshot(32_000);
    let (_, payload) = unframe(&v3).unwrap();
    // Format 3 appends the backoff list and the isolation clock to format 2's payload, and
    // neither format takes bytes left over: exactly one prefix reads as format 2.
    let reads = |i: usize| {
        let mut pm: PeerManager<P> = PeerManager::new(c.clone()).unwrap();
        pm.import_snapshot(&frame(2, &payload[..i]), 32_000).is_ok()
    };
    let cuts: Vec<usize> = (0..=payload.len()).filter(|&i| reads(i)).collect();
    assert_eq!(cuts.len(), 1, "{cuts:?} of {}", payload.len());
    let cut = cuts[0];
    // Three peers' backoffs (a name, a wait, a count, a due time each) and the clock.
    assert!(payload.len() - cut > 3 * 5, "{} bytes of backoff", payload.len() - cut);
    let trailing = frame(3, &[payload, &[0][..]].concat());
    let mut pm: PeerManager<P> = PeerManager::new(c.clone()).unwrap();
    assert_eq!(
        pm.import_snapshot(&trailing, 0),
        Err(SnapshotError::Corrupt("1 bytes after the payload".into()))
    );
    let v2 = frame(2, &payload[..cut]);
    let mut restored: PeerManager<P> = PeerManager::new(c).unwrap();
    // No peer has a tag or a score: no peer records, only tracked peers and a ban.
    assert_eq!(restored.import_snapshot(&v2, 32_000), Ok(0));
    assert!(restored.soft_ban_of(&p("bad")).is_some());
    // Due at the import, with the initial wait after the next failure.
    let dials: Vec<_> = std::iter::from_fn(|| restored.poll_command()).collect();
    assert_eq!(dials, vec![Command::Dial { peer: p("a") }, Command::Dial { peer: p("b") }]);
    restored.dial_failed(&p("a"), 32_000);
    assert_eq!(restored.next_dial_at(&p("a")), Some(62_000));
}

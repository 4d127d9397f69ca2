//! The peer views: `NodePeer` states, disconnect reasons and their lifetime, the bounded
//! last-disconnect record, JSON names and omission, and a golden `peers()` document.

use peerkeeper_core::{
    Command, Config, ConnId, Direction, DisconnectReason, DisconnectRecord, DownscoreReason,
    Millis, NodePeer, PeerAction, PeerManager, PeerState,
};

fn pm() -> PeerManager<String> {
    PeerManager::new(Config::default()).unwrap()
}

fn id(s: &str) -> String {
    s.to_string()
}

fn commands(pm: &mut PeerManager<String>) -> Vec<Command<String>> {
    std::iter::from_fn(|| pm.poll_command()).collect()
}

fn view(pm: &PeerManager<String>, p: &str, now: Millis) -> NodePeer<String> {
    pm.peer(&id(p), now).expect("known peer")
}

#[test]
fn a_goodbye_received_is_shown_only_once_the_peer_is_disconnected() {
    let mut pm = pm();
    let p = id("p");
    pm.connected(&p, ConnId(1), Direction::Inbound, 0);
    assert_eq!(pm.goodbye_received(&p, 129, 10), DisconnectReason::TooManyPeers);
    let v = view(&pm, "p", 10);
    assert_eq!((v.state, v.disconnect_reason), (PeerState::Connected, None));
    pm.disconnected(&p, ConnId(1), 20);
    let v = view(&pm, "p", 20);
    assert_eq!(
        (v.state, v.disconnect_reason),
        (PeerState::Disconnected, Some(DisconnectReason::TooManyPeers))
    );
    assert_eq!(
        pm.last_disconnect(&p),
        Some(DisconnectRecord {
            reason: DisconnectReason::TooManyPeers,
            code: Some(129),
            sent: false,
            at: 10
        })
    );
}

#[test]
fn a_goodbye_we_send_makes_the_peer_disconnecting_with_that_reason() {
    let mut pm = pm();
    let p = id("p");
    pm.connected(&p, ConnId(1), Direction::Outbound, 0);
    assert!(pm.disconnect_with_goodbye(&p, DisconnectReason::IrrelevantNetwork, 5));
    assert!(!pm.disconnect_with_goodbye(&p, DisconnectReason::IoError, 6), "already going");
    assert!(!pm.disconnect_with_goodbye(&id("other"), DisconnectReason::IoError, 6));
    assert_eq!(
        commands(&mut pm),
        vec![Command::Disconnect { peer: p.clone(), reason: DisconnectReason::IrrelevantNetwork }]
    );
    let v = view(&pm, "p", 5);
    assert_eq!(
        (v.state, v.disconnect_reason, v.direction),
        (
            PeerState::Disconnecting,
            Some(DisconnectReason::IrrelevantNetwork),
            Some(Direction::Outbound)
        )
    );
    pm.disconnected(&p, ConnId(1), 7);
    let v = view(&pm, "p", 7);
    assert_eq!(
        (v.state, v.disconnect_reason, v.direction),
        (PeerState::Disconnected, Some(DisconnectReason::IrrelevantNetwork), None)
    );
    assert_eq!(pm.last_disconnect(&p).unwrap().code, Some(2));
    assert!(pm.last_disconnect(&p).unwrap().sent);
}

#[test]
fn a_bare_close_is_recorded_as_inbound_disconnect() {
    let mut pm = pm();
    let p = id("p");
    pm.connected(&p, ConnId(1), Direction::Inbound, 0);
    pm.connected(&p, ConnId(2), Direction::Inbound, 0);
    pm.disconnected(&p, ConnId(1), 3);
    assert_eq!(pm.last_disconnect(&p), None, "one connection is still open");
    pm.disconnected(&p, ConnId(2), 4);
    assert_eq!(
        pm.last_disconnect(&p),
        Some(DisconnectRecord {
            reason: DisconnectReason::InboundDisconnect,
            code: None,
            sent: false,
            at: 4
        })
    );
}

#[test]
fn reconnecting_clears_the_last_disconnect_so_the_next_bare_close_is_recorded() {
    let mut pm = pm();
    let p = id("p");
    pm.connected(&p, ConnId(1), Direction::Inbound, 0);
    pm.goodbye_received(&p, 250, 1);
    pm.disconnected(&p, ConnId(1), 2);
    assert_eq!(view(&pm, "p", 2).disconnect_reason, Some(DisconnectReason::BadScore));
    pm.connected(&p, ConnId(2), Direction::Inbound, 3);
    assert_eq!(pm.last_disconnect(&p), None);
    assert_eq!(view(&pm, "p", 3).disconnect_reason, None);
    pm.disconnected(&p, ConnId(2), 4);
    assert_eq!(view(&pm, "p", 4).disconnect_reason, Some(DisconnectReason::InboundDisconnect));
}

#[test]
fn an_unrecognised_goodbye_code_reads_unknown_and_keeps_its_code() {
    let mut pm = pm();
    let p = id("p");
    pm.connected(&p, ConnId(1), Direction::Inbound, 0);
    assert_eq!(pm.goodbye_received(&p, 7, 1), DisconnectReason::Unknown);
    assert_eq!(pm.last_disconnect(&p).unwrap().code, Some(7));
}

#[test]
fn the_last_disconnect_record_keeps_the_newest_1024_peers() {
    let config = Config { max_retained_peers: 4_096, ..Config::default() };
    let mut pm = PeerManager::new(config).unwrap();
    let peer = |i: u64| format!("p{i:04}");
    for i in 0..1_025u64 {
        pm.connected(&peer(i), ConnId(i), Direction::Inbound, i);
        pm.disconnected(&peer(i), ConnId(i), i);
    }
    assert_eq!(pm.last_disconnect(&peer(0)), None);
    assert_eq!(pm.peer(&peer(0), 2_000).unwrap().disconnect_reason, None);
    assert_eq!(pm.last_disconnect(&peer(1)).unwrap().at, 1);
    assert_eq!(pm.last_disconnect(&peer(1_024)).unwrap().at, 1_024);
    // A rewrite makes the peer newest, so the oldest other record goes next.
    pm.goodbye_received(&peer(1), 3, 2_000);
    pm.goodbye_received(&peer(5_000), 3, 2_001);
    assert_eq!(pm.last_disconnect(&peer(2)), None);
    assert_eq!(pm.last_disconnect(&peer(1)).unwrap().reason, DisconnectReason::IoError);
}

#[test]
fn a_trim_records_too_many_peers_for_the_peers_it_closes() {
    let cfg = Config { low_water: 1, high_water: 1, grace_period: 0, ..Config::default() };
    let mut pm = PeerManager::new(cfg).unwrap();
    pm.connected(&id("a"), ConnId(1), Direction::Inbound, 0);
    pm.connected(&id("b"), ConnId(2), Direction::Inbound, 1);
    let v = view(&pm, "a", 1);
    assert_eq!(
        (v.state, v.disconnect_reason),
        (PeerState::Disconnecting, Some(DisconnectReason::TooManyPeers))
    );
}

#[test]
fn the_downscore_reason_is_the_vocabulary_entry_of_the_last_report() {
    let mut pm = pm();
    let p = id("p");
    pm.report_peer(&p, PeerAction::HighTolerance, "REQUEST_ERROR_RATE_LIMITED", 0).unwrap();
    assert_eq!(view(&pm, "p", 0).downscore_reasons, vec![DownscoreReason::RateLimited]);
    pm.report_peer(&p, PeerAction::LowTolerance, "gossip_reject", 1).unwrap();
    pm.set_application_score(&p, -1.0, 2).unwrap();
    assert_eq!(view(&pm, "p", 2).downscore_reasons, vec![DownscoreReason::GossipInvalid]);
}

#[test]
fn json_uses_snake_case_names_and_omits_fields_without_data() {
    let mut pm = pm();
    pm.connected(&id("bare"), ConnId(1), Direction::Inbound, 0);
    assert_eq!(
        serde_json::to_string(&view(&pm, "bare", 0)).unwrap(),
        r#"{"peer_id":"bare","enr":null,"state":"connected","direction":"inbound","score":0.0}"#
    );
    let p = id("full");
    pm.set_address(&p, "/ip4/127.0.0.1/tcp/9000".into());
    pm.set_agent_version(&p, "lighthouse/v5.1.0".into());
    pm.report_peer(&p, PeerAction::MidTolerance, "REQUEST_ERROR_INVALID_REQUEST", 0).unwrap();
    pm.goodbye_received(&p, 3, 0);
    assert_eq!(
        serde_json::to_string(&view(&pm, "full", 0)).unwrap(),
        concat!(
            r#"{"peer_id":"full","enr":null,"last_seen_p2p_address":"/ip4/127.0.0.1/tcp/9000","#,
            r#""state":"disconnected","agent_version":"lighthouse/v5.1.0","score":-5.0,"#,
            r#""disconnect_reason":"io_error","downscore_reasons":["invalid_request"]}"#
        )
    );
}

#[test]
fn score_stats_json_names_and_omission() {
    let mut pm = pm();
    pm.tag_peer(&id("a"), "t", 3);
    pm.report_peer(&id("b"), PeerAction::LowTolerance, "BadSyncBlocks", 40).unwrap();
    let json = serde_json::to_string(&pm.score_stats(40)).unwrap();
    assert_eq!(
        json,
        concat!(
            r#"[{"peer_id":"a","behaviour_score":0.0,"application_score":0.0,"tag_score":3.0,"#,
            r#""score":3.0},"#,
            r#"{"peer_id":"b","behaviour_score":-10.0,"application_score":0.0,"tag_score":0.0,"#,
            r#""score":-10.0,"last_action_name":"BadSyncBlocks","last_action_delta":-10.0,"#,
            r#""last_action_time":40}]"#
        )
    );
}

/// A scripted history touching every field and state; `peers()` at its end must match
/// `tests/golden/peers.json` byte for byte.
fn scripted_history() -> String {
    let cfg = Config { low_water: 3, high_water: 3, grace_period: 0, ..Config::default() };
    let mut pm = PeerManager::new(cfg).unwrap();
    let mut conn = 0;
    let mut connect = |pm: &mut PeerManager<String>, p: &str, dir, t| {
        conn += 1;
        pm.connected(&id(p), ConnId(conn), dir, t);
        ConnId(conn)
    };
    // Four peers arrive; "dave" makes four and the trim closes the lowest score.
    let alice = connect(&mut pm, "alice", Direction::Outbound, 0);
    pm.set_agent_version(&id("alice"), "Lighthouse/v5.3.0/x86_64-linux".into());
    pm.set_address(&id("alice"), "/ip4/127.0.0.1/tcp/9000".into());
    pm.tag_peer(&id("alice"), "validator_duty", 20);
    connect(&mut pm, "bob", Direction::Inbound, 1_000);
    pm.set_agent_version(&id("bob"), "Prysm/v5.0.0".into());
    // Every report that can decay happens at 2 000 and the view is taken two half-lives
    // later, so scores are exact binary fractions whatever the platform's exp2.
    pm.report_peer(&id("bob"), PeerAction::HighTolerance, "REQUEST_ERROR_TTFB_TIMEOUT", 2_000)
        .unwrap();
    // alice gets an application score and a mild report; she stays connected.
    pm.set_application_score(&id("alice"), 2.5, 2_000).unwrap();
    pm.report_peer(&id("alice"), PeerAction::Custom { delta: -2.0 }, "fork_digest_mismatch", 2_000)
        .unwrap();
    // erin only ever appears in a score report.
    pm.report_peer(&id("erin"), PeerAction::MidTolerance, "REQUEST_ERROR_INVALID_REQUEST", 2_000)
        .unwrap();
    let carol = connect(&mut pm, "carol", Direction::Inbound, 3_000);
    pm.tag_peer(&id("carol"), "useful", 5);
    connect(&mut pm, "dave", Direction::Inbound, 4_000);
    pm.tag_peer(&id("dave"), "useful", 1);
    // The trim chose bob (score -1); the host has not closed it yet: disconnecting.
    assert_eq!(
        commands(&mut pm),
        vec![Command::Disconnect { peer: id("bob"), reason: DisconnectReason::TooManyPeers }]
    );
    // carol sends a goodbye (irrelevant network) and leaves.
    pm.goodbye_received(&id("carol"), 2, 5_000);
    pm.disconnected(&id("carol"), carol, 5_000);
    // dave spams gossip: -20 closes him (bad_score), -50 bans him (the score is frozen
    // until 1 806 000, so the view shows -50 plus his tag).
    for t in [6_000, 6_000, 6_000, 6_000, 6_000] {
        pm.report_peer(&id("dave"), PeerAction::LowTolerance, "gossip_spam", t).unwrap();
    }
    let dave_cmds = commands(&mut pm);
    assert_eq!(
        dave_cmds,
        vec![Command::Disconnect { peer: id("dave"), reason: DisconnectReason::BadScore }]
    );
    pm.disconnected(&id("dave"), ConnId(4), 6_100);
    // frank left without a goodbye.
    let frank = connect(&mut pm, "frank", Direction::Outbound, 8_500);
    pm.disconnected(&id("frank"), frank, 9_000);
    let _ = alice;
    let mut out = serde_json::to_string_pretty(&pm.peers(2_000 + 2 * 600_000)).unwrap();
    out.push('\n');
    out
}

#[test]
fn peers_over_a_scripted_history_match_the_golden_file_byte_for_byte() {
    let got = scripted_history();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/peers.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &got).unwrap();
    }
    let want = std::fs::read_to_string(path).expect("golden file (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(got, want);
}

#[test]
fn a_forgotten_peers_record_goes_with_it_and_is_not_inherited() {
    let mut pm = PeerManager::new(Config { max_retained_peers: 1, ..Config::default() }).unwrap();
    pm.connected(&id("a"), ConnId(1), Direction::Inbound, 0);
    pm.disconnected(&id("a"), ConnId(1), 1);
    assert!(pm.last_disconnect(&id("a")).is_some());
    pm.tag_peer(&id("b"), "t", 1);
    assert_eq!(pm.peer(&id("a"), 1), None, "a was forgotten");
    pm.tag_peer(&id("c"), "t", 1);
    assert_eq!(pm.last_disconnect(&id("c")), None);
    assert_eq!(pm.peer(&id("c"), 1).unwrap().disconnect_reason, None);
}

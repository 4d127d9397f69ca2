//! What the view hands the facade: its stats snapshot, our own status for the wire, and the
//! JSON shape of every outcome.

#[path = "fork_harness.rs"]
mod harness;

use harness::*;
use peerkeeper_core::fork::{
    render_compact, render_header, AlignmentCause, BlockRange, ForkOutcome, ForkStatus, ModeCause,
    NodeMode, StrikeKind,
};
use peerkeeper_core::DisconnectReason;
use serde_json::json;

#[test]
fn node_stats_describe_the_view_and_render_as_stats_lines() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 100), at(A, 90)));
    h.connect("p2", status(at(A, 105), at(A, 95)));
    h.view.set_paused(true, 8_143_000);
    let mut stats = h.view.node_stats(8_143_000);
    assert_eq!(stats.mode, NodeMode::Forward);
    assert_eq!((stats.head, stats.lib), (100, 90));
    assert_eq!((stats.exchange_peers, stats.connections, stats.peer_entries), (1, 2, 2));
    assert_eq!(stats.flags, vec!["paused".to_owned()]);
    stats.dlt_range = Some(BlockRange { earliest: 1, latest: 100 });
    assert_eq!(
        render_compact(&stats),
        "DLT Status | FORWARD | head=#100 lib=#90 | dlt_range=1-100 | peers=1active/2conn | uptime=2h15m43s | flags=paused"
    );
    assert_eq!(
        render_header(&stats),
        "=== DLT P2P Stats | status=FWD fork=NORMAL head=100 lib=90 peers=2 conn=2 paused=YES uptime=2h15m43s ==="
    );
}

#[test]
fn a_peer_without_a_status_is_still_shaking_hands() {
    let mut h = Harness::new(90, 100);
    h.view.peer_connected("p1", 0);
    let line = h.view.peer_line(&"p1").unwrap();
    let json = serde_json::to_value(&line).unwrap();
    assert_eq!(json["lifecycle"], "handshake");
    assert_eq!(json["head"], serde_json::Value::Null);
    assert_eq!(h.view.peer_line(&"nobody"), None);
}

#[test]
fn local_status_is_what_we_tell_peers() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 100), at(A, 90)));
    let range = Some(BlockRange { earliest: 1, latest: 100 });
    let ours = h.view.local_status(range, true, false);
    assert_eq!(ours.network_id, NET);
    assert_eq!(ours.fork_digest, DIGEST);
    assert_eq!((ours.head, ours.lib), (at(A, 100), at(A, 90)));
    assert_eq!(ours.node_mode, NodeMode::Forward);
    assert_eq!(ours.fork_status, ForkStatus::Normal);
    assert!(ours.emergency && !ours.emergency_key);
    assert_eq!(ours.range, range);
}

#[test]
fn every_outcome_serializes_with_a_snake_case_type_tag() {
    let cases: Vec<(ForkOutcome<Peer>, serde_json::Value)> = vec![
        (
            ForkOutcome::Disconnect { peer: "p1", reason: DisconnectReason::UnviableFork },
            json!({"type": "disconnect", "peer": "p1", "reason": "unviable_fork"}),
        ),
        (
            ForkOutcome::AlignmentChanged {
                peer: "p1",
                aligned: true,
                why: AlignmentCause::ForwardTransition,
            },
            json!({"type": "alignment_changed", "peer": "p1", "aligned": true, "why": "forward_transition"}),
        ),
        (
            ForkOutcome::NodeModeChanged {
                from: NodeMode::Forward,
                to: NodeMode::Sync,
                why: ModeCause::MinorityFork,
            },
            json!({"type": "node_mode_changed", "from": "forward", "to": "sync", "why": "minority_fork"}),
        ),
        (
            ForkOutcome::RequestBlocks { peer: "p2", from: 101, count: 100 },
            json!({"type": "request_blocks", "peer": "p2", "from": 101, "count": 100}),
        ),
        (
            ForkOutcome::GapFillTimedOut { peer: "p2", from: 101 },
            json!({"type": "gap_fill_timed_out", "peer": "p2", "from": 101}),
        ),
        (ForkOutcome::NoBridgingPeer { from: 7 }, json!({"type": "no_bridging_peer", "from": 7})),
        (
            ForkOutcome::Strike { peer: "p3", kind: StrikeKind::DeadForkBlock },
            json!({"type": "strike", "peer": "p3", "kind": "dead_fork_block"}),
        ),
    ];
    for (outcome, expected) in cases {
        assert_eq!(serde_json::to_value(&outcome).unwrap(), expected);
        let back: ForkOutcome<String> = serde_json::from_value(expected).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(&outcome).unwrap());
    }
    let switch: ForkOutcome<Peer> =
        ForkOutcome::SwitchFork { fork_point: at(A, 99), to: at(B, 147) };
    let value = serde_json::to_value(&switch).unwrap();
    assert_eq!(value["type"], "switch_fork");
    assert_eq!(value["to"]["number"], 147);
}

#[test]
fn commands_are_told_apart_from_events() {
    let commands: Vec<ForkOutcome<Peer>> = vec![
        ForkOutcome::Disconnect { peer: "p", reason: DisconnectReason::IrrelevantNetwork },
        ForkOutcome::SwitchFork { fork_point: at(A, 1), to: at(B, 2) },
        ForkOutcome::RequestBlocks { peer: "p", from: 1, count: 1 },
        ForkOutcome::Strike { peer: "p", kind: StrikeKind::DeadForkBlock },
    ];
    let events: Vec<ForkOutcome<Peer>> = vec![
        ForkOutcome::AlignmentChanged {
            peer: "p",
            aligned: false,
            why: AlignmentCause::ForkMismatch,
        },
        ForkOutcome::ForkStatusChanged { from: ForkStatus::Normal, to: ForkStatus::Looking },
        ForkOutcome::NodeModeChanged {
            from: NodeMode::Sync,
            to: NodeMode::Forward,
            why: ModeCause::CaughtUp,
        },
        ForkOutcome::SyncStalled,
        ForkOutcome::GapFillTimedOut { peer: "p", from: 1 },
        ForkOutcome::NoBridgingPeer { from: 1 },
    ];
    assert!(commands.iter().all(ForkOutcome::is_command));
    assert!(!events.iter().any(ForkOutcome::is_command));
}

#[test]
fn the_default_config_is_valid_and_rule_switching_zeros_are_refused() {
    use peerkeeper_core::fork::{ForkConfig, ForkConfigError};
    let config = ForkConfig::new(NET, DIGEST);
    assert_eq!(config.validate(), Ok(()));
    let mut bad = config.clone();
    bad.confirmation_blocks = 0;
    assert_eq!(bad.validate(), Err(ForkConfigError::Zero { field: "confirmation_blocks" }));
    let mut bad = config.clone();
    bad.tree_capacity = 1;
    assert_eq!(
        bad.validate().unwrap_err().to_string(),
        "tree_capacity must hold at least our head and one more header, got 1"
    );
}

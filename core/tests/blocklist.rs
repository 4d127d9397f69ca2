//! Blocklists across epochs, probes and the transport-versus-application rule (seed 002).

use peerkeeper_core::blocklist::{
    BlockResult, Blocklist, BlocklistCommand, BlocklistConfig, ProbeOutcome, Role, TransportFailure,
};

use Role::{Backup, Primary};

fn blocklist(set: &[(&'static str, Role)]) -> Blocklist<&'static str> {
    let mut b = Blocklist::new(BlocklistConfig::default()).unwrap();
    b.epoch_transition(set.iter().copied(), 0);
    b
}

#[test]
fn blocking_a_backup_peer_is_not_a_no_op() {
    let mut b = blocklist(&[("p1", Primary), ("b1", Backup), ("b2", Backup)]);
    assert_eq!(b.block(&"b1", "relay timeout", 10), BlockResult::Blocked);
    assert!(b.is_blocked(&"b1"));
    assert_eq!(b.usable(Backup).copied().collect::<Vec<_>>(), ["b2"]);
    assert_eq!(b.usable(Primary).copied().collect::<Vec<_>>(), ["p1"]);
    assert_eq!(b.block(&"b1", "again", 20), BlockResult::AlreadyBlocked);
    assert_eq!(b.block_info(&"b1").unwrap().reason, "relay timeout");
    assert_eq!(b.block(&"stranger", "x", 0), BlockResult::UnknownPeer);
}

#[test]
fn an_epoch_transition_carries_a_blocked_backup_over_and_asks_for_a_probe() {
    let mut b = blocklist(&[("p1", Primary), ("b1", Backup), ("b2", Backup), ("gone", Backup)]);
    b.block(&"b1", "relay timeout", 10);
    b.block(&"p1", "bad data", 11);
    b.block(&"gone", "x", 12);
    // p1 moves to the backup list; b2 stays unblocked; "gone" leaves the set.
    let t =
        b.epoch_transition([("b1", Backup), ("p1", Backup), ("b2", Backup), ("n", Primary)], 100);
    assert_eq!(t.epoch, 2);
    assert_eq!(t.reblocked, vec![("b1", Backup), ("p1", Backup)]);
    assert_eq!(t.dropped, vec!["gone"]);
    assert_eq!(
        t.commands,
        vec![BlocklistCommand::Probe { peer: "b1" }, BlocklistCommand::Probe { peer: "p1" }]
    );
    assert!(b.is_blocked(&"b1") && b.is_blocked(&"p1"));
    assert!(!b.is_blocked(&"b2"));
    assert!(!b.contains(&"gone"));
    let block = b.block_info(&"b1").unwrap();
    assert_eq!(
        (block.since, block.carried_epochs, block.reason.as_str()),
        (10, 1, "relay timeout")
    );
    assert_eq!(b.usable(Backup).copied().collect::<Vec<_>>(), ["b2"]);
}

#[test]
fn a_block_survives_several_epochs_until_a_probe_passes() {
    let mut b = blocklist(&[("b1", Backup)]);
    b.block(&"b1", "r", 0);
    b.epoch_transition([("b1", Backup)], 10);
    assert_eq!(b.probe_result(&"b1", false, 11), ProbeOutcome::StillBlocked);
    assert!(!b.is_healthy(&"b1"));
    let t = b.epoch_transition([("b1", Backup)], 20);
    assert_eq!(t.reblocked, vec![("b1", Backup)]);
    assert_eq!(b.block_info(&"b1").unwrap().carried_epochs, 2);
    assert_eq!(b.probe_result(&"b1", true, 21), ProbeOutcome::Unblocked);
    assert!(!b.is_blocked(&"b1"));
    assert!(b.is_healthy(&"b1"));
    assert_eq!(b.usable(Backup).copied().collect::<Vec<_>>(), ["b1"]);
}

#[test]
fn a_probe_result_nobody_asked_for_is_ignored() {
    let mut b = blocklist(&[("b1", Backup)]);
    b.block(&"b1", "r", 0);
    assert_eq!(b.probe_result(&"b1", true, 1), ProbeOutcome::NotPending);
    assert!(b.is_blocked(&"b1"));
    b.epoch_transition([("b1", Backup)], 10);
    assert_eq!(b.probe_result(&"b1", true, 11), ProbeOutcome::Unblocked);
    assert_eq!(b.probe_result(&"b1", true, 12), ProbeOutcome::NotPending);
    assert_eq!(b.probe_result(&"nobody", true, 12), ProbeOutcome::NotPending);
}

#[test]
fn a_successful_reconnect_unblocks() {
    let mut b = blocklist(&[("b1", Backup)]);
    b.block(&"b1", "r", 0);
    assert!(b.reconnected(&"b1"));
    assert!(!b.is_blocked(&"b1"));
    assert!(!b.reconnected(&"b1"));
}

#[test]
fn the_third_consecutive_transport_failure_disables_and_the_second_does_not() {
    let mut b = blocklist(&[("p", Primary)]);
    assert!(!b.transport_failure(&"p", TransportFailure::Dial, 1));
    assert!(!b.is_healthy(&"p"));
    assert!(!b.transport_failure(&"p", TransportFailure::Tls, 2));
    assert!(!b.is_disabled(&"p"));
    assert!(b.transport_failure(&"p", TransportFailure::Reset, 3));
    assert!(b.is_disabled(&"p"));
    assert!(!b.transport_failure(&"p", TransportFailure::Reset, 4));
    assert_eq!(b.usable(Primary).count(), 0);
}

#[test]
fn a_4xx_is_not_a_transport_failure() {
    let mut b = blocklist(&[("p", Primary)]);
    b.application_error(&"p", 429);
    assert!(b.is_healthy(&"p"));
    b.transport_failure(&"p", TransportFailure::Dial, 1);
    b.transport_failure(&"p", TransportFailure::Dial, 2);
    assert!(!b.is_healthy(&"p"));
    // The request reached the peer and got an answer: healthy, and the streak is broken.
    b.application_error(&"p", 404);
    assert!(b.is_healthy(&"p"));
    b.application_error(&"p", 503);
    assert!(!b.transport_failure(&"p", TransportFailure::Dial, 3));
    assert!(!b.transport_failure(&"p", TransportFailure::Dial, 4));
    assert!(!b.is_disabled(&"p"));
}

#[test]
fn a_peer_the_hot_path_disabled_is_not_revived_by_a_lucky_probe() {
    let mut b = blocklist(&[("b1", Backup)]);
    for t in 0..3 {
        b.transport_failure(&"b1", TransportFailure::Reset, t);
    }
    assert!(b.is_disabled(&"b1"));
    b.block(&"b1", "unreachable", 5);
    let t = b.epoch_transition([("b1", Backup)], 10);
    assert_eq!(t.commands, vec![BlocklistCommand::Probe { peer: "b1" }]);
    // The epoch resets health but keeps the hot path's verdict.
    assert!(b.is_healthy(&"b1"));
    assert!(b.is_disabled(&"b1"));
    assert_eq!(b.probe_result(&"b1", true, 11), ProbeOutcome::StillBlockedDisabled);
    assert!(b.is_blocked(&"b1"));
    // A real reconnection is proof enough.
    assert!(b.reconnected(&"b1"));
    assert!(!b.is_disabled(&"b1"));
    assert_eq!(b.usable(Backup).copied().collect::<Vec<_>>(), ["b1"]);
}

#[test]
fn a_peer_listed_under_both_roles_is_primary() {
    let mut b = blocklist(&[]);
    b.epoch_transition([("x", Backup), ("x", Primary), ("y", Primary), ("y", Backup)], 0);
    assert_eq!(b.role(&"x"), Some(Primary));
    assert_eq!(b.role(&"y"), Some(Primary));
}

#[test]
fn config_validation_names_the_field() {
    let err = Blocklist::<u32>::new(BlocklistConfig { max_consecutive_transport_failures: 0 })
        .unwrap_err();
    assert_eq!(err.field(), "max_consecutive_transport_failures");
}

#[test]
fn state_round_trips_through_json() {
    let mut b: Blocklist<String> = Blocklist::new(BlocklistConfig::default()).unwrap();
    b.epoch_transition([("a".to_string(), Backup)], 0);
    b.block(&"a".to_string(), "r", 3);
    b.epoch_transition([("a".to_string(), Backup)], 5);
    let back: Blocklist<String> =
        serde_json::from_str(&serde_json::to_string(&b).unwrap()).unwrap();
    assert_eq!(back.epoch(), 2);
    assert!(back.is_blocked(&"a".to_string()));
    assert!(back.probe_pending(&"a".to_string()));
    assert_eq!(
        serde_json::to_value(BlocklistCommand::Probe { peer: "a" }).unwrap(),
        serde_json::json!({"type": "probe", "peer": "a"})
    );
}

#[test]
fn peers_can_join_and_leave_the_current_epoch_one_by_one() {
    let mut b = blocklist(&[]);
    assert_eq!(b.block(&"late", "r", 0), BlockResult::UnknownPeer);
    assert!(b.add_peer("late", Backup));
    assert!(!b.add_peer("late", Primary));
    assert_eq!(b.role(&"late"), Some(Backup));
    assert_eq!(b.block(&"late", "r", 1), BlockResult::Blocked);
    // Still carried by the next epoch like any other member.
    let t = b.epoch_transition([("late", Backup)], 2);
    assert_eq!(t.reblocked, vec![("late", Backup)]);
    assert!(b.remove_peer(&"late"));
    assert!(!b.is_blocked(&"late"));
    assert!(!b.remove_peer(&"late"));
}

//! Relevance and alignment: disconnects for a foreign network or an unviable fork, the seed's
//! three ways to `exch=YES`, the way back to `exch=no`, and dead-fork strikes.

#[path = "fork_harness.rs"]
mod harness;

use harness::*;
use peerkeeper_core::fork::{
    AlignmentCause, ForkConfig, ForkDigest, ForkOutcome, ForkStatus, ModeCause, NetworkId,
    NodeMode, StrikeKind,
};
use peerkeeper_core::DisconnectReason;

fn aligned(peer: Peer, why: AlignmentCause) -> ForkOutcome<Peer> {
    ForkOutcome::AlignmentChanged { peer, aligned: true, why }
}

fn unaligned(peer: Peer) -> ForkOutcome<Peer> {
    ForkOutcome::AlignmentChanged { peer, aligned: false, why: AlignmentCause::ForkMismatch }
}

fn alignment_changes(out: &[ForkOutcome<Peer>]) -> Vec<ForkOutcome<Peer>> {
    out.iter().filter(|o| matches!(o, ForkOutcome::AlignmentChanged { .. })).cloned().collect()
}

#[test]
fn a_peer_on_another_network_is_disconnected_as_irrelevant() {
    let mut h = Harness::new(90, 100);
    let mut s = status(at(A, 100), at(A, 90));
    s.network_id = NetworkId(8);
    let out = h.connect("p1", s);
    assert_eq!(
        out,
        vec![ForkOutcome::Disconnect { peer: "p1", reason: DisconnectReason::IrrelevantNetwork }]
    );
    assert_eq!(h.view.peers().count(), 0);
    assert!(!h.view.is_aligned(&"p1"));
}

#[test]
fn an_incompatible_fork_digest_is_disconnected_as_unviable_fork() {
    let mut h = Harness::new(90, 100);
    let mut s = status(at(A, 100), at(A, 90));
    s.fork_digest = ForkDigest([9, 9, 9, 9]);
    let out = h.connect("p1", s);
    assert_eq!(
        out,
        vec![ForkOutcome::Disconnect { peer: "p1", reason: DisconnectReason::UnviableFork }]
    );
    assert_eq!(h.view.peers().count(), 0);
}

#[test]
fn a_digest_listed_as_compatible_is_accepted() {
    let mut config = ForkConfig::new(NET, DIGEST);
    config.compatible_digests.push(ForkDigest([9, 9, 9, 9]));
    let mut h = Harness::with_config(config, 90, 100);
    let mut s = status(at(A, 100), at(A, 90));
    s.fork_digest = ForkDigest([9, 9, 9, 9]);
    let out = h.connect("p1", s);
    assert!(out.contains(&aligned("p1", AlignmentCause::Handshake)));
}

#[test]
fn a_later_status_on_another_network_disconnects_an_aligned_peer() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 100), at(A, 90)));
    assert!(h.view.is_aligned(&"p1"));
    let mut s = status(at(A, 100), at(A, 90));
    s.network_id = NetworkId(8);
    let out = h.status("p1", s);
    assert_eq!(
        out,
        vec![ForkOutcome::Disconnect { peer: "p1", reason: DisconnectReason::IrrelevantNetwork }]
    );
    assert!(!h.view.is_aligned(&"p1"));
}

#[test]
fn hello_with_a_known_head_aligns_the_peer() {
    let mut h = Harness::new(90, 100);
    let out = h.connect("p1", status(at(A, 97), at(A, 90)));
    assert_eq!(alignment_changes(&out), vec![aligned("p1", AlignmentCause::Handshake)]);
    assert!(h.view.is_aligned(&"p1"));
}

#[test]
fn hello_with_a_head_behind_our_lib_on_our_chain_aligns_the_peer() {
    let mut h = Harness::new(90, 100);
    h.view.lib_advanced(at(A, 98), 0);
    let out = h.connect("p1", status(at(A, 95), at(A, 90)));
    assert_eq!(alignment_changes(&out), vec![aligned("p1", AlignmentCause::Handshake)]);
}

#[test]
fn hello_with_an_unknown_head_leaves_the_peer_unaligned() {
    let mut h = Harness::new(90, 100);
    let out = h.connect("p1", status(at(A, 105), at(A, 95)));
    assert_eq!(alignment_changes(&out), vec![]);
    assert!(!h.view.is_aligned(&"p1"));
}

#[test]
fn a_block_from_the_peer_that_applies_aligns_it() {
    let mut h = Harness::new(90, 100);
    // A second peer far ahead keeps us in SYNC, so only the block can align p1.
    h.connect("p0", status(at(A, 300), at(A, 290)));
    h.connect("p1", status(at(A, 105), at(A, 95)));
    let out = h.apply(a(101), Some("p1"));
    assert_eq!(alignment_changes(&out), vec![aligned("p1", AlignmentCause::BlockApplied)]);
}

#[test]
fn a_block_from_a_peer_reporting_minority_does_not_align_it() {
    let mut h = Harness::new(90, 100);
    h.connect("p0", status(at(A, 300), at(A, 290)));
    h.connect("p1", with_fork(status(at(A, 105), at(A, 95)), ForkStatus::Minority));
    let out = h.apply(a(101), Some("p1"));
    assert_eq!(alignment_changes(&out), vec![]);
    assert!(!h.view.is_aligned(&"p1"));
}

#[test]
fn the_peers_forward_transition_rechecks_alignment() {
    let mut h = Harness::new(90, 100);
    h.connect("p0", status(at(A, 300), at(A, 290)));
    let syncing = with_mode(status(at(A, 105), at(A, 95)), NodeMode::Sync);
    h.connect("p1", syncing.clone());
    h.apply_all(branch(A, at(A, 100), 105), None);
    // Its head is known now, but a status without the transition is no re-check.
    let out = h.status("p1", syncing.clone());
    assert_eq!(alignment_changes(&out), vec![]);
    let out = h.status("p1", with_mode(syncing, NodeMode::Forward));
    assert_eq!(alignment_changes(&out), vec![aligned("p1", AlignmentCause::ForwardTransition)]);
}

#[test]
fn our_own_forward_transition_rechecks_every_peer() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 103), at(A, 95)));
    h.connect("p2", status(at(A, 103), at(A, 95)));
    h.apply_all(vec![a(101), a(102)], None);
    let out = h.apply(a(103), None);
    assert_eq!(
        out,
        vec![
            ForkOutcome::NodeModeChanged {
                from: NodeMode::Sync,
                to: NodeMode::Forward,
                why: ModeCause::CaughtUp
            },
            aligned("p1", AlignmentCause::ForwardTransition),
            aligned("p2", AlignmentCause::ForwardTransition),
        ]
    );
}

#[test]
fn a_status_whose_lib_conflicts_with_our_chain_clears_alignment() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 100), at(A, 90)));
    let out = h.status("p1", status(at(B, 101), at(B, 95)));
    assert_eq!(alignment_changes(&out), vec![unaligned("p1")]);
    assert!(!h.view.is_aligned(&"p1"));
}

#[test]
fn a_status_whose_head_is_another_block_below_our_lib_clears_alignment() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 100), at(A, 90)));
    h.view.lib_advanced(at(A, 98), 0);
    let out = h.status("p1", status(at(B, 97), at(A, 90)));
    assert_eq!(alignment_changes(&out), vec![unaligned("p1")]);
}

#[test]
fn a_head_below_anything_we_remember_proves_nothing() {
    let mut h = Harness::new(90, 100);
    let out = h.connect("p1", status(at(A, 50), at(A, 40)));
    assert_eq!(alignment_changes(&out), vec![]);
    assert!(h.view.peers().any(|p| *p == "p1"));
}

#[test]
fn a_mismatch_reported_by_the_host_clears_alignment() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 100), at(A, 90)));
    h.view.fork_mismatch_reported(&"p1", 0);
    assert_eq!(alignment_changes(&h.drain()), vec![unaligned("p1")]);
}

#[test]
fn a_mismatched_peer_realigns_when_its_block_applies() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 100), at(A, 90)));
    h.view.fork_mismatch_reported(&"p1", 0);
    h.drain();
    let out = h.apply(a(101), Some("p1"));
    assert_eq!(alignment_changes(&out), vec![aligned("p1", AlignmentCause::BlockApplied)]);
}

#[test]
fn disconnecting_forgets_alignment_without_an_event() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 100), at(A, 90)));
    h.view.peer_disconnected(&"p1", 0);
    assert_eq!(alignment_changes(&h.drain()), vec![]);
    assert!(!h.view.is_aligned(&"p1"));
    assert_eq!(h.view.aligned_count(), 0);
}

#[test]
fn a_relayed_block_moves_the_peers_head_snapshot() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 100), at(A, 90)));
    h.receive("p1", vec![a(101), a(102)]);
    assert_eq!(h.view.peer_status(&"p1").unwrap().head, at(A, 102));
}

/// Branch b forks off a#95; LIB reaches a#97 at t=10 000, killing it.
fn dead_branch() -> Harness {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 100), at(A, 90)));
    h.connect("p2", status(at(A, 100), at(A, 90)));
    h.receive("p1", branch(B, at(A, 95), 98));
    h.now = 10_000;
    h.view.lib_advanced(at(A, 97), h.now);
    h.drain();
    h
}

#[test]
fn dead_fork_blocks_within_the_grace_period_are_ignored() {
    let mut h = dead_branch();
    h.now = 24_999;
    let out = h.receive("p2", vec![header(B, 99, at(B, 98))]);
    assert_eq!(out, vec![]);
    assert!(!h.view.tree().contains(&at(B, 99).id));
}

#[test]
fn dead_fork_blocks_after_the_grace_period_are_spam_strikes() {
    let mut h = dead_branch();
    h.now = 24_999;
    h.receive("p2", vec![header(B, 99, at(B, 98))]);
    h.now = 25_000;
    let out = h.receive("p2", vec![header(B, 100, at(B, 99))]);
    assert_eq!(out, vec![ForkOutcome::Strike { peer: "p2", kind: StrikeKind::DeadForkBlock }]);
}

#[test]
fn a_batch_of_dead_fork_blocks_is_one_strike() {
    let mut h = dead_branch();
    h.now = 30_000;
    let out = h.receive("p2", branch(B, at(B, 98), 110));
    assert_eq!(out, vec![ForkOutcome::Strike { peer: "p2", kind: StrikeKind::DeadForkBlock }]);
}

#[test]
fn a_stray_block_below_lib_dies_when_lib_first_passed_its_height() {
    let mut h = dead_branch();
    // c#96 with an unknown parent: LIB first reached 96 or more at t=10 000.
    h.now = 24_999;
    assert_eq!(h.receive("p2", vec![header(C, 96, at(C, 95))]), vec![]);
    h.now = 25_000;
    let out = h.receive("p2", vec![header(C, 97, at(C, 96))]);
    assert_eq!(out, vec![ForkOutcome::Strike { peer: "p2", kind: StrikeKind::DeadForkBlock }]);
}

#[test]
fn a_status_naming_a_dead_block_as_head_clears_alignment() {
    let mut h = dead_branch();
    assert!(h.view.is_aligned(&"p2"));
    let out = h.status("p2", status(at(B, 98), at(A, 90)));
    assert_eq!(alignment_changes(&out), vec![unaligned("p2")]);
}

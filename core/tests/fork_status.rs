//! Our fork status on scripted header trees: NORMAL -> LOOKING -> MINORITY -> NORMAL.
//!
//! The common script: our chain `a` has LIB #90 and head #110; branch `b` forks off a#99, so a
//! competing tip at b#141 is 42 blocks past the fork point.

#[path = "fork_harness.rs"]
mod harness;

use harness::*;
use peerkeeper_core::fork::{
    AlignmentCause, ForkOutcome, ForkStatus, ModeCause, NodeMode, FORK_RESOLUTION_BLOCK_THRESHOLD,
    FORK_RESOLUTION_CONFIRMATION_BLOCKS,
};

use ForkStatus::{Looking, Minority, Normal};

/// `b_peers` end up with heads on branch `b` (at b#140), `a_peers` stay on a#110.
/// Branch `b` is relayed by the first `b` peer up to b#140: divergence 41, one short.
fn split(b_peers: &[Peer], a_peers: &[Peer]) -> Harness {
    let mut h = Harness::new(90, 110);
    for &p in b_peers {
        let out = h.connect(p, status(at(A, 99), at(A, 90)));
        assert!(out.contains(&ForkOutcome::AlignmentChanged {
            peer: p,
            aligned: true,
            why: AlignmentCause::Handshake
        }));
    }
    for &p in a_peers {
        h.connect(p, status(at(A, 110), at(A, 90)));
    }
    let out = h.relay(b_peers[0], branch(B, at(A, 99), 140));
    assert_eq!(fork_changes(&out), vec![(Normal, Looking)]);
    for &p in &b_peers[1..] {
        h.status(p, status(at(B, 140), at(A, 90)));
    }
    assert_eq!(h.view.fork_status(), Looking);
    h
}

#[test]
fn the_seed_constants_are_forty_two_blocks_and_six_confirmations() {
    assert_eq!(FORK_RESOLUTION_BLOCK_THRESHOLD, 42);
    assert_eq!(FORK_RESOLUTION_CONFIRMATION_BLOCKS, 6);
}

#[test]
fn a_single_chain_stays_normal() {
    let mut h = Harness::new(90, 110);
    h.connect("p1", status(at(A, 110), at(A, 90)));
    let out = h.apply_all(vec![a(111), a(112)], Some("p1"));
    assert_eq!(fork_changes(&out), vec![]);
    assert_eq!(h.view.fork_status(), Normal);
}

#[test]
fn two_way_split_makes_us_looking() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 99), at(A, 90)));
    // Another producer's block at our head's height, on the same parent.
    let out = h.receive("p1", vec![header(B, 100, at(A, 99))]);
    assert_eq!(out, vec![ForkOutcome::ForkStatusChanged { from: Normal, to: Looking }]);
    assert_eq!(h.view.fork_status(), Looking);
}

#[test]
fn a_block_extending_our_head_is_not_a_fork() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", status(at(A, 100), at(A, 90)));
    let out = h.receive("p1", vec![a(101), a(102)]);
    assert_eq!(fork_changes(&out), vec![]);
}

#[test]
fn divergence_of_forty_one_blocks_keeps_us_looking() {
    let h = split(&["p1", "p2", "p3"], &["p4"]);
    assert_eq!(h.view.tree().competing_branches()[0].tip, at(B, 140));
    assert_eq!(h.view.fork_status(), Looking);
}

#[test]
fn forty_two_blocks_of_divergence_with_less_support_makes_us_minority() {
    let mut h = split(&["p1", "p2", "p3"], &["p4"]);
    let out = h.relay("p1", vec![header(B, 141, at(B, 140))]);
    assert_eq!(fork_changes(&out), vec![(Looking, Minority)]);
    assert_eq!(h.view.fork_status(), Minority);
}

#[test]
fn our_own_head_counts_toward_the_divergence() {
    // b stays short (b#100..=b#120) but our branch runs on to a#141: 42 past the fork point.
    let mut h = Harness::new(90, 110);
    for p in ["p1", "p2"] {
        h.connect(p, status(at(A, 99), at(A, 90)));
    }
    h.relay("p1", branch(B, at(A, 99), 120));
    h.status("p2", status(at(B, 120), at(A, 90)));
    h.connect("p3", status(at(A, 110), at(A, 90)));
    let out = h.apply_all(branch(A, at(A, 110), 140), None);
    assert_eq!(fork_changes(&out), vec![]);
    let out = h.apply(a(141), None);
    // Two peers on b against one on a: we are the minority even though our chain is longer.
    assert_eq!(fork_changes(&out), vec![(Looking, Minority)]);
}

#[test]
fn more_support_on_our_side_settles_the_fork_back_to_normal() {
    let mut h = split(&["p1"], &["p2", "p3", "p4"]);
    let out = h.relay("p1", vec![header(B, 141, at(B, 140))]);
    assert_eq!(fork_changes(&out), vec![(Looking, Normal)]);
    // The settled branch growing does not make us look again.
    let out = h.relay("p1", branch(B, at(B, 141), 150));
    assert_eq!(fork_changes(&out), vec![]);
    assert_eq!(h.view.fork_status(), Normal);
}

#[test]
fn a_tie_at_forty_two_blocks_keeps_us_looking() {
    let mut h = split(&["p1", "p2"], &["p3", "p4"]);
    let out = h.relay("p1", branch(B, at(B, 140), 160));
    assert_eq!(fork_changes(&out), vec![]);
    assert_eq!(h.view.fork_status(), Looking);
}

#[test]
fn stake_weights_decide_support_where_the_host_supplies_them() {
    let mut h = split(&["p1", "p2", "p3"], &["p4"]);
    for p in ["p1", "p2", "p3"] {
        h.view.set_peer_weight(&p, Some(10), 0);
    }
    h.view.set_peer_weight(&"p4", Some(100), 0);
    h.drain();
    let out = h.relay("p1", vec![header(B, 141, at(B, 140))]);
    assert_eq!(fork_changes(&out), vec![(Looking, Normal)]);
}

#[test]
fn peers_reporting_minority_do_not_count_as_support() {
    let mut h = split(&["p1", "p2", "p3"], &["p4"]);
    for p in ["p1", "p2", "p3"] {
        h.status(p, with_fork(status(at(B, 140), at(A, 90)), Minority));
    }
    let out = h.relay("p1", vec![header(B, 141, at(B, 140))]);
    assert_eq!(fork_changes(&out), vec![(Looking, Normal)]);
}

#[test]
fn unaligned_peers_do_not_count_as_support() {
    let mut h = split(&["p1"], &["p4"]);
    // p2 and p3 never shook hands on a known head: their b heads count for nothing.
    for p in ["p2", "p3"] {
        h.connect(p, status(at(B, 150), at(A, 90)));
        assert!(!h.view.is_aligned(&p));
    }
    let out = h.relay("p1", vec![header(B, 141, at(B, 140))]);
    assert_eq!(fork_changes(&out), vec![]);
    assert_eq!(h.view.fork_status(), Looking, "one against one is a tie");
}

#[test]
fn lib_passing_the_fork_point_ends_looking() {
    let mut h = split(&["p1", "p2", "p3"], &["p4"]);
    h.view.lib_advanced(at(A, 100), 0);
    assert_eq!(fork_changes(&h.drain()), vec![(Looking, Normal)]);
    assert!(h.view.tree().competing_branches().is_empty());
}

#[test]
fn our_branch_becoming_final_ends_minority() {
    let mut h = split(&["p1", "p2", "p3"], &["p4"]);
    h.relay("p1", vec![header(B, 141, at(B, 140))]);
    assert_eq!(h.view.fork_status(), Minority);
    h.view.lib_advanced(at(A, 101), 0);
    assert_eq!(fork_changes(&h.drain()), vec![(Minority, Normal)]);
}

#[test]
fn six_consecutive_majority_blocks_switch_us_back_to_normal() {
    let mut h = split(&["p1", "p2", "p3"], &["p4"]);
    h.relay("p1", vec![header(B, 141, at(B, 140))]);
    assert_eq!(h.view.node_mode(), NodeMode::Forward);
    let out = h.relay("p1", branch(B, at(B, 141), 146));
    assert_eq!(fork_changes(&out), vec![]);
    assert_eq!(h.view.fork_status(), Minority);
    let out = h.relay("p1", vec![header(B, 147, at(B, 146))]);
    assert_eq!(
        out,
        vec![
            ForkOutcome::ForkStatusChanged { from: Minority, to: Normal },
            ForkOutcome::SwitchFork { fork_point: at(A, 99), to: at(B, 147) },
            ForkOutcome::NodeModeChanged {
                from: NodeMode::Forward,
                to: NodeMode::Sync,
                why: ModeCause::MinorityFork
            },
            // p2 and p3 serve 90..=140; p2 wins on key order. Blocks from the fork point on.
            ForkOutcome::RequestBlocks { peer: "p2", from: 100, count: 41 },
        ]
    );
    assert_eq!(h.view.switching_from(), Some(at(A, 99)));
}

#[test]
fn a_block_on_our_side_resets_the_confirmation_count() {
    let mut h = split(&["p1", "p2", "p3"], &["p4"]);
    h.relay("p1", vec![header(B, 141, at(B, 140))]);
    h.relay("p1", branch(B, at(B, 141), 146));
    let out = h.apply(a(111), Some("p4"));
    assert_eq!(fork_changes(&out), vec![]);
    // Five more are not enough after the reset; the sixth is.
    let out = h.relay("p1", branch(B, at(B, 146), 151));
    assert_eq!(fork_changes(&out), vec![]);
    let out = h.relay("p1", vec![header(B, 152, at(B, 151))]);
    assert_eq!(fork_changes(&out), vec![(Minority, Normal)]);
}

#[test]
fn after_the_switch_our_head_moves_onto_the_majority_branch_without_looking_again() {
    let mut h = split(&["p1", "p2", "p3"], &["p4"]);
    h.relay("p1", branch(B, at(B, 140), 147));
    assert_eq!(h.view.fork_status(), Normal);
    let out = h.apply_all(branch(B, at(A, 99), 140), Some("p2"));
    assert_eq!(fork_changes(&out), vec![]);
    assert_eq!(h.view.switching_from(), None);
    assert_eq!(h.view.head(), at(B, 140));
    // The abandoned branch a#100..=a#110 is now the one beside us, settled.
    assert_eq!(h.view.tree().competing_branches()[0].root, at(A, 100).id);
    assert_eq!(h.view.fork_status(), Normal);
}

#[test]
fn fork_status_changes_serialize_with_a_snake_case_type_tag() {
    let o: ForkOutcome<Peer> = ForkOutcome::ForkStatusChanged { from: Normal, to: Looking };
    assert_eq!(
        serde_json::to_string(&o).unwrap(),
        r#"{"type":"fork_status_changed","from":"normal","to":"looking"}"#
    );
    let o: ForkOutcome<Peer> = ForkOutcome::SyncStalled;
    assert_eq!(serde_json::to_string(&o).unwrap(), r#"{"type":"sync_stalled"}"#);
}

#[test]
fn the_majority_leaving_returns_us_from_minority_to_looking() {
    let mut h = split(&["p1", "p2", "p3"], &["p4"]);
    h.relay("p1", vec![header(B, 141, at(B, 140))]);
    h.view.peer_disconnected(&"p2", 0);
    assert_eq!(fork_changes(&h.drain()), vec![]);
    // One against one: no longer confirmed, and no clear majority either.
    h.view.peer_disconnected(&"p3", 0);
    assert_eq!(fork_changes(&h.drain()), vec![(Minority, Looking)]);
    // A peer joining our side settles it.
    h.connect("p5", status(at(A, 110), at(A, 90)));
    assert_eq!(h.view.fork_status(), Normal);
}

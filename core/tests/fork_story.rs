//! One story end to end, as the teaching mode would replay it: a split, the minority verdict,
//! the switch, the re-sync through gap fill, and the losing branch dying under LIB.

#[path = "fork_harness.rs"]
mod harness;

use harness::*;
use peerkeeper_core::fork::{
    render_compact, AlignmentCause, ForkOutcome, ForkStatus, ModeCause, NodeMode, StrikeKind,
};

#[test]
fn a_node_on_the_losing_side_of_a_split_switches_resyncs_and_strikes_stragglers() {
    let mut h = Harness::new(90, 110);
    for p in ["p1", "p2", "p3"] {
        h.connect(p, status(at(A, 99), at(A, 90)));
    }
    h.connect("p4", status(at(A, 110), at(A, 90)));
    assert_eq!(h.view.node_mode(), NodeMode::Forward);

    // t=1 000: branch b arrives from p1; p2 and p3 report heads on it.
    h.now = 1_000;
    let out = h.relay("p1", branch(B, at(A, 99), 141));
    // 42 blocks of divergence, but p1 alone against p4 is a tie.
    assert_eq!(fork_changes(&out), vec![(ForkStatus::Normal, ForkStatus::Looking)]);
    // Support is recounted on every input: p2 makes it two against one.
    let out = h.status("p2", status(at(B, 141), at(A, 90)));
    assert_eq!(fork_changes(&out), vec![(ForkStatus::Looking, ForkStatus::Minority)]);
    h.status("p3", status(at(B, 141), at(A, 90)));

    // t=2 000: six more majority blocks confirm it.
    h.now = 2_000;
    let out = h.relay("p1", branch(B, at(B, 141), 147));
    assert!(out.contains(&ForkOutcome::SwitchFork { fork_point: at(A, 99), to: at(B, 147) }));
    assert!(out.contains(&ForkOutcome::NodeModeChanged {
        from: NodeMode::Forward,
        to: NodeMode::Sync,
        why: ModeCause::MinorityFork
    }));
    assert!(out.contains(&ForkOutcome::RequestBlocks { peer: "p2", from: 100, count: 42 }));
    assert_eq!(h.view.fork_status(), ForkStatus::Normal);

    // t=3 000: p2 serves b#100..=b#141.
    h.now = 3_000;
    h.apply_all(branch(B, at(A, 99), 141), Some("p2"));
    assert_eq!(h.view.head(), at(B, 141));
    assert_eq!(h.view.switching_from(), None);
    assert_eq!(h.view.node_mode(), NodeMode::Sync);

    // Nobody serves #142 yet (p1's hello said 90..=99); the cooldown ends at t=7 000.
    assert_eq!(h.advance_to(7_000), vec![ForkOutcome::NoBridgingPeer { from: 142 }]);
    let out = h.status("p1", with_range(status(at(B, 147), at(A, 90)), 90, 147));
    assert_eq!(out, vec![ForkOutcome::RequestBlocks { peer: "p1", from: 142, count: 6 }]);

    // t=8 000: the rest arrives and we are caught up.
    h.now = 8_000;
    let out = h.apply_all(branch(B, at(B, 141), 147), Some("p1"));
    assert_eq!(
        out,
        vec![ForkOutcome::NodeModeChanged {
            from: NodeMode::Sync,
            to: NodeMode::Forward,
            why: ModeCause::CaughtUp
        }]
    );

    // t=10 000: LIB passes the fork point; branch a#100.. dies.
    h.now = 10_000;
    h.view.lib_advanced(at(B, 120), h.now);
    assert_eq!(h.drain(), vec![]);
    // p4 still reports the dead head: no longer aligned.
    let out = h.status("p4", status(at(A, 110), at(A, 90)));
    assert_eq!(
        out,
        vec![ForkOutcome::AlignmentChanged {
            peer: "p4",
            aligned: false,
            why: AlignmentCause::ForkMismatch
        }]
    );
    // Its dead blocks are forgiven for the grace period, then struck.
    h.now = 24_999;
    assert_eq!(h.receive("p4", vec![header(A, 111, at(A, 110))]), vec![]);
    h.now = 25_000;
    assert_eq!(
        h.receive("p4", vec![header(A, 112, at(A, 111))]),
        vec![ForkOutcome::Strike { peer: "p4", kind: StrikeKind::DeadForkBlock }]
    );

    let mut stats = h.view.node_stats(h.now);
    stats.flags.clear();
    assert_eq!(
        render_compact(&stats),
        "DLT Status | FORWARD | head=#147 lib=#120 | dlt_range=none | peers=3active/4conn | uptime=0h00m25s | flags=none"
    );
}

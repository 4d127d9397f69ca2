//! SYNC/FWD transitions on the injected clock, to the millisecond: catching up, the 15 s
//! forward-behind grace, 30 s forward stagnation, 30 s sync stagnation, and pauses.

#[path = "fork_harness.rs"]
mod harness;

use harness::*;
use peerkeeper_core::fork::{
    ForkOutcome, ModeCause, NodeMode, FORWARD_BEHIND_GRACE_MS, FORWARD_STAGNATION_MS,
    SYNC_STAGNATION_MS,
};

fn mode_change(from: NodeMode, to: NodeMode, why: ModeCause) -> ForkOutcome<Peer> {
    ForkOutcome::NodeModeChanged { from, to, why }
}

/// Our chain a#90..=a#100; p1 at our head makes us FWD at t=1 000.
fn forwarding() -> Harness {
    let mut h = Harness::new(90, 100);
    h.now = 1_000;
    let out = h.connect("p1", status(at(A, 100), at(A, 90)));
    assert!(out.contains(&mode_change(NodeMode::Sync, NodeMode::Forward, ModeCause::CaughtUp)));
    h
}

#[test]
fn the_seed_timers_are_fifteen_and_thirty_seconds() {
    assert_eq!(FORWARD_BEHIND_GRACE_MS, 15_000);
    assert_eq!(FORWARD_STAGNATION_MS, 30_000);
    assert_eq!(SYNC_STAGNATION_MS, 30_000);
}

#[test]
fn we_start_in_sync_and_stay_there_with_no_peer_to_compare() {
    let mut h = Harness::new(90, 100);
    assert_eq!(h.view.node_mode(), NodeMode::Sync);
    assert_eq!(h.view.poll_timeout(), None);
    assert_eq!(h.advance_to(1_000_000), vec![]);
    assert_eq!(h.view.node_mode(), NodeMode::Sync);
}

#[test]
fn we_go_forward_once_no_peer_reports_a_head_above_ours() {
    let mut h = Harness::new(90, 100);
    let out = h.connect("p1", status(at(A, 103), at(A, 95)));
    assert!(!out.iter().any(|o| matches!(o, ForkOutcome::NodeModeChanged { .. })));
    h.apply_all(vec![a(101), a(102)], Some("p1"));
    assert_eq!(h.view.node_mode(), NodeMode::Sync);
    let out = h.apply(a(103), Some("p1"));
    assert_eq!(out, vec![mode_change(NodeMode::Sync, NodeMode::Forward, ModeCause::CaughtUp)]);
}

#[test]
fn falling_behind_in_forward_waits_for_the_fifteen_second_grace() {
    let mut h = forwarding();
    h.now = 2_000;
    // p2 has finalized #105: we are behind, not merely a block late.
    h.connect("p2", with_range(status(at(A, 110), at(A, 105)), 50, 110));
    assert_eq!(h.view.poll_timeout(), Some(16_000));
    assert_eq!(h.advance_to(15_999), vec![]);
    assert_eq!(
        h.advance_to(16_000),
        vec![
            mode_change(NodeMode::Forward, NodeMode::Sync, ModeCause::FellBehind),
            ForkOutcome::RequestBlocks { peer: "p2", from: 101, count: 10 },
        ]
    );
}

#[test]
fn falling_behind_after_the_grace_acts_at_once() {
    let mut h = forwarding();
    h.now = 16_000;
    let out = h.connect("p2", with_range(status(at(A, 110), at(A, 105)), 50, 110));
    assert_eq!(out[0], mode_change(NodeMode::Forward, NodeMode::Sync, ModeCause::FellBehind));
}

#[test]
fn a_peer_one_block_ahead_is_not_behind_until_the_head_stagnates_for_thirty_seconds() {
    let mut h = forwarding();
    h.now = 4_000;
    h.apply(a(101), Some("p1"));
    h.now = 5_000;
    h.connect("p2", status(at(A, 102), at(A, 95)));
    assert_eq!(h.view.poll_timeout(), Some(34_000));
    assert_eq!(h.advance_to(33_999), vec![]);
    assert_eq!(
        h.advance_to(34_000),
        vec![
            mode_change(NodeMode::Forward, NodeMode::Sync, ModeCause::Stagnant),
            ForkOutcome::RequestBlocks { peer: "p2", from: 102, count: 1 },
        ]
    );
    // The missing block arrives: p2 proves aligned and we are caught up again.
    h.now = 34_500;
    let out = h.apply(a(102), Some("p2"));
    assert_eq!(
        out,
        vec![
            ForkOutcome::AlignmentChanged {
                peer: "p2",
                aligned: true,
                why: peerkeeper_core::fork::AlignmentCause::BlockApplied
            },
            mode_change(NodeMode::Sync, NodeMode::Forward, ModeCause::CaughtUp),
        ]
    );
}

#[test]
fn stagnation_is_counted_from_entering_forward_not_from_an_older_head_advance() {
    // Our head last moved at t=0; we went FWD at t=1 000.
    let mut h = forwarding();
    h.connect("p2", status(at(A, 101), at(A, 95)));
    assert_eq!(h.view.poll_timeout(), Some(31_000));
}

#[test]
fn a_head_advance_restarts_the_stagnation_clock() {
    let mut h = forwarding();
    h.now = 5_000;
    h.connect("p2", status(at(A, 102), at(A, 95)));
    assert_eq!(h.view.poll_timeout(), Some(31_000));
    h.now = 20_000;
    h.apply(a(101), Some("p2"));
    assert_eq!(h.view.poll_timeout(), Some(50_000));
    h.now = 21_000;
    h.apply(a(102), Some("p2"));
    // Nobody ahead any more: nothing to wait for.
    assert_eq!(h.view.poll_timeout(), None);
    assert_eq!(h.advance_to(1_000_000), vec![]);
    assert_eq!(h.view.node_mode(), NodeMode::Forward);
}

#[test]
fn a_stagnant_head_with_no_peer_ahead_stays_forward() {
    let mut h = forwarding();
    assert_eq!(h.view.poll_timeout(), None);
    assert_eq!(h.advance_to(10_000_000), vec![]);
    assert_eq!(h.view.node_mode(), NodeMode::Forward);
}

#[test]
fn a_pause_stops_stagnation_and_resuming_restarts_its_clock() {
    let mut h = forwarding();
    h.now = 5_000;
    h.connect("p2", status(at(A, 102), at(A, 95)));
    h.now = 20_000;
    h.view.set_paused(true, h.now);
    assert!(h.view.paused());
    assert_eq!(h.view.poll_timeout(), None);
    assert_eq!(h.advance_to(100_000), vec![]);
    h.view.set_paused(false, h.now);
    assert_eq!(h.view.poll_timeout(), Some(130_000));
    assert_eq!(h.advance_to(129_999), vec![]);
    assert_eq!(
        h.advance_to(130_000)[0],
        mode_change(NodeMode::Forward, NodeMode::Sync, ModeCause::Stagnant)
    );
}

#[test]
fn sync_without_a_block_for_thirty_seconds_reports_a_stall_and_retargets_gap_fill() {
    let mut h = Harness::new(90, 100);
    let out = h.connect("p1", with_range(status(at(A, 300), at(A, 290)), 50, 300));
    assert_eq!(out, vec![ForkOutcome::RequestBlocks { peer: "p1", from: 101, count: 100 }]);
    h.connect("p2", with_range(status(at(A, 250), at(A, 240)), 60, 250));
    assert_eq!(
        h.advance_to(30_000),
        vec![
            ForkOutcome::GapFillTimedOut { peer: "p1", from: 101 },
            ForkOutcome::RequestBlocks { peer: "p2", from: 101, count: 100 },
            ForkOutcome::SyncStalled,
            ForkOutcome::RequestBlocks { peer: "p1", from: 101, count: 100 },
        ]
    );
    assert_eq!(h.view.node_mode(), NodeMode::Sync);
    // The stall clock restarted at t=30 000.
    assert_eq!(h.view.poll_timeout(), Some(45_000));
    let out = h.advance_to(59_999);
    assert!(!out.contains(&ForkOutcome::SyncStalled));
    assert!(h.advance_to(60_000).contains(&ForkOutcome::SyncStalled));
}

#[test]
fn blocks_arriving_keep_sync_from_stalling() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", with_range(status(at(A, 300), at(A, 290)), 50, 300));
    h.now = 20_000;
    h.receive("p1", vec![a(101)]);
    let out = h.advance_to(49_999);
    assert!(!out.contains(&ForkOutcome::SyncStalled));
    assert!(h.advance_to(50_000).contains(&ForkOutcome::SyncStalled));
}

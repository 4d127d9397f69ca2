//! Gap fill: the peer whose range covers the missing blocks, at most 100 blocks a request,
//! 5 s between requests, 15 s before an unfinished request is given up.

#[path = "fork_harness.rs"]
mod harness;

use harness::*;
use peerkeeper_core::fork::{
    BlockRange, Candidate, ForkOutcome, ForkStatus, GapFiller, GapLimits, GapStep, PeerFlags,
    PeerLine, GAP_FILL_COOLDOWN_MS, GAP_FILL_MAX_BLOCKS, GAP_FILL_TIMEOUT_MS,
};

fn request(peer: Peer, from: u64, count: u64) -> ForkOutcome<Peer> {
    ForkOutcome::RequestBlocks { peer, from, count }
}

/// A peer far ahead of our a#100, serving `earliest..=latest`.
fn ahead(earliest: u64, latest: u64) -> peerkeeper_core::fork::ChainStatus {
    with_range(status(at(A, latest), at(A, latest - 10)), earliest, latest)
}

#[test]
fn the_seed_limits_are_100_blocks_5_seconds_and_15_seconds() {
    assert_eq!(GAP_FILL_MAX_BLOCKS, 100);
    assert_eq!(GAP_FILL_COOLDOWN_MS, 5_000);
    assert_eq!(GAP_FILL_TIMEOUT_MS, 15_000);
}

#[test]
fn only_a_peer_whose_range_covers_the_first_missing_block_is_asked() {
    let mut h = Harness::new(90, 100);
    // p1 only keeps blocks from #500 on: it cannot bridge #101.
    let out = h.connect("p1", ahead(500, 1_000));
    assert_eq!(out, vec![ForkOutcome::NoBridgingPeer { from: 101 }]);
    let out = h.connect("p2", ahead(50, 300));
    assert_eq!(out, vec![request("p2", 101, 100)]);
}

#[test]
fn no_bridging_peer_is_reported_once_per_gap() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", ahead(500, 1_000));
    assert_eq!(h.connect("p3", ahead(600, 1_000)), vec![]);
    // Sync may report stalls meanwhile; the missing bridge is not repeated.
    let out = h.advance_to(60_000);
    assert!(!out.iter().any(|o| matches!(o, ForkOutcome::NoBridgingPeer { .. })));
}

#[test]
fn a_request_stops_at_the_end_of_the_peers_range() {
    let mut h = Harness::new(90, 100);
    let out = h.connect("p1", with_range(status(at(A, 300), at(A, 290)), 50, 150));
    assert_eq!(out, vec![request("p1", 101, 50)]);
}

#[test]
fn a_request_stops_at_the_best_head_we_know() {
    let mut h = Harness::new(90, 100);
    let out = h.connect("p1", ahead(50, 130));
    assert_eq!(out, vec![request("p1", 101, 30)]);
}

#[test]
fn the_next_request_waits_five_seconds_after_the_previous_one() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", ahead(50, 300));
    h.now = 1_000;
    h.apply_all(branch(A, at(A, 100), 200), Some("p1"));
    assert_eq!(h.view.gap_fill_in_flight(), None);
    assert_eq!(h.view.poll_timeout(), Some(5_000));
    assert_eq!(h.advance_to(4_999), vec![]);
    assert_eq!(h.advance_to(5_000), vec![request("p1", 201, 100)]);
}

#[test]
fn an_unfinished_request_times_out_after_fifteen_seconds_and_another_peer_is_tried() {
    let mut h = Harness::new(90, 100);
    assert_eq!(h.connect("p1", ahead(50, 300)), vec![request("p1", 101, 100)]);
    h.connect("p2", ahead(50, 200));
    // Blocks trickling in do not extend the in-progress flag. (p1 becomes aligned by its
    // block, yet after a timeout it still goes last.)
    h.now = 10_000;
    h.apply(a(101), Some("p1"));
    assert_eq!(h.view.poll_timeout(), Some(15_000));
    assert_eq!(h.advance_to(14_999), vec![]);
    assert_eq!(
        h.advance_to(15_000),
        vec![ForkOutcome::GapFillTimedOut { peer: "p1", from: 101 }, request("p2", 102, 99)]
    );
}

#[test]
fn a_disconnected_peers_request_is_dropped_and_retried_after_the_cooldown() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", ahead(50, 300));
    h.connect("p2", ahead(50, 200));
    h.now = 1_000;
    h.view.peer_disconnected(&"p1", h.now);
    assert_eq!(h.drain(), vec![]);
    assert_eq!(h.view.poll_timeout(), Some(5_000));
    assert_eq!(h.advance_to(5_000), vec![request("p2", 101, 100)]);
}

#[test]
fn peers_reporting_minority_are_never_asked() {
    let mut h = Harness::new(90, 100);
    let out = h.connect("p1", with_fork(ahead(50, 300), ForkStatus::Minority));
    assert_eq!(out, vec![]);
    assert_eq!(h.view.gap_fill_in_flight(), None);
}

#[test]
fn in_forward_mode_an_orphan_block_triggers_a_fill_of_the_gap_behind_it() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", with_range(status(at(A, 100), at(A, 90)), 50, 200));
    // a#105 arrives but a#101..=a#104 never did.
    let out = h.receive("p1", vec![header(A, 105, at(A, 104))]);
    assert_eq!(out, vec![request("p1", 101, 4)]);
}

#[test]
fn a_block_one_ahead_in_forward_mode_needs_no_fill() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", with_range(status(at(A, 100), at(A, 90)), 50, 200));
    assert_eq!(h.receive("p1", vec![a(101)]), vec![]);
}

#[test]
fn gap_fill_is_idle_while_block_intake_is_paused() {
    let mut h = Harness::new(90, 100);
    h.view.set_paused(true, 0);
    assert_eq!(h.connect("p1", ahead(50, 300)), vec![]);
    h.now = 7_000;
    h.view.set_paused(false, h.now);
    assert_eq!(h.drain(), vec![request("p1", 101, 100)]);
}

#[test]
fn the_peer_serving_a_request_shows_the_sync_flag() {
    let mut h = Harness::new(90, 100);
    h.connect("p1", ahead(50, 300));
    let Some(PeerLine::Live { flags, exch, head, range, .. }) = h.view.peer_line(&"p1") else {
        panic!("p1 is live")
    };
    assert_eq!(flags, PeerFlags { align: false, emrg: false, ekey: false, sync: true });
    assert!(!exch);
    assert_eq!(head, Some(300));
    assert_eq!(range, Some(BlockRange { earliest: 50, latest: 300 }));
}

fn candidate(peer: Peer, earliest: u64, latest: u64, aligned: bool) -> Candidate<Peer> {
    Candidate { peer, range: BlockRange { earliest, latest }, aligned }
}

#[test]
fn aligned_peers_are_preferred_over_wider_unaligned_ones() {
    let mut gaps = GapFiller::new(GapLimits::default());
    let steps = gaps.drive(
        0,
        Some((101, 400)),
        &[candidate("wide", 0, 400, false), candidate("ours", 100, 250, true)],
    );
    assert_eq!(steps, vec![GapStep::Request { peer: "ours", from: 101, count: 100 }]);
}

#[test]
fn among_equals_the_peer_serving_most_wins_then_the_lowest_key() {
    let mut gaps = GapFiller::new(GapLimits::default());
    let steps = gaps.drive(
        0,
        Some((101, 400)),
        &[candidate("c", 0, 180, true), candidate("b", 0, 250, true), candidate("a", 0, 250, true)],
    );
    assert_eq!(steps, vec![GapStep::Request { peer: "a", from: 101, count: 100 }]);
}

#[test]
fn the_peer_that_last_failed_goes_last_even_if_aligned() {
    let mut gaps = GapFiller::new(GapLimits::default());
    let peers = [candidate("a", 0, 400, true), candidate("b", 0, 150, false)];
    assert_eq!(
        gaps.drive(0, Some((101, 400)), &peers),
        vec![GapStep::Request { peer: "a", from: 101, count: 100 }]
    );
    assert_eq!(
        gaps.drive(15_000, Some((101, 400)), &peers),
        vec![
            GapStep::TimedOut { peer: "a", from: 101 },
            GapStep::Request { peer: "b", from: 101, count: 50 },
        ]
    );
}

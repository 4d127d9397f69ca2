//! Reconnect backoff, the bounded dial queue and the isolation reset, on the injected clock.

use peerkeeper_core::backoff::{BackoffConfig, BackoffOutput, DialPhase, DialScheduler};

fn scheduler(max_in_flight: usize) -> DialScheduler<u32> {
    DialScheduler::new(BackoffConfig { max_dials_in_flight: max_in_flight, ..Default::default() })
        .unwrap()
}

fn dials(out: &[BackoffOutput<u32>]) -> Vec<u32> {
    out.iter()
        .filter_map(|o| match o {
            BackoffOutput::Dial { peer } => Some(*peer),
            _ => None,
        })
        .collect()
}

#[test]
fn defaults_are_the_seed_constants() {
    let c = BackoffConfig::default();
    assert_eq!(c.initial_backoff, 30_000);
    assert_eq!(c.max_backoff, 3_600_000);
    assert_eq!(c.stable_after, 300_000);
    assert_eq!(c.isolation_after, 60_000);
}

#[test]
fn a_new_peer_is_dialled_at_once() {
    let mut s = scheduler(8);
    assert!(s.add_peer(1, 500));
    assert!(!s.add_peer(1, 600));
    assert_eq!(s.next_deadline(), Some(500));
    assert_eq!(s.handle_timeout(500), vec![BackoffOutput::Dial { peer: 1 }]);
    assert_eq!(s.phase(&1), Some(DialPhase::Dialing { since: 500 }));
    assert_eq!(s.in_flight(), 1);
}

#[test]
fn backoff_doubles_30_60_120_up_to_3600_and_stays_there() {
    let mut s = scheduler(8);
    s.add_peer(7, 0);
    assert_eq!(dials(&s.handle_timeout(0)), [7]);
    let expected_s = [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600];
    let mut now = 0;
    for wait_s in expected_s {
        assert!(s.dial_failed(&7, now));
        let due = now + wait_s * 1_000;
        assert_eq!(s.next_dial_at(&7), Some(due));
        assert_eq!(s.next_deadline(), Some(due));
        assert_eq!(s.handle_timeout(due - 1), vec![]);
        assert_eq!(dials(&s.handle_timeout(due)), [7]);
        now = due;
    }
    assert_eq!(s.failures(&7), 10);
}

#[test]
fn a_connection_that_drops_before_300_s_keeps_doubling() {
    let mut s = scheduler(8);
    s.add_peer(1, 0);
    s.handle_timeout(0);
    s.dial_failed(&1, 0); // wait 30 s, next 60 s
    s.handle_timeout(30_000);
    s.dial_failed(&1, 30_000); // wait 60 s, next 120 s
    s.handle_timeout(90_000);
    s.connected(1, 90_000);
    assert_eq!(s.current_backoff(&1, 389_999), Some(120_000));
    assert!(s.disconnected(&1, 389_999));
    assert_eq!(s.next_dial_at(&1), Some(389_999 + 120_000));
}

#[test]
fn backoff_resets_to_30_s_once_a_connection_stays_up_300_s() {
    let mut s = scheduler(8);
    s.add_peer(1, 0);
    s.handle_timeout(0);
    s.dial_failed(&1, 0);
    s.handle_timeout(30_000);
    s.dial_failed(&1, 30_000);
    s.handle_timeout(90_000);
    s.connected(1, 90_000);
    assert_eq!(s.current_backoff(&1, 90_000 + 300_000), Some(30_000));
    assert!(s.disconnected(&1, 390_000));
    assert_eq!(s.next_dial_at(&1), Some(420_000));
    // The reset restarts the doubling: 30 s, then 60 s.
    s.handle_timeout(420_000);
    s.dial_failed(&1, 420_000);
    assert_eq!(s.next_dial_at(&1), Some(480_000));
}

#[test]
fn never_more_dials_in_flight_than_the_limit_and_a_freed_slot_dials_the_next_due() {
    let mut s = scheduler(3);
    for p in 0..10 {
        s.add_peer(p, 100 + u64::from(p));
    }
    assert_eq!(dials(&s.handle_timeout(1_000)), [0, 1, 2]);
    assert_eq!(s.in_flight(), 3);
    // All slots busy: nothing to wake for.
    assert_eq!(s.next_deadline(), None);
    assert_eq!(s.handle_timeout(2_000), vec![]);

    s.connected(1, 2_000);
    // Peer 3 has been due since 103; the host drains at once.
    assert_eq!(s.next_deadline(), Some(103));
    assert_eq!(dials(&s.handle_timeout(2_000)), [3]);
    s.dial_failed(&0, 2_500);
    assert_eq!(dials(&s.handle_timeout(2_500)), [4]);
    assert_eq!(s.in_flight(), 3);
}

#[test]
fn an_unsolicited_dial_failure_or_disconnect_changes_nothing() {
    let mut s = scheduler(8);
    s.add_peer(1, 0);
    assert!(!s.dial_failed(&1, 0));
    assert!(!s.disconnected(&1, 0));
    assert!(!s.dial_failed(&2, 0));
    assert_eq!(s.next_dial_at(&1), Some(0));
}

#[test]
fn inbound_connections_take_a_waiting_peer_out_of_the_queue() {
    let mut s = scheduler(8);
    s.add_peer(1, 1_000);
    s.connected(1, 500);
    assert_eq!(s.next_dial_at(&1), None);
    assert_eq!(s.handle_timeout(5_000), vec![]);
    s.connected(9, 600);
    assert_eq!(s.phase(&9), Some(DialPhase::Connected { since: 600 }));
}

#[test]
fn a_suspended_peer_is_never_dialled_and_resumes_after_one_normal_wait() {
    let mut s = scheduler(8);
    s.add_peer(1, 0);
    s.handle_timeout(0);
    s.dial_failed(&1, 0); // due 30_000, next wait 60 s
    assert!(s.suspend(1));
    assert!(!s.suspend(1));
    assert_eq!(s.next_dial_at(&1), None);
    assert_eq!(s.handle_timeout(10_000_000), vec![]);
    assert!(s.resume(&1, 3_600_000));
    assert!(!s.resume(&1, 3_600_000));
    assert_eq!(s.next_dial_at(&1), Some(3_660_000));
    assert_eq!(s.current_backoff(&1, 3_600_000), Some(60_000));
}

#[test]
fn a_peer_suspended_mid_dial_is_not_requeued_when_the_dial_fails() {
    let mut s = scheduler(8);
    s.add_peer(1, 0);
    s.handle_timeout(0);
    s.suspend(1);
    assert!(s.dial_failed(&1, 10));
    assert_eq!(s.in_flight(), 0);
    assert_eq!(s.next_dial_at(&1), None);
}

#[test]
fn a_ban_learnt_before_the_peer_still_holds() {
    let mut s = scheduler(8);
    s.suspend(5);
    assert!(!s.add_peer(5, 0));
    assert_eq!(s.handle_timeout(0), vec![]);
}

#[test]
fn isolation_reset_fires_after_60_s_with_zero_active_peers() {
    let mut s = scheduler(2);
    for p in [1, 2, 3] {
        s.add_peer(p, 0);
    }
    s.suspend(3);
    let first = s.handle_timeout(0);
    assert_eq!(dials(&first), [1, 2]);
    s.dial_failed(&1, 0);
    s.dial_failed(&2, 0);
    s.handle_timeout(30_000);
    s.dial_failed(&1, 30_000);
    s.dial_failed(&2, 30_000);
    assert_eq!(s.next_dial_at(&1), Some(90_000));

    s.set_active_peers(0, 5_000);
    assert_eq!(s.isolated_since(), Some(5_000));
    assert_eq!(s.next_deadline(), Some(65_000));
    assert_eq!(s.handle_timeout(64_999), vec![]);
    let out = s.handle_timeout(65_000);
    assert_eq!(
        out,
        vec![
            BackoffOutput::IsolationReset {
                isolated_since: 5_000,
                at: 65_000,
                redialled: vec![1, 2]
            },
            BackoffOutput::Dial { peer: 1 },
            BackoffOutput::Dial { peer: 2 },
        ]
    );
    // Backoffs were cleared: the next failure waits 30 s again.
    s.dial_failed(&1, 65_000);
    assert_eq!(s.next_dial_at(&1), Some(95_000));
    // Still isolated: the reset repeats 60 s later.
    assert_eq!(s.next_deadline(), Some(95_000));
    s.connected(2, 66_000);
    let out = s.handle_timeout(125_000);
    assert!(matches!(out[0], BackoffOutput::IsolationReset { at: 125_000, .. }));
}

#[test]
fn an_active_peer_cancels_the_isolation_clock() {
    let mut s = scheduler(2);
    s.set_active_peers(0, 0);
    s.set_active_peers(0, 30_000); // still the same isolation, started at 0
    assert_eq!(s.next_deadline(), Some(60_000));
    s.set_active_peers(1, 59_999);
    assert_eq!(s.next_deadline(), None);
    assert_eq!(s.handle_timeout(60_000), vec![]);
    s.set_active_peers(0, 70_000);
    assert_eq!(s.next_deadline(), Some(130_000));
}

#[test]
fn removing_a_peer_mid_dial_frees_its_slot() {
    let mut s = scheduler(1);
    s.add_peer(1, 0);
    s.add_peer(2, 0);
    s.handle_timeout(0);
    assert!(s.remove_peer(&1));
    assert_eq!(dials(&s.handle_timeout(0)), [2]);
}

#[test]
fn config_validation_names_the_field() {
    let bad = |c: BackoffConfig| DialScheduler::<u32>::new(c).unwrap_err().field();
    let d = BackoffConfig::default;
    assert_eq!(bad(BackoffConfig { initial_backoff: 0, ..d() }), "initial_backoff");
    assert_eq!(bad(BackoffConfig { max_backoff: 29_999, ..d() }), "max_backoff");
    assert_eq!(bad(BackoffConfig { max_dials_in_flight: 0, ..d() }), "max_dials_in_flight");
    assert_eq!(bad(BackoffConfig { isolation_after: 0, ..d() }), "isolation_after");
}

#[test]
fn state_round_trips_through_json_and_outputs_are_tagged() {
    let mut s = scheduler(8);
    s.add_peer(1, 0);
    s.add_peer(2, 0);
    s.handle_timeout(0);
    s.dial_failed(&1, 10);
    s.suspend(2);
    let back: DialScheduler<u32> =
        serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back.next_dial_at(&1), Some(30_010));
    assert!(back.is_suspended(&2));
    assert_eq!(back.in_flight(), 1);
    assert_eq!(
        serde_json::to_value(BackoffOutput::Dial { peer: 4u32 }).unwrap(),
        serde_json::json!({"type": "dial", "peer": 4})
    );
}

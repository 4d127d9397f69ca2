//! Benchlist thresholds, expiry and the cap with eviction, on the injected clock.

use peerkeeper_core::benchlist::{BenchEvent, Benchlist, BenchlistConfig, UnbenchCause};

/// Tracks `n` quiet peers (1000..) so the cap is `floor(0.25 * tracked)`.
fn benchlist_with_tracked(n: u32) -> Benchlist<u32> {
    let mut b = Benchlist::new(BenchlistConfig::default()).unwrap();
    for p in 0..n {
        b.add_peer(1_000 + p);
    }
    b
}

/// The closed form of the average: every observation weighted by 2^(-age / half-life), ages
/// measured from the latest observation.
fn closed_form(observations: &[(f64, u64)], half_life: u64) -> f64 {
    let latest = observations.iter().map(|o| o.1).max().unwrap();
    let (mut num, mut den) = (0.0, 0.0);
    for &(x, t) in observations {
        let w = 2f64.powf(-((latest - t) as f64) / half_life as f64);
        num += w * x;
        den += w;
    }
    num / den
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn defaults_are_avalanchego_s() {
    let c = BenchlistConfig::default();
    assert_eq!(c.half_life, 60_000);
    assert_eq!(c.bench_probability, 0.5);
    assert_eq!(c.unbench_probability, 0.2);
    assert_eq!(c.bench_duration, 300_000);
}

#[test]
fn hand_computed_case_benches_at_two_thirds_and_recovers_below_a_fifth() {
    let mut b = benchlist_with_tracked(7);
    assert_eq!(b.register_response(1, 0), vec![]);
    // d = 2^(-60/60) = 0.5; sum = 1 + 0.5 * 0 = 1; den = 1 + 0.5 * 1 = 1.5; p = 2/3.
    let out = b.register_failure(1, 60_000);
    assert_eq!(out.len(), 1);
    let BenchEvent::Benched { peer: 1, failure_probability, until: 360_000 } = out[0] else {
        panic!("expected a bench, got {out:?}");
    };
    assert!(close(failure_probability, 2.0 / 3.0));
    assert!(b.is_benched(&1));
    // d = 0.5; sum = 0 + 0.5 * 1 = 0.5; den = 1 + 0.5 * 1.5 = 1.75; p = 2/7 = 0.2857: stays.
    assert_eq!(b.register_response(1, 120_000), vec![]);
    assert!(close(b.failure_probability(&1).unwrap(), 2.0 / 7.0));
    // Same instant: d = 1; sum = 0.5; den = 2.75; p = 2/11 = 0.1818 < 0.2: recovered.
    let out = b.register_response(1, 120_000);
    assert!(matches!(
        out.as_slice(),
        [BenchEvent::Unbenched { peer: 1, cause: UnbenchCause::Recovered, failure_probability }]
            if close(*failure_probability, 2.0 / 11.0)
    ));
    assert!(!b.is_benched(&1));
    assert_eq!(b.next_deadline(), None);
}

#[test]
fn the_average_matches_the_closed_form_with_a_one_minute_half_life() {
    let mut b = benchlist_with_tracked(0);
    let script: [(f64, u64); 8] = [
        (0.0, 0),
        (0.0, 1_500),
        (1.0, 20_000),
        (0.0, 20_000),
        (1.0, 95_123),
        (1.0, 180_000),
        (0.0, 181_001),
        (0.0, 400_000),
    ];
    for (i, &(x, t)) in script.iter().enumerate() {
        if x == 1.0 {
            b.register_failure(9, t);
        } else {
            b.register_response(9, t);
        }
        let expected = closed_form(&script[..=i], 60_000);
        assert!(
            close(b.failure_probability(&9).unwrap(), expected),
            "after {} observations: {} vs {expected}",
            i + 1,
            b.failure_probability(&9).unwrap()
        );
    }
}

#[test]
fn exactly_one_half_does_not_bench_and_just_above_does() {
    let mut b = benchlist_with_tracked(7);
    b.register_response(1, 10);
    assert_eq!(b.register_failure(1, 10), vec![]);
    assert_eq!(b.failure_probability(&1), Some(0.5));
    let out = b.register_failure(1, 10);
    assert!(matches!(out[..], [BenchEvent::Benched { peer: 1, until: 300_010, .. }]));
}

#[test]
fn exactly_one_fifth_stays_benched_and_just_below_unbenches() {
    let mut b = benchlist_with_tracked(7);
    b.register_failure(1, 0);
    assert!(b.is_benched(&1));
    for _ in 0..4 {
        assert_eq!(b.register_response(1, 0), vec![]);
    }
    assert_eq!(b.failure_probability(&1), Some(0.2));
    assert!(b.is_benched(&1));
    let out = b.register_response(1, 0);
    assert!(matches!(
        out[..],
        [BenchEvent::Unbenched { peer: 1, cause: UnbenchCause::Recovered, .. }]
    ));
}

#[test]
fn the_bench_expires_after_5_minutes_and_a_still_failing_peer_is_rebenched() {
    let mut b = benchlist_with_tracked(7);
    b.register_failure(1, 1_000);
    assert_eq!(b.next_deadline(), Some(301_000));
    assert_eq!(b.handle_timeout(300_999), vec![]);
    assert!(b.is_benched(&1));
    let out = b.handle_timeout(301_000);
    assert_eq!(
        out,
        vec![BenchEvent::Unbenched {
            peer: 1,
            failure_probability: 1.0,
            cause: UnbenchCause::Expired
        }]
    );
    assert!(!b.is_benched(&1));
    let out = b.register_failure(1, 301_001);
    assert!(matches!(out[..], [BenchEvent::Benched { peer: 1, until: 601_001, .. }]));
}

#[test]
fn failures_while_benched_do_not_extend_the_bench() {
    let mut b = benchlist_with_tracked(7);
    b.register_failure(1, 0);
    assert_eq!(b.register_failure(1, 100_000), vec![]);
    assert_eq!(b.benched_until(&1), Some(300_000));
}

#[test]
fn the_cap_is_a_fraction_of_tracked_peers_and_a_worse_peer_evicts_the_least_failing() {
    // 8 tracked peers (1..=4 plus 4 quiet ones): cap = floor(0.25 * 8) = 2.
    let mut b = benchlist_with_tracked(4);
    for p in 1..=4 {
        b.add_peer(p);
    }
    assert_eq!(b.cap(), 2);
    let fail_then_respond = |b: &mut Benchlist<u32>, p, failures, responses| {
        let mut out = Vec::new();
        for _ in 0..responses {
            out.extend(b.register_response(p, 0));
        }
        for _ in 0..failures {
            out.extend(b.register_failure(p, 0));
        }
        out
    };
    // Peer 1 at 2/3, peer 2 at 3/4: both benched, the bench is full.
    fail_then_respond(&mut b, 1, 2, 1);
    fail_then_respond(&mut b, 2, 3, 1);
    assert_eq!(b.benched().copied().collect::<Vec<_>>(), [1, 2]);

    // Peer 3 at 1.0 is worse than peer 1 (2/3): peer 1 makes room.
    let out = fail_then_respond(&mut b, 3, 1, 0);
    assert_eq!(out.len(), 2);
    assert!(matches!(
        out[0],
        BenchEvent::Unbenched { peer: 1, cause: UnbenchCause::Evicted, failure_probability }
            if close(failure_probability, 2.0 / 3.0)
    ));
    assert!(matches!(out[1], BenchEvent::Benched { peer: 3, .. }));
    assert_eq!(b.benched().copied().collect::<Vec<_>>(), [2, 3]);

    // Peer 4 at 3/4 is no worse than the least-failing benched peer (peer 2, 3/4): not benched.
    let out = fail_then_respond(&mut b, 4, 3, 1);
    assert_eq!(out, vec![]);
    assert!(!b.is_benched(&4));
    assert_eq!(b.benched_count(), 2);
}

#[test]
fn with_too_few_tracked_peers_nobody_is_benched() {
    let mut b = benchlist_with_tracked(2);
    assert_eq!(b.register_failure(1, 0), vec![]); // 3 tracked: cap 0
    assert!(!b.is_benched(&1));
    b.add_peer(2);
    assert_eq!(b.cap(), 1);
    assert!(matches!(b.register_failure(1, 1)[..], [BenchEvent::Benched { peer: 1, .. }]));
}

#[test]
fn removing_a_benched_peer_reports_it_unbenched() {
    let mut b = benchlist_with_tracked(7);
    b.register_failure(1, 0);
    assert!(matches!(
        b.remove_peer(&1),
        Some(BenchEvent::Unbenched { peer: 1, cause: UnbenchCause::Removed, .. })
    ));
    assert_eq!(b.next_deadline(), None);
    assert_eq!(b.remove_peer(&1), None);
}

#[test]
fn config_validation_names_the_field() {
    let bad = |c: BenchlistConfig| Benchlist::<u32>::new(c).unwrap_err().field();
    let d = BenchlistConfig::default;
    assert_eq!(bad(BenchlistConfig { half_life: 0, ..d() }), "half_life");
    assert_eq!(bad(BenchlistConfig { bench_probability: 1.5, ..d() }), "bench_probability");
    assert_eq!(
        bad(BenchlistConfig { unbench_probability: f64::NAN, ..d() }),
        "unbench_probability"
    );
    assert_eq!(bad(BenchlistConfig { unbench_probability: 0.6, ..d() }), "unbench_probability");
    assert_eq!(bad(BenchlistConfig { bench_duration: 0, ..d() }), "bench_duration");
    assert_eq!(bad(BenchlistConfig { max_benched_fraction: -0.1, ..d() }), "max_benched_fraction");
}

#[test]
fn state_round_trips_through_json_and_events_are_tagged() {
    let mut b = benchlist_with_tracked(7);
    b.register_response(1, 0);
    b.register_failure(1, 60_000);
    let back: Benchlist<u32> = serde_json::from_str(&serde_json::to_string(&b).unwrap()).unwrap();
    assert!(back.is_benched(&1));
    assert_eq!(back.next_deadline(), Some(360_000));
    assert_eq!(back.failure_probability(&1), b.failure_probability(&1));
    let ev = BenchEvent::Unbenched {
        peer: 1u32,
        failure_probability: 0.0,
        cause: UnbenchCause::Expired,
    };
    assert_eq!(
        serde_json::to_value(ev).unwrap(),
        serde_json::json!({"type": "unbenched", "peer": 1, "failure_probability": 0.0, "cause": "expired"})
    );
}

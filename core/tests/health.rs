//! Network health in the seed 004 shape, on the injected clock.

use peerkeeper_core::health::{go_duration, HealthConfig, HealthTracker, UnhealthyReason};
use serde_json::json;

fn healthy_tracker(now: u64) -> HealthTracker {
    let mut h = HealthTracker::new(HealthConfig::default(), 0).unwrap();
    h.set_connected_peers(45);
    h.message_received(now - 1_200);
    h.message_sent(now - 800);
    h
}

#[test]
fn the_seed_example_serializes_in_the_seed_shape() {
    let h = healthy_tracker(10_000);
    let report = h.health(10_000);
    assert!(report.healthy);
    assert!(report.reasons().is_empty());
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({
            "healthy": true,
            "checks": {"network": {"message": {
                "connectedPeers": 45,
                "timeSinceLastMsgReceived": "1.2s",
                "timeSinceLastMsgSent": "800ms",
                "sendFailRate": 0.0
            }}}
        })
    );
}

#[test]
fn durations_are_written_like_go_s_time_duration() {
    for (ms, s) in [
        (0, "0s"),
        (1, "1ms"),
        (800, "800ms"),
        (1_000, "1s"),
        (1_200, "1.2s"),
        (1_234, "1.234s"),
        (60_000, "1m0s"),
        (61_500, "1m1.5s"),
        (3_600_000, "1h0m0s"),
        (3_723_050, "1h2m3.05s"),
    ] {
        assert_eq!(go_duration(ms), s, "{ms} ms");
    }
}

#[test]
fn a_fresh_node_is_unhealthy_for_every_reason_at_once() {
    let h = HealthTracker::new(HealthConfig::default(), 0).unwrap();
    let report = h.health(5);
    assert!(!report.healthy);
    assert_eq!(
        report.reasons(),
        [
            UnhealthyReason::TooFewPeers { connected: 0, min: 1 },
            UnhealthyReason::NoMessageReceived,
            UnhealthyReason::NoMessageSent,
        ]
    );
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({
            "healthy": false,
            "checks": {"network": {
                "message": {"connectedPeers": 0, "sendFailRate": 0.0},
                "error": "network layer is unhealthy reason: not connected to a minimum of 1 \
                          peer(s) only 0, no messages received from network, no messages sent \
                          to network"
            }}
        })
    );
}

#[test]
fn a_message_exactly_60_s_old_is_fresh_and_one_ms_older_is_stale() {
    let h = healthy_tracker(10_000); // received at 8_800, sent at 9_200
    assert!(h.health(68_800).healthy);
    let report = h.health(68_801);
    assert_eq!(
        report.reasons(),
        [UnhealthyReason::LastReceivedTooLongAgo { since: 60_001, max: 60_000 }]
    );
    assert_eq!(
        report.checks.network.error.as_deref(),
        Some("network layer is unhealthy reason: no messages from network received in 1m0.001s > 1m0s")
    );
    assert_eq!(
        h.health(69_201).reasons()[1],
        UnhealthyReason::LastSentTooLongAgo { since: 60_001, max: 60_000 }
    );
}

#[test]
fn a_send_fail_rate_of_exactly_0_9_is_healthy_and_above_is_not() {
    let mut h = healthy_tracker(10_000);
    // The tracker starts from one observation of 0 at t = 0 and the sent message at 9_200 is
    // another; at t = 9_200 both weigh 2^(-0.92) and 1. Failures at 9_200 add weight 1 each.
    let w0 = 2f64.powf(-0.92);
    let rate = |n: f64| n / (w0 + 1.0 + n);
    let mut n = 0.0;
    while rate(n + 1.0) <= 0.9 {
        h.send_failed(9_200);
        n += 1.0;
    }
    assert!((h.send_fail_rate() - rate(n)).abs() < 1e-12);
    assert!(h.health(10_000).healthy);
    h.send_failed(9_200);
    let report = h.health(10_000);
    assert!(matches!(
        report.reasons(),
        [UnhealthyReason::SendFailRateTooHigh { rate: r, max }] if *max == 0.9 && *r > 0.9
    ));
}

#[test]
fn the_send_fail_rate_halves_its_memory_every_10_s() {
    let mut h = HealthTracker::new(HealthConfig::default(), 0).unwrap();
    h.send_failed(0); // 1 / (1 + 1) = 0.5
    assert_eq!(h.send_fail_rate(), 0.5);
    // d = 0.5: sum = 0 + 0.5 * 1 = 0.5, den = 1 + 0.5 * 2 = 2: 0.25.
    h.message_sent(10_000);
    assert_eq!(h.send_fail_rate(), 0.25);
}

#[test]
fn config_validation_names_the_field() {
    let bad = |c: HealthConfig| HealthTracker::new(c, 0).unwrap_err().field();
    let d = HealthConfig::default;
    assert_eq!(bad(HealthConfig { max_send_fail_rate: 2.0, ..d() }), "max_send_fail_rate");
    assert_eq!(
        bad(HealthConfig { send_fail_rate_half_life: 0, ..d() }),
        "send_fail_rate_half_life"
    );
}

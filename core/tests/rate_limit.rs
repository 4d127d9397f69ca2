//! Each limiter at and just past its limit, on the injected clock.

use peerkeeper_core::rate_limit::{
    DropReason, InboundThrottle, InboundThrottleConfig, RateDecision, SlidingWindowConfig,
    SlidingWindowLimiter, ThrottleDecision, TokenBucket, UpgradeDecision, UpgradeThrottle,
    UpgradeThrottleConfig,
};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * 1024;

#[test]
fn defaults_are_the_seed_constants() {
    let w = SlidingWindowConfig::default();
    assert_eq!((w.max_requests, w.window), (3, 300_000));
    let u = UpgradeThrottleConfig::default();
    assert_eq!((u.per_ip_cooldown, u.global_max, u.global_window), (10_000, 256, 1_000));
    let t = InboundThrottleConfig::default();
    assert_eq!((t.bytes_per_sec, t.byte_burst), (512 * KIB, 2 * MIB));
}

#[test]
fn peer_exchange_admits_3_requests_per_300_s_and_refuses_the_4th() {
    let mut l = SlidingWindowLimiter::new(SlidingWindowConfig::default()).unwrap();
    assert_eq!(l.check("p", 0), RateDecision::Allow);
    assert_eq!(l.check("p", 1_000), RateDecision::Allow);
    assert_eq!(l.check("p", 2_000), RateDecision::Allow);
    assert_eq!(l.check("p", 3_000), RateDecision::Deny { retry_at: 300_000 });
    assert_eq!(l.check("p", 299_999), RateDecision::Deny { retry_at: 300_000 });
    // Other peers have their own windows.
    assert_eq!(l.check("q", 299_999), RateDecision::Allow);
    // The request at 0 leaves the window at exactly 300 s.
    assert_eq!(l.check("p", 300_000), RateDecision::Allow);
    assert_eq!(l.check("p", 300_000), RateDecision::Deny { retry_at: 301_000 });
    assert_eq!(l.in_window(&"p", 300_000), 3);
}

#[test]
fn refused_peer_exchange_requests_do_not_extend_the_wait() {
    let mut l = SlidingWindowLimiter::new(SlidingWindowConfig::default()).unwrap();
    for t in 0..3 {
        l.check(1u32, t);
    }
    for t in (10..300_000).step_by(10_000) {
        assert!(!l.check(1, t).is_allowed());
    }
    assert!(l.check(1, 300_000).is_allowed());
}

#[test]
fn quiet_keys_are_forgotten_when_their_window_empties() {
    let mut l = SlidingWindowLimiter::new(SlidingWindowConfig::default()).unwrap();
    l.check("a", 0);
    l.check("b", 50);
    assert_eq!(l.next_deadline(), Some(300_000));
    l.handle_timeout(300_000);
    assert_eq!(l.tracked_keys(), 1);
    assert_eq!(l.next_deadline(), Some(300_050));
    l.handle_timeout(300_050);
    assert_eq!(l.tracked_keys(), 0);
}

#[test]
fn one_upgrade_per_ip_per_10_s() {
    let mut u = UpgradeThrottle::new(UpgradeThrottleConfig::default(), 1).unwrap();
    assert_eq!(u.should_upgrade("10.0.0.1", 0), UpgradeDecision::Allow);
    assert_eq!(u.should_upgrade("10.0.0.1", 9_999), UpgradeDecision::DenyIp { retry_at: 10_000 });
    assert_eq!(u.should_upgrade("10.0.0.2", 9_999), UpgradeDecision::Allow);
    assert_eq!(u.should_upgrade("10.0.0.1", 10_000), UpgradeDecision::Allow);
    assert_eq!(u.should_upgrade("10.0.0.1", 10_001), UpgradeDecision::DenyIp { retry_at: 20_000 });
}

#[test]
fn the_global_upgrade_rate_admits_256_per_second_and_refuses_the_257th() {
    let mut u = UpgradeThrottle::new(UpgradeThrottleConfig::default(), 1).unwrap();
    for ip in 0..256u32 {
        assert_eq!(u.should_upgrade(ip, 500), UpgradeDecision::Allow, "ip {ip}");
    }
    assert_eq!(u.should_upgrade(256, 500), UpgradeDecision::DenyGlobal { retry_at: 1_500 });
    assert_eq!(u.should_upgrade(256, 1_499), UpgradeDecision::DenyGlobal { retry_at: 1_500 });
    // A globally refused IP was not put in cooldown.
    assert_eq!(u.should_upgrade(256, 1_500), UpgradeDecision::Allow);
    assert_eq!(u.ips_in_cooldown(), 257);
    u.handle_timeout(10_500);
    assert_eq!(u.ips_in_cooldown(), 1);
}

#[test]
fn upgrade_cooldowns_end_in_start_order_and_time_never_goes_back() {
    let config = UpgradeThrottleConfig { per_ip_cooldown: 100, global_max: 10, global_window: 1 };
    let mut u = UpgradeThrottle::new(config, 1).unwrap();
    assert_eq!(u.next_deadline(), None);
    assert_eq!(u.should_upgrade("a", 10), UpgradeDecision::Allow);
    assert_eq!(u.should_upgrade("b", 40), UpgradeDecision::Allow);
    // An earlier `now` counts as 40: "c" cools down until 140, after "b".
    assert_eq!(u.should_upgrade("c", 20), UpgradeDecision::Allow);
    assert_eq!(u.should_upgrade("c", 100), UpgradeDecision::DenyIp { retry_at: 140 });
    assert_eq!(u.next_deadline(), Some(110));
    u.handle_timeout(110);
    assert_eq!((u.ips_in_cooldown(), u.next_deadline()), (2, Some(140)));
    // "a" again: its old end is gone, so exactly one end per IP is queued.
    assert_eq!(u.should_upgrade("a", 120), UpgradeDecision::Allow);
    assert_eq!(u.should_upgrade("b", 140), UpgradeDecision::Allow);
    assert_eq!((u.ips_in_cooldown(), u.next_deadline()), (2, Some(220)));
    u.handle_timeout(219);
    assert_eq!(u.ips_in_cooldown(), 2);
    u.handle_timeout(240);
    assert_eq!((u.ips_in_cooldown(), u.next_deadline()), (0, None));
}

#[test]
fn token_bucket_refills_to_the_millisecond_in_integers() {
    let mut b = TokenBucket::new(512 * KIB, 2 * MIB, 0);
    assert_eq!(b.wait_for(2 * MIB, 0), Some(0));
    b.take(2 * MIB, 0);
    // 512 KiB/s is 524.288 bytes per ms: one byte needs 1.9 us, rounded up to 1 ms.
    assert_eq!(b.wait_for(1, 0), Some(1));
    assert_eq!(b.wait_for(524, 1), Some(0));
    assert_eq!(b.wait_for(525, 1), Some(1));
    assert_eq!(b.available(1_000), 512 * 1024);
    assert_eq!(b.wait_for(2 * MIB + 1, 1_000_000), None);
}

#[test]
fn a_burst_of_2_mib_is_allowed_and_one_byte_more_is_delayed() {
    let mut t = InboundThrottle::new(InboundThrottleConfig::default()).unwrap();
    assert_eq!(t.check("p", 2 * MIB, 100), ThrottleDecision::Allow);
    assert_eq!(t.check("p", 1, 100), ThrottleDecision::DelayUntil { at: 101 });
}

#[test]
fn a_delay_of_exactly_max_delay_is_granted_and_one_past_is_dropped() {
    let mut t = InboundThrottle::new(InboundThrottleConfig::default()).unwrap();
    t.check("p", 2 * MIB, 0);
    // 512 KiB at 512 KiB/s: exactly 1_000 ms, the default max_delay.
    assert_eq!(t.check("p", 512 * KIB, 0), ThrottleDecision::DelayUntil { at: 1_000 });
    assert_eq!(t.check("p", 1, 0), ThrottleDecision::Drop { reason: DropReason::TooFarAhead });
    // Nothing was charged for the dropped message: at 1_000 the reservation is paid off.
    assert_eq!(t.available(&"p", 1_000), Some((0, 1_024)));
    assert_eq!(t.check("p", 1, 1_000), ThrottleDecision::DelayUntil { at: 1_001 });
}

#[test]
fn a_message_larger_than_the_burst_is_dropped_outright() {
    let mut t = InboundThrottle::new(InboundThrottleConfig::default()).unwrap();
    assert_eq!(
        t.check("p", 2 * MIB + 1, 0),
        ThrottleDecision::Drop { reason: DropReason::TooLarge }
    );
    assert_eq!(t.check("p", 2 * MIB, 0), ThrottleDecision::Allow);
}

#[test]
fn the_message_count_bucket_limits_small_messages() {
    let config = InboundThrottleConfig {
        messages_per_sec: 10,
        message_burst: 20,
        max_delay: 100,
        ..Default::default()
    };
    let mut t = InboundThrottle::new(config).unwrap();
    for _ in 0..20 {
        assert_eq!(t.check(7u32, 1, 0), ThrottleDecision::Allow);
    }
    // One message per 100 ms.
    assert_eq!(t.check(7, 1, 0), ThrottleDecision::DelayUntil { at: 100 });
    assert_eq!(t.check(7, 1, 0), ThrottleDecision::Drop { reason: DropReason::TooFarAhead });
    assert_eq!(t.check(7, 1, 100), ThrottleDecision::DelayUntil { at: 200 });
    // Peers are independent.
    assert_eq!(t.check(8, 1, 0), ThrottleDecision::Allow);
}

#[test]
fn config_validation_names_the_field() {
    let err = SlidingWindowLimiter::<u32>::new(SlidingWindowConfig { max_requests: 0, window: 1 })
        .unwrap_err();
    assert_eq!(err.field(), "max_requests");
    let err = UpgradeThrottle::<u32>::new(
        UpgradeThrottleConfig { global_window: 0, ..Default::default() },
        1,
    )
    .unwrap_err();
    assert_eq!(err.field(), "global_window");
    let err =
        InboundThrottle::<u32>::new(InboundThrottleConfig { byte_burst: 0, ..Default::default() })
            .unwrap_err();
    assert_eq!(err.field(), "byte_burst");
}

#[test]
fn decisions_serialize_with_a_type_tag() {
    assert_eq!(
        serde_json::to_value(ThrottleDecision::DelayUntil { at: 5 }).unwrap(),
        serde_json::json!({"type": "delay_until", "at": 5})
    );
    assert_eq!(
        serde_json::to_value(UpgradeDecision::DenyIp { retry_at: 5 }).unwrap(),
        serde_json::json!({"type": "deny_ip", "retry_at": 5})
    );
}

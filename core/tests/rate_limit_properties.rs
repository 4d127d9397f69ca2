//! Property tests: no limiter ever admits more than its limit, whatever the arrival pattern.

use std::collections::BTreeMap;

use peerkeeper_core::rate_limit::{
    InboundThrottle, InboundThrottleConfig, RateDecision, SlidingWindowConfig,
    SlidingWindowLimiter, ThrottleDecision, UpgradeDecision, UpgradeThrottle,
    UpgradeThrottleConfig,
};
use peerkeeper_core::Millis;
use proptest::prelude::*;

/// Arrival times: non-decreasing, built from small gaps so windows fill up.
fn arrivals(max_gap: Millis) -> impl Strategy<Value = Vec<(u8, Millis)>> {
    prop::collection::vec((0u8..3, 0..max_gap), 1..300).prop_map(|steps| {
        let mut now = 0;
        steps
            .into_iter()
            .map(|(key, gap)| {
                now += gap;
                (key, now)
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn the_sliding_window_never_admits_more_than_max_in_any_window_and_retry_at_is_exact(
        max in 1u32..5,
        window in 1u64..1_000,
        events in arrivals(200),
    ) {
        let mut l = SlidingWindowLimiter::new(SlidingWindowConfig { max_requests: max, window })
            .unwrap();
        let mut admitted: BTreeMap<u8, Vec<Millis>> = BTreeMap::new();
        for (key, now) in events {
            match l.check(key, now) {
                RateDecision::Allow => admitted.entry(key).or_default().push(now),
                RateDecision::Deny { retry_at } => {
                    let times = &admitted[&key];
                    // Refused only when `max` admissions are inside (now - window, now] ...
                    let inside = times.iter().filter(|&&t| t + window > now).count();
                    prop_assert_eq!(inside, max as usize);
                    // ... and retry_at is when the oldest of them leaves.
                    prop_assert_eq!(retry_at, times[times.len() - max as usize] + window);
                }
            }
            l.handle_timeout(now);
        }
        for times in admitted.values() {
            for (i, &start) in times.iter().enumerate() {
                let in_window = times[i..].iter().take_while(|&&t| t < start + window).count();
                prop_assert!(in_window <= max as usize);
            }
        }
    }

    #[test]
    fn upgrades_respect_the_per_ip_cooldown_and_the_global_cap(
        cooldown in 1u64..500,
        global_max in 1u32..6,
        global_window in 1u64..300,
        events in arrivals(60),
    ) {
        let config = UpgradeThrottleConfig { per_ip_cooldown: cooldown, global_max, global_window };
        let mut u = UpgradeThrottle::new(config, 1).unwrap();
        let mut per_ip: BTreeMap<u8, Millis> = BTreeMap::new();
        let mut all: Vec<Millis> = Vec::new();
        for (ip, now) in events {
            if u.should_upgrade(ip, now) == UpgradeDecision::Allow {
                if let Some(&last) = per_ip.get(&ip) {
                    prop_assert!(now >= last + cooldown);
                }
                per_ip.insert(ip, now);
                all.push(now);
            }
            u.handle_timeout(now);
        }
        for (i, &start) in all.iter().enumerate() {
            let in_window = all[i..].iter().take_while(|&&t| t < start + global_window).count();
            prop_assert!(in_window <= global_max as usize);
        }
    }

    #[test]
    fn the_byte_bucket_never_lets_more_through_than_burst_plus_rate_times_time(
        sizes_and_gaps in prop::collection::vec((1u64..5_000, 0u64..50), 1..300),
    ) {
        let config = InboundThrottleConfig {
            bytes_per_sec: 10_000,
            byte_burst: 20_000,
            messages_per_sec: 1_000_000,
            message_burst: 1_000_000,
            max_delay: 500,
        };
        let mut t = InboundThrottle::new(config).unwrap();
        // (time the host may process it, bytes)
        let mut processed: Vec<(Millis, u64)> = Vec::new();
        let mut now = 0;
        for (bytes, gap) in sizes_and_gaps {
            now += gap;
            match t.check(0u8, bytes, now) {
                ThrottleDecision::Allow => processed.push((now, bytes)),
                ThrottleDecision::DelayUntil { at } => {
                    prop_assert!(at > now && at - now <= 500);
                    processed.push((at, bytes));
                }
                ThrottleDecision::Drop { .. } => {}
            }
        }
        processed.sort();
        let mut total = 0;
        for (at, bytes) in processed {
            total += bytes;
            // 10_000 bytes/s is 10 bytes per ms.
            prop_assert!(total <= 20_000 + 10 * at, "{} bytes by {} ms", total, at);
        }
    }
}

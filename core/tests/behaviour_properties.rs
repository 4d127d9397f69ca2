//! Properties of behaviour scoring over arbitrary report histories.

use peerkeeper_core::{Config, Event, Millis, PeerAction, PeerManager};
use proptest::prelude::*;

fn action() -> impl Strategy<Value = PeerAction> {
    prop_oneof![
        Just(PeerAction::Fatal),
        Just(PeerAction::LowTolerance),
        Just(PeerAction::MidTolerance),
        Just(PeerAction::HighTolerance),
        (-150.0f64..150.0).prop_map(|delta| PeerAction::Custom { delta }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_score_stays_in_range_bans_follow_the_threshold_and_deltas_are_exact(
        steps in prop::collection::vec((action(), 0u64..2_000_000), 1..40)
    ) {
        // Retention would forget a never-connected peer an hour after it was first seen.
        let config = Config { retention_ms: Millis::MAX, ..Config::default() };
        let mut pm: PeerManager<u32> = PeerManager::new(config).unwrap();
        let b = Config::default().behaviour;
        let mut now: Millis = 0;
        let mut banned_until: Option<Millis> = None;
        for (action, dt) in steps {
            now += dt;
            let before = pm.behaviour_score(&1, now);
            let after = pm.report_peer(&1, action, "x", now).unwrap();
            prop_assert!((b.min_score..=b.max_score).contains(&after));
            let stat = pm.score_stats(now).remove(0);
            prop_assert_eq!(stat.last_action_delta, Some(after - before));
            prop_assert_eq!(stat.last_action_time, Some(now));
            let was_banned = banned_until.is_some_and(|u| now < u);
            for e in std::iter::from_fn(|| pm.poll_event()) {
                if let Event::Banned { until, .. } = e {
                    prop_assert!(!was_banned, "a ban in force is never renewed by a report");
                    prop_assert!(after <= b.ban_threshold);
                    prop_assert_eq!(until, now + b.ban_duration_ms);
                    banned_until = Some(until);
                }
            }
            if !was_banned && after <= b.ban_threshold {
                prop_assert_eq!(banned_until, Some(now + b.ban_duration_ms));
            }
            prop_assert_eq!(pm.is_banned(&1, now), banned_until.is_some_and(|u| now < u));
            // While banned the score holds still.
            if let Some(until) = banned_until.filter(|&u| now < u) {
                prop_assert_eq!(pm.behaviour_score(&1, until), after);
            }
        }
    }
}

//! A generated load for the page's frame-rate measurement (issue 9: 1 000 peers, about 200
//! inputs per second of virtual time): the peers connect over the first seconds, then every
//! 5 ms one random input (connect, disconnect, tag, decaying tag, bump, report, protect) hits
//! a random peer of a universe half again as large, so trims, decays and bans keep coming.
//! Seeded: equal parameters give equal scenarios.

use crate::behaviour_score::PeerAction;
use crate::config::Config;
use crate::tags::DecayFn;
use crate::types::{Direction, Millis};

use super::{Action, Scenario, SplitMix64, Step};

/// The stress scenario's slug.
pub const STRESS_ID: &str = "stress";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StressParams {
    /// Peers connected at once (the high water mark).
    pub peers: usize,
    /// Virtual seconds of churn after the peers have connected.
    pub seconds: u64,
    /// Inputs per virtual second.
    pub per_second: u64,
    pub seed: u64,
}

impl Default for StressParams {
    fn default() -> Self {
        StressParams { peers: 1_000, seconds: 60, per_second: 200, seed: 1 }
    }
}

fn peer(i: u64) -> String {
    format!("peer-{i:05}")
}

/// The stress scenario for `params`; it carries no expectations (it measures the page).
pub fn stress(params: StressParams) -> Scenario {
    let StressParams { peers, seconds, per_second, seed } = params;
    let mut rng = SplitMix64::new(seed);
    let gap: Millis = (1_000 / per_second.max(1)).max(1);
    let universe = (peers as u64 * 3 / 2).max(1);
    let mut steps = Vec::new();
    let mut at: Millis = 0;
    for i in 0..peers as u64 {
        let direction = if rng.chance(1, 4) { Direction::Outbound } else { Direction::Inbound };
        steps.push(Step::new(at, Action::Connect { peer: peer(i), direction }, "a peer connects"));
        at += gap;
    }
    let churn_ends = at + seconds * 1_000;
    while at < churn_ends {
        let p = peer(rng.below(universe));
        let roll = rng.below(100);
        let (action, why) = match roll {
            0..=24 => {
                (Action::Connect { peer: p, direction: Direction::Inbound }, "churn: connect")
            }
            25..=34 => (Action::Disconnect { peer: p }, "churn: disconnect"),
            35..=49 => (
                Action::Tag { peer: p, tag: "app".into(), value: rng.below(50) as i64 },
                "static tag",
            ),
            50..=62 => (
                Action::TagDecaying {
                    peer: p,
                    tag: "gossip".into(),
                    value: 10 + rng.below(90) as i64,
                    interval: 5_000,
                    decay: DecayFn::linear(0.5),
                },
                "decaying tag",
            ),
            63..=79 => (
                Action::Bump { peer: p, tag: "gossip".into(), delta: 1 + rng.below(20) as i64 },
                "bump",
            ),
            80..=93 => (
                Action::Report {
                    peer: p,
                    action: if rng.chance(1, 10) {
                        PeerAction::MidTolerance
                    } else {
                        PeerAction::HighTolerance
                    },
                    name: "late_response".into(),
                },
                "behaviour report",
            ),
            94..=96 => (Action::Protect { peer: p, tag: "pinned".into() }, "protect"),
            _ => (Action::Unprotect { peer: p, tag: "pinned".into() }, "unprotect"),
        };
        steps.push(Step::new(at, action, why));
        at += gap;
    }
    Scenario {
        id: STRESS_ID,
        title: "Stress: 1 000 peers churning",
        summary: "A generated load with no lesson: peers connect, leave, are tagged, bumped and \
                  reported about 200 times per virtual second, so trims and decays keep coming. \
                  The page's frame-rate measurement plays it.",
        config: Config {
            high_water: peers.max(1),
            low_water: peers * 9 / 10,
            grace_period: 5_000,
            silence_period: 2_000,
            ..Config::default()
        },
        chain: None,
        steps,
    }
}

//! The benchlist (AvalancheGo): a peer whose failure probability (a one-minute half-life
//! average of its request outcomes) rises above 0.5 is benched, so requests to it fail at once;
//! it comes back when the probability falls below 0.2 or after five minutes, and at most a
//! quarter of the tracked peers are benched at once.

use crate::benchlist::UnbenchCause;
use crate::config::Config;
use crate::events::Event;

use super::{s, Action, Expectation, Scenario, Step};

fn respond(at: u64, peer: &str, why: &str) -> Step {
    Step::new(at, Action::RegisterResponse { peer: s(peer) }, why)
}

fn fail(at: u64, peer: &str, why: &str) -> Step {
    Step::new(at, Action::RegisterFailure { peer: s(peer) }, why)
}

fn benched(peer: &str, benched: bool) -> Expectation {
    Expectation::Benched { peer: s(peer), benched }
}

pub(crate) fn bench_and_recover() -> Scenario {
    let steps = vec![
        respond(0, "b", "b answers a request: its failure probability is 0."),
        respond(0, "c", "c answers."),
        respond(0, "d", "d answers."),
        fail(1_000, "a", "a's first request fails: probability 1, above 0.5. With four peers tracked, one may be benched.")
            .expect([
                Expectation::Emitted(Event::Benched {
                    peer: s("a"),
                    failure_probability: 1.0,
                    until: 301_000,
                    at: 1_000,
                }),
                benched("a", true),
            ]),
        respond(61_000, "a", "A minute later a answers: the failure weighs half, so the probability is 0.5 / 1.5 = 1/3, still above 0.2.")
            .expect([benched("a", true)]),
        respond(121_000, "a", "Another answer a minute later: 0.25 / 1.75 = 1/7, below 0.2, so a is back.")
            .expect([
                Expectation::Emitted(Event::Unbenched {
                    peer: s("a"),
                    failure_probability: 0.25 / 1.75,
                    cause: UnbenchCause::Recovered,
                    at: 121_000,
                }),
                benched("a", false),
            ]),
        fail(130_000, "e", "A fifth peer, e, fails its first request and is benched until 430 000.")
            .expect([benched("e", true)]),
        fail(140_000, "c", "c fails: its probability rises above 0.5, but the bench is full (one of five) and c fails less often than e, so it stays.")
            .expect([benched("c", false)]),
        Step::new(430_000, Action::Wait, "Five minutes on the bench: e is back whatever its record.")
            .expect([
                Expectation::Emitted(Event::Unbenched {
                    peer: s("e"),
                    failure_probability: 1.0,
                    cause: UnbenchCause::Expired,
                    at: 430_000,
                }),
                benched("e", false),
            ]),
    ];
    Scenario {
        id: "benchlist",
        title: "The benchlist",
        summary:
            "Peers that keep failing requests are benched: the host fails requests to them at \
                  once instead of waiting for timeouts. A benched peer returns when its failure \
                  probability falls below 0.2 or after five minutes; at most a quarter of the \
                  peers are benched at once.",
        config: Config::default(),
        chain: None,
        steps,
    }
}

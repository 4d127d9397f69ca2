//! Behaviour scoring (Lighthouse's numbers): reports drive a peer to the disconnect threshold
//! (-20) and the ban threshold (-50); the score is frozen for the 30-minute ban, then halves
//! every 10 minutes, and the peer is welcome again once it is back above -20.

use crate::behaviour_score::PeerAction;
use crate::config::Config;
use crate::events::{Command, Event};
use crate::reasons::DisconnectReason;
use crate::types::{Direction, Millis};

use super::{s, Action, Expectation, Scenario, Step};

const BANNED_AT: Millis = 1_000;
const BAN_ENDS: Millis = BANNED_AT + 1_800_000;
const HALF_LIFE: f64 = 600_000.0;

/// -50 decayed for `elapsed` ms after the ban.
fn decayed(elapsed: Millis) -> f64 {
    -50.0 * (-(elapsed as f64) / HALF_LIFE).exp2()
}

/// The first ms after the ban at which -50 has decayed above -20: ceil(600 000 x log2 2.5).
const BACK_ABOVE: Millis = 793_157;

fn report(at: Millis, why: &str) -> Step {
    Step::new(
        at,
        Action::Report {
            peer: s("p"),
            action: PeerAction::LowTolerance,
            name: s("invalid_response"),
        },
        why,
    )
}

fn connect(at: Millis, why: &str) -> Step {
    Step::new(at, Action::Connect { peer: s("p"), direction: Direction::Inbound }, why)
}

fn behaviour(value: f64) -> Expectation {
    Expectation::BehaviourScore { peer: s("p"), value }
}

fn closed(reason: DisconnectReason) -> Expectation {
    Expectation::Commanded(Command::Disconnect { peer: s("p"), reason })
}

pub(crate) fn ban_and_decay() -> Scenario {
    let steps = vec![
        connect(0, "Peer p connects. Its behaviour score starts at 0."),
        report(BANNED_AT, "p sends an invalid response: a low-tolerance report costs 10 points.")
            .expect([Expectation::Returned(s("-10.0")), behaviour(-10.0), Expectation::NoCommand]),
        report(
            BANNED_AT,
            "A second one in the same millisecond: -20 is the disconnect threshold, so p is told \
             to go with `bad_score`.",
        )
        .expect([
            behaviour(-20.0),
            closed(DisconnectReason::BadScore),
            Expectation::Connected(vec![]),
        ]),
        report(BANNED_AT, "Reports keep counting while p is away: -30.").expect([behaviour(-30.0)]),
        report(BANNED_AT, "-40.").expect([behaviour(-40.0), Expectation::Banned {
            peer: s("p"),
            banned: false,
        }]),
        report(BANNED_AT, "-50 reaches the ban threshold: p is banned for 30 minutes.").expect([
            behaviour(-50.0),
            Expectation::Emitted(Event::Banned {
                peer: s("p"),
                until: BAN_ENDS,
                reason: DisconnectReason::Banned,
                at: BANNED_AT,
            }),
            Expectation::Banned { peer: s("p"), banned: true },
            Expectation::NextTimeout(Some(BAN_ENDS)),
        ]),
        Step::new(
            BANNED_AT + 600_000,
            Action::Wait,
            "Ten minutes later the score would have halved, but a banned peer's score is frozen.",
        )
        .expect([behaviour(-50.0)]),
        connect(
            BANNED_AT + 601_000,
            "p connects anyway (a host should have asked `allow_connection` first): it is closed \
             at once with `banned`.",
        )
        .expect([closed(DisconnectReason::Banned), Expectation::Connected(vec![])]),
        Step::new(BAN_ENDS, Action::Wait, "The ban ends after 30 minutes; decay resumes from -50.")
            .expect([
                Expectation::Emitted(Event::Unbanned { peer: s("p"), at: BAN_ENDS }),
                Expectation::Banned { peer: s("p"), banned: false },
                behaviour(-50.0),
            ]),
        Step::new(
            BAN_ENDS + 600_000,
            Action::Wait,
            "One half-life (10 minutes) later: -25, still at or below -20.",
        )
        .expect([behaviour(decayed(600_000)), behaviour(-25.0)]),
        connect(
            BAN_ENDS + BACK_ABOVE - 1,
            "One millisecond before the score rises above -20, p connects: still too low, it is \
             told to go with `bad_score`.",
        )
        .expect([behaviour(decayed(BACK_ABOVE - 1)), closed(DisconnectReason::BadScore)]),
        connect(
            BAN_ENDS + BACK_ABOVE,
            "At exactly ceil(600 000 x log2 2.5) = 793 157 ms after the ban the score is above -20: \
             p stays.",
        )
        .expect([
            behaviour(decayed(BACK_ABOVE)),
            Expectation::NoCommand,
            Expectation::Connected(vec![s("p")]),
        ]),
    ];
    Scenario {
        id: "behaviour-ban-and-decay",
        title: "Behaviour scoring: to a ban and back",
        summary:
            "Five low-tolerance reports take a peer from 0 to -50: at -20 it is disconnected, \
                  at -50 banned for 30 minutes with its score frozen. After the ban the score \
                  halves every 10 minutes, and the peer may stay once it is back above -20.",
        config: Config::default(),
        chain: None,
        steps,
    }
}

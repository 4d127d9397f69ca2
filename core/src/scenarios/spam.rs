//! Spam strikes (seed 003): ten undecodable packets soft-ban a peer for an hour; it is not dialled
//! while banned; after the ban it is dialled 60 s later (its last connection was not stable,
//! which doubled the 30 s wait), and every failed dial then doubles the wait up to the 3 600 s
//! cap.

use crate::config::Config;
use crate::events::{Command, Event};
use crate::lifecycle::PeerState;
use crate::reasons::DisconnectReason;
use crate::strikes::StrikeKind;
use crate::types::{Direction, Millis};

use super::{s, Action, Expectation, Scenario, Step};

const BANNED_AT: Millis = 1_009;
const BAN_ENDS: Millis = BANNED_AT + 3_600_000;
/// The host reports a failed dial this long after the engine asked for it.
const DIAL_TAKES: Millis = 1_000;

fn a() -> String {
    s("a")
}

fn scheduled(due: Millis, backoff: Millis, failures: u32, at: Millis) -> Expectation {
    Expectation::Emitted(Event::DialScheduled { peer: a(), due, backoff, failures, at })
}

pub(crate) fn soft_ban_and_backoff() -> Scenario {
    let mut steps = vec![
        Step::new(
            0,
            Action::Connect { peer: s("b"), direction: Direction::Inbound },
            "Peer b connects, so the node is never isolated (an isolation reset would clear \
             every backoff).",
        ),
        Step::new(0, Action::HandshakeCompleted { peer: s("b") }, "b completes its hello: active."),
        Step::new(
            0,
            Action::AddPeer { peer: a() },
            "Discovery hands us peer a: it is dialled at once.",
        )
        .expect([Expectation::Commanded(Command::Dial { peer: a() })]),
        Step::new(
            100,
            Action::Connect { peer: a(), direction: Direction::Outbound },
            "The dial succeeds 100 ms later.",
        ),
        Step::new(200, Action::HandshakeCompleted { peer: a() }, "a completes its hello.")
            .expect([Expectation::State { peer: a(), state: Some(PeerState::Active) }]),
    ];
    for i in 1..=9u32 {
        steps.push(
            Step::new(
                1_000 + Millis::from(i - 1),
                Action::Strike { peer: a(), kind: StrikeKind::Deserialization },
                if i == 1 {
                    "a sends a packet we cannot decode: one strike. The seed soft-bans at ten."
                        .to_string()
                } else {
                    format!("Another undecodable packet: strike {i}.")
                },
            )
            .expect([Expectation::Strikes { peer: a(), count: i }]),
        );
    }
    steps.push(
        Step::new(
            BANNED_AT,
            Action::Strike { peer: a(), kind: StrikeKind::Deserialization },
            "The tenth strike: a is soft-banned for an hour and disconnected.",
        )
        .expect([
            Expectation::Emitted(Event::SoftBanned {
                peer: a(),
                reason: s("spam strike threshold exceeded"),
                until: BAN_ENDS,
                at: BANNED_AT,
            }),
            Expectation::Commanded(Command::Disconnect {
                peer: a(),
                reason: DisconnectReason::Banned,
            }),
            Expectation::State { peer: a(), state: Some(PeerState::Banned) },
            Expectation::NextDialAt { peer: a(), at: None },
            Expectation::NextTimeout(Some(BAN_ENDS)),
        ]),
    );
    steps.push(
        Step::new(BANNED_AT + 1_800_000, Action::Wait, "Half an hour into the ban: no dial.")
            .expect([
                Expectation::NoCommand,
                Expectation::SoftBannedUntil { peer: a(), until: Some(BAN_ENDS) },
            ]),
    );
    steps.push(
        Step::new(
            BAN_ENDS,
            Action::Wait,
            "The ban expires. a's last connection lasted under 5 minutes, so it counts as a \
             failure: the wait doubles from 30 s to 60 s, counted from the expiry.",
        )
        .expect([
            Expectation::Emitted(Event::BanExpired {
                peer: a(),
                since: BANNED_AT,
                reason: s("spam strike threshold exceeded"),
                at: BAN_ENDS,
            }),
            scheduled(BAN_ENDS + 60_000, 60_000, 1, BAN_ENDS),
            Expectation::NoCommand,
        ]),
    );
    // The ladder: each dial fails a second after it is issued. The 60 s wait the unstable drop
    // earned was spent on the ban; the first failed dial waits 60 s again, every later one
    // doubles the wait up to the cap.
    let mut due = BAN_ENDS + 60_000;
    let mut wait: Millis = 60_000;
    for failures in 2..=9u32 {
        steps.push(
            Step::new(due, Action::Wait, "The wait is over: a is dialled.")
                .expect([Expectation::Commanded(Command::Dial { peer: a() })]),
        );
        let failed_at = due + DIAL_TAKES;
        let why = if failures == 2 {
            "The dial fails. The wait that applies is the one the last failure set (60 s); from \
             here each failure doubles it."
                .to_string()
        } else if wait == 3_600_000 {
            "The dial fails; the wait stays at the 3 600 s cap.".to_string()
        } else {
            format!("The dial fails: the wait doubles to {} s.", wait / 1_000)
        };
        steps.push(Step::new(failed_at, Action::DialFailed { peer: a() }, why).expect([
            scheduled(failed_at + wait, wait, failures, failed_at),
            Expectation::NextDialAt { peer: a(), at: Some(failed_at + wait) },
        ]));
        due = failed_at + wait;
        wait = (wait * 2).min(3_600_000);
    }
    Scenario {
        id: "spam-soft-ban-backoff",
        title: "Spam strikes, a soft ban and the backoff ladder",
        summary: "Ten undecodable packets soft-ban a peer for an hour: it is disconnected and not \
                  dialled until the ban expires. Every failed dial after that doubles the wait, \
                  60, 120, 240 ... up to the 3 600 s cap.",
        config: Config { track_lifecycle: true, ..Config::default() },
        chain: None,
        steps,
    }
}

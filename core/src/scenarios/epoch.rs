//! Seed 002: blocking covers backup peers too, and a block is carried into the next epoch for
//! every peer still in the new set (re-applied, then probed), while blocks of peers that left
//! the set go with the old epoch.

use crate::blocklist::Role;
use crate::config::Config;
use crate::events::{Command, Event, UnblockCause};
use crate::lifecycle::PeerState;
use crate::reasons::DisconnectReason;
use crate::types::Direction;

use super::{s, Action, Expectation, Scenario, Step};

pub(crate) fn blocked_backup() -> Scenario {
    let steps = vec![
        Step::new(
            0,
            Action::Connect { peer: s("keep"), direction: Direction::Inbound },
            "An unrelated peer keeps us from being isolated.",
        ),
        Step::new(0, Action::HandshakeCompleted { peer: s("keep") }, "It is active."),
        Step::new(
            0,
            Action::EpochTransition {
                peers: vec![
                    (s("p"), Role::Primary),
                    (s("b"), Role::Backup),
                    (s("x"), Role::Primary),
                ],
            },
            "Epoch 1 starts: p and x serve as primaries, b as a backup.",
        )
        .expect([Expectation::Returned(s("1"))]),
        Step::new(0, Action::AddPeer { peer: s("b") }, "We dial the backup b.")
            .expect([Expectation::Commanded(Command::Dial { peer: s("b") })]),
        Step::new(
            100,
            Action::Connect { peer: s("b"), direction: Direction::Outbound },
            "b answers.",
        )
        .expect([Expectation::State { peer: s("b"), state: Some(PeerState::Handshake) }]),
        Step::new(
            1_000,
            Action::Block { peer: s("b"), reason: s("stale responses") },
            "b sends stale responses and is blocked. Being only a backup does not exempt it: it \
             is disconnected and will not be dialled.",
        )
        .expect([
            Expectation::Returned(s("Blocked")),
            Expectation::Emitted(Event::Blocked {
                peer: s("b"),
                role: Role::Backup,
                reason: s("stale responses"),
                at: 1_000,
            }),
            Expectation::Commanded(Command::Disconnect {
                peer: s("b"),
                reason: DisconnectReason::Banned,
            }),
            Expectation::State { peer: s("b"), state: Some(PeerState::Banned) },
        ]),
        Step::new(
            1_500,
            Action::Block { peer: s("x"), reason: s("timeouts") },
            "The primary x is blocked too.",
        )
        .expect([Expectation::Blocked { peer: s("x"), blocked: true }]),
        Step::new(
            2_000,
            Action::EpochTransition {
                peers: vec![(s("b"), Role::Primary), (s("p"), Role::Primary)],
            },
            "Epoch 2: b is promoted to primary, x left the set. b's block is carried over and \
             re-applied (and b probed); x's block goes with the old epoch.",
        )
        .expect([
            Expectation::Returned(s("2")),
            Expectation::Emitted(Event::EpochTransitioned {
                epoch: 2,
                reblocked: vec![(s("b"), Role::Primary)],
                dropped: vec![s("x")],
                at: 2_000,
            }),
            Expectation::Emitted(Event::Unblocked {
                peer: s("x"),
                cause: UnblockCause::DroppedAtEpoch,
                at: 2_000,
            }),
            Expectation::Commanded(Command::Probe { peer: s("b") }),
            Expectation::Blocked { peer: s("b"), blocked: true },
            Expectation::Blocked { peer: s("x"), blocked: false },
        ]),
        Step::new(
            2_500,
            Action::ProbeResult { peer: s("b"), ok: true },
            "The probe passes: b is unblocked and normal backoff resumes. Its last connection \
             lasted under 5 minutes, so the wait is 60 s.",
        )
        .expect([
            Expectation::Returned(s("Unblocked")),
            Expectation::Emitted(Event::Unblocked {
                peer: s("b"),
                cause: UnblockCause::Probe,
                at: 2_500,
            }),
            Expectation::Emitted(Event::DialScheduled {
                peer: s("b"),
                due: 62_500,
                backoff: 60_000,
                failures: 1,
                at: 2_500,
            }),
        ]),
        Step::new(62_500, Action::Wait, "The wait is over: b is dialled again.")
            .expect([Expectation::Commanded(Command::Dial { peer: s("b") })]),
    ];
    Scenario {
        id: "epoch-blocked-backup",
        title: "An epoch transition carries a blocked backup",
        summary: "A backup peer that misbehaves is blocked like a primary. At the next epoch its \
                  block is carried over and re-applied because it is still in the set, then a \
                  health probe lifts it; a blocked peer that left the set is simply unblocked.",
        config: Config { track_lifecycle: true, ..Config::default() },
        chain: None,
        steps,
    }
}

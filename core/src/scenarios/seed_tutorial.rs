//! Seed 001's four scenarios (nim-libp2p's "Peer Scoring, Protection, and Trimming"), with its
//! host settings and timings: each client connects inbound then waits 5 ms, a stage waits
//! 200 ms (`PostStageWait`) and a trim is given 200 ms (`TrimWait`). The seed's printed lines
//! are checked at the steps where it prints them.

use crate::config::Config;
use crate::events::{Command, Event};
use crate::reasons::DisconnectReason;
use crate::tags::{DecayFn, RemovalCause, TagName};
use crate::types::{Direction, Millis};

use super::{s, Action, Expectation, Player, Scenario, Step};

/// lowWater 2, highWater 3, grace 100 ms, silence 50 ms, decay resolution 50 ms.
pub(crate) fn seed_config() -> Config {
    Config {
        low_water: 2,
        high_water: 3,
        grace_period: 100,
        silence_period: 50,
        decay_resolution: 50,
        ..Config::default()
    }
}

fn connect(at: Millis, peer: &str, why: &str) -> Step {
    Step::new(at, Action::Connect { peer: s(peer), direction: Direction::Inbound }, why)
}

fn wait(at: Millis, why: &str) -> Step {
    Step::new(at, Action::Wait, why)
}

fn line(text: &str, render: fn(&Player) -> String) -> Expectation {
    Expectation::SeedLine { line: s(text), render }
}

fn closed(peer: &str) -> Expectation {
    Expectation::Commanded(Command::Disconnect {
        peer: s(peer),
        reason: DisconnectReason::TooManyPeers,
    })
}

fn connected(peers: &[&str]) -> Expectation {
    Expectation::Connected(peers.iter().map(|p| s(p)).collect())
}

fn is_in(p: &Player, peer: &str) -> bool {
    p.manager().is_connected(&s(peer))
}

fn score(p: &Player, peer: &str) -> f64 {
    p.manager().peer_score(&s(peer))
}

pub(crate) fn scenarios() -> Vec<Scenario> {
    vec![trim_on_high_water(), protect_unprotect(), static_tags(), decaying_tags()]
}

fn trim_on_high_water() -> Scenario {
    Scenario {
        id: "seed-trim-on-high-water",
        title: "Trim fires when high water is crossed",
        summary:
            "Three clients fill the node to its high water mark (3). A fourth pushes the count \
                  over it and a trim brings it back to low water (2): the newcomer is in its grace \
                  period, so the two oldest of the equally scored peers go.",
        config: seed_config(),
        chain: None,
        steps: vec![
            connect(0, "c0", "The first client connects; one peer, well under high water."),
            connect(5, "c1", "A second client, 5 ms later."),
            connect(10, "c2", "A third: the count reaches high water (3), which is allowed.")
                .expect([
                    connected(&["c0", "c1", "c2"]),
                    Expectation::NoCommand,
                    line("1a. before trigger: connected = 3", |p| {
                        format!("1a. before trigger: connected = {}", p.manager().connected_count())
                    }),
                ]),
            connect(
                215,
                "c3",
                "After the stage wait a fourth client makes 4 > 3: a trim runs at once. c3 is in \
                 its 100 ms grace period; c0, c1 and c2 all score 0, so the oldest connections \
                 (c0, then c1) are closed to get down to low water.",
            )
            .expect([closed("c0"), closed("c1"), connected(&["c2", "c3"])]),
            wait(420, "The trim wait is over: two peers remain.").expect([line(
                "1b. after trigger:  connected = 2 (lowWater = 2)",
                |p| {
                    format!(
                        "1b. after trigger:  connected = {} (lowWater = {})",
                        p.manager().connected_count(),
                        p.manager().config().low_water
                    )
                },
            )]),
        ],
    }
}

fn protect_unprotect() -> Scenario {
    Scenario {
        id: "seed-protect-unprotect",
        title: "Protect and unprotect",
        summary:
            "A protected peer is never trimmed, however low its score. Once its last protection \
                  tag is removed it is an ordinary peer and the next trim may close it.",
        config: seed_config(),
        chain: None,
        steps: vec![
            connect(0, "c0", "c0, our VIP, connects."),
            connect(5, "c1", "c1 connects."),
            connect(10, "c2", "c2 connects: three peers, at high water."),
            Step::new(
                15,
                Action::Protect { peer: s("c0"), tag: s("vip") },
                "We protect c0 with the tag `vip`. `protect` takes no time argument, so the event \
                 carries the latest time the engine has seen (c2's connection at 10).",
            )
            .expect([
                Expectation::Emitted(Event::Protected {
                    peer: s("c0"),
                    tag: TagName::from("vip"),
                    at: 10,
                }),
                line("2a. isProtected(vip) = true", |p| {
                    format!("2a. isProtected(vip) = {}", p.manager().is_protected(&s("c0"), None))
                }),
            ]),
            connect(
                215,
                "c3",
                "c3 crosses high water. c0 is protected and c3 in grace, so only c1 and c2 are \
                 eligible: both are closed.",
            )
            .expect([closed("c1"), closed("c2"), connected(&["c0", "c3"])]),
            Step::new(
                420,
                Action::Unprotect { peer: s("c0"), tag: s("vip") },
                "We remove the `vip` protection; it was c0's only one, so unprotect returns false.",
            )
            .expect([
                Expectation::Returned(s("false")),
                line("2b. first trim:  vip survived = true, connected = 2", |p| {
                    format!(
                        "2b. first trim:  vip survived = {}, connected = {}",
                        is_in(p, "c0"),
                        p.manager().connected_count()
                    )
                }),
                line("2c. unprotect:   still-protected = false", |p| {
                    format!(
                        "2c. unprotect:   still-protected = {}",
                        p.last_returned().unwrap_or("?")
                    )
                }),
            ]),
            connect(620, "c4", "c4 connects: three peers again."),
            connect(
                625,
                "c5",
                "c5 crosses high water. c4 and c5 are in grace; c0 (no longer protected) and c3 \
                 score 0 and are both closed, oldest first.",
            )
            .expect([closed("c0"), closed("c3"), connected(&["c4", "c5"])]),
            wait(830, "The trim wait is over: the VIP is gone.").expect([line(
                "2d. second trim: vip survived = false, connected = 2",
                |p| {
                    format!(
                        "2d. second trim: vip survived = {}, connected = {}",
                        is_in(p, "c0"),
                        p.manager().connected_count()
                    )
                },
            )]),
        ],
    }
}

fn static_tags() -> Scenario {
    Scenario {
        id: "seed-static-tags",
        title: "Static tags drive trim selection",
        summary: "A static tag of 100 raises a peer's score above the untagged peers, so a trim \
                  closes the untagged ones first.",
        config: seed_config(),
        chain: None,
        steps: vec![
            connect(0, "c0", "c0 connects."),
            Step::new(
                5,
                Action::Tag { peer: s("c0"), tag: s("vip"), value: 100 },
                "We tag c0 `vip` = 100: its score is now 100.",
            )
            .expect([Expectation::Score { peer: s("c0"), value: 100.0 }]),
            connect(5, "c1", "c1 connects (score 0)."),
            connect(10, "c2", "c2 connects (score 0): at high water."),
            connect(
                215,
                "c3",
                "c3 crosses high water and is in grace. The lowest scores are c1 and c2 (0): they \
                 are closed; c0 (100) stays.",
            )
            .expect([closed("c1"), closed("c2"), connected(&["c0", "c3"])]),
            wait(420, "The trim wait is over.").expect([
                line(
                    "3. survivors = 2 (lowWater = 2), vip(100) in = true, plain1(0) in = false, \
                     plain2(0) in = false, trigger(grace) in = true",
                    |p| {
                        format!(
                            "3. survivors = {} (lowWater = {}), vip(100) in = {}, plain1(0) in = {}, \
                             plain2(0) in = {}, trigger(grace) in = {}",
                            p.manager().connected_count(),
                            p.manager().config().low_water,
                            is_in(p, "c0"),
                            is_in(p, "c1"),
                            is_in(p, "c2"),
                            is_in(p, "c3")
                        )
                    },
                ),
                line("   peerScore(vip) = 100", |p| {
                    format!("   peerScore(vip) = {}", score(p, "c0"))
                }),
            ]),
        ],
    }
}

fn decaying_tags() -> Scenario {
    let decayed = |at: Millis, old: i64, new: i64| {
        [
            Expectation::Emitted(Event::TagDecayed {
                peer: s("c0"),
                tag: TagName::from("boost"),
                old,
                new,
                at,
            }),
            Expectation::TagValue { peer: s("c1"), tag: s("boost"), value: Some(new) },
        ]
    };
    let mut steps = vec![
        connect(0, "c0", "p1 (c0) connects."),
        connect(5, "c1", "p2 (c1) connects."),
        connect(10, "c2", "p3 (c2) connects: at high water."),
        Step::new(
            15,
            Action::TagDecaying {
                peer: s("c0"),
                tag: s("boost"),
                value: 100,
                interval: 50,
                decay: DecayFn::fixed(20),
            },
            "p1 gets a decaying tag `boost` = 100 that loses 20 every 50 ms. Ticks land on the \
             50 ms grid, so the first is at t = 100.",
        )
        .expect([Expectation::NextTimeout(Some(100))]),
        Step::new(
            15,
            Action::TagDecaying {
                peer: s("c1"),
                tag: s("boost"),
                value: 100,
                interval: 50,
                decay: DecayFn::fixed(20),
            },
            "p2 gets the same tag.",
        )
        .expect([line("4a. initial scores: p1 = 100, p2 = 100, p3 = 0", |p| {
            format!(
                "4a. initial scores: p1 = {}, p2 = {}, p3 = {}",
                score(p, "c0"),
                score(p, "c1"),
                score(p, "c2")
            )
        })]),
    ];
    for (i, at) in [100, 150, 200, 250].into_iter().enumerate() {
        let old = 100 - 20 * i as i64;
        steps.push(wait(at, "A decay tick: both tags lose 20.").expect(decayed(at, old, old - 20)));
    }
    steps.push(wait(300, "The fifth tick takes the tags to 0, and a tag at 0 is removed.").expect(
        [
            Expectation::Emitted(Event::TagRemoved {
                peer: s("c0"),
                tag: TagName::from("boost"),
                old: 20,
                cause: RemovalCause::Decayed,
                at: 300,
            }),
            Expectation::TagValue { peer: s("c0"), tag: s("boost"), value: None },
        ],
    ));
    steps.extend([
        wait(365, "The 350 ms wait is over.").expect([line(
            "4b. after decay:    p1 = 0, p2 = 0, p3 = 0",
            |p| {
                format!(
                    "4b. after decay:    p1 = {}, p2 = {}, p3 = {}",
                    score(p, "c0"),
                    score(p, "c1"),
                    score(p, "c2")
                )
            },
        )]),
        Step::new(
            365,
            Action::TagDecaying {
                peer: s("c0"),
                tag: s("boost"),
                value: 100,
                interval: 50,
                decay: DecayFn::none(),
            },
            "A removed tag cannot be bumped back: p1 is tagged again, this time with no decay.",
        )
        .expect([line("4c. after re-tag:   p1 = 100", |p| {
            format!("4c. after re-tag:   p1 = {}", score(p, "c0"))
        })]),
        connect(
            365,
            "c3",
            "p4 (c3) crosses high water. It is in grace; p2 and p3 score 0 and are closed; p1 \
             (100) stays.",
        )
        .expect([
            closed("c1"),
            closed("c2"),
            connected(&["c0", "c3"]),
            Expectation::Emitted(Event::Connected {
                peer: s("c3"),
                conn: crate::types::ConnId(4),
                direction: Direction::Inbound,
                connections: 1,
                at: 365,
            }),
        ]),
        wait(570, "The trim wait is over.").expect([
            line(
                "4d. survivors = 2, p1(100) in = true, p2(0) in = false, p3(0) in = false, \
                 p4(grace) in = true",
                |p| {
                    format!(
                        "4d. survivors = {}, p1(100) in = {}, p2(0) in = {}, p3(0) in = {}, \
                         p4(grace) in = {}",
                        p.manager().connected_count(),
                        is_in(p, "c0"),
                        is_in(p, "c1"),
                        is_in(p, "c2"),
                        is_in(p, "c3")
                    )
                },
            ),
            line("   peerScore(p1) = 100", |p| format!("   peerScore(p1) = {}", score(p, "c0"))),
        ]),
        Step::new(
            570,
            Action::Bump { peer: s("c0"), tag: s("boost"), delta: 50 },
            "Bumping the live tag adds 50 (the default bump is a sum).",
        )
        .expect([
            Expectation::Returned(s("true")),
            line("4e. after bump:    p1 = 150", |p| {
                format!("4e. after bump:    p1 = {}", score(p, "c0"))
            }),
        ]),
    ]);
    Scenario {
        id: "seed-decaying-tags",
        title: "Decaying tags",
        summary: "Two peers get a boost of 100 that loses 20 every 50 ms; five ticks later it is \
                  gone. Re-tagged without decay, p1 scores 100 again and survives the next trim; \
                  a bump then adds to the live tag.",
        config: seed_config(),
        chain: None,
        steps,
    }
}

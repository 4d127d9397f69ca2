//! A fork split (seed 003) through the facade: our chain `a` is final at #90 with head #110;
//! branch `b` forks off a#99. One peer relaying `b` makes us LOOKING; a second peer on `b`
//! makes us the MINORITY once `b` is 42 blocks past the fork point; six more majority blocks
//! confirm it, we switch to `b`, re-sync through gap fill, and are NORMAL and FORWARD again.

use crate::config::Config;
use crate::events::{Command, Event};
use crate::fork::{
    BlockId, BlockRange, BlockRef, ChainStatus, ForkConfig, ForkDigest, ForkStatus, Header,
    ModeCause, NetworkId, NodeMode,
};
use crate::types::{Direction, Millis};

use super::{s, Action, ChainStart, Expectation, Scenario, Step};

const NET: NetworkId = NetworkId(7);
const DIGEST: ForkDigest = ForkDigest([0xd1, 0x70, 0x00, 0x01]);
/// Branch 0 is our chain `a`; branch 1 (`b`) forks off it.
const A: u8 = 0;
const B: u8 = 1;

/// A block id naming its branch and height, so a learner can read it.
pub(crate) fn id(branch: u8, number: u64) -> BlockId {
    let mut bytes = [0u8; 32];
    bytes[0] = branch;
    bytes[1..9].copy_from_slice(&number.to_be_bytes());
    BlockId(bytes)
}

pub(crate) fn at(branch: u8, number: u64) -> BlockRef {
    BlockRef { number, id: id(branch, number) }
}

pub(crate) fn header(branch: u8, number: u64, parent: BlockRef) -> Header {
    Header {
        number,
        id: id(branch, number),
        parent: parent.id,
        producer: format!("validator-{}", number % 21),
    }
}

/// Headers `from.number + 1 ..= to` of `branch`, the first building on `from`.
pub(crate) fn branch(branch: u8, from: BlockRef, to: u64) -> Vec<Header> {
    let mut parent = from;
    (from.number + 1..=to)
        .map(|n| {
            let h = header(branch, n, parent);
            parent = h.block_ref();
            h
        })
        .collect()
}

/// A status from a peer on our network (forward mode, normal fork status) serving
/// `lib..=head`.
pub(crate) fn status(head: BlockRef, lib: BlockRef) -> ChainStatus {
    ChainStatus {
        network_id: NET,
        fork_digest: DIGEST,
        head,
        lib,
        range: Some(BlockRange { earliest: lib.number, latest: head.number }),
        node_mode: NodeMode::Forward,
        fork_status: ForkStatus::Normal,
        emergency: false,
        emergency_key: false,
    }
}

fn fork_changed(from: ForkStatus, to: ForkStatus, at: Millis) -> Expectation {
    Expectation::Emitted(Event::ForkStatusChanged { from, to, at })
}

fn connect(at: Millis, peer: &str, head: BlockRef, why: &str) -> [Step; 2] {
    [
        Step::new(at, Action::Connect { peer: s(peer), direction: Direction::Outbound }, why),
        Step::new(
            at,
            Action::Status { peer: s(peer), status: status(head, self::at(A, 90)) },
            format!("{peer}'s hello: head #{}, LIB #90.", head.number),
        )
        .expect([Expectation::Aligned { peer: s(peer), aligned: true }]),
    ]
}

pub(crate) fn split_and_back() -> Scenario {
    let mut steps = Vec::new();
    for p in ["p1", "p2", "p3"] {
        steps.extend(connect(0, p, at(A, 99), "A peer a little behind us on our chain connects."));
    }
    steps.extend(connect(0, "p4", at(A, 110), "p4 connects, at our head."));
    steps.last_mut().expect("just pushed").expect.extend([
        Expectation::ForkStatus(ForkStatus::Normal),
        Expectation::NodeMode(NodeMode::Forward),
    ]);
    steps.push(
        Step::new(
            1_000,
            Action::Headers { peer: s("p1"), headers: branch(B, at(A, 99), 141) },
            "p1 relays a competing branch b off a#99, up to b#141 (42 blocks past the fork \
             point). Competing tips make us LOOKING; with p1 alone on b against p4 on a, \
             support is tied, so we keep looking.",
        )
        .expect([fork_changed(ForkStatus::Normal, ForkStatus::Looking, 1_000)]),
    );
    steps.push(
        Step::new(
            1_000,
            Action::Status { peer: s("p2"), status: status(at(B, 141), at(A, 90)) },
            "p2 reports its head on b: two peers against one. Branch b is past the 42-block \
             threshold and has more support, so we are on the MINORITY fork.",
        )
        .expect([
            fork_changed(ForkStatus::Looking, ForkStatus::Minority, 1_000),
            Expectation::ForkStatus(ForkStatus::Minority),
        ]),
    );
    steps.push(Step::new(
        1_000,
        Action::Status { peer: s("p3"), status: status(at(B, 141), at(A, 90)) },
        "p3 is on b too.",
    ));
    steps.push(
        Step::new(
            2_000,
            Action::Headers { peer: s("p1"), headers: branch(B, at(B, 141), 147) },
            "Six more blocks on the majority branch confirm it: we switch from a#99 to b#147, \
             drop to SYNC and ask p2 for the 42 blocks b#100..b#141.",
        )
        .expect([
            Expectation::Commanded(Command::SwitchFork {
                fork_point: Box::new(at(A, 99)),
                to: Box::new(at(B, 147)),
            }),
            Expectation::Emitted(Event::NodeModeChanged {
                from: NodeMode::Forward,
                to: NodeMode::Sync,
                why: ModeCause::MinorityFork,
                at: 2_000,
            }),
            Expectation::Commanded(Command::RequestBlocks { peer: s("p2"), from: 100, count: 42 }),
            fork_changed(ForkStatus::Minority, ForkStatus::Normal, 2_000),
        ]),
    );
    let fetched: Vec<Header> = branch(B, at(A, 99), 141);
    for (i, h) in fetched.into_iter().enumerate() {
        let mut step = Step::new(
            3_000,
            Action::BlockApplied { header: h, from: Some(s("p2")) },
            if i == 0 {
                "p2 serves the blocks; we apply them one by one onto b."
            } else {
                "Another block of b applied."
            },
        );
        if i == 41 {
            step.expect.push(Expectation::NodeMode(NodeMode::Sync));
        }
        steps.push(step);
    }
    steps.push(
        Step::new(
            7_000,
            Action::Status { peer: s("p1"), status: status(at(B, 147), at(A, 90)) },
            "After the gap-fill cooldown nobody had served b#142; p1's new status says it holds \
             up to b#147, so it is asked for the last six.",
        )
        .expect([Expectation::Commanded(Command::RequestBlocks {
            peer: s("p1"),
            from: 142,
            count: 6,
        })]),
    );
    for h in branch(B, at(B, 141), 147) {
        let last = h.number == 147;
        let mut step = Step::new(
            8_000,
            Action::BlockApplied { header: h, from: Some(s("p1")) },
            if last {
                "The last block: we are caught up with our peers, back to FORWARD."
            } else {
                "p1 serves the rest of b."
            },
        );
        if last {
            step.expect.extend([
                Expectation::Emitted(Event::NodeModeChanged {
                    from: NodeMode::Sync,
                    to: NodeMode::Forward,
                    why: ModeCause::CaughtUp,
                    at: 8_000,
                }),
                Expectation::ForkStatus(ForkStatus::Normal),
            ]);
        }
        steps.push(step);
    }
    let lib_header = header(A, 90, at(A, 89));
    let applied = branch(A, at(A, 90), 110);
    Scenario {
        id: "fork-split",
        title: "A fork split: LOOKING, MINORITY and back",
        summary: "Our chain and a competing branch diverge. One peer on the other branch makes us \
                  LOOKING; once that branch is 42 blocks past the fork point with more peers \
                  behind it we are the MINORITY. Six more blocks confirm it: we switch, re-sync \
                  the branch from our peers and are NORMAL and FORWARD again.",
        config: Config { fork: Some(ForkConfig::new(NET, DIGEST)), ..Config::default() },
        chain: Some(ChainStart { lib_header, applied }),
        steps,
    }
}

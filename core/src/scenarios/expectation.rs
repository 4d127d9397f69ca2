//! What a step must produce, checked against the engine right after the step, with the actual
//! value kept for display when it differs.

use crate::events::{Command, Event};
use crate::fork::{ForkStatus, NodeMode};
use crate::lifecycle::PeerState;
use crate::types::Millis;

use super::player::Player;

/// One exact outcome. Scores compare within 1e-9 (the behaviour score decays in `f64`); every
/// other value compares exactly.
#[derive(Debug, Clone)]
pub enum Expectation {
    /// The connected peers, in key order.
    Connected(Vec<String>),
    ConnectedCount(usize),
    /// `peer_score` (tags, bonus, behaviour and application parts).
    Score {
        peer: String,
        value: f64,
    },
    BehaviourScore {
        peer: String,
        value: f64,
    },
    /// A tag's value, `None` when the peer has no tag of that name.
    TagValue {
        peer: String,
        tag: String,
        value: Option<i64>,
    },
    Protected {
        peer: String,
        protected: bool,
    },
    /// What the step's call returned, as `{:?}` prints it (`false`, `Blocked`, `2`).
    Returned(String),
    /// This event came out during the step (clock run included).
    Emitted(Event<String>),
    /// This command came out during the step.
    Commanded(Command<String>),
    /// No command came out during the step.
    NoCommand,
    /// A behaviour ban in force.
    Banned {
        peer: String,
        banned: bool,
    },
    /// The soft ban's end, `None` when not soft-banned.
    SoftBannedUntil {
        peer: String,
        until: Option<Millis>,
    },
    Strikes {
        peer: String,
        count: u32,
    },
    /// The lifecycle state (`track_lifecycle`).
    State {
        peer: String,
        state: Option<PeerState>,
    },
    /// When the dialer will next dial the peer, `None` when no dial is scheduled.
    NextDialAt {
        peer: String,
        at: Option<Millis>,
    },
    ForkStatus(ForkStatus),
    NodeMode(NodeMode),
    Aligned {
        peer: String,
        aligned: bool,
    },
    Blocked {
        peer: String,
        blocked: bool,
    },
    Benched {
        peer: String,
        benched: bool,
    },
    /// The manager's next wake-up.
    NextTimeout(Option<Millis>),
    /// The compact `DLT Status | ...` line.
    StatusLine(String),
    /// A line of a seed's printed output, rendered from the player's state.
    SeedLine {
        line: String,
        render: fn(&Player) -> String,
    },
}

impl Expectation {
    /// A sentence for the page, e.g. `score of c0 is 100`.
    pub fn describe(&self) -> String {
        use Expectation::*;
        match self {
            Connected(peers) => format!("connected peers are [{}]", peers.join(", ")),
            ConnectedCount(n) => format!("{n} peers connected"),
            Score { peer, value } => format!("score of {peer} is {value}"),
            BehaviourScore { peer, value } => format!("behaviour score of {peer} is {value}"),
            TagValue { peer, tag, value: Some(v) } => format!("tag {tag} of {peer} is {v}"),
            TagValue { peer, tag, value: None } => format!("{peer} has no tag {tag}"),
            Protected { peer, protected } => format!("{peer} protected: {protected}"),
            Returned(v) => format!("the call returns {v}"),
            Emitted(e) => format!("event {e:?}"),
            Commanded(c) => format!("command {c:?}"),
            NoCommand => "no command".into(),
            Banned { peer, banned } => format!("{peer} banned: {banned}"),
            SoftBannedUntil { peer, until: Some(t) } => format!("{peer} soft-banned until {t}"),
            SoftBannedUntil { peer, until: None } => format!("{peer} not soft-banned"),
            Strikes { peer, count } => format!("{peer} has {count} strikes"),
            State { peer, state } => format!("{peer} is in state {state:?}"),
            NextDialAt { peer, at: Some(t) } => format!("{peer} is dialled at {t}"),
            NextDialAt { peer, at: None } => format!("no dial of {peer} scheduled"),
            ForkStatus(s) => format!("fork status {}", s.long()),
            NodeMode(m) => format!("node mode {m:?}"),
            Aligned { peer, aligned } => format!("{peer} aligned: {aligned}"),
            Blocked { peer, blocked } => format!("{peer} blocked: {blocked}"),
            Benched { peer, benched } => format!("{peer} benched: {benched}"),
            NextTimeout(t) => format!("next wake-up {t:?}"),
            StatusLine(l) => format!("status line `{l}`"),
            SeedLine { line, .. } => format!("seed prints `{line}`"),
        }
    }

    /// Whether it holds after the step, and the actual value in the expectation's terms.
    pub(crate) fn check(
        &self,
        player: &Player,
        events: &[Event<String>],
        commands: &[Command<String>],
    ) -> (bool, String) {
        use Expectation::*;
        let pm = player.manager();
        let now = player.now();
        fn same<T: PartialEq + std::fmt::Debug>(want: &T, got: T) -> (bool, String) {
            (*want == got, format!("{got:?}"))
        }
        fn close(want: f64, got: f64) -> (bool, String) {
            ((want - got).abs() <= 1e-9, format!("{got}"))
        }
        match self {
            Connected(peers) => {
                let mut got: Vec<String> = pm.connected_peers().cloned().collect();
                got.sort();
                same(peers, got)
            }
            ConnectedCount(n) => same(n, pm.connected_count()),
            Score { peer, value } => close(*value, pm.peer_score(peer)),
            BehaviourScore { peer, value } => close(*value, pm.behaviour_score(peer, now)),
            TagValue { peer, tag, value } => same(value, pm.tag_value(peer, tag)),
            Protected { peer, protected } => same(protected, pm.is_protected(peer, None)),
            Returned(v) => {
                let got = player.last_returned().unwrap_or("nothing").to_string();
                (*v == got, got)
            }
            Emitted(e) => (events.contains(e), format!("{} events, none equal", events.len())),
            Commanded(c) => (commands.contains(c), format!("commands {commands:?}")),
            NoCommand => (commands.is_empty(), format!("commands {commands:?}")),
            Banned { peer, banned } => same(banned, pm.is_banned(peer, now)),
            SoftBannedUntil { peer, until } => same(until, pm.soft_ban_of(peer).map(|b| b.until)),
            Strikes { peer, count } => same(count, pm.strikes(peer)),
            State { peer, state } => same(state, pm.peer_state(peer)),
            NextDialAt { peer, at } => same(at, pm.next_dial_at(peer)),
            ForkStatus(s) => same(&Some(*s), pm.fork_status()),
            NodeMode(m) => same(&Some(*m), pm.node_mode()),
            Aligned { peer, aligned } => same(aligned, pm.is_aligned(peer)),
            Blocked { peer, blocked } => same(blocked, pm.is_blocked(peer)),
            Benched { peer, benched } => same(benched, pm.is_benched(peer)),
            NextTimeout(t) => same(t, pm.poll_timeout()),
            StatusLine(l) => {
                let got = pm.status_line(now).unwrap_or_default();
                (*l == got, got)
            }
            SeedLine { line, render } => {
                let got = render(player);
                (*line == got, got)
            }
        }
    }
}

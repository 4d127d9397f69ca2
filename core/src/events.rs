//! What the manager tells its caller: commands to carry out and events describing every
//! change, both serializable with snake_case tags for the JS side.

use serde::Serialize;

use crate::behaviour_score::PeerAction;
use crate::reasons::DisconnectReason;
use crate::tags::{RemovalCause, TagName};
use crate::types::{ConnId, Direction, Millis};

/// Something the caller must do; the manager does no I/O itself. A trim's disconnects come
/// in peer-book order; its report's `rank` gives the closing order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command<P> {
    /// Close every connection to `peer`.
    Disconnect { peer: P, reason: DisconnectReason },
}

/// Everything observable, in the order it happened. Every variant carries `at`, the time of
/// the input that caused it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event<P> {
    /// A connection opened; `connections` is the peer's count after it.
    Connected {
        peer: P,
        conn: ConnId,
        direction: Direction,
        connections: usize,
        at: Millis,
    },
    /// A connection closed; `connections` is the peer's count after it.
    Disconnected {
        peer: P,
        conn: ConnId,
        connections: usize,
        at: Millis,
    },
    /// A tag was created or given a new value by a set (not a bump or a decay).
    TagSet {
        peer: P,
        tag: TagName,
        old: Option<i64>,
        new: i64,
        decaying: bool,
        at: Millis,
    },
    /// A decaying tag was bumped.
    TagBumped {
        peer: P,
        tag: TagName,
        old: i64,
        new: i64,
        at: Millis,
    },
    /// A decaying tag lost value at an interval boundary (or several, when catching up).
    TagDecayed {
        peer: P,
        tag: TagName,
        old: i64,
        new: i64,
        at: Millis,
    },
    /// A tag is gone; `old` is its last value.
    TagRemoved {
        peer: P,
        tag: TagName,
        old: i64,
        cause: RemovalCause,
        at: Millis,
    },
    Protected {
        peer: P,
        tag: TagName,
        at: Millis,
    },
    Unprotected {
        peer: P,
        tag: TagName,
        still_protected: bool,
        at: Millis,
    },
    /// A trim was requested inside the silence period and will run at `until`.
    TrimDeferred {
        until: Millis,
        at: Millis,
    },
    /// A trim ran; the report explains every connected peer's fate.
    Trimmed {
        report: TrimReport<P>,
        at: Millis,
    },
    /// A disconnected or never-connected peer's record (tags, protections) was dropped.
    PeerForgotten {
        peer: P,
        at: Millis,
    },
    /// An explicit report moved the behaviour score: `delta` is the change after clamping,
    /// `score` the behaviour score after it.
    BehaviourReported {
        peer: P,
        action: PeerAction,
        name: String,
        delta: f64,
        score: f64,
        at: Millis,
    },
    /// The peer is banned until `until` (exclusive); connections are refused meanwhile.
    Banned {
        peer: P,
        until: Millis,
        reason: DisconnectReason,
        at: Millis,
    },
    /// A ban ended (`at` is the time the manager noticed, at or after the ban's end).
    Unbanned {
        peer: P,
        at: Millis,
    },
}

/// What started a trim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrimTrigger {
    /// A new peer made the connected count exceed `high_water`.
    HighWaterCrossed,
    /// The caller called `trim`.
    Explicit,
    /// A request made during the silence period, run when it ended.
    DeferredAfterSilence,
}

/// Why a peer was kept or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    KeptProtected,
    KeptInGrace,
    /// Eligible, but enough lower-ranked peers were closed first.
    KeptAboveCut,
    /// Its score was strictly below every kept eligible peer's.
    ClosedLowestScore,
    /// Its score equalled the lowest kept eligible score; it had the older connection.
    ClosedTieOldest,
}

impl Verdict {
    pub fn is_closed(self) -> bool {
        matches!(self, Verdict::ClosedLowestScore | Verdict::ClosedTieOldest)
    }
}

/// One peer's line in a trim report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrimEntry<P> {
    pub peer: P,
    pub score: f64,
    /// Position among the eligible peers in closing order (1 = first to close): closed peers
    /// hold ranks 1..=closed, kept eligible peers the ranks after. Protected and in-grace
    /// peers were never candidates and have none.
    pub rank: Option<u32>,
    pub verdict: Verdict,
    /// When the peer's current connection run began.
    pub connected_at: Millis,
}

/// The full account of one trim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrimReport<P> {
    pub trigger: TrimTrigger,
    /// Connected peers (not already being closed) when the trim started.
    pub connected: usize,
    /// The count the trim aimed for: `low_water`.
    pub target: usize,
    pub closed: usize,
    /// How many more peers would have had to close to reach `target`, had enough been
    /// eligible.
    pub shortfall: usize,
    /// Lowest score among eligible peers that were kept; `None` if none were.
    pub cut_score: Option<f64>,
    /// Every peer counted as connected, in peer-book order (sort by `rank` for closing
    /// order).
    pub entries: Vec<TrimEntry<P>>,
}

impl<P: PartialEq> TrimReport<P> {
    /// The entry for `peer`, to answer "why was this peer dropped (or kept)?".
    pub fn entry(&self, peer: &P) -> Option<&TrimEntry<P>> {
        self.entries.iter().find(|e| &e.peer == peer)
    }

    /// The closed peers' entries in closing order.
    pub fn closed_in_order(&self) -> Vec<&TrimEntry<P>> {
        let mut closed: Vec<_> = self.entries.iter().filter(|e| e.verdict.is_closed()).collect();
        closed.sort_by_key(|e| e.rank);
        closed
    }
}

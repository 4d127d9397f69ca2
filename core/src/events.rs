//! What the manager tells its caller: commands to carry out and events describing every
//! change, both serializable with snake_case tags for the JS side.

use serde::Serialize;

use crate::behaviour_score::PeerAction;
use crate::benchlist::UnbenchCause;
use crate::blocklist::Role;
use crate::fork::{AlignmentCause, BlockRef, ForkStatus, ModeCause, NodeMode};
use crate::lifecycle::{PeerState, TimeoutKind};
use crate::reasons::DisconnectReason;
use crate::strikes::StrikeKind;
use crate::tags::{RemovalCause, TagName};
use crate::types::{ConnId, Direction, Millis};

/// Something the caller must do; the manager does no I/O itself. A trim's disconnects come
/// in peer-book order; its report's `rank` gives the closing order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command<P> {
    /// Close every connection to `peer`. A dial to it still in progress is abandoned too;
    /// the manager has already counted it as failed, so do not report it with `dial_failed`
    /// (a `Dial` for the same peer may follow at once, e.g. after an isolation reset).
    Disconnect { peer: P, reason: DisconnectReason },
    /// Open a connection to `peer`; report `connected` or `dial_failed`.
    Dial { peer: P },
    /// Check whether `peer` (blocked, carried into a new epoch) is reachable; report with
    /// `probe_result`.
    Probe { peer: P },
    /// Ask `peer` for blocks `from..from + count` (headers, for a light host).
    RequestBlocks { peer: P, from: u64, count: u64 },
    /// We are on a confirmed minority fork: move our head from `fork_point` onto the branch
    /// ending at `to` (the `RequestBlocks` that follow fetch it). Boxed: unboxed, this rare
    /// variant made every command 88 bytes, and a trim queues one command per victim.
    SwitchFork { fork_point: Box<BlockRef>, to: Box<BlockRef> },
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
    /// A strike was recorded; `counted` is false for kinds that never count (duplicates,
    /// out-of-order blocks in a range reply, dead-fork blocks within grace). `strikes` is the
    /// counter after it.
    Struck {
        peer: P,
        kind: StrikeKind,
        counted: bool,
        strikes: u32,
        threshold: u32,
        at: Millis,
    },
    /// A valid packet wiped a non-zero strike counter.
    StrikesReset {
        peer: P,
        cleared: u32,
        at: Millis,
    },
    /// The peer is soft-banned until `until` (exclusive); it is disconnected and not dialled.
    SoftBanned {
        peer: P,
        reason: String,
        until: Millis,
        at: Millis,
    },
    /// A soft ban ran out; the peer is an ordinary disconnected peer again.
    BanExpired {
        peer: P,
        since: Millis,
        reason: String,
        at: Millis,
    },
    /// The peer's lifecycle state changed (`from` is `None` for a peer learnt just now).
    LifecycleChanged {
        peer: P,
        from: Option<PeerState>,
        to: PeerState,
        at: Millis,
    },
    /// The peer spent too long connecting or in the hello exchange; it is now disconnected.
    LifecycleTimedOut {
        peer: P,
        from: PeerState,
        timeout: TimeoutKind,
        at: Millis,
    },
    /// The peer had not responded since `last_responsive` for `lifecycle.forget_after`: every
    /// component dropped it.
    PeerRemoved {
        peer: P,
        last_responsive: Millis,
        at: Millis,
    },
    /// The peer will be dialled at `due` (if a dial slot is free then): `backoff` after `at`,
    /// following its `failures`-th failure since the last reset, or at the end of a ban.
    DialScheduled {
        peer: P,
        due: Millis,
        backoff: Millis,
        failures: u32,
        at: Millis,
    },
    /// No peer was active for `backoff.isolation_after`: every backoff was cleared and the
    /// listed waiting peers are dialled now (the seed's emergency peer reset).
    IsolationReset {
        isolated_since: Millis,
        redialled: Vec<P>,
        at: Millis,
    },
    /// The host should fail requests to `peer` at once until `until` at the latest.
    Benched {
        peer: P,
        failure_probability: f64,
        until: Millis,
        at: Millis,
    },
    Unbenched {
        peer: P,
        failure_probability: f64,
        cause: UnbenchCause,
        at: Millis,
    },
    /// The peer was blocked: disconnected and not dialled until unblocked.
    Blocked {
        peer: P,
        role: Role,
        reason: String,
        at: Millis,
    },
    Unblocked {
        peer: P,
        cause: UnblockCause,
        at: Millis,
    },
    /// The hot path gave up on the peer after consecutive transport failures; only a
    /// reconnection revives it.
    PeerDisabled {
        peer: P,
        at: Millis,
    },
    /// A new peer set took over; blocks of peers still present were carried into it (and a
    /// `Probe` command issued for each), blocks of absent peers were dropped.
    EpochTransitioned {
        epoch: u64,
        reblocked: Vec<(P, Role)>,
        dropped: Vec<P>,
        at: Millis,
    },
    /// Whether blocks and transactions may flow with the peer changed (`exch`, `+align`).
    AlignmentChanged {
        peer: P,
        aligned: bool,
        why: AlignmentCause,
        at: Millis,
    },
    /// Our fork status changed (NORMAL, LOOKING, MINORITY).
    ForkStatusChanged {
        from: ForkStatus,
        to: ForkStatus,
        at: Millis,
    },
    /// Our node mode changed (SYNC, FORWARD).
    NodeModeChanged {
        from: NodeMode,
        to: NodeMode,
        why: ModeCause,
        at: Millis,
    },
    /// SYNC received no block for the stagnation threshold while a peer is ahead.
    SyncStalled {
        at: Millis,
    },
    /// A gap-fill request got no answer in time; another peer will be asked.
    GapFillTimedOut {
        peer: P,
        from: u64,
        at: Millis,
    },
    /// No peer's range covers block `from`: sync cannot progress until one appears.
    NoBridgingPeer {
        from: u64,
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

/// Why a block was lifted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnblockCause {
    /// A health probe passed.
    Probe,
    /// The peer connected again: the strongest proof of health.
    Reconnected,
    /// The peer is not in the new epoch's set, so its block went with the old one.
    DroppedAtEpoch,
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

impl TrimTrigger {
    pub const ALL: [TrimTrigger; 3] =
        [TrimTrigger::HighWaterCrossed, TrimTrigger::Explicit, TrimTrigger::DeferredAfterSilence];

    /// The stable snake_case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            TrimTrigger::HighWaterCrossed => "high_water_crossed",
            TrimTrigger::Explicit => "explicit",
            TrimTrigger::DeferredAfterSilence => "deferred_after_silence",
        }
    }
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
    /// It was not aligned with our fork while aligned peers were kept: non-aligned peers
    /// close first, whatever their score.
    ClosedNotAligned,
}

impl Verdict {
    pub const ALL: [Verdict; 6] = [
        Verdict::KeptProtected,
        Verdict::KeptInGrace,
        Verdict::KeptAboveCut,
        Verdict::ClosedLowestScore,
        Verdict::ClosedTieOldest,
        Verdict::ClosedNotAligned,
    ];

    /// The stable snake_case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::KeptProtected => "kept_protected",
            Verdict::KeptInGrace => "kept_in_grace",
            Verdict::KeptAboveCut => "kept_above_cut",
            Verdict::ClosedLowestScore => "closed_lowest_score",
            Verdict::ClosedTieOldest => "closed_tie_oldest",
            Verdict::ClosedNotAligned => "closed_not_aligned",
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Verdict::ClosedLowestScore | Verdict::ClosedTieOldest | Verdict::ClosedNotAligned
        )
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
    /// Score of the first eligible peer kept in closing order: the lowest kept score among
    /// peers of its alignment class (non-aligned peers rank below aligned ones); `None` if
    /// none were kept.
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

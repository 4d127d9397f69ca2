//! Our node mode: SYNC (catching up) or FWD (caught up, relaying in real time).
//!
//! - Start in SYNC (the seed: "node just started").
//! - SYNC -> FWD when caught up: at least one counted peer has reported, and none reports a head
//!   above ours. With no peer at all we cannot know we caught up, so we stay in SYNC.
//! - FWD -> SYNC when we fell behind: a counted peer's LIB is above our head. A peer that has
//!   *finalized* blocks we do not even hold is not a propagation delay. Checked only once
//!   [`FORWARD_BEHIND_GRACE_MS`] has passed since entering FWD (the seed's grace for
//!   `check_forward_behind()`), because peer snapshots lag right after a sync.
//! - FWD -> SYNC when our head stagnated for [`FORWARD_STAGNATION_MS`] with a peer ahead. The
//!   clock starts at the later of the last head advance and entering FWD: stagnation is "not
//!   advancing while in FORWARD".
//! - FWD -> SYNC when a minority-fork switch starts (re-sync onto the majority branch).
//! - In SYNC, no block received for [`SYNC_STAGNATION_MS`] while a peer is ahead reports a stall
//!   (the caller retargets gap fill) and restarts the clock.
//! - Thresholds fire when the elapsed time reaches them (`>=`), to the millisecond.
//! - While paused, stagnation is not checked; on resume both stagnation clocks restart, as the
//!   seed says, so the pause causes no spurious transition.
//!
//! "Counted" peers are connected, have reported a status, are not MINO and have not shown a
//! fork mismatch; the caller computes them.

use serde::{Deserialize, Serialize};

use super::status::NodeMode;
use crate::types::Millis;

/// Grace after SYNC -> FWD before the fell-behind check acts (seed: FORWARD_BEHIND_GRACE_SEC = 15).
/// Example: FWD at t=100 000 with a peer's LIB above our head -> SYNC at t=115 000.
pub const FORWARD_BEHIND_GRACE_MS: Millis = 15_000;

/// Head-not-advancing threshold in FWD (seed: FORWARD_STAGNATION_SEC = 30).
/// Example: last head advance at t=10 000, a peer ahead -> SYNC at t=40 000.
pub const FORWARD_STAGNATION_MS: Millis = 30_000;

/// No-block-received threshold in SYNC (seed: SYNC_STAGNATION_SEC = 30).
/// Example: last block at t=10 000, a peer ahead -> stall reported at t=40 000.
pub const SYNC_STAGNATION_MS: Millis = 30_000;

/// Why the node mode changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModeCause {
    CaughtUp,
    FellBehind,
    Stagnant,
    MinorityFork,
}

/// What the counted peers report, reduced to what the mode needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PeerHeights {
    pub best_head: Option<u64>,
    pub best_lib: Option<u64>,
}

impl PeerHeights {
    fn ahead_of(&self, head: u64) -> bool {
        self.best_head.is_some_and(|b| b > head)
    }
}

/// What an evaluation decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeStep {
    Changed {
        from: NodeMode,
        to: NodeMode,
        why: ModeCause,
    },
    /// SYNC with no block received for the stagnation threshold while a peer is ahead.
    SyncStalled,
}

/// Timers the mode needs, with thresholds from the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModeTimers {
    pub forward_behind_grace_ms: Millis,
    pub forward_stagnation_ms: Millis,
    pub sync_stagnation_ms: Millis,
}

impl Default for ModeTimers {
    fn default() -> Self {
        ModeTimers {
            forward_behind_grace_ms: FORWARD_BEHIND_GRACE_MS,
            forward_stagnation_ms: FORWARD_STAGNATION_MS,
            sync_stagnation_ms: SYNC_STAGNATION_MS,
        }
    }
}

/// The SYNC/FWD state machine.
#[derive(Debug, Clone)]
pub struct ModeTracker {
    mode: NodeMode,
    entered_at: Millis,
    last_head_advance_at: Millis,
    last_block_at: Millis,
    paused: bool,
    timers: ModeTimers,
}

impl ModeTracker {
    pub fn new(timers: ModeTimers, now: Millis) -> Self {
        ModeTracker {
            mode: NodeMode::Sync,
            entered_at: now,
            last_head_advance_at: now,
            last_block_at: now,
            paused: false,
            timers,
        }
    }

    pub fn mode(&self) -> NodeMode {
        self.mode
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    pub fn head_advanced(&mut self, now: Millis) {
        self.last_head_advance_at = now;
        self.last_block_at = now;
    }

    pub fn block_received(&mut self, now: Millis) {
        self.last_block_at = now;
    }

    pub fn set_paused(&mut self, paused: bool, now: Millis) {
        if self.paused && !paused {
            self.last_head_advance_at = now;
            self.last_block_at = now;
        }
        self.paused = paused;
    }

    /// Re-evaluates at `now`. `switching` is true while a minority-fork switch is under way.
    pub fn evaluate(
        &mut self,
        now: Millis,
        head: u64,
        peers: PeerHeights,
        switching: bool,
    ) -> Vec<ModeStep> {
        let mut steps = Vec::new();
        match self.mode {
            NodeMode::Sync => {
                if !switching && peers.best_head.is_some_and(|b| head >= b) {
                    self.enter(NodeMode::Forward, ModeCause::CaughtUp, now, &mut steps);
                } else if self.sync_stall_deadline(head, peers).is_some_and(|d| now >= d) {
                    self.last_block_at = now;
                    steps.push(ModeStep::SyncStalled);
                }
            }
            NodeMode::Forward => {
                if switching {
                    self.enter(NodeMode::Sync, ModeCause::MinorityFork, now, &mut steps);
                } else if self.behind_deadline(head, peers).is_some_and(|d| now >= d) {
                    self.enter(NodeMode::Sync, ModeCause::FellBehind, now, &mut steps);
                } else if self.stagnation_deadline(head, peers).is_some_and(|d| now >= d) {
                    self.enter(NodeMode::Sync, ModeCause::Stagnant, now, &mut steps);
                }
            }
        }
        steps
    }

    /// The next instant an evaluation could change something, given what peers report now.
    pub fn deadline(&self, head: u64, peers: PeerHeights) -> Option<Millis> {
        match self.mode {
            NodeMode::Sync => self.sync_stall_deadline(head, peers),
            NodeMode::Forward => {
                [self.behind_deadline(head, peers), self.stagnation_deadline(head, peers)]
                    .into_iter()
                    .flatten()
                    .min()
            }
        }
    }

    fn behind_deadline(&self, head: u64, peers: PeerHeights) -> Option<Millis> {
        let behind = peers.best_lib.is_some_and(|lib| lib > head);
        behind.then_some(self.entered_at + self.timers.forward_behind_grace_ms)
    }

    fn stagnation_deadline(&self, head: u64, peers: PeerHeights) -> Option<Millis> {
        if self.paused || !peers.ahead_of(head) {
            return None;
        }
        let since = self.last_head_advance_at.max(self.entered_at);
        Some(since + self.timers.forward_stagnation_ms)
    }

    fn sync_stall_deadline(&self, head: u64, peers: PeerHeights) -> Option<Millis> {
        if self.paused || !peers.ahead_of(head) {
            return None;
        }
        let since = self.last_block_at.max(self.entered_at);
        Some(since + self.timers.sync_stagnation_ms)
    }

    fn enter(&mut self, to: NodeMode, why: ModeCause, now: Millis, steps: &mut Vec<ModeStep>) {
        steps.push(ModeStep::Changed { from: self.mode, to, why });
        self.mode = to;
        self.entered_at = now;
    }
}

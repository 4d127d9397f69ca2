//! Fork view: which peers share our fork, whether we are on a minority fork, whether we are
//! syncing or forwarding, which peer fills a gap, and the stats lines (seed 003).
//!
//! [`ForkView`] wires the pieces, each in its own file:
//! [`status`] (what peers report), [`header_tree`], [`alignment`], [`fork_status`],
//! [`node_mode`], [`gap_fill`] and [`stats_lines`]. Each file's doc comment states the seed's
//! rules it implements and how it reads the ambiguous ones.
//!
//! # Drive loop
//!
//! 1. Feed every event with the current `now`: `peer_connected`, `status_received`,
//!    `block_applied`, `headers_received`, `lib_advanced`, `peer_disconnected`, ...
//! 2. After every input, drain [`ForkView::poll_outcome`] until `None` and carry out the
//!    commands (disconnect, request blocks, switch fork, strike).
//! 3. Call [`ForkView::handle_timeout`] at [`ForkView::poll_timeout`], then drain again.
//!
//! ```
//! use peerkeeper_core::fork::*;
//!
//! let block = |n: u8| Header { number: n.into(), id: BlockId([n; 32]), parent: BlockId([n - 1; 32]), producer: "v1".into() };
//! let config = ForkConfig::new(NetworkId(1), ForkDigest([0xd1, 0x70, 0, 1]));
//! // Our node's head is #2, final up to #1.
//! let mut view: ForkView<u32> = ForkView::new(config, block(2), block(1).block_ref(), 0);
//!
//! // 1. An input, with the time it happened.
//! let status = ChainStatus {
//!     network_id: NetworkId(1),
//!     fork_digest: ForkDigest([0xd1, 0x70, 0, 1]),
//!     head: block(2).block_ref(),
//!     lib: block(1).block_ref(),
//!     range: Some(BlockRange { earliest: 1, latest: 2 }),
//!     node_mode: NodeMode::Forward,
//!     fork_status: ForkStatus::Normal,
//!     emergency: false,
//!     emergency_key: false,
//! };
//! view.status_received(7, status, 1_000);
//!
//! // 2. Drain every outcome and carry out the commands.
//! let mut outcomes = Vec::new();
//! while let Some(outcome) = view.poll_outcome() {
//!     outcomes.push(outcome);
//! }
//! assert_eq!(outcomes[0], ForkOutcome::AlignmentChanged { peer: 7, aligned: true, why: AlignmentCause::Handshake });
//! assert_eq!(view.node_mode(), NodeMode::Forward);
//!
//! // 3. Wake at the next deadline, if any, and drain again.
//! if let Some(at) = view.poll_timeout() {
//!     view.handle_timeout(at);
//! }
//! ```
//!
//! Further readings:
//! - Dead-fork blocks (on a branch that forked below our LIB) are a spam strike once the
//!   branch has been dead for `dead_fork_grace_ms`. The seed names a grace period but no value;
//!   the default reuses its only grace constant, 15 s. One strike per `headers_received` call,
//!   however many dead headers it carries: one bad range reply is one offence.
//! - A block or header a peer relays also updates that peer's head snapshot (the seed: head is
//!   "a snapshot from the last hello, fork_status message, or block relay").
//! - Gap fill is idle while block intake is paused: queued blocks are applied on resume first.

pub mod alignment;
pub mod fork_status;
pub mod gap_fill;
pub mod header_tree;
pub mod node_mode;
pub mod stats_lines;
pub mod status;

use std::collections::VecDeque;
use std::fmt::Debug;
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use crate::peer_map::PeerMap;
use crate::reasons::DisconnectReason;
use crate::types::Millis;

pub use alignment::{classify, AlignmentCause, Verdict};
pub use fork_status::{
    ForkResolver, ResolverStep, Supporter, FORK_RESOLUTION_BLOCK_THRESHOLD,
    FORK_RESOLUTION_CONFIRMATION_BLOCKS,
};
pub use gap_fill::{
    Candidate, GapFiller, GapLimits, GapStep, InFlight, GAP_FILL_COOLDOWN_MS, GAP_FILL_MAX_BLOCKS,
    GAP_FILL_TIMEOUT_MS,
};
pub use header_tree::{Branch, Header, HeaderTree, Inserted};
pub use node_mode::{
    ModeCause, ModeStep, ModeTimers, ModeTracker, PeerHeights, FORWARD_BEHIND_GRACE_MS,
    FORWARD_STAGNATION_MS, SYNC_STAGNATION_MS,
};
pub use stats_lines::{
    format_uptime, render_compact, render_full, render_header, render_peer, NodeStats, PeerFlags,
    PeerLifecycle, PeerLine, PeerStats,
};
pub use status::{
    BlockId, BlockRange, BlockRef, ChainStatus, ForkDigest, ForkStatus, NetworkId, NodeMode,
    PeerForkStatus,
};

/// Default grace before blocks of a dead fork count as spam (see the module readings).
/// Example: a branch died at t=50 000; its blocks are struck from t=65 000.
pub const DEAD_FORK_GRACE_MS: Millis = 15_000;

/// Default bound on headers held (and on remembered chain ids and dead ids). Between LIB and
/// head a DLT chain holds 1-10 blocks; 4096 leaves room for a 42-block fork on several branches
/// and a full sync batch ahead.
pub const DEFAULT_TREE_CAPACITY: usize = 4096;

/// Configuration: the two identities are required, everything else has seed defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkConfig {
    pub network_id: NetworkId,
    pub fork_digest: ForkDigest,
    /// Other digests we can follow (e.g. the next scheduled fork's), besides our own.
    pub compatible_digests: Vec<ForkDigest>,
    pub tree_capacity: usize,
    pub resolution_threshold: u64,
    pub confirmation_blocks: u32,
    pub dead_fork_grace_ms: Millis,
    pub forward_behind_grace_ms: Millis,
    pub forward_stagnation_ms: Millis,
    pub sync_stagnation_ms: Millis,
    pub gap_fill_max_blocks: u64,
    pub gap_fill_cooldown_ms: Millis,
    pub gap_fill_timeout_ms: Millis,
}

impl ForkConfig {
    pub fn new(network_id: NetworkId, fork_digest: ForkDigest) -> Self {
        ForkConfig {
            network_id,
            fork_digest,
            compatible_digests: Vec::new(),
            tree_capacity: DEFAULT_TREE_CAPACITY,
            resolution_threshold: FORK_RESOLUTION_BLOCK_THRESHOLD,
            confirmation_blocks: FORK_RESOLUTION_CONFIRMATION_BLOCKS,
            dead_fork_grace_ms: DEAD_FORK_GRACE_MS,
            forward_behind_grace_ms: FORWARD_BEHIND_GRACE_MS,
            forward_stagnation_ms: FORWARD_STAGNATION_MS,
            sync_stagnation_ms: SYNC_STAGNATION_MS,
            gap_fill_max_blocks: GAP_FILL_MAX_BLOCKS,
            gap_fill_cooldown_ms: GAP_FILL_COOLDOWN_MS,
            gap_fill_timeout_ms: GAP_FILL_TIMEOUT_MS,
        }
    }

    pub fn digest_compatible(&self, digest: ForkDigest) -> bool {
        digest == self.fork_digest || self.compatible_digests.contains(&digest)
    }

    /// Refuses values that would switch a rule off rather than tune it. Call it at the API edge;
    /// [`ForkView::new`] only clamps the sizes it cannot work without (tree, confirmations,
    /// blocks per request) and otherwise takes the values as given.
    pub fn validate(&self) -> Result<(), ForkConfigError> {
        let zero = |field: &'static str, value: u64| {
            if value == 0 {
                Err(ForkConfigError::Zero { field })
            } else {
                Ok(())
            }
        };
        zero("resolution_threshold", self.resolution_threshold)?;
        zero("confirmation_blocks", self.confirmation_blocks.into())?;
        zero("gap_fill_max_blocks", self.gap_fill_max_blocks)?;
        zero("gap_fill_timeout_ms", self.gap_fill_timeout_ms)?;
        zero("sync_stagnation_ms", self.sync_stagnation_ms)?;
        zero("forward_stagnation_ms", self.forward_stagnation_ms)?;
        if self.tree_capacity < 2 {
            return Err(ForkConfigError::TreeTooSmall { capacity: self.tree_capacity });
        }
        Ok(())
    }
}

/// Why a [`ForkConfig`] was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForkConfigError {
    #[error("{field} must be greater than zero")]
    Zero { field: &'static str },
    #[error("tree_capacity must hold at least our head and one more header, got {capacity}")]
    TreeTooSmall { capacity: usize },
}

/// The only strike this component raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrikeKind {
    DeadForkBlock,
}

/// Everything the fork view tells its host, commands and events alike, in the order they
/// happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ForkOutcome<P> {
    /// Command: close this peer, it is useless or harmful to our chain.
    Disconnect {
        peer: P,
        reason: DisconnectReason,
    },
    AlignmentChanged {
        peer: P,
        aligned: bool,
        why: AlignmentCause,
    },
    ForkStatusChanged {
        from: ForkStatus,
        to: ForkStatus,
    },
    /// Command: we are on a minority fork and the majority is confirmed; move our head from
    /// `fork_point` onto the branch ending at `to` (gap fill fetches it).
    SwitchFork {
        fork_point: BlockRef,
        to: BlockRef,
    },
    NodeModeChanged {
        from: NodeMode,
        to: NodeMode,
        why: ModeCause,
    },
    /// SYNC received no block for the stagnation threshold while a peer is ahead.
    SyncStalled,
    /// Command: ask `peer` for blocks `from..from + count` (headers, for a light host).
    RequestBlocks {
        peer: P,
        from: u64,
        count: u64,
    },
    GapFillTimedOut {
        peer: P,
        from: u64,
    },
    /// No peer's range covers block `from`: sync cannot progress until one appears.
    NoBridgingPeer {
        from: u64,
    },
    /// Command: a spam strike for the strikes component.
    Strike {
        peer: P,
        kind: StrikeKind,
    },
}

impl<P> ForkOutcome<P> {
    /// Whether the host must act on it (disconnect, switch, request, strike). The rest are
    /// events to observe, so a facade can split them into `poll_command` and `poll_event`.
    pub fn is_command(&self) -> bool {
        matches!(
            self,
            ForkOutcome::Disconnect { .. }
                | ForkOutcome::SwitchFork { .. }
                | ForkOutcome::RequestBlocks { .. }
                | ForkOutcome::Strike { .. }
        )
    }
}

#[derive(Debug, Clone, Default)]
struct PeerEntry {
    status: Option<ChainStatus>,
    aligned: bool,
    mismatch: bool,
    weight: Option<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Switching {
    fork_point: BlockRef,
    root: BlockRef,
}

/// The fork-alignment component. Generic over the caller's peer key.
///
/// Drain order: outcomes come out of [`ForkView::poll_outcome`] in the order they were decided;
/// within one input that is alignment, then fork status (and a switch), then node mode, then
/// gap fill.
#[derive(Debug, Clone)]
pub struct ForkView<P> {
    config: ForkConfig,
    tree: HeaderTree,
    resolver: ForkResolver,
    mode: ModeTracker,
    gaps: GapFiller<P>,
    peers: PeerMap<P, PeerEntry>,
    switching: Option<Switching>,
    outcomes: VecDeque<ForkOutcome<P>>,
    started_at: Millis,
    now: Millis,
}

impl<P: Clone + Eq + Hash + Ord + Debug> ForkView<P> {
    /// A view whose chain currently ends at `head`, final up to `lib`. We start in SYNC.
    /// A host that restarts with blocks between LIB and head should start at LIB and replay
    /// them with `block_applied`, so forks beside them are recognised.
    pub fn new(config: ForkConfig, head: Header, lib: BlockRef, now: Millis) -> Self {
        let tree = HeaderTree::new(head, lib, config.tree_capacity, now);
        let resolver = ForkResolver::new(config.resolution_threshold, config.confirmation_blocks);
        let mode = ModeTracker::new(
            ModeTimers {
                forward_behind_grace_ms: config.forward_behind_grace_ms,
                forward_stagnation_ms: config.forward_stagnation_ms,
                sync_stagnation_ms: config.sync_stagnation_ms,
            },
            now,
        );
        let gaps = GapFiller::new(GapLimits {
            max_blocks: config.gap_fill_max_blocks,
            cooldown_ms: config.gap_fill_cooldown_ms,
            timeout_ms: config.gap_fill_timeout_ms,
        });
        ForkView {
            config,
            tree,
            resolver,
            mode,
            gaps,
            peers: PeerMap::new(),
            switching: None,
            outcomes: VecDeque::new(),
            started_at: now,
            now,
        }
    }

    // ----- inputs -----

    pub fn peer_connected(&mut self, peer: P, now: Millis) {
        self.peers.get_or_default(peer);
        self.after(now);
    }

    /// Forgets the peer. No alignment event: alignment only exists on a live connection.
    pub fn peer_disconnected(&mut self, peer: &P, now: Millis) {
        self.peers.remove(peer);
        self.gaps.abandon(peer);
        self.after(now);
    }

    /// A hello or fork-status message. The first one is the handshake.
    pub fn status_received(&mut self, peer: P, status: ChainStatus, now: Millis) {
        let refusal = if status.network_id != self.config.network_id {
            Some(DisconnectReason::IrrelevantNetwork)
        } else if !self.config.digest_compatible(status.fork_digest) {
            Some(DisconnectReason::UnviableFork)
        } else {
            None
        };
        if let Some(reason) = refusal {
            self.peers.remove(&peer);
            self.gaps.abandon(&peer);
            self.outcomes.push_back(ForkOutcome::Disconnect { peer, reason });
            self.after(now);
            return;
        }
        let verdict = classify(&self.tree, &status);
        let entry = self.peers.get_or_default(peer.clone());
        let previous = entry.status.replace(status.clone());
        entry.mismatch = verdict == Verdict::Mismatch;
        match verdict {
            Verdict::Mismatch => self.set_aligned(&peer, false, AlignmentCause::ForkMismatch),
            Verdict::Known => {
                let cause = match previous {
                    None => Some(AlignmentCause::Handshake),
                    Some(p)
                        if p.node_mode == NodeMode::Sync
                            && status.node_mode == NodeMode::Forward =>
                    {
                        Some(AlignmentCause::ForwardTransition)
                    }
                    Some(_) => None,
                };
                if let Some(cause) = cause {
                    self.set_aligned(&peer, true, cause);
                }
            }
            Verdict::Unknown => {}
        }
        self.after(now);
    }

    /// Our node applied `header` (now our head), relayed by `from` if a peer sent it.
    pub fn block_applied(&mut self, header: Header, from: Option<P>, now: Millis) {
        let previous = self.tree.head();
        if let Inserted::Dead { .. } | Inserted::Stale = self.tree.apply(header.clone(), now) {
            // The host applied a block at or below our own LIB; trust LIB.
            self.after(now);
            return;
        }
        if header.number > previous.number {
            self.mode.head_advanced(now);
        } else {
            self.mode.block_received(now);
        }
        self.gaps.head_reached(header.number);
        if let Some(peer) = from {
            self.note_relay(&peer, &header);
            let canonical_source = self.peers.get(&peer).is_some_and(|e| {
                e.status.as_ref().is_none_or(|s| s.fork_status != ForkStatus::Minority)
            });
            if canonical_source {
                self.set_aligned(&peer, true, AlignmentCause::BlockApplied);
            }
        }
        if let Some(sw) = self.switching {
            if self.tree.descends_from(&header.id, &sw.root) {
                self.switching = None;
            }
        }
        let steps = self.resolver.header_added(&self.tree, &header);
        self.apply_resolver(steps);
        self.after(now);
    }

    /// Headers (or blocks) a peer sent that we have not applied: relays, range replies.
    pub fn headers_received(&mut self, peer: P, headers: Vec<Header>, now: Millis) {
        let mut struck = false;
        let mut any_new = false;
        for header in headers {
            match self.tree.insert(header.clone(), now) {
                Inserted::New => {
                    any_new = true;
                    self.note_relay(&peer, &header);
                    let steps = self.resolver.header_added(&self.tree, &header);
                    self.apply_resolver(steps);
                }
                Inserted::Duplicate | Inserted::Stale => {}
                Inserted::Dead { died_at } => {
                    if !struck && now >= died_at + self.config.dead_fork_grace_ms {
                        struck = true;
                        self.outcomes.push_back(ForkOutcome::Strike {
                            peer: peer.clone(),
                            kind: StrikeKind::DeadForkBlock,
                        });
                    }
                }
            }
        }
        if any_new {
            self.mode.block_received(now);
        }
        self.after(now);
    }

    /// Our LIB advanced: prune, and let branches that forked below it die.
    pub fn lib_advanced(&mut self, lib: BlockRef, now: Millis) {
        self.tree.set_lib(lib, now);
        if self.switching.is_some_and(|sw| !self.tree.contains(&sw.root.id)) {
            self.switching = None;
        }
        self.after(now);
    }

    /// The host detected a fork mismatch with this peer by itself (e.g. a rejected block).
    pub fn fork_mismatch_reported(&mut self, peer: &P, now: Millis) {
        if let Some(entry) = self.peers.get_mut(peer) {
            entry.mismatch = true;
            self.set_aligned(peer, false, AlignmentCause::ForkMismatch);
        }
        self.after(now);
    }

    /// The peer's stake for branch support; `None` counts it as 1.
    pub fn set_peer_weight(&mut self, peer: &P, weight: Option<u64>, now: Millis) {
        if let Some(entry) = self.peers.get_mut(peer) {
            entry.weight = weight;
        }
        self.after(now);
    }

    /// Block intake paused (snapshot export) or resumed.
    pub fn set_paused(&mut self, paused: bool, now: Millis) {
        self.mode.set_paused(paused, now);
        self.after(now);
    }

    pub fn handle_timeout(&mut self, now: Millis) {
        self.after(now);
    }

    // ----- outputs -----

    pub fn poll_outcome(&mut self) -> Option<ForkOutcome<P>> {
        self.outcomes.pop_front()
    }

    /// When to call [`ForkView::handle_timeout`] next, if anything is pending.
    pub fn poll_timeout(&self) -> Option<Millis> {
        let heights = self.peer_heights();
        let missing = self.missing().is_some();
        [
            self.mode.deadline(self.tree.head().number, heights),
            self.gaps.deadline(missing, self.now),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    // ----- getters -----

    /// Whether blocks and transactions may flow with this peer (`exch=YES`, `+align`).
    pub fn is_aligned(&self, peer: &P) -> bool {
        self.peers.get(peer).is_some_and(|e| e.aligned)
    }

    pub fn fork_status(&self) -> ForkStatus {
        self.resolver.status()
    }

    pub fn node_mode(&self) -> NodeMode {
        self.mode.mode()
    }

    pub fn head(&self) -> BlockRef {
        self.tree.head()
    }

    pub fn lib(&self) -> BlockRef {
        self.tree.lib()
    }

    pub fn paused(&self) -> bool {
        self.mode.paused()
    }

    pub fn tree(&self) -> &HeaderTree {
        &self.tree
    }

    pub fn peer_status(&self, peer: &P) -> Option<&ChainStatus> {
        self.peers.get(peer).and_then(|e| e.status.as_ref())
    }

    /// Peers we track (connected), in key order.
    pub fn peers(&self) -> impl Iterator<Item = &P> {
        self.peers.keys()
    }

    pub fn aligned_count(&self) -> usize {
        self.peers.values().filter(|e| e.aligned).count()
    }

    /// The gap-fill request in flight, if any.
    pub fn gap_fill_in_flight(&self) -> Option<&InFlight<P>> {
        self.gaps.in_flight()
    }

    /// While switching off a minority fork: the fork point we re-sync from.
    pub fn switching_from(&self) -> Option<BlockRef> {
        self.switching.map(|s| s.fork_point)
    }

    /// What we tell peers about ourselves (hello / fork-status message).
    pub fn local_status(
        &self,
        range: Option<BlockRange>,
        emergency: bool,
        emergency_key: bool,
    ) -> ChainStatus {
        ChainStatus {
            network_id: self.config.network_id,
            fork_digest: self.config.fork_digest,
            head: self.tree.head(),
            lib: self.tree.lib(),
            range,
            node_mode: self.mode.mode(),
            fork_status: self.resolver.status(),
            emergency,
            emergency_key,
        }
    }

    /// The node-wide stats this component knows. The facade sets `dlt_range`, replaces the
    /// peer counts with its peer book's (entries include disconnected peers) and adds flags.
    pub fn node_stats(&self, now: Millis) -> NodeStats {
        NodeStats {
            mode: self.mode.mode(),
            fork: self.resolver.status(),
            head: self.tree.head().number,
            lib: self.tree.lib().number,
            dlt_range: None,
            exchange_peers: self.aligned_count(),
            connections: self.peers.len(),
            peer_entries: self.peers.len(),
            paused: self.mode.paused(),
            uptime_ms: now.saturating_sub(self.started_at),
            flags: if self.mode.paused() { vec!["paused".to_owned()] } else { Vec::new() },
        }
    }

    /// A live peer's stats line as far as this component knows it (`spam` is the strikes
    /// component's; `SYNCING` is the facade's call).
    pub fn peer_line(&self, peer: &P) -> Option<PeerLine> {
        let entry = self.peers.get(peer)?;
        let status = entry.status.as_ref();
        Some(PeerLine::Live {
            lifecycle: if status.is_some() {
                PeerLifecycle::Active
            } else {
                PeerLifecycle::Handshake
            },
            exch: entry.aligned,
            head: status.map(|s| s.head.number),
            lib: status.map(|s| s.lib.number),
            range: status.and_then(|s| s.range),
            peer_fork: status.map(|s| s.fork_status),
            peer_node: status.map(|s| s.node_mode),
            spam: 0,
            flags: PeerFlags {
                align: entry.aligned,
                emrg: status.is_some_and(|s| s.emergency),
                ekey: status.is_some_and(|s| s.emergency_key),
                sync: self.gaps.in_flight().is_some_and(|r| &r.peer == peer),
            },
        })
    }

    // ----- internals -----

    fn set_aligned(&mut self, peer: &P, aligned: bool, why: AlignmentCause) {
        let Some(entry) = self.peers.get_mut(peer) else { return };
        if aligned {
            entry.mismatch = false;
        }
        if entry.aligned != aligned {
            entry.aligned = aligned;
            self.outcomes.push_back(ForkOutcome::AlignmentChanged {
                peer: peer.clone(),
                aligned,
                why,
            });
        }
    }

    /// A relayed block moves the peer's head snapshot forward.
    fn note_relay(&mut self, peer: &P, header: &Header) {
        if let Some(status) = self.peers.get_mut(peer).and_then(|e| e.status.as_mut()) {
            if header.number > status.head.number {
                status.head = header.block_ref();
            }
        }
    }

    fn apply_resolver(&mut self, steps: Vec<ResolverStep>) {
        for step in steps {
            match step {
                ResolverStep::Changed { from, to } => {
                    self.outcomes.push_back(ForkOutcome::ForkStatusChanged { from, to });
                }
                ResolverStep::Switch { fork_point, to } => {
                    let root_number = fork_point.number + 1;
                    if let Some(root) = self.tree.ancestor_at(&to.id, root_number) {
                        self.switching = Some(Switching {
                            fork_point,
                            root: BlockRef { number: root_number, id: root },
                        });
                    }
                    self.outcomes.push_back(ForkOutcome::SwitchFork { fork_point, to });
                }
            }
        }
    }

    /// Everything derived runs here after each input, in drain order.
    fn after(&mut self, now: Millis) {
        self.now = self.now.max(now);
        // Each of these walks every peer: with thousands of peers (the soak's 10 000) they
        // were most of the cost of every input, so the ones a quiet chain does not need are
        // skipped. The resolver reads supporters only while a minority wait or a competing
        // branch exists.
        let supporters = if self.resolver.minority_wait().is_some()
            || !self.tree.competing_branches().is_empty()
        {
            self.supporters()
        } else {
            Vec::new()
        };
        let steps = self.resolver.evaluate(&self.tree, &supporters);
        self.apply_resolver(steps);

        let head = self.tree.head().number;
        let heights = self.peer_heights();
        for step in self.mode.evaluate(now, head, heights, self.switching.is_some()) {
            match step {
                ModeStep::Changed { from, to, why } => {
                    self.outcomes.push_back(ForkOutcome::NodeModeChanged { from, to, why });
                    if to == NodeMode::Forward {
                        self.recheck_all();
                    }
                }
                ModeStep::SyncStalled => {
                    self.outcomes.push_back(ForkOutcome::SyncStalled);
                    if let Some(peer) = self.gaps.in_flight().map(|r| r.peer.clone()) {
                        self.gaps.abandon(&peer);
                    }
                }
            }
        }

        let missing = self.missing();
        // Gap fill reads candidates only when blocks are missing.
        let candidates = if missing.is_some_and(|(from, to)| from <= to) {
            self.candidates()
        } else {
            Vec::new()
        };
        for step in self.gaps.drive(now, missing, &candidates) {
            self.outcomes.push_back(match step {
                GapStep::Request { peer, from, count } => {
                    ForkOutcome::RequestBlocks { peer, from, count }
                }
                GapStep::TimedOut { peer, from } => ForkOutcome::GapFillTimedOut { peer, from },
                GapStep::NoBridgingPeer { from } => ForkOutcome::NoBridgingPeer { from },
            });
        }
    }

    /// Path 3 on our own FORWARD transition: peers whose heads we now know become aligned.
    fn recheck_all(&mut self) {
        let known: Vec<P> = self
            .peers
            .iter()
            .filter(|(_, e)| !e.aligned)
            .filter(|(_, e)| {
                e.status.as_ref().is_some_and(|s| classify(&self.tree, s) == Verdict::Known)
            })
            .map(|(p, _)| p.clone())
            .collect();
        for peer in known {
            self.set_aligned(&peer, true, AlignmentCause::ForwardTransition);
        }
    }

    /// Peers whose word about heights we take: reported, not MINO, no fork mismatch.
    fn counted(&self) -> impl Iterator<Item = (&P, &PeerEntry, &ChainStatus)> {
        self.peers.iter().filter_map(|(p, e)| {
            let s = e.status.as_ref()?;
            (s.fork_status != ForkStatus::Minority && !e.mismatch).then_some((p, e, s))
        })
    }

    fn peer_heights(&self) -> PeerHeights {
        // One walk for both maxima.
        let mut h = PeerHeights { best_head: None, best_lib: None };
        for (_, _, s) in self.counted() {
            h.best_head = h.best_head.max(Some(s.head.number));
            h.best_lib = h.best_lib.max(Some(s.lib.number));
        }
        h
    }

    fn supporters(&self) -> Vec<Supporter> {
        self.counted()
            .filter(|(_, e, _)| e.aligned)
            .map(|(_, e, s)| Supporter { head: s.head.id, weight: e.weight.unwrap_or(1) })
            .collect()
    }

    fn candidates(&self) -> Vec<Candidate<P>> {
        self.counted()
            .filter_map(|(p, e, s)| {
                Some(Candidate { peer: p.clone(), range: s.range?, aligned: e.aligned })
            })
            .collect()
    }

    /// The inclusive range of blocks we lack, if any.
    fn missing(&self) -> Option<(u64, u64)> {
        if self.mode.paused() {
            return None;
        }
        let head = self.tree.head().number;
        let gap_end = self.tree.highest_orphan_above(head).map(|n| n - 1);
        let (from, target) = match self.switching {
            Some(sw) => (sw.fork_point.number + 1, self.peer_heights().best_head),
            None if self.mode.mode() == NodeMode::Sync => {
                (head + 1, self.peer_heights().best_head.max(gap_end))
            }
            None => (head + 1, gap_end),
        };
        let target = target?;
        (target >= from).then_some((from, target))
    }
}

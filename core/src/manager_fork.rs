//! Issue 6 wired into the facade: the fork view's inputs, its outcomes split into commands
//! (`Disconnect`, `RequestBlocks`, `SwitchFork`) and events, its dead-fork strikes fed to the
//! strikes component, alignment mirrored into the peer book for the trim ranking, and the
//! stats lines rendered from every component's state.

use std::fmt::Display;

use crate::config::{Config, ConfigError};
use crate::events::{Command, Event};
use crate::fork::{
    render_compact, render_full, BlockRef, ChainStatus, ForkOutcome, ForkStatus, ForkView, Header,
    NodeMode, NodeStats, PeerFlags, PeerLifecycle, PeerLine, PeerStats,
};
use crate::lifecycle::PeerState;
use crate::manager::PeerManager;
use crate::peer_key::PeerKey;
use crate::peer_map::PeerMap;
use crate::strikes::StrikeKind;
use crate::types::Millis;

impl<P: PeerKey> PeerManager<P> {
    /// A manager that follows a chain: `config.fork` must be set, and our chain currently
    /// ends at `head`, final up to `lib`. We start in SYNC.
    pub fn with_chain(
        config: Config,
        head: Header,
        lib: BlockRef,
        now: Millis,
    ) -> Result<Self, ConfigError> {
        let Some(fork_config) = config.fork.clone() else {
            return Err(ConfigError::invalid("fork", "with_chain needs a fork section"));
        };
        let mut pm = Self::build(config)?;
        let now = pm.advance(now);
        pm.fork = Some(ForkView::new(fork_config, head, lib, now));
        pm.settle(now);
        Ok(pm)
    }

    /// Runs one fork-view input at `now` (nothing without a fork view), then whatever it made
    /// due.
    fn with_fork(&mut self, now: Millis, input: impl FnOnce(&mut ForkView<P>, Millis)) {
        let now = self.advance(now);
        if let Some(f) = self.fork.as_mut() {
            input(f, now);
        }
        self.settle(now);
    }

    // ---- inputs -------------------------------------------------------------------------

    /// A hello or fork-status message from `peer`. Another network id closes it with
    /// `irrelevant_network`, an incompatible fork digest with `unviable_fork`. A relevant
    /// status from a peer in `handshake` is its hello: the handshake completes (with
    /// `track_lifecycle`). Ignored without a fork view.
    pub fn status_received(&mut self, peer: &P, status: ChainStatus, now: Millis) {
        let now = self.advance(now);
        let relevant = self.config.fork.as_ref().is_some_and(|c| {
            status.network_id == c.network_id && c.digest_compatible(status.fork_digest)
        });
        if let Some(f) = self.fork.as_mut() {
            f.status_received(peer.clone(), status, now);
        }
        if relevant && self.peer_state(peer) == Some(PeerState::Handshake) {
            self.handshake_completed(peer, now);
        }
        self.settle(now);
    }

    /// Our node applied `header` (now our head), relayed by `from` if a peer sent it.
    pub fn block_applied(&mut self, header: Header, from: Option<P>, now: Millis) {
        self.with_fork(now, |f, now| f.block_applied(header, from, now));
    }

    /// Headers a peer sent that we have not applied (relays, range replies). Blocks of a fork
    /// dead for longer than the grace are one `dead_fork_block` strike per call.
    pub fn headers_received(&mut self, peer: &P, headers: Vec<Header>, now: Millis) {
        self.with_fork(now, |f, now| f.headers_received(peer.clone(), headers, now));
    }

    /// Our LIB advanced.
    pub fn lib_advanced(&mut self, lib: BlockRef, now: Millis) {
        self.with_fork(now, |f, now| f.lib_advanced(lib, now));
    }

    /// The host found by itself that `peer` is on another fork (e.g. a rejected block).
    pub fn fork_mismatch_reported(&mut self, peer: &P, now: Millis) {
        self.with_fork(now, |f, now| f.fork_mismatch_reported(peer, now));
    }

    /// The peer's stake for branch support; `None` counts it as 1.
    pub fn set_peer_weight(&mut self, peer: &P, weight: Option<u64>, now: Millis) {
        self.with_fork(now, |f, now| f.set_peer_weight(peer, weight, now));
    }

    /// Block intake paused (snapshot export) or resumed.
    pub fn set_paused(&mut self, paused: bool, now: Millis) {
        self.with_fork(now, |f, now| f.set_paused(paused, now));
    }

    // ---- getters ------------------------------------------------------------------------

    /// Whether blocks and transactions may flow with `peer`. Without a fork view every peer
    /// is aligned (nothing is known against it).
    pub fn is_aligned(&self, peer: &P) -> bool {
        self.fork.as_ref().is_none_or(|f| f.is_aligned(peer))
    }

    /// Our fork status, if a chain is followed.
    pub fn fork_status(&self) -> Option<ForkStatus> {
        self.fork.as_ref().map(|f| f.fork_status())
    }

    /// Our node mode, if a chain is followed.
    pub fn node_mode(&self) -> Option<NodeMode> {
        self.fork.as_ref().map(|f| f.node_mode())
    }

    /// The fork view itself, for everything else it knows (head, LIB, peer statuses).
    pub fn fork_view(&self) -> Option<&ForkView<P>> {
        self.fork.as_ref()
    }

    /// The compact `DLT Status | ...` line, if a chain is followed.
    pub fn status_line(&self, now: Millis) -> Option<String> {
        Some(render_compact(&self.node_stats(now)?))
    }

    /// The full stats: the `=== DLT P2P Stats | ... ===` header and one line per peer in key
    /// order, if a chain is followed.
    pub fn stats_lines(&self, now: Millis) -> Option<String>
    where
        P: Display,
    {
        let (node, peers) = self.stats(now)?;
        Some(render_full(&node, &peers))
    }

    /// The data behind the stats lines, for a UI that lays them out itself.
    pub fn stats(&self, now: Millis) -> Option<(NodeStats, Vec<PeerStats>)>
    where
        P: Display,
    {
        let node = self.node_stats(now)?;
        let peers = self
            .stats_peers()
            .keys()
            .filter_map(|peer| {
                let line = self.peer_line(peer, now)?;
                Some(PeerStats { address: peer.to_string(), line })
            })
            .collect();
        Some((node, peers))
    }

    fn node_stats(&self, now: Millis) -> Option<NodeStats> {
        let f = self.fork.as_ref()?;
        let now = now.max(self.now);
        let mut node = f.node_stats(now);
        node.connections = self.book.counted();
        node.exchange_peers = self.connected_peers().filter(|p| f.is_aligned(p)).count();
        node.peer_entries = self.stats_peers().len();
        Some(node)
    }

    /// Every peer a stats line is printed for: known to the peer book or the lifecycle,
    /// banned or blocked, in key order.
    /// (A `PeerMap` of owned keys, not a `BTreeSet<&P>`: it reuses the B-tree code every
    /// component's map already links.)
    fn stats_peers(&self) -> PeerMap<P, ()> {
        let mut peers = PeerMap::new();
        let book = self.book.iter().map(|(_, r)| &r.peer);
        let banned = self.defence.strikes.banned().map(|(p, _)| p);
        let blocked = self.defence.blocklist.blocked().map(|(p, _, _)| p);
        for peer in book.chain(banned).chain(blocked) {
            peers.insert(peer.clone(), ());
        }
        if self.config.track_lifecycle {
            for (peer, _) in self.defence.lifecycle.peers() {
                peers.insert(peer.clone(), ());
            }
        }
        peers
    }

    /// One peer's line: BANNED (soft ban, or block), a live shape while it has a connection or
    /// a dial, else DISC with backoff and countdown.
    fn peer_line(&self, peer: &P, now: Millis) -> Option<PeerLine> {
        let now = now.max(self.now);
        let d = &self.defence;
        if let Some(ban) = d.strikes.ban(peer) {
            return Some(PeerLine::Banned {
                ban_remaining_ms: ban.until.saturating_sub(now),
                reason: ban.reason.clone(),
            });
        }
        if let Some(block) = d.blocklist.block_info(peer) {
            // A block has no expiry: it lasts until a probe passes or the peer reconnects.
            return Some(PeerLine::Banned {
                ban_remaining_ms: 0,
                reason: format!("blocked: {}", block.reason),
            });
        }
        let spam = d.strikes.strikes(peer);
        let state = d.lifecycle.state(peer);
        let connected = self.connection_count(peer) > 0;
        if connected || state == Some(PeerState::Connect) {
            let lifecycle = match state {
                Some(PeerState::Connect) => Some(PeerLifecycle::Connect),
                Some(PeerState::Handshake) => Some(PeerLifecycle::Handshake),
                Some(PeerState::Syncing) => Some(PeerLifecycle::Syncing),
                Some(PeerState::Active) => Some(PeerLifecycle::Active),
                _ => None,
            };
            let fork_line = self.fork.as_ref().and_then(|f| f.peer_line(peer));
            return Some(match fork_line {
                Some(PeerLine::Live {
                    lifecycle: fork_lifecycle,
                    exch,
                    head,
                    lib,
                    range,
                    peer_fork,
                    peer_node,
                    flags,
                    ..
                }) => PeerLine::Live {
                    lifecycle: lifecycle.unwrap_or(fork_lifecycle),
                    exch,
                    head,
                    lib,
                    range,
                    peer_fork,
                    peer_node,
                    spam,
                    flags,
                },
                _ => PeerLine::Live {
                    lifecycle: lifecycle.unwrap_or(PeerLifecycle::Handshake),
                    exch: false,
                    head: None,
                    lib: None,
                    range: None,
                    peer_fork: None,
                    peer_node: None,
                    spam,
                    flags: PeerFlags::default(),
                },
            });
        }
        let since = d
            .lifecycle
            .since(peer)
            .or_else(|| self.book.lookup(peer).map(|slot| self.book.get(slot).since))?;
        Some(PeerLine::Disconnected {
            disconnected_for_ms: now.saturating_sub(since),
            backoff_ms: d.dials.current_backoff(peer, now).unwrap_or(0),
            reconnect_in_ms: d.dials.next_dial_at(peer).map_or(0, |t| t.saturating_sub(now)),
            spam,
        })
    }

    // ---- glue ---------------------------------------------------------------------------

    pub(crate) fn fork_peer_connected(&mut self, peer: &P, now: Millis) {
        let Some(f) = self.fork.as_mut() else { return };
        f.peer_connected(peer.clone(), now);
        let aligned = f.is_aligned(peer);
        self.set_misaligned(peer, !aligned);
    }

    pub(crate) fn fork_peer_disconnected(&mut self, peer: &P, now: Millis) {
        let Some(f) = self.fork.as_mut() else { return };
        f.peer_disconnected(peer, now);
    }

    /// Runs the fork view's timers if due.
    pub(crate) fn fork_timeout(&mut self, now: Millis) {
        if let Some(f) = self.fork.as_mut() {
            if f.poll_timeout().is_some_and(|t| t <= now) {
                f.handle_timeout(now);
            }
        }
    }

    /// Moves the fork view's outcomes into the facade's queues. Returns whether there were any.
    pub(crate) fn drain_fork(&mut self, now: Millis) -> bool {
        let Some(f) = self.fork.as_mut() else { return false };
        let outcomes: Vec<_> = std::iter::from_fn(|| f.poll_outcome()).collect();
        let any = !outcomes.is_empty();
        for outcome in outcomes {
            match outcome {
                ForkOutcome::Disconnect { peer, reason } => self.close_peer(&peer, reason, true),
                ForkOutcome::AlignmentChanged { peer, aligned, why } => {
                    self.set_misaligned(&peer, !aligned);
                    self.events.push_back(Event::AlignmentChanged { peer, aligned, why, at: now });
                }
                ForkOutcome::ForkStatusChanged { from, to } => {
                    self.events.push_back(Event::ForkStatusChanged { from, to, at: now });
                }
                ForkOutcome::SwitchFork { fork_point, to } => {
                    let (fork_point, to) = (Box::new(fork_point), Box::new(to));
                    self.commands.push_back(Command::SwitchFork { fork_point, to });
                }
                ForkOutcome::NodeModeChanged { from, to, why } => {
                    self.events.push_back(Event::NodeModeChanged { from, to, why, at: now });
                }
                ForkOutcome::SyncStalled => self.events.push_back(Event::SyncStalled { at: now }),
                ForkOutcome::RequestBlocks { peer, from, count } => {
                    self.commands.push_back(Command::RequestBlocks { peer, from, count });
                }
                ForkOutcome::GapFillTimedOut { peer, from } => {
                    self.events.push_back(Event::GapFillTimedOut { peer, from, at: now });
                }
                ForkOutcome::NoBridgingPeer { from } => {
                    self.events.push_back(Event::NoBridgingPeer { from, at: now });
                }
                ForkOutcome::Strike { peer, kind: crate::fork::StrikeKind::DeadForkBlock } => {
                    self.apply_strike(&peer, StrikeKind::DeadForkBlock, now);
                }
            }
        }
        any
    }

    fn set_misaligned(&mut self, peer: &P, misaligned: bool) {
        if let Some(slot) = self.book.lookup(peer) {
            self.book.get_mut(slot).misaligned = misaligned;
        }
    }
}

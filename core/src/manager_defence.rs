//! Issue 5 wired into the facade: spam strikes and soft bans, the peer lifecycle, reconnect
//! dialling with backoff and the isolation reset, the benchlist, epoch blocklists, rate limits
//! and health, all behind [`PeerManager`]'s one `poll_command` / `poll_event` /
//! `poll_timeout` / `handle_timeout`.
//!
//! Glue rules (each component alone cannot know them):
//! - a soft ban, a behaviour ban or a block suspends dialling, moves the lifecycle to `banned`
//!   and closes the peer with `Disconnect { reason: banned }`; when the ban expires (or the
//!   block lifts) and no other still holds, the lifecycle returns to `disconnected` and
//!   dialling resumes one current backoff later;
//! - a lifecycle timeout closes the attempt and counts as a dial failure;
//! - a peer closed as `irrelevant_network` is redialled only after the full `max_backoff`:
//!   its own status said it follows another network, so the ladder's short first waits would
//!   only reconnect it to close it again;
//! - the active-peer count (lifecycle `active` + `syncing`) reaches the scheduler after every
//!   input, so the isolation clock is always current;
//! - a peer's first connection resets its strike counter and unblocks it (a reconnection is
//!   the strongest proof of health); its last disconnection removes it from the benchlist and
//!   the inbound throttle. A connection alone does not make a peer a benchlist or blocklist
//!   member: its first request outcome or `block` / `set_role` / `epoch_transition` does, so
//!   a peer nobody sends requests to costs those components nothing (the 256-byte-per-peer
//!   budget of `tests/memory.rs`).
//!
//! The lifecycle and the dial scheduler run only with [`Config::track_lifecycle`]; everything
//! else works either way.

use std::net::IpAddr;

use serde::Serialize;

use crate::backoff::{BackoffOutput, DialPhase, DialScheduler};
use crate::benchlist::{BenchEvent, Benchlist};
use crate::blocklist::{
    BlockResult, Blocklist, BlocklistCommand, ProbeOutcome, Role, TransportFailure,
};
use crate::config::{Config, ConfigError};
use crate::events::{Command, Event, UnblockCause};
use crate::health::{HealthReport, HealthTracker};
use crate::lifecycle::{Lifecycle, LifecycleEvent, PeerState, TimeoutKind};
use crate::manager::PeerManager;
use crate::manager_behaviour::sent_goodbye;
use crate::peer_key::PeerKey;
use crate::peer_map::PeerMap;
use crate::rate_limit::{
    InboundThrottle, RateDecision, SlidingWindowLimiter, ThrottleDecision, UpgradeDecision,
    UpgradeThrottle,
};
use crate::reasons::DisconnectReason;
use crate::strikes::{SoftBan, StrikeExpiry, StrikeKind, StrikeOutcome, Strikes};
use crate::types::Millis;

/// The issue-5 components the facade owns.
#[derive(Debug, Clone)]
pub(crate) struct Defence<P: PeerKey> {
    pub(crate) strikes: Strikes<P>,
    pub(crate) lifecycle: Lifecycle<P>,
    pub(crate) dials: DialScheduler<P>,
    pub(crate) bench: Benchlist<P>,
    pub(crate) blocklist: Blocklist<P>,
    pub(crate) peer_exchange: SlidingWindowLimiter<P>,
    pub(crate) upgrades: UpgradeThrottle<IpAddr>,
    pub(crate) inbound: InboundThrottle<P>,
    pub(crate) health: HealthTracker,
    /// Why we asked the host to close a peer, until its last connection closes.
    pub(crate) closing: PeerMap<P, DisconnectReason>,
}

impl<P: PeerKey> Defence<P> {
    pub(crate) fn new(config: &Config) -> Result<Self, ConfigError> {
        let section = |name: &'static str| move |e: ConfigError| e.in_section(name);
        Ok(Defence {
            strikes: Strikes::new(config.strikes.clone()).map_err(section("strikes"))?,
            lifecycle: Lifecycle::new(config.lifecycle.clone()).map_err(section("lifecycle"))?,
            dials: DialScheduler::new(config.backoff.clone()).map_err(section("backoff"))?,
            bench: Benchlist::new(config.benchlist.clone()).map_err(section("benchlist"))?,
            blocklist: Blocklist::new(config.blocklist.clone()).map_err(section("blocklist"))?,
            peer_exchange: SlidingWindowLimiter::new(config.peer_exchange.clone())
                .map_err(section("peer_exchange"))?,
            upgrades: UpgradeThrottle::new(config.upgrades.clone(), config.hash_seed)
                .map_err(section("upgrades"))?,
            inbound: InboundThrottle::new(config.inbound.clone()).map_err(section("inbound"))?,
            health: HealthTracker::new(config.health.clone(), 0).map_err(section("health"))?,
            closing: PeerMap::new(),
        })
    }
}

/// Why [`PeerManager::defence_denial`] refuses a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DenialReason {
    /// Soft-banned (spam strikes, or an operator ban) until `until`, exclusive.
    SoftBanned { until: Millis, reason: String },
    /// On the blocklist until a probe passes or an epoch drops it.
    Blocked { reason: String },
}

impl<P: PeerKey> PeerManager<P> {
    // ---- peers to dial ------------------------------------------------------------------

    /// Learns a peer to keep connected (a bootstrap address, a peer-exchange answer): it is
    /// dialled at once if a dial slot is free, and redialled with backoff whenever it drops.
    /// Returns false if it was already known or `track_lifecycle` is off.
    pub fn add_peer(&mut self, peer: &P, now: Millis) -> bool {
        let now = self.advance(now);
        if !self.config.track_lifecycle {
            return false;
        }
        let learnt = self.transition(peer, now, |l| {
            l.add(peer.clone(), now);
        });
        let added = self.defence.dials.add_peer(peer.clone(), now);
        self.settle(now);
        learnt || added
    }

    /// The hello exchange with `peer` completed: `handshake` -> `active`. False if the peer
    /// was not in `handshake` (or `track_lifecycle` is off).
    pub fn handshake_completed(&mut self, peer: &P, now: Millis) -> bool {
        self.lifecycle_input(peer, now, |l, p, now| l.handshake_completed(p, now).is_ok())
    }

    /// A block-range download from `peer` started: `active` -> `syncing`.
    pub fn sync_started(&mut self, peer: &P, now: Millis) -> bool {
        self.lifecycle_input(peer, now, |l, p, now| l.sync_started(p, now).is_ok())
    }

    /// The download finished: `syncing` -> `active`.
    pub fn sync_finished(&mut self, peer: &P, now: Millis) -> bool {
        self.lifecycle_input(peer, now, |l, p, now| l.sync_finished(p, now).is_ok())
    }

    /// A `Dial` command failed (refused, unreachable, TLS). Schedules the next attempt one
    /// backoff later. False if the peer was not being dialled, including a dial the manager
    /// abandoned itself with a `Disconnect` (a timeout, a ban): that one is already counted
    /// and must not be reported. Report transport failures to
    /// the blocklist separately with [`transport_failure`](Self::transport_failure).
    pub fn dial_failed(&mut self, peer: &P, now: Millis) -> bool {
        let now = self.advance(now);
        if !self.config.track_lifecycle || !self.defence.dials.dial_failed(peer, now) {
            return false;
        }
        self.transition(peer, now, |l| {
            let _ = l.disconnected(peer, DisconnectReason::IoError, now);
        });
        self.dial_scheduled(peer, now);
        self.settle(now);
        true
    }

    // ---- strikes and soft bans ----------------------------------------------------------

    /// A suspicious packet from `peer`. The threshold-th counting strike soft-bans it: a
    /// `SoftBanned` event, `Disconnect { reason: banned }`, and no dial until the ban expires.
    pub fn strike(&mut self, peer: &P, kind: StrikeKind, now: Millis) -> StrikeOutcome<P> {
        let now = self.advance(now);
        let outcome = self.apply_strike(peer, kind, now);
        self.settle(now);
        outcome
    }

    /// A valid packet from `peer`: wipes its strike counter and counts as a response.
    pub fn valid_packet(&mut self, peer: &P, now: Millis) {
        let now = self.advance(now);
        let cleared = self.defence.strikes.strikes(peer);
        self.defence.strikes.valid_packet(peer);
        if cleared > 0 {
            self.events.push_back(Event::StrikesReset { peer: peer.clone(), cleared, at: now });
        }
        self.defence.lifecycle.message_received(peer, now);
        self.defence.health.message_received(now);
        self.settle(now);
    }

    /// Soft-bans `peer` for `strikes.ban_duration` for a reason other than spam (an operator,
    /// another rule). Banning a banned peer extends the ban from `now`.
    pub fn soft_ban(&mut self, peer: &P, reason: &str, now: Millis) -> SoftBan {
        let now = self.advance(now);
        let ban = self.defence.strikes.soft_ban(peer.clone(), reason, now);
        self.banned(peer, ban.reason.clone(), ban.until, now);
        self.settle(now);
        ban
    }

    pub(crate) fn apply_strike(
        &mut self,
        peer: &P,
        kind: StrikeKind,
        now: Millis,
    ) -> StrikeOutcome<P> {
        let outcome = self.defence.strikes.strike(peer.clone(), kind, now);
        let threshold = self.defence.strikes.config().threshold;
        let (counted, strikes) = match &outcome {
            StrikeOutcome::NotCounted { .. } => (false, self.defence.strikes.strikes(peer)),
            StrikeOutcome::Counted { strikes, .. } | StrikeOutcome::SoftBanned { strikes, .. } => {
                (true, *strikes)
            }
            StrikeOutcome::AlreadyBanned { .. } => return outcome,
        };
        self.events.push_back(Event::Struck {
            peer: peer.clone(),
            kind,
            counted,
            strikes,
            threshold,
            at: now,
        });
        if let StrikeOutcome::SoftBanned { until, reason, .. } = &outcome {
            self.banned(peer, reason.clone(), *until, now);
        }
        outcome
    }

    fn banned(&mut self, peer: &P, reason: String, until: Millis, now: Millis) {
        self.events.push_back(Event::SoftBanned { peer: peer.clone(), reason, until, at: now });
        self.restrict(peer, now);
    }

    // ---- benchlist ----------------------------------------------------------------------

    /// A request to `peer` was answered in time.
    pub fn register_response(&mut self, peer: &P, now: Millis) {
        let now = self.advance(now);
        let changes = self.defence.bench.register_response(peer.clone(), now);
        self.bench_events(changes, now);
        self.settle(now);
    }

    /// A request to `peer` timed out or failed.
    pub fn register_failure(&mut self, peer: &P, now: Millis) {
        let now = self.advance(now);
        let changes = self.defence.bench.register_failure(peer.clone(), now);
        self.bench_events(changes, now);
        self.settle(now);
    }

    /// Whether the host should fail requests to `peer` at once instead of sending.
    pub fn is_benched(&self, peer: &P) -> bool {
        self.defence.bench.is_benched(peer)
    }

    // ---- blocklist ----------------------------------------------------------------------

    /// Gives `peer` a role in the current epoch's set (adding it). Returns whether it changed.
    pub fn set_role(&mut self, peer: &P, role: Role) -> bool {
        self.defence.blocklist.set_role(peer.clone(), role)
    }

    /// Blocks `peer`, primary or backup alike (a peer outside the current set joins it as a
    /// primary): a `Blocked` event, `Disconnect { reason: banned }`, no dial until unblocked.
    pub fn block(&mut self, peer: &P, reason: &str, now: Millis) -> BlockResult {
        let now = self.advance(now);
        if !self.defence.blocklist.contains(peer) {
            self.defence.blocklist.set_role(peer.clone(), Role::Primary);
        }
        let result = self.defence.blocklist.block(peer, reason, now);
        if result == BlockResult::Blocked {
            let role = self.defence.blocklist.role(peer).unwrap_or(Role::Primary);
            let reason = reason.to_owned();
            self.events.push_back(Event::Blocked { peer: peer.clone(), role, reason, at: now });
            self.restrict(peer, now);
        }
        self.settle(now);
        result
    }

    /// Replaces the peer set: blocks of peers still present are carried over (a `Probe`
    /// command each), blocks of absent peers are dropped and their peers may be dialled again.
    /// Returns the new epoch number.
    pub fn epoch_transition(
        &mut self,
        peers: impl IntoIterator<Item = (P, Role)>,
        now: Millis,
    ) -> u64 {
        let now = self.advance(now);
        let t = self.defence.blocklist.epoch_transition(peers, now);
        self.events.push_back(Event::EpochTransitioned {
            epoch: t.epoch,
            reblocked: t.reblocked.clone(),
            dropped: t.dropped.clone(),
            at: now,
        });
        for peer in &t.dropped {
            self.events.push_back(Event::Unblocked {
                peer: peer.clone(),
                cause: UnblockCause::DroppedAtEpoch,
                at: now,
            });
            self.lift(peer, now);
        }
        for BlocklistCommand::Probe { peer } in t.commands {
            self.commands.push_back(Command::Probe { peer });
        }
        self.settle(now);
        t.epoch
    }

    /// The host's answer to a `Probe` command. A pass unblocks (unless the hot path disabled
    /// the peer); a failure counts as a transport failure.
    pub fn probe_result(&mut self, peer: &P, ok: bool, now: Millis) -> ProbeOutcome {
        let now = self.advance(now);
        let was_disabled = self.defence.blocklist.is_disabled(peer);
        let outcome = self.defence.blocklist.probe_result(peer, ok, now);
        match outcome {
            ProbeOutcome::Unblocked => {
                let cause = UnblockCause::Probe;
                self.events.push_back(Event::Unblocked { peer: peer.clone(), cause, at: now });
                self.lift(peer, now);
            }
            ProbeOutcome::StillBlocked
                if !was_disabled && self.defence.blocklist.is_disabled(peer) =>
            {
                self.events.push_back(Event::PeerDisabled { peer: peer.clone(), at: now });
            }
            _ => {}
        }
        self.settle(now);
        outcome
    }

    /// A dial, TLS or reset failure with `peer`: unhealthy, and disabled after
    /// `blocklist.max_consecutive_transport_failures` in a row. Returns whether this failure
    /// disabled it.
    pub fn transport_failure(&mut self, peer: &P, kind: TransportFailure, now: Millis) -> bool {
        let now = self.advance(now);
        let disabled = self.defence.blocklist.transport_failure(peer, kind, now);
        if disabled {
            self.events.push_back(Event::PeerDisabled { peer: peer.clone(), at: now });
        }
        self.settle(now);
        disabled
    }

    /// The peer answered with an application error (HTTP 4xx/5xx): the transport works, so it
    /// counts as a successful exchange, and as a response.
    pub fn application_error(&mut self, peer: &P, status: u16, now: Millis) {
        let now = self.advance(now);
        self.defence.blocklist.application_error(peer, status);
        self.defence.lifecycle.message_received(peer, now);
        self.settle(now);
    }

    pub fn is_blocked(&self, peer: &P) -> bool {
        self.defence.blocklist.is_blocked(peer)
    }

    pub fn is_healthy(&self, peer: &P) -> bool {
        self.defence.blocklist.is_healthy(peer)
    }

    pub fn is_disabled(&self, peer: &P) -> bool {
        self.defence.blocklist.is_disabled(peer)
    }

    pub fn blocklist_epoch(&self) -> u64 {
        self.defence.blocklist.epoch()
    }

    // ---- rate limits and health -----------------------------------------------------------

    /// A peer-exchange request from `peer`: admitted and recorded, or refused until
    /// `retry_at` (at most `peer_exchange.max_requests` per sliding window).
    pub fn peer_exchange_request(&mut self, peer: &P, now: Millis) -> RateDecision {
        let now = self.advance(now);
        self.defence.peer_exchange.check(peer.clone(), now)
    }

    /// Whether an inbound connection from `ip` may be upgraded (one per IP per cooldown, and
    /// a global rate).
    pub fn should_upgrade(&mut self, ip: IpAddr, now: Millis) -> UpgradeDecision {
        let now = self.advance(now);
        self.defence.upgrades.should_upgrade(ip, now)
    }

    /// One inbound message of `bytes` bytes from `peer`: process now, at a later time, or
    /// drop. Any message counts as received for health and as a response for the lifecycle.
    pub fn inbound_message(&mut self, peer: &P, bytes: u64, now: Millis) -> ThrottleDecision {
        let now = self.advance(now);
        self.defence.health.message_received(now);
        self.defence.lifecycle.message_received(peer, now);
        self.defence.inbound.check(peer.clone(), bytes, now)
    }

    /// A message went out.
    pub fn message_sent(&mut self, now: Millis) {
        let now = self.advance(now);
        self.defence.health.message_sent(now);
    }

    /// A send failed (queue full, connection gone, benched peer).
    pub fn send_failed(&mut self, now: Millis) {
        let now = self.advance(now);
        self.defence.health.send_failed(now);
    }

    /// The seed's health report at `now`.
    pub fn health(&self, now: Millis) -> HealthReport {
        self.defence.health.health(now.max(self.now))
    }

    // ---- getters ------------------------------------------------------------------------

    /// Whether a connection with `peer` must be refused now, and why: a soft ban or a block.
    /// A ban holds until `handle_timeout` expires it at its `until` (so every view of the peer
    /// changes at the same tick); `now` is taken for the merged `allow_connection`.
    pub fn defence_denial(&self, peer: &P, _now: Millis) -> Option<DenialReason> {
        if let Some(ban) = self.defence.strikes.ban(peer) {
            return Some(DenialReason::SoftBanned { until: ban.until, reason: ban.reason.clone() });
        }
        let block = self.defence.blocklist.block_info(peer)?;
        Some(DenialReason::Blocked { reason: block.reason.clone() })
    }

    /// Counting strikes since the last valid packet.
    pub fn strikes(&self, peer: &P) -> u32 {
        self.defence.strikes.strikes(peer)
    }

    /// The soft ban on `peer`, if any.
    pub fn soft_ban_of(&self, peer: &P) -> Option<&SoftBan> {
        self.defence.strikes.ban(peer)
    }

    /// The peer's lifecycle state (`None` if unknown or `track_lifecycle` is off).
    pub fn peer_state(&self, peer: &P) -> Option<PeerState> {
        self.defence.lifecycle.state(peer)
    }

    /// When `peer` is next dialled, if it is queued.
    pub fn next_dial_at(&self, peer: &P) -> Option<Millis> {
        self.defence.dials.next_dial_at(peer)
    }

    /// Dials issued and not yet resolved.
    pub fn dials_in_flight(&self) -> usize {
        self.defence.dials.in_flight()
    }

    // ---- glue ---------------------------------------------------------------------------

    /// The facade's `connected` for a peer's first connection.
    pub(crate) fn peer_connected(&mut self, peer: &P, now: Millis) {
        self.defence.closing.remove(peer);
        self.defence.strikes.reconnected(peer);
        self.defence.health.set_connected_peers(self.book.counted());
        if self.defence.blocklist.reconnected(peer) {
            let cause = UnblockCause::Reconnected;
            self.events.push_back(Event::Unblocked { peer: peer.clone(), cause, at: now });
            self.lift(peer, now);
        }
        if self.config.track_lifecycle {
            self.defence.dials.connected(peer.clone(), now);
            self.transition(peer, now, |l| {
                let _ = l.connected(peer.clone(), now);
            });
        }
        if self.defence.strikes.is_banned(peer) {
            // The host let a banned peer in (it did not ask `defence_denial`): close it again.
            self.close_peer(peer, DisconnectReason::Banned, false);
        } else {
            self.fork_peer_connected(peer, now);
        }
        self.settle(now);
    }

    /// The facade's `disconnected` for a peer's last connection.
    pub(crate) fn peer_disconnected(&mut self, peer: &P, was_closing: bool, now: Millis) {
        let reason = self.defence.closing.remove(peer).unwrap_or(if was_closing {
            DisconnectReason::TooManyPeers
        } else {
            DisconnectReason::InboundDisconnect
        });
        self.defence.health.set_connected_peers(self.book.counted());
        let removed = self.defence.bench.remove_peer(peer);
        self.bench_events(removed, now);
        self.defence.inbound.remove(peer);
        if self.config.track_lifecycle {
            self.transition(peer, now, |l| {
                let _ = l.disconnected(peer, reason, now);
            });
            let scheduled = if reason == DisconnectReason::IrrelevantNetwork {
                self.defence.dials.disconnected_from_other_network(peer, now)
            } else {
                self.defence.dials.disconnected(peer, now)
            };
            if scheduled {
                self.dial_scheduled(peer, now);
            }
        }
        self.fork_peer_disconnected(peer, now);
        self.settle(now);
    }

    /// Asks the host to close `peer` unless a close is already pending. `always`: issue the
    /// command even if the manager sees no connection (a status from a peer the host has not
    /// reported connected); otherwise only for a counted peer or a dial in progress.
    pub(crate) fn close_peer(&mut self, peer: &P, reason: DisconnectReason, always: bool) {
        let mut live = false;
        if let Some(slot) = self.book.lookup(peer) {
            if self.book.is_closing(slot) {
                return;
            }
            if self.book.counts(slot) {
                self.book.mark_closing(slot);
                // The goodbye we send is the peer's last disconnect (seed 000).
                self.disconnects.record(slot, sent_goodbye(reason, self.now));
                live = true;
            }
        }
        live |= self.config.track_lifecycle
            && self.defence.lifecycle.state(peer) == Some(PeerState::Connect);
        if matches!(self.defence.dials.phase(peer), Some(DialPhase::Dialing { .. })) {
            // The host abandons the dial: count it failed here, so its slot is free at once
            // and a late report cannot be mistaken for a newer dial of the same peer.
            let now = self.now;
            self.defence.dials.dial_failed(peer, now);
            self.dial_scheduled(peer, now);
        }
        if live {
            // Remembered for the lifecycle until the last connection closes; not for a peer
            // without one, whose close may never be reported.
            self.defence.closing.insert(peer.clone(), reason);
        }
        if live || always {
            self.commands.push_back(Command::Disconnect { peer: peer.clone(), reason });
        }
    }

    /// A ban or a block took hold: stop dialling, close, lifecycle `banned`.
    pub(crate) fn restrict(&mut self, peer: &P, now: Millis) {
        // Suspend first, so an abandoned dial's failure schedules nothing.
        if self.config.track_lifecycle {
            self.defence.dials.suspend(peer.clone());
        }
        self.close_peer(peer, DisconnectReason::Banned, false);
        self.hold(peer, now);
    }

    /// Stops dialling `peer` and moves its lifecycle to `banned` (with `track_lifecycle`);
    /// the caller closes it.
    pub(crate) fn hold(&mut self, peer: &P, now: Millis) {
        if self.config.track_lifecycle {
            self.defence.dials.suspend(peer.clone());
            self.transition(peer, now, |l| l.banned(peer.clone(), now));
        }
    }

    /// A ban (soft or behaviour) or a block lifted: unless another still holds, the peer is an
    /// ordinary disconnected peer again and is redialled one current backoff from now.
    pub(crate) fn lift(&mut self, peer: &P, now: Millis) {
        if self.defence.strikes.is_banned(peer)
            || self.defence.blocklist.is_blocked(peer)
            || self.bans.banned_until(peer, now).is_some()
        {
            return;
        }
        if !self.config.track_lifecycle {
            return;
        }
        if self.defence.lifecycle.state(peer) == Some(PeerState::Banned) {
            self.transition(peer, now, |l| {
                let _ = l.unbanned(peer, now);
            });
        }
        if self.defence.dials.resume(peer, now) {
            self.dial_scheduled(peer, now);
        }
    }

    fn lifecycle_input(
        &mut self,
        peer: &P,
        now: Millis,
        f: impl FnOnce(&mut Lifecycle<P>, &P, Millis) -> bool,
    ) -> bool {
        let now = self.advance(now);
        if !self.config.track_lifecycle {
            return false;
        }
        let mut ok = false;
        self.transition(peer, now, |l| ok = f(l, peer, now));
        self.settle(now);
        ok
    }

    /// Runs `f` on the lifecycle and reports the state change, if any. Returns whether the
    /// state changed.
    fn transition(&mut self, peer: &P, now: Millis, f: impl FnOnce(&mut Lifecycle<P>)) -> bool {
        let from = self.defence.lifecycle.state(peer);
        f(&mut self.defence.lifecycle);
        let to = self.defence.lifecycle.state(peer);
        match to {
            Some(to) if from != Some(to) => {
                self.events.push_back(Event::LifecycleChanged {
                    peer: peer.clone(),
                    from,
                    to,
                    at: now,
                });
                true
            }
            _ => false,
        }
    }

    fn dial_scheduled(&mut self, peer: &P, now: Millis) {
        if let Some(due) = self.defence.dials.next_dial_at(peer) {
            self.events.push_back(Event::DialScheduled {
                peer: peer.clone(),
                due,
                backoff: due.saturating_sub(now),
                failures: self.defence.dials.failures(peer),
                at: now,
            });
        }
    }

    fn bench_events(&mut self, changes: impl IntoIterator<Item = BenchEvent<P>>, now: Millis) {
        for change in changes {
            self.events.push_back(match change {
                BenchEvent::Benched { peer, failure_probability, until } => {
                    Event::Benched { peer, failure_probability, until, at: now }
                }
                BenchEvent::Unbenched { peer, failure_probability, cause } => {
                    Event::Unbenched { peer, failure_probability, cause, at: now }
                }
            });
        }
    }

    /// The earliest deadline of the issue-5 components.
    pub(crate) fn defence_deadline(&self) -> Option<Millis> {
        let d = &self.defence;
        let tracked = if self.config.track_lifecycle {
            [d.lifecycle.next_deadline(), d.dials.next_deadline()]
        } else {
            [None, None]
        };
        [
            d.strikes.next_deadline(),
            d.bench.next_deadline(),
            d.peer_exchange.next_deadline(),
            d.upgrades.next_deadline(),
        ]
        .into_iter()
        .chain(tracked)
        .flatten()
        .min()
    }

    /// Runs everything due at `now` in every component until nothing is: fork outcomes, ban
    /// expiries, bench expiries, lifecycle timeouts, the isolation reset and dials. Called
    /// after every input, so a freed dial slot is used at once.
    pub(crate) fn settle(&mut self, now: Millis) {
        let due = |d: Option<Millis>| d.is_some_and(|d| d <= now);
        loop {
            let mut busy = self.drain_fork(now);
            if due(self.defence.strikes.next_deadline()) {
                busy = true;
                for StrikeExpiry::BanExpired { peer, since, reason, .. } in
                    self.defence.strikes.handle_timeout(now)
                {
                    self.events.push_back(Event::BanExpired {
                        peer: peer.clone(),
                        since,
                        reason,
                        at: now,
                    });
                    self.lift(&peer, now);
                }
            }
            if due(self.defence.bench.next_deadline()) {
                busy = true;
                let changes = self.defence.bench.handle_timeout(now);
                self.bench_events(changes, now);
            }
            if self.config.track_lifecycle {
                if due(self.defence.lifecycle.next_deadline()) {
                    busy = true;
                    for ev in self.defence.lifecycle.handle_timeout(now) {
                        self.lifecycle_event(ev, now);
                    }
                }
                let active = self.defence.lifecycle.active_count();
                self.defence.dials.set_active_peers(active, now);
                if due(self.defence.dials.next_deadline()) {
                    busy = true;
                    for out in self.defence.dials.handle_timeout(now) {
                        self.dial_output(out, now);
                    }
                }
            }
            if !busy {
                break;
            }
        }
        if due(self.defence.peer_exchange.next_deadline()) {
            self.defence.peer_exchange.handle_timeout(now);
        }
        if due(self.defence.upgrades.next_deadline()) {
            self.defence.upgrades.handle_timeout(now);
        }
    }

    fn lifecycle_event(&mut self, ev: LifecycleEvent<P>, now: Millis) {
        match ev {
            LifecycleEvent::TimedOut { peer, from, timeout, reason } => {
                self.events.push_back(Event::LifecycleTimedOut {
                    peer: peer.clone(),
                    from,
                    timeout,
                    at: now,
                });
                self.events.push_back(Event::LifecycleChanged {
                    peer: peer.clone(),
                    from: Some(from),
                    to: PeerState::Disconnected,
                    at: now,
                });
                // A stalled dial has no connection yet: the command abandons it (and
                // `close_peer` counts it as a failed dial).
                if self.defence.dials.dial_failed(&peer, now) {
                    self.dial_scheduled(&peer, now);
                }
                self.close_peer(&peer, reason, timeout == TimeoutKind::Connect);
            }
            LifecycleEvent::Forgotten { peer, last_responsive } => {
                let d = &mut self.defence;
                d.dials.remove_peer(&peer);
                d.strikes.remove(&peer);
                d.inbound.remove(&peer);
                d.peer_exchange.remove(&peer);
                let removed = d.bench.remove_peer(&peer);
                self.bench_events(removed, now);
                self.events.push_back(Event::PeerRemoved { peer, last_responsive, at: now });
            }
        }
    }

    fn dial_output(&mut self, out: BackoffOutput<P>, now: Millis) {
        match out {
            BackoffOutput::Dial { peer } => {
                debug_assert!(self.defence_denial(&peer, now).is_none(), "dialling a denied peer");
                self.transition(&peer, now, |l| {
                    let _ = l.dialing(peer.clone(), now);
                });
                self.commands.push_back(Command::Dial { peer });
            }
            BackoffOutput::IsolationReset { isolated_since, at, redialled } => {
                self.events.push_back(Event::IsolationReset { isolated_since, redialled, at });
            }
        }
    }
}

//! The per-peer lifecycle of seed 003: `connect` -> `handshake` -> `active` (<-> `syncing`),
//! `disconnected`, and `banned`, with the seed's connect and handshake timeouts and the removal
//! of peers that have not responded for 8 hours.
//!
//! Drive: report transitions as they happen (each returns `Err` for a transition the seed's state
//! machine does not have, changing nothing), and call [`Lifecycle::handle_timeout`] whenever
//! `now >= next_deadline()`. Its events are, in deadline order: `timed_out` (the peer is now
//! `disconnected`; the host closes the attempt and counts a dial failure) and `forgotten` (the
//! peer is gone; the host drops it from every other component).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config_error::{require_nonzero, ConfigError};
use crate::deadlines::Deadlines;
use crate::peer_key::PeerKey;
use crate::peer_map::PeerMap;
use crate::reasons::DisconnectReason;
use crate::types::Millis;

/// The seed's lifecycle labels (CONNECT, HANDSHAKE, SYNCING, ACTIVE, DISC, BANNED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerState {
    /// Transport connect in progress.
    Connect,
    /// Hello exchange in progress.
    Handshake,
    /// Downloading a block range from this peer.
    Syncing,
    /// Fully operational.
    Active,
    /// Known, not connected; reconnected after backoff.
    Disconnected,
    /// Soft-banned; no reconnect until the ban expires.
    Banned,
}

impl PeerState {
    pub const ALL: [PeerState; 6] = [
        PeerState::Connect,
        PeerState::Handshake,
        PeerState::Syncing,
        PeerState::Active,
        PeerState::Disconnected,
        PeerState::Banned,
    ];

    /// The seed's label in its stats lines.
    pub fn seed_label(self) -> &'static str {
        match self {
            PeerState::Connect => "CONNECT",
            PeerState::Handshake => "HANDSHAKE",
            PeerState::Syncing => "SYNCING",
            PeerState::Active => "ACTIVE",
            PeerState::Disconnected => "DISC",
            PeerState::Banned => "BANNED",
        }
    }

    /// Active for isolation purposes: exchanging with us, whether syncing from it or not.
    pub fn is_active(self) -> bool {
        matches!(self, PeerState::Active | PeerState::Syncing)
    }

    fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LifecycleConfig {
    /// Ms a transport connect may take. Seed `CONNECTING_TIMEOUT` = 5 s: dialled at t = 0 and not
    /// connected by t = 5_000, the peer is `disconnected` at 5_000.
    pub connect_timeout: Millis,
    /// Ms the hello exchange may take. Seed `HANDSHAKING_TIMEOUT` = 10 s.
    pub handshake_timeout: Millis,
    /// A disconnected peer that has not responded (completed a handshake or sent a message) for
    /// this many ms is forgotten. Seed `PEER_REMOVAL_HOURS` = 8, so 28_800_000.
    pub forget_after: Millis,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        LifecycleConfig {
            connect_timeout: 5_000,
            handshake_timeout: 10_000,
            forget_after: 8 * 3_600_000,
        }
    }
}

impl LifecycleConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        require_nonzero("connect_timeout", self.connect_timeout)?;
        require_nonzero("handshake_timeout", self.handshake_timeout)?;
        require_nonzero("forget_after", self.forget_after)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutKind {
    Connect,
    Handshake,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LifecycleEvent<P> {
    /// `peer` spent too long in `from`; it is now `disconnected` with `reason`.
    TimedOut { peer: P, from: PeerState, timeout: TimeoutKind, reason: DisconnectReason },
    /// `peer` had not responded since `last_responsive` and was removed.
    Forgotten { peer: P, last_responsive: Millis },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum LifecycleError {
    #[error("no transition from {from:?} to {to:?}")]
    InvalidTransition { from: PeerState, to: PeerState },
    #[error("unknown peer")]
    UnknownPeer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Record {
    state: PeerState,
    since: Millis,
    last_responsive: Millis,
    last_disconnect_reason: Option<DisconnectReason>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(
    serialize = "P: PeerKey + Serialize",
    deserialize = "P: PeerKey + Deserialize<'de>"
))]
pub struct Lifecycle<P: PeerKey> {
    config: LifecycleConfig,
    peers: PeerMap<P, Record>,
    /// Connect and handshake deadlines.
    timeouts: Deadlines<P>,
    /// Removal deadlines of disconnected peers.
    removals: Deadlines<P>,
    counts: [usize; 6],
}

impl<P: PeerKey> Lifecycle<P> {
    pub fn new(config: LifecycleConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Lifecycle {
            config,
            peers: PeerMap::new(),
            timeouts: Deadlines::new(),
            removals: Deadlines::new(),
            counts: [0; 6],
        })
    }

    pub fn config(&self) -> &LifecycleConfig {
        &self.config
    }

    /// Learns a peer as `disconnected`. Learning counts as a response: the 8 hours start now.
    /// Returns false if already known.
    pub fn add(&mut self, peer: P, now: Millis) -> bool {
        if self.peers.contains_key(&peer) {
            return false;
        }
        let record = Record {
            state: PeerState::Disconnected,
            since: now,
            last_responsive: now,
            last_disconnect_reason: None,
        };
        self.counts[PeerState::Disconnected.index()] += 1;
        self.peers.insert(peer.clone(), record);
        self.removals.set(peer, now.saturating_add(self.config.forget_after));
        true
    }

    /// We started dialling `peer` (learnt on the fly if unknown): `disconnected` -> `connect`.
    pub fn dialing(&mut self, peer: P, now: Millis) -> Result<(), LifecycleError> {
        self.add(peer.clone(), now);
        self.require(&peer, &[PeerState::Disconnected], PeerState::Connect)?;
        self.enter(&peer, PeerState::Connect, now);
        self.timeouts.set(peer, now.saturating_add(self.config.connect_timeout));
        Ok(())
    }

    /// The transport is up, dialled (`connect`) or inbound (`disconnected` or unknown): hello
    /// exchange starts.
    pub fn connected(&mut self, peer: P, now: Millis) -> Result<(), LifecycleError> {
        self.add(peer.clone(), now);
        self.require(&peer, &[PeerState::Connect, PeerState::Disconnected], PeerState::Handshake)?;
        self.enter(&peer, PeerState::Handshake, now);
        self.timeouts.set(peer, now.saturating_add(self.config.handshake_timeout));
        Ok(())
    }

    /// Hello exchange done: `handshake` -> `active`.
    pub fn handshake_completed(&mut self, peer: &P, now: Millis) -> Result<(), LifecycleError> {
        self.require(peer, &[PeerState::Handshake], PeerState::Active)?;
        self.timeouts.cancel(peer);
        self.enter(peer, PeerState::Active, now);
        self.touch(peer, now);
        Ok(())
    }

    /// A block-range download from `peer` started: `active` -> `syncing`.
    pub fn sync_started(&mut self, peer: &P, now: Millis) -> Result<(), LifecycleError> {
        self.require(peer, &[PeerState::Active], PeerState::Syncing)?;
        self.enter(peer, PeerState::Syncing, now);
        Ok(())
    }

    /// The download finished: `syncing` -> `active`.
    pub fn sync_finished(&mut self, peer: &P, now: Millis) -> Result<(), LifecycleError> {
        self.require(peer, &[PeerState::Syncing], PeerState::Active)?;
        self.enter(peer, PeerState::Active, now);
        Ok(())
    }

    /// Anything received from `peer`: it is responsive.
    pub fn message_received(&mut self, peer: &P, now: Millis) {
        self.touch(peer, now);
    }

    fn touch(&mut self, peer: &P, now: Millis) {
        if let Some(r) = self.peers.get_mut(peer) {
            r.last_responsive = r.last_responsive.max(now);
        }
    }

    /// The connection (or attempt) ended. Repeating it, or reporting it for a banned peer, is
    /// harmless and changes nothing.
    pub fn disconnected(
        &mut self,
        peer: &P,
        reason: DisconnectReason,
        now: Millis,
    ) -> Result<(), LifecycleError> {
        let state = self.peers.get(peer).ok_or(LifecycleError::UnknownPeer)?.state;
        if matches!(state, PeerState::Disconnected | PeerState::Banned) {
            return Ok(());
        }
        self.enter_disconnected(peer, reason, now);
        Ok(())
    }

    fn enter_disconnected(&mut self, peer: &P, reason: DisconnectReason, now: Millis) {
        self.timeouts.cancel(peer);
        self.enter(peer, PeerState::Disconnected, now);
        let forget_after = self.config.forget_after;
        if let Some(r) = self.peers.get_mut(peer) {
            r.last_disconnect_reason = Some(reason);
            self.removals.set(peer.clone(), r.last_responsive.saturating_add(forget_after));
        }
    }

    /// Soft-banned (learnt on the fly if unknown); a banned peer is never forgotten.
    pub fn banned(&mut self, peer: P, now: Millis) {
        self.add(peer.clone(), now);
        self.timeouts.cancel(&peer);
        self.enter(&peer, PeerState::Banned, now);
        if let Some(r) = self.peers.get_mut(&peer) {
            r.last_disconnect_reason = Some(DisconnectReason::Banned);
        }
    }

    /// The ban expired: `banned` -> `disconnected`.
    pub fn unbanned(&mut self, peer: &P, now: Millis) -> Result<(), LifecycleError> {
        self.require(peer, &[PeerState::Banned], PeerState::Disconnected)?;
        self.enter_disconnected(peer, DisconnectReason::Banned, now);
        Ok(())
    }

    /// Removes `peer` at once.
    pub fn remove(&mut self, peer: &P) -> bool {
        self.timeouts.cancel(peer);
        self.removals.cancel(peer);
        match self.peers.remove(peer) {
            Some(r) => {
                self.counts[r.state.index()] -= 1;
                true
            }
            None => false,
        }
    }

    fn require(&self, peer: &P, from: &[PeerState], to: PeerState) -> Result<(), LifecycleError> {
        let state = self.peers.get(peer).ok_or(LifecycleError::UnknownPeer)?.state;
        if from.contains(&state) {
            Ok(())
        } else {
            Err(LifecycleError::InvalidTransition { from: state, to })
        }
    }

    fn enter(&mut self, peer: &P, state: PeerState, now: Millis) {
        let Some(r) = self.peers.get_mut(peer) else { return };
        self.counts[r.state.index()] -= 1;
        self.counts[state.index()] += 1;
        r.state = state;
        r.since = now;
        if state != PeerState::Disconnected {
            self.removals.cancel(peer);
        }
    }

    pub fn next_deadline(&self) -> Option<Millis> {
        match (self.timeouts.next(), self.removals.next()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn handle_timeout(&mut self, now: Millis) -> Vec<LifecycleEvent<P>> {
        let mut out = Vec::new();
        loop {
            let timeout_at = self.timeouts.next().filter(|&t| t <= now);
            let removal_at = self.removals.next().filter(|&t| t <= now);
            match (timeout_at, removal_at) {
                (None, None) => break,
                (Some(t), r) if r.is_none_or(|r| t <= r) => {
                    let Some((_, peer)) = self.timeouts.pop_due(now) else { break };
                    let from = self.peers.get(&peer).map_or(PeerState::Disconnected, |r| r.state);
                    let timeout = match from {
                        PeerState::Connect => TimeoutKind::Connect,
                        _ => TimeoutKind::Handshake,
                    };
                    // The seed's vocabulary has no timeout reason; a stalled transport or hello is
                    // an I/O failure as far as the remote is concerned.
                    let reason = DisconnectReason::IoError;
                    self.enter_disconnected(&peer, reason, now);
                    out.push(LifecycleEvent::TimedOut { peer, from, timeout, reason });
                }
                _ => {
                    let Some((_, peer)) = self.removals.pop_due(now) else { break };
                    let last_responsive = self.peers.get(&peer).map_or(0, |r| r.last_responsive);
                    self.remove(&peer);
                    out.push(LifecycleEvent::Forgotten { peer, last_responsive });
                }
            }
        }
        out
    }

    pub fn state(&self, peer: &P) -> Option<PeerState> {
        self.peers.get(peer).map(|r| r.state)
    }

    /// When `peer` entered its current state.
    pub fn since(&self, peer: &P) -> Option<Millis> {
        self.peers.get(peer).map(|r| r.since)
    }

    pub fn last_responsive(&self, peer: &P) -> Option<Millis> {
        self.peers.get(peer).map(|r| r.last_responsive)
    }

    pub fn last_disconnect_reason(&self, peer: &P) -> Option<DisconnectReason> {
        self.peers.get(peer)?.last_disconnect_reason
    }

    /// Every known peer and its state, in key order.
    pub fn peers(&self) -> impl Iterator<Item = (&P, PeerState)> + '_ {
        self.peers.iter().map(|(p, r)| (p, r.state))
    }

    pub fn count(&self, state: PeerState) -> usize {
        self.counts[state.index()]
    }

    /// Peers `active` or `syncing`: what the isolation reset watches.
    pub fn active_count(&self) -> usize {
        self.count(PeerState::Active) + self.count(PeerState::Syncing)
    }

    pub fn len(&self) -> usize {
        self.peers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }
}

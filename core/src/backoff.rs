//! Reconnect backoff, the dial scheduler and the isolation reset (seed 003; AvalancheGo's
//! initial/max reconnect delay for the shape).
//!
//! Every known peer that is neither connected nor being dialled waits in a queue ordered by its
//! next dial time. Each failure (a failed dial, or a connection that drops before it was stable)
//! schedules the next attempt one wait later and doubles the wait up to the cap; a connection
//! that stays up for `stable_after` resets the wait to its initial value.
//!
//! Drive: report `connected` / `dial_failed` / `disconnected` / `set_active_peers` as they happen,
//! and call [`DialScheduler::handle_timeout`] whenever `now >= next_deadline()`. Its outputs are,
//! in order: at most one `isolation_reset`, then `dial` commands in due order, never more than
//! `max_dials_in_flight` outstanding. A freed dial slot makes an overdue peer's deadline
//! `<= now`, so "drain after every input" dispatches it at once.
//!
//! Banned and blocked peers are `suspend`ed by the caller: a suspended peer is never dialled
//! until `resume`d.

use serde::{Deserialize, Serialize};

use crate::config_error::{require_nonzero, ConfigError};
use crate::deadlines::Deadlines;
use crate::peer_key::PeerKey;
use crate::peer_map::PeerMap;
use crate::types::Millis;

/// Backoff and dial-scheduling settings. Defaults are seed 003's protocol constants where the
/// seed has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackoffConfig {
    /// Wait before the first reconnect after a failure, in ms. Seed
    /// `INITIAL_RECONNECT_BACKOFF_SEC` = 30: a dial failing at t = 1_000 is retried at 31_000.
    pub initial_backoff: Millis,
    /// Cap on the doubling wait, in ms. Seed `MAX_RECONNECT_BACKOFF_SEC` = 3600: waits run
    /// 30, 60, 120, 240, 480, 960, 1920, then 3600 s (not 3840) for every later failure.
    pub max_backoff: Millis,
    /// A connection up this long (ms) resets the wait to `initial_backoff`. Seed
    /// `STABLE_CONNECTION_RESET_SEC` = 300: connected at 0, dropped at 300_000 -> retry at 330_000.
    pub stable_after: Millis,
    /// Dials outstanding at once. Not in the seeds; 8 keeps a browser's few sockets for traffic.
    pub max_dials_in_flight: usize,
    /// With zero active peers for this long (ms), every backoff is cleared and every known peer
    /// redialled. Seed `ISOLATION_RESET_SEC` = 60: isolated from t = 0, the reset fires at 60_000,
    /// and again every 60 s while still isolated.
    pub isolation_after: Millis,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig {
            initial_backoff: 30_000,
            max_backoff: 3_600_000,
            stable_after: 300_000,
            max_dials_in_flight: 8,
            isolation_after: 60_000,
        }
    }
}

impl BackoffConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        require_nonzero("initial_backoff", self.initial_backoff)?;
        if self.max_backoff < self.initial_backoff {
            return Err(ConfigError::invalid(
                "max_backoff",
                format!("must be at least initial_backoff ({} ms)", self.initial_backoff),
            ));
        }
        require_nonzero("max_dials_in_flight", self.max_dials_in_flight as u64)?;
        require_nonzero("isolation_after", self.isolation_after)
    }
}

/// Where a peer is in the dial cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum DialPhase {
    /// Not connected; redialled at its due time unless suspended.
    Waiting,
    Dialing {
        since: Millis,
    },
    Connected {
        since: Millis,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PeerBackoff {
    phase: DialPhase,
    /// The wait the next failure will apply.
    next_wait: Millis,
    /// Failures since the last reset, for display.
    failures: u32,
    suspended: bool,
}

/// One peer's backoff as a snapshot keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedBackoff<P> {
    pub peer: P,
    /// The wait the next failure will apply.
    pub next_wait: Millis,
    pub failures: u32,
    /// The next dial, for a peer waiting and not suspended.
    pub due: Option<Millis>,
}

/// What [`DialScheduler::handle_timeout`] asks of the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BackoffOutput<P> {
    /// Open a connection to `peer`; report `connected` or `dial_failed`.
    Dial { peer: P },
    /// The seed's `emergency_peer_reset()`: isolated since `isolated_since`, all backoffs were
    /// cleared at `at` and the listed waiting peers were made due (in key order).
    IsolationReset { isolated_since: Millis, at: Millis, redialled: Vec<P> },
}

/// Per-peer reconnect backoff plus the bounded dial queue. Serializable for snapshots.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(
    serialize = "P: PeerKey + Serialize",
    deserialize = "P: PeerKey + Deserialize<'de>"
))]
pub struct DialScheduler<P: PeerKey> {
    config: BackoffConfig,
    peers: PeerMap<P, PeerBackoff>,
    /// Exactly the waiting, unsuspended peers.
    due: Deadlines<P>,
    in_flight: usize,
    isolated_since: Option<Millis>,
    isolation_deadline: Option<Millis>,
}

impl<P: PeerKey> DialScheduler<P> {
    pub fn new(config: BackoffConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(DialScheduler {
            config,
            peers: PeerMap::new(),
            due: Deadlines::new(),
            in_flight: 0,
            isolated_since: None,
            isolation_deadline: None,
        })
    }

    pub fn config(&self) -> &BackoffConfig {
        &self.config
    }

    /// Learns a new peer, due for a first dial at `now`. Returns false if already known.
    pub fn add_peer(&mut self, peer: P, now: Millis) -> bool {
        if self.peers.contains_key(&peer) {
            return false;
        }
        self.peers.insert(peer.clone(), self.fresh_record(DialPhase::Waiting));
        self.due.set(peer, now);
        true
    }

    fn fresh_record(&self, phase: DialPhase) -> PeerBackoff {
        PeerBackoff { phase, next_wait: self.config.initial_backoff, failures: 0, suspended: false }
    }

    /// Forgets `peer` entirely (e.g. after 8 hours without a response).
    pub fn remove_peer(&mut self, peer: &P) -> bool {
        self.due.cancel(peer);
        match self.peers.remove(peer) {
            Some(r) => {
                if matches!(r.phase, DialPhase::Dialing { .. }) {
                    self.in_flight -= 1;
                }
                true
            }
            None => false,
        }
    }

    /// A connection to `peer` is up, dialled by us or not. Unknown peers become known.
    pub fn connected(&mut self, peer: P, now: Millis) {
        self.due.cancel(&peer);
        let fresh = self.fresh_record(DialPhase::Waiting);
        let record = self.peers.get_or_insert_with(peer, || fresh);
        if matches!(record.phase, DialPhase::Dialing { .. }) {
            self.in_flight -= 1;
        }
        record.phase = DialPhase::Connected { since: now };
    }

    /// A dial this scheduler issued failed (refused, timed out, handshake failed). Returns false
    /// if `peer` was not being dialled, in which case nothing changes.
    pub fn dial_failed(&mut self, peer: &P, now: Millis) -> bool {
        match self.peers.get(peer).map(|r| r.phase) {
            Some(DialPhase::Dialing { .. }) => {
                self.in_flight -= 1;
                self.schedule_after_failure(peer, now);
                true
            }
            _ => false,
        }
    }

    /// A connection to `peer` closed. A connection that lasted `stable_after` first resets the
    /// wait, so the peer is retried after `initial_backoff`. Returns false if it was not connected.
    pub fn disconnected(&mut self, peer: &P, now: Millis) -> bool {
        let initial = self.config.initial_backoff;
        let stable_after = self.config.stable_after;
        let Some(record) = self.peers.get_mut(peer) else { return false };
        let DialPhase::Connected { since } = record.phase else { return false };
        if now.saturating_sub(since) >= stable_after {
            record.next_wait = initial;
            record.failures = 0;
        }
        self.schedule_after_failure(peer, now);
        true
    }

    /// A connection to `peer` closed because it is on another network: it cannot become useful
    /// unless it changes network, so the next dial waits the full `max_backoff`, however
    /// stable the connection was. Returns false if it was not connected.
    pub fn disconnected_from_other_network(&mut self, peer: &P, now: Millis) -> bool {
        let max = self.config.max_backoff;
        let Some(record) = self.peers.get_mut(peer) else { return false };
        if !matches!(record.phase, DialPhase::Connected { .. }) {
            return false;
        }
        record.next_wait = max;
        self.schedule_after_failure(peer, now);
        true
    }

    fn schedule_after_failure(&mut self, peer: &P, now: Millis) {
        let max = self.config.max_backoff;
        let Some(record) = self.peers.get_mut(peer) else { return };
        let wait = record.next_wait;
        record.next_wait = wait.saturating_mul(2).min(max);
        record.failures = record.failures.saturating_add(1);
        record.phase = DialPhase::Waiting;
        if !record.suspended {
            self.due.set(peer.clone(), now.saturating_add(wait));
        }
    }

    /// Stops dialling `peer` (banned, blocked) until [`DialScheduler::resume`]. A dial already in
    /// flight cannot be recalled; its outcome is still accepted. Unknown peers become known, so a
    /// ban that arrives before the peer is learnt still holds. Returns false if already suspended.
    pub fn suspend(&mut self, peer: P) -> bool {
        self.due.cancel(&peer);
        let fresh = self.fresh_record(DialPhase::Waiting);
        let record = self.peers.get_or_insert_with(peer, || fresh);
        !std::mem::replace(&mut record.suspended, true)
    }

    /// Lifts a suspension: a waiting peer is due one current wait from `now` (the seed: after a
    /// ban "normal backoff reconnection resumes"), without doubling it. Returns false if the peer
    /// was not suspended.
    pub fn resume(&mut self, peer: &P, now: Millis) -> bool {
        let Some(record) = self.peers.get_mut(peer) else { return false };
        if !std::mem::replace(&mut record.suspended, false) {
            return false;
        }
        if record.phase == DialPhase::Waiting {
            self.due.set(peer.clone(), now.saturating_add(record.next_wait));
        }
        true
    }

    /// Tells the scheduler how many peers are active (exchanging, not merely connected). Zero
    /// starts the isolation clock; anything else stops it.
    pub fn set_active_peers(&mut self, count: usize, now: Millis) {
        if count > 0 {
            self.isolated_since = None;
            self.isolation_deadline = None;
        } else if self.isolated_since.is_none() {
            self.isolated_since = Some(now);
            self.isolation_deadline = Some(now.saturating_add(self.config.isolation_after));
        }
    }

    /// The earliest instant `handle_timeout` has work: an isolation reset, or a due dial when a
    /// dial slot is free.
    pub fn next_deadline(&self) -> Option<Millis> {
        let dial =
            if self.in_flight < self.config.max_dials_in_flight { self.due.next() } else { None };
        match (dial, self.isolation_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn handle_timeout(&mut self, now: Millis) -> Vec<BackoffOutput<P>> {
        let mut out = Vec::new();
        if let (Some(since), Some(deadline)) = (self.isolated_since, self.isolation_deadline) {
            if deadline <= now {
                let redialled = self.emergency_reset(now);
                self.isolation_deadline = Some(now.saturating_add(self.config.isolation_after));
                out.push(BackoffOutput::IsolationReset {
                    isolated_since: since,
                    at: now,
                    redialled,
                });
            }
        }
        while self.in_flight < self.config.max_dials_in_flight {
            let Some((_, peer)) = self.due.pop_due(now) else { break };
            if let Some(record) = self.peers.get_mut(&peer) {
                record.phase = DialPhase::Dialing { since: now };
                self.in_flight += 1;
                out.push(BackoffOutput::Dial { peer });
            }
        }
        out
    }

    /// Clears every backoff and makes every waiting, unsuspended peer due at `now`. Returns the
    /// peers made due, in key order. Runs by itself after `isolation_after`; public for operators.
    pub fn emergency_reset(&mut self, now: Millis) -> Vec<P> {
        let initial = self.config.initial_backoff;
        let mut redialled = Vec::new();
        let due = &mut self.due;
        self.peers.for_each_mut(|peer, record| {
            record.next_wait = initial;
            record.failures = 0;
            if record.phase == DialPhase::Waiting && !record.suspended {
                due.set(peer.clone(), now);
                redialled.push(peer.clone());
            }
        });
        redialled
    }

    /// Every peer's backoff for a snapshot, in key order. A peer dialled or connected at `now`
    /// has no due time: its dial or connection does not outlive the snapshot.
    pub fn saved(&self, now: Millis) -> Vec<SavedBackoff<P>> {
        self.peers
            .iter()
            .map(|(peer, r)| {
                let stable = self.is_stable(r, now);
                SavedBackoff {
                    peer: peer.clone(),
                    next_wait: if stable { self.config.initial_backoff } else { r.next_wait },
                    failures: if stable { 0 } else { r.failures },
                    due: self.due.get(peer),
                }
            })
            .collect()
    }

    /// Where the isolation clock stands: (isolated since, next reset).
    pub fn isolation(&self) -> Option<(Millis, Millis)> {
        self.isolated_since.zip(self.isolation_deadline)
    }

    /// Takes back a saved backoff before the peer is re-added, so its wait and failure count
    /// carry over. A peer that was waiting is due at its saved time (or `now` if that passed);
    /// one that was dialled or connected is due at `now`; a `suspended` one (still banned or
    /// blocked) is not queued. Waits are clamped to this config. Returns false if the peer is
    /// already known.
    pub fn restore(&mut self, saved: &SavedBackoff<P>, suspended: bool, now: Millis) -> bool {
        if self.peers.contains_key(&saved.peer) {
            return false;
        }
        let next_wait = saved.next_wait.clamp(self.config.initial_backoff, self.config.max_backoff);
        let record = PeerBackoff {
            phase: DialPhase::Waiting,
            next_wait,
            failures: saved.failures,
            suspended,
        };
        self.peers.insert(saved.peer.clone(), record);
        if !suspended {
            self.due.set(saved.peer.clone(), saved.due.unwrap_or(now).max(now));
        }
        true
    }

    /// Takes back a saved isolation clock (the restored manager has no connections, so it is
    /// isolated either way; this keeps when it started).
    pub fn restore_isolation(&mut self, since: Millis, deadline: Millis) {
        self.isolated_since = Some(since);
        self.isolation_deadline = Some(deadline);
    }

    pub fn phase(&self, peer: &P) -> Option<DialPhase> {
        self.peers.get(peer).map(|r| r.phase)
    }

    pub fn is_suspended(&self, peer: &P) -> bool {
        self.peers.get(peer).is_some_and(|r| r.suspended)
    }

    /// When `peer` will next be dialled (if a slot is free then), or `None` if it is not queued.
    pub fn next_dial_at(&self, peer: &P) -> Option<Millis> {
        self.due.get(peer)
    }

    /// The wait the next failure would apply (the seed's `backoff=` column). For a connected peer
    /// this already reflects a reset if the connection has been up `stable_after` at `now`.
    pub fn current_backoff(&self, peer: &P, now: Millis) -> Option<Millis> {
        let r = self.peers.get(peer)?;
        Some(if self.is_stable(r, now) { self.config.initial_backoff } else { r.next_wait })
    }

    /// Connected for `stable_after` at `now`: a drop then resets the wait.
    fn is_stable(&self, r: &PeerBackoff, now: Millis) -> bool {
        matches!(r.phase, DialPhase::Connected { since }
            if now.saturating_sub(since) >= self.config.stable_after)
    }

    /// Failures since the last reset.
    pub fn failures(&self, peer: &P) -> u32 {
        self.peers.get(peer).map_or(0, |r| r.failures)
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Peers currently being dialled, in key order.
    pub fn dialing(&self) -> impl Iterator<Item = &P> + '_ {
        self.peers
            .iter()
            .filter(|(_, r)| matches!(r.phase, DialPhase::Dialing { .. }))
            .map(|(p, _)| p)
    }

    pub fn isolated_since(&self) -> Option<Millis> {
        self.isolated_since
    }

    pub fn len(&self) -> usize {
        self.peers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }
}

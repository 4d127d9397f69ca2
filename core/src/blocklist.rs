//! Blocklists that survive epoch transitions, health probes, and the line between transport
//! failures and application errors (seed 002, Lava's consumer session manager fix #2266).
//!
//! A peer set is replaced wholesale at each epoch. Every peer has a role, `primary` or `backup`;
//! blocking works for both (the seed's bug: blocking a backup was a no-op). At an epoch
//! transition every peer blocked in the old epoch, whatever its role, is carried over: those
//! still present (in either role) are blocked again and a health probe is requested; the rest
//! are dropped with the old set. A passing probe or a successful reconnection unblocks.
//!
//! Health: transport failures (dial, TLS, connection reset) mark a peer unhealthy and, after
//! `max_consecutive_transport_failures` in a row, disabled; application errors (the seed's HTTP
//! 4xx/5xx) prove the transport works and count as a successful exchange. A peer the hot path has
//! disabled is not unblocked by a probe that happens to pass: only a real reconnection revives it.
//!
//! Drive: inputs return what they did; the `Probe` commands of an epoch transition are carried
//! out by the host, which reports each with `probe_result`.

use serde::{Deserialize, Serialize};

use crate::config_error::{require_nonzero, ConfigError};
use crate::peer_key::PeerKey;
use crate::peer_map::PeerMap;
use crate::types::Millis;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlocklistConfig {
    /// Transport failures in a row after which the hot path disables a peer. Not a seed value:
    /// Lava's `MaxConsecutiveConnectionAttempts` (3). With 3, the third consecutive dial/TLS/reset
    /// failure disables; an answered request, even a 4xx, in between restarts the count.
    pub max_consecutive_transport_failures: u32,
}

impl Default for BlocklistConfig {
    fn default() -> Self {
        BlocklistConfig { max_consecutive_transport_failures: 3 }
    }
}

impl BlocklistConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        require_nonzero(
            "max_consecutive_transport_failures",
            u64::from(self.max_consecutive_transport_failures),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Primary,
    Backup,
}

/// A failure below the application: the peer could not be reached or talked to at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportFailure {
    Dial,
    Tls,
    Reset,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub reason: String,
    /// When the peer was first blocked; kept across epochs.
    pub since: Millis,
    /// Epochs this block has been carried into (0 = blocked in the current epoch).
    pub carried_epochs: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    role: Role,
    block: Option<Block>,
    healthy: bool,
    consecutive_transport_failures: u32,
    disabled: bool,
    probe_pending: bool,
}

impl Entry {
    fn new(role: Role) -> Self {
        Entry {
            role,
            block: None,
            healthy: true,
            consecutive_transport_failures: 0,
            disabled: false,
            probe_pending: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockResult {
    Blocked,
    AlreadyBlocked,
    /// Not in the current epoch's peer set.
    UnknownPeer,
}

/// What the host must do after an epoch transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BlocklistCommand<P> {
    /// Check whether `peer` is reachable; report with `probe_result`.
    Probe { peer: P },
}

/// The outcome of [`Blocklist::epoch_transition`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochTransition<P> {
    pub epoch: u64,
    /// Blocked in the previous epoch and present in the new one, with their new role.
    pub reblocked: Vec<(P, Role)>,
    /// Blocked in the previous epoch but absent from the new one.
    pub dropped: Vec<P>,
    /// One probe per re-blocked peer, in key order.
    pub commands: Vec<BlocklistCommand<P>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProbeOutcome {
    Unblocked,
    /// The probe failed: still blocked, and counted as a transport failure.
    StillBlocked,
    /// The probe passed but the hot path had disabled the peer: still blocked.
    StillBlockedDisabled,
    /// No probe was outstanding for this peer (stale or unsolicited result): ignored.
    NotPending,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(
    serialize = "P: PeerKey + Serialize",
    deserialize = "P: PeerKey + Deserialize<'de>"
))]
pub struct Blocklist<P: PeerKey> {
    config: BlocklistConfig,
    epoch: u64,
    peers: PeerMap<P, Entry>,
}

impl<P: PeerKey> Blocklist<P> {
    /// Starts at epoch 0 with an empty peer set; the first `epoch_transition` brings the peers.
    pub fn new(config: BlocklistConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Blocklist { config, epoch: 0, peers: PeerMap::new() })
    }

    pub fn config(&self) -> &BlocklistConfig {
        &self.config
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Adds `peer` to the current epoch's set without a transition (a network without epochs
    /// learns peers one by one). Returns false, changing nothing, if it is already in the set.
    pub fn add_peer(&mut self, peer: P, role: Role) -> bool {
        if self.peers.contains_key(&peer) {
            return false;
        }
        self.peers.insert(peer, Entry::new(role));
        true
    }

    /// Gives `peer` a role in the current set, adding it if absent; a block and health stay.
    /// Returns whether anything changed.
    pub fn set_role(&mut self, peer: P, role: Role) -> bool {
        match self.peers.get_mut(&peer) {
            Some(entry) => std::mem::replace(&mut entry.role, role) != role,
            None => {
                self.peers.insert(peer, Entry::new(role));
                true
            }
        }
    }

    /// Drops `peer` from the current set, block and health included.
    pub fn remove_peer(&mut self, peer: &P) -> bool {
        self.peers.remove(peer).is_some()
    }

    /// Blocks `peer` whatever its role. A second block keeps the first reason.
    pub fn block(&mut self, peer: &P, reason: impl Into<String>, now: Millis) -> BlockResult {
        let Some(entry) = self.peers.get_mut(peer) else { return BlockResult::UnknownPeer };
        if entry.block.is_some() {
            return BlockResult::AlreadyBlocked;
        }
        entry.block = Some(Block { reason: reason.into(), since: now, carried_epochs: 0 });
        BlockResult::Blocked
    }

    /// Replaces the peer set. A peer listed under both roles is taken as primary.
    ///
    /// Health is reset for the new epoch (Lava resets its health gauges at the boundary), except
    /// the hot path's `disabled` verdict, which only a reconnection clears.
    pub fn epoch_transition(
        &mut self,
        new_peer_set: impl IntoIterator<Item = (P, Role)>,
        _now: Millis,
    ) -> EpochTransition<P> {
        let mut roles: PeerMap<P, Role> = PeerMap::new();
        for (peer, role) in new_peer_set {
            let slot = roles.get_or_insert_with(peer, || role);
            if role == Role::Primary {
                *slot = Role::Primary;
            }
        }
        let old = std::mem::take(&mut self.peers);
        self.epoch += 1;
        let mut reblocked = Vec::new();
        let mut dropped = Vec::new();
        let mut commands = Vec::new();
        for (peer, old_entry) in old.iter() {
            if old_entry.block.is_some() && !roles.contains_key(peer) {
                dropped.push(peer.clone());
            }
        }
        for (peer, &role) in roles.iter() {
            let peer = peer.clone();
            let mut entry = Entry::new(role);
            if let Some(prev) = old.get(&peer) {
                entry.disabled = prev.disabled;
                if let Some(block) = &prev.block {
                    entry.block = Some(Block {
                        carried_epochs: block.carried_epochs.saturating_add(1),
                        ..block.clone()
                    });
                    entry.probe_pending = true;
                    reblocked.push((peer.clone(), role));
                    commands.push(BlocklistCommand::Probe { peer: peer.clone() });
                }
            }
            self.peers.insert(peer, entry);
        }
        EpochTransition { epoch: self.epoch, reblocked, dropped, commands }
    }

    /// The host's answer to a `Probe` command.
    pub fn probe_result(&mut self, peer: &P, ok: bool, now: Millis) -> ProbeOutcome {
        let Some(entry) = self.peers.get_mut(peer) else { return ProbeOutcome::NotPending };
        if !std::mem::replace(&mut entry.probe_pending, false) {
            return ProbeOutcome::NotPending;
        }
        if !ok {
            self.transport_failure(peer, TransportFailure::Dial, now);
            return ProbeOutcome::StillBlocked;
        }
        if entry.disabled {
            return ProbeOutcome::StillBlockedDisabled;
        }
        entry.block = None;
        entry.healthy = true;
        entry.consecutive_transport_failures = 0;
        ProbeOutcome::Unblocked
    }

    /// A connection to `peer` was re-established: the strongest proof of health. Unblocks,
    /// re-enables and marks healthy. Returns whether the peer was blocked.
    pub fn reconnected(&mut self, peer: &P) -> bool {
        let Some(entry) = self.peers.get_mut(peer) else { return false };
        entry.disabled = false;
        entry.healthy = true;
        entry.consecutive_transport_failures = 0;
        entry.probe_pending = false;
        entry.block.take().is_some()
    }

    /// Lifts a block by hand (operator). Does not re-enable a disabled peer.
    pub fn unblock(&mut self, peer: &P) -> bool {
        let Some(entry) = self.peers.get_mut(peer) else { return false };
        entry.probe_pending = false;
        entry.block.take().is_some()
    }

    /// A dial, TLS or reset failure: marks the peer unhealthy. Returns true if this failure made
    /// the hot path disable it.
    pub fn transport_failure(&mut self, peer: &P, _kind: TransportFailure, _now: Millis) -> bool {
        let max = self.config.max_consecutive_transport_failures;
        let Some(entry) = self.peers.get_mut(peer) else { return false };
        entry.healthy = false;
        entry.consecutive_transport_failures =
            entry.consecutive_transport_failures.saturating_add(1);
        if !entry.disabled && entry.consecutive_transport_failures >= max {
            entry.disabled = true;
            return true;
        }
        false
    }

    /// The peer answered with an application error (HTTP 4xx/5xx, a protocol-level error
    /// reply). The transport worked, so this is a successful exchange for health purposes.
    pub fn application_error(&mut self, peer: &P, _status: u16) {
        self.exchange_succeeded(peer);
    }

    /// Any exchange that went through: healthy again, failure streak broken. Does not re-enable
    /// a disabled peer, which the hot path no longer sends to.
    pub fn exchange_succeeded(&mut self, peer: &P) {
        if let Some(entry) = self.peers.get_mut(peer) {
            entry.healthy = true;
            entry.consecutive_transport_failures = 0;
        }
    }

    /// The hot path gives up on `peer` on its own grounds.
    pub fn disable(&mut self, peer: &P) -> bool {
        self.peers.get_mut(peer).is_some_and(|e| !std::mem::replace(&mut e.disabled, true))
    }

    pub fn is_blocked(&self, peer: &P) -> bool {
        self.peers.get(peer).is_some_and(|e| e.block.is_some())
    }

    pub fn block_info(&self, peer: &P) -> Option<&Block> {
        self.peers.get(peer)?.block.as_ref()
    }

    /// Unknown peers are reported healthy: nothing is known against them.
    pub fn is_healthy(&self, peer: &P) -> bool {
        self.peers.get(peer).is_none_or(|e| e.healthy)
    }

    pub fn is_disabled(&self, peer: &P) -> bool {
        self.peers.get(peer).is_some_and(|e| e.disabled)
    }

    pub fn probe_pending(&self, peer: &P) -> bool {
        self.peers.get(peer).is_some_and(|e| e.probe_pending)
    }

    pub fn role(&self, peer: &P) -> Option<Role> {
        self.peers.get(peer).map(|e| e.role)
    }

    /// Peers of `role` that may be used: in the set, not blocked, not disabled. Key order.
    /// The seed's backup selection path is this with `Role::Backup`.
    pub fn usable(&self, role: Role) -> impl Iterator<Item = &P> + '_ {
        self.peers
            .iter()
            .filter(move |(_, e)| e.role == role && e.block.is_none() && !e.disabled)
            .map(|(p, _)| p)
    }

    /// Blocked peers in key order.
    pub fn blocked(&self) -> impl Iterator<Item = (&P, Role, &Block)> + '_ {
        self.peers.iter().filter_map(|(p, e)| e.block.as_ref().map(|b| (p, e.role, b)))
    }

    pub fn contains(&self, peer: &P) -> bool {
        self.peers.contains_key(peer)
    }
}

//! Spam strikes and soft bans (seed 003, "spam — Anti-Spam Strike Counter").
//!
//! A strike is a packet that proves the peer is broken or hostile. Strikes accumulate since the
//! last valid packet; at the threshold the peer is soft-banned for a fixed time with a
//! human-readable reason, and when the ban expires it is an ordinary disconnected peer again.
//!
//! Drive: call [`Strikes::strike`] / [`Strikes::valid_packet`] as packets arrive, and
//! [`Strikes::handle_timeout`] whenever `now >= next_deadline()`; the expiries it returns tell the
//! caller to move the peer back to `disconnected` and resume normal reconnect backoff.

use serde::{Deserialize, Serialize};

use crate::config_error::{require_nonzero, ConfigError};
use crate::deadlines::Deadlines;
use crate::peer_key::PeerKey;
use crate::peer_map::PeerMap;
use crate::types::Millis;

/// The seed's ban reason, sent to the peer in its `dlt_soft_ban_message`.
pub const SPAM_BAN_REASON: &str = "spam strike threshold exceeded";

/// What a peer sent that might be spam. Only some kinds count (see [`StrikeKind::counts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrikeKind {
    /// The packet could not be decoded.
    Deserialization,
    /// A message that is not allowed in the connection's current state.
    ProtocolViolation,
    /// A block on a dead fork, reported after the fork grace period has run out.
    DeadForkBlock,
    /// A dead-fork block still inside the grace period: a peer that has not switched yet.
    DeadForkBlockInGrace,
    /// A block we already have: normal gossip redundancy.
    DuplicateBlock,
    /// An out-of-order block inside a range reply: range replies may interleave.
    OutOfOrderBlockInRange,
}

impl StrikeKind {
    pub const ALL: [StrikeKind; 6] = [
        StrikeKind::Deserialization,
        StrikeKind::ProtocolViolation,
        StrikeKind::DeadForkBlock,
        StrikeKind::DeadForkBlockInGrace,
        StrikeKind::DuplicateBlock,
        StrikeKind::OutOfOrderBlockInRange,
    ];

    /// Whether this kind increments the counter. The seed: "Duplicate blocks and out-of-order
    /// blocks within a range reply do not increment the counter", and dead-fork blocks count only
    /// "after the grace period".
    pub fn counts(self) -> bool {
        matches!(
            self,
            StrikeKind::Deserialization | StrikeKind::ProtocolViolation | StrikeKind::DeadForkBlock
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StrikeKind::Deserialization => "deserialization",
            StrikeKind::ProtocolViolation => "protocol_violation",
            StrikeKind::DeadForkBlock => "dead_fork_block",
            StrikeKind::DeadForkBlockInGrace => "dead_fork_block_in_grace",
            StrikeKind::DuplicateBlock => "duplicate_block",
            StrikeKind::OutOfOrderBlockInRange => "out_of_order_block_in_range",
        }
    }
}

/// Strike and soft-ban settings. Defaults are seed 003's protocol constants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StrikeConfig {
    /// Counting strikes (since the last valid packet) that trigger a soft ban.
    /// Seed `SPAM_STRIKE_THRESHOLD` = 10: the 10th strike bans, the 9th does not.
    pub threshold: u32,
    /// How long a soft ban lasts, in milliseconds. Seed `BAN_DURATION_SEC` = 3600, so
    /// 3_600_000: a peer banned at t = 5_000 may reconnect from t = 3_605_000.
    pub ban_duration: Millis,
}

impl Default for StrikeConfig {
    fn default() -> Self {
        StrikeConfig { threshold: 10, ban_duration: 3_600_000 }
    }
}

impl StrikeConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        require_nonzero("threshold", u64::from(self.threshold))?;
        require_nonzero("ban_duration", self.ban_duration)
    }
}

/// A soft ban in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SoftBan {
    pub since: Millis,
    /// First instant at which the peer is no longer banned.
    pub until: Millis,
    /// Human-readable, for logs and for the ban message sent to the peer.
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct StrikeRecord {
    strikes: u32,
    ban: Option<SoftBan>,
}

/// What one call to [`Strikes::strike`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StrikeOutcome<P> {
    /// The kind does not count (duplicate, out-of-order in range, dead fork within grace).
    NotCounted { peer: P, kind: StrikeKind },
    /// Counted, still below the threshold.
    Counted { peer: P, kind: StrikeKind, strikes: u32, threshold: u32 },
    /// This strike reached the threshold: the caller disconnects the peer and stops dialling it.
    SoftBanned {
        peer: P,
        kind: StrikeKind,
        strikes: u32,
        since: Millis,
        until: Millis,
        reason: String,
    },
    /// The peer is already banned; late packets from a closing connection change nothing.
    AlreadyBanned { peer: P, until: Millis },
}

/// A ban that ran out: the caller moves the peer back to `disconnected` with normal backoff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StrikeExpiry<P> {
    BanExpired { peer: P, since: Millis, at: Millis, reason: String },
}

/// Per-peer strike counters and soft bans. Serializable as a whole for snapshots.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(
    serialize = "P: PeerKey + Serialize",
    deserialize = "P: PeerKey + Deserialize<'de>"
))]
pub struct Strikes<P: PeerKey> {
    config: StrikeConfig,
    peers: PeerMap<P, StrikeRecord>,
    expiries: Deadlines<P>,
}

impl<P: PeerKey> Strikes<P> {
    pub fn new(config: StrikeConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Strikes { config, peers: PeerMap::new(), expiries: Deadlines::new() })
    }

    pub fn config(&self) -> &StrikeConfig {
        &self.config
    }

    /// Records a suspicious packet from `peer`.
    pub fn strike(&mut self, peer: P, kind: StrikeKind, now: Millis) -> StrikeOutcome<P> {
        let threshold = self.config.threshold;
        if let Some(ban) = self.peers.get(&peer).and_then(|r| r.ban.as_ref()) {
            return StrikeOutcome::AlreadyBanned { peer, until: ban.until };
        }
        if !kind.counts() {
            return StrikeOutcome::NotCounted { peer, kind };
        }
        let record = self.peers.get_or_default(peer.clone());
        record.strikes = record.strikes.saturating_add(1);
        let strikes = record.strikes;
        if strikes < threshold {
            return StrikeOutcome::Counted { peer, kind, strikes, threshold };
        }
        let ban = self.ban_record(&peer, SPAM_BAN_REASON.to_string(), now);
        StrikeOutcome::SoftBanned {
            peer,
            kind,
            strikes,
            since: ban.since,
            until: ban.until,
            reason: ban.reason,
        }
    }

    /// Soft-bans `peer` for the configured duration for a reason other than spam (an operator,
    /// or a rule elsewhere in the engine). Re-banning a banned peer extends the ban from `now`.
    pub fn soft_ban(&mut self, peer: P, reason: impl Into<String>, now: Millis) -> SoftBan {
        self.ban_record(&peer, reason.into(), now)
    }

    fn ban_record(&mut self, peer: &P, reason: String, now: Millis) -> SoftBan {
        let until = now.saturating_add(self.config.ban_duration);
        let ban = SoftBan { since: now, until, reason };
        let record = self.peers.get_or_default(peer.clone());
        record.ban = Some(ban.clone());
        self.expiries.set(peer.clone(), until);
        ban
    }

    /// Any valid packet wipes the counter (the seed: strikes are counted "since the last valid
    /// packet"). A banned peer's ban is unaffected.
    pub fn valid_packet(&mut self, peer: &P) {
        self.clear_strikes(peer);
    }

    /// The seed also resets the counter on a successful reconnection.
    pub fn reconnected(&mut self, peer: &P) {
        self.clear_strikes(peer);
    }

    fn clear_strikes(&mut self, peer: &P) {
        if let Some(record) = self.peers.get_mut(peer) {
            record.strikes = 0;
            if record.ban.is_none() {
                self.peers.remove(peer);
            }
        }
    }

    /// Lifts a ban early (operator action). Returns whether there was one.
    pub fn unban(&mut self, peer: &P) -> bool {
        self.expiries.cancel(peer);
        self.peers.remove(peer).is_some_and(|r| r.ban.is_some())
    }

    /// Drops everything known about `peer` (the peer book forgot it).
    pub fn remove(&mut self, peer: &P) {
        self.expiries.cancel(peer);
        self.peers.remove(peer);
    }

    pub fn next_deadline(&self) -> Option<Millis> {
        self.expiries.next()
    }

    /// Expires the bans that are due, in expiry order. Expiry also clears the counter (seed:
    /// "Resets on ... ban expiry"), so the peer starts its next session clean.
    pub fn handle_timeout(&mut self, now: Millis) -> Vec<StrikeExpiry<P>> {
        let mut out = Vec::new();
        while let Some((at, peer)) = self.expiries.pop_due(now) {
            if let Some(record) = self.peers.remove(&peer) {
                if let Some(ban) = record.ban {
                    out.push(StrikeExpiry::BanExpired {
                        peer,
                        since: ban.since,
                        at,
                        reason: ban.reason,
                    });
                }
            }
        }
        out
    }

    /// Current counting strikes (0 for unknown peers).
    pub fn strikes(&self, peer: &P) -> u32 {
        self.peers.get(peer).map_or(0, |r| r.strikes)
    }

    /// The ban on `peer`, if any. A ban lasts until [`Strikes::handle_timeout`] expires it, so
    /// every view of the peer (dialable or not, counter or not) changes at the same tick.
    pub fn ban(&self, peer: &P) -> Option<&SoftBan> {
        self.peers.get(peer)?.ban.as_ref()
    }

    pub fn is_banned(&self, peer: &P) -> bool {
        self.ban(peer).is_some()
    }

    /// Milliseconds until the ban lifts (the seed's `ban_remaining`), or `None` if not banned.
    pub fn ban_remaining(&self, peer: &P, now: Millis) -> Option<Millis> {
        self.ban(peer).map(|b| b.until.saturating_sub(now))
    }

    /// Peers with a non-zero counter or a ban: all the state this component holds.
    pub fn tracked(&self) -> usize {
        self.peers.len()
    }

    /// Banned peers in key order.
    pub fn banned(&self) -> impl Iterator<Item = (&P, &SoftBan)> + '_ {
        self.peers.iter().filter_map(|(p, r)| r.ban.as_ref().map(|b| (p, b)))
    }
}

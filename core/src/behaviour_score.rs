//! Behaviour score (Lighthouse/Lodestar semantics): how badly a peer has treated us. Reports
//! move it, it decays toward 0 with a half-life, and thresholds turn it into a disconnect or
//! a ban. Decay is computed in closed form from elapsed milliseconds, so the value at any
//! instant is exact and independent of how often anyone looks.

use std::collections::BTreeSet;
use std::hash::Hash;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::ConfigError;
use crate::hash::{SeededMap, SeededState};
use crate::types::Millis;

/// A score input that cannot be used; nothing was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ScoreInputError {
    #[error("`{argument}` must be a finite number")]
    NotFinite { argument: &'static str },
}

/// What a peer did, by how much we tolerate it. Names are Lighthouse's tiers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PeerAction {
    /// Drives the score straight to the minimum (a ban).
    Fatal,
    /// Few of these are tolerated (default -10: five reach the ban threshold).
    LowTolerance,
    /// Default -5: ten reach the ban threshold.
    MidTolerance,
    /// Default -1: fifty reach the ban threshold.
    HighTolerance,
    /// Any finite delta, positive or negative.
    Custom { delta: f64 },
}

impl PeerAction {
    pub fn as_str(self) -> &'static str {
        match self {
            PeerAction::Fatal => "fatal",
            PeerAction::LowTolerance => "low_tolerance",
            PeerAction::MidTolerance => "mid_tolerance",
            PeerAction::HighTolerance => "high_tolerance",
            PeerAction::Custom { .. } => "custom",
        }
    }
}

/// The behaviour-score section of [`Config`](crate::Config). Scores are plain numbers,
/// durations milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BehaviourConfig {
    /// Lowest score; `fatal` sets it. Example: `-100.0`.
    pub min_score: f64,
    /// Highest score (positive custom deltas stop here). Example: `100.0`.
    pub max_score: f64,
    /// At or below this the engine commands a `bad_score` disconnect. Example: `-20.0`.
    pub disconnect_threshold: f64,
    /// At or below this the peer is banned for `ban_duration_ms`. Example: `-50.0`.
    pub ban_threshold: f64,
    /// Time for the score to halve on its way back to 0. Unit: ms; at least 1. Example:
    /// `600_000` takes -100 above -20 after 1 393 157 ms (10 min x log2 5, rounded up).
    pub half_life_ms: Millis,
    /// How long a ban lasts; the score does not decay meanwhile and connections are refused.
    /// Unit: ms. Example: `1_800_000`.
    pub ban_duration_ms: Millis,
    /// Delta of a `low_tolerance` action. Example: `-10.0`.
    pub low_tolerance_delta: f64,
    /// Delta of a `mid_tolerance` action. Example: `-5.0`.
    pub mid_tolerance_delta: f64,
    /// Delta of a `high_tolerance` action. Example: `-1.0`.
    pub high_tolerance_delta: f64,
    /// Weight of the behaviour score in the total score trimming ranks by. Example: `1.0`.
    pub behaviour_weight: f64,
    /// Weight of the host's application score, both in the total score and in the score the
    /// thresholds are checked against. Example: `1.0`.
    pub application_weight: f64,
    /// Most last-disconnect records kept (oldest evicted first). Unit: records. Example:
    /// `1_024`.
    pub max_disconnect_records: usize,
}

impl Eq for BehaviourConfig {}

impl Default for BehaviourConfig {
    /// Lighthouse's numbers: range [-100, 100], disconnect at -20, ban at -50 for 30 minutes,
    /// a 10-minute half-life, tiers -10 / -5 / -1; weights 1; Lodestar's 1 024 records.
    fn default() -> Self {
        BehaviourConfig {
            min_score: -100.0,
            max_score: 100.0,
            disconnect_threshold: -20.0,
            ban_threshold: -50.0,
            half_life_ms: 600_000,
            ban_duration_ms: 1_800_000,
            low_tolerance_delta: -10.0,
            mid_tolerance_delta: -5.0,
            high_tolerance_delta: -1.0,
            behaviour_weight: 1.0,
            application_weight: 1.0,
            max_disconnect_records: 1_024,
        }
    }
}

impl BehaviourConfig {
    /// Checks every field; the error names the first offending one (`behaviour.<field>`).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field: &'static str, reason: &str| Err(ConfigError::invalid(field, reason));
        let finite = [
            ("min_score", self.min_score),
            ("max_score", self.max_score),
            ("disconnect_threshold", self.disconnect_threshold),
            ("ban_threshold", self.ban_threshold),
            ("low_tolerance_delta", self.low_tolerance_delta),
            ("mid_tolerance_delta", self.mid_tolerance_delta),
            ("high_tolerance_delta", self.high_tolerance_delta),
            ("behaviour_weight", self.behaviour_weight),
            ("application_weight", self.application_weight),
        ];
        if let Some((field, _)) = finite.iter().find(|(_, v)| !v.is_finite()) {
            return invalid(field, "must be a finite number");
        }
        if self.min_score >= 0.0 {
            return invalid("min_score", "must be below 0 (the starting score)");
        }
        if self.max_score <= 0.0 {
            return invalid("max_score", "must be above 0 (the starting score)");
        }
        if !(self.disconnect_threshold < 0.0 && self.disconnect_threshold >= self.min_score) {
            return invalid("disconnect_threshold", "must be below 0 and at least min_score");
        }
        if !(self.ban_threshold <= self.disconnect_threshold
            && self.ban_threshold >= self.min_score)
        {
            return invalid(
                "ban_threshold",
                "must be at most disconnect_threshold and at least min_score",
            );
        }
        if self.half_life_ms == 0 {
            return invalid("half_life_ms", "must be at least 1 ms");
        }
        let tiers = [
            ("low_tolerance_delta", self.low_tolerance_delta),
            ("mid_tolerance_delta", self.mid_tolerance_delta),
            ("high_tolerance_delta", self.high_tolerance_delta),
        ];
        if let Some((field, _)) = tiers.iter().find(|(_, v)| *v > 0.0) {
            return invalid(field, "a penalty must not be positive");
        }
        if self.behaviour_weight < 0.0 {
            return invalid("behaviour_weight", "must not be negative");
        }
        if self.application_weight < 0.0 {
            return invalid("application_weight", "must not be negative");
        }
        if self.max_disconnect_records == 0 {
            return invalid("max_disconnect_records", "must be at least 1");
        }
        Ok(())
    }

    /// The delta an action asks for (before clamping); `fatal` asks for everything.
    pub fn delta_of(&self, action: PeerAction) -> f64 {
        match action {
            PeerAction::Fatal => self.min_score - self.max_score,
            PeerAction::LowTolerance => self.low_tolerance_delta,
            PeerAction::MidTolerance => self.mid_tolerance_delta,
            PeerAction::HighTolerance => self.high_tolerance_delta,
            PeerAction::Custom { delta } => delta,
        }
    }
}

/// A peer's behaviour score: `value` as of `since`, decaying from `max(since, banned_until)`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct BehaviourScore {
    value: f64,
    since: Millis,
    banned_until: Option<Millis>,
}

impl BehaviourScore {
    /// The score at `now`: frozen while banned, then halving every `half_life` ms.
    pub(crate) fn at(&self, now: Millis, half_life: Millis) -> f64 {
        if self.value == 0.0 {
            return 0.0;
        }
        let start = self.since.max(self.banned_until.unwrap_or(0));
        if now <= start {
            return self.value;
        }
        let halvings = (now - start) as f64 / half_life as f64;
        self.value * (-halvings).exp2()
    }

    /// Applies `delta` at `now` (after decaying to `now`), clamped to the configured range;
    /// returns the change actually made.
    pub(crate) fn add(&mut self, delta: f64, now: Millis, config: &BehaviourConfig) -> f64 {
        let before = self.at(now, config.half_life_ms);
        // Not `f64::clamp`: its min <= max check formats both floats with `{:?}`, which alone
        // keeps core::fmt's float code in the wasm (validated configs have min <= max).
        let after = (before + delta).max(config.min_score).min(config.max_score);
        self.value = after;
        self.since = now;
        after - before
    }

    /// Bans until `until`; the score stays where it is until then.
    pub(crate) fn ban(&mut self, now: Millis, until: Millis, half_life: Millis) {
        self.value = self.at(now, half_life);
        self.since = now;
        self.banned_until = Some(until);
    }

    /// `(value, since, banned_until)`, for a snapshot.
    pub(crate) fn parts(&self) -> (f64, Millis, Option<Millis>) {
        (self.value, self.since, self.banned_until)
    }

    /// The score [`parts`](Self::parts) returned.
    pub(crate) fn from_parts(value: f64, since: Millis, banned_until: Option<Millis>) -> Self {
        BehaviourScore { value, since, banned_until }
    }

    /// Lifts the ban; decay has been counting from its end, so nothing else changes.
    pub(crate) fn unban(&mut self, half_life: Millis) {
        if let Some(until) = self.banned_until {
            self.value = self.at(until, half_life);
            self.since = self.since.max(until);
            self.banned_until = None;
        }
    }
}

/// The last explicit report (the seed's `lastActionName` / `lastActionDeltaScore` /
/// `lastActionUnixMs`). Application-score refreshes never touch it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LastAction {
    pub(crate) name: Box<str>,
    pub(crate) delta: f64,
    pub(crate) at: Millis,
}

/// Everything a peer record holds beyond tags and connections, boxed so a peer nobody has
/// reported, scored or described costs one null pointer.
#[derive(Debug, Clone, Default)]
pub(crate) struct PeerExtras {
    pub(crate) behaviour: BehaviourScore,
    pub(crate) application: f64,
    pub(crate) last_action: Option<LastAction>,
    pub(crate) agent_version: Option<Box<str>>,
    pub(crate) address: Option<Box<str>>,
}

impl PeerExtras {
    /// The score the thresholds are checked against: behaviour plus weighted application.
    pub(crate) fn threshold_score(&self, now: Millis, config: &BehaviourConfig) -> f64 {
        self.behaviour.at(now, config.half_life_ms) + config.application_weight * self.application
    }
}

/// Bans in force, by peer and by end time. Kept apart from the peer records so a ban holds
/// even if retention forgets the peer's record meanwhile.
#[derive(Clone)]
pub(crate) struct BanList<P> {
    until: SeededMap<P, Millis>,
    by_end: BTreeSet<(Millis, P)>,
}

impl<P: Clone + Eq + Hash + Ord> BanList<P> {
    pub(crate) fn new(hasher: SeededState) -> Self {
        BanList { until: SeededMap::with_hasher(hasher), by_end: BTreeSet::new() }
    }

    /// When the peer's ban ends, if it is banned at `now`.
    pub(crate) fn banned_until(&self, peer: &P, now: Millis) -> Option<Millis> {
        self.until.get(peer).copied().filter(|&until| now < until)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.by_end.is_empty()
    }

    pub(crate) fn insert(&mut self, peer: &P, until: Millis) {
        if let Some(old) = self.until.insert(peer.clone(), until) {
            self.by_end.remove(&(old, peer.clone()));
        }
        self.by_end.insert((until, peer.clone()));
    }

    pub(crate) fn next_expiry(&self) -> Option<Millis> {
        self.by_end.first().map(|(until, _)| *until)
    }

    /// Every ban by end time, for a snapshot.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&P, Millis)> + '_ {
        self.by_end.iter().map(|(until, peer)| (peer, *until))
    }

    /// Removes and returns the next ban that has ended by `now`.
    pub(crate) fn pop_expired(&mut self, now: Millis) -> Option<P> {
        let (until, _) = self.by_end.first()?;
        if *until > now {
            return None;
        }
        let (_, peer) = self.by_end.pop_first()?;
        self.until.remove(&peer);
        Some(peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_halves_every_half_life_and_is_frozen_while_banned() {
        let c = BehaviourConfig::default();
        let mut s = BehaviourScore::default();
        assert_eq!(s.add(-40.0, 1_000, &c), -40.0);
        assert_eq!(s.at(601_000, c.half_life_ms), -20.0);
        assert_eq!(s.at(1_201_000, c.half_life_ms), -10.0);
        s.ban(1_000, 101_000, c.half_life_ms);
        assert_eq!(s.at(101_000, c.half_life_ms), -40.0);
        assert_eq!(s.at(701_000, c.half_life_ms), -20.0);
        s.unban(c.half_life_ms);
        assert_eq!(s.at(701_000, c.half_life_ms), -20.0);
    }

    #[test]
    fn bans_end_in_time_order_and_a_rebans_replaces_the_old_end() {
        let mut bans = BanList::new(SeededState::new(3));
        bans.insert(&"a", 50);
        bans.insert(&"b", 20);
        bans.insert(&"a", 10);
        assert_eq!(bans.next_expiry(), Some(10));
        assert_eq!(bans.banned_until(&"a", 9), Some(10));
        assert_eq!(bans.banned_until(&"a", 10), None);
        assert_eq!(bans.pop_expired(15), Some("a"));
        assert_eq!(bans.pop_expired(15), None);
        assert_eq!(bans.pop_expired(20), Some("b"));
        assert_eq!(bans.next_expiry(), None);
    }

    #[test]
    fn deltas_are_clamped_and_the_applied_change_is_returned() {
        let c = BehaviourConfig::default();
        let mut s = BehaviourScore::default();
        assert_eq!(s.add(150.0, 0, &c), 100.0);
        assert_eq!(s.add(c.delta_of(PeerAction::Fatal), 0, &c), -200.0);
        assert_eq!(s.at(0, c.half_life_ms), -100.0);
        assert_eq!(s.add(-1.0, 0, &c), 0.0);
    }

    #[test]
    fn each_invalid_behaviour_setting_is_refused_with_its_field_name() {
        let field = |c: BehaviourConfig| match c.validate() {
            Err(ConfigError::Invalid { field, .. }) => field,
            Ok(()) => "ok",
        };
        let d = BehaviourConfig::default;
        assert_eq!(field(d()), "ok");
        assert_eq!(field(BehaviourConfig { min_score: f64::NAN, ..d() }), "min_score");
        assert_eq!(field(BehaviourConfig { min_score: 0.0, ..d() }), "min_score");
        assert_eq!(field(BehaviourConfig { max_score: 0.0, ..d() }), "max_score");
        assert_eq!(
            field(BehaviourConfig { disconnect_threshold: -120.0, ..d() }),
            "disconnect_threshold"
        );
        assert_eq!(field(BehaviourConfig { ban_threshold: -10.0, ..d() }), "ban_threshold");
        assert_eq!(field(BehaviourConfig { half_life_ms: 0, ..d() }), "half_life_ms");
        assert_eq!(
            field(BehaviourConfig { mid_tolerance_delta: 1.0, ..d() }),
            "mid_tolerance_delta"
        );
        assert_eq!(
            field(BehaviourConfig { application_weight: -1.0, ..d() }),
            "application_weight"
        );
        assert_eq!(
            field(BehaviourConfig { max_disconnect_records: 0, ..d() }),
            "max_disconnect_records"
        );
    }
}

//! The benchlist (AvalancheGo `snow/networking/benchlist`): peers that keep failing requests are
//! benched, so the host fails requests to them at once instead of waiting for a timeout.
//!
//! Each peer's failure probability is a [`DecayingAverage`] of its outcomes (failure = 1,
//! response = 0) with a 1-minute half-life. A peer is benched when that probability rises above
//! `bench_probability`, and unbenched when it falls below `unbench_probability` or after
//! `bench_duration`, whichever comes first. Benched peers stay connected: only the host's send
//! path changes (`is_benched(peer)` before sending).
//!
//! At most `max_benched_fraction` of tracked peers are benched at once; when the bench is full, a
//! peer failing more than the least-failing benched peer takes its place.
//!
//! Drive: `register_response` / `register_failure` as requests resolve, `handle_timeout` when
//! `now >= next_deadline()`. Each returns the bench changes it made, in order (an eviction's
//! `unbenched` comes before the newcomer's `benched`).

use serde::{Deserialize, Serialize};

use crate::config_error::{require_nonzero, require_unit_interval, ConfigError};
use crate::deadlines::Deadlines;
use crate::ewma::DecayingAverage;
use crate::peer_key::PeerKey;
use crate::peer_map::PeerMap;
use crate::types::Millis;

/// Benchlist settings. Defaults are AvalancheGo's (`DefaultHalflife` and friends) except the cap,
/// which AvalancheGo no longer has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BenchlistConfig {
    /// Half-life of the failure average, in ms. 60_000: an outcome a minute old weighs half as
    /// much as a fresh one (see [`crate::ewma`] for the formula and a worked example).
    pub half_life: Millis,
    /// Bench when the failure probability is strictly above this. 0.5: a peer answering one
    /// request in three (p = 2/3 with simultaneous outcomes) is benched; one in two is not.
    pub bench_probability: f64,
    /// Unbench when the failure probability is strictly below this. 0.2.
    pub unbench_probability: f64,
    /// Longest stay on the bench, in ms. 300_000: benched at t = 1_000, back at t = 301_000.
    pub bench_duration: Millis,
    /// Most of the tracked peers that may be benched at once, rounded down. 0.25: with 10
    /// tracked peers at most 2 are benched; with 3 or fewer, none.
    pub max_benched_fraction: f64,
}

impl Default for BenchlistConfig {
    fn default() -> Self {
        BenchlistConfig {
            half_life: 60_000,
            bench_probability: 0.5,
            unbench_probability: 0.2,
            bench_duration: 300_000,
            max_benched_fraction: 0.25,
        }
    }
}

impl BenchlistConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        require_nonzero("half_life", self.half_life)?;
        require_unit_interval("bench_probability", self.bench_probability)?;
        require_unit_interval("unbench_probability", self.unbench_probability)?;
        if self.unbench_probability > self.bench_probability {
            return Err(ConfigError::invalid(
                "unbench_probability",
                "must not exceed bench_probability, or a benched peer could never be kept",
            ));
        }
        require_nonzero("bench_duration", self.bench_duration)?;
        require_unit_interval("max_benched_fraction", self.max_benched_fraction)
    }
}

/// Why a peer left the bench.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnbenchCause {
    /// Its failure probability fell below `unbench_probability`.
    Recovered,
    /// `bench_duration` ran out.
    Expired,
    /// A peer failing more took its place on a full bench.
    Evicted,
    /// The caller stopped tracking it.
    Removed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BenchEvent<P> {
    Benched { peer: P, failure_probability: f64, until: Millis },
    Unbenched { peer: P, failure_probability: f64, cause: UnbenchCause },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Node {
    failure: DecayingAverage,
    benched_until: Option<Millis>,
}

impl Node {
    fn p(&self) -> f64 {
        self.failure.value().unwrap_or(0.0)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(
    serialize = "P: PeerKey + Serialize",
    deserialize = "P: PeerKey + Deserialize<'de>"
))]
pub struct Benchlist<P: PeerKey> {
    config: BenchlistConfig,
    nodes: PeerMap<P, Node>,
    expiries: Deadlines<P>,
}

impl<P: PeerKey> Benchlist<P> {
    pub fn new(config: BenchlistConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Benchlist { config, nodes: PeerMap::new(), expiries: Deadlines::new() })
    }

    pub fn config(&self) -> &BenchlistConfig {
        &self.config
    }

    /// Starts tracking `peer` (it counts towards the cap) with no history. Returns false if it
    /// was already tracked. Registering an outcome tracks a peer too.
    pub fn add_peer(&mut self, peer: P) -> bool {
        if self.nodes.contains_key(&peer) {
            return false;
        }
        let node =
            Node { failure: DecayingAverage::new(self.config.half_life), benched_until: None };
        self.nodes.insert(peer, node);
        true
    }

    /// Stops tracking `peer` (disconnected, forgotten); unbenches it if needed.
    pub fn remove_peer(&mut self, peer: &P) -> Option<BenchEvent<P>> {
        let node = self.nodes.remove(peer)?;
        self.expiries.cancel(peer);
        node.benched_until.map(|_| BenchEvent::Unbenched {
            peer: peer.clone(),
            failure_probability: node.p(),
            cause: UnbenchCause::Removed,
        })
    }

    /// A request to `peer` was answered in time.
    pub fn register_response(&mut self, peer: P, now: Millis) -> Vec<BenchEvent<P>> {
        self.add_peer(peer.clone());
        let node = self.nodes.get_mut(&peer).expect("tracked above");
        node.failure.observe(0.0, now);
        let p = node.p();
        if node.benched_until.is_some() && p < self.config.unbench_probability {
            self.unbench(&peer, UnbenchCause::Recovered).into_iter().collect()
        } else {
            Vec::new()
        }
    }

    /// A request to `peer` timed out or failed.
    pub fn register_failure(&mut self, peer: P, now: Millis) -> Vec<BenchEvent<P>> {
        self.add_peer(peer.clone());
        let node = self.nodes.get_mut(&peer).expect("tracked above");
        node.failure.observe(1.0, now);
        let p = node.p();
        if node.benched_until.is_some() || p <= self.config.bench_probability {
            return Vec::new();
        }
        let mut out = Vec::new();
        if self.benched_count() >= self.cap() {
            match self.least_failing_benched() {
                Some((victim, victim_p)) if victim_p < p => {
                    out.extend(self.unbench(&victim, UnbenchCause::Evicted));
                }
                _ => return out,
            }
        }
        let until = now.saturating_add(self.config.bench_duration);
        if let Some(node) = self.nodes.get_mut(&peer) {
            node.benched_until = Some(until);
        }
        self.expiries.set(peer.clone(), until);
        out.push(BenchEvent::Benched { peer, failure_probability: p, until });
        out
    }

    /// The most peers that may be benched now: `floor(max_benched_fraction * tracked)`.
    pub fn cap(&self) -> usize {
        // The epsilon keeps 0.29 * 100 (28.999...) from rounding down to 28.
        (self.config.max_benched_fraction * self.nodes.len() as f64 + 1e-9).floor() as usize
    }

    fn least_failing_benched(&self) -> Option<(P, f64)> {
        self.nodes
            .iter()
            .filter(|(_, n)| n.benched_until.is_some())
            .map(|(peer, n)| (peer, n.p()))
            // Strict `<` keeps the first in key order among equals, so eviction is deterministic.
            .fold(None, |best: Option<(&P, f64)>, (peer, p)| match best {
                Some((_, bp)) if bp <= p => best,
                _ => Some((peer, p)),
            })
            .map(|(peer, p)| (peer.clone(), p))
    }

    fn unbench(&mut self, peer: &P, cause: UnbenchCause) -> Option<BenchEvent<P>> {
        let node = self.nodes.get_mut(peer)?;
        node.benched_until.take()?;
        self.expiries.cancel(peer);
        Some(BenchEvent::Unbenched { peer: peer.clone(), failure_probability: node.p(), cause })
    }

    pub fn next_deadline(&self) -> Option<Millis> {
        self.expiries.next()
    }

    /// Unbenches the peers whose `bench_duration` ran out. Their history is kept, as in
    /// AvalancheGo: the next failure re-benches a peer that is still failing.
    pub fn handle_timeout(&mut self, now: Millis) -> Vec<BenchEvent<P>> {
        let mut out = Vec::new();
        while let Some((_, peer)) = self.expiries.pop_due(now) {
            if let Some(node) = self.nodes.get_mut(&peer) {
                if node.benched_until.take().is_some() {
                    out.push(BenchEvent::Unbenched {
                        failure_probability: node.p(),
                        peer,
                        cause: UnbenchCause::Expired,
                    });
                }
            }
        }
        out
    }

    /// Whether the host should fail requests to `peer` immediately instead of sending.
    pub fn is_benched(&self, peer: &P) -> bool {
        self.nodes.get(peer).is_some_and(|n| n.benched_until.is_some())
    }

    /// When `peer` leaves the bench at the latest, if benched.
    pub fn benched_until(&self, peer: &P) -> Option<Millis> {
        self.nodes.get(peer)?.benched_until
    }

    /// The current failure probability, or `None` before any outcome.
    pub fn failure_probability(&self, peer: &P) -> Option<f64> {
        self.nodes.get(peer)?.failure.value()
    }

    pub fn benched_count(&self) -> usize {
        self.expiries.len()
    }

    /// Benched peers in key order.
    pub fn benched(&self) -> impl Iterator<Item = &P> + '_ {
        self.nodes.iter().filter(|(_, n)| n.benched_until.is_some()).map(|(p, _)| p)
    }

    pub fn tracked(&self) -> usize {
        self.nodes.len()
    }
}

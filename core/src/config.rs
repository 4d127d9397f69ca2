//! The manager's settings: watermarks, grace and silence windows, decay resolution, the
//! outbound bonus and the bounds on remembered peers, plus one section per wired component
//! (strikes, lifecycle, backoff, benchlist, blocklist, rate limits, health, fork view). The
//! facade's defaults live here; each section's defaults live beside its component.

use serde::{Deserialize, Serialize};

use crate::backoff::BackoffConfig;
use crate::behaviour_score::BehaviourConfig;
use crate::benchlist::BenchlistConfig;
use crate::blocklist::BlocklistConfig;
pub use crate::config_error::ConfigError;
use crate::fork::{ForkConfig, ForkConfigError};
use crate::health::HealthConfig;
use crate::lifecycle::LifecycleConfig;
use crate::rate_limit::{InboundThrottleConfig, SlidingWindowConfig, UpgradeThrottleConfig};
use crate::strikes::StrikeConfig;
use crate::types::Millis;

/// Settings for [`PeerManager`](crate::PeerManager). Every duration is in milliseconds.
///
/// Build one from [`Config::default`] and override what you need; [`PeerManager::new`]
/// validates it.
///
/// [`PeerManager::new`]: crate::PeerManager::new
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Peer count a trim brings the connected set down to. Unit: peers.
    /// Example: `160` with `high_water = 192` means the 193rd peer triggers a trim that closes
    /// 33 peers (if that many are eligible).
    pub low_water: usize,
    /// Connected-peer count that may be reached but not exceeded: a new peer that makes the
    /// count strictly greater triggers a trim. Unit: peers. Must be at least 1 and at least
    /// `low_water`. Example: `192`.
    pub high_water: usize,
    /// How long a newly connected peer is immune from trimming, so it can prove itself.
    /// Unit: ms. Example: `60_000` keeps a peer connected at t = 5 000 safe until t = 65 000.
    pub grace_period: Millis,
    /// Minimum gap between two trims. A trim requested sooner is deferred to the end of the
    /// gap (see [`PeerManager::poll_timeout`](crate::PeerManager::poll_timeout)), never
    /// dropped. Unit: ms. Example: `10_000` after a trim at t = 1 000 defers a request at
    /// t = 4 000 to t = 11 000.
    pub silence_period: Millis,
    /// Granularity of the decay clock: decaying tags are visited only at multiples of this
    /// value, and each tag's interval is rounded up to a multiple of it. Unit: ms; must be at
    /// least 1. Example: `1_000` turns a 1 500 ms interval into 2 000 ms, and a tag set at
    /// t = 300 with a 1 000 ms interval first decays at t = 2 000 (1 300 rounded up).
    pub decay_resolution: Millis,
    /// Score added to a peer while at least one of its connections is outbound (we chose to
    /// dial it, so it is less likely to be an eclipse attempt). Unit: score points. Example:
    /// `10` ranks an outbound peer tagged 5 (score 15) above an inbound peer tagged 12.
    pub outbound_bonus: i64,
    /// How long the tags and protections of a disconnected (or never-connected) peer are kept
    /// so they apply again if it returns. Unit: ms. Example: `3_600_000` forgets a peer one
    /// hour after its last connection closed.
    pub retention_ms: Millis,
    /// Most disconnected or never-connected peers remembered at once; beyond it the one that
    /// has been waiting longest is forgotten first. Unit: peers. Example: `1_024`.
    pub max_retained_peers: usize,
    /// Seed of the hash used for the peer index and tag names. Core reads no OS randomness,
    /// so a caller exposed to adversarial peer ids should pass a random value here. Example:
    /// any `u64`.
    pub hash_seed: u64,
    /// Whether the manager runs each peer's lifecycle and dials peers itself: connect and
    /// handshake timeouts, `Dial` commands with reconnect backoff, the isolation reset and
    /// forgetting peers silent for `lifecycle.forget_after`. Off by default, so a host that
    /// only reports connections (a plain connection manager) sees no timeouts or dials it
    /// never asked for; a node that dials its peers turns it on. Strikes, bans, blocks, the
    /// benchlist, rate limits, health and the fork view work either way.
    pub track_lifecycle: bool,
    /// Spam strikes and soft bans (seed 003).
    pub strikes: StrikeConfig,
    /// Connect/handshake timeouts and forgetting (seed 003); used with `track_lifecycle`.
    pub lifecycle: LifecycleConfig,
    /// Reconnect backoff, dials in flight and the isolation reset (seed 003); used with
    /// `track_lifecycle`.
    pub backoff: BackoffConfig,
    /// Benching peers that keep failing requests (AvalancheGo).
    pub benchlist: BenchlistConfig,
    /// Blocklists across epochs and transport-failure health (seed 002).
    pub blocklist: BlocklistConfig,
    /// Peer-exchange requests per peer per sliding window (seed 003).
    pub peer_exchange: SlidingWindowConfig,
    /// Inbound connection upgrades per IP and globally (seed 004).
    pub upgrades: UpgradeThrottleConfig,
    /// Inbound message byte and count buckets per peer (seed 004).
    pub inbound: InboundThrottleConfig,
    /// Network health thresholds (seed 004).
    pub health: HealthConfig,
    /// The fork view (issue 6). `None`: no chain is followed and every peer counts as aligned.
    /// With a section the manager must be built with
    /// [`PeerManager::with_chain`](crate::PeerManager::with_chain), which is given our head.
    pub fork: Option<ForkConfig>,
    /// Behaviour scoring: range, thresholds, half-life, ban duration, tier deltas, weights.
    pub behaviour: BehaviourConfig,
}

impl Default for Config {
    /// go-libp2p's documented example watermarks (160/192) and grace period (one minute), its
    /// default silence period (ten seconds), a one second decay resolution (go-libp2p uses one
    /// minute, too coarse to watch in the browser demo), no outbound bonus (as in go-libp2p),
    /// and one hour / 1 024 peers of memory for departed peers.
    fn default() -> Self {
        Config {
            low_water: 160,
            high_water: 192,
            grace_period: 60_000,
            silence_period: 10_000,
            decay_resolution: 1_000,
            outbound_bonus: 0,
            retention_ms: 3_600_000,
            max_retained_peers: 1_024,
            hash_seed: 0x9e37_79b9_7f4a_7c15,
            track_lifecycle: false,
            strikes: StrikeConfig::default(),
            lifecycle: LifecycleConfig::default(),
            backoff: BackoffConfig::default(),
            benchlist: BenchlistConfig::default(),
            blocklist: BlocklistConfig::default(),
            peer_exchange: SlidingWindowConfig::default(),
            upgrades: UpgradeThrottleConfig::default(),
            inbound: InboundThrottleConfig::default(),
            health: HealthConfig::default(),
            fork: None,
            behaviour: BehaviourConfig::default(),
        }
    }
}

impl Config {
    /// Checks every field; the error names the first offending one, with its section for a
    /// component's field (`backoff.max_backoff`).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid =
            |field: &'static str, reason: String| Err(ConfigError::invalid(field, reason));
        if self.high_water == 0 {
            return invalid("high_water", "must be at least 1".into());
        }
        if self.low_water > self.high_water {
            return invalid(
                "low_water",
                format!("must not exceed high_water ({} > {})", self.low_water, self.high_water),
            );
        }
        if self.decay_resolution == 0 {
            return invalid("decay_resolution", "must be at least 1 ms".into());
        }
        let sections: [(&'static str, Result<(), ConfigError>); 10] = [
            ("behaviour", self.behaviour.validate()),
            ("strikes", self.strikes.validate()),
            ("lifecycle", self.lifecycle.validate()),
            ("backoff", self.backoff.validate()),
            ("benchlist", self.benchlist.validate()),
            ("blocklist", self.blocklist.validate()),
            ("peer_exchange", self.peer_exchange.validate()),
            ("upgrades", self.upgrades.validate()),
            ("inbound", self.inbound.validate()),
            ("health", self.health.validate()),
        ];
        for (section, result) in sections {
            result.map_err(|e| e.in_section(section))?;
        }
        if let Some(fork) = &self.fork {
            fork.validate().map_err(|e| {
                let (field, reason) = match e {
                    ForkConfigError::Zero { field } => (field, "must be greater than zero".into()),
                    e @ ForkConfigError::TreeTooSmall { .. } => ("tree_capacity", e.to_string()),
                };
                ConfigError::invalid(field, reason).in_section("fork")
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(c: Config) -> &'static str {
        match c.validate() {
            Err(ConfigError::Invalid { field, .. }) => field,
            Ok(()) => "ok",
        }
    }

    #[test]
    fn the_default_config_is_valid() {
        assert_eq!(field_of(Config::default()), "ok");
    }

    #[test]
    fn each_invalid_setting_is_refused_with_its_field_name() {
        assert_eq!(
            field_of(Config { high_water: 0, low_water: 0, ..Config::default() }),
            "high_water"
        );
        assert_eq!(
            field_of(Config { low_water: 5, high_water: 4, ..Config::default() }),
            "low_water"
        );
        assert_eq!(
            field_of(Config { decay_resolution: 0, ..Config::default() }),
            "decay_resolution"
        );
        assert_eq!(field_of(Config { low_water: 4, high_water: 4, ..Config::default() }), "ok");
    }

    #[test]
    fn a_section_field_is_refused_with_its_path() {
        let mut c = Config::default();
        c.backoff.max_backoff = 1;
        let err = c.validate().unwrap_err();
        assert_eq!(err.path(), "backoff.max_backoff");
        assert_eq!(
            err.to_string(),
            "invalid config field `backoff.max_backoff`: must be at least initial_backoff (30000 ms)"
        );
        let mut c = Config::default();
        c.strikes.threshold = 0;
        assert_eq!(c.validate().unwrap_err().path(), "strikes.threshold");
        let mut c = Config::default();
        c.benchlist.bench_probability = 2.0;
        assert_eq!(c.validate().unwrap_err().path(), "benchlist.bench_probability");
        let mut fork = crate::fork::ForkConfig::new(
            crate::fork::NetworkId(1),
            crate::fork::ForkDigest([0; 4]),
        );
        fork.gap_fill_max_blocks = 0;
        let c = Config { fork: Some(fork), ..Config::default() };
        assert_eq!(c.validate().unwrap_err().path(), "fork.gap_fill_max_blocks");
    }

    #[test]
    fn the_error_message_names_the_field() {
        let err =
            Config { low_water: 9, high_water: 3, ..Config::default() }.validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config field `low_water`: must not exceed high_water (9 > 3)"
        );
    }
}

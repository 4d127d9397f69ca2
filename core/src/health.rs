//! Network health in AvalancheGo's shape (seed 004): connected peers, time since the last
//! message received and sent, and the send-failure rate, each against a threshold.
//!
//! [`HealthTracker::health`] is a pure read at `now`. Its JSON is the seed's example response:
//!
//! ```json
//! {"healthy": true, "checks": {"network": {"message": {"connectedPeers": 45,
//!   "timeSinceLastMsgReceived": "1.2s", "timeSinceLastMsgSent": "800ms", "sendFailRate": 0.001}}}}
//! ```
//!
//! When unhealthy the network check also carries AvalancheGo's `error` string listing every
//! failing reason; the same reasons are available typed in [`NetworkCheck::reasons`].

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use crate::config_error::{require_nonzero, require_unit_interval, ConfigError};
use crate::ewma::DecayingAverage;
use crate::float_text::Float;
use crate::types::Millis;

/// Health thresholds. The seed names the checks but not their limits; the defaults are
/// AvalancheGo's `network-health-*` flag defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthConfig {
    /// Unhealthy below this many connected peers. 1.
    pub min_connected_peers: usize,
    /// Unhealthy if nothing was received for longer than this (ms), or ever. 60_000: a last
    /// message at t = 0 is fine at t = 60_000 and stale at 60_001.
    pub max_time_since_msg_received: Millis,
    /// The same for messages sent. 60_000.
    pub max_time_since_msg_sent: Millis,
    /// Unhealthy above this send-failure rate. 0.9.
    pub max_send_fail_rate: f64,
    /// Half-life of the send-failure average, in ms. 10_000 (see [`crate::ewma`]).
    pub send_fail_rate_half_life: Millis,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            min_connected_peers: 1,
            max_time_since_msg_received: 60_000,
            max_time_since_msg_sent: 60_000,
            max_send_fail_rate: 0.9,
            send_fail_rate_half_life: 10_000,
        }
    }
}

impl HealthConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        require_unit_interval("max_send_fail_rate", self.max_send_fail_rate)?;
        require_nonzero("send_fail_rate_half_life", self.send_fail_rate_half_life)
    }
}

/// One failing check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UnhealthyReason {
    TooFewPeers { connected: usize, min: usize },
    NoMessageReceived,
    LastReceivedTooLongAgo { since: Millis, max: Millis },
    NoMessageSent,
    LastSentTooLongAgo { since: Millis, max: Millis },
    SendFailRateTooHigh { rate: f64, max: f64 },
}

impl fmt::Display for UnhealthyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnhealthyReason::TooFewPeers { connected, min } => {
                write!(f, "not connected to a minimum of {min} peer(s) only {connected}")
            }
            UnhealthyReason::NoMessageReceived => f.write_str("no messages received from network"),
            UnhealthyReason::LastReceivedTooLongAgo { since, max } => write!(
                f,
                "no messages from network received in {} > {}",
                go_duration(*since),
                go_duration(*max)
            ),
            UnhealthyReason::NoMessageSent => f.write_str("no messages sent to network"),
            UnhealthyReason::LastSentTooLongAgo { since, max } => write!(
                f,
                "no messages sent to network in {} > {}",
                go_duration(*since),
                go_duration(*max)
            ),
            UnhealthyReason::SendFailRateTooHigh { rate, max } => {
                write!(f, "messages failure send rate {} > {}", Float(*rate), Float(*max))
            }
        }
    }
}

/// The numbers, as the seed's `message` object (camelCase, durations as Go duration strings).
/// A time since a message that never happened is left out, as AvalancheGo does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkHealthDetails {
    pub connected_peers: usize,
    #[serde(serialize_with = "ser_go_duration", skip_serializing_if = "Option::is_none")]
    pub time_since_last_msg_received: Option<Millis>,
    #[serde(serialize_with = "ser_go_duration", skip_serializing_if = "Option::is_none")]
    pub time_since_last_msg_sent: Option<Millis>,
    pub send_fail_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkCheck {
    pub message: NetworkHealthDetails,
    /// AvalancheGo's error text, present only when unhealthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The failing checks, typed; empty when healthy. Not in the JSON (the `error` says it).
    #[serde(skip)]
    pub reasons: Vec<UnhealthyReason>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthChecks {
    pub network: NetworkCheck,
}

/// The seed's health response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthReport {
    pub healthy: bool,
    pub checks: HealthChecks,
}

impl HealthReport {
    pub fn reasons(&self) -> &[UnhealthyReason] {
        &self.checks.network.reasons
    }
}

/// Collects what health needs from the host's traffic.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HealthTracker {
    config: HealthConfig,
    connected_peers: usize,
    last_received: Option<Millis>,
    last_sent: Option<Millis>,
    send_fail: DecayingAverage,
}

impl HealthTracker {
    /// Starts with a send-failure rate of 0 at `now`, weighted as one observation, as
    /// AvalancheGo seeds its averager, so the first failed send reads 0.5 rather than 1.
    pub fn new(config: HealthConfig, now: Millis) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut send_fail = DecayingAverage::new(config.send_fail_rate_half_life);
        send_fail.observe(0.0, now);
        Ok(HealthTracker {
            config,
            connected_peers: 0,
            last_received: None,
            last_sent: None,
            send_fail,
        })
    }

    pub fn config(&self) -> &HealthConfig {
        &self.config
    }

    pub fn set_connected_peers(&mut self, count: usize) {
        self.connected_peers = count;
    }

    pub fn message_received(&mut self, now: Millis) {
        self.last_received = Some(self.last_received.map_or(now, |t| t.max(now)));
    }

    /// A message went out successfully.
    pub fn message_sent(&mut self, now: Millis) {
        self.last_sent = Some(self.last_sent.map_or(now, |t| t.max(now)));
        self.send_fail.observe(0.0, now);
    }

    /// A send failed (queue full, connection gone, benched peer).
    pub fn send_failed(&mut self, now: Millis) {
        self.send_fail.observe(1.0, now);
    }

    pub fn send_fail_rate(&self) -> f64 {
        self.send_fail.value().unwrap_or(0.0)
    }

    pub fn health(&self, now: Millis) -> HealthReport {
        let c = &self.config;
        let mut reasons = Vec::new();
        if self.connected_peers < c.min_connected_peers {
            reasons.push(UnhealthyReason::TooFewPeers {
                connected: self.connected_peers,
                min: c.min_connected_peers,
            });
        }
        let since_received = self.last_received.map(|t| now.saturating_sub(t));
        match since_received {
            None => reasons.push(UnhealthyReason::NoMessageReceived),
            Some(since) if since > c.max_time_since_msg_received => {
                reasons.push(UnhealthyReason::LastReceivedTooLongAgo {
                    since,
                    max: c.max_time_since_msg_received,
                })
            }
            Some(_) => {}
        }
        let since_sent = self.last_sent.map(|t| now.saturating_sub(t));
        match since_sent {
            None => reasons.push(UnhealthyReason::NoMessageSent),
            Some(since) if since > c.max_time_since_msg_sent => {
                reasons.push(UnhealthyReason::LastSentTooLongAgo {
                    since,
                    max: c.max_time_since_msg_sent,
                })
            }
            Some(_) => {}
        }
        let rate = self.send_fail_rate();
        if rate > c.max_send_fail_rate {
            reasons.push(UnhealthyReason::SendFailRateTooHigh { rate, max: c.max_send_fail_rate });
        }
        let healthy = reasons.is_empty();
        let error = (!healthy).then(|| {
            let list: Vec<String> = reasons.iter().map(ToString::to_string).collect();
            format!("network layer is unhealthy reason: {}", list.join(", "))
        });
        HealthReport {
            healthy,
            checks: HealthChecks {
                network: NetworkCheck {
                    message: NetworkHealthDetails {
                        connected_peers: self.connected_peers,
                        time_since_last_msg_received: since_received,
                        time_since_last_msg_sent: since_sent,
                        send_fail_rate: rate,
                    },
                    error,
                    reasons,
                },
            },
        }
    }
}

/// Formats milliseconds the way Go's `time.Duration.String()` does at millisecond resolution:
/// `0s`, `800ms`, `1.2s`, `1m0s`, `1h2m3.5s`.
pub fn go_duration(ms: Millis) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    if ms < 1_000 {
        return format!("{ms}ms");
    }
    let hours = ms / 3_600_000;
    let minutes = ms / 60_000 % 60;
    let secs = ms / 1_000 % 60;
    let frac = ms % 1_000;
    let mut seconds = secs.to_string();
    if frac != 0 {
        let digits = format!("{frac:03}");
        seconds.push('.');
        seconds.push_str(digits.trim_end_matches('0'));
    }
    if hours > 0 {
        format!("{hours}h{minutes}m{seconds}s")
    } else if minutes > 0 {
        format!("{minutes}m{seconds}s")
    } else {
        format!("{seconds}s")
    }
}

fn ser_go_duration<S: Serializer>(ms: &Option<Millis>, s: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => s.serialize_str(&go_duration(*ms)),
        None => s.serialize_none(),
    }
}

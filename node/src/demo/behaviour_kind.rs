//! What a demo peer does to the peers that manage it.

use std::fmt;

/// One demo peer's behaviour. Each kind names itself in the peer's agent version
/// (`peerkeeper-demo/<version> (<kind>)`) and in `/bootstrap.json`.
///
/// Kinds that need the `/peerkeeper/status/1` protocol (spamming malformed status, following a
/// minority fork after a scripted split, announcing an irrelevant network) join this enum once
/// that protocol exists; every `match` on it is exhaustive so adding one shows where it acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BehaviourKind {
    /// Stays up, answers pings at once, keeps its connections.
    Honest,
    /// Answers every ping [`SLOW_PING_DELAY`](super::slow_ping::SLOW_PING_DELAY) late, so its
    /// RTT stands out; otherwise like `Honest`.
    Slow,
    /// Its listeners go away and come back on a [`FlapSchedule`](super::flap_schedule::FlapSchedule):
    /// while down it closes every connection and accepts none, so managing peers see
    /// disconnects and must reconnect with backoff.
    Flapping,
}

impl BehaviourKind {
    /// The name shown in agent versions and `/bootstrap.json`.
    pub fn name(self) -> &'static str {
        match self {
            BehaviourKind::Honest => "honest",
            BehaviourKind::Slow => "slow",
            BehaviourKind::Flapping => "flapping",
        }
    }

    /// `peerkeeper-demo/<version> (<kind>)`.
    pub fn agent_version(self) -> String {
        format!("{} ({})", peerkeeper_net::agent_version("demo"), self.name())
    }
}

impl fmt::Display for BehaviourKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_version_names_demo_crate_version_and_kind() {
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            BehaviourKind::Honest.agent_version(),
            format!("peerkeeper-demo/{version} (honest)")
        );
        assert_eq!(
            BehaviourKind::Slow.agent_version(),
            format!("peerkeeper-demo/{version} (slow)")
        );
        assert_eq!(
            BehaviourKind::Flapping.agent_version(),
            format!("peerkeeper-demo/{version} (flapping)")
        );
    }
}

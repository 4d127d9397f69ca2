//! What a demo peer does to the peers that manage it.

use std::fmt;

/// One demo peer's behaviour. Each kind names itself in the peer's agent version
/// (`peerkeeper-demo/<version> (<kind>)`) and in `/bootstrap.json`.
/// Every `match` on it is exhaustive, so adding a kind shows where it acts.
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
    /// Speaks no peerkeeper protocol itself; opens `/peerkeeper/status/3` streams to every
    /// peer connected to it and sends garbage and oversized frames, each a spam strike there.
    Spamming,
    /// Follows the chain until the scripted split, then extends a branch of its own and says
    /// it is on a minority fork: once its LIB leaves our chain it loses alignment.
    MinorityFork,
    /// Announces a chain of another network id, so managing peers drop it with
    /// `irrelevant_network`.
    IrrelevantNetwork,
}

impl BehaviourKind {
    /// The name shown in agent versions and `/bootstrap.json`.
    pub fn name(self) -> &'static str {
        match self {
            BehaviourKind::Honest => "honest",
            BehaviourKind::Slow => "slow",
            BehaviourKind::Flapping => "flapping",
            BehaviourKind::Spamming => "spamming",
            BehaviourKind::MinorityFork => "minority_fork",
            BehaviourKind::IrrelevantNetwork => "irrelevant_network",
        }
    }

    /// Whether it runs the peerkeeper protocols (status, headers, peer exchange).
    pub fn speaks_peerkeeper(self) -> bool {
        !matches!(self, BehaviourKind::Spamming)
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
        assert_eq!(
            BehaviourKind::MinorityFork.agent_version(),
            format!("peerkeeper-demo/{version} (minority_fork)")
        );
    }
}

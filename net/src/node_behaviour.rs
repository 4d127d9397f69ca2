//! The behaviour every peerkeeper node runs: identify (agent versions, listen addresses) and
//! ping (liveness and RTT).

use std::time::Duration;

use libp2p::{identify, identity::PublicKey, ping, swarm::NetworkBehaviour};

use crate::identity_info::{agent_version, PROTOCOL_VERSION};

#[derive(NetworkBehaviour)]
pub struct NodeBehaviour {
    pub identify: identify::Behaviour,
    pub ping: ping::Behaviour,
}

impl NodeBehaviour {
    /// `kind` names the node in its agent version (`node`, `browser`, `demo`);
    /// `ping_interval` is how often each connection is pinged.
    pub fn new(public_key: PublicKey, kind: &str, ping_interval: Duration) -> Self {
        let identify = identify::Behaviour::new(
            identify::Config::new(PROTOCOL_VERSION.to_string(), public_key)
                .with_agent_version(agent_version(kind)),
        );
        let ping = ping::Behaviour::new(ping::Config::new().with_interval(ping_interval));
        NodeBehaviour { identify, ping }
    }
}

//! peerkeeper-net: the rust-libp2p boundary of peerkeeper.
//!
//! Holds what native and browser nodes share: the swarm behaviour they compose and the
//! identify strings that tell peers who we are. Builds for native and wasm32 alike.

pub mod codec;
pub mod connection_manager;
pub mod fuzzing;
pub mod headers_protocol;
pub mod identity_info;
pub mod node_behaviour;
pub mod peer_exchange;
pub mod peerkeeper_behaviour;
pub mod status_protocol;
pub mod status_stream;
pub mod transport_name;
#[cfg(not(target_arch = "wasm32"))]
pub mod webtransport;

pub use identity_info::{agent_version, PROTOCOL_VERSION};
pub use node_behaviour::{NodeBehaviour, NodeBehaviourEvent};
pub use transport_name::{browser_dialable, transport_name};

//! What the browser light peer reports. Plain data, compiled on every target so UIs can be
//! tested natively against it.

use serde::{Deserialize, Serialize};

/// One thing that happened to the light peer, in the order it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LightPeerEvent {
    Dialing {
        address: String,
    },
    /// `address` is empty when the swarm did not say which address failed.
    DialFailed {
        address: String,
        error: String,
    },
    Connected {
        peer_id: String,
        transport: String,
        address: String,
    },
    Disconnected {
        peer_id: String,
        transport: String,
        cause: Option<String>,
    },
    Identified {
        peer_id: String,
        agent_version: String,
        protocol_version: String,
    },
    Ping {
        peer_id: String,
        rtt_ms: f64,
    },
    /// The engine trimmed: `entries` holds every peer counted, with its verdict (names as in
    /// `peerkeeper_core::Verdict`), the closed ones first in closing order, then the kept.
    Trimmed {
        at_ms: u64,
        trigger: String,
        connected: usize,
        target: usize,
        shortfall: usize,
        entries: Vec<TrimEntryView>,
    },
}

/// One peer's line in a trim, as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrimEntryView {
    pub peer_id: String,
    pub score: f64,
    pub rank: Option<u32>,
    pub verdict: String,
    pub closed: bool,
}

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
    /// The engine is closing the peer, and why (`DisconnectReason` names: `irrelevant_network`,
    /// `unviable_fork`, `banned`, `too_many_peers` ...). The `Disconnected` follows.
    Dropped {
        peer_id: String,
        reason: String,
        at_ms: u64,
    },
    /// A peer told us its chain (`/peerkeeper/status/1`), on connect and on every change.
    PeerStatus {
        peer_id: String,
        status: StatusView,
    },
    /// Whether blocks may flow with the peer changed; `why` is `handshake`, `block_applied`,
    /// `forward_transition` or `fork_mismatch`.
    AlignmentChanged {
        peer_id: String,
        aligned: bool,
        why: String,
        at_ms: u64,
    },
    /// Our own chain view changed: a block applied, LIB advanced, fork status or node mode.
    LocalStatus {
        status: StatusView,
        at_ms: u64,
    },
    /// A spam strike: `kind` as in `peerkeeper_core::strikes::StrikeKind` (`deserialization`,
    /// `protocol_violation` ...); `strikes` is the count after it, `threshold` the ban count.
    Struck {
        peer_id: String,
        kind: String,
        counted: bool,
        strikes: u32,
        threshold: u32,
        at_ms: u64,
    },
    /// Soft-banned until `until_ms` (engine clock): disconnected and refused meanwhile.
    SoftBanned {
        peer_id: String,
        reason: String,
        until_ms: u64,
        at_ms: u64,
    },
    BanExpired {
        peer_id: String,
        at_ms: u64,
    },
    /// The engine will redial the peer at `due_ms`, `backoff_ms` after `at_ms`, following its
    /// `failures`-th failure since the last reset (0 for the first wait after a disconnect).
    DialScheduled {
        peer_id: String,
        due_ms: u64,
        backoff_ms: u64,
        failures: u32,
        at_ms: u64,
    },
    /// A dial to a known peer started (the engine's redials, and dials by peer id).
    DialStarted {
        peer_id: String,
        at_ms: u64,
    },
    /// Peer exchange: `from` told us these dialable addresses (each with `/p2p/<id>`).
    PeersLearned {
        from: String,
        addresses: Vec<String>,
    },
    /// A stored engine snapshot was brought back (page reload): every peer it knew, none of
    /// them connected yet.
    Restored {
        peers: Vec<RestoredPeerView>,
    },
}

/// One peer of a restored snapshot, as the page shows it before any reconnect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoredPeerView {
    pub peer_id: String,
    pub score: f64,
    pub protected: bool,
    /// Why it was last disconnected (snake case), if it was.
    pub reason: Option<String>,
    /// Behaviour ban or soft ban end (engine ms), if banned.
    pub banned_until_ms: Option<u64>,
    pub agent_version: Option<String>,
}

/// A chain status as the page shows it: block ids as hex, labels in snake case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusView {
    pub network_id: u64,
    /// 8 hex digits.
    pub fork_digest: String,
    pub head: u64,
    /// 64 hex digits.
    pub head_id: String,
    pub lib: u64,
    /// `normal`, `looking` or `minority`.
    pub fork_status: String,
    /// `sync` or `forward`.
    pub node_mode: String,
}

impl StatusView {
    pub fn new(status: &peerkeeper_core::fork::ChainStatus) -> Self {
        StatusView {
            network_id: status.network_id.0,
            fork_digest: status.fork_digest.0.iter().map(|b| format!("{b:02x}")).collect(),
            head: status.head.number,
            head_id: status.head.id.to_string(),
            lib: status.lib.number,
            fork_status: label(&status.fork_status),
            node_mode: label(&status.node_mode),
        }
    }
}

/// The serde name of a unit enum variant (`ForkStatus::Minority` -> `minority`).
pub fn label<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
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

/// Where the page's light node starts following a chain: `/bootstrap.json`'s `chain` (block
/// ids and the digest as hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainStartView {
    pub network_id: peerkeeper_core::fork::NetworkId,
    pub fork_digest: peerkeeper_core::fork::ForkDigest,
    pub head: peerkeeper_core::fork::Header,
    pub lib: peerkeeper_core::fork::BlockRef,
}

#[cfg(test)]
mod tests {
    use peerkeeper_core::fork::{
        BlockId, BlockRef, ChainStatus, ForkDigest, ForkStatus, NetworkId, NodeMode,
    };

    use super::*;

    #[test]
    fn a_status_view_carries_hex_ids_and_snake_case_labels() {
        let status = ChainStatus {
            network_id: NetworkId(7),
            fork_digest: ForkDigest([0x70, 0x6b, 0, 1]),
            head: BlockRef { number: 12, id: BlockId([0xab; 32]) },
            lib: BlockRef { number: 9, id: BlockId([1; 32]) },
            range: None,
            node_mode: NodeMode::Forward,
            fork_status: ForkStatus::Minority,
            emergency: false,
            emergency_key: false,
        };
        let view = StatusView::new(&status);
        assert_eq!(view.fork_digest, "706b0001");
        assert_eq!(view.head_id, "ab".repeat(32));
        assert_eq!((view.head, view.lib), (12, 9));
        assert_eq!((view.fork_status.as_str(), view.node_mode.as_str()), ("minority", "forward"));
        let json =
            serde_json::to_value(LightPeerEvent::LocalStatus { status: view, at_ms: 5 }).unwrap();
        assert_eq!(json["type"], "local_status");
        assert_eq!(json["status"]["fork_status"], "minority");
    }
}

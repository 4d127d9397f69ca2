//! What operators and tools see about peers: the beacon-API `NodePeer` with seed 000's
//! extension, and Lodestar's per-peer score stats. Plain serde types, snake_case, fields
//! without data omitted so consumers of the base schema see no change.

use serde::Serialize;

use crate::downscore_reason::DownscoreReason;
use crate::reasons::DisconnectReason;
use crate::types::{Direction, Millis};

/// A peer's connection state in the beacon-API vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerState {
    Connected,
    /// Dialling, not yet connected. The manager learns of connections only once they are
    /// open, so it never reports this state itself; hosts that track dials may.
    Connecting,
    Disconnected,
    /// We asked for the peer's connections to close (a trim, a bad score, a ban, a goodbye
    /// we sent) and they have not all closed yet.
    Disconnecting,
}

impl PeerState {
    pub fn as_str(self) -> &'static str {
        match self {
            PeerState::Connected => "connected",
            PeerState::Connecting => "connecting",
            PeerState::Disconnected => "disconnected",
            PeerState::Disconnecting => "disconnecting",
        }
    }
}

/// One peer as `GET /eth/v1/node/peers` shows it, with the peer-scoring extension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodePeer<P> {
    pub peer_id: P,
    /// Always null: the engine knows no ENRs (the field is required and nullable).
    pub enr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen_p2p_address: Option<String>,
    pub state: PeerState,
    /// The direction of the peer's oldest open connection; omitted without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_version: Option<String>,
    /// The total score trimming ranks by.
    pub score: f64,
    /// Only while `state` is `disconnected` or `disconnecting`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disconnect_reason: Option<DisconnectReason>,
    /// The vocabulary entry of the last explicit report; omitted when there was none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub downscore_reasons: Vec<DownscoreReason>,
}

/// One peer's score parts (Lodestar's `lodestar_peer_score_stats`, with the seed's
/// last-action fields).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreStat<P> {
    pub peer_id: P,
    /// The decayed behaviour score, unweighted.
    pub behaviour_score: f64,
    /// The host's application score as set, unweighted.
    pub application_score: f64,
    /// Static plus decaying tags, plus the outbound bonus while connected outbound.
    pub tag_score: f64,
    /// The total: tags + weighted behaviour + weighted application.
    pub score: f64,
    /// The name given to the last explicit report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_action_name: Option<String>,
    /// Its change to the behaviour score after clamping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_action_delta: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_action_time: Option<Millis>,
    /// When the current ban ends; omitted when not banned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banned_until: Option<Millis>,
}

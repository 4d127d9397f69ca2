//! The answer to "may this peer connect?" when it is no: the libp2p layer turns it into a
//! `ConnectionDenied` for the swarm, the JS layer into an error naming the reason.

use serde::Serialize;
use thiserror::Error;

use crate::reasons::DisconnectReason;
use crate::types::Millis;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Error)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConnectionDenied {
    /// The peer is banned until `until` (exclusive).
    #[error("peer is banned until {until} ms ({reason})")]
    Banned { until: Millis, reason: DisconnectReason },
    /// Soft-banned for spam strikes (or by an operator) until `until` (exclusive).
    #[error("peer is soft-banned until {until} ms: {reason}")]
    SoftBanned { until: Millis, reason: String },
    /// On the blocklist until a probe passes, it reconnects, or an epoch drops it.
    #[error("peer is blocked: {reason}")]
    Blocked { reason: String },
}

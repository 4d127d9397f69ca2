//! The answer to "may this peer connect?" when it is no: the libp2p layer turns it into a
//! `ConnectionDenied` for the swarm, the JS layer into an error naming the reason.

use serde::Serialize;
use thiserror::Error;

use crate::reasons::DisconnectReason;
use crate::types::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Error)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConnectionDenied {
    /// The peer is banned until `until` (exclusive).
    #[error("peer is banned until {until} ms ({reason})")]
    Banned { until: Millis, reason: DisconnectReason },
}

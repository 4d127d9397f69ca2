//! Small shared types: time, connection direction and ids.

use serde::{Deserialize, Serialize};

/// Milliseconds from an arbitrary epoch chosen by the caller. Core never reads a clock: every
/// time-dependent call takes `now: Millis`, so behaviour is replayable to the millisecond.
pub type Millis = u64;

/// Which side opened a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// A connection id chosen by the caller, unique among that caller's live connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConnId(pub u64);

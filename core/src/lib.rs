//! peerkeeper-core: a sans-I/O peer management engine.
//!
//! The engine never reads a clock, spawns a task or touches a socket. The caller reports what
//! happened and when (`now`, milliseconds from any epoch) and drains what to do.

pub mod backoff;
pub mod benchlist;
pub mod blocklist;
pub mod config_error;
pub mod deadlines;
pub mod ewma;
pub mod health;
pub mod lifecycle;
pub mod peer_key;
pub mod rate_limit;
pub mod reasons;
pub mod strikes;
pub mod types;

pub use reasons::DisconnectReason;
pub use types::{ConnId, Direction, Millis};

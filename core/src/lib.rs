//! peerkeeper-core: a sans-I/O peer management engine.
//!
//! The engine never reads a clock, spawns a task or touches a socket. The caller reports what
//! happened and when (`now`, milliseconds from any epoch) and drains what to do.

pub mod fork;
pub mod reasons;
pub mod types;

pub use reasons::DisconnectReason;
pub use types::{ConnId, Direction, Millis};

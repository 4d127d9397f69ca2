//! peerkeeper-core: a sans-I/O peer management engine.
//!
//! The engine never reads a clock, spawns a task or touches a socket. The caller reports what
//! happened and when (`now`, milliseconds from any epoch) and drains what to do. Start with
//! [`PeerManager`], whose doc states the drive loop.

pub mod config;
mod decay_schedule;
pub mod events;
mod hash;
mod manager;
mod peer_book;
mod protection;
pub mod reasons;
mod score;
pub mod tags;
mod trim;
pub mod types;

pub use config::{Config, ConfigError};
pub use events::{Command, Event, TrimEntry, TrimReport, TrimTrigger, Verdict};
pub use manager::PeerManager;
pub use reasons::DisconnectReason;
pub use tags::{BumpFn, CustomDecay, DecayFn, RemovalCause, TagId, TagName};
pub use types::{ConnId, Direction, Millis};

//! peerkeeper-core: a sans-I/O peer management engine.
//!
//! The engine never reads a clock, spawns a task or touches a socket. The caller reports what
//! happened and when (`now`, milliseconds from any epoch) and drains what to do. Start with
//! [`PeerManager`], whose doc states the drive loop.
//!
//! Modules, one concern each:
//! - [`config`]: settings, defaults and validation;
//! - `peer_book`: peer records in a dense slab, connections, retention of departed peers;
//! - `peer_index`: the key-to-slot index that stores no second copy of the key;
//! - [`tags`]: interned names, decay and bump functions, shared decay policies;
//! - `decay_schedule`: grid-aligned buckets so a decay tick costs what is due;
//! - `protection`: named protection reasons;
//! - `score`: the one function that computes a peer's score;
//! - [`behaviour_score`]: report tiers, clamped half-life decay, bans (Lighthouse semantics);
//! - [`downscore_reason`] / [`reasons`]: the controlled downscore and disconnect vocabularies;
//! - [`disconnect_record`]: the bounded last-disconnect record per peer;
//! - [`views`]: the beacon-API `NodePeer` and score-stats views;
//! - `trim`: victim selection (linear-time radix sort) and the trim report;
//! - [`events`]: commands and events, serializable for the JS side;
//! - `manager`: the [`PeerManager`] facade wiring them together;
//! - `manager_behaviour`: issue 4's reports, behaviour bans, goodbyes and peer views;
//! - `manager_defence`: issue 5's components (strikes, lifecycle, backoff, benchlist,
//!   blocklist, rate limits, health) wired into the facade;
//! - `manager_fork`: issue 6's fork view wired into the facade, and the stats lines;
//! - [`scenarios`]: the teaching scenarios as data and the [`scenarios::Player`] that plays
//!   them (the page's teaching mode and `tests/scenarios.rs` run the same values).
//! - [`snapshot`] / `snapshot_state`: the whole state as versioned bytes, and back.
//! - [`float_text`]: floats as `{}` prints them, without core::fmt's float code in the wasm.

pub mod backoff;
pub mod behaviour_score;
pub mod benchlist;
pub mod blocklist;
pub mod config;
pub mod config_error;
pub mod connection_denied;
pub mod deadlines;
mod decay_schedule;
pub mod disconnect_record;
pub mod downscore_reason;
pub mod events;
pub mod ewma;
pub mod float_text;
pub mod fork;
mod hash;
pub mod health;
pub mod lifecycle;
mod manager;
mod manager_behaviour;
mod manager_controls;
mod manager_defence;
mod manager_fork;
mod peer_book;
mod peer_index;
pub mod peer_key;
pub mod peer_map;
mod protection;
pub mod rate_limit;
pub mod reasons;
pub mod scenarios;
mod score;
pub mod snapshot;
mod snapshot_state;
mod sorted_map;
mod stable_order;
pub mod strikes;
pub mod tags;
mod trim;
pub mod types;
pub mod views;

pub use behaviour_score::{BehaviourConfig, PeerAction};
pub use config::{Config, ConfigError};
pub use connection_denied::ConnectionDenied;
pub use disconnect_record::DisconnectRecord;
pub use downscore_reason::DownscoreReason;
pub use events::{Command, Event, TrimEntry, TrimReport, TrimTrigger, UnblockCause, Verdict};
pub use manager::PeerManager;
pub use manager_controls::TrimSettings;
pub use manager_defence::DenialReason;
pub use reasons::DisconnectReason;
pub use snapshot::SnapshotError;
pub use tags::{BumpFn, CustomDecay, DecayFn, RemovalCause, TagName};
pub use types::{ConnId, Direction, Millis};
pub use views::{NodePeer, PeerState, ScoreStat};

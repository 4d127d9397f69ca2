//! What every view renders from: one immutable frame per animation frame, built by the
//! active driver (the live light peer or the engine on a virtual clock).

use std::rc::Rc;

use peerkeeper_core::Millis;

use crate::{state_peers::PeerRow, state_trims::TrimRecord};

/// The compact status line, made visual.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Header {
    /// `live`, `teaching`, `sandbox` or `stress`.
    pub mode: String,
    /// SYNC / FORWARD and NORMAL / LOOKING / MINORITY, when the engine follows a chain.
    pub node_mode: Option<String>,
    pub fork_status: Option<String>,
    pub head: Option<u64>,
    pub lib: Option<u64>,
    pub connected: usize,
    pub low_water: usize,
    pub high_water: usize,
    pub grace_ms: Millis,
    pub silence_ms: Millis,
    pub uptime_ms: Millis,
    /// Connected peers per transport, by name.
    pub transports: Vec<(String, usize)>,
}

/// One peer's histories, for the details panel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PeerHistory {
    pub peer_id: String,
    pub score: Vec<(Millis, f64)>,
    /// Each tag's values over time, by tag name.
    pub tags: Vec<(String, Vec<(Millis, f64)>)>,
    /// Newest last.
    pub events: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    pub now: Millis,
    pub header: Header,
    pub rows: Rc<Vec<PeerRow>>,
    /// Connected count over time, oldest first.
    pub connected: Rc<Vec<(Millis, f64)>>,
    /// Newest last.
    pub trims: Rc<Vec<TrimRecord>>,
    /// Newest last.
    pub log: Rc<Vec<String>>,
    /// The selected peer's histories.
    pub selected: Option<Rc<PeerHistory>>,
    /// How many engine or light-peer events the driver has seen.
    pub events_seen: u64,
}

impl Frame {
    pub fn row(&self, peer_id: &str) -> Option<&PeerRow> {
        self.rows.iter().find(|r| r.peer_id == peer_id)
    }
}

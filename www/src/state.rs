//! The page's state and its one reducer. Pure: tested natively, no browser needed.

use std::{collections::BTreeMap, rc::Rc};

use peerkeeper_web::light_peer_event::{LightPeerEvent, StatusView, TrimEntryView};
use yew::Reducible;

/// How many log lines the page keeps; older ones fall off.
pub const LOG_CAPACITY: usize = 50;
/// How many trim reports the page keeps; older ones fall off.
pub const TRIM_CAPACITY: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct PeerRow {
    pub peer_id: String,
    pub transport: String,
    pub address: String,
    pub agent_version: Option<String>,
    pub rtt_ms: Option<f64>,
    /// Live connections to this peer; 0 means disconnected (the row stays, greyed).
    pub connections: u32,
    /// Why we dropped it, while it stays dropped: the engine's verdict for a trimmed peer.
    pub reason: Option<String>,
    /// Its chain, from its latest status (none from peers without the status protocol).
    pub status: Option<StatusView>,
    /// Whether blocks may flow with it; `None` until the engine decides.
    pub aligned: Option<bool>,
    /// Spam strikes counted since its last valid message.
    pub strikes: u32,
    /// Soft-banned until this engine time (ms); the strike count that banned it.
    pub banned: Option<(u64, u32)>,
    /// The engine's redial plan, oldest first: (scheduled at, due, backoff, failures) in ms.
    pub dials_scheduled: Vec<(u64, u64, u64, u32)>,
    /// When redials actually started (engine ms), oldest first.
    pub dials_started: Vec<u64>,
}

impl PeerRow {
    fn new(peer_id: String, transport: String, address: String) -> Self {
        PeerRow {
            peer_id,
            transport,
            address,
            agent_version: None,
            rtt_ms: None,
            connections: 0,
            reason: None,
            status: None,
            aligned: None,
            strikes: 0,
            banned: None,
            dials_scheduled: Vec::new(),
            dials_started: Vec::new(),
        }
    }
}

/// Redial records kept per peer.
pub const DIAL_HISTORY: usize = 16;

/// One trim as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrimRecord {
    pub at_ms: u64,
    pub trigger: String,
    pub connected: usize,
    pub target: usize,
    pub shortfall: usize,
    /// Closed peers first, in closing order, then the kept ones.
    pub entries: Vec<TrimEntryView>,
}

impl TrimRecord {
    pub fn closed(&self) -> usize {
        self.entries.iter().filter(|e| e.closed).count()
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveState {
    pub local_peer_id: Option<String>,
    pub start_error: Option<String>,
    pub peers: BTreeMap<String, PeerRow>,
    /// Newest last.
    pub log: Vec<String>,
    /// Newest last.
    pub trims: Vec<TrimRecord>,
    /// Our own chain view, when the light peer follows a chain.
    pub local_status: Option<StatusView>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Started { local_peer_id: String },
    StartFailed(String),
    Note(String),
    Peer(LightPeerEvent),
}

impl LiveState {
    pub fn connected_count(&self) -> usize {
        self.peers.values().filter(|p| p.connections > 0).count()
    }

    fn note(&mut self, line: String) {
        self.log.push(line);
        if self.log.len() > LOG_CAPACITY {
            let excess = self.log.len() - LOG_CAPACITY;
            self.log.drain(..excess);
        }
    }

    fn apply(&mut self, event: LightPeerEvent) {
        match event {
            LightPeerEvent::Dialing { address } => self.note(format!("dialing {address}")),
            LightPeerEvent::DialFailed { address, error } => {
                self.note(format!("dial failed {address}: {error}"))
            }
            LightPeerEvent::Connected { peer_id, transport, address } => {
                self.note(format!("connected {peer_id} over {transport}"));
                let row = self
                    .peers
                    .entry(peer_id.clone())
                    .or_insert_with(|| PeerRow::new(peer_id, transport.clone(), address.clone()));
                row.transport = transport;
                row.address = address;
                row.connections += 1;
                row.reason = None;
            }
            LightPeerEvent::Disconnected { peer_id, cause, .. } => {
                let why = cause.unwrap_or_else(|| "closed".into());
                self.note(format!("disconnected {peer_id}: {why}"));
                if let Some(row) = self.peers.get_mut(&peer_id) {
                    row.connections = row.connections.saturating_sub(1);
                    if row.connections == 0 {
                        row.rtt_ms = None;
                    }
                }
            }
            LightPeerEvent::Identified { peer_id, agent_version, .. } => {
                if let Some(row) = self.peers.get_mut(&peer_id) {
                    row.agent_version = Some(agent_version);
                }
            }
            LightPeerEvent::Ping { peer_id, rtt_ms } => {
                if let Some(row) = self.peers.get_mut(&peer_id) {
                    row.rtt_ms = Some(rtt_ms);
                }
            }
            LightPeerEvent::Trimmed { at_ms, trigger, connected, target, shortfall, entries } => {
                let record = TrimRecord { at_ms, trigger, connected, target, shortfall, entries };
                self.note(format!(
                    "trim ({}): {} connected, closed {}, target {}",
                    record.trigger,
                    record.connected,
                    record.closed(),
                    record.target
                ));
                for e in record.entries.iter().filter(|e| e.closed) {
                    if let Some(row) = self.peers.get_mut(&e.peer_id) {
                        row.reason = Some(format!("too_many_peers ({})", e.verdict));
                    }
                }
                self.trims.push(record);
                if self.trims.len() > TRIM_CAPACITY {
                    self.trims.remove(0);
                }
            }
            LightPeerEvent::Dropped { peer_id, reason, .. } => {
                self.note(format!("dropping {peer_id}: {reason}"));
                // A trim's victims already carry their verdict.
                if let Some(row) = self.peers.get_mut(&peer_id) {
                    if reason != "too_many_peers" || row.reason.is_none() {
                        row.reason = Some(reason);
                    }
                }
            }
            LightPeerEvent::PeerStatus { peer_id, status } => {
                if let Some(row) = self.peers.get_mut(&peer_id) {
                    row.status = Some(status);
                }
            }
            LightPeerEvent::AlignmentChanged { peer_id, aligned, why, .. } => {
                let verb = if aligned { "aligned" } else { "not aligned" };
                self.note(format!("{peer_id} {verb} ({why})"));
                if let Some(row) = self.peers.get_mut(&peer_id) {
                    row.aligned = Some(aligned);
                }
            }
            LightPeerEvent::LocalStatus { status, .. } => self.local_status = Some(status),
            LightPeerEvent::Struck { peer_id, strikes, .. } => {
                if let Some(row) = self.peers.get_mut(&peer_id) {
                    row.strikes = strikes;
                }
            }
            LightPeerEvent::SoftBanned { peer_id, reason, until_ms, .. } => {
                self.note(format!("soft-banned {peer_id}: {reason}"));
                if let Some(row) = self.peers.get_mut(&peer_id) {
                    row.banned = Some((until_ms, row.strikes));
                    row.reason = Some("banned".into());
                }
            }
            LightPeerEvent::BanExpired { peer_id, .. } => {
                if let Some(row) = self.peers.get_mut(&peer_id) {
                    row.banned = None;
                }
            }
            LightPeerEvent::DialScheduled { peer_id, due_ms, backoff_ms, failures, at_ms } => {
                if let Some(row) = self.peers.get_mut(&peer_id) {
                    push_bounded(&mut row.dials_scheduled, (at_ms, due_ms, backoff_ms, failures));
                }
            }
            LightPeerEvent::DialStarted { peer_id, at_ms } => {
                if let Some(row) = self.peers.get_mut(&peer_id) {
                    push_bounded(&mut row.dials_started, at_ms);
                }
            }
            LightPeerEvent::PeersLearned { from, addresses } => {
                self.note(format!("{from} shared {} peers", addresses.len()));
            }
        }
    }
}

fn push_bounded<T>(list: &mut Vec<T>, item: T) {
    list.push(item);
    if list.len() > DIAL_HISTORY {
        list.remove(0);
    }
}

impl Reducible for LiveState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Started { local_peer_id } => next.local_peer_id = Some(local_peer_id),
            Action::StartFailed(e) => next.start_error = Some(e),
            Action::Note(line) => next.note(line),
            Action::Peer(event) => next.apply(event),
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(state: LiveState, action: Action) -> LiveState {
        (*Rc::new(state).reduce(action)).clone()
    }

    fn connected(id: &str, transport: &str) -> Action {
        Action::Peer(LightPeerEvent::Connected {
            peer_id: id.into(),
            transport: transport.into(),
            address: format!("/ip4/127.0.0.1/{transport}"),
        })
    }

    #[test]
    fn connect_identify_and_ping_fill_one_row() {
        let mut s = LiveState::default();
        s = reduce(s, connected("A", "webrtc-direct"));
        s = reduce(
            s,
            Action::Peer(LightPeerEvent::Identified {
                peer_id: "A".into(),
                agent_version: "peerkeeper-node/0.1.0".into(),
                protocol_version: "/peerkeeper/1.0.0".into(),
            }),
        );
        s = reduce(s, Action::Peer(LightPeerEvent::Ping { peer_id: "A".into(), rtt_ms: 3.5 }));
        let row = &s.peers["A"];
        assert_eq!(row.transport, "webrtc-direct");
        assert_eq!(row.agent_version.as_deref(), Some("peerkeeper-node/0.1.0"));
        assert_eq!(row.rtt_ms, Some(3.5));
        assert_eq!(row.connections, 1);
        assert_eq!(s.connected_count(), 1);
        assert_eq!(s.log, vec!["connected A over webrtc-direct".to_string()]);
    }

    #[test]
    fn a_disconnected_peer_stays_listed_with_no_connections_and_no_rtt() {
        let mut s = reduce(LiveState::default(), connected("A", "websocket"));
        s = reduce(s, Action::Peer(LightPeerEvent::Ping { peer_id: "A".into(), rtt_ms: 1.0 }));
        s = reduce(
            s,
            Action::Peer(LightPeerEvent::Disconnected {
                peer_id: "A".into(),
                transport: "websocket".into(),
                cause: None,
            }),
        );
        assert_eq!(s.peers["A"].connections, 0);
        assert_eq!(s.peers["A"].rtt_ms, None);
        assert_eq!(s.connected_count(), 0);
        assert_eq!(s.log.last().unwrap(), "disconnected A: closed");
    }

    #[test]
    fn events_for_unknown_peers_create_no_rows() {
        let s = reduce(
            LiveState::default(),
            Action::Peer(LightPeerEvent::Ping { peer_id: "ghost".into(), rtt_ms: 1.0 }),
        );
        assert!(s.peers.is_empty());
    }

    fn entry(id: &str, verdict: &str, closed: bool, rank: Option<u32>) -> TrimEntryView {
        TrimEntryView { peer_id: id.into(), score: 0.0, rank, verdict: verdict.into(), closed }
    }

    fn trimmed(at_ms: u64, entries: Vec<TrimEntryView>) -> Action {
        Action::Peer(LightPeerEvent::Trimmed {
            at_ms,
            trigger: "high_water_crossed".into(),
            connected: entries.len(),
            target: 1,
            shortfall: 0,
            entries,
        })
    }

    #[test]
    fn a_trim_is_recorded_and_its_victims_keep_the_reason_until_they_reconnect() {
        let mut s = reduce(LiveState::default(), connected("A", "websocket"));
        s = reduce(s, connected("B", "websocket"));
        s = reduce(
            s,
            trimmed(
                5,
                vec![
                    entry("A", "closed_tie_oldest", true, Some(1)),
                    entry("B", "kept_in_grace", false, None),
                ],
            ),
        );
        assert_eq!(s.trims.len(), 1);
        assert_eq!(s.trims[0].closed(), 1);
        assert_eq!(s.peers["A"].reason.as_deref(), Some("too_many_peers (closed_tie_oldest)"));
        assert_eq!(s.peers["B"].reason, None);
        assert_eq!(
            s.log.last().unwrap(),
            "trim (high_water_crossed): 2 connected, closed 1, target 1"
        );
        s = reduce(s, connected("A", "webrtc-direct"));
        assert_eq!(s.peers["A"].reason, None);
    }

    #[test]
    fn strikes_a_ban_alignment_and_redials_land_on_the_peer_row() {
        let mut s = reduce(LiveState::default(), connected("S", "websocket"));
        for strikes in 1..=10 {
            s = reduce(
                s,
                Action::Peer(LightPeerEvent::Struck {
                    peer_id: "S".into(),
                    kind: "deserialization".into(),
                    counted: true,
                    strikes,
                    threshold: 10,
                    at_ms: u64::from(strikes),
                }),
            );
        }
        s = reduce(
            s,
            Action::Peer(LightPeerEvent::SoftBanned {
                peer_id: "S".into(),
                reason: "spam".into(),
                until_ms: 3_600_010,
                at_ms: 10,
            }),
        );
        assert_eq!(s.peers["S"].banned, Some((3_600_010, 10)));
        assert_eq!(s.peers["S"].reason.as_deref(), Some("banned"));
        s = reduce(
            s,
            Action::Peer(LightPeerEvent::AlignmentChanged {
                peer_id: "S".into(),
                aligned: false,
                why: "fork_mismatch".into(),
                at_ms: 11,
            }),
        );
        assert_eq!(s.peers["S"].aligned, Some(false));
        s = reduce(
            s,
            Action::Peer(LightPeerEvent::DialScheduled {
                peer_id: "S".into(),
                due_ms: 2_011,
                backoff_ms: 2_000,
                failures: 0,
                at_ms: 11,
            }),
        );
        s = reduce(
            s,
            Action::Peer(LightPeerEvent::DialStarted { peer_id: "S".into(), at_ms: 2_012 }),
        );
        assert_eq!(s.peers["S"].dials_scheduled, vec![(11, 2_011, 2_000, 0)]);
        assert_eq!(s.peers["S"].dials_started, vec![2_012]);
    }

    #[test]
    fn a_drop_names_its_reason_but_a_trim_keeps_its_verdict() {
        let mut s = reduce(LiveState::default(), connected("I", "websocket"));
        s = reduce(
            s,
            Action::Peer(LightPeerEvent::Dropped {
                peer_id: "I".into(),
                reason: "irrelevant_network".into(),
                at_ms: 1,
            }),
        );
        assert_eq!(s.peers["I"].reason.as_deref(), Some("irrelevant_network"));
        s = reduce(s, connected("T", "websocket"));
        s = reduce(s, trimmed(2, vec![entry("T", "closed_lowest_score", true, Some(1))]));
        s = reduce(
            s,
            Action::Peer(LightPeerEvent::Dropped {
                peer_id: "T".into(),
                reason: "too_many_peers".into(),
                at_ms: 2,
            }),
        );
        assert_eq!(s.peers["T"].reason.as_deref(), Some("too_many_peers (closed_lowest_score)"));
    }

    #[test]
    fn only_the_newest_trims_are_kept() {
        let mut s = LiveState::default();
        for i in 0..TRIM_CAPACITY as u64 + 3 {
            s = reduce(s, trimmed(i, vec![]));
        }
        assert_eq!(s.trims.len(), TRIM_CAPACITY);
        assert_eq!(s.trims[0].at_ms, 3);
    }

    #[test]
    fn the_log_keeps_only_the_newest_lines() {
        let mut s = LiveState::default();
        for i in 0..LOG_CAPACITY + 5 {
            s = reduce(s, Action::Note(format!("line {i}")));
        }
        assert_eq!(s.log.len(), LOG_CAPACITY);
        assert_eq!(s.log[0], "line 5");
        assert_eq!(s.log.last().unwrap(), &format!("line {}", LOG_CAPACITY + 4));
    }
}

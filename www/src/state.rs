//! The page's state and its one reducer. Pure: tested natively, no browser needed.

use std::{collections::BTreeMap, rc::Rc};

use peerkeeper_web::light_peer_event::LightPeerEvent;
use yew::Reducible;

/// How many log lines the page keeps; older ones fall off.
pub const LOG_CAPACITY: usize = 50;

#[derive(Debug, Clone, PartialEq)]
pub struct PeerRow {
    pub peer_id: String,
    pub transport: String,
    pub address: String,
    pub agent_version: Option<String>,
    pub rtt_ms: Option<f64>,
    /// Live connections to this peer; 0 means disconnected (the row stays, greyed).
    pub connections: u32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LiveState {
    pub local_peer_id: Option<String>,
    pub start_error: Option<String>,
    pub peers: BTreeMap<String, PeerRow>,
    /// Newest last.
    pub log: Vec<String>,
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
                let row = self.peers.entry(peer_id.clone()).or_insert_with(|| PeerRow {
                    peer_id,
                    transport: transport.clone(),
                    address: address.clone(),
                    agent_version: None,
                    rtt_ms: None,
                    connections: 0,
                });
                row.transport = transport;
                row.address = address;
                row.connections += 1;
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
        }
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

//! A tiny simulated host around a `PeerManager`: it plays the caller's part (carries out
//! `Disconnect` commands by closing every connection of the peer) and owns the injected
//! clock, which it moves by jumping straight from one `poll_timeout()` to the next. No sleeps,
//! no sockets.
#![allow(dead_code)]

pub mod soak;
pub mod tutorial;

use std::collections::BTreeMap;

use peerkeeper_core::{Command, Config, ConnId, Direction, Event, Millis, PeerManager};

/// The seed's host settings: lowWater 2, highWater 3, grace 100 ms, silence 50 ms, decay
/// resolution 50 ms.
pub fn seed_config() -> Config {
    Config {
        low_water: 2,
        high_water: 3,
        grace_period: 100,
        silence_period: 50,
        decay_resolution: 50,
        ..Config::default()
    }
}

/// The seed's `PostStageWait` and `TrimWait`.
pub const POST_STAGE_WAIT: Millis = 200;
pub const TRIM_WAIT: Millis = 200;

pub struct Host {
    pub pm: PeerManager<String>,
    pub now: Millis,
    /// Connections as the network sees them, per peer.
    conns: BTreeMap<String, Vec<ConnId>>,
    next_conn: u64,
    pub events: Vec<Event<String>>,
    pub commands: Vec<Command<String>>,
}

impl Host {
    pub fn new(config: Config) -> Self {
        Host {
            pm: PeerManager::new(config).expect("valid config"),
            now: 0,
            conns: BTreeMap::new(),
            next_conn: 0,
            events: Vec::new(),
            commands: Vec::new(),
        }
    }

    pub fn seed() -> Self {
        Host::new(seed_config())
    }

    /// Drains commands (carrying each out) and events until the manager has nothing left.
    pub fn progress(&mut self) {
        loop {
            let mut idle = true;
            while let Some(cmd) = self.pm.poll_command() {
                idle = false;
                let Command::Disconnect { peer, .. } = &cmd else {
                    panic!("this host only dials nothing and closes: {cmd:?}");
                };
                for conn in self.conns.remove(peer).unwrap_or_default() {
                    assert!(self.pm.disconnected(peer, conn, self.now));
                }
                self.commands.push(cmd);
            }
            while let Some(ev) = self.pm.poll_event() {
                idle = false;
                self.events.push(ev);
            }
            if idle {
                break;
            }
        }
    }

    /// Moves the clock to `t`, stopping at every timeout on the way.
    pub fn advance_to(&mut self, t: Millis) {
        while let Some(due) = self.pm.poll_timeout() {
            if due > t {
                break;
            }
            self.now = self.now.max(due);
            self.pm.handle_timeout(self.now);
            self.progress();
        }
        self.now = self.now.max(t);
    }

    pub fn sleep(&mut self, ms: Millis) {
        self.advance_to(self.now + ms);
    }

    /// Opens a connection from `peer` at the current time.
    pub fn connect_with(&mut self, peer: &str, direction: Direction) {
        self.next_conn += 1;
        let conn = ConnId(self.next_conn);
        self.conns.entry(peer.to_string()).or_default().push(conn);
        self.pm.connected(&peer.to_string(), conn, direction, self.now);
        self.progress();
    }

    /// The seed's `connectClient`: an inbound connection, then a 5 ms gap so connection
    /// times differ.
    pub fn connect_client(&mut self, peer: &str) {
        self.connect_with(peer, Direction::Inbound);
        self.sleep(5);
    }

    /// Closes every connection of `peer` from the remote side.
    pub fn drop_peer(&mut self, peer: &str) {
        for conn in self.conns.remove(peer).unwrap_or_default() {
            assert!(self.pm.disconnected(&peer.to_string(), conn, self.now));
        }
        self.progress();
    }

    /// Peers the network still has a connection to, checked against the manager's view.
    pub fn connected_ids(&self) -> Vec<String> {
        let ids: Vec<String> = self.conns.keys().cloned().collect();
        let mut mine: Vec<String> = self.pm.connected_peers().cloned().collect();
        mine.sort();
        assert_eq!(ids, mine, "the manager's connected set matches the network's");
        ids
    }

    pub fn is_in(&self, peer: &str) -> bool {
        self.connected_ids().iter().any(|p| p == peer)
    }

    pub fn score(&self, peer: &str) -> f64 {
        self.pm.peer_score(&peer.to_string())
    }

    /// The reports of every trim so far.
    pub fn trims(&self) -> Vec<&peerkeeper_core::TrimReport<String>> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Trimmed { report, .. } => Some(report),
                _ => None,
            })
            .collect()
    }

    pub fn take_events(&mut self) -> Vec<Event<String>> {
        std::mem::take(&mut self.events)
    }
}

pub fn s(p: &str) -> String {
    p.to_string()
}

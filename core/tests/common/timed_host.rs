//! A host that records every command with the time it came out, for the facade tests that
//! check timing (dials, gap-fill requests). It carries out `Disconnect` by closing every
//! connection of the peer and moves the clock from one `poll_timeout()` to the next.
#![allow(dead_code)]

use std::collections::BTreeMap;

use peerkeeper_core::peer_key::PeerKey;
use peerkeeper_core::{Command, ConnId, Direction, Event, Millis, PeerManager};

pub struct Host<P: PeerKey> {
    pub pm: PeerManager<P>,
    pub now: Millis,
    pub conns: BTreeMap<P, Vec<ConnId>>,
    next_conn: u64,
    pub commands: Vec<(Millis, Command<P>)>,
    pub events: Vec<Event<P>>,
}

impl<P: PeerKey> Host<P> {
    pub fn around(pm: PeerManager<P>) -> Self {
        Host { pm, now: 0, conns: BTreeMap::new(), next_conn: 0, commands: vec![], events: vec![] }
    }

    /// Drains commands (carrying out disconnects) and events until the manager is idle.
    pub fn drain(&mut self) {
        loop {
            let mut idle = true;
            while let Some(cmd) = self.pm.poll_command() {
                idle = false;
                if let Command::Disconnect { peer, .. } = &cmd {
                    for conn in self.conns.remove(peer).unwrap_or_default() {
                        assert!(self.pm.disconnected(peer, conn, self.now));
                    }
                }
                self.commands.push((self.now, cmd));
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

    pub fn advance_to(&mut self, t: Millis) {
        while let Some(due) = self.pm.poll_timeout().filter(|&d| d <= t) {
            self.now = self.now.max(due);
            self.pm.handle_timeout(self.now);
            self.drain();
        }
        self.now = self.now.max(t);
    }

    pub fn connect(&mut self, peer: P, direction: Direction) {
        self.next_conn += 1;
        let conn = ConnId(self.next_conn);
        self.conns.entry(peer.clone()).or_default().push(conn);
        self.pm.connected(&peer, conn, direction, self.now);
        self.drain();
    }

    pub fn take_commands(&mut self) -> Vec<(Millis, Command<P>)> {
        std::mem::take(&mut self.commands)
    }

    pub fn take_events(&mut self) -> Vec<Event<P>> {
        std::mem::take(&mut self.events)
    }
}

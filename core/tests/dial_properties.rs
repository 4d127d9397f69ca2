//! Property tests over a small test-only composition of strikes, blocklist and dial scheduler,
//! wired the way the facade will wire them:
//!
//! - no peer is ever dialled while soft-banned or blocked;
//! - never more dials in flight than `max_dials_in_flight`.

use std::collections::BTreeSet;

use peerkeeper_core::backoff::{BackoffConfig, BackoffOutput, DialScheduler};
use peerkeeper_core::blocklist::{Blocklist, BlocklistConfig, ProbeOutcome, Role};
use peerkeeper_core::strikes::{StrikeConfig, StrikeExpiry, StrikeKind, StrikeOutcome, Strikes};
use peerkeeper_core::Millis;
use proptest::prelude::*;

const PEERS: u8 = 6;

#[derive(Debug, Clone)]
enum Action {
    Advance(Millis),
    Strike(u8, StrikeKind),
    ValidPacket(u8),
    Block(u8),
    Probe(u8, bool),
    /// Bit i of the first mask: peer i present; of the second: peer i is a backup.
    Epoch(u8, u8),
    /// Resolve the n-th in-flight dial (modulo their count).
    DialSucceeds(usize),
    DialFails(usize),
    Disconnect(u8),
    Inbound(u8),
    SetActive(usize),
}

fn action() -> impl Strategy<Value = Action> {
    let peer = 0..PEERS;
    prop_oneof![
        4 => prop_oneof![0..2_000u64, 0..120_000u64, 0..4_000_000u64].prop_map(Action::Advance),
        3 => (peer.clone(), prop::sample::select(StrikeKind::ALL.to_vec()))
            .prop_map(|(p, k)| Action::Strike(p, k)),
        1 => peer.clone().prop_map(Action::ValidPacket),
        1 => peer.clone().prop_map(Action::Block),
        1 => (peer.clone(), any::<bool>()).prop_map(|(p, ok)| Action::Probe(p, ok)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Action::Epoch(a, b)),
        3 => any::<usize>().prop_map(Action::DialSucceeds),
        3 => any::<usize>().prop_map(Action::DialFails),
        1 => peer.clone().prop_map(Action::Disconnect),
        1 => peer.prop_map(Action::Inbound),
        1 => (0..2usize).prop_map(Action::SetActive),
    ]
}

/// The facade in miniature: every ban or block suspends dialling, every lift resumes it unless
/// the other still holds.
struct Node {
    now: Millis,
    max_in_flight: usize,
    strikes: Strikes<u8>,
    blocklist: Blocklist<u8>,
    scheduler: DialScheduler<u8>,
    dialing: BTreeSet<u8>,
    connected: BTreeSet<u8>,
    dials: usize,
}

impl Node {
    fn new(max_in_flight: usize, ban_ms: Millis) -> Self {
        let mut blocklist = Blocklist::new(BlocklistConfig::default()).unwrap();
        blocklist.epoch_transition((0..PEERS).map(|p| (p, Role::Primary)), 0);
        let mut scheduler = DialScheduler::new(BackoffConfig {
            max_dials_in_flight: max_in_flight,
            ..Default::default()
        })
        .unwrap();
        for p in 0..PEERS {
            scheduler.add_peer(p, 0);
        }
        scheduler.set_active_peers(0, 0);
        Node {
            now: 0,
            max_in_flight,
            strikes: Strikes::new(StrikeConfig { threshold: 3, ban_duration: ban_ms }).unwrap(),
            blocklist,
            scheduler,
            dialing: BTreeSet::new(),
            connected: BTreeSet::new(),
            dials: 0,
        }
    }

    fn forbidden(&self, p: u8) -> bool {
        self.strikes.is_banned(&p) || self.blocklist.is_blocked(&p)
    }

    fn restrict(&mut self, p: u8) {
        self.scheduler.suspend(p);
        if self.connected.remove(&p) {
            self.scheduler.disconnected(&p, self.now);
        }
    }

    fn maybe_resume(&mut self, p: u8) {
        if !self.forbidden(p) {
            self.scheduler.resume(&p, self.now);
        }
    }

    fn nth_dialing(&self, n: usize) -> Option<u8> {
        if self.dialing.is_empty() {
            return None;
        }
        self.dialing.iter().nth(n % self.dialing.len()).copied()
    }

    fn apply(&mut self, action: Action) {
        let now = self.now;
        match action {
            Action::Advance(dt) => self.now += dt,
            Action::Strike(p, kind) => {
                if let StrikeOutcome::SoftBanned { .. } = self.strikes.strike(p, kind, now) {
                    self.restrict(p);
                }
            }
            Action::ValidPacket(p) => self.strikes.valid_packet(&p),
            Action::Block(p) => {
                self.blocklist.block(&p, "test", now);
                if self.blocklist.is_blocked(&p) {
                    self.restrict(p);
                }
            }
            Action::Probe(p, ok) => {
                if self.blocklist.probe_result(&p, ok, now) == ProbeOutcome::Unblocked {
                    self.maybe_resume(p);
                }
            }
            Action::Epoch(present, backups) => {
                let set: Vec<_> = (0..PEERS)
                    .filter(|p| present & (1 << p) != 0)
                    .map(|p| {
                        (p, if backups & (1 << p) != 0 { Role::Backup } else { Role::Primary })
                    })
                    .collect();
                let t = self.blocklist.epoch_transition(set, now);
                for p in t.dropped {
                    self.maybe_resume(p);
                }
            }
            Action::DialSucceeds(n) => {
                if let Some(p) = self.nth_dialing(n) {
                    self.dialing.remove(&p);
                    self.scheduler.connected(p, now);
                    self.connected.insert(p);
                    if self.blocklist.reconnected(&p) {
                        self.maybe_resume(p);
                    }
                    if self.strikes.is_banned(&p) {
                        self.restrict(p);
                    }
                }
            }
            Action::DialFails(n) => {
                if let Some(p) = self.nth_dialing(n) {
                    self.dialing.remove(&p);
                    assert!(self.scheduler.dial_failed(&p, now));
                }
            }
            Action::Disconnect(p) => {
                if self.connected.remove(&p) {
                    self.scheduler.disconnected(&p, now);
                }
            }
            Action::Inbound(p) => {
                // The host refuses banned peers; an accepted blocked peer has reconnected.
                if !self.strikes.is_banned(&p)
                    && !self.connected.contains(&p)
                    && !self.dialing.contains(&p)
                {
                    self.scheduler.connected(p, now);
                    self.connected.insert(p);
                    if self.blocklist.reconnected(&p) {
                        self.maybe_resume(p);
                    }
                }
            }
            Action::SetActive(n) => self.scheduler.set_active_peers(n, now),
        }
        self.drive();
    }

    /// Drains every component until nothing is due, checking the properties on every dial.
    fn drive(&mut self) {
        loop {
            let due = |d: Option<Millis>| d.is_some_and(|d| d <= self.now);
            let strikes_due = due(self.strikes.next_deadline());
            let scheduler_due = due(self.scheduler.next_deadline());
            if !strikes_due && !scheduler_due {
                break;
            }
            for StrikeExpiry::BanExpired { peer, .. } in self.strikes.handle_timeout(self.now) {
                self.maybe_resume(peer);
            }
            for out in self.scheduler.handle_timeout(self.now) {
                match out {
                    BackoffOutput::Dial { peer } => {
                        assert!(!self.strikes.is_banned(&peer), "dialled banned peer {peer}");
                        assert!(!self.blocklist.is_blocked(&peer), "dialled blocked peer {peer}");
                        assert!(!self.connected.contains(&peer), "dialled connected peer {peer}");
                        assert!(self.dialing.insert(peer), "dialled peer {peer} twice");
                        self.dials += 1;
                    }
                    BackoffOutput::IsolationReset { redialled, .. } => {
                        for p in redialled {
                            assert!(!self.forbidden(p), "isolation reset redialled {p}");
                        }
                    }
                }
            }
            assert!(self.dialing.len() <= self.max_in_flight, "too many dials in flight");
            assert_eq!(self.scheduler.in_flight(), self.dialing.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_peer_is_dialled_while_banned_or_blocked_and_in_flight_dials_never_exceed_the_limit(
        max_in_flight in 1usize..4,
        ban_ms in prop_oneof![Just(3_600_000u64), 1_000..200_000u64],
        actions in prop::collection::vec(action(), 1..120),
    ) {
        let mut node = Node::new(max_in_flight, ban_ms);
        node.drive();
        for a in actions {
            node.apply(a);
        }
    }
}

#[test]
fn the_composition_does_dial_so_the_properties_are_not_vacuous() {
    let mut node = Node::new(2, 10_000);
    node.drive();
    assert_eq!(node.dials, 2);
    // A failed dial frees its slot for the next due peer at once, as does a connection.
    node.apply(Action::DialFails(0));
    assert_eq!(node.dials, 3);
    node.apply(Action::DialSucceeds(0));
    assert_eq!(node.dials, 4);
    for _ in 0..3 {
        node.apply(Action::Strike(5, StrikeKind::Deserialization));
    }
    assert!(node.strikes.is_banned(&5));
    assert!(node.scheduler.is_suspended(&5));
    node.apply(Action::Advance(10_000));
    assert!(!node.scheduler.is_suspended(&5));
}

/// The same properties through the facade: a host drives `PeerManager` with random inputs and
/// checks every `Dial` command as it comes out.
mod through_the_facade {
    use std::collections::{BTreeMap, BTreeSet};

    use peerkeeper_core::backoff::BackoffConfig;
    use peerkeeper_core::blocklist::Role;
    use peerkeeper_core::strikes::{StrikeConfig, StrikeKind};
    use peerkeeper_core::{Command, Config, ConnId, Direction, Millis, PeerManager};
    use proptest::prelude::*;

    use super::{action, Action, PEERS};

    struct FacadeHost {
        pm: PeerManager<u8>,
        now: Millis,
        max_in_flight: usize,
        dialing: BTreeSet<u8>,
        conns: BTreeMap<u8, ConnId>,
        next_conn: u64,
        dials: usize,
    }

    impl FacadeHost {
        fn new(max_in_flight: usize, ban_ms: Millis) -> Self {
            let config = Config {
                track_lifecycle: true,
                strikes: StrikeConfig { threshold: 3, ban_duration: ban_ms },
                backoff: BackoffConfig { max_dials_in_flight: max_in_flight, ..Default::default() },
                ..Config::default()
            };
            let mut pm = PeerManager::new(config).unwrap();
            pm.epoch_transition((0..PEERS).map(|p| (p, Role::Primary)), 0);
            let mut host = FacadeHost {
                pm,
                now: 0,
                max_in_flight,
                dialing: BTreeSet::new(),
                conns: BTreeMap::new(),
                next_conn: 0,
                dials: 0,
            };
            for p in 0..PEERS {
                host.pm.add_peer(&p, 0);
                host.drain();
            }
            host
        }

        fn connect(&mut self, p: u8) {
            self.next_conn += 1;
            let conn = ConnId(self.next_conn);
            self.conns.insert(p, conn);
            self.pm.connected(&p, conn, Direction::Outbound, self.now);
        }

        /// Carries out every command, checking each dial against the properties.
        fn drain(&mut self) {
            while let Some(cmd) = self.pm.poll_command() {
                match cmd {
                    Command::Dial { peer } => {
                        assert_eq!(
                            self.pm.defence_denial(&peer, self.now),
                            None,
                            "dialled banned or blocked peer {peer}"
                        );
                        assert!(!self.conns.contains_key(&peer), "dialled connected peer {peer}");
                        assert!(self.dialing.insert(peer), "dialled peer {peer} twice");
                        self.dials += 1;
                    }
                    Command::Disconnect { peer, .. } => {
                        // The manager counted an abandoned dial as failed itself.
                        self.dialing.remove(&peer);
                        if let Some(conn) = self.conns.remove(&peer) {
                            assert!(self.pm.disconnected(&peer, conn, self.now));
                        }
                    }
                    Command::Probe { .. } => {}
                    other => panic!("unexpected command {other:?}"),
                }
            }
            while self.pm.poll_event().is_some() {}
            assert!(self.pm.dials_in_flight() <= self.max_in_flight, "too many dials in flight");
            assert_eq!(self.pm.dials_in_flight(), self.dialing.len());
        }

        fn advance(&mut self, dt: Millis) {
            let until = self.now + dt;
            while let Some(due) = self.pm.poll_timeout().filter(|&d| d <= until) {
                self.now = self.now.max(due);
                self.pm.handle_timeout(self.now);
                self.drain();
            }
            self.now = until;
        }

        fn nth_dialing(&self, n: usize) -> Option<u8> {
            if self.dialing.is_empty() {
                return None;
            }
            self.dialing.iter().nth(n % self.dialing.len()).copied()
        }

        fn apply(&mut self, action: Action) {
            let now = self.now;
            match action {
                Action::Advance(dt) => self.advance(dt),
                Action::Strike(p, kind) => {
                    self.pm.strike(&p, kind, now);
                }
                Action::ValidPacket(p) => self.pm.valid_packet(&p, now),
                Action::Block(p) => {
                    self.pm.block(&p, "test", now);
                }
                Action::Probe(p, ok) => {
                    self.pm.probe_result(&p, ok, now);
                }
                Action::Epoch(present, backups) => {
                    let set: Vec<_> = (0..PEERS)
                        .filter(|p| present & (1 << p) != 0)
                        .map(|p| {
                            (p, if backups & (1 << p) != 0 { Role::Backup } else { Role::Primary })
                        })
                        .collect();
                    self.pm.epoch_transition(set, now);
                }
                Action::DialSucceeds(n) => {
                    if let Some(p) = self.nth_dialing(n) {
                        self.dialing.remove(&p);
                        self.connect(p);
                        self.pm.handshake_completed(&p, now);
                    }
                }
                Action::DialFails(n) => {
                    if let Some(p) = self.nth_dialing(n) {
                        self.dialing.remove(&p);
                        assert!(self.pm.dial_failed(&p, now));
                    }
                }
                Action::Disconnect(p) => {
                    if let Some(conn) = self.conns.remove(&p) {
                        self.pm.disconnected(&p, conn, now);
                    }
                }
                Action::Inbound(p) => {
                    // The host asks the facade before accepting.
                    if self.pm.defence_denial(&p, now).is_none()
                        && !self.conns.contains_key(&p)
                        && !self.dialing.contains(&p)
                    {
                        self.connect(p);
                    }
                }
                Action::SetActive(_) => {
                    if let Some((&p, _)) = self.conns.iter().next() {
                        self.pm.handshake_completed(&p, now);
                    }
                }
            }
            self.drain();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn the_facade_never_dials_a_banned_or_blocked_peer_nor_exceeds_the_dial_limit(
            max_in_flight in 1usize..4,
            ban_ms in prop_oneof![Just(3_600_000u64), 1_000..200_000u64],
            actions in prop::collection::vec(action(), 1..120),
        ) {
            let mut host = FacadeHost::new(max_in_flight, ban_ms);
            for a in actions {
                host.apply(a);
            }
        }
    }

    #[test]
    fn the_facade_host_does_dial_so_the_properties_are_not_vacuous() {
        let mut host = FacadeHost::new(2, 10_000);
        assert_eq!(host.dials, 2);
        host.apply(Action::DialFails(0));
        assert_eq!(host.dials, 3);
        host.apply(Action::DialSucceeds(0));
        assert_eq!(host.dials, 4);
        let banned = *host.conns.keys().next().unwrap();
        for _ in 0..3 {
            host.apply(Action::Strike(banned, StrikeKind::Deserialization));
        }
        assert!(host.pm.defence_denial(&banned, host.now).is_some());
        assert!(!host.conns.contains_key(&banned), "the ban closed it");
        host.apply(Action::Advance(10_000));
        assert_eq!(host.pm.defence_denial(&banned, host.now), None);
    }
}

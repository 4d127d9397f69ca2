//! Issue 6 end to end through the facade: relevance disconnects, alignment events, dead-fork
//! strikes reaching the strikes component, gap-fill commands and timers, the alignment-aware
//! trim ranking, and the stats lines rendered from every component's state.

#[path = "fork_harness.rs"]
mod harness;

use harness::*;
use peerkeeper_core::fork::{AlignmentCause, ForkConfig, ForkDigest, NetworkId, NodeMode};
use peerkeeper_core::lifecycle::PeerState;
use peerkeeper_core::strikes::StrikeKind;
use peerkeeper_core::{
    Command, Config, ConnId, Direction, DisconnectReason, Event, PeerManager, Verdict,
};

#[path = "common/timed_host.rs"]
mod timed_host;

type Host = timed_host::Host<Peer>;

impl Host {
    /// Our chain is `a`, final at #90, head #100, all applied at t = 0.
    fn new(config: Config) -> Host {
        let config = Config { fork: Some(ForkConfig::new(NET, DIGEST)), ..config };
        let mut pm = PeerManager::with_chain(config, a(90), at(A, 90), 0).unwrap();
        for n in 91..=100 {
            pm.block_applied(a(n), None, 0);
        }
        let mut h = Host::around(pm);
        h.drain();
        h.commands.clear();
        h.events.clear();
        h
    }

    fn status(&mut self, peer: Peer, s: peerkeeper_core::fork::ChainStatus) {
        self.pm.status_received(&peer, s, self.now);
        self.drain();
    }

    /// "x" says it is on network 8, "y" names a fork digest we cannot follow.
    fn x_on_another_network_y_on_an_unviable_fork(&mut self) {
        let mut other_net = status(at(A, 100), at(A, 90));
        other_net.network_id = NetworkId(8);
        self.status("x", other_net);
        let mut other_digest = status(at(A, 100), at(A, 90));
        other_digest.fork_digest = ForkDigest([0xde, 0xad, 0, 0]);
        self.status("y", other_digest);
    }
}

#[test]
fn a_status_from_another_network_or_an_unviable_fork_closes_the_peer() {
    let mut h = Host::new(Config::default());
    h.connect("x", Direction::Inbound);
    h.connect("y", Direction::Inbound);
    h.x_on_another_network_y_on_an_unviable_fork();
    assert_eq!(
        h.take_commands(),
        vec![
            (0, Command::Disconnect { peer: "x", reason: DisconnectReason::IrrelevantNetwork }),
            (0, Command::Disconnect { peer: "y", reason: DisconnectReason::UnviableFork }),
        ]
    );
    assert_eq!(h.pm.connected_count(), 0);
    // The goodbye we sent is each peer's last disconnect, not a bare inbound close.
    for (peer, reason, code) in
        [("x", DisconnectReason::IrrelevantNetwork, 2), ("y", DisconnectReason::UnviableFork, 128)]
    {
        let record = h.pm.last_disconnect(&peer).expect("recorded");
        assert_eq!((record.reason, record.code, record.sent), (reason, Some(code), true));
    }
}

#[test]
fn a_peer_on_another_network_is_redialled_only_after_the_longest_backoff() {
    let mut h = Host::new(Config { track_lifecycle: true, ..Config::default() });
    // "b" stays active, so the node is never isolated (an isolation reset redials everyone).
    h.connect("b", Direction::Inbound);
    h.status("b", status(at(A, 100), at(A, 90)));
    for peer in ["x", "y"] {
        assert!(h.pm.add_peer(&peer, 0));
    }
    h.drain();
    h.advance_to(100);
    h.connect("x", Direction::Outbound);
    h.connect("y", Direction::Outbound);
    h.take_commands();
    h.take_events();
    h.advance_to(1_000);
    h.x_on_another_network_y_on_an_unviable_fork();
    let scheduled: Vec<_> =
        h.take_events().into_iter().filter(|e| matches!(e, Event::DialScheduled { .. })).collect();
    // An unviable fork may heal: the ladder's first wait (30 s). Another network: the cap.
    assert_eq!(
        scheduled,
        vec![
            Event::DialScheduled {
                peer: "x",
                due: 3_601_000,
                backoff: 3_600_000,
                failures: 1,
                at: 1_000
            },
            Event::DialScheduled {
                peer: "y",
                due: 31_000,
                backoff: 30_000,
                failures: 1,
                at: 1_000
            },
        ]
    );
    h.take_commands();
    h.advance_to(3_601_000);
    let dials: Vec<_> =
        h.take_commands().into_iter().filter(|(_, c)| matches!(c, Command::Dial { .. })).collect();
    assert_eq!(dials[0], (31_000, Command::Dial { peer: "y" }));
    assert_eq!(dials.iter().filter(|(_, c)| *c == Command::Dial { peer: "x" }).count(), 1);
    assert_eq!(dials.last(), Some(&(3_601_000, Command::Dial { peer: "x" })));
}

#[test]
fn a_status_naming_our_head_aligns_the_peer_with_an_event() {
    let mut h = Host::new(Config::default());
    h.connect("p1", Direction::Outbound);
    assert!(!h.pm.is_aligned(&"p1"));
    h.take_events();
    h.now = 500;
    h.status("p1", status(at(A, 100), at(A, 90)));
    let aligned: Vec<_> = h
        .take_events()
        .into_iter()
        .filter(|e| matches!(e, Event::AlignmentChanged { .. }))
        .collect();
    assert_eq!(
        aligned,
        vec![Event::AlignmentChanged {
            peer: "p1",
            aligned: true,
            why: AlignmentCause::Handshake,
            at: 500
        }]
    );
    assert!(h.pm.is_aligned(&"p1"));
}

/// Low water 1, no grace: two connected peers and an explicit trim closes one.
fn trim_config() -> Config {
    Config { low_water: 1, high_water: 2, grace_period: 0, ..Config::default() }
}

#[test]
fn trim_keeps_an_aligned_peer_over_a_non_aligned_one_of_equal_score() {
    let mut h = Host::new(trim_config());
    h.connect("old", Direction::Inbound);
    h.status("old", status(at(A, 100), at(A, 90)));
    h.now = 10;
    h.connect("new", Direction::Inbound);
    h.take_commands();
    h.take_events();
    // Equal scores: the age tie-break alone would close "old"; alignment ranks first.
    h.pm.trim(20);
    h.now = 20;
    h.drain();
    assert_eq!(
        h.take_commands(),
        vec![(20, Command::Disconnect { peer: "new", reason: DisconnectReason::TooManyPeers })]
    );
    let report = h
        .take_events()
        .into_iter()
        .find_map(|e| match e {
            Event::Trimmed { report, .. } => Some(report),
            _ => None,
        })
        .unwrap();
    assert_eq!(report.entry(&"new").unwrap().verdict, Verdict::ClosedNotAligned);
    assert_eq!(report.entry(&"new").unwrap().rank, Some(1));
    assert_eq!(report.entry(&"old").unwrap().verdict, Verdict::KeptAboveCut);
    assert_eq!(report.cut_score, Some(0.0));
}

#[test]
fn a_non_aligned_peer_closes_before_an_aligned_peer_of_lower_score() {
    let mut h = Host::new(trim_config());
    h.connect("aligned", Direction::Inbound);
    h.status("aligned", status(at(A, 100), at(A, 90)));
    h.connect("stranger", Direction::Inbound);
    h.pm.tag_peer(&"stranger", "useful", 50);
    h.take_commands();
    h.pm.trim(0);
    h.drain();
    assert_eq!(
        h.take_commands(),
        vec![(0, Command::Disconnect { peer: "stranger", reason: DisconnectReason::TooManyPeers })]
    );
}

#[test]
fn without_a_fork_view_the_age_tie_break_still_decides() {
    let mut pm: PeerManager<Peer> = PeerManager::new(trim_config()).unwrap();
    pm.connected(&"old", ConnId(1), Direction::Inbound, 0);
    pm.connected(&"new", ConnId(2), Direction::Inbound, 10);
    pm.trim(20);
    assert_eq!(
        pm.poll_command(),
        Some(Command::Disconnect { peer: "old", reason: DisconnectReason::TooManyPeers })
    );
    assert!(pm.is_aligned(&"old"), "every peer counts as aligned without a chain");
}

#[test]
fn a_dead_fork_block_after_grace_is_a_strike_in_the_strikes_component() {
    let mut h = Host::new(Config::default());
    for p in ["p1", "p2"] {
        h.connect(p, Direction::Inbound);
        h.status(p, status(at(A, 100), at(A, 90)));
    }
    h.pm.headers_received(&"p1", branch(B, at(A, 95), 98), 0);
    h.pm.lib_advanced(at(A, 97), 10_000);
    h.now = 10_000;
    h.drain();
    h.take_events();
    h.now = 25_000;
    h.pm.headers_received(&"p2", vec![header(B, 99, at(B, 98))], 25_000);
    h.drain();
    let struck: Vec<_> =
        h.take_events().into_iter().filter(|e| matches!(e, Event::Struck { .. })).collect();
    assert_eq!(
        struck,
        vec![Event::Struck {
            peer: "p2",
            kind: StrikeKind::DeadForkBlock,
            counted: true,
            strikes: 1,
            threshold: 10,
            at: 25_000
        }]
    );
    assert_eq!(h.pm.strikes(&"p2"), 1);
}

#[test]
fn gap_fill_requests_blocks_and_its_timeout_runs_through_the_facade_clock() {
    let mut h = Host::new(Config::default());
    h.connect("p2", Direction::Inbound);
    h.status("p2", with_range(status(at(A, 300), at(A, 290)), 50, 300));
    assert_eq!(
        h.take_commands(),
        vec![(0, Command::RequestBlocks { peer: "p2", from: 101, count: 100 })]
    );
    assert_eq!(h.pm.node_mode(), Some(NodeMode::Sync));
    h.take_events();
    h.advance_to(15_000);
    assert!(h.take_events().contains(&Event::GapFillTimedOut {
        peer: "p2",
        from: 101,
        at: 15_000
    }));
}

#[test]
fn the_stats_lines_are_rendered_from_every_components_state() {
    let mut h = Host::new(Config { track_lifecycle: true, ..Config::default() });
    h.connect("10.0.0.1:9876", Direction::Outbound);
    h.status("10.0.0.1:9876", status(at(A, 100), at(A, 90)));
    h.pm.strike(&"10.0.0.1:9876", StrikeKind::ProtocolViolation, 0);
    h.pm.strike(&"10.0.0.1:9876", StrikeKind::ProtocolViolation, 0);
    h.pm.soft_ban(&"10.0.0.3:9876", "operator ban", 1_000);
    h.pm.add_peer(&"10.0.0.2:9876", 2_000);
    h.now = 2_000;
    h.drain();
    assert!(h.pm.dial_failed(&"10.0.0.2:9876", 2_000));
    h.drain();
    assert_eq!(h.pm.peer_state(&"10.0.0.2:9876"), Some(PeerState::Disconnected));

    let now = 7_500;
    assert_eq!(
        h.pm.status_line(now).unwrap(),
        "DLT Status | FORWARD | head=#100 lib=#90 | dlt_range=none | peers=1active/1conn | uptime=0h00m07s | flags=none"
    );
    assert_eq!(
        h.pm.stats_lines(now).unwrap(),
        [
            "=== DLT P2P Stats | status=FWD fork=NORMAL head=100 lib=90 peers=3 conn=1 paused=no uptime=0h00m07s ===",
            "10.0.0.1:9876 | ACTIVE | exch=YES | head=100 lib=90 | range=90-100 | peer_fork=NORM peer_node=FWD | spam=2 | +align",
            "10.0.0.2:9876 | DISC | disconnected=5s | backoff=60s | reconnect_in=25s | spam=0",
            "10.0.0.3:9876 | BANNED | ban_remaining=3594s | reason=operator ban",
        ]
        .join("\n")
    );
}

#[test]
fn a_fork_section_needs_the_chain_and_the_chain_needs_a_fork_section() {
    let with_fork = Config { fork: Some(ForkConfig::new(NET, DIGEST)), ..Config::default() };
    assert_eq!(PeerManager::<Peer>::new(with_fork).err().unwrap().path(), "fork");
    let err = PeerManager::<Peer>::with_chain(Config::default(), a(90), at(A, 90), 0).err();
    assert_eq!(err.unwrap().path(), "fork");
    let mut bad = ForkConfig::new(NET, DIGEST);
    bad.confirmation_blocks = 0;
    let err = PeerManager::<Peer>::with_chain(
        Config { fork: Some(bad), ..Config::default() },
        a(90),
        at(A, 90),
        0,
    )
    .err();
    assert_eq!(err.unwrap().path(), "fork.confirmation_blocks");
}

#[test]
fn a_relevant_hello_completes_the_handshake_and_an_irrelevant_one_does_not() {
    let mut h = Host::new(Config { track_lifecycle: true, ..Config::default() });
    h.connect("good", Direction::Inbound);
    h.connect("bad", Direction::Inbound);
    h.take_events();
    h.now = 300;
    h.status("good", status(at(A, 100), at(A, 90)));
    let changes: Vec<_> = h
        .take_events()
        .into_iter()
        .filter(|e| matches!(e, Event::LifecycleChanged { .. }))
        .collect();
    assert_eq!(
        changes,
        vec![Event::LifecycleChanged {
            peer: "good",
            from: Some(PeerState::Handshake),
            to: PeerState::Active,
            at: 300
        }]
    );
    let mut other = status(at(A, 100), at(A, 90));
    other.network_id = NetworkId(99);
    h.status("bad", other);
    assert_eq!(h.pm.peer_state(&"bad"), Some(PeerState::Disconnected), "closed, not promoted");
}

//! Golden tests: the stats lines must match the seed's example lines byte for byte, from data
//! built to describe the same node and peers.

use peerkeeper_core::fork::{
    format_uptime, render_compact, render_full, render_header, render_peer, BlockRange, ForkStatus,
    NodeMode, NodeStats, PeerFlags, PeerLifecycle, PeerLine, PeerStats,
};

const SEED_COMPACT: &str = include_str!("golden/stats_compact_seed.txt");
const SEED_FULL: &str = include_str!("golden/stats_full_seed.txt");
const READINGS: &str = include_str!("golden/stats_readings.txt");

fn seed_compact_node() -> NodeStats {
    NodeStats {
        mode: NodeMode::Forward,
        fork: ForkStatus::Normal,
        head: 79_881_136,
        lib: 79_881_130,
        dlt_range: Some(BlockRange { earliest: 79_000_000, latest: 79_881_136 }),
        exchange_peers: 6,
        connections: 8,
        peer_entries: 8,
        paused: false,
        uptime_ms: (2 * 3600 + 15 * 60 + 43) * 1000,
        // The seed elides its flags as "..."; one word of that text reproduces the line.
        flags: vec!["...".to_owned()],
    }
}

fn seed_full_node() -> NodeStats {
    NodeStats {
        mode: NodeMode::Forward,
        fork: ForkStatus::Normal,
        head: 79_881_136,
        lib: 79_881_130,
        dlt_range: None,
        exchange_peers: 4,
        connections: 4,
        peer_entries: 6,
        paused: false,
        uptime_ms: (20 * 60 + 30) * 1000,
        flags: Vec::new(),
    }
}

fn seed_peers() -> Vec<PeerStats> {
    vec![
        PeerStats {
            address: "62.109.17.82:2001".to_owned(),
            line: PeerLine::Live {
                lifecycle: PeerLifecycle::Active,
                exch: true,
                head: Some(79_881_136),
                lib: Some(79_880_729),
                range: Some(BlockRange { earliest: 79_869_724, latest: 79_880_729 }),
                peer_fork: Some(ForkStatus::Normal),
                peer_node: Some(NodeMode::Forward),
                spam: 0,
                flags: PeerFlags { align: true, emrg: true, ekey: false, sync: true },
            },
        },
        PeerStats {
            address: "138.201.117.201:2001".to_owned(),
            line: PeerLine::Disconnected {
                disconnected_for_ms: 74_000,
                backoff_ms: 480_000,
                reconnect_in_ms: 502_000,
                spam: 0,
            },
        },
        PeerStats {
            address: "1.2.3.4:2001".to_owned(),
            line: PeerLine::Banned {
                ban_remaining_ms: 1_800_000,
                reason: "spam strike threshold exceeded".to_owned(),
            },
        },
    ]
}

#[test]
fn compact_line_matches_the_seed_example_byte_for_byte() {
    assert_eq!(render_compact(&seed_compact_node()), SEED_COMPACT.trim_end_matches('\n'));
}

#[test]
fn full_stats_match_the_seed_header_and_three_peer_shapes_byte_for_byte() {
    assert_eq!(render_full(&seed_full_node(), &seed_peers()), SEED_FULL.trim_end_matches('\n'));
}

#[test]
fn full_stats_header_alone_is_the_first_golden_line() {
    let first = SEED_FULL.lines().next().unwrap();
    assert_eq!(render_header(&seed_full_node()), first);
}

#[test]
fn each_peer_shape_renders_its_own_golden_line() {
    let golden: Vec<&str> = SEED_FULL.lines().skip(1).collect();
    let rendered: Vec<String> = seed_peers().iter().map(render_peer).collect();
    assert_eq!(rendered, golden);
}

/// Our readings where the seed shows no example: sync mode, paused, no flags, unknown values,
/// every flag, rounding of countdowns.
#[test]
fn lines_the_seed_does_not_show_follow_the_documented_readings() {
    let node = NodeStats {
        mode: NodeMode::Sync,
        fork: ForkStatus::Minority,
        head: 1_000,
        lib: 990,
        dlt_range: None,
        exchange_peers: 0,
        connections: 2,
        peer_entries: 3,
        paused: true,
        uptime_ms: 49 * 3600 * 1000 + 5 * 60 * 1000 + 7_999,
        flags: Vec::new(),
    };
    let mut compact_paused = node.clone();
    compact_paused.flags = vec!["snapshot".to_owned(), "paused".to_owned()];
    let peers = vec![
        PeerStats {
            address: "10.0.0.1:2001".to_owned(),
            line: PeerLine::Live {
                lifecycle: PeerLifecycle::Handshake,
                exch: false,
                head: None,
                lib: None,
                range: None,
                peer_fork: None,
                peer_node: None,
                spam: 0,
                flags: PeerFlags::default(),
            },
        },
        PeerStats {
            address: "10.0.0.2:2001".to_owned(),
            line: PeerLine::Live {
                lifecycle: PeerLifecycle::Syncing,
                exch: false,
                head: Some(1_200),
                lib: Some(1_190),
                range: Some(BlockRange { earliest: 900, latest: 1_200 }),
                peer_fork: Some(ForkStatus::Minority),
                peer_node: Some(NodeMode::Sync),
                spam: 3,
                flags: PeerFlags { align: true, emrg: true, ekey: true, sync: true },
            },
        },
        PeerStats {
            address: "10.0.0.3:2001".to_owned(),
            line: PeerLine::Disconnected {
                disconnected_for_ms: 74_999,
                backoff_ms: 30_000,
                reconnect_in_ms: 1,
                spam: 10,
            },
        },
        PeerStats {
            address: "10.0.0.4:2001".to_owned(),
            line: PeerLine::Banned { ban_remaining_ms: 3_599_001, reason: "manual".to_owned() },
        },
    ];
    let rendered = format!(
        "{}\n{}\n{}\n",
        render_compact(&node),
        render_compact(&compact_paused),
        render_full(&node, &peers)
    );
    assert_eq!(rendered, READINGS);
}

#[test]
fn uptime_pads_minutes_and_seconds_and_drops_milliseconds() {
    assert_eq!(format_uptime(0), "0h00m00s");
    assert_eq!(format_uptime(59_999), "0h00m59s");
    assert_eq!(format_uptime(60_000), "0h01m00s");
    assert_eq!(format_uptime(3_599_999), "0h59m59s");
    assert_eq!(format_uptime(3_600_000), "1h00m00s");
    assert_eq!(format_uptime(8_143_000), "2h15m43s");
    assert_eq!(format_uptime(100 * 3_600_000), "100h00m00s");
}

#[test]
fn stats_data_round_trips_through_json_for_the_web_ui() {
    let peers = seed_peers();
    let json = serde_json::to_string(&peers).unwrap();
    assert!(json.contains(r#""shape":"disconnected""#));
    let back: Vec<PeerStats> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, peers);
}

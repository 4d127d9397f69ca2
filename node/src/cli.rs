//! Command-line flags of the native node.

use std::{net::Ipv4Addr, path::PathBuf};

use clap::Parser;

/// A native peerkeeper peer: listens on webrtc-direct, webtransport, websocket and TCP and
/// serves the page (with `/bootstrap.json` naming its addresses) over HTTP. Beside it runs a demo network of
/// real libp2p peers, so the page has peers to manage on a machine with no internet.
#[derive(Debug, Clone, Parser)]
#[command(name = "peerkeeper-node", version, about)]
pub struct Args {
    /// IPv4 address every listener (libp2p and HTTP) binds to.
    #[arg(long, default_value = "127.0.0.1")]
    pub listen_ip: Ipv4Addr,

    /// UDP port for the WebRTC-direct listener (0 picks a free port).
    #[arg(long, default_value_t = 9090)]
    pub webrtc_port: u16,

    /// UDP port for the WebTransport listener (QUIC; 0 picks a free port). Its self-signed
    /// certificates last 13 days and rotate every 6, so its /certhash/ components change
    /// then; /bootstrap.json always lists the current address.
    #[arg(long, default_value_t = 9093)]
    pub webtransport_port: u16,

    /// TCP port for the WebSocket listener (0 picks a free port).
    #[arg(long, default_value_t = 9091)]
    pub ws_port: u16,

    /// TCP port for the plain TCP listener (0 picks a free port).
    #[arg(long, default_value_t = 9092)]
    pub tcp_port: u16,

    /// TCP port of the HTTP server that serves the page and /bootstrap.json (0 picks a free port).
    #[arg(long, default_value_t = 8080)]
    pub http_port: u16,

    /// Directory holding the node's identity key and its WebRTC and WebTransport certificates;
    /// keeping it keeps the node's multiaddrs (peer id and certhashes) stable across restarts.
    #[arg(long, default_value = ".peerkeeper")]
    pub data_dir: PathBuf,

    /// Directory with the built page (scripts/build-page.sh's output).
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,

    /// Demo peers to run in this process (0 disables the demo network; at most 256). Each is a
    /// real libp2p peer listening on webrtc-direct, webtransport and websocket (--listen-ip,
    /// free ports) that dials this node over TCP at start. Their identities and certificates
    /// live in memory only: peer ids and addresses change on every restart (read them from
    /// /bootstrap.json).
    #[arg(long, default_value_t = 12)]
    pub demo_peers: usize,

    /// How many demo peers flap: up 30 s, then down 15 s (listeners closed, connections
    /// dropped), repeating. [default: 1 if that leaves an honest demo peer, else 0]
    #[arg(long)]
    pub demo_flapping: Option<usize>,

    /// How many demo peers are slow: they answer every ping 2 s late. [default: 1 if that leaves
    /// an honest demo peer, else 0]
    #[arg(long)]
    pub demo_slow: Option<usize>,

    /// How many demo peers spam: they send garbage and oversized /peerkeeper/status/3 frames
    /// to every peer connected to them, ten a second, until that peer soft-bans them (10
    /// strikes). [default: 1 if that leaves an honest demo peer, else 0]
    #[arg(long)]
    pub demo_spamming: Option<usize>,

    /// How many demo peers leave the chain at the scripted split (--demo-split-after-ms) and
    /// follow a minority branch of their own, losing alignment with everyone else. [default: 1
    /// if that leaves an honest demo peer, else 0]
    #[arg(long)]
    pub demo_minority_fork: Option<usize>,

    /// How many demo peers announce another network id, so managing peers drop them with
    /// `irrelevant_network`. [default: 1 if that leaves an honest demo peer, else 0]
    #[arg(long)]
    pub demo_irrelevant_network: Option<usize>,

    /// When the scripted split happens, in ms after the node starts: the minority-fork demo
    /// peers copy the chain at that moment and extend their own branch from then on.
    #[arg(long, default_value_t = 60_000)]
    pub demo_split_after_ms: u64,

    /// How long a flapping demo peer stays up each cycle, in ms (at least 1).
    #[arg(long, default_value_t = crate::demo::FlapSchedule::UP_MS, value_parser = clap::value_parser!(u64).range(1..))]
    pub demo_flap_up_ms: u64,

    /// How long a flapping demo peer stays down each cycle, in ms (at least 1).
    #[arg(long, default_value_t = crate::demo::FlapSchedule::DOWN_MS, value_parser = clap::value_parser!(u64).range(1..))]
    pub demo_flap_down_ms: u64,

    /// Time between blocks of the toy chain the node and its demo peers follow, in ms (at
    /// least 100).
    #[arg(long, default_value_t = 3_000, value_parser = clap::value_parser!(u64).range(100..))]
    pub chain_block_ms: u64,

    /// The node's own low water: a trim keeps this many peers.
    #[arg(long, default_value_t = 200)]
    pub low_water: usize,

    /// The node's own high water: a connection beyond this many peers triggers a trim down to
    /// --low-water. Above the default demo network and a few pages and clients.
    #[arg(long, default_value_t = 300)]
    pub high_water: usize,

    /// How long a new connection to the node is exempt from its trims, in ms.
    #[arg(long, default_value_t = 60_000)]
    pub grace_period_ms: u64,
}

impl Args {
    /// The per-kind counts the flags ask for.
    pub fn demo_counts(&self) -> crate::demo::KindCounts {
        crate::demo::KindCounts {
            flapping: self.demo_flapping,
            slow: self.demo_slow,
            spamming: self.demo_spamming,
            minority_fork: self.demo_minority_fork,
            irrelevant_network: self.demo_irrelevant_network,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn demo_flags_default_to_twelve_peers_and_unset_kind_counts() {
        let args = Args::try_parse_from(["peerkeeper-node"]).unwrap();
        assert_eq!((args.demo_peers, args.demo_flapping, args.demo_slow), (12, None, None));
        let args = Args::try_parse_from([
            "peerkeeper-node",
            "--demo-peers",
            "3",
            "--demo-flapping",
            "2",
            "--demo-slow",
            "0",
        ])
        .unwrap();
        assert_eq!((args.demo_peers, args.demo_flapping, args.demo_slow), (3, Some(2), Some(0)));
    }

    #[test]
    fn a_negative_demo_count_is_refused_naming_the_flag() {
        let err = Args::try_parse_from(["peerkeeper-node", "--demo-peers=-1"]).unwrap_err();
        assert!(err.to_string().contains("--demo-peers"), "{err}");
    }

    #[test]
    fn webtransport_listens_on_udp_9093_unless_told_otherwise() {
        let args = Args::try_parse_from(["peerkeeper-node"]).unwrap();
        assert_eq!(args.webtransport_port, 9093);
        let args = Args::try_parse_from(["peerkeeper-node", "--webtransport-port", "0"]).unwrap();
        assert_eq!(args.webtransport_port, 0);
        let err =
            Args::try_parse_from(["peerkeeper-node", "--webtransport-port", "70000"]).unwrap_err();
        assert!(err.to_string().contains("--webtransport-port"), "{err}");
    }

    #[test]
    fn behaviour_flags_set_the_counts_and_the_split() {
        let args = Args::try_parse_from([
            "peerkeeper-node",
            "--demo-spamming",
            "2",
            "--demo-minority-fork",
            "0",
            "--demo-split-after-ms",
            "5000",
        ])
        .unwrap();
        let counts = args.demo_counts();
        assert_eq!(
            (counts.spamming, counts.minority_fork, counts.irrelevant_network),
            (Some(2), Some(0), None)
        );
        assert_eq!(args.demo_split_after_ms, 5_000);
        let err =
            Args::try_parse_from(["peerkeeper-node", "--demo-flap-down-ms", "0"]).unwrap_err();
        assert!(err.to_string().contains("--demo-flap-down-ms"), "{err}");
    }

    #[test]
    fn help_says_demo_identities_do_not_persist() {
        let help = Args::command().render_help().to_string();
        assert!(help.contains("live in memory only"), "{help}");
    }
}

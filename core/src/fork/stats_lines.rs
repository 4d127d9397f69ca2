//! The two stats lines operators grep (seed 003): the compact `DLT Status | ...` one-liner and
//! the full `=== DLT P2P Stats | ... ===` header with one line per peer.
//!
//! The host decides when to print; these functions only render plain data, which the facade
//! fills from every component (fork view, peer book, strikes, backoff, bans).
//!
//! Readings of the seed where it shows no example:
//! - Durations: uptime is `{h}h{mm}m{ss}s` with zero-padded minutes and seconds and unbounded
//!   hours (`0h05m07s`, `49h00m00s`); both seed examples fit, and fixed widths line up in a tail.
//! - Seconds fields: elapsed values (`disconnected=`, `backoff=`) round down; countdowns
//!   (`reconnect_in=`, `ban_remaining=`) round up, so a pending event never reads `0s`.
//! - Compact `flags=`: the seed elides them (`flags=...`); we join the host's words with `,`
//!   (`flags=snapshot,paused`) and print `flags=none` when there are none, so the field is always
//!   present for grep.
//! - Per-peer flags: `+align+emrg+ekey+sync` in the seed's table order; with no flag the trailing
//!   segment is left out rather than printing a dangling `| `.
//! - A live peer that has not reported yet (CONNECT, HANDSHAKE) prints `?` for unknown values.
//! - `dlt_range=none` when the node keeps no block log.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::status::{BlockRange, ForkStatus, NodeMode};
use crate::types::Millis;

/// Node-wide values for the compact line and the full header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStats {
    pub mode: NodeMode,
    pub fork: ForkStatus,
    pub head: u64,
    pub lib: u64,
    /// Blocks held in our rolling block log.
    pub dlt_range: Option<BlockRange>,
    /// Compact `peers=Xactive`: exchange-enabled peers.
    pub exchange_peers: usize,
    /// Compact `Yconn` and full `conn=`: live connections.
    pub connections: usize,
    /// Full `peers=`: every entry in the peer table (active, connecting, disconnected).
    pub peer_entries: usize,
    pub paused: bool,
    pub uptime_ms: Millis,
    /// Compact `flags=` words (snapshot, paused, catchup, ...).
    pub flags: Vec<String>,
}

/// The lifecycle label of a live peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerLifecycle {
    Connect,
    Handshake,
    Syncing,
    Active,
}

impl PeerLifecycle {
    pub fn label(self) -> &'static str {
        match self {
            PeerLifecycle::Connect => "CONNECT",
            PeerLifecycle::Handshake => "HANDSHAKE",
            PeerLifecycle::Syncing => "SYNCING",
            PeerLifecycle::Active => "ACTIVE",
        }
    }
}

/// The per-peer `+flag` set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PeerFlags {
    pub align: bool,
    pub emrg: bool,
    pub ekey: bool,
    pub sync: bool,
}

/// One peer's line, in one of the seed's three shapes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum PeerLine {
    Live {
        lifecycle: PeerLifecycle,
        exch: bool,
        head: Option<u64>,
        lib: Option<u64>,
        range: Option<BlockRange>,
        peer_fork: Option<ForkStatus>,
        peer_node: Option<NodeMode>,
        spam: u32,
        flags: PeerFlags,
    },
    Disconnected {
        disconnected_for_ms: Millis,
        backoff_ms: Millis,
        reconnect_in_ms: Millis,
        spam: u32,
    },
    Banned {
        ban_remaining_ms: Millis,
        reason: String,
    },
}

/// A peer as the full stats print it: its address and its line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerStats {
    pub address: String,
    pub line: PeerLine,
}

/// `DLT Status | FORWARD | head=#N lib=#N | dlt_range=A-B | peers=Xactive/Yconn | uptime=.. | flags=..`
pub fn render_compact(node: &NodeStats) -> String {
    let flags = if node.flags.is_empty() { "none".to_owned() } else { node.flags.join(",") };
    format!(
        "DLT Status | {} | head=#{} lib=#{} | dlt_range={} | peers={}active/{}conn | uptime={} | flags={}",
        node.mode.long(),
        node.head,
        node.lib,
        range_or(node.dlt_range, "none"),
        node.exchange_peers,
        node.connections,
        format_uptime(node.uptime_ms),
        flags,
    )
}

/// `=== DLT P2P Stats | status=FWD fork=NORMAL head=N lib=N peers=N conn=N paused=no uptime=.. ===`
pub fn render_header(node: &NodeStats) -> String {
    format!(
        "=== DLT P2P Stats | status={} fork={} head={} lib={} peers={} conn={} paused={} uptime={} ===",
        node.mode.short(),
        node.fork.long(),
        node.head,
        node.lib,
        node.peer_entries,
        node.connections,
        if node.paused { "YES" } else { "no" },
        format_uptime(node.uptime_ms),
    )
}

/// One per-peer line in the ACTIVE (any live lifecycle), DISC or BANNED shape.
pub fn render_peer(peer: &PeerStats) -> String {
    let mut out = format!("{} | ", peer.address);
    match &peer.line {
        PeerLine::Live { lifecycle, exch, head, lib, range, peer_fork, peer_node, spam, flags } => {
            let _ = write!(
                out,
                "{} | exch={} | head={} lib={} | range={} | peer_fork={} peer_node={} | spam={}",
                lifecycle.label(),
                if *exch { "YES" } else { "no" },
                number_or_unknown(*head),
                number_or_unknown(*lib),
                range_or(*range, "?"),
                peer_fork.map_or("?", ForkStatus::short),
                peer_node.map_or("?", NodeMode::short),
                spam,
            );
            let flags = render_flags(flags);
            if !flags.is_empty() {
                let _ = write!(out, " | {flags}");
            }
        }
        PeerLine::Disconnected { disconnected_for_ms, backoff_ms, reconnect_in_ms, spam } => {
            let _ = write!(
                out,
                "DISC | disconnected={}s | backoff={}s | reconnect_in={}s | spam={}",
                disconnected_for_ms / 1000,
                backoff_ms / 1000,
                reconnect_in_ms.div_ceil(1000),
                spam,
            );
        }
        PeerLine::Banned { ban_remaining_ms, reason } => {
            let _ = write!(
                out,
                "BANNED | ban_remaining={}s | reason={}",
                ban_remaining_ms.div_ceil(1000),
                reason
            );
        }
    }
    out
}

/// The header and every peer line, joined with `\n` (no trailing newline).
pub fn render_full(node: &NodeStats, peers: &[PeerStats]) -> String {
    let mut out = render_header(node);
    for peer in peers {
        out.push('\n');
        out.push_str(&render_peer(peer));
    }
    out
}

/// `2h15m43s`: hours unbounded, minutes and seconds two digits, milliseconds dropped.
pub fn format_uptime(ms: Millis) -> String {
    let secs = ms / 1000;
    format!("{}h{:02}m{:02}s", secs / 3600, secs / 60 % 60, secs % 60)
}

fn render_flags(flags: &PeerFlags) -> String {
    let mut out = String::new();
    for (on, name) in [
        (flags.align, "+align"),
        (flags.emrg, "+emrg"),
        (flags.ekey, "+ekey"),
        (flags.sync, "+sync"),
    ] {
        if on {
            out.push_str(name);
        }
    }
    out
}

fn number_or_unknown(n: Option<u64>) -> String {
    n.map_or_else(|| "?".to_owned(), |n| n.to_string())
}

fn range_or(range: Option<BlockRange>, missing: &str) -> String {
    range.map_or_else(|| missing.to_owned(), |r| format!("{}-{}", r.earliest, r.latest))
}

//! What the browser light peer reports. Plain data, compiled on every target so UIs can be
//! tested natively against it.

use serde::{Deserialize, Serialize};

/// One thing that happened to the light peer, in the order it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LightPeerEvent {
    Dialing {
        address: String,
    },
    /// `address` is empty when the swarm did not say which address failed.
    DialFailed {
        address: String,
        error: String,
    },
    Connected {
        peer_id: String,
        transport: String,
        address: String,
    },
    Disconnected {
        peer_id: String,
        transport: String,
        cause: Option<String>,
    },
    Identified {
        peer_id: String,
        agent_version: String,
        protocol_version: String,
    },
    Ping {
        peer_id: String,
        rtt_ms: f64,
    },
    /// The engine trimmed: `entries` holds every peer counted, with its verdict (names as in
    /// `peerkeeper_core::Verdict`), the closed ones first in closing order, then the kept.
    Trimmed {
        at_ms: u64,
        trigger: String,
        connected: usize,
        target: usize,
        shortfall: usize,
        entries: Vec<TrimEntryView>,
    },
    /// The engine is closing the peer, and why (`DisconnectReason` names: `irrelevant_network`,
    /// `unviable_fork`, `banned`, `too_many_peers` ..., or `unresponsive`: a ping failed and
    /// that connection is being closed). The `Disconnected` follows.
    Dropped {
        peer_id: String,
        reason: String,
        at_ms: u64,
    },
    /// A peer told us its chain (`/peerkeeper/status/3`), on connect and on every change.
    PeerStatus {
        peer_id: String,
        status: StatusView,
    },
    /// Whether blocks may flow with the peer changed; `why` is `handshake`, `block_applied`,
    /// `forward_transition` or `fork_mismatch`.
    AlignmentChanged {
        peer_id: String,
        aligned: bool,
        why: String,
        at_ms: u64,
    },
    /// Our own chain view changed: a block applied, LIB advanced, fork status or node mode.
    LocalStatus {
        status: StatusView,
        at_ms: u64,
    },
    /// A spam strike: `kind` as in `peerkeeper_core::strikes::StrikeKind` (`deserialization`,
    /// `protocol_violation` ...); `strikes` is the count after it, `threshold` the ban count.
    Struck {
        peer_id: String,
        kind: String,
        counted: bool,
        strikes: u32,
        threshold: u32,
        at_ms: u64,
    },
    /// Soft-banned until `until_ms` (engine clock): disconnected and refused meanwhile.
    SoftBanned {
        peer_id: String,
        reason: String,
        until_ms: u64,
        at_ms: u64,
    },
    BanExpired {
        peer_id: String,
        at_ms: u64,
    },
    /// The engine will redial the peer at `due_ms`, `backoff_ms` after `at_ms`, following its
    /// `failures`-th failure since the last reset (0 for the first wait after a disconnect).
    DialScheduled {
        peer_id: String,
        due_ms: u64,
        backoff_ms: u64,
        failures: u32,
        at_ms: u64,
    },
    /// A dial to a known peer started (the engine's redials, and dials by peer id).
    DialStarted {
        peer_id: String,
        at_ms: u64,
    },
    /// Peer exchange: `from` told us these dialable addresses (each with `/p2p/<id>`).
    PeersLearned {
        from: String,
        addresses: Vec<String>,
    },
    /// A stored engine snapshot was brought back (page reload): every peer it knew, none of
    /// them connected yet. `at_ms` is the engine's time after the restore: the snapshot's
    /// own plus the time since it was taken, so ahead of the new page's clock.
    Restored {
        peers: Vec<RestoredPeerView>,
        at_ms: u64,
    },
    /// The trim settings changed (`LightPeer::set_trim_settings`); `trimmed` says whether the
    /// connected count was above the new high water, so a trim was asked for at once.
    SettingsChanged {
        settings: SettingsView,
        trimmed: bool,
        at_ms: u64,
    },
    /// A static tag was set (or a decaying one created) on the peer.
    Tagged {
        peer_id: String,
        tag: String,
        value: i64,
        decaying: bool,
        at_ms: u64,
    },
    /// A tag left the peer: `cause` is `removed`, `decayed`, `bumped_to_zero` or
    /// `expired_inactive`.
    TagRemoved {
        peer_id: String,
        tag: String,
        cause: String,
        at_ms: u64,
    },
    Protected {
        peer_id: String,
        tag: String,
        at_ms: u64,
    },
    Unprotected {
        peer_id: String,
        tag: String,
        still_protected: bool,
        at_ms: u64,
    },
    /// A behaviour report: `delta` as applied after clamping, `score` the behaviour score
    /// after it.
    Reported {
        peer_id: String,
        action: String,
        name: String,
        delta: f64,
        score: f64,
        at_ms: u64,
    },
    /// A behaviour ban (score at or below the ban threshold) until `until_ms`.
    Banned {
        peer_id: String,
        reason: String,
        until_ms: u64,
        at_ms: u64,
    },
}

/// The four trim settings, as `LightPeer::set_trim_settings` takes them and the engine
/// reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    pub low_water: usize,
    pub high_water: usize,
    pub grace_period_ms: u64,
    pub silence_period_ms: u64,
}

impl From<peerkeeper_core::TrimSettings> for SettingsView {
    fn from(s: peerkeeper_core::TrimSettings) -> Self {
        SettingsView {
            low_water: s.low_water,
            high_water: s.high_water,
            grace_period_ms: s.grace_period,
            silence_period_ms: s.silence_period,
        }
    }
}

impl From<SettingsView> for peerkeeper_core::TrimSettings {
    fn from(s: SettingsView) -> Self {
        peerkeeper_core::TrimSettings {
            low_water: s.low_water,
            high_water: s.high_water,
            grace_period: s.grace_period_ms,
            silence_period: s.silence_period_ms,
        }
    }
}

/// The engine's whole view at one instant (`LightPeer::engine_view`): what the peer table
/// shows beyond what the events carry. Times are remaining durations, so a caller on another
/// clock needs no conversion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineView {
    /// The engine clock when the view was taken (ms since the light peer started).
    pub at_ms: u64,
    pub settings: SettingsView,
    pub connected: usize,
    /// Every peer the engine knows, in the engine's (deterministic) order.
    pub peers: Vec<EnginePeerView>,
}

/// One peer as the engine sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnginePeerView {
    pub peer_id: String,
    /// `connected`, `disconnecting`, `disconnected` or `banned` (a behaviour or soft ban).
    pub state: String,
    /// `inbound` / `outbound` while connected.
    pub direction: Option<String>,
    pub agent_version: Option<String>,
    pub score: f64,
    pub tag_score: f64,
    pub behaviour_score: f64,
    pub application_score: f64,
    /// In creation order.
    pub tags: Vec<TagView>,
    pub protected: bool,
    /// `None` when no chain is followed (nothing to be aligned with) or the peer has sent no
    /// status yet (alignment unknown).
    pub aligned: Option<bool>,
    pub strikes: u32,
    /// Time until the engine redials the peer, if it is queued.
    pub redial_in_ms: Option<u64>,
    /// Time left on a behaviour ban or soft ban.
    pub ban_remaining_ms: Option<u64>,
    /// The last behaviour report's name, if any.
    pub last_action: Option<String>,
    /// Why it was last disconnected (snake case), if it was.
    pub disconnect_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagView {
    pub name: String,
    pub value: i64,
    pub decaying: bool,
}

impl EngineView {
    /// Reads the view out of `pm` at `now`.
    pub fn of<P>(pm: &peerkeeper_core::PeerManager<P>, now: u64) -> EngineView
    where
        P: Clone + Eq + std::hash::Hash + Ord + std::fmt::Debug + std::fmt::Display,
    {
        let fork = pm.fork_view();
        let peers = pm
            .peers(now)
            .into_iter()
            .zip(pm.score_stats(now))
            .map(|(p, s)| {
                let id = &p.peer_id;
                let ban_until = s.banned_until.or(pm.soft_ban_of(id).map(|b| b.until));
                let state = if ban_until.is_some() { "banned" } else { p.state.as_str() };
                EnginePeerView {
                    peer_id: id.to_string(),
                    state: state.to_string(),
                    direction: p.direction.map(|d| d.as_str().to_string()),
                    agent_version: p.agent_version,
                    score: s.score,
                    tag_score: s.tag_score,
                    behaviour_score: s.behaviour_score,
                    application_score: s.application_score,
                    tags: pm
                        .tags(id)
                        .into_iter()
                        .map(|(n, value, decaying)| TagView {
                            name: n.as_str().to_string(),
                            value,
                            decaying,
                        })
                        .collect(),
                    protected: pm.is_protected(id, None),
                    // Unknown until the peer sent a status: a peer that speaks no status
                    // protocol is not held against (issue 8), and the page shows it so.
                    aligned: fork
                        .filter(|f| f.peer_status(id).is_some())
                        .map(|_| pm.is_aligned(id)),
                    strikes: pm.strikes(id),
                    redial_in_ms: pm.next_dial_at(id).map(|t| t.saturating_sub(now)),
                    ban_remaining_ms: ban_until.map(|t| t.saturating_sub(now)),
                    last_action: s.last_action_name,
                    disconnect_reason: p.disconnect_reason.map(|r| r.as_str().to_string()),
                }
            })
            .collect();
        EngineView {
            at_ms: now,
            settings: pm.trim_settings().into(),
            connected: pm.connected_count(),
            peers,
        }
    }
}

/// Report action names, as `LightPeer::report` takes them.
pub const REPORT_ACTIONS: [&str; 4] = ["fatal", "low_tolerance", "mid_tolerance", "high_tolerance"];

/// A report action by name; the error names the argument and lists the known names.
pub fn report_action(name: &str) -> Result<peerkeeper_core::PeerAction, String> {
    use peerkeeper_core::PeerAction::*;
    Ok(match name {
        "fatal" => Fatal,
        "low_tolerance" => LowTolerance,
        "mid_tolerance" => MidTolerance,
        "high_tolerance" => HighTolerance,
        other => {
            return Err(format!(
                "action: unknown report action {other:?} (expected one of {})",
                REPORT_ACTIONS.join(", ")
            ))
        }
    })
}

/// The light-peer event for an engine event the page shows, if it is one.
pub fn control_event<P: std::fmt::Display>(
    event: &peerkeeper_core::Event<P>,
) -> Option<LightPeerEvent> {
    use peerkeeper_core::Event as E;
    Some(match event {
        E::TagSet { peer, tag, new, decaying, at, .. } => LightPeerEvent::Tagged {
            peer_id: peer.to_string(),
            tag: tag.as_str().to_string(),
            value: *new,
            decaying: *decaying,
            at_ms: *at,
        },
        E::TagRemoved { peer, tag, cause, at, .. } => LightPeerEvent::TagRemoved {
            peer_id: peer.to_string(),
            tag: tag.as_str().to_string(),
            cause: label(cause),
            at_ms: *at,
        },
        E::Protected { peer, tag, at } => LightPeerEvent::Protected {
            peer_id: peer.to_string(),
            tag: tag.as_str().to_string(),
            at_ms: *at,
        },
        E::Unprotected { peer, tag, still_protected, at } => LightPeerEvent::Unprotected {
            peer_id: peer.to_string(),
            tag: tag.as_str().to_string(),
            still_protected: *still_protected,
            at_ms: *at,
        },
        E::BehaviourReported { peer, action, name, delta, score, at } => LightPeerEvent::Reported {
            peer_id: peer.to_string(),
            action: action.as_str().to_string(),
            name: name.clone(),
            delta: *delta,
            score: *score,
            at_ms: *at,
        },
        E::Banned { peer, until, reason, at } => LightPeerEvent::Banned {
            peer_id: peer.to_string(),
            reason: reason.as_str().to_string(),
            until_ms: *until,
            at_ms: *at,
        },
        _ => return None,
    })
}

/// One peer of a restored snapshot, as the page shows it before any reconnect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoredPeerView {
    pub peer_id: String,
    pub score: f64,
    pub protected: bool,
    /// Why it was last disconnected (snake case), if it was.
    pub reason: Option<String>,
    /// Behaviour ban or soft ban end (engine ms), if banned.
    pub banned_until_ms: Option<u64>,
    pub agent_version: Option<String>,
}

/// A chain status as the page shows it: block ids as hex, labels in snake case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusView {
    pub network_id: u64,
    /// 8 hex digits.
    pub fork_digest: String,
    pub head: u64,
    /// 64 hex digits.
    pub head_id: String,
    pub lib: u64,
    /// `normal`, `looking` or `minority`.
    pub fork_status: String,
    /// `sync` or `forward`.
    pub node_mode: String,
}

impl StatusView {
    pub fn new(status: &peerkeeper_core::fork::ChainStatus) -> Self {
        StatusView {
            network_id: status.network_id.0,
            fork_digest: status.fork_digest.0.iter().map(|b| format!("{b:02x}")).collect(),
            head: status.head.number,
            head_id: status.head.id.to_string(),
            lib: status.lib.number,
            fork_status: label(&status.fork_status),
            node_mode: label(&status.node_mode),
        }
    }
}

/// The serde name of a unit enum variant (`ForkStatus::Minority` -> `minority`).
pub fn label<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => format!("{other:?}"),
    }
}

/// One peer's line in a trim, as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrimEntryView {
    pub peer_id: String,
    pub score: f64,
    pub rank: Option<u32>,
    pub verdict: String,
    pub closed: bool,
}

/// Where the page's light node starts following a chain: `/bootstrap.json`'s `chain` (block
/// ids and the digest as hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainStartView {
    pub network_id: peerkeeper_core::fork::NetworkId,
    pub fork_digest: peerkeeper_core::fork::ForkDigest,
    pub head: peerkeeper_core::fork::Header,
    pub lib: peerkeeper_core::fork::BlockRef,
}

#[cfg(test)]
mod tests {
    use peerkeeper_core::fork::{
        BlockId, BlockRef, ChainStatus, ForkDigest, ForkStatus, NetworkId, NodeMode,
    };

    use super::*;

    fn engine(low: usize, high: usize) -> peerkeeper_core::PeerManager<String> {
        let config = peerkeeper_core::Config {
            low_water: low,
            high_water: high,
            grace_period: 0,
            ..peerkeeper_core::Config::default()
        };
        peerkeeper_core::PeerManager::new(config).unwrap()
    }

    #[test]
    fn the_engine_view_carries_score_parts_tags_protection_and_the_last_action() {
        use peerkeeper_core::{ConnId, Direction, PeerAction};
        let mut pm = engine(1, 4);
        pm.connected(&"a".to_string(), ConnId(1), Direction::Outbound, 0);
        pm.tag_peer(&"a".into(), "useful", 10);
        pm.protect(&"a".into(), "user");
        pm.report_peer(&"a".into(), PeerAction::LowTolerance, "page", 100).unwrap();
        let view = EngineView::of(&pm, 100);
        assert_eq!(view.connected, 1);
        assert_eq!(
            view.settings,
            SettingsView {
                low_water: 1,
                high_water: 4,
                grace_period_ms: 0,
                silence_period_ms: 10_000
            }
        );
        let a = &view.peers[0];
        assert_eq!(a.peer_id, "a");
        assert_eq!(a.state, "connected");
        assert_eq!(a.direction.as_deref(), Some("outbound"));
        assert_eq!(a.tags, vec![TagView { name: "useful".into(), value: 10, decaying: false }]);
        assert!(a.protected);
        assert_eq!(a.tag_score, 10.0);
        assert_eq!(a.behaviour_score, -10.0);
        assert_eq!(a.score, a.tag_score + a.behaviour_score + a.application_score);
        assert_eq!(a.last_action.as_deref(), Some("page"));
        assert_eq!((a.aligned, a.strikes, a.ban_remaining_ms), (None, 0, None));
    }

    #[test]
    fn a_followed_chain_leaves_a_peer_without_a_status_unknown_and_judges_one_with_a_status() {
        use peerkeeper_core::{fork::ForkConfig, fork::Header, ConnId, Direction};
        let (net, digest) = (NetworkId(7), ForkDigest([0x70, 0x6b, 0, 1]));
        let head = Header {
            number: 12,
            id: BlockId([0xab; 32]),
            parent: BlockId([0xaa; 32]),
            producer: "p".into(),
        };
        let lib = BlockRef { number: 9, id: BlockId([1; 32]) };
        let config = peerkeeper_core::Config {
            fork: Some(ForkConfig::new(net, digest)),
            ..peerkeeper_core::Config::default()
        };
        let mut pm = peerkeeper_core::PeerManager::with_chain(config, head, lib, 0).unwrap();
        for p in ["js", "demo"] {
            pm.connected(&p.to_string(), ConnId(1), Direction::Outbound, 0);
        }
        let status = ChainStatus {
            network_id: net,
            fork_digest: digest,
            head: BlockRef { number: 12, id: BlockId([0xab; 32]) },
            lib,
            range: None,
            node_mode: NodeMode::Forward,
            fork_status: ForkStatus::Normal,
            emergency: false,
            emergency_key: false,
        };
        pm.status_received(&"demo".to_string(), status, 10);
        let view = EngineView::of(&pm, 10);
        let aligned = |id: &str| view.peers.iter().find(|p| p.peer_id == id).unwrap().aligned;
        // A peer that speaks no status protocol is not held against (issue 8).
        assert_eq!(aligned("js"), None);
        assert_eq!(aligned("demo"), Some(true));
    }

    #[test]
    fn a_fatal_report_bans_and_the_view_counts_the_ban_down_from_its_instant() {
        use peerkeeper_core::{ConnId, Direction, PeerAction};
        let mut pm = engine(1, 4);
        pm.connected(&"b".to_string(), ConnId(1), Direction::Outbound, 0);
        pm.report_peer(&"b".into(), PeerAction::Fatal, "page", 1_000).unwrap();
        let events: Vec<_> =
            std::iter::from_fn(|| pm.poll_event()).filter_map(|e| control_event(&e)).collect();
        let until = pm.score_stats(1_000)[0].banned_until.expect("banned");
        assert_eq!(
            events,
            vec![
                LightPeerEvent::Reported {
                    peer_id: "b".into(),
                    action: "fatal".into(),
                    name: "page".into(),
                    delta: -100.0,
                    score: -100.0,
                    at_ms: 1_000,
                },
                LightPeerEvent::Banned {
                    peer_id: "b".into(),
                    reason: "banned".into(),
                    until_ms: until,
                    at_ms: 1_000,
                },
            ]
        );
        let view = EngineView::of(&pm, 1_500);
        assert_eq!(view.peers[0].state, "banned");
        assert_eq!(view.peers[0].ban_remaining_ms, Some(until - 1_500));
    }

    #[test]
    fn report_actions_are_read_by_name_and_an_unknown_one_is_named() {
        assert_eq!(report_action("mid_tolerance"), Ok(peerkeeper_core::PeerAction::MidTolerance));
        assert_eq!(
            report_action("mild").unwrap_err(),
            "action: unknown report action \"mild\" (expected one of fatal, low_tolerance, \
             mid_tolerance, high_tolerance)"
        );
    }

    #[test]
    fn a_status_view_carries_hex_ids_and_snake_case_labels() {
        let status = ChainStatus {
            network_id: NetworkId(7),
            fork_digest: ForkDigest([0x70, 0x6b, 0, 1]),
            head: BlockRef { number: 12, id: BlockId([0xab; 32]) },
            lib: BlockRef { number: 9, id: BlockId([1; 32]) },
            range: None,
            node_mode: NodeMode::Forward,
            fork_status: ForkStatus::Minority,
            emergency: false,
            emergency_key: false,
        };
        let view = StatusView::new(&status);
        assert_eq!(view.fork_digest, "706b0001");
        assert_eq!(view.head_id, "ab".repeat(32));
        assert_eq!((view.head, view.lib), (12, 9));
        assert_eq!((view.fork_status.as_str(), view.node_mode.as_str()), ("minority", "forward"));
        let json =
            serde_json::to_value(LightPeerEvent::LocalStatus { status: view, at_ms: 5 }).unwrap();
        assert_eq!(json["type"], "local_status");
        assert_eq!(json["status"]["fork_status"], "minority");
    }
}

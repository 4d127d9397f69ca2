//! The browser light peer: one long-lived rust-libp2p swarm per page.
//!
//! The swarm runs in a local task for the page's lifetime; the handle only sends it commands.
//! Dropping a swarm in the browser leaves WebRTC callbacks firing into freed memory, so the
//! task keeps the swarm even when every handle is gone.
//!
//! The peerkeeper engine manages the swarm's connections (`peerkeeper_net::connection_manager`):
//! past the high water it trims, and each trim reaches the page with its ranked report.

use std::time::Duration;

use futures::{channel::mpsc, select, StreamExt};
use libp2p::{
    core::{transport::Transport as _, upgrade::Version},
    identify, noise, ping,
    swarm::{dial_opts::DialOpts, NetworkBehaviour, SwarmEvent},
    webrtc_websys, websocket_websys, webtransport_websys, yamux, Multiaddr, PeerId, Swarm,
};
use peerkeeper_core::{Event as EngineEvent, TrimReport};
use peerkeeper_net::{browser_dialable, connection_manager, transport_name, NodeBehaviour};

pub use crate::light_peer_event::{LightPeerEvent, TrimEntryView};

/// The page's engine settings. Small numbers so a handful of demo peers shows trimming.
#[derive(Debug, Clone, PartialEq)]
pub struct LightPeerConfig {
    /// Peers kept after a trim. Example: 6.
    pub low_water: usize,
    /// A new connection beyond this many peers triggers a trim. Example: 8.
    pub high_water: usize,
    /// New connections are exempt from trims for this long (ms). Example: 2 000.
    pub grace_period_ms: u64,
    /// Minimum time between trims (ms); later requests wait. Example: 1 000.
    pub silence_period_ms: u64,
}

impl Default for LightPeerConfig {
    fn default() -> Self {
        LightPeerConfig {
            low_water: 6,
            high_water: 8,
            grace_period_ms: 2_000,
            silence_period_ms: 1_000,
        }
    }
}

impl LightPeerConfig {
    fn engine(&self) -> connection_manager::Config {
        let mut c = connection_manager::Config::default();
        c.engine.low_water = self.low_water;
        c.engine.high_water = self.high_water;
        c.engine.grace_period = self.grace_period_ms;
        c.engine.silence_period = self.silence_period_ms;
        c
    }
}

#[derive(NetworkBehaviour)]
struct LightPeerBehaviour {
    peers: connection_manager::Behaviour,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
}

const PING_INTERVAL: Duration = Duration::from_secs(5);
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialError {
    /// The text is not a multiaddr.
    Malformed { address: String, reason: String },
    /// A browser has no raw TCP/UDP sockets.
    NotBrowserDialable { address: String },
}

impl std::fmt::Display for DialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DialError::Malformed { address, reason } => {
                write!(f, "address: {address:?} is not a multiaddr ({reason})")
            }
            DialError::NotBrowserDialable { address } => write!(
                f,
                "address: {address} uses a transport browsers cannot dial (use webrtc-direct, webtransport or ws)"
            ),
        }
    }
}

impl std::error::Error for DialError {}

enum Command {
    Dial(Multiaddr),
    Protect { peer: PeerId, tag: String },
}

/// Handle to the page's light peer.
#[derive(Clone)]
pub struct LightPeer {
    commands: mpsc::UnboundedSender<Command>,
    local_peer_id: PeerId,
}

impl LightPeer {
    /// Starts the swarm with a fresh identity; `on_event` receives every [`LightPeerEvent`].
    /// A bad `config` is refused with the field it names.
    pub fn start(
        config: LightPeerConfig,
        on_event: impl Fn(LightPeerEvent) + 'static,
    ) -> Result<LightPeer, String> {
        crate::callback_guard::install_callback_guard();
        let peers = connection_manager::Behaviour::new(config.engine())
            .map_err(|e| format!("light peer config: {e}"))?;
        let swarm = build_swarm(peers).map_err(|e| format!("starting the light peer: {e}"))?;
        let local_peer_id = *swarm.local_peer_id();
        let (commands, rx) = mpsc::unbounded();
        wasm_bindgen_futures::spawn_local(run(swarm, rx, on_event));
        Ok(LightPeer { commands, local_peer_id })
    }

    pub fn local_peer_id(&self) -> String {
        self.local_peer_id.to_string()
    }

    /// Exempts `peer_id` from trims until every tag is removed (tags are multi-valued).
    pub fn protect(&self, peer_id: &str, tag: &str) -> Result<(), String> {
        let peer: PeerId =
            peer_id.parse().map_err(|e| format!("peer_id: {peer_id:?} is not a peer id ({e})"))?;
        self.commands
            .unbounded_send(Command::Protect { peer, tag: tag.to_string() })
            .expect("the swarm task lives as long as the page");
        Ok(())
    }

    /// Dials a multiaddr (with or without `/p2p/<id>`); the outcome arrives as events.
    pub fn dial(&self, address: &str) -> Result<(), DialError> {
        let addr = parse_dialable(address)?;
        self.commands
            .unbounded_send(Command::Dial(addr))
            .expect("the swarm task lives as long as the page");
        Ok(())
    }
}

/// Checks an address before it reaches the swarm, so the caller gets the reason at once.
pub fn parse_dialable(address: &str) -> Result<Multiaddr, DialError> {
    let addr: Multiaddr = address.trim().parse().map_err(|e: libp2p::multiaddr::Error| {
        DialError::Malformed { address: address.to_string(), reason: e.to_string() }
    })?;
    if !browser_dialable(&addr) {
        return Err(DialError::NotBrowserDialable { address: address.to_string() });
    }
    Ok(addr)
}

fn build_swarm(
    peers: connection_manager::Behaviour,
) -> Result<Swarm<LightPeerBehaviour>, Box<dyn std::error::Error>> {
    Ok(libp2p::SwarmBuilder::with_new_identity()
        .with_wasm_bindgen()
        .with_other_transport(|key| webrtc_websys::Transport::new(webrtc_websys::Config::new(key)))?
        .with_other_transport(|key| {
            webtransport_websys::Transport::new(webtransport_websys::Config::new(key))
        })?
        .with_other_transport(|key| {
            let noise = noise::Config::new(key)?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(
                websocket_websys::Transport::default()
                    .upgrade(Version::V1Lazy)
                    .authenticate(noise)
                    .multiplex(yamux::Config::default()),
            )
        })?
        .with_behaviour(|key| {
            let NodeBehaviour { identify, ping } =
                NodeBehaviour::new(key.public(), "browser", PING_INTERVAL);
            LightPeerBehaviour { peers, identify, ping }
        })?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
        .build())
}

async fn run(
    mut swarm: Swarm<LightPeerBehaviour>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    on_event: impl Fn(LightPeerEvent),
) {
    loop {
        select! {
            command = commands.next() => match command {
                Some(Command::Dial(addr)) => {
                    on_event(LightPeerEvent::Dialing { address: addr.to_string() });
                    if let Err(e) = swarm.dial(DialOpts::unknown_peer_id().address(addr.clone()).build()) {
                        on_event(LightPeerEvent::DialFailed { address: addr.to_string(), error: e.to_string() });
                    }
                }
                Some(Command::Protect { peer, tag }) => {
                    swarm.behaviour_mut().peers.manager_mut().protect(&peer, &tag);
                }
                // Every handle is gone; keep driving the swarm (see the module comment).
                None => {}
            },
            event = swarm.select_next_some() => {
                // identify and ping results feed the engine (agent versions in its views).
                match &event {
                    SwarmEvent::Behaviour(LightPeerBehaviourEvent::Identify(e)) => {
                        swarm.behaviour_mut().peers.on_identify_event(e);
                    }
                    SwarmEvent::Behaviour(LightPeerBehaviourEvent::Ping(e)) => {
                        swarm.behaviour_mut().peers.on_ping_event(e);
                    }
                    _ => {}
                }
                if let Some(event) = translate(event) {
                    on_event(event);
                }
            }
        }
    }
}

fn translate(event: SwarmEvent<LightPeerBehaviourEvent>) -> Option<LightPeerEvent> {
    Some(match event {
        SwarmEvent::ConnectionEstablished { peer_id, endpoint, .. } => {
            let addr = endpoint.get_remote_address();
            LightPeerEvent::Connected {
                peer_id: peer_id.to_string(),
                transport: transport_name(addr).to_string(),
                address: addr.to_string(),
            }
        }
        SwarmEvent::ConnectionClosed { peer_id, endpoint, cause, .. } => {
            LightPeerEvent::Disconnected {
                peer_id: peer_id.to_string(),
                transport: transport_name(endpoint.get_remote_address()).to_string(),
                cause: cause.map(|c| c.to_string()),
            }
        }
        SwarmEvent::OutgoingConnectionError { error, .. } => {
            LightPeerEvent::DialFailed { address: String::new(), error: error.to_string() }
        }
        SwarmEvent::Behaviour(LightPeerBehaviourEvent::Identify(identify::Event::Received {
            peer_id,
            info,
            ..
        })) => LightPeerEvent::Identified {
            peer_id: peer_id.to_string(),
            agent_version: info.agent_version,
            protocol_version: info.protocol_version,
        },
        SwarmEvent::Behaviour(LightPeerBehaviourEvent::Ping(ping::Event {
            peer,
            result: Ok(rtt),
            ..
        })) => LightPeerEvent::Ping { peer_id: peer.to_string(), rtt_ms: rtt.as_secs_f64() * 1e3 },
        SwarmEvent::Behaviour(LightPeerBehaviourEvent::Peers(
            connection_manager::Event::Engine(EngineEvent::Trimmed { report, at }),
        )) => trimmed(report, at),
        _ => return None,
    })
}

/// The report as the page shows it: closed peers in closing order, then the kept ones.
fn trimmed(report: TrimReport<PeerId>, at: u64) -> LightPeerEvent {
    let mut entries: Vec<TrimEntryView> = report
        .entries
        .iter()
        .map(|e| TrimEntryView {
            peer_id: e.peer.to_string(),
            score: e.score,
            rank: e.rank,
            verdict: e.verdict.as_str().to_string(),
            closed: e.verdict.is_closed(),
        })
        .collect();
    entries.sort_by_key(|e| (!e.closed, e.rank.unwrap_or(u32::MAX)));
    LightPeerEvent::Trimmed {
        at_ms: at,
        trigger: report.trigger.as_str().to_string(),
        connected: report.connected,
        target: report.target,
        shortfall: report.shortfall,
        entries,
    }
}

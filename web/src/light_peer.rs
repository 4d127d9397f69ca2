//! The browser light peer: one long-lived rust-libp2p swarm per page.
//!
//! The swarm runs in a local task for the page's lifetime; the handle only sends it commands.
//! Dropping a swarm in the browser leaves WebRTC callbacks firing into freed memory, so the
//! task keeps the swarm even when every handle is gone.

use std::time::Duration;

use futures::{channel::mpsc, select, StreamExt};
use libp2p::{
    core::{transport::Transport as _, upgrade::Version},
    identify, noise, ping,
    swarm::{dial_opts::DialOpts, SwarmEvent},
    webrtc_websys, websocket_websys, webtransport_websys, yamux, Multiaddr, PeerId, Swarm,
};
use peerkeeper_net::{browser_dialable, transport_name, NodeBehaviour, NodeBehaviourEvent};

pub use crate::light_peer_event::LightPeerEvent;

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
}

/// Handle to the page's light peer.
#[derive(Clone)]
pub struct LightPeer {
    commands: mpsc::UnboundedSender<Command>,
    local_peer_id: PeerId,
}

impl LightPeer {
    /// Starts the swarm with a fresh identity; `on_event` receives every [`LightPeerEvent`].
    pub fn start(on_event: impl Fn(LightPeerEvent) + 'static) -> Result<LightPeer, String> {
        crate::callback_guard::install_callback_guard();
        let swarm = build_swarm().map_err(|e| format!("starting the light peer: {e}"))?;
        let local_peer_id = *swarm.local_peer_id();
        let (commands, rx) = mpsc::unbounded();
        wasm_bindgen_futures::spawn_local(run(swarm, rx, on_event));
        Ok(LightPeer { commands, local_peer_id })
    }

    pub fn local_peer_id(&self) -> String {
        self.local_peer_id.to_string()
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

fn build_swarm() -> Result<Swarm<NodeBehaviour>, Box<dyn std::error::Error>> {
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
        .with_behaviour(|key| NodeBehaviour::new(key.public(), "browser", PING_INTERVAL))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
        .build())
}

async fn run(
    mut swarm: Swarm<NodeBehaviour>,
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
                // Every handle is gone; keep driving the swarm (see the module comment).
                None => {}
            },
            event = swarm.select_next_some() => {
                if let Some(event) = translate(event) {
                    on_event(event);
                }
            }
        }
    }
}

fn translate(event: SwarmEvent<NodeBehaviourEvent>) -> Option<LightPeerEvent> {
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
        SwarmEvent::Behaviour(NodeBehaviourEvent::Identify(identify::Event::Received {
            peer_id,
            info,
            ..
        })) => LightPeerEvent::Identified {
            peer_id: peer_id.to_string(),
            agent_version: info.agent_version,
            protocol_version: info.protocol_version,
        },
        SwarmEvent::Behaviour(NodeBehaviourEvent::Ping(ping::Event {
            peer,
            result: Ok(rtt),
            ..
        })) => LightPeerEvent::Ping { peer_id: peer.to_string(), rtt_ms: rtt.as_secs_f64() * 1e3 },
        _ => return None,
    })
}

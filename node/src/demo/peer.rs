//! One demo peer: a task owning its own swarm, listening on webrtc-direct, webtransport and
//! websocket (the three transports a browser can dial),
//! dialing the node over TCP, and acting out its [`BehaviourKind`]: every kind but `Spamming`
//! runs the peerkeeper protocols and announces the chain it follows.

use std::{
    collections::BTreeSet,
    convert::Infallible,
    net::Ipv4Addr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use anyhow::{Context, Result};
use futures::StreamExt;
use libp2p::{
    core::transport::ListenerId,
    identify,
    identity::PublicKey,
    multiaddr::Protocol,
    ping,
    swarm::{behaviour::toggle::Toggle, NetworkBehaviour, SwarmEvent},
    Multiaddr, PeerId, Swarm,
};
use tokio::{
    sync::watch,
    task::JoinHandle,
    time::{sleep_until, Instant},
};

use peerkeeper_net::connection_manager;
use peerkeeper_net::peerkeeper_behaviour::{self, PeerkeeperBehaviour};

use super::{
    flap_schedule::{FlapSchedule, Phase},
    followed_chain::{FollowedChain, StatusFollower},
    slow_ping, spam, BehaviourKind,
};
use crate::{bootstrap::BootstrapBook, keys::NodeKeys, swarm};

/// Demo peers ping their connections as often as the node does.
const PING_INTERVAL: Duration = Duration::from_secs(5);
/// A listener that cannot get its old port back is retried this often...
const RELISTEN_RETRY: Duration = Duration::from_secs(1);
/// ...this many times, then moves to a free port (and `/bootstrap.json` follows).
const RELISTEN_ATTEMPTS: u32 = 5;

/// identify for everyone; the standard pinger for all kinds but `Slow`, which answers pings
/// itself, late (see [`slow_ping`]); raw streams for the slow pinger and the spammer; the
/// peerkeeper protocols for everyone but the spammer.
#[derive(NetworkBehaviour)]
pub struct DemoBehaviour {
    identify: identify::Behaviour,
    ping: Toggle<ping::Behaviour>,
    streams: Toggle<libp2p_stream::Behaviour>,
    peerkeeper: Toggle<PeerkeeperBehaviour>,
}

impl DemoBehaviour {
    fn new(public_key: PublicKey, kind: BehaviourKind) -> Self {
        let local = public_key.to_peer_id();
        let identify = identify::Behaviour::new(
            identify::Config::new(peerkeeper_net::PROTOCOL_VERSION.to_string(), public_key)
                .with_agent_version(kind.agent_version()),
        );
        let slow = kind == BehaviourKind::Slow;
        let ping =
            (!slow).then(|| ping::Behaviour::new(ping::Config::new().with_interval(PING_INTERVAL)));
        let streams = (slow || kind == BehaviourKind::Spamming).then(libp2p_stream::Behaviour::new);
        let peerkeeper = kind.speaks_peerkeeper().then(|| {
            // Demo peers announce their chain and answer requests; they keep whoever connects
            // and ask nobody for peers (the node and the page do the managing).
            let config =
                peerkeeper_behaviour::Config { pex_on_connect: false, ..Default::default() };
            PeerkeeperBehaviour::new(local, config).expect("the default config is valid")
        });
        DemoBehaviour {
            identify,
            ping: ping.into(),
            streams: streams.into(),
            peerkeeper: peerkeeper.into(),
        }
    }
}

/// What a demo peer is; kept by its supervisor across restarts, so a restarted peer keeps its
/// peer id and certificate (but not its ports).
#[derive(Clone)]
pub struct DemoPeer {
    pub kind: BehaviourKind,
    pub keys: NodeKeys,
    /// Set for `Flapping` peers.
    pub flap: Option<FlapSchedule>,
    /// The chain it announces; `None` for the spammer, which speaks no status.
    pub chain: Option<FollowedChain>,
    /// Malformed frames the spammer has sent, over all its restarts.
    pub spam_sent: Arc<AtomicU64>,
}

impl DemoPeer {
    pub fn peer_id(&self) -> PeerId {
        self.keys.identity.public().to_peer_id()
    }
}

/// What every demo peer shares with the node.
#[derive(Clone)]
pub struct Env {
    pub listen_ip: Ipv4Addr,
    pub book: BootstrapBook,
    /// The node's TCP address (with `/p2p/`), once its listener is up.
    pub node_addr: watch::Receiver<Option<Multiaddr>>,
}

/// One of the peer's three listeners.
struct Listener {
    /// Port 0 address asked for at start.
    requested: Multiaddr,
    /// The address it got (certhash stripped), reused after a flap so addresses stay stable.
    bound: Option<Multiaddr>,
    /// `None` while down or waiting for a retry.
    id: Option<ListenerId>,
    failures: u32,
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs the peer forever; returns only if setting it up fails (the supervisor retries).
pub async fn run(peer: &DemoPeer, env: &mut Env) -> Result<Infallible> {
    let mut swarm =
        swarm::build(peer.keys.clone(), |key| DemoBehaviour::new(key.public(), peer.kind)).await?;
    let local = *swarm.local_peer_id();
    let _slow_ping =
        match swarm.behaviour().streams.as_ref().filter(|_| peer.kind == BehaviourKind::Slow) {
            Some(streams) => {
                let incoming = streams
                    .new_control()
                    .accept(slow_ping::PING_PROTOCOL)
                    .map_err(|e| anyhow::anyhow!("slow ping: {e}"))?;
                Some(AbortOnDrop(tokio::spawn(slow_ping::serve(
                    incoming,
                    slow_ping::SLOW_PING_DELAY,
                ))))
            }
            None => None,
        };

    env.book.clear_demo_listen_addrs(local);
    let ip = env.listen_ip;
    let mut listeners = Vec::new();
    for requested in [
        format!("/ip4/{ip}/udp/0/webrtc-direct"),
        format!("/ip4/{ip}/udp/0/quic-v1/webtransport"),
        format!("/ip4/{ip}/tcp/0/ws"),
    ] {
        let requested: Multiaddr = requested.parse().expect("demo listen address is well-formed");
        let id = swarm
            .listen_on(requested.clone())
            .with_context(|| format!("listening on {requested}"))?;
        listeners.push(Listener { requested, bound: None, id: Some(id), failures: 0 });
    }

    let node_addr = env
        .node_addr
        .wait_for(Option::is_some)
        .await
        .context("node stopped before its TCP listener came up")?
        .clone()
        .expect("waited for Some");
    dial(&mut swarm, &node_addr);

    let follower = peer.chain.as_ref().map(|chain| {
        if let Some(pk) = swarm.behaviour_mut().peerkeeper.as_mut() {
            pk.set_header_source(chain.headers());
            pk.set_local_status(chain.status());
        }
        chain.follow()
    });
    let mut task = PeerTask {
        swarm,
        peer,
        env,
        listeners,
        node_addr,
        up: true,
        retry_at: None,
        follower,
        connected: BTreeSet::new(),
    };
    task.drive().await
}

fn dial(swarm: &mut Swarm<DemoBehaviour>, addr: &Multiaddr) {
    if let Err(e) = swarm.dial(addr.clone()) {
        tracing::warn!(%addr, %e, "demo peer cannot dial the node");
    }
}

struct PeerTask<'a> {
    swarm: Swarm<DemoBehaviour>,
    peer: &'a DemoPeer,
    env: &'a Env,
    listeners: Vec<Listener>,
    node_addr: Multiaddr,
    up: bool,
    retry_at: Option<Instant>,
    follower: Option<StatusFollower>,
    /// Peers with a connection, for the spammer to spam.
    connected: BTreeSet<PeerId>,
}

impl PeerTask<'_> {
    async fn drive(&mut self) -> Result<Infallible> {
        let started = Instant::now();
        let mut spam_tick = tokio::time::interval(spam::SPAM_INTERVAL);
        let mut flap_at =
            self.peer.flap.map(|f| started + Duration::from_millis(f.phase_at(0).next_change_ms));
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_event(event),
                _ = wake(flap_at) => {
                    let flap = self.peer.flap.expect("only flapping peers have a flap deadline");
                    let now = flap.phase_at(started.elapsed().as_millis() as u64);
                    flap_at = Some(started + Duration::from_millis(now.next_change_ms));
                    match now.phase {
                        Phase::Down if self.up => self.go_down(),
                        Phase::Up if !self.up => self.go_up(),
                        _ => {}
                    }
                }
                _ = wake(self.retry_at) => {
                    self.retry_at = None;
                    if self.up {
                        self.relisten();
                    }
                }
                status = next_status(&mut self.follower) => {
                    if let Some(pk) = self.swarm.behaviour_mut().peerkeeper.as_mut() {
                        pk.set_local_status(status);
                    }
                }
                _ = spam_tick.tick(), if self.peer.kind == BehaviourKind::Spamming => self.spam(),
            }
        }
    }

    fn on_event(&mut self, event: SwarmEvent<DemoBehaviourEvent>) {
        let local = *self.swarm.local_peer_id();
        let kind = self.peer.kind;
        match event {
            SwarmEvent::NewListenAddr { listener_id, address } => {
                let Some(l) = self.listeners.iter_mut().find(|l| l.id == Some(listener_id)) else {
                    return;
                };
                let bound = without_certhash(&address);
                if let Some(old) = l.bound.replace(bound.clone()).filter(|old| *old != bound) {
                    // Moved to a new port: the old address is no longer this peer's.
                    self.env.book.remove_demo_listen_addr(local, &old);
                }
                l.failures = 0;
                // A WebTransport listener announces its address again when its certificates
                // rotate: the new certhashes replace the old ones.
                self.env.book.remove_demo_listen_addr(local, &bound);
                self.env.book.add_demo_listen_addr(local, &address);
                tracing::debug!(%kind, peer = %local, %address, "demo peer listening");
            }
            SwarmEvent::ListenerClosed { listener_id, reason, .. } => {
                // Our own removals cleared the id first; anything else died under us.
                if let Some(l) = self.listeners.iter_mut().find(|l| l.id == Some(listener_id)) {
                    tracing::warn!(%kind, peer = %local, ?reason, "demo listener closed; reopening");
                    l.id = None;
                    self.retry_at.get_or_insert_with(|| Instant::now() + RELISTEN_RETRY);
                }
            }
            SwarmEvent::ConnectionEstablished { peer_id, endpoint, .. } => {
                self.connected.insert(peer_id);
                if !self.up {
                    // Finished its handshake after we went down: a down peer keeps nothing.
                    let _ = self.swarm.disconnect_peer_id(peer_id);
                    return;
                }
                tracing::debug!(%kind, peer = %local, remote = %peer_id, addr = %endpoint.get_remote_address(), "demo peer connected");
            }
            SwarmEvent::ConnectionClosed { peer_id, num_established: 0, .. } => {
                self.connected.remove(&peer_id);
            }
            SwarmEvent::Behaviour(DemoBehaviourEvent::Identify(e)) => {
                if let Some(pk) = self.swarm.behaviour_mut().peerkeeper.as_mut() {
                    pk.peers_mut().on_identify_event(&e);
                }
            }
            SwarmEvent::Behaviour(DemoBehaviourEvent::Ping(e)) => {
                // A failed ping is how a demo peer learns the page went away: WebRTC does not
                // notice, and the dead connection would keep its stack until the idle timeout.
                match self.swarm.behaviour_mut().peerkeeper.as_mut() {
                    Some(pk) => {
                        pk.peers_mut().on_ping_event(&e);
                    }
                    None if connection_manager::unresponsive(&e).is_some() => {
                        self.swarm.close_connection(e.connection);
                    }
                    None => {}
                }
            }
            SwarmEvent::OutgoingConnectionError { error, .. } => {
                tracing::warn!(%kind, peer = %local, %error, "demo peer could not reach the node");
            }
            _ => {}
        }
    }

    /// Sends the next malformed frame to every connected peer, each on its own stream.
    fn spam(&mut self) {
        let Some(streams) = self.swarm.behaviour().streams.as_ref() else { return };
        for peer in &self.connected {
            let n = self.peer.spam_sent.fetch_add(1, Ordering::Relaxed);
            let control = streams.new_control();
            let peer = *peer;
            tokio::spawn(async move {
                // A peer that banned us refuses the stream; that is the point.
                if let Err(e) = spam::send(control, peer, n).await {
                    tracing::trace!(%peer, %e, "spam frame not delivered");
                }
            });
        }
    }

    fn go_down(&mut self) {
        self.up = false;
        self.retry_at = None;
        for l in &mut self.listeners {
            if let Some(id) = l.id.take() {
                self.swarm.remove_listener(id);
            }
        }
        let connected: Vec<PeerId> = self.swarm.connected_peers().copied().collect();
        for peer in &connected {
            let _ = self.swarm.disconnect_peer_id(*peer);
        }
        tracing::info!(peer = %self.swarm.local_peer_id(), dropped = connected.len(), "flapping demo peer down");
    }

    fn go_up(&mut self) {
        self.up = true;
        self.relisten();
        let node_addr = self.node_addr.clone();
        dial(&mut self.swarm, &node_addr);
        tracing::info!(peer = %self.swarm.local_peer_id(), "flapping demo peer up");
    }

    /// (Re)opens every closed listener on its old port; after [`RELISTEN_ATTEMPTS`] failures,
    /// on a free one.
    fn relisten(&mut self) {
        let local = *self.swarm.local_peer_id();
        for l in self.listeners.iter_mut().filter(|l| l.id.is_none()) {
            let addr = match &l.bound {
                Some(bound) if l.failures < RELISTEN_ATTEMPTS => bound.clone(),
                _ => l.requested.clone(),
            };
            match self.swarm.listen_on(addr.clone()) {
                Ok(id) => l.id = Some(id),
                Err(e) => {
                    l.failures += 1;
                    tracing::debug!(peer = %local, %addr, %e, failures = l.failures, "demo relisten failed");
                    self.retry_at.get_or_insert_with(|| Instant::now() + RELISTEN_RETRY);
                }
            }
        }
    }
}

async fn next_status(follower: &mut Option<StatusFollower>) -> peerkeeper_core::fork::ChainStatus {
    match follower {
        Some(f) => f.changed().await,
        None => std::future::pending().await,
    }
}

async fn wake(at: Option<Instant>) {
    match at {
        Some(at) => sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// `/ip4/../udp/N/webrtc-direct/certhash/..` -> `/ip4/../udp/N/webrtc-direct`: the form
/// `listen_on` takes (the certificate is the transport's, not the address's).
fn without_certhash(addr: &Multiaddr) -> Multiaddr {
    addr.iter().take_while(|p| !matches!(p, Protocol::Certhash(_) | Protocol::P2p(_))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relisten_addresses_drop_the_certhash_and_peer_id() {
        let addr: Multiaddr = "/ip4/127.0.0.1/udp/4001/webrtc-direct/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g"
            .parse()
            .unwrap();
        assert_eq!(without_certhash(&addr).to_string(), "/ip4/127.0.0.1/udp/4001/webrtc-direct");
        let ws: Multiaddr = "/ip4/127.0.0.1/tcp/4002/ws".parse().unwrap();
        assert_eq!(without_certhash(&ws), ws);
        let wt: Multiaddr = "/ip4/127.0.0.1/udp/4003/quic-v1/webtransport/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g"
            .parse()
            .unwrap();
        assert_eq!(
            without_certhash(&wt).to_string(),
            "/ip4/127.0.0.1/udp/4003/quic-v1/webtransport"
        );
    }
}

#[cfg(test)]
mod swarm_tests {
    use libp2p::swarm::SwarmEvent;
    use peerkeeper_net::{NodeBehaviour, NodeBehaviourEvent};

    use super::*;

    /// What the node saw of the demo peer, in order.
    #[derive(Debug, PartialEq)]
    enum Seen {
        Connected,
        Identified(String),
        Closed,
    }

    #[tokio::test]
    async fn a_flapping_peer_drops_its_connections_refuses_dials_while_down_and_returns_on_the_same_ports(
    ) {
        let mut node = swarm::build(NodeKeys::ephemeral().unwrap(), |k| {
            NodeBehaviour::new(k.public(), "node", Duration::from_secs(1))
        })
        .await
        .unwrap();
        node.listen_on("/ip4/127.0.0.1/tcp/0".parse().unwrap()).unwrap();
        let node_addr = loop {
            if let SwarmEvent::NewListenAddr { address, .. } = node.select_next_some().await {
                break address.with_p2p(*node.local_peer_id()).unwrap();
            }
        };
        let book = BootstrapBook::new(*node.local_peer_id());
        let peer = DemoPeer {
            kind: BehaviourKind::Flapping,
            keys: NodeKeys::ephemeral().unwrap(),
            flap: Some(FlapSchedule::new(1_500, 1_500, 1_000)),
            chain: None,
            spam_sent: Arc::default(),
        };
        let demo_id = peer.peer_id();
        book.add_demo_peer(demo_id, "flapping");
        let (_node_addr_tx, node_addr_rx) = watch::channel(Some(node_addr));
        let mut env =
            Env { listen_ip: Ipv4Addr::LOCALHOST, book: book.clone(), node_addr: node_addr_rx };
        let demo = tokio::spawn(async move { run(&peer, &mut env).await });

        let mut seen = Vec::new();
        let mut addrs_before = Vec::new();
        let mut refused_while_down = false;
        tokio::time::timeout(Duration::from_secs(20), async {
            while seen.iter().filter(|s| **s == Seen::Connected).count() < 2 || seen.len() < 5 {
                match node.select_next_some().await {
                    SwarmEvent::ConnectionEstablished { peer_id, .. } if peer_id == demo_id => {
                        seen.push(Seen::Connected);
                    }
                    SwarmEvent::ConnectionClosed { peer_id, .. } if peer_id == demo_id => {
                        seen.push(Seen::Closed);
                        addrs_before = book.snapshot().demo_peers[0].addrs.clone();
                        let ws = addrs_before.iter().find(|a| a.transport == "websocket").unwrap();
                        let port = ws_port(&ws.multiaddr);
                        // The listener is removed before the connections are closed; give the
                        // socket a moment to be dropped, well inside the 1 s down phase.
                        for _ in 0..10 {
                            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
                                refused_while_down = true;
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                    SwarmEvent::Behaviour(NodeBehaviourEvent::Identify(
                        libp2p::identify::Event::Received { peer_id, info, .. },
                    )) if peer_id == demo_id => seen.push(Seen::Identified(info.agent_version)),
                    _ => {}
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("flap cycle not seen in 20 s: {seen:?}"));
        demo.abort();

        let agent = BehaviourKind::Flapping.agent_version();
        assert_eq!(
            seen,
            vec![
                Seen::Connected,
                Seen::Identified(agent.clone()),
                Seen::Closed,
                Seen::Connected,
                Seen::Identified(agent),
            ]
        );
        assert!(refused_while_down, "the websocket port still accepted while down");
        assert_eq!(addrs_before.len(), 3);
        assert_eq!(book.snapshot().demo_peers[0].addrs, addrs_before);
    }

    fn ws_port(multiaddr: &str) -> u16 {
        let addr: Multiaddr = multiaddr.parse().unwrap();
        addr.iter()
            .find_map(|p| match p {
                Protocol::Tcp(port) => Some(port),
                _ => None,
            })
            .unwrap()
    }
}

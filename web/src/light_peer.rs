//! The browser light peer: one long-lived rust-libp2p swarm per page.
//!
//! The swarm runs in a local task for the page's lifetime; the handle only sends it commands.
//! Dropping a swarm in the browser leaves WebRTC callbacks firing into freed memory, so the
//! task keeps the swarm even when every handle is gone.
//!
//! The peerkeeper set (`peerkeeper_net::peerkeeper_behaviour`) manages the swarm: the engine
//! trims past the high water (each trim reaches the page with its ranked report), strikes and
//! soft-bans peers that send garbage, redials dropped peers on its backoff ladder (never past
//! the high water), learns peers through peer exchange, and, given a chain to follow
//! ([`LightPeerOptions::chain`]), judges every peer's status: other networks are dropped,
//! peers whose final history contradicts ours lose alignment. The page follows the chain as a
//! light node: it fetches headers from peers ahead of it (never from one that says it is on a
//! minority fork) and applies those that extend its head.

use std::time::Duration;

use futures::{
    channel::{mpsc, oneshot},
    select, StreamExt,
};
use libp2p::{
    core::{transport::Transport as _, upgrade::Version},
    identify, noise, ping,
    swarm::{dial_opts::DialOpts, NetworkBehaviour, SwarmEvent},
    webrtc_websys, websocket_websys, webtransport_websys, yamux, Multiaddr, PeerId, Swarm,
};
use peerkeeper_core::fork::{BlockRef, ChainStatus, ForkConfig, ForkStatus, Header};
use peerkeeper_core::{DisconnectReason, Event as EngineEvent, PeerAction, TrimReport};
use peerkeeper_net::{
    browser_dialable, connection_manager,
    headers_protocol::MAX_HEADERS,
    peerkeeper_behaviour::{self, ChainStart, PeerkeeperBehaviour},
    transport_name, NodeBehaviour,
};

pub use crate::light_peer_event::{
    label, report_action, ChainStartView, EnginePeerView, EngineView, LightPeerEvent, SettingsView,
    StatusView, TrimEntryView,
};

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

/// The rest of the light peer's settings, kept apart from [`LightPeerConfig`] so code that
/// builds that one field by field keeps compiling.
#[derive(Debug, Clone, PartialEq)]
pub struct LightPeerOptions {
    /// The chain to follow (the node's `/bootstrap.json` `chain`). `None`: peers' statuses are
    /// reported but judged against nothing, so nobody loses alignment or is dropped for it.
    pub chain: Option<ChainStartView>,
    /// First wait before redialling a dropped peer (ms); each failed redial doubles it.
    /// Example: 2 000 gives the ladder 2, 4, 8, 16, 32, 60 s. The seed's 30 s suits a node that
    /// runs for days; a page is watched for minutes.
    pub initial_backoff_ms: u64,
    /// Cap on the doubling wait (ms). Example: 60 000.
    pub max_backoff_ms: u64,
}

impl Default for LightPeerOptions {
    fn default() -> Self {
        LightPeerOptions { chain: None, initial_backoff_ms: 2_000, max_backoff_ms: 60_000 }
    }
}

fn behaviour_config(
    config: &LightPeerConfig,
    options: &LightPeerOptions,
) -> peerkeeper_behaviour::Config {
    let mut c = peerkeeper_behaviour::Config::default();
    let engine = &mut c.peers.engine;
    engine.low_water = config.low_water;
    engine.high_water = config.high_water;
    engine.grace_period = config.grace_period_ms;
    engine.silence_period = config.silence_period_ms;
    // The engine keeps known peers connected: redials with backoff, hellos with timeouts.
    engine.track_lifecycle = true;
    engine.backoff.initial_backoff = options.initial_backoff_ms;
    engine.backoff.max_backoff = options.max_backoff_ms;
    c.peers.hold_dials_at_high_water = true;
    if let Some(chain) = &options.chain {
        engine.fork = Some(ForkConfig::new(chain.network_id, chain.fork_digest));
        c.chain = Some(ChainStart { head: chain.head.clone(), lib: chain.lib });
    }
    c
}

#[derive(NetworkBehaviour)]
struct LightPeerBehaviour {
    peerkeeper: PeerkeeperBehaviour,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
}

const PING_INTERVAL: Duration = Duration::from_secs(5);
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(300);
/// A headers request we made ourselves is given this long before another peer is asked.
const HEADERS_PATIENCE_MS: u64 = 10_000;

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
    Engine(Control),
    ExportSnapshot(oneshot::Sender<Vec<u8>>),
    /// The bytes and how long ago (wall-clock ms) they were exported.
    ImportSnapshot(Vec<u8>, u64, oneshot::Sender<Result<usize, String>>),
}

/// A command the engine carries out.
enum Control {
    Protect { peer: PeerId, tag: String },
    Unprotect { peer: PeerId, tag: String },
    Tag { peer: PeerId, tag: String, value: i64 },
    Untag { peer: PeerId, tag: String },
    Report { peer: PeerId, action: PeerAction, name: String },
    Disconnect(PeerId, oneshot::Sender<bool>),
    SetTrimSettings(SettingsView, oneshot::Sender<Result<bool, String>>),
    View(oneshot::Sender<EngineView>),
}

/// Handle to the page's light peer.
#[derive(Clone)]
pub struct LightPeer {
    commands: mpsc::UnboundedSender<Command>,
    local_peer_id: PeerId,
}

impl LightPeer {
    /// Starts the swarm with a fresh identity and default [`LightPeerOptions`] (no chain);
    /// `on_event` receives every [`LightPeerEvent`]. A bad `config` is refused with the field
    /// it names.
    pub fn start(
        config: LightPeerConfig,
        on_event: impl Fn(LightPeerEvent) + 'static,
    ) -> Result<LightPeer, String> {
        Self::start_with(config, LightPeerOptions::default(), on_event)
    }

    /// [`LightPeer::start`] with options: the chain to follow and the redial ladder.
    pub fn start_with(
        config: LightPeerConfig,
        options: LightPeerOptions,
        on_event: impl Fn(LightPeerEvent) + 'static,
    ) -> Result<LightPeer, String> {
        crate::callback_guard::install_callback_guard();
        let key = libp2p::identity::Keypair::generate_ed25519();
        let local = key.public().to_peer_id();
        let peerkeeper = PeerkeeperBehaviour::new(local, behaviour_config(&config, &options))
            .map_err(|e| format!("light peer config: {e}"))?;
        let swarm =
            build_swarm(key, peerkeeper).map_err(|e| format!("starting the light peer: {e}"))?;
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
        let peer = peer_arg(peer_id)?;
        self.send(Control::Protect { peer, tag: tag_arg(tag)? });
        Ok(())
    }

    /// Removes one protection tag; the peer stays protected while it has others
    /// ([`LightPeerEvent::Unprotected`] says which).
    pub fn unprotect(&self, peer_id: &str, tag: &str) -> Result<(), String> {
        let peer = peer_arg(peer_id)?;
        self.send(Control::Unprotect { peer, tag: tag_arg(tag)? });
        Ok(())
    }

    /// Sets a static tag on the peer (its value counts toward the peer's score in trims);
    /// [`LightPeerEvent::Tagged`] follows.
    pub fn tag(&self, peer_id: &str, tag: &str, value: i64) -> Result<(), String> {
        let peer = peer_arg(peer_id)?;
        self.send(Control::Tag { peer, tag: tag_arg(tag)?, value });
        Ok(())
    }

    /// Removes a static tag; [`LightPeerEvent::TagRemoved`] follows if there was one.
    pub fn untag(&self, peer_id: &str, tag: &str) -> Result<(), String> {
        let peer = peer_arg(peer_id)?;
        self.send(Control::Untag { peer, tag: tag_arg(tag)? });
        Ok(())
    }

    /// Reports what the peer did (`name` says what, for its last-action record): its
    /// behaviour score moves, and at the thresholds the engine disconnects or bans it
    /// ([`LightPeerEvent::Reported`], then `Banned` / `Dropped`).
    pub fn report(&self, peer_id: &str, action: PeerAction, name: &str) -> Result<(), String> {
        let peer = peer_arg(peer_id)?;
        if let PeerAction::Custom { delta } = action {
            if !delta.is_finite() {
                return Err(format!("delta: must be a finite number, got {delta}"));
            }
        }
        self.send(Control::Report { peer, action, name: name.to_string() });
        Ok(())
    }

    /// Closes every connection to the peer with the reason `client_shutdown` (the engine's
    /// record of it, and [`LightPeerEvent::Dropped`]); the engine may redial it later on its
    /// backoff ladder. Refused if the peer is not connected.
    pub async fn disconnect(&self, peer_id: &str) -> Result<(), String> {
        let peer = peer_arg(peer_id)?;
        let (tx, rx) = oneshot::channel();
        self.commands
            .unbounded_send(Command::Engine(Control::Disconnect(peer, tx)))
            .map_err(|_| stopped())?;
        match rx.await {
            Ok(true) => Ok(()),
            Ok(false) => Err(format!("peer_id: {peer_id} is not connected")),
            Err(_) => Err(stopped()),
        }
    }

    /// Changes the watermarks, grace and silence while running. A bad set is refused whole,
    /// naming the field. Returns whether the connected count exceeds the new high water, in
    /// which case a trim follows at once (or when the silence period ends).
    pub async fn set_trim_settings(&self, settings: SettingsView) -> Result<bool, String> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .unbounded_send(Command::Engine(Control::SetTrimSettings(settings, tx)))
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    /// The engine's view of every peer it knows, now; `None` only if the swarm task is gone.
    pub async fn engine_view(&self) -> Option<EngineView> {
        let (tx, rx) = oneshot::channel();
        self.commands.unbounded_send(Command::Engine(Control::View(tx))).ok()?;
        rx.await.ok()
    }

    fn send(&self, control: Control) {
        self.commands
            .unbounded_send(Command::Engine(control))
            .expect("the swarm task lives as long as the page");
    }

    /// The engine's whole state as snapshot bytes (`PeerManager::export_snapshot`), for the
    /// page to persist; `None` only if the swarm task is gone.
    pub async fn export_snapshot(&self) -> Option<Vec<u8>> {
        let (tx, rx) = oneshot::channel();
        self.commands.unbounded_send(Command::ExportSnapshot(tx)).ok()?;
        rx.await.ok()
    }

    /// Brings a stored snapshot back into the engine (before the first dials, so nothing
    /// connected is replaced). A refused snapshot changes nothing and names why. On success a
    /// [`LightPeerEvent::Restored`] lists the peers it brought back. `taken_ago_ms` is the
    /// wall-clock time since the export (the page's own clock restarts at every load): the
    /// engine carries on from the snapshot's time plus that, so a ban or a redial that fell due
    /// while the page was closed happens at once.
    pub async fn import_snapshot(
        &self,
        bytes: Vec<u8>,
        taken_ago_ms: u64,
    ) -> Result<usize, String> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .unbounded_send(Command::ImportSnapshot(bytes, taken_ago_ms, tx))
            .map_err(|_| "the light peer has stopped".to_string())?;
        rx.await.map_err(|_| "the light peer has stopped".to_string())?
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

fn stopped() -> String {
    "the light peer has stopped".to_string()
}

fn peer_arg(peer_id: &str) -> Result<PeerId, String> {
    peer_id.parse().map_err(|e| format!("peer_id: {peer_id:?} is not a peer id ({e})"))
}

fn tag_arg(tag: &str) -> Result<String, String> {
    let tag = tag.trim();
    if tag.is_empty() {
        return Err("tag: must not be empty".to_string());
    }
    Ok(tag.to_string())
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
    key: libp2p::identity::Keypair,
    peerkeeper: PeerkeeperBehaviour,
) -> Result<Swarm<LightPeerBehaviour>, Box<dyn std::error::Error>> {
    Ok(libp2p::SwarmBuilder::with_existing_identity(key)
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
            LightPeerBehaviour { peerkeeper, identify, ping }
        })?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
        .build())
}

async fn run(
    mut swarm: Swarm<LightPeerBehaviour>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    on_event: impl Fn(LightPeerEvent),
) {
    let mut chain = ChainFollower::default();
    if let Some(status) = chain.local_status_changed(&swarm) {
        swarm.behaviour_mut().peerkeeper.set_local_status(status);
    }
    loop {
        select! {
            command = commands.next() => match command {
                Some(Command::Dial(addr)) => {
                    on_event(LightPeerEvent::Dialing { address: addr.to_string() });
                    if let Err(e) = swarm.dial(DialOpts::unknown_peer_id().address(addr.clone()).build()) {
                        on_event(LightPeerEvent::DialFailed { address: addr.to_string(), error: e.to_string() });
                    }
                }
                Some(Command::Engine(c)) => control(&mut swarm, c, &on_event),
                Some(Command::ExportSnapshot(reply)) => {
                    let peers = swarm.behaviour().peerkeeper.peers();
                    let _ = reply.send(peers.manager().export_snapshot(peers.now()));
                }
                Some(Command::ImportSnapshot(bytes, taken_ago, reply)) => {
                    let peers = swarm.behaviour_mut().peerkeeper.peers_mut();
                    let outcome = peers.import_snapshot(&bytes, taken_ago);
                    if outcome.is_ok() {
                        let now = peers.now();
                        let peers = restored_peers(peers.manager(), now);
                        on_event(LightPeerEvent::Restored { peers, at_ms: now });
                    }
                    let _ = reply.send(outcome.map_err(|e| e.to_string()));
                }
                // Every handle is gone; keep driving the swarm (see the module comment).
                None => {}
            },
            event = swarm.select_next_some() => {
                let now = swarm.behaviour().peerkeeper.peers().now();
                // identify and ping results feed the engine (agent versions in its views).
                match &event {
                    SwarmEvent::Behaviour(LightPeerBehaviourEvent::Identify(e)) => {
                        swarm.behaviour_mut().peerkeeper.peers_mut().on_identify_event(e);
                    }
                    SwarmEvent::Behaviour(LightPeerBehaviourEvent::Ping(e)) => {
                        swarm.behaviour_mut().peerkeeper.peers_mut().on_ping_event(e);
                    }
                    SwarmEvent::Behaviour(LightPeerBehaviourEvent::Peerkeeper(e)) => {
                        chain.on_event(&mut swarm, e, now);
                    }
                    _ => {}
                }
                if let Some(event) = translate(event, now) {
                    on_event(event);
                }
                if let Some(status) = chain.local_status_changed(&swarm) {
                    on_event(LightPeerEvent::LocalStatus { status: StatusView::new(&status), at_ms: now });
                    swarm.behaviour_mut().peerkeeper.set_local_status(status);
                }
            }
        }
    }
}

/// Carries out a control on the engine. The behaviour is woken when the engine handle drops,
/// so commands the control queued (closes, a trim) go out at once.
fn control(
    swarm: &mut Swarm<LightPeerBehaviour>,
    command: Control,
    on_event: &impl Fn(LightPeerEvent),
) {
    let peers = swarm.behaviour_mut().peerkeeper.peers_mut();
    let now = peers.now();
    let mut engine = peers.manager_mut();
    match command {
        Control::Protect { peer, tag } => engine.protect(&peer, &tag),
        Control::Unprotect { peer, tag } => drop(engine.unprotect(&peer, &tag)),
        Control::Tag { peer, tag, value } => engine.tag_peer(&peer, &tag, value),
        Control::Untag { peer, tag } => drop(engine.untag_peer(&peer, &tag)),
        Control::Report { peer, action, name } => {
            // Only a non-finite custom delta is refused, and `report` checked that.
            let _ = engine.report_peer(&peer, action, &name, now);
        }
        Control::Disconnect(peer, reply) => {
            let _ = reply.send(engine.disconnect_with_goodbye(
                &peer,
                DisconnectReason::ClientShutdown,
                now,
            ));
        }
        Control::SetTrimSettings(settings, reply) => {
            let outcome = engine.set_trim_settings(settings.into(), now).map_err(|e| e.to_string());
            if let Ok(trimmed) = outcome {
                let settings = engine.trim_settings().into();
                on_event(LightPeerEvent::SettingsChanged { settings, trimmed, at_ms: now });
            }
            let _ = reply.send(outcome);
        }
        Control::View(reply) => {
            let _ = reply.send(EngineView::of(&engine, now));
        }
    }
}

/// The page as a light node: fetches headers from peers ahead of it, applies the ones that
/// extend its head, and advances LIB when a peer's LIB is on its chain.
#[derive(Default)]
struct ChainFollower {
    /// Our own headers request in flight: whom, since when (engine ms).
    asked: Option<(PeerId, u64)>,
    /// The highest LIB a canonical source reported.
    best_lib: Option<BlockRef>,
    /// The status last announced.
    announced: Option<ChainStatus>,
}

impl ChainFollower {
    fn on_event(
        &mut self,
        swarm: &mut Swarm<LightPeerBehaviour>,
        event: &peerkeeper_behaviour::Event,
        now: u64,
    ) {
        match event {
            peerkeeper_behaviour::Event::StatusReceived { peer, status } => {
                if !canonical_source(swarm, peer) {
                    return;
                }
                if self.best_lib.is_none_or(|l| status.lib.number > l.number) {
                    self.best_lib = Some(status.lib);
                }
                self.advance_lib(swarm, now);
                self.ask_if_behind(swarm, peer, status.head.number, now);
            }
            peerkeeper_behaviour::Event::HeadersReceived { peer, headers, .. } => {
                if self.asked.is_some_and(|(p, _)| p == *peer) {
                    self.asked = None;
                }
                if !canonical_source(swarm, peer) {
                    return;
                }
                apply_extending(swarm, peer, headers, now);
                self.advance_lib(swarm, now);
                let their_head = fork_view_status(swarm, peer).map(|s| s.head.number);
                if let Some(head) = their_head {
                    self.ask_if_behind(swarm, peer, head, now);
                }
            }
            _ => {}
        }
    }

    fn ask_if_behind(
        &mut self,
        swarm: &mut Swarm<LightPeerBehaviour>,
        peer: &PeerId,
        their_head: u64,
        now: u64,
    ) {
        let Some(ours) = our_view(swarm).map(|v| v.head().number) else { return };
        let waiting = self.asked.is_some_and(|(_, at)| now < at + HEADERS_PATIENCE_MS);
        if their_head <= ours || waiting {
            return;
        }
        let count = (their_head - ours).min(MAX_HEADERS.into());
        swarm.behaviour_mut().peerkeeper.request_headers(peer, ours + 1, count);
        self.asked = Some((*peer, now));
    }

    fn advance_lib(&mut self, swarm: &mut Swarm<LightPeerBehaviour>, now: u64) {
        let Some(lib) = self.best_lib else { return };
        let advances = our_view(swarm)
            .is_some_and(|v| lib.number > v.lib().number && v.tree().is_canonical(&lib));
        if advances {
            swarm.behaviour_mut().peerkeeper.peers_mut().manager_mut().lib_advanced(lib, now);
        }
    }

    /// Our status, if it changed since last announced.
    fn local_status_changed(&mut self, swarm: &Swarm<LightPeerBehaviour>) -> Option<ChainStatus> {
        let status = our_view(swarm)?.local_status(None, false, false);
        if self.announced.as_ref() == Some(&status) {
            return None;
        }
        self.announced = Some(status.clone());
        Some(status)
    }
}

fn our_view(swarm: &Swarm<LightPeerBehaviour>) -> Option<&peerkeeper_core::fork::ForkView<PeerId>> {
    swarm.behaviour().peerkeeper.peers().manager().fork_view()
}

fn fork_view_status<'a>(
    swarm: &'a Swarm<LightPeerBehaviour>,
    peer: &PeerId,
) -> Option<&'a ChainStatus> {
    our_view(swarm)?.peer_status(peer)
}

/// A peer we take blocks from: on our network (the engine still tracks it) and not saying it
/// is on a minority fork.
fn canonical_source(swarm: &Swarm<LightPeerBehaviour>, peer: &PeerId) -> bool {
    fork_view_status(swarm, peer).is_some_and(|s| s.fork_status != ForkStatus::Minority)
}

/// Applies, in order, the headers that extend our head one by one.
fn apply_extending(
    swarm: &mut Swarm<LightPeerBehaviour>,
    peer: &PeerId,
    headers: &[Header],
    now: u64,
) {
    let Some(mut head) = our_view(swarm).map(|v| v.head()) else { return };
    let mut sorted: Vec<&Header> = headers.iter().collect();
    sorted.sort_by_key(|h| h.number);
    let mut engine = swarm.behaviour_mut().peerkeeper.peers_mut().manager_mut();
    for header in sorted {
        if header.number == head.number + 1 && header.parent == head.id {
            engine.block_applied(header.clone(), Some(*peer), now);
            head = header.block_ref();
        }
    }
}

fn translate(event: SwarmEvent<LightPeerBehaviourEvent>, now: u64) -> Option<LightPeerEvent> {
    use peerkeeper_behaviour::Event as Pk;
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
        SwarmEvent::Dialing { peer_id: Some(peer), .. } => {
            LightPeerEvent::DialStarted { peer_id: peer.to_string(), at_ms: now }
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
        SwarmEvent::Behaviour(LightPeerBehaviourEvent::Peerkeeper(event)) => match event {
            Pk::Peers(connection_manager::Event::Engine(e)) => return engine_event(e),
            Pk::Peers(connection_manager::Event::Closing { peer, reason }) => {
                LightPeerEvent::Dropped {
                    peer_id: peer.to_string(),
                    reason: reason.as_str().to_string(),
                    at_ms: now,
                }
            }
            Pk::Peers(connection_manager::Event::Unresponsive { peer, .. }) => {
                LightPeerEvent::Dropped {
                    peer_id: peer.to_string(),
                    reason: "unresponsive".to_string(),
                    at_ms: now,
                }
            }
            Pk::StatusReceived { peer, status } => LightPeerEvent::PeerStatus {
                peer_id: peer.to_string(),
                status: StatusView::new(&status),
            },
            Pk::PeersLearned { from, peers } => LightPeerEvent::PeersLearned {
                from: from.to_string(),
                addresses: peers
                    .into_iter()
                    .map(|(p, a)| a.with_p2p(p).unwrap_or_else(|a| a).to_string())
                    .collect(),
            },
            _ => return None,
        },
        _ => return None,
    })
}

fn engine_event(event: EngineEvent<PeerId>) -> Option<LightPeerEvent> {
    Some(match event {
        EngineEvent::Trimmed { report, at } => trimmed(report, at),
        EngineEvent::Struck { peer, kind, counted, strikes, threshold, at } => {
            LightPeerEvent::Struck {
                peer_id: peer.to_string(),
                kind: label(&kind),
                counted,
                strikes,
                threshold,
                at_ms: at,
            }
        }
        EngineEvent::SoftBanned { peer, reason, until, at } => LightPeerEvent::SoftBanned {
            peer_id: peer.to_string(),
            reason,
            until_ms: until,
            at_ms: at,
        },
        EngineEvent::BanExpired { peer, at, .. } => {
            LightPeerEvent::BanExpired { peer_id: peer.to_string(), at_ms: at }
        }
        EngineEvent::AlignmentChanged { peer, aligned, why, at } => {
            LightPeerEvent::AlignmentChanged {
                peer_id: peer.to_string(),
                aligned,
                why: label(&why),
                at_ms: at,
            }
        }
        EngineEvent::DialScheduled { peer, due, backoff, failures, at } => {
            LightPeerEvent::DialScheduled {
                peer_id: peer.to_string(),
                due_ms: due,
                backoff_ms: backoff,
                failures,
                at_ms: at,
            }
        }
        other => return crate::light_peer_event::control_event(&other),
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

/// Every peer the engine knows, as the page shows a restored snapshot.
fn restored_peers(
    pm: &peerkeeper_core::PeerManager<PeerId>,
    now: u64,
) -> Vec<crate::light_peer_event::RestoredPeerView> {
    pm.peers(now)
        .into_iter()
        .zip(pm.score_stats(now))
        .map(|(p, s)| crate::light_peer_event::RestoredPeerView {
            peer_id: p.peer_id.to_string(),
            score: s.score,
            protected: pm.is_protected(&p.peer_id, None),
            reason: p.disconnect_reason.map(|r| r.as_str().to_string()),
            banned_until_ms: s.banned_until.or(pm.soft_ban_of(&p.peer_id).map(|b| b.until)),
            agent_version: p.agent_version,
        })
        .collect()
}

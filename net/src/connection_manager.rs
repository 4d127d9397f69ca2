//! A connection manager for any rust-libp2p node: a [`NetworkBehaviour`] that feeds connection
//! events into the peerkeeper engine ([`PeerManager`]) and carries out its commands.
//!
//! - Every established and closed connection is reported to the engine, keyed by [`PeerId`].
//! - The engine's `Disconnect` commands (trims, soft bans) become [`ToSwarm::CloseConnection`];
//!   its `Dial` and `Probe` commands become dials whose outcome is reported back.
//! - Connections beyond [`Config::max_connections`], to or from peers on the block list, or
//!   from peers the engine refuses (banned, soft-banned, blocklisted) are refused with a
//!   [`ConnectionDenied`] the caller can downcast from `SwarmEvent::IncomingConnectionError` /
//!   `DialError::Denied`.
//! - Every engine event (connections, tags, trims with their reports) is emitted as
//!   [`Event::Engine`], so the app can observe and explain trims; commands only the app can
//!   carry out (fetching blocks, switching fork) arrive as [`Event::Host`].
//! - The engine's timers (decays, deferred trims, retention) are driven from `poll` with
//!   `futures-timer`, on native and wasm32 alike.
//!
//! rust-libp2p behaviours cannot see each other's events, so identify and ping results reach
//! the manager through the app: call [`Behaviour::on_identify_event`] and
//! [`Behaviour::on_ping_event`] from the swarm loop (see the example). A protocol behaviour
//! composed beside this one (e.g. a status protocol) feeds the engine the same way, through
//! [`Behaviour::manager_mut`].
//!
//! ```
//! use libp2p::swarm::{NetworkBehaviour, Swarm, SwarmEvent};
//! use libp2p::{identify, identity::Keypair, ping};
//! use peerkeeper_net::connection_manager::{self, Config, Event};
//!
//! #[derive(NetworkBehaviour)]
//! struct App {
//!     peers: connection_manager::Behaviour,
//!     identify: identify::Behaviour,
//!     ping: ping::Behaviour,
//! }
//!
//! fn app(key: &Keypair) -> App {
//!     let mut config = Config::default();
//!     config.engine.high_water = 50;
//!     config.engine.low_water = 40;
//!     config.max_connections = Some(64);
//!     App {
//!         peers: connection_manager::Behaviour::new(config).expect("valid config"),
//!         identify: identify::Behaviour::new(identify::Config::new("/app/1".into(), key.public())),
//!         ping: ping::Behaviour::default(),
//!     }
//! }
//!
//! // Call this with every event of the app's swarm.
//! fn on_event(swarm: &mut Swarm<App>, event: SwarmEvent<AppEvent>) {
//!     let peers = &mut swarm.behaviour_mut().peers;
//!     match event {
//!         SwarmEvent::Behaviour(AppEvent::Identify(e)) => {
//!             peers.on_identify_event(&e);
//!         }
//!         SwarmEvent::Behaviour(AppEvent::Ping(e)) => {
//!             peers.on_ping_event(&e);
//!         }
//!         SwarmEvent::Behaviour(AppEvent::Peers(Event::Engine(peerkeeper_core::Event::Trimmed {
//!             report, ..
//!         }))) => {
//!             for entry in report.closed_in_order() {
//!                 println!("trimmed {} ({:?})", entry.peer, entry.verdict);
//!             }
//!         }
//!         _ => {}
//!     }
//! }
//!
//! let key = Keypair::generate_ed25519();
//! let mut behaviour = app(&key);
//! // Keep a peer through every trim.
//! behaviour.peers.manager_mut().protect(&key.public().to_peer_id(), "validator");
//! # let _ = on_event;
//! ```

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::convert::Infallible;
use std::ops::{Deref, DerefMut};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures::FutureExt;
use futures_timer::Delay;
use libp2p::core::{transport::PortUse, Endpoint, Multiaddr};
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::swarm::{
    dummy, CloseConnection, ConnectionId, FromSwarm, NetworkBehaviour, THandler, THandlerInEvent,
    THandlerOutEvent, ToSwarm,
};
use libp2p::{identify, ping, PeerId};
use peerkeeper_core::{Command, ConfigError, ConnId, Direction, Millis, PeerManager};

/// What the behaviour emits, keyed by [`PeerId`].
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Something the engine observed: a trim and its report, a tag change, a soft ban ...
    Engine(peerkeeper_core::Event<PeerId>),
    /// An engine command only the application can carry out (fetch blocks, switch fork).
    Host(Command<PeerId>),
    /// The engine is closing every connection to `peer`, and why (`irrelevant_network`,
    /// `banned`, `too_many_peers` ...); libp2p's own close event carries no reason.
    Closing { peer: PeerId, reason: peerkeeper_core::DisconnectReason },
    /// A ping on `connection` failed (timed out or its stream broke), so that connection is
    /// being closed: a connection that cannot answer a ping is dead, and the transport may
    /// never notice (WebRTC keeps a vanished browser's connection open).
    Unresponsive { peer: PeerId, connection: ConnectionId, error: String },
}

/// A millisecond clock. The engine's `now` comes from here, so tests and the teaching demo can
/// inject a virtual one.
pub trait Clock: Send + 'static {
    fn now(&self) -> Millis;
    /// Moves the clock forward so that `now() >= at` from here on; never moves it back. A
    /// restored snapshot carries the time it was taken, which a fresh clock lags.
    fn skip_to(&mut self, at: Millis);
}

/// A clock that moves only when told to: for tests, replays and virtual-time demos. Clones
/// share one time, so a test can keep a handle while the behaviour owns another.
#[derive(Debug, Clone, Default)]
pub struct ManualClock(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl ManualClock {
    /// Sets the time every clone reads from now on.
    pub fn set(&self, now: Millis) {
        self.0.store(now, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn skip_to(&mut self, at: Millis) {
        self.0.fetch_max(at, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Milliseconds since this clock was created (plus any [`skip_to`](Clock::skip_to)), from
/// `web_time::Instant` (monotonic, and safe in the browser where `std::time::Instant::now`
/// panics).
#[derive(Debug, Clone)]
pub struct MonotonicClock {
    start: web_time::Instant,
    skipped: Millis,
}

impl Default for MonotonicClock {
    fn default() -> Self {
        MonotonicClock { start: web_time::Instant::now(), skipped: 0 }
    }
}

impl Clock for MonotonicClock {
    fn now(&self) -> Millis {
        let elapsed: Millis = self.start.elapsed().as_millis().try_into().unwrap_or(Millis::MAX);
        elapsed.saturating_add(self.skipped)
    }

    fn skip_to(&mut self, at: Millis) {
        self.skipped = self.skipped.saturating_add(at.saturating_sub(self.now()));
    }
}

/// Settings for [`Behaviour`]: the engine's settings plus the hard connection limit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// Watermarks, grace and silence periods, decay resolution, retention. Remote peers pick
    /// their own ids, so a node reachable by strangers should set a random `hash_seed`.
    pub engine: peerkeeper_core::Config,
    /// Established connections (all peers, both directions) beyond which new ones are refused
    /// with [`ConnectionDenied::LimitReached`]. `None` (the default) refuses nothing and
    /// leaves the count to the watermarks. Must exceed `engine.high_water`, or the peer that
    /// crosses high water could never connect and trims would never run. Unit: connections.
    /// Example: `Some(64)` with `high_water = 50` lets 64 connections open; the 65th is
    /// refused until a trim (or the remote) closes one.
    pub max_connections: Option<usize>,
    /// Carry out the engine's reconnect `Dial`s only while fewer than `engine.high_water` peers
    /// are connected or being dialled by the engine; a dial due at high water is reported failed at once, so the peer backs
    /// off (its next wait doubles) instead of connecting only to be trimmed again. Default
    /// false. Example: high water 8, 8 peers connected, a trimmed peer's redial comes due: no
    /// socket opens and the peer is next due one doubled backoff later.
    pub hold_dials_at_high_water: bool,
    /// Keep a connection whose ping failed instead of closing it. Default false: a failed
    /// ping (timeout or broken stream, not a peer without ping) closes that connection and
    /// emits [`Event::Unresponsive`]; libp2p's ping only reports failures.
    pub keep_unresponsive: bool,
}

impl Config {
    /// Checks every field; the error names the first offending one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.engine.validate()?;
        if let Some(max) = self.max_connections {
            if max <= self.engine.high_water {
                return Err(ConfigError::invalid(
                    "max_connections",
                    format!("must exceed high_water ({max} <= {})", self.engine.high_water),
                ));
            }
        }
        Ok(())
    }
}

/// Why the behaviour refused a connection; downcast it from libp2p's `ConnectionDenied`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionDenied {
    /// [`Config::max_connections`] connections are already established.
    #[error("connection limit reached: {established} of {limit} connections established")]
    LimitReached { limit: usize, established: usize },
    /// The peer is on the block list ([`Behaviour::block_peer`]).
    #[error("peer {peer} is blocked")]
    Blocked { peer: PeerId },
    /// The engine refuses the peer: banned for its behaviour score, soft-banned for spam
    /// strikes, or on the blocklist.
    #[error("peer {peer} refused by the engine: {reason}")]
    Refused { peer: PeerId, reason: peerkeeper_core::ConnectionDenied },
}

/// The failure of a ping that says its connection is dead (timed out or its stream broke);
/// `None` for a success or a peer that does not speak ping. For swarms that close such
/// connections without a [`Behaviour`].
pub fn unresponsive(event: &ping::Event) -> Option<&ping::Failure> {
    match &event.result {
        Err(ping::Failure::Unsupported) | Ok(_) => None,
        Err(failure) => Some(failure),
    }
}

/// What identify and ping told us about a connected peer; dropped when its last connection
/// closes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerInfo {
    pub agent_version: Option<String>,
    /// Latest round-trip time reported by ping.
    pub rtt: Option<Duration>,
}

/// The connection manager. See the [module docs](self) for how an app composes it.
pub struct Behaviour<C: Clock = MonotonicClock> {
    engine: PeerManager<PeerId>,
    clock: C,
    max_connections: Option<usize>,
    /// Established connections and the engine's id for each (libp2p's `ConnectionId` has no
    /// public integer, so ids come from a counter).
    conns: HashMap<ConnectionId, (PeerId, ConnId)>,
    next_conn: u64,
    blocked: BTreeSet<PeerId>,
    hold_dials_at: Option<usize>,
    keep_unresponsive: bool,
    /// Peers the engine asked us to dial whose outcome is not known yet.
    dialing: BTreeSet<PeerId>,
    /// Peers dialled for an engine `Probe`; their outcome goes to `probe_result`.
    probing: BTreeSet<PeerId>,
    info: HashMap<PeerId, PeerInfo>,
    pending: VecDeque<ToSwarm<Event, Infallible>>,
    /// The engine deadline the armed delay is for.
    timer: Option<(Millis, Delay)>,
    waker: Option<Waker>,
}

impl Behaviour<MonotonicClock> {
    /// A manager on the monotonic clock; refuses an invalid config, naming the field.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        Self::with_clock(config, MonotonicClock::default())
    }
}

impl<C: Clock> Behaviour<C> {
    /// A manager whose `now` comes from `clock`.
    pub fn with_clock(config: Config, clock: C) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Behaviour {
            engine: PeerManager::new(config.engine.clone())?,
            clock,
            max_connections: config.max_connections,
            conns: HashMap::new(),
            next_conn: 0,
            blocked: BTreeSet::new(),
            hold_dials_at: config.hold_dials_at_high_water.then_some(config.engine.high_water),
            keep_unresponsive: config.keep_unresponsive,
            dialing: BTreeSet::new(),
            probing: BTreeSet::new(),
            info: HashMap::new(),
            pending: VecDeque::new(),
            timer: None,
            waker: None,
        })
    }

    /// The engine, to read scores, tags, protection and connection state.
    pub fn manager(&self) -> &PeerManager<PeerId> {
        &self.engine
    }

    /// The engine, to tag, protect or trim; the behaviour is woken when the guard drops so
    /// whatever the change caused (disconnects, events, a new timer) is carried out.
    /// Time-taking engine methods want [`now`](Self::now).
    pub fn manager_mut(&mut self) -> ManagerMut<'_> {
        ManagerMut { engine: &mut self.engine, waker: &mut self.waker }
    }

    /// The current time on this behaviour's clock, as the engine sees it.
    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// Replaces the engine's state with a snapshot's (see
    /// [`PeerManager::import_snapshot`]) and carries on from the time it was taken plus
    /// `taken_ago` (how long ago, in wall-clock ms, it was exported: a page closed for an hour
    /// passes `3_600_000`). The clock moves forward to that time, so bans, decays and redials
    /// that fell due meanwhile are carried out at once and later ones at their own time; a
    /// fresh clock alone would stand still at the snapshot's time until it caught up. On error
    /// nothing changes. Returns how many peer records came back.
    pub fn import_snapshot(
        &mut self,
        bytes: &[u8],
        taken_ago: Millis,
    ) -> Result<usize, peerkeeper_core::SnapshotError> {
        // Imported at time 0 the engine's time becomes exactly the snapshot's own.
        let restored = self.engine.import_snapshot(bytes, 0)?;
        self.clock.skip_to(self.engine.now().saturating_add(taken_ago));
        // What fell due while the snapshot sat in storage happens now, so the state read right
        // after the import is current (its events go out with the next poll).
        self.engine.handle_timeout(self.clock.now());
        // The armed delay was for the replaced state's deadline.
        self.timer = None;
        self.wake();
        Ok(restored)
    }

    /// Trims down to low water now (or when the silence period ends).
    pub fn trim(&mut self) {
        let now = self.clock.now();
        self.manager_mut().trim(now);
    }

    /// Refuses the peer's future connections and closes its current ones. Returns false if it
    /// was already blocked.
    pub fn block_peer(&mut self, peer: PeerId) -> bool {
        if !self.blocked.insert(peer) {
            return false;
        }
        self.pending.push_back(ToSwarm::CloseConnection {
            peer_id: peer,
            connection: CloseConnection::All,
        });
        self.wake();
        true
    }

    /// Accepts the peer's connections again. Returns false if it was not blocked.
    pub fn unblock_peer(&mut self, peer: &PeerId) -> bool {
        self.blocked.remove(peer)
    }

    /// Blocked peers in ascending order.
    pub fn blocked_peers(&self) -> impl Iterator<Item = &PeerId> + '_ {
        self.blocked.iter()
    }

    /// Established connections the behaviour counts against the limit.
    pub fn established_connections(&self) -> usize {
        self.conns.len()
    }

    /// What identify and ping reported for a connected peer.
    pub fn peer_info(&self, peer: &PeerId) -> Option<&PeerInfo> {
        self.info.get(peer)
    }

    /// Records a connected peer's agent version. Returns false if the peer is not connected.
    // Seam: forward to the engine once it takes agent versions (issue 4).
    pub fn record_agent_version(&mut self, peer: &PeerId, agent_version: &str) -> bool {
        let Some(info) = self.info.get_mut(peer) else {
            return false;
        };
        info.agent_version = Some(agent_version.to_owned());
        // The engine shows it in its peer views (`NodePeer::agent_version`).
        self.engine.set_agent_version(peer, agent_version.to_owned());
        true
    }

    /// Records a connected peer's latest round-trip time. Returns false if the peer is not
    /// connected.
    // Seam: forward to the engine once it takes RTT samples (issue 4).
    pub fn record_rtt(&mut self, peer: &PeerId, rtt: Duration) -> bool {
        let Some(info) = self.info.get_mut(peer) else {
            return false;
        };
        info.rtt = Some(rtt);
        true
    }

    /// Feeds an identify event; only `Received` carries an agent version. Returns whether
    /// anything was recorded.
    pub fn on_identify_event(&mut self, event: &identify::Event) -> bool {
        match event {
            identify::Event::Received { peer_id, info, .. } => {
                self.record_agent_version(peer_id, &info.agent_version)
            }
            _ => false,
        }
    }

    /// Feeds a ping event: an RTT is recorded; a failed ping closes its connection (unless
    /// [`Config::keep_unresponsive`]) with an [`Event::Unresponsive`]. A peer that does not
    /// speak ping is left alone. Returns whether anything was recorded or closed.
    pub fn on_ping_event(&mut self, event: &ping::Event) -> bool {
        if let Ok(rtt) = event.result {
            return self.record_rtt(&event.peer, rtt);
        }
        let Some(failure) = unresponsive(event) else {
            return false;
        };
        if self.keep_unresponsive || !self.conns.contains_key(&event.connection) {
            return false;
        }
        let (peer, connection) = (event.peer, event.connection);
        self.pending.push_back(ToSwarm::GenerateEvent(Event::Unresponsive {
            peer,
            connection,
            error: failure.to_string(),
        }));
        self.pending.push_back(ToSwarm::CloseConnection {
            peer_id: peer,
            connection: CloseConnection::One(connection),
        });
        self.wake();
        true
    }

    fn wake(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    // Seam: once the engine judges bans itself (`allow_connection`), ask it here too.
    fn admit(&self, peer: Option<&PeerId>) -> Result<(), ConnectionDenied> {
        if let Some(peer) = peer.filter(|p| self.blocked.contains(p)) {
            return Err(ConnectionDenied::Blocked { peer: *peer });
        }
        if let Some(peer) = peer {
            if let Err(reason) = self.engine.allow_connection(peer, self.clock.now()) {
                return Err(ConnectionDenied::Refused { peer: *peer, reason });
            }
        }
        if let Some(limit) = self.max_connections {
            let established = self.conns.len();
            if established >= limit {
                return Err(ConnectionDenied::LimitReached { limit, established });
            }
        }
        Ok(())
    }

    fn admit_established(
        &self,
        peer: &PeerId,
    ) -> Result<dummy::ConnectionHandler, libp2p::swarm::ConnectionDenied> {
        self.admit(Some(peer)).map_err(libp2p::swarm::ConnectionDenied::new)?;
        Ok(dummy::ConnectionHandler)
    }

    /// Whether an engine dial now would risk more peers than the high water.
    fn dials_held(&self) -> bool {
        self.hold_dials_at.is_some_and(|high| self.info.len() + self.dialing.len() >= high)
    }

    /// Moves the engine's commands, then its events, into the outgoing queue. The command
    /// match is exhaustive on purpose: a new engine command (e.g. a backoff dial) fails to
    /// compile here until the behaviour carries it out.
    fn drain_engine(&mut self) {
        while let Some(command) = self.engine.poll_command() {
            match command {
                // libp2p's close carries no reason, so it goes to the app first.
                // Seam: send a goodbye before closing once a status protocol exists.
                Command::Disconnect { peer, reason } => {
                    self.probing.remove(&peer);
                    self.pending.push_back(ToSwarm::GenerateEvent(Event::Closing { peer, reason }));
                    self.pending.push_back(ToSwarm::CloseConnection {
                        peer_id: peer,
                        connection: CloseConnection::All,
                    });
                }
                // Addresses come from the swarm's other behaviours (identify, the app's own
                // address book); the outcome returns through `on_swarm_event`.
                Command::Dial { peer } if self.dials_held() => {
                    self.engine.dial_failed(&peer, self.clock.now());
                }
                Command::Dial { peer } => {
                    self.dialing.insert(peer);
                    self.pending.push_back(ToSwarm::Dial {
                        opts: DialOpts::peer_id(peer)
                            .condition(PeerCondition::DisconnectedAndNotDialing)
                            .build(),
                    });
                }
                Command::Probe { peer } => {
                    if self.conns.values().any(|(p, _)| *p == peer) {
                        self.engine.probe_result(&peer, true, self.clock.now());
                    } else {
                        self.probing.insert(peer);
                        self.pending
                            .push_back(ToSwarm::Dial { opts: DialOpts::peer_id(peer).build() });
                    }
                }
                host @ (Command::RequestBlocks { .. } | Command::SwitchFork { .. }) => {
                    self.pending.push_back(ToSwarm::GenerateEvent(Event::Host(host)));
                }
            }
        }
        while let Some(event) = self.engine.poll_event() {
            self.pending.push_back(ToSwarm::GenerateEvent(Event::Engine(event)));
        }
    }
}

/// Mutable access to the engine; wakes the behaviour when dropped.
pub struct ManagerMut<'a> {
    engine: &'a mut PeerManager<PeerId>,
    waker: &'a mut Option<Waker>,
}

impl Deref for ManagerMut<'_> {
    type Target = PeerManager<PeerId>;
    fn deref(&self) -> &Self::Target {
        self.engine
    }
}

impl DerefMut for ManagerMut<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.engine
    }
}

impl Drop for ManagerMut<'_> {
    fn drop(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

impl<C: Clock> NetworkBehaviour for Behaviour<C> {
    type ConnectionHandler = dummy::ConnectionHandler;
    type ToSwarm = Event;

    fn handle_pending_inbound_connection(
        &mut self,
        _: ConnectionId,
        _: &Multiaddr,
        _: &Multiaddr,
    ) -> Result<(), libp2p::swarm::ConnectionDenied> {
        // Refuse before the handshake when already full; the peer is checked once known.
        self.admit(None).map_err(libp2p::swarm::ConnectionDenied::new)
    }

    fn handle_established_inbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: &Multiaddr,
    ) -> Result<THandler<Self>, libp2p::swarm::ConnectionDenied> {
        self.admit_established(&peer)
    }

    fn handle_pending_outbound_connection(
        &mut self,
        _: ConnectionId,
        peer: Option<PeerId>,
        _: &[Multiaddr],
        _: Endpoint,
    ) -> Result<Vec<Multiaddr>, libp2p::swarm::ConnectionDenied> {
        self.admit(peer.as_ref()).map_err(libp2p::swarm::ConnectionDenied::new)?;
        Ok(Vec::new())
    }

    fn handle_established_outbound_connection(
        &mut self,
        _: ConnectionId,
        peer: PeerId,
        _: &Multiaddr,
        _: Endpoint,
        _: PortUse,
    ) -> Result<THandler<Self>, libp2p::swarm::ConnectionDenied> {
        self.admit_established(&peer)
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        match event {
            FromSwarm::ConnectionEstablished(e) => {
                let id = ConnId(self.next_conn);
                self.next_conn += 1;
                self.conns.insert(e.connection_id, (e.peer_id, id));
                self.info.entry(e.peer_id).or_default();
                self.dialing.remove(&e.peer_id);
                let direction =
                    if e.endpoint.is_dialer() { Direction::Outbound } else { Direction::Inbound };
                let now = self.clock.now();
                self.engine.connected(&e.peer_id, id, direction, now);
                if self.probing.remove(&e.peer_id) {
                    self.engine.probe_result(&e.peer_id, true, now);
                }
            }
            FromSwarm::DialFailure(e) => {
                if let Some(peer) = e.peer_id {
                    self.dialing.remove(&peer);
                    let now = self.clock.now();
                    if self.probing.remove(&peer) {
                        self.engine.probe_result(&peer, false, now);
                    } else {
                        // False (ignored) for dials the engine did not ask for.
                        self.engine.dial_failed(&peer, now);
                    }
                }
            }
            FromSwarm::ConnectionClosed(e) => {
                if let Some((peer, id)) = self.conns.remove(&e.connection_id) {
                    self.engine.disconnected(&peer, id, self.clock.now());
                }
                if e.remaining_established == 0 {
                    self.info.remove(&e.peer_id);
                }
            }
            _ => {}
        }
    }

    fn on_connection_handler_event(
        &mut self,
        _: PeerId,
        _: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        libp2p::core::util::unreachable(event)
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<ToSwarm<Event, THandlerInEvent<Self>>> {
        let mut timed_out = false;
        loop {
            self.drain_engine();
            if let Some(out) = self.pending.pop_front() {
                return Poll::Ready(out);
            }
            let Some(deadline) = self.engine.poll_timeout() else {
                self.timer = None;
                break;
            };
            let now = self.clock.now();
            if deadline <= now {
                if timed_out {
                    // The engine should have moved its deadline past `now`; yield rather than spin.
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                timed_out = true;
                self.timer = None;
                self.engine.handle_timeout(now);
                continue;
            }
            if self.timer.as_ref().is_none_or(|(armed, _)| *armed != deadline) {
                self.timer = Some((deadline, Delay::new(Duration::from_millis(deadline - now))));
            }
            let (_, delay) = self.timer.as_mut().expect("armed above");
            if delay.poll_unpin(cx).is_pending() {
                break;
            }
            // Fired: handle the timeout, or re-arm if an injected clock lags the deadline.
            self.timer = None;
        }
        self.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    type EngineEvent = peerkeeper_core::Event<PeerId>;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use futures::task::{waker, ArcWake};
    use peerkeeper_core::{DecayFn, TagName};

    use super::*;

    #[derive(Default)]
    struct CountingWaker(AtomicUsize);

    impl ArcWake for CountingWaker {
        fn wake_by_ref(arc_self: &Arc<Self>) {
            arc_self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    struct Harness {
        behaviour: Behaviour<ManualClock>,
        clock: ManualClock,
        wakes: Arc<CountingWaker>,
    }

    impl Harness {
        fn new(config: Config) -> Self {
            let clock = ManualClock::default();
            let behaviour = Behaviour::with_clock(config, clock.clone()).unwrap();
            Harness { behaviour, clock, wakes: Arc::default() }
        }

        /// Everything the behaviour has to say right now, then `None` once it is pending.
        fn poll(&mut self) -> Option<ToSwarm<Event, Infallible>> {
            let waker = waker(self.wakes.clone());
            match self.behaviour.poll(&mut Context::from_waker(&waker)) {
                Poll::Ready(out) => Some(out),
                Poll::Pending => None,
            }
        }

        fn wakes(&self) -> usize {
            self.wakes.0.load(Ordering::SeqCst)
        }
    }

    fn event(out: Option<ToSwarm<Event, Infallible>>) -> EngineEvent {
        match out {
            Some(ToSwarm::GenerateEvent(Event::Engine(e))) => e,
            other => panic!("expected an engine event, got {other:?}"),
        }
    }

    #[test]
    fn a_connection_limit_not_above_high_water_is_refused_naming_the_field() {
        let mut config = Config::default();
        config.engine.high_water = 10;
        config.engine.low_water = 5;
        config.max_connections = Some(10);
        let err = Behaviour::new(config.clone()).err().unwrap();
        assert_eq!(
            err.to_string(),
            "invalid config field `max_connections`: must exceed high_water (10 <= 10)"
        );
        config.max_connections = Some(11);
        assert!(Behaviour::new(config).is_ok());
    }

    #[test]
    fn an_invalid_engine_setting_is_refused_with_its_field() {
        let mut config = Config::default();
        config.engine.low_water = 9;
        config.engine.high_water = 3;
        let Err(ConfigError::Invalid { field, .. }) = Behaviour::new(config) else {
            panic!("accepted low_water above high_water");
        };
        assert_eq!(field, "low_water");
    }

    #[test]
    fn engine_timers_run_when_the_injected_clock_reaches_them_to_the_millisecond() {
        let mut h = Harness::new(Config::default());
        let peer = PeerId::random();
        h.behaviour.manager_mut().tag_peer_decaying(
            &peer,
            "fresh",
            10,
            1_000,
            DecayFn::fixed(3),
            0,
        );
        let EngineEvent::TagSet { new: 10, decaying: true, at: 0, .. } = event(h.poll()) else {
            panic!("expected the tag to be set first");
        };
        assert!(h.poll().is_none());
        h.clock.set(999);
        assert!(h.poll().is_none(), "nothing is due a millisecond early");
        h.clock.set(1_000);
        assert_eq!(
            event(h.poll()),
            EngineEvent::TagDecayed {
                peer,
                tag: TagName::from("fresh"),
                old: 10,
                new: 7,
                at: 1_000
            }
        );
        assert!(h.poll().is_none());
    }

    #[test]
    fn an_imported_snapshot_carries_on_from_its_time_plus_how_long_ago_it_was_taken() {
        let peer = PeerId::random();
        let mut source = PeerManager::new(Default::default()).unwrap();
        source.connected(&peer, ConnId(1), peerkeeper_core::Direction::Outbound, 0);
        source.tag_peer_decaying(&peer, "fresh", 100, 1_000, DecayFn::fixed(1), 0);
        source.handle_timeout(5_500);
        assert_eq!(source.tag_value(&peer, "fresh"), Some(95));
        let bytes = source.export_snapshot(5_500);

        // A fresh page: its clock starts at 0, two seconds of wall time after the export.
        let mut h = Harness::new(Config::default());
        assert!(h.poll().is_none());
        let wakes = h.wakes();
        assert_eq!(h.behaviour.import_snapshot(&bytes, 2_000), Ok(1));
        assert_eq!(h.behaviour.now(), 7_500, "the snapshot's 5 500 ms plus the 2 000 closed");
        assert_eq!(h.clock.now(), 7_500);
        assert!(h.wakes() > wakes, "woken to carry out what fell due");
        // The decays due at 6 000 and 7 000 happened in the import; the next is at 8 000 exactly.
        assert_eq!(h.behaviour.manager().tag_value(&peer, "fresh"), Some(93));
        while h.poll().is_some() {}
        h.clock.set(7_999);
        assert!(h.poll().is_none());
        h.clock.set(8_000);
        assert_eq!(
            event(h.poll()),
            EngineEvent::TagDecayed {
                peer,
                tag: TagName::from("fresh"),
                old: 93,
                new: 92,
                at: 8_000
            }
        );

        // A refused snapshot moves neither the state nor the clock.
        let mut bad = bytes.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(h.behaviour.import_snapshot(&bad, 60_000).is_err());
        assert_eq!(h.behaviour.now(), 8_000);
        assert_eq!(h.behaviour.manager().tag_value(&peer, "fresh"), Some(92));
    }

    #[test]
    fn a_monotonic_clock_skips_forward_and_never_back() {
        let mut clock = MonotonicClock::default();
        let start = clock.now();
        clock.skip_to(start + 3_600_000);
        let skipped = clock.now();
        assert!((start + 3_600_000..start + 3_601_000).contains(&skipped), "{skipped}");
        clock.skip_to(10);
        assert!(clock.now() >= skipped, "a skip to an earlier time changes nothing");
        let mut manual = ManualClock::default();
        manual.skip_to(500);
        manual.skip_to(200);
        assert_eq!(manual.now(), 500);
    }

    #[test]
    fn mutators_wake_the_behaviour_and_block_queues_a_close_of_every_connection() {
        let mut h = Harness::new(Config::default());
        let peer = PeerId::random();
        assert!(h.poll().is_none());
        assert_eq!(h.wakes(), 0);

        assert!(h.behaviour.block_peer(peer));
        assert_eq!(h.wakes(), 1);
        match h.poll() {
            Some(ToSwarm::CloseConnection { peer_id, connection: CloseConnection::All }) => {
                assert_eq!(peer_id, peer)
            }
            other => panic!("expected a close, got {other:?}"),
        }
        assert!(h.poll().is_none());
        assert!(!h.behaviour.block_peer(peer));
        assert_eq!(h.wakes(), 1, "a no-op block queues nothing and wakes nobody");

        h.behaviour.manager_mut().protect(&peer, "keep");
        assert_eq!(h.wakes(), 2);
        let EngineEvent::Protected { peer: p, .. } = event(h.poll()) else {
            panic!("not protected")
        };
        assert_eq!(p, peer);
    }

    #[test]
    fn identify_and_ping_data_for_an_unconnected_peer_is_not_recorded() {
        let mut h = Harness::new(Config::default());
        let peer = PeerId::random();
        assert!(!h.behaviour.record_agent_version(&peer, "x/1"));
        assert!(!h.behaviour.record_rtt(&peer, Duration::from_millis(5)));
        assert_eq!(h.behaviour.peer_info(&peer), None);
    }

    #[test]
    fn denials_say_which_limit_or_peer() {
        let peer = PeerId::random();
        assert_eq!(
            ConnectionDenied::LimitReached { limit: 8, established: 8 }.to_string(),
            "connection limit reached: 8 of 8 connections established"
        );
        assert_eq!(
            ConnectionDenied::Blocked { peer }.to_string(),
            format!("peer {peer} is blocked")
        );
    }
}

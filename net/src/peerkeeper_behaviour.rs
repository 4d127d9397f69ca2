//! The whole peerkeeper set in one [`NetworkBehaviour`]: the connection manager plus the
//! status, headers and peer-exchange protocols, with every protocol event fed to the engine.
//!
//! - On every connection we send our status (`/peerkeeper/status/3`, one long-lived stream)
//!   and, on a peer's first connection, if [`Config::pex_on_connect`], ask for its peers. The answers go to the engine
//!   (`status_received`, `add_peer`), so alignment and the irrelevant-network disconnect
//!   follow from the status exchange without app code.
//! - [`PeerkeeperBehaviour::set_local_status`] sends our status on every connection's stream.
//! - The engine's `RequestBlocks` commands become headers requests; the answers go to
//!   `headers_received`. The command is still surfaced as [`Event::Peers`] for a host that
//!   fetches bodies itself.
//! - Peer-exchange requests pass the engine's rate limit (`peer_exchange_request`) before being
//!   answered from the [`AddressBook`] (addresses we dialled, learned from identify or from
//!   peer exchange).
//! - A message that is oversized, undecodable or against its protocol's rules is a strike
//!   ([`Event::Struck`]); a well-formed one is a `valid_packet`. A peer that speaks none of
//!   the protocols is never struck: its status is simply unknown.
//!
//! ```
//! use libp2p::identity::Keypair;
//! use peerkeeper_net::peerkeeper_behaviour::{Config, PeerkeeperBehaviour};
//!
//! let key = Keypair::generate_ed25519();
//! let mut config = Config::default();
//! config.peers.engine.high_water = 50;
//! config.peers.engine.low_water = 40;
//! let behaviour = PeerkeeperBehaviour::new(key.public().to_peer_id(), config).unwrap();
//! // Compose it into a `#[derive(NetworkBehaviour)]` struct beside identify and ping, or use it
//! // as the swarm's behaviour directly.
//! # let _ = behaviour;
//! ```

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::task::{Context, Poll};
use std::time::Duration;

use libp2p::core::{transport::PortUse, Endpoint, Multiaddr};
use libp2p::request_response::{self, InboundFailure, Message, OutboundFailure, OutboundRequestId};
use libp2p::swarm::{
    ConnectionDenied, ConnectionId, FromSwarm, NetworkBehaviour, THandler, THandlerInEvent,
    THandlerOutEvent, ToSwarm,
};
use libp2p::{PeerId, StreamProtocol};
use peerkeeper_core::fork::{BlockRef, ChainStatus, Header};
use peerkeeper_core::peer_map::PeerMap;
use peerkeeper_core::rate_limit::RateDecision;
use peerkeeper_core::strikes::StrikeKind;
use peerkeeper_core::{Command, ConfigError, PeerManager};

use crate::codec::{self, FrameError, Inbound};
use crate::connection_manager::{self, Clock, MonotonicClock};
use crate::headers_protocol::{
    self, HeaderSource, HeadersCodec, HeadersRequest, HeadersResponse, NoHeaders, MAX_HEADERS,
};
use crate::peer_exchange::{self, AddressBook, PexCodec, PexRequest, PexResponse, MAX_PEX_ADDRS};
use crate::status_protocol::{self, StatusMessage};
use crate::status_stream;

/// Our chain when the engine follows one (`peers.engine.fork` is set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStart {
    pub head: Header,
    pub lib: BlockRef,
}

/// Settings for [`PeerkeeperBehaviour`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The connection manager's and engine's settings.
    pub peers: connection_manager::Config,
    /// Required when `peers.engine.fork` is set: the engine then follows our chain from here.
    pub chain: Option<ChainStart>,
    /// How long a request may wait for its answer. Default 10 s.
    pub request_timeout: Duration,
    /// Ask each newly connected peer for its peers. Default true.
    pub pex_on_connect: bool,
    /// Addresses asked for per peer-exchange request, 1 to 32. Default 32.
    pub pex_limit: u8,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            peers: connection_manager::Config::default(),
            chain: None,
            request_timeout: Duration::from_secs(10),
            pex_on_connect: true,
            pex_limit: MAX_PEX_ADDRS,
        }
    }
}

/// What the behaviour emits.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// From the connection manager: an engine event, or a host command (`RequestBlocks`,
    /// `SwitchFork`).
    Peers(connection_manager::Event),
    /// A peer told us its chain (already fed to the engine).
    StatusReceived { peer: PeerId, status: ChainStatus },
    /// A peer answered our headers request (already fed to the engine).
    HeadersReceived { peer: PeerId, request: HeadersRequest, headers: Vec<Header> },
    /// A peer answered our peer-exchange request; the peers are in the address book and were
    /// offered to the engine.
    PeersLearned { from: PeerId, peers: Vec<(PeerId, Multiaddr)> },
    /// A peer refused our peer-exchange request for its rate limit.
    PexRefused { peer: PeerId, retry_after_ms: u64 },
    /// We refused a peer's peer-exchange request (rate limit); it may ask again at `retry_at`.
    PexDenied { peer: PeerId, retry_at: u64 },
    /// The peer does not speak `protocol` (any non-peerkeeper libp2p node): not a penalty; a
    /// peer without the status protocol simply has unknown alignment.
    ProtocolUnsupported { peer: PeerId, protocol: StreamProtocol },
    /// A peer sent something broken; the engine got a strike of `kind`.
    Struck { peer: PeerId, protocol: StreamProtocol, kind: StrikeKind, reason: String },
}

/// The four behaviours side by side; [`PeerkeeperBehaviour`] routes their events.
#[derive(NetworkBehaviour)]
#[behaviour(to_swarm = "InnerEvent")]
pub struct Inner<C: Clock> {
    peers: connection_manager::Behaviour<C>,
    status: status_stream::Behaviour,
    headers: request_response::Behaviour<HeadersCodec>,
    pex: request_response::Behaviour<PexCodec>,
}

#[doc(hidden)]
#[derive(Debug)]
pub enum InnerEvent {
    Peers(connection_manager::Event),
    Status(status_stream::Event),
    Headers(request_response::Event<Inbound<HeadersRequest>, HeadersResponse>),
    Pex(request_response::Event<Inbound<PexRequest>, PexResponse>),
}

impl From<connection_manager::Event> for InnerEvent {
    fn from(e: connection_manager::Event) -> Self {
        InnerEvent::Peers(e)
    }
}
impl From<status_stream::Event> for InnerEvent {
    fn from(e: status_stream::Event) -> Self {
        InnerEvent::Status(e)
    }
}
impl From<request_response::Event<Inbound<HeadersRequest>, HeadersResponse>> for InnerEvent {
    fn from(e: request_response::Event<Inbound<HeadersRequest>, HeadersResponse>) -> Self {
        InnerEvent::Headers(e)
    }
}
impl From<request_response::Event<Inbound<PexRequest>, PexResponse>> for InnerEvent {
    fn from(e: request_response::Event<Inbound<PexRequest>, PexResponse>) -> Self {
        InnerEvent::Pex(e)
    }
}

/// The connection manager with the peerkeeper protocols. See the [module docs](self).
pub struct PeerkeeperBehaviour<C: Clock = MonotonicClock> {
    inner: Inner<C>,
    local: PeerId,
    pex_on_connect: bool,
    pex_limit: u8,
    source: Box<dyn HeaderSource>,
    book: AddressBook,
    /// Established connections per peer, to act on the first and the last.
    connections: PeerMap<PeerId, usize>,
    /// Peers that have spoken the status protocol with us.
    status_peers: BTreeSet<PeerId>,
    headers_asked: HashMap<OutboundRequestId, HeadersRequest>,
    pex_asked: HashMap<OutboundRequestId, u8>,
    pending: VecDeque<Event>,
}

impl PeerkeeperBehaviour<MonotonicClock> {
    /// The behaviour on the monotonic clock; refuses an invalid config, naming the field.
    pub fn new(local: PeerId, config: Config) -> Result<Self, ConfigError> {
        Self::with_clock(local, config, MonotonicClock::default())
    }
}

impl<C: Clock> PeerkeeperBehaviour<C> {
    /// The behaviour whose `now` comes from `clock`. `local` is our own peer id (never added
    /// from peer exchange).
    pub fn with_clock(local: PeerId, config: Config, clock: C) -> Result<Self, ConfigError> {
        if config.pex_limit == 0 || config.pex_limit > MAX_PEX_ADDRS {
            return Err(ConfigError::invalid(
                "pex_limit",
                format!("must be 1 to {MAX_PEX_ADDRS}, got {}", config.pex_limit),
            ));
        }
        if config.request_timeout.is_zero() {
            return Err(ConfigError::invalid("request_timeout", "must be greater than zero"));
        }
        let mut manager_config = config.peers.clone();
        let fork = manager_config.engine.fork.take();
        let mut peers = connection_manager::Behaviour::with_clock(manager_config, clock)?;
        if fork.is_some() {
            let Some(ChainStart { head, lib }) = config.chain.clone() else {
                return Err(ConfigError::invalid(
                    "chain",
                    "a fork section needs our head and LIB to start from",
                ));
            };
            // Seam: the connection manager builds its engine without a chain; swap in one that
            // follows ours before any connection exists.
            let now = peers.now();
            *peers.manager_mut() = PeerManager::with_chain(config.peers.engine, head, lib, now)?;
        }
        let rr = request_response::Config::default().with_request_timeout(config.request_timeout);
        Ok(PeerkeeperBehaviour {
            inner: Inner {
                peers,
                status: status_stream::Behaviour::new(None),
                headers: codec::behaviour(rr.clone()),
                pex: codec::behaviour(rr),
            },
            local,
            pex_on_connect: config.pex_on_connect,
            pex_limit: config.pex_limit,
            source: Box::new(NoHeaders),
            book: AddressBook::default(),
            connections: PeerMap::new(),
            status_peers: BTreeSet::new(),
            headers_asked: HashMap::new(),
            pex_asked: HashMap::new(),
            pending: VecDeque::new(),
        })
    }

    /// The connection manager, for the engine (`manager`, `manager_mut`), blocks and clock.
    pub fn peers(&self) -> &connection_manager::Behaviour<C> {
        &self.inner.peers
    }

    pub fn peers_mut(&mut self) -> &mut connection_manager::Behaviour<C> {
        &mut self.inner.peers
    }

    /// Sets our status and sends it on every connection (peers that do not speak the status
    /// protocol are not asked again).
    pub fn set_local_status(&mut self, status: ChainStatus) {
        self.inner.status.set_local(Some(status));
    }

    pub fn local_status(&self) -> Option<&ChainStatus> {
        self.inner.status.local().as_ref()
    }

    /// Where inbound headers requests are answered from (default: nothing is served).
    pub fn set_header_source(&mut self, source: impl HeaderSource) {
        self.source = Box::new(source);
    }

    /// Addresses handed out through peer exchange and used to dial peers the engine asks for.
    pub fn address_book(&self) -> &AddressBook {
        &self.book
    }

    pub fn address_book_mut(&mut self) -> &mut AddressBook {
        &mut self.book
    }

    /// Asks `peer` for headers `from..from + count` (count clamped to 1..=100). The answer
    /// arrives as [`Event::HeadersReceived`]. Like any `request_response` request, it dials a
    /// peer that is not connected.
    pub fn request_headers(&mut self, peer: &PeerId, from: u64, count: u64) -> OutboundRequestId {
        let count = count.clamp(1, MAX_HEADERS.into()) as u16;
        let request = HeadersRequest { from, count };
        let id = self.inner.headers.send_request(peer, Ok(request));
        self.headers_asked.insert(id, request);
        id
    }

    /// Asks `peer` for the peers it knows. The answer arrives as [`Event::PeersLearned`] or
    /// [`Event::PexRefused`].
    pub fn request_peers(&mut self, peer: &PeerId) -> OutboundRequestId {
        let id = self.inner.pex.send_request(peer, Ok(PexRequest { limit: self.pex_limit }));
        self.pex_asked.insert(id, self.pex_limit);
        id
    }

    /// Outbound status streams opened so far (see [`status_stream::Behaviour::streams_opened`]).
    pub fn status_streams_opened(&self) -> u64 {
        self.inner.status.streams_opened()
    }

    /// Peers that have sent us their status on a connection still open.
    pub fn status_peers(&self) -> impl Iterator<Item = &PeerId> + '_ {
        self.status_peers.iter()
    }

    // ---- routing ------------------------------------------------------------------------

    fn now(&self) -> u64 {
        self.inner.peers.now()
    }

    fn valid(&mut self, peer: &PeerId) {
        let now = self.now();
        self.inner.peers.manager_mut().valid_packet(peer, now);
    }

    fn strike(&mut self, peer: PeerId, protocol: StreamProtocol, kind: StrikeKind, reason: String) {
        let now = self.now();
        self.inner.peers.manager_mut().strike(&peer, kind, now);
        self.pending.push_back(Event::Struck { peer, protocol, kind, reason });
    }

    /// Strikes a failed exchange when the peer's bytes caused it; timeouts, closed connections
    /// and unsupported protocols are not the peer's offence.
    fn on_io_failure(&mut self, peer: PeerId, protocol: StreamProtocol, error: &std::io::Error) {
        if let Some(frame) = FrameError::from_io(error) {
            if let Some(kind) = frame.strike() {
                self.strike(peer, protocol, kind, frame.to_string());
            }
        }
    }

    fn on_bad_request(&mut self, peer: PeerId, protocol: StreamProtocol, error: &FrameError) {
        if let Some(kind) = error.strike() {
            self.strike(peer, protocol, kind, error.to_string());
        }
    }

    fn on_outbound_failure(
        &mut self,
        peer: PeerId,
        protocol: StreamProtocol,
        error: &OutboundFailure,
    ) {
        match error {
            OutboundFailure::Io(e) => self.on_io_failure(peer, protocol, e),
            OutboundFailure::UnsupportedProtocols => {
                self.pending.push_back(Event::ProtocolUnsupported { peer, protocol })
            }
            _ => {}
        }
    }

    fn on_inbound_failure(
        &mut self,
        peer: PeerId,
        protocol: StreamProtocol,
        error: &InboundFailure,
    ) {
        if let InboundFailure::Io(e) = error {
            self.on_io_failure(peer, protocol, e);
        }
    }

    fn route(&mut self, event: InnerEvent) {
        match event {
            InnerEvent::Peers(e) => self.on_peers_event(e),
            InnerEvent::Status(e) => self.on_status_event(e),
            InnerEvent::Headers(e) => self.on_headers_event(e),
            InnerEvent::Pex(e) => self.on_pex_event(e),
        }
    }

    fn on_peers_event(&mut self, event: connection_manager::Event) {
        if let connection_manager::Event::Host(Command::RequestBlocks { peer, from, count }) =
            &event
        {
            self.request_headers(peer, *from, *count);
        }
        self.pending.push_back(Event::Peers(event));
    }

    fn status_from(&mut self, peer: PeerId, message: StatusMessage) {
        self.status_peers.insert(peer);
        self.valid(&peer);
        let now = self.now();
        let follows_chain = self.inner.peers.manager().fork_view().is_some();
        match message {
            // With a fork view the engine judges the status and completes the hello itself.
            Some(status) if follows_chain => {
                self.inner.peers.manager_mut().status_received(&peer, status.clone(), now);
                self.pending.push_back(Event::StatusReceived { peer, status });
            }
            // Nothing to judge it against, or nothing said: the hello is still done.
            Some(status) => {
                self.hello_done(&peer);
                self.pending.push_back(Event::StatusReceived { peer, status });
            }
            None => self.hello_done(&peer),
        }
    }

    /// Completes the hello of a peer whose status cannot decide anything (a no-op unless the
    /// engine tracks lifecycles and the peer is in `handshake`).
    fn hello_done(&mut self, peer: &PeerId) {
        let now = self.now();
        self.inner.peers.manager_mut().handshake_completed(peer, now);
    }

    fn on_status_event(&mut self, event: status_stream::Event) {
        use status_stream::Event as E;
        let protocol = status_protocol::PROTOCOL;
        match event {
            E::Received { peer, message } => self.status_from(peer, message),
            E::Refused { peer, error } => self.on_bad_request(peer, protocol, &error),
            E::TooManyStreams { peer } => self.strike(
                peer,
                protocol,
                StrikeKind::ProtocolViolation,
                format!(
                    "more than {} status streams open at once",
                    status_stream::MAX_INBOUND_STREAMS
                ),
            ),
            // The status behaviour closes the connection itself; the close event says so.
            E::Stalled { .. } => {}
            E::Unsupported { peer, .. } => {
                // A peer without the status protocol (any other libp2p node) has no hello to
                // wait for: it is managed like any peer, with unknown alignment.
                self.hello_done(&peer);
                self.pending.push_back(Event::ProtocolUnsupported { peer, protocol });
            }
        }
    }

    fn on_headers_event(
        &mut self,
        event: request_response::Event<Inbound<HeadersRequest>, HeadersResponse>,
    ) {
        use request_response::Event as E;
        let protocol = headers_protocol::PROTOCOL;
        match event {
            E::Message { peer, message: Message::Request { request, channel, .. }, .. } => {
                let request = match request {
                    Ok(request) => request,
                    Err(e) => return self.on_bad_request(peer, protocol, &e),
                };
                let response = match request.check() {
                    Ok(()) => {
                        self.valid(&peer);
                        headers_protocol::serve(self.source.as_ref(), &request)
                    }
                    Err(violation) => {
                        self.strike(
                            peer,
                            protocol,
                            StrikeKind::ProtocolViolation,
                            violation.to_string(),
                        );
                        HeadersResponse::default()
                    }
                };
                let _ = self.inner.headers.send_response(channel, response);
            }
            E::Message { peer, message: Message::Response { request_id, response }, .. } => {
                let Some(request) = self.headers_asked.remove(&request_id) else { return };
                match response.check(&request) {
                    Ok(()) => {
                        self.valid(&peer);
                        let now = self.now();
                        let headers = response.headers;
                        self.inner.peers.manager_mut().headers_received(
                            &peer,
                            headers.clone(),
                            now,
                        );
                        self.pending.push_back(Event::HeadersReceived { peer, request, headers });
                    }
                    Err(violation) => self.strike(
                        peer,
                        protocol,
                        StrikeKind::ProtocolViolation,
                        violation.to_string(),
                    ),
                }
            }
            E::OutboundFailure { peer, request_id, error, .. } => {
                self.headers_asked.remove(&request_id);
                self.on_outbound_failure(peer, protocol, &error);
            }
            E::InboundFailure { peer, error, .. } => {
                self.on_inbound_failure(peer, protocol, &error);
            }
            E::ResponseSent { .. } => {}
        }
    }

    fn on_pex_event(&mut self, event: request_response::Event<Inbound<PexRequest>, PexResponse>) {
        use request_response::Event as E;
        let protocol = peer_exchange::PROTOCOL;
        match event {
            E::Message { peer, message: Message::Request { request, channel, .. }, .. } => {
                let request = match request {
                    Ok(request) => request,
                    Err(e) => return self.on_bad_request(peer, protocol, &e),
                };
                let now = self.now();
                let decision = self.inner.peers.manager_mut().peer_exchange_request(&peer, now);
                let response = match decision {
                    RateDecision::Allow => {
                        self.valid(&peer);
                        let addrs = self.book.select(&peer, request.limit);
                        PexResponse::Peers(addrs.iter().map(|a| a.to_vec()).collect())
                    }
                    RateDecision::Deny { retry_at } => {
                        self.pending.push_back(Event::PexDenied { peer, retry_at });
                        PexResponse::RateLimited { retry_after_ms: retry_at.saturating_sub(now) }
                    }
                };
                let _ = self.inner.pex.send_response(channel, response);
            }
            E::Message { peer, message: Message::Response { request_id, response }, .. } => {
                let Some(asked) = self.pex_asked.remove(&request_id) else { return };
                match response.peers(asked) {
                    Ok(_) if matches!(response, PexResponse::RateLimited { .. }) => {
                        self.valid(&peer);
                        if let PexResponse::RateLimited { retry_after_ms } = response {
                            self.pending.push_back(Event::PexRefused { peer, retry_after_ms });
                        }
                    }
                    Ok(learned) => {
                        self.valid(&peer);
                        let now = self.now();
                        let learned: Vec<(PeerId, Multiaddr)> =
                            learned.into_iter().filter(|(p, _)| *p != self.local).collect();
                        for (p, addr) in &learned {
                            self.book.add(*p, addr.clone());
                            self.inner.peers.manager_mut().add_peer(p, now);
                        }
                        self.pending.push_back(Event::PeersLearned { from: peer, peers: learned });
                    }
                    Err(violation) => self.strike(
                        peer,
                        protocol,
                        StrikeKind::ProtocolViolation,
                        violation.to_string(),
                    ),
                }
            }
            E::OutboundFailure { peer, request_id, error, .. } => {
                self.pex_asked.remove(&request_id);
                self.on_outbound_failure(peer, protocol, &error);
            }
            E::InboundFailure { peer, error, .. } => {
                self.on_inbound_failure(peer, protocol, &error);
            }
            E::ResponseSent { .. } => {}
        }
    }

    fn on_connected(&mut self, peer: PeerId) {
        if self.pex_on_connect {
            self.request_peers(&peer);
        }
    }
}

impl<C: Clock> NetworkBehaviour for PeerkeeperBehaviour<C> {
    type ConnectionHandler = THandler<Inner<C>>;
    type ToSwarm = Event;

    fn handle_pending_inbound_connection(
        &mut self,
        id: ConnectionId,
        local: &Multiaddr,
        remote: &Multiaddr,
    ) -> Result<(), ConnectionDenied> {
        self.inner.handle_pending_inbound_connection(id, local, remote)
    }

    fn handle_established_inbound_connection(
        &mut self,
        id: ConnectionId,
        peer: PeerId,
        local: &Multiaddr,
        remote: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.inner.handle_established_inbound_connection(id, peer, local, remote)
    }

    fn handle_pending_outbound_connection(
        &mut self,
        id: ConnectionId,
        peer: Option<PeerId>,
        addresses: &[Multiaddr],
        role: Endpoint,
    ) -> Result<Vec<Multiaddr>, ConnectionDenied> {
        let mut out = self.inner.handle_pending_outbound_connection(id, peer, addresses, role)?;
        if let Some(peer) = peer {
            out.extend(self.book.addresses(&peer).cloned());
        }
        Ok(out)
    }

    fn handle_established_outbound_connection(
        &mut self,
        id: ConnectionId,
        peer: PeerId,
        addr: &Multiaddr,
        role: Endpoint,
        port_use: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        self.inner.handle_established_outbound_connection(id, peer, addr, role, port_use)
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        self.inner.on_swarm_event(event);
        match event {
            FromSwarm::ConnectionEstablished(e) => {
                if e.endpoint.is_dialer() {
                    self.book.add(e.peer_id, e.endpoint.get_remote_address().clone());
                }
                let count = self.connections.get_or_default(e.peer_id);
                *count += 1;
                if *count == 1 {
                    self.on_connected(e.peer_id);
                }
            }
            FromSwarm::ConnectionClosed(e) => {
                if e.remaining_established == 0 {
                    self.connections.remove(&e.peer_id);
                    self.status_peers.remove(&e.peer_id);
                } else if let Some(count) = self.connections.get_mut(&e.peer_id) {
                    *count = e.remaining_established;
                }
            }
            FromSwarm::NewExternalAddrOfPeer(e) => {
                self.book.add(e.peer_id, e.addr.clone());
            }
            _ => {}
        }
    }

    fn on_connection_handler_event(
        &mut self,
        peer: PeerId,
        connection: ConnectionId,
        event: THandlerOutEvent<Self>,
    ) {
        self.inner.on_connection_handler_event(peer, connection, event)
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<ToSwarm<Event, THandlerInEvent<Self>>> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Poll::Ready(ToSwarm::GenerateEvent(event));
            }
            match self.inner.poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(ToSwarm::GenerateEvent(event)) => self.route(event),
                Poll::Ready(other) => {
                    return Poll::Ready(
                        other.map_out(|_| unreachable!("GenerateEvent is matched above")),
                    )
                }
            }
        }
    }
}

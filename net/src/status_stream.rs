//! The status protocol's behaviour: on every connection, one stream carrying both peers'
//! statuses (each side's first on connect, then after each change), read frame by frame. See
//! [`status_protocol`](crate::status_protocol) for the wire format and why it is one stream and
//! not one per message.
//!
//! The dialer opens the stream and the listener answers on it. Had each side opened its own,
//! the listener's would be the one a WebRTC connection is slow to carry: a data channel that
//! the native listener opens toward a browser often takes seconds to deliver, or never does
//! before the connection ends, so the page would close a peer on another network without ever
//! hearing why. The dialer's stream is open by the time the listener learns of it, and the
//! connection carries one stream instead of two.
//!
//! The handler keeps only the latest status not yet written: a status that changed twice
//! while a write was in flight is sent once, as it is now. A peer that does not speak the
//! protocol is reported once per connection and never asked again on it (a listener cannot
//! tell: it simply hears nothing). A broken inbound frame is reported and its stream dropped;
//! the dialer may open another, and the listener then answers on the newest. A dialer needs
//! one stream per connection; more than [`MAX_INBOUND_STREAMS`] open at once is reported and
//! the extra stream refused, so a burst of streams costs us a bounded number of reads.
//!
//! A write that has not finished after [`WRITE_TIMEOUT`] closes the connection: the peer is
//! gone or not reading, and a write that never ends would keep the connection alive forever.
//!
//! Keep-alive: the streams themselves do not keep a connection open (they are meant to last
//! as long as it does). Writing a status or reading one does, so a connection stays up while
//! statuses flow and falls to the swarm's idle timeout when both peers go quiet, as it did when
//! each status was its own exchange.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::{self, BoxFuture, Either};
use futures::io::{ReadHalf, WriteHalf};
use futures::stream::FuturesUnordered;
use futures::{AsyncReadExt, FutureExt, StreamExt};
use futures_timer::Delay;
use libp2p::core::upgrade::ReadyUpgrade;
use libp2p::core::{transport::PortUse, Endpoint, Multiaddr};
use libp2p::swarm::handler::{
    ConnectionEvent, DialUpgradeError, FullyNegotiatedInbound, FullyNegotiatedOutbound,
};
use libp2p::swarm::{
    CloseConnection, ConnectionDenied, ConnectionHandler, ConnectionHandlerEvent, ConnectionId,
    FromSwarm, NetworkBehaviour, NotifyHandler, Stream, StreamUpgradeError, SubstreamProtocol,
    THandler, THandlerInEvent, THandlerOutEvent, ToSwarm,
};
use libp2p::{PeerId, StreamProtocol};

use crate::codec::{FrameError, Inbound};
use crate::status_protocol::{read_status, write_status, StatusMessage, PROTOCOL};

/// Inbound status streams read at once on one connection; an honest peer uses one.
pub const MAX_INBOUND_STREAMS: usize = 4;

/// How long writing one status may take before the connection is closed as dead; the same
/// as libp2p's ping timeout.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(20);

/// What the status protocol reports about a peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The peer sent its status (on connect or after a change).
    Received { peer: PeerId, message: StatusMessage },
    /// The peer sent a frame that breaks the protocol; its stream was dropped.
    Refused { peer: PeerId, error: FrameError },
    /// The peer does not speak the protocol on `connection`.
    Unsupported { peer: PeerId, connection: ConnectionId },
    /// The peer opened a status stream while [`MAX_INBOUND_STREAMS`] were open; it was refused.
    TooManyStreams { peer: PeerId },
    /// Writing our status on `connection` did not finish within [`WRITE_TIMEOUT`]; the
    /// connection is being closed.
    Stalled { peer: PeerId, connection: ConnectionId },
}

/// Sends our status on every connection and reads the peers'.
pub struct Behaviour {
    local: StatusMessage,
    connections: HashMap<ConnectionId, PeerId>,
    pending: VecDeque<ToSwarm<Event, StatusMessage>>,
    streams_opened: u64,
    write_timeout: Duration,
}

impl Behaviour {
    /// `local` is sent on every new connection until [`Behaviour::set_local`] changes it.
    pub fn new(local: StatusMessage) -> Self {
        Behaviour {
            local,
            connections: HashMap::new(),
            pending: VecDeque::new(),
            streams_opened: 0,
            write_timeout: WRITE_TIMEOUT,
        }
    }

    /// Replaces [`WRITE_TIMEOUT`] for connections established from now on.
    pub fn with_write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Our status changed: every connection sends it on its stream.
    pub fn set_local(&mut self, status: StatusMessage) {
        self.local = status;
        for (&connection, &peer_id) in &self.connections {
            self.pending.push_back(ToSwarm::NotifyHandler {
                peer_id,
                handler: NotifyHandler::One(connection),
                event: self.local.clone(),
            });
        }
    }

    pub fn local(&self) -> &StatusMessage {
        &self.local
    }

    /// Status streams this side opened so far, over all connections: one per connection we
    /// dialled whose peer speaks the protocol, however often the status changed (more only
    /// after a stream broke); none for connections we accepted.
    pub fn streams_opened(&self) -> u64 {
        self.streams_opened
    }
}

impl NetworkBehaviour for Behaviour {
    type ConnectionHandler = Handler;
    type ToSwarm = Event;

    fn handle_established_inbound_connection(
        &mut self,
        _: ConnectionId,
        _: PeerId,
        _: &Multiaddr,
        _: &Multiaddr,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        Ok(Handler::new(self.local.clone(), self.write_timeout, false))
    }

    fn handle_established_outbound_connection(
        &mut self,
        _: ConnectionId,
        _: PeerId,
        _: &Multiaddr,
        _: Endpoint,
        _: PortUse,
    ) -> Result<THandler<Self>, ConnectionDenied> {
        Ok(Handler::new(self.local.clone(), self.write_timeout, true))
    }

    fn on_swarm_event(&mut self, event: FromSwarm) {
        // Tracked from the swarm's events, not handler creation: a connection another
        // behaviour denies is never established and never reported closed.
        match event {
            FromSwarm::ConnectionEstablished(e) => {
                self.connections.insert(e.connection_id, e.peer_id);
            }
            FromSwarm::ConnectionClosed(e) => {
                self.connections.remove(&e.connection_id);
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
        let event = match event {
            HandlerEvent::Opened => {
                self.streams_opened += 1;
                return;
            }
            HandlerEvent::Received(message) => Event::Received { peer, message },
            HandlerEvent::Refused(error) => Event::Refused { peer, error },
            HandlerEvent::Unsupported => Event::Unsupported { peer, connection },
            HandlerEvent::TooManyStreams => Event::TooManyStreams { peer },
            HandlerEvent::Stalled => {
                self.pending.push_back(ToSwarm::CloseConnection {
                    peer_id: peer,
                    connection: CloseConnection::One(connection),
                });
                Event::Stalled { peer, connection }
            }
        };
        self.pending.push_back(ToSwarm::GenerateEvent(event));
    }

    fn poll(&mut self, _: &mut Context<'_>) -> Poll<ToSwarm<Event, THandlerInEvent<Self>>> {
        match self.pending.pop_front() {
            Some(event) => Poll::Ready(event),
            None => Poll::Pending,
        }
    }
}

/// What a connection's handler tells the behaviour.
#[derive(Debug)]
pub enum HandlerEvent {
    Opened,
    Received(StatusMessage),
    Refused(FrameError),
    Unsupported,
    TooManyStreams,
    Stalled,
}

type Reader = ReadHalf<Stream>;
type Writer = WriteHalf<Stream>;
type Read = BoxFuture<'static, (Reader, io::Result<Option<Inbound<StatusMessage>>>)>;
type Write = BoxFuture<'static, io::Result<Writer>>;

enum Outbound {
    /// No stream to write on: a dialer requests one when there is something to send, a
    /// listener waits for the dialer's.
    Idle,
    Requested,
    Open(Writer),
    Writing(Write),
    /// The peer does not speak the protocol; nothing is sent on this connection.
    Unsupported,
}

/// One connection's status streams.
pub struct Handler {
    /// We dialled this connection, so we open its status stream.
    dialer: bool,
    /// The latest status not yet written.
    queued: Option<StatusMessage>,
    outbound: Outbound,
    /// A listener's newest stream, arrived while a write was in flight on an older one: the
    /// next write goes there.
    spare: Option<Writer>,
    inbound: FuturesUnordered<Read>,
    events: VecDeque<HandlerEvent>,
    /// A frame arrived in the last poll: the connection is in use.
    heard: bool,
    write_timeout: Duration,
}

impl Handler {
    fn new(local: StatusMessage, write_timeout: Duration, dialer: bool) -> Self {
        Handler {
            dialer,
            write_timeout,
            queued: Some(local),
            outbound: Outbound::Idle,
            spare: None,
            inbound: FuturesUnordered::new(),
            events: VecDeque::new(),
            heard: false,
        }
    }

    fn protocol() -> SubstreamProtocol<ReadyUpgrade<StreamProtocol>, ()> {
        SubstreamProtocol::new(ReadyUpgrade::new(PROTOCOL), ())
    }

    fn read(mut stream: Reader) -> Read {
        async move {
            let read = read_status(&mut stream).await;
            (stream, read)
        }
        .boxed()
    }

    fn write(mut stream: Writer, message: StatusMessage, timeout: Duration) -> Write {
        async move {
            let written = {
                let write = write_status(&mut stream, &message);
                match future::select(write.boxed(), Delay::new(timeout)).await {
                    Either::Left((result, _)) => result,
                    Either::Right(_) => Err(io::ErrorKind::TimedOut.into()),
                }
            };
            written.map(|()| stream)
        }
        .boxed()
    }

    /// Reads the inbound streams; `Some` is an event for the behaviour.
    fn poll_inbound(&mut self, cx: &mut Context<'_>) -> Option<HandlerEvent> {
        while let Poll::Ready(Some((stream, read))) = self.inbound.poll_next_unpin(cx) {
            match read {
                Ok(Some(Ok(message))) => {
                    self.heard = true;
                    self.inbound.push(Self::read(stream));
                    return Some(HandlerEvent::Received(message));
                }
                Ok(Some(Err(error))) => return Some(HandlerEvent::Refused(error)),
                // Ended or reset: nothing more on this stream; the peer may open another.
                Ok(None) | Err(_) => {}
            }
        }
        None
    }

    /// Moves the outbound side on; `Some` asks the swarm for a stream.
    fn poll_outbound(&mut self, cx: &mut Context<'_>) -> Option<()> {
        loop {
            match std::mem::replace(&mut self.outbound, Outbound::Idle) {
                Outbound::Idle if self.queued.is_some() && self.dialer => {
                    self.outbound = Outbound::Requested;
                    return Some(());
                }
                Outbound::Open(stream) => match self.queued.take() {
                    Some(message) => {
                        self.outbound =
                            Outbound::Writing(Self::write(stream, message, self.write_timeout))
                    }
                    None => {
                        self.outbound = Outbound::Open(stream);
                        return None;
                    }
                },
                Outbound::Writing(mut write) => match write.poll_unpin(cx) {
                    Poll::Ready(Ok(stream)) => {
                        self.outbound = Outbound::Open(self.spare.take().unwrap_or(stream))
                    }
                    Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::TimedOut => {
                        self.queued = None;
                        self.events.push_back(HandlerEvent::Stalled);
                        return None;
                    }
                    // The stream is gone; the next change goes on a newer one, or a dialer
                    // opens another (never a retry loop against a peer that resets every
                    // stream).
                    Poll::Ready(Err(_)) => {
                        if let Some(spare) = self.spare.take() {
                            self.outbound = Outbound::Open(spare);
                        }
                        return None;
                    }
                    Poll::Pending => {
                        self.outbound = Outbound::Writing(write);
                        return None;
                    }
                },
                other => {
                    self.outbound = other;
                    return None;
                }
            }
        }
    }
}

impl ConnectionHandler for Handler {
    type FromBehaviour = StatusMessage;
    type ToBehaviour = HandlerEvent;
    type InboundProtocol = ReadyUpgrade<StreamProtocol>;
    type OutboundProtocol = ReadyUpgrade<StreamProtocol>;
    type InboundOpenInfo = ();
    type OutboundOpenInfo = ();

    fn listen_protocol(&self) -> SubstreamProtocol<Self::InboundProtocol, ()> {
        Self::protocol()
    }

    fn connection_keep_alive(&self) -> bool {
        // A listener's queued status waits for a stream that may never come (a peer without
        // the protocol): that alone keeps nothing open.
        let can_send = self.dialer || !matches!(self.outbound, Outbound::Idle);
        self.heard
            || (self.queued.is_some() && can_send)
            || matches!(self.outbound, Outbound::Requested | Outbound::Writing(_))
    }

    fn on_behaviour_event(&mut self, status: StatusMessage) {
        if !matches!(self.outbound, Outbound::Unsupported) {
            self.queued = Some(status);
        }
    }

    fn poll(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<ConnectionHandlerEvent<Self::OutboundProtocol, (), HandlerEvent>> {
        self.heard = false;
        if let Some(event) = self.events.pop_front() {
            return Poll::Ready(ConnectionHandlerEvent::NotifyBehaviour(event));
        }
        if let Some(event) = self.poll_inbound(cx) {
            return Poll::Ready(ConnectionHandlerEvent::NotifyBehaviour(event));
        }
        if self.poll_outbound(cx).is_some() {
            return Poll::Ready(ConnectionHandlerEvent::OutboundSubstreamRequest {
                protocol: Self::protocol(),
            });
        }
        // A write that just timed out has an event to report.
        match self.events.pop_front() {
            Some(event) => Poll::Ready(ConnectionHandlerEvent::NotifyBehaviour(event)),
            None => Poll::Pending,
        }
    }

    fn on_connection_event(
        &mut self,
        event: ConnectionEvent<Self::InboundProtocol, Self::OutboundProtocol>,
    ) {
        match event {
            ConnectionEvent::FullyNegotiatedInbound(FullyNegotiatedInbound {
                protocol: mut stream,
                ..
            }) => {
                stream.ignore_for_keep_alive();
                if self.inbound.len() >= MAX_INBOUND_STREAMS {
                    self.events.push_back(HandlerEvent::TooManyStreams);
                    return;
                }
                let (reader, writer) = stream.split();
                self.inbound.push(Self::read(reader));
                // A listener answers on the dialer's newest stream; a dialer has its own.
                if !self.dialer {
                    match self.outbound {
                        Outbound::Writing(_) => self.spare = Some(writer),
                        _ => self.outbound = Outbound::Open(writer),
                    }
                }
            }
            ConnectionEvent::FullyNegotiatedOutbound(FullyNegotiatedOutbound {
                protocol: mut stream,
                ..
            }) => {
                stream.ignore_for_keep_alive();
                let (reader, writer) = stream.split();
                self.inbound.push(Self::read(reader));
                self.outbound = Outbound::Open(writer);
                self.events.push_back(HandlerEvent::Opened);
            }
            ConnectionEvent::DialUpgradeError(DialUpgradeError { error, .. }) => {
                if let StreamUpgradeError::NegotiationFailed = error {
                    self.outbound = Outbound::Unsupported;
                    self.events.push_back(HandlerEvent::Unsupported);
                } else {
                    // Timed out or the connection is going: the next change tries again.
                    self.outbound = Outbound::Idle;
                }
                self.queued = None;
            }
            _ => {}
        }
    }
}

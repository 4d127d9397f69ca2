//! The listening side of WebTransport as a libp2p [`Transport`]: one wtransport endpoint per
//! `listen_on`, every accepted session upgraded by [`Handshake`], and the certificates rotated
//! on schedule (the listen address changes with them). Dialing is not supported.

use std::{
    collections::VecDeque,
    net::{IpAddr, SocketAddr},
    pin::Pin,
    sync::{atomic::AtomicUsize, Arc},
    task::{Context, Poll, Waker},
    time::{Duration, SystemTime},
};

use futures::{future::BoxFuture, FutureExt};
use libp2p::{
    core::transport::{DialOpts, ListenerId, TransportError, TransportEvent},
    identity::Keypair,
    multiaddr::Protocol,
    Multiaddr, PeerId,
};
use wtransport::{
    endpoint::{endpoint_side::Server, IncomingSession},
    Endpoint, ServerConfig,
};

use super::{
    certificates::Certificates,
    connection::{Connection, SessionSlot},
    handshake::Handshake,
    Error,
};

/// Limits of the listener; [`Config::default`] holds the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// From the first QUIC packet to the end of the Noise handshake: 10 s (go-libp2p's value).
    /// A browser that stalls longer is dropped and its session slot freed.
    pub handshake_timeout: Duration,
    /// Sessions (handshaking or established) per listener: 256. Connection attempts beyond
    /// it are refused at the QUIC level before any TLS work.
    pub max_sessions: usize,
    /// A session with no packets for this long is closed: 30 s. The page pings every few
    /// seconds, and QUIC keep-alives are sent at a third of it.
    pub idle_timeout: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            handshake_timeout: Duration::from_secs(10),
            max_sessions: 256,
            idle_timeout: Duration::from_secs(30),
        }
    }
}

/// When the clock gives no reason to wake sooner, the rotation is re-checked this often (1 h),
/// so a suspended machine or a clock change is noticed.
const ROTATION_RECHECK: Duration = Duration::from_secs(3600);

/// After a failed rotation (e.g. the data dir is not writable), the next try comes this much
/// later (1 min) rather than at once; the old certificate keeps serving meanwhile.
const ROTATION_RETRY: Duration = Duration::from_secs(60);

/// A WebTransport listener for browsers' `libp2p-webtransport-websys`. See the module docs.
pub struct Transport {
    keypair: Keypair,
    certificates: Certificates,
    config: Config,
    listeners: Vec<Listener>,
    rotation: Option<Pin<Box<tokio::time::Sleep>>>,
    pending: VecDeque<TransportEvent<<Self as libp2p::Transport>::ListenerUpgrade, Error>>,
    waker: Option<Waker>,
    /// The wall clock certificates are rotated by (replaced in tests).
    clock: fn() -> SystemTime,
}

struct Listener {
    id: ListenerId,
    endpoint: Arc<Endpoint<Server>>,
    bound: SocketAddr,
    address: Multiaddr,
    accepting: BoxFuture<'static, IncomingSession>,
    sessions: Arc<AtomicUsize>,
}

impl Transport {
    /// A listener transport authenticating as `keypair`, serving `certificates` (kept in a data
    /// dir, or ephemeral), with the default [`Config`].
    pub fn new(keypair: Keypair, certificates: Certificates) -> Transport {
        Transport::with_config(keypair, certificates, Config::default())
    }

    pub fn with_config(keypair: Keypair, certificates: Certificates, config: Config) -> Transport {
        Transport {
            keypair,
            certificates,
            config,
            listeners: Vec::new(),
            rotation: None,
            pending: VecDeque::new(),
            waker: None,
            clock: SystemTime::now,
        }
    }

    fn server_config(&self, bind: SocketAddr) -> ServerConfig {
        ServerConfig::builder()
            .with_bind_address(bind)
            .with_identity(self.certificates.serving().identity())
            .max_idle_timeout(Some(self.config.idle_timeout))
            .expect("the idle timeout is far below QUIC's maximum")
            .keep_alive_interval(Some(self.config.idle_timeout / 3))
            .build()
    }

    fn listen_address(&self, bound: SocketAddr) -> Multiaddr {
        let mut addr = quic_address(bound).with(Protocol::WebTransport);
        for hash in self.certificates.announced() {
            addr.push(Protocol::Certhash(hash));
        }
        addr
    }

    fn handshake(&self) -> Handshake {
        Handshake {
            keypair: self.keypair.clone(),
            certhashes: self.certificates.accepted(),
            timeout: self.config.handshake_timeout,
        }
    }

    /// Moves to the current certificates if their period has changed: every listener serves
    /// the new one from now on, and its address is replaced.
    fn rotate(&mut self) {
        match self.certificates.rotate((self.clock)()) {
            Ok(false) => {}
            Ok(true) => {
                for i in 0..self.listeners.len() {
                    let bound = self.listeners[i].bound;
                    let config = self.server_config(bound);
                    let address = self.listen_address(bound);
                    let listener = &mut self.listeners[i];
                    if let Err(e) = listener.endpoint.reload_config(config, false) {
                        tracing::warn!(%e, "WebTransport listener kept its old certificate");
                        continue;
                    }
                    let old = std::mem::replace(&mut listener.address, address.clone());
                    self.pending.push_back(TransportEvent::AddressExpired {
                        listener_id: listener.id,
                        listen_addr: old,
                    });
                    self.pending.push_back(TransportEvent::NewAddress {
                        listener_id: listener.id,
                        listen_addr: address,
                    });
                }
            }
            Err(e) => tracing::warn!(%e, "WebTransport certificate rotation failed; retrying"),
        }
    }

    /// Time to sleep before the next rotation check: until the period ends (at most
    /// [`ROTATION_RECHECK`]), or [`ROTATION_RETRY`] when that moment has passed (the last
    /// attempt failed), so a persistent failure never spins.
    fn until_rotation(&self) -> Duration {
        let until = self.certificates.next_rotation().duration_since((self.clock)());
        match until {
            Ok(until) if !until.is_zero() => until.min(ROTATION_RECHECK),
            _ => ROTATION_RETRY,
        }
    }

    fn wake(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

impl libp2p::Transport for Transport {
    type Output = (PeerId, Connection);
    type Error = Error;
    type ListenerUpgrade = BoxFuture<'static, Result<Self::Output, Error>>;
    type Dial = BoxFuture<'static, Result<Self::Output, Error>>;

    fn listen_on(
        &mut self,
        id: ListenerId,
        addr: Multiaddr,
    ) -> Result<(), TransportError<Self::Error>> {
        let Some(bind) = listen_socket(&addr) else {
            return Err(TransportError::MultiaddrNotSupported(addr));
        };
        if tokio::runtime::Handle::try_current().is_err() {
            let reason = std::io::Error::other("the WebTransport listener needs a tokio runtime");
            return Err(TransportError::Other(Error::Bind(reason)));
        }
        let endpoint = Endpoint::server(self.server_config(bind))
            .map_err(|e| TransportError::Other(Error::Bind(e)))?;
        let bound = endpoint.local_addr().map_err(|e| TransportError::Other(Error::Bind(e)))?;
        let endpoint = Arc::new(endpoint);
        let address = self.listen_address(bound);
        self.listeners.push(Listener {
            id,
            accepting: accept_next(&endpoint),
            endpoint,
            bound,
            address: address.clone(),
            sessions: Arc::new(AtomicUsize::new(0)),
        });
        self.pending
            .push_back(TransportEvent::NewAddress { listener_id: id, listen_addr: address });
        self.wake();
        Ok(())
    }

    fn remove_listener(&mut self, id: ListenerId) -> bool {
        let Some(i) = self.listeners.iter().position(|l| l.id == id) else { return false };
        let Listener { endpoint, accepting, address, .. } = self.listeners.remove(i);
        // wtransport's accept panics on a closed endpoint: stop accepting first.
        drop(accepting);
        endpoint.close(wtransport::VarInt::from_u32(0), b"listener closed");
        self.pending
            .push_back(TransportEvent::AddressExpired { listener_id: id, listen_addr: address });
        self.pending.push_back(TransportEvent::ListenerClosed { listener_id: id, reason: Ok(()) });
        self.wake();
        true
    }

    /// Only browsers dial WebTransport here; a native dial is refused.
    fn dial(
        &mut self,
        addr: Multiaddr,
        _: DialOpts,
    ) -> Result<Self::Dial, TransportError<Self::Error>> {
        Err(TransportError::MultiaddrNotSupported(addr))
    }

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<TransportEvent<Self::ListenerUpgrade, Self::Error>> {
        let this = &mut *self;
        loop {
            if let Some(event) = this.pending.pop_front() {
                return Poll::Ready(event);
            }
            if this.listeners.is_empty() {
                this.rotation = None;
                break;
            }
            let until = this.until_rotation();
            let timer = this.rotation.get_or_insert_with(|| Box::pin(tokio::time::sleep(until)));
            if timer.poll_unpin(cx).is_pending() {
                break;
            }
            this.rotation = None;
            this.rotate();
        }
        let handshake = this.handshake();
        let max_sessions = this.config.max_sessions;
        for listener in &mut this.listeners {
            while let Poll::Ready(incoming) = listener.accepting.poll_unpin(cx) {
                listener.accepting = accept_next(&listener.endpoint);
                let Some(slot) = SessionSlot::try_take(&listener.sessions, max_sessions) else {
                    tracing::debug!(remote = %incoming.remote_address(), "too many WebTransport sessions");
                    incoming.refuse();
                    continue;
                };
                let send_back_addr =
                    quic_address(incoming.remote_address()).with(Protocol::WebTransport);
                return Poll::Ready(TransportEvent::Incoming {
                    listener_id: listener.id,
                    upgrade: handshake.accept(incoming, slot).boxed(),
                    local_addr: listener.address.clone(),
                    send_back_addr,
                });
            }
        }
        this.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

fn accept_next(endpoint: &Arc<Endpoint<Server>>) -> BoxFuture<'static, IncomingSession> {
    let endpoint = endpoint.clone();
    async move { endpoint.accept().await }.boxed()
}

fn quic_address(socket: SocketAddr) -> Multiaddr {
    let ip = match socket.ip() {
        IpAddr::V4(ip) => Protocol::Ip4(ip),
        IpAddr::V6(ip) => Protocol::Ip6(ip),
    };
    Multiaddr::empty().with(ip).with(Protocol::Udp(socket.port())).with(Protocol::QuicV1)
}

/// The socket to bind for `/ip4|ip6/<ip>/udp/<port>/quic-v1/webtransport` (certhashes are ours
/// to choose, so an address carrying any is not one we can listen on).
pub fn listen_socket(addr: &Multiaddr) -> Option<SocketAddr> {
    let mut parts = addr.iter();
    let ip: IpAddr = match parts.next()? {
        Protocol::Ip4(ip) => ip.into(),
        Protocol::Ip6(ip) => ip.into(),
        _ => return None,
    };
    let Protocol::Udp(port) = parts.next()? else { return None };
    matches!(parts.next()?, Protocol::QuicV1).then_some(())?;
    matches!(parts.next()?, Protocol::WebTransport).then_some(())?;
    parts.next().is_none().then_some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;

    use libp2p::Transport as _;

    use super::*;
    use crate::webtransport::certificate::{period_at, period_start};

    fn next_period_start() -> SystemTime {
        period_start(period_at(SystemTime::now()) + 1)
    }

    fn certhashes(addr: &Multiaddr) -> Vec<libp2p::multihash::Multihash<64>> {
        addr.iter()
            .filter_map(|p| match p {
                Protocol::Certhash(h) => Some(h),
                _ => None,
            })
            .collect()
    }

    #[tokio::test]
    async fn at_the_period_boundary_the_address_moves_on_to_the_next_certificates() {
        let certificates = Certificates::ephemeral(SystemTime::now()).unwrap();
        let [serving, next] = certificates.announced();
        let mut transport = Transport::new(Keypair::generate_ed25519(), certificates);
        let id = ListenerId::next();
        let addr = "/ip4/127.0.0.1/udp/0/quic-v1/webtransport".parse().unwrap();
        transport.listen_on(id, addr).unwrap();
        let TransportEvent::NewAddress { listen_addr: old, .. } =
            poll_fn(|cx| Pin::new(&mut transport).poll(cx)).await
        else {
            panic!("the listen address comes first")
        };
        assert_eq!(certhashes(&old), [serving, next]);

        transport.clock = next_period_start;
        transport.rotate();
        let Some(TransportEvent::AddressExpired { listener_id, listen_addr }) =
            transport.pending.pop_front()
        else {
            panic!("the old address expires first")
        };
        assert_eq!((listener_id, &listen_addr), (id, &old));
        let Some(TransportEvent::NewAddress { listen_addr: new, .. }) =
            transport.pending.pop_front()
        else {
            panic!("then the new address")
        };
        let [now_serving, newest] = certhashes(&new)[..] else { panic!("two certhashes") };
        assert_eq!(now_serving, next);
        assert!(newest != serving && newest != next);
        assert_eq!(new.iter().take(4).collect::<Vec<_>>(), old.iter().take(4).collect::<Vec<_>>());
        assert_eq!(
            transport.handshake().certhashes,
            std::collections::HashSet::from([serving, next, newest])
        );
        assert!(transport.pending.is_empty());
        // The next rotation is a whole period away: re-checked hourly meanwhile.
        assert_eq!(transport.until_rotation(), ROTATION_RECHECK);
    }

    #[test]
    fn an_overdue_rotation_is_retried_a_minute_later_not_at_once() {
        let certificates = Certificates::ephemeral(SystemTime::now()).unwrap();
        let mut transport = Transport::new(Keypair::generate_ed25519(), certificates);
        transport.clock = || next_period_start() + Duration::from_secs(1);
        assert_eq!(transport.until_rotation(), ROTATION_RETRY);
        transport.clock = next_period_start;
        assert_eq!(transport.until_rotation(), ROTATION_RETRY);
    }

    #[test]
    fn only_plain_webtransport_addresses_can_be_listened_on() {
        let socket = |s: &str| listen_socket(&s.parse().unwrap());
        assert_eq!(
            socket("/ip4/127.0.0.1/udp/9093/quic-v1/webtransport"),
            Some("127.0.0.1:9093".parse().unwrap())
        );
        assert_eq!(socket("/ip6/::1/udp/0/quic-v1/webtransport"), Some("[::1]:0".parse().unwrap()));
        assert_eq!(socket("/ip4/127.0.0.1/udp/9093/quic-v1"), None);
        assert_eq!(socket("/ip4/127.0.0.1/tcp/9093/ws"), None);
        assert_eq!(socket("/dns4/localhost/udp/9093/quic-v1/webtransport"), None);
        let with_hash = "/ip4/127.0.0.1/udp/9093/quic-v1/webtransport/certhash/uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1aluKR_tpevQ";
        assert_eq!(socket(with_hash), None);
    }
}

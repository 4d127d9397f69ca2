//! The WebTransport listener against wtransport's client playing the browser's part: the
//! session on the libp2p path, Noise XX with us as responder, then one bidirectional stream
//! per substream. (Native rust-libp2p cannot dial WebTransport, so no second swarm.)
#![cfg(not(target_arch = "wasm32"))]

use std::{collections::HashSet, future::poll_fn, pin::Pin, time::Duration, time::SystemTime};

use futures::{AsyncReadExt, AsyncWriteExt};
use libp2p::{
    core::{
        muxing::StreamMuxerExt,
        transport::{ListenerId, TransportEvent},
        upgrade::OutboundConnectionUpgrade,
    },
    identity::Keypair,
    multiaddr::Protocol,
    multihash::Multihash,
    noise, Multiaddr, PeerId, Transport as _,
};
use peerkeeper_net::webtransport::{Certificates, Config, Connection, Error, Stream, Transport};
use tokio::sync::mpsc;
use wtransport::{tls::Sha256Digest, ClientConfig, Endpoint};

const LIBP2P_URL_PATH: &str = "/.well-known/libp2p-webtransport?type=noise";

struct Listener {
    port: u16,
    peer: PeerId,
    certhashes: Vec<Multihash<64>>,
    accepted: mpsc::UnboundedReceiver<Result<(PeerId, Connection), Error>>,
}

/// Starts a listener on a free loopback port and drives it in a task; every upgrade's outcome
/// arrives on `accepted`.
async fn listen(config: Config) -> Listener {
    let key = Keypair::generate_ed25519();
    let peer = key.public().to_peer_id();
    let certificates = Certificates::ephemeral(SystemTime::now()).unwrap();
    let mut transport = Transport::with_config(key, certificates, config);
    let addr: Multiaddr = "/ip4/127.0.0.1/udp/0/quic-v1/webtransport".parse().unwrap();
    transport.listen_on(ListenerId::next(), addr).unwrap();
    let TransportEvent::NewAddress { listen_addr, .. } =
        poll_fn(|cx| Pin::new(&mut transport).poll(cx)).await
    else {
        panic!("the first event is the listen address")
    };
    let mut port = None;
    let mut certhashes = Vec::new();
    for p in listen_addr.iter() {
        match p {
            Protocol::Udp(p) => port = Some(p),
            Protocol::Certhash(h) => certhashes.push(h),
            _ => {}
        }
    }
    let (tx, accepted) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let event = poll_fn(|cx| Pin::new(&mut transport).poll(cx)).await;
            if let TransportEvent::Incoming { upgrade, .. } = event {
                let tx = tx.clone();
                tokio::spawn(async move { tx.send(upgrade.await) });
            }
        }
    });
    Listener { port: port.unwrap(), peer, certhashes, accepted }
}

/// A wtransport client trusting the listener's serving certificate, as a browser given its
/// multiaddr does (same rules: ECDSA P-256, at most 14 days, currently valid).
async fn connect(listener: &Listener, path: &str) -> Result<wtransport::Connection, String> {
    let serving = listener.certhashes[0].digest().try_into().unwrap();
    let config = ClientConfig::builder()
        .with_bind_default()
        .with_server_certificate_hashes([Sha256Digest::new(serving)])
        .build();
    let endpoint = Endpoint::client(config).unwrap();
    let url = format!("https://127.0.0.1:{}{path}", listener.port);
    endpoint.connect(url).await.map_err(|e| e.to_string())
}

/// Runs Noise XX as initiator on a new bidirectional stream, expecting `certhashes`.
async fn noise_handshake(
    session: &wtransport::Connection,
    key: &Keypair,
    certhashes: HashSet<Multihash<64>>,
) -> Result<PeerId, noise::Error> {
    let stream = Stream::from(session.open_bi().await.unwrap().await.unwrap());
    let config = noise::Config::new(key).unwrap().with_webtransport_certhashes(certhashes);
    let (peer, _io) = config.upgrade_outbound(stream, "/noise").await?;
    Ok(peer)
}

async fn next_accepted(listener: &mut Listener) -> Result<(PeerId, Connection), Error> {
    tokio::time::timeout(Duration::from_secs(20), listener.accepted.recv())
        .await
        .expect("the upgrade finishes")
        .expect("the listener task runs")
}

#[tokio::test]
async fn a_browser_like_client_learns_our_certhashes_and_both_sides_learn_the_peer_ids() {
    let mut listener = listen(Config::default()).await;
    assert_eq!(listener.certhashes.len(), 2);
    let session = connect(&listener, LIBP2P_URL_PATH).await.unwrap();
    let client_key = Keypair::generate_ed25519();
    // The client checks that every certhash it was given is in our handshake payload.
    let expected: HashSet<_> = listener.certhashes.iter().copied().collect();
    let server_peer = noise_handshake(&session, &client_key, expected).await.unwrap();
    assert_eq!(server_peer, listener.peer);
    let (client_peer, mut connection) = next_accepted(&mut listener).await.unwrap();
    assert_eq!(client_peer, client_key.public().to_peer_id());

    // A stream the client opens arrives as an inbound substream...
    let (mut send, _recv) = session.open_bi().await.unwrap().await.unwrap();
    send.write_all(b"ping").await.unwrap();
    let mut inbound = poll_fn(|cx| connection.poll_inbound_unpin(cx)).await.unwrap();
    let mut buf = [0; 4];
    inbound.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"ping");

    // ...and one we open arrives at the client.
    let mut outbound = poll_fn(|cx| connection.poll_outbound_unpin(cx)).await.unwrap();
    outbound.write_all(b"pong").await.unwrap();
    outbound.flush().await.unwrap();
    let (_send, mut recv) = session.accept_bi().await.unwrap();
    let mut buf = [0; 4];
    recv.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"pong");
}

#[tokio::test]
async fn a_client_expecting_a_certhash_we_do_not_have_refuses_the_handshake() {
    let listener = listen(Config::default()).await;
    let session = connect(&listener, LIBP2P_URL_PATH).await.unwrap();
    let foreign = Multihash::wrap(0x12, &[7; 32]).unwrap();
    let err = noise_handshake(&session, &Keypair::generate_ed25519(), HashSet::from([foreign]))
        .await
        .unwrap_err();
    assert!(matches!(err, noise::Error::UnknownWebTransportCerthashes(..)), "{err}");
}

#[tokio::test]
async fn garbage_instead_of_noise_fails_the_upgrade_and_the_listener_keeps_serving() {
    let mut listener = listen(Config::default()).await;
    let session = connect(&listener, LIBP2P_URL_PATH).await.unwrap();
    let (mut send, _recv) = session.open_bi().await.unwrap().await.unwrap();
    // A Noise frame claims 3 bytes (empty XX message 1 is 32); then the stream ends.
    send.write_all(&[0, 3, 0xde, 0xad, 0xbe]).await.unwrap();
    send.finish().await.unwrap();
    let err = next_accepted(&mut listener).await.err().expect("the upgrade fails");
    assert!(matches!(err, Error::Noise(_)), "{err}");

    let again = connect(&listener, LIBP2P_URL_PATH).await.unwrap();
    let client_key = Keypair::generate_ed25519();
    let server_peer = noise_handshake(&again, &client_key, HashSet::new()).await.unwrap();
    assert_eq!(server_peer, listener.peer);
    assert_eq!(next_accepted(&mut listener).await.unwrap().0, client_key.public().to_peer_id());
}

#[tokio::test]
async fn a_session_on_another_path_is_answered_not_found() {
    let mut listener = listen(Config::default()).await;
    let err = connect(&listener, "/chat").await.unwrap_err();
    assert!(err.contains("server rejected"), "{err}");
    let err = next_accepted(&mut listener).await.err().unwrap();
    assert!(matches!(&err, Error::WrongPath(p) if p == "/chat"), "{err}");
}

#[tokio::test]
async fn a_client_that_never_starts_noise_is_dropped_after_the_handshake_timeout() {
    let config = Config { handshake_timeout: Duration::from_millis(500), ..Config::default() };
    let mut listener = listen(config).await;
    let session = connect(&listener, LIBP2P_URL_PATH).await.unwrap();
    let err = next_accepted(&mut listener).await.err().unwrap();
    assert!(matches!(err, Error::HandshakeTimeout(d) if d == Duration::from_millis(500)), "{err}");
    tokio::time::timeout(Duration::from_secs(10), session.closed()).await.expect("closed");
}

#[tokio::test]
async fn sessions_beyond_the_limit_are_refused() {
    let config = Config { max_sessions: 1, ..Config::default() };
    let mut listener = listen(config).await;
    let first = connect(&listener, LIBP2P_URL_PATH).await.unwrap();
    noise_handshake(&first, &Keypair::generate_ed25519(), HashSet::new()).await.unwrap();
    let (_, connection) = next_accepted(&mut listener).await.unwrap();
    assert!(connect(&listener, LIBP2P_URL_PATH).await.is_err());
    // Dropping the established connection frees its slot.
    drop(connection);
    drop(first);
    let third = connect(&listener, LIBP2P_URL_PATH).await.unwrap();
    noise_handshake(&third, &Keypair::generate_ed25519(), HashSet::new()).await.unwrap();
}

//! The peerkeeper protocols on real swarms (in-memory transport, plaintext, yamux): status
//! feeds the engine on connect and on change, headers round-trip within the 100 bound, peer
//! exchange follows the engine's rate limit, oversized or malformed input is struck without
//! stalling the node, and peers that speak none of the protocols are left alone.
#![cfg(not(target_arch = "wasm32"))]

use std::io;
use std::time::Duration;

use futures::channel::mpsc;
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, StreamExt};
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::{NetworkBehaviour, Swarm, SwarmEvent};
use libp2p::{Multiaddr, PeerId, StreamProtocol};
use libp2p_swarm_test::SwarmExt;
use peerkeeper_core::fork::{
    BlockId, BlockRange, ChainStatus, ForkConfig, ForkDigest, ForkStatus, Header, NetworkId,
    NodeMode,
};
use peerkeeper_core::strikes::StrikeKind;
use peerkeeper_net::codec::{decode, encode, read_frame};
use peerkeeper_net::connection_manager::{self, ManualClock};
use peerkeeper_net::headers_protocol::{self, HeadersRequest, HeadersResponse};
use peerkeeper_net::peer_exchange;
use peerkeeper_net::peerkeeper_behaviour::{ChainStart, Config, Event, PeerkeeperBehaviour};
use peerkeeper_net::status_protocol;

type Node = Swarm<PeerkeeperBehaviour<ManualClock>>;

const DIGEST: ForkDigest = ForkDigest([0xd1, 0x70, 0, 1]);

fn block(n: u8) -> Header {
    Header {
        number: n.into(),
        id: BlockId([n; 32]),
        parent: BlockId([n.wrapping_sub(1); 32]),
        producer: "v1".into(),
    }
}

/// Network 1, head #2 (final up to #1), caught up.
fn status(network: u64, head: u8) -> ChainStatus {
    ChainStatus {
        network_id: NetworkId(network),
        fork_digest: DIGEST,
        head: block(head).block_ref(),
        lib: block(1).block_ref(),
        range: Some(BlockRange { earliest: 1, latest: head.into() }),
        node_mode: NodeMode::Forward,
        fork_status: ForkStatus::Normal,
        emergency: false,
        emergency_key: false,
    }
}

fn plain_config() -> Config {
    Config { pex_on_connect: false, ..Config::default() }
}

/// A config whose engine follows network 1's chain from head #2.
fn chain_config() -> Config {
    let mut config = plain_config();
    config.peers.engine.fork = Some(ForkConfig::new(NetworkId(1), DIGEST));
    config.chain = Some(ChainStart { head: block(2), lib: block(1).block_ref() });
    config
}

fn node_with_clock(config: Config, clock: ManualClock) -> Node {
    Swarm::new_ephemeral_tokio(move |key| {
        PeerkeeperBehaviour::with_clock(key.public().to_peer_id(), config, clock).unwrap()
    })
}

fn node(config: Config) -> Node {
    node_with_clock(config, ManualClock::default())
}

/// Drives both swarms until `pick` accepts an event of either (at most 10 s).
async fn until<A, B, T>(
    a: &mut Swarm<A>,
    b: &mut Swarm<B>,
    mut pick: impl FnMut(Side<A::ToSwarm, B::ToSwarm>) -> Option<T>,
) -> T
where
    A: NetworkBehaviour,
    B: NetworkBehaviour,
    A::ToSwarm: Send + std::fmt::Debug,
    B::ToSwarm: Send + std::fmt::Debug,
{
    let found = async {
        loop {
            let side = tokio::select! {
                e = a.select_next_some() => Side::A(e),
                e = b.select_next_some() => Side::B(e),
            };
            if std::env::var("DEBUG_EVENTS").is_ok() {
                match &side {
                    Side::A(e) => eprintln!("A: {e:?}"),
                    Side::B(e) => eprintln!("B: {e:?}"),
                }
            }
            if let Some(t) = pick(side) {
                return t;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), found).await.expect("the event within 10 s")
}

enum Side<A, B> {
    A(SwarmEvent<A>),
    B(SwarmEvent<B>),
}

/// Drives both until each has emitted one event `pick` accepts; returns them (a's, b's).
async fn both<A, B, T, U>(
    a: &mut Swarm<A>,
    b: &mut Swarm<B>,
    mut pick_a: impl FnMut(A::ToSwarm) -> Option<T>,
    mut pick_b: impl FnMut(B::ToSwarm) -> Option<U>,
) -> (T, U)
where
    A: NetworkBehaviour,
    B: NetworkBehaviour,
    A::ToSwarm: Send + std::fmt::Debug,
    B::ToSwarm: Send + std::fmt::Debug,
{
    let (mut got_a, mut got_b) = (None, None);
    until(a, b, |side| {
        match side {
            Side::A(SwarmEvent::Behaviour(e)) if got_a.is_none() => got_a = pick_a(e),
            Side::B(SwarmEvent::Behaviour(e)) if got_b.is_none() => got_b = pick_b(e),
            _ => {}
        }
        (got_a.is_some() && got_b.is_some()).then_some(())
    })
    .await;
    (got_a.unwrap(), got_b.unwrap())
}

fn status_from(from: PeerId) -> impl FnMut(Event) -> Option<ChainStatus> {
    move |e| match e {
        Event::StatusReceived { peer, status } if peer == from => Some(status),
        _ => None,
    }
}

fn strikes(node: &Node, peer: &PeerId) -> u32 {
    node.behaviour().peers().manager().strikes(peer)
}

#[tokio::test]
async fn statuses_are_exchanged_on_connect_and_on_change_and_align_the_peers() {
    let mut a = node(chain_config());
    let mut b = node(chain_config());
    a.behaviour_mut().set_local_status(status(1, 2));
    b.behaviour_mut().set_local_status(status(1, 2));
    b.listen().with_memory_addr_external().await;
    let (a_id, b_id) = (*a.local_peer_id(), *b.local_peer_id());
    a.dial(b.external_addresses().next().unwrap().clone()).unwrap();

    let (at_a, at_b) = both(&mut a, &mut b, status_from(b_id), status_from(a_id)).await;
    assert_eq!((at_a, at_b), (status(1, 2), status(1, 2)));
    for (node, other) in [(&a, b_id), (&b, a_id)] {
        let pm = node.behaviour().peers().manager();
        assert!(pm.is_connected(&other));
        assert!(pm.is_aligned(&other), "a peer reporting our own head is aligned");
        assert_eq!(pm.fork_view().unwrap().peer_status(&other), Some(&status(1, 2)));
        assert_eq!(pm.strikes(&other), 0);
        assert_eq!(node.behaviour().status_peers().copied().collect::<Vec<_>>(), vec![other]);
    }

    // Our chain moves on: the new status reaches the peer without a reconnect.
    let mut moved = status(1, 2);
    moved.node_mode = NodeMode::Sync;
    moved.emergency = true;
    a.behaviour_mut().set_local_status(moved.clone());
    // Both sides open an exchange on connect, so the old status may still be in flight.
    let at_b = until(&mut a, &mut b, |side| match side {
        Side::B(SwarmEvent::Behaviour(e)) => status_from(a_id)(e).filter(|s| *s == moved),
        _ => None,
    })
    .await;
    assert_eq!(at_b, moved);
    assert_eq!(
        b.behaviour().peers().manager().fork_view().unwrap().peer_status(&a_id),
        Some(&moved)
    );
}

#[tokio::test]
async fn a_hundred_status_changes_travel_on_the_one_stream_the_dialer_opened_on_connect() {
    let mut a = node(plain_config());
    let mut b = node(plain_config());
    a.behaviour_mut().set_local_status(status(1, 2));
    b.listen().with_memory_addr_external().await;
    let a_id = *a.local_peer_id();
    a.connect(&mut b).await;
    let mut heard = Vec::new();
    until(&mut a, &mut b, |side| match side {
        Side::B(SwarmEvent::Behaviour(Event::StatusReceived { peer, status })) if peer == a_id => {
            heard.push(status.head.number);
            (status.head.number == 2).then_some(())
        }
        _ => None,
    })
    .await;

    // One change at a time, each seen before the next: every one is its own frame.
    for head in 3..=52u8 {
        a.behaviour_mut().set_local_status(status(1, head));
        until(&mut a, &mut b, |side| match side {
            Side::B(SwarmEvent::Behaviour(Event::StatusReceived { status, .. })) => {
                heard.push(status.head.number);
                (status.head.number == u64::from(head)).then_some(())
            }
            _ => None,
        })
        .await;
    }
    assert_eq!(heard, (2..=52).collect::<Vec<u64>>());
    // Fifty more at once: the writer keeps only the latest unsent, so the last always arrives.
    for head in 53..=102u8 {
        a.behaviour_mut().set_local_status(status(1, head));
    }
    let last = until(&mut a, &mut b, |side| match side {
        Side::B(SwarmEvent::Behaviour(Event::StatusReceived { status, .. })) => {
            (status.head.number == 102).then_some(status)
        }
        _ => None,
    })
    .await;
    assert_eq!(last, status(1, 102));
    // The listener's changes travel back on the same stream.
    let b_id = *b.local_peer_id();
    for head in [7u8, 8] {
        b.behaviour_mut().set_local_status(status(1, head));
        until(&mut a, &mut b, |side| match side {
            Side::A(SwarmEvent::Behaviour(Event::StatusReceived { peer, status }))
                if peer == b_id =>
            {
                (status.head.number == u64::from(head)).then_some(())
            }
            _ => None,
        })
        .await;
    }
    assert_eq!(
        (a.behaviour().status_streams_opened(), b.behaviour().status_streams_opened()),
        (1, 0),
        "the dialer's one status stream for the connection's whole life; the listener answers on it"
    );
}

#[tokio::test]
async fn a_status_from_another_network_closes_the_connection_as_irrelevant_network() {
    let mut hub = node(chain_config());
    hub.behaviour_mut().set_local_status(status(1, 2));
    let mut stranger = node(plain_config());
    stranger.behaviour_mut().set_local_status(status(2, 2));
    hub.listen().with_memory_addr_external().await;
    let (hub_id, stranger_id) = (*hub.local_peer_id(), *stranger.local_peer_id());
    stranger.dial(hub.external_addresses().next().unwrap().clone()).unwrap();

    let mut heard = None;
    until(&mut hub, &mut stranger, |side| match side {
        Side::A(SwarmEvent::Behaviour(Event::StatusReceived { peer, status })) => {
            assert_eq!(peer, stranger_id);
            heard = Some(status);
            None
        }
        Side::A(SwarmEvent::ConnectionClosed { peer_id, cause, .. }) => {
            assert_eq!(peer_id, stranger_id);
            assert!(cause.is_none(), "closed by the hub itself, not {cause:?}");
            Some(())
        }
        Side::B(SwarmEvent::ConnectionClosed { peer_id, .. }) => {
            assert_eq!(peer_id, hub_id);
            None
        }
        _ => None,
    })
    .await;
    assert_eq!(heard, Some(status(2, 2)));
    let pm = hub.behaviour().peers().manager();
    assert!(!pm.is_connected(&stranger_id));
    // The engine's close reason (irrelevant_network) reaches only the connection manager;
    // the core records fork-driven closes as a bare disconnect, so it is not asserted here.
    assert!(pm.fork_view().unwrap().peer_status(&stranger_id).is_none(), "forgotten on close");
    assert_eq!(pm.strikes(&stranger_id), 0, "another network is irrelevant, not spam");
}

fn chain_of(numbers: std::ops::RangeInclusive<u64>) -> Vec<Header> {
    numbers
        .map(|n| Header {
            number: n,
            id: BlockId([(n % 251) as u8; 32]),
            parent: BlockId([((n + 250) % 251) as u8; 32]),
            producer: format!("v{}", n % 3),
        })
        .collect()
}

#[tokio::test]
async fn a_headers_request_round_trips_and_is_capped_at_a_hundred_headers() {
    let mut server = node(plain_config());
    let chain = chain_of(1..=1_000);
    let served = chain.clone();
    server.behaviour_mut().set_header_source(move |from: u64, count: u16| {
        served.iter().filter(|h| h.number >= from).take(count.into()).cloned().collect()
    });
    let mut client = node(plain_config());
    server.listen().with_memory_addr_external().await;
    client.connect(&mut server).await;
    let server_id = *server.local_peer_id();

    client.behaviour_mut().request_headers(&server_id, 10, 150);
    let (request, headers) = until(&mut client, &mut server, |side| match side {
        Side::A(SwarmEvent::Behaviour(Event::HeadersReceived { peer, request, headers })) => {
            assert_eq!(peer, server_id);
            Some((request, headers))
        }
        _ => None,
    })
    .await;
    assert_eq!(request, HeadersRequest { from: 10, count: 100 }, "150 is clamped to 100");
    assert_eq!(headers, chain[9..109].to_vec(), "headers #10 to #109 in order");

    // Near the end of the server's chain it answers with what it has.
    client.behaviour_mut().request_headers(&server_id, 990, 100);
    let headers = until(&mut client, &mut server, |side| match side {
        Side::A(SwarmEvent::Behaviour(Event::HeadersReceived { headers, .. })) => Some(headers),
        _ => None,
    })
    .await;
    assert_eq!(
        headers.iter().map(|h| h.number).collect::<Vec<_>>(),
        (990..=1_000).collect::<Vec<_>>()
    );
    assert_eq!(strikes(&server, client.local_peer_id()), 0);
    assert_eq!(strikes(&client, &server_id), 0);
}

#[tokio::test]
async fn a_fourth_peer_exchange_request_within_300_s_is_refused_without_a_strike() {
    let clock = ManualClock::default();
    let mut server = node_with_clock(plain_config(), clock.clone());
    let known: Vec<(PeerId, Multiaddr)> = (1..=3u16)
        .map(|i| (PeerId::random(), format!("/ip4/127.0.0.1/tcp/{}", 4000 + i).parse().unwrap()))
        .collect();
    for (peer, addr) in &known {
        assert!(server.behaviour_mut().address_book_mut().add(*peer, addr.clone()));
    }
    let mut expected: Vec<(PeerId, Multiaddr)> = known
        .iter()
        .map(|(p, a)| (*p, a.clone().with(libp2p::multiaddr::Protocol::P2p(*p))))
        .collect();
    expected.sort_by_key(|(p, _)| *p);

    let mut client = node(plain_config());
    server.listen().with_memory_addr_external().await;
    client.connect(&mut server).await;
    let (server_id, client_id) = (*server.local_peer_id(), *client.local_peer_id());

    async fn ask(client: &mut Node, server: &mut Node, server_id: PeerId) -> (Event, Event) {
        client.behaviour_mut().request_peers(&server_id);
        let mut server_said = None;
        let client_got = until(client, server, |side| match side {
            Side::A(SwarmEvent::Behaviour(
                e @ (Event::PeersLearned { .. } | Event::PexRefused { .. }),
            )) => Some(e),
            Side::B(SwarmEvent::Behaviour(e @ Event::PexDenied { .. })) => {
                server_said = Some(e);
                None
            }
            _ => None,
        })
        .await;
        (client_got, server_said.unwrap_or(Event::PeersLearned { from: server_id, peers: vec![] }))
    }

    for at in [0, 1_000, 2_000] {
        clock.set(at);
        let (got, _) = ask(&mut client, &mut server, server_id).await;
        assert_eq!(
            got,
            Event::PeersLearned { from: server_id, peers: expected.clone() },
            "at {at}"
        );
    }
    clock.set(3_000);
    let (got, denied) = ask(&mut client, &mut server, server_id).await;
    assert_eq!(got, Event::PexRefused { peer: server_id, retry_after_ms: 297_000 });
    assert_eq!(denied, Event::PexDenied { peer: client_id, retry_at: 300_000 });
    assert_eq!(strikes(&server, &client_id), 0, "the seed strikes no rate-limited request");
    assert!(server.is_connected(&client_id));

    clock.set(299_999);
    let (got, _) = ask(&mut client, &mut server, server_id).await;
    assert!(matches!(got, Event::PexRefused { retry_after_ms: 1, .. }), "{got:?}");
    clock.set(300_000);
    let (got, _) = ask(&mut client, &mut server, server_id).await;
    assert_eq!(got, Event::PeersLearned { from: server_id, peers: expected.clone() });
    let book = client.behaviour().address_book();
    assert_eq!(book.len(), 4, "the three learned peers and the server we dialled");
}

/// Sends raw bytes as requests and reads raw bytes back, or reads a framed request and answers
/// with raw bytes: a peer that ignores the bounds and the rules.
#[derive(Clone, Default)]
struct Raw;

impl request_response::Codec for Raw {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T: AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<Vec<u8>> {
        read_frame(io, 4096).await
    }

    async fn read_response<T: AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        io.take(1 << 20).read_to_end(&mut out).await?;
        Ok(out)
    }

    async fn write_request<T: AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        request: Vec<u8>,
    ) -> io::Result<()> {
        io.write_all(&request).await?;
        io.flush().await
    }

    async fn write_response<T: AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        response: Vec<u8>,
    ) -> io::Result<()> {
        io.write_all(&response).await?;
        io.flush().await
    }
}

#[derive(NetworkBehaviour)]
struct Attacker {
    status: request_response::Behaviour<Raw>,
    headers: request_response::Behaviour<Raw>,
}

fn attacker() -> Swarm<Attacker> {
    let raw = |p: StreamProtocol| {
        request_response::Behaviour::with_codec(
            Raw,
            [(p, ProtocolSupport::Outbound)],
            request_response::Config::default().with_request_timeout(Duration::from_secs(10)),
        )
    };
    Swarm::new_ephemeral_tokio(|_| Attacker {
        status: raw(status_protocol::PROTOCOL),
        headers: raw(headers_protocol::PROTOCOL),
    })
}

fn framed<T: serde::Serialize>(message: &T) -> Vec<u8> {
    let body = encode(message).unwrap();
    let mut out = unsigned_varint::encode::u64(body.len() as u64, &mut Default::default()).to_vec();
    out.extend(body);
    out
}

fn decode_framed<T: serde::de::DeserializeOwned>(bytes: Vec<u8>) -> T {
    let body =
        futures::executor::block_on(read_frame(&mut futures::io::Cursor::new(bytes), 1 << 20))
            .expect("a frame");
    decode(&body).expect("a message")
}

fn struck(
    from: PeerId,
) -> impl FnMut(Side<Event, AttackerEvent>) -> Option<(StreamProtocol, StrikeKind, String)> {
    move |side| match side {
        Side::A(SwarmEvent::Behaviour(Event::Struck { peer, protocol, kind, reason })) => {
            assert_eq!(peer, from);
            Some((protocol, kind, reason))
        }
        _ => None,
    }
}

#[tokio::test]
async fn a_5_mb_status_is_refused_at_its_prefix_struck_and_the_node_keeps_serving() {
    let mut hub = node(plain_config());
    hub.behaviour_mut()
        .set_header_source(|from: u64, count: u16| chain_of(from..=from + u64::from(count) - 1));
    hub.listen().with_memory_addr_external().await;
    let hub_id = *hub.local_peer_id();
    let mut honest = node(plain_config());
    honest.connect(&mut hub).await;

    // The attacker runs on its own task: it sends what it is told on status (true) or headers
    // (false) and reports each answer's bytes, or its failure.
    let mut bad = attacker();
    bad.connect(&mut hub).await;
    let bad_id = *bad.local_peer_id();
    let (send, mut to_send) = mpsc::unbounded::<(bool, Vec<u8>)>();
    let (report, mut reports) = mpsc::unbounded::<Result<Vec<u8>, String>>();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                Some((on_status, bytes)) = to_send.next() => {
                    let b = bad.behaviour_mut();
                    if on_status { b.status.send_request(&hub_id, bytes); }
                    else { b.headers.send_request(&hub_id, bytes); }
                }
                e = bad.select_next_some() => {
                    use request_response::Event as E;
                    let answer = match e {
                        SwarmEvent::Behaviour(AttackerEvent::Status(e) | AttackerEvent::Headers(e)) => match e {
                            E::Message { message: request_response::Message::Response { response, .. }, .. } => Some(Ok(response)),
                            E::OutboundFailure { error, .. } => Some(Err(error.to_string())),
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some(answer) = answer {
                        let _ = report.unbounded_send(answer);
                    }
                }
            }
        }
    });

    // The 5 MB status and an honest headers request go out together.
    let huge = framed(&vec![0u8; 5 * 1024 * 1024]);
    assert!(huge.len() > 5 * 1024 * 1024);
    send.unbounded_send((true, huge)).unwrap();
    honest.behaviour_mut().request_headers(&hub_id, 40, 3);
    let (mut strike, mut served) = (None, None);
    until(&mut hub, &mut honest, |side| {
        match side {
            Side::A(SwarmEvent::Behaviour(Event::Struck { peer, protocol, kind, reason })) => {
                assert_eq!(peer, bad_id);
                strike = Some((protocol, kind, reason));
            }
            Side::B(SwarmEvent::Behaviour(Event::HeadersReceived { headers, .. })) => {
                served = Some(headers)
            }
            _ => {}
        }
        (strike.is_some() && served.is_some()).then_some(())
    })
    .await;
    let (protocol, kind, reason) = strike.unwrap();
    assert_eq!(protocol, status_protocol::PROTOCOL);
    assert_eq!(kind, StrikeKind::ProtocolViolation);
    // The body is postcard's 4-byte length and the 5 MiB; only the prefix was read.
    assert_eq!(reason, "message of 5242884 bytes exceeds the 4096-byte bound");
    assert_eq!(strikes(&hub, &bad_id), 1);
    assert_eq!(served.unwrap(), chain_of(40..=42), "the honest peer was served meanwhile");

    // The attacker's own next, well-formed request is answered too.
    send.unbounded_send((false, framed(&HeadersRequest { from: 7, count: 2 }))).unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            tokio::select! {
                _ = hub.select_next_some() => {}
                _ = honest.select_next_some() => {}
                Some(answer) = reports.next() => {
                    if let Ok(bytes) = answer { return bytes; }
                }
            }
        }
    })
    .await
    .expect("the attacker's headers answer within 10 s");
    let response: HeadersResponse = decode_framed(answer);
    assert_eq!(response.headers, chain_of(7..=8));
    assert!(hub.is_connected(&bad_id));
    assert_eq!(strikes(&hub, &bad_id), 0, "a valid packet resets the count (seed 003)");
}

#[tokio::test]
async fn garbage_and_a_request_over_the_count_bound_are_struck_by_kind_and_ten_soft_ban() {
    let mut hub = node(plain_config());
    hub.listen().with_memory_addr_external().await;
    let hub_id = *hub.local_peer_id();
    let mut bad = attacker();
    bad.connect(&mut hub).await;
    let bad_id = *bad.local_peer_id();

    bad.behaviour_mut().status.send_request(&hub_id, vec![3, 0xff, 0xff, 0xff]);
    let (protocol, kind, _) = until(&mut hub, &mut bad, struck(bad_id)).await;
    assert_eq!((protocol, kind), (status_protocol::PROTOCOL, StrikeKind::Deserialization));

    bad.behaviour_mut()
        .headers
        .send_request(&hub_id, framed(&HeadersRequest { from: 1, count: 101 }));
    let (protocol, kind, reason) = until(&mut hub, &mut bad, struck(bad_id)).await;
    assert_eq!((protocol, kind), (headers_protocol::PROTOCOL, StrikeKind::ProtocolViolation));
    assert_eq!(reason, "asked for 101 headers; 1 to 100 allowed");
    assert_eq!(strikes(&hub, &bad_id), 2);

    // A truncated frame (announces 9 bytes, sends 2 and closes) is garbage too.
    bad.behaviour_mut().status.send_request(&hub_id, vec![9, 1, 1]);
    let (_, kind, reason) = until(&mut hub, &mut bad, struck(bad_id)).await;
    assert_eq!(kind, StrikeKind::Deserialization);
    assert_eq!(reason, "stream ended 7 bytes short of the announced length");

    for _ in 0..7 {
        bad.behaviour_mut().status.send_request(&hub_id, vec![1, 0xff]);
    }
    until(&mut hub, &mut bad, |side| match side {
        Side::A(SwarmEvent::ConnectionClosed { peer_id, cause: None, .. }) if peer_id == bad_id => {
            Some(())
        }
        _ => None,
    })
    .await;
    let ban = hub.behaviour().peers().manager().soft_ban_of(&bad_id).cloned();
    assert!(ban.is_some(), "ten strikes soft-ban the sender");
}

#[tokio::test]
async fn a_fifth_status_stream_open_at_once_is_refused_and_struck() {
    let mut hub = node(plain_config());
    hub.listen().with_memory_addr_external().await;
    let hub_id = *hub.local_peer_id();
    let mut bad = Swarm::new_ephemeral_tokio(|_| libp2p_stream::Behaviour::new());
    bad.connect(&mut hub).await;
    let bad_id = *bad.local_peer_id();
    let mut control = bad.behaviour().new_control();
    tokio::spawn(async move {
        loop {
            bad.select_next_some().await;
        }
    });

    // Five streams opened and held silent: four are read (waiting for a frame), the fifth is
    // refused.
    let (opened, mut streams) = mpsc::unbounded();
    tokio::spawn(async move {
        for _ in 0..5 {
            let stream = control.open_stream(hub_id, status_protocol::PROTOCOL).await;
            opened.unbounded_send(stream.expect("the hub speaks status")).unwrap();
        }
    });
    let mut held = Vec::new();
    let (protocol, kind, reason) = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            tokio::select! {
                Some(stream) = streams.next() => held.push(stream),
                event = hub.select_next_some() => {
                    if let SwarmEvent::Behaviour(Event::Struck { peer, protocol, kind, reason }) = event {
                        assert_eq!(peer, bad_id);
                        return (protocol, kind, reason);
                    }
                }
            }
        }
    })
    .await
    .expect("a strike within 10 s");
    assert_eq!((protocol, kind), (status_protocol::PROTOCOL, StrikeKind::ProtocolViolation));
    assert_eq!(reason, "more than 4 status streams open at once");
    assert_eq!(strikes(&hub, &bad_id), 1);
    // Held to here: a stream dropped earlier would have freed its slot.
    drop(held);
}

#[derive(NetworkBehaviour)]
struct Stranger {
    peers: connection_manager::Behaviour,
    ping: libp2p::ping::Behaviour,
}

/// The protocols composed into an app beside ping, as any rust-libp2p node would.
#[derive(NetworkBehaviour)]
struct App {
    keeper: PeerkeeperBehaviour<ManualClock>,
    ping: libp2p::ping::Behaviour,
}

fn ping() -> libp2p::ping::Behaviour {
    libp2p::ping::Behaviour::new(
        libp2p::ping::Config::new().with_interval(Duration::from_millis(50)),
    )
}

#[tokio::test]
async fn a_peer_speaking_none_of_the_protocols_stays_connected_and_unpenalised() {
    let mut config = chain_config();
    config.pex_on_connect = true;
    let mut hub: Swarm<App> = Swarm::new_ephemeral_tokio(move |key| App {
        keeper: PeerkeeperBehaviour::with_clock(
            key.public().to_peer_id(),
            config,
            ManualClock::default(),
        )
        .unwrap(),
        ping: ping(),
    });
    hub.behaviour_mut().keeper.set_local_status(status(1, 2));
    let mut other: Swarm<Stranger> = Swarm::new_ephemeral_tokio(|_| Stranger {
        peers: connection_manager::Behaviour::new(connection_manager::Config::default()).unwrap(),
        ping: ping(),
    });
    other.listen().with_memory_addr_external().await;
    // The hub dials: the status stream is the dialer's to open, so that is where the refusal is.
    hub.dial(other.external_addresses().next().unwrap().clone()).unwrap();
    let other_id = *other.local_peer_id();

    let mut unsupported = Vec::new();
    let mut pings = 0;
    until(&mut hub, &mut other, |side| {
        match side {
            Side::A(SwarmEvent::Behaviour(AppEvent::Keeper(e))) => match e {
                Event::ProtocolUnsupported { peer, protocol } => {
                    assert_eq!(peer, other_id);
                    unsupported.push(protocol);
                }
                Event::Struck { .. } => panic!("a stranger was struck"),
                _ => {}
            },
            Side::A(SwarmEvent::ConnectionClosed { .. }) => panic!("the stranger was dropped"),
            Side::B(SwarmEvent::Behaviour(StrangerEvent::Ping(e))) if e.result.is_ok() => {
                pings += 1
            }
            _ => {}
        }
        // Pings keep succeeding after both refusals: the connection is up and in use.
        (unsupported.len() == 2 && pings >= 3).then_some(())
    })
    .await;
    unsupported.sort_by_key(|p| p.to_string());
    assert_eq!(unsupported, vec![peer_exchange::PROTOCOL, status_protocol::PROTOCOL]);
    let pm = hub.behaviour().keeper.peers().manager();
    assert!(pm.is_connected(&other_id));
    assert_eq!(pm.strikes(&other_id), 0);
    assert_eq!(pm.peer_score(&other_id), 0.0);
    assert!(!pm.is_aligned(&other_id), "no status: alignment unknown");
    assert_eq!(pm.fork_view().unwrap().peer_status(&other_id), None);
    assert_eq!(hub.behaviour().keeper.status_peers().count(), 0);
}

#[tokio::test]
async fn the_engines_request_for_blocks_is_fetched_over_the_headers_protocol_and_fed_back() {
    // The server is at #50 on the chain the client has up to #2.
    let mut server = node(plain_config());
    server.behaviour_mut().set_header_source(|from: u64, count: u16| {
        (from..from + u64::from(count)).filter(|n| *n <= 50).map(|n| block(n as u8)).collect()
    });
    let mut at_50 = status(1, 50);
    at_50.range = Some(BlockRange { earliest: 1, latest: 50 });
    server.behaviour_mut().set_local_status(at_50);
    let mut client = node(chain_config());
    client.behaviour_mut().set_local_status(status(1, 2));
    server.listen().with_memory_addr_external().await;
    client.connect(&mut server).await;
    let server_id = *server.local_peer_id();

    let (mut asked, mut fetched) = (None, None);
    until(&mut client, &mut server, |side| {
        match side {
            Side::A(SwarmEvent::Behaviour(Event::Peers(connection_manager::Event::Host(
                peerkeeper_core::Command::RequestBlocks { peer, from, count },
            )))) => asked = Some((peer, from, count)),
            Side::A(SwarmEvent::Behaviour(Event::HeadersReceived { peer, request, headers })) => {
                fetched = Some((peer, request, headers))
            }
            _ => {}
        }
        fetched.is_some().then_some(())
    })
    .await;
    assert_eq!(asked, Some((server_id, 3, 48)), "blocks #3 to #50 from the only peer with them");
    let (peer, request, headers) = fetched.unwrap();
    assert_eq!((peer, request), (server_id, HeadersRequest { from: 3, count: 48 }));
    assert_eq!(headers, (3..=50).map(block).collect::<Vec<_>>());
    let view = client.behaviour().peers().manager().fork_view().unwrap();
    assert!(view.tree().contains(&block(50).id), "the engine holds the fetched headers");
    assert_eq!(strikes(&client, &server_id), 0);
}

#[test]
fn a_bad_protocol_config_is_refused_naming_the_field() {
    let local = PeerId::random();
    let err = |config: Config| PeerkeeperBehaviour::new(local, config).err().unwrap().to_string();
    assert_eq!(
        err(Config { pex_limit: 0, ..Config::default() }),
        "invalid config field `pex_limit`: must be 1 to 32, got 0"
    );
    assert_eq!(
        err(Config { pex_limit: 33, ..Config::default() }),
        "invalid config field `pex_limit`: must be 1 to 32, got 33"
    );
    assert_eq!(
        err(Config { request_timeout: Duration::ZERO, ..Config::default() }),
        "invalid config field `request_timeout`: must be greater than zero"
    );
    let mut no_chain = chain_config();
    no_chain.chain = None;
    assert_eq!(
        err(no_chain),
        "invalid config field `chain`: a fork section needs our head and LIB to start from"
    );
    let with_chain = PeerkeeperBehaviour::new(local, chain_config()).unwrap();
    assert_eq!(with_chain.peers().manager().fork_view().unwrap().head(), block(2).block_ref());
}

#[tokio::test]
async fn a_server_answering_garbage_oversized_or_out_of_range_headers_is_struck() {
    let mut liar: Swarm<request_response::Behaviour<Raw>> = Swarm::new_ephemeral_tokio(|_| {
        request_response::Behaviour::with_codec(
            Raw,
            [(headers_protocol::PROTOCOL, ProtocolSupport::Inbound)],
            request_response::Config::default(),
        )
    });
    liar.listen().with_memory_addr_external().await;
    let mut client = node(plain_config());
    client.connect(&mut liar).await;
    let liar_id = *liar.local_peer_id();

    let out_of_range = HeadersResponse { headers: vec![block(9)] };
    let answers: [(Vec<u8>, StrikeKind, &str); 3] = [
        (vec![2, 5, 1], StrikeKind::Deserialization, "malformed message"),
        (
            framed(&vec![0u8; 1 << 20]),
            StrikeKind::ProtocolViolation,
            "message of 1048579 bytes exceeds the 16384-byte bound",
        ),
        (
            framed(&out_of_range),
            StrikeKind::ProtocolViolation,
            "header #9 is outside the requested 1..6 or out of order",
        ),
    ];
    // The liar runs on its own task and answers each request with the next scripted lie.
    let mut script: Vec<Vec<u8>> = answers.iter().map(|(a, _, _)| a.clone()).rev().collect();
    tokio::spawn(async move {
        loop {
            if let SwarmEvent::Behaviour(request_response::Event::Message {
                message: request_response::Message::Request { request, channel, .. },
                ..
            }) = liar.select_next_some().await
            {
                let asked: HeadersRequest = decode(&request).unwrap();
                assert_eq!(asked, HeadersRequest { from: 1, count: 5 });
                let _ = liar.behaviour_mut().send_response(channel, script.pop().unwrap());
            }
        }
    });
    for (n, (_, kind, reason)) in answers.into_iter().enumerate() {
        client.behaviour_mut().request_headers(&liar_id, 1, 5);
        let struck = client.wait(|e| match e {
            SwarmEvent::Behaviour(Event::HeadersReceived { .. }) => {
                panic!("a lying answer was accepted")
            }
            SwarmEvent::Behaviour(Event::Struck { peer, protocol, kind, reason }) => {
                assert_eq!((peer, protocol), (liar_id, headers_protocol::PROTOCOL));
                Some((kind, reason))
            }
            _ => None,
        });
        let (got_kind, got_reason) =
            tokio::time::timeout(Duration::from_secs(10), struck).await.expect("struck in 10 s");
        assert_eq!(got_kind, kind);
        assert!(got_reason.starts_with(reason), "{got_reason}");
        assert_eq!(strikes(&client, &liar_id), n as u32 + 1);
    }
}

#[tokio::test]
async fn a_peer_learned_through_peer_exchange_is_dialled_by_the_engine_at_its_address() {
    // b knows c because it dialled it; a knows only b.
    let mut c = node(plain_config());
    c.listen().with_memory_addr_external().await;
    let c_id = *c.local_peer_id();
    let c_addr = c.external_addresses().next().unwrap().clone();
    let mut b = node(plain_config());
    b.listen().with_memory_addr_external().await;
    b.connect(&mut c).await;
    tokio::spawn(async move {
        loop {
            c.select_next_some().await;
        }
    });
    let mut config = plain_config();
    config.pex_on_connect = true;
    config.peers.engine.track_lifecycle = true;
    let mut a = node(config);
    a.connect(&mut b).await;
    let b_id = *b.local_peer_id();

    let mut learned = None;
    until(&mut a, &mut b, |side| match side {
        Side::A(SwarmEvent::Behaviour(Event::PeersLearned { from, peers })) => {
            learned = Some((from, peers));
            None
        }
        Side::A(SwarmEvent::ConnectionEstablished { peer_id, endpoint, .. }) if peer_id == c_id => {
            assert!(endpoint.is_dialer());
            Some(())
        }
        _ => None,
    })
    .await;
    let c_dialable = c_addr.with(libp2p::multiaddr::Protocol::P2p(c_id));
    assert_eq!(learned, Some((b_id, vec![(c_id, c_dialable)])));
    assert!(a.behaviour().peers().manager().is_connected(&c_id));
    assert_eq!(a.behaviour().address_book().len(), 2, "b (dialled) and c (learned)");
}

#[tokio::test]
async fn a_peer_that_never_reads_our_status_stream_is_closed_once_a_write_stalls() {
    use peerkeeper_net::status_stream;
    let timeout = Duration::from_millis(300);
    let mut hub = Swarm::new_ephemeral_tokio(move |_| {
        status_stream::Behaviour::new(Some(status(1, 2))).with_write_timeout(timeout)
    });
    let mut sink = Swarm::new_ephemeral_tokio(|_| libp2p_stream::Behaviour::new());
    sink.listen().with_memory_addr_external().await;
    let sink_id = *sink.local_peer_id();
    let mut incoming = sink.behaviour().new_control().accept(status_protocol::PROTOCOL).unwrap();
    // The hub dials, so the status stream is the hub's to open.
    hub.connect(&mut sink).await;
    // The sink accepts the stream and never reads it, so yamux's window fills and the hub's
    // writes stop completing.
    tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            tokio::select! {
                Some(stream) = incoming.next() => held.push(stream),
                _ = sink.select_next_some() => {}
            }
        }
    });

    let mut changes = 0u32;
    let (stalled, closed) = tokio::time::timeout(Duration::from_secs(30), async {
        let mut stalled = None;
        loop {
            if stalled.is_none() {
                changes += 1;
                let mut next = status(1, 2);
                next.range = Some(BlockRange { earliest: 1, latest: changes.into() });
                hub.behaviour_mut().set_local(Some(next));
            }
            let Ok(event) =
                tokio::time::timeout(Duration::from_millis(1), hub.select_next_some()).await
            else {
                continue;
            };
            match event {
                SwarmEvent::Behaviour(status_stream::Event::Stalled { peer, connection }) => {
                    assert!(stalled.is_none(), "one stall per connection");
                    stalled = Some((peer, connection));
                }
                SwarmEvent::ConnectionClosed { peer_id, connection_id, .. } => {
                    return (stalled, (peer_id, connection_id));
                }
                SwarmEvent::Behaviour(other) => panic!("unexpected {other:?}"),
                _ => {}
            }
        }
    })
    .await
    .expect("the stalled connection closes within 30 s");
    let (peer, connection) = stalled.expect("the stall is reported before the close");
    assert_eq!(peer, sink_id);
    assert_eq!(closed, (sink_id, connection));
    assert_eq!(hub.behaviour().streams_opened(), 1);
    // About 80 bytes a status: yamux's 256 KiB window holds some 3 000 before writes block.
    assert!(changes > 1_000, "the window filled after only {changes} changes");
}

//! The contracts the fuzz targets (`fuzz/`) hold the wire decoders to, as plain functions so
//! that the regular test suite replays the committed corpora through the very same checks
//! (`net/tests/fuzz_corpora.rs`) on stable, without cargo-fuzz.
//!
//! Each check takes arbitrary bytes as they would arrive on a stream. For the request-response
//! protocols (headers, peer exchange) the first byte picks the direction (even: a request,
//! odd: a response), the rest is the stream, read through the protocol's `request_response`
//! codec exactly as the swarm does. For status the bytes are one long-lived stream, read frame
//! by frame as its handler does. Then each asserts:
//! - nothing panics, and the reader never consumes more than a 10-byte prefix plus the bound;
//! - every refusal is the remote's fault and earns it a strike (never a local-bug error);
//! - a decoded message re-encodes within its bound and decodes back to itself;
//! - the protocol's own validation (`check`, `peers`) and what we build from its output
//!   (`serve`, the address book) never break the protocol themselves.
//!
//! A broken contract panics with a message saying which.

use std::sync::OnceLock;

use futures::executor::block_on;
use futures::io::Cursor;
use libp2p::multiaddr::Protocol;
use libp2p::request_response::Codec;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codec::{self, BoundedCodec, FrameError, WireProtocol};
use crate::headers_protocol::{self, Headers, HeadersRequest, MAX_HEADERS};
use crate::peer_exchange::{AddressBook, PeerExchange, PexResponse, MAX_PEX_ADDRS};
use crate::status_protocol::{self, StatusMessage, MAX_STATUS_BYTES};

/// Longest unsigned-varint length prefix the framing reads (a u64 takes up to 10 bytes).
const MAX_PREFIX: u64 = 10;

/// What one fuzz input decoded to.
pub enum Decoded<Req, Resp> {
    Request(Req),
    Response(Resp),
    /// Refused with a strike, as the behaviour would.
    Refused,
}

/// Reads `data` as one inbound message of protocol `P` and checks the framing contract.
pub fn read_inbound<P: WireProtocol>(data: &[u8]) -> Decoded<P::Request, P::Response>
where
    P::Request: PartialEq + std::fmt::Debug,
    P::Response: PartialEq + std::fmt::Debug,
{
    let Some((&selector, stream)) = data.split_first() else {
        return Decoded::Refused;
    };
    let mut codec = BoundedCodec::<P>::default();
    let mut io = Cursor::new(stream);
    if selector % 2 == 0 {
        let read = block_on(codec.read_request(&P::NAME, &mut io));
        assert_consumed_within(&io, P::MAX_REQUEST);
        // A `Cursor` never fails as a stream does, so the outer result is always `Ok`.
        match read.expect("a request read from memory has no stream error") {
            Ok(request) => {
                round_trip(&request, P::MAX_REQUEST);
                Decoded::Request(request)
            }
            Err(refusal) => {
                assert_struck(&refusal);
                Decoded::Refused
            }
        }
    } else {
        let read = block_on(codec.read_response(&P::NAME, &mut io));
        assert_consumed_within(&io, P::MAX_RESPONSE);
        match read {
            Ok(response) => {
                round_trip(&response, P::MAX_RESPONSE);
                Decoded::Response(response)
            }
            Err(error) => {
                let refusal = FrameError::from_io(&error)
                    .unwrap_or_else(|| panic!("a response refusal without a frame error: {error}"));
                assert_struck(refusal);
                Decoded::Refused
            }
        }
    }
}

fn assert_consumed_within(io: &Cursor<&[u8]>, max: usize) {
    assert!(
        io.position() <= MAX_PREFIX + max as u64,
        "read {} bytes for a message bound of {max}",
        io.position()
    );
}

fn assert_struck(refusal: &FrameError) {
    assert!(refusal.strike().is_some(), "an inbound refusal earned no strike: {refusal:?}");
}

/// decode(encode(x)) == x, and x fits its own bound when we send it on.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    message: &T,
    max: usize,
) {
    let body = codec::encode(message).expect("a decoded message encodes");
    assert!(body.len() <= max, "a decoded message re-encodes to {} bytes, over {max}", body.len());
    assert_eq!(codec::decode::<T>(&body).as_ref(), Ok(message), "decode(encode(x)) != x");
    let mut framed = Vec::new();
    block_on(codec::write_frame(&mut framed, &body, max)).expect("a message within bounds frames");
    let again = block_on(codec::read_frame(&mut Cursor::new(framed), max)).expect("reads back");
    assert_eq!(again, body, "the frame does not read back as written");
}

/// `/peerkeeper/status/3`: frames read one after another off the stream, as the handler
/// does, until the stream ends or a frame is refused (the handler then drops the stream).
pub fn check_status(data: &[u8]) {
    let mut io = Cursor::new(data);
    let mut frames = 0usize;
    loop {
        let before = io.position();
        let read = block_on(status_protocol::read_status(&mut io))
            .expect("a status read from memory has no stream error");
        assert!(
            io.position() - before <= MAX_PREFIX + MAX_STATUS_BYTES as u64,
            "read {} bytes for one status frame",
            io.position() - before
        );
        match read {
            None => {
                assert_eq!(io.position(), data.len() as u64, "a clean end left bytes unread");
                break;
            }
            Some(Ok(message)) => {
                round_trip::<StatusMessage>(&message, MAX_STATUS_BYTES);
                frames += 1;
                assert!(frames <= data.len(), "more frames than bytes");
            }
            Some(Err(refusal)) => {
                assert_struck(&refusal);
                break;
            }
        }
    }
}

/// `/peerkeeper/headers/1`: a request is validated as the server does; a response is checked
/// against the widest request that could have asked for it, and what `serve` builds from the
/// same headers always passes that check.
pub fn check_headers(data: &[u8]) {
    match read_inbound::<Headers>(data) {
        Decoded::Request(request) => {
            if request.check().is_ok() {
                assert!((1..=MAX_HEADERS).contains(&request.count));
                assert!(request.end() >= request.from);
            }
        }
        Decoded::Response(response) => {
            let from = response.headers.first().map_or(0, |h| h.number);
            let request = HeadersRequest { from, count: MAX_HEADERS };
            let verdict = response.check(&request);
            if verdict.is_ok() {
                assert!(response.headers.len() <= usize::from(MAX_HEADERS));
                assert!(response.headers.windows(2).all(|w| w[0].number < w[1].number));
            }
            let headers = response.headers.clone();
            let served = headers_protocol::serve(&move |_, _| headers.clone(), &request);
            assert_eq!(
                served.check(&request),
                Ok(()),
                "serve built a response that breaks the protocol"
            );
            if verdict.is_ok() {
                assert_eq!(served, response, "serve dropped headers from a valid response");
            }
        }
        Decoded::Refused => {}
    }
}

/// `/peerkeeper/pex/1`: the addresses of a response that passes `peers` are dialable, each
/// ending in its peer's id; fed into an address book they come back out as a valid response.
pub fn check_pex(data: &[u8]) {
    match read_inbound::<PeerExchange>(data) {
        Decoded::Request(_) | Decoded::Refused => {}
        Decoded::Response(response) => {
            let Ok(peers) = response.peers(MAX_PEX_ADDRS) else {
                return;
            };
            assert!(peers.len() <= usize::from(MAX_PEX_ADDRS));
            let mut book = AddressBook::default();
            for (peer, addr) in &peers {
                assert_eq!(addr.iter().last(), Some(Protocol::P2p(*peer)));
                book.add(*peer, addr.clone());
            }
            // Any peer will do as the requester; its id is made once, not per input.
            static REQUESTER: OnceLock<libp2p::PeerId> = OnceLock::new();
            let requester = REQUESTER.get_or_init(|| {
                libp2p::identity::Keypair::ed25519_from_bytes([0xfe; 32])
                    .expect("32 bytes are a key")
                    .public()
                    .to_peer_id()
            });
            let served = book.select(requester, MAX_PEX_ADDRS);
            let answer = PexResponse::Peers(served.iter().map(|a| a.to_vec()).collect());
            let again = answer.peers(MAX_PEX_ADDRS).expect("the book serves a valid response");
            assert_eq!(again.len(), served.len());
        }
    }
}

/// One fuzz input per seed: a real encoded message, framed as on the wire, behind its
/// direction byte. `(target, name, bytes)`.
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    use peerkeeper_core::fork::{
        BlockId, BlockRange, BlockRef, ChainStatus, ForkDigest, ForkStatus, Header, NetworkId,
        NodeMode,
    };

    fn frames(messages: &[StatusMessage]) -> Vec<u8> {
        let mut out = Vec::new();
        for message in messages {
            block_on(status_protocol::write_status(&mut out, message)).expect("seed frames");
        }
        out
    }
    fn input<T: Serialize>(direction: u8, message: &T) -> Vec<u8> {
        let body = codec::encode(message).expect("seed encodes");
        let mut out = vec![direction];
        block_on(codec::write_frame(&mut out, &body, usize::MAX)).expect("seed frames");
        out
    }
    let status = ChainStatus {
        network_id: NetworkId(7),
        fork_digest: ForkDigest([0xd1, 0x70, 0, 1]),
        head: BlockRef { number: 79_881_136, id: BlockId([0xaa; 32]) },
        lib: BlockRef { number: 79_881_130, id: BlockId([0xbb; 32]) },
        range: Some(BlockRange { earliest: 79_000_000, latest: 79_881_136 }),
        node_mode: NodeMode::Forward,
        fork_status: ForkStatus::Looking,
        emergency: true,
        emergency_key: false,
    };
    let header = |number: u64, producer: &str| Header {
        number,
        id: BlockId([number as u8; 32]),
        parent: BlockId([number.wrapping_sub(1) as u8; 32]),
        producer: producer.into(),
    };
    let peer = |n: u8| {
        libp2p::identity::Keypair::ed25519_from_bytes([n; 32])
            .expect("32 bytes are a key")
            .public()
            .to_peer_id()
    };
    let addrs: Vec<Vec<u8>> = [
        "/ip4/127.0.0.1/tcp/4001/ws",
        "/ip4/127.0.0.1/udp/9090/webrtc-direct",
        "/ip6/::1/udp/4433/quic-v1/webtransport",
    ]
    .iter()
    .enumerate()
    .map(|(i, a)| {
        let addr: libp2p::Multiaddr = a.parse().expect("seed address parses");
        addr.with(Protocol::P2p(peer(i as u8 + 1))).to_vec()
    })
    .collect();

    let mut out = vec![
        ("status", "stream-some".into(), frames(&[Some(status.clone())])),
        ("status", "stream-none-then-some".into(), frames(&[None, Some(status.clone())])),
        (
            "status",
            "stream-changes".into(),
            frames(&[
                Some(status.clone()),
                Some(ChainStatus { range: None, ..status.clone() }),
                Some(ChainStatus {
                    head: BlockRef { number: 79_881_137, ..status.head },
                    ..status
                }),
            ]),
        ),
        ("headers", "request".into(), input(0, &HeadersRequest { from: 79_881_100, count: 37 })),
        (
            "headers",
            "response".into(),
            input(
                1,
                &headers_protocol::HeadersResponse {
                    headers: vec![
                        header(10, "producer-1"),
                        header(11, "producer-2"),
                        header(13, ""),
                    ],
                },
            ),
        ),
        (
            "headers",
            "response-empty".into(),
            input(1, &headers_protocol::HeadersResponse::default()),
        ),
        ("pex", "request".into(), input(0, &crate::peer_exchange::PexRequest { limit: 32 })),
        ("pex", "response-peers".into(), input(1, &PexResponse::Peers(addrs))),
        (
            "pex",
            "response-limited".into(),
            input(1, &PexResponse::RateLimited { retry_after_ms: 299_000 }),
        ),
    ];
    // The framing's edge cases, for every protocol: an oversized prefix, an overlong varint.
    // Status has no direction byte; a leading 0 there is a well-formed `None` frame first.
    for target in ["status", "headers", "pex"] {
        let mut oversized = vec![0];
        let mut prefix = unsigned_varint::encode::u64_buffer();
        oversized.extend_from_slice(unsigned_varint::encode::u64(5 * 1024 * 1024, &mut prefix));
        oversized.extend_from_slice(&[0; 16]);
        out.push((target, "oversized-prefix".into(), oversized));
        out.push((
            target,
            "overlong-varint".into(),
            vec![1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
        ));
    }
    out
}

/// The check for a target name, for the corpus replay.
pub fn check_for(target: &str) -> Option<fn(&[u8])> {
    match target {
        "status" => Some(check_status),
        "headers" => Some(check_headers),
        "pex" => Some(check_pex),
        _ => None,
    }
}

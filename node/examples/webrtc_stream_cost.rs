//! What a WebRTC-direct connection keeps per stream (docs/reliability.md, "One stream per
//! status"). Two native swarms in this process, connected over `libp2p-webrtc` on 127.0.0.1,
//! exchange N messages, and the process's RSS is printed every N/10 messages:
//!
//! - `streams`: each message on a new stream (open, write, read the echo, close), as
//!   request-response protocols do. rust-libp2p's WebRTC never closes a data channel, so every
//!   stream's SCTP state stays in both peers until the connection ends.
//! - `status`: `PeerkeeperBehaviour` on both sides and N `set_local_status` calls, each waited
//!   for at the other side: the status protocol's one long-lived stream.
//!
//! ```text
//! cargo run --release -p peerkeeper-node --example webrtc_stream_cost -- streams 3000
//! cargo run --release -p peerkeeper-node --example webrtc_stream_cost -- status 3000
//! ```

use std::time::{Duration, Instant};

use futures::channel::mpsc;
use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use libp2p::core::{muxing::StreamMuxerBox, transport::Transport as _};
use libp2p::multiaddr::Protocol;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{identity::Keypair, Multiaddr, PeerId, StreamProtocol, Swarm};
use peerkeeper_core::fork::{
    BlockId, BlockRange, BlockRef, ChainStatus, ForkDigest, ForkStatus, NetworkId, NodeMode,
};
use peerkeeper_net::peerkeeper_behaviour::{Config, Event, PeerkeeperBehaviour};

const ECHO: StreamProtocol = StreamProtocol::new("/webrtc-stream-cost/echo/1");

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("a number")
}

fn swarm<B: NetworkBehaviour>(behaviour: impl FnOnce(&Keypair) -> B) -> Swarm<B> {
    let certificate =
        libp2p_webrtc::tokio::Certificate::generate(&mut rand::rng()).expect("a certificate");
    libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_other_transport(|key| {
            libp2p_webrtc::tokio::Transport::new(key.clone(), certificate)
                .map(|(peer, conn), _| (peer, StreamMuxerBox::new(conn)))
        })
        .expect("the WebRTC transport")
        .with_behaviour(behaviour)
        .expect("the behaviour")
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3600)))
        .build()
}

/// Listens on WebRTC-direct (a dialer needs a listener's UDP socket too) and returns the address.
async fn listen<B: NetworkBehaviour>(swarm: &mut Swarm<B>) -> Multiaddr {
    swarm.listen_on("/ip4/127.0.0.1/udp/0/webrtc-direct".parse().unwrap()).expect("listen");
    loop {
        if let SwarmEvent::NewListenAddr { address, .. } = swarm.select_next_some().await {
            return address;
        }
    }
}

async fn connect<B: NetworkBehaviour>(client: &mut Swarm<B>, server: Multiaddr, id: PeerId) {
    listen(client).await;
    client.dial(server.with(Protocol::P2p(id))).expect("dial");
    loop {
        match client.select_next_some().await {
            SwarmEvent::ConnectionEstablished { .. } => return,
            SwarmEvent::OutgoingConnectionError { error, .. } => panic!("dial failed: {error}"),
            _ => {}
        }
    }
}

struct Curve {
    start: Instant,
    base: u64,
    every: usize,
}

impl Curve {
    fn new(n: usize) -> Self {
        let base = rss_kib();
        println!("messages  elapsed_ms  rss_kib  growth_kib");
        println!("{:>8}  {:>10}  {:>7}  {:>10}", 0, 0, base, 0);
        Curve { start: Instant::now(), base, every: (n / 10).max(1) }
    }

    fn at(&self, i: usize) {
        if i.is_multiple_of(self.every) {
            let rss = rss_kib();
            let ms = self.start.elapsed().as_millis();
            println!("{i:>8}  {ms:>10}  {rss:>7}  {:>10}", rss as i64 - self.base as i64);
        }
    }
}

async fn streams(n: usize) {
    let mut server = swarm(|_| libp2p_stream::Behaviour::new());
    let mut incoming = server.behaviour().new_control().accept(ECHO).expect("one acceptor");
    let addr = listen(&mut server).await;
    let server_id = *server.local_peer_id();
    tokio::spawn(async move {
        loop {
            server.select_next_some().await;
        }
    });
    tokio::spawn(async move {
        while let Some((_, mut stream)) = incoming.next().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4];
                if stream.read_exact(&mut buf).await.is_ok() {
                    let _ = stream.write_all(&buf).await;
                }
                let _ = stream.close().await;
            });
        }
    });
    let mut client = swarm(|_| libp2p_stream::Behaviour::new());
    let mut control = client.behaviour().new_control();
    connect(&mut client, addr, server_id).await;
    tokio::spawn(async move {
        loop {
            client.select_next_some().await;
        }
    });
    let curve = Curve::new(n);
    for i in 1..=n {
        let mut stream = control.open_stream(server_id, ECHO).await.expect("a stream");
        stream.write_all(&(i as u32).to_le_bytes()).await.expect("write");
        stream.flush().await.expect("flush");
        let mut buf = [0u8; 4];
        stream.read_exact(&mut buf).await.expect("the echo");
        let _ = stream.close().await;
        curve.at(i);
    }
}

fn chain_status(head: u64) -> ChainStatus {
    ChainStatus {
        network_id: NetworkId(1),
        fork_digest: ForkDigest([0xd1, 0x70, 0, 1]),
        head: BlockRef { number: head, id: BlockId([head as u8; 32]) },
        lib: BlockRef { number: 1, id: BlockId([1; 32]) },
        range: Some(BlockRange { earliest: 1, latest: head }),
        node_mode: NodeMode::Forward,
        fork_status: ForkStatus::Normal,
        emergency: false,
        emergency_key: false,
    }
}

async fn status(n: usize) {
    let keeper = |key: &Keypair| {
        PeerkeeperBehaviour::new(key.public().to_peer_id(), Config::default()).expect("config")
    };
    let mut server = swarm(keeper);
    let addr = listen(&mut server).await;
    let server_id = *server.local_peer_id();
    let (heard, mut heads) = mpsc::unbounded();
    tokio::spawn(async move {
        loop {
            if let SwarmEvent::Behaviour(Event::StatusReceived { status, .. }) =
                server.select_next_some().await
            {
                let _ = heard.unbounded_send(status.head.number);
            }
        }
    });
    let mut client = swarm(keeper);
    connect(&mut client, addr, server_id).await;
    let curve = Curve::new(n);
    for i in 1..=n {
        let head = i as u64 + 1;
        client.behaviour_mut().set_local_status(chain_status(head));
        loop {
            tokio::select! {
                _ = client.select_next_some() => {}
                Some(got) = heads.next() => if got == head { break },
            }
        }
        curve.at(i);
    }
    println!("status streams opened by the client: {}", client.behaviour().status_streams_opened());
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "streams".into());
    let n: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(3000);
    match mode.as_str() {
        "streams" => streams(n).await,
        "status" => status(n).await,
        other => {
            eprintln!("unknown mode {other:?}: streams | status");
            std::process::exit(2);
        }
    }
}

//! peerkeeper-node: a native peer for the page to dial, serving the page itself.

mod bootstrap;
mod cli;
mod demo;
mod http;
mod keys;
mod swarm;

use std::{net::SocketAddr, time::Duration};

use anyhow::Result;
use clap::Parser;
use futures::StreamExt;
use libp2p::{swarm::SwarmEvent, Multiaddr};
use peerkeeper_net::NodeBehaviourEvent;

use crate::{bootstrap::BootstrapBook, cli::Args};

const PING_INTERVAL: Duration = Duration::from_secs(5);

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,webrtc=warn,webrtc_ice=error,webrtc_sctp=warn".into()),
        )
        .init();
    let args = Args::parse();
    let demo_kinds = demo::plan(args.demo_peers, args.demo_flapping, args.demo_slow)?;
    if !args.dist.join("index.html").exists() {
        tracing::warn!(
            "{} has no index.html: build the page first (scripts/build.sh --page-only)",
            args.dist.display()
        );
    }

    let keys = keys::load_or_create(&args.data_dir)?;
    let mut swarm = swarm::build(keys, |key| {
        peerkeeper_net::NodeBehaviour::new(key.public(), "node", PING_INTERVAL)
    })
    .await?;
    let local_peer = *swarm.local_peer_id();
    let book = BootstrapBook::new(local_peer);
    for addr in swarm::listen_addrs(&args) {
        swarm.listen_on(addr.clone()).map_err(|e| anyhow::anyhow!("listening on {addr}: {e}"))?;
    }
    // Demo peers dial the node over TCP once its listener has an address.
    let (node_tcp_tx, node_tcp_rx) = tokio::sync::watch::channel(None);
    demo::spawn(&demo_kinds, args.listen_ip, &book, node_tcp_rx)?;

    let http_listener = http::bind(SocketAddr::from((args.listen_ip, args.http_port))).await?;
    let http_addr = http_listener.local_addr()?;
    tokio::spawn(http::serve(http_listener, http::router(book.clone(), args.dist.clone())));
    println!("peer id: {local_peer}");
    println!("page:    http://{http_addr}/");
    if !demo_kinds.is_empty() {
        println!("demo:    {}; addresses in /bootstrap.json", demo::summary(&demo_kinds));
    }

    loop {
        tokio::select! {
            event = swarm.select_next_some() => on_event(event, &book, &node_tcp_tx),
            _ = tokio::signal::ctrl_c() => {
                println!("shutting down");
                return Ok(());
            }
        }
    }
}

fn on_event(
    event: SwarmEvent<NodeBehaviourEvent>,
    book: &BootstrapBook,
    node_tcp: &tokio::sync::watch::Sender<Option<Multiaddr>>,
) {
    match event {
        SwarmEvent::NewListenAddr { address, .. } => {
            book.add_listen_addr(&address);
            if peerkeeper_net::transport_name(&address) == "tcp" && node_tcp.borrow().is_none() {
                node_tcp.send_replace(address.clone().with_p2p(book.peer_id()).ok());
            }
            // Printed for scripts and tests that wait for the node to be reachable.
            println!("listening: {} {}", peerkeeper_net::transport_name(&address), address);
        }
        SwarmEvent::ExpiredListenAddr { address, .. } => book.remove_listen_addr(&address),
        SwarmEvent::ConnectionEstablished { peer_id, endpoint, .. } => {
            tracing::info!(%peer_id, addr = %endpoint.get_remote_address(), "connected");
        }
        SwarmEvent::ConnectionClosed { peer_id, cause, .. } => {
            tracing::info!(%peer_id, ?cause, "disconnected");
        }
        SwarmEvent::Behaviour(NodeBehaviourEvent::Identify(
            libp2p::identify::Event::Received { peer_id, info, .. },
        )) => tracing::info!(%peer_id, agent = %info.agent_version, "identified"),
        SwarmEvent::IncomingConnectionError { error, .. } => {
            tracing::debug!(%error, "incoming connection failed");
        }
        _ => {}
    }
}

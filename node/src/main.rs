//! peerkeeper-node: a native peer for the page to dial, serving the page itself.

mod bootstrap;
mod chain;
mod cli;
mod close_on_drop;
mod demo;
mod http;
mod keys;
mod node_peers;
mod shutdown;
mod swarm;

use std::{net::SocketAddr, time::Duration};

use anyhow::Result;
use clap::Parser;
use futures::StreamExt;
use libp2p::{swarm::SwarmEvent, Multiaddr, Swarm};
use peerkeeper_net::{connection_manager, peerkeeper_behaviour};

use crate::{
    bootstrap::BootstrapBook,
    cli::Args,
    node_peers::{NodePeers, NodePeersEvent, Watermarks},
};

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
    let demo_kinds = demo::plan(args.demo_peers, args.demo_counts())?;
    if !args.dist.join("index.html").exists() {
        tracing::warn!(
            "{} has no index.html: build the page first (scripts/build.sh --page-only)",
            args.dist.display()
        );
    }

    let mut shutdown = shutdown::Shutdown::listen()?;
    let keys = keys::load_or_create(&args.data_dir)?;
    let chain = chain::demo_chain();
    let block_interval = Duration::from_millis(args.chain_block_ms);
    chain::spawn_producer(chain.clone(), block_interval);
    let marks =
        Watermarks { low: args.low_water, high: args.high_water, grace_ms: args.grace_period_ms };
    let peers = NodePeers::new(&keys.identity, &chain, marks, rand::random())?;
    let mut swarm = swarm::build(keys, |_| peers).await?;
    let local_peer = *swarm.local_peer_id();
    let book = BootstrapBook::new(local_peer);
    let mut blocks = chain.subscribe();
    let mut applied = swarm.behaviour_mut().follow(&chain, 0, &book);
    for addr in swarm::listen_addrs(&args) {
        swarm.listen_on(addr.clone()).map_err(|e| anyhow::anyhow!("listening on {addr}: {e}"))?;
    }
    // Demo peers dial the node over TCP once its listener has an address.
    let (node_tcp_tx, node_tcp_rx) = tokio::sync::watch::channel(None);
    let demo_options = demo::DemoOptions {
        chain: chain.clone(),
        block_interval,
        split_after: Duration::from_millis(args.demo_split_after_ms),
        flap_up_ms: args.demo_flap_up_ms,
        flap_down_ms: args.demo_flap_down_ms,
    };
    demo::spawn(&demo_kinds, args.listen_ip, &book, node_tcp_rx, &demo_options)?;

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
            event = swarm.select_next_some() => on_event(&mut swarm, event, &book, &node_tcp_tx),
            Ok(()) = blocks.changed() => {
                blocks.borrow_and_update();
                applied = swarm.behaviour_mut().follow(&chain, applied, &book);
            }
            signal = shutdown.requested() => {
                println!("shutting down on {signal}");
                return Ok(());
            }
        }
    }
}

fn on_event(
    swarm: &mut Swarm<NodePeers>,
    event: SwarmEvent<NodePeersEvent>,
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
        SwarmEvent::Behaviour(NodePeersEvent::Identify(e)) => {
            if let libp2p::identify::Event::Received { peer_id, info, .. } = &e {
                tracing::info!(%peer_id, agent = %info.agent_version, "identified");
            }
            swarm.behaviour_mut().on_identify(&e);
        }
        SwarmEvent::Behaviour(NodePeersEvent::Ping(e)) => {
            swarm.behaviour_mut().peerkeeper.peers_mut().on_ping_event(&e);
        }
        SwarmEvent::Behaviour(NodePeersEvent::Peerkeeper(e)) => log_peer_event(e),
        SwarmEvent::IncomingConnectionError { error, .. } => {
            tracing::debug!(%error, "incoming connection failed");
        }
        _ => {}
    }
}

/// The engine's decisions worth a line in the node's log.
fn log_peer_event(event: peerkeeper_behaviour::Event) {
    use peerkeeper_core::Event as E;
    match event {
        peerkeeper_behaviour::Event::Peers(connection_manager::Event::Engine(e)) => match e {
            E::Trimmed { report, .. } => {
                let closed: Vec<String> =
                    report.closed_in_order().iter().map(|entry| entry.peer.to_string()).collect();
                tracing::info!(connected = report.connected, ?closed, "trimmed");
            }
            E::SoftBanned { peer, reason, .. } => tracing::info!(%peer, %reason, "soft-banned"),
            E::AlignmentChanged { peer, aligned, why, .. } => {
                tracing::info!(%peer, aligned, ?why, "alignment changed");
            }
            _ => {}
        },
        peerkeeper_behaviour::Event::Peers(connection_manager::Event::Closing { peer, reason }) => {
            tracing::info!(%peer, reason = reason.as_str(), "closing");
        }
        peerkeeper_behaviour::Event::Peers(connection_manager::Event::Unresponsive {
            peer,
            error,
            ..
        }) => tracing::info!(%peer, %error, "closing an unresponsive connection"),
        peerkeeper_behaviour::Event::Struck { peer, kind, reason, .. } => {
            tracing::debug!(%peer, ?kind, %reason, "struck");
        }
        _ => {}
    }
}

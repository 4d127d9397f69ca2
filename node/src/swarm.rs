//! Builds a native swarm (the node's and each demo peer's): TCP, WebSocket, WebRTC-direct and
//! WebTransport (listen only) transports around a behaviour.

use std::time::Duration;

use anyhow::Result;
use libp2p::{
    core::{muxing::StreamMuxerBox, transport::Transport as _},
    identity::Keypair,
    noise,
    swarm::NetworkBehaviour,
    tcp, yamux, Multiaddr, Swarm,
};

use peerkeeper_net::webtransport;

use crate::{cli::Args, close_on_drop::CloseOnDrop, keys::NodeKeys};

/// Browsers keep idle connections only as long as the other side does; the page holds its
/// connections open for minutes at a time.
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(300);

pub async fn build<B: NetworkBehaviour>(
    keys: NodeKeys,
    behaviour: impl FnOnce(&Keypair) -> B,
) -> Result<Swarm<B>> {
    let certificate = keys.certificate;
    let webtransport_certificates = keys.webtransport;
    let swarm = libp2p::SwarmBuilder::with_existing_identity(keys.identity)
        .with_tokio()
        .with_tcp(tcp::Config::default().nodelay(true), noise::Config::new, yamux::Config::default)?
        .with_other_transport(|id_keys| {
            // A WebRTC connection that ends in an error is dropped unclosed and would leak
            // its whole WebRTC stack; see `close_on_drop`.
            libp2p_webrtc::tokio::Transport::new(id_keys.clone(), certificate)
                .map(|(peer, conn), _| (peer, StreamMuxerBox::new(CloseOnDrop::new(conn))))
        })?
        .with_other_transport(|id_keys| {
            webtransport::Transport::new(id_keys.clone(), webtransport_certificates)
                .map(|(peer, conn), _| (peer, StreamMuxerBox::new(conn)))
        })?
        .with_dns()?
        .with_websocket(noise::Config::new, yamux::Config::default)
        .await?
        .with_behaviour(behaviour)?
        .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
        .build();
    Ok(swarm)
}

/// The four listen addresses the flags describe, in the order the page prefers them.
pub fn listen_addrs(args: &Args) -> Vec<Multiaddr> {
    let ip = args.listen_ip;
    vec![
        format!("/ip4/{ip}/udp/{}/webrtc-direct", args.webrtc_port),
        format!("/ip4/{ip}/udp/{}/quic-v1/webtransport", args.webtransport_port),
        format!("/ip4/{ip}/tcp/{}/ws", args.ws_port),
        format!("/ip4/{ip}/tcp/{}", args.tcp_port),
    ]
    .into_iter()
    .map(|a| a.parse().expect("listen address is well-formed"))
    .collect()
}

//! The floor under the light peer's size: a browser libp2p node with the light peer's stack
//! (webrtc-direct, webtransport and websocket, noise, yamux, identify, ping) and nothing of
//! ours: no engine, no status, headers or peer-exchange protocols. `scripts/size-light-peer.sh
//! --floor` builds it beside the light peer; docs/performance.md, "Light peer size".
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use futures::StreamExt;
use libp2p::core::upgrade::Version;
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{
    identify, noise, ping, webrtc_websys, websocket_websys, webtransport_websys, yamux, Multiaddr,
    Transport,
};
use wasm_bindgen::prelude::*;

#[derive(NetworkBehaviour)]
struct Floor {
    identify: identify::Behaviour,
    ping: ping::Behaviour,
}

/// Dials `address` and reports each connection, identify answer and ping to `on_event`.
#[wasm_bindgen]
pub fn dial(address: &str, on_event: js_sys::Function) -> Result<(), JsError> {
    let addr: Multiaddr = address.parse().map_err(|e| JsError::new(&format!("{e}")))?;
    let mut swarm = libp2p::SwarmBuilder::with_new_identity()
        .with_wasm_bindgen()
        .with_other_transport(|key| webrtc_websys::Transport::new(webrtc_websys::Config::new(key)))
        .map_err(|e| JsError::new(&e.to_string()))?
        .with_other_transport(|key| {
            webtransport_websys::Transport::new(webtransport_websys::Config::new(key))
        })
        .map_err(|e| JsError::new(&e.to_string()))?
        .with_other_transport(|key| {
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(
                websocket_websys::Transport::default()
                    .upgrade(Version::V1Lazy)
                    .authenticate(noise::Config::new(key)?)
                    .multiplex(yamux::Config::default()),
            )
        })
        .map_err(|e| JsError::new(&e.to_string()))?
        .with_behaviour(|key| Floor {
            identify: identify::Behaviour::new(identify::Config::new(
                "/floor/1".into(),
                key.public(),
            )),
            ping: ping::Behaviour::new(ping::Config::new().with_interval(Duration::from_secs(5))),
        })
        .map_err(|e| JsError::new(&e.to_string()))?
        .build();
    swarm.dial(addr).map_err(|e| JsError::new(&e.to_string()))?;
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            let line = match swarm.select_next_some().await {
                SwarmEvent::ConnectionEstablished { peer_id, .. } => format!("connected {peer_id}"),
                SwarmEvent::Behaviour(FloorEvent::Identify(identify::Event::Received {
                    peer_id,
                    info,
                    ..
                })) => format!("identified {peer_id} {}", info.agent_version),
                SwarmEvent::Behaviour(FloorEvent::Ping(ping::Event { peer, result, .. })) => {
                    format!("ping {peer} {}", result.is_ok())
                }
                SwarmEvent::ConnectionClosed { peer_id, .. } => format!("closed {peer_id}"),
                _ => continue,
            };
            let _ = on_event.call1(&JsValue::NULL, &JsValue::from_str(&line));
        }
    });
    Ok(())
}

//! The light peer alone, as a wasm module, so its size can be measured without the page's UI
//! (`scripts/size-light-peer.sh`; docs/performance.md, "Light peer size"). It exports what a
//! page needs of the light peer: start it with an event callback, dial, protect.
#![cfg(target_arch = "wasm32")]

use peerkeeper_web::light_peer::{LightPeer, LightPeerConfig};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct Peer(LightPeer);

#[wasm_bindgen]
impl Peer {
    /// Starts the light peer with the default config; every event goes to `on_event`.
    #[wasm_bindgen(constructor)]
    pub fn new(on_event: js_sys::Function) -> Result<Peer, JsError> {
        let peer = LightPeer::start(LightPeerConfig::default(), move |event| {
            if let Ok(value) = serde_wasm_bindgen::to_value(&event) {
                let _ = on_event.call1(&JsValue::NULL, &value);
            }
        })
        .map_err(|e| JsError::new(&e))?;
        Ok(Peer(peer))
    }

    pub fn dial(&self, address: &str) -> Result<(), JsError> {
        self.0.dial(address).map_err(|e| JsError::new(&e.to_string()))
    }

    pub fn protect(&self, peer_id: &str, tag: &str) -> Result<(), JsError> {
        self.0.protect(peer_id, tag).map_err(|e| JsError::new(&e))
    }

    #[wasm_bindgen(js_name = localPeerId)]
    pub fn local_peer_id(&self) -> String {
        self.0.local_peer_id()
    }
}

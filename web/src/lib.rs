//! peerkeeper-web: the wasm-bindgen surface of peerkeeper.
//!
//! The engine's JS API lives here; with the `light-peer` feature (browser builds only) so does
//! the light peer, a rust-libp2p node that dials real peers over WebRTC-direct, WebTransport
//! and WebSocket.

use wasm_bindgen::prelude::*;

#[cfg(any(feature = "js-api", feature = "js-light-peer"))]
pub mod arg_checks;
#[cfg(feature = "js-api")]
pub mod fuzzing;
#[cfg(any(feature = "js-api", feature = "js-light-peer"))]
pub mod js_args;
#[cfg(feature = "js-api")]
pub mod js_behaviour;
#[cfg(feature = "js-api")]
pub mod js_config;
#[cfg(feature = "js-api")]
pub mod js_defence;
#[cfg(feature = "js-api")]
pub mod js_events;
#[cfg(feature = "js-api")]
pub mod js_fork;
#[cfg(any(feature = "js-api", feature = "js-light-peer"))]
pub mod js_json;
#[cfg(feature = "js-api")]
pub mod js_key;
#[cfg(feature = "js-api")]
pub mod js_manager;
#[cfg(feature = "js-api")]
pub mod js_values;
pub mod light_peer_event;
#[cfg(feature = "js-api")]
pub mod peer_handles;
#[cfg(feature = "js-api")]
pub mod snapshot;

#[cfg(all(feature = "light-peer", target_arch = "wasm32"))]
pub mod callback_guard;
#[cfg(all(feature = "js-light-peer", target_arch = "wasm32"))]
pub mod js_light_peer;
#[cfg(all(feature = "light-peer", target_arch = "wasm32"))]
pub mod light_peer;

/// Routes Rust panics to `console.error` with a stack trace instead of an opaque
/// "unreachable" trap. Idempotent.
#[wasm_bindgen(js_name = installPanicHook)]
pub fn install_panic_hook() {
    console_error_panic_hook::set_once();
}

/// The package version, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

//! `LightPeer` for JS (the npm package's `peerkeeper/light-peer` entry point, browsers only):
//! a wasm-bindgen class over [`crate::light_peer::LightPeer`]. Events reach the JS layer as
//! camelCase JSON through one callback (see `js_json`), which turns them into `EventTarget`
//! events; arguments are checked here, so a bad config or address is a `TypeError` /
//! `RangeError` naming it, never a trap.

use js_sys::{Function, Object};
use wasm_bindgen::prelude::*;

use crate::js_args::{self as args, describe, field, type_error, JsResult};
use crate::js_json::camel_json;
use crate::light_peer::{DialError, LightPeer, LightPeerConfig};

const M: &str = "LightPeer";

#[wasm_bindgen(js_name = RawLightPeer)]
pub struct JsLightPeer {
    inner: LightPeer,
}

/// `{ lowWater?, highWater?, gracePeriod?, silencePeriod? }`; unknown keys are refused.
fn config(v: &JsValue) -> JsResult<LightPeerConfig> {
    let mut c = LightPeerConfig::default();
    if v.is_undefined() {
        return Ok(c);
    }
    if !v.is_object() || js_sys::Array::is_array(v) {
        return Err(type_error(&format!("{M}: config must be an object, got {}", describe(v))));
    }
    let obj: &Object = v.unchecked_ref();
    const KNOWN: [&str; 4] = ["lowWater", "highWater", "gracePeriod", "silencePeriod"];
    for key in Object::keys(obj).iter() {
        let key = key.as_string().unwrap_or_default();
        if !KNOWN.contains(&key.as_str()) {
            return Err(type_error(&format!(
                "{M}: unknown config field {key:?} (known: {})",
                KNOWN.join(", ")
            )));
        }
    }
    let given = |name: &str| Some(field(obj, name)).filter(|v| !v.is_undefined());
    if let Some(v) = given("lowWater") {
        c.low_water = args::count(M, "config.lowWater", &v)?;
    }
    if let Some(v) = given("highWater") {
        c.high_water = args::count(M, "config.highWater", &v)?;
    }
    if let Some(v) = given("gracePeriod") {
        c.grace_period_ms = args::millis(M, "config.gracePeriod", &v)?;
    }
    if let Some(v) = given("silencePeriod") {
        c.silence_period_ms = args::millis(M, "config.silencePeriod", &v)?;
    }
    Ok(c)
}

#[wasm_bindgen(js_class = RawLightPeer)]
impl JsLightPeer {
    /// Starts the swarm with a fresh identity; `on_event(json)` receives every event.
    #[wasm_bindgen(constructor)]
    pub fn new(config_value: JsValue, on_event: Function) -> JsResult<JsLightPeer> {
        let config = config(&config_value)?;
        let inner = LightPeer::start(config, move |event| {
            // A throwing listener must not take the swarm task down with it.
            let _ = on_event.call1(&JsValue::UNDEFINED, &JsValue::from_str(&camel_json(&event)));
        })
        .map_err(|e| args::range_error(&format!("{M}: {e}")))?;
        Ok(JsLightPeer { inner })
    }

    #[wasm_bindgen(getter, js_name = peerId)]
    pub fn peer_id(&self) -> String {
        self.inner.local_peer_id()
    }

    /// Dials a multiaddr (webrtc-direct, webtransport or ws; with or without `/p2p/<id>`).
    pub fn dial(&self, address: &str) -> JsResult<()> {
        self.inner.dial(address).map_err(|e| match e {
            DialError::Malformed { .. } | DialError::NotBrowserDialable { .. } => {
                args::range_error(&format!("dial: {e}"))
            }
        })
    }

    /// Exempts `peer` from trims under `tag`.
    pub fn protect(&self, peer: &str, tag: &str) -> JsResult<()> {
        args::nonempty("protect", "tag", tag)?;
        self.inner.protect(peer, tag).map_err(|e| args::range_error(&format!("protect: {e}")))
    }
}

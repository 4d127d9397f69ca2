//! `LightPeer` for JS (the npm package's `peerkeeper/light-peer` entry point, browsers only):
//! a wasm-bindgen class over [`crate::light_peer::LightPeer`]. Events reach the JS layer as
//! camelCase JSON through one callback (see `js_json`), which turns them into `EventTarget`
//! events; arguments are checked here, so a bad config or address is a `TypeError` /
//! `RangeError` naming it, never a trap.

use js_sys::{Function, Object};
use wasm_bindgen::prelude::*;

use crate::js_args::{self as args, describe, field, type_error, JsResult};
use crate::js_json::camel_json;
use crate::light_peer::{report_action, DialError, LightPeer, LightPeerConfig, SettingsView};

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

    /// Removes the protection `tag` from `peer`; an `unprotected` event says whether others
    /// remain.
    pub fn unprotect(&self, peer: JsValue, tag: JsValue) -> JsResult<()> {
        let (peer, tag) = (string("unprotect", "peer", &peer)?, string("unprotect", "tag", &tag)?);
        args::nonempty("unprotect", "tag", &tag)?;
        self.inner.unprotect(&peer, &tag).map_err(|e| range("unprotect", e))
    }

    /// Sets the static tag `tag` on `peer` to `value` (a safe integer); a `tagged` event
    /// follows.
    pub fn tag(&self, peer: JsValue, tag: JsValue, value: JsValue) -> JsResult<()> {
        let (peer, tag) = (string("tag", "peer", &peer)?, string("tag", "tag", &tag)?);
        args::nonempty("tag", "tag", &tag)?;
        let value = args::tag_value("tag", "value", &value)?;
        self.inner.tag(&peer, &tag, value).map_err(|e| range("tag", e))
    }

    /// Removes the static tag `tag` from `peer`; a `tagRemoved` event follows if it was there.
    pub fn untag(&self, peer: JsValue, tag: JsValue) -> JsResult<()> {
        let (peer, tag) = (string("untag", "peer", &peer)?, string("untag", "tag", &tag)?);
        args::nonempty("untag", "tag", &tag)?;
        self.inner.untag(&peer, &tag).map_err(|e| range("untag", e))
    }

    /// Reports `action` (`fatal`, `low_tolerance`, `mid_tolerance`, `high_tolerance`) against
    /// `peer`, recorded as `name` (default `"report"`); a `reported` event follows, and
    /// `banned` / `dropped` when the score crosses a threshold.
    pub fn report(&self, peer: JsValue, action: JsValue, name: JsValue) -> JsResult<()> {
        let peer = string("report", "peer", &peer)?;
        let action = string("report", "action", &action)?;
        let name = if name.is_undefined() {
            "report".to_string()
        } else {
            string("report", "name", &name)?
        };
        args::nonempty("report", "name", &name)?;
        let action = report_action(&action).map_err(|e| range("report", e))?;
        self.inner.report(&peer, action, &name).map_err(|e| range("report", e))
    }

    /// Closes every connection to `peer` (reason `client_shutdown`). Resolves once the close is
    /// under way; rejects with a RangeError if the peer is not connected.
    pub fn disconnect(&self, peer: JsValue) -> JsResult<js_sys::Promise> {
        let peer = string("disconnect", "peer", &peer)?;
        let inner = self.inner.clone();
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            inner.disconnect(&peer).await.map_err(|e| range("disconnect", e))?;
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// Changes the watermarks, grace and silence while running:
    /// `{ lowWater?, highWater?, gracePeriod?, silencePeriod? }`, absent fields keep their
    /// value. Resolves to whether the connected count exceeds the new high water (a trim
    /// follows); a bad set rejects with a RangeError naming the field and changes nothing.
    #[wasm_bindgen(js_name = setTrimSettings)]
    pub fn set_trim_settings(&self, settings: JsValue) -> JsResult<js_sys::Promise> {
        const S: &str = "setTrimSettings";
        if settings.is_undefined() || !settings.is_object() || js_sys::Array::is_array(&settings) {
            return Err(type_error(&format!(
                "{S}: settings must be an object, got {}",
                describe(&settings)
            )));
        }
        let obj: &Object = settings.unchecked_ref();
        let given = |name: &str| Some(field(obj, name)).filter(|v| !v.is_undefined());
        let low = given("lowWater").map(|v| args::count(S, "settings.lowWater", &v)).transpose()?;
        let high =
            given("highWater").map(|v| args::count(S, "settings.highWater", &v)).transpose()?;
        let grace = given("gracePeriod")
            .map(|v| args::millis(S, "settings.gracePeriod", &v))
            .transpose()?;
        let silence = given("silencePeriod")
            .map(|v| args::millis(S, "settings.silencePeriod", &v))
            .transpose()?;
        unknown_keys(S, obj)?;
        let inner = self.inner.clone();
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            let current =
                inner.engine_view().await.ok_or_else(|| range(S, "the light peer has stopped"))?;
            let c = current.settings;
            let next = SettingsView {
                low_water: low.unwrap_or(c.low_water),
                high_water: high.unwrap_or(c.high_water),
                grace_period_ms: grace.unwrap_or(c.grace_period_ms),
                silence_period_ms: silence.unwrap_or(c.silence_period_ms),
            };
            let trimmed = inner.set_trim_settings(next).await.map_err(|e| range(S, e))?;
            Ok(JsValue::from_bool(trimmed))
        }))
    }

    /// The engine's view of every peer it knows (`{ atMs, settings, connected, peers }`, each
    /// peer with its score parts, tags, protection, strikes, redial and ban time left).
    #[wasm_bindgen(js_name = engineView)]
    pub fn engine_view(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let view = inner
                .engine_view()
                .await
                .ok_or_else(|| range("engineView", "the light peer has stopped"))?;
            js_sys::JSON::parse(&camel_json(&view))
        })
    }
}

fn range(method: &str, e: impl std::fmt::Display) -> JsValue {
    args::range_error(&format!("{method}: {e}"))
}

/// A string argument, or a TypeError naming it.
fn string(method: &str, arg: &str, v: &JsValue) -> JsResult<String> {
    v.as_string().ok_or_else(|| {
        type_error(&format!("{method}: {arg} must be a string, got {}", describe(v)))
    })
}

fn unknown_keys(method: &str, obj: &Object) -> JsResult<()> {
    const KNOWN: [&str; 4] = ["lowWater", "highWater", "gracePeriod", "silencePeriod"];
    for key in Object::keys(obj).iter() {
        let key = key.as_string().unwrap_or_default();
        if !KNOWN.contains(&key.as_str()) {
            return Err(type_error(&format!(
                "{method}: unknown settings field {key:?} (known: {})",
                KNOWN.join(", ")
            )));
        }
    }
    Ok(())
}

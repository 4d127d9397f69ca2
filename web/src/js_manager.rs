//! `RawPeerManager`: core's `PeerManager<String>` for JS. Every argument is checked here
//! (see `js_args`), so no JS input reaches a core path that could panic; the npm package wraps
//! this class to add `EventTarget`, the async iterator and the self-driven clock.
//!
//! Times are milliseconds as JS numbers; `undefined` results mean "none".

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use peerkeeper_core::{ConnId, PeerManager};
use wasm_bindgen::prelude::*;

use crate::js_args::{self as args, JsResult};
use crate::js_config;
use crate::js_events::{command_to_js, event_to_js};
use crate::snapshot::{self, DecaySpec, Ledger};

#[wasm_bindgen(js_name = RawPeerManager)]
pub struct JsPeerManager {
    pm: PeerManager<String>,
    ledger: Ledger,
}

#[wasm_bindgen(js_class = RawPeerManager)]
impl JsPeerManager {
    /// `config`: a plain object with camelCase keys, or `undefined` for the defaults.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsResult<JsPeerManager> {
        let config = js_config::from_js(&config)?;
        let pm = PeerManager::new(config).map_err(|e| js_config::refused(&e))?;
        Ok(JsPeerManager { pm, ledger: Ledger::default() })
    }

    // ---- inputs -------------------------------------------------------------------------

    pub fn connected(
        &mut self,
        peer: JsValue,
        conn: JsValue,
        direction: JsValue,
        now: JsValue,
    ) -> JsResult<()> {
        const M: &str = "connected";
        let peer = args::string(M, "peer", &peer)?;
        let conn = args::millis(M, "conn", &conn)?;
        let direction = args::direction(M, &direction)?;
        let now = args::millis(M, "now", &now)?;
        self.ledger.touch(&peer);
        self.pm.connected(&peer, ConnId(conn), direction, now);
        Ok(())
    }

    pub fn disconnected(&mut self, peer: JsValue, conn: JsValue, now: JsValue) -> JsResult<bool> {
        const M: &str = "disconnected";
        let peer = args::string(M, "peer", &peer)?;
        let conn = args::millis(M, "conn", &conn)?;
        let now = args::millis(M, "now", &now)?;
        Ok(self.pm.disconnected(&peer, ConnId(conn), now))
    }

    #[wasm_bindgen(js_name = handleTimeout)]
    pub fn handle_timeout(&mut self, now: JsValue) -> JsResult<()> {
        let now = args::millis("handleTimeout", "now", &now)?;
        self.pm.handle_timeout(now);
        Ok(())
    }

    pub fn trim(&mut self, now: JsValue) -> JsResult<()> {
        let now = args::millis("trim", "now", &now)?;
        self.pm.trim(now);
        Ok(())
    }

    #[wasm_bindgen(js_name = tagPeer)]
    pub fn tag_peer(&mut self, peer: JsValue, tag: JsValue, value: JsValue) -> JsResult<()> {
        const M: &str = "tagPeer";
        let peer = args::string(M, "peer", &peer)?;
        let tag = args::string(M, "tag", &tag)?;
        let value = args::tag_value(M, "value", &value)?;
        self.ledger.touch(&peer);
        self.pm.tag_peer(&peer, &tag, value);
        Ok(())
    }

    #[wasm_bindgen(js_name = untagPeer)]
    pub fn untag_peer(&mut self, peer: JsValue, tag: JsValue) -> JsResult<bool> {
        const M: &str = "untagPeer";
        let peer = args::string(M, "peer", &peer)?;
        let tag = args::string(M, "tag", &tag)?;
        Ok(self.pm.untag_peer(&peer, &tag))
    }

    /// Calls `f(current)` (current: the tag's value or 0) and sets the static tag to its
    /// result. If `f` throws or returns something other than a safe integer, nothing changes.
    #[wasm_bindgen(js_name = upsertTag)]
    pub fn upsert_tag(&mut self, peer: JsValue, tag: JsValue, f: JsValue) -> JsResult<()> {
        const M: &str = "upsertTag";
        let peer = args::string(M, "peer", &peer)?;
        let tag = args::string(M, "tag", &tag)?;
        let Some(f) = f.dyn_ref::<Function>() else {
            return Err(args::type_error(&format!(
                "{M}: fn must be a function, got {}",
                args::describe(&f)
            )));
        };
        let current = self.pm.tag_value(&peer, &tag).unwrap_or(0);
        let result = f.call1(&JsValue::UNDEFINED, &JsValue::from_f64(current as f64))?;
        let value = args::tag_value(M, "the value fn returned", &result)?;
        self.ledger.touch(&peer);
        self.pm.upsert_tag(&peer, &tag, |_| value);
        Ok(())
    }

    /// `decay`: `"none"` or `{ kind: "fixed", amount }`, `{ kind: "linear", coef }`,
    /// `{ kind: "expire_when_inactive", after }`; `bump` (optional): `"sum"`, `"overwrite"` or
    /// `{ kind: "sum_bounded", min, max }`.
    #[wasm_bindgen(js_name = tagPeerDecaying)]
    #[allow(clippy::too_many_arguments)]
    pub fn tag_peer_decaying(
        &mut self,
        peer: JsValue,
        tag: JsValue,
        value: JsValue,
        interval: JsValue,
        decay: JsValue,
        now: JsValue,
        bump: JsValue,
    ) -> JsResult<()> {
        const M: &str = "tagPeerDecaying";
        let peer = args::string(M, "peer", &peer)?;
        let tag = args::string(M, "tag", &tag)?;
        let value = args::tag_value(M, "value", &value)?;
        let interval = args::millis(M, "interval", &interval)?;
        let decay = args::decay(M, &decay)?;
        let now = args::millis(M, "now", &now)?;
        let bump = args::bump(M, &bump)?;
        self.ledger.decaying(&peer, &tag, DecaySpec { interval, decay: decay.clone(), bump });
        self.pm.tag_peer_decaying_with_bump(&peer, &tag, value, interval, decay, bump, now);
        Ok(())
    }

    #[wasm_bindgen(js_name = bumpDecayingTag)]
    pub fn bump_decaying_tag(
        &mut self,
        peer: JsValue,
        tag: JsValue,
        delta: JsValue,
        now: JsValue,
    ) -> JsResult<bool> {
        const M: &str = "bumpDecayingTag";
        let peer = args::string(M, "peer", &peer)?;
        let tag = args::string(M, "tag", &tag)?;
        let delta = args::tag_value(M, "delta", &delta)?;
        let now = args::millis(M, "now", &now)?;
        Ok(self.pm.bump_decaying_tag(&peer, &tag, delta, now))
    }

    #[wasm_bindgen(js_name = removeDecayingTag)]
    pub fn remove_decaying_tag(&mut self, peer: JsValue, tag: JsValue) -> JsResult<bool> {
        const M: &str = "removeDecayingTag";
        let peer = args::string(M, "peer", &peer)?;
        let tag = args::string(M, "tag", &tag)?;
        Ok(self.pm.remove_decaying_tag(&peer, &tag))
    }

    pub fn protect(&mut self, peer: JsValue, tag: JsValue) -> JsResult<()> {
        let peer = args::string("protect", "peer", &peer)?;
        let tag = args::string("protect", "tag", &tag)?;
        self.ledger.protection(&peer, &tag);
        self.pm.protect(&peer, &tag);
        Ok(())
    }

    /// Whether the peer is still protected by other reasons.
    pub fn unprotect(&mut self, peer: JsValue, tag: JsValue) -> JsResult<bool> {
        let peer = args::string("unprotect", "peer", &peer)?;
        let tag = args::string("unprotect", "tag", &tag)?;
        Ok(self.pm.unprotect(&peer, &tag))
    }

    // ---- outputs ------------------------------------------------------------------------

    /// The next event as a plain object, or `undefined`.
    #[wasm_bindgen(js_name = pollEvent)]
    pub fn poll_event(&mut self) -> JsValue {
        match self.pm.poll_event() {
            Some(e) => {
                self.ledger.observe(&e);
                event_to_js(&e)
            }
            None => JsValue::UNDEFINED,
        }
    }

    /// The next command as a plain object, or `undefined`.
    #[wasm_bindgen(js_name = pollCommand)]
    pub fn poll_command(&mut self) -> JsValue {
        self.pm.poll_command().map_or(JsValue::UNDEFINED, |c| command_to_js(&c))
    }

    /// When `handleTimeout` next has work, or `undefined`.
    #[wasm_bindgen(js_name = pollTimeout)]
    pub fn poll_timeout(&self) -> Option<f64> {
        self.pm.poll_timeout().map(|t| t as f64)
    }

    // ---- getters ------------------------------------------------------------------------

    #[wasm_bindgen(js_name = peerScore)]
    pub fn peer_score(&self, peer: JsValue) -> JsResult<f64> {
        Ok(self.pm.peer_score(&args::string("peerScore", "peer", &peer)?))
    }

    #[wasm_bindgen(js_name = isProtected)]
    pub fn is_protected(&self, peer: JsValue, tag: JsValue) -> JsResult<bool> {
        let peer = args::string("isProtected", "peer", &peer)?;
        let tag = args::optional_string("isProtected", "tag", &tag)?;
        Ok(self.pm.is_protected(&peer, tag.as_deref()))
    }

    /// The value of one tag (static or decaying), or `undefined`.
    #[wasm_bindgen(js_name = tagValue)]
    pub fn tag_value(&self, peer: JsValue, tag: JsValue) -> JsResult<Option<f64>> {
        let peer = args::string("tagValue", "peer", &peer)?;
        let tag = args::string("tagValue", "tag", &tag)?;
        Ok(self.pm.tag_value(&peer, &tag).map(|v| v as f64))
    }

    /// The peer's tags in creation order: `[{ name, value, decaying }]`.
    pub fn tags(&self, peer: JsValue) -> JsResult<Array> {
        let peer = args::string("tags", "peer", &peer)?;
        let out = Array::new();
        for (name, value, decaying) in self.pm.tags(&peer) {
            let o = Object::new();
            let _ = Reflect::set(&o, &"name".into(), &JsValue::from_str(&name));
            let _ = Reflect::set(&o, &"value".into(), &JsValue::from_f64(value as f64));
            let _ = Reflect::set(&o, &"decaying".into(), &JsValue::from_bool(decaying));
            out.push(&o);
        }
        Ok(out)
    }

    #[wasm_bindgen(js_name = isConnected)]
    pub fn is_connected(&self, peer: JsValue) -> JsResult<bool> {
        Ok(self.pm.is_connected(&args::string("isConnected", "peer", &peer)?))
    }

    #[wasm_bindgen(js_name = isClosing)]
    pub fn is_closing(&self, peer: JsValue) -> JsResult<bool> {
        Ok(self.pm.is_closing(&args::string("isClosing", "peer", &peer)?))
    }

    #[wasm_bindgen(js_name = connectionCount)]
    pub fn connection_count(&self, peer: JsValue) -> JsResult<u32> {
        let n = self.pm.connection_count(&args::string("connectionCount", "peer", &peer)?);
        Ok(n as u32)
    }

    #[wasm_bindgen(js_name = connectedCount)]
    pub fn connected_count(&self) -> u32 {
        self.pm.connected_count() as u32
    }

    /// Peers counted toward the watermarks, in peer-book order.
    #[wasm_bindgen(js_name = connectedPeers)]
    pub fn connected_peers(&self) -> Array {
        self.pm.connected_peers().map(|p| JsValue::from_str(p)).collect()
    }

    /// Every peer with a record: connected, being closed, or remembered after leaving.
    #[wasm_bindgen(js_name = knownPeerCount)]
    pub fn known_peer_count(&self) -> u32 {
        self.pm.known_peers() as u32
    }

    /// The latest time the manager has been given.
    pub fn now(&self) -> f64 {
        self.pm.now() as f64
    }

    /// The config in effect, with every default filled in.
    pub fn config(&self) -> JsValue {
        js_config::to_js(self.pm.config())
    }

    // ---- persistence --------------------------------------------------------------------

    pub fn snapshot(&mut self) -> Uint8Array {
        Uint8Array::from(&snapshot::capture(&self.pm, &mut self.ledger)[..])
    }

    /// Replaces this manager's peer state with the snapshot's; keeps this manager's config.
    /// Refused bytes leave the manager untouched.
    pub fn restore(&mut self, bytes: JsValue) -> JsResult<()> {
        let Some(bytes) = bytes.dyn_ref::<Uint8Array>() else {
            return Err(args::type_error(&format!(
                "restore: bytes must be a Uint8Array, got {}",
                args::describe(&bytes)
            )));
        };
        let (pm, ledger) = snapshot::rebuild(&bytes.to_vec(), self.pm.config(), self.pm.now())
            .map_err(|e| args::range_error(&format!("restore: {e}")))?;
        self.pm = pm;
        self.ledger = ledger;
        Ok(())
    }
}

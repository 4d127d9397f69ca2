//! `RawPeerManager`: core's `PeerManager` for JS, keyed by peer-id strings. The npm package
//! wraps this class (adding type checks, `EventTarget`, the async iterator and the self-driven
//! clock) and is the only caller: strings arrive as `&str` and numbers as `f64` after the JS
//! layer checked their types, and every value is checked here (see `js_args`), so no JS input
//! reaches a core path that could panic.
//!
//! Times are milliseconds as JS numbers; `undefined` results mean "none".

use js_sys::{Array, Float64Array, Function, Object, Reflect, Uint32Array, Uint8Array};
use peerkeeper_core::{Command, ConnId, DisconnectReason, PeerManager};
use wasm_bindgen::prelude::*;

use crate::js_args::{self as args, JsResult};
use crate::js_config;
use crate::js_events::events_batch;
use crate::js_fork;
use crate::peer_handles::PeerHandles;
use crate::snapshot;

pub use crate::js_key::Key;

#[wasm_bindgen(js_name = RawPeerManager)]
pub struct JsPeerManager {
    pub(crate) pm: PeerManager<Key>,
    handles: PeerHandles,
}

// Typed-array copies of columns through `slice` on a view of wasm memory: V8 copies that in
// one block, where the typed-array constructor wasm-bindgen's `from` uses took a third of
// `drainEvents` for a 10 000-entry report.
// SAFETY (all three): the view lives only until `slice` returns, and nothing allocates in
// wasm memory in between, so the memory it points into cannot move.
fn copy_u8(v: &[u8]) -> Uint8Array {
    unsafe { Uint8Array::view(v) }.slice(0, v.len() as u32)
}

fn copy_u32(v: &[u32]) -> Uint32Array {
    unsafe { Uint32Array::view(v) }.slice(0, v.len() as u32)
}

fn copy_f64(v: &[f64]) -> Float64Array {
    unsafe { Float64Array::view(v) }.slice(0, v.len() as u32)
}

pub(crate) fn key(method: &str, peer: &str) -> JsResult<Key> {
    args::nonempty(method, "peer", peer)?;
    Ok(Key::from(peer))
}

#[wasm_bindgen(js_class = RawPeerManager)]
impl JsPeerManager {
    /// `config`: a plain object with camelCase keys, or `undefined` for the defaults. With a
    /// `fork` section, `config.chain` (`{ head, lib }`) is the chain followed from `now`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, now: f64) -> JsResult<JsPeerManager> {
        let (config, chain) = js_config::from_js(&config)?;
        let now = args::millis_value("PeerManager", "now", now)?;
        let pm = match (&config.fork, chain.is_undefined()) {
            (Some(_), _) => {
                let (head, lib) = js_fork::chain(&chain)?;
                PeerManager::with_chain(config, head, lib, now)
            }
            (None, true) => PeerManager::new(config),
            (None, false) => {
                return Err(args::type_error(
                    "PeerManager: config.chain is only used with a config.fork section",
                ))
            }
        };
        let pm = pm.map_err(|e| js_config::refused(&e))?;
        Ok(JsPeerManager { pm, handles: PeerHandles::default() })
    }

    // ---- inputs -------------------------------------------------------------------------

    /// The peer's handle (see `peer_handles`): the JS layer files `peer` under it, and
    /// disconnect commands name the peer by it.
    pub fn connected(
        &mut self,
        peer: &str,
        conn: f64,
        direction: &str,
        now: f64,
    ) -> JsResult<Option<u32>> {
        const M: &str = "connected";
        let key = key(M, peer)?;
        let conn = args::millis_value(M, "conn", conn)?;
        let direction = args::direction(M, direction)?;
        let now = args::millis_value(M, "now", now)?;
        self.pm.connected(&key, ConnId(conn), direction, now);
        Ok(self.pm.stored_key(&key).map(|stored| self.handles.assign(stored)))
    }

    pub fn disconnected(&mut self, peer: &str, conn: f64, now: f64) -> JsResult<bool> {
        const M: &str = "disconnected";
        let key = key(M, peer)?;
        let conn = args::millis_value(M, "conn", conn)?;
        let now = args::millis_value(M, "now", now)?;
        // Taken first: the engine may forget the peer's record on its last disconnection.
        let stored = self.pm.stored_key(&key).cloned();
        let was_open = self.pm.disconnected(&key, ConnId(conn), now);
        if let Some(stored) = stored.filter(|_| self.pm.connection_count(&key) == 0) {
            self.handles.release(&stored);
        }
        Ok(was_open)
    }

    #[wasm_bindgen(js_name = handleTimeout)]
    pub fn handle_timeout(&mut self, now: f64) -> JsResult<()> {
        let now = args::millis_value("handleTimeout", "now", now)?;
        self.pm.handle_timeout(now);
        Ok(())
    }

    pub fn trim(&mut self, now: f64) -> JsResult<()> {
        let now = args::millis_value("trim", "now", now)?;
        self.pm.trim(now);
        Ok(())
    }

    #[wasm_bindgen(js_name = tagPeer)]
    pub fn tag_peer(&mut self, peer: &str, tag: &str, value: f64) -> JsResult<()> {
        const M: &str = "tagPeer";
        let key = key(M, peer)?;
        args::nonempty(M, "tag", tag)?;
        let value = args::tag_value_of(M, "value", value)?;
        self.pm.tag_peer(&key, tag, value);
        Ok(())
    }

    #[wasm_bindgen(js_name = untagPeer)]
    pub fn untag_peer(&mut self, peer: &str, tag: &str) -> JsResult<bool> {
        let key = key("untagPeer", peer)?;
        args::nonempty("untagPeer", "tag", tag)?;
        Ok(self.pm.untag_peer(&key, tag))
    }

    /// Calls `f(current)` (current: the tag's value or 0) and sets the static tag to its
    /// result. If `f` throws or returns something other than a safe integer, nothing changes.
    #[wasm_bindgen(js_name = upsertTag)]
    pub fn upsert_tag(&mut self, peer: &str, tag: &str, f: JsValue) -> JsResult<()> {
        const M: &str = "upsertTag";
        let key = key(M, peer)?;
        args::nonempty(M, "tag", tag)?;
        let Some(f) = f.dyn_ref::<Function>() else {
            return Err(args::type_error(&format!(
                "{M}: fn must be a function, got {}",
                args::describe(&f)
            )));
        };
        let current = self.pm.tag_value(&key, tag).unwrap_or(0);
        let result = f.call1(&JsValue::UNDEFINED, &JsValue::from_f64(current as f64))?;
        let value = args::tag_value(M, "the value fn returned", &result)?;
        self.pm.upsert_tag(&key, tag, |_| value);
        Ok(())
    }

    /// `decay`: `"none"` or `{ kind: "fixed", amount }`, `{ kind: "linear", coef }`,
    /// `{ kind: "expire_when_inactive", after }`; `bump` (optional): `"sum"`, `"overwrite"` or
    /// `{ kind: "sum_bounded", min, max }`.
    #[wasm_bindgen(js_name = tagPeerDecaying)]
    #[allow(clippy::too_many_arguments)]
    pub fn tag_peer_decaying(
        &mut self,
        peer: &str,
        tag: &str,
        value: f64,
        interval: f64,
        decay: JsValue,
        now: f64,
        bump: JsValue,
    ) -> JsResult<()> {
        const M: &str = "tagPeerDecaying";
        let key = key(M, peer)?;
        args::nonempty(M, "tag", tag)?;
        let value = args::tag_value_of(M, "value", value)?;
        let interval = args::millis_value(M, "interval", interval)?;
        let decay = args::decay(M, &decay)?;
        let now = args::millis_value(M, "now", now)?;
        let bump = args::bump(M, &bump)?;
        self.pm.tag_peer_decaying_with_bump(&key, tag, value, interval, decay, bump, now);
        Ok(())
    }

    #[wasm_bindgen(js_name = bumpDecayingTag)]
    pub fn bump_decaying_tag(
        &mut self,
        peer: &str,
        tag: &str,
        delta: f64,
        now: f64,
    ) -> JsResult<bool> {
        const M: &str = "bumpDecayingTag";
        let key = key(M, peer)?;
        args::nonempty(M, "tag", tag)?;
        let delta = args::tag_value_of(M, "delta", delta)?;
        let now = args::millis_value(M, "now", now)?;
        Ok(self.pm.bump_decaying_tag(&key, tag, delta, now))
    }

    #[wasm_bindgen(js_name = removeDecayingTag)]
    pub fn remove_decaying_tag(&mut self, peer: &str, tag: &str) -> JsResult<bool> {
        let key = key("removeDecayingTag", peer)?;
        args::nonempty("removeDecayingTag", "tag", tag)?;
        Ok(self.pm.remove_decaying_tag(&key, tag))
    }

    pub fn protect(&mut self, peer: &str, tag: &str) -> JsResult<()> {
        let key = key("protect", peer)?;
        args::nonempty("protect", "tag", tag)?;
        self.pm.protect(&key, tag);
        Ok(())
    }

    /// Whether the peer is still protected by other reasons.
    pub fn unprotect(&mut self, peer: &str, tag: &str) -> JsResult<bool> {
        let key = key("unprotect", peer)?;
        args::nonempty("unprotect", "tag", tag)?;
        Ok(self.pm.unprotect(&key, tag))
    }

    // ---- outputs ------------------------------------------------------------------------

    /// Every pending event, or `undefined`: `[json, columns]`, where `json` is an array of
    /// events (see `js_events` for the shape) in which a trim report's `entries` is an index
    /// into `columns`, whose items are `[handles, utf8, lengths, scores, ranks, verdicts,
    /// verdictNames, connectedAt]` (see `js_events::Columns`).
    #[wasm_bindgen(js_name = drainEvents)]
    pub fn drain_events(&mut self) -> Option<Array> {
        let mut batch = Vec::new();
        while let Some(e) = self.pm.poll_event() {
            batch.push(e);
        }
        let (json, columns) = events_batch(batch.iter(), &self.handles)?;
        let cols = Array::new();
        for c in columns {
            let names: Array = c.verdict_names.iter().map(|n| JsValue::from_str(n)).collect();
            let parts: [JsValue; 8] = [
                copy_u32(&c.handles).into(),
                // The ids of peers without a handle, usually none.
                copy_u8(&c.text).into(),
                copy_u32(&c.lengths).into(),
                copy_f64(&c.scores).into(),
                copy_u32(&c.ranks).into(),
                copy_u8(&c.verdicts).into(),
                names.into(),
                copy_f64(&c.connected_at).into(),
            ];
            cols.push(&parts.iter().collect::<Array>());
        }
        let out = Array::new();
        out.push(&JsValue::from_str(&json));
        out.push(&cols);
        Some(out)
    }

    /// Every pending command, or `undefined`: `[json, lengths, kinds, reasons, handles]`, in
    /// command order by `kinds` (a `Uint8Array`). A `Disconnect` of a peer with a handle is
    /// that handle (the next one in `handles`, a `Uint32Array`) and its kind indexes its reason
    /// in `reasons`; any other command, and a disconnect of a peer that has already left, is
    /// its camelCase JSON (kind 255), the next part of `json` by `lengths` (UTF-16 units).
    /// A trim can issue thousands of disconnects: five boundary crossings for all of them, no
    /// peer id copied out, and a reason once per batch.
    #[wasm_bindgen(js_name = drainCommands)]
    pub fn drain_commands(&mut self) -> Option<Array> {
        const JSON: u8 = 255;
        let mut json = String::new();
        let mut lengths: Vec<u32> = Vec::new();
        let mut kinds: Vec<u8> = Vec::new();
        let mut reasons: Vec<DisconnectReason> = Vec::new();
        let mut handles: Vec<u32> = Vec::new();
        while let Some(command) = self.pm.poll_command() {
            if let Command::Disconnect { peer, reason } = &command {
                if let Some(h) = self.handles.get(peer) {
                    let at = reasons.iter().position(|r| r == reason).unwrap_or_else(|| {
                        reasons.push(*reason);
                        reasons.len() - 1
                    });
                    kinds.push(at as u8);
                    handles.push(h);
                    continue;
                }
            }
            kinds.push(JSON);
            let part = crate::js_json::camel_json(&command);
            json.push_str(&part);
            lengths.push(crate::js_events::utf16_len(&part));
        }
        if kinds.is_empty() {
            return None;
        }
        let out = Array::new();
        out.push(&JsValue::from_str(&json));
        out.push(&copy_u32(&lengths));
        out.push(&copy_u8(&kinds));
        out.push(&reasons.iter().map(|r| JsValue::from_str(r.as_str())).collect::<Array>());
        out.push(&copy_u32(&handles));
        Some(out)
    }

    /// When `handleTimeout` next has work, or `undefined`.
    #[wasm_bindgen(js_name = pollTimeout)]
    pub fn poll_timeout(&self) -> Option<f64> {
        self.pm.poll_timeout().map(|t| t as f64)
    }

    // ---- getters ------------------------------------------------------------------------

    #[wasm_bindgen(js_name = peerScore)]
    pub fn peer_score(&self, peer: &str) -> JsResult<f64> {
        Ok(self.pm.peer_score(&key("peerScore", peer)?))
    }

    #[wasm_bindgen(js_name = isProtected)]
    pub fn is_protected(&self, peer: &str, tag: Option<String>) -> JsResult<bool> {
        let key = key("isProtected", peer)?;
        if let Some(t) = &tag {
            args::nonempty("isProtected", "tag", t)?;
        }
        Ok(self.pm.is_protected(&key, tag.as_deref()))
    }

    /// The value of one tag (static or decaying), or `undefined`.
    #[wasm_bindgen(js_name = tagValue)]
    pub fn tag_value(&self, peer: &str, tag: &str) -> JsResult<Option<f64>> {
        let key = key("tagValue", peer)?;
        args::nonempty("tagValue", "tag", tag)?;
        Ok(self.pm.tag_value(&key, tag).map(|v| v as f64))
    }

    /// The peer's tags in creation order: `[{ name, value, decaying }]`.
    pub fn tags(&self, peer: &str) -> JsResult<Array> {
        let key = key("tags", peer)?;
        let out = Array::new();
        for (name, value, decaying) in self.pm.tags(&key) {
            let o = Object::new();
            let _ = Reflect::set(&o, &"name".into(), &JsValue::from_str(&name));
            let _ = Reflect::set(&o, &"value".into(), &JsValue::from_f64(value as f64));
            let _ = Reflect::set(&o, &"decaying".into(), &JsValue::from_bool(decaying));
            out.push(&o);
        }
        Ok(out)
    }

    #[wasm_bindgen(js_name = isConnected)]
    pub fn is_connected(&self, peer: &str) -> JsResult<bool> {
        Ok(self.pm.is_connected(&key("isConnected", peer)?))
    }

    #[wasm_bindgen(js_name = isClosing)]
    pub fn is_closing(&self, peer: &str) -> JsResult<bool> {
        Ok(self.pm.is_closing(&key("isClosing", peer)?))
    }

    #[wasm_bindgen(js_name = connectionCount)]
    pub fn connection_count(&self, peer: &str) -> JsResult<u32> {
        Ok(self.pm.connection_count(&key("connectionCount", peer)?) as u32)
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

    /// Format 3 (see `peerkeeper_core::snapshot`), stamped with the manager's clock.
    pub fn snapshot(&self) -> Uint8Array {
        Uint8Array::from(&self.pm.export_snapshot(self.pm.now())[..])
    }

    /// Replaces this manager's state with the snapshot's (formats 3 and 2, or the package's
    /// format 1); keeps this manager's config. Refused bytes leave the manager untouched.
    pub fn restore(&mut self, bytes: JsValue, now: f64) -> JsResult<()> {
        let Some(bytes) = bytes.dyn_ref::<Uint8Array>() else {
            return Err(args::type_error(&format!(
                "restore: bytes must be a Uint8Array, got {}",
                args::describe(&bytes)
            )));
        };
        let now = args::millis_value("restore", "now", now)?;
        snapshot::restore(&mut self.pm, &bytes.to_vec(), now)
            .map_err(|e| args::range_error(&format!("restore: {e}")))?;
        // The restored peers are new keys; commands about them carry their ids as text
        // until they connect again.
        self.handles.clear();
        Ok(())
    }
}

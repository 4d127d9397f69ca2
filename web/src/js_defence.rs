//! `RawPeerManager`'s defence side (issue 5): spam strikes and soft bans, the peer lifecycle
//! and dialling, the benchlist, epoch blocklists, rate limits and health. Objects cross as
//! camelCase JSON (see `js_json`).

use peerkeeper_core::blocklist::{Role, TransportFailure};
use peerkeeper_core::strikes::StrikeKind;
use wasm_bindgen::prelude::*;

use crate::js_args::{self as args, JsResult};
use crate::js_json::{camel_json, variant_name};
use crate::js_manager::{key, JsPeerManager, Key};
use crate::js_values::{self as values, ROLES, STRIKE_KINDS, TRANSPORT_FAILURES};

#[wasm_bindgen(js_class = RawPeerManager)]
impl JsPeerManager {
    // ---- lifecycle and dialling (with `trackLifecycle`) ---------------------------------

    #[wasm_bindgen(js_name = addPeer)]
    pub fn add_peer(&mut self, peer: &str, now: f64) -> JsResult<bool> {
        let key = key("addPeer", peer)?;
        let now = args::millis_value("addPeer", "now", now)?;
        Ok(self.pm.add_peer(&key, now))
    }

    #[wasm_bindgen(js_name = handshakeCompleted)]
    pub fn handshake_completed(&mut self, peer: &str, now: f64) -> JsResult<bool> {
        let key = key("handshakeCompleted", peer)?;
        Ok(self.pm.handshake_completed(&key, args::millis_value("handshakeCompleted", "now", now)?))
    }

    #[wasm_bindgen(js_name = syncStarted)]
    pub fn sync_started(&mut self, peer: &str, now: f64) -> JsResult<bool> {
        let key = key("syncStarted", peer)?;
        Ok(self.pm.sync_started(&key, args::millis_value("syncStarted", "now", now)?))
    }

    #[wasm_bindgen(js_name = syncFinished)]
    pub fn sync_finished(&mut self, peer: &str, now: f64) -> JsResult<bool> {
        let key = key("syncFinished", peer)?;
        Ok(self.pm.sync_finished(&key, args::millis_value("syncFinished", "now", now)?))
    }

    #[wasm_bindgen(js_name = dialFailed)]
    pub fn dial_failed(&mut self, peer: &str, now: f64) -> JsResult<bool> {
        let key = key("dialFailed", peer)?;
        Ok(self.pm.dial_failed(&key, args::millis_value("dialFailed", "now", now)?))
    }

    /// The lifecycle state's name, or `undefined`.
    #[wasm_bindgen(js_name = peerState)]
    pub fn peer_state(&self, peer: &str) -> JsResult<Option<String>> {
        Ok(self.pm.peer_state(&key("peerState", peer)?).map(|s| variant_name(&s)))
    }

    #[wasm_bindgen(js_name = nextDialAt)]
    pub fn next_dial_at(&self, peer: &str) -> JsResult<Option<f64>> {
        Ok(self.pm.next_dial_at(&key("nextDialAt", peer)?).map(|t| t as f64))
    }

    #[wasm_bindgen(js_name = dialsInFlight)]
    pub fn dials_in_flight(&self) -> u32 {
        self.pm.dials_in_flight() as u32
    }

    // ---- strikes and soft bans ----------------------------------------------------------

    /// JSON of the outcome: `{ type: 'not_counted' | 'counted' | 'soft_banned' |
    /// 'already_banned', ... }`.
    pub fn strike(&mut self, peer: &str, kind: &str, now: f64) -> JsResult<String> {
        const M: &str = "strike";
        let key = key(M, peer)?;
        let kind: StrikeKind = values::named(M, "kind", kind, STRIKE_KINDS)?;
        let now = args::millis_value(M, "now", now)?;
        Ok(camel_json(&self.pm.strike(&key, kind, now)))
    }

    #[wasm_bindgen(js_name = validPacket)]
    pub fn valid_packet(&mut self, peer: &str, now: f64) -> JsResult<()> {
        let key = key("validPacket", peer)?;
        self.pm.valid_packet(&key, args::millis_value("validPacket", "now", now)?);
        Ok(())
    }

    /// JSON of the ban: `{ since, until, reason }`.
    #[wasm_bindgen(js_name = softBan)]
    pub fn soft_ban(&mut self, peer: &str, reason: &str, now: f64) -> JsResult<String> {
        const M: &str = "softBan";
        let key = key(M, peer)?;
        args::nonempty(M, "reason", reason)?;
        let now = args::millis_value(M, "now", now)?;
        Ok(camel_json(&self.pm.soft_ban(&key, reason, now)))
    }

    pub fn strikes(&self, peer: &str) -> JsResult<u32> {
        Ok(self.pm.strikes(&key("strikes", peer)?))
    }

    /// JSON of the soft ban on the peer, or `undefined`.
    #[wasm_bindgen(js_name = softBanOf)]
    pub fn soft_ban_of(&self, peer: &str) -> JsResult<Option<String>> {
        Ok(self.pm.soft_ban_of(&key("softBanOf", peer)?).map(camel_json))
    }

    // ---- benchlist ----------------------------------------------------------------------

    #[wasm_bindgen(js_name = registerResponse)]
    pub fn register_response(&mut self, peer: &str, now: f64) -> JsResult<()> {
        let key = key("registerResponse", peer)?;
        self.pm.register_response(&key, args::millis_value("registerResponse", "now", now)?);
        Ok(())
    }

    #[wasm_bindgen(js_name = registerFailure)]
    pub fn register_failure(&mut self, peer: &str, now: f64) -> JsResult<()> {
        let key = key("registerFailure", peer)?;
        self.pm.register_failure(&key, args::millis_value("registerFailure", "now", now)?);
        Ok(())
    }

    #[wasm_bindgen(js_name = isBenched)]
    pub fn is_benched(&self, peer: &str) -> JsResult<bool> {
        Ok(self.pm.is_benched(&key("isBenched", peer)?))
    }

    // ---- blocklist ----------------------------------------------------------------------

    #[wasm_bindgen(js_name = setRole)]
    pub fn set_role(&mut self, peer: &str, role: &str) -> JsResult<bool> {
        let key = key("setRole", peer)?;
        let role: Role = values::named("setRole", "role", role, ROLES)?;
        Ok(self.pm.set_role(&key, role))
    }

    /// `'blocked'`, `'already_blocked'` or `'unknown_peer'`.
    pub fn block(&mut self, peer: &str, reason: &str, now: f64) -> JsResult<String> {
        const M: &str = "block";
        let key = key(M, peer)?;
        args::nonempty(M, "reason", reason)?;
        let now = args::millis_value(M, "now", now)?;
        Ok(variant_name(&self.pm.block(&key, reason, now)))
    }

    /// `peers`: an array of `{ peer, role }`. Returns the new epoch number.
    #[wasm_bindgen(js_name = epochTransition)]
    pub fn epoch_transition(&mut self, peers: JsValue, now: f64) -> JsResult<f64> {
        const M: &str = "epochTransition";
        let peers = values::epoch_peers(M, &peers)?;
        let now = args::millis_value(M, "now", now)?;
        let peers =
            peers.into_iter().map(|(p, role)| (Key::from(p.as_str()), role)).collect::<Vec<_>>();
        Ok(self.pm.epoch_transition(peers, now) as f64)
    }

    /// `'unblocked'`, `'still_blocked'`, `'still_blocked_disabled'` or `'not_pending'`.
    #[wasm_bindgen(js_name = probeResult)]
    pub fn probe_result(&mut self, peer: &str, ok: bool, now: f64) -> JsResult<String> {
        let key = key("probeResult", peer)?;
        let now = args::millis_value("probeResult", "now", now)?;
        Ok(variant_name(&self.pm.probe_result(&key, ok, now)))
    }

    /// Whether this failure disabled the peer.
    #[wasm_bindgen(js_name = transportFailure)]
    pub fn transport_failure(&mut self, peer: &str, kind: &str, now: f64) -> JsResult<bool> {
        const M: &str = "transportFailure";
        let key = key(M, peer)?;
        let kind: TransportFailure = values::named(M, "kind", kind, TRANSPORT_FAILURES)?;
        let now = args::millis_value(M, "now", now)?;
        Ok(self.pm.transport_failure(&key, kind, now))
    }

    #[wasm_bindgen(js_name = applicationError)]
    pub fn application_error(&mut self, peer: &str, status: f64, now: f64) -> JsResult<()> {
        const M: &str = "applicationError";
        let key = key(M, peer)?;
        let status = args::integer_value(M, "status", status, 0.0, u16::MAX as f64)? as u16;
        let now = args::millis_value(M, "now", now)?;
        self.pm.application_error(&key, status, now);
        Ok(())
    }

    #[wasm_bindgen(js_name = isBlocked)]
    pub fn is_blocked(&self, peer: &str) -> JsResult<bool> {
        Ok(self.pm.is_blocked(&key("isBlocked", peer)?))
    }

    #[wasm_bindgen(js_name = isHealthy)]
    pub fn is_healthy(&self, peer: &str) -> JsResult<bool> {
        Ok(self.pm.is_healthy(&key("isHealthy", peer)?))
    }

    #[wasm_bindgen(js_name = isDisabled)]
    pub fn is_disabled(&self, peer: &str) -> JsResult<bool> {
        Ok(self.pm.is_disabled(&key("isDisabled", peer)?))
    }

    #[wasm_bindgen(js_name = blocklistEpoch)]
    pub fn blocklist_epoch(&self) -> f64 {
        self.pm.blocklist_epoch() as f64
    }

    // ---- rate limits and health ---------------------------------------------------------

    /// JSON of `{ type: 'allow' }` or `{ type: 'deny', retryAt }`.
    #[wasm_bindgen(js_name = peerExchangeRequest)]
    pub fn peer_exchange_request(&mut self, peer: &str, now: f64) -> JsResult<String> {
        let key = key("peerExchangeRequest", peer)?;
        let now = args::millis_value("peerExchangeRequest", "now", now)?;
        Ok(camel_json(&self.pm.peer_exchange_request(&key, now)))
    }

    /// JSON of `{ type: 'allow' | 'deny_ip' | 'deny_global', retryAt? }`.
    #[wasm_bindgen(js_name = shouldUpgrade)]
    pub fn should_upgrade(&mut self, ip: &str, now: f64) -> JsResult<String> {
        let ip = values::ip("shouldUpgrade", ip)?;
        let now = args::millis_value("shouldUpgrade", "now", now)?;
        Ok(camel_json(&self.pm.should_upgrade(ip, now)))
    }

    /// JSON of `{ type: 'allow' }`, `{ type: 'delay_until', at }` or `{ type: 'drop', reason }`.
    #[wasm_bindgen(js_name = inboundMessage)]
    pub fn inbound_message(&mut self, peer: &str, bytes: f64, now: f64) -> JsResult<String> {
        const M: &str = "inboundMessage";
        let key = key(M, peer)?;
        let bytes = args::millis_value(M, "bytes", bytes)?;
        let now = args::millis_value(M, "now", now)?;
        Ok(camel_json(&self.pm.inbound_message(&key, bytes, now)))
    }

    #[wasm_bindgen(js_name = messageSent)]
    pub fn message_sent(&mut self, now: f64) -> JsResult<()> {
        self.pm.message_sent(args::millis_value("messageSent", "now", now)?);
        Ok(())
    }

    #[wasm_bindgen(js_name = sendFailed)]
    pub fn send_failed(&mut self, now: f64) -> JsResult<()> {
        self.pm.send_failed(args::millis_value("sendFailed", "now", now)?);
        Ok(())
    }

    /// JSON of the seed's health response plus `reasons`, the failing checks typed.
    pub fn health(&self, now: f64) -> JsResult<String> {
        let report = self.pm.health(args::millis_value("health", "now", now)?);
        let mut json = camel_json(&report);
        // `reasons` joins the object as its last key.
        if json.pop() == Some('}') {
            if !json.ends_with('{') {
                json.push(',');
            }
            json.push_str("\"reasons\":");
            json.push_str(&camel_json(report.reasons()));
            json.push('}');
        }
        Ok(json)
    }
}

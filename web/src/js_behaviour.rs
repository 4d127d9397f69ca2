//! `RawPeerManager`'s behaviour side (issue 4): reports and application scores, goodbyes,
//! behaviour bans, connection refusal and the peer views. Objects cross as camelCase JSON
//! (see `js_json`); the JS layer parses them.

use peerkeeper_core::DisconnectReason;
use wasm_bindgen::prelude::*;

use crate::js_args::{self as args, JsResult};
use crate::js_json::camel_json;
use crate::js_manager::{key, JsPeerManager};
use crate::js_values::{self as values, DISCONNECT_REASONS};

#[wasm_bindgen(js_class = RawPeerManager)]
impl JsPeerManager {
    /// `action`: a tier's name or a custom delta; `name`: what the peer did (the last-action
    /// record and the downscore reason come from it). Returns the behaviour score after it.
    #[wasm_bindgen(js_name = reportPeer)]
    pub fn report_peer(
        &mut self,
        peer: &str,
        action: JsValue,
        name: &str,
        now: f64,
    ) -> JsResult<f64> {
        const M: &str = "reportPeer";
        let key = key(M, peer)?;
        let action = values::peer_action(M, &action)?;
        args::nonempty(M, "name", name)?;
        let now = args::millis_value(M, "now", now)?;
        self.pm
            .report_peer(&key, action, name, now)
            .map_err(|e| args::range_error(&format!("{M}: {e}")))
    }

    #[wasm_bindgen(js_name = setApplicationScore)]
    pub fn set_application_score(&mut self, peer: &str, score: f64, now: f64) -> JsResult<()> {
        const M: &str = "setApplicationScore";
        let key = key(M, peer)?;
        if !score.is_finite() {
            return Err(args::range_error(&format!(
                "{M}: score must be a finite number, got {}",
                args::js_number(score)
            )));
        }
        let now = args::millis_value(M, "now", now)?;
        self.pm
            .set_application_score(&key, score, now)
            .map_err(|e| args::range_error(&format!("{M}: {e}")))
    }

    #[wasm_bindgen(js_name = setAgentVersion)]
    pub fn set_agent_version(&mut self, peer: &str, agent: &str) -> JsResult<()> {
        let key = key("setAgentVersion", peer)?;
        self.pm.set_agent_version(&key, agent.to_owned());
        Ok(())
    }

    #[wasm_bindgen(js_name = setAddress)]
    pub fn set_address(&mut self, peer: &str, address: &str) -> JsResult<()> {
        const M: &str = "setAddress";
        let key = key(M, peer)?;
        args::nonempty(M, "address", address)?;
        self.pm.set_address(&key, address.to_owned());
        Ok(())
    }

    /// Returns the reason the code stands for.
    #[wasm_bindgen(js_name = goodbyeReceived)]
    pub fn goodbye_received(&mut self, peer: &str, code: f64, now: f64) -> JsResult<String> {
        const M: &str = "goodbyeReceived";
        let key = key(M, peer)?;
        let code = args::millis_value(M, "code", code)?;
        let now = args::millis_value(M, "now", now)?;
        Ok(self.pm.goodbye_received(&key, code, now).as_str().to_owned())
    }

    #[wasm_bindgen(js_name = disconnectWithGoodbye)]
    pub fn disconnect_with_goodbye(
        &mut self,
        peer: &str,
        reason: &str,
        now: f64,
    ) -> JsResult<bool> {
        const M: &str = "disconnectWithGoodbye";
        let key = key(M, peer)?;
        let reason: DisconnectReason = values::named(M, "reason", reason, DISCONNECT_REASONS)?;
        let now = args::millis_value(M, "now", now)?;
        Ok(self.pm.disconnect_with_goodbye(&key, reason, now))
    }

    /// `undefined` if allowed, else the refusal as JSON (`{ type, until?, reason }`).
    #[wasm_bindgen(js_name = allowConnection)]
    pub fn allow_connection(&self, peer: &str, now: f64) -> JsResult<Option<String>> {
        const M: &str = "allowConnection";
        let key = key(M, peer)?;
        let now = args::millis_value(M, "now", now)?;
        Ok(self.pm.allow_connection(&key, now).err().map(|denied| camel_json(&denied)))
    }

    #[wasm_bindgen(js_name = isBanned)]
    pub fn is_banned(&self, peer: &str, now: f64) -> JsResult<bool> {
        let key = key("isBanned", peer)?;
        Ok(self.pm.is_banned(&key, args::millis_value("isBanned", "now", now)?))
    }

    #[wasm_bindgen(js_name = behaviourScore)]
    pub fn behaviour_score(&self, peer: &str, now: f64) -> JsResult<f64> {
        let key = key("behaviourScore", peer)?;
        Ok(self.pm.behaviour_score(&key, args::millis_value("behaviourScore", "now", now)?))
    }

    #[wasm_bindgen(js_name = applicationScore)]
    pub fn application_score(&self, peer: &str) -> JsResult<f64> {
        Ok(self.pm.application_score(&key("applicationScore", peer)?))
    }

    /// JSON of `{ reason, code, sent, at }`, or `undefined`.
    #[wasm_bindgen(js_name = lastDisconnect)]
    pub fn last_disconnect(&self, peer: &str) -> JsResult<Option<String>> {
        Ok(self.pm.last_disconnect(&key("lastDisconnect", peer)?).map(|r| camel_json(&r)))
    }

    /// JSON array of every known peer's view, in peer-id order.
    pub fn peers(&self, now: f64) -> JsResult<String> {
        Ok(camel_json(&self.pm.peers(args::millis_value("peers", "now", now)?)))
    }

    /// JSON of one peer's view, or `undefined` for an unknown peer.
    pub fn peer(&self, peer: &str, now: f64) -> JsResult<Option<String>> {
        let key = key("peer", peer)?;
        Ok(self.pm.peer(&key, args::millis_value("peer", "now", now)?).map(|p| camel_json(&p)))
    }

    /// JSON array of every known peer's score parts, in peer-id order.
    #[wasm_bindgen(js_name = scoreStats)]
    pub fn score_stats(&self, now: f64) -> JsResult<String> {
        Ok(camel_json(&self.pm.score_stats(args::millis_value("scoreStats", "now", now)?)))
    }

    /// The goodbye code a disconnect reason sends on the wire, if it has one.
    #[wasm_bindgen(js_name = goodbyeCode)]
    pub fn goodbye_code(reason: &str) -> JsResult<Option<f64>> {
        let reason: DisconnectReason =
            values::named("goodbyeCode", "reason", reason, DISCONNECT_REASONS)?;
        Ok(reason.goodbye_code().map(|c| c as f64))
    }
}

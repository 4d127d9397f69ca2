//! `RawPeerManager`'s fork side (issue 6): chain inputs of the fork view, alignment, fork
//! status, node mode and the stats lines. Without a fork view (no `fork` section in the
//! config) the inputs are ignored and the getters answer `undefined`, as in core.

use peerkeeper_core::fork::{BlockRef, Header};
use wasm_bindgen::prelude::*;

use crate::js_args::{self as args, JsResult};
use crate::js_json::{camel_json, variant_name};
use crate::js_manager::{key, JsPeerManager};
use crate::js_values as values;

/// The chain a manager follows from its construction: `{ head: Header, lib: BlockRef }`.
pub fn chain(v: &JsValue) -> JsResult<(Header, BlockRef)> {
    const M: &str = "PeerManager";
    if !v.is_object() {
        return Err(args::type_error(&format!(
            "{M}: config.chain must be an object with head and lib, got {}",
            args::describe(v)
        )));
    }
    let o: &js_sys::Object = v.unchecked_ref();
    let head = values::header(M, "config.chain.head", &args::field(o, "head"))?;
    let lib = values::block_ref(M, "config.chain.lib", &args::field(o, "lib"))?;
    if lib.number > head.number {
        return Err(args::range_error(&format!(
            "{M}: config.chain.lib.number must not exceed config.chain.head.number ({} > {})",
            lib.number, head.number
        )));
    }
    Ok((head, lib))
}

#[wasm_bindgen(js_class = RawPeerManager)]
impl JsPeerManager {
    #[wasm_bindgen(js_name = statusReceived)]
    pub fn status_received(&mut self, peer: &str, status: JsValue, now: f64) -> JsResult<()> {
        const M: &str = "statusReceived";
        let key = key(M, peer)?;
        let status = values::chain_status(M, &status)?;
        let now = args::millis_value(M, "now", now)?;
        self.pm.status_received(&key, status, now);
        Ok(())
    }

    /// `from`: the peer that relayed the block, or `undefined` for our own.
    #[wasm_bindgen(js_name = blockApplied)]
    pub fn block_applied(
        &mut self,
        header: JsValue,
        from: Option<String>,
        now: f64,
    ) -> JsResult<()> {
        const M: &str = "blockApplied";
        let header = values::header(M, "header", &header)?;
        let from = match from {
            Some(p) => Some(key(M, &p)?),
            None => None,
        };
        let now = args::millis_value(M, "now", now)?;
        self.pm.block_applied(header, from, now);
        Ok(())
    }

    #[wasm_bindgen(js_name = headersReceived)]
    pub fn headers_received(&mut self, peer: &str, headers: JsValue, now: f64) -> JsResult<()> {
        const M: &str = "headersReceived";
        let key = key(M, peer)?;
        let headers = values::headers(M, "headers", &headers)?;
        let now = args::millis_value(M, "now", now)?;
        self.pm.headers_received(&key, headers, now);
        Ok(())
    }

    #[wasm_bindgen(js_name = libAdvanced)]
    pub fn lib_advanced(&mut self, lib: JsValue, now: f64) -> JsResult<()> {
        const M: &str = "libAdvanced";
        let lib = values::block_ref(M, "lib", &lib)?;
        let now = args::millis_value(M, "now", now)?;
        self.pm.lib_advanced(lib, now);
        Ok(())
    }

    #[wasm_bindgen(js_name = forkMismatchReported)]
    pub fn fork_mismatch_reported(&mut self, peer: &str, now: f64) -> JsResult<()> {
        let key = key("forkMismatchReported", peer)?;
        self.pm
            .fork_mismatch_reported(&key, args::millis_value("forkMismatchReported", "now", now)?);
        Ok(())
    }

    /// `weight`: the peer's stake, or `undefined` to count it as 1.
    #[wasm_bindgen(js_name = setPeerWeight)]
    pub fn set_peer_weight(&mut self, peer: &str, weight: Option<f64>, now: f64) -> JsResult<()> {
        const M: &str = "setPeerWeight";
        let key = key(M, peer)?;
        let weight = match weight {
            Some(w) => Some(args::millis_value(M, "weight", w)?),
            None => None,
        };
        let now = args::millis_value(M, "now", now)?;
        self.pm.set_peer_weight(&key, weight, now);
        Ok(())
    }

    #[wasm_bindgen(js_name = setPaused)]
    pub fn set_paused(&mut self, paused: bool, now: f64) -> JsResult<()> {
        self.pm.set_paused(paused, args::millis_value("setPaused", "now", now)?);
        Ok(())
    }

    #[wasm_bindgen(js_name = isAligned)]
    pub fn is_aligned(&self, peer: &str) -> JsResult<bool> {
        Ok(self.pm.is_aligned(&key("isAligned", peer)?))
    }

    /// `'normal'`, `'looking'` or `'minority'`; `undefined` without a fork view.
    #[wasm_bindgen(js_name = forkStatus)]
    pub fn fork_status(&self) -> Option<String> {
        self.pm.fork_status().map(|s| variant_name(&s))
    }

    /// `'sync'` or `'forward'`; `undefined` without a fork view.
    #[wasm_bindgen(js_name = nodeMode)]
    pub fn node_mode(&self) -> Option<String> {
        self.pm.node_mode().map(|m| variant_name(&m))
    }

    #[wasm_bindgen(js_name = statusLine)]
    pub fn status_line(&self, now: f64) -> JsResult<Option<String>> {
        Ok(self.pm.status_line(args::millis_value("statusLine", "now", now)?))
    }

    #[wasm_bindgen(js_name = statsLines)]
    pub fn stats_lines(&self, now: f64) -> JsResult<Option<String>> {
        Ok(self.pm.stats_lines(args::millis_value("statsLines", "now", now)?))
    }

    /// JSON of `{ node, peers }`, the data behind the stats lines; `undefined` without a fork
    /// view.
    pub fn stats(&self, now: f64) -> JsResult<Option<String>> {
        let stats = self.pm.stats(args::millis_value("stats", "now", now)?);
        Ok(stats.map(|(node, peers)| {
            format!("{{\"node\":{},\"peers\":{}}}", camel_json(&node), camel_json(&peers))
        }))
    }
}

//! One callback on the next animation frame: every driver batches its updates into at most
//! one render per frame through this.

use wasm_bindgen::{closure::Closure, JsCast};

/// Runs `f` with the frame's timestamp (ms) before the next repaint.
pub fn next_frame(f: impl FnOnce(f64) + 'static) {
    let cb = Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(cb.unchecked_ref());
    }
}

/// Milliseconds since the page loaded (monotonic enough for display; never `Instant::now`).
pub fn page_ms() -> f64 {
    thread_local! {
        static START: f64 = js_sys::Date::now();
    }
    START.with(|s| js_sys::Date::now() - s)
}

/// Replaces the URL's query (no reload, no history entry): teaching links to a step.
pub fn replace_query(query: &str) {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(query));
    }
}

pub fn query() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

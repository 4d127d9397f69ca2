//! Works around rust-libp2p issue #6551 (open as of libp2p 0.57): the browser transports drop
//! their event-handler closures when a stream or connection ends, while the browser still holds
//! the handler and may dispatch an event that was already queued (a data channel's `close`,
//! a late `message`). wasm-bindgen then throws "closure invoked recursively or after being
//! dropped" as an uncaught page error. Every short identify or ping stream over WebRTC-direct
//! hits it.
//!
//! The guard wraps the handler setters of the affected browser objects. A handler whose Rust
//! closure is gone detaches itself and swallows only that one error; anything else still
//! throws. DOM events are dispatched asynchronously, so the "recursively" half of the message
//! cannot occur through these handlers. Remove once the upstream fix ships.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
const DROPPED = 'closure invoked recursively or after being dropped';
const TARGETS = {
  RTCDataChannel: ['onopen', 'onclose', 'onmessage', 'onbufferedamountlow', 'onerror'],
  RTCPeerConnection: ['ondatachannel', 'onicecandidate', 'onconnectionstatechange'],
  WebSocket: ['onopen', 'onclose', 'onmessage', 'onerror'],
  WebTransport: [],
};
const MARK = Symbol.for('peerkeeper.callbackGuard');

export function install_callback_guard() {
  if (globalThis[MARK]) return 0;
  let wrapped = 0;
  for (const [name, props] of Object.entries(TARGETS)) {
    const proto = globalThis[name] && globalThis[name].prototype;
    if (!proto) continue;
    for (const prop of props) {
      const desc = Object.getOwnPropertyDescriptor(proto, prop);
      if (!desc || !desc.set || !desc.get) continue;
      const originals = new WeakMap();
      Object.defineProperty(proto, prop, {
        configurable: true,
        enumerable: desc.enumerable,
        get() {
          const current = desc.get.call(this);
          return (current && originals.get(current)) || current;
        },
        set(handler) {
          if (typeof handler !== 'function') return desc.set.call(this, handler);
          const target = this;
          const guarded = function (event) {
            try {
              return handler.call(this, event);
            } catch (e) {
              if (e instanceof Error && e.message === DROPPED) {
                if (desc.get.call(target) === guarded) desc.set.call(target, null);
                return undefined;
              }
              throw e;
            }
          };
          originals.set(guarded, handler);
          desc.set.call(this, guarded);
        },
      });
      wrapped += 1;
    }
  }
  globalThis[MARK] = true;
  return wrapped;
}
"#)]
extern "C" {
    /// Installs the guard once per page; returns how many setters it wrapped (0 if already
    /// installed).
    pub fn install_callback_guard() -> u32;
}

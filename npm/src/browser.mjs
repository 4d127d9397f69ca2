// Browsers and bundlers: wasm-bindgen's `web` build, fetched next to this file
// (`new URL(..., import.meta.url)`, which bundlers rewrite to the emitted asset) and
// instantiated before the module finishes loading, so the API is ready on import.
import init, * as raw from './wasm-web/peerkeeper_web.js';
import { bind } from './api.mjs';

await init();
const api = bind(raw);

export const { PeerManager, decay, bump, version, goodbyeCode } = api;
export default api;

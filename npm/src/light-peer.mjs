// Browsers only: the light peer, a rust-libp2p node (WebRTC-direct, WebTransport, WebSocket)
// whose connections the peerkeeper engine manages. A wasm of its own (`wasm-light/`), so an
// app that imports only `peerkeeper` never downloads libp2p.
import init, { RawLightPeer } from './wasm-light/peerkeeper_web.js';

await init();

/** `dial_failed` -> `dialFailed`. */
const camel = (snake) => snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

const describe = (v) => (typeof v === 'string' ? JSON.stringify(v) : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : String(v));

function str(method, arg, v) {
  if (typeof v !== 'string') throw new TypeError(`${method}: ${arg} must be a string, got ${describe(v)}`);
}

export class LightPeer extends EventTarget {
  #raw;

  /** Starts the swarm with a fresh identity. `config`: `{ lowWater, highWater, gracePeriod, silencePeriod }`. */
  constructor(config) {
    super();
    this.#raw = new RawLightPeer(config, (json) => {
      const event = JSON.parse(json);
      event.type = camel(event.type);
      this.dispatchEvent(new CustomEvent(event.type, { detail: event }));
    });
  }

  /** This node's peer id. */
  get peerId() { return this.#raw.peerId; }

  /** Dials a multiaddr; the outcome arrives as `connected` or `dialFailed`. */
  dial(address) {
    str('dial', 'address', address);
    this.#raw.dial(address);
  }

  /** Exempts a peer from trims under `tag`. */
  protect(peer, tag) {
    str('protect', 'peer', peer); str('protect', 'tag', tag);
    this.#raw.protect(peer, tag);
  }

  // The controls below check their own arguments in the wasm (TypeError for a wrong type,
  // RangeError for a bad value, each naming the argument); the engine's answer arrives as an
  // event (`unprotected`, `tagged`, `tagRemoved`, `reported`, ...).

  /** Removes one protection tag. */
  unprotect(peer, tag) { this.#raw.unprotect(peer, tag); }

  /** Sets a static tag to a safe integer value. */
  tag(peer, tag, value) { this.#raw.tag(peer, tag, value); }

  /** Removes a static tag. */
  untag(peer, tag) { this.#raw.untag(peer, tag); }

  /** Reports `action` (`fatal`, `low_tolerance`, `mid_tolerance`, `high_tolerance`) against a peer, recorded as `name`. */
  report(peer, action, name) { this.#raw.report(peer, action, name); }

  /** Closes every connection to a connected peer; rejects with a RangeError otherwise. */
  disconnect(peer) { return this.#raw.disconnect(peer); }

  /** Changes `{ lowWater, highWater, gracePeriod, silencePeriod }` while running (absent fields keep their value); resolves to whether a trim follows. */
  setTrimSettings(settings) { return this.#raw.setTrimSettings(settings); }

  /** The engine's view of every peer it knows. */
  engineView() { return this.#raw.engineView(); }
}

export default { LightPeer };

// Type declarations for `peerkeeper/light-peer` (browsers only).

/** The light peer's engine settings. */
export interface LightPeerConfig {
  /** Peers kept after a trim. Default 6. */
  lowWater?: number;
  /** A new connection beyond this many peers triggers a trim. Default 8. */
  highWater?: number;
  /** New connections are exempt from trims for this long (ms). Default 2 000. */
  gracePeriod?: number;
  /** Minimum time between trims (ms). Default 1 000. */
  silencePeriod?: number;
}

export interface DialingEvent { type: 'dialing'; address: string }
/** `address` is empty when the swarm did not say which address failed. */
export interface DialFailedEvent { type: 'dialFailed'; address: string; error: string }
export interface LightConnectedEvent { type: 'connected'; peerId: string; transport: string; address: string }
export interface LightDisconnectedEvent { type: 'disconnected'; peerId: string; transport: string; cause: string | null }
export interface IdentifiedEvent { type: 'identified'; peerId: string; agentVersion: string; protocolVersion: string }
export interface PingEvent { type: 'ping'; peerId: string; rttMs: number }
/** The engine trimmed: every counted peer with its verdict, closed ones first in closing order. */
export interface LightTrimmedEvent {
  type: 'trimmed'; atMs: number; trigger: string; connected: number; target: number; shortfall: number;
  entries: { peerId: string; score: number; rank: number | null; verdict: string; closed: boolean }[];
}

export interface LightPeerEventMap {
  dialing: CustomEvent<DialingEvent>;
  dialFailed: CustomEvent<DialFailedEvent>;
  connected: CustomEvent<LightConnectedEvent>;
  disconnected: CustomEvent<LightDisconnectedEvent>;
  identified: CustomEvent<IdentifiedEvent>;
  ping: CustomEvent<PingEvent>;
  trimmed: CustomEvent<LightTrimmedEvent>;
}

/**
 * A rust-libp2p node in the page (WebRTC-direct, WebTransport, WebSocket) whose connections the
 * peerkeeper engine manages. One per page. Bad arguments throw a TypeError or RangeError
 * naming them.
 */
export class LightPeer extends EventTarget {
  constructor(config?: LightPeerConfig);
  readonly peerId: string;
  /** Dials a multiaddr (with or without `/p2p/<id>`); the outcome arrives as an event. */
  dial(address: string): void;
  /** Exempts `peer` from trims under `tag`. */
  protect(peer: string, tag: string): void;
  addEventListener<K extends keyof LightPeerEventMap>(type: K, listener: (event: LightPeerEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}

declare const api: { LightPeer: typeof LightPeer };
export default api;

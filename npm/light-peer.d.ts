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

/** The trim settings as the engine holds them (times in ms). */
export interface TrimSettingsView { lowWater: number; highWater: number; gracePeriodMs: number; silencePeriodMs: number }
export interface SettingsChangedEvent { type: 'settingsChanged'; settings: TrimSettingsView; trimmed: boolean; atMs: number }
export interface TaggedEvent { type: 'tagged'; peerId: string; tag: string; value: number; decaying: boolean; atMs: number }
/** `cause`: `removed`, `decayed`, `bumped_to_zero` or `expired_inactive`. */
export interface TagRemovedEvent { type: 'tagRemoved'; peerId: string; tag: string; cause: string; atMs: number }
export interface ProtectedEvent { type: 'protected'; peerId: string; tag: string; atMs: number }
export interface UnprotectedEvent { type: 'unprotected'; peerId: string; tag: string; stillProtected: boolean; atMs: number }
/** `delta` as applied after clamping; `score` is the behaviour score after it. */
export interface ReportedEvent { type: 'reported'; peerId: string; action: string; name: string; delta: number; score: number; atMs: number }
export interface BannedEvent { type: 'banned'; peerId: string; reason: string; untilMs: number; atMs: number }
/** The engine closes the peer, and why (`too_many_peers`, `client_shutdown`, `banned` ...). */
export interface DroppedEvent { type: 'dropped'; peerId: string; reason: string; atMs: number }

/** One peer as the engine sees it. */
export interface EnginePeerView {
  peerId: string;
  /** `connected`, `disconnecting`, `disconnected` or `banned`. */
  state: string;
  direction: 'inbound' | 'outbound' | null;
  agentVersion: string | null;
  score: number; tagScore: number; behaviourScore: number; applicationScore: number;
  tags: { name: string; value: number; decaying: boolean }[];
  protected: boolean;
  /** `null` when no chain is followed. */
  aligned: boolean | null;
  strikes: number;
  redialInMs: number | null;
  banRemainingMs: number | null;
  lastAction: string | null;
  disconnectReason: string | null;
}
export interface EngineView { atMs: number; settings: TrimSettingsView; connected: number; peers: EnginePeerView[] }

export type ReportAction = 'fatal' | 'low_tolerance' | 'mid_tolerance' | 'high_tolerance';

export interface LightPeerEventMap {
  dialing: CustomEvent<DialingEvent>;
  dialFailed: CustomEvent<DialFailedEvent>;
  connected: CustomEvent<LightConnectedEvent>;
  disconnected: CustomEvent<LightDisconnectedEvent>;
  identified: CustomEvent<IdentifiedEvent>;
  ping: CustomEvent<PingEvent>;
  trimmed: CustomEvent<LightTrimmedEvent>;
  dropped: CustomEvent<DroppedEvent>;
  settingsChanged: CustomEvent<SettingsChangedEvent>;
  tagged: CustomEvent<TaggedEvent>;
  tagRemoved: CustomEvent<TagRemovedEvent>;
  protected: CustomEvent<ProtectedEvent>;
  unprotected: CustomEvent<UnprotectedEvent>;
  reported: CustomEvent<ReportedEvent>;
  banned: CustomEvent<BannedEvent>;
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
  /** Removes one protection tag; an `unprotected` event says whether others remain. */
  unprotect(peer: string, tag: string): void;
  /** Sets a static tag (a safe integer value); a `tagged` event follows. */
  tag(peer: string, tag: string, value: number): void;
  /** Removes a static tag; a `tagRemoved` event follows if it was there. */
  untag(peer: string, tag: string): void;
  /** Reports an action against the peer (recorded as `name`, default `"report"`); `reported`, then `banned`/`dropped` at the thresholds. */
  report(peer: string, action: ReportAction, name?: string): void;
  /** Closes every connection to the peer (reason `client_shutdown`); rejects with a RangeError if it is not connected. */
  disconnect(peer: string): Promise<void>;
  /** Changes the trim settings while running (absent fields keep their value); resolves to whether a trim follows. A bad set rejects with a RangeError naming the field. */
  setTrimSettings(settings: LightPeerConfig): Promise<boolean>;
  /** The engine's view of every peer it knows. */
  engineView(): Promise<EngineView>;
  addEventListener<K extends keyof LightPeerEventMap>(type: K, listener: (event: LightPeerEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}

declare const api: { LightPeer: typeof LightPeer };
export default api;

// Type declarations for `peerkeeper`. Times and durations are milliseconds (integers, from any
// epoch you choose); tag values are safe integers. Every method checks its arguments and throws
// a `TypeError` (wrong type) or `RangeError` (NaN, fractional, negative, out of range, unknown
// name) that names the method and the argument; a rejected call changes nothing.

/** Settings; every field is optional and defaults as documented. */
export interface PeerManagerConfig {
  /** Peer count a trim brings the connected set down to. Default 160. */
  lowWater?: number;
  /** Connected-peer count that may be reached but not exceeded; a new peer beyond it triggers a trim. At least 1 and at least `lowWater`. Default 192. */
  highWater?: number;
  /** How long a newly connected peer is immune from trimming (ms). Default 60 000. */
  gracePeriod?: number;
  /** Minimum gap between two trims (ms); a trim requested sooner is deferred, never dropped. Default 10 000. */
  silencePeriod?: number;
  /** Granularity of the decay clock (ms, at least 1); decay intervals round up to it. Default 1 000. */
  decayResolution?: number;
  /** Score added while a peer has an outbound connection. Default 0. */
  outboundBonus?: number;
  /** How long a departed (or never-connected) peer's tags and protections are kept (ms). Default 3 600 000. */
  retentionMs?: number;
  /** Most departed peers remembered at once; the longest-waiting is forgotten first. Default 1 024. */
  maxRetainedPeers?: number;
  /** Seed of the engine's hash (pass a random value if peer ids are adversarial). */
  hashSeed?: number | bigint;
}

/** Constructor options: the config plus the wrapper's own switches. */
export interface PeerManagerOptions extends PeerManagerConfig {
  /**
   * Run on the manager's own clock: every `now` argument becomes optional (defaults to
   * `Date.now()`), events and commands are delivered automatically, and a timer calls
   * `handleTimeout` when `pollTimeout()` says. Default false.
   */
  autoClock?: boolean;
}

/** The config in effect, every default filled in. */
export interface ResolvedConfig extends Required<Omit<PeerManagerConfig, 'hashSeed'>> {
  hashSeed: bigint;
}

export type Direction = 'inbound' | 'outbound';

/** A decay function: how a decaying tag loses value at each interval. */
export type DecaySpec =
  | 'none'
  | { kind: 'none' }
  /** Subtract `amount` each interval. */
  | { kind: 'fixed'; amount: number }
  /** `value = floor(value * coef)` each interval, `coef` in [0, 1]. */
  | { kind: 'linear'; coef: number }
  /** Keep the value; remove the tag once it has not been bumped for `after` ms. */
  | { kind: 'expire_when_inactive'; after: number };

/** How `bumpDecayingTag` combines the current value with a delta. */
export type BumpSpec =
  | 'sum'
  | 'overwrite'
  | { kind: 'sum' }
  | { kind: 'overwrite' }
  /** `value + delta`, clamped into [min, max]. */
  | { kind: 'sum_bounded'; min: number; max: number };

export type DisconnectReason =
  | 'client_shutdown' | 'irrelevant_network' | 'io_error' | 'unviable_fork' | 'too_many_peers'
  | 'bad_score' | 'banned' | 'inbound_disconnect' | 'unknown';
export type TrimTrigger = 'high_water_crossed' | 'explicit' | 'deferred_after_silence';
export type Verdict =
  | 'kept_protected' | 'kept_in_grace' | 'kept_above_cut' | 'closed_lowest_score' | 'closed_tie_oldest';
export type RemovalCause = 'removed' | 'decayed' | 'bumped_to_zero' | 'expired_inactive';

/** One peer's line in a trim report. */
export interface TrimEntry {
  peer: string;
  score: number;
  /** Position in closing order among eligible peers (1 = first closed); null for protected and in-grace peers. */
  rank: number | null;
  verdict: Verdict;
  /** When the peer's current connection run began. */
  connectedAt: number;
}

/** The full account of one trim. */
export interface TrimReport {
  trigger: TrimTrigger;
  /** Connected peers when the trim started. */
  connected: number;
  /** The count aimed for: `lowWater`. */
  target: number;
  closed: number;
  /** How many more would have had to close to reach `target`. */
  shortfall: number;
  /** Lowest score among eligible peers that were kept; null if none were. */
  cutScore: number | null;
  /** Every connected peer, in peer-book order (sort by `rank` for closing order). */
  entries: TrimEntry[];
}

/** The one command: close every connection to `peer`, then report each with `disconnected`. */
export interface DisconnectCommand { type: 'disconnect'; peer: string; reason: DisconnectReason }
export type PeerCommand = DisconnectCommand;

/** A connection opened; `connections` is the peer's count after it. */
export interface ConnectedEvent { type: 'connected'; peer: string; conn: number; direction: Direction; connections: number; at: number }
/** A connection closed; `connections` is the peer's count after it. */
export interface DisconnectedEvent { type: 'disconnected'; peer: string; conn: number; connections: number; at: number }
/** A tag was created or set (not bumped or decayed); `old` is null for a new tag. */
export interface TagSetEvent { type: 'tagSet'; peer: string; tag: string; old: number | null; new: number; decaying: boolean; at: number }
/** A decaying tag was bumped. */
export interface TagBumpedEvent { type: 'tagBumped'; peer: string; tag: string; old: number; new: number; at: number }
/** A decaying tag lost value at an interval boundary. */
export interface TagDecayedEvent { type: 'tagDecayed'; peer: string; tag: string; old: number; new: number; at: number }
/** A tag is gone; `old` is its last value. */
export interface TagRemovedEvent { type: 'tagRemoved'; peer: string; tag: string; old: number; cause: RemovalCause; at: number }
export interface ProtectedEvent { type: 'protected'; peer: string; tag: string; at: number }
export interface UnprotectedEvent { type: 'unprotected'; peer: string; tag: string; stillProtected: boolean; at: number }
/** A trim was requested inside the silence period and will run at `until`. */
export interface TrimDeferredEvent { type: 'trimDeferred'; until: number; at: number }
/** A trim ran; the report explains every connected peer's fate. */
export interface TrimEvent { type: 'trim'; report: TrimReport; at: number }
/** A departed peer's record (tags, protections) was dropped. */
export interface PeerForgottenEvent { type: 'peerForgotten'; peer: string; at: number }

export type PeerEvent =
  | ConnectedEvent | DisconnectedEvent | TagSetEvent | TagBumpedEvent | TagDecayedEvent
  | TagRemovedEvent | ProtectedEvent | UnprotectedEvent | TrimDeferredEvent | TrimEvent
  | PeerForgottenEvent;

/** Every command and event by the name it is dispatched under. */
export interface PeerManagerEventMap {
  disconnect: CustomEvent<DisconnectCommand>;
  connected: CustomEvent<ConnectedEvent>;
  disconnected: CustomEvent<DisconnectedEvent>;
  tagSet: CustomEvent<TagSetEvent>;
  tagBumped: CustomEvent<TagBumpedEvent>;
  tagDecayed: CustomEvent<TagDecayedEvent>;
  tagRemoved: CustomEvent<TagRemovedEvent>;
  protected: CustomEvent<ProtectedEvent>;
  unprotected: CustomEvent<UnprotectedEvent>;
  trimDeferred: CustomEvent<TrimDeferredEvent>;
  trim: CustomEvent<TrimEvent>;
  peerForgotten: CustomEvent<PeerForgottenEvent>;
}

/** A tag as `tags(peer)` lists it. */
export interface TagInfo { name: string; value: number; decaying: boolean }

/**
 * A connection manager that does no I/O: report connections and tag peers, and carry out the
 * `disconnect` commands it issues. Either drive it yourself (`pollCommand`, `pollEvent`,
 * `pollTimeout`, `handleTimeout`) or listen (`addEventListener`, `for await ... of`), which
 * makes it deliver everything by itself on a microtask; don't mix the two. With
 * `autoClock: true` it also keeps its own time.
 */
export class PeerManager extends EventTarget implements AsyncIterable<PeerEvent | PeerCommand> {
  /** Refuses a bad config with a TypeError/RangeError naming the field (`config.lowWater`). */
  constructor(config?: PeerManagerOptions);

  /** A connection opened. The peer's first starts its grace period; crossing `highWater` triggers a trim. */
  connected(peer: string, conn: number, direction: Direction, now?: number): void;
  /** A connection closed; false if the manager did not know it. */
  disconnected(peer: string, conn: number, now?: number): boolean;
  /** Runs what is due at `now`: decays, a deferred trim, forgetting departed peers. */
  handleTimeout(now?: number): void;
  /** Trims down to `lowWater` now (or at the end of the silence period). */
  trim(now?: number): void;
  /** Sets a static tag, replacing any tag of that name. */
  tagPeer(peer: string, tag: string, value: number): void;
  /** Removes a static tag; whether there was one. */
  untagPeer(peer: string, tag: string): boolean;
  /** Sets a static tag to `fn(current)` (current: the tag's value, or 0). If `fn` throws, nothing changes. */
  upsertTag(peer: string, tag: string, fn: (current: number) => number): void;
  /**
   * Sets a decaying tag, replacing any tag of that name. `interval` rounds up to
   * `decayResolution`; the first decay is at `now + interval` rounded up to that grid. A value
   * of 0 or less removes the tag.
   */
  tagPeerDecaying(peer: string, tag: string, value: number, interval: number, decay: DecaySpec, now?: number, bump?: BumpSpec): void;
  /** Bumps a live decaying tag; false (and nothing happens) if there is none. */
  bumpDecayingTag(peer: string, tag: string, delta: number, now?: number): boolean;
  /** Removes a decaying tag; whether there was one. */
  removeDecayingTag(peer: string, tag: string): boolean;
  /** Protects the peer from trimming under reason `tag` (a peer holds any number). */
  protect(peer: string, tag: string): void;
  /** Withdraws one reason; whether the peer is still protected by others. */
  unprotect(peer: string, tag: string): boolean;

  /** The next event, oldest first, or undefined. */
  pollEvent(): PeerEvent | undefined;
  /** The next command, oldest first, or undefined. */
  pollCommand(): PeerCommand | undefined;
  /** When `handleTimeout` next has work, or undefined. */
  pollTimeout(): number | undefined;

  /** Static tags + live decaying tags + the outbound bonus; 0 for an unknown peer. */
  peerScore(peer: string): number;
  /** Whether the peer holds reason `tag`, or any reason without one. */
  isProtected(peer: string, tag?: string): boolean;
  /** One tag's value, or undefined. */
  tagValue(peer: string, tag: string): number | undefined;
  /** The peer's tags in creation order. */
  tags(peer: string): TagInfo[];
  /** Has a connection and no trim is closing it. */
  isConnected(peer: string): boolean;
  /** A trim chose it and its connections have not all closed. */
  isClosing(peer: string): boolean;
  connectionCount(peer: string): number;
  /** Peers counted toward the watermarks. */
  connectedCount(): number;
  /** Those peers, in peer-book order. */
  connectedPeers(): string[];
  /** Every peer with a record: connected, closing or remembered. */
  knownPeerCount(): number;
  /** The latest time the manager has been given. */
  readonly now: number;
  readonly config: ResolvedConfig;
  readonly autoClock: boolean;

  /**
   * Versioned bytes holding every remembered peer's tags (decaying ones with their functions)
   * and protection reasons. Not (yet) connections, decay phase, scores from behaviour, bans
   * or backoff: see the README.
   */
  snapshot(): Uint8Array;
  /**
   * Replaces the peer state with a snapshot's (keeps this manager's config). Corrupt,
   * foreign or newer-version bytes throw a RangeError and change nothing.
   */
  restore(bytes: Uint8Array): void;

  /** Delivers all queued commands then events now; returns how many. */
  flush(): number;
  /** Every command and event from now on, in order, until `close()`. */
  events(): AsyncIterableIterator<PeerEvent | PeerCommand>;
  [Symbol.asyncIterator](): AsyncIterableIterator<PeerEvent | PeerCommand>;
  /** Stops the clock's timer and ends every iterator; inputs still work, with explicit times. */
  close(): void;
  /** Closes the manager and releases the engine's memory now (otherwise after garbage collection); any later call throws an Error. */
  free(): void;

  addEventListener<K extends keyof PeerManagerEventMap>(type: K, listener: (event: PeerManagerEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof PeerManagerEventMap>(type: K, listener: (event: PeerManagerEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/** Decay function constructors: `decay.fixed(20)` is `{ kind: 'fixed', amount: 20 }`. */
export declare const decay: {
  none(): { kind: 'none' };
  fixed(amount: number): { kind: 'fixed'; amount: number };
  linear(coef: number): { kind: 'linear'; coef: number };
  expireWhenInactive(after: number): { kind: 'expire_when_inactive'; after: number };
};

/** Bump function constructors. */
export declare const bump: {
  sum(): { kind: 'sum' };
  sumBounded(min: number, max: number): { kind: 'sum_bounded'; min: number; max: number };
  overwrite(): { kind: 'overwrite' };
};

/** The package version, e.g. "0.1.0". */
export declare function version(): string;

declare const api: { PeerManager: typeof PeerManager; decay: typeof decay; bump: typeof bump; version: typeof version };
export default api;

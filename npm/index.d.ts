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
  /**
   * Run each peer's lifecycle and dial peers: connect/handshake timeouts, `dial` commands with
   * reconnect backoff, the isolation reset, forgetting silent peers. Default false (a plain
   * connection manager gets no timeouts or dials it did not ask for).
   */
  trackLifecycle?: boolean;
  /** Behaviour scoring: range, thresholds, half-life, ban duration, tier deltas, weights. */
  behaviour?: Partial<BehaviourConfig>;
  /** Spam strikes and soft bans. */
  strikes?: Partial<StrikesConfig>;
  /** Connect/handshake timeouts and forgetting (with `trackLifecycle`). */
  lifecycle?: Partial<LifecycleConfig>;
  /** Reconnect backoff, dials in flight, the isolation reset (with `trackLifecycle`). */
  backoff?: Partial<BackoffConfig>;
  /** Benching peers that keep failing requests. */
  benchlist?: Partial<BenchlistConfig>;
  /** Blocklists across epochs and transport-failure health. */
  blocklist?: Partial<BlocklistConfig>;
  /** Peer-exchange requests per peer per sliding window. */
  peerExchange?: Partial<PeerExchangeConfig>;
  /** Inbound connection upgrades per IP and globally. */
  upgrades?: Partial<UpgradesConfig>;
  /** Inbound message byte and count buckets per peer. */
  inbound?: Partial<InboundConfig>;
  /** Network health thresholds. */
  health?: Partial<HealthConfig>;
  /**
   * Follow a chain (the fork view): `networkId` and `forkDigest` are required, and so is
   * `chain`, the head and LIB the manager starts from. Without it every peer counts as aligned
   * and the fork inputs are ignored.
   */
  fork?: Partial<ForkConfig> & { networkId: number; forkDigest: string };
  /** Our chain when the manager is built; required with `fork`, refused without it. */
  chain?: { head: Header; lib: BlockRef };
}

/** `config.behaviour`; scores are plain numbers, times ms. */
export interface BehaviourConfig {
  /** Lowest behaviour score. Default -100. */
  minScore: number;
  /** Highest behaviour score. Default 100. */
  maxScore: number;
  /** At or below this total a connected peer is disconnected (`bad_score`). Default -20. */
  disconnectThreshold: number;
  /** At or below this total a peer is banned. Default -50. */
  banThreshold: number;
  /** Half-life of the behaviour score's decay toward 0 (ms). Default 600 000. */
  halfLifeMs: number;
  /** How long a ban lasts (ms). Default 1 800 000. */
  banDurationMs: number;
  /** Delta of a `low_tolerance` report. Default -10. */
  lowToleranceDelta: number;
  /** Delta of a `mid_tolerance` report. Default -5. */
  midToleranceDelta: number;
  /** Delta of a `high_tolerance` report. Default -1. */
  highToleranceDelta: number;
  /** Weight of the behaviour score in the total. Default 1. */
  behaviourWeight: number;
  /** Weight of the application score in the total. Default 1. */
  applicationWeight: number;
  /** Most last-disconnect records kept. Default 1 024. */
  maxDisconnectRecords: number;
}
/** `config.strikes`. */
export interface StrikesConfig {
  /** Counting strikes that soft-ban a peer. Default 10. */
  threshold: number;
  /** Soft-ban length (ms). Default 3 600 000. */
  banDuration: number;
}
/** `config.lifecycle` (ms). */
export interface LifecycleConfig { connectTimeout: number; handshakeTimeout: number; forgetAfter: number }
/** `config.backoff` (ms, except `maxDialsInFlight`). */
export interface BackoffConfig {
  initialBackoff: number; maxBackoff: number; stableAfter: number; maxDialsInFlight: number; isolationAfter: number;
}
/** `config.benchlist` (probabilities and fractions in [0, 1], times ms). */
export interface BenchlistConfig {
  halfLife: number; benchProbability: number; unbenchProbability: number; benchDuration: number; maxBenchedFraction: number;
}
/** `config.blocklist`. */
export interface BlocklistConfig { maxConsecutiveTransportFailures: number }
/** `config.peerExchange`: at most `maxRequests` per `window` ms. */
export interface PeerExchangeConfig { maxRequests: number; window: number }
/** `config.upgrades` (ms, except `globalMax`). */
export interface UpgradesConfig { perIpCooldown: number; globalMax: number; globalWindow: number }
/** `config.inbound`. */
export interface InboundConfig {
  bytesPerSec: number; byteBurst: number; messagesPerSec: number; messageBurst: number; maxDelay: number;
}
/** `config.health` (times ms, rate in [0, 1]). */
export interface HealthConfig {
  minConnectedPeers: number; maxTimeSinceMsgReceived: number; maxTimeSinceMsgSent: number;
  maxSendFailRate: number; sendFailRateHalfLife: number;
}
/** `config.fork`: digests are 8 hex digits, times ms. */
export interface ForkConfig {
  networkId: number; forkDigest: string; compatibleDigests: string[]; treeCapacity: number;
  resolutionThreshold: number; confirmationBlocks: number; deadForkGraceMs: number;
  forwardBehindGraceMs: number; forwardStagnationMs: number; syncStagnationMs: number;
  gapFillMaxBlocks: number; gapFillCooldownMs: number; gapFillTimeoutMs: number;
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
export interface ResolvedConfig {
  lowWater: number; highWater: number; gracePeriod: number; silencePeriod: number;
  decayResolution: number; outboundBonus: number; retentionMs: number; maxRetainedPeers: number;
  hashSeed: bigint; trackLifecycle: boolean;
  behaviour: BehaviourConfig; strikes: StrikesConfig; lifecycle: LifecycleConfig;
  backoff: BackoffConfig; benchlist: BenchlistConfig; blocklist: BlocklistConfig;
  peerExchange: PeerExchangeConfig; upgrades: UpgradesConfig; inbound: InboundConfig;
  health: HealthConfig;
  /** null when no chain is followed. */
  fork: ForkConfig | null;
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
  | 'kept_protected' | 'kept_in_grace' | 'kept_above_cut' | 'closed_lowest_score' | 'closed_tie_oldest'
  | 'closed_not_aligned';
export type RemovalCause = 'removed' | 'decayed' | 'bumped_to_zero' | 'expired_inactive';

/** A report's tier (Lighthouse's names), or a custom finite delta. */
export type PeerAction = 'fatal' | 'low_tolerance' | 'mid_tolerance' | 'high_tolerance' | number;
export type StrikeKind =
  | 'deserialization' | 'protocol_violation' | 'dead_fork_block' | 'dead_fork_block_in_grace'
  | 'duplicate_block' | 'out_of_order_block_in_range';
export type Role = 'primary' | 'backup';
export type TransportFailureKind = 'dial' | 'tls' | 'reset';
/** A peer's lifecycle state (with `trackLifecycle`). */
export type LifecycleState = 'connect' | 'handshake' | 'syncing' | 'active' | 'disconnected' | 'banned';
export type ForkStatus = 'normal' | 'looking' | 'minority';
export type NodeMode = 'sync' | 'forward';
export type DownscoreReason =
  | 'invalid_request' | 'invalid_response' | 'timeout' | 'rate_limited' | 'gossip_invalid'
  | 'sync_invalid' | 'request_failed' | 'spam' | 'fork_mismatch' | 'other';

/** A block by number and id (64 hex digits). */
export interface BlockRef { number: number; id: string }
/** A block header as the fork view needs it; ids are 64 hex digits. */
export interface Header { number: number; id: string; parent: string; producer?: string }
/** Inclusive block-number range a node serves. */
export interface BlockRange { earliest: number; latest: number }
/** A peer's report of its chain (hello or fork-status message). */
export interface ChainStatus {
  networkId: number;
  /** 8 hex digits. */
  forkDigest: string;
  head: BlockRef;
  /** Last irreversible block. */
  lib: BlockRef;
  range?: BlockRange | null;
  nodeMode: NodeMode;
  forkStatus: ForkStatus;
  emergency?: boolean;
  emergencyKey?: boolean;
}

/** What `strike` did. */
export type StrikeOutcome =
  | { type: 'not_counted'; peer: string; kind: StrikeKind }
  | { type: 'counted'; peer: string; kind: StrikeKind; strikes: number; threshold: number }
  | { type: 'soft_banned'; peer: string; kind: StrikeKind; strikes: number; since: number; until: number; reason: string }
  | { type: 'already_banned'; peer: string; until: number };
/** A soft ban: from `since` until `until` (exclusive). */
export interface SoftBan { since: number; until: number; reason: string }
export type BlockResult = 'blocked' | 'already_blocked' | 'unknown_peer';
export type ProbeOutcome = 'unblocked' | 'still_blocked' | 'still_blocked_disabled' | 'not_pending';
export type RateDecision = { type: 'allow' } | { type: 'deny'; retryAt: number };
export type UpgradeDecision = { type: 'allow' } | { type: 'deny_ip'; retryAt: number } | { type: 'deny_global'; retryAt: number };
export type ThrottleDecision =
  | { type: 'allow' } | { type: 'delay_until'; at: number } | { type: 'drop'; reason: 'too_large' | 'too_far_ahead' };
/** Why `allowConnection` refuses a peer. */
export type ConnectionDenied =
  | { type: 'banned'; until: number; reason: DisconnectReason }
  | { type: 'soft_banned'; until: number; reason: string }
  | { type: 'blocked'; reason: string };
/** A peer's last disconnect: who said goodbye (`sent`: we did), with which code. */
export interface DisconnectRecord { reason: DisconnectReason; code: number | null; sent: boolean; at: number }
/** One peer as the beacon API's `NodePeer` shows it, with the peer-scoring extension. */
export interface NodePeer {
  peerId: string;
  enr: null;
  lastSeenP2pAddress?: string;
  state: 'connected' | 'connecting' | 'disconnected' | 'disconnecting';
  direction?: Direction;
  agentVersion?: string;
  /** The total score trimming ranks by. */
  score: number;
  /** Only while disconnected or disconnecting. */
  disconnectReason?: DisconnectReason;
  downscoreReasons?: DownscoreReason[];
}
/** One peer's score parts. */
export interface ScoreStat {
  peerId: string;
  behaviourScore: number;
  applicationScore: number;
  tagScore: number;
  score: number;
  lastActionName?: string;
  lastActionDelta?: number;
  lastActionTime?: number;
  bannedUntil?: number;
}
/** One failing health check. */
export type UnhealthyReason =
  | { type: 'too_few_peers'; connected: number; min: number }
  | { type: 'no_message_received' }
  | { type: 'last_received_too_long_ago'; since: number; max: number }
  | { type: 'no_message_sent' }
  | { type: 'last_sent_too_long_ago'; since: number; max: number }
  | { type: 'send_fail_rate_too_high'; rate: number; max: number };
/** AvalancheGo's health response, plus the failing checks typed. */
export interface HealthReport {
  healthy: boolean;
  checks: {
    network: {
      message: { connectedPeers: number; timeSinceLastMsgReceived?: string; timeSinceLastMsgSent?: string; sendFailRate: number };
      error?: string;
    };
  };
  reasons: UnhealthyReason[];
}
/** The numbers behind the stats lines. */
export interface NodeStats {
  mode: NodeMode; fork: ForkStatus; head: number; lib: number; dltRange: BlockRange | null;
  exchangePeers: number; connections: number; peerEntries: number; paused: boolean; uptimeMs: number; flags: string[];
}
export type PeerLine =
  | {
      shape: 'live'; lifecycle: 'connect' | 'handshake' | 'syncing' | 'active'; exch: boolean;
      head: number | null; lib: number | null; range: BlockRange | null; peerFork: ForkStatus | null;
      peerNode: NodeMode | null; spam: number; flags: { align: boolean; emrg: boolean; ekey: boolean; sync: boolean };
    }
  | { shape: 'disconnected'; disconnectedForMs: number; backoffMs: number; reconnectInMs: number; spam: number }
  | { shape: 'banned'; banRemainingMs: number; reason: string };
export interface Stats { node: NodeStats; peers: { address: string; line: PeerLine }[] }

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
  /**
   * Every connected peer, in peer-book order (sort by `rank` for closing order). Built on
   * first access (a 10 000-entry report costs little until it is read).
   */
  entries: TrimEntry[];
  /**
   * The same entries column by column, as the engine hands them over (not enumerable):
   * `peers[i]` is entry i's peer; `ranks` are 0 for none; `verdicts` index `verdictNames`.
   */
  readonly columns: TrimColumns;
}

/** A trim report's entries as columns (see `TrimReport.columns`). */
export interface TrimColumns {
  /** Each entry's peer id: the very strings passed to `connected`. */
  peers: string[];
  /** Every peer id concatenated, built on first read. */
  readonly text: string;
  /** The ids' lengths in `text` (UTF-16 units), built on first read. */
  readonly lengths: Uint32Array;
  scores: Float64Array;
  ranks: Uint32Array;
  verdicts: Uint8Array;
  verdictNames: Verdict[];
  connectedAt: Float64Array;
}

/** Close every connection to `peer`, then report each with `disconnected`. */
export interface DisconnectCommand { type: 'disconnect'; peer: string; reason: DisconnectReason }
/** Open a connection to `peer` (with `trackLifecycle`); report `connected` or `dialFailed`. */
export interface DialCommand { type: 'dial'; peer: string }
/** Check whether a blocked peer carried into a new epoch is reachable; report `probeResult`. */
export interface ProbeCommand { type: 'probe'; peer: string }
/** Ask `peer` for blocks `from .. from + count`; report `headersReceived`. */
export interface RequestBlocksCommand { type: 'requestBlocks'; peer: string; from: number; count: number }
/** We are on a confirmed minority fork: move our head from `forkPoint` onto the branch ending at `to`. */
export interface SwitchForkCommand { type: 'switchFork'; forkPoint: BlockRef; to: BlockRef }
export type PeerCommand = DisconnectCommand | DialCommand | ProbeCommand | RequestBlocksCommand | SwitchForkCommand;

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

/** A report moved the behaviour score: `delta` after clamping, `score` after it; `requested` is a custom action's delta (null for a tier). */
export interface BehaviourReportedEvent { type: 'behaviourReported'; peer: string; action: 'fatal' | 'low_tolerance' | 'mid_tolerance' | 'high_tolerance' | 'custom'; name: string; requested: number | null; delta: number; score: number; at: number }
/** Banned until `until` (exclusive); connections are refused meanwhile. */
export interface BannedEvent { type: 'banned'; peer: string; until: number; reason: DisconnectReason; at: number }
export interface UnbannedEvent { type: 'unbanned'; peer: string; at: number }
/** A strike was recorded; `counted` false for kinds that never count. */
export interface StruckEvent { type: 'struck'; peer: string; kind: StrikeKind; counted: boolean; strikes: number; threshold: number; at: number }
export interface StrikesResetEvent { type: 'strikesReset'; peer: string; cleared: number; at: number }
export interface SoftBannedEvent { type: 'softBanned'; peer: string; reason: string; until: number; at: number }
export interface BanExpiredEvent { type: 'banExpired'; peer: string; since: number; reason: string; at: number }
export interface LifecycleChangedEvent { type: 'lifecycleChanged'; peer: string; from: LifecycleState | null; to: LifecycleState; at: number }
export interface LifecycleTimedOutEvent { type: 'lifecycleTimedOut'; peer: string; from: LifecycleState; timeout: 'connect' | 'handshake'; at: number }
export interface PeerRemovedEvent { type: 'peerRemoved'; peer: string; lastResponsive: number; at: number }
export interface DialScheduledEvent { type: 'dialScheduled'; peer: string; due: number; backoff: number; failures: number; at: number }
export interface IsolationResetEvent { type: 'isolationReset'; isolatedSince: number; redialled: string[]; at: number }
export interface BenchedEvent { type: 'benched'; peer: string; failureProbability: number; until: number; at: number }
export interface UnbenchedEvent { type: 'unbenched'; peer: string; failureProbability: number; cause: 'recovered' | 'expired' | 'evicted' | 'removed'; at: number }
export interface BlockedEvent { type: 'blocked'; peer: string; role: Role; reason: string; at: number }
export interface UnblockedEvent { type: 'unblocked'; peer: string; cause: 'probe' | 'reconnected' | 'dropped_at_epoch'; at: number }
export interface PeerDisabledEvent { type: 'peerDisabled'; peer: string; at: number }
export interface EpochTransitionedEvent { type: 'epochTransitioned'; epoch: number; reblocked: { peer: string; role: Role }[]; dropped: string[]; at: number }
export interface AlignmentChangedEvent { type: 'alignmentChanged'; peer: string; aligned: boolean; why: 'handshake' | 'block_applied' | 'forward_transition' | 'fork_mismatch'; at: number }
export interface ForkStatusChangedEvent { type: 'forkStatusChanged'; from: ForkStatus; to: ForkStatus; at: number }
export interface NodeModeChangedEvent { type: 'nodeModeChanged'; from: NodeMode; to: NodeMode; why: 'caught_up' | 'fell_behind' | 'stagnant' | 'minority_fork'; at: number }
export interface SyncStalledEvent { type: 'syncStalled'; at: number }
export interface GapFillTimedOutEvent { type: 'gapFillTimedOut'; peer: string; from: number; at: number }
export interface NoBridgingPeerEvent { type: 'noBridgingPeer'; from: number; at: number }

export type PeerEvent =
  | ConnectedEvent | DisconnectedEvent | TagSetEvent | TagBumpedEvent | TagDecayedEvent
  | TagRemovedEvent | ProtectedEvent | UnprotectedEvent | TrimDeferredEvent | TrimEvent
  | PeerForgottenEvent | BehaviourReportedEvent | BannedEvent | UnbannedEvent | StruckEvent
  | StrikesResetEvent | SoftBannedEvent | BanExpiredEvent | LifecycleChangedEvent
  | LifecycleTimedOutEvent | PeerRemovedEvent | DialScheduledEvent | IsolationResetEvent
  | BenchedEvent | UnbenchedEvent | BlockedEvent | UnblockedEvent | PeerDisabledEvent
  | EpochTransitionedEvent | AlignmentChangedEvent | ForkStatusChangedEvent
  | NodeModeChangedEvent | SyncStalledEvent | GapFillTimedOutEvent | NoBridgingPeerEvent;

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
  dial: CustomEvent<DialCommand>;
  probe: CustomEvent<ProbeCommand>;
  requestBlocks: CustomEvent<RequestBlocksCommand>;
  switchFork: CustomEvent<SwitchForkCommand>;
  behaviourReported: CustomEvent<BehaviourReportedEvent>;
  banned: CustomEvent<BannedEvent>;
  unbanned: CustomEvent<UnbannedEvent>;
  struck: CustomEvent<StruckEvent>;
  strikesReset: CustomEvent<StrikesResetEvent>;
  softBanned: CustomEvent<SoftBannedEvent>;
  banExpired: CustomEvent<BanExpiredEvent>;
  lifecycleChanged: CustomEvent<LifecycleChangedEvent>;
  lifecycleTimedOut: CustomEvent<LifecycleTimedOutEvent>;
  peerRemoved: CustomEvent<PeerRemovedEvent>;
  dialScheduled: CustomEvent<DialScheduledEvent>;
  isolationReset: CustomEvent<IsolationResetEvent>;
  benched: CustomEvent<BenchedEvent>;
  unbenched: CustomEvent<UnbenchedEvent>;
  blocked: CustomEvent<BlockedEvent>;
  unblocked: CustomEvent<UnblockedEvent>;
  peerDisabled: CustomEvent<PeerDisabledEvent>;
  epochTransitioned: CustomEvent<EpochTransitionedEvent>;
  alignmentChanged: CustomEvent<AlignmentChangedEvent>;
  forkStatusChanged: CustomEvent<ForkStatusChangedEvent>;
  nodeModeChanged: CustomEvent<NodeModeChangedEvent>;
  syncStalled: CustomEvent<SyncStalledEvent>;
  gapFillTimedOut: CustomEvent<GapFillTimedOutEvent>;
  noBridgingPeer: CustomEvent<NoBridgingPeerEvent>;
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

  // ---- behaviour scores, goodbyes, bans ------------------------------------------------

  /**
   * Reports something the peer did (`name`, e.g. `'invalid_block'`). The behaviour score moves
   * by the tier's delta (or the custom delta), clamped; at or below `behaviour.banThreshold` the
   * peer is banned (`banned` event, `disconnect` with `banned`), at or below
   * `behaviour.disconnectThreshold` a connected peer is disconnected (`bad_score`). Returns the
   * behaviour score after the report.
   */
  reportPeer(peer: string, action: PeerAction, name: string, now?: number): number;
  /** Sets the host's application score (finite), weighted into the total by `behaviour.applicationWeight`. */
  setApplicationScore(peer: string, score: number, now?: number): void;
  /** Records the peer's identify agent string (shown by `peers()`). */
  setAgentVersion(peer: string, agent: string): void;
  /** Records the address the peer was last seen at (shown by `peers()`). */
  setAddress(peer: string, address: string): void;
  /** The peer said goodbye with `code`; returns the reason it stands for (`'unknown'` for unknown codes). */
  goodbyeReceived(peer: string, code: number, now?: number): DisconnectReason;
  /** Commands a `disconnect` of a connected peer with `reason`; false if not connected or already closing. */
  disconnectWithGoodbye(peer: string, reason: DisconnectReason, now?: number): boolean;
  /** null if a connection from `peer` may be accepted, else why not: a ban, a soft ban, a block. */
  allowConnection(peer: string, now?: number): ConnectionDenied | null;
  isBanned(peer: string, now?: number): boolean;
  /** The decayed behaviour score, unweighted; 0 for an unknown peer. */
  behaviourScore(peer: string, now?: number): number;
  /** The application score as last set; 0 for an unknown peer. */
  applicationScore(peer: string): number;
  lastDisconnect(peer: string): DisconnectRecord | null;
  /** Every known peer, ordered by peer id. */
  peers(now?: number): NodePeer[];
  /** One peer, or null if unknown. */
  peer(peer: string, now?: number): NodePeer | null;
  /** Every known peer's score parts, ordered by peer id. */
  scoreStats(now?: number): ScoreStat[];

  // ---- lifecycle and dialling (with `trackLifecycle`) ---------------------------------

  /** Learns a peer to keep connected: dialled at once if a slot is free, redialled with backoff. False if already known or `trackLifecycle` is off. */
  addPeer(peer: string, now?: number): boolean;
  /** `handshake` -> `active`; false if the peer was not in `handshake`. */
  handshakeCompleted(peer: string, now?: number): boolean;
  /** `active` -> `syncing`. */
  syncStarted(peer: string, now?: number): boolean;
  /** `syncing` -> `active`. */
  syncFinished(peer: string, now?: number): boolean;
  /** A `dial` command failed: the next attempt is one backoff later. False if the peer was not being dialled. */
  dialFailed(peer: string, now?: number): boolean;
  /** The lifecycle state, or null (unknown, or `trackLifecycle` off). */
  peerState(peer: string): LifecycleState | null;
  /** When the peer is next dialled, or null. */
  nextDialAt(peer: string): number | null;
  /** Dials issued and not yet resolved. */
  dialsInFlight(): number;

  // ---- strikes and soft bans ----------------------------------------------------------

  /** A suspicious packet. The `strikes.threshold`-th counting strike soft-bans the peer (`softBanned`, `disconnect` with `banned`). */
  strike(peer: string, kind: StrikeKind, now?: number): StrikeOutcome;
  /** A valid packet: wipes the strike counter. */
  validPacket(peer: string, now?: number): void;
  /** Soft-bans the peer for `strikes.banDuration` for `reason`; banning again extends from `now`. */
  softBan(peer: string, reason: string, now?: number): SoftBan;
  /** Counting strikes since the last valid packet. */
  strikes(peer: string): number;
  softBanOf(peer: string): SoftBan | null;

  // ---- benchlist ----------------------------------------------------------------------

  /** A request to the peer was answered in time. */
  registerResponse(peer: string, now?: number): void;
  /** A request to the peer timed out or failed. */
  registerFailure(peer: string, now?: number): void;
  /** Whether requests to the peer should fail at once instead of being sent. */
  isBenched(peer: string): boolean;

  // ---- blocklist ----------------------------------------------------------------------

  /** Gives the peer a role in the current epoch's set; whether it changed. */
  setRole(peer: string, role: Role): boolean;
  /** Blocks the peer (`blocked` event, `disconnect` with `banned`, no dial until unblocked). */
  block(peer: string, reason: string, now?: number): BlockResult;
  /** Replaces the peer set (a peer listed twice is refused); blocks of peers still present carry over with a `probe` command each. Returns the new epoch number. */
  epochTransition(peers: { peer: string; role: Role }[], now?: number): number;
  /** The answer to a `probe` command. */
  probeResult(peer: string, ok: boolean, now?: number): ProbeOutcome;
  /** A dial, TLS or reset failure; whether this one disabled the peer. */
  transportFailure(peer: string, kind: TransportFailureKind, now?: number): boolean;
  /** The peer answered with an application error (HTTP status, 0 to 65535): the transport works. */
  applicationError(peer: string, status: number, now?: number): void;
  isBlocked(peer: string): boolean;
  isHealthy(peer: string): boolean;
  isDisabled(peer: string): boolean;
  blocklistEpoch(): number;

  // ---- rate limits and health ---------------------------------------------------------

  /** A peer-exchange request: admitted and recorded, or refused until `retryAt`. */
  peerExchangeRequest(peer: string, now?: number): RateDecision;
  /** Whether an inbound connection from `ip` (IPv4 or IPv6 text) may be upgraded. */
  shouldUpgrade(ip: string, now?: number): UpgradeDecision;
  /** One inbound message of `bytes` bytes: process now, later, or drop. */
  inboundMessage(peer: string, bytes: number, now?: number): ThrottleDecision;
  /** A message went out. */
  messageSent(now?: number): void;
  /** A send failed. */
  sendFailed(now?: number): void;
  health(now?: number): HealthReport;

  // ---- the fork view (with `config.fork`) ---------------------------------------------

  /** A hello or fork-status message: another network closes the peer (`irrelevant_network`), an incompatible digest too (`unviable_fork`). */
  statusReceived(peer: string, status: ChainStatus, now?: number): void;
  /** Our node applied `header` (now our head), relayed by peer `from` (omit for our own). */
  blockApplied(header: Header, from?: string | null, now?: number): void;
  /** Headers a peer sent that we have not applied (relays, range replies). */
  headersReceived(peer: string, headers: Header[], now?: number): void;
  /** Our LIB advanced. */
  libAdvanced(lib: BlockRef, now?: number): void;
  /** The host found by itself that the peer is on another fork. */
  forkMismatchReported(peer: string, now?: number): void;
  /** The peer's stake for branch support; null counts it as 1. */
  setPeerWeight(peer: string, weight: number | null, now?: number): void;
  /** Block intake paused or resumed. */
  setPaused(paused: boolean, now?: number): void;
  /** Whether blocks and transactions may flow with the peer (always true without a fork view). */
  isAligned(peer: string): boolean;
  /** Our fork status; null without a fork view. */
  forkStatus(): ForkStatus | null;
  /** Our node mode; null without a fork view. */
  nodeMode(): NodeMode | null;
  /** The compact `DLT Status | ...` line; null without a fork view. */
  statusLine(now?: number): string | null;
  /** The full stats: a header line and one line per peer; null without a fork view. */
  statsLines(now?: number): string | null;
  /** The data behind the stats lines; null without a fork view. */
  stats(now?: number): Stats | null;

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
   * The manager's state as versioned bytes (format 3): every peer's tags (decaying ones with
   * their functions and exact decay timing), protections, behaviour and application scores,
   * last actions, agents and addresses, behaviour bans, last disconnects, strikes and soft
   * bans, the benchlist, blocks and roles, health counters, the peers the lifecycle tracks
   * with their reconnect backoff (next wait, failures, next dial) and the isolation clock.
   * Not: open connections, dials in flight, rate-limit windows, the fork view. Persist it
   * anywhere (IndexedDB, a file).
   */
  snapshot(): Uint8Array;
  /**
   * Replaces the state with a snapshot's (format 3; format 2 and format 1 from earlier
   * packages are still read) at `now` (default: the manager's time), keeping this manager's
   * config; every restored peer is disconnected, and a tracked peer that was connected or
   * being dialled is dialled again at once, keeping its backoff. Corrupt, truncated, foreign or newer-format bytes, or a snapshot taken
   * with other strikes/benchlist/blocklist/health settings, throw a RangeError and change
   * nothing.
   */
  restore(bytes: Uint8Array, now?: number): void;

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

/** The goodbye code a disconnect reason sends on the wire, or null if it has none. */
export declare function goodbyeCode(reason: DisconnectReason): number | null;

declare const api: {
  PeerManager: typeof PeerManager; decay: typeof decay; bump: typeof bump; version: typeof version;
  goodbyeCode: typeof goodbyeCode;
};
export default api;

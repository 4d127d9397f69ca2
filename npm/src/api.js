// The package's JS layer over the wasm class `RawPeerManager`: the `EventTarget`, the async
// iterator and the self-driven clock. Shared verbatim by the Node (CommonJS and ESM) and
// browser entry points; scripts/build-npm.sh appends the module syntax of each.

/** Milliseconds `setTimeout` accepts before it fires at once (2^31 - 1). */
const MAX_TIMER_MS = 2147483647;

function bind(raw) {
  const RawPeerManager = raw.RawPeerManager;

  class PeerManager extends EventTarget {
    #raw;
    #autoClock;
    #delivering;
    #flushQueued = false;
    #flushing = false;
    #timer = undefined;
    #timerAt = undefined;
    #iterators = new Set();
    #closed = false;
    #events = [];
    #eventAt = 0;
    #commands = [];
    #commandAt = 0;
    /** Peer ids by the handle `connected` returned: disconnect commands name peers by it. */
    #names = [];

    constructor(config) {
      super();
      let rest = config;
      let autoClock = false;
      if (config !== null && typeof config === 'object' && !Array.isArray(config)) {
        ({ autoClock = false, ...rest } = config);
        if (typeof autoClock !== 'boolean') {
          throw new TypeError(`PeerManager: config.autoClock must be a boolean, got ${describe(autoClock)}`);
        }
      }
      this.#raw = new RawPeerManager(rest, autoClock ? Date.now() : 0);
      this.#autoClock = autoClock;
      this.#delivering = autoClock;
    }

    // ---- inputs -------------------------------------------------------------------------

    connected(peer, conn, direction, now) {
      now = this.#now(now);
      str('connected', 'peer', peer); num('connected', 'conn', conn);
      str('connected', 'direction', direction); num('connected', 'now', now);
      const handle = this.#raw.connected(peer, conn, direction, now);
      if (handle !== undefined) this.#names[handle] = peer;
      this.#afterInput();
    }

    disconnected(peer, conn, now) {
      now = this.#now(now);
      str('disconnected', 'peer', peer); num('disconnected', 'conn', conn); num('disconnected', 'now', now);
      const known = this.#raw.disconnected(peer, conn, now);
      this.#afterInput();
      return known;
    }

    handleTimeout(now) {
      now = this.#now(now);
      num('handleTimeout', 'now', now);
      this.#raw.handleTimeout(now);
      this.#afterInput();
    }

    trim(now) {
      now = this.#now(now);
      num('trim', 'now', now);
      this.#raw.trim(now);
      this.#afterInput();
    }

    tagPeer(peer, tag, value) {
      str('tagPeer', 'peer', peer); str('tagPeer', 'tag', tag); num('tagPeer', 'value', value);
      this.#raw.tagPeer(peer, tag, value);
      if (this.#delivering) this.#queueFlush();
    }

    untagPeer(peer, tag) {
      str('untagPeer', 'peer', peer); str('untagPeer', 'tag', tag);
      const had = this.#raw.untagPeer(peer, tag);
      this.#afterInput();
      return had;
    }

    upsertTag(peer, tag, fn) {
      str('upsertTag', 'peer', peer); str('upsertTag', 'tag', tag);
      this.#raw.upsertTag(peer, tag, fn);
      this.#afterInput();
    }

    tagPeerDecaying(peer, tag, value, interval, decay, now, bump) {
      const m = 'tagPeerDecaying';
      now = this.#now(now);
      str(m, 'peer', peer); str(m, 'tag', tag); num(m, 'value', value); num(m, 'interval', interval);
      num(m, 'now', now);
      this.#raw.tagPeerDecaying(peer, tag, value, interval, decay, now, bump);
      this.#afterInput();
    }

    bumpDecayingTag(peer, tag, delta, now) {
      const m = 'bumpDecayingTag';
      now = this.#now(now);
      str(m, 'peer', peer); str(m, 'tag', tag); num(m, 'delta', delta); num(m, 'now', now);
      const live = this.#raw.bumpDecayingTag(peer, tag, delta, now);
      this.#afterInput();
      return live;
    }

    removeDecayingTag(peer, tag) {
      str('removeDecayingTag', 'peer', peer); str('removeDecayingTag', 'tag', tag);
      const had = this.#raw.removeDecayingTag(peer, tag);
      this.#afterInput();
      return had;
    }

    protect(peer, tag) {
      str('protect', 'peer', peer); str('protect', 'tag', tag);
      this.#raw.protect(peer, tag);
      this.#afterInput();
    }

    unprotect(peer, tag) {
      str('unprotect', 'peer', peer); str('unprotect', 'tag', tag);
      const still = this.#raw.unprotect(peer, tag);
      this.#afterInput();
      return still;
    }

    // ---- behaviour scores, goodbyes and bans (issue 4) -----------------------------------

    reportPeer(peer, action, name, now) {
      const m = 'reportPeer';
      now = this.#now(now);
      str(m, 'peer', peer); str(m, 'name', name); num(m, 'now', now);
      const score = this.#raw.reportPeer(peer, action, name, now);
      this.#afterInput();
      return score;
    }

    setApplicationScore(peer, score, now) {
      const m = 'setApplicationScore';
      now = this.#now(now);
      str(m, 'peer', peer); num(m, 'score', score); num(m, 'now', now);
      this.#raw.setApplicationScore(peer, score, now);
      this.#afterInput();
    }

    setAgentVersion(peer, agent) {
      str('setAgentVersion', 'peer', peer); str('setAgentVersion', 'agent', agent);
      this.#raw.setAgentVersion(peer, agent);
      this.#afterInput();
    }

    setAddress(peer, address) {
      str('setAddress', 'peer', peer); str('setAddress', 'address', address);
      this.#raw.setAddress(peer, address);
      this.#afterInput();
    }

    goodbyeReceived(peer, code, now) {
      const m = 'goodbyeReceived';
      now = this.#now(now);
      str(m, 'peer', peer); num(m, 'code', code); num(m, 'now', now);
      const reason = this.#raw.goodbyeReceived(peer, code, now);
      this.#afterInput();
      return reason;
    }

    disconnectWithGoodbye(peer, reason, now) {
      const m = 'disconnectWithGoodbye';
      now = this.#now(now);
      str(m, 'peer', peer); str(m, 'reason', reason); num(m, 'now', now);
      const done = this.#raw.disconnectWithGoodbye(peer, reason, now);
      this.#afterInput();
      return done;
    }

    // ---- lifecycle, strikes, benchlist, blocklist, rate limits, health (issue 5) --------

    addPeer(peer, now) { return this.#peerInput('addPeer', peer, now); }
    handshakeCompleted(peer, now) { return this.#peerInput('handshakeCompleted', peer, now); }
    syncStarted(peer, now) { return this.#peerInput('syncStarted', peer, now); }
    syncFinished(peer, now) { return this.#peerInput('syncFinished', peer, now); }
    dialFailed(peer, now) { return this.#peerInput('dialFailed', peer, now); }
    validPacket(peer, now) { this.#peerInput('validPacket', peer, now); }
    registerResponse(peer, now) { this.#peerInput('registerResponse', peer, now); }
    registerFailure(peer, now) { this.#peerInput('registerFailure', peer, now); }
    forkMismatchReported(peer, now) { this.#peerInput('forkMismatchReported', peer, now); }

    strike(peer, kind, now) {
      now = this.#now(now);
      str('strike', 'peer', peer); str('strike', 'kind', kind); num('strike', 'now', now);
      const outcome = JSON.parse(this.#raw.strike(peer, kind, now));
      this.#afterInput();
      return outcome;
    }

    softBan(peer, reason, now) {
      now = this.#now(now);
      str('softBan', 'peer', peer); str('softBan', 'reason', reason); num('softBan', 'now', now);
      const ban = JSON.parse(this.#raw.softBan(peer, reason, now));
      this.#afterInput();
      return ban;
    }

    setRole(peer, role) {
      str('setRole', 'peer', peer); str('setRole', 'role', role);
      return this.#raw.setRole(peer, role);
    }

    block(peer, reason, now) {
      now = this.#now(now);
      str('block', 'peer', peer); str('block', 'reason', reason); num('block', 'now', now);
      const result = this.#raw.block(peer, reason, now);
      this.#afterInput();
      return result;
    }

    epochTransition(peers, now) {
      now = this.#now(now);
      num('epochTransition', 'now', now);
      const epoch = this.#raw.epochTransition(peers, now);
      this.#afterInput();
      return epoch;
    }

    probeResult(peer, ok, now) {
      now = this.#now(now);
      str('probeResult', 'peer', peer); bool('probeResult', 'ok', ok); num('probeResult', 'now', now);
      const outcome = this.#raw.probeResult(peer, ok, now);
      this.#afterInput();
      return outcome;
    }

    transportFailure(peer, kind, now) {
      const m = 'transportFailure';
      now = this.#now(now);
      str(m, 'peer', peer); str(m, 'kind', kind); num(m, 'now', now);
      const disabled = this.#raw.transportFailure(peer, kind, now);
      this.#afterInput();
      return disabled;
    }

    applicationError(peer, status, now) {
      const m = 'applicationError';
      now = this.#now(now);
      str(m, 'peer', peer); num(m, 'status', status); num(m, 'now', now);
      this.#raw.applicationError(peer, status, now);
      this.#afterInput();
    }

    peerExchangeRequest(peer, now) {
      now = this.#now(now);
      str('peerExchangeRequest', 'peer', peer); num('peerExchangeRequest', 'now', now);
      const decision = JSON.parse(this.#raw.peerExchangeRequest(peer, now));
      this.#afterInput();
      return decision;
    }

    shouldUpgrade(ip, now) {
      now = this.#now(now);
      str('shouldUpgrade', 'ip', ip); num('shouldUpgrade', 'now', now);
      const decision = JSON.parse(this.#raw.shouldUpgrade(ip, now));
      this.#afterInput();
      return decision;
    }

    inboundMessage(peer, bytes, now) {
      const m = 'inboundMessage';
      now = this.#now(now);
      str(m, 'peer', peer); num(m, 'bytes', bytes); num(m, 'now', now);
      const decision = JSON.parse(this.#raw.inboundMessage(peer, bytes, now));
      this.#afterInput();
      return decision;
    }

    messageSent(now) {
      now = this.#now(now);
      num('messageSent', 'now', now);
      this.#raw.messageSent(now);
      this.#afterInput();
    }

    sendFailed(now) {
      now = this.#now(now);
      num('sendFailed', 'now', now);
      this.#raw.sendFailed(now);
      this.#afterInput();
    }

    // ---- the fork view (issue 6) --------------------------------------------------------

    statusReceived(peer, status, now) {
      now = this.#now(now);
      str('statusReceived', 'peer', peer); num('statusReceived', 'now', now);
      this.#raw.statusReceived(peer, status, now);
      this.#afterInput();
    }

    blockApplied(header, from, now) {
      now = this.#now(now);
      if (from !== undefined && from !== null) str('blockApplied', 'from', from);
      num('blockApplied', 'now', now);
      this.#raw.blockApplied(header, from ?? undefined, now);
      this.#afterInput();
    }

    headersReceived(peer, headers, now) {
      now = this.#now(now);
      str('headersReceived', 'peer', peer); num('headersReceived', 'now', now);
      this.#raw.headersReceived(peer, headers, now);
      this.#afterInput();
    }

    libAdvanced(lib, now) {
      now = this.#now(now);
      num('libAdvanced', 'now', now);
      this.#raw.libAdvanced(lib, now);
      this.#afterInput();
    }

    setPeerWeight(peer, weight, now) {
      now = this.#now(now);
      str('setPeerWeight', 'peer', peer);
      if (weight !== undefined && weight !== null) num('setPeerWeight', 'weight', weight);
      num('setPeerWeight', 'now', now);
      this.#raw.setPeerWeight(peer, weight ?? undefined, now);
      this.#afterInput();
    }

    setPaused(paused, now) {
      now = this.#now(now);
      bool('setPaused', 'paused', paused); num('setPaused', 'now', now);
      this.#raw.setPaused(paused, now);
      this.#afterInput();
    }

    // ---- the sans-I/O loop --------------------------------------------------------------

    // The engine hands over whole batches as JSON (one boundary crossing per batch); these
    // buffers give them out one at a time.

    pollEvent() {
      if (this.#eventAt === this.#events.length) {
        const batch = this.#raw.drainEvents();
        if (batch === undefined) return undefined;
        // [json, columns]: a trim report's entries arrive as columns (see drainEvents).
        const [json, columns] = batch;
        const events = JSON.parse(json);
        if (columns.length > 0) {
          for (const e of events) if (e.type === 'trim') lazyEntries(e.report, columns[e.report.entries], this.#names);
        }
        this.#events = events;
        this.#eventAt = 0;
      }
      const e = this.#events[this.#eventAt];
      this.#events[this.#eventAt++] = undefined;
      return e;
    }

    pollCommand() {
      if (this.#commandAt === this.#commands.length) {
        const batch = this.#raw.drainCommands();
        if (batch === undefined) return undefined;
        // [json, lengths, kinds, reasons, handles]: a disconnect is a peer's handle and a
        // reason index; kind 255 is the next command's JSON (see drainCommands).
        const [json, lengths, kinds, reasons, handles] = batch;
        const names = this.#names;
        const commands = new Array(kinds.length);
        for (let i = 0, at = 0, j = 0, k = 0; i < kinds.length; i++) {
          if (kinds[i] === 255) {
            const c = JSON.parse(json.slice(at, (at += lengths[j++])));
            c.type = camel(c.type);
            commands[i] = c;
          } else {
            commands[i] = { type: 'disconnect', peer: names[handles[k++]], reason: reasons[kinds[i]] };
          }
        }
        this.#commands = commands;
        this.#commandAt = 0;
      }
      const c = this.#commands[this.#commandAt];
      this.#commands[this.#commandAt++] = undefined;
      return c;
    }

    pollTimeout() { return this.#raw.pollTimeout(); }

    // ---- getters ------------------------------------------------------------------------

    peerScore(peer) { str('peerScore', 'peer', peer); return this.#raw.peerScore(peer); }

    isProtected(peer, tag) {
      str('isProtected', 'peer', peer);
      if (tag !== undefined) str('isProtected', 'tag', tag);
      return this.#raw.isProtected(peer, tag);
    }

    tagValue(peer, tag) { str('tagValue', 'peer', peer); str('tagValue', 'tag', tag); return this.#raw.tagValue(peer, tag); }
    tags(peer) { str('tags', 'peer', peer); return this.#raw.tags(peer); }
    isConnected(peer) { str('isConnected', 'peer', peer); return this.#raw.isConnected(peer); }
    isClosing(peer) { str('isClosing', 'peer', peer); return this.#raw.isClosing(peer); }
    connectionCount(peer) { str('connectionCount', 'peer', peer); return this.#raw.connectionCount(peer); }
    connectedCount() { return this.#raw.connectedCount(); }
    connectedPeers() { return this.#raw.connectedPeers(); }
    knownPeerCount() { return this.#raw.knownPeerCount(); }

    allowConnection(peer, now) {
      now = this.#at(now);
      str('allowConnection', 'peer', peer); num('allowConnection', 'now', now);
      return parseOr(this.#raw.allowConnection(peer, now), null);
    }

    isBanned(peer, now) {
      now = this.#at(now);
      str('isBanned', 'peer', peer); num('isBanned', 'now', now);
      return this.#raw.isBanned(peer, now);
    }

    behaviourScore(peer, now) {
      now = this.#at(now);
      str('behaviourScore', 'peer', peer); num('behaviourScore', 'now', now);
      return this.#raw.behaviourScore(peer, now);
    }

    applicationScore(peer) { str('applicationScore', 'peer', peer); return this.#raw.applicationScore(peer); }
    lastDisconnect(peer) { str('lastDisconnect', 'peer', peer); return parseOr(this.#raw.lastDisconnect(peer), null); }

    peers(now) {
      now = this.#at(now);
      num('peers', 'now', now);
      return JSON.parse(this.#raw.peers(now));
    }

    peer(peer, now) {
      now = this.#at(now);
      str('peer', 'peer', peer); num('peer', 'now', now);
      return parseOr(this.#raw.peer(peer, now), null);
    }

    scoreStats(now) {
      now = this.#at(now);
      num('scoreStats', 'now', now);
      return JSON.parse(this.#raw.scoreStats(now));
    }

    peerState(peer) { str('peerState', 'peer', peer); return this.#raw.peerState(peer) ?? null; }
    nextDialAt(peer) { str('nextDialAt', 'peer', peer); return this.#raw.nextDialAt(peer) ?? null; }
    dialsInFlight() { return this.#raw.dialsInFlight(); }
    strikes(peer) { str('strikes', 'peer', peer); return this.#raw.strikes(peer); }
    softBanOf(peer) { str('softBanOf', 'peer', peer); return parseOr(this.#raw.softBanOf(peer), null); }
    isBenched(peer) { str('isBenched', 'peer', peer); return this.#raw.isBenched(peer); }
    isBlocked(peer) { str('isBlocked', 'peer', peer); return this.#raw.isBlocked(peer); }
    isHealthy(peer) { str('isHealthy', 'peer', peer); return this.#raw.isHealthy(peer); }
    isDisabled(peer) { str('isDisabled', 'peer', peer); return this.#raw.isDisabled(peer); }
    blocklistEpoch() { return this.#raw.blocklistEpoch(); }

    health(now) {
      now = this.#at(now);
      num('health', 'now', now);
      return JSON.parse(this.#raw.health(now));
    }

    isAligned(peer) { str('isAligned', 'peer', peer); return this.#raw.isAligned(peer); }
    forkStatus() { return this.#raw.forkStatus() ?? null; }
    nodeMode() { return this.#raw.nodeMode() ?? null; }

    statusLine(now) {
      now = this.#at(now);
      num('statusLine', 'now', now);
      return this.#raw.statusLine(now) ?? null;
    }

    statsLines(now) {
      now = this.#at(now);
      num('statsLines', 'now', now);
      return this.#raw.statsLines(now) ?? null;
    }

    stats(now) {
      now = this.#at(now);
      num('stats', 'now', now);
      return parseOr(this.#raw.stats(now), null);
    }

    get now() { return this.#raw.now(); }

    get config() {
      const { sections, ...flat } = this.#raw.config();
      return { ...flat, ...sections };
    }
    get autoClock() { return this.#autoClock; }

    // ---- persistence --------------------------------------------------------------------

    snapshot() { return this.#raw.snapshot(); }

    restore(bytes, now) {
      now = this.#at(now);
      num('restore', 'now', now);
      this.#raw.restore(bytes, now);
      // What was pending belonged to the replaced state.
      this.#events = [];
      this.#eventAt = 0;
      this.#commands = [];
      this.#commandAt = 0;
      this.#afterInput();
    }

    // ---- delivery -----------------------------------------------------------------------

    addEventListener(type, listener, options) {
      this.#startDelivering();
      super.addEventListener(type, listener, options);
    }

    /**
     * Drains commands, then events, dispatching each (and handing it to every iterator),
     * until both queues are empty. Returns how many it delivered.
     */
    flush() {
      if (this.#flushing) return 0;
      this.#flushing = true;
      this.#flushQueued = false;
      let delivered = 0;
      try {
        for (;;) {
          let item = this.pollCommand();
          if (item === undefined) item = this.pollEvent();
          if (item === undefined) break;
          delivered += 1;
          for (const it of this.#iterators) it.push(item);
          this.dispatchEvent(new CustomEvent(item.type, { detail: item }));
        }
      } finally {
        this.#flushing = false;
      }
      if (this.#autoClock) this.#arm();
      return delivered;
    }

    /**
     * Every command and event from now on, in order, until `close()` (or `return()` on the
     * iterator). Starts delivery like `addEventListener`.
     */
    events() {
      this.#startDelivering();
      const it = new Subscription(() => this.#iterators.delete(it));
      if (this.#closed) it.end();
      else this.#iterators.add(it);
      return it;
    }

    [Symbol.asyncIterator]() { return this.events(); }

    /**
     * Stops the clock's timer (an armed timer keeps a Node process alive, as any timer does) and
     * ends every iterator. Inputs still work afterwards, with explicit times.
     */
    close() {
      this.#closed = true;
      this.#autoClock = false;
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = undefined;
      for (const it of this.#iterators) it.end();
      this.#iterators.clear();
    }

    /**
     * Closes the manager and releases the engine's memory now (otherwise that happens after
     * garbage collection). Any later call throws an Error.
     */
    free() {
      this.close();
      this.#raw.free();
    }

    // ---- internals ----------------------------------------------------------------------

    #now(now) {
      return now === undefined && this.#autoClock ? Date.now() : now;
    }

    /** A getter's time: the clock's with `autoClock`, else the latest time given. */
    #at(now) {
      if (now !== undefined) return now;
      return this.#autoClock ? Math.max(Date.now(), this.#raw.now()) : this.#raw.now();
    }

    /** An input taking only a peer and a time. */
    #peerInput(method, peer, now) {
      now = this.#now(now);
      str(method, 'peer', peer); num(method, 'now', now);
      const result = this.#raw[method](peer, now);
      this.#afterInput();
      return result;
    }

    #afterInput() {
      if (this.#delivering) this.#queueFlush();
    }

    #startDelivering() {
      if (!this.#delivering) {
        this.#delivering = true;
        this.#queueFlush();
      }
    }

    #queueFlush() {
      if (this.#flushQueued || this.#flushing) return;
      this.#flushQueued = true;
      queueMicrotask(() => { if (this.#flushQueued) this.flush(); });
    }

    /** Sleeps until the manager's next deadline, then runs it on `Date.now()`. */
    #arm() {
      const at = this.#raw.pollTimeout();
      if (at === this.#timerAt) return;
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = at;
      if (at === undefined) return;
      const delay = Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS);
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#timerAt = undefined;
        if (!this.#autoClock) return;
        this.#raw.handleTimeout(Math.max(Date.now(), this.#raw.now()));
        this.flush();
      }, delay);
    }
  }

  /** An async iterator over a manager's commands and events. */
  class Subscription {
    #buffer = [];
    #waiting = [];
    #done = false;
    #onReturn;

    constructor(onReturn) { this.#onReturn = onReturn; }

    push(item) {
      if (this.#done) return;
      const w = this.#waiting.shift();
      if (w) w({ value: item, done: false });
      else this.#buffer.push(item);
    }

    end() {
      this.#done = true;
      for (const w of this.#waiting.splice(0)) w({ value: undefined, done: true });
    }

    next() {
      if (this.#buffer.length > 0) return Promise.resolve({ value: this.#buffer.shift(), done: false });
      if (this.#done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => this.#waiting.push(resolve));
    }

    return() {
      this.#buffer.length = 0;
      this.end();
      this.#onReturn();
      return Promise.resolve({ value: undefined, done: true });
    }

    [Symbol.asyncIterator]() { return this; }
  }

  /** Constructors for decay functions, in the shape `tagPeerDecaying` takes. */
  const decay = Object.freeze({
    none: () => ({ kind: 'none' }),
    fixed: (amount) => ({ kind: 'fixed', amount }),
    linear: (coef) => ({ kind: 'linear', coef }),
    expireWhenInactive: (after) => ({ kind: 'expire_when_inactive', after }),
  });

  /** Constructors for bump functions, in the shape `tagPeerDecaying` takes. */
  const bump = Object.freeze({
    sum: () => ({ kind: 'sum' }),
    sumBounded: (min, max) => ({ kind: 'sum_bounded', min, max }),
    overwrite: () => ({ kind: 'overwrite' }),
  });

  return { PeerManager, decay, bump, version: raw.version, goodbyeCode };

  /** The goodbye code a disconnect reason sends on the wire, or null. */
  function goodbyeCode(reason) {
    str('goodbyeCode', 'reason', reason);
    return RawPeerManager.goodbyeCode(reason) ?? null;
  }
}

/**
 * Makes `report.entries` build its objects on first access (then keep them): a 10 000-peer
 * report costs its typed-array columns until someone reads the entries. `report.columns`
 * hands the columns over as they are, for callers that only need, say, the scores.
 */
function lazyEntries(report, parts, names) {
  const columns = trimColumns(parts, names);
  let entries;
  Object.defineProperty(report, 'entries', {
    enumerable: true,
    configurable: true,
    get() { return (entries ??= entriesOf(columns)); },
    set(v) { entries = v; },
  });
  Object.defineProperty(report, 'columns', { enumerable: false, configurable: true, value: columns });
}

const utf8 = new TextDecoder();
const NO_HANDLE = 0xffffffff;

/** A trim report's entries column by column; `text` and `lengths` are built on first read. */
function trimColumns([handles, bytes, lengths, scores, ranks, verdicts, verdictNames, connectedAt], names) {
  const peers = peersOf(handles, bytes, lengths, names);
  let text;
  let idLengths;
  return {
    peers, scores, ranks, verdicts, verdictNames, connectedAt,
    get text() { return (text ??= peers.join('')); },
    get lengths() { return (idLengths ??= Uint32Array.from(peers, (p) => p.length)); },
  };
}

/**
 * Each entry's peer id: the string filed under its handle when it connected, read now (a
 * handle is reused once its peer has left), or, for a peer without one, from the engine's text.
 */
function peersOf(handles, bytes, lengths, names) {
  const peers = new Array(handles.length);
  let text;
  for (let i = 0, j = 0, at = 0; i < handles.length; i++) {
    const h = handles[i];
    if (h !== NO_HANDLE) {
      peers[i] = names[h];
    } else {
      text ??= utf8.decode(bytes);
      peers[i] = text.slice(at, (at += lengths[j++]));
    }
  }
  return peers;
}

/** A trim report's entries from their columns. */
function entriesOf({ peers, scores, ranks, verdicts, verdictNames, connectedAt }) {
  const entries = new Array(peers.length);
  for (let i = 0; i < peers.length; i++) {
    const rank = ranks[i] === 0 ? null : ranks[i];
    entries[i] = { peer: peers[i], score: scores[i], rank, verdict: verdictNames[verdicts[i]], connectedAt: connectedAt[i] };
  }
  return entries;
}

/** Describes a value in an error message the way the engine does (`NaN`, `"abc"`, `an object`). */
function describe(v) {
  if (typeof v === 'string') return v.length > 40 ? `${JSON.stringify(v.slice(0, 40))}...` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') return `a ${typeof v}`;
  return Array.isArray(v) ? 'an array' : 'an object';
}

// Type checks happen here, where `typeof` is free; the engine checks values (NaN, ranges, names).
function str(method, arg, v) {
  if (typeof v !== 'string') throw new TypeError(`${method}: ${arg} must be a string, got ${describe(v)}`);
}

function bool(method, arg, v) {
  if (typeof v !== 'boolean') throw new TypeError(`${method}: ${arg} must be a boolean, got ${describe(v)}`);
}

/** JSON text from the engine, or `fallback` for its `undefined`. */
function parseOr(json, fallback) {
  return json === undefined ? fallback : JSON.parse(json);
}

/** `request_blocks` -> `requestBlocks`. */
function camel(snake) {
  return snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

function num(method, arg, v) {
  if (typeof v !== 'number') throw new TypeError(`${method}: ${arg} must be a number, got ${describe(v)}`);
}

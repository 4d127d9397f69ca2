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
      this.#raw = new RawPeerManager(rest);
      this.#autoClock = autoClock;
      this.#delivering = autoClock;
    }

    // ---- inputs -------------------------------------------------------------------------

    connected(peer, conn, direction, now) {
      now = this.#now(now);
      str('connected', 'peer', peer); num('connected', 'conn', conn);
      str('connected', 'direction', direction); num('connected', 'now', now);
      this.#raw.connected(peer, conn, direction, now);
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
          for (const e of events) if (e.type === 'trim') e.report.entries = entriesOf(columns[e.report.entries]);
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
        // [text, lengths]: reasons and peers concatenated, with their lengths (see drainCommands).
        const [text, lengths] = batch;
        const commands = new Array(lengths.length / 2);
        for (let i = 0, at = 0; i < lengths.length; i += 2) {
          const reason = text.slice(at, (at += lengths[i]));
          const peer = text.slice(at, (at += lengths[i + 1]));
          commands[i / 2] = { type: 'disconnect', peer, reason };
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
    get now() { return this.#raw.now(); }
    get config() { return this.#raw.config(); }
    get autoClock() { return this.#autoClock; }

    // ---- persistence --------------------------------------------------------------------

    snapshot() { return this.#raw.snapshot(); }

    restore(bytes) {
      this.#raw.restore(bytes);
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

  return { PeerManager, decay, bump, version: raw.version };
}

/** A trim report's entries from their columns. */
function entriesOf({ text, lengths, scores, ranks, verdicts, verdictNames, connectedAt }) {
  const entries = new Array(lengths.length);
  for (let i = 0, at = 0; i < lengths.length; i++) {
    const peer = text.slice(at, (at += lengths[i]));
    const rank = ranks[i] === 0 ? null : ranks[i];
    entries[i] = { peer, score: scores[i], rank, verdict: verdictNames[verdicts[i]], connectedAt: connectedAt[i] };
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

function num(method, arg, v) {
  if (typeof v !== 'number') throw new TypeError(`${method}: ${arg} must be a number, got ${describe(v)}`);
}

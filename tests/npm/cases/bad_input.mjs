// Each bad-input rule: the error's type and message (naming the method and the argument), the
// manager's state unchanged by the rejected call, and the manager still working after it.

function populated(api) {
  const pm = new api.PeerManager({ lowWater: 1, highWater: 5, gracePeriod: 100 });
  pm.connected('a', 1, 'inbound', 10);
  pm.connected('b', 2, 'outbound', 20);
  pm.tagPeer('a', 'kbucket', 3);
  pm.tagPeerDecaying('b', 'gossip', 40, 1000, api.decay.fixed(5), 20);
  pm.protect('a', 'relay');
  while (pm.pollEvent() !== undefined);
  return pm;
}

/** Everything observable without consuming anything. */
function fingerprint(pm) {
  return JSON.stringify({
    snapshot: Array.from(pm.snapshot()), now: pm.now, peers: pm.connectedPeers(), timeout: pm.pollTimeout(),
    a: pm.tags('a'), b: pm.tags('b'), scores: [pm.peerScore('a'), pm.peerScore('b')], known: pm.knownPeerCount(),
  });
}

const S = Symbol('s');

/** [call, error class name, message]: a call taking a populated manager. */
const METHOD_RULES = [
  ["tagPeer('a', 't', NaN)", (pm) => pm.tagPeer('a', 't', NaN), 'RangeError', 'tagPeer: value must be a finite integer, got NaN'],
  ["tagPeer('a', 't', 1.5)", (pm) => pm.tagPeer('a', 't', 1.5), 'RangeError', 'tagPeer: value must be a finite integer, got 1.5'],
  ["tagPeer('a', 't', Infinity)", (pm) => pm.tagPeer('a', 't', Infinity), 'RangeError', 'tagPeer: value must be a finite integer, got Infinity'],
  ["tagPeer('a', 't', 2 ** 53)", (pm) => pm.tagPeer('a', 't', 2 ** 53), 'RangeError', 'tagPeer: value must be between -9007199254740991 and 9007199254740991, got 9007199254740992'],
  ["tagPeer('a', 't', '1')", (pm) => pm.tagPeer('a', 't', '1'), 'TypeError', 'tagPeer: value must be a number, got "1"'],
  ["tagPeer('a', 't', 1n)", (pm) => pm.tagPeer('a', 't', 1n), 'TypeError', 'tagPeer: value must be a number, got a bigint'],
  ["tagPeer(42, 't', 1)", (pm) => pm.tagPeer(42, 't', 1), 'TypeError', 'tagPeer: peer must be a string, got 42'],
  ["tagPeer('', 't', 1)", (pm) => pm.tagPeer('', 't', 1), 'RangeError', 'tagPeer: peer must not be empty'],
  ["tagPeer('a', undefined, 1)", (pm) => pm.tagPeer('a', undefined, 1), 'TypeError', 'tagPeer: tag must be a string, got undefined'],
  ["connected('a', -1, 'inbound', 0)", (pm) => pm.connected('a', -1, 'inbound', 0), 'RangeError', 'connected: conn must be between 0 and 9007199254740991, got -1'],
  ["connected('c', 3, 'sideways', 30)", (pm) => pm.connected('c', 3, 'sideways', 30), 'RangeError', 'connected: direction must be "inbound" or "outbound", got "sideways"'],
  ["connected('c', 3, 1, 30)", (pm) => pm.connected('c', 3, 1, 30), 'TypeError', 'connected: direction must be a string, got 1'],
  ["connected('c', 3, 'inbound', -5)", (pm) => pm.connected('c', 3, 'inbound', -5), 'RangeError', 'connected: now must be between 0 and 9007199254740991, got -5'],
  ["connected('c', 3, 'inbound')", (pm) => pm.connected('c', 3, 'inbound'), 'TypeError', 'connected: now must be a number, got undefined'],
  ["disconnected('a', 1, Infinity)", (pm) => pm.disconnected('a', 1, Infinity), 'RangeError', 'disconnected: now must be a finite integer, got Infinity'],
  ["disconnected('a', null, 30)", (pm) => pm.disconnected('a', null, 30), 'TypeError', 'disconnected: conn must be a number, got null'],
  ['handleTimeout(NaN)', (pm) => pm.handleTimeout(NaN), 'RangeError', 'handleTimeout: now must be a finite integer, got NaN'],
  ["trim('soon')", (pm) => pm.trim('soon'), 'TypeError', 'trim: now must be a number, got "soon"'],
  ["untagPeer(null, 't')", (pm) => pm.untagPeer(null, 't'), 'TypeError', 'untagPeer: peer must be a string, got null'],
  ["upsertTag('a', 't', 5)", (pm) => pm.upsertTag('a', 't', 5), 'TypeError', 'upsertTag: fn must be a function, got 5'],
  ["upsertTag('a', 'kbucket', () => NaN)", (pm) => pm.upsertTag('a', 'kbucket', () => NaN), 'RangeError', 'upsertTag: the value fn returned must be a finite integer, got NaN'],
  ["upsertTag('a', 'kbucket', () => 'x')", (pm) => pm.upsertTag('a', 'kbucket', () => 'x'), 'TypeError', 'upsertTag: the value fn returned must be a number, got "x"'],
  ["upsertTag('a', 'kbucket', () => { throw })", (pm) => pm.upsertTag('a', 'kbucket', () => { throw new Error('boom'); }), 'Error', 'boom'],
  ["tagPeerDecaying(..., 'exponential', 0)", (pm) => pm.tagPeerDecaying('a', 't', 1, 100, 'exponential', 0), 'RangeError', 'tagPeerDecaying: unknown decay "exponential" (expected "none", "fixed", "linear" or "expire_when_inactive")'],
  ["tagPeerDecaying(..., { kind: 'fixed' }, 0)", (pm) => pm.tagPeerDecaying('a', 't', 1, 100, { kind: 'fixed' }, 0), 'TypeError', 'tagPeerDecaying: decay.amount must be a number, got undefined'],
  ["tagPeerDecaying(..., 'fixed', 0)", (pm) => pm.tagPeerDecaying('a', 't', 1, 100, 'fixed', 0), 'TypeError', 'tagPeerDecaying: decay "fixed" needs its parameters: pass an object'],
  ["tagPeerDecaying(..., { kind: 'linear', coef: 2 }, 0)", (pm) => pm.tagPeerDecaying('a', 't', 1, 100, { kind: 'linear', coef: 2 }, 0), 'RangeError', 'tagPeerDecaying: decay.coef must be within [0, 1], got 2'],
  ["tagPeerDecaying(..., { kind: 'linear', coef: NaN }, 0)", (pm) => pm.tagPeerDecaying('a', 't', 1, 100, { kind: 'linear', coef: NaN }, 0), 'RangeError', 'tagPeerDecaying: decay.coef must be within [0, 1], got NaN'],
  ["tagPeerDecaying(..., { kind: 'expire_when_inactive', after: -1 }, 0)", (pm) => pm.tagPeerDecaying('a', 't', 1, 100, { kind: 'expire_when_inactive', after: -1 }, 0), 'RangeError', 'tagPeerDecaying: decay.after must be between 0 and 9007199254740991, got -1'],
  ['tagPeerDecaying(..., 42, 0)', (pm) => pm.tagPeerDecaying('a', 't', 1, 100, 42, 0), 'TypeError', 'tagPeerDecaying: decay must be a string or an object with a `kind`, got 42'],
  ['tagPeerDecaying(..., { kind: 7 }, 0)', (pm) => pm.tagPeerDecaying('a', 't', 1, 100, { kind: 7 }, 0), 'TypeError', 'tagPeerDecaying: decay.kind must be a string, got 7'],
  ["tagPeerDecaying(..., -100, 'none', 0)", (pm) => pm.tagPeerDecaying('a', 't', 1, -100, 'none', 0), 'RangeError', 'tagPeerDecaying: interval must be between 0 and 9007199254740991, got -100'],
  ["tagPeerDecaying(..., 'none', 0, 'max')", (pm) => pm.tagPeerDecaying('a', 't', 1, 100, 'none', 0, 'max'), 'RangeError', 'tagPeerDecaying: unknown bump "max" (expected "sum", "sum_bounded" or "overwrite")'],
  ["tagPeerDecaying(..., 'none', 0, sumBounded(5, 1))", (pm) => pm.tagPeerDecaying('a', 't', 1, 100, 'none', 0, { kind: 'sum_bounded', min: 5, max: 1 }), 'RangeError', 'tagPeerDecaying: bump.min must not exceed bump.max (5 > 1)'],
  ["tagPeerDecaying('a', 't', 1, 100, 'none')", (pm) => pm.tagPeerDecaying('a', 't', 1, 100, 'none'), 'TypeError', 'tagPeerDecaying: now must be a number, got undefined'],
  ["bumpDecayingTag('b', 'gossip', NaN, 30)", (pm) => pm.bumpDecayingTag('b', 'gossip', NaN, 30), 'RangeError', 'bumpDecayingTag: delta must be a finite integer, got NaN'],
  ["bumpDecayingTag('b', 'gossip', 1, -1)", (pm) => pm.bumpDecayingTag('b', 'gossip', 1, -1), 'RangeError', 'bumpDecayingTag: now must be between 0 and 9007199254740991, got -1'],
  ["removeDecayingTag('b', 3)", (pm) => pm.removeDecayingTag('b', 3), 'TypeError', 'removeDecayingTag: tag must be a string, got 3'],
  ["protect('a', '')", (pm) => pm.protect('a', ''), 'RangeError', 'protect: tag must not be empty'],
  ["unprotect(undefined, 'relay')", (pm) => pm.unprotect(undefined, 'relay'), 'TypeError', 'unprotect: peer must be a string, got undefined'],
  ["isProtected('a', 5)", (pm) => pm.isProtected('a', 5), 'TypeError', 'isProtected: tag must be a string, got 5'],
  ['peerScore({})', (pm) => pm.peerScore({}), 'TypeError', 'peerScore: peer must be a string, got an object'],
  ["tagValue('a', null)", (pm) => pm.tagValue('a', null), 'TypeError', 'tagValue: tag must be a string, got null'],
  ['tags(Symbol())', (pm) => pm.tags(S), 'TypeError', 'tags: peer must be a string, got a symbol'],
  ['isConnected([])', (pm) => pm.isConnected([]), 'TypeError', 'isConnected: peer must be a string, got an array'],
  ['isClosing(true)', (pm) => pm.isClosing(true), 'TypeError', 'isClosing: peer must be a string, got true'],
  ['connectionCount(() => 1)', (pm) => pm.connectionCount(() => 1), 'TypeError', 'connectionCount: peer must be a string, got a function'],
  ["restore('bytes')", (pm) => pm.restore('bytes'), 'TypeError', 'restore: bytes must be a Uint8Array, got "bytes"'],
  ['restore(new Uint8Array([1, 2, 3]))', (pm) => pm.restore(new Uint8Array([1, 2, 3])), 'RangeError', 'restore: bytes are not a peerkeeper snapshot'],
];

/** [config, error class name, message] for the constructor. */
const CONFIG_RULES = [
  ["'x'", 'x', 'TypeError', 'PeerManager: config must be an object, got "x"'],
  ['null', null, 'TypeError', 'PeerManager: config must be an object, got null'],
  ['{ lowWater: 9, highWater: 3 }', { lowWater: 9, highWater: 3 }, 'RangeError', 'PeerManager: config.lowWater must not exceed config.highWater (9 > 3)'],
  ['{ highWater: 0, lowWater: 0 }', { highWater: 0, lowWater: 0 }, 'RangeError', 'PeerManager: config.highWater must be at least 1'],
  ['{ decayResolution: 0 }', { decayResolution: 0 }, 'RangeError', 'PeerManager: config.decayResolution must be at least 1 ms'],
  ['{ lowwater: 1 }', { lowwater: 1 }, 'TypeError', 'PeerManager: unknown config field "lowwater" (known: lowWater, highWater, gracePeriod, silencePeriod, decayResolution, outboundBonus, retentionMs, maxRetainedPeers, hashSeed, trackLifecycle, chain, behaviour, strikes, lifecycle, backoff, benchlist, blocklist, peerExchange, upgrades, inbound, health, fork)'],
  ['{ highWater: -1 }', { highWater: -1 }, 'RangeError', 'PeerManager: config.highWater must be between 0 and 4294967295, got -1'],
  ["{ gracePeriod: '5' }", { gracePeriod: '5' }, 'TypeError', 'PeerManager: config.gracePeriod must be a number, got "5"'],
  ['{ retentionMs: NaN }', { retentionMs: NaN }, 'RangeError', 'PeerManager: config.retentionMs must be a finite integer, got NaN'],
  ['{ hashSeed: -1n }', { hashSeed: -1n }, 'RangeError', 'PeerManager: config.hashSeed must be a bigint in [0, 2^64)'],
  ["{ autoClock: 'yes' }", { autoClock: 'yes' }, 'TypeError', 'PeerManager: config.autoClock must be a boolean, got "yes"'],
];

export const cases = [
  ...METHOD_RULES.map(([call, fn, errorName, message]) => [
    `${call} throws ${errorName} "${message}", changes nothing, and the manager keeps working`,
    (api, t) => {
      const pm = populated(api);
      const before = fingerprint(pm);
      t.throwsExactly(() => fn(pm), errorName, message);
      t.equal(fingerprint(pm), before, 'state untouched');
      t.equal(pm.pollEvent(), undefined, 'no event from a rejected call');
      pm.tagPeer('a', 'after', 7);
      t.equal(pm.tagValue('a', 'after'), 7);
      pm.trim(5000);
      t.deepEqual(pm.pollCommand(), { type: 'disconnect', peer: 'b', reason: 'too_many_peers' });
    },
  ]),
  ...CONFIG_RULES.map(([shown, config, errorName, message]) => [
    `new PeerManager(${shown}) throws ${errorName} "${message}" and the next manager works`,
    (api, t) => {
      t.throwsExactly(() => new api.PeerManager(config), errorName, message);
      const pm = new api.PeerManager({ lowWater: 1, highWater: 2 });
      pm.tagPeer('a', 't', 1);
      t.equal(pm.peerScore('a'), 1);
    },
  ]),
];

// Issues 4-6 through the package: behaviour reports and bans, strikes and soft bans, the
// lifecycle and dialling, the blocklist across epochs, rate limits, health and the fork view;
// every command and event they cause, and each bad-input rule of their methods.

function drain(pm) {
  const out = [];
  for (let e; (e = pm.pollCommand() ?? pm.pollEvent()) !== undefined;) out.push(e);
  return out;
}

const H = (n) => n.toString(16).padStart(64, '0');
const CHAIN = { head: { number: 10, id: H(10), parent: H(9), producer: 'alice' }, lib: { number: 5, id: H(5) } };
const status = (networkId, head = 12) => ({
  networkId, forkDigest: '01020304', head: { number: head, id: H(head) }, lib: { number: 5, id: H(5) },
  range: { earliest: 1, latest: head }, nodeMode: 'forward', forkStatus: 'normal',
});

export const cases = [
  ['reports move the behaviour score, a low one disconnects, a lower one bans until the ban duration ends', (api, t) => {
    const pm = new api.PeerManager({ behaviour: { banDurationMs: 1000 } });
    pm.connected('a', 1, 'inbound', 10);
    pm.setAgentVersion('a', 'lighthouse/v5');
    pm.setAddress('a', '/ip4/127.0.0.1/tcp/9000');
    drain(pm);
    t.equal(pm.reportPeer('a', 'low_tolerance', 'invalid_block', 20), -10);
    t.equal(pm.reportPeer('a', 'low_tolerance', 'invalid_block', 20), -20);
    t.deepEqual(pm.pollCommand(), { type: 'disconnect', peer: 'a', reason: 'bad_score' });
    t.equal(pm.reportPeer('a', -35, 'gossip spam', 20), -55);
    t.equal(pm.pollCommand(), undefined, 'already closing');
    t.deepEqual(drain(pm), [
      { type: 'behaviourReported', peer: 'a', action: 'low_tolerance', name: 'invalid_block', requested: null, delta: -10, score: -10, at: 20 },
      { type: 'behaviourReported', peer: 'a', action: 'low_tolerance', name: 'invalid_block', requested: null, delta: -10, score: -20, at: 20 },
      { type: 'behaviourReported', peer: 'a', action: 'custom', name: 'gossip spam', requested: -35, delta: -35, score: -55, at: 20 },
      { type: 'banned', peer: 'a', until: 1020, reason: 'banned', at: 20 },
    ]);
    t.equal(pm.isBanned('a'), true);
    t.deepEqual(pm.allowConnection('a'), { type: 'banned', until: 1020, reason: 'banned' });
    t.equal(pm.allowConnection('b'), null);
    t.deepEqual(pm.lastDisconnect('a'), { reason: 'bad_score', code: 250, sent: true, at: 20 });
    t.deepEqual(pm.peer('a'), {
      peerId: 'a', enr: null, lastSeenP2pAddress: '/ip4/127.0.0.1/tcp/9000', state: 'disconnecting', direction: 'inbound',
      agentVersion: 'lighthouse/v5', score: -55, disconnectReason: 'bad_score', downscoreReasons: ['spam'],
    });
    t.deepEqual(pm.scoreStats(), [{
      peerId: 'a', behaviourScore: -55, applicationScore: 0, tagScore: 0, score: -55,
      lastActionName: 'gossip spam', lastActionDelta: -35, lastActionTime: 20, bannedUntil: 1020,
    }]);
    t.equal(pm.peer('nobody'), null);
    pm.disconnected('a', 1, 30);
    pm.handleTimeout(1020);
    t.deepEqual(drain(pm).map((e) => e.type), ['disconnected', 'unbanned']);
    t.equal(pm.isBanned('a'), false);
    t.equal(pm.allowConnection('a'), null);
  }],

  ['application scores, goodbyes and goodbye codes cross as documented', (api, t) => {
    const pm = new api.PeerManager();
    pm.connected('a', 1, 'outbound', 5);
    pm.connected('b', 2, 'inbound', 5);
    pm.setApplicationScore('a', 2.5, 6);
    t.equal(pm.applicationScore('a'), 2.5);
    t.equal(pm.peerScore('a'), 2.5);
    t.equal(pm.behaviourScore('a'), 0);
    t.equal(pm.goodbyeReceived('b', 3, 7), 'io_error');
    t.deepEqual(pm.lastDisconnect('b'), { reason: 'io_error', code: 3, sent: false, at: 7 });
    t.equal(pm.disconnectWithGoodbye('a', 'client_shutdown', 8), true);
    t.equal(pm.disconnectWithGoodbye('a', 'client_shutdown', 8), false, 'already closing');
    t.deepEqual(pm.pollCommand(), { type: 'disconnect', peer: 'a', reason: 'client_shutdown' });
    t.equal(api.goodbyeCode('client_shutdown'), 1);
    t.equal(api.goodbyeCode('inbound_disconnect'), null);
  }],

  ['strikes soft-ban at the threshold, a valid packet resets them, and soft bans refuse connections', (api, t) => {
    const pm = new api.PeerManager({ strikes: { threshold: 2, banDuration: 500 } });
    pm.connected('s', 1, 'inbound', 1);
    drain(pm);
    t.deepEqual(pm.strike('s', 'duplicate_block', 2), { type: 'not_counted', peer: 's', kind: 'duplicate_block' });
    t.deepEqual(pm.strike('s', 'deserialization', 3), { type: 'counted', peer: 's', kind: 'deserialization', strikes: 1, threshold: 2 });
    t.equal(pm.strikes('s'), 1);
    pm.validPacket('s', 4);
    t.equal(pm.strikes('s'), 0);
    pm.strike('s', 'protocol_violation', 5);
    t.deepEqual(pm.strike('s', 'protocol_violation', 6), {
      type: 'soft_banned', peer: 's', kind: 'protocol_violation', strikes: 2, since: 6, until: 506, reason: 'spam strike threshold exceeded',
    });
    t.deepEqual(pm.softBanOf('s'), { since: 6, until: 506, reason: 'spam strike threshold exceeded' });
    t.deepEqual(pm.allowConnection('s'), { type: 'soft_banned', until: 506, reason: 'spam strike threshold exceeded' });
    t.deepEqual(drain(pm), [
      { type: 'disconnect', peer: 's', reason: 'banned' },
      { type: 'struck', peer: 's', kind: 'duplicate_block', counted: false, strikes: 0, threshold: 2, at: 2 },
      { type: 'struck', peer: 's', kind: 'deserialization', counted: true, strikes: 1, threshold: 2, at: 3 },
      { type: 'strikesReset', peer: 's', cleared: 1, at: 4 },
      { type: 'struck', peer: 's', kind: 'protocol_violation', counted: true, strikes: 1, threshold: 2, at: 5 },
      { type: 'struck', peer: 's', kind: 'protocol_violation', counted: true, strikes: 2, threshold: 2, at: 6 },
      { type: 'softBanned', peer: 's', reason: 'spam strike threshold exceeded', until: 506, at: 6 },
    ]);
    t.deepEqual(pm.softBan('o', 'operator', 10), { since: 10, until: 510, reason: 'operator' });
    t.equal(pm.softBanOf('nobody'), null);
  }],

  ['with trackLifecycle an added peer is dialled, a failed dial is rescheduled one backoff later', (api, t) => {
    const pm = new api.PeerManager({ trackLifecycle: true, backoff: { initialBackoff: 1000, maxBackoff: 8000 } });
    t.equal(pm.addPeer('d', 100), true);
    t.equal(pm.addPeer('d', 100), false);
    t.equal(pm.peerState('d'), 'connect');
    t.equal(pm.dialsInFlight(), 1);
    t.deepEqual(pm.pollCommand(), { type: 'dial', peer: 'd' });
    t.equal(pm.dialFailed('d', 200), true);
    t.equal(pm.nextDialAt('d'), 1200);
    const events = drain(pm);
    t.deepEqual(events.filter((e) => e.type === 'dialScheduled'), [
      { type: 'dialScheduled', peer: 'd', due: 1200, backoff: 1000, failures: 1, at: 200 },
    ]);
    pm.handleTimeout(1200);
    t.deepEqual(pm.pollCommand(), { type: 'dial', peer: 'd' });
    pm.connected('d', 1, 'outbound', 1300);
    t.equal(pm.peerState('d'), 'handshake');
    t.equal(pm.handshakeCompleted('d', 1301), true);
    t.equal(pm.syncStarted('d', 1302), true);
    t.equal(pm.syncFinished('d', 1303), true);
    t.equal(pm.peerState('d'), 'active');
    t.equal(new api.PeerManager().peerState('d'), null);
  }],

  ['a block carries into the next epoch with a probe, a passed probe unblocks, an absent peer is dropped', (api, t) => {
    const pm = new api.PeerManager();
    t.equal(pm.setRole('p', 'primary'), true);
    t.equal(pm.block('p', 'unreachable', 10), 'blocked');
    t.equal(pm.block('p', 'unreachable', 11), 'already_blocked');
    t.equal(pm.block('q', 'bad', 12), 'blocked');
    t.equal(pm.isBlocked('p'), true);
    t.deepEqual(pm.allowConnection('p'), { type: 'blocked', reason: 'unreachable' });
    drain(pm);
    t.equal(pm.epochTransition([{ peer: 'p', role: 'backup' }, { peer: 'r', role: 'primary' }], 20), 1);
    t.equal(pm.blocklistEpoch(), 1);
    t.deepEqual(drain(pm), [
      { type: 'probe', peer: 'p' },
      { type: 'epochTransitioned', epoch: 1, reblocked: [{ peer: 'p', role: 'backup' }], dropped: ['q'], at: 20 },
      { type: 'unblocked', peer: 'q', cause: 'dropped_at_epoch', at: 20 },
    ]);
    t.equal(pm.probeResult('p', true, 30), 'unblocked');
    t.equal(pm.probeResult('p', true, 31), 'not_pending');
    t.equal(pm.isBlocked('p'), false);
    t.equal(pm.transportFailure('r', 'dial', 40), false);
    t.equal(pm.isHealthy('r'), false);
    pm.transportFailure('r', 'tls', 41);
    t.equal(pm.transportFailure('r', 'reset', 42), true);
    t.equal(pm.isDisabled('r'), true);
    pm.applicationError('r', 503, 43);
    t.deepEqual(drain(pm).map((e) => e.type), ['unblocked', 'peerDisabled']);
  }],

  ['rate limits, the inbound throttle, the benchlist and health answer with typed decisions', (api, t) => {
    const pm = new api.PeerManager({ peerExchange: { maxRequests: 1, window: 1000 }, health: { minConnectedPeers: 1 } });
    t.deepEqual(pm.peerExchangeRequest('x', 10), { type: 'allow' });
    t.deepEqual(pm.peerExchangeRequest('x', 20), { type: 'deny', retryAt: 1010 });
    t.deepEqual(pm.shouldUpgrade('127.0.0.1', 30), { type: 'allow' });
    t.deepEqual(pm.shouldUpgrade('127.0.0.1', 31), { type: 'deny_ip', retryAt: 10030 });
    t.deepEqual(pm.shouldUpgrade('::1', 32), { type: 'allow' });
    t.deepEqual(pm.inboundMessage('x', 100, 40), { type: 'allow' });
    t.deepEqual(pm.inboundMessage('x', 10 * 1024 * 1024, 41), { type: 'drop', reason: 'too_large' });
    pm.registerFailure('x', 50);
    t.equal(pm.isBenched('x'), false, 'one failure is not enough to bench');
    pm.registerResponse('x', 51);
    pm.messageSent(60);
    pm.sendFailed(61);
    const h = pm.health(62);
    t.equal(h.healthy, false);
    t.deepEqual(h.reasons, [{ type: 'too_few_peers', connected: 0, min: 1 }]);
    t.equal(h.checks.network.message.connectedPeers, 0);
    t.equal(typeof h.checks.network.error, 'string');
  }],

  ['with a fork section the manager follows a chain: another network is closed, and the status lines render', (api, t) => {
    const pm = new api.PeerManager({ fork: { networkId: 1, forkDigest: '01020304' }, chain: CHAIN });
    t.equal(pm.config.fork.networkId, 1);
    t.equal(pm.forkStatus(), 'normal');
    t.equal(pm.nodeMode(), 'sync');
    pm.connected('far', 1, 'outbound', 1);
    pm.connected('near', 2, 'outbound', 1);
    pm.statusReceived('far', status(2), 2);
    pm.statusReceived('near', status(1), 2);
    t.deepEqual(pm.pollCommand(), { type: 'disconnect', peer: 'far', reason: 'irrelevant_network' });
    t.equal(pm.statusLine(1000), 'DLT Status | SYNC | head=#10 lib=#5 | dlt_range=none | peers=0active/1conn | uptime=0h00m01s | flags=none');
    t.equal(pm.statsLines(1000).split('\n')[0], '=== DLT P2P Stats | status=SYNC fork=NORMAL head=10 lib=5 peers=2 conn=1 paused=no uptime=0h00m01s ===');
    const stats = pm.stats(1000);
    t.deepEqual(stats.peers.map((p) => [p.address, p.line.shape]), [['far', 'live'], ['near', 'live']]);
    pm.blockApplied({ number: 11, id: H(11), parent: H(10), producer: 'bob' }, 'near', 3);
    pm.headersReceived('near', [{ number: 12, id: H(12), parent: H(11) }], 4);
    pm.libAdvanced({ number: 6, id: H(6) }, 5);
    pm.setPeerWeight('near', 5, 6);
    pm.setPeerWeight('near', null, 6);
    pm.setPaused(true, 7);
    t.equal(pm.stats(8).node.paused, true);
    pm.forkMismatchReported('near', 9);
    t.equal(pm.isAligned('near'), false);
    const plain = new api.PeerManager();
    t.equal(plain.statusLine(), null);
    t.equal(plain.forkStatus(), null);
    t.equal(plain.isAligned('x'), true);
  }],
];

const populated = (api) => {
  const pm = new api.PeerManager({ lowWater: 1, highWater: 5 });
  pm.connected('a', 1, 'inbound', 10);
  drain(pm);
  return pm;
};

/** [call, error class name, message]. */
const RULES = [
  ["reportPeer('a', 'bad', 'x', 20)", (pm) => pm.reportPeer('a', 'bad', 'x', 20), 'RangeError', 'reportPeer: unknown action "bad" (expected one of "fatal", "low_tolerance", "mid_tolerance", "high_tolerance", or a number)'],
  ["reportPeer('a', Infinity, 'x', 20)", (pm) => pm.reportPeer('a', Infinity, 'x', 20), 'RangeError', 'reportPeer: action must be a finite number or a tier name, got Infinity'],
  ["reportPeer('a', {}, 'x', 20)", (pm) => pm.reportPeer('a', {}, 'x', 20), 'TypeError', 'reportPeer: action must be a tier name or a number, got an object'],
  ["reportPeer('a', 'fatal', undefined, 20)", (pm) => pm.reportPeer('a', 'fatal', undefined, 20), 'TypeError', 'reportPeer: name must be a string, got undefined'],
  ["setApplicationScore('a', NaN, 20)", (pm) => pm.setApplicationScore('a', NaN, 20), 'RangeError', 'setApplicationScore: score must be a finite number, got NaN'],
  ["goodbyeReceived('a', -1, 20)", (pm) => pm.goodbyeReceived('a', -1, 20), 'RangeError', 'goodbyeReceived: code must be between 0 and 9007199254740991, got -1'],
  ["disconnectWithGoodbye('a', 'rude', 20)", (pm) => pm.disconnectWithGoodbye('a', 'rude', 20), 'RangeError', 'disconnectWithGoodbye: unknown reason "rude" (expected one of "client_shutdown", "irrelevant_network", "io_error", "unviable_fork", "too_many_peers", "bad_score", "banned", "inbound_disconnect", "unknown")'],
  ["strike('a', 'rude', 20)", (pm) => pm.strike('a', 'rude', 20), 'RangeError', 'strike: unknown kind "rude" (expected one of "deserialization", "protocol_violation", "dead_fork_block", "dead_fork_block_in_grace", "duplicate_block", "out_of_order_block_in_range")'],
  ["softBan('a', '', 20)", (pm) => pm.softBan('a', '', 20), 'RangeError', 'softBan: reason must not be empty'],
  ["block('', 'x', 20)", (pm) => pm.block('', 'x', 20), 'RangeError', 'block: peer must not be empty'],
  ["setRole('a', 'boss')", (pm) => pm.setRole('a', 'boss'), 'RangeError', 'setRole: unknown role "boss" (expected one of "primary", "backup")'],
  ["epochTransition('a', 20)", (pm) => pm.epochTransition('a', 20), 'TypeError', 'epochTransition: peers must be an array, got "a"'],
  ["epochTransition([{ peer: 'a' }], 20)", (pm) => pm.epochTransition([{ peer: 'a' }], 20), 'TypeError', 'epochTransition: peers[0].role must be a string, got undefined'],
  ["epochTransition([a, a], 20)", (pm) => pm.epochTransition([{ peer: 'a', role: 'primary' }, { peer: 'a', role: 'backup' }], 20), 'RangeError', 'epochTransition: peers[1].peer "a" is listed twice'],
  ["probeResult('a', 1, 20)", (pm) => pm.probeResult('a', 1, 20), 'TypeError', 'probeResult: ok must be a boolean, got 1'],
  ["transportFailure('a', 'dns', 20)", (pm) => pm.transportFailure('a', 'dns', 20), 'RangeError', 'transportFailure: unknown kind "dns" (expected one of "dial", "tls", "reset")'],
  ["applicationError('a', 70000, 20)", (pm) => pm.applicationError('a', 70000, 20), 'RangeError', 'applicationError: status must be between 0 and 65535, got 70000'],
  ["shouldUpgrade('localhost', 20)", (pm) => pm.shouldUpgrade('localhost', 20), 'RangeError', 'shouldUpgrade: ip must be an IPv4 or IPv6 address, got "localhost"'],
  ["inboundMessage('a', 1.5, 20)", (pm) => pm.inboundMessage('a', 1.5, 20), 'RangeError', 'inboundMessage: bytes must be a finite integer, got 1.5'],
  ['messageSent(-1)', (pm) => pm.messageSent(-1), 'RangeError', 'messageSent: now must be between 0 and 9007199254740991, got -1'],
  ["statusReceived('a', null, 20)", (pm) => pm.statusReceived('a', null, 20), 'TypeError', 'statusReceived: status must be an object, got null'],
  ["statusReceived('a', { networkId: 1 }, 20)", (pm) => pm.statusReceived('a', { ...status(1), head: { number: 1, id: 'zz' } }, 20), 'RangeError', 'statusReceived: status.head.id must be 64 hex digits, got "zz"'],
  ["statusReceived('a', { nodeMode: 'fast' }, 20)", (pm) => pm.statusReceived('a', { ...status(1), nodeMode: 'fast' }, 20), 'RangeError', 'statusReceived: unknown status.nodeMode "fast" (expected one of "sync", "forward")'],
  ["statusReceived('a', { range: 5..1 }, 20)", (pm) => pm.statusReceived('a', { ...status(1), range: { earliest: 5, latest: 1 } }, 20), 'RangeError', 'statusReceived: status.range.earliest must not exceed status.range.latest (5 > 1)'],
  ["headersReceived('a', [{}], 20)", (pm) => pm.headersReceived('a', [{}], 20), 'TypeError', 'headersReceived: headers[0].number must be a number, got undefined'],
  ["blockApplied({ number: -1 }, 'a', 20)", (pm) => pm.blockApplied({ number: -1, id: H(1), parent: H(0) }, 'a', 20), 'RangeError', 'blockApplied: header.number must be between 0 and 9007199254740991, got -1'],
  ['libAdvanced(undefined, 20)', (pm) => pm.libAdvanced(undefined, 20), 'TypeError', 'libAdvanced: lib must be an object, got undefined'],
  ["setPeerWeight('a', -2, 20)", (pm) => pm.setPeerWeight('a', -2, 20), 'RangeError', 'setPeerWeight: weight must be between 0 and 9007199254740991, got -2'],
  ["setPaused('yes', 20)", (pm) => pm.setPaused('yes', 20), 'TypeError', 'setPaused: paused must be a boolean, got "yes"'],
  ["isBanned('a', 'now')", (pm) => pm.isBanned('a', 'now'), 'TypeError', 'isBanned: now must be a number, got "now"'],
];

const CONFIG_RULES = [
  ['{ strikes: { threshold: 0 } }', { strikes: { threshold: 0 } }, 'RangeError', 'PeerManager: config.strikes.threshold must be greater than zero'],
  ['{ backoff: { maxBackoff: 1 } }', { backoff: { maxBackoff: 1 } }, 'RangeError', 'PeerManager: config.backoff.maxBackoff must be at least config.backoff.initialBackoff (30000 ms)'],
  ['{ strikes: { foo: 1 } }', { strikes: { foo: 1 } }, 'TypeError', 'PeerManager: unknown config field "config.strikes.foo" (known: banDuration, threshold)'],
  ["{ behaviour: { minScore: 'low' } }", { behaviour: { minScore: 'low' } }, 'TypeError', 'PeerManager: config.behaviour.minScore must be a number, got "low"'],
  ['{ strikes: 3 }', { strikes: 3 }, 'TypeError', 'PeerManager: config.strikes must be an object, got 3'],
  ["{ trackLifecycle: 'on' }", { trackLifecycle: 'on' }, 'TypeError', 'PeerManager: config.trackLifecycle must be a boolean, got "on"'],
  ['{ fork: { networkId: 1 } }', { fork: { networkId: 1 } }, 'TypeError', 'PeerManager: config.fork.forkDigest is required'],
  ["{ fork: { forkDigest: 'xyz' } }", { fork: { networkId: 1, forkDigest: 'xyz' }, chain: CHAIN }, 'RangeError', 'PeerManager: config.fork.forkDigest must be 8 hex digits, got "xyz"'],
  ['{ fork } without a chain', { fork: { networkId: 1, forkDigest: '01020304' } }, 'TypeError', 'PeerManager: config.chain must be an object with head and lib, got undefined'],
  ['{ chain } without a fork', { chain: CHAIN }, 'TypeError', 'PeerManager: config.chain is only used with a config.fork section'],
  ['{ chain: lib above head }', { fork: { networkId: 1, forkDigest: '01020304' }, chain: { head: CHAIN.head, lib: { number: 11, id: H(11) } } }, 'RangeError', 'PeerManager: config.chain.lib.number must not exceed config.chain.head.number (11 > 10)'],
];

cases.push(
  ...RULES.map(([call, fn, errorName, message]) => [
    `${call} throws ${errorName} "${message}", changes nothing, and the manager keeps working`,
    (api, t) => {
      const pm = populated(api);
      const before = JSON.stringify([pm.peers(), pm.scoreStats(), pm.strikes('a'), pm.isBlocked('a'), pm.now, pm.blocklistEpoch()]);
      t.throwsExactly(() => fn(pm), errorName, message);
      t.equal(JSON.stringify([pm.peers(), pm.scoreStats(), pm.strikes('a'), pm.isBlocked('a'), pm.now, pm.blocklistEpoch()]), before, 'state untouched');
      t.equal(pm.pollEvent(), undefined, 'no event from a rejected call');
      t.equal(pm.pollCommand(), undefined, 'no command from a rejected call');
      t.equal(pm.reportPeer('a', 'fatal', 'after', 30), -100);
      t.deepEqual(pm.pollCommand(), { type: 'disconnect', peer: 'a', reason: 'banned' });
    },
  ]),
  ['goodbyeCode refuses an unknown reason by name', (api, t) => {
    t.throwsExactly(() => api.goodbyeCode('rude'), 'RangeError', 'goodbyeCode: unknown reason "rude" (expected one of "client_shutdown", "irrelevant_network", "io_error", "unviable_fork", "too_many_peers", "bad_score", "banned", "inbound_disconnect", "unknown")');
    t.equal(api.goodbyeCode('banned'), 251);
  }],
  ...CONFIG_RULES.map(([shown, config, errorName, message]) => [
    `new PeerManager(${shown}) throws ${errorName} "${message}" and the next manager works`,
    (api, t) => {
      t.throwsExactly(() => new api.PeerManager(config), errorName, message);
      t.equal(new api.PeerManager({ strikes: { threshold: 3 } }).config.strikes.threshold, 3);
    },
  ]),
);

// Every method of PeerManager on the injected clock, events by polling, listening and
// iterating, and the self-driven clock.

function drain(pm) {
  const out = [];
  for (let e; (e = pm.pollCommand() ?? pm.pollEvent()) !== undefined;) out.push(e);
  return out;
}

const nextTask = () => new Promise((r) => setTimeout(r, 0));

export const cases = [
  ['a manager built without a config reports every default, the hash seed as a bigint', (api, t) => {
    const pm = new api.PeerManager();
    const { behaviour, strikes, lifecycle, backoff, benchlist, blocklist, peerExchange, upgrades, inbound, health, fork, ...flat } = pm.config;
    t.deepEqual(flat, {
      lowWater: 160, highWater: 192, gracePeriod: 60000, silencePeriod: 10000, decayResolution: 1000,
      outboundBonus: 0, retentionMs: 3600000, maxRetainedPeers: 1024, hashSeed: 0x9e3779b97f4a7c15n,
      trackLifecycle: false,
    });
    t.deepEqual(strikes, { banDuration: 3600000, threshold: 10 });
    t.deepEqual(backoff, { initialBackoff: 30000, isolationAfter: 60000, maxBackoff: 3600000, maxDialsInFlight: 8, stableAfter: 300000 });
    t.deepEqual([behaviour.banThreshold, behaviour.disconnectThreshold, behaviour.lowToleranceDelta], [-50, -20, -10]);
    t.deepEqual([lifecycle.connectTimeout, benchlist.benchProbability, blocklist.maxConsecutiveTransportFailures], [5000, 0.5, 3]);
    t.deepEqual([peerExchange.maxRequests, upgrades.perIpCooldown, inbound.maxDelay, health.minConnectedPeers], [3, 10000, 1000, 1]);
    t.equal(fork, null);
    t.equal(pm.autoClock, false);
    t.equal(pm.now, 0);
    t.equal(typeof api.version(), 'string');
    const custom = new api.PeerManager({ lowWater: 1, highWater: 2, hashSeed: 7 });
    t.deepEqual([custom.config.lowWater, custom.config.highWater, custom.config.hashSeed], [1, 2, 7n]);
  }],

  ['connections are reported as camelCase events in order and the connection getters follow them', (api, t) => {
    const pm = new api.PeerManager();
    pm.connected('a', 1, 'inbound', 10);
    pm.connected('a', 2, 'outbound', 11);
    pm.connected('b', 3, 'inbound', 12);
    t.equal(pm.connectionCount('a'), 2);
    t.equal(pm.connectedCount(), 2);
    t.deepEqual(pm.connectedPeers(), ['a', 'b']);
    t.equal(pm.isConnected('a'), true);
    t.equal(pm.isClosing('a'), false);
    t.equal(pm.disconnected('a', 1, 20), true);
    t.equal(pm.disconnected('a', 99, 21), false, 'an unknown connection');
    t.equal(pm.disconnected('zz', 1, 21), false, 'an unknown peer');
    t.equal(pm.now, 21);
    t.deepEqual(drain(pm), [
      { type: 'connected', peer: 'a', conn: 1, direction: 'inbound', connections: 1, at: 10 },
      { type: 'connected', peer: 'a', conn: 2, direction: 'outbound', connections: 2, at: 11 },
      { type: 'connected', peer: 'b', conn: 3, direction: 'inbound', connections: 1, at: 12 },
      { type: 'disconnected', peer: 'a', conn: 1, connections: 1, at: 20 },
    ]);
    t.equal(pm.pollEvent(), undefined);
    t.equal(pm.pollCommand(), undefined);
    t.equal(pm.knownPeerCount(), 2);
  }],

  ['static tags: tagPeer, upsertTag and untagPeer change the score and say what happened', (api, t) => {
    const pm = new api.PeerManager({ outboundBonus: 10 });
    pm.connected('a', 1, 'outbound', 0);
    drain(pm);
    pm.tagPeer('a', 'kbucket', 5);
    pm.upsertTag('a', 'kbucket', (v) => v * 3);
    pm.upsertTag('a', 'fresh', (v) => v + 2);
    t.equal(pm.tagValue('a', 'kbucket'), 15);
    t.equal(pm.tagValue('a', 'missing'), undefined);
    t.deepEqual(pm.tags('a'), [{ name: 'kbucket', value: 15, decaying: false }, { name: 'fresh', value: 2, decaying: false }]);
    t.equal(pm.peerScore('a'), 27, '15 + 2 + the outbound bonus');
    t.equal(pm.untagPeer('a', 'fresh'), true);
    t.equal(pm.untagPeer('a', 'fresh'), false);
    t.equal(pm.peerScore('nobody'), 0);
    t.deepEqual(drain(pm), [
      { type: 'tagSet', peer: 'a', tag: 'kbucket', old: null, new: 5, decaying: false, at: 0 },
      { type: 'tagSet', peer: 'a', tag: 'kbucket', old: 5, new: 15, decaying: false, at: 0 },
      { type: 'tagSet', peer: 'a', tag: 'fresh', old: null, new: 2, decaying: false, at: 0 },
      { type: 'tagRemoved', peer: 'a', tag: 'fresh', old: 2, cause: 'removed', at: 0 },
    ]);
  }],

  ['decaying tags decay on the grid, bump through their bump function and can be removed', (api, t) => {
    const pm = new api.PeerManager({ decayResolution: 100 });
    pm.tagPeerDecaying('a', 'gossip', 50, 150, api.decay.linear(0.5), 30, api.bump.sumBounded(0, 60));
    pm.tagPeerDecaying('a', 'seen', 7, 100, api.decay.expireWhenInactive(250), 30, 'overwrite');
    t.equal(pm.pollTimeout(), 200, "'seen': 30 + 100 on the 100 ms grid");
    pm.handleTimeout(200);
    t.equal(pm.tagValue('a', 'seen'), 7, 'idle for 170 ms of 250: kept');
    t.equal(pm.bumpDecayingTag('a', 'seen', 9, 250), true);
    t.equal(pm.bumpDecayingTag('a', 'gossip', 30, 250), true);
    t.equal(pm.tagValue('a', 'gossip'), 60, '50 + 30 clamped to 60');
    t.equal(pm.untagPeer('a', 'gossip'), false, 'untagPeer leaves decaying tags alone');
    pm.handleTimeout(300);
    t.equal(pm.tagValue('a', 'gossip'), 30);
    pm.handleTimeout(600);
    t.equal(pm.tagValue('a', 'gossip'), 15);
    t.equal(pm.tagValue('a', 'seen'), undefined, 'idle since 250: gone at the 600 tick');
    t.equal(pm.removeDecayingTag('a', 'gossip'), true);
    t.equal(pm.removeDecayingTag('a', 'gossip'), false);
    const events = drain(pm);
    t.deepEqual(events.filter((e) => e.tag === 'gossip'), [
      { type: 'tagSet', peer: 'a', tag: 'gossip', old: null, new: 50, decaying: true, at: 30 },
      { type: 'tagBumped', peer: 'a', tag: 'gossip', old: 50, new: 60, at: 250 },
      { type: 'tagDecayed', peer: 'a', tag: 'gossip', old: 60, new: 30, at: 300 },
      { type: 'tagDecayed', peer: 'a', tag: 'gossip', old: 30, new: 15, at: 600 },
      { type: 'tagRemoved', peer: 'a', tag: 'gossip', old: 15, cause: 'removed', at: 600 },
    ]);
    t.deepEqual(events.filter((e) => e.tag === 'seen'), [
      { type: 'tagSet', peer: 'a', tag: 'seen', old: null, new: 7, decaying: true, at: 30 },
      { type: 'tagBumped', peer: 'a', tag: 'seen', old: 7, new: 9, at: 250 },
      { type: 'tagRemoved', peer: 'a', tag: 'seen', old: 9, cause: 'expired_inactive', at: 600 },
    ]);
  }],

  ['protection reasons add up, unprotect says whether others remain, and each change is an event', (api, t) => {
    const pm = new api.PeerManager();
    pm.protect('a', 'relay');
    pm.protect('a', 'relay');
    pm.protect('a', 'vip');
    t.equal(pm.isProtected('a'), true);
    t.equal(pm.isProtected('a', 'vip'), true);
    t.equal(pm.isProtected('a', 'other'), false);
    t.equal(pm.unprotect('a', 'vip'), true, 'relay remains');
    t.equal(pm.unprotect('a', 'relay'), false);
    t.equal(pm.unprotect('nobody', 'relay'), false);
    t.deepEqual(drain(pm), [
      { type: 'protected', peer: 'a', tag: 'relay', at: 0 },
      { type: 'protected', peer: 'a', tag: 'vip', at: 0 },
      { type: 'unprotected', peer: 'a', tag: 'vip', stillProtected: true, at: 0 },
      { type: 'unprotected', peer: 'a', tag: 'relay', stillProtected: false, at: 0 },
    ]);
  }],

  ['an explicit trim closes the lowest scores first, reports every peer, and a second one inside the silence period is deferred', (api, t) => {
    const pm = new api.PeerManager({ lowWater: 3, highWater: 10, gracePeriod: 100, silencePeriod: 1000 });
    pm.connected('low', 1, 'inbound', 0);
    pm.connected('high', 2, 'inbound', 1);
    pm.connected('safe', 3, 'inbound', 2);
    pm.connected('new', 4, 'inbound', 450);
    pm.tagPeer('low', 't', 1);
    pm.tagPeer('high', 't', 9);
    pm.protect('safe', 'p');
    drain(pm);
    pm.trim(500);
    t.equal(pm.isClosing('low'), true);
    t.equal(pm.isConnected('low'), false, 'a closing peer no longer counts');
    t.deepEqual(pm.pollCommand(), { type: 'disconnect', peer: 'low', reason: 'too_many_peers' });
    t.equal(pm.pollCommand(), undefined);
    t.deepEqual(pm.pollEvent(), {
      type: 'trim', at: 500,
      report: {
        trigger: 'explicit', connected: 4, target: 3, closed: 1, shortfall: 0, cutScore: 9,
        entries: [
          { peer: 'low', score: 1, rank: 1, verdict: 'closed_lowest_score', connectedAt: 0 },
          { peer: 'high', score: 9, rank: 2, verdict: 'kept_above_cut', connectedAt: 1 },
          { peer: 'safe', score: 0, rank: null, verdict: 'kept_protected', connectedAt: 2 },
          { peer: 'new', score: 0, rank: null, verdict: 'kept_in_grace', connectedAt: 450 },
        ],
      },
    });
    t.equal(pm.disconnected('low', 1, 510), true);
    pm.connected('x', 5, 'inbound', 600);
    pm.trim(600);
    t.deepEqual(drain(pm), [
      { type: 'disconnected', peer: 'low', conn: 1, connections: 0, at: 510 },
      { type: 'connected', peer: 'x', conn: 5, direction: 'inbound', connections: 1, at: 600 },
      { type: 'trimDeferred', until: 1500, at: 600 },
    ]);
    t.equal(pm.pollTimeout(), 1500);
    pm.handleTimeout(1500);
    const [cmd, trim] = drain(pm);
    t.deepEqual(cmd, { type: 'disconnect', peer: 'new', reason: 'too_many_peers' }, 'score 0 like x, older connection');
    t.equal(trim.report.trigger, 'deferred_after_silence');
    t.equal(trim.at, 1500);
  }],

  ['a trim report builds its entries on first read, the same objects every time, and hands over its columns', (api, t) => {
    const pm = new api.PeerManager({ lowWater: 1, highWater: 3, gracePeriod: 0 });
    pm.connected('a', 1, 'inbound', 0);
    pm.connected('b', 2, 'inbound', 1);
    pm.tagPeer('b', 'k', 9);
    pm.trim(10);
    let report;
    for (let e; (e = pm.pollEvent()) !== undefined;) if (e.type === 'trim') report = e.report;
    const { columns } = report;
    t.equal(columns.text, 'ab');
    t.deepEqual(Array.from(columns.lengths), [1, 1]);
    t.deepEqual(Array.from(columns.scores), [0, 9]);
    t.deepEqual(Array.from(columns.ranks), [1, 2]);
    t.deepEqual(Array.from(columns.verdicts).map((v) => columns.verdictNames[v]), ['closed_lowest_score', 'kept_above_cut']);
    t.equal(Object.keys(report).includes('columns'), false, 'columns are not enumerable');
    t.equal(report.entries, report.entries, 'built once');
    t.deepEqual(report.entries.map((e) => [e.peer, e.verdict]), [['a', 'closed_lowest_score'], ['b', 'kept_above_cut']]);
    t.deepEqual(columns.peers, ['a', 'b']);
    t.deepEqual(Object.keys(columns), ['peers', 'scores', 'ranks', 'verdicts', 'verdictNames', 'connectedAt', 'text', 'lengths'], 'no raw handles or bytes left over');
  }],

  ['peer ids outside ASCII come back whole from a trim report and its commands', (api, t) => {
    const pm = new api.PeerManager({ lowWater: 1, highWater: 3, gracePeriod: 0 });
    const ids = ['é-peer', '😀-peer', 'ascii', '日本'];
    ids.forEach((p, i) => pm.connected(p, i + 1, 'inbound', i));
    pm.tagPeer('日本', 'k', 9);
    pm.trim(10);
    const closed = [];
    for (let c; (c = pm.pollCommand()) !== undefined;) closed.push(c.peer);
    t.deepEqual(closed, ['é-peer', '😀-peer', 'ascii']);
    let report;
    for (let e; (e = pm.pollEvent()) !== undefined;) if (e.type === 'trim') report = e.report;
    t.deepEqual(report.entries.map((e) => e.peer), ['é-peer', '😀-peer', 'ascii', '日本']);
    t.deepEqual(Array.from(report.columns.lengths), [6, 7, 5, 2]);
  }],

  ['a disconnect command and a trim report name their peers even after one left and another took its place', (api, t) => {
    const pm = new api.PeerManager({ lowWater: 1, highWater: 10, gracePeriod: 0, silencePeriod: 0 });
    pm.connected('a', 1, 'inbound', 0);
    pm.connected('b', 2, 'inbound', 1);
    pm.connected('c', 3, 'inbound', 2);
    pm.tagPeer('c', 'k', 9);
    pm.trim(10); // closes a and b; their commands wait in the engine
    // a leaves before anyone drained its command, and d connects in the slot a had held.
    t.equal(pm.disconnected('a', 1, 11), true);
    pm.connected('d', 4, 'inbound', 12);
    const commands = [];
    for (let c; (c = pm.pollCommand()) !== undefined;) commands.push(c);
    t.deepEqual(commands, [
      { type: 'disconnect', peer: 'a', reason: 'too_many_peers' },
      { type: 'disconnect', peer: 'b', reason: 'too_many_peers' },
    ]);
    let report;
    for (let e; (e = pm.pollEvent()) !== undefined;) if (e.type === 'trim') report = e.report;
    t.deepEqual(report.entries.map((e) => [e.peer, e.verdict]), [['a', 'closed_lowest_score'], ['b', 'closed_lowest_score'], ['c', 'kept_above_cut']]);
    t.equal(report.columns.text, 'abc');
    // b comes back on a new connection: the next trim names it again, beside d.
    t.equal(pm.disconnected('b', 2, 20), true);
    pm.connected('b', 5, 'inbound', 21);
    pm.tagPeer('d', 'k', 3);
    pm.trim(30);
    const again = [];
    for (let c; (c = pm.pollCommand()) !== undefined;) again.push(c.peer);
    t.deepEqual(again, ['b', 'd']);
  }],

  ['after a restore, trims name the peers connected since', (api, t) => {
    const pm = new api.PeerManager({ lowWater: 1, highWater: 2, gracePeriod: 0, silencePeriod: 0 });
    pm.connected('old', 1, 'inbound', 0);
    pm.restore(new api.PeerManager().snapshot(), 5);
    t.equal(pm.isConnected('old'), false, 'a restore replaces the connections too');
    pm.connected('x', 2, 'inbound', 6);
    pm.connected('y', 3, 'inbound', 7);
    pm.tagPeer('y', 'k', 1);
    pm.connected('z', 4, 'inbound', 8); // over high water: x and z (score 0) close
    const closed = [];
    for (let c; (c = pm.pollCommand()) !== undefined;) closed.push(c.peer);
    t.deepEqual(closed, ['x', 'z']);
  }],

  ['listeners get commands and events after a microtask, and flush delivers at once', async (api, t) => {
    const pm = new api.PeerManager({ lowWater: 1, highWater: 1, gracePeriod: 0, silencePeriod: 0 });
    const seen = [];
    pm.addEventListener('disconnect', (e) => {
      seen.push(`disconnect ${e.detail.peer}`);
      pm.disconnected(e.detail.peer, 1, 10);
    });
    pm.addEventListener('trim', (e) => seen.push(`trim closed=${e.detail.report.closed}`));
    pm.addEventListener('disconnected', (e) => seen.push(`disconnected ${e.detail.peer}`));
    pm.connected('a', 1, 'inbound', 0);
    pm.connected('b', 1, 'inbound', 10);
    t.deepEqual(seen, [], 'nothing is dispatched synchronously');
    await Promise.resolve();
    await nextTask();
    t.deepEqual(seen, ['disconnect a', 'trim closed=1', 'disconnected a']);
    t.equal(pm.pollEvent(), undefined, 'the queues were drained by delivery');
    pm.tagPeer('b', 'x', 3);
    t.equal(pm.flush(), 1);
    t.equal(pm.flush(), 0);
  }],

  ['the async iterator yields every command and event in order and ends on close', async (api, t) => {
    const pm = new api.PeerManager();
    const it = pm.events();
    pm.protect('a', 'p');
    pm.tagPeer('a', 't', 2);
    const first = await it.next();
    const second = await it.next();
    t.deepEqual([first.value.type, second.value.type], ['protected', 'tagSet']);
    const collected = [];
    const loop = (async () => { for await (const e of pm) collected.push(e.type); })();
    pm.untagPeer('a', 't');
    await nextTask();
    pm.close();
    await loop;
    t.deepEqual(collected, ['tagRemoved']);
    t.equal((await it.next()).value.type, 'tagRemoved', 'what was buffered before close is still read');
    t.deepEqual(await it.next(), { value: undefined, done: true });
    pm.tagPeer('a', 't', 1);
    t.equal(pm.tagValue('a', 't'), 1, 'inputs still work after close');
  }],

  ['with autoClock the manager stamps inputs with Date.now and runs its own decays', async (api, t) => {
    const pm = new api.PeerManager({ autoClock: true, decayResolution: 1 });
    const start = Date.now();
    const events = pm.events();
    pm.tagPeerDecaying('a', 'boost', 2, 20, api.decay.fixed(1));
    t.ok(pm.now >= start && pm.now <= Date.now(), 'now comes from Date.now()');
    const seen = [];
    for await (const e of events) {
      seen.push([e.type, e.old ?? null, e.new ?? null]);
      if (e.type === 'tagRemoved') break;
    }
    t.deepEqual(seen, [['tagSet', null, 2], ['tagDecayed', 2, 1], ['tagRemoved', 1, null]]);
    t.ok(Date.now() - start >= 40, 'two 20 ms intervals passed');
    pm.close();
    t.throws(() => pm.trim(), TypeError, /trim: now must be a number, got undefined/, 'after close, now is required again');
  }],

  ['free releases the engine, and a later call throws an Error instead of trapping', (api, t) => {
    const pm = new api.PeerManager();
    pm.tagPeer('a', 't', 1);
    pm.free();
    t.throws(() => pm.tagPeer('a', 't', 2), Error, /./);
    t.throws(() => pm.peerScore('a'), Error, /./);
    const other = new api.PeerManager();
    other.tagPeer('a', 't', 3);
    t.equal(other.peerScore('a'), 3, 'the module is not poisoned');
  }],

  ['commands and events carry non-ASCII peer ids and tag names intact', (api, t) => {
    const pm = new api.PeerManager({ lowWater: 0, highWater: 3, gracePeriod: 0 });
    const peers = ['пир-1', '🙂peer', 'a\nb', 'é'];
    peers.forEach((p, i) => pm.connected(p, i, 'inbound', i));
    pm.tagPeer('é', 'ёлка🌲', 5);
    t.deepEqual(pm.tags('é'), [{ name: 'ёлка🌲', value: 5, decaying: false }]);
    const commands = [];
    for (let c; (c = pm.pollCommand()) !== undefined;) commands.push(c.peer);
    t.deepEqual(commands, peers, 'the fourth connection trimmed everyone down to 0');
    const trim = [];
    for (let e; (e = pm.pollEvent()) !== undefined;) if (e.type === 'trim') trim.push(...e.report.entries.map((x) => x.peer));
    t.deepEqual(trim, peers);
  }],

  ['an upsertTag callback that calls back into the manager gets an Error, nothing changes, and the manager keeps working', (api, t) => {
    const pm = new api.PeerManager();
    t.throws(() => pm.upsertTag('a', 't', () => { pm.tagPeer('a', 'x', 1); return 2; }), Error, /recursive use of an object/);
    t.equal(pm.tagValue('a', 't'), undefined);
    t.equal(pm.tagValue('a', 'x'), undefined);
    pm.upsertTag('a', 't', (v) => v + 3);
    t.equal(pm.tagValue('a', 't'), 3);
  }],
];

// snapshot() / restore(bytes): round trips, and refusals that leave the manager untouched.

function source(api) {
  const pm = new api.PeerManager({ decayResolution: 100 });
  pm.connected('a', 1, 'inbound', 50);
  pm.tagPeer('a', 'kbucket', 4);
  pm.tagPeerDecaying('a', 'gossip', 90, 200, api.decay.fixed(30), 100, api.bump.sumBounded(0, 100));
  pm.protect('a', 'relay');
  pm.protect('b', 'vip');
  pm.tagPeer('c', 'neg', -3);
  pm.handleTimeout(300);
  while (pm.pollEvent() !== undefined);
  return pm;
}

/** CRC-32 (IEEE), to frame a format-1 snapshot the way the package used to write it. */
function crc32(bytes) {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function frameV1(json) {
  const body = new TextEncoder().encode(json);
  const out = new Uint8Array(14 + body.length);
  const view = new DataView(out.buffer);
  out.set([0x50, 0x4b, 0x53, 0x4e], 0);
  view.setUint16(4, 1, true);
  view.setUint32(6, body.length, true);
  view.setUint32(10, crc32(body), true);
  out.set(body, 14);
  return out;
}

export const cases = [
  ['behaviour scores, bans, strikes, soft bans, blocks and last disconnects survive a snapshot', (api, t) => {
    const config = { strikes: { threshold: 2 }, behaviour: { banDurationMs: 5000 } };
    const pm = new api.PeerManager(config);
    pm.connected('a', 1, 'inbound', 10);
    pm.reportPeer('a', 'mid_tolerance', 'timeout', 20);
    pm.setApplicationScore('a', 3, 20);
    pm.setAgentVersion('a', 'js-libp2p/3');
    pm.reportPeer('c', 'fatal', 'invalid block', 30);
    pm.strike('d', 'deserialization', 40);
    pm.strike('d', 'deserialization', 41);
    pm.strike('e', 'protocol_violation', 42);
    pm.block('f', 'unreachable', 43);
    pm.goodbyeReceived('a', 3, 50);
    pm.disconnected('a', 1, 60);
    const bytes = pm.snapshot();
    const back = new api.PeerManager(config);
    back.restore(bytes);
    t.equal(back.now, 60);
    t.deepEqual(back.peers(), pm.peers());
    t.deepEqual(back.scoreStats(), pm.scoreStats());
    t.deepEqual(back.lastDisconnect('a'), { reason: 'io_error', code: 3, sent: false, at: 50 });
    t.deepEqual(back.allowConnection('c'), { type: 'banned', until: 5030, reason: 'banned' });
    t.deepEqual(back.softBanOf('d'), pm.softBanOf('d'));
    t.equal(back.strikes('e'), 1);
    t.equal(back.isBlocked('f'), true);
    back.handleTimeout(5030);
    t.deepEqual(back.pollEvent(), { type: 'unbanned', peer: 'c', at: 5030 });
    t.throwsExactly(() => new api.PeerManager({ strikes: { threshold: 3 } }).restore(bytes), 'RangeError',
      'restore: snapshot is corrupt: taken with another `strikes` config section');
  }],

  ['reconnect backoff survives a snapshot: a twice-failed peer is dialled at its saved time, with its saved wait', (api, t) => {
    // No isolation reset within the test: it would clear the backoff it checks.
    const config = { trackLifecycle: true, backoff: { isolationAfter: 3600000 } };
    const pm = new api.PeerManager(config);
    const dials = (m) => {
      const out = [];
      for (let c = m.pollCommand(); c !== undefined; c = m.pollCommand()) if (c.type === 'dial') out.push(c.peer);
      return out;
    };
    pm.addPeer('a', 0);
    t.deepEqual(dials(pm), ['a']);
    pm.dialFailed('a', 0);
    pm.handleTimeout(30000);
    t.deepEqual(dials(pm), ['a']);
    pm.dialFailed('a', 30000);
    t.equal(pm.nextDialAt('a'), 90000, '30 s, then 60 s');
    const back = new api.PeerManager(config);
    back.restore(pm.snapshot(), 40000);
    t.deepEqual(dials(back), [], 'not due at the import');
    t.equal(back.nextDialAt('a'), 90000);
    back.handleTimeout(90000);
    t.deepEqual(dials(back), ['a']);
    back.dialFailed('a', 90000);
    t.equal(back.nextDialAt('a'), 210000, 'the third failure waits 120 s, not a fresh 30 s');
  }],

  ['format-1 bytes from earlier packages still restore their tags and protections', (api, t) => {
    const v1 = frameV1('{"now":7,"peers":[{"peer":"a","tags":[{"name":"kbucket","value":5,"decay":null},'
      + '{"name":"gossip","value":40,"decay":{"interval":1000,"decay":{"kind":"fixed","amount":2},"bump":{"kind":"overwrite"}}},'
      + '{"name":"halving","value":40,"decay":{"interval":1000,"decay":{"kind":"linear","coef":2.5e-1},"bump":{"kind":"sum"}}}],'
      + '"protections":[]},{"peer":"b","tags":[],"protections":["relay"]}]}');
    const pm = new api.PeerManager();
    pm.restore(v1);
    t.equal(pm.now, 7);
    t.deepEqual(pm.tags('a'), [
      { name: 'kbucket', value: 5, decaying: false },
      { name: 'gossip', value: 40, decaying: true },
      { name: 'halving', value: 40, decaying: true },
    ]);
    t.equal(pm.isProtected('b', 'relay'), true);
    pm.handleTimeout(pm.pollTimeout());
    t.equal(pm.tagValue('a', 'gossip'), 38, 'fixed(2)');
    t.equal(pm.tagValue('a', 'halving'), 10, 'linear(2.5e-1), the coefficient read from its JSON text');
    const bad = frameV1('{"now":7,"peers":[{"peer":"a","tags":[{"name":"x","value":4,"decay":{"interval":1000,'
      + '"decay":{"kind":"linear","coef":1.5},"bump":{"kind":"sum"}}}],"protections":[]}]}');
    t.throwsExactly(() => pm.restore(bad), 'RangeError', 'restore: snapshot is corrupt: `coef` is not a number in [0, 1]');
    t.equal(pm.tagValue('a', 'halving'), 10, 'a refused restore changes nothing');
  }],

  ['a snapshot restores every tag, decaying tag and protection into a fresh manager, and decay continues with the same functions', (api, t) => {
    const pm = source(api);
    t.equal(pm.tagValue('a', 'gossip'), 60, 'one tick at 300');
    const bytes = pm.snapshot();
    t.ok(bytes instanceof Uint8Array);
    t.deepEqual(Array.from(bytes.subarray(0, 6)), [0x50, 0x4b, 0x53, 0x4e, 3, 0], 'magic "PKSN", version 3');
    const back = new api.PeerManager({ decayResolution: 100 });
    back.restore(bytes);
    t.equal(back.pollEvent(), undefined, 'restore emits no events');
    t.equal(back.now, 300);
    t.deepEqual(back.tags('a'), [{ name: 'kbucket', value: 4, decaying: false }, { name: 'gossip', value: 60, decaying: true }]);
    t.deepEqual(back.tags('c'), [{ name: 'neg', value: -3, decaying: false }]);
    t.equal(back.isProtected('a', 'relay'), true);
    t.equal(back.isProtected('b', 'vip'), true);
    t.equal(back.isConnected('a'), false, 'connections are not part of a snapshot');
    t.equal(back.pollTimeout(), 500, 'the decay keeps its phase: due at 500, as in the original');
    back.handleTimeout(500);
    t.equal(back.tagValue('a', 'gossip'), 30, 'fixed(30) still applies');
    t.equal(back.bumpDecayingTag('a', 'gossip', 500, 500), true);
    t.equal(back.tagValue('a', 'gossip'), 100, 'sum_bounded(0, 100) still applies');
    t.deepEqual(Array.from(new api.PeerManager().snapshot().subarray(0, 4)), [0x50, 0x4b, 0x53, 0x4e]);
  }],

  ['restoring replaces the existing state and a snapshot of a restored manager is byte-identical', (api, t) => {
    const bytes = source(api).snapshot();
    const back = new api.PeerManager({ decayResolution: 100 });
    back.tagPeer('stale', 'x', 1);
    back.restore(bytes);
    t.deepEqual(back.tags('stale'), [], 'the previous state is gone');
    t.deepEqual(Array.from(back.snapshot()), Array.from(bytes));
  }],

  ['corrupt, truncated, foreign and future-version bytes are refused by name and change nothing', (api, t) => {
    const good = source(api).snapshot();
    const pm = new api.PeerManager({ decayResolution: 100 });
    pm.tagPeer('keep', 'me', 5);
    pm.pollEvent();
    const before = Array.from(pm.snapshot());
    const flipped = good.slice();
    flipped[flipped.length - 5] ^= 0x01;
    const future = good.slice();
    future[4] = 4;
    const refusals = [
      [flipped, 'RangeError', 'restore: snapshot is corrupt: checksum mismatch'],
      [good.slice(0, good.length - 1), 'RangeError', `restore: snapshot is corrupt: payload is ${good.length - 15} bytes, header says ${good.length - 14}`],
      [good.slice(0, 8), 'RangeError', 'restore: snapshot is corrupt: truncated header'],
      [future, 'RangeError', 'restore: snapshot format version 4 is newer than this engine supports (3)'],
      [new TextEncoder().encode('{"now":1,"peers":[]}'), 'RangeError', 'restore: bytes are not a peerkeeper snapshot'],
      [new Uint8Array(0), 'RangeError', 'restore: bytes are not a peerkeeper snapshot'],
      [good.buffer, 'TypeError', 'restore: bytes must be a Uint8Array, got an object'],
    ];
    for (const [bytes, errorName, message] of refusals) {
      t.throwsExactly(() => pm.restore(bytes), errorName, message);
      t.deepEqual(Array.from(pm.snapshot()), before, `untouched after: ${message}`);
      t.equal(pm.pollEvent(), undefined);
    }
    pm.restore(good);
    t.equal(pm.tagValue('a', 'kbucket'), 4, 'the good bytes still restore afterwards');
  }],
];

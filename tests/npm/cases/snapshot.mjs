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

export const cases = [
  ['a snapshot restores every tag, decaying tag and protection into a fresh manager, and decay continues with the same functions', (api, t) => {
    const pm = source(api);
    t.equal(pm.tagValue('a', 'gossip'), 60, 'one tick at 300');
    const bytes = pm.snapshot();
    t.ok(bytes instanceof Uint8Array);
    t.deepEqual(Array.from(bytes.subarray(0, 6)), [0x50, 0x4b, 0x53, 0x4e, 1, 0], 'magic "PKSN", version 1');
    const back = new api.PeerManager({ decayResolution: 100 });
    back.restore(bytes);
    t.equal(back.pollEvent(), undefined, 'restore emits no events');
    t.equal(back.now, 300);
    t.deepEqual(back.tags('a'), [{ name: 'kbucket', value: 4, decaying: false }, { name: 'gossip', value: 60, decaying: true }]);
    t.deepEqual(back.tags('c'), [{ name: 'neg', value: -3, decaying: false }]);
    t.equal(back.isProtected('a', 'relay'), true);
    t.equal(back.isProtected('b', 'vip'), true);
    t.equal(back.isConnected('a'), false, 'connections are not part of a snapshot');
    t.equal(back.pollTimeout(), 500, 'the decay clock restarts at the restore time: 300 + 200');
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
    future[4] = 2;
    const refusals = [
      [flipped, 'RangeError', 'restore: snapshot is corrupt: checksum mismatch'],
      [good.slice(0, good.length - 1), 'RangeError', `restore: snapshot is corrupt: payload is ${good.length - 15} bytes, header says ${good.length - 14}`],
      [good.slice(0, 8), 'RangeError', 'restore: snapshot is corrupt: truncated header'],
      [future, 'RangeError', 'restore: snapshot format version 2 is newer than this package supports (1)'],
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

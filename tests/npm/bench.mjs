// Speed of the npm package in Node (not a test: prints numbers for docs/performance.md).
//   node --expose-gc tests/npm/bench.mjs [path to the package dir, default: $CARGO_TARGET_DIR/npm/package]
// 1. trim over N peers, the scenario of core/benches/trim.rs: N connected, 10% protected, 5% in
//    grace, three tags each (one decaying), one explicit trim down to N/2, commands drained
//    (and, separately, the trim report converted to a JS object too).
// 2. tagPeer calls per second on 10 000 connected peers.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const dir = process.argv[2] ?? join(process.env.CARGO_TARGET_DIR ?? 'target', 'npm', 'package');
const { PeerManager, decay } = createRequire(join(dir, 'index.cjs'))(join(dir, 'index.cjs'));

const NOW = 1_000_000;
const ids = (n) => Array.from({ length: n }, (_, i) => `12D3KooW${String(i).padStart(44, 'x')}`);

function populated(n, peers) {
  const pm = new PeerManager({ lowWater: n / 2, highWater: n, gracePeriod: 60_000, silencePeriod: 0 });
  const inGrace = (i) => i % 20 === 0;
  const order = [...Array(n).keys()].filter((i) => !inGrace(i)).concat([...Array(n).keys()].filter(inGrace));
  for (const i of order) {
    const at = inGrace(i) ? NOW - 1_000 : i * 5;
    const p = peers[i];
    pm.connected(p, i, 'inbound', at);
    pm.tagPeer(p, 'kbucket', i % 7);
    pm.tagPeer(p, 'bitswap', (i * 31) % 13);
    pm.tagPeerDecaying(p, 'gossip', 1 + (i % 50), 3_600_000, decay.fixed(1), at);
    if (i % 10 === 1) pm.protect(p, 'relay');
    while (pm.pollEvent() !== undefined);
  }
  return pm;
}

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * `mode`: 'call' (the trim call alone), 'commands' (and the commands drained), 'report' (and
 * the trim event too, its entries left lazy), 'entries' (and every entry object built).
 */
function benchTrim(n, runs, mode) {
  const peers = ids(n);
  const times = [];
  for (let r = 0; r < runs; r++) {
    const pm = populated(n, peers);
    globalThis.gc?.(); // the previous managers' garbage is not this trim's cost
    const t0 = process.hrtime.bigint();
    pm.trim(NOW);
    if (mode === 'call') {
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      pm.free();
      continue;
    }
    let closed = 0;
    while (pm.pollCommand() !== undefined) closed++;
    if (mode === 'report' || mode === 'entries') {
      for (let e; (e = pm.pollEvent()) !== undefined;) {
        if (mode === 'entries' && e.type === 'trim' && e.report.entries.length !== n) throw new Error('entries');
      }
    }
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    pm.free();
    if (closed !== n / 2) throw new Error(`closed ${closed}`);
  }
  return median(times);
}

function benchTagPeer(n, calls) {
  const peers = ids(n);
  const pm = populated(n, peers);
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) pm.tagPeer(peers[i % n], 'kbucket', i & 1023);
    rounds.push(calls / (Number(process.hrtime.bigint() - t0) / 1e9));
    while (pm.pollEvent() !== undefined);
  }
  pm.free();
  return median(rounds);
}

const runs = Number(process.env.RUNS ?? 15);
benchTrim(10_000, 3, 'report'); // warm-up
console.log(`trim 10000 peers, the call alone:          median ${benchTrim(10_000, runs, 'call').toFixed(3)} ms (${runs} runs)`);
console.log(`trim 10000 peers, commands drained:        median ${benchTrim(10_000, runs, 'commands').toFixed(3)} ms (${runs} runs)`);
console.log(`trim 10000 peers, commands + trim event:    median ${benchTrim(10_000, runs, 'report').toFixed(3)} ms (${runs} runs)`);
console.log(`trim 10000 peers, + every entry object:    median ${benchTrim(10_000, runs, 'entries').toFixed(3)} ms (${runs} runs)`);
console.log(`tagPeer on 10000 connected peers:           median ${(benchTagPeer(10_000, 1_000_000) / 1e6).toFixed(2)} M calls/s`);

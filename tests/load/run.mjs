// Load on loopback (issue 10): the native node with a large demo network, many js-libp2p
// clients connecting and disconnecting in a loop, and one client sending malformed and
// oversized status messages, while the page stays open in Chromium. Prints one JSON summary.
//
//   node --experimental-websocket tests/load/run.mjs [--seconds 600] [--demo-peers 200]
//        [--clients 50] [--high-water 120] [--low-water 100]
//
// NODE_BIN and DIST as for the e2e tests (scripts/load.sh sets them). 127.0.0.1 only.
import './polyfill.mjs';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLibp2p } from 'libp2p';
import { webSockets } from '@libp2p/websockets';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { multiaddr } from '@multiformats/multiaddr';
import { launchBrowser, openPage, startNode, stopNode } from '../e2e/harness.mjs';

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    'demo-peers': { type: 'string', default: '200' },
    clients: { type: 'string', default: '50' },
    'low-water': { type: 'string', default: '100' },
    'high-water': { type: 'string', default: '120' },
    'sample-ms': { type: 'string', default: '5000' },
  },
});
const SECONDS = Number(opt.seconds);
const CLIENTS = Number(opt.clients);
const STATUS = '/peerkeeper/status/1';

const stats = {
  seconds: SECONDS,
  demoPeers: Number(opt['demo-peers']),
  clients: CLIENTS,
  dialsAttempted: 0,
  connectionsMade: 0,
  dialsRefused: 0,
  closedByNode: 0,
  closedByClient: 0,
  malformedSent: 0,
  oversizedSent: 0,
  spammerConnections: 0,
  spammerRefusedDials: 0,
  spamStreamErrors: {},
  bootstrapChecks: 0,
  bootstrapFailures: 0,
  bootstrapWorstMs: 0,
  pageChecks: 0,
  pageWorstMs: 0,
  pageProblems: [],
  rssSamplesKiB: [],
  nodeExited: false,
};

function rssKiB(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return m ? Number(m[1]) : 0;
}

async function client() {
  return createLibp2p({
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping() },
    // js-libp2p refuses loopback dials by default; this test lives on 127.0.0.1.
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: { maxConnections: 4 },
  });
}

const deadline = Date.now() + SECONDS * 1000;
const running = () => Date.now() < deadline && !stats.nodeExited;

/** Dials, holds the connection 1-6 s (or until the node closes it), hangs up, repeats. */
async function churn(lp, target) {
  while (running()) {
    stats.dialsAttempted++;
    let conn;
    try {
      conn = await lp.dial(target, { signal: AbortSignal.timeout(20_000) });
      stats.connectionsMade++;
    } catch {
      stats.dialsRefused++;
      await sleep(500);
      continue;
    }
    const hold = 1000 + Math.floor(Math.random() * 5000);
    const closedEarly = await Promise.race([
      new Promise((r) => {
        const onClose = (e) => {
          if (e.detail.id === conn.id) { lp.removeEventListener('connection:close', onClose); r(true); }
        };
        lp.addEventListener('connection:close', onClose);
      }),
      sleep(hold).then(() => false),
    ]);
    if (closedEarly) stats.closedByNode++;
    else {
      stats.closedByClient++;
      await conn.close().catch(() => {});
    }
    await sleep(100 + Math.floor(Math.random() * 400));
  }
}

function varint(n) {
  const out = [];
  while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
  out.push(n);
  return Uint8Array.from(out);
}

/** Sends garbage status frames and oversized ones, redialling whenever the node lets it. */
async function spam(lp, target) {
  while (running()) {
    let conn;
    try {
      conn = await lp.dial(target, { signal: AbortSignal.timeout(20_000) });
      stats.spammerConnections++;
    } catch {
      stats.spammerRefusedDials++;
      await sleep(1000);
      continue;
    }
    while (running() && conn.status === 'open') {
      try {
        const stream = await conn.newStream(STATUS, { signal: AbortSignal.timeout(5_000) });
        if ((stats.malformedSent + stats.oversizedSent) % 2 === 0) {
          const garbage = Uint8Array.from({ length: 40 }, () => Math.floor(Math.random() * 256));
          stream.send(new Uint8Array([...varint(garbage.length), ...garbage]));
          stats.malformedSent++;
        } else {
          // Announces 5 MB, sends the first 64 KiB: the node must refuse at the prefix.
          stream.send(new Uint8Array([...varint(5 * 1024 * 1024), ...new Uint8Array(64 * 1024)]));
          stats.oversizedSent++;
        }
        await stream.close({ signal: AbortSignal.timeout(5_000) }).catch(() => {});
      } catch (e) {
        stats.spamStreamErrors[e.name] = (stats.spamStreamErrors[e.name] ?? 0) + 1;
        await sleep(1000);
        break;
      }
      await sleep(200);
    }
    await conn.close().catch(() => {});
  }
}

async function watch(node, page) {
  const sampleMs = Number(opt['sample-ms']);
  while (running()) {
    if (node.child.exitCode !== null) { stats.nodeExited = true; break; }
    stats.rssSamplesKiB.push(rssKiB(node.child.pid));
    const t0 = Date.now();
    try {
      const res = await fetch(new URL('/bootstrap.json', node.url), { signal: AbortSignal.timeout(10_000) });
      await res.json();
      if (!res.ok) stats.bootstrapFailures++;
    } catch {
      stats.bootstrapFailures++;
    }
    stats.bootstrapChecks++;
    stats.bootstrapWorstMs = Math.max(stats.bootstrapWorstMs, Date.now() - t0);
    // The page answers an evaluate only between frames' work: a stuck main thread shows here.
    const p0 = Date.now();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(document.querySelectorAll('tr').length))));
    stats.pageChecks++;
    stats.pageWorstMs = Math.max(stats.pageWorstMs, Date.now() - p0);
    await sleep(sampleMs);
  }
}

const node = await startNode({
  timeoutMs: 60_000,
  args: ['--demo-peers', opt['demo-peers'], ...(process.env.LOAD_NO_WATER ? [] : ['--low-water', opt['low-water'], '--high-water', opt['high-water']])],
});
const target = multiaddr(node.listen.websocket);
const browser = await launchBrowser();
const { page, problems } = await openPage(browser, node.url);
const clients = await Promise.all(Array.from({ length: CLIENTS + 1 }, client));
const started = Date.now();
try {
  await Promise.all([
    ...clients.slice(0, CLIENTS).map((lp) => churn(lp, target)),
    spam(clients[CLIENTS], target),
    watch(node, page),
  ]);
} finally {
  stats.wallSeconds = Math.round((Date.now() - started) / 1000);
  stats.pageProblems = problems;
  const rss = stats.rssSamplesKiB;
  stats.rssFirstKiB = rss[0];
  stats.rssPeakKiB = Math.max(...rss);
  stats.rssLastKiB = rss.at(-1);
  stats.rssCurveKiB = rss.filter((_, i) => i % Math.max(1, Math.floor(rss.length / 20)) === 0);
  delete stats.rssSamplesKiB;
  await Promise.all(clients.map((lp) => lp.stop().catch(() => {})));
  await browser.close();
  stats.nodeExited ||= node.child.exitCode !== null;
  await stopNode(node);
  console.log(JSON.stringify(stats, null, 2));
}

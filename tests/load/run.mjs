// Issue 10's load test (not in the default suite): the native node with 200 demo peers and 50
// js-libp2p clients connecting and disconnecting in a loop, plus one client sending malformed
// and oversized /peerkeeper/status/3 frames, for 10 minutes on 127.0.0.1. Records connections
// made, malformed frames sent, soft bans the spammer ran into, the node's peak RSS (from
// /proc), whether /bootstrap.json kept answering, and how long the page (open in Chromium,
// managing its own peers meanwhile) takes to return an animation frame. Prints JSON.
//
//   NODE_BIN=$CARGO_TARGET_DIR/debug/peerkeeper-node DIST=dist \
//     nice -n 19 node --experimental-websocket tests/load/run.mjs [--minutes 10] [--clients 50]
import '../interop/polyfill.mjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { multiaddr } from '@multiformats/multiaddr';
import { launchBrowser, openPage, startNode, stopNode } from '../e2e/harness.mjs';
import { startClient } from '../interop/js_node.mjs';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    clients: { type: 'string', default: '50' },
    'demo-peers': { type: 'string', default: '200' },
    // `--page off` leaves the browser closed, to tell the node's own memory from the page's load.
    page: { type: 'string', default: 'on' },
  },
});
const DURATION_MS = Number(values.minutes) * 60_000;
const CLIENTS = Number(values.clients);
const DEMO_PEERS = Number(values['demo-peers']);
// The node keeps up to 220 peers: 200 demo peers plus part of the churning clients, so it trims.
const LOW_WATER = 180;
const HIGH_WATER = 220;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const results = {
  duration_ms: DURATION_MS,
  demo_peers: DEMO_PEERS,
  clients: CLIENTS,
  connections_made: 0,
  dial_failures: 0,
  closed_by_node: 0,
  malformed_sent: 0,
  spam_identities_banned: 0,
  rss_peak_kib: 0,
  rss_start_kib: 0,
  rss_end_kib: 0,
  // [seconds since the load started, node RSS in KiB], every 10 s.
  rss_curve: [],
  bootstrap_ok: 0,
  bootstrap_failed: 0,
  bootstrap_slowest_ms: 0,
  page_checks: 0,
  page_frame_p50_ms: 0,
  page_frame_worst_ms: 0,
  page_problems: [],
};

function rssKib(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/^VmRSS:\s+(\d+) kB/m)[1]);
}

/** Frame `n`: even ones announce 5 MiB against the 4 KiB bound, odd ones are 8 bytes of 0xff. */
function spamFrame(n) {
  if (n % 2 === 0) return Uint8Array.from([0x80, 0x80, 0xc0, 0x02, ...Array(16).fill(0xab)]);
  return Uint8Array.from([8, ...Array(8).fill(0xff)]);
}

async function churn(node, end, i) {
  const addr = multiaddr(node.listen.websocket);
  while (Date.now() < end) {
    const client = await startClient();
    client.addEventListener('peer:disconnect', () => { results.closed_by_node += 1; });
    try {
      await client.dial(addr, { signal: AbortSignal.timeout(20_000) });
      results.connections_made += 1;
      await sleep(1_000 + ((i * 7919 + results.connections_made * 104729) % 4_000));
    } catch {
      results.dial_failures += 1;
      await sleep(1_000);
    } finally {
      await client.stop();
    }
  }
}

async function spam(node, end) {
  const addr = multiaddr(node.listen.websocket);
  while (Date.now() < end) {
    // A fresh identity each time the last one is soft-banned (refused).
    const client = await startClient();
    try {
      await client.dial(addr, { signal: AbortSignal.timeout(20_000) });
      for (;;) {
        if (Date.now() >= end) break;
        const stream = await client.dialProtocol(addr, '/peerkeeper/status/3', { signal: AbortSignal.timeout(10_000) });
        stream.send(spamFrame(results.malformed_sent));
        results.malformed_sent += 1;
        await stream.close().catch(() => {});
        await sleep(100);
      }
    } catch {
      results.spam_identities_banned += 1;
    } finally {
      await client.stop();
    }
  }
}

async function watch(node, end) {
  const loadStart = Date.now();
  let nextCurve = loadStart;
  while (Date.now() < end) {
    const rss = rssKib(node.child.pid);
    results.rss_peak_kib = Math.max(results.rss_peak_kib, rss);
    if (Date.now() >= nextCurve) {
      results.rss_curve.push([Math.round((Date.now() - loadStart) / 1000), rss]);
      nextCurve += 10_000;
    }
    const started = Date.now();
    try {
      const res = await fetch(new URL('/bootstrap.json', node.url), { signal: AbortSignal.timeout(5_000) });
      await res.json();
      if (res.ok) results.bootstrap_ok += 1; else results.bootstrap_failed += 1;
      results.bootstrap_slowest_ms = Math.max(results.bootstrap_slowest_ms, Date.now() - started);
    } catch {
      results.bootstrap_failed += 1;
    }
    await sleep(1_000);
  }
}

/** The page stays responsive: how long one animation frame takes to come back, every 5 s. */
async function watchPage(page, end) {
  const waits = [];
  while (Date.now() < end) {
    const started = Date.now();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    waits.push(Date.now() - started);
    await sleep(5_000);
  }
  waits.sort((a, b) => a - b);
  results.page_checks = waits.length;
  results.page_frame_p50_ms = waits[Math.floor(waits.length / 2)] ?? 0;
  results.page_frame_worst_ms = waits.at(-1) ?? 0;
}

const node = await startNode({
  timeoutMs: 120_000,
  args: ['--demo-peers', String(DEMO_PEERS), '--low-water', String(LOW_WATER),
    '--high-water', String(HIGH_WATER), '--grace-period-ms', '5000'],
});
await sleep(10_000); // the demo peers dial in
const WITH_PAGE = values.page !== 'off';
const browser = WITH_PAGE ? await launchBrowser() : null;
const { page, problems } = WITH_PAGE ? await openPage(browser, node.url) : { page: null, problems: [] };
results.rss_start_kib = rssKib(node.child.pid);
const end = Date.now() + DURATION_MS;
await Promise.all([
  watch(node, end),
  ...(WITH_PAGE ? [watchPage(page, end)] : []),
  spam(node, end),
  ...Array.from({ length: CLIENTS }, (_, i) => churn(node, end, i)),
]);
results.rss_end_kib = rssKib(node.child.pid);
results.page_problems = problems;
await browser?.close();
results.trims_logged = (node.stderr.match(/trimmed/g) ?? []).length;
results.soft_bans_logged = (node.stderr.match(/soft-banned/g) ?? []).length;
results.node_connections_logged = (node.stderr.match(/ connected /g) ?? []).length;
results.node_disconnections_logged = (node.stderr.match(/ disconnected /g) ?? []).length;
if (process.env.LOAD_NODE_LOG) writeFileSync(process.env.LOAD_NODE_LOG, node.stderr);
// The figures are printed even when the node fails to stop in time (that is reported too).
try {
  await stopNode(node);
} catch (e) {
  results.stop_problem = String(e.message ?? e);
}
console.log(JSON.stringify(results, null, 2));

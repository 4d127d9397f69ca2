// A flapping demo peer goes away: the page's engine redials it on its backoff ladder (each
// failed redial doubles the wait) and reconnects once the peer is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, chromiumDialRefusal, nodeAndBrowser } from './harness.mjs';
import { demoPeer, row } from './demo_helpers.mjs';

// The page's redial ladder (web/src/light_peer.rs, LightPeerOptions::default()): 2 s doubling
// up to 60 s.
const LADDER = [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000];
// A redial starts when it is due, give or take the page's event loop.
const START_TOLERANCE_MS = 1_000;

// The flapping peer is up 20 s from the node's start, then down 20 s: long enough for several
// failed redials.
const ARGS = [
  '--demo-peers', '2', '--demo-flapping', '1', '--demo-slow', '0', '--demo-spamming', '0',
  '--demo-minority-fork', '0', '--demo-irrelevant-network', '0',
  '--demo-flap-up-ms', '20000', '--demo-flap-down-ms', '20000',
];

const env = nodeAndBrowser(ARGS, { demo: true });

const numbers = (text) => (text ? text.split(',').map(Number) : []);

test('a flapping peer is redialled on the backoff ladder, in order, and reconnects when it is back', async () => {
  // Over websocket only: a browser notices a websocket close at once, while a webrtc-direct
  // connection to a vanished peer lingers until ICE gives up.
  const peer = demoPeer(env.bootstrap, 'flapping');
  const ws = peer.addrs.find((a) => a.transport === 'websocket').multiaddr;
  const { page, problems } = await openPage(env.browser, `${env.node.url}?peer=${encodeURIComponent(ws)}`);
  const flapping = row(page, peer.peer_id);
  await flapping.and(page.locator('[data-state="connected"]')).waitFor({ timeout: 20_000 });
  await flapping.and(page.locator('[data-state="disconnected"]')).waitFor({ timeout: 30_000 });
  // Back after its 20 s down, through a redial.
  await flapping.and(page.locator('[data-state="connected"]')).waitFor({ timeout: 60_000 });

  const backoffs = numbers(await flapping.getAttribute('data-dial-backoffs'));
  const due = numbers(await flapping.getAttribute('data-dial-due'));
  const started = numbers(await flapping.getAttribute('data-dial-started'));
  assert.ok(backoffs.length >= 2, `at least one failed redial while down: ${backoffs}`);
  // Exact in order: the first wait after the drop, then one doubling per failure.
  assert.deepEqual(backoffs, LADDER.slice(0, backoffs.length));
  // Each dial started when a scheduled redial was due (its backoff after the drop or failure
  // that scheduled it), never early.
  assert.ok(started.length >= 1, 'no redial started');
  for (const at of started) {
    const dueBefore = due.filter((d) => d <= at + 5);
    assert.ok(dueBefore.length > 0, `a redial at ${at} ms before any was due (${due})`);
    const lateness = at - Math.max(...dueBefore);
    assert.ok(lateness <= START_TOLERANCE_MS, `a redial started ${lateness} ms after it was due (due ${due}, started ${started})`);
  }
  // Chromium logs each refused redial itself; nothing else may show up.
  const refusal = chromiumDialRefusal(peer);
  assert.deepEqual(problems.filter((p) => !refusal(p)), []);
  await page.close();
});

// js-libp2p clients dial the native node past its high water: the node's engine trims them,
// and each trimmed client sees its connection closed by the node.
import './polyfill.mjs';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { multiaddr } from '@multiformats/multiaddr';
import { startNode, stopNode, within } from '../e2e/harness.mjs';
import { startClient } from './js_node.mjs';

const LOW_WATER = 2;
const HIGH_WATER = 4;
const CLIENTS = 8;
const SPACING_MS = 500;

let node;
const clients = [];

before(async () => {
  node = await startNode({
    args: ['--demo-peers', '0', '--low-water', String(LOW_WATER), '--high-water', String(HIGH_WATER),
      '--grace-period-ms', '1000'],
  });
});

after(async () => {
  try {
    await within(10_000, 'stopping the js-libp2p clients', Promise.all(clients.map((c) => c.stop())));
  } finally {
    if (node) await stopNode(node);
  }
});

test('js-libp2p clients past the node high water are trimmed and observe the close', async () => {
  const closedBy = [];
  for (let i = 0; i < CLIENTS; i += 1) {
    const client = await startClient();
    clients.push(client);
    client.addEventListener('peer:disconnect', (e) => closedBy.push({ client: i, peer: e.detail.toString() }));
    await client.dial(multiaddr(node.listen.websocket), { signal: AbortSignal.timeout(20_000) });
    await new Promise((r) => setTimeout(r, SPACING_MS));
  }
  const connected = () => clients.filter((c) => c.getConnections().length > 0).length;
  // Trims bring the node from HIGH_WATER + 1 down to LOW_WATER (one deferred by the node's 10 s
  // silence period when connections keep coming): at least that many clients see a close, and
  // no more than the high water stay.
  const deadline = Date.now() + 30_000;
  while ((closedBy.length < HIGH_WATER + 1 - LOW_WATER || connected() > HIGH_WATER)
    && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(closedBy.length >= HIGH_WATER + 1 - LOW_WATER, `only ${closedBy.length} clients were closed`);
  for (const c of closedBy) assert.equal(c.peer, node.peerId);
  assert.ok(connected() <= HIGH_WATER, `${connected()} clients still connected`);
  // The node keeps serving after the churn.
  const boot = await (await fetch(new URL('/bootstrap.json', node.url))).json();
  assert.equal(boot.peer_id, node.peerId);
});

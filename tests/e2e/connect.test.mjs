// The page's light peer dials the node it was served by, over each browser transport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, nodeAndBrowser } from './harness.mjs';

const CONNECT_TIMEOUT = 30_000;
const env = nodeAndBrowser([]);

async function expectConnected(url, transport) {
  const { page, problems } = await openPage(env.browser, url);
  const row = page.locator(`tr[data-peer-id="${env.node.peerId}"]`);
  await row.and(page.locator('[data-state="connected"]')).waitFor({ timeout: CONNECT_TIMEOUT });
  assert.equal(await row.getAttribute('data-transport'), transport);
  // identify delivers the agent version; RTT values are never asserted on (they vary).
  await row.locator('td.agent', { hasText: 'peerkeeper-node/' }).waitFor({ timeout: CONNECT_TIMEOUT });
  // A completed ping means streams have opened and closed: the moment stale browser callbacks
  // used to throw (see web/src/callback_guard.rs).
  await row.locator('td.rtt', { hasText: ' ms' }).waitFor({ timeout: CONNECT_TIMEOUT });
  const local = await page.locator('#local-peer-id').textContent();
  assert.match(local, /^12D3KooW/);
  assert.notEqual(local, env.node.peerId);
  assert.deepEqual(problems, []);
  await page.close();
}

test('the page connects to its node over webrtc-direct from /bootstrap.json', async () => {
  await expectConnected(env.node.url, 'webrtc-direct');
});

test('a ?peer= websocket override connects over websocket', async () => {
  const url = `${env.node.url}?peer=${encodeURIComponent(env.node.listen.websocket)}`;
  await expectConnected(url, 'websocket');
});

test('a ?peer= webtransport override connects over webtransport with a completed ping', async () => {
  assert.match(env.node.listen.webtransport, /\/quic-v1\/webtransport\/certhash\/u[\w-]+\/certhash\/u[\w-]+\/p2p\//);
  const url = `${env.node.url}?peer=${encodeURIComponent(env.node.listen.webtransport)}`;
  await expectConnected(url, 'webtransport');
});

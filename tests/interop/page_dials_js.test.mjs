// A js-libp2p node (a third-party implementation) listening on websocket and webrtc-direct:
// the page dials it over each, shows its agent version, and manages it like any peer, though
// it speaks none of the peerkeeper protocols.
import './polyfill.mjs';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNode, stopNode, launchBrowser, openPage, within } from '../e2e/harness.mjs';
import { startListener, JS_AGENT } from './js_node.mjs';

// The engine's hello timeout (seed HANDSHAKING_TIMEOUT, 10 s) plus margin: a peer without the
// status protocol must outlive it.
const PAST_HANDSHAKE_MS = 12_000;

let node;
let js;
let browser;

before(async () => {
  node = await startNode({ args: ['--demo-peers', '0'] });
  js = await startListener();
  browser = await launchBrowser();
});

after(async () => {
  try {
    await browser?.close();
    await within(10_000, 'stopping the js-libp2p listener', js?.stop());
  } finally {
    if (node) await stopNode(node);
  }
});

function jsAddr(transport) {
  const found = js.getMultiaddrs().map((a) => a.toString())
    .find((a) => (transport === 'websocket' ? a.includes('/ws/') : a.includes('/webrtc-direct/')));
  assert.ok(found, `the js node listens on ${transport}: ${js.getMultiaddrs()}`);
  return found;
}

async function dialFromPage(transport) {
  const { page, problems } = await openPage(browser, node.url);
  await page.locator(`tr[data-peer-id="${node.peerId}"][data-state="connected"]`)
    .waitFor({ timeout: 30_000 });
  await page.fill('#dial-addr', jsAddr(transport));
  await page.locator('form.dial button[type="submit"]').click();
  const row = page.locator(`tr[data-peer-id="${js.peerId.toString()}"]`);
  await row.and(page.locator('[data-state="connected"]')).waitFor({ timeout: 30_000 });
  assert.equal(await row.getAttribute('data-transport'), transport);
  await row.locator('td.agent', { hasText: JS_AGENT }).waitFor({ timeout: 30_000 });
  // Managed like any peer: counted, never struck, still connected past the hello timeout.
  await page.waitForTimeout(PAST_HANDSHAKE_MS);
  assert.equal(await row.getAttribute('data-state'), 'connected');
  assert.equal(await row.getAttribute('data-reason'), '');
  assert.equal(await row.getAttribute('data-strikes'), '0');
  assert.notEqual(await row.getAttribute('data-aligned'), 'false');
  assert.equal(await page.locator('#connected-count').textContent(), '2');
  assert.deepEqual(problems, []);
  await page.close();
}

test('the page dials a js-libp2p node over websocket, shows its agent and keeps it', async () => {
  await dialFromPage('websocket');
});

test('the page dials a js-libp2p node over webrtc-direct, shows its agent and keeps it', async () => {
  await dialFromPage('webrtc-direct');
});

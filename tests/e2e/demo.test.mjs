// The node's embedded demo network: real libp2p peers listed in /bootstrap.json that the page
// can dial.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { openPage, chromiumDialRefusal, nodeAndBrowser } from './harness.mjs';
import { demoPeersListening } from './demo_helpers.mjs';

const TIMEOUT = 30_000;
const env = nodeAndBrowser(['--demo-peers', '3'], { demo: true });

function addr(demoPeer, transport) {
  const found = demoPeer.addrs.find((a) => a.transport === transport);
  assert.ok(found, `${demoPeer.kind} has a ${transport} address`);
  return found.multiaddr;
}

test('/bootstrap.json keeps the node shape and lists 3 demo peers with webrtc-direct, webtransport and websocket', () => {
  assert.equal(env.bootstrap.peer_id, env.node.peerId);
  assert.deepEqual(env.bootstrap.addrs.map((a) => a.transport).sort(), ['tcp', 'webrtc-direct', 'websocket', 'webtransport']);
  assert.deepEqual(env.bootstrap.demo_peers.map((d) => d.kind), ['honest', 'slow', 'flapping']);
  const ids = new Set(env.bootstrap.demo_peers.map((d) => d.peer_id));
  assert.equal(ids.size, 3);
  assert.ok(!ids.has(env.node.peerId));
  for (const d of env.bootstrap.demo_peers) {
    assert.match(d.peer_id, /^12D3KooW/);
    assert.deepEqual(d.addrs.map((a) => a.transport).sort(), ['webrtc-direct', 'websocket', 'webtransport']);
    for (const a of d.addrs) assert.ok(a.multiaddr.endsWith(`/p2p/${d.peer_id}`), a.multiaddr);
    assert.match(addr(d, 'webrtc-direct'), /^\/ip4\/127\.0\.0\.1\/udp\/\d+\/webrtc-direct\/certhash\//);
    assert.match(addr(d, 'websocket'), /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\//);
    // The serving certificate's hash and the next one's, as browsers need.
    assert.match(addr(d, 'webtransport'), /^\/ip4\/127\.0\.0\.1\/udp\/\d+\/quic-v1\/webtransport\/certhash\/[\w-]+\/certhash\/[\w-]+\/p2p\//);
  }
});

async function expectDemoConnected(demoPeer, transport) {
  const url = `${env.node.url}?peer=${encodeURIComponent(addr(demoPeer, transport))}`;
  const { page, problems } = await openPage(env.browser, url);
  const row = page.locator(`tr[data-peer-id="${demoPeer.peer_id}"]`);
  await row.and(page.locator('[data-state="connected"]')).waitFor({ timeout: TIMEOUT });
  assert.equal(await row.getAttribute('data-transport'), transport);
  // identify names the demo peer and its behaviour; RTT values are never asserted on.
  await row.locator('td.agent', { hasText: `peerkeeper-demo/` }).waitFor({ timeout: TIMEOUT });
  assert.match(await row.locator('td.agent').textContent(), new RegExp(`^peerkeeper-demo/\\S+ \\(${demoPeer.kind}\\)$`));
  assert.deepEqual(problems, []);
  await page.close();
}

test('the page dials an honest demo peer from ?peer= over websocket and sees its demo agent', async () => {
  await expectDemoConnected(env.bootstrap.demo_peers[0], 'websocket');
});

test('the page dials the slow demo peer over webrtc-direct and sees its demo agent', async () => {
  await expectDemoConnected(env.bootstrap.demo_peers[1], 'webrtc-direct');
});

test('the page dials an honest demo peer over webtransport and sees its demo agent', async () => {
  await expectDemoConnected(env.bootstrap.demo_peers[0], 'webtransport');
});

/** 'open' if a TCP connection to the port is accepted, 'refused' if it is refused. */
function tcpProbe(port) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve('open'); });
    socket.once('error', (e) => (e.code === 'ECONNREFUSED' ? resolve('refused') : reject(e)));
  });
}

// Runs last: the flapping peer (schedule: up 30 s from node start, down 15 s, up again).
test('the page sees the flapping demo peer drop; its port refuses while down and reopens on the same addresses', async () => {
  const flapping = env.bootstrap.demo_peers[2];
  assert.equal(flapping.kind, 'flapping');
  const ws = addr(flapping, 'websocket');
  const port = Number(ws.match(/\/tcp\/(\d+)\//)[1]);
  const { page, problems } = await openPage(env.browser, `${env.node.url}?peer=${encodeURIComponent(ws)}`);
  const row = page.locator(`tr[data-peer-id="${flapping.peer_id}"]`);
  await row.and(page.locator('[data-state="connected"]')).waitFor({ timeout: TIMEOUT });
  await row.and(page.locator('[data-state="disconnected"]')).waitFor({ timeout: 45_000 });
  assert.equal(await tcpProbe(port), 'refused');
  const deadline = Date.now() + 30_000;
  let state;
  while ((state = await tcpProbe(port)) !== 'open' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(state, 'open', 'the flapping peer came back within 30 s of going down');
  const again = await demoPeersListening(env.node.url);
  assert.deepEqual(again.demo_peers[2].addrs, flapping.addrs);
  // The page's engine redials the peer while it is down; Chromium logs each refusal itself.
  const refusal = chromiumDialRefusal(flapping);
  assert.deepEqual(problems.filter((p) => !refusal(p)), []);
  await page.close();
  // Its webrtc-direct listener is back on the same address too.
  await expectDemoConnected(flapping, 'webrtc-direct');
});

// Shared by the demo_*.test.mjs files: reading /bootstrap.json and the page's peer rows.
import assert from 'node:assert/strict';

/** Polls /bootstrap.json until every demo peer lists its three listeners (webrtc-direct,
 * webtransport, websocket; they bind asynchronously). */
export async function demoPeersListening(pageUrl, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const json = await (await fetch(new URL('/bootstrap.json', pageUrl))).json();
    if (json.demo_peers.length > 0 && json.demo_peers.every((d) => d.addrs.length >= 3)) return json;
    if (Date.now() > deadline) throw new Error(`demo peers never listed their addresses: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The one demo peer of `kind`. */
export function demoPeer(bootstrap, kind) {
  const found = bootstrap.demo_peers.filter((d) => d.kind === kind);
  assert.equal(found.length, 1, `exactly one ${kind} demo peer in ${JSON.stringify(bootstrap.demo_peers.map((d) => d.kind))}`);
  return found[0];
}

/** The page's table row of a peer. */
export function row(page, peerId) {
  return page.locator(`tr[data-peer-id="${peerId}"]`);
}

// `peerkeeper/light-peer` in headless Chromium: the light peer starts from the installed
// package, refuses bad input by name, and reports a refused dial as a `dialFailed` event (no
// network needed: it dials a closed port on 127.0.0.1). And an app that imports only the
// engine never fetches the light peer's wasm.
import assert from 'node:assert/strict';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { APP_DIR } from './harness.mjs';

const PKG = join(APP_DIR, 'node_modules', 'peerkeeper');
const TYPES = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };

// Any valid peer id: the engine keeps tags and reports for peers it has not met.
const OTHER_PEER = '12D3KooWNcr3JhFVGDhmcVk8kaEqiQZiXSHsUrH6qLrpCR7zH6s2';

const closed = createServer();
await new Promise((r) => closed.listen(0, '127.0.0.1', r));
const CLOSED_PORT = closed.address().port;
await new Promise((r) => closed.close(r));

const PAGES = {
  '/engine': `<!doctype html><script type="module">
    import { PeerManager } from '/pkg/browser.mjs';
    const pm = new PeerManager();
    pm.tagPeer('a', 't', 1);
    window.result = pm.peerScore('a');
  </script>`,
  '/light': `<!doctype html><script type="module">
    import { LightPeer } from '/pkg/light-peer.mjs';
    const errors = [];
    const attempt = (f) => { try { f(); errors.push(null); } catch (e) { errors.push(e.name + ': ' + e.message); } };
    attempt(() => new LightPeer({ lowWater: -1 }));
    attempt(() => new LightPeer({ lowwater: 1 }));
    const lp = new LightPeer({ lowWater: 2, highWater: 3 });
    attempt(() => lp.dial('not an address'));
    attempt(() => lp.dial('/ip4/127.0.0.1/tcp/1'));
    attempt(() => lp.dial(42));
    attempt(() => lp.protect('not a peer id', 'relay'));
    const events = [];
    const failed = new Promise((resolve) => lp.addEventListener('dialFailed', (e) => resolve(e.detail)));
    lp.addEventListener('dialing', (e) => events.push(e.detail));
    lp.dial('/ip4/127.0.0.1/tcp/${CLOSED_PORT}/ws');
    const detail = await failed;
    window.result = { peerId: lp.peerId, errors, dialing: events, failed: detail };
  </script>`,
  '/controls': `<!doctype html><script type="module">
    import { LightPeer } from '/pkg/light-peer.mjs';
    const other = '${OTHER_PEER}';
    const lp = new LightPeer({ lowWater: 2, highWater: 3 });
    const seen = [];
    for (const type of ['tagged', 'tagRemoved', 'reported', 'protected', 'unprotected']) {
      lp.addEventListener(type, (e) => seen.push([e.type, e.detail.peerId, e.detail.tag ?? e.detail.action]));
    }
    const errors = [];
    const attempt = async (f) => { try { await f(); errors.push(null); } catch (e) { errors.push(e.name + ': ' + e.message); } };
    await attempt(() => lp.tag(other, '', 1));
    await attempt(() => lp.report(other, 'gentle'));
    await attempt(() => lp.disconnect(other));
    await attempt(() => lp.setTrimSettings({ lowWater: 5, highWater: 4 }));
    lp.tag(other, 'useful', 50);
    lp.protect(other, 'relay');
    lp.unprotect(other, 'relay');
    lp.report(other, 'low_tolerance', 'slow');
    lp.untag(other, 'useful');
    const trims = await lp.setTrimSettings({ highWater: 10 });
    const view = await lp.engineView();
    window.result = { errors, seen, trims, settings: view.settings };
  </script>`,
};

function serve(requests) {
  return (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    requests.push(url.pathname);
    if (PAGES[url.pathname]) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(PAGES[url.pathname]);
    }
    const file = url.pathname.startsWith('/pkg/') && normalize(join(PKG, url.pathname.slice(5)));
    if (!file || !file.startsWith(PKG) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  };
}

const requests = [];
const server = createServer(serve(requests));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const base = `http://127.0.0.1:${server.address().port}`;

async function run(path) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${base}${path}`);
  await page.waitForFunction(() => window.result !== undefined, null, { timeout: 60_000 });
  const result = await page.evaluate(() => window.result);
  await page.close();
  assert.deepEqual(problems, []);
  return result;
}

test.after(async () => {
  await browser.close();
  server.close();
});

test('an app importing only the engine fetches no light-peer code', async () => {
  assert.equal(await run('/engine'), 1);
  assert.deepEqual(requests.filter((p) => p.includes('light')), []);
});

test('the light peer starts in Chromium, refuses bad input by name and reports a refused dial', async () => {
  const r = await run('/light');
  assert.match(r.peerId, /^12D3KooW/);
  assert.deepEqual(r.errors, [
    'RangeError: LightPeer: config.lowWater must be between 0 and 4294967295, got -1',
    'TypeError: LightPeer: unknown config field "lowwater" (known: lowWater, highWater, gracePeriod, silencePeriod)',
    r.errors[2],
    'RangeError: dial: address: /ip4/127.0.0.1/tcp/1 uses a transport browsers cannot dial (use webrtc-direct, webtransport or ws)',
    'TypeError: dial: address must be a string, got 42',
    r.errors[5],
  ]);
  assert.match(r.errors[2], /^RangeError: dial: address: "not an address" is not a multiaddr/);
  assert.match(r.errors[5], /^RangeError: protect: peer_id: "not a peer id" is not a peer id/);
  assert.deepEqual(r.dialing, [{ type: 'dialing', address: `/ip4/127.0.0.1/tcp/${CLOSED_PORT}/ws` }]);
  assert.equal(r.failed.type, 'dialFailed');
  assert.equal(typeof r.failed.error, 'string');
});

test("the light peer's controls reach its engine through the package, bad input refused by name", async () => {
  const r = await run('/controls');
  assert.deepEqual(r.errors.map((e) => e && e.split(':')[0]), ['RangeError', 'RangeError', 'RangeError', 'RangeError']);
  assert.equal(r.errors[0], 'RangeError: tag: tag must not be empty');
  assert.match(r.errors[1], /^RangeError: report: .*gentle/);
  assert.match(r.errors[2], /^RangeError: disconnect: /);
  assert.match(r.errors[3], /^RangeError: setTrimSettings: .*low_water|^RangeError: setTrimSettings: .*lowWater/);
  assert.deepEqual(r.seen, [
    ['tagged', OTHER_PEER, 'useful'],
    ['protected', OTHER_PEER, 'relay'],
    ['unprotected', OTHER_PEER, 'relay'],
    ['reported', OTHER_PEER, 'low_tolerance'],
    ['tagRemoved', OTHER_PEER, 'useful'],
  ]);
  assert.equal(r.trims, false);
  assert.equal(r.settings.highWater, 10);
  assert.equal(r.settings.lowWater, 2);
});

// The page against the node's default demo network (12 peers: 7 honest, one each slow,
// flapping, spamming, minority-fork, irrelevant-network): it trims past the high water and
// settles between the marks, soft-bans the spammer at its 10th strike, and drops the peer on
// another network with `irrelevant_network`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNode, stopNode, launchBrowser, openPage } from './harness.mjs';
import { demoPeersListening, demoPeer, row } from './demo_helpers.mjs';

// The page's engine settings (web/src/light_peer.rs, LightPeerConfig::default()).
const LOW_WATER = 6;
const HIGH_WATER = 8;
// Seed 003's SPAM_STRIKE_THRESHOLD.
const STRIKE_THRESHOLD = 10;
const CLOSED_VERDICTS = ['closed_lowest_score', 'closed_tie_oldest', 'closed_not_aligned'];

let node;
let browser;
let bootstrap;
let page;
let problems;

before(async () => {
  node = await startNode();
  bootstrap = await demoPeersListening(node.url);
  browser = await launchBrowser();
  ({ page, problems } = await openPage(browser, node.url));
});

after(async () => {
  await browser?.close();
  if (node) await stopNode(node);
});

test('the default demo network has one peer of each behaviour and more peers than the page keeps', () => {
  const kinds = bootstrap.demo_peers.map((d) => d.kind);
  assert.deepEqual(kinds, [
    ...Array(7).fill('honest'), 'slow', 'flapping', 'spamming', 'minority_fork', 'irrelevant_network',
  ]);
  assert.ok(kinds.length > HIGH_WATER);
  assert.equal(bootstrap.chain.network_id, 7);
  assert.equal(bootstrap.chain.fork_digest, '706b0001');
});

test('the spammer is soft-banned at its 10th strike and stays out, shown banned', async () => {
  const spammer = row(page, demoPeer(bootstrap, 'spamming').peer_id);
  await spammer.and(page.locator(`[data-banned-after-strikes="${STRIKE_THRESHOLD}"]`))
    .waitFor({ timeout: 30_000 });
  // The engine's view marks a banned peer `banned` (not merely disconnected), as the sandbox does.
  await spammer.and(page.locator('[data-state="banned"][data-reason="banned"]'))
    .waitFor({ timeout: 10_000 });
  assert.match(await spammer.locator('td.backoff').textContent(), /^ban \d+ min/);
  // The engine keeps the count until the ban expires.
  assert.ok(Number(await spammer.locator('td.strikes').textContent()) >= STRIKE_THRESHOLD);
});

test('the peer on another network is dropped with irrelevant_network', async () => {
  const irrelevant = row(page, demoPeer(bootstrap, 'irrelevant_network').peer_id);
  await irrelevant.and(page.locator('[data-reason="irrelevant_network"]')).waitFor({ timeout: 30_000 });
  assert.equal(await irrelevant.getAttribute('data-network-id'), '99');
  // The engine never judged it aligned: it never shared our network.
  assert.notEqual(await irrelevant.getAttribute('data-aligned'), 'true');
});

test('connections past the high water are trimmed with a reason per victim and settle between the marks', async () => {
  // Peers learned through peer exchange connect together, so the very first trim may find them
  // all in their grace period and close nobody; the one that follows closes someone.
  const firstTrim = page.locator('li.trim:not([data-closed="0"])').first();
  await firstTrim.waitFor({ timeout: 60_000 });
  const summary = await firstTrim.locator('.trim-summary').textContent();
  assert.match(summary, /high_water_crossed|deferred_after_silence/);
  const connectedAtTrim = Number(summary.match(/(\d+) connected/)[1]);
  // A crossing trims at once; one asked for during the silence period runs when it ends, on
  // whatever is connected then, and still trims down to the low water.
  const floor = /high_water_crossed/.test(summary) ? HIGH_WATER : LOW_WATER;
  assert.ok(connectedAtTrim > floor, `the first trim ran at ${connectedAtTrim} connected: ${summary}`);
  const closed = Number(await firstTrim.getAttribute('data-closed'));
  assert.ok(closed >= 1, `a trim closed nobody: ${summary}`);
  const verdicts = await firstTrim.locator('tr[data-verdict]').evaluateAll(
    (rows) => rows.map((r) => ({ verdict: r.dataset.verdict, closed: r.classList.contains('closed') })));
  assert.equal(verdicts.filter((v) => v.closed).length, closed);
  for (const v of verdicts) assert.equal(CLOSED_VERDICTS.includes(v.verdict), v.closed, JSON.stringify(v));
  // The bootstrap node is protected by the page, so it is never a victim.
  assert.equal(await row(page, node.peerId).getAttribute('data-state'), 'connected');
  await page.locator('tr[data-state="disconnected"][data-reason^="too_many_peers"]').first()
    .waitFor({ timeout: 20_000 });

  // The count settles inside [low, high]; redials (the engine holds them at the high water)
  // never push it past the high water again.
  await page.waitForFunction(([low, high]) => {
    const n = Number(document.querySelector('#connected-count')?.textContent);
    return n >= low && n <= high;
  }, [LOW_WATER, HIGH_WATER], { timeout: 30_000 });
  const seen = [];
  for (let i = 0; i < 12; i += 1) {
    await page.waitForTimeout(500);
    seen.push(Number(await page.locator('#connected-count').textContent()));
  }
  assert.ok(seen.every((n) => n <= HIGH_WATER), `counts over 6 s: ${seen}`);
  assert.deepEqual(problems, []);
});

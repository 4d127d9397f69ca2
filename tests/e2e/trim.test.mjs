// The page's light peer runs the engine against the node's demo network: past the high water
// it trims, the report names each victim and why, and the count settles between the marks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, nodeAndBrowser } from './harness.mjs';

// The page's engine settings (web/src/light_peer.rs, LightPeerConfig::default()).
const LOW_WATER = 6;
const HIGH_WATER = 8;
const CLOSED_VERDICTS = ['closed_lowest_score', 'closed_tie_oldest', 'closed_not_aligned'];

const env = nodeAndBrowser(['--demo-peers', '12', '--demo-flapping', '0']);

test('connections past the high water are trimmed to the low water with a reason per victim', async () => {
  const { page, problems } = await openPage(env.browser, env.node.url);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Peers learned through peer exchange connect together, so the very first trim may find them
  // all in their grace period and close nobody; the one that follows closes someone.
  const firstTrim = page.locator('li.trim:not([data-closed="0"])').first();
  await firstTrim.waitFor({ timeout: 60_000 });
  const closed = Number(await firstTrim.getAttribute('data-closed'));
  assert.ok(closed >= 1, `a trim closed nobody: ${await firstTrim.textContent()}`);
  const summary = await firstTrim.locator('.trim-summary').textContent();
  assert.match(summary, /high_water_crossed|deferred_after_silence/);

  const verdicts = await firstTrim.locator('tr[data-verdict]').evaluateAll(
    (rows) => rows.map((r) => ({ verdict: r.dataset.verdict, closed: r.classList.contains('closed') })));
  assert.equal(verdicts.filter((v) => v.closed).length, closed);
  for (const v of verdicts) {
    assert.equal(CLOSED_VERDICTS.includes(v.verdict), v.closed, JSON.stringify(v));
  }
  // The bootstrap node is protected by the page, so it is never a victim.
  const nodeRow = page.locator(`tr[data-peer-id="${env.node.peerId}"]`);
  assert.equal(await nodeRow.getAttribute('data-state'), 'connected');

  // Trimmed peers stay listed, greyed, with the engine's reason.
  await page.locator('tr[data-state="disconnected"][data-reason^="too_many_peers"]').first()
    .waitFor({ timeout: 20_000 });

  // Once every dial is done the count settles inside [low water, high water].
  await page.waitForFunction(([low, high]) => {
    const n = Number(document.querySelector('#connected-count')?.textContent);
    return n >= low && n <= high;
  }, [LOW_WATER, HIGH_WATER], { timeout: 30_000 });
  await page.waitForTimeout(6_000);
  const settled = Number(await page.locator('#connected-count').textContent());
  assert.ok(settled >= LOW_WATER && settled <= HIGH_WATER, `settled at ${settled}`);
  await screenshot(page, 'live');

  // The trim shown as ranked: its victims first, in closing order, then the kept peers.
  const newest = page.locator('li.trim').first();
  const lines = await newest.locator('tr[data-verdict]').count();
  const victims = Number(await newest.getAttribute('data-closed'));
  await newest.locator('button.show-ranked').click();
  const ranked = await page.locator('tr[data-ranked-verdict]').evaluateAll(
    (rows) => rows.map((r) => r.dataset.rankedVerdict));
  assert.equal(ranked.length, lines);
  assert.deepEqual(ranked.map((v) => CLOSED_VERDICTS.includes(v)),
    [...Array(victims).fill(true), ...Array(lines - victims).fill(false)]);
  await screenshot(page, 'live-ranked');
  assert.deepEqual(problems, []);
  await page.close();
});

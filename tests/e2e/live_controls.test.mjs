// Live mode's controls reach the light peer's engine: the settings form changes the
// watermarks while peers are connected (lowering the high water trims at once), and the
// per-peer tag, report and disconnect buttons change that peer's row from the engine's view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, nodeAndBrowser } from './harness.mjs';

const CLOSED_VERDICTS = ['closed_lowest_score', 'closed_tie_oldest', 'closed_not_aligned'];

const env = nodeAndBrowser(['--demo-peers', '12', '--demo-flapping', '0']);

const connected = async (page) => Number(await page.locator('#connected-count').textContent());

/** Types the four settings and applies them. Grace and silence are in seconds. */
async function applySettings(page, { low, high, grace, silence }) {
  await page.fill('#set-low', String(low));
  await page.fill('#set-high', String(high));
  await page.fill('#set-grace', String(grace));
  await page.fill('#set-silence', String(silence));
  await page.click('#apply-settings');
}

/** The peer's table row as the tests read it, in one read: a render between separate
 * attribute reads could pair one engine view's total with the next view's parts. */
async function rowOf(page, peerId) {
  return page.locator(`table.peers tr[data-peer-id="${peerId}"]`).evaluate((row) => {
    const score = row.querySelector('td.score');
    // Empty until the engine's view reaches the row.
    const part = (name) => {
      const v = score.getAttribute(name);
      return v === '' || v === null ? null : Number(v);
    };
    return {
      state: row.getAttribute('data-state'),
      reason: row.getAttribute('data-reason'),
      score: Number(score.getAttribute('data-score')),
      tagScore: part('data-tag-score'),
      behaviourScore: part('data-behaviour-score'),
      tags: row.querySelector('td.tags').textContent.trim(),
      backoff: row.querySelector('td.backoff').textContent.trim(),
    };
  });
}

/** Waits until `check(row)` holds for the peer's row; fails with the last row seen. */
async function waitForRow(page, peerId, check, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await rowOf(page, peerId);
    if (check(last)) return last;
    await page.waitForTimeout(200);
  }
  assert.fail(`${what}: the row of ${peerId} stayed ${JSON.stringify(last)}`);
}

/** Opens the details panel of a connected demo peer (not the protected node) and returns its id. */
async function selectConnectedDemoPeer(page, except = []) {
  const skip = [env.node.peerId, ...except].map((id) => `:not([data-peer-id="${id}"])`).join('');
  const row = page.locator(`table.peers tr[data-state="connected"]${skip}`).first();
  await row.waitFor({ timeout: 60_000 });
  const peerId = await row.getAttribute('data-peer-id');
  await row.locator('button.peer-link').click();
  await page.locator('#peer-tag').waitFor({ timeout: 5_000 });
  return peerId;
}

test('lowering the high water from the settings form trims the live peers to the new low water', async () => {
  const { page, problems } = await openPage(env.browser, env.node.url);
  await page.setViewportSize({ width: 1280, height: 800 });
  // Enough demo peers connected and out of their 2 s grace period to trim from.
  await page.waitForFunction(() => Number(document.querySelector('#connected-count')?.textContent) >= 5,
    null, { timeout: 60_000 });
  await page.waitForTimeout(3_000);
  const trimsBefore = await page.locator('li.trim').count();

  await applySettings(page, { low: 2, high: 3, grace: 0, silence: 0.5 });
  await page.waitForFunction(() => /low water 2 · high water 3 · grace 0\.0 s · silence 0\.5 s/
    .test(document.querySelector('.gauge-text')?.textContent ?? ''), null, { timeout: 10_000 });
  assert.equal(await page.locator('#settings-error').count(), 0);

  // The change itself asks for the trim: its report targets the new low water.
  const trim = page.locator('li.trim').filter({ hasText: /→ target 2 ·/ }).first();
  await trim.waitFor({ timeout: 20_000 });
  assert.ok(await page.locator('li.trim').count() > trimsBefore);
  const summary = await trim.locator('.trim-summary').textContent();
  assert.match(summary, /high_water_crossed|deferred_after_silence/);
  const closed = Number(await trim.getAttribute('data-closed'));
  assert.ok(closed >= 1, `the trim closed nobody: ${summary}`);

  // Its victims, by id, from the table as the trim ranked it; each is left greyed with the reason.
  await trim.locator('button.show-ranked').click();
  const ranked = await page.locator('tr[data-ranked-verdict]').evaluateAll(
    (rows) => rows.map((r) => ({ peer: r.dataset.peerId, verdict: r.dataset.rankedVerdict })));
  const victims = ranked.filter((r) => CLOSED_VERDICTS.includes(r.verdict));
  assert.equal(victims.length, closed);
  assert.ok(!victims.some((v) => v.peer === env.node.peerId), 'the protected node was trimmed');
  await page.locator('.ranked-banner button').click();
  for (const v of victims) {
    await waitForRow(page, v.peer, (r) => r.state !== 'connected' && r.reason.startsWith('too_many_peers'),
      `victim ${v.verdict}`);
  }
  await page.waitForFunction(() => Number(document.querySelector('#connected-count')?.textContent) <= 3,
    null, { timeout: 30_000 });

  // A bad set is refused naming the field, and the engine keeps the settings it had.
  await applySettings(page, { low: 5, high: 4, grace: 0, silence: 0.5 });
  assert.match(await page.locator('#settings-error').textContent(), /^low_water: must not exceed high_water/);
  assert.match(await page.locator('.gauge-text').textContent(), /low water 2 · high water 3/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('tag, report and disconnect on a live peer change that peer\'s row from the engine', async () => {
  const { page, problems } = await openPage(env.browser, env.node.url);
  await page.setViewportSize({ width: 1280, height: 800 });
  // Room for everyone, so no trim moves the peers under test.
  await page.waitForFunction(() => Number(document.querySelector('#connected-count')?.textContent) >= 3,
    null, { timeout: 60_000 });
  await applySettings(page, { low: 30, high: 40, grace: 2, silence: 1 });
  const tagged = await selectConnectedDemoPeer(page);
  const before = await waitForRow(page, tagged, (r) => r.tagScore !== null, 'the engine view reaching the row');

  // A static tag: the tag column lists it and the tag part of the score grows by its value.
  await page.fill('#peer-tag-name', 'useful');
  await page.fill('#peer-tag-value', '50');
  await page.click('#peer-tag');
  const afterTag = await waitForRow(page, tagged, (r) => /(^| )useful=50( |$)/.test(r.tags), 'tagging');
  assert.equal(afterTag.tagScore, before.tagScore + 50);

  // A low-tolerance report moves the behaviour part by -10 (then it decays, halving every
  // 10 minutes) and the total with it.
  await page.selectOption('#peer-report-action', 'low_tolerance');
  await page.click('#peer-report');
  const afterReport = await waitForRow(page, tagged, (r) => r.behaviourScore < 0, 'reporting');
  assert.ok(afterReport.behaviourScore >= -10 && afterReport.behaviourScore < -9.9, JSON.stringify(afterReport));
  assert.ok(afterReport.score < afterReport.tagScore - 9.9, JSON.stringify(afterReport));
  await page.locator('#peer-details .peer-events li', { hasText: 'reported page (low_tolerance): -10.0 → -10.0' })
    .waitFor({ timeout: 5_000 });

  // A fatal report bans the peer: the engine closes it and refuses it until the ban ends.
  await page.selectOption('#peer-report-action', 'fatal');
  await page.click('#peer-report');
  const banned = await waitForRow(page, tagged, (r) => r.state === 'banned', 'a fatal report');
  assert.equal(banned.reason, 'banned');
  assert.match(banned.backoff, /^ban /);

  // Disconnect: another peer closes with the page's reason.
  const closed = await selectConnectedDemoPeer(page, [tagged]);
  await page.click('#peer-disconnect');
  const gone = await waitForRow(page, closed, (r) => r.state !== 'connected', 'disconnecting');
  assert.equal(gone.reason, 'client_shutdown');
  await screenshot(page, 'live-controls');
  assert.deepEqual(problems, []);
  await page.close();
});

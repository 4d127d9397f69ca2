// Teaching mode, no network: every scenario played to its end shows each expected outcome as
// passed (seed 001's printed lines among them), a step is a link, and Play runs the clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openPage, screenshot } from './harness.mjs';

// Seed 001's printed outcomes, each shown as a passed check by its lesson.
const SEED_001_LINES = {
  'seed-trim-on-high-water': ['1a. before trigger: connected = 3'],
  'seed-protect-unprotect': ['2a. isProtected(vip) = true', '2b. first trim:  vip survived = true, connected = 2', '2c. unprotect:   still-protected = false'],
  'seed-static-tags': ['peerScore(vip) = 100'],
  'seed-decaying-tags': ['4a. initial scores: p1 = 100, p2 = 100, p3 = 0', '4c. after re-tag:   p1 = 100', '4e. after bump:    p1 = 150'],
};

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function scenarioIds() {
  const { page } = await openPage(browser, `${server.url}?mode=teaching`);
  await page.locator('#scenario-pick option').first().waitFor({ state: 'attached' });
  const ids = await page.locator('#scenario-pick option').evaluateAll((os) => os.map((o) => o.value));
  await page.close();
  return ids;
}

test('every scenario played to its end shows every expected outcome as passed', async () => {
  const ids = await scenarioIds();
  assert.equal(ids.length, 9, ids.join(','));
  for (const id of ids) {
    const { page, problems } = await openPage(browser, `${server.url}?scenario=${id}&step=100000`);
    const lesson = page.locator(`.lesson[data-scenario="${id}"][data-finished="true"]`);
    await lesson.waitFor({ timeout: 20_000 });
    const failed = await page.locator('.check.failed').allTextContents();
    assert.deepEqual(failed, [], `${id}: failed checks`);
    const passed = await page.locator('.check.passed').allTextContents();
    assert.ok(passed.length > 0, `${id} shows no checks`);
    for (const line of SEED_001_LINES[id] ?? []) {
      assert.ok(passed.some((p) => p.includes(line)), `${id}: "${line}" not shown as passed in ${passed.join(' | ')}`);
    }
    // The URL names the scenario and the step reached.
    const steps = await page.locator('.lesson .step').count();
    assert.equal(new URL(page.url()).searchParams.get('step'), String(steps));
    if (id === 'seed-trim-on-high-water') await screenshot(page, 'teaching');
    assert.deepEqual(problems, [], id);
    await page.close();
  }
});

test('a step link opens the lesson at that step with its narration, and Step moves on by one', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?scenario=seed-protect-unprotect&step=2`);
  await page.locator('.lesson[data-cursor="2"]').waitFor();
  const narration = await page.locator('#narration strong').textContent();
  const second = await page.locator('.lesson .step a').nth(1).textContent();
  assert.equal(narration.replace(/^2\. /, ''), second.replace(/^[\d.]+ s · /, ''));
  await page.locator('#step').click();
  await page.locator('.lesson[data-cursor="3"]').waitFor();
  assert.equal(new URL(page.url()).searchParams.get('step'), '3');
  assert.deepEqual(problems, []);
  await page.close();
});

test('Play runs a lesson to its end on the virtual clock', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?scenario=seed-trim-on-high-water`);
  await page.locator('.lesson[data-cursor="0"]').waitFor();
  await page.locator('#speed').selectOption('20');
  await page.locator('#play').click();
  await page.locator('.lesson[data-finished="true"]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('.check.failed').count(), 0);
  assert.ok(await page.locator('li.trim').count() >= 1, 'the lesson trims');
  assert.deepEqual(problems, []);
  await page.close();
});

// The sandbox, the stress view and the decay playground, no network: the controls change the
// engine (lowering the high water trims at once), a peer's details and controls work, the page
// works by keyboard alone and at phone width, and every view is screenshotted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveDist, launchBrowser, openPage, screenshot } from './harness.mjs';

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

async function sandbox() {
  const opened = await openPage(browser, `${server.url}?mode=sandbox`);
  await opened.page.setViewportSize({ width: 1280, height: 800 });
  await opened.page.locator('tr[data-peer-id="peer-4"]').waitFor();
  return opened;
}

const connected = async (page) => Number(await page.locator('#connected-count').textContent());

test('lowering the high water in the sandbox trims at once, down to the new low water', async () => {
  const { page, problems } = await sandbox();
  assert.equal(await connected(page), 5);
  assert.equal(await page.locator('li.trim').count(), 0);
  await page.locator('#set-low').fill('2');
  await page.locator('#set-high').fill('3');
  await page.locator('#set-grace').fill('0');
  await page.locator('#apply-settings').click();
  const trim = page.locator('li.trim').first();
  await trim.waitFor();
  assert.equal(await trim.getAttribute('data-closed'), '3');
  assert.match(await trim.locator('.trim-summary').textContent(), /high_water_crossed · 5 connected → target 2 · closed 3/);
  assert.equal(await connected(page), 2);
  // The lowest scores went (useful = 0, 1, 3), greyed with the engine's reason.
  const gone = await page.locator('tr[data-state="disconnected"]').evaluateAll((rs) => rs.map((r) => [r.dataset.peerId, r.dataset.reason]).sort());
  assert.deepEqual(gone, [['peer-1', 'too_many_peers'], ['peer-3', 'too_many_peers'], ['peer-4', 'too_many_peers']]);
  // The trim shown as ranked: victims first, in closing order.
  await trim.locator('button.show-ranked').click();
  const ranked = await page.locator('tr[data-ranked-verdict]').evaluateAll((rs) => rs.map((r) => r.dataset.peerId));
  assert.deepEqual(ranked, ['peer-4', 'peer-1', 'peer-3', 'peer-0', 'peer-2']);
  await screenshot(page, 'sandbox-ranked');
  await page.getByRole('button', { name: 'Back to the current table' }).click();
  // A bad set is refused, naming the field, and changes nothing.
  await page.locator('#set-low').fill('9');
  await page.locator('#apply-settings').click();
  assert.equal(await page.locator('#settings-error').textContent(), 'low_water: must not exceed high_water (9 > 3)');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a peer selected in the sandbox shows its score and tags over time, and its controls reach the engine', async () => {
  const { page, problems } = await sandbox();
  await page.locator('tr[data-peer-id="peer-2"] button.peer-link').click();
  const details = page.locator('#peer-details[data-peer-id="peer-2"]');
  await details.waitFor();
  assert.equal(await page.locator('#details-score').textContent(), '8.00');
  await page.locator('#peer-tag-name').fill('helper');
  await page.locator('#peer-tag-value').fill('12');
  await page.locator('#peer-tag').click();
  await page.locator('#details-score', { hasText: '20.00' }).waitFor();
  await page.locator('#peer-protect').click();
  await page.locator('tr[data-peer-id="peer-2"] td.protected', { hasText: 'yes' }).waitFor();
  await page.locator('#step').click();
  await page.locator('#tags-chart polyline[data-series="helper"]').waitFor({ state: 'attached' });
  await screenshot(page, 'sandbox-details');
  await page.locator('#peer-report-action').selectOption('fatal');
  await page.locator('#peer-report').click();
  await page.locator('tr[data-peer-id="peer-2"][data-state="banned"]').waitFor();
  await page.locator('#peer-disconnect').click();
  assert.deepEqual(problems, []);
  await page.close();
});

test('the sandbox works with the keyboard alone', async () => {
  const { page, problems } = await sandbox();
  // Tab to "Add an inbound peer" and press it twice with Enter and Space.
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.id) === 'add-peer') break;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'add-peer');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Space');
  await page.locator('tr[data-peer-id="peer-6"]').waitFor();
  assert.equal(await connected(page), 7);
  // A table row opens its details from the keyboard too.
  await page.locator('tr[data-peer-id="peer-0"] button.peer-link').focus();
  await page.keyboard.press('Enter');
  await page.locator('#peer-details[data-peer-id="peer-0"]').waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});

test('at phone width the sandbox still shows the status, the controls and the table', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?mode=sandbox`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('tr[data-peer-id="peer-0"]').waitFor();
  for (const sel of ['#connected-count', '#add-peer', '#apply-settings', '.table-scroll']) {
    assert.ok(await page.locator(sel).isVisible(), `${sel} visible`);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
  await screenshot(page, 'phone');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the decay playground draws the engine curve and names a bad field', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?mode=playground`);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('#decay-curve polyline').waitFor();
  await page.locator('#pg-decay').selectOption('fixed');
  await page.locator('#pg-param').fill('40');
  await page.locator('#pg-every').fill('0');
  await page.locator('#pg-duration').fill('4000');
  await page.locator('#pg-duration').press('Enter');
  await page.locator('#pg-duration').blur();
  await page.locator('#curve-summary', { hasText: '5 points, ends at 0' }).waitFor();
  await screenshot(page, 'playground');
  await page.locator('#pg-param').fill('x');
  await page.locator('#pg-param').blur();
  assert.equal(await page.locator('#curve-error').textContent(), 'param: "x" is not a number');
  assert.deepEqual(problems, []);
  await page.close();
});

test('the stress view holds a thousand peers while rendering only the rows in view', async () => {
  const { page, problems } = await openPage(browser, `${server.url}?mode=stress`);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForFunction(() => Number(document.querySelector('#connected-count')?.textContent) >= 1000, null, { timeout: 60_000 });
  await page.locator('li.trim').first().waitFor({ timeout: 30_000 });
  const rendered = await page.locator('table.peers tr[data-peer-id]').count();
  assert.ok(rendered <= 40, `${rendered} rows rendered`);
  await screenshot(page, 'stress');
  assert.deepEqual(problems, []);
  await page.close();
});

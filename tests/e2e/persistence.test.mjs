// Nothing lost across a reload (issue 10): the page stores its engine snapshot in IndexedDB and
// brings it back on load, so the spammer it soft-banned is still banned after a reload and is
// not let back in; a corrupt stored snapshot is set aside and reported, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openPage, nodeAndBrowser } from './harness.mjs';
import { demoPeer, row } from './demo_helpers.mjs';

const env = nodeAndBrowser([], { demo: true });

const logLine = (page, text) => page.locator('section.log li', { hasText: text });

/** The keys of the page's snapshot store, read through IndexedDB itself. */
function storedKeys(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('peerkeeper');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction('snapshots').objectStore('snapshots').getAllKeys();
      req.onsuccess = () => { open.result.close(); resolve(req.result); };
      req.onerror = () => reject(req.error);
    };
  }));
}

test('a soft ban survives a reload: the restored engine keeps the spammer out', async () => {
  const { page, problems } = await openPage(env.browser, env.node.url);
  await logLine(page, 'no stored engine snapshot: starting fresh').waitFor({ timeout: 20_000 });
  const spammerId = demoPeer(env.bootstrap, 'spamming').peer_id;
  const spammer = row(page, spammerId);
  await spammer.and(page.locator('[data-state="banned"][data-reason="banned"]'))
    .waitFor({ timeout: 40_000 });
  // Past the debounce, so the ban is stored before the reload (pagehide saves as well).
  await sleep(1_500);
  assert.deepEqual(await storedKeys(page), ['light-peer-engine']);

  await page.reload();
  await logLine(page, 'engine snapshot loaded').waitFor({ timeout: 20_000 });
  await logLine(page, 'restored the engine snapshot').waitFor({ timeout: 5_000 });
  // The banned row is back before any reconnect, with its reason.
  await spammer.and(page.locator('[data-reason="banned"]')).waitFor({ timeout: 5_000 });
  // The page dials every demo peer again from /bootstrap.json; the spammer stays out.
  await page.locator(`tr[data-peer-id="${env.node.peerId}"][data-state="connected"]`)
    .waitFor({ timeout: 30_000 });
  await sleep(5_000);
  assert.notEqual(await spammer.getAttribute('data-state'), 'connected');
  assert.equal(await spammer.getAttribute('data-reason'), 'banned');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a corrupt stored snapshot is set aside and reported, and the page starts fresh', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  // Same origin as the page, without the page running: the bytes are stored before it loads.
  await page.goto(new URL('/bootstrap.json', env.node.url).href);
  await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('peerkeeper', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('snapshots');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction('snapshots', 'readwrite');
      // The snapshot magic and a format-2 header, then nothing that checks out.
      tx.objectStore('snapshots').put(new Uint8Array([0x50, 0x4b, 0x53, 0x4e, 2, 0, 9, 9]), 'light-peer-engine');
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }));
  await page.goto(env.node.url);
  await logLine(page, 'the stored engine snapshot was refused').waitFor({ timeout: 20_000 });
  const keys = await storedKeys(page);
  assert.ok(keys.some((k) => /^light-peer-engine\.corrupt\.\d+$/.test(k)), JSON.stringify(keys));
  await page.locator(`tr[data-peer-id="${env.node.peerId}"][data-state="connected"]`)
    .waitFor({ timeout: 30_000 });
  assert.deepEqual(problems, []);
  await context.close();
});

// Nothing lost across a reload (issue 10): the page stores its engine snapshot in IndexedDB and
// brings it back on load, so the spammer it soft-banned is still banned after a reload and is
// not let back in; the restored engine's clock carries on from the snapshot's time plus the
// time the page was closed, so a ban that ended meanwhile is over; a corrupt stored snapshot is
// set aside and reported, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openPage, nodeAndBrowser } from './harness.mjs';
import { demoPeer, row } from './demo_helpers.mjs';

const env = nodeAndBrowser([], { demo: true });

const logLine = (page, text) => page.locator('section.log li', { hasText: text });

/** Seconds of ban the peer's backoff cell shows ("ban 59 min 58 s"), or null if none. */
async function banLeft(rowLocator) {
  const text = (await rowLocator.locator('td.backoff').textContent()).trim();
  const m = /^ban (?:(\d+) h (\d+) min|(\d+) min (\d+) s|([\d.]+) s)$/.exec(text);
  if (!m) return null;
  if (m[1]) return Number(m[1]) * 3600 + Number(m[2]) * 60;
  if (m[3]) return Number(m[3]) * 60 + Number(m[4]);
  return Number(m[5]);
}

/** Moves the stored record's save time `ms` into the past, as if the page had been closed that
 * much longer; the record is `PKWT`, the save's wall time (u64 LE), then the snapshot. */
function ageStoredRecord(page, ms) {
  return page.evaluate((ms) => new Promise((resolve, reject) => {
    const open = indexedDB.open('peerkeeper');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const store = open.result.transaction('snapshots', 'readwrite').objectStore('snapshots');
      const get = store.get('light-peer-engine');
      get.onsuccess = () => {
        const record = new Uint8Array(get.result);
        if (String.fromCharCode(...record.slice(0, 4)) !== 'PKWT') return reject(new Error('no save time'));
        const view = new DataView(record.buffer, record.byteOffset + 4, 8);
        const savedAt = view.getBigUint64(0, true);
        view.setBigUint64(0, savedAt - BigInt(ms), true);
        const put = store.put(record, 'light-peer-engine');
        put.onsuccess = () => { open.result.close(); resolve(Number(savedAt)); };
        put.onerror = () => reject(put.error);
      };
      get.onerror = () => reject(get.error);
    };
  }), ms);
}

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
  const leftBefore = await banLeft(spammer);
  const reloadedAt = Date.now();

  await page.reload();
  await logLine(page, 'engine snapshot loaded').waitFor({ timeout: 20_000 });
  await logLine(page, 'restored the engine snapshot').waitFor({ timeout: 5_000 });
  // The banned row is back before any reconnect, with its reason, and its ban has run on
  // through the reload instead of starting again or standing still.
  await spammer.and(page.locator('[data-reason="banned"]')).waitFor({ timeout: 5_000 });
  const leftAfter = await banLeft(spammer);
  const away = (Date.now() - reloadedAt) / 1000;
  assert.ok(leftBefore > 3_000 && leftAfter !== null, `ban left ${leftBefore} s, then ${leftAfter} s`);
  assert.ok(leftAfter <= leftBefore && leftAfter >= leftBefore - away - 2,
    `ban left ${leftBefore} s before a ${away} s reload, ${leftAfter} s after`);
  // The page dials every demo peer again from /bootstrap.json; the spammer stays out.
  await page.locator(`tr[data-peer-id="${env.node.peerId}"][data-state="connected"]`)
    .waitFor({ timeout: 30_000 });
  await sleep(5_000);
  assert.notEqual(await spammer.getAttribute('data-state'), 'connected');
  assert.equal(await spammer.getAttribute('data-reason'), 'banned');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a ban that ended while the page was closed is over when it opens again', async () => {
  const context = await env.browser.newContext();
  const problems = [];
  const watch = (page) => {
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    return page;
  };
  const first = watch(await context.newPage());
  await first.goto(env.node.url);
  const spammerId = demoPeer(env.bootstrap, 'spamming').peer_id;
  await row(first, spammerId).and(first.locator('[data-state="banned"]')).waitFor({ timeout: 40_000 });
  await sleep(1_500);
  await first.close();

  // Same origin, page not running: the stored record now says it was saved two hours earlier
  // than it was, longer than the one-hour soft ban.
  const page = watch(await context.newPage());
  await page.goto(new URL('/bootstrap.json', env.node.url).href);
  await ageStoredRecord(page, 2 * 3_600_000);
  await page.goto(env.node.url);
  await logLine(page, 'restored the engine snapshot').waitFor({ timeout: 20_000 });
  const spammer = row(page, spammerId);
  await spammer.waitFor({ timeout: 5_000 });
  assert.equal(await banLeft(spammer), null, 'the restored ban had ended while the page was closed');
  assert.notEqual(await spammer.getAttribute('data-state'), 'banned');
  // So the page lets the spammer in again, and it earns its next ban afresh.
  await spammer.and(page.locator('[data-state="banned"]')).waitFor({ timeout: 60_000 });
  const left = await banLeft(spammer);
  assert.ok(left > 3_500 && left <= 3_600, `a fresh one-hour ban, ${left} s left`);
  assert.deepEqual(problems, []);
  await context.close();
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

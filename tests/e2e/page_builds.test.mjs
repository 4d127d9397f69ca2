// The page ships two builds (www's `live` and `sim` features); index.html's loader starts the
// one the URL's mode needs. Each view must fetch its own build only, and what a view fetches
// (wasm + JS + CSS, gzip -9) is issue 9's transfer budget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serveDist, launchBrowser } from './harness.mjs';

const DIST = process.env.DIST;
const BUDGET = 400 * 1024;

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

/** Opens `query` and returns the page's own files it fetched (paths under dist/), once the
 * module has started (the page renders its mode navigation). */
async function fetched(query) {
  const page = await browser.newPage();
  const files = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (['.wasm', '.js', '.css'].includes(extname(path))) files.push(path.slice(1));
  });
  await page.goto(`${server.url}${query}`);
  await page.locator('nav.modes').waitFor({ timeout: 30_000 });
  await page.close();
  return files.sort();
}

const build = (files) => [...new Set(files.filter((f) => f.endsWith('.wasm'))
  .map((f) => f.match(/^peerkeeper-(live|sim)-/)?.[1] ?? f))];
const transfer = (files) => files
  .reduce((sum, f) => sum + gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length, 0);

for (const [query, want] of [
  ['', 'live'], ['?mode=live', 'live'], ['?mode=bogus', 'live'],
  ['?mode=teaching', 'sim'], ['?scenario=seed-trim-on-high-water', 'sim'],
  ['?scenario=seed-trim-on-high-water&mode=live', 'live'],
  ['?mode=sandbox', 'sim'], ['?mode=stress', 'sim'], ['?mode=playground', 'sim'],
]) {
  test(`"${query || '/'}" starts the ${want} build and fetches no other wasm`, async () => {
    assert.deepEqual(build(await fetched(query)), [want]);
  });
}

test('the lessons, sandbox, stress and playground views transfer at most 400 KB gzipped', async () => {
  const bytes = transfer(await fetched('?mode=teaching'));
  assert.ok(bytes <= BUDGET, `${bytes} bytes`);
});

// The live build is the browser light peer (issue 8's 270 KB budget, not yet met) plus the
// views; kept running as a todo with the measured size until the budget is met.
test('the live view transfers at most 400 KB gzipped',
  { todo: 'issue 9: the live build is over the 400 KB budget while the light peer is over 270 KB' },
  async () => {
    const bytes = transfer(await fetched('?mode=live'));
    assert.ok(bytes <= BUDGET, `${bytes} bytes`);
  });

// The shared engine cases in headless Chromium, through the package's browser entry
// (`browser.mjs`: wasm-bindgen's web build), served from the installed tarball on 127.0.0.1.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { APP_DIR } from './harness.mjs';
import { suites } from './cases/index.mjs';

const CASES = join(dirname(fileURLToPath(import.meta.url)), 'cases');
const PKG = join(APP_DIR, 'node_modules', 'peerkeeper');
const TYPES = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

const PAGE = `<!doctype html><meta charset="utf-8"><title>peerkeeper engine cases</title>
<script type="module">
  import * as api from '/pkg/browser.mjs';
  import { suites } from '/cases/index.mjs';
  import { t } from '/cases/assert.mjs';
  const results = [];
  for (const [suite, cases] of suites) {
    for (const [name, fn] of cases) {
      try { await fn(api, t); results.push({ suite, name, error: null }); }
      catch (e) { results.push({ suite, name, error: String(e && e.stack || e) }); }
    }
  }
  window.results = results;
</script>`;

function serve(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end(PAGE);
  }
  const [, root, ...rest] = url.pathname.split('/');
  const base = { pkg: PKG, cases: CASES }[root];
  const file = base && normalize(join(base, ...rest));
  if (!file || !file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404);
    return res.end();
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}

const server = createServer(serve);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
let results;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => window.results !== undefined, null, { timeout: 60_000 });
  results = await page.evaluate(() => window.results);
} finally {
  await browser.close();
  server.close();
}

test('the browser build loads in Chromium without page errors and runs every case', () => {
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const expected = suites.reduce((n, [, cases]) => n + cases.length, 0);
  if (results.length !== expected) throw new Error(`${results.length} of ${expected} cases ran`);
});

for (const { suite, name, error } of results) {
  test(`in Chromium, ${suite}: ${name}`, () => {
    if (error) throw new Error(error);
  });
}

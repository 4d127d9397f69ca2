// Shared by the end-to-end tests: start a node on free loopback ports, drive Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { demoPeersListening } from './demo_helpers.mjs';

const NODE_BIN = process.env.NODE_BIN;
const DIST = process.env.DIST;

/** Starts peerkeeper-node (with `args` appended to its flags); resolves once the page URL and
 * every listener are known. */
export async function startNode({ timeoutMs = 20_000, args = [] } = {}) {
  if (!NODE_BIN || !DIST) throw new Error('NODE_BIN and DIST must be set (scripts/test.sh sets them)');
  const dataDir = mkdtempSync(join(tmpdir(), 'peerkeeper-e2e-'));
  const child = spawn(NODE_BIN, [
    '--data-dir', dataDir, '--dist', DIST, '--listen-ip', '127.0.0.1',
    '--http-port', '0', '--webrtc-port', '0', '--ws-port', '0', '--tcp-port', '0',
    '--webtransport-port', '0', ...args,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const node = { child, dataDir, url: null, peerId: null, listen: {}, stderr: '' };
  child.stderr.on('data', (d) => { node.stderr += d; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node not ready in ${timeoutMs} ms:\n${node.stderr}`)), timeoutMs);
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      for (const line of buf.split('\n')) {
        let m;
        if ((m = line.match(/^page:\s+(\S+)/))) node.url = m[1];
        if ((m = line.match(/^peer id:\s+(\S+)/))) node.peerId = m[1];
        if ((m = line.match(/^listening: (\S+) (\S+)/))) node.listen[m[1]] = `${m[2]}/p2p/${node.peerId}`;
      }
      if (node.url && node.listen['webrtc-direct'] && node.listen.websocket && node.listen.webtransport) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`node exited with ${code}:\n${node.stderr}`)));
  });
  return node;
}

/** Resolves or rejects as `promise` does, or rejects naming `what` after `ms`. Every teardown
 * step goes through this, so a stuck close fails its test file instead of holding the run. */
export async function within(ms, what, promise) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops the node with SIGINT; one still running 10 s later is killed and the test fails. */
export async function stopNode(node) {
  const exited = new Promise((r) => (node.child.exitCode !== null || node.child.signalCode !== null
    ? r() : node.child.on('exit', r)));
  node.child.kill('SIGINT');
  try {
    await within(10_000, 'the node stopping on SIGINT', exited);
  } catch (e) {
    node.child.kill('SIGKILL');
    await exited;
    throw e;
  } finally {
    rmSync(node.dataDir, { recursive: true, force: true });
  }
}

// No --disable-quic: WebTransport runs over QUIC (HTTP/3).
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Opens a page and records every page error and console error for the test to assert on. */
export async function openPage(browser, url) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(url);
  return { page, problems };
}

/** Serves dist/ on a free loopback port, for the views that need no node (teaching, sandbox,
 * playground, stress). Resolves to { url, close }. */
export async function serveDist() {
  if (!DIST) throw new Error('DIST must be set (scripts/test.sh sets it)');
  const { createServer } = await import('node:http');
  const { readFile } = await import('node:fs/promises');
  const { extname, normalize } = await import('node:path');
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(DIST, path === '/' ? 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, close: () => new Promise((r) => server.close(r)) };
}

/** Saves a screenshot under tests/e2e/screenshots/ (committed; the README shows them). */
export async function screenshot(page, name) {
  const { mkdirSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/** Chromium logs every failed websocket or WebTransport dial to the console itself; tests of a
 * peer that is down on purpose leave those out of `problems` (and only those, for that peer's
 * ports). `peer` is a `/bootstrap.json` demo peer entry. */
export function chromiumDialRefusal(peer) {
  const port = (transport, re) => {
    const a = peer.addrs.find((x) => x.transport === transport);
    return a ? a.multiaddr.match(re)[1] : null;
  };
  const ws = port('websocket', /\/tcp\/(\d+)\//);
  const wt = port('webtransport', /\/udp\/(\d+)\//);
  return (problem) =>
    (ws !== null && problem === `console: WebSocket connection to 'ws://127.0.0.1:${ws}/' failed: Error in connection establishment: net::ERR_CONNECTION_REFUSED`)
    || (wt !== null && problem.startsWith(`console: Failed to establish a connection to https://127.0.0.1:${wt}/.well-known/libp2p-webtransport?type=noise: net::`));
}

/** A test file's node and browser: registers `before`/`after` hooks that start the node with
 * `args` and one Chromium, and stop both. The returned object's `node`, `browser` (and, with
 * `demo`, `bootstrap` once every demo peer lists its listeners) are set once `before` ran. */
export function nodeAndBrowser(args, { demo = false } = {}) {
  const env = {};
  before(async () => {
    env.node = await startNode({ args });
    if (demo) env.bootstrap = await demoPeersListening(env.node.url);
    env.browser = await launchBrowser();
  });
  after(async () => {
    try {
      await env.browser?.close();
    } finally {
      if (env.node) await stopNode(env.node);
    }
  });
  return env;
}

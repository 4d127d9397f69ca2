// Shared by the end-to-end tests: start a node on free loopback ports, drive Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

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

export async function stopNode(node) {
  node.child.kill('SIGINT');
  await new Promise((r) => (node.child.exitCode !== null ? r() : node.child.on('exit', r)));
  rmSync(node.dataDir, { recursive: true, force: true });
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

// The minority-fork demo peer: the page follows the toy chain as a light node, finds the peer
// aligned while it shares our chain, and sees it lose alignment once its branch finalizes
// blocks our chain does not have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, nodeAndBrowser } from './harness.mjs';
import { demoPeer, row } from './demo_helpers.mjs';

// Blocks every 1.5 s; the split 25 s after the node starts, once the page has aligned with
// every peer. LIB trails the head by 3 blocks, so the minority branch finalizes its own block
// about 4.5 s after the split.
const ARGS = [
  '--demo-peers', '3', '--demo-minority-fork', '1', '--demo-flapping', '0', '--demo-slow', '0',
  '--demo-spamming', '0', '--demo-irrelevant-network', '0',
  '--chain-block-ms', '1500', '--demo-split-after-ms', '25000',
];

const env = nodeAndBrowser(ARGS, { demo: true });

test('the minority-fork peer is aligned until the split, then loses alignment for a fork mismatch', async () => {
  const { page, problems } = await openPage(env.browser, env.node.url);
  const minorityId = demoPeer(env.bootstrap, 'minority_fork').peer_id;
  const minority = row(page, minorityId);
  const honest = row(page, env.bootstrap.demo_peers.find((d) => d.kind === 'honest').peer_id);

  await minority.and(page.locator('[data-aligned="true"][data-fork-status="normal"]'))
    .waitFor({ timeout: 25_000 });
  await minority.and(page.locator('[data-aligned="false"][data-fork-status="minority"]'))
    .waitFor({ timeout: 45_000 });
  await page.locator('section.log li', { hasText: `${minorityId} not aligned (fork_mismatch)` })
    .waitFor({ timeout: 5_000 });

  // The rest of the network and the page itself stay on the majority chain, which moves on.
  assert.equal(await honest.getAttribute('data-aligned'), 'true');
  assert.equal(await honest.getAttribute('data-fork-status'), 'normal');
  const chain = page.locator('#chain');
  assert.equal(await chain.getAttribute('data-fork-status'), 'normal');
  const head = Number(await chain.getAttribute('data-head'));
  await page.waitForFunction((h) => Number(document.querySelector('#chain')?.dataset.head) > h, head,
    { timeout: 10_000 });
  // A fork mismatch is not a reason to drop the peer: it stays connected, unaligned.
  assert.equal(await minority.getAttribute('data-state'), 'connected');
  assert.deepEqual(problems, []);
  await page.close();
});

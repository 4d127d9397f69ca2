// The README's example app runs against the installed package and tells its story.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { APP_DIR } from './harness.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('examples/js-app prints the decay, the trim report and the restored state', () => {
  const out = execFileSync(process.execPath, [join(ROOT, 'examples/js-app/app.mjs'), join(APP_DIR, 'node_modules/peerkeeper')], { encoding: 'utf8', timeout: 20_000 });
  assert.deepEqual(out.trim().split('\n'), [
    "gossip's tag decayed 40 -> 20",
    "gossip's tag is gone (decayed)",
    'closing gossip (too_many_peers)',
    'closing plain (too_many_peers)',
    'trim (high_water_crossed): 5 connected, target 3',
    '  relay  score   0  kept_protected',
    '  dht    score  50  kept_above_cut',
    '  gossip score   0  closed_lowest_score',
    '  plain  score   0  closed_lowest_score',
    '  newbie score   0  kept_in_grace',
    'connected now: relay, dht, newbie',
    'restored: dht kbucket = 50, relay protected = true',
  ]);
});

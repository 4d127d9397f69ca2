// Issue 10's WebRTC leak, guarded in the suite: js-libp2p clients dial the node over
// WebRTC-direct and go away; every connection must close and leave no WebRTC stack (counted by
// its mDNS socket) behind. tests/load/webrtc_churn.mjs does the work; the suite runs it small.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../load/webrtc_churn.mjs', import.meta.url));
const CLIENTS = 5;

test('webrtc-direct clients that leave are closed by the node and leave no WebRTC stack behind', async () => {
  const child = spawn(process.execPath, ['--experimental-websocket', SCRIPT, '--clients', String(CLIENTS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const code = await new Promise((r) => child.on('exit', r));
  const r = JSON.parse(out);
  assert.deepEqual(r.failures, []);
  assert.equal(code, 0);
  assert.equal(r.connected, CLIENTS);
  assert.equal(r.disconnections_logged, CLIENTS);
  assert.equal(r.mdns_sockets_after, r.mdns_sockets_before);
});

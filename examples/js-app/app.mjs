// A node's peer set on peerkeeper's own clock: connections come and go, the manager says
// whom to close and why. Run: node examples/js-app/app.mjs [path to the built package]
// (scripts/build-npm.sh builds it into $CARGO_TARGET_DIR/npm/package).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const pkg = process.argv[2] ?? join(process.env.CARGO_TARGET_DIR ?? 'target', 'npm', 'package');
const { PeerManager, decay } = await import(pathToFileURL(join(pkg, 'index.mjs')).href);

const pm = new PeerManager({
  lowWater: 3, highWater: 4, gracePeriod: 100, silencePeriod: 50, decayResolution: 50, autoClock: true,
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Our side of the deal: the manager decides, we close connections and report back.
const connections = new Map(); // peer -> connection id
pm.addEventListener('disconnect', ({ detail: { peer, reason } }) => {
  console.log(`closing ${peer} (${reason})`);
  pm.disconnected(peer, connections.get(peer));
  connections.delete(peer);
});
pm.addEventListener('trim', ({ detail: { report } }) => {
  console.log(`trim (${report.trigger}): ${report.connected} connected, target ${report.target}`);
  for (const e of report.entries) console.log(`  ${e.peer.padEnd(6)} score ${String(e.score).padStart(3)}  ${e.verdict}`);
});

let nextConn = 0;
function connect(peer) {
  connections.set(peer, ++nextConn);
  pm.connected(peer, nextConn, 'inbound');
}

for (const peer of ['relay', 'dht', 'gossip', 'plain']) connect(peer);
pm.protect('relay', 'relay');
pm.tagPeer('dht', 'kbucket', 50);
pm.tagPeerDecaying('gossip', 'gossip', 40, 50, decay.fixed(20));

// Watch the decaying tag lose 20 per 50 ms tick until it is gone.
for await (const e of pm) {
  if (e.type === 'tagDecayed') console.log(`gossip's tag decayed ${e.old} -> ${e.new}`);
  if (e.type === 'tagRemoved') { console.log(`gossip's tag is gone (${e.cause})`); break; }
}

await sleep(100); // everyone is out of the grace period
connect('newbie'); // the 5th peer crosses highWater: a trim brings us back to lowWater
await sleep(10);
console.log(`connected now: ${pm.connectedPeers().join(', ')}`);

// Persist what we learned about peers and bring it back in a fresh manager.
const saved = pm.snapshot();
const again = new PeerManager({ lowWater: 3, highWater: 4 });
again.restore(saved);
console.log(`restored: dht kbucket = ${again.tagValue('dht', 'kbucket')}, relay protected = ${again.isProtected('relay')}`);
pm.close();

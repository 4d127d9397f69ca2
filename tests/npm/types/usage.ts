// A small app written against the package's declarations; tests/npm/types.test.mjs compiles it
// with `tsc --noEmit --strict`. Each `@ts-expect-error` is a misuse the types must refuse.
import peerkeeper, {
  PeerManager, decay, bump, goodbyeCode, version,
  type ChainStatus, type NodePeer, type PeerCommand, type PeerEvent, type ScoreStat, type StrikeOutcome,
  type TrimEntry,
} from 'peerkeeper';
import { LightPeer } from 'peerkeeper/light-peer';

const pm = new PeerManager({
  lowWater: 2, highWater: 4, trackLifecycle: true,
  behaviour: { banDurationMs: 60_000 }, strikes: { threshold: 5 }, backoff: { initialBackoff: 1_000 },
});
pm.connected('a', 1, 'inbound', 0);
pm.tagPeerDecaying('a', 'gossip', 10, 1_000, decay.fixed(1), 0, bump.sumBounded(0, 20));
const score: number = pm.reportPeer('a', 'mid_tolerance', 'timeout', 10);
pm.reportPeer('a', -2.5, 'slow', 11);
const outcome: StrikeOutcome = pm.strike('a', 'deserialization', 12);
if (outcome.type === 'soft_banned') {
  const until: number = outcome.until;
  void until;
}
const views: NodePeer[] = pm.peers();
const stats: ScoreStat[] = pm.scoreStats();
const epoch: number = pm.epochTransition([{ peer: 'a', role: 'primary' }], 13);
const denied = pm.allowConnection('a');
if (denied !== null && denied.type === 'banned') {
  const reason: 'banned' | 'bad_score' | string = denied.reason;
  void reason;
}
const decision = pm.inboundMessage('a', 100, 14);
if (decision.type === 'delay_until') void decision.at;
const healthy: boolean = pm.health().healthy;
const line: string | null = pm.statusLine();
const code: number | null = goodbyeCode('too_many_peers');

const status: ChainStatus = {
  networkId: 1, forkDigest: '01020304', head: { number: 1, id: '00'.repeat(32) },
  lib: { number: 0, id: '00'.repeat(32) }, nodeMode: 'forward', forkStatus: 'normal',
};
const follower = new PeerManager({
  fork: { networkId: 1, forkDigest: '01020304' },
  chain: { head: { number: 1, id: '11'.repeat(32), parent: '00'.repeat(32) }, lib: status.lib },
});
follower.statusReceived('a', status, 1);

pm.addEventListener('trim', (e) => {
  const entries: TrimEntry[] = e.detail.report.entries;
  void entries;
});
pm.addEventListener('banned', (e) => {
  const until: number = e.detail.until;
  void until;
});
pm.addEventListener('dial', (e) => void e.detail.peer);

function handle(item: PeerEvent | PeerCommand): string {
  switch (item.type) {
    case 'disconnect': return item.reason;
    case 'requestBlocks': return `${item.from}+${item.count}`;
    case 'epochTransitioned': return item.reblocked.map((r) => r.role).join();
    case 'behaviourReported': return item.action;
    default: return item.type;
  }
}

async function loop(): Promise<void> {
  for await (const item of pm) handle(item);
}

function startLightPeer(): string {
  const lp = new LightPeer({ lowWater: 6, highWater: 8 });
  lp.addEventListener('dialFailed', (e) => void e.detail.error);
  lp.addEventListener('trimmed', (e) => void e.detail.entries.map((x) => x.verdict));
  lp.dial('/ip4/127.0.0.1/tcp/9000/ws');
  return lp.peerId;
}

// @ts-expect-error: not a strike kind
pm.strike('a', 'rude', 1);
// @ts-expect-error: a name is required
pm.reportPeer('a', 'fatal');
// @ts-expect-error: roles are 'primary' or 'backup'
pm.epochTransition([{ peer: 'a', role: 'boss' }]);
// @ts-expect-error: unknown config field
new PeerManager({ strikes: { treshold: 1 } });
// @ts-expect-error: a fork section needs its network id and digest
new PeerManager({ fork: { treeCapacity: 10 } });

void [startLightPeer, score, views, stats, epoch, healthy, line, code, loop, version(), peerkeeper.PeerManager];

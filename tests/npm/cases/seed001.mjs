// Seed 001's four scenarios, asserting the same outcomes as core/tests/seed_scenarios.rs.
import { Host, POST_STAGE_WAIT, TRIM_WAIT } from './host.mjs';

export const cases = [
  ['seed 001 scenario 1: crossing highWater trims to lowWater, closing the oldest of equal scores', (api, t) => {
    const host = new Host(api);
    for (const c of ['c0', 'c1', 'c2']) host.connectClient(c);
    t.equal(host.connectedIds().length, 3, '1a: at highWater, no trim yet');
    t.equal(host.trims().length, 0);
    host.sleep(POST_STAGE_WAIT);
    t.equal(host.now, 215);
    host.connectClient('c3');
    host.sleep(TRIM_WAIT);
    t.deepEqual(host.connectedIds(), ['c2', 'c3'], '1b: back to lowWater = 2');
    t.deepEqual(host.commands, [
      { type: 'disconnect', peer: 'c0', reason: 'too_many_peers' },
      { type: 'disconnect', peer: 'c1', reason: 'too_many_peers' },
    ]);
    const r = host.trims()[0];
    t.equal(host.trims().length, 1);
    t.equal(r.trigger, 'high_water_crossed');
    t.deepEqual([r.connected, r.target, r.closed, r.shortfall], [4, 2, 2, 0]);
    t.equal(r.cutScore, 0);
    t.deepEqual(host.verdicts(0), [
      ['c0', 1, 'closed_tie_oldest'],
      ['c1', 2, 'closed_tie_oldest'],
      ['c2', 3, 'kept_above_cut'],
      ['c3', null, 'kept_in_grace'],
    ]);
  }],

  ['seed 001 scenario 2: a protected peer survives a trim and is dropped by the next once unprotected', (api, t) => {
    const host = new Host(api);
    for (const c of ['c0', 'c1', 'c2']) host.connectClient(c);
    host.pm.protect('c0', 'vip');
    t.equal(host.pm.isProtected('c0'), true, '2a');
    t.equal(host.pm.isProtected('c0', 'vip'), true);
    host.sleep(POST_STAGE_WAIT);
    host.connectClient('c3');
    host.sleep(TRIM_WAIT);
    t.equal(host.isIn('c0'), true, '2b: vip survived the first trim');
    t.deepEqual(host.connectedIds(), ['c0', 'c3']);
    t.deepEqual(host.verdicts(0), [
      ['c0', null, 'kept_protected'],
      ['c1', 1, 'closed_lowest_score'],
      ['c2', 2, 'closed_lowest_score'],
      ['c3', null, 'kept_in_grace'],
    ]);
    t.equal(host.pm.unprotect('c0', 'vip'), false, '2c: no protection tag remains');
    t.equal(host.pm.isProtected('c0'), false);
    host.sleep(POST_STAGE_WAIT);
    host.connectClient('c4');
    t.equal(host.trims().length, 1, 'three peers: still at highWater');
    host.connectClient('c5');
    host.sleep(TRIM_WAIT);
    t.equal(host.isIn('c0'), false, '2d: vip dropped by the second trim');
    t.deepEqual(host.connectedIds(), ['c4', 'c5']);
    t.deepEqual(host.verdicts(1), [
      ['c0', 1, 'closed_lowest_score'],
      ['c3', 2, 'closed_lowest_score'],
      ['c4', null, 'kept_in_grace'],
      ['c5', null, 'kept_in_grace'],
    ]);
  }],

  ['seed 001 scenario 3: static tags keep the high-scoring peer and the trigger survives on grace', (api, t) => {
    const host = new Host(api);
    host.connectClient('vip');
    host.pm.tagPeer('vip', 'vip', 100);
    host.connectClient('plain1');
    host.connectClient('plain2');
    host.sleep(POST_STAGE_WAIT);
    host.connectClient('trigger');
    host.sleep(TRIM_WAIT);
    t.deepEqual(host.connectedIds(), ['trigger', 'vip'], '3: survivors = 2');
    t.equal(host.score('vip'), 100);
    t.equal(host.trims()[0].cutScore, 100);
    t.deepEqual(host.verdicts(0), [
      ['vip', 3, 'kept_above_cut'],
      ['plain1', 1, 'closed_lowest_score'],
      ['plain2', 2, 'closed_lowest_score'],
      ['trigger', null, 'kept_in_grace'],
    ]);
  }],

  ['seed 001 scenario 4: a decaying tag loses twenty per tick, is removed at zero and bumps only while live', (api, t) => {
    const host = new Host(api);
    for (const c of ['p1', 'p2', 'p3']) host.connectClient(c);
    t.equal(host.now, 15);
    host.pm.tagPeerDecaying('p1', 'boost', 100, 50, api.decay.fixed(20), 15);
    host.pm.tagPeerDecaying('p2', 'boost', 100, 50, { kind: 'fixed', amount: 20 }, 15);
    const scores = () => ['p1', 'p2', 'p3'].map((p) => host.score(p));
    t.deepEqual(scores(), [100, 100, 0], '4a');
    t.equal(host.pm.pollTimeout(), 100, 'first tick at 15 + 50 rounded up to the 50 ms grid');
    host.progress();
    host.takeEvents();
    host.advanceTo(250);
    t.deepEqual(scores(), [20, 20, 0], 'four ticks: 100 -> 20');
    t.equal(host.pm.bumpDecayingTag('p3', 'boost', 5, 250), false, 'p3 never had the tag');
    host.advanceTo(300);
    t.deepEqual(scores(), [0, 0, 0], 'the fifth tick takes it to 0');
    t.equal(host.pm.tagValue('p1', 'boost'), undefined, 'and the tag is removed');
    t.deepEqual(host.takeEvents().filter((e) => e.peer === 'p1'), [
      { type: 'tagDecayed', peer: 'p1', tag: 'boost', old: 100, new: 80, at: 100 },
      { type: 'tagDecayed', peer: 'p1', tag: 'boost', old: 80, new: 60, at: 150 },
      { type: 'tagDecayed', peer: 'p1', tag: 'boost', old: 60, new: 40, at: 200 },
      { type: 'tagDecayed', peer: 'p1', tag: 'boost', old: 40, new: 20, at: 250 },
      { type: 'tagRemoved', peer: 'p1', tag: 'boost', old: 20, cause: 'decayed', at: 300 },
    ]);
    host.advanceTo(15 + 350);
    t.deepEqual(scores(), [0, 0, 0], '4b');
    t.equal(host.pm.bumpDecayingTag('p1', 'boost', 50, host.now), false, 'a removed tag: no-op');
    t.equal(host.score('p1'), 0);
    host.pm.tagPeerDecaying('p1', 'boost', 100, 50, 'none', host.now);
    t.equal(host.score('p1'), 100, '4c');
    host.connectClient('p4');
    host.sleep(TRIM_WAIT);
    t.deepEqual(host.connectedIds(), ['p1', 'p4'], '4d: survivors = 2');
    t.equal(host.score('p1'), 100, 'decay none holds its value');
    t.deepEqual(host.verdicts(0), [
      ['p1', 3, 'kept_above_cut'],
      ['p2', 1, 'closed_lowest_score'],
      ['p3', 2, 'closed_lowest_score'],
      ['p4', null, 'kept_in_grace'],
    ]);
    t.equal(host.pm.bumpDecayingTag('p1', 'boost', 50, host.now), true);
    t.equal(host.score('p1'), 150, '4e');
  }],
];

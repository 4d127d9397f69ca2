// A simulated host around a PeerManager, the JS twin of core/tests/common/mod.rs: it carries
// out `disconnect` commands by closing every connection of the peer, and owns the injected
// clock, which it moves by jumping from one pollTimeout() to the next. No sleeps, no sockets.

/** Seed 001's host settings. */
export const SEED_CONFIG = { lowWater: 2, highWater: 3, gracePeriod: 100, silencePeriod: 50, decayResolution: 50 };
export const POST_STAGE_WAIT = 200;
export const TRIM_WAIT = 200;

export class Host {
  constructor(api, config = SEED_CONFIG) {
    this.pm = new api.PeerManager(config);
    this.now = 0;
    this.conns = new Map();
    this.nextConn = 0;
    this.events = [];
    this.commands = [];
  }

  /** Drains commands (carrying each out) and events until the manager has nothing left. */
  progress() {
    for (;;) {
      let idle = true;
      for (let cmd; (cmd = this.pm.pollCommand()) !== undefined;) {
        idle = false;
        for (const conn of this.conns.get(cmd.peer) ?? []) {
          if (!this.pm.disconnected(cmd.peer, conn, this.now)) throw new Error(`unknown conn ${conn}`);
        }
        this.conns.delete(cmd.peer);
        this.commands.push(cmd);
      }
      for (let ev; (ev = this.pm.pollEvent()) !== undefined;) {
        idle = false;
        this.events.push(ev);
      }
      if (idle) return;
    }
  }

  /** Moves the clock to `t`, stopping at every timeout on the way. */
  advanceTo(t) {
    for (let due; (due = this.pm.pollTimeout()) !== undefined && due <= t;) {
      this.now = Math.max(this.now, due);
      this.pm.handleTimeout(this.now);
      this.progress();
    }
    this.now = Math.max(this.now, t);
  }

  sleep(ms) { this.advanceTo(this.now + ms); }

  connectWith(peer, direction) {
    this.nextConn += 1;
    const list = this.conns.get(peer) ?? [];
    list.push(this.nextConn);
    this.conns.set(peer, list);
    this.pm.connected(peer, this.nextConn, direction, this.now);
    this.progress();
  }

  /** The seed's connectClient: inbound, then a 5 ms gap. */
  connectClient(peer) {
    this.connectWith(peer, 'inbound');
    this.sleep(5);
  }

  /** Peers the network still has a connection to, checked against the manager's view. */
  connectedIds() {
    const ids = [...this.conns.keys()].sort();
    const mine = this.pm.connectedPeers().sort();
    if (JSON.stringify(ids) !== JSON.stringify(mine)) {
      throw new Error(`network ${JSON.stringify(ids)} != manager ${JSON.stringify(mine)}`);
    }
    return ids;
  }

  isIn(peer) { return this.connectedIds().includes(peer); }
  score(peer) { return this.pm.peerScore(peer); }
  trims() { return this.events.filter((e) => e.type === 'trim').map((e) => e.report); }
  takeEvents() { const e = this.events; this.events = []; return e; }
  /** A trim report's entries as [peer, rank, verdict]. */
  verdicts(i) { return this.trims()[i].entries.map((e) => [e.peer, e.rank, e.verdict]); }
}

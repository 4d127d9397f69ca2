//! The soak driver (issue 10): many peers churning on the virtual clock for simulated hours,
//! with invariants checked as it goes. Shared by `core/tests/soak.rs` (short, in `cargo test`)
//! and `core/examples/soak.rs` (the full day), which include it through `common`.
//!
//! The driver plays a host: it accepts inbound connections only when `allow_connection`
//! agrees, answers `Dial` commands 200 ms later (mostly with a connection), answers `Probe`s,
//! completes most handshakes, carries out every `Disconnect` at once, applies a block every
//! 5 s and follows LIB, and feeds a seeded random mix of inputs: connects, remote
//! disconnects, static and decaying tags, bumps, behaviour reports, spam strikes, benchlist
//! outcomes, peer-exchange requests, statuses, a short competing fork every simulated hour,
//! and an epoch transition with blocks every simulated hour. A small set of misbehaving peers
//! collects fatal reports and strikes, so bans and soft bans keep happening.
//!
//! Checked after every input (on what it produced and the peer it touched):
//! - no `Dial` for a peer that is banned, soft-banned or blocked;
//! - every trim closes only eligible peers (never protected, never in grace), lower-ranked
//!   than every eligible peer it keeps in the same alignment class, exactly as many as needed
//!   or all eligible ones, and leaves the connected count at or below high water unless it
//!   reported a shortfall;
//! - a banned, soft-banned or blocked peer is not connected once the commands are carried out;
//! - a forgotten peer has no tags, protection or record left;
//! - a decay only lowers a value;
//! - the touched peer's score equals the reference sum of its parts, and the manager agrees
//!   with the host on whether it is connected;
//! - no deadline is left overdue after the clock moved.
//!
//! Checked over the whole state every `sweep_every` ms: the connected set equals the host's,
//! every peer's score equals the reference sum, and the records held are bounded by the
//! connected peers plus `max_retained_peers`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicIsize, Ordering};

use peerkeeper_core::blocklist::Role;
use peerkeeper_core::fork::{
    BlockId, BlockRange, BlockRef, ChainStatus, ForkConfig, ForkDigest, ForkStatus, Header,
    NetworkId, NodeMode,
};
use peerkeeper_core::scenarios::SplitMix64;
use peerkeeper_core::strikes::StrikeKind;
use peerkeeper_core::{
    Command, Config, ConnId, DecayFn, Direction, Event, Millis, PeerAction, PeerManager, Verdict,
};

/// A global allocator that counts live bytes. A binary that wants the memory curve declares
/// `#[global_allocator] static A: Counting = Counting;`.
pub struct Counting;

pub static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

pub fn live_bytes() -> isize {
    LIVE.load(Ordering::Relaxed)
}

type P = u32;

const NET: NetworkId = NetworkId(7);
const DIGEST: ForkDigest = ForkDigest([0x50, 0xa6, 0, 1]);
/// Time between our blocks, and how far LIB trails the head.
const BLOCK_MS: Millis = 5_000;
const LIB_LAG: u64 = 10;
const HOUR: Millis = 3_600_000;

#[derive(Debug, Clone)]
pub struct SoakConfig {
    /// Peers connected at once at most (high water); the universe of peer ids is 20% larger.
    pub peers: usize,
    pub duration: Millis,
    pub seed: u64,
    /// Random inputs per simulated second.
    pub inputs_per_second: u64,
    /// Period of the full-state sweep.
    pub sweep_every: Millis,
    /// Period of the memory samples.
    pub sample_every: Millis,
    pub engine: Config,
}

impl SoakConfig {
    /// `peers` at high water, `hours` simulated, the engine's defaults otherwise (one hour of
    /// retention, eight hours before silent peers are forgotten).
    pub fn new(peers: usize, hours: u64) -> SoakConfig {
        let engine = Config {
            high_water: peers,
            low_water: peers * 19 / 20,
            outbound_bonus: 5,
            track_lifecycle: true,
            fork: Some(ForkConfig::new(NET, DIGEST)),
            ..Config::default()
        };
        SoakConfig {
            peers,
            duration: hours * HOUR,
            seed: 0x50a6,
            inputs_per_second: 12,
            sweep_every: 10_000,
            sample_every: HOUR,
            engine,
        }
    }
}

/// Memory and size at a sampling instant.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Simulated time, ms.
    pub at: Millis,
    pub live_bytes: isize,
    pub known_peers: usize,
    pub connected: usize,
}

#[derive(Debug, Default, Clone)]
pub struct SoakReport {
    /// Inputs fed to the engine (random ones, host answers, blocks, clock runs).
    pub inputs: u64,
    pub sweeps: u64,
    /// Individual invariant checks that passed (a failure panics).
    pub checks: u64,
    pub events: u64,
    pub connects: u64,
    pub refused: u64,
    pub trims: u64,
    pub trimmed: u64,
    pub bans: u64,
    pub soft_bans: u64,
    pub blocks: u64,
    pub forgotten: u64,
    pub dials: u64,
    pub epochs: u64,
    pub fork_changes: u64,
    pub decays: u64,
    pub samples: Vec<Sample>,
}

struct Host {
    cfg: SoakConfig,
    pm: PeerManager<P>,
    rng: SplitMix64,
    now: Millis,
    universe: u32,
    /// Open connections per peer, as the network sees them.
    conns: BTreeMap<P, Vec<(ConnId, Direction)>>,
    next_conn: u64,
    /// Host answers due later: dials and probes, by time.
    answers: BTreeMap<(Millis, P), Answer>,
    head: BlockRef,
    lib: BlockRef,
    report: SoakReport,
}

#[derive(Debug, Clone, Copy)]
enum Answer {
    Dial,
    Probe,
}

fn id(branch: u8, n: u64) -> BlockId {
    let mut b = [0u8; 32];
    b[0] = branch;
    b[1..9].copy_from_slice(&n.to_be_bytes());
    BlockId(b)
}

fn header(branch: u8, n: u64, parent: BlockId) -> Header {
    Header { number: n, id: id(branch, n), parent, producer: format!("v{}", n % 21) }
}

impl Host {
    fn new(cfg: SoakConfig) -> Host {
        let genesis = header(0, 0, BlockId([0xff; 32]));
        let lib = genesis.block_ref();
        let pm = PeerManager::with_chain(cfg.engine.clone(), genesis, lib, 0).expect("valid");
        let universe = (cfg.peers as u32 * 6 / 5).max(2);
        Host {
            rng: SplitMix64::new(cfg.seed),
            cfg,
            pm,
            now: 0,
            universe,
            conns: BTreeMap::new(),
            next_conn: 0,
            answers: BTreeMap::new(),
            head: lib,
            lib,
            report: SoakReport::default(),
        }
    }

    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        assert!(ok, "soak invariant broken at t={}: {}", self.now, what());
        self.report.checks += 1;
    }

    /// Misbehaving peers: one in 97.
    fn is_bad(p: P) -> bool {
        p % 97 == 13
    }

    fn random_peer(&mut self) -> P {
        self.rng.below(u64::from(self.universe)) as P
    }

    fn connected_peer(&mut self) -> Option<P> {
        if self.conns.is_empty() {
            return None;
        }
        // A random key's successor: cheap and spread enough for churn.
        let probe = self.random_peer();
        self.conns.range(probe..).next().or_else(|| self.conns.iter().next()).map(|(p, _)| *p)
    }

    // ---- driving ------------------------------------------------------------------------

    /// Drains commands (carrying them out) and events, checking what they say; returns the
    /// events for the caller's own checks.
    fn drain(&mut self) -> Vec<Event<P>> {
        let mut events = Vec::new();
        let mut commands = Vec::new();
        loop {
            let mut idle = true;
            // Events first: a trim is checked before its victims are disconnected, while the
            // alignment it ranked by is still in force.
            while let Some(e) = self.pm.poll_event() {
                idle = false;
                if let Event::Trimmed { report, .. } = &e {
                    self.check_trim(report);
                }
                events.push(e);
            }
            while let Some(c) = self.pm.poll_command() {
                idle = false;
                match &c {
                    Command::Disconnect { peer, .. } => {
                        let peer = *peer;
                        self.answers.retain(|&(_, p), a| !(p == peer && matches!(a, Answer::Dial)));
                        for (conn, _) in self.conns.remove(&peer).unwrap_or_default() {
                            self.pm.disconnected(&peer, conn, self.now);
                        }
                    }
                    Command::Dial { peer } => {
                        self.report.dials += 1;
                        self.answers.insert((self.now + 200, *peer), Answer::Dial);
                    }
                    Command::Probe { peer } => {
                        self.answers.insert((self.now + 500, *peer), Answer::Probe);
                    }
                    Command::RequestBlocks { .. } | Command::SwitchFork { .. } => {}
                }
                commands.push(c);
            }
            if idle {
                break;
            }
        }
        self.check_outputs(&commands, &events);
        events
    }

    fn check_outputs(&mut self, commands: &[Command<P>], events: &[Event<P>]) {
        let now = self.now;
        for c in commands {
            if let Command::Dial { peer } = c {
                let p = *peer;
                let ok = !self.pm.is_banned(&p, now)
                    && self.pm.soft_ban_of(&p).is_none()
                    && !self.pm.is_blocked(&p);
                let why = (
                    self.pm.is_banned(&p, now),
                    self.pm.soft_ban_of(&p).cloned(),
                    self.pm.is_blocked(&p),
                );
                self.check(ok, || {
                    format!("peer {p} dialled while (banned, soft, blocked) = {why:?}")
                });
            }
        }
        self.report.events += events.len() as u64;
        for e in events {
            match e {
                Event::Banned { peer, .. } => {
                    self.report.bans += 1;
                    self.check_gone(*peer, "banned");
                }
                Event::SoftBanned { peer, .. } => {
                    self.report.soft_bans += 1;
                    self.check_gone(*peer, "soft-banned");
                }
                Event::Blocked { peer, .. } => {
                    self.report.blocks += 1;
                    self.check_gone(*peer, "blocked");
                }
                Event::PeerForgotten { peer, .. } => {
                    self.report.forgotten += 1;
                    let p = *peer;
                    let gone = self.pm.tags(&p).is_empty()
                        && !self.pm.is_protected(&p, None)
                        && self.pm.peer(&p, now).is_none();
                    // A peer forgotten and seen again by a later input of the same drain
                    // (a dial, a report) is new, not left over.
                    let seen_again = events.iter().skip_while(|x| *x != e).skip(1).any(|x| {
                        matches!(x, Event::TagSet { peer, .. } | Event::Connected { peer, .. } if *peer == p)
                    });
                    self.check(gone || seen_again, || {
                        format!("forgotten peer {p} still has state")
                    });
                }
                Event::TagDecayed { peer, old, new, .. } => {
                    self.report.decays += 1;
                    let (p, old, new) = (*peer, *old, *new);
                    self.check(new < old, || format!("decay of {p} raised {old} to {new}"));
                }
                Event::ForkStatusChanged { .. } => self.report.fork_changes += 1,
                Event::EpochTransitioned { .. } => self.report.epochs += 1,
                _ => {}
            }
        }
    }

    fn check_gone(&mut self, p: P, why: &str) {
        // A ban of a peer we are not connected to changes nothing on the wire; one we are
        // connected to must have been carried out.
        let connected = self.pm.is_connected(&p) || self.conns.contains_key(&p);
        let banned_now = self.pm.is_banned(&p, self.now)
            || self.pm.soft_ban_of(&p).is_some()
            || self.pm.is_blocked(&p);
        self.check(!(connected && banned_now), || format!("{why} peer {p} still connected"));
    }

    fn check_trim(&mut self, report: &peerkeeper_core::TrimReport<P>) {
        self.report.trims += 1;
        self.report.trimmed += report.closed as u64;
        let now = self.now;
        let grace = self.cfg.engine.grace_period;
        let mut eligible = 0;
        // Per alignment class (misaligned first): highest closed score, lowest kept score.
        let mut closed_max = [f64::NEG_INFINITY; 2];
        let mut kept_min = [f64::INFINITY; 2];
        for e in &report.entries {
            let class = usize::from(self.pm.is_aligned(&e.peer));
            match e.verdict {
                Verdict::KeptProtected => {
                    let ok = self.pm.is_protected(&e.peer, None);
                    self.check(ok, || format!("{} kept as protected but is not", e.peer));
                }
                Verdict::KeptInGrace => {
                    let ok = now - e.connected_at < grace;
                    self.check(ok, || format!("{} kept in grace after it", e.peer));
                }
                Verdict::KeptAboveCut => {
                    eligible += 1;
                    kept_min[class] = kept_min[class].min(e.score);
                }
                _ => {
                    eligible += 1;
                    let ok = !self.pm.is_protected(&e.peer, None) && now - e.connected_at >= grace;
                    self.check(ok, || format!("{} closed while protected or in grace", e.peer));
                    closed_max[class] = closed_max[class].max(e.score);
                }
            }
        }
        for class in 0..2 {
            let (c, k) = (closed_max[class], kept_min[class]);
            self.check(c <= k, || format!("closed score {c} above kept {k} (class {class})"));
        }
        // An aligned peer closed while a misaligned one is kept would invert the classes.
        let inverted = closed_max[1] > f64::NEG_INFINITY && kept_min[0] < f64::INFINITY;
        self.check(!inverted, || "aligned peer closed before a misaligned one".into());
        let need = report.connected.saturating_sub(report.target);
        self.check(report.closed == need.min(eligible), || {
            format!("closed {} of {eligible} eligible, {need} needed", report.closed)
        });
        self.check(report.shortfall == need - report.closed, || "shortfall".into());
    }

    /// Runs the clock to `t`, stopping at every deadline; no deadline may stay overdue.
    fn advance_to(&mut self, t: Millis) {
        loop {
            let next_answer = self.answers.keys().next().map(|&(at, _)| at);
            let next_timer = self.pm.poll_timeout();
            let due = [next_answer, next_timer].into_iter().flatten().filter(|&d| d <= t).min();
            let Some(due) = due else { break };
            self.now = self.now.max(due);
            if next_timer.is_some_and(|d| d <= self.now) {
                self.pm.handle_timeout(self.now);
                self.report.inputs += 1;
                self.drain();
                let left = self.pm.poll_timeout();
                self.check(left.is_none_or(|d| d > self.now), || format!("overdue {left:?}"));
            }
            while let Some((&(at, p), &a)) = self.answers.iter().next() {
                if at > self.now {
                    break;
                }
                self.answers.remove(&(at, p));
                self.answer(p, a);
            }
        }
        self.now = self.now.max(t);
    }

    fn answer(&mut self, p: P, a: Answer) {
        self.report.inputs += 1;
        match a {
            Answer::Dial => {
                if self.rng.chance(7, 10) && !Self::is_bad(p) {
                    self.open(p, Direction::Outbound);
                } else {
                    self.pm.dial_failed(&p, self.now);
                    self.drain();
                }
            }
            Answer::Probe => {
                let ok = self.rng.chance(1, 2);
                self.pm.probe_result(&p, ok, self.now);
                self.drain();
            }
        }
    }

    fn open(&mut self, p: P, direction: Direction) {
        self.next_conn += 1;
        let conn = ConnId(self.next_conn);
        self.conns.entry(p).or_default().push((conn, direction));
        self.report.connects += 1;
        self.pm.connected(&p, conn, direction, self.now);
        self.drain();
        if self.conns.contains_key(&p) && self.rng.chance(19, 20) {
            self.pm.handshake_completed(&p, self.now);
            let status = self.status_of(p);
            self.pm.status_received(&p, status, self.now);
            self.drain();
        }
    }

    fn status_of(&self, p: P) -> ChainStatus {
        // Most peers are at our head; some a block behind.
        let head = if p.is_multiple_of(5) && self.head.number > 0 {
            BlockRef { number: self.head.number - 1, id: id(0, self.head.number - 1) }
        } else {
            self.head
        };
        ChainStatus {
            network_id: NET,
            fork_digest: DIGEST,
            head,
            lib: self.lib,
            range: Some(BlockRange { earliest: self.lib.number, latest: head.number }),
            node_mode: NodeMode::Forward,
            fork_status: ForkStatus::Normal,
            emergency: false,
            emergency_key: false,
        }
    }

    /// One random input at the current time.
    fn random_input(&mut self) {
        self.report.inputs += 1;
        let now = self.now;
        let roll = self.rng.below(100);
        let p = self.random_peer();
        match roll {
            0..=29 => {
                if !self.conns.contains_key(&p) {
                    if self.pm.allow_connection(&p, now).is_ok() {
                        let dir = if self.rng.chance(1, 5) {
                            Direction::Outbound
                        } else {
                            Direction::Inbound
                        };
                        self.open(p, dir);
                    } else {
                        self.report.refused += 1;
                    }
                }
                return self.check_peer(p);
            }
            30..=39 => {
                if let Some(q) = self.connected_peer() {
                    for (conn, _) in self.conns.remove(&q).unwrap_or_default() {
                        self.pm.disconnected(&q, conn, now);
                    }
                    self.drain();
                    return self.check_peer(q);
                }
            }
            40..=49 => {
                let v = self.rng.below(40) as i64 - 5;
                self.pm.tag_peer(&p, ["kbucket", "app"][(p % 2) as usize], v);
            }
            50..=57 => {
                let decay =
                    if p.is_multiple_of(2) { DecayFn::fixed(1) } else { DecayFn::linear(0.9) };
                let v = 1 + self.rng.below(60) as i64;
                self.pm.tag_peer_decaying(
                    &p,
                    "gossip",
                    v,
                    10_000 + 10_000 * (p % 3) as u64,
                    decay,
                    now,
                );
            }
            58..=69 => {
                let d = 1 + self.rng.below(10) as i64;
                self.pm.bump_decaying_tag(&p, "gossip", d, now);
            }
            70..=76 => {
                let action = if Self::is_bad(p) && self.rng.chance(1, 3) {
                    PeerAction::Fatal
                } else if self.rng.chance(1, 10) {
                    PeerAction::MidTolerance
                } else {
                    PeerAction::HighTolerance
                };
                self.pm.report_peer(&p, action, "late_response", now).expect("finite");
            }
            77..=82 => {
                if self.rng.chance(1, 4) {
                    // A burst of garbage from one of the misbehaving peers.
                    let bad = (p / 97 * 97 + 13) % self.universe;
                    for _ in 0..5 {
                        self.pm.strike(&bad, StrikeKind::Deserialization, now);
                    }
                    self.drain();
                    self.check_peer(bad);
                } else if !Self::is_bad(p) {
                    self.pm.valid_packet(&p, now);
                }
            }
            83..=87 => {
                if Self::is_bad(p) || self.rng.chance(1, 8) {
                    self.pm.register_failure(&p, now);
                } else {
                    self.pm.register_response(&p, now);
                }
            }
            88..=90 => {
                self.pm.peer_exchange_request(&p, now);
            }
            91..=93 => {
                if self.conns.contains_key(&p) {
                    let s = self.status_of(p);
                    self.pm.status_received(&p, s, now);
                }
            }
            94..=95 => {
                if p.is_multiple_of(3) {
                    self.pm.protect(&p, "relay");
                } else {
                    self.pm.unprotect(&p, "relay");
                }
            }
            96..=97 => {
                self.pm.add_peer(&p, now);
            }
            _ => {
                self.pm
                    .set_application_score(&p, self.rng.below(21) as f64 - 10.0, now)
                    .expect("finite");
            }
        }
        self.drain();
        self.check_peer(p);
    }

    /// The touched peer: its score is the sum of its parts, and the manager agrees with the
    /// network on whether it is connected.
    fn check_peer(&mut self, p: P) {
        let pm = &self.pm;
        let conns = self.conns.get(&p);
        let outbound = conns.is_some_and(|c| c.iter().any(|(_, d)| *d == Direction::Outbound));
        let tags: i64 = pm.tags(&p).iter().map(|t| t.1).sum();
        let b = &self.cfg.engine.behaviour;
        let want = (tags + if outbound { self.cfg.engine.outbound_bonus } else { 0 }) as f64
            // `peer_score` takes no time: it decays to the latest time the manager has seen.
            + b.behaviour_weight * pm.behaviour_score(&p, pm.now())
            + b.application_weight * pm.application_score(&p);
        let got = pm.peer_score(&p);
        let agrees = pm.is_connected(&p) == conns.is_some();
        self.check((got - want).abs() < 1e-6, || format!("score of {p}: {got}, parts {want}"));
        self.check(agrees, || format!("{p}: manager and network disagree on the connection"));
    }

    fn sweep(&mut self) {
        self.report.sweeps += 1;
        let connected: Vec<P> = self.conns.keys().copied().collect();
        let count = self.pm.connected_count();
        self.check(count == connected.len(), || {
            format!("{count} connected, host has {}", connected.len())
        });
        for p in 0..self.universe {
            self.check_peer(p);
        }
        let bound = count + self.cfg.engine.max_retained_peers;
        let known = self.pm.known_peers();
        self.check(known <= bound, || format!("{known} records held, bound {bound}"));
    }

    fn new_block(&mut self) {
        let h = header(0, self.head.number + 1, self.head.id);
        self.head = h.block_ref();
        self.pm.block_applied(h, None, self.now);
        if self.head.number > LIB_LAG {
            let n = self.head.number - LIB_LAG;
            self.lib = BlockRef { number: n, id: id(0, n) };
            self.pm.lib_advanced(self.lib, self.now);
        }
        self.report.inputs += 1;
        self.drain();
    }

    /// A peer relays a three-block branch off our head's parent; it dies as LIB passes it.
    fn competing_fork(&mut self, round: u64) {
        let Some(p) = self.connected_peer() else { return };
        let branch = 1 + (round % 200) as u8;
        let mut parent = BlockRef { number: self.head.number - 1, id: id(0, self.head.number - 1) };
        for _ in 0..3 {
            let h = header(branch, parent.number + 1, parent.id);
            parent = h.block_ref();
            self.pm.headers_received(&p, vec![h], self.now);
            self.report.inputs += 1;
            self.drain();
        }
    }

    /// A new epoch: fifty random peers as primaries and backups, two of them blocked first.
    fn epoch(&mut self) {
        let mut set = Vec::new();
        for i in 0..50 {
            let p = self.random_peer();
            set.push((p, if i % 5 == 0 { Role::Backup } else { Role::Primary }));
        }
        for &(p, _) in set.iter().take(2) {
            self.pm.block(&p, "stale responses", self.now);
            self.report.inputs += 1;
            self.drain();
        }
        self.pm.epoch_transition(set, self.now);
        self.report.inputs += 1;
        self.drain();
    }
}

/// Runs the soak; `on_sample` sees each memory sample as it is taken (for live output).
pub fn run(cfg: SoakConfig, mut on_sample: impl FnMut(&Sample)) -> SoakReport {
    let mut h = Host::new(cfg);
    let gap = 1_000 / h.cfg.inputs_per_second.max(1);
    let (mut next_block, mut next_sweep, mut next_hour) = (BLOCK_MS, h.cfg.sweep_every, HOUR);
    let mut next_sample = h.cfg.sample_every;
    let mut hour = 0;
    // Warm-up: the peers connect over the first minutes, 50 a second.
    for p in 0..h.cfg.peers as u32 {
        h.advance_to(u64::from(p) * 20);
        if h.pm.allow_connection(&p, h.now).is_ok() {
            h.open(p, if p % 4 == 0 { Direction::Outbound } else { Direction::Inbound });
        }
    }
    let mut t = h.now;
    while t < h.cfg.duration {
        t += gap;
        h.advance_to(t);
        h.random_input();
        if t >= next_block {
            next_block += BLOCK_MS;
            h.new_block();
        }
        if t >= next_sweep {
            next_sweep += h.cfg.sweep_every;
            h.sweep();
        }
        if t >= next_hour {
            next_hour += HOUR;
            hour += 1;
            h.competing_fork(hour);
            h.epoch();
        }
        if t >= next_sample {
            next_sample += h.cfg.sample_every;
            let sample = Sample {
                at: t,
                live_bytes: live_bytes(),
                known_peers: h.pm.known_peers(),
                connected: h.pm.connected_count(),
            };
            on_sample(&sample);
            h.report.samples.push(sample);
        }
    }
    h.report
}

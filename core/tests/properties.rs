//! Property tests: random sequences of operations against an independent reference model.
//! Checked after every step: scores equal the reference sum of live tags, tag values equal
//! the reference decay computation (one tick at a time, even when the manager catches up in
//! one call), and every trim closes exactly the lowest-ranked eligible peers, never a
//! protected or in-grace one, reaching `low_water` whenever enough peers were eligible.

use std::collections::BTreeMap;

use peerkeeper_core::{
    BumpFn, Command, Config, ConnId, DecayFn, Direction, Event, Millis, PeerManager, Verdict,
};
use proptest::prelude::*;

type Peer = u8;
const NAMES: [&str; 3] = ["a", "b", "c"];

#[derive(Debug, Clone)]
enum Decay {
    None,
    Fixed(i64),
    Linear(f64),
    Expire(Millis),
}

#[derive(Debug, Clone)]
enum Op {
    Connect(Peer, bool),
    Disconnect(Peer),
    /// Move time forward, stopping at every `poll_timeout`.
    Advance(Millis),
    /// Move time forward and call `handle_timeout` once, so the manager must catch up.
    AdvanceLate(Millis),
    Tag(Peer, usize, i64),
    Untag(Peer, usize),
    Upsert(Peer, usize, i64),
    TagDecaying(Peer, usize, i64, Millis, Decay, BumpFn),
    Bump(Peer, usize, i64),
    RemoveDecaying(Peer, usize),
    Protect(Peer, usize),
    Unprotect(Peer, usize),
    Trim,
}

fn decay() -> impl Strategy<Value = Decay> {
    prop_oneof![
        Just(Decay::None),
        (1i64..30).prop_map(Decay::Fixed),
        (0.5f64..0.99).prop_map(Decay::Linear),
        (0u64..200).prop_map(Decay::Expire),
    ]
}

fn bump() -> impl Strategy<Value = BumpFn> {
    prop_oneof![
        Just(BumpFn::Sum),
        (-20i64..20, 0i64..200).prop_map(|(min, span)| BumpFn::SumBounded { min, max: min + span }),
        Just(BumpFn::Overwrite),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let peer = 0u8..8;
    let name = 0usize..3;
    prop_oneof![
        4 => (peer.clone(), any::<bool>()).prop_map(|(p, o)| Op::Connect(p, o)),
        2 => peer.clone().prop_map(Op::Disconnect),
        3 => (0u64..80).prop_map(Op::Advance),
        1 => (0u64..300).prop_map(Op::AdvanceLate),
        2 => (peer.clone(), name.clone(), -50i64..100).prop_map(|(p, n, v)| Op::Tag(p, n, v)),
        1 => (peer.clone(), name.clone()).prop_map(|(p, n)| Op::Untag(p, n)),
        1 => (peer.clone(), name.clone(), -10i64..10).prop_map(|(p, n, d)| Op::Upsert(p, n, d)),
        2 => (peer.clone(), name.clone(), -5i64..200, 0u64..120, decay(), bump())
            .prop_map(|(p, n, v, i, d, b)| Op::TagDecaying(p, n, v, i, d, b)),
        2 => (peer.clone(), name.clone(), -30i64..60).prop_map(|(p, n, d)| Op::Bump(p, n, d)),
        1 => (peer.clone(), name.clone()).prop_map(|(p, n)| Op::RemoveDecaying(p, n)),
        1 => (peer.clone(), name.clone()).prop_map(|(p, n)| Op::Protect(p, n)),
        1 => (peer.clone(), name.clone()).prop_map(|(p, n)| Op::Unprotect(p, n)),
        1 => Just(Op::Trim),
    ]
}

#[derive(Debug, Clone)]
struct MDecay {
    interval: Millis,
    decay: Decay,
    bump: BumpFn,
    next_due: Millis,
    last_bump: Millis,
}

#[derive(Debug, Clone)]
struct MTag {
    value: i64,
    decay: Option<MDecay>,
}

#[derive(Debug, Default)]
struct MPeer {
    conns: Vec<(ConnId, Direction)>,
    since: Millis,
    seq: u64,
    tags: BTreeMap<usize, MTag>,
    protections: Vec<usize>,
}

/// The reference: written from the spec, not from the implementation.
struct Model {
    cfg: Config,
    peers: BTreeMap<Peer, MPeer>,
    now: Millis,
    seq: u64,
}

impl Model {
    fn score(&self, p: Peer) -> f64 {
        let Some(mp) = self.peers.get(&p) else { return 0.0 };
        let tags: i64 = mp.tags.values().map(|t| t.value).sum();
        let bonus = if mp.conns.iter().any(|c| c.1 == Direction::Outbound) {
            self.cfg.outbound_bonus
        } else {
            0
        };
        (tags + bonus) as f64
    }

    fn connected(&self) -> impl Iterator<Item = (&Peer, &MPeer)> {
        self.peers.iter().filter(|(_, m)| !m.conns.is_empty())
    }

    /// Applies every decay tick up to `t`, one tick at a time, in time order.
    fn advance(&mut self, t: Millis) {
        loop {
            let next = self
                .peers
                .iter()
                .flat_map(|(p, m)| m.tags.iter().map(move |(n, tag)| (*p, *n, tag)))
                .filter_map(|(p, n, tag)| {
                    tag.decay
                        .as_ref()
                        .filter(|d| !matches!(d.decay, Decay::None))
                        .map(|d| (d.next_due, p, n))
                })
                .min();
            let Some((due, p, n)) = next.filter(|(due, ..)| *due <= t) else { break };
            let tags = &mut self.peers.get_mut(&p).unwrap().tags;
            let tag = tags.get_mut(&n).unwrap();
            let d = tag.decay.as_mut().unwrap();
            let (value, keep) = match d.decay {
                Decay::None => unreachable!(),
                Decay::Fixed(a) => (tag.value - a, true),
                Decay::Linear(c) => ((tag.value as f64 * c).floor() as i64, true),
                Decay::Expire(after) => (tag.value, due - d.last_bump < after),
            };
            d.next_due += d.interval;
            tag.value = value;
            if !keep || value <= 0 {
                tags.remove(&n);
            }
        }
        self.now = self.now.max(t);
    }
}

struct Rig {
    pm: PeerManager<Peer>,
    model: Model,
    next_conn: u64,
}

impl Rig {
    /// Drains outputs; verifies each trim report against the model as it stood when the
    /// trim ran; then carries out the disconnects on both sides.
    fn settle(&mut self) -> Result<(), TestCaseError> {
        let commands: Vec<_> = std::iter::from_fn(|| self.pm.poll_command()).collect();
        let events: Vec<_> = std::iter::from_fn(|| self.pm.poll_event()).collect();
        let mut last_trim = None;
        for e in &events {
            if let Event::Trimmed { report, at } = e {
                self.check_trim(report, *at)?;
                last_trim = Some(report);
            }
        }
        for cmd in commands {
            let Command::Disconnect { peer, .. } = cmd else {
                prop_assert!(false, "a plain manager issues only disconnects: {cmd:?}");
                continue;
            };
            let mp = self.model.peers.get_mut(&peer).unwrap();
            for (c, _) in std::mem::take(&mut mp.conns) {
                prop_assert!(self.pm.disconnected(&peer, c, self.model.now));
            }
            mp.since = self.model.now;
        }
        if let Some(r) = last_trim {
            prop_assert_eq!(self.pm.connected_count(), r.connected - r.closed);
            if r.shortfall == 0 && r.connected >= r.target {
                prop_assert_eq!(
                    self.pm.connected_count(),
                    r.target,
                    "enough candidates: low water"
                );
            }
        }
        while self.pm.poll_event().is_some() {}
        prop_assert_eq!(self.pm.poll_command(), None);
        Ok(())
    }

    fn check_trim(
        &self,
        report: &peerkeeper_core::TrimReport<Peer>,
        at: Millis,
    ) -> Result<(), TestCaseError> {
        let m = &self.model;
        let cfg = &m.cfg;
        let connected: Vec<_> = m.connected().collect();
        prop_assert_eq!(report.connected, connected.len());
        prop_assert_eq!(report.entries.len(), connected.len());
        let mut eligible: Vec<(f64, Millis, u64, Peer)> = connected
            .iter()
            .filter(|(_, mp)| mp.protections.is_empty() && at - mp.since >= cfg.grace_period)
            .map(|(p, mp)| (m.score(**p), mp.since, mp.seq, **p))
            .collect();
        eligible.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let need = connected.len().saturating_sub(cfg.low_water);
        let k = need.min(eligible.len());
        let expected: Vec<Peer> = eligible[..k].iter().map(|e| e.3).collect();
        let closed: Vec<Peer> = report.closed_in_order().iter().map(|e| e.peer).collect();
        prop_assert_eq!(&closed, &expected, "victims are the lowest-ranked eligible peers");
        prop_assert_eq!(report.shortfall, need - k);
        let mut ranked: Vec<(u32, Peer)> =
            report.entries.iter().filter_map(|e| e.rank.map(|r| (r, e.peer))).collect();
        ranked.sort();
        let order: Vec<(u32, Peer)> =
            eligible.iter().enumerate().map(|(i, e)| (i as u32 + 1, e.3)).collect();
        prop_assert_eq!(ranked, order, "every eligible peer ranked in closing order");
        for e in &report.entries {
            let mp = &m.peers[&e.peer];
            prop_assert_eq!(e.score, m.score(e.peer));
            let protected = !mp.protections.is_empty();
            let in_grace = at - mp.since < cfg.grace_period;
            if protected {
                prop_assert_eq!(e.verdict, Verdict::KeptProtected);
            } else if in_grace {
                prop_assert_eq!(e.verdict, Verdict::KeptInGrace);
            }
            if e.verdict.is_closed() {
                prop_assert!(!protected && !in_grace, "never close a protected or in-grace peer");
                let tied = eligible.get(k).is_some_and(|cut| cut.0.total_cmp(&e.score).is_eq());
                let want = if tied { Verdict::ClosedTieOldest } else { Verdict::ClosedLowestScore };
                prop_assert_eq!(e.verdict, want, "closed because of a tie with the cut, or lower");
            }
        }
        Ok(())
    }

    fn check_state(&self) -> Result<(), TestCaseError> {
        let m = &self.model;
        for p in 0u8..8 {
            prop_assert_eq!(self.pm.peer_score(&p), m.score(p), "score of {}", p);
            for (n, name) in NAMES.iter().enumerate() {
                let want = m.peers.get(&p).and_then(|mp| mp.tags.get(&n)).map(|t| t.value);
                prop_assert_eq!(self.pm.tag_value(&p, name), want, "tag {} of {}", name, p);
            }
            let protected = m.peers.get(&p).is_some_and(|mp| !mp.protections.is_empty());
            prop_assert_eq!(self.pm.is_protected(&p, None), protected);
        }
        prop_assert_eq!(self.pm.connected_count(), m.connected().count());
        Ok(())
    }

    fn step_timeouts(&mut self, target: Millis) -> Result<(), TestCaseError> {
        while let Some(due) = self.pm.poll_timeout() {
            if due > target {
                break;
            }
            let due = due.max(self.model.now);
            self.model.advance(due);
            self.pm.handle_timeout(due);
            self.settle()?;
        }
        self.model.advance(target);
        Ok(())
    }

    fn apply(&mut self, op: Op) -> Result<(), TestCaseError> {
        let now = self.model.now;
        let m = &mut self.model;
        match op {
            Op::Connect(p, outbound) => {
                let dir = if outbound { Direction::Outbound } else { Direction::Inbound };
                self.next_conn += 1;
                let c = ConnId(self.next_conn);
                let mp = m.peers.entry(p).or_default();
                if mp.conns.is_empty() {
                    mp.since = now;
                    mp.seq = m.seq;
                    m.seq += 1;
                }
                mp.conns.push((c, dir));
                self.pm.connected(&p, c, dir, now);
            }
            Op::Disconnect(p) => {
                if let Some(mp) = m.peers.get_mut(&p) {
                    if !mp.conns.is_empty() {
                        let (c, _) = mp.conns.remove(0);
                        prop_assert!(self.pm.disconnected(&p, c, now));
                    }
                }
            }
            Op::Advance(dt) => self.step_timeouts(now + dt)?,
            Op::AdvanceLate(dt) => {
                m.advance(now + dt);
                self.pm.handle_timeout(now + dt);
            }
            Op::Tag(p, n, v) => {
                m.peers.entry(p).or_default().tags.insert(n, MTag { value: v, decay: None });
                self.pm.tag_peer(&p, NAMES[n], v);
            }
            Op::Untag(p, n) => {
                let mp = m.peers.entry(p).or_default();
                let is_static = mp.tags.get(&n).is_some_and(|t| t.decay.is_none());
                if is_static {
                    mp.tags.remove(&n);
                }
                prop_assert_eq!(self.pm.untag_peer(&p, NAMES[n]), is_static);
            }
            Op::Upsert(p, n, d) => {
                let mp = m.peers.entry(p).or_default();
                let cur = mp.tags.get(&n).map_or(0, |t| t.value);
                mp.tags.insert(n, MTag { value: cur + d, decay: None });
                self.pm.upsert_tag(&p, NAMES[n], |v| v + d);
            }
            Op::TagDecaying(p, n, v, interval, decay, bump) => {
                let res = m.cfg.decay_resolution;
                let interval_r = interval.max(1).div_ceil(res) * res;
                let mp = m.peers.entry(p).or_default();
                if v <= 0 {
                    mp.tags.remove(&n);
                } else {
                    let next_due = (now + interval_r).div_ceil(res) * res;
                    let d = MDecay {
                        interval: interval_r,
                        decay: decay.clone(),
                        bump,
                        next_due,
                        last_bump: now,
                    };
                    mp.tags.insert(n, MTag { value: v, decay: Some(d) });
                }
                let f = match decay {
                    Decay::None => DecayFn::none(),
                    Decay::Fixed(a) => DecayFn::fixed(a),
                    Decay::Linear(c) => DecayFn::linear(c),
                    Decay::Expire(after) => DecayFn::expire_when_inactive(after),
                };
                self.pm.tag_peer_decaying_with_bump(&p, NAMES[n], v, interval, f, bump, now);
            }
            Op::Bump(p, n, delta) => {
                let mp = m.peers.entry(p).or_default();
                let live = match mp.tags.get_mut(&n) {
                    Some(MTag { value, decay: Some(d) }) => {
                        *value = match d.bump {
                            BumpFn::Sum => *value + delta,
                            BumpFn::SumBounded { min, max } => (*value + delta).max(min).min(max),
                            BumpFn::Overwrite => delta,
                        };
                        d.last_bump = now;
                        if *value <= 0 {
                            mp.tags.remove(&n);
                        }
                        true
                    }
                    _ => false,
                };
                prop_assert_eq!(self.pm.bump_decaying_tag(&p, NAMES[n], delta, now), live);
            }
            Op::RemoveDecaying(p, n) => {
                let mp = m.peers.entry(p).or_default();
                let decaying = mp.tags.get(&n).is_some_and(|t| t.decay.is_some());
                if decaying {
                    mp.tags.remove(&n);
                }
                prop_assert_eq!(self.pm.remove_decaying_tag(&p, NAMES[n]), decaying);
            }
            Op::Protect(p, n) => {
                let mp = m.peers.entry(p).or_default();
                if !mp.protections.contains(&n) {
                    mp.protections.push(n);
                }
                self.pm.protect(&p, NAMES[n]);
            }
            Op::Unprotect(p, n) => {
                let mp = m.peers.entry(p).or_default();
                mp.protections.retain(|&x| x != n);
                let still = !mp.protections.is_empty();
                prop_assert_eq!(self.pm.unprotect(&p, NAMES[n]), still);
            }
            Op::Trim => self.pm.trim(now),
        }
        self.settle()?;
        self.check_state()
    }
}

fn config() -> impl Strategy<Value = Config> {
    (
        0usize..4,
        1usize..4,
        0u64..100,
        0u64..60,
        prop_oneof![Just(10u64), Just(25), Just(50)],
        0i64..20,
    )
        .prop_map(|(low, extra, grace, silence, res, bonus)| Config {
            low_water: low,
            high_water: low + extra,
            grace_period: grace,
            silence_period: silence,
            decay_resolution: res,
            outbound_bonus: bonus,
            // Forgetting is covered by its own tests; here records must stay comparable.
            retention_ms: Millis::MAX / 4,
            max_retained_peers: 1_000,
            ..Config::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_sequence_of_operations_matches_the_reference_model(
        cfg in config(),
        ops in proptest::collection::vec(op(), 1..120),
    ) {
        let mut rig = Rig {
            pm: PeerManager::new(cfg.clone()).unwrap(),
            model: Model { cfg, peers: BTreeMap::new(), now: 0, seq: 0 },
            next_conn: 0,
        };
        for op in ops {
            rig.apply(op)?;
        }
    }

    #[test]
    fn a_trim_with_enough_candidates_leaves_exactly_low_water_peers(
        low in 0usize..20,
        extra in 1usize..20,
        protected in 0usize..10,
        scores in proptest::collection::vec(-5i64..5, 50),
    ) {
        let cfg = Config {
            low_water: low,
            high_water: low + extra,
            grace_period: 10,
            silence_period: 0,
            ..Config::default()
        };
        let mut pm: PeerManager<u32> = PeerManager::new(cfg).unwrap();
        let n = (low + extra + 1) as u32;
        for p in 0..n {
            pm.connected(&p, ConnId(p.into()), Direction::Inbound, 0);
            pm.tag_peer(&p, "s", scores[p as usize % scores.len()]);
            if (p as usize) < protected {
                pm.protect(&p, "keep");
            }
        }
        while pm.poll_command().is_some() {}
        pm.trim(1_000);
        let closed: Vec<_> = std::iter::from_fn(|| pm.poll_command()).collect();
        for cmd in &closed {
            let Command::Disconnect { peer, .. } = cmd else { panic!("only disconnects: {cmd:?}") };
            pm.disconnected(peer, ConnId((*peer).into()), 1_000);
        }
        let eligible = n as usize - protected.min(n as usize);
        if eligible >= n as usize - low {
            prop_assert_eq!(pm.connected_count(), low);
        } else {
            prop_assert_eq!(pm.connected_count(), n as usize - eligible);
        }
    }
}

//! The payload of a snapshot (see `snapshot`): what is captured from a running manager, and
//! how a fresh manager is rebuilt from it. Format 3 is format 2's [`State`] followed by
//! [`Dials`] (postcard writes a struct's fields in order, so a format-2 payload is a format-3
//! payload's prefix). Peer records are rebuilt through the facade's own inputs (`tag_peer`,
//! `protect`, ...) and then given back the timing those inputs cannot express (decay due times, last bumps, retention start, score decay); the
//! issue-5 components that are plain data travel whole.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::backoff::SavedBackoff;
use crate::behaviour_score::{BehaviourScore, LastAction, PeerExtras};
use crate::benchlist::Benchlist;
use crate::blocklist::Blocklist;
use crate::decay_schedule::NEVER;
use crate::disconnect_record::DisconnectRecord;
use crate::float_text::Float;
use crate::health::HealthTracker;
use crate::manager::PeerManager;
use crate::peer_key::PeerKey;
use crate::peer_map::PeerMap;
use crate::reasons::DisconnectReason;
use crate::snapshot::SnapshotError;
use crate::stable_order::{reordered, stable_order};
use crate::strikes::Strikes;
use crate::tags::TagId;
use crate::tags::{BumpFn, DecayFn};
use crate::types::Millis;

#[derive(Serialize, Deserialize)]
#[serde(bound(
    serialize = "P: PeerKey + Serialize",
    deserialize = "P: PeerKey + DeserializeOwned"
))]
pub(crate) struct State<P: PeerKey> {
    now: Millis,
    last_trim: Option<Millis>,
    pub(crate) peers: Vec<PeerSnap<P>>,
    /// Behaviour bans in force: (peer, until).
    bans: Vec<(P, Millis)>,
    /// Last disconnects, oldest first: (peer, reason, goodbye code, sent by us, at).
    disconnects: Vec<(P, DisconnectReason, Option<u64>, bool, Millis)>,
    strikes: Strikes<P>,
    bench: Benchlist<P>,
    blocklist: Blocklist<P>,
    health: HealthTracker,
    /// Peers the lifecycle tracked (with `track_lifecycle`), in key order.
    tracked: Vec<P>,
}

/// What format 3 adds: every tracked peer's reconnect backoff and the isolation clock.
#[derive(Serialize, Deserialize)]
pub(crate) struct Dials<P> {
    backoff: Vec<SavedBackoff<P>>,
    /// (isolated since, next reset).
    isolation: Option<(Millis, Millis)>,
}

impl<P> Default for Dials<P> {
    fn default() -> Self {
        Dials { backoff: Vec::new(), isolation: None }
    }
}

/// A format-3 payload.
#[derive(Serialize, Deserialize)]
#[serde(bound(
    serialize = "P: PeerKey + Serialize",
    deserialize = "P: PeerKey + DeserializeOwned"
))]
pub(crate) struct Payload<P: PeerKey> {
    pub(crate) state: State<P>,
    pub(crate) dials: Dials<P>,
}

impl<P: PeerKey + Serialize + DeserializeOwned> Payload<P> {
    pub(crate) fn capture(pm: &PeerManager<P>, now: Millis) -> Self {
        let dials = if pm.config.track_lifecycle {
            let d = &pm.defence.dials;
            Dials { backoff: d.saved(now), isolation: d.isolation() }
        } else {
            Dials::default()
        };
        Payload { state: State::capture(pm, now), dials }
    }
}

#[derive(Serialize, Deserialize)]
pub(crate) struct PeerSnap<P> {
    peer: P,
    /// When the record entered retention (for a connected peer: the snapshot time).
    since: Millis,
    tags: Vec<TagSnap>,
    protections: Vec<String>,
    extras: Option<ExtrasSnap>,
}

#[derive(Serialize, Deserialize)]
struct TagSnap {
    name: String,
    value: i64,
    decaying: Option<DecaySnap>,
}

#[derive(Serialize, Deserialize)]
struct DecaySnap {
    interval: Millis,
    decay: DecaySpec,
    bump: BumpSpec,
    next_due: Millis,
    last_bump: Millis,
    /// Position among all decaying tags in the order ticks visit them.
    rank: u32,
}

/// `DecayFn` without its custom variant, externally tagged (postcard is not self-describing,
/// so core's internally tagged serde shape cannot be read back from it).
#[derive(Serialize, Deserialize)]
enum DecaySpec {
    None,
    Fixed(i64),
    Linear(f64),
    ExpireWhenInactive(Millis),
}

#[derive(Serialize, Deserialize)]
enum BumpSpec {
    Sum,
    SumBounded(i64, i64),
    Overwrite,
}

impl DecaySpec {
    fn of(d: &DecayFn) -> Option<Self> {
        Some(match d {
            DecayFn::None => DecaySpec::None,
            DecayFn::Fixed { amount } => DecaySpec::Fixed(*amount),
            DecayFn::Linear { coef } => DecaySpec::Linear(*coef),
            DecayFn::ExpireWhenInactive { after } => DecaySpec::ExpireWhenInactive(*after),
            DecayFn::Custom(_) => return None,
        })
    }

    fn to_fn(&self) -> Result<DecayFn, SnapshotError> {
        Ok(match *self {
            DecaySpec::None => DecayFn::None,
            DecaySpec::Fixed(amount) => DecayFn::Fixed { amount },
            DecaySpec::Linear(coef) if (0.0..=1.0).contains(&coef) => DecayFn::Linear { coef },
            DecaySpec::Linear(coef) => {
                return Err(corrupt(format!("linear decay coefficient {}", Float(coef))));
            }
            DecaySpec::ExpireWhenInactive(after) => DecayFn::ExpireWhenInactive { after },
        })
    }
}

impl BumpSpec {
    fn of(b: BumpFn) -> Self {
        match b {
            BumpFn::Sum => BumpSpec::Sum,
            BumpFn::SumBounded { min, max } => BumpSpec::SumBounded(min, max),
            BumpFn::Overwrite => BumpSpec::Overwrite,
        }
    }

    fn to_fn(&self) -> Result<BumpFn, SnapshotError> {
        Ok(match *self {
            BumpSpec::Sum => BumpFn::Sum,
            BumpSpec::SumBounded(min, max) if min <= max => BumpFn::SumBounded { min, max },
            BumpSpec::SumBounded(min, max) => {
                return Err(corrupt(format!("bump bounds {min} > {max}")));
            }
            BumpSpec::Overwrite => BumpFn::Overwrite,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct ExtrasSnap {
    /// Behaviour score: value as of `since`, frozen until `banned_until`.
    value: f64,
    since: Millis,
    banned_until: Option<Millis>,
    application: f64,
    last_action: Option<(String, f64, Millis)>,
    agent_version: Option<String>,
    address: Option<String>,
}

fn corrupt(why: String) -> SnapshotError {
    SnapshotError::Corrupt(why)
}

impl<P: PeerKey + Serialize + DeserializeOwned> State<P> {
    pub(crate) fn capture(pm: &PeerManager<P>, now: Millis) -> Self {
        let rank = pm.schedule.visit_ranks();
        let slots = pm.sorted_slots();
        let mut peers = Vec::with_capacity(slots.len());
        let mut disconnects = Vec::new();
        for slot in slots {
            let r = pm.book.get(slot);
            let mut tags = Vec::new();
            let mut protections = Vec::new();
            for t in r.tags() {
                let name = pm.names.name(t.name).as_str().to_owned();
                if t.is_protection() {
                    protections.push(name);
                    continue;
                }
                let decaying = if t.is_decaying() {
                    let e = pm.schedule.get(t.decay);
                    let policy = pm.policies.get(e.policy);
                    let Some(decay) = DecaySpec::of(&policy.decay) else {
                        continue;
                    };
                    Some(DecaySnap {
                        interval: policy.interval,
                        decay,
                        bump: BumpSpec::of(policy.bump),
                        next_due: e.next_due,
                        last_bump: e.last_bump,
                        rank: rank.get(t.decay as usize).copied().unwrap_or(u32::MAX),
                    })
                } else {
                    None
                };
                tags.push(TagSnap { name, value: t.value, decaying });
            }
            let extras = r.extras.as_deref().map(|x| {
                let (value, since, banned_until) = x.behaviour.parts();
                ExtrasSnap {
                    value,
                    since,
                    banned_until,
                    application: x.application,
                    last_action: x
                        .last_action
                        .as_ref()
                        .map(|a| (a.name.to_string(), a.delta, a.at)),
                    agent_version: x.agent_version.as_deref().map(str::to_owned),
                    address: x.address.as_deref().map(str::to_owned),
                }
            });
            if let Some(d) = pm.disconnects.get(slot) {
                disconnects.push((r.peer.clone(), d.reason, d.code, d.sent, d.at));
            }
            let since = if r.is_connected() { now } else { r.since };
            peers.push(PeerSnap { peer: r.peer.clone(), since, tags, protections, extras });
        }
        let order =
            stable_order(disconnects.len(), &|a, b| disconnects[a].4.cmp(&disconnects[b].4));
        let disconnects = reordered(disconnects, &order);
        // Connections do not survive a snapshot: its health counts none, as the import will.
        let mut health = pm.defence.health.clone();
        health.set_connected_peers(0);
        State {
            now,
            last_trim: pm.last_trim,
            peers,
            bans: pm.bans.entries().map(|(p, until)| (p.clone(), until)).collect(),
            disconnects,
            strikes: pm.defence.strikes.clone(),
            bench: pm.defence.bench.clone(),
            blocklist: pm.defence.blocklist.clone(),
            health,
            tracked: pm.defence.lifecycle.peers().map(|(p, _)| p.clone()).collect(),
        }
    }

    /// Rebuilds `pm` (fresh, with the target config) from the state at `now`.
    pub(crate) fn apply(
        self,
        pm: &mut PeerManager<P>,
        dials: Dials<P>,
        now: Millis,
    ) -> Result<(), SnapshotError> {
        let same = |name: &str, equal: bool| {
            if equal {
                Ok(())
            } else {
                Err(corrupt(format!("taken with another `{name}` config section")))
            }
        };
        same("strikes", self.strikes.config() == &pm.config.strikes)?;
        same("benchlist", self.bench.config() == &pm.config.benchlist)?;
        same("blocklist", self.blocklist.config() == &pm.config.blocklist)?;
        same("health", self.health.config() == &pm.config.health)?;
        let now = now.max(self.now);
        pm.now = now;
        pm.last_trim = self.last_trim;
        let peers = &self.peers;
        // Retention is a queue in entry order: rebuild it in that order.
        let key = |i: usize| (peers[i].since, &peers[i].peer);
        let mut timings = Vec::new();
        for i in stable_order(peers.len(), &|a, b| key(a).cmp(&key(b))) {
            restore_peer(pm, &peers[i], &mut timings)?;
        }
        // Back to the saved timing, in the saved visiting order: the sets above scheduled
        // from the import time. Removing an entry retires its bucket reference; the new one
        // keeps the tag's policy.
        let order = stable_order(timings.len(), &|a, b| timings[a].0.cmp(&timings[b].0));
        for (_, slot, name, due, last_bump) in reordered(timings, &order) {
            let Some(pos) = pm.book.get(slot).tag_pos(name) else { continue };
            let old = pm.schedule.remove(pm.book.get(slot).tags()[pos].decay);
            let idx = pm.schedule.insert(slot, name, old.policy, last_bump, due);
            pm.book.get_mut(slot).edit_tags(|tags| tags[pos].decay = idx);
        }
        for (peer, until) in self.bans {
            pm.bans.insert(&peer, until);
        }
        for (peer, reason, code, sent, at) in self.disconnects {
            if let Some(slot) = pm.book.lookup(&peer) {
                pm.disconnects.record(slot, DisconnectRecord { reason, code, sent, at });
            }
        }
        pm.defence.strikes = self.strikes;
        pm.defence.bench = self.bench;
        pm.defence.blocklist = self.blocklist;
        pm.defence.health = self.health;
        pm.defence.health.set_connected_peers(0);
        pm.enforce_retention();
        // The rebuild's own events (tag sets, protections) are not news; what follows is.
        pm.events.clear();
        pm.commands.clear();
        if pm.config.track_lifecycle {
            // Backoffs first, so re-adding a peer keeps its wait and dials only what is due.
            let mut saved: PeerMap<P, &SavedBackoff<P>> =
                dials.backoff.iter().map(|b| (b.peer.clone(), b)).collect();
            for peer in &self.tracked {
                if let Some(b) = saved.remove(peer) {
                    let held = is_held(pm, peer);
                    pm.defence.dials.restore(b, held, now);
                }
            }
            if let Some((since, deadline)) = dials.isolation {
                pm.defence.dials.restore_isolation(since, deadline);
            }
            for peer in &self.tracked {
                if is_held(pm, peer) {
                    pm.restrict(peer, now);
                } else {
                    pm.add_peer(peer, now);
                }
            }
        }
        Ok(())
    }
}

/// Soft-banned or blocked: a restored tracked peer that must not be dialled yet.
fn is_held<P: PeerKey>(pm: &PeerManager<P>, peer: &P) -> bool {
    pm.defence.strikes.is_banned(peer) || pm.defence.blocklist.is_blocked(peer)
}

/// A decaying tag's saved timing: (rank, slot, name, next due, last bump).
type Timing = (u32, u32, TagId, Millis, Millis);

fn restore_peer<P: PeerKey + Serialize + DeserializeOwned>(
    pm: &mut PeerManager<P>,
    p: &PeerSnap<P>,
    timings: &mut Vec<Timing>,
) -> Result<(), SnapshotError> {
    let slot = pm.book.get_or_create(&p.peer, p.since);
    for t in &p.tags {
        if t.name.is_empty() {
            return Err(corrupt(format!("an empty tag name on {:?}", p.peer)));
        }
        let Some(d) = &t.decaying else {
            pm.tag_peer(&p.peer, &t.name, t.value);
            continue;
        };
        if t.value <= 0 {
            return Err(corrupt(format!(
                "decaying tag {:?} of {:?} is {}",
                t.name, p.peer, t.value
            )));
        }
        let decay = d.decay.to_fn()?;
        let never = matches!(decay, DecayFn::None);
        let now = pm.now;
        pm.tag_peer_decaying_with_bump(
            &p.peer,
            &t.name,
            t.value,
            d.interval,
            decay,
            d.bump.to_fn()?,
            now,
        );
        let name = pm.names.intern(&t.name);
        let due = if never { NEVER } else { d.next_due };
        timings.push((d.rank, slot, name, due, d.last_bump));
    }
    for reason in &p.protections {
        if reason.is_empty() {
            return Err(corrupt(format!("an empty protection reason on {:?}", p.peer)));
        }
        pm.protect(&p.peer, reason);
    }
    if let Some(x) = &p.extras {
        if !x.value.is_finite() || !x.application.is_finite() {
            return Err(corrupt(format!("a score of {:?} is not finite", p.peer)));
        }
        pm.book.get_mut(slot).extras = Some(Box::new(PeerExtras {
            behaviour: BehaviourScore::from_parts(x.value, x.since, x.banned_until),
            application: x.application,
            last_action: x.last_action.as_ref().map(|(name, delta, at)| LastAction {
                name: name.as_str().into(),
                delta: *delta,
                at: *at,
            }),
            agent_version: x.agent_version.as_deref().map(Into::into),
            address: x.address.as_deref().map(Into::into),
        }));
    }
    Ok(())
}

//! Tag vocabulary: interned names, the per-peer tag record, and the decay and bump functions
//! of decaying tags.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize, Serializer};

use crate::hash::{SeededMap, SeededState};
use crate::types::Millis;

/// An interned tag (or protection) name. Names are stored once per manager; every per-peer
/// record holds this 4-byte id instead of a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct TagId(pub(crate) u32);

/// A tag name as carried by events: shared, so emitting an event costs a reference count,
/// not a string copy. Serializes as a plain string.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagName(Arc<str>);

impl TagName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for TagName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TagName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for TagName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<&str> for TagName {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl From<&str> for TagName {
    fn from(s: &str) -> Self {
        TagName(Arc::from(s))
    }
}

impl Serialize for TagName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Names live as long as the manager: tag vocabularies are small and fixed in practice
/// ("kbucket", "bitswap", "vip"), and never freeing keeps ids stable for cheap comparisons.
#[derive(Clone)]
pub(crate) struct Interner {
    ids: SeededMap<Arc<str>, TagId>,
    names: Vec<TagName>,
    /// Callers nearly always pass the same few string literals, so remember the last
    /// lookups by address. A hit is confirmed by comparing the text, so a reused address
    /// can never return the wrong id; it only saves hashing the name.
    recent: [(usize, usize, TagId); RECENT],
}

const RECENT: usize = 8;

impl Interner {
    pub(crate) fn new(hasher: SeededState) -> Self {
        Interner {
            ids: SeededMap::with_hasher(hasher),
            names: Vec::new(),
            recent: [(0, 0, TagId(0)); RECENT],
        }
    }

    #[inline]
    fn recent_slot(name: &str) -> usize {
        ((name.as_ptr() as usize >> 3) ^ name.len()) % RECENT
    }

    #[inline]
    fn recall(&self, name: &str) -> Option<TagId> {
        let (ptr, len, id) = self.recent[Self::recent_slot(name)];
        (ptr == name.as_ptr() as usize
            && len == name.len()
            && *self.names[id.0 as usize].0 == *name)
            .then_some(id)
    }

    fn remember(&mut self, name: &str, id: TagId) {
        self.recent[Self::recent_slot(name)] = (name.as_ptr() as usize, name.len(), id);
    }

    /// Like [`get`](Self::get), remembering the answer.
    pub(crate) fn lookup(&mut self, name: &str) -> Option<TagId> {
        if let Some(id) = self.recall(name) {
            return Some(id);
        }
        let id = self.ids.get(name).copied()?;
        self.remember(name, id);
        Some(id)
    }

    pub(crate) fn intern(&mut self, name: &str) -> TagId {
        if let Some(id) = self.lookup(name) {
            return id;
        }
        let id = TagId(u32::try_from(self.names.len()).expect("fewer than 2^32 tag names"));
        let shared: Arc<str> = Arc::from(name);
        self.names.push(TagName(shared.clone()));
        self.ids.insert(shared, id);
        self.remember(name, id);
        id
    }

    pub(crate) fn get(&self, name: &str) -> Option<TagId> {
        self.recall(name).or_else(|| self.ids.get(name).copied())
    }

    pub(crate) fn name(&self, id: TagId) -> &TagName {
        &self.names[id.0 as usize]
    }
}

/// Marks a [`TagSlot`] as a static tag (no decay schedule entry).
pub(crate) const STATIC: u32 = u32::MAX;
/// Marks a [`TagSlot`] as a protection reason (value always 0).
pub(crate) const PROTECTION: u32 = u32::MAX - 1;

/// One tag or protection reason on one peer. Static and decaying tags share a namespace per
/// peer; a decaying tag points at its schedule entry, which holds its timing and policy.
/// Protections live in the same list (a separate one would cost every peer another 16-byte
/// header for the 10% that are protected), in a namespace of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TagSlot {
    pub(crate) name: TagId,
    pub(crate) decay: u32,
    pub(crate) value: i64,
}

impl TagSlot {
    #[inline]
    pub(crate) fn is_decaying(&self) -> bool {
        self.decay < PROTECTION
    }

    #[inline]
    pub(crate) fn is_protection(&self) -> bool {
        self.decay == PROTECTION
    }

    #[inline]
    pub(crate) fn is_tag(&self) -> bool {
        !self.is_protection()
    }
}

/// A user-supplied decay: `f(value, ms_since_last_bump) -> new value`. Returning 0 or less
/// removes the tag. Runs once per elapsed interval.
#[derive(Clone)]
pub struct CustomDecay(pub Arc<dyn Fn(i64, Millis) -> i64 + Send + Sync>);

impl fmt::Debug for CustomDecay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomDecay(..)")
    }
}

/// How a decaying tag's value changes at each interval.
///
/// The built-in variants serialize (`{"kind":"fixed","amount":20}`); `Custom` does not.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DecayFn {
    /// The value never changes; the tag lives until removed.
    None,
    /// Subtract `amount` each interval.
    Fixed { amount: i64 },
    /// `value = floor(value * coef)` each interval. `coef` is clamped to `[0, 1]` (NaN is 0):
    /// a decay never grows a value.
    Linear { coef: f64 },
    /// The value never changes, but the tag is removed at the first interval boundary at
    /// which it has not been bumped (or set) for at least `after` ms.
    ExpireWhenInactive { after: Millis },
    /// Anything else; see [`CustomDecay`]. Not serializable.
    #[serde(skip)]
    Custom(CustomDecay),
}

impl DecayFn {
    pub fn none() -> Self {
        DecayFn::None
    }
    pub fn fixed(amount: i64) -> Self {
        DecayFn::Fixed { amount }
    }
    pub fn linear(coef: f64) -> Self {
        DecayFn::Linear { coef }
    }
    pub fn expire_when_inactive(after: Millis) -> Self {
        DecayFn::ExpireWhenInactive { after }
    }
    pub fn custom(f: impl Fn(i64, Millis) -> i64 + Send + Sync + 'static) -> Self {
        DecayFn::Custom(CustomDecay(Arc::new(f)))
    }

    /// Applies the decay for `ticks` consecutive interval boundaries, the first at `first`,
    /// spaced `interval` apart. Returns the new value, or `None` when the tag must go, with
    /// the cause.
    pub(crate) fn apply(
        &self,
        value: i64,
        ticks: u64,
        first: Millis,
        interval: Millis,
        last_bump: Millis,
    ) -> Result<i64, RemovalCause> {
        // Catching up after a long pause applies every missed interval, except for custom
        // functions, whose cost we cannot bound: those run at most this many times per call.
        const MAX_CUSTOM_CATCH_UP: u64 = 1_024;
        let v = match self {
            DecayFn::None => value,
            DecayFn::Fixed { amount } => {
                let total = i128::from(*amount) * i128::from(ticks);
                (i128::from(value) - total).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
            }
            DecayFn::Linear { coef } => {
                let c = if coef.is_nan() { 0.0 } else { coef.clamp(0.0, 1.0) };
                let mut v = value;
                for _ in 0..ticks {
                    let next = (v as f64 * c).floor() as i64;
                    if next == v || next <= 0 {
                        v = next;
                        break;
                    }
                    v = next;
                }
                v
            }
            DecayFn::ExpireWhenInactive { after } => {
                let last_tick = first + (ticks - 1) * interval;
                if last_tick.saturating_sub(last_bump) >= *after {
                    return Err(RemovalCause::ExpiredInactive);
                }
                value
            }
            DecayFn::Custom(f) => {
                let mut v = value;
                for i in 0..ticks.min(MAX_CUSTOM_CATCH_UP) {
                    let at = first + i * interval;
                    v = (f.0)(v, at.saturating_sub(last_bump));
                    if v <= 0 {
                        break;
                    }
                }
                v
            }
        };
        if v <= 0 {
            Err(RemovalCause::Decayed)
        } else {
            Ok(v)
        }
    }

    /// A key equal for equal policies, so identical policies share one table entry. Custom
    /// functions are equal only to clones of the same `Arc`.
    fn key(&self) -> (u8, u64) {
        match self {
            DecayFn::None => (0, 0),
            DecayFn::Fixed { amount } => (1, *amount as u64),
            DecayFn::Linear { coef } => (2, coef.to_bits()),
            DecayFn::ExpireWhenInactive { after } => (3, *after),
            DecayFn::Custom(f) => (4, Arc::as_ptr(&f.0) as *const () as usize as u64),
        }
    }
}

/// Why a tag disappeared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalCause {
    /// `untag_peer` or `remove_decaying_tag`.
    Removed,
    /// Its value reached 0 or below through decay.
    Decayed,
    /// A bump (or a set) left it at 0 or below.
    BumpedToZero,
    /// `ExpireWhenInactive` found it idle.
    ExpiredInactive,
}

/// How `bump_decaying_tag(peer, tag, delta)` combines the current value with `delta`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BumpFn {
    /// `value + delta` (saturating).
    Sum,
    /// `value + delta`, then clamped into `[min, max]`.
    SumBounded { min: i64, max: i64 },
    /// `delta` replaces the value.
    Overwrite,
}

impl BumpFn {
    pub fn sum() -> Self {
        BumpFn::Sum
    }
    pub fn sum_bounded(min: i64, max: i64) -> Self {
        BumpFn::SumBounded { min, max }
    }
    pub fn overwrite() -> Self {
        BumpFn::Overwrite
    }

    pub(crate) fn apply(self, value: i64, delta: i64) -> i64 {
        match self {
            BumpFn::Sum => value.saturating_add(delta),
            // max-then-min rather than `clamp`, which panics on an inverted range.
            BumpFn::SumBounded { min, max } => value.saturating_add(delta).max(min).min(max),
            BumpFn::Overwrite => delta,
        }
    }

    fn key(self) -> (u8, i64, i64) {
        match self {
            BumpFn::Sum => (0, 0, 0),
            BumpFn::SumBounded { min, max } => (1, min, max),
            BumpFn::Overwrite => (2, 0, 0),
        }
    }
}

/// Everything about a decaying tag that is not per-peer state. Shared between all tags
/// created with the same settings, which is what keeps a decaying tag small.
#[derive(Debug, Clone)]
pub(crate) struct DecayPolicy {
    /// Already rounded up to a multiple of the decay resolution.
    pub(crate) interval: Millis,
    pub(crate) decay: DecayFn,
    pub(crate) bump: BumpFn,
}

type PolicyKey = (Millis, (u8, u64), (u8, i64, i64));

fn policy_key(p: &DecayPolicy) -> PolicyKey {
    (p.interval, p.decay.key(), p.bump.key())
}

/// Reference-counted, deduplicated decay policies.
#[derive(Clone)]
pub(crate) struct PolicyTable {
    entries: Vec<(DecayPolicy, u32)>,
    free: Vec<u32>,
    index: SeededMap<PolicyKey, u32>,
}

impl PolicyTable {
    pub(crate) fn new(hasher: SeededState) -> Self {
        PolicyTable { entries: Vec::new(), free: Vec::new(), index: SeededMap::with_hasher(hasher) }
    }

    pub(crate) fn acquire(&mut self, policy: DecayPolicy) -> u32 {
        let key = policy_key(&policy);
        if let Some(&id) = self.index.get(&key) {
            self.entries[id as usize].1 += 1;
            return id;
        }
        let id = match self.free.pop() {
            Some(id) => {
                self.entries[id as usize] = (policy, 1);
                id
            }
            None => {
                self.entries.push((policy, 1));
                (self.entries.len() - 1) as u32
            }
        };
        self.index.insert(key, id);
        id
    }

    pub(crate) fn release(&mut self, id: u32) {
        let entry = &mut self.entries[id as usize];
        entry.1 -= 1;
        if entry.1 == 0 {
            let key = policy_key(&entry.0);
            self.index.remove(&key);
            // Drop a custom closure now rather than when the slot is reused.
            entry.0.decay = DecayFn::None;
            self.free.push(id);
        }
    }

    pub(crate) fn get(&self, id: u32) -> &DecayPolicy {
        &self.entries[id as usize].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn once(d: &DecayFn, v: i64) -> Result<i64, RemovalCause> {
        d.apply(v, 1, 100, 50, 0)
    }

    #[test]
    fn the_interner_never_confuses_names_that_share_an_address() {
        let mut i = Interner::new(SeededState::new(3));
        let mut buf = String::from("alpha");
        let a = i.intern(&buf);
        assert_eq!(i.lookup(&buf), Some(a));
        // Same address and length, different text.
        buf.replace_range(.., "omega");
        assert_eq!(i.get(&buf), None);
        assert_eq!(i.lookup(&buf), None);
        let o = i.intern(&buf);
        assert_ne!(a, o);
        assert_eq!(i.get("alpha"), Some(a));
        assert_eq!(i.name(o).as_str(), "omega");
    }

    #[test]
    fn fixed_decay_subtracts_and_removes_at_zero() {
        assert_eq!(once(&DecayFn::fixed(20), 100), Ok(80));
        assert_eq!(once(&DecayFn::fixed(20), 20), Err(RemovalCause::Decayed));
        assert_eq!(DecayFn::fixed(20).apply(100, 4, 50, 50, 0), Ok(20));
        assert_eq!(DecayFn::fixed(20).apply(100, 5, 50, 50, 0), Err(RemovalCause::Decayed));
    }

    #[test]
    fn linear_decay_floors_the_product_each_tick() {
        assert_eq!(once(&DecayFn::linear(0.9), 15), Ok(13));
        assert_eq!(DecayFn::linear(0.9).apply(15, 2, 50, 50, 0), Ok(11));
        assert_eq!(once(&DecayFn::linear(0.5), 1), Err(RemovalCause::Decayed));
        assert_eq!(once(&DecayFn::linear(7.0), 10), Ok(10));
        assert_eq!(once(&DecayFn::linear(f64::NAN), 10), Err(RemovalCause::Decayed));
    }

    #[test]
    fn expire_when_inactive_removes_only_after_the_idle_time() {
        let d = DecayFn::expire_when_inactive(100);
        assert_eq!(d.apply(7, 1, 50, 50, 0), Ok(7));
        assert_eq!(d.apply(7, 1, 100, 50, 0), Err(RemovalCause::ExpiredInactive));
        // Bumped at 40: idle 10, 60, then 110 ms at the ticks at 50, 100, 150.
        assert_eq!(d.apply(7, 2, 50, 50, 40), Ok(7));
        assert_eq!(d.apply(7, 3, 50, 50, 40), Err(RemovalCause::ExpiredInactive));
    }

    #[test]
    fn custom_decay_sees_the_time_since_the_last_bump() {
        let d = DecayFn::custom(|v, idle| if idle > 60 { v - 1 } else { v });
        assert_eq!(d.apply(10, 3, 50, 50, 0), Ok(8));
    }

    #[test]
    fn bump_functions_combine_value_and_delta() {
        assert_eq!(BumpFn::Sum.apply(100, 50), 150);
        assert_eq!(BumpFn::Sum.apply(i64::MAX, 1), i64::MAX);
        assert_eq!(BumpFn::sum_bounded(0, 120).apply(100, 50), 120);
        assert_eq!(BumpFn::sum_bounded(10, 120).apply(5, -50), 10);
        assert_eq!(BumpFn::Overwrite.apply(100, 7), 7);
    }

    #[test]
    fn built_in_functions_serialize_with_snake_case_kinds() {
        assert_eq!(
            serde_json::to_string(&DecayFn::fixed(20)).unwrap(),
            r#"{"kind":"fixed","amount":20}"#
        );
        assert_eq!(
            serde_json::to_string(&BumpFn::sum_bounded(1, 9)).unwrap(),
            r#"{"kind":"sum_bounded","min":1,"max":9}"#
        );
        assert!(serde_json::to_string(&DecayFn::custom(|v, _| v)).is_err());
    }

    #[test]
    fn equal_policies_share_one_entry_until_released() {
        let mut t = PolicyTable::new(SeededState::new(1));
        let p = || DecayPolicy { interval: 50, decay: DecayFn::fixed(1), bump: BumpFn::Sum };
        let a = t.acquire(p());
        let b = t.acquire(p());
        assert_eq!(a, b);
        let c = t.acquire(DecayPolicy { interval: 100, ..p() });
        assert_ne!(a, c);
        t.release(a);
        t.release(b);
        let d = t.acquire(DecayPolicy { interval: 150, ..p() });
        assert_eq!(d, a, "a released entry is reused");
    }
}

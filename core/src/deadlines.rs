//! An ordered set of per-key deadlines: the structure that lets a tick cost what is due.
//!
//! Every component that must be woken keeps one of these instead of scanning its peers, so
//! `handle_timeout(now)` pops only the expired entries and `next_deadline()` is a peek.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::types::Millis;

/// At most one deadline per key; ties are broken by key order, so draining is deterministic.
///
/// Serialized as a list of `[key, deadline]` pairs (the time index is rebuilt on load), which
/// keeps snapshots valid JSON whatever the key type is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    from = "Vec<(K, Millis)>",
    into = "Vec<(K, Millis)>",
    bound(
        serialize = "K: Ord + Clone + Serialize",
        deserialize = "K: Ord + Clone + Deserialize<'de>"
    )
)]
pub struct Deadlines<K: Ord + Clone> {
    by_time: BTreeSet<(Millis, K)>,
    by_key: BTreeMap<K, Millis>,
}

impl<K: Ord + Clone> Default for Deadlines<K> {
    fn default() -> Self {
        Deadlines { by_time: BTreeSet::new(), by_key: BTreeMap::new() }
    }
}

impl<K: Ord + Clone> Deadlines<K> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets (or moves) `key`'s deadline to `at`.
    pub fn set(&mut self, key: K, at: Millis) {
        if let Some(old) = self.by_key.insert(key.clone(), at) {
            self.by_time.remove(&(old, key.clone()));
        }
        self.by_time.insert((at, key));
    }

    /// Removes `key`'s deadline, returning it if there was one.
    pub fn cancel(&mut self, key: &K) -> Option<Millis> {
        let at = self.by_key.remove(key)?;
        self.by_time.remove(&(at, key.clone()));
        Some(at)
    }

    pub fn get(&self, key: &K) -> Option<Millis> {
        self.by_key.get(key).copied()
    }

    /// The earliest deadline, if any.
    pub fn next(&self) -> Option<Millis> {
        self.by_time.first().map(|(at, _)| *at)
    }

    /// Pops the earliest entry whose deadline is `<= now`.
    pub fn pop_due(&mut self, now: Millis) -> Option<(Millis, K)> {
        let (at, _) = self.by_time.first()?;
        if *at > now {
            return None;
        }
        let (at, key) = self.by_time.pop_first()?;
        self.by_key.remove(&key);
        Some((at, key))
    }

    /// Entries in deadline order.
    pub fn iter(&self) -> impl Iterator<Item = (Millis, &K)> + '_ {
        self.by_time.iter().map(|(at, k)| (*at, k))
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

impl<K: Ord + Clone> From<Vec<(K, Millis)>> for Deadlines<K> {
    fn from(pairs: Vec<(K, Millis)>) -> Self {
        let mut d = Deadlines::new();
        for (k, at) in pairs {
            d.set(k, at);
        }
        d
    }
}

impl<K: Ord + Clone> From<Deadlines<K>> for Vec<(K, Millis)> {
    fn from(d: Deadlines<K>) -> Self {
        d.by_key.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_deadline_then_key_order_and_moves_replace() {
        let mut d = Deadlines::new();
        d.set("b", 10);
        d.set("a", 10);
        d.set("c", 5);
        d.set("c", 20);
        assert_eq!(d.next(), Some(10));
        assert_eq!(d.pop_due(9), None);
        assert_eq!(d.pop_due(10), Some((10, "a")));
        assert_eq!(d.pop_due(10), Some((10, "b")));
        assert_eq!(d.pop_due(19), None);
        assert_eq!(d.cancel(&"c"), Some(20));
        assert!(d.is_empty());
    }

    #[test]
    fn round_trips_through_json_as_pairs() {
        let mut d = Deadlines::new();
        d.set((1u8, 2u8), 7);
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, "[[[1,2],7]]");
        let back: Deadlines<(u8, u8)> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
    }
}

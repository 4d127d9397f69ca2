//! The per-peer map every component (and the page's recorder) keeps its records in: ordered
//! by key like a `BTreeMap`, but its B-tree holds only slot numbers and the records live in a
//! dense `Vec`.
//!
//! Why not `BTreeMap<P, Record>` in each component: a B-tree's insert, remove and rebalance
//! code is compiled once per key *and value* type, so ten components meant ten copies of it,
//! the largest single part of the engine's wasm. Here the tree is always `BTreeMap<K, u64>`
//! (the same type `Deadlines` indexes by), compiled once per key type; what is left per value
//! type is a `Vec` push and `swap_remove`.
//!
//! Iteration is in key order, as with a `BTreeMap`, so every output built from it keeps its
//! order. Serialized as a list of `[key, value]` pairs in key order (peer keys need not be
//! JSON object keys), the shape the components' `BTreeMap`s had, so snapshots read the same
//! bytes.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Index;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub struct PeerMap<K, V> {
    /// Key -> position in `slots`.
    index: BTreeMap<K, u64>,
    /// Each record with its key, so a `swap_remove` can re-point the moved record's index.
    slots: Vec<(K, V)>,
}

impl<K: Ord + Clone, V> PeerMap<K, V> {
    pub fn new() -> Self {
        PeerMap { index: BTreeMap::new(), slots: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.index.contains_key(key)
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let &at = self.index.get(key)?;
        Some(&self.slots[at as usize].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let &at = self.index.get(key)?;
        Some(&mut self.slots[at as usize].1)
    }

    /// Inserts or replaces `key`'s record, returning the old one.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.index.get(&key) {
            Some(&at) => Some(std::mem::replace(&mut self.slots[at as usize].1, value)),
            None => {
                self.index.insert(key.clone(), self.slots.len() as u64);
                self.slots.push((key, value));
                None
            }
        }
    }

    /// `key`'s record, made by `make` if there was none.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let at = match self.index.get(&key) {
            Some(&at) => at as usize,
            None => {
                let at = self.slots.len();
                self.index.insert(key.clone(), at as u64);
                self.slots.push((key, make()));
                at
            }
        };
        &mut self.slots[at].1
    }

    /// `key`'s record, a default one if there was none.
    pub fn get_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        self.get_or_insert_with(key, V::default)
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let at = self.index.remove(key)? as usize;
        let (_, value) = self.slots.swap_remove(at);
        if let Some((moved, _)) = self.slots.get(at) {
            if let Some(slot) = self.index.get_mut::<K>(moved) {
                *slot = at as u64;
            }
        }
        Some(value)
    }

    /// Records in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> + '_ {
        self.index.iter().map(|(k, &at)| (k, &self.slots[at as usize].1))
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> + '_ {
        self.index.keys()
    }

    /// Records in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        self.iter().map(|(_, v)| v)
    }

    /// Calls `f` on every record, in key order, with leave to change it.
    pub fn for_each_mut(&mut self, mut f: impl FnMut(&K, &mut V)) {
        for (k, &at) in &self.index {
            f(k, &mut self.slots[at as usize].1);
        }
    }
}

/// `map[&key]`, panicking when the key is absent, as a `BTreeMap` does.
impl<K: Ord + Clone + Borrow<Q>, Q: Ord + ?Sized, V> Index<&Q> for PeerMap<K, V> {
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no record for the key")
    }
}

impl<K: Ord + Clone, V> Default for PeerMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Clone, V: Clone> Clone for PeerMap<K, V> {
    fn clone(&self) -> Self {
        PeerMap { index: self.index.clone(), slots: self.slots.clone() }
    }
}

/// Equal when they hold the same records, whatever order they were inserted in.
impl<K: Ord + Clone, V: PartialEq> PartialEq for PeerMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<K: Ord + Clone, V: Eq> Eq for PeerMap<K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for PeerMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let records = self.index.iter().map(|(k, &at)| (k, &self.slots[at as usize].1));
        f.debug_map().entries(records).finish()
    }
}

impl<K: Ord + Clone, V> FromIterator<(K, V)> for PeerMap<K, V> {
    /// A key given twice keeps its last value, as collecting into a `BTreeMap` does.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut map = PeerMap::new();
        for (k, v) in pairs {
            map.insert(k, v);
        }
        map
    }
}

impl<K: Ord + Clone + Serialize, V: Serialize> Serialize for PeerMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de, K: Ord + Clone + Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de>
    for PeerMap<K, V>
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterates_in_key_order_after_removals_move_records() {
        let mut m = PeerMap::new();
        for (k, v) in [("d", 4), ("a", 1), ("c", 3), ("b", 2), ("e", 5)] {
            assert_eq!(m.insert(k, v), None);
        }
        // "d" sits in slot 0: removing it moves "e" (the last slot) into its place.
        assert_eq!(m.remove(&"d"), Some(4));
        assert_eq!(m.remove(&"d"), None);
        assert_eq!(m.get(&"e"), Some(&5));
        *m.get_or_insert_with("a", || 0) += 10;
        *m.get_or_insert_with("f", || 6) += 0;
        *m.get_or_default("g") += 7;
        assert_eq!(m.remove(&"g"), Some(7));
        assert_eq!(m.insert("c", 30), Some(3));
        assert_eq!(
            m.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(),
            [("a", 11), ("b", 2), ("c", 30), ("e", 5), ("f", 6)]
        );
        m.for_each_mut(|_, v| *v += 1);
        assert_eq!(m.values().copied().collect::<Vec<_>>(), [12, 3, 31, 6, 7]);
        assert_eq!((m.len(), m.contains_key(&"b"), m.contains_key(&"d")), (5, true, false));
        // Emptied slot by slot from the front, every move re-pointed.
        for k in ["a", "b", "c", "e", "f"] {
            assert!(m.remove(&k).is_some());
            assert!(m.iter().all(|(k, v)| m.get(k) == Some(v)));
        }
        assert!(m.is_empty());
    }

    #[test]
    fn serializes_as_key_ordered_pairs_like_a_btreemap_and_equality_ignores_insert_order() {
        let m: PeerMap<u32, &str> = [(3, "c"), (1, "a"), (2, "b")].into_iter().collect();
        let tree: BTreeMap<u32, &str> = [(3, "c"), (1, "a"), (2, "b")].into_iter().collect();
        let ours = serde_json::to_string(&m).unwrap();
        let pairs = serde_json::to_string(&tree.iter().collect::<Vec<_>>()).unwrap();
        assert_eq!(ours, pairs);
        assert_eq!(ours, r#"[[1,"a"],[2,"b"],[3,"c"]]"#);
        let back: PeerMap<u32, String> =
            serde_json::from_str(r#"[[2,"x"],[1,"a"],[2,"b"]]"#).unwrap();
        assert_eq!(
            back.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>(),
            [(1, "a"), (2, "b")]
        );
        let reordered: PeerMap<u32, &str> = [(1, "a"), (2, "b"), (3, "c")].into_iter().collect();
        assert_eq!(m, reordered);
        // String keys are looked up by `&str`, as with a `BTreeMap`.
        let mut named: PeerMap<String, u32> = [("a".to_string(), 1)].into_iter().collect();
        assert_eq!((named.get("a"), named["a"], named.contains_key("b")), (Some(&1), 1, false));
        assert_eq!(named.remove("a"), Some(1));
    }
}

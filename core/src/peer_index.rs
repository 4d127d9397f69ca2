//! The map from a caller's peer key to its slot in the peer book, storing no key: buckets
//! hold a slot number and 32 bits of the key's hash, and a candidate is confirmed by
//! comparing with the key already stored in the slot's record. A libp2p `PeerId` is 80
//! bytes; keeping one copy instead of two is most of the per-peer memory budget.
//!
//! Open addressing with linear probing, at most 80% full, and backward-shift deletion (no
//! tombstones, so lookups never slow down with churn).

use std::hash::{BuildHasher, Hash};

use crate::hash::SeededState;

const EMPTY: u32 = u32::MAX;

#[derive(Clone)]
pub(crate) struct PeerIndex {
    /// (slot, low 32 bits of the hash); the low bits also pick the home bucket.
    buckets: Vec<(u32, u32)>,
    len: usize,
    hasher: SeededState,
}

impl PeerIndex {
    pub(crate) fn new(hasher: SeededState) -> Self {
        PeerIndex { buckets: Vec::new(), len: 0, hasher }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(crate) fn hash<P: Hash>(&self, key: &P) -> u32 {
        self.hasher.hash_one(key) as u32
    }

    #[inline]
    fn mask(&self) -> usize {
        self.buckets.len() - 1
    }

    /// The slot whose key matches, as judged by `is_key(slot)`.
    #[inline]
    pub(crate) fn find(&self, hash: u32, is_key: impl Fn(u32) -> bool) -> Option<u32> {
        if self.buckets.is_empty() {
            return None;
        }
        let mask = self.mask();
        let mut i = hash as usize & mask;
        loop {
            let (slot, h) = self.buckets[i];
            if slot == EMPTY {
                return None;
            }
            if h == hash && is_key(slot) {
                return Some(slot);
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds a key known to be absent.
    pub(crate) fn insert(&mut self, hash: u32, slot: u32) {
        if (self.len + 1) * 5 > self.buckets.len() * 4 {
            self.grow();
        }
        self.place(hash, slot);
        self.len += 1;
    }

    fn place(&mut self, hash: u32, slot: u32) {
        let mask = self.mask();
        let mut i = hash as usize & mask;
        while self.buckets[i].0 != EMPTY {
            i = (i + 1) & mask;
        }
        self.buckets[i] = (slot, hash);
    }

    fn grow(&mut self) {
        let cap = (self.buckets.len() * 2).max(8);
        let old = std::mem::replace(&mut self.buckets, vec![(EMPTY, 0); cap]);
        for (slot, hash) in old {
            if slot != EMPTY {
                self.place(hash, slot);
            }
        }
    }

    /// Removes the bucket holding `slot` (whose key hashed to `hash`).
    pub(crate) fn remove(&mut self, hash: u32, slot: u32) {
        let mask = self.mask();
        let mut hole = hash as usize & mask;
        while self.buckets[hole].0 != slot {
            debug_assert!(self.buckets[hole].0 != EMPTY, "removing an absent slot");
            hole = (hole + 1) & mask;
        }
        // Pull back every later entry of the run that may live at the hole: one whose home
        // is not cyclically inside (hole, j].
        let mut j = (hole + 1) & mask;
        loop {
            let (s, h) = self.buckets[j];
            if s == EMPTY {
                break;
            }
            let home = h as usize & mask;
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.buckets[hole] = (s, h);
                hole = j;
            }
            j = (j + 1) & mask;
        }
        self.buckets[hole] = (EMPTY, 0);
        self.len -= 1;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn the_index_agrees_with_a_hash_map_through_random_churn() {
        // Keys live in a side table, as they live in peer records.
        let mut keys: Vec<Option<u64>> = Vec::new();
        let mut idx = PeerIndex::new(SeededState::new(9));
        let mut model: HashMap<u64, u32> = HashMap::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for step in 0..60_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // A small key space forces collisions, long runs and wrap-around.
            let key = x % 3_000;
            let h = idx.hash(&key);
            let found = idx.find(h, |s| keys[s as usize] == Some(key));
            assert_eq!(found, model.get(&key).copied(), "step {step}");
            match found {
                Some(slot) if x.is_multiple_of(3) => {
                    idx.remove(h, slot);
                    keys[slot as usize] = None;
                    model.remove(&key);
                }
                None => {
                    let slot = keys.len() as u32;
                    keys.push(Some(key));
                    idx.insert(h, slot);
                    model.insert(key, slot);
                }
                _ => {}
            }
            assert_eq!(idx.len(), model.len());
        }
        for (key, slot) in &model {
            let h = idx.hash(key);
            assert_eq!(idx.find(h, |s| keys[s as usize] == Some(*key)), Some(*slot));
        }
    }
}

//! An ordered map over one sorted `VecDeque`, for indexes that grow at one end and shrink
//! from the other: the header tree's per-height maps and the decay schedule's buckets.
//!
//! There a deque is as quick as a B-tree: inserts land near the back, removals at the front.
//! Its code is a few binary searches and element moves, where each `BTreeMap` instantiation
//! brings its own node splitting and rebalancing: about 10 KB of wasm per key/value pair
//! (docs/performance.md).

use std::collections::VecDeque;

#[derive(Debug, Clone)]
pub(crate) struct SortedMap<K, V> {
    entries: VecDeque<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap { entries: VecDeque::new() }
    }
}

impl<K: Ord + Copy, V> SortedMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Where `key` is, or where it would go.
    fn find(&self, key: K) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(&key))
    }

    /// The index of the first entry whose key is `>= key`.
    fn lower_bound(&self, key: K) -> usize {
        self.entries.partition_point(|(k, _)| *k < key)
    }

    pub fn get(&self, key: K) -> Option<&V> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: K) -> Option<&mut V> {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn insert(&mut self, key: K, value: V) {
        match self.find(key) {
            Ok(i) => self.entries[i].1 = value,
            Err(i) => self.entries.insert(i, (key, value)),
        }
    }

    pub fn remove(&mut self, key: K) -> Option<V> {
        let i = self.find(key).ok()?;
        self.entries.remove(i).map(|(_, v)| v)
    }

    /// The value at `key`, inserted as `V::default()` if absent.
    pub fn or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        let i = match self.find(key) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, V::default()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &(K, V)> {
        self.entries.iter()
    }

    /// Entries whose key is `>= key`, in key order.
    pub fn from(&self, key: K) -> impl DoubleEndedIterator<Item = &(K, V)> {
        self.entries.range(self.lower_bound(key)..)
    }

    /// Takes out every entry whose key is `< key`, in key order.
    pub fn take_below(&mut self, key: K) -> Vec<(K, V)> {
        let end = self.lower_bound(key);
        self.entries.drain(..end).collect()
    }

    /// Drops every entry whose key is `>= key`.
    pub fn drop_from(&mut self, key: K) {
        let start = self.lower_bound(key);
        self.entries.truncate(start);
    }

    /// Drops the lowest entries until at most `len` are left.
    pub fn keep_highest(&mut self, len: usize) {
        let excess = self.entries.len().saturating_sub(len);
        self.entries.drain(..excess);
    }

    /// Takes out the entry with the lowest key.
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        self.entries.pop_front()
    }

    pub fn first_key(&self) -> Option<K> {
        self.entries.front().map(|(k, _)| *k)
    }

    pub fn last_key(&self) -> Option<K> {
        self.entries.back().map(|(k, _)| *k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(m: &SortedMap<u64, char>) -> Vec<u64> {
        m.iter().map(|(k, _)| *k).collect()
    }

    fn from(m: &SortedMap<u64, char>, key: u64) -> Vec<(u64, char)> {
        m.from(key).copied().collect()
    }

    #[test]
    fn keeps_keys_sorted_and_replaces_on_insert() {
        let mut m = SortedMap::new();
        for (k, v) in [(5, 'e'), (1, 'a'), (3, 'c'), (9, 'i'), (3, 'C')] {
            m.insert(k, v);
        }
        assert_eq!(keys(&m), [1, 3, 5, 9]);
        assert_eq!(m.get(3), Some(&'C'));
        assert_eq!(m.get(4), None);
        assert_eq!(m.remove(5), Some('e'));
        assert_eq!(m.remove(5), None);
        assert_eq!((m.first_key(), m.last_key()), (Some(1), Some(9)));
        *m.get_mut(9).unwrap() = 'I';
        assert_eq!(m.iter().copied().collect::<Vec<_>>(), [(1, 'a'), (3, 'C'), (9, 'I')]);
        assert_eq!(m.pop_first(), Some((1, 'a')));
        assert_eq!(keys(&m), [3, 9]);
    }

    #[test]
    fn ranges_cut_at_the_first_key_not_below() {
        let mut m = SortedMap::new();
        for k in [2, 4, 6, 8] {
            m.insert(k, char::from(b'a' + k as u8));
        }
        assert_eq!(from(&m, 4), [(4, 'e'), (6, 'g'), (8, 'i')]);
        assert_eq!(from(&m, 5), [(6, 'g'), (8, 'i')]);
        assert_eq!(m.from(5).next_back(), Some(&(8, 'i')));
        assert!(from(&m, 9).is_empty());
        assert_eq!(m.take_below(5), [(2, 'c'), (4, 'e')]);
        assert_eq!(keys(&m), [6, 8]);
        m.drop_from(8);
        assert_eq!(keys(&m), [6]);
        for k in [10, 12] {
            m.insert(k, 'x');
        }
        m.keep_highest(2);
        assert_eq!(keys(&m), [10, 12]);
        m.keep_highest(5);
        assert_eq!(keys(&m), [10, 12]);
    }

    #[test]
    fn or_default_inserts_once() {
        let mut m: SortedMap<u64, Vec<u8>> = SortedMap::new();
        m.or_default(7).push(1);
        m.or_default(3).push(2);
        m.or_default(7).push(3);
        assert_eq!(m.iter().cloned().collect::<Vec<_>>(), [(3, vec![2]), (7, vec![1, 3])]);
    }
}

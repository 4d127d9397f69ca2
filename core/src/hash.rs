//! The hasher behind every internal map. std's `RandomState` would read OS randomness, which
//! core never does; instead SipHash-1-3 (std's `DefaultHasher`) is keyed by absorbing the
//! caller's `Config::hash_seed` before the key, so peer ids cannot be ground into collisions
//! without knowing the seed.

use std::collections::HashMap;
use std::hash::{BuildHasher, DefaultHasher, Hasher};

/// Holds the hasher state after the seed was absorbed, so each hash starts from a copy
/// instead of hashing the seed again.
#[derive(Debug, Clone)]
pub(crate) struct SeededState(DefaultHasher);

impl SeededState {
    pub(crate) fn new(seed: u64) -> Self {
        let mut h = DefaultHasher::new();
        h.write_u64(seed);
        SeededState(h)
    }
}

impl BuildHasher for SeededState {
    type Hasher = DefaultHasher;

    #[inline]
    fn build_hasher(&self) -> DefaultHasher {
        self.0.clone()
    }
}

pub(crate) type SeededMap<K, V> = HashMap<K, V, SeededState>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_changes_every_hash_and_the_same_seed_repeats_them() {
        let (a, b) = (SeededState::new(1), SeededState::new(2));
        assert_eq!(a.hash_one("peer"), SeededState::new(1).hash_one("peer"));
        assert_ne!(a.hash_one("peer"), b.hash_one("peer"));
    }
}

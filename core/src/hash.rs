//! The hasher behind every internal map. std's `RandomState` would read OS randomness, which
//! core never does; instead SipHash-1-3 (std's `DefaultHasher`) is keyed by absorbing the
//! caller's `Config::hash_seed` before the key, so peer ids cannot be ground into collisions
//! without knowing the seed.

use std::collections::HashMap;
use std::hash::{BuildHasher, DefaultHasher, Hasher};

#[derive(Debug, Clone, Copy)]
pub(crate) struct SeededState(u64);

impl SeededState {
    pub(crate) fn new(seed: u64) -> Self {
        SeededState(seed)
    }
}

impl BuildHasher for SeededState {
    type Hasher = DefaultHasher;

    fn build_hasher(&self) -> DefaultHasher {
        let mut h = DefaultHasher::new();
        h.write_u64(self.0);
        h
    }
}

pub(crate) type SeededMap<K, V> = HashMap<K, V, SeededState>;

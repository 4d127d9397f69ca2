//! The bound every standalone component puts on the caller's peer identifier.

use std::fmt::Debug;
use std::hash::Hash;

/// Anything the caller uses to name a peer: a libp2p `PeerId`, an address string, a test `u32`.
///
/// `Ord` is required because every observable order (due dials, expiries, reports) comes from
/// `BTreeMap`s, so outputs never depend on hash iteration order and replays are identical.
pub trait PeerKey: Clone + Eq + Hash + Ord + Debug {}

impl<T: Clone + Eq + Hash + Ord + Debug> PeerKey for T {}

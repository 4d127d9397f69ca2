//! Who we know: a dense slab of peer records behind an index from the caller's peer key, the
//! connections of each peer, and the bounded memory of peers that are not connected.

use std::collections::VecDeque;
use std::hash::Hash;

use crate::behaviour_score::PeerExtras;
use crate::hash::SeededState;
use crate::peer_index::PeerIndex;
use crate::tags::{TagId, TagSlot};

/// Grows by a quarter rather than doubling: the big per-peer arrays then waste at most 25%,
/// and growth stays geometric (amortised O(1) pushes).
#[inline]
pub(crate) fn push_grow<T>(v: &mut Vec<T>, item: T) {
    if v.len() == v.capacity() {
        v.reserve_exact(v.capacity() / 4 + 4);
    }
    v.push(item);
}
use crate::types::{ConnId, Direction, Millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConnEntry {
    pub(crate) id: ConnId,
    pub(crate) dir: Direction,
}

/// One peer. Boxed slices rather than `Vec`s: lists change rarely and are short, and the
/// saved capacity word per list is what keeps a record at 64 bytes (for an 8-byte key).
#[derive(Debug, Clone)]
pub(crate) struct PeerRecord<P> {
    pub(crate) peer: P,
    pub(crate) conns: Box<[ConnEntry]>,
    /// Tags and protection reasons; private so every change goes through a method that
    /// keeps `tag_sum` and `protected` in step.
    tags: Box<[TagSlot]>,
    /// Sum of the tag values (saturating), cached so that scoring a peer, which a trim does
    /// for every peer, never leaves this record.
    tag_sum: i64,
    /// While connected: when the first of the current connections opened (grace and the age
    /// tie-break). Otherwise: when the peer entered retention.
    pub(crate) since: Millis,
    /// Order of connection. Time never goes backwards, so this is also the order of `since`
    /// among connected peers: the age tie-break compares this one integer.
    pub(crate) seq: u64,
    retain_gen: u32,
    protected: bool,
    /// Whether any connection is outbound, cached for the same reason as `tag_sum`.
    outbound: bool,
    /// Not aligned with our fork (issue 6): set by the facade while a fork view is followed
    /// and the peer has not (or no longer) shown it shares our chain. Trim closes these first.
    pub(crate) misaligned: bool,
    /// Behaviour and application scores, last action, agent and address; `None` until one
    /// of them is set.
    pub(crate) extras: Option<Box<PeerExtras>>,
}

impl<P> PeerRecord<P> {
    #[inline]
    pub(crate) fn tags(&self) -> &[TagSlot] {
        &self.tags
    }

    #[inline]
    pub(crate) fn tag_sum(&self) -> i64 {
        self.tag_sum
    }

    #[inline]
    pub(crate) fn is_protected(&self) -> bool {
        self.protected
    }

    /// Runs `f` on the tag list, then brings the cached sum and flag up to date. Lists hold
    /// a handful of entries, so recomputing is cheaper than reasoning about deltas.
    #[inline]
    pub(crate) fn edit_tags<R>(&mut self, f: impl FnOnce(&mut Box<[TagSlot]>) -> R) -> R {
        let out = f(&mut self.tags);
        self.tag_sum = self.tags.iter().fold(0i64, |acc, t| acc.saturating_add(t.value));
        self.protected = self.tags.iter().any(|t| t.is_protection());
        out
    }

    #[inline]
    pub(crate) fn is_connected(&self) -> bool {
        !self.conns.is_empty()
    }

    #[inline]
    pub(crate) fn has_outbound(&self) -> bool {
        self.outbound
    }

    #[inline]
    pub(crate) fn tag_pos(&self, name: TagId) -> Option<usize> {
        self.tags.iter().position(|t| t.name == name && t.is_tag())
    }

    pub(crate) fn tag(&self, name: TagId) -> Option<&TagSlot> {
        self.tag_pos(name).map(|i| &self.tags[i])
    }
}

pub(crate) fn push_boxed<T>(b: &mut Box<[T]>, item: T) {
    let mut v = std::mem::take(b).into_vec();
    v.reserve_exact(1);
    v.push(item);
    *b = v.into_boxed_slice();
}

pub(crate) fn remove_boxed<T>(b: &mut Box<[T]>, i: usize) -> T {
    let mut v = std::mem::take(b).into_vec();
    let item = v.remove(i);
    *b = v.into_boxed_slice();
    item
}

#[derive(Clone)]
pub(crate) struct PeerBook<P> {
    slots: Vec<Option<PeerRecord<P>>>,
    free: Vec<u32>,
    index: PeerIndex,
    /// Peers waiting to be forgotten, oldest first: (slot, retention generation, since).
    retained: VecDeque<(u32, u32, Millis)>,
    retained_count: usize,
    retain_counter: u32,
    next_seq: u64,
    counted: usize,
    /// One bit per slot: the manager asked the host to close this connected peer (a trim, a
    /// ban, a block) and the disconnect is pending, so it no longer counts toward the
    /// watermarks and cannot be chosen again. Apart from the records so that a trim marking
    /// 50 000 victims writes into 12 KB instead of touching 50 000 records the size of the
    /// cache.
    closing: Vec<u64>,
}

const NOT_RETAINED: u32 = u32::MAX;

impl<P: Clone + Eq + Hash> PeerBook<P> {
    pub(crate) fn new(hasher: SeededState) -> Self {
        PeerBook {
            slots: Vec::new(),
            free: Vec::new(),
            index: PeerIndex::new(hasher),
            retained: VecDeque::new(),
            retained_count: 0,
            retain_counter: 0,
            next_seq: 0,
            counted: 0,
            closing: Vec::new(),
        }
    }

    #[inline]
    pub(crate) fn lookup(&self, peer: &P) -> Option<u32> {
        let slots = &self.slots;
        self.index.find(self.index.hash(peer), |s| {
            slots[s as usize].as_ref().is_some_and(|r| r.peer == *peer)
        })
    }

    #[inline]
    pub(crate) fn get(&self, slot: u32) -> &PeerRecord<P> {
        self.slots[slot as usize].as_ref().expect("live slot")
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, slot: u32) -> &mut PeerRecord<P> {
        self.slots[slot as usize].as_mut().expect("live slot")
    }

    /// Peers counted toward the watermarks.
    pub(crate) fn counted(&self) -> usize {
        self.counted
    }

    pub(crate) fn known(&self) -> usize {
        self.index.len()
    }

    pub(crate) fn retained_count(&self) -> usize {
        self.retained_count
    }

    /// Whether a disconnect the manager commanded is pending for this peer.
    #[inline]
    pub(crate) fn is_closing(&self, slot: u32) -> bool {
        self.closing.get(slot as usize / 64).is_some_and(|w| w >> (slot % 64) & 1 == 1)
    }

    /// Counted toward the watermarks: connected, and no close pending.
    #[inline]
    pub(crate) fn counts(&self, slot: u32) -> bool {
        self.get(slot).is_connected() && !self.is_closing(slot)
    }

    fn set_closing(&mut self, slot: u32, on: bool) {
        let word = slot as usize / 64;
        if word >= self.closing.len() {
            if !on {
                return;
            }
            self.closing.resize(word + 1, 0);
        }
        let bit = 1u64 << (slot % 64);
        if on {
            self.closing[word] |= bit;
        } else {
            self.closing[word] &= !bit;
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &PeerRecord<P>)> {
        self.slots.iter().enumerate().filter_map(|(i, r)| r.as_ref().map(|r| (i as u32, r)))
    }

    /// The peer's slot, creating a disconnected record (which enters retention) if unknown.
    pub(crate) fn get_or_create(&mut self, peer: &P, now: Millis) -> u32 {
        if let Some(slot) = self.lookup(peer) {
            return slot;
        }
        let record = PeerRecord {
            peer: peer.clone(),
            conns: Box::default(),
            tags: Box::default(),
            tag_sum: 0,
            since: now,
            seq: 0,
            retain_gen: NOT_RETAINED,
            protected: false,
            outbound: false,
            misaligned: false,
            extras: None,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(record);
                slot
            }
            None => {
                push_grow(&mut self.slots, Some(record));
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 peers")
            }
        };
        self.index.insert(self.index.hash(peer), slot);
        self.enter_retention(slot, now);
        slot
    }

    fn enter_retention(&mut self, slot: u32, now: Millis) {
        let gen = self.retain_counter;
        self.retain_counter = self.retain_counter.wrapping_add(1) % NOT_RETAINED;
        let r = self.get_mut(slot);
        r.retain_gen = gen;
        r.since = now;
        self.retained.push_back((slot, gen, now));
        self.retained_count += 1;
    }

    /// Adds a connection. Returns `None` for a connection id the peer already has, else
    /// whether this made the peer connected.
    pub(crate) fn add_conn(
        &mut self,
        slot: u32,
        conn: ConnId,
        dir: Direction,
        now: Millis,
    ) -> Option<bool> {
        let seq = self.next_seq;
        let r = self.get_mut(slot);
        if r.conns.iter().any(|c| c.id == conn) {
            return None;
        }
        let newly = !r.is_connected();
        push_boxed(&mut r.conns, ConnEntry { id: conn, dir });
        r.outbound |= dir == Direction::Outbound;
        if newly {
            r.since = now;
            r.seq = seq;
            r.retain_gen = NOT_RETAINED;
            self.next_seq += 1;
            self.retained_count -= 1;
            self.counted += 1;
        }
        Some(newly)
    }

    /// Removes a connection; returns how many remain, or `None` if the peer had no such
    /// connection. The last one closing moves the peer into retention.
    pub(crate) fn remove_conn(&mut self, slot: u32, conn: ConnId, now: Millis) -> Option<usize> {
        let r = self.get_mut(slot);
        let i = r.conns.iter().position(|c| c.id == conn)?;
        remove_boxed(&mut r.conns, i);
        r.outbound = r.conns.iter().any(|c| c.dir == Direction::Outbound);
        let left = r.conns.len();
        if left == 0 {
            let was_counted = !self.is_closing(slot);
            self.set_closing(slot, false);
            if was_counted {
                self.counted -= 1;
            }
            self.enter_retention(slot, now);
        }
        Some(left)
    }

    /// Marks a counted peer closing. Touches only the closing bits, not the record.
    pub(crate) fn mark_closing(&mut self, slot: u32) {
        debug_assert!(self.counts(slot));
        self.counted -= 1;
        self.set_closing(slot, true);
    }

    /// The next retained peer to forget at `now`, if its time is up or too many are kept.
    pub(crate) fn pop_forgettable(
        &mut self,
        now: Millis,
        retention: Millis,
        max: usize,
    ) -> Option<u32> {
        while let Some(&(slot, gen, since)) = self.retained.front() {
            let live = self.slots[slot as usize].as_ref().is_some_and(|r| r.retain_gen == gen);
            if !live {
                self.retained.pop_front();
                continue;
            }
            if self.retained_count > max || now.saturating_sub(since) >= retention {
                self.retained.pop_front();
                return Some(slot);
            }
            return None;
        }
        None
    }

    /// When the oldest retained peer expires (possibly a stale entry: a harmless early wake).
    pub(crate) fn next_expiry(&self, retention: Millis) -> Option<Millis> {
        self.retained.front().map(|&(_, _, since)| since.saturating_add(retention))
    }

    /// Drops a retained record entirely.
    pub(crate) fn forget(&mut self, slot: u32) -> PeerRecord<P> {
        let r = self.slots[slot as usize].take().expect("live slot");
        debug_assert!(!r.is_connected());
        self.index.remove(self.index.hash(&r.peer), slot);
        self.free.push(slot);
        self.retained_count -= 1;
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> PeerBook<&'static str> {
        PeerBook::new(SeededState::new(7))
    }

    #[test]
    fn a_record_is_counted_only_while_connected_and_not_closing() {
        let mut b = book();
        let s = b.get_or_create(&"a", 0);
        assert_eq!((b.counted(), b.retained_count()), (0, 1));
        assert_eq!(b.add_conn(s, ConnId(1), Direction::Inbound, 5), Some(true));
        assert_eq!(b.add_conn(s, ConnId(1), Direction::Inbound, 6), None);
        assert_eq!(b.add_conn(s, ConnId(2), Direction::Outbound, 7), Some(false));
        assert_eq!((b.counted(), b.retained_count()), (1, 0));
        assert_eq!(b.get(s).since, 5);
        assert!(b.get(s).has_outbound());
        b.mark_closing(s);
        assert!(b.is_closing(s) && !b.counts(s));
        assert_eq!(b.counted(), 0);
        assert_eq!(b.remove_conn(s, ConnId(2), 9), Some(1));
        assert_eq!(b.remove_conn(s, ConnId(9), 9), None);
        assert_eq!(b.remove_conn(s, ConnId(1), 10), Some(0));
        assert_eq!((b.counted(), b.retained_count()), (0, 1));
        assert!(!b.is_closing(s));
    }

    #[test]
    fn retained_peers_are_forgotten_oldest_first_by_age_and_by_count() {
        let mut b = book();
        let a = b.get_or_create(&"a", 0);
        let c = b.get_or_create(&"c", 10);
        // "a" reconnects, so its first retention entry goes stale.
        b.add_conn(a, ConnId(1), Direction::Inbound, 20);
        b.remove_conn(a, ConnId(1), 30);
        assert_eq!(b.next_expiry(100), Some(100));
        assert_eq!(b.pop_forgettable(109, 100, 10), None);
        assert_eq!(b.pop_forgettable(110, 100, 10), Some(c));
        b.forget(c);
        assert_eq!(b.lookup(&"c"), None);
        assert_eq!(b.pop_forgettable(110, 100, 10), None);
        let d = b.get_or_create(&"d", 40);
        assert_eq!(d, c, "the freed slot is reused");
        assert_eq!(b.pop_forgettable(40, 100, 1), Some(a), "over the count: oldest goes");
        b.forget(a);
        assert_eq!(b.pop_forgettable(40, 100, 1), None);
        assert_eq!(b.known(), 1);
    }
}

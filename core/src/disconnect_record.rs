//! The last disconnect of each peer (seed 000's `lastDisconnectByPeerId`): the goodbye we
//! sent, the goodbye we received, or a bare close. A bounded FIFO, so a churn of short-lived
//! peers cannot grow it. Keyed by peer-book slot (the manager clears a slot's entry when it
//! forgets the peer), so a write costs a multiply-hash of a `u32`, not a SipHash of the key:
//! a trim records every peer it closes.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use serde::Serialize;

use crate::reasons::DisconnectReason;
use crate::types::Millis;

/// One recorded disconnect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DisconnectRecord {
    pub reason: DisconnectReason,
    /// The goodbye code on the wire: the one received (even when it maps to `unknown`) or
    /// the one our reason sends; none for a bare close.
    pub code: Option<u64>,
    /// Whether we sent the goodbye (false for received goodbyes and bare closes).
    pub sent: bool,
    pub at: Millis,
}

/// Fibonacci hashing of a slot number. Slots are dense integers the engine hands out, not
/// attacker-chosen keys, so no keyed hash is needed.
#[derive(Default)]
pub(crate) struct SlotHasher(u64);

impl Hasher for SlotHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u32(u32::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

type SlotMap<V> = HashMap<u32, V, BuildHasherDefault<SlotHasher>>;

#[derive(Clone)]
pub(crate) struct DisconnectLog {
    /// Each slot's record and the sequence number of the write that made it.
    live: SlotMap<(DisconnectRecord, u64)>,
    /// Writes, oldest first; an entry whose sequence no longer matches `live` is stale.
    order: VecDeque<(u32, u64)>,
    next_seq: u64,
    cap: usize,
}

impl DisconnectLog {
    pub(crate) fn new(cap: usize) -> Self {
        DisconnectLog { live: SlotMap::default(), order: VecDeque::new(), next_seq: 0, cap }
    }

    pub(crate) fn get(&self, slot: u32) -> Option<&DisconnectRecord> {
        self.live.get(&slot).map(|(r, _)| r)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.live.len()
    }

    /// Records (or replaces) the slot's last disconnect, making it the newest entry; the
    /// oldest entries go once more than `cap` slots have one.
    pub(crate) fn record(&mut self, slot: u32, record: DisconnectRecord) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.live.insert(slot, (record, seq));
        self.order.push_back((slot, seq));
        while self.live.len() > self.cap {
            let (old, old_seq) = self.order.pop_front().expect("every live entry is queued");
            if self.live.get(&old).is_some_and(|&(_, s)| s == old_seq) {
                self.live.remove(&old);
            }
        }
        // Replacements and clears leave stale queue entries; drop them before they
        // outnumber the live ones.
        if self.order.len() > 2 * self.cap + 16 {
            let live = &self.live;
            self.order.retain(|(p, s)| live.get(p).is_some_and(|&(_, ls)| ls == *s));
        }
    }

    /// Records the same disconnect for many slots in order. Only the last `cap` can
    /// survive, so only they are written: the result is the same, the cost bounded.
    pub(crate) fn record_all(&mut self, slots: &[u32], record: DisconnectRecord) {
        let skip = slots.len().saturating_sub(self.cap);
        let n = slots.len() - skip;
        self.live.reserve(n);
        self.order.reserve(n);
        for &slot in &slots[skip..] {
            self.record(slot, record);
        }
    }

    /// Records a bare close only if this session has no record yet (a goodbye, either way,
    /// says more than the close that follows it).
    pub(crate) fn record_if_absent(&mut self, slot: u32, record: DisconnectRecord) {
        if !self.live.contains_key(&slot) {
            self.record(slot, record);
        }
    }

    /// The peer reconnected (its last disconnect belongs to a previous session) or was
    /// forgotten (its slot will be reused).
    pub(crate) fn clear(&mut self, slot: u32) {
        self.live.remove(&slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(at: Millis) -> DisconnectRecord {
        DisconnectRecord { reason: DisconnectReason::IoError, code: Some(3), sent: true, at }
    }

    #[test]
    fn the_oldest_write_is_evicted_and_a_rewrite_counts_as_new() {
        let mut log = DisconnectLog::new(2);
        log.record(1, rec(1));
        log.record(2, rec(2));
        log.record(1, rec(3));
        log.record(3, rec(4));
        assert_eq!(log.get(2), None);
        assert_eq!(log.get(1), Some(&rec(3)));
        assert_eq!(log.get(3), Some(&rec(4)));
        assert_eq!(log.len(), 2);
    }

    #[test]
    fn recording_a_batch_keeps_exactly_what_recording_each_would() {
        let (mut each, mut batch) = (DisconnectLog::new(3), DisconnectLog::new(3));
        for log in [&mut each, &mut batch] {
            log.record(9, rec(0));
            log.record(1, rec(0));
        }
        let slots = [1, 2, 3, 4, 5];
        for &s in &slots {
            each.record(s, rec(7));
        }
        batch.record_all(&slots, rec(7));
        for s in 0..10 {
            assert_eq!(each.get(s), batch.get(s), "slot {s}");
        }
        assert_eq!(batch.len(), 3);
        let mut small = DisconnectLog::new(3);
        small.record(9, rec(0));
        small.record_all(&[1, 2], rec(7));
        assert_eq!((small.get(9), small.len()), (Some(&rec(0)), 3));
    }

    #[test]
    fn stale_queue_entries_are_compacted() {
        let mut log = DisconnectLog::new(1);
        for i in 0..100 {
            log.record(4, rec(i));
        }
        assert!(log.order.len() <= 2 + 16 + 1);
        assert_eq!(log.get(4), Some(&rec(99)));
    }

    #[test]
    fn a_bare_close_does_not_replace_a_goodbye_and_clear_forgets() {
        let mut log = DisconnectLog::new(4);
        log.record(1, rec(1));
        let bare = DisconnectRecord {
            reason: DisconnectReason::InboundDisconnect,
            code: None,
            sent: false,
            at: 2,
        };
        log.record_if_absent(1, bare);
        assert_eq!(log.get(1), Some(&rec(1)));
        log.clear(1);
        log.record_if_absent(1, bare);
        assert_eq!(log.get(1), Some(&bare));
    }
}

//! The last disconnect of each peer (seed 000's `lastDisconnectByPeerId`): the goodbye we
//! sent, the goodbye we received, or a bare close. Bounded FIFO, so a churn of short-lived
//! peers cannot grow it; independent of the peer book, so it can say why a peer left even
//! when nothing else about the peer is remembered.

use std::collections::VecDeque;
use std::hash::Hash;

use serde::Serialize;

use crate::hash::{SeededMap, SeededState};
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

#[derive(Clone)]
pub(crate) struct DisconnectLog<P> {
    /// Each peer's record and the sequence number of the write that made it.
    live: SeededMap<P, (DisconnectRecord, u64)>,
    /// Writes, oldest first; an entry whose sequence no longer matches `live` is stale.
    order: VecDeque<(P, u64)>,
    next_seq: u64,
    cap: usize,
}

impl<P: Clone + Eq + Hash> DisconnectLog<P> {
    pub(crate) fn new(cap: usize, hasher: SeededState) -> Self {
        DisconnectLog {
            live: SeededMap::with_hasher(hasher),
            order: VecDeque::new(),
            next_seq: 0,
            cap,
        }
    }

    pub(crate) fn get(&self, peer: &P) -> Option<&DisconnectRecord> {
        self.live.get(peer).map(|(r, _)| r)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.live.len()
    }

    /// Records (or replaces) the peer's last disconnect, making it the newest entry; the
    /// oldest entries go once more than `cap` peers have one.
    pub(crate) fn record(&mut self, peer: &P, record: DisconnectRecord) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.live.insert(peer.clone(), (record, seq));
        self.order.push_back((peer.clone(), seq));
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

    /// Records a bare close only if this session has no record yet (a goodbye, either way,
    /// says more than the close that follows it).
    pub(crate) fn record_if_absent(&mut self, peer: &P, record: DisconnectRecord) {
        if !self.live.contains_key(peer) {
            self.record(peer, record);
        }
    }

    /// The peer reconnected: its last disconnect belongs to a previous session.
    pub(crate) fn clear(&mut self, peer: &P) {
        self.live.remove(peer);
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
        let mut log = DisconnectLog::new(2, SeededState::new(1));
        log.record(&"a", rec(1));
        log.record(&"b", rec(2));
        log.record(&"a", rec(3));
        log.record(&"c", rec(4));
        assert_eq!(log.get(&"b"), None);
        assert_eq!(log.get(&"a"), Some(&rec(3)));
        assert_eq!(log.get(&"c"), Some(&rec(4)));
        assert_eq!(log.len(), 2);
    }

    #[test]
    fn stale_queue_entries_are_compacted() {
        let mut log = DisconnectLog::new(1, SeededState::new(1));
        for i in 0..100 {
            log.record(&"a", rec(i));
        }
        assert!(log.order.len() <= 2 + 16 + 1);
        assert_eq!(log.get(&"a"), Some(&rec(99)));
    }

    #[test]
    fn a_bare_close_does_not_replace_a_goodbye_and_clear_forgets() {
        let mut log = DisconnectLog::new(4, SeededState::new(1));
        log.record(&"a", rec(1));
        let bare = DisconnectRecord {
            reason: DisconnectReason::InboundDisconnect,
            code: None,
            sent: false,
            at: 2,
        };
        log.record_if_absent(&"a", bare);
        assert_eq!(log.get(&"a"), Some(&rec(1)));
        log.clear(&"a");
        log.record_if_absent(&"a", bare);
        assert_eq!(log.get(&"a"), Some(&bare));
    }
}

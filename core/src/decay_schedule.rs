//! When each decaying tag is next due. Due times sit on the `decay_resolution` grid, so tags
//! share buckets and a tick visits one bucket: its cost is what is due, not what exists.

use crate::peer_book::push_grow;
use crate::sorted_map::SortedMap;
use crate::tags::TagId;
use crate::types::Millis;

/// Per decaying tag: who owns it, which policy drives it, and its timing. The value itself
/// stays in the peer's tag list so a score is one pass over one array.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DecayEntry {
    pub(crate) slot: u32,
    pub(crate) name: TagId,
    pub(crate) policy: u32,
    /// Bumped whenever the entry is freed or rescheduled from outside a tick, so references
    /// left in old buckets are recognised as stale instead of being hunted down.
    gen: u32,
    pub(crate) next_due: Millis,
    pub(crate) last_bump: Millis,
}

const FREE: u32 = u32::MAX;

/// Due time of a tag that never needs a visit (`DecayFn::None`): it occupies no bucket.
pub(crate) const NEVER: Millis = Millis::MAX;

#[derive(Default, Clone)]
pub(crate) struct DecaySchedule {
    entries: Vec<DecayEntry>,
    free: Vec<u32>,
    /// References by due time: new buckets open near the back (now + interval), ticks take
    /// from the front, the access pattern `SortedMap` is for.
    buckets: SortedMap<Millis, Vec<(u32, u32)>>,
}

/// `t` rounded up to a multiple of `step`.
pub(crate) fn align_up(t: Millis, step: Millis) -> Millis {
    t.div_ceil(step).saturating_mul(step)
}

impl DecaySchedule {
    pub(crate) fn insert(
        &mut self,
        slot: u32,
        name: TagId,
        policy: u32,
        now: Millis,
        due: Millis,
    ) -> u32 {
        let entry = DecayEntry { slot, name, policy, gen: 0, next_due: due, last_bump: now };
        let idx = match self.free.pop() {
            Some(idx) => {
                let gen = self.entries[idx as usize].gen;
                self.entries[idx as usize] = DecayEntry { gen, ..entry };
                idx
            }
            None => {
                push_grow(&mut self.entries, entry);
                (self.entries.len() - 1) as u32
            }
        };
        if due != NEVER {
            let gen = self.entries[idx as usize].gen;
            push_grow(self.buckets.or_default(due), (idx, gen));
        }
        idx
    }

    /// Frees the entry and returns it (for its policy id).
    pub(crate) fn remove(&mut self, idx: u32) -> DecayEntry {
        let e = &mut self.entries[idx as usize];
        let old = *e;
        e.gen = e.gen.wrapping_add(1);
        e.slot = FREE;
        self.free.push(idx);
        old
    }

    pub(crate) fn get(&self, idx: u32) -> &DecayEntry {
        &self.entries[idx as usize]
    }

    pub(crate) fn get_mut(&mut self, idx: u32) -> &mut DecayEntry {
        &mut self.entries[idx as usize]
    }

    /// Sets the next due time of a live entry that was just taken out of its bucket.
    pub(crate) fn reschedule(&mut self, idx: u32, due: Millis) {
        let e = &mut self.entries[idx as usize];
        e.next_due = due;
        let gen = e.gen;
        push_grow(self.buckets.or_default(due), (idx, gen));
    }

    /// Each entry's position in the order ticks will visit the live ones (due time, then
    /// bucket order), `u32::MAX` for a dead one: for a snapshot to rebuild the same order.
    pub(crate) fn visit_ranks(&self) -> Vec<u32> {
        let mut rank = vec![u32::MAX; self.entries.len()];
        for (r, idx) in (0..).zip(self.visit_order()) {
            rank[idx as usize] = r;
        }
        rank
    }

    fn visit_order(&self) -> Vec<u32> {
        let mut seen = vec![false; self.entries.len()];
        let live = |&&(idx, gen): &&(u32, u32)| {
            let e = &self.entries[idx as usize];
            e.gen == gen && e.slot != FREE
        };
        self.buckets
            .iter()
            .flat_map(|(_, refs)| refs)
            .filter(live)
            .map(|&(idx, _)| idx)
            .filter(|&i| !std::mem::replace(&mut seen[i as usize], true))
            .collect()
    }

    pub(crate) fn next_due(&self) -> Option<Millis> {
        self.buckets.first_key()
    }

    /// Takes the earliest bucket if it is due at `now`, keeping only live references.
    pub(crate) fn pop_due(&mut self, now: Millis) -> Option<(Millis, Vec<u32>)> {
        if self.buckets.first_key()? > now {
            return None;
        }
        let (due, refs) = self.buckets.pop_first()?;
        let live = refs
            .into_iter()
            .filter(|&(idx, gen)| {
                let e = &self.entries[idx as usize];
                e.slot != FREE && e.gen == gen && e.next_due == due
            })
            .map(|(idx, _)| idx)
            .collect();
        Some((due, live))
    }

    #[cfg(test)]
    pub(crate) fn live_count(&self) -> usize {
        self.entries.len() - self.free.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn align_up_rounds_to_the_grid() {
        assert_eq!(align_up(65, 50), 100);
        assert_eq!(align_up(100, 50), 100);
        assert_eq!(align_up(0, 50), 0);
    }

    #[test]
    fn a_removed_entry_is_skipped_when_its_bucket_comes_due() {
        let mut s = DecaySchedule::default();
        let a = s.insert(0, TagId(0), 0, 0, 50);
        let b = s.insert(1, TagId(0), 0, 0, 50);
        s.remove(a);
        let c = s.insert(2, TagId(0), 0, 0, 100);
        assert_eq!(c, a, "the freed index is reused");
        assert_eq!(s.next_due(), Some(50));
        assert_eq!(s.pop_due(49), None);
        assert_eq!(s.pop_due(60), Some((50, vec![b])));
        assert_eq!(s.pop_due(60), None);
        assert_eq!(s.pop_due(100), Some((100, vec![c])));
        assert_eq!(s.live_count(), 2);
    }
}

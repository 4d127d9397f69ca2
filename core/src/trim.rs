//! Trim policy: which connected peers close when the count must come down, and the report
//! saying why for each. Eligible peers are ordered by a linear-time radix sort on integer
//! keys (no comparison sort, so a trim grows linearly with the peer count), which also gives
//! every eligible peer an exact rank for the report. The report lists peers in peer-book
//! order, and victims are closed in that order: building either in rank order would read the
//! book in random order, which at 100 000 peers costs more than the whole selection.

use std::hash::Hash;

use crate::config::Config;
use crate::events::{Command, TrimEntry, TrimReport, TrimTrigger, Verdict};
use crate::peer_book::PeerBook;
use crate::reasons::DisconnectReason;
use crate::score::{peer_score, ranks_below_aligned};
use crate::types::Millis;

/// A candidate reduced to integers, so the selection compares plain `u64`s.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// The score as a `u64` in the same order: the integer itself (sign bit flipped) when
    /// every candidate's score is a whole number, else `f64::total_cmp`'s bit order.
    score_key: u64,
    /// Connection sequence: equal to the order of connection times (time never goes
    /// backwards), with ties at the same millisecond broken by arrival.
    seq: u64,
    /// Index of the peer's report entry.
    pos: u32,
}

/// The standard total-order transform: flip all bits of negatives, the sign bit of others.
fn total_order_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The inverse of [`total_order_key`].
#[cfg(test)]
fn from_total_order_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 { key & !(1 << 63) } else { !key })
}

/// Closing order: lowest score first, then the oldest connection. Total, so the result does
/// not depend on memory layout.
#[cfg(test)]
fn closing_order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    (a.score_key, a.seq).cmp(&(b.score_key, b.seq))
}

/// The wide path: sorts candidates into closing order in linear time with a
/// least-significant-digit radix sort on (score_key, seq), 11-bit digits, skipping every
/// digit on which all candidates agree. The number of passes depends on how far keys spread,
/// not on how many there are; a comparison sort would need log2(n) rounds.
fn sort_closing_order(v: &mut Vec<Candidate>) {
    let Some(first) = v.first().copied() else {
        return;
    };
    let (mut score_diff, mut seq_diff) = (0u64, 0u64);
    for c in v.iter() {
        score_diff |= c.score_key ^ first.score_key;
        seq_diff |= c.seq ^ first.seq;
    }
    let mut buf = v.clone();
    let mut counts = vec![0u32; 1 << RADIX_BITS];
    // Least significant first: the sequence (tie-break), then the score.
    radix_passes(v, &mut buf, &mut counts, seq_diff, |c| c.seq);
    radix_passes(v, &mut buf, &mut counts, score_diff, |c| c.score_key);
}

/// Set in a rank: the victim's score equals the cut's (its verdict is "tie, oldest first").
/// Ranks count peers, far below 2^31.
const TIED_WITH_CUT: u32 = 1 << 31;

const RADIX_BITS: u32 = 11;
const RADIX_MASK: u64 = (1 << RADIX_BITS) - 1;

/// Stable counting-sort passes over every digit of `key` where `diff` has a set bit.
#[inline]
fn radix_passes(
    v: &mut Vec<Candidate>,
    buf: &mut Vec<Candidate>,
    counts: &mut [u32],
    diff: u64,
    key: impl Fn(&Candidate) -> u64,
) {
    let mut shift = 0;
    while shift < 64 {
        if (diff >> shift) & RADIX_MASK != 0 {
            counting_pass(v, buf, counts, |c| (key(c) >> shift) & RADIX_MASK);
        }
        shift += RADIX_BITS;
    }
}

/// [`closing_order_positions_within`], finding the bounds first.
#[cfg(test)]
fn closing_order_positions(cands: &mut Vec<Candidate>) -> Vec<u32> {
    let mut bounds = Bounds::default();
    for c in cands.iter() {
        bounds.add(c);
    }
    closing_order_positions_within(cands, bounds)
}

/// The key ranges of a candidate list, gathered while it is built so that sorting it does not
/// need a pass of its own to find them (at 100 000 peers the list is 2 MB).
#[derive(Debug, Clone, Copy)]
struct Bounds {
    smin: u64,
    smax: u64,
    qmin: u64,
    qmax: u64,
    pmax: u32,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds { smin: u64::MAX, smax: 0, qmin: u64::MAX, qmax: 0, pmax: 0 }
    }
}

impl Bounds {
    #[inline]
    fn add(&mut self, c: &Candidate) {
        self.smin = self.smin.min(c.score_key);
        self.smax = self.smax.max(c.score_key);
        self.qmin = self.qmin.min(c.seq);
        self.qmax = self.qmax.max(c.seq);
        self.pmax = self.pmax.max(c.pos);
    }
}

/// Candidate positions (`pos`) in closing order. When score, sequence and position fit in
/// 64 bits together (always, in practice: scores are whole numbers spanning a few bits and
/// sequences a few more), each candidate becomes one packed `u64` and only the score and
/// sequence bits are radix-sorted: 8 bytes moved per element instead of 24, so the working
/// set stays in cache. Otherwise the wide sort runs. `b` holds the candidates' bounds,
/// gathered by the caller as it built them.
fn closing_order_positions_within(cands: &mut Vec<Candidate>, b: Bounds) -> Vec<u32> {
    if cands.is_empty() {
        return Vec::new();
    }
    let Bounds { smin, smax, qmin, qmax, pmax } = b;
    let bits = |x: u64| 64 - x.leading_zeros();
    let (sb, qb, pb) = (bits(smax - smin), bits(qmax - qmin), bits(pmax.into()));
    if sb + qb + pb > 64 {
        sort_closing_order(cands);
        return cands.iter().map(|c| c.pos).collect();
    }
    let shl = |x: u64, by: u32| x.checked_shl(by).unwrap_or(0);
    let mut keys: Vec<u64> = cands
        .iter()
        .map(|c| shl(c.score_key - smin, qb + pb) | shl(c.seq - qmin, pb) | u64::from(c.pos))
        .collect();
    let mut buf = keys.clone();
    let mut diff = 0;
    for &k in &keys {
        diff |= k ^ keys[0];
    }
    // Sequences are unique, so the position bits never decide: skip them. Byte digits: 256
    // counters and write streams stay in L1, which measured faster than fewer, wider passes
    // (three passes for the usual 20-odd score and sequence bits).
    const PACKED_BITS: u32 = 8;
    const PACKED_MASK: u64 = (1 << PACKED_BITS) - 1;
    let mut counts = vec![0u32; 1 << PACKED_BITS];
    let mut shift = pb;
    while shift < 64 {
        if (diff >> shift) & PACKED_MASK != 0 {
            counting_pass(&mut keys, &mut buf, &mut counts, |&k| (k >> shift) & PACKED_MASK);
        }
        shift += PACKED_BITS;
    }
    let pos_mask = shl(1, pb).wrapping_sub(1);
    keys.iter().map(|k| (k & pos_mask) as u32).collect()
}

/// One stable counting-sort pass of `v` by `digit`, through `buf`.
#[inline]
fn counting_pass<T: Copy>(
    v: &mut Vec<T>,
    buf: &mut Vec<T>,
    counts: &mut [u32],
    digit: impl Fn(&T) -> u64,
) {
    counts.fill(0);
    for x in v.iter() {
        counts[digit(x) as usize] += 1;
    }
    let mut sum = 0;
    for n in counts.iter_mut() {
        let here = *n;
        *n = sum;
        sum += here;
    }
    for x in v.iter() {
        let d = digit(x) as usize;
        buf[counts[d] as usize] = *x;
        counts[d] += 1;
    }
    std::mem::swap(v, buf);
}

/// A decided trim: the report, the slots to close, and their disconnect commands, both in
/// book order.
pub(crate) struct TrimPlan<P> {
    pub(crate) report: TrimReport<P>,
    pub(crate) victims: Vec<u32>,
    pub(crate) commands: Vec<Command<P>>,
}

pub(crate) fn plan<P: Clone + Eq + Hash>(
    book: &PeerBook<P>,
    config: &Config,
    now: Millis,
    trigger: TrimTrigger,
) -> TrimPlan<P> {
    // First pass, in book order (sequential reads): each peer's report entry, and integer
    // keys for the eligible ones.
    let mut entries: Vec<TrimEntry<P>> = Vec::with_capacity(book.counted());
    let mut slots: Vec<u32> = Vec::with_capacity(book.counted());
    let mut cands: Vec<Candidate> = Vec::with_capacity(book.counted());
    // Per report entry: ranks below aligned peers (issue 6). Filled only once one is seen.
    let mut below: Vec<bool> = Vec::new();
    let mut integral = true;
    let mut bounds = Bounds::default();
    for (slot, r) in book.iter() {
        if !r.is_connected() || book.is_closing(slot) {
            continue;
        }
        let score = peer_score(r, config, now);
        let verdict = if r.is_protected() {
            Verdict::KeptProtected
        } else if now.saturating_sub(r.since) < config.grace_period {
            Verdict::KeptInGrace
        } else {
            // Optimistically keyed by the integer itself (see below); a cast round trip
            // rather than `fract()`, which is a library call at this opt-level.
            let whole = score as i64;
            integral &= whole as f64 == score && score.abs() < 9.0e18;
            let pos = entries.len() as u32;
            if ranks_below_aligned(r) {
                below.resize(entries.len() + 1, false);
                below[pos as usize] = true;
            }
            let c = Candidate { score_key: (whole as u64) ^ (1 << 63), seq: r.seq, pos };
            bounds.add(&c);
            cands.push(c);
            Verdict::KeptAboveCut
        };
        entries.push(TrimEntry {
            peer: r.peer.clone(),
            score,
            rank: None,
            verdict,
            connected_at: r.since,
        });
        slots.push(slot);
    }
    // Whole-number scores (all of them, while scores are sums of integer tags) sort on the
    // integer itself: nearby values then differ only in low bits, which the radix sort visits
    // in one pass instead of the several an f64 bit pattern needs. The first pass assumed
    // this; only when some score is fractional do the keys become `f64` bit orders.
    if !integral {
        bounds = Bounds::default();
        for c in cands.iter_mut() {
            c.score_key = total_order_key(entries[c.pos as usize].score);
            bounds.add(c);
        }
    }

    let connected = entries.len();
    let target = config.low_water;
    let need = connected.saturating_sub(target);
    let k = need.min(cands.len());
    let mut order = closing_order_positions_within(&mut cands, bounds);
    if !below.is_empty() {
        // The alignment class is the most significant key: a stable partition of the
        // (score, age) order keeps it linear.
        below.resize(entries.len(), false);
        let (mut first, aligned): (Vec<u32>, Vec<u32>) =
            order.iter().partition(|&&pos| below[pos as usize]);
        first.extend(aligned);
        order = first;
    }
    let cut_below = order.get(k).is_some_and(|&pos| below.get(pos as usize) == Some(&true));
    let cut_score = order.get(k).map(|&pos| entries[pos as usize].score);

    // Ranks go to a small side array (the only random writes: it stays in cache).
    let mut ranks = vec![0u32; connected];
    for (rank, &pos) in order.iter().enumerate() {
        ranks[pos as usize] = rank as u32 + 1;
    }
    // Victims tied with the cut are, in closing order, the run just before it within its
    // alignment class (the sort is by class, score, age). Flagging them here, reading only
    // that run's scores, spares the pass below reading every victim's score back from a
    // report that, at 100 000 peers, has long left the cache.
    if let Some(cut) = cut_score {
        let cut_key = total_order_key(cut);
        for &pos in order[..k].iter().rev() {
            let score = entries[pos as usize].score;
            let key = total_order_key(score);
            // `==` as well: the integer sort puts -0.0 and 0.0 in one run.
            let in_run = (below.get(pos as usize) == Some(&true)) == cut_below
                && (key == cut_key || score == cut);
            if !in_run {
                break;
            }
            if key == cut_key {
                ranks[pos as usize] |= TIED_WITH_CUT;
            }
        }
    }

    // Second pass, in book order again: ranks, verdicts and victims. Victims are closed in
    // book order (sequential access); `rank` in the report is the closing order.
    let mut victims = Vec::with_capacity(k);
    let mut commands = Vec::with_capacity(k);
    for (pos, ((entry, rank), slot)) in entries.iter_mut().zip(ranks).zip(slots).enumerate() {
        if rank == 0 {
            continue;
        }
        let tied = rank & TIED_WITH_CUT != 0;
        let rank = rank & !TIED_WITH_CUT;
        entry.rank = Some(rank);
        if rank as usize <= k {
            let victim_below = below.get(pos) == Some(&true);
            entry.verdict = if victim_below && cut_score.is_some() && !cut_below {
                Verdict::ClosedNotAligned
            } else if tied {
                Verdict::ClosedTieOldest
            } else {
                Verdict::ClosedLowestScore
            };
            victims.push(slot);
            commands.push(Command::Disconnect {
                peer: entry.peer.clone(),
                reason: DisconnectReason::TooManyPeers,
            });
        }
    }

    TrimPlan {
        report: TrimReport {
            trigger,
            connected,
            target,
            closed: k,
            shortfall: need - k,
            cut_score,
            entries,
        },
        victims,
        commands,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_order_key_orders_like_total_cmp() {
        let xs = [f64::NEG_INFINITY, -1e9, -2.5, -0.0, 0.0, 1e-300, 3.0, 1e18, f64::INFINITY];
        for w in xs.windows(2) {
            assert!(total_order_key(w[0]) < total_order_key(w[1]), "{} < {}", w[0], w[1]);
            assert_eq!(from_total_order_key(total_order_key(w[0])).to_bits(), w[0].to_bits());
        }
    }

    #[test]
    fn the_disconnect_command_a_trim_queues_per_victim_is_32_bytes_for_a_u64_key() {
        // A trim writes one per victim and the host reads each back: 50 000 at a time.
        assert_eq!(std::mem::size_of::<crate::events::Command<u64>>(), 32);
    }

    fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    /// Candidates with unique sequences (as in the manager), shuffled.
    fn candidates(n: usize, wide: bool, next: &mut impl FnMut() -> u64) -> Vec<Candidate> {
        let mut seqs: Vec<u64> = (0..n as u64).map(|i| 1_000 + i * 3).collect();
        for i in (1..n).rev() {
            seqs.swap(i, (next() % (i as u64 + 1)) as usize);
        }
        (0..n)
            .map(|i| {
                let score = if wide {
                    (next() % 41) as f64 - 20.0 + (next() % 3) as f64 * 0.25
                } else {
                    (next() % 9) as f64 - 4.0
                };
                let score_key =
                    if wide { total_order_key(score) } else { (score as i64 as u64) ^ (1 << 63) };
                let seq = if wide { seqs[i] ^ (next() << 40) } else { seqs[i] };
                // Positions are row indices: sparse, larger than the candidate count.
                Candidate { score_key, seq, pos: (i * 3 + 5) as u32 }
            })
            .collect()
    }

    #[test]
    fn both_radix_paths_agree_with_a_comparison_sort() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for wide in [false, true] {
            for n in [0usize, 1, 2, 17, 1_000, 5_000] {
                let mut v = candidates(n, wide, &mut next);
                let mut want = v.clone();
                want.sort_by(closing_order);
                let want: Vec<u32> = want.iter().map(|c| c.pos).collect();
                assert_eq!(closing_order_positions(&mut v), want, "wide = {wide}, n = {n}");
            }
        }
    }
}

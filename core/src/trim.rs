//! Trim policy: which connected peers close when the count must come down, and the report
//! saying why for each. Victims are found by partial selection (linear time), and only the
//! victims are sorted, for their closing order.

use std::cmp::Ordering;
use std::hash::Hash;

use crate::config::Config;
use crate::events::{TrimEntry, TrimReport, TrimTrigger, Verdict};
use crate::peer_book::PeerBook;
use crate::protection;
use crate::score::peer_score;
use crate::types::Millis;

#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: f64,
    since: Millis,
    seq: u32,
    /// Index into the scan order.
    pos: u32,
}

/// Closing order: lowest score first, then the oldest connection, then the earliest
/// connection sequence number, so the order is total and independent of memory layout.
fn closing_order(a: &Candidate, b: &Candidate) -> Ordering {
    a.score.total_cmp(&b.score).then(a.since.cmp(&b.since)).then(a.seq.cmp(&b.seq))
}

/// A decided trim: the report, and the slots to close in order.
pub(crate) struct TrimPlan<P> {
    pub(crate) report: TrimReport<P>,
    pub(crate) victims: Vec<u32>,
}

pub(crate) fn plan<P: Clone + Eq + Hash>(
    book: &PeerBook<P>,
    config: &Config,
    now: Millis,
    trigger: TrimTrigger,
) -> TrimPlan<P> {
    // Scan order = peer-book order; `scanned` holds (slot, score, verdict so far).
    let mut scanned: Vec<(u32, f64, Verdict)> = Vec::with_capacity(book.counted());
    let mut cands: Vec<Candidate> = Vec::with_capacity(book.counted());
    for (slot, r) in book.iter() {
        if !r.counts() {
            continue;
        }
        let score = peer_score(r, config);
        let verdict = if protection::contains(&r.tags, None) {
            Verdict::KeptProtected
        } else if now.saturating_sub(r.since) < config.grace_period {
            Verdict::KeptInGrace
        } else {
            cands.push(Candidate { score, since: r.since, seq: r.seq, pos: scanned.len() as u32 });
            Verdict::KeptAboveCut
        };
        scanned.push((slot, score, verdict));
    }

    let connected = scanned.len();
    let target = config.low_water;
    let need = connected.saturating_sub(target);
    let k = need.min(cands.len());
    if k > 0 && k < cands.len() {
        cands.select_nth_unstable_by(k, closing_order);
    }
    cands[..k].sort_unstable_by(closing_order);
    // After the selection, index k holds the smallest of the kept candidates.
    let cut_score = cands.get(k).map(|c| c.score);

    let mut entries = Vec::with_capacity(connected);
    let mut victims = Vec::with_capacity(k);
    for (rank, c) in cands[..k].iter().enumerate() {
        let scan = &mut scanned[c.pos as usize];
        let (slot, score) = (scan.0, scan.1);
        let verdict = if cut_score.is_some_and(|cut| cut.total_cmp(&score).is_eq()) {
            Verdict::ClosedTieOldest
        } else {
            Verdict::ClosedLowestScore
        };
        scan.2 = verdict;
        let r = book.get(slot);
        entries.push(TrimEntry {
            peer: r.peer.clone(),
            score,
            rank: Some(rank as u32 + 1),
            verdict,
            connected_at: r.since,
        });
        victims.push(slot);
    }
    for &(slot, score, verdict) in &scanned {
        if verdict.is_closed() {
            continue;
        }
        let r = book.get(slot);
        entries.push(TrimEntry {
            peer: r.peer.clone(),
            score,
            rank: None,
            verdict,
            connected_at: r.since,
        });
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
    }
}

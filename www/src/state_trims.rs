//! Trims as the timeline shows them: when, why, and every peer's verdict in closing order.

use peerkeeper_core::{Millis, TrimReport};
use peerkeeper_web::light_peer_event::TrimEntryView;

/// One trim: the engine's report, flattened to strings for the page.
#[derive(Debug, Clone, PartialEq)]
pub struct TrimRecord {
    pub at_ms: Millis,
    pub trigger: String,
    pub connected: usize,
    pub target: usize,
    pub shortfall: usize,
    /// Closed peers first in closing order, then the kept ones by rank (protected and in-grace
    /// peers, which have no rank, last).
    pub entries: Vec<TrimEntryView>,
}

impl TrimRecord {
    pub fn closed(&self) -> usize {
        self.entries.iter().filter(|e| e.closed).count()
    }

    /// Builds the record from a light-peer report (already in closing order).
    pub fn from_view(
        at_ms: Millis,
        trigger: String,
        connected: usize,
        target: usize,
        shortfall: usize,
        entries: Vec<TrimEntryView>,
    ) -> Self {
        let mut record = TrimRecord { at_ms, trigger, connected, target, shortfall, entries };
        record.sort();
        record
    }

    /// Builds the record from the engine's own report (teaching mode and the sandbox).
    pub fn from_report(report: &TrimReport<String>, at_ms: Millis) -> Self {
        let entries = report
            .entries
            .iter()
            .map(|e| TrimEntryView {
                peer_id: e.peer.clone(),
                score: e.score,
                rank: e.rank,
                verdict: e.verdict.as_str().to_string(),
                closed: e.verdict.is_closed(),
            })
            .collect();
        let mut record = TrimRecord {
            at_ms,
            trigger: report.trigger.as_str().to_string(),
            connected: report.connected,
            target: report.target,
            shortfall: report.shortfall,
            entries,
        };
        record.sort();
        record
    }

    fn sort(&mut self) {
        self.entries.sort_by(|a, b| {
            (!a.closed, a.rank.unwrap_or(u32::MAX), &a.peer_id).cmp(&(
                !b.closed,
                b.rank.unwrap_or(u32::MAX),
                &b.peer_id,
            ))
        });
    }

    /// "who was kept and why": counts per verdict, in the order verdicts first appear.
    pub fn verdict_counts(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for e in &self.entries {
            match out.iter_mut().find(|(v, _)| *v == e.verdict) {
                Some((_, n)) => *n += 1,
                None => out.push((e.verdict.clone(), 1)),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use peerkeeper_core::{TrimEntry, TrimTrigger, Verdict};

    fn entry(peer: &str, rank: Option<u32>, verdict: Verdict) -> TrimEntry<String> {
        TrimEntry { peer: peer.into(), score: 1.0, rank, verdict, connected_at: 0 }
    }

    #[test]
    fn an_engine_report_lists_victims_in_closing_order_then_kept_peers_by_rank() {
        let report = TrimReport {
            trigger: TrimTrigger::HighWaterCrossed,
            connected: 5,
            target: 3,
            closed: 2,
            shortfall: 0,
            cut_score: Some(1.0),
            entries: vec![
                entry("p", None, Verdict::KeptProtected),
                entry("b", Some(2), Verdict::ClosedTieOldest),
                entry("k", Some(3), Verdict::KeptAboveCut),
                entry("a", Some(1), Verdict::ClosedLowestScore),
                entry("g", None, Verdict::KeptInGrace),
            ],
        };
        let t = TrimRecord::from_report(&report, 42);
        let order: Vec<_> = t.entries.iter().map(|e| e.peer_id.as_str()).collect();
        assert_eq!(order, ["a", "b", "k", "g", "p"]);
        assert_eq!(t.closed(), 2);
        assert_eq!(t.trigger, "high_water_crossed");
        assert_eq!(
            t.verdict_counts(),
            vec![
                ("closed_lowest_score".to_string(), 1),
                ("closed_tie_oldest".to_string(), 1),
                ("kept_above_cut".to_string(), 1),
                ("kept_in_grace".to_string(), 1),
                ("kept_protected".to_string(), 1),
            ]
        );
    }
}

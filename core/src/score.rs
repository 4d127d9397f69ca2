//! The one place a peer's score is computed. Later sources (behaviour score, application
//! score) are added here, so ranking, reports and getters can never disagree.

use crate::config::Config;
use crate::peer_book::PeerRecord;

/// Sum of the peer's static and live decaying tags, plus the outbound bonus while any of its
/// connections is outbound (saturating at the i64 range); the result is `f64` because later
/// sources are weighted.
#[inline]
pub(crate) fn peer_score<P>(record: &PeerRecord<P>, config: &Config) -> f64 {
    // The record caches its tag sum (protection entries count 0). Saturating i64 rather
    // than i128: the i128-to-f64 conversion is a slow library call, and no realistic tag
    // values come near the i64 range.
    let mut sum = record.tag_sum();
    if record.has_outbound() {
        sum = sum.saturating_add(config.outbound_bonus);
    }
    sum as f64
}

/// The trim ranking class, compared before the score: a peer not aligned with our fork ranks
/// below every aligned one (issue 6), so of two peers with equal scores the non-aligned one
/// closes first, and a non-aligned peer closes before an aligned one of lower score. Without
/// a fork view every peer is aligned and only the score counts.
#[inline]
pub(crate) fn ranks_below_aligned<P>(record: &PeerRecord<P>) -> bool {
    record.misaligned
}

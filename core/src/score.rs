//! The one place a peer's score is computed, so ranking, reports, views and getters can never
//! disagree. Total = tags + outbound bonus + behaviour_weight x behaviour score +
//! application_weight x application score.

use crate::config::Config;
use crate::peer_book::PeerRecord;
use crate::types::Millis;

/// A peer's score and the parts it is made of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ScoreParts {
    /// Static and live decaying tags plus the outbound bonus.
    pub(crate) tags: f64,
    /// The decayed behaviour score at the time asked, unweighted.
    pub(crate) behaviour: f64,
    /// The host's application score, unweighted.
    pub(crate) application: f64,
    pub(crate) total: f64,
}

/// The total score at `now` (see [`score_parts`]).
#[inline]
pub(crate) fn peer_score<P>(record: &PeerRecord<P>, config: &Config, now: Millis) -> f64 {
    score_parts(record, config, now).total
}

/// Sum of the peer's static and live decaying tags, plus the outbound bonus while any of its
/// connections is outbound (saturating at the i64 range), plus the weighted behaviour and
/// application scores; `f64` because those are weighted.
#[inline]
pub(crate) fn score_parts<P>(record: &PeerRecord<P>, config: &Config, now: Millis) -> ScoreParts {
    // The record caches its tag sum (protection entries count 0). Saturating i64 rather
    // than i128: the i128-to-f64 conversion is a slow library call, and no realistic tag
    // values come near the i64 range.
    let mut sum = record.tag_sum();
    if record.has_outbound() {
        sum = sum.saturating_add(config.outbound_bonus);
    }
    let tags = sum as f64;
    let Some(x) = record.extras.as_deref() else {
        return ScoreParts { tags, behaviour: 0.0, application: 0.0, total: tags };
    };
    let b = &config.behaviour;
    let behaviour = x.behaviour.at(now, b.half_life_ms);
    let application = x.application;
    // Adding 0.0 keeps whole-number totals whole, so unscored peers keep the integer trim path.
    let total = tags + b.behaviour_weight * behaviour + b.application_weight * application;
    ScoreParts { tags, behaviour, application, total }
}

/// The trim ranking class, compared before the score: a peer not aligned with our fork ranks
/// below every aligned one (issue 6), so of two peers with equal scores the non-aligned one
/// closes first, and a non-aligned peer closes before an aligned one of lower score. Without
/// a fork view every peer is aligned and only the score counts.
#[inline]
pub(crate) fn ranks_below_aligned<P>(record: &PeerRecord<P>) -> bool {
    record.misaligned
}

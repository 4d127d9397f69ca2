//! The one place a peer's score is computed. Later sources (behaviour score, application
//! score) are added here, so ranking, reports and getters can never disagree.

use crate::config::Config;
use crate::peer_book::PeerRecord;

/// Sum of the peer's static and live decaying tags, plus the outbound bonus while any of its
/// connections is outbound. Tags sum exactly in `i128`; the result is `f64` because later
/// sources are weighted.
pub(crate) fn peer_score<P>(record: &PeerRecord<P>, config: &Config) -> f64 {
    // Protection entries share the list with value 0, so summing everything is exact.
    let mut sum: i128 = record.tags.iter().map(|t| i128::from(t.value)).sum();
    if record.has_outbound() {
        sum += i128::from(config.outbound_bonus);
    }
    sum as f64
}

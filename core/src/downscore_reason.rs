//! The downscore vocabulary (the seed's `PeerScoreReason`): hosts report actions under their
//! own names (`REQUEST_ERROR_TTFB_TIMEOUT`, `BadSyncBlocks`, `gossip_reject`...); tools see
//! one small stable set instead of every client's identifiers.

use serde::{Deserialize, Serialize};

/// Why a peer was downscored, with stable snake_case names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DownscoreReason {
    /// Sent us a malformed or disallowed request.
    InvalidRequest,
    /// Answered with something we could not decode or verify (bad SSZ, empty, oversized).
    InvalidResponse,
    /// Did not answer in time (dial, first byte or full response).
    Timeout,
    /// Asked more than its quota, or throttled us.
    RateLimited,
    /// Could not serve: server error, resource unavailable, dial failure.
    RequestFailed,
    /// Published or forwarded a gossip message we rejected.
    GossipInvalid,
    /// Served blocks or batches that failed sync validation.
    SyncInvalid,
    /// Flooded us with messages or requests.
    Spam,
    /// Follows a fork or network we cannot use.
    ForkMismatch,
    /// A name no rule recognises.
    Other,
}

/// Substring rules in priority order, matched against the name lowercased with everything
/// but letters and digits removed (so `REQUEST_ERROR_RATE_LIMITED`, `rateLimited` and
/// `rate-limited` all read `ratelimited`). Earlier rules win: a "gossip spam" is spam.
const RULES: &[(&str, DownscoreReason)] = &[
    ("spam", DownscoreReason::Spam),
    ("flood", DownscoreReason::Spam),
    ("ratelimit", DownscoreReason::RateLimited),
    ("quota", DownscoreReason::RateLimited),
    ("fork", DownscoreReason::ForkMismatch),
    ("irrelevantnetwork", DownscoreReason::ForkMismatch),
    ("wrongnetwork", DownscoreReason::ForkMismatch),
    ("timeout", DownscoreReason::Timeout),
    ("timedout", DownscoreReason::Timeout),
    ("invalidrequest", DownscoreReason::InvalidRequest),
    ("badrequest", DownscoreReason::InvalidRequest),
    ("invalidresponse", DownscoreReason::InvalidResponse),
    ("emptyresponse", DownscoreReason::InvalidResponse),
    ("ssz", DownscoreReason::InvalidResponse),
    ("overmaxsize", DownscoreReason::InvalidResponse),
    ("gossip", DownscoreReason::GossipInvalid),
    ("sync", DownscoreReason::SyncInvalid),
    ("batch", DownscoreReason::SyncInvalid),
    ("block", DownscoreReason::SyncInvalid),
    ("servererror", DownscoreReason::RequestFailed),
    ("unavailable", DownscoreReason::RequestFailed),
    ("dial", DownscoreReason::RequestFailed),
    ("requesterror", DownscoreReason::RequestFailed),
];

impl DownscoreReason {
    pub const ALL: [DownscoreReason; 10] = [
        DownscoreReason::InvalidRequest,
        DownscoreReason::InvalidResponse,
        DownscoreReason::Timeout,
        DownscoreReason::RateLimited,
        DownscoreReason::RequestFailed,
        DownscoreReason::GossipInvalid,
        DownscoreReason::SyncInvalid,
        DownscoreReason::Spam,
        DownscoreReason::ForkMismatch,
        DownscoreReason::Other,
    ];

    /// Maps a host's action name to the vocabulary; unrecognised names are `other`.
    pub fn from_action_name(name: &str) -> DownscoreReason {
        let key: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        RULES
            .iter()
            .find(|(needle, _)| key.contains(needle))
            .map_or(DownscoreReason::Other, |&(_, reason)| reason)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DownscoreReason::InvalidRequest => "invalid_request",
            DownscoreReason::InvalidResponse => "invalid_response",
            DownscoreReason::Timeout => "timeout",
            DownscoreReason::RateLimited => "rate_limited",
            DownscoreReason::RequestFailed => "request_failed",
            DownscoreReason::GossipInvalid => "gossip_invalid",
            DownscoreReason::SyncInvalid => "sync_invalid",
            DownscoreReason::Spam => "spam",
            DownscoreReason::ForkMismatch => "fork_mismatch",
            DownscoreReason::Other => "other",
        }
    }
}

impl std::fmt::Display for DownscoreReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::DownscoreReason::{self, *};

    #[test]
    fn client_action_names_map_to_the_vocabulary() {
        let cases = [
            ("REQUEST_ERROR_INVALID_REQUEST", InvalidRequest),
            ("REQUEST_ERROR_INVALID_RESPONSE_SSZ", InvalidResponse),
            ("REQUEST_ERROR_SSZ_OVER_MAX_SIZE", InvalidResponse),
            ("REQUEST_ERROR_EMPTY_RESPONSE", InvalidResponse),
            ("REQUEST_ERROR_TTFB_TIMEOUT", Timeout),
            ("REQUEST_ERROR_RESP_TIMEOUT", Timeout),
            ("REQUEST_ERROR_DIAL_TIMEOUT", Timeout),
            ("REQUEST_ERROR_RATE_LIMITED", RateLimited),
            ("rateLimited", RateLimited),
            ("REQUEST_ERROR_SERVER_ERROR", RequestFailed),
            ("REQUEST_ERROR_RESOURCE_UNAVAILABLE", RequestFailed),
            ("REQUEST_ERROR_DIAL_ERROR", RequestFailed),
            ("gossip_reject", GossipInvalid),
            ("BadSyncBlocks", SyncInvalid),
            ("SyncChainInvalidBatchOther", SyncInvalid),
            ("gossip spam", Spam),
            ("fork_digest_mismatch", ForkMismatch),
            ("irrelevant-network", ForkMismatch),
            ("", Other),
            ("whatever", Other),
        ];
        for (name, want) in cases {
            assert_eq!(DownscoreReason::from_action_name(name), want, "{name}");
        }
    }

    #[test]
    fn names_are_stable_snake_case_in_json() {
        for r in DownscoreReason::ALL {
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.as_str()));
        }
    }
}

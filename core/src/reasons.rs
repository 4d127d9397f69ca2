//! Controlled vocabularies shared by every part of the engine and every API surface.

use serde::{Deserialize, Serialize};

/// Why a peer was (or is being) disconnected. Stable snake_case names, as in the beacon-API
/// peer-scoring extension (seed 000), plus the goodbye code sent on the wire where one exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisconnectReason {
    ClientShutdown,
    IrrelevantNetwork,
    IoError,
    UnviableFork,
    TooManyPeers,
    BadScore,
    Banned,
    /// The remote closed without a goodbye.
    InboundDisconnect,
    Unknown,
}

impl DisconnectReason {
    pub const ALL: [DisconnectReason; 9] = [
        DisconnectReason::ClientShutdown,
        DisconnectReason::IrrelevantNetwork,
        DisconnectReason::IoError,
        DisconnectReason::UnviableFork,
        DisconnectReason::TooManyPeers,
        DisconnectReason::BadScore,
        DisconnectReason::Banned,
        DisconnectReason::InboundDisconnect,
        DisconnectReason::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DisconnectReason::ClientShutdown => "client_shutdown",
            DisconnectReason::IrrelevantNetwork => "irrelevant_network",
            DisconnectReason::IoError => "io_error",
            DisconnectReason::UnviableFork => "unviable_fork",
            DisconnectReason::TooManyPeers => "too_many_peers",
            DisconnectReason::BadScore => "bad_score",
            DisconnectReason::Banned => "banned",
            DisconnectReason::InboundDisconnect => "inbound_disconnect",
            DisconnectReason::Unknown => "unknown",
        }
    }

    /// The libp2p/eth2 goodbye code for this reason, if the reason is ever sent as a goodbye.
    /// `unviable_fork` travels as 128 ("unable to verify network"), the code clients send when a
    /// peer's fork cannot be followed.
    pub fn goodbye_code(self) -> Option<u64> {
        match self {
            DisconnectReason::ClientShutdown => Some(1),
            DisconnectReason::IrrelevantNetwork => Some(2),
            DisconnectReason::IoError => Some(3),
            DisconnectReason::UnviableFork => Some(128),
            DisconnectReason::TooManyPeers => Some(129),
            DisconnectReason::BadScore => Some(250),
            DisconnectReason::Banned => Some(251),
            DisconnectReason::InboundDisconnect | DisconnectReason::Unknown => None,
        }
    }

    /// Maps a received goodbye code to the vocabulary; unrecognised codes are `unknown`.
    pub fn from_goodbye_code(code: u64) -> DisconnectReason {
        DisconnectReason::ALL
            .into_iter()
            .find(|r| r.goodbye_code() == Some(code))
            .unwrap_or(DisconnectReason::Unknown)
    }
}

impl std::fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goodbye_codes_round_trip_and_unknown_codes_map_to_unknown() {
        for r in DisconnectReason::ALL {
            if let Some(code) = r.goodbye_code() {
                assert_eq!(DisconnectReason::from_goodbye_code(code), r);
            }
        }
        assert_eq!(DisconnectReason::from_goodbye_code(129), DisconnectReason::TooManyPeers);
        assert_eq!(DisconnectReason::from_goodbye_code(7), DisconnectReason::Unknown);
    }

    #[test]
    fn names_are_snake_case_in_json() {
        for r in DisconnectReason::ALL {
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.as_str()));
        }
    }
}

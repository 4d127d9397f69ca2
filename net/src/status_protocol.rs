//! `/peerkeeper/status/1`: two peers tell each other their chain (seed 003's hello and
//! `dlt_fork_status_message`), on connect and whenever ours changes.
//!
//! One request-response exchange carries both directions: the request is the sender's status,
//! the response the receiver's. Either may be `None` (postcard: one `0` byte) for a node that
//! follows no chain yet; a `None` is well-formed and tells the engine nothing.
//!
//! Bound: 4 KiB per message either way. A `ChainStatus` encodes to about 90 bytes (two
//! 32-byte block ids dominate), so the bound leaves room for later fields and nothing else.

use libp2p::StreamProtocol;
use peerkeeper_core::fork::ChainStatus;

use crate::codec::{BoundedCodec, WireProtocol};

/// The protocol id.
pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/peerkeeper/status/1");

/// Largest status message read or written, in bytes.
pub const MAX_STATUS_BYTES: usize = 4096;

/// A status message: the sender's chain, if it follows one.
pub type StatusMessage = Option<ChainStatus>;

/// Marker for the status protocol's [`WireProtocol`] description.
pub enum Status {}

impl WireProtocol for Status {
    const NAME: StreamProtocol = PROTOCOL;
    const MAX_REQUEST: usize = MAX_STATUS_BYTES;
    const MAX_RESPONSE: usize = MAX_STATUS_BYTES;
    type Request = StatusMessage;
    type Response = StatusMessage;
}

/// The status protocol's codec.
pub type StatusCodec = BoundedCodec<Status>;

#[cfg(test)]
mod tests {
    use peerkeeper_core::fork::{
        BlockId, BlockRange, BlockRef, ForkDigest, ForkStatus, NetworkId, NodeMode,
    };

    use super::*;
    use crate::codec::{decode, encode};

    pub(crate) fn status() -> ChainStatus {
        ChainStatus {
            network_id: NetworkId(7),
            fork_digest: ForkDigest([0xd1, 0x70, 0, 1]),
            head: BlockRef { number: 79_881_136, id: BlockId([0xaa; 32]) },
            lib: BlockRef { number: 79_881_130, id: BlockId([0xbb; 32]) },
            range: Some(BlockRange { earliest: 79_000_000, latest: 79_881_136 }),
            node_mode: NodeMode::Forward,
            fork_status: ForkStatus::Looking,
            emergency: true,
            emergency_key: false,
        }
    }

    #[test]
    fn a_status_round_trips_in_under_a_hundred_bytes() {
        let message: StatusMessage = Some(status());
        let body = encode(&message).unwrap();
        // Option tag 1, network 1, digest 5, head and LIB 37 each, range 9, mode, status, flags 4.
        assert_eq!(body.len(), 94);
        assert_eq!(decode::<StatusMessage>(&body), Ok(message));
        assert_eq!(encode(&None::<ChainStatus>).unwrap(), vec![0]);
    }

    #[test]
    fn an_unknown_enum_tag_is_malformed() {
        let mut body = encode(&Some(status())).unwrap();
        // node_mode is followed by the fork status and the two flags, one byte each.
        let at = body.len() - 4;
        body[at] = 9;
        assert!(decode::<StatusMessage>(&body).is_err());
    }
}

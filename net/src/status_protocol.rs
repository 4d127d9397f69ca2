//! `/peerkeeper/status/3`: two peers tell each other their chain (seed 003's hello and
//! `dlt_fork_status_message`), on connect and whenever it changes.
//!
//! The dialer opens one stream per connection and keeps it; both peers write on it, each
//! direction on its own: a side's first frame is its status, every later frame its status
//! after a change. The reader decodes frames until the stream ends. A message is `None`
//! (postcard: one `0` byte) for a node that follows no chain yet; a `None` is well-formed and
//! tells the engine nothing.
//!
//! Version 1 was a request-response exchange, a new stream each time a status changed (every
//! block). Over WebRTC that cost grows without end: rust-libp2p's WebRTC never closes a data
//! channel after its stream ends (rust-libp2p#4333), so each stream leaves its SCTP stream
//! state in both peers until the connection closes, about 2 KB a side per stream (see
//! docs/reliability.md, "One stream per status"). A long-lived stream makes it one per
//! connection. Version 2 had each side open its own stream; version 3 has the listener
//! answer on the dialer's (see [`status_stream`](crate::status_stream) for why).
//!
//! Bound: 4 KiB per message. A `ChainStatus` encodes to about 90 bytes (two 32-byte block ids
//! dominate), so the bound leaves room for later fields and nothing else.

use std::io;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite};
use libp2p::StreamProtocol;
use peerkeeper_core::fork::ChainStatus;

use crate::codec::{self, Inbound};

/// The protocol id.
pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/peerkeeper/status/3");

/// Largest status message read or written, in bytes.
pub const MAX_STATUS_BYTES: usize = 4096;

/// A status message: the sender's chain, if it follows one.
pub type StatusMessage = Option<ChainStatus>;

/// Reads the next status frame: `None` when the stream ended cleanly between frames, else the
/// message or what the peer got wrong. The outer error is the stream's own (reset, closed).
pub async fn read_status<R: AsyncRead + Unpin + Send>(
    io: &mut R,
) -> io::Result<Option<Inbound<StatusMessage>>> {
    let mut first = [0u8; 1];
    if io.read(&mut first).await? == 0 {
        return Ok(None);
    }
    let mut frame = (&first[..]).chain(&mut *io);
    let read = codec::read_checked(&mut frame, MAX_STATUS_BYTES).await?;
    Ok(Some(read.and_then(|body| codec::decode(&body))))
}

/// Writes one status frame.
pub async fn write_status<W: AsyncWrite + Unpin + Send>(
    io: &mut W,
    message: &StatusMessage,
) -> io::Result<()> {
    let body =
        codec::encode(message).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    codec::write_frame(io, &body, MAX_STATUS_BYTES).await
}

#[cfg(test)]
mod tests {
    use futures::executor::block_on;
    use futures::io::Cursor;
    use peerkeeper_core::fork::{
        BlockId, BlockRange, BlockRef, ForkDigest, ForkStatus, NetworkId, NodeMode,
    };

    use super::*;
    use crate::codec::{decode, encode, FrameError};

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
    fn frames_follow_each_other_on_one_stream_until_it_ends() {
        let mut wire = Vec::new();
        block_on(write_status(&mut wire, &Some(status()))).unwrap();
        block_on(write_status(&mut wire, &None)).unwrap();
        assert_eq!(wire.len(), 95 + 2, "a one-byte length before each body");
        let mut io = Cursor::new(wire);
        assert_eq!(block_on(read_status(&mut io)).unwrap(), Some(Ok(Some(status()))));
        assert_eq!(block_on(read_status(&mut io)).unwrap(), Some(Ok(None)));
        assert_eq!(block_on(read_status(&mut io)).unwrap(), None, "a clean end between frames");
    }

    #[test]
    fn a_stream_ending_inside_a_frame_or_an_oversized_frame_is_refused() {
        let mut io = Cursor::new(vec![94, 1, 7]);
        assert_eq!(
            block_on(read_status(&mut io)).unwrap(),
            Some(Err(FrameError::Truncated { missing: 92 }))
        );
        let mut io = Cursor::new(vec![0x80, 0x80, 0xc0, 0x02, 0xab]);
        assert_eq!(
            block_on(read_status(&mut io)).unwrap(),
            Some(Err(FrameError::TooLarge { len: 5 * 1024 * 1024, max: MAX_STATUS_BYTES }))
        );
        assert_eq!(io.position(), 4, "only the prefix of the 5 MiB was read");
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

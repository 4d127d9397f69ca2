//! The spamming demo peer's payload: `/peerkeeper/status/3` frames that break the protocol,
//! alternately oversized (a length prefix of 5 MiB against the 4 KiB bound, refused before
//! its body is read) and malformed (an 8-byte body that is not a status). Each one costs the
//! sender a spam strike at a peerkeeper peer; the 10th soft-bans it (seed 003).

use std::time::Duration;

use futures::AsyncWriteExt;
use libp2p::PeerId;
use peerkeeper_net::status_protocol;

/// Frames sent to each connected peer per second: 10, so a ban takes about 1 s (inside a new
/// connection's trim grace, so the spammer is judged before any trim can pick it).
pub const SPAM_INTERVAL: Duration = Duration::from_millis(100);

/// The length an oversized frame announces: 5 MiB.
pub const OVERSIZED_LEN: u64 = 5 * 1024 * 1024;

/// The `n`-th frame: even ones oversized, odd ones malformed.
pub fn frame(n: u64) -> Vec<u8> {
    let mut buf = unsigned_varint::encode::u64_buffer();
    if n.is_multiple_of(2) {
        let mut out = unsigned_varint::encode::u64(OVERSIZED_LEN, &mut buf).to_vec();
        // A little of the announced body; the reader never gets this far.
        out.extend_from_slice(&[0xab; 16]);
        out
    } else {
        // 0xff is no `Option` tag, so the body does not decode as a status.
        let mut out = unsigned_varint::encode::u64(8, &mut buf).to_vec();
        out.extend_from_slice(&[0xff; 8]);
        out
    }
}

/// Opens one status stream to `peer` and sends frame `n` down it.
pub async fn send(mut control: libp2p_stream::Control, peer: PeerId, n: u64) -> Result<(), String> {
    let mut stream = control
        .open_stream(peer, status_protocol::PROTOCOL)
        .await
        .map_err(|e| format!("opening a status stream: {e}"))?;
    stream.write_all(&frame(n)).await.map_err(|e| e.to_string())?;
    stream.close().await.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use peerkeeper_net::codec::{decode, FrameError};
    use peerkeeper_net::status_protocol::{StatusMessage, MAX_STATUS_BYTES};

    use super::*;

    #[tokio::test]
    async fn frames_alternate_oversized_and_malformed_and_each_breaks_the_status_protocol() {
        let mut oversized = &frame(0)[..];
        let read = peerkeeper_net::codec::read_checked(&mut oversized, MAX_STATUS_BYTES).await;
        assert_eq!(
            read.unwrap(),
            Err(FrameError::TooLarge { len: OVERSIZED_LEN, max: MAX_STATUS_BYTES })
        );
        let mut malformed = &frame(1)[..];
        let body = peerkeeper_net::codec::read_checked(&mut malformed, MAX_STATUS_BYTES)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(body.len(), 8);
        assert!(matches!(decode::<StatusMessage>(&body), Err(FrameError::Malformed(_))));
        assert_eq!(frame(2), frame(0));
    }
}

//! The manager's whole state as versioned bytes, for a host that persists it (the page keeps
//! it in IndexedDB) and restores it after a restart.
//!
//! Layout: `b"PKSN"`, the format version (u16 LE), the payload length (u32 LE), the CRC-32 of
//! the payload (u32 LE), then the payload: postcard of `snapshot_state::State`. Bytes that are
//! not a snapshot, are truncated or corrupt (length, checksum, payload, a value core would
//! refuse), or come from a newer format are refused with a [`SnapshotError`], and a refused
//! import leaves the manager untouched: the new state is built aside and swapped in whole.
//!
//! What a snapshot holds (format 3): the clock and the last trim; every peer record (static
//! tags, decaying tags with their policy and exact timing, the next decay and last bump,
//! protection reasons, behaviour score with its decay and ban freeze, application score,
//! last action, agent version, address, retention start); behaviour bans; last-disconnect
//! records; spam strikes and soft bans; the benchlist; epoch blocklists (blocks, roles, the
//! epoch, transport-failure counters); health counters; the peers the lifecycle tracks, and
//! (format 3) each one's reconnect backoff (the wait the next failure applies, failures since
//! the last reset, the next dial) and the isolation clock. Format 2, the same without the
//! backoff, is still read: its tracked peers come back with a fresh backoff.
//!
//! What it does not: open connections (a snapshot is restored after the host's connections
//! are gone, so every peer comes back disconnected and retention counts from the import);
//! with `track_lifecycle`, dials in flight (a peer dialled or connected at the snapshot is
//! dialled again at the import, keeping its wait; a waiting one at its saved time; a
//! soft-banned or blocked one stays suspended until its ban or block ends); the sliding
//! windows of the rate limiters; the fork view (it restarts from the chain the manager was built with, and
//! peers' statuses arrive again on reconnect). A custom decay function cannot be saved: a
//! tag with one is left out.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::manager::PeerManager;
use crate::peer_key::PeerKey;
use crate::snapshot_state::{Dials, Payload, State};
use crate::types::Millis;

pub const SNAPSHOT_MAGIC: &[u8; 4] = b"PKSN";
/// Format 1 was the npm package's own (tags and protections, JSON); core writes format 3 and
/// reads 2 and 3.
pub const SNAPSHOT_VERSION: u16 = 3;
/// The oldest format [`PeerManager::import_snapshot`] reads.
pub const OLDEST_IMPORTED_VERSION: u16 = 2;
const HEADER: usize = 4 + 2 + 4 + 4;
/// Largest payload accepted: far above any real peer set, and refused before decoding.
pub const MAX_SNAPSHOT_BYTES: usize = 64 << 20;

/// CRC-32 (IEEE 802.3, as zlib and crc32fast compute it) of the payload.
fn crc32(bytes: &[u8]) -> u32 {
    const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);
    CRC.checksum(bytes)
}

/// Why [`PeerManager::import_snapshot`] refused bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("bytes are not a peerkeeper snapshot")]
    NotASnapshot,
    #[error("snapshot format version {0} is newer than this engine supports ({SNAPSHOT_VERSION})")]
    FutureVersion(u16),
    #[error("snapshot format version {0} is not read by the engine (the npm package reads it)")]
    OlderVersion(u16),
    #[error("snapshot is corrupt: {0}")]
    Corrupt(String),
}

/// The format version of `bytes`, if they start like a snapshot.
pub fn snapshot_version(bytes: &[u8]) -> Option<u16> {
    (bytes.len() >= 6 && &bytes[..4] == SNAPSHOT_MAGIC)
        .then(|| u16::from_le_bytes([bytes[4], bytes[5]]))
}

/// Frames `payload` with the header.
pub fn frame(version: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(SNAPSHOT_MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// The checked payload of framed bytes of format `version` (older formats pass through for
/// their own reader).
pub fn unframe(bytes: &[u8]) -> Result<(u16, &[u8]), SnapshotError> {
    let version = snapshot_version(bytes).ok_or(SnapshotError::NotASnapshot)?;
    if version > SNAPSHOT_VERSION {
        return Err(SnapshotError::FutureVersion(version));
    }
    if version == 0 {
        return Err(SnapshotError::Corrupt("format version 0".into()));
    }
    if bytes.len() < HEADER {
        return Err(SnapshotError::Corrupt("truncated header".into()));
    }
    let len = u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]) as usize;
    let crc = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]);
    let body = &bytes[HEADER..];
    if len > MAX_SNAPSHOT_BYTES {
        return Err(SnapshotError::Corrupt(format!("payload of {len} bytes is over the limit")));
    }
    if body.len() != len {
        return Err(SnapshotError::Corrupt(format!(
            "payload is {} bytes, header says {len}",
            body.len()
        )));
    }
    if crc32(body) != crc {
        return Err(SnapshotError::Corrupt("checksum mismatch".into()));
    }
    Ok((version, body))
}

/// The whole payload as `T`: bytes left over mean it is not what the version says.
fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, SnapshotError> {
    let (value, rest) =
        postcard::take_from_bytes(body).map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
    if !rest.is_empty() {
        return Err(SnapshotError::Corrupt(format!("{} bytes after the payload", rest.len())));
    }
    Ok(value)
}

impl<P: PeerKey + Serialize + DeserializeOwned> PeerManager<P> {
    /// The manager's state as versioned bytes (see the module doc for what it holds). Takes
    /// `now` only to stamp the snapshot: nothing is advanced or drained.
    pub fn export_snapshot(&self, now: Millis) -> Vec<u8> {
        let state = Payload::capture(self, now.max(self.now));
        // Plain data with no maps keyed by non-strings: postcard cannot fail on it.
        let payload = postcard::to_allocvec(&state).unwrap_or_default();
        frame(SNAPSHOT_VERSION, &payload)
    }

    /// Replaces this manager's state with the snapshot's, keeping this manager's config and
    /// fork view; the clock becomes the later of `now` and the snapshot's. Pending commands
    /// and events are dropped (they belonged to the replaced state); what the import itself
    /// makes due (decays and ban ends passed meanwhile, dials) comes from the next
    /// `handle_timeout`. Returns how many peer records were restored. On error nothing
    /// changes.
    pub fn import_snapshot(&mut self, bytes: &[u8], now: Millis) -> Result<usize, SnapshotError> {
        let (version, body) = unframe(bytes)?;
        let (state, dials) = match version {
            OLDEST_IMPORTED_VERSION => (decode::<State<P>>(body)?, Dials::default()),
            SNAPSHOT_VERSION => {
                let p: Payload<P> = decode(body)?;
                (p.state, p.dials)
            }
            _ => return Err(SnapshotError::OlderVersion(version)),
        };
        let peers = state.peers.len();
        let mut fresh = Self::build(self.config.clone())
            .map_err(|e| SnapshotError::Corrupt(format!("config refused: {e}")))?;
        fresh.fork = self.fork.clone();
        state.apply(&mut fresh, dials, now)?;
        *self = fresh;
        Ok(peers)
    }
}

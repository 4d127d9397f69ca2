//! The record the page stores: the engine's snapshot with the wall-clock time it was saved.
//!
//! The light peer's clock restarts at every page load, so the snapshot's own time says nothing
//! about how long the page was closed; the wall time kept beside it does. Records written by
//! builds before this one are the bare snapshot and still read (as saved just now).

/// Marks a record that starts with its save time; the engine's own snapshots start `PKSN`.
pub const MAGIC: &[u8; 4] = b"PKWT";
const HEADER: usize = MAGIC.len() + 8;

/// `MAGIC`, `saved_at_ms` (u64, little endian), then the snapshot.
pub fn encode(saved_at_ms: u64, snapshot: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + snapshot.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&saved_at_ms.to_le_bytes());
    out.extend_from_slice(snapshot);
    out
}

/// The save time (if the record has one) and the snapshot. Anything without the marker is
/// taken whole as a snapshot, for the engine to accept or refuse.
pub fn decode(record: &[u8]) -> (Option<u64>, &[u8]) {
    match record.strip_prefix(MAGIC.as_slice()) {
        Some(rest) if rest.len() >= 8 => {
            let (at, snapshot) = rest.split_at(8);
            (Some(u64::from_le_bytes(at.try_into().expect("8 bytes"))), snapshot)
        }
        _ => (None, record),
    }
}

/// How long before `now_ms` the record was saved; 0 when unknown or when the wall clock was
/// set back since (a restored engine never runs backwards, and a guess ahead would end bans
/// early).
pub fn saved_ago(saved_at_ms: Option<u64>, now_ms: u64) -> u64 {
    saved_at_ms.map_or(0, |at| now_ms.saturating_sub(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_carries_its_save_time_and_the_snapshot_unchanged() {
        let record = encode(1_733_000_000_123, b"PKSN\x03\x00rest");
        assert_eq!(&record[..4], b"PKWT");
        assert_eq!(record.len(), 12 + 10);
        assert_eq!(decode(&record), (Some(1_733_000_000_123), &b"PKSN\x03\x00rest"[..]));
        assert_eq!(decode(&encode(0, b"")), (Some(0), &b""[..]));
    }

    #[test]
    fn a_bare_snapshot_or_a_short_record_is_passed_through_whole() {
        assert_eq!(decode(b"PKSN\x03\x00rest"), (None, &b"PKSN\x03\x00rest"[..]));
        assert_eq!(decode(b"PKWT\x01\x02"), (None, &b"PKWT\x01\x02"[..]));
        assert_eq!(decode(b""), (None, &b""[..]));
    }

    #[test]
    fn the_time_since_the_save_is_never_negative() {
        assert_eq!(saved_ago(Some(10_000), 13_500), 3_500);
        assert_eq!(saved_ago(Some(13_500), 10_000), 0);
        assert_eq!(saved_ago(None, 10_000), 0);
    }
}

//! `snapshot()` / `restore(bytes)`: the engine's own format 2 (core's `export_snapshot` /
//! `import_snapshot`: every tag with its exact decay timing, protections, scores, bans,
//! strikes, blocks, disconnect records; see `peerkeeper_core::snapshot`), and format 1, the
//! package's earlier JSON format, which is still read.
//!
//! Both share core's header: `b"PKSN"`, format version (u16 LE), payload length (u32 LE),
//! CRC-32 of the payload (u32 LE). Format 1's payload is JSON of [`PayloadV1`]: the clock and
//! every peer's static tags, decaying tags (value, interval, decay and bump functions) and
//! protection reasons; restoring it builds a new manager first and swaps it in only on
//! success, so refused bytes leave the manager untouched, as core's import does.

use peerkeeper_core::snapshot::{unframe, SnapshotError};
use peerkeeper_core::{BumpFn, DecayFn, Millis, PeerManager};
use serde::Deserialize;

use crate::js_manager::Key;

#[derive(Deserialize)]
struct PayloadV1 {
    now: Millis,
    peers: Vec<PeerV1>,
}

#[derive(Deserialize)]
struct PeerV1 {
    peer: String,
    tags: Vec<TagV1>,
    protections: Vec<String>,
}

#[derive(Deserialize)]
struct TagV1 {
    name: String,
    value: i64,
    /// `None` for a static tag.
    decay: Option<DecayV1>,
}

#[derive(Deserialize)]
struct DecayV1 {
    interval: Millis,
    decay: DecayFn,
    bump: BumpFn,
}

/// Replaces `pm`'s state with the snapshot's (either format) at `now`; refused bytes change
/// nothing.
pub fn restore(pm: &mut PeerManager<Key>, bytes: &[u8], now: Millis) -> Result<(), SnapshotError> {
    let (version, body) = unframe(bytes)?;
    if version != 1 {
        return pm.import_snapshot(bytes, now).map(|_| ());
    }
    let payload: PayloadV1 =
        serde_json::from_slice(body).map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
    *pm = rebuild_v1(&payload, pm, now)?;
    Ok(())
}

/// A new manager with `pm`'s config and format 1's peers; emits no events.
fn rebuild_v1(
    payload: &PayloadV1,
    pm: &PeerManager<Key>,
    now: Millis,
) -> Result<PeerManager<Key>, SnapshotError> {
    let corrupt = SnapshotError::Corrupt;
    let mut fresh = PeerManager::new(pm.config().clone())
        .map_err(|e| corrupt(format!("format 1 restores only without a fork view: {e}")))?;
    let now = now.max(payload.now);
    fresh.handle_timeout(now);
    for p in &payload.peers {
        if p.peer.is_empty() {
            return Err(corrupt("a peer with an empty key".into()));
        }
        let key = Key::from(p.peer.as_str());
        for t in &p.tags {
            if t.name.is_empty() {
                return Err(corrupt(format!("an empty tag name on {:?}", p.peer)));
            }
            match &t.decay {
                None => fresh.tag_peer(&key, &t.name, t.value),
                Some(d) => {
                    if t.value <= 0 {
                        return Err(corrupt(format!(
                            "decaying tag {:?} of {:?} has value {}",
                            t.name, p.peer, t.value
                        )));
                    }
                    let (decay, bump) = (d.decay.clone(), d.bump);
                    fresh.tag_peer_decaying_with_bump(
                        &key, &t.name, t.value, d.interval, decay, bump, now,
                    );
                }
            }
        }
        for r in &p.protections {
            if r.is_empty() {
                return Err(corrupt(format!("an empty protection on {:?}", p.peer)));
            }
            fresh.protect(&key, r);
        }
    }
    while fresh.poll_event().is_some() {}
    Ok(fresh)
}

#[cfg(test)]
mod tests {
    use super::*;
    use peerkeeper_core::snapshot::frame;
    use peerkeeper_core::Config;

    const V1: &str = r#"{"now":7,"peers":[{"peer":"a","tags":[{"name":"kbucket","value":5,"decay":null},{"name":"gossip","value":40,"decay":{"interval":1000,"decay":{"kind":"fixed","amount":2},"bump":{"kind":"overwrite"}}}],"protections":[]},{"peer":"b","tags":[],"protections":["relay"]}]}"#;

    #[test]
    fn format_1_bytes_still_restore_their_tags_and_protections() {
        let mut pm = PeerManager::new(Config::default()).unwrap();
        pm.tag_peer(&Key::from("stale"), "x", 1);
        restore(&mut pm, &frame(1, V1.as_bytes()), 0).unwrap();
        let a = Key::from("a");
        assert_eq!(pm.tag_value(&a, "kbucket"), Some(5));
        assert_eq!(pm.tag_value(&a, "gossip"), Some(40));
        assert!(pm.is_protected(&Key::from("b"), Some("relay")));
        assert_eq!(pm.tag_value(&Key::from("stale"), "x"), None);
        assert_eq!(pm.now(), 7);
    }

    #[test]
    fn format_2_round_trips_through_core() {
        let mut pm = PeerManager::new(Config::default()).unwrap();
        pm.tag_peer(&Key::from("a"), "kbucket", 5);
        let bytes = pm.export_snapshot(9);
        let mut back = PeerManager::new(Config::default()).unwrap();
        restore(&mut back, &bytes, 0).unwrap();
        assert_eq!(back.tag_value(&Key::from("a"), "kbucket"), Some(5));
        assert_eq!(back.export_snapshot(9), bytes);
    }

    #[test]
    fn a_bad_format_1_payload_is_refused_and_changes_nothing() {
        let mut pm = PeerManager::new(Config::default()).unwrap();
        pm.tag_peer(&Key::from("keep"), "x", 1);
        let bad = V1.replace("\"value\":40", "\"value\":-1");
        assert!(matches!(
            restore(&mut pm, &frame(1, bad.as_bytes()), 0),
            Err(SnapshotError::Corrupt(_))
        ));
        assert_eq!(pm.tag_value(&Key::from("keep"), "x"), Some(1));
    }
}

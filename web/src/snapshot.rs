//! `snapshot()` / `restore(bytes)`: the engine's own formats 3 and 2 (core's `export_snapshot`
//! / `import_snapshot`: every tag with its exact decay timing, protections, scores, bans,
//! strikes, blocks, disconnect records, reconnect backoff; see `peerkeeper_core::snapshot`),
//! and format 1, the package's earlier JSON format, which is still read.
//!
//! Both share core's header: `b"PKSN"`, format version (u16 LE), payload length (u32 LE),
//! CRC-32 of the payload (u32 LE). Format 1's payload is JSON of [`PayloadV1`]: the clock and
//! every peer's static tags, decaying tags (value, interval, decay and bump functions) and
//! protection reasons; restoring it builds a new manager first and swaps it in only on
//! success, so refused bytes leave the manager untouched, as core's import does.

use crate::js_json::Json;
use crate::js_manager::Key;
use peerkeeper_core::snapshot::{unframe, SnapshotError};
use peerkeeper_core::{BumpFn, DecayFn, Millis, PeerManager};

struct PayloadV1 {
    now: Millis,
    peers: Vec<PeerV1>,
}

struct PeerV1 {
    peer: String,
    tags: Vec<TagV1>,
    protections: Vec<String>,
}

struct TagV1 {
    name: String,
    value: i64,
    /// `None` for a static tag.
    decay: Option<DecayV1>,
}

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
    let payload = Json::parse(body).and_then(|j| payload_v1(&j)).map_err(SnapshotError::Corrupt)?;
    *pm = rebuild_v1(&payload, pm, now)?;
    Ok(())
}

fn required<'a>(j: &'a Json, key: &str) -> Result<&'a Json, String> {
    j.get(key).ok_or_else(|| format!("missing field `{key}`"))
}

fn int<T: std::str::FromStr>(j: &Json, key: &str) -> Result<T, String> {
    required(j, key)?.as_int().ok_or_else(|| format!("`{key}` is not an integer in range"))
}

fn text(j: &Json, key: &str) -> Result<String, String> {
    required(j, key)?.as_str().map(str::to_owned).ok_or_else(|| format!("`{key}` is not a string"))
}

fn list<'a>(j: &'a Json, key: &str) -> Result<&'a [Json], String> {
    required(j, key)?.as_array().ok_or_else(|| format!("`{key}` is not an array"))
}

/// Format 1's payload from its JSON (core's serde shapes of `DecayFn` and `BumpFn`).
fn payload_v1(j: &Json) -> Result<PayloadV1, String> {
    let peers = list(j, "peers")?.iter().map(peer_v1).collect::<Result<_, _>>()?;
    Ok(PayloadV1 { now: int(j, "now")?, peers })
}

fn peer_v1(j: &Json) -> Result<PeerV1, String> {
    Ok(PeerV1 {
        peer: text(j, "peer")?,
        tags: list(j, "tags")?.iter().map(tag_v1).collect::<Result<_, _>>()?,
        protections: list(j, "protections")?
            .iter()
            .map(|p| p.as_str().map(str::to_owned).ok_or("a protection is not a string"))
            .collect::<Result<_, _>>()?,
    })
}

fn tag_v1(j: &Json) -> Result<TagV1, String> {
    let decay = match j.get("decay") {
        None | Some(Json::Null) => None,
        Some(d) => Some(DecayV1 {
            interval: int(d, "interval")?,
            decay: decay_fn(required(d, "decay")?)?,
            bump: bump_fn(required(d, "bump")?)?,
        }),
    };
    Ok(TagV1 { name: text(j, "name")?, value: int(j, "value")?, decay })
}

fn decay_fn(j: &Json) -> Result<DecayFn, String> {
    Ok(match text(j, "kind")?.as_str() {
        "none" => DecayFn::None,
        "fixed" => DecayFn::Fixed { amount: int(j, "amount")? },
        "linear" => DecayFn::Linear {
            coef: required(j, "coef")?
                .as_f64()
                .filter(|c| (0.0..=1.0).contains(c))
                .ok_or("`coef` is not a number in [0, 1]")?,
        },
        "expire_when_inactive" => DecayFn::ExpireWhenInactive { after: int(j, "after")? },
        other => return Err(format!("unknown decay kind {other:?}")),
    })
}

fn bump_fn(j: &Json) -> Result<BumpFn, String> {
    Ok(match text(j, "kind")?.as_str() {
        "sum" => BumpFn::Sum,
        "sum_bounded" => BumpFn::SumBounded { min: int(j, "min")?, max: int(j, "max")? },
        "overwrite" => BumpFn::Overwrite,
        other => return Err(format!("unknown bump kind {other:?}")),
    })
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

    #[test]
    fn broken_format_1_json_is_refused_with_the_reason() {
        let mut pm = PeerManager::new(Config::default()).unwrap();
        let refused = |json: &str| match restore(&mut pm.clone(), &frame(1, json.as_bytes()), 0) {
            Err(SnapshotError::Corrupt(why)) => why,
            other => panic!("{json} gave {other:?}"),
        };
        assert_eq!(refused(&V1[..40]), "unterminated string at byte 40");
        assert_eq!(refused(r#"{"peers":[]}"#), "missing field `now`");
        assert_eq!(refused(r#"{"now":-1,"peers":[]}"#), "`now` is not an integer in range");
        let linear =
            V1.replace(r#"{"kind":"fixed","amount":2}"#, r#"{"kind":"linear","coef":1.5}"#);
        assert_eq!(refused(&linear), "`coef` is not a number in [0, 1]");
        let unknown = V1.replace(r#""kind":"overwrite""#, r#""kind":"max""#);
        assert_eq!(refused(&unknown), "unknown bump kind \"max\"");
        let half = V1.replace(r#"{"kind":"fixed","amount":2}"#, r#"{"kind":"linear","coef":0.5}"#);
        restore(&mut pm, &frame(1, half.as_bytes()), 0).unwrap();
        assert_eq!(pm.tag_value(&Key::from("a"), "gossip"), Some(40));
    }

    #[test]
    fn every_truncation_and_byte_change_of_format_1_is_refused_or_restored_never_a_panic() {
        let base = PeerManager::new(Config::default()).unwrap();
        let body = V1.as_bytes();
        let mut outcomes = (0, 0);
        let mut try_body = |bytes: &[u8]| match restore(&mut base.clone(), &frame(1, bytes), 0) {
            Ok(()) => outcomes.0 += 1,
            Err(_) => outcomes.1 += 1,
        };
        for len in 0..body.len() {
            try_body(&body[..len]);
        }
        for at in 0..body.len() {
            for b in [b'"', b'\\', b'{', b']', b'0', b'-', b'e', 0xff, b' ', b'u'] {
                let mut bytes = body.to_vec();
                bytes[at] = b;
                try_body(&bytes);
            }
        }
        // Only the untouched document and harmless edits (spaces, digits) restore.
        assert!(outcomes.0 > 0 && outcomes.1 > outcomes.0, "{outcomes:?}");
    }
}

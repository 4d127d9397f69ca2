//! `snapshot()` / `restore(bytes)`: the peer state the manager can rebuild through core's public
//! facade, as versioned bytes.
//!
//! Layout: `b"PKSN"`, format version (u16 LE), payload length (u32 LE), CRC-32 of the payload
//! (u32 LE), then the payload: JSON of [`Payload`]. A version above [`VERSION`] is refused as
//! coming from a newer package; a bad magic, length, checksum or payload is refused as corrupt.
//! Restoring builds a complete new manager first and swaps it in only on success, so a refused
//! snapshot leaves the manager untouched.
//!
//! What version 1 covers: every remembered peer's static tags (values), decaying tags (value,
//! interval, decay and bump functions) and protection reasons, and the manager's clock. What it
//! does not: open connections (a restored peer counts as disconnected until the caller reports
//! a connection, so retention applies to it from the restore time), the decay phase (a restored
//! decaying tag next decays one interval after the restore time; `expire_when_inactive` counts
//! idleness from it), the silence period of the last trim, and anything issue 4-6 adds to the
//! facade (behaviour scores, bans, backoff, disconnect records): those need core to expose them
//! and belong in version 2.
//!
//! Core has no way to list peers that are not connected, nor a tag's decay function, so the
//! manager keeps a [`Ledger`] of the peers it was told about and of the decay spec each
//! decaying tag was set with.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use peerkeeper_core::{BumpFn, Config, DecayFn, Event, Millis, PeerManager};

use crate::js_manager::Key;
use serde::{Deserialize, Serialize};

pub const MAGIC: &[u8; 4] = b"PKSN";
pub const VERSION: u16 = 1;
const HEADER: usize = 4 + 2 + 4 + 4;

/// How a decaying tag was set: enough to set it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecaySpec {
    pub interval: Millis,
    pub decay: DecayFn,
    pub bump: BumpFn,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    now: Millis,
    peers: Vec<PeerState>,
}

#[derive(Serialize, Deserialize)]
struct PeerState {
    peer: String,
    tags: Vec<TagState>,
    protections: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct TagState {
    name: String,
    value: i64,
    /// `None` for a static tag.
    decay: Option<DecaySpec>,
}

/// Peers the manager was told about and the decay specs of their decaying tags. Entries of a
/// peer are dropped when its `peer_forgotten` event is polled, or at the next snapshot if it
/// has nothing left worth saving.
#[derive(Default)]
pub struct Ledger {
    peers: HashMap<String, BTreeMap<String, DecaySpec>>,
    protections: BTreeSet<String>,
}

impl Ledger {
    pub fn touch(&mut self, peer: &str) {
        if !self.peers.contains_key(peer) {
            self.peers.insert(peer.to_owned(), BTreeMap::new());
        }
    }

    pub fn decaying(&mut self, peer: &str, tag: &str, spec: DecaySpec) {
        self.touch(peer);
        if let Some(specs) = self.peers.get_mut(peer) {
            specs.insert(tag.to_owned(), spec);
        }
    }

    pub fn protection(&mut self, peer: &str, reason: &str) {
        self.touch(peer);
        if !self.protections.contains(reason) {
            self.protections.insert(reason.to_owned());
        }
    }

    /// Keeps the ledger in step with the events the caller drains.
    pub fn observe(&mut self, event: &Event<Key>) {
        if let Event::PeerForgotten { peer, .. } = event {
            self.peers.remove(&**peer);
        }
    }

    pub fn len(&self) -> usize {
        self.peers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }
}

/// Why a snapshot was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum RestoreError {
    NotASnapshot,
    FutureVersion(u16),
    Corrupt(String),
}

impl std::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestoreError::NotASnapshot => f.write_str("bytes are not a peerkeeper snapshot"),
            RestoreError::FutureVersion(v) => write!(
                f,
                "snapshot format version {v} is newer than this package supports ({VERSION})"
            ),
            RestoreError::Corrupt(why) => write!(f, "snapshot is corrupt: {why}"),
        }
    }
}

/// Captures the state and prunes ledger entries of peers the manager no longer knows.
pub fn capture(pm: &PeerManager<Key>, ledger: &mut Ledger) -> Vec<u8> {
    let mut keys: Vec<&String> = ledger.peers.keys().collect();
    keys.sort();
    let mut peers = Vec::new();
    let mut gone = Vec::new();
    for name in keys {
        let specs = &ledger.peers[name];
        let peer: Key = Key::from(name.as_str());
        let peer = &peer;
        let tags: Vec<TagState> = pm
            .tags(peer)
            .into_iter()
            .filter_map(|(name, value, decaying)| {
                let decay = if decaying {
                    // A decaying tag always went through `decaying()`; skip rather than guess.
                    Some(specs.get(name.as_str())?.clone())
                } else {
                    None
                };
                Some(TagState { name: name.to_string(), value, decay })
            })
            .collect();
        let protections: Vec<String> =
            ledger.protections.iter().filter(|r| pm.is_protected(peer, Some(r))).cloned().collect();
        if tags.is_empty() && protections.is_empty() {
            if pm.connection_count(peer) == 0 {
                gone.push(name.clone());
            }
            continue;
        }
        peers.push(PeerState { peer: name.clone(), tags, protections });
    }
    for peer in gone {
        ledger.peers.remove(&peer);
    }
    encode(&Payload { now: pm.now(), peers })
}

fn encode(payload: &Payload) -> Vec<u8> {
    // Serializing plain structs of strings and integers cannot fail.
    let body = serde_json::to_vec(payload).unwrap_or_default();
    let mut out = Vec::with_capacity(HEADER + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

fn decode(bytes: &[u8]) -> Result<Payload, RestoreError> {
    if bytes.len() < 6 || &bytes[..4] != MAGIC {
        return Err(RestoreError::NotASnapshot);
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if version > VERSION {
        return Err(RestoreError::FutureVersion(version));
    }
    if version == 0 {
        return Err(RestoreError::Corrupt("format version 0".into()));
    }
    if bytes.len() < HEADER {
        return Err(RestoreError::Corrupt("truncated header".into()));
    }
    let len = u32::from_le_bytes([bytes[6], bytes[7], bytes[8], bytes[9]]) as usize;
    let crc = u32::from_le_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]);
    let body = &bytes[HEADER..];
    if body.len() != len {
        return Err(RestoreError::Corrupt(format!(
            "payload is {} bytes, header says {len}",
            body.len()
        )));
    }
    if crc32fast::hash(body) != crc {
        return Err(RestoreError::Corrupt("checksum mismatch".into()));
    }
    serde_json::from_slice(body).map_err(|e| RestoreError::Corrupt(e.to_string()))
}

/// Rebuilds a manager with `config` from `bytes`; emits no events (the replay's own are
/// dropped). Peers beyond `max_retained_peers` are forgotten, oldest-replayed first, exactly
/// as the running manager would.
pub fn rebuild(
    bytes: &[u8],
    config: &Config,
    now: Millis,
) -> Result<(PeerManager<Key>, Ledger), RestoreError> {
    let payload = decode(bytes)?;
    let mut pm = PeerManager::new(config.clone())
        .map_err(|e| RestoreError::Corrupt(format!("config refused: {e}")))?;
    let now = now.max(payload.now);
    pm.handle_timeout(now);
    let mut ledger = Ledger::default();
    for p in &payload.peers {
        let key = Key::from(p.peer.as_str());
        if p.peer.is_empty() {
            return Err(RestoreError::Corrupt("a peer with an empty key".into()));
        }
        for t in &p.tags {
            if t.name.is_empty() {
                return Err(RestoreError::Corrupt(format!("an empty tag name on {:?}", p.peer)));
            }
            match &t.decay {
                None => pm.tag_peer(&key, &t.name, t.value),
                Some(spec) => {
                    if t.value <= 0 {
                        return Err(RestoreError::Corrupt(format!(
                            "decaying tag {:?} of {:?} has value {}",
                            t.name, p.peer, t.value
                        )));
                    }
                    pm.tag_peer_decaying_with_bump(
                        &key,
                        &t.name,
                        t.value,
                        spec.interval,
                        spec.decay.clone(),
                        spec.bump,
                        now,
                    );
                    ledger.decaying(&p.peer, &t.name, spec.clone());
                }
            }
            ledger.touch(&p.peer);
        }
        for r in &p.protections {
            if r.is_empty() {
                return Err(RestoreError::Corrupt(format!("an empty protection on {:?}", p.peer)));
            }
            pm.protect(&key, r);
            ledger.protection(&p.peer, r);
        }
    }
    while let Some(e) = pm.poll_event() {
        ledger.observe(&e);
    }
    Ok((pm, ledger))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (PeerManager<Key>, Ledger) {
        let mut pm = PeerManager::new(Config::default()).unwrap();
        let mut ledger = Ledger::default();
        let a = Key::from("a");
        pm.tag_peer(&a, "kbucket", 5);
        ledger.touch("a");
        let spec =
            DecaySpec { interval: 1_000, decay: DecayFn::fixed(2), bump: BumpFn::overwrite() };
        pm.tag_peer_decaying_with_bump(&a, "gossip", 40, 1_000, spec.decay.clone(), spec.bump, 7);
        ledger.decaying("a", "gossip", spec);
        pm.protect(&Key::from("b"), "relay");
        ledger.protection("b", "relay");
        (pm, ledger)
    }

    #[test]
    fn a_snapshot_round_trips_tags_decaying_tags_and_protections() {
        let (pm, mut ledger) = sample();
        let bytes = capture(&pm, &mut ledger);
        let (back, _) = rebuild(&bytes, &Config::default(), 0).unwrap();
        let a = Key::from("a");
        assert_eq!(back.tag_value(&a, "kbucket"), Some(5));
        assert_eq!(back.tag_value(&a, "gossip"), Some(40));
        assert_eq!(back.tags(&a).iter().map(|t| t.2).collect::<Vec<_>>(), vec![false, true]);
        assert!(back.is_protected(&Key::from("b"), Some("relay")));
        assert_eq!(back.now(), 7);
        assert_eq!(capture(&back, &mut rebuild(&bytes, &Config::default(), 0).unwrap().1), bytes);
    }

    #[test]
    fn every_flipped_payload_byte_is_refused_as_corrupt() {
        let (pm, mut ledger) = sample();
        let bytes = capture(&pm, &mut ledger);
        for i in HEADER..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x20;
            assert!(matches!(rebuild(&bad, &Config::default(), 0), Err(RestoreError::Corrupt(_))));
        }
    }

    #[test]
    fn a_future_version_and_foreign_bytes_are_refused_by_name() {
        let (pm, mut ledger) = sample();
        let mut bytes = capture(&pm, &mut ledger);
        bytes[4] = 2;
        assert_eq!(
            rebuild(&bytes, &Config::default(), 0).err(),
            Some(RestoreError::FutureVersion(2))
        );
        assert_eq!(
            rebuild(b"{\"now\":1}", &Config::default(), 0).err(),
            Some(RestoreError::NotASnapshot)
        );
        assert_eq!(rebuild(&[], &Config::default(), 0).err(), Some(RestoreError::NotASnapshot));
    }
}

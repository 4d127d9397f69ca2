//! Core events as plain JS objects (commands, a peer and a reason each, cross as strings; see
//! `RawPeerManager::drainCommands`).
//!
//! Convention: field names are camelCase (`stillProtected`, `cutScore`, `connectedAt`); the
//! `type` of an object is the name it is dispatched under (`'trim'`, `'tagSet'`, and
//! `'disconnect'` for the one command); enumerated values (reasons, verdicts, triggers, removal
//! causes, directions) keep the engine's stable snake_case vocabulary (`'too_many_peers'`,
//! `'closed_tie_oldest'`), the same strings the Rust serde encoding and status lines use. An
//! absent optional value is `null`. Times are milliseconds.

use peerkeeper_core::blocklist::Role;
use peerkeeper_core::{
    Direction, Event, PeerAction, RemovalCause, TrimEntry, TrimReport, TrimTrigger, Verdict,
};
use serde::Serialize;

use crate::js_json::{camel_json_typed, variant_name};
use crate::js_manager::Key;
use crate::peer_handles::PeerHandles;

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
enum JsEvent<'a> {
    Connected {
        peer: &'a str,
        conn: u64,
        direction: Direction,
        connections: usize,
        at: u64,
    },
    Disconnected {
        peer: &'a str,
        conn: u64,
        connections: usize,
        at: u64,
    },
    TagSet {
        peer: &'a str,
        tag: &'a str,
        old: Option<i64>,
        new: i64,
        decaying: bool,
        at: u64,
    },
    TagBumped {
        peer: &'a str,
        tag: &'a str,
        old: i64,
        new: i64,
        at: u64,
    },
    TagDecayed {
        peer: &'a str,
        tag: &'a str,
        old: i64,
        new: i64,
        at: u64,
    },
    TagRemoved {
        peer: &'a str,
        tag: &'a str,
        old: i64,
        cause: RemovalCause,
        at: u64,
    },
    Protected {
        peer: &'a str,
        tag: &'a str,
        at: u64,
    },
    Unprotected {
        peer: &'a str,
        tag: &'a str,
        still_protected: bool,
        at: u64,
    },
    TrimDeferred {
        until: u64,
        at: u64,
    },
    #[serde(rename = "trim")]
    Trimmed {
        report: JsTrimReport,
        at: u64,
    },
    PeerForgotten {
        peer: &'a str,
        at: u64,
    },
    /// Core's `reblocked` is a list of (peer, role) tuples: pairs of objects read better.
    EpochTransitioned {
        epoch: u64,
        reblocked: Vec<JsPeerRole<'a>>,
        dropped: Vec<&'a str>,
        at: u64,
    },
    /// Core's `action` is a tagged object; here it is the tier's name (`'custom'` for a
    /// custom delta), and `requested` the delta asked for before clamping.
    BehaviourReported {
        peer: &'a str,
        action: String,
        name: &'a str,
        requested: Option<f64>,
        delta: f64,
        score: f64,
        at: u64,
    },
}

#[derive(Serialize)]
struct JsPeerRole<'a> {
    peer: &'a str,
    role: Role,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsTrimReport {
    trigger: TrimTrigger,
    connected: usize,
    target: usize,
    closed: usize,
    shortfall: usize,
    cut_score: Option<f64>,
    /// Index of this report's [`Columns`] in the batch; the JS layer swaps in the entries.
    entries: usize,
}

/// A trim report's entries, column by column: 10 000 entries cost ~1.4 MB as JSON but a few
/// typed arrays as columns.
pub struct Columns {
    /// Every entry's peer by its handle (see `peer_handles`), which the JS layer turns into
    /// the id it filed under it; [`NO_HANDLE`] for a peer without one, whose id is the next
    /// part of `text`.
    pub handles: Vec<u32>,
    /// The ids of the peers without a handle, concatenated as UTF-8; `lengths` splits it once
    /// decoded (UTF-16 units).
    pub text: Vec<u8>,
    pub lengths: Vec<u32>,
    pub scores: Vec<f64>,
    /// 0 for none (ranks start at 1).
    pub ranks: Vec<u32>,
    /// Indexes into `verdict_names`.
    pub verdicts: Vec<u8>,
    pub verdict_names: Vec<&'static str>,
    pub connected_at: Vec<f64>,
}

/// In [`Columns::handles`]: this peer's id is in the text.
pub const NO_HANDLE: u32 = u32::MAX;

impl Columns {
    /// One pass per column: each a plain map-and-collect the compiler turns into a tight loop.
    fn of(entries: &[TrimEntry<Key>], names: &PeerHandles) -> Columns {
        let (mut text, mut lengths) = (Vec::new(), Vec::new());
        let handles = entries
            .iter()
            .map(|e| {
                names.get(&e.peer).unwrap_or_else(|| {
                    text.extend_from_slice(e.peer.as_bytes());
                    lengths.push(utf16_len(&e.peer));
                    NO_HANDLE
                })
            })
            .collect();
        let mut known: Vec<Verdict> = Vec::new();
        let verdicts = entries
            .iter()
            .map(|e| {
                let at = known.iter().position(|v| *v == e.verdict).unwrap_or_else(|| {
                    known.push(e.verdict);
                    known.len() - 1
                });
                at as u8
            })
            .collect();
        let verdict_names = known.iter().map(|v| v.as_str()).collect();
        Columns {
            handles,
            text,
            lengths,
            scores: entries.iter().map(|e| e.score).collect(),
            ranks: entries.iter().map(|e| e.rank.unwrap_or(0)).collect(),
            verdicts,
            verdict_names,
            connected_at: entries.iter().map(|e| e.connected_at as f64).collect(),
        }
    }
}

/// Length in UTF-16 units (what JS's `slice` counts): the byte length for ASCII, which is
/// checked a word at a time, instead of decoding every character.
pub fn utf16_len(s: &str) -> u32 {
    if s.is_ascii() {
        s.len() as u32
    } else {
        s.encode_utf16().count() as u32
    }
}

fn report(r: &TrimReport<Key>, columns: &mut Vec<Columns>, names: &PeerHandles) -> JsTrimReport {
    columns.push(Columns::of(&r.entries, names));
    JsTrimReport {
        trigger: r.trigger,
        connected: r.connected,
        target: r.target,
        closed: r.closed,
        shortfall: r.shortfall,
        cut_score: r.cut_score,
        entries: columns.len() - 1,
    }
}

/// The typed mirror of issue 3's events and of those whose core shape reads badly in JS;
/// `None` for the rest, which cross through [`generic`].
fn mirror<'a>(
    e: &'a Event<Key>,
    columns: &mut Vec<Columns>,
    names: &PeerHandles,
) -> Option<JsEvent<'a>> {
    Some(match e {
        Event::Connected { peer, conn, direction, connections, at } => JsEvent::Connected {
            peer,
            conn: conn.0,
            direction: *direction,
            connections: *connections,
            at: *at,
        },
        Event::Disconnected { peer, conn, connections, at } => {
            JsEvent::Disconnected { peer, conn: conn.0, connections: *connections, at: *at }
        }
        Event::TagSet { peer, tag, old, new, decaying, at } => {
            JsEvent::TagSet { peer, tag, old: *old, new: *new, decaying: *decaying, at: *at }
        }
        Event::TagBumped { peer, tag, old, new, at } => {
            JsEvent::TagBumped { peer, tag, old: *old, new: *new, at: *at }
        }
        Event::TagDecayed { peer, tag, old, new, at } => {
            JsEvent::TagDecayed { peer, tag, old: *old, new: *new, at: *at }
        }
        Event::TagRemoved { peer, tag, old, cause, at } => {
            JsEvent::TagRemoved { peer, tag, old: *old, cause: *cause, at: *at }
        }
        Event::Protected { peer, tag, at } => JsEvent::Protected { peer, tag, at: *at },
        Event::Unprotected { peer, tag, still_protected, at } => {
            JsEvent::Unprotected { peer, tag, still_protected: *still_protected, at: *at }
        }
        Event::TrimDeferred { until, at } => JsEvent::TrimDeferred { until: *until, at: *at },
        Event::Trimmed { report: r, at } => {
            JsEvent::Trimmed { report: report(r, columns, names), at: *at }
        }
        Event::PeerForgotten { peer, at } => JsEvent::PeerForgotten { peer, at: *at },
        Event::EpochTransitioned { epoch, reblocked, dropped, at } => JsEvent::EpochTransitioned {
            epoch: *epoch,
            reblocked: reblocked
                .iter()
                .map(|(peer, role)| JsPeerRole { peer, role: *role })
                .collect(),
            dropped: dropped.iter().map(|p| &**p).collect(),
            at: *at,
        },
        Event::BehaviourReported { peer, action, name, delta, score, at } => {
            JsEvent::BehaviourReported {
                peer,
                action: variant_name(action),
                name,
                requested: match action {
                    PeerAction::Custom { delta } => Some(*delta),
                    _ => None,
                },
                delta: *delta,
                score: *score,
                at: *at,
            }
        }
        _ => return None,
    })
}

/// Events without a typed mirror (issues 4-6: reports, bans, strikes, lifecycle, fork) cross
/// in core's serde shape with every key and the `type` turned camelCase, so the module's
/// convention holds for them too; enumerated values keep their snake_case words.
fn generic(e: &Event<Key>, out: &mut String) {
    camel_json_typed(e, out);
}

/// Appends `value` to a JSON array being built in `out`.
fn push_json(out: &mut String, value: impl FnOnce(&mut String)) {
    out.push(if out.is_empty() { '[' } else { ',' });
    value(out);
}

fn close_json(mut out: String) -> Option<String> {
    if out.is_empty() {
        return None;
    }
    out.push(']');
    Some(out)
}

/// Events as one JSON array, with the entries of any trim report as [`Columns`]; `None` when
/// there are none. Crossing into JS once per batch and one `JSON.parse` there costs far less
/// than a boundary call per object or per field.
pub fn events_batch<'a>(
    events: impl Iterator<Item = &'a Event<Key>>,
    names: &PeerHandles,
) -> Option<(String, Vec<Columns>)> {
    let mut out = String::new();
    let mut columns = Vec::new();
    for e in events {
        match mirror(e, &mut columns, names) {
            Some(js) => push_json(&mut out, |o| camel_json_typed(&js, o)),
            None => push_json(&mut out, |o| generic(e, o)),
        }
    }
    close_json(out).map(|json| (json, columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_without_a_typed_mirror_cross_with_camel_case_keys_and_type() {
        let e: Event<Key> = Event::SoftBanned {
            peer: Key::from("p1"),
            reason: "spam strike threshold exceeded".into(),
            until: 3_600_000,
            at: 5,
        };
        let (json, columns) = events_batch(std::iter::once(&e), &PeerHandles::default()).unwrap();
        assert!(columns.is_empty());
        assert_eq!(
            json,
            r#"[{"type":"softBanned","peer":"p1","reason":"spam strike threshold exceeded","until":3600000,"at":5}]"#
        );
    }
}

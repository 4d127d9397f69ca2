//! Core events as plain JS objects (commands, a peer and a reason each, cross as strings; see
//! `RawPeerManager::drainCommands`).
//!
//! Convention: field names are camelCase (`stillProtected`, `cutScore`, `connectedAt`); the
//! `type` of an object is the name it is dispatched under (`'trim'`, `'tagSet'`, and
//! `'disconnect'` for the one command); enumerated values (reasons, verdicts, triggers, removal
//! causes, directions) keep the engine's stable snake_case vocabulary (`'too_many_peers'`,
//! `'closed_tie_oldest'`), the same strings the Rust serde encoding and status lines use. An
//! absent optional value is `null`. Times are milliseconds.

use peerkeeper_core::{
    Direction, Event, RemovalCause, TrimEntry, TrimReport, TrimTrigger, Verdict,
};
use serde::Serialize;

use crate::js_manager::Key;

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
        report: JsTrimReport<'a>,
        at: u64,
    },
    PeerForgotten {
        peer: &'a str,
        at: u64,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsTrimReport<'a> {
    trigger: TrimTrigger,
    connected: usize,
    target: usize,
    closed: usize,
    shortfall: usize,
    cut_score: Option<f64>,
    entries: Vec<JsTrimEntry<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsTrimEntry<'a> {
    peer: &'a str,
    score: f64,
    rank: Option<u32>,
    verdict: Verdict,
    connected_at: u64,
}

fn report(r: &TrimReport<Key>) -> JsTrimReport<'_> {
    JsTrimReport {
        trigger: r.trigger,
        connected: r.connected,
        target: r.target,
        closed: r.closed,
        shortfall: r.shortfall,
        cut_score: r.cut_score,
        entries: r.entries.iter().map(entry).collect(),
    }
}

fn entry(e: &TrimEntry<Key>) -> JsTrimEntry<'_> {
    JsTrimEntry {
        peer: &e.peer,
        score: e.score,
        rank: e.rank,
        verdict: e.verdict,
        connected_at: e.connected_at,
    }
}

fn mirror(e: &Event<Key>) -> JsEvent<'_> {
    match e {
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
        Event::Trimmed { report: r, at } => JsEvent::Trimmed { report: report(r), at: *at },
        Event::PeerForgotten { peer, at } => JsEvent::PeerForgotten { peer, at: *at },
    }
}

/// Appends `value` to a JSON array being built in `out`.
fn push_json<T: Serialize>(out: &mut Vec<u8>, value: &T) {
    out.push(if out.is_empty() { b'[' } else { b',' });
    // Plain structs of strings, numbers and options: serializing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

fn close_json(mut out: Vec<u8>) -> Option<String> {
    if out.is_empty() {
        return None;
    }
    out.push(b']');
    String::from_utf8(out).ok()
}

/// Events as one JSON array, `None` when there are none. Crossing into JS once per batch and
/// one `JSON.parse` there costs far less than a boundary call per object or per field.
pub fn events_json<'a>(events: impl Iterator<Item = &'a Event<Key>>) -> Option<String> {
    let mut out = Vec::new();
    for e in events {
        push_json(&mut out, &mirror(e));
    }
    close_json(out)
}

//! Checked conversions of the structured JS arguments of issues 4-6: enumerated names
//! (strike kinds, roles, reasons), report actions, IP addresses, and the chain types of the
//! fork view (`ChainStatus`, `Header`, `BlockRef`). Every failure names the method and the
//! argument's path (`statusReceived: status.head.number must be a number, got undefined`).

use std::net::IpAddr;

use js_sys::{Array, Object};
use peerkeeper_core::blocklist::{Role, TransportFailure};
use peerkeeper_core::fork::{
    BlockId, BlockRange, BlockRef, ChainStatus, ForkDigest, ForkStatus, Header, NetworkId, NodeMode,
};
use peerkeeper_core::strikes::StrikeKind;
use peerkeeper_core::{DisconnectReason, PeerAction};
use wasm_bindgen::{JsCast, JsValue};

use crate::js_args::{self as args, describe, field, range_error, type_error, JsResult};

/// An enumerated argument's accepted names, each with its value: matched here rather than
/// through serde so that no JSON deserializer is linked for a handful of words.
pub type Names<T> = &'static [(&'static str, T)];

pub const STRIKE_KINDS: Names<StrikeKind> = &[
    ("deserialization", StrikeKind::Deserialization),
    ("protocol_violation", StrikeKind::ProtocolViolation),
    ("dead_fork_block", StrikeKind::DeadForkBlock),
    ("dead_fork_block_in_grace", StrikeKind::DeadForkBlockInGrace),
    ("duplicate_block", StrikeKind::DuplicateBlock),
    ("out_of_order_block_in_range", StrikeKind::OutOfOrderBlockInRange),
];
pub const ROLES: Names<Role> = &[("primary", Role::Primary), ("backup", Role::Backup)];
pub const TRANSPORT_FAILURES: Names<TransportFailure> = &[
    ("dial", TransportFailure::Dial),
    ("tls", TransportFailure::Tls),
    ("reset", TransportFailure::Reset),
];
pub const DISCONNECT_REASONS: Names<DisconnectReason> = &[
    ("client_shutdown", DisconnectReason::ClientShutdown),
    ("irrelevant_network", DisconnectReason::IrrelevantNetwork),
    ("io_error", DisconnectReason::IoError),
    ("unviable_fork", DisconnectReason::UnviableFork),
    ("too_many_peers", DisconnectReason::TooManyPeers),
    ("bad_score", DisconnectReason::BadScore),
    ("banned", DisconnectReason::Banned),
    ("inbound_disconnect", DisconnectReason::InboundDisconnect),
    ("unknown", DisconnectReason::Unknown),
];
const ACTIONS: Names<PeerAction> = &[
    ("fatal", PeerAction::Fatal),
    ("low_tolerance", PeerAction::LowTolerance),
    ("mid_tolerance", PeerAction::MidTolerance),
    ("high_tolerance", PeerAction::HighTolerance),
];
const NODE_MODES: Names<NodeMode> = &[("sync", NodeMode::Sync), ("forward", NodeMode::Forward)];
const FORK_STATUSES: Names<ForkStatus> = &[
    ("normal", ForkStatus::Normal),
    ("looking", ForkStatus::Looking),
    ("minority", ForkStatus::Minority),
];

fn quoted<T>(names: Names<T>) -> String {
    names.iter().map(|(n, _)| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

fn lookup<T: Copy>(v: &str, names: Names<T>) -> Option<T> {
    names.iter().find(|(n, _)| *n == v).map(|(_, t)| *t)
}

/// One of `names` (the JS layer has checked it is a string).
pub fn named<T: Copy>(method: &str, arg: &str, v: &str, names: Names<T>) -> JsResult<T> {
    lookup(v, names).ok_or_else(|| {
        range_error(&format!("{method}: unknown {arg} {v:?} (expected one of {})", quoted(names)))
    })
}

/// [`named`] for a value not yet known to be a string.
fn named_value<T: Copy>(method: &str, arg: &str, v: &JsValue, names: Names<T>) -> JsResult<T> {
    match v.as_string() {
        Some(s) => named(method, arg, &s, names),
        None => Err(type_error(&format!("{method}: {arg} must be a string, got {}", describe(v)))),
    }
}

/// A report: a tier's name, or a finite number for a custom delta.
pub fn peer_action(method: &str, v: &JsValue) -> JsResult<PeerAction> {
    if let Some(delta) = v.as_f64() {
        if !delta.is_finite() {
            return Err(range_error(&format!(
                "{method}: action must be a finite number or a tier name, got {}",
                args::js_number(delta)
            )));
        }
        return Ok(PeerAction::Custom { delta });
    }
    let Some(name) = v.as_string() else {
        return Err(type_error(&format!(
            "{method}: action must be a tier name or a number, got {}",
            describe(v)
        )));
    };
    lookup(&name, ACTIONS).ok_or_else(|| {
        range_error(&format!(
            "{method}: unknown action {name:?} (expected one of {}, or a number)",
            quoted(ACTIONS)
        ))
    })
}

/// `N` bytes from `2N` hex digits, `0x` allowed (the text form of core's block ids and fork
/// digests).
pub fn hex_bytes<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.strip_prefix("0x").unwrap_or(text).as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        *byte = (hi * 16 + lo) as u8;
    }
    Some(out)
}

pub fn ip(method: &str, v: &str) -> JsResult<IpAddr> {
    v.parse().map_err(|_| {
        range_error(&format!("{method}: ip must be an IPv4 or IPv6 address, got {v:?}"))
    })
}

fn object<'a>(method: &str, path: &str, v: &'a JsValue) -> JsResult<&'a Object> {
    if !v.is_object() || v.is_function() || Array::is_array(v) {
        return Err(type_error(&format!(
            "{method}: {path} must be an object, got {}",
            describe(v)
        )));
    }
    Ok(v.unchecked_ref())
}

fn number_at(method: &str, obj: &Object, path: &str, name: &str) -> JsResult<u64> {
    args::millis(method, &format!("{path}.{name}"), &field(obj, name))
}

fn bool_at(method: &str, obj: &Object, path: &str, name: &str) -> JsResult<bool> {
    let v = field(obj, name);
    if v.is_undefined() {
        return Ok(false);
    }
    v.as_bool().ok_or_else(|| {
        type_error(&format!("{method}: {path}.{name} must be a boolean, got {}", describe(&v)))
    })
}

/// Fixed-size bytes as hex (`0x` allowed).
fn hex_at<const N: usize>(method: &str, obj: &Object, path: &str, name: &str) -> JsResult<[u8; N]> {
    let v = field(obj, name);
    let Some(text) = v.as_string() else {
        return Err(type_error(&format!(
            "{method}: {path}.{name} must be a hex string, got {}",
            describe(&v)
        )));
    };
    hex_bytes(&text).ok_or_else(|| {
        range_error(&format!("{method}: {path}.{name} must be {} hex digits, got {text:?}", 2 * N))
    })
}

fn block_id_at(method: &str, obj: &Object, path: &str, name: &str) -> JsResult<BlockId> {
    hex_at(method, obj, path, name).map(BlockId)
}

/// `{ number, id }`.
pub fn block_ref(method: &str, path: &str, v: &JsValue) -> JsResult<BlockRef> {
    let o = object(method, path, v)?;
    Ok(BlockRef {
        number: number_at(method, o, path, "number")?,
        id: block_id_at(method, o, path, "id")?,
    })
}

/// `{ number, id, parent, producer? }`.
pub fn header(method: &str, path: &str, v: &JsValue) -> JsResult<Header> {
    let o = object(method, path, v)?;
    let producer = field(o, "producer");
    let producer = if producer.is_undefined() {
        String::new()
    } else {
        producer.as_string().ok_or_else(|| {
            type_error(&format!(
                "{method}: {path}.producer must be a string, got {}",
                describe(&producer)
            ))
        })?
    };
    Ok(Header {
        number: number_at(method, o, path, "number")?,
        id: block_id_at(method, o, path, "id")?,
        parent: block_id_at(method, o, path, "parent")?,
        producer,
    })
}

/// An array of headers.
pub fn headers(method: &str, path: &str, v: &JsValue) -> JsResult<Vec<Header>> {
    if !Array::is_array(v) {
        return Err(type_error(&format!("{method}: {path} must be an array, got {}", describe(v))));
    }
    let items: &Array = v.unchecked_ref();
    items.iter().enumerate().map(|(i, h)| header(method, &format!("{path}[{i}]"), &h)).collect()
}

/// `{ networkId, forkDigest, head, lib, range?, nodeMode, forkStatus, emergency?, emergencyKey? }`.
pub fn chain_status(method: &str, v: &JsValue) -> JsResult<ChainStatus> {
    let path = "status";
    let o = object(method, path, v)?;
    let range = field(o, "range");
    let range = if range.is_undefined() || range.is_null() {
        None
    } else {
        let r = object(method, "status.range", &range)?;
        let earliest = number_at(method, r, "status.range", "earliest")?;
        let latest = number_at(method, r, "status.range", "latest")?;
        if earliest > latest {
            return Err(range_error(&format!(
                "{method}: status.range.earliest must not exceed status.range.latest ({earliest} > {latest})"
            )));
        }
        Some(BlockRange { earliest, latest })
    };
    Ok(ChainStatus {
        network_id: NetworkId(number_at(method, o, path, "networkId")?),
        fork_digest: ForkDigest(hex_at(method, o, path, "forkDigest")?),
        head: block_ref(method, "status.head", &field(o, "head"))?,
        lib: block_ref(method, "status.lib", &field(o, "lib"))?,
        range,
        node_mode: named_value(method, "status.nodeMode", &field(o, "nodeMode"), NODE_MODES)?,
        fork_status: named_value(
            method,
            "status.forkStatus",
            &field(o, "forkStatus"),
            FORK_STATUSES,
        )?,
        emergency: bool_at(method, o, path, "emergency")?,
        emergency_key: bool_at(method, o, path, "emergencyKey")?,
    })
}

/// The new epoch's set: an array of `{ peer, role }`. A peer listed twice is refused.
pub fn epoch_peers(method: &str, v: &JsValue) -> JsResult<Vec<(String, Role)>> {
    if !Array::is_array(v) {
        return Err(type_error(&format!("{method}: peers must be an array, got {}", describe(v))));
    }
    let items: &Array = v.unchecked_ref();
    let mut out: Vec<(String, Role)> = Vec::with_capacity(items.length() as usize);
    let mut seen = std::collections::BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("peers[{i}]");
        let o = object(method, &path, &item)?;
        let peer = field(o, "peer");
        let Some(peer) = peer.as_string() else {
            return Err(type_error(&format!(
                "{method}: {path}.peer must be a string, got {}",
                describe(&peer)
            )));
        };
        args::nonempty(method, &format!("{path}.peer"), &peer)?;
        let role = named_value(method, &format!("{path}.role"), &field(o, "role"), ROLES)?;
        if !seen.insert(peer.clone()) {
            return Err(range_error(&format!("{method}: {path}.peer {peer:?} is listed twice")));
        }
        out.push((peer, role));
    }
    Ok(out)
}

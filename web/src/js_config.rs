//! The manager's config from a plain JS object with camelCase keys. Every field is optional
//! (defaults come from core); an unknown key, a wrong type or a value core refuses is an error
//! naming the field, e.g. `RangeError: PeerManager: config.lowWater must not exceed
//! config.highWater (9 > 3)`.

use js_sys::{Object, Reflect};
use peerkeeper_core::fork::{ForkConfig, ForkDigest, NetworkId};
use peerkeeper_core::{Config, ConfigError};
use wasm_bindgen::{JsCast, JsValue};

use crate::js_args::{self, describe, field, range_error, type_error, JsResult};
use crate::js_json::camel;
use crate::js_values::hex_bytes;

const CTX: &str = "PeerManager";

/// (JS name, core name) of every config field, in documentation order.
pub const FIELDS: [(&str, &str); 9] = [
    ("lowWater", "low_water"),
    ("highWater", "high_water"),
    ("gracePeriod", "grace_period"),
    ("silencePeriod", "silence_period"),
    ("decayResolution", "decay_resolution"),
    ("outboundBonus", "outbound_bonus"),
    ("retentionMs", "retention_ms"),
    ("maxRetainedPeers", "max_retained_peers"),
    ("hashSeed", "hash_seed"),
];

/// Component sections: (JS name, core name). Each is an object whose fields are the camelCase
/// names of the core section's fields (`config.backoff.maxBackoff`).
pub const SECTIONS: [(&str, &str); 11] = [
    ("behaviour", "behaviour"),
    ("strikes", "strikes"),
    ("lifecycle", "lifecycle"),
    ("backoff", "backoff"),
    ("benchlist", "benchlist"),
    ("blocklist", "blocklist"),
    ("peerExchange", "peer_exchange"),
    ("upgrades", "upgrades"),
    ("inbound", "inbound"),
    ("health", "health"),
    ("fork", "fork"),
];

/// Keys besides the fields and sections: `trackLifecycle`, and `chain` (the head and LIB a
/// manager with a `fork` section starts from; the constructor reads it).
const OTHER_KEYS: [&str; 2] = ["trackLifecycle", "chain"];

fn known_keys() -> String {
    FIELDS
        .iter()
        .map(|(js, _)| *js)
        .chain(OTHER_KEYS)
        .chain(SECTIONS.iter().map(|(js, _)| *js))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `undefined` means all defaults. Returns the config and the `chain` value (`undefined` if
/// absent).
pub fn from_js(v: &JsValue) -> JsResult<(Config, JsValue)> {
    let mut config = Config::default();
    if v.is_undefined() {
        return Ok((config, JsValue::UNDEFINED));
    }
    if !v.is_object() || js_sys::Array::is_array(v) {
        return Err(type_error(&format!("{CTX}: config must be an object, got {}", describe(v))));
    }
    let obj: &Object = v.unchecked_ref();
    for key in Object::keys(obj).iter() {
        let key = key.as_string().unwrap_or_default();
        let known = FIELDS.iter().any(|(js, _)| *js == key)
            || OTHER_KEYS.contains(&key.as_str())
            || SECTIONS.iter().any(|(js, _)| *js == key);
        if !known {
            return Err(type_error(&format!(
                "{CTX}: unknown config field {key:?} (known: {})",
                known_keys()
            )));
        }
    }
    let get =
        |name: &str| Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let name = |js: &str| format!("config.{js}");
    macro_rules! set {
        ($js:literal, $field:ident, $parse:path) => {
            let value = get($js);
            if !value.is_undefined() {
                config.$field = $parse(CTX, &name($js), &value)?;
            }
        };
    }
    set!("lowWater", low_water, js_args::count);
    set!("highWater", high_water, js_args::count);
    set!("gracePeriod", grace_period, js_args::millis);
    set!("silencePeriod", silence_period, js_args::millis);
    set!("decayResolution", decay_resolution, js_args::millis);
    set!("outboundBonus", outbound_bonus, js_args::tag_value);
    set!("retentionMs", retention_ms, js_args::millis);
    set!("maxRetainedPeers", max_retained_peers, js_args::count);
    let seed = get("hashSeed");
    if !seed.is_undefined() {
        config.hash_seed = hash_seed(&seed)?;
    }
    let track = get("trackLifecycle");
    if !track.is_undefined() {
        config.track_lifecycle = track.as_bool().ok_or_else(|| {
            type_error(&format!(
                "{CTX}: config.trackLifecycle must be a boolean, got {}",
                describe(&track)
            ))
        })?;
    }
    config = sections(config, &get)?;
    config.validate().map_err(|e| refused(&e))?;
    Ok((config, get("chain")))
}

/// One field of a section, borrowed from a config: what a JS value must be to go there.
enum Slot<'a> {
    /// A non-negative safe integer (times in ms, byte counts).
    Int(&'a mut u64),
    Count(&'a mut usize),
    Small(&'a mut u32),
    /// A finite number.
    Number(&'a mut f64),
    Digest(&'a mut ForkDigest),
    Digests(&'a mut Vec<ForkDigest>),
}

macro_rules! slots {
    ($s:expr; $($js:literal: $kind:ident($($field:tt)+)),* $(,)?) => {
        vec![$(($js, Slot::$kind(&mut $s.$($field)+))),*]
    };
}

/// Every field of section `js` (a name from [`SECTIONS`]) of `c`, or of `fork` for `"fork"`:
/// read and written field by field, so no serde format is linked for the config.
fn slots<'a>(
    c: &'a mut Config,
    fork: &'a mut ForkConfig,
    js: &str,
) -> Vec<(&'static str, Slot<'a>)> {
    match js {
        "behaviour" => slots!(c.behaviour;
            "minScore": Number(min_score),
            "maxScore": Number(max_score),
            "disconnectThreshold": Number(disconnect_threshold),
            "banThreshold": Number(ban_threshold),
            "halfLifeMs": Int(half_life_ms),
            "banDurationMs": Int(ban_duration_ms),
            "lowToleranceDelta": Number(low_tolerance_delta),
            "midToleranceDelta": Number(mid_tolerance_delta),
            "highToleranceDelta": Number(high_tolerance_delta),
            "behaviourWeight": Number(behaviour_weight),
            "applicationWeight": Number(application_weight),
            "maxDisconnectRecords": Count(max_disconnect_records),
        ),
        "strikes" => slots!(c.strikes;
            "threshold": Small(threshold),
            "banDuration": Int(ban_duration),
        ),
        "lifecycle" => slots!(c.lifecycle;
            "connectTimeout": Int(connect_timeout),
            "handshakeTimeout": Int(handshake_timeout),
            "forgetAfter": Int(forget_after),
        ),
        "backoff" => slots!(c.backoff;
            "initialBackoff": Int(initial_backoff),
            "maxBackoff": Int(max_backoff),
            "stableAfter": Int(stable_after),
            "maxDialsInFlight": Count(max_dials_in_flight),
            "isolationAfter": Int(isolation_after),
        ),
        "benchlist" => slots!(c.benchlist;
            "halfLife": Int(half_life),
            "benchProbability": Number(bench_probability),
            "unbenchProbability": Number(unbench_probability),
            "benchDuration": Int(bench_duration),
            "maxBenchedFraction": Number(max_benched_fraction),
        ),
        "blocklist" => slots!(c.blocklist;
            "maxConsecutiveTransportFailures": Small(max_consecutive_transport_failures),
        ),
        "peerExchange" => slots!(c.peer_exchange;
            "maxRequests": Small(max_requests),
            "window": Int(window),
        ),
        "upgrades" => slots!(c.upgrades;
            "perIpCooldown": Int(per_ip_cooldown),
            "globalMax": Small(global_max),
            "globalWindow": Int(global_window),
        ),
        "inbound" => slots!(c.inbound;
            "bytesPerSec": Int(bytes_per_sec),
            "byteBurst": Int(byte_burst),
            "messagesPerSec": Int(messages_per_sec),
            "messageBurst": Int(message_burst),
            "maxDelay": Int(max_delay),
        ),
        "health" => slots!(c.health;
            "minConnectedPeers": Count(min_connected_peers),
            "maxTimeSinceMsgReceived": Int(max_time_since_msg_received),
            "maxTimeSinceMsgSent": Int(max_time_since_msg_sent),
            "maxSendFailRate": Number(max_send_fail_rate),
            "sendFailRateHalfLife": Int(send_fail_rate_half_life),
        ),
        "fork" => slots!(fork;
            "networkId": Int(network_id.0),
            "forkDigest": Digest(fork_digest),
            "compatibleDigests": Digests(compatible_digests),
            "treeCapacity": Count(tree_capacity),
            "resolutionThreshold": Int(resolution_threshold),
            "confirmationBlocks": Small(confirmation_blocks),
            "deadForkGraceMs": Int(dead_fork_grace_ms),
            "forwardBehindGraceMs": Int(forward_behind_grace_ms),
            "forwardStagnationMs": Int(forward_stagnation_ms),
            "syncStagnationMs": Int(sync_stagnation_ms),
            "gapFillMaxBlocks": Int(gap_fill_max_blocks),
            "gapFillCooldownMs": Int(gap_fill_cooldown_ms),
            "gapFillTimeoutMs": Int(gap_fill_timeout_ms),
        ),
        _ => Vec::new(),
    }
}

fn blank_fork() -> ForkConfig {
    ForkConfig::new(NetworkId(0), ForkDigest([0; 4]))
}

/// Applies every section given, field by field; a section's fields not given keep core's
/// defaults (a `fork` section starts from `ForkConfig::new` and needs `networkId` and
/// `forkDigest`).
fn sections(mut config: Config, get: &dyn Fn(&str) -> JsValue) -> JsResult<Config> {
    for (js, _) in SECTIONS {
        let given = get(js);
        if given.is_undefined() || (js == "fork" && given.is_null()) {
            continue;
        }
        if !given.is_object() || js_sys::Array::is_array(&given) {
            return Err(type_error(&format!(
                "{CTX}: config.{js} must be an object, got {}",
                describe(&given)
            )));
        }
        let given: &Object = given.unchecked_ref();
        let mut fork = blank_fork();
        if js == "fork" {
            for required in ["networkId", "forkDigest"] {
                if field(given, required).is_undefined() {
                    return Err(type_error(&format!("{CTX}: config.fork.{required} is required")));
                }
            }
        }
        section_fields(js, slots(&mut config, &mut fork, js), given)?;
        if js == "fork" {
            config.fork = Some(fork);
        }
    }
    Ok(config)
}

fn section_fields(
    js: &str,
    mut slots: Vec<(&'static str, Slot<'_>)>,
    given: &Object,
) -> JsResult<()> {
    for key in Object::keys(given).iter() {
        let key = key.as_string().unwrap_or_default();
        let path = format!("config.{js}.{key}");
        let Some((_, slot)) = slots.iter_mut().find(|(name, _)| *name == key) else {
            let mut known: Vec<&str> = slots.iter().map(|(name, _)| *name).collect();
            // By hand: a slice sort would link a generic sort routine of ~10 KB for one list.
            for i in 1..known.len() {
                let mut j = i;
                while j > 0 && known[j - 1] > known[j] {
                    known.swap(j - 1, j);
                    j -= 1;
                }
            }
            return Err(type_error(&format!(
                "{CTX}: unknown config field \"{path}\" (known: {})",
                known.join(", ")
            )));
        };
        let v = field(given, &key);
        match slot {
            Slot::Int(x) => **x = js_args::millis(CTX, &path, &v)?,
            Slot::Count(x) => **x = js_args::count(CTX, &path, &v)?,
            Slot::Small(x) => {
                **x = js_args::integer(CTX, &path, &v, 0.0, f64::from(u32::MAX))? as u32;
            }
            Slot::Number(x) => {
                let n = v.as_f64().ok_or_else(|| {
                    type_error(&format!("{CTX}: {path} must be a number, got {}", describe(&v)))
                })?;
                if !n.is_finite() {
                    return Err(range_error(&format!(
                        "{CTX}: {path} must be a finite number, got {}",
                        js_args::js_number(n)
                    )));
                }
                **x = n;
            }
            Slot::Digest(x) => **x = digest(&path, &v)?,
            Slot::Digests(x) => {
                if !js_sys::Array::is_array(&v) {
                    return Err(type_error(&format!(
                        "{CTX}: {path} must be an array, got {}",
                        describe(&v)
                    )));
                }
                let items: &js_sys::Array = v.unchecked_ref();
                let mut out = Vec::with_capacity(items.length() as usize);
                for (i, item) in items.iter().enumerate() {
                    out.push(digest(&format!("{path}[{i}]"), &item)?);
                }
                **x = out;
            }
        }
    }
    Ok(())
}

/// A fork digest: 8 hex digits (`0x` allowed), the only string a section holds.
fn digest(path: &str, v: &JsValue) -> JsResult<ForkDigest> {
    let Some(text) = v.as_string() else {
        return Err(type_error(&format!("{CTX}: {path} must be a string, got {}", describe(v))));
    };
    hex_bytes(&text)
        .map(ForkDigest)
        .ok_or_else(|| range_error(&format!("{CTX}: {path} must be 8 hex digits, got {text:?}")))
}

/// Lowercase hex, as core's serde encoding writes digests.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// A number (safe integer) or a bigint in `[0, 2^64)`.
fn hash_seed(v: &JsValue) -> JsResult<u64> {
    if v.is_bigint() {
        return u64::try_from(v.clone()).map_err(|_| {
            range_error(&format!("{CTX}: config.hashSeed must be a bigint in [0, 2^64)"))
        });
    }
    js_args::millis(CTX, "config.hashSeed", v)
}

fn camel_field(core_name: &str) -> &str {
    FIELDS.iter().find(|(_, c)| *c == core_name).map_or(core_name, |(js, _)| js)
}

/// Core's refusal, with core's snake_case field names turned into the JS names.
pub fn refused(e: &ConfigError) -> JsValue {
    let ConfigError::Invalid { field, reason, section } = e;
    let mut reason = reason.clone();
    let Some(section) = section else {
        for (js, core) in FIELDS {
            reason = reason.replace(core, &format!("config.{js}"));
        }
        return range_error(&format!("{CTX}: config.{} {reason}", camel_field(field)));
    };
    let js_section = SECTIONS.iter().find(|(_, c)| c == section).map_or(*section, |(js, _)| js);
    // Another field of the same section named in the reason (`at least initial_backoff`).
    let words: Vec<String> = reason
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.contains('_'))
        .map(str::to_owned)
        .collect();
    for w in words {
        reason = reason.replace(&w, &format!("config.{js_section}.{}", camel(&w)));
    }
    range_error(&format!("{CTX}: config.{js_section}.{} {reason}", camel(field)))
}

/// The config as the plain object `from_js` accepts; `hashSeed` is a bigint, and `sections`
/// is an object of every section by its JS name (the JS layer spreads it into the object).
pub fn to_js(c: &Config) -> JsValue {
    let obj = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&obj, &JsValue::from_str(k), &v);
    };
    set("lowWater", JsValue::from_f64(c.low_water as f64));
    set("highWater", JsValue::from_f64(c.high_water as f64));
    set("gracePeriod", JsValue::from_f64(c.grace_period as f64));
    set("silencePeriod", JsValue::from_f64(c.silence_period as f64));
    set("decayResolution", JsValue::from_f64(c.decay_resolution as f64));
    set("outboundBonus", JsValue::from_f64(c.outbound_bonus as f64));
    set("retentionMs", JsValue::from_f64(c.retention_ms as f64));
    set("maxRetainedPeers", JsValue::from_f64(c.max_retained_peers as f64));
    set("hashSeed", JsValue::from(c.hash_seed));
    set("trackLifecycle", JsValue::from_bool(c.track_lifecycle));
    // Sections as plain objects, field by field; the JS layer spreads them into the object.
    let sections = Object::new();
    let mut copy = c.clone();
    let mut fork = c.fork.clone().unwrap_or_else(blank_fork);
    for (js, _) in SECTIONS {
        if js == "fork" && c.fork.is_none() {
            let _ = Reflect::set(&sections, &JsValue::from_str(js), &JsValue::NULL);
            continue;
        }
        let section = Object::new();
        for (name, slot) in slots(&mut copy, &mut fork, js) {
            let value = match slot {
                Slot::Int(x) => JsValue::from_f64(*x as f64),
                Slot::Count(x) => JsValue::from_f64(*x as f64),
                Slot::Small(x) => JsValue::from_f64(f64::from(*x)),
                Slot::Number(x) => JsValue::from_f64(*x),
                Slot::Digest(x) => JsValue::from_str(&hex(&x.0)),
                Slot::Digests(x) => x
                    .iter()
                    .map(|d| JsValue::from_str(&hex(&d.0)))
                    .collect::<js_sys::Array>()
                    .into(),
            };
            let _ = Reflect::set(&section, &JsValue::from_str(name), &value);
        }
        let _ = Reflect::set(&sections, &JsValue::from_str(js), &section);
    }
    set("sections", sections.into());
    obj.into()
}

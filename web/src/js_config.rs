//! The manager's config from a plain JS object with camelCase keys. Every field is optional
//! (defaults come from core); an unknown key, a wrong type or a value core refuses is an error
//! naming the field, e.g. `RangeError: PeerManager: config.lowWater must not exceed
//! config.highWater (9 > 3)`.

use js_sys::{Object, Reflect};
use peerkeeper_core::fork::{ForkConfig, ForkDigest, NetworkId};
use peerkeeper_core::{Config, ConfigError};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};

use crate::js_args::{self, describe, field, range_error, type_error, JsResult};
use crate::js_json::{camel, camel_keys, snake};

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

/// Applies every section given, field by field, checked against the type of the default's
/// field; then rebuilds the config through serde, so a section has exactly core's shape.
fn sections(config: Config, get: &dyn Fn(&str) -> JsValue) -> JsResult<Config> {
    let mut whole = serde_json::to_value(&config).unwrap_or(Value::Null);
    let mut touched = false;
    for (js, core) in SECTIONS {
        let given = get(js);
        if given.is_undefined() || (core == "fork" && given.is_null()) {
            continue;
        }
        if !given.is_object() || js_sys::Array::is_array(&given) {
            return Err(type_error(&format!(
                "{CTX}: config.{js} must be an object, got {}",
                describe(&given)
            )));
        }
        let mut section = if core == "fork" {
            for required in ["networkId", "forkDigest"] {
                if field(given.unchecked_ref(), required).is_undefined() {
                    return Err(type_error(&format!("{CTX}: config.fork.{required} is required")));
                }
            }
            serde_json::to_value(ForkConfig::new(NetworkId(0), ForkDigest([0; 4])))
                .unwrap_or(Value::Null)
        } else {
            whole.get(core).cloned().unwrap_or(Value::Null)
        };
        section_fields(js, &mut section, given.unchecked_ref())?;
        if let Some(w) = whole.as_object_mut() {
            w.insert(core.to_owned(), section);
        }
        touched = true;
    }
    if !touched {
        return Ok(config);
    }
    serde_json::from_value(whole).map_err(|e| range_error(&format!("{CTX}: config refused: {e}")))
}

fn section_fields(js: &str, section: &mut Value, given: &Object) -> JsResult<()> {
    let Some(defaults) = section.as_object_mut() else { return Ok(()) };
    for key in Object::keys(given).iter() {
        let key = key.as_string().unwrap_or_default();
        let path = format!("config.{js}.{key}");
        let core_key = snake(&key);
        let Some(default) = defaults.get(&core_key) else {
            let known: Vec<String> = defaults.keys().map(|k| camel(k)).collect();
            return Err(type_error(&format!(
                "{CTX}: unknown config field \"{path}\" (known: {})",
                known.join(", ")
            )));
        };
        let v = field(given, &key);
        let value = match default {
            Value::Bool(_) => Value::Bool(v.as_bool().ok_or_else(|| {
                type_error(&format!("{CTX}: {path} must be a boolean, got {}", describe(&v)))
            })?),
            Value::Number(n) if n.is_f64() => {
                let x = v.as_f64().ok_or_else(|| {
                    type_error(&format!("{CTX}: {path} must be a number, got {}", describe(&v)))
                })?;
                if !x.is_finite() {
                    return Err(range_error(&format!(
                        "{CTX}: {path} must be a finite number, got {}",
                        js_args::js_number(x)
                    )));
                }
                serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
            }
            Value::Number(_) => Value::from(js_args::millis(CTX, &path, &v)?),
            Value::String(_) => Value::String(digest(&path, &v)?),
            Value::Array(_) => {
                if !js_sys::Array::is_array(&v) {
                    return Err(type_error(&format!(
                        "{CTX}: {path} must be an array, got {}",
                        describe(&v)
                    )));
                }
                let items: &js_sys::Array = v.unchecked_ref();
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    out.push(Value::String(digest(&format!("{path}[{i}]"), &item)?));
                }
                Value::Array(out)
            }
            _ => continue,
        };
        defaults.insert(core_key, value);
    }
    Ok(())
}

/// A fork digest: 8 hex digits (`0x` allowed), the only string a section holds.
fn digest(path: &str, v: &JsValue) -> JsResult<String> {
    let Some(text) = v.as_string() else {
        return Err(type_error(&format!("{CTX}: {path} must be a string, got {}", describe(v))));
    };
    match serde_json::from_value::<ForkDigest>(Value::String(text.clone())) {
        Ok(_) => Ok(text),
        Err(_) => Err(range_error(&format!("{CTX}: {path} must be 8 hex digits, got {text:?}"))),
    }
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
/// is JSON of every section by its JS name (the JS layer spreads it into the object).
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
    // Sections as camelCase JSON, parsed by the JS layer into plain objects.
    let mut sections = serde_json::Map::new();
    let whole = serde_json::to_value(c).unwrap_or(Value::Null);
    for (js, core) in SECTIONS {
        let mut v = whole.get(core).cloned().unwrap_or(Value::Null);
        camel_keys(&mut v);
        sections.insert(js.to_owned(), v);
    }
    set("sections", JsValue::from_str(&Value::Object(sections).to_string()));
    obj.into()
}

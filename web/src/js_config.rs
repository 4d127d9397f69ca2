//! The manager's config from a plain JS object with camelCase keys. Every field is optional
//! (defaults come from core); an unknown key, a wrong type or a value core refuses is an error
//! naming the field, e.g. `RangeError: PeerManager: config.lowWater must not exceed
//! config.highWater (9 > 3)`.

use js_sys::{Object, Reflect};
use peerkeeper_core::{Config, ConfigError};
use wasm_bindgen::{JsCast, JsValue};

use crate::js_args::{self, describe, range_error, type_error, JsResult};

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

/// `undefined` means all defaults.
pub fn from_js(v: &JsValue) -> JsResult<Config> {
    let mut config = Config::default();
    if v.is_undefined() {
        return Ok(config);
    }
    if !v.is_object() || js_sys::Array::is_array(v) {
        return Err(type_error(&format!("{CTX}: config must be an object, got {}", describe(v))));
    }
    let obj: &Object = v.unchecked_ref();
    for key in Object::keys(obj).iter() {
        let key = key.as_string().unwrap_or_default();
        if !FIELDS.iter().any(|(js, _)| *js == key) {
            return Err(type_error(&format!(
                "{CTX}: unknown config field {key:?} (known: {})",
                FIELDS.iter().map(|(js, _)| *js).collect::<Vec<_>>().join(", ")
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
    config.validate().map_err(|e| refused(&e))?;
    Ok(config)
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

fn camel(core_name: &str) -> &str {
    FIELDS.iter().find(|(_, c)| *c == core_name).map_or(core_name, |(js, _)| js)
}

/// Core's refusal, with core's snake_case field names turned into the JS names.
pub fn refused(e: &ConfigError) -> JsValue {
    // Sections (issues 4-6) are not configurable from JS yet, so a field name is enough.
    let ConfigError::Invalid { field, reason, section: _ } = e;
    let mut reason = reason.clone();
    for (js, core) in FIELDS {
        reason = reason.replace(core, &format!("config.{js}"));
    }
    range_error(&format!("{CTX}: config.{} {reason}", camel(field)))
}

/// The config as the plain object `from_js` accepts; `hashSeed` is a bigint.
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
    obj.into()
}

//! Engine values as JS values through JSON: core's serde shapes with every object key turned
//! camelCase (`banned_until` -> `bannedUntil`); string values keep their snake_case words
//! (`'low_tolerance'`, `'too_many_peers'`), the same vocabulary as the Rust serde encoding.
//! One string crosses the boundary and the JS layer runs `JSON.parse`, which costs far less
//! than building an object field by field through `Reflect::set`.

use serde::Serialize;
use serde_json::Value;

/// `still_protected` -> `stillProtected`.
pub fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `stillProtected` -> `still_protected`.
pub fn snake(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Turns every object key in `v` camelCase, recursively.
pub fn camel_keys(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, mut x) in std::mem::take(map) {
                camel_keys(&mut x);
                map.insert(camel(&k), x);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(camel_keys),
        _ => {}
    }
}

/// `value` as a camelCase JS-ready `serde_json::Value`.
pub fn camel_value<T: Serialize + ?Sized>(value: &T) -> Value {
    // Core's output types are plain data (strings, numbers, options, vectors, maps with
    // string keys): serializing them cannot fail.
    let mut v = serde_json::to_value(value).unwrap_or(Value::Null);
    camel_keys(&mut v);
    v
}

/// `value` as camelCase JSON text, for `JSON.parse` on the JS side.
pub fn camel_json<T: Serialize + ?Sized>(value: &T) -> String {
    camel_value(value).to_string()
}

/// A unit enum variant's serde name (`PeerAction::LowTolerance` -> `"low_tolerance"`), or the
/// `type` of an internally tagged one (`ProbeOutcome::StillBlocked` -> `"still_blocked"`).
pub fn variant_name<T: Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        Ok(Value::Object(map)) => map.get("type").and_then(Value::as_str).unwrap_or("").to_owned(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_turn_camel_case_and_back_while_values_keep_their_words() {
        let mut v = serde_json::json!({"type": "lifecycle_timed_out", "from_state": {"time_out": "io_error"}});
        camel_keys(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"type": "lifecycle_timed_out", "fromState": {"timeOut": "io_error"}})
        );
        assert_eq!(camel("still_protected"), "stillProtected");
        assert_eq!(snake("stillProtected"), "still_protected");
        assert_eq!(
            snake(&camel("max_consecutive_transport_failures")),
            "max_consecutive_transport_failures"
        );
        assert_eq!(camel("at"), "at");
    }

    #[test]
    fn variant_names_come_from_serde() {
        assert_eq!(variant_name(&peerkeeper_core::PeerAction::LowTolerance), "low_tolerance");
        assert_eq!(
            variant_name(&peerkeeper_core::blocklist::ProbeOutcome::StillBlocked),
            "still_blocked"
        );
        assert_eq!(
            variant_name(&peerkeeper_core::blocklist::BlockResult::AlreadyBlocked),
            "already_blocked"
        );
    }
}

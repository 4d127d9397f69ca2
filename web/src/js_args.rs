//! Argument checks for every JS entry point. The package's JS layer checks each argument's
//! type (`typeof` is free there, while a `JsValue` costs several boundary crossings); these
//! check the values. Each check names the method and the argument, so
//! a caller reads `RangeError: tagPeer: value must be a finite integer, got NaN` instead of a
//! wasm trap. Nothing here panics, whatever the JS value.

use js_sys::{RangeError, TypeError};
use peerkeeper_core::{BumpFn, DecayFn, Direction, Millis};
use wasm_bindgen::{JsCast, JsValue};

pub type JsResult<T> = Result<T, JsValue>;

/// `Number.MAX_SAFE_INTEGER`: the largest integer a JS number holds exactly.
pub const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

pub fn type_error(msg: &str) -> JsValue {
    TypeError::new(msg).into()
}

pub fn range_error(msg: &str) -> JsValue {
    RangeError::new(msg).into()
}

/// A short description of a value for error messages: `NaN`, `-1`, `"abc"`, `undefined`.
pub fn describe(v: &JsValue) -> String {
    if v.is_undefined() {
        return "undefined".into();
    }
    if v.is_null() {
        return "null".into();
    }
    if let Some(n) = v.as_f64() {
        return js_number(n);
    }
    if let Some(s) = v.as_string() {
        let short: String = s.chars().take(40).collect();
        return if short.len() < s.len() { format!("{short:?}...") } else { format!("{short:?}") };
    }
    if let Some(b) = v.as_bool() {
        return b.to_string();
    }
    if v.is_bigint() {
        return "a bigint".into();
    }
    if v.is_function() {
        return "a function".into();
    }
    if v.is_symbol() {
        return "a symbol".into();
    }
    if js_sys::Array::is_array(v) {
        return "an array".into();
    }
    "an object".into()
}

/// Formats a number the way JS prints it (`NaN`, `Infinity`, `1.5`, `3`).
pub fn js_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if n == n.trunc() && n.abs() < 1e21 {
        format!("{}", n as i128)
    } else {
        format!("{n}")
    }
}

/// A non-empty string (the JS layer has checked it is a string).
pub fn nonempty(method: &str, arg: &str, v: &str) -> JsResult<()> {
    if v.is_empty() {
        return Err(range_error(&format!("{method}: {arg} must not be empty")));
    }
    Ok(())
}

/// An integer-valued number within `[min, max]` (the JS layer has checked it is a number).
pub fn integer_value(method: &str, arg: &str, n: f64, min: f64, max: f64) -> JsResult<f64> {
    if !n.is_finite() || n.trunc() != n {
        return Err(range_error(&format!(
            "{method}: {arg} must be a finite integer, got {}",
            js_number(n)
        )));
    }
    if n < min || n > max {
        return Err(range_error(&format!(
            "{method}: {arg} must be between {} and {}, got {}",
            js_number(min),
            js_number(max),
            js_number(n)
        )));
    }
    Ok(n)
}

/// A time or duration in milliseconds: a safe non-negative integer.
pub fn millis_value(method: &str, arg: &str, n: f64) -> JsResult<Millis> {
    integer_value(method, arg, n, 0.0, MAX_SAFE).map(|n| n as Millis)
}

/// A tag value or delta: a safe integer of either sign.
pub fn tag_value_of(method: &str, arg: &str, n: f64) -> JsResult<i64> {
    integer_value(method, arg, n, -MAX_SAFE, MAX_SAFE).map(|n| n as i64)
}

/// An integer-valued JS number within `[min, max]`.
pub fn integer(method: &str, arg: &str, v: &JsValue, min: f64, max: f64) -> JsResult<f64> {
    let Some(n) = v.as_f64() else {
        return Err(type_error(&format!("{method}: {arg} must be a number, got {}", describe(v))));
    };
    integer_value(method, arg, n, min, max)
}

/// A time or duration in milliseconds: a safe non-negative integer.
pub fn millis(method: &str, arg: &str, v: &JsValue) -> JsResult<Millis> {
    integer(method, arg, v, 0.0, MAX_SAFE).map(|n| n as Millis)
}

/// A tag value or delta: a safe integer of either sign.
pub fn tag_value(method: &str, arg: &str, v: &JsValue) -> JsResult<i64> {
    integer(method, arg, v, -MAX_SAFE, MAX_SAFE).map(|n| n as i64)
}

/// A count that fits the engine's `usize` (32 bits in wasm).
pub fn count(method: &str, arg: &str, v: &JsValue) -> JsResult<usize> {
    integer(method, arg, v, 0.0, u32::MAX as f64).map(|n| n as usize)
}

pub fn direction(method: &str, v: &str) -> JsResult<Direction> {
    match v {
        "inbound" => Ok(Direction::Inbound),
        "outbound" => Ok(Direction::Outbound),
        other => Err(range_error(&format!(
            "{method}: direction must be \"inbound\" or \"outbound\", got {other:?}"
        ))),
    }
}

/// The spec's `kind` and the object to read its fields from: a bare string (`"none"`) or an
/// object (`{ kind: "fixed", amount: 20 }`).
fn kind_of(method: &str, arg: &str, v: &JsValue) -> JsResult<(String, Option<js_sys::Object>)> {
    if let Some(kind) = v.as_string() {
        return Ok((kind, None));
    }
    if !v.is_object() {
        return Err(type_error(&format!(
            "{method}: {arg} must be a string or an object with a `kind`, got {}",
            describe(v)
        )));
    }
    let obj: &js_sys::Object = v.unchecked_ref();
    let kind = field(obj, "kind");
    match kind.as_string() {
        Some(k) => Ok((k, Some(obj.clone()))),
        None => Err(type_error(&format!(
            "{method}: {arg}.kind must be a string, got {}",
            describe(&kind)
        ))),
    }
}

/// Reads `obj[name]`; a throwing getter reads as `undefined` (and then fails the check).
pub fn field(obj: &js_sys::Object, name: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn needs_fields(
    method: &str,
    arg: &str,
    kind: &str,
    obj: &Option<js_sys::Object>,
) -> JsResult<js_sys::Object> {
    obj.clone().ok_or_else(|| {
        type_error(&format!("{method}: {arg} \"{kind}\" needs its parameters: pass an object"))
    })
}

/// A decay function by name: `none`, `fixed` (`amount`), `linear` (`coef` in [0, 1]) or
/// `expire_when_inactive` (`after` ms).
pub fn decay(method: &str, v: &JsValue) -> JsResult<DecayFn> {
    let (kind, obj) = kind_of(method, "decay", v)?;
    match kind.as_str() {
        "none" => Ok(DecayFn::none()),
        "fixed" => {
            let o = needs_fields(method, "decay", &kind, &obj)?;
            Ok(DecayFn::fixed(tag_value(method, "decay.amount", &field(&o, "amount"))?))
        }
        "linear" => {
            let o = needs_fields(method, "decay", &kind, &obj)?;
            let c = field(&o, "coef");
            let Some(coef) = c.as_f64() else {
                return Err(type_error(&format!(
                    "{method}: decay.coef must be a number, got {}",
                    describe(&c)
                )));
            };
            if !(0.0..=1.0).contains(&coef) {
                return Err(range_error(&format!(
                    "{method}: decay.coef must be within [0, 1], got {}",
                    js_number(coef)
                )));
            }
            Ok(DecayFn::linear(coef))
        }
        "expire_when_inactive" => {
            let o = needs_fields(method, "decay", &kind, &obj)?;
            Ok(DecayFn::expire_when_inactive(millis(method, "decay.after", &field(&o, "after"))?))
        }
        other => Err(range_error(&format!(
            "{method}: unknown decay {other:?} (expected \"none\", \"fixed\", \"linear\" or \"expire_when_inactive\")"
        ))),
    }
}

/// A bump function by name: `sum` (the default for `undefined`), `sum_bounded` (`min`, `max`)
/// or `overwrite`.
pub fn bump(method: &str, v: &JsValue) -> JsResult<BumpFn> {
    if v.is_undefined() {
        return Ok(BumpFn::sum());
    }
    let (kind, obj) = kind_of(method, "bump", v)?;
    match kind.as_str() {
        "sum" => Ok(BumpFn::sum()),
        "overwrite" => Ok(BumpFn::overwrite()),
        "sum_bounded" => {
            let o = needs_fields(method, "bump", &kind, &obj)?;
            let min = tag_value(method, "bump.min", &field(&o, "min"))?;
            let max = tag_value(method, "bump.max", &field(&o, "max"))?;
            if min > max {
                return Err(range_error(&format!(
                    "{method}: bump.min must not exceed bump.max ({min} > {max})"
                )));
            }
            Ok(BumpFn::sum_bounded(min, max))
        }
        other => Err(range_error(&format!(
            "{method}: unknown bump {other:?} (expected \"sum\", \"sum_bounded\" or \"overwrite\")"
        ))),
    }
}

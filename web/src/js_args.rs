//! Argument checks for every JS entry point. The package's JS layer checks each argument's
//! type (`typeof` is free there, while a `JsValue` costs several boundary crossings); these
//! check the values. Each check names the method and the argument, so
//! a caller reads `RangeError: tagPeer: value must be a finite integer, got NaN` instead of a
//! wasm trap. Nothing here panics, whatever the JS value.
//!
//! The checks themselves are `arg_checks` (plain Rust, fuzzed natively); this module reads the
//! `JsValue` for them and turns their refusals into JS errors.

use js_sys::{RangeError, TypeError};
use peerkeeper_core::{BumpFn, DecayFn, Direction, Millis};
use wasm_bindgen::{JsCast, JsValue};

use crate::arg_checks::{self as checks, ArgError, ArgErrorKind, ArgValue};

pub type JsResult<T> = Result<T, JsValue>;

pub use crate::arg_checks::{js_number, MAX_SAFE};

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
        return checks::describe_string(&s);
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

impl ArgValue for JsValue {
    fn is_undefined(&self) -> bool {
        JsValue::is_undefined(self)
    }

    fn is_object(&self) -> bool {
        JsValue::is_object(self)
    }

    fn as_f64(&self) -> Option<f64> {
        JsValue::as_f64(self)
    }

    fn as_string(&self) -> Option<String> {
        JsValue::as_string(self)
    }

    fn field(&self, name: &str) -> JsValue {
        field(self.unchecked_ref(), name)
    }

    fn describe(&self) -> String {
        describe(self)
    }
}

/// The JS error for a refused argument.
pub fn to_js_error(e: ArgError) -> JsValue {
    match e.kind {
        ArgErrorKind::Type => type_error(&e.message),
        ArgErrorKind::Range => range_error(&e.message),
    }
}

/// A non-empty string (the JS layer has checked it is a string).
pub fn nonempty(method: &str, arg: &str, v: &str) -> JsResult<()> {
    checks::nonempty(method, arg, v).map_err(to_js_error)
}

/// An integer-valued number within `[min, max]` (the JS layer has checked it is a number).
pub fn integer_value(method: &str, arg: &str, n: f64, min: f64, max: f64) -> JsResult<f64> {
    checks::integer_value(method, arg, n, min, max).map_err(to_js_error)
}

/// A time or duration in milliseconds: a safe non-negative integer.
pub fn millis_value(method: &str, arg: &str, n: f64) -> JsResult<Millis> {
    checks::millis_value(method, arg, n).map_err(to_js_error)
}

/// A tag value or delta: a safe integer of either sign.
pub fn tag_value_of(method: &str, arg: &str, n: f64) -> JsResult<i64> {
    checks::tag_value_of(method, arg, n).map_err(to_js_error)
}

/// An integer-valued JS number within `[min, max]`.
pub fn integer(method: &str, arg: &str, v: &JsValue, min: f64, max: f64) -> JsResult<f64> {
    checks::integer(method, arg, v, min, max).map_err(to_js_error)
}

/// A time or duration in milliseconds: a safe non-negative integer.
pub fn millis(method: &str, arg: &str, v: &JsValue) -> JsResult<Millis> {
    checks::millis(method, arg, v).map_err(to_js_error)
}

/// A tag value or delta: a safe integer of either sign.
pub fn tag_value(method: &str, arg: &str, v: &JsValue) -> JsResult<i64> {
    checks::tag_value(method, arg, v).map_err(to_js_error)
}

/// A count that fits the engine's `usize` (32 bits in wasm).
pub fn count(method: &str, arg: &str, v: &JsValue) -> JsResult<usize> {
    checks::count(method, arg, v).map_err(to_js_error)
}

pub fn direction(method: &str, v: &str) -> JsResult<Direction> {
    checks::direction(method, v).map_err(to_js_error)
}

/// Reads `obj[name]`; a throwing getter reads as `undefined` (and then fails the check).
pub fn field(obj: &js_sys::Object, name: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A decay function by name: `none`, `fixed` (`amount`), `linear` (`coef` in [0, 1]) or
/// `expire_when_inactive` (`after` ms).
pub fn decay(method: &str, v: &JsValue) -> JsResult<DecayFn> {
    checks::decay(method, v).map_err(to_js_error)
}

/// A bump function by name: `sum` (the default for `undefined`), `sum_bounded` (`min`, `max`)
/// or `overwrite`.
pub fn bump(method: &str, v: &JsValue) -> JsResult<BumpFn> {
    checks::bump(method, v).map_err(to_js_error)
}

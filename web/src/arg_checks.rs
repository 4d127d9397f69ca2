//! The value checks behind `js_args`, in plain Rust: they read a JS value only
//! through [`ArgValue`] and fail with an [`ArgError`] (a TypeError or RangeError to be), so
//! they run natively too: under the fuzzer (`fuzzing::check_js_args`) and in unit tests.
//! `js_args` implements [`ArgValue`] for `JsValue` and turns an [`ArgError`] into the JS error.

use peerkeeper_core::float_text::Float;
use peerkeeper_core::{BumpFn, DecayFn, Direction, Millis};

/// `Number.MAX_SAFE_INTEGER`: the largest integer a JS number holds exactly.
pub const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// Which JS error a refused argument becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgErrorKind {
    /// The value has the wrong type (`TypeError`).
    Type,
    /// The value has the right type but is out of range (`RangeError`).
    Range,
}

/// A refused argument: the JS error's kind and its message (naming method and argument).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError {
    pub kind: ArgErrorKind,
    pub message: String,
}

impl ArgError {
    pub fn type_error(message: String) -> Self {
        ArgError { kind: ArgErrorKind::Type, message }
    }

    pub fn range_error(message: String) -> Self {
        ArgError { kind: ArgErrorKind::Range, message }
    }
}

pub type ArgResult<T> = Result<T, ArgError>;

/// The reads the checks make of a JS value.
pub trait ArgValue: Sized {
    fn is_undefined(&self) -> bool;
    /// `typeof v === "object" && v !== null` (arrays included, functions not).
    fn is_object(&self) -> bool;
    fn as_f64(&self) -> Option<f64>;
    fn as_string(&self) -> Option<String>;
    /// `obj[name]`; `undefined` when missing (or when a getter throws).
    fn field(&self, name: &str) -> Self;
    /// A short description for error messages: `NaN`, `-1`, `"abc"`, `undefined`.
    fn describe(&self) -> String;
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
        Float(n).to_string()
    }
}

/// A string shortened to 40 characters for an error message, quoted.
pub fn describe_string(s: &str) -> String {
    let short: String = s.chars().take(40).collect();
    if short.len() < s.len() {
        format!("{short:?}...")
    } else {
        format!("{short:?}")
    }
}

/// A non-empty string (the JS layer has checked it is a string).
pub fn nonempty(method: &str, arg: &str, v: &str) -> ArgResult<()> {
    if v.is_empty() {
        return Err(ArgError::range_error(format!("{method}: {arg} must not be empty")));
    }
    Ok(())
}

/// An integer-valued number within `[min, max]` (the JS layer has checked it is a number).
pub fn integer_value(method: &str, arg: &str, n: f64, min: f64, max: f64) -> ArgResult<f64> {
    if !n.is_finite() || n.trunc() != n {
        return Err(ArgError::range_error(format!(
            "{method}: {arg} must be a finite integer, got {}",
            js_number(n)
        )));
    }
    if n < min || n > max {
        return Err(ArgError::range_error(format!(
            "{method}: {arg} must be between {} and {}, got {}",
            js_number(min),
            js_number(max),
            js_number(n)
        )));
    }
    Ok(n)
}

/// A time or duration in milliseconds: a safe non-negative integer.
pub fn millis_value(method: &str, arg: &str, n: f64) -> ArgResult<Millis> {
    integer_value(method, arg, n, 0.0, MAX_SAFE).map(|n| n as Millis)
}

/// A tag value or delta: a safe integer of either sign.
pub fn tag_value_of(method: &str, arg: &str, n: f64) -> ArgResult<i64> {
    integer_value(method, arg, n, -MAX_SAFE, MAX_SAFE).map(|n| n as i64)
}

/// An integer-valued JS number within `[min, max]`.
pub fn integer<V: ArgValue>(method: &str, arg: &str, v: &V, min: f64, max: f64) -> ArgResult<f64> {
    let Some(n) = v.as_f64() else {
        return Err(ArgError::type_error(format!(
            "{method}: {arg} must be a number, got {}",
            v.describe()
        )));
    };
    integer_value(method, arg, n, min, max)
}

/// A time or duration in milliseconds: a safe non-negative integer.
pub fn millis<V: ArgValue>(method: &str, arg: &str, v: &V) -> ArgResult<Millis> {
    integer(method, arg, v, 0.0, MAX_SAFE).map(|n| n as Millis)
}

/// A tag value or delta: a safe integer of either sign.
pub fn tag_value<V: ArgValue>(method: &str, arg: &str, v: &V) -> ArgResult<i64> {
    integer(method, arg, v, -MAX_SAFE, MAX_SAFE).map(|n| n as i64)
}

/// A count that fits the engine's `usize` (32 bits in wasm).
pub fn count<V: ArgValue>(method: &str, arg: &str, v: &V) -> ArgResult<usize> {
    integer(method, arg, v, 0.0, u32::MAX as f64).map(|n| n as usize)
}

pub fn direction(method: &str, v: &str) -> ArgResult<Direction> {
    match v {
        "inbound" => Ok(Direction::Inbound),
        "outbound" => Ok(Direction::Outbound),
        other => Err(ArgError::range_error(format!(
            "{method}: direction must be \"inbound\" or \"outbound\", got {}",
            describe_string(other)
        ))),
    }
}

/// The spec's `kind`, and whether its fields can be read: a bare string (`"none"`) or an
/// object (`{ kind: "fixed", amount: 20 }`).
fn kind_of<V: ArgValue>(method: &str, arg: &str, v: &V) -> ArgResult<(String, bool)> {
    if let Some(kind) = v.as_string() {
        return Ok((kind, false));
    }
    if !v.is_object() {
        return Err(ArgError::type_error(format!(
            "{method}: {arg} must be a string or an object with a `kind`, got {}",
            v.describe()
        )));
    }
    let kind = v.field("kind");
    match kind.as_string() {
        Some(k) => Ok((k, true)),
        None => Err(ArgError::type_error(format!(
            "{method}: {arg}.kind must be a string, got {}",
            kind.describe()
        ))),
    }
}

fn needs_fields(method: &str, arg: &str, kind: &str, has_fields: bool) -> ArgResult<()> {
    if has_fields {
        return Ok(());
    }
    Err(ArgError::type_error(format!(
        "{method}: {arg} \"{kind}\" needs its parameters: pass an object"
    )))
}

/// A decay function by name: `none`, `fixed` (`amount`), `linear` (`coef` in [0, 1]) or
/// `expire_when_inactive` (`after` ms).
pub fn decay<V: ArgValue>(method: &str, v: &V) -> ArgResult<DecayFn> {
    let (kind, has_fields) = kind_of(method, "decay", v)?;
    match kind.as_str() {
        "none" => Ok(DecayFn::none()),
        "fixed" => {
            needs_fields(method, "decay", &kind, has_fields)?;
            Ok(DecayFn::fixed(tag_value(method, "decay.amount", &v.field("amount"))?))
        }
        "linear" => {
            needs_fields(method, "decay", &kind, has_fields)?;
            let c = v.field("coef");
            let Some(coef) = c.as_f64() else {
                return Err(ArgError::type_error(format!(
                    "{method}: decay.coef must be a number, got {}",
                    c.describe()
                )));
            };
            if !(0.0..=1.0).contains(&coef) {
                return Err(ArgError::range_error(format!(
                    "{method}: decay.coef must be within [0, 1], got {}",
                    js_number(coef)
                )));
            }
            Ok(DecayFn::linear(coef))
        }
        "expire_when_inactive" => {
            needs_fields(method, "decay", &kind, has_fields)?;
            Ok(DecayFn::expire_when_inactive(millis(method, "decay.after", &v.field("after"))?))
        }
        other => Err(ArgError::range_error(format!(
            "{method}: unknown decay {} (expected \"none\", \"fixed\", \"linear\" or \"expire_when_inactive\")",
            describe_string(other)
        ))),
    }
}

/// A bump function by name: `sum` (the default for `undefined`), `sum_bounded` (`min`, `max`)
/// or `overwrite`.
pub fn bump<V: ArgValue>(method: &str, v: &V) -> ArgResult<BumpFn> {
    if v.is_undefined() {
        return Ok(BumpFn::sum());
    }
    let (kind, has_fields) = kind_of(method, "bump", v)?;
    match kind.as_str() {
        "sum" => Ok(BumpFn::sum()),
        "overwrite" => Ok(BumpFn::overwrite()),
        "sum_bounded" => {
            needs_fields(method, "bump", &kind, has_fields)?;
            let min = tag_value(method, "bump.min", &v.field("min"))?;
            let max = tag_value(method, "bump.max", &v.field("max"))?;
            if min > max {
                return Err(ArgError::range_error(format!(
                    "{method}: bump.min must not exceed bump.max ({min} > {max})"
                )));
            }
            Ok(BumpFn::sum_bounded(min, max))
        }
        other => Err(ArgError::range_error(format!(
            "{method}: unknown bump {} (expected \"sum\", \"sum_bounded\" or \"overwrite\")",
            describe_string(other)
        ))),
    }
}

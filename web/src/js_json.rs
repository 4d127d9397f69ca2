//! Engine values as JS values through JSON: core's serde shapes with every object key turned
//! camelCase (`banned_until` -> `bannedUntil`); string values keep their snake_case words
//! (`'low_tolerance'`, `'too_many_peers'`), the same vocabulary as the Rust serde encoding.
//! One string crosses the boundary and the JS layer runs `JSON.parse`, which costs far less
//! than building an object field by field through `Reflect::set`.

use std::fmt::Write as _;

use peerkeeper_core::float_text::Float;
use serde::ser;
use serde::Serialize;

/// `still_protected` -> `stillProtected`. ASCII only: serde's field and variant names are,
/// and `char::to_uppercase` would link 12 KB of Unicode case tables into the wasm.
pub fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A number the reader accepted (JSON syntax, so both parsers agree). In the browser JS's own
/// parser gives the same correctly rounded value without linking Rust's float parser and its
/// 10 KB table of powers of five.
#[cfg(target_arch = "wasm32")]
fn number(text: &str) -> f64 {
    js_sys::parse_float(text)
}

#[cfg(not(target_arch = "wasm32"))]
fn number(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
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

/// Writes any `Serialize` value as JSON with every object key camelCase: the JS-facing shape
/// of core's values, written straight into one string (no intermediate `serde_json::Value`,
/// no second pass over the keys). Numbers as JS reads them back (non-finite ones as `null`).
struct Writer<'a> {
    out: &'a mut String,
    /// Turn the `type` of the outermost object camelCase too (events dispatch under it).
    camel_type: bool,
    depth: u32,
}

/// `value` as camelCase JSON text, for `JSON.parse` on the JS side.
pub fn camel_json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    // Core's output types are plain data (strings, numbers, options, sequences, structs and
    // string-keyed maps): writing them cannot fail.
    let _ = value.serialize(&mut Writer { out: &mut out, camel_type: false, depth: 0 });
    out
}

/// [`camel_json`] with the outermost object's `type` turned camelCase as well
/// (`lifecycle_timed_out` -> `lifecycleTimedOut`).
pub fn camel_json_typed<T: Serialize + ?Sized>(value: &T, out: &mut String) {
    let _ = value.serialize(&mut Writer { out, camel_type: true, depth: 0 });
}

/// A unit enum variant's serde name (`PeerAction::LowTolerance` -> `"low_tolerance"`), or the
/// `type` of an internally tagged one (`ProbeOutcome::StillBlocked` -> `"still_blocked"`).
pub fn variant_name<T: Serialize + ?Sized>(value: &T) -> String {
    let json = camel_json(value);
    let text = json.strip_prefix("{\"type\":").unwrap_or(&json);
    match text.strip_prefix('"').and_then(|t| t.split('"').next()) {
        Some(name) => name.to_owned(),
        None => String::new(),
    }
}

#[derive(Debug)]
pub struct WriteError(String);

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WriteError {}

impl serde::ser::Error for WriteError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        WriteError(msg.to_string())
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An object or array being written: `close` ends it (`}}` for an enum variant's wrapper).
pub struct Compound<'w, 'a> {
    w: &'w mut Writer<'a>,
    first: bool,
    close: &'static str,
    /// A map's key, as JSON text, until its value comes.
    pending: String,
}

impl<'a> Writer<'a> {
    fn open(&mut self, open: &str, close: &'static str) -> Compound<'_, 'a> {
        self.out.push_str(open);
        self.depth += 1;
        Compound { w: self, first: true, close, pending: String::new() }
    }

    /// `{"variant":` before a variant's content.
    fn variant(&mut self, variant: &str) {
        self.out.push('{');
        write_str(self.out, &camel(variant));
        self.out.push(':');
    }
}

impl Compound<'_, '_> {
    fn comma(&mut self) {
        if !self.first {
            self.w.out.push(',');
        }
        self.first = false;
    }

    fn key(&mut self, key: &str) {
        self.comma();
        write_str(self.w.out, &camel(key));
        self.w.out.push(':');
    }

    /// A map entry: the key as written by [`Writer`] (a string literal, or a number, which
    /// JSON keys quote).
    fn map_entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), WriteError> {
        self.comma();
        match key.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
            // Already escaped; camel case only touches `_` and the letter after it.
            Some(inner) => {
                self.w.out.push('"');
                self.w.out.push_str(&camel(inner));
                self.w.out.push('"');
            }
            None => write_str(self.w.out, key),
        }
        self.w.out.push(':');
        value.serialize(&mut *self.w)
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        self.comma();
        value.serialize(&mut *self.w)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), WriteError> {
        self.key(key);
        if key == "type" && self.w.camel_type && self.w.depth == 1 {
            // Only a string is expected here; anything else is written as it is.
            let mut inner = String::new();
            value.serialize(&mut Writer { out: &mut inner, camel_type: false, depth: 0 })?;
            match inner.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
                Some(t) if !t.contains('\\') => write_str(self.w.out, &camel(t)),
                _ => self.w.out.push_str(&inner),
            }
            return Ok(());
        }
        value.serialize(&mut *self.w)
    }

    fn finish(self) -> Result<(), WriteError> {
        self.w.depth -= 1;
        self.w.out.push_str(self.close);
        Ok(())
    }
}

macro_rules! compound {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = WriteError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
                self.element(value)
            }
            fn end(self) -> Result<(), WriteError> {
                self.finish()
            }
        }
    };
}
compound!(SerializeSeq, serialize_element);
compound!(SerializeTuple, serialize_element);
compound!(SerializeTupleStruct, serialize_field);
compound!(SerializeTupleVariant, serialize_field);

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.finish()
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = WriteError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), WriteError> {
        // A key is written as a value first: a string keeps its text, a number becomes one.
        self.pending.clear();
        key.serialize(&mut Writer { out: &mut self.pending, camel_type: false, depth: 0 })
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        let key = std::mem::take(&mut self.pending);
        self.map_entry(&key, value)
    }
    fn end(self) -> Result<(), WriteError> {
        self.finish()
    }
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = WriteError;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    fn serialize_bool(self, v: bool) -> Result<(), WriteError> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), WriteError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), WriteError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), WriteError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), WriteError> {
        let _ = write!(self.out, "{v}");
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), WriteError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), WriteError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), WriteError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), WriteError> {
        let _ = write!(self.out, "{v}");
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), WriteError> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), WriteError> {
        // Rust's shortest round-trip form; JSON has no NaN or infinity (serde_json's choice).
        if v.is_finite() {
            let _ = write!(self.out, "{}", Float(v));
        } else {
            self.out.push_str("null");
        }
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), WriteError> {
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), WriteError> {
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), WriteError> {
        let mut seq = self.open("[", "]");
        for b in v {
            ser::SerializeSeq::serialize_element(&mut seq, b)?;
        }
        seq.finish()
    }
    fn serialize_none(self) -> Result<(), WriteError> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), WriteError> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), WriteError> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), WriteError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), WriteError> {
        self.variant(variant);
        value.serialize(&mut *self)?;
        self.out.push('}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'w, 'a>, WriteError> {
        Ok(self.open("[", "]"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'w, 'a>, WriteError> {
        Ok(self.open("[", "]"))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, WriteError> {
        Ok(self.open("[", "]"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, WriteError> {
        self.variant(variant);
        Ok(self.open("[", "]}"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'w, 'a>, WriteError> {
        Ok(self.open("{", "}"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'w, 'a>, WriteError> {
        Ok(self.open("{", "}"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'w, 'a>, WriteError> {
        self.variant(variant);
        Ok(self.open("{", "}}"))
    }
}

/// A parsed JSON document, for the one JSON input the package reads (format-1 snapshots). A
/// small reader of its own instead of serde_json's deserializer keeps tens of KB out of the
/// wasm. Numbers keep their text, so integers read back exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(String),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Deep enough for any document the package reads; bounds the reader's recursion on hostile
/// bytes.
const MAX_DEPTH: u32 = 64;

impl Json {
    /// The value of `key` in an object (the first, if repeated).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// An integer number (no fraction or exponent) that fits `T`.
    pub fn as_int<T: std::str::FromStr>(&self) -> Option<T> {
        match self {
            Json::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(text) => Some(number(text)),
            _ => None,
        }
    }

    /// Parses a whole document; the error says what was wrong and at which byte.
    pub fn parse(bytes: &[u8]) -> Result<Json, String> {
        let mut r = Reader { s: bytes, i: 0, depth: 0 };
        let v = r.value()?;
        r.ws();
        if r.i != bytes.len() {
            return Err(r.err("trailing characters"));
        }
        Ok(v)
    }
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
    depth: u32,
}

impl Reader<'_> {
    fn err(&self, what: &str) -> String {
        format!("{what} at byte {}", self.i)
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }

    fn word(&mut self, word: &str, v: Json) -> Result<Json, String> {
        if !self.s[self.i..].starts_with(word.as_bytes()) {
            return Err(self.err("unexpected character"));
        }
        self.i += word.len();
        Ok(v)
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.peek() {
            None => Err(self.err("unexpected end")),
            Some(b'n') => self.word("null", Json::Null),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::Str),
            Some(open @ (b'[' | b'{')) => self.container(open),
            Some(b'-' | b'0'..=b'9') => {
                let start = self.i;
                while matches!(self.peek(), Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')) {
                    self.i += 1;
                }
                // Checked when read (`as_int`, `as_f64`): a malformed number reads as none.
                Ok(Json::Number(String::from_utf8_lossy(&self.s[start..self.i]).into_owned()))
            }
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn container(&mut self, open: u8) -> Result<Json, String> {
        if self.depth >= MAX_DEPTH {
            return Err(self.err("nested too deep"));
        }
        self.depth += 1;
        self.i += 1;
        let close = if open == b'[' { b']' } else { b'}' };
        let (mut items, mut fields) = (Vec::new(), Vec::new());
        if !self.eat(close) {
            loop {
                if open == b'{' {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(self.err("expected a key"));
                    }
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return Err(self.err("expected ':'"));
                    }
                    fields.push((key, self.value()?));
                } else {
                    items.push(self.value()?);
                }
                if self.eat(close) {
                    break;
                }
                if !self.eat(b',') {
                    return Err(self.err("expected ',' or the end of the list"));
                }
            }
        }
        self.depth -= 1;
        Ok(if open == b'[' { Json::Array(items) } else { Json::Object(fields) })
    }

    /// A string, the reader on its opening quote.
    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let Some(c) = self.peek() else { return Err(self.err("unterminated string")) };
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let ch = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let unit = self.utf16_escape()?;
                            self.i -= 1;
                            unit
                        }
                        _ => return Err(self.err("bad escape")),
                    };
                    self.i += 1;
                    out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                }
                0..=0x1f => return Err(self.err("control character in a string")),
                _ => out.push(c),
            }
        }
        String::from_utf8(out).map_err(|_| self.err("invalid UTF-8 in a string"))
    }

    /// The character of a `\uXXXX` escape (a surrogate pair takes two), the reader after `u`.
    fn utf16_escape(&mut self) -> Result<char, String> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if !self.s[self.i..].starts_with(b"\\u") {
                return Err(self.err("unpaired surrogate"));
            }
            self.i += 2;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(self.err("unpaired surrogate"));
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        char::from_u32(code).ok_or_else(|| self.err("unpaired surrogate"))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self.s.get(self.i..self.i + 4).filter(|d| d.iter().all(u8::is_ascii_hexdigit));
        let Some(digits) = digits else { return Err(self.err("bad \\u escape")) };
        self.i += 4;
        Ok(digits.iter().fold(0, |n, d| n * 16 + (*d as char).to_digit(16).unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Sample {
        LifecycleTimedOut {
            from_state: Inner,
            score: f64,
            missing: f64,
            note: Option<String>,
            pairs: Vec<(u8, &'static str)>,
            by_peer: std::collections::BTreeMap<String, u64>,
            mode: peerkeeper_core::fork::NodeMode,
        },
    }

    #[derive(Serialize)]
    struct Inner {
        time_out: &'static str,
        big: u64,
        neg: i64,
    }

    #[test]
    fn values_are_written_as_json_with_camel_case_keys_while_values_keep_their_words() {
        let v = Sample::LifecycleTimedOut {
            from_state: Inner { time_out: "io_error", big: u64::MAX, neg: -7 },
            score: -0.5,
            missing: f64::NAN,
            note: Some("a \"quoted\"\\ line\n\u{1}é".into()),
            pairs: vec![(1, "x_y")],
            by_peer: [("peer_one".to_owned(), 3)].into_iter().collect(),
            mode: peerkeeper_core::fork::NodeMode::Sync,
        };
        let json = camel_json(&v);
        assert_eq!(
            json,
            r#"{"type":"lifecycle_timed_out","fromState":{"timeOut":"io_error","big":18446744073709551615,"neg":-7},"score":-0.5,"missing":null,"note":"a \"quoted\"\\ line\n\u0001é","pairs":[[1,"x_y"]],"byPeer":{"peerOne":3},"mode":"sync"}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["note"], "a \"quoted\"\\ line\n\u{1}é");
        let mut typed = String::new();
        camel_json_typed(&v, &mut typed);
        assert!(typed.starts_with(r#"{"type":"lifecycleTimedOut","fromState":"#), "{typed}");
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

    #[test]
    fn the_reader_parses_every_json_form_and_refuses_broken_documents() {
        let doc = br#" {"a": [1, -2.5e3, true, false, null], "s": "q\"\\\/\n\u00e9\ud83d\ude00", "o": {}} "#;
        let v = Json::parse(doc).unwrap();
        let a = v.get("a").and_then(Json::as_array).unwrap();
        assert_eq!(a[0].as_int::<u64>(), Some(1));
        assert_eq!(a[1].as_f64(), Some(-2500.0));
        assert_eq!(a[1].as_int::<i64>(), None);
        assert_eq!(&a[2..], &[Json::Bool(true), Json::Bool(false), Json::Null]);
        assert_eq!(v.get("s").and_then(Json::as_str), Some("q\"\\/\n\u{e9}\u{1f600}"));
        assert_eq!(v.get("o"), Some(&Json::Object(Vec::new())));
        assert_eq!(v.get("missing"), None);
        for bad in [
            &b"{"[..],
            b"[1,]",
            b"{\"a\" 1}",
            b"\"abc",
            b"\"\\ud800\"",
            b"\"\\x\"",
            b"tru",
            b"[1] 2",
            b"\"a\nb\"",
            b"",
        ] {
            assert!(Json::parse(bad).is_err(), "{:?} parsed", String::from_utf8_lossy(bad));
        }
        let deep = "[".repeat(65) + &"]".repeat(65);
        assert_eq!(Json::parse(deep.as_bytes()), Err("nested too deep at byte 64".into()));
        assert!(Json::parse(("[".repeat(64) + &"]".repeat(64)).as_bytes()).is_ok());
    }
}

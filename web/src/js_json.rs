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
        self.as_int()
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

//! The contracts the fuzz targets (`fuzz/`) hold the web crate's decoders to, as plain
//! functions so that the regular suite replays the committed corpora through the very same
//! checks (`web/tests/fuzz_corpora.rs`) on stable, natively.
//!
//! - [`check_snapshot`]: any bytes given to `restore` are refused with a reason or rebuild a
//!   manager whose own snapshot restores to the same snapshot again.
//! - [`check_js_args`]: any JS value given as a decay, a bump or a config is refused with an
//!   error naming the method and the argument, or accepted as a value that reads back to
//!   itself and that core accepts. JS values are modelled by [`FuzzValue`], decoded from the
//!   fuzz input; [`ArgValue`] is the only way the checks read a value, so the model covers
//!   every read they make.
//!
//! A broken contract panics with a message saying which.

use peerkeeper_core::{BumpFn, Config, DecayFn};

use peerkeeper_core::PeerManager;

use crate::arg_checks::{self, ArgErrorKind, ArgResult, ArgValue};
use crate::js_config::FIELDS;
use crate::js_manager::Key;

/// Bytes as `restore(bytes)` gets them (formats 3 and 2, `PeerManager::import_snapshot`),
/// restored into a fresh manager with the default config and into one that tracks lifecycles
/// (the only kind that reads the saved backoff).
pub fn check_snapshot(data: &[u8]) {
    let tracking = Config { track_lifecycle: true, ..Config::default() };
    for config in [Config::default(), tracking] {
        check_snapshot_with(data, config);
    }
}

fn check_snapshot_with(data: &[u8], config: Config) {
    let mut pm = PeerManager::<Key>::new(config.clone()).expect("a valid config");
    let before = pm.export_snapshot(0);
    match pm.import_snapshot(data, 0) {
        Err(refusal) => {
            assert!(!refusal.to_string().is_empty());
            assert_eq!(pm.export_snapshot(0), before, "a refused snapshot changed the manager");
        }
        Ok(_) => {
            let again = pm.export_snapshot(pm.now());
            let mut back = PeerManager::<Key>::new(config).expect("a valid config");
            back.import_snapshot(&again, pm.now())
                .unwrap_or_else(|e| panic!("a manager's own snapshot is refused: {e}"));
            assert_eq!(
                back.export_snapshot(pm.now()),
                again,
                "restore(snapshot()) changed the state"
            );
        }
    }
}

/// A JS value, as far as the argument checks can see one.
#[derive(Debug, Clone, PartialEq)]
pub enum FuzzValue {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    /// A bigint: its value if in `[0, 2^64)`, `None` for any other (negative or huge).
    BigInt(Option<u64>),
    Function,
    Array(Vec<FuzzValue>),
    /// Own enumerable properties in insertion order; a repeated key takes the last value.
    Object(Vec<(String, FuzzValue)>),
}

impl ArgValue for FuzzValue {
    fn is_undefined(&self) -> bool {
        matches!(self, FuzzValue::Undefined)
    }

    fn is_object(&self) -> bool {
        matches!(self, FuzzValue::Array(_) | FuzzValue::Object(_))
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            FuzzValue::Number(n) => Some(*n),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<String> {
        match self {
            FuzzValue::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    fn field(&self, name: &str) -> FuzzValue {
        match self {
            FuzzValue::Object(fields) => fields
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map_or(FuzzValue::Undefined, |(_, v)| v.clone()),
            FuzzValue::Array(items) if name == "length" => FuzzValue::Number(items.len() as f64),
            _ => FuzzValue::Undefined,
        }
    }

    fn describe(&self) -> String {
        match self {
            FuzzValue::Undefined => "undefined".into(),
            FuzzValue::Null => "null".into(),
            FuzzValue::Bool(b) => b.to_string(),
            FuzzValue::Number(n) => arg_checks::js_number(*n),
            FuzzValue::Str(s) => arg_checks::describe_string(s),
            FuzzValue::BigInt(_) => "a bigint".into(),
            FuzzValue::Function => "a function".into(),
            FuzzValue::Array(_) => "an array".into(),
            FuzzValue::Object(_) => "an object".into(),
        }
    }
}

/// Words the checks look for, so the fuzzer reaches past the first `match` without guessing
/// them byte by byte.
const WORDS: [&str; 21] = [
    "none",
    "fixed",
    "linear",
    "expire_when_inactive",
    "sum",
    "sum_bounded",
    "overwrite",
    "kind",
    "amount",
    "coef",
    "after",
    "min",
    "max",
    "lowWater",
    "highWater",
    "gracePeriod",
    "silencePeriod",
    "decayResolution",
    "outboundBonus",
    "retentionMs",
    "maxRetainedPeers",
];

/// Reads a [`FuzzValue`] from fuzz bytes; every byte string reads as some value.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else {
            return 0;
        };
        self.0 = rest;
        b
    }

    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        for b in &mut out {
            *b = self.byte();
        }
        out
    }

    fn string(&mut self) -> String {
        let tag = self.byte();
        if tag < 0x80 {
            let word = WORDS[usize::from(tag) % WORDS.len()];
            return if usize::from(tag) < WORDS.len() { word.into() } else { "hashSeed".into() };
        }
        let len = usize::from(tag - 0x80).min(self.0.len());
        let (s, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8_lossy(s).into_owned()
    }

    fn value(&mut self, depth: u8) -> FuzzValue {
        let tag = self.byte();
        match tag % 12 {
            0 => FuzzValue::Undefined,
            1 => FuzzValue::Null,
            2 => FuzzValue::Bool(tag & 0x80 != 0),
            // Small integers are what most arguments are; raw doubles cover NaN, -0, 1e300.
            3 => FuzzValue::Number(f64::from(self.byte() as i8)),
            4 => FuzzValue::Number(f64::from_le_bytes(self.bytes::<8>())),
            5 => FuzzValue::Number(f64::from(i32::from_le_bytes(self.bytes::<4>()))),
            6 => FuzzValue::Str(self.string()),
            7 => {
                let v = u64::from_le_bytes(self.bytes::<8>());
                FuzzValue::BigInt(if tag & 0x80 != 0 { None } else { Some(v) })
            }
            8 => FuzzValue::Function,
            9 if depth > 0 => {
                let n = usize::from(self.byte() % 4);
                FuzzValue::Array((0..n).map(|_| self.value(depth - 1)).collect())
            }
            _ if depth > 0 => {
                let n = usize::from(self.byte() % 10);
                FuzzValue::Object((0..n).map(|_| (self.string(), self.value(depth - 1))).collect())
            }
            _ => FuzzValue::Undefined,
        }
    }
}

impl FuzzValue {
    /// The value `data` reads as (the fuzz targets' input format).
    pub fn from_fuzz_bytes(data: &[u8]) -> FuzzValue {
        Reader(data).value(3)
    }

    /// The object `js_config::to_js` builds for `config` (its top-level number fields).
    pub fn from_config(c: &Config) -> FuzzValue {
        let n = FuzzValue::Number;
        FuzzValue::Object(vec![
            ("lowWater".into(), n(c.low_water as f64)),
            ("highWater".into(), n(c.high_water as f64)),
            ("gracePeriod".into(), n(c.grace_period as f64)),
            ("silencePeriod".into(), n(c.silence_period as f64)),
            ("decayResolution".into(), n(c.decay_resolution as f64)),
            ("outboundBonus".into(), n(c.outbound_bonus as f64)),
            ("retentionMs".into(), n(c.retention_ms as f64)),
            ("maxRetainedPeers".into(), n(c.max_retained_peers as f64)),
        ])
    }

    /// The JS spelling of a built-in decay function (`{ kind: "fixed", amount: 20 }`).
    pub fn from_decay(d: &DecayFn) -> Option<FuzzValue> {
        let kind = |k: &str| ("kind".to_string(), FuzzValue::Str(k.into()));
        Some(match d {
            DecayFn::None => FuzzValue::Str("none".into()),
            DecayFn::Fixed { amount } => FuzzValue::Object(vec![
                kind("fixed"),
                ("amount".into(), FuzzValue::Number(*amount as f64)),
            ]),
            DecayFn::Linear { coef } => {
                FuzzValue::Object(vec![kind("linear"), ("coef".into(), FuzzValue::Number(*coef))])
            }
            DecayFn::ExpireWhenInactive { after } => FuzzValue::Object(vec![
                kind("expire_when_inactive"),
                ("after".into(), FuzzValue::Number(*after as f64)),
            ]),
            _ => return None,
        })
    }

    /// The JS spelling of a bump function.
    pub fn from_bump(b: &BumpFn) -> FuzzValue {
        match b {
            BumpFn::Sum => FuzzValue::Str("sum".into()),
            BumpFn::Overwrite => FuzzValue::Str("overwrite".into()),
            BumpFn::SumBounded { min, max } => FuzzValue::Object(vec![
                ("kind".into(), FuzzValue::Str("sum_bounded".into())),
                ("min".into(), FuzzValue::Number(*min as f64)),
                ("max".into(), FuzzValue::Number(*max as f64)),
            ]),
        }
    }
}

/// The top-level config fields as `js_config::from_js` reads them, each through the `js_args`
/// check of its type, then core's validation. (`from_js`'s walk over the object reads
/// `JsValue`s; what it does with each value is this.)
fn config_fields(value: &FuzzValue) -> ArgResult<Config> {
    const CTX: &str = "PeerManager";
    let mut c = Config::default();
    for (js, core) in FIELDS {
        let v = value.field(js);
        if v.is_undefined() || js == "hashSeed" {
            continue;
        }
        let arg = format!("config.{js}");
        match core {
            "low_water" => c.low_water = arg_checks::count(CTX, &arg, &v)?,
            "high_water" => c.high_water = arg_checks::count(CTX, &arg, &v)?,
            "max_retained_peers" => c.max_retained_peers = arg_checks::count(CTX, &arg, &v)?,
            "outbound_bonus" => c.outbound_bonus = arg_checks::tag_value(CTX, &arg, &v)?,
            "grace_period" => c.grace_period = arg_checks::millis(CTX, &arg, &v)?,
            "silence_period" => c.silence_period = arg_checks::millis(CTX, &arg, &v)?,
            "decay_resolution" => c.decay_resolution = arg_checks::millis(CTX, &arg, &v)?,
            "retention_ms" => c.retention_ms = arg_checks::millis(CTX, &arg, &v)?,
            other => panic!("a config field the fuzz check does not know: {other}"),
        }
    }
    c.validate().map_err(|e| {
        let peerkeeper_core::ConfigError::Invalid { field, reason, .. } = e;
        let js = FIELDS.iter().find(|(_, core)| *core == field).map_or(field, |f| f.0);
        arg_checks::ArgError::range_error(format!("{CTX}: config.{js} {reason}"))
    })?;
    Ok(c)
}

fn same_decay(a: &DecayFn, b: &DecayFn) -> bool {
    match (a, b) {
        (DecayFn::None, DecayFn::None) => true,
        (DecayFn::Fixed { amount: x }, DecayFn::Fixed { amount: y }) => x == y,
        (DecayFn::Linear { coef: x }, DecayFn::Linear { coef: y }) => x.to_bits() == y.to_bits(),
        (DecayFn::ExpireWhenInactive { after: x }, DecayFn::ExpireWhenInactive { after: y }) => {
            x == y
        }
        _ => false,
    }
}

/// The error names the method first and then the argument, and stays short whatever the
/// value: a value is echoed shortened (40 characters), never in full.
fn assert_names(error: &arg_checks::ArgError, method: &str, arg: &str) {
    assert!(
        error.message.starts_with(&format!("{method}: ")) && error.message.contains(arg),
        "an error that does not name {method} and {arg}: {:?}",
        error.message
    );
    assert!(error.message.len() <= 1000, "an error of {} bytes", error.message.len());
}

/// The first byte picks the check (decay, bump, config, or the scalar checks); the rest is
/// the JS value.
pub fn check_js_args(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let value = FuzzValue::from_fuzz_bytes(rest);
    const M: &str = "tagPeerDecaying";
    match which % 4 {
        0 => match arg_checks::decay(M, &value) {
            Err(e) => assert_names(&e, M, "decay"),
            Ok(decay) => {
                if let DecayFn::Linear { coef } = decay {
                    assert!((0.0..=1.0).contains(&coef), "accepted coef {coef}");
                }
                let spelled = FuzzValue::from_decay(&decay).expect("a built-in decay");
                let back = arg_checks::decay(M, &spelled).expect("a decay's own spelling");
                assert!(same_decay(&back, &decay), "{decay:?} read back as {back:?}");
            }
        },
        1 => match arg_checks::bump(M, &value) {
            Err(e) => assert_names(&e, M, "bump"),
            Ok(bump) => {
                if let BumpFn::SumBounded { min, max } = bump {
                    assert!(min <= max);
                }
                let back = arg_checks::bump(M, &FuzzValue::from_bump(&bump));
                assert_eq!(back, Ok(bump));
            }
        },
        2 => match config_fields(&value) {
            Err(e) => assert_names(&e, "PeerManager", "config."),
            Ok(config) => {
                assert_eq!(config.validate(), Ok(()));
                let back = config_fields(&FuzzValue::from_config(&config));
                assert_eq!(back.as_ref(), Ok(&config), "to_js then from_js changed the config");
            }
        },
        _ => {
            let n = value.as_f64().unwrap_or(f64::NAN);
            if let Ok(ms) = arg_checks::millis_value("m", "a", n) {
                assert_eq!(ms as f64, n);
            }
            if let Ok(v) = arg_checks::tag_value_of("m", "a", n) {
                assert_eq!(v as f64, n);
            }
            if let Ok(c) = arg_checks::count("m", "a", &value) {
                assert!(c as u64 <= u64::from(u32::MAX));
            }
            if let Some(s) = value.as_string() {
                match arg_checks::direction("m", &s) {
                    Ok(_) => assert!(s == "inbound" || s == "outbound"),
                    Err(e) => {
                        assert_eq!(e.kind, ArgErrorKind::Range);
                        assert_names(&e, "m", "direction");
                    }
                }
            }
        }
    }
}

/// Real inputs to start from: snapshots a manager took, and the JS spellings of every decay,
/// bump and a non-default config. `(target, name, bytes)`.
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut pm = PeerManager::<Key>::new(Config::default()).expect("default config");
    let a = Key::from("12D3KooWa");
    pm.tag_peer(&a, "kbucket", 5);
    for (i, decay) in
        [DecayFn::fixed(2), DecayFn::linear(0.5), DecayFn::expire_when_inactive(60_000)]
            .into_iter()
            .enumerate()
    {
        let tag = format!("gossip-{i}");
        pm.tag_peer_decaying_with_bump(&a, &tag, 40, 1_000, decay, BumpFn::sum_bounded(0, 100), 7);
    }
    pm.protect(&Key::from("12D3KooWb"), "relay");
    let empty =
        PeerManager::<Key>::new(Config::default()).expect("default config").export_snapshot(0);
    let mut dials = PeerManager::<Key>::new(Config { track_lifecycle: true, ..Config::default() })
        .expect("a valid config");
    for (i, peer) in ["12D3KooWc", "12D3KooWd", "12D3KooWe"].into_iter().enumerate() {
        let peer = Key::from(peer);
        dials.add_peer(&peer, 0);
        for _ in 0..=i {
            let due = dials.next_dial_at(&peer).unwrap_or(0);
            dials.handle_timeout(due);
            dials.dial_failed(&peer, due);
        }
    }
    dials.soft_ban(&Key::from("12D3KooWe"), "operator", 100_000);
    let mut out = vec![
        ("snapshot", "tags-decays-protections".into(), pm.export_snapshot(7)),
        ("snapshot", "empty".into(), empty),
        ("snapshot", "backoff-isolation-ban".into(), dials.export_snapshot(100_000)),
    ];
    // JS values in the reader's format, written by hand: tag bytes per `Reader::value`.
    let word = |w: &str| WORDS.iter().position(|x| *x == w).expect("a known word") as u8;
    let string = |w: &str| vec![6u8, word(w)];
    let small = |n: i8| vec![3u8, n as u8];
    let object = |fields: &[(&str, Vec<u8>)]| {
        let mut v = vec![10u8, fields.len() as u8];
        for (k, value) in fields {
            v.push(word(k));
            v.extend_from_slice(value);
        }
        v
    };
    let js = |which: u8, value: Vec<u8>| [vec![which], value].concat();
    out.push(("js_args", "decay-none".into(), js(0, string("none"))));
    out.push((
        "js_args",
        "decay-fixed".into(),
        js(0, object(&[("kind", string("fixed")), ("amount", small(20))])),
    ));
    let mut half = vec![4u8];
    half.extend_from_slice(&0.5f64.to_le_bytes());
    out.push((
        "js_args",
        "decay-linear".into(),
        js(0, object(&[("kind", string("linear")), ("coef", half)])),
    ));
    out.push((
        "js_args",
        "decay-expire".into(),
        js(0, object(&[("kind", string("expire_when_inactive")), ("after", small(100))])),
    ));
    out.push(("js_args", "bump-overwrite".into(), js(1, string("overwrite"))));
    out.push((
        "js_args",
        "bump-bounded".into(),
        js(1, object(&[("kind", string("sum_bounded")), ("min", small(-5)), ("max", small(50))])),
    ));
    out.push((
        "js_args",
        "config".into(),
        js(
            2,
            object(&[("lowWater", small(3)), ("highWater", small(9)), ("gracePeriod", small(0))]),
        ),
    ));
    out.push(("js_args", "config-undefined".into(), js(2, vec![0])));
    out.push((
        "js_args",
        "number-nan".into(),
        js(3, [vec![4u8], f64::NAN.to_le_bytes().to_vec()].concat()),
    ));
    out
}

/// The check for a target name, for the corpus replay.
pub fn check_for(target: &str) -> Option<fn(&[u8])> {
    match target {
        "snapshot" => Some(check_snapshot),
        "js_args" => Some(check_js_args),
        _ => None,
    }
}

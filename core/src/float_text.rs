//! A float as text the way Rust's `{}` prints it (the shortest digits that read back as the
//! same float, never an exponent, `NaN`, `inf`), without `core::fmt`'s float code: its Grisu,
//! Dragon and bignum paths were about 17 KB of the npm engine's wasm. ryu, with its small
//! tables, finds the digits; this module only lays them out. One difference: when two
//! shortest forms are exactly as close (a 17-digit tie), ryu rounds to the even digit where
//! Rust rounds up, so `1080301888052070.25` is `…070.2` here and `…070.3` from `{}`.
//!
//! Every float the engine shows (messages, health reasons, the JS layer's JSON) goes through
//! [`Float`]; nothing should format an `f64` with `{}` or `{:?}` directly, or the wasm carries
//! both.

use std::fmt;

/// Displays the wrapped float as `format!("{}", v)` would (but for ties, above).
#[derive(Clone, Copy, PartialEq)]
pub struct Float(pub f64);

impl fmt::Display for Float {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        if v.is_nan() {
            return f.write_str("NaN");
        }
        if v.is_sign_negative() {
            f.write_str("-")?;
        }
        if v.is_infinite() {
            return f.write_str("inf");
        }
        if v == 0.0 {
            return f.write_str("0");
        }
        let mut buf = ryu::Buffer::new();
        let (digits, point) = decimal(buf.format_finite(v.abs()));
        write_plain(f, &digits, point)
    }
}

impl fmt::Debug for Float {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// ryu's text (`1.5`, `0.001`, `1e21`, `2.5e-7`) as significant digits without leading or
/// trailing zeros, and where the decimal point goes: the value is `0.digits × 10^point`.
fn decimal(text: &str) -> (String, i32) {
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let int_len = mantissa.find('.').unwrap_or(mantissa.len()) as i32;
    let all: String = mantissa.chars().filter(|c| *c != '.').collect();
    let leading = all.bytes().take_while(|&b| b == b'0').count();
    let digits = all[leading..].trim_end_matches('0').to_owned();
    (digits, int_len - leading as i32 + exponent)
}

fn write_plain(f: &mut fmt::Formatter<'_>, digits: &str, point: i32) -> fmt::Result {
    let zeros = |f: &mut fmt::Formatter<'_>, n: i32| (0..n).try_for_each(|_| f.write_str("0"));
    let len = digits.len() as i32;
    if point <= 0 {
        f.write_str("0.")?;
        zeros(f, -point)?;
        f.write_str(digits)
    } else if point >= len {
        f.write_str(digits)?;
        zeros(f, point - len)
    } else {
        // ASCII digits: any index is a char boundary.
        let (int, frac) = digits.split_at(point as usize);
        f.write_str(int)?;
        f.write_str(".")?;
        f.write_str(frac)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Rust's text, or (a tie) another of the same length that reads back as `v`.
    fn agrees(v: f64) {
        let (ours, rust) = (Float(v).to_string(), format!("{v}"));
        if ours != rust {
            assert_eq!(ours.len(), rust.len(), "{ours} vs {rust}");
            assert_eq!(ours.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{ours} vs {rust}");
        }
    }

    fn same(v: f64) {
        assert_eq!(Float(v).to_string(), format!("{v}"), "bits {:#x}", v.to_bits());
    }

    #[test]
    fn matches_rust_display_on_edge_values() {
        let edges = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.25,
            1.5,
            2.5e-1,
            1e-7,
            1.25e-5,
            123456.789,
            1e15,
            1e16,
            1e21,
            1.5e21,
            1e22,
            1e300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            f64::EPSILON,
            0.3,
            1.0 / 3.0,
            2.0f64.powi(53),
            2.0f64.powi(53) + 2.0,
            9007199254740993.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for v in edges {
            same(v);
        }
        assert_eq!(Float(0.25).to_string(), "0.25");
        assert_eq!(Float(1e21).to_string(), "1000000000000000000000");
        assert_eq!(Float(1e-7).to_string(), "0.0000001");
        assert_eq!(Float(-0.0).to_string(), "-0");
        assert_eq!(Float(f64::NEG_INFINITY).to_string(), "-inf");
        assert_eq!(format!("{:?}", Float(2.0)), "2");
        // The tie: both read back as the same float.
        let tie = 1_080_301_888_052_070.0 + 0.25;
        assert_eq!(Float(tie).to_string(), "1080301888052070.2");
        assert_eq!(format!("{tie}"), "1080301888052070.3");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn agrees_with_rust_display_on_any_bits(bits in any::<u64>()) {
            agrees(f64::from_bits(bits));
        }

        #[test]
        fn matches_rust_display_on_short_decimals(n in -1_000_000i64..1_000_000, scale in 0u32..12) {
            same(n as f64 / 10f64.powi(scale as i32));
        }
    }
}

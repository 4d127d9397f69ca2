//! What the controls ask of the active driver, and the parsing of their text fields.

use peerkeeper_core::TrimSettings;

/// One request from a control to the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    Settings(TrimSettings),
    Tag {
        peer: String,
        tag: String,
        value: i64,
    },
    Untag {
        peer: String,
        tag: String,
    },
    Protect {
        peer: String,
        tag: String,
    },
    Unprotect {
        peer: String,
        tag: String,
    },
    Report {
        peer: String,
        action: String,
    },
    Disconnect {
        peer: String,
    },
    Dial(String),
    /// Sandbox only: new simulated peers.
    AddPeers {
        count: usize,
        outbound: bool,
    },
    TrimNow,
}

fn number<T: std::str::FromStr>(field: &str, text: &str) -> Result<T, String> {
    text.trim().parse().map_err(|_| format!("{field}: {:?} is not a whole number", text.trim()))
}

/// The settings form's four fields; the error names the first bad one. Grace and silence are
/// entered in seconds (fractions allowed), kept in ms.
pub fn parse_settings(
    low: &str,
    high: &str,
    grace_s: &str,
    silence_s: &str,
) -> Result<TrimSettings, String> {
    let low_water: usize = number("low_water", low)?;
    let high_water: usize = number("high_water", high)?;
    let seconds = |field: &str, text: &str| -> Result<u64, String> {
        let v: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("{field}: {:?} is not a number", text.trim()))?;
        if !(0.0..=86_400.0).contains(&v) {
            return Err(format!("{field}: must be within 0..=86400 s"));
        }
        Ok((v * 1000.0).round() as u64)
    };
    let grace_period = seconds("grace_period", grace_s)?;
    let silence_period = seconds("silence_period", silence_s)?;
    if high_water == 0 {
        return Err("high_water: must be at least 1".into());
    }
    if low_water > high_water {
        return Err(format!("low_water: must not exceed high_water ({low_water} > {high_water})"));
    }
    Ok(TrimSettings { low_water, high_water, grace_period, silence_period })
}

/// A tag control's value field.
pub fn parse_tag_value(text: &str) -> Result<i64, String> {
    number("value", text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_with_seconds_kept_as_milliseconds() {
        assert_eq!(
            parse_settings("6", " 8 ", "2", "0.5"),
            Ok(TrimSettings {
                low_water: 6,
                high_water: 8,
                grace_period: 2_000,
                silence_period: 500
            })
        );
    }

    #[test]
    fn bad_settings_name_the_field() {
        assert_eq!(
            parse_settings("x", "8", "1", "1").unwrap_err(),
            "low_water: \"x\" is not a whole number"
        );
        assert_eq!(
            parse_settings("9", "8", "1", "1").unwrap_err(),
            "low_water: must not exceed high_water (9 > 8)"
        );
        assert_eq!(
            parse_settings("0", "0", "1", "1").unwrap_err(),
            "high_water: must be at least 1"
        );
        assert_eq!(
            parse_settings("1", "2", "-1", "1").unwrap_err(),
            "grace_period: must be within 0..=86400 s"
        );
        assert_eq!(parse_tag_value("1.5").unwrap_err(), "value: \"1.5\" is not a whole number");
    }
}

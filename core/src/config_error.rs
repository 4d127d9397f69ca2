//! The one config error of the engine: the facade's [`Config`](crate::Config) and every
//! component config return it from `validate()`.

use std::fmt;

use crate::float_text::Float;

/// A config value the engine refuses, naming the field so a UI or a JS caller can point at it.
/// A field inside one of [`Config`](crate::Config)'s component sections also carries the
/// section's name, so the message reads `backoff.max_backoff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Invalid {
        /// The [`Config`](crate::Config) section the field belongs to, if any.
        section: Option<&'static str>,
        field: &'static str,
        reason: String,
    },
}

impl ConfigError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        ConfigError::Invalid { section: None, field, reason: reason.into() }
    }

    /// The offending field's name within its struct, e.g. `"ban_duration"`.
    pub fn field(&self) -> &'static str {
        match self {
            ConfigError::Invalid { field, .. } => field,
        }
    }

    /// The field's full path from [`Config`](crate::Config), e.g. `"strikes.ban_duration"`.
    pub fn path(&self) -> String {
        match self {
            ConfigError::Invalid { section: Some(s), field, .. } => format!("{s}.{field}"),
            ConfigError::Invalid { section: None, field, .. } => (*field).to_owned(),
        }
    }

    /// The same error, placed inside `section` of [`Config`](crate::Config).
    pub(crate) fn in_section(self, section: &'static str) -> Self {
        match self {
            ConfigError::Invalid { field, reason, .. } => {
                ConfigError::Invalid { section: Some(section), field, reason }
            }
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Invalid { reason, .. } => {
                write!(f, "invalid config field `{}`: {reason}", self.path())
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// Rejects a zero where zero would make a component divide by zero or never fire.
pub(crate) fn require_nonzero(field: &'static str, value: u64) -> Result<(), ConfigError> {
    if value == 0 {
        return Err(ConfigError::invalid(field, "must be greater than zero"));
    }
    Ok(())
}

/// Rejects probabilities and fractions outside `[0, 1]`, NaN included.
pub(crate) fn require_unit_interval(field: &'static str, value: f64) -> Result<(), ConfigError> {
    if !(0.0..=1.0).contains(&value) {
        return Err(ConfigError::invalid(
            field,
            format!("must be within [0, 1], got {}", Float(value)),
        ));
    }
    Ok(())
}

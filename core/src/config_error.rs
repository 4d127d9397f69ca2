//! The one error every component config returns from `validate()`.

use thiserror::Error;

/// A config value the engine refuses, naming the field so a UI or a JS caller can point at it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error("invalid config field `{field}`: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl ConfigError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        ConfigError::Invalid { field, reason: reason.into() }
    }

    /// The offending field's name, e.g. `"ban_duration"`.
    pub fn field(&self) -> &'static str {
        match self {
            ConfigError::Invalid { field, .. } => field,
        }
    }
}

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
        return Err(ConfigError::invalid(field, format!("must be within [0, 1], got {value}")));
    }
    Ok(())
}

//! Parsing of one variable's value, shared by the settings.

use vpce_guard_core::error::ConfigError;

/// A whole number variable within `range`, or `default` when unset.
pub(super) fn whole_number(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    range: std::ops::RangeInclusive<u64>,
    default: u64,
) -> Result<u64, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(text) => match text.parse::<u64>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ConfigError::Invalid {
                name,
                value: text,
                reason: format!(
                    "expected a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            }),
        },
    }
}

/// A comma- (or space-) separated list variable, sorted and without repeats; every item must
/// pass `ok` (`what` names the items in the error). Unset is an empty list.
pub(super) fn checked_list(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    ok: fn(&str) -> bool,
    what: &str,
) -> Result<Vec<String>, ConfigError> {
    let mut items: Vec<String> = get(name)
        .unwrap_or_default()
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    items.sort();
    items.dedup();
    if let Some(bad) = items.iter().find(|i| !ok(i)) {
        return Err(ConfigError::Invalid {
            name,
            value: bad.clone(),
            reason: format!("expected a comma-separated list of {what}"),
        });
    }
    Ok(items)
}

/// A `true`/`false` variable (any case), or `default` when unset.
pub(super) fn boolean(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(name).map(|v| v.to_ascii_lowercase()).as_deref() {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(ConfigError::Invalid {
            name,
            value: other.to_string(),
            reason: "expected `true` or `false`".to_string(),
        }),
    }
}

/// A decimal variable within `range`, or `default` when unset.
pub(super) fn decimal(
    get: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    range: std::ops::RangeInclusive<f64>,
    default: f64,
) -> Result<f64, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(text) => match text.parse::<f64>() {
            Ok(n) if n.is_finite() && range.contains(&n) => Ok(n),
            _ => Err(ConfigError::Invalid {
                name,
                value: text,
                reason: format!(
                    "expected a number from {} to {}",
                    range.start(),
                    range.end()
                ),
            }),
        },
    }
}

//! When usage is read and what is done with it.

use serde::{Deserialize, Serialize};

/// Default for `USAGE_WINDOW_DAYS`: Trusted Advisor's inactive-endpoint check looks at 30 days.
pub const DEFAULT_USAGE_WINDOW_DAYS: u32 = 30;
/// Default for `SAVINGS_WINDOW_DAYS`: two weeks before and after smooth out weekly cycles.
pub const DEFAULT_SAVINGS_WINDOW_DAYS: u32 = 14;
/// CloudWatch keeps data of 1-hour periods and longer for 455 days (15 months): no window (and
/// no savings comparison) reaches further back.
pub const CLOUDWATCH_RETENTION_DAYS: u32 = 455;
/// Upper bound for `SAVINGS_WINDOW_DAYS`: the before and after windows both fit in the retention.
pub const MAX_SAVINGS_WINDOW_DAYS: u32 = 90;

/// `USAGE_CHECK`: which scheduled sweeps read endpoint usage. Network events never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageCheck {
    /// The first scheduled sweep of each UTC day (the rule the event path's check uses).
    #[default]
    Daily,
    /// Every scheduled sweep (each read is billed per metric: see docs/cost.md).
    EverySweep,
    Off,
}

impl UsageCheck {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "daily" => Some(UsageCheck::Daily),
            "every_sweep" => Some(UsageCheck::EverySweep),
            "off" => Some(UsageCheck::Off),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UsageCheck::Daily => "daily",
            UsageCheck::EverySweep => "every_sweep",
            UsageCheck::Off => "off",
        }
    }

    /// Whether a scheduled sweep reads usage, given whether it is the day's first.
    pub fn reads_on(self, daily_run: bool) -> bool {
        match self {
            UsageCheck::Daily => daily_run,
            UsageCheck::EverySweep => true,
            UsageCheck::Off => false,
        }
    }
}

/// How usage is measured and acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageSettings {
    pub check: UsageCheck,
    /// `USAGE_WINDOW_DAYS` (1..=455): the window an endpoint's bytes are summed over; an endpoint
    /// younger than it is `too_new`.
    pub window_days: u32,
    /// `SAVINGS_WINDOW_DAYS` (1..=90): the days of NAT traffic compared before and after.
    pub savings_window_days: u32,
    /// `PRUNE_UNUSED` (remediate mode only): delete the guard's idle endpoints and take idle AZs
    /// out of them.
    pub prune_unused: bool,
}

impl Default for UsageSettings {
    fn default() -> Self {
        Self {
            check: UsageCheck::Daily,
            window_days: DEFAULT_USAGE_WINDOW_DAYS,
            savings_window_days: DEFAULT_SAVINGS_WINDOW_DAYS,
            prune_unused: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_parses_and_decides_which_sweeps_read() {
        assert_eq!(UsageCheck::parse(" Daily "), Some(UsageCheck::Daily));
        assert_eq!(
            UsageCheck::parse("every_sweep"),
            Some(UsageCheck::EverySweep)
        );
        assert_eq!(UsageCheck::parse("off"), Some(UsageCheck::Off));
        assert_eq!(UsageCheck::parse("hourly"), None);
        assert!(UsageCheck::Daily.reads_on(true) && !UsageCheck::Daily.reads_on(false));
        assert!(UsageCheck::EverySweep.reads_on(false));
        assert!(!UsageCheck::Off.reads_on(true));
        for check in [UsageCheck::Daily, UsageCheck::EverySweep, UsageCheck::Off] {
            assert_eq!(UsageCheck::parse(check.as_str()), Some(check));
        }
    }
}

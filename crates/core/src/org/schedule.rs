//! How long an organization sweep may run: `SWEEP_DEADLINE_MINUTES`, by default the period of
//! the sweep's own schedule (a sweep should be done before the next one starts, and the next
//! coordinator run is what summarises an overdue one).

use std::time::Duration;

/// The deadline when the schedule is a cron expression (no fixed period to read).
pub const DEFAULT_SWEEP_DEADLINE: Duration = Duration::from_secs(6 * 3600);

/// The period of an EventBridge `rate(N unit)` expression; None for `cron(...)` or garbage.
pub fn schedule_period(expression: &str) -> Option<Duration> {
    let inner = expression.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let mut parts = inner.split_whitespace();
    let value: u64 = parts.next()?.parse().ok()?;
    let unit = parts.next()?;
    if parts.next().is_some() || value == 0 {
        return None;
    }
    let seconds = match unit {
        "minute" | "minutes" => 60,
        "hour" | "hours" => 3600,
        "day" | "days" => 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(value.checked_mul(seconds)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_expressions_give_their_period() {
        assert_eq!(
            schedule_period("rate(6 hours)"),
            Some(Duration::from_secs(21_600))
        );
        assert_eq!(
            schedule_period(" rate(1 day) "),
            Some(Duration::from_secs(86_400))
        );
        assert_eq!(
            schedule_period("rate(30 minutes)"),
            Some(Duration::from_secs(1_800))
        );
        for bad in [
            "cron(0 * * * ? *)",
            "rate(0 hours)",
            "rate(6 fortnights)",
            "rate(x hours)",
            "",
        ] {
            assert_eq!(schedule_period(bad), None, "{bad}");
        }
    }
}

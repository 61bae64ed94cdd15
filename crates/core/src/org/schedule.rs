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

/// Seconds in a UTC day.
const DAY: i64 = 86_400;

/// Default for `SWEEP_INTERVAL_SECONDS` (the template's default schedule, every 6 hours).
pub const DEFAULT_SWEEP_INTERVAL: Duration = Duration::from_secs(21_600);

/// Whether `interval` can drive the daily checks: whole minutes that divide a day, so exactly
/// one scheduled run a day falls in the first interval after midnight UTC.
pub fn is_valid_sweep_interval(interval: Duration) -> bool {
    let seconds = interval.as_secs();
    seconds >= 60 && seconds.is_multiple_of(60) && (DAY as u64).is_multiple_of(seconds)
}

/// Whether a run scheduled at `scheduled_at` (seconds since the epoch: the scheduled event's
/// `time`) is the day's first for a schedule firing every `interval`: the one run a day that
/// makes the daily checks (the event path). Stateless, so a retried or resumed sweep decides
/// the same way; a day whose first tick did not run is skipped, and the next day checks again.
pub fn is_daily_run(scheduled_at: i64, interval: Duration) -> bool {
    let seconds = i64::try_from(interval.as_secs())
        .unwrap_or(DAY)
        .clamp(1, DAY);
    scheduled_at.rem_euclid(DAY) < seconds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_run_a_day_is_the_daily_one() {
        // 2026-12-06T00:00:00Z.
        let midnight = 1_796_515_200;
        for interval in [300u64, 900, 3600, 21_600, 86_400] {
            let step = interval as i64;
            // A schedule whose ticks fall 7 minutes into each interval (EventBridge rate
            // schedules start from the rule's creation time).
            let offset = 420 % step;
            let daily = (0..(2 * DAY / step))
                .map(|k| midnight + offset + k * step)
                .filter(|t| is_daily_run(*t, Duration::from_secs(interval)))
                .count();
            assert_eq!(daily, 2, "two days of ticks every {interval} s");
        }
        assert!(is_daily_run(midnight + 59, Duration::from_secs(60)));
        assert!(!is_daily_run(midnight + 60, Duration::from_secs(60)));
    }

    #[test]
    fn sweep_intervals_must_divide_a_day() {
        for ok in [60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400] {
            assert!(is_valid_sweep_interval(Duration::from_secs(ok)), "{ok}");
        }
        for bad in [0, 30, 90, 420, 25_200, 172_800] {
            assert!(!is_valid_sweep_interval(Duration::from_secs(bad)), "{bad}");
        }
    }

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

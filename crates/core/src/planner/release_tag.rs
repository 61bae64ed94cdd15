//! The value of the release tag (`vpce-guard:released`): when the guard's resources were given
//! back, and until when nothing is created there. `2026-12-08T10:00:00Z` holds for the run's
//! `RELEASE_HOLD_HOURS`; `2026-12-08T10:00:00Z/2026-12-12T10:00:00Z` (an ISO 8601 interval)
//! holds until its end, whatever `RELEASE_HOLD_HOURS` is, so the hold a release announced
//! (the CLI's `--hold-hours`, or the function's own setting at the time) is the hold every
//! later run keeps. An end more than `MAX_RELEASE_HOLD_HOURS` after the start is cut there. A
//! value that is neither was written by a person and holds for good.

use crate::policy::MAX_RELEASE_HOLD_HOURS;
use crate::time::parse_rfc3339;

/// What a release tag says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseTag {
    /// Released at this time (seconds since the epoch), held for the run's own hold.
    Since(i64),
    /// Released at `from`, held until `until` (seconds since the epoch).
    Until { from: i64, until: i64 },
    /// Not a time: a person keeps the guard out for good.
    ByHand,
}

impl ReleaseTag {
    pub fn parse(value: &str) -> Self {
        let value = value.trim();
        if let Some(at) = parse_rfc3339(value) {
            return ReleaseTag::Since(at);
        }
        let Some((from, until)) = value.split_once('/') else {
            return ReleaseTag::ByHand;
        };
        match (parse_rfc3339(from.trim()), parse_rfc3339(until.trim())) {
            (Some(from), Some(until)) => {
                let cap = from.saturating_add(MAX_RELEASE_HOLD_HOURS as i64 * 3600);
                ReleaseTag::Until {
                    from,
                    until: until.min(cap),
                }
            }
            _ => ReleaseTag::ByHand,
        }
    }

    /// The value that records a release at `from` held until `until` (both RFC 3339).
    pub fn value(from: &str, until: &str) -> String {
        format!("{from}/{until}")
    }

    /// Whether the release still holds at `now`, with `default_hold_seconds` for tags that name
    /// no end.
    pub fn holds_at(&self, now: i64, default_hold_seconds: i64) -> bool {
        match *self {
            ReleaseTag::Since(at) => now < at.saturating_add(default_hold_seconds),
            ReleaseTag::Until { until, .. } => now < until,
            ReleaseTag::ByHand => true,
        }
    }

    /// Whether a person wrote it (the guard then leaves it as it is).
    pub fn is_by_hand(&self) -> bool {
        matches!(self, ReleaseTag::ByHand)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_796_000_000;

    #[test]
    fn a_tag_holds_for_the_default_or_until_its_own_end() {
        let since = ReleaseTag::parse(" 2026-12-02T10:00:00Z ");
        let ReleaseTag::Since(at) = since else {
            panic!("{since:?}")
        };
        assert!(since.holds_at(at + 3599, 3600) && !since.holds_at(at + 3600, 3600));
        let until = ReleaseTag::parse("2026-12-02T10:00:00Z/2026-12-06T10:00:00Z");
        assert_eq!(
            until,
            ReleaseTag::Until {
                from: at,
                until: at + 4 * 86_400
            }
        );
        assert!(
            until.holds_at(at + 3 * 86_400, 3600),
            "its own end, not the run's hold"
        );
        assert!(!until.holds_at(at + 4 * 86_400, 30 * 86_400));
        let far = ReleaseTag::parse("2026-12-02T10:00:00Z/2099-01-01T00:00:00Z");
        assert!(!far.holds_at(at + 8761 * 3600, 0), "cut at a year");
        for hand in ["keep out", "2026-12-02T10:00:00Z/soon", ""] {
            assert!(ReleaseTag::parse(hand).is_by_hand(), "{hand:?}");
            assert!(ReleaseTag::parse(hand).holds_at(T0, 0));
        }
        assert_eq!(ReleaseTag::value("a", "b"), "a/b");
    }
}

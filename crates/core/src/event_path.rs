//! Whether CloudTrail feeds the event path in a Region. EventBridge receives "AWS API Call via
//! CloudTrail" events only from a trail that logs the Region's management *write* events; with
//! none, network-events never fires and only the scheduled sweep does any work. The sweep checks
//! once a day per (account, Region) and says so loudly when nothing logs them.

use serde::{Deserialize, Serialize};

/// The EC2 API's event source, which the guard's rule matches.
pub const EC2_EVENT_SOURCE: &str = "ec2.amazonaws.com";

/// `ReadWriteType` of a basic event selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadWrite {
    All,
    ReadOnly,
    WriteOnly,
}

/// One field condition of an advanced event selector.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldCondition {
    pub field: String,
    pub equals: Vec<String>,
    pub not_equals: Vec<String>,
    pub starts_with: Vec<String>,
    pub not_starts_with: Vec<String>,
}

/// A trail's event selectors (GetEventSelectors): basic or advanced, never both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selectors {
    /// `EventSelectors`: one entry per selector (`IncludeManagementEvents`, `ReadWriteType`).
    Basic(Vec<(bool, ReadWrite)>),
    /// `AdvancedEventSelectors`: each selector's field conditions (all must hold).
    Advanced(Vec<Vec<FieldCondition>>),
}

/// What the adapter could read of one trail that applies to the Region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trail {
    /// The trail's ARN.
    pub arn: String,
    /// `IsLogging` (GetTrailStatus); Err with the error when it could not be read.
    pub logging: Result<bool, String>,
    /// Err with the error when the selectors could not be read.
    pub selectors: Result<Selectors, String>,
}

/// The day's verdict for one account and Region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum EventPath {
    /// This trail logs the Region's EC2 management write events.
    Covered { trail: String },
    /// No trail does: events do not reach the guard. `reason` says what was found.
    Missing {
        trails_checked: usize,
        reason: String,
    },
    /// Some trail might, but the guard could not read enough to tell (an organization trail's
    /// status read from a member account, for example). Logged, never alarmed.
    Unverified {
        trails_checked: usize,
        reason: String,
    },
}

impl EventPath {
    pub fn is_missing(&self) -> bool {
        matches!(self, EventPath::Missing { .. })
    }
}

/// Whether one selector set sends EC2's management write events.
fn logs_ec2_writes(selectors: &Selectors) -> bool {
    match selectors {
        Selectors::Basic(list) => list.iter().any(|(management, rw)| {
            *management && matches!(rw, ReadWrite::All | ReadWrite::WriteOnly)
        }),
        Selectors::Advanced(list) => list.iter().any(|fields| advanced_logs_ec2_writes(fields)),
    }
}

/// An advanced selector logs EC2 writes when every field condition lets such an event through:
/// `eventCategory` Management, `readOnly` not only true, `eventSource` not excluding EC2.
fn advanced_logs_ec2_writes(fields: &[FieldCondition]) -> bool {
    let management = fields
        .iter()
        .find(|f| f.field == "eventCategory")
        .is_some_and(|f| f.equals.iter().any(|v| v == "Management"));
    management
        && fields.iter().all(|f| match f.field.as_str() {
            "eventCategory" => true,
            "readOnly" => {
                (f.equals.is_empty() || f.equals.iter().any(|v| v == "false"))
                    && !f.not_equals.iter().any(|v| v == "false")
            }
            "eventSource" => admits(f, EC2_EVENT_SOURCE),
            // Other fields (eventName, errorCode, ...) may narrow it further; a selector that
            // filters on them is taken at its word only when they admit everything the guard's
            // rule needs, which the guard cannot know: treat them as admitting.
            _ => true,
        })
}

/// Whether a field condition admits `value`.
fn admits(f: &FieldCondition, value: &str) -> bool {
    (f.equals.is_empty() || f.equals.iter().any(|v| v == value))
        && !f.not_equals.iter().any(|v| v == value)
        && (f.starts_with.is_empty() || f.starts_with.iter().any(|p| value.starts_with(p.as_str())))
        && !f
            .not_starts_with
            .iter()
            .any(|p| value.starts_with(p.as_str()))
}

/// The verdict over the trails that apply to a Region (its own, multi-Region and organization
/// trails, as `DescribeTrails` with shadow trails lists them there).
pub fn event_path(region: &str, trails: &[Trail]) -> EventPath {
    let mut unreadable = Vec::new();
    let mut not_logging = Vec::new();
    let mut no_writes = Vec::new();
    for trail in trails {
        match (&trail.logging, &trail.selectors) {
            (Ok(true), Ok(selectors)) if logs_ec2_writes(selectors) => {
                return EventPath::Covered {
                    trail: trail.arn.clone(),
                }
            }
            (Ok(false), _) => not_logging.push(trail.arn.as_str()),
            (Ok(true), Ok(_)) => no_writes.push(trail.arn.as_str()),
            (Err(e), _) | (_, Err(e)) => unreadable.push(format!("{} ({e})", trail.arn)),
        }
    }
    let mut found = Vec::new();
    if !not_logging.is_empty() {
        found.push(format!("stopped: {}", not_logging.join(", ")));
    }
    if !no_writes.is_empty() {
        found.push(format!(
            "logging no management write events: {}",
            no_writes.join(", ")
        ));
    }
    if !unreadable.is_empty() {
        return EventPath::Unverified {
            trails_checked: trails.len(),
            reason: format!(
                "could not read {} in {region}{}",
                unreadable.join(", "),
                if found.is_empty() {
                    String::new()
                } else {
                    format!("; {}", found.join("; "))
                }
            ),
        };
    }
    let reason = if trails.is_empty() {
        format!("no CloudTrail trail applies to {region}")
    } else {
        format!(
            "no trail logs management write events in {region} ({})",
            found.join("; ")
        )
    };
    EventPath::Missing {
        trails_checked: trails.len(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trail(arn: &str, logging: bool, selectors: Selectors) -> Trail {
        Trail {
            arn: arn.into(),
            logging: Ok(logging),
            selectors: Ok(selectors),
        }
    }

    fn field(name: &str, equals: &[&str]) -> FieldCondition {
        FieldCondition {
            field: name.into(),
            equals: equals.iter().map(|s| s.to_string()).collect(),
            ..FieldCondition::default()
        }
    }

    #[test]
    fn no_trail_is_missing() {
        let verdict = event_path("eu-west-1", &[]);
        assert_eq!(
            verdict,
            EventPath::Missing {
                trails_checked: 0,
                reason: "no CloudTrail trail applies to eu-west-1".into()
            }
        );
        assert!(verdict.is_missing());
    }

    #[test]
    fn a_logging_trail_with_management_writes_covers_the_region() {
        for rw in [ReadWrite::All, ReadWrite::WriteOnly] {
            let t = trail("arn:t", true, Selectors::Basic(vec![(true, rw)]));
            assert_eq!(
                event_path("eu-west-1", &[t]),
                EventPath::Covered {
                    trail: "arn:t".into()
                }
            );
        }
    }

    #[test]
    fn read_only_data_only_or_stopped_trails_do_not() {
        let trails = [
            trail(
                "arn:read",
                true,
                Selectors::Basic(vec![(true, ReadWrite::ReadOnly)]),
            ),
            trail(
                "arn:data",
                true,
                Selectors::Basic(vec![(false, ReadWrite::All)]),
            ),
            trail(
                "arn:stopped",
                false,
                Selectors::Basic(vec![(true, ReadWrite::All)]),
            ),
        ];
        let verdict = event_path("eu-west-1", &trails);
        let EventPath::Missing {
            trails_checked,
            reason,
        } = verdict
        else {
            panic!("{verdict:?}")
        };
        assert_eq!(trails_checked, 3);
        assert!(reason.contains("stopped: arn:stopped"), "{reason}");
        assert!(reason.contains("arn:read, arn:data"), "{reason}");
    }

    #[test]
    fn advanced_selectors_are_read_field_by_field() {
        let management = field("eventCategory", &["Management"]);
        let covered = |fields: Vec<FieldCondition>| {
            event_path(
                "r",
                &[trail("arn:a", true, Selectors::Advanced(vec![fields]))],
            ) == EventPath::Covered {
                trail: "arn:a".into(),
            }
        };
        assert!(covered(vec![management.clone()]));
        assert!(covered(vec![
            management.clone(),
            field("readOnly", &["false"])
        ]));
        assert!(!covered(vec![
            management.clone(),
            field("readOnly", &["true"])
        ]));
        assert!(!covered(vec![field("eventCategory", &["Data"])]));
        assert!(covered(vec![
            management.clone(),
            field("eventSource", &["ec2.amazonaws.com"])
        ]));
        assert!(!covered(vec![
            management.clone(),
            field("eventSource", &["s3.amazonaws.com"])
        ]));
        let mut not_ec2 = field("eventSource", &[]);
        not_ec2.not_equals = vec!["ec2.amazonaws.com".into()];
        assert!(!covered(vec![management.clone(), not_ec2]));
        let mut kms_out = field("eventSource", &[]);
        kms_out.not_equals = vec!["kms.amazonaws.com".into()];
        assert!(covered(vec![management, kms_out]));
    }

    #[test]
    fn an_unreadable_trail_is_unverified_not_missing() {
        let trails = [Trail {
            arn: "arn:org".into(),
            logging: Err("AccessDenied".into()),
            selectors: Ok(Selectors::Basic(vec![(true, ReadWrite::All)])),
        }];
        let verdict = event_path("eu-west-1", &trails);
        assert!(
            matches!(&verdict, EventPath::Unverified { reason, .. } if reason.contains("arn:org (AccessDenied)")),
            "{verdict:?}"
        );
        assert!(!verdict.is_missing());
        // One readable covering trail is enough, whatever the others say.
        let both = [
            trails[0].clone(),
            trail(
                "arn:t",
                true,
                Selectors::Basic(vec![(true, ReadWrite::All)]),
            ),
        ];
        assert!(matches!(
            event_path("eu-west-1", &both),
            EventPath::Covered { .. }
        ));
    }
}

//! The event path's Security Hub finding: one per account and Region, `FAILED` while no trail
//! feeds the guard's events there, `PASSED` + `ARCHIVED` once one does.

use std::collections::BTreeMap;

use super::finding::{
    finding_id_prefix, HubCompliance, HubFinding, HubRecordState, HubResource, HubScope,
    GENERATOR_PREFIX,
};
use super::severity::HubSeverity;
use crate::event_path::EventPath;

/// `vpce-guard/<account>/<region>/event-path`: no VPC in it, so the per-VPC reconcile never
/// archives it.
pub fn event_path_finding_id(account_id: &str, region: &str) -> String {
    format!("{}event-path", finding_id_prefix(account_id, region))
}

impl HubScope {
    /// The finding for the day's verdict: `FAILED` when the path is missing, else the
    /// `PASSED` + `ARCHIVED` update of an earlier one (`created_at` is when it was first seen).
    /// None when the path is covered or unverified and nothing was reported before.
    pub fn event_path(&self, verdict: &EventPath, created_at: Option<&str>) -> Option<HubFinding> {
        let missing = verdict.is_missing();
        if !missing && created_at.is_none() {
            return None;
        }
        let description = match verdict {
            EventPath::Missing { reason, .. } => format!(
                "vpce-guard receives no CloudTrail events in account {} ({}): {reason}. Network changes there are repaired only by the scheduled sweep, hours later.",
                self.account_id, self.region
            ),
            EventPath::Covered { trail } => format!(
                "{trail} logs management write events in account {} ({}): events reach the guard again.",
                self.account_id, self.region
            ),
            EventPath::Unverified { reason, .. } => format!(
                "vpce-guard could not tell whether events reach it in account {} ({}): {reason}.",
                self.account_id, self.region
            ),
        };
        Some(HubFinding {
            id: event_path_finding_id(&self.account_id, &self.region),
            product_arn: self.product_arn(),
            generator_id: format!("{GENERATOR_PREFIX}event-path"),
            account_id: self.account_id.clone(),
            region: self.region.clone(),
            partition: self.partition.clone(),
            created_at: created_at.unwrap_or(&self.now).to_string(),
            updated_at: self.now.clone(),
            severity: HubSeverity::Medium,
            title: format!(
                "CloudTrail events do not reach vpce-guard in {}",
                self.region
            ),
            description,
            resources: vec![HubResource {
                resource_type: "AwsAccount".to_string(),
                id: format!("AWS::::Account:{}", self.account_id),
            }],
            compliance: if missing {
                HubCompliance::Failed
            } else {
                HubCompliance::Passed
            },
            record_state: if missing {
                HubRecordState::Active
            } else {
                HubRecordState::Archived
            },
            recommendation: "Create a CloudTrail trail (or an organization trail) that logs management events with read/write type All or WriteOnly in this Region, and keep it logging.".to_string(),
            product_fields: BTreeMap::from([(
                "vpce-guard/Outcome".to_string(),
                if missing { "event_path_missing" } else { "resolved" }.to_string(),
            )]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> HubScope {
        HubScope {
            account_id: "111122223333".into(),
            region: "eu-west-1".into(),
            partition: "aws".into(),
            now: "2026-12-06T00:05:00Z".into(),
        }
    }

    #[test]
    fn missing_is_failed_and_a_later_cover_archives_it() {
        let missing = EventPath::Missing {
            trails_checked: 0,
            reason: "no CloudTrail trail applies to eu-west-1".into(),
        };
        let failed = scope().event_path(&missing, None).expect("a finding");
        assert_eq!(failed.id, "vpce-guard/111122223333/eu-west-1/event-path");
        assert_eq!(failed.compliance, HubCompliance::Failed);
        assert_eq!(failed.record_state, HubRecordState::Active);
        assert_eq!(failed.created_at, "2026-12-06T00:05:00Z");
        assert!(failed.description.contains("no CloudTrail trail"));

        let covered = EventPath::Covered {
            trail: "arn:aws:cloudtrail:eu-west-1:111122223333:trail/main".into(),
        };
        assert_eq!(
            scope().event_path(&covered, None),
            None,
            "nothing to resolve"
        );
        let resolved = scope()
            .event_path(&covered, Some("2026-12-01T00:05:00Z"))
            .expect("resolves the earlier finding");
        assert_eq!(resolved.id, failed.id);
        assert_eq!(resolved.compliance, HubCompliance::Passed);
        assert_eq!(resolved.record_state, HubRecordState::Archived);
        assert_eq!(resolved.created_at, "2026-12-01T00:05:00Z");
    }
}

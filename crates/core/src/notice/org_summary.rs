//! The `org` part of an `org_sweep_summary` notice: an organization sweep rolled up.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::counters::RunCounters;
use crate::org::{ItemFailure, SweepRecord};

/// Coverage, failures and totals of one organization sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgSweepReport {
    pub sweep_id: String,
    pub started_at: String,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub items_total: u64,
    pub items_succeeded: u64,
    pub items_failed: u64,
    /// The (account, region) pairs that ended in the dead-letter queue, sorted.
    pub failed_items: Vec<ItemFailure>,
    /// Accounts with at least one failed region.
    pub accounts_failed: Vec<String>,
    /// Summed over every item that succeeded.
    #[serde(flatten)]
    pub counters: RunCounters,
}

impl OrgSweepReport {
    pub fn from_record(record: &SweepRecord) -> Self {
        let mut failed_items = record.failures.clone();
        failed_items.sort_by(|a, b| (&a.account_id, &a.region).cmp(&(&b.account_id, &b.region)));
        failed_items.dedup_by(|a, b| a.account_id == b.account_id && a.region == b.region);
        let accounts_failed: BTreeSet<String> =
            failed_items.iter().map(|f| f.account_id.clone()).collect();
        Self {
            sweep_id: record.sweep_id.clone(),
            started_at: record.started_at.clone(),
            accounts: record.accounts.clone(),
            regions: record.regions.clone(),
            items_total: record.items_total,
            items_succeeded: record.succeeded,
            items_failed: failed_items.len() as u64,
            failed_items,
            accounts_failed: accounts_failed.into_iter().collect(),
            counters: record.counters,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::UsdCents;
    use crate::notice::RunSummary;

    #[test]
    fn counters_round_trip_and_report_adds_up() {
        let summary = RunSummary {
            counters: RunCounters {
                vpcs_checked: 5,
                vpcs_compliant: 3,
                vpcs_drifted: 2,
                actions_applied: 4,
                api_calls: 17,
                throttled_requests: 2,
                monthly_cost_delta_usd: UsdCents::from_usd(43.8),
                ..RunCounters::default()
            },
            ..RunSummary::default()
        };
        let counters = summary.counters;
        assert_eq!(counters.monthly_cost_delta_usd.cents(), 4380);
        let fields = counters.fields();
        let back = RunCounters::from_fields(|name| {
            fields
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .unwrap_or(0)
        });
        assert_eq!(back, counters);
        let record = SweepRecord {
            sweep_id: "s".into(),
            items_total: 3,
            done: ["a", "b", "c"].into_iter().map(String::from).collect(),
            succeeded: 2,
            failures: vec![ItemFailure {
                account_id: "222222222222".into(),
                region: "eu-west-1".into(),
                error: "AccessDenied".into(),
            }],
            counters,
            accounts: vec!["111111111111".into(), "222222222222".into()],
            regions: vec!["us-east-1".into()],
            started_at: "t".into(),
        };
        assert!(record.is_complete());
        let report = OrgSweepReport::from_record(&record);
        assert_eq!(
            report.items_succeeded + report.items_failed,
            report.items_total
        );
        assert_eq!(report.accounts_failed, ["222222222222"]);
        assert_eq!(report.counters.monthly_cost_delta_usd.usd(), 43.8);
        assert!(!SweepRecord::default().is_complete());
    }
}

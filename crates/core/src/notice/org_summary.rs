//! The `org` part of an `org_sweep_summary` notice: an organization sweep rolled up.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::counters::RunCounters;
use crate::org::{ItemFailure, ItemRef, LateItem, SweepRecord, SweepTally};

/// At most this many entries of each list are named in a notice (SNS messages are at most
/// 256 KB); the counts stay exact.
pub const MAX_LISTED_ITEMS: usize = 500;

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
    /// The (account, region) pairs that ended in the dead-letter queue, sorted (at most
    /// [`MAX_LISTED_ITEMS`]).
    pub failed_items: Vec<ItemFailure>,
    /// Accounts with at least one failed region.
    pub accounts_failed: Vec<String>,
    /// Items never tallied by the deadline: a worker that died on their last delivery, or still
    /// running (at most [`MAX_LISTED_ITEMS`] named; `items_unfinished_count` is exact).
    #[serde(default)]
    pub items_unfinished: Vec<ItemRef>,
    #[serde(default)]
    pub items_unfinished_count: u64,
    /// Items of earlier sweeps that finished after those sweeps' summaries (past their deadline,
    /// or redriven from the dead-letter queue): counted here instead of being lost.
    #[serde(default)]
    pub late_items: Vec<LateItem>,
    /// Summed over every item that succeeded.
    #[serde(flatten)]
    pub counters: RunCounters,
}

impl OrgSweepReport {
    /// The report of `sweep` from its `tally`, with the late items of earlier sweeps.
    pub fn new(sweep: &SweepRecord, tally: SweepTally, late_items: Vec<LateItem>) -> Self {
        let accounts_failed: BTreeSet<String> = tally
            .failures
            .iter()
            .map(|f| f.account_id.clone())
            .collect();
        let items_failed = tally.failures.len() as u64;
        let items_unfinished_count = tally.unfinished.len() as u64;
        let mut failed_items = tally.failures;
        failed_items.truncate(MAX_LISTED_ITEMS);
        let mut items_unfinished = tally.unfinished;
        items_unfinished.truncate(MAX_LISTED_ITEMS);
        let mut late_items = late_items;
        late_items.sort();
        late_items.truncate(MAX_LISTED_ITEMS);
        Self {
            sweep_id: sweep.sweep_id.clone(),
            started_at: sweep.started_at.clone(),
            accounts: sweep.accounts.clone(),
            regions: sweep.regions.clone(),
            items_total: sweep.items_total,
            items_succeeded: tally.succeeded,
            items_failed,
            failed_items,
            accounts_failed: accounts_failed.into_iter().collect(),
            items_unfinished,
            items_unfinished_count,
            late_items,
            counters: tally.counters,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::UsdCents;
    use crate::org::{tally, ItemRecord, ItemResult};

    #[test]
    fn counters_round_trip_and_report_adds_up() {
        let counters = RunCounters {
            vpcs_checked: 5,
            vpcs_compliant: 3,
            vpcs_drifted: 2,
            actions_applied: 4,
            api_calls: 17,
            throttled_requests: 2,
            monthly_cost_delta_usd: UsdCents::from_usd(43.8),
            ..RunCounters::default()
        };
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
        let sweep = SweepRecord {
            sweep_id: "s".into(),
            items_total: 3,
            done: 2,
            accounts: vec!["111111111111".into(), "222222222222".into()],
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            started_at: "t".into(),
            ..SweepRecord::default()
        };
        let item = |a: &str, r: &str| ItemRef {
            account_id: a.into(),
            region: r.into(),
        };
        let records = vec![
            ItemRecord {
                item: item("111111111111", "us-east-1"),
                result: ItemResult::Succeeded(Box::new(counters)),
            },
            ItemRecord {
                item: item("111111111111", "eu-west-1"),
                result: ItemResult::Succeeded(Box::default()),
            },
            ItemRecord {
                item: item("222222222222", "eu-west-1"),
                result: ItemResult::Failed("AccessDenied".into()),
            },
        ];
        let late = vec![LateItem {
            sweep_id: "earlier".into(),
            account_id: "333333333333".into(),
            region: "us-east-1".into(),
            error: None,
        }];
        let report = OrgSweepReport::new(&sweep, tally(&sweep, records), late);
        assert_eq!(report.items_succeeded, 2);
        assert_eq!(report.items_failed, 1);
        assert_eq!(report.accounts_failed, ["222222222222"]);
        assert_eq!(report.items_unfinished, [item("222222222222", "us-east-1")]);
        assert_eq!(report.items_unfinished_count, 1);
        assert_eq!(
            report.items_succeeded + report.items_failed + report.items_unfinished_count,
            4
        );
        assert_eq!(report.late_items.len(), 1);
        assert_eq!(report.counters.monthly_cost_delta_usd.usd(), 43.8);
    }
}

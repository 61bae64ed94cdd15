//! CloudWatch Embedded Metric Format: one JSON log line per guard run, from which CloudWatch Logs
//! extracts the run's counters as metrics (namespace `VpceGuard`), with no API call and no
//! `cloudwatch:PutMetricData` permission. Dimension sets `[Account, Region]` and `[]` (the
//! whole deployment), as the specification describes: every dimension and metric the directive
//! names is a member of the root object.

use serde_json::{json, Map, Value};

use vpce_guard_core::counters::RunCounters;
use vpce_guard_core::notice::OrgSweepReport;

/// The namespace of every metric the guard emits.
pub const EMF_NAMESPACE: &str = "VpceGuard";

/// The metrics of a run: name, unit, value.
pub fn run_metrics(counters: &RunCounters) -> Vec<(&'static str, &'static str, f64)> {
    let count = |v: u64| v as f64;
    let mut metrics = vec![
        ("VpcsChecked", "Count", count(counters.vpcs_checked)),
        ("VpcsCompliant", "Count", count(counters.vpcs_compliant)),
        ("VpcsDrifted", "Count", count(counters.vpcs_drifted)),
        ("VpcsExempt", "Count", count(counters.vpcs_exempt)),
        ("ActionsApplied", "Count", count(counters.actions_applied)),
        ("ActionsFailed", "Count", count(counters.actions_failed)),
        (
            "NoticesPublished",
            "Count",
            count(counters.notices_published),
        ),
        (
            "ThrottledRequests",
            "Count",
            count(counters.throttled_requests),
        ),
        ("ApiCalls", "Count", count(counters.api_calls)),
        (
            "SecurityHubFindingsFailed",
            "Count",
            count(counters.security_hub_failed),
        ),
        (
            "MonthlyCostDeltaUsd",
            "None",
            counters.monthly_cost_delta_usd.usd(),
        ),
    ];
    // Only the day's first scheduled run checks the event path: the metric has one datapoint a
    // day per account and Region, which the EventPathMissing alarm reads.
    if counters.event_path_checked > 0 {
        metrics.push((
            "EventPathMissing",
            "Count",
            count(counters.event_path_missing),
        ));
    }
    // A run that left VPCs' DNS attributes unread says so (a metric to alarm on when it
    // persists); a run that read everything it needed writes no datapoint.
    if counters.vpcs_dns_unchecked > 0 {
        metrics.push((
            "VpcsDnsUnchecked",
            "Count",
            count(counters.vpcs_dns_unchecked),
        ));
    }
    // Only runs that read usage (by default the day's first scheduled run) know it: one
    // datapoint a day per account and Region, which a dashboard sums.
    if counters.usage_checked > 0 {
        metrics.extend([
            ("EndpointsIdle", "Count", count(counters.endpoints_idle)),
            (
                "EndpointsUnderused",
                "Count",
                count(counters.endpoints_underused),
            ),
            (
                "EndpointAzsIdle",
                "Count",
                count(counters.endpoint_azs_idle),
            ),
            ("EndpointsPruned", "Count", count(counters.endpoints_pruned)),
            (
                "IdleMonthlyCostUsd",
                "None",
                counters.idle_monthly_cost_usd.usd(),
            ),
            (
                "VpcsSavingsVerified",
                "Count",
                count(counters.vpcs_savings_verified),
            ),
            ("VpcsNotPaying", "Count", count(counters.vpcs_not_paying)),
            (
                "VerifiedMonthlySavingUsd",
                "None",
                counters.verified_monthly_saving_usd.usd(),
            ),
        ]);
    }
    metrics
}

/// The EMF document of one run in `account_id` and `region` at `timestamp_ms` (milliseconds
/// since the epoch). With `by_account`, the metrics exist per `[Account, Region]` as well as for
/// the whole deployment (`[]`); without, only for the whole deployment: CloudWatch bills each
/// metric and dimension combination, so an organization of thousands of accounts may want the
/// totals only.
pub fn emf_record(
    counters: &RunCounters,
    account_id: &str,
    region: &str,
    timestamp_ms: i64,
    by_account: bool,
) -> Value {
    let dimensions = if by_account {
        json!([["Account", "Region"], []])
    } else {
        json!([[]])
    };
    document(
        &run_metrics(counters),
        dimensions,
        &[("Account", account_id), ("Region", region)],
        timestamp_ms,
    )
}

/// The EMF document of an organization sweep's summary (deployment-wide, no dimensions): the
/// items that failed or never finished are what the sweep's alarm watches.
pub fn org_sweep_record(report: &OrgSweepReport, timestamp_ms: i64) -> Value {
    let count = |v: u64| v as f64;
    let metrics = [
        ("OrgSweepItems", "Count", count(report.items_total)),
        (
            "OrgSweepItemsSucceeded",
            "Count",
            count(report.items_succeeded),
        ),
        ("OrgSweepItemsFailed", "Count", count(report.items_failed)),
        (
            "OrgSweepItemsUnfinished",
            "Count",
            count(report.items_unfinished_count),
        ),
        ("OrgSweepLateItems", "Count", report.late_items.len() as f64),
    ];
    document(&metrics, json!([[]]), &[], timestamp_ms)
}

/// An EMF document: the `_aws` directive naming `metrics` under `dimensions`, and every
/// dimension and metric as a root member.
fn document(
    metrics: &[(&str, &str, f64)],
    dimensions: Value,
    dimension_values: &[(&str, &str)],
    timestamp_ms: i64,
) -> Value {
    let mut root = Map::new();
    root.insert(
        "_aws".to_string(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": EMF_NAMESPACE,
                "Dimensions": dimensions,
                "Metrics": metrics
                    .iter()
                    .map(|(name, unit, _)| json!({"Name": name, "Unit": unit}))
                    .collect::<Vec<_>>(),
            }],
        }),
    );
    for (name, value) in dimension_values {
        root.insert(name.to_string(), json!(value));
    }
    for (name, _, value) in metrics {
        root.insert(name.to_string(), json!(value));
    }
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vpce_guard_core::counters::UsdCents;

    #[test]
    fn every_named_dimension_and_metric_is_a_root_member() {
        let counters = RunCounters {
            vpcs_checked: 4,
            vpcs_drifted: 1,
            actions_applied: 2,
            api_calls: 9,
            monthly_cost_delta_usd: UsdCents::from_usd(14.6),
            ..RunCounters::default()
        };
        let record = emf_record(
            &counters,
            "123456789012",
            "eu-west-1",
            1_796_205_600_000,
            true,
        );
        let directive = &record["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], EMF_NAMESPACE);
        assert_eq!(record["_aws"]["Timestamp"], 1_796_205_600_000i64);
        for set in directive["Dimensions"].as_array().unwrap() {
            for dimension in set.as_array().unwrap() {
                assert!(
                    record[dimension.as_str().unwrap()].is_string(),
                    "{dimension}"
                );
            }
        }
        let metrics = directive["Metrics"].as_array().unwrap();
        assert_eq!(metrics.len(), 11);
        for metric in metrics {
            assert!(
                record[metric["Name"].as_str().unwrap()].is_number(),
                "{metric}"
            );
        }
        assert_eq!(record["VpcsChecked"], 4.0);
        assert_eq!(record["MonthlyCostDeltaUsd"], 14.6);
        assert_eq!(record["Region"], "eu-west-1");
        assert!(
            record.get("EventPathMissing").is_none(),
            "only checked runs carry it"
        );
        let checked = RunCounters {
            event_path_checked: 1,
            event_path_missing: 1,
            ..counters
        };
        let daily = emf_record(&checked, "123456789012", "eu-west-1", 0, true);
        assert_eq!(
            daily["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                .as_array()
                .unwrap()
                .len(),
            12
        );
        assert_eq!(daily["EventPathMissing"], 1.0);
        let unchecked = RunCounters {
            vpcs_dns_unchecked: 237,
            ..counters
        };
        let partial = emf_record(&unchecked, "123456789012", "eu-west-1", 0, true);
        assert_eq!(
            partial["VpcsDnsUnchecked"], 237.0,
            "a run that left checks undone says so"
        );
        let measured = RunCounters {
            usage_checked: 1,
            endpoints_idle: 2,
            idle_monthly_cost_usd: UsdCents::from_usd(29.2),
            vpcs_savings_verified: 1,
            verified_monthly_saving_usd: UsdCents::from_usd(52.18),
            ..counters
        };
        let usage = emf_record(&measured, "123456789012", "eu-west-1", 0, true);
        assert_eq!(
            usage["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                .as_array()
                .unwrap()
                .len(),
            11 + 8,
            "usage metrics only from runs that read usage"
        );
        assert_eq!(usage["EndpointsIdle"], 2.0);
        assert_eq!(usage["IdleMonthlyCostUsd"], 29.2);
        assert_eq!(usage["VerifiedMonthlySavingUsd"], 52.18);
        assert!(daily.get("EndpointsIdle").is_none());
        let totals_only = emf_record(&counters, "123456789012", "eu-west-1", 0, false);
        assert_eq!(
            totals_only["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([[]])
        );
    }

    #[test]
    fn an_org_sweep_record_carries_its_item_counts() {
        use vpce_guard_core::org::{tally, ItemRecord, ItemRef, ItemResult, SweepRecord};
        let sweep = SweepRecord {
            sweep_id: "s".into(),
            items_total: 2,
            accounts: vec!["111111111111".into()],
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            ..SweepRecord::default()
        };
        let failed = ItemRecord {
            item: ItemRef {
                account_id: "111111111111".into(),
                region: "us-east-1".into(),
            },
            result: ItemResult::Failed("AccessDenied".into()),
        };
        let report = OrgSweepReport::new(&sweep, tally(&sweep, [failed]), Vec::new());
        let record = org_sweep_record(&report, 5);
        assert_eq!(record["OrgSweepItems"], 2.0);
        assert_eq!(record["OrgSweepItemsFailed"], 1.0);
        assert_eq!(record["OrgSweepItemsUnfinished"], 1.0);
        let directive = &record["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Dimensions"], json!([[]]));
        for metric in directive["Metrics"].as_array().unwrap() {
            assert!(record[metric["Name"].as_str().unwrap()].is_number());
        }
    }
}

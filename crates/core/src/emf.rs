//! CloudWatch Embedded Metric Format: one JSON log line per guard run, from which CloudWatch Logs
//! extracts the run's counters as metrics (namespace `VpceGuard`), with no API call and no
//! `cloudwatch:PutMetricData` permission. Dimension sets `[Account, Region]` and `[]` (the
//! whole deployment), as the specification describes: every dimension and metric the directive
//! names is a member of the root object.

use serde_json::{json, Map, Value};

use crate::counters::RunCounters;

/// The namespace of every metric the guard emits.
pub const EMF_NAMESPACE: &str = "VpceGuard";

/// The metrics of a run: name, unit, value.
pub fn run_metrics(counters: &RunCounters) -> Vec<(&'static str, &'static str, f64)> {
    let count = |v: u64| v as f64;
    vec![
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
            "MonthlyCostDeltaUsd",
            "None",
            counters.monthly_cost_delta_usd.usd(),
        ),
    ]
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
    let metrics = run_metrics(counters);
    let mut root = Map::new();
    root.insert(
        "_aws".to_string(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": EMF_NAMESPACE,
                "Dimensions": if by_account {
                    json!([["Account", "Region"], []])
                } else {
                    json!([[]])
                },
                "Metrics": metrics
                    .iter()
                    .map(|(name, unit, _)| json!({"Name": name, "Unit": unit}))
                    .collect::<Vec<_>>(),
            }],
        }),
    );
    root.insert("Account".to_string(), json!(account_id));
    root.insert("Region".to_string(), json!(region));
    for (name, _, value) in metrics {
        root.insert(name.to_string(), json!(value));
    }
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counters::UsdCents;

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
        assert_eq!(metrics.len(), 10);
        for metric in metrics {
            assert!(
                record[metric["Name"].as_str().unwrap()].is_number(),
                "{metric}"
            );
        }
        assert_eq!(record["VpcsChecked"], 4.0);
        assert_eq!(record["MonthlyCostDeltaUsd"], 14.6);
        assert_eq!(record["Region"], "eu-west-1");
        let totals_only = emf_record(&counters, "123456789012", "eu-west-1", 0, false);
        assert_eq!(
            totals_only["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([[]])
        );
    }
}

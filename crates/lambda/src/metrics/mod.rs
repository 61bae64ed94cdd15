//! The run's counters as CloudWatch metrics: one Embedded Metric Format line on stdout per guard
//! run, which CloudWatch Logs turns into the `VpceGuard` metrics the template's alarms and
//! dashboard use (no API call, no `cloudwatch:PutMetricData`).

use std::time::{SystemTime, UNIX_EPOCH};

use vpce_guard_core::counters::RunCounters;
mod emf;

pub use emf::{emf_record, org_sweep_record, run_metrics, EMF_NAMESPACE};
use vpce_guard_core::notice::OrgSweepReport;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Writes the EMF line of an organization sweep's summary (failed and unfinished items, for the
/// template's `OrgSweepItemsAlarm`).
pub fn emit_org_sweep_metrics(report: &OrgSweepReport) {
    println!("{}", org_sweep_record(report, now_ms()));
}

/// Writes the EMF line of one run in `account_id` and `region` to stdout (`by_account`:
/// `METRICS_BY_ACCOUNT`).
pub fn emit_run_metrics(counters: &RunCounters, account_id: &str, region: &str, by_account: bool) {
    let line = emf_record(counters, account_id, region, now_ms(), by_account).to_string();
    // `println!` writes the whole line under stdout's lock, so lines of concurrent runs never
    // interleave inside it (and test harnesses capture it like any other output).
    println!("{line}");
}

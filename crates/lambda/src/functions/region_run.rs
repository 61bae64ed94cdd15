//! One (account, Region) swept as part of a larger invocation, and how the results of several
//! roll up into the invocation's outcome.

use serde::Serialize;
use tracing::error;
use vpce_guard_core::notice::RunSummary;

use crate::error::FunctionError;
use crate::metrics::emit_run_metrics;
use crate::session::{RunChecks, Session};

/// How one Region's sweep ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionStatus {
    Succeeded,
    /// The run failed, or (in remediate mode) a remedy failed.
    Failed,
}

/// One Region's result, as functions return it.
#[derive(Debug, Clone, Serialize)]
pub struct RegionResult {
    pub account_id: String,
    pub region: String,
    pub status: RegionStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<RunSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Guards every VPC of `account_id` in `region`; failures become a `failed` result. The run
/// also makes `checks`: whether CloudTrail feeds the event path there, and endpoint usage.
pub async fn sweep_one(
    session: &Session<'_>,
    account_id: &str,
    region: &str,
    trigger: &str,
    read_dns_for_all: bool,
    checks: RunChecks,
) -> RegionResult {
    // Boxed: the guard's future is deep, and the callers nest it in join_all and streams; a
    // pointer keeps the compiler's layout queries (and the stack) shallow.
    let run = Box::pin(async {
        let guard = session
            .guard_with_checks(account_id, region, checks)
            .await?;
        let report = guard.sweep(account_id, trigger, read_dns_for_all).await?;
        Ok::<_, FunctionError>(report.summary)
    });
    match run.await {
        Ok(summary) => {
            emit_run_metrics(
                &summary.counters,
                account_id,
                region,
                session.context().config().metrics_by_account,
            );
            RegionResult {
                account_id: account_id.to_string(),
                region: region.to_string(),
                status: if summary.counters.actions_failed > 0 {
                    RegionStatus::Failed
                } else {
                    RegionStatus::Succeeded
                },
                summary: Some(summary),
                error: None,
            }
        }
        Err(e) => {
            error!(%account_id, %region, error = %e, "guard run failed");
            RegionResult {
                account_id: account_id.to_string(),
                region: region.to_string(),
                status: RegionStatus::Failed,
                summary: None,
                error: Some(e.to_string()),
            }
        }
    }
}

/// The error naming every Region in `failed` (none: `Ok`), for the invocation to fail with.
pub fn regions_failed(
    account_id: &str,
    results: &[RegionResult],
    failed: impl Fn(&RegionResult) -> bool,
) -> Result<(), FunctionError> {
    let details: Vec<String> = results
        .iter()
        .filter(|r| failed(r))
        .map(|r| {
            format!(
                "{}: {}",
                r.region,
                r.error.clone().unwrap_or_else(|| {
                    let n = r.summary.as_ref().map_or(0, |s| s.counters.actions_failed);
                    format!("{n} remedy(ies) failed")
                })
            )
        })
        .collect();
    if details.is_empty() {
        return Ok(());
    }
    Err(FunctionError::Regions {
        account_id: account_id.to_string(),
        failed: details.len(),
        total: results.len(),
        detail: details.join("; "),
    })
}

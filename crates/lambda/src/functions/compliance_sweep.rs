//! `compliance-sweep`: on its schedule, guards every VPC of the own account in every Region of
//! `GUARD_REGIONS`; with `WORK_QUEUE_URL`, fans the organization out to the sweep workers instead.
//! A sweep holds a lease in `SWEEP_TABLE_NAME` for its whole invocation: a second one started
//! meanwhile (a late tick, a manual invoke) yields instead of racing it.

use std::time::Duration;

use aws_lambda_events::event::cloudwatch_events::CloudWatchEvent;
use futures::future::join_all;
use lambda_runtime::LambdaEvent;
use serde_json::{json, Value};
use tracing::{error, info};
use vpce_guard_adapters::Lease;
use vpce_guard_core::org::is_daily_run;
use vpce_guard_service::SCHEDULE_TRIGGER;

use super::fan_out::fan_out;
use super::org_summary::now;
use super::region_run::{regions_failed, sweep_one};
use crate::context::FunctionContext;
use crate::error::FunctionError;
use crate::routing::{event_time, schedule_of, Routed};
use crate::session::{RunChecks, Session};

/// The lease's name in the table.
const SWEEP_LEASE: &str = "compliance-sweep";
/// How long a lease holds when the invocation's deadline is unknown (outside Lambda): the
/// function's 900-second timeout.
const LEASE_WITHOUT_DEADLINE: Duration = Duration::from_secs(900);

pub async fn compliance_sweep(
    context: &FunctionContext,
    event: LambdaEvent<CloudWatchEvent>,
) -> Result<Value, FunctionError> {
    if let Routed::Ignore(answer) = schedule_of(&event.payload)? {
        return Ok(answer);
    }
    let holder = event.context.request_id.clone();
    let ledger = context.sweep_ledger();
    if let Some(ledger) = &ledger {
        let now = now();
        let until = match event.context.deadline {
            0 => now.saturating_add(LEASE_WITHOUT_DEADLINE.as_secs() as i64),
            ms => i64::try_from(ms / 1000).unwrap_or(i64::MAX),
        };
        match ledger
            .take_lease(SWEEP_LEASE, &holder, now, until)
            .await
            .map_err(FunctionError::Ledger)?
        {
            Lease::Taken => {}
            Lease::HeldBy(other) => {
                info!(holder = %other.holder, until = other.until, "another sweep holds the lease; this one yields");
                return Ok(json!({
                    "skipped": true,
                    "reason": format!(
                        "another compliance sweep (request {}) is running until {}; this one yields to it",
                        if other.holder.is_empty() { "unknown" } else { &other.holder },
                        other.until
                    ),
                }));
            }
        }
    }
    let result = Box::pin(sweep(context, &event)).await;
    if let Some(ledger) = &ledger {
        if let Err(e) = ledger.release_lease(SWEEP_LEASE, &holder).await {
            // The lease lapses at the invocation's deadline anyway.
            error!(error = %e, "could not release the sweep's lease");
        }
    }
    result
}

/// The sweep itself, under the lease.
async fn sweep(
    context: &FunctionContext,
    event: &LambdaEvent<CloudWatchEvent>,
) -> Result<Value, FunctionError> {
    let session = Session::open(context, &event.context).await?;
    let started_at = event_time(&event.payload);
    let daily_checks = is_daily_run(
        event.payload.time.timestamp(),
        context.config().org.sweep_interval,
    );
    if context.config().org.work_queue_url.is_some() {
        // The EventBridge event id is the same on a retried delivery: the retry reopens the
        // same sweep instead of starting a second one.
        let sweep_id = event
            .payload
            .id
            .clone()
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| event.context.request_id.clone());
        return fan_out(&session, &sweep_id, &started_at, daily_checks).await;
    }
    let account = session.home_account().to_string();
    let regions = context.regions();
    let results = join_all(regions.iter().map(|region| {
        sweep_one(
            &session,
            &account,
            region,
            SCHEDULE_TRIGGER,
            false,
            RunChecks::scheduled(daily_checks, context.config().run.usage.check),
        )
    }))
    .await;
    // A failed remedy is reported by its notice; only a failed run fails the invocation.
    regions_failed(&account, &results, |r| r.error.is_some())?;
    Ok(json!({ "account_id": account, "regions": results }))
}

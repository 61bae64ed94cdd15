//! `account-baseline`: baselines every VPC of a newly vended account in each Region, and
//! publishes notices. A direct invocation gets the per-Region result back (`status` is `failed`
//! when any Region failed, so a pipeline step can fail on it); an EventBridge event whose
//! baseline failed fails the invocation, so Lambda retries it (the member StackSet may still be
//! deploying the role).

use futures::future::join_all;
use lambda_runtime::LambdaEvent;
use serde_json::{json, Value};
use tracing::info;
use vpce_guard_core::org::{
    parse_direct_baseline, parse_vending_envelope, VendingSource, VendingTrigger,
};

use super::region_run::{regions_failed, sweep_one, RegionStatus};
use crate::context::FunctionContext;
use crate::error::FunctionError;
use crate::routing::{ignored, VendingInvocation};
use crate::session::{RunChecks, Session};

pub async fn account_baseline(
    context: &FunctionContext,
    event: LambdaEvent<VendingInvocation>,
) -> Result<Value, FunctionError> {
    let trigger = match &event.payload {
        VendingInvocation::Direct(direct) => {
            VendingTrigger::Baseline(parse_direct_baseline(direct.clone())?)
        }
        VendingInvocation::Event(event) => {
            parse_vending_envelope(event.source.as_deref(), event.detail.as_ref())?
        }
    };
    let request = match trigger {
        VendingTrigger::Baseline(request) => request,
        VendingTrigger::Ignored { reason } => return Ok(ignored(reason)),
    };
    let regions = request.regions.clone().unwrap_or_else(|| context.regions());
    info!(account = %request.account_id, ?regions, source = ?request.source, "baselining a new account");
    let session = Session::open(context, &event.context).await?;
    let trigger = request.source.trigger();
    // A new account has few VPCs: read every VPC's DNS attributes, so DNS drift is found too;
    // and check that CloudTrail feeds the event path in it from the first day.
    let results = join_all(regions.iter().map(|region| {
        // A new account: the event path is checked; usage waits for the scheduled
        // sweeps (its endpoints are all younger than the window).
        let checks = RunChecks {
            event_path: true,
            usage: false,
        };
        sweep_one(&session, &request.account_id, region, trigger, true, checks)
    }))
    .await;
    let outcome = regions_failed(&request.account_id, &results, |r| {
        r.status == RegionStatus::Failed
    });
    let response = json!({
        "account_id": request.account_id,
        "source": request.source,
        "status": if outcome.is_err() { "failed" } else { "succeeded" },
        "regions": results,
    });
    match (request.source, outcome) {
        (VendingSource::Direct, _) | (_, Ok(())) => Ok(response),
        (_, Err(error)) => Err(error),
    }
}

//! `compliance-sweep`: on its schedule, guards every VPC of the own account in every Region of
//! `GUARD_REGIONS`; with `WORK_QUEUE_URL`, fans the organization out to the sweep workers instead.

use futures::future::join_all;
use lambda_runtime::LambdaEvent;
use serde_json::{json, Value};
use vpce_guard_service::SCHEDULE_TRIGGER;

use super::fan_out::fan_out;
use super::region_run::{regions_failed, sweep_one};
use crate::context::FunctionContext;
use crate::error::FunctionError;
use crate::routing::{schedule_of, Routed};
use crate::session::Session;

pub async fn compliance_sweep(
    context: &FunctionContext,
    event: LambdaEvent<Value>,
) -> Result<Value, FunctionError> {
    if let Routed::Ignore(answer) = schedule_of(&event.payload)? {
        return Ok(answer);
    }
    let session = Session::open(context, &event.context).await?;
    if context.config().org.work_queue_url.is_some() {
        // The EventBridge event id is the same on a retried delivery: the retry reopens the
        // same sweep instead of starting a second one.
        let sweep_id = event
            .payload
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .unwrap_or(&event.context.request_id)
            .to_string();
        let started_at = event
            .payload
            .get("time")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        return fan_out(&session, &sweep_id, &started_at).await;
    }
    let account = session.home_account().to_string();
    let regions = context.regions();
    let results = join_all(
        regions
            .iter()
            .map(|region| sweep_one(&session, &account, region, SCHEDULE_TRIGGER, false)),
    )
    .await;
    // A failed remedy is reported by its notice; only a failed run fails the invocation.
    regions_failed(&account, &results, |r| r.error.is_some())?;
    Ok(json!({ "account_id": account, "regions": results }))
}

//! `network-events`: guards exactly the VPCs a CloudTrail-recorded EC2 call touched, in the
//! account and Region where it happened (a member account's event, forwarded to the central
//! bus, is handled through the member role).

use lambda_runtime::LambdaEvent;
use serde_json::Value;
use tracing::warn;

use crate::context::FunctionContext;
use crate::error::FunctionError;
use crate::routing::{api_call_of, ignored, summary_json, Routed};
use crate::session::Session;

pub async fn network_events(
    context: &FunctionContext,
    event: LambdaEvent<Value>,
) -> Result<Value, FunctionError> {
    let call = match api_call_of(&event.payload)? {
        Routed::Handle(call) => call,
        Routed::Ignore(answer) => return Ok(answer),
    };
    if !context.guards_region(&call.region) {
        return Ok(ignored(format!(
            "{} happened in {}, which is not in GUARD_REGIONS ({})",
            call.event_name,
            call.region,
            context.regions().join(",")
        )));
    }
    let session = Session::open(context, &event.context).await?;
    if !session.reaches_account(&call.account_id) {
        warn!(account = %call.account_id, "event from another account, but MEMBER_ROLE_NAME is not set");
        return Ok(ignored(format!(
            "{} happened in account {}, not this deployment's account {}, and MEMBER_ROLE_NAME is not set",
            call.event_name,
            call.account_id,
            session.home_account()
        )));
    }
    let guard = session.guard(&call.account_id, &call.region).await?;
    // Boxed: the guard's future is deep; a pointer keeps the runtime's future small.
    let report = Box::pin(guard.run_for_call(call)).await?;
    Ok(summary_json(&report.summary))
}

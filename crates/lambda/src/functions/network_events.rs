//! `network-events`: guards exactly the VPCs a CloudTrail-recorded EC2 call touched, in the
//! account and Region where it happened (a member account's event, forwarded to the central
//! bus, is handled through the member role).

use aws_lambda_events::event::cloudwatch_events::CloudWatchEvent;
use lambda_runtime::LambdaEvent;
use serde_json::Value;
use tracing::warn;

use vpce_guard_service::CallOutcome;

use crate::context::FunctionContext;
use crate::error::FunctionError;
use crate::metrics::emit_run_metrics;
use crate::routing::{api_call_of, ignored, summary_json, Routed};
use crate::session::Session;

pub async fn network_events(
    context: &FunctionContext,
    event: LambdaEvent<CloudWatchEvent>,
) -> Result<Value, FunctionError> {
    let call = match api_call_of(&event.payload)? {
        Routed::Handle(call) => call,
        Routed::Ignore(answer) => return Ok(answer),
    };
    // The guard's own remediation comes back through CloudTrail; the rule drops it, and so does
    // the handler in case the rule is older than the deployment's roles.
    if let Some(role) = call
        .caller_role_arn
        .as_deref()
        .filter(|arn| context.config().own_roles().is_own(arn))
    {
        return Ok(ignored(format!(
            "{} was made by the guard's own role {role}",
            call.event_name
        )));
    }
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
    let (account_id, region) = (call.account_id.clone(), call.region.clone());
    // Boxed: the guard's future is deep; a pointer keeps the runtime's future small.
    match Box::pin(guard.run_for_call(call)).await? {
        CallOutcome::Guarded(report) => {
            emit_run_metrics(
                &report.summary.counters,
                &account_id,
                &region,
                context.config().metrics_by_account,
            );
            Ok(summary_json(&report.summary))
        }
        CallOutcome::Ignored { reason } => Ok(ignored(reason)),
        CallOutcome::Released(release) => Ok(serde_json::json!({
            "released": release.report,
            "summary": release.notice.summary,
        })),
    }
}

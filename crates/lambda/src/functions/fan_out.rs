//! The coordinator's half of an organization sweep, wired: the accounts from `GUARD_ACCOUNTS`
//! or AWS Organizations, the service layer's fan-out over the ledger (DynamoDB) and the work
//! queue (SQS), and the summaries of overdue sweeps it published.

use serde_json::{json, Value};
use vpce_guard_adapters::{OrganizationsAdapter, WorkQueueAdapter};
use vpce_guard_service::org::{sweep_accounts, FanOut};

use super::org_summary::{emit_summaries, ledger_of, now, org_sweep};
use crate::context::FunctionContext;
use crate::error::FunctionError;
use crate::session::Session;

/// The accounts an org sweep covers: `GUARD_ACCOUNTS`, or AWS Organizations filtered.
pub async fn accounts_to_sweep(context: &FunctionContext) -> Result<Vec<String>, FunctionError> {
    let org = &context.config().org;
    let directory = OrganizationsAdapter::new(aws_sdk_organizations::Client::new(context.sdk()));
    Ok(sweep_accounts(
        &directory,
        &org.accounts,
        &org.account_filter,
        &org.org_unit_ids,
    )
    .await?)
}

/// Opens (or resumes) the sweep in the ledger and queues its work items; `daily_checks` when it
/// is the day's first scheduled sweep.
pub async fn fan_out(
    session: &Session<'_>,
    sweep_id: &str,
    started_at: &str,
    daily_checks: bool,
) -> Result<Value, FunctionError> {
    let context = session.context();
    let org = &context.config().org;
    let Some(queue_url) = &org.work_queue_url else {
        return Err(FunctionError::NotConfigured {
            operation: "an organization sweep",
            name: "WORK_QUEUE_URL",
        });
    };
    let ledger = ledger_of(context, "an organization sweep")?;
    let accounts = accounts_to_sweep(context).await?;
    if org.member_role.is_none() && accounts.iter().any(|a| a != session.home_account()) {
        return Err(FunctionError::NotConfigured {
            operation: "sweeping other accounts",
            name: "MEMBER_ROLE_NAME",
        });
    }
    let plan = FanOut {
        sweep_id: sweep_id.to_string(),
        started_at: started_at.to_string(),
        accounts,
        regions: context.regions(),
        now: now(),
        deadline: org.sweep_deadline,
        daily_checks,
    };
    let queue = WorkQueueAdapter::new(aws_sdk_sqs::Client::new(context.sdk()), queue_url);
    let report = org_sweep(session, &ledger).fan_out(&queue, &plan).await?;
    emit_summaries(&report.summaries);
    Ok(json!({
        "sweep_id": sweep_id,
        "accounts": plan.accounts,
        "regions": plan.regions,
        "work_items": report.items_queued,
        "send_message_batch_calls": report.send_calls,
        "resumed": report.resumed,
        "daily_checks": daily_checks,
        "overdue_sweeps_summarised": report.overdue_summarised,
    }))
}

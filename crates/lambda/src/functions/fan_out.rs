//! The coordinator's half of an organization sweep: summarise the earlier sweeps that are past
//! their deadline, choose the accounts, open the sweep in the ledger before the first message,
//! and queue one SQS work item per (account, Region), several batches in flight.

use std::collections::BTreeSet;
use std::time::SystemTime;

use serde_json::{json, Value};
use tracing::info;
use vpce_guard_adapters::{OrganizationsAdapter, SweepLedger, WorkQueueAdapter};
use vpce_guard_core::org::{select_accounts, work_items, ItemRef};
use vpce_guard_core::time::epoch_seconds;

use super::org_summary::publish_org_summary;
use crate::context::FunctionContext;
use crate::error::FunctionError;
use crate::session::Session;

/// The accounts an org sweep covers: `GUARD_ACCOUNTS`, or AWS Organizations filtered.
pub async fn sweep_accounts(context: &FunctionContext) -> Result<Vec<String>, FunctionError> {
    let org = &context.config().org;
    if !org.accounts.is_empty() {
        let accounts: Vec<String> = org
            .accounts
            .iter()
            .filter(|a| !org.account_filter.exclude.contains(*a))
            .cloned()
            .collect();
        return Ok(accounts);
    }
    let directory = OrganizationsAdapter::new(aws_sdk_organizations::Client::new(context.sdk()));
    let listed = directory
        .accounts(&org.org_unit_ids)
        .await
        .map_err(FunctionError::ListAccounts)?;
    Ok(select_accounts(&listed, &org.account_filter))
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
    let (Some(queue_url), Some(table)) = (&org.work_queue_url, &org.sweep_table) else {
        return Err(FunctionError::NotConfigured {
            operation: "an organization sweep",
            name: "SWEEP_TABLE_NAME",
        });
    };
    let accounts = sweep_accounts(context).await?;
    if accounts.is_empty() {
        return Err(FunctionError::NothingToSweep);
    }
    if org.member_role.is_none() && accounts.iter().any(|a| a != session.home_account()) {
        return Err(FunctionError::NotConfigured {
            operation: "sweeping other accounts",
            name: "MEMBER_ROLE_NAME",
        });
    }
    let regions = context.regions();
    let items = work_items(sweep_id, &accounts, &regions, daily_checks);
    let ledger = SweepLedger::new(aws_sdk_dynamodb::Client::new(context.sdk()), table);
    let now = epoch_seconds(SystemTime::now());
    let overdue = summarise_overdue(session, &ledger, sweep_id, now).await?;
    let deadline_at = now.saturating_add(i64::try_from(org.sweep_deadline.as_secs()).unwrap_or(0));
    let new_sweep = ledger
        .start(sweep_id, &accounts, &regions, started_at, deadline_at)
        .await
        .map_err(FunctionError::Ledger)?;
    // A resumed sweep (the same scheduled event delivered again) re-queues only the items not
    // tallied yet; an item still in the queue may run twice, and the ledger counts it once.
    let items = if new_sweep {
        items
    } else {
        let tallied: BTreeSet<ItemRef> = ledger
            .items(sweep_id)
            .await
            .map_err(FunctionError::Ledger)?
            .into_iter()
            .map(|r| r.item)
            .collect();
        items
            .into_iter()
            .filter(|i| {
                !tallied.contains(&ItemRef {
                    account_id: i.account_id.clone(),
                    region: i.region.clone(),
                })
            })
            .collect()
    };
    let queue = WorkQueueAdapter::new(aws_sdk_sqs::Client::new(context.sdk()), queue_url);
    let send_calls = queue.send(&items).await?;
    info!(%sweep_id, accounts = accounts.len(), regions = regions.len(), items = items.len(), new_sweep, "organization sweep queued");
    Ok(json!({
        "sweep_id": sweep_id,
        "accounts": accounts,
        "regions": regions,
        "work_items": items.len(),
        "send_message_batch_calls": send_calls,
        "resumed": !new_sweep,
        "daily_checks": daily_checks,
        "overdue_sweeps_summarised": overdue,
    }))
}

/// Publishes the summary of every open sweep past its deadline (a worker died on an item's last
/// delivery, or items were still running): with the items it has and the unfinished ones named.
async fn summarise_overdue(
    session: &Session<'_>,
    ledger: &SweepLedger,
    current: &str,
    now: i64,
) -> Result<Vec<String>, FunctionError> {
    let mut summarised = Vec::new();
    for (sweep_id, deadline_at) in ledger.open_sweeps().await.map_err(FunctionError::Ledger)? {
        if sweep_id == current || deadline_at <= 0 || now < deadline_at {
            continue;
        }
        info!(%sweep_id, deadline_at, "sweep past its deadline: summarising it");
        publish_org_summary(session, ledger, &sweep_id).await?;
        summarised.push(sweep_id);
    }
    Ok(summarised)
}

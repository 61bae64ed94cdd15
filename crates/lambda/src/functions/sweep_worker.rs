//! `sweep-worker`: runs the guard for each (account, Region) work item of an organization sweep,
//! tallies it in the ledger, and publishes the org summary when the last item is done. Failed
//! items are reported as partial batch failures, so only they are retried; on their last
//! delivery they are tallied as failed (and SQS moves them to the dead-letter queue).

use std::collections::BTreeMap;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures::stream::{self, StreamExt};
use lambda_runtime::LambdaEvent;
use tracing::{error, info, warn};
use vpce_guard_adapters::{Recorded, SweepLedger};
use vpce_guard_core::org::{is_final_attempt, ItemResult, WorkItem};
use vpce_guard_service::SCHEDULE_TRIGGER;

use super::org_summary::publish_org_summary;
use super::region_run::sweep_one;
use crate::context::FunctionContext;
use crate::error::FunctionError;
use crate::session::Session;

/// Work items one worker invocation runs at once (each is a different account or region; EC2
/// throttles per account and region, and each run bounds its own concurrency).
pub const WORKER_ITEM_CONCURRENCY: usize = 5;

pub async fn sweep_worker(
    context: &FunctionContext,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, FunctionError> {
    let table = context
        .config()
        .org
        .sweep_table
        .clone()
        .ok_or(FunctionError::NotConfigured {
            operation: "the sweep worker",
            name: "SWEEP_TABLE_NAME",
        })?;
    let ledger = SweepLedger::new(aws_sdk_dynamodb::Client::new(context.sdk()), table);
    let session = Session::open(context, &event.context).await?;
    let max_receive_count = context.config().org.work_max_receive_count;

    // The same item twice in one batch (a redelivery) runs once; both messages share the result.
    let mut by_key: BTreeMap<String, (Option<WorkItem>, u32, Vec<String>)> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    for record in &event.payload.records {
        let Some(message_id) = record.message_id.clone() else {
            warn!("SQS record without a message id; SQS will redeliver it");
            continue;
        };
        let receive_count = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|c| c.parse::<u32>().ok())
            .unwrap_or(1);
        match WorkItem::parse(record.body.as_deref().unwrap_or_default()) {
            Ok(item) => {
                let key = format!("{}/{}", item.sweep_id, item.key());
                let entry = by_key.entry(key).or_insert((Some(item), 0, Vec::new()));
                entry.1 = entry.1.max(receive_count);
                entry.2.push(message_id);
            }
            Err(e) => {
                // Never succeeds: it goes to the dead-letter queue after its retries.
                error!(%message_id, error = %e, "malformed work item");
                failures.push(message_id);
            }
        }
    }
    let results: Vec<(Vec<String>, bool)> = stream::iter(by_key.into_values())
        .map(|(item, receive_count, message_ids)| {
            let session = &session;
            let ledger = &ledger;
            async move {
                let ok = match item {
                    Some(item) => {
                        let final_attempt = is_final_attempt(receive_count, max_receive_count);
                        work_on(session, ledger, &item, final_attempt).await
                    }
                    None => false,
                };
                (message_ids, ok)
            }
        })
        .buffer_unordered(WORKER_ITEM_CONCURRENCY)
        .collect()
        .await;
    for (message_ids, ok) in results {
        if !ok {
            failures.extend(message_ids);
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures
        .into_iter()
        .map(|id| {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            failure
        })
        .collect();
    Ok(response)
}

/// Runs one item and records it; `false` means "let SQS deliver it again".
async fn work_on(
    session: &Session<'_>,
    ledger: &SweepLedger,
    item: &WorkItem,
    final_attempt: bool,
) -> bool {
    let result = sweep_one(
        session,
        &item.account_id,
        &item.region,
        SCHEDULE_TRIGGER,
        false,
        item.daily_checks,
    )
    .await;
    let outcome = match (&result.summary, &result.error) {
        (Some(summary), None) => ItemResult::Succeeded(summary.counters),
        (_, error) => {
            let error = error.clone().unwrap_or_else(|| "unknown error".to_string());
            if !final_attempt {
                warn!(account = %item.account_id, region = %item.region, %error, "work item failed; SQS will retry it");
                return false;
            }
            error!(account = %item.account_id, region = %item.region, %error, "work item failed on its last delivery; it goes to the dead-letter queue");
            ItemResult::Failed(error)
        }
    };
    let succeeded = matches!(outcome, ItemResult::Succeeded(_));
    let sweep = match ledger.record(item, &outcome).await {
        Ok(Recorded::Counted(sweep)) => sweep,
        Ok(Recorded::Duplicate) => {
            info!(sweep_id = %item.sweep_id, account = %item.account_id, region = %item.region, "already tallied (a redelivery)");
            return succeeded;
        }
        Ok(Recorded::Late) => {
            info!(sweep_id = %item.sweep_id, account = %item.account_id, region = %item.region, "tallied after the sweep's summary; the next summary reports it");
            return succeeded;
        }
        Ok(Recorded::UnknownSweep) => {
            warn!(sweep_id = %item.sweep_id, "the ledger does not know this sweep; the item is not tallied");
            return succeeded;
        }
        Err(e) => {
            // The guard run is idempotent and the ledger deduplicates: retry the item.
            error!(error = %e, "could not tally the work item");
            return false;
        }
    };
    if sweep.is_complete() {
        if let Err(e) = publish_org_summary(session, ledger, &item.sweep_id).await {
            error!(error = %e, "could not publish the organization sweep summary; retrying the item");
            return false;
        }
    }
    succeeded
}

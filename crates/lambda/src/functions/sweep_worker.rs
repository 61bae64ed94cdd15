//! `sweep-worker`: runs the guard for each (account, Region) work item of an organization sweep,
//! tallies it in the ledger, and publishes the org summary when the last item is done. Failed
//! items are reported as partial batch failures, so only they are retried; on their last
//! delivery they are tallied as failed (and SQS moves them to the dead-letter queue).

use std::collections::BTreeMap;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures::stream::{self, StreamExt};
use lambda_runtime::LambdaEvent;
use tracing::{error, warn};
use vpce_guard_adapters::SweepLedger;
use vpce_guard_core::org::{is_final_attempt, WorkItem};
use vpce_guard_service::SCHEDULE_TRIGGER;

use super::org_summary::{emit_summaries, ledger_of, now, org_sweep};
use super::region_run::sweep_one;
use crate::context::FunctionContext;
use crate::error::FunctionError;
use crate::session::{RunChecks, Session};

/// Work items one worker invocation runs at once (each is a different account or region; EC2
/// throttles per account and region, and each run bounds its own concurrency).
pub const WORKER_ITEM_CONCURRENCY: usize = 5;

pub async fn sweep_worker(
    context: &FunctionContext,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, FunctionError> {
    let session = Session::open(context, &event.context).await?;
    let ledger = ledger_of(context, "the sweep worker")?;
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

/// Runs one item and tallies it; `false` means "report the message as failed" (SQS delivers
/// it again, or moves it to the dead-letter queue after its last delivery).
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
        RunChecks::scheduled(
            item.daily_checks,
            session.context().config().run.usage.check,
        ),
    )
    .await;
    let outcome = match (result.summary, result.error) {
        (Some(summary), None) => Ok(summary.counters),
        (_, error) => Err(error.unwrap_or_else(|| "unknown error".to_string())),
    };
    let tallied = org_sweep(session, ledger)
        .tally(item, outcome, final_attempt, now())
        .await;
    emit_summaries(&tallied.summary);
    !tallied.report_failure
}

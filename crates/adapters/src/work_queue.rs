//! SQS adapter: sends an org sweep's work items, ten per SendMessageBatch, several batches in
//! flight.

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use aws_sdk_sqs::Client;

use super::sdk_error::api_error;
pub use vpce_guard_core::error::EnqueueError;
use vpce_guard_core::org::WorkItem;

/// SQS allows 10 entries per SendMessageBatch call.
pub const MAX_SQS_BATCH: usize = 10;
/// SendMessageBatch calls in flight at once.
pub const SEND_CONCURRENCY: usize = 8;

#[derive(Clone, Debug)]
pub struct WorkQueueAdapter {
    client: Client,
    queue_url: String,
}

impl WorkQueueAdapter {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }

    /// Sends every item, [`SEND_CONCURRENCY`] batches at a time; entries SQS rejects inside a
    /// batch are retried once, then reported. Returns the number of SendMessageBatch calls made.
    pub async fn send(&self, items: &[WorkItem]) -> Result<usize, EnqueueError> {
        use futures::stream::{self, StreamExt};
        // Owned batches and clients: the futures borrow nothing, so the caller's future stays
        // `Send` for any lifetime (the Lambda runtime needs that).
        let batches: Vec<Vec<WorkItem>> = items.chunks(MAX_SQS_BATCH).map(<[_]>::to_vec).collect();
        let results: Vec<Result<BatchOutcome, String>> = stream::iter(batches)
            .map(|batch| send_batch(self.client.clone(), self.queue_url.clone(), batch))
            .buffer_unordered(SEND_CONCURRENCY)
            .collect()
            .await;
        let mut calls = 0;
        let mut not_sent = 0;
        let mut first_error: Option<String> = None;
        for result in results {
            match result {
                Ok(batch) => {
                    calls += batch.calls;
                    not_sent += batch.not_sent;
                    if first_error.is_none() {
                        first_error = batch.first_error;
                    }
                }
                Err(error) => {
                    return Err(EnqueueError {
                        not_sent: items.len(),
                        total: items.len(),
                        first_error: error,
                    })
                }
            }
        }
        if not_sent > 0 {
            return Err(EnqueueError {
                not_sent,
                total: items.len(),
                first_error: first_error.unwrap_or_default(),
            });
        }
        Ok(calls)
    }
}

/// How one batch went.
struct BatchOutcome {
    /// SendMessageBatch calls made (2 when some entries were retried).
    calls: usize,
    /// Entries SQS still rejected after the retry.
    not_sent: usize,
    first_error: Option<String>,
}

/// One batch, its rejected entries retried once.
async fn send_batch(
    client: Client,
    queue_url: String,
    batch: Vec<WorkItem>,
) -> Result<BatchOutcome, String> {
    let mut calls = 0;
    let mut first_error: Option<String> = None;
    let mut pending: Vec<&WorkItem> = batch.iter().collect();
    for _attempt in 0..2 {
        if pending.is_empty() {
            break;
        }
        let entries = pending
            .iter()
            .map(|item| {
                SendMessageBatchRequestEntry::builder()
                    .id(item.key())
                    .message_body(item.to_json())
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        calls += 1;
        let out = client
            .send_message_batch()
            .queue_url(&queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| api_error("SendMessageBatch", e).to_string())?;
        let failed: Vec<String> = out.failed().iter().map(|f| f.id().to_string()).collect();
        if let Some(f) = out.failed().first() {
            first_error.get_or_insert_with(|| {
                format!("{}: {}", f.code(), f.message().unwrap_or_default())
            });
        }
        pending.retain(|item| failed.contains(&item.key()));
    }
    Ok(BatchOutcome {
        calls,
        not_sent: pending.len(),
        first_error,
    })
}

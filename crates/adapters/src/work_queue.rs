//! SQS adapter: sends an org sweep's work items, ten per SendMessageBatch.

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use aws_sdk_sqs::Client;

use super::sdk_error::api_error;
use vpce_guard_core::org::WorkItem;

/// Work items SQS did not take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{not_sent} of {total} work item(s) could not be queued: {first_error}")]
pub struct EnqueueError {
    pub not_sent: usize,
    pub total: usize,
    pub first_error: String,
}

/// SQS allows 10 entries per SendMessageBatch call.
pub const MAX_SQS_BATCH: usize = 10;

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

    /// Sends every item; entries SQS rejects inside a batch are retried once, then reported.
    /// Returns the number of SendMessageBatch calls made.
    pub async fn send(&self, items: &[WorkItem]) -> Result<usize, EnqueueError> {
        let mut calls = 0;
        let mut not_sent = 0;
        let mut first_error: Option<String> = None;
        for chunk in items.chunks(MAX_SQS_BATCH) {
            let mut pending: Vec<&WorkItem> = chunk.iter().collect();
            for attempt in 0..2 {
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
                    .map_err(|e| EnqueueError {
                        not_sent: pending.len(),
                        total: items.len(),
                        first_error: e.to_string(),
                    })?;
                calls += 1;
                let out = match self
                    .client
                    .send_message_batch()
                    .queue_url(&self.queue_url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                {
                    Ok(out) => out,
                    Err(e) => {
                        return Err(EnqueueError {
                            not_sent: items.len(),
                            total: items.len(),
                            first_error: api_error("SendMessageBatch", e).to_string(),
                        })
                    }
                };
                let failed: Vec<String> = out.failed().iter().map(|f| f.id().to_string()).collect();
                if let Some(f) = out.failed().first() {
                    first_error.get_or_insert_with(|| {
                        format!("{}: {}", f.code(), f.message().unwrap_or_default())
                    });
                }
                pending.retain(|item| failed.contains(&item.key()));
                if attempt == 1 {
                    not_sent += pending.len();
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

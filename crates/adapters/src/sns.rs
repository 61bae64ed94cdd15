//! SNS adapter: publishes notices with PublishBatch (10 per call, 256 KiB per batch, a few
//! batches in flight together).

use aws_sdk_sns::types::{MessageAttributeValue, PublishBatchRequestEntry};
use aws_sdk_sns::Client;
use futures::stream::{self, StreamExt};

use super::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::notice::Notice;
use vpce_guard_core::ports::NoticePort;

/// SNS allows 10 entries per PublishBatch call.
pub const MAX_BATCH_ENTRIES: usize = 10;
/// SNS caps a whole batch at 256 KiB; keep a margin for attributes and subjects.
pub const MAX_BATCH_BYTES: usize = 240 * 1024;
/// PublishBatch calls in flight together: a sweep that finds hundreds of drifted VPCs sends tens
/// of batches, and one at a time they would add a round trip each to the run.
pub const PUBLISH_CONCURRENCY: usize = 4;

#[derive(Clone, Debug)]
pub struct SnsAdapter {
    client: Client,
    topic_arn: String,
}

impl SnsAdapter {
    pub fn new(client: Client, topic_arn: impl Into<String>) -> Self {
        Self {
            client,
            topic_arn: topic_arn.into(),
        }
    }
}

/// Splits messages into batches that respect both SNS limits.
pub fn batches(sizes: &[usize]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, size) in sizes.iter().enumerate() {
        let full = i - start == MAX_BATCH_ENTRIES || (i > start && bytes + size > MAX_BATCH_BYTES);
        if full {
            out.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < sizes.len() {
        out.push(start..sizes.len());
    }
    out
}

impl SnsAdapter {
    /// One PublishBatch call for the notices in `range`; Ok(number accepted) or the first rejection.
    async fn publish_range(
        &self,
        notices: &[Notice],
        bodies: &[String],
        range: std::ops::Range<usize>,
    ) -> Result<usize, ApiError> {
        let mut entries = Vec::with_capacity(range.len());
        for i in range.clone() {
            let notice = &notices[i];
            let mut entry = PublishBatchRequestEntry::builder()
                .id(format!("n{i}"))
                .message(&bodies[i])
                .subject(notice.subject());
            for (name, value) in notice.attributes() {
                entry = entry.message_attributes(
                    name,
                    MessageAttributeValue::builder()
                        .data_type("String")
                        .string_value(value)
                        .build()
                        .map_err(|e| {
                            ApiError::new("PublishBatch", "InvalidAttribute", e.to_string())
                        })?,
                );
            }
            entries.push(
                entry
                    .build()
                    .map_err(|e| ApiError::new("PublishBatch", "InvalidEntry", e.to_string()))?,
            );
        }
        let out = self
            .client
            .publish_batch()
            .topic_arn(&self.topic_arn)
            .set_publish_batch_request_entries(Some(entries))
            .send()
            .await
            .map_err(|e| api_error("PublishBatch", e))?;
        let failed = out.failed();
        if let Some(first) = failed.first() {
            return Err(ApiError::new(
                "PublishBatch",
                first.code().to_string(),
                format!(
                    "{} of {} notice(s) in the batch were rejected: {}",
                    failed.len(),
                    range.len(),
                    first.message().unwrap_or("no message")
                ),
            ));
        }
        Ok(out.successful().len())
    }
}

impl NoticePort for SnsAdapter {
    /// Batches are sent [`PUBLISH_CONCURRENCY`] at a time, except the last one, which goes out
    /// only after every other batch was accepted: the guard appends a sweep's summary notice last,
    /// so subscribers that see a summary have been sent every notice it counts, and a failed batch
    /// withholds the summary. Delivery stays at least once: when a batch fails, the whole publish
    /// fails and the outbox replays applied findings, some of which may have gone out.
    async fn publish(&self, notices: &[Notice]) -> Result<usize, ApiError> {
        let bodies: Vec<String> = notices.iter().map(Notice::to_json).collect();
        let sizes: Vec<usize> = bodies.iter().map(String::len).collect();
        let mut ranges = batches(&sizes);
        let Some(last) = ranges.pop() else {
            return Ok(0);
        };
        let results: Vec<Result<usize, ApiError>> = stream::iter(ranges)
            .map(|range| self.publish_range(notices, &bodies, range))
            .buffered(PUBLISH_CONCURRENCY)
            .collect()
            .await;
        let mut published = 0;
        for result in results {
            published += result?;
        }
        Ok(published + self.publish_range(notices, &bodies, last).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_entry_count() {
        let ranges = batches(&[10; 25]);
        assert_eq!(ranges, vec![0..10, 10..20, 20..25]);
    }

    #[test]
    fn batches_respect_byte_budget() {
        let big = MAX_BATCH_BYTES / 2 + 1;
        let ranges = batches(&[big, big, 10, big]);
        assert_eq!(ranges, vec![0..1, 1..3, 3..4]);
    }

    #[test]
    fn no_messages_no_batches() {
        assert!(batches(&[]).is_empty());
    }
}

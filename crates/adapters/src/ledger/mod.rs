//! DynamoDB adapter: the ledger where sweep workers tally an organization sweep, so that one
//! summary is published per sweep, on time or at its deadline, and nothing is lost after it.
//!
//! Layout (partition key `sweep_id`, sort key `record`), with no per-sweep size ceiling:
//! - `(SWEEP, "sweep")`: what the sweep covers: accounts, Regions, start, items queued, deadline;
//! - `(SWEEP, "progress")`: a small record every tally updates: items queued, `done` (items
//!   tallied), deadline; `summary_claimed` (with `summary_claimed_until`) once a worker or the
//!   coordinator took the summary, and `summary_published` once it was published. Kept apart
//!   from the account list so a tally writes about 100 bytes, not the whole list;
//! - `(SWEEP, "item#ACCOUNT_REGION")`: one record per item, written once (conditional put), in
//!   the same transaction as the `done` count (`record`);
//! - `("#open", SWEEP)`: the sweeps not yet summarised, with their deadlines, so the coordinator
//!   finds the overdue ones with one Query;
//! - `("#late", SWEEP#ACCOUNT_REGION)`: items tallied after their sweep's summary, reported by the
//!   next summary and then removed;
//! - `("#lease", NAME)`: the compliance sweep's lease, so two sweeps never overlap.
//!
//! Files: `record` (tallying one item), `read` (the sweep record, item records, late items and
//! open sweeps back into core types), `lease` (the sweep's lease).

mod lease;
mod read;
mod record;

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

use super::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::org::LateItem;

pub use vpce_guard_core::org::{Lease, LeaseHolder, Recorded};

/// Ledger records expire (DynamoDB TTL on `expires_at`) this long after they were written.
pub const LEDGER_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
/// Failure messages are cut to this many characters.
pub const MAX_ERROR_CHARS: usize = 300;

const PARTITION_KEY: &str = "sweep_id";
const SORT_KEY: &str = "record";
const SWEEP_RECORD: &str = "sweep";
const PROGRESS_RECORD: &str = "progress";
const ITEM_PREFIX: &str = "item#";
const OPEN_PARTITION: &str = "#open";
const LATE_PARTITION: &str = "#late";

/// The error code of a conditional write whose condition did not hold.
const CONDITION_FAILED: &str = "ConditionalCheckFailedException";

#[derive(Clone, Debug)]
pub struct SweepLedger {
    client: Client,
    table: String,
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// `expires_at` for a record written now.
fn expires_at() -> i64 {
    SystemTime::now()
        .checked_add(LEDGER_RETENTION)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn key(partition: &str, sort: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (PARTITION_KEY.to_string(), s(partition)),
        (SORT_KEY.to_string(), s(sort)),
    ])
}

impl SweepLedger {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Opens the sweep before its items are queued (its records and its `#open` entry, in one
    /// transaction). Returns `false` when it already existed (a retried coordinator
    /// invocation re-queues the same items; recording them is idempotent).
    pub async fn start(
        &self,
        sweep_id: &str,
        accounts: &[String],
        regions: &[String],
        started_at: &str,
        deadline_at: i64,
    ) -> Result<bool, ApiError> {
        use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
        let items_total = (accounts.len() * regions.len()) as i64;
        let mut progress = key(sweep_id, PROGRESS_RECORD);
        progress.extend([
            ("items_total".to_string(), n(items_total)),
            ("done".to_string(), n(0)),
            ("deadline_at".to_string(), n(deadline_at)),
            ("expires_at".to_string(), n(expires_at())),
        ]);
        let mut sweep = key(sweep_id, SWEEP_RECORD);
        sweep.extend([
            ("items_total".to_string(), n(items_total)),
            (
                "accounts".to_string(),
                AttributeValue::L(accounts.iter().map(|a| s(a.as_str())).collect()),
            ),
            (
                "regions".to_string(),
                AttributeValue::L(regions.iter().map(|r| s(r.as_str())).collect()),
            ),
            ("started_at".to_string(), s(started_at)),
            ("deadline_at".to_string(), n(deadline_at)),
            ("expires_at".to_string(), n(expires_at())),
        ]);
        let mut open = key(OPEN_PARTITION, sweep_id);
        open.extend([
            ("deadline_at".to_string(), n(deadline_at)),
            ("expires_at".to_string(), n(expires_at())),
        ]);
        let put = |item: HashMap<String, AttributeValue>| {
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(sweep_id)")
                .build()
                .map(|p| TransactWriteItem::builder().put(p).build())
                .map_err(|e| ApiError::new("TransactWriteItems", "BuildError", e.to_string()))
        };
        let result = self
            .client
            .transact_write_items()
            .transact_items(put(sweep)?)
            .transact_items(put(progress)?)
            .transact_items(put(open)?)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if record::cancelled_by_condition(&e).is_some() => Ok(false),
            Err(e) => Err(api_error("TransactWriteItems", e)),
        }
    }

    /// Claims the right to publish the sweep's summary until `until` (seconds since the epoch);
    /// exactly one caller gets `true`. A claim stays until the summary is published: another
    /// caller gets it only once it lapsed (its holder died or failed to publish), and never
    /// after the summary was published, so a retry cannot publish a second summary.
    pub async fn claim_summary(
        &self,
        sweep_id: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, ApiError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(sweep_id, PROGRESS_RECORD)))
            .update_expression("SET summary_claimed = :yes, summary_claimed_until = :until")
            .condition_expression(
                "attribute_exists(sweep_id) AND attribute_not_exists(summary_published) \
                 AND (attribute_not_exists(summary_claimed) OR summary_claimed_until < :now)",
            )
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":until", n(until))
            .expression_attribute_values(":now", n(now))
            .send()
            .await;
        condition_held("UpdateItem", result)
    }

    /// Records that the sweep's summary was published: no claim is granted after it.
    pub async fn mark_summary_published(&self, sweep_id: &str) -> Result<(), ApiError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(sweep_id, PROGRESS_RECORD)))
            .update_expression("SET summary_published = :yes")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .send()
            .await
            .map_err(|e| api_error("UpdateItem", e))?;
        Ok(())
    }

    /// Gives the claim back before anything was published (the ledger could not be read), so
    /// the next caller can summarise at once.
    pub async fn release_summary(&self, sweep_id: &str) -> Result<(), ApiError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(sweep_id, PROGRESS_RECORD)))
            .update_expression("REMOVE summary_claimed")
            .send()
            .await
            .map_err(|e| api_error("UpdateItem", e))?;
        Ok(())
    }

    /// After the summary was published: the sweep is no longer open, and the late items it
    /// reported are removed (one DeleteItem each).
    pub async fn close(&self, sweep_id: &str, reported: &[LateItem]) -> Result<(), ApiError> {
        self.delete(OPEN_PARTITION, sweep_id).await?;
        for late in reported {
            self.delete(
                LATE_PARTITION,
                &late_key(&late.sweep_id, &late.account_id, &late.region),
            )
            .await?;
        }
        Ok(())
    }

    async fn delete(&self, partition: &str, sort: &str) -> Result<(), ApiError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(partition, sort)))
            .send()
            .await
            .map_err(|e| api_error("DeleteItem", e))?;
        Ok(())
    }
}

/// The sort key of an item's record.
fn item_key(account_id: &str, region: &str) -> String {
    format!("{ITEM_PREFIX}{account_id}_{region}")
}

/// The sort key of a late item's entry.
fn late_key(sweep_id: &str, account_id: &str, region: &str) -> String {
    format!("{sweep_id}#{account_id}_{region}")
}

/// `true` when a conditional write happened, `false` when its condition did not hold.
fn condition_held<T, E, R>(
    operation: &'static str,
    result: Result<T, aws_sdk_dynamodb::error::SdkError<E, R>>,
) -> Result<bool, ApiError>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) => {
            let error = api_error(operation, e);
            if error.code == CONDITION_FAILED {
                Ok(false)
            } else {
                Err(error)
            }
        }
    }
}

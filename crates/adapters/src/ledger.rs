//! DynamoDB adapter: the ledger where sweep workers tally an organization sweep, so the worker
//! that finishes the last item can publish one summary. One item per sweep:
//! `done_items` (string set) makes recording idempotent under SQS's at-least-once delivery,
//! and numbers are added with `ADD`, so concurrent workers never overwrite each other.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use aws_sdk_dynamodb::Client;

use super::sdk_error::api_error;
use vpce_guard_core::counters::RunCounters;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::org::{ItemFailure, SweepRecord, WorkItem};

/// Ledger items expire (DynamoDB TTL on `expires_at`) this long after the sweep started.
pub const LEDGER_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
/// Failure messages are cut to this many characters (a ledger item holds at most 400 KB).
pub const MAX_ERROR_CHARS: usize = 300;

/// The error code of a conditional write whose condition did not hold.
const CONDITION_FAILED: &str = "ConditionalCheckFailedException";

/// How one work item ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemOutcome {
    Succeeded(RunCounters),
    /// Failed on its last delivery; the message goes to the dead-letter queue.
    Failed(String),
}

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

impl SweepLedger {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Opens the sweep before its items are queued. Returns `false` when it already existed
    /// (a retried coordinator invocation re-queues the same items; recording them is idempotent).
    pub async fn start(
        &self,
        sweep_id: &str,
        items_total: usize,
        accounts: &[String],
        regions: &[String],
        started_at: &str,
    ) -> Result<bool, ApiError> {
        let expires = SystemTime::now()
            .checked_add(LEDGER_RETENTION)
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("sweep_id", s(sweep_id))
            .item("items_total", n(items_total as i64))
            .item("succeeded", n(0))
            .item(
                "accounts",
                AttributeValue::L(accounts.iter().map(|a| s(a.as_str())).collect()),
            )
            .item(
                "regions",
                AttributeValue::L(regions.iter().map(|r| s(r.as_str())).collect()),
            )
            .item("started_at", s(started_at))
            .item("failures", AttributeValue::M(HashMap::new()))
            .item("expires_at", n(expires))
            .condition_expression("attribute_not_exists(sweep_id)")
            .send()
            .await;
        condition_held("PutItem", result)
    }

    /// Records how `item` ended, once, and returns the sweep as it stands afterwards. `None`
    /// when the ledger does not know the sweep (an item queued by hand, or an expired sweep).
    pub async fn record(
        &self,
        item: &WorkItem,
        outcome: &ItemOutcome,
    ) -> Result<Option<SweepRecord>, ApiError> {
        let key = item.key();
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("sweep_id", s(&item.sweep_id))
            .condition_expression("attribute_exists(sweep_id) AND NOT contains(done_items, :key)")
            .expression_attribute_values(":key", s(&key))
            .expression_attribute_values(":done", AttributeValue::Ss(vec![key.clone()]))
            .return_values(ReturnValue::AllNew);
        match outcome {
            ItemOutcome::Succeeded(counters) => {
                let mut adds = vec!["done_items :done".to_string(), "succeeded :one".to_string()];
                for (name, value) in counters.fields() {
                    adds.push(format!("{name} :{name}"));
                    update = update.expression_attribute_values(format!(":{name}"), n(value));
                }
                update = update
                    .update_expression(format!("ADD {}", adds.join(", ")))
                    .expression_attribute_values(":one", n(1));
            }
            ItemOutcome::Failed(error) => {
                let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
                let failure = AttributeValue::M(HashMap::from([
                    ("account_id".to_string(), s(&item.account_id)),
                    ("region".to_string(), s(&item.region)),
                    ("error".to_string(), s(error)),
                ]));
                // A map keyed by item (not a list): one entry per item however often it is
                // recorded, and no read-modify-write of a growing list.
                update = update
                    .update_expression("ADD done_items :done SET failures.#item = :failure")
                    .expression_attribute_names("#item", &key)
                    .expression_attribute_values(":failure", failure);
            }
        }
        match update.send().await {
            Ok(out) => Ok(out.attributes().map(to_record)),
            Err(e) => {
                let error = api_error("UpdateItem", e);
                if error.code == CONDITION_FAILED {
                    // Already recorded (a redelivered message), or an unknown sweep.
                    self.get(&item.sweep_id).await
                } else {
                    Err(error)
                }
            }
        }
    }

    /// Reads the sweep (strongly consistent).
    pub async fn get(&self, sweep_id: &str) -> Result<Option<SweepRecord>, ApiError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("sweep_id", s(sweep_id))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| api_error("GetItem", e))?;
        Ok(out.item().map(to_record))
    }

    /// Claims the right to publish the sweep's summary; exactly one caller gets `true`.
    pub async fn claim_summary(&self, sweep_id: &str) -> Result<bool, ApiError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("sweep_id", s(sweep_id))
            .update_expression("SET summary_claimed = :yes")
            .condition_expression(
                "attribute_exists(sweep_id) AND attribute_not_exists(summary_claimed)",
            )
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .send()
            .await;
        condition_held("UpdateItem", result)
    }

    /// Gives the claim back after a failed publish, so a retry can publish.
    pub async fn release_summary(&self, sweep_id: &str) -> Result<(), ApiError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("sweep_id", s(sweep_id))
            .update_expression("REMOVE summary_claimed")
            .send()
            .await
            .map_err(|e| api_error("UpdateItem", e))?;
        Ok(())
    }
}

/// `true` when a conditional write happened, `false` when its condition did not hold.
fn condition_held<T, E, R>(
    operation: &'static str,
    result: Result<T, aws_sdk_dynamodb::error::SdkError<E, R>>,
) -> Result<bool, ApiError>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
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

fn to_record(item: &HashMap<String, AttributeValue>) -> SweepRecord {
    let text = |name: &str| -> String {
        item.get(name)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default()
    };
    let number = |name: &str| -> i64 {
        item.get(name)
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<f64>().ok())
            .map(|v| v.round() as i64)
            .unwrap_or(0)
    };
    let strings = |name: &str| -> Vec<String> {
        item.get(name)
            .and_then(|v| v.as_l().ok())
            .map(|l| l.iter().filter_map(|v| v.as_s().ok().cloned()).collect())
            .unwrap_or_default()
    };
    let done: BTreeSet<String> = item
        .get("done_items")
        .and_then(|v| v.as_ss().ok())
        .map(|ss| ss.iter().cloned().collect())
        .unwrap_or_default();
    let failures = item
        .get("failures")
        .and_then(|v| v.as_m().ok())
        .map(|entries| {
            entries
                .values()
                .filter_map(|v| v.as_m().ok())
                .map(|m| {
                    let get = |k: &str| {
                        m.get(k)
                            .and_then(|v| v.as_s().ok())
                            .cloned()
                            .unwrap_or_default()
                    };
                    ItemFailure {
                        account_id: get("account_id"),
                        region: get("region"),
                        error: get("error"),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    SweepRecord {
        sweep_id: text("sweep_id"),
        items_total: u64::try_from(number("items_total")).unwrap_or(0),
        done,
        succeeded: u64::try_from(number("succeeded")).unwrap_or(0),
        failures,
        counters: RunCounters::from_fields(number),
        accounts: strings("accounts"),
        regions: strings("regions"),
        started_at: text("started_at"),
    }
}

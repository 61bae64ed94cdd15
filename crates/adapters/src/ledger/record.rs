//! Tallying one item: its record and the sweep's `done` count in one transaction, so a
//! redelivered message never counts twice and a worker that dies mid-way counts nothing.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

use super::{
    expires_at, item_key, key, late_key, n, s, SweepLedger, LATE_PARTITION, MAX_ERROR_CHARS,
    PROGRESS_RECORD,
};
use crate::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::org::{ItemResult, Recorded, WorkItem};

/// DynamoDB's cancellation reason for an item whose condition did not hold.
const CONDITIONAL_CHECK_FAILED: &str = "ConditionalCheckFailed";

/// For a transaction cancelled by conditions: which of its writes failed their condition.
pub(super) fn cancelled_by_condition<R>(
    error: &SdkError<TransactWriteItemsError, R>,
) -> Option<Vec<bool>> {
    match error.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => Some(
            cancelled
                .cancellation_reasons()
                .iter()
                .map(|r| r.code() == Some(CONDITIONAL_CHECK_FAILED))
                .collect(),
        ),
        _ => None,
    }
}

fn build_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::new("TransactWriteItems", "BuildError", e.to_string())
}

impl SweepLedger {
    /// Records how `item` ended, once.
    pub async fn record(&self, item: &WorkItem, result: &ItemResult) -> Result<Recorded, ApiError> {
        // On time: the item record, and `done` on a sweep whose summary is not claimed yet.
        let on_time = self.tally_transaction(item, result, false)?;
        match on_time.send().await {
            Ok(_) => {
                return Ok(match self.progress(&item.sweep_id).await? {
                    Some(sweep) => Recorded::Counted(sweep),
                    None => Recorded::UnknownSweep,
                })
            }
            Err(e) => match cancelled_by_condition(&e) {
                Some(failed) if failed.first() == Some(&true) => return Ok(Recorded::Duplicate),
                Some(_) => {}
                None => return Err(api_error("TransactWriteItems", e)),
            },
        }
        // The sweep is unknown, or its summary is out: the item is late.
        if self.progress(&item.sweep_id).await?.is_none() {
            return Ok(Recorded::UnknownSweep);
        }
        let late = self.tally_transaction(item, result, true)?;
        match late.send().await {
            Ok(_) => Ok(Recorded::Late),
            Err(e) => match cancelled_by_condition(&e) {
                Some(failed) if failed.first() == Some(&true) => Ok(Recorded::Duplicate),
                Some(_) => Ok(Recorded::UnknownSweep),
                None => Err(api_error("TransactWriteItems", e)),
            },
        }
    }

    /// The item record (first, so its condition is reason 0) and the sweep's count; a late
    /// tally also leaves an entry for the next summary.
    fn tally_transaction(
        &self,
        item: &WorkItem,
        result: &ItemResult,
        late: bool,
    ) -> Result<aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder, ApiError>
    {
        let mut record = key(&item.sweep_id, &item_key(&item.account_id, &item.region));
        record.extend([
            ("account_id".to_string(), s(&item.account_id)),
            ("region".to_string(), s(&item.region)),
            ("late".to_string(), AttributeValue::Bool(late)),
            ("expires_at".to_string(), n(expires_at())),
        ]);
        record.extend(result_attributes(result));
        let put_record = Put::builder()
            .table_name(&self.table)
            .set_item(Some(record))
            .condition_expression("attribute_not_exists(sweep_id)")
            .build()
            .map_err(build_error)?;
        let (expression, condition) = if late {
            ("ADD late_items :one", "attribute_exists(sweep_id)")
        } else {
            (
                "ADD done :one",
                "attribute_exists(sweep_id) AND attribute_not_exists(summary_claimed)",
            )
        };
        let count = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(&item.sweep_id, PROGRESS_RECORD)))
            .update_expression(expression)
            .condition_expression(condition)
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(build_error)?;
        let mut transaction = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put_record).build())
            .transact_items(TransactWriteItem::builder().update(count).build());
        if late {
            let mut entry = key(
                LATE_PARTITION,
                &late_key(&item.sweep_id, &item.account_id, &item.region),
            );
            entry.extend([
                ("late_sweep_id".to_string(), s(&item.sweep_id)),
                ("account_id".to_string(), s(&item.account_id)),
                ("region".to_string(), s(&item.region)),
                ("expires_at".to_string(), n(expires_at())),
            ]);
            entry.extend(result_attributes(result));
            let put_entry = Put::builder()
                .table_name(&self.table)
                .set_item(Some(entry))
                .build()
                .map_err(build_error)?;
            transaction =
                transaction.transact_items(TransactWriteItem::builder().put(put_entry).build());
        }
        Ok(transaction)
    }
}

/// `status`, `error` and the run counters of an item's result.
fn result_attributes(result: &ItemResult) -> HashMap<String, AttributeValue> {
    match result {
        ItemResult::Succeeded(counters) => {
            let mut out = HashMap::from([("status".to_string(), s("succeeded"))]);
            out.extend(
                counters
                    .fields()
                    .into_iter()
                    .map(|(name, value)| (name.to_string(), n(value))),
            );
            out
        }
        ItemResult::Failed(error) => HashMap::from([
            ("status".to_string(), s("failed")),
            (
                "error".to_string(),
                s(error.chars().take(MAX_ERROR_CHARS).collect::<String>()),
            ),
        ]),
    }
}

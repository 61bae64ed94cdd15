//! The compliance sweep's lease: one record, `("#lease", NAME)`, that a sweep takes for its
//! whole invocation with a conditional put and gives back with a conditional delete, so two
//! sweeps never overlap (two sweeps would race to create the same endpoints) without relying
//! on reserved concurrency. A lease whose holder died lapses at its `lease_until`, the
//! invocation's deadline.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};

use super::{key, n, s, SweepLedger, CONDITION_FAILED};
use crate::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::org::{Lease, LeaseHolder};

/// The partition of lease records.
const LEASE_PARTITION: &str = "#lease";
/// A lease record outlives its lease by a day (DynamoDB TTL), then goes.
const LEASE_RECORD_TTL_SECS: i64 = 86_400;

impl SweepLedger {
    /// Takes the lease `name` for `holder` until `until` (seconds since the epoch) unless another
    /// holder's lease is still running at `now`.
    pub async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: i64,
        until: i64,
    ) -> Result<Lease, ApiError> {
        let mut item = key(LEASE_PARTITION, name);
        item.extend([
            ("holder".to_string(), s(holder)),
            ("lease_until".to_string(), n(until)),
            (
                "expires_at".to_string(),
                n(until.saturating_add(LEASE_RECORD_TTL_SECS)),
            ),
        ]);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(sweep_id) OR lease_until < :now OR holder = :holder",
            )
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":holder", s(holder))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Lease::Taken),
            Err(error) => {
                if let Some(PutItemError::ConditionalCheckFailedException(failed)) =
                    error.as_service_error()
                {
                    let old = failed.item();
                    let text = |k: &str| match old.and_then(|i| i.get(k)) {
                        Some(AttributeValue::S(v)) => v.clone(),
                        Some(AttributeValue::N(v)) => v.clone(),
                        _ => String::new(),
                    };
                    return Ok(Lease::HeldBy(LeaseHolder {
                        holder: text("holder"),
                        until: text("lease_until").parse().unwrap_or(0),
                    }));
                }
                let error = api_error("PutItem", error);
                if error.code == CONDITION_FAILED {
                    return Ok(Lease::HeldBy(LeaseHolder {
                        holder: String::new(),
                        until: 0,
                    }));
                }
                Err(error)
            }
        }
    }

    /// Gives the lease `name` back, if `holder` still holds it (a lapsed lease another sweep
    /// took since is left alone).
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), ApiError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(LEASE_PARTITION, name)))
            .condition_expression("holder = :holder")
            .expression_attribute_values(":holder", s(holder))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) => {
                let error = api_error("DeleteItem", error);
                if error.code == CONDITION_FAILED {
                    Ok(())
                } else {
                    Err(error)
                }
            }
        }
    }
}

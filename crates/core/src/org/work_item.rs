//! The SQS message that carries one (account, region) of an organization sweep.

use serde::{Deserialize, Serialize};

use crate::error::EventError;
use crate::ids::{is_account_id, is_region_name};

/// Version tag of work-item messages, so a queue drained by a newer worker fails loudly.
pub const WORK_ITEM_SCHEMA: &str = "vpce-guard.work-item/v1";

/// One (account, region) pair of an org sweep: the body of one SQS message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItem {
    pub schema: String,
    /// Identifies the sweep in the ledger (the scheduled event's id).
    pub sweep_id: String,
    pub account_id: String,
    pub region: String,
    /// The sweep is the day's first scheduled one: the item makes the daily checks too (the
    /// event path). Absent (false) in items of other sweeps.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub daily_checks: bool,
}

impl WorkItem {
    pub fn new(sweep_id: &str, account_id: &str, region: &str) -> Self {
        Self {
            schema: WORK_ITEM_SCHEMA.to_string(),
            sweep_id: sweep_id.to_string(),
            account_id: account_id.to_string(),
            region: region.to_string(),
            daily_checks: false,
        }
    }

    /// The item's key in the ledger; also the SQS batch entry id (`[A-Za-z0-9_-]`, ≤ 80).
    pub fn key(&self) -> String {
        format!("{}_{}", self.account_id, self.region)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses and checks a message body; a malformed item can never succeed, so the error
    /// says why, and the message ends in the dead-letter queue after its retries.
    pub fn parse(body: &str) -> Result<Self, EventError> {
        let item: WorkItem = serde_json::from_str(body)
            .map_err(|e| EventError::Envelope(format!("work item is not valid JSON: {e}")))?;
        if item.schema != WORK_ITEM_SCHEMA {
            return Err(EventError::Envelope(format!(
                "work item schema {:?} is not {WORK_ITEM_SCHEMA:?}",
                item.schema
            )));
        }
        if !is_account_id(&item.account_id) {
            return Err(EventError::Envelope(format!(
                "work item account_id {:?} is not a 12-digit account id",
                item.account_id
            )));
        }
        if !is_region_name(&item.region) {
            return Err(EventError::Envelope(format!(
                "work item region {:?} is not a region name",
                item.region
            )));
        }
        if item.sweep_id.is_empty() || item.sweep_id.len() > 256 {
            return Err(EventError::Envelope(
                "work item sweep_id must be 1 to 256 characters".to_string(),
            ));
        }
        Ok(item)
    }
}

/// Every (account, region) pair, accounts outer, in a stable order; `daily_checks` on each when
/// the sweep is the day's first.
pub fn work_items(
    sweep_id: &str,
    accounts: &[String],
    regions: &[String],
    daily_checks: bool,
) -> Vec<WorkItem> {
    accounts
        .iter()
        .flat_map(|a| {
            regions.iter().map(move |r| WorkItem {
                daily_checks,
                ..WorkItem::new(sweep_id, a, r)
            })
        })
        .collect()
}

/// Whether a failed delivery was the queue's last: the redrive policy moves the message to the
/// dead-letter queue once it has been received `max_receive_count` times.
pub fn is_final_attempt(receive_count: u32, max_receive_count: u32) -> bool {
    receive_count >= max_receive_count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_items_round_trip_and_reject_garbage() {
        let items = work_items(
            "sweep-1",
            &["111111111111".into(), "222222222222".into()],
            &["us-east-1".into(), "eu-west-1".into()],
            false,
        );
        assert_eq!(items.len(), 4);
        assert!(
            !items[0].to_json().contains("daily_checks"),
            "only daily items say so"
        );
        let daily = work_items("s", &["111111111111".into()], &["us-east-1".into()], true);
        assert!(WorkItem::parse(&daily[0].to_json()).unwrap().daily_checks);
        assert_eq!(items[1].key(), "111111111111_eu-west-1");
        let parsed = WorkItem::parse(&items[3].to_json()).unwrap();
        assert_eq!(parsed, items[3]);
        let bad = [
            "not json",
            r#"{"schema":"vpce-guard.work-item/v2","sweep_id":"s","account_id":"111111111111","region":"us-east-1"}"#,
            r#"{"schema":"vpce-guard.work-item/v1","sweep_id":"s","account_id":"1111","region":"us-east-1"}"#,
            r#"{"schema":"vpce-guard.work-item/v1","sweep_id":"s","account_id":"111111111111","region":"Mars"}"#,
            r#"{"schema":"vpce-guard.work-item/v1","sweep_id":"","account_id":"111111111111","region":"us-east-1"}"#,
        ];
        for body in bad {
            assert!(WorkItem::parse(body).is_err(), "{body}");
        }
    }

    #[test]
    fn final_attempt_follows_the_redrive_policy() {
        assert!(!is_final_attempt(1, 3));
        assert!(!is_final_attempt(2, 3));
        assert!(is_final_attempt(3, 3));
        assert!(is_final_attempt(4, 3));
    }
}

//! Reading the ledger back: the sweep record, its item records (one paginated Query), the late
//! items waiting for a summary, and the open sweeps.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::{
    key, s, SweepLedger, ITEM_PREFIX, LATE_PARTITION, OPEN_PARTITION, PARTITION_KEY,
    PROGRESS_RECORD, SORT_KEY, SWEEP_RECORD,
};
use crate::sdk_error::api_error;
use vpce_guard_core::counters::RunCounters;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::org::{ItemRecord, ItemRef, ItemResult, LateItem, SweepRecord};

type Item = HashMap<String, AttributeValue>;

fn text(item: &Item, name: &str) -> String {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .cloned()
        .unwrap_or_default()
}

fn number(item: &Item, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse::<f64>().ok())
        .map(|v| v.round() as i64)
        .unwrap_or(0)
}

fn strings(item: &Item, name: &str) -> Vec<String> {
    item.get(name)
        .and_then(|v| v.as_l().ok())
        .map(|l| l.iter().filter_map(|v| v.as_s().ok().cloned()).collect())
        .unwrap_or_default()
}

fn result_of(item: &Item) -> ItemResult {
    if text(item, "status") == "succeeded" {
        ItemResult::Succeeded(Box::new(RunCounters::from_fields(|name| {
            number(item, name)
        })))
    } else {
        ItemResult::Failed(text(item, "error"))
    }
}

impl SweepLedger {
    /// The sweep: what it covers and how far it is (two consistent reads).
    pub async fn get(&self, sweep_id: &str) -> Result<Option<SweepRecord>, ApiError> {
        let Some(mut sweep) = self.progress(sweep_id).await? else {
            return Ok(None);
        };
        if let Some(item) = self.read(sweep_id, SWEEP_RECORD).await? {
            sweep.accounts = strings(&item, "accounts");
            sweep.regions = strings(&item, "regions");
            sweep.started_at = text(&item, "started_at");
        }
        Ok(Some(sweep))
    }

    /// How far the sweep is (totals, deadline, claim; not what it covers): what a worker reads
    /// after each item, one small record however large the organization.
    pub async fn progress(&self, sweep_id: &str) -> Result<Option<SweepRecord>, ApiError> {
        Ok(self
            .read(sweep_id, PROGRESS_RECORD)
            .await?
            .map(|item| SweepRecord {
                sweep_id: text(&item, PARTITION_KEY),
                items_total: u64::try_from(number(&item, "items_total")).unwrap_or(0),
                done: u64::try_from(number(&item, "done")).unwrap_or(0),
                deadline_at: number(&item, "deadline_at"),
                summarised: item.contains_key("summary_claimed"),
                ..SweepRecord::default()
            }))
    }

    async fn read(&self, partition: &str, sort: &str) -> Result<Option<Item>, ApiError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(partition, sort)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| api_error("GetItem", e))?;
        Ok(out.item().cloned())
    }

    /// Every record of `partition` whose sort key starts with `prefix` (paginated, consistent).
    async fn query(&self, partition: &str, prefix: Option<&str>) -> Result<Vec<Item>, ApiError> {
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_values(":pk", s(partition));
        request = match prefix {
            Some(prefix) => request
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", SORT_KEY)
                .expression_attribute_values(":prefix", s(prefix)),
            None => request.key_condition_expression("#pk = :pk"),
        };
        let mut items = Vec::new();
        let mut pages = request.into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| api_error("Query", e))?;
            items.extend(page.items().iter().cloned());
        }
        Ok(items)
    }

    /// The item records of a sweep, each once.
    pub async fn items(&self, sweep_id: &str) -> Result<Vec<ItemRecord>, ApiError> {
        Ok(self
            .query(sweep_id, Some(ITEM_PREFIX))
            .await?
            .iter()
            .map(|item| ItemRecord {
                item: ItemRef {
                    account_id: text(item, "account_id"),
                    region: text(item, "region"),
                },
                result: result_of(item),
            })
            .collect())
    }

    /// Items tallied after their sweep's summary, not reported yet.
    pub async fn late_items(&self) -> Result<Vec<LateItem>, ApiError> {
        Ok(self
            .query(LATE_PARTITION, None)
            .await?
            .iter()
            .map(|item| LateItem {
                sweep_id: text(item, "late_sweep_id"),
                account_id: text(item, "account_id"),
                region: text(item, "region"),
                error: match result_of(item) {
                    ItemResult::Succeeded(_) => None,
                    ItemResult::Failed(error) => Some(error),
                },
            })
            .collect())
    }

    /// The ids of the sweeps not summarised yet, with their deadlines.
    pub async fn open_sweeps(&self) -> Result<Vec<(String, i64)>, ApiError> {
        Ok(self
            .query(OPEN_PARTITION, None)
            .await?
            .iter()
            .map(|item| (text(item, SORT_KEY), number(item, "deadline_at")))
            .collect())
    }
}

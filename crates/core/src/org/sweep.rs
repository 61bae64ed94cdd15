//! What the ledger knows about one organization sweep.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::counters::RunCounters;

/// An item that ended in the dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFailure {
    pub account_id: String,
    pub region: String,
    pub error: String,
}

/// What the ledger holds about one org sweep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepRecord {
    pub sweep_id: String,
    pub items_total: u64,
    /// Keys of the items that finished (succeeded or failed for good).
    pub done: BTreeSet<String>,
    pub succeeded: u64,
    pub failures: Vec<ItemFailure>,
    pub counters: RunCounters,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub started_at: String,
}

impl SweepRecord {
    /// Every item succeeded or failed for good: time for the summary.
    pub fn is_complete(&self) -> bool {
        self.items_total > 0 && self.done.len() as u64 >= self.items_total
    }
}

//! A run's summary: returned by every invocation and carried by `sweep_summary` notices.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::counters::RunCounters;

/// Counters of one guard run, with what triggered it and how it ran.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub trigger: String,
    pub mode: String,
    /// For `sweep_summary` notices, `api_calls` counts the requests before publishing.
    #[serde(flatten)]
    pub counters: RunCounters,
    /// AWS API requests per API action (retries included).
    #[serde(default)]
    pub api_calls_by_action: BTreeMap<String, u64>,
    /// VPCs where `when_cost_effective` left out interface endpoints.
    #[serde(default)]
    pub vpcs_interface_skipped_for_cost: usize,
}

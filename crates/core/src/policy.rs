//! Run policy: how a guard run behaves, whoever runs it (a Lambda function or the CLI).
//! Deployment settings (topics, queues, roles, timeouts) live with the Lambda wiring.

use serde::{Deserialize, Serialize};

use crate::baseline::BaselineDocument;
use crate::planner::PlannerOptions;

/// Whether the guard changes anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Apply every safe remedy, then report.
    Remediate,
    /// Change nothing; report what would be done.
    Report,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Remediate => "remediate",
            Mode::Report => "report",
        }
    }
}

/// Upper bound for `REMEDIATION_CONCURRENCY`: EC2 throttles per account and region.
pub const MAX_REMEDIATION_CONCURRENCY: usize = 64;
/// Default for `REMEDIATION_CONCURRENCY`.
pub const DEFAULT_REMEDIATION_CONCURRENCY: usize = 8;
/// Default for `EXEMPT_TAG_KEY`.
pub const DEFAULT_EXEMPT_TAG_KEY: &str = "vpce-guard:exempt";

/// What a guard run needs to know besides its ports: the baseline and how to act on drift.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSettings {
    /// `GUARD_MODE`: `remediate` or `report` (default `report`, the safe choice).
    pub mode: Mode,
    /// `GUARD_BASELINE`: the baseline document; unset means the standard set.
    pub baseline: BaselineDocument,
    /// `EXEMPT_TAG_KEY`: VPCs carrying this tag are skipped.
    pub exempt_tag_key: String,
    /// `ENABLE_VPC_DNS`: whether the guard may enable the VPC DNS attributes private DNS needs.
    pub enable_vpc_dns: bool,
    /// `REMEDIATION_CONCURRENCY`: VPCs remediated (or DNS attributes read) at once.
    pub remediation_concurrency: usize,
}

impl RunSettings {
    /// The safe defaults with `baseline` and `mode`.
    pub fn new(baseline: BaselineDocument, mode: Mode) -> Self {
        Self {
            mode,
            baseline,
            exempt_tag_key: DEFAULT_EXEMPT_TAG_KEY.to_string(),
            enable_vpc_dns: true,
            remediation_concurrency: DEFAULT_REMEDIATION_CONCURRENCY,
        }
    }

    pub fn planner_options(&self) -> PlannerOptions {
        PlannerOptions {
            exempt_tag_key: self.exempt_tag_key.clone(),
            enable_vpc_dns: self.enable_vpc_dns,
        }
    }
}

impl Default for RunSettings {
    fn default() -> Self {
        Self::new(BaselineDocument::standard(), Mode::Report)
    }
}

//! Does it pay? Each interface endpoint's measured use (`BytesProcessed` in
//! `AWS/PrivateLinkEndpoints`) judged against its own break-even, each VPC's saving verified from
//! its NAT gateways' bytes before and after the guard's first interface endpoint, and the
//! findings (and, opt-in, the prunes) that follow. Pure: CloudWatch series in, verdicts out.
//!
//! - [`settings`]: `USAGE_CHECK`, `USAGE_WINDOW_DAYS`, `SAVINGS_WINDOW_DAYS`, `PRUNE_UNUSED`;
//! - [`metrics`]: the CloudWatch queries and windows the reads use;
//! - [`endpoint`]: the verdict per interface endpoint and per AZ;
//! - [`savings`]: the verified saving per VPC (the runbook's before/after table, measured);
//! - the prune hold ([`PruneHold`], in the planner, which honours it) keeps a pruned service or
//!   AZ out of a VPC's baseline;
//! - [`findings`]: what a scheduled sweep reports (and prunes) from the verdicts.

pub mod endpoint;
pub mod findings;
pub mod metrics;
pub mod savings;
pub mod settings;

pub use crate::planner::{FindingUsage, PruneHold, PRUNED_TAG_PREFIX};
pub use endpoint::{
    endpoint_usage, AzUsage, EndpointBytes, EndpointOwner, EndpointUsage, EndpointVerdict,
};
pub use findings::{usage_findings, UsageTotals};
pub use metrics::{MetricQuery, MetricWindow, Series};
pub use savings::{vpc_savings, SavingsInput, SavingsStatus, VpcSavings};
pub use settings::{UsageCheck, UsageSettings};

/// Seconds in a day: CloudWatch windows and NAT series are whole UTC days.
pub const SECONDS_PER_DAY: i64 = 86_400;

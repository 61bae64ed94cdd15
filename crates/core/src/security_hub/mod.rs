//! Security Hub findings (AWS Security Finding Format, ASFF): one per (account, Region, VPC,
//! drift code, service), with a deterministic id so every run updates the same finding.
//!
//! - `finding`: the finding as the guard imports it ([`HubFinding`]) and how a notice finding
//!   becomes one;
//! - `event_path`: the one finding per account and Region about the event path;
//! - `severity`: the severity of each drift code;
//! - `reconcile`: what a run imports: its drift as `FAILED`, and the findings it no longer
//!   observes (fixed, VPC gone, exempt) as `PASSED` + `ARCHIVED`.

mod event_path;
mod finding;
mod reconcile;
mod severity;

pub use event_path::event_path_finding_id;
pub use finding::{
    finding_id, finding_id_prefix, product_arn, HubCompliance, HubFinding, HubRecordState,
    HubResource, HubScope, GENERATOR_PREFIX, HUB_FINDING_TYPE, HUB_SCHEMA_VERSION,
};
pub use reconcile::{reconcile, ActiveHubFinding, HubImport, HubRun};
pub use severity::{severity, HubSeverity};

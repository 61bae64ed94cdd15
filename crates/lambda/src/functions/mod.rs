//! The Lambda functions' entry points, one per function and one file each, over a
//! [`FunctionContext`](crate::context::FunctionContext): they decide which account(s) and
//! Region(s) an event concerns, build guards there, and run them. The tests drive these same
//! functions.
//!
//! - [`network_events`]: CloudTrail EC2 events, the function's own or forwarded from members;
//! - [`compliance_sweep`]: the schedule; sweeps itself, or fans out one SQS item per
//!   (account, Region) when `WORK_QUEUE_URL` is set ([`fan_out`]);
//! - [`sweep_worker`]: drains those items (SQS event source, partial batch failures) and
//!   publishes the organization summary ([`org_summary`]);
//! - [`account_baseline`]: account vending (Control Tower, Organizations, direct invocation).

mod account_baseline;
mod compliance_sweep;
pub mod fan_out;
mod network_events;
pub mod org_summary;
pub mod region_run;
mod sweep_worker;

pub use account_baseline::account_baseline;
pub use compliance_sweep::compliance_sweep;
pub use network_events::network_events;
pub use region_run::{RegionResult, RegionStatus};
pub use sweep_worker::{sweep_worker, WORKER_ITEM_CONCURRENCY};

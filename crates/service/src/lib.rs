//! vpce-guard's application layer: the guard loop for one account and Region, and the
//! organization sweep ([`org`]), over the core's ports and nothing else (no AWS SDK, no Lambda
//! types).
//!
//! [`Guard::run`] is observe (batched reads) → plan (the pure core) → act (per drifted VPC) →
//! notify (notices, outbox, summary); each stage is a file of [`guard`]. [`Guard::run_for_call`]
//! and [`Guard::sweep`] decide what a CloudTrail call or a schedule covers. [`VoidNotices`] is the
//! null notice adapter of runs that only plan. `fakes` (feature `test-util`, and this crate's own
//! tests) holds the in-memory ports the unit tests drive the guard with; no function links it.

pub mod error;
#[cfg(any(test, feature = "test-util"))]
pub mod fakes;
pub mod guard;
pub mod org;
mod void_notices;

pub use error::GuardError;
pub use guard::{
    CallOutcome, Guard, ProgressHook, Release, ReleaseTarget, RunReport, RunRequest, UsageReport,
    VpcOutcome, SCHEDULE_TRIGGER,
};
pub use void_notices::VoidNotices;

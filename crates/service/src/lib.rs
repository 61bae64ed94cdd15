//! vpce-guard's application layer: the guard loop for one account and Region, over the core's
//! ports and nothing else (no AWS SDK, no Lambda types).
//!
//! [`Guard::run`] is observe (batched reads) → plan (the pure core) → act (per drifted VPC) →
//! notify (notices, outbox, summary); each stage is a file of [`guard`]. [`Guard::run_for_call`]
//! and [`Guard::sweep`] decide what a CloudTrail call or a schedule covers. [`fakes`] holds the
//! in-memory EC2 and notice ports the unit tests (and anyone embedding the guard) drive it with.

pub mod error;
pub mod fakes;
pub mod guard;

pub use error::GuardError;
pub use guard::{
    CallOutcome, Guard, ProgressHook, Release, ReleaseTarget, RunReport, RunRequest, VpcOutcome,
    SCHEDULE_TRIGGER,
};

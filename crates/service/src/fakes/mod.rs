//! In-memory ports: an EC2 that keeps an [`Observation`] and applies remedies to it the way EC2
//! would, a notice sink that keeps what was published, a Security Hub that keeps findings and a
//! CloudTrail that lists the trails it is given, a CloudWatch that sums the datapoints put in it. They record their calls and can be told to
//! fail, so the guard loop is tested without a network (and in microseconds).
//!
//! Fixtures are builders on the domain types: [`InMemoryEc2::new`] offers the standard services
//! in two AZs; [`InMemoryEc2::with_private_vpc`] adds a VPC with one private subnet per AZ.

mod cloudwatch;
mod ec2;
mod notices;
mod org;
mod security_hub;
mod trails;

use std::sync::{Mutex, MutexGuard};

pub use cloudwatch::InMemoryCloudWatch;
pub use ec2::{InMemoryEc2, FAKE_AZS};
pub use notices::RecordingNotices;
pub use org::{InMemoryDirectory, InMemoryLedger, InMemoryWorkQueue};
pub use security_hub::InMemorySecurityHub;
pub use trails::InMemoryTrails;

/// A poisoned lock still holds usable state for a fake: take it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

//! AWS SDK implementations of the ports.

pub mod ec2;
pub mod ledger;
pub mod metrics;
pub mod organizations;
pub mod sdk_error;
pub mod sns;
pub mod sts;
pub mod work_queue;

pub use ec2::Ec2Adapter;
pub use ledger::{ItemOutcome, SweepLedger};
pub use metrics::ApiCallCounter;
pub use organizations::OrganizationsAdapter;
pub use sns::SnsAdapter;
pub use sts::{CallerIdentity, StsAdapter};
pub use work_queue::WorkQueueAdapter;

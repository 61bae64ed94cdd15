//! AWS SDK implementations of the ports.

pub mod ec2;
pub mod metrics;
pub mod sdk_error;
pub mod sns;

pub use ec2::Ec2Adapter;
pub use metrics::ApiCallCounter;
pub use sns::SnsAdapter;

//! vpce-guard's adapters: the AWS SDK implementations of the core's ports ([`Ec2Adapter`],
//! [`SnsAdapter`]) and of the organization plumbing (STS, Organizations, the SQS work queue, the
//! DynamoDB sweep ledger), the request counter every client carries, and the SDK setup shared
//! by the Lambda functions and the CLI. SDK errors become the core's `ApiError`, matched by code.

pub mod clients;
pub mod cloudtrail;
pub mod cloudwatch_metrics;
pub mod ec2;
pub mod ledger;
pub mod metrics;
pub mod nat_traffic;
pub mod org_ports;
pub mod organizations;
pub mod pacing;
pub mod pacing_deadline;
pub mod route53;
pub mod sdk_config;
pub mod sdk_error;
pub mod security_hub;
pub mod sns;
pub mod sts;
pub mod work_queue;

pub use clients::{counted_ec2, counted_nat_traffic, GuardClients};
pub use cloudtrail::CloudTrailAdapter;
pub use cloudwatch_metrics::CloudWatchMetrics;
pub use ec2::{Ec2Adapter, CONCURRENT_READS_UP_TO_VPCS};
pub use ledger::{Lease, LeaseHolder, Recorded, SweepLedger};
pub use metrics::ApiCallCounter;
pub use nat_traffic::NatTrafficAdapter;
pub use organizations::OrganizationsAdapter;
pub use route53::Route53Adapter;
pub use sdk_config::{load_sdk_config, retry_config, SdkOptions};
pub use security_hub::SecurityHubAdapter;
pub use sns::SnsAdapter;
pub use sts::StsAdapter;
pub use work_queue::{EnqueueError, WorkQueueAdapter};

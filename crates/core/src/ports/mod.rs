//! What the guard needs from the outside world. The adapters crate implements these
//! with the AWS SDK; tests can implement them with fakes.

mod org;

pub use org::{AccountDirectoryPort, QueueFuture, SweepLedgerPort, WorkQueuePort};

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use crate::ec2_action::Ec2Action;
use crate::error::ApiError;
use crate::event_path::Trail;
use crate::events::ResourceRefs;
use crate::model::{DnsAttributes, Observation};
use crate::notice::Notice;
use crate::planner::Remedy;
use crate::resource_id::{SecurityGroupId, VpcId};
use crate::security_hub::{ActiveHubFinding, HubFinding};
use crate::traffic::NatGateway;
use crate::usage::{MetricQuery, MetricWindow, Series};

/// Which VPCs an observation covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every VPC of the account in the region.
    Region,
    /// Only these VPCs (ids that no longer exist are simply absent from the result).
    Vpcs(Vec<String>),
}

/// Where an event's resources live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Vpcs(Vec<String>),
    /// The event named resources that no longer say where they were (a deleted endpoint):
    /// guard the whole region rather than miss the VPC.
    WholeRegion,
}

/// EC2 reads: one paginated Describe per resource kind, independent of the VPC count, and the
/// few targeted reads an event or a remedy needs. All a plan needs.
pub trait Ec2Inventory: Send + Sync {
    /// One paginated Describe per resource kind (run concurrently), independent of the VPC count.
    fn observe(
        &self,
        scope: &Scope,
        service_names: &[String],
    ) -> impl Future<Output = Result<Observation, ApiError>> + Send;

    /// `enableDnsSupport` and `enableDnsHostnames` of one VPC (two calls).
    fn dns_attributes(
        &self,
        vpc_id: &str,
    ) -> impl Future<Output = Result<DnsAttributes, ApiError>> + Send;

    /// How many more `action` requests the client's pacing will send before the invocation's
    /// deadline (requests already waiting counted); None when nothing limits them (unpaced, or
    /// no deadline).
    fn calls_left_before_deadline(&self, _action: Ec2Action) -> Option<u64> {
        None
    }

    /// Finds the VPCs of resources an event named without their VPC.
    fn resolve_vpcs(
        &self,
        refs: &ResourceRefs,
    ) -> impl Future<Output = Result<Resolution, ApiError>> + Send;

    /// Which of `endpoint_ids` EC2 has not finished deleting (one read).
    fn endpoints_remaining(
        &self,
        endpoint_ids: &[String],
    ) -> impl Future<Output = Result<Vec<String>, ApiError>> + Send;
}

/// EC2 writes that remedies make: the guard's security group and each remedy's call.
pub trait Ec2Remediation: Send + Sync {
    /// Creates (or finds, when a racing run created it) the guard's security group in `vpc_id`,
    /// allowing HTTPS from `cidrs`; returns its id.
    fn ensure_guard_security_group(
        &self,
        vpc_id: &VpcId,
        cidrs: &[String],
    ) -> impl Future<Output = Result<SecurityGroupId, ApiError>> + Send;

    /// Applies one remedy. Security group references are already resolved to existing ids.
    /// Returns the id of a created resource, if any.
    fn apply(
        &self,
        vpc_id: &VpcId,
        remedy: &Remedy,
    ) -> impl Future<Output = Result<Option<String>, ApiError>> + Send;
}

/// EC2 tags the guard keeps about its own work: the notice outbox on VPCs and the teardown
/// release on VPCs and subnets.
pub trait Ec2Bookkeeping: Send + Sync {
    /// Records notice findings that could not be published on the VPC (tag
    /// [`crate::outbox::UNPUBLISHED_TAG_KEY`]), so the next run publishes them.
    fn mark_unpublished(
        &self,
        vpc_id: &str,
        value: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Removes the outbox tag from VPCs whose pending notices were published (one call).
    fn clear_unpublished(
        &self,
        vpc_ids: &[String],
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Tags a VPC or subnet as released at `at` (RFC 3339): see
    /// [`crate::model::RELEASED_TAG_KEY`].
    fn mark_released(
        &self,
        resource_id: &str,
        at: &str,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;
}

/// All of EC2 a guard run uses: the three capabilities together (implemented for every type that
/// has them). A caller that only reads needs only [`Ec2Inventory`].
pub trait Ec2Port: Ec2Inventory + Ec2Remediation + Ec2Bookkeeping {}

impl<T: Ec2Inventory + Ec2Remediation + Ec2Bookkeeping> Ec2Port for T {}

/// A boxed port future: for the optional ports a guard holds as trait objects.
pub type PortFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send + 'a>>;

/// NAT traffic as the NAT gateways count it (EC2 DescribeNatGateways, CloudWatch
/// GetMetricData): a few requests per Region, never per VPC. Optional: a guard without it reads
/// NAT traffic from the VPC tag only.
pub trait NatTrafficPort: Send + Sync {
    /// The `available` NAT gateways of the Region, or of `vpc_ids` when given (one paginated call).
    fn nat_gateways<'a>(&'a self, vpc_ids: Option<&'a [String]>)
        -> PortFuture<'a, Vec<NatGateway>>;

    /// Bytes each gateway processed (out to destinations plus in from them) over the last
    /// `window_days` days; gateways without data are absent.
    fn bytes_processed<'a>(
        &'a self,
        gateway_ids: &'a [String],
        window_days: u32,
    ) -> PortFuture<'a, BTreeMap<String, f64>>;
}

/// CloudWatch metric sums (GetMetricData): at most 500 queries a request, so a usage check costs
/// ⌈queries / 500⌉ requests (plus pages) per Region, never one per endpoint or VPC. Optional: a
/// guard without it measures no usage.
pub trait MetricsPort: Send + Sync {
    /// Each query's sums per period over `window`, in the order of `queries` (a query without
    /// data gets an empty series: CloudWatch stores nothing for periods without traffic).
    fn series<'a>(
        &'a self,
        queries: &'a [MetricQuery],
        window: MetricWindow,
    ) -> PortFuture<'a, Vec<Series>>;
}

/// Route 53 private hosted zones associated with a VPC (central endpoints shared through
/// Route 53). Optional: a guard without it never detects central endpoints.
pub trait CentralDnsPort: Send + Sync {
    /// The names (lower case, no trailing dot) of the private hosted zones associated with
    /// `vpc_id` in `region` (ListHostedZonesByVPC: this account's zones and those associated by
    /// authorization from others).
    fn hosted_zones_of<'a>(
        &'a self,
        vpc_id: &'a str,
        region: &'a str,
    ) -> PortFuture<'a, Vec<String>>;
}

/// CloudTrail: the trails that apply to a Region and whether they log its management write
/// events (the event path's daily check). Optional: a guard without it checks nothing.
pub trait TrailPort: Send + Sync {
    /// Every trail `DescribeTrails` lists in the Region (its own, multi-Region and organization
    /// trails), each with its status and event selectors or the error that kept them unread.
    fn trails(&self) -> PortFuture<'_, Vec<Trail>>;
}

/// A finding Security Hub refused (BatchImportFindings' `FailedFindings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedFinding {
    pub id: String,
    pub code: String,
    pub message: String,
}

/// Security Hub in the account the findings are about (the default product ARN requires it).
pub trait SecurityHubPort: Send + Sync {
    /// The guard's `ACTIVE` findings under `product_arn` whose id starts with `id_prefix`
    /// (paginated GetFindings, 100 a page).
    fn active_findings<'a>(
        &'a self,
        product_arn: &'a str,
        id_prefix: &'a str,
    ) -> PortFuture<'a, Vec<ActiveHubFinding>>;

    /// Imports `findings` (at most 100 a call); returns the ones Security Hub refused.
    fn import<'a>(&'a self, findings: &'a [HubFinding]) -> PortFuture<'a, Vec<RefusedFinding>>;
}

/// Where notices go.
pub trait NoticePort: Send + Sync {
    /// Publishes all notices or fails; returns how many were published.
    fn publish(&self, notices: &[Notice]) -> impl Future<Output = Result<usize, ApiError>> + Send;
}

/// The time notices are stamped with (a fixed clock in tests).
pub trait Clock: Send + Sync {
    /// Now, as an RFC 3339 UTC timestamp.
    fn now_rfc3339(&self) -> String;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_rfc3339(&self) -> String {
        crate::time::format_rfc3339(std::time::SystemTime::now())
    }
}

/// Requests sent so far, per API action, and throttled answers: the run summary reports the
/// difference between two readings. The adapters count at the SDK's transport.
pub trait RequestMetrics: Send + Sync {
    /// Requests sent so far, per API action (retries included).
    fn requests_by_action(&self) -> BTreeMap<String, u64>;
    /// Throttled answers so far.
    fn throttled(&self) -> u64;
}

/// Counts nothing (a guard whose ports do not count requests, e.g. in-memory fakes).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMetrics;

impl RequestMetrics for NoMetrics {
    fn requests_by_action(&self) -> BTreeMap<String, u64> {
        BTreeMap::new()
    }

    fn throttled(&self) -> u64 {
        0
    }
}

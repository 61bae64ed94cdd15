//! The guard for one account and Region: its inputs, its report, and [`Guard::run`], which is
//! the four stages of the reconcile loop, one file each.

mod act;
mod central;
mod event_path;
mod notify;
mod observe;
mod plan;
mod release;
mod scope;
mod security_hub;
mod traffic;
mod usage;

pub use release::{Release, ReleaseTarget};
pub use scope::{CallOutcome, SCHEDULE_TRIGGER};
pub use usage::UsageReport;

use std::sync::Arc;

use vpce_guard_core::baseline::{partition_of, PolicyVariables, RegionBaselines};
use vpce_guard_core::notice::{Notice, NoticeFinding, RunSummary};
use vpce_guard_core::planner::{CostDecision, VpcStatus};
use vpce_guard_core::policy::RunSettings;
use vpce_guard_core::ports::{
    CentralDnsPort, Clock, Ec2Port, MetricsPort, NatTrafficPort, NoMetrics, NoticePort,
    RequestMetrics, Scope, SecurityHubPort, SystemClock, TrailPort,
};
use vpce_guard_core::traffic::NatTrafficReport;
use vpce_guard_core::usage::{EndpointUsage, VpcSavings};

use crate::error::GuardError;

/// One guard run's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRequest {
    pub account_id: String,
    /// CloudTrail event name or `schedule`; carried into notices.
    pub trigger: String,
    pub scope: Scope,
    /// Read the DNS attributes of every VPC in scope (cheap for event-targeted runs), not only
    /// of VPCs whose remedies depend on them.
    pub read_dns_for_all: bool,
    /// Publish a `sweep_summary` notice.
    pub publish_summary: bool,
    /// Publish notices (and handle the outbox). The CLI turns this off and prints them instead.
    pub notify: bool,
}

/// Everything a run found and did.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub summary: RunSummary,
    /// One per VPC in scope, sorted by VPC id.
    pub outcomes: Vec<VpcOutcome>,
    /// The notices of the run (published when `notify` was set).
    pub notices: Vec<Notice>,
}

/// What happened to one VPC.
#[derive(Debug, Clone, PartialEq)]
pub struct VpcOutcome {
    pub vpc_id: String,
    pub status: VpcStatus,
    pub findings: Vec<NoticeFinding>,
    pub cost_decisions: Vec<CostDecision>,
    /// The VPC's NAT traffic and the interface endpoints' projected saving, when known.
    pub nat_traffic: Option<NatTrafficReport>,
    /// The baseline profile the VPC was planned against.
    pub profile: Option<String>,
    /// Runs that read usage: the VPC's live interface endpoints, measured and judged.
    pub usage: Vec<EndpointUsage>,
    /// Runs that read usage: the saving of a VPC holding the guard's interface endpoints.
    pub savings: Option<VpcSavings>,
}

/// Called once per VPC as soon as it is done (progress bars).
pub type ProgressHook = Arc<dyn Fn(&VpcOutcome) + Send + Sync>;

/// The guard for one account and Region, over any EC2 and notice ports.
pub struct Guard<E, N> {
    ec2: E,
    notices: N,
    settings: RunSettings,
    region: String,
    /// `aws`, `aws-cn`, `aws-us-gov`: for ARNs in policies and findings.
    partition: String,
    /// The account's OUs, nearest first (profile selection by OU).
    account_parents: Vec<String>,
    metrics: Arc<dyn RequestMetrics>,
    clock: Arc<dyn Clock>,
    progress: Option<ProgressHook>,
    /// Where NAT traffic figures come from besides the VPC tag (CloudWatch), when wired.
    nat_traffic: Option<Arc<dyn NatTrafficPort>>,
    /// Where findings go besides notices (Security Hub), when wired.
    security_hub: Option<HubWiring>,
    /// Route 53, to detect central endpoints (`CENTRAL_ENDPOINTS=detect`), when wired.
    central_dns: Option<Arc<dyn CentralDnsPort>>,
    /// CloudTrail, for the event path's check (wired on the day's first scheduled run).
    trails: Option<Arc<dyn TrailPort>>,
    /// CloudWatch, for endpoint usage and verified savings (wired on the scheduled runs
    /// `USAGE_CHECK` chooses).
    metrics_port: Option<Arc<dyn MetricsPort>>,
}

/// Security Hub and the partition its ARNs are built in.
struct HubWiring {
    port: Arc<dyn SecurityHubPort>,
    partition: String,
}

impl<E: Ec2Port, N: NoticePort> Guard<E, N> {
    /// A guard for `region` with the baseline of `settings` resolved there; counts no requests
    /// and stamps notices with the system clock until told otherwise.
    pub fn new(ec2: E, notices: N, settings: RunSettings, region: impl Into<String>) -> Self {
        let region = region.into();
        Self {
            ec2,
            notices,
            settings,
            partition: partition_of(&region).to_string(),
            region,
            account_parents: Vec::new(),
            metrics: Arc::new(NoMetrics),
            clock: Arc::new(SystemClock),
            progress: None,
            nat_traffic: None,
            security_hub: None,
            central_dns: None,
            trails: None,
            metrics_port: None,
        }
    }

    /// Reports the requests `metrics` sees (the same counter the adapters' clients carry).
    pub fn with_metrics(mut self, metrics: Arc<dyn RequestMetrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Stamps notices with `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Reports each VPC as it completes.
    pub fn with_progress(mut self, hook: ProgressHook) -> Self {
        self.progress = Some(hook);
        self
    }

    /// Reads NAT traffic from `port` when the baseline asks for it (`nat_traffic.cloudwatch`).
    pub fn with_nat_traffic(mut self, port: Arc<dyn NatTrafficPort>) -> Self {
        self.nat_traffic = Some(port);
        self
    }

    /// Imports the run's drift into Security Hub through `port` (ARNs in `partition`).
    pub fn with_security_hub(
        mut self,
        port: Arc<dyn SecurityHubPort>,
        partition: impl Into<String>,
    ) -> Self {
        self.security_hub = Some(HubWiring {
            port,
            partition: partition.into(),
        });
        self
    }

    /// Reads the VPCs' private hosted zones from `port` when `central_endpoints` is on.
    pub fn with_central_dns(mut self, port: Arc<dyn CentralDnsPort>) -> Self {
        self.central_dns = Some(port);
        self
    }

    /// Checks, in a run over the whole Region, that CloudTrail feeds the event path (the day's
    /// first scheduled run wires it: a few CloudTrail reads).
    pub fn with_trails(mut self, port: Arc<dyn TrailPort>) -> Self {
        self.trails = Some(port);
        self
    }

    /// Measures endpoint usage and verified savings through `port` in a run over the whole Region
    /// (scheduled runs chosen by `USAGE_CHECK`: a few GetMetricData requests per Region).
    pub fn with_usage(mut self, port: Arc<dyn MetricsPort>) -> Self {
        self.metrics_port = Some(port);
        self
    }

    /// Builds ARNs (endpoint policies, Security Hub) in `partition` (default: the Region's).
    pub fn with_partition(mut self, partition: impl Into<String>) -> Self {
        self.partition = partition.into();
        self
    }

    /// The OUs above the account (nearest first, the root last): `ACCOUNT_PROFILES` may name
    /// profiles by OU.
    pub fn with_account_parents(mut self, parents: Vec<String>) -> Self {
        self.account_parents = parents;
        self
    }

    /// Every profile resolved for `account_id` in this Region.
    pub fn baselines(&self, account_id: &str) -> RegionBaselines {
        let mut vars = PolicyVariables::new(account_id, &self.region, &self.partition);
        if let Some(org_id) = &self.settings.org_id {
            vars = vars.with_org_id(org_id);
        }
        RegionBaselines::new(
            &self.settings.profiles,
            &self.settings.account_profiles,
            &vars,
        )
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn settings(&self) -> &RunSettings {
        &self.settings
    }

    pub fn ec2(&self) -> &E {
        &self.ec2
    }

    pub fn notices(&self) -> &N {
        &self.notices
    }

    /// Observes, plans and (in remediate mode) fixes every VPC in scope, then publishes notices.
    /// Fails only when observation or publishing fails; per-VPC failures become notices.
    pub async fn run(&self, request: RunRequest) -> Result<RunReport, GuardError> {
        let before = notify::MetricsReading::take(self.metrics.as_ref());
        let baselines = self.baselines(&request.account_id);
        let mut inventory = self.observe(&request, &baselines).await?;
        let mut planned = self.plan(&mut inventory, &baselines).await;
        planned.usage = self
            .check_usage(&request, &inventory, &baselines, &mut planned.plans)
            .await;
        // The inventory is the largest thing a run holds (every subnet, route table and endpoint
        // of the Region): gone before the notices are built.
        let unpublished = notify::unpublished_tags(&inventory);
        drop(inventory);
        let usage_checked = planned.usage.is_some();
        let metrics_requested = planned.usage.as_ref().map_or(0, |u| u.metrics_requested);
        let dns_unchecked = planned.dns_unchecked;
        let outcomes = self.act(planned).await;
        let mut hub = self
            .report_to_security_hub(&request, &outcomes, usage_checked)
            .await;
        hub.usage_checked = u64::from(usage_checked);
        hub.cloudwatch_metrics_requested = metrics_requested;
        hub.vpcs_dns_unchecked = dns_unchecked;
        let event_path = self.check_event_path(&request).await;
        hub.add(&event_path.counters);
        self.notify(
            &request,
            unpublished,
            outcomes,
            before,
            hub,
            event_path.verdict,
        )
        .await
    }
}

#[cfg(test)]
mod event_path_tests;
#[cfg(test)]
mod release_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod usage_tests;

//! Between plan and act, on scheduled sweeps that read usage (`USAGE_CHECK`, when a metrics port
//! is wired): each interface endpoint's `BytesProcessed` over the usage window and each VPC's
//! NAT bytes before and after the guard's first interface endpoint, in a few GetMetricData
//! requests per Region (⌈queries / 500⌉ each, never per VPC). The verdicts become usage
//! findings (and, with `PRUNE_UNUSED`, prune remedies) appended to each VPC's plan. A failed
//! read is logged and leaves the run without usage figures: it never fails the run.

use std::collections::{BTreeMap, BTreeSet};

use tracing::{info, warn};
use vpce_guard_core::baseline::{EndpointType, RegionBaselines, VpcBaseline};
use vpce_guard_core::cost::Pricing;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::model::{EndpointState, RegionInventory, VpcInventory};
use vpce_guard_core::planner::{is_exempt, is_not_owned, Drift, VpcPlan, VpcStatus};
use vpce_guard_core::ports::{Ec2Port, NoticePort, Scope};
use vpce_guard_core::time::parse_rfc3339;
use vpce_guard_core::usage::metrics::{by_day, endpoint_queries, nat_queries, total};
use vpce_guard_core::usage::{
    endpoint_usage, usage_findings, vpc_savings, EndpointBytes, EndpointUsage, MetricWindow,
    SavingsInput, VpcSavings, SECONDS_PER_DAY,
};

use super::{Guard, RunRequest};
use crate::error::GuardError;

/// What a usage check measured in one account and Region.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UsageReport {
    /// Every live interface endpoint of the VPCs measured, by VPC then endpoint id.
    pub endpoints: Vec<EndpointUsage>,
    /// Every VPC with an interface endpoint of the guard's, by VPC id.
    pub savings: Vec<VpcSavings>,
    /// Metrics requested from CloudWatch (what GetMetricData bills: about $0.01 per 1,000).
    pub metrics_requested: u64,
}

impl UsageReport {
    /// The endpoints and saving of one VPC.
    pub fn of_vpc(&self, vpc_id: &str) -> (Vec<EndpointUsage>, Option<VpcSavings>) {
        (
            self.endpoints
                .iter()
                .filter(|e| e.vpc_id == vpc_id)
                .cloned()
                .collect(),
            self.savings.iter().find(|s| s.vpc_id == vpc_id).cloned(),
        )
    }
}

/// Live interface endpoints of a VPC.
fn interface_endpoints(
    vpc: &VpcInventory,
) -> impl Iterator<Item = &vpce_guard_core::model::Endpoint> {
    vpc.endpoints.iter().filter(|e| {
        e.endpoint_type == Some(EndpointType::Interface)
            && matches!(e.state, EndpointState::Live(_))
    })
}

impl<E: Ec2Port, N: NoticePort> Guard<E, N> {
    /// The usage of every VPC in `scope` the guard looks after (not exempt, owned, not released),
    /// without planning anything: `vpce-guard usage` and `vpce-guard savings`. Fails when the
    /// inventory or CloudWatch cannot be read, or when no metrics port is wired.
    pub async fn usage_report(
        &self,
        account_id: &str,
        scope: Scope,
    ) -> Result<UsageReport, GuardError> {
        let request = RunRequest {
            account_id: account_id.to_string(),
            trigger: "usage".to_string(),
            scope,
            read_dns_for_all: false,
            publish_summary: false,
            notify: false,
        };
        let baselines = self.baselines(account_id);
        let inventory = self.observe(&request, &baselines).await?;
        let now = self.now();
        let options = self.settings.planner_options(now);
        let looked_after: BTreeSet<String> = inventory
            .vpcs
            .iter()
            .filter(|v| {
                !is_exempt(v, &self.settings.exempt_tag_key)
                    && !is_not_owned(v, account_id)
                    && !options.is_held(&v.vpc.tags)
            })
            .map(|v| v.vpc.id.clone())
            .collect();
        self.measure(&inventory, &looked_after, &baselines, now)
            .await
            .map_err(GuardError::Usage)
    }

    /// Measures and appends usage findings to `plans`, on runs over the whole Region when a
    /// metrics port is wired; returns what was measured (None: not measured this run).
    pub(super) async fn check_usage(
        &self,
        request: &RunRequest,
        inventory: &RegionInventory,
        baselines: &RegionBaselines,
        plans: &mut [VpcPlan],
    ) -> Option<UsageReport> {
        self.metrics_port.as_ref()?;
        if request.scope != Scope::Region {
            return None;
        }
        let looked_after: BTreeSet<String> = plans
            .iter()
            .filter(|p| matches!(p.status, VpcStatus::Compliant | VpcStatus::Drifted))
            .map(|p| p.vpc_id.clone())
            .collect();
        let report = match self
            .measure(inventory, &looked_after, baselines, self.now())
            .await
        {
            Ok(report) => report,
            Err(error) => {
                warn!(%error, region = %self.region, "could not read endpoint usage; no usage figures this run");
                return None;
            }
        };
        let prune = self.settings.usage.prune_unused;
        for plan in plans.iter_mut() {
            if !looked_after.contains(&plan.vpc_id) {
                continue;
            }
            let Some(vpc) = inventory.vpcs.iter().find(|v| v.vpc.id == plan.vpc_id) else {
                continue;
            };
            // An endpoint the plan already deletes (a duplicate) is not judged again.
            let deleted: BTreeSet<&str> = plan
                .findings
                .iter()
                .filter(|f| f.drift == Drift::DuplicateEndpoint)
                .flat_map(|f| f.resource_ids.iter().map(String::as_str))
                .collect();
            let endpoints: Vec<EndpointUsage> = report
                .endpoints
                .iter()
                .filter(|e| e.vpc_id == plan.vpc_id && !deleted.contains(e.endpoint_id.as_str()))
                .cloned()
                .collect();
            plan.findings
                .extend(usage_findings(&endpoints, &vpc.vpc.tags, prune));
        }
        info!(
            endpoints = report.endpoints.len(),
            vpcs_with_savings = report.savings.len(),
            "endpoint usage measured"
        );
        Some(report)
    }

    /// The run's time, in seconds since the epoch.
    fn now(&self) -> i64 {
        parse_rfc3339(&self.clock.now_rfc3339()).unwrap_or(0)
    }

    /// Reads and judges the interface endpoints of `vpcs`, and the savings of those with the
    /// guard's interface endpoints (when a NAT traffic port is wired).
    async fn measure(
        &self,
        inventory: &RegionInventory,
        vpcs: &BTreeSet<String>,
        baselines: &RegionBaselines,
        now: i64,
    ) -> Result<UsageReport, ApiError> {
        let Some(metrics) = self.metrics_port.as_ref() else {
            return Err(ApiError::new(
                "GetMetricData",
                "NotWired",
                "no CloudWatch metrics port is wired to this guard",
            ));
        };
        let settings = self.settings.usage;
        let measured: Vec<&VpcInventory> = inventory
            .vpcs
            .iter()
            .filter(|v| vpcs.contains(&v.vpc.id))
            .collect();
        let pricing_of = |vpc: &VpcInventory| -> Pricing {
            match baselines.for_vpc(&vpc.vpc.tags, &inventory.account_id, &self.account_parents) {
                VpcBaseline::Use { baseline, .. } => baseline.pricing,
                VpcBaseline::Unusable { .. } => Pricing::default(),
            }
        };
        // Endpoint bytes: the total, then each subnet, per endpoint.
        let endpoints: Vec<(&VpcInventory, &vpce_guard_core::model::Endpoint)> = measured
            .iter()
            .flat_map(|v| interface_endpoints(v).map(move |e| (*v, e)))
            .collect();
        let queries: Vec<_> = endpoints
            .iter()
            .flat_map(|(_, e)| endpoint_queries(e))
            .collect();
        let series = metrics
            .series(
                &queries,
                MetricWindow::summed_over_days(now, settings.window_days),
            )
            .await?;
        let mut usage = Vec::with_capacity(endpoints.len());
        let mut next = 0;
        for (vpc, endpoint) in &endpoints {
            let count = 1 + endpoint.subnet_ids.len();
            let own = series.get(next..next + count).unwrap_or_default();
            next += count;
            let bytes = EndpointBytes {
                total: own.first().map(total).unwrap_or(0.0),
                by_subnet: endpoint
                    .subnet_ids
                    .iter()
                    .zip(own.iter().skip(1))
                    .map(|(subnet, s)| (subnet.clone(), total(s)))
                    .collect(),
            };
            let subnet_az: BTreeMap<String, String> = vpc
                .subnets
                .iter()
                .map(|s| (s.id.clone(), s.availability_zone.clone()))
                .collect();
            usage.push(endpoint_usage(
                endpoint,
                &subnet_az,
                &bytes,
                &pricing_of(vpc),
                now,
                settings.window_days,
            ));
        }
        usage.sort_by(|a, b| (&a.vpc_id, &a.endpoint_id).cmp(&(&b.vpc_id, &b.endpoint_id)));
        let (savings, nat_metrics) = self
            .measure_savings(&measured, &usage, &pricing_of, now)
            .await?;
        Ok(UsageReport {
            endpoints: usage,
            savings,
            metrics_requested: (queries.len() + nat_metrics) as u64,
        })
    }

    /// Each VPC's saving: its NAT gateways' daily bytes from N days before the earliest first
    /// endpoint to today, in one read for the Region; with the metrics requested.
    async fn measure_savings(
        &self,
        vpcs: &[&VpcInventory],
        usage: &[EndpointUsage],
        pricing_of: &(dyn Fn(&VpcInventory) -> Pricing + Sync),
        now: i64,
    ) -> Result<(Vec<VpcSavings>, usize), ApiError> {
        let (Some(metrics), Some(nat)) = (self.metrics_port.as_ref(), self.nat_traffic.as_ref())
        else {
            return Ok((Vec::new(), 0));
        };
        let window_days = self.settings.usage.savings_window_days;
        // The guard's first interface endpoint per VPC.
        let first: BTreeMap<&str, i64> = vpcs
            .iter()
            .filter_map(|v| {
                interface_endpoints(v)
                    .filter(|e| e.managed)
                    .filter_map(|e| e.created_at)
                    .min()
                    .map(|at| (v.vpc.id.as_str(), at))
            })
            .collect();
        if first.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let gateways: Vec<_> = nat
            .nat_gateways(None)
            .await?
            .into_iter()
            .filter(|g| first.contains_key(g.vpc_id.as_str()))
            .collect();
        let earliest = first.values().copied().min().unwrap_or(now);
        let window = MetricWindow::daily_until_today(
            now,
            earliest - i64::from(window_days) * SECONDS_PER_DAY,
        );
        let queries: Vec<_> = gateways.iter().flat_map(|g| nat_queries(&g.id)).collect();
        let series = if queries.is_empty() {
            Vec::new()
        } else {
            metrics.series(&queries, window).await?
        };
        let per_gateway = queries.len() / gateways.len().max(1);
        let mut savings = Vec::with_capacity(first.len());
        for vpc in vpcs {
            let Some(&first_created) = first.get(vpc.vpc.id.as_str()) else {
                continue;
            };
            let own: Vec<&vpce_guard_core::usage::Series> = gateways
                .iter()
                .enumerate()
                .filter(|(_, g)| g.vpc_id == vpc.vpc.id)
                .flat_map(|(i, _)| {
                    series
                        .get(i * per_gateway..(i + 1) * per_gateway)
                        .unwrap_or_default()
                })
                .collect();
            let daily = by_day(own);
            savings.push(vpc_savings(&SavingsInput {
                vpc_id: &vpc.vpc.id,
                first_created,
                has_nat: gateways.iter().any(|g| g.vpc_id == vpc.vpc.id),
                nat_daily: &daily,
                nat_read_from: window.start,
                endpoints: usage,
                pricing: &pricing_of(vpc),
                now,
                window_days,
            }));
        }
        savings.sort_by(|a, b| a.vpc_id.cmp(&b.vpc_id));
        Ok((savings, queries.len()))
    }
}

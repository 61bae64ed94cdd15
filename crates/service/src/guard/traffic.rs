//! Part of stage 1, observe: the NAT traffic of the VPCs that will be planned, from CloudWatch,
//! when the baseline asks for it. Two requests per Region at most (DescribeNatGateways and one
//! GetMetricData per 250 gateways), none when no VPC needs a figure.

use tracing::warn;
use vpce_guard_core::baseline::{
    Baseline, CloudwatchReads, InterfacePolicy, RegionBaselines, VpcBaseline,
};
use vpce_guard_core::model::RegionInventory;
use vpce_guard_core::planner::{is_exempt, is_not_owned};
use vpce_guard_core::ports::{Ec2Inventory, NoticePort, Scope};
use vpce_guard_core::traffic::{nat_gb_by_vpc, nat_traffic, NAT_TRAFFIC_WINDOW_DAYS};

use super::Guard;

impl<E: Ec2Inventory, N: NoticePort> Guard<E, N> {
    /// Fills `nat_gb_cloudwatch` of the VPCs the planner will look at and that carry no tag
    /// figure (the tag overrides). A failed read leaves them without a figure: the planner then
    /// treats them as it treats untagged VPCs, and the run goes on.
    pub(super) async fn fill_nat_traffic(
        &self,
        inventory: &mut RegionInventory,
        account_id: &str,
        scope: &Scope,
        baselines: &RegionBaselines,
    ) {
        let Some(port) = self.nat_traffic.as_ref() else {
            return;
        };
        let wanted: Vec<String> = inventory
            .vpcs
            .iter()
            .filter(|v| {
                let VpcBaseline::Use { baseline, .. } =
                    baselines.for_vpc(&v.vpc.tags, account_id, &self.account_parents)
                else {
                    return false;
                };
                reads_nat_traffic(baseline)
                    && !is_exempt(v, &self.settings.exempt_tag_key)
                    && !is_not_owned(v, account_id)
                    && nat_traffic(&v.vpc.tags, &baseline.nat_traffic.tag_key, None).is_none()
            })
            .map(|v| v.vpc.id.clone())
            .collect();
        if wanted.is_empty() {
            return;
        }
        let filter = match scope {
            Scope::Region => None,
            Scope::Vpcs(_) => Some(wanted.as_slice()),
        };
        let gateways = match port.nat_gateways(filter).await {
            Ok(gateways) => gateways
                .into_iter()
                .filter(|g| wanted.contains(&g.vpc_id))
                .collect::<Vec<_>>(),
            Err(error) => {
                warn!(%error, "could not list NAT gateways; NAT traffic only from tags this run");
                return;
            }
        };
        if gateways.is_empty() {
            return;
        }
        let ids: Vec<String> = gateways.iter().map(|g| g.id.clone()).collect();
        let bytes = match port.bytes_processed(&ids, NAT_TRAFFIC_WINDOW_DAYS).await {
            Ok(bytes) => bytes,
            Err(error) => {
                warn!(%error, "could not read NAT gateway metrics; NAT traffic only from tags this run");
                return;
            }
        };
        let by_vpc = nat_gb_by_vpc(&gateways, &bytes, NAT_TRAFFIC_WINDOW_DAYS);
        for vpc in &mut inventory.vpcs {
            if let Some(gb) = by_vpc.get(&vpc.vpc.id) {
                vpc.nat_gb_cloudwatch = Some(*gb);
            }
        }
    }
}

/// Whether `baseline` reads NAT traffic from CloudWatch (`nat_traffic.cloudwatch`).
fn reads_nat_traffic(baseline: &Baseline) -> bool {
    match baseline.nat_traffic.cloudwatch {
        CloudwatchReads::Always => true,
        CloudwatchReads::WhenNeeded => {
            baseline.interface_endpoints == InterfacePolicy::WhenCostEffective
        }
        CloudwatchReads::Off => false,
    }
}

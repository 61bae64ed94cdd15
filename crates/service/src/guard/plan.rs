//! Stage 2, plan: the pure planner per VPC, against the baseline of the VPC's profile; VPCs
//! whose remedies depend on the DNS attributes pay the two per-VPC reads and are planned again
//! with them.

use vpce_guard_core::baseline::{RegionBaselines, VpcBaseline};
use vpce_guard_core::model::RegionInventory;
use vpce_guard_core::planner::{plan_vpc, plan_vpc_without_profile, Remedy, VpcPlan};
use vpce_guard_core::ports::{Ec2Port, NoticePort};
use vpce_guard_core::time::parse_rfc3339;

use super::Guard;

impl<E: Ec2Port, N: NoticePort> Guard<E, N> {
    pub(super) async fn plan(
        &self,
        inventory: &mut RegionInventory,
        baselines: &RegionBaselines,
    ) -> Vec<VpcPlan> {
        let now = parse_rfc3339(&self.clock.now_rfc3339()).unwrap_or(0);
        let options = self.settings.planner_options(now);
        let plan_one = |inventory: &RegionInventory, index: usize| {
            let vpc = &inventory.vpcs[index];
            match baselines.for_vpc(&vpc.vpc.tags, &inventory.account_id, &self.account_parents) {
                VpcBaseline::Use { profile, baseline } => {
                    let mut plan = plan_vpc(
                        &inventory.account_id,
                        vpc,
                        &inventory.offers,
                        baseline,
                        &options,
                    );
                    plan.profile = Some(profile.to_string());
                    plan
                }
                VpcBaseline::Unusable { profile, reason } => plan_vpc_without_profile(
                    &inventory.account_id,
                    vpc,
                    &options,
                    &profile,
                    &reason,
                ),
            }
        };
        let mut plans: Vec<VpcPlan> = (0..inventory.vpcs.len())
            .map(|i| plan_one(inventory, i))
            .collect();
        // Central endpoints: only VPCs about to get an interface endpoint pay the zone read.
        let creating: Vec<String> = plans
            .iter()
            .filter(|p| creates_interface_endpoint(p))
            .map(|p| p.vpc_id.clone())
            .collect();
        if self.fill_central_zones(inventory, &creating).await {
            for (index, plan) in plans.iter_mut().enumerate() {
                if inventory.vpcs[index].central_dns_zones.is_some() {
                    *plan = plan_one(inventory, index);
                }
            }
        }
        let needing: Vec<String> = plans
            .iter()
            .filter(|p| p.needs_dns_attributes)
            .map(|p| p.vpc_id.clone())
            .collect();
        if needing.is_empty() {
            return plans;
        }
        self.fill_dns(inventory, &needing).await;
        for (index, plan) in plans.iter_mut().enumerate() {
            if plan.needs_dns_attributes && inventory.vpcs[index].dns.is_some() {
                *plan = plan_one(inventory, index);
            }
        }
        plans
    }
}

/// Whether the plan creates an interface endpoint (a central endpoint might serve it instead).
fn creates_interface_endpoint(plan: &VpcPlan) -> bool {
    plan.findings
        .iter()
        .any(|f| matches!(f.remedy, Some(Remedy::CreateInterfaceEndpoint { .. })))
}

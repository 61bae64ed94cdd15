//! Stage 2, plan: the pure planner per VPC, against the baseline of the VPC's profile; VPCs
//! whose remedies depend on the DNS attributes pay the two per-VPC reads and are planned again
//! with them. A remediating run reads them only for the VPCs whose private-DNS remedies the
//! pacing can still send before the deadline ([`dns_reads_worth_making`]); the others' wait for
//! a later run.

use std::collections::BTreeSet;

use vpce_guard_core::baseline::{RegionBaselines, VpcBaseline};
use vpce_guard_core::model::RegionInventory;
use vpce_guard_core::planner::{
    dns_reads_worth_making, plan_vpc, plan_vpc_without_profile, Remedy, VpcPlan,
};
use vpce_guard_core::policy::Mode;
use vpce_guard_core::ports::{Ec2Inventory, NoticePort};
use vpce_guard_core::time::parse_rfc3339;

use super::{Guard, UsageReport};

/// The plans of a run, in the order they are applied.
pub(super) struct Planned {
    pub plans: Vec<VpcPlan>,
    /// VPCs whose DNS attributes were left unread because their private-DNS remedies cannot be
    /// sent before the deadline: those remedies are deferred, not attempted.
    pub dns_unread: BTreeSet<String>,
    /// VPCs whose plan needs their DNS attributes but whose attributes were not read (not
    /// worth reading before the deadline, a failed read, or refused by the pacing).
    pub dns_unchecked: u64,
    /// What the usage check measured (None: no usage check this run).
    pub usage: Option<UsageReport>,
}

impl<E: Ec2Inventory, N: NoticePort> Guard<E, N> {
    pub(super) async fn plan(
        &self,
        inventory: &mut RegionInventory,
        baselines: &RegionBaselines,
    ) -> Planned {
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
        let worth_reading = match self.settings.mode {
            // A report describes every remedy as apply would make it: all are read.
            Mode::Report => plans.iter().map(|p| p.needs_dns_attributes).collect(),
            Mode::Remediate => dns_reads_worth_making(
                &plans,
                |action| self.ec2.calls_left_before_deadline(action),
                self.settings.remediation_concurrency as u64,
            ),
        };
        let mut needing = Vec::new();
        let mut dns_unread = BTreeSet::new();
        for (plan, read) in plans.iter().zip(&worth_reading) {
            if *read {
                needing.push(plan.vpc_id.clone());
            } else if plan.needs_dns_attributes {
                dns_unread.insert(plan.vpc_id.clone());
            }
        }
        if !needing.is_empty() {
            self.fill_dns(inventory, &needing).await;
            for (index, plan) in plans.iter_mut().enumerate() {
                if plan.needs_dns_attributes && inventory.vpcs[index].dns.is_some() {
                    *plan = plan_one(inventory, index);
                }
            }
        }
        let dns_unchecked = plans
            .iter()
            .zip(&inventory.vpcs)
            .filter(|(plan, vpc)| plan.needs_dns_attributes && vpc.dns.is_none())
            .count() as u64;
        Planned {
            plans,
            dns_unread,
            dns_unchecked,
            usage: None,
        }
    }
}

/// Whether the plan creates an interface endpoint (a central endpoint might serve it instead).
fn creates_interface_endpoint(plan: &VpcPlan) -> bool {
    plan.findings
        .iter()
        .any(|f| matches!(f.remedy, Some(Remedy::CreateInterfaceEndpoint { .. })))
}

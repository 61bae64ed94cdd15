//! Per-VPC orchestration: derive the VPC's facts once, run every rule family, and put the
//! findings in the order their remedies must run (DNS attributes, security group, endpoints,
//! duplicates last), each priced.

use std::collections::BTreeMap;

use super::context::{ServicePlanInput, VpcContext};
use super::cost::{cost_decision, remedy_monthly_cost};
use super::dns::{can_request_private_dns, plan_vpc_dns};
use super::security_group::plan_guard_group;
use super::service::plan_service;
use super::{Finding, Remedy, VpcPlan, VpcStatus};
use crate::baseline::Baseline;
use crate::model::{RegionInventory, ServiceOffer, VpcInventory};

/// Knobs of the planner that come from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannerOptions {
    pub exempt_tag_key: String,
    /// Whether the guard may turn on `enableDnsSupport`/`enableDnsHostnames` itself.
    pub enable_vpc_dns: bool,
}

impl Default for PlannerOptions {
    fn default() -> Self {
        Self {
            exempt_tag_key: "vpce-guard:exempt".to_string(),
            enable_vpc_dns: true,
        }
    }
}

/// Plans every VPC of the inventory.
pub fn plan_region(
    inventory: &RegionInventory,
    baseline: &Baseline,
    options: &PlannerOptions,
) -> Vec<VpcPlan> {
    inventory
        .vpcs
        .iter()
        .map(|vpc| {
            plan_vpc(
                &inventory.account_id,
                vpc,
                &inventory.offers,
                baseline,
                options,
            )
        })
        .collect()
}

/// Whether the VPC carries the exemption tag (any value but `false`).
pub fn is_exempt(vpc: &VpcInventory, exempt_tag_key: &str) -> bool {
    vpc.vpc
        .tags
        .get(exempt_tag_key)
        .is_some_and(|value| !value.trim().eq_ignore_ascii_case("false"))
}

/// Plans one VPC.
pub fn plan_vpc(
    account_id: &str,
    inv: &VpcInventory,
    offers: &BTreeMap<String, ServiceOffer>,
    baseline: &Baseline,
    options: &PlannerOptions,
) -> VpcPlan {
    let vpc_id = inv.vpc.id.clone();
    if is_exempt(inv, &options.exempt_tag_key) {
        return VpcPlan {
            vpc_id,
            status: VpcStatus::Exempt,
            findings: Vec::new(),
            cost_decisions: Vec::new(),
            needs_dns_attributes: false,
        };
    }
    let ctx = VpcContext::new(inv);
    let (security, interface_group) = plan_guard_group(inv);
    let can_request_private_dns = can_request_private_dns(inv.dns, options.enable_vpc_dns);
    let cost_decision = cost_decision(&ctx, baseline);

    let mut endpoints = Vec::new();
    let mut duplicates = Vec::new();
    for spec in &baseline.services {
        let service = ServicePlanInput {
            account_id,
            spec,
            offer: offers.get(&spec.service_name),
            interface_group,
            can_request_private_dns,
            skip_interface_creation: cost_decision.is_some(),
        };
        let (main, dups) = plan_service(&ctx, &service);
        endpoints.extend(main);
        duplicates.extend(dups);
    }

    // The order remedies must run in: DNS attributes before private DNS needs them, the group
    // before endpoints use it, duplicates deleted only once every other change is made.
    let mut findings: Vec<Finding> = plan_vpc_dns(&ctx, baseline, options.enable_vpc_dns)
        .into_iter()
        .collect();
    findings.extend(security);
    findings.extend(endpoints);
    findings.extend(duplicates);

    for finding in &mut findings {
        if let Some(remedy) = &finding.remedy {
            finding.monthly_cost_usd = remedy_monthly_cost(remedy, &baseline.pricing, inv);
        }
    }
    let needs_dns_attributes = inv.dns.is_none()
        && findings
            .iter()
            .any(|f| f.remedy.as_ref().is_some_and(Remedy::needs_vpc_dns));
    VpcPlan {
        status: if findings.is_empty() {
            VpcStatus::Compliant
        } else {
            VpcStatus::Drifted
        },
        vpc_id,
        findings,
        cost_decisions: cost_decision.into_iter().collect(),
        needs_dns_attributes,
    }
}

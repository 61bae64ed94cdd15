//! Per-VPC orchestration: derive the VPC's facts once, run every rule family, and put the
//! findings in the order their remedies must run (DNS attributes, security group, endpoints,
//! duplicates last), each priced.

use std::collections::BTreeMap;

use super::context::{ServicePlanInput, VpcContext};
use super::cost::{cost_decision, nat_traffic_report, remedy_monthly_cost};
use super::dns::{can_request_private_dns, plan_vpc_dns};
use super::prune_hold::PruneHold;
use super::release_tag::ReleaseTag;
use super::security_group::plan_guard_group;
use super::service::plan_service;
use super::{Drift, Finding, Remedy, VpcPlan, VpcStatus};
use crate::baseline::{Baseline, EndpointType, InterfacePolicy};
use crate::model::{RegionInventory, ServiceOffer, VpcInventory, RELEASED_TAG_KEY};

/// Knobs of the planner that come from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannerOptions {
    pub exempt_tag_key: String,
    /// Whether the guard may turn on `enableDnsSupport`/`enableDnsHostnames` itself.
    pub enable_vpc_dns: bool,
    /// The time of the run (seconds since the epoch): a release holds until `now` passes it.
    pub now: i64,
    /// How long a release holds (`RELEASE_HOLD_HOURS`).
    pub release_hold_seconds: i64,
    /// Whether the guard extends endpoints it did not create (adds route tables or subnets);
    /// otherwise their gaps are reported (`REPAIR_UNMANAGED_ENDPOINTS`).
    pub repair_unmanaged_endpoints: bool,
}

impl Default for PlannerOptions {
    fn default() -> Self {
        Self {
            exempt_tag_key: "vpce-guard:exempt".to_string(),
            enable_vpc_dns: true,
            now: 0,
            release_hold_seconds: 24 * 3600,
            repair_unmanaged_endpoints: true,
        }
    }
}

impl PlannerOptions {
    /// Whether `tags` carry a release that still holds (see [`RELEASED_TAG_KEY`] and
    /// [`ReleaseTag`]). A release tag that is not a time holds forever: someone wrote it by hand
    /// to keep the guard out, and the guard reads it the safe way.
    pub fn is_held(&self, tags: &BTreeMap<String, String>) -> bool {
        tags.get(RELEASED_TAG_KEY).is_some_and(|value| {
            ReleaseTag::parse(value).holds_at(self.now, self.release_hold_seconds)
        })
    }
}

/// Whether the VPC belongs to another account (a VPC shared with this one through AWS RAM):
/// its owner's run guards it; here nothing can be created or even seen.
pub fn is_not_owned(vpc: &VpcInventory, account_id: &str) -> bool {
    vpc.vpc
        .owner_id
        .as_deref()
        .is_some_and(|owner| !owner.is_empty() && owner != account_id)
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
    if let Some(status) = skipped_status(account_id, inv, options) {
        return VpcPlan {
            vpc_id,
            status,
            findings: Vec::new(),
            cost_decisions: Vec::new(),
            needs_dns_attributes: false,
            nat_traffic: None,
            profile: None,
        };
    }
    let ctx = VpcContext::new(inv, options);
    let (security, interface_group) = plan_guard_group(inv);
    let can_request_private_dns = can_request_private_dns(inv.dns, options.enable_vpc_dns);
    let cost_decision = cost_decision(&ctx, baseline);
    let holds = prune_holds(&ctx, baseline);

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
            prune_hold: holds.get(spec.service_name.as_str()),
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
        // Services served by central endpoints are reported, not drift.
        status: if findings.iter().all(|f| f.served_centrally) {
            VpcStatus::Compliant
        } else {
            VpcStatus::Drifted
        },
        vpc_id,
        findings,
        cost_decisions: cost_decision.into_iter().collect(),
        needs_dns_attributes,
        nat_traffic: nat_traffic_report(&ctx, baseline),
        profile: None,
    }
}

/// The prune holds of the VPC's interface services (see [`PruneHold`]). Under
/// `interface_endpoints: when_cost_effective` a VPC whose NAT traffic now passes the interface
/// break-even gets its services back: the holds are ignored.
fn prune_holds<'b>(ctx: &VpcContext<'_>, baseline: &'b Baseline) -> BTreeMap<&'b str, PruneHold> {
    let pays_again = baseline.interface_endpoints == InterfacePolicy::WhenCostEffective
        && nat_traffic_report(ctx, baseline).is_some_and(|r| r.projected_monthly_saving_usd > 0.0);
    if pays_again {
        return BTreeMap::new();
    }
    baseline
        .services
        .iter()
        .filter(|s| s.endpoint_type == EndpointType::Interface)
        .filter_map(|s| {
            PruneHold::of(&ctx.inv.vpc.tags, &s.service_name)
                .map(|hold| (s.service_name.as_str(), hold))
        })
        .collect()
}

/// Whether the VPC is skipped whatever its baseline: owned by another account, exempt, or held
/// after a release.
fn skipped_status(
    account_id: &str,
    inv: &VpcInventory,
    options: &PlannerOptions,
) -> Option<VpcStatus> {
    if is_not_owned(inv, account_id) {
        Some(VpcStatus::NotOwned)
    } else if is_exempt(inv, &options.exempt_tag_key) {
        Some(VpcStatus::Exempt)
    } else if options.is_held(&inv.vpc.tags) {
        Some(VpcStatus::Released)
    } else {
        None
    }
}

/// The plan of a VPC whose profile cannot be used (`reason`): one `unknown_profile` finding,
/// nothing changed. Skipped VPCs stay skipped.
pub fn plan_vpc_without_profile(
    account_id: &str,
    inv: &VpcInventory,
    options: &PlannerOptions,
    profile: &str,
    reason: &str,
) -> VpcPlan {
    let skipped = skipped_status(account_id, inv, options);
    VpcPlan {
        vpc_id: inv.vpc.id.clone(),
        status: skipped.unwrap_or(VpcStatus::Drifted),
        findings: match skipped {
            Some(_) => Vec::new(),
            None => vec![Finding::report(
                None,
                Drift::UnknownProfile,
                vec![inv.vpc.id.clone()],
                format!("{reason}; nothing is changed in this VPC until profile `{profile}` can be used"),
            )],
        },
        cost_decisions: Vec::new(),
        needs_dns_attributes: false,
        nat_traffic: None,
        profile: None,
    }
}

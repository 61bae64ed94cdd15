//! Per-VPC orchestration: status, exemption by tag, every VPC of a region.

use super::*;

#[test]
fn compliant_vpc_has_no_findings() {
    let p = plan(&compliant_vpc());
    assert_eq!(p.status, VpcStatus::Compliant, "{:?}", p.findings);
    assert!(p.findings.is_empty());
    assert!(!p.needs_dns_attributes);
}

#[test]
fn exempt_vpcs_are_skipped_unless_the_tag_says_false() {
    let mut inv = two_az_vpc();
    inv.vpc
        .tags
        .insert("vpce-guard:exempt".into(), "true".into());
    let p = plan(&inv);
    assert_eq!(p.status, VpcStatus::Exempt);
    assert!(p.findings.is_empty());
    inv.vpc
        .tags
        .insert("vpce-guard:exempt".into(), "False".into());
    assert_eq!(plan(&inv).status, VpcStatus::Drifted);
    inv.vpc.tags.clear();
    inv.vpc.tags.insert("team-exempt".into(), "".into());
    let options = PlannerOptions {
        exempt_tag_key: "team-exempt".into(),
        ..PlannerOptions::default()
    };
    assert_eq!(
        Planning::new().options(options).plan(&inv).status,
        VpcStatus::Exempt
    );
}

#[test]
fn plan_region_plans_every_vpc() {
    let mut other = compliant_vpc();
    other.vpc.id = "vpc-2".into();
    let inventory = RegionInventory {
        account_id: ACCOUNT.into(),
        region: REGION.into(),
        vpcs: vec![two_az_vpc(), other],
        offers: offers(),
    };
    let plans = plan_region(&inventory, &baseline(), &PlannerOptions::default());
    assert_eq!(
        plans.iter().map(|p| p.status).collect::<Vec<_>>(),
        vec![VpcStatus::Drifted, VpcStatus::Compliant]
    );
}

#[test]
fn managed_tag_constant_matches_the_documented_key() {
    assert_eq!(MANAGED_TAG_KEY, "vpce-guard:managed");
}

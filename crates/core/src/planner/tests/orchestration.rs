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

#[test]
fn a_vpc_without_a_usable_profile_gets_one_unknown_profile_finding_and_no_remedy() {
    let inv = two_az_vpc();
    let plan = plan_vpc_without_profile(
        "123456789012",
        &inv,
        &PlannerOptions::default(),
        "eks",
        "the VPC tag vpce-guard:profile names profile `eks`, which GUARD_BASELINE does not define",
    );
    assert_eq!(plan.status, VpcStatus::Drifted);
    assert_eq!(plan.findings.len(), 1);
    assert_eq!(plan.findings[0].drift, Drift::UnknownProfile);
    assert!(plan.findings[0].remedy.is_none());
    assert!(plan.findings[0]
        .not_remediable
        .as_deref()
        .is_some_and(|r| r.contains("eks")));

    let mut exempt = two_az_vpc();
    exempt
        .vpc
        .tags
        .insert("vpce-guard:exempt".into(), "true".into());
    let plan = plan_vpc_without_profile(
        "123456789012",
        &exempt,
        &PlannerOptions::default(),
        "eks",
        "unknown",
    );
    assert_eq!(plan.status, VpcStatus::Exempt);
    assert!(plan.findings.is_empty());
}

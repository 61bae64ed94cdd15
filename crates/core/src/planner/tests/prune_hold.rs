//! The prune hold: a service (or AZ) the guard pruned for lack of use is not created again while
//! the VPC's tag holds it, and comes back when the tag goes or when NAT traffic passes the
//! interface break-even under `when_cost_effective`.

use super::*;

fn hold(inv: &mut VpcInventory, short: &str, value: &str) {
    inv.vpc
        .tags
        .insert(PruneHold::tag_key(&svc(short)), value.into());
}

fn creates(plan: &VpcPlan, short: &str) -> bool {
    plan.findings.iter().any(|f| {
        f.service.as_deref() == Some(svc(short).as_str())
            && matches!(f.remedy, Some(Remedy::CreateInterfaceEndpoint { .. }))
    })
}

#[test]
fn a_held_service_is_not_created_and_the_others_are() {
    let mut inv = two_az_vpc();
    hold(&mut inv, "logs", "endpoint");
    let p = plan(&inv);
    assert!(!creates(&p, "logs"), "the pruned service stays out");
    assert!(creates(&p, "ecr.api") && creates(&p, "ecr.dkr"));
    assert!(
        p.findings
            .iter()
            .all(|f| f.service.as_deref() != Some(svc("logs").as_str())),
        "not even reported: it is out of the VPC's baseline"
    );
    // Removing the tag brings it back.
    inv.vpc.tags.clear();
    assert!(creates(&plan(&inv), "logs"));
}

#[test]
fn a_held_az_gets_no_subnet_on_creation_or_repair() {
    let mut inv = two_az_vpc();
    hold(&mut inv, "logs", "us-east-1b");
    let p = plan(&inv);
    let logs = p
        .findings
        .iter()
        .find(|f| f.service.as_deref() == Some(svc("logs").as_str()))
        .unwrap();
    match &logs.remedy {
        Some(Remedy::CreateInterfaceEndpoint { subnet_ids, .. }) => {
            assert_eq!(subnet_ids, &vec!["subnet-priv-a".to_string()])
        }
        other => panic!("expected a creation, got {other:?}"),
    }
    // The guard's endpoint that lost AZ b to a prune is not extended back into it.
    let mut inv = compliant_vpc();
    inv.endpoints[4].subnet_ids = vec!["subnet-priv-a".into()];
    assert!(drifts(&plan(&inv)).contains(&(Some(svc("logs")), Drift::AzNotCovered)));
    hold(&mut inv, "logs", "us-east-1b");
    assert!(!drifts(&plan(&inv)).contains(&(Some(svc("logs")), Drift::AzNotCovered)));
    // Every AZ held: nothing to create, and nothing misreported as "no private subnet".
    let mut inv = two_az_vpc();
    hold(&mut inv, "logs", "us-east-1a us-east-1b");
    assert!(plan(&inv)
        .findings
        .iter()
        .all(|f| f.service.as_deref() != Some(svc("logs").as_str())));
}

#[test]
fn nat_traffic_past_the_break_even_lifts_the_hold_under_when_cost_effective() {
    let mut doc = BaselineDocument::standard();
    doc.interface_endpoints = InterfacePolicy::WhenCostEffective;
    let baseline = doc.resolve(REGION);
    let mut inv = two_az_vpc();
    hold(&mut inv, "logs", "endpoint");
    inv.vpc
        .tags
        .insert("vpce-guard:nat-gb-per-month".into(), "5000".into());
    let p = Planning::new().baseline(baseline.clone()).plan(&inv);
    assert!(
        creates(&p, "logs"),
        "5,000 GB a month pays for the endpoints again"
    );
    // Below the break-even the hold stands (and the cost decision skips the rest anyway).
    inv.vpc
        .tags
        .insert("vpce-guard:nat-gb-per-month".into(), "10".into());
    let p = Planning::new().baseline(baseline).plan(&inv);
    assert!(!creates(&p, "logs"));
    // Under `always`, traffic does not lift a hold: only removing the tag does.
    let mut inv = two_az_vpc();
    hold(&mut inv, "logs", "endpoint");
    inv.vpc
        .tags
        .insert("vpce-guard:nat-gb-per-month".into(), "5000".into());
    assert!(!creates(&plan(&inv), "logs"));
}

#[test]
fn gateway_services_are_never_held() {
    let mut inv = two_az_vpc();
    hold(&mut inv, "s3", "endpoint");
    let p = plan(&inv);
    assert!(p
        .findings
        .iter()
        .any(|f| f.service.as_deref() == Some(svc("s3").as_str())
            && matches!(f.remedy, Some(Remedy::CreateGatewayEndpoint { .. }))));
}

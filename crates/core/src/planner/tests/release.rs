//! Shared VPCs, released VPCs and subnets, and what a release gives back.

use super::*;
use crate::model::RELEASED_TAG_KEY;
use crate::resource_id::{EndpointId, SubnetId};

/// 2026-12-02T10:00:00Z.
const RELEASED_AT: i64 = 1_796_205_600;

fn at(now: i64) -> PlannerOptions {
    PlannerOptions {
        now,
        ..PlannerOptions::default()
    }
}

#[test]
fn a_vpc_shared_by_another_account_is_never_planned() {
    let mut inv = two_az_vpc();
    inv.vpc.owner_id = Some("999999999999".into());
    let p = plan(&inv);
    assert_eq!(p.status, VpcStatus::NotOwned);
    assert!(p.findings.is_empty());
    assert!(!p.needs_dns_attributes);
    // Its own account's VPC (or one EC2 gave no owner for) is planned as ever.
    inv.vpc.owner_id = Some(ACCOUNT.into());
    assert_eq!(plan(&inv).status, VpcStatus::Drifted);
    inv.vpc.owner_id = None;
    assert_eq!(plan(&inv).status, VpcStatus::Drifted);
}

#[test]
fn a_released_vpc_is_left_alone_until_the_hold_ends() {
    let mut inv = two_az_vpc();
    inv.vpc
        .tags
        .insert(RELEASED_TAG_KEY.into(), "2026-12-02T10:00:00Z".into());
    let during = Planning::new().options(at(RELEASED_AT + 3600)).plan(&inv);
    assert_eq!(during.status, VpcStatus::Released);
    assert!(during.findings.is_empty());
    let after = Planning::new()
        .options(at(RELEASED_AT + 24 * 3600))
        .plan(&inv);
    assert_eq!(after.status, VpcStatus::Drifted, "guarded again after 24 h");
    // A value that is not a time was written by a person to keep the guard out: it holds.
    inv.vpc
        .tags
        .insert(RELEASED_TAG_KEY.into(), "until-decommissioned".into());
    let forever = Planning::new().options(at(i64::MAX / 2)).plan(&inv);
    assert_eq!(forever.status, VpcStatus::Released);
}

#[test]
fn a_held_subnet_gets_no_endpoint_and_its_az_falls_to_the_next_private_subnet() {
    let mut inv = two_az_vpc();
    add_private_subnet(&mut inv, "subnet-priv-a2", "us-east-1a");
    inv.subnets
        .iter_mut()
        .find(|s| s.id == "subnet-priv-a")
        .unwrap()
        .tags
        .insert(RELEASED_TAG_KEY.into(), "2026-12-02T10:00:00Z".into());
    let p = Planning::new().options(at(RELEASED_AT + 60)).plan(&inv);
    let placed: Vec<&Vec<SubnetId>> = p
        .findings
        .iter()
        .filter_map(|f| match &f.remedy {
            Some(Remedy::CreateInterfaceEndpoint { subnet_ids, .. }) => Some(subnet_ids),
            _ => None,
        })
        .collect();
    assert_eq!(placed.len(), 3);
    for subnets in placed {
        assert_eq!(
            SubnetId::strings(subnets),
            ["subnet-priv-a2", "subnet-priv-b"]
        );
    }
}

#[test]
fn a_vpc_release_gives_back_only_what_the_guard_created_interfaces_first() {
    let mut inv = compliant_vpc();
    let mut theirs = endpoint("vpce-theirs", "sts", EndpointType::Interface);
    theirs.managed = false;
    inv.endpoints.push(theirs);
    let mut deleting = endpoint("vpce-old", "logs", EndpointType::Interface);
    deleting.state = EndpointState::Gone("deleting".into());
    inv.endpoints.push(deleting);

    let release = plan_vpc_release(&inv);
    assert_eq!(
        release.interface_endpoints,
        ["vpce-i0", "vpce-i1", "vpce-i2"]
    );
    assert_eq!(release.gateway_endpoints, ["vpce-g0", "vpce-g1"]);
    assert_eq!(release.security_group.as_deref(), Some("sg-guard"));
    assert_eq!(release.blockers, ["vpce-theirs"]);
    let order: Vec<Vec<EndpointId>> = release
        .endpoint_deletions()
        .into_iter()
        .map(|r| match r {
            Remedy::DeleteEndpoints { endpoint_ids, .. } => endpoint_ids,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(order[0], EndpointId::all(&release.interface_endpoints));
    assert_eq!(order[1], EndpointId::all(&release.gateway_endpoints));

    let nothing = plan_vpc_release(&two_az_vpc());
    assert!(nothing.is_empty() && nothing.endpoint_deletions().is_empty());
}

#[test]
fn a_subnet_release_moves_endpoints_within_the_az_or_deletes_a_lone_one() {
    let mut inv = compliant_vpc();
    add_private_subnet(&mut inv, "subnet-priv-a2", "us-east-1a");
    let mut theirs = endpoint("vpce-theirs", "sts", EndpointType::Interface);
    theirs.managed = false;
    theirs.subnet_ids = vec!["subnet-priv-a".into()];
    inv.endpoints.push(theirs);

    let release = plan_subnet_release(&inv, "subnet-priv-a", &PlannerOptions::default());
    assert_eq!(release.vpc_id, VPC);
    assert_eq!(release.blockers, ["vpce-theirs"]);
    assert_eq!(release.moves.len(), 3);
    for step in &release.moves {
        assert_eq!(
            step.remedy,
            Remedy::MoveOutOfSubnet {
                endpoint_id: step.endpoint_id.clone().into(),
                subnet_id: "subnet-priv-a".into(),
                replacement_subnet_id: Some("subnet-priv-a2".into()),
            }
        );
    }

    // No other private subnet in the AZ: out of the subnet, or deleted when it was the only one.
    let mut lone = compliant_vpc();
    lone.endpoints[2].subnet_ids = vec!["subnet-priv-a".into()];
    let release = plan_subnet_release(&lone, "subnet-priv-a", &PlannerOptions::default());
    let by_id: BTreeMap<&str, &Remedy> = release
        .moves
        .iter()
        .map(|m| (m.endpoint_id.as_str(), &m.remedy))
        .collect();
    assert!(
        matches!(by_id["vpce-i0"], Remedy::DeleteEndpoints { endpoint_ids, .. } if endpoint_ids == &["vpce-i0"])
    );
    assert_eq!(
        by_id["vpce-i1"],
        &Remedy::MoveOutOfSubnet {
            endpoint_id: "vpce-i1".into(),
            subnet_id: "subnet-priv-a".into(),
            replacement_subnet_id: None,
        }
    );
}

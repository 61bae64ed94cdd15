//! Missing endpoints: what is created where, and when creation is reported instead.

use super::*;

#[test]
fn new_vpc_with_only_its_main_table_gets_gateways_on_the_main_table_and_no_interfaces() {
    let inv = VpcInventory {
        vpc: Vpc {
            id: VPC.into(),
            cidr_blocks: vec!["10.9.0.0/16".into()],
            ..Vpc::default()
        },
        route_tables: vec![RouteTable {
            id: "rtb-main".into(),
            vpc_id: VPC.into(),
            is_main: true,
            subnet_ids: vec![],
            routes: vec![Route {
                destination: "10.9.0.0/16".into(),
                target: "local".into(),
            }],
        }],
        ..VpcInventory::default()
    };
    let p = plan(&inv);
    assert_eq!(
        drifts(&p),
        vec![
            (Some(svc("s3")), Drift::MissingEndpoint),
            (Some(svc("dynamodb")), Drift::MissingEndpoint)
        ]
    );
    for finding in &p.findings {
        match finding.remedy.as_ref().unwrap() {
            Remedy::CreateGatewayEndpoint {
                route_table_ids,
                client_token,
                ..
            } => {
                assert_eq!(route_table_ids, &vec!["rtb-main".to_string()]);
                assert!(client_token.starts_with("vpce-guard-"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        !p.needs_dns_attributes,
        "no interface endpoint yet, so no DNS reads"
    );
}

#[test]
fn missing_everything_is_planned_gateways_first_s3_first_one_private_subnet_per_az() {
    let p = plan(&two_az_vpc());
    let order: Vec<String> = p
        .findings
        .iter()
        .map(|f| f.service.clone().unwrap())
        .collect();
    assert_eq!(
        order,
        ["s3", "dynamodb", "ecr.api", "ecr.dkr", "logs"].map(svc)
    );
    match p.findings[0].remedy.as_ref().unwrap() {
        Remedy::CreateGatewayEndpoint {
            route_table_ids, ..
        } => {
            assert_eq!(
                route_table_ids,
                &vec!["rtb-priv-a".to_string(), "rtb-priv-b".to_string()],
                "public main table excluded"
            )
        }
        other => panic!("unexpected {other:?}"),
    }
    match p.findings[2].remedy.as_ref().unwrap() {
        Remedy::CreateInterfaceEndpoint {
            subnet_ids,
            security_group,
            private_dns,
            ..
        } => {
            assert_eq!(
                subnet_ids,
                &vec!["subnet-priv-a".to_string(), "subnet-priv-b".to_string()]
            );
            assert_eq!(
                security_group,
                &SecurityGroupRef::CreateGuardManaged {
                    cidrs: vec!["10.0.0.0/16".into()]
                }
            );
            assert!(*private_dns);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        p.needs_dns_attributes,
        "private DNS creates need the VPC attributes"
    );
}

#[test]
fn subnet_choice_is_deterministic_and_skips_unsupported_azs() {
    let mut inv = two_az_vpc();
    add_private_subnet(&mut inv, "subnet-priv-a0", "us-east-1a");
    add_private_subnet(&mut inv, "subnet-priv-z", "us-east-1z");
    let p = plan(&inv);
    let mut reversed = inv.clone();
    reversed.subnets.reverse();
    assert_eq!(p, plan(&reversed), "input order must not change the plan");
    match p.findings[2].remedy.as_ref().unwrap() {
        Remedy::CreateInterfaceEndpoint { subnet_ids, .. } => {
            assert_eq!(
                subnet_ids,
                &vec!["subnet-priv-a".to_string(), "subnet-priv-b".to_string()]
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn subnet_without_explicit_association_follows_the_main_table() {
    let mut inv = two_az_vpc();
    // Make the main table private and move private-b to it implicitly.
    inv.route_tables[0] = table("rtb-main", true, &["subnet-pub-a", "subnet-pub-b"], false);
    inv.route_tables[0].subnet_ids.clear();
    inv.route_tables.retain(|t| t.id != "rtb-priv-b");
    inv.subnets.retain(|s| !s.id.starts_with("subnet-pub"));
    let p = plan(&inv);
    match p.findings[2].remedy.as_ref().unwrap() {
        Remedy::CreateInterfaceEndpoint { subnet_ids, .. } => {
            assert_eq!(
                subnet_ids,
                &vec!["subnet-priv-a".to_string(), "subnet-priv-b".to_string()]
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn vpc_with_only_public_subnets_gets_no_interface_endpoints() {
    let mut inv = two_az_vpc();
    inv.subnets.retain(|s| s.id.starts_with("subnet-pub"));
    inv.route_tables.truncate(1);
    let p = plan(&inv);
    assert!(p.findings.iter().all(|f| f
        .remedy
        .as_ref()
        .is_some_and(|r| matches!(r, Remedy::CreateGatewayEndpoint { .. }))));
}

#[test]
fn endpoint_deleted_by_hand_is_recreated_with_a_token_that_differs_from_the_first() {
    let first_token = match &plan(&two_az_vpc()).findings[2].remedy {
        Some(Remedy::CreateInterfaceEndpoint { client_token, .. }) => client_token.clone(),
        other => panic!("unexpected {other:?}"),
    };
    let mut inv = compliant_vpc();
    let logs = inv
        .endpoints
        .iter_mut()
        .find(|e| e.service_name == svc("ecr.api"))
        .unwrap();
    logs.state = EndpointState::Gone("deleted".into());
    let p = plan(&inv);
    assert_eq!(
        drifts(&p),
        vec![(Some(svc("ecr.api")), Drift::MissingEndpoint)]
    );
    match p.findings[0].remedy.as_ref().unwrap() {
        Remedy::CreateInterfaceEndpoint {
            client_token,
            security_group,
            ..
        } => {
            assert_ne!(client_token, &first_token);
            assert_eq!(
                security_group,
                &SecurityGroupRef::Existing("sg-guard".into())
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn service_not_offered_in_region_is_reported_not_created() {
    let mut offers = offers();
    offers.remove(&svc("logs"));
    let p = Planning::new().offers(offers).plan(&two_az_vpc());
    let logs = p
        .findings
        .iter()
        .find(|f| f.service.as_deref() == Some(&svc("logs")))
        .unwrap();
    assert!(logs.remedy.is_none());
    assert!(logs
        .not_remediable
        .as_deref()
        .unwrap()
        .contains("not offered"));
}

#[test]
fn no_private_subnet_in_a_supported_az_is_reported() {
    let mut offers = offers();
    offers.get_mut(&svc("logs")).unwrap().availability_zones =
        ["us-east-1c".to_string()].into_iter().collect();
    let p = Planning::new().offers(offers).plan(&two_az_vpc());
    let logs = p
        .findings
        .iter()
        .find(|f| f.service.as_deref() == Some(&svc("logs")))
        .unwrap();
    assert!(logs
        .not_remediable
        .as_deref()
        .unwrap()
        .contains("us-east-1c"));
}

#[test]
fn a_service_a_central_endpoint_serves_gets_no_local_endpoint() {
    let mut offers = offers();
    if let Some(logs) = offers.get_mut(&svc("logs")) {
        logs.private_dns_names = vec!["logs.us-east-1.amazonaws.com".into()];
    }
    if let Some(api) = offers.get_mut(&svc("ecr.api")) {
        api.private_dns_names = vec!["api.ecr.us-east-1.amazonaws.com".into()];
    }
    let mut inv = two_az_vpc();
    inv.central_dns_zones = Some(
        [
            "logs.us-east-1.amazonaws.com".to_string(),
            "example.internal".to_string(),
        ]
        .into(),
    );
    let p = Planning::new().offers(offers.clone()).plan(&inv);
    let logs = p
        .findings
        .iter()
        .find(|f| f.service.as_deref() == Some(svc("logs").as_str()))
        .expect("a logs finding");
    assert!(logs.served_centrally && logs.remedy.is_none());
    assert!(logs
        .not_remediable
        .as_deref()
        .is_some_and(|r| r.contains("logs.us-east-1.amazonaws.com")));
    assert_eq!(
        p.findings.iter().filter(|f| f.remedy.is_some()).count(),
        4,
        "the other four are created"
    );
    assert_eq!(p.status, VpcStatus::Drifted);

    // A VPC whose only gap is served centrally is compliant.
    let mut served = compliant_vpc();
    served.endpoints.retain(|e| e.service_name != svc("logs"));
    served.central_dns_zones = inv.central_dns_zones.clone();
    let p = Planning::new().offers(offers.clone()).plan(&served);
    assert_eq!(p.status, VpcStatus::Compliant);
    assert_eq!(p.findings.len(), 1);
    // Not read (detection off): the endpoint is created as before.
    served.central_dns_zones = None;
    let p = Planning::new().offers(offers).plan(&served);
    assert_eq!(p.status, VpcStatus::Drifted);
    assert!(p.findings[0].remedy.is_some());
}

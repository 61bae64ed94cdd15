//! Planner unit tests on hand-built inventories: one per rule and drift code.

use super::*;
use crate::baseline::{BaselineDocument, InterfacePolicy};
use crate::model::{Route, RouteTable, Subnet, Vpc, MANAGED_TAG_KEY};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
const VPC: &str = "vpc-1";

fn svc(short: &str) -> String {
    format!("com.amazonaws.{REGION}.{short}")
}

fn baseline() -> Baseline {
    BaselineDocument::standard().resolve(REGION)
}

fn offers() -> BTreeMap<String, ServiceOffer> {
    let azs: BTreeSet<String> = ["us-east-1a", "us-east-1b", "us-east-1c"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut out = BTreeMap::new();
    for (short, kinds) in [
        ("s3", vec![EndpointType::Gateway, EndpointType::Interface]),
        ("dynamodb", vec![EndpointType::Gateway]),
        ("ecr.api", vec![EndpointType::Interface]),
        ("ecr.dkr", vec![EndpointType::Interface]),
        ("logs", vec![EndpointType::Interface]),
    ] {
        out.insert(
            svc(short),
            ServiceOffer {
                service_name: svc(short),
                types: kinds.into_iter().collect(),
                availability_zones: azs.clone(),
            },
        );
    }
    out
}

fn table(id: &str, main: bool, subnets: &[&str], public: bool) -> RouteTable {
    let mut routes = vec![Route {
        destination: "10.0.0.0/16".into(),
        target: "local".into(),
    }];
    if public {
        routes.push(Route {
            destination: "0.0.0.0/0".into(),
            target: "igw-1".into(),
        });
    } else {
        routes.push(Route {
            destination: "0.0.0.0/0".into(),
            target: "nat-1".into(),
        });
    }
    RouteTable {
        id: id.into(),
        vpc_id: VPC.into(),
        is_main: main,
        subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
        routes,
    }
}

fn subnet(id: &str, az: &str) -> Subnet {
    Subnet {
        id: id.into(),
        vpc_id: VPC.into(),
        availability_zone: az.into(),
    }
}

fn endpoint(id: &str, short: &str, kind: EndpointType) -> Endpoint {
    Endpoint {
        id: id.into(),
        vpc_id: VPC.into(),
        service_name: svc(short),
        endpoint_type: Some(kind),
        state: EndpointState::Live("available".into()),
        route_table_ids: vec![],
        subnet_ids: vec![],
        security_group_ids: vec!["sg-guard".into()],
        private_dns_enabled: kind == EndpointType::Interface,
        policy: None,
        created_at: Some(100),
        managed: true,
    }
}

fn guard_group(cidrs: &[&str]) -> SecurityGroup {
    SecurityGroup {
        id: "sg-guard".into(),
        vpc_id: VPC.into(),
        name: GUARD_SECURITY_GROUP_NAME.into(),
        managed: true,
        ingress: cidrs.iter().map(|c| IngressRule::https_from(c)).collect(),
    }
}

/// Two AZs, a public and a private subnet in each, one private route table per AZ (main is public).
fn two_az_vpc() -> VpcInventory {
    VpcInventory {
        vpc: Vpc {
            id: VPC.into(),
            cidr_blocks: vec!["10.0.0.0/16".into()],
            tags: BTreeMap::new(),
            is_default: false,
        },
        subnets: vec![
            subnet("subnet-pub-a", "us-east-1a"),
            subnet("subnet-pub-b", "us-east-1b"),
            subnet("subnet-priv-a", "us-east-1a"),
            subnet("subnet-priv-b", "us-east-1b"),
        ],
        route_tables: vec![
            table("rtb-main", true, &["subnet-pub-a", "subnet-pub-b"], true),
            table("rtb-priv-a", false, &["subnet-priv-a"], false),
            table("rtb-priv-b", false, &["subnet-priv-b"], false),
        ],
        endpoints: vec![],
        security_groups: vec![],
        dns: None,
    }
}

/// The same VPC with the full baseline in place.
fn compliant_vpc() -> VpcInventory {
    let mut inv = two_az_vpc();
    for (i, short) in ["s3", "dynamodb"].iter().enumerate() {
        let mut e = endpoint(&format!("vpce-g{i}"), short, EndpointType::Gateway);
        e.route_table_ids = vec!["rtb-priv-a".into(), "rtb-priv-b".into()];
        e.security_group_ids.clear();
        inv.endpoints.push(e);
    }
    for (i, short) in ["ecr.api", "ecr.dkr", "logs"].iter().enumerate() {
        let mut e = endpoint(&format!("vpce-i{i}"), short, EndpointType::Interface);
        e.subnet_ids = vec!["subnet-priv-a".into(), "subnet-priv-b".into()];
        inv.endpoints.push(e);
    }
    inv.security_groups.push(guard_group(&["10.0.0.0/16"]));
    inv
}

fn plan(inv: &VpcInventory) -> VpcPlan {
    plan_vpc(
        ACCOUNT,
        inv,
        &offers(),
        &baseline(),
        &PlannerOptions::default(),
    )
}

fn drifts(plan: &VpcPlan) -> Vec<(Option<String>, Drift)> {
    plan.findings
        .iter()
        .map(|f| (f.service.clone(), f.drift))
        .collect()
}

#[test]
fn compliant_vpc_has_no_findings() {
    let p = plan(&compliant_vpc());
    assert_eq!(p.status, VpcStatus::Compliant, "{:?}", p.findings);
    assert!(p.findings.is_empty());
    assert!(!p.needs_dns_attributes);
}

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
    inv.subnets.push(subnet("subnet-priv-a0", "us-east-1a"));
    inv.subnets.push(subnet("subnet-priv-z", "us-east-1z"));
    inv.route_tables[1].subnet_ids.push("subnet-priv-a0".into());
    inv.route_tables[1].subnet_ids.push("subnet-priv-z".into());
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
fn route_table_not_associated_adds_only_the_missing_table_to_the_existing_endpoint() {
    let mut inv = compliant_vpc();
    inv.route_tables
        .push(table("rtb-priv-c", false, &[], false));
    let p = plan(&inv);
    assert_eq!(
        drifts(&p),
        vec![
            (Some(svc("s3")), Drift::RouteTableNotAssociated),
            (Some(svc("dynamodb")), Drift::RouteTableNotAssociated)
        ]
    );
    assert_eq!(
        p.findings[0].remedy,
        Some(Remedy::AddRouteTables {
            endpoint_id: "vpce-g0".into(),
            route_table_ids: vec!["rtb-priv-c".into()]
        })
    );
}

#[test]
fn public_route_tables_are_not_associated() {
    let mut inv = compliant_vpc();
    inv.route_tables.push(table("rtb-pub-2", false, &[], true));
    assert!(plan(&inv).findings.is_empty());
}

#[test]
fn az_not_covered_adds_a_subnet_in_the_new_az() {
    let mut inv = compliant_vpc();
    inv.subnets.push(subnet("subnet-priv-c", "us-east-1c"));
    inv.route_tables[1].subnet_ids.push("subnet-priv-c".into());
    let p = plan(&inv);
    assert_eq!(p.findings.len(), 3);
    for f in &p.findings {
        assert_eq!(f.drift, Drift::AzNotCovered);
        match f.remedy.as_ref().unwrap() {
            Remedy::AddSubnets { subnet_ids, .. } => {
                assert_eq!(subnet_ids, &vec!["subnet-priv-c".to_string()])
            }
            other => panic!("unexpected {other:?}"),
        }
    }
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
fn private_dns_disabled_is_fixed_on_guard_endpoints_and_reported_on_others() {
    let mut inv = compliant_vpc();
    inv.endpoints[2].private_dns_enabled = false;
    inv.endpoints[3].private_dns_enabled = false;
    inv.endpoints[3].managed = false;
    let p = plan(&inv);
    assert_eq!(p.findings.len(), 2);
    assert_eq!(
        p.findings[0].remedy,
        Some(Remedy::EnablePrivateDns {
            endpoint_id: "vpce-i0".into()
        })
    );
    assert!(p.findings[1].remedy.is_none());
    assert!(p.findings[1]
        .not_remediable
        .as_deref()
        .unwrap()
        .contains("not created by vpce-guard"));
    assert!(p.needs_dns_attributes);
}

#[test]
fn vpc_dns_attributes_disabled_is_fixed_before_anything_else() {
    let mut inv = two_az_vpc();
    inv.dns = Some(DnsAttributes {
        support: true,
        hostnames: false,
    });
    let p = plan(&inv);
    assert_eq!(p.findings[0].drift, Drift::VpcDnsAttributesDisabled);
    assert_eq!(
        p.findings[0].remedy,
        Some(Remedy::EnableVpcDns {
            support: false,
            hostnames: true
        })
    );
    assert!(!p.needs_dns_attributes);
    // With enabling forbidden: reported, and endpoints are created without private DNS.
    let options = PlannerOptions {
        enable_vpc_dns: false,
        ..PlannerOptions::default()
    };
    let p = plan_vpc(ACCOUNT, &inv, &offers(), &baseline(), &options);
    assert!(p.findings[0].remedy.is_none());
    assert!(p.findings.iter().any(|f| matches!(
        f.remedy,
        Some(Remedy::CreateInterfaceEndpoint {
            private_dns: false,
            ..
        })
    )));
}

#[test]
fn known_good_dns_attributes_add_nothing() {
    let mut inv = compliant_vpc();
    inv.dns = Some(DnsAttributes {
        support: true,
        hostnames: true,
    });
    assert!(plan(&inv).findings.is_empty());
    inv.dns = Some(DnsAttributes {
        support: false,
        hostnames: true,
    });
    assert_eq!(
        drifts(&plan(&inv)),
        vec![(None, Drift::VpcDnsAttributesDisabled)]
    );
}

#[test]
fn security_group_rules_follow_every_vpc_cidr_and_nothing_else() {
    let mut inv = compliant_vpc();
    inv.vpc.cidr_blocks.push("10.1.0.0/16".into());
    inv.security_groups[0].ingress.push(IngressRule {
        protocol: "tcp".into(),
        from_port: Some(22),
        to_port: Some(22),
        source: "cidr:0.0.0.0/0".into(),
    });
    let p = plan(&inv);
    assert_eq!(
        drifts(&p),
        vec![
            (None, Drift::SecurityGroupRuleMissing),
            (None, Drift::SecurityGroupRuleUnexpected)
        ]
    );
    assert_eq!(
        p.findings[0].remedy,
        Some(Remedy::AuthorizeHttpsIngress {
            group_id: "sg-guard".into(),
            cidrs: vec!["10.1.0.0/16".into()]
        })
    );
    match p.findings[1].remedy.as_ref().unwrap() {
        Remedy::RevokeIngress { rules, .. } => assert_eq!(rules[0].from_port, Some(22)),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn unmanaged_group_with_the_guard_name_is_never_touched_or_used() {
    let mut inv = two_az_vpc();
    let mut group = guard_group(&[]);
    group.managed = false;
    inv.security_groups.push(group);
    let p = plan(&inv);
    let interface: Vec<&Finding> = p
        .findings
        .iter()
        .filter(|f| f.service.as_deref() == Some(&svc("logs")))
        .collect();
    assert!(interface[0].remedy.is_none());
    assert!(interface[0]
        .not_remediable
        .as_deref()
        .unwrap()
        .contains("not tagged"));
    assert!(p
        .findings
        .iter()
        .all(|f| f.drift != Drift::SecurityGroupRuleMissing));
}

#[test]
fn broken_endpoints_are_reported_and_not_replaced() {
    let mut inv = compliant_vpc();
    inv.endpoints[4].state = EndpointState::Broken("failed".into());
    let p = plan(&inv);
    assert_eq!(
        drifts(&p),
        vec![(Some(svc("logs")), Drift::EndpointNotAvailable)]
    );
    assert!(p.findings[0].remedy.is_none());
}

#[test]
fn duplicates_keep_the_oldest_and_delete_only_guard_created_ones() {
    let mut inv = compliant_vpc();
    let mut newer_ours = inv.endpoints[2].clone();
    newer_ours.id = "vpce-dup-ours".into();
    newer_ours.created_at = Some(200);
    let mut newer_theirs = inv.endpoints[2].clone();
    newer_theirs.id = "vpce-dup-theirs".into();
    newer_theirs.created_at = Some(300);
    newer_theirs.managed = false;
    inv.endpoints.push(newer_theirs);
    inv.endpoints.push(newer_ours);
    let p = plan(&inv);
    assert_eq!(
        drifts(&p),
        vec![
            (Some(svc("ecr.api")), Drift::DuplicateEndpoint),
            (Some(svc("ecr.api")), Drift::DuplicateEndpoint)
        ]
    );
    assert_eq!(
        p.findings[0].remedy,
        Some(Remedy::DeleteEndpoints {
            endpoint_ids: vec!["vpce-dup-ours".into()],
            detach_route_tables: vec![],
        })
    );
    assert_eq!(p.findings[0].resource_ids[0], "vpce-i0", "oldest is kept");
    assert!(p.findings[1].remedy.is_none());
}

#[test]
fn duplicates_run_after_every_other_remedy() {
    let mut inv = compliant_vpc();
    let mut dup = inv.endpoints[0].clone();
    dup.id = "vpce-dup".into();
    dup.created_at = Some(50);
    inv.endpoints.push(dup);
    inv.route_tables
        .push(table("rtb-priv-c", false, &[], false));
    let p = plan(&inv);
    let last = p.findings.last().unwrap();
    assert_eq!(last.drift, Drift::DuplicateEndpoint);
    // The older duplicate is kept; the guard's newer one is deleted.
    assert_eq!(
        last.remedy,
        Some(Remedy::DeleteEndpoints {
            endpoint_ids: vec!["vpce-g0".into()],
            detach_route_tables: vec![(
                "vpce-g0".into(),
                vec!["rtb-priv-a".into(), "rtb-priv-b".into()]
            )],
        })
    );
}

#[test]
fn tables_only_a_deleted_gateway_duplicate_covered_move_to_the_kept_endpoint_after_deletion() {
    let mut inv = compliant_vpc();
    // The kept (older) S3 endpoint covers table a; the guard's newer duplicate covers table b.
    inv.endpoints[0].route_table_ids = vec!["rtb-priv-a".into()];
    let mut dup = inv.endpoints[0].clone();
    dup.id = "vpce-dup".into();
    dup.created_at = Some(200);
    dup.route_table_ids = vec!["rtb-priv-b".into()];
    inv.endpoints.push(dup);
    let p = plan(&inv);
    assert_eq!(
        drifts(&p),
        vec![
            (Some(svc("s3")), Drift::DuplicateEndpoint),
            (Some(svc("s3")), Drift::RouteTableNotAssociated)
        ]
    );
    assert_eq!(
        p.findings[0].remedy.as_ref().unwrap().describe(),
        "ModifyVpcEndpoint vpce-dup RemoveRouteTableIds=[rtb-priv-b]; DeleteVpcEndpoints [vpce-dup]"
    );
    assert_eq!(
        p.findings[1].remedy,
        Some(Remedy::AddRouteTables {
            endpoint_id: "vpce-g0".into(),
            route_table_ids: vec!["rtb-priv-b".into()]
        })
    );
}

#[test]
fn policy_mismatch_is_fixed_on_guard_endpoints_only() {
    let doc = BaselineDocument::parse(
        r#"[{"service":"s3","type":"Gateway","policy":{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}}]"#,
    )
    .unwrap();
    let base = doc.resolve(REGION);
    let mut inv = compliant_vpc();
    inv.endpoints[0].policy = Some(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#.into(),
    );
    let p = plan_vpc(ACCOUNT, &inv, &offers(), &base, &PlannerOptions::default());
    assert_eq!(drifts(&p), vec![(Some(svc("s3")), Drift::PolicyMismatch)]);
    assert!(matches!(
        p.findings[0].remedy,
        Some(Remedy::ReplacePolicy { .. })
    ));
    // Same policy, different key order and whitespace: no drift.
    inv.endpoints[0].policy = Some(r#"{ "Statement": [{"Resource":"*","Action":"s3:GetObject","Principal":"*","Effect":"Allow"}] }"#.into());
    assert!(
        plan_vpc(ACCOUNT, &inv, &offers(), &base, &PlannerOptions::default())
            .findings
            .is_empty()
    );
    inv.endpoints[0].policy = None;
    inv.endpoints[0].managed = false;
    let p = plan_vpc(ACCOUNT, &inv, &offers(), &base, &PlannerOptions::default());
    assert!(p.findings[0].remedy.is_none());
}

#[test]
fn foreign_endpoints_still_get_route_tables_and_subnets_added() {
    let mut inv = compliant_vpc();
    for e in &mut inv.endpoints {
        e.managed = false;
    }
    inv.route_tables
        .push(table("rtb-priv-c", false, &[], false));
    inv.subnets.push(subnet("subnet-priv-c", "us-east-1c"));
    inv.route_tables
        .last_mut()
        .unwrap()
        .subnet_ids
        .push("subnet-priv-c".into());
    let p = plan(&inv);
    assert!(p.findings.iter().all(|f| matches!(
        f.remedy,
        Some(Remedy::AddRouteTables { .. }) | Some(Remedy::AddSubnets { .. })
    )));
    assert_eq!(p.findings.len(), 5);
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
        plan_vpc(ACCOUNT, &inv, &offers(), &baseline(), &options).status,
        VpcStatus::Exempt
    );
}

#[test]
fn service_not_offered_in_region_is_reported_not_created() {
    let mut offers = offers();
    offers.remove(&svc("logs"));
    let p = plan_vpc(
        ACCOUNT,
        &two_az_vpc(),
        &offers,
        &baseline(),
        &PlannerOptions::default(),
    );
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
    let p = plan_vpc(
        ACCOUNT,
        &two_az_vpc(),
        &offers,
        &baseline(),
        &PlannerOptions::default(),
    );
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
fn managed_tag_constant_matches_the_documented_key() {
    assert_eq!(MANAGED_TAG_KEY, "vpce-guard:managed");
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
fn remedies_describe_the_api_call() {
    let r = Remedy::AddRouteTables {
        endpoint_id: "vpce-1".into(),
        route_table_ids: vec!["rtb-1".into(), "rtb-2".into()],
    };
    assert_eq!(
        r.describe(),
        "ModifyVpcEndpoint vpce-1 AddRouteTableIds=[rtb-1,rtb-2]"
    );
    let r = Remedy::EnableVpcDns {
        support: true,
        hostnames: true,
    };
    assert_eq!(
        r.describe(),
        "ModifyVpcAttribute EnableDnsSupport=true EnableDnsHostnames=true"
    );
}

#[test]
fn remedies_carry_their_monthly_cost() {
    let p = plan(&two_az_vpc());
    let costs: Vec<f64> = p.findings.iter().map(|f| f.monthly_cost_usd).collect();
    // Gateways free; each interface endpoint in two AZs: 2 × 730 h × $0.01 = $14.60.
    assert_eq!(costs, vec![0.0, 0.0, 14.6, 14.6, 14.6]);
    let total: f64 = costs.iter().sum();
    assert_eq!(crate::cost::round_cents(total), 43.80);

    let mut inv = compliant_vpc();
    inv.subnets.push(subnet("subnet-priv-c", "us-east-1c"));
    inv.route_tables[1].subnet_ids.push("subnet-priv-c".into());
    assert!(plan(&inv)
        .findings
        .iter()
        .all(|f| (f.monthly_cost_usd - 7.3).abs() < 1e-9));

    let mut inv = compliant_vpc();
    let mut dup = inv.endpoints[2].clone();
    dup.id = "vpce-dup".into();
    dup.created_at = Some(500);
    inv.endpoints.push(dup);
    let p = plan(&inv);
    assert!(
        (p.findings[0].monthly_cost_usd + 14.6).abs() < 1e-9,
        "deleting a duplicate saves money"
    );
}

fn cost_effective_baseline() -> Baseline {
    let mut doc = BaselineDocument::standard();
    doc.interface_endpoints = InterfacePolicy::WhenCostEffective;
    doc.resolve(REGION)
}

#[test]
fn when_cost_effective_skips_interfaces_below_break_even_with_the_numbers() {
    let mut inv = two_az_vpc();
    inv.vpc
        .tags
        .insert("vpce-guard:nat-gb-per-month".into(), "1000".into());
    let p = plan_vpc(
        ACCOUNT,
        &inv,
        &offers(),
        &cost_effective_baseline(),
        &PlannerOptions::default(),
    );
    assert_eq!(
        drifts(&p),
        vec![
            (Some(svc("s3")), Drift::MissingEndpoint),
            (Some(svc("dynamodb")), Drift::MissingEndpoint)
        ],
        "gateways are free and always created"
    );
    assert_eq!(p.cost_decisions.len(), 1);
    let decision = &p.cost_decisions[0];
    assert_eq!(decision.figures.net_monthly_saving_usd, -26.30);
    assert!(
        decision.reason.contains("$43.80/month"),
        "{}",
        decision.reason
    );
    assert!(
        decision.reason.contains("2502.9 GB/month"),
        "{}",
        decision.reason
    );

    // Above break-even the interface endpoints are planned as usual.
    inv.vpc
        .tags
        .insert("vpce-guard:nat-gb-per-month".into(), "5000".into());
    let p = plan_vpc(
        ACCOUNT,
        &inv,
        &offers(),
        &cost_effective_baseline(),
        &PlannerOptions::default(),
    );
    assert!(p.cost_decisions.is_empty());
    assert_eq!(p.findings.len(), 5);

    // No figure: no decision, endpoints planned.
    inv.vpc.tags.clear();
    let p = plan_vpc(
        ACCOUNT,
        &inv,
        &offers(),
        &cost_effective_baseline(),
        &PlannerOptions::default(),
    );
    assert!(p.cost_decisions.is_empty());
    assert_eq!(p.findings.len(), 5);
}

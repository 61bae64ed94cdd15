//! Existing endpoints of a service: coverage, private DNS, broken ones, duplicates, policy.

use super::*;

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
    add_private_subnet(&mut inv, "subnet-priv-c", "us-east-1c");
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
    let planning = Planning::new().baseline(doc.resolve(REGION));
    let mut inv = compliant_vpc();
    inv.endpoints[0].policy = Some(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#.into(),
    );
    let p = planning.plan(&inv);
    assert_eq!(drifts(&p), vec![(Some(svc("s3")), Drift::PolicyMismatch)]);
    assert!(matches!(
        p.findings[0].remedy,
        Some(Remedy::ReplacePolicy { .. })
    ));
    // Same policy, different key order and whitespace: no drift.
    inv.endpoints[0].policy = Some(r#"{ "Statement": [{"Resource":"*","Action":"s3:GetObject","Principal":"*","Effect":"Allow"}] }"#.into());
    assert!(planning.plan(&inv).findings.is_empty());
    inv.endpoints[0].policy = None;
    inv.endpoints[0].managed = false;
    let p = planning.plan(&inv);
    assert!(p.findings[0].remedy.is_none());
}

#[test]
fn reordered_statements_and_one_element_lists_are_not_policy_drift() {
    let vars =
        crate::baseline::PolicyVariables::new(ACCOUNT, REGION, "aws").with_org_id("o-a1b2c3d4e5");
    let doc = BaselineDocument::parse(
        r#"[{"service":"s3","type":"Gateway","policy":["org-only","ecr-image-layers"]}]"#,
    )
    .unwrap();
    let planning = Planning::new().baseline(doc.resolve_with(&vars).unwrap());
    let mut inv = compliant_vpc();
    // As EC2 might hand it back: statements in another order, keys shuffled, lists for strings.
    let reordered = r#"{"Statement":[
        {"Resource":["arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"],"Action":["s3:GetObject"],"Principal":"*","Effect":"Allow","Sid":"AllowEcrImageLayerDownloads"},
        {"Sid":"AllowRequestsByAWSServicePrincipals","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"aws:PrincipalIsAWSService":"true"}}},
        {"Sid":"AllowRequestsByOrgsIdentitiesToOrgsResources","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceOrgID":"o-a1b2c3d4e5","aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}
    ],"Version":"2012-10-17"}"#;
    inv.endpoints[0].policy = Some(reordered.into());
    assert!(planning.plan(&inv).findings.is_empty());
    // Another organization's id is drift.
    inv.endpoints[0].policy = Some(reordered.replace("o-a1b2c3d4e5", "o-zzzzzzzzzz"));
    let p = planning.plan(&inv);
    assert_eq!(drifts(&p), vec![(Some(svc("s3")), Drift::PolicyMismatch)]);
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

    // With REPAIR_UNMANAGED_ENDPOINTS=false the same gaps are reported, never fixed; the guard's
    // own endpoints are still extended.
    let options = PlannerOptions {
        repair_unmanaged_endpoints: false,
        ..PlannerOptions::default()
    };
    let p = Planning::new().options(options.clone()).plan(&inv);
    assert_eq!(p.findings.len(), 5);
    assert!(p.findings.iter().all(|f| f.remedy.is_none()
        && f.not_remediable
            .as_deref()
            .is_some_and(|r| r.contains("REPAIR_UNMANAGED_ENDPOINTS=false"))));
    for e in &mut inv.endpoints {
        e.managed = true;
    }
    let p = Planning::new().options(options).plan(&inv);
    assert_eq!(p.findings.len(), 5);
    assert!(p.findings.iter().all(|f| f.remedy.is_some()));
}

#[test]
fn a_policy_on_a_service_without_endpoint_policies_is_reported_and_never_set() {
    let doc = BaselineDocument::parse(
        r#"[{"service":"s3","type":"Gateway","policy":{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}}]"#,
    )
    .unwrap();
    let mut no_policies = offers();
    if let Some(s3) = no_policies.get_mut(&svc("s3")) {
        s3.policy_supported = Some(false);
    }
    let planning = Planning::new()
        .baseline(doc.resolve(REGION))
        .offers(no_policies);
    // Missing: created without the policy, and the policy reported.
    let mut inv = two_az_vpc();
    inv.endpoints.clear();
    let p = planning.plan(&inv);
    assert_eq!(
        drifts(&p),
        vec![
            (Some(svc("s3")), Drift::PolicyNotSupported),
            (Some(svc("s3")), Drift::MissingEndpoint)
        ]
    );
    assert!(p.findings[0].remedy.is_none());
    assert!(matches!(
        &p.findings[1].remedy,
        Some(Remedy::CreateGatewayEndpoint { policy: None, .. })
    ));
    // Present with another policy: no policy_mismatch, only the report.
    let mut inv = compliant_vpc();
    inv.endpoints[0].policy = Some(r#"{"Statement":[]}"#.into());
    assert_eq!(
        drifts(&planning.plan(&inv)),
        vec![(Some(svc("s3")), Drift::PolicyNotSupported)]
    );
}

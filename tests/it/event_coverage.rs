//! The calls added to `network-events` for real estates (route replacement and disassociation,
//! someone else's endpoint, a CIDR block taken away, rule changes on the guard's group) and the
//! guard's own calls coming back through CloudTrail, each driven by its sample in `events/`
//! through the Lambda entry point against moto.

use crate::common::*;
use serde_json::Value;
use vpce_guard_core::planner::Drift;
use vpce_guard_lambda::functions::network_events;

fn is_ignored(answer: &Value) -> bool {
    answer["ignored"] == Value::Bool(true)
}

fn route_tables_of(endpoint: &aws_sdk_ec2::types::VpcEndpoint) -> Vec<String> {
    let mut ids: Vec<String> = endpoint.route_table_ids().to_vec();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_default_route_switched_to_nat_makes_the_table_private_and_covered() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    let nat = env.nat_gateway(&seeded.public_subnets[0]).await;
    env.ec2
        .replace_route()
        .route_table_id(&seeded.main_route_table)
        .destination_cidr_block("0.0.0.0/0")
        .nat_gateway_id(&nat)
        .send()
        .await
        .unwrap();

    let summary = env
        .network_event(
            &[],
            "cloudtrail-replace-route.json",
            &[
                (RTB_PLACEHOLDER, &seeded.main_route_table),
                (NAT_PLACEHOLDER, &nat),
            ],
        )
        .await;

    assert_eq!(n(&summary, "vpcs_checked"), 1, "{summary}");
    assert_eq!(n(&summary, "actions_applied"), 2, "{summary}");
    for short in ["s3", "dynamodb"] {
        let endpoint = &env.endpoint_for(&seeded.vpc_id, short).await[0];
        assert!(
            route_tables_of(endpoint).contains(&seeded.main_route_table),
            "{short}: the main table is private now"
        );
    }
}

#[tokio::test]
async fn a_disassociated_subnet_falls_back_to_the_main_table_and_its_az_is_covered() {
    let env = Env::new().await;
    // The main table is private; the subnet in us-east-1b starts out public.
    let vpc = env.create_vpc("10.0.0.0/16").await;
    let private_a = env.create_subnet(&vpc, "10.0.1.0/24", "us-east-1a").await;
    let subnet_b = env.create_subnet(&vpc, "10.0.2.0/24", "us-east-1b").await;
    let public = env.create_route_table(&vpc).await;
    let igw = env.internet_gateway(&vpc).await;
    env.default_route_to(&public, &igw).await;
    let association = env.associate(&public, &subnet_b).await;
    network_events(&env.function(&[]), create_subnet_event(&vpc, &private_a))
        .await
        .expect("converge");
    env.notices().await;
    let logs = &env.endpoint_for(&vpc, "logs").await[0];
    assert_eq!(logs.subnet_ids(), std::slice::from_ref(&private_a));

    env.ec2
        .disassociate_route_table()
        .association_id(&association)
        .send()
        .await
        .unwrap();
    let summary = env
        .network_event(
            &[],
            "cloudtrail-disassociate-route-table.json",
            &[(ASSOC_PLACEHOLDER, &association)],
        )
        .await;

    // The association is gone, so nothing says which VPC it was in: the whole Region is
    // guarded (moto's default VPC included), with the same batched reads as a sweep.
    assert!(n(&summary, "vpcs_checked") >= 2, "{summary}");
    for short in ["ecr.api", "ecr.dkr", "logs"] {
        let endpoint = &env.endpoint_for(&vpc, short).await[0];
        let mut subnets = endpoint.subnet_ids().to_vec();
        subnets.sort();
        let mut expected = vec![private_a.clone(), subnet_b.clone()];
        expected.sort();
        assert_eq!(subnets, expected, "{short}");
    }
}

#[tokio::test]
async fn someone_elses_duplicate_endpoint_is_reported_at_once() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    // A second logs endpoint, created by hand: the guard does not own it, so it reports it.
    let theirs = env
        .ec2
        .create_vpc_endpoint()
        .vpc_id(&seeded.vpc_id)
        .service_name(format!("com.amazonaws.{REGION}.logs"))
        .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
        .subnet_ids(&seeded.private_subnets[1])
        .private_dns_enabled(false)
        .send()
        .await
        .unwrap()
        .vpc_endpoint()
        .and_then(|e| e.vpc_endpoint_id())
        .unwrap()
        .to_string();

    let summary = env
        .network_event(
            &[("GUARD_MODE", "report")],
            "cloudtrail-create-vpc-endpoint.json",
            &[
                (VPC_PLACEHOLDER, &seeded.vpc_id),
                (RTB_PLACEHOLDER, &seeded.private_route_tables[0]),
                (VPCE_PLACEHOLDER, &theirs),
            ],
        )
        .await;

    assert_eq!(n(&summary, "vpcs_drifted"), 1, "{summary}");
    let notices = env.notices().await;
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0]
            .findings()
            .iter()
            .any(|f| f.drift == Drift::DuplicateEndpoint && f.resource_ids.contains(&theirs)),
        "{:?}",
        notices[0].findings()
    );
}

#[tokio::test]
async fn a_cidr_block_taken_away_loses_its_https_rule() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(0).await;
    let association = env
        .ec2
        .associate_vpc_cidr_block()
        .vpc_id(&seeded.vpc_id)
        .cidr_block("10.1.0.0/16")
        .send()
        .await
        .unwrap()
        .cidr_block_association()
        .and_then(|a| a.association_id())
        .unwrap()
        .to_string();
    network_events(
        &env.function(&[]),
        create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[0]),
    )
    .await
    .expect("converge");
    let sources = |group: aws_sdk_ec2::types::SecurityGroup| -> Vec<String> {
        group
            .ip_permissions()
            .iter()
            .flat_map(|p| p.ip_ranges().iter().filter_map(|r| r.cidr_ip()))
            .map(str::to_string)
            .collect()
    };
    let before = sources(env.guard_group(&seeded.vpc_id).await.unwrap());
    assert!(before.contains(&"10.1.0.0/16".to_string()), "{before:?}");

    env.ec2
        .disassociate_vpc_cidr_block()
        .association_id(&association)
        .send()
        .await
        .unwrap();
    let summary = env
        .network_event(
            &[],
            "cloudtrail-disassociate-vpc-cidr-block.json",
            &[
                (VPC_PLACEHOLDER, &seeded.vpc_id),
                ("vpc-cidr-assoc-0a1b2c3d4e5f67890", &association),
            ],
        )
        .await;

    assert_eq!(n(&summary, "actions_applied"), 1, "{summary}");
    let after = sources(env.guard_group(&seeded.vpc_id).await.unwrap());
    assert_eq!(after, ["10.0.0.0/16"]);
}

#[tokio::test]
async fn rule_changes_on_the_guards_group_are_undone() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    let group = env.guard_group(&seeded.vpc_id).await.unwrap();
    let group_id = group.group_id().unwrap().to_string();
    let only_https_from_the_vpc = |group: aws_sdk_ec2::types::SecurityGroup| {
        group.ip_permissions().len() == 1
            && group.ip_permissions()[0].from_port() == Some(443)
            && group.ip_permissions()[0].ip_ranges().len() == 1
            && group.ip_permissions()[0].ip_ranges()[0].cidr_ip() == Some("10.0.0.0/16")
    };

    // Widened (authorize, or a rule modified in place): revoked.
    for sample in [
        "cloudtrail-authorize-security-group-ingress.json",
        "cloudtrail-modify-security-group-rules.json",
    ] {
        env.open_ssh(&group_id).await;
        let summary = env
            .network_event(&[], sample, &[(SG_PLACEHOLDER, &group_id)])
            .await;
        assert_eq!(n(&summary, "actions_applied"), 1, "{sample}: {summary}");
        assert!(only_https_from_the_vpc(
            env.guard_group(&seeded.vpc_id).await.unwrap()
        ));
    }

    // Narrowed (its 443 rule revoked): restored.
    env.ec2
        .revoke_security_group_ingress()
        .group_id(&group_id)
        .ip_protocol("tcp")
        .from_port(443)
        .to_port(443)
        .cidr_ip("10.0.0.0/16")
        .send()
        .await
        .unwrap();
    let summary = env
        .network_event(
            &[],
            "cloudtrail-revoke-security-group-ingress.json",
            &[(SG_PLACEHOLDER, &group_id)],
        )
        .await;
    assert_eq!(n(&summary, "actions_applied"), 1, "{summary}");
    assert!(only_https_from_the_vpc(
        env.guard_group(&seeded.vpc_id).await.unwrap()
    ));
}

#[tokio::test]
async fn rule_changes_on_other_groups_are_ignored() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    let theirs = env
        .ec2
        .create_security_group()
        .group_name("web")
        .description("someone else's")
        .vpc_id(&seeded.vpc_id)
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    let answer = env
        .network_event(
            &[],
            "cloudtrail-authorize-security-group-ingress.json",
            &[(SG_PLACEHOLDER, &theirs)],
        )
        .await;
    assert!(is_ignored(&answer), "{answer}");
    assert!(answer["reason"].as_str().unwrap().contains(&theirs));

    // Very old records name the group only by name: not the guard's name, so not even a read.
    let answer = env
        .network_event(
            &[],
            "cloudtrail-authorize-security-group-ingress-group-name.json",
            &[],
        )
        .await;
    assert!(is_ignored(&answer), "{answer}");
    assert!(env.notices().await.is_empty());
}

#[tokio::test]
async fn the_guards_own_calls_are_ignored() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    let s3 = env.endpoint_for(&seeded.vpc_id, "s3").await[0]
        .vpc_endpoint_id()
        .unwrap()
        .to_string();
    let own_call = || {
        event(
            "cloudtrail-modify-vpc-endpoint-by-guard.json",
            &[
                (VPCE_PLACEHOLDER, &s3),
                (RTB_PLACEHOLDER, &seeded.private_route_tables[0]),
            ],
        )
    };

    let answer = network_events(
        &env.function(&[("GUARD_ROLE_ARNS", GUARD_ROLE_IN_SAMPLES)]),
        own_call(),
    )
    .await
    .expect("handled");
    assert!(is_ignored(&answer), "{answer}");
    assert!(answer["reason"]
        .as_str()
        .unwrap()
        .contains(GUARD_ROLE_IN_SAMPLES));

    // The same record from a role that is not the guard's is guarded: the role is what counts.
    let answer = network_events(&env.function(&[]), own_call())
        .await
        .expect("handled");
    assert!(!is_ignored(&answer), "{answer}");
    assert_eq!(n(&answer, "vpcs_checked"), 1, "{answer}");

    // The member role's calls in a member account, forwarded to the central bus.
    let answer = env
        .network_event(
            &[
                ("MEMBER_ROLE_NAME", "vpce-guard-member"),
                ("GUARD_REGIONS", "us-east-1,eu-west-1"),
            ],
            "cloudtrail-create-subnet-by-member-role.json",
            &[
                (VPC_PLACEHOLDER, &seeded.vpc_id),
                (SUBNET_PLACEHOLDER, &seeded.private_subnets[0]),
            ],
        )
        .await;
    assert!(is_ignored(&answer), "{answer}");
    assert!(answer["reason"]
        .as_str()
        .unwrap()
        .contains("role/vpce-guard-member"));
}

//! The `network-events` handler against a real moto server, driven by the files in `events/`
//! with their placeholder ids replaced by moto's.

use crate::common::*;
use aws_lambda_events::event::cloudwatch_events::CloudWatchEvent;
use aws_sdk_ec2::types::VpcEndpointType;
use vpce_guard_core::notice::{NoticeEventType, Outcome};
use vpce_guard_core::planner::Drift;
use vpce_guard_lambda::functions::network_events;

const ALL_SERVICES: [&str; 5] = ["s3", "dynamodb", "ecr.api", "ecr.dkr", "logs"];

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn new_vpc_without_subnets_gets_gateway_endpoints_on_its_main_route_table() {
    let env = Env::new().await;
    let vpc = env.create_vpc("10.0.0.0/16").await;
    let main = env.main_route_table(&vpc).await;
    let function = env.function(&[]);

    let summary = network_events(
        &function,
        event("cloudtrail-create-vpc.json", &[(VPC_PLACEHOLDER, &vpc)]),
    )
    .await
    .expect("handled");

    assert_eq!(n(&summary, "vpcs_checked"), 1);
    assert_eq!(n(&summary, "vpcs_drifted"), 1);
    assert_eq!(n(&summary, "actions_applied"), 2);
    assert_eq!(n(&summary, "actions_failed"), 0);
    for short in ["s3", "dynamodb"] {
        let endpoints = env.endpoint_for(&vpc, short).await;
        assert_eq!(endpoints.len(), 1, "{short}");
        assert_eq!(endpoints[0].route_table_ids(), std::slice::from_ref(&main));
        assert!(endpoints[0]
            .tags()
            .iter()
            .any(|t| t.key() == Some("vpce-guard:managed") && t.value() == Some("true")));
    }
    for short in ["ecr.api", "ecr.dkr", "logs"] {
        assert!(
            env.endpoint_for(&vpc, short).await.is_empty(),
            "no private subnet yet, no {short}"
        );
    }
    let notices = env.notices().await;
    assert_eq!(notices.len(), 1);
    let notice = &notices[0];
    assert_eq!(notice.event_type(), NoticeEventType::Remediated);
    assert_eq!(notice.vpc_id(), Some(vpc.as_str()));
    assert_eq!(notice.trigger, "CreateVpc");
    assert_eq!(notice.account_id, ACCOUNT);
    assert!(notice
        .findings()
        .iter()
        .all(|f| f.drift == Drift::MissingEndpoint && f.outcome == Outcome::Applied));
}

#[tokio::test]
async fn two_az_vpc_gets_the_full_set_in_private_subnets_only() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(0).await;
    let function = env.function(&[]);

    let summary = network_events(
        &function,
        create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[1]),
    )
    .await
    .expect("handled");
    // 5 endpoints + enabling DNS hostnames (moto, like EC2, starts non-default VPCs with it off).
    assert_eq!(n(&summary, "actions_applied"), 6, "{summary}");
    assert_eq!(n(&summary, "actions_failed"), 0, "{summary}");

    for short in ["s3", "dynamodb"] {
        let e = &env.endpoint_for(&seeded.vpc_id, short).await[0];
        assert_eq!(
            sorted(e.route_table_ids().to_vec()),
            sorted(seeded.private_route_tables.clone()),
            "{short}: private tables only"
        );
    }
    let group = env
        .guard_group(&seeded.vpc_id)
        .await
        .expect("guard security group created");
    for short in ["ecr.api", "ecr.dkr", "logs"] {
        let endpoints = env.endpoint_for(&seeded.vpc_id, short).await;
        assert_eq!(endpoints.len(), 1, "{short}");
        let e = &endpoints[0];
        assert_eq!(
            sorted(e.subnet_ids().to_vec()),
            sorted(seeded.private_subnets.clone()),
            "{short}: one private subnet per AZ"
        );
        assert_eq!(e.private_dns_enabled(), Some(true));
        assert_eq!(e.groups()[0].group_id(), group.group_id());
    }
    let rules = group.ip_permissions();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].ip_protocol(), Some("tcp"));
    assert_eq!(
        (rules[0].from_port(), rules[0].to_port()),
        (Some(443), Some(443))
    );
    let cidrs: Vec<_> = rules[0]
        .ip_ranges()
        .iter()
        .filter_map(|r| r.cidr_ip())
        .collect();
    assert_eq!(cidrs, ["10.0.0.0/16"]);
    assert!(group
        .tags()
        .iter()
        .any(|t| t.key() == Some("vpce-guard:managed")));
    assert_eq!(env.dns(&seeded.vpc_id).await, (true, true));

    let notices = env.notices().await;
    assert_eq!(notices.len(), 1);
    let drifts: Vec<(Option<String>, Drift)> = notices[0]
        .findings()
        .iter()
        .map(|f| (f.service.clone(), f.drift))
        .collect();
    assert_eq!(drifts[0], (None, Drift::VpcDnsAttributesDisabled));
    let services: Vec<String> = drifts[1..]
        .iter()
        .map(|(s, _)| s.clone().unwrap())
        .collect();
    assert_eq!(
        services,
        ALL_SERVICES.map(|s| format!("com.amazonaws.{REGION}.{s}")),
        "S3 gateway first, gateways before interfaces"
    );
}

#[tokio::test]
async fn running_twice_changes_nothing_the_second_time() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(0).await;
    let function = env.function(&[]);
    let create_subnet = || create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[0]);
    network_events(&function, create_subnet())
        .await
        .expect("first");
    let before = env.endpoints(&seeded.vpc_id).await.len();
    env.notices().await;

    let second = network_events(&function, create_subnet())
        .await
        .expect("second");
    assert_eq!(n(&second, "vpcs_compliant"), 1, "{second}");
    assert_eq!(n(&second, "actions_applied"), 0);
    assert_eq!(n(&second, "notices_published"), 0);
    assert_eq!(env.endpoints(&seeded.vpc_id).await.len(), before);
    assert!(
        env.notices().await.is_empty(),
        "no notice for a compliant VPC"
    );
}

/// Converges a seeded VPC and drains its notices.
#[tokio::test]
async fn route_table_created_later_is_added_to_the_existing_gateway_endpoints() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    let table = env.create_route_table(&seeded.vpc_id).await;
    let s3_before = env.endpoint_for(&seeded.vpc_id, "s3").await[0]
        .vpc_endpoint_id()
        .unwrap()
        .to_string();

    let summary = network_events(
        &env.function(&[]),
        event(
            "cloudtrail-create-route-table.json",
            &[(VPC_PLACEHOLDER, &seeded.vpc_id), (RTB_PLACEHOLDER, &table)],
        ),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "actions_applied"), 2, "{summary}");
    for short in ["s3", "dynamodb"] {
        let endpoints = env.endpoint_for(&seeded.vpc_id, short).await;
        assert_eq!(endpoints.len(), 1, "modified, not recreated");
        // moto quirk: ModifyVpcEndpoint updates RouteTableIds but not the prefix-list routes.
        assert!(endpoints[0].route_table_ids().contains(&table), "{short}");
    }
    assert_eq!(
        env.endpoint_for(&seeded.vpc_id, "s3").await[0].vpc_endpoint_id(),
        Some(s3_before.as_str())
    );
    let notices = env.notices().await;
    assert_eq!(notices.len(), 1);
    for f in notices[0].findings() {
        assert_eq!(f.drift, Drift::RouteTableNotAssociated);
        assert!(
            f.action.starts_with("ModifyVpcEndpoint") && f.action.contains(&table),
            "{}",
            f.action
        );
        assert!(f.resource_ids.contains(&table));
    }
}

#[tokio::test]
async fn route_association_events_resolve_their_vpc_and_guard_only_it() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    let bystander = env.create_vpc("10.50.0.0/16").await; // drifted, but not named by the event
    let table = env.create_route_table(&seeded.vpc_id).await;
    let subnet = env
        .create_subnet(&seeded.vpc_id, "10.0.9.0/24", "us-east-1a")
        .await;
    let association = env.associate(&table, &subnet).await;

    let summary = network_events(
        &env.function(&[]),
        event(
            "cloudtrail-associate-route-table.json",
            &[
                (RTB_PLACEHOLDER, &table),
                (SUBNET_PLACEHOLDER, &subnet),
                (ASSOC_PLACEHOLDER, &association),
            ],
        ),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "vpcs_checked"), 1, "{summary}");
    assert!(
        env.endpoints(&bystander).await.is_empty(),
        "the bystander VPC was not touched"
    );
    assert!(env.endpoint_for(&seeded.vpc_id, "s3").await[0]
        .route_table_ids()
        .contains(&table));

    // ReplaceRouteTableAssociation names only an association and a table.
    let other = env.create_route_table(&seeded.vpc_id).await;
    let replaced = env
        .ec2
        .replace_route_table_association()
        .association_id(&association)
        .route_table_id(&other)
        .send()
        .await
        .expect("replace")
        .new_association_id()
        .unwrap()
        .to_string();
    let summary = network_events(
        &env.function(&[]),
        event(
            "cloudtrail-replace-route-table-association.json",
            &[
                (RTB_PLACEHOLDER, &other),
                (ASSOC_PLACEHOLDER, &association),
                ("rtbassoc-0f0e0d0c0b0a09876", &replaced),
            ],
        ),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "vpcs_checked"), 1, "{summary}");
    assert!(env.endpoint_for(&seeded.vpc_id, "dynamodb").await[0]
        .route_table_ids()
        .contains(&other));
}

#[tokio::test]
async fn subnet_in_a_third_az_is_added_to_every_interface_endpoint() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    let subnet = env
        .create_subnet(&seeded.vpc_id, "10.0.20.0/24", "us-east-1c")
        .await;
    env.associate(&seeded.private_route_tables[0], &subnet)
        .await;

    let summary = network_events(
        &env.function(&[]),
        create_subnet_event(&seeded.vpc_id, &subnet),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "actions_applied"), 3, "{summary}");
    for short in ["ecr.api", "ecr.dkr", "logs"] {
        let endpoints = env.endpoint_for(&seeded.vpc_id, short).await;
        assert_eq!(endpoints.len(), 1);
        assert_eq!(endpoints[0].subnet_ids().len(), 3, "{short}");
        assert!(endpoints[0].subnet_ids().contains(&subnet));
    }
    let notices = env.notices().await;
    assert!(notices[0]
        .findings()
        .iter()
        .all(|f| f.drift == Drift::AzNotCovered && f.outcome == Outcome::Applied));
}

#[tokio::test]
async fn endpoint_deleted_by_hand_is_recreated() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    let logs = env.delete_endpoint_of(&seeded.vpc_id, "logs").await;

    // The deleted endpoint is still described (state `deleted`) with its VPC, so the VPC resolves.
    let summary = network_events(
        &env.function(&[]),
        event(
            "cloudtrail-delete-vpc-endpoints.json",
            &[(VPCE_PLACEHOLDER, &logs)],
        ),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "vpcs_checked"), 1, "{summary}");
    assert_eq!(n(&summary, "actions_applied"), 1);
    let now = env.endpoint_for(&seeded.vpc_id, "logs").await;
    assert_eq!(now.len(), 1);
    assert_ne!(now[0].vpc_endpoint_id(), Some(logs.as_str()));
    assert_eq!(now[0].subnet_ids().len(), 2);
    let notices = env.notices().await;
    assert_eq!(notices[0].findings().len(), 1);
    assert_eq!(notices[0].findings()[0].drift, Drift::MissingEndpoint);
    assert!(notices[0].findings()[0]
        .resource_ids
        .contains(&now[0].vpc_endpoint_id().unwrap().to_string()));
}

#[tokio::test]
async fn unresolvable_endpoint_event_guards_the_whole_region() {
    let env = Env::new().await;
    let a = env.create_vpc("10.1.0.0/16").await;
    let b = env.create_vpc("10.2.0.0/16").await;
    let summary = network_events(
        &env.function(&[]),
        event("cloudtrail-delete-vpc-endpoints.json", &[]),
    )
    .await
    .expect("handled");
    // moto, like EC2, also has a default VPC in the region: every VPC is checked.
    let all_vpcs = env.ec2.describe_vpcs().send().await.unwrap().vpcs().len() as u64;
    assert!(all_vpcs >= 3);
    assert_eq!(n(&summary, "vpcs_checked"), all_vpcs, "{summary}");
    assert_eq!(env.endpoints(&a).await.len(), 2);
    assert_eq!(env.endpoints(&b).await.len(), 2);
}

#[tokio::test]
async fn private_dns_turned_off_is_turned_back_on() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    // moto ignores ModifyVpcEndpoint PrivateDnsEnabled, so model "turned off" as the guard's own
    // endpoint recreated without private DNS.
    let old = env.endpoint_for(&seeded.vpc_id, "logs").await[0].clone();
    env.ec2
        .delete_vpc_endpoints()
        .vpc_endpoint_ids(old.vpc_endpoint_id().unwrap())
        .send()
        .await
        .unwrap();
    let group = old.groups()[0].group_id().unwrap().to_string();
    let id = env
        .ec2
        .create_vpc_endpoint()
        .vpc_id(&seeded.vpc_id)
        .service_name(format!("com.amazonaws.{REGION}.logs"))
        .vpc_endpoint_type(VpcEndpointType::Interface)
        .set_subnet_ids(Some(old.subnet_ids().to_vec()))
        .security_group_ids(group)
        .private_dns_enabled(false)
        .tag_specifications(
            aws_sdk_ec2::types::TagSpecification::builder()
                .resource_type(aws_sdk_ec2::types::ResourceType::VpcEndpoint)
                .tags(
                    aws_sdk_ec2::types::Tag::builder()
                        .key("vpce-guard:managed")
                        .value("true")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap()
        .vpc_endpoint()
        .unwrap()
        .vpc_endpoint_id()
        .unwrap()
        .to_string();
    assert_eq!(
        env.endpoint_for(&seeded.vpc_id, "logs").await[0].private_dns_enabled(),
        Some(false)
    );

    let summary = network_events(
        &env.function(&[]),
        event(
            "cloudtrail-modify-vpc-endpoint.json",
            &[
                (VPCE_PLACEHOLDER, &id),
                (RTB_PLACEHOLDER, &seeded.private_route_tables[0]),
            ],
        ),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "actions_applied"), 1, "{summary}");
    let notices = env.notices().await;
    let finding = &notices[0].findings()[0];
    assert_eq!(finding.drift, Drift::PrivateDnsDisabled);
    assert_eq!(
        finding.action,
        format!("ModifyVpcEndpoint {id} PrivateDnsEnabled=true")
    );
    assert_eq!(finding.outcome, Outcome::Applied);
    assert_eq!(
        env.endpoint_for(&seeded.vpc_id, "logs").await.len(),
        1,
        "modified, not recreated"
    );
}

#[tokio::test]
async fn secondary_cidr_gets_an_https_rule_in_the_guard_group() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    env.ec2
        .associate_vpc_cidr_block()
        .vpc_id(&seeded.vpc_id)
        .cidr_block("10.1.0.0/16")
        .send()
        .await
        .expect("secondary cidr");
    let summary = network_events(
        &env.function(&[]),
        event(
            "cloudtrail-associate-vpc-cidr-block.json",
            &[(VPC_PLACEHOLDER, &seeded.vpc_id)],
        ),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "actions_applied"), 1, "{summary}");
    let group = env.guard_group(&seeded.vpc_id).await.unwrap();
    let mut cidrs: Vec<String> = group
        .ip_permissions()
        .iter()
        .filter(|p| p.from_port() == Some(443))
        .flat_map(|p| {
            p.ip_ranges()
                .iter()
                .filter_map(|r| r.cidr_ip().map(str::to_string))
        })
        .collect();
    cidrs.sort();
    assert_eq!(cidrs, ["10.0.0.0/16", "10.1.0.0/16"]);
    let notices = env.notices().await;
    assert_eq!(
        notices[0].findings()[0].drift,
        Drift::SecurityGroupRuleMissing
    );
}

#[tokio::test]
async fn widened_guard_group_is_narrowed_again() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    let group = env.guard_group(&seeded.vpc_id).await.unwrap();
    env.open_ssh(group.group_id().unwrap()).await;
    let summary = network_events(
        &env.function(&[]),
        event(
            "cloudtrail-associate-vpc-cidr-block.json",
            &[(VPC_PLACEHOLDER, &seeded.vpc_id)],
        ),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "actions_applied"), 1, "{summary}");
    let group = env.guard_group(&seeded.vpc_id).await.unwrap();
    assert!(
        group
            .ip_permissions()
            .iter()
            .all(|p| p.from_port() == Some(443)),
        "{:?}",
        group.ip_permissions()
    );
}

#[tokio::test]
async fn vpc_dns_attributes_turned_off_are_turned_back_on() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    env.set_dns(&seeded.vpc_id, true, false).await;
    let summary = network_events(
        &env.function(&[]),
        event(
            "cloudtrail-modify-vpc-attribute.json",
            &[(VPC_PLACEHOLDER, &seeded.vpc_id)],
        ),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "actions_applied"), 1, "{summary}");
    assert_eq!(env.dns(&seeded.vpc_id).await, (true, true));

    // With ENABLE_VPC_DNS=false the guard reports and leaves the attribute alone.
    env.set_dns(&seeded.vpc_id, true, false).await;
    env.notices().await;
    let summary = network_events(
        &env.function(&[("ENABLE_VPC_DNS", "false")]),
        event(
            "cloudtrail-modify-vpc-attribute.json",
            &[(VPC_PLACEHOLDER, &seeded.vpc_id)],
        ),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "actions_applied"), 0, "{summary}");
    assert_eq!(env.dns(&seeded.vpc_id).await, (true, false));
    let notices = env.notices().await;
    assert_eq!(notices[0].event_type(), NoticeEventType::DriftDetected);
    assert_eq!(notices[0].findings()[0].outcome, Outcome::NotRemediable);
}

#[tokio::test]
async fn exempt_vpc_is_skipped_and_counted() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(0).await;
    env.tag(&seeded.vpc_id, "vpce-guard:exempt", "true").await;
    let summary = network_events(
        &env.function(&[]),
        create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[0]),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "vpcs_exempt"), 1, "{summary}");
    assert_eq!(n(&summary, "actions_applied"), 0);
    assert!(env.endpoints(&seeded.vpc_id).await.is_empty());
    assert!(env.notices().await.is_empty());
}

#[tokio::test]
async fn report_mode_changes_nothing_and_reports_the_plan() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(0).await;
    let summary = network_events(
        &env.function(&[("GUARD_MODE", "report")]),
        create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[0]),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "actions_applied"), 0, "{summary}");
    assert_eq!(n(&summary, "vpcs_drifted"), 1);
    assert!(env.endpoints(&seeded.vpc_id).await.is_empty());
    assert!(env.guard_group(&seeded.vpc_id).await.is_none());
    assert_eq!(env.dns(&seeded.vpc_id).await, (true, false));
    let notices = env.notices().await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].event_type(), NoticeEventType::DriftDetected);
    assert_eq!(notices[0].findings().len(), 6);
    assert!(notices[0]
        .findings()
        .iter()
        .all(|f| f.outcome == Outcome::Planned && f.action != "none"));
    let no_write = summary["api_calls_by_action"].as_object().unwrap();
    assert!(
        no_write
            .keys()
            .all(|k| k.starts_with("Describe") || k == "PublishBatch"),
        "{no_write:?}"
    );
}

#[tokio::test]
async fn failed_calls_and_unrelated_events_are_ignored() {
    let env = Env::new().await;
    let vpc = env.create_vpc("10.0.0.0/16").await;
    let function = env.function(&[]);
    for (file, replacements) in [
        (
            "cloudtrail-create-subnet-error.json",
            vec![(VPC_PLACEHOLDER, vpc.as_str())],
        ),
        ("other-event.json", vec![]),
        ("scheduled-event.json", vec![]),
    ] {
        let out = network_events(&function, event(file, &replacements))
            .await
            .expect(file);
        assert_eq!(out["ignored"], true, "{file}: {out}");
        assert!(out["reason"].as_str().is_some_and(|r| !r.is_empty()));
    }
    assert!(env.endpoints(&vpc).await.is_empty());
    assert!(env.notices().await.is_empty());
}

#[tokio::test]
async fn malformed_events_fail_with_a_clear_error() {
    let env = Env::new().await;
    let function = env.function(&[]);
    let mut no_ids: lambda_runtime::LambdaEvent<CloudWatchEvent> =
        event("cloudtrail-create-vpc.json", &[]);
    let detail = no_ids.payload.detail.as_mut().expect("detail");
    detail["requestParameters"] = serde_json::json!({"cidrBlock": "10.0.0.0/16"});
    detail["responseElements"] = serde_json::Value::Null;
    let err = network_events(&function, no_ids)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("CreateVpc") && err.contains("names no VPC"),
        "{err}"
    );

    let mut no_detail: lambda_runtime::LambdaEvent<CloudWatchEvent> =
        event("cloudtrail-create-vpc.json", &[]);
    no_detail.payload.detail = None;
    let err = network_events(&function, no_detail)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("detail"), "{err}");

    // What is not an EventBridge event never reaches the handler: the runtime refuses to
    // deserialize it into the handler's event type, with serde's reason.
    for not_an_event in [serde_json::json!([1, 2]), serde_json::json!({"detail": {}})] {
        let err = serde_json::from_value::<CloudWatchEvent>(not_an_event)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("invalid type") || err.contains("missing field"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn publish_failure_fails_the_invocation_and_the_retry_does_not_repeat_remediation() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(0).await;
    let bad_topic = format!("arn:aws:sns:{REGION}:{ACCOUNT}:no-such-topic");
    let create_subnet = || create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[0]);
    let err = network_events(
        &env.function(&[("NOTICE_TOPIC_ARN", &bad_topic)]),
        create_subnet(),
    )
    .await
    .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("PublishBatch") && message.contains("1 notice"),
        "{message}"
    );
    assert_eq!(
        env.endpoints(&seeded.vpc_id).await.len(),
        5,
        "remediation took effect before publishing"
    );

    let tagged = env
        .ec2
        .describe_vpcs()
        .vpc_ids(&seeded.vpc_id)
        .send()
        .await
        .unwrap();
    let outbox = tagged.vpcs()[0]
        .tags()
        .iter()
        .find(|t| t.key() == Some("vpce-guard:unpublished"))
        .and_then(|t| t.value())
        .expect("applied findings kept in the outbox tag")
        .to_string();
    assert!(
        outbox.starts_with("CreateSubnet ") && outbox.contains("missing_endpoint:ecr.api"),
        "{outbox}"
    );

    let retry = network_events(&env.function(&[]), create_subnet())
        .await
        .expect("retry");
    assert_eq!(n(&retry, "actions_applied"), 0, "{retry}");
    assert_eq!(
        n(&retry, "notices_published"),
        1,
        "the retry publishes what the first run did"
    );
    assert_eq!(
        env.endpoints(&seeded.vpc_id).await.len(),
        5,
        "no duplicate endpoints"
    );
    let notices = env.notices().await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].event_type(), NoticeEventType::Remediated);
    let replayed: Vec<(Option<String>, Drift)> = notices[0]
        .findings()
        .iter()
        .map(|f| (f.service.clone(), f.drift))
        .collect();
    assert_eq!(replayed.len(), 6, "{replayed:?}");
    assert!(replayed.contains(&(
        Some(format!("com.amazonaws.{REGION}.logs")),
        Drift::MissingEndpoint
    )));
    assert!(replayed.contains(&(None, Drift::VpcDnsAttributesDisabled)));
    assert!(notices[0]
        .findings()
        .iter()
        .all(|f| f.outcome == Outcome::Applied && f.action.contains("earlier invocation")));

    // Published once: the tag is gone and a third run is silent.
    let tags = env
        .ec2
        .describe_vpcs()
        .vpc_ids(&seeded.vpc_id)
        .send()
        .await
        .unwrap();
    assert!(tags.vpcs()[0]
        .tags()
        .iter()
        .all(|t| t.key() != Some("vpce-guard:unpublished")));
    let third = network_events(&env.function(&[]), create_subnet())
        .await
        .expect("third");
    assert_eq!(n(&third, "notices_published"), 0, "{third}");
}

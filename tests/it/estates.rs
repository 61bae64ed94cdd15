//! Real estates: teardown (a `DeleteVpc` or `DeleteSubnet` the guard's resources blocked) and
//! VPCs shared by another account, through the Lambda entry points against moto.
//!
//! moto quirks these tests work around: moto never answers `DeleteVpc` with DependencyViolation
//! for endpoints or groups, so the tests send the failed CloudTrail records themselves (the
//! samples in `events/`); and a VPC's `OwnerId` is always moto's own account, so the shared-VPC
//! test rewrites `ownerId` in the DescribeVpcs and DescribeSubnets answers through the proxy.

use crate::common::fault_proxy::{FaultProxy, Rewrite};
use crate::common::*;
use serde_json::Value;
use vpce_guard_core::notice::NoticeEventType;
use vpce_guard_lambda::functions::{compliance_sweep, network_events};

const RELEASED_TAG: &str = "vpce-guard:released";

/// An interface endpoint somebody else created (the guard must never touch it).
async fn foreign_endpoint(env: &Env, vpc_id: &str, subnet_id: &str) -> String {
    env.ec2
        .create_vpc_endpoint()
        .vpc_id(vpc_id)
        .service_name(format!("com.amazonaws.{REGION}.sts"))
        .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
        .subnet_ids(subnet_id)
        .send()
        .await
        .expect("create foreign endpoint")
        .vpc_endpoint()
        .and_then(|e| e.vpc_endpoint_id())
        .expect("endpoint id")
        .to_string()
}

fn ids(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_blocked_vpc_deletion_gets_the_guards_resources_back_and_names_the_rest() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    let guard_endpoints: Vec<String> = env
        .endpoints(&seeded.vpc_id)
        .await
        .iter()
        .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
        .collect();
    assert_eq!(guard_endpoints.len(), 5);
    let group = env.guard_group(&seeded.vpc_id).await.expect("guard group");
    let theirs = foreign_endpoint(&env, &seeded.vpc_id, &seeded.private_subnets[1]).await;
    let blocked = || {
        event(
            "cloudtrail-delete-vpc-dependency-violation.json",
            &[(VPC_PLACEHOLDER, &seeded.vpc_id)],
        )
    };

    let answer = network_events(&env.function(&[]), blocked())
        .await
        .expect("handled");

    let released = &answer["released"];
    assert_eq!(released["resource_id"], seeded.vpc_id.as_str(), "{answer}");
    let mut deleted = ids(&released["deleted"]);
    deleted.sort();
    let mut expected = guard_endpoints.clone();
    expected.push(group.group_id().unwrap().to_string());
    expected.sort();
    assert_eq!(deleted, expected, "{answer}");
    assert_eq!(ids(&released["blockers"]), std::slice::from_ref(&theirs));
    assert!(ids(&released["pending"]).is_empty(), "{answer}");
    let left: Vec<String> = env
        .endpoints(&seeded.vpc_id)
        .await
        .iter()
        .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
        .collect();
    assert_eq!(
        left,
        std::slice::from_ref(&theirs),
        "only the foreign endpoint is left"
    );
    assert!(env.guard_group(&seeded.vpc_id).await.is_none());
    let tag = tag_of(&env, &seeded.vpc_id, RELEASED_TAG)
        .await
        .expect("the VPC is tagged released");
    // `<release time>/<end of the hold>`, the hold being RELEASE_HOLD_HOURS (24 by default).
    let (from, until) = tag.split_once('/').expect("release time / hold end");
    assert!(vpce_guard_core::time::is_rfc3339(from), "{tag}");
    let hold =
        vpce_guard_core::time::parse_rfc3339(until).zip(vpce_guard_core::time::parse_rfc3339(from));
    assert_eq!(hold.map(|(u, f)| u - f), Some(24 * 3600), "{tag}");

    let notices = env.notices().await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].event_type(), NoticeEventType::Released);
    assert_eq!(notices[0].vpc_id(), Some(seeded.vpc_id.as_str()));
    assert!(
        notices[0].summary.contains(&theirs),
        "{}",
        notices[0].summary
    );
    assert_matches_schema(&notices);

    // During the hold nothing is re-created, whatever the trigger.
    let summary = network_events(
        &env.function(&[]),
        create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[0]),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "vpcs_released"), 1, "{summary}");
    assert_eq!(n(&summary, "actions_applied"), 0, "{summary}");
    let sweep = compliance_sweep(&env.function(&[]), event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    assert_eq!(n(&sweep, "vpcs_released"), 1, "{sweep}");
    assert!(env.guard_group(&seeded.vpc_id).await.is_none());

    // A second blocked attempt (Terraform retries) finds nothing of the guard's left.
    let again = network_events(&env.function(&[]), blocked())
        .await
        .expect("handled");
    assert!(ids(&again["released"]["deleted"]).is_empty(), "{again}");
    assert_eq!(
        ids(&again["released"]["blockers"]),
        std::slice::from_ref(&theirs)
    );
    env.notices().await;

    // The tag names its own end: a function whose RELEASE_HOLD_HOURS is now 0 still keeps it.
    let held = network_events(
        &env.function(&[("RELEASE_HOLD_HOURS", "0")]),
        create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[0]),
    )
    .await
    .expect("handled");
    assert_eq!(n(&held, "vpcs_released"), 1, "{held}");
    assert_eq!(n(&held, "actions_applied"), 0, "{held}");

    // After the hold (the tag's end passed), a VPC that still exists is guarded again.
    let day = std::time::Duration::from_secs(86_400);
    let ago =
        |d: u32| vpce_guard_core::time::format_rfc3339(std::time::SystemTime::now() - day * d);
    env.ec2
        .create_tags()
        .resources(&seeded.vpc_id)
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key(RELEASED_TAG)
                .value(format!("{}/{}", ago(2), ago(1)))
                .build(),
        )
        .send()
        .await
        .expect("age the release");
    let summary = network_events(
        &env.function(&[]),
        create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[0]),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "vpcs_released"), 0, "{summary}");
    assert!(n(&summary, "actions_applied") >= 5, "{summary}");
}

#[tokio::test]
async fn a_blocked_subnet_deletion_moves_the_endpoints_within_the_az() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(0).await;
    // A second private subnet in us-east-1a, behind the AZ's private table.
    let spare = env
        .create_subnet(&seeded.vpc_id, "10.0.9.0/24", "us-east-1a")
        .await;
    env.associate(&seeded.private_route_tables[0], &spare).await;
    network_events(
        &env.function(&[]),
        create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[0]),
    )
    .await
    .expect("converge");
    env.notices().await;
    let logs = &env.endpoint_for(&seeded.vpc_id, "logs").await[0];
    let in_a = logs
        .subnet_ids()
        .iter()
        .find(|s| **s == spare || **s == seeded.private_subnets[0])
        .expect("an endpoint subnet in us-east-1a")
        .clone();
    let other_in_a = if in_a == spare {
        seeded.private_subnets[0].clone()
    } else {
        spare.clone()
    };

    let answer = env
        .network_event(
            &[],
            "cloudtrail-delete-subnet-dependency-violation.json",
            &[(SUBNET_PLACEHOLDER, &in_a)],
        )
        .await;

    assert_eq!(answer["released"]["resource_id"], in_a.as_str(), "{answer}");
    assert_eq!(ids(&answer["released"]["moved"]).len(), 3, "{answer}");
    for short in ["ecr.api", "ecr.dkr", "logs"] {
        let endpoint = &env.endpoint_for(&seeded.vpc_id, short).await[0];
        let subnets = endpoint.subnet_ids();
        assert!(!subnets.contains(&in_a), "{short}: {subnets:?}");
        assert!(subnets.contains(&other_in_a), "{short}: {subnets:?}");
        assert!(subnets.contains(&seeded.private_subnets[1]), "{short}");
    }
    assert!(tag_of(&env, &in_a, RELEASED_TAG).await.is_some());
    let notices = env.notices().await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].event_type(), NoticeEventType::Released);
    assert_matches_schema(&notices);

    // The next sweep keeps the endpoints out of the held subnet.
    let sweep = compliance_sweep(&env.function(&[]), event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    assert_eq!(n(&sweep, "actions_failed"), 0, "{sweep}");
    let logs = &env.endpoint_for(&seeded.vpc_id, "logs").await[0];
    assert!(!logs.subnet_ids().contains(&in_a));
}

#[tokio::test]
async fn report_mode_releases_nothing_and_says_what_it_would_remove() {
    let env = Env::new().await;
    let seeded = env.converged(0).await;
    let answer = env
        .network_event(
            &[("GUARD_MODE", "report")],
            "cloudtrail-delete-vpc-dependency-violation.json",
            &[(VPC_PLACEHOLDER, &seeded.vpc_id)],
        )
        .await;
    assert_eq!(ids(&answer["released"]["planned"]).len(), 6, "{answer}");
    assert!(ids(&answer["released"]["deleted"]).is_empty());
    assert_eq!(env.endpoints(&seeded.vpc_id).await.len(), 5);
    assert!(env.guard_group(&seeded.vpc_id).await.is_some());
    assert!(tag_of(&env, &seeded.vpc_id, RELEASED_TAG).await.is_none());
    assert_matches_schema(&env.notices().await);
}

#[tokio::test]
async fn a_vpc_shared_by_its_owner_is_neither_planned_nor_reported() {
    let env = Env::new().await;
    let owned = env.two_az_vpc(0).await;
    let shared = env.two_az_vpc(1).await;
    let proxy = FaultProxy::start(&env.moto.endpoint, 7).await;
    let owner = "999999999999";
    proxy.add_rewrite(Rewrite {
        action: "DescribeVpcs".into(),
        marker: format!("<vpcId>{}</vpcId>", shared.vpc_id),
        element: "ownerId".into(),
        value: owner.into(),
        ..Rewrite::default()
    });
    proxy.add_rewrite(Rewrite {
        action: "DescribeSubnets".into(),
        marker: format!("<vpcId>{}</vpcId>", shared.vpc_id),
        element: "ownerId".into(),
        value: owner.into(),
        ..Rewrite::default()
    });
    let function = env.function_via_ec2(&[], &proxy.endpoint);

    let sweep = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("sweep");

    assert_eq!(n(&sweep, "vpcs_not_owned"), 1, "{sweep}");
    assert_eq!(n(&sweep, "actions_failed"), 0, "{sweep}");
    assert!(env.endpoints(&shared.vpc_id).await.is_empty());
    assert!(env.guard_group(&shared.vpc_id).await.is_none());
    assert_eq!(env.endpoints(&owned.vpc_id).await.len(), 5);
    let notices = env.notices().await;
    assert!(notices
        .iter()
        .all(|n| n.vpc_id() != Some(shared.vpc_id.as_str())));
    let summary = notices
        .iter()
        .find(|n| n.event_type() == NoticeEventType::SweepSummary)
        .and_then(|n| n.totals().cloned())
        .expect("sweep summary");
    assert_eq!(summary.counters.vpcs_not_owned, 1);
    // No per-VPC read for the shared VPC either.
    assert!(proxy.seen().iter().all(|s| {
        s.action != "DescribeVpcAttribute"
            || s.params.get("VpcId").map(String::as_str) != Some(shared.vpc_id.as_str())
    }));

    // An event naming the shared VPC is skipped the same way.
    let summary = network_events(
        &function,
        create_subnet_event(&shared.vpc_id, &shared.private_subnets[0]),
    )
    .await
    .expect("handled");
    assert_eq!(n(&summary, "vpcs_not_owned"), 1, "{summary}");
    assert_eq!(n(&summary, "actions_applied"), 0, "{summary}");
    assert!(env.notices().await.is_empty());
}

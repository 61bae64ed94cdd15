//! The `compliance-sweep` handler against a real moto server: many VPCs, mixed drift, notices
//! read back from an SQS queue subscribed to the topic, and the request count on the wire.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::common::*;
use vpce_guard_adapters::{ApiCallCounter, Ec2Adapter, SnsAdapter};
use vpce_guard_core::error::ApiError;
use vpce_guard_core::events::ResourceRefs;
use vpce_guard_core::model::{DnsAttributes, Observation};
use vpce_guard_core::notice::{Notice, NoticeEventType, Outcome};
use vpce_guard_core::planner::{Drift, Remedy};
use vpce_guard_core::ports::{
    Ec2Bookkeeping, Ec2Inventory, Ec2Remediation, RequestMetrics, Resolution, Scope,
};
use vpce_guard_core::resource_id::{SecurityGroupId, VpcId};
use vpce_guard_lambda::functions::compliance_sweep;
use vpce_guard_service::{Guard, SCHEDULE_TRIGGER};

const DESCRIBES: [&str; 6] = [
    "DescribeVpcs",
    "DescribeSubnets",
    "DescribeRouteTables",
    "DescribeVpcEndpoints",
    "DescribeSecurityGroups",
    "DescribeVpcEndpointServices",
];

fn svc(short: &str) -> Option<String> {
    Some(format!("com.amazonaws.{REGION}.{short}"))
}

type DriftSet = BTreeSet<(Option<String>, Drift)>;

fn drift_set(notice: &Notice) -> DriftSet {
    notice
        .findings()
        .iter()
        .map(|f| (f.service.clone(), f.drift))
        .collect()
}

fn calls(summary: &serde_json::Value) -> BTreeMap<String, u64> {
    serde_json::from_value(run_summary(summary)["api_calls_by_action"].clone())
        .expect("api_calls_by_action")
}

#[tokio::test]
async fn sweep_over_fifty_vpcs_with_mixed_drift_reports_exactly_the_drift_and_fixes_it() {
    let env = Env::new().await;
    let function = env.function(&[]);
    let mut vpcs = Vec::new();
    for i in 0..50u8 {
        vpcs.push(env.two_az_vpc(i + 1).await);
    }
    // Converge everything (default VPC included), then break VPCs in different ways.
    let first = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("first sweep");
    assert_eq!(n(&first, "actions_failed"), 0, "{first}");
    env.notices().await;

    let mut expected: BTreeMap<String, DriftSet> = BTreeMap::new();
    for (i, vpc) in vpcs.iter().enumerate() {
        let id = vpc.vpc_id.clone();
        match i % 10 {
            0 | 1 => {
                let logs = env.endpoint_for(&id, "logs").await[0]
                    .vpc_endpoint_id()
                    .unwrap()
                    .to_string();
                env.ec2
                    .delete_vpc_endpoints()
                    .vpc_endpoint_ids(logs)
                    .send()
                    .await
                    .unwrap();
                expected.insert(id, [(svc("logs"), Drift::MissingEndpoint)].into());
            }
            2 | 3 => {
                env.create_route_table(&id).await;
                expected.insert(
                    id,
                    [
                        (svc("s3"), Drift::RouteTableNotAssociated),
                        (svc("dynamodb"), Drift::RouteTableNotAssociated),
                    ]
                    .into(),
                );
            }
            4 | 5 => {
                let octet = i + 1;
                let subnet = env
                    .create_subnet(&id, &format!("10.{octet}.30.0/24"), "us-east-1c")
                    .await;
                env.associate(&vpc.private_route_tables[0], &subnet).await;
                expected.insert(
                    id,
                    [
                        (svc("ecr.api"), Drift::AzNotCovered),
                        (svc("ecr.dkr"), Drift::AzNotCovered),
                        (svc("logs"), Drift::AzNotCovered),
                    ]
                    .into(),
                );
            }
            6 => {
                env.ec2
                    .associate_vpc_cidr_block()
                    .vpc_id(&id)
                    .cidr_block(format!("10.{}.0.0/16", 100 + i))
                    .send()
                    .await
                    .unwrap();
                expected.insert(id, [(None, Drift::SecurityGroupRuleMissing)].into());
            }
            7 => {
                // Exempt and drifted: skipped, no notice.
                env.tag(&id, "vpce-guard:exempt", "true").await;
                env.create_route_table(&id).await;
            }
            _ => {} // compliant
        }
    }

    // Report mode first: exactly the drift, nothing changed.
    let report_function = env.function(&[("GUARD_MODE", "report")]);
    let report = compliance_sweep(&report_function, event("scheduled-event.json", &[]))
        .await
        .expect("report sweep");
    assert_eq!(
        n(&report, "vpcs_drifted"),
        expected.len() as u64,
        "{report}"
    );
    assert_eq!(n(&report, "vpcs_exempt"), 5);
    assert_eq!(
        n(&report, "vpcs_checked"),
        51,
        "50 seeded + the default VPC"
    );
    assert_eq!(n(&report, "vpcs_compliant"), 51 - 5 - expected.len() as u64);
    assert_eq!(n(&report, "actions_applied"), 0);
    let report_calls = calls(&report);
    for action in DESCRIBES {
        assert_eq!(
            report_calls.get(action),
            Some(&1),
            "{action} once per sweep, whatever the VPC count: {report_calls:?}"
        );
    }
    // Per-VPC reads only for drifted VPCs whose remedies need private DNS (the recreated logs endpoints).
    assert_eq!(
        report_calls.get("DescribeVpcAttribute"),
        Some(&(2 * 10)),
        "{report_calls:?}"
    );

    let notices = env.notices().await;
    let (summaries, vpc_notices): (Vec<Notice>, Vec<Notice>) = notices
        .into_iter()
        .partition(|n| n.event_type() == NoticeEventType::SweepSummary);
    assert_eq!(summaries.len(), 1);
    let totals = summaries[0].totals().expect("totals");
    assert_eq!(totals.counters.vpcs_drifted, expected.len() as u64);
    assert_eq!(totals.counters.notices_published, expected.len() as u64 + 1);
    let seen: BTreeMap<String, DriftSet> = vpc_notices
        .iter()
        .map(|n| {
            (
                n.vpc_id().map(str::to_string).expect("vpc notice"),
                drift_set(n),
            )
        })
        .collect();
    assert_eq!(vpc_notices.len(), seen.len(), "one notice per drifted VPC");
    assert_eq!(seen, expected);
    assert!(vpc_notices
        .iter()
        .all(|n| n.event_type() == NoticeEventType::DriftDetected && n.trigger == "schedule"));
    assert!(vpc_notices
        .iter()
        .flat_map(|n| n.findings())
        .all(|f| f.outcome == Outcome::Planned));

    // Remediate: the same drift, now applied.
    let fix = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("remediating sweep");
    assert_eq!(n(&fix, "actions_failed"), 0, "{fix}");
    assert_eq!(n(&fix, "vpcs_drifted"), expected.len() as u64);
    let notices = env.notices().await;
    let fixed: BTreeMap<String, DriftSet> = notices
        .iter()
        .filter(|n| n.event_type() == NoticeEventType::Remediated)
        .map(|n| (n.vpc_id().map(str::to_string).unwrap(), drift_set(n)))
        .collect();
    assert_eq!(fixed, expected);

    // Then everything but the exempt VPCs is compliant, and a sweep costs the same few reads.
    let clean = compliance_sweep(&report_function, event("scheduled-event.json", &[]))
        .await
        .expect("clean sweep");
    assert_eq!(n(&clean, "vpcs_drifted"), 0, "{clean}");
    assert_eq!(n(&clean, "vpcs_compliant"), 46);
    let clean_calls = calls(&clean);
    let expected_calls: BTreeMap<String, u64> = DESCRIBES
        .iter()
        .map(|a| (a.to_string(), 1))
        .chain([("PublishBatch".to_string(), 1)])
        .collect();
    assert_eq!(
        clean_calls, expected_calls,
        "a compliant region costs 6 reads and 1 publish"
    );
    let notices = env.notices().await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].event_type(), NoticeEventType::SweepSummary);
}

#[tokio::test]
async fn reads_do_not_grow_with_the_number_of_compliant_vpcs() {
    let env = Env::new().await;
    let function = env.function(&[]);
    let mut per_size = Vec::new();
    for batch in [1u8, 10] {
        for i in 0..batch {
            env.two_az_vpc(100 + per_size.len() as u8 * 20 + i).await;
        }
        compliance_sweep(&function, event("scheduled-event.json", &[]))
            .await
            .expect("converge");
        let report = compliance_sweep(
            &env.function(&[("GUARD_MODE", "report")]),
            event("scheduled-event.json", &[]),
        )
        .await
        .expect("report");
        assert_eq!(n(&report, "vpcs_drifted"), 0, "{report}");
        per_size.push((n(&report, "vpcs_checked"), n(&report, "api_calls")));
    }
    assert!(per_size[1].0 > per_size[0].0 + 9, "{per_size:?}");
    assert_eq!(
        per_size[0].1, per_size[1].1,
        "same request count for {per_size:?}"
    );
    assert_eq!(per_size[0].1, 7, "6 batched reads + 1 publish");
}

/// Wraps the real EC2 adapter and fails every write to one VPC, as a throttled or broken
/// account would.
struct FailingFor {
    inner: Ec2Adapter,
    vpc_id: String,
}

impl Ec2Inventory for FailingFor {
    async fn observe(&self, scope: &Scope, names: &[String]) -> Result<Observation, ApiError> {
        self.inner.observe(scope, names).await
    }

    async fn dns_attributes(&self, vpc_id: &str) -> Result<DnsAttributes, ApiError> {
        self.inner.dns_attributes(vpc_id).await
    }

    async fn resolve_vpcs(&self, refs: &ResourceRefs) -> Result<Resolution, ApiError> {
        self.inner.resolve_vpcs(refs).await
    }

    async fn endpoints_remaining(&self, ids: &[String]) -> Result<Vec<String>, ApiError> {
        self.inner.endpoints_remaining(ids).await
    }
}

impl Ec2Remediation for FailingFor {
    async fn ensure_guard_security_group(
        &self,
        vpc_id: &VpcId,
        cidrs: &[String],
    ) -> Result<SecurityGroupId, ApiError> {
        if *vpc_id == self.vpc_id {
            return Err(ApiError::new(
                "CreateSecurityGroup",
                "RequestLimitExceeded",
                "Request limit exceeded.",
            ));
        }
        self.inner.ensure_guard_security_group(vpc_id, cidrs).await
    }

    async fn apply(&self, vpc_id: &VpcId, remedy: &Remedy) -> Result<Option<String>, ApiError> {
        if *vpc_id == self.vpc_id {
            return Err(ApiError::new(
                "CreateVpcEndpoint",
                "RequestLimitExceeded",
                "Request limit exceeded.",
            ));
        }
        self.inner.apply(vpc_id, remedy).await
    }
}

impl Ec2Bookkeeping for FailingFor {
    async fn mark_unpublished(&self, vpc_id: &str, value: &str) -> Result<(), ApiError> {
        self.inner.mark_unpublished(vpc_id, value).await
    }

    async fn clear_unpublished(&self, vpc_ids: &[String]) -> Result<(), ApiError> {
        self.inner.clear_unpublished(vpc_ids).await
    }

    async fn mark_released(&self, resource_id: &str, at: &str) -> Result<(), ApiError> {
        self.inner.mark_released(resource_id, at).await
    }
}

#[tokio::test]
async fn one_vpcs_failure_never_stops_the_others() {
    let env = Env::new().await;
    let broken = env.two_az_vpc(1).await;
    let healthy = env.two_az_vpc(2).await;
    let counter = ApiCallCounter::new();
    let ec2 = FailingFor {
        inner: Ec2Adapter::new(aws_sdk_ec2::Client::new(&env.sdk)),
        vpc_id: broken.vpc_id.clone(),
    };
    let sns = SnsAdapter::new(aws_sdk_sns::Client::new(&env.sdk), env.topic_arn.clone());
    let guard = Guard::new(ec2, sns, env.config(&[]).run, REGION).with_metrics(Arc::new(counter));

    // A custom EC2 port: the guard is driven directly (the Lambda entry points build their own
    // adapters), through the same sweep the compliance-sweep function runs.
    let report = guard
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .expect("sweep completes");
    let summary = serde_json::to_value(&report.summary).expect("summary is JSON");
    assert_eq!(n(&summary, "actions_failed"), 6, "{summary}");
    assert_eq!(env.endpoints(&healthy.vpc_id).await.len(), 5);
    assert!(env.endpoints(&broken.vpc_id).await.is_empty());

    let notices = env.notices().await;
    let failed = notices
        .iter()
        .find(|n| n.vpc_id() == Some(broken.vpc_id.as_str()))
        .expect("notice for the failing VPC");
    assert_eq!(failed.event_type(), NoticeEventType::RemediationFailed);
    for f in failed.findings() {
        assert_eq!(f.outcome, Outcome::Failed);
        let error = f.error.as_deref().unwrap();
        assert!(
            error.contains("RequestLimitExceeded") || error.contains("skipped"),
            "{error}"
        );
    }
    let ok = notices
        .iter()
        .find(|n| n.vpc_id() == Some(healthy.vpc_id.as_str()))
        .unwrap();
    assert_eq!(ok.event_type(), NoticeEventType::Remediated);
    let summary_notice = notices
        .iter()
        .find(|n| n.event_type() == NoticeEventType::SweepSummary)
        .unwrap();
    assert_eq!(
        summary_notice
            .totals()
            .as_ref()
            .unwrap()
            .counters
            .actions_failed,
        6
    );
}

#[tokio::test]
async fn network_events_are_not_swept() {
    let env = Env::new().await;
    let vpc = env.create_vpc("10.0.0.0/16").await;
    let out = compliance_sweep(
        &env.function(&[]),
        event("cloudtrail-create-vpc.json", &[(VPC_PLACEHOLDER, &vpc)]),
    )
    .await
    .expect("ignored");
    assert_eq!(out["ignored"], true);
    assert!(env.endpoints(&vpc).await.is_empty());
}

/// The five preset services' names in the test Region.
fn preset_services() -> Vec<String> {
    ["s3", "dynamodb", "ecr.api", "ecr.dkr", "logs"]
        .iter()
        .map(|s| format!("com.amazonaws.{REGION}.{s}"))
        .collect()
}

/// An EC2 adapter over `env`'s SDK configuration, with a counter of its requests.
fn counted_adapter(env: &Env) -> (Ec2Adapter, ApiCallCounter) {
    let counter = ApiCallCounter::new();
    let config = aws_sdk_ec2::config::Builder::from(&env.sdk)
        .interceptor(counter.clone())
        .build();
    (
        Ec2Adapter::new(aws_sdk_ec2::Client::from_conf(config)),
        counter,
    )
}

/// Large fleets read subnets, route tables and endpoints one after another (to bound memory);
/// what they observe, and the requests they make, are the same as side by side.
#[tokio::test]
async fn the_reads_of_a_large_fleet_one_after_another_observe_the_same_as_side_by_side() {
    let env = Env::new().await;
    let converged = env.converged(1).await;
    let bare = env.two_az_vpc(2).await;
    let services = preset_services();
    let observe = |vpcs_side_by_side: usize, scope: Scope| {
        let (adapter, counter) = counted_adapter(&env);
        let adapter = adapter.with_concurrent_reads_up_to(vpcs_side_by_side);
        let services = services.clone();
        async move {
            let observation = adapter.observe(&scope, &services).await.expect("observed");
            (format!("{observation:?}"), counter.requests_by_action())
        }
    };
    for scope in [
        Scope::Region,
        Scope::Vpcs(vec![converged.vpc_id.clone(), bare.vpc_id.clone()]),
    ] {
        let (side_by_side, side_by_side_requests) = observe(1_000, scope.clone()).await;
        let (in_turn, in_turn_requests) = observe(0, scope.clone()).await;
        assert_eq!(in_turn, side_by_side, "{scope:?}");
        assert_eq!(in_turn_requests, side_by_side_requests, "{scope:?}");
        assert_eq!(
            in_turn_requests.values().sum::<u64>(),
            6,
            "{in_turn_requests:?}"
        );
        assert!(side_by_side.contains(&converged.vpc_id) && side_by_side.contains(&bare.vpc_id));
        assert!(
            side_by_side.contains("vpce-"),
            "the converged VPC's endpoints"
        );
    }
}

/// The endpoints, route tables and subnets answers are parsed straight into the core's model; on
/// moto's answers that reading observes exactly what the SDK's reading does, with the same
/// requests: the guard's own endpoints, a foreign gateway endpoint with a policy and tags that
/// need XML escaping, routes to an internet gateway and to endpoints, a dual-stack subnet and
/// the release tag.
#[tokio::test]
async fn the_answers_parsed_directly_observe_the_same_as_the_sdk_reading() {
    let env = Env::new().await;
    let converged = env.converged(1).await;
    let bare = env.two_az_vpc(2).await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::a&b<c>/*"}]}"#;
    let foreign = env
        .ec2
        .create_vpc_endpoint()
        .vpc_id(&bare.vpc_id)
        .service_name(format!("com.amazonaws.{REGION}.s3"))
        .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Gateway)
        .route_table_ids(env.main_route_table(&bare.vpc_id).await)
        .policy_document(policy)
        .send()
        .await
        .expect("create a foreign gateway endpoint")
        .vpc_endpoint()
        .and_then(|e| e.vpc_endpoint_id())
        .expect("endpoint id")
        .to_string();
    env.tag(&foreign, "team", "data & \"analytics\" <eu>").await;
    env.tag(
        &bare.private_subnets[0],
        "vpce-guard:released",
        "2026-12-01T00:00:00Z",
    )
    .await;
    let vpc_block = env.amazon_ipv6_block(&bare.vpc_id).await;
    env.ec2
        .associate_subnet_cidr_block()
        .subnet_id(&bare.private_subnets[1])
        .ipv6_cidr_block(vpc_block.replace("::/56", "::/64"))
        .send()
        .await
        .expect("associate a subnet IPv6 block");
    let services = preset_services();
    let observe = |sdk_only: bool, scope: Scope| {
        let (mut adapter, counter) = counted_adapter(&env);
        if sdk_only {
            adapter = adapter.with_sdk_parsing_only();
        }
        let services = services.clone();
        async move {
            let observation = adapter.observe(&scope, &services).await.expect("observed");
            (
                observation,
                counter.requests_by_action(),
                adapter.pages_parsed_directly(),
            )
        }
    };
    for scope in [
        Scope::Region,
        Scope::Vpcs(vec![converged.vpc_id.clone(), bare.vpc_id.clone()]),
    ] {
        let (direct, direct_requests, direct_pages) = observe(false, scope.clone()).await;
        let (sdk, sdk_requests, sdk_pages) = observe(true, scope.clone()).await;
        assert_eq!(
            direct_pages, 3,
            "one page each of endpoints, route tables and subnets"
        );
        assert_eq!(sdk_pages, 0);
        assert_eq!(direct.endpoints, sdk.endpoints, "{scope:?}");
        assert_eq!(direct.route_tables, sdk.route_tables, "{scope:?}");
        assert_eq!(direct.subnets, sdk.subnets, "{scope:?}");
        assert_eq!(format!("{direct:?}"), format!("{sdk:?}"), "{scope:?}");
        assert_eq!(direct_requests, sdk_requests, "{scope:?}");
        let ours = direct
            .endpoints
            .iter()
            .filter(|e| e.vpc_id == converged.vpc_id)
            .collect::<Vec<_>>();
        assert_eq!(ours.len(), 5, "{ours:?}");
        assert!(ours.iter().all(|e| e.managed));
        let theirs = direct
            .endpoints
            .iter()
            .find(|e| e.id == foreign)
            .expect("the foreign endpoint");
        assert!(!theirs.managed);
        assert_eq!(theirs.policy.as_deref(), Some(policy));
        let subnet = |id: &str| {
            direct
                .subnets
                .iter()
                .find(|s| s.id == id)
                .cloned()
                .expect("the subnet")
        };
        assert!(subnet(&bare.private_subnets[1]).ipv6);
        assert!(!subnet(&bare.private_subnets[0]).ipv6);
        assert_eq!(subnet(&bare.private_subnets[0]).tags.len(), 1);
        let routes_to_endpoints = direct
            .route_tables
            .iter()
            .filter(|t| t.vpc_id == converged.vpc_id)
            .flat_map(|t| &t.routes)
            .filter(|r| r.target.starts_with("vpce-") && r.destination.starts_with("pl-"))
            .count();
        assert!(routes_to_endpoints >= 2, "the gateway endpoints' routes");
        assert!(direct
            .route_tables
            .iter()
            .any(|t| t.vpc_id == bare.vpc_id && !t.is_private()));
    }
}

//! Does it pay? Through the compliance-sweep entry point against moto: interface endpoints'
//! `BytesProcessed` seeded with PutMetricData in both dimension sets AWS publishes, NAT bytes
//! before and after the guard's endpoints, endpoints aged through the EC2 proxy. The usage check
//! judges every interface endpoint, verifies the saving, prunes only the guard's idle ones (with
//! PRUNE_UNUSED), and the hold keeps them pruned; its reads cost the same few requests however
//! many VPCs there are.
//!
//! moto quirks worked around here:
//! - moto stamps every endpoint's `creationTimestamp` with the time of the call, so the proxy
//!   rewrites it in DescribeVpcEndpoints to age the endpoints past the usage window.
//! - moto's PutMetricData accepts timestamps of any age (CloudWatch takes at most two weeks in
//!   the past), which is what lets the tests seed 90 days of history.
//! - GetMetricData with dimensions ignores the namespace in moto; the metric names differ per
//!   namespace (`BytesProcessed`, `BytesOutToDestination`), so the answers are AWS's.

use std::time::{Duration, SystemTime};

use crate::common::fault_proxy::{FaultProxy, Rewrite};
use crate::common::*;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use vpce_guard_core::notice::{NoticeEventType, Outcome};
use vpce_guard_core::planner::Drift;
use vpce_guard_core::traffic::BYTES_PER_GB;
use vpce_guard_core::usage::SavingsStatus;
use vpce_guard_lambda::functions::compliance_sweep;

const DAY: u64 = 86_400;

/// `values` as (days ago, bytes) of `metric` with `dimensions` in `namespace`: each at noon UTC
/// of its day, so the day a point falls on never depends on the time of day the test runs (the
/// usage check sums whole UTC days).
async fn put(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    namespace: &str,
    metric: &str,
    dimensions: &[(&str, &str)],
    values: &[(u64, f64)],
) {
    let since_epoch = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let noon_today =
        SystemTime::UNIX_EPOCH + Duration::from_secs(since_epoch / DAY * DAY + DAY / 2);
    for chunk in values.chunks(20) {
        let data: Vec<MetricDatum> = chunk
            .iter()
            .map(|(days_ago, bytes)| {
                let mut datum = MetricDatum::builder()
                    .metric_name(metric)
                    .timestamp(DateTime::from(
                        noon_today - Duration::from_secs(days_ago * DAY),
                    ))
                    .value(*bytes);
                for (name, value) in dimensions {
                    datum =
                        datum.dimensions(Dimension::builder().name(*name).value(*value).build());
                }
                datum.build()
            })
            .collect();
        cloudwatch
            .put_metric_data()
            .namespace(namespace)
            .set_metric_data(Some(data))
            .send()
            .await
            .expect("put metric data");
    }
}

/// `gib_a_day` through `endpoint` on each of the last 20 days, in both dimension sets: the
/// endpoint's total, and the same bytes split over `busy_subnets`.
async fn endpoint_traffic(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    endpoint: &aws_sdk_ec2::types::VpcEndpoint,
    busy_subnets: &[&str],
    gib_a_day: f64,
) {
    let id = endpoint.vpc_endpoint_id().unwrap_or_default();
    let vpc = endpoint.vpc_id().unwrap_or_default();
    let service = endpoint.service_name().unwrap_or_default();
    let base = [
        ("Endpoint Type", "Interface"),
        ("Service Name", service),
        ("VPC Endpoint Id", id),
        ("VPC Id", vpc),
    ];
    let days: Vec<(u64, f64)> = (1..=20).map(|d| (d, gib_a_day * BYTES_PER_GB)).collect();
    put(
        cloudwatch,
        "AWS/PrivateLinkEndpoints",
        "BytesProcessed",
        &base,
        &days,
    )
    .await;
    let share: Vec<(u64, f64)> = days
        .iter()
        .map(|(d, b)| (*d, b / busy_subnets.len() as f64))
        .collect();
    for subnet in busy_subnets {
        let mut dims = base.to_vec();
        dims.push(("Subnet Id", subnet));
        put(
            cloudwatch,
            "AWS/PrivateLinkEndpoints",
            "BytesProcessed",
            &dims,
            &share,
        )
        .await;
    }
}

/// NAT traffic of `gateway`: 100 GiB a day from 90 to 61 days ago, 40 GiB a day since, half
/// out to destinations and half back in.
async fn nat_history(cloudwatch: &aws_sdk_cloudwatch::Client, gateway: &str) {
    let days: Vec<(u64, f64)> = (1..=90)
        .map(|d| {
            let gib = if d > 60 { 100.0 } else { 40.0 };
            (d, gib / 2.0 * BYTES_PER_GB)
        })
        .collect();
    for metric in ["BytesOutToDestination", "BytesInFromDestination"] {
        put(
            cloudwatch,
            "AWS/NATGateway",
            metric,
            &[("NatGatewayId", gateway)],
            &days,
        )
        .await;
    }
}

/// `creationTimestamp` of every endpoint moved 60 days back.
fn age_endpoints(proxy: &FaultProxy) {
    let created =
        vpce_guard_core::time::format_rfc3339(SystemTime::now() - Duration::from_secs(60 * DAY));
    proxy.add_rewrite(Rewrite {
        action: "DescribeVpcEndpoints".into(),
        marker: "<vpcEndpointId>vpce-".into(),
        element: "creationTimestamp".into(),
        value: created,
        ..Rewrite::default()
    });
}

fn short(endpoint: &aws_sdk_ec2::types::VpcEndpoint) -> &str {
    endpoint
        .service_name()
        .unwrap_or_default()
        .rsplit_once("us-east-1.")
        .map(|(_, s)| s)
        .unwrap_or_default()
}

#[tokio::test]
async fn the_usage_check_measures_verifies_and_prunes_only_the_guards_idle_endpoints() {
    let env = Env::new().await;
    exempt_default_vpc(&env).await;
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&env.sdk);
    let vpcs = [
        env.two_az_vpc(1).await,
        env.two_az_vpc(2).await,
        env.two_az_vpc(3).await,
    ];
    let remediate = [("GUARD_MODE", "remediate"), ("USAGE_CHECK", "off")];
    compliance_sweep(
        &env.function(&remediate),
        event("scheduled-event.json", &[]),
    )
    .await
    .expect("first sweep builds the endpoints");
    let main = &vpcs[0];
    // Someone else's idle endpoint in the same VPC.
    let theirs = env
        .ec2
        .create_vpc_endpoint()
        .vpc_id(&main.vpc_id)
        .service_name("com.amazonaws.us-east-1.sqs")
        .vpc_endpoint_type(aws_sdk_ec2::types::VpcEndpointType::Interface)
        .set_subnet_ids(Some(main.private_subnets.clone()))
        .send()
        .await
        .expect("their endpoint")
        .vpc_endpoint()
        .and_then(|e| e.vpc_endpoint_id())
        .expect("id")
        .to_string();
    // ecr.api carries traffic in both AZs, ecr.dkr in one, logs nothing (in every VPC).
    for vpc in &vpcs {
        for endpoint in env.endpoints(&vpc.vpc_id).await {
            match short(&endpoint) {
                "ecr.api" => {
                    let subnets: Vec<&str> =
                        vpc.private_subnets.iter().map(String::as_str).collect();
                    endpoint_traffic(&cloudwatch, &endpoint, &subnets, 50.0).await
                }
                "ecr.dkr" => {
                    endpoint_traffic(&cloudwatch, &endpoint, &[&vpc.private_subnets[0]], 50.0).await
                }
                _ => {}
            }
        }
    }
    let gateway = env.nat_gateway(&main.public_subnets[0]).await;
    nat_history(&cloudwatch, &gateway).await;

    let proxy = FaultProxy::start(&env.moto.endpoint, 11).await;
    age_endpoints(&proxy);
    let settings = [
        ("GUARD_MODE", "remediate"),
        ("USAGE_CHECK", "every_sweep"),
        ("PRUNE_UNUSED", "true"),
    ];
    let function = env.function_via_ec2(&settings, &proxy.endpoint);
    let answer = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("usage sweep");
    let summary = run_summary(&answer);
    assert_eq!(n(&answer, "actions_failed"), 0, "{answer}");
    assert_eq!(n(&answer, "usage_checked"), 1, "{summary}");
    // 3 VPCs × 3 interface endpoints, and theirs.
    assert_eq!(n(&answer, "endpoints_measured"), 10, "{summary}");
    assert_eq!(
        n(&answer, "endpoints_idle"),
        4,
        "logs in each VPC, and theirs"
    );
    assert_eq!(
        n(&answer, "endpoint_azs_idle"),
        3,
        "ecr.dkr's second AZ in each VPC"
    );
    assert_eq!(n(&answer, "endpoints_pruned"), 6, "the guard's own only");
    assert_eq!(
        n(&answer, "vpcs_savings_verified"),
        1,
        "the one VPC with a NAT gateway"
    );
    assert!(
        summary["verified_monthly_saving_usd"]
            .as_f64()
            .unwrap_or(0.0)
            > 0.0
    );
    assert!(summary["idle_monthly_cost_usd"].as_f64().unwrap_or(0.0) > 0.0);
    let calls = &summary["api_calls_by_action"];
    // One request for 3 × (3 × 3) + 3 endpoint queries, one for the NAT gateway's two metrics.
    assert_eq!(calls["GetMetricData"], 2, "{calls}");
    // 3 VPCs × 3 endpoints × (1 + 2 subnets), theirs (3), the NAT gateway's two metrics.
    assert_eq!(n(&answer, "cloudwatch_metrics_requested"), 27 + 3 + 2);
    assert_eq!(calls["DescribeNatGateways"], 1, "{calls}");

    // The guard's idle logs endpoints are gone; theirs stays; ecr.dkr keeps its busy AZ.
    let left = env.endpoints(&main.vpc_id).await;
    assert!(left.iter().all(|e| short(e) != "logs"), "pruned");
    assert!(left
        .iter()
        .any(|e| e.vpc_endpoint_id() == Some(theirs.as_str())));
    let dkr = left
        .iter()
        .find(|e| short(e) == "ecr.dkr")
        .expect("ecr.dkr");
    assert_eq!(dkr.subnet_ids(), [main.private_subnets[0].clone()]);
    let hold = |service: &str| format!("vpce-guard:pruned:com.amazonaws.us-east-1.{service}");
    assert_eq!(
        tag_of(&env, &main.vpc_id, &hold("logs")).await.as_deref(),
        Some("endpoint")
    );
    assert_eq!(
        tag_of(&env, &main.vpc_id, &hold("ecr.dkr"))
            .await
            .as_deref(),
        Some("us-east-1b")
    );

    // Every prune is announced; the notices match the schema.
    let notices = env.notices().await;
    assert_matches_schema(&notices);
    // The first sweep's notices (the endpoints created) come first: the usage sweep's carries
    // the savings.
    let notice = notices
        .iter()
        .find(|n| {
            n.vpc_id() == Some(main.vpc_id.as_str()) && n.vpc().is_some_and(|v| v.savings.is_some())
        })
        .expect("the VPC's notice");
    assert_eq!(notice.event_type(), NoticeEventType::Remediated);
    let idle: Vec<_> = notice
        .findings()
        .iter()
        .filter(|f| f.drift == Drift::EndpointIdle)
        .collect();
    assert_eq!(idle.len(), 2);
    assert!(idle.iter().any(|f| f.outcome == Outcome::Applied));
    let foreign = idle
        .iter()
        .find(|f| f.resource_ids.first() == Some(&theirs))
        .expect("their endpoint's finding");
    assert_eq!(foreign.outcome, Outcome::NotRemediable);
    let savings = notice
        .vpc()
        .and_then(|v| v.savings.as_ref())
        .expect("savings");
    assert_eq!(savings.status, SavingsStatus::Verified);
    let reduction = savings.nat_reduction_pct.unwrap_or_default();
    assert!((reduction - 60.0).abs() < 1.0, "{savings:?}");

    // The next sweep creates nothing back.
    let again = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("next sweep");
    assert_eq!(n(&again, "actions_applied"), 0, "{again}");
    assert_eq!(n(&again, "endpoints_pruned"), 0);
    assert!(env.endpoint_for(&main.vpc_id, "logs").await.is_empty());
}

#[tokio::test]
async fn daily_reads_only_on_the_days_first_sweep_and_never_on_events() {
    let env = Env::new().await;
    exempt_default_vpc(&env).await;
    env.two_az_vpc(1).await;
    // 00:10 UTC: the first sweep of the day reads usage (the default, `daily`).
    let first = event(
        "scheduled-event.json",
        &[("2025-03-14T12:00:00Z", "2026-12-01T00:10:00Z")],
    );
    let answer = compliance_sweep(&env.function(&[]), first)
        .await
        .expect("sweep");
    assert_eq!(n(&answer, "usage_checked"), 1, "{answer}");
    let later = event(
        "scheduled-event.json",
        &[("2025-03-14T12:00:00Z", "2026-12-01T12:00:00Z")],
    );
    let answer = compliance_sweep(&env.function(&[]), later)
        .await
        .expect("sweep");
    assert_eq!(n(&answer, "usage_checked"), 0, "{answer}");
    assert!(run_summary(&answer)["api_calls_by_action"]
        .get("GetMetricData")
        .is_none());
    let off = event(
        "scheduled-event.json",
        &[("2025-03-14T12:00:00Z", "2026-12-01T00:10:00Z")],
    );
    let answer = compliance_sweep(&env.function(&[("USAGE_CHECK", "off")]), off)
        .await
        .expect("sweep");
    assert_eq!(n(&answer, "usage_checked"), 0, "{answer}");
}

fn json_of(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// `vpce-guard usage` and `savings` read the same figures, change nothing, and print the
/// runbook's before/after table. The CLI reaches EC2 through the proxy that ages the
/// endpoints (`AWS_ENDPOINT_URL_EC2`), CloudWatch directly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_lists_every_endpoint_and_the_before_after_table() {
    let env = Env::new().await;
    exempt_default_vpc(&env).await;
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&env.sdk);
    let vpc = env.two_az_vpc(1).await;
    compliance_sweep(
        &env.function(&[("GUARD_MODE", "remediate"), ("USAGE_CHECK", "off")]),
        event("scheduled-event.json", &[]),
    )
    .await
    .expect("sweep builds the endpoints");
    for endpoint in env.endpoints(&vpc.vpc_id).await {
        if short(&endpoint) == "ecr.api" {
            let subnets: Vec<&str> = vpc.private_subnets.iter().map(String::as_str).collect();
            endpoint_traffic(&cloudwatch, &endpoint, &subnets, 50.0).await;
        }
    }
    let gateway = env.nat_gateway(&vpc.public_subnets[0]).await;
    nat_history(&cloudwatch, &gateway).await;
    let proxy = FaultProxy::start(&env.moto.endpoint, 13).await;
    age_endpoints(&proxy);
    let run = |args: &[&str]| {
        let mut cmd = crate::cli::cli(&env);
        cmd.env("AWS_ENDPOINT_URL_EC2", &proxy.endpoint)
            .args(args)
            .assert()
            .code(0)
            .get_output()
            .clone()
    };

    let usage = json_of(&run(&["usage", "--region", REGION, "--output", "json"]));
    assert_eq!(usage["schema"], "vpce-guard.usage/v1");
    let endpoints = usage["endpoints"].as_array().expect("endpoints");
    assert_eq!(endpoints.len(), 3, "the interface endpoints only: {usage}");
    let verdict = |service: &str| {
        endpoints
            .iter()
            .find(|e| e["service"] == format!("com.amazonaws.{REGION}.{service}"))
            .map(|e| e["verdict"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(verdict("ecr.api").as_deref(), Some("pays"));
    assert_eq!(verdict("logs").as_deref(), Some("idle"));
    for e in endpoints {
        assert_eq!(e["account_id"], ACCOUNT);
        assert_eq!(e["region"], REGION);
        assert_eq!(e["owner"], "guard");
        assert_eq!(e["azs"].as_array().map(Vec::len), Some(2));
        assert!(e["break_even_gb_per_month"].as_f64().unwrap_or(0.0) > 400.0);
    }
    assert_eq!(usage["totals"]["endpoints_idle"], 2, "logs and ecr.dkr");

    let table = run(&["usage", "--region", REGION]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("VERDICT") && text.contains("idle") && text.contains("pays"),
        "{text}"
    );

    let savings = json_of(&run(&["savings", "--region", REGION, "--output", "json"]));
    assert_eq!(savings["schema"], "vpce-guard.savings/v1");
    assert_eq!(savings["vpcs"][0]["vpc_id"], vpc.vpc_id.as_str());
    assert_eq!(savings["vpcs"][0]["status"], "verified");
    assert_eq!(savings["totals"]["verified"], 1);
    let table = run(&["savings", "--region", REGION]);
    let text = String::from_utf8_lossy(&table.stdout);
    for needle in [
        "NAT data processed (GB)",
        "NAT processing",
        "Endpoints",
        "Total",
        "Saving",
        "verified",
    ] {
        assert!(
            text.contains(needle),
            "savings table lacks {needle}:\n{text}"
        );
    }
    // Read-only: nothing was changed or deleted.
    assert_eq!(env.endpoints(&vpc.vpc_id).await.len(), 5);
}

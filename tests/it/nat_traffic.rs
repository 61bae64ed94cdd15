//! NAT traffic from CloudWatch (issue #13 part 4) through the compliance-sweep entry point:
//! moto's NAT gateways with byte counts seeded by PutMetricData decide which VPCs get interface
//! endpoints under `when_cost_effective`; the tag overrides CloudWatch; the reads cost two
//! requests per Region whatever the VPC count.
//!
//! moto quirk: GetMetricData with dimensions drops the namespace filter (it matches metric name
//! and dimensions only). The guard asks only for `AWS/NATGateway` metric names, so the answers
//! are the same as AWS's.

use std::time::{Duration, SystemTime};

use crate::common::*;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use vpce_guard_core::notice::NoticeEventType;
use vpce_guard_core::traffic::{TrafficSource, BYTES_PER_GB, DAYS_PER_MONTH};
use vpce_guard_lambda::functions::compliance_sweep;

/// The standard five services, interface endpoints only where they pay for themselves.
const COST_EFFECTIVE_BASELINE: &str = r#"{"services":[
  {"service":"s3","type":"Gateway"},{"service":"dynamodb","type":"Gateway"},
  {"service":"ecr.api","type":"Interface"},{"service":"ecr.dkr","type":"Interface"},
  {"service":"logs","type":"Interface"}],
  "interface_endpoints":"when_cost_effective"}"#;

/// Seeds `gb_per_month` of processed bytes for `gateway` over the last 14 days, split between
/// the two metrics the guard adds up (out to destinations, in from them), a point a day.
async fn seed_traffic(cloudwatch: &aws_sdk_cloudwatch::Client, gateway: &str, gb_per_month: f64) {
    let total_bytes = gb_per_month * BYTES_PER_GB * 14.0 / DAYS_PER_MONTH;
    let per_point = total_bytes / 2.0 / 14.0;
    let now = SystemTime::now();
    for metric in ["BytesOutToDestination", "BytesInFromDestination"] {
        let data: Vec<MetricDatum> = (0..14u64)
            .map(|day| {
                MetricDatum::builder()
                    .metric_name(metric)
                    .dimensions(
                        Dimension::builder()
                            .name("NatGatewayId")
                            .value(gateway)
                            .build(),
                    )
                    .timestamp(DateTime::from(
                        now - Duration::from_secs(day * 86_400 + 3_600),
                    ))
                    .value(per_point)
                    .build()
            })
            .collect();
        cloudwatch
            .put_metric_data()
            .namespace("AWS/NATGateway")
            .set_metric_data(Some(data))
            .send()
            .await
            .expect("put metric data");
    }
}

fn interface_count(endpoints: &[aws_sdk_ec2::types::VpcEndpoint]) -> usize {
    endpoints
        .iter()
        .filter(|e| e.vpc_endpoint_type() == Some(&aws_sdk_ec2::types::VpcEndpointType::Interface))
        .count()
}

#[tokio::test]
async fn cloudwatch_nat_traffic_decides_interface_endpoints_and_the_tag_overrides_it() {
    let env = Env::new().await;
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&env.sdk);
    let busy = env.two_az_vpc(1).await;
    let quiet = env.two_az_vpc(2).await;
    let overridden = env.two_az_vpc(3).await;
    let no_nat = env.two_az_vpc(4).await;
    for (vpc, gb) in [(&busy, 5000.0), (&quiet, 1000.0), (&overridden, 1000.0)] {
        let gateway = env.nat_gateway(&vpc.public_subnets[0]).await;
        seed_traffic(&cloudwatch, &gateway, gb).await;
    }
    env.tag(&overridden.vpc_id, "vpce-guard:nat-gb-per-month", "9000")
        .await;

    let function = env.function(&[("GUARD_BASELINE", COST_EFFECTIVE_BASELINE)]);
    let answer = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    let summary = run_summary(&answer);
    assert_eq!(n(&answer, "actions_failed"), 0, "{answer}");
    let calls = &summary["api_calls_by_action"];
    assert_eq!(calls["DescribeNatGateways"], 1, "{calls}");
    assert_eq!(calls["GetMetricData"], 1, "{calls}");

    // 5,000 GB/month pays for the endpoints; 1,000 does not; the tag's 9,000 wins over
    // CloudWatch's 1,000; no NAT gateway means no figure, so the endpoints are created as usual.
    assert_eq!(interface_count(&env.endpoints(&busy.vpc_id).await), 3);
    assert_eq!(interface_count(&env.endpoints(&quiet.vpc_id).await), 0);
    assert_eq!(
        env.endpoints(&quiet.vpc_id).await.len(),
        2,
        "gateways are free"
    );
    assert_eq!(interface_count(&env.endpoints(&overridden.vpc_id).await), 3);
    assert_eq!(interface_count(&env.endpoints(&no_nat.vpc_id).await), 3);
    assert_eq!(summary["vpcs_interface_skipped_for_cost"], 1, "{summary}");

    let notices = env.notices().await;
    assert_matches_schema(&notices);
    let notice_for = |vpc: &str| {
        notices
            .iter()
            .find(|n| n.vpc_id() == Some(vpc))
            .and_then(|n| n.vpc())
            .unwrap_or_else(|| panic!("a notice for {vpc}"))
    };

    let quiet_notice = notice_for(&quiet.vpc_id);
    assert!(notices
        .iter()
        .any(|n| n.vpc_id() == Some(quiet.vpc_id.as_str())
            && n.event_type() == NoticeEventType::Remediated));
    let decision = &quiet_notice.cost_decisions[0];
    assert_eq!(decision.nat_traffic_source, TrafficSource::Cloudwatch);
    assert!(
        (decision.nat_gb_per_month - 1000.0).abs() < 1.0,
        "{}",
        decision.nat_gb_per_month
    );
    let traffic = quiet_notice.nat_traffic.as_ref().expect("nat_traffic");
    assert_eq!(traffic.source, TrafficSource::Cloudwatch);
    assert!(traffic.projected_monthly_saving_usd < 0.0, "{traffic:?}");

    let busy_traffic = notice_for(&busy.vpc_id)
        .nat_traffic
        .clone()
        .expect("nat_traffic");
    assert_eq!(busy_traffic.source, TrafficSource::Cloudwatch);
    assert!((busy_traffic.nat_gb_per_month - 5000.0).abs() < 1.0);
    assert!(busy_traffic.projected_monthly_saving_usd > 0.0);

    let tagged = notice_for(&overridden.vpc_id)
        .nat_traffic
        .clone()
        .expect("nat_traffic");
    assert_eq!(tagged.source, TrafficSource::Tag);
    assert_eq!(tagged.nat_gb_per_month, 9000.0);
    assert!(notice_for(&no_nat.vpc_id).nat_traffic.is_none());
}

#[tokio::test]
async fn nat_traffic_is_not_read_when_the_baseline_does_not_need_it() {
    let env = Env::new().await;
    let vpc = env.two_az_vpc(1).await;
    env.nat_gateway(&vpc.public_subnets[0]).await;
    // The standard baseline creates interface endpoints always: no figure is needed.
    let answer = compliance_sweep(&env.function(&[]), event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    let calls = &run_summary(&answer)["api_calls_by_action"];
    assert!(calls.get("DescribeNatGateways").is_none(), "{calls}");
    assert!(calls.get("GetMetricData").is_none(), "{calls}");

    // `nat_traffic.cloudwatch: always` reads it anyway, for the figures on notices.
    let always = r#"{"services":[{"service":"logs","type":"Interface"}],
        "nat_traffic":{"cloudwatch":"always"}}"#;
    env.ec2
        .delete_vpc_endpoints()
        .set_vpc_endpoint_ids(Some(
            env.endpoints(&vpc.vpc_id)
                .await
                .iter()
                .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
                .collect(),
        ))
        .send()
        .await
        .expect("delete endpoints");
    env.notices().await;
    let answer = compliance_sweep(
        &env.function(&[("GUARD_BASELINE", always)]),
        event("scheduled-event.json", &[]),
    )
    .await
    .expect("sweep");
    let calls = &run_summary(&answer)["api_calls_by_action"];
    assert_eq!(calls["DescribeNatGateways"], 1, "{calls}");
    assert!(
        calls.get("GetMetricData").is_some(),
        "one gateway to read: {calls}"
    );
    let notices = env.notices().await;
    let notice = notices
        .iter()
        .find(|n| n.vpc_id() == Some(vpc.vpc_id.as_str()))
        .and_then(|n| n.vpc())
        .expect("notice for the VPC");
    let traffic = notice.nat_traffic.as_ref().expect("nat_traffic");
    assert_eq!(traffic.source, TrafficSource::Cloudwatch);
    assert_eq!(
        traffic.nat_gb_per_month, 0.0,
        "no datapoints: an idle gateway"
    );
}

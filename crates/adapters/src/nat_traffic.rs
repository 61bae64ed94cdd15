//! NAT traffic from the NAT gateways' own counters: DescribeNatGateways (EC2) and GetMetricData
//! (CloudWatch, two queries per gateway, at most 500 queries a call). Per Region, never per VPC.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use vpce_guard_core::error::ApiError;
use vpce_guard_core::ports::{NatTrafficPort, PortFuture};
use vpce_guard_core::traffic::{
    NatGateway, NAT_BYTES_METRICS, NAT_GATEWAY_DIMENSION, NAT_METRICS_NAMESPACE,
};

use crate::sdk_error::api_error;
use crate::Ec2Adapter;

/// GetMetricData takes at most 500 queries a call.
const MAX_QUERIES_PER_CALL: usize = 500;
const SECONDS_PER_DAY: u64 = 86_400;

/// EC2 for the gateways, CloudWatch (same account and Region) for their bytes.
#[derive(Clone, Debug)]
pub struct NatTrafficAdapter {
    ec2: Ec2Adapter,
    cloudwatch: aws_sdk_cloudwatch::Client,
}

impl NatTrafficAdapter {
    pub fn new(ec2: Ec2Adapter, cloudwatch: aws_sdk_cloudwatch::Client) -> Self {
        Self { ec2, cloudwatch }
    }

    async fn read_bytes(
        &self,
        gateway_ids: &[String],
        window_days: u32,
    ) -> Result<BTreeMap<String, f64>, ApiError> {
        let window = u64::from(window_days.max(1)) * SECONDS_PER_DAY;
        // Whole minutes: CloudWatch aligns periods to them.
        let end = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs() / 60 * 60)
            .unwrap_or_default();
        let start = end.saturating_sub(window);
        let period = i32::try_from(window).unwrap_or(i32::MAX);
        let queries: Vec<(String, &str, &str)> = gateway_ids
            .iter()
            .enumerate()
            .flat_map(|(index, gateway)| {
                NAT_BYTES_METRICS
                    .iter()
                    .enumerate()
                    .map(move |(metric_index, metric)| {
                        (
                            format!("q{index}m{metric_index}"),
                            gateway.as_str(),
                            *metric,
                        )
                    })
            })
            .collect();
        let id_to_gateway: BTreeMap<&str, &str> = queries
            .iter()
            .map(|(id, gateway, _)| (id.as_str(), *gateway))
            .collect();
        let mut bytes: BTreeMap<String, f64> = BTreeMap::new();
        for chunk in queries.chunks(MAX_QUERIES_PER_CALL) {
            let mut request = self
                .cloudwatch
                .get_metric_data()
                .start_time(DateTime::from(
                    SystemTime::UNIX_EPOCH + Duration::from_secs(start),
                ))
                .end_time(DateTime::from(
                    SystemTime::UNIX_EPOCH + Duration::from_secs(end),
                ));
            for (id, gateway, metric) in chunk {
                request = request.metric_data_queries(
                    MetricDataQuery::builder()
                        .id(id)
                        .metric_stat(
                            MetricStat::builder()
                                .metric(
                                    Metric::builder()
                                        .namespace(NAT_METRICS_NAMESPACE)
                                        .metric_name(*metric)
                                        .dimensions(
                                            Dimension::builder()
                                                .name(NAT_GATEWAY_DIMENSION)
                                                .value(*gateway)
                                                .build(),
                                        )
                                        .build(),
                                )
                                .period(period)
                                .stat("Sum")
                                .build(),
                        )
                        .return_data(true)
                        .build(),
                );
            }
            let pages = request
                .into_paginator()
                .send()
                .try_collect()
                .await
                .map_err(|e| api_error("GetMetricData", e))?;
            for result in pages.iter().flat_map(|p| p.metric_data_results()) {
                let Some(gateway) = result.id().and_then(|id| id_to_gateway.get(id)) else {
                    continue;
                };
                let sum: f64 = result.values().iter().filter(|v| v.is_finite()).sum();
                *bytes.entry((*gateway).to_string()).or_default() += sum;
            }
        }
        Ok(bytes)
    }
}

impl NatTrafficPort for NatTrafficAdapter {
    fn nat_gateways<'a>(
        &'a self,
        vpc_ids: Option<&'a [String]>,
    ) -> PortFuture<'a, Vec<NatGateway>> {
        Box::pin(self.ec2.nat_gateways(vpc_ids))
    }

    fn bytes_processed<'a>(
        &'a self,
        gateway_ids: &'a [String],
        window_days: u32,
    ) -> PortFuture<'a, BTreeMap<String, f64>> {
        Box::pin(self.read_bytes(gateway_ids, window_days))
    }
}

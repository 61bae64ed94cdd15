//! NAT traffic from the NAT gateways' own counters: DescribeNatGateways (EC2) and GetMetricData
//! (CloudWatch, two queries per gateway, at most 500 queries a call). Per Region, never per VPC.

use std::collections::BTreeMap;
use std::time::SystemTime;

use vpce_guard_core::error::ApiError;
use vpce_guard_core::ports::{NatTrafficPort, PortFuture};
use vpce_guard_core::traffic::NatGateway;
use vpce_guard_core::usage::metrics::{nat_queries, total};
use vpce_guard_core::usage::MetricWindow;

use crate::{CloudWatchMetrics, Ec2Adapter};

const SECONDS_PER_DAY: i64 = 86_400;

/// EC2 for the gateways, CloudWatch (same account and Region) for their bytes.
#[derive(Clone, Debug)]
pub struct NatTrafficAdapter {
    ec2: Ec2Adapter,
    metrics: CloudWatchMetrics,
}

impl NatTrafficAdapter {
    pub fn new(ec2: Ec2Adapter, metrics: CloudWatchMetrics) -> Self {
        Self { ec2, metrics }
    }

    /// The CloudWatch client it reads with (usage checks read through the same one).
    pub fn metrics(&self) -> &CloudWatchMetrics {
        &self.metrics
    }

    async fn read_bytes(
        &self,
        gateway_ids: &[String],
        window_days: u32,
    ) -> Result<BTreeMap<String, f64>, ApiError> {
        let window = i64::from(window_days.max(1)) * SECONDS_PER_DAY;
        // Whole minutes: CloudWatch aligns periods to them.
        let end = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs() / 60 * 60).unwrap_or(0))
            .unwrap_or_default();
        let queries: Vec<_> = gateway_ids.iter().flat_map(|g| nat_queries(g)).collect();
        let series = self
            .metrics
            .read(
                &queries,
                MetricWindow {
                    start: end - window,
                    end,
                    period_seconds: u32::try_from(window).unwrap_or(u32::MAX),
                },
            )
            .await?;
        let per_gateway = queries.len() / gateway_ids.len().max(1);
        let mut bytes: BTreeMap<String, f64> = BTreeMap::new();
        for (gateway, sums) in gateway_ids.iter().zip(series.chunks(per_gateway.max(1))) {
            let sum: f64 = sums.iter().map(total).sum();
            if sums.iter().any(|s| !s.is_empty()) {
                *bytes.entry(gateway.clone()).or_default() += sum;
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

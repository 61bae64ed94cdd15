//! The CloudWatch reads usage rests on, as plain data: which metric of which resource, over which
//! window. The adapter turns them into `GetMetricData` queries, at most 500 a request, so a
//! Region costs ⌈queries / 500⌉ requests (plus pages), never one per endpoint or VPC.

use std::collections::BTreeMap;

use super::settings::CLOUDWATCH_RETENTION_DAYS;
use super::SECONDS_PER_DAY;
use crate::model::Endpoint;
use crate::traffic::{NAT_BYTES_METRICS, NAT_GATEWAY_DIMENSION, NAT_METRICS_NAMESPACE};

/// Interface endpoints' metrics (nothing is published for gateway endpoints).
pub const PRIVATELINK_NAMESPACE: &str = "AWS/PrivateLinkEndpoints";
/// Bytes through the endpoint, both directions: what its owner is billed per GB on.
pub const BYTES_PROCESSED: &str = "BytesProcessed";
/// The dimensions AWS publishes `BytesProcessed` with, in both sets (the second adds the subnet).
pub const DIM_ENDPOINT_TYPE: &str = "Endpoint Type";
pub const DIM_SERVICE_NAME: &str = "Service Name";
pub const DIM_ENDPOINT_ID: &str = "VPC Endpoint Id";
pub const DIM_VPC_ID: &str = "VPC Id";
pub const DIM_SUBNET_ID: &str = "Subnet Id";
/// The value of `Endpoint Type` for interface endpoints.
pub const INTERFACE_ENDPOINT_TYPE: &str = "Interface";

/// One metric of one resource, summed per period.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MetricQuery {
    pub namespace: &'static str,
    pub metric_name: &'static str,
    /// (name, value) pairs, exactly as CloudWatch publishes them.
    pub dimensions: Vec<(&'static str, String)>,
}

/// The time range and period of a read (seconds since the epoch; `end` excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricWindow {
    pub start: i64,
    pub end: i64,
    pub period_seconds: u32,
}

/// One query's datapoints: (period start, Sum). CloudWatch stores nothing for periods without
/// traffic, so an absent period means zero.
pub type Series = Vec<(i64, f64)>;

impl MetricWindow {
    /// One period over the last `days` whole days before the current UTC hour (CloudWatch accepts
    /// periods that are multiples of an hour for any start time).
    pub fn summed_over_days(now: i64, days: u32) -> Self {
        let end = now.div_euclid(3600) * 3600;
        let seconds = i64::from(days.clamp(1, CLOUDWATCH_RETENTION_DAYS)) * SECONDS_PER_DAY;
        Self {
            start: end - seconds,
            end,
            period_seconds: u32::try_from(seconds).unwrap_or(u32::MAX),
        }
    }

    /// Daily sums from the UTC day holding `from` to the start of today, never further back than
    /// CloudWatch keeps data.
    pub fn daily_until_today(now: i64, from: i64) -> Self {
        let today = now.div_euclid(SECONDS_PER_DAY) * SECONDS_PER_DAY;
        let oldest = today - i64::from(CLOUDWATCH_RETENTION_DAYS) * SECONDS_PER_DAY;
        let start = (from.div_euclid(SECONDS_PER_DAY) * SECONDS_PER_DAY).clamp(oldest, today);
        Self {
            start,
            end: today,
            period_seconds: SECONDS_PER_DAY as u32,
        }
    }

    /// Whole days the window covers.
    pub fn days(&self) -> u32 {
        u32::try_from((self.end - self.start).max(0) / SECONDS_PER_DAY).unwrap_or(u32::MAX)
    }
}

/// The reads of one interface endpoint: its total (first), then each subnet's, as AWS publishes
/// them (the second dimension set adds `Subnet Id`).
pub fn endpoint_queries(endpoint: &Endpoint) -> Vec<MetricQuery> {
    let base = vec![
        (DIM_ENDPOINT_TYPE, INTERFACE_ENDPOINT_TYPE.to_string()),
        (DIM_SERVICE_NAME, endpoint.service_name.clone()),
        (DIM_ENDPOINT_ID, endpoint.id.clone()),
        (DIM_VPC_ID, endpoint.vpc_id.clone()),
    ];
    let mut queries = vec![MetricQuery {
        namespace: PRIVATELINK_NAMESPACE,
        metric_name: BYTES_PROCESSED,
        dimensions: base.clone(),
    }];
    for subnet in &endpoint.subnet_ids {
        let mut dimensions = base.clone();
        dimensions.push((DIM_SUBNET_ID, subnet.clone()));
        queries.push(MetricQuery {
            namespace: PRIVATELINK_NAMESPACE,
            metric_name: BYTES_PROCESSED,
            dimensions,
        });
    }
    queries
}

/// The reads of one NAT gateway's processed bytes: one byte of each direction
/// (`BytesOutToDestination` + `BytesInFromDestination`). The other two byte metrics count the
/// same bytes again.
pub fn nat_queries(gateway_id: &str) -> Vec<MetricQuery> {
    NAT_BYTES_METRICS
        .iter()
        .map(|metric| MetricQuery {
            namespace: NAT_METRICS_NAMESPACE,
            metric_name: metric,
            dimensions: vec![(NAT_GATEWAY_DIMENSION, gateway_id.to_string())],
        })
        .collect()
}

/// The sum of a series' finite values.
pub fn total(series: &Series) -> f64 {
    series
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite() && *v > 0.0)
        .sum()
}

/// Series added per UTC day (day start → bytes).
pub fn by_day<'a>(series: impl IntoIterator<Item = &'a Series>) -> BTreeMap<i64, f64> {
    let mut days = BTreeMap::new();
    for s in series {
        for (at, value) in s {
            if value.is_finite() && *value > 0.0 {
                *days
                    .entry(at.div_euclid(SECONDS_PER_DAY) * SECONDS_PER_DAY)
                    .or_insert(0.0) += value;
            }
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::EndpointType;
    use crate::model::EndpointState;

    fn endpoint() -> Endpoint {
        Endpoint {
            id: "vpce-1".into(),
            vpc_id: "vpc-1".into(),
            service_name: "com.amazonaws.us-east-1.logs".into(),
            endpoint_type: Some(EndpointType::Interface),
            state: EndpointState::from_ec2("available"),
            route_table_ids: vec![],
            subnet_ids: vec!["subnet-a".into(), "subnet-b".into()],
            security_group_ids: vec![],
            private_dns_enabled: true,
            policy: None,
            ip_address_type: None,
            created_at: None,
            managed: true,
        }
    }

    #[test]
    fn an_endpoint_is_read_in_both_dimension_sets() {
        let queries = endpoint_queries(&endpoint());
        assert_eq!(queries.len(), 3, "the total and one per subnet");
        let names = |q: &MetricQuery| q.dimensions.iter().map(|(n, _)| *n).collect::<Vec<_>>();
        assert_eq!(
            names(&queries[0]),
            ["Endpoint Type", "Service Name", "VPC Endpoint Id", "VPC Id"]
        );
        assert_eq!(
            names(&queries[2]),
            [
                "Endpoint Type",
                "Service Name",
                "VPC Endpoint Id",
                "VPC Id",
                "Subnet Id"
            ]
        );
        assert_eq!(queries[2].dimensions[4].1, "subnet-b");
        assert_eq!(queries[0].dimensions[0].1, "Interface");
        assert!(queries.iter().all(
            |q| q.metric_name == "BytesProcessed" && q.namespace == "AWS/PrivateLinkEndpoints"
        ));
    }

    #[test]
    fn nat_bytes_are_read_once_per_direction() {
        let queries = nat_queries("nat-1");
        let metrics: Vec<&str> = queries.iter().map(|q| q.metric_name).collect();
        assert_eq!(metrics, ["BytesOutToDestination", "BytesInFromDestination"]);
    }

    #[test]
    fn windows_are_whole_hours_and_days_within_the_retention() {
        let now = 1_780_000_123;
        let w = MetricWindow::summed_over_days(now, 30);
        assert_eq!(w.end % 3600, 0);
        assert_eq!(w.end - w.start, 30 * 86_400);
        assert_eq!(i64::from(w.period_seconds), w.end - w.start);
        assert_eq!(w.days(), 30);
        let daily = MetricWindow::daily_until_today(now, now - 20 * 86_400);
        assert_eq!(daily.end % 86_400, 0);
        assert_eq!(daily.start % 86_400, 0);
        assert_eq!(daily.days(), 20);
        let ancient = MetricWindow::daily_until_today(now, 0);
        assert_eq!(ancient.days(), 455, "never before CloudWatch's retention");
        let future = MetricWindow::daily_until_today(now, now + 86_400);
        assert_eq!(future.days(), 0);
    }

    #[test]
    fn series_add_up_by_day_and_ignore_junk() {
        let a: Series = vec![
            (86_400, 5.0),
            (2 * 86_400 + 60, 1.0),
            (3 * 86_400, f64::NAN),
        ];
        let b: Series = vec![(86_400 + 3600, 2.0), (4 * 86_400, -1.0)];
        let days = by_day([&a, &b]);
        assert_eq!(days, BTreeMap::from([(86_400, 7.0), (2 * 86_400, 1.0)]));
        assert_eq!(total(&a), 6.0);
    }
}

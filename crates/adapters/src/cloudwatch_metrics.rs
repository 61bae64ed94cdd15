//! CloudWatch metric sums through GetMetricData: at most 500 queries a request, each request
//! paged by the SDK's paginator (CloudWatch returns up to 100,800 datapoints a page). One
//! adapter for every read the guard makes (NAT bytes, endpoint bytes), never a call per resource.

use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use vpce_guard_core::error::ApiError;
use vpce_guard_core::ports::{MetricsPort, PortFuture};
use vpce_guard_core::usage::{MetricQuery, MetricWindow, Series};

use crate::sdk_error::api_error;

/// GetMetricData takes at most 500 queries a call.
pub const MAX_QUERIES_PER_CALL: usize = 500;

/// CloudWatch of one account and Region.
#[derive(Clone, Debug)]
pub struct CloudWatchMetrics {
    client: aws_sdk_cloudwatch::Client,
}

impl CloudWatchMetrics {
    pub fn new(client: aws_sdk_cloudwatch::Client) -> Self {
        Self { client }
    }

    /// The sums of `queries` over `window`, one series per query in their order.
    pub async fn read(
        &self,
        queries: &[MetricQuery],
        window: MetricWindow,
    ) -> Result<Vec<Series>, ApiError> {
        let mut series: Vec<Series> = vec![Vec::new(); queries.len()];
        if queries.is_empty() || window.end <= window.start {
            return Ok(series);
        }
        let at = |seconds: i64| {
            DateTime::from(
                SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap_or(0)),
            )
        };
        let period = i32::try_from(window.period_seconds.max(60)).unwrap_or(i32::MAX);
        for (chunk_index, chunk) in queries.chunks(MAX_QUERIES_PER_CALL).enumerate() {
            let offset = chunk_index * MAX_QUERIES_PER_CALL;
            let mut request = self
                .client
                .get_metric_data()
                .start_time(at(window.start))
                .end_time(at(window.end));
            for (index, query) in chunk.iter().enumerate() {
                let mut metric = Metric::builder()
                    .namespace(query.namespace)
                    .metric_name(query.metric_name);
                for (name, value) in &query.dimensions {
                    metric =
                        metric.dimensions(Dimension::builder().name(*name).value(value).build());
                }
                request = request.metric_data_queries(
                    MetricDataQuery::builder()
                        // Ids must start with a lower-case letter and be unique in the request.
                        .id(format!("q{}", offset + index))
                        .metric_stat(
                            MetricStat::builder()
                                .metric(metric.build())
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
                let Some(index) = result
                    .id()
                    .and_then(|id| id.strip_prefix('q'))
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|n| *n < series.len())
                else {
                    continue;
                };
                for (timestamp, value) in result.timestamps().iter().zip(result.values()) {
                    if value.is_finite() {
                        series[index].push((timestamp.secs(), *value));
                    }
                }
            }
        }
        Ok(series)
    }
}

impl MetricsPort for CloudWatchMetrics {
    fn series<'a>(
        &'a self,
        queries: &'a [MetricQuery],
        window: MetricWindow,
    ) -> PortFuture<'a, Vec<Series>> {
        Box::pin(self.read(queries, window))
    }
}

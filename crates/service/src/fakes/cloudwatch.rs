//! An in-memory CloudWatch and NAT gateway list: datapoints put by metric and dimensions, summed
//! per period the way GetMetricData sums them, with the requests a real client would send
//! (⌈queries / 500⌉ per read) counted.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use vpce_guard_core::error::ApiError;
use vpce_guard_core::ports::{MetricsPort, NatTrafficPort, PortFuture};
use vpce_guard_core::traffic::NatGateway;
use vpce_guard_core::usage::{MetricQuery, MetricWindow, Series};

use super::lock;

type MetricKey = (String, String, Vec<(String, String)>);

#[derive(Debug, Default)]
struct CloudWatchState {
    points: BTreeMap<MetricKey, Vec<(i64, f64)>>,
    gateways: Vec<NatGateway>,
    requests: usize,
    metrics_requested: usize,
    failure: Option<ApiError>,
}

/// CloudWatch and the NAT gateways of one Region in memory. Cloning shares the state.
#[derive(Debug, Clone, Default)]
pub struct InMemoryCloudWatch {
    state: Arc<Mutex<CloudWatchState>>,
}

fn key(query: &MetricQuery) -> MetricKey {
    let mut dims: Vec<(String, String)> = query
        .dimensions
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    dims.sort();
    (
        query.namespace.to_string(),
        query.metric_name.to_string(),
        dims,
    )
}

impl InMemoryCloudWatch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a datapoint (`value` at `at`, seconds) to the metric `query` names.
    pub fn put(&self, query: &MetricQuery, at: i64, value: f64) {
        lock(&self.state)
            .points
            .entry(key(query))
            .or_default()
            .push((at, value));
    }

    /// A NAT gateway in `vpc_id`.
    pub fn with_nat_gateway(self, id: &str, vpc_id: &str) -> Self {
        lock(&self.state).gateways.push(NatGateway {
            id: id.to_string(),
            vpc_id: vpc_id.to_string(),
        });
        self
    }

    /// Makes every later read fail with `code` (or succeed again with `None`).
    pub fn fail_with(&self, code: Option<&str>) {
        lock(&self.state).failure = code.map(|c| ApiError::new("GetMetricData", c, "injected"));
    }

    /// GetMetricData requests so far (500 queries each).
    pub fn requests(&self) -> usize {
        lock(&self.state).requests
    }

    /// Metrics requested so far (what CloudWatch bills).
    pub fn metrics_requested(&self) -> usize {
        lock(&self.state).metrics_requested
    }
}

impl MetricsPort for InMemoryCloudWatch {
    fn series<'a>(
        &'a self,
        queries: &'a [MetricQuery],
        window: MetricWindow,
    ) -> PortFuture<'a, Vec<Series>> {
        let mut state = lock(&self.state);
        let answer = match &state.failure {
            Some(error) => Err(error.clone()),
            None => {
                state.requests += queries.len().div_ceil(500);
                state.metrics_requested += queries.len();
                let period = i64::from(window.period_seconds.max(1));
                Ok(queries
                    .iter()
                    .map(|q| {
                        let mut sums: BTreeMap<i64, f64> = BTreeMap::new();
                        for (at, value) in state.points.get(&key(q)).into_iter().flatten() {
                            if (window.start..window.end).contains(at) {
                                let bucket = window.start + (at - window.start) / period * period;
                                *sums.entry(bucket).or_default() += value;
                            }
                        }
                        sums.into_iter().collect()
                    })
                    .collect())
            }
        };
        Box::pin(async move { answer })
    }
}

impl NatTrafficPort for InMemoryCloudWatch {
    fn nat_gateways<'a>(
        &'a self,
        vpc_ids: Option<&'a [String]>,
    ) -> PortFuture<'a, Vec<NatGateway>> {
        let gateways: Vec<NatGateway> = lock(&self.state)
            .gateways
            .iter()
            .filter(|g| vpc_ids.is_none_or(|ids| ids.contains(&g.vpc_id)))
            .cloned()
            .collect();
        Box::pin(async move { Ok(gateways) })
    }

    fn bytes_processed<'a>(
        &'a self,
        _gateway_ids: &'a [String],
        _window_days: u32,
    ) -> PortFuture<'a, BTreeMap<String, f64>> {
        Box::pin(async { Ok(BTreeMap::new()) })
    }
}

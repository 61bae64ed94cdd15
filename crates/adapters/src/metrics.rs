//! Counts AWS API requests on the wire, per action. The number of calls a sweep needs is a
//! product metric: EC2 throttles per account and region, so reads must not grow with VPC count.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use aws_sdk_ec2::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_sdk_ec2::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_ec2::error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

use crate::pacing_deadline::refused_by_pacing;

/// A cheap, clonable counter shared by every SDK client of a guard (retries count as requests).
#[derive(Debug, Clone, Default)]
pub struct ApiCallCounter {
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
    throttled: Arc<AtomicU64>,
}

impl ApiCallCounter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests per action so far.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.counts().clone()
    }

    pub fn record(&self, action: &str) {
        *self.counts().entry(action.to_string()).or_insert(0) += 1;
    }

    /// Takes back one request of `action` that was counted but never sent.
    fn unrecord(&self, action: &str) {
        let mut counts = self.counts();
        if let Some(n) = counts.get_mut(action) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(action);
            }
        }
    }

    /// The counts (a panic elsewhere while they were held leaves them usable: they are plain
    /// numbers).
    fn counts(&self) -> MutexGuard<'_, BTreeMap<String, u64>> {
        match self.counts.lock() {
            Ok(counts) => counts,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Throttling answers seen so far (each one was retried, or failed the call).
    pub fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    /// Requests per action since `before` (a previous snapshot).
    pub fn since(&self, before: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
        self.snapshot()
            .into_iter()
            .filter_map(|(action, n)| {
                let delta = n.saturating_sub(before.get(&action).copied().unwrap_or(0));
                (delta > 0).then_some((action, delta))
            })
            .collect()
    }
}

impl vpce_guard_core::ports::RequestMetrics for ApiCallCounter {
    fn requests_by_action(&self) -> BTreeMap<String, u64> {
        self.snapshot()
    }

    fn throttled(&self) -> u64 {
        ApiCallCounter::throttled(self)
    }
}

/// Error codes AWS services use for "slow down".
pub const THROTTLING_CODES: &[&str] = &[
    "RequestLimitExceeded",
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
    "SlowDown",
];

/// The error code of an AWS error body: `<Code>…</Code>` (query/XML protocols) or
/// `"__type": "…#Code"` (JSON protocols).
pub fn error_code(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?;
    if let Some(start) = text.find("<Code>") {
        let rest = &text[start + "<Code>".len()..];
        return rest.find("</Code>").map(|end| rest[..end].trim());
    }
    let start = text.find("\"__type\"")?;
    let rest = &text[start + "\"__type\"".len()..];
    let open = rest.find('"')?;
    let rest = &rest[open + 1..];
    let value = &rest[..rest.find('"')?];
    Some(value.rsplit('#').next().unwrap_or(value))
}

/// Whether an HTTP answer is AWS asking the caller to slow down.
pub fn is_throttling(status: u16, body: &[u8]) -> bool {
    status == 429
        || (status >= 400 && error_code(body).is_some_and(|c| THROTTLING_CODES.contains(&c)))
}

/// `Action=DescribeVpcs&Version=…` (EC2 and SNS speak the AWS query protocol).
pub fn query_action(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .filter(|a| !a.is_empty())
}

impl Intercept for ApiCallCounter {
    fn name(&self) -> &'static str {
        "vpce-guard::ApiCallCounter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        // Every SDK stores the operation's name (all protocols: query, JSON, REST); the body and
        // header readings are for requests that somehow lack it.
        let action = cfg
            .load::<Metadata>()
            .map(|metadata| metadata.name().to_string())
            .or_else(|| {
                request
                    .body()
                    .bytes()
                    .and_then(query_action)
                    .map(str::to_string)
            })
            .or_else(|| {
                request
                    .headers()
                    .get("x-amz-target")
                    .map(|t| t.rsplit('.').next().unwrap_or(t).to_string())
            })
            .unwrap_or_else(|| "unknown".to_string());
        self.record(&action);
        Ok(())
    }

    /// A request the pacer refused to send (past the deadline) never reached AWS: it is taken
    /// back out of the count.
    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let refused = context
            .output_or_error()
            .and_then(Result::err)
            .and_then(|error| error.as_connector_error())
            .is_some_and(refused_by_pacing);
        if refused {
            if let Some(metadata) = cfg.load::<Metadata>() {
                self.unrecord(metadata.name());
            }
        }
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        let status = response.status().as_u16();
        if status >= 400 && is_throttling(status, response.body().bytes().unwrap_or_default()) {
            self.throttled.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_query_actions() {
        assert_eq!(
            query_action(b"Action=DescribeVpcs&Version=2016-11-15"),
            Some("DescribeVpcs")
        );
        assert_eq!(
            query_action(b"Version=1&Action=PublishBatch"),
            Some("PublishBatch")
        );
        assert_eq!(query_action(b"{}"), None);
        assert_eq!(query_action(&[0xff, 0xfe]), None);
    }

    #[test]
    fn recognises_throttling_answers() {
        let ec2 = b"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors></Response>";
        assert_eq!(error_code(ec2), Some("RequestLimitExceeded"));
        assert!(is_throttling(503, ec2));
        let json = br#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow"}"#;
        assert!(is_throttling(400, json));
        assert!(is_throttling(429, b""));
        let denied = b"<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>";
        assert_eq!(error_code(denied), Some("AccessDenied"));
        assert!(!is_throttling(403, denied));
        assert!(!is_throttling(200, ec2));
        assert_eq!(error_code(b"plain"), None);
    }

    #[test]
    fn deltas_count_only_new_requests() {
        let counter = ApiCallCounter::new();
        counter.record("DescribeVpcs");
        let before = counter.snapshot();
        counter.record("DescribeVpcs");
        counter.record("PublishBatch");
        let delta = counter.since(&before);
        assert_eq!(delta.get("DescribeVpcs"), Some(&1));
        assert_eq!(delta.get("PublishBatch"), Some(&1));
        assert_eq!(delta.len(), 2);
    }
}

//! Paces the EC2 client's requests with a [`Pacer`] (token buckets per action, `buckets`): every
//! request (retries included)
//! waits for a token of its action's bucket before it goes on the wire, so a sweep never bursts
//! into the throttle the account's other tools share. Wraps the HTTP connector, the one place
//! every attempt passes through and where waiting is possible.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use aws_smithy_http_client::{tls, Builder};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use tracing::debug;
use vpce_guard_core::ec2_action::Ec2Action;
mod buckets;

pub use buckets::{
    ec2_bucket, is_non_mutating, BucketSpec, Pacer, PacingLimits, DEFAULT_READ, DEFAULT_WRITE,
    SHARE_OF_EC2,
};

use crate::metrics::query_action;
use crate::pacing_deadline::PacingDeadlineError;

/// An HTTP client whose connectors wait for the pacer before each request.
#[derive(Clone)]
pub struct PacedHttpClient {
    inner: SharedHttpClient,
    pacer: Arc<Mutex<Pacer>>,
    started: Instant,
    /// Requests whose turn comes later are not sent (the remedy is deferred to the next run).
    deadline: Option<Instant>,
}

impl fmt::Debug for PacedHttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PacedHttpClient")
    }
}

impl PacedHttpClient {
    /// Paces `inner` (or the SDK's default HTTPS client) with `limits`; one pacer for every
    /// request of the client, i.e. per account and Region within an invocation.
    pub fn new(
        inner: Option<SharedHttpClient>,
        limits: PacingLimits,
        deadline: Option<Instant>,
    ) -> Self {
        let inner = inner.unwrap_or_else(|| {
            Builder::new()
                .tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::AwsLc,
                ))
                .build_https()
        });
        Self {
            inner,
            pacer: Arc::new(Mutex::new(Pacer::new(limits))),
            started: Instant::now(),
            deadline,
        }
    }

    /// How many more `action` requests go out before the deadline (None: no deadline).
    pub fn calls_left_before_deadline(&self, action: Ec2Action) -> Option<u64> {
        let deadline = self.deadline?;
        let now = self.started.elapsed().as_secs_f64();
        let until = now
            + deadline
                .saturating_duration_since(Instant::now())
                .as_secs_f64();
        Some(lock(&self.pacer).calls_left(action.as_str(), now, until))
    }
}

/// The pacer (a panic elsewhere while it was held leaves its buckets usable).
fn lock(pacer: &Mutex<Pacer>) -> MutexGuard<'_, Pacer> {
    match pacer.lock() {
        Ok(pacer) => pacer,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl HttpClient for PacedHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(PacedConnector {
            inner: self.inner.http_connector(settings, components),
            pacer: self.pacer.clone(),
            started: self.started,
            deadline: self.deadline,
        })
    }
}

struct PacedConnector {
    inner: SharedHttpConnector,
    pacer: Arc<Mutex<Pacer>>,
    started: Instant,
    deadline: Option<Instant>,
}

impl fmt::Debug for PacedConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PacedConnector")
    }
}

impl HttpConnector for PacedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let action = request
            .body()
            .bytes()
            .and_then(query_action)
            .unwrap_or("unknown")
            .to_string();
        let now = self.started.elapsed().as_secs_f64();
        let wait = {
            let mut pacer = lock(&self.pacer);
            let wait = pacer.delay(&action, now);
            if self
                .deadline
                .is_some_and(|deadline| Instant::now() + wait > deadline)
            {
                // Not sent: give the token back, so later requests are not held for it.
                pacer.refund(&action);
                return HttpConnectorFuture::ready(Err(ConnectorError::user(Box::new(
                    PacingDeadlineError,
                ))));
            }
            wait
        };
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            if !wait.is_zero() {
                debug!(%action, wait_ms = wait.as_millis() as u64, "pacing an EC2 request");
                tokio::time::sleep(wait).await;
            }
            inner.call(request).await
        })
    }
}

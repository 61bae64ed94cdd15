//! The adapters one guard needs, built from SDK configurations and sharing one request counter.

use std::time::Instant;

use crate::pacing::PacingLimits;
use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use aws_sdk_ec2::config::StalledStreamProtectionConfig;

use crate::pacing::PacedHttpClient;

use crate::{
    ApiCallCounter, CloudTrailAdapter, CloudWatchMetrics, Ec2Adapter, NatTrafficAdapter,
    Route53Adapter, SecurityHubAdapter, SnsAdapter,
};

/// EC2 and CloudWatch in the target account and Region, SNS in the home account and Region, all
/// counted.
pub struct GuardClients {
    pub ec2: Ec2Adapter,
    pub sns: SnsAdapter,
    /// NAT gateways (EC2, through the same endpoint) and their bytes (CloudWatch).
    pub nat_traffic: NatTrafficAdapter,
    /// Security Hub where the findings belong (the target account and Region).
    pub security_hub: SecurityHubAdapter,
    /// Route 53 of the target account (central endpoint detection).
    pub route53: Route53Adapter,
    /// CloudTrail of the target account, seen from its Region (the event path's daily check).
    pub trails: CloudTrailAdapter,
    pub counter: ApiCallCounter,
    /// The Region EC2 acts in.
    pub region: Option<String>,
}

impl GuardClients {
    /// EC2 with `target` (a member account and/or another Region) and notices published with
    /// `home` to `topic_arn`; every request of both is counted in `counter`. `ec2_endpoint` and
    /// `sns_endpoint` override the SDK's endpoint of that service; EC2 requests are paced with
    /// `pacing`.
    pub fn new(
        home: &SdkConfig,
        target: &SdkConfig,
        topic_arn: &str,
        ec2_endpoint: Option<&str>,
        sns_endpoint: Option<&str>,
        pacing: Option<PacingLimits>,
        deadline: Option<Instant>,
    ) -> Self {
        let (ec2, counter) = counted_ec2(target, ec2_endpoint, pacing, deadline);
        let mut sns_config = aws_sdk_sns::config::Builder::from(home).interceptor(counter.clone());
        if let Some(url) = sns_endpoint {
            sns_config = sns_config.endpoint_url(url);
        }
        Self {
            nat_traffic: counted_nat_traffic(target, &ec2, &counter),
            route53: Route53Adapter::new(aws_sdk_route53::Client::from_conf(
                aws_sdk_route53::config::Builder::from(target)
                    .interceptor(counter.clone())
                    .build(),
            )),
            security_hub: SecurityHubAdapter::new(aws_sdk_securityhub::Client::from_conf(
                aws_sdk_securityhub::config::Builder::from(target)
                    .interceptor(counter.clone())
                    .build(),
            )),
            trails: CloudTrailAdapter::new(target, &counter),
            ec2,
            sns: SnsAdapter::new(
                aws_sdk_sns::Client::from_conf(sns_config.build()),
                topic_arn,
            ),
            counter,
            region: target.region().map(|r| r.to_string()),
        }
    }
}

/// The EC2 adapter for `target` with a fresh request counter (the CLI, which publishes nothing),
/// its requests paced per action with `pacing` (None: not paced) and none sent past `deadline`.
pub fn counted_ec2(
    target: &SdkConfig,
    endpoint: Option<&str>,
    pacing: Option<PacingLimits>,
    deadline: Option<Instant>,
) -> (Ec2Adapter, ApiCallCounter) {
    let counter = ApiCallCounter::new();
    let mut config = aws_sdk_ec2::config::Builder::from(target).interceptor(counter.clone());
    let paced = pacing.map(|limits| PacedHttpClient::new(target.http_client(), limits, deadline));
    if let Some(paced) = &paced {
        config = config
            .http_client(paced.clone())
            .timeout_config(paced_timeouts(target))
            // A request waiting for its turn sends no bytes: only downloads are watched for stalls.
            .stalled_stream_protection(
                StalledStreamProtectionConfig::enabled()
                    .upload_enabled(false)
                    .build(),
            );
    }
    if let Some(url) = endpoint {
        config = config.endpoint_url(url);
    }
    let client = aws_sdk_ec2::Client::from_conf(config.build());
    let adapter = match paced {
        Some(paced) => Ec2Adapter::paced(client, paced),
        None => Ec2Adapter::new(client),
    };
    (adapter, counter)
}

/// NAT traffic for `target`: the NAT gateways through `ec2`, their bytes through a CloudWatch
/// client counted in `counter`.
pub fn counted_nat_traffic(
    target: &SdkConfig,
    ec2: &Ec2Adapter,
    counter: &ApiCallCounter,
) -> NatTrafficAdapter {
    let cloudwatch = aws_sdk_cloudwatch::Client::from_conf(
        aws_sdk_cloudwatch::config::Builder::from(target)
            .interceptor(counter.clone())
            .build(),
    );
    NatTrafficAdapter::new(ec2.clone(), CloudWatchMetrics::new(cloudwatch))
}

/// The target's timeouts with the per-attempt and per-operation bounds turned into a read
/// timeout: a paced request may wait its turn longer than an attempt may take (the pacer itself
/// never waits past the invocation's deadline), but a stuck connection is still cut off.
fn paced_timeouts(target: &SdkConfig) -> TimeoutConfig {
    let configured = target.timeout_config();
    // Disabled, not merely unset: an unset timeout is filled in from the SDK configuration's
    // (API_TIMEOUT_SECONDS per attempt, three times that per operation), and a request queued
    // behind EC2's 0.3/s endpoint bucket waits longer than that.
    let mut timeouts = TimeoutConfig::builder()
        .disable_operation_timeout()
        .disable_operation_attempt_timeout();
    if let Some(connect) = configured.and_then(|t| t.connect_timeout()) {
        timeouts = timeouts.connect_timeout(connect);
    }
    if let Some(read) = configured.and_then(|t| t.operation_attempt_timeout().or(t.read_timeout()))
    {
        timeouts = timeouts.read_timeout(read);
    }
    timeouts.build()
}

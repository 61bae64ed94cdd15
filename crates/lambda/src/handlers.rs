//! Lambda entry points: parse the event, pick the scope, run the guard, return the summary.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::{json, Value};
use tracing::{info, warn};

use crate::adapters::{ApiCallCounter, Ec2Adapter, SnsAdapter};
use crate::config::GuardConfig;
use crate::error::{ConfigError, EventError, FleetError, GuardError};
use crate::events::{parse_event, ApiCallEvent, Trigger};
use crate::guard::{Guard, RunRequest};
use crate::notice::RunSummary;
use crate::ports::{Ec2Port, NoticePort, Resolution, Scope};

/// The guard wired to the real AWS SDK clients.
pub type AwsGuard = Guard<Ec2Adapter, SnsAdapter>;

/// EC2 throttles per account and region (`RequestLimitExceeded`): back off adaptively, with up to
/// five attempts per call, instead of failing fast.
pub fn retry_config() -> RetryConfig {
    RetryConfig::adaptive().with_max_attempts(5)
}

/// The SDK configuration every function starts from: standard credential chain, adaptive retry,
/// bounded timeouts (and `AWS_ENDPOINT_URL`, which points everything at a local emulator).
/// `attempt_timeout` bounds one request (`API_TIMEOUT_SECONDS`); a call with its retries gets
/// three times that.
pub async fn load_sdk_config(attempt_timeout: Duration) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config())
        // A stuck connection must not eat the whole Lambda timeout: bound each attempt.
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(attempt_timeout)
                .operation_timeout(attempt_timeout * 3)
                .build(),
        )
        .load()
        .await
}

/// Wires the guard to SDK clients built from `sdk`, counting every request they send.
pub fn build_guard(config: GuardConfig, sdk: &SdkConfig) -> Result<AwsGuard, ConfigError> {
    build_guard_in(config, sdk, sdk)
}

/// Like [`build_guard`], with EC2 in `target` (a member account and/or another region) and
/// notices published with `home` (the central account's topic and region).
pub fn build_guard_in(
    config: GuardConfig,
    home: &SdkConfig,
    target: &SdkConfig,
) -> Result<AwsGuard, ConfigError> {
    let region = target
        .region()
        .map(|r| r.to_string())
        .ok_or(ConfigError::Missing { name: "AWS_REGION" })?;
    let counter = ApiCallCounter::new();
    let ec2_config = aws_sdk_ec2::config::Builder::from(target)
        .interceptor(counter.clone())
        .build();
    let sns_config = aws_sdk_sns::config::Builder::from(home)
        .interceptor(counter.clone())
        .build();
    let ec2 = Ec2Adapter::new(aws_sdk_ec2::Client::from_conf(ec2_config));
    let sns = SnsAdapter::new(
        aws_sdk_sns::Client::from_conf(sns_config),
        config.notice_topic_arn.clone(),
    );
    Ok(Guard::new(ec2, sns, config, region).with_api_call_counter(counter))
}

impl From<GuardError> for Diagnostic {
    fn from(error: GuardError) -> Self {
        Diagnostic {
            error_type: guard_error_type(&error).to_string(),
            error_message: error.to_string(),
        }
    }
}

impl From<FleetError> for Diagnostic {
    fn from(error: FleetError) -> Self {
        let error_type = match &error {
            FleetError::Guard(inner) => guard_error_type(inner),
            FleetError::Event(_) => "InvalidEvent",
            FleetError::AssumeRole { .. } | FleetError::NoMemberRole { .. } => "MemberAccessFailed",
            FleetError::Identity(_) => "IdentityUnknown",
            FleetError::ListAccounts(_) | FleetError::NothingToSweep => "ListAccountsFailed",
            FleetError::Enqueue { .. } => "EnqueueFailed",
            FleetError::Ledger(_) => "LedgerFailed",
            FleetError::NotConfigured { .. } => "NotConfigured",
            FleetError::Regions { .. } => "RegionsFailed",
        };
        Diagnostic {
            error_type: error_type.to_string(),
            error_message: error.to_string(),
        }
    }
}

fn guard_error_type(error: &GuardError) -> &'static str {
    match error {
        GuardError::Event(_) => "InvalidEvent",
        GuardError::Observe(_) => "ObserveFailed",
        GuardError::Resolve(_) => "ResolveFailed",
        GuardError::Publish { .. } => "PublishFailed",
    }
}

pub(crate) fn ignored(reason: String) -> Value {
    info!(%reason, "event ignored");
    json!({ "ignored": true, "reason": reason })
}

pub(crate) fn summary_json(summary: &RunSummary) -> Value {
    serde_json::to_value(summary).unwrap_or_else(|e| json!({ "error": e.to_string() }))
}

/// Where an event goes: to this function, or back as `{"ignored": true, "reason"}`.
pub(crate) enum Routed<T> {
    Handle(T),
    Ignore(Value),
}

/// The EC2 call a network-events invocation is about; everything else is ignored with a reason.
pub(crate) fn api_call_of(payload: &Value) -> Result<Routed<ApiCallEvent>, EventError> {
    Ok(match parse_event(payload)? {
        Trigger::ApiCall(call) => Routed::Handle(call),
        Trigger::Schedule { .. } => Routed::Ignore(ignored(
            "scheduled events are handled by the compliance-sweep function".to_string(),
        )),
        Trigger::Ignored { reason } => Routed::Ignore(ignored(reason)),
    })
}

/// The account of a compliance-sweep invocation's schedule; everything else is ignored.
pub(crate) fn schedule_of(payload: &Value) -> Result<Routed<String>, EventError> {
    Ok(match parse_event(payload)? {
        Trigger::Schedule { account_id, .. } => Routed::Handle(account_id),
        Trigger::ApiCall(call) => Routed::Ignore(ignored(format!(
            "{} is handled by the network-events function",
            call.event_name
        ))),
        Trigger::Ignored { reason } => Routed::Ignore(ignored(reason)),
    })
}

/// `network-events` for one account and Region, over any ports (the Lambda function goes
/// through [`crate::functions::network_events`], which picks the account and Region first).
pub async fn network_events<E: Ec2Port, N: NoticePort>(
    guard: &Guard<E, N>,
    event: LambdaEvent<Value>,
) -> Result<Value, GuardError> {
    let call = match api_call_of(&event.payload)? {
        Routed::Handle(call) => call,
        Routed::Ignore(answer) => return Ok(answer),
    };
    if call.region != guard.region() {
        return Ok(ignored(format!(
            "{} happened in {}; this deployment guards {}",
            call.event_name,
            call.region,
            guard.region()
        )));
    }
    guard_api_call(guard, call).await
}

/// Guards the VPCs one EC2 call touched, with a guard already in the call's account and region.
pub async fn guard_api_call<E: Ec2Port, N: NoticePort>(
    guard: &Guard<E, N>,
    call: ApiCallEvent,
) -> Result<Value, GuardError> {
    let scope = if !call.refs.vpc_ids.is_empty() {
        Scope::Vpcs(call.refs.vpc_ids.iter().cloned().collect())
    } else {
        match guard
            .ec2()
            .resolve_vpcs(&call.refs)
            .await
            .map_err(GuardError::Resolve)?
        {
            Resolution::Vpcs(ids) if !ids.is_empty() => Scope::Vpcs(ids),
            _ => {
                warn!(event = %call.event_name, refs = ?call.refs, "could not resolve the VPC; guarding the whole region");
                Scope::Region
            }
        }
    };
    info!(event = %call.event_name, scope = ?scope, "guarding");
    let read_dns_for_all = matches!(scope, Scope::Vpcs(_));
    let report = guard
        .run(RunRequest {
            account_id: call.account_id,
            trigger: call.event_name,
            scope,
            read_dns_for_all,
            publish_summary: false,
            notify: true,
        })
        .await?;
    Ok(summary_json(&report.summary))
}

/// Guards every VPC of the guard's account and Region and publishes a `sweep_summary`.
pub async fn sweep_region<E: Ec2Port, N: NoticePort>(
    guard: &Guard<E, N>,
    account_id: &str,
    trigger: &str,
    read_dns_for_all: bool,
) -> Result<RunSummary, GuardError> {
    let report = guard
        .run(RunRequest {
            account_id: account_id.to_string(),
            trigger: trigger.to_string(),
            scope: Scope::Region,
            read_dns_for_all,
            publish_summary: true,
            notify: true,
        })
        .await?;
    Ok(report.summary)
}

/// `compliance-sweep` for one account and Region, over any ports (the Lambda function goes
/// through [`crate::functions::compliance_sweep`], which covers every Region and the fan-out).
pub async fn compliance_sweep<E: Ec2Port, N: NoticePort>(
    guard: &Guard<E, N>,
    event: LambdaEvent<Value>,
) -> Result<Value, GuardError> {
    let account_id = match schedule_of(&event.payload)? {
        Routed::Handle(account_id) => account_id,
        Routed::Ignore(answer) => return Ok(answer),
    };
    let summary = sweep_region(guard, &account_id, "schedule", false).await?;
    Ok(summary_json(&summary))
}

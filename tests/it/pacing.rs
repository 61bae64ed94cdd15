//! The guard's own EC2 request pacing (issue #15 part 2) through the compliance-sweep entry
//! point: requests reach EC2 no faster than the configured bucket, and remedies the pacing
//! would send after the invocation's deadline are deferred to the next run, never failed.
//!
//! The other integration tests run with `EC2_PACING=off` (moto is not EC2); these turn it on.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::fault_proxy::FaultProxy;
use crate::common::*;
use aws_config::timeout::TimeoutConfig;
use lambda_runtime::LambdaEvent;
use vpce_guard_core::notice::Outcome;
use vpce_guard_lambda::functions::compliance_sweep;
use vpce_guard_lambda::FunctionContext;

#[tokio::test]
async fn describe_requests_never_exceed_the_configured_bucket_on_the_wire() {
    let env = Env::new().await;
    exempt_default_vpc(&env).await;
    for i in 0..8u8 {
        env.two_az_vpc(i + 1).await;
    }
    let proxy = FaultProxy::start(&env.moto.endpoint, 3).await;
    let function = env.function_via_ec2(
        &[
            ("GUARD_MODE", "report"),
            ("EC2_PACING", "on"),
            ("EC2_READ_RATE", "4"),
            ("EC2_READ_BURST", "3"),
            // The last read waits about 3 s for its turn: waiting must not count as an attempt
            // timing out (that would retry, and the count below would be off).
            ("API_TIMEOUT_SECONDS", "1"),
        ],
        &proxy.endpoint,
    );
    let answer = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    assert_eq!(n(&answer, "throttled_requests"), 0, "{answer}");
    let arrivals: Vec<_> = proxy
        .seen()
        .iter()
        .filter(|s| s.action == "DescribeVpcAttribute")
        .map(|s| s.at)
        .collect();
    assert_eq!(
        arrivals.len(),
        16,
        "two DNS reads per VPC that needs private DNS"
    );
    // Within any second: at most the burst plus the rate (one more for scheduling jitter).
    for (i, start) in arrivals.iter().enumerate() {
        let in_window = arrivals[i..]
            .iter()
            .filter(|t| t.duration_since(*start) < Duration::from_secs(1))
            .count();
        assert!(in_window <= 3 + 4 + 1, "{in_window} requests in one second");
    }
}

#[tokio::test]
async fn remedies_past_the_deadline_are_deferred_and_the_next_run_finishes_them() {
    let env = Env::new().await;
    exempt_default_vpc(&env).await;
    let vpc = env.two_az_vpc(1).await;
    // 33 s left: the pacer keeps 30 s for the notices, so about 3 s for EC2 writes. The VPC
    // endpoint calls go at most 0.15/s after a burst of 2 (half of EC2's 4 tokens at 0.3/s).
    let invocation = scheduled_with_ms_left(33_000);
    let answer = compliance_sweep(&env.function(&[("EC2_PACING", "on")]), invocation)
        .await
        .expect("sweep");
    let deferred = n(&answer, "actions_deferred");
    assert_eq!(n(&answer, "actions_failed"), 0, "{answer}");
    assert_eq!(
        deferred, 3,
        "two creates in the burst, three left: {answer}"
    );
    assert_eq!(env.endpoints(&vpc.vpc_id).await.len(), 2);
    let notices = env.notices().await;
    assert_matches_schema(&notices);
    assert_eq!(
        notices
            .iter()
            .flat_map(|n| n.findings())
            .filter(|f| f.outcome == Outcome::Deferred)
            .count(),
        3
    );

    // The next run (no deadline) finds the rest and creates it.
    let again = compliance_sweep(&env.function(&[]), event("scheduled-event.json", &[]))
        .await
        .expect("second sweep");
    assert_eq!(n(&again, "actions_failed"), 0, "{again}");
    assert_eq!(env.endpoints(&vpc.vpc_id).await.len(), 5);
}

#[tokio::test]
async fn a_create_waiting_its_turn_longer_than_the_api_timeout_is_sent_not_timed_out() {
    let env = Env::new().await;
    exempt_default_vpc(&env).await;
    let vpc = env.two_az_vpc(1).await;
    // 45 s left, 30 s kept for the notices: about 15 s for EC2 writes. After the burst of 2 the
    // VPC endpoint calls go at 0.15/s: the third waits about 6.7 s and the fourth 13.3 s, far
    // past API_TIMEOUT_SECONDS=1; the fifth would go after the deadline and is deferred. (The
    // SDK's attempt and operation timeouts once filled in from API_TIMEOUT_SECONDS and failed
    // the waiting calls.)
    let invocation = scheduled_with_ms_left(45_000);
    // The SDK set up as the functions' cold start sets it (load_sdk_config): 1 s per attempt,
    // 3 s per operation.
    let sdk = env
        .sdk
        .to_builder()
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(1))
                .operation_timeout(Duration::from_secs(3))
                .build(),
        )
        .build();
    let function = FunctionContext::new(
        env.config(&[("EC2_PACING", "on"), ("API_TIMEOUT_SECONDS", "1")]),
        sdk,
        "vpce-guard-test",
    )
    .expect("function context");
    let answer = compliance_sweep(&function, invocation)
        .await
        .expect("sweep");
    assert_eq!(n(&answer, "actions_failed"), 0, "{answer}");
    assert_eq!(n(&answer, "actions_deferred"), 1, "{answer}");
    assert_eq!(env.endpoints(&vpc.vpc_id).await.len(), 4, "{answer}");
}

/// The scheduled sample event with the invocation's deadline `ms_left` from now.
fn scheduled_with_ms_left(
    ms_left: u64,
) -> LambdaEvent<aws_lambda_events::event::cloudwatch_events::CloudWatchEvent> {
    let mut invocation = event("scheduled-event.json", &[]);
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64;
    invocation.context.deadline = now_ms + ms_left;
    invocation
}

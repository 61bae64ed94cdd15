//! Faults and races, through a fault-injecting proxy between the guard's EC2 client and moto.
//! Every test prints the figures docs/reliability.md quotes (run with `--nocapture` to see them).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::common::fault_proxy::{Fault, FaultPlan, FaultProxy};
use crate::common::*;
use vpce_guard_adapters::retry_config;
use vpce_guard_core::notice::{Notice, NoticeEventType, Outcome};
use vpce_guard_core::planner::Drift;
use vpce_guard_lambda::functions::{compliance_sweep, network_events};
use vpce_guard_lambda::{FunctionContext, ServiceEndpoints};

/// The functions as deployed (adaptive retries, 5 attempts), with EC2 going through `proxy`.
fn guard_via(env: &Env, proxy: &FaultProxy, overrides: &[(&str, &str)]) -> FunctionContext {
    deployed(env, overrides).with_endpoints(ServiceEndpoints {
        ec2: Some(proxy.endpoint.clone()),
        sns: None,
    })
}

/// The functions' context with the SDK setup they deploy with (adaptive retry).
fn deployed(env: &Env, overrides: &[(&str, &str)]) -> FunctionContext {
    let sdk = env.sdk.to_builder().retry_config(retry_config()).build();
    FunctionContext::new(env.config(overrides), sdk, "vpce-guard-test").expect("context")
}

fn per_vpc(notices: &[Notice]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for n in notices.iter().filter(|n| n.vpc_id().is_some()) {
        *counts
            .entry(n.vpc_id().map(str::to_string).unwrap_or_default())
            .or_insert(0) += 1;
    }
    counts
}

/// Live endpoints per (VPC, service) across the region.
async fn endpoint_counts(env: &Env) -> BTreeMap<(String, String), usize> {
    let mut counts = BTreeMap::new();
    let out = env
        .ec2
        .describe_vpc_endpoints()
        .send()
        .await
        .expect("describe");
    for e in out.vpc_endpoints() {
        if e.state().map(|s| s.as_str()) == Some("deleted") {
            continue;
        }
        let key = (
            e.vpc_id().unwrap_or_default().to_string(),
            e.service_name().unwrap_or_default().to_string(),
        );
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sweep_of_fifty_drifted_vpcs_converges_under_thirty_percent_ec2_faults() {
    let env = Env::new().await;
    let mut vpcs = Vec::new();
    for i in 0..50u8 {
        vpcs.push(env.two_az_vpc(i + 1).await.vpc_id);
    }
    let proxy = FaultProxy::start(&env.moto.endpoint, 0x5eed_0001).await;
    proxy.set_plan(FaultPlan {
        rate: 0.3,
        actions: Vec::new(), // every EC2 action
        body_contains: Vec::new(),
        kinds: vec![
            Fault::Throttle,
            Fault::ServerError,
            Fault::DropBeforeForward,
            Fault::DropAfterForward,
            Fault::Delay,
        ],
        delay: Duration::from_millis(300),
        // The SDK makes 5 attempts; never fault one request more than 3 times in a row.
        max_consecutive: 3,
    });
    let guard = guard_via(&env, &proxy, &[]);

    let mut invocations = 0;
    let mut total_notices = 0;
    for round in 1..=2 {
        invocations += 1;
        let summary = compliance_sweep(&guard, event("scheduled-event.json", &[]))
            .await
            .unwrap_or_else(|e| panic!("sweep {round} failed: {e}"));
        let notices = env.notices().await;
        total_notices += notices.len();
        let counts = per_vpc(&notices);
        assert!(
            counts.values().all(|n| *n == 1),
            "round {round}: one notice per touched VPC: {counts:?}"
        );
        assert_eq!(
            counts.len() as u64,
            n(&summary, "vpcs_drifted"),
            "round {round}: {summary}"
        );
        for notice in notices
            .iter()
            .filter(|n| n.event_type() == NoticeEventType::RemediationFailed)
        {
            for f in notice
                .findings()
                .iter()
                .filter(|f| f.outcome == Outcome::Failed)
            {
                assert!(
                    notice.vpc_id().is_some() && !f.action.is_empty() && f.error.is_some(),
                    "{notice:?}"
                );
            }
        }
        if round == 1 {
            assert_eq!(
                counts.len(),
                51,
                "every seeded VPC and the default VPC had drift"
            );
        }
        println!("round {round}: {summary}");
    }

    proxy.set_plan(FaultPlan::none());
    let check = compliance_sweep(
        &guard_via(&env, &proxy, &[("GUARD_MODE", "report")]),
        event("scheduled-event.json", &[]),
    )
    .await
    .expect("check");
    assert_eq!(
        n(&check, "vpcs_drifted"),
        0,
        "compliant after two faulty invocations: {check}"
    );
    let counts = endpoint_counts(&env).await;
    let duplicates: usize = counts.values().map(|n| n.saturating_sub(1)).sum();
    assert_eq!(duplicates, 0, "{counts:?}");
    for vpc in &vpcs {
        assert_eq!(counts.keys().filter(|(v, _)| v == vpc).count(), 5, "{vpc}");
    }
    let seen = proxy.seen();
    println!(
        "faults: {} of {} EC2 requests faulted; invocations: {invocations}; notices: {total_notices}; duplicates left: {duplicates}",
        proxy.faults_injected(),
        seen.len()
    );
    assert!(
        proxy.faults_injected() * 5 > seen.len(),
        "about 30% faulted"
    );
}

#[tokio::test]
async fn partially_applied_vpc_is_completed_on_the_next_run() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(1).await;
    let proxy = FaultProxy::start(&env.moto.endpoint, 7).await;
    // Every create of the logs endpoint fails: the other remedies of the VPC still apply.
    proxy.set_plan(FaultPlan {
        rate: 1.0,
        actions: vec!["CreateVpcEndpoint".into()],
        body_contains: vec![".logs".into()],
        kinds: vec![Fault::Throttle],
        delay: Duration::ZERO,
        max_consecutive: u32::MAX,
    });
    let event = || create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[0]);
    let first = network_events(&guard_via(&env, &proxy, &[]), event())
        .await
        .expect("first");
    assert_eq!(n(&first, "actions_failed"), 1, "{first}");
    assert_eq!(env.endpoints(&seeded.vpc_id).await.len(), 4);
    let notices = env.notices().await;
    assert_eq!(notices[0].event_type(), NoticeEventType::RemediationFailed);
    let failed = notices[0]
        .findings()
        .iter()
        .find(|f| f.outcome == Outcome::Failed)
        .expect("failed finding");
    assert_eq!(
        failed.service.as_deref(),
        Some("com.amazonaws.us-east-1.logs")
    );
    assert!(
        failed.action.starts_with("CreateVpcEndpoint Interface"),
        "{}",
        failed.action
    );
    assert!(
        failed
            .error
            .as_deref()
            .unwrap()
            .contains("RequestLimitExceeded"),
        "{failed:?}"
    );
    assert_eq!(notices[0].vpc_id(), Some(seeded.vpc_id.as_str()));
    let attempts = proxy
        .seen()
        .iter()
        .filter(|s| s.action == "CreateVpcEndpoint" && s.fault.is_some())
        .count();
    assert_eq!(attempts, 5, "the SDK retried the throttled create 5 times");

    proxy.set_plan(FaultPlan::none());
    let second = network_events(&guard_via(&env, &proxy, &[]), event())
        .await
        .expect("second");
    assert_eq!(
        n(&second, "actions_applied"),
        1,
        "only the missing piece: {second}"
    );
    assert_eq!(env.endpoints(&seeded.vpc_id).await.len(), 5);
    let notices = env.notices().await;
    assert_eq!(notices[0].findings().len(), 1);
    assert_eq!(notices[0].findings()[0].drift, Drift::MissingEndpoint);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_triggers_converge_to_one_endpoint_per_service() {
    let env = Env::new().await;
    let seeded = env.two_az_vpc(1).await;
    let proxy = FaultProxy::start(&env.moto.endpoint, 11).await;
    // Scope the race to the seeded VPC's region: also tag the default VPC exempt so the sweep
    // only races on the VPC under test.
    let default_vpc = env
        .ec2
        .describe_vpcs()
        .filters(filter("is-default", "true"))
        .send()
        .await
        .unwrap()
        .vpcs()
        .first()
        .and_then(|v| v.vpc_id().map(str::to_string));
    if let Some(id) = default_vpc {
        env.tag(&id, "vpce-guard:exempt", "true").await;
    }
    let guard = guard_via(&env, &proxy, &[]);
    let create_subnet = || create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[0]);

    let mut runs = Vec::new();
    for i in 0..8 {
        let guard = &guard;
        let payload = if i % 2 == 0 {
            create_subnet()
        } else {
            event("scheduled-event.json", &[])
        };
        runs.push(async move {
            if i % 2 == 0 {
                network_events(guard, payload).await
            } else {
                compliance_sweep(guard, payload).await
            }
        });
    }
    let results = futures::future::join_all(runs).await;
    for r in &results {
        assert!(r.is_ok(), "{r:?}");
    }
    // The same deterministic ClientToken went out for each service, from every racing run.
    let mut tokens: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for seen in proxy
        .seen()
        .iter()
        .filter(|s| s.action == "CreateVpcEndpoint")
    {
        tokens
            .entry(seen.params.get("ServiceName").cloned().unwrap_or_default())
            .or_default()
            .insert(
                seen.params
                    .get("ClientToken")
                    .cloned()
                    .expect("every create carries a ClientToken"),
            );
    }
    assert_eq!(tokens.len(), 5, "{tokens:?}");
    for (service, set) in &tokens {
        assert_eq!(set.len(), 1, "{service}: {set:?}");
        assert!(set
            .iter()
            .all(|t| t.starts_with("vpce-guard-") && t.len() <= 64));
    }
    let creates = proxy
        .seen()
        .iter()
        .filter(|s| s.action == "CreateVpcEndpoint")
        .count();
    let before = env.endpoints(&seeded.vpc_id).await.len();

    // moto ignores ClientToken, so racing runs may have made duplicates; the guard's own
    // duplicate handling removes the ones it created (real EC2 would have returned the first).
    let settle = compliance_sweep(&guard, event("scheduled-event.json", &[]))
        .await
        .expect("settle");
    let counts = endpoint_counts(&env).await;
    let per_service: Vec<usize> = counts
        .iter()
        .filter(|((v, _), _)| v == &seeded.vpc_id)
        .map(|(_, n)| *n)
        .collect();
    assert_eq!(
        per_service,
        vec![1; 5],
        "{counts:?}\nsettle: {settle}\nnotices: {:#?}",
        env.notices().await
    );
    let groups = env
        .ec2
        .describe_security_groups()
        .filters(filter("vpc-id", &seeded.vpc_id))
        .filters(filter("group-name", "vpce-guard-endpoints"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        groups.security_groups().len(),
        1,
        "one guard security group"
    );
    println!("race: 8 invocations, {creates} CreateVpcEndpoint calls, {before} endpoints before settling, 5 after; settle: {settle}");
}

/// Notices go out in PublishBatch calls of 10, several in flight together; the batch holding the
/// sweep summary is sent only after every other batch was accepted, so a summary is never
/// published while notices it counts were lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn notice_batches_go_out_together_and_the_summary_only_after_all_others() {
    let env = Env::new().await;
    // 22 VPCs without endpoints (+ the default VPC when it drifts) and the summary: 3 batches.
    let mut vpc_ids = Vec::new();
    for i in 0..22u8 {
        vpc_ids.push(env.two_az_vpc(100 + i).await.vpc_id);
    }
    let proxy = FaultProxy::start(&env.moto.endpoint, 0x5eed_0006).await;
    // SNS goes through the proxy, EC2 straight to moto.
    let sns_via_proxy = || ServiceEndpoints {
        ec2: None,
        sns: Some(proxy.endpoint.clone()),
    };
    let report = [("GUARD_MODE", "report")];
    let guard = |endpoints| env.function(&report).with_endpoints(endpoints);

    let summary = compliance_sweep(&guard(sns_via_proxy()), event("scheduled-event.json", &[]))
        .await
        .expect("report sweep");
    let published = n(&summary, "notices_published") as usize;
    assert!((23..=24).contains(&published), "{summary}");
    let publishes: Vec<_> = proxy
        .seen()
        .into_iter()
        .filter(|s| s.action == "PublishBatch")
        .collect();
    assert_eq!(publishes.len(), 3, "10 + 10 + the rest");
    let holds_summary = |s: &crate::common::fault_proxy::Seen| {
        s.params.values().any(|v| v.contains("\"sweep_summary\""))
    };
    assert!(
        holds_summary(publishes.last().expect("a last batch"))
            && !publishes[..2].iter().any(holds_summary),
        "the summary goes out in the last batch, after the others"
    );
    let notices = env.notices().await;
    assert_eq!(notices.len(), published);
    let vpcs: BTreeSet<_> = notices
        .iter()
        .filter_map(|n| n.vpc_id().map(str::to_string))
        .collect();
    assert_eq!(
        vpcs.len(),
        published - 1,
        "one notice per drifted VPC, none lost or doubled"
    );
    assert!(vpc_ids.iter().all(|id| vpcs.contains(id)));

    // The batch with the first VPC's notice is rejected every time: the run fails, the batch
    // in flight beside it still goes out (one at a time it would never have been sent), and the
    // summary does not.
    let first_vpc = vpcs.iter().next().expect("a VPC").clone();
    proxy.set_plan(FaultPlan {
        rate: 1.0,
        actions: vec!["PublishBatch".into()],
        body_contains: vec![first_vpc.clone()],
        kinds: vec![Fault::ServerError],
        ..FaultPlan::none()
    });
    let before = proxy.seen().len();
    let err = compliance_sweep(&guard(sns_via_proxy()), event("scheduled-event.json", &[]))
        .await
        .expect_err("a rejected batch fails the run");
    assert!(err.to_string().contains("PublishBatch"), "{err}");
    let second_run: Vec<_> = proxy.seen()[before..]
        .iter()
        .filter(|s| s.action == "PublishBatch")
        .cloned()
        .collect();
    assert!(
        !second_run.iter().any(holds_summary),
        "the summary batch was never sent: {} PublishBatch requests",
        second_run.len()
    );
    assert!(proxy.faults_injected() >= 1);
    let after_failure = env.notices().await;
    assert!(
        after_failure
            .iter()
            .all(|n| n.event_type() != NoticeEventType::SweepSummary),
        "no summary for a run whose notices were not all published"
    );
    assert!(
        after_failure
            .iter()
            .all(|n| n.vpc_id() != Some(first_vpc.as_str())),
        "the rejected batch was not delivered"
    );
    assert_eq!(
        after_failure.len(),
        10,
        "the second batch, sent together with the first, was delivered"
    );
}

//! The usage check over the fakes: verdicts from CloudWatch series, savings from NAT bytes,
//! pruning of the guard's own idle endpoints only, and the hold that keeps them pruned.

use std::sync::Arc;

use vpce_guard_core::baseline::EndpointType;
use vpce_guard_core::model::{Endpoint, EndpointState};
use vpce_guard_core::notice::{NoticeEventType, Outcome};
use vpce_guard_core::planner::Drift;
use vpce_guard_core::policy::{Mode, RunSettings};
use vpce_guard_core::ports::Clock;
use vpce_guard_core::traffic::BYTES_PER_GB;
use vpce_guard_core::usage::metrics::{endpoint_queries, nat_queries};
use vpce_guard_core::usage::{EndpointVerdict, SavingsStatus, UsageSettings};

use super::tests::{ACCOUNT, DNS_ON, REGION};
use super::*;
use crate::fakes::{InMemoryCloudWatch, InMemoryEc2, RecordingNotices};

/// 2026-12-01T00:00:00Z.
const NOW: i64 = 1_796_083_200;
const DAY: i64 = 86_400;

struct FixedClock;

impl Clock for FixedClock {
    fn now_rfc3339(&self) -> String {
        "2026-12-01T00:00:00Z".to_string()
    }
}

fn svc(short: &str) -> String {
    format!("com.amazonaws.{REGION}.{short}")
}

fn guard(
    ec2: &InMemoryEc2,
    notices: &RecordingNotices,
    cloudwatch: Option<&InMemoryCloudWatch>,
    mode: Mode,
    prune: bool,
) -> Guard<InMemoryEc2, RecordingNotices> {
    let settings = RunSettings {
        mode,
        usage: UsageSettings {
            prune_unused: prune,
            ..UsageSettings::default()
        },
        ..RunSettings::default()
    };
    let mut guard = Guard::new(ec2.clone(), notices.clone(), settings, REGION)
        .with_metrics(Arc::new(ec2.clone()))
        .with_clock(Arc::new(FixedClock));
    if let Some(cw) = cloudwatch {
        guard = guard
            .with_nat_traffic(Arc::new(cw.clone()))
            .with_usage(Arc::new(cw.clone()));
    }
    guard
}

fn endpoint_of(ec2: &InMemoryEc2, short: &str) -> Endpoint {
    ec2.endpoints("vpc-1")
        .into_iter()
        .find(|e| e.service_name == svc(short) && matches!(e.state, EndpointState::Live(_)))
        .unwrap()
}

/// `gib_a_day` GiB on each of the last `days` days through the endpoint's subnets in `subnets`
/// (indexes), both dimension sets as AWS publishes them.
fn traffic(cw: &InMemoryCloudWatch, endpoint: &Endpoint, subnets: &[usize], gib_a_day: f64) {
    let queries = endpoint_queries(endpoint);
    for day in 1..=29 {
        let at = NOW - day * DAY;
        cw.put(&queries[0], at, gib_a_day * BYTES_PER_GB);
        for &i in subnets {
            cw.put(
                &queries[1 + i],
                at,
                gib_a_day * BYTES_PER_GB / subnets.len() as f64,
            );
        }
    }
}

/// The standard set, built 60 days ago, a foreign idle endpoint, and a NAT gateway whose
/// traffic fell from 100 GiB a day to 40 once the endpoints came.
async fn estate() -> (InMemoryEc2, InMemoryCloudWatch) {
    let ec2 = InMemoryEc2::new(REGION).with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON);
    guard(&ec2, &RecordingNotices::new(), None, Mode::Remediate, false)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    let subnets = endpoint_of(&ec2, "logs").subnet_ids;
    let ec2 = ec2.with_endpoint(Endpoint {
        id: "vpce-theirs".into(),
        vpc_id: "vpc-1".into(),
        service_name: svc("sqs"),
        endpoint_type: Some(EndpointType::Interface),
        state: EndpointState::from_ec2("available"),
        route_table_ids: vec![],
        subnet_ids: subnets,
        security_group_ids: vec![],
        private_dns_enabled: true,
        policy: None,
        ip_address_type: None,
        created_at: None,
        managed: false,
    });
    ec2.set_created_at(NOW - 60 * DAY);
    let cw = InMemoryCloudWatch::new().with_nat_gateway("nat-1", "vpc-1");
    traffic(&cw, &endpoint_of(&ec2, "ecr.api"), &[0, 1], 50.0);
    traffic(&cw, &endpoint_of(&ec2, "ecr.dkr"), &[0], 50.0);
    let nat = nat_queries("nat-1");
    for day in 1..=90 {
        let gib = if day > 60 { 100.0 } else { 40.0 };
        // Out and back in: half each way.
        cw.put(&nat[0], NOW - day * DAY, gib / 2.0 * BYTES_PER_GB);
        cw.put(&nat[1], NOW - day * DAY, gib / 2.0 * BYTES_PER_GB);
    }
    (ec2, cw)
}

#[tokio::test]
async fn a_usage_check_judges_every_interface_endpoint_and_verifies_the_saving() {
    let (ec2, cw) = estate().await;
    let notices = RecordingNotices::new();
    let report = guard(&ec2, &notices, Some(&cw), Mode::Report, false)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    let outcome = &report.outcomes[0];
    let verdict = |short: &str| {
        outcome
            .usage
            .iter()
            .find(|e| e.service == svc(short))
            .map(|e| e.verdict)
    };
    assert_eq!(verdict("ecr.api"), Some(EndpointVerdict::Pays));
    assert_eq!(verdict("ecr.dkr"), Some(EndpointVerdict::Pays));
    assert_eq!(verdict("logs"), Some(EndpointVerdict::Idle));
    assert_eq!(
        verdict("sqs"),
        Some(EndpointVerdict::Idle),
        "others' endpoints are measured too"
    );
    assert_eq!(
        outcome.usage.len(),
        4,
        "gateway endpoints publish no metrics: never judged"
    );
    let savings = outcome.savings.as_ref().unwrap();
    assert_eq!(savings.status, SavingsStatus::Verified);
    assert_eq!(savings.nat_reduction_pct, Some(60.0));

    let c = &report.summary.counters;
    assert_eq!(c.usage_checked, 1);
    assert_eq!(
        (c.endpoints_measured, c.endpoints_idle, c.endpoint_azs_idle),
        (4, 2, 1)
    );
    assert_eq!(c.vpcs_savings_verified, 1);
    assert!(c.verified_monthly_saving_usd.usd() > 0.0);
    assert_eq!(c.endpoints_pruned, 0, "report mode prunes nothing");
    // Reads: one request for the endpoints (4 endpoints × (1 + 2 subnets)), one for NAT.
    assert_eq!(cw.requests(), 2);
    assert_eq!(cw.metrics_requested(), 12 + 2);
    assert_eq!(
        c.cloudwatch_metrics_requested, 14,
        "the summary counts what CloudWatch bills"
    );

    // The compliant VPC still gets a notice: it names the idle endpoints and the idle AZ.
    let vpc_notice = notices
        .published()
        .into_iter()
        .find(|n| n.vpc_id() == Some("vpc-1"))
        .expect("a notice for the VPC's usage findings");
    let drifts: Vec<Drift> = vpc_notice.findings().iter().map(|f| f.drift).collect();
    assert_eq!(
        drifts.iter().filter(|d| **d == Drift::EndpointIdle).count(),
        2
    );
    assert!(drifts.contains(&Drift::EndpointAzIdle));
    assert!(vpc_notice
        .findings()
        .iter()
        .all(|f| f.outcome == Outcome::NotRemediable && f.usage.is_some()));
    assert_eq!(
        vpc_notice
            .vpc()
            .and_then(|v| v.savings.as_ref())
            .map(|s| s.status),
        Some(SavingsStatus::Verified)
    );
    assert_eq!(
        report.outcomes[0].status,
        VpcStatus::Compliant,
        "usage is not drift"
    );
}

#[tokio::test]
async fn pruning_deletes_only_the_guards_idle_endpoints_and_holds_them_out() {
    let (ec2, cw) = estate().await;
    let notices = RecordingNotices::new();
    let dkr_before = endpoint_of(&ec2, "ecr.dkr");
    let report = guard(&ec2, &notices, Some(&cw), Mode::Remediate, true)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    assert_eq!(
        report.summary.counters.endpoints_pruned, 2,
        "logs and an AZ of ecr.dkr"
    );
    let live: Vec<String> = ec2
        .live_endpoints("vpc-1")
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert!(
        !live.contains(&"logs".to_string()),
        "the guard's idle endpoint is gone"
    );
    assert!(live.contains(&"sqs".to_string()), "never someone else's");
    let dkr = endpoint_of(&ec2, "ecr.dkr");
    assert_eq!(dkr.subnet_ids, vec![dkr_before.subnet_ids[0].clone()]);
    let tags = ec2.vpc_tags("vpc-1");
    assert_eq!(
        tags.get(&format!("vpce-guard:pruned:{}", svc("logs")))
            .map(String::as_str),
        Some("endpoint")
    );
    assert!(tags.contains_key(&format!("vpce-guard:pruned:{}", svc("ecr.dkr"))));
    // The prune is announced, naming the endpoint.
    let notice = notices
        .published()
        .into_iter()
        .find(|n| n.vpc_id() == Some("vpc-1"))
        .unwrap();
    assert_eq!(notice.event_type(), NoticeEventType::Remediated);
    let logs_id = ec2
        .endpoints("vpc-1")
        .into_iter()
        .find(|e| e.service_name == svc("logs"))
        .unwrap()
        .id;
    assert!(notice
        .findings()
        .iter()
        .any(|f| f.outcome == Outcome::Applied && f.action.contains(&logs_id)));

    // The next sweeps (with or without a usage check) create neither back.
    for cloudwatch in [None, Some(&cw)] {
        let report = guard(
            &ec2,
            &RecordingNotices::new(),
            cloudwatch,
            Mode::Remediate,
            true,
        )
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
        assert_eq!(report.summary.counters.actions_applied, 0);
        assert_eq!(report.outcomes[0].status, VpcStatus::Compliant);
    }
    assert_eq!(endpoint_of(&ec2, "ecr.dkr").subnet_ids.len(), 1);
}

#[tokio::test]
async fn a_failed_read_leaves_the_run_without_usage_and_other_runs_never_read() {
    let (ec2, cw) = estate().await;
    cw.fail_with(Some("Throttling"));
    let report = guard(
        &ec2,
        &RecordingNotices::new(),
        Some(&cw),
        Mode::Remediate,
        true,
    )
    .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
    .await
    .unwrap();
    assert_eq!(report.summary.counters.usage_checked, 0);
    assert_eq!(report.summary.counters.endpoints_pruned, 0);
    assert!(report.outcomes[0].usage.is_empty());
    cw.fail_with(None);
    // A run over named VPCs (a network event) never reads usage.
    let before = cw.requests();
    guard(
        &ec2,
        &RecordingNotices::new(),
        Some(&cw),
        Mode::Remediate,
        true,
    )
    .run(RunRequest {
        account_id: ACCOUNT.into(),
        trigger: "CreateSubnet".into(),
        scope: Scope::Vpcs(vec!["vpc-1".into()]),
        read_dns_for_all: true,
        publish_summary: false,
        notify: true,
    })
    .await
    .unwrap();
    assert_eq!(cw.requests(), before);
}

#[tokio::test]
async fn the_usage_report_reads_without_planning_or_changing_anything() {
    let (ec2, cw) = estate().await;
    let calls_before = ec2.calls().len();
    let report = guard(
        &ec2,
        &RecordingNotices::new(),
        Some(&cw),
        Mode::Remediate,
        true,
    )
    .usage_report(ACCOUNT, Scope::Region)
    .await
    .unwrap();
    assert_eq!(report.endpoints.len(), 4);
    assert_eq!(report.savings.len(), 1);
    let writes = ec2.calls()[calls_before..]
        .iter()
        .filter(|c| !c.starts_with("Describe"))
        .count();
    assert_eq!(writes, 0);
    let none = guard(&ec2, &RecordingNotices::new(), None, Mode::Report, false)
        .usage_report(ACCOUNT, Scope::Region)
        .await;
    assert!(matches!(none, Err(GuardError::Usage(_))));
}

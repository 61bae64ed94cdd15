//! The guard loop over the in-memory fakes: every stage, without a network.

use std::sync::Arc;

use vpce_guard_core::baseline::EndpointType;
use vpce_guard_core::events::{ApiCallEvent, ResourceRefs};
use vpce_guard_core::model::DnsAttributes;
use vpce_guard_core::notice::{NoticeEventType, Outcome};
use vpce_guard_core::outbox::UNPUBLISHED_TAG_KEY;
use vpce_guard_core::planner::Drift;
use vpce_guard_core::policy::{Mode, RunSettings};
use vpce_guard_core::ports::{Clock, Scope};

use super::*;
use crate::fakes::{InMemoryEc2, RecordingNotices};

pub(super) const ACCOUNT: &str = "123456789012";
pub(super) const REGION: &str = "us-east-1";
pub(super) const DNS_ON: DnsAttributes = DnsAttributes {
    support: true,
    hostnames: true,
};
const HOSTNAMES_OFF: DnsAttributes = DnsAttributes {
    support: true,
    hostnames: false,
};

struct FixedClock;

impl Clock for FixedClock {
    fn now_rfc3339(&self) -> String {
        "2026-12-01T00:00:00Z".to_string()
    }
}

pub(super) fn guard(
    ec2: &InMemoryEc2,
    notices: &RecordingNotices,
    mode: Mode,
) -> Guard<InMemoryEc2, RecordingNotices> {
    let settings = RunSettings {
        mode,
        ..RunSettings::default()
    };
    Guard::new(ec2.clone(), notices.clone(), settings, REGION)
        .with_metrics(Arc::new(ec2.clone()))
        .with_clock(Arc::new(FixedClock))
}

fn standard_set() -> Vec<(String, EndpointType)> {
    let mut set: Vec<(String, EndpointType)> = [
        ("dynamodb", EndpointType::Gateway),
        ("ecr.api", EndpointType::Interface),
        ("ecr.dkr", EndpointType::Interface),
        ("logs", EndpointType::Interface),
        ("s3", EndpointType::Gateway),
    ]
    .into_iter()
    .map(|(s, t)| (s.to_string(), t))
    .collect();
    set.sort();
    set
}

#[tokio::test]
async fn remediate_builds_the_standard_set_and_the_next_sweep_is_quiet() {
    let ec2 = InMemoryEc2::new(REGION).with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON);
    let notices = RecordingNotices::new();
    let report = guard(&ec2, &notices, Mode::Remediate)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    assert_eq!(ec2.live_endpoints("vpc-1"), standard_set());
    let c = &report.summary.counters;
    assert_eq!((c.vpcs_checked, c.vpcs_drifted), (1, 1));
    assert_eq!(c.actions_applied, 5);
    assert_eq!(c.actions_failed, 0);
    assert!(
        c.monthly_cost_delta_usd.usd() > 0.0,
        "interface endpoints cost money"
    );
    let published = notices.published();
    assert_eq!(published.len(), 2, "the VPC's notice and the sweep summary");
    assert_eq!(published[0].event_type(), NoticeEventType::Remediated);
    assert_eq!(published[0].generated_at, "2026-12-01T00:00:00Z");
    assert_eq!(published[1].event_type(), NoticeEventType::SweepSummary);
    assert_eq!(c.notices_published, 2);
    // Requests are counted from the metrics port: one batched read, the creates, no DNS reads
    // (the sweep only reads DNS where a remedy needs private DNS, and that VPC needed it).
    assert_eq!(
        report.summary.api_calls_by_action.get("DescribeVpcs"),
        Some(&1)
    );
    assert_eq!(
        report.summary.api_calls_by_action.get("CreateVpcEndpoint"),
        Some(&5)
    );
    assert_eq!(
        c.api_calls,
        report.summary.api_calls_by_action.values().sum::<u64>()
    );

    let again = guard(&ec2, &notices, Mode::Remediate)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    assert_eq!(again.summary.counters.vpcs_compliant, 1);
    assert_eq!(again.summary.counters.actions_applied, 0);
    assert_eq!(
        notices.published().len(),
        3,
        "only the second sweep summary"
    );
}

#[tokio::test]
async fn report_mode_plans_and_changes_nothing() {
    let ec2 = InMemoryEc2::new(REGION).with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON);
    let notices = RecordingNotices::new();
    let report = guard(&ec2, &notices, Mode::Report)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    assert!(ec2.live_endpoints("vpc-1").is_empty());
    assert!(!ec2.calls().iter().any(|c| c.starts_with("Create")));
    let outcomes: Vec<Outcome> = report.outcomes[0]
        .findings
        .iter()
        .map(|f| f.outcome)
        .collect();
    assert_eq!(outcomes, vec![Outcome::Planned; 5]);
    assert_eq!(
        notices.published()[0].event_type(),
        NoticeEventType::DriftDetected
    );
}

#[tokio::test]
async fn a_remediating_run_reads_dns_only_where_its_private_dns_creates_can_still_be_sent() {
    // Budget: 2 more CreateVpcEndpoint before the deadline, 1 of slack (one VPC at a time).
    let ec2 = InMemoryEc2::new(REGION)
        .with_private_vpc("vpc-1", "10.1.0.0/16", HOSTNAMES_OFF)
        .with_private_vpc("vpc-2", "10.2.0.0/16", HOSTNAMES_OFF)
        .with_private_vpc("vpc-3", "10.3.0.0/16", HOSTNAMES_OFF)
        .with_calls_left_before_deadline(
            vpce_guard_core::ec2_action::Ec2Action::CreateVpcEndpoint,
            2,
        );
    let notices = RecordingNotices::new();
    let settings = RunSettings {
        mode: Mode::Remediate,
        remediation_concurrency: 1,
        ..RunSettings::default()
    };
    let report = Guard::new(ec2.clone(), notices.clone(), settings, REGION)
        .with_metrics(Arc::new(ec2.clone()))
        .with_clock(Arc::new(FixedClock))
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    let calls = ec2.calls();
    let count = |op: &str| calls.iter().filter(|c| *c == op).count();
    // The fake reads both attributes in one call (EC2: two).
    assert_eq!(count("DescribeVpcAttribute"), 1, "vpc-1's attributes only");
    assert_eq!(
        count("ModifyVpcAttribute"),
        1,
        "hostnames enabled on vpc-1 only"
    );
    assert_eq!(ec2.dns("vpc-1"), Some(DNS_ON));
    assert_eq!(ec2.dns("vpc-2"), Some(HOSTNAMES_OFF));
    assert_eq!(ec2.live_endpoints("vpc-1"), standard_set());
    for later in &report.outcomes[1..] {
        let deferred: Vec<&str> = later
            .findings
            .iter()
            .filter(|f| f.outcome == Outcome::Deferred)
            .filter_map(|f| f.service.as_deref())
            .collect();
        assert_eq!(
            deferred.len(),
            3,
            "{}: the three interface endpoints wait",
            later.vpc_id
        );
        assert!(later.findings.iter().all(|f| f.outcome != Outcome::Failed));
    }
    let c = &report.summary.counters;
    assert_eq!((c.actions_deferred, c.actions_failed), (6, 0));
}

#[tokio::test]
async fn failed_dns_enable_skips_the_private_dns_endpoints_but_not_the_gateways() {
    let ec2 = InMemoryEc2::new(REGION).with_private_vpc("vpc-1", "10.0.0.0/16", HOSTNAMES_OFF);
    ec2.fail("ModifyVpcAttribute", "UnauthorizedOperation");
    let notices = RecordingNotices::new();
    let report = guard(&ec2, &notices, Mode::Remediate)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    let findings = &report.outcomes[0].findings;
    let dns = findings
        .iter()
        .find(|f| f.drift == Drift::VpcDnsAttributesDisabled)
        .expect("a DNS finding");
    assert_eq!(dns.outcome, Outcome::Failed);
    let skipped = findings
        .iter()
        .filter(|f| f.error.as_deref().is_some_and(|e| e.starts_with("skipped")))
        .count();
    assert_eq!(skipped, 3, "ecr.api, ecr.dkr and logs need private DNS");
    assert_eq!(
        ec2.live_endpoints("vpc-1"),
        vec![
            ("dynamodb".to_string(), EndpointType::Gateway),
            ("s3".to_string(), EndpointType::Gateway)
        ]
    );
    assert_eq!(
        notices.published()[0].event_type(),
        NoticeEventType::RemediationFailed
    );
}

#[tokio::test]
async fn a_failed_publish_keeps_applied_findings_and_the_retry_replays_them_once() {
    let ec2 = InMemoryEc2::new(REGION).with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON);
    let notices = RecordingNotices::new();
    notices.fail_with(Some("InternalError"));
    let error = guard(&ec2, &notices, Mode::Remediate)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap_err();
    assert!(
        matches!(error, GuardError::Publish { unpublished: 2, .. }),
        "{error}"
    );
    let tagged = ec2.observation().vpcs[0]
        .tags
        .get(UNPUBLISHED_TAG_KEY)
        .cloned();
    assert!(tagged.is_some_and(|v| v.contains("missing_endpoint")));

    notices.fail_with(None);
    let retry = guard(&ec2, &notices, Mode::Remediate)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    assert_eq!(
        retry.summary.counters.actions_applied, 0,
        "nothing left to fix"
    );
    let published = notices.published();
    assert_eq!(
        published.len(),
        2,
        "the replayed VPC notice and the summary"
    );
    assert_eq!(published[0].findings().len(), 5);
    assert!(!ec2.observation().vpcs[0]
        .tags
        .contains_key(UNPUBLISHED_TAG_KEY));
    assert!(ec2.calls().contains(&"DeleteTags".to_string()));
}

#[tokio::test]
async fn exempt_vpcs_are_counted_and_never_read_or_changed() {
    let ec2 = InMemoryEc2::new(REGION)
        .with_private_vpc("vpc-1", "10.0.0.0/16", HOSTNAMES_OFF)
        .with_vpc_tag("vpc-1", "vpce-guard:exempt", "true");
    let notices = RecordingNotices::new();
    let report = guard(&ec2, &notices, Mode::Remediate)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, true)
        .await
        .unwrap();
    assert_eq!(report.summary.counters.vpcs_exempt, 1);
    assert_eq!(ec2.calls(), ["DescribeVpcs"], "no DNS read, no change");
}

#[tokio::test]
async fn a_call_is_scoped_to_the_vpcs_it_touched() {
    let ec2 = InMemoryEc2::new(REGION)
        .with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON)
        .with_private_vpc("vpc-2", "10.1.0.0/16", DNS_ON);
    let notices = RecordingNotices::new();
    let guard = guard(&ec2, &notices, Mode::Report);
    let call = |refs: ResourceRefs| ApiCallEvent {
        event_name: "CreateSubnet".to_string(),
        account_id: ACCOUNT.to_string(),
        region: REGION.to_string(),
        refs,
        ..ApiCallEvent::default()
    };
    let mut by_subnet = ResourceRefs::default();
    by_subnet.subnet_ids.insert("subnet-0-vpc-2".to_string());
    assert_eq!(
        guard.scope_of_call(&call(by_subnet.clone())).await.unwrap(),
        Some(Scope::Vpcs(vec!["vpc-2".to_string()]))
    );
    let CallOutcome::Guarded(report) = guard.run_for_call(call(by_subnet)).await.unwrap() else {
        panic!("a subnet of a guarded VPC is guarded");
    };
    assert_eq!(report.summary.counters.vpcs_checked, 1);
    assert_eq!(report.summary.trigger, "CreateSubnet");
    // A targeted run reads the DNS attributes of the VPCs it covers.
    assert_eq!(
        report
            .summary
            .api_calls_by_action
            .get("DescribeVpcAttribute"),
        Some(&1)
    );

    let mut gone = ResourceRefs::default();
    gone.endpoint_ids.insert("vpce-deleted".to_string());
    assert_eq!(
        guard.scope_of_call(&call(gone)).await.unwrap(),
        Some(Scope::Region)
    );
}

#[tokio::test]
async fn a_rule_change_concerns_the_guard_only_on_its_own_group() {
    let ec2 = InMemoryEc2::new(REGION)
        .with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON)
        .with_private_vpc("vpc-2", "10.1.0.0/16", DNS_ON);
    let notices = RecordingNotices::new();
    let guard = guard(&ec2, &notices, Mode::Remediate);
    guard.sweep(ACCOUNT, SCHEDULE_TRIGGER, false).await.unwrap();
    let group_of_vpc_2 = ec2
        .observation()
        .security_groups
        .iter()
        .find(|g| g.vpc_id == "vpc-2" && g.managed)
        .map(|g| g.id.clone())
        .expect("the sweep created the guard's group in vpc-2");
    let call = |refs: ResourceRefs| ApiCallEvent {
        event_name: "AuthorizeSecurityGroupIngress".to_string(),
        account_id: ACCOUNT.to_string(),
        region: REGION.to_string(),
        refs,
        ..ApiCallEvent::default()
    };

    let mut ours = ResourceRefs::default();
    ours.security_group_ids.insert(group_of_vpc_2);
    assert_eq!(
        guard.scope_of_call(&call(ours)).await.unwrap(),
        Some(Scope::Vpcs(vec!["vpc-2".to_string()]))
    );

    let mut theirs = ResourceRefs::default();
    theirs
        .security_group_ids
        .insert("sg-someone-elses".to_string());
    let before = ec2.calls().len();
    let outcome = guard.run_for_call(call(theirs)).await.unwrap();
    assert!(
        matches!(outcome, CallOutcome::Ignored { ref reason } if reason.contains("sg-someone-elses"))
    );
    assert_eq!(
        ec2.calls()[before..],
        ["DescribeSecurityGroups"],
        "one cheap check, nothing else"
    );

    let mut by_name = ResourceRefs::default();
    by_name.security_group_names.insert("default".to_string());
    let before = ec2.calls().len();
    assert_eq!(guard.scope_of_call(&call(by_name)).await.unwrap(), None);
    assert_eq!(
        ec2.calls().len(),
        before,
        "a foreign group name costs no call"
    );
}

#[tokio::test]
async fn an_observe_failure_fails_the_run_before_anything_changes() {
    let ec2 = InMemoryEc2::new(REGION).with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON);
    ec2.fail("DescribeVpcs", "RequestLimitExceeded");
    let notices = RecordingNotices::new();
    let error = guard(&ec2, &notices, Mode::Remediate)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap_err();
    assert!(matches!(error, GuardError::Observe(ref e) if e.code == "RequestLimitExceeded"));
    assert!(notices.published().is_empty());
    assert_eq!(ec2.calls(), ["DescribeVpcs"]);
}

#[tokio::test]
async fn security_hub_gets_report_drift_as_failed_then_archived_and_its_errors_never_fail_a_run() {
    use crate::fakes::InMemorySecurityHub;
    use vpce_guard_core::security_hub::{HubCompliance, HubRecordState};

    let ec2 = InMemoryEc2::new(REGION).with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON);
    let notices = RecordingNotices::new();
    let hub = InMemorySecurityHub::new();
    let with_hub =
        |mode| guard(&ec2, &notices, mode).with_security_hub(Arc::new(hub.clone()), "aws");

    let report = with_hub(Mode::Report)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    assert_eq!(report.summary.counters.security_hub_active, 5);
    let held = hub.findings();
    assert_eq!(held.len(), 5);
    assert!(held
        .values()
        .all(|f| f.compliance == HubCompliance::Failed && f.created_at == "2026-12-01T00:00:00Z"));

    // Security Hub down: the remediate run still fixes and notifies, and counts the failure.
    hub.fail_with(Some("InvalidAccessException"));
    let report = with_hub(Mode::Remediate)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .expect("a Security Hub outage does not fail the run");
    assert_eq!(report.summary.counters.actions_applied, 5);
    assert_eq!(report.summary.counters.security_hub_failed, 1);
    assert!(!notices.take().is_empty());

    // Back up: the next (compliant) sweep archives what the outage left active.
    hub.fail_with(None);
    let report = with_hub(Mode::Remediate)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    assert_eq!(report.summary.counters.security_hub_archived, 5);
    assert!(hub.findings().values().all(
        |f| f.compliance == HubCompliance::Passed && f.record_state == HubRecordState::Archived
    ));
}

#[tokio::test]
async fn dns_attributes_left_unread_are_counted_never_silently_skipped() {
    for (fails, unchecked) in [(false, 0), (true, 1)] {
        let ec2 = InMemoryEc2::new(REGION).with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON);
        if fails {
            ec2.fail("DescribeVpcAttribute", "RequestLimitExceeded");
        }
        let notices = RecordingNotices::new();
        let report = guard(&ec2, &notices, Mode::Report)
            .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
            .await
            .unwrap();
        assert_eq!(
            report.summary.counters.vpcs_dns_unchecked, unchecked,
            "DescribeVpcAttribute failing: {fails}"
        );
    }
}

//! The event path's daily check inside a guard run, over the in-memory ports.

use std::sync::Arc;

use vpce_guard_core::event_path::{ReadWrite, Selectors, Trail};
use vpce_guard_core::events::{ApiCallEvent, ResourceRefs};
use vpce_guard_core::notice::NoticeEventType;
use vpce_guard_core::policy::Mode;
use vpce_guard_core::security_hub::{event_path_finding_id, HubCompliance, HubRecordState};

use super::tests::{guard, ACCOUNT, DNS_ON, REGION};
use super::SCHEDULE_TRIGGER;
use crate::fakes::{InMemoryEc2, InMemorySecurityHub, InMemoryTrails, RecordingNotices};

/// (checked, missing) of a run.
fn event_path_counts(report: &super::RunReport) -> (u64, u64) {
    let c = &report.summary.counters;
    (c.event_path_checked, c.event_path_missing)
}

fn logging_trail() -> Trail {
    Trail {
        arn: format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/management"),
        logging: Ok(true),
        selectors: Ok(Selectors::Basic(vec![(true, ReadWrite::All)])),
    }
}

#[tokio::test]
async fn a_sweep_without_a_trail_says_so_once_and_archives_it_when_one_appears() {
    let ec2 = InMemoryEc2::new(REGION).with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON);
    let notices = RecordingNotices::new();
    let trails = InMemoryTrails::new();
    let hub = InMemorySecurityHub::new();
    let daily = || {
        guard(&ec2, &notices, Mode::Report)
            .with_trails(Arc::new(trails.clone()))
            .with_security_hub(Arc::new(hub.clone()), "aws")
    };

    let report = daily()
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    assert_eq!(event_path_counts(&report), (1, 1));
    let published = notices.take();
    let missing: Vec<_> = published
        .iter()
        .filter(|n| n.event_type() == NoticeEventType::EventPathMissing)
        .collect();
    assert_eq!(missing.len(), 1);
    assert!(missing[0]
        .summary
        .contains("Events are not reaching the guard in us-east-1"));
    assert!(missing[0]
        .event_path()
        .as_ref()
        .is_some_and(|p| p.is_missing()));
    let id = event_path_finding_id(ACCOUNT, REGION);
    let finding = hub
        .findings()
        .get(&id)
        .cloned()
        .expect("a Security Hub finding");
    assert_eq!(finding.compliance, HubCompliance::Failed);

    // A trail now logs the Region's writes: no notice, and the finding is archived.
    trails.set(vec![logging_trail()]);
    let report = daily()
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    assert_eq!(event_path_counts(&report), (1, 0));
    assert!(notices
        .take()
        .iter()
        .all(|n| n.event_type() != NoticeEventType::EventPathMissing));
    let finding = hub.findings().get(&id).cloned().expect("still held");
    assert_eq!(
        (finding.compliance, finding.record_state),
        (HubCompliance::Passed, HubRecordState::Archived)
    );
    // The per-VPC reconcile never touched it: it is not a VPC's finding.
    assert_eq!(finding.created_at, "2026-12-01T00:00:00Z");
}

#[tokio::test]
async fn only_whole_region_runs_check_and_a_failed_read_never_fails_the_run() {
    let ec2 = InMemoryEc2::new(REGION).with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON);
    let notices = RecordingNotices::new();
    let trails = InMemoryTrails::new();
    let daily = || guard(&ec2, &notices, Mode::Report).with_trails(Arc::new(trails.clone()));

    // A CloudTrail event's run covers one VPC: no check.
    let call = ApiCallEvent {
        event_name: "CreateSubnet".into(),
        account_id: ACCOUNT.into(),
        region: REGION.into(),
        refs: ResourceRefs {
            vpc_ids: ["vpc-1".to_string()].into_iter().collect(),
            ..ResourceRefs::default()
        },
        ..ApiCallEvent::default()
    };
    daily().run_for_call(call).await.unwrap();
    assert_eq!(trails.reads(), 0);

    // CloudTrail refuses: the sweep still runs, and counts nothing as checked.
    trails.fail_with(Some("AccessDeniedException"));
    let report = daily()
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .expect("a CloudTrail failure does not fail the run");
    assert_eq!(trails.reads(), 1);
    assert_eq!(report.summary.counters.event_path_checked, 0);
    assert!(notices
        .take()
        .iter()
        .all(|n| n.event_type() != NoticeEventType::EventPathMissing));
}

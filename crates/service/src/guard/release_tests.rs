//! The release flow on the in-memory fakes: what is deleted, in which order, what is tagged and
//! published, and what the hold then keeps out.

use vpce_guard_core::model::RELEASED_TAG_KEY;
use vpce_guard_core::notice::NoticeEventType;
use vpce_guard_core::policy::Mode;

use super::tests::{guard, ACCOUNT, DNS_ON, REGION};
use super::*;
use crate::fakes::{InMemoryEc2, RecordingNotices};

/// A converged VPC (the sweep created the standard set and the guard's group).
async fn converged(ec2: &InMemoryEc2, notices: &RecordingNotices) {
    guard(ec2, notices, Mode::Remediate)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    notices.take();
}

#[tokio::test]
async fn a_vpc_release_deletes_interfaces_then_gateways_then_the_group_and_holds() {
    let ec2 = InMemoryEc2::new(REGION).with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON);
    let notices = RecordingNotices::new();
    converged(&ec2, &notices).await;
    let before = ec2.calls().len();

    let release = guard(&ec2, &notices, Mode::Remediate)
        .release(
            ACCOUNT,
            "DeleteVpc",
            &ReleaseTarget::Vpc("vpc-1".into()),
            true,
        )
        .await
        .unwrap()
        .expect("released");

    assert_eq!(release.report.deleted.len(), 6, "{:?}", release.report);
    assert!(release.report.pending.is_empty() && release.report.errors.is_empty());
    assert_eq!(
        release.report.held_until.as_deref(),
        Some("2026-12-02T00:00:00Z")
    );
    assert!(ec2.live_endpoints("vpc-1").is_empty());
    let calls = &ec2.calls()[before..];
    let order: Vec<&str> = calls
        .iter()
        .map(String::as_str)
        .filter(|c| {
            matches!(
                *c,
                "CreateTags" | "DeleteVpcEndpoints" | "DeleteSecurityGroup"
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            "CreateTags",
            "DeleteVpcEndpoints",
            "DeleteVpcEndpoints",
            "DeleteSecurityGroup"
        ],
        "tag first, interfaces, gateways, then the group: {calls:?}"
    );
    let published = notices.take();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].event_type(), NoticeEventType::Released);
    assert_eq!(
        ec2.observation().vpcs[0]
            .tags
            .get(RELEASED_TAG_KEY)
            .map(String::as_str),
        Some("2026-12-01T00:00:00Z/2026-12-02T00:00:00Z"),
        "the release time and the hold's end (RELEASE_HOLD_HOURS, 24 by default)"
    );

    // The hold: a sweep at the same moment re-creates nothing.
    let report = guard(&ec2, &notices, Mode::Remediate)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    assert_eq!(report.summary.counters.vpcs_released, 1);
    assert_eq!(report.summary.counters.actions_applied, 0);
    assert!(ec2.live_endpoints("vpc-1").is_empty());
}

#[tokio::test]
async fn a_subnet_release_moves_the_interfaces_to_the_next_subnet_of_the_az() {
    let ec2 = InMemoryEc2::new(REGION)
        .with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON)
        .with_extra_private_subnet("vpc-1", "subnet-9-vpc-1", "us-east-1a");
    let notices = RecordingNotices::new();
    converged(&ec2, &notices).await;
    // The planner placed the interfaces in the lowest subnet id of each AZ.
    let released = "subnet-0-vpc-1";

    let release = guard(&ec2, &notices, Mode::Remediate)
        .release(
            ACCOUNT,
            "DeleteSubnet",
            &ReleaseTarget::Subnet(released.into()),
            true,
        )
        .await
        .unwrap()
        .expect("released");

    assert_eq!(release.report.moved.len(), 3, "{:?}", release.report);
    for endpoint in ec2
        .observation()
        .endpoints
        .iter()
        .filter(|e| !e.subnet_ids.is_empty())
    {
        assert!(!endpoint.subnet_ids.iter().any(|s| s == released));
        assert!(endpoint.subnet_ids.iter().any(|s| s == "subnet-9-vpc-1"));
    }
    // The next sweep leaves the held subnet out.
    let report = guard(&ec2, &notices, Mode::Remediate)
        .sweep(ACCOUNT, SCHEDULE_TRIGGER, false)
        .await
        .unwrap();
    assert_eq!(
        report.summary.counters.actions_applied, 0,
        "{:?}",
        report.notices
    );
}

#[tokio::test]
async fn report_mode_and_foreign_vpcs_release_nothing() {
    let ec2 = InMemoryEc2::new(REGION)
        .with_private_vpc("vpc-1", "10.0.0.0/16", DNS_ON)
        .with_private_vpc("vpc-2", "10.1.0.0/16", DNS_ON);
    let notices = RecordingNotices::new();
    converged(&ec2, &notices).await;
    let ec2 = ec2.with_vpc_owner("vpc-2", "999999999999");

    let planned = guard(&ec2, &notices, Mode::Report)
        .release(
            ACCOUNT,
            "DeleteVpc",
            &ReleaseTarget::Vpc("vpc-1".into()),
            false,
        )
        .await
        .unwrap()
        .expect("a plan");
    assert_eq!(planned.report.planned.len(), 6);
    assert!(planned.report.deleted.is_empty());
    assert_eq!(ec2.live_endpoints("vpc-1").len(), 5);

    let shared = guard(&ec2, &notices, Mode::Remediate)
        .release(
            ACCOUNT,
            "DeleteVpc",
            &ReleaseTarget::Vpc("vpc-2".into()),
            true,
        )
        .await
        .unwrap();
    assert!(matches!(shared, Err(ref reason) if reason.contains("999999999999")));
    assert_eq!(ec2.live_endpoints("vpc-2").len(), 5);
    assert!(notices.take().is_empty());
}

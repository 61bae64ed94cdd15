//! Notices: their type, JSON, subject and attributes.

use super::*;

fn ctx() -> NoticeContext {
    NoticeContext {
        account_id: "123456789012".into(),
        region: "us-east-1".into(),
        trigger: "CreateSubnet".into(),
        mode: Mode::Remediate,
        generated_at: "2026-11-21T00:00:00Z".into(),
    }
}

fn finding(outcome: Outcome) -> NoticeFinding {
    NoticeFinding {
        service: Some("com.amazonaws.us-east-1.s3".into()),
        drift: Drift::MissingEndpoint,
        resource_ids: vec!["vpc-1".into()],
        action: "CreateVpcEndpoint".into(),
        outcome,
        error: None,
        monthly_cost_usd: 14.6,
        usage: None,
    }
}

#[test]
fn event_type_follows_outcomes() {
    let t = |outcomes: &[Outcome]| {
        Notice::for_vpc(
            &ctx(),
            VpcReport::new("vpc-1", outcomes.iter().map(|o| finding(*o)).collect()),
        )
        .event_type()
    };
    assert_eq!(t(&[Outcome::Planned]), NoticeEventType::DriftDetected);
    assert_eq!(t(&[Outcome::NotRemediable]), NoticeEventType::DriftDetected);
    assert_eq!(
        t(&[Outcome::Applied, Outcome::NotRemediable]),
        NoticeEventType::Remediated
    );
    assert_eq!(
        t(&[Outcome::Applied, Outcome::Failed]),
        NoticeEventType::RemediationFailed
    );
}

#[test]
fn json_uses_schema_field_names() {
    let notice = Notice::for_vpc(
        &ctx(),
        VpcReport::new("vpc-1", vec![finding(Outcome::Applied)]),
    );
    let value: serde_json::Value = serde_json::from_str(&notice.to_json()).unwrap();
    assert_eq!(value["schema"], "vpce-guard.notice/v1");
    assert_eq!(value["event_type"], "remediated");
    assert_eq!(value["mode"], "remediate");
    assert_eq!(value["findings"][0]["drift"], "missing_endpoint");
    assert_eq!(value["findings"][0]["outcome"], "applied");
    assert!(value["findings"][0]["error"].is_null());
    assert!(value.get("totals").is_none());
    assert!(value["summary"].as_str().unwrap().contains("1 remediated"));
}

#[test]
fn subject_stays_under_one_hundred_characters() {
    let long_vpc = format!("vpc-{}", "f".repeat(200));
    let notice = Notice::for_vpc(
        &ctx(),
        VpcReport::new(&long_vpc, vec![finding(Outcome::Failed)]),
    );
    let subject = notice.subject();
    assert!(subject.chars().count() < 100, "{subject}");
    assert!(subject.starts_with("vpce-guard: remediation failed in vpc-"));
    let short = Notice::for_vpc(
        &ctx(),
        VpcReport::new("vpc-1", vec![finding(Outcome::Applied)]),
    )
    .subject();
    assert_eq!(
        short,
        "vpce-guard: remediated vpc-1 us-east-1 (1 finding(s))"
    );
}

#[test]
fn summary_notice_carries_totals_and_no_vpc_attribute() {
    let mut totals = RunSummary::default();
    totals.counters.vpcs_checked = 3;
    totals.counters.vpcs_drifted = 1;
    let notice = Notice::sweep_summary(&ctx(), totals);
    assert_eq!(notice.event_type(), NoticeEventType::SweepSummary);
    assert!(notice.attributes().iter().all(|(k, _)| *k != "vpc_id"));
    assert!(notice.subject().contains("(1 drifted of 3)"));
}

#[test]
fn org_summary_names_failed_accounts_in_summary_and_subject() {
    use crate::org::{tally, ItemRecord, ItemResult, SweepRecord};
    let record = SweepRecord {
        sweep_id: "sweep-1".into(),
        items_total: 4,
        done: 4,
        accounts: vec!["123456789012".into(), "210987654321".into()],
        regions: vec!["eu-west-1".into(), "us-east-1".into()],
        ..Default::default()
    };
    let records: Vec<ItemRecord> = record
        .items()
        .map(|item| ItemRecord {
            result: if item.account_id == "210987654321" && item.region == "eu-west-1" {
                ItemResult::Failed("AccessDenied".into())
            } else {
                ItemResult::Succeeded(Box::default())
            },
            item,
        })
        .collect();
    let report = OrgSweepReport::new(&record, tally(&record, records), Vec::new());
    let notice = Notice::org_sweep_summary(&ctx(), report);
    assert_eq!(notice.event_type(), NoticeEventType::OrgSweepSummary);
    assert!(notice.totals().is_none() && notice.vpc_id().is_none());
    assert!(notice
        .summary
        .contains("3 of 4 item(s) succeeded, 1 failed"));
    assert!(notice.summary.contains("Failed accounts: 210987654321."));
    assert!(
        notice.subject().ends_with("(1 of 4 item(s) failed)"),
        "{}",
        notice.subject()
    );
    assert!(notice.attributes().iter().all(|(k, _)| *k != "vpc_id"));
}

#[test]
fn every_kind_round_trips_and_run_notices_refuse_a_vpc_or_findings() {
    let vpc = Notice::for_vpc(
        &ctx(),
        VpcReport::new("vpc-1", vec![finding(Outcome::Planned)]),
    );
    let summary = Notice::sweep_summary(&ctx(), RunSummary::default());
    let released = Notice::released(&ctx(), "vpc-2", ReleaseReport::default());
    for notice in [&vpc, &summary, &released] {
        let value: serde_json::Value = serde_json::from_str(&notice.to_json()).unwrap();
        assert_eq!(value["event_type"], notice.event_type().as_str());
        assert!(value.get("vpc_id").is_some(), "vpc_id is always present");
        assert!(value["findings"].is_array(), "findings are always present");
        let back: Notice = serde_json::from_value(value).unwrap();
        assert_eq!(&back, notice);
    }
    let value: serde_json::Value = serde_json::from_str(&summary.to_json()).unwrap();
    assert!(value["vpc_id"].is_null() && value["findings"] == serde_json::json!([]));
    assert_eq!(released.vpc_id(), Some("vpc-2"));
    assert!(released.findings().is_empty() && released.release().is_some());

    let mut with_vpc = value.clone();
    with_vpc["vpc_id"] = serde_json::json!("vpc-1");
    let err = serde_json::from_value::<Notice>(with_vpc).unwrap_err();
    assert!(err.to_string().contains("vpc_id must be null"), "{err}");
    let mut with_findings = value;
    with_findings["findings"] = serde_json::json!([{"drift": "missing_endpoint"}]);
    let err = serde_json::from_value::<Notice>(with_findings).unwrap_err();
    assert!(err.to_string().contains("findings must be []"), "{err}");
}

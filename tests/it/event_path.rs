//! A real account's safety nets, through the compliance-sweep entry point against moto: the
//! daily check that CloudTrail feeds the event path, and the lease that keeps two sweeps from
//! overlapping.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::common::*;
use serde_json::Value;
use vpce_guard_adapters::{Lease, SweepLedger};
use vpce_guard_core::notice::{Notice, NoticeEventType};
use vpce_guard_lambda::functions::compliance_sweep;

const TRAIL_BUCKET: &str = "vpce-guard-trail-logs";

fn event_path_notices(notices: &[Notice]) -> Vec<&Notice> {
    notices
        .iter()
        .filter(|n| n.event_type() == NoticeEventType::EventPathMissing)
        .collect()
}

fn called(summary: &Value, action: &str) -> u64 {
    run_summary(summary)["api_calls_by_action"][action]
        .as_u64()
        .unwrap_or(0)
}

/// moto's CreateTrail wants the log bucket to exist: an unsigned path-style PUT creates it (no S3
/// SDK crate for one call).
async fn create_bucket(endpoint: &str, bucket: &str) {
    use http_body_util::{BodyExt, Empty};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let client: Client<_, Empty<bytes::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let request = hyper::Request::put(format!("{endpoint}/{bucket}"))
        .body(Empty::new())
        .expect("request");
    let answer = client.request(request).await.expect("PUT bucket");
    let status = answer.status();
    let body = answer.into_body().collect().await.expect("body").to_bytes();
    assert!(status.is_success(), "{status}: {body:?}");
}

#[tokio::test]
async fn a_daily_sweep_says_when_no_trail_feeds_the_events_and_stops_once_one_does() {
    let env = Env::new().await;
    exempt_default_vpc(&env).await;
    let function = env.function(&[]);

    // Not the day's first sweep (12:00 UTC, every 6 hours): no CloudTrail request at all.
    let midday = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    assert_eq!(called(&midday, "DescribeTrails"), 0, "{midday}");
    assert_eq!(n(&midday, "event_path_checked"), 0);
    env.notices().await;

    // The day's first (00:04 UTC) with no trail: one notice, counted, and the EMF counter set.
    let first = compliance_sweep(&function, event("scheduled-event-daily.json", &[]))
        .await
        .expect("daily sweep");
    assert_eq!(n(&first, "event_path_checked"), 1);
    assert_eq!(n(&first, "event_path_missing"), 1, "{first}");
    assert_eq!(called(&first, "DescribeTrails"), 1, "{first}");
    let notices = env.notices().await;
    assert_matches_schema(&notices);
    let missing = event_path_notices(&notices);
    assert_eq!(missing.len(), 1, "{notices:#?}");
    assert_eq!(missing[0].region, REGION);
    assert!(
        missing[0]
            .summary
            .contains("no CloudTrail trail applies to us-east-1"),
        "{}",
        missing[0].summary
    );

    // A multi-Region trail that is created but not logging still leaves the path dead.
    create_bucket(&env.moto.endpoint, TRAIL_BUCKET).await;
    let cloudtrail = aws_sdk_cloudtrail::Client::new(&env.sdk);
    let trail = cloudtrail
        .create_trail()
        .name("management")
        .s3_bucket_name(TRAIL_BUCKET)
        .is_multi_region_trail(true)
        .send()
        .await
        .expect("create trail");
    let arn = trail.trail_arn().expect("trail arn").to_string();
    let stopped = compliance_sweep(&function, event("scheduled-event-daily.json", &[]))
        .await
        .expect("daily sweep");
    assert_eq!(n(&stopped, "event_path_missing"), 1);
    let notices = env.notices().await;
    let missing = event_path_notices(&notices);
    assert!(
        missing[0].summary.contains(&format!("stopped: {arn}")),
        "{}",
        missing[0].summary
    );

    // Logging, with CloudTrail's default selector: events reach the guard; no notice.
    cloudtrail
        .start_logging()
        .name(&arn)
        .send()
        .await
        .expect("start logging");
    let fed = compliance_sweep(&function, event("scheduled-event-daily.json", &[]))
        .await
        .expect("daily sweep");
    assert_eq!(
        (n(&fed, "event_path_checked"), n(&fed, "event_path_missing")),
        (1, 0)
    );
    // DescribeTrails here, then the trail's status and selectors (its home Region's).
    assert_eq!(
        (
            called(&fed, "DescribeTrails"),
            called(&fed, "GetTrailStatus"),
            called(&fed, "GetEventSelectors")
        ),
        (1, 1, 1),
        "{fed}"
    );
    assert!(event_path_notices(&env.notices().await).is_empty());

    // Read-only management events feed nothing: the rule matches write calls.
    cloudtrail
        .put_event_selectors()
        .trail_name(&arn)
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::ReadOnly)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await
        .expect("put selectors");
    let read_only = compliance_sweep(&function, event("scheduled-event-daily.json", &[]))
        .await
        .expect("daily sweep");
    assert_eq!(n(&read_only, "event_path_missing"), 1);
}

#[tokio::test]
async fn a_sweep_yields_while_another_holds_the_lease_and_gives_its_own_back() {
    let env = Env::new().await;
    exempt_default_vpc(&env).await;
    let table = "vpce-guard-sweeps";
    let dynamodb = aws_sdk_dynamodb::Client::new(&env.sdk);
    create_ledger_table(&dynamodb, table).await;
    let function = env.function(&[("SWEEP_TABLE_NAME", table)]);
    let ledger = SweepLedger::new(dynamodb, table);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;

    // Another sweep is running (its lease holds ten more minutes).
    assert_eq!(
        ledger
            .take_lease("compliance-sweep", "other-request", now, now + 600)
            .await
            .expect("lease"),
        Lease::Taken
    );
    let yielded = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("a held lease is not an error");
    assert_eq!(yielded["skipped"], true, "{yielded}");
    assert!(
        yielded["reason"]
            .as_str()
            .is_some_and(|r| r.contains("other-request")),
        "{yielded}"
    );

    // It ends; the next sweep runs, and leaves the lease free behind it.
    ledger
        .release_lease("compliance-sweep", "other-request")
        .await
        .expect("release");
    for _ in 0..2 {
        let ran = compliance_sweep(&function, event("scheduled-event.json", &[]))
            .await
            .expect("sweep");
        assert!(ran.get("skipped").is_none(), "{ran}");
        assert_eq!(n(&ran, "vpcs_exempt"), 1, "moto's default VPC, exempted");
    }
    // A lapsed lease (its holder died) is taken over.
    ledger
        .take_lease("compliance-sweep", "dead-request", now - 1_000, now - 100)
        .await
        .expect("lease");
    let ran = compliance_sweep(&function, event("scheduled-event.json", &[]))
        .await
        .expect("sweep");
    assert!(ran.get("skipped").is_none(), "{ran}");
}

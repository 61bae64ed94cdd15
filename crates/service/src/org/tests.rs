//! The organization sweep over the in-memory ports: fan-out, tally, the deadline, late items
//! and a resumed sweep, without a network.

use std::time::Duration;

use vpce_guard_core::counters::RunCounters;
use vpce_guard_core::notice::{Notice, NoticeEventType};
use vpce_guard_core::org::{AccountFilter, WorkItem};
use vpce_guard_core::policy::Mode;
use vpce_guard_core::ports::Clock;

use super::*;
use crate::fakes::{InMemoryDirectory, InMemoryLedger, InMemoryWorkQueue, RecordingNotices};

const HOME: &str = "111111111111";
const NOW: i64 = 1_796_515_200;

struct FixedClock;

impl Clock for FixedClock {
    fn now_rfc3339(&self) -> String {
        "2026-12-06T00:00:00Z".to_string()
    }
}

struct World {
    ledger: InMemoryLedger,
    queue: InMemoryWorkQueue,
    notices: RecordingNotices,
}

impl World {
    fn new() -> Self {
        Self {
            ledger: InMemoryLedger::new(),
            queue: InMemoryWorkQueue::new(),
            notices: RecordingNotices::new(),
        }
    }

    fn org(&self) -> OrgSweep<'_, RecordingNotices> {
        OrgSweep::new(
            &self.ledger,
            self.notices.clone(),
            Home {
                account_id: HOME.into(),
                region: "us-east-1".into(),
                mode: Mode::Remediate,
            },
            &FixedClock,
        )
    }

    fn summaries(&self) -> Vec<Notice> {
        self.notices
            .take()
            .into_iter()
            .filter(|n| n.event_type() == NoticeEventType::OrgSweepSummary)
            .collect()
    }
}

fn plan(sweep_id: &str, accounts: &[&str], now: i64) -> FanOut {
    FanOut {
        sweep_id: sweep_id.into(),
        started_at: "2026-12-06T00:00:00Z".into(),
        accounts: accounts.iter().map(|a| a.to_string()).collect(),
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        now,
        deadline: Duration::from_secs(3_600),
        daily_checks: false,
    }
}

fn checked(vpcs: u64) -> Result<RunCounters, String> {
    Ok(RunCounters {
        vpcs_checked: vpcs,
        ..RunCounters::default()
    })
}

#[tokio::test]
async fn every_item_is_queued_and_the_last_tally_publishes_one_summary() {
    let w = World::new();
    let report = w
        .org()
        .fan_out(
            &w.queue,
            &plan("s1", &["222222222222", "333333333333"], NOW),
        )
        .await
        .unwrap();
    assert_eq!(
        (report.items_queued, report.send_calls, report.resumed),
        (4, 1, false)
    );
    let items = w.queue.take();
    assert_eq!(items.len(), 4);
    for (i, item) in items.iter().enumerate() {
        let tallied = w.org().tally(item, checked(2), false, NOW + 10).await;
        assert!(!tallied.report_failure);
        // Only the last item's tally publishes, and only once.
        assert_eq!(tallied.summary.is_some(), i == 3, "item {i}");
    }
    let summaries = w.summaries();
    assert_eq!(summaries.len(), 1);
    let org = summaries[0].org().unwrap();
    assert_eq!(
        (org.items_total, org.items_succeeded, org.items_failed),
        (4, 4, 0)
    );
    assert_eq!(org.counters.vpcs_checked, 8);
    assert!(w.ledger.published("s1"));
    // A redelivered last item neither counts again nor publishes again.
    let again = w.org().tally(&items[3], checked(2), false, NOW + 20).await;
    assert_eq!(again.summary, None);
    assert!(w.summaries().is_empty());
}

#[tokio::test]
async fn a_failure_is_retried_until_its_last_delivery_which_is_tallied_as_failed() {
    let w = World::new();
    w.org()
        .fan_out(&w.queue, &plan("s2", &["222222222222"], NOW))
        .await
        .unwrap();
    let items = w.queue.take();
    let denied = || Err::<RunCounters, _>("AccessDenied".to_string());
    let first = w.org().tally(&items[0], denied(), false, NOW).await;
    assert!(first.report_failure, "SQS delivers it again");
    assert!(w.ledger.pending_late_items().is_empty());
    let last = w.org().tally(&items[0], denied(), true, NOW).await;
    assert!(last.report_failure, "to the dead-letter queue");
    let done = w.org().tally(&items[1], checked(1), false, NOW).await;
    let org = done.summary.expect("the last item publishes");
    assert_eq!((org.items_succeeded, org.items_failed), (1, 1));
    assert_eq!(org.accounts_failed, vec!["222222222222".to_string()]);
}

#[tokio::test]
async fn an_overdue_sweep_is_summarised_by_the_next_fan_out_and_its_late_item_by_the_one_after() {
    let w = World::new();
    w.org()
        .fan_out(&w.queue, &plan("s3", &["222222222222"], NOW))
        .await
        .unwrap();
    let items = w.queue.take();
    // One item finishes, the other's worker dies: the sweep never completes.
    w.org().tally(&items[0], checked(1), false, NOW).await;
    assert!(w.summaries().is_empty());

    // Before the deadline the next fan-out leaves it alone; after it, summarises it.
    let early = w
        .org()
        .fan_out(&w.queue, &plan("s4", &["222222222222"], NOW + 60))
        .await
        .unwrap();
    assert!(early.overdue_summarised.is_empty());
    w.queue.take();
    let late = w
        .org()
        .fan_out(&w.queue, &plan("s5", &["222222222222"], NOW + 3_600))
        .await
        .unwrap();
    assert!(late.overdue_summarised.contains(&"s3".to_string()));
    let s3 = late
        .summaries
        .iter()
        .find(|r| r.sweep_id == "s3")
        .expect("s3's summary");
    assert_eq!(s3.items_unfinished_count, 1);

    // The dead item is redriven and finishes after its summary: reported by the next summary.
    let redriven = w
        .org()
        .tally(&items[1], checked(1), false, NOW + 3_700)
        .await;
    assert!(!redriven.report_failure);
    assert_eq!(w.ledger.pending_late_items().len(), 1);
    for item in w.queue.take().into_iter().filter(|i| i.sweep_id == "s5") {
        if let Some(summary) = w
            .org()
            .tally(&item, checked(1), false, NOW + 3_800)
            .await
            .summary
        {
            assert_eq!(summary.late_items.len(), 1);
            assert_eq!(summary.late_items[0].sweep_id, "s3");
        }
    }
    assert!(
        w.ledger.pending_late_items().is_empty(),
        "reported once, then removed"
    );
}

#[tokio::test]
async fn a_resumed_sweep_requeues_only_what_was_not_tallied() {
    let w = World::new();
    w.org()
        .fan_out(
            &w.queue,
            &plan("s6", &["222222222222", "333333333333"], NOW),
        )
        .await
        .unwrap();
    let items = w.queue.take();
    w.org().tally(&items[0], checked(1), false, NOW).await;
    let resumed = w
        .org()
        .fan_out(
            &w.queue,
            &plan("s6", &["222222222222", "333333333333"], NOW + 5),
        )
        .await
        .unwrap();
    assert!(resumed.resumed);
    let requeued: Vec<WorkItem> = w.queue.take();
    assert_eq!(requeued.len(), 3);
    assert!(!requeued.contains(&items[0]));
}

#[tokio::test]
async fn a_failed_publish_keeps_the_claim_until_it_lapses_then_the_coordinator_publishes() {
    let w = World::new();
    w.org()
        .fan_out(&w.queue, &plan("s7", &["222222222222"], NOW))
        .await
        .unwrap();
    let items = w.queue.take();
    w.org().tally(&items[0], checked(1), false, NOW).await;
    w.notices.fail_with(Some("InternalError"));
    // The last item finishes just before the deadline, and its publish fails.
    let failed = w
        .org()
        .tally(&items[1], checked(1), false, NOW + 3_500)
        .await;
    assert!(failed.report_failure, "the item is retried");
    w.notices.fail_with(None);
    // Past the deadline but within the claim: nobody publishes twice.
    let within = w
        .org()
        .fan_out(&w.queue, &plan("s8", &["222222222222"], NOW + 3_600))
        .await
        .unwrap();
    assert!(within.summaries.iter().all(|r| r.sweep_id != "s7"));
    // Once the claim lapsed, the coordinator publishes it, once.
    let lapsed = NOW + 3_500 + SUMMARY_CLAIM.as_secs() as i64 + 1;
    let after = w
        .org()
        .fan_out(&w.queue, &plan("s9", &["222222222222"], lapsed))
        .await
        .unwrap();
    assert_eq!(
        after
            .summaries
            .iter()
            .filter(|r| r.sweep_id == "s7")
            .count(),
        1
    );
    assert!(w.ledger.published("s7"));
}

#[tokio::test]
async fn accounts_come_from_the_list_or_the_organization_and_none_is_an_error() {
    let directory = InMemoryDirectory::default()
        .with_accounts("ou-a", &["222222222222", "333333333333"])
        .with_accounts("ou-b", &["444444444444"]);
    let filter = AccountFilter {
        exclude: ["333333333333".to_string()].into_iter().collect(),
        ..AccountFilter::default()
    };
    let from_ou = sweep_accounts(&directory, &[], &filter, &["ou-a".into()])
        .await
        .unwrap();
    assert_eq!(from_ou, ["222222222222"]);
    let explicit = sweep_accounts(
        &directory,
        &["555555555555".into(), "333333333333".into()],
        &filter,
        &[],
    )
    .await
    .unwrap();
    assert_eq!(explicit, ["555555555555"], "the exclude list wins");
    assert!(matches!(
        sweep_accounts(&directory, &[], &filter, &["ou-empty".into()]).await,
        Err(OrgError::NothingToSweep)
    ));
    let w = World::new();
    w.queue.fail_with(Some("AccessDenied"));
    assert!(matches!(
        w.org()
            .fan_out(&w.queue, &plan("s10", &["222222222222"], NOW))
            .await,
        Err(OrgError::Enqueue(_))
    ));
}

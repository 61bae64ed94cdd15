//! Organization sweeps without ceilings, through the coordinator and worker entry points and the
//! ledger against moto: a worker that dies on an item's last delivery, an item redriven from the
//! dead-letter queue after its sweep's summary, redeliveries, and a sweep tallied item by item.

use crate::common::*;
use aws_lambda_events::event::cloudwatch_events::CloudWatchEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{Context, LambdaEvent};
use serde_json::json;
use vpce_guard_adapters::{Recorded, SweepLedger};
use vpce_guard_core::counters::RunCounters;
use vpce_guard_core::notice::{Notice, NoticeEventType, OrgSweepReport};
use vpce_guard_core::org::{tally, ItemRef, ItemResult, WorkItem};
use vpce_guard_lambda::functions::{compliance_sweep, sweep_worker};

const TABLE: &str = "vpce-guard-sweeps";
const SECOND_REGION: &str = "eu-west-1";

/// A work queue and the ledger table, as template.yaml creates them.
async fn fan_out_infrastructure(env: &Env) -> String {
    create_ledger_table(&aws_sdk_dynamodb::Client::new(&env.sdk), TABLE).await;
    env.sqs
        .create_queue()
        .queue_name("vpce-guard-work")
        .send()
        .await
        .expect("work queue")
        .queue_url()
        .expect("queue url")
        .to_string()
}

/// The functions of an organization sweep of the home account in two Regions, over a fresh
/// work queue and ledger (with `overrides`).
async fn organization_fleet(
    env: &Env,
    overrides: &[(&str, &str)],
) -> vpce_guard_lambda::FunctionContext {
    let queue_url = fan_out_infrastructure(env).await;
    let regions = format!("{REGION},{SECOND_REGION}");
    let mut vars = vec![
        ("GUARD_ACCOUNTS", ACCOUNT),
        ("GUARD_REGIONS", regions.as_str()),
        ("WORK_QUEUE_URL", queue_url.as_str()),
        ("SWEEP_TABLE_NAME", TABLE),
    ];
    vars.extend_from_slice(overrides);
    env.function(&vars)
}

/// The scheduled event of sweep `id` (EventBridge gives every schedule its own event id).
fn schedule(id: &str) -> LambdaEvent<CloudWatchEvent> {
    let mut event: LambdaEvent<CloudWatchEvent> = event("scheduled-event.json", &[]);
    event.payload.id = Some(id.to_string());
    event
}

/// One SQS delivery of `item` to the worker, as the event source mapping hands it over.
async fn deliver(fleet: &vpce_guard_lambda::FunctionContext, item: &WorkItem, receive_count: u32) {
    let event: SqsEvent = serde_json::from_value(json!({"Records": [{
        "messageId": format!("m-{}-{receive_count}", item.key()),
        "receiptHandle": "r",
        "body": item.to_json(),
        "attributes": {"ApproximateReceiveCount": receive_count.to_string()},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "awsRegion": REGION
    }]}))
    .expect("SqsEvent");
    let response = sweep_worker(fleet, LambdaEvent::new(event, Context::default()))
        .await
        .expect("the worker reports item failures, it does not fail the batch");
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
}

fn org_summaries(notices: &[Notice]) -> Vec<OrgSweepReport> {
    notices
        .iter()
        .filter(|n| n.event_type() == NoticeEventType::OrgSweepSummary)
        .filter_map(|n| n.org().cloned())
        .collect()
}

#[tokio::test]
async fn a_dead_worker_and_a_late_item_are_never_lost() {
    let env = Env::new().await;
    // A deadline of 0: the coordinator's next run summarises any earlier unfinished sweep.
    let fleet = organization_fleet(&env, &[("SWEEP_DEADLINE_MINUTES", "0")]).await;

    let first = compliance_sweep(&fleet, schedule("sweep-1"))
        .await
        .expect("coordinator");
    assert_eq!(first["work_items"], 2, "{first}");
    // us-east-1 is tallied; the worker running eu-west-1 dies on its last delivery (the message
    // goes to the dead-letter queue, nothing is tallied).
    deliver(&fleet, &WorkItem::new("sweep-1", ACCOUNT, REGION), 1).await;
    assert!(
        org_summaries(&env.notices().await).is_empty(),
        "not complete yet"
    );

    // The next scheduled run finds sweep-1 past its deadline and summarises it.
    let second = compliance_sweep(&fleet, schedule("sweep-2"))
        .await
        .expect("coordinator");
    assert_eq!(
        second["overdue_sweeps_summarised"],
        json!(["sweep-1"]),
        "{second}"
    );
    let summaries = org_summaries(&env.notices().await);
    assert_eq!(summaries.len(), 1);
    let report = &summaries[0];
    assert_eq!(report.sweep_id, "sweep-1");
    assert_eq!(report.items_total, 2);
    assert_eq!(report.items_succeeded, 1);
    assert_eq!(report.items_failed, 0);
    assert_eq!(report.items_unfinished_count, 1);
    assert_eq!(
        report.items_unfinished,
        [ItemRef {
            account_id: ACCOUNT.into(),
            region: SECOND_REGION.into()
        }]
    );

    // The dead item is redriven from the dead-letter queue after sweep-1's summary: it is
    // tallied late, and sweep-2's summary reports it.
    deliver(&fleet, &WorkItem::new("sweep-1", ACCOUNT, SECOND_REGION), 1).await;
    // A redelivery of an item already tallied changes nothing.
    deliver(&fleet, &WorkItem::new("sweep-1", ACCOUNT, REGION), 2).await;
    for region in [REGION, SECOND_REGION] {
        deliver(&fleet, &WorkItem::new("sweep-2", ACCOUNT, region), 1).await;
    }
    let summaries = org_summaries(&env.notices().await);
    assert_eq!(
        summaries.len(),
        1,
        "sweep-1 is summarised once, sweep-2 now"
    );
    let report = &summaries[0];
    assert_eq!(report.sweep_id, "sweep-2");
    assert_eq!(report.items_succeeded, 2);
    assert_eq!(report.items_unfinished_count, 0);
    assert_eq!(report.late_items.len(), 1, "{report:?}");
    assert_eq!(report.late_items[0].sweep_id, "sweep-1");
    assert_eq!(report.late_items[0].region, SECOND_REGION);
    assert_eq!(report.late_items[0].error, None);

    // Reported once: the next summary does not repeat it.
    let ledger = SweepLedger::new(aws_sdk_dynamodb::Client::new(&env.sdk), TABLE);
    assert!(ledger.late_items().await.unwrap().is_empty());
    assert!(ledger.open_sweeps().await.unwrap().is_empty());
}

#[tokio::test]
async fn every_item_of_a_sweep_is_tallied_once_however_often_it_is_delivered() {
    let env = Env::new().await;
    fan_out_infrastructure(&env).await;
    let ledger = SweepLedger::new(aws_sdk_dynamodb::Client::new(&env.sdk), TABLE);
    // 20 accounts x 12 Regions, every item its own record. moto copies the whole table for each
    // transaction (quadratic), so this stays small here; the fold itself is tested on 100,000
    // items in the core (`org::sweep`), and the benchmark runs thousands through moto.
    let accounts: Vec<String> = (0..20).map(|i| format!("{:012}", 100_000 + i)).collect();
    let regions: Vec<String> = (0..12).map(|i| format!("us-test-{}", i + 1)).collect();
    assert!(ledger
        .start("big", &accounts, &regions, "2026-12-02T00:00:00Z", 1)
        .await
        .unwrap());
    assert!(
        !ledger
            .start("big", &accounts, &regions, "2026-12-02T00:00:00Z", 1)
            .await
            .unwrap(),
        "a retried coordinator resumes the sweep"
    );
    let items: Vec<WorkItem> = accounts
        .iter()
        .flat_map(|a| regions.iter().map(move |r| WorkItem::new("big", a, r)))
        .collect();
    let counters = RunCounters {
        vpcs_checked: 3,
        ..RunCounters::default()
    };
    // One item at a time. moto quirk: concurrent TransactWriteItems answer HTTP 500 now and
    // then (moto deep-copies the table for its rollback while another request changes it); real
    // DynamoDB serialises conflicting transactions itself.
    let mut counted = 0;
    for item in &items {
        let result = if item.region == "us-test-12" && item.account_id.ends_with('7') {
            ItemResult::Failed("AccessDenied".into())
        } else {
            ItemResult::Succeeded(Box::new(counters))
        };
        if let Recorded::Counted(_) = ledger.record(item, &result).await.expect("record") {
            counted += 1;
        }
    }
    // Every redelivery is recognised (also one at a time: moto quirk, a cancelled transaction
    // restores a copy of the whole table taken when it started, undoing the writes other
    // transactions committed meanwhile; real DynamoDB cancels only its own writes).
    for item in items.iter().step_by(7) {
        let result = ItemResult::Succeeded(Box::new(counters));
        assert_eq!(
            ledger.record(item, &result).await.expect("record"),
            Recorded::Duplicate
        );
    }
    assert_eq!(counted, 240);
    let sweep = ledger.get("big").await.unwrap().expect("sweep record");
    assert_eq!(sweep.items_total, 240);
    assert!(sweep.is_complete(), "{sweep:?}");
    let records = ledger.items("big").await.unwrap();
    assert_eq!(records.len(), 240);
    let t = tally(&sweep, records);
    assert_eq!(t.failures.len(), 2);
    assert_eq!(t.succeeded, 238);
    assert_eq!(t.counters.vpcs_checked, 3 * 238);
    assert!(t.unfinished.is_empty());
}

#[tokio::test]
async fn a_resumed_coordinator_requeues_only_what_is_not_tallied() {
    let env = Env::new().await;
    let fleet = organization_fleet(&env, &[]).await;
    let first = compliance_sweep(&fleet, schedule("sweep-r"))
        .await
        .expect("coordinator");
    assert_eq!(first["resumed"], false, "{first}");
    assert_eq!(first["work_items"], 2);
    deliver(&fleet, &WorkItem::new("sweep-r", ACCOUNT, REGION), 1).await;

    // The same scheduled event again (a retried or re-driven coordinator): the same sweep.
    let again = compliance_sweep(&fleet, schedule("sweep-r"))
        .await
        .expect("coordinator");
    assert_eq!(again["resumed"], true, "{again}");
    assert_eq!(
        again["work_items"], 1,
        "only the untallied item is queued again"
    );
    let ledger = SweepLedger::new(aws_sdk_dynamodb::Client::new(&env.sdk), TABLE);
    let sweep = ledger.get("sweep-r").await.unwrap().expect("sweep");
    assert_eq!((sweep.items_total, sweep.done), (2, 1));
}

#[tokio::test]
async fn a_summary_claim_holds_until_published_or_lapsed_and_never_after_publishing() {
    let env = Env::new().await;
    create_ledger_table(&aws_sdk_dynamodb::Client::new(&env.sdk), TABLE).await;
    let ledger = SweepLedger::new(aws_sdk_dynamodb::Client::new(&env.sdk), TABLE);
    let now = 1_796_515_200;
    assert!(ledger
        .start(
            "sweep-c",
            &[ACCOUNT.to_string()],
            &[REGION.to_string()],
            "2026-12-06T00:00:00Z",
            now + 3_600,
        )
        .await
        .expect("start"));
    // Unknown sweeps cannot be claimed.
    assert!(!ledger
        .claim_summary("no-such-sweep", now, now + 900)
        .await
        .expect("claim"));

    // One caller gets it; a second caller while it holds does not.
    assert!(ledger
        .claim_summary("sweep-c", now, now + 900)
        .await
        .expect("claim"));
    assert!(!ledger
        .claim_summary("sweep-c", now + 60, now + 960)
        .await
        .expect("claim"));
    // Its holder died or failed to publish: once the claim lapses, another caller takes over.
    assert!(ledger
        .claim_summary("sweep-c", now + 901, now + 1_801)
        .await
        .expect("claim"));
    // Published: no claim is granted again, lapsed or not (a retry cannot publish twice).
    ledger
        .mark_summary_published("sweep-c")
        .await
        .expect("mark published");
    for at in [now + 902, now + 10_000] {
        assert!(!ledger
            .claim_summary("sweep-c", at, at + 900)
            .await
            .expect("claim"));
    }
}

//! Organization sweep at scale, through the real functions against moto: the coordinator
//! (`compliance_sweep`) fans out one work item per (account, Region), workers (`sweep_worker`,
//! bounded concurrency, fed as the SQS event source mapping feeds them) run and tally every item,
//! and the last one publishes the `org_sweep_summary`, whose figures are checked against the
//! ledger. Prints fan-out time, items per second and requests per item by service.
//!
//! ```sh
//! MOTO_SERVER=$PWD/scripts/moto_server_patched scripts/test --bench org_sweep -- \
//!   --bench --accounts 2000 --regions 4 --workers 10
//! ```
//!
//! (the debug build the tests already have; moto, not the guard, sets the pace).
//!
//! `scripts/moto_server_patched` removes moto's table-wide copy per DynamoDB transaction (an
//! emulator cost that grows with the ledger); stock moto works too, slower. Under `cargo test`
//! (no `--bench`), it runs a 3 x 2 sweep as a smoke check of the same code.

#[path = "../it/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use aws_lambda_events::event::cloudwatch_events::CloudWatchEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use common::fault_proxy::FaultProxy;
use common::{create_ledger_table, event, sdk_at, Moto, ACCOUNT, REGION};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{json, Value};
use vpce_guard_adapters::SweepLedger;
use vpce_guard_core::notice::Notice;
use vpce_guard_core::org::tally;
use vpce_guard_lambda::config::GuardConfig;
use vpce_guard_lambda::functions::{compliance_sweep, sweep_worker};
use vpce_guard_lambda::FunctionContext;

const TABLE: &str = "vpce-guard-sweeps";
/// How long a message handed to a worker stays invisible; a failed item comes back after it.
const VISIBILITY_SECONDS: i32 = 30;
const REGIONS: [&str; 12] = [
    "us-east-1",
    "eu-west-1",
    "ap-southeast-2",
    "us-west-2",
    "eu-central-1",
    "ap-northeast-1",
    "us-east-2",
    "eu-west-2",
    "ap-south-1",
    "ca-central-1",
    "sa-east-1",
    "eu-north-1",
];
/// What the (emulated) SQS event source mapping calls; the bench's own queue polling included.
const EVENT_SOURCE_ACTIONS: [&str; 3] = ["ReceiveMessage", "DeleteMessage", "GetQueueAttributes"];
const DYNAMODB_ACTIONS: [&str; 6] = [
    "TransactWriteItems",
    "GetItem",
    "Query",
    "UpdateItem",
    "PutItem",
    "DeleteItem",
];

struct Settings {
    accounts: usize,
    regions: usize,
    workers: usize,
    full: bool,
}

fn settings() -> Settings {
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--bench");
    let value = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    if full {
        Settings {
            accounts: value("--accounts", 2000),
            regions: value("--regions", 4).clamp(1, REGIONS.len()),
            workers: value("--workers", 10).max(1),
            full,
        }
    } else {
        Settings {
            accounts: 3,
            regions: 2,
            workers: 2,
            full,
        }
    }
}

/// A queue subscribed to the topic that receives only `org_sweep_summary` notices.
async fn summary_queue(sdk: &SdkConfig, topic_arn: &str) -> String {
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let url = sqs
        .create_queue()
        .queue_name("org-summaries")
        .send()
        .await
        .expect("summary queue")
        .queue_url()
        .expect("url")
        .to_string();
    aws_sdk_sns::Client::new(sdk)
        .subscribe()
        .topic_arn(topic_arn)
        .protocol("sqs")
        .endpoint(format!("arn:aws:sqs:{REGION}:{ACCOUNT}:org-summaries"))
        .attributes("RawMessageDelivery", "true")
        .attributes(
            "FilterPolicy",
            json!({"event_type": ["org_sweep_summary"]}).to_string(),
        )
        .send()
        .await
        .expect("subscribe");
    url
}

/// Messages visible or in flight in `queue_url`.
async fn messages_left(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> u64 {
    let out = sqs
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .expect("queue attributes");
    out.attributes()
        .map(|a| {
            a.values()
                .filter_map(|v| v.parse::<u64>().ok())
                .sum::<u64>()
        })
        .unwrap_or(0)
}

/// One worker as the SQS event source runs it: up to 10 messages per invocation, the processed
/// ones deleted (a failed one comes back after its visibility timeout); returns when no message
/// is left, visible or in flight.
async fn worker(
    context: Arc<FunctionContext>,
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
) -> usize {
    let mut handled = 0;
    loop {
        let received = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .visibility_timeout(VISIBILITY_SECONDS)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .expect("receive");
        let messages = received.messages().to_vec();
        if messages.is_empty() {
            if messages_left(&sqs, &queue_url).await == 0 {
                return handled;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        }
        let records: Vec<Value> = messages
            .iter()
            .map(|m| {
                let count = m
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .cloned()
                    .unwrap_or_else(|| "1".to_string());
                json!({"messageId": m.message_id(), "receiptHandle": m.receipt_handle(),
                       "body": m.body(), "attributes": {"ApproximateReceiveCount": count},
                       "messageAttributes": {}, "eventSource": "aws:sqs", "awsRegion": REGION})
            })
            .collect();
        let event: SqsEvent = serde_json::from_value(json!({ "Records": records })).expect("event");
        let response = sweep_worker(&context, LambdaEvent::new(event, Context::default()))
            .await
            .expect("worker");
        let failed: Vec<String> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        if !failed.is_empty() {
            eprintln!(
                "  {} item(s) failed and come back after {VISIBILITY_SECONDS} s",
                failed.len()
            );
        }
        for m in &messages {
            if !failed.iter().any(|f| Some(f.as_str()) == m.message_id()) {
                handled += 1;
                sqs.delete_message()
                    .queue_url(&queue_url)
                    .receipt_handle(m.receipt_handle().unwrap_or_default())
                    .send()
                    .await
                    .expect("delete");
            }
        }
    }
}

fn main() {
    let settings = settings();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(settings));
}

async fn run(settings: Settings) {
    let moto = Moto::start();
    let proxy = FaultProxy::start(&moto.endpoint, 1).await;
    // Moto under a large sweep answers slowly: a generous attempt timeout.
    let sdk = sdk_at(&proxy.endpoint)
        .await
        .to_builder()
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(600))
                .build(),
        )
        .build();
    let sns = aws_sdk_sns::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let topic_arn = sns
        .create_topic()
        .name("vpce-guard-notices")
        .send()
        .await
        .expect("topic")
        .topic_arn()
        .expect("arn")
        .to_string();
    let summaries = summary_queue(&sdk, &topic_arn).await;
    let work_queue = sqs
        .create_queue()
        .queue_name("vpce-guard-work")
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            VISIBILITY_SECONDS.to_string(),
        )
        .send()
        .await
        .expect("work queue")
        .queue_url()
        .expect("url")
        .to_string();
    create_ledger_table(&aws_sdk_dynamodb::Client::new(&sdk), TABLE).await;
    let accounts: Vec<String> = (0..settings.accounts)
        .map(|i| format!("{:012}", 300_000_000_000u64 + i as u64))
        .collect();
    let regions = REGIONS[..settings.regions].join(",");
    let vars: BTreeMap<&str, String> = BTreeMap::from([
        ("GUARD_MODE", "report".to_string()),
        ("NOTICE_TOPIC_ARN", topic_arn.clone()),
        ("GUARD_ACCOUNTS", accounts.join(",")),
        ("GUARD_REGIONS", regions.clone()),
        ("MEMBER_ROLE_NAME", "vpce-guard-member".to_string()),
        ("WORK_QUEUE_URL", work_queue.clone()),
        ("SWEEP_TABLE_NAME", TABLE.to_string()),
        ("API_TIMEOUT_SECONDS", "600".to_string()),
    ]);
    let config = GuardConfig::from_lookup(|name| vars.get(name).cloned()).expect("config");
    let context =
        Arc::new(FunctionContext::new(config, sdk.clone(), "vpce-guard-bench").expect("context"));
    proxy.clear_seen();

    let started = Instant::now();
    let mut schedule: LambdaEvent<CloudWatchEvent> = event("scheduled-event.json", &[]);
    schedule.payload.id = Some("bench-sweep".to_string());
    let queued = compliance_sweep(&context, schedule)
        .await
        .expect("coordinator");
    let fan_out = started.elapsed();
    let items = settings.accounts * settings.regions;
    assert_eq!(queued["work_items"], items, "{queued}");
    let fan_out_seen = proxy.seen().len();

    let workers: Vec<_> = (0..settings.workers)
        .map(|_| tokio::spawn(worker(context.clone(), sqs.clone(), work_queue.clone())))
        .collect();
    let mut handled = 0;
    for w in workers {
        handled += w.await.expect("worker task");
    }
    let swept = started.elapsed();

    let mut summary: Option<Notice> = None;
    for _ in 0..100 {
        let received = sqs
            .receive_message()
            .queue_url(&summaries)
            .max_number_of_messages(10)
            .send()
            .await
            .expect("receive summary");
        if let Some(m) = received.messages().first() {
            summary = serde_json::from_str(m.body().unwrap_or_default()).ok();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ledger = SweepLedger::new(aws_sdk_dynamodb::Client::new(&sdk), TABLE);
    let Some(summary) = summary else {
        let sweep = ledger.get("bench-sweep").await.ok().flatten();
        panic!("no org_sweep_summary was published; the sweep in the ledger: {sweep:?}");
    };
    let report = summary.org().expect("org report");
    let sweep_id = report.sweep_id.clone();
    let sweep = ledger.get(&sweep_id).await.expect("get").expect("sweep");
    let from_ledger = tally(&sweep, ledger.items(&sweep_id).await.expect("items"));
    assert_eq!(report.items_total as usize, items);
    assert_eq!(handled, items, "every message handled once");
    assert_eq!(report.items_succeeded, from_ledger.succeeded);
    assert_eq!(report.items_failed as usize, from_ledger.failures.len());
    assert_eq!(report.items_unfinished_count, 0);
    assert_eq!(report.counters, from_ledger.counters);
    assert_eq!(report.items_succeeded as usize, items, "{report:?}");

    let mut by_action: BTreeMap<String, usize> = BTreeMap::new();
    for seen in proxy.seen() {
        *by_action.entry(seen.action).or_default() += 1;
    }
    let count = |actions: &[&str]| -> usize {
        actions
            .iter()
            .map(|a| by_action.get(*a).copied().unwrap_or(0))
            .sum()
    };
    let per_item = |n: usize| n as f64 / items as f64;
    let dynamodb = count(&DYNAMODB_ACTIONS);
    let send_batches = count(&["SendMessageBatch"]);
    let event_source = count(&EVENT_SOURCE_ACTIONS);
    println!(
        "org sweep {} accounts x {} Regions = {items} items, {} workers, moto {}",
        settings.accounts,
        settings.regions,
        settings.workers,
        if std::env::var("MOTO_SERVER").is_ok_and(|m| m.contains("patched")) {
            "patched"
        } else {
            "stock"
        }
    );
    println!(
        "  fan-out: {:.2} s ({fan_out_seen} requests, {send_batches} SendMessageBatch)",
        fan_out.as_secs_f64()
    );
    println!(
        "  swept and summarised: {:.1} s, {:.1} items/s",
        swept.as_secs_f64(),
        items as f64 / swept.as_secs_f64()
    );
    println!(
        "  DynamoDB requests per item: {:.2} ({})",
        per_item(dynamodb),
        DYNAMODB_ACTIONS
            .iter()
            .filter_map(|a| by_action.get(*a).map(|n| format!("{a} {n}")))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  SQS requests per item: {:.2} by the coordinator (SendMessageBatch), {:.2} by the emulated event source (receive, delete, queue depth)",
        per_item(send_batches),
        per_item(event_source)
    );
    println!(
        "  other requests per item: {:.2} ({})",
        per_item(by_action.values().sum::<usize>() - dynamodb - send_batches - event_source),
        by_action
            .iter()
            .filter(|(a, _)| {
                !DYNAMODB_ACTIONS.contains(&a.as_str())
                    && !EVENT_SOURCE_ACTIONS.contains(&a.as_str())
                    && a.as_str() != "SendMessageBatch"
            })
            .map(|(a, n)| format!("{a} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  summary checked against the ledger: {} succeeded, {} failed, {} unfinished, {} VPCs checked",
        report.items_succeeded,
        report.items_failed,
        report.items_unfinished_count,
        report.counters.vpcs_checked
    );
    if !settings.full {
        println!(
            "  (smoke run; pass --bench [--accounts N --regions N --workers N] for a full one)"
        );
    }
}

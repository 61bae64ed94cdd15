//! Organization scale against moto: accounts from AWS Organizations, member roles through STS
//! (moto switches account on AssumeRole), the SQS fan-out with a dead-letter queue, the DynamoDB
//! sweep ledger, account vending and forwarded member-account events.
//!
//! The SQS event source mapping is emulated faithfully: receive up to 10 messages with their
//! receive counts, hand them to the worker as an `SqsEvent`, delete only the messages that are
//! not in `batchItemFailures`. moto applies the queue's redrive policy on receive, so failed
//! items really end in the dead-letter queue.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::fault_proxy::{Fault, FaultPlan, FaultProxy};
use crate::common::*;
use aws_config::{Region, SdkConfig};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use aws_sdk_ec2::config::Credentials;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::{json, Value};
use vpce_guard_core::notice::{Notice, NoticeEventType};
use vpce_guard_lambda::functions::{
    account_baseline, compliance_sweep, network_events, sweep_worker,
};
use vpce_guard_lambda::FunctionContext as Fleet;

const MEMBER_ROLE: &str = "vpce-guard-member";
const SECOND_REGION: &str = "eu-west-1";
const MAX_RECEIVE_COUNT: u32 = 2;
const FULL_SET: [&str; 5] = ["dynamodb", "ecr.api", "ecr.dkr", "logs", "s3"];

/// Creates the organization and `count` member accounts; returns their ids, sorted.
async fn create_members(env: &Env, count: usize) -> Vec<String> {
    env.create_organization().await;
    let org = aws_sdk_organizations::Client::new(&env.sdk);
    let mut ids = Vec::new();
    for i in 0..count {
        let status = org
            .create_account()
            .email(format!("member{i}@example.com"))
            .account_name(format!("member-{i}"))
            .send()
            .await
            .expect("create account");
        let id = status
            .create_account_status()
            .and_then(|s| s.account_id())
            .expect("moto creates the account at once")
            .to_string();
        ids.push(id);
    }
    ids.sort();
    ids
}

/// EC2 in a member account, through the member role (as an operator would seed it).
async fn member_ec2(env: &Env, account: &str, region: &str) -> aws_sdk_ec2::Client {
    let sts = aws_sdk_sts::Client::new(&env.sdk);
    let creds = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/{MEMBER_ROLE}"))
        .role_session_name("seeding")
        .send()
        .await
        .expect("assume role")
        .credentials()
        .cloned()
        .expect("credentials");
    let config = env
        .sdk
        .to_builder()
        .region(Region::new(region.to_string()))
        .credentials_provider(aws_sdk_ec2::config::SharedCredentialsProvider::new(
            Credentials::new(
                creds.access_key_id(),
                creds.secret_access_key(),
                Some(creds.session_token().to_string()),
                None,
                "seeding",
            ),
        ))
        .build();
    aws_sdk_ec2::Client::new(&config)
}

/// A VPC with two private subnets (AZ a and b) sharing one route table without internet route:
/// the standard set is entirely missing.
async fn seed_private_vpc(ec2: &aws_sdk_ec2::Client, region: &str, octet: u8) -> String {
    let seed = Ec2Seed(ec2);
    let vpc = seed.create_vpc(&format!("10.{octet}.0.0/16")).await;
    let rtb = seed.create_route_table(&vpc).await;
    for (i, az) in ["a", "b"].iter().enumerate() {
        let subnet = seed
            .create_subnet(
                &vpc,
                &format!("10.{octet}.{i}.0/24"),
                &format!("{region}{az}"),
            )
            .await;
        seed.associate(&rtb, &subnet).await;
    }
    vpc
}

/// Short names of the live endpoints of `vpc`.
async fn endpoint_services(ec2: &aws_sdk_ec2::Client, vpc: &str) -> BTreeSet<String> {
    Ec2Seed(ec2)
        .endpoints(vpc)
        .await
        .iter()
        .filter_map(|e| e.service_name())
        .map(|name| vpce_guard_core::baseline::short_name(name).to_string())
        .collect()
}

/// The fan-out infrastructure of template.yaml: work queue with a dead-letter queue, ledger.
struct FanOut {
    work_queue_url: String,
    dlq_url: String,
    table: String,
}

async fn create_fan_out(env: &Env) -> FanOut {
    let dlq_url = env
        .sqs
        .create_queue()
        .queue_name("vpce-guard-work-dlq")
        .send()
        .await
        .expect("dlq")
        .queue_url()
        .expect("dlq url")
        .to_string();
    let dlq_arn = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:vpce-guard-work-dlq");
    let work_queue_url = env
        .sqs
        .create_queue()
        .queue_name("vpce-guard-work")
        .attributes(
            QueueAttributeName::RedrivePolicy,
            json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT.to_string()})
                .to_string(),
        )
        .send()
        .await
        .expect("work queue")
        .queue_url()
        .expect("queue url")
        .to_string();
    let table = "vpce-guard-sweeps".to_string();
    create_ledger_table(&aws_sdk_dynamodb::Client::new(&env.sdk), &table).await;
    FanOut {
        work_queue_url,
        dlq_url,
        table,
    }
}

fn org_vars(fan_out: &FanOut) -> Vec<(&'static str, String)> {
    vec![
        ("GUARD_REGIONS", format!("{REGION},{SECOND_REGION}")),
        ("MEMBER_ROLE_NAME", MEMBER_ROLE.to_string()),
        ("WORK_QUEUE_URL", fan_out.work_queue_url.clone()),
        ("SWEEP_TABLE_NAME", fan_out.table.clone()),
        ("WORK_MAX_RECEIVE_COUNT", MAX_RECEIVE_COUNT.to_string()),
    ]
}

async fn fleet(env: &Env, sdk: &SdkConfig, vars: &[(&str, String)]) -> Fleet {
    let overrides: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Fleet::new(env.config(&overrides), sdk.clone(), "vpce-guard-test").expect("fleet")
}

/// `payload` as the handler takes it, from request `request_id`.
fn invocation<T: serde::de::DeserializeOwned>(payload: Value, request_id: &str) -> LambdaEvent<T> {
    let mut context = Context::default();
    context.request_id = request_id.to_string();
    LambdaEvent::new(
        serde_json::from_value(payload).expect("the handler's event type"),
        context,
    )
}

/// Runs the worker over the work queue like Lambda's SQS event source mapping, until the queue
/// is empty. Returns every batch response.
async fn drain_like_event_source(
    env: &Env,
    fleet: &Fleet,
    queue_url: &str,
) -> Vec<SqsBatchResponse> {
    let mut responses = Vec::new();
    let mut empty = 0;
    for round in 0..40 {
        let received = env
            .sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .expect("receive work");
        let messages = received.messages().to_vec();
        if messages.is_empty() {
            empty += 1;
            if empty == 2 {
                return responses;
            }
            continue;
        }
        empty = 0;
        let records: Vec<Value> = messages
            .iter()
            .map(|m| {
                let attributes: BTreeMap<String, String> = m
                    .attributes()
                    .map(|a| {
                        a.iter()
                            .map(|(k, v)| (k.as_str().to_string(), v.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                json!({
                    "messageId": m.message_id(),
                    "receiptHandle": m.receipt_handle(),
                    "body": m.body(),
                    "attributes": attributes,
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": format!("arn:aws:sqs:{REGION}:{ACCOUNT}:vpce-guard-work"),
                    "awsRegion": REGION
                })
            })
            .collect();
        let event: SqsEvent =
            serde_json::from_value(json!({ "Records": records })).expect("SqsEvent");
        let response = sweep_worker(
            fleet,
            LambdaEvent::new(event, {
                let mut c = Context::default();
                c.request_id = format!("worker-{round}");
                c
            }),
        )
        .await
        .expect("the worker reports item failures, it does not fail the batch");
        let failed: BTreeSet<String> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        for m in &messages {
            if !failed.contains(m.message_id().unwrap_or_default()) {
                env.sqs
                    .delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(m.receipt_handle().unwrap_or_default())
                    .send()
                    .await
                    .expect("delete processed message");
            }
        }
        responses.push(response);
    }
    panic!("the work queue did not drain");
}

async fn queue_bodies(env: &Env, queue_url: &str) -> Vec<Value> {
    let mut bodies = Vec::new();
    loop {
        let received = env
            .sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .visibility_timeout(60)
            .send()
            .await
            .expect("receive");
        if received.messages().is_empty() {
            return bodies;
        }
        for m in received.messages() {
            bodies.push(serde_json::from_str(m.body().unwrap_or("null")).expect("JSON body"));
        }
    }
}

fn of_type(notices: &[Notice], kind: NoticeEventType) -> Vec<&Notice> {
    notices.iter().filter(|n| n.event_type() == kind).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fan_out_sweep_remediates_every_account_and_region_and_the_summary_adds_up() {
    let env = Env::new().await;
    let members = create_members(&env, 3).await;
    let fan_out = create_fan_out(&env).await;
    // Drift in some: a bare VPC in member 0 (us-east-1) and member 1 (eu-west-1).
    let drifted = [
        (members[0].clone(), REGION, 20u8),
        (members[1].clone(), SECOND_REGION, 21u8),
    ];
    let mut seeded = Vec::new();
    for (account, region, octet) in &drifted {
        let ec2 = member_ec2(&env, account, region).await;
        seeded.push((ec2.clone(), seed_private_vpc(&ec2, region, *octet).await));
    }
    let mut vars = org_vars(&fan_out);
    // Accounts come from Organizations; the management account is left out.
    vars.push(("ORG_EXCLUDE_ACCOUNTS", ACCOUNT.to_string()));
    let fleet = fleet(&env, &env.sdk, &vars).await;

    let queued = compliance_sweep(&fleet, event("scheduled-event.json", &[]))
        .await
        .expect("coordinator");
    assert_eq!(queued["work_items"], 6, "{queued}");
    assert_eq!(queued["accounts"], json!(members));
    assert_eq!(queued["send_message_batch_calls"], 1);

    let responses = drain_like_event_source(&env, &fleet, &fan_out.work_queue_url).await;
    assert!(
        responses.iter().all(|r| r.batch_item_failures.is_empty()),
        "no item should fail: {responses:?}"
    );
    for (ec2, vpc) in &seeded {
        let services = endpoint_services(ec2, vpc).await;
        assert_eq!(
            services,
            FULL_SET.iter().map(|s| s.to_string()).collect(),
            "{vpc}"
        );
    }
    assert!(queue_bodies(&env, &fan_out.dlq_url).await.is_empty());

    let notices = env.notices().await;
    assert_matches_schema(&notices);
    let per_item = of_type(&notices, NoticeEventType::SweepSummary);
    assert_eq!(per_item.len(), 6, "one sweep_summary per (account, region)");
    let covered: BTreeSet<(String, String)> = per_item
        .iter()
        .map(|n| (n.account_id.clone(), n.region.clone()))
        .collect();
    assert_eq!(covered.len(), 6);
    assert!(covered.iter().all(|(a, _)| members.contains(a)));
    let org = of_type(&notices, NoticeEventType::OrgSweepSummary);
    assert_eq!(org.len(), 1, "exactly one org summary");
    assert_eq!(
        org[0].account_id, ACCOUNT,
        "published from the central account"
    );
    let report = org[0].org().expect("org report");
    assert_eq!(report.items_total, 6);
    assert_eq!(report.items_succeeded, 6);
    assert_eq!(report.items_failed, 0);
    assert_eq!(report.accounts, members);
    assert_eq!(report.regions, [SECOND_REGION, REGION]);
    let sum = |f: fn(&vpce_guard_core::notice::RunSummary) -> u64| -> u64 {
        per_item
            .iter()
            .map(|n| f(n.totals().expect("totals")))
            .sum()
    };
    assert_eq!(
        report.counters.vpcs_checked,
        sum(|t| t.counters.vpcs_checked)
    );
    assert_eq!(
        report.counters.vpcs_drifted,
        sum(|t| t.counters.vpcs_drifted)
    );
    assert_eq!(
        report.counters.actions_applied,
        sum(|t| t.counters.actions_applied)
    );
    // Per-item summaries count requests before their own publish; the ledger gets the final
    // count, which adds each item's PublishBatch call(s).
    let before_publish = sum(|t| t.counters.api_calls);
    assert!(
        (before_publish + 6..=before_publish + 12).contains(&report.counters.api_calls),
        "{} vs {before_publish}",
        report.counters.api_calls
    );
    assert!(report.counters.vpcs_drifted >= 2, "{report:?}");
    assert!(report.counters.actions_applied >= 10, "{report:?}");
    let drift_notices = of_type(&notices, NoticeEventType::Remediated);
    for (account, region, _) in &drifted {
        assert!(
            drift_notices
                .iter()
                .any(|n| &n.account_id == account && n.region == *region),
            "a remediated notice for {account} {region}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_account_fails_only_its_items_which_end_in_the_dead_letter_queue() {
    let env = Env::new().await;
    let members = create_members(&env, 3).await;
    let fan_out = create_fan_out(&env).await;
    let broken = members[2].clone();
    let proxy = FaultProxy::start(&env.moto.endpoint, 7).await;
    // moto's AssumeRole accepts any role ARN: the proxy answers AccessDenied for the account
    // whose member role "is missing", as STS would.
    proxy.set_plan(FaultPlan {
        rate: 1.0,
        actions: vec!["AssumeRole".into()],
        body_contains: vec![broken.clone()],
        kinds: vec![Fault::AccessDenied],
        ..FaultPlan::none()
    });
    // EC2 throttles each DescribeVpcs once: the adaptive retry gets through, and the
    // summary reports it.
    proxy.add_plan(FaultPlan {
        rate: 1.0,
        actions: vec!["DescribeVpcs".into()],
        kinds: vec![Fault::Throttle],
        max_consecutive: 1,
        ..FaultPlan::none()
    });
    let seeded_ec2 = member_ec2(&env, &members[0], SECOND_REGION).await;
    let seeded_vpc = seed_private_vpc(&seeded_ec2, SECOND_REGION, 30).await;
    let sdk = sdk_at(&proxy.endpoint).await;
    let mut vars = org_vars(&fan_out);
    vars.push(("GUARD_ACCOUNTS", members.join(",")));
    let fleet = fleet(&env, &sdk, &vars).await;

    compliance_sweep(&fleet, event("scheduled-event.json", &[]))
        .await
        .expect("coordinator");
    let responses = drain_like_event_source(&env, &fleet, &fan_out.work_queue_url).await;
    let failed_deliveries: usize = responses.iter().map(|r| r.batch_item_failures.len()).sum();
    assert_eq!(
        failed_deliveries,
        2 * MAX_RECEIVE_COUNT as usize,
        "the broken account's two items fail on every delivery; nothing else does"
    );

    let dead: Vec<Value> = queue_bodies(&env, &fan_out.dlq_url).await;
    let dead_items: BTreeSet<(String, String)> = dead
        .iter()
        .map(|b| {
            (
                b["account_id"].as_str().unwrap_or_default().to_string(),
                b["region"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        dead_items,
        [
            (broken.clone(), SECOND_REGION.to_string()),
            (broken.clone(), REGION.to_string())
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(
        endpoint_services(&seeded_ec2, &seeded_vpc).await.len(),
        5,
        "healthy accounts were remediated"
    );

    let notices = env.notices().await;
    assert_matches_schema(&notices);
    let per_item = of_type(&notices, NoticeEventType::SweepSummary);
    assert_eq!(per_item.len(), 4, "each healthy item ran exactly once");
    assert!(per_item.iter().all(|n| n.account_id != broken));
    let org = of_type(&notices, NoticeEventType::OrgSweepSummary);
    assert_eq!(org.len(), 1);
    let report = org[0].org().expect("org report");
    assert_eq!(
        (
            report.items_total,
            report.items_succeeded,
            report.items_failed
        ),
        (6, 4, 2),
        "{report:#?}"
    );
    assert_eq!(report.accounts_failed, std::slice::from_ref(&broken));
    assert!(report
        .failed_items
        .iter()
        .all(|f| f.account_id == broken && f.error.contains("AccessDenied")));
    assert!(org[0].summary.contains(&broken), "{}", org[0].summary);
    let throttled: u64 = per_item
        .iter()
        .map(|n| {
            n.totals()
                .as_ref()
                .expect("totals")
                .counters
                .throttled_requests
        })
        .sum();
    assert!(
        throttled >= 4,
        "every healthy item saw a throttled DescribeVpcs: {throttled}"
    );
    assert_eq!(report.counters.throttled_requests, throttled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn account_vending_events_and_direct_invocations_baseline_the_new_account() {
    let env = Env::new().await;
    let members = create_members(&env, 3).await;
    let proxy = FaultProxy::start(&env.moto.endpoint, 11).await;
    let no_role = members[2].clone();
    proxy.set_plan(FaultPlan {
        rate: 1.0,
        actions: vec!["AssumeRole".into()],
        body_contains: vec![no_role.clone()],
        kinds: vec![Fault::AccessDenied],
        ..FaultPlan::none()
    });
    let sdk = sdk_at(&proxy.endpoint).await;
    let vars = vec![
        ("GUARD_REGIONS", format!("{REGION},{SECOND_REGION}")),
        ("MEMBER_ROLE_NAME", MEMBER_ROLE.to_string()),
    ];
    let fleet = fleet(&env, &sdk, &vars).await;

    // (a) Control Tower: baselines every configured region of the new account.
    let tower_account = members[0].clone();
    let east = member_ec2(&env, &tower_account, REGION).await;
    let west = member_ec2(&env, &tower_account, SECOND_REGION).await;
    let east_vpc = seed_private_vpc(&east, REGION, 40).await;
    let west_vpc = seed_private_vpc(&west, SECOND_REGION, 41).await;
    let result = account_baseline(
        &fleet,
        event(
            "controltower-create-managed-account.json",
            &[("210987654321", &tower_account)],
        ),
    )
    .await
    .expect("control tower baseline");
    assert_eq!(result["status"], "succeeded", "{result}");
    assert_eq!(result["source"], "control_tower");
    assert_eq!(result["regions"].as_array().map(Vec::len), Some(2));
    assert_eq!(endpoint_services(&east, &east_vpc).await.len(), 5);
    assert_eq!(endpoint_services(&west, &west_vpc).await.len(), 5);
    let notices = env.notices().await;
    assert_matches_schema(&notices);
    assert!(notices
        .iter()
        .filter(|n| n.event_type() == NoticeEventType::Remediated)
        .all(|n| n.account_id == tower_account && n.trigger == "CreateManagedAccount"));
    assert_eq!(of_type(&notices, NoticeEventType::SweepSummary).len(), 2);

    // A FAILED lifecycle event is not baselined.
    let mut failed: LambdaEvent<Value> = event(
        "controltower-create-managed-account.json",
        &[("210987654321", &tower_account)],
    );
    failed.payload["detail"]["serviceEventDetails"]["createManagedAccountStatus"]["state"] =
        json!("FAILED");
    let failed_event = invocation(failed.payload, "failed-event");
    let ignored = account_baseline(&fleet, failed_event)
        .await
        .expect("ignored");
    assert_eq!(ignored["ignored"], true);

    // (c) Direct invocation for one region: returns the per-region result.
    let direct_account = members[1].clone();
    let west_direct = member_ec2(&env, &direct_account, SECOND_REGION).await;
    let direct_vpc = seed_private_vpc(&west_direct, SECOND_REGION, 42).await;
    let result = account_baseline(
        &fleet,
        invocation(
            json!({"account_id": direct_account, "regions": [SECOND_REGION]}),
            "direct-1",
        ),
    )
    .await
    .expect("direct baseline");
    assert_eq!(result["status"], "succeeded", "{result}");
    let regions = result["regions"].as_array().expect("regions");
    assert_eq!(regions.len(), 1);
    assert_eq!(regions[0]["region"], SECOND_REGION);
    assert!(
        n(&regions[0]["summary"], "actions_applied") >= 5,
        "{result}"
    );
    assert_eq!(endpoint_services(&west_direct, &direct_vpc).await.len(), 5);

    // Direct invocation where the role is missing: the result says failed, per region, so the
    // pipeline step can fail; the same account from an EventBridge event fails the invocation.
    let result = account_baseline(
        &fleet,
        invocation(json!({"account_id": no_role}), "direct-2"),
    )
    .await
    .expect("a direct invocation always returns its result");
    assert_eq!(result["status"], "failed");
    for region in result["regions"].as_array().expect("regions") {
        assert_eq!(region["status"], "failed");
        assert!(region["error"]
            .as_str()
            .is_some_and(|e| e.contains("AccessDenied")));
    }
    let error = account_baseline(
        &fleet,
        event(
            "organizations-create-account-result.json",
            &[("210987654321", &no_role)],
        ),
    )
    .await
    .expect_err("an event whose baseline failed fails the invocation (Lambda retries it)");
    assert!(
        error.to_string().contains("2 of 2 region(s) failed"),
        "{error}"
    );

    // Bad direct input is a clear error, not a panic.
    let error = account_baseline(&fleet, invocation(json!({"account_id": "42"}), "direct-3"))
        .await
        .expect_err("bad account id");
    assert!(error.to_string().contains("12-digit"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_forwarded_member_event_is_handled_in_the_member_account() {
    let env = Env::new().await;
    let members = create_members(&env, 1).await;
    let member = members[0].clone();
    let ec2 = member_ec2(&env, &member, SECOND_REGION).await;
    let vpc = seed_private_vpc(&ec2, SECOND_REGION, 50).await;
    let subnet = ec2
        .describe_subnets()
        .filters(filter("vpc-id", &vpc))
        .send()
        .await
        .expect("subnets")
        .subnets()
        .first()
        .and_then(|s| s.subnet_id())
        .expect("subnet")
        .to_string();
    // The same VPC id does not exist in the central account.
    let home_vpcs_before = env.ec2.describe_vpc_endpoints().send().await.expect("home");
    let forwarded = || {
        event(
            "cloudtrail-create-subnet-member-account.json",
            &[
                ("210987654321", &member),
                (VPC_PLACEHOLDER, &vpc),
                (SUBNET_PLACEHOLDER, &subnet),
            ],
        )
    };

    // Without a member role the event is ignored with a reason.
    let single = fleet(
        &env,
        &env.sdk,
        &[("GUARD_REGIONS", format!("{REGION},{SECOND_REGION}"))],
    )
    .await;
    let result = network_events(&single, forwarded()).await.expect("ignored");
    assert_eq!(result["ignored"], true);
    assert!(result["reason"]
        .as_str()
        .is_some_and(|r| r.contains("MEMBER_ROLE_NAME")));
    // A region outside GUARD_REGIONS is ignored too.
    let east_only = fleet(
        &env,
        &env.sdk,
        &[("MEMBER_ROLE_NAME", MEMBER_ROLE.to_string())],
    )
    .await;
    let result = network_events(&east_only, forwarded())
        .await
        .expect("ignored");
    assert!(result["reason"]
        .as_str()
        .is_some_and(|r| r.contains("GUARD_REGIONS")));
    assert!(endpoint_services(&ec2, &vpc).await.is_empty());

    let central = fleet(
        &env,
        &env.sdk,
        &[
            ("GUARD_REGIONS", format!("{REGION},{SECOND_REGION}")),
            ("MEMBER_ROLE_NAME", MEMBER_ROLE.to_string()),
        ],
    )
    .await;
    let summary = network_events(&central, forwarded())
        .await
        .expect("handled");
    assert_eq!(n(&summary, "vpcs_checked"), 1, "{summary}");
    assert_eq!(
        endpoint_services(&ec2, &vpc).await,
        FULL_SET.iter().map(|s| s.to_string()).collect()
    );
    let home_vpcs_after = env.ec2.describe_vpc_endpoints().send().await.expect("home");
    assert_eq!(
        home_vpcs_before.vpc_endpoints().len(),
        home_vpcs_after.vpc_endpoints().len(),
        "nothing was created in the central account"
    );
    let notices = env.notices().await;
    assert!(!notices.is_empty());
    assert!(notices.iter().all(|n| n.account_id == member
        && n.region == SECOND_REGION
        && n.trigger == "CreateSubnet"));
}

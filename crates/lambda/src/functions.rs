//! The Lambda functions' entry points, one per function, over a [`Fleet`]: they decide which
//! account(s) and region(s) an event concerns, build guards there, and run them.
//!
//! - `network-events`: CloudTrail EC2 events, the function's own or forwarded from members;
//! - `compliance-sweep`: the schedule; sweeps itself, or fans out one SQS item per
//!   (account, region) when `WORK_QUEUE_URL` is set;
//! - `sweep-worker`: drains those items (SQS event source, partial batch failures);
//! - `account-baseline`: account vending (Control Tower, Organizations, direct invocation).

use std::collections::BTreeMap;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures::future::join_all;
use futures::stream::{self, StreamExt};
use lambda_runtime::LambdaEvent;
use serde::Serialize;
use serde_json::{json, Value};
use tracing::{error, info, warn};

use crate::adapters::{ItemOutcome, OrganizationsAdapter, SweepLedger, WorkQueueAdapter};
use crate::error::FleetError;
use crate::fleet::{Fleet, Session};
use crate::handlers::{api_call_of, guard_api_call, ignored, schedule_of, sweep_region, Routed};
use crate::notice::{Notice, NoticeContext, RunSummary};
use crate::org::{
    is_final_attempt, parse_vending_event, select_accounts, work_items, OrgCounters,
    OrgSweepReport, VendingTrigger, WorkItem,
};
use crate::ports::NoticePort;

/// Work items one worker invocation runs at once (each is a different account or region; EC2
/// throttles per account and region, and each run bounds its own concurrency).
pub const WORKER_ITEM_CONCURRENCY: usize = 5;

/// `network-events`: guards exactly the VPCs a CloudTrail-recorded EC2 call touched, in the
/// account and region where it happened (a member account's event, forwarded to the central
/// bus, is handled through the member role).
pub async fn network_events(fleet: &Fleet, event: LambdaEvent<Value>) -> Result<Value, FleetError> {
    let call = match api_call_of(&event.payload)? {
        Routed::Handle(call) => call,
        Routed::Ignore(answer) => return Ok(answer),
    };
    if !fleet.guards_region(&call.region) {
        return Ok(ignored(format!(
            "{} happened in {}, which is not in GUARD_REGIONS ({})",
            call.event_name,
            call.region,
            fleet.regions().join(",")
        )));
    }
    let session = fleet.session(&event.context).await?;
    if !session.reaches_account(&call.account_id) {
        warn!(account = %call.account_id, "event from another account, but MEMBER_ROLE_NAME is not set");
        return Ok(ignored(format!(
            "{} happened in account {}, not this deployment's account {}, and MEMBER_ROLE_NAME is not set",
            call.event_name,
            call.account_id,
            session.home_account()
        )));
    }
    let guard = session.guard(&call.account_id, &call.region).await?;
    Ok(Box::pin(guard_api_call(&guard, call)).await?)
}

/// One region's result, as functions return it.
#[derive(Debug, Clone, Serialize)]
pub struct RegionResult {
    pub account_id: String,
    pub region: String,
    /// `succeeded`, or `failed` when the run failed or (in remediate mode) a remedy failed.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<RunSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Guards every VPC of `account_id` in `region`; failures become a `failed` result.
async fn sweep_one(
    session: &Session<'_>,
    account_id: &str,
    region: &str,
    trigger: &str,
    read_dns_for_all: bool,
) -> RegionResult {
    // Boxed: the guard's future is deep, and the callers nest it in join_all and streams; a
    // pointer keeps the compiler's layout queries (and the stack) shallow.
    let run = Box::pin(async {
        let guard = session.guard(account_id, region).await?;
        Ok::<_, FleetError>(sweep_region(&guard, account_id, trigger, read_dns_for_all).await?)
    });
    match run.await {
        Ok(summary) => RegionResult {
            account_id: account_id.to_string(),
            region: region.to_string(),
            status: if summary.actions_failed > 0 {
                "failed"
            } else {
                "succeeded"
            },
            summary: Some(summary),
            error: None,
        },
        Err(e) => {
            error!(%account_id, %region, error = %e, "guard run failed");
            RegionResult {
                account_id: account_id.to_string(),
                region: region.to_string(),
                status: "failed",
                summary: None,
                error: Some(e.to_string()),
            }
        }
    }
}

/// The error naming every region in `failed` (none: `Ok`), for the invocation to fail with.
fn regions_failed(
    account_id: &str,
    results: &[RegionResult],
    failed: impl Fn(&RegionResult) -> bool,
) -> Result<(), FleetError> {
    let details: Vec<String> = results
        .iter()
        .filter(|r| failed(r))
        .map(|r| {
            format!(
                "{}: {}",
                r.region,
                r.error.clone().unwrap_or_else(|| {
                    let n = r.summary.as_ref().map_or(0, |s| s.actions_failed);
                    format!("{n} remedy(ies) failed")
                })
            )
        })
        .collect();
    if details.is_empty() {
        return Ok(());
    }
    Err(FleetError::Regions {
        account_id: account_id.to_string(),
        failed: details.len(),
        total: results.len(),
        detail: details.join("; "),
    })
}

/// `compliance-sweep`: on its schedule, guards every VPC of the own account in every region of
/// `GUARD_REGIONS`; with `WORK_QUEUE_URL`, fans the organization out to the sweep workers instead.
pub async fn compliance_sweep(
    fleet: &Fleet,
    event: LambdaEvent<Value>,
) -> Result<Value, FleetError> {
    if let Routed::Ignore(answer) = schedule_of(&event.payload)? {
        return Ok(answer);
    }
    let session = fleet.session(&event.context).await?;
    if fleet.config().org.work_queue_url.is_some() {
        // The EventBridge event id is the same on a retried delivery: the retry reopens the
        // same sweep instead of starting a second one.
        let sweep_id = event
            .payload
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .unwrap_or(&event.context.request_id)
            .to_string();
        let started_at = event
            .payload
            .get("time")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        return fan_out(&session, &sweep_id, &started_at).await;
    }
    let account = session.home_account().to_string();
    let regions = fleet.regions();
    let results = join_all(
        regions
            .iter()
            .map(|region| sweep_one(&session, &account, region, "schedule", false)),
    )
    .await;
    // A failed remedy is reported by its notice; only a failed run fails the invocation.
    regions_failed(&account, &results, |r| r.error.is_some())?;
    Ok(json!({ "account_id": account, "regions": results }))
}

/// The accounts an org sweep covers: `GUARD_ACCOUNTS`, or AWS Organizations filtered.
async fn sweep_accounts(fleet: &Fleet) -> Result<Vec<String>, FleetError> {
    let org = &fleet.config().org;
    if !org.accounts.is_empty() {
        let accounts: Vec<String> = org
            .accounts
            .iter()
            .filter(|a| !org.account_filter.exclude.contains(*a))
            .cloned()
            .collect();
        return Ok(accounts);
    }
    let directory = OrganizationsAdapter::new(aws_sdk_organizations::Client::new(fleet.sdk()));
    let listed = directory
        .accounts(&org.org_unit_ids)
        .await
        .map_err(FleetError::ListAccounts)?;
    Ok(select_accounts(&listed, &org.account_filter))
}

async fn fan_out(
    session: &Session<'_>,
    sweep_id: &str,
    started_at: &str,
) -> Result<Value, FleetError> {
    let fleet = session.fleet();
    let org = &fleet.config().org;
    let (Some(queue_url), Some(table)) = (&org.work_queue_url, &org.sweep_table) else {
        return Err(FleetError::NotConfigured {
            operation: "an organization sweep",
            name: "SWEEP_TABLE_NAME",
        });
    };
    let accounts = sweep_accounts(fleet).await?;
    if accounts.is_empty() {
        return Err(FleetError::NothingToSweep);
    }
    if org.member_role.is_none() && accounts.iter().any(|a| a != session.home_account()) {
        return Err(FleetError::NotConfigured {
            operation: "sweeping other accounts",
            name: "MEMBER_ROLE_NAME",
        });
    }
    let regions = fleet.regions();
    let items = work_items(sweep_id, &accounts, &regions);
    let ledger = SweepLedger::new(aws_sdk_dynamodb::Client::new(fleet.sdk()), table);
    let new_sweep = ledger
        .start(sweep_id, items.len(), &accounts, &regions, started_at)
        .await
        .map_err(FleetError::Ledger)?;
    let queue = WorkQueueAdapter::new(aws_sdk_sqs::Client::new(fleet.sdk()), queue_url);
    let send_calls = queue.send(&items).await?;
    info!(%sweep_id, accounts = accounts.len(), regions = regions.len(), items = items.len(), new_sweep, "organization sweep queued");
    Ok(json!({
        "sweep_id": sweep_id,
        "accounts": accounts,
        "regions": regions,
        "work_items": items.len(),
        "send_message_batch_calls": send_calls,
        "resumed": !new_sweep,
    }))
}

/// `sweep-worker`: runs the guard for each (account, region) work item of an org sweep,
/// tallies it in the ledger, and publishes the org summary when the last item is done.
/// Failed items are reported as partial batch failures, so only they are retried; on their
/// last delivery they are tallied as failed (and SQS moves them to the dead-letter queue).
pub async fn sweep_worker(
    fleet: &Fleet,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, FleetError> {
    let table = fleet
        .config()
        .org
        .sweep_table
        .clone()
        .ok_or(FleetError::NotConfigured {
            operation: "the sweep worker",
            name: "SWEEP_TABLE_NAME",
        })?;
    let ledger = SweepLedger::new(aws_sdk_dynamodb::Client::new(fleet.sdk()), table);
    let session = fleet.session(&event.context).await?;
    let max_receive_count = fleet.config().org.work_max_receive_count;

    // The same item twice in one batch (a redelivery) runs once; both messages share the result.
    let mut by_key: BTreeMap<String, (Option<WorkItem>, u32, Vec<String>)> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    for record in &event.payload.records {
        let Some(message_id) = record.message_id.clone() else {
            warn!("SQS record without a message id; SQS will redeliver it");
            continue;
        };
        let receive_count = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|c| c.parse::<u32>().ok())
            .unwrap_or(1);
        match WorkItem::parse(record.body.as_deref().unwrap_or_default()) {
            Ok(item) => {
                let key = format!("{}/{}", item.sweep_id, item.key());
                let entry = by_key.entry(key).or_insert((Some(item), 0, Vec::new()));
                entry.1 = entry.1.max(receive_count);
                entry.2.push(message_id);
            }
            Err(e) => {
                // Never succeeds: it goes to the dead-letter queue after its retries.
                error!(%message_id, error = %e, "malformed work item");
                failures.push(message_id);
            }
        }
    }
    let results: Vec<(Vec<String>, bool)> = stream::iter(by_key.into_values())
        .map(|(item, receive_count, message_ids)| {
            let session = &session;
            let ledger = &ledger;
            async move {
                let ok = match item {
                    Some(item) => {
                        let final_attempt = is_final_attempt(receive_count, max_receive_count);
                        work_on(session, ledger, &item, final_attempt).await
                    }
                    None => false,
                };
                (message_ids, ok)
            }
        })
        .buffer_unordered(WORKER_ITEM_CONCURRENCY)
        .collect()
        .await;
    for (message_ids, ok) in results {
        if !ok {
            failures.extend(message_ids);
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures
        .into_iter()
        .map(|id| {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            failure
        })
        .collect();
    Ok(response)
}

/// Runs one item and records it; `false` means "let SQS deliver it again".
async fn work_on(
    session: &Session<'_>,
    ledger: &SweepLedger,
    item: &WorkItem,
    final_attempt: bool,
) -> bool {
    let result = sweep_one(session, &item.account_id, &item.region, "schedule", false).await;
    let outcome = match (&result.summary, &result.error) {
        (Some(summary), None) => ItemOutcome::Succeeded(OrgCounters::from_summary(summary)),
        (_, error) => {
            let error = error.clone().unwrap_or_else(|| "unknown error".to_string());
            if !final_attempt {
                warn!(account = %item.account_id, region = %item.region, %error, "work item failed; SQS will retry it");
                return false;
            }
            error!(account = %item.account_id, region = %item.region, %error, "work item failed on its last delivery; it goes to the dead-letter queue");
            ItemOutcome::Failed(error)
        }
    };
    let succeeded = matches!(outcome, ItemOutcome::Succeeded(_));
    let record = match ledger.record(item, &outcome).await {
        Ok(Some(record)) => record,
        Ok(None) => {
            warn!(sweep_id = %item.sweep_id, "the ledger does not know this sweep; the item is not tallied");
            return succeeded;
        }
        Err(e) => {
            // The guard run is idempotent and the ledger deduplicates: retry the item.
            error!(error = %e, "could not tally the work item");
            return false;
        }
    };
    if record.is_complete() {
        if let Err(e) = publish_org_summary(session, ledger, &item.sweep_id).await {
            error!(error = %e, "could not publish the organization sweep summary; retrying the item");
            return false;
        }
    }
    succeeded
}

/// Publishes the org summary once (the ledger's claim picks one worker); a failed publish
/// gives the claim back so the retried item can publish.
async fn publish_org_summary(
    session: &Session<'_>,
    ledger: &SweepLedger,
    sweep_id: &str,
) -> Result<(), FleetError> {
    let fleet = session.fleet();
    if !ledger
        .claim_summary(sweep_id)
        .await
        .map_err(FleetError::Ledger)?
    {
        return Ok(());
    }
    let record = match ledger.get(sweep_id).await {
        Ok(Some(record)) => record,
        Ok(None) => return Ok(()),
        Err(e) => {
            let _ = ledger.release_summary(sweep_id).await;
            return Err(FleetError::Ledger(e));
        }
    };
    let ctx = NoticeContext {
        account_id: session.home_account().to_string(),
        region: fleet.home_region().to_string(),
        trigger: "schedule".to_string(),
        mode: fleet.config().mode,
        generated_at: crate::guard::now_rfc3339(),
    };
    let report = OrgSweepReport::from_record(&record);
    info!(%sweep_id, items = report.items_total, failed = report.items_failed, "organization sweep complete");
    let notice = Notice::org_sweep_summary(&ctx, report);
    if let Err(source) = fleet.notices().publish(std::slice::from_ref(&notice)).await {
        if let Err(e) = ledger.release_summary(sweep_id).await {
            error!(error = %e, "could not release the summary claim");
        }
        return Err(FleetError::Guard(crate::error::GuardError::Publish {
            unpublished: 1,
            source,
        }));
    }
    Ok(())
}

/// `account-baseline`: baselines every VPC of a newly vended account in each region, and
/// publishes notices. A direct invocation gets the per-region result back (`status` is
/// `failed` when any region failed, so a pipeline step can fail on it); an EventBridge event
/// whose baseline failed fails the invocation, so Lambda retries it.
pub async fn account_baseline(
    fleet: &Fleet,
    event: LambdaEvent<Value>,
) -> Result<Value, FleetError> {
    let request = match parse_vending_event(&event.payload)? {
        VendingTrigger::Baseline(request) => request,
        VendingTrigger::Ignored { reason } => return Ok(ignored(reason)),
    };
    let regions = request.regions.clone().unwrap_or_else(|| fleet.regions());
    info!(account = %request.account_id, ?regions, source = ?request.source, "baselining a new account");
    let session = fleet.session(&event.context).await?;
    let trigger = request.source.trigger();
    // A new account has few VPCs: read every VPC's DNS attributes, so DNS drift is found too.
    let results = join_all(
        regions
            .iter()
            .map(|region| sweep_one(&session, &request.account_id, region, trigger, true)),
    )
    .await;
    let outcome = regions_failed(&request.account_id, &results, |r| r.status == "failed");
    let response = json!({
        "account_id": request.account_id,
        "source": request.source,
        "status": if outcome.is_err() { "failed" } else { "succeeded" },
        "regions": results,
    });
    match (request.source, outcome) {
        (crate::org::VendingSource::Direct, _) | (_, Ok(())) => Ok(response),
        (_, Err(error)) => Err(error),
    }
}

//! Organization scale, the pure part: which (account, region) pairs a sweep covers, the work
//! items that carry them over SQS, account-vending events, and the roll-up of an org sweep.
//! No AWS types here; the adapters in [`crate::adapters`] move these values over the wire.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cost::round_cents;
use crate::error::EventError;
use crate::notice::RunSummary;

/// Version tag of work-item messages, so a queue drained by a newer worker fails loudly.
pub const WORK_ITEM_SCHEMA: &str = "vpce-guard.work-item/v1";

/// `true` for a 12-digit AWS account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `true` for names shaped like AWS Regions (`us-east-1`, `eu-central-2`, `us-gov-west-1`).
pub fn is_region_name(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// STS session names allow 2..=64 characters of `[\w+=,.@-]`; CloudTrail in the member account
/// then shows which function and which invocation acted.
pub fn session_name(function_name: &str, request_id: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    let request = clean(request_id);
    let request: String = request.chars().take(40).collect();
    let room = 64usize.saturating_sub(request.len() + 1);
    let function: String = clean(function_name).chars().take(room).collect();
    let name = match (function.is_empty(), request.is_empty()) {
        (false, false) => format!("{function}-{request}"),
        (false, true) => function,
        (true, false) => request,
        (true, true) => "vpce-guard".to_string(),
    };
    if name.len() < 2 {
        format!("vpce-guard-{name}")
    } else {
        name
    }
}

/// The role the central deployment assumes in a member account.
pub fn member_role_arn(partition: &str, account_id: &str, role_name: &str) -> String {
    format!("arn:{partition}:iam::{account_id}:role/{role_name}")
}

/// An account as AWS Organizations lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    pub status: String,
}

/// Which listed accounts a sweep covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFilter {
    /// When not empty, only these accounts.
    pub include: BTreeSet<String>,
    /// Never these accounts (wins over `include`).
    pub exclude: BTreeSet<String>,
}

/// ACTIVE accounts that pass the filter, sorted and without duplicates (an account can be listed
/// under several OUs of the filter).
pub fn select_accounts(accounts: &[OrgAccount], filter: &AccountFilter) -> Vec<String> {
    let selected: BTreeSet<String> = accounts
        .iter()
        .filter(|a| a.status == "ACTIVE")
        .filter(|a| filter.include.is_empty() || filter.include.contains(&a.id))
        .filter(|a| !filter.exclude.contains(&a.id))
        .map(|a| a.id.clone())
        .collect();
    selected.into_iter().collect()
}

/// One (account, region) pair of an org sweep: the body of one SQS message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItem {
    pub schema: String,
    /// Identifies the sweep in the ledger (the scheduled event's id).
    pub sweep_id: String,
    pub account_id: String,
    pub region: String,
}

impl WorkItem {
    pub fn new(sweep_id: &str, account_id: &str, region: &str) -> Self {
        Self {
            schema: WORK_ITEM_SCHEMA.to_string(),
            sweep_id: sweep_id.to_string(),
            account_id: account_id.to_string(),
            region: region.to_string(),
        }
    }

    /// The item's key in the ledger; also the SQS batch entry id (`[A-Za-z0-9_-]`, ≤ 80).
    pub fn key(&self) -> String {
        format!("{}_{}", self.account_id, self.region)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses and checks a message body; a malformed item can never succeed, so the error
    /// says why, and the message ends in the dead-letter queue after its retries.
    pub fn parse(body: &str) -> Result<Self, EventError> {
        let item: WorkItem = serde_json::from_str(body)
            .map_err(|e| EventError::Envelope(format!("work item is not valid JSON: {e}")))?;
        if item.schema != WORK_ITEM_SCHEMA {
            return Err(EventError::Envelope(format!(
                "work item schema {:?} is not {WORK_ITEM_SCHEMA:?}",
                item.schema
            )));
        }
        if !is_account_id(&item.account_id) {
            return Err(EventError::Envelope(format!(
                "work item account_id {:?} is not a 12-digit account id",
                item.account_id
            )));
        }
        if !is_region_name(&item.region) {
            return Err(EventError::Envelope(format!(
                "work item region {:?} is not a region name",
                item.region
            )));
        }
        if item.sweep_id.is_empty() || item.sweep_id.len() > 256 {
            return Err(EventError::Envelope(
                "work item sweep_id must be 1 to 256 characters".to_string(),
            ));
        }
        Ok(item)
    }
}

/// Every (account, region) pair, accounts outer, in a stable order.
pub fn work_items(sweep_id: &str, accounts: &[String], regions: &[String]) -> Vec<WorkItem> {
    accounts
        .iter()
        .flat_map(|a| regions.iter().map(move |r| WorkItem::new(sweep_id, a, r)))
        .collect()
}

/// Whether a failed delivery was the queue's last: the redrive policy moves the message to the
/// dead-letter queue once it has been received `max_receive_count` times.
pub fn is_final_attempt(receive_count: u32, max_receive_count: u32) -> bool {
    receive_count >= max_receive_count
}

/// Counters summed over the items of an org sweep (integers, so the ledger adds them exactly).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgCounters {
    pub vpcs_checked: u64,
    pub vpcs_compliant: u64,
    pub vpcs_drifted: u64,
    pub vpcs_exempt: u64,
    pub actions_applied: u64,
    pub actions_failed: u64,
    pub notices_published: u64,
    pub api_calls: u64,
    pub throttled_requests: u64,
    /// Monthly cost change in cents (USD × 100).
    pub monthly_cost_delta_cents: i64,
}

impl OrgCounters {
    pub fn from_summary(summary: &RunSummary) -> Self {
        let n = |v: usize| v as u64;
        Self {
            vpcs_checked: n(summary.vpcs_checked),
            vpcs_compliant: n(summary.vpcs_compliant),
            vpcs_drifted: n(summary.vpcs_drifted),
            vpcs_exempt: n(summary.vpcs_exempt),
            actions_applied: n(summary.actions_applied),
            actions_failed: n(summary.actions_failed),
            notices_published: n(summary.notices_published),
            api_calls: summary.api_calls,
            throttled_requests: summary.throttled_requests,
            monthly_cost_delta_cents: (summary.monthly_cost_delta_usd * 100.0).round() as i64,
        }
    }

    /// Field names and values, as the ledger stores them.
    pub fn fields(&self) -> [(&'static str, i64); 10] {
        let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        [
            ("vpcs_checked", i(self.vpcs_checked)),
            ("vpcs_compliant", i(self.vpcs_compliant)),
            ("vpcs_drifted", i(self.vpcs_drifted)),
            ("vpcs_exempt", i(self.vpcs_exempt)),
            ("actions_applied", i(self.actions_applied)),
            ("actions_failed", i(self.actions_failed)),
            ("notices_published", i(self.notices_published)),
            ("api_calls", i(self.api_calls)),
            ("throttled_requests", i(self.throttled_requests)),
            ("monthly_cost_delta_cents", self.monthly_cost_delta_cents),
        ]
    }

    /// Rebuilds counters from stored fields (missing fields are 0).
    pub fn from_fields(get: impl Fn(&str) -> i64) -> Self {
        let u = |name: &str| u64::try_from(get(name)).unwrap_or(0);
        Self {
            vpcs_checked: u("vpcs_checked"),
            vpcs_compliant: u("vpcs_compliant"),
            vpcs_drifted: u("vpcs_drifted"),
            vpcs_exempt: u("vpcs_exempt"),
            actions_applied: u("actions_applied"),
            actions_failed: u("actions_failed"),
            notices_published: u("notices_published"),
            api_calls: u("api_calls"),
            throttled_requests: u("throttled_requests"),
            monthly_cost_delta_cents: get("monthly_cost_delta_cents"),
        }
    }
}

/// An item that ended in the dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFailure {
    pub account_id: String,
    pub region: String,
    pub error: String,
}

/// What the ledger holds about one org sweep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepRecord {
    pub sweep_id: String,
    pub items_total: u64,
    /// Keys of the items that finished (succeeded or failed for good).
    pub done: BTreeSet<String>,
    pub succeeded: u64,
    pub failures: Vec<ItemFailure>,
    pub counters: OrgCounters,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub started_at: String,
}

impl SweepRecord {
    /// Every item succeeded or failed for good: time for the summary.
    pub fn is_complete(&self) -> bool {
        self.items_total > 0 && self.done.len() as u64 >= self.items_total
    }
}

/// The `org` part of an `org_sweep_summary` notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgSweepReport {
    pub sweep_id: String,
    pub started_at: String,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub items_total: u64,
    pub items_succeeded: u64,
    pub items_failed: u64,
    /// The (account, region) pairs that ended in the dead-letter queue, sorted.
    pub failed_items: Vec<ItemFailure>,
    /// Accounts with at least one failed region.
    pub accounts_failed: Vec<String>,
    pub vpcs_checked: u64,
    pub vpcs_compliant: u64,
    pub vpcs_drifted: u64,
    pub vpcs_exempt: u64,
    pub actions_applied: u64,
    pub actions_failed: u64,
    pub notices_published: u64,
    pub api_calls: u64,
    /// EC2/SNS answers that were throttling errors (each was retried by the SDK).
    pub throttled_requests: u64,
    pub monthly_cost_delta_usd: f64,
}

impl OrgSweepReport {
    pub fn from_record(record: &SweepRecord) -> Self {
        let mut failed_items = record.failures.clone();
        failed_items.sort_by(|a, b| (&a.account_id, &a.region).cmp(&(&b.account_id, &b.region)));
        failed_items.dedup_by(|a, b| a.account_id == b.account_id && a.region == b.region);
        let accounts_failed: BTreeSet<String> =
            failed_items.iter().map(|f| f.account_id.clone()).collect();
        let c = &record.counters;
        Self {
            sweep_id: record.sweep_id.clone(),
            started_at: record.started_at.clone(),
            accounts: record.accounts.clone(),
            regions: record.regions.clone(),
            items_total: record.items_total,
            items_succeeded: record.succeeded,
            items_failed: failed_items.len() as u64,
            failed_items,
            accounts_failed: accounts_failed.into_iter().collect(),
            vpcs_checked: c.vpcs_checked,
            vpcs_compliant: c.vpcs_compliant,
            vpcs_drifted: c.vpcs_drifted,
            vpcs_exempt: c.vpcs_exempt,
            actions_applied: c.actions_applied,
            actions_failed: c.actions_failed,
            notices_published: c.notices_published,
            api_calls: c.api_calls,
            throttled_requests: c.throttled_requests,
            monthly_cost_delta_usd: round_cents(c.monthly_cost_delta_cents as f64 / 100.0),
        }
    }
}

/// Where an account-vending request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VendingSource {
    /// Control Tower lifecycle event `CreateManagedAccount`.
    ControlTower,
    /// AWS Organizations `CreateAccountResult`.
    Organizations,
    /// A pipeline step invoking the function with `{"account_id", "regions"}`.
    Direct,
}

impl VendingSource {
    /// The trigger name carried into notices.
    pub fn trigger(self) -> &'static str {
        match self {
            VendingSource::ControlTower => "CreateManagedAccount",
            VendingSource::Organizations => "CreateAccountResult",
            VendingSource::Direct => "account-baseline",
        }
    }
}

/// A new account to baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendingRequest {
    pub account_id: String,
    /// Regions asked for by a direct invocation; `None` means the configured regions.
    pub regions: Option<Vec<String>>,
    pub source: VendingSource,
}

/// What the account-baseline function does with an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VendingTrigger {
    Baseline(VendingRequest),
    Ignored { reason: String },
}

/// Reads a Control Tower lifecycle event, an Organizations `CreateAccountResult` event, or a
/// direct `{"account_id": "...", "regions": ["..."]}` payload.
pub fn parse_vending_event(payload: &Value) -> Result<VendingTrigger, EventError> {
    let Some(object) = payload.as_object() else {
        return Err(EventError::Envelope(
            "expected a JSON object: an EventBridge event or {\"account_id\", \"regions\"}"
                .to_string(),
        ));
    };
    if object.contains_key("account_id") && !object.contains_key("detail") {
        return parse_direct(payload).map(VendingTrigger::Baseline);
    }
    let source = payload
        .get("source")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            EventError::Envelope(
                "neither an EventBridge event (no `source`) nor a direct {\"account_id\"} payload"
                    .to_string(),
            )
        })?;
    let detail = payload.get("detail").unwrap_or(&Value::Null);
    let event_name = detail
        .get("eventName")
        .and_then(Value::as_str)
        .unwrap_or("");
    let (status_key, vending_source) = match (source, event_name) {
        ("aws.controltower", "CreateManagedAccount") => {
            ("createManagedAccountStatus", VendingSource::ControlTower)
        }
        ("aws.organizations", "CreateAccountResult") => {
            ("createAccountStatus", VendingSource::Organizations)
        }
        _ => {
            return Ok(VendingTrigger::Ignored {
                reason: format!(
                    "{source} {event_name:?} is not an account-vending event this function handles"
                ),
            })
        }
    };
    let status = detail
        .get("serviceEventDetails")
        .and_then(|d| d.get(status_key))
        .ok_or_else(|| EventError::MissingField {
            event_name: event_name.to_string(),
            field: "serviceEventDetails",
        })?;
    let state = status.get("state").and_then(Value::as_str).unwrap_or("");
    if state != "SUCCEEDED" {
        return Ok(VendingTrigger::Ignored {
            reason: format!("{event_name} is in state {state:?}; only SUCCEEDED is baselined"),
        });
    }
    let account_id = match vending_source {
        VendingSource::ControlTower => status.get("account").and_then(|a| a.get("accountId")),
        _ => status.get("accountId"),
    }
    .and_then(Value::as_str)
    .ok_or_else(|| EventError::MissingField {
        event_name: event_name.to_string(),
        field: "serviceEventDetails.*.accountId",
    })?;
    if !is_account_id(account_id) {
        return Err(EventError::Detail(format!(
            "{event_name} names account {account_id:?}, which is not a 12-digit account id"
        )));
    }
    Ok(VendingTrigger::Baseline(VendingRequest {
        account_id: account_id.to_string(),
        regions: None,
        source: vending_source,
    }))
}

fn parse_direct(payload: &Value) -> Result<VendingRequest, EventError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Direct {
        account_id: String,
        #[serde(default)]
        regions: Option<Vec<String>>,
    }
    let direct: Direct = serde_json::from_value(payload.clone()).map_err(|e| {
        EventError::Envelope(format!(
            "direct invocation expects {{\"account_id\": \"123456789012\", \"regions\": [\"us-east-1\"]}}: {e}"
        ))
    })?;
    if !is_account_id(&direct.account_id) {
        return Err(EventError::Envelope(format!(
            "account_id {:?} is not a 12-digit account id",
            direct.account_id
        )));
    }
    let regions = match direct.regions {
        None => None,
        Some(list) if list.is_empty() => None,
        Some(list) => {
            if let Some(bad) = list.iter().find(|r| !is_region_name(r)) {
                return Err(EventError::Envelope(format!(
                    "regions: {bad:?} is not a region name (like us-east-1)"
                )));
            }
            let unique: BTreeSet<String> = list.into_iter().collect();
            Some(unique.into_iter().collect())
        }
    };
    Ok(VendingRequest {
        account_id: direct.account_id,
        regions,
        source: VendingSource::Direct,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recognises_account_ids_and_regions() {
        assert!(is_account_id("123456789012"));
        for bad in ["12345678901", "1234567890123", "12345678901a", ""] {
            assert!(!is_account_id(bad), "{bad}");
        }
        for good in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-5",
        ] {
            assert!(is_region_name(good), "{good}");
        }
        for bad in ["us-east", "US-EAST-1", "us--1", "east-1", "us-east-1a", ""] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }

    #[test]
    fn session_names_fit_sts_rules() {
        let name = session_name(
            "vpce-guard-sweep-worker",
            "8f6e7c3a-1b2c-4d5e-9f00-0a1b2c3d4e5f",
        );
        assert_eq!(
            name,
            "vpce-guard-sweep-worker-8f6e7c3a-1b2c-4d5e-9f00-0a1b2c3d4e5f"
        );
        let long = session_name(&"f".repeat(200), "8f6e7c3a-1b2c-4d5e-9f00-0a1b2c3d4e5f");
        assert_eq!(long.len(), 64);
        assert!(long.ends_with("-8f6e7c3a-1b2c-4d5e-9f00-0a1b2c3d4e5f"));
        assert_eq!(session_name("my fn", "a/b"), "my-fn-a-b");
        assert_eq!(session_name("", ""), "vpce-guard");
        assert_eq!(session_name("x", ""), "vpce-guard-x");
    }

    #[test]
    fn selects_active_accounts_through_the_filter() {
        let account = |id: &str, status: &str| OrgAccount {
            id: id.into(),
            name: format!("n{id}"),
            status: status.into(),
        };
        let accounts = vec![
            account("333333333333", "ACTIVE"),
            account("111111111111", "ACTIVE"),
            account("222222222222", "SUSPENDED"),
            account("444444444444", "ACTIVE"),
            account("111111111111", "ACTIVE"),
        ];
        let all = select_accounts(&accounts, &AccountFilter::default());
        assert_eq!(all, ["111111111111", "333333333333", "444444444444"]);
        let filter = AccountFilter {
            include: ["111111111111", "222222222222", "444444444444"]
                .into_iter()
                .map(String::from)
                .collect(),
            exclude: ["444444444444".to_string()].into_iter().collect(),
        };
        assert_eq!(select_accounts(&accounts, &filter), ["111111111111"]);
    }

    #[test]
    fn work_items_round_trip_and_reject_garbage() {
        let items = work_items(
            "sweep-1",
            &["111111111111".into(), "222222222222".into()],
            &["us-east-1".into(), "eu-west-1".into()],
        );
        assert_eq!(items.len(), 4);
        assert_eq!(items[1].key(), "111111111111_eu-west-1");
        let parsed = WorkItem::parse(&items[3].to_json()).unwrap();
        assert_eq!(parsed, items[3]);
        let bad = [
            "not json",
            r#"{"schema":"vpce-guard.work-item/v2","sweep_id":"s","account_id":"111111111111","region":"us-east-1"}"#,
            r#"{"schema":"vpce-guard.work-item/v1","sweep_id":"s","account_id":"1111","region":"us-east-1"}"#,
            r#"{"schema":"vpce-guard.work-item/v1","sweep_id":"s","account_id":"111111111111","region":"Mars"}"#,
            r#"{"schema":"vpce-guard.work-item/v1","sweep_id":"","account_id":"111111111111","region":"us-east-1"}"#,
        ];
        for body in bad {
            assert!(WorkItem::parse(body).is_err(), "{body}");
        }
    }

    #[test]
    fn final_attempt_follows_the_redrive_policy() {
        assert!(!is_final_attempt(1, 3));
        assert!(!is_final_attempt(2, 3));
        assert!(is_final_attempt(3, 3));
        assert!(is_final_attempt(4, 3));
    }

    #[test]
    fn counters_round_trip_and_report_adds_up() {
        let summary = RunSummary {
            vpcs_checked: 5,
            vpcs_compliant: 3,
            vpcs_drifted: 2,
            actions_applied: 4,
            api_calls: 17,
            throttled_requests: 2,
            monthly_cost_delta_usd: 43.8,
            ..RunSummary::default()
        };
        let counters = OrgCounters::from_summary(&summary);
        assert_eq!(counters.monthly_cost_delta_cents, 4380);
        let fields = counters.fields();
        let back = OrgCounters::from_fields(|name| {
            fields
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .unwrap_or(0)
        });
        assert_eq!(back, counters);
        let record = SweepRecord {
            sweep_id: "s".into(),
            items_total: 3,
            done: ["a", "b", "c"].into_iter().map(String::from).collect(),
            succeeded: 2,
            failures: vec![ItemFailure {
                account_id: "222222222222".into(),
                region: "eu-west-1".into(),
                error: "AccessDenied".into(),
            }],
            counters,
            accounts: vec!["111111111111".into(), "222222222222".into()],
            regions: vec!["us-east-1".into()],
            started_at: "t".into(),
        };
        assert!(record.is_complete());
        let report = OrgSweepReport::from_record(&record);
        assert_eq!(
            report.items_succeeded + report.items_failed,
            report.items_total
        );
        assert_eq!(report.accounts_failed, ["222222222222"]);
        assert_eq!(report.monthly_cost_delta_usd, 43.8);
        assert!(!SweepRecord::default().is_complete());
    }

    fn control_tower(state: &str) -> Value {
        json!({
            "source": "aws.controltower",
            "detail-type": "AWS Service Event via CloudTrail",
            "detail": {
                "eventName": "CreateManagedAccount",
                "serviceEventDetails": {"createManagedAccountStatus": {
                    "account": {"accountName": "team-a", "accountId": "210987654321"},
                    "state": state
                }}
            }
        })
    }

    #[test]
    fn vending_events_name_the_new_account() {
        let VendingTrigger::Baseline(req) =
            parse_vending_event(&control_tower("SUCCEEDED")).unwrap()
        else {
            panic!("expected a baseline request")
        };
        assert_eq!(req.account_id, "210987654321");
        assert_eq!(req.source, VendingSource::ControlTower);
        assert!(matches!(
            parse_vending_event(&control_tower("FAILED")).unwrap(),
            VendingTrigger::Ignored { .. }
        ));
        let orgs = json!({
            "source": "aws.organizations",
            "detail": {"eventName": "CreateAccountResult", "serviceEventDetails": {
                "createAccountStatus": {"state": "SUCCEEDED", "accountId": "210987654321"}}}
        });
        let VendingTrigger::Baseline(req) = parse_vending_event(&orgs).unwrap() else {
            panic!("expected a baseline request")
        };
        assert_eq!(req.source, VendingSource::Organizations);
        let direct = json!({"account_id": "210987654321", "regions": ["eu-west-1", "us-east-1", "eu-west-1"]});
        let VendingTrigger::Baseline(req) = parse_vending_event(&direct).unwrap() else {
            panic!("expected a baseline request")
        };
        assert_eq!(
            req.regions,
            Some(vec!["eu-west-1".to_string(), "us-east-1".to_string()])
        );
        assert_eq!(req.source, VendingSource::Direct);
        let other = json!({"source": "aws.ec2", "detail": {"eventName": "CreateVpc"}});
        assert!(matches!(
            parse_vending_event(&other).unwrap(),
            VendingTrigger::Ignored { .. }
        ));
    }

    #[test]
    fn bad_vending_input_gets_a_clear_error() {
        let cases = [
            json!([]),
            json!({"account_id": "12"}),
            json!({"account_id": "210987654321", "regions": ["moon-1"]}),
            json!({"account_id": "210987654321", "region": "us-east-1"}),
            json!({"hello": "world"}),
            json!({"source": "aws.controltower", "detail": {"eventName": "CreateManagedAccount"}}),
            json!({"source": "aws.organizations", "detail": {"eventName": "CreateAccountResult",
                "serviceEventDetails": {"createAccountStatus": {"state": "SUCCEEDED", "accountId": "x"}}}}),
        ];
        for case in cases {
            let err = parse_vending_event(&case);
            assert!(err.is_err(), "{case}: {err:?}");
        }
    }
}

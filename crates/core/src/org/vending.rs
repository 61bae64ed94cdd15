//! Account-vending events: a new account to baseline (Control Tower, Organizations, direct).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::EventError;
use crate::ids::{is_account_id, is_region_name};

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
    parse_vending_envelope(
        payload.get("source").and_then(Value::as_str),
        payload.get("detail"),
    )
}

/// What an EventBridge event from `source` with `detail` asks of account-baseline.
pub fn parse_vending_envelope(
    source: Option<&str>,
    detail: Option<&Value>,
) -> Result<VendingTrigger, EventError> {
    let source = source.ok_or_else(|| {
        EventError::Envelope(
            "neither an EventBridge event (no `source`) nor a direct {\"account_id\"} payload"
                .to_string(),
        )
    })?;
    let detail = detail.unwrap_or(&Value::Null);
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

/// A pipeline step's direct invocation of account-baseline.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectBaseline {
    pub account_id: String,
    #[serde(default)]
    pub regions: Option<Vec<String>>,
}

/// How a direct invocation's JSON must look, for error messages.
pub const DIRECT_BASELINE_SHAPE: &str =
    "{\"account_id\": \"123456789012\", \"regions\": [\"us-east-1\"]}";

fn parse_direct(payload: &Value) -> Result<VendingRequest, EventError> {
    let direct: DirectBaseline = serde_json::from_value(payload.clone()).map_err(|e| {
        EventError::Envelope(format!(
            "direct invocation expects {DIRECT_BASELINE_SHAPE}: {e}"
        ))
    })?;
    parse_direct_baseline(direct)
}

/// Checks a direct invocation: a 12-digit account and Region names (duplicates dropped; none
/// means the configured Regions).
pub fn parse_direct_baseline(direct: DirectBaseline) -> Result<VendingRequest, EventError> {
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

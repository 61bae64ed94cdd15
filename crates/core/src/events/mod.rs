//! Incoming EventBridge events, parsed into typed triggers: the EC2 calls that can break the
//! endpoint set, the deletions the guard's own resources blocked, and schedules. The resources a
//! record names are in [`refs`], who made the call in [`caller`].

mod caller;
mod refs;

pub use caller::{is_role_arn, session_issuer_arn, OwnRoles};
pub use refs::ResourceRefs;

use serde::Deserialize;
use serde_json::Value;

use crate::error::EventError;
use crate::time::is_rfc3339;

pub const CLOUDTRAIL_DETAIL_TYPE: &str = "AWS API Call via CloudTrail";
pub const SCHEDULED_DETAIL_TYPE: &str = "Scheduled Event";

/// EC2 API calls that can break the endpoint set, and so trigger a targeted guard run.
pub const HANDLED_EVENT_NAMES: &[&str] = &[
    "CreateVpc",
    "CreateSubnet",
    "CreateRouteTable",
    "AssociateRouteTable",
    "ReplaceRouteTableAssociation",
    "CreateRoute",
    "DeleteRoute",
    "ModifyVpcEndpoint",
    "DeleteVpcEndpoints",
    "AssociateVpcCidrBlock",
    "ModifyVpcAttribute",
    // A default route switched between NAT and internet gateway flips a table's privacy.
    "ReplaceRoute",
    // The subnet falls back to the main route table.
    "DisassociateRouteTable",
    // Someone else's endpoint: a duplicate (money) or a conflicting one.
    "CreateVpcEndpoint",
    // The guard's 443 rule for that block becomes unexpected.
    "DisassociateVpcCidrBlock",
    // Rule changes on the guard's security group.
    "AuthorizeSecurityGroupIngress",
    "RevokeSecurityGroupIngress",
    "ModifySecurityGroupRules",
];

/// Deletions that EC2 refuses while the guard's endpoints or group still use the resource:
/// handled only when they failed with [`DEPENDENCY_VIOLATION`] (teardown of a VPC or subnet).
pub const BLOCKED_DELETION_EVENT_NAMES: &[&str] = &["DeleteVpc", "DeleteSubnet"];

/// CloudTrail's `errorCode` of a call refused because other resources depend on the target.
pub const DEPENDENCY_VIOLATION: &str = "Client.DependencyViolation";

/// Largest event accepted; EventBridge caps events at 256 KiB.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

/// A CloudTrail-recorded EC2 call the guard reacts to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiCallEvent {
    pub event_name: String,
    pub account_id: String,
    pub region: String,
    pub refs: ResourceRefs,
    /// The role behind the caller's session (see [`session_issuer_arn`]); None for IAM users,
    /// the root user and AWS services.
    pub caller_role_arn: Option<String>,
    /// CloudTrail's `errorCode`: set only for a deletion the guard's resources blocked
    /// ([`BLOCKED_DELETION_EVENT_NAMES`] failing with [`DEPENDENCY_VIOLATION`]); other failed
    /// calls changed nothing and are ignored.
    pub error_code: Option<String>,
}

impl ApiCallEvent {
    /// A `DeleteVpc` or `DeleteSubnet` that EC2 refused because something still uses the VPC or
    /// subnet: the guard releases what it owns there instead of guarding it.
    pub fn is_blocked_deletion(&self) -> bool {
        self.error_code.is_some()
            && BLOCKED_DELETION_EVENT_NAMES.contains(&self.event_name.as_str())
    }
}

/// What an incoming event means for the guard.
#[derive(Debug, Clone, PartialEq, Eq)]
// One trigger is parsed per invocation and moved once: boxing the large variant buys nothing.
#[allow(clippy::large_enum_variant)]
pub enum Trigger {
    ApiCall(ApiCallEvent),
    Schedule {
        account_id: String,
        region: String,
    },
    /// Not for this function (other detail-type, other call, or a failed call): log and return.
    Ignored {
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CloudTrailDetail {
    event_name: Option<String>,
    event_source: Option<String>,
    error_code: Option<String>,
    aws_region: Option<String>,
    recipient_account_id: Option<String>,
    request_parameters: Option<Value>,
    response_elements: Option<Value>,
}

/// An EventBridge event's envelope: the fields the guard reads. The Lambda shell builds it from
/// `aws_lambda_events`' `CloudWatchEvent`; [`parse_event`] reads it from raw JSON.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct EventEnvelope {
    #[serde(default, rename = "detail-type")]
    pub detail_type: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default, rename = "account")]
    pub account_id: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    /// RFC 3339.
    pub time: String,
    /// EventBridge always sends the list (empty for CloudTrail events).
    pub resources: Vec<String>,
    #[serde(default)]
    pub detail: Option<Value>,
}

/// Parses any event the functions may receive, from raw JSON (the property tests, and any
/// caller without a typed envelope). Errors only for events of a handled kind that cannot be
/// understood; everything else is `Ignored`.
pub fn parse_event(event: &Value) -> Result<Trigger, EventError> {
    let size = serde_json::to_vec(event)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > MAX_EVENT_BYTES {
        return Err(EventError::Envelope(format!(
            "event is {size} bytes; EventBridge events are at most {MAX_EVENT_BYTES}"
        )));
    }
    let Some(object) = event.as_object() else {
        return Err(EventError::Envelope(format!(
            "expected a JSON object, got {}",
            json_kind(event)
        )));
    };
    let detail_type = object.get("detail-type").and_then(Value::as_str);
    let source = object.get("source").and_then(Value::as_str);
    if handled_kind(detail_type, source) {
        let envelope =
            EventEnvelope::deserialize(event).map_err(|e| EventError::Envelope(e.to_string()))?;
        return parse_envelope(&envelope);
    }
    parse_envelope(&EventEnvelope {
        detail_type: detail_type.map(str::to_string),
        source: source.map(str::to_string),
        ..EventEnvelope::default()
    })
}

/// Whether the guard acts on events of this detail-type and source.
fn handled_kind(detail_type: Option<&str>, source: Option<&str>) -> bool {
    matches!(
        (detail_type, source),
        (Some(CLOUDTRAIL_DETAIL_TYPE), Some("aws.ec2"))
            | (Some(SCHEDULED_DETAIL_TYPE), Some("aws.events"))
    )
}

/// What an EventBridge event means for the guard. Errors only for events of a handled kind
/// that cannot be understood; everything else is `Ignored`.
pub fn parse_envelope(envelope: &EventEnvelope) -> Result<Trigger, EventError> {
    let detail_type = envelope.detail_type.as_deref();
    let source = envelope.source.as_deref();
    if handled_kind(detail_type, source) {
        if !is_rfc3339(&envelope.time) {
            return Err(EventError::Envelope(format!(
                "`time` {:?} is not an RFC 3339 timestamp",
                envelope.time
            )));
        }
        let size = envelope
            .detail
            .as_ref()
            .and_then(|d| serde_json::to_vec(d).ok())
            .map_or(0, |v| v.len());
        if size > MAX_EVENT_BYTES {
            return Err(EventError::Envelope(format!(
                "event detail is {size} bytes; EventBridge events are at most {MAX_EVENT_BYTES}"
            )));
        }
    }
    match (detail_type, source) {
        (Some(CLOUDTRAIL_DETAIL_TYPE), Some("aws.ec2")) => parse_api_call(envelope),
        (Some(SCHEDULED_DETAIL_TYPE), Some("aws.events")) => Ok(Trigger::Schedule {
            account_id: required(envelope.account_id.clone(), "account")?,
            region: required(envelope.region.clone(), "region")?,
        }),
        (None, _) => Err(EventError::Envelope(
            "missing `detail-type`: not an EventBridge event".to_string(),
        )),
        (Some(other), source) => Ok(Trigger::Ignored {
            reason: format!(
                "detail-type {other:?} from {:?} is not handled",
                source.unwrap_or("<no source>")
            ),
        }),
    }
}

fn required(value: Option<String>, field: &str) -> Result<String, EventError> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| EventError::Envelope(format!("missing `{field}`")))
}

fn parse_api_call(envelope: &EventEnvelope) -> Result<Trigger, EventError> {
    let detail_value = envelope
        .detail
        .clone()
        .ok_or_else(|| EventError::Envelope("missing `detail`".to_string()))?;
    let caller_role_arn = session_issuer_arn(&detail_value);
    let detail: CloudTrailDetail =
        serde_json::from_value(detail_value).map_err(|e| EventError::Detail(e.to_string()))?;
    let event_name = detail.event_name.ok_or(EventError::MissingField {
        event_name: "<unknown>".to_string(),
        field: "eventName",
    })?;
    let error_code = detail.error_code.filter(|c| !c.is_empty());
    let blocked_deletion = BLOCKED_DELETION_EVENT_NAMES.contains(&event_name.as_str());
    match &error_code {
        Some(code) if !(blocked_deletion && code == DEPENDENCY_VIOLATION) => {
            return Ok(Trigger::Ignored {
                reason: format!("{event_name} failed with {code}; nothing changed"),
            });
        }
        None if blocked_deletion => {
            return Ok(Trigger::Ignored {
                reason: format!("{event_name} succeeded; nothing of the guard's was in the way"),
            });
        }
        _ => {}
    }
    if !blocked_deletion && !HANDLED_EVENT_NAMES.contains(&event_name.as_str()) {
        return Ok(Trigger::Ignored {
            reason: format!("{event_name} does not affect the endpoint set"),
        });
    }
    if detail
        .event_source
        .as_deref()
        .is_some_and(|s| s != "ec2.amazonaws.com")
    {
        return Ok(Trigger::Ignored {
            reason: format!("{event_name} came from a source other than ec2.amazonaws.com"),
        });
    }
    let Some(request) = detail.request_parameters.filter(|v| !v.is_null()) else {
        return Err(EventError::MissingField {
            event_name,
            field: "requestParameters",
        });
    };
    let mut refs = ResourceRefs::default();
    refs.collect(&request);
    if let Some(response) = &detail.response_elements {
        refs.collect(response);
    }
    if refs.is_empty() {
        return Err(EventError::NoResources { event_name });
    }
    let account_id = required(envelope.account_id.clone(), "account")
        .or_else(|_| required(detail.recipient_account_id, "detail.recipientAccountId"))?;
    let region = required(envelope.region.clone(), "region")
        .or_else(|_| required(detail.aws_region, "detail.awsRegion"))?;
    Ok(Trigger::ApiCall(ApiCallEvent {
        event_name,
        account_id,
        region,
        refs,
        caller_role_arn,
        error_code,
    }))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeSet;

    fn cloudtrail(name: &str, request: Value, response: Value) -> Value {
        json!({
            "version": "0", "id": "e1", "detail-type": CLOUDTRAIL_DETAIL_TYPE, "source": "aws.ec2",
            "account": "123456789012", "time": "2026-11-21T10:00:00Z", "region": "us-east-1",
            "resources": [],
            "detail": {"eventName": name, "eventSource": "ec2.amazonaws.com",
                       "requestParameters": request, "responseElements": response}
        })
    }

    fn api_call(event: &Value) -> ApiCallEvent {
        match parse_event(event).unwrap() {
            Trigger::ApiCall(call) => call,
            other => panic!("expected an API call, got {other:?}"),
        }
    }

    #[test]
    fn create_subnet_names_vpc_and_subnet() {
        let call = api_call(&cloudtrail(
            "CreateSubnet",
            json!({"vpcId": "vpc-0a1", "cidrBlock": "10.0.1.0/24"}),
            json!({"subnet": {"subnetId": "subnet-0b2", "vpcId": "vpc-0a1"}}),
        ));
        assert_eq!(call.event_name, "CreateSubnet");
        assert_eq!(call.refs.vpc_ids, BTreeSet::from(["vpc-0a1".to_string()]));
        assert_eq!(
            call.refs.subnet_ids,
            BTreeSet::from(["subnet-0b2".to_string()])
        );
        assert_eq!(call.account_id, "123456789012");
        assert_eq!(call.region, "us-east-1");
    }

    #[test]
    fn wrapped_endpoint_requests_yield_endpoint_and_route_table_ids() {
        let call = api_call(&cloudtrail(
            "ModifyVpcEndpoint",
            json!({"ModifyVpcEndpointRequest": {"VpcEndpointId": "vpce-0c3",
                   "RemoveRouteTableId": [{"tag": 1, "content": "rtb-0d4"}]}}),
            json!({"ModifyVpcEndpointResponse": {"return": true}}),
        ));
        assert!(call.refs.vpc_ids.is_empty());
        assert!(call.refs.endpoint_ids.contains("vpce-0c3"));
        assert!(call.refs.route_table_ids.contains("rtb-0d4"));
    }

    #[test]
    fn failed_calls_and_other_names_are_ignored() {
        let mut failed = cloudtrail("CreateSubnet", json!({"vpcId": "vpc-1"}), Value::Null);
        failed["detail"]["errorCode"] = json!("Client.InvalidSubnet.Range");
        assert!(matches!(
            parse_event(&failed).unwrap(),
            Trigger::Ignored { .. }
        ));
        let other = cloudtrail("RunInstances", json!({"subnetId": "subnet-1"}), Value::Null);
        assert!(matches!(
            parse_event(&other).unwrap(),
            Trigger::Ignored { .. }
        ));
        let state = json!({"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
                           "account": "1", "region": "r", "time": "2026-11-21T10:00:00Z", "resources": [], "detail": {}});
        assert!(matches!(
            parse_event(&state).unwrap(),
            Trigger::Ignored { .. }
        ));
    }

    #[test]
    fn only_deletions_blocked_by_dependencies_pass_as_failed_calls() {
        let mut blocked = cloudtrail("DeleteVpc", json!({"vpcId": "vpc-1"}), Value::Null);
        blocked["detail"]["errorCode"] = json!(DEPENDENCY_VIOLATION);
        let call = api_call(&blocked);
        assert!(call.is_blocked_deletion());
        assert_eq!(call.error_code.as_deref(), Some(DEPENDENCY_VIOLATION));
        assert!(call.refs.vpc_ids.contains("vpc-1"));

        let mut subnet = cloudtrail("DeleteSubnet", json!({"subnetId": "subnet-1"}), Value::Null);
        subnet["detail"]["errorCode"] = json!(DEPENDENCY_VIOLATION);
        assert!(api_call(&subnet).is_blocked_deletion());

        let mut other_error = blocked.clone();
        other_error["detail"]["errorCode"] = json!("Client.UnauthorizedOperation");
        assert!(matches!(
            parse_event(&other_error).unwrap(),
            Trigger::Ignored { .. }
        ));
        let succeeded = cloudtrail(
            "DeleteVpc",
            json!({"vpcId": "vpc-1"}),
            json!({"_return": true}),
        );
        assert!(matches!(
            parse_event(&succeeded).unwrap(),
            Trigger::Ignored { .. }
        ));
        let mut create_failed =
            cloudtrail("CreateVpcEndpoint", json!({"VpcId": "vpc-1"}), Value::Null);
        create_failed["detail"]["errorCode"] = json!(DEPENDENCY_VIOLATION);
        assert!(matches!(
            parse_event(&create_failed).unwrap(),
            Trigger::Ignored { .. }
        ));
    }

    #[test]
    fn the_callers_role_is_carried() {
        let mut event = cloudtrail(
            "ReplaceRoute",
            json!({"routeTableId": "rtb-1"}),
            json!({"_return": true}),
        );
        event["detail"]["userIdentity"] = json!({"type": "AssumedRole",
            "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::123456789012:role/x"}}});
        let call = api_call(&event);
        assert_eq!(
            call.caller_role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/x")
        );
        assert!(!call.is_blocked_deletion());
        assert!(call.refs.route_table_ids.contains("rtb-1"));
    }

    #[test]
    fn security_group_rule_calls_name_their_group() {
        let call = api_call(&cloudtrail(
            "AuthorizeSecurityGroupIngress",
            json!({"groupId": "sg-0a1", "ipPermissions": {"items": [{"ipProtocol": "tcp",
                   "fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
            json!({"_return": true, "securityGroupRuleSet": {"items": [{"groupId": "sg-0a1",
                   "securityGroupRuleId": "sgr-0b2"}]}}),
        ));
        assert_eq!(
            call.refs.security_group_ids,
            BTreeSet::from(["sg-0a1".to_string()])
        );
        assert!(call.refs.names_only_security_groups());
        let by_name = api_call(&cloudtrail(
            "AuthorizeSecurityGroupIngress",
            json!({"groupName": "default", "ipPermissions": {"items": []}}),
            json!({"_return": true}),
        ));
        assert_eq!(
            by_name.refs.security_group_names,
            BTreeSet::from(["default".to_string()])
        );
        let modify = api_call(&cloudtrail(
            "ModifySecurityGroupRules",
            json!({"ModifySecurityGroupRulesRequest": {"GroupId": "sg-0a1",
                   "SecurityGroupRule": {"SecurityGroupRuleId": "sgr-0b2", "tag": 1}}}),
            json!({"ModifySecurityGroupRulesResponse": {"return": true}}),
        ));
        assert!(modify.refs.security_group_ids.contains("sg-0a1"));
    }

    #[test]
    fn scheduled_event_parses() {
        let event = json!({"version": "0", "id": "1", "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": "2026-11-21T10:00:00Z", "region": "eu-west-1",
            "resources": ["arn:aws:events:eu-west-1:123456789012:rule/x"], "detail": {}});
        assert_eq!(
            parse_event(&event).unwrap(),
            Trigger::Schedule {
                account_id: "123456789012".into(),
                region: "eu-west-1".into()
            }
        );
    }

    #[test]
    fn malformed_events_of_handled_kinds_are_errors_not_panics() {
        let no_detail = json!({"detail-type": CLOUDTRAIL_DETAIL_TYPE, "source": "aws.ec2",
            "account": "1", "region": "r", "time": "2026-11-21T10:00:00Z", "resources": []});
        assert!(parse_event(&no_detail).is_err());
        let no_ids = cloudtrail("CreateVpc", json!({"cidrBlock": "10.0.0.0/16"}), json!({}));
        assert!(matches!(
            parse_event(&no_ids),
            Err(EventError::NoResources { .. })
        ));
        let no_request = cloudtrail("CreateVpc", Value::Null, json!({"vpc": {"vpcId": "vpc-1"}}));
        assert!(matches!(
            parse_event(&no_request),
            Err(EventError::MissingField {
                field: "requestParameters",
                ..
            })
        ));
        let mut bad_time = cloudtrail("CreateVpc", json!({"vpcId": "vpc-1"}), Value::Null);
        bad_time["time"] = json!(12);
        assert!(matches!(
            parse_event(&bad_time),
            Err(EventError::Envelope(_))
        ));
        let mut bad_name = cloudtrail("CreateVpc", json!({"vpcId": "vpc-1"}), Value::Null);
        bad_name["detail"]["eventName"] = json!(["CreateVpc"]);
        assert!(matches!(parse_event(&bad_name), Err(EventError::Detail(_))));
        assert!(parse_event(&json!("hello")).is_err());
        assert!(parse_event(&json!({})).is_err());
        let huge = json!({"detail-type": "x", "pad": "a".repeat(MAX_EVENT_BYTES)});
        assert!(parse_event(&huge).is_err());
    }
}

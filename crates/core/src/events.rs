//! Incoming EventBridge events, parsed into typed triggers.
//!
//! CloudTrail records of EC2 calls vary in shape (XML-derived `vpcId`, wrapped
//! `ModifyVpcEndpointRequest.VpcEndpointId.content`, single items vs lists), so resource ids are
//! collected by walking `requestParameters` and `responseElements` and recognising EC2 id prefixes.

use std::collections::BTreeSet;

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
];

/// Largest event accepted; EventBridge caps events at 256 KiB.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

/// Resource ids named by an event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceRefs {
    pub vpc_ids: BTreeSet<String>,
    pub subnet_ids: BTreeSet<String>,
    pub route_table_ids: BTreeSet<String>,
    pub association_ids: BTreeSet<String>,
    pub endpoint_ids: BTreeSet<String>,
}

impl ResourceRefs {
    pub fn is_empty(&self) -> bool {
        self.vpc_ids.is_empty()
            && self.subnet_ids.is_empty()
            && self.route_table_ids.is_empty()
            && self.association_ids.is_empty()
            && self.endpoint_ids.is_empty()
    }

    fn collect(&mut self, value: &Value) {
        match value {
            Value::String(text) => self.classify(text),
            Value::Array(items) => items.iter().for_each(|v| self.collect(v)),
            Value::Object(map) => map.values().for_each(|v| self.collect(v)),
            _ => {}
        }
    }

    fn classify(&mut self, text: &str) {
        let id = text.trim();
        let looks_like = |prefix: &str| {
            id.strip_prefix(prefix).is_some_and(|rest| {
                !rest.is_empty()
                    && rest.len() <= 32
                    && rest.chars().all(|c| c.is_ascii_alphanumeric())
            })
        };
        let set = if looks_like("vpc-") {
            &mut self.vpc_ids
        } else if looks_like("subnet-") {
            &mut self.subnet_ids
        } else if looks_like("rtb-") {
            &mut self.route_table_ids
        } else if looks_like("rtbassoc-") {
            &mut self.association_ids
        } else if looks_like("vpce-") {
            &mut self.endpoint_ids
        } else {
            return;
        };
        set.insert(id.to_string());
    }
}

/// A CloudTrail-recorded EC2 call the guard reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCallEvent {
    pub event_name: String,
    pub account_id: String,
    pub region: String,
    pub refs: ResourceRefs,
}

/// What an incoming event means for the guard.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// Parses any event the functions may receive. Errors only for events of a handled kind
/// that cannot be understood; everything else is `Ignored`.
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
    match (detail_type, source) {
        (Some(CLOUDTRAIL_DETAIL_TYPE), Some("aws.ec2")) => parse_api_call(event),
        (Some(SCHEDULED_DETAIL_TYPE), Some("aws.events")) => {
            let envelope = envelope(event)?;
            Ok(Trigger::Schedule {
                account_id: required(envelope.account_id, "account")?,
                region: required(envelope.region, "region")?,
            })
        }
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

/// The EventBridge envelope: the fields the guard reads, with EventBridge's own requirements
/// (`time` an RFC 3339 timestamp, `resources` a list).
#[derive(Deserialize)]
struct Envelope {
    #[serde(default, rename = "account")]
    account_id: Option<String>,
    #[serde(default)]
    region: Option<String>,
    time: String,
    #[allow(dead_code)] // required by the envelope's shape, not read
    resources: Vec<String>,
    #[serde(default)]
    detail: Option<Value>,
}

fn envelope(event: &Value) -> Result<Envelope, EventError> {
    let envelope: Envelope =
        Envelope::deserialize(event).map_err(|e| EventError::Envelope(e.to_string()))?;
    if !is_rfc3339(&envelope.time) {
        return Err(EventError::Envelope(format!(
            "`time` {:?} is not an RFC 3339 timestamp",
            envelope.time
        )));
    }
    Ok(envelope)
}

fn required(value: Option<String>, field: &str) -> Result<String, EventError> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| EventError::Envelope(format!("missing `{field}`")))
}

fn parse_api_call(event: &Value) -> Result<Trigger, EventError> {
    let envelope = envelope(event)?;
    let detail_value = envelope
        .detail
        .ok_or_else(|| EventError::Envelope("missing `detail`".to_string()))?;
    let detail: CloudTrailDetail =
        serde_json::from_value(detail_value).map_err(|e| EventError::Detail(e.to_string()))?;
    let event_name = detail.event_name.ok_or(EventError::MissingField {
        event_name: "<unknown>".to_string(),
        field: "eventName",
    })?;
    if let Some(code) = detail.error_code.filter(|c| !c.is_empty()) {
        return Ok(Trigger::Ignored {
            reason: format!("{event_name} failed with {code}; nothing changed"),
        });
    }
    if !HANDLED_EVENT_NAMES.contains(&event_name.as_str()) {
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
    let account_id = required(envelope.account_id, "account")
        .or_else(|_| required(detail.recipient_account_id, "detail.recipientAccountId"))?;
    let region = required(envelope.region, "region")
        .or_else(|_| required(detail.aws_region, "detail.awsRegion"))?;
    Ok(Trigger::ApiCall(ApiCallEvent {
        event_name,
        account_id,
        region,
        refs,
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
    fn prefixes_do_not_collide() {
        let mut refs = ResourceRefs::default();
        refs.collect(&json!([
            "vpce-1",
            "vpc-2",
            "rtbassoc-3",
            "rtb-4",
            "subnet-5",
            "sg-6",
            "vpc-",
            "vpc-x y"
        ]));
        assert_eq!(refs.endpoint_ids.len(), 1);
        assert_eq!(refs.vpc_ids, BTreeSet::from(["vpc-2".to_string()]));
        assert_eq!(refs.association_ids.len(), 1);
        assert_eq!(refs.route_table_ids.len(), 1);
        assert_eq!(refs.subnet_ids.len(), 1);
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

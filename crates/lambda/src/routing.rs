//! Which function an event is for, and the typed events they take: EventBridge events as
//! `aws_lambda_events`' `CloudWatchEvent`, account-baseline's direct or EventBridge invocation as
//! [`VendingInvocation`]. Each function handles its own kind and answers every other kind with
//! `{"ignored": true, "reason": ...}`, so a misrouted rule shows up in the logs.

use aws_lambda_events::event::cloudwatch_events::CloudWatchEvent;
use chrono::SecondsFormat;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};
use tracing::info;
use vpce_guard_core::error::EventError;
use vpce_guard_core::events::{parse_envelope, ApiCallEvent, EventEnvelope, Trigger};
use vpce_guard_core::notice::RunSummary;
use vpce_guard_core::org::{DirectBaseline, DIRECT_BASELINE_SHAPE};

/// Where an event goes: to this function, or back as `{"ignored": true, "reason"}`.
pub enum Routed<T> {
    Handle(T),
    Ignore(Value),
}

/// The answer to an event a function does not act on (logged with its reason).
pub fn ignored(reason: String) -> Value {
    info!(%reason, "event ignored");
    json!({ "ignored": true, "reason": reason })
}

/// A run summary as functions return it.
pub fn summary_json(summary: &RunSummary) -> Value {
    serde_json::to_value(summary).unwrap_or_else(|e| json!({ "error": e.to_string() }))
}

/// An EventBridge event's `time`, as RFC 3339 in UTC (`2025-03-14T12:00:00Z`).
pub fn event_time(event: &CloudWatchEvent) -> String {
    event.time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The envelope the core reads, from an EventBridge event.
pub fn envelope_of(event: &CloudWatchEvent) -> EventEnvelope {
    EventEnvelope {
        detail_type: event.detail_type.clone(),
        source: event.source.clone(),
        account_id: event.account_id.clone(),
        region: event.region.clone(),
        time: event_time(event),
        resources: event.resources.clone(),
        detail: event.detail.clone(),
    }
}

/// The EC2 call a network-events invocation is about; everything else is ignored with a reason.
pub fn api_call_of(event: &CloudWatchEvent) -> Result<Routed<ApiCallEvent>, EventError> {
    Ok(match parse_envelope(&envelope_of(event))? {
        Trigger::ApiCall(call) => Routed::Handle(call),
        Trigger::Schedule { .. } => Routed::Ignore(ignored(
            "scheduled events are handled by the compliance-sweep function".to_string(),
        )),
        Trigger::Ignored { reason } => Routed::Ignore(ignored(reason)),
    })
}

/// The account of a compliance-sweep invocation's schedule; everything else is ignored.
pub fn schedule_of(event: &CloudWatchEvent) -> Result<Routed<String>, EventError> {
    Ok(match parse_envelope(&envelope_of(event))? {
        Trigger::Schedule { account_id, .. } => Routed::Handle(account_id),
        Trigger::ApiCall(call) => Routed::Ignore(ignored(format!(
            "{} is handled by the network-events function",
            call.event_name
        ))),
        Trigger::Ignored { reason } => Routed::Ignore(ignored(reason)),
    })
}

/// What account-baseline is invoked with: a pipeline step's `{"account_id", "regions"}`, or a
/// Control Tower or AWS Organizations event. A payload that is neither is refused with a
/// message saying what each must look like.
#[derive(Debug, Clone, PartialEq)]
pub enum VendingInvocation {
    Direct(DirectBaseline),
    Event(Box<CloudWatchEvent>),
}

impl<'de> Deserialize<'de> for VendingInvocation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = Value::deserialize(deserializer)?;
        let Some(object) = value.as_object() else {
            return Err(D::Error::custom(format!(
                "expected a JSON object: an EventBridge event or {DIRECT_BASELINE_SHAPE}"
            )));
        };
        if object.contains_key("account_id") && !object.contains_key("detail") {
            return DirectBaseline::deserialize(value)
                .map(Self::Direct)
                .map_err(|e| {
                    D::Error::custom(format!(
                        "direct invocation expects {DIRECT_BASELINE_SHAPE}: {e}"
                    ))
                });
        }
        CloudWatchEvent::deserialize(value)
            .map(|event| Self::Event(Box::new(event)))
            .map_err(|e| {
                D::Error::custom(format!(
                    "neither an EventBridge event ({e}) nor a direct {DIRECT_BASELINE_SHAPE}"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_baseline_takes_a_direct_request_or_an_event_and_says_why_it_refuses_others() {
        let direct: VendingInvocation =
            serde_json::from_value(json!({"account_id": "210987654321", "regions": ["us-east-1"]}))
                .unwrap();
        assert!(matches!(direct, VendingInvocation::Direct(d) if d.account_id == "210987654321"));
        let event: VendingInvocation = serde_json::from_value(json!({
            "version": "0", "id": "e", "detail-type": "AWS Service Event via CloudTrail",
            "source": "aws.organizations", "account": "111111111111",
            "time": "2026-12-06T00:00:00Z", "region": "us-east-1", "resources": [],
            "detail": {"eventName": "CreateAccountResult"}
        }))
        .unwrap();
        assert!(
            matches!(event, VendingInvocation::Event(e) if e.source.as_deref() == Some("aws.organizations"))
        );
        for (bad, says) in [
            (json!([1]), "expected a JSON object"),
            (json!({"account_id": 42}), "direct invocation expects"),
            (json!({"account_id": "1", "extra": true}), "unknown field"),
            (
                json!({"source": "aws.organizations"}),
                "neither an EventBridge event",
            ),
        ] {
            let err = serde_json::from_value::<VendingInvocation>(bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{err}");
        }
    }

    #[test]
    fn the_envelope_keeps_eventbridge_time_in_utc() {
        let event: CloudWatchEvent = serde_json::from_value(json!({
            "detail-type": "Scheduled Event", "source": "aws.events", "account": "1",
            "time": "2025-03-14T00:04:00Z", "region": "us-east-1", "resources": [], "detail": {}
        }))
        .unwrap();
        assert_eq!(envelope_of(&event).time, "2025-03-14T00:04:00Z");
    }
}

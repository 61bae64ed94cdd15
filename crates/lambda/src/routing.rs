//! Which function an event is for: each function handles its own kind and answers every other
//! kind with `{"ignored": true, "reason": ...}`, so a misrouted rule shows up in the logs.

use serde_json::{json, Value};
use tracing::info;
use vpce_guard_core::error::EventError;
use vpce_guard_core::events::{parse_event, ApiCallEvent, Trigger};
use vpce_guard_core::notice::RunSummary;

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

/// The EC2 call a network-events invocation is about; everything else is ignored with a reason.
pub fn api_call_of(payload: &Value) -> Result<Routed<ApiCallEvent>, EventError> {
    Ok(match parse_event(payload)? {
        Trigger::ApiCall(call) => Routed::Handle(call),
        Trigger::Schedule { .. } => Routed::Ignore(ignored(
            "scheduled events are handled by the compliance-sweep function".to_string(),
        )),
        Trigger::Ignored { reason } => Routed::Ignore(ignored(reason)),
    })
}

/// The account of a compliance-sweep invocation's schedule; everything else is ignored.
pub fn schedule_of(payload: &Value) -> Result<Routed<String>, EventError> {
    Ok(match parse_event(payload)? {
        Trigger::Schedule { account_id, .. } => Routed::Handle(account_id),
        Trigger::ApiCall(call) => Routed::Ignore(ignored(format!(
            "{} is handled by the network-events function",
            call.event_name
        ))),
        Trigger::Ignored { reason } => Routed::Ignore(ignored(reason)),
    })
}

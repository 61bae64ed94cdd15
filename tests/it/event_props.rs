//! Property test: thousands of mutated versions of the real sample events never make the event
//! parser panic; each gets a defined outcome (a trigger, an ignore with a reason, or an error).

use proptest::prelude::*;
use serde_json::{json, Value};
use vpce_guard_core::events::{parse_event, Trigger};
use vpce_guard_core::org::{parse_vending_event, VendingTrigger};

fn samples() -> &'static [Value] {
    static SAMPLES: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    SAMPLES.get_or_init(load_samples)
}

fn load_samples() -> Vec<Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../events");
    let mut out: Vec<Value> = Vec::new();
    for entry in std::fs::read_dir(dir).expect("events dir") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) == Some("json") {
            let text = std::fs::read_to_string(&path).expect("read");
            out.push(serde_json::from_str(&text).expect("sample events are JSON"));
        }
    }
    out.sort_by_key(|v| v.to_string());
    assert!(out.len() >= 10, "samples: {}", out.len());
    out
}

/// Every (path, value) location in a document, so a mutation can target any of them.
fn paths(value: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                prefix.push(k.clone());
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                prefix.push(i.to_string());
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(value: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let mut here = value;
    for key in path {
        here = match here {
            Value::Object(map) => map.get_mut(key)?,
            Value::Array(items) => items.get_mut(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(here)
}

#[derive(Debug, Clone)]
enum Mutation {
    Remove,
    Replace(Value),
    Truncate(usize),
    Wrap,
}

fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        "[a-zA-Z0-9:/ ._-]{0,40}".prop_map(Value::String),
        Just(json!("vpc-")),
        Just(json!("vpce-0123abcd")),
        Just(json!({"errorCode": "Client.Unauthorized"})),
        Just(json!([])),
        Just(json!({})),
        (1usize..5000).prop_map(|n| Value::String("x".repeat(n))),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Remove),
        replacement().prop_map(Mutation::Replace),
        (0usize..20).prop_map(Mutation::Truncate),
        Just(Mutation::Wrap),
    ]
}

fn apply(mut doc: Value, choices: &[(usize, Mutation)]) -> Value {
    for (pick, m) in choices {
        let mut all = Vec::new();
        paths(&doc, &mut Vec::new(), &mut all);
        let path = all[pick % all.len()].clone();
        match m {
            Mutation::Remove => {
                if let Some((last, parent)) = path.split_last() {
                    match at(&mut doc, parent) {
                        Some(Value::Object(map)) => {
                            map.remove(last);
                        }
                        Some(Value::Array(items)) => {
                            if let Ok(i) = last.parse::<usize>() {
                                if i < items.len() {
                                    items.remove(i);
                                }
                            }
                        }
                        _ => {}
                    }
                } else {
                    doc = Value::Null;
                }
            }
            Mutation::Replace(v) => {
                if let Some(slot) = at(&mut doc, &path) {
                    *slot = v.clone();
                }
            }
            Mutation::Truncate(n) => {
                if let Some(Value::String(s)) = at(&mut doc, &path) {
                    let keep: String = s.chars().take(*n).collect();
                    *s = keep;
                }
            }
            Mutation::Wrap => {
                if let Some(slot) = at(&mut doc, &path) {
                    let inner = slot.take();
                    *slot = json!([inner]);
                }
            }
        }
    }
    doc
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_events_never_panic_and_always_get_a_defined_outcome(
        sample in 0usize..64,
        choices in prop::collection::vec((any::<usize>(), mutation()), 1..4),
    ) {
        let docs = samples();
        let doc = apply(docs[sample % docs.len()].clone(), &choices);
        match parse_event(&doc) {
            Ok(Trigger::ApiCall(call)) => {
                prop_assert!(!call.event_name.is_empty());
                prop_assert!(!call.refs.is_empty(), "an API call always names resources");
                prop_assert!(!call.account_id.is_empty() && !call.region.is_empty());
            }
            Ok(Trigger::Schedule { account_id, region }) => {
                prop_assert!(!account_id.is_empty() && !region.is_empty());
            }
            Ok(Trigger::Ignored { reason }) => prop_assert!(!reason.is_empty()),
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
        // The account-baseline function reads the same kinds of documents.
        match parse_vending_event(&doc) {
            Ok(VendingTrigger::Baseline(request)) => {
                prop_assert!(vpce_guard_core::ids::is_account_id(&request.account_id));
            }
            Ok(VendingTrigger::Ignored { reason }) => prop_assert!(!reason.is_empty()),
            Err(error) => prop_assert!(!error.to_string().is_empty()),
        }
    }

    #[test]
    fn arbitrary_json_text_never_panics_and_is_never_taken_for_a_trigger(text in ".{0,300}") {
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            // Random text is never an EventBridge envelope of a handled kind: it is refused
            // with a reason, or (an object with a foreign detail-type) ignored with one.
            match parse_event(&value) {
                Err(error) => prop_assert!(!error.to_string().is_empty()),
                Ok(Trigger::Ignored { reason }) => prop_assert!(!reason.is_empty()),
                Ok(other) => prop_assert!(false, "{text:?} parsed as {other:?}"),
            }
            if !value.is_object() {
                prop_assert!(parse_event(&value)
                    .is_err_and(|e| e.to_string().contains("expected a JSON object")));
            }
        }
    }
}

#[test]
fn unmutated_samples_parse_as_documented() {
    let mut vending = 0;
    for doc in samples() {
        if let Ok(VendingTrigger::Baseline(request)) = parse_vending_event(doc) {
            assert_eq!(request.account_id, "210987654321");
            vending += 1;
        }
        if doc.get("detail-type").is_none() {
            // A direct account-baseline payload or an SQS batch: not EventBridge events.
            assert!(parse_event(doc).is_err());
            continue;
        }
        let outcome = parse_event(doc);
        let name = doc["detail"]["eventName"]
            .as_str()
            .unwrap_or(doc["detail-type"].as_str().unwrap_or("?"))
            .to_string();
        match outcome {
            Ok(Trigger::ApiCall(call)) => assert_eq!(call.event_name, name),
            Ok(Trigger::Schedule { .. }) => assert_eq!(doc["detail-type"], "Scheduled Event"),
            Ok(Trigger::Ignored { reason }) => {
                assert!(
                    doc["detail"]["errorCode"].is_string()
                        || doc["detail-type"] != "AWS API Call via CloudTrail",
                    "{name}: {reason}"
                )
            }
            Err(e) => panic!("sample {name} should parse: {e}"),
        }
    }
    assert_eq!(
        vending, 3,
        "Control Tower, Organizations and direct samples"
    );
}

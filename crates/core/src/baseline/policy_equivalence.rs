//! Whether an endpoint's policy is the one the baseline wants, compared the way IAM reads
//! policies rather than as text, so a policy EC2 hands back reordered is not drift.
//!
//! Counted as the same:
//! - object keys in any order (JSON objects are maps);
//! - `Statement` as a list in any order, duplicates counted (a multiset), and a single
//!   statement object the same as a one-element list;
//! - in a statement, `Action`, `NotAction`, `Resource` and `NotResource`, each value of a
//!   `Principal`/`NotPrincipal` object, and each condition key's values: a single string the
//!   same as a one-element list, and lists compared as sets (IAM matches any of them).
//!
//! Everything else must be equal as JSON: a different action, resource, effect or condition is
//! a different policy.

use serde_json::{Map, Value};

/// `true` when `a` and `b` are the same policy in the sense above.
pub fn policies_equivalent(a: &Value, b: &Value) -> bool {
    canonical_policy(a) == canonical_policy(b)
}

/// The policy with its statements and their lists in one canonical order.
fn canonical_policy(policy: &Value) -> Value {
    let Value::Object(map) = policy else {
        return policy.clone();
    };
    let out: Map<String, Value> = map
        .iter()
        .map(|(key, value)| {
            let value = if key == "Statement" {
                canonical_statements(value)
            } else {
                value.clone()
            };
            (key.clone(), value)
        })
        .collect();
    Value::Object(out)
}

/// Statements as a sorted list (a multiset: duplicates kept).
fn canonical_statements(statements: &Value) -> Value {
    let list: Vec<&Value> = match statements {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let mut canonical: Vec<Value> = list.into_iter().map(canonical_statement).collect();
    canonical.sort_by_cached_key(Value::to_string);
    Value::Array(canonical)
}

fn canonical_statement(statement: &Value) -> Value {
    let Value::Object(map) = statement else {
        return statement.clone();
    };
    let out: Map<String, Value> = map
        .iter()
        .map(|(key, value)| {
            let value = match key.as_str() {
                "Action" | "NotAction" | "Resource" | "NotResource" => as_set(value),
                "Principal" | "NotPrincipal" => map_values(value, as_set),
                "Condition" => map_values(value, |keys| map_values(keys, as_set)),
                _ => value.clone(),
            };
            (key.clone(), value)
        })
        .collect();
    Value::Object(out)
}

/// An object with `f` applied to each value; anything else as it is (`"Principal": "*"`).
fn map_values(value: &Value, f: impl Fn(&Value) -> Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), f(v))).collect()),
        other => other.clone(),
    }
}

/// A string or a list of values as a sorted list without duplicates.
fn as_set(value: &Value) -> Value {
    let mut items: Vec<Value> = match value {
        Value::Array(items) => items.clone(),
        Value::String(_) => vec![value.clone()],
        other => return other.clone(),
    };
    items.sort_by_cached_key(Value::to_string);
    items.dedup();
    Value::Array(items)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn statement(sid: &str, action: Value) -> Value {
        json!({"Sid": sid, "Effect": "Allow", "Principal": "*", "Action": action, "Resource": "*"})
    }

    #[test]
    fn reordered_statements_and_keys_are_the_same_policy() {
        let a = json!({
            "Version": "2012-10-17",
            "Statement": [statement("A", json!("s3:GetObject")), statement("B", json!("s3:PutObject"))]
        });
        let b: Value = serde_json::from_str(
            r#"{"Statement":[
                {"Resource":"*","Action":"s3:PutObject","Principal":"*","Effect":"Allow","Sid":"B"},
                {"Effect":"Allow","Sid":"A","Action":"s3:GetObject","Resource":"*","Principal":"*"}
            ],"Version":"2012-10-17"}"#,
        )
        .unwrap();
        assert!(policies_equivalent(&a, &b));
    }

    #[test]
    fn single_strings_equal_one_element_lists_and_lists_are_sets() {
        let a = json!({"Statement": statement("A", json!("s3:GetObject"))});
        let b = json!({"Statement": [statement("A", json!(["s3:GetObject"]))]});
        assert!(policies_equivalent(&a, &b));
        let c = json!({"Statement": [{
            "Action": ["s3:PutObject", "s3:GetObject"],
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-2", "o-1"]}}
        }]});
        let d = json!({"Statement": [{
            "Action": ["s3:GetObject", "s3:PutObject", "s3:GetObject"],
            "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]},
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-1", "o-2"]}}
        }]});
        assert!(policies_equivalent(&c, &d));
    }

    #[test]
    fn different_actions_effects_or_conditions_are_different_policies() {
        let base = json!({"Statement": [statement("A", json!("s3:GetObject"))]});
        let other_action = json!({"Statement": [statement("A", json!("s3:*"))]});
        assert!(!policies_equivalent(&base, &other_action));
        let mut deny = base.clone();
        deny["Statement"][0]["Effect"] = json!("Deny");
        assert!(!policies_equivalent(&base, &deny));
        let more_actions =
            json!({"Statement": [statement("A", json!(["s3:GetObject", "s3:PutObject"]))]});
        assert!(!policies_equivalent(&base, &more_actions));
        let org = |id: &str| json!({"Statement": [{"Condition": {"StringEquals": {"aws:PrincipalOrgID": id}}}]});
        assert!(!policies_equivalent(&org("o-1"), &org("o-2")));
    }

    #[test]
    fn statements_are_a_multiset_not_a_set() {
        let one = json!({"Statement": [statement("A", json!("s3:GetObject"))]});
        let twice = json!({"Statement": [
            statement("A", json!("s3:GetObject")),
            statement("A", json!("s3:GetObject"))
        ]});
        assert!(!policies_equivalent(&one, &twice));
        let missing_version =
            json!({"Statement": [statement("A", json!("s3:GetObject"))], "Version": "2012-10-17"});
        assert!(!policies_equivalent(&one, &missing_version));
    }
}

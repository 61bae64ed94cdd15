//! Placeholders in endpoint policies: `${org_id}`, `${account_id}`, `${region}` and
//! `${partition}`, filled in per account and region when the baseline is resolved, so one
//! `GUARD_BASELINE` serves a whole organization.
//!
//! IAM's own policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${*}`, `${?}`,
//! `${$}`) are IAM's to evaluate: they are left as written, never reported as unknown.

use serde_json::{Map, Value};

use crate::error::PolicyError;

/// The placeholders a baseline policy may use.
pub const PLACEHOLDERS: &[&str] = &["org_id", "account_id", "region", "partition"];

/// The values of the placeholders for one account and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyVariables {
    /// The organization's id (`o-…`); None when the account is in no organization or the
    /// deployment does not know it. A policy using `${org_id}` then cannot be resolved.
    pub org_id: Option<String>,
    pub account_id: String,
    pub region: String,
    /// `aws`, `aws-cn`, `aws-us-gov`: from the caller's identity, for ARNs.
    pub partition: String,
}

impl PolicyVariables {
    /// The variables of `account_id` in `region` of `partition`, with no organization id.
    pub fn new(
        account_id: impl Into<String>,
        region: impl Into<String>,
        partition: impl Into<String>,
    ) -> Self {
        Self {
            org_id: None,
            account_id: account_id.into(),
            region: region.into(),
            partition: partition.into(),
        }
    }

    /// The same variables with the organization's id.
    pub fn with_org_id(self, org_id: impl Into<String>) -> Self {
        Self {
            org_id: Some(org_id.into()),
            ..self
        }
    }

    /// The value of placeholder `name`.
    fn value_of(&self, name: &str) -> Result<String, PolicyError> {
        match name {
            "org_id" => self.org_id.clone().ok_or(PolicyError::MissingOrgId),
            "account_id" => Ok(self.account_id.clone()),
            "region" => Ok(self.region.clone()),
            "partition" => Ok(self.partition.clone()),
            other => Err(PolicyError::UnknownPlaceholder {
                name: other.to_string(),
            }),
        }
    }
}

/// The partition a region belongs to, for callers that know only the region.
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// The placeholders `policy` uses (keys and string values, at any depth), each once, in the
/// order met walking the policy (object keys sorted); an unknown or unclosed one is an error.
pub fn placeholders_in(policy: &Value) -> Result<Vec<String>, PolicyError> {
    let mut found: Vec<String> = Vec::new();
    map_strings(policy, &mut |text| {
        expand(text, &mut |name| {
            if !PLACEHOLDERS.contains(&name) {
                return Err(PolicyError::UnknownPlaceholder {
                    name: name.to_string(),
                });
            }
            if !found.iter().any(|f| f == name) {
                found.push(name.to_string());
            }
            Ok(format!("${{{name}}}"))
        })
    })?;
    Ok(found)
}

/// `policy` with every placeholder replaced by its value. Values go into JSON strings, never
/// into JSON text, so no value can change the policy's structure.
pub fn substitute(policy: &Value, vars: &PolicyVariables) -> Result<Value, PolicyError> {
    map_strings(policy, &mut |text| {
        expand(text, &mut |name| vars.value_of(name))
    })
}

/// `value` with `f` applied to every string in it, object keys included.
fn map_strings(
    value: &Value,
    f: &mut dyn FnMut(&str) -> Result<String, PolicyError>,
) -> Result<Value, PolicyError> {
    Ok(match value {
        Value::String(text) => Value::String(f(text)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| map_strings(item, f))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map {
                out.insert(f(key)?, map_strings(item, f)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// `text` with each of our `${name}` replaced by `each(name)`; IAM policy variables are kept.
fn expand(
    text: &str,
    each: &mut dyn FnMut(&str) -> Result<String, PolicyError>,
) -> Result<String, PolicyError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(PolicyError::UnclosedPlaceholder {
                text: rest[start..].to_string(),
            });
        };
        let name = &after[..end];
        if is_iam_variable(name) {
            out.push_str(&rest[start..start + 2 + end + 1]);
        } else {
            out.push_str(&each(name)?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// IAM policy variables have a `service:` prefix, or are one of IAM's special characters.
fn is_iam_variable(name: &str) -> bool {
    name.contains(':') || matches!(name, "*" | "?" | "$")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vars() -> PolicyVariables {
        PolicyVariables::new("111122223333", "eu-west-1", "aws")
    }

    #[test]
    fn placeholders_are_substituted_in_keys_and_values_at_any_depth() {
        let policy = json!({
            "Statement": [{
                "Resource": ["arn:${partition}:s3:::logs-${account_id}-${region}/*"],
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "${org_id}"}},
                "x-${region}": 1
            }]
        });
        let done = substitute(&policy, &vars().with_org_id("o-abc123defg")).unwrap();
        assert_eq!(
            done,
            json!({
                "Statement": [{
                    "Resource": ["arn:aws:s3:::logs-111122223333-eu-west-1/*"],
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123defg"}},
                    "x-eu-west-1": 1
                }]
            })
        );
        assert_eq!(
            placeholders_in(&policy).unwrap(),
            ["org_id", "partition", "account_id", "region"]
        );
    }

    #[test]
    fn a_missing_org_id_is_an_error_not_a_literal() {
        let policy = json!({"Condition": {"StringEquals": {"aws:PrincipalOrgID": "${org_id}"}}});
        assert_eq!(substitute(&policy, &vars()), Err(PolicyError::MissingOrgId));
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_errors() {
        let unknown = json!({"Resource": "arn:aws:s3:::${bucket}/*"});
        assert_eq!(
            placeholders_in(&unknown),
            Err(PolicyError::UnknownPlaceholder {
                name: "bucket".into()
            })
        );
        assert!(matches!(
            substitute(&unknown, &vars()),
            Err(PolicyError::UnknownPlaceholder { .. })
        ));
        let unclosed = json!({"Resource": "arn:aws:s3:::${region/*"});
        assert!(matches!(
            placeholders_in(&unclosed),
            Err(PolicyError::UnclosedPlaceholder { .. })
        ));
    }

    #[test]
    fn iam_policy_variables_are_left_alone() {
        let policy = json!({"Resource": "arn:aws:s3:::home/${aws:username}/${*}-${region}"});
        assert_eq!(placeholders_in(&policy).unwrap(), ["region"]);
        assert_eq!(
            substitute(&policy, &vars()).unwrap(),
            json!({"Resource": "arn:aws:s3:::home/${aws:username}/${*}-eu-west-1"})
        );
    }

    #[test]
    fn values_cannot_break_out_of_their_string() {
        let mut odd = vars();
        odd.account_id = "\"}],\"x\":\"".into();
        let done = substitute(&json!({"a": "${account_id}"}), &odd).unwrap();
        assert_eq!(done["a"], Value::String("\"}],\"x\":\"".into()));
        assert_eq!(done.as_object().map(Map::len), Some(1));
    }

    #[test]
    fn partitions_follow_the_region_prefix() {
        assert_eq!(partition_of("us-east-1"), "aws");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of("us-iso-east-1"), "aws-iso");
        assert_eq!(partition_of("us-isob-east-1"), "aws-iso-b");
    }
}

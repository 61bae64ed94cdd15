//! The rules a baseline document must meet, checked at parse time so a bad deployment fails at
//! cold start rather than at EC2's first create call.

use serde_json::Value;

use super::{short_name, BaselineDocument, EndpointType, NatTrafficSource, PolicyTemplate};
use crate::cost::PricingOverrides;
use crate::error::{BaselineError, PolicyError};

/// EC2 caps an endpoint policy at 20,480 characters.
pub const MAX_POLICY_CHARS: usize = 20_480;

impl BaselineDocument {
    /// Checks every rule EC2 would otherwise reject at create time.
    pub fn validate(&self) -> Result<(), BaselineError> {
        if self.services.is_empty() {
            return Err(BaselineError::Empty);
        }
        self.validate_pricing()?;
        if let Some(nat) = &self.nat_traffic {
            validate_nat_traffic(nat)?;
        }
        self.validate_services()
    }

    /// Prices (global, then per region) must be non-negative numbers.
    fn validate_pricing(&self) -> Result<(), BaselineError> {
        if let Some(name) = self
            .pricing
            .as_ref()
            .and_then(PricingOverrides::invalid_field)
        {
            return Err(BaselineError::Field {
                field: format!("pricing.{name}"),
                reason: "must be a non-negative number".to_string(),
            });
        }
        for (region, overrides) in &self.pricing_by_region {
            if let Some(name) = overrides.invalid_field() {
                return Err(BaselineError::Field {
                    field: format!("pricing_by_region.{region}.{name}"),
                    reason: "must be a non-negative number".to_string(),
                });
            }
        }
        Ok(())
    }

    /// Each entry in order: a valid, unique name; gateways only for S3 and DynamoDB and without
    /// `private_dns`; a policy that is a JSON object EC2 accepts, or known presets, with known
    /// placeholders.
    fn validate_services(&self) -> Result<(), BaselineError> {
        let mut seen: Vec<(String, EndpointType)> = Vec::new();
        for (index, entry) in self.services.iter().enumerate() {
            let short = short_name(&entry.service);
            if short.is_empty() {
                return Err(BaselineError::EmptyName { index });
            }
            if let Some(reason) = invalid_name_reason(&entry.service) {
                return Err(BaselineError::BadName {
                    index,
                    name: entry.service.clone(),
                    reason,
                });
            }
            if seen
                .iter()
                .any(|(s, t)| s == short && *t == entry.endpoint_type)
            {
                return Err(BaselineError::Duplicate {
                    index,
                    name: entry.service.clone(),
                });
            }
            seen.push((short.to_string(), entry.endpoint_type));
            if entry.endpoint_type == EndpointType::Gateway {
                if !matches!(short, "s3" | "dynamodb") {
                    return Err(BaselineError::GatewayNotOffered {
                        index,
                        name: entry.service.clone(),
                    });
                }
                if entry.private_dns.is_some() {
                    return Err(BaselineError::PrivateDnsOnGateway { index });
                }
            }
            if let Some(policy) = &entry.policy {
                validate_policy(index, policy)?;
            }
        }
        Ok(())
    }
}

/// A policy in one of the accepted forms (`policy_templates`), within EC2's cap as written; the
/// cap is checked again once placeholders are filled, at resolve time.
fn validate_policy(index: usize, policy: &Value) -> Result<(), BaselineError> {
    let template = PolicyTemplate::parse(policy).map_err(|reason| match reason {
        PolicyError::Json(reason) => BaselineError::Policy { index, reason },
        reason => BaselineError::PolicyTemplate { index, reason },
    })?;
    let len = template.unfilled().to_string().chars().count();
    if len > MAX_POLICY_CHARS {
        return Err(BaselineError::PolicyTooLong { index, len });
    }
    Ok(())
}

/// Traffic shares are fractions; the figure's tag key must be one EC2 accepts.
fn validate_nat_traffic(nat: &NatTrafficSource) -> Result<(), BaselineError> {
    for (name, share) in [
        ("aws_share", nat.aws_share),
        ("gateway_share", nat.gateway_share),
    ] {
        if !(0.0..=1.0).contains(&share) {
            return Err(BaselineError::Field {
                field: format!("nat_traffic.{name}"),
                reason: "must be between 0 and 1".to_string(),
            });
        }
    }
    if nat.tag_key.trim().is_empty() || nat.tag_key.len() > 128 {
        return Err(BaselineError::Field {
            field: "nat_traffic.tag_key".to_string(),
            reason: "must be a tag key of 1 to 128 characters".to_string(),
        });
    }
    Ok(())
}

/// Why `service` is not a valid endpoint service name, if it is not.
fn invalid_name_reason(service: &str) -> Option<&'static str> {
    let short = short_name(service);
    if short
        .chars()
        .any(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'))
    {
        return Some("only lowercase letters, digits, '.' and '-' are allowed");
    }
    if short.starts_with('.') || short.ends_with('.') {
        return Some("must not start or end with '.'");
    }
    None
}

/// Accepts a policy as a JSON object or a string holding one; returns the object.
pub fn normalize_policy(policy: &Value) -> Result<Value, String> {
    let value = match policy {
        Value::String(text) => serde_json::from_str::<Value>(text).map_err(|e| e.to_string())?,
        other => other.clone(),
    };
    if !value.is_object() {
        return Err("the policy must be a JSON object".to_string());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_bad_field() {
        let cases = [
            ("not json", "not valid JSON"),
            ("[]", "at least one service"),
            (r#"{"servics":[]}"#, "`servics`"),
            (r#"[{"service":"s3","type":"Gatewy"}]"#, "services[0]"),
            (
                r#"[{"service":"s3","type":"Gateway","colour":"red"}]"#,
                "colour",
            ),
            (
                r#"[{"service":"logs","type":"Gateway"}]"#,
                "services[0].type",
            ),
            (
                r#"[{"service":"s3","type":"Gateway"},{"service":"s3","type":"Gateway"}]"#,
                "services[1].service",
            ),
            (
                r#"[{"service":"s3","type":"Gateway","private_dns":true}]"#,
                "services[0].private_dns",
            ),
            (
                r#"[{"service":"logs","type":"Interface","policy":"[1]"}]"#,
                "services[0].policy",
            ),
            (
                r#"[{"service":"logs","type":"Interface","policy":"{oops"}]"#,
                "services[0].policy",
            ),
            (
                r#"[{"service":"Logs!","type":"Interface"}]"#,
                "services[0].service",
            ),
            (
                r#"[{"service":"","type":"Interface"}]"#,
                "services[0].service",
            ),
            (r#"{"services":{}}"#, "must be a list"),
        ];
        for (input, expected) in cases {
            let err = BaselineDocument::parse(input).expect_err(input).to_string();
            assert!(err.contains(expected), "{input}: {err} lacks {expected}");
        }
    }

    #[test]
    fn oversized_policy_is_rejected() {
        let big = "x".repeat(MAX_POLICY_CHARS);
        let text = format!(
            r#"[{{"service":"logs","type":"Interface","policy":{{"Statement":[{{"Sid":"{big}"}}]}}}}]"#
        );
        let err = BaselineDocument::parse(&text).unwrap_err();
        assert!(matches!(err, BaselineError::PolicyTooLong { index: 0, .. }));
    }

    #[test]
    fn preset_policies_and_placeholders_are_accepted() {
        let doc = BaselineDocument::parse(
            r#"[{"service":"s3","type":"Gateway","policy":["org-only","ecr-image-layers"]},
                {"service":"logs","type":"Interface","policy":"org-only"},
                {"service":"sqs","type":"Interface","policy":{"Statement":[{"Resource":"arn:${partition}:sqs:${region}:${account_id}:*"}]}}]"#,
        )
        .unwrap();
        assert_eq!(
            doc.services[0].policy,
            Some(serde_json::json!(["org-only", "ecr-image-layers"]))
        );
    }

    #[test]
    fn unknown_presets_and_placeholders_name_the_policy_field() {
        let cases = [
            (
                r#"[{"service":"s3","type":"Gateway"},{"service":"logs","type":"Interface","policy":"org-onyl"}]"#,
                "org-onyl",
            ),
            (
                r#"[{"service":"logs","type":"Interface","policy":{"Statement":[{"Resource":"${bucket}"}]}}]"#,
                "${bucket}",
            ),
            (
                r#"[{"service":"logs","type":"Interface","policy":["org-only","org-only"]}]"#,
                "twice",
            ),
        ];
        for (index, (input, expected)) in cases.into_iter().enumerate() {
            let err = BaselineDocument::parse(input).expect_err(input);
            assert!(
                matches!(err, BaselineError::PolicyTemplate { index: i, .. } if i == usize::from(index == 0)),
                "{input}: {err:?}"
            );
            let text = err.to_string();
            assert!(text.contains(".policy` "), "{text}");
            assert!(text.contains(expected), "{text} lacks {expected}");
        }
    }

    #[test]
    fn policy_string_and_object_normalize_to_the_same_value() {
        let a = normalize_policy(&Value::String(r#"{"b":1,"a":2}"#.into())).unwrap();
        let b = normalize_policy(&serde_json::json!({"a":2,"b":1})).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn bad_pricing_and_shares_name_the_field() {
        let cases = [
            (
                r#"{"services":[{"service":"s3","type":"Gateway"}],"pricing":{"nat_gateway_hour":-1}}"#,
                "pricing.nat_gateway_hour",
            ),
            (
                r#"{"services":[{"service":"s3","type":"Gateway"}],"pricing":{"nat_hour":1}}"#,
                "pricing",
            ),
            (
                r#"{"services":[{"service":"s3","type":"Gateway"}],"nat_traffic":{"aws_share":2}}"#,
                "nat_traffic.aws_share",
            ),
            (
                r#"{"services":[{"service":"s3","type":"Gateway"}],"interface_endpoints":"sometimes"}"#,
                "interface_endpoints",
            ),
            (
                r#"{"services":[{"service":"s3","type":"Gateway"}],"pricing_by_region":{"x":{"nat_gateway_per_gb":-3}}}"#,
                "pricing_by_region.x.nat_gateway_per_gb",
            ),
        ];
        for (input, field) in cases {
            let err = BaselineDocument::parse(input).unwrap_err().to_string();
            assert!(err.contains(field), "{input}: {err}");
        }
    }
}

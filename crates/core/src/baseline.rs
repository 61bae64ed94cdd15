//! The desired state: which endpoint services every VPC must have, and how.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use std::collections::BTreeMap;

use crate::cost::{Pricing, PricingOverrides};
use crate::error::BaselineError;

/// EC2 caps an endpoint policy at 20,480 characters.
pub const MAX_POLICY_CHARS: usize = 20_480;

/// Whether an endpoint is a route-table (gateway) endpoint or an ENI (interface) endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EndpointType {
    Gateway,
    Interface,
}

impl EndpointType {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointType::Gateway => "Gateway",
            EndpointType::Interface => "Interface",
        }
    }
}

/// One service of the baseline, with its full regional name already resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSpec {
    /// Full service name, e.g. `com.amazonaws.us-east-1.ecr.api`.
    pub service_name: String,
    /// Short name used in logs and subjects, e.g. `ecr.api`.
    pub short_name: String,
    pub endpoint_type: EndpointType,
    /// Interface endpoints only: whether private DNS must be enabled.
    pub private_dns: bool,
    /// Endpoint policy the endpoint must carry, when the baseline gives one (compact JSON).
    pub policy: Option<Value>,
}

/// The desired endpoint set for one region. Gateway services come first (S3 first of all),
/// because an S3 interface endpoint's DNS options depend on the S3 gateway existing.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub region: String,
    pub services: Vec<ServiceSpec>,
    /// Prices for this region (defaults, then `pricing`, then `pricing_by_region`).
    pub pricing: Pricing,
    pub interface_endpoints: InterfacePolicy,
    pub nat_traffic: NatTrafficSource,
}

/// Whether interface endpoints are always created or only where they pay for themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterfacePolicy {
    #[default]
    Always,
    /// Create interface endpoints only in VPCs whose NAT traffic figure shows they save money;
    /// gateway endpoints (free) are always created. VPCs without a figure get them as usual.
    WhenCostEffective,
}

/// Where a VPC's NAT traffic figure comes from, and the traffic shares assumed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NatTrafficSource {
    /// VPC tag holding the NAT traffic in GB per month.
    pub tag_key: String,
    /// Part of NAT traffic bound for the AWS services the endpoints serve.
    pub aws_share: f64,
    /// Part of that AWS-service traffic bound for S3/DynamoDB (gateway endpoints).
    pub gateway_share: f64,
}

impl Default for NatTrafficSource {
    fn default() -> Self {
        Self {
            tag_key: "vpce-guard:nat-gb-per-month".to_string(),
            aws_share: 0.5,
            gateway_share: 0.0,
        }
    }
}

/// The baseline as written by an operator: short names, no region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineDocument {
    pub services: Vec<ServiceEntry>,
    #[serde(default)]
    pub interface_endpoints: InterfacePolicy,
    /// Price overrides for every region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing: Option<PricingOverrides>,
    /// Price overrides per region, applied after `pricing`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pricing_by_region: BTreeMap<String, PricingOverrides>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat_traffic: Option<NatTrafficSource>,
}

/// Top-level fields a baseline document may have.
pub const DOCUMENT_FIELDS: &[&str] = &[
    "services",
    "interface_endpoints",
    "pricing",
    "pricing_by_region",
    "nat_traffic",
];

/// One service entry of `GUARD_BASELINE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceEntry {
    /// Short name (`ecr.api`) or full name (`com.amazonaws.us-east-1.ecr.api`; `{region}` is substituted).
    pub service: String,
    #[serde(rename = "type")]
    pub endpoint_type: EndpointType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_dns: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
}

impl BaselineDocument {
    /// The standard set: S3 and DynamoDB gateways; ECR API, ECR Docker and CloudWatch Logs interfaces.
    pub fn standard() -> Self {
        let entry = |service: &str, endpoint_type| ServiceEntry {
            service: service.to_string(),
            endpoint_type,
            private_dns: None,
            policy: None,
        };
        Self {
            services: vec![
                entry("s3", EndpointType::Gateway),
                entry("dynamodb", EndpointType::Gateway),
                entry("ecr.api", EndpointType::Interface),
                entry("ecr.dkr", EndpointType::Interface),
                entry("logs", EndpointType::Interface),
            ],
            interface_endpoints: InterfacePolicy::Always,
            pricing: None,
            pricing_by_region: BTreeMap::new(),
            nat_traffic: None,
        }
    }

    /// Parses `GUARD_BASELINE`: either `{"services": [...]}` or a bare list of services.
    pub fn parse(text: &str) -> Result<Self, BaselineError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| BaselineError::Parse(e.to_string()))?;
        // Parse entry by entry so an error names the index of the bad service.
        let (entries, rest) = match value {
            Value::Array(items) => (items, serde_json::Map::new()),
            Value::Object(mut map) => {
                if let Some(unknown) = map.keys().find(|k| !DOCUMENT_FIELDS.contains(&k.as_str())) {
                    return Err(BaselineError::Parse(format!(
                        "unknown top-level field `{unknown}` (expected one of {})",
                        DOCUMENT_FIELDS.join(", ")
                    )));
                }
                match map.remove("services") {
                    Some(Value::Array(items)) => (items, map),
                    Some(_) => {
                        return Err(BaselineError::Parse(
                            "field `services` must be a list".to_string(),
                        ))
                    }
                    None => {
                        return Err(BaselineError::Parse("missing field `services`".to_string()))
                    }
                }
            }
            _ => {
                return Err(BaselineError::Parse(
                    "expected an object with `services` or a list of services".to_string(),
                ))
            }
        };
        let mut services = Vec::with_capacity(entries.len());
        for (index, item) in entries.into_iter().enumerate() {
            let entry: ServiceEntry = serde_json::from_value(item)
                .map_err(|e| BaselineError::Parse(format!("field `services[{index}]`: {e}")))?;
            services.push(entry);
        }
        fn field<T: serde::de::DeserializeOwned + Default>(
            rest: &serde_json::Map<String, Value>,
            name: &str,
        ) -> Result<T, BaselineError> {
            match rest.get(name) {
                None => Ok(T::default()),
                Some(value) => serde_json::from_value(value.clone())
                    .map_err(|e| BaselineError::Parse(format!("field `{name}`: {e}"))),
            }
        }
        let doc = Self {
            services,
            interface_endpoints: field(&rest, "interface_endpoints")?,
            pricing: field(&rest, "pricing")?,
            pricing_by_region: field(&rest, "pricing_by_region")?,
            nat_traffic: field(&rest, "nat_traffic")?,
        };
        doc.validate()?;
        Ok(doc)
    }

    /// Checks every rule EC2 would otherwise reject at create time.
    pub fn validate(&self) -> Result<(), BaselineError> {
        if self.services.is_empty() {
            return Err(BaselineError::Empty);
        }
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
        if let Some(nat) = &self.nat_traffic {
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
        }
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
                let parsed = normalize_policy(policy)
                    .map_err(|reason| BaselineError::Policy { index, reason })?;
                let len = parsed.to_string().chars().count();
                if len > MAX_POLICY_CHARS {
                    return Err(BaselineError::PolicyTooLong { index, len });
                }
            }
        }
        Ok(())
    }

    /// Resolves short names for `region` and orders gateways (S3 first) before interfaces.
    pub fn resolve(&self, region: &str) -> Baseline {
        let mut services: Vec<ServiceSpec> = self
            .services
            .iter()
            .map(|entry| {
                let short = short_name(&entry.service).to_string();
                ServiceSpec {
                    service_name: format!("com.amazonaws.{region}.{short}"),
                    short_name: short,
                    endpoint_type: entry.endpoint_type,
                    private_dns: entry.endpoint_type == EndpointType::Interface
                        && entry.private_dns.unwrap_or(true),
                    policy: entry.policy.as_ref().and_then(|p| normalize_policy(p).ok()),
                }
            })
            .collect();
        services.sort_by_key(|s| {
            (
                s.endpoint_type != EndpointType::Gateway,
                s.short_name != "s3",
            )
        });
        let mut pricing = Pricing::default();
        if let Some(overrides) = &self.pricing {
            pricing = overrides.apply(pricing);
        }
        if let Some(overrides) = self.pricing_by_region.get(region) {
            pricing = overrides.apply(pricing);
        }
        Baseline {
            region: region.to_string(),
            services,
            pricing,
            interface_endpoints: self.interface_endpoints,
            nat_traffic: self.nat_traffic.clone().unwrap_or_default(),
        }
    }
}

/// `com.amazonaws.us-east-1.ecr.api` and `com.amazonaws.{region}.ecr.api` → `ecr.api`.
pub fn short_name(service: &str) -> &str {
    let trimmed = service.trim();
    match trimmed.strip_prefix("com.amazonaws.") {
        Some(rest) => match rest.split_once('.') {
            Some((_region, short)) => short,
            None => rest,
        },
        None => trimmed,
    }
}

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
    fn standard_baseline_resolves_in_order_with_private_dns() {
        let baseline = BaselineDocument::standard().resolve("eu-west-1");
        let names: Vec<_> = baseline
            .services
            .iter()
            .map(|s| s.service_name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "com.amazonaws.eu-west-1.s3",
                "com.amazonaws.eu-west-1.dynamodb",
                "com.amazonaws.eu-west-1.ecr.api",
                "com.amazonaws.eu-west-1.ecr.dkr",
                "com.amazonaws.eu-west-1.logs",
            ]
        );
        assert!(baseline
            .services
            .iter()
            .all(|s| s.private_dns == (s.endpoint_type == EndpointType::Interface)));
    }

    #[test]
    fn s3_gateway_is_ordered_before_everything_even_when_listed_last() {
        let doc = BaselineDocument::parse(
            r#"[{"service":"logs","type":"Interface"},{"service":"dynamodb","type":"Gateway"},{"service":"s3","type":"Interface"},{"service":"s3","type":"Gateway"}]"#,
        )
        .unwrap();
        let order: Vec<_> = doc
            .resolve("us-east-1")
            .services
            .iter()
            .map(|s| (s.short_name.clone(), s.endpoint_type))
            .collect();
        assert_eq!(order[0], ("s3".to_string(), EndpointType::Gateway));
        assert_eq!(order[1], ("dynamodb".to_string(), EndpointType::Gateway));
        assert_eq!(order[2].1, EndpointType::Interface);
    }

    #[test]
    fn full_names_and_region_placeholder_are_accepted() {
        let doc = BaselineDocument::parse(
            r#"{"services":[{"service":"com.amazonaws.{region}.ecr.api","type":"Interface","private_dns":false}]}"#,
        )
        .unwrap();
        let spec = &doc.resolve("ap-south-1").services[0];
        assert_eq!(spec.service_name, "com.amazonaws.ap-south-1.ecr.api");
        assert!(!spec.private_dns);
    }

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
    fn policy_string_and_object_normalize_to_the_same_value() {
        let a = normalize_policy(&Value::String(r#"{"b":1,"a":2}"#.into())).unwrap();
        let b = normalize_policy(&serde_json::json!({"a":2,"b":1})).unwrap();
        assert_eq!(a, b);
    }
}

#[cfg(test)]
mod document_tests {
    use super::*;

    #[test]
    fn pricing_and_cost_policy_are_read_and_resolved_per_region() {
        let doc = BaselineDocument::parse(
            r#"{"services":[{"service":"logs","type":"Interface"}],
                "interface_endpoints":"when_cost_effective",
                "pricing":{"nat_gateway_per_gb":0.05},
                "pricing_by_region":{"eu-west-1":{"interface_endpoint_az_hour":0.011}},
                "nat_traffic":{"aws_share":0.7}}"#,
        )
        .unwrap();
        let us = doc.resolve("us-east-1");
        assert_eq!(us.interface_endpoints, InterfacePolicy::WhenCostEffective);
        assert_eq!(us.pricing.nat_gateway_per_gb, 0.05);
        assert_eq!(us.pricing.interface_endpoint_az_hour, 0.01);
        assert_eq!(us.nat_traffic.aws_share, 0.7);
        assert_eq!(us.nat_traffic.tag_key, "vpce-guard:nat-gb-per-month");
        let eu = doc.resolve("eu-west-1");
        assert_eq!(eu.pricing.interface_endpoint_az_hour, 0.011);
        assert_eq!(eu.pricing.nat_gateway_per_gb, 0.05);
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

/// Where in a baseline file an error is: 1-based line and the field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLocation {
    pub line: usize,
    pub field: String,
}

/// Points a validation error at its line, so `vpce-guard baseline validate` can say
/// `file:12: services[2].type: …`.
pub fn locate_error(text: &str, error: &BaselineError) -> Option<ErrorLocation> {
    use serde_json::value::RawValue;
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    // Syntax errors carry their own position.
    if let BaselineError::Parse(message) = error {
        if let Some(rest) = message.split(" at line ").nth(1) {
            let line = rest.split_whitespace().next()?.parse().ok()?;
            return Some(ErrorLocation {
                line,
                field: "(syntax)".to_string(),
            });
        }
    }
    let (index, key) = match error {
        BaselineError::EmptyName { index }
        | BaselineError::Duplicate { index, .. }
        | BaselineError::BadName { index, .. } => (Some(*index), "service"),
        BaselineError::GatewayNotOffered { index, .. } => (Some(*index), "type"),
        BaselineError::PrivateDnsOnGateway { index } => (Some(*index), "private_dns"),
        BaselineError::Policy { index, .. } | BaselineError::PolicyTooLong { index, .. } => {
            (Some(*index), "policy")
        }
        BaselineError::Parse(message) => {
            let index = message
                .split("services[")
                .nth(1)
                .and_then(|rest| rest.split(']').next())
                .and_then(|n| n.parse().ok());
            (index, "")
        }
        BaselineError::Field { field, .. } => {
            let top = field.split('.').next().unwrap_or(field);
            let needle = format!("\"{top}\"");
            let offset = text.find(&needle)?;
            return Some(ErrorLocation {
                line: line_of(offset),
                field: field.clone(),
            });
        }
        BaselineError::Empty => (None, "services"),
    };
    let services: Vec<&RawValue> = match serde_json::from_str::<Vec<&RawValue>>(text) {
        Ok(list) => list,
        Err(_) => {
            #[derive(Deserialize)]
            struct Doc<'a> {
                #[serde(borrow)]
                services: Vec<&'a RawValue>,
            }
            serde_json::from_str::<Doc<'_>>(text).ok()?.services
        }
    };
    let Some(index) = index else {
        let offset = text.find("\"services\"").unwrap_or(0);
        return Some(ErrorLocation {
            line: line_of(offset),
            field: "services".to_string(),
        });
    };
    let raw = services.get(index)?.get();
    let start = raw.as_ptr() as usize - text.as_ptr() as usize;
    let within = if key.is_empty() {
        0
    } else {
        raw.find(&format!("\"{key}\"")).unwrap_or(0)
    };
    let field = if key.is_empty() {
        format!("services[{index}]")
    } else {
        format!("services[{index}].{key}")
    };
    Some(ErrorLocation {
        line: line_of(start + within),
        field,
    })
}

#[cfg(test)]
mod locate_tests {
    use super::*;

    #[test]
    fn errors_point_at_the_line_of_the_bad_field() {
        let text = "{\n  \"services\": [\n    {\"service\": \"s3\", \"type\": \"Gateway\"},\n    {\n      \"service\": \"logs\",\n      \"type\": \"Gateway\"\n    }\n  ]\n}\n";
        let err = BaselineDocument::parse(text).unwrap_err();
        assert_eq!(
            locate_error(text, &err),
            Some(ErrorLocation {
                line: 6,
                field: "services[1].type".into()
            })
        );
        let syntax = "{\n  \"services\": [\n    {\"service\": \"s3\",, }\n  ]\n}";
        let err = BaselineDocument::parse(syntax).unwrap_err();
        assert_eq!(locate_error(syntax, &err).map(|l| l.line), Some(3));
        let unknown = "[\n {\"service\": \"s3\", \"type\": \"Gateway\"},\n {\"service\": \"logs\", \"type\": \"Interface\", \"colour\": 1}\n]";
        let err = BaselineDocument::parse(unknown).unwrap_err();
        assert_eq!(
            locate_error(unknown, &err),
            Some(ErrorLocation {
                line: 3,
                field: "services[1]".into()
            })
        );
        let pricing = "{\"services\": [{\"service\": \"s3\", \"type\": \"Gateway\"}],\n\"pricing\": {\"nat_gateway_hour\": -1}}";
        let err = BaselineDocument::parse(pricing).unwrap_err();
        assert_eq!(
            locate_error(pricing, &err),
            Some(ErrorLocation {
                line: 2,
                field: "pricing.nat_gateway_hour".into()
            })
        );
    }
}

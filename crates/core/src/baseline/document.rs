//! The baseline as an operator writes it (`GUARD_BASELINE`, `vpce-guard baseline validate`):
//! short service names, no region, optional pricing and cost policy; and how it is parsed so
//! that every error names the field it is about.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cost::PricingOverrides;
use crate::error::BaselineError;

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
    /// When to read the NAT gateways' traffic from CloudWatch (the tag, when set, wins).
    pub cloudwatch: CloudwatchReads,
}

/// When a run reads NAT traffic from CloudWatch: two requests per Region (DescribeNatGateways,
/// GetMetricData), never per VPC.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloudwatchReads {
    /// Only when `interface_endpoints` is `when_cost_effective` (the decision needs a figure).
    #[default]
    WhenNeeded,
    /// Every run, so notices and the CLI show each VPC's NAT traffic and the projected saving.
    Always,
    /// Never: only the tag gives a figure.
    Off,
}

impl Default for NatTrafficSource {
    fn default() -> Self {
        Self {
            tag_key: "vpce-guard:nat-gb-per-month".to_string(),
            aws_share: 0.5,
            gateway_share: 0.0,
            cloudwatch: CloudwatchReads::default(),
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
    /// The standard set: S3 and DynamoDB gateways; ECR API, ECR Docker and CloudWatch Logs
    /// interfaces (the `ecs-fargate` preset).
    pub fn standard() -> Self {
        super::presets::ECS_FARGATE.document()
    }

    /// Parses `GUARD_BASELINE`: either `{"services": [...]}` or a bare list of services.
    pub fn parse(text: &str) -> Result<Self, BaselineError> {
        Self::from_value(parse_json(text)?)
    }

    /// A document from JSON already parsed (one profile of a profile set), validated.
    pub fn from_value(value: Value) -> Result<Self, BaselineError> {
        let doc = Self::from_value_unvalidated(value)?;
        doc.validate()?;
        Ok(doc)
    }

    /// The document's fields, each deserialized, before the rules of `validate`.
    pub(super) fn from_value_unvalidated(value: Value) -> Result<Self, BaselineError> {
        let (entries, rest) = split_services(value)?;
        // Parse entry by entry so an error names the index of the bad service.
        let services = entries
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                serde_json::from_value(item).map_err(|e| BaselineError::Entry {
                    index,
                    reason: e.to_string(),
                })
            })
            .collect::<Result<Vec<ServiceEntry>, _>>()?;
        Ok(Self {
            services,
            interface_endpoints: top_level_field(&rest, "interface_endpoints")?,
            pricing: top_level_field(&rest, "pricing")?,
            pricing_by_region: top_level_field(&rest, "pricing_by_region")?,
            nat_traffic: top_level_field(&rest, "nat_traffic")?,
        })
    }
}

/// The text as JSON; a syntax error keeps serde_json's position for `locate_error`.
pub(super) fn parse_json(text: &str) -> Result<Value, BaselineError> {
    serde_json::from_str(text).map_err(|e| BaselineError::Syntax {
        message: e.to_string(),
        line: e.line(),
        column: e.column(),
    })
}

/// The service entries and the other top-level fields, after rejecting unknown top-level fields
/// (so a misspelt `pricng` is an error, not silently ignored).
fn split_services(
    value: Value,
) -> Result<(Vec<Value>, serde_json::Map<String, Value>), BaselineError> {
    match value {
        Value::Array(items) => Ok((items, serde_json::Map::new())),
        Value::Object(mut map) => {
            if let Some(unknown) = map.keys().find(|k| !DOCUMENT_FIELDS.contains(&k.as_str())) {
                return Err(BaselineError::Parse(format!(
                    "unknown top-level field `{unknown}` (expected one of {})",
                    DOCUMENT_FIELDS.join(", ")
                )));
            }
            match map.remove("services") {
                Some(Value::Array(items)) => Ok((items, map)),
                Some(_) => Err(BaselineError::Parse(
                    "field `services` must be a list".to_string(),
                )),
                None => Err(BaselineError::Parse("missing field `services`".to_string())),
            }
        }
        _ => Err(BaselineError::Parse(
            "expected an object with `services` or a list of services".to_string(),
        )),
    }
}

/// One optional top-level field, its default when absent; an error names the field.
fn top_level_field<T: serde::de::DeserializeOwned + Default>(
    rest: &serde_json::Map<String, Value>,
    name: &str,
) -> Result<T, BaselineError> {
    match rest.get(name) {
        None => Ok(T::default()),
        Some(value) => serde_json::from_value(value.clone())
            .map_err(|e| BaselineError::Parse(format!("field `{name}`: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_carry_serde_json_position_and_keep_their_text() {
        let text = "{\n  \"services\": [\n    {\"service\": \"s3\",, }\n  ]\n}";
        let expected = serde_json::from_str::<Value>(text).unwrap_err();
        let err = BaselineDocument::parse(text).unwrap_err();
        assert_eq!(
            err,
            BaselineError::Syntax {
                message: expected.to_string(),
                line: 3,
                column: expected.column(),
            }
        );
        assert_eq!(
            err.to_string(),
            format!("not valid JSON for a baseline: {expected}")
        );
        assert!(err
            .to_string()
            .ends_with(&format!("at line 3 column {}", expected.column())));
    }

    #[test]
    fn entry_errors_carry_the_index_and_keep_their_text() {
        let err = BaselineDocument::parse(
            r#"[{"service":"s3","type":"Gateway"},{"service":"logs","type":"Gatewy"}]"#,
        )
        .unwrap_err();
        let BaselineError::Entry { index, reason } = &err else {
            panic!("unexpected {err:?}");
        };
        assert_eq!(*index, 1);
        assert_eq!(
            err.to_string(),
            format!("not valid JSON for a baseline: field `services[1]`: {reason}")
        );
    }
}

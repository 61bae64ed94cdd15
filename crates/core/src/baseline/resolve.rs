//! The baseline resolved for one region: full service names, gateways first, the region's
//! prices and the cost policy filled in. This is what the planner reads.

use serde_json::Value;

use super::{normalize_policy, BaselineDocument, EndpointType, InterfacePolicy, NatTrafficSource};
use crate::cost::Pricing;

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

impl BaselineDocument {
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
}

//! The baseline resolved for one region: full service names, gateways first, the region's
//! prices and the cost policy filled in. This is what the planner reads.

use serde_json::Value;

use super::placeholders::partition_of;
use super::{
    BaselineDocument, EndpointType, InterfacePolicy, NatTrafficSource, PolicyTemplate,
    PolicyVariables, ServiceEntry,
};
use crate::cost::Pricing;
use crate::error::ResolveError;

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
    /// Endpoint policy the endpoint must carry, when the baseline gives one: presets combined,
    /// placeholders filled.
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
    /// Resolves short names for the variables' region, fills each policy's placeholders (or
    /// names the service whose policy cannot be filled), and orders gateways (S3 first)
    /// before interfaces.
    pub fn resolve_with(&self, vars: &PolicyVariables) -> Result<Baseline, ResolveError> {
        let specs = self
            .services
            .iter()
            .map(|entry| {
                let policy = match entry.policy.as_ref().map(PolicyTemplate::parse) {
                    None => None,
                    Some(template) => {
                        Some(template.and_then(|t| t.render(vars)).map_err(|reason| {
                            ResolveError {
                                service: short_name(&entry.service).to_string(),
                                reason,
                            }
                        })?)
                    }
                };
                Ok(spec(entry, &vars.region, policy))
            })
            .collect::<Result<Vec<_>, ResolveError>>()?;
        Ok(self.baseline(&vars.region, specs))
    }

    /// Resolves for `region` when no account is known (the CLI's `baseline show` and cost
    /// report, and callers not yet passing [`PolicyVariables`]): `${region}` and `${partition}`
    /// are filled (the partition from the region's prefix), but a policy that needs
    /// `${account_id}` or `${org_id}`, or cannot be filled at all, is left out (`None`: the
    /// planner neither compares nor sets it). Use [`BaselineDocument::resolve_with`] wherever
    /// endpoints are created or their policies compared.
    pub fn resolve(&self, region: &str) -> Baseline {
        let vars = PolicyVariables::new("", region, partition_of(region));
        let specs = self
            .services
            .iter()
            .map(|entry| {
                let policy = entry
                    .policy
                    .as_ref()
                    .and_then(|p| PolicyTemplate::parse(p).ok())
                    .filter(|t| {
                        !t.placeholders()
                            .iter()
                            .any(|name| name == "account_id" || name == "org_id")
                    })
                    .and_then(|t| t.render(&vars).ok());
                spec(entry, region, policy)
            })
            .collect();
        self.baseline(region, specs)
    }

    /// The region's baseline: `services` ordered, prices and cost policy filled in.
    fn baseline(&self, region: &str, mut services: Vec<ServiceSpec>) -> Baseline {
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

/// One entry resolved for `region`, with its policy already filled.
fn spec(entry: &ServiceEntry, region: &str, policy: Option<Value>) -> ServiceSpec {
    let short = short_name(&entry.service).to_string();
    ServiceSpec {
        service_name: format!("com.amazonaws.{region}.{short}"),
        short_name: short,
        endpoint_type: entry.endpoint_type,
        private_dns: entry.endpoint_type == EndpointType::Interface
            && entry.private_dns.unwrap_or(true),
        policy,
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

    #[test]
    fn resolve_with_fills_placeholders_per_account_and_region() {
        let doc = BaselineDocument::parse(
            r#"[{"service":"s3","type":"Gateway","policy":["org-only","ecr-image-layers"]},
                {"service":"sqs","type":"Interface","policy":{"Statement":[{"Resource":"arn:${partition}:sqs:${region}:${account_id}:*"}]}}]"#,
        )
        .unwrap();
        let vars = PolicyVariables::new("111122223333", "us-gov-west-1", "aws-us-gov")
            .with_org_id("o-a1b2c3d4e5");
        let baseline = doc.resolve_with(&vars).unwrap();
        assert_eq!(baseline.region, "us-gov-west-1");
        let s3 = baseline.services[0].policy.as_ref().unwrap();
        assert_eq!(
            s3["Statement"][0]["Condition"]["StringEquals"]["aws:ResourceOrgID"],
            "o-a1b2c3d4e5"
        );
        assert_eq!(
            s3["Statement"][2]["Resource"],
            "arn:aws-us-gov:s3:::prod-us-gov-west-1-starport-layer-bucket/*"
        );
        let sqs = baseline.services[1].policy.as_ref().unwrap();
        assert_eq!(
            sqs["Statement"][0]["Resource"],
            "arn:aws-us-gov:sqs:us-gov-west-1:111122223333:*"
        );
    }

    #[test]
    fn resolve_with_names_the_service_whose_policy_needs_a_missing_org_id() {
        let doc = BaselineDocument::parse(
            r#"[{"service":"s3","type":"Gateway"},{"service":"com.amazonaws.{region}.logs","type":"Interface","policy":"org-only"}]"#,
        )
        .unwrap();
        let err = doc
            .resolve_with(&PolicyVariables::new("111122223333", "eu-west-1", "aws"))
            .unwrap_err();
        assert_eq!(
            err,
            ResolveError {
                service: "logs".into(),
                reason: crate::error::PolicyError::MissingOrgId
            }
        );
        assert!(err.to_string().contains("`logs`"), "{err}");
        assert!(err.to_string().contains("${org_id}"), "{err}");
    }

    #[test]
    fn resolve_without_an_account_leaves_out_only_policies_needing_one() {
        let doc = BaselineDocument::parse(
            r#"[{"service":"s3","type":"Gateway","policy":"ecr-image-layers"},
                {"service":"logs","type":"Interface","policy":"org-only"},
                {"service":"sqs","type":"Interface","policy":{"Statement":[{"Resource":"arn:${partition}:sqs:${region}:${account_id}:*"}]}},
                {"service":"kms","type":"Interface","policy":{"Statement":[{"Effect":"Allow"}]}}]"#,
        )
        .unwrap();
        let baseline = doc.resolve("cn-north-1");
        let policy = |short: &str| {
            baseline
                .services
                .iter()
                .find(|s| s.short_name == short)
                .and_then(|s| s.policy.clone())
        };
        assert_eq!(
            policy("s3").unwrap()["Statement"][0]["Resource"],
            "arn:aws-cn:s3:::prod-cn-north-1-starport-layer-bucket/*"
        );
        assert_eq!(policy("logs"), None);
        assert_eq!(policy("sqs"), None);
        assert_eq!(
            policy("kms"),
            Some(serde_json::json!({"Statement":[{"Effect":"Allow"}]}))
        );
    }
}

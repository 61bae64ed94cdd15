//! EC2 adapter: batched, paginated reads and the narrow writes remedies need.
//!
//! One concept per file: `observe` (the sweep's batched Describe reads), `direct_parse` (the
//! largest answers parsed straight into the core's model), `resolve` (the VPCs of
//! resources an event named), `apply` (each remedy's writes), `security_group` (the guard's
//! security group and ingress writes), `permissions` (`IpPermission` to and from the core's
//! `IngressRule`), `outbox` (the unpublished-notice tag on VPCs), `nat_gateways` (for NAT traffic), `release` (the release tag and
//! waiting for endpoint deletions). Here: the adapter, the port
//! implementation delegating to those files, and the tag helpers they share.

mod apply;
mod direct_parse;
mod nat_gateways;
mod observe;
mod outbox;
mod permissions;
mod release;
mod resolve;
mod security_group;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use aws_sdk_ec2::Client;

use vpce_guard_core::baseline::short_name;
use vpce_guard_core::ec2_action::Ec2Action;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::events::ResourceRefs;
use vpce_guard_core::model::{DnsAttributes, Observation, MANAGED_TAG_KEY};
use vpce_guard_core::planner::Remedy;
use vpce_guard_core::ports::{Ec2Bookkeeping, Ec2Inventory, Ec2Remediation, Resolution, Scope};
use vpce_guard_core::resource_id::{SecurityGroupId, VpcId};

use crate::pacing::PacedHttpClient;

pub use observe::CONCURRENT_READS_UP_TO_VPCS;

/// The prefix of EC2's codes for endpoint ids it does not know (`.NotFound`, `.Malformed`):
/// an endpoint deleted long enough ago.
const INVALID_VPC_ENDPOINT_ID: &str = "InvalidVpcEndpointId";

/// EC2 through the AWS SDK.
#[derive(Clone, Debug)]
pub struct Ec2Adapter {
    client: Client,
    /// The pacing the client's requests go through, when paced: how many more calls fit
    /// before the deadline.
    pacing: Option<PacedHttpClient>,
    /// See [`observe::CONCURRENT_READS_UP_TO_VPCS`].
    concurrent_reads_up_to: usize,
    /// Whether the largest answers are parsed straight into the core's model (see
    /// [`direct_parse`]); off only to compare with the SDK's reading in tests.
    parse_answers_directly: bool,
    /// How many answer pages were parsed that way, shared by the adapter's clones (tests check
    /// the SDK did not quietly read them instead).
    pages_parsed_directly: Arc<AtomicU64>,
}

impl Ec2Adapter {
    pub fn new(client: Client) -> Self {
        Self {
            client,
            pacing: None,
            concurrent_reads_up_to: observe::CONCURRENT_READS_UP_TO_VPCS,
            parse_answers_directly: true,
            pages_parsed_directly: Arc::default(),
        }
    }

    /// The adapter over a client whose HTTP client is `pacing`.
    pub fn paced(client: Client, pacing: PacedHttpClient) -> Self {
        Self {
            pacing: Some(pacing),
            ..Self::new(client)
        }
    }

    /// Runs the three large reads side by side only up to `vpcs` VPCs (tests; the default is
    /// [`observe::CONCURRENT_READS_UP_TO_VPCS`]).
    pub fn with_concurrent_reads_up_to(mut self, vpcs: usize) -> Self {
        self.concurrent_reads_up_to = vpcs;
        self
    }

    /// Lets the SDK read every answer into its own shapes, which the adapter then converts
    /// (tests: the reference [`direct_parse`] is compared with).
    pub fn with_sdk_parsing_only(mut self) -> Self {
        self.parse_answers_directly = false;
        self
    }

    /// How many answer pages this adapter parsed straight into the core's model.
    pub fn pages_parsed_directly(&self) -> u64 {
        self.pages_parsed_directly.load(Ordering::Relaxed)
    }
}

impl Ec2Inventory for Ec2Adapter {
    async fn observe(
        &self,
        scope: &Scope,
        service_names: &[String],
    ) -> Result<Observation, ApiError> {
        self.observe_scope(scope, service_names).await
    }

    async fn dns_attributes(&self, vpc_id: &str) -> Result<DnsAttributes, ApiError> {
        self.read_dns_attributes(vpc_id).await
    }

    fn calls_left_before_deadline(&self, action: Ec2Action) -> Option<u64> {
        self.pacing.as_ref()?.calls_left_before_deadline(action)
    }

    async fn resolve_vpcs(&self, refs: &ResourceRefs) -> Result<Resolution, ApiError> {
        self.resolve_refs(refs).await
    }

    async fn endpoints_remaining(&self, endpoint_ids: &[String]) -> Result<Vec<String>, ApiError> {
        self.remaining_endpoints(endpoint_ids).await
    }
}

impl Ec2Remediation for Ec2Adapter {
    async fn ensure_guard_security_group(
        &self,
        vpc_id: &VpcId,
        cidrs: &[String],
    ) -> Result<SecurityGroupId, ApiError> {
        self.ensure_guard_group(vpc_id.as_str(), cidrs)
            .await
            .map(SecurityGroupId::from)
    }

    async fn apply(&self, vpc_id: &VpcId, remedy: &Remedy) -> Result<Option<String>, ApiError> {
        self.apply_remedy(vpc_id.as_str(), remedy).await
    }
}

impl Ec2Bookkeeping for Ec2Adapter {
    async fn mark_unpublished(&self, vpc_id: &str, value: &str) -> Result<(), ApiError> {
        self.tag_unpublished(vpc_id, value).await
    }

    async fn clear_unpublished(&self, vpc_ids: &[String]) -> Result<(), ApiError> {
        self.untag_unpublished(vpc_ids).await
    }

    async fn mark_released(&self, resource_id: &str, at: &str) -> Result<(), ApiError> {
        self.tag_released(resource_id, at).await
    }
}

/// The short service name a create remedy's endpoint is tagged with ("" for other remedies).
fn remedy_service(remedy: &Remedy) -> &str {
    match remedy {
        Remedy::CreateGatewayEndpoint { service_name, .. }
        | Remedy::CreateInterfaceEndpoint { service_name, .. } => short_name(service_name),
        _ => "",
    }
}

fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

fn is_managed(tags: &[Tag]) -> bool {
    tags.iter()
        .any(|t| t.key() == Some(MANAGED_TAG_KEY) && t.value() == Some("true"))
}

fn tag_spec(resource: ResourceType, vpc_id: &str, what: &str) -> TagSpecification {
    let name = if what.is_empty() {
        format!("vpce-guard {vpc_id}")
    } else {
        format!("vpce-guard {what} {vpc_id}")
    };
    TagSpecification::builder()
        .resource_type(resource)
        .tags(Tag::builder().key(MANAGED_TAG_KEY).value("true").build())
        .tags(Tag::builder().key("Name").value(name).build())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_the_service() {
        let remedy = Remedy::CreateGatewayEndpoint {
            service_name: "com.amazonaws.us-east-1.ecr.api".into(),
            route_table_ids: vec![],
            policy: None,
            client_token: "t".into(),
            ip_address_type: vpce_guard_core::model::IpAddressType::Ipv4,
        };
        assert_eq!(remedy_service(&remedy), "ecr.api");
        let spec = tag_spec(ResourceType::VpcEndpoint, "vpc-1", "ecr.api");
        let tags = tag_map(spec.tags());
        assert_eq!(tags.get(MANAGED_TAG_KEY).map(String::as_str), Some("true"));
        assert_eq!(
            tags.get("Name").map(String::as_str),
            Some("vpce-guard ecr.api vpc-1")
        );
    }
}

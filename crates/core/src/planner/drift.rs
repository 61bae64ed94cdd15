//! What can be wrong with a VPC's endpoints: the drift codes findings carry.

use serde::{Deserialize, Serialize};

/// Drift codes; part of the notice schema (`vpce-guard.notice/v1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Drift {
    MissingEndpoint,
    RouteTableNotAssociated,
    AzNotCovered,
    PrivateDnsDisabled,
    SecurityGroupRuleMissing,
    SecurityGroupRuleUnexpected,
    VpcDnsAttributesDisabled,
    EndpointNotAvailable,
    DuplicateEndpoint,
    PolicyMismatch,
    /// The VPC's profile (tag `vpce-guard:profile`) is not defined, or cannot be resolved here:
    /// nothing is changed in the VPC.
    UnknownProfile,
    /// The baseline sets a policy on a service that does not support endpoint policies
    /// (DescribeVpcEndpointServices `VpcEndpointPolicySupported`): never attempted.
    PolicyNotSupported,
    /// A guard-created endpoint is IPv4-only in a dual-stack setting (or the reverse).
    IpAddressTypeMismatch,
    /// An interface endpoint carried not one byte in the usage window (scheduled sweeps that
    /// read usage).
    EndpointIdle,
    /// An interface endpoint whose bytes would have cost less through NAT than the endpoint costs.
    EndpointUnderused,
    /// One AZ of an interface endpoint carried nothing while its other AZs carried traffic.
    EndpointAzIdle,
}

impl Drift {
    pub fn as_str(self) -> &'static str {
        match self {
            Drift::MissingEndpoint => "missing_endpoint",
            Drift::RouteTableNotAssociated => "route_table_not_associated",
            Drift::AzNotCovered => "az_not_covered",
            Drift::PrivateDnsDisabled => "private_dns_disabled",
            Drift::SecurityGroupRuleMissing => "security_group_rule_missing",
            Drift::SecurityGroupRuleUnexpected => "security_group_rule_unexpected",
            Drift::VpcDnsAttributesDisabled => "vpc_dns_attributes_disabled",
            Drift::EndpointNotAvailable => "endpoint_not_available",
            Drift::DuplicateEndpoint => "duplicate_endpoint",
            Drift::PolicyMismatch => "policy_mismatch",
            Drift::UnknownProfile => "unknown_profile",
            Drift::PolicyNotSupported => "policy_not_supported",
            Drift::IpAddressTypeMismatch => "ip_address_type_mismatch",
            Drift::EndpointIdle => "endpoint_idle",
            Drift::EndpointUnderused => "endpoint_underused",
            Drift::EndpointAzIdle => "endpoint_az_idle",
        }
    }

    /// Whether the drift is about measured use (found only by runs that read usage).
    pub fn is_usage(self) -> bool {
        matches!(
            self,
            Drift::EndpointIdle | Drift::EndpointUnderused | Drift::EndpointAzIdle
        )
    }
}

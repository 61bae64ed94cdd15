//! How serious each drift code is for a security team. Exposure first: a group rule the guard
//! did not put there lets more than the VPC reach the endpoints; a policy or DNS drift moves
//! traffic or access outside the intended path; a missing or broken endpoint only sends
//! traffic through NAT (cost, availability); a duplicate only costs money.

use serde::{Deserialize, Serialize};

use crate::planner::Drift;

/// ASFF `Severity.Label`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HubSeverity {
    Informational,
    Low,
    Medium,
    High,
}

impl HubSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            HubSeverity::Informational => "INFORMATIONAL",
            HubSeverity::Low => "LOW",
            HubSeverity::Medium => "MEDIUM",
            HubSeverity::High => "HIGH",
        }
    }
}

/// The severity of a drift code (documented in docs/monitoring.md, Security Hub).
pub fn severity(drift: Drift) -> HubSeverity {
    match drift {
        Drift::SecurityGroupRuleUnexpected => HubSeverity::High,
        Drift::PolicyMismatch
        | Drift::UnknownProfile
        | Drift::PrivateDnsDisabled
        | Drift::VpcDnsAttributesDisabled
        | Drift::SecurityGroupRuleMissing
        | Drift::IpAddressTypeMismatch => HubSeverity::Medium,
        Drift::MissingEndpoint
        | Drift::RouteTableNotAssociated
        | Drift::AzNotCovered
        | Drift::EndpointNotAvailable
        | Drift::PolicyNotSupported
        | Drift::EndpointIdle
        | Drift::EndpointUnderused
        | Drift::EndpointAzIdle => HubSeverity::Low,
        Drift::DuplicateEndpoint => HubSeverity::Informational,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unexpected_inbound_rule_outranks_a_missing_endpoint() {
        assert!(severity(Drift::SecurityGroupRuleUnexpected) > severity(Drift::MissingEndpoint));
        assert!(severity(Drift::PolicyMismatch) > severity(Drift::MissingEndpoint));
        assert!(severity(Drift::MissingEndpoint) > severity(Drift::DuplicateEndpoint));
        assert_eq!(
            severity(Drift::SecurityGroupRuleUnexpected).as_str(),
            "HIGH"
        );
        assert_eq!(
            serde_json::to_value(HubSeverity::Informational).unwrap(),
            "INFORMATIONAL"
        );
    }
}

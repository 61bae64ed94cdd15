//! The EC2 API actions the guard sends, by name: what EC2 meters per action, what the guard
//! paces, and what its remedies call. A typo in an action is a compile error, not a bucket that
//! silently never fills.

use std::fmt;

/// One EC2 API action of the guard's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ec2Action {
    DescribeVpcs,
    DescribeSubnets,
    DescribeRouteTables,
    DescribeVpcEndpoints,
    DescribeSecurityGroups,
    DescribeVpcEndpointServices,
    DescribeVpcAttribute,
    DescribeNatGateways,
    CreateVpcEndpoint,
    ModifyVpcEndpoint,
    DeleteVpcEndpoints,
    ModifyVpcAttribute,
    CreateSecurityGroup,
    AuthorizeSecurityGroupIngress,
    RevokeSecurityGroupIngress,
    DeleteSecurityGroup,
    CreateTags,
    DeleteTags,
}

impl Ec2Action {
    /// Every action, in declaration order.
    pub const ALL: [Ec2Action; 18] = [
        Ec2Action::DescribeVpcs,
        Ec2Action::DescribeSubnets,
        Ec2Action::DescribeRouteTables,
        Ec2Action::DescribeVpcEndpoints,
        Ec2Action::DescribeSecurityGroups,
        Ec2Action::DescribeVpcEndpointServices,
        Ec2Action::DescribeVpcAttribute,
        Ec2Action::DescribeNatGateways,
        Ec2Action::CreateVpcEndpoint,
        Ec2Action::ModifyVpcEndpoint,
        Ec2Action::DeleteVpcEndpoints,
        Ec2Action::ModifyVpcAttribute,
        Ec2Action::CreateSecurityGroup,
        Ec2Action::AuthorizeSecurityGroupIngress,
        Ec2Action::RevokeSecurityGroupIngress,
        Ec2Action::DeleteSecurityGroup,
        Ec2Action::CreateTags,
        Ec2Action::DeleteTags,
    ];

    /// The action's name in the EC2 API (and in CloudTrail, IAM and request counts).
    pub fn as_str(self) -> &'static str {
        match self {
            Ec2Action::DescribeVpcs => "DescribeVpcs",
            Ec2Action::DescribeSubnets => "DescribeSubnets",
            Ec2Action::DescribeRouteTables => "DescribeRouteTables",
            Ec2Action::DescribeVpcEndpoints => "DescribeVpcEndpoints",
            Ec2Action::DescribeSecurityGroups => "DescribeSecurityGroups",
            Ec2Action::DescribeVpcEndpointServices => "DescribeVpcEndpointServices",
            Ec2Action::DescribeVpcAttribute => "DescribeVpcAttribute",
            Ec2Action::DescribeNatGateways => "DescribeNatGateways",
            Ec2Action::CreateVpcEndpoint => "CreateVpcEndpoint",
            Ec2Action::ModifyVpcEndpoint => "ModifyVpcEndpoint",
            Ec2Action::DeleteVpcEndpoints => "DeleteVpcEndpoints",
            Ec2Action::ModifyVpcAttribute => "ModifyVpcAttribute",
            Ec2Action::CreateSecurityGroup => "CreateSecurityGroup",
            Ec2Action::AuthorizeSecurityGroupIngress => "AuthorizeSecurityGroupIngress",
            Ec2Action::RevokeSecurityGroupIngress => "RevokeSecurityGroupIngress",
            Ec2Action::DeleteSecurityGroup => "DeleteSecurityGroup",
            Ec2Action::CreateTags => "CreateTags",
            Ec2Action::DeleteTags => "DeleteTags",
        }
    }

    /// The action named `name`, if it is one of the guard's.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// Whether EC2 meters it as a non-mutating action.
    pub fn is_non_mutating(self) -> bool {
        is_non_mutating_name(self.as_str())
    }
}

/// Whether EC2 meters the action named `name` as non-mutating (its name's verb).
pub fn is_non_mutating_name(name: &str) -> bool {
    ["Describe", "Get", "List", "Search"]
        .iter()
        .any(|prefix| name.starts_with(prefix))
}

impl fmt::Display for Ec2Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_reads_are_non_mutating() {
        for action in Ec2Action::ALL {
            assert_eq!(Ec2Action::from_name(action.as_str()), Some(action));
            assert_eq!(action.to_string(), action.as_str());
        }
        assert_eq!(Ec2Action::from_name("DescribeInstances"), None);
        assert!(Ec2Action::DescribeVpcs.is_non_mutating());
        assert!(!Ec2Action::CreateVpcEndpoint.is_non_mutating());
        assert!(is_non_mutating_name("GetMetricData"));
    }
}

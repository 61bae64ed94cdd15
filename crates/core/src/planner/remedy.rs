//! The EC2 changes a plan can ask for, and how operators read them in notices and logs.

use crate::ec2_action::Ec2Action;
use crate::model::{IngressRule, IpAddressType, GUARD_SECURITY_GROUP_NAME};
use crate::resource_id::{EndpointId, RouteTableId, SecurityGroupId, SubnetId};

/// Which security group a new interface endpoint gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityGroupRef {
    /// The guard's group already exists in the VPC.
    Existing(SecurityGroupId),
    /// Create the guard's group (HTTPS from these CIDRs) first, once per VPC.
    CreateGuardManaged { cidrs: Vec<String> },
}

/// One EC2 change; each is the narrowest call that fixes its finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    EnableVpcDns {
        support: bool,
        hostnames: bool,
    },
    CreateGatewayEndpoint {
        service_name: String,
        route_table_ids: Vec<RouteTableId>,
        policy: Option<String>,
        client_token: String,
        ip_address_type: IpAddressType,
    },
    CreateInterfaceEndpoint {
        service_name: String,
        subnet_ids: Vec<SubnetId>,
        security_group: SecurityGroupRef,
        private_dns: bool,
        policy: Option<String>,
        client_token: String,
        /// `dualstack` also sets the private DNS records' type (`DnsOptions.DnsRecordIpType`).
        ip_address_type: IpAddressType,
    },
    /// A guard-created endpoint whose IP address type no longer fits its subnets or service;
    /// interface endpoints get the matching DNS record type too.
    SetIpAddressType {
        endpoint_id: EndpointId,
        ip_address_type: IpAddressType,
        interface: bool,
    },
    AddRouteTables {
        endpoint_id: EndpointId,
        route_table_ids: Vec<RouteTableId>,
    },
    AddSubnets {
        endpoint_id: EndpointId,
        subnet_ids: Vec<SubnetId>,
    },
    EnablePrivateDns {
        endpoint_id: EndpointId,
    },
    ReplacePolicy {
        endpoint_id: EndpointId,
        policy: String,
    },
    AuthorizeHttpsIngress {
        group_id: SecurityGroupId,
        cidrs: Vec<String>,
    },
    RevokeIngress {
        group_id: SecurityGroupId,
        rules: Vec<IngressRule>,
    },
    DeleteEndpoints {
        endpoint_ids: Vec<EndpointId>,
        /// Gateway endpoints are first detached from their route tables (endpoint id → tables),
        /// so their prefix-list routes go before the endpoint does.
        detach_route_tables: Vec<(EndpointId, Vec<RouteTableId>)>,
    },
    /// Release: takes an interface endpoint out of a subnet whose deletion it blocks, into
    /// `replacement_subnet_id` (same AZ) when there is one; one ModifyVpcEndpoint.
    MoveOutOfSubnet {
        endpoint_id: EndpointId,
        subnet_id: SubnetId,
        replacement_subnet_id: Option<SubnetId>,
    },
    /// Release: deletes the guard's security group once its endpoints are gone.
    DeleteSecurityGroup {
        group_id: SecurityGroupId,
    },
    /// `PRUNE_UNUSED`: tags the VPC with the prune hold (`hold_key` = `hold_value`, see
    /// [`super::PruneHold`]), then deletes the guard's idle endpoint. The hold goes first, so a
    /// later run never recreates what was pruned.
    PruneEndpoint {
        endpoint_id: EndpointId,
        hold_key: String,
        hold_value: String,
    },
    /// `PRUNE_UNUSED`: tags the VPC with the hold for the AZ, then takes the idle AZ's subnet out
    /// of the guard's endpoint (ModifyVpcEndpoint RemoveSubnetIds).
    PruneAz {
        endpoint_id: EndpointId,
        subnet_id: SubnetId,
        hold_key: String,
        hold_value: String,
    },
}

impl Remedy {
    /// The API call as operators read it in notices and logs.
    pub fn describe(&self) -> String {
        match self {
            Remedy::EnableVpcDns { support, hostnames } => {
                let mut attrs = Vec::new();
                if *support {
                    attrs.push("EnableDnsSupport=true");
                }
                if *hostnames {
                    attrs.push("EnableDnsHostnames=true");
                }
                format!("ModifyVpcAttribute {}", attrs.join(" "))
            }
            Remedy::CreateGatewayEndpoint {
                route_table_ids,
                ip_address_type,
                ..
            } => format!(
                "CreateVpcEndpoint Gateway RouteTableIds=[{}]{}",
                route_table_ids.join(","),
                ip_suffix(*ip_address_type)
            ),
            Remedy::CreateInterfaceEndpoint {
                subnet_ids,
                security_group,
                private_dns,
                ip_address_type,
                ..
            } => {
                let group = match security_group {
                    SecurityGroupRef::Existing(id) => id.to_string(),
                    SecurityGroupRef::CreateGuardManaged { .. } => {
                        format!("new {GUARD_SECURITY_GROUP_NAME}")
                    }
                };
                format!(
                    "CreateVpcEndpoint Interface SubnetIds=[{}] SecurityGroupIds=[{group}] PrivateDnsEnabled={private_dns}{}",
                    subnet_ids.join(","),
                    ip_suffix(*ip_address_type)
                )
            }
            Remedy::SetIpAddressType {
                endpoint_id,
                ip_address_type,
                interface,
            } => {
                let dns = if *interface {
                    format!(" DnsOptions.DnsRecordIpType={}", ip_address_type.as_str())
                } else {
                    String::new()
                };
                format!(
                    "ModifyVpcEndpoint {endpoint_id} IpAddressType={}{dns}",
                    ip_address_type.as_str()
                )
            }
            Remedy::AddRouteTables {
                endpoint_id,
                route_table_ids,
            } => format!(
                "ModifyVpcEndpoint {endpoint_id} AddRouteTableIds=[{}]",
                route_table_ids.join(",")
            ),
            Remedy::AddSubnets {
                endpoint_id,
                subnet_ids,
            } => format!(
                "ModifyVpcEndpoint {endpoint_id} AddSubnetIds=[{}]",
                subnet_ids.join(",")
            ),
            Remedy::EnablePrivateDns { endpoint_id } => {
                format!("ModifyVpcEndpoint {endpoint_id} PrivateDnsEnabled=true")
            }
            Remedy::ReplacePolicy { endpoint_id, .. } => {
                format!("ModifyVpcEndpoint {endpoint_id} PolicyDocument=<baseline policy>")
            }
            Remedy::AuthorizeHttpsIngress { group_id, cidrs } => format!(
                "AuthorizeSecurityGroupIngress {group_id} tcp/443 from [{}]",
                cidrs.join(",")
            ),
            Remedy::RevokeIngress { group_id, rules } => format!(
                "RevokeSecurityGroupIngress {group_id} [{}]",
                rules
                    .iter()
                    .map(describe_rule)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Remedy::DeleteEndpoints {
                endpoint_ids,
                detach_route_tables,
            } => {
                let detach: Vec<String> = detach_route_tables
                    .iter()
                    .map(|(id, tables)| {
                        format!(
                            "ModifyVpcEndpoint {id} RemoveRouteTableIds=[{}]",
                            tables.join(",")
                        )
                    })
                    .collect();
                let delete = format!("DeleteVpcEndpoints [{}]", endpoint_ids.join(","));
                if detach.is_empty() {
                    delete
                } else {
                    format!("{}; {delete}", detach.join("; "))
                }
            }
            Remedy::MoveOutOfSubnet {
                endpoint_id,
                subnet_id,
                replacement_subnet_id,
            } => match replacement_subnet_id {
                Some(replacement) => format!(
                    "ModifyVpcEndpoint {endpoint_id} RemoveSubnetIds=[{subnet_id}] AddSubnetIds=[{replacement}]"
                ),
                None => format!("ModifyVpcEndpoint {endpoint_id} RemoveSubnetIds=[{subnet_id}]"),
            },
            Remedy::DeleteSecurityGroup { group_id } => format!("DeleteSecurityGroup {group_id}"),
            Remedy::PruneEndpoint {
                endpoint_id,
                hold_key,
                hold_value,
            } => format!("CreateTags {hold_key}={hold_value}; DeleteVpcEndpoints [{endpoint_id}]"),
            Remedy::PruneAz {
                endpoint_id,
                subnet_id,
                hold_key,
                hold_value,
            } => format!(
                "CreateTags {hold_key}={hold_value}; ModifyVpcEndpoint {endpoint_id} RemoveSubnetIds=[{subnet_id}]"
            ),
        }
    }

    /// The EC2 action the remedy calls (what EC2 meters and the guard paces), besides the
    /// security group the first interface endpoint of a VPC may create.
    pub fn ec2_action(&self) -> Ec2Action {
        match self {
            Remedy::EnableVpcDns { .. } => Ec2Action::ModifyVpcAttribute,
            Remedy::CreateGatewayEndpoint { .. } | Remedy::CreateInterfaceEndpoint { .. } => {
                Ec2Action::CreateVpcEndpoint
            }
            Remedy::SetIpAddressType { .. }
            | Remedy::AddRouteTables { .. }
            | Remedy::AddSubnets { .. }
            | Remedy::EnablePrivateDns { .. }
            | Remedy::ReplacePolicy { .. }
            | Remedy::MoveOutOfSubnet { .. }
            | Remedy::PruneAz { .. } => Ec2Action::ModifyVpcEndpoint,
            Remedy::AuthorizeHttpsIngress { .. } => Ec2Action::AuthorizeSecurityGroupIngress,
            Remedy::RevokeIngress { .. } => Ec2Action::RevokeSecurityGroupIngress,
            Remedy::DeleteEndpoints { .. } | Remedy::PruneEndpoint { .. } => {
                Ec2Action::DeleteVpcEndpoints
            }
            Remedy::DeleteSecurityGroup { .. } => Ec2Action::DeleteSecurityGroup,
        }
    }

    /// Whether applying this remedy needs the VPC's DNS attributes to be enabled first.
    pub fn needs_vpc_dns(&self) -> bool {
        matches!(
            self,
            Remedy::CreateInterfaceEndpoint {
                private_dns: true,
                ..
            } | Remedy::EnablePrivateDns { .. }
        )
    }
}

/// ` IpAddressType=dualstack` when not the default (IPv4), so notices of IPv4 VPCs read as before.
fn ip_suffix(ip_address_type: IpAddressType) -> String {
    match ip_address_type {
        IpAddressType::Ipv4 => String::new(),
        other => format!(" IpAddressType={}", other.as_str()),
    }
}

/// `tcp/22 from cidr:0.0.0.0/0`: one ingress rule as it appears in resource ids and revoke calls.
pub(super) fn describe_rule(rule: &IngressRule) -> String {
    let ports = match (rule.from_port, rule.to_port) {
        (Some(a), Some(b)) if a == b => format!("/{a}"),
        (Some(a), Some(b)) => format!("/{a}-{b}"),
        _ => String::new(),
    };
    format!("{}{} from {}", rule.protocol, ports, rule.source)
}

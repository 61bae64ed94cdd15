//! The observed state of a region, in plain Rust types (no AWS SDK types), so the planner
//! can be tested on hand-built inventories.

use std::collections::{BTreeMap, BTreeSet};

use crate::baseline::EndpointType;

/// Tag the guard puts on everything it creates; only tagged resources are ever deleted or rewritten.
pub const MANAGED_TAG_KEY: &str = "vpce-guard:managed";
/// Tag the guard puts on a VPC or subnet whose deletion its resources blocked, with the RFC 3339
/// time it released them: nothing is created there while the release holds.
pub const RELEASED_TAG_KEY: &str = "vpce-guard:released";
/// Name of the per-VPC security group that guards interface endpoints.
pub const GUARD_SECURITY_GROUP_NAME: &str = "vpce-guard-endpoints";
/// Interface endpoints serve HTTPS only.
pub const HTTPS_PORT: i32 = 443;

impl Vpc {
    /// Every associated CIDR block, IPv4 then IPv6: the sources the guard's group allows.
    pub fn all_cidr_blocks(&self) -> Vec<String> {
        self.cidr_blocks
            .iter()
            .chain(&self.ipv6_cidr_blocks)
            .cloned()
            .collect()
    }
}

/// The IP address type of an endpoint (`IpAddressType`): dual-stack endpoints serve IPv6
/// clients too; an IPv4-only endpoint leaves them hanging on the private DNS name's AAAA record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IpAddressType {
    #[default]
    Ipv4,
    Dualstack,
    Ipv6,
}

impl IpAddressType {
    /// EC2's value (`ipv4`, `dualstack`, `ipv6`).
    pub fn as_str(self) -> &'static str {
        match self {
            IpAddressType::Ipv4 => "ipv4",
            IpAddressType::Dualstack => "dualstack",
            IpAddressType::Ipv6 => "ipv6",
        }
    }

    /// EC2's value read back; None for values this version does not know.
    pub fn from_ec2(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "ipv4" => Some(IpAddressType::Ipv4),
            "dualstack" => Some(IpAddressType::Dualstack),
            "ipv6" => Some(IpAddressType::Ipv6),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Vpc {
    pub id: String,
    /// IPv4 CIDR blocks in state `associated` (primary and secondary).
    pub cidr_blocks: Vec<String>,
    /// IPv6 CIDR blocks in state `associated` (dual-stack VPCs).
    pub ipv6_cidr_blocks: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub is_default: bool,
    /// The account that owns the VPC. In a participant account of a shared VPC (AWS RAM) it is
    /// the owner's: participants can neither create nor see endpoints there. None when EC2 did
    /// not say (treated as owned).
    pub owner_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub availability_zone: String,
    /// Whether the subnet has an associated IPv6 CIDR block (dual-stack).
    pub ipv6: bool,
    /// Only the guard's release tag is read (a subnet whose deletion the guard's endpoints
    /// blocked gets no endpoint while it is held).
    pub tags: BTreeMap<String, String>,
}

/// Where a route sends traffic; only internet gateways make a route table public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Destination CIDR (IPv4 or IPv6) or prefix-list id.
    pub destination: String,
    /// Target id (`igw-…`, `nat-…`, `vpce-…`, `local`, …), empty when AWS gave none.
    pub target: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RouteTable {
    pub id: String,
    pub vpc_id: String,
    pub is_main: bool,
    /// Subnets explicitly associated with this table.
    pub subnet_ids: Vec<String>,
    pub routes: Vec<Route>,
}

impl RouteTable {
    /// Private means no default route (IPv4 or IPv6) to an internet gateway.
    pub fn is_private(&self) -> bool {
        !self.routes.iter().any(|r| {
            (r.destination == "0.0.0.0/0" || r.destination == "::/0")
                && r.target.starts_with("igw-")
        })
    }
}

/// Endpoint lifecycle as EC2 reports it (lower-cased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointState {
    /// available, pending, pendingAcceptance: the endpoint serves or will serve traffic.
    Live(String),
    /// failed, rejected, expired: exists but will not serve traffic without a human.
    Broken(String),
    /// deleting, deleted: treated as absent (deleted endpoints stay visible for a while).
    Gone(String),
}

impl EndpointState {
    pub fn from_ec2(state: &str) -> Self {
        let lower = state.to_ascii_lowercase();
        match lower.as_str() {
            "deleted" | "deleting" => EndpointState::Gone(lower),
            "failed" | "rejected" | "expired" | "partial" => EndpointState::Broken(lower),
            _ => EndpointState::Live(lower),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: String,
    pub vpc_id: String,
    pub service_name: String,
    /// None for endpoint types the guard does not manage (GatewayLoadBalancer, Resource, …).
    pub endpoint_type: Option<EndpointType>,
    pub state: EndpointState,
    pub route_table_ids: Vec<String>,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
    pub private_dns_enabled: bool,
    pub policy: Option<String>,
    /// None when EC2 did not say (older endpoints, emulators).
    pub ip_address_type: Option<IpAddressType>,
    /// Seconds since the epoch; used to keep the oldest of duplicates.
    pub created_at: Option<i64>,
    pub managed: bool,
}

/// One ingress permission, flattened to a single source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IngressRule {
    /// `tcp`, `udp`, `icmp`, or `-1` for all.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    /// `cidr:10.0.0.0/16`, `cidr6:…`, `pl:pl-…` or `sg:sg-…`.
    pub source: String,
}

impl IngressRule {
    /// HTTPS from an IPv4 (`cidr:`) or IPv6 (`cidr6:`) block.
    pub fn https_from(cidr: &str) -> Self {
        let kind = if cidr.contains(':') { "cidr6" } else { "cidr" };
        Self {
            protocol: "tcp".to_string(),
            from_port: Some(HTTPS_PORT),
            to_port: Some(HTTPS_PORT),
            source: format!("{kind}:{cidr}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityGroup {
    pub id: String,
    pub vpc_id: String,
    pub name: String,
    pub managed: bool,
    pub ingress: Vec<IngressRule>,
}

/// What DescribeVpcEndpointServices says about one service in this region.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceOffer {
    pub service_name: String,
    pub types: BTreeSet<EndpointType>,
    /// Availability Zones where the interface endpoint can be placed.
    pub availability_zones: BTreeSet<String>,
    /// `VpcEndpointPolicySupported`; None when EC2 did not say (treated as supported).
    pub policy_supported: Option<bool>,
    /// `PrivateDnsName` and `PrivateDnsNames` (lower case, no trailing dot): the names a central
    /// endpoint's private hosted zone would carry (`api.ecr.<region>.amazonaws.com` for ECR API).
    pub private_dns_names: Vec<String>,
    /// `SupportedIpAddressTypes` includes `ipv6` (dual-stack PrivateLink); false when EC2 did
    /// not say, the safe reading (ECR, for one, does not support it).
    pub supports_ipv6: bool,
}

/// The two VPC attributes private DNS depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DnsAttributes {
    pub support: bool,
    pub hostnames: bool,
}

/// Everything observed about one VPC.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VpcInventory {
    pub vpc: Vpc,
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<RouteTable>,
    pub endpoints: Vec<Endpoint>,
    pub security_groups: Vec<SecurityGroup>,
    /// None until read: the attributes cost one call each per VPC, so they are read only for
    /// VPCs that need private DNS work or that an event named.
    pub dns: Option<DnsAttributes>,
    /// NAT traffic in GB per month read from CloudWatch for the VPC's NAT gateways; None when
    /// not read or when the VPC has no NAT gateway (see [`crate::traffic`]).
    pub nat_gb_cloudwatch: Option<f64>,
    /// Names of the Route 53 private hosted zones associated with the VPC (lower case, no
    /// trailing dot); None when not read (`CENTRAL_ENDPOINTS` off, or no endpoint missing).
    pub central_dns_zones: Option<BTreeSet<String>>,
}

/// Everything observed in one account and region.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegionInventory {
    pub account_id: String,
    pub region: String,
    pub vpcs: Vec<VpcInventory>,
    /// Keyed by full service name.
    pub offers: BTreeMap<String, ServiceOffer>,
}

/// Flat observations as the batched Describe calls return them.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<RouteTable>,
    pub endpoints: Vec<Endpoint>,
    pub security_groups: Vec<SecurityGroup>,
    pub offers: Vec<ServiceOffer>,
}

impl RegionInventory {
    /// Groups flat observations by VPC; resources of VPCs not observed are dropped.
    pub fn assemble(account_id: &str, region: &str, observation: Observation) -> Self {
        let mut by_vpc: BTreeMap<String, VpcInventory> = observation
            .vpcs
            .into_iter()
            .map(|vpc| {
                (
                    vpc.id.clone(),
                    VpcInventory {
                        vpc,
                        ..VpcInventory::default()
                    },
                )
            })
            .collect();
        for subnet in observation.subnets {
            if let Some(inv) = by_vpc.get_mut(&subnet.vpc_id) {
                inv.subnets.push(subnet);
            }
        }
        for table in observation.route_tables {
            if let Some(inv) = by_vpc.get_mut(&table.vpc_id) {
                inv.route_tables.push(table);
            }
        }
        for endpoint in observation.endpoints {
            if let Some(inv) = by_vpc.get_mut(&endpoint.vpc_id) {
                inv.endpoints.push(endpoint);
            }
        }
        for group in observation.security_groups {
            if let Some(inv) = by_vpc.get_mut(&group.vpc_id) {
                inv.security_groups.push(group);
            }
        }
        Self {
            account_id: account_id.to_string(),
            region: region.to_string(),
            vpcs: by_vpc.into_values().collect(),
            offers: observation
                .offers
                .into_iter()
                .map(|o| (o.service_name.clone(), o))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(destination: &str, target: &str) -> Route {
        Route {
            destination: destination.into(),
            target: target.into(),
        }
    }

    #[test]
    fn route_table_privacy_depends_only_on_default_routes_to_internet_gateways() {
        let mut table = RouteTable {
            routes: vec![route("10.0.0.0/16", "local"), route("0.0.0.0/0", "nat-1")],
            ..RouteTable::default()
        };
        assert!(table.is_private());
        table.routes.push(route("::/0", "eigw-1"));
        assert!(table.is_private(), "egress-only IGW keeps a table private");
        table.routes.push(route("52.0.0.0/8", "igw-1"));
        assert!(
            table.is_private(),
            "a non-default route to an IGW is not a public default"
        );
        table.routes.push(route("::/0", "igw-1"));
        assert!(!table.is_private());
    }

    #[test]
    fn endpoint_states_classify() {
        assert_eq!(
            EndpointState::from_ec2("Available"),
            EndpointState::Live("available".into())
        );
        assert!(matches!(
            EndpointState::from_ec2("pendingAcceptance"),
            EndpointState::Live(_)
        ));
        assert!(matches!(
            EndpointState::from_ec2("failed"),
            EndpointState::Broken(_)
        ));
        assert!(matches!(
            EndpointState::from_ec2("rejected"),
            EndpointState::Broken(_)
        ));
        assert!(matches!(
            EndpointState::from_ec2("deleted"),
            EndpointState::Gone(_)
        ));
    }

    #[test]
    fn assemble_groups_by_vpc_and_drops_strays() {
        let observation = Observation {
            vpcs: vec![Vpc {
                id: "vpc-1".into(),
                ..Vpc::default()
            }],
            subnets: vec![
                Subnet {
                    id: "subnet-1".into(),
                    vpc_id: "vpc-1".into(),
                    availability_zone: "a".into(),
                    ..Subnet::default()
                },
                Subnet {
                    id: "subnet-2".into(),
                    vpc_id: "vpc-other".into(),
                    availability_zone: "a".into(),
                    ..Subnet::default()
                },
            ],
            ..Observation::default()
        };
        let inventory = RegionInventory::assemble("1", "r", observation);
        assert_eq!(inventory.vpcs.len(), 1);
        assert_eq!(inventory.vpcs[0].subnets.len(), 1);
        assert_eq!(inventory.vpcs[0].subnets[0].id, "subnet-1");
    }
}

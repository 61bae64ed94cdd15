//! Teardown: what the guard removes when its own resources block a deletion. A `DeleteVpc`
//! fails while interface endpoints (their ENIs) or non-default security groups remain, a
//! `DeleteSubnet` while an endpoint has an ENI in it; `terraform destroy` then fails on resources
//! Terraform never created. The guard gives back what it owns, and only that: endpoints it did
//! not create are named as the remaining blockers, never touched.

use super::context::VpcContext;
use super::{PlannerOptions, Remedy};
use crate::baseline::EndpointType;
use crate::model::{Endpoint, EndpointState, VpcInventory};
use crate::resource_id::{EndpointId, SubnetId};

/// What releasing a VPC removes, in the order it must go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VpcRelease {
    pub vpc_id: String,
    /// The guard's interface endpoints (their ENIs block the VPC), deleted first: a gateway
    /// endpoint cannot go while an S3 interface endpoint relying on it for
    /// `PrivateDnsOnlyForInboundResolverEndpoint` remains.
    pub interface_endpoints: Vec<String>,
    /// The guard's gateway endpoints (the console deletes these with the VPC, the API does not).
    pub gateway_endpoints: Vec<String>,
    /// The guard's security group, deleted once its endpoints are gone.
    pub security_group: Option<String>,
    /// Live endpoints the guard did not create: still in the way, named in the notice.
    pub blockers: Vec<String>,
}

impl VpcRelease {
    /// The deletions, as remedies, in order (interface endpoints, then gateway endpoints). The
    /// security group follows once EC2 has finished deleting the interface endpoints.
    pub fn endpoint_deletions(&self) -> Vec<Remedy> {
        [&self.interface_endpoints, &self.gateway_endpoints]
            .into_iter()
            .filter(|ids| !ids.is_empty())
            .map(|ids| Remedy::DeleteEndpoints {
                endpoint_ids: EndpointId::all(ids),
                detach_route_tables: Vec::new(),
            })
            .collect()
    }

    /// True when the guard holds nothing in this VPC.
    pub fn is_empty(&self) -> bool {
        self.interface_endpoints.is_empty()
            && self.gateway_endpoints.is_empty()
            && self.security_group.is_none()
    }
}

/// How one of the guard's interface endpoints leaves a subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointMove {
    pub endpoint_id: String,
    /// The change: out of the subnet (into another private subnet of the same AZ when there is
    /// one, so the AZ stays covered), or the endpoint deleted when the subnet was its only one.
    pub remedy: Remedy,
}

/// What releasing a subnet changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubnetRelease {
    pub subnet_id: String,
    pub vpc_id: String,
    pub moves: Vec<EndpointMove>,
    /// Live endpoints the guard did not create with an ENI in the subnet.
    pub blockers: Vec<String>,
}

fn is_live(endpoint: &Endpoint) -> bool {
    !matches!(endpoint.state, EndpointState::Gone(_))
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids.dedup();
    ids
}

/// What releasing `inv`'s VPC removes: every endpoint and the security group the guard created.
pub fn plan_vpc_release(inv: &VpcInventory) -> VpcRelease {
    let of_type = |managed: bool, kind: Option<EndpointType>| -> Vec<String> {
        sorted(
            inv.endpoints
                .iter()
                .filter(|e| is_live(e) && e.managed == managed)
                .filter(|e| kind.is_none() || e.endpoint_type == kind)
                .map(|e| e.id.clone())
                .collect(),
        )
    };
    VpcRelease {
        vpc_id: inv.vpc.id.clone(),
        interface_endpoints: of_type(true, Some(EndpointType::Interface)),
        gateway_endpoints: of_type(true, Some(EndpointType::Gateway)),
        security_group: inv
            .security_groups
            .iter()
            .find(|g| g.managed && g.vpc_id == inv.vpc.id)
            .map(|g| g.id.clone()),
        blockers: of_type(false, None),
    }
}

/// What releasing `subnet_id` changes: each of the guard's interface endpoints in it moves to
/// another private subnet of the same AZ (lowest id, not itself held), or leaves the subnet, or
/// (the subnet was its only one) is deleted.
pub fn plan_subnet_release(
    inv: &VpcInventory,
    subnet_id: &str,
    options: &PlannerOptions,
) -> SubnetRelease {
    let ctx = VpcContext::new(inv, options);
    let az = ctx.subnet_az.get(subnet_id).copied();
    let replacement = az
        .and_then(|az| ctx.private_subnets_by_az.get(az))
        .and_then(|ids| ids.iter().find(|id| **id != subnet_id))
        .map(|id| id.to_string());
    let in_subnet = |e: &&Endpoint| is_live(e) && e.subnet_ids.iter().any(|s| s == subnet_id);
    let mut moves: Vec<EndpointMove> = inv
        .endpoints
        .iter()
        .filter(in_subnet)
        .filter(|e| e.managed && e.endpoint_type == Some(EndpointType::Interface))
        .map(|e| {
            let others = e.subnet_ids.iter().any(|s| s != subnet_id);
            let remedy = if replacement.is_none() && !others {
                Remedy::DeleteEndpoints {
                    endpoint_ids: vec![e.id.clone().into()],
                    detach_route_tables: Vec::new(),
                }
            } else {
                Remedy::MoveOutOfSubnet {
                    endpoint_id: e.id.clone().into(),
                    subnet_id: SubnetId::new(subnet_id.to_string()),
                    replacement_subnet_id: replacement.clone().map(SubnetId::from),
                }
            };
            EndpointMove {
                endpoint_id: e.id.clone(),
                remedy,
            }
        })
        .collect();
    moves.sort_by(|a, b| a.endpoint_id.cmp(&b.endpoint_id));
    SubnetRelease {
        subnet_id: subnet_id.to_string(),
        vpc_id: inv.vpc.id.clone(),
        moves,
        blockers: sorted(
            inv.endpoints
                .iter()
                .filter(in_subnet)
                .filter(|e| !e.managed)
                .map(|e| e.id.clone())
                .collect(),
        ),
    }
}

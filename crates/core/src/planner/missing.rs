//! A baseline service with no endpoint in the VPC: create it, or say why it cannot be created
//! (not offered here, no private subnet in a supported AZ, a foreign group holding the guard's
//! name). An interface endpoint is not planned at all in a VPC without private subnets, or when a
//! cost decision ruled it out.

use super::context::ServicePlanInput;
use super::context::VpcContext;
use super::ip_type::{wanted_gateway_ip_type, wanted_ip_type};
use super::security_group::GroupChoice;
use super::{Drift, Finding, Remedy, SecurityGroupRef};
use crate::baseline::EndpointType;
use crate::model::{EndpointState, ServiceOffer, GUARD_SECURITY_GROUP_NAME};
use crate::resource_id::{RouteTableId, SecurityGroupId, SubnetId};
use crate::token::endpoint_client_token;

/// The creation finding for `input.spec`; empty when there is nothing to create it in yet.
pub(super) fn plan_missing(ctx: &VpcContext<'_>, input: &ServicePlanInput<'_>) -> Vec<Finding> {
    let spec = input.spec;
    let vpc_id = ctx.inv.vpc.id.as_str();
    let service = Some(spec.service_name.as_str());
    let Some(offer) = input
        .offer
        .filter(|o| o.types.is_empty() || o.types.contains(&spec.endpoint_type))
    else {
        return vec![Finding::report(
            service,
            Drift::MissingEndpoint,
            vec![vpc_id.to_string()],
            format!(
                "{} is not offered as a {} endpoint service in this region",
                spec.service_name,
                spec.endpoint_type.as_str()
            ),
        )];
    };
    // Deleted endpoints feed the token, so recreating one does not replay the deleted result.
    let tombstones: Vec<String> = ctx
        .endpoints_of(spec)
        .filter(|e| matches!(e.state, EndpointState::Gone(_)))
        .map(|e| e.id.clone())
        .collect();
    let client_token = endpoint_client_token(
        input.account_id,
        vpc_id,
        &spec.service_name,
        spec.endpoint_type.as_str(),
        &tombstones,
    );
    let policy = spec.policy.as_ref().map(|p| p.to_string());
    match spec.endpoint_type {
        EndpointType::Gateway => {
            let mut ids = vec![vpc_id.to_string()];
            ids.extend(ctx.private_route_tables.iter().map(|t| t.to_string()));
            vec![Finding::fix(
                service,
                Drift::MissingEndpoint,
                ids,
                Remedy::CreateGatewayEndpoint {
                    service_name: spec.service_name.clone(),
                    route_table_ids: ctx
                        .private_route_tables
                        .iter()
                        .map(|t| RouteTableId::new(t.to_string()))
                        .collect(),
                    policy,
                    client_token,
                    ip_address_type: wanted_gateway_ip_type(ctx, input.offer),
                },
            )]
        }
        EndpointType::Interface => {
            if let Some(zone) = central_zone(ctx, offer) {
                return vec![Finding::served_centrally(
                    &spec.service_name,
                    vec![vpc_id.to_string()],
                    format!("served by a central endpoint: private hosted zone {zone} is associated with the VPC"),
                )];
            }
            // No private subnet yet: nothing to place an endpoint in; a CreateSubnet event brings it.
            // Or a cost decision (recorded on the plan) ruled the endpoint out.
            if ctx.private_subnets_by_az.is_empty() || input.skip_interface_creation {
                return Vec::new();
            }
            // Pruned for lack of use: held out of the VPC's baseline (see PruneHold).
            if input.prune_hold.is_some_and(|hold| hold.holds_endpoint()) {
                return Vec::new();
            }
            let offered = ctx.subnets_for(offer);
            let held_everywhere =
                !offered.is_empty() && offered.iter().all(|(az, _)| input.az_held(az));
            if held_everywhere {
                return Vec::new();
            }
            let subnets: Vec<(&str, &str)> = offered
                .into_iter()
                .filter(|(az, _)| !input.az_held(az))
                .collect();
            if subnets.is_empty() {
                return vec![Finding::report(
                    service,
                    Drift::MissingEndpoint,
                    vec![vpc_id.to_string()],
                    format!(
                        "no private subnet in an Availability Zone the service supports ({})",
                        offer
                            .availability_zones
                            .iter()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )];
            }
            let security_group = match input.interface_group {
                GroupChoice::Existing(id) => SecurityGroupRef::Existing(SecurityGroupId::new(id.to_string())),
                GroupChoice::Create => SecurityGroupRef::CreateGuardManaged {
                    cidrs: ctx.inv.vpc.all_cidr_blocks(),
                },
                GroupChoice::NotOurs(id) => {
                    return vec![Finding::report(
                        service,
                        Drift::MissingEndpoint,
                        vec![vpc_id.to_string()],
                        format!(
                            "security group {id} is named {GUARD_SECURITY_GROUP_NAME} but is not tagged vpce-guard:managed=true; rename it or tag it"
                        ),
                    )]
                }
            };
            let chosen: Vec<&str> = subnets.iter().map(|(_, s)| *s).collect();
            let ip_address_type = wanted_ip_type(ctx, input.offer, &chosen);
            let subnet_ids: Vec<String> = subnets.into_iter().map(|(_, s)| s.to_string()).collect();
            let mut ids = vec![vpc_id.to_string()];
            ids.extend(subnet_ids.iter().cloned());
            vec![Finding::fix(
                service,
                Drift::MissingEndpoint,
                ids,
                Remedy::CreateInterfaceEndpoint {
                    service_name: spec.service_name.clone(),
                    subnet_ids: SubnetId::all(&subnet_ids),
                    security_group,
                    private_dns: spec.private_dns && input.can_request_private_dns,
                    policy,
                    client_token,
                    ip_address_type,
                },
            )]
        }
    }
}

/// The private hosted zone associated with the VPC that carries one of the service's private DNS
/// names, when central detection read the VPC's zones.
fn central_zone<'a>(ctx: &VpcContext<'a>, offer: &'a ServiceOffer) -> Option<&'a str> {
    let zones = ctx.inv.central_dns_zones.as_ref()?;
    offer
        .private_dns_names
        .iter()
        .find(|name| zones.contains(*name))
        .map(String::as_str)
}

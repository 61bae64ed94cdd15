//! Remedies applied to the in-memory EC2 as EC2 applies them.

use vpce_guard_core::baseline::EndpointType;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::model::{
    DnsAttributes, Endpoint, EndpointState, IngressRule, Observation, SecurityGroup,
};
use vpce_guard_core::planner::{Remedy, SecurityGroupRef};
use vpce_guard_core::resource_id::{RouteTableId, SubnetId};

use super::Ec2State;

/// Applies one remedy; the created resource's id, if any.
pub(super) fn apply_remedy(
    state: &mut Ec2State,
    vpc_id: &str,
    remedy: &Remedy,
) -> Result<Option<String>, ApiError> {
    match remedy {
        Remedy::EnableVpcDns { support, hostnames } => {
            state.call("ModifyVpcAttribute")?;
            let dns = state
                .dns
                .entry(vpc_id.to_string())
                .or_insert(DnsAttributes {
                    support: false,
                    hostnames: false,
                });
            dns.support |= *support;
            dns.hostnames |= *hostnames;
            Ok(None)
        }
        Remedy::CreateGatewayEndpoint {
            service_name,
            route_table_ids,
            policy,
            ..
        } => {
            state.call("CreateVpcEndpoint")?;
            let id = state.new_id("vpce");
            state.observation.endpoints.push(new_endpoint(
                &id,
                vpc_id,
                service_name,
                EndpointType::Gateway,
                RouteTableId::strings(route_table_ids),
                Vec::new(),
                Vec::new(),
                false,
                policy.clone(),
            ));
            Ok(Some(id))
        }
        Remedy::CreateInterfaceEndpoint {
            service_name,
            subnet_ids,
            security_group,
            private_dns,
            policy,
            ..
        } => {
            state.call("CreateVpcEndpoint")?;
            let SecurityGroupRef::Existing(group_id) = security_group else {
                return Err(ApiError::new(
                    "CreateVpcEndpoint",
                    "InvalidParameter",
                    "the guard must resolve its security group before creating the endpoint",
                ));
            };
            let dns = state.dns.get(vpc_id).copied();
            if *private_dns && !dns.is_some_and(|d| d.support && d.hostnames) {
                return Err(ApiError::new(
                    "CreateVpcEndpoint",
                    "InvalidParameter",
                    "private DNS needs enableDnsSupport and enableDnsHostnames",
                ));
            }
            let id = state.new_id("vpce");
            state.observation.endpoints.push(new_endpoint(
                &id,
                vpc_id,
                service_name,
                EndpointType::Interface,
                Vec::new(),
                SubnetId::strings(subnet_ids),
                vec![group_id.to_string()],
                *private_dns,
                policy.clone(),
            ));
            Ok(Some(id))
        }
        Remedy::AddRouteTables {
            endpoint_id,
            route_table_ids,
        } => {
            state.call("ModifyVpcEndpoint")?;
            let endpoint = state.endpoint_mut(endpoint_id.as_str())?;
            extend_unique(
                &mut endpoint.route_table_ids,
                &RouteTableId::strings(route_table_ids),
            );
            Ok(None)
        }
        Remedy::AddSubnets {
            endpoint_id,
            subnet_ids,
        } => {
            state.call("ModifyVpcEndpoint")?;
            let endpoint = state.endpoint_mut(endpoint_id.as_str())?;
            extend_unique(&mut endpoint.subnet_ids, &SubnetId::strings(subnet_ids));
            Ok(None)
        }
        Remedy::SetIpAddressType {
            endpoint_id,
            ip_address_type,
            ..
        } => {
            state.call("ModifyVpcEndpoint")?;
            state.endpoint_mut(endpoint_id.as_str())?.ip_address_type = Some(*ip_address_type);
            Ok(None)
        }
        Remedy::EnablePrivateDns { endpoint_id } => {
            state.call("ModifyVpcEndpoint")?;
            state
                .endpoint_mut(endpoint_id.as_str())?
                .private_dns_enabled = true;
            Ok(None)
        }
        Remedy::ReplacePolicy {
            endpoint_id,
            policy,
        } => {
            state.call("ModifyVpcEndpoint")?;
            state.endpoint_mut(endpoint_id.as_str())?.policy = Some(policy.clone());
            Ok(None)
        }
        Remedy::AuthorizeHttpsIngress { group_id, cidrs } => {
            state.call("AuthorizeSecurityGroupIngress")?;
            if let Some(group) = group_mut(&mut state.observation, group_id.as_str()) {
                for cidr in cidrs {
                    let rule = IngressRule::https_from(cidr);
                    if !group.ingress.contains(&rule) {
                        group.ingress.push(rule);
                    }
                }
            }
            Ok(None)
        }
        Remedy::RevokeIngress { group_id, rules } => {
            state.call("RevokeSecurityGroupIngress")?;
            if let Some(group) = group_mut(&mut state.observation, group_id.as_str()) {
                group.ingress.retain(|r| !rules.contains(r));
            }
            Ok(None)
        }
        Remedy::DeleteEndpoints { endpoint_ids, .. } => {
            state.call("DeleteVpcEndpoints")?;
            for id in endpoint_ids {
                state.endpoint_mut(id.as_str())?.state = EndpointState::Gone("deleted".to_string());
            }
            Ok(None)
        }
        Remedy::MoveOutOfSubnet {
            endpoint_id,
            subnet_id,
            replacement_subnet_id,
        } => {
            state.call("ModifyVpcEndpoint")?;
            let endpoint = state.endpoint_mut(endpoint_id.as_str())?;
            endpoint.subnet_ids.retain(|s| *subnet_id != *s);
            let replacement: Vec<String> = replacement_subnet_id.iter().map(String::from).collect();
            extend_unique(&mut endpoint.subnet_ids, &replacement);
            Ok(None)
        }
        Remedy::DeleteSecurityGroup { group_id } => {
            state.call("DeleteSecurityGroup")?;
            let in_use = state.observation.endpoints.iter().any(|e| {
                !matches!(e.state, EndpointState::Gone(_))
                    && e.security_group_ids.iter().any(|g| *group_id == *g)
            });
            if in_use {
                return Err(ApiError::new(
                    "DeleteSecurityGroup",
                    "DependencyViolation",
                    format!("resource {group_id} has a dependent object"),
                ));
            }
            state
                .observation
                .security_groups
                .retain(|g| *group_id != g.id);
            Ok(None)
        }
        Remedy::PruneEndpoint {
            endpoint_id,
            hold_key,
            hold_value,
        } => {
            tag_vpc(state, vpc_id, hold_key, hold_value)?;
            state.call("DeleteVpcEndpoints")?;
            state.endpoint_mut(endpoint_id.as_str())?.state =
                EndpointState::Gone("deleted".to_string());
            Ok(None)
        }
        Remedy::PruneAz {
            endpoint_id,
            subnet_id,
            hold_key,
            hold_value,
        } => {
            tag_vpc(state, vpc_id, hold_key, hold_value)?;
            state.call("ModifyVpcEndpoint")?;
            state
                .endpoint_mut(endpoint_id.as_str())?
                .subnet_ids
                .retain(|s| *subnet_id != *s);
            Ok(None)
        }
    }
}

/// One CreateTags on the VPC.
fn tag_vpc(state: &mut Ec2State, vpc_id: &str, key: &str, value: &str) -> Result<(), ApiError> {
    state.call("CreateTags")?;
    if let Some(vpc) = state.observation.vpcs.iter_mut().find(|v| v.id == vpc_id) {
        vpc.tags.insert(key.to_string(), value.to_string());
    }
    Ok(())
}

fn group_mut<'a>(observation: &'a mut Observation, id: &str) -> Option<&'a mut SecurityGroup> {
    observation.security_groups.iter_mut().find(|g| g.id == id)
}

fn extend_unique(into: &mut Vec<String>, more: &[String]) {
    for item in more {
        if !into.contains(item) {
            into.push(item.clone());
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn new_endpoint(
    id: &str,
    vpc_id: &str,
    service_name: &str,
    endpoint_type: EndpointType,
    route_table_ids: Vec<String>,
    subnet_ids: Vec<String>,
    security_group_ids: Vec<String>,
    private_dns_enabled: bool,
    policy: Option<String>,
) -> Endpoint {
    Endpoint {
        id: id.to_string(),
        vpc_id: vpc_id.to_string(),
        service_name: service_name.to_string(),
        endpoint_type: Some(endpoint_type),
        state: EndpointState::Live("available".to_string()),
        route_table_ids,
        subnet_ids,
        security_group_ids,
        private_dns_enabled,
        policy,
        // Like moto: the type is not reported back.
        ip_address_type: None,
        created_at: None,
        managed: true,
    }
}

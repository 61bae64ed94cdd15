//! Writes: each remedy as the EC2 calls it takes. Every ModifyVpcEndpoint goes through
//! [`Ec2Adapter::modify_endpoint`], so each remedy states only the change it makes.

use aws_sdk_ec2::operation::modify_vpc_endpoint::builders::ModifyVpcEndpointFluentBuilder;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, DnsOptionsSpecification, DnsRecordIpType, IpAddressType, ResourceType,
    VpcEndpointType,
};

use super::{remedy_service, tag_spec, Ec2Adapter};
use crate::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::model::IpAddressType as CoreIpType;
use vpce_guard_core::planner::{Remedy, SecurityGroupRef};
use vpce_guard_core::resource_id::{EndpointId, RouteTableId, SubnetId};
use vpce_guard_core::token::retry_token_after_deleted;

/// DeleteVpcEndpoints reports an endpoint already gone, which is what was wanted.
const ENDPOINT_NOT_FOUND: &str = "InvalidVpcEndpoint.NotFound";

impl Ec2Adapter {
    /// Applies one remedy in `vpc_id`; returns the id of a created endpoint.
    pub(super) async fn apply_remedy(
        &self,
        vpc_id: &str,
        remedy: &Remedy,
    ) -> Result<Option<String>, ApiError> {
        match remedy {
            Remedy::EnableVpcDns { support, hostnames } => {
                // EC2 takes one attribute per call; support must be on before hostnames.
                if *support {
                    self.client
                        .modify_vpc_attribute()
                        .vpc_id(vpc_id)
                        .enable_dns_support(AttributeBooleanValue::builder().value(true).build())
                        .send()
                        .await
                        .map_err(|e| api_error("ModifyVpcAttribute", e))?;
                }
                if *hostnames {
                    self.client
                        .modify_vpc_attribute()
                        .vpc_id(vpc_id)
                        .enable_dns_hostnames(AttributeBooleanValue::builder().value(true).build())
                        .send()
                        .await
                        .map_err(|e| api_error("ModifyVpcAttribute", e))?;
                }
                Ok(None)
            }
            Remedy::CreateGatewayEndpoint { client_token, .. }
            | Remedy::CreateInterfaceEndpoint { client_token, .. } => {
                let (id, state) = self.create_endpoint(vpc_id, remedy, client_token).await?;
                if state == "deleted" || state == "deleting" {
                    // The token was used before for an endpoint since deleted and EC2 replayed
                    // that result: retry once with a token that cannot have been used.
                    let token = retry_token_after_deleted(client_token, &id);
                    let (id, _) = self.create_endpoint(vpc_id, remedy, &token).await?;
                    return Ok(Some(id));
                }
                Ok(Some(id))
            }
            Remedy::AddRouteTables {
                endpoint_id,
                route_table_ids,
            } => {
                self.modify_endpoint(endpoint_id, |m| {
                    m.set_add_route_table_ids(Some(RouteTableId::strings(route_table_ids)))
                })
                .await?;
                Ok(None)
            }
            Remedy::AddSubnets {
                endpoint_id,
                subnet_ids,
            } => {
                self.modify_endpoint(endpoint_id, |m| {
                    m.set_add_subnet_ids(Some(SubnetId::strings(subnet_ids)))
                })
                .await?;
                Ok(None)
            }
            Remedy::SetIpAddressType {
                endpoint_id,
                ip_address_type,
                interface,
            } => {
                let (ip_type, dns) = ip_settings(*ip_address_type, *interface);
                self.modify_endpoint(endpoint_id, |m| {
                    m.ip_address_type(ip_type).set_dns_options(dns)
                })
                .await?;
                Ok(None)
            }
            Remedy::EnablePrivateDns { endpoint_id } => {
                self.modify_endpoint(endpoint_id, |m| m.private_dns_enabled(true))
                    .await?;
                Ok(None)
            }
            Remedy::ReplacePolicy {
                endpoint_id,
                policy,
            } => {
                self.modify_endpoint(endpoint_id, |m| m.policy_document(policy))
                    .await?;
                Ok(None)
            }
            Remedy::AuthorizeHttpsIngress { group_id, cidrs } => {
                self.authorize_https_ingress(group_id.as_str(), cidrs)
                    .await?;
                Ok(None)
            }
            Remedy::RevokeIngress { group_id, rules } => {
                self.revoke_ingress(group_id.as_str(), rules).await?;
                Ok(None)
            }
            Remedy::DeleteEndpoints {
                endpoint_ids,
                detach_route_tables,
            } => {
                self.delete_endpoints(endpoint_ids, detach_route_tables)
                    .await?;
                Ok(None)
            }
            Remedy::MoveOutOfSubnet {
                endpoint_id,
                subnet_id,
                replacement_subnet_id,
            } => {
                self.modify_endpoint(endpoint_id, |m| {
                    m.remove_subnet_ids(subnet_id.as_str()).set_add_subnet_ids(
                        replacement_subnet_id
                            .as_ref()
                            .map(|s| vec![s.as_str().to_string()]),
                    )
                })
                .await?;
                Ok(None)
            }
            Remedy::DeleteSecurityGroup { group_id } => {
                self.delete_group(group_id.as_str()).await?;
                Ok(None)
            }
            Remedy::PruneEndpoint {
                endpoint_id,
                hold_key,
                hold_value,
            } => {
                // The hold first: if it cannot be written, nothing is deleted (a later run
                // would otherwise create the endpoint again).
                self.tag_vpc(vpc_id, hold_key, hold_value).await?;
                self.delete_endpoints(std::slice::from_ref(endpoint_id), &[])
                    .await?;
                Ok(None)
            }
            Remedy::PruneAz {
                endpoint_id,
                subnet_id,
                hold_key,
                hold_value,
            } => {
                self.tag_vpc(vpc_id, hold_key, hold_value).await?;
                self.modify_endpoint(endpoint_id, |m| m.remove_subnet_ids(subnet_id.as_str()))
                    .await?;
                Ok(None)
            }
        }
    }

    /// Sets one tag on the VPC (CreateTags overwrites a tag of the same key).
    async fn tag_vpc(&self, vpc_id: &str, key: &str, value: &str) -> Result<(), ApiError> {
        self.client
            .create_tags()
            .resources(vpc_id)
            .tags(
                aws_sdk_ec2::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| api_error("CreateTags", e))?;
        Ok(())
    }

    /// One ModifyVpcEndpoint of `endpoint_id`, with the change `change` adds to the request.
    async fn modify_endpoint(
        &self,
        endpoint_id: &EndpointId,
        change: impl FnOnce(ModifyVpcEndpointFluentBuilder) -> ModifyVpcEndpointFluentBuilder,
    ) -> Result<(), ApiError> {
        change(
            self.client
                .modify_vpc_endpoint()
                .vpc_endpoint_id(endpoint_id.as_str()),
        )
        .send()
        .await
        .map_err(|e| api_error("ModifyVpcEndpoint", e))?;
        Ok(())
    }

    /// Detaches gateway endpoints from their route tables (one ModifyVpcEndpoint each), then
    /// deletes all `endpoint_ids` in one call; endpoints already gone are not failures.
    async fn delete_endpoints(
        &self,
        endpoint_ids: &[EndpointId],
        detach_route_tables: &[(EndpointId, Vec<RouteTableId>)],
    ) -> Result<(), ApiError> {
        for (endpoint_id, tables) in detach_route_tables {
            self.modify_endpoint(endpoint_id, |m| {
                m.set_remove_route_table_ids(Some(RouteTableId::strings(tables)))
            })
            .await?;
        }
        let out = self
            .client
            .delete_vpc_endpoints()
            .set_vpc_endpoint_ids(Some(EndpointId::strings(endpoint_ids)))
            .send()
            .await
            .map_err(|e| api_error("DeleteVpcEndpoints", e))?;
        let failures: Vec<String> = out
            .unsuccessful()
            .iter()
            .filter(|item| {
                // Already gone is what we wanted.
                item.error().and_then(|e| e.code()) != Some(ENDPOINT_NOT_FOUND)
            })
            .map(|item| {
                format!(
                    "{}: {}",
                    item.resource_id().unwrap_or("?"),
                    item.error()
                        .and_then(|e| e.message())
                        .unwrap_or("unknown error")
                )
            })
            .collect();
        if failures.is_empty() {
            Ok(())
        } else {
            Err(ApiError::new(
                "DeleteVpcEndpoints",
                "Unsuccessful",
                failures.join("; "),
            ))
        }
    }

    /// One CreateVpcEndpoint for a create remedy; returns the endpoint's id and lowercase state.
    async fn create_endpoint(
        &self,
        vpc_id: &str,
        remedy: &Remedy,
        client_token: &str,
    ) -> Result<(String, String), ApiError> {
        let request = self
            .client
            .create_vpc_endpoint()
            .vpc_id(vpc_id)
            .client_token(client_token)
            .tag_specifications(tag_spec(
                ResourceType::VpcEndpoint,
                vpc_id,
                remedy_service(remedy),
            ));
        let request = match remedy {
            Remedy::CreateGatewayEndpoint {
                service_name,
                route_table_ids,
                policy,
                ip_address_type,
                ..
            } => {
                let request = request
                    .service_name(service_name)
                    .vpc_endpoint_type(VpcEndpointType::Gateway)
                    .set_route_table_ids(Some(RouteTableId::strings(route_table_ids)))
                    .set_policy_document(policy.clone());
                // IPv4 is EC2's default: only dual-stack is sent, so IPv4 requests read as before.
                match ip_address_type {
                    CoreIpType::Ipv4 => request,
                    other => request.ip_address_type(ip_settings(*other, false).0),
                }
            }
            Remedy::CreateInterfaceEndpoint {
                service_name,
                subnet_ids,
                security_group,
                private_dns,
                policy,
                ip_address_type,
                ..
            } => {
                let SecurityGroupRef::Existing(group_id) = security_group else {
                    return Err(ApiError::new(
                        "CreateVpcEndpoint",
                        "GuardSecurityGroupUnresolved",
                        "the guard security group must be created before the endpoint",
                    ));
                };
                let request = request
                    .service_name(service_name)
                    .vpc_endpoint_type(VpcEndpointType::Interface)
                    .set_subnet_ids(Some(SubnetId::strings(subnet_ids)))
                    .security_group_ids(group_id.as_str())
                    .private_dns_enabled(*private_dns)
                    .set_policy_document(policy.clone());
                match ip_address_type {
                    CoreIpType::Ipv4 => request,
                    other => {
                        let (ip_type, dns) = ip_settings(*other, true);
                        request.ip_address_type(ip_type).set_dns_options(dns)
                    }
                }
            }
            _ => {
                return Err(ApiError::new(
                    "CreateVpcEndpoint",
                    "NotACreate",
                    "remedy is not an endpoint creation",
                ))
            }
        };
        let out = request
            .send()
            .await
            .map_err(|e| api_error("CreateVpcEndpoint", e))?;
        let endpoint = out.vpc_endpoint().ok_or_else(|| {
            ApiError::new(
                "CreateVpcEndpoint",
                "EmptyResponse",
                "no endpoint in the response",
            )
        })?;
        let id = endpoint.vpc_endpoint_id().unwrap_or_default().to_string();
        let state = endpoint
            .state()
            .map(|s| s.as_str().to_ascii_lowercase())
            .unwrap_or_default();
        Ok((id, state))
    }
}

/// EC2's `IpAddressType`, and for interface endpoints the matching `DnsOptions` (the private DNS
/// records get AAAA records when dual-stack).
fn ip_settings(
    ip_address_type: CoreIpType,
    interface: bool,
) -> (IpAddressType, Option<DnsOptionsSpecification>) {
    let (ip, dns) = match ip_address_type {
        CoreIpType::Ipv4 => (IpAddressType::Ipv4, DnsRecordIpType::Ipv4),
        CoreIpType::Dualstack => (IpAddressType::Dualstack, DnsRecordIpType::Dualstack),
        CoreIpType::Ipv6 => (IpAddressType::Ipv6, DnsRecordIpType::Ipv6),
    };
    let dns = interface.then(|| {
        DnsOptionsSpecification::builder()
            .dns_record_ip_type(dns)
            .build()
    });
    (ip, dns)
}

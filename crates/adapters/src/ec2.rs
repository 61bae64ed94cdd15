//! EC2 adapter: batched, paginated reads and the narrow writes remedies need.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType,
    Tag, TagSpecification, UserIdGroupPair, VpcAttributeName, VpcCidrBlockStateCode,
    VpcEndpointType,
};
use aws_sdk_ec2::Client;
use tracing::debug;

use super::sdk_error::api_error;
use crate::baseline::{short_name, EndpointType};
use crate::error::ApiError;
use crate::events::ResourceRefs;
use crate::model::{
    DnsAttributes, Endpoint, EndpointState, IngressRule, Observation, Route, RouteTable,
    SecurityGroup, ServiceOffer, Subnet, Vpc, GUARD_SECURITY_GROUP_NAME, HTTPS_PORT,
    MANAGED_TAG_KEY,
};
use crate::outbox::UNPUBLISHED_TAG_KEY;
use crate::planner::{Remedy, SecurityGroupRef};
use crate::ports::{Ec2Port, Resolution, Scope};
use crate::token::retry_token_after_deleted;

/// EC2 through the AWS SDK.
#[derive(Clone, Debug)]
pub struct Ec2Adapter {
    client: Client,
}

impl Ec2Adapter {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    fn vpc_filter(scope: &Scope) -> Option<Filter> {
        match scope {
            Scope::Region => None,
            Scope::Vpcs(ids) => Some(
                Filter::builder()
                    .name("vpc-id")
                    .set_values(Some(ids.clone()))
                    .build(),
            ),
        }
    }

    async fn describe_vpcs(&self, scope: &Scope) -> Result<Vec<Vpc>, ApiError> {
        let pages = self
            .client
            .describe_vpcs()
            .set_filters(Self::vpc_filter(scope).map(|f| vec![f]))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| api_error("DescribeVpcs", e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.vpcs())
            .filter_map(|v| {
                let id = v.vpc_id()?.to_string();
                let mut cidr_blocks: Vec<String> = v
                    .cidr_block_association_set()
                    .iter()
                    .filter(|a| {
                        a.cidr_block_state()
                            .and_then(|s| s.state())
                            .is_none_or(|s| *s == VpcCidrBlockStateCode::Associated)
                    })
                    .filter_map(|a| a.cidr_block().map(str::to_string))
                    .collect();
                if cidr_blocks.is_empty() {
                    cidr_blocks.extend(v.cidr_block().map(str::to_string));
                }
                cidr_blocks.sort();
                cidr_blocks.dedup();
                Some(Vpc {
                    id,
                    cidr_blocks,
                    tags: tag_map(v.tags()),
                    is_default: v.is_default().unwrap_or(false),
                })
            })
            .collect())
    }

    async fn describe_subnets(&self, scope: &Scope) -> Result<Vec<Subnet>, ApiError> {
        let pages = self
            .client
            .describe_subnets()
            .set_filters(Self::vpc_filter(scope).map(|f| vec![f]))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| api_error("DescribeSubnets", e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.subnets())
            .filter_map(|s| {
                Some(Subnet {
                    id: s.subnet_id()?.to_string(),
                    vpc_id: s.vpc_id()?.to_string(),
                    availability_zone: s.availability_zone().unwrap_or_default().to_string(),
                })
            })
            .collect())
    }

    async fn describe_route_tables(&self, scope: &Scope) -> Result<Vec<RouteTable>, ApiError> {
        let pages = self
            .client
            .describe_route_tables()
            .set_filters(Self::vpc_filter(scope).map(|f| vec![f]))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| api_error("DescribeRouteTables", e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.route_tables())
            .filter_map(|t| {
                let associations = t.associations();
                Some(RouteTable {
                    id: t.route_table_id()?.to_string(),
                    vpc_id: t.vpc_id()?.to_string(),
                    is_main: associations.iter().any(|a| a.main().unwrap_or(false)),
                    subnet_ids: associations
                        .iter()
                        .filter_map(|a| a.subnet_id().map(str::to_string))
                        .collect(),
                    routes: t
                        .routes()
                        .iter()
                        .map(|r| Route {
                            destination: r
                                .destination_cidr_block()
                                .or(r.destination_ipv6_cidr_block())
                                .or(r.destination_prefix_list_id())
                                .unwrap_or_default()
                                .to_string(),
                            target: r
                                .gateway_id()
                                .or(r.nat_gateway_id())
                                .or(r.transit_gateway_id())
                                .or(r.egress_only_internet_gateway_id())
                                .or(r.network_interface_id())
                                .or(r.vpc_peering_connection_id())
                                .or(r.instance_id())
                                .unwrap_or_default()
                                .to_string(),
                        })
                        .collect(),
                })
            })
            .collect())
    }

    async fn describe_endpoints(&self, scope: &Scope) -> Result<Vec<Endpoint>, ApiError> {
        let pages = self
            .client
            .describe_vpc_endpoints()
            .set_filters(Self::vpc_filter(scope).map(|f| vec![f]))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| api_error("DescribeVpcEndpoints", e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.vpc_endpoints())
            .filter_map(|e| {
                Some(Endpoint {
                    id: e.vpc_endpoint_id()?.to_string(),
                    vpc_id: e.vpc_id()?.to_string(),
                    service_name: e.service_name().unwrap_or_default().to_string(),
                    endpoint_type: match e.vpc_endpoint_type() {
                        Some(VpcEndpointType::Gateway) => Some(EndpointType::Gateway),
                        Some(VpcEndpointType::Interface) => Some(EndpointType::Interface),
                        _ => None,
                    },
                    state: EndpointState::from_ec2(
                        e.state().map(|s| s.as_str()).unwrap_or("available"),
                    ),
                    route_table_ids: e.route_table_ids().to_vec(),
                    subnet_ids: e.subnet_ids().to_vec(),
                    security_group_ids: e
                        .groups()
                        .iter()
                        .filter_map(|g| g.group_id().map(str::to_string))
                        .collect(),
                    private_dns_enabled: e.private_dns_enabled().unwrap_or(false),
                    policy: e.policy_document().map(str::to_string),
                    created_at: e.creation_timestamp().map(|t| t.secs()),
                    managed: is_managed(e.tags()),
                })
            })
            .collect())
    }

    async fn describe_guard_groups(&self, scope: &Scope) -> Result<Vec<SecurityGroup>, ApiError> {
        let mut filters = vec![Filter::builder()
            .name("group-name")
            .values(GUARD_SECURITY_GROUP_NAME)
            .build()];
        filters.extend(Self::vpc_filter(scope));
        let pages = self
            .client
            .describe_security_groups()
            .set_filters(Some(filters))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| api_error("DescribeSecurityGroups", e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.security_groups())
            .filter_map(|g| {
                Some(SecurityGroup {
                    id: g.group_id()?.to_string(),
                    vpc_id: g.vpc_id()?.to_string(),
                    name: g.group_name().unwrap_or_default().to_string(),
                    managed: is_managed(g.tags()),
                    ingress: g
                        .ip_permissions()
                        .iter()
                        .flat_map(flatten_permission)
                        .collect(),
                })
            })
            .collect())
    }

    async fn describe_offers(
        &self,
        service_names: &[String],
    ) -> Result<Vec<ServiceOffer>, ApiError> {
        match self.describe_offers_page_loop(Some(service_names)).await {
            // A name unknown in this region makes EC2 reject the whole filtered call;
            // list every service instead so the known ones are still found.
            Err(e) if e.code == "InvalidServiceName" => {
                debug!(error = %e, "a baseline service is unknown here; listing all services");
                self.describe_offers_page_loop(None).await
            }
            other => other,
        }
        .map(|offers| {
            let wanted: BTreeSet<&str> = service_names.iter().map(String::as_str).collect();
            offers
                .into_iter()
                .filter(|o| wanted.contains(o.service_name.as_str()))
                .collect()
        })
    }

    async fn describe_offers_page_loop(
        &self,
        service_names: Option<&[String]>,
    ) -> Result<Vec<ServiceOffer>, ApiError> {
        let mut offers: BTreeMap<String, ServiceOffer> = BTreeMap::new();
        let mut next_token: Option<String> = None;
        loop {
            let page = self
                .client
                .describe_vpc_endpoint_services()
                .set_service_names(service_names.map(<[String]>::to_vec))
                .set_next_token(next_token.take())
                .send()
                .await
                .map_err(|e| api_error("DescribeVpcEndpointServices", e))?;
            for detail in page.service_details() {
                let Some(name) = detail.service_name() else {
                    continue;
                };
                let offer = offers
                    .entry(name.to_string())
                    .or_insert_with(|| ServiceOffer {
                        service_name: name.to_string(),
                        ..ServiceOffer::default()
                    });
                for kind in detail.service_type() {
                    match kind.service_type().map(|t| t.as_str()) {
                        Some("Gateway") => {
                            offer.types.insert(EndpointType::Gateway);
                        }
                        Some("Interface") => {
                            offer.types.insert(EndpointType::Interface);
                            offer
                                .availability_zones
                                .extend(detail.availability_zones().iter().cloned());
                        }
                        _ => {}
                    }
                }
            }
            match page.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
                _ => break,
            }
        }
        Ok(offers.into_values().collect())
    }

    async fn dns_attribute(&self, vpc_id: &str, name: VpcAttributeName) -> Result<bool, ApiError> {
        let out = self
            .client
            .describe_vpc_attribute()
            .vpc_id(vpc_id)
            .attribute(name.clone())
            .send()
            .await
            .map_err(|e| api_error("DescribeVpcAttribute", e))?;
        let value = match name {
            VpcAttributeName::EnableDnsHostnames => out.enable_dns_hostnames(),
            _ => out.enable_dns_support(),
        };
        Ok(value.and_then(|v| v.value()).unwrap_or(false))
    }

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
                ..
            } => request
                .service_name(service_name)
                .vpc_endpoint_type(VpcEndpointType::Gateway)
                .set_route_table_ids(Some(route_table_ids.clone()))
                .set_policy_document(policy.clone()),
            Remedy::CreateInterfaceEndpoint {
                service_name,
                subnet_ids,
                security_group,
                private_dns,
                policy,
                ..
            } => {
                let SecurityGroupRef::Existing(group_id) = security_group else {
                    return Err(ApiError::new(
                        "CreateVpcEndpoint",
                        "GuardSecurityGroupUnresolved",
                        "the guard security group must be created before the endpoint",
                    ));
                };
                request
                    .service_name(service_name)
                    .vpc_endpoint_type(VpcEndpointType::Interface)
                    .set_subnet_ids(Some(subnet_ids.clone()))
                    .security_group_ids(group_id)
                    .private_dns_enabled(*private_dns)
                    .set_policy_document(policy.clone())
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

/// One IpPermission can carry many sources; flatten to one rule per source.
fn flatten_permission(p: &IpPermission) -> Vec<IngressRule> {
    let protocol = p.ip_protocol().unwrap_or("-1").to_string();
    let (from_port, to_port) = if protocol == "-1" {
        (None, None)
    } else {
        (p.from_port(), p.to_port())
    };
    let rule = |source: String| IngressRule {
        protocol: protocol.clone(),
        from_port,
        to_port,
        source,
    };
    let mut rules = Vec::new();
    rules.extend(
        p.ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip())
            .map(|c| rule(format!("cidr:{c}"))),
    );
    rules.extend(
        p.ipv6_ranges()
            .iter()
            .filter_map(|r| r.cidr_ipv6())
            .map(|c| rule(format!("cidr6:{c}"))),
    );
    rules.extend(
        p.prefix_list_ids()
            .iter()
            .filter_map(|r| r.prefix_list_id())
            .map(|c| rule(format!("pl:{c}"))),
    );
    rules.extend(
        p.user_id_group_pairs()
            .iter()
            .filter_map(|r| r.group_id())
            .map(|c| rule(format!("sg:{c}"))),
    );
    rules
}

/// The inverse of [`flatten_permission`], for revoking exactly one rule.
fn permission_for(rule: &IngressRule) -> IpPermission {
    let builder = IpPermission::builder()
        .ip_protocol(&rule.protocol)
        .set_from_port(rule.from_port)
        .set_to_port(rule.to_port);
    let builder = match rule.source.split_once(':') {
        Some(("cidr", c)) => builder.ip_ranges(IpRange::builder().cidr_ip(c).build()),
        Some(("cidr6", c)) => builder.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(c).build()),
        Some(("pl", c)) => {
            builder.prefix_list_ids(PrefixListId::builder().prefix_list_id(c).build())
        }
        Some(("sg", c)) => {
            builder.user_id_group_pairs(UserIdGroupPair::builder().group_id(c).build())
        }
        _ => builder,
    };
    builder.build()
}

fn https_permission(cidrs: &[String]) -> IpPermission {
    let mut builder = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(HTTPS_PORT)
        .to_port(HTTPS_PORT);
    for cidr in cidrs {
        builder = builder.ip_ranges(
            IpRange::builder()
                .cidr_ip(cidr)
                .description("HTTPS to VPC endpoints from the VPC (vpce-guard)")
                .build(),
        );
    }
    builder.build()
}

impl Ec2Port for Ec2Adapter {
    async fn observe(
        &self,
        scope: &Scope,
        service_names: &[String],
    ) -> Result<Observation, ApiError> {
        let (vpcs, subnets, route_tables, endpoints, security_groups, offers) = tokio::try_join!(
            self.describe_vpcs(scope),
            self.describe_subnets(scope),
            self.describe_route_tables(scope),
            self.describe_endpoints(scope),
            self.describe_guard_groups(scope),
            self.describe_offers(service_names),
        )?;
        Ok(Observation {
            vpcs,
            subnets,
            route_tables,
            endpoints,
            security_groups,
            offers,
        })
    }

    async fn dns_attributes(&self, vpc_id: &str) -> Result<DnsAttributes, ApiError> {
        let (support, hostnames) = tokio::try_join!(
            self.dns_attribute(vpc_id, VpcAttributeName::EnableDnsSupport),
            self.dns_attribute(vpc_id, VpcAttributeName::EnableDnsHostnames),
        )?;
        Ok(DnsAttributes { support, hostnames })
    }

    async fn resolve_vpcs(&self, refs: &ResourceRefs) -> Result<Resolution, ApiError> {
        let mut vpcs: BTreeSet<String> = refs.vpc_ids.clone();
        let mut unresolved = false;
        if !refs.subnet_ids.is_empty() {
            let out = self
                .client
                .describe_subnets()
                .filters(
                    Filter::builder()
                        .name("subnet-id")
                        .set_values(Some(refs.subnet_ids.iter().cloned().collect()))
                        .build(),
                )
                .send()
                .await
                .map_err(|e| api_error("DescribeSubnets", e))?;
            let found: Vec<&str> = out.subnets().iter().filter_map(|s| s.vpc_id()).collect();
            unresolved |= found.len() < refs.subnet_ids.len();
            vpcs.extend(found.into_iter().map(str::to_string));
        }
        if !refs.route_table_ids.is_empty() || !refs.association_ids.is_empty() {
            let mut filters = Vec::new();
            if !refs.route_table_ids.is_empty() {
                filters.push(("route-table-id", &refs.route_table_ids));
            }
            if !refs.association_ids.is_empty() {
                filters.push((
                    "association.route-table-association-id",
                    &refs.association_ids,
                ));
            }
            for (name, ids) in filters {
                let out = self
                    .client
                    .describe_route_tables()
                    .filters(
                        Filter::builder()
                            .name(name)
                            .set_values(Some(ids.iter().cloned().collect()))
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(|e| api_error("DescribeRouteTables", e))?;
                let found: Vec<&str> = out
                    .route_tables()
                    .iter()
                    .filter_map(|t| t.vpc_id())
                    .collect();
                // An association id can be replaced already; only a missing table is unresolved.
                if name == "route-table-id" {
                    unresolved |= found.len() < ids.len();
                }
                vpcs.extend(found.into_iter().map(str::to_string));
            }
        }
        if !refs.endpoint_ids.is_empty() {
            // By id rather than by the `vpc-endpoint-id` filter (moto answers that filter with a 500).
            // Deleted endpoints stay describable for a while, with their VPC.
            let out = self
                .client
                .describe_vpc_endpoints()
                .set_vpc_endpoint_ids(Some(refs.endpoint_ids.iter().cloned().collect()))
                .send()
                .await;
            match out {
                Ok(out) => {
                    let found: Vec<&str> = out
                        .vpc_endpoints()
                        .iter()
                        .filter_map(|e| e.vpc_id())
                        .collect();
                    unresolved |= found.len() < refs.endpoint_ids.len();
                    vpcs.extend(found.into_iter().map(str::to_string));
                }
                Err(err) => {
                    let err = api_error("DescribeVpcEndpoints", err);
                    if !err.code.starts_with("InvalidVpcEndpointId") {
                        return Err(err);
                    }
                    unresolved = true;
                }
            }
        }
        if unresolved {
            return Ok(Resolution::WholeRegion);
        }
        Ok(Resolution::Vpcs(vpcs.into_iter().collect()))
    }

    async fn ensure_guard_security_group(
        &self,
        vpc_id: &str,
        cidrs: &[String],
    ) -> Result<String, ApiError> {
        let created = self
            .client
            .create_security_group()
            .group_name(GUARD_SECURITY_GROUP_NAME)
            .description("HTTPS from the VPC to its interface endpoints; managed by vpce-guard")
            .vpc_id(vpc_id)
            .tag_specifications(tag_spec(ResourceType::SecurityGroup, vpc_id, "endpoints"))
            .send()
            .await;
        let group_id = match created {
            Ok(out) => out.group_id().unwrap_or_default().to_string(),
            Err(err) => {
                let err = api_error("CreateSecurityGroup", err);
                if err.code != "InvalidGroup.Duplicate" {
                    return Err(err);
                }
                // A racing run created it first: use it only if it is ours.
                let groups = self
                    .describe_guard_groups(&Scope::Vpcs(vec![vpc_id.to_string()]))
                    .await?;
                match groups.into_iter().find(|g| g.vpc_id == vpc_id) {
                    Some(g) if g.managed => return Ok(g.id),
                    _ => {
                        return Err(ApiError::new(
                            "CreateSecurityGroup",
                            "InvalidGroup.Duplicate",
                            format!("a security group named {GUARD_SECURITY_GROUP_NAME} exists in {vpc_id} but is not tagged {MANAGED_TAG_KEY}=true"),
                        ))
                    }
                }
            }
        };
        if group_id.is_empty() {
            return Err(ApiError::new(
                "CreateSecurityGroup",
                "EmptyResponse",
                "no group id in the response",
            ));
        }
        self.apply(
            vpc_id,
            &Remedy::AuthorizeHttpsIngress {
                group_id: group_id.clone(),
                cidrs: cidrs.to_vec(),
            },
        )
        .await?;
        Ok(group_id)
    }

    async fn mark_unpublished(&self, vpc_id: &str, value: &str) -> Result<(), ApiError> {
        self.client
            .create_tags()
            .resources(vpc_id)
            .tags(Tag::builder().key(UNPUBLISHED_TAG_KEY).value(value).build())
            .send()
            .await
            .map_err(|e| api_error("CreateTags", e))?;
        Ok(())
    }

    async fn clear_unpublished(&self, vpc_ids: &[String]) -> Result<(), ApiError> {
        // DeleteTags takes up to 1000 resources per call.
        for chunk in vpc_ids.chunks(1000) {
            self.client
                .delete_tags()
                .set_resources(Some(chunk.to_vec()))
                .tags(Tag::builder().key(UNPUBLISHED_TAG_KEY).build())
                .send()
                .await
                .map_err(|e| api_error("DeleteTags", e))?;
        }
        Ok(())
    }

    async fn apply(&self, vpc_id: &str, remedy: &Remedy) -> Result<Option<String>, ApiError> {
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
                self.client
                    .modify_vpc_endpoint()
                    .vpc_endpoint_id(endpoint_id)
                    .set_add_route_table_ids(Some(route_table_ids.clone()))
                    .send()
                    .await
                    .map_err(|e| api_error("ModifyVpcEndpoint", e))?;
                Ok(None)
            }
            Remedy::AddSubnets {
                endpoint_id,
                subnet_ids,
            } => {
                self.client
                    .modify_vpc_endpoint()
                    .vpc_endpoint_id(endpoint_id)
                    .set_add_subnet_ids(Some(subnet_ids.clone()))
                    .send()
                    .await
                    .map_err(|e| api_error("ModifyVpcEndpoint", e))?;
                Ok(None)
            }
            Remedy::EnablePrivateDns { endpoint_id } => {
                self.client
                    .modify_vpc_endpoint()
                    .vpc_endpoint_id(endpoint_id)
                    .private_dns_enabled(true)
                    .send()
                    .await
                    .map_err(|e| api_error("ModifyVpcEndpoint", e))?;
                Ok(None)
            }
            Remedy::ReplacePolicy {
                endpoint_id,
                policy,
            } => {
                self.client
                    .modify_vpc_endpoint()
                    .vpc_endpoint_id(endpoint_id)
                    .policy_document(policy)
                    .send()
                    .await
                    .map_err(|e| api_error("ModifyVpcEndpoint", e))?;
                Ok(None)
            }
            Remedy::AuthorizeHttpsIngress { group_id, cidrs } => {
                let result = self
                    .client
                    .authorize_security_group_ingress()
                    .group_id(group_id)
                    .ip_permissions(https_permission(cidrs))
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(None),
                    Err(e) => {
                        let e = api_error("AuthorizeSecurityGroupIngress", e);
                        // Already there (a racing run added it): the desired state holds.
                        if e.code == "InvalidPermission.Duplicate" {
                            Ok(None)
                        } else {
                            Err(e)
                        }
                    }
                }
            }
            Remedy::RevokeIngress { group_id, rules } => {
                let result = self
                    .client
                    .revoke_security_group_ingress()
                    .group_id(group_id)
                    .set_ip_permissions(Some(rules.iter().map(permission_for).collect()))
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(None),
                    Err(e) => {
                        let e = api_error("RevokeSecurityGroupIngress", e);
                        if e.code == "InvalidPermission.NotFound" {
                            Ok(None)
                        } else {
                            Err(e)
                        }
                    }
                }
            }
            Remedy::DeleteEndpoints {
                endpoint_ids,
                detach_route_tables,
            } => {
                for (endpoint_id, tables) in detach_route_tables {
                    self.client
                        .modify_vpc_endpoint()
                        .vpc_endpoint_id(endpoint_id)
                        .set_remove_route_table_ids(Some(tables.clone()))
                        .send()
                        .await
                        .map_err(|e| api_error("ModifyVpcEndpoint", e))?;
                }
                let out = self
                    .client
                    .delete_vpc_endpoints()
                    .set_vpc_endpoint_ids(Some(endpoint_ids.clone()))
                    .send()
                    .await
                    .map_err(|e| api_error("DeleteVpcEndpoints", e))?;
                let failures: Vec<String> = out
                    .unsuccessful()
                    .iter()
                    .filter(|item| {
                        // Already gone is what we wanted.
                        item.error().and_then(|e| e.code()) != Some("InvalidVpcEndpoint.NotFound")
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
                    Ok(None)
                } else {
                    Err(ApiError::new(
                        "DeleteVpcEndpoints",
                        "Unsuccessful",
                        failures.join("; "),
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_round_trip_through_rules() {
        let rules = vec![
            IngressRule {
                protocol: "tcp".into(),
                from_port: Some(22),
                to_port: Some(22),
                source: "cidr:0.0.0.0/0".into(),
            },
            IngressRule {
                protocol: "-1".into(),
                from_port: None,
                to_port: None,
                source: "sg:sg-1".into(),
            },
            IngressRule {
                protocol: "udp".into(),
                from_port: Some(1),
                to_port: Some(2),
                source: "cidr6:::/0".into(),
            },
            IngressRule {
                protocol: "tcp".into(),
                from_port: Some(443),
                to_port: Some(443),
                source: "pl:pl-1".into(),
            },
        ];
        for rule in rules {
            assert_eq!(flatten_permission(&permission_for(&rule)), vec![rule]);
        }
    }

    #[test]
    fn https_permission_lists_every_cidr() {
        let p = https_permission(&["10.0.0.0/16".into(), "10.1.0.0/16".into()]);
        let rules = flatten_permission(&p);
        assert_eq!(
            rules,
            vec![
                IngressRule::https_from("10.0.0.0/16"),
                IngressRule::https_from("10.1.0.0/16")
            ]
        );
    }

    #[test]
    fn tags_name_the_service() {
        let remedy = Remedy::CreateGatewayEndpoint {
            service_name: "com.amazonaws.us-east-1.ecr.api".into(),
            route_table_ids: vec![],
            policy: None,
            client_token: "t".into(),
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

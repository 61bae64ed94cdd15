//! The sweep's reads: one paginated Describe per resource kind, run concurrently and turned
//! into the core's model types, so the request count does not grow with the VPC count; and the
//! two DNS attributes of one VPC.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::types::{Filter, VpcAttributeName, VpcCidrBlockStateCode};
use tracing::debug;

use super::direct_parse::{read_pages, EndpointsAnswer, RouteTablesAnswer, SubnetsAnswer};
use super::permissions::flatten_permission;
use super::{is_managed, tag_map, Ec2Adapter};
use crate::sdk_error::api_error;
use vpce_guard_core::baseline::EndpointType;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::model::{
    DnsAttributes, Endpoint, Observation, RouteTable, SecurityGroup, ServiceOffer, Subnet, Vpc,
    GUARD_SECURITY_GROUP_NAME,
};
use vpce_guard_core::ports::Scope;

/// EC2 rejects a filtered DescribeVpcEndpointServices whole when one name is unknown here.
const INVALID_SERVICE_NAME: &str = "InvalidServiceName";

/// Up to this many VPCs the three large reads (subnets, route tables, endpoints) run side by
/// side; beyond, one after another. Their answers are 3.5 to 5.5 KB of XML per VPC each in a
/// compliant Region, and a read holds its answer's body until it is parsed. At 3,000 VPCs,
/// reading them one after another (with the inventory dropped before the notices and a
/// single-threaded runtime) took a steady-state sweep's peak from 95 MB to 76 MB, and parsing
/// them straight into the model to 60 MB (docs/performance.md, "Peak memory"). One at a time
/// costs a round trip or two of EC2 latency, which only fleets this large pay.
pub const CONCURRENT_READS_UP_TO_VPCS: usize = 1_000;

/// Every page of one of the large reads of `$scope` through [`read_pages`]: `$operation` is the
/// client's method (its fluent builders have no common trait), `$answer` the directly parsed
/// answer; the interceptor is added when `read_pages` hands one over.
macro_rules! read_scope {
    ($adapter:expr, $scope:expr, $answer:ty, $operation:ident) => {
        read_pages::<$answer, _, _>(
            $adapter.parse_answers_directly,
            &$adapter.pages_parsed_directly,
            |token, direct| {
                let mut call = $adapter
                    .client
                    .$operation()
                    .set_filters(Self::vpc_filter($scope).map(|f| vec![f]))
                    .set_next_token(token)
                    .customize();
                if let Some(direct) = direct {
                    call = call.interceptor(direct);
                }
                call.send()
            },
        )
    };
}

/// The VPCs, the guard's security groups and the service offers.
type SmallReads = (Vec<Vpc>, Vec<SecurityGroup>, Vec<ServiceOffer>);
/// The subnets, route tables and endpoints.
type LargeReads = (Vec<Subnet>, Vec<RouteTable>, Vec<Endpoint>);

impl Ec2Adapter {
    /// Everything a sweep of `scope` plans from, in six paginated reads: the VPCs, the guard's
    /// groups and the service offers first, side by side; then the three large reads, side by
    /// side up to [`CONCURRENT_READS_UP_TO_VPCS`] VPCs and one after another beyond. A scope of
    /// known VPC ids small enough starts all six at once.
    pub(super) async fn observe_scope(
        &self,
        scope: &Scope,
        service_names: &[String],
    ) -> Result<Observation, ApiError> {
        let known_small =
            matches!(scope, Scope::Vpcs(ids) if ids.len() <= self.concurrent_reads_up_to);
        let ((vpcs, security_groups, offers), (subnets, route_tables, endpoints)) = if known_small {
            tokio::try_join!(
                self.small_reads(scope, service_names),
                self.large_reads(scope, true),
            )?
        } else {
            let small = self.small_reads(scope, service_names).await?;
            let side_by_side = small.0.len() <= self.concurrent_reads_up_to;
            (small, self.large_reads(scope, side_by_side).await?)
        };
        Ok(Observation {
            vpcs,
            subnets,
            route_tables,
            endpoints,
            security_groups,
            offers,
        })
    }

    async fn small_reads(
        &self,
        scope: &Scope,
        service_names: &[String],
    ) -> Result<SmallReads, ApiError> {
        tokio::try_join!(
            self.describe_vpcs(scope),
            self.describe_guard_groups(scope),
            self.describe_offers(service_names),
        )
    }

    async fn large_reads(&self, scope: &Scope, side_by_side: bool) -> Result<LargeReads, ApiError> {
        if side_by_side {
            return tokio::try_join!(
                self.describe_subnets(scope),
                self.describe_route_tables(scope),
                self.describe_endpoints(scope),
            );
        }
        // Largest first, while the least else is held.
        let endpoints = self.describe_endpoints(scope).await?;
        let route_tables = self.describe_route_tables(scope).await?;
        let subnets = self.describe_subnets(scope).await?;
        Ok((subnets, route_tables, endpoints))
    }

    /// `enableDnsSupport` and `enableDnsHostnames` of `vpc_id`, in two concurrent calls.
    pub(super) async fn read_dns_attributes(
        &self,
        vpc_id: &str,
    ) -> Result<DnsAttributes, ApiError> {
        let (support, hostnames) = tokio::try_join!(
            self.dns_attribute(vpc_id, VpcAttributeName::EnableDnsSupport),
            self.dns_attribute(vpc_id, VpcAttributeName::EnableDnsHostnames),
        )?;
        Ok(DnsAttributes { support, hostnames })
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
        let mut pages = self
            .client
            .describe_vpcs()
            .set_filters(Self::vpc_filter(scope).map(|f| vec![f]))
            .into_paginator()
            .send();
        // Converted page by page: only one page of the SDK's types is held at a time.
        let mut items = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| api_error("DescribeVpcs", e))?;
            items.extend(page.vpcs().iter().filter_map(|v| {
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
                let mut ipv6_cidr_blocks: Vec<String> = v
                    .ipv6_cidr_block_association_set()
                    .iter()
                    .filter(|a| {
                        a.ipv6_cidr_block_state()
                            .and_then(|s| s.state())
                            .is_none_or(|s| *s == VpcCidrBlockStateCode::Associated)
                    })
                    .filter_map(|a| a.ipv6_cidr_block().map(str::to_string))
                    .collect();
                ipv6_cidr_blocks.sort();
                ipv6_cidr_blocks.dedup();
                Some(Vpc {
                    id,
                    cidr_blocks,
                    ipv6_cidr_blocks,
                    tags: tag_map(v.tags()),
                    is_default: v.is_default().unwrap_or(false),
                    owner_id: v.owner_id().map(str::to_string),
                })
            }));
        }
        Ok(items)
    }

    /// The subnets of `scope`, parsed straight into the core's model (see [`super::direct_parse`]).
    async fn describe_subnets(&self, scope: &Scope) -> Result<Vec<Subnet>, ApiError> {
        read_scope!(self, scope, SubnetsAnswer, describe_subnets).await
    }

    /// The route tables of `scope`, parsed straight into the core's model (see [`super::direct_parse`]).
    async fn describe_route_tables(&self, scope: &Scope) -> Result<Vec<RouteTable>, ApiError> {
        read_scope!(self, scope, RouteTablesAnswer, describe_route_tables).await
    }

    /// The endpoints of `scope`, parsed straight into the core's model (see [`super::direct_parse`]).
    async fn describe_endpoints(&self, scope: &Scope) -> Result<Vec<Endpoint>, ApiError> {
        read_scope!(self, scope, EndpointsAnswer, describe_vpc_endpoints).await
    }

    /// The guard security groups of `scope` (also read when a racing run created one first).
    pub(super) async fn describe_guard_groups(
        &self,
        scope: &Scope,
    ) -> Result<Vec<SecurityGroup>, ApiError> {
        let mut filters = vec![Filter::builder()
            .name("group-name")
            .values(GUARD_SECURITY_GROUP_NAME)
            .build()];
        filters.extend(Self::vpc_filter(scope));
        let mut pages = self
            .client
            .describe_security_groups()
            .set_filters(Some(filters))
            .into_paginator()
            .send();
        // Converted page by page: only one page of the SDK's types is held at a time.
        let mut items = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| api_error("DescribeSecurityGroups", e))?;
            items.extend(page.security_groups().iter().filter_map(|g| {
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
            }));
        }
        Ok(items)
    }

    async fn describe_offers(
        &self,
        service_names: &[String],
    ) -> Result<Vec<ServiceOffer>, ApiError> {
        match self.describe_offers_page_loop(Some(service_names)).await {
            // A name unknown in this region makes EC2 reject the whole filtered call;
            // list every service instead so the known ones are still found.
            Err(e) if e.code == INVALID_SERVICE_NAME => {
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
                if let Some(supported) = detail.vpc_endpoint_policy_supported() {
                    offer.policy_supported = Some(supported);
                }
                let dns_names = detail
                    .private_dns_name()
                    .into_iter()
                    .chain(
                        detail
                            .private_dns_names()
                            .iter()
                            .filter_map(|d| d.private_dns_name()),
                    )
                    .map(|name| name.trim_end_matches('.').to_ascii_lowercase());
                for name in dns_names {
                    if !offer.private_dns_names.contains(&name) {
                        offer.private_dns_names.push(name);
                    }
                }
                if detail
                    .supported_ip_address_types()
                    .iter()
                    .any(|t| t.as_str().eq_ignore_ascii_case("ipv6"))
                {
                    offer.supports_ipv6 = true;
                }
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
}

//! Resolution: the VPCs of the resources an event named without their VPC (subnets, route
//! tables and their associations, endpoints, the guard's security groups), one Describe per kind
//! named.

use std::collections::BTreeSet;

use aws_sdk_ec2::types::Filter;

use super::{Ec2Adapter, INVALID_VPC_ENDPOINT_ID};
use crate::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::events::ResourceRefs;
use vpce_guard_core::model::GUARD_SECURITY_GROUP_NAME;
use vpce_guard_core::ports::Resolution;

impl Ec2Adapter {
    /// The VPCs of the guard's security groups among those `refs` names (by id, or by the
    /// guard's group name in records that carry only names); other groups resolve to nothing.
    async fn vpcs_of_guard_groups(&self, refs: &ResourceRefs) -> Result<Vec<String>, ApiError> {
        let mut request = self.client.describe_security_groups();
        if refs.security_group_ids.is_empty() {
            request = request.filters(
                Filter::builder()
                    .name("group-name")
                    .values(GUARD_SECURITY_GROUP_NAME)
                    .build(),
            );
        } else {
            request = request.filters(
                Filter::builder()
                    .name("group-id")
                    .set_values(Some(refs.security_group_ids.iter().cloned().collect()))
                    .build(),
            );
        }
        let out = request
            .send()
            .await
            .map_err(|e| api_error("DescribeSecurityGroups", e))?;
        Ok(out
            .security_groups()
            .iter()
            .filter(|g| {
                g.group_name() == Some(GUARD_SECURITY_GROUP_NAME) && super::is_managed(g.tags())
            })
            .filter_map(|g| g.vpc_id().map(str::to_string))
            .collect())
    }

    /// The VPCs of `refs`; [`Resolution::WholeRegion`] when a named resource was not found.
    pub(super) async fn resolve_refs(&self, refs: &ResourceRefs) -> Result<Resolution, ApiError> {
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
                    if !err.code.starts_with(INVALID_VPC_ENDPOINT_ID) {
                        return Err(err);
                    }
                    unresolved = true;
                }
            }
        }
        if !refs.security_group_ids.is_empty()
            || refs
                .security_group_names
                .contains(GUARD_SECURITY_GROUP_NAME)
        {
            // Only the guard's own groups concern it; a group that is gone is not its concern
            // either (the guard's group is never deleted by a rule call).
            vpcs.extend(self.vpcs_of_guard_groups(refs).await?);
        }
        if unresolved {
            return Ok(Resolution::WholeRegion);
        }
        Ok(Resolution::Vpcs(vpcs.into_iter().collect()))
    }
}

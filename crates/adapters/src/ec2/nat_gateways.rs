//! The NAT gateways of a Region (or of some VPCs), for NAT traffic figures: one paginated
//! DescribeNatGateways.

use aws_sdk_ec2::types::{Filter, NatGatewayState};

use super::Ec2Adapter;
use crate::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::traffic::NatGateway;

impl Ec2Adapter {
    /// The `pending` and `available` NAT gateways, of `vpc_ids` when given.
    pub async fn nat_gateways(
        &self,
        vpc_ids: Option<&[String]>,
    ) -> Result<Vec<NatGateway>, ApiError> {
        let mut filters = vec![Filter::builder()
            .name("state")
            .values(NatGatewayState::Available.as_str())
            .values(NatGatewayState::Pending.as_str())
            .build()];
        if let Some(ids) = vpc_ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            filters.push(
                Filter::builder()
                    .name("vpc-id")
                    .set_values(Some(ids.to_vec()))
                    .build(),
            );
        }
        let pages = self
            .client
            .describe_nat_gateways()
            .set_filter(Some(filters))
            .max_results(1000)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| api_error("DescribeNatGateways", e))?;
        Ok(pages
            .iter()
            .flat_map(|p| p.nat_gateways())
            .filter_map(|g| {
                Some(NatGateway {
                    id: g.nat_gateway_id()?.to_string(),
                    vpc_id: g.vpc_id()?.to_string(),
                })
            })
            .collect())
    }
}

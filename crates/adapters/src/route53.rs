//! Route 53: the private hosted zones associated with a VPC (ListHostedZonesByVPC), to detect
//! interface endpoints served centrally from a hub VPC. Route 53 is a global service: one
//! client serves every Region (the VPC's Region is a parameter).

use aws_sdk_route53::types::VpcRegion;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::ports::{CentralDnsPort, PortFuture};

use crate::sdk_error::api_error;

/// Route 53 in the account that owns the VPCs.
#[derive(Clone, Debug)]
pub struct Route53Adapter {
    client: aws_sdk_route53::Client,
}

impl Route53Adapter {
    pub fn new(client: aws_sdk_route53::Client) -> Self {
        Self { client }
    }

    async fn zones_of(&self, vpc_id: &str, region: &str) -> Result<Vec<String>, ApiError> {
        let mut names = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let answer = self
                .client
                .list_hosted_zones_by_vpc()
                .vpc_id(vpc_id)
                .vpc_region(VpcRegion::from(region))
                .set_next_token(next_token.take())
                .send()
                .await
                .map_err(|e| api_error("ListHostedZonesByVPC", e))?;
            names.extend(
                answer
                    .hosted_zone_summaries()
                    .iter()
                    .map(|zone| zone.name().trim_end_matches('.').to_ascii_lowercase()),
            );
            match answer.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
                _ => return Ok(names),
            }
        }
    }
}

impl CentralDnsPort for Route53Adapter {
    fn hosted_zones_of<'a>(
        &'a self,
        vpc_id: &'a str,
        region: &'a str,
    ) -> PortFuture<'a, Vec<String>> {
        Box::pin(self.zones_of(vpc_id, region))
    }
}

//! Teardown support: the release tag on a VPC or subnet, and whether endpoints EC2 is deleting
//! (asynchronously, for minutes) are gone yet.

use aws_sdk_ec2::types::Tag;

use super::Ec2Adapter;
use crate::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::model::RELEASED_TAG_KEY;

/// The prefix of EC2's codes for endpoint ids it does not know: deleted long enough ago.
const INVALID_VPC_ENDPOINT_ID: &str = "InvalidVpcEndpointId";

impl Ec2Adapter {
    /// Tags `resource_id` (a VPC or subnet) `vpce-guard:released=<at>` (one call).
    pub(super) async fn tag_released(&self, resource_id: &str, at: &str) -> Result<(), ApiError> {
        self.client
            .create_tags()
            .resources(resource_id)
            .tags(Tag::builder().key(RELEASED_TAG_KEY).value(at).build())
            .send()
            .await
            .map_err(|e| api_error("CreateTags", e))?;
        Ok(())
    }

    /// The endpoints of `ids` that still exist in any state but `deleted` (one call).
    pub(super) async fn remaining_endpoints(
        &self,
        ids: &[String],
    ) -> Result<Vec<String>, ApiError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let out = self
            .client
            .describe_vpc_endpoints()
            .set_vpc_endpoint_ids(Some(ids.to_vec()))
            .send()
            .await;
        match out {
            Ok(out) => Ok(out
                .vpc_endpoints()
                .iter()
                .filter(|e| {
                    e.state()
                        .is_some_and(|s| !s.as_str().eq_ignore_ascii_case("deleted"))
                })
                .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
                .collect()),
            Err(err) => {
                let err = api_error("DescribeVpcEndpoints", err);
                if err.code.starts_with(INVALID_VPC_ENDPOINT_ID) {
                    // At least one is unknown to EC2 (gone for good): ask for the others alone
                    // would cost a call per id; report them all as gone only if none is left.
                    return Ok(Vec::new());
                }
                Err(err)
            }
        }
    }
}

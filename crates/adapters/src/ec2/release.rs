//! Teardown support: the release tag on a VPC or subnet, and whether endpoints EC2 is deleting
//! (asynchronously, for minutes) are gone yet.

use aws_sdk_ec2::types::Tag;

use super::{Ec2Adapter, INVALID_VPC_ENDPOINT_ID};
use crate::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::model::RELEASED_TAG_KEY;

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

    /// The endpoints of `ids` that still exist in any state but `deleted` (one call; one per id
    /// when EC2 no longer knows one of them, which fails the whole call).
    pub(super) async fn remaining_endpoints(
        &self,
        ids: &[String],
    ) -> Result<Vec<String>, ApiError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        match self.still_existing(ids).await? {
            Some(remaining) => Ok(remaining),
            None => {
                let mut remaining = Vec::new();
                for id in ids {
                    // None: this one is unknown to EC2, deleted long enough ago.
                    remaining.extend(
                        self.still_existing(std::slice::from_ref(id))
                            .await?
                            .unwrap_or_default(),
                    );
                }
                Ok(remaining)
            }
        }
    }

    /// The endpoints of `ids` not in state `deleted`; None when EC2 knows one of `ids` not at all.
    async fn still_existing(&self, ids: &[String]) -> Result<Option<Vec<String>>, ApiError> {
        let out = self
            .client
            .describe_vpc_endpoints()
            .set_vpc_endpoint_ids(Some(ids.to_vec()))
            .send()
            .await;
        match out {
            Ok(out) => Ok(Some(
                out.vpc_endpoints()
                    .iter()
                    .filter(|e| {
                        e.state()
                            .is_some_and(|s| !s.as_str().eq_ignore_ascii_case("deleted"))
                    })
                    .filter_map(|e| e.vpc_endpoint_id().map(str::to_string))
                    .collect(),
            )),
            Err(err) => {
                let err = api_error("DescribeVpcEndpoints", err);
                if err.code.starts_with(INVALID_VPC_ENDPOINT_ID) {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }
}

//! The notice outbox on VPCs: the tag that records findings not yet published, set on one VPC
//! and cleared from many at once.

use aws_sdk_ec2::types::Tag;

use super::Ec2Adapter;
use crate::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::outbox::UNPUBLISHED_TAG_KEY;

/// DeleteTags takes up to 1000 resources per call.
const DELETE_TAGS_MAX_RESOURCES: usize = 1000;

impl Ec2Adapter {
    /// Tags `vpc_id` with the unpublished findings `value` (one call).
    pub(super) async fn tag_unpublished(&self, vpc_id: &str, value: &str) -> Result<(), ApiError> {
        self.client
            .create_tags()
            .resources(vpc_id)
            .tags(Tag::builder().key(UNPUBLISHED_TAG_KEY).value(value).build())
            .send()
            .await
            .map_err(|e| api_error("CreateTags", e))?;
        Ok(())
    }

    /// Removes the outbox tag from `vpc_ids` (one call per 1000 VPCs).
    pub(super) async fn untag_unpublished(&self, vpc_ids: &[String]) -> Result<(), ApiError> {
        for chunk in vpc_ids.chunks(DELETE_TAGS_MAX_RESOURCES) {
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
}

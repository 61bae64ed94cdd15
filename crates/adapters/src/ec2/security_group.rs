//! Security groups: the guard's own group (created, or found when a racing run created it
//! first) and the ingress writes on groups (authorize HTTPS, revoke rules).

use aws_sdk_ec2::types::ResourceType;

use super::permissions::{https_permission, permission_for};
use super::{tag_spec, Ec2Adapter};
use crate::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::model::{IngressRule, GUARD_SECURITY_GROUP_NAME, MANAGED_TAG_KEY};
use vpce_guard_core::ports::Scope;

/// A group of that name exists in the VPC already (ours from a racing run, or someone else's).
const GROUP_DUPLICATE: &str = "InvalidGroup.Duplicate";
/// The permission is there already: the desired state holds.
const PERMISSION_DUPLICATE: &str = "InvalidPermission.Duplicate";
/// The permission is gone already: the desired state holds.
const PERMISSION_NOT_FOUND: &str = "InvalidPermission.NotFound";

/// The group is gone already: the desired state holds.
const GROUP_NOT_FOUND: &str = "InvalidGroup.NotFound";

impl Ec2Adapter {
    /// Deletes a security group; one already gone is not a failure. EC2 answers
    /// `DependencyViolation` while a network interface (an endpoint being deleted) still uses it.
    pub(super) async fn delete_group(&self, group_id: &str) -> Result<(), ApiError> {
        match self
            .client
            .delete_security_group()
            .group_id(group_id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) => {
                let err = api_error("DeleteSecurityGroup", err);
                if err.code == GROUP_NOT_FOUND {
                    Ok(())
                } else {
                    Err(err)
                }
            }
        }
    }

    /// Creates the guard security group in `vpc_id`, or takes the one a racing run created if it
    /// is tagged managed, then allows HTTPS from `cidrs`; returns its id.
    pub(super) async fn ensure_guard_group(
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
                if err.code != GROUP_DUPLICATE {
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
                            GROUP_DUPLICATE,
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
        self.authorize_https_ingress(&group_id, cidrs).await?;
        Ok(group_id)
    }

    /// Allows HTTPS from `cidrs` into `group_id` (one call; already allowed is success).
    pub(super) async fn authorize_https_ingress(
        &self,
        group_id: &str,
        cidrs: &[String],
    ) -> Result<(), ApiError> {
        let result = self
            .client
            .authorize_security_group_ingress()
            .group_id(group_id)
            .ip_permissions(https_permission(cidrs))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let e = api_error("AuthorizeSecurityGroupIngress", e);
                // Already there (a racing run added it): the desired state holds.
                if e.code == PERMISSION_DUPLICATE {
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }

    /// Revokes exactly `rules` from `group_id` (one call; already gone is success).
    pub(super) async fn revoke_ingress(
        &self,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), ApiError> {
        let result = self
            .client
            .revoke_security_group_ingress()
            .group_id(group_id)
            .set_ip_permissions(Some(rules.iter().map(permission_for).collect()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let e = api_error("RevokeSecurityGroupIngress", e);
                if e.code == PERMISSION_NOT_FOUND {
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }
}

//! STS adapter: who am I, and credentials for a member account.

use std::time::SystemTime;

use aws_sdk_ec2::config::Credentials;
use aws_sdk_sts::Client;

use super::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::ids::CallerIdentity;

#[derive(Clone, Debug)]
pub struct StsAdapter {
    client: Client,
}

impl StsAdapter {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    pub async fn caller_identity(&self) -> Result<CallerIdentity, ApiError> {
        let out = self
            .client
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| api_error("GetCallerIdentity", e))?;
        let account_id = out.account().unwrap_or_default().to_string();
        if account_id.is_empty() {
            return Err(ApiError::new(
                "GetCallerIdentity",
                "MissingAccount",
                "the answer named no account",
            ));
        }
        let partition = out
            .arn()
            .and_then(|arn| arn.split(':').nth(1))
            .filter(|p| !p.is_empty())
            .unwrap_or("aws")
            .to_string();
        Ok(CallerIdentity {
            account_id,
            partition,
        })
    }

    /// Assumes `role_arn` once; the credentials last an hour, longer than any invocation.
    pub async fn assume_role(
        &self,
        role_arn: &str,
        session_name: &str,
        external_id: Option<&str>,
    ) -> Result<Credentials, ApiError> {
        let out = self
            .client
            .assume_role()
            .role_arn(role_arn)
            .role_session_name(session_name)
            .set_external_id(external_id.map(str::to_string))
            .duration_seconds(3600)
            .send()
            .await
            .map_err(|e| api_error("AssumeRole", e))?;
        let creds = out.credentials().ok_or_else(|| {
            ApiError::new(
                "AssumeRole",
                "MissingCredentials",
                "no credentials returned",
            )
        })?;
        let expiry = SystemTime::try_from(*creds.expiration()).ok();
        Ok(Credentials::new(
            creds.access_key_id(),
            creds.secret_access_key(),
            Some(creds.session_token().to_string()),
            expiry,
            "vpce-guard-member-role",
        ))
    }
}

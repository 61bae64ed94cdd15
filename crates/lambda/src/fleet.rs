//! Guards for any (account, region): the central deployment's identity, member-role sessions
//! and per-invocation credential caching. Built once per cold start.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::{Region, SdkConfig};
use aws_sdk_ec2::config::{Credentials, SharedCredentialsProvider};
use lambda_runtime::Context;
use tokio::sync::OnceCell;
use tracing::info;

use crate::adapters::{CallerIdentity, SnsAdapter, StsAdapter};
use crate::config::GuardConfig;
use crate::error::{ConfigError, FleetError};
use crate::handlers::{build_guard_in, load_sdk_config, AwsGuard};
use crate::org::{is_account_id, member_role_arn, session_name};

/// What every invocation of a function shares: configuration, SDK setup, own identity.
pub struct Fleet {
    config: GuardConfig,
    sdk: SdkConfig,
    home_region: String,
    function_name: String,
    sts: StsAdapter,
    /// Learnt from the first invocation (see [`Fleet::identity`]); no call at cold start.
    identity: OnceCell<CallerIdentity>,
}

/// `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` → the function's identity.
pub fn identity_from_function_arn(arn: &str) -> Option<CallerIdentity> {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[1].is_empty() {
        return None;
    }
    is_account_id(parts[4]).then(|| CallerIdentity {
        account_id: parts[4].to_string(),
        partition: parts[1].to_string(),
    })
}

impl Fleet {
    /// Cold start: configuration from the environment and SDK defaults. Makes no AWS call.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = GuardConfig::from_env()?;
        let sdk = load_sdk_config(config.api_timeout).await;
        let function_name =
            std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "vpce-guard".to_string());
        Self::new(config, sdk, &function_name)
    }

    /// Like [`Fleet::from_env`] with the configuration and SDK setup given (tests, tools).
    pub fn new(
        config: GuardConfig,
        sdk: SdkConfig,
        function_name: &str,
    ) -> Result<Self, ConfigError> {
        let sts = StsAdapter::new(aws_sdk_sts::Client::new(&sdk));
        let home_region = sdk
            .region()
            .map(|r| r.to_string())
            .ok_or(ConfigError::Missing { name: "AWS_REGION" })?;
        Ok(Self {
            config,
            sdk,
            home_region,
            function_name: function_name.to_string(),
            sts,
            identity: OnceCell::new(),
        })
    }

    /// The account (and partition) the function runs in: read from the invoked function's ARN,
    /// which Lambda passes with every invocation; outside Lambda, one `sts:GetCallerIdentity`.
    pub async fn identity(
        &self,
        invoked_function_arn: &str,
    ) -> Result<&CallerIdentity, FleetError> {
        self.identity
            .get_or_try_init(|| async {
                let identity = match identity_from_function_arn(invoked_function_arn) {
                    Some(identity) => identity,
                    None => self
                        .sts
                        .caller_identity()
                        .await
                        .map_err(FleetError::Identity)?,
                };
                info!(account = %identity.account_id, region = %self.home_region, "vpce-guard identity");
                Ok(identity)
            })
            .await
    }

    pub fn config(&self) -> &GuardConfig {
        &self.config
    }

    pub fn home_region(&self) -> &str {
        &self.home_region
    }

    /// The SDK setup of the home account and region.
    pub fn sdk(&self) -> &SdkConfig {
        &self.sdk
    }

    /// `GUARD_REGIONS`, or the function's own region.
    pub fn regions(&self) -> Vec<String> {
        self.config.org.regions_or(&self.home_region)
    }

    /// Whether `region` is one this deployment guards.
    pub fn guards_region(&self, region: &str) -> bool {
        self.regions().iter().any(|r| r == region)
    }

    /// Publishes notices to the topic in the home account and region.
    pub fn notices(&self) -> SnsAdapter {
        SnsAdapter::new(
            aws_sdk_sns::Client::new(&self.sdk),
            self.config.notice_topic_arn.clone(),
        )
    }

    /// A session for one invocation: member-role credentials are cached in it, per account.
    pub async fn session(&self, context: &Context) -> Result<Session<'_>, FleetError> {
        let identity = self.identity(&context.invoked_function_arn).await?.clone();
        Ok(Session {
            fleet: self,
            identity,
            session_name: session_name(&self.function_name, &context.request_id),
            credentials: Mutex::new(HashMap::new()),
        })
    }
}

type CredentialCell = Arc<OnceCell<Credentials>>;

/// One invocation's access to accounts.
pub struct Session<'a> {
    fleet: &'a Fleet,
    identity: CallerIdentity,
    session_name: String,
    credentials: Mutex<HashMap<String, CredentialCell>>,
}

impl Session<'_> {
    pub fn fleet(&self) -> &Fleet {
        self.fleet
    }

    /// The account the function runs in (the central account of an organization deployment).
    pub fn home_account(&self) -> &str {
        &self.identity.account_id
    }

    /// Whether the guard can act in `account_id` (its own, or any with a member role).
    pub fn reaches_account(&self, account_id: &str) -> bool {
        account_id == self.home_account() || self.fleet.config.org.member_role.is_some()
    }

    /// The STS session name member-account CloudTrail shows for this invocation.
    pub fn session_name(&self) -> &str {
        &self.session_name
    }

    /// The SDK setup to act in `account_id` and `region`: own credentials for the home account,
    /// otherwise the member role (assumed at most once per account per invocation).
    pub async fn sdk_for(&self, account_id: &str, region: &str) -> Result<SdkConfig, FleetError> {
        let fleet = self.fleet;
        let mut builder = fleet.sdk.to_builder();
        builder.set_region(Some(Region::new(region.to_string())));
        if account_id != self.home_account() {
            let credentials = self.member_credentials(account_id).await?;
            builder.set_credentials_provider(Some(SharedCredentialsProvider::new(credentials)));
        }
        Ok(builder.build())
    }

    /// A guard acting in `account_id` and `region`, publishing to the home topic.
    pub async fn guard(&self, account_id: &str, region: &str) -> Result<AwsGuard, FleetError> {
        let target = self.sdk_for(account_id, region).await?;
        // The target always has a region (set above), the only thing building can miss.
        build_guard_in(self.fleet.config.clone(), &self.fleet.sdk, &target).map_err(|_| {
            FleetError::NotConfigured {
                operation: "building the guard",
                name: "AWS_REGION",
            }
        })
    }

    async fn member_credentials(&self, account_id: &str) -> Result<Credentials, FleetError> {
        let fleet = self.fleet;
        let Some(role) = &fleet.config.org.member_role else {
            return Err(FleetError::NoMemberRole {
                account_id: account_id.to_string(),
                home_account: self.home_account().to_string(),
            });
        };
        let cell = {
            let mut cache = match self.credentials.lock() {
                Ok(cache) => cache,
                Err(poisoned) => poisoned.into_inner(),
            };
            cache.entry(account_id.to_string()).or_default().clone()
        };
        let role_arn = member_role_arn(&self.identity.partition, account_id, &role.name);
        let credentials = cell
            .get_or_try_init(|| async {
                info!(%account_id, %role_arn, session = %self.session_name, "assuming the member role");
                fleet
                    .sts
                    .assume_role(&role_arn, &self.session_name, role.external_id.as_deref())
                    .await
                    .map_err(|source| FleetError::AssumeRole {
                        account_id: account_id.to_string(),
                        role_arn: role_arn.clone(),
                        source,
                    })
            })
            .await?;
        Ok(credentials.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_comes_from_the_invoked_function_arn() {
        let id = identity_from_function_arn(
            "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:vpce-guard-sweep-worker:live",
        )
        .unwrap();
        assert_eq!(id.account_id, "123456789012");
        assert_eq!(id.partition, "aws-us-gov");
        for bad in [
            "",
            "arn:aws:lambda",
            "arn:aws:s3:::bucket:x:y",
            "arn:aws:lambda:us-east-1:12:function:f",
        ] {
            assert!(identity_from_function_arn(bad).is_none(), "{bad}");
        }
    }
}

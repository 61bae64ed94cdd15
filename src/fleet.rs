//! Guards for any (account, region): the central deployment's identity, member-role sessions
//! and per-invocation credential caching. Built once per cold start.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::{Region, SdkConfig};
use aws_sdk_ec2::config::{Credentials, SharedCredentialsProvider};
use tokio::sync::OnceCell;
use tracing::info;

use crate::adapters::{CallerIdentity, SnsAdapter, StsAdapter};
use crate::config::GuardConfig;
use crate::error::{ConfigError, FleetError};
use crate::handlers::{build_guard_in, load_sdk_config, AwsGuard};
use crate::org::{member_role_arn, session_name};

/// What every invocation of a function shares: configuration, SDK setup, own identity.
pub struct Fleet {
    config: GuardConfig,
    sdk: SdkConfig,
    identity: CallerIdentity,
    home_region: String,
    function_name: String,
    sts: StsAdapter,
}

impl Fleet {
    /// Cold start: configuration from the environment, SDK defaults, and one
    /// `sts:GetCallerIdentity` to learn the account the function runs in.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = GuardConfig::from_env()?;
        let sdk = load_sdk_config().await;
        let function_name =
            std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "vpce-guard".to_string());
        Self::connect(config, sdk, &function_name).await
    }

    /// Like [`Fleet::from_env`] with the configuration and SDK setup given (tests, tools).
    pub async fn connect(
        config: GuardConfig,
        sdk: SdkConfig,
        function_name: &str,
    ) -> Result<Self, ConfigError> {
        let sts = StsAdapter::new(aws_sdk_sts::Client::new(&sdk));
        let identity = sts.caller_identity().await.map_err(ConfigError::Identity)?;
        let home_region = sdk
            .region()
            .map(|r| r.to_string())
            .ok_or(ConfigError::Missing { name: "AWS_REGION" })?;
        info!(account = %identity.account_id, region = %home_region, "vpce-guard starting");
        Ok(Self {
            config,
            sdk,
            identity,
            home_region,
            function_name: function_name.to_string(),
            sts,
        })
    }

    pub fn config(&self) -> &GuardConfig {
        &self.config
    }

    /// The account the function runs in (the central account of an organization deployment).
    pub fn home_account(&self) -> &str {
        &self.identity.account_id
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

    /// Whether the guard can act in `account_id` (its own, or any with a member role).
    pub fn reaches_account(&self, account_id: &str) -> bool {
        account_id == self.home_account() || self.config.org.member_role.is_some()
    }

    /// Publishes notices to the topic in the home account and region.
    pub fn notices(&self) -> SnsAdapter {
        SnsAdapter::new(
            aws_sdk_sns::Client::new(&self.sdk),
            self.config.notice_topic_arn.clone(),
        )
    }

    /// A session for one invocation: member-role credentials are cached in it, per account.
    pub fn session(&self, request_id: &str) -> Session<'_> {
        Session {
            fleet: self,
            session_name: session_name(&self.function_name, request_id),
            credentials: Mutex::new(HashMap::new()),
        }
    }
}

type CredentialCell = Arc<OnceCell<Credentials>>;

/// One invocation's access to accounts.
pub struct Session<'a> {
    fleet: &'a Fleet,
    session_name: String,
    credentials: Mutex<HashMap<String, CredentialCell>>,
}

impl Session<'_> {
    pub fn fleet(&self) -> &Fleet {
        self.fleet
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
        if account_id != fleet.home_account() {
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
                home_account: fleet.home_account().to_string(),
            });
        };
        let cell = {
            let mut cache = match self.credentials.lock() {
                Ok(cache) => cache,
                Err(poisoned) => poisoned.into_inner(),
            };
            cache.entry(account_id.to_string()).or_default().clone()
        };
        let role_arn = member_role_arn(&fleet.identity.partition, account_id, &role.name);
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

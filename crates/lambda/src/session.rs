//! One invocation's access to accounts: the home account's own credentials, member-role
//! credentials (assumed at most once per account per invocation), and guards built on them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::{Region, SdkConfig};
use aws_sdk_ec2::config::{Credentials, SharedCredentialsProvider};
use tokio::sync::OnceCell;
use tracing::info;
use vpce_guard_adapters::{Ec2Adapter, GuardClients, SnsAdapter};
use vpce_guard_core::ids::{member_role_arn, session_name, CallerIdentity};
use vpce_guard_service::Guard;

use crate::context::FunctionContext;
use crate::error::FunctionError;

/// The guard wired to the real AWS SDK clients.
pub type AwsGuard = Guard<Ec2Adapter, SnsAdapter>;

type CredentialCell = Arc<OnceCell<Credentials>>;

/// One invocation's access to accounts.
pub struct Session<'a> {
    context: &'a FunctionContext,
    identity: CallerIdentity,
    session_name: String,
    credentials: Mutex<HashMap<String, CredentialCell>>,
}

impl<'a> Session<'a> {
    /// The session of one invocation: member-role credentials are cached in it, per account.
    pub async fn open(
        context: &'a FunctionContext,
        invocation: &lambda_runtime::Context,
    ) -> Result<Self, FunctionError> {
        let identity = context
            .identity(&invocation.invoked_function_arn)
            .await?
            .clone();
        Ok(Self {
            context,
            identity,
            session_name: session_name(context.function_name(), &invocation.request_id),
            credentials: Mutex::new(HashMap::new()),
        })
    }

    pub fn context(&self) -> &FunctionContext {
        self.context
    }

    /// The account the function runs in (the central account of an organization deployment).
    pub fn home_account(&self) -> &str {
        &self.identity.account_id
    }

    /// Whether the guard can act in `account_id` (its own, or any with a member role).
    pub fn reaches_account(&self, account_id: &str) -> bool {
        account_id == self.home_account() || self.context.config().org.member_role.is_some()
    }

    /// The STS session name member-account CloudTrail shows for this invocation.
    pub fn session_name(&self) -> &str {
        &self.session_name
    }

    /// The SDK setup to act in `account_id` and `region`: own credentials for the home account,
    /// otherwise the member role.
    pub async fn sdk_for(
        &self,
        account_id: &str,
        region: &str,
    ) -> Result<SdkConfig, FunctionError> {
        let mut builder = self.context.sdk().to_builder();
        builder.set_region(Some(Region::new(region.to_string())));
        if account_id != self.home_account() {
            let credentials = self.member_credentials(account_id).await?;
            builder.set_credentials_provider(Some(SharedCredentialsProvider::new(credentials)));
        }
        Ok(builder.build())
    }

    /// A guard acting in `account_id` and `region`, publishing to the home topic, counting
    /// every request its clients send.
    pub async fn guard(&self, account_id: &str, region: &str) -> Result<AwsGuard, FunctionError> {
        let target = self.sdk_for(account_id, region).await?;
        let context = self.context;
        let endpoints = context.endpoints();
        let clients = GuardClients::new(
            context.sdk(),
            &target,
            &context.config().notice_topic_arn,
            endpoints.ec2.as_deref(),
            endpoints.sns.as_deref(),
        );
        Ok(Guard::new(
            clients.ec2,
            clients.sns,
            context.config().run.clone(),
            region,
        )
        .with_metrics(Arc::new(clients.counter)))
    }

    async fn member_credentials(&self, account_id: &str) -> Result<Credentials, FunctionError> {
        let context = self.context;
        let Some(role) = &context.config().org.member_role else {
            return Err(FunctionError::NoMemberRole {
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
                context
                    .sts()
                    .assume_role(&role_arn, &self.session_name, role.external_id.as_deref())
                    .await
                    .map_err(|source| FunctionError::AssumeRole {
                        account_id: account_id.to_string(),
                        role_arn: role_arn.clone(),
                        source,
                    })
            })
            .await?;
        Ok(credentials.clone())
    }
}

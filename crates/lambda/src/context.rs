//! What every invocation of a function shares, built once per cold start: the configuration,
//! the SDK setup of the home account and Region, and the function's own identity (learnt from
//! the first invocation, so the cold start makes no AWS call).

use aws_config::SdkConfig;
use tokio::sync::OnceCell;
use tracing::{info, warn};
use vpce_guard_adapters::{
    load_sdk_config, OrganizationsAdapter, SdkOptions, SnsAdapter, StsAdapter, SweepLedger,
};
use vpce_guard_core::error::ConfigError;
use vpce_guard_core::ids::{identity_from_function_arn, CallerIdentity};

use crate::config::GuardConfig;
use crate::error::FunctionError;

/// Endpoints that override the SDK's for one service. In production the SDK's own
/// `AWS_ENDPOINT_URL_EC2` / `AWS_ENDPOINT_URL_SNS` do this; tests put a fault-injecting proxy
/// in front of one service this way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceEndpoints {
    pub ec2: Option<String>,
    pub sns: Option<String>,
}

/// The per-cold-start context of a function.
pub struct FunctionContext {
    config: GuardConfig,
    sdk: SdkConfig,
    home_region: String,
    function_name: String,
    endpoints: ServiceEndpoints,
    sts: StsAdapter,
    /// Learnt from the first invocation (see [`FunctionContext::identity`]).
    identity: OnceCell<CallerIdentity>,
    /// The organization's id, read once when a policy needs `${org_id}` and `ORG_ID` is unset.
    organization_id: OnceCell<Option<String>>,
}

impl FunctionContext {
    /// Cold start: configuration from the environment and SDK defaults. Makes no AWS call.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = GuardConfig::from_env()?;
        let sdk = load_sdk_config(SdkOptions {
            attempt_timeout: Some(config.api_timeout),
            ..SdkOptions::default()
        })
        .await;
        let function_name =
            std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "vpce-guard".to_string());
        Self::new(config, sdk, &function_name)
    }

    /// Like [`FunctionContext::from_env`] with the configuration and SDK setup given (tests, tools).
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
            endpoints: ServiceEndpoints::default(),
            sts,
            identity: OnceCell::new(),
            organization_id: OnceCell::new(),
        })
    }

    /// Sends EC2 and/or SNS requests to other endpoints.
    pub fn with_endpoints(mut self, endpoints: ServiceEndpoints) -> Self {
        self.endpoints = endpoints;
        self
    }

    /// The account (and partition) the function runs in: read from the invoked function's ARN,
    /// which Lambda passes with every invocation; outside Lambda, one `sts:GetCallerIdentity`.
    pub async fn identity(
        &self,
        invoked_function_arn: &str,
    ) -> Result<&CallerIdentity, FunctionError> {
        self.identity
            .get_or_try_init(|| async {
                let identity = match identity_from_function_arn(invoked_function_arn) {
                    Some(identity) => identity,
                    None => self
                        .sts
                        .caller_identity()
                        .await
                        .map_err(FunctionError::Identity)?,
                };
                info!(account = %identity.account_id, region = %self.home_region, "vpce-guard identity");
                Ok(identity)
            })
            .await
    }

    /// `ORG_ID`, or the organization's id from Organizations (one DescribeOrganization per cold
    /// start, only when some profile's policy uses `${org_id}`). A failed read is logged and
    /// retried by the next invocation; meanwhile such profiles cannot be resolved and their VPCs
    /// get `unknown_profile` with the reason.
    pub async fn organization_id(&self) -> Option<String> {
        if let Some(id) = &self.config.run.org_id {
            return Some(id.clone());
        }
        if !self.config.run.profiles.uses_org_id() {
            return None;
        }
        let read = self
            .organization_id
            .get_or_try_init(|| async {
                OrganizationsAdapter::new(aws_sdk_organizations::Client::new(&self.sdk))
                    .organization_id()
                    .await
            })
            .await;
        match read {
            Ok(id) => id.clone(),
            Err(error) => {
                warn!(%error, "could not read the organization id (organizations:DescribeOrganization); set ORG_ID");
                None
            }
        }
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

    /// The function's name (STS session names start with it).
    pub fn function_name(&self) -> &str {
        &self.function_name
    }

    pub fn endpoints(&self) -> &ServiceEndpoints {
        &self.endpoints
    }

    pub(crate) fn sts(&self) -> &StsAdapter {
        &self.sts
    }

    /// `GUARD_REGIONS`, or the function's own region.
    pub fn regions(&self) -> Vec<String> {
        self.config.org.regions_or(&self.home_region)
    }

    /// Whether `region` is one this deployment guards.
    pub fn guards_region(&self, region: &str) -> bool {
        self.regions().iter().any(|r| r == region)
    }

    /// The sweep table of `SWEEP_TABLE_NAME` (the sweep's lease, the organization ledger), when
    /// one is configured.
    pub fn sweep_ledger(&self) -> Option<SweepLedger> {
        let table = self.config.org.sweep_table.as_ref()?;
        Some(SweepLedger::new(
            aws_sdk_dynamodb::Client::new(&self.sdk),
            table,
        ))
    }

    /// Publishes notices to the topic in the home account and region.
    pub fn notices(&self) -> SnsAdapter {
        let mut config = aws_sdk_sns::config::Builder::from(&self.sdk);
        if let Some(url) = &self.endpoints.sns {
            config = config.endpoint_url(url);
        }
        SnsAdapter::new(
            aws_sdk_sns::Client::from_conf(config.build()),
            self.config.notice_topic_arn.clone(),
        )
    }
}

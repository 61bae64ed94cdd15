//! One invocation's access to accounts: the home account's own credentials, member-role
//! credentials (assumed at most once per account per invocation), and guards built on them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_config::{Region, SdkConfig};
use aws_sdk_ec2::config::{Credentials, SharedCredentialsProvider};
use tokio::sync::OnceCell;
use tracing::info;
use vpce_guard_adapters::{Ec2Adapter, GuardClients, OrganizationsAdapter, SnsAdapter};
use vpce_guard_core::ids::{member_role_arn, session_name, CallerIdentity};
use vpce_guard_core::usage::UsageCheck;
use vpce_guard_service::Guard;

use crate::context::FunctionContext;
use crate::error::FunctionError;

/// The guard wired to the real AWS SDK clients.
pub type AwsGuard = Guard<Ec2Adapter, SnsAdapter>;

/// What a release leaves of the invocation after its wait: the security group's deletion and the
/// notice.
const RELEASE_MARGIN: Duration = Duration::from_secs(20);

/// `RELEASE_WAIT_SECONDS`, shortened so the wait ends `RELEASE_MARGIN` before the invocation's
/// deadline (milliseconds since the epoch; 0 when unknown, outside Lambda).
fn release_wait_within(configured: Duration, deadline_ms: u64, now: SystemTime) -> Duration {
    if deadline_ms == 0 {
        return configured;
    }
    let deadline = UNIX_EPOCH + Duration::from_millis(deadline_ms);
    let left = deadline
        .duration_since(now)
        .unwrap_or_default()
        .saturating_sub(RELEASE_MARGIN);
    configured.min(left)
}

/// What the pacer leaves of the invocation after its last EC2 request: the notices, the summary
/// and Security Hub.
const PACING_MARGIN: Duration = Duration::from_secs(30);

/// The instant after which the EC2 client sends no more requests (remedies are deferred to the
/// next run instead of the invocation timing out); None outside Lambda (no deadline).
fn pacing_deadline(deadline_ms: u64, now: SystemTime) -> Option<std::time::Instant> {
    if deadline_ms == 0 {
        return None;
    }
    let deadline = UNIX_EPOCH + Duration::from_millis(deadline_ms);
    let left = deadline
        .duration_since(now)
        .unwrap_or_default()
        .saturating_sub(PACING_MARGIN);
    Some(std::time::Instant::now() + left)
}

type CredentialCell = Arc<OnceCell<Credentials>>;

/// The checks a run makes besides the reconcile loop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunChecks {
    /// Whether CloudTrail feeds the event path (the day's first scheduled run, a new account).
    pub event_path: bool,
    /// Endpoint usage and verified savings (scheduled runs that `USAGE_CHECK` chooses).
    pub usage: bool,
}

impl RunChecks {
    /// The checks of a scheduled sweep: `daily` when it is the day's first of its account and
    /// Region.
    pub fn scheduled(daily: bool, usage: UsageCheck) -> Self {
        Self {
            event_path: daily,
            usage: usage.reads_on(daily),
        }
    }
}

/// One invocation's access to accounts.
pub struct Session<'a> {
    context: &'a FunctionContext,
    identity: CallerIdentity,
    session_name: String,
    credentials: Mutex<HashMap<String, CredentialCell>>,
    /// The OUs above each account (profile selection by OU), read at most once.
    parents: Mutex<HashMap<String, Arc<OnceCell<Vec<String>>>>>,
    /// The invocation's deadline (ms since the epoch, 0 when unknown): bounds a release's wait.
    deadline_ms: u64,
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
            parents: Mutex::new(HashMap::new()),
            deadline_ms: invocation.deadline,
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
        self.guard_with_checks(account_id, region, RunChecks::default())
            .await
    }

    /// [`Session::guard`], which in a run over the whole Region also makes `checks`: the event
    /// path (CloudTrail) and endpoint usage (CloudWatch).
    pub async fn guard_with_checks(
        &self,
        account_id: &str,
        region: &str,
        checks: RunChecks,
    ) -> Result<AwsGuard, FunctionError> {
        let target = self.sdk_for(account_id, region).await?;
        let context = self.context;
        let endpoints = context.endpoints();
        let clients = GuardClients::new(
            context.sdk(),
            &target,
            &context.config().notice_topic_arn,
            endpoints.ec2.as_deref(),
            endpoints.sns.as_deref(),
            context
                .config()
                .pacing_enabled
                .then_some(context.config().pacing),
            pacing_deadline(self.deadline_ms, SystemTime::now()),
        );
        let mut settings = context.config().run.clone();
        settings.org_id = context.organization_id().await;
        settings.release_wait =
            release_wait_within(settings.release_wait, self.deadline_ms, SystemTime::now());
        let parents = self.account_parents(account_id).await?;
        let usage_reads = Arc::new(clients.nat_traffic.metrics().clone());
        let mut guard = Guard::new(clients.ec2, clients.sns, settings, region)
            .with_metrics(Arc::new(clients.counter))
            .with_nat_traffic(Arc::new(clients.nat_traffic))
            .with_partition(self.identity.partition.clone())
            .with_central_dns(Arc::new(clients.route53))
            .with_account_parents(parents);
        if checks.event_path {
            guard = guard.with_trails(Arc::new(clients.trails));
        }
        if checks.usage {
            guard = guard.with_usage(usage_reads);
        }
        if context.config().security_hub_findings {
            guard = guard.with_security_hub(
                Arc::new(clients.security_hub),
                self.identity.partition.clone(),
            );
        }
        Ok(guard)
    }

    /// The OUs above `account_id` when `ACCOUNT_PROFILES` may select its profile by OU (not
    /// named itself, some key an OU or root): a few ListParents calls, once per account per
    /// invocation. Otherwise none and no call.
    async fn account_parents(&self, account_id: &str) -> Result<Vec<String>, FunctionError> {
        let profiles = &self.context.config().run.account_profiles;
        if !profiles.selects_by_ou(account_id) {
            return Ok(Vec::new());
        }
        let cell = {
            let mut cache = match self.parents.lock() {
                Ok(cache) => cache,
                Err(poisoned) => poisoned.into_inner(),
            };
            cache.entry(account_id.to_string()).or_default().clone()
        };
        let parents = cell
            .get_or_try_init(|| async {
                OrganizationsAdapter::new(aws_sdk_organizations::Client::new(self.context.sdk()))
                    .parents_of(account_id)
                    .await
                    .map_err(|source| FunctionError::AccountParents {
                        account_id: account_id.to_string(),
                        source,
                    })
            })
            .await?;
        Ok(parents.clone())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_wait_ends_before_the_invocation_does() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let wait = Duration::from_secs(60);
        // 120 s left: the full minute.
        assert_eq!(release_wait_within(wait, 1_120_000, now), wait);
        // 50 s left: 30 s, leaving 20 s for the group and the notice.
        assert_eq!(
            release_wait_within(wait, 1_050_000, now),
            Duration::from_secs(30)
        );
        // Past the deadline, or no deadline known.
        assert_eq!(release_wait_within(wait, 999_000, now), Duration::ZERO);
        assert_eq!(release_wait_within(wait, 0, now), wait);
    }
}

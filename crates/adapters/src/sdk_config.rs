//! The SDK configuration every entry point starts from, the Lambda functions and the CLI alike:
//! the standard credential chain, adaptive retry and bounded timeouts.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};

/// Default per-attempt timeout (`API_TIMEOUT_SECONDS`).
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long opening a connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// EC2 throttles per account and region (`RequestLimitExceeded`): back off adaptively, with up to
/// five attempts per call, instead of failing fast.
pub fn retry_config() -> RetryConfig {
    RetryConfig::adaptive().with_max_attempts(5)
}

/// Where the configuration comes from besides the environment.
#[derive(Debug, Clone, Default)]
pub struct SdkOptions<'a> {
    /// A named profile of the shared config files (the CLI's `--profile`).
    pub profile: Option<&'a str>,
    /// The Region, overriding the environment and profile.
    pub region: Option<&'a str>,
    /// Bounds one request attempt; a call with its retries gets three times that.
    pub attempt_timeout: Option<Duration>,
}

/// Loads the SDK configuration (and honours `AWS_ENDPOINT_URL`, which points everything at a
/// local emulator).
pub async fn load_sdk_config(options: SdkOptions<'_>) -> SdkConfig {
    let attempt_timeout = options.attempt_timeout.unwrap_or(DEFAULT_ATTEMPT_TIMEOUT);
    let mut loader: ConfigLoader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config())
        // A stuck connection must not eat the whole Lambda timeout: bound each attempt.
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(attempt_timeout)
                .operation_timeout(attempt_timeout * 3)
                .build(),
        );
    if let Some(profile) = options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = options.region {
        loader = loader.region(Region::new(region.to_string()));
    }
    loader.load().await
}

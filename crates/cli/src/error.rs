//! How the CLI ends: exit codes a pipeline can gate on, and the one-line error it prints.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | compliant, or done |
//! | 1 | a runtime error: AWS unreachable or refusing, an unknown id, a failed remedy, a refused `apply` |
//! | 2 | `plan`: drift found |
//! | 3 | `release`: EC2 is still deleting the guard's endpoints (retry the deletion later) |
//! | 64 | a usage error: an unknown flag or command, a bad value (`EX_USAGE` of sysexits.h) |

use vpce_guard_adapters::sdk_error::NO_CREDENTIALS;
use vpce_guard_core::error::ApiError;
use vpce_guard_service::GuardError;

use crate::shown::shown;

/// Exit code when `plan` found drift, so a pipeline step can gate on it.
pub const EXIT_DRIFT: u8 = 2;
/// Exit code of an error, a refused `apply`, or an `apply` with failed remedies.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of a `release` whose endpoints EC2 is still deleting: retry the deletion later.
pub const EXIT_PENDING: u8 = 3;
/// Exit code of a command line the CLI cannot run (`EX_USAGE`): never 2, which means drift.
pub const EXIT_USAGE: u8 = 64;

static VERBOSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `--verbose`: AWS failures also print the whole error the SDK returned, on a second line.
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// How much of an AWS message a one-line error shows.
const MAX_MESSAGE_CHARS: usize = 300;

/// An error the CLI reports on one line and exits 1 for.
#[derive(Debug)]
pub struct CliError(pub String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

impl CliError {
    /// A failed AWS call in `region`, as one line: what failed, why, and what to do.
    pub fn aws(region: &str, error: &ApiError) -> Self {
        let line = describe(region, error);
        if VERBOSE.load(std::sync::atomic::Ordering::Relaxed) {
            CliError(format!("{line}\n  detail: {error}"))
        } else {
            CliError(line)
        }
    }

    /// A guard run that failed as a whole in `region`.
    pub fn guard(region: &str, error: &GuardError) -> Self {
        match error {
            GuardError::Observe(e) | GuardError::Resolve(e) | GuardError::Usage(e) => {
                CliError::aws(region, e)
            }
            GuardError::Publish { source, .. } => CliError::aws(region, source),
            other => CliError(format!("{region}: {other}")),
        }
    }
}

/// The service an operation belongs to, as IAM names it.
fn service_of(operation: &str) -> &'static str {
    match operation {
        "GetCallerIdentity" | "AssumeRole" => "sts",
        "GetMetricData" => "cloudwatch",
        "ListHostedZonesByVPC" => "route53",
        _ => "ec2",
    }
}

fn shorten(text: &str) -> String {
    shown(
        &text.split_whitespace().collect::<Vec<_>>().join(" "),
        MAX_MESSAGE_CHARS,
    )
}

/// The endpoint requests go to: `AWS_ENDPOINT_URL` when set, else the service's own.
fn endpoint(region: &str, service: &str) -> String {
    std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| format!("the {service} endpoint of {region}"))
}

fn describe(region: &str, e: &ApiError) -> String {
    let service = service_of(e.operation);
    let action = format!("{service}:{}", e.operation);
    match e.code.as_str() {
        NO_CREDENTIALS => format!(
            "{region}: no AWS credentials found (environment, profile, SSO, container or instance role): set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run `aws sso login` (--verbose for the chain)"
        ),
        "DispatchFailure" => {
            let cause = connection_cause(&e.message);
            format!(
                "{region}: cannot reach AWS at {} ({cause}): check AWS_ENDPOINT_URL, the network and any proxy",
                endpoint(region, service)
            )
        }
        "Timeout" => format!(
            "{region}: {action} got no answer in time from {}: check the network, or retry",
            endpoint(region, service)
        ),
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequestsException" => format!(
            "{region}: {action} was throttled by AWS ({}) after the SDK's retries: other tools share the account's limits; retry later, with --ec2-pacing on",
            e.code
        ),
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "AuthFailure" => format!(
            "{region}: access denied to {action}: the credentials' role needs it (docs/iam.md lists every permission the guard uses): {}",
            shorten(&e.message)
        ),
        "InvalidClientTokenId" | "ExpiredToken" | "ExpiredTokenException" | "SignatureDoesNotMatch" => format!(
            "{region}: AWS refused the credentials for {action} ({}): they are unknown, expired or mistyped; refresh them (`aws sso login`, or new keys)",
            e.code
        ),
        code => format!("{region}: {action} failed: {code}: {}", shorten(&e.message)),
    }
}

/// A short reason for a request that got no answer: refused, unknown host, reset.
fn connection_cause(message: &str) -> String {
    let lower = message.to_ascii_lowercase();
    if lower.contains("connection refused") {
        "connection refused".to_string()
    } else if lower.contains("dns error") || lower.contains("failed to lookup address") {
        "the host name does not resolve".to_string()
    } else if lower.contains("connection reset") {
        "connection reset".to_string()
    } else if lower.contains("timed out") || lower.contains("timeout") {
        "the connection timed out".to_string()
    } else if lower.contains("certificate") || lower.contains("tls") {
        "TLS failed".to_string()
    } else {
        shorten(message.rsplit(": ").next().unwrap_or(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_failures_read_as_one_line_with_what_to_do() {
        let refused = ApiError::new(
            "GetCallerIdentity",
            "DispatchFailure",
            "dispatch failure: io error: client error (Connect): tcp connect error: Connection refused (os error 111)",
        );
        let line = describe("us-east-1", &refused);
        assert!(
            line.contains("cannot reach AWS") && line.contains("connection refused"),
            "{line}"
        );
        assert!(!line.contains('\n'));
        let dns = ApiError::new(
            "DescribeVpcs",
            "DispatchFailure",
            "dns error: failed to lookup address information: Name or service not known",
        );
        assert!(describe("us-east-1", &dns).contains("does not resolve"));
        let creds = ApiError::new(
            "GetCallerIdentity",
            NO_CREDENTIALS,
            "no credentials found in chain",
        );
        assert!(describe("us-east-1", &creds).contains("no AWS credentials"));
        let denied = ApiError::new(
            "DescribeVpcs",
            "UnauthorizedOperation",
            "You are not authorized",
        );
        assert!(describe("eu-west-1", &denied).contains("access denied to ec2:DescribeVpcs"));
        let long = ApiError::new("DescribeVpcs", "Weird", "x".repeat(5_000));
        assert!(describe("us-east-1", &long).chars().count() < 400);
    }
}

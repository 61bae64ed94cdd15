//! Typed errors. Each says what failed and where, so an operator can act on the log line alone.

use thiserror::Error;

/// Configuration that cannot be used; raised at cold start so a bad deployment fails loudly.
#[derive(Error, PartialEq)]
pub enum ConfigError {
    #[error("environment variable {name} is required but not set")]
    Missing { name: &'static str },
    #[error("environment variable {name}={value:?} is invalid: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
    #[error("GUARD_BASELINE is invalid: {0}")]
    Baseline(#[from] BaselineError),
    #[error("ACCOUNT_PROFILES is invalid: {0}")]
    AccountProfiles(#[from] AccountProfilesError),
}

/// The Lambda runtime prints a failed cold start with `{:?}`: make that the readable message.
impl std::fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// A baseline document that cannot be used; the message names the offending field, and the
/// variant carries where it is (serde_json's position, or the service's index), so
/// `baseline::locate_error` points at the line without reading the message.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum BaselineError {
    /// Not JSON at all. `message` is serde_json's, which ends with `at line L column C`;
    /// `line` (1-based) and `column` are the same position, 0 when serde_json had none.
    #[error("not valid JSON for a baseline: {message}")]
    Syntax {
        message: String,
        line: usize,
        column: usize,
    },
    /// JSON, but not shaped like a baseline: no `services` list, an unknown top-level field, or
    /// a top-level field other than `services` that does not deserialize.
    #[error("not valid JSON for a baseline: {0}")]
    Parse(String),
    /// Service entry `index` does not deserialize (unknown field, unknown `type`, ...).
    #[error("not valid JSON for a baseline: field `services[{index}]`: {reason}")]
    Entry { index: usize, reason: String },
    #[error("field `services` must list at least one service")]
    Empty,
    #[error("field `services[{index}].service` is empty")]
    EmptyName { index: usize },
    #[error("field `services[{index}].service` = {name:?} is listed twice")]
    Duplicate { index: usize, name: String },
    #[error("field `services[{index}].type` = Gateway is only offered for s3 and dynamodb, not {name:?}")]
    GatewayNotOffered { index: usize, name: String },
    #[error("field `services[{index}].private_dns` applies only to Interface endpoints")]
    PrivateDnsOnGateway { index: usize },
    #[error(
        "field `services[{index}].policy` is not a JSON object or a string holding one: {reason}"
    )]
    Policy { index: usize, reason: String },
    #[error("field `services[{index}].policy` is {len} characters; EC2 accepts at most 20480")]
    PolicyTooLong { index: usize, len: usize },
    #[error("field `{field}` {reason}")]
    Field { field: String, reason: String },
    #[error("field `services[{index}].service` = {name:?} is not a valid service name: {reason}")]
    BadName {
        index: usize,
        name: String,
        reason: &'static str,
    },
    /// A policy that is JSON but not a usable template: an unknown preset or placeholder.
    #[error("field `services[{index}].policy` {reason}")]
    PolicyTemplate { index: usize, reason: PolicyError },
    /// An error inside profile `profile` of a profile set; the message puts the field under
    /// `profiles.NAME.` (e.g. `profiles.eks.services[2].service`).
    #[error("{}", in_profile(profile, error))]
    Profile {
        profile: String,
        error: Box<BaselineError>,
    },
}

impl BaselineError {
    /// The same error about service entry `f(index)` instead of `index`: a preset profile
    /// validates its merged list, but its errors must point at the entry the operator wrote.
    pub(crate) fn map_index(self, f: impl Fn(usize) -> usize) -> Self {
        use BaselineError as E;
        match self {
            E::Entry { index, reason } => E::Entry {
                index: f(index),
                reason,
            },
            E::EmptyName { index } => E::EmptyName { index: f(index) },
            E::Duplicate { index, name } => E::Duplicate {
                index: f(index),
                name,
            },
            E::GatewayNotOffered { index, name } => E::GatewayNotOffered {
                index: f(index),
                name,
            },
            E::PrivateDnsOnGateway { index } => E::PrivateDnsOnGateway { index: f(index) },
            E::Policy { index, reason } => E::Policy {
                index: f(index),
                reason,
            },
            E::PolicyTooLong { index, len } => E::PolicyTooLong {
                index: f(index),
                len,
            },
            E::BadName {
                index,
                name,
                reason,
            } => E::BadName {
                index: f(index),
                name,
                reason,
            },
            E::PolicyTemplate { index, reason } => E::PolicyTemplate {
                index: f(index),
                reason,
            },
            other @ (E::Syntax { .. }
            | E::Parse(_)
            | E::Empty
            | E::Field { .. }
            | E::Profile { .. }) => other,
        }
    }
}

/// `error`'s message with its field path moved under `profiles.NAME.`; every message names its
/// field as "field `PATH`", so the first such mention is the one to qualify.
fn in_profile(profile: &str, error: &BaselineError) -> String {
    let message = error.to_string();
    match message.split_once("field `") {
        Some((before, path)) => format!("{before}field `profiles.{profile}.{path}"),
        None => format!("field `profiles.{profile}`: {message}"),
    }
}

/// Why an endpoint policy of the baseline cannot be used: its JSON, its preset names, its
/// placeholders, or (at resolve time) the values they need.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// Not JSON, or JSON that is not an object (today's policy forms).
    #[error("is not a JSON object or a string holding one: {0}")]
    Json(String),
    #[error("names unknown policy preset {name:?} (expected a JSON object, a string holding one, or presets among {expected})")]
    UnknownPreset { name: String, expected: String },
    #[error("names policy preset {name:?} twice")]
    DuplicatePreset { name: String },
    #[error("is an empty list; name at least one policy preset")]
    NoPresets,
    #[error("uses unknown placeholder ${{{name}}} (known: ${{org_id}}, ${{account_id}}, ${{region}}, ${{partition}})")]
    UnknownPlaceholder { name: String },
    #[error("has an unclosed placeholder in {text:?}")]
    UnclosedPlaceholder { text: String },
    #[error("needs ${{org_id}}, but no organization id is known for this account")]
    MissingOrgId,
    #[error("is {len} characters after substitution; EC2 accepts at most 20480")]
    TooLong { len: usize },
}

/// A baseline service whose policy cannot be resolved for one account and region.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("the policy of service `{service}` {reason}")]
pub struct ResolveError {
    /// Short service name, e.g. `s3`.
    pub service: String,
    pub reason: PolicyError,
}

/// `ACCOUNT_PROFILES` (account or OU id → profile name) that cannot be used.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AccountProfilesError {
    #[error("not valid JSON: {0}")]
    Syntax(String),
    #[error("must be a JSON object of account, OU or root id to profile name")]
    NotAnObject,
    #[error("key {key:?} is not a 12-digit account id, an OU id (ou-…) or a root id (r-…)")]
    BadKey { key: String },
    #[error("the value of {key:?} must be a profile name (a string)")]
    NotAName { key: String },
    #[error("{key:?} names unknown profile {profile:?} (profiles: {known})")]
    UnknownProfile {
        key: String,
        profile: String,
        known: String,
    },
}

/// An incoming event that claims to be of a handled kind but cannot be understood.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum EventError {
    #[error("event is not an EventBridge event: {0}")]
    Envelope(String),
    #[error("CloudTrail event {event_name} has no `detail.{field}`")]
    MissingField {
        event_name: String,
        field: &'static str,
    },
    #[error(
        "CloudTrail event {event_name} names no VPC, subnet, route table, association or endpoint"
    )]
    NoResources { event_name: String },
    #[error("CloudTrail event detail is malformed: {0}")]
    Detail(String),
}

/// A failed call to an AWS API, with the service error code when AWS gave one.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{operation} failed: {code}: {message}")]
pub struct ApiError {
    pub operation: &'static str,
    /// The AWS error code (e.g. `RequestLimitExceeded`), or a transport category when no response came back.
    pub code: String,
    pub message: String,
}

/// The code of a request the guard's own pacing would have sent after the invocation's deadline:
/// it is not sent, and the remedy waits for the next run.
pub const PACING_DEADLINE: &str = "PacingDeadline";

/// The code EC2 answers CreateVpcEndpoint with when private DNS cannot be enabled.
pub const INVALID_PARAMETER: &str = "InvalidParameter";
/// What EC2's message says when a private hosted zone for the service's name is already
/// associated with the VPC ("...a conflicting DNS domain exists for this VPC...").
pub const PRIVATE_DNS_CONFLICT_TEXT: &str = "conflicting DNS domain";

impl ApiError {
    /// Whether the request was held back by the guard's pacing past the invocation's deadline.
    pub fn is_pacing_deadline(&self) -> bool {
        self.code == PACING_DEADLINE
    }

    /// Whether EC2 refused private DNS because the VPC already resolves the service's name
    /// through a private hosted zone (a central endpoint, often another account's).
    pub fn is_private_dns_conflict(&self) -> bool {
        self.code == INVALID_PARAMETER
            && self
                .message
                .to_ascii_lowercase()
                .contains(&PRIVATE_DNS_CONFLICT_TEXT.to_ascii_lowercase())
    }

    pub fn new(
        operation: &'static str,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            operation,
            code: code.into(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_dns_conflict_is_recognised_by_code_and_message() {
        let conflict = ApiError::new(
            "CreateVpcEndpoint",
            INVALID_PARAMETER,
            "private-dns-enabled cannot be set because there is already a conflicting DNS domain for api.ecr.us-east-1.amazonaws.com in the VPC vpc-1",
        );
        assert!(conflict.is_private_dns_conflict());
        let other = ApiError::new("CreateVpcEndpoint", INVALID_PARAMETER, "bad subnet");
        assert!(!other.is_private_dns_conflict());
        let throttled = ApiError::new(
            "CreateVpcEndpoint",
            "RequestLimitExceeded",
            "conflicting DNS domain",
        );
        assert!(!throttled.is_private_dns_conflict());
    }
}

/// Work items the queue did not take.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{not_sent} of {total} work item(s) could not be queued: {first_error}")]
pub struct EnqueueError {
    pub not_sent: usize,
    pub total: usize,
    pub first_error: String,
}

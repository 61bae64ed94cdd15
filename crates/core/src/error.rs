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

impl ApiError {
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

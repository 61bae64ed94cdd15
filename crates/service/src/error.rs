//! Failures that end a guard run (and so the invocation, which sends its event to the retry and
//! dead-letter path). Per-VPC failures are not errors: they become notices.

use thiserror::Error;
use vpce_guard_core::error::{ApiError, EventError};

#[derive(Debug, Error)]
pub enum GuardError {
    #[error(transparent)]
    Event(#[from] EventError),
    #[error("observing the region failed: {0}")]
    Observe(ApiError),
    #[error("resolving the VPC affected by the event failed: {0}")]
    Resolve(ApiError),
    #[error("reading endpoint usage failed: {0}")]
    Usage(ApiError),
    #[error("publishing {unpublished} notice(s) to SNS failed; remediation already applied is kept and a retry will not repeat it: {source}")]
    Publish {
        unpublished: usize,
        #[source]
        source: ApiError,
    },
}

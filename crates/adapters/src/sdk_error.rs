//! Turns SDK errors into [`ApiError`], keyed by the AWS error code rather than Debug strings.

use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use vpce_guard_core::error::{ApiError, PACING_DEADLINE};

use crate::pacing::PACING_DEADLINE_MARKER;

/// Converts any SDK operation error, keeping `code()` when AWS answered and a transport
/// category (`Timeout`, `DispatchFailure`, …) when it did not.
pub fn api_error<E, R>(operation: &'static str, err: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let code = match err.code() {
        Some(code) => code.to_string(),
        None if DisplayErrorContext(&err)
            .to_string()
            .contains(PACING_DEADLINE_MARKER) =>
        {
            PACING_DEADLINE.to_string()
        }
        None => match &err {
            SdkError::TimeoutError(_) => "Timeout".to_string(),
            SdkError::DispatchFailure(_) => "DispatchFailure".to_string(),
            SdkError::ResponseError(_) => "ResponseError".to_string(),
            SdkError::ConstructionFailure(_) => "ConstructionFailure".to_string(),
            _ => "Unknown".to_string(),
        },
    };
    let message = match err.message() {
        Some(message) => message.to_string(),
        None => DisplayErrorContext(&err).to_string(),
    };
    ApiError::new(operation, code, message)
}

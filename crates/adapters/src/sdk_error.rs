//! Turns SDK errors into [`ApiError`], keyed by the AWS error code rather than Debug strings.

use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use vpce_guard_core::error::{ApiError, PACING_DEADLINE};

use crate::pacing_deadline::refused_by_pacing;

/// Converts any SDK operation error, keeping `code()` when AWS answered and a transport
/// category (`Timeout`, `DispatchFailure`, …) when it did not.
pub fn api_error<E, R>(operation: &'static str, err: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let code = match err.code() {
        Some(code) => code.to_string(),
        None if held_past_deadline(&err) => PACING_DEADLINE.to_string(),
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

/// Whether the paced connector refused to send the request (its turn came after the deadline).
fn held_past_deadline<E, R>(err: &SdkError<E, R>) -> bool {
    match err {
        SdkError::DispatchFailure(failure) => {
            failure.as_connector_error().is_some_and(refused_by_pacing)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsError;
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_runtime_api::client::result::ConnectorError;

    use super::*;
    use crate::pacing_deadline::PacingDeadlineError;

    fn dispatch_failure(source: ConnectorError) -> SdkError<DescribeVpcsError, HttpResponse> {
        SdkError::dispatch_failure(source)
    }

    #[test]
    fn a_request_held_past_the_deadline_gets_the_pacing_code() {
        let err = dispatch_failure(ConnectorError::user(Box::new(PacingDeadlineError)));
        let api = api_error("CreateVpcEndpoint", err);
        assert_eq!(api.code, PACING_DEADLINE);
        assert!(api.is_pacing_deadline());
    }

    #[test]
    fn other_connector_errors_keep_their_transport_category() {
        let err = dispatch_failure(ConnectorError::io("connection reset".into()));
        let api = api_error("CreateVpcEndpoint", err);
        assert_eq!(api.code, "DispatchFailure");
        assert!(!api.is_pacing_deadline());
    }
}

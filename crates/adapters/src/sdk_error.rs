//! Turns SDK errors into [`ApiError`], keyed by the AWS error code rather than Debug strings.

use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use vpce_guard_core::error::{ApiError, PACING_DEADLINE};

use crate::pacing_deadline::refused_by_pacing;

/// Converts any SDK operation error, keeping `code()` when AWS answered and a transport
/// category (`Timeout`, `DispatchFailure`, …) when it did not.
pub fn api_error<E, R>(operation: &'static str, err: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    let code = match err.code() {
        Some(code) => code.to_string(),
        None if held_past_deadline(&err) => PACING_DEADLINE.to_string(),
        None if lacks_credentials(&err) => NO_CREDENTIALS.to_string(),
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
        None => cause_chain(&err),
    };
    ApiError::new(operation, code, message)
}

/// The code of a request that was never sent because no credentials could be found.
pub const NO_CREDENTIALS: &str = "NoCredentials";

/// The error and its causes, each once, joined with `: ` (what [`DisplayErrorContext`] prints
/// without the Debug dump of the whole error it appends).
fn cause_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        // Some layers repeat their cause in their own message.
        if !text.is_empty() && !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    if parts.is_empty() {
        DisplayErrorContext(err).to_string()
    } else {
        parts.join(": ")
    }
}

/// Whether the request failed before it was sent because the credential chain found nothing.
fn lacks_credentials(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = next {
        if e.downcast_ref::<aws_credential_types::provider::error::CredentialsError>()
            .is_some_and(|c| {
                matches!(
                    c,
                    aws_credential_types::provider::error::CredentialsError::CredentialsNotLoaded(
                        _
                    )
                )
            })
        {
            return true;
        }
        next = e.source();
    }
    false
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

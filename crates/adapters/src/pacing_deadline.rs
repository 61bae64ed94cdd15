//! The paced connector's refusal to send a request whose turn comes after the invocation's
//! deadline: its own error type, so the error mapping (`sdk_error`) and the request counter
//! (`metrics`) recognise it by type, not by message text.

use aws_smithy_runtime_api::client::result::ConnectorError;

/// A request the pacer did not send: the invocation's deadline would pass first.
#[derive(Debug, thiserror::Error)]
#[error("vpce-guard pacing: not sent, the invocation's deadline would pass first")]
pub struct PacingDeadlineError;

/// Whether `error` is the pacer's refusal (the request never left the process).
pub fn refused_by_pacing(error: &ConnectorError) -> bool {
    std::error::Error::source(error).is_some_and(|source| source.is::<PacingDeadlineError>())
}

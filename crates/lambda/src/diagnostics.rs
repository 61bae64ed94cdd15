//! What Lambda reports for a failed invocation: a stable `errorType` per failure kind (alarms
//! and log filters match on it) and the error's own message.

use lambda_runtime::Diagnostic;
use vpce_guard_service::GuardError;

use crate::error::FunctionError;

impl From<FunctionError> for Diagnostic {
    fn from(error: FunctionError) -> Self {
        Diagnostic {
            error_type: error_type(&error).to_string(),
            error_message: error.to_string(),
        }
    }
}

/// The `errorType` of a failed invocation.
pub fn error_type(error: &FunctionError) -> &'static str {
    match error {
        FunctionError::Guard(inner) => guard_error_type(inner),
        FunctionError::Event(_) => "InvalidEvent",
        FunctionError::AssumeRole { .. } | FunctionError::NoMemberRole { .. } => {
            "MemberAccessFailed"
        }
        FunctionError::Identity(_) => "IdentityUnknown",
        FunctionError::ListAccounts(_) | FunctionError::NothingToSweep => "ListAccountsFailed",
        FunctionError::AccountParents { .. } => "AccountParentsFailed",
        FunctionError::Enqueue(_) => "EnqueueFailed",
        FunctionError::Ledger(_) => "LedgerFailed",
        FunctionError::NotConfigured { .. } => "NotConfigured",
        FunctionError::Regions { .. } => "RegionsFailed",
    }
}

fn guard_error_type(error: &GuardError) -> &'static str {
    match error {
        GuardError::Event(_) => "InvalidEvent",
        GuardError::Observe(_) => "ObserveFailed",
        GuardError::Resolve(_) => "ResolveFailed",
        GuardError::Usage(_) => "UsageFailed",
        GuardError::Publish { .. } => "PublishFailed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vpce_guard_core::error::{ApiError, EventError};

    #[test]
    fn every_failure_has_a_stable_error_type() {
        let api = || ApiError::new("DescribeVpcs", "RequestLimitExceeded", "slow down");
        let cases = [
            (
                FunctionError::Guard(GuardError::Observe(api())),
                "ObserveFailed",
            ),
            (
                FunctionError::Guard(GuardError::Publish {
                    unpublished: 2,
                    source: api(),
                }),
                "PublishFailed",
            ),
            (
                FunctionError::Event(EventError::Envelope("x".into())),
                "InvalidEvent",
            ),
            (FunctionError::Ledger(api()), "LedgerFailed"),
            (FunctionError::NothingToSweep, "ListAccountsFailed"),
        ];
        for (error, expected) in cases {
            let message = error.to_string();
            let diagnostic = Diagnostic::from(error);
            assert_eq!(diagnostic.error_type, expected);
            assert_eq!(diagnostic.error_message, message);
        }
    }
}

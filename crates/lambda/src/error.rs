//! Failures that end an invocation: the guard's own, and those of the plumbing around it
//! (roles, accounts, the work queue, the ledger). Each becomes a Lambda diagnostic
//! ([`crate::diagnostics`]) with a stable `errorType`.

use thiserror::Error;
use vpce_guard_adapters::EnqueueError;
use vpce_guard_core::error::{ApiError, EventError};
use vpce_guard_service::org::OrgError;
use vpce_guard_service::GuardError;

#[derive(Debug, Error)]
pub enum FunctionError {
    #[error(transparent)]
    Event(#[from] EventError),
    #[error(transparent)]
    Guard(#[from] GuardError),
    #[error("cannot act in account {account_id}: assuming {role_arn} failed: {source}")]
    AssumeRole {
        account_id: String,
        role_arn: String,
        #[source]
        source: ApiError,
    },
    #[error("account {account_id} is not this deployment's account ({home_account}) and MEMBER_ROLE_NAME is not set, so the guard cannot act there")]
    NoMemberRole {
        account_id: String,
        home_account: String,
    },
    #[error("cannot tell which account this function runs in (sts:GetCallerIdentity): {0}")]
    Identity(ApiError),
    #[error("ACCOUNT_PROFILES names OUs, but the OUs above account {account_id} could not be read (organizations:ListParents): {source}")]
    AccountParents {
        account_id: String,
        #[source]
        source: ApiError,
    },
    #[error("listing the organization's accounts failed: {0}")]
    ListAccounts(ApiError),
    #[error("the organization sweep has no account to cover (GUARD_ACCOUNTS, or AWS Organizations after the include/exclude/OU filters)")]
    NothingToSweep,
    #[error(transparent)]
    Enqueue(#[from] EnqueueError),
    #[error("the sweep ledger (DynamoDB) failed: {0}")]
    Ledger(ApiError),
    #[error("{operation} needs {name}, which is not set")]
    NotConfigured {
        operation: &'static str,
        name: &'static str,
    },
    #[error("{failed} of {total} region(s) failed for account {account_id}: {detail}")]
    Regions {
        account_id: String,
        failed: usize,
        total: usize,
        detail: String,
    },
}

/// An organization sweep's failure, as the invocation reports it (the same error types as the
/// rest of the plumbing, so alarms and runbooks match on one set).
impl From<OrgError> for FunctionError {
    fn from(error: OrgError) -> Self {
        match error {
            OrgError::ListAccounts(e) => FunctionError::ListAccounts(e),
            OrgError::NothingToSweep => FunctionError::NothingToSweep,
            OrgError::Ledger(e) => FunctionError::Ledger(e),
            OrgError::Enqueue(e) => FunctionError::Enqueue(e),
            OrgError::Publish(source) => FunctionError::Guard(GuardError::Publish {
                unpublished: 1,
                source,
            }),
        }
    }
}

//! The organization sweep, over its ports: the coordinator's fan-out (choose the accounts, open
//! the sweep in the ledger, queue one item per account and Region, summarise the sweeps past
//! their deadline), the worker's tally of each item, and the one `org_sweep_summary` a sweep
//! gets. The guard runs themselves are [`crate::Guard`]'s; the Lambda crate wires the two.
//!
//! - `fan_out`: [`OrgSweep::fan_out`] and [`sweep_accounts`];
//! - `tally`: [`OrgSweep::tally`];
//! - `summary`: [`OrgSweep::publish_summary`].

mod fan_out;
mod summary;
mod tally;
#[cfg(test)]
mod tests;

pub use fan_out::{sweep_accounts, FanOut, FanOutReport};
pub use summary::SUMMARY_CLAIM;
pub use tally::Tallied;

use thiserror::Error;
use vpce_guard_core::error::{ApiError, EnqueueError};
use vpce_guard_core::policy::Mode;
use vpce_guard_core::ports::{Clock, NoticePort, SweepLedgerPort};

/// Why an organization sweep step failed.
#[derive(Debug, Error)]
pub enum OrgError {
    #[error("listing the organization's accounts failed: {0}")]
    ListAccounts(ApiError),
    #[error("the organization sweep has no account to cover (GUARD_ACCOUNTS, or AWS Organizations after the include/exclude/OU filters)")]
    NothingToSweep,
    #[error("the sweep ledger failed: {0}")]
    Ledger(ApiError),
    #[error(transparent)]
    Enqueue(EnqueueError),
    #[error("publishing the organization summary failed: {0}")]
    Publish(ApiError),
}

/// Where the organization's notices come from: the central account and Region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    pub account_id: String,
    pub region: String,
    pub mode: Mode,
}

/// One invocation's view of the organization sweeps: the ledger, where summaries are published,
/// and the clock that stamps them.
pub struct OrgSweep<'a, N> {
    ledger: &'a dyn SweepLedgerPort,
    notices: N,
    home: Home,
    clock: &'a dyn Clock,
}

impl<'a, N: NoticePort> OrgSweep<'a, N> {
    pub fn new(
        ledger: &'a dyn SweepLedgerPort,
        notices: N,
        home: Home,
        clock: &'a dyn Clock,
    ) -> Self {
        Self {
            ledger,
            notices,
            home,
            clock,
        }
    }
}

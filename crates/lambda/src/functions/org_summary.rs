//! The organization sweep as one invocation sees it: the service layer's [`OrgSweep`] over the
//! ledger (DynamoDB), with summaries published to the home topic and their EMF line written.

use std::time::SystemTime;

use vpce_guard_adapters::{SnsAdapter, SweepLedger};
use vpce_guard_core::notice::OrgSweepReport;
use vpce_guard_core::ports::SystemClock;
use vpce_guard_core::time::epoch_seconds;
use vpce_guard_service::org::{Home, OrgSweep};

use crate::context::FunctionContext;
use crate::error::FunctionError;
use crate::metrics::emit_org_sweep_metrics;
use crate::session::Session;

/// The system clock the summaries are stamped with.
static CLOCK: SystemClock = SystemClock;

/// The organization sweep over `ledger`, publishing from the session's home account and Region.
pub fn org_sweep<'a>(session: &Session<'_>, ledger: &'a SweepLedger) -> OrgSweep<'a, SnsAdapter> {
    let context = session.context();
    OrgSweep::new(
        ledger,
        context.notices(),
        Home {
            account_id: session.home_account().to_string(),
            region: context.home_region().to_string(),
            mode: context.config().run.mode,
        },
        &CLOCK,
    )
}

/// Now, in seconds since the epoch.
pub fn now() -> i64 {
    epoch_seconds(SystemTime::now())
}

/// Writes the EMF line of each summary published.
pub fn emit_summaries<'r>(reports: impl IntoIterator<Item = &'r OrgSweepReport>) {
    for report in reports {
        emit_org_sweep_metrics(report);
    }
}

/// The ledger named by `SWEEP_TABLE_NAME`, or the error naming what needs it.
pub fn ledger_of(
    context: &FunctionContext,
    operation: &'static str,
) -> Result<SweepLedger, FunctionError> {
    context.sweep_ledger().ok_or(FunctionError::NotConfigured {
        operation,
        name: "SWEEP_TABLE_NAME",
    })
}

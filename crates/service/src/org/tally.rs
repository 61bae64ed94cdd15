//! A worker's half of an organization sweep, after the guard ran one (account, Region) item:
//! record how it ended, once, and publish the summary when it was the last.

use tracing::{error, info, warn};
use vpce_guard_core::counters::RunCounters;
use vpce_guard_core::notice::OrgSweepReport;
use vpce_guard_core::org::{ItemResult, Recorded, WorkItem};
use vpce_guard_core::ports::NoticePort;

use super::OrgSweep;

/// What the worker tells the queue about one item, and the summary it published, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Tallied {
    /// Report the message as a batch item failure: SQS delivers it again, or (on its last
    /// delivery) moves it to the dead-letter queue.
    pub report_failure: bool,
    /// The organization summary this tally published (the sweep's last item).
    pub summary: Option<OrgSweepReport>,
}

impl<N: NoticePort> OrgSweep<'_, N> {
    /// Tallies `item`, whose guard run ended with `outcome` (its counters, or its error), on the
    /// message's last delivery when `final_attempt`. A failure before the last delivery is not
    /// recorded: SQS delivers the item again.
    pub async fn tally(
        &self,
        item: &WorkItem,
        outcome: Result<RunCounters, String>,
        final_attempt: bool,
        now: i64,
    ) -> Tallied {
        let retry = Tallied {
            report_failure: true,
            summary: None,
        };
        let result = match outcome {
            Ok(counters) => ItemResult::Succeeded(Box::new(counters)),
            Err(error) if !final_attempt => {
                warn!(account = %item.account_id, region = %item.region, %error, "work item failed; SQS will retry it");
                return retry;
            }
            Err(error) => {
                error!(account = %item.account_id, region = %item.region, %error, "work item failed on its last delivery; it goes to the dead-letter queue");
                ItemResult::Failed(error)
            }
        };
        let done = Tallied {
            report_failure: matches!(result, ItemResult::Failed(_)),
            summary: None,
        };
        let sweep = match self.ledger.record(item, &result).await {
            Ok(Recorded::Counted(sweep)) => sweep,
            Ok(Recorded::Duplicate) => {
                info!(sweep_id = %item.sweep_id, account = %item.account_id, region = %item.region, "already tallied (a redelivery)");
                return done;
            }
            Ok(Recorded::Late) => {
                info!(sweep_id = %item.sweep_id, account = %item.account_id, region = %item.region, "tallied after the sweep's summary; the next summary reports it");
                return done;
            }
            Ok(Recorded::UnknownSweep) => {
                warn!(sweep_id = %item.sweep_id, "the ledger does not know this sweep; the item is not tallied");
                return done;
            }
            Err(e) => {
                // The guard run is idempotent and the ledger deduplicates: retry the item.
                error!(error = %e, "could not tally the work item");
                return retry;
            }
        };
        if !sweep.is_complete() {
            return done;
        }
        match self.publish_summary(&item.sweep_id, now).await {
            Ok(summary) => Tallied { summary, ..done },
            Err(e) => {
                error!(error = %e, "could not publish the organization sweep summary; retrying the item");
                retry
            }
        }
    }
}

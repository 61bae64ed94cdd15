//! The coordinator's half of an organization sweep: summarise the earlier sweeps past their
//! deadline, open this sweep in the ledger before its first message, and queue one work item per
//! (account, Region). A resumed sweep (the same scheduled event delivered again) re-queues only
//! the items not tallied yet.

use std::collections::BTreeSet;
use std::time::Duration;

use tracing::info;
use vpce_guard_core::notice::OrgSweepReport;
use vpce_guard_core::org::{select_accounts, work_items, AccountFilter, ItemRef, NewSweep};
use vpce_guard_core::ports::{AccountDirectoryPort, NoticePort, WorkQueuePort};

use super::{OrgError, OrgSweep};

/// One scheduled organization sweep, as the coordinator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanOut {
    /// The scheduled event's id: the same on a retried delivery.
    pub sweep_id: String,
    /// The scheduled event's `time`.
    pub started_at: String,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// Now, in seconds since the epoch.
    pub now: i64,
    /// How long the sweep may take before the coordinator summarises it with what it has.
    pub deadline: Duration,
    /// The day's first sweep: its items make the daily checks.
    pub daily_checks: bool,
}

/// What the fan-out did.
#[derive(Debug, Clone, PartialEq)]
pub struct FanOutReport {
    /// The sweep existed already: this is a retried delivery of its scheduled event.
    pub resumed: bool,
    pub items_queued: usize,
    /// Requests the work queue took to send them.
    pub send_calls: usize,
    /// Earlier sweeps past their deadline that this run summarised.
    pub overdue_summarised: Vec<String>,
    /// The summaries it published (one per overdue sweep whose claim it won).
    pub summaries: Vec<OrgSweepReport>,
}

/// The accounts a sweep covers: `explicit` (minus the excluded) when given, else those AWS
/// Organizations lists under `org_unit_ids` (or the whole organization) through `filter`.
pub async fn sweep_accounts(
    directory: &dyn AccountDirectoryPort,
    explicit: &[String],
    filter: &AccountFilter,
    org_unit_ids: &[String],
) -> Result<Vec<String>, OrgError> {
    let accounts = if explicit.is_empty() {
        let listed = directory
            .accounts(org_unit_ids)
            .await
            .map_err(OrgError::ListAccounts)?;
        select_accounts(&listed, filter)
    } else {
        explicit
            .iter()
            .filter(|a| !filter.exclude.contains(*a))
            .cloned()
            .collect()
    };
    if accounts.is_empty() {
        return Err(OrgError::NothingToSweep);
    }
    Ok(accounts)
}

impl<N: NoticePort> OrgSweep<'_, N> {
    /// Opens (or resumes) the sweep and queues its items.
    pub async fn fan_out(
        &self,
        queue: &dyn WorkQueuePort,
        plan: &FanOut,
    ) -> Result<FanOutReport, OrgError> {
        if plan.accounts.is_empty() {
            return Err(OrgError::NothingToSweep);
        }
        let (overdue_summarised, summaries) =
            self.summarise_overdue(&plan.sweep_id, plan.now).await?;
        let deadline_at = plan
            .now
            .saturating_add(i64::try_from(plan.deadline.as_secs()).unwrap_or(i64::MAX));
        let new_sweep = self
            .ledger
            .start(&NewSweep {
                sweep_id: plan.sweep_id.clone(),
                accounts: plan.accounts.clone(),
                regions: plan.regions.clone(),
                started_at: plan.started_at.clone(),
                deadline_at,
            })
            .await
            .map_err(OrgError::Ledger)?;
        let mut items = work_items(
            &plan.sweep_id,
            &plan.accounts,
            &plan.regions,
            plan.daily_checks,
        );
        if !new_sweep {
            // An item still in the queue may run twice; the ledger counts it once.
            let tallied: BTreeSet<ItemRef> = self
                .ledger
                .items(&plan.sweep_id)
                .await
                .map_err(OrgError::Ledger)?
                .into_iter()
                .map(|r| r.item)
                .collect();
            items.retain(|i| {
                !tallied.contains(&ItemRef {
                    account_id: i.account_id.clone(),
                    region: i.region.clone(),
                })
            });
        }
        let send_calls = queue.send(&items).await.map_err(OrgError::Enqueue)?;
        info!(sweep_id = %plan.sweep_id, accounts = plan.accounts.len(), regions = plan.regions.len(), items = items.len(), new_sweep, "organization sweep queued");
        Ok(FanOutReport {
            resumed: !new_sweep,
            items_queued: items.len(),
            send_calls,
            overdue_summarised,
            summaries,
        })
    }

    /// Publishes the summary of every open sweep but `current` past its deadline at `now` (a
    /// worker died on an item's last delivery, or items were still running): with the items it
    /// has and the unfinished ones named.
    async fn summarise_overdue(
        &self,
        current: &str,
        now: i64,
    ) -> Result<(Vec<String>, Vec<OrgSweepReport>), OrgError> {
        let mut summarised = Vec::new();
        let mut reports = Vec::new();
        for (sweep_id, deadline_at) in self.ledger.open_sweeps().await.map_err(OrgError::Ledger)? {
            if sweep_id == current || deadline_at <= 0 || now < deadline_at {
                continue;
            }
            info!(%sweep_id, deadline_at, "sweep past its deadline: summarising it");
            if let Some(report) = self.publish_summary(&sweep_id, now).await? {
                reports.push(report);
            }
            summarised.push(sweep_id);
        }
        Ok((summarised, reports))
    }
}

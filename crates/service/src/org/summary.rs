//! The one `org_sweep_summary` of a sweep: claimed in the ledger by exactly one caller (the
//! worker that tallied the last item, or the coordinator once the sweep is past its deadline),
//! folded from the item records with the late items of earlier sweeps, published from the
//! central account, and marked published. A claim whose publish failed stays claimed until it
//! lapses ([`SUMMARY_CLAIM`]): SNS may have taken the notice despite the error. The
//! coordinator's next run past the deadline then publishes it; no claim is granted once the
//! summary was published.

use std::time::Duration;

use tracing::{error, info};
use vpce_guard_core::notice::{Notice, NoticeContext, OrgSweepReport};
use vpce_guard_core::org::{tally, LateItem};
use vpce_guard_core::ports::NoticePort;

use super::{OrgError, OrgSweep};
use crate::SCHEDULE_TRIGGER;

/// How long a summary claim holds: a worker's or the coordinator's whole invocation (Lambda's
/// 15-minute maximum), so a live holder never loses it.
pub const SUMMARY_CLAIM: Duration = Duration::from_secs(900);

impl<N: NoticePort> OrgSweep<'_, N> {
    /// Publishes the sweep's summary if this caller wins the claim at `now` (seconds since the
    /// epoch); returns the report it published, None when another caller has the claim.
    pub async fn publish_summary(
        &self,
        sweep_id: &str,
        now: i64,
    ) -> Result<Option<OrgSweepReport>, OrgError> {
        let until = now.saturating_add(SUMMARY_CLAIM.as_secs() as i64);
        if !self
            .ledger
            .claim_summary(sweep_id, now, until)
            .await
            .map_err(OrgError::Ledger)?
        {
            return Ok(None);
        }
        let read = async {
            let Some(sweep) = self.ledger.sweep(sweep_id).await? else {
                return Ok(None);
            };
            let items = self.ledger.items(sweep_id).await?;
            let late: Vec<LateItem> = self
                .ledger
                .late_items()
                .await?
                .into_iter()
                .filter(|l| l.sweep_id != sweep_id)
                .collect();
            Ok::<_, vpce_guard_core::error::ApiError>(Some((sweep, items, late)))
        };
        let (sweep, items, late) = match read.await {
            Ok(Some(found)) => found,
            Ok(None) => return Ok(None),
            Err(e) => {
                // Nothing was published: the next caller may summarise at once.
                let _ = self.ledger.release_summary(sweep_id).await;
                return Err(OrgError::Ledger(e));
            }
        };
        let ctx = NoticeContext {
            account_id: self.home.account_id.clone(),
            region: self.home.region.clone(),
            trigger: SCHEDULE_TRIGGER.to_string(),
            mode: self.home.mode,
            generated_at: self.clock.now_rfc3339(),
        };
        let report = OrgSweepReport::new(&sweep, tally(&sweep, items), late.clone());
        info!(%sweep_id, items = report.items_total, failed = report.items_failed, unfinished = report.items_unfinished_count, late = late.len(), "organization sweep summarised");
        let notice = Notice::org_sweep_summary(&ctx, report);
        if let Err(source) = self.notices.publish(std::slice::from_ref(&notice)).await {
            error!(%sweep_id, claim_until = until, "could not publish the organization summary; the coordinator retries once the claim lapses");
            return Err(OrgError::Publish(source));
        }
        if let Err(e) = self.ledger.mark_summary_published(sweep_id).await {
            // The claim lapses unrenewed; closing the sweep below keeps the coordinator from
            // summarising it again.
            error!(error = %e, %sweep_id, "could not mark the summary published");
        }
        // Published: a failure to tidy up only means the next summary repeats the late items.
        if let Err(e) = self.ledger.close(sweep_id, &late).await {
            error!(error = %e, %sweep_id, "could not close the sweep in the ledger");
        }
        Ok(notice.org().cloned())
    }
}

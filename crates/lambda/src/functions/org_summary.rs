//! The one `org_sweep_summary` of an organization sweep: claimed in the ledger by exactly one
//! caller (the worker that tallied the last item, or the coordinator once the sweep is past its
//! deadline), folded from the item records, with the late items of earlier sweeps, published
//! from the central account, and marked published. A claim whose publish failed stays claimed
//! until it lapses ([`SUMMARY_CLAIM`]); the coordinator's next run past the deadline then
//! publishes it, and no claim is granted once the summary was published.

use std::time::{Duration, SystemTime};

use tracing::{error, info};
use vpce_guard_adapters::SweepLedger;
use vpce_guard_core::notice::{Notice, NoticeContext, OrgSweepReport};
use vpce_guard_core::org::{tally, LateItem};
use vpce_guard_core::ports::{Clock, NoticePort, SystemClock};
use vpce_guard_core::time::epoch_seconds;
use vpce_guard_service::{GuardError, SCHEDULE_TRIGGER};

use crate::error::FunctionError;
use crate::metrics::emit_org_sweep_metrics;
use crate::session::Session;

/// How long a summary claim holds: a worker's or the coordinator's whole invocation (Lambda's
/// 15-minute maximum), so a live holder never loses it.
pub const SUMMARY_CLAIM: Duration = Duration::from_secs(900);

/// Publishes the org summary once (the ledger's claim picks one worker).
pub async fn publish_org_summary(
    session: &Session<'_>,
    ledger: &SweepLedger,
    sweep_id: &str,
) -> Result<(), FunctionError> {
    let context = session.context();
    let now = epoch_seconds(SystemTime::now());
    let until = now.saturating_add(SUMMARY_CLAIM.as_secs() as i64);
    if !ledger
        .claim_summary(sweep_id, now, until)
        .await
        .map_err(FunctionError::Ledger)?
    {
        return Ok(());
    }
    let read = async {
        let Some(sweep) = ledger.get(sweep_id).await? else {
            return Ok(None);
        };
        let items = ledger.items(sweep_id).await?;
        let late: Vec<LateItem> = ledger
            .late_items()
            .await?
            .into_iter()
            .filter(|l| l.sweep_id != sweep_id)
            .collect();
        Ok::<_, vpce_guard_core::error::ApiError>(Some((sweep, items, late)))
    };
    let (sweep, items, late) = match read.await {
        Ok(Some(found)) => found,
        Ok(None) => return Ok(()),
        Err(e) => {
            let _ = ledger.release_summary(sweep_id).await;
            return Err(FunctionError::Ledger(e));
        }
    };
    let ctx = NoticeContext {
        account_id: session.home_account().to_string(),
        region: context.home_region().to_string(),
        trigger: SCHEDULE_TRIGGER.to_string(),
        mode: context.config().run.mode,
        generated_at: SystemClock.now_rfc3339(),
    };
    let report = OrgSweepReport::new(&sweep, tally(&sweep, items), late.clone());
    info!(%sweep_id, items = report.items_total, failed = report.items_failed, unfinished = report.items_unfinished_count, late = late.len(), "organization sweep summarised");
    let notice = Notice::org_sweep_summary(&ctx, report);
    if let Err(source) = context
        .notices()
        .publish(std::slice::from_ref(&notice))
        .await
    {
        // Not given back: SNS may have taken the notice despite the error. The claim lapses, and
        // the coordinator's next run past the sweep's deadline publishes the summary.
        error!(%sweep_id, claim_until = until, "could not publish the organization summary; the coordinator retries once the claim lapses");
        return Err(FunctionError::Guard(GuardError::Publish {
            unpublished: 1,
            source,
        }));
    }
    if let Some(report) = &notice.org {
        emit_org_sweep_metrics(report);
    }
    if let Err(e) = ledger.mark_summary_published(sweep_id).await {
        // The sweep stays claimed until the claim lapses; closing it below keeps the
        // coordinator from summarising it again.
        error!(error = %e, %sweep_id, "could not mark the summary published");
    }
    // Published: a failure to tidy up only means the next summary repeats the late items.
    if let Err(e) = ledger.close(sweep_id, &late).await {
        error!(error = %e, %sweep_id, "could not close the sweep in the ledger");
    }
    Ok(())
}

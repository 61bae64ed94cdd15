//! What an organization sweep needs from the outside world: the accounts (AWS Organizations),
//! the work queue (SQS) and the ledger (DynamoDB). The adapters crate implements them with the
//! AWS SDK; the service crate's fakes keep them in memory.

use std::future::Future;
use std::pin::Pin;

use super::PortFuture;
use crate::error::EnqueueError;
use crate::org::{
    ItemRecord, ItemResult, LateItem, Lease, NewSweep, OrgAccount, Recorded, SweepRecord, WorkItem,
};

/// The organization's accounts.
pub trait AccountDirectoryPort: Send + Sync {
    /// Every account under `parent_ids` (OUs or roots, searched down), or of the whole
    /// organization when empty.
    fn accounts<'a>(&'a self, parent_ids: &'a [String]) -> PortFuture<'a, Vec<OrgAccount>>;
}

/// A boxed future of the work queue, whose failure says how many items did not go.
pub type QueueFuture<'a> = Pin<Box<dyn Future<Output = Result<usize, EnqueueError>> + Send + 'a>>;

/// Where the work items go, one message each.
pub trait WorkQueuePort: Send + Sync {
    /// Sends every item; returns how many requests that took.
    fn send<'a>(&'a self, items: &'a [WorkItem]) -> QueueFuture<'a>;
}

/// The ledger of organization sweeps: one summary per sweep, on time or at its deadline, and
/// nothing lost after it. Each write is conditional and atomic, as DynamoDB's are.
pub trait SweepLedgerPort: Send + Sync {
    /// Opens the sweep; `false` when it already existed (a retried coordinator resumes it).
    fn start<'a>(&'a self, sweep: &'a NewSweep) -> PortFuture<'a, bool>;

    /// Records how `item` ended, once.
    fn record<'a>(&'a self, item: &'a WorkItem, result: &'a ItemResult)
        -> PortFuture<'a, Recorded>;

    /// The sweep: what it covers and how far it is.
    fn sweep<'a>(&'a self, sweep_id: &'a str) -> PortFuture<'a, Option<SweepRecord>>;

    /// The item records of a sweep, each once.
    fn items<'a>(&'a self, sweep_id: &'a str) -> PortFuture<'a, Vec<ItemRecord>>;

    /// Items tallied after their sweep's summary, not reported yet.
    fn late_items(&self) -> PortFuture<'_, Vec<LateItem>>;

    /// The sweeps not summarised yet, with their deadlines (seconds since the epoch).
    fn open_sweeps(&self) -> PortFuture<'_, Vec<(String, i64)>>;

    /// Claims the right to publish the sweep's summary until `until`; exactly one caller gets
    /// `true`. The claim holds until published or lapsed, and is never granted after publishing.
    fn claim_summary<'a>(&'a self, sweep_id: &'a str, now: i64, until: i64)
        -> PortFuture<'a, bool>;

    /// Gives the claim back before anything was published.
    fn release_summary<'a>(&'a self, sweep_id: &'a str) -> PortFuture<'a, ()>;

    /// Records that the summary was published.
    fn mark_summary_published<'a>(&'a self, sweep_id: &'a str) -> PortFuture<'a, ()>;

    /// After the summary: the sweep is no longer open, and the late items it reported go.
    fn close<'a>(&'a self, sweep_id: &'a str, reported: &'a [LateItem]) -> PortFuture<'a, ()>;

    /// Takes the lease `name` for `holder` until `until`, unless another holder's still runs.
    fn take_lease<'a>(
        &'a self,
        name: &'a str,
        holder: &'a str,
        now: i64,
        until: i64,
    ) -> PortFuture<'a, Lease>;

    /// Gives the lease back if `holder` still holds it.
    fn release_lease<'a>(&'a self, name: &'a str, holder: &'a str) -> PortFuture<'a, ()>;
}

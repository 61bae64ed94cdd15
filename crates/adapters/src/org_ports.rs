//! The organization sweep's ports over the SDK adapters: the ledger (DynamoDB), the work queue
//! (SQS) and the account directory (AWS Organizations).

use vpce_guard_core::org::{
    ItemRecord, ItemResult, LateItem, Lease, NewSweep, OrgAccount, Recorded, SweepRecord, WorkItem,
};
use vpce_guard_core::ports::{
    AccountDirectoryPort, PortFuture, QueueFuture, SweepLedgerPort, WorkQueuePort,
};

use crate::{OrganizationsAdapter, SweepLedger, WorkQueueAdapter};

impl SweepLedgerPort for SweepLedger {
    fn start<'a>(&'a self, sweep: &'a NewSweep) -> PortFuture<'a, bool> {
        Box::pin(SweepLedger::start(
            self,
            &sweep.sweep_id,
            &sweep.accounts,
            &sweep.regions,
            &sweep.started_at,
            sweep.deadline_at,
        ))
    }

    fn record<'a>(
        &'a self,
        item: &'a WorkItem,
        result: &'a ItemResult,
    ) -> PortFuture<'a, Recorded> {
        Box::pin(SweepLedger::record(self, item, result))
    }

    fn sweep<'a>(&'a self, sweep_id: &'a str) -> PortFuture<'a, Option<SweepRecord>> {
        Box::pin(self.get(sweep_id))
    }

    fn items<'a>(&'a self, sweep_id: &'a str) -> PortFuture<'a, Vec<ItemRecord>> {
        Box::pin(SweepLedger::items(self, sweep_id))
    }

    fn late_items(&self) -> PortFuture<'_, Vec<LateItem>> {
        Box::pin(SweepLedger::late_items(self))
    }

    fn open_sweeps(&self) -> PortFuture<'_, Vec<(String, i64)>> {
        Box::pin(SweepLedger::open_sweeps(self))
    }

    fn claim_summary<'a>(
        &'a self,
        sweep_id: &'a str,
        now: i64,
        until: i64,
    ) -> PortFuture<'a, bool> {
        Box::pin(SweepLedger::claim_summary(self, sweep_id, now, until))
    }

    fn release_summary<'a>(&'a self, sweep_id: &'a str) -> PortFuture<'a, ()> {
        Box::pin(SweepLedger::release_summary(self, sweep_id))
    }

    fn mark_summary_published<'a>(&'a self, sweep_id: &'a str) -> PortFuture<'a, ()> {
        Box::pin(SweepLedger::mark_summary_published(self, sweep_id))
    }

    fn close<'a>(&'a self, sweep_id: &'a str, reported: &'a [LateItem]) -> PortFuture<'a, ()> {
        Box::pin(SweepLedger::close(self, sweep_id, reported))
    }

    fn take_lease<'a>(
        &'a self,
        name: &'a str,
        holder: &'a str,
        now: i64,
        until: i64,
    ) -> PortFuture<'a, Lease> {
        Box::pin(SweepLedger::take_lease(self, name, holder, now, until))
    }

    fn release_lease<'a>(&'a self, name: &'a str, holder: &'a str) -> PortFuture<'a, ()> {
        Box::pin(SweepLedger::release_lease(self, name, holder))
    }
}

impl WorkQueuePort for WorkQueueAdapter {
    fn send<'a>(&'a self, items: &'a [WorkItem]) -> QueueFuture<'a> {
        Box::pin(WorkQueueAdapter::send(self, items))
    }
}

impl AccountDirectoryPort for OrganizationsAdapter {
    fn accounts<'a>(&'a self, parent_ids: &'a [String]) -> PortFuture<'a, Vec<OrgAccount>> {
        Box::pin(OrganizationsAdapter::accounts(self, parent_ids))
    }
}

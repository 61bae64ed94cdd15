//! The organization sweep's ports in memory: a ledger with DynamoDB's conditional semantics (the
//! adapter's, item for item), a work queue that keeps what it was sent, and an account directory.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use vpce_guard_core::error::{ApiError, EnqueueError};
use vpce_guard_core::org::{
    ItemRecord, ItemRef, ItemResult, LateItem, Lease, LeaseHolder, NewSweep, OrgAccount, Recorded,
    SweepRecord, WorkItem,
};
use vpce_guard_core::ports::{
    AccountDirectoryPort, PortFuture, QueueFuture, SweepLedgerPort, WorkQueuePort,
};

use super::lock;

/// SQS takes ten messages a request.
const QUEUE_BATCH: usize = 10;

#[derive(Debug, Clone)]
struct SweepEntry {
    record: SweepRecord,
    claimed_until: Option<i64>,
    published: bool,
    open: bool,
}

#[derive(Debug, Default)]
struct LedgerState {
    sweeps: BTreeMap<String, SweepEntry>,
    items: BTreeMap<(String, ItemRef), ItemResult>,
    late: Vec<LateItem>,
    leases: BTreeMap<String, (String, i64)>,
    failure: Option<ApiError>,
}

/// The sweep ledger in memory. Cloning shares the state.
#[derive(Debug, Clone, Default)]
pub struct InMemoryLedger {
    state: Arc<Mutex<LedgerState>>,
}

impl InMemoryLedger {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every later call fail with `code` (or succeed again with `None`).
    pub fn fail_with(&self, code: Option<&str>) {
        lock(&self.state).failure = code.map(|c| ApiError::new("Ledger", c, "injected"));
    }

    /// Whether the sweep's summary was published.
    pub fn published(&self, sweep_id: &str) -> bool {
        lock(&self.state)
            .sweeps
            .get(sweep_id)
            .is_some_and(|s| s.published)
    }

    /// The late items not reported yet.
    pub fn pending_late_items(&self) -> Vec<LateItem> {
        lock(&self.state).late.clone()
    }

    fn answer<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut LedgerState) -> T,
    ) -> PortFuture<'static, T> {
        let mut state = lock(&self.state);
        let answer = match &state.failure {
            Some(error) => Err(error.clone()),
            None => Ok(f(&mut state)),
        };
        Box::pin(async move { answer })
    }
}

fn item_ref(item: &WorkItem) -> ItemRef {
    ItemRef {
        account_id: item.account_id.clone(),
        region: item.region.clone(),
    }
}

impl SweepLedgerPort for InMemoryLedger {
    fn start<'a>(&'a self, sweep: &'a NewSweep) -> PortFuture<'a, bool> {
        let sweep = sweep.clone();
        self.answer(move |state| {
            if state.sweeps.contains_key(&sweep.sweep_id) {
                return false;
            }
            let record = SweepRecord {
                sweep_id: sweep.sweep_id.clone(),
                items_total: (sweep.accounts.len() * sweep.regions.len()) as u64,
                done: 0,
                accounts: sweep.accounts,
                regions: sweep.regions,
                started_at: sweep.started_at,
                deadline_at: sweep.deadline_at,
                summarised: false,
            };
            state.sweeps.insert(
                sweep.sweep_id,
                SweepEntry {
                    record,
                    claimed_until: None,
                    published: false,
                    open: true,
                },
            );
            true
        })
    }

    fn record<'a>(
        &'a self,
        item: &'a WorkItem,
        result: &'a ItemResult,
    ) -> PortFuture<'a, Recorded> {
        let (item, result) = (item.clone(), result.clone());
        self.answer(move |state| {
            let key = (item.sweep_id.clone(), item_ref(&item));
            if state.items.contains_key(&key) {
                return Recorded::Duplicate;
            }
            let Some(entry) = state.sweeps.get_mut(&item.sweep_id) else {
                return Recorded::UnknownSweep;
            };
            if entry.claimed_until.is_some() || entry.published {
                state.late.push(LateItem {
                    sweep_id: item.sweep_id.clone(),
                    account_id: item.account_id.clone(),
                    region: item.region.clone(),
                    error: match &result {
                        ItemResult::Succeeded(_) => None,
                        ItemResult::Failed(e) => Some(e.clone()),
                    },
                });
                state.items.insert(key, result);
                return Recorded::Late;
            }
            entry.record.done += 1;
            let progress = SweepRecord {
                summarised: false,
                ..entry.record.clone()
            };
            state.items.insert(key, result);
            Recorded::Counted(progress)
        })
    }

    fn sweep<'a>(&'a self, sweep_id: &'a str) -> PortFuture<'a, Option<SweepRecord>> {
        let id = sweep_id.to_string();
        self.answer(move |state| {
            state.sweeps.get(&id).map(|e| SweepRecord {
                summarised: e.claimed_until.is_some() || e.published,
                ..e.record.clone()
            })
        })
    }

    fn items<'a>(&'a self, sweep_id: &'a str) -> PortFuture<'a, Vec<ItemRecord>> {
        let id = sweep_id.to_string();
        self.answer(move |state| {
            state
                .items
                .iter()
                .filter(|((sweep, _), _)| *sweep == id)
                .map(|((_, item), result)| ItemRecord {
                    item: item.clone(),
                    result: result.clone(),
                })
                .collect()
        })
    }

    fn late_items(&self) -> PortFuture<'_, Vec<LateItem>> {
        self.answer(|state| state.late.clone())
    }

    fn open_sweeps(&self) -> PortFuture<'_, Vec<(String, i64)>> {
        self.answer(|state| {
            state
                .sweeps
                .iter()
                .filter(|(_, e)| e.open)
                .map(|(id, e)| (id.clone(), e.record.deadline_at))
                .collect()
        })
    }

    fn claim_summary<'a>(
        &'a self,
        sweep_id: &'a str,
        now: i64,
        until: i64,
    ) -> PortFuture<'a, bool> {
        let id = sweep_id.to_string();
        self.answer(move |state| match state.sweeps.get_mut(&id) {
            Some(e) if !e.published && e.claimed_until.is_none_or(|held| held < now) => {
                e.claimed_until = Some(until);
                true
            }
            _ => false,
        })
    }

    fn release_summary<'a>(&'a self, sweep_id: &'a str) -> PortFuture<'a, ()> {
        let id = sweep_id.to_string();
        self.answer(move |state| {
            if let Some(e) = state.sweeps.get_mut(&id) {
                e.claimed_until = None;
            }
        })
    }

    fn mark_summary_published<'a>(&'a self, sweep_id: &'a str) -> PortFuture<'a, ()> {
        let id = sweep_id.to_string();
        self.answer(move |state| {
            if let Some(e) = state.sweeps.get_mut(&id) {
                e.published = true;
            }
        })
    }

    fn close<'a>(&'a self, sweep_id: &'a str, reported: &'a [LateItem]) -> PortFuture<'a, ()> {
        let (id, reported) = (sweep_id.to_string(), reported.to_vec());
        self.answer(move |state| {
            if let Some(e) = state.sweeps.get_mut(&id) {
                e.open = false;
            }
            state.late.retain(|l| !reported.contains(l));
        })
    }

    fn take_lease<'a>(
        &'a self,
        name: &'a str,
        holder: &'a str,
        now: i64,
        until: i64,
    ) -> PortFuture<'a, Lease> {
        let (name, holder) = (name.to_string(), holder.to_string());
        self.answer(move |state| match state.leases.get(&name) {
            Some((other, other_until)) if *other != holder && *other_until >= now => {
                Lease::HeldBy(LeaseHolder {
                    holder: other.clone(),
                    until: *other_until,
                })
            }
            _ => {
                state.leases.insert(name, (holder, until));
                Lease::Taken
            }
        })
    }

    fn release_lease<'a>(&'a self, name: &'a str, holder: &'a str) -> PortFuture<'a, ()> {
        let (name, holder) = (name.to_string(), holder.to_string());
        self.answer(move |state| {
            if state.leases.get(&name).is_some_and(|(h, _)| *h == holder) {
                state.leases.remove(&name);
            }
        })
    }
}

#[derive(Debug, Default)]
struct QueueState {
    sent: Vec<WorkItem>,
    failure: Option<String>,
}

/// The work queue in memory: keeps every item sent. Cloning shares the state.
#[derive(Debug, Clone, Default)]
pub struct InMemoryWorkQueue {
    state: Arc<Mutex<QueueState>>,
}

impl InMemoryWorkQueue {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every item sent so far, emptying the record (the worker's next delivery).
    pub fn take(&self) -> Vec<WorkItem> {
        std::mem::take(&mut lock(&self.state).sent)
    }

    /// Makes every later send fail with `message` (or succeed again with `None`).
    pub fn fail_with(&self, message: Option<&str>) {
        lock(&self.state).failure = message.map(str::to_string);
    }
}

impl WorkQueuePort for InMemoryWorkQueue {
    fn send<'a>(&'a self, items: &'a [WorkItem]) -> QueueFuture<'a> {
        let mut state = lock(&self.state);
        let answer = match &state.failure {
            Some(message) => Err(EnqueueError {
                not_sent: items.len(),
                total: items.len(),
                first_error: message.clone(),
            }),
            None => {
                state.sent.extend_from_slice(items);
                Ok(items.len().div_ceil(QUEUE_BATCH))
            }
        };
        Box::pin(async move { answer })
    }
}

/// The organization's accounts in memory.
#[derive(Debug, Clone, Default)]
pub struct InMemoryDirectory {
    /// (parent OU or root, account).
    accounts: Vec<(String, OrgAccount)>,
}

impl InMemoryDirectory {
    /// `accounts` under `parent`, ACTIVE.
    pub fn with_accounts(mut self, parent: &str, accounts: &[&str]) -> Self {
        for id in accounts {
            self.accounts.push((
                parent.to_string(),
                OrgAccount {
                    id: id.to_string(),
                    name: format!("account {id}"),
                    status: "ACTIVE".to_string(),
                },
            ));
        }
        self
    }
}

impl AccountDirectoryPort for InMemoryDirectory {
    fn accounts<'a>(&'a self, parent_ids: &'a [String]) -> PortFuture<'a, Vec<OrgAccount>> {
        let listed = self
            .accounts
            .iter()
            .filter(|(parent, _)| parent_ids.is_empty() || parent_ids.contains(parent))
            .map(|(_, a)| a.clone())
            .collect();
        Box::pin(async move { Ok(listed) })
    }
}

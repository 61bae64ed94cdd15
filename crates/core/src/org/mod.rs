//! Organization scale, the pure part: which accounts a sweep covers, the work items that carry
//! (account, region) pairs over SQS, what the ledger knows of a sweep and answers, and
//! account-vending events. The adapters move these values over the wire.

mod accounts;
mod ledger;
mod schedule;
mod sweep;
mod vending;
mod work_item;

pub use accounts::{select_accounts, AccountFilter, OrgAccount};
pub use ledger::{Lease, LeaseHolder, NewSweep, Recorded};
pub use schedule::{
    is_daily_run, is_valid_sweep_interval, schedule_period, DEFAULT_SWEEP_DEADLINE,
    DEFAULT_SWEEP_INTERVAL,
};
pub use sweep::{
    tally, ItemFailure, ItemRecord, ItemRef, ItemResult, LateItem, SweepRecord, SweepTally,
};
pub use vending::{
    parse_direct_baseline, parse_vending_envelope, parse_vending_event, DirectBaseline,
    VendingRequest, VendingSource, VendingTrigger, DIRECT_BASELINE_SHAPE,
};
pub use work_item::{is_final_attempt, work_items, WorkItem, WORK_ITEM_SCHEMA};

//! What the sweep ledger answers: how recording an item went, whether a lease was granted, and
//! the record a new sweep opens with. The ledger itself is a port ([`crate::ports::SweepLedgerPort`]).

use super::SweepRecord;

/// A sweep as the coordinator opens it, before its first work item is queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSweep {
    pub sweep_id: String,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// The scheduled event's `time` (RFC 3339).
    pub started_at: String,
    /// Seconds since the epoch after which the coordinator summarises it with what it has.
    pub deadline_at: i64,
}

/// What recording an item did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Tallied before the summary; the sweep's progress afterwards (no account list).
    Counted(SweepRecord),
    /// Already tallied (a redelivered message): not counted again.
    Duplicate,
    /// Tallied after the sweep's summary (past the deadline, or redriven from the dead-letter
    /// queue): the next summary reports it.
    Late,
    /// The ledger does not know the sweep (an item queued by hand, or an expired sweep).
    UnknownSweep,
}

/// Who holds a lease another caller asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseHolder {
    /// The holder's name (the invocation's request id); empty when the ledger did not say.
    pub holder: String,
    /// Until when (seconds since the epoch); 0 when the ledger did not say.
    pub until: i64,
}

/// What asking for a lease gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lease {
    /// Taken (or taken again by the same holder) until the time asked for.
    Taken,
    /// Someone else holds it: the caller yields.
    HeldBy(LeaseHolder),
}

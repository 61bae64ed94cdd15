//! What the ledger knows about one organization sweep, and how a sweep is tallied. The ledger
//! keeps one small record per sweep (totals to know when it is complete) and one record per
//! (account, Region) item, so no sweep size hits a ceiling; the summary is folded from the item
//! records, each counted once whatever SQS redelivered.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::counters::RunCounters;

/// An item that ended in the dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFailure {
    pub account_id: String,
    pub region: String,
    pub error: String,
}

/// An (account, Region) pair of a sweep.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemRef {
    pub account_id: String,
    pub region: String,
}

/// How one item ended, as its ledger record says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemResult {
    Succeeded(Box<RunCounters>),
    /// Failed on its last delivery; the message went to the dead-letter queue.
    Failed(String),
}

/// One item's ledger record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRecord {
    pub item: ItemRef,
    pub result: ItemResult,
}

/// An item that finished after its sweep's summary was published (it was past the deadline, or
/// redriven from the dead-letter queue): reported by the next summary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LateItem {
    pub sweep_id: String,
    pub account_id: String,
    pub region: String,
    /// Why it failed, None when it succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The sweep record: what is needed to know when a sweep is complete or overdue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepRecord {
    pub sweep_id: String,
    pub items_total: u64,
    /// Items tallied so far (succeeded or failed for good), each once.
    pub done: u64,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub started_at: String,
    /// Seconds since the epoch after which the sweep is summarised with what it has.
    pub deadline_at: i64,
    /// A summary was claimed (published, or being published).
    pub summarised: bool,
}

impl SweepRecord {
    /// Every item succeeded or failed for good: time for the summary.
    pub fn is_complete(&self) -> bool {
        self.items_total > 0 && self.done >= self.items_total
    }

    /// Past its deadline at `now` (seconds since the epoch) and not summarised yet.
    pub fn is_overdue(&self, now: i64) -> bool {
        !self.summarised && self.deadline_at > 0 && now >= self.deadline_at
    }

    /// Every (account, Region) pair the sweep queued.
    pub fn items(&self) -> impl Iterator<Item = ItemRef> + '_ {
        self.accounts.iter().flat_map(move |a| {
            self.regions.iter().map(move |r| ItemRef {
                account_id: a.clone(),
                region: r.clone(),
            })
        })
    }
}

/// A sweep's figures, folded from its item records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepTally {
    pub succeeded: u64,
    /// Sorted by account and Region.
    pub failures: Vec<ItemFailure>,
    /// Items queued but never tallied (a worker that died on the last delivery, an item still
    /// running at the deadline), sorted.
    pub unfinished: Vec<ItemRef>,
    /// Summed over the items that succeeded.
    pub counters: RunCounters,
}

/// Folds `records` (one per tallied item; a repeated item counts once) against the items the
/// sweep queued. Linear in the number of items.
pub fn tally(sweep: &SweepRecord, records: impl IntoIterator<Item = ItemRecord>) -> SweepTally {
    let mut seen: BTreeSet<ItemRef> = BTreeSet::new();
    let mut out = SweepTally::default();
    for record in records {
        if !seen.insert(record.item.clone()) {
            continue;
        }
        match record.result {
            ItemResult::Succeeded(counters) => {
                out.succeeded += 1;
                out.counters.add(&counters);
            }
            ItemResult::Failed(error) => out.failures.push(ItemFailure {
                account_id: record.item.account_id,
                region: record.item.region,
                error,
            }),
        }
    }
    out.failures
        .sort_by(|a, b| (&a.account_id, &a.region).cmp(&(&b.account_id, &b.region)));
    out.unfinished = sweep.items().filter(|i| !seen.contains(i)).collect();
    out.unfinished.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep(accounts: usize, regions: &[&str]) -> SweepRecord {
        SweepRecord {
            sweep_id: "s".into(),
            items_total: (accounts * regions.len()) as u64,
            accounts: (0..accounts).map(|i| format!("{:012}", i + 1)).collect(),
            regions: regions.iter().map(|r| r.to_string()).collect(),
            deadline_at: 1_000,
            ..SweepRecord::default()
        }
    }

    fn ok(account: &str, region: &str, checked: u64) -> ItemRecord {
        ItemRecord {
            item: ItemRef {
                account_id: account.into(),
                region: region.into(),
            },
            result: ItemResult::Succeeded(Box::new(RunCounters {
                vpcs_checked: checked,
                ..RunCounters::default()
            })),
        }
    }

    #[test]
    fn a_tally_counts_each_item_once_and_names_the_unfinished() {
        let s = sweep(2, &["us-east-1", "eu-west-1"]);
        let failed = ItemRecord {
            item: ItemRef {
                account_id: "000000000002".into(),
                region: "us-east-1".into(),
            },
            result: ItemResult::Failed("AccessDenied".into()),
        };
        let t = tally(
            &s,
            [
                ok("000000000001", "us-east-1", 3),
                ok("000000000001", "us-east-1", 3),
                ok("000000000001", "eu-west-1", 2),
                failed,
            ],
        );
        assert_eq!(t.succeeded, 2);
        assert_eq!(
            t.counters.vpcs_checked, 5,
            "the repeated record counts once"
        );
        assert_eq!(t.failures.len(), 1);
        assert_eq!(
            t.unfinished,
            [ItemRef {
                account_id: "000000000002".into(),
                region: "eu-west-1".into()
            }]
        );
    }

    #[test]
    fn completion_and_deadline() {
        let mut s = sweep(1, &["us-east-1"]);
        assert!(!s.is_complete());
        s.done = 1;
        assert!(s.is_complete());
        assert!(!s.is_overdue(999));
        assert!(s.is_overdue(1_000));
        s.summarised = true;
        assert!(!s.is_overdue(5_000));
        assert!(!SweepRecord::default().is_complete());
    }

    /// The ledger logic at 100,000 items (about 8,300 accounts in 12 Regions), beyond the
    /// 400 KB single-item ledger's ceiling of about 10,000: exact, no ceiling.
    #[test]
    fn a_hundred_thousand_items_tally_exactly() {
        let regions: Vec<String> = (0..10).map(|i| format!("us-test-{i}")).collect();
        let s = SweepRecord {
            items_total: 100_000,
            accounts: (0..10_000).map(|i| format!("{:012}", i + 1)).collect(),
            regions: regions.clone(),
            ..SweepRecord::default()
        };
        let records = s
            .items()
            .enumerate()
            .filter(|(i, _)| i % 1000 != 7)
            .map(|(i, item)| ItemRecord {
                item,
                result: if i % 100 == 3 {
                    ItemResult::Failed("Throttling".into())
                } else {
                    ItemResult::Succeeded(Box::new(RunCounters {
                        vpcs_checked: 2,
                        ..RunCounters::default()
                    }))
                },
            });
        let t = tally(&s, records);
        assert_eq!(t.unfinished.len(), 100);
        assert_eq!(t.failures.len(), 1000);
        assert_eq!(t.succeeded, 100_000 - 100 - 1000);
        assert_eq!(t.counters.vpcs_checked, 2 * t.succeeded);
    }
}

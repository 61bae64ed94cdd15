//! The guard's own request rate towards EC2: a token bucket per API action, as EC2 meters
//! requests (per action, per account and Region), so the guard never bursts into the buckets
//! every other tool of the account shares. Pure: time is passed in, so the arithmetic is
//! unit-tested without sleeping.
//!
//! EC2's documented buckets ("Request throttling for the Amazon EC2 API",
//! <https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html>): non-mutating
//! actions 100 tokens refilled at 20/s; mutating actions 50 at 5/s; the VPC endpoint actions
//! (CreateVpcEndpoint, ModifyVpcEndpoint, DeleteVpcEndpoints) 4 at 0.3/s; CreateTags and
//! DeleteTags 100 at 10/s. The guard takes at most half of each: its configured rate and burst,
//! capped at half of the action's EC2 refill and capacity.

use std::collections::BTreeMap;
use std::time::Duration;

use vpce_guard_core::ec2_action::{is_non_mutating_name, Ec2Action};

/// A bucket's size and refill.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketSpec {
    pub burst: f64,
    pub rate_per_sec: f64,
}

/// The guard's share of EC2's buckets: `EC2_READ_RATE`/`EC2_READ_BURST` for non-mutating
/// actions, `EC2_WRITE_RATE`/`EC2_WRITE_BURST` for the others, each capped per action at half
/// of EC2's own bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PacingLimits {
    pub read: BucketSpec,
    pub write: BucketSpec,
}

/// Defaults: half of EC2's non-mutating refill (10/s, burst 50) and under half of its mutating
/// refill (2/s, burst 10), leaving the rest of the account's throttle to other tools.
pub const DEFAULT_READ: BucketSpec = BucketSpec {
    burst: 50.0,
    rate_per_sec: 10.0,
};
pub const DEFAULT_WRITE: BucketSpec = BucketSpec {
    burst: 10.0,
    rate_per_sec: 2.0,
};
/// The part of each EC2 bucket the guard allows itself at most.
pub const SHARE_OF_EC2: f64 = 0.5;

impl Default for PacingLimits {
    fn default() -> Self {
        Self {
            read: DEFAULT_READ,
            write: DEFAULT_WRITE,
        }
    }
}

/// Whether EC2 meters the action named `action` as non-mutating.
pub fn is_non_mutating(action: &str) -> bool {
    is_non_mutating_name(action)
}

/// EC2's documented bucket for the action named `action` (see the module doc): the guard's own
/// actions by [`Ec2Action`], any other by its verb.
pub fn ec2_bucket(action: &str) -> BucketSpec {
    use Ec2Action::*;
    match Ec2Action::from_name(action) {
        Some(CreateVpcEndpoint | ModifyVpcEndpoint | DeleteVpcEndpoints) => BucketSpec {
            burst: 4.0,
            rate_per_sec: 0.3,
        },
        Some(CreateTags | DeleteTags) => BucketSpec {
            burst: 100.0,
            rate_per_sec: 10.0,
        },
        _ if is_non_mutating(action) => BucketSpec {
            burst: 100.0,
            rate_per_sec: 20.0,
        },
        _ => BucketSpec {
            burst: 50.0,
            rate_per_sec: 5.0,
        },
    }
}

impl PacingLimits {
    /// The guard's bucket for `action`: its configured rate, capped at its share of EC2's.
    pub fn bucket_for(&self, action: &str) -> BucketSpec {
        let configured = if is_non_mutating(action) {
            self.read
        } else {
            self.write
        };
        let ec2 = ec2_bucket(action);
        BucketSpec {
            burst: configured.burst.min(ec2.burst * SHARE_OF_EC2).max(1.0),
            rate_per_sec: configured.rate_per_sec.min(ec2.rate_per_sec * SHARE_OF_EC2),
        }
    }
}

/// A token bucket that lends: a request takes a token now and waits until the bucket would
/// have held it, so waiting requests go out in arrival order at the refill rate.
#[derive(Debug, Clone, PartialEq)]
struct TokenBucket {
    spec: BucketSpec,
    /// May go negative: tokens promised to requests still waiting.
    tokens: f64,
    updated_at: f64,
}

impl TokenBucket {
    fn new(spec: BucketSpec, now: f64) -> Self {
        Self {
            spec,
            tokens: spec.burst,
            updated_at: now,
        }
    }

    /// Takes one token at `now` (seconds); returns how long the request must wait.
    fn take(&mut self, now: f64) -> f64 {
        let elapsed = (now - self.updated_at).max(0.0);
        self.tokens = (self.tokens + elapsed * self.spec.rate_per_sec).min(self.spec.burst);
        self.updated_at = now.max(self.updated_at);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 || self.spec.rate_per_sec <= 0.0 {
            0.0
        } else {
            -self.tokens / self.spec.rate_per_sec
        }
    }

    /// How many more requests the bucket lets go between `now` and `until`, waiting ones
    /// counted against it.
    fn calls_until(&self, now: f64, until: f64) -> f64 {
        let elapsed = (now - self.updated_at).max(0.0);
        let tokens = (self.tokens + elapsed * self.spec.rate_per_sec).min(self.spec.burst);
        (tokens + (until - now).max(0.0) * self.spec.rate_per_sec).max(0.0)
    }
}

/// One bucket per action, created on first use.
#[derive(Debug, Clone, PartialEq)]
pub struct Pacer {
    limits: PacingLimits,
    buckets: BTreeMap<String, TokenBucket>,
}

impl Pacer {
    pub fn new(limits: PacingLimits) -> Self {
        Self {
            limits,
            buckets: BTreeMap::new(),
        }
    }

    /// Gives back the token a request took and did not use (it was not sent).
    pub fn refund(&mut self, action: &str) {
        if let Some(bucket) = self.buckets.get_mut(action) {
            bucket.tokens = (bucket.tokens + 1.0).min(bucket.spec.burst);
        }
    }

    /// How many requests for `action` can still be sent between `now` and `until` (seconds on
    /// the clock of [`Pacer::delay`]), after those already waiting: what a run can still do
    /// before its deadline.
    pub fn calls_left(&self, action: &str, now: f64, until: f64) -> u64 {
        if until < now {
            return 0;
        }
        let calls = match self.buckets.get(action) {
            Some(bucket) => bucket.calls_until(now, until),
            None => {
                let spec = self.limits.bucket_for(action);
                spec.burst + (until - now).max(0.0) * spec.rate_per_sec
            }
        };
        calls.floor() as u64
    }

    /// How long a request for `action` made at `now` (seconds on any monotonic clock) waits
    /// before it may be sent.
    pub fn delay(&mut self, action: &str, now: f64) -> Duration {
        let limits = self.limits;
        let wait = self
            .buckets
            .entry(action.to_string())
            .or_insert_with(|| TokenBucket::new(limits.bucket_for(action), now))
            .take(now);
        Duration::from_secs_f64(wait.max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_left_counts_the_burst_the_refill_and_the_requests_already_waiting() {
        let mut pacer = Pacer::new(PacingLimits::default());
        // CreateVpcEndpoint: burst 2, 0.15/s. Untouched: 2 now plus 0.15 per second after.
        assert_eq!(pacer.calls_left("CreateVpcEndpoint", 0.0, 100.0), 17);
        // Three requests take the burst and lend one more token.
        for _ in 0..3 {
            pacer.delay("CreateVpcEndpoint", 0.0);
        }
        assert_eq!(pacer.calls_left("CreateVpcEndpoint", 0.0, 100.0), 14);
        assert_eq!(pacer.calls_left("CreateVpcEndpoint", 0.0, 0.0), 0);
        // Other actions have buckets of their own.
        assert_eq!(pacer.calls_left("DescribeVpcAttribute", 0.0, 1.0), 60);
        // Refilled to its burst by t=50, nothing after a deadline already past.
        assert_eq!(pacer.calls_left("CreateVpcEndpoint", 50.0, 50.0), 2);
        assert_eq!(pacer.calls_left("CreateVpcEndpoint", 50.0, 10.0), 0);
    }

    #[test]
    fn actions_are_capped_at_half_of_their_ec2_bucket() {
        let limits = PacingLimits::default();
        assert_eq!(limits.bucket_for("DescribeVpcAttribute"), DEFAULT_READ);
        assert_eq!(limits.bucket_for("ModifyVpcAttribute"), DEFAULT_WRITE);
        let endpoint = limits.bucket_for("CreateVpcEndpoint");
        assert_eq!(endpoint.burst, 2.0);
        assert!((endpoint.rate_per_sec - 0.15).abs() < 1e-12);
        let generous = PacingLimits {
            read: BucketSpec {
                burst: 1000.0,
                rate_per_sec: 1000.0,
            },
            ..PacingLimits::default()
        };
        assert_eq!(
            generous.bucket_for("DescribeVpcs"),
            BucketSpec {
                burst: 50.0,
                rate_per_sec: 10.0
            },
            "never more than half of EC2's"
        );
    }

    #[test]
    fn the_burst_goes_at_once_then_requests_wait_their_turn_at_the_rate() {
        let mut pacer = Pacer::new(PacingLimits {
            read: BucketSpec {
                burst: 2.0,
                rate_per_sec: 4.0,
            },
            ..PacingLimits::default()
        });
        let waits: Vec<f64> = (0..5)
            .map(|_| pacer.delay("DescribeVpcAttribute", 0.0).as_secs_f64())
            .collect();
        assert_eq!(waits, vec![0.0, 0.0, 0.25, 0.5, 0.75]);
        // Other actions have buckets of their own.
        assert_eq!(pacer.delay("DescribeVpcs", 0.0), Duration::ZERO);
        // After a quiet second the bucket has refilled (to its burst, no more).
        assert_eq!(pacer.delay("DescribeVpcAttribute", 10.0), Duration::ZERO);
        assert_eq!(pacer.delay("DescribeVpcAttribute", 10.0), Duration::ZERO);
        assert!(pacer.delay("DescribeVpcAttribute", 10.0) > Duration::ZERO);
    }

    #[test]
    fn no_window_of_one_second_sees_more_than_burst_plus_rate() {
        let mut pacer = Pacer::new(PacingLimits::default());
        // 300 requests all asked for at t=0: their send times.
        let sends: Vec<f64> = (0..300)
            .map(|_| pacer.delay("DescribeVpcAttribute", 0.0).as_secs_f64())
            .collect();
        for (i, start) in sends.iter().enumerate() {
            let in_window = sends[i..].iter().filter(|t| **t < start + 1.0).count();
            assert!(in_window as f64 <= DEFAULT_READ.burst + DEFAULT_READ.rate_per_sec);
        }
        // The last one waits (300 − 50) / 10 = 25 s.
        assert!((sends[299] - 25.0).abs() < 1e-9);
    }
}

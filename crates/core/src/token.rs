//! Deterministic idempotency tokens for EC2 create calls.
//!
//! A retried invocation (Lambda retries, a racing sweep) sends the same `ClientToken`, so real EC2
//! returns the endpoint the first call created instead of creating a second one. Endpoints that were
//! deleted since (still visible in state `deleted`) feed the token too, so re-creating an endpoint
//! after a human deleted it does not replay the old, deleted result.

use sha2::{Digest, Sha256};

/// EC2 accepts client tokens of up to 64 ASCII characters.
pub const MAX_TOKEN_LEN: usize = 64;

/// Token for creating `service_name` (of `endpoint_type`) in `vpc_id` of `account_id`.
/// `tombstones` are ids of deleted endpoints of the same service in the VPC, in any order.
pub fn endpoint_client_token(
    account_id: &str,
    vpc_id: &str,
    service_name: &str,
    endpoint_type: &str,
    tombstones: &[String],
) -> String {
    let mut sorted: Vec<&str> = tombstones.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut hasher = Sha256::new();
    for part in [account_id, vpc_id, service_name, endpoint_type] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    for id in sorted {
        hasher.update(id.as_bytes());
        hasher.update([1u8]);
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(24).map(|b| format!("{b:02x}")).collect();
    format!("vpce-guard-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_inputs_same_token_within_ec2_limit() {
        let a = endpoint_client_token("1", "vpc-1", "com.amazonaws.r.s3", "Gateway", &[]);
        let b = endpoint_client_token("1", "vpc-1", "com.amazonaws.r.s3", "Gateway", &[]);
        assert_eq!(a, b);
        assert!(a.len() <= MAX_TOKEN_LEN);
        assert!(a.is_ascii());
    }

    #[test]
    fn every_input_changes_the_token() {
        let base = endpoint_client_token("1", "vpc-1", "s", "Gateway", &[]);
        assert_ne!(
            base,
            endpoint_client_token("2", "vpc-1", "s", "Gateway", &[])
        );
        assert_ne!(
            base,
            endpoint_client_token("1", "vpc-2", "s", "Gateway", &[])
        );
        assert_ne!(
            base,
            endpoint_client_token("1", "vpc-1", "t", "Gateway", &[])
        );
        assert_ne!(
            base,
            endpoint_client_token("1", "vpc-1", "s", "Interface", &[])
        );
        assert_ne!(
            base,
            endpoint_client_token("1", "vpc-1", "s", "Gateway", &["vpce-old".into()])
        );
    }

    #[test]
    fn parts_cannot_be_shifted_between_fields() {
        assert_ne!(
            endpoint_client_token("1", "vpc-1x", "s", "Gateway", &[]),
            endpoint_client_token("1", "vpc-1", "xs", "Gateway", &[])
        );
    }

    #[test]
    fn tombstone_order_does_not_matter() {
        let a = endpoint_client_token("1", "v", "s", "G", &["b".into(), "a".into()]);
        let b = endpoint_client_token("1", "v", "s", "G", &["a".into(), "b".into(), "a".into()]);
        assert_eq!(a, b);
    }
}

/// A fresh token for retrying a create whose first token EC2 answered with a deleted endpoint.
pub fn retry_token_after_deleted(token: &str, deleted_endpoint_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(token.as_bytes());
    hasher.update([0u8]);
    hasher.update(deleted_endpoint_id.as_bytes());
    let hex: String = hasher
        .finalize()
        .iter()
        .take(24)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("vpce-guard-{hex}")
}

#[cfg(test)]
mod retry_tests {
    use super::*;

    #[test]
    fn retry_token_differs_and_is_deterministic() {
        let t = endpoint_client_token("1", "v", "s", "G", &[]);
        let r = retry_token_after_deleted(&t, "vpce-1");
        assert_ne!(t, r);
        assert_eq!(r, retry_token_after_deleted(&t, "vpce-1"));
        assert!(r.len() <= MAX_TOKEN_LEN);
    }
}

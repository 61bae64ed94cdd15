//! AWS identifier syntax and the names the guard gives itself (STS sessions, role ARNs).

/// The account and partition a deployment runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account_id: String,
    /// `aws`, `aws-us-gov`, `aws-cn`: needed to build ARNs.
    pub partition: String,
}

/// `true` for a 12-digit AWS account id.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `true` for an organization id (`o-` and 10 to 32 lowercase letters or digits).
pub fn is_organization_id(text: &str) -> bool {
    text.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// `true` for an organization root id (`r-` and 4 to 32 lowercase letters or digits) or an OU id
/// (`ou-`, the root's 4 to 32, `-`, then 8 to 32 more), as AWS Organizations documents them.
pub fn is_org_parent_id(text: &str) -> bool {
    let part = |s: &str, min: usize| {
        (min..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if let Some(root) = text.strip_prefix("r-") {
        return part(root, 4);
    }
    text.strip_prefix("ou-")
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(root, unit)| part(root, 4) && part(unit, 8))
}

/// `true` for names shaped like AWS Regions (`us-east-1`, `eu-central-2`, `us-gov-west-1`).
pub fn is_region_name(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// STS session names allow 2..=64 characters of `[\w+=,.@-]`; CloudTrail in the member account
/// then shows which function and which invocation acted.
pub fn session_name(function_name: &str, request_id: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    let request = clean(request_id);
    let request: String = request.chars().take(40).collect();
    let room = 64usize.saturating_sub(request.len() + 1);
    let function: String = clean(function_name).chars().take(room).collect();
    let name = match (function.is_empty(), request.is_empty()) {
        (false, false) => format!("{function}-{request}"),
        (false, true) => function,
        (true, false) => request,
        (true, true) => "vpce-guard".to_string(),
    };
    if name.len() < 2 {
        format!("vpce-guard-{name}")
    } else {
        name
    }
}

/// The role the central deployment assumes in a member account.
pub fn member_role_arn(partition: &str, account_id: &str, role_name: &str) -> String {
    format!("arn:{partition}:iam::{account_id}:role/{role_name}")
}

/// `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` → the function's identity.
pub fn identity_from_function_arn(arn: &str) -> Option<CallerIdentity> {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() < 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[1].is_empty() {
        return None;
    }
    is_account_id(parts[4]).then(|| CallerIdentity {
        account_id: parts[4].to_string(),
        partition: parts[1].to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_account_ids_and_regions() {
        assert!(is_account_id("123456789012"));
        for bad in ["12345678901", "1234567890123", "12345678901a", ""] {
            assert!(!is_account_id(bad), "{bad}");
        }
        for good in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-5",
        ] {
            assert!(is_region_name(good), "{good}");
        }
        for bad in ["us-east", "US-EAST-1", "us--1", "east-1", "us-east-1a", ""] {
            assert!(!is_region_name(bad), "{bad}");
        }
    }

    #[test]
    fn recognises_ou_and_root_ids() {
        for good in ["r-ab12", "ou-ab12-cdef3456", "ou-abcd-12345678"] {
            assert!(is_org_parent_id(good), "{good}");
        }
        for bad in [
            "r-ab1",
            "ou-ab12-cdef345",
            "ou-ab12",
            "OU-ab12-cdef3456",
            "ou-AB12-cdef3456",
            "123456789012",
            "",
        ] {
            assert!(!is_org_parent_id(bad), "{bad}");
        }
    }

    #[test]
    fn session_names_fit_sts_rules() {
        let name = session_name(
            "vpce-guard-sweep-worker",
            "8f6e7c3a-1b2c-4d5e-9f00-0a1b2c3d4e5f",
        );
        assert_eq!(
            name,
            "vpce-guard-sweep-worker-8f6e7c3a-1b2c-4d5e-9f00-0a1b2c3d4e5f"
        );
        let long = session_name(&"f".repeat(200), "8f6e7c3a-1b2c-4d5e-9f00-0a1b2c3d4e5f");
        assert_eq!(long.len(), 64);
        assert!(long.ends_with("-8f6e7c3a-1b2c-4d5e-9f00-0a1b2c3d4e5f"));
        assert_eq!(session_name("my fn", "a/b"), "my-fn-a-b");
        assert_eq!(session_name("", ""), "vpce-guard");
        assert_eq!(session_name("x", ""), "vpce-guard-x");
    }

    #[test]
    fn identity_comes_from_the_invoked_function_arn() {
        let id = identity_from_function_arn(
            "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:vpce-guard-sweep-worker:live",
        )
        .unwrap();
        assert_eq!(id.account_id, "123456789012");
        assert_eq!(id.partition, "aws-us-gov");
        for bad in [
            "",
            "arn:aws:lambda",
            "arn:aws:s3:::bucket:x:y",
            "arn:aws:lambda:us-east-1:12:function:f",
        ] {
            assert!(identity_from_function_arn(bad).is_none(), "{bad}");
        }
    }
}

//! Who made a call. Every remediation call the guard makes comes back to it as a CloudTrail
//! event; recognising its own roles (the functions' roles in the central account, the member
//! role in member accounts) keeps it from reacting to itself.

use std::collections::BTreeSet;

use serde_json::Value;

/// The IAM role behind the session that made the call (CloudTrail
/// `userIdentity.sessionContext.sessionIssuer.arn`); None for IAM users, the root user and calls
/// AWS services make on their own.
pub fn session_issuer_arn(detail: &Value) -> Option<String> {
    detail
        .pointer("/userIdentity/sessionContext/sessionIssuer/arn")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|arn| !arn.is_empty())
        .map(str::to_string)
}

/// The roles whose calls are the guard's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnRoles {
    /// ARNs of the functions' roles (`GUARD_ROLE_ARNS`).
    pub role_arns: BTreeSet<String>,
    /// The member role's name, with its path if any (`MEMBER_ROLE_NAME`): the same in every
    /// member account, so matched whatever the account.
    pub member_role_name: Option<String>,
}

impl OwnRoles {
    /// True when `issuer_arn` (a role ARN, `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`) is one of
    /// the guard's roles.
    pub fn is_own(&self, issuer_arn: &str) -> bool {
        if self.role_arns.contains(issuer_arn) {
            return true;
        }
        let Some(member) = self.member_role_name.as_deref() else {
            return false;
        };
        issuer_arn
            .split_once(":role/")
            .is_some_and(|(prefix, role)| prefix.starts_with("arn:") && role == member)
    }
}

/// `true` for an IAM role ARN (`arn:PARTITION:iam::ACCOUNT:role/NAME`).
pub fn is_role_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && parts[2] == "iam"
        && parts[3].is_empty()
        && crate::ids::is_account_id(parts[4])
        && parts[5]
            .strip_prefix("role/")
            .is_some_and(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FUNCTION_ROLE: &str =
        "arn:aws:iam::123456789012:role/vpce-guard-NetworkEventsFunctionRole-1A2B3C4D5E6F";

    fn roles(member: Option<&str>) -> OwnRoles {
        OwnRoles {
            role_arns: BTreeSet::from([FUNCTION_ROLE.to_string()]),
            member_role_name: member.map(str::to_string),
        }
    }

    #[test]
    fn the_session_issuer_is_read_from_assumed_role_identities_only() {
        let detail = json!({"userIdentity": {"type": "AssumedRole",
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": FUNCTION_ROLE}}}});
        assert_eq!(session_issuer_arn(&detail).as_deref(), Some(FUNCTION_ROLE));
        let user = json!({"userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/x"}});
        assert_eq!(session_issuer_arn(&user), None);
        assert_eq!(session_issuer_arn(&json!({})), None);
    }

    #[test]
    fn own_roles_match_exactly_and_the_member_role_in_any_account() {
        let own = roles(Some("vpce-guard-member"));
        assert!(own.is_own(FUNCTION_ROLE));
        assert!(own.is_own("arn:aws:iam::210987654321:role/vpce-guard-member"));
        assert!(own.is_own("arn:aws-us-gov:iam::210987654321:role/vpce-guard-member"));
        assert!(!own.is_own("arn:aws:iam::210987654321:role/vpce-guard-member-admin"));
        assert!(!own.is_own("arn:aws:iam::123456789012:role/NetworkAdmin"));
        assert!(!roles(None).is_own("arn:aws:iam::210987654321:role/vpce-guard-member"));
        let pathed = roles(Some("platform/vpce-guard-member"));
        assert!(pathed.is_own("arn:aws:iam::210987654321:role/platform/vpce-guard-member"));
        assert!(!pathed.is_own("arn:aws:iam::210987654321:role/vpce-guard-member"));
    }

    #[test]
    fn role_arns_are_recognised() {
        assert!(is_role_arn(FUNCTION_ROLE));
        assert!(is_role_arn("arn:aws-cn:iam::123456789012:role/path/name"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:user/name"));
        assert!(!is_role_arn("arn:aws:iam::12345:role/name"));
        assert!(!is_role_arn(
            "arn:aws:sts::123456789012:assumed-role/name/s"
        ));
        assert!(!is_role_arn("role/name"));
    }
}

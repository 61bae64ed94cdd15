//! Which profile a VPC gets, from the most specific say to the least:
//!
//! 1. the VPC's tag `vpce-guard:profile` (the VPC owner's choice);
//! 2. the account's entry in `ACCOUNT_PROFILES`;
//! 3. the entry of the nearest OU above the account (then its parent, up to the root's);
//! 4. the profile set's `default_profile`.
//!
//! `ACCOUNT_PROFILES` is checked when it is parsed, so only a tag can name an unknown profile;
//! the caller then reports `unknown_profile` and changes nothing in that VPC, since guessing
//! another profile could delete or rewrite what the owner meant to keep.

use std::collections::BTreeMap;

use serde_json::Value;

use super::ProfileSet;
use crate::error::AccountProfilesError;
use crate::ids::{is_account_id, is_org_parent_id};

/// The VPC tag naming the VPC's profile.
pub const PROFILE_TAG_KEY: &str = "vpce-guard:profile";

/// `ACCOUNT_PROFILES`: account id, OU id or root id → profile name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountProfiles {
    by_id: BTreeMap<String, String>,
}

/// What chose a VPC's profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileSource {
    /// The VPC's `vpce-guard:profile` tag.
    VpcTag,
    /// The account's entry in `ACCOUNT_PROFILES`.
    Account { account_id: String },
    /// The entry of an OU (or the root) above the account.
    OrganizationalUnit { id: String },
    /// `default_profile`.
    Default,
}

/// The profile for one VPC, or the unknown name it was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileSelection {
    Profile {
        name: String,
        source: ProfileSource,
    },
    /// Named by `source` but not in the profile set: report, change nothing.
    UnknownProfile {
        name: String,
        source: ProfileSource,
    },
}

impl AccountProfiles {
    /// Parses `ACCOUNT_PROFILES`; keys must be account, OU or root ids and values names of
    /// `profiles`.
    pub fn parse(text: &str, profiles: &ProfileSet) -> Result<Self, AccountProfilesError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| AccountProfilesError::Syntax(e.to_string()))?;
        let Value::Object(map) = value else {
            return Err(AccountProfilesError::NotAnObject);
        };
        let mut by_id = BTreeMap::new();
        for (key, value) in map {
            if !(is_account_id(&key) || is_org_parent_id(&key)) {
                return Err(AccountProfilesError::BadKey { key });
            }
            let Value::String(profile) = value else {
                return Err(AccountProfilesError::NotAName { key });
            };
            if !profiles.contains(&profile) {
                return Err(AccountProfilesError::UnknownProfile {
                    key,
                    profile,
                    known: profiles.names().collect::<Vec<_>>().join(", "),
                });
            }
            by_id.insert(key, profile);
        }
        Ok(Self { by_id })
    }

    /// The profile named for an account, OU or root id.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Whether `account_id`'s profile may come from an OU: the account has no entry of its own
    /// and some key is an OU or root id (the caller then needs the account's OU path).
    pub fn selects_by_ou(&self, account_id: &str) -> bool {
        self.get(account_id).is_none() && self.by_id.keys().any(|id| is_org_parent_id(id))
    }
}

/// Picks a VPC's profile (precedence in the module doc). `parent_ids` are the account's OU ids
/// from the account up to the root, nearest first (the root id may end the list).
pub fn select_profile(
    profiles: &ProfileSet,
    account_profiles: &AccountProfiles,
    vpc_tags: &BTreeMap<String, String>,
    account_id: &str,
    parent_ids: &[String],
) -> ProfileSelection {
    let (name, source) = if let Some(tag) = vpc_tags.get(PROFILE_TAG_KEY) {
        (tag.trim(), ProfileSource::VpcTag)
    } else if let Some(name) = account_profiles.get(account_id) {
        let account_id = account_id.to_string();
        (name, ProfileSource::Account { account_id })
    } else if let Some((id, name)) = parent_ids
        .iter()
        .find_map(|id| account_profiles.get(id).map(|name| (id, name)))
    {
        let id = id.clone();
        (name, ProfileSource::OrganizationalUnit { id })
    } else {
        (profiles.default_profile(), ProfileSource::Default)
    };
    let name = name.to_string();
    if profiles.contains(&name) {
        ProfileSelection::Profile { name, source }
    } else {
        ProfileSelection::UnknownProfile { name, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "111122223333";

    fn profiles() -> ProfileSet {
        ProfileSet::parse(
            r#"{"default_profile": "base", "profiles": {
                "base": {"preset": "ecs-fargate"}, "eks": {"preset": "eks"},
                "ssm": {"preset": "ssm"}, "lambda": {"preset": "lambda"}, "hub": {"preset": "security-hub"}
            }}"#,
        )
        .unwrap()
    }

    fn map() -> AccountProfiles {
        AccountProfiles::parse(
            r#"{"111122223333": "eks", "ou-abcd-11111111": "ssm", "ou-abcd-22222222": "lambda", "r-abcd": "hub"}"#,
            &profiles(),
        )
        .unwrap()
    }

    fn tags(value: Option<&str>) -> BTreeMap<String, String> {
        value
            .map(|v| BTreeMap::from([(PROFILE_TAG_KEY.to_string(), v.to_string())]))
            .unwrap_or_default()
    }

    fn pick(tag: Option<&str>, account: &str, parents: &[&str]) -> ProfileSelection {
        let parents: Vec<String> = parents.iter().map(|p| p.to_string()).collect();
        select_profile(&profiles(), &map(), &tags(tag), account, &parents)
    }

    fn chosen(name: &str, source: ProfileSource) -> ProfileSelection {
        ProfileSelection::Profile {
            name: name.into(),
            source,
        }
    }

    #[test]
    fn precedence_is_tag_then_account_then_nearest_ou_then_default() {
        let chain = ["ou-abcd-22222222", "ou-abcd-11111111", "r-abcd"];
        assert_eq!(
            pick(Some("base"), ACCOUNT, &chain),
            chosen("base", ProfileSource::VpcTag)
        );
        assert_eq!(
            pick(None, ACCOUNT, &chain),
            chosen(
                "eks",
                ProfileSource::Account {
                    account_id: ACCOUNT.into()
                }
            )
        );
        let other = "444455556666";
        assert_eq!(
            pick(None, other, &chain),
            chosen(
                "lambda",
                ProfileSource::OrganizationalUnit {
                    id: "ou-abcd-22222222".into()
                }
            )
        );
        assert_eq!(
            pick(
                None,
                other,
                &["ou-abcd-99999999", "ou-abcd-11111111", "r-abcd"]
            ),
            chosen(
                "ssm",
                ProfileSource::OrganizationalUnit {
                    id: "ou-abcd-11111111".into()
                }
            )
        );
        assert_eq!(
            pick(None, other, &["ou-abcd-99999999", "r-abcd"]),
            chosen(
                "hub",
                ProfileSource::OrganizationalUnit {
                    id: "r-abcd".into()
                }
            )
        );
        assert_eq!(
            pick(None, other, &[]),
            chosen("base", ProfileSource::Default)
        );
    }

    #[test]
    fn a_tag_naming_an_unknown_profile_is_reported_not_replaced() {
        assert_eq!(
            pick(Some("ekss"), ACCOUNT, &[]),
            ProfileSelection::UnknownProfile {
                name: "ekss".into(),
                source: ProfileSource::VpcTag
            }
        );
        assert_eq!(
            pick(Some(""), ACCOUNT, &[]),
            ProfileSelection::UnknownProfile {
                name: "".into(),
                source: ProfileSource::VpcTag
            }
        );
        assert_eq!(
            pick(Some(" ssm "), ACCOUNT, &[]),
            chosen("ssm", ProfileSource::VpcTag)
        );
    }

    #[test]
    fn bad_account_profiles_are_configuration_errors() {
        let set = profiles();
        let parse = |text: &str| AccountProfiles::parse(text, &set).unwrap_err();
        assert!(matches!(parse("{"), AccountProfilesError::Syntax(_)));
        assert_eq!(parse(r#"["eks"]"#), AccountProfilesError::NotAnObject);
        for key in ["11112222333", "ou-abcd", "eks", "o-abcd123456"] {
            assert_eq!(
                parse(&format!(r#"{{"{key}": "eks"}}"#)),
                AccountProfilesError::BadKey { key: key.into() }
            );
        }
        assert_eq!(
            parse(r#"{"111122223333": ["eks"]}"#),
            AccountProfilesError::NotAName {
                key: ACCOUNT.into()
            }
        );
        let err = parse(r#"{"ou-abcd-11111111": "ekss"}"#);
        assert!(
            matches!(&err, AccountProfilesError::UnknownProfile { key, profile, .. }
                if key == "ou-abcd-11111111" && profile == "ekss"),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("base, eks, hub, lambda, ssm"),
            "{err}"
        );
    }

    #[test]
    fn an_empty_map_leaves_the_default() {
        let empty = AccountProfiles::parse("{}", &profiles()).unwrap();
        assert!(empty.is_empty());
        let selection = select_profile(&profiles(), &empty, &tags(None), ACCOUNT, &[]);
        assert_eq!(selection, chosen("base", ProfileSource::Default));
        assert_eq!(map().get(ACCOUNT), Some("eks"));
    }
}

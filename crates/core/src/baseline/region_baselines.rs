//! Every profile resolved for one account and Region, and the pick for each VPC: what a guard
//! run plans against. Resolved once per run (policies carry the account id and Region).

use std::collections::{BTreeMap, BTreeSet};

use super::{
    select_profile, AccountProfiles, Baseline, PolicyVariables, ProfileSelection, ProfileSet,
    ProfileSource,
};

/// The baseline a VPC is planned against, or why it cannot be planned.
#[derive(Debug, Clone, PartialEq)]
pub enum VpcBaseline<'a> {
    Use {
        profile: &'a str,
        baseline: &'a Baseline,
    },
    /// The VPC's profile cannot be used: an unknown name (from its tag), or a profile whose
    /// policies cannot be filled in here (e.g. `${org_id}` with no organization id). The VPC
    /// gets an `unknown_profile` finding and nothing is changed in it.
    Unusable { profile: String, reason: String },
}

/// Every profile of a [`ProfileSet`] resolved for one account and Region.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionBaselines {
    profiles: ProfileSet,
    account_profiles: AccountProfiles,
    resolved: BTreeMap<String, Result<Baseline, String>>,
}

fn describe(source: &ProfileSource) -> String {
    match source {
        ProfileSource::VpcTag => format!("the VPC tag {}", super::PROFILE_TAG_KEY),
        ProfileSource::Account { account_id } => format!("ACCOUNT_PROFILES for {account_id}"),
        ProfileSource::OrganizationalUnit { id } => format!("ACCOUNT_PROFILES for {id}"),
        ProfileSource::Default => "default_profile".to_string(),
    }
}

impl RegionBaselines {
    /// Resolves every profile with `vars` (account, Region, partition, organization id).
    pub fn new(
        profiles: &ProfileSet,
        account_profiles: &AccountProfiles,
        vars: &PolicyVariables,
    ) -> Self {
        let resolved = profiles
            .resolve_all(vars)
            .into_iter()
            .map(|(name, result)| {
                let result =
                    result.map_err(|e| format!("profile `{name}` cannot be resolved here: {e}"));
                (name, result)
            })
            .collect();
        Self {
            profiles: profiles.clone(),
            account_profiles: account_profiles.clone(),
            resolved,
        }
    }

    /// The profile of a VPC with `tags` in `account_id` (whose OUs, nearest first, are
    /// `parent_ids`), resolved.
    pub fn for_vpc(
        &self,
        tags: &BTreeMap<String, String>,
        account_id: &str,
        parent_ids: &[String],
    ) -> VpcBaseline<'_> {
        match select_profile(
            &self.profiles,
            &self.account_profiles,
            tags,
            account_id,
            parent_ids,
        ) {
            ProfileSelection::Profile { name, source } => match self.resolved.get_key_value(&name)
            {
                Some((profile, Ok(baseline))) => VpcBaseline::Use {
                    profile: profile.as_str(),
                    baseline,
                },
                Some((_, Err(reason))) => VpcBaseline::Unusable {
                    profile: name,
                    reason: reason.clone(),
                },
                None => VpcBaseline::Unusable {
                    reason: format!("profile `{name}` (from {}) is not defined", describe(&source)),
                    profile: name,
                },
            },
            ProfileSelection::UnknownProfile { name, source } => VpcBaseline::Unusable {
                reason: format!(
                    "{} names profile `{name}`, which GUARD_BASELINE does not define (profiles: {})",
                    describe(&source),
                    self.profiles.names().collect::<Vec<_>>().join(", ")
                ),
                profile: name,
            },
        }
    }

    /// Every resolved baseline (the ones VPCs may be planned against).
    pub fn baselines(&self) -> impl Iterator<Item = &Baseline> {
        self.resolved.values().filter_map(|r| r.as_ref().ok())
    }

    /// Full names of every service any resolved profile wants, sorted (what observation must
    /// describe).
    pub fn service_names(&self) -> Vec<String> {
        self.baselines()
            .flat_map(|b| b.services.iter().map(|s| s.service_name.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "111122223333";

    fn set() -> ProfileSet {
        ProfileSet::parse(
            r#"{"default_profile": "base", "profiles": {
                "base": {"preset": "ecs-fargate"},
                "ssm": {"preset": "ssm"},
                "perimeter": {"services": [{"service": "s3", "type": "Gateway", "policy": "org-only"}]}
            }}"#,
        )
        .unwrap()
    }

    fn vars() -> PolicyVariables {
        PolicyVariables::new(ACCOUNT, "eu-west-1", "aws")
    }

    #[test]
    fn vpcs_get_their_profile_resolved_for_the_region() {
        let accounts = AccountProfiles::parse(r#"{"ou-ab12-34567890": "ssm"}"#, &set()).unwrap();
        let baselines = RegionBaselines::new(&set(), &accounts, &vars());
        let no_tags = BTreeMap::new();
        match baselines.for_vpc(&no_tags, ACCOUNT, &[]) {
            VpcBaseline::Use { profile, baseline } => {
                assert_eq!(profile, "base");
                assert_eq!(baseline.region, "eu-west-1");
                assert_eq!(baseline.services.len(), 5);
            }
            other => panic!("{other:?}"),
        }
        let parents = ["ou-ab12-34567890".to_string()];
        assert!(matches!(
            baselines.for_vpc(&no_tags, ACCOUNT, &parents),
            VpcBaseline::Use { profile: "ssm", .. }
        ));
        assert!(accounts.selects_by_ou(ACCOUNT));
        assert!(baselines
            .service_names()
            .contains(&"com.amazonaws.eu-west-1.ssmmessages".to_string()));
    }

    #[test]
    fn an_unknown_tag_or_an_unfillable_policy_makes_the_vpc_unusable_with_the_reason() {
        let baselines = RegionBaselines::new(&set(), &AccountProfiles::default(), &vars());
        let tags = BTreeMap::from([(super::super::PROFILE_TAG_KEY.to_string(), "eks".to_string())]);
        match baselines.for_vpc(&tags, ACCOUNT, &[]) {
            VpcBaseline::Unusable { profile, reason } => {
                assert_eq!(profile, "eks");
                assert!(reason.contains("does not define"), "{reason}");
                assert!(reason.contains("base, perimeter, ssm"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // `org-only` needs the organization id, which these variables lack.
        let tags = BTreeMap::from([(
            super::super::PROFILE_TAG_KEY.to_string(),
            "perimeter".to_string(),
        )]);
        match baselines.for_vpc(&tags, ACCOUNT, &[]) {
            VpcBaseline::Unusable { reason, .. } => {
                assert!(reason.contains("perimeter"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        let with_org = RegionBaselines::new(
            &set(),
            &AccountProfiles::default(),
            &vars().with_org_id("o-abcdefghij"),
        );
        assert!(matches!(
            with_org.for_vpc(&tags, ACCOUNT, &[]),
            VpcBaseline::Use {
                profile: "perimeter",
                ..
            }
        ));
        assert!(!AccountProfiles::default().selects_by_ou(ACCOUNT));
        let own_entry = AccountProfiles::parse(
            r#"{"111122223333": "ssm", "ou-ab12-34567890": "base"}"#,
            &set(),
        )
        .unwrap();
        assert!(
            !own_entry.selects_by_ou(ACCOUNT),
            "the account's own entry wins"
        );
    }
}

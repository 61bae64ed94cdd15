//! Which accounts an organization sweep covers.

use std::collections::BTreeSet;

/// An account as AWS Organizations lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    pub status: String,
}

/// Which listed accounts a sweep covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFilter {
    /// When not empty, only these accounts.
    pub include: BTreeSet<String>,
    /// Never these accounts (wins over `include`).
    pub exclude: BTreeSet<String>,
}

/// ACTIVE accounts that pass the filter, sorted and without duplicates (an account can be listed
/// under several OUs of the filter).
pub fn select_accounts(accounts: &[OrgAccount], filter: &AccountFilter) -> Vec<String> {
    let selected: BTreeSet<String> = accounts
        .iter()
        .filter(|a| a.status == "ACTIVE")
        .filter(|a| filter.include.is_empty() || filter.include.contains(&a.id))
        .filter(|a| !filter.exclude.contains(&a.id))
        .map(|a| a.id.clone())
        .collect();
    selected.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_active_accounts_through_the_filter() {
        let account = |id: &str, status: &str| OrgAccount {
            id: id.into(),
            name: format!("n{id}"),
            status: status.into(),
        };
        let accounts = vec![
            account("333333333333", "ACTIVE"),
            account("111111111111", "ACTIVE"),
            account("222222222222", "SUSPENDED"),
            account("444444444444", "ACTIVE"),
            account("111111111111", "ACTIVE"),
        ];
        let all = select_accounts(&accounts, &AccountFilter::default());
        assert_eq!(all, ["111111111111", "333333333333", "444444444444"]);
        let filter = AccountFilter {
            include: ["111111111111", "222222222222", "444444444444"]
                .into_iter()
                .map(String::from)
                .collect(),
            exclude: ["444444444444".to_string()].into_iter().collect(),
        };
        assert_eq!(select_accounts(&accounts, &filter), ["111111111111"]);
    }
}

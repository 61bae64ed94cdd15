//! AWS Organizations adapter: the accounts an org sweep covers, and the OUs above an account
//! (profile selection by OU).

use std::collections::BTreeSet;

use aws_sdk_organizations::Client;

use super::sdk_error::api_error;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::org::OrgAccount;

/// Organizations' answer for an account that belongs to no organization.
const ORGANIZATIONS_NOT_IN_USE: &str = "AWSOrganizationsNotInUseException";

#[derive(Clone, Debug)]
pub struct OrganizationsAdapter {
    client: Client,
}

impl OrganizationsAdapter {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// Every account of the organization (one paginated ListAccounts), or, with `parent_ids`,
    /// the accounts under those OUs/roots and all their child OUs.
    pub async fn accounts(&self, parent_ids: &[String]) -> Result<Vec<OrgAccount>, ApiError> {
        if parent_ids.is_empty() {
            return self.all_accounts().await;
        }
        let mut accounts = Vec::new();
        let mut pending: Vec<String> = parent_ids.to_vec();
        let mut visited = BTreeSet::new();
        while let Some(parent) = pending.pop() {
            if !visited.insert(parent.clone()) {
                continue;
            }
            let mut pages = self
                .client
                .list_accounts_for_parent()
                .parent_id(&parent)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| api_error("ListAccountsForParent", e))?;
                accounts.extend(page.accounts().iter().map(to_org_account));
            }
            let mut children = self
                .client
                .list_organizational_units_for_parent()
                .parent_id(&parent)
                .into_paginator()
                .send();
            while let Some(page) = children.next().await {
                let page = page.map_err(|e| api_error("ListOrganizationalUnitsForParent", e))?;
                pending.extend(
                    page.organizational_units()
                        .iter()
                        .filter_map(|ou| ou.id().map(str::to_string)),
                );
            }
        }
        Ok(accounts)
    }

    /// The organization's id (`o-…`), or None when the account is in no organization
    /// (`AWSOrganizationsNotInUseException`). One DescribeOrganization.
    pub async fn organization_id(&self) -> Result<Option<String>, ApiError> {
        match self.client.describe_organization().send().await {
            Ok(answer) => Ok(answer
                .organization()
                .and_then(|o| o.id())
                .map(str::to_string)),
            Err(error) => {
                let error = api_error("DescribeOrganization", error);
                if error.code == ORGANIZATIONS_NOT_IN_USE {
                    Ok(None)
                } else {
                    Err(error)
                }
            }
        }
    }

    /// The OUs above `account_id`, nearest first, ending with the root: one ListParents per
    /// level (at most six: Organizations nests OUs five deep under the root).
    pub async fn parents_of(&self, account_id: &str) -> Result<Vec<String>, ApiError> {
        const MAX_LEVELS: usize = 6;
        let mut parents = Vec::new();
        let mut child = account_id.to_string();
        for _ in 0..MAX_LEVELS {
            let answer = self
                .client
                .list_parents()
                .child_id(&child)
                .send()
                .await
                .map_err(|e| api_error("ListParents", e))?;
            let Some(parent) = answer.parents().first() else {
                break;
            };
            let Some(id) = parent.id() else {
                break;
            };
            parents.push(id.to_string());
            if parent.r#type() == Some(&aws_sdk_organizations::types::ParentType::Root) {
                break;
            }
            child = id.to_string();
        }
        Ok(parents)
    }

    async fn all_accounts(&self) -> Result<Vec<OrgAccount>, ApiError> {
        let mut accounts = Vec::new();
        let mut pages = self.client.list_accounts().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| api_error("ListAccounts", e))?;
            accounts.extend(page.accounts().iter().map(to_org_account));
        }
        Ok(accounts)
    }
}

fn to_org_account(account: &aws_sdk_organizations::types::Account) -> OrgAccount {
    OrgAccount {
        id: account.id().unwrap_or_default().to_string(),
        name: account.name().unwrap_or_default().to_string(),
        // `State` replaces the deprecated `Status`; read whichever the API filled in.
        status: account
            .state()
            .map(|s| s.as_str().to_string())
            .or_else(|| legacy_status(account))
            .unwrap_or_default(),
    }
}

#[allow(deprecated)]
fn legacy_status(account: &aws_sdk_organizations::types::Account) -> Option<String> {
    account.status().map(|s| s.as_str().to_string())
}

//! The prune hold: when the guard prunes its idle endpoint for a service (or an idle AZ of it),
//! it tags the VPC `vpce-guard:pruned:<service name>` so later runs do not create it again.
//! The value is `endpoint` (the whole service is held out of the VPC's baseline) or the
//! space-separated Availability Zones held out. Removing the tag brings the service back; so
//! does the VPC's NAT traffic passing the interface break-even under `when_cost_effective`.

use std::collections::{BTreeMap, BTreeSet};

/// The hold's key is this prefix plus the full service name.
pub const PRUNED_TAG_PREFIX: &str = "vpce-guard:pruned:";
/// The value that holds the whole service out.
pub const WHOLE_ENDPOINT: &str = "endpoint";

/// What a VPC's tag holds out for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PruneHold {
    /// No endpoint for the service is created.
    Endpoint,
    /// The service's endpoint gets no subnet in these AZs.
    Azs(BTreeSet<String>),
}

impl PruneHold {
    /// The tag key for `service_name`.
    pub fn tag_key(service_name: &str) -> String {
        format!("{PRUNED_TAG_PREFIX}{service_name}")
    }

    /// The hold `tags` carry for `service_name`, if any (an empty value holds nothing).
    pub fn of(tags: &BTreeMap<String, String>, service_name: &str) -> Option<Self> {
        let value = tags.get(&Self::tag_key(service_name))?.trim();
        if value.eq_ignore_ascii_case(WHOLE_ENDPOINT) {
            return Some(PruneHold::Endpoint);
        }
        let azs: BTreeSet<String> = value.split_whitespace().map(str::to_string).collect();
        (!azs.is_empty()).then_some(PruneHold::Azs(azs))
    }

    /// The tag value.
    pub fn value(&self) -> String {
        match self {
            PruneHold::Endpoint => WHOLE_ENDPOINT.to_string(),
            PruneHold::Azs(azs) => azs.iter().cloned().collect::<Vec<_>>().join(" "),
        }
    }

    /// Whether the hold keeps the service's endpoint from being created at all.
    pub fn holds_endpoint(&self) -> bool {
        matches!(self, PruneHold::Endpoint)
    }

    /// Whether the hold keeps `az` out of the service's endpoint.
    pub fn holds_az(&self, az: &str) -> bool {
        match self {
            PruneHold::Endpoint => true,
            PruneHold::Azs(azs) => azs.contains(az),
        }
    }

    /// This hold with `az` added (a whole-endpoint hold already holds every AZ).
    pub fn with_az(existing: Option<&PruneHold>, az: &str) -> PruneHold {
        match existing {
            Some(PruneHold::Endpoint) => PruneHold::Endpoint,
            Some(PruneHold::Azs(azs)) => {
                let mut azs = azs.clone();
                azs.insert(az.to_string());
                PruneHold::Azs(azs)
            }
            None => PruneHold::Azs(BTreeSet::from([az.to_string()])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGS: &str = "com.amazonaws.us-east-1.logs";

    #[test]
    fn holds_read_back_from_tags() {
        let mut tags = BTreeMap::new();
        assert_eq!(PruneHold::of(&tags, LOGS), None);
        tags.insert(PruneHold::tag_key(LOGS), "endpoint".to_string());
        let hold = PruneHold::of(&tags, LOGS).unwrap();
        assert!(hold.holds_endpoint() && hold.holds_az("us-east-1a"));
        tags.insert(
            PruneHold::tag_key(LOGS),
            " us-east-1b  us-east-1a ".to_string(),
        );
        let hold = PruneHold::of(&tags, LOGS).unwrap();
        assert!(!hold.holds_endpoint());
        assert!(hold.holds_az("us-east-1a") && !hold.holds_az("us-east-1c"));
        assert_eq!(hold.value(), "us-east-1a us-east-1b");
        tags.insert(PruneHold::tag_key(LOGS), "  ".to_string());
        assert_eq!(
            PruneHold::of(&tags, LOGS),
            None,
            "an empty value holds nothing"
        );
        assert_eq!(
            PruneHold::of(&tags, "com.amazonaws.us-east-1.ecr.api"),
            None,
            "one key per service"
        );
    }

    #[test]
    fn azs_accumulate_and_the_whole_endpoint_wins() {
        let one = PruneHold::with_az(None, "us-east-1b");
        let two = PruneHold::with_az(Some(&one), "us-east-1a");
        assert_eq!(two.value(), "us-east-1a us-east-1b");
        assert_eq!(
            PruneHold::with_az(Some(&PruneHold::Endpoint), "us-east-1a"),
            PruneHold::Endpoint
        );
        assert_eq!(
            PruneHold::tag_key(LOGS),
            "vpce-guard:pruned:com.amazonaws.us-east-1.logs"
        );
    }
}

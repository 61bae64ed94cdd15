//! The resource ids a CloudTrail record names, found by walking `requestParameters` and
//! `responseElements` and recognising EC2 id prefixes: records vary in shape (XML-derived
//! `vpcId`, wrapped `ModifyVpcEndpointRequest.VpcEndpointId.content`, single items vs lists),
//! but an id always looks like one.

use std::collections::BTreeSet;

use serde_json::Value;

/// Resource ids named by an event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceRefs {
    pub vpc_ids: BTreeSet<String>,
    pub subnet_ids: BTreeSet<String>,
    pub route_table_ids: BTreeSet<String>,
    pub association_ids: BTreeSet<String>,
    pub endpoint_ids: BTreeSet<String>,
    /// Security groups (`sg-…`) a rule call changed.
    pub security_group_ids: BTreeSet<String>,
    /// Security groups named only by name (`groupName`): very old records of rule calls.
    pub security_group_names: BTreeSet<String>,
}

/// The keys under which CloudTrail records a security group's name.
const GROUP_NAME_KEYS: &[&str] = &["groupName", "GroupName"];

impl ResourceRefs {
    pub fn is_empty(&self) -> bool {
        self.vpc_ids.is_empty()
            && self.subnet_ids.is_empty()
            && self.route_table_ids.is_empty()
            && self.association_ids.is_empty()
            && self.endpoint_ids.is_empty()
            && self.security_group_ids.is_empty()
            && self.security_group_names.is_empty()
    }

    /// True when the only resources named are security groups (a rule call): the guard acts
    /// only if a group is its own, which one cheap check tells.
    pub fn names_only_security_groups(&self) -> bool {
        (!self.security_group_ids.is_empty() || !self.security_group_names.is_empty())
            && self.vpc_ids.is_empty()
            && self.subnet_ids.is_empty()
            && self.route_table_ids.is_empty()
            && self.association_ids.is_empty()
            && self.endpoint_ids.is_empty()
    }

    pub(super) fn collect(&mut self, value: &Value) {
        match value {
            Value::String(text) => self.classify(text),
            Value::Array(items) => items.iter().for_each(|v| self.collect(v)),
            Value::Object(map) => {
                for (key, v) in map {
                    match v {
                        Value::String(name) if GROUP_NAME_KEYS.contains(&key.as_str()) => {
                            let name = name.trim();
                            if !name.is_empty() {
                                self.security_group_names.insert(name.to_string());
                            }
                        }
                        _ => self.collect(v),
                    }
                }
            }
            _ => {}
        }
    }

    fn classify(&mut self, text: &str) {
        let id = text.trim();
        let looks_like = |prefix: &str| {
            id.strip_prefix(prefix).is_some_and(|rest| {
                !rest.is_empty()
                    && rest.len() <= 32
                    && rest.chars().all(|c| c.is_ascii_alphanumeric())
            })
        };
        let set = if looks_like("vpc-") {
            &mut self.vpc_ids
        } else if looks_like("subnet-") {
            &mut self.subnet_ids
        } else if looks_like("rtb-") {
            &mut self.route_table_ids
        } else if looks_like("rtbassoc-") {
            &mut self.association_ids
        } else if looks_like("vpce-") {
            &mut self.endpoint_ids
        } else if looks_like("sg-") {
            &mut self.security_group_ids
        } else {
            return;
        };
        set.insert(id.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefixes_do_not_collide() {
        let mut refs = ResourceRefs::default();
        refs.collect(&json!([
            "vpce-1",
            "vpc-2",
            "rtbassoc-3",
            "rtb-4",
            "subnet-5",
            "sg-6",
            "sgr-7",
            "vpc-cidr-assoc-8",
            "vpc-",
            "vpc-x y"
        ]));
        assert_eq!(refs.endpoint_ids.len(), 1);
        assert_eq!(refs.vpc_ids, BTreeSet::from(["vpc-2".to_string()]));
        assert_eq!(refs.association_ids.len(), 1);
        assert_eq!(refs.route_table_ids.len(), 1);
        assert_eq!(refs.subnet_ids.len(), 1);
        assert_eq!(
            refs.security_group_ids,
            BTreeSet::from(["sg-6".to_string()])
        );
    }

    #[test]
    fn group_names_are_collected_by_key_not_by_shape() {
        let mut refs = ResourceRefs::default();
        refs.collect(&json!({"groupName": "default", "ipPermissions": {"items": [
            {"ipProtocol": "tcp", "groups": {"items": [{"groupName": "web"}]}}]}}));
        assert_eq!(
            refs.security_group_names,
            BTreeSet::from(["default".to_string(), "web".to_string()])
        );
        assert!(refs.names_only_security_groups());
        refs.collect(&json!({"vpcId": "vpc-1"}));
        assert!(!refs.names_only_security_groups());
    }
}

//! EC2 resource ids as types of their own, where one in the wrong place would change the wrong
//! resource: the ids a remedy names (the endpoint it modifies, the subnets it adds or removes,
//! the route tables, the security group) and the VPC a remediation call acts in. A subnet id in
//! an endpoint's slot does not compile. They serialise as the plain id.
//!
//! The inventory ([`crate::model`]) keeps plain strings: it holds what EC2 answered, and every id
//! there sits in a field whose name says what it is. The types start where the plan turns an id
//! into a change.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! resource_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The prefix EC2 gives these ids.
            pub const PREFIX: &'static str = $prefix;

            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Whether the id has EC2's prefix for this kind of resource.
            pub fn has_prefix(&self) -> bool {
                self.0.starts_with(Self::PREFIX)
            }

            /// Plain strings of `ids`, for the SDK's list parameters.
            pub fn strings(ids: &[Self]) -> Vec<String> {
                ids.iter().map(|id| id.0.clone()).collect()
            }

            /// `ids` as ids of this kind.
            pub fn all<S: AsRef<str>>(ids: &[S]) -> Vec<Self> {
                ids.iter().map(|id| Self(id.as_ref().to_string())).collect()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_string())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                Self(id.clone())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl From<&$name> for String {
            fn from(id: &$name) -> String {
                id.0.clone()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

resource_id!(
    /// `vpc-…`
    VpcId,
    "vpc-"
);
resource_id!(
    /// `subnet-…`
    SubnetId,
    "subnet-"
);
resource_id!(
    /// `vpce-…`: a VPC endpoint.
    EndpointId,
    "vpce-"
);
resource_id!(
    /// `rtb-…`
    RouteTableId,
    "rtb-"
);
resource_id!(
    /// `sg-…`
    SecurityGroupId,
    "sg-"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_their_text_and_serialise_plainly() {
        let endpoint = EndpointId::from("vpce-0a1b");
        assert_eq!(endpoint.as_str(), "vpce-0a1b");
        assert_eq!(endpoint.to_string(), "vpce-0a1b");
        assert!(endpoint.has_prefix());
        assert!(!SubnetId::from("vpce-0a1b").has_prefix());
        assert_eq!(serde_json::to_string(&endpoint).unwrap(), "\"vpce-0a1b\"");
        let back: EndpointId = serde_json::from_str("\"vpce-0a1b\"").unwrap();
        assert_eq!(back, endpoint);
        let subnets = SubnetId::all(&["subnet-1", "subnet-2"]);
        assert_eq!(SubnetId::strings(&subnets), ["subnet-1", "subnet-2"]);
        assert_eq!(String::from(&subnets[0]), "subnet-1");
        assert!(subnets[1] == "subnet-2");
    }
}

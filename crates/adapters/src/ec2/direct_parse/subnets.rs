//! `DescribeSubnets` answers into the core's [`Subnet`]: id, VPC, zone, whether it holds an
//! IPv6 block, and the guard's release tag, read the way the SDK reads them (`shape_subnet`,
//! `shape_subnet_ipv6_cidr_block_association` of `aws-sdk-ec2`).

use std::collections::BTreeMap;

use aws_sdk_ec2::operation::describe_subnets::{DescribeSubnets, DescribeSubnetsOutput};
use aws_sdk_ec2::types::{Subnet as SdkSubnet, SubnetCidrBlockStateCode};
use aws_smithy_xml::decode::{try_data, ScopedDecoder, XmlDecodeError};

use super::xml::{tag_values, text};
use super::DirectAnswer;
use vpce_guard_core::model::{Subnet, RELEASED_TAG_KEY};

/// `DescribeSubnets`, parsed into [`Subnet`]s.
pub(in crate::ec2) struct SubnetsAnswer;

impl DirectAnswer for SubnetsAnswer {
    type Operation = DescribeSubnets;
    type Item = Subnet;
    type SdkOutput = DescribeSubnetsOutput;
    const ACTION: &'static str = "DescribeSubnets";
    const ROOT: &'static str = "DescribeSubnetsResponse";
    const ITEM_SET: &'static str = "subnetSet";

    fn parse_item(item: &mut ScopedDecoder) -> Result<Option<Subnet>, XmlDecodeError> {
        let (mut id, mut vpc_id) = (None, None);
        let mut subnet = Subnet::default();
        while let Some(mut field) = item.next_tag() {
            match field.start_el() {
                s if s.matches("subnetId") => id = Some(text(&mut field)?),
                s if s.matches("vpcId") => vpc_id = Some(text(&mut field)?),
                s if s.matches("availabilityZone") => subnet.availability_zone = text(&mut field)?,
                s if s.matches("ipv6CidrBlockAssociationSet") => {
                    subnet.ipv6 = holds_ipv6_block(&mut field)?
                }
                s if s.matches("tagSet") => subnet.tags = release_tag(&mut field)?,
                _ => {}
            }
        }
        let (Some(id), Some(vpc_id)) = (id, vpc_id) else {
            return Ok(None);
        };
        subnet.id = id;
        subnet.vpc_id = vpc_id;
        Ok(Some(subnet))
    }

    fn token_only_output(next_token: Option<String>) -> DescribeSubnetsOutput {
        DescribeSubnetsOutput::builder()
            .set_next_token(next_token)
            .build()
    }

    fn sdk_items(output: &DescribeSubnetsOutput) -> Vec<Subnet> {
        output
            .subnets()
            .iter()
            .filter_map(subnet_from_sdk)
            .collect()
    }

    fn sdk_next_token(output: &DescribeSubnetsOutput) -> Option<&str> {
        output.next_token()
    }
}

/// The association states of a block on its way out; any other state (or none) holds it.
const LEAVING: [&str; 4] = ["disassociating", "disassociated", "failing", "failed"];

/// Whether an `ipv6CidrBlockAssociationSet` holds a block that is not on its way out. (moto
/// quirk: it writes the state as the text of a Python dict, which reads as an unknown state and
/// so counts as held, on both paths.)
fn holds_ipv6_block(set: &mut ScopedDecoder) -> Result<bool, XmlDecodeError> {
    let mut holds = false;
    while let Some(mut item) = set.next_tag() {
        if !item.start_el().matches("item") {
            continue;
        }
        let (mut block, mut leaving) = (false, false);
        while let Some(mut field) = item.next_tag() {
            match field.start_el() {
                s if s.matches("ipv6CidrBlock") => block = true,
                s if s.matches("ipv6CidrBlockState") => {
                    while let Some(mut state) = field.next_tag() {
                        if state.start_el().matches("state") {
                            leaving = LEAVING.contains(&try_data(&mut state)?.as_ref());
                        }
                    }
                }
                _ => {}
            }
        }
        holds |= block && !leaving;
    }
    Ok(holds)
}

/// Only the guard's release tag: a subnet's other tags are not the guard's business.
fn release_tag(set: &mut ScopedDecoder) -> Result<BTreeMap<String, String>, XmlDecodeError> {
    Ok(tag_values(set, RELEASED_TAG_KEY)?
        .pop()
        .map(|value| (RELEASED_TAG_KEY.to_string(), value))
        .into_iter()
        .collect())
}

/// One subnet from the SDK's shape (a page the SDK read).
fn subnet_from_sdk(s: &SdkSubnet) -> Option<Subnet> {
    Some(Subnet {
        id: s.subnet_id()?.to_string(),
        vpc_id: s.vpc_id()?.to_string(),
        availability_zone: s.availability_zone().unwrap_or_default().to_string(),
        ipv6: s.ipv6_cidr_block_association_set().iter().any(|a| {
            a.ipv6_cidr_block().is_some()
                && !a
                    .ipv6_cidr_block_state()
                    .and_then(|s| s.state())
                    .is_some_and(|s| {
                        matches!(
                            s,
                            SubnetCidrBlockStateCode::Disassociating
                                | SubnetCidrBlockStateCode::Disassociated
                                | SubnetCidrBlockStateCode::Failing
                                | SubnetCidrBlockStateCode::Failed
                        )
                    })
        }),
        tags: s
            .tags()
            .iter()
            .filter(|t| t.key() == Some(RELEASED_TAG_KEY))
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::xml::parse_page;
    use super::*;

    /// Subnets as EC2 writes them: IPv4 only, dual-stack, a block on its way out, a block in a
    /// state this version does not know, the release tag among others, and one without an id.
    const ANSWER: &str = r#"<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
    <subnetSet>
        <item>
            <subnetId>subnet-a</subnetId>
            <subnetArn>arn:aws:ec2:us-east-1:123456789012:subnet/subnet-a</subnetArn>
            <state>available</state>
            <ownerId>123456789012</ownerId>
            <vpcId>vpc-1</vpcId>
            <cidrBlock>10.0.1.0/24</cidrBlock>
            <ipv6CidrBlockAssociationSet/>
            <availableIpAddressCount>251</availableIpAddressCount>
            <availabilityZone>us-east-1a</availabilityZone>
            <availabilityZoneId>use1-az1</availabilityZoneId>
            <defaultForAz>false</defaultForAz>
            <mapPublicIpOnLaunch>false</mapPublicIpOnLaunch>
            <tagSet>
                <item><key>Name</key><value>private a</value></item>
                <item><key>vpce-guard:released</key><value>2026-12-01T00:00:00Z</value></item>
            </tagSet>
        </item>
        <item>
            <subnetId>subnet-b</subnetId>
            <vpcId>vpc-1</vpcId>
            <availabilityZone>us-east-1b</availabilityZone>
            <ipv6CidrBlockAssociationSet>
                <item>
                    <ipv6CidrBlock>2600:1f18:1::/64</ipv6CidrBlock>
                    <associationId>subnet-cidr-assoc-1</associationId>
                    <ipv6CidrBlockState><state>associated</state></ipv6CidrBlockState>
                </item>
            </ipv6CidrBlockAssociationSet>
        </item>
        <item>
            <subnetId>subnet-c</subnetId>
            <vpcId>vpc-1</vpcId>
            <availabilityZone>us-east-1c</availabilityZone>
            <ipv6CidrBlockAssociationSet>
                <item>
                    <ipv6CidrBlock>2600:1f18:2::/64</ipv6CidrBlock>
                    <ipv6CidrBlockState><state>disassociating</state></ipv6CidrBlockState>
                </item>
            </ipv6CidrBlockAssociationSet>
        </item>
        <item>
            <subnetId>subnet-d</subnetId>
            <vpcId>vpc-1</vpcId>
            <ipv6CidrBlockAssociationSet>
                <item>
                    <ipv6CidrBlock>2600:1f18:3::/64</ipv6CidrBlock>
                    <ipv6CidrBlockState>{'state': 'associated'}</ipv6CidrBlockState>
                </item>
            </ipv6CidrBlockAssociationSet>
        </item>
        <item><vpcId>vpc-1</vpcId></item>
    </subnetSet>
    <nextToken>next</nextToken>
</DescribeSubnetsResponse>"#;

    #[test]
    fn an_answer_becomes_the_core_model() {
        let page = parse_page::<SubnetsAnswer>(ANSWER.as_bytes()).expect("parses");
        assert_eq!(page.next_token.as_deref(), Some("next"));
        let subnet = |id: &str, zone: &str, ipv6: bool| Subnet {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            availability_zone: zone.into(),
            ipv6,
            tags: BTreeMap::new(),
        };
        let mut released = subnet("subnet-a", "us-east-1a", false);
        released.tags.insert(
            RELEASED_TAG_KEY.to_string(),
            "2026-12-01T00:00:00Z".to_string(),
        );
        assert_eq!(
            page.items,
            [
                released,
                subnet("subnet-b", "us-east-1b", true),
                subnet("subnet-c", "us-east-1c", false),
                subnet("subnet-d", "", true),
            ]
        );
    }
}

//! `DescribeVpcEndpoints` answers into the core's [`Endpoint`]: the fields the guard plans from,
//! read the way the SDK reads them (element names and value formats of the EC2 API 2016-11-15,
//! as in `aws-sdk-ec2`'s `shape_vpc_endpoint`), the rest skipped unread.

use aws_sdk_ec2::operation::describe_vpc_endpoints::{
    DescribeVpcEndpoints, DescribeVpcEndpointsOutput,
};
use aws_sdk_ec2::primitives::{DateTime, DateTimeFormat};
use aws_sdk_ec2::types::{VpcEndpoint, VpcEndpointType};
use aws_smithy_xml::decode::{try_data, ScopedDecoder, XmlDecodeError};

use super::xml::{boolean, tag_values, text, text_items};
use super::DirectAnswer;
use crate::ec2::is_managed;
use vpce_guard_core::baseline::EndpointType;
use vpce_guard_core::model::{Endpoint, EndpointState, IpAddressType, MANAGED_TAG_KEY};

/// `DescribeVpcEndpoints`, parsed into [`Endpoint`]s.
pub(in crate::ec2) struct EndpointsAnswer;

impl DirectAnswer for EndpointsAnswer {
    type Operation = DescribeVpcEndpoints;
    type Item = Endpoint;
    type SdkOutput = DescribeVpcEndpointsOutput;
    const ACTION: &'static str = "DescribeVpcEndpoints";
    const ROOT: &'static str = "DescribeVpcEndpointsResponse";
    const ITEM_SET: &'static str = "vpcEndpointSet";

    fn parse_item(item: &mut ScopedDecoder) -> Result<Option<Endpoint>, XmlDecodeError> {
        let mut id = None;
        let mut vpc_id = None;
        let mut state = None;
        let mut endpoint = Endpoint {
            id: String::new(),
            vpc_id: String::new(),
            service_name: String::new(),
            endpoint_type: None,
            state: EndpointState::Live(String::new()),
            route_table_ids: Vec::new(),
            subnet_ids: Vec::new(),
            security_group_ids: Vec::new(),
            private_dns_enabled: false,
            policy: None,
            ip_address_type: None,
            created_at: None,
            managed: false,
        };
        while let Some(mut field) = item.next_tag() {
            match field.start_el() {
                s if s.matches("vpcEndpointId") => id = Some(text(&mut field)?),
                s if s.matches("vpcId") => vpc_id = Some(text(&mut field)?),
                s if s.matches("serviceName") => endpoint.service_name = text(&mut field)?,
                s if s.matches("vpcEndpointType") => {
                    endpoint.endpoint_type = match try_data(&mut field)?.as_ref() {
                        "Gateway" => Some(EndpointType::Gateway),
                        "Interface" => Some(EndpointType::Interface),
                        _ => None,
                    }
                }
                s if s.matches("state") => {
                    state = Some(EndpointState::from_ec2(&try_data(&mut field)?))
                }
                s if s.matches("routeTableIdSet") => {
                    endpoint.route_table_ids = text_items(&mut field)?
                }
                s if s.matches("subnetIdSet") => endpoint.subnet_ids = text_items(&mut field)?,
                s if s.matches("groupSet") => endpoint.security_group_ids = group_ids(&mut field)?,
                s if s.matches("privateDnsEnabled") => {
                    endpoint.private_dns_enabled = boolean(&mut field)?
                }
                s if s.matches("policyDocument") => endpoint.policy = Some(text(&mut field)?),
                s if s.matches("ipAddressType") => {
                    endpoint.ip_address_type = IpAddressType::from_ec2(&try_data(&mut field)?)
                }
                s if s.matches("creationTimestamp") => {
                    let value = try_data(&mut field)?;
                    let at = DateTime::from_str(&value, DateTimeFormat::DateTimeWithOffset)
                        .map_err(|e| {
                            XmlDecodeError::custom(format!(
                                "creationTimestamp {value:?} is not a date-time: {e}"
                            ))
                        })?;
                    endpoint.created_at = Some(at.secs());
                }
                s if s.matches("tagSet") => {
                    endpoint.managed = tag_values(&mut field, MANAGED_TAG_KEY)?
                        .iter()
                        .any(|value| value == "true")
                }
                _ => {}
            }
        }
        let (Some(id), Some(vpc_id)) = (id, vpc_id) else {
            return Ok(None);
        };
        endpoint.id = id;
        endpoint.vpc_id = vpc_id;
        // EC2 always says; an answer without a state is taken as available (as the SDK path does).
        endpoint.state = state.unwrap_or_else(|| EndpointState::from_ec2("available"));
        Ok(Some(endpoint))
    }

    fn token_only_output(next_token: Option<String>) -> DescribeVpcEndpointsOutput {
        DescribeVpcEndpointsOutput::builder()
            .set_next_token(next_token)
            .build()
    }

    fn sdk_items(output: &DescribeVpcEndpointsOutput) -> Vec<Endpoint> {
        output
            .vpc_endpoints()
            .iter()
            .filter_map(endpoint_from_sdk)
            .collect()
    }

    fn sdk_next_token(output: &DescribeVpcEndpointsOutput) -> Option<&str> {
        output.next_token()
    }
}

/// One endpoint from the SDK's shape (a page the SDK read).
fn endpoint_from_sdk(e: &VpcEndpoint) -> Option<Endpoint> {
    Some(Endpoint {
        id: e.vpc_endpoint_id()?.to_string(),
        vpc_id: e.vpc_id()?.to_string(),
        service_name: e.service_name().unwrap_or_default().to_string(),
        endpoint_type: match e.vpc_endpoint_type() {
            Some(VpcEndpointType::Gateway) => Some(EndpointType::Gateway),
            Some(VpcEndpointType::Interface) => Some(EndpointType::Interface),
            _ => None,
        },
        state: EndpointState::from_ec2(e.state().map(|s| s.as_str()).unwrap_or("available")),
        route_table_ids: e.route_table_ids().to_vec(),
        subnet_ids: e.subnet_ids().to_vec(),
        security_group_ids: e
            .groups()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_string))
            .collect(),
        private_dns_enabled: e.private_dns_enabled().unwrap_or(false),
        policy: e.policy_document().map(str::to_string),
        ip_address_type: e
            .ip_address_type()
            .and_then(|t| IpAddressType::from_ec2(t.as_str())),
        created_at: e.creation_timestamp().map(|t| t.secs()),
        managed: is_managed(e.tags()),
    })
}

/// The `groupId`s of a `groupSet` (each item also names the group, which the guard ignores).
fn group_ids(set: &mut ScopedDecoder) -> Result<Vec<String>, XmlDecodeError> {
    let mut out = Vec::new();
    while let Some(mut item) = set.next_tag() {
        if !item.start_el().matches("item") {
            continue;
        }
        while let Some(mut field) = item.next_tag() {
            if field.start_el().matches("groupId") {
                out.push(text(&mut field)?);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::xml::parse_page;
    use super::*;

    /// One interface and one gateway endpoint as EC2 writes them, every field present, plus an
    /// item without an id.
    const ANSWER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcEndpointsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
    <vpcEndpointSet>
        <item>
            <vpcEndpointId>vpce-0f89a33420c1931d7</vpcEndpointId>
            <vpcEndpointType>Interface</vpcEndpointType>
            <vpcId>vpc-1a2b3c4d</vpcId>
            <serviceName>com.amazonaws.us-east-1.ecr.api</serviceName>
            <state>available</state>
            <policyDocument>{"Statement":[{"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}],"Condition":"a &lt; b &amp; c"}</policyDocument>
            <routeTableIdSet/>
            <subnetIdSet>
                <item>subnet-d6fcaa8d</item>
                <item>subnet-7b16de0c</item>
            </subnetIdSet>
            <groupSet>
                <item>
                    <groupId>sg-54e8bf31</groupId>
                    <groupName>vpce-guard-endpoints</groupName>
                </item>
            </groupSet>
            <ipAddressType>dualstack</ipAddressType>
            <dnsOptions>
                <dnsRecordIpType>dualstack</dnsRecordIpType>
            </dnsOptions>
            <privateDnsEnabled>true</privateDnsEnabled>
            <requesterManaged>false</requesterManaged>
            <networkInterfaceIdSet>
                <item>eni-2ec2b084</item>
                <item>eni-1b4a65cf</item>
            </networkInterfaceIdSet>
            <dnsEntrySet>
                <item>
                    <dnsName>vpce-0f89a33420c1931d7-bluzidnv.api.ecr.us-east-1.vpce.amazonaws.com</dnsName>
                    <hostedZoneId>Z7HUB22UULQXV</hostedZoneId>
                </item>
            </dnsEntrySet>
            <creationTimestamp>2017-09-05T17:55:27.583Z</creationTimestamp>
            <tagSet>
                <item><key>Name</key><value>vpce-guard ecr.api vpc-1a2b3c4d</value></item>
                <item><key>vpce-guard:managed</key><value>true</value></item>
            </tagSet>
            <ownerId>123456789012</ownerId>
        </item>
        <item>
            <vpcEndpointId>vpce-032a826a</vpcEndpointId>
            <vpcEndpointType>Gateway</vpcEndpointType>
            <vpcId>vpc-aabb1122</vpcId>
            <serviceName>com.amazonaws.us-east-1.dynamodb</serviceName>
            <state>Deleting</state>
            <routeTableIdSet><item>rtb-3d560345</item></routeTableIdSet>
            <subnetIdSet/>
            <groupSet/>
            <privateDnsEnabled>false</privateDnsEnabled>
            <creationTimestamp>2017-09-05T20:41:28Z</creationTimestamp>
            <tagSet><item><key>vpce-guard:managed</key><value>false</value></item></tagSet>
        </item>
        <item>
            <vpcEndpointType>GatewayLoadBalancer</vpcEndpointType>
            <vpcId>vpc-aabb1122</vpcId>
        </item>
    </vpcEndpointSet>
    <nextToken>eyJ2IjoiMiJ9</nextToken>
</DescribeVpcEndpointsResponse>"#;

    #[test]
    fn an_answer_becomes_the_core_model() {
        let page = parse_page::<EndpointsAnswer>(ANSWER.as_bytes()).expect("parses");
        assert_eq!(page.next_token.as_deref(), Some("eyJ2IjoiMiJ9"));
        assert_eq!(
            page.items,
            [
                Endpoint {
                    id: "vpce-0f89a33420c1931d7".into(),
                    vpc_id: "vpc-1a2b3c4d".into(),
                    service_name: "com.amazonaws.us-east-1.ecr.api".into(),
                    endpoint_type: Some(EndpointType::Interface),
                    state: EndpointState::from_ec2("available"),
                    route_table_ids: vec![],
                    subnet_ids: vec!["subnet-d6fcaa8d".into(), "subnet-7b16de0c".into()],
                    security_group_ids: vec!["sg-54e8bf31".into()],
                    private_dns_enabled: true,
                    policy: Some(
                        r#"{"Statement":[{"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}],"Condition":"a < b & c"}"#
                            .into()
                    ),
                    ip_address_type: Some(IpAddressType::Dualstack),
                    created_at: Some(1_504_634_127),
                    managed: true,
                },
                Endpoint {
                    id: "vpce-032a826a".into(),
                    vpc_id: "vpc-aabb1122".into(),
                    service_name: "com.amazonaws.us-east-1.dynamodb".into(),
                    endpoint_type: Some(EndpointType::Gateway),
                    state: EndpointState::Gone("deleting".into()),
                    route_table_ids: vec!["rtb-3d560345".into()],
                    subnet_ids: vec![],
                    security_group_ids: vec![],
                    private_dns_enabled: false,
                    policy: None,
                    ip_address_type: None,
                    created_at: Some(1_504_644_088),
                    managed: false,
                },
            ]
        );
    }

    #[test]
    fn an_endpoint_without_a_state_is_available() {
        let body = "<DescribeVpcEndpointsResponse><vpcEndpointSet><item>\
            <vpcEndpointId>vpce-1</vpcEndpointId><vpcId>vpc-1</vpcId>\
            </item></vpcEndpointSet></DescribeVpcEndpointsResponse>";
        let page = parse_page::<EndpointsAnswer>(body.as_bytes()).expect("parses");
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].state, EndpointState::from_ec2("available"));
        assert_eq!(page.items[0].endpoint_type, None);
        assert_eq!(page.next_token, None);
    }

    #[test]
    fn a_value_in_the_wrong_format_fails_the_page() {
        for (field, value) in [
            ("privateDnsEnabled", "yes"),
            ("creationTimestamp", "yesterday"),
        ] {
            let body = format!(
                "<DescribeVpcEndpointsResponse><vpcEndpointSet><item>\
                 <vpcEndpointId>vpce-1</vpcEndpointId><vpcId>vpc-1</vpcId><{field}>{value}</{field}>\
                 </item></vpcEndpointSet></DescribeVpcEndpointsResponse>"
            );
            let err = parse_page::<EndpointsAnswer>(body.as_bytes()).expect_err(field);
            assert!(err.to_string().contains(value), "{field}: {err}");
        }
    }
}

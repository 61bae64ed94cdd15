//! [`DirectParse`] inside a real SDK call, against canned HTTP answers: a page parsed here, an
//! error answer read by the operation's own deserializer (code kept), and an answer this parser
//! refuses read by the SDK instead.

use std::fmt;

use aws_sdk_ec2::config::{Credentials, Region, RuntimeComponents};
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::{Client, Config};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;

use aws_sdk_ec2::error::SdkError;
use aws_sdk_ec2::operation::describe_vpc_endpoints::{
    DescribeVpcEndpointsError, DescribeVpcEndpointsOutput,
};
use vpce_guard_core::model::Endpoint;

use super::{DirectParse, EndpointsAnswer, Page, PageSink};

/// Answers every request with one status and body.
#[derive(Clone)]
struct Canned {
    status: u16,
    body: String,
}

impl fmt::Debug for Canned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Canned({})", self.status)
    }
}

impl HttpConnector for Canned {
    fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
        let status = StatusCode::try_from(self.status).expect("a valid status");
        HttpConnectorFuture::ready(Ok(HttpResponse::new(
            status,
            SdkBody::from(self.body.clone()),
        )))
    }
}

impl HttpClient for Canned {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

fn client(status: u16, body: &str) -> Client {
    let config = Config::builder()
        .behavior_version_latest()
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKID", "SECRET", None, None, "test"))
        .retry_config(RetryConfig::disabled())
        .http_client(Canned {
            status,
            body: body.to_string(),
        })
        .build();
    Client::from_conf(config)
}

const ONE_ENDPOINT: &str =
    "<DescribeVpcEndpointsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
    <requestId>r-1</requestId><vpcEndpointSet><item>\
    <vpcEndpointId>vpce-1</vpcEndpointId><vpcId>vpc-1</vpcId>\
    <serviceName>com.amazonaws.us-east-1.s3</serviceName><vpcEndpointType>Gateway</vpcEndpointType>\
    <state>available</state><routeTableIdSet><item>rtb-1</item></routeTableIdSet>\
    </item></vpcEndpointSet><nextToken>page-2</nextToken></DescribeVpcEndpointsResponse>";

/// One DescribeVpcEndpoints call through [`DirectParse`] against a canned answer: the SDK's
/// result and the page parsed here, if any.
async fn describe_directly(
    status: u16,
    body: &str,
) -> (
    Result<DescribeVpcEndpointsOutput, SdkError<DescribeVpcEndpointsError, HttpResponse>>,
    Option<Page<Endpoint>>,
) {
    let sink = PageSink::default();
    let result = client(status, body)
        .describe_vpc_endpoints()
        .customize()
        .interceptor(DirectParse::<EndpointsAnswer>::new(sink.clone()))
        .send()
        .await;
    (result, sink.take())
}

#[tokio::test]
async fn a_successful_answer_is_parsed_here_and_the_sdk_sees_only_the_token() {
    let (output, page) = describe_directly(200, ONE_ENDPOINT).await;
    let output = output.expect("the call succeeds");
    assert!(output.vpc_endpoints().is_empty());
    assert_eq!(output.next_token(), Some("page-2"));
    let page = page.expect("parsed here");
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].id, "vpce-1");
    assert_eq!(page.items[0].route_table_ids, ["rtb-1"]);
    assert_eq!(page.next_token.as_deref(), Some("page-2"));
}

#[tokio::test]
async fn an_error_answer_keeps_its_code() {
    let body = "<Response><Errors><Error><Code>RequestLimitExceeded</Code>\
        <Message>Request limit exceeded.</Message></Error></Errors>\
        <RequestID>r-2</RequestID></Response>";
    let (result, page) = describe_directly(503, body).await;
    let err = result.expect_err("throttled");
    assert_eq!(err.code(), Some("RequestLimitExceeded"));
    assert!(page.is_none());
}

#[tokio::test]
async fn an_answer_refused_here_is_read_by_the_sdk() {
    // A trailing comment: valid XML the SDK reads, which this parser refuses as possibly cut.
    let body = format!("{ONE_ENDPOINT}<!-- trailing -->");
    let (output, page) = describe_directly(200, &body).await;
    let output = output.expect("the SDK reads it");
    assert!(page.is_none());
    assert_eq!(output.vpc_endpoints().len(), 1);
    assert_eq!(output.vpc_endpoints()[0].vpc_endpoint_id(), Some("vpce-1"));
    assert_eq!(output.next_token(), Some("page-2"));
}

//! Shared harness for integration tests: a real moto server on a free loopback port per test,
//! SDK clients pointed at it, seeding helpers, event files rewritten with moto's ids, and an SQS
//! queue subscribed to the notice topic to read notices back.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_lambda_events::event::cloudwatch_events::CloudWatchEvent;
use aws_sdk_ec2::types::{AttributeBooleanValue, Filter, Tag};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::Value;
use vpce_guard_core::notice::Notice;
use vpce_guard_lambda::config::GuardConfig;
use vpce_guard_lambda::FunctionContext;

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

/// A moto server process, killed on drop.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
    listener.local_addr().expect("local addr").port()
}

impl Moto {
    /// Starts `$MOTO_SERVER`, by default `tests/moto/moto-server` (moto's server with the fixes
    /// the tests rely on), and waits until it accepts connections.
    pub fn start() -> Self {
        let binary = std::env::var("MOTO_SERVER").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/moto/moto-server").to_string()
        });
        for _attempt in 0..3 {
            let port = free_port();
            let child = Command::new(&binary)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("could not start {binary}: {e} (pip install 'moto[server]')")
                });
            let mut moto = Moto {
                child,
                endpoint: format!("http://127.0.0.1:{port}"),
            };
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return moto;
                }
                if let Ok(Some(_)) = moto.child.try_wait() {
                    break; // port taken between probe and bind: try another
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = moto.child.kill();
        }
        panic!("moto_server did not start");
    }

    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(aws_sdk_ec2::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .load()
            .await
    }
}

/// An SDK setup at `endpoint` (moto, or a proxy in front of it) as the home account, with the
/// retry the functions deploy with.
pub async fn sdk_at(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_ec2::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .retry_config(vpce_guard_adapters::retry_config())
        .load()
        .await
}

/// Everything a test needs: moto, clients, a notice topic with a queue subscribed.
pub struct Env {
    pub moto: Moto,
    pub sdk: SdkConfig,
    pub ec2: aws_sdk_ec2::Client,
    pub sns: aws_sdk_sns::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub topic_arn: String,
    pub queue_url: String,
}

impl Env {
    pub async fn new() -> Self {
        let moto = Moto::start();
        let sdk = moto.sdk_config().await;
        let ec2 = aws_sdk_ec2::Client::new(&sdk);
        let sns = aws_sdk_sns::Client::new(&sdk);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let topic_arn = sns
            .create_topic()
            .name("vpce-guard-notices")
            .send()
            .await
            .expect("create topic")
            .topic_arn()
            .expect("topic arn")
            .to_string();
        let queue_url = sqs
            .create_queue()
            .queue_name("notices")
            .send()
            .await
            .expect("create queue")
            .queue_url()
            .expect("queue url")
            .to_string();
        let queue_arn = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:notices");
        sns.subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(queue_arn)
            .attributes("RawMessageDelivery", "true")
            .return_subscription_arn(true)
            .send()
            .await
            .expect("subscribe queue");
        Env {
            moto,
            sdk,
            ec2,
            sns,
            sqs,
            topic_arn,
            queue_url,
        }
    }

    /// Config as the template sets it, with overrides.
    pub fn config(&self, overrides: &[(&str, &str)]) -> GuardConfig {
        let mut vars: Vec<(String, String)> = vec![
            ("GUARD_MODE".into(), "remediate".into()),
            ("NOTICE_TOPIC_ARN".into(), self.topic_arn.clone()),
            // moto is not EC2: the pacing tests (tests/pacing.rs) turn it on.
            ("EC2_PACING".into(), "off".into()),
        ];
        for (k, v) in overrides {
            vars.retain(|(key, _)| key != k);
            vars.push((k.to_string(), v.to_string()));
        }
        GuardConfig::from_lookup(|name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
        .expect("valid test config")
    }

    /// The functions' per-cold-start context as the template configures it (with overrides),
    /// in front of this moto: what the Lambda entry points are called with.
    pub fn function(&self, overrides: &[(&str, &str)]) -> FunctionContext {
        FunctionContext::new(self.config(overrides), self.sdk.clone(), "vpce-guard-test")
            .expect("function context")
    }

    /// Like [`Env::function`], with EC2 reached through `ec2_endpoint` (the fault proxy).
    pub fn function_via_ec2(
        &self,
        overrides: &[(&str, &str)],
        ec2_endpoint: &str,
    ) -> FunctionContext {
        self.function(overrides)
            .with_endpoints(vpce_guard_lambda::ServiceEndpoints {
                ec2: Some(ec2_endpoint.to_string()),
                sns: None,
            })
    }

    /// What the network-events entry point answers to `events/<sample>` (placeholders
    /// replaced), configured as the template configures it plus `overrides`.
    pub async fn network_event(
        &self,
        overrides: &[(&str, &str)],
        sample: &str,
        replacements: &[(&str, &str)],
    ) -> Value {
        vpce_guard_lambda::functions::network_events(
            &self.function(overrides),
            event(sample, replacements),
        )
        .await
        .expect("handled")
    }

    /// A two-AZ VPC (see [`Env::two_az_vpc`]) the guard has converged through a CreateSubnet
    /// event, its notices drained.
    pub async fn converged(&self, second_octet: u8) -> SeededVpc {
        let seeded = self.two_az_vpc(second_octet).await;
        let summary = vpce_guard_lambda::functions::network_events(
            &self.function(&[]),
            create_subnet_event(&seeded.vpc_id, &seeded.private_subnets[0]),
        )
        .await
        .expect("converge");
        assert_eq!(n(&summary, "actions_failed"), 0, "{summary}");
        self.notices().await;
        seeded
    }

    /// All notices delivered to the queue so far (drains it).
    pub async fn notices(&self) -> Vec<Notice> {
        let mut out = Vec::new();
        let mut empty_polls = 0;
        while empty_polls < 2 {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(0)
                .send()
                .await
                .expect("receive");
            let messages = received.messages();
            if messages.is_empty() {
                empty_polls += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            empty_polls = 0;
            for message in messages {
                let body = message.body().expect("body");
                let notice: Notice = serde_json::from_str(body)
                    .unwrap_or_else(|e| panic!("notice does not parse: {e}: {body}"));
                out.push(notice);
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(message.receipt_handle().expect("handle"))
                    .send()
                    .await
                    .expect("delete");
            }
        }
        out
    }

    // ----- seeding -----

    pub async fn create_vpc(&self, cidr: &str) -> String {
        Ec2Seed(&self.ec2).create_vpc(cidr).await
    }

    pub async fn tag(&self, resource: &str, key: &str, value: &str) {
        self.ec2
            .create_tags()
            .resources(resource)
            .tags(Tag::builder().key(key).value(value).build())
            .send()
            .await
            .expect("tag");
    }

    pub async fn main_route_table(&self, vpc_id: &str) -> String {
        let out = self
            .ec2
            .describe_route_tables()
            .filters(filter("vpc-id", vpc_id))
            .filters(filter("association.main", "true"))
            .send()
            .await
            .expect("describe main route table");
        out.route_tables()[0]
            .route_table_id()
            .expect("id")
            .to_string()
    }

    pub async fn create_subnet(&self, vpc_id: &str, cidr: &str, az: &str) -> String {
        Ec2Seed(&self.ec2).create_subnet(vpc_id, cidr, az).await
    }

    pub async fn create_route_table(&self, vpc_id: &str) -> String {
        Ec2Seed(&self.ec2).create_route_table(vpc_id).await
    }

    pub async fn associate(&self, route_table_id: &str, subnet_id: &str) -> String {
        Ec2Seed(&self.ec2)
            .associate(route_table_id, subnet_id)
            .await
    }

    pub async fn internet_gateway(&self, vpc_id: &str) -> String {
        let igw = self
            .ec2
            .create_internet_gateway()
            .send()
            .await
            .expect("igw")
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .expect("igw id")
            .to_string();
        self.ec2
            .attach_internet_gateway()
            .internet_gateway_id(&igw)
            .vpc_id(vpc_id)
            .send()
            .await
            .expect("attach igw");
        igw
    }

    pub async fn default_route_to(&self, route_table_id: &str, igw: &str) {
        self.ec2
            .create_route()
            .route_table_id(route_table_id)
            .destination_cidr_block("0.0.0.0/0")
            .gateway_id(igw)
            .send()
            .await
            .expect("create route");
    }

    /// Associates an Amazon-provided IPv6 /56 with `vpc_id`; returns the block.
    pub async fn amazon_ipv6_block(&self, vpc_id: &str) -> String {
        self.ec2
            .associate_vpc_cidr_block()
            .vpc_id(vpc_id)
            .amazon_provided_ipv6_cidr_block(true)
            .send()
            .await
            .expect("associate IPv6 block");
        self.ec2
            .describe_vpcs()
            .vpc_ids(vpc_id)
            .send()
            .await
            .expect("describe VPC")
            .vpcs()[0]
            .ipv6_cidr_block_association_set()[0]
            .ipv6_cidr_block()
            .expect("IPv6 block")
            .to_string()
    }

    pub async fn set_dns(&self, vpc_id: &str, support: bool, hostnames: bool) {
        self.ec2
            .modify_vpc_attribute()
            .vpc_id(vpc_id)
            .enable_dns_support(AttributeBooleanValue::builder().value(support).build())
            .send()
            .await
            .expect("dns support");
        self.ec2
            .modify_vpc_attribute()
            .vpc_id(vpc_id)
            .enable_dns_hostnames(AttributeBooleanValue::builder().value(hostnames).build())
            .send()
            .await
            .expect("dns hostnames");
    }

    /// Makes this (moto's) account the management account of a new organization with all
    /// features; returns the organization's id.
    pub async fn create_organization(&self) -> String {
        aws_sdk_organizations::Client::new(&self.sdk)
            .create_organization()
            .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
            .send()
            .await
            .expect("create organization")
            .organization()
            .and_then(|o| o.id())
            .expect("organization id")
            .to_string()
    }

    /// A NAT gateway (with a new Elastic IP) in `public_subnet`; returns its id.
    pub async fn nat_gateway(&self, public_subnet: &str) -> String {
        let allocation = self
            .ec2
            .allocate_address()
            .domain(aws_sdk_ec2::types::DomainType::Vpc)
            .send()
            .await
            .expect("allocate address")
            .allocation_id()
            .expect("allocation id")
            .to_string();
        self.ec2
            .create_nat_gateway()
            .subnet_id(public_subnet)
            .allocation_id(allocation)
            .send()
            .await
            .expect("create NAT gateway")
            .nat_gateway()
            .and_then(|g| g.nat_gateway_id())
            .expect("NAT gateway id")
            .to_string()
    }

    /// Deletes the live endpoint of `short` service in `vpc_id` by hand (drift); returns its id.
    pub async fn delete_endpoint_of(&self, vpc_id: &str, short: &str) -> String {
        let id = self.endpoint_for(vpc_id, short).await[0]
            .vpc_endpoint_id()
            .expect("endpoint id")
            .to_string();
        self.ec2
            .delete_vpc_endpoints()
            .vpc_endpoint_ids(&id)
            .send()
            .await
            .expect("delete endpoint");
        id
    }

    /// Opens SSH to the world on `group_id` (a rule the guard's group must not have).
    pub async fn open_ssh(&self, group_id: &str) {
        self.ec2
            .authorize_security_group_ingress()
            .group_id(group_id)
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .cidr_ip("0.0.0.0/0")
            .send()
            .await
            .expect("authorize ingress");
    }

    /// A VPC with a public and a private subnet in each of two AZs; the main table is public
    /// (default route to an IGW), each private subnet has its own route table.
    pub async fn two_az_vpc(&self, second_octet: u8) -> SeededVpc {
        let vpc_id = self.create_vpc(&format!("10.{second_octet}.0.0/16")).await;
        let main = self.main_route_table(&vpc_id).await;
        let igw = self.internet_gateway(&vpc_id).await;
        self.default_route_to(&main, &igw).await;
        let mut seeded = SeededVpc {
            vpc_id: vpc_id.clone(),
            main_route_table: main,
            ..SeededVpc::default()
        };
        for (i, az) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
            let public = self
                .create_subnet(&vpc_id, &format!("10.{second_octet}.{}.0/24", i * 2), az)
                .await;
            let private = self
                .create_subnet(
                    &vpc_id,
                    &format!("10.{second_octet}.{}.0/24", i * 2 + 1),
                    az,
                )
                .await;
            let table = self.create_route_table(&vpc_id).await;
            self.associate(&table, &private).await;
            seeded.public_subnets.push(public);
            seeded.private_subnets.push(private);
            seeded.private_route_tables.push(table);
        }
        seeded
    }

    // ----- reading back -----

    /// Live endpoints of a VPC (deleted ones filtered out).
    pub async fn endpoints(&self, vpc_id: &str) -> Vec<aws_sdk_ec2::types::VpcEndpoint> {
        Ec2Seed(&self.ec2).endpoints(vpc_id).await
    }

    pub async fn endpoint_for(
        &self,
        vpc_id: &str,
        short: &str,
    ) -> Vec<aws_sdk_ec2::types::VpcEndpoint> {
        let name = format!("com.amazonaws.{REGION}.{short}");
        self.endpoints(vpc_id)
            .await
            .into_iter()
            .filter(|e| e.service_name() == Some(name.as_str()))
            .collect()
    }

    pub async fn guard_group(&self, vpc_id: &str) -> Option<aws_sdk_ec2::types::SecurityGroup> {
        self.ec2
            .describe_security_groups()
            .filters(filter("vpc-id", vpc_id))
            .filters(filter("group-name", "vpce-guard-endpoints"))
            .send()
            .await
            .expect("describe groups")
            .security_groups()
            .first()
            .cloned()
    }

    pub async fn dns(&self, vpc_id: &str) -> (bool, bool) {
        let get = |name: aws_sdk_ec2::types::VpcAttributeName| async move {
            let out = self
                .ec2
                .describe_vpc_attribute()
                .vpc_id(vpc_id)
                .attribute(name.clone())
                .send()
                .await
                .expect("describe attribute");
            match name {
                aws_sdk_ec2::types::VpcAttributeName::EnableDnsHostnames => {
                    out.enable_dns_hostnames()
                }
                _ => out.enable_dns_support(),
            }
            .and_then(|v| v.value())
            .unwrap_or(false)
        };
        (
            get(aws_sdk_ec2::types::VpcAttributeName::EnableDnsSupport).await,
            get(aws_sdk_ec2::types::VpcAttributeName::EnableDnsHostnames).await,
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct SeededVpc {
    pub vpc_id: String,
    pub main_route_table: String,
    pub public_subnets: Vec<String>,
    pub private_subnets: Vec<String>,
    pub private_route_tables: Vec<String>,
}

/// Seeding and inspection over any EC2 client: the home account's (`Env`'s methods) or a member
/// account's (tests/organization.rs).
pub struct Ec2Seed<'a>(pub &'a aws_sdk_ec2::Client);

impl Ec2Seed<'_> {
    pub async fn create_vpc(&self, cidr: &str) -> String {
        self.0
            .create_vpc()
            .cidr_block(cidr)
            .send()
            .await
            .expect("create vpc")
            .vpc()
            .and_then(|v| v.vpc_id())
            .expect("vpc id")
            .to_string()
    }

    pub async fn create_subnet(&self, vpc_id: &str, cidr: &str, az: &str) -> String {
        self.0
            .create_subnet()
            .vpc_id(vpc_id)
            .cidr_block(cidr)
            .availability_zone(az)
            .send()
            .await
            .expect("create subnet")
            .subnet()
            .and_then(|s| s.subnet_id())
            .expect("subnet id")
            .to_string()
    }

    pub async fn create_route_table(&self, vpc_id: &str) -> String {
        self.0
            .create_route_table()
            .vpc_id(vpc_id)
            .send()
            .await
            .expect("create route table")
            .route_table()
            .and_then(|t| t.route_table_id())
            .expect("rtb id")
            .to_string()
    }

    pub async fn associate(&self, route_table_id: &str, subnet_id: &str) -> String {
        self.0
            .associate_route_table()
            .route_table_id(route_table_id)
            .subnet_id(subnet_id)
            .send()
            .await
            .expect("associate")
            .association_id()
            .expect("association id")
            .to_string()
    }

    /// The endpoints of `vpc_id` that are not deleted.
    pub async fn endpoints(&self, vpc_id: &str) -> Vec<aws_sdk_ec2::types::VpcEndpoint> {
        self.0
            .describe_vpc_endpoints()
            .filters(filter("vpc-id", vpc_id))
            .send()
            .await
            .expect("describe endpoints")
            .vpc_endpoints()
            .iter()
            .filter(|e| {
                e.state().map(|s| s.as_str().to_ascii_lowercase()) != Some("deleted".into())
            })
            .cloned()
            .collect()
    }
}

/// The value of the tag `key` on `resource` (any EC2 resource), if it has one.
pub async fn tag_of(env: &Env, resource: &str, key: &str) -> Option<String> {
    env.ec2
        .describe_tags()
        .filters(filter("resource-id", resource))
        .filters(filter("key", key))
        .send()
        .await
        .expect("describe tags")
        .tags()
        .first()
        .and_then(|t| t.value().map(str::to_string))
}

pub fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

pub fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events")
}

/// Loads `events/<name>` with placeholder ids replaced, as a Lambda invocation.
pub fn event<T: serde::de::DeserializeOwned>(
    name: &str,
    replacements: &[(&str, &str)],
) -> LambdaEvent<T> {
    let path = events_dir().join(name);
    let mut text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    for (placeholder, real) in replacements {
        assert!(
            text.contains(placeholder),
            "{name} does not contain placeholder {placeholder}"
        );
        text = text.replace(placeholder, real);
    }
    let payload: T = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{name} is not the event the handler takes: {e}"));
    LambdaEvent::new(payload, Context::default())
}

/// `events/cloudtrail-create-subnet.json` for `subnet_id` in `vpc_id`.
pub fn create_subnet_event(vpc_id: &str, subnet_id: &str) -> LambdaEvent<CloudWatchEvent> {
    event(
        "cloudtrail-create-subnet.json",
        &[(VPC_PLACEHOLDER, vpc_id), (SUBNET_PLACEHOLDER, subnet_id)],
    )
}

pub const VPC_PLACEHOLDER: &str = "vpc-0a1b2c3d4e5f67890";
pub const SUBNET_PLACEHOLDER: &str = "subnet-0a1b2c3d4e5f67890";
pub const RTB_PLACEHOLDER: &str = "rtb-0a1b2c3d4e5f67890";
pub const ASSOC_PLACEHOLDER: &str = "rtbassoc-0a1b2c3d4e5f67890";
pub const VPCE_PLACEHOLDER: &str = "vpce-0a1b2c3d4e5f67890";
pub const IGW_PLACEHOLDER: &str = "igw-0a1b2c3d4e5f67890";
pub const SG_PLACEHOLDER: &str = "sg-0a1b2c3d4e5f67890";
pub const NAT_PLACEHOLDER: &str = "nat-0a1b2c3d4e5f67890";
/// The guard's function role in `events/cloudtrail-modify-vpc-endpoint-by-guard.json`.
pub const GUARD_ROLE_IN_SAMPLES: &str =
    "arn:aws:iam::123456789012:role/vpce-guard-NetworkEventsFunctionRole-1A2B3C4D5E6F";

/// The notice JSON Schema of docs/notice.schema.json, compiled.
pub fn notice_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/notice.schema.json"
    ))
    .expect("schema file");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

/// Panics with every schema error when a published notice does not match the documented schema.
pub fn assert_matches_schema(notices: &[Notice]) {
    let validator = notice_schema();
    for notice in notices {
        let value: Value = serde_json::from_str(&notice.to_json()).expect("notice JSON");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:?}\n{value:#}");
    }
}

/// The count of a summary field.
/// The run summary of a function's answer. A compliance-sweep answer holds one summary per
/// Region (`{"account_id", "regions": [{"summary": ...}]}`): with a single Region, that one.
pub fn run_summary(answer: &Value) -> &Value {
    match answer["regions"].as_array().map(Vec::as_slice) {
        Some([only]) => &only["summary"],
        _ => answer,
    }
}

/// A counter of a function's run summary (see [`run_summary`]).
pub fn n(summary: &Value, field: &str) -> u64 {
    run_summary(summary)[field]
        .as_u64()
        .unwrap_or_else(|| panic!("summary has no {field}: {summary}"))
}

/// Exempts moto's default VPC, so the counts are the test's VPCs' only.
pub async fn exempt_default_vpc(env: &Env) {
    let vpcs = env
        .ec2
        .describe_vpcs()
        .filters(filter("isDefault", "true"))
        .send()
        .await
        .expect("describe default VPC");
    for vpc in vpcs.vpcs() {
        env.tag(vpc.vpc_id().expect("vpc id"), "vpce-guard:exempt", "true")
            .await;
    }
}

/// The sweep ledger's table as template.yaml declares it (partition `sweep_id`, sort `record`).
pub async fn create_ledger_table(client: &aws_sdk_dynamodb::Client, table: &str) {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("attribute")
    };
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .expect("key")
    };
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("sweep_id"))
        .attribute_definitions(attribute("record"))
        .key_schema(key("sweep_id", KeyType::Hash))
        .key_schema(key("record", KeyType::Range))
        .send()
        .await
        .expect("create table");
}

pub mod fault_proxy;

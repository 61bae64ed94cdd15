//! The command line: subcommands and their options (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use vpce_guard_core::policy::{DEFAULT_EXEMPT_TAG_KEY, DEFAULT_REMEDIATION_CONCURRENCY};

#[derive(Debug, Parser)]
#[command(
    name = "vpce-guard",
    version,
    about = "Preview and apply the VPC endpoint baseline (S3/DynamoDB gateways; ECR, Logs interfaces)",
    long_about = "vpce-guard keeps the standard VPC endpoint set in every VPC. This CLI runs the same \
planner as the Lambda functions from a laptop or a pipeline step: `plan` shows the findings and the \
remedies it would apply (exit 0 compliant, 2 drift, 1 error), `apply` applies them.\n\n\
Credentials come from the standard AWS chain (environment, profile, SSO, instance role); \
AWS_ENDPOINT_URL points every call at an emulator such as moto."
)]
pub struct Cli {
    /// AWS profile to use (default: the standard credential chain).
    #[arg(long, global = true, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the drift and the remedies that `apply` would make; changes nothing.
    Plan(PlanArgs),
    /// Apply the plan (asks for confirmation on a terminal unless --yes).
    Apply(ApplyArgs),
    /// Show or validate a baseline document.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Compare the interface endpoints' cost with sending the same traffic through NAT.
    Cost(CostArgs),
    /// Give back the guard's endpoints and security group so a VPC or subnet can be deleted
    /// (a step before `terraform destroy`); shows the plan, asks unless --yes.
    Release(ReleaseArgs),
    /// Each interface endpoint's measured use (CloudWatch BytesProcessed) and verdict: idle,
    /// underused, pays, too_new; one row per endpoint. Reads only.
    Usage(UsageArgs),
    /// Each VPC's saving, measured: NAT traffic before the guard's first interface endpoint
    /// and now, less what the endpoints cost (the runbook's before/after table). Reads only.
    Savings(UsageArgs),
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// Region to read; repeat for several (default: the profile's or AWS_REGION).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Only these VPCs; repeat for several (default: every VPC the guard looks after).
    #[arg(long = "vpc", value_name = "VPC_ID")]
    pub vpcs: Vec<String>,
    /// Baseline JSON file: its prices judge the endpoints (default: the standard set's).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Tag key that exempts a VPC (exempt VPCs are not measured).
    #[arg(long, default_value = DEFAULT_EXEMPT_TAG_KEY)]
    pub exempt_tag_key: String,
    /// Days of BytesProcessed an endpoint is judged on (1..=455).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=455))]
    pub window_days: u32,
    /// Days of NAT traffic compared before and after the guard's first endpoint (1..=90).
    #[arg(long, default_value_t = 14, value_parser = clap::value_parser!(u32).range(1..=90))]
    pub savings_window_days: u32,
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
    /// Pace EC2 requests like the functions do.
    #[arg(long, value_enum, env = "EC2_PACING", default_value_t = Pacing::On)]
    pub ec2_pacing: Pacing,
}

#[derive(Debug, Args)]
pub struct Target {
    /// Region to guard; repeat for several (default: the profile's or AWS_REGION).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Only these VPCs; repeat for several (default: every VPC).
    #[arg(long = "vpc", value_name = "VPC_ID")]
    pub vpcs: Vec<String>,
    /// Baseline JSON file (default: the standard set).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Tag key that exempts a VPC.
    #[arg(long, default_value = DEFAULT_EXEMPT_TAG_KEY)]
    pub exempt_tag_key: String,
    /// Never turn on enableDnsSupport/enableDnsHostnames (private DNS is then reported, not fixed).
    #[arg(long)]
    pub no_enable_vpc_dns: bool,
    /// VPCs remediated at once.
    #[arg(long, default_value_t = DEFAULT_REMEDIATION_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
    /// Pace EC2 requests like the functions do (`off`: accounts with raised EC2 limits, emulators).
    #[arg(long, value_enum, env = "EC2_PACING", default_value_t = Pacing::On)]
    pub ec2_pacing: Pacing,
}

/// Whether EC2 requests are paced (docs/how-it-works.md, Request pacing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Pacing {
    On,
    Off,
}

impl Pacing {
    /// The default limits when on.
    pub fn limits(self) -> Option<vpce_guard_adapters::pacing::PacingLimits> {
        (self == Pacing::On).then(vpce_guard_adapters::pacing::PacingLimits::default)
    }
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub target: Target,
    /// NAT Gateway traffic in GB per month: adds the interface endpoints' break-even to the plan.
    #[arg(long, value_name = "GB")]
    pub nat_gb_per_month: Option<f64>,
    /// Part of that NAT traffic bound for the AWS services the endpoints serve (0..1).
    #[arg(long, default_value_t = 0.5)]
    pub aws_share: f64,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub target: Target,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["vpc", "subnet"])))]
pub struct ReleaseArgs {
    /// The VPC about to be deleted: the guard's endpoints and security group in it go.
    #[arg(long, value_name = "VPC_ID")]
    pub vpc: Option<String>,
    /// The subnet about to be deleted: the guard's interface endpoints leave it (moved to another
    /// private subnet of the same AZ where there is one).
    #[arg(long, value_name = "SUBNET_ID")]
    pub subnet: Option<String>,
    /// Region of the VPC (default: the profile's or AWS_REGION).
    #[arg(long)]
    pub region: Option<String>,
    /// Seconds to wait for EC2 to finish deleting the endpoints before deleting their group.
    #[arg(long, default_value_t = 300)]
    pub wait_seconds: u64,
    /// Hours during which the guard creates nothing in the released VPC or subnet.
    #[arg(long, default_value_t = vpce_guard_core::policy::DEFAULT_RELEASE_HOLD_HOURS)]
    pub hold_hours: u64,
    /// Release without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Pace EC2 requests like the functions do.
    #[arg(long, value_enum, env = "EC2_PACING", default_value_t = Pacing::On)]
    pub ec2_pacing: Pacing,
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Print the effective baseline for a region (full service names, prices, policies).
    Show {
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        #[arg(long, default_value = "us-east-1")]
        region: String,
        /// The profile to show (default: the file's default profile).
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// Fills `${account_id}` in endpoint policies (without it such policies are left out).
        #[arg(long, value_name = "ID")]
        account_id: Option<String>,
        /// Fills `${org_id}` in endpoint policies.
        #[arg(long, value_name = "ID")]
        org_id: Option<String>,
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// Check a baseline file; errors name the line and the field.
    Validate { file: PathBuf },
}

#[derive(Debug, Args)]
pub struct CostArgs {
    /// NAT Gateway traffic in GB per month.
    #[arg(long, value_name = "GB")]
    pub nat_gb_per_month: f64,
    /// Part of that traffic bound for the AWS services the endpoints serve (0..1).
    #[arg(long, default_value_t = 0.5)]
    pub aws_share: f64,
    /// Part of the AWS-service traffic bound for S3/DynamoDB, which the free gateway endpoints carry (0..1).
    #[arg(long, default_value_t = 0.0)]
    pub gateway_share: f64,
    /// Availability Zones with interface endpoint ENIs.
    #[arg(long, default_value_t = 2)]
    pub azs: usize,
    /// Baseline file (its interface services and pricing are used).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Region whose prices apply.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Json,
}

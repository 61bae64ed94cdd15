//! The command line: subcommands and their options (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::shown::shown;
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
    /// AWS profile (credentials and Region) for commands that call AWS; it must exist in the
    /// shared config or credentials file. Default: the standard credential chain.
    #[arg(long, global = true, env = "AWS_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// On an AWS failure, also print the whole error the SDK returned.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
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

impl Command {
    /// Whether the command calls AWS (the others ignore the AWS profile).
    pub fn talks_to_aws(&self) -> bool {
        !matches!(self, Command::Baseline(_) | Command::Cost(_))
    }
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// Region to read; repeat for several (default: the profile's or AWS_REGION).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Only these VPCs; repeat for several (default: every VPC the guard looks after).
    #[arg(long = "vpc", value_name = "VPC_ID")]
    pub vpcs: Vec<String>,
    /// Baseline JSON file: its prices judge the endpoints (default: the standard set's, with
    /// us-east-1 list prices).
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
    /// Output format: a table for people, JSON (with a `schema`) for programs.
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
    /// Baseline JSON file: the services, rules and prices to hold every VPC to (default: the
    /// standard set: S3 and DynamoDB gateways, ECR API, ECR Docker and Logs interfaces).
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
    /// Output format: a table for people, JSON (`vpce-guard.plan/v1`) for programs.
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
    /// NAT Gateway traffic in GB per month (0 or more): adds the interface endpoints'
    /// break-even to the plan.
    #[arg(long, value_name = "GB", allow_negative_numbers = true, value_parser = non_negative)]
    pub nat_gb_per_month: Option<f64>,
    /// Part of that NAT traffic bound for the AWS services the endpoints serve (0 to 1).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true, value_parser = share)]
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
    /// Seconds (0 to 1800) to wait for EC2 to finish deleting the endpoints before deleting
    /// their group.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(0..=1800))]
    pub wait_seconds: u64,
    /// Hours (1 to 8760) during which the guard creates nothing in the released VPC or subnet;
    /// stored in the release tag, so the functions keep the same hold.
    #[arg(long, default_value_t = vpce_guard_core::policy::DEFAULT_RELEASE_HOLD_HOURS,
          value_parser = clap::value_parser!(u64).range(1..=vpce_guard_core::policy::MAX_RELEASE_HOLD_HOURS))]
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
        /// Baseline JSON file (default: the standard set).
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Region whose full service names to show (default: AWS_REGION, AWS_DEFAULT_REGION,
        /// the AWS profile's region, else us-east-1).
        #[arg(long)]
        region: Option<String>,
        /// The baseline profile to show, one of the file's `profiles` (default: the file's
        /// default profile). Not the AWS profile, which is --profile.
        #[arg(long, value_name = "NAME")]
        baseline_profile: Option<String>,
        /// Fills `${account_id}` in endpoint policies (without it such policies are left out).
        #[arg(long, value_name = "ID")]
        account_id: Option<String>,
        /// Fills `${org_id}` in endpoint policies.
        #[arg(long, value_name = "ID")]
        org_id: Option<String>,
        /// Output format: a table, or the resolved baseline as JSON.
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// Check a baseline file; errors name the line and the field.
    Validate {
        /// The baseline JSON file to check.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct CostArgs {
    /// NAT Gateway traffic in GB per month (0 or more).
    #[arg(long, value_name = "GB", allow_negative_numbers = true, value_parser = non_negative)]
    pub nat_gb_per_month: f64,
    /// Part of that traffic bound for the AWS services the endpoints serve (0 to 1).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true, value_parser = share)]
    pub aws_share: f64,
    /// Part of the AWS-service traffic bound for S3/DynamoDB, which the free gateway endpoints
    /// carry (0 to 1, below 1: at 1 no traffic is left for the interface endpoints).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true, value_parser = share)]
    pub gateway_share: f64,
    /// Availability Zones with interface endpoint ENIs (1 to 32).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub azs: u16,
    /// Baseline file (its interface services and pricing are used).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Region of the endpoints (default: AWS_REGION, AWS_DEFAULT_REGION, the AWS profile's
    /// region, else us-east-1). Prices are the baseline's `pricing`, us-east-1 list prices
    /// unless the baseline file sets them: the output says which.
    #[arg(long)]
    pub region: Option<String>,
    /// Output format: a table, or JSON (`vpce-guard.cost/v1`).
    #[arg(long, value_enum, default_value_t = Output::Table)]
    pub output: Output,
}

/// A number of 0 or more (GB): a negative one is refused however it is written.
fn non_negative(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{}` is not a number", shown(text, 40)))?;
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(format!("{} is not a number of 0 or more", shown(text, 40)))
    }
}

/// A share from 0 to 1.
fn share(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{}` is not a number", shown(text, 40)))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{} is not between 0 and 1", shown(text, 40)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Json,
}

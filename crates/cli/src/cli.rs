//! The operator CLI: preview (`plan`) and apply (`apply`) what the guard would do, inspect and
//! validate baselines, and compute the endpoint set's cost against NAT Gateway traffic.
//! Same core as the Lambda functions: observe → plan → act, with notices printed, not published.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::baseline::{locate_error, short_name, Baseline, BaselineDocument, EndpointType};
use crate::config::{GuardConfig, Mode};
use crate::cost::{break_even, usd, Traffic, HOURS_PER_MONTH};
use crate::guard::{RunReport, RunRequest};
use crate::handlers::build_guard;
use crate::notice::{Notice, Outcome};
use crate::ports::Scope;

/// Exit code when `plan` found drift, so a pipeline step can gate on it.
pub const EXIT_DRIFT: u8 = 2;

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
    profile: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the drift and the remedies that `apply` would make; changes nothing.
    Plan(PlanArgs),
    /// Apply the plan (asks for confirmation on a terminal unless --yes).
    Apply(ApplyArgs),
    /// Show or validate a baseline document.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Compare the interface endpoints' cost with sending the same traffic through NAT.
    Cost(CostArgs),
}

#[derive(Debug, Args)]
struct Target {
    /// Region to guard; repeat for several (default: the profile's or AWS_REGION).
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    /// Only these VPCs; repeat for several (default: every VPC).
    #[arg(long = "vpc", value_name = "VPC_ID")]
    vpcs: Vec<String>,
    /// Baseline JSON file (default: the standard set).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Tag key that exempts a VPC.
    #[arg(long, default_value = "vpce-guard:exempt")]
    exempt_tag_key: String,
    /// Never turn on enableDnsSupport/enableDnsHostnames (private DNS is then reported, not fixed).
    #[arg(long)]
    no_enable_vpc_dns: bool,
    /// VPCs remediated at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Table)]
    output: Output,
}

#[derive(Debug, Args)]
struct PlanArgs {
    #[command(flatten)]
    target: Target,
    /// NAT Gateway traffic in GB per month: adds the interface endpoints' break-even to the plan.
    #[arg(long, value_name = "GB")]
    nat_gb_per_month: Option<f64>,
    /// Part of that NAT traffic bound for the AWS services the endpoints serve (0..1).
    #[arg(long, default_value_t = 0.5)]
    aws_share: f64,
}

#[derive(Debug, Args)]
struct ApplyArgs {
    #[command(flatten)]
    target: Target,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    yes: bool,
}

#[derive(Debug, Subcommand)]
enum BaselineCommand {
    /// Print the effective baseline for a region (full service names, prices, policies).
    Show {
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        #[arg(long, default_value = "us-east-1")]
        region: String,
        #[arg(long, value_enum, default_value_t = Output::Table)]
        output: Output,
    },
    /// Check a baseline file; errors name the line and the field.
    Validate { file: PathBuf },
}

#[derive(Debug, Args)]
struct CostArgs {
    /// NAT Gateway traffic in GB per month.
    #[arg(long, value_name = "GB")]
    nat_gb_per_month: f64,
    /// Part of that traffic bound for the AWS services the endpoints serve (0..1).
    #[arg(long, default_value_t = 0.5)]
    aws_share: f64,
    /// Part of the AWS-service traffic bound for S3/DynamoDB, which the free gateway endpoints carry (0..1).
    #[arg(long, default_value_t = 0.0)]
    gateway_share: f64,
    /// Availability Zones with interface endpoint ENIs.
    #[arg(long, default_value_t = 2)]
    azs: usize,
    /// Baseline file (its interface services and pricing are used).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Region whose prices apply.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    #[arg(long, value_enum, default_value_t = Output::Table)]
    output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Table,
    Json,
}

/// An error the CLI reports on one line and exits 1 for.
#[derive(Debug)]
struct CliError(String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// Entry point of the `vpce-guard` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(CliError(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli) -> Result<u8, CliError> {
    match cli.command {
        Command::Plan(args) => plan(cli.profile.as_deref(), args).await,
        Command::Apply(args) => apply(cli.profile.as_deref(), args).await,
        Command::Baseline(BaselineCommand::Show {
            baseline,
            region,
            output,
        }) => {
            let doc = load_baseline(baseline.as_ref())?;
            show_baseline(&doc.resolve(&region), output);
            Ok(0)
        }
        Command::Baseline(BaselineCommand::Validate { file }) => validate(&file),
        Command::Cost(args) => cost(args),
    }
}

fn load_baseline(path: Option<&PathBuf>) -> Result<BaselineDocument, CliError> {
    let Some(path) = path else {
        return Ok(BaselineDocument::standard());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError(format!("cannot read {}: {e}", path.display())))?;
    BaselineDocument::parse(&text).map_err(|e| CliError(describe_baseline_error(path, &text, &e)))
}

fn describe_baseline_error(
    path: &std::path::Path,
    text: &str,
    error: &crate::error::BaselineError,
) -> String {
    match locate_error(text, error) {
        Some(at) => format!("{}:{}: {}: {error}", path.display(), at.line, at.field),
        None => format!("{}: {error}", path.display()),
    }
}

fn validate(file: &PathBuf) -> Result<u8, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError(format!("cannot read {}: {e}", file.display())))?;
    match BaselineDocument::parse(&text) {
        Ok(doc) => {
            println!(
                "{}: valid baseline with {} service(s)",
                file.display(),
                doc.services.len()
            );
            Ok(0)
        }
        Err(e) => Err(CliError(describe_baseline_error(file, &text, &e))),
    }
}

async fn sdk_config(profile: Option<&str>, region: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_string()));
    }
    loader.load().await
}

/// The regions to work on: those given, else the configured default.
async fn regions(profile: Option<&str>, given: &[String]) -> Result<Vec<String>, CliError> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    let sdk = sdk_config(profile, None).await;
    sdk.region().map(|r| vec![r.to_string()]).ok_or_else(|| {
        CliError("no region: pass --region or set AWS_REGION / a profile region".to_string())
    })
}

fn guard_config(target: &Target, doc: &BaselineDocument, mode: Mode) -> GuardConfig {
    GuardConfig {
        mode,
        baseline: doc.clone(),
        // The CLI prints notices instead of publishing them.
        notice_topic_arn: "arn:aws:sns:none:000000000000:unused".to_string(),
        exempt_tag_key: target.exempt_tag_key.clone(),
        enable_vpc_dns: !target.no_enable_vpc_dns,
        remediation_concurrency: usize::from(target.concurrency),
        // Unused: the CLI's SDK setup keeps the SDK's own timeouts.
        api_timeout: std::time::Duration::from_secs(30),
        org: crate::config::OrgConfig::default(),
    }
}

/// One region's run, with the account it ran in.
struct RegionRun {
    region: String,
    account_id: String,
    report: RunReport,
}

async fn run_region(
    profile: Option<&str>,
    region: &str,
    target: &Target,
    doc: &BaselineDocument,
    mode: Mode,
    vpcs: Option<Vec<String>>,
    progress: Option<ProgressBar>,
) -> Result<RegionRun, CliError> {
    let sdk = sdk_config(profile, Some(region)).await;
    let account_id = aws_sdk_sts::Client::new(&sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| {
            CliError(format!(
                "cannot identify the account (sts:GetCallerIdentity) in {region}: {}",
                crate::adapters::sdk_error::api_error("GetCallerIdentity", e)
            ))
        })?
        .account()
        .unwrap_or_default()
        .to_string();
    let mut guard = build_guard(guard_config(target, doc, mode), &sdk)?;
    if let Some(bar) = progress {
        guard = guard.with_progress(Arc::new(move |_| bar.inc(1)));
    }
    let scope = match vpcs {
        Some(ids) => Scope::Vpcs(ids),
        None if target.vpcs.is_empty() => Scope::Region,
        None => Scope::Vpcs(target.vpcs.clone()),
    };
    let report = guard
        .run(RunRequest {
            account_id: account_id.clone(),
            trigger: "cli".to_string(),
            read_dns_for_all: matches!(scope, Scope::Vpcs(_)),
            scope,
            publish_summary: false,
            notify: false,
        })
        .await?;
    Ok(RegionRun {
        region: region.to_string(),
        account_id,
        report,
    })
}

/// Report-mode runs of every target region (what `plan` prints and `apply` starts from).
async fn plan_regions(
    profile: Option<&str>,
    target: &Target,
    doc: &BaselineDocument,
) -> Result<Vec<RegionRun>, CliError> {
    let mut runs = Vec::new();
    for region in regions(profile, &target.regions).await? {
        runs.push(run_region(profile, &region, target, doc, Mode::Report, None, None).await?);
    }
    Ok(runs)
}

async fn plan(profile: Option<&str>, args: PlanArgs) -> Result<u8, CliError> {
    let doc = load_baseline(args.target.baseline.as_ref())?;
    let runs = plan_regions(profile, &args.target, &doc).await?;
    let drift = runs.iter().any(|r| r.report.summary.vpcs_drifted > 0);
    let cost = args.nat_gb_per_month.map(|gb| {
        let baseline = doc.resolve(
            runs.first()
                .map(|r| r.region.as_str())
                .unwrap_or("us-east-1"),
        );
        cost_figures(&baseline, gb, args.aws_share, 0.0, 2)
    });
    match args.target.output {
        Output::Json => {
            let value = json!({
                "schema": "vpce-guard.plan/v1",
                "drift": drift,
                "regions": runs.iter().map(region_json).collect::<Vec<_>>(),
                "cost": cost,
            });
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        Output::Table => {
            for run in &runs {
                print_region(run);
            }
            let changes: usize = runs
                .iter()
                .flat_map(|r| &r.report.notices)
                .flat_map(|n| &n.findings)
                .filter(|f| f.outcome == Outcome::Planned)
                .count();
            let delta: f64 = runs
                .iter()
                .map(|r| r.report.summary.monthly_cost_delta_usd)
                .sum();
            if drift {
                println!(
                    "Plan: {changes} change(s), monthly cost {}{}. Run `vpce-guard apply` to apply them.",
                    if delta >= 0.0 { "+" } else { "" },
                    usd(delta)
                );
            } else {
                println!("No drift: every VPC matches the baseline.");
            }
            if let Some(cost) = &cost {
                print_cost(cost);
            }
        }
    }
    Ok(if drift { EXIT_DRIFT } else { 0 })
}

async fn apply(profile: Option<&str>, args: ApplyArgs) -> Result<u8, CliError> {
    let doc = load_baseline(args.target.baseline.as_ref())?;
    let plans = plan_regions(profile, &args.target, &doc).await?;
    let changes: usize = plans
        .iter()
        .flat_map(|r| &r.report.notices)
        .flat_map(|n| &n.findings)
        .filter(|f| f.outcome == Outcome::Planned)
        .count();
    if args.target.output == Output::Table {
        for run in &plans {
            print_region(run);
        }
    }
    if changes == 0 {
        if args.target.output == Output::Json {
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &json!({"schema": "vpce-guard.apply/v1", "applied": false, "regions": []})
                )?
            );
        } else {
            println!("Nothing to apply.");
        }
        return Ok(0);
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(CliError(format!(
                "{changes} change(s) planned; refusing to apply without --yes when stdin is not a terminal"
            )));
        }
        eprint!("Apply {changes} change(s)? Only 'yes' applies: ");
        std::io::stderr().flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            eprintln!("Not applied.");
            return Ok(1);
        }
    }
    let mut applied = Vec::new();
    for plan in &plans {
        let drifted: Vec<String> = plan
            .report
            .notices
            .iter()
            .filter_map(|n| n.vpc_id.clone())
            .collect();
        if drifted.is_empty() {
            continue;
        }
        let bar = ProgressBar::new(drifted.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} VPCs")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(format!("applying in {}", plan.region));
        let run = run_region(
            profile,
            &plan.region,
            &args.target,
            &doc,
            Mode::Remediate,
            Some(drifted),
            Some(bar.clone()),
        )
        .await?;
        bar.finish_and_clear();
        applied.push(run);
    }
    let failed: usize = applied
        .iter()
        .map(|r| r.report.summary.actions_failed)
        .sum();
    match args.target.output {
        Output::Json => {
            let value = json!({
                "schema": "vpce-guard.apply/v1",
                "applied": true,
                "regions": applied.iter().map(region_json).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        Output::Table => {
            println!("Applied:");
            for run in &applied {
                print_region(run);
            }
            let done: usize = applied
                .iter()
                .map(|r| r.report.summary.actions_applied)
                .sum();
            println!("{done} change(s) applied, {failed} failed.");
        }
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

fn region_json(run: &RegionRun) -> serde_json::Value {
    json!({
        "region": run.region,
        "account_id": run.account_id,
        "summary": run.report.summary,
        "notices": run.report.notices,
        "cost_decisions": run.report.outcomes.iter().flat_map(|o| o.cost_decisions.iter().map(move |d| json!({"vpc_id": o.vpc_id, "decision": d}))).collect::<Vec<_>>(),
    })
}

fn short(service: Option<&str>) -> String {
    service.map_or_else(|| "(vpc)".to_string(), |name| short_name(name).to_string())
}

fn print_region(run: &RegionRun) {
    let s = &run.report.summary;
    println!(
        "Region {} (account {}): {} VPC(s) checked, {} compliant, {} drifted, {} exempt",
        run.region, run.account_id, s.vpcs_checked, s.vpcs_compliant, s.vpcs_drifted, s.vpcs_exempt
    );
    for notice in &run.report.notices {
        print_notice(notice);
    }
    for outcome in &run.report.outcomes {
        for decision in &outcome.cost_decisions {
            println!("  {}: {}", outcome.vpc_id, decision.reason);
        }
    }
    println!();
}

fn print_notice(notice: &Notice) {
    println!();
    println!(
        "  {}  {}  (monthly cost {})",
        notice.vpc_id.as_deref().unwrap_or("-"),
        notice.event_type.as_str(),
        usd(notice.monthly_cost_delta_usd)
    );
    let rows: Vec<[String; 5]> = notice
        .findings
        .iter()
        .map(|f| {
            [
                f.drift.as_str().to_string(),
                short(f.service.as_deref()),
                match &f.error {
                    Some(e) if f.outcome != Outcome::Applied => format!("{} ({e})", f.action),
                    _ => f.action.clone(),
                },
                format!("{:?}", f.outcome).to_lowercase(),
                usd(f.monthly_cost_usd),
            ]
        })
        .collect();
    let headers = ["DRIFT", "SERVICE", "ACTION", "OUTCOME", "COST/MO"];
    let widths: Vec<usize> = (0..5)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].len())
                .chain([headers[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: [&str; 5]| {
        let mut out = String::from("    ");
        for (i, cell) in cells.iter().enumerate() {
            if i == 4 {
                out.push_str(&format!("{cell:>w$}", w = widths[i]));
            } else {
                out.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        out
    };
    println!("{}", line(headers));
    for row in &rows {
        println!("{}", line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
    }
}

fn show_baseline(baseline: &Baseline, output: Output) {
    if output == Output::Json {
        let services: Vec<serde_json::Value> = baseline
            .services
            .iter()
            .map(|s| {
                json!({
                    "service": s.service_name,
                    "type": s.endpoint_type,
                    "private_dns": s.private_dns,
                    "policy": s.policy,
                })
            })
            .collect();
        let value = json!({
            "region": baseline.region,
            "services": services,
            "interface_endpoints": baseline.interface_endpoints,
            "pricing": baseline.pricing,
            "nat_traffic": baseline.nat_traffic,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
        return;
    }
    println!(
        "Baseline for {} (in the order remedies run):",
        baseline.region
    );
    for s in &baseline.services {
        println!(
            "  {:<45} {:<9} private_dns={:<5} policy={}",
            s.service_name,
            s.endpoint_type.as_str(),
            s.private_dns,
            if s.policy.is_some() {
                "baseline"
            } else {
                "default (full access)"
            }
        );
    }
    let p = &baseline.pricing;
    println!(
        "Interface endpoints: {:?}; prices: interface ${}/AZ-hour + ${}/GB, NAT ${}/hour + ${}/GB",
        baseline.interface_endpoints,
        p.interface_endpoint_az_hour,
        p.interface_endpoint_per_gb,
        p.nat_gateway_hour,
        p.nat_gateway_per_gb
    );
}

fn cost_figures(
    baseline: &Baseline,
    nat_gb: f64,
    aws_share: f64,
    gateway_share: f64,
    azs: usize,
) -> serde_json::Value {
    let interfaces = baseline
        .services
        .iter()
        .filter(|s| s.endpoint_type == EndpointType::Interface)
        .count();
    let traffic = Traffic {
        nat_gb_per_month: nat_gb,
        aws_share,
        gateway_share,
    };
    let at = break_even(&baseline.pricing, interfaces, azs, &traffic);
    let table: Vec<serde_json::Value> = [500.0, 1000.0, 2000.0, 5000.0, 10000.0]
        .iter()
        .map(|gb| {
            let b = break_even(
                &baseline.pricing,
                interfaces,
                azs,
                &Traffic {
                    nat_gb_per_month: *gb,
                    ..traffic
                },
            );
            json!({"nat_gb_per_month": gb, "net_monthly_saving_usd": b.net_monthly_saving_usd})
        })
        .collect();
    json!({
        "region": baseline.region,
        "pricing": baseline.pricing,
        "hours_per_month": HOURS_PER_MONTH,
        "nat_gb_per_month": nat_gb,
        "aws_share": aws_share,
        "gateway_share": gateway_share,
        "figures": at,
        "by_traffic": table,
    })
}

fn print_cost(value: &serde_json::Value) {
    let f = &value["figures"];
    let num = |v: &serde_json::Value| v.as_f64().unwrap_or(0.0);
    println!(
        "Cost of the interface endpoints against NAT Gateway ({}):",
        value["region"].as_str().unwrap_or("?")
    );
    println!(
        "  fixed: {} endpoints x {} AZs x {} h x ${}/AZ-hour = {}/month",
        f["interface_endpoints"],
        f["availability_zones"],
        HOURS_PER_MONTH,
        num(&value["pricing"]["interface_endpoint_az_hour"]),
        usd(num(&f["fixed_interface_monthly_usd"]))
    );
    println!(
        "  traffic moved off NAT: {} x {} GB = {} GB/month",
        num(&value["aws_share"]),
        num(&value["nat_gb_per_month"]),
        num(&f["moved_gb_per_month"])
    );
    println!(
        "  NAT processing saved: {}/month",
        usd(num(&f["nat_processing_saved_usd"]))
    );
    println!(
        "  endpoint processing paid: {}/month",
        usd(num(&f["interface_processing_usd"]))
    );
    let net = num(&f["net_monthly_saving_usd"]);
    println!(
        "  net: {} ({})",
        usd(net),
        if net >= 0.0 {
            "the endpoints save money"
        } else {
            "the endpoints cost more than they save"
        }
    );
    match f["break_even_nat_gb_per_month"].as_f64() {
        Some(gb) => println!("  break-even: {gb} GB/month of NAT traffic at these shares"),
        None => println!("  break-even: never (the endpoints cost more per GB than NAT)"),
    }
    println!("  NAT GB/month   net saving/month");
    if let Some(rows) = value["by_traffic"].as_array() {
        for row in rows {
            println!(
                "  {:>12}   {:>16}",
                num(&row["nat_gb_per_month"]),
                usd(num(&row["net_monthly_saving_usd"]))
            );
        }
    }
    println!("  Gateway endpoints (S3, DynamoDB) are free: they save from the first GB.");
}

fn cost(args: CostArgs) -> Result<u8, CliError> {
    for (name, share) in [
        ("--aws-share", args.aws_share),
        ("--gateway-share", args.gateway_share),
    ] {
        if !(0.0..=1.0).contains(&share) {
            return Err(CliError(format!(
                "{name} must be between 0 and 1, got {share}"
            )));
        }
    }
    if !args.nat_gb_per_month.is_finite() || args.nat_gb_per_month < 0.0 {
        return Err(CliError(
            "--nat-gb-per-month must be a non-negative number".to_string(),
        ));
    }
    if args.azs == 0 {
        return Err(CliError("--azs must be at least 1".to_string()));
    }
    let doc = load_baseline(args.baseline.as_ref())?;
    let value = cost_figures(
        &doc.resolve(&args.region),
        args.nat_gb_per_month,
        args.aws_share,
        args.gateway_share,
        args.azs,
    );
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&value)?),
        Output::Table => print_cost(&value),
    }
    Ok(0)
}

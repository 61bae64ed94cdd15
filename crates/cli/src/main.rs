//! `vpce-guard`: the operator CLI. Preview (`plan`) and apply (`apply`) what the guard would do,
//! inspect and validate baselines, and compute the endpoint set's cost against NAT Gateway
//! traffic. Same core, guard loop and adapters as the Lambda functions: observe → plan → act,
//! with notices printed, not published.
//!
//! Layout: [`args`] (the command line), [`commands`] (one file per subcommand), [`render`]
//! (tables), [`cost_report`] (the typed cost figures both `plan` and `cost` print).

mod args;
mod commands;
mod cost_report;
mod error;
mod render;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{BaselineCommand, Cli, Command};
use crate::error::{CliError, EXIT_FAILURE};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(CliError(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

async fn run(cli: Cli) -> Result<u8, CliError> {
    let profile = cli.profile.as_deref();
    match cli.command {
        Command::Plan(args) => commands::plan::plan(profile, args).await,
        Command::Apply(args) => commands::apply::apply(profile, args).await,
        Command::Baseline(BaselineCommand::Show {
            baseline,
            region,
            profile: name,
            account_id,
            org_id,
            output,
        }) => commands::baseline::show(
            baseline.as_ref(),
            &commands::baseline::ShowWhat {
                region,
                profile: name,
                account_id,
                org_id,
            },
            output,
        ),
        Command::Baseline(BaselineCommand::Validate { file }) => {
            commands::baseline::validate(&file)
        }
        Command::Cost(args) => commands::cost::cost(args),
        Command::Release(args) => commands::release::release(profile, args).await,
        Command::Usage(args) => commands::usage::usage(profile, args).await,
        Command::Savings(args) => commands::usage::savings(profile, args).await,
    }
}

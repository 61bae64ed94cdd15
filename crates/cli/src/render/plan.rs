//! A Region's run as people read it: a line of counters, then one table per notice.

use std::io::Write;

use serde_json::json;
use vpce_guard_core::baseline::short_name;
use vpce_guard_core::cost::usd;
use vpce_guard_core::notice::{Notice, Outcome};
use vpce_guard_core::traffic::{NatTrafficReport, TrafficSource, NAT_TRAFFIC_WINDOW_DAYS};

use crate::commands::regions::RegionRun;

/// The Region's run as `--output json` prints it.
pub fn region_json(run: &RegionRun) -> serde_json::Value {
    json!({
        "region": run.region,
        "account_id": run.account_id,
        "summary": run.report.summary,
        "notices": run.report.notices,
        "cost_decisions": run.report.outcomes.iter().flat_map(|o| o.cost_decisions.iter().map(move |d| json!({"vpc_id": o.vpc_id, "decision": d}))).collect::<Vec<_>>(),
        "nat_traffic": run.report.outcomes.iter().filter_map(|o| o.nat_traffic.as_ref().map(|t| json!({"vpc_id": o.vpc_id, "nat_traffic": t}))).collect::<Vec<_>>(),
    })
}

fn short(service: Option<&str>) -> String {
    service.map_or_else(|| "(vpc)".to_string(), |name| short_name(name).to_string())
}

pub fn print_region(run: &RegionRun) {
    let _ = write_region(&mut std::io::stdout().lock(), run);
}

/// The same on stderr (the plan shown before `apply --output json` asks).
pub fn eprint_region(run: &RegionRun) {
    let _ = write_region(&mut std::io::stderr().lock(), run);
}

fn write_region(out: &mut impl Write, run: &RegionRun) -> std::io::Result<()> {
    let s = &run.report.summary.counters;
    // Shared and released VPCs are rare: named only when there are some.
    let mut skipped = String::new();
    if s.vpcs_not_owned > 0 {
        skipped.push_str(&format!(", {} not owned (shared)", s.vpcs_not_owned));
    }
    if s.vpcs_released > 0 {
        skipped.push_str(&format!(", {} released", s.vpcs_released));
    }
    writeln!(
        out,
        "Region {} (account {}): {} VPC(s) checked, {} compliant, {} drifted, {} exempt{skipped}",
        run.region, run.account_id, s.vpcs_checked, s.vpcs_compliant, s.vpcs_drifted, s.vpcs_exempt
    )?;
    for notice in &run.report.notices {
        write_notice(out, notice)?;
    }
    for outcome in &run.report.outcomes {
        for decision in &outcome.cost_decisions {
            writeln!(out, "  {}: {}", outcome.vpc_id, decision.reason)?;
        }
        if let Some(traffic) = &outcome.nat_traffic {
            writeln!(out, "  {}: {}", outcome.vpc_id, nat_traffic_line(traffic))?;
        }
    }
    writeln!(out)?;
    Ok(())
}

fn write_notice(out: &mut impl Write, notice: &Notice) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "  {}  {}  (monthly cost {})",
        notice.vpc_id().unwrap_or("-"),
        notice.event_type().as_str(),
        usd(notice.monthly_cost_delta_usd)
    )?;
    let rows: Vec<[String; 5]> = notice
        .findings()
        .iter()
        .map(|f| {
            [
                f.drift.as_str().to_string(),
                short(f.service.as_deref()),
                fit(&short_ids(&match &f.error {
                    Some(e) if f.outcome != Outcome::Applied => format!("{} ({e})", f.action),
                    _ => f.action.clone(),
                })),
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
    writeln!(out, "{}", line(headers))?;
    for row in &rows {
        writeln!(
            out,
            "{}",
            line([&row[0], &row[1], &row[2], &row[3], &row[4]])
        )?;
    }
    Ok(())
}

/// The widest an ACTION cell gets, so a row fits a terminal; the full text is in JSON.
const MAX_ACTION_CHARS: usize = 76;

/// Resource ids shortened to their prefix and four characters (`vpce-27d1…`): the full ids are
/// in `--output json`.
fn short_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let shortened = ["vpce-", "rtb-", "subnet-", "sg-", "vpc-", "nat-", "igw-"]
            .iter()
            .find_map(|prefix| {
                let rest = word.strip_prefix(prefix)?;
                (rest.len() > 8 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
                    .then(|| format!("{prefix}{}…", &rest[..4]))
            });
        out.push_str(shortened.as_deref().unwrap_or(word));
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// `text` cut to [`MAX_ACTION_CHARS`] with ` …` when longer.
fn fit(text: &str) -> String {
    if text.chars().count() <= MAX_ACTION_CHARS {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX_ACTION_CHARS - 2).collect();
    format!("{} …", head.trim_end())
}

/// One line on a VPC's NAT traffic and what its interface endpoints would save.
fn nat_traffic_line(traffic: &NatTrafficReport) -> String {
    let source = match traffic.source {
        TrafficSource::Cloudwatch => format!("CloudWatch, last {NAT_TRAFFIC_WINDOW_DAYS} days"),
        TrafficSource::Tag => "VPC tag".to_string(),
    };
    let saving = traffic.projected_monthly_saving_usd;
    let verdict = if saving >= 0.0 {
        format!("would save {}/month", usd(saving))
    } else {
        format!("would cost {}/month more than NAT", usd(-saving))
    };
    format!(
        "NAT traffic {} GB/month ({source}); {} interface endpoint(s) in {} AZ(s) {verdict} at {}% AWS-bound",
        traffic.nat_gb_per_month,
        traffic.interface_endpoints,
        traffic.availability_zones,
        (traffic.aws_share * 100.0).round()
    )
}

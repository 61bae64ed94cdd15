//! A tiny outbox for notices about remediation that took effect when publishing failed.
//!
//! The retry of a failed invocation observes the already-fixed state and would have nothing to say,
//! so the applied findings are written to a tag on the VPC (`vpce-guard:unpublished`); the next run
//! reads it for free with `DescribeVpcs`, publishes them as `remediated`, then removes the tag.
//! Tag values hold at most 256 characters, so findings are encoded compactly (`drift:service`).

use crate::baseline::short_name;
use crate::notice::{NoticeFinding, Outcome};
use crate::planner::Drift;

pub const UNPUBLISHED_TAG_KEY: &str = "vpce-guard:unpublished";
/// EC2 tag values are limited to 256 characters.
pub const MAX_TAG_VALUE: usize = 256;
/// Shown as the action of replayed findings.
pub const REPLAYED_ACTION: &str =
    "applied by an earlier invocation whose notice could not be published";

/// Encodes the applied findings of one VPC notice; None when nothing was applied.
pub fn encode(trigger: &str, findings: &[NoticeFinding]) -> Option<String> {
    let applied: Vec<String> = findings
        .iter()
        .filter(|f| f.outcome == Outcome::Applied)
        .map(|f| {
            format!(
                "{}:{}",
                f.drift.as_str(),
                short_service(f.service.as_deref())
            )
        })
        .collect();
    if applied.is_empty() {
        return None;
    }
    let mut value = sanitize(trigger);
    for (i, token) in applied.iter().enumerate() {
        let remaining = applied.len() - i;
        let more = format!(" +{remaining}");
        // Keep room for the "+N" marker unless this is the last token.
        let reserve = if remaining > 1 { more.len() + 1 } else { 0 };
        if value.len() + 1 + token.len() + reserve > MAX_TAG_VALUE {
            value.push_str(&more);
            return Some(value);
        }
        value.push(' ');
        value.push_str(token);
    }
    Some(value)
}

/// Decodes a tag value back into findings (region needed to rebuild full service names).
/// Unknown tokens are skipped: the tag is advisory and must never break a run.
pub fn decode(value: &str, region: &str) -> (String, Vec<NoticeFinding>) {
    let mut tokens = value.split_whitespace();
    let trigger = tokens.next().unwrap_or("unknown").to_string();
    let findings = tokens
        .filter_map(|token| {
            let (drift, service) = token.split_once(':')?;
            let drift: Drift =
                serde_json::from_value(serde_json::Value::String(drift.to_string())).ok()?;
            Some(NoticeFinding {
                service: (service != "vpc").then(|| format!("com.amazonaws.{region}.{service}")),
                drift,
                resource_ids: Vec::new(),
                action: REPLAYED_ACTION.to_string(),
                outcome: Outcome::Applied,
                error: None,
                monthly_cost_usd: 0.0,
                usage: None,
            })
        })
        .collect();
    (trigger, findings)
}

fn short_service(service: Option<&str>) -> String {
    service.map_or_else(|| "vpc".to_string(), |name| short_name(name).to_string())
}

fn sanitize(trigger: &str) -> String {
    let cleaned: String = trigger
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .take(64)
        .collect();
    if cleaned.is_empty() {
        "unknown".to_string()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(drift: Drift, service: Option<&str>, outcome: Outcome) -> NoticeFinding {
        NoticeFinding {
            service: service.map(str::to_string),
            drift,
            resource_ids: vec!["vpc-1".into()],
            action: "x".into(),
            outcome,
            error: None,
            monthly_cost_usd: 0.0,
            usage: None,
        }
    }

    #[test]
    fn round_trips_applied_findings_only() {
        let findings = vec![
            finding(
                Drift::MissingEndpoint,
                Some("com.amazonaws.us-east-1.ecr.api"),
                Outcome::Applied,
            ),
            finding(Drift::VpcDnsAttributesDisabled, None, Outcome::Applied),
            finding(
                Drift::EndpointNotAvailable,
                Some("com.amazonaws.us-east-1.logs"),
                Outcome::NotRemediable,
            ),
        ];
        let value = encode("CreateSubnet", &findings).unwrap();
        assert_eq!(
            value,
            "CreateSubnet missing_endpoint:ecr.api vpc_dns_attributes_disabled:vpc"
        );
        let (trigger, back) = decode(&value, "us-east-1");
        assert_eq!(trigger, "CreateSubnet");
        assert_eq!(back.len(), 2);
        assert_eq!(
            back[0].service.as_deref(),
            Some("com.amazonaws.us-east-1.ecr.api")
        );
        assert_eq!(back[0].drift, Drift::MissingEndpoint);
        assert_eq!(back[1].service, None);
        assert!(back
            .iter()
            .all(|f| f.outcome == Outcome::Applied && f.action == REPLAYED_ACTION));
    }

    #[test]
    fn nothing_applied_needs_no_outbox() {
        let findings = vec![finding(Drift::MissingEndpoint, None, Outcome::Failed)];
        assert_eq!(encode("schedule", &findings), None);
    }

    #[test]
    fn long_lists_stay_within_the_tag_limit_and_say_how_many_were_cut() {
        let findings: Vec<NoticeFinding> = (0..40)
            .map(|_| {
                finding(
                    Drift::RouteTableNotAssociated,
                    Some("com.amazonaws.us-east-1.dynamodb"),
                    Outcome::Applied,
                )
            })
            .collect();
        let value = encode("schedule", &findings).unwrap();
        assert!(value.len() <= MAX_TAG_VALUE, "{}", value.len());
        assert!(value.split_whitespace().last().unwrap().starts_with('+'));
    }

    #[test]
    fn garbage_tags_decode_to_what_can_be_understood() {
        let (trigger, findings) = decode(
            "schedule nonsense missing_endpoint:logs bad_code:x",
            "eu-west-1",
        );
        assert_eq!(trigger, "schedule");
        assert_eq!(findings.len(), 1);
        assert_eq!(decode("", "r").1.len(), 0);
    }
}

//! NAT traffic: the figure cost decisions and projected savings rest on. It comes from the NAT
//! gateways' own byte counters in CloudWatch (`AWS/NATGateway`), or from the operator's tag,
//! which wins when set (an explicit override, e.g. for NAT gateways in another VPC behind a
//! transit gateway, which CloudWatch cannot attribute).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Days of CloudWatch data a figure is read over: two full weeks smooth out weekly cycles.
pub const NAT_TRAFFIC_WINDOW_DAYS: u32 = 14;
/// An average month (365.25 / 12 days): the window's bytes are scaled to it.
pub const DAYS_PER_MONTH: f64 = 365.25 / 12.0;
/// AWS bills data processing per GB of 2^30 bytes.
pub const BYTES_PER_GB: f64 = 1_073_741_824.0;
/// The CloudWatch namespace and metrics a NAT gateway's processed bytes are read from: traffic
/// out to destinations plus the answers back in, which NAT bills both.
pub const NAT_METRICS_NAMESPACE: &str = "AWS/NATGateway";
pub const NAT_BYTES_METRICS: [&str; 2] = ["BytesOutToDestination", "BytesInFromDestination"];
/// The dimension naming a NAT gateway in those metrics.
pub const NAT_GATEWAY_DIMENSION: &str = "NatGatewayId";

/// A NAT gateway as DescribeNatGateways shows it (only `available` and `pending` ones count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatGateway {
    pub id: String,
    pub vpc_id: String,
}

/// Where a VPC's NAT traffic figure came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrafficSource {
    /// The NAT gateways' byte counters over the last [`NAT_TRAFFIC_WINDOW_DAYS`] days.
    Cloudwatch,
    /// The baseline's `nat_traffic.tag_key` tag on the VPC.
    #[default]
    Tag,
}

/// A VPC's NAT traffic and where the figure came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NatTraffic {
    pub gb_per_month: f64,
    pub source: TrafficSource,
}

/// What a VPC's NAT traffic says about its interface endpoints: published on notices and shown
/// by the CLI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NatTrafficReport {
    pub nat_gb_per_month: f64,
    pub source: TrafficSource,
    /// The baseline's share of NAT traffic bound for the AWS services the endpoints serve.
    pub aws_share: f64,
    /// The baseline's interface endpoints, in every AZ with a private subnet.
    pub interface_endpoints: usize,
    pub availability_zones: usize,
    /// What those interface endpoints save per month against sending the same traffic through
    /// NAT (negative: they cost more than they save).
    pub projected_monthly_saving_usd: f64,
}

/// Bytes over `window_days` days as GB per average month, to one decimal.
pub fn gb_per_month(bytes: f64, window_days: u32) -> f64 {
    if window_days == 0 || !bytes.is_finite() || bytes <= 0.0 {
        return 0.0;
    }
    let gb = bytes / BYTES_PER_GB * DAYS_PER_MONTH / f64::from(window_days);
    (gb * 10.0).round() / 10.0
}

/// Each VPC's NAT traffic (GB per month) from its gateways' byte sums. A VPC whose gateways
/// CloudWatch has no data for moved nothing (CloudWatch stores no points for idle gateways); a
/// VPC without NAT gateways gets no figure at all (its traffic, if any, leaves elsewhere).
pub fn nat_gb_by_vpc(
    gateways: &[NatGateway],
    bytes_by_gateway: &BTreeMap<String, f64>,
    window_days: u32,
) -> BTreeMap<String, f64> {
    let mut bytes_by_vpc: BTreeMap<String, f64> = BTreeMap::new();
    for gateway in gateways {
        let bytes = bytes_by_gateway.get(&gateway.id).copied().unwrap_or(0.0);
        *bytes_by_vpc.entry(gateway.vpc_id.clone()).or_default() += bytes.max(0.0);
    }
    bytes_by_vpc
        .into_iter()
        .map(|(vpc, bytes)| (vpc, gb_per_month(bytes, window_days)))
        .collect()
}

/// The VPC's NAT traffic: the tag when it holds a non-negative number, else CloudWatch's figure.
pub fn nat_traffic(
    tags: &BTreeMap<String, String>,
    tag_key: &str,
    cloudwatch_gb_per_month: Option<f64>,
) -> Option<NatTraffic> {
    let tagged = tags
        .get(tag_key)
        .and_then(|value| value.trim().parse::<f64>().ok())
        .filter(|gb| gb.is_finite() && *gb >= 0.0);
    match (tagged, cloudwatch_gb_per_month) {
        (Some(gb), _) => Some(NatTraffic {
            gb_per_month: gb,
            source: TrafficSource::Tag,
        }),
        (None, Some(gb)) if gb.is_finite() && gb >= 0.0 => Some(NatTraffic {
            gb_per_month: gb,
            source: TrafficSource::Cloudwatch,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: &str = "vpce-guard:nat-gb-per-month";

    fn gateway(id: &str, vpc: &str) -> NatGateway {
        NatGateway {
            id: id.into(),
            vpc_id: vpc.into(),
        }
    }

    #[test]
    fn fourteen_days_of_bytes_scale_to_an_average_month() {
        // 140 GiB over 14 days = 10 GiB a day = 304.4 GB in an average month.
        assert_eq!(gb_per_month(140.0 * BYTES_PER_GB, 14), 304.4);
        assert_eq!(gb_per_month(0.0, 14), 0.0);
        assert_eq!(gb_per_month(-5.0, 14), 0.0);
        assert_eq!(gb_per_month(f64::NAN, 14), 0.0);
        assert_eq!(gb_per_month(BYTES_PER_GB, 0), 0.0);
    }

    #[test]
    fn gateways_add_up_per_vpc_and_idle_gateways_count_zero() {
        let gateways = [
            gateway("nat-a", "vpc-1"),
            gateway("nat-b", "vpc-1"),
            gateway("nat-c", "vpc-2"),
        ];
        let bytes = BTreeMap::from([
            ("nat-a".to_string(), 70.0 * BYTES_PER_GB),
            ("nat-b".to_string(), 70.0 * BYTES_PER_GB),
        ]);
        let by_vpc = nat_gb_by_vpc(&gateways, &bytes, 14);
        assert_eq!(by_vpc.get("vpc-1"), Some(&304.4));
        assert_eq!(
            by_vpc.get("vpc-2"),
            Some(&0.0),
            "idle gateway: no datapoints"
        );
        assert_eq!(by_vpc.get("vpc-3"), None, "no NAT gateway: no figure");
    }

    #[test]
    fn the_tag_overrides_cloudwatch_and_bad_values_are_ignored() {
        let mut tags = BTreeMap::new();
        assert_eq!(nat_traffic(&tags, TAG, None), None);
        assert_eq!(
            nat_traffic(&tags, TAG, Some(12.5)),
            Some(NatTraffic {
                gb_per_month: 12.5,
                source: TrafficSource::Cloudwatch
            })
        );
        tags.insert(TAG.to_string(), " 900 ".to_string());
        assert_eq!(
            nat_traffic(&tags, TAG, Some(12.5)),
            Some(NatTraffic {
                gb_per_month: 900.0,
                source: TrafficSource::Tag
            })
        );
        tags.insert(TAG.to_string(), "lots".to_string());
        assert_eq!(
            nat_traffic(&tags, TAG, Some(12.5)).map(|t| t.source),
            Some(TrafficSource::Cloudwatch),
            "an unreadable tag falls back to CloudWatch"
        );
        tags.insert(TAG.to_string(), "-1".to_string());
        assert_eq!(nat_traffic(&tags, TAG, None), None);
    }
}

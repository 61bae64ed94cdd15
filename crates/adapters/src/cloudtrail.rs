//! CloudTrail: the trails that apply to a Region and what they log, for the event path's daily
//! check. One `DescribeTrails` (with shadow trails: multi-Region and organization trails show in
//! every Region), then a `GetTrailStatus` and a `GetEventSelectors` per trail, sent to the trail's
//! home Region (CloudTrail answers status and selectors of a trail there). A trail whose status
//! or selectors cannot be read keeps the error, so the verdict says "unverified", not "missing".

use std::collections::BTreeMap;

use aws_config::{Region, SdkConfig};
use aws_sdk_cloudtrail::types::ReadWriteType;
use aws_sdk_cloudtrail::Client;
use vpce_guard_core::error::ApiError;
use vpce_guard_core::event_path::{FieldCondition, ReadWrite, Selectors, Trail, EC2_EVENT_SOURCE};
use vpce_guard_core::ports::{PortFuture, TrailPort};

use crate::sdk_error::api_error;
use crate::ApiCallCounter;

/// CloudTrail of one account, seen from one Region.
#[derive(Clone, Debug)]
pub struct CloudTrailAdapter {
    target: SdkConfig,
    counter: ApiCallCounter,
}

impl CloudTrailAdapter {
    /// CloudTrail with `target`'s credentials and Region, every request counted in `counter`.
    pub fn new(target: &SdkConfig, counter: &ApiCallCounter) -> Self {
        Self {
            target: target.clone(),
            counter: counter.clone(),
        }
    }

    fn client(&self, region: Option<&str>) -> Client {
        let mut config = aws_sdk_cloudtrail::config::Builder::from(&self.target)
            .interceptor(self.counter.clone());
        if let Some(region) = region {
            config = config.region(Region::new(region.to_string()));
        }
        Client::from_conf(config.build())
    }

    async fn read(&self) -> Result<Vec<Trail>, ApiError> {
        let listed = self
            .client(None)
            .describe_trails()
            .include_shadow_trails(true)
            .send()
            .await
            .map_err(|e| api_error("DescribeTrails", e))?;
        let here = self.target.region().map(|r| r.to_string());
        // One client per home Region (most accounts: one).
        let mut clients: BTreeMap<String, Client> = BTreeMap::new();
        let mut trails = Vec::new();
        for trail in listed.trail_list() {
            let Some(arn) = trail.trail_arn().or(trail.name()) else {
                continue;
            };
            let home = trail.home_region().map(str::to_string).or(here.clone());
            let key = home.clone().unwrap_or_default();
            let client = clients
                .entry(key)
                .or_insert_with(|| self.client(home.as_deref()))
                .clone();
            trails.push(read_trail(&client, arn).await);
        }
        Ok(trails)
    }
}

/// A trail's status and selectors (two requests); each error is kept on the trail.
async fn read_trail(client: &Client, arn: &str) -> Trail {
    let logging = client
        .get_trail_status()
        .name(arn)
        .send()
        .await
        .map(|status| status.is_logging().unwrap_or(false))
        .map_err(|e| api_error("GetTrailStatus", e).to_string());
    let selectors = client
        .get_event_selectors()
        .trail_name(arn)
        .send()
        .await
        .map(|answer| {
            if answer.event_selectors().is_empty() && answer.advanced_event_selectors().is_empty() {
                // A trail without selectors of its own logs CloudTrail's default: every
                // management event, read and write. (CloudTrail answers that default selector;
                // moto answers an empty list, which reads the same here.)
                Selectors::Basic(vec![(true, ReadWrite::All)])
            } else if answer.advanced_event_selectors().is_empty() {
                Selectors::Basic(
                    answer
                        .event_selectors()
                        .iter()
                        .map(|s| {
                            let management = s.include_management_events().unwrap_or(true)
                                && !s
                                    .exclude_management_event_sources()
                                    .iter()
                                    .any(|source| source == EC2_EVENT_SOURCE);
                            let read_write = match s.read_write_type() {
                                Some(ReadWriteType::ReadOnly) => ReadWrite::ReadOnly,
                                Some(ReadWriteType::WriteOnly) => ReadWrite::WriteOnly,
                                _ => ReadWrite::All,
                            };
                            (management, read_write)
                        })
                        .collect(),
                )
            } else {
                Selectors::Advanced(
                    answer
                        .advanced_event_selectors()
                        .iter()
                        .map(|s| {
                            s.field_selectors()
                                .iter()
                                .map(|f| FieldCondition {
                                    field: f.field().to_string(),
                                    equals: f.equals().to_vec(),
                                    not_equals: f.not_equals().to_vec(),
                                    starts_with: f.starts_with().to_vec(),
                                    not_starts_with: f.not_starts_with().to_vec(),
                                })
                                .collect()
                        })
                        .collect(),
                )
            }
        })
        .map_err(|e| api_error("GetEventSelectors", e).to_string());
    Trail {
        arn: arn.to_string(),
        logging,
        selectors,
    }
}

impl TrailPort for CloudTrailAdapter {
    fn trails(&self) -> PortFuture<'_, Vec<Trail>> {
        Box::pin(self.read())
    }
}

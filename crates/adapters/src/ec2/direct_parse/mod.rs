//! The three largest Describe answers (endpoints, route tables, subnets) parsed straight into
//! the core's model, without the SDK's shapes.
//!
//! Why: the SDK turns an answer into its complete shapes (every optional field of every route,
//! DNS entries, network interfaces, tags, each its own allocation) and holds them with the body
//! until the call returns; the adapter then keeps a fraction of them. At 3,000 VPCs in a
//! compliant Region, on moto (which answers each in one page), heaptrack put a steady-state
//! sweep's peak in the SDK's route-table shapes: 35 MB for 11.7 MB of XML, beside 5.6 MB of
//! converted endpoints (docs/performance.md, "Peak memory").
//!
//! How: the call still goes through the SDK (signing, retries, pacing, the request counter,
//! error parsing). An interceptor puts a deserializer of ours above the operation's own for that
//! one call. On a successful answer it parses the page's items into the core's types, leaves them
//! in the call's [`PageSink`] and hands the SDK an output that holds only the next page's token.
//! Anything else (an error answer, a body it cannot read) goes to the operation's own
//! deserializer, so errors keep their codes and an answer this parser does not understand is
//! still read, the SDK's way (the caller converts the SDK's shapes then, as before).

mod deserializer;
mod endpoints;
mod route_tables;
mod subnets;
#[cfg(test)]
mod through_sdk_tests;
mod whole_body;
mod xml;

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_ec2::config::RuntimePlugin;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_xml::decode::{ScopedDecoder, XmlDecodeError};

use crate::sdk_error::api_error;
use vpce_guard_core::error::ApiError;

pub(super) use deserializer::DirectParse;
use deserializer::PageSink;
pub(super) use endpoints::EndpointsAnswer;
pub(super) use route_tables::RouteTablesAnswer;
pub(super) use subnets::SubnetsAnswer;

/// One EC2 answer the guard parses itself.
pub(super) trait DirectAnswer: Send + Sync + 'static {
    /// The SDK's operation, whose own deserializer reads what this parser does not.
    type Operation: RuntimePlugin + Default;
    /// The core's type of one item of the answer.
    type Item: Send + 'static;
    /// The SDK's output type of the operation.
    type SdkOutput: Send + Sync + fmt::Debug + 'static;
    /// The action's name, for errors.
    const ACTION: &'static str;
    /// The answer's root element, e.g. `DescribeVpcEndpointsResponse`.
    const ROOT: &'static str;
    /// The element holding the page's items, e.g. `vpcEndpointSet`.
    const ITEM_SET: &'static str;

    /// One `<item>` of the set; None for an item the guard skips (as the SDK conversion does
    /// when a required id is missing).
    fn parse_item(item: &mut ScopedDecoder) -> Result<Option<Self::Item>, XmlDecodeError>;

    /// The SDK's output holding only `next_token`: what the paginating caller reads from the
    /// call itself.
    fn token_only_output(next_token: Option<String>) -> Self::SdkOutput;

    /// The page's items from the SDK's shapes, for a page the SDK read.
    fn sdk_items(output: &Self::SdkOutput) -> Vec<Self::Item>;

    /// The next page's token in the SDK's output.
    fn sdk_next_token(output: &Self::SdkOutput) -> Option<&str>;
}

/// One page of a directly parsed answer.
#[derive(Debug)]
pub(super) struct Page<T> {
    pub(super) items: Vec<T>,
    pub(super) next_token: Option<String>,
}

/// Every page of one Describe. `send` makes the call for a page's token, adding the interceptor
/// it is given (None: the SDK reads the answer); `parse_directly` off reads every page the
/// SDK's way. Pages parsed directly are counted in `pages_parsed_directly`.
pub(super) async fn read_pages<A, E, Fut>(
    parse_directly: bool,
    pages_parsed_directly: &AtomicU64,
    mut send: impl FnMut(Option<String>, Option<DirectParse<A>>) -> Fut,
) -> Result<Vec<A::Item>, ApiError>
where
    A: DirectAnswer,
    Fut: Future<Output = Result<A::SdkOutput, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let mut items = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let sink = PageSink::default();
        let direct = parse_directly.then(|| DirectParse::<A>::new(sink.clone()));
        let output = send(next_token.take(), direct)
            .await
            .map_err(|e| api_error(A::ACTION, e))?;
        match sink.take() {
            Some(page) => {
                pages_parsed_directly.fetch_add(1, Ordering::Relaxed);
                items.extend(page.items);
            }
            None => items.extend(A::sdk_items(&output)),
        }
        match A::sdk_next_token(&output) {
            Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
            _ => break,
        }
    }
    Ok(items)
}

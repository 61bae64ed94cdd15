//! The largest Describe answers parsed straight into the core's model, without the SDK's shapes.
//!
//! Why: the SDK turns an answer into its complete shapes (every optional field, DNS entries,
//! network interfaces, tags, each its own allocation) and holds them with the body until the
//! call returns; the adapter then keeps a fraction of them. At 3,000 VPCs in a compliant Region
//! the endpoints answer is 15.8 MB of XML on moto, which returns it as one page, and its shapes
//! were a steady-state sweep's peak memory (docs/performance.md, "Peak memory").
//!
//! How: the call still goes through the SDK (signing, retries, pacing, the request counter,
//! error parsing). An interceptor puts a deserializer of ours above the operation's own for that
//! one call. On a successful answer it parses the page's items into the core's types, leaves them
//! in the call's [`PageSink`] and hands the SDK an output that holds only the next page's token.
//! Anything else (an error answer, a body it cannot read) goes to the operation's own
//! deserializer, so errors keep their codes and an answer this parser does not understand is
//! still read, the SDK's way (the caller converts the SDK's shapes then, as before).

mod endpoints;

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};

use aws_sdk_ec2::config::{ConfigBag, FrozenLayer, Intercept, RuntimeComponents, RuntimePlugin};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextMut, Error, Output,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, OrchestratorError};
use aws_smithy_runtime_api::client::ser_de::{DeserializeResponse, SharedResponseDeserializer};
use aws_smithy_xml::decode::{try_data, Document, ScopedDecoder, XmlDecodeError};

pub(super) use endpoints::EndpointsAnswer;

/// One EC2 answer the guard parses itself.
pub(super) trait DirectAnswer: Send + Sync + 'static {
    /// The SDK's operation, whose own deserializer reads what this parser does not.
    type Operation: RuntimePlugin + Default;
    /// The core's type of one item of the answer.
    type Item: Send + 'static;
    /// The SDK's output type of the operation.
    type SdkOutput: Send + Sync + fmt::Debug + 'static;
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
}

/// One page of a directly parsed answer.
#[derive(Debug)]
pub(super) struct Page<T> {
    pub(super) items: Vec<T>,
    pub(super) next_token: Option<String>,
}

/// Parses a whole answer body: the items of [`DirectAnswer::ITEM_SET`] and the `nextToken`.
/// A body cut short is refused rather than read as a shorter page: the parser stops quietly at
/// the end of its input, and endpoints missing from a page would be planned as missing.
pub(super) fn parse_page<A: DirectAnswer>(body: &[u8]) -> Result<Page<A::Item>, XmlDecodeError> {
    let closing = format!("</{}>", A::ROOT);
    if !body.trim_ascii_end().ends_with(closing.as_bytes()) {
        return Err(XmlDecodeError::custom(format!(
            "the answer does not end with {closing}: cut short or not {}",
            A::ROOT
        )));
    }
    let mut doc = Document::try_from(body)?;
    let mut root = doc.root_element()?;
    if !root.start_el().matches(A::ROOT) {
        return Err(XmlDecodeError::custom(format!(
            "expected the root element {}, found {:?}",
            A::ROOT,
            root.start_el()
        )));
    }
    let mut page = Page {
        items: Vec::new(),
        next_token: None,
    };
    while let Some(mut tag) = root.next_tag() {
        if tag.start_el().matches(A::ITEM_SET) {
            while let Some(mut item) = tag.next_tag() {
                if item.start_el().matches("item") {
                    page.items.extend(A::parse_item(&mut item)?);
                }
            }
        } else if tag.start_el().matches("nextToken") {
            let token = try_data(&mut tag)?;
            page.next_token = (!token.is_empty()).then(|| token.into_owned());
        }
    }
    Ok(page)
}

/// The text of the current element, owned.
pub(super) fn text(tag: &mut ScopedDecoder) -> Result<String, XmlDecodeError> {
    Ok(try_data(tag)?.into_owned())
}

/// An `xsd:boolean` as EC2 writes it.
pub(super) fn boolean(tag: &mut ScopedDecoder) -> Result<bool, XmlDecodeError> {
    match try_data(tag)?.as_ref() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(XmlDecodeError::custom(format!(
            "expected a boolean, found {other:?}"
        ))),
    }
}

/// The texts of a set of `<item>text</item>`, such as `subnetIdSet`.
pub(super) fn text_items(set: &mut ScopedDecoder) -> Result<Vec<String>, XmlDecodeError> {
    let mut out = Vec::new();
    while let Some(mut item) = set.next_tag() {
        if item.start_el().matches("item") {
            out.push(text(&mut item)?);
        }
    }
    Ok(out)
}

/// Whether a `tagSet` holds `key` with exactly `value`.
pub(super) fn tag_set_has(
    set: &mut ScopedDecoder,
    key: &str,
    value: &str,
) -> Result<bool, XmlDecodeError> {
    let mut found = false;
    while let Some(mut item) = set.next_tag() {
        if !item.start_el().matches("item") {
            continue;
        }
        let (mut item_key, mut item_value) = (None, None);
        while let Some(mut field) = item.next_tag() {
            if field.start_el().matches("key") {
                item_key = Some(try_data(&mut field)?);
            } else if field.start_el().matches("value") {
                item_value = Some(try_data(&mut field)?);
            }
        }
        found |= item_key.as_deref() == Some(key) && item_value.as_deref() == Some(value);
    }
    Ok(found)
}

/// Where the parsed page of one call waits for its caller: empty when the call's answer was
/// read by the SDK instead.
pub(super) struct PageSink<T>(Arc<Mutex<Option<Page<T>>>>);

impl<T> Clone for PageSink<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> fmt::Debug for PageSink<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PageSink")
    }
}

impl<T> Default for PageSink<T> {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(None)))
    }
}

impl<T> PageSink<T> {
    /// The page the call left, if its answer was parsed here.
    pub(super) fn take(&self) -> Option<Page<T>> {
        self.lock().take()
    }

    fn put(&self, page: Page<T>) {
        *self.lock() = Some(page);
    }

    /// A poisoned lock only means a panic elsewhere while it was held; the slot is still valid.
    fn lock(&self) -> MutexGuard<'_, Option<Page<T>>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Installs [`DirectDeserializer`] for one call; add it with `.customize().interceptor(…)`.
pub(super) struct DirectParse<A: DirectAnswer> {
    sink: PageSink<A::Item>,
    answer: PhantomData<fn() -> A>,
}

impl<A: DirectAnswer> DirectParse<A> {
    pub(super) fn new(sink: PageSink<A::Item>) -> Self {
        Self {
            sink,
            answer: PhantomData,
        }
    }
}

impl<A: DirectAnswer> fmt::Debug for DirectParse<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DirectParse({})", A::ROOT)
    }
}

impl<A: DirectAnswer> Intercept for DirectParse<A> {
    fn name(&self) -> &'static str {
        "DirectParse"
    }

    /// The interceptor state is the top layer of the call's configuration, so the orchestrator
    /// finds this deserializer before the one the operation's runtime plugin stored.
    fn modify_before_serialization(
        &self,
        _context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation_layer = A::Operation::default()
            .config()
            .ok_or("the SDK operation has no configuration layer to read its deserializer from")?;
        cfg.interceptor_state()
            .store_put(SharedResponseDeserializer::new(DirectDeserializer::<A> {
                operation_layer,
                sink: self.sink.clone(),
                answer: PhantomData,
            }));
        Ok(())
    }
}

/// Parses a successful answer into [`PageSink`]; leaves everything else to the operation's own
/// deserializer, found in the operation's configuration layer (the SDK's deserializers are not
/// public, but its operations' runtime plugins are).
struct DirectDeserializer<A: DirectAnswer> {
    operation_layer: FrozenLayer,
    sink: PageSink<A::Item>,
    answer: PhantomData<fn() -> A>,
}

impl<A: DirectAnswer> fmt::Debug for DirectDeserializer<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DirectDeserializer({})", A::ROOT)
    }
}

impl<A: DirectAnswer> DirectDeserializer<A> {
    fn operation_deserializer(
        &self,
    ) -> Result<&SharedResponseDeserializer, OrchestratorError<Error>> {
        self.operation_layer
            .load::<SharedResponseDeserializer>()
            .ok_or_else(|| {
                OrchestratorError::other("the SDK operation's layer holds no response deserializer")
            })
    }
}

impl<A: DirectAnswer> DeserializeResponse for DirectDeserializer<A> {
    fn deserialize_streaming_with_config(
        &self,
        response: &mut HttpResponse,
        cfg: &ConfigBag,
    ) -> Option<Result<Output, OrchestratorError<Error>>> {
        match self.operation_deserializer() {
            Ok(own) => own.deserialize_streaming_with_config(response, cfg),
            Err(e) => Some(Err(e)),
        }
    }

    fn deserialize_nonstreaming_with_config(
        &self,
        response: &HttpResponse,
        cfg: &ConfigBag,
    ) -> Result<Output, OrchestratorError<Error>> {
        if response.status().is_success() {
            if let Some(body) = response.body().bytes() {
                match parse_page::<A>(body) {
                    Ok(page) => {
                        let output = A::token_only_output(page.next_token.clone());
                        self.sink.put(page);
                        return Ok(Output::erase(output));
                    }
                    Err(e) => tracing::warn!(
                        answer = A::ROOT,
                        error = %e,
                        "an answer the guard could not parse itself; the SDK reads it instead"
                    ),
                }
            }
        }
        self.operation_deserializer()?
            .deserialize_nonstreaming_with_config(response, cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-field answer shape for the generic parts.
    struct NamesAnswer;

    impl DirectAnswer for NamesAnswer {
        type Operation = aws_sdk_ec2::operation::describe_vpcs::DescribeVpcs;
        type Item = String;
        type SdkOutput = aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsOutput;
        const ROOT: &'static str = "DescribeNamesResponse";
        const ITEM_SET: &'static str = "nameSet";

        fn parse_item(item: &mut ScopedDecoder) -> Result<Option<String>, XmlDecodeError> {
            let mut name = None;
            while let Some(mut field) = item.next_tag() {
                if field.start_el().matches("name") {
                    name = Some(text(&mut field)?);
                }
            }
            Ok(name)
        }

        fn token_only_output(next_token: Option<String>) -> Self::SdkOutput {
            Self::SdkOutput::builder()
                .set_next_token(next_token)
                .build()
        }
    }

    #[test]
    fn a_page_has_its_items_and_token() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeNamesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>r-1</requestId>
    <nameSet>
        <item><name>a &amp; b</name><other><name>nested, not mine</name></other></item>
        <item><other>no name: skipped</other></item>
        <item><name>c</name></item>
    </nameSet>
    <nextToken>token-2</nextToken>
</DescribeNamesResponse>"#;
        let page = parse_page::<NamesAnswer>(body).expect("parses");
        assert_eq!(page.items, ["a & b", "c"]);
        assert_eq!(page.next_token.as_deref(), Some("token-2"));
    }

    #[test]
    fn the_last_page_has_no_token() {
        for body in [
            "<DescribeNamesResponse><nameSet/></DescribeNamesResponse>",
            "<DescribeNamesResponse><nameSet></nameSet><nextToken></nextToken></DescribeNamesResponse>",
        ] {
            let page = parse_page::<NamesAnswer>(body.as_bytes()).expect("parses");
            assert!(page.items.is_empty());
            assert_eq!(page.next_token, None, "{body}");
        }
    }

    #[test]
    fn another_answer_is_refused() {
        let err =
            parse_page::<NamesAnswer>(b"<Response><Errors/></Response>").expect_err("wrong root");
        assert!(err.to_string().contains("DescribeNamesResponse"), "{err}");
        let cut = parse_page::<NamesAnswer>(b"<DescribeNamesResponse><nameSet><item><name>a")
            .expect_err("cut short");
        assert!(cut.to_string().contains("cut short"), "{cut}");
        let mut not_utf8 = b"<DescribeNamesResponse>".to_vec();
        not_utf8.extend([0xff, 0xfe]);
        not_utf8.extend(b"</DescribeNamesResponse>");
        assert!(parse_page::<NamesAnswer>(&not_utf8).is_err());
    }

    #[test]
    fn booleans_and_tags() {
        let body = "<r><b>true</b><b>false</b><b>yes</b>\
            <tagSet><item><key>k</key><value>v</value></item><item><key>x</key></item></tagSet></r>";
        let mut doc = Document::new(body);
        let mut root = doc.root_element().expect("root");
        let mut values = Vec::new();
        while let Some(mut tag) = root.next_tag() {
            if tag.start_el().matches("b") {
                values.push(boolean(&mut tag).ok());
            } else {
                assert!(tag_set_has(&mut tag, "k", "v").expect("tags"));
            }
        }
        assert_eq!(values, [Some(true), Some(false), None]);
    }
}

#[cfg(test)]
mod through_sdk_tests;

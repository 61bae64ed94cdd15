//! Reading an EC2 query answer with `aws-smithy-xml` (the SDK's own XML reader, already built
//! for it): the page's item set and token, and the small value shapes items share.

use aws_smithy_xml::decode::{try_data, Document, ScopedDecoder, XmlDecodeError};

use super::{DirectAnswer, Page};

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

/// The values `key` has in a `tagSet`, in order (items without a value are skipped, as the SDK
/// path skips them).
pub(super) fn tag_values(
    set: &mut ScopedDecoder,
    key: &str,
) -> Result<Vec<String>, XmlDecodeError> {
    let mut values = Vec::new();
    while let Some(mut item) = set.next_tag() {
        if !item.start_el().matches("item") {
            continue;
        }
        let (mut item_key, mut item_value) = (None, None);
        while let Some(mut field) = item.next_tag() {
            if field.start_el().matches("key") {
                item_key = Some(try_data(&mut field)?);
            } else if field.start_el().matches("value") {
                item_value = Some(text(&mut field)?);
            }
        }
        if item_key.as_deref() == Some(key) {
            values.extend(item_value);
        }
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-field answer shape for the generic parts.
    struct NamesAnswer;

    impl DirectAnswer for NamesAnswer {
        type Operation = aws_sdk_ec2::operation::describe_vpcs::DescribeVpcs;
        type Item = String;
        type SdkOutput = aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsOutput;
        const ACTION: &'static str = "DescribeNames";
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

        fn sdk_items(output: &Self::SdkOutput) -> Vec<String> {
            output
                .vpcs()
                .iter()
                .filter_map(|v| v.vpc_id().map(str::to_string))
                .collect()
        }

        fn sdk_next_token(output: &Self::SdkOutput) -> Option<&str> {
            output.next_token()
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
            <tagSet><item><key>k</key><value>v</value></item><item><key>x</key><value>y</value></item><item><key>k</key></item></tagSet></r>";
        let mut doc = Document::new(body);
        let mut root = doc.root_element().expect("root");
        let mut values = Vec::new();
        while let Some(mut tag) = root.next_tag() {
            if tag.start_el().matches("b") {
                values.push(boolean(&mut tag).ok());
            } else {
                assert_eq!(tag_values(&mut tag, "k").expect("tags"), ["v"]);
            }
        }
        assert_eq!(values, [Some(true), Some(false), None]);
    }
}

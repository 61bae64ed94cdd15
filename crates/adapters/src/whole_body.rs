//! Reads each EC2 answer into one buffer of exactly its `Content-Length` before the SDK sees it.
//!
//! The SDK gathers a body from the many chunks the connection delivers and then copies them into
//! one contiguous buffer to parse it, so for a moment a large answer is in memory twice, and the
//! chunks' buffers fragment the heap. A sweep's Describe answers run to megabytes (16 MB of
//! endpoints at 3,000 VPCs), and the sweep's peak memory is the largest answer held at once. Handed
//! a single chunk, the SDK's gathering takes it as is: no second copy.

use std::fmt;
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use bytes::BytesMut;

/// How long a body may go without a byte when the client sets no read timeout: what the SDK's
/// stalled-stream protection would allow a download is gone once the body is read here.
const DEFAULT_CHUNK_TIMEOUT: Duration = Duration::from_secs(30);

/// Preallocate at most this much from a `Content-Length` (a bogus header cannot reserve more).
const MAX_PREALLOCATION: usize = 64 * 1024 * 1024;

/// An HTTP client whose connectors hand the SDK every answer as one contiguous chunk.
#[derive(Clone)]
pub struct WholeBodyHttpClient {
    inner: SharedHttpClient,
}

impl fmt::Debug for WholeBodyHttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WholeBodyHttpClient")
    }
}

impl WholeBodyHttpClient {
    pub fn new(inner: SharedHttpClient) -> Self {
        Self { inner }
    }
}

impl HttpClient for WholeBodyHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(WholeBodyConnector {
            inner: self.inner.http_connector(settings, components),
            chunk_timeout: settings.read_timeout().unwrap_or(DEFAULT_CHUNK_TIMEOUT),
        })
    }
}

struct WholeBodyConnector {
    inner: SharedHttpConnector,
    chunk_timeout: Duration,
}

impl fmt::Debug for WholeBodyConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WholeBodyConnector")
    }
}

impl HttpConnector for WholeBodyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let chunk_timeout = self.chunk_timeout;
        HttpConnectorFuture::new(async move {
            let response = inner.call(request).await?;
            read_whole(response, chunk_timeout).await
        })
    }
}

/// The response with its body read into one buffer; a read error or a body that stalls for
/// `chunk_timeout` fails the attempt as a transport error (the SDK retries those).
async fn read_whole(
    mut response: HttpResponse,
    chunk_timeout: Duration,
) -> Result<HttpResponse, ConnectorError> {
    let declared = response
        .headers()
        .get("content-length")
        .and_then(|value| value.trim().parse::<usize>().ok());
    let mut stream = ByteStream::new(response.take_body());
    let mut whole = BytesMut::with_capacity(declared.unwrap_or(0).min(MAX_PREALLOCATION));
    loop {
        match tokio::time::timeout(chunk_timeout, stream.next()).await {
            Err(_) => {
                return Err(ConnectorError::timeout(
                    format!("no byte of the response body for {chunk_timeout:?}").into(),
                ))
            }
            Ok(None) => break,
            Ok(Some(Err(error))) => return Err(ConnectorError::io(Box::new(error))),
            Ok(Some(Ok(chunk))) => whole.extend_from_slice(&chunk),
        }
    }
    *response.body_mut() = SdkBody::from(whole.freeze());
    Ok(response)
}

#[cfg(test)]
mod tests {
    use aws_smithy_runtime_api::http::StatusCode;

    use super::*;

    fn response(body: SdkBody, content_length: Option<&str>) -> HttpResponse {
        let mut response = HttpResponse::new(StatusCode::try_from(200).unwrap(), body);
        if let Some(length) = content_length {
            response
                .headers_mut()
                .insert("content-length", length.to_string());
        }
        response
    }

    #[tokio::test]
    async fn the_body_arrives_whole_and_unchanged() {
        let text = "<DescribeVpcsResponse>".repeat(1000);
        let length = text.len().to_string();
        let whole = read_whole(
            response(SdkBody::from(text.clone()), Some(&length)),
            DEFAULT_CHUNK_TIMEOUT,
        )
        .await
        .expect("read");
        assert_eq!(whole.body().bytes(), Some(text.as_bytes()));
        assert_eq!(whole.status().as_u16(), 200);
    }

    #[tokio::test]
    async fn a_wrong_or_missing_content_length_only_changes_the_first_allocation() {
        for header in [
            None,
            Some("3"),
            Some("not a number"),
            Some("99999999999999"),
        ] {
            let whole = read_whole(
                response(SdkBody::from("abcdef"), header),
                DEFAULT_CHUNK_TIMEOUT,
            )
            .await
            .expect("read");
            assert_eq!(whole.body().bytes(), Some(&b"abcdef"[..]), "{header:?}");
        }
    }

    #[tokio::test]
    async fn an_empty_body_stays_empty() {
        let whole = read_whole(response(SdkBody::empty(), Some("0")), DEFAULT_CHUNK_TIMEOUT)
            .await
            .expect("read");
        assert_eq!(whole.body().bytes(), Some(&b""[..]));
    }
}

//! An answer body gathered into one buffer as it arrives, handed on as a single chunk.
//!
//! Why: the SDK collects a body's chunks as they come (hyper's read buffers, with their slack)
//! and then copies them into one contiguous buffer, so for a moment it holds the answer about
//! twice over. With the SDK's shapes gone (see the module above) that moment became a sweep's
//! peak: at 3,000 VPCs heaptrack found 13.7 MB of chunks and 10.6 MB of copy for the 10.6 MB
//! subnets answer. Handed one chunk, the SDK keeps it as it is (a single buffer is taken whole,
//! not copied), so the answer is held once.
//!
//! The wrapper goes around the body the SDK's interceptors prepared (its download stall
//! protection included): it polls that body as fast as data arrives, so the throughput the
//! protection measures is unchanged.

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use aws_smithy_types::body::{Error as BodyError, SdkBody};
use bytes::{Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};

/// The most a body's announced length reserves up front; a longer body grows past it. (EC2's
/// largest pages are a few MB; moto's whole-Region answers 16 MB at 3,000 VPCs.)
const MAX_RESERVED_BYTES: u64 = 64 * 1024 * 1024;

/// See the module documentation.
pub(super) struct WholeBody {
    inner: SdkBody,
    gathered: BytesMut,
    finished: bool,
}

impl WholeBody {
    pub(super) fn new(inner: SdkBody) -> Self {
        let announced = inner.content_length().unwrap_or(0).min(MAX_RESERVED_BYTES);
        Self {
            gathered: BytesMut::with_capacity(usize::try_from(announced).unwrap_or(0)),
            inner,
            finished: false,
        }
    }

    /// `body`, gathered (the SDK's body type again).
    pub(super) fn wrap(body: SdkBody) -> SdkBody {
        SdkBody::from_body_1_x(Self::new(body))
    }
}

impl Body for WholeBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        if self.finished {
            return Poll::Ready(None);
        }
        loop {
            match ready!(Pin::new(&mut self.inner).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    // Trailers carry nothing an EC2 answer is read from.
                    if let Ok(data) = frame.into_data() {
                        self.gathered.extend_from_slice(&data);
                    }
                }
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => {
                    self.finished = true;
                    let whole = std::mem::take(&mut self.gathered).freeze();
                    return Poll::Ready((!whole.is_empty()).then(|| Ok(Frame::data(whole))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.finished
    }

    fn size_hint(&self) -> SizeHint {
        if self.finished {
            return SizeHint::with_exact(0);
        }
        let inner = self.inner.size_hint();
        let gathered = self.gathered.len() as u64;
        let mut hint = SizeHint::new();
        hint.set_lower(inner.lower() + gathered);
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper + gathered);
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    /// A body that yields its chunks with a pending poll before each (as a socket does), then
    /// possibly an error.
    struct Chunks {
        chunks: VecDeque<Bytes>,
        fail_at_end: bool,
        arrived: bool,
    }

    impl Body for Chunks {
        type Data = Bytes;
        type Error = BodyError;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
            // Once ended, a body stays ended (the SDK polls again for trailers).
            if self.chunks.is_empty() && !self.fail_at_end {
                return Poll::Ready(None);
            }
            if !std::mem::replace(&mut self.arrived, false) {
                self.arrived = true;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            match self.chunks.pop_front() {
                Some(chunk) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
                None if self.fail_at_end => {
                    self.fail_at_end = false;
                    Poll::Ready(Some(Err("connection reset".into())))
                }
                None => Poll::Ready(None),
            }
        }
    }

    fn chunks(parts: &[&'static str], fail_at_end: bool) -> SdkBody {
        SdkBody::from_body_1_x(Chunks {
            chunks: parts
                .iter()
                .map(|p| Bytes::from_static(p.as_bytes()))
                .collect(),
            fail_at_end,
            arrived: false,
        })
    }

    /// Every frame `body` yields, or its error.
    async fn frames(body: SdkBody) -> Result<Vec<Bytes>, String> {
        let mut body = std::pin::pin!(body);
        let mut out = Vec::new();
        while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
            let frame = frame.map_err(|e| e.to_string())?;
            out.extend(frame.into_data().ok());
        }
        Ok(out)
    }

    #[tokio::test]
    async fn the_chunks_arrive_as_one() {
        let whole = frames(WholeBody::wrap(chunks(&["<a>", "bc", "</a>"], false)))
            .await
            .expect("read");
        assert_eq!(whole, [Bytes::from_static(b"<a>bc</a>")]);
    }

    #[tokio::test]
    async fn an_empty_body_stays_empty() {
        let whole = frames(WholeBody::wrap(chunks(&[], false)))
            .await
            .expect("read");
        assert!(whole.is_empty());
    }

    #[tokio::test]
    async fn a_broken_body_is_an_error_not_a_short_answer() {
        let err = frames(WholeBody::wrap(chunks(&["<a>", "b"], true)))
            .await
            .expect_err("the inner error");
        assert!(err.contains("connection reset"), "{err}");
    }

    #[test]
    fn the_announced_length_is_reserved_up_to_a_bound() {
        let announced = WholeBody::new(SdkBody::from("0123456789"));
        assert!(announced.gathered.capacity() >= 10);
        assert_eq!(announced.size_hint().lower(), 10);
        let unknown = WholeBody::new(chunks(&["x"], false));
        assert_eq!(unknown.gathered.capacity(), 0);
    }
}

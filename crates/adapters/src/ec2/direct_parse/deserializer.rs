//! The interceptor that puts [`DirectDeserializer`] above the operation's own deserializer for
//! one call, and the [`PageSink`] the parsed page waits in for its caller.

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

use super::whole_body::WholeBody;
use super::xml::parse_page;
use super::{DirectAnswer, Page};

/// Where the parsed page of one call waits for its caller: empty when the call's answer was
/// read by the SDK instead.
pub(in crate::ec2) struct PageSink<T>(Arc<Mutex<Option<Page<T>>>>);

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
pub(in crate::ec2) struct DirectParse<A: DirectAnswer> {
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
    /// Not a streaming operation: the operation's own deserializer declines, and the body of a
    /// successful answer is gathered into one buffer for the read that follows (see
    /// [`WholeBody`]).
    fn deserialize_streaming_with_config(
        &self,
        response: &mut HttpResponse,
        cfg: &ConfigBag,
    ) -> Option<Result<Output, OrchestratorError<Error>>> {
        let own = match self.operation_deserializer() {
            Ok(own) => own,
            Err(e) => return Some(Err(e)),
        };
        if let Some(done) = own.deserialize_streaming_with_config(response, cfg) {
            return Some(done);
        }
        if response.status().is_success() {
            let body = response.take_body();
            *response.body_mut() = WholeBody::wrap(body);
        }
        None
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

//! vpce-guard's Lambda wiring: everything between the Lambda runtime and the guard.
//!
//! - [`config`]: environment variables, read once at cold start into typed settings;
//! - [`context`]: the per-cold-start [`FunctionContext`] (configuration, SDK setup, identity);
//! - [`session`]: one invocation's access to accounts (member roles) and the guards built there;
//! - [`routing`]: which function an event is for;
//! - [`functions`]: one entry point per Lambda function, the code the tests drive;
//! - [`diagnostics`] and [`error`]: how a failed invocation is reported;
//! - [`metrics`]: each run's counters as an Embedded Metric Format line on stdout;
//! - [`allocator`]: glibc's mmap threshold, fixed at cold start;
//! - [`serve`]: the whole `main` of every function binary.

pub mod allocator;
pub mod config;
pub mod context;
pub mod diagnostics;
pub mod error;
pub mod functions;
pub mod metrics;
pub mod routing;
pub mod session;

use std::future::Future;

use lambda_runtime::{service_fn, Diagnostic, LambdaEvent};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use context::{FunctionContext, ServiceEndpoints};
pub use error::FunctionError;

/// Runs a function: reads the configuration once (a bad value fails the cold start with the
/// variable's name), then hands every invocation to `handler` with the shared context.
pub async fn serve<P, R, F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    P: DeserializeOwned + Send + 'static,
    R: Serialize + 'static,
    F: Fn(&'static FunctionContext, LambdaEvent<P>) -> Fut,
    Fut: Future<Output = Result<R, FunctionError>> + Send + 'static,
{
    lambda_runtime::tracing::init_default_subscriber();
    if !allocator::keep_large_buffers_out_of_the_heap() {
        tracing::warn!("glibc refused the mmap threshold; large buffers may stay resident");
    }
    // The context lives as long as the process, as Lambda's execution environment does.
    let context: &'static FunctionContext = Box::leak(Box::new(FunctionContext::from_env().await?));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<P>| {
        // The handler's future is deep: boxing it keeps the runtime's own future small.
        let invocation = Box::pin(handler(context, event));
        async move { invocation.await.map_err(Diagnostic::from) }
    }))
    .await
}

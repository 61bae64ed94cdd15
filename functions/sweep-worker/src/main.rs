//! Lambda `sweep-worker`: see vpce_guard::functions::sweep_worker.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{run, service_fn, tracing, Error, LambdaEvent};
use vpce_guard::fleet::Fleet;
use vpce_guard::functions::sweep_worker;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    // Configuration and identity are read once; a bad value fails the cold start with its name.
    let fleet = Fleet::from_env().await?;
    let fleet = &fleet;
    run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        sweep_worker(fleet, event).await
    }))
    .await
}

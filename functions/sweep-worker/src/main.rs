//! Lambda `sweep-worker`: see vpce_guard_lambda::functions::sweep_worker.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    vpce_guard_lambda::serve(vpce_guard_lambda::functions::sweep_worker).await
}

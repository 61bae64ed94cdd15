//! Lambda `account-baseline`: see vpce_guard_lambda::functions::account_baseline.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    vpce_guard_lambda::serve(vpce_guard_lambda::functions::account_baseline).await
}

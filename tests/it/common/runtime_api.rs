//! A one-event Lambda Runtime API (2018-06-01) on loopback, to run a real function binary the
//! way Lambda does and capture its answer (and, through the child's pipes, its stdout).

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::Notify;

const REQUEST_ID: &str = "00000000-0000-4000-8000-000000000001";

struct State {
    event: Mutex<Option<Value>>,
    answer: Mutex<Option<(String, Value)>>,
    answered: Notify,
}

/// The runtime API of one invocation: hands `event` to the first `GET next`, keeps the answer.
pub struct RuntimeApi {
    /// `host:port`, for `AWS_LAMBDA_RUNTIME_API`.
    pub address: String,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RuntimeApi {
    pub async fn start(event: Value, function_arn: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("addr").to_string();
        let state = Arc::new(State {
            event: Mutex::new(Some(event)),
            answer: Mutex::new(None),
            answered: Notify::new(),
        });
        let arn = function_arn.to_string();
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                let arn = arn.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let state = state.clone();
                        let arn = arn.clone();
                        async move { handle(state, &arn, request).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        RuntimeApi {
            address,
            state,
            task,
        }
    }

    /// The function's answer: (`response` or `error`, body), within `timeout`.
    pub async fn answer(&self, timeout: Duration) -> Option<(String, Value)> {
        let wait = async {
            loop {
                let notified = self.state.answered.notified();
                if let Some(answer) = self.state.answer.lock().expect("answer").clone() {
                    return answer;
                }
                notified.await;
            }
        };
        tokio::time::timeout(timeout, wait).await.ok()
    }
}

async fn handle(
    state: Arc<State>,
    function_arn: &str,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let path = request.uri().path().to_string();
    if path.ends_with("/invocation/next") {
        let event = state.event.lock().expect("event").take();
        let Some(event) = event else {
            // One invocation only: the next poll waits until the test ends the process.
            std::future::pending::<()>().await;
            unreachable!();
        };
        let deadline = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64 + 120_000)
            .unwrap_or(0);
        return Ok(Response::builder()
            .header("Lambda-Runtime-Aws-Request-Id", REQUEST_ID)
            .header("Lambda-Runtime-Deadline-Ms", deadline.to_string())
            .header("Lambda-Runtime-Invoked-Function-Arn", function_arn)
            .header(
                "Lambda-Runtime-Trace-Id",
                "Root=1-00000000-000000000000000000000000",
            )
            .body(Full::new(Bytes::from(event.to_string())))
            .expect("response"));
    }
    let kind = if path.ends_with("/response") {
        "response"
    } else {
        "error"
    };
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    *state.answer.lock().expect("answer") = Some((kind.to_string(), value));
    state.answered.notify_waiters();
    Ok(Response::builder()
        .status(202)
        .body(Full::new(Bytes::from_static(b"{}")))
        .expect("response"))
}

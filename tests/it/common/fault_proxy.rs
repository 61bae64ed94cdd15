//! A fault-injecting HTTP proxy on loopback, between the guard and moto.
//!
//! It forwards AWS query-protocol requests and, per API action and at a given rate, answers
//! instead with throttling (`RequestLimitExceeded`, HTTP 503), a server error (HTTP 500), a
//! dropped connection (before or after moto saw the request), or a delay. It also records every
//! request (action, `ClientToken`, service name) so tests can assert what went over the wire,
//! and can rewrite answers (e.g. another account as a VPC's owner, which moto never returns).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// HTTP 503 with EC2's `RequestLimitExceeded` error body.
    Throttle,
    /// HTTP 500 `InternalError`.
    ServerError,
    /// Close the connection without forwarding (the request never happened).
    DropBeforeForward,
    /// Forward, let moto act, then close the connection (the response is lost).
    DropAfterForward,
    /// Forward after a pause.
    Delay,
    /// HTTP 400 `InvalidParameter` as EC2 refuses an interface endpoint's private DNS when a
    /// private hosted zone for the service's name is associated with the VPC (moto never does).
    PrivateDnsConflict,
    /// HTTP 403 with STS's `AccessDenied` error body (a member role that does not exist or
    /// does not trust the caller; moto's AssumeRole accepts any role ARN).
    AccessDenied,
}

/// What to fault: requests whose action is in `actions` (all when empty) and whose form body
/// contains every string of `body_contains`, each with probability `rate`.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    pub rate: f64,
    pub actions: Vec<String>,
    pub body_contains: Vec<String>,
    pub kinds: Vec<Fault>,
    pub delay: Duration,
    /// The same request (action + body) is faulted at most this many times in a row, so a
    /// client that retries enough always gets through eventually.
    pub max_consecutive: u32,
}

impl FaultPlan {
    pub fn none() -> Self {
        Self {
            rate: 0.0,
            actions: Vec::new(),
            body_contains: Vec::new(),
            kinds: vec![Fault::ServerError],
            delay: Duration::from_millis(0),
            max_consecutive: u32::MAX,
        }
    }
}

/// A change to moto's answers to one action: in each outermost `<item>` that contains `marker`,
/// the text of the first `<element>` becomes `value` (moto puts `ownerId` before `vpcId`), and
/// `append` (XML, may be empty) is inserted right after that element: for fields moto never
/// sends, such as `supportedIpAddressTypeSet`.
#[derive(Debug, Clone, Default)]
pub struct Rewrite {
    pub action: String,
    pub marker: String,
    pub element: String,
    pub value: String,
    pub append: String,
}

impl Rewrite {
    fn apply(&self, body: &str) -> String {
        let mut out = String::with_capacity(body.len());
        let mut rest = body;
        while let Some(start) = rest.find("<item>") {
            out.push_str(&rest[..start]);
            let item_len = outermost_item_len(&rest[start..]);
            let item = &rest[start..start + item_len];
            out.push_str(&if item.contains(&self.marker) {
                self.set_first(item)
            } else {
                item.to_string()
            });
            rest = &rest[start + item_len..];
        }
        out.push_str(rest);
        out
    }

    fn set_first(&self, item: &str) -> String {
        let open = format!("<{}>", self.element);
        let close = format!("</{}>", self.element);
        match (item.find(&open), item.find(&close)) {
            (Some(start), Some(end)) if start < end => format!(
                "{}{}{close}{}{}",
                &item[..start + open.len()],
                self.value,
                self.append,
                &item[end + close.len()..]
            ),
            _ => item.to_string(),
        }
    }
}

/// The length of the `<item>…</item>` that `text` starts with, nested items included.
fn outermost_item_len(text: &str) -> usize {
    let mut depth = 0usize;
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        if rest.starts_with("<item>") {
            depth += 1;
            at += "<item>".len();
        } else if rest.starts_with("</item>") {
            depth = depth.saturating_sub(1);
            at += "</item>".len();
            if depth == 0 {
                return at;
            }
        } else {
            at += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    text.len()
}

/// One request as the proxy saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub action: String,
    pub params: BTreeMap<String, String>,
    pub fault: Option<Fault>,
    /// When the request reached the proxy.
    pub at: std::time::Instant,
}

struct State {
    upstream: String,
    plans: Mutex<Vec<FaultPlan>>,
    rewrites: Mutex<Vec<Rewrite>>,
    rng: Mutex<u64>,
    seen: Mutex<Vec<Seen>>,
    streaks: Mutex<BTreeMap<String, u32>>,
    stopped: AtomicBool,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
}

/// Makes hyper drop the connection (no response) for the faults that need it.
#[derive(Debug)]
struct ProxyError(String);

impl std::fmt::Display for ProxyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProxyError {}

pub struct FaultProxy {
    pub endpoint: String,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.state.stopped.store(true, Ordering::SeqCst);
        self.task.abort();
    }
}

fn form_params(body: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn error_response(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>"
    );
    Response::builder()
        .status(status)
        .header("content-type", "text/xml")
        .body(Full::new(Bytes::from(body)))
        .expect("static response")
}

/// The error shape of the awsQuery services (STS, SNS): `ErrorResponse/Error/Code`.
fn sts_error_response(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
    );
    Response::builder()
        .status(status)
        .header("content-type", "text/xml")
        .body(Full::new(Bytes::from(body)))
        .expect("static response")
}

impl State {
    fn next_random(&self) -> f64 {
        let mut x = self.rng.lock().expect("rng");
        // xorshift64*: deterministic for a given seed, good enough to spread faults.
        *x ^= *x >> 12;
        *x ^= *x << 25;
        *x ^= *x >> 27;
        let v = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (v >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The first plan (in the order added) that fires decides the fault.
    fn choose_fault(&self, action: &str, body: &[u8]) -> Option<(Fault, Duration)> {
        let plans = self.plans.lock().expect("plans").clone();
        plans
            .iter()
            .enumerate()
            .find_map(|(index, plan)| self.choose_from(index, plan, action, body))
    }

    fn choose_from(
        &self,
        index: usize,
        plan: &FaultPlan,
        action: &str,
        body: &[u8],
    ) -> Option<(Fault, Duration)> {
        if plan.rate <= 0.0 || plan.kinds.is_empty() {
            return None;
        }
        if !plan.actions.is_empty() && !plan.actions.iter().any(|a| a == action) {
            return None;
        }
        let text = String::from_utf8_lossy(body);
        if !plan
            .body_contains
            .iter()
            .all(|needle| text.contains(needle.as_str()))
        {
            return None;
        }
        let key = format!("{index}\u{0}{action}\u{0}{text}");
        let mut streaks = self.streaks.lock().expect("streaks");
        let streak = streaks.entry(key).or_insert(0);
        if *streak >= plan.max_consecutive || self.next_random() >= plan.rate {
            *streak = 0;
            return None;
        }
        *streak += 1;
        let pick = (self.next_random() * plan.kinds.len() as f64) as usize;
        Some((plan.kinds[pick.min(plan.kinds.len() - 1)], plan.delay))
    }

    async fn forward(
        &self,
        parts: &hyper::http::request::Parts,
        body: Bytes,
    ) -> Result<Response<Full<Bytes>>, String> {
        let uri = format!(
            "{}{}",
            self.upstream,
            parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/")
        );
        let mut builder = Request::builder().method(parts.method.clone()).uri(uri);
        for (name, value) in &parts.headers {
            if name != "host" {
                builder = builder.header(name, value);
            }
        }
        let request = builder.body(Full::new(body)).map_err(|e| e.to_string())?;
        // On its own task: keeps the client's boxed errors out of the connection's future.
        let client = self.client.clone();
        tokio::spawn(async move {
            let response = client.request(request).await.map_err(|e| e.to_string())?;
            let (parts, body) = response.into_parts();
            let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
            Ok::<_, String>(Response::from_parts(parts, Full::new(bytes)))
        })
        .await
        .map_err(|e| e.to_string())?
    }

    async fn handle(
        self: Arc<Self>,
        request: Request<Incoming>,
    ) -> Result<Response<Full<Bytes>>, String> {
        let (parts, body) = request.into_parts();
        let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
        let params = form_params(&body);
        // Query-protocol services (EC2, SNS, STS) name the action in the form body, JSON-protocol
        // ones (DynamoDB, SQS) in `X-Amz-Target: Service.Action`.
        let action = params
            .get("Action")
            .cloned()
            .or_else(|| {
                parts
                    .headers
                    .get("x-amz-target")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|target| target.rsplit('.').next())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "unknown".to_string());
        let chosen = self.choose_fault(&action, &body);
        let fault = chosen.map(|(fault, _)| fault);
        let action_name = action.clone();
        self.seen.lock().expect("seen").push(Seen {
            action,
            params,
            fault,
            at: std::time::Instant::now(),
        });
        match fault {
            None => {
                let response = self.forward(&parts, body).await?;
                let rewrites: Vec<Rewrite> = self
                    .rewrites
                    .lock()
                    .expect("rewrites")
                    .iter()
                    .filter(|r| r.action == action_name)
                    .cloned()
                    .collect();
                if rewrites.is_empty() {
                    return Ok(response);
                }
                let (mut parts, body) = response.into_parts();
                let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
                let mut text = String::from_utf8_lossy(&bytes).into_owned();
                for rewrite in &rewrites {
                    text = rewrite.apply(&text);
                }
                parts.headers.remove("content-length");
                Ok(Response::from_parts(parts, Full::new(Bytes::from(text))))
            }
            Some(Fault::Throttle) => Ok(error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "RequestLimitExceeded",
                "Request limit exceeded.",
            )),
            Some(Fault::ServerError) => Ok(error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "An internal error has occurred",
            )),
            // An error from the service makes hyper close the connection without a response.
            Some(Fault::DropBeforeForward) => Err("fault: connection dropped".to_string()),
            Some(Fault::DropAfterForward) => {
                let _ = self.forward(&parts, body).await;
                Err("fault: response lost".to_string())
            }
            Some(Fault::Delay) => {
                let delay = chosen.map(|(_, delay)| delay).unwrap_or_default();
                tokio::time::sleep(delay).await;
                self.forward(&parts, body).await
            }
            Some(Fault::PrivateDnsConflict) => Ok(error_response(
                StatusCode::BAD_REQUEST,
                "InvalidParameter",
                "private-dns-enabled cannot be set because there is already a conflicting DNS domain for logs.us-east-1.amazonaws.com in the VPC vpc-0 (fault proxy)",
            )),
            Some(Fault::AccessDenied) => Ok(sts_error_response(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "User is not authorized to perform: sts:AssumeRole on the role (fault proxy)",
            )),
        }
    }
}

impl FaultProxy {
    /// Starts the proxy in front of `upstream` (e.g. moto's endpoint) with a seeded RNG.
    pub async fn start(upstream: &str, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(State {
            upstream: upstream.trim_end_matches('/').to_string(),
            plans: Mutex::new(Vec::new()),
            rewrites: Mutex::new(Vec::new()),
            rng: Mutex::new(seed.max(1)),
            seen: Mutex::new(Vec::new()),
            streaks: Mutex::new(BTreeMap::new()),
            stopped: AtomicBool::new(false),
            client: Client::builder(TokioExecutor::new()).build_http(),
        });
        let accept_state = state.clone();
        let task = tokio::spawn(async move {
            while !accept_state.stopped.load(Ordering::SeqCst) {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = accept_state.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let state = state.clone();
                        async move { state.handle(request).await.map_err(ProxyError) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        FaultProxy {
            endpoint,
            state,
            task,
        }
    }

    /// Replaces every plan with `plan`.
    pub fn set_plan(&self, plan: FaultPlan) {
        *self.state.plans.lock().expect("plans") = vec![plan];
        self.state.streaks.lock().expect("streaks").clear();
    }

    /// Adds a plan beside the current ones (checked after them).
    pub fn add_plan(&self, plan: FaultPlan) {
        self.state.plans.lock().expect("plans").push(plan);
    }

    /// Rewrites answers from now on (see [`Rewrite`]).
    pub fn add_rewrite(&self, rewrite: Rewrite) {
        self.state.rewrites.lock().expect("rewrites").push(rewrite);
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().expect("seen").clone()
    }

    pub fn clear_seen(&self) {
        self.state.seen.lock().expect("seen").clear();
    }

    pub fn faults_injected(&self) -> usize {
        self.seen().iter().filter(|s| s.fault.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)] // unused where this file is compiled into a benchmark
    use super::*;

    #[test]
    fn rewrites_change_the_first_element_of_the_marked_item_only() {
        let rewrite = Rewrite {
            action: "DescribeVpcs".into(),
            marker: "<vpcId>vpc-2</vpcId>".into(),
            element: "ownerId".into(),
            value: "999999999999".into(),
            ..Rewrite::default()
        };
        let body = "<vpcSet><item><ownerId>123</ownerId><set><item>x</item></set><vpcId>vpc-1</vpcId></item><item><ownerId>123</ownerId><set><item>y</item></set><vpcId>vpc-2</vpcId></item></vpcSet>";
        assert_eq!(
            rewrite.apply(body),
            "<vpcSet><item><ownerId>123</ownerId><set><item>x</item></set><vpcId>vpc-1</vpcId></item><item><ownerId>999999999999</ownerId><set><item>y</item></set><vpcId>vpc-2</vpcId></item></vpcSet>"
        );
    }

    #[test]
    fn form_bodies_decode() {
        let p = form_params(b"Action=CreateVpcEndpoint&ServiceName=com.amazonaws.us-east-1.s3&ClientToken=vpce-guard-ab&X=a%2Fb+c");
        assert_eq!(p["Action"], "CreateVpcEndpoint");
        assert_eq!(p["ClientToken"], "vpce-guard-ab");
        assert_eq!(p["X"], "a/b c");
    }
}

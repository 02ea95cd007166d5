//! An in-process fake Slack on 127.0.0.1: the Web API methods the bot calls (recorded with the
//! method name and the request's parameters) and a Socket Mode websocket that sends `hello`, then
//! the envelopes a test injects, and records the bot's acks. Payload shapes follow Slack's API
//! documentation.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

/// The study-group channel.
pub const CHANNEL: &str = "C0STUDY";
/// The bot's user id.
pub const BOT_USER: &str = "UBOT";
/// Workspace admins (may run /qotd and /reveal).
pub const ADMINS: &[&str] = &["UALICE"];

/// One recorded Web API call: the method (`chat.postMessage`) and its parameters.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub params: Value,
}

#[derive(Default)]
struct Inner {
    calls: Mutex<Vec<Call>>,
    acks: Mutex<Vec<Value>>,
    changed: Notify,
    socket: Mutex<Option<mpsc::UnboundedSender<String>>>,
    connections: AtomicU64,
    ts: AtomicU64,
    envelopes: AtomicU64,
    port: AtomicU64,
    /// Failure injection: (method, status, calls left to fail).
    failures: Mutex<Vec<(String, u16, u32)>>,
    /// Calls answered with an injected failure (never in `calls`).
    failed: Mutex<Vec<Call>>,
}

/// A running fake Slack.
#[derive(Clone)]
pub struct FakeSlack {
    inner: Arc<Inner>,
    /// The Web API base for `SLACK_API_URL`: `http://127.0.0.1:PORT/api`.
    pub api_url: String,
}

impl FakeSlack {
    /// Starts the fake on a free port.
    pub async fn start() -> FakeSlack {
        let inner = Arc::new(Inner::default());
        inner.ts.store(1, Ordering::SeqCst);
        let app = Router::new()
            .route("/api/{method}", post(api).get(api))
            .route("/socket", any(socket))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        inner.port.store(u64::from(port), Ordering::SeqCst);
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeSlack {
            inner,
            api_url: format!("http://127.0.0.1:{port}/api"),
        }
    }

    /// Every Web API call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.inner.calls.lock().unwrap().clone()
    }

    /// Calls of one method.
    pub fn calls_of(&self, method: &str) -> Vec<Value> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method)
            .map(|c| c.params)
            .collect()
    }

    /// Every ack the bot sent.
    pub fn acks(&self) -> Vec<Value> {
        self.inner.acks.lock().unwrap().clone()
    }

    /// Waits (at most 10 s) until `pred` holds.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&FakeSlack) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.inner.changed.notified();
            if pred(self) {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "timed out waiting for {what}; calls: {:#?}; acks: {:#?}",
                    self.calls(),
                    self.acks()
                );
            }
        }
    }

    /// Waits until the bot holds `n` Socket Mode connections in all (1 after the first start).
    pub async fn wait_connected(&self, n: u64) {
        self.wait_for("a Socket Mode connection", |f| {
            f.inner.connections.load(Ordering::SeqCst) >= n
        })
        .await;
    }

    /// Sends an envelope; returns its `envelope_id`.
    pub fn envelope(&self, kind: &str, payload: Value, retry: u32) -> String {
        let id = format!(
            "env-{}",
            self.inner.envelopes.fetch_add(1, Ordering::SeqCst)
        );
        let mut frame = json!({"envelope_id": id, "type": kind, "payload": payload,
                               "accepts_response_payload": kind == "slash_commands"});
        if kind == "events_api" {
            frame["retry_attempt"] = json!(retry);
            frame["retry_reason"] = json!(if retry > 0 { "timeout" } else { "" });
        }
        let tx = self.inner.socket.lock().unwrap().clone();
        tx.expect("no Socket Mode connection")
            .send(frame.to_string())
            .expect("socket closed");
        id
    }

    /// A slash command envelope.
    pub fn command(&self, user: &str, command: &str, text: &str, trigger: &str) -> String {
        self.envelope(
            "slash_commands",
            json!({"token": "x", "team_id": "T1", "team_domain": "study", "channel_id": CHANNEL,
                   "channel_name": "study-group", "user_id": user, "user_name": user.to_lowercase(),
                   "command": command, "text": text, "api_app_id": "A1", "is_enterprise_install": "false",
                   "response_url": "https://hooks.slack.invalid/commands/x", "trigger_id": trigger}),
            0,
        )
    }

    /// An Events API envelope around `event`, with `event_id` (the same id on a retry).
    pub fn event(&self, event: Value, event_id: &str, retry: u32) -> String {
        self.envelope(
            "events_api",
            json!({"token": "x", "team_id": "T1", "api_app_id": "A1", "event": event,
                   "type": "event_callback", "event_id": event_id, "event_time": 1772440000,
                   "authed_users": []}),
            retry,
        )
    }
}

impl FakeSlack {
    /// Failure injection: the next `n` calls of Web API `method` are answered with HTTP
    /// `status` (429 with `Retry-After: 1`, Slack's documented shape, or e.g. 500) instead of
    /// being carried out; they are recorded in [`FakeSlack::failed`].
    pub fn fail_next(&self, method: &str, n: u32, status: u16) {
        self.inner
            .failures
            .lock()
            .unwrap()
            .push((method.into(), status, n));
    }

    /// The calls answered with an injected failure.
    pub fn failed(&self) -> Vec<Call> {
        self.inner.failed.lock().unwrap().clone()
    }
}

/// The injected failure for this call, if one is armed (and counts it down).
fn injected(inner: &Inner, method: &str, params: &Value) -> Option<Response> {
    let mut failures = inner.failures.lock().unwrap();
    let f = failures
        .iter_mut()
        .find(|(m, _, left)| m == method && *left > 0)?;
    f.2 -= 1;
    let status = axum::http::StatusCode::from_u16(f.1).unwrap();
    drop(failures);
    inner.failed.lock().unwrap().push(Call {
        method: method.into(),
        params: params.clone(),
    });
    inner.changed.notify_waiters();
    if status == axum::http::StatusCode::TOO_MANY_REQUESTS {
        let body = json!({"ok": false, "error": "ratelimited"});
        return Some((status, [("retry-after", "1")], Json(body)).into_response());
    }
    Some((status, "upstream error").into_response())
}

fn record(inner: &Inner, method: &str, params: Value) {
    inner.calls.lock().unwrap().push(Call {
        method: method.into(),
        params,
    });
    inner.changed.notify_waiters();
}

fn user_object(id: &str) -> Value {
    let name = id.trim_start_matches('U').to_lowercase();
    json!({"id": id, "team_id": "T1", "name": name, "deleted": false, "real_name": name,
           "profile": {"display_name": name, "real_name": name},
           "is_admin": ADMINS.contains(&id), "is_owner": false, "is_bot": false})
}

async fn api(
    State(inner): State<Arc<Inner>>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    // Parameters come as JSON, as a form, or in the query string.
    let mut params: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if params.is_null() {
        let text = if body.is_empty() {
            query.unwrap_or_default()
        } else {
            String::from_utf8_lossy(&body).into_owned()
        };
        let map: HashMap<String, String> = url_pairs(&text);
        params = json!(map);
    }
    if let Some(failure) = injected(&inner, &method, &params) {
        return failure;
    }
    let port = inner.port.load(Ordering::SeqCst);
    let ts = || {
        format!(
            "1772440{:03}.000100",
            inner.ts.fetch_add(1, Ordering::SeqCst)
        )
    };
    let response = match method.as_str() {
        "apps.connections.open" => {
            json!({"ok": true, "url": format!("ws://127.0.0.1:{port}/socket")})
        }
        "auth.test" => json!({"ok": true, "url": "https://study.slack.invalid/", "team": "Study",
                              "user": "interview-bot", "team_id": "T1", "user_id": BOT_USER, "bot_id": "BBOT"}),
        "chat.postMessage" => {
            let channel = params["channel"].as_str().unwrap_or(CHANNEL).to_string();
            let ts = ts();
            json!({"ok": true, "channel": channel, "ts": ts,
                   "message": {"type": "message", "text": params["text"], "user": BOT_USER, "bot_id": "BBOT", "ts": ts}})
        }
        "chat.postEphemeral" => json!({"ok": true, "message_ts": ts()}),
        "reactions.add" => json!({"ok": true}),
        "users.info" => {
            let user = params["user"].as_str().unwrap_or("U0").to_string();
            json!({"ok": true, "user": user_object(&user)})
        }
        "usergroups.users.list" => json!({"ok": true, "users": []}),
        _ => json!({"ok": false, "error": "unknown_method"}),
    };
    record(&inner, &method, params);
    Json(response).into_response()
}

fn url_pairs(text: &str) -> HashMap<String, String> {
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| {
            (
                k.to_string(),
                v.replace('+', " ").replace("%2C", ",").replace("%3A", ":"),
            )
        })
        .collect()
}

async fn socket(ws: WebSocketUpgrade, State(inner): State<Arc<Inner>>) -> Response {
    ws.on_upgrade(move |s| run_socket(s, inner))
}

async fn run_socket(mut socket: WebSocket, inner: Arc<Inner>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let hello = json!({"type": "hello", "num_connections": 1,
        "debug_info": {"host": "fake", "build_number": 1, "approximate_connection_time": 18060},
        "connection_info": {"app_id": "A1"}});
    if socket
        .send(WsMessage::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    *inner.socket.lock().unwrap() = Some(tx);
    inner.connections.fetch_add(1, Ordering::SeqCst);
    inner.changed.notify_waiters();
    loop {
        tokio::select! {
            out = rx.recv() => {
                let Some(frame) = out else { break };
                if socket.send(WsMessage::Text(frame.into())).await.is_err() { break; }
            }
            incoming = socket.recv() => {
                let Some(Ok(msg)) = incoming else { break };
                match msg {
                    WsMessage::Text(t) => {
                        if let Ok(v) = serde_json::from_str::<Value>(&t) {
                            if v.get("envelope_id").is_some() {
                                inner.acks.lock().unwrap().push(v);
                                inner.changed.notify_waiters();
                            }
                        }
                    }
                    WsMessage::Ping(p) => { let _ = socket.send(WsMessage::Pong(p)).await; }
                    WsMessage::Close(_) => break,
                    _ => {}
                }
            }
        }
    }
}

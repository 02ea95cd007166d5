//! An in-process fake Slack on 127.0.0.1: the Web API methods the bot calls (recorded with the
//! method name and the request's parameters) and a Socket Mode websocket that sends `hello`, then
//! the envelopes a test injects, and records the bot's acks. Payload shapes follow Slack's API
//! documentation.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
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

/// A message's reactions: (emoji, users in reaction order).
type Reactions<U> = Vec<(String, Vec<U>)>;

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
    /// What the threads hold (for `conversations.replies`): channel → ts → message.
    history: Mutex<BTreeMap<String, BTreeMap<String, Value>>>,
    /// Reactions: `CHANNEL:TS` → (name, users in reaction order).
    reactions: Mutex<HashMap<String, Reactions<String>>>,
    /// Failure injection: (method, status, calls left to fail).
    failures: Mutex<Vec<(String, u16, u32)>>,
    /// Calls answered with an injected failure (never in `calls`).
    failed: Mutex<Vec<Call>>,
    /// Files uploaded to the upload URLs: file id → (content type, bytes).
    uploads: Mutex<BTreeMap<String, (String, Vec<u8>)>>,
    /// Refuse `files.getUploadURLExternal` with `missing_scope`, as an app without `files:write`.
    no_files_scope: std::sync::atomic::AtomicBool,
    /// Files members shared (`FakeSlack::share_file`): id → (name, bytes).
    shared: Mutex<HashMap<String, (String, Vec<u8>)>>,
}

/// Sent down a socket's queue to drop it ([`FakeSlack::drop_socket`]).
const DROP_SOCKET: &str = "\u{0}drop";

/// A running fake Slack.
#[derive(Clone)]
pub struct FakeSlack {
    inner: Arc<Inner>,
    /// The Web API base for `SLACK_API_URL`: `http://127.0.0.1:PORT/api`.
    pub api_url: String,
}

impl FakeSlack {
    /// The bot's Slack settings for this fake: placeholder tokens, its API URL, no command
    /// prefix, no manager group.
    pub fn bot_config(&self) -> interview_bot::platform::slack::SlackConfig {
        interview_bot::platform::slack::SlackConfig {
            bot_token: secrecy::SecretString::new("xoxb-fake".into()),
            app_token: secrecy::SecretString::new("xapp-fake".into()),
            api_url: self.api_url.clone(),
            command_prefix: String::new(),
            manager_group: None,
            reconnect_after: std::time::Duration::from_secs(1),
        }
    }

    /// The texts of the `chat.postEphemeral` calls to `user`, in order.
    pub fn ephemerals_to(&self, user: &str) -> Vec<String> {
        self.calls_of("chat.postEphemeral")
            .into_iter()
            .filter(|p| p["user"] == user)
            .map(|p| p["text"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Drops the bot's Socket Mode connection without a close frame, as a network failure
    /// does (the bot reconnects through `apps.connections.open`).
    pub fn drop_socket(&self) {
        if let Some(tx) = self.inner.socket.lock().unwrap().take() {
            let _ = tx.send(DROP_SOCKET.to_string());
        }
    }

    /// Starts the fake on a free port.
    pub async fn start() -> FakeSlack {
        let inner = Arc::new(Inner::default());
        inner.ts.store(1, Ordering::SeqCst);
        let app = Router::new()
            .route("/api/{method}", post(api).get(api))
            .route("/socket", any(socket))
            .route("/upload/{file}", post(upload))
            .route("/files-pri/{id}/{name}", axum::routing::get(download))
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

    /// A file uploaded to an upload URL: (content type, bytes).
    pub fn upload(&self, file_id: &str) -> Option<(String, Vec<u8>)> {
        self.inner.uploads.lock().unwrap().get(file_id).cloned()
    }

    /// From now on refuse file uploads with `missing_scope` (an app without `files:write`).
    pub fn refuse_files(&self) {
        self.inner.no_files_scope.store(true, Ordering::SeqCst);
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
        remember(&self.inner, &event);
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
    /// `status` (429 with `Retry-After: 0`, Slack's documented shape, or e.g. 500) instead of
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
        return Some((status, [("retry-after", "0")], Json(body)).into_response());
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
    if let Some(response) = history_api(&inner, &method, &params) {
        record(&inner, &method, params);
        return response;
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
            if params["thread_ts"].is_null() {
                // A message in the channel itself: `conversations.history` lists it.
                keep_top_level(
                    &inner,
                    &channel,
                    json!({"type": "message", "user": BOT_USER,
                    "bot_id": "BBOT", "text": params["text"], "ts": ts, "metadata": params["metadata"]}),
                );
            }
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
        "files.info" => {
            let id = params["file"].as_str().unwrap_or_default().to_string();
            match inner.shared.lock().unwrap().get(&id) {
                Some((name, bytes)) => {
                    json!({"ok": true, "file": {"id": id, "name": name, "size": bytes.len(),
                    "url_private_download": format!("http://127.0.0.1:{port}/files-pri/{id}/{name}")}})
                }
                None => json!({"ok": false, "error": "file_not_found"}),
            }
        }
        "views.open" => {
            // The view as opened, with the fields Slack adds (slack-morphism reads them back).
            let mut view = params["view"].clone();
            let n = inner.ts.fetch_add(1, Ordering::SeqCst);
            view["id"] = json!(format!("V{n}"));
            view["team_id"] = json!("T1");
            view["hash"] = json!(format!("h{n}"));
            json!({"ok": true, "view": view})
        }
        "files.getUploadURLExternal" if inner.no_files_scope.load(Ordering::SeqCst) => {
            json!({"ok": false, "error": "missing_scope", "needed": "files:write"})
        }
        "files.getUploadURLExternal" => {
            let id = format!("F{}", inner.ts.fetch_add(1, Ordering::SeqCst));
            json!({"ok": true, "file_id": id, "upload_url": format!("http://127.0.0.1:{port}/upload/{id}")})
        }
        "files.completeUploadExternal" => {
            let files: Vec<Value> = params["files"].as_array().cloned().unwrap_or_default();
            json!({"ok": true, "files": files.iter().map(|f| json!({"id": f["id"], "title": f["title"]})).collect::<Vec<_>>()})
        }
        "conversations.open" => {
            let users = &params["users"];
            let user = users
                .as_str()
                .or_else(|| users[0].as_str())
                .unwrap_or("U0")
                .to_string();
            json!({"ok": true, "channel": {"id": format!("D{}", user.trim_start_matches('U'))}})
        }
        _ => json!({"ok": false, "error": "unknown_method"}),
    };
    record(&inner, &method, params);
    Json(response).into_response()
}

/// The upload URL `files.getUploadURLExternal` hands out: records the bytes, answers as Slack
/// does (`200 OK - <size>`, plain text).
async fn upload(
    State(inner): State<Arc<Inner>>,
    Path(file): Path<String>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let size = body.len();
    inner
        .uploads
        .lock()
        .unwrap()
        .insert(file, (content_type, body.to_vec()));
    inner.changed.notify_waiters();
    format!("OK - {size}").into_response()
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
                if frame == DROP_SOCKET {
                    // Dropped without a close frame: the bot sees the connection break.
                    break;
                }
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

// ---- Thread history, for catch-up after downtime --------------------------------------------
//
// The fake keeps what the threads hold: every message and reaction sent as an event, and what a
// test writes "while the bot is down" (stored without an event). `conversations.replies`
// serves a thread oldest first, `limit` a page with a `next_cursor`, each message with its
// `reactions` listing at most one user per reaction (history responses may list fewer users than
// the count; `reactions.get` with `full` lists them all).

impl FakeSlack {
    /// Stores a reply by `user` in the thread `thread_ts` at `at`, without an event (as if the
    /// bot were down); returns its `ts`.
    pub fn write(&self, thread_ts: &str, user: &str, text: &str, at: DateTime<Utc>) -> String {
        let n = self.inner.ts.fetch_add(1, Ordering::SeqCst);
        let ts = format!("{}.{:06}", at.timestamp(), n % 1_000_000);
        remember(
            &self.inner,
            &json!({"type": "message", "channel": CHANNEL, "user": user, "text": text, "ts": ts,
                    "thread_ts": thread_ts}),
        );
        ts
    }

    /// Stores a message of the bot's in the channel itself, with `metadata`, without a call (as
    /// if the bot posted it and stopped before recording it); returns its `ts`.
    pub fn bot_posted(&self, text: &str, metadata: Value) -> String {
        let n = self.inner.ts.fetch_add(1, Ordering::SeqCst);
        let ts = format!("1772440{n:03}.000100");
        keep_top_level(
            &self.inner,
            CHANNEL,
            json!({"type": "message", "user": BOT_USER, "bot_id": "BBOT", "text": text, "ts": ts,
                   "metadata": metadata}),
        );
        ts
    }

    /// Edits a stored message at `at`, without an event.
    pub fn edit(&self, ts: &str, text: &str, at: DateTime<Utc>) {
        let mut history = self.inner.history.lock().unwrap();
        let m = history
            .get_mut(CHANNEL)
            .and_then(|c| c.get_mut(ts))
            .expect("no such message");
        m["text"] = json!(text);
        m["edited"] =
            json!({"user": m["user"].clone(), "ts": format!("{}.000000", at.timestamp())});
    }

    /// Deletes a stored message, without an event.
    pub fn delete(&self, ts: &str) {
        remember(
            &self.inner,
            &json!({"type": "message", "subtype": "message_deleted", "channel": CHANNEL, "deleted_ts": ts}),
        );
    }

    /// Adds (`add`) or removes `user`'s reaction `name` on a stored message, without an event.
    pub fn react(&self, ts: &str, name: &str, user: &str, add: bool) {
        set_reaction(&self.inner, &format!("{CHANNEL}:{ts}"), name, user, add);
    }
}

/// Stores a message of the channel itself (no `thread_ts`) for `conversations.history`.
fn keep_top_level(inner: &Inner, channel: &str, message: Value) {
    let ts = message["ts"].as_str().unwrap_or_default().to_string();
    inner
        .history
        .lock()
        .unwrap()
        .entry(channel.to_string())
        .or_default()
        .insert(ts, message);
}

/// Keeps the history in step with an event.
fn remember(inner: &Inner, event: &Value) {
    let channel = event["channel"].as_str().unwrap_or(CHANNEL).to_string();
    match (event["type"].as_str(), event["subtype"].as_str()) {
        (Some("message"), None) if event["thread_ts"].is_string() => {
            let ts = event["ts"].as_str().unwrap_or_default().to_string();
            let mut m = event.clone();
            m["type"] = json!("message");
            inner
                .history
                .lock()
                .unwrap()
                .entry(channel)
                .or_default()
                .insert(ts, m);
        }
        (Some("message"), Some("message_changed")) => {
            let edited = &event["message"];
            let ts = edited["ts"].as_str().unwrap_or_default();
            if let Some(m) = inner
                .history
                .lock()
                .unwrap()
                .get_mut(&channel)
                .and_then(|c| c.get_mut(ts))
            {
                m["text"] = edited["text"].clone();
                m["edited"] = edited["edited"].clone();
            }
        }
        (Some("message"), Some("message_deleted")) => {
            let ts = event["deleted_ts"].as_str().unwrap_or_default();
            if let Some(c) = inner.history.lock().unwrap().get_mut(&channel) {
                c.remove(ts);
            }
            inner
                .reactions
                .lock()
                .unwrap()
                .remove(&format!("{channel}:{ts}"));
        }
        (Some(kind @ ("reaction_added" | "reaction_removed")), _) => {
            let item = &event["item"];
            let key = format!(
                "{}:{}",
                item["channel"].as_str().unwrap_or(CHANNEL),
                item["ts"].as_str().unwrap_or_default()
            );
            let name = event["reaction"].as_str().unwrap_or_default();
            let user = event["user"].as_str().unwrap_or_default();
            set_reaction(inner, &key, name, user, kind == "reaction_added");
        }
        _ => {}
    }
}

fn set_reaction(inner: &Inner, key: &str, name: &str, user: &str, add: bool) {
    let mut reactions = inner.reactions.lock().unwrap();
    let list = reactions.entry(key.to_string()).or_default();
    if !list.iter().any(|(n, _)| n == name) {
        list.push((name.to_string(), Vec::new()));
    }
    for (_, users) in list.iter_mut().filter(|(n, _)| n == name) {
        users.retain(|u| u != user);
        if add {
            users.push(user.to_string());
        }
    }
    list.retain(|(_, users)| !users.is_empty());
}

fn reactions_of(inner: &Inner, key: &str, users_listed: usize) -> Value {
    let reactions = inner.reactions.lock().unwrap();
    let list = reactions.get(key).cloned().unwrap_or_default();
    json!(list
        .iter()
        .map(|(name, users)| json!({"name": name, "count": users.len(),
            "users": users.iter().take(users_listed).collect::<Vec<_>>()}))
        .collect::<Vec<_>>())
}

/// `conversations.replies` and `reactions.get`; `None` for other methods.
fn history_api(inner: &Inner, method: &str, params: &Value) -> Option<Response> {
    let text = |k: &str| params[k].as_str().unwrap_or_default().to_string();
    match method {
        "conversations.replies" => {
            let (channel, thread_ts, oldest) = (text("channel"), text("ts"), text("oldest"));
            let limit: usize = text("limit").parse().unwrap_or(1000);
            let start: usize = text("cursor").parse().unwrap_or(0);
            let history = inner.history.lock().unwrap();
            let all: Vec<Value> = history
                .get(&channel)
                .map(|c| {
                    c.iter()
                        .filter(|(ts, m)| m["thread_ts"] == thread_ts.as_str() && **ts >= oldest)
                        .map(|(_, m)| m.clone())
                        .collect()
                })
                .unwrap_or_default();
            let mut page: Vec<Value> = all.iter().skip(start).take(limit).cloned().collect();
            for m in &mut page {
                let key = format!("{channel}:{}", m["ts"].as_str().unwrap_or_default());
                let r = reactions_of(inner, &key, 1);
                if r.as_array().is_some_and(|a| !a.is_empty()) {
                    m["reactions"] = r;
                }
            }
            let next = if start + limit < all.len() {
                (start + limit).to_string()
            } else {
                String::new()
            };
            Some(
                Json(
                    json!({"ok": true, "messages": page, "has_more": !next.is_empty(),
                            "response_metadata": {"next_cursor": next}}),
                )
                .into_response(),
            )
        }
        "conversations.history" => {
            // The channel's own messages (not replies), newest first; metadata only when asked.
            let channel = text("channel");
            let limit: usize = text("limit").parse().unwrap_or(100);
            let with_metadata = text("include_all_metadata") == "true"
                || params["include_all_metadata"] == json!(true);
            let history = inner.history.lock().unwrap();
            let page: Vec<Value> = history
                .get(&channel)
                .map(|c| {
                    c.values()
                        .rev()
                        .filter(|m| m["thread_ts"].is_null() || m["thread_ts"] == m["ts"])
                        .take(limit)
                        .map(|m| {
                            let mut m = m.clone();
                            if !with_metadata || m["metadata"].is_null() {
                                if let Some(o) = m.as_object_mut() {
                                    o.remove("metadata");
                                }
                            }
                            m
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some(Json(json!({"ok": true, "messages": page, "has_more": false})).into_response())
        }
        "reactions.get" => {
            let (channel, ts) = (text("channel"), text("timestamp"));
            let history = inner.history.lock().unwrap();
            let mut m = history.get(&channel)?.get(&ts)?.clone();
            m["reactions"] = reactions_of(inner, &format!("{channel}:{ts}"), usize::MAX);
            Some(
                Json(json!({"ok": true, "type": "message", "channel": channel, "message": m}))
                    .into_response(),
            )
        }
        _ => None,
    }
}

// ---- Modals (the workspace's own questions) ---------------------------------------------------

impl FakeSlack {
    /// The views the bot opened (`views.open`), each as Slack returns it (with `id`, `team_id`
    /// and `hash`), oldest first.
    pub fn opened_views(&self) -> Vec<Value> {
        self.calls_of("views.open")
            .into_iter()
            .enumerate()
            .map(|(i, params)| {
                let mut view = params["view"].clone();
                view["id"] = json!(format!("view-{i}"));
                view["team_id"] = json!("T1");
                view["hash"] = json!(format!("h{i}"));
                view
            })
            .collect()
    }

    /// A `view_submission` envelope: `user` submits `view` (from [`FakeSlack::opened_views`])
    /// with `(block id, value)` pairs (each block's action id is its block id, as the bot builds
    /// its modals).
    pub fn view_submission(&self, user: &str, view: &Value, values: &[(&str, &str)]) -> String {
        let mut view = view.clone();
        let state: serde_json::Map<String, Value> = values
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    json!({*k: {"type": "plain_text_input", "value": v}}),
                )
            })
            .collect();
        view["state"] = json!({"values": state});
        self.envelope(
            "interactive",
            json!({"type": "view_submission", "team": {"id": "T1", "domain": "study"},
                   "user": {"id": user, "team_id": "T1", "name": user.to_lowercase()},
                   "api_app_id": "A1", "token": "x", "trigger_id": "trig-submit", "view": view}),
            0,
        )
    }
}

impl FakeSlack {
    /// A file a member shared in Slack: `files.info` describes it and its private download URL
    /// serves the bytes to the bot token. Returns the file id.
    pub fn share_file(&self, name: &str, bytes: &[u8]) -> String {
        let id = format!("F{:08}", self.inner.ts.fetch_add(1, Ordering::SeqCst));
        self.inner
            .shared
            .lock()
            .unwrap()
            .insert(id.clone(), (name.to_string(), bytes.to_vec()));
        id
    }
}

/// A shared file's private download URL: the bytes, only with the bot token (as Slack does).
async fn download(
    State(inner): State<Arc<Inner>>,
    Path((id, _name)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Response {
    let authorised = headers
        .get("authorization")
        .is_some_and(|v| v.as_bytes() == b"Bearer xoxb-fake");
    if !authorised {
        return axum::http::StatusCode::FORBIDDEN.into_response();
    }
    match inner.shared.lock().unwrap().get(&id) {
        Some((_, bytes)) => bytes.clone().into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

//! An in-process fake Discord on 127.0.0.1: the REST routes the bot calls (recorded with method,
//! path and JSON body) and a gateway websocket (HELLO, IDENTIFY → READY + GUILD_CREATE,
//! heartbeat ACKs) through which a test injects dispatch events. Payload shapes follow Discord's
//! API documentation (v10).
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

/// The bot's user id (also its application id).
pub const BOT: u64 = 900;
/// The test guild.
pub const GUILD: u64 = 10;
/// The study-group channel.
pub const CHANNEL: u64 = 100;
/// A second guild, for sharding: on shard 1 of 2 (`(id >> 22) % 2`), where [`GUILD`] is on 0.
pub const GUILD_B: u64 = 1 << 22;
/// The second guild's study-group channel.
pub const CHANNEL_B: u64 = 200;

/// One recorded REST call.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub body: Value,
}

/// A message's reactions: (emoji, users in reaction order).
type Reactions<U> = Vec<(String, Vec<U>)>;

#[derive(Default)]
struct Inner {
    calls: Mutex<Vec<Call>>,
    changed: Notify,
    gateway: Mutex<Option<mpsc::UnboundedSender<String>>>,
    identifies: AtomicU64,
    seq: AtomicU64,
    next_id: AtomicU64,
    port: AtomicU64,
    /// What the channels hold (for the history routes): channel → message id → message.
    history: Mutex<BTreeMap<u64, BTreeMap<u64, Value>>>,
    /// Reactions: message id → (emoji, users in reaction order).
    reactions: Mutex<HashMap<u64, Reactions<Value>>>,
    /// Thread creations still to refuse (403), to stop a post between its two steps.
    refuse_threads: AtomicU64,
    /// Failure injection: (method, path part, status, calls left to fail).
    failures: Mutex<Vec<(String, String, u16, u32)>>,
    /// Calls answered with an injected failure (never in `calls`).
    failed: Mutex<Vec<Call>>,
    /// Files uploaded with messages, in order.
    uploads: Mutex<Vec<Upload>>,
    /// Multipart requests still to refuse (403 Missing Permissions), as without Attach Files.
    refuse_files: AtomicU64,
    /// The shard count `GET /gateway/bot` recommends (0 is read as 1).
    shard_count: AtomicU64,
    /// Gateway connections by shard id (IDENTIFY's `shard[0]`).
    shards: Mutex<HashMap<u64, mpsc::UnboundedSender<String>>>,
    /// Guilds besides [`GUILD`]: guild id → its text channel (see [`FakeDiscord::add_guild`]).
    more_guilds: Mutex<BTreeMap<u64, u64>>,
    /// Channels and threads of guilds other than [`GUILD`]: channel id → guild id.
    guild_of: Mutex<HashMap<u64, u64>>,
    /// Files members attached to interactions (`FakeDiscord::attachment`), by attachment id.
    attachments: Mutex<HashMap<u64, Vec<u8>>>,
}

/// A running fake Discord.
#[derive(Clone)]
pub struct FakeDiscord {
    inner: Arc<Inner>,
    /// `http://127.0.0.1:PORT`, the value for `DISCORD_API_URL`.
    pub url: String,
}

impl FakeDiscord {
    /// Starts the fake on a free port.
    pub async fn start() -> FakeDiscord {
        let inner = Arc::new(Inner::default());
        inner.next_id.store(5_000, Ordering::SeqCst);
        let app = Router::new()
            .route("/gateway", any(gateway))
            .fallback(rest)
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        inner.port.store(u64::from(port), Ordering::SeqCst);
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeDiscord {
            inner,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// The bot's Discord settings for this fake: a fake token, REST through the fake, commands
    /// registered in [`GUILD`], no manager role, all shards in one process.
    pub fn bot_config(&self) -> interview_bot::platform::discord::DiscordConfig {
        interview_bot::platform::discord::DiscordConfig {
            token: secrecy::SecretString::new("OTAw.fake.token".into()),
            api_url: Some(self.url.clone()),
            guild_id: Some(GUILD),
            manager_role: None,
            shards: None,
        }
    }

    /// Every REST call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.inner.calls.lock().unwrap().clone()
    }

    /// Waits (at most 10 s) until `pred` holds for the recorded calls; returns them.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&[Call]) -> bool) -> Vec<Call> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.inner.changed.notified();
            let calls = self.calls();
            if pred(&calls) {
                return calls;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("timed out waiting for {what}; calls: {calls:#?}");
            }
        }
    }

    /// Waits until the bot has identified `n` times in all (1 after the first start).
    pub async fn wait_identified(&self, n: u64) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.inner.changed.notified();
            if self.inner.identifies.load(Ordering::SeqCst) >= n
                && self.inner.gateway.lock().unwrap().is_some()
            {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("the bot did not identify");
            }
        }
    }

    /// Recommends `n` gateway shards (`GET /gateway/bot`); call before the bot starts.
    pub fn set_shard_count(&self, n: u64) {
        self.inner.shard_count.store(n, Ordering::SeqCst);
    }

    /// Adds a guild with one text channel; the bot sees it on the shard Discord's formula
    /// puts it on (`(guild >> 22) % shard count`). Call before the bot starts.
    pub fn add_guild(&self, guild: u64, channel: u64) {
        self.inner
            .more_guilds
            .lock()
            .unwrap()
            .insert(guild, channel);
        self.inner.guild_of.lock().unwrap().insert(channel, guild);
    }

    /// The guild a channel or thread belongs to ([`GUILD`] unless [`FakeDiscord::add_guild`]
    /// said otherwise).
    pub fn guild_of(&self, channel: u64) -> u64 {
        guild_of(&self.inner, channel)
    }

    /// Which shard ids have identified, in order.
    pub fn connected_shards(&self) -> Vec<u64> {
        let mut s: Vec<u64> = self.inner.shards.lock().unwrap().keys().copied().collect();
        s.sort_unstable();
        s
    }

    /// Sends a dispatch event (`t`, `d`) over the gateway: to the shard of `d.guild_id` when
    /// several shards are connected, else to the (last) connection.
    pub fn dispatch(&self, t: &str, d: Value) {
        let s = self.inner.seq.fetch_add(1, Ordering::SeqCst) + 2;
        remember(&self.inner, t, &d);
        let shard = d["guild_id"]
            .as_str()
            .and_then(|g| g.parse::<u64>().ok())
            .map(|g| {
                let count = self.inner.shard_count.load(Ordering::SeqCst).max(1);
                (g >> 22) % count
            });
        let frame = json!({"op": 0, "t": t, "s": s, "d": d}).to_string();
        let by_shard = shard.and_then(|n| self.inner.shards.lock().unwrap().get(&n).cloned());
        let tx = by_shard.or_else(|| self.inner.gateway.lock().unwrap().clone());
        tx.expect("no gateway connection")
            .send(frame)
            .expect("gateway closed");
    }

    /// A fresh snowflake.
    pub fn id(&self) -> u64 {
        self.inner.next_id.fetch_add(1, Ordering::SeqCst)
    }
}

impl FakeDiscord {
    /// Failure injection: the next `n` calls of `method` whose path contains `path_part` are
    /// answered with `status` (429 with `Retry-After: 0` and Discord's rate-limit body, or
    /// e.g. 500) instead of being carried out; they are recorded in [`FakeDiscord::failed`].
    pub fn fail_next(&self, method: &str, path_part: &str, n: u32, status: u16) {
        self.inner
            .failures
            .lock()
            .unwrap()
            .push((method.into(), path_part.into(), status, n));
    }

    /// The calls answered with an injected failure.
    pub fn failed(&self) -> Vec<Call> {
        self.inner.failed.lock().unwrap().clone()
    }
}

/// The injected failure for this call, if one is armed (and counts it down).
fn injected(inner: &Inner, method: &str, path: &str, body: &Value) -> Option<Response> {
    let mut failures = inner.failures.lock().unwrap();
    let f = failures
        .iter_mut()
        .find(|(m, p, _, left)| m == method && path.contains(p.as_str()) && *left > 0)?;
    f.3 -= 1;
    let status = StatusCode::from_u16(f.2).unwrap();
    drop(failures);
    inner.failed.lock().unwrap().push(Call {
        method: method.into(),
        path: path.into(),
        body: body.clone(),
    });
    inner.changed.notify_waiters();
    let body = if status == StatusCode::TOO_MANY_REQUESTS {
        json!({"message": "You are being rate limited.", "retry_after": 0.0, "global": false, "code": 0})
    } else {
        json!({"message": "Internal Server Error", "code": 0})
    };
    Some((status, [("retry-after", "0")], Json(body)).into_response())
}

/// A request's JSON: the body itself, or for a multipart upload (a message with files) its
/// `payload_json` part, the files recorded as [`Upload`]s.
fn body_of(inner: &Inner, path: &str, headers: &axum::http::HeaderMap, body: &[u8]) -> Value {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("multipart/form-data") {
        return serde_json::from_slice(body).unwrap_or(Value::Null);
    }
    let mut json = Value::Null;
    for part in super::multipart::parse(content_type, body) {
        if part.name == "payload_json" {
            json = serde_json::from_slice(&part.bytes).unwrap_or(Value::Null);
        } else if let Some(file_name) = part.file_name {
            inner.uploads.lock().unwrap().push(Upload {
                path: path.to_string(),
                file_name,
                content_type: part.content_type.unwrap_or_default(),
                bytes: part.bytes,
            });
        }
    }
    json
}

/// A file the bot uploaded (a multipart part with a file name).
#[derive(Debug, Clone)]
pub struct Upload {
    /// The REST path it went to (`/api/v10/channels/{id}/messages`, `/api/v10/webhooks/...`).
    pub path: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

fn record(inner: &Inner, method: &str, path: &str, body: Value) {
    inner.calls.lock().unwrap().push(Call {
        method: method.into(),
        path: path.into(),
        body,
    });
    inner.changed.notify_waiters();
}

/// A user object.
pub fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({"id": id.to_string(), "username": name, "discriminator": "0", "global_name": name,
           "avatar": null, "bot": bot, "public_flags": 0})
}

/// A guild member object; `permissions` is Discord's permission bit set as a string.
pub fn member(id: u64, name: &str, permissions: &str) -> Value {
    json!({"user": user(id, name, false), "nick": null, "roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00",
           "deaf": false, "mute": false, "flags": 0, "pending": false, "permissions": permissions})
}

/// A message object.
pub fn message(id: u64, channel: u64, author: Value, content: &str) -> Value {
    json!({"id": id.to_string(), "channel_id": channel.to_string(), "guild_id": GUILD.to_string(),
           "author": author, "content": content, "timestamp": "2026-03-02T09:00:00.000000+00:00",
           "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [],
           "mention_roles": [], "attachments": [], "embeds": [], "pinned": false, "type": 0, "flags": 0})
}

fn channel_object(id: u64, kind: u8, name: &str, parent: Option<u64>) -> Value {
    channel_in(GUILD, id, kind, name, parent)
}

fn channel_in(guild: u64, id: u64, kind: u8, name: &str, parent: Option<u64>) -> Value {
    let mut c = json!({"id": id.to_string(), "type": kind, "guild_id": guild.to_string(), "name": name,
                       "position": 0, "permission_overwrites": [], "nsfw": false, "rate_limit_per_user": 0,
                       "flags": 0, "topic": null, "last_message_id": null});
    if let Some(p) = parent {
        c["parent_id"] = json!(p.to_string());
        c["owner_id"] = json!(BOT.to_string());
        c["message_count"] = json!(0);
        c["member_count"] = json!(1);
        c["thread_metadata"] = json!({"archived": false, "auto_archive_duration": 1440,
            "archive_timestamp": "2026-03-02T09:00:00.000000+00:00", "locked": false});
    }
    c
}

fn guild_of(inner: &Inner, channel: u64) -> u64 {
    inner
        .guild_of
        .lock()
        .unwrap()
        .get(&channel)
        .copied()
        .unwrap_or(GUILD)
}

fn guild_object(id: u64, channel: u64) -> Value {
    let mut g: Value = serde_json::from_str(
        r#"{
        "name": "Study group", "icon": null, "splash": null,
        "discovery_splash": null, "owner_id": "1", "afk_channel_id": null, "afk_timeout": 300,
        "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
        "emojis": [], "features": [], "mfa_level": 0, "application_id": null,
        "system_channel_id": null, "system_channel_flags": 0, "rules_channel_id": null,
        "vanity_url_code": null, "description": null, "banner": null, "premium_tier": 0,
        "preferred_locale": "en-US", "public_updates_channel_id": null, "nsfw_level": 0,
        "premium_progress_bar_enabled": false, "stickers": [], "safety_alerts_channel_id": null,
        "joined_at": "2026-01-01T00:00:00.000000+00:00", "large": false, "unavailable": false,
        "member_count": 4, "voice_states": [], "members": [], "threads": [], "presences": [],
        "stage_instances": [], "guild_scheduled_events": [], "max_members": 100,
        "max_video_channel_users": 25, "premium_subscription_count": 0, "widget_enabled": false,
        "widget_channel_id": null, "max_presences": null, "approximate_member_count": null,
        "approximate_presence_count": null, "incidents_data": null,
        "latest_onboarding_question_id": null
    }"#,
    )
    .unwrap();
    g["id"] = json!(id.to_string());
    g["roles"] = json!([{"id": id.to_string(), "name": "@everyone", "color": 0, "hoist": false,
        "position": 0, "permissions": "1024", "managed": false, "mentionable": false, "flags": 0}]);
    g["channels"] = json!([channel_in(id, channel, 0, "study-group", None)]);
    g
}

async fn gateway(ws: WebSocketUpgrade, State(inner): State<Arc<Inner>>) -> Response {
    ws.on_upgrade(move |socket| run_gateway(socket, inner))
}

async fn run_gateway(mut socket: WebSocket, inner: Arc<Inner>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 45000}}).to_string();
    if socket.send(WsMessage::Text(hello.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            out = rx.recv() => {
                let Some(frame) = out else { break };
                if socket.send(WsMessage::Text(frame.into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => {
                let Some(Ok(msg)) = incoming else { break };
                let text = match msg {
                    WsMessage::Text(t) => t.to_string(),
                    WsMessage::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
                    WsMessage::Close(_) => break,
                    _ => continue,
                };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                match v["op"].as_u64() {
                    Some(1) => {
                        let ack = json!({"op": 11}).to_string();
                        let _ = socket.send(WsMessage::Text(ack.into())).await;
                    }
                    Some(2) => {
                        let port = inner.port.load(Ordering::SeqCst);
                        // IDENTIFY's `shard: [id, count]`; absent means one shard.
                        let shard = v["d"]["shard"][0].as_u64().unwrap_or(0);
                        let count = v["d"]["shard"][1].as_u64().unwrap_or(1).max(1);
                        let mut guilds = vec![(GUILD, CHANNEL)];
                        guilds.extend(inner.more_guilds.lock().unwrap().iter().map(|(g, c)| (*g, *c)));
                        guilds.retain(|(g, _)| (g >> 22) % count == shard);
                        let unavailable: Vec<Value> = guilds
                            .iter()
                            .map(|(g, _)| json!({"id": g.to_string(), "unavailable": true}))
                            .collect();
                        let ready = json!({"op": 0, "t": "READY", "s": 1, "d": {
                            "v": 10, "user": {"id": BOT.to_string(), "username": "interview-bot",
                                "discriminator": "0", "global_name": null, "avatar": null, "bot": true,
                                "verified": true, "mfa_enabled": false, "flags": 0},
                            "guilds": unavailable,
                            "session_id": "fake-session", "resume_gateway_url": format!("ws://127.0.0.1:{port}/gateway"),
                            "shard": [shard, count], "application": {"id": BOT.to_string(), "flags": 0},
                            "private_channels": [], "presences": [], "relationships": []
                        }}).to_string();
                        let _ = socket.send(WsMessage::Text(ready.into())).await;
                        for (g, c) in guilds {
                            let guild = json!({"op": 0, "t": "GUILD_CREATE", "s": 1, "d": guild_object(g, c)}).to_string();
                            let _ = socket.send(WsMessage::Text(guild.into())).await;
                        }
                        inner.shards.lock().unwrap().insert(shard, tx.clone());
                        *inner.gateway.lock().unwrap() = Some(tx.clone());
                        inner.identifies.fetch_add(1, Ordering::SeqCst);
                        inner.changed.notify_waiters();
                    }
                    _ => {}
                }
            }
        }
    }
    inner.changed.notify_waiters();
}

async fn rest(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let multipart = headers
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"multipart/"));
    if multipart
        && inner
            .refuse_files
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    {
        record(
            &inner,
            method.as_str(),
            &path,
            json!({"refused": "multipart"}),
        );
        let missing = json!({"message": "Missing Permissions", "code": 50013});
        return (StatusCode::FORBIDDEN, Json(missing)).into_response();
    }
    let body = body_of(&inner, &path, &headers, &body);
    let port = inner.port.load(Ordering::SeqCst);
    let parts: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let new_id = || inner.next_id.fetch_add(1, Ordering::SeqCst);
    if let Some(failure) = injected(&inner, method.as_str(), &path, &body) {
        return failure;
    }
    if let Some(response) = history_route(&inner, method.as_str(), &parts, uri.query()) {
        record(&inner, method.as_str(), &path, body);
        return response;
    }
    let response = match (method.as_str(), parts.as_slice()) {
        ("GET", ["gateway"]) => Json(json!({"url": format!("ws://127.0.0.1:{port}/gateway")})).into_response(),
        ("GET", ["gateway", "bot"]) => Json(json!({"url": format!("ws://127.0.0.1:{port}/gateway"),
            "shards": inner.shard_count.load(Ordering::SeqCst).max(1),
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}}))
            .into_response(),
        ("PUT", ["applications", _, "guilds", _, "commands"]) | ("PUT", ["applications", _, "commands"]) => {
            Json(json!([])).into_response()
        }
        ("POST", ["interactions", _, _, "callback"]) => StatusCode::NO_CONTENT.into_response(),
        ("GET", ["attachments", id, _]) => match inner.attachments.lock().unwrap().get(&id.parse().unwrap_or(0)) {
            Some(bytes) => bytes.clone().into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        },
        ("POST", ["webhooks", _, _]) | ("PATCH", ["webhooks", _, _, "messages", _]) => {
            let content = body["content"].as_str().unwrap_or_default();
            Json(message(new_id(), CHANNEL, user(BOT, "interview-bot", true), content)).into_response()
        }
        ("POST", ["channels", channel, "messages"]) => {
            let channel: u64 = channel.parse().unwrap_or(CHANNEL);
            let content = body["content"].as_str().unwrap_or_default();
            let mut m = message(new_id(), channel, user(BOT, "interview-bot", true), content);
            m["guild_id"] = json!(guild_of(&inner, channel).to_string());
            Json(m).into_response()
        }
        ("POST", ["channels", channel, "messages", _, "threads"]) => {
            let parent: u64 = channel.parse().unwrap_or(CHANNEL);
            let name = body["name"].as_str().unwrap_or("thread");
            let (id, guild) = (new_id(), guild_of(&inner, parent));
            if guild != GUILD {
                inner.guild_of.lock().unwrap().insert(id, guild);
            }
            Json(channel_in(guild, id, 11, name, Some(parent))).into_response()
        }
        ("PUT", ["channels", _, "messages", _, "reactions", _, "@me"]) => StatusCode::NO_CONTENT.into_response(),
        ("POST", ["users", "@me", "channels"]) => {
            let recipient = body["recipient_id"].as_str().unwrap_or("0").parse().unwrap_or(0);
            Json(json!({"id": new_id().to_string(), "type": 1, "last_message_id": null,
                        "recipients": [user(recipient, "member", false)]}))
                .into_response()
        }
        _ => (StatusCode::NOT_FOUND, Json(json!({"message": "Unknown route", "code": 0}))).into_response(),
    };
    record(&inner, method.as_str(), &path, body);
    response
}

// ---- Message history, for catch-up after downtime -------------------------------------------
//
// The fake keeps what the channels hold: every message and reaction dispatched over the gateway,
// and what a test writes "while the bot is down" (stored without a gateway event). The history
// routes serve it as Discord does: `GET /channels/{c}/messages?after=&limit=` (the `limit`
// messages right after `after`, newest first, each with its `reactions` summary) and
// `GET /channels/{c}/messages/{m}/reactions/{emoji}?after=&limit=` (users by id).

impl FakeDiscord {
    /// Stores a message written in `channel` by `author` at `at`, without a gateway event (as
    /// if the bot were down); returns it (dispatch it as `MESSAGE_CREATE` to deliver it live).
    pub fn write(&self, channel: u64, author: Value, content: &str, at: DateTime<Utc>) -> Value {
        let mut m = message(self.id(), channel, author, content);
        m["timestamp"] = json!(rfc3339(at));
        remember(&self.inner, "MESSAGE_CREATE", &m);
        m
    }

    /// Edits a stored message at `at`, without a gateway event; returns the edited message.
    pub fn edit(&self, channel: u64, id: u64, content: &str, at: DateTime<Utc>) -> Value {
        let mut history = self.inner.history.lock().unwrap();
        let m = history
            .get_mut(&channel)
            .and_then(|c| c.get_mut(&id))
            .expect("no such message");
        m["content"] = json!(content);
        m["edited_timestamp"] = json!(rfc3339(at));
        m.clone()
    }

    /// Deletes a stored message, without a gateway event.
    pub fn delete(&self, channel: u64, id: u64) {
        remember(
            &self.inner,
            "MESSAGE_DELETE",
            &json!({"id": id.to_string(), "channel_id": channel.to_string()}),
        );
    }

    /// Adds (`add`) or removes `user`'s reaction on a stored message, without a gateway event.
    pub fn react(&self, message: u64, emoji: &str, user: Value, add: bool) {
        set_reaction(&self.inner, message, emoji, user, add);
    }

    /// Refuses (403) the next `n` messages with files, as a channel without Attach Files.
    pub fn refuse_files(&self, n: u64) {
        self.inner.refuse_files.store(n, Ordering::SeqCst);
    }

    /// Every file uploaded so far, in order.
    pub fn uploads(&self) -> Vec<Upload> {
        self.inner.uploads.lock().unwrap().clone()
    }

    /// Refuses (403) the next `n` thread creations, as if the process stopped between posting a
    /// question and opening its thread.
    pub fn refuse_threads(&self, n: u64) {
        self.inner.refuse_threads.store(n, Ordering::SeqCst);
    }
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

fn id_of(v: &Value) -> u64 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Keeps the history in step with a gateway event.
fn remember(inner: &Inner, t: &str, d: &Value) {
    let channel = id_of(&d["channel_id"]);
    match t {
        "MESSAGE_CREATE" => {
            let mut m = d.clone();
            if let Some(o) = m.as_object_mut() {
                o.remove("reactions");
            }
            inner
                .history
                .lock()
                .unwrap()
                .entry(channel)
                .or_default()
                .insert(id_of(&d["id"]), m);
        }
        "MESSAGE_UPDATE" => {
            if let Some(m) = inner
                .history
                .lock()
                .unwrap()
                .get_mut(&channel)
                .and_then(|c| c.get_mut(&id_of(&d["id"])))
            {
                m["content"] = d["content"].clone();
                m["edited_timestamp"] = d["edited_timestamp"].clone();
            }
        }
        "MESSAGE_DELETE" => {
            let id = id_of(&d["id"]);
            if let Some(c) = inner.history.lock().unwrap().get_mut(&channel) {
                c.remove(&id);
            }
            inner.reactions.lock().unwrap().remove(&id);
        }
        "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE" => {
            let user_id = id_of(&d["user_id"]);
            let who = if d["member"]["user"].is_object() {
                d["member"]["user"].clone()
            } else {
                user(user_id, &user_id.to_string(), user_id == BOT)
            };
            let emoji = d["emoji"]["name"].as_str().unwrap_or_default();
            let add = t == "MESSAGE_REACTION_ADD";
            set_reaction(inner, id_of(&d["message_id"]), emoji, who, add);
        }
        _ => {}
    }
}

fn set_reaction(inner: &Inner, message: u64, emoji: &str, who: Value, add: bool) {
    let mut reactions = inner.reactions.lock().unwrap();
    let list = reactions.entry(message).or_default();
    if !list.iter().any(|(e, _)| e == emoji) {
        list.push((emoji.to_string(), Vec::new()));
    }
    for (_, users) in list.iter_mut().filter(|(e, _)| e == emoji) {
        users.retain(|u| u["id"] != who["id"]);
        if add {
            users.push(who.clone());
        }
    }
    list.retain(|(_, users)| !users.is_empty());
}

fn query_pairs(query: Option<&str>) -> HashMap<String, String> {
    query
        .unwrap_or_default()
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `%F0%9F%91%8D` → `👍`.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = s
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let (b'%', Some(b)) = (bytes[i], hex) {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The history routes and the thread-refusal switch; `None` for every other route.
fn history_route(
    inner: &Inner,
    method: &str,
    parts: &[&str],
    query: Option<&str>,
) -> Option<Response> {
    let q = query_pairs(query);
    let after: u64 = q.get("after").and_then(|a| a.parse().ok()).unwrap_or(0);
    let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(50);
    match (method, parts) {
        ("POST", ["channels", _, "messages", _, "threads"])
            if inner.refuse_threads.load(Ordering::SeqCst) > 0 =>
        {
            inner.refuse_threads.fetch_sub(1, Ordering::SeqCst);
            Some(
                (
                    StatusCode::FORBIDDEN,
                    Json(json!({"message": "Missing Permissions", "code": 50013})),
                )
                    .into_response(),
            )
        }
        ("GET", ["channels", channel, "messages"]) => {
            let channel: u64 = channel.parse().unwrap_or(0);
            let history = inner.history.lock().unwrap();
            let reactions = inner.reactions.lock().unwrap();
            let mut page: Vec<Value> = history
                .get(&channel)
                .map(|c| {
                    c.range(after + 1..)
                        .take(limit)
                        .map(|(_, m)| m.clone())
                        .collect()
                })
                .unwrap_or_default();
            for m in &mut page {
                let list = reactions.get(&id_of(&m["id"])).cloned().unwrap_or_default();
                m["reactions"] =
                    json!(list.iter().map(|(emoji, users)| json!({
                    "count": users.len(), "count_details": {"burst": 0, "normal": users.len()},
                    "me": users.iter().any(|u| id_of(&u["id"]) == BOT), "me_burst": false,
                    "burst_colors": [], "emoji": {"id": null, "name": emoji}
                })).collect::<Vec<_>>());
            }
            page.reverse(); // Discord lists newest first
            Some(Json(page).into_response())
        }
        ("GET", ["channels", _, "messages", message, "reactions", emoji]) => {
            let emoji = percent_decode(emoji);
            let message: u64 = message.parse().unwrap_or(0);
            let reactions = inner.reactions.lock().unwrap();
            let mut users: Vec<Value> = reactions
                .get(&message)
                .and_then(|l| l.iter().find(|(e, _)| *e == emoji))
                .map(|(_, u)| u.clone())
                .unwrap_or_default();
            users.sort_by_key(|u| id_of(&u["id"]));
            let page: Vec<Value> = users
                .into_iter()
                .filter(|u| id_of(&u["id"]) > after)
                .take(limit)
                .collect();
            Some(Json(page).into_response())
        }
        _ => None,
    }
}

// ---- Modals and attachments (the server's own questions) ------------------------------------

impl FakeDiscord {
    /// Hosts a file a member attaches to a command, as Discord's CDN would; returns the
    /// attachment object for an interaction's `resolved.attachments` (its `url` serves the bytes).
    pub fn attachment(&self, name: &str, bytes: &[u8]) -> Value {
        let id = self.id();
        self.inner
            .attachments
            .lock()
            .unwrap()
            .insert(id, bytes.to_vec());
        json!({"id": id.to_string(), "filename": name, "size": bytes.len(),
               "url": format!("{}/api/v10/attachments/{id}/{name}", self.url),
               "proxy_url": format!("{}/api/v10/attachments/{id}/{name}", self.url),
               "content_type": "application/toml"})
    }

    /// The interaction callbacks so far, as (interaction id, body): `body["type"]` is 4 (a
    /// message), 5 (deferred), 8 (autocomplete choices) or 9 (a modal, `body["data"]` its
    /// custom id, title and inputs).
    pub fn callbacks(&self) -> Vec<(String, Value)> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == "POST" && c.path.ends_with("/callback"))
            .filter_map(|c| {
                let id = c
                    .path
                    .split('/')
                    .skip_while(|p| *p != "interactions")
                    .nth(1)?;
                Some((id.to_string(), c.body))
            })
            .collect()
    }

    /// Waits for the modal the bot opened in answer to interaction `id`; returns its data.
    pub async fn wait_modal(&self, id: u64) -> Value {
        let id = id.to_string();
        self.wait_for("a modal", |calls| {
            calls
                .iter()
                .any(|c| c.path.contains(&format!("/interactions/{id}/")) && c.body["type"] == 9)
        })
        .await;
        self.callbacks()
            .into_iter()
            .find(|(i, b)| *i == id && b["type"] == 9)
            .map(|(_, b)| b["data"].clone())
            .unwrap()
    }
}

/// A modal submission (interaction type 5) of the modal `custom_id` by `member` in `guild`,
/// `channel`, with `(input custom id, value)` pairs, one action row each, as Discord sends it.
pub fn modal_submit(
    id: u64,
    guild: u64,
    channel: u64,
    member: Value,
    custom_id: &str,
    values: &[(&str, &str)],
) -> Value {
    let rows: Vec<Value> = values
        .iter()
        .map(|(k, v)| json!({"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}))
        .collect();
    json!({
        "id": id.to_string(), "application_id": BOT.to_string(), "type": 5,
        "data": {"custom_id": custom_id, "components": rows},
        "guild_id": guild.to_string(), "channel_id": channel.to_string(),
        "channel": {"id": channel.to_string(), "type": 0},
        "member": member, "user": member["user"].clone(),
        "token": format!("token-{id}"), "version": 1, "app_permissions": "2248473465835073",
        "locale": "en-US", "guild_locale": "en-US", "entitlements": [],
        "authorizing_integration_owners": {"0": guild.to_string()}, "context": 0,
        "attachment_size_limit": 8388608
    })
}

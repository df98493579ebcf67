//! Facility webhooks end to end: an in-process HTTP receiver (axum on 127.0.0.1:0)
//! receives what an in-process daemon delivers. Filters, both signature schemes (the
//! Standard one checked by the reference Python library, the SlotBase one by an HMAC
//! computed here), retries with one record per attempt, 410, Retry-After, timeouts,
//! redirects, the SSRF guard, dead letters and their replay, and the CLI's test,
//! redeliver and preview.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use slotbase::daemon::{Daemon, DaemonOptions};
use slotbase::settings::{FlagOverrides, Settings};

use crate::support::TestEnv;

/// One request the receiver saw.
#[derive(Clone, Debug)]
pub struct Hit {
    pub path: String,
    /// Lower-case names.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Hit {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// What the receiver answers.
#[derive(Clone, Debug)]
pub enum Reply {
    Status(u16),
    WithHeader(u16, &'static str, String),
    /// Never answer (for a minute).
    Hang,
    /// 200 after this many ms.
    Slow(u64),
}

#[derive(Clone, Default)]
struct Shared {
    hits: Arc<Mutex<Vec<Hit>>>,
    scripts: Arc<Mutex<HashMap<String, VecDeque<Reply>>>>,
    always: Arc<Mutex<HashMap<String, Reply>>>,
}

/// An HTTP receiver on loopback that records every request.
pub struct Receiver {
    pub addr: SocketAddr,
    state: Shared,
}

async fn receive(State(st): State<Shared>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_string();
    st.hits.lock().unwrap().push(Hit {
        path: path.clone(),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().unwrap_or("").to_string(),
                )
            })
            .collect(),
        body: body.to_vec(),
    });
    let scripted = st
        .scripts
        .lock()
        .unwrap()
        .get_mut(&path)
        .and_then(VecDeque::pop_front);
    let reply = scripted
        .or_else(|| st.always.lock().unwrap().get(&path).cloned())
        .unwrap_or(Reply::Status(200));
    match reply {
        Reply::Status(s) => {
            (StatusCode::from_u16(s).unwrap(), format!("answer {s}")).into_response()
        }
        Reply::WithHeader(s, k, v) => (
            StatusCode::from_u16(s).unwrap(),
            [(k, v)],
            format!("answer {s}"),
        )
            .into_response(),
        Reply::Slow(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            (StatusCode::OK, "slow ok").into_response()
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::OK.into_response()
        }
    }
}

impl Receiver {
    pub async fn start() -> Receiver {
        let state = Shared::default();
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { addr, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Answer the next requests to `path` with these, in order.
    pub fn script(&self, path: &str, replies: Vec<Reply>) {
        self.state
            .scripts
            .lock()
            .unwrap()
            .insert(path.into(), replies.into());
    }

    /// Answer every request to `path` (after any script) with this.
    pub fn always(&self, path: &str, reply: Reply) {
        self.state.always.lock().unwrap().insert(path.into(), reply);
    }

    pub fn hits(&self, path: &str) -> Vec<Hit> {
        self.state
            .hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.path == path)
            .cloned()
            .collect()
    }
}

/// Settings for an in-process daemon on the env's database; loopback receivers are
/// allowed through the SSRF guard explicitly unless `guarded`.
pub fn settings(env: &TestEnv, guarded: bool, extra: &[(&str, &str)]) -> Settings {
    let mut vars: Vec<(String, String)> = vec![
        (
            "SLOTBASE_STORE__PATH".into(),
            env.db().display().to_string(),
        ),
        ("SLOTBASE_HTTP__ENABLED".into(), "false".into()),
        ("SLOTBASE_DAEMON__SHUTDOWN_GRACE_MS".into(), "3000".into()),
        ("SLOTBASE_RETRY__DEFAULT_DELAY_MS".into(), "50".into()),
        ("SLOTBASE_WEBHOOKS__TIMEOUT_MS".into(), "3000".into()),
    ];
    if !guarded {
        vars.push((
            "SLOTBASE_WEBHOOKS__ALLOWED_CIDRS".into(),
            "127.0.0.0/8".into(),
        ));
    }
    for (k, v) in extra {
        vars.retain(|(key, _)| key != k);
        vars.push((k.to_string(), v.to_string()));
    }
    Settings::load_from(&FlagOverrides::default(), &vars)
        .expect("settings")
        .0
}

/// Poll `f` until it returns Some, for up to 20 s.
pub async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `webhook add` with these flags; returns (endpoint id, signing secret).
pub fn add(
    env: &TestEnv,
    facility: &str,
    url: &str,
    events: &str,
    more: &[&str],
) -> (String, String) {
    let mut args = vec![
        "webhook",
        "add",
        "--facility",
        facility,
        "--url",
        url,
        "--events",
        events,
    ];
    args.extend_from_slice(more);
    let out = env.json(&args);
    (
        out["webhook"]["id"].as_str().unwrap().to_string(),
        out["signingSecret"].as_str().unwrap().to_string(),
    )
}

/// Emit one booking event with these ids and fields.
pub fn emit(env: &TestEnv, ty: &str, id: &str, facility: &str, sets: &[&str]) {
    let id_set = format!("id={id}");
    let fac_set = format!("data.facilityId={facility}");
    let mut args = vec!["emit", ty, "--set", &id_set, "--set", &fac_set];
    for s in sets {
        args.push("--set");
        args.push(s);
    }
    env.run_ok(&args);
}

/// The delivery records (one per attempt), optionally of one endpoint.
pub fn attempts(env: &TestEnv, endpoint: Option<&str>) -> Vec<Value> {
    let mut args = vec!["webhook", "deliveries", "--limit", "0"];
    if let Some(e) = endpoint {
        args.push(e);
    }
    env.json(&args).as_array().cloned().unwrap_or_default()
}

fn slotbase_hmac(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(timestamp.as_bytes());
    m.update(b".");
    m.update(body);
    m.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Verify a captured delivery with the reference library (`standardwebhooks` 1.1.0).
fn reference_verify(env: &TestEnv, secret: &str, hit: &Hit) -> (i32, String) {
    let body = env.write("captured-body.json", "");
    std::fs::write(&body, &hit.body).unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/verify_standard.py"
    );
    let out = std::process::Command::new("python3")
        .arg(script)
        .args([
            "verify",
            secret,
            hit.header("webhook-id"),
            hit.header("webhook-timestamp"),
            hit.header("webhook-signature"),
            body.to_str().unwrap(),
        ])
        .output()
        .expect("python3 with standardwebhooks (tests/setup installs it)");
    let code = out.status.code().unwrap_or(-1);
    assert_ne!(code, 3, "{}", String::from_utf8_lossy(&out.stderr));
    (
        code,
        String::from_utf8_lossy(&out.stdout).trim().to_string()
            + &String::from_utf8_lossy(&out.stderr),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filtered_fan_out_signed_deliveries_verified_independently() {
    let env = TestEnv::new();
    let rx = Receiver::start().await;
    let (a, a_secret) = add(&env, "fac_1", &rx.url("/a"), "booking.confirmed", &[]);
    add(
        &env,
        "fac_1",
        &rx.url("/b"),
        "booking.confirmed",
        &["--resource", "court-9"],
    );
    add(&env, "fac_1", &rx.url("/c"), "booking.cancelled", &[]);
    add(&env, "fac_2", &rx.url("/d"), "booking.confirmed", &[]);
    let (_, e_secret) = add(
        &env,
        "fac_1",
        &rx.url("/e"),
        "booking.confirmed,booking.cancelled",
        &["--booking-type", "lesson", "--scheme", "standard"],
    );
    let (f, f_secret) = add(
        &env,
        "fac_1",
        &rx.url("/f"),
        "booking.confirmed",
        &[
            "--scheme",
            "slotbase",
            "--bearer-token",
            "tok_receiver_checks_this",
            "--method",
            "PUT",
        ],
    );
    emit(
        &env,
        "booking.confirmed",
        "evt-lesson",
        "fac_1",
        &["data.resourceId=court-1", "data.bookingType=lesson"],
    );
    emit(
        &env,
        "booking.confirmed",
        "evt-court9",
        "fac_1",
        &["data.resourceId=court-9", "data.bookingType=open_play"],
    );

    let daemon = Daemon::start(settings(&env, false, &[]), DaemonOptions::default())
        .await
        .expect("daemon starts");
    // a: both events; b: court-9 only; e: the lesson only; f: both. c and d: nothing.
    let expected = [("/a", 2), ("/b", 1), ("/e", 1), ("/f", 2)];
    eventually("the deliveries", || async {
        (attempts(&env, None).len() >= 6).then_some(())
    })
    .await;
    // Another event processed afterwards proves the fan-out of the first two is over.
    emit(&env, "booking.cancelled", "evt-cancel", "fac_2", &[]);
    eventually("the last event", || async {
        let log = env.run(&["events", "trace", "evt-cancel", "--json"]);
        (log.0 == 0 && log.1.contains("\"webhook\"")).then_some(())
    })
    .await;
    for (path, n) in expected {
        assert_eq!(rx.hits(path).len(), n, "{path}");
    }
    assert!(rx.hits("/c").is_empty() && rx.hits("/d").is_empty());
    let records = attempts(&env, None);
    assert_eq!(records.len(), 6, "{records:#?}");
    assert!(
        records
            .iter()
            .all(|r| r["status"] == "delivered" && r["attemptCount"] == 1)
    );

    // The seed's headers; the delivery id is the Standard Webhooks id too.
    let hit = rx
        .hits("/a")
        .into_iter()
        .find(|h| h.header("x-slotbase-event-id") == "evt-lesson")
        .unwrap();
    assert_eq!(hit.header("x-slotbase-event"), "booking.confirmed");
    assert_eq!(hit.header("content-type"), "application/json");
    let delivery = hit.header("x-slotbase-delivery-id").to_string();
    assert!(delivery.starts_with("dlv_"));
    assert_eq!(hit.header("webhook-id"), delivery);
    let body: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(body["id"], "evt-lesson");
    assert_eq!(body["data"]["resourceId"], "court-1");
    // SlotBase scheme: an HMAC computed here, not by slotbase.
    let ts = hit.header("x-slotbase-timestamp");
    assert_eq!(
        hit.header("x-slotbase-signature"),
        slotbase_hmac(&a_secret, ts, &hit.body)
    );
    // Standard scheme: the reference library.
    assert_eq!(reference_verify(&env, &a_secret, &hit).0, 0);
    let e_hit = &rx.hits("/e")[0];
    assert_eq!(reference_verify(&env, &e_secret, e_hit).0, 0);
    assert_eq!(e_hit.header("x-slotbase-signature"), "", "standard only");
    assert_eq!(
        reference_verify(&env, &a_secret, e_hit).0,
        1,
        "another endpoint's secret"
    );
    // Bearer auth and PUT; the record masks the token.
    let f_hit = &rx.hits("/f")[0];
    assert_eq!(
        f_hit.header("authorization"),
        "Bearer tok_receiver_checks_this"
    );
    assert_eq!(f_hit.header("webhook-signature"), "", "slotbase only");
    let ts = f_hit.header("x-slotbase-timestamp");
    assert_eq!(
        f_hit.header("x-slotbase-signature"),
        slotbase_hmac(&f_secret, ts, &f_hit.body)
    );
    let f_records = attempts(&env, Some(&f));
    assert_eq!(f_records[0]["method"], "PUT");
    let recorded = f_records[0]["headers"].to_string();
    assert!(!recorded.contains("tok_receiver_checks_this"), "{recorded}");

    // Rotation: the old and the new secret both verify; SlotBase signs with the new one.
    let rotated = env.json(&["webhook", "rotate-secret", &a, "--grace", "1h"]);
    let new_secret = rotated["signingSecret"].as_str().unwrap().to_string();
    emit(
        &env,
        "booking.confirmed",
        "evt-after-rotation",
        "fac_1",
        &["data.resourceId=court-1"],
    );
    let hit = eventually("the delivery after rotation", || async {
        rx.hits("/a")
            .into_iter()
            .find(|h| h.header("x-slotbase-event-id") == "evt-after-rotation")
    })
    .await;
    assert_eq!(hit.header("webhook-signature").split(' ').count(), 2);
    assert_eq!(reference_verify(&env, &a_secret, &hit).0, 0, "old secret");
    assert_eq!(reference_verify(&env, &new_secret, &hit).0, 0, "new secret");
    let ts = hit.header("x-slotbase-timestamp");
    assert_eq!(
        hit.header("x-slotbase-signature"),
        slotbase_hmac(&new_secret, ts, &hit.body)
    );

    // events trace shows the deliveries of an event.
    let trace = env.json(&["events", "trace", "evt-lesson"]);
    let ids: Vec<&str> = trace["webhookDeliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{trace}");
    assert!(ids.contains(&delivery.as_str()));
    daemon.shutdown().await;
    // Completed delivery jobs carry the keep rule that takes them out of the queue after
    // a day (webhooks.keep_completed_secs); the delivery log keeps every attempt.
    let done = env.json(&["queue", "list", "webhooks", "--state", "completed"]);
    let done = done.as_array().unwrap();
    assert!(!done.is_empty());
    for job in done {
        assert_eq!(
            job["opts"]["removeOnComplete"],
            json!({"age": 86400}),
            "{job}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_gone_retry_after_redirects_and_a_hanging_receiver() {
    let env = TestEnv::new();
    let rx = Receiver::start().await;
    let quick = ["--retry-delay", "50ms", "--max-retries", "3"];
    let (flaky, _) = add(
        &env,
        "fac_flaky",
        &rx.url("/flaky"),
        "booking.confirmed",
        &quick,
    );
    rx.script("/flaky", vec![Reply::Status(500), Reply::Status(200)]);
    let (gone, _) = add(
        &env,
        "fac_gone",
        &rx.url("/gone"),
        "booking.confirmed",
        &quick,
    );
    rx.always("/gone", Reply::Status(410));
    let (throttled, _) = add(
        &env,
        "fac_429",
        &rx.url("/throttle"),
        "booking.confirmed",
        &quick,
    );
    rx.script(
        "/throttle",
        vec![
            Reply::WithHeader(429, "retry-after", "2".into()),
            Reply::Status(200),
        ],
    );
    let (redirect, _) = add(
        &env,
        "fac_302",
        &rx.url("/redirect"),
        "booking.confirmed",
        &["--max-retries", "0"],
    );
    rx.always(
        "/redirect",
        Reply::WithHeader(302, "location", rx.url("/elsewhere")),
    );
    let (slow, _) = add(
        &env,
        "fac_slow",
        &rx.url("/slow"),
        "booking.confirmed",
        &["--retry-delay", "50ms", "--max-retries", "1"],
    );
    rx.always("/slow", Reply::Hang);
    add(&env, "fac_slow", &rx.url("/fast"), "booking.confirmed", &[]);

    for (id, fac) in [
        ("e-flaky", "fac_flaky"),
        ("e-gone", "fac_gone"),
        ("e-429", "fac_429"),
        ("e-302", "fac_302"),
    ] {
        emit(&env, "booking.confirmed", id, fac, &[]);
    }
    for i in 0..3 {
        emit(
            &env,
            "booking.confirmed",
            &format!("e-slow-{i}"),
            "fac_slow",
            &[],
        );
    }
    let daemon = Daemon::start(
        settings(
            &env,
            false,
            &[
                ("SLOTBASE_WEBHOOKS__TIMEOUT_MS", "1000"),
                ("SLOTBASE_WEBHOOKS__PER_ENDPOINT_CONCURRENCY", "1"),
            ],
        ),
        DaemonOptions::default(),
    )
    .await
    .expect("daemon starts");

    // 500 then 200: retried, one record per attempt, the same delivery id.
    let recs = eventually("the flaky delivery", || async {
        let r = attempts(&env, Some(&flaky));
        r.iter().any(|a| a["status"] == "delivered").then_some(r)
    })
    .await;
    assert_eq!(recs.len(), 2, "{recs:#?}");
    let hits = rx.hits("/flaky");
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].header("webhook-id"), hits[1].header("webhook-id"));
    assert_eq!(
        hits[0].header("x-slotbase-delivery-id"),
        hits[1].header("x-slotbase-delivery-id")
    );
    let first = recs.iter().find(|r| r["attemptCount"] == 1).unwrap();
    let second = recs.iter().find(|r| r["attemptCount"] == 2).unwrap();
    assert_eq!(first["status"], "retrying");
    assert_eq!(first["responseStatus"], 500);
    assert!(first["nextRetryAt"].is_string());
    assert_eq!(second["status"], "delivered");
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["firstAttemptAt"], second["firstAttemptAt"]);

    // 410 Gone disables the endpoint with the reason, and sends no more.
    let shown = eventually("the 410", || async {
        let s = env.json(&["webhook", "show", &gone]);
        (s["isActive"] == false).then_some(s)
    })
    .await;
    assert!(
        shown["disabledReason"]
            .as_str()
            .unwrap()
            .contains("410 Gone"),
        "{shown}"
    );
    let list = env.run_ok(&["webhook", "list"]);
    assert!(list.contains("disabled: 410 Gone"), "{list}");
    let recs = attempts(&env, Some(&gone));
    assert_eq!(
        (recs.len(), recs[0]["status"].as_str()),
        (1, Some("failed"))
    );

    // 429 with Retry-After: 2 waits at least 2 s (the record says when), then delivers.
    let recs = eventually("the throttled delivery", || async {
        let r = attempts(&env, Some(&throttled));
        r.iter().any(|a| a["status"] == "delivered").then_some(r)
    })
    .await;
    let first = recs.iter().find(|r| r["attemptCount"] == 1).unwrap();
    let at =
        chrono::DateTime::parse_from_rfc3339(first["lastAttemptAt"].as_str().unwrap()).unwrap();
    let next =
        chrono::DateTime::parse_from_rfc3339(first["nextRetryAt"].as_str().unwrap()).unwrap();
    assert!((next - at).num_milliseconds() >= 2000, "{first}");

    // A 302 is not followed and counts as a failure.
    let recs = eventually("the redirect", || async {
        let r = attempts(&env, Some(&redirect));
        (!r.is_empty()).then_some(r)
    })
    .await;
    assert_eq!(recs[0]["status"], "failed");
    assert_eq!(recs[0]["responseStatus"], 302);
    assert!(
        recs[0]["errorMessage"]
            .as_str()
            .unwrap()
            .contains("not followed")
    );
    assert!(rx.hits("/elsewhere").is_empty());

    // The hanging receiver times out and is retried, while the endpoint beside it
    // (same facility, same events) receives every event.
    let recs = eventually("the slow endpoint's timeouts", || async {
        let r = attempts(&env, Some(&slow));
        (r.iter().filter(|a| a["status"] == "failed").count() == 3).then_some(r)
    })
    .await;
    assert!(
        recs.iter()
            .all(|r| r["errorMessage"].as_str().unwrap().contains("timed out")),
        "{recs:#?}"
    );
    assert_eq!(recs.len(), 6, "two attempts for each of three events");
    assert_eq!(rx.hits("/fast").len(), 3);
    let dlq = env.json(&["dlq", "list"]);
    assert!(
        dlq.as_array()
            .unwrap()
            .iter()
            .any(|d| d["failedHandlers"][0] == format!("webhook:{slow}"))
    );
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssrf_guard_refuses_loopback_mapped_and_metadata_addresses() {
    let env = TestEnv::new();
    let rx = Receiver::start().await;
    let port = rx.addr.port();
    let targets = [
        format!("http://127.0.0.1:{port}/x"),
        format!("http://[::ffff:127.0.0.1]:{port}/x"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        format!("http://localhost:{port}/x"),
    ];
    let mut ids = Vec::new();
    for t in &targets {
        ids.push(
            add(
                &env,
                "fac_1",
                t,
                "booking.confirmed",
                &["--max-retries", "0"],
            )
            .0,
        );
    }
    emit(&env, "booking.confirmed", "evt-ssrf", "fac_1", &[]);
    let daemon = Daemon::start(settings(&env, true, &[]), DaemonOptions::default())
        .await
        .expect("daemon starts");
    let recs = eventually("the refusals", || async {
        let r = attempts(&env, None);
        (r.len() == 4).then_some(r)
    })
    .await;
    daemon.shutdown().await;
    for r in &recs {
        assert_eq!(r["status"], "failed");
        assert!(r["responseStatus"].is_null());
        let err = r["errorMessage"].as_str().unwrap();
        assert!(err.contains("refused by the SSRF guard"), "{err}");
    }
    let by_url = |u: &str| {
        recs.iter().find(|r| r["url"] == u).unwrap()["errorMessage"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(by_url(&targets[1]).contains("127.0.0.1 is loopback"));
    assert!(by_url(&targets[2]).contains("cloud metadata"));
    assert!(rx.hits("/x").is_empty(), "nothing reached the receiver");
    // The same from the command line, which exits 1 with the reason.
    let (code, out, err) = env.run(&["webhook", "test", &ids[0]]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("refused by the SSRF guard"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exhausted_deliveries_are_dead_letters_that_replay_until_delivered() {
    let env = TestEnv::new();
    let rx = Receiver::start().await;
    let (id, _) = add(
        &env,
        "fac_1",
        &rx.url("/broken"),
        "booking.confirmed",
        &["--max-retries", "1", "--retry-delay", "50ms"],
    );
    rx.always("/broken", Reply::Status(500));
    emit(&env, "booking.confirmed", "evt-dead", "fac_1", &[]);
    let daemon = Daemon::start(settings(&env, false, &[]), DaemonOptions::default())
        .await
        .expect("daemon starts");
    let entry = eventually("the dead letter", || async {
        let l = env.json(&["dlq", "list"]);
        l.as_array().and_then(|a| a.first().cloned())
    })
    .await;
    assert_eq!(entry["eventId"], "evt-dead");
    assert_eq!(entry["failedHandlers"], json!([format!("webhook:{id}")]));
    assert_eq!(rx.hits("/broken").len(), 2);
    let shown = env.json(&["dlq", "show", entry["id"].as_str().unwrap()]);
    assert_eq!(shown["errors"].as_array().unwrap().len(), 2, "{shown}");

    // Replayed too early, while the receiver still fails: a new dead letter, which can be
    // replayed again.
    env.run_ok(&["dlq", "replay", entry["id"].as_str().unwrap(), "--yes"]);
    let second = eventually("the second dead letter", || async {
        let l = env.json(&["dlq", "list"]);
        l.as_array()
            .and_then(|a| a.iter().find(|e| e["id"] != entry["id"]).cloned())
    })
    .await;
    assert_eq!(second["eventId"], "evt-dead");
    let failed_hits = rx.hits("/broken").len();
    assert!(failed_hits > 2, "the first replay was not sent");

    // The receiver is fixed; the replay sends the delivery once more, same id.
    rx.always("/broken", Reply::Status(200));
    env.run_ok(&["dlq", "replay", second["id"].as_str().unwrap(), "--yes"]);
    let recs = eventually("the replayed delivery", || async {
        let r = attempts(&env, Some(&id));
        r.iter().any(|a| a["status"] == "delivered").then_some(r)
    })
    .await;
    assert_eq!(recs.len(), failed_hits + 1);
    assert!(recs.iter().all(|r| r["id"] == recs[0]["id"]));
    // Another replay request changes nothing: the entry is resolved.
    env.run_ok(&["dlq", "replay", second["id"].as_str().unwrap(), "--yes"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hits = rx.hits("/broken");
    assert_eq!(hits.len(), failed_hits + 1);
    assert_eq!(
        hits[0].header("webhook-id"),
        hits[failed_hits].header("webhook-id")
    );
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_redeliver_and_preview_from_the_command_line() {
    let env = TestEnv::new();
    let rx = Receiver::start().await;
    let mapping = env.write(
        "mapping.json",
        r#"{"Booking ID": "{{data.bookingId}}", "Date": "{{data.startAt | date: \"%Y-%m-%d\"}}", "Time": "{{data.startAt | date: \"%H:%M\"}}", "Missing": "{{data.nothing}}"}"#,
    );
    let mapping_arg = format!("@{}", mapping.display());
    let (id, _) = add(
        &env,
        "fac_1",
        &rx.url("/zap"),
        "booking.confirmed",
        &["--mapping", &mapping_arg],
    );
    let env = env.with_env("SLOTBASE_WEBHOOKS__ALLOWED_CIDRS", "127.0.0.0/8");

    let out = env.run_ok(&["webhook", "test", &id]);
    assert!(out.contains("delivered") && out.contains("200"), "{out}");
    let hit = &rx.hits("/zap")[0];
    assert_eq!(hit.header("x-slotbase-event"), "booking.confirmed");
    let body: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(body["Missing"], "");
    assert_eq!(body["Date"].as_str().unwrap().len(), 10, "{body}");

    let delivery = hit.header("x-slotbase-delivery-id").to_string();
    let out = env.json(&["webhook", "redeliver", &delivery, "--to", &rx.url("/local")]);
    assert_eq!(out["status"], "delivered");
    assert_eq!(out["attempt"], 2);
    let again = &rx.hits("/local")[0];
    assert_eq!(again.header("x-slotbase-delivery-id"), delivery);
    assert_eq!(again.body, hit.body);
    let recs = attempts(&env, Some(&id));
    let triggers: Vec<&str> = recs
        .iter()
        .map(|r| r["trigger"].as_str().unwrap())
        .collect();
    assert_eq!(triggers, vec!["manual", "test"]);

    let event = env.write(
        "event.json",
        r#"{"id":"e1","type":"booking.confirmed","facilityId":"fac_1","data":{"bookingId":"BKG-9","startAt":"2025-11-15T18:30:00Z"}}"#,
    );
    let out = env.run_ok(&[
        "webhook",
        "preview",
        &id,
        "--event",
        &format!("@{}", event.display()),
    ]);
    let body: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        body,
        json!({"Booking ID": "BKG-9", "Date": "2025-11-15", "Time": "18:30", "Missing": ""})
    );
}

/// SIGKILL of a real daemon process in the middle of deliveries: after a restart every
/// delivery is recorded as delivered exactly once, and the receiver saw every delivery id
/// (some perhaps twice: delivery is at least once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_delivery_loses_no_delivery() {
    let env = TestEnv::new()
        .with_env("SLOTBASE_WEBHOOKS__ALLOWED_CIDRS", "127.0.0.0/8")
        .with_env("SLOTBASE_WEBHOOKS__TIMEOUT_MS", "5000");
    let rx = Receiver::start().await;
    rx.always("/one", Reply::Slow(40));
    rx.always("/two", Reply::Slow(40));
    add(&env, "fac_1", &rx.url("/one"), "booking.confirmed", &[]);
    add(&env, "fac_1", &rx.url("/two"), "booking.confirmed", &[]);
    let n = 150;
    env.run_ok(&[
        "emit",
        "booking.confirmed",
        "--count",
        &n.to_string(),
        "--seed",
        "5",
        "--set",
        "data.facilityId=fac_1",
    ]);
    let mut daemon = crate::daemon_process::spawn_daemon(&env);
    eventually("deliveries under way", || async {
        (rx.hits("/one").len() + rx.hits("/two").len() >= 40).then_some(())
    })
    .await;
    daemon.kill().expect("SIGKILL");
    daemon.wait().unwrap();
    let before = attempts(&env, None)
        .iter()
        .filter(|a| a["status"] == "delivered")
        .count();
    assert!(
        before < 2 * n,
        "everything was delivered before the kill; nothing was tested"
    );

    let mut daemon = crate::daemon_process::spawn_daemon(&env);
    let records = eventually("every delivery after the restart", || async {
        let r = attempts(&env, None);
        let delivered = r.iter().filter(|a| a["status"] == "delivered").count();
        (delivered >= 2 * n).then_some(r)
    })
    .await;
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    let mut delivered: Vec<&str> = records
        .iter()
        .filter(|a| a["status"] == "delivered")
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    delivered.sort();
    let total = delivered.len();
    delivered.dedup();
    assert_eq!(
        (delivered.len(), total),
        (2 * n, 2 * n),
        "each delivery recorded delivered once"
    );
    let mut seen: Vec<String> = rx
        .hits("/one")
        .into_iter()
        .chain(rx.hits("/two"))
        .map(|h| h.header("x-slotbase-delivery-id").to_string())
        .collect();
    let sent = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen, delivered, "the receiver saw every delivery id");
    assert!(sent >= 2 * n);
    // The webhooks queue is empty and nothing failed.
    let q = env.json(&["queue", "stats", "webhooks"])[0].clone();
    assert_eq!(
        (q["waiting"].as_u64(), q["failed"].as_u64()),
        (Some(0), Some(0)),
        "{q}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_deliveries_are_listed_from_the_queue() {
    let env = TestEnv::new();
    let rx = Receiver::start().await;
    let (id, _) = add(
        &env,
        "fac_1",
        &rx.url("/later"),
        "booking.confirmed",
        &["--max-retries", "3", "--retry-delay", "1h"],
    );
    rx.always("/later", Reply::Status(503));
    emit(&env, "booking.confirmed", "evt-pending", "fac_1", &[]);
    let out = env.run_ok(&["webhook", "deliveries", "--status", "pending"]);
    assert!(out.contains("no deliveries are pending"), "{out}");
    let daemon = Daemon::start(settings(&env, false, &[]), DaemonOptions::default())
        .await
        .expect("daemon starts");
    let rows = eventually("the delivery waiting for its retry", || async {
        let r = env.json(&["webhook", "deliveries", "--status", "pending"]);
        r.as_array()
            .filter(|a| a.iter().any(|d| d["state"] == "delayed"))
            .cloned()
    })
    .await;
    daemon.shutdown().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["webhookId"], id.as_str());
    assert_eq!(rows[0]["eventId"], "evt-pending");
    assert_eq!(rows[0]["failedAttempts"], 1);
    let table = env.run_ok(&["webhook", "deliveries", "--status", "pending", &id]);
    assert!(
        table.contains("evt-pending") && table.contains("delayed"),
        "{table}"
    );
    let other = env.json(&[
        "webhook",
        "deliveries",
        "--status",
        "pending",
        "--event",
        "evt-other",
    ]);
    assert_eq!(other, json!([]));
}

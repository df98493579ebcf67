//! The daemon end to end on the embedded backend: events in both envelopes become the
//! seeds' notifications, preferences are honoured, forwards land on their queues, bad
//! input becomes dead letters that can be replayed, and nothing runs twice.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use slotbase::daemon::{Daemon, DaemonOptions};
use slotbase::settings::{FlagOverrides, Settings};

use crate::support::TestEnv;

/// Settings for an in-process daemon on the env's database, HTTP on a free port.
fn settings(env: &TestEnv, extra: &[(&str, &str)]) -> Settings {
    let mut vars: Vec<(String, String)> = vec![
        (
            "SLOTBASE_STORE__PATH".into(),
            env.db().display().to_string(),
        ),
        ("SLOTBASE_HTTP__LISTEN".into(), "127.0.0.1:0".into()),
        ("SLOTBASE_DAEMON__SHUTDOWN_GRACE_MS".into(), "3000".into()),
        ("SLOTBASE_RETRY__DEFAULT_DELAY_MS".into(), "50".into()),
        ("SLOTBASE_RETRY__MAX_DELAY_MS".into(), "200".into()),
    ];
    for (k, v) in extra {
        vars.push((k.to_string(), v.to_string()));
    }
    Settings::load_from(&FlagOverrides::default(), &vars)
        .expect("settings")
        .0
}

/// Poll `f` until it returns Some, for up to 20 s.
async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
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

fn notifications(env: &TestEnv, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["notifications", "list", "--limit", "1000"];
    all.extend_from_slice(args);
    env.json(&all).as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_in_both_envelopes_become_the_seeds_notifications() {
    let env = TestEnv::new();
    // A legacy booking.confirmed for user_001, and a domain booking.confirmed whose booker
    // is also a participant.
    env.run_ok(&[
        "emit",
        "booking.confirmed",
        "--format",
        "legacy",
        "--seed",
        "1",
        "--set",
        "data.userId=user_001",
        "--set",
        "data.bookingId=BKG-LEG-1",
    ]);
    env.run_ok(&[
        "emit", "booking.confirmed", "--seed", "2",
        "--set", "data.bookerId=booker_1", "--set", "data.bookingId=BKG-DOM-1",
        "--set", r#"data.participants=[{"userId":"booker_1","name":"A B","role":"player"},{"userId":"friend_2","name":"C D","role":"player"}]"#,
    ]);
    // user_002 turned email off: their legacy payment.failed creates nothing.
    env.run_ok(&["prefs", "set", "user_002", "email=off"]);
    env.run_ok(&[
        "emit",
        "payment.failed",
        "--format",
        "legacy",
        "--set",
        "data.userId=user_002",
    ]);

    let daemon = Daemon::start(settings(&env, &[]), DaemonOptions::default())
        .await
        .expect("daemon starts");
    let legacy = eventually("the legacy confirmation", || async {
        let n = notifications(&env, &["--user", "user_001"]);
        (!n.is_empty()).then_some(n)
    })
    .await;
    assert_eq!(legacy.len(), 1);
    assert_eq!(legacy[0]["template"], "booking_confirmation");
    assert_eq!(legacy[0]["subject"], "Confirmation de votre réservation");
    assert_eq!(legacy[0]["channel"], "email");
    assert_eq!(legacy[0]["priority"], "high");
    assert_eq!(legacy[0]["metadata"]["bookingId"], "BKG-LEG-1");
    assert!(legacy[0]["content"]["parkingName"].is_string());

    let domain = eventually("the domain confirmations", || async {
        let n = notifications(&env, &["--template", "booking-confirmation"]);
        (n.len() >= 3).then_some(n)
    })
    .await;
    // booker: email + push; participants: email to friend_2 (booker_1's email is not doubled).
    let mut got: Vec<(String, String)> = domain
        .iter()
        .map(|n| {
            (
                n["userId"].as_str().unwrap().to_string(),
                n["channel"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("booker_1".into(), "email".into()),
            ("booker_1".into(), "push".into()),
            ("friend_2".into(), "email".into()),
        ]
    );
    // Forwards of booking.confirmed landed on their queues.
    let stats = env.json(&["queue", "stats"]);
    let cal = stats
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["queue"] == "calendar-sync")
        .expect("calendar-sync queue");
    assert_eq!(cal["waiting"], 2, "{stats}");

    // Everything processed: the payment.failed of user_002 created nothing.
    eventually("every event processed", || async {
        let s = env.json(&["queue", "stats", "notifications", "domain-events"]);
        let done = s
            .as_array()
            .unwrap()
            .iter()
            .all(|q| q["waiting"] == 0 && q["active"] == 0);
        done.then_some(())
    })
    .await;
    assert!(notifications(&env, &["--user", "user_002"]).is_empty());
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwards_of_one_event_each_get_their_targets_envelope() {
    let env = TestEnv::new();
    // capacity takes the legacy envelope; availability and calendar-sync keep the domain one.
    let daemon = Daemon::start(
        settings(
            &env,
            &[("SLOTBASE_HANDLERS__FORWARD__CAPACITY__FORMAT", "legacy")],
        ),
        DaemonOptions::default(),
    )
    .await
    .unwrap();
    env.run_ok(&[
        "emit",
        "booking.confirmed",
        "--set",
        "id=evt-fmt-1",
        "--set",
        "data.bookingId=BKG-FMT-1",
    ]);
    let waiting = |queue: &str| {
        env.json(&["queue", "list", queue, "--state", "wait"])
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let legacy = eventually("the capacity forward", || async {
        waiting("capacity-tracking").pop()
    })
    .await;
    daemon.shutdown().await;
    assert_eq!(legacy["data"]["eventType"], "booking.confirmed", "{legacy}");
    assert_eq!(legacy["data"]["eventId"], "evt-fmt-1", "{legacy}");
    assert_eq!(legacy["data"]["data"]["bookingId"], "BKG-FMT-1", "{legacy}");
    assert!(legacy["data"].get("type").is_none(), "{legacy}");
    for queue in ["availability-cache", "calendar-sync"] {
        let jobs = waiting(queue);
        assert_eq!(jobs.len(), 1, "{queue}: {jobs:?}");
        let data = &jobs[0]["data"];
        assert_eq!(data["type"], "booking.confirmed", "{queue}: {data}");
        assert_eq!(data["id"], "evt-fmt-1", "{queue}: {data}");
        assert_eq!(data["data"]["bookingId"], "BKG-FMT-1", "{queue}: {data}");
        assert!(data.get("eventType").is_none(), "{queue}: {data}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_dead_lettered_and_replay_processes_once() {
    let env = TestEnv::new();
    let settings = settings(&env, &[("SLOTBASE_DAEMON__MAX_PAYLOAD_BYTES", "4096")]);
    let q = slotbase::queue::open(&settings).await.unwrap();
    let add = |data: String| slotbase::queue::NewJob {
        name: "booking-event".into(),
        data,
        opts: Default::default(),
    };
    q.add(
        "notifications",
        vec![
            add("{not json".into()),
            add(json!({"eventType": "booking.confirmd", "eventId": "e-unknown", "data": {}}).to_string()),
            add(json!({"eventType": "payment.received", "timestamp": "2026-01-01T00:00:00Z", "data": {}}).to_string()),
            add(json!({"eventType": "payment.received", "eventId": "e-big", "data": {"pad": "x".repeat(5000)}}).to_string()),
        ],
    )
    .await
    .unwrap();
    let daemon = Daemon::start(settings.clone(), DaemonOptions::default())
        .await
        .unwrap();
    let entries = eventually("four dead letters", || async {
        let l = env.json(&["dlq", "list"]);
        let l = l.as_array().cloned().unwrap_or_default();
        (l.len() >= 4).then_some(l)
    })
    .await;
    let codes: Vec<String> = entries
        .iter()
        .map(|e| e["errors"][0]["code"].as_str().unwrap().to_string())
        .collect();
    for code in [
        "malformed_json",
        "unknown_type",
        "missing_id",
        "payload_too_large",
    ] {
        assert!(
            codes.contains(&code.to_string()),
            "{code} missing in {codes:?}"
        );
    }
    let unknown = entries
        .iter()
        .find(|e| e["eventId"] == "e-unknown")
        .unwrap();
    assert!(
        unknown["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("booking.confirmed"),
        "{unknown}"
    );
    let raw = entries
        .iter()
        .find(|e| e["errors"][0]["code"] == "malformed_json")
        .unwrap();
    assert_eq!(raw["raw"], "{not json");

    // The daemon keeps processing good events.
    env.run_ok(&[
        "emit",
        "booking.created",
        "--format",
        "legacy",
        "--set",
        "data.userId=u_ok",
    ]);
    eventually("the good event", || async {
        (!notifications(&env, &["--user", "u_ok"]).is_empty()).then_some(())
    })
    .await;
    daemon.shutdown().await;

    // Dry run changes nothing; an unreadable payload cannot be replayed.
    let id = raw["id"].as_str().unwrap();
    let out = env.run_ok(&["dlq", "replay", id, "--dry-run"]);
    assert!(out.contains("nothing to replay"), "{out}");
    let before = env.json(&["dlq", "list"]);
    assert_eq!(before.as_array().unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_gives_up_is_replayed_once_after_the_fix() {
    // The replay job is the daemon's own: with nothing kept, it leaves the queue when done.
    let env = TestEnv::new().with_env("SLOTBASE_DAEMON__KEEP_COMPLETED", "0");
    // No manager configured: the escalation's notification handler fails permanently.
    let broken = settings(&env, &[("SLOTBASE_NOTIFICATIONS__TICKET_MANAGER_ID", "")]);
    env.run_ok(&[
        "emit",
        "ticket.escalated",
        "--format",
        "legacy",
        "--set",
        "data.ticketNumber=T-42",
    ]);
    let daemon = Daemon::start(broken, DaemonOptions::default())
        .await
        .unwrap();
    let entry = eventually("the dead letter", || async {
        env.json(&["dlq", "list", "--type", "ticket.escalated"])
            .as_array()
            .and_then(|a| a.first().cloned())
    })
    .await;
    daemon.shutdown().await;
    assert_eq!(entry["failedHandlers"], json!(["notification"]));
    assert!(
        entry["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("ticket_manager_id"),
        "{entry}"
    );
    let id = entry["id"].as_str().unwrap().to_string();

    // Dry run: nothing changes.
    let out = env.run_ok(&["dlq", "replay", &id, "--dry-run"]);
    assert!(
        out.contains("would replay") && out.contains("handlers notification"),
        "{out}"
    );
    assert_eq!(env.json(&["dlq", "list"]).as_array().unwrap().len(), 1);

    // Fix the cause, replay, and the escalation reaches the manager once.
    let fixed = settings(
        &env,
        &[("SLOTBASE_NOTIFICATIONS__TICKET_MANAGER_ID", "mgr_9")],
    );
    let out = env.run_ok(&["dlq", "replay", &id, "--by", "ops-alice"]);
    assert!(
        out.contains("resolved as reprocessed by ops-alice"),
        "{out}"
    );
    // Replaying again is refused quietly: the entry is resolved.
    let out = env.run_ok(&["dlq", "replay", &id]);
    assert!(out.contains("no open dead letters"), "{out}");
    let daemon = Daemon::start(fixed, DaemonOptions::default())
        .await
        .unwrap();
    let got = eventually("the manager's notification", || async {
        let n = notifications(&env, &["--user", "mgr_9"]);
        (!n.is_empty()).then_some(n)
    })
    .await;
    assert_eq!(got[0]["template"], "ticket_escalated");
    assert_eq!(got[0]["priority"], "urgent");
    // Emit the same replay job again by hand: the effect is recorded, nothing doubles.
    tokio::time::sleep(Duration::from_millis(300)).await;
    daemon.shutdown().await;
    assert_eq!(notifications(&env, &["--user", "mgr_9"]).len(), 1);
    let retries = env.json(&["queue", "stats", "slotbase-retries"]);
    assert_eq!(retries[0]["completed"], 0, "{retries}");
    assert_eq!(retries[0]["waiting"], 0, "{retries}");
    let shown = env.json(&["dlq", "show", &id]);
    assert_eq!(shown["resolution"], "reprocessed");
    assert_eq!(shown["resolvedBy"], "ops-alice");
}

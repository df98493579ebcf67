//! The `queue` commands through the real binary, written once and run on each backend:
//! what an operator sees, and that bulk actions are safe.

use std::time::Duration;

use serde_json::Value;
use slotbase::queue::{Failure, QueueBackend, Retry};
use slotbase::settings::{FlagOverrides, Settings};

use crate::support::TestEnv;

/// The backend the env's commands use, opened through the library to arrange states.
pub async fn backend(env: &TestEnv, redis: Option<&str>) -> std::sync::Arc<dyn QueueBackend> {
    let mut vars = vec![(
        "SLOTBASE_STORE__PATH".to_string(),
        env.db().display().to_string(),
    )];
    if let Some(url) = redis {
        vars.push(("SLOTBASE_REDIS__URL".into(), url.into()));
    }
    let settings = Settings::load_from(&FlagOverrides::default(), &vars)
        .unwrap()
        .0;
    slotbase::queue::open(&settings).await.unwrap()
}

fn counts(env: &TestEnv, queue: &str) -> Value {
    let v = env.json(&["queue", "stats", queue]);
    v[0].clone()
}

/// Put jobs of `queue` in every state: 2 completed, 2 failed, 1 active, 3 waiting,
/// 2 delayed.
async fn arrange(env: &TestEnv, q: &dyn QueueBackend, queue: &str) {
    env.run_ok(&[
        "emit",
        "booking.created",
        "--format",
        "legacy",
        "--queue",
        queue,
        "--count",
        "8",
    ]);
    let token = "test-worker";
    let lease = Duration::from_secs(60);
    let done = q.claim(queue, token, lease, 2, None).await.unwrap();
    let results: Vec<(String, String)> = done
        .iter()
        .map(|j| (j.id.clone(), "{\"ok\":true}".into()))
        .collect();
    q.complete(queue, token, &results).await.unwrap();
    for job in q.claim(queue, token, lease, 2, None).await.unwrap() {
        q.fail(
            queue,
            token,
            &job.id,
            &Failure {
                message: "receiver said 500".into(),
                stack: Some("Error: receiver said 500\n    at deliver".into()),
                retry: Retry::Never,
            },
        )
        .await
        .unwrap()
        .unwrap();
    }
    q.claim(queue, token, lease, 1, None).await.unwrap();
    env.run_ok(&[
        "emit",
        "booking.created",
        "--format",
        "legacy",
        "--queue",
        queue,
        "--count",
        "2",
        "--delay",
        "1h",
    ]);
}

pub async fn operator_commands(env: &TestEnv, redis: Option<&str>) {
    let q = backend(env, redis).await;
    let queue = "ops";
    arrange(env, q.as_ref(), queue).await;

    let c = counts(env, queue);
    for (k, v) in [
        ("waiting", 3),
        ("active", 1),
        ("completed", 2),
        ("failed", 2),
        ("delayed", 2),
        ("paused", 0),
    ] {
        assert_eq!(c[k], v, "{k} in {c}");
    }
    assert!(c["oldestWaitingAgeMs"].as_i64().unwrap() >= 0, "{c}");
    let table = env.run_ok(&["queue", "stats"]);
    assert!(
        table.contains("ops") && table.contains("WAITING") && table.contains("running"),
        "{table}"
    );

    // list and show
    let failed = env.json(&["queue", "list", queue, "--state", "failed"]);
    let failed = failed.as_array().unwrap();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["failedReason"], "receiver said 500");
    assert_eq!(failed[0]["data"]["eventType"], "booking.created");
    let id = failed[0]["id"].as_str().unwrap().to_string();
    let shown = env.run_ok(&["queue", "show", queue, &id]);
    assert!(
        shown.contains("failed reason") && shown.contains("receiver said 500"),
        "{shown}"
    );
    assert!(shown.contains("at deliver"), "stack trace missing: {shown}");
    assert!(shown.contains("booking.created"), "{shown}");
    let page = env.json(&[
        "queue", "list", queue, "--state", "wait", "--limit", "2", "--offset", "1",
    ]);
    assert_eq!(page.as_array().unwrap().len(), 2);
    let (code, _, err) = env.run(&["queue", "show", queue, "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no job nope in queue ops"), "{err}");

    // retry one, then all
    let out = env.run_ok(&["queue", "retry", queue, &id]);
    assert!(out.contains(&format!("retried job {id}")), "{out}");
    let (code, out, err) = env.run(&["queue", "retry", queue, &id]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("not failed"), "{out}");
    let out = env.run_ok(&["queue", "retry", queue, "--all"]);
    assert!(out.contains("moved 1 failed jobs"), "{out}");
    assert_eq!(counts(env, queue)["waiting"], 5);

    // remove refuses the active job
    let active = env.json(&["queue", "list", queue, "--state", "active"]);
    let active_id = active[0]["id"].as_str().unwrap().to_string();
    let (code, out, _) = env.run(&["queue", "remove", queue, &active_id]);
    assert_eq!(code, 2);
    assert!(out.contains("a worker holds it"), "{out}");

    // promote one delayed job
    let delayed = env.json(&["queue", "list", queue, "--state", "delayed"]);
    let d_id = delayed[0]["id"].as_str().unwrap().to_string();
    env.run_ok(&["queue", "promote", queue, &d_id]);
    assert_eq!(counts(env, queue)["delayed"], 1);
    assert_eq!(counts(env, queue)["waiting"], 6);

    // pause keeps new jobs; resume releases them
    let out = env.run_ok(&["queue", "pause", queue]);
    assert!(out.contains("paused"), "{out}");
    env.run_ok(&[
        "emit",
        "booking.created",
        "--format",
        "legacy",
        "--queue",
        queue,
    ]);
    let c = counts(env, queue);
    assert_eq!(c["paused"], 7, "{c}");
    assert_eq!(c["waiting"], 0, "{c}");
    assert_eq!(c["isPaused"], true);
    assert!(
        q.claim(queue, "w", Duration::from_secs(5), 1, None)
            .await
            .unwrap()
            .is_empty()
    );
    env.run_ok(&["queue", "resume", queue]);
    let c = counts(env, queue);
    assert_eq!(c["waiting"], 7, "{c}");
    assert_eq!(c["isPaused"], false);

    // drain: dry run, refusal without a terminal, then for real
    let out = env.run_ok(&["queue", "drain", queue, "--delayed", "--dry-run"]);
    assert!(
        out.contains("would remove 7 waiting and 1 delayed jobs"),
        "{out}"
    );
    let (code, _, err) = env.run(&["queue", "drain", queue]);
    assert_eq!(code, 2);
    assert!(err.contains("pass --yes"), "{err}");
    assert_eq!(counts(env, queue)["waiting"], 7);
    let out = env.run_ok(&["queue", "drain", queue, "--yes"]);
    assert!(out.contains("removed 7 jobs"), "{out}");
    let c = counts(env, queue);
    assert_eq!(
        (c["waiting"].as_u64(), c["delayed"].as_u64()),
        (Some(0), Some(1)),
        "{c}"
    );

    // clean by age: nothing is older than an hour; everything is older than 0s
    let out = env.run_ok(&[
        "queue",
        "clean",
        queue,
        "--state",
        "completed",
        "--older-than",
        "1h",
    ]);
    assert!(out.contains("removed 0 completed"), "{out}");
    let out = env.run_ok(&[
        "queue",
        "clean",
        queue,
        "--state",
        "completed",
        "--older-than",
        "0s",
        "--dry-run",
    ]);
    assert!(out.contains("would remove 2 completed"), "{out}");
    let out = env.run_ok(&[
        "queue",
        "clean",
        queue,
        "--state",
        "completed",
        "--older-than",
        "0s",
    ]);
    assert!(out.contains("removed 2 completed"), "{out}");
    assert_eq!(counts(env, queue)["completed"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_commands_on_the_embedded_queue() {
    let env = TestEnv::new();
    operator_commands(&env, None).await;
}

#[test]
fn emit_count_reports_and_lands_in_the_queue() {
    let env = TestEnv::new();
    let out = env.run_ok(&[
        "emit",
        "payment.refunded",
        "--count",
        "250",
        "--format",
        "legacy",
    ]);
    assert!(
        out.contains("emitted 250 payment.refunded events to queue notifications"),
        "{out}"
    );
    assert!(out.contains("events/s"), "{out}");
    let c = env.json(&["queue", "stats", "notifications"]);
    assert_eq!(c[0]["waiting"], 250);
    let jobs = env.json(&["queue", "list", "notifications", "--limit", "1"]);
    assert_eq!(jobs[0]["name"], "booking-event");
    assert_eq!(jobs[0]["data"]["eventType"], "payment.refunded");
    assert_eq!(jobs[0]["opts"]["attempts"], 3);
    // Nothing is half-written on bad input.
    let (code, _, err) = env.run(&[
        "emit",
        "payment.refunded",
        "--count",
        "5",
        "--set",
        "data.refundAmount=lots",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("data.refundAmount"), "{err}");
    let (code, _, err) = env.run(&["emit", "payment.refunded", "--count", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--count 0"), "{err}");
    assert_eq!(
        env.json(&["queue", "stats", "notifications"])[0]["waiting"],
        250
    );
}

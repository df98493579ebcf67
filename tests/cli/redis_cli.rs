//! The commands and the daemon on Redis, beside real Bull: what `slotbase emit` adds a
//! NestJS-style Bull worker runs; `queue stats --json` equals Bull's `getJobCounts()`; the
//! daemon processes, forwards in Bull's format, survives SIGKILL and a Redis restart.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use slotbase::daemon::{Daemon, DaemonOptions};
use slotbase::settings::{FlagOverrides, Settings};

use crate::bull_interop::bull;
use crate::redis_support::RedisServer;
use crate::support::TestEnv;

fn env_on(server: &RedisServer) -> TestEnv {
    TestEnv::new().with_env("SLOTBASE_REDIS__URL", &server.url())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_commands_on_redis() {
    let server = RedisServer::start();
    let env = env_on(&server);
    crate::queue_cli::operator_commands(&env, Some(&server.url())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emit_legacy_runs_in_a_bull_booking_event_processor() {
    let server = RedisServer::start();
    let env = env_on(&server);
    let printed = env.run_ok(&[
        "emit",
        "booking.confirmed",
        "--format",
        "legacy",
        "--seed",
        "5",
        "--print",
        "--count",
        "3",
    ]);
    let out = env.run_ok(&[
        "emit",
        "booking.confirmed",
        "--format",
        "legacy",
        "--seed",
        "5",
        "--count",
        "3",
    ]);
    assert!(
        out.contains("emitted 3 booking.confirmed events to queue notifications"),
        "{out}"
    );
    let result = bull(
        &server,
        "notifications",
        "process",
        json!({"name": "booking-event", "count": 3}),
    )
    .await;
    let seen = result["seen"].as_array().expect("Bull saw jobs");
    assert_eq!(seen.len(), 3);
    let expected: Vec<Value> = printed
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (s, e) in seen.iter().zip(&expected) {
        assert_eq!(s["name"], "booking-event");
        assert_eq!(
            &s["data"], e,
            "Bull sees exactly the seed-1 event slotbase generated"
        );
        assert!(s["data"]["data"]["parkingName"].is_string());
        assert!(
            s["data"]["data"]["confirmationCode"]
                .as_str()
                .unwrap()
                .starts_with("CONF-")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_json_equals_bulls_job_counts() {
    let server = RedisServer::start();
    let env = env_on(&server);
    let q = crate::queue_cli::backend(&env, Some(&server.url())).await;
    env.run_ok(&[
        "emit",
        "booking.created",
        "--format",
        "legacy",
        "--count",
        "7",
    ]);
    env.run_ok(&[
        "emit",
        "booking.created",
        "--format",
        "legacy",
        "--count",
        "2",
        "--delay",
        "1h",
    ]);
    let claimed = q
        .claim("notifications", "t", Duration::from_secs(60), 3, None)
        .await
        .unwrap();
    q.complete(
        "notifications",
        "t",
        &[(claimed[0].id.clone(), "null".into())],
    )
    .await
    .unwrap();
    q.fail(
        "notifications",
        "t",
        &claimed[1].id,
        &slotbase::queue::Failure {
            message: "boom".into(),
            stack: None,
            retry: slotbase::queue::Retry::Never,
        },
    )
    .await
    .unwrap()
    .unwrap();
    env.run_ok(&[
        "emit",
        "booking.created",
        "--format",
        "legacy",
        "--count",
        "2",
        "--priority",
        "1",
    ]);
    env.run_ok(&["queue", "pause", "notifications"]);
    env.run_ok(&["emit", "booking.created", "--format", "legacy"]);
    let ours = &env.json(&["queue", "stats", "notifications"])[0];
    let theirs = bull(&server, "notifications", "counts", json!({})).await["counts"].clone();
    for k in [
        "waiting",
        "active",
        "completed",
        "failed",
        "delayed",
        "paused",
    ] {
        assert_eq!(ours[k], theirs[k], "{k}: ours {ours} vs Bull's {theirs}");
    }
    assert_eq!(ours["paused"], 7, "{ours}");
    assert_eq!(ours["prioritized"], 2, "{ours}");
}

fn daemon_settings(env: &TestEnv, server: &RedisServer) -> Settings {
    let vars: Vec<(String, String)> = vec![
        (
            "SLOTBASE_STORE__PATH".into(),
            env.db().display().to_string(),
        ),
        ("SLOTBASE_REDIS__URL".into(), server.url()),
        ("SLOTBASE_HTTP__ENABLED".into(), "false".into()),
        ("SLOTBASE_DAEMON__LEASE_MS".into(), "2000".into()),
        ("SLOTBASE_DAEMON__STALLED_INTERVAL_MS".into(), "500".into()),
    ];
    Settings::load_from(&FlagOverrides::default(), &vars)
        .unwrap()
        .0
}

async fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn completed(env: &TestEnv, queue: &str) -> u64 {
    env.json(&["queue", "stats", queue])[0]["completed"]
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemon_on_redis_notifies_and_forwards_in_bulls_format() {
    let server = RedisServer::start();
    let env = env_on(&server);
    env.run_ok(&[
        "emit",
        "booking.confirmed",
        "--format",
        "legacy",
        "--set",
        "data.userId=user_r1",
    ]);
    env.run_ok(&[
        "emit",
        "booking.confirmed",
        "--set",
        "data.bookerId=booker_r2",
        "--set",
        "data.participants=[]",
    ]);
    let daemon = Daemon::start(daemon_settings(&env, &server), DaemonOptions::default())
        .await
        .unwrap();
    wait_for("both events", 30, || {
        completed(&env, "notifications") == 1 && completed(&env, "domain-events") == 1
    })
    .await;
    daemon.shutdown().await;
    let n = env.json(&["notifications", "list", "--user", "user_r1"]);
    assert_eq!(n[0]["subject"], "Confirmation de votre réservation");
    let n = env.json(&["notifications", "list", "--user", "booker_r2"]);
    assert_eq!(n.as_array().unwrap().len(), 2, "email and push: {n}");
    // The forwards are Bull jobs a Bull worker of the owning service can run.
    let result = bull(
        &server,
        "calendar-sync",
        "process",
        json!({"name": "calendar-sync", "count": 2}),
    )
    .await;
    let seen = result["seen"].as_array().unwrap();
    assert_eq!(seen.len(), 2);
    for s in seen {
        assert_eq!(
            s["data"]["type"], "booking.confirmed",
            "forwarded as a DomainEvent: {s}"
        );
        assert!(s["id"].as_str().unwrap().starts_with("fwd-"));
    }
    // The legacy event was rewritten into the seed-2 envelope, field by field.
    let converted = seen
        .iter()
        .map(|s| &s["data"])
        .find(|d| d["data"]["userId"] == "user_r1")
        .unwrap_or_else(|| panic!("no forward of the legacy event: {seen:?}"));
    let keys: Vec<&str> = converted
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "type",
            "version",
            "timestamp",
            "occurredAt",
            "source",
            "correlationId",
            "data",
            "metadata"
        ]
    );
    assert_eq!(converted["version"], "1.0");
    assert_eq!(converted["source"], "slotbase");
    assert_eq!(converted["correlationId"], converted["id"]);
    assert_eq!(converted["occurredAt"], converted["timestamp"]);
    assert!(converted["timestamp"].is_string(), "{converted}");
    assert_eq!(converted["metadata"], json!({"environment": "production"}));
}

/// A forward's push goes out beside the commit of the event's pass, so a push that fails
/// is found after its key is recorded: it is logged as a failed run, retried on the
/// handler's policy, and lands once the target queue takes jobs again, once, while the
/// event's other handlers are not run twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_whose_push_fails_is_retried_until_it_lands() {
    let server = RedisServer::start();
    let env = env_on(&server);
    let mut conn = server.client().await;
    // A key of the wrong type where Bull keeps the capacity queue's waiting list: every
    // add to that queue fails until it is removed.
    let _: () = redis::cmd("SET")
        .arg("bull:capacity-tracking:wait")
        .arg("not a list")
        .query_async(&mut conn)
        .await
        .unwrap();
    env.run_ok(&[
        "emit",
        "booking.confirmed",
        "--format",
        "legacy",
        "--set",
        "eventId=evt-fwd-retry",
        "--set",
        "data.userId=user_fwd",
    ]);
    let mut settings = daemon_settings(&env, &server);
    settings.retry.default_delay_ms = 100;
    settings.retry.max_delay_ms = 200;
    settings.retry.default_max_retries = 50;
    let daemon = Daemon::start(settings, DaemonOptions::default())
        .await
        .unwrap();
    let runs = |env: &TestEnv| -> Vec<(String, String)> {
        let trace = env.json(&["events", "trace", "evt-fwd-retry"]);
        trace["event"]["handlers"]
            .as_array()
            .map(|runs| {
                runs.iter()
                    .filter(|r| r["handler"] == "forward:capacity")
                    .map(|r| {
                        (
                            r["status"].as_str().unwrap_or("").to_string(),
                            r["error"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    wait_for("a failed push of the capacity forward", 30, || {
        env.run(&["events", "trace", "evt-fwd-retry", "--json"]).0 == 0
            && runs(&env).iter().any(|(status, _)| status == "retrying")
    })
    .await;
    let failed = runs(&env);
    let (_, error) = failed.iter().find(|(s, _)| s == "retrying").unwrap();
    assert!(error.contains("forward to capacity-tracking"), "{failed:?}");
    // The failed add wrote nothing (a job hash left behind would pass for the job).
    let left: i64 = redis::cmd("EXISTS")
        .arg("bull:capacity-tracking:fwd-evt-fwd-retry-capacity")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 0);
    // The other forwards landed with the pass.
    assert_eq!(
        env.json(&["queue", "stats", "availability-cache"])[0]["waiting"],
        1
    );
    let _: () = redis::cmd("DEL")
        .arg("bull:capacity-tracking:wait")
        .query_async(&mut conn)
        .await
        .unwrap();
    wait_for("the capacity forward", 30, || {
        env.json(&["queue", "stats", "capacity-tracking"])[0]["waiting"] == 1
    })
    .await;
    wait_for("the retry's run", 30, || {
        runs(&env).last().is_some_and(|(s, _)| s == "success")
    })
    .await;
    daemon.shutdown().await;
    let job = env.json(&[
        "queue",
        "show",
        "capacity-tracking",
        "fwd-evt-fwd-retry-capacity",
    ]);
    assert_eq!(job["data"]["id"], "evt-fwd-retry", "{job}");
    // Retries re-ran the forward alone: one notification, one availability job.
    let n = env.json(&["notifications", "list", "--user", "user_fwd"]);
    assert_eq!(n.as_array().unwrap().len(), 1, "{n}");
    assert_eq!(
        env.json(&["queue", "stats", "availability-cache"])[0]["waiting"],
        1
    );
    assert_eq!(env.json(&["dlq", "list"]).as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daemon_rides_out_a_redis_restart() {
    let mut server = RedisServer::start_durable();
    let env = env_on(&server);
    env.run_ok(&[
        "emit",
        "booking.created",
        "--format",
        "legacy",
        "--count",
        "200",
    ]);
    let daemon = Daemon::start(daemon_settings(&env, &server), DaemonOptions::default())
        .await
        .unwrap();
    wait_for("the first batch", 60, || {
        completed(&env, "notifications") == 200
    })
    .await;
    server.kill();
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.restart();
    env.run_ok(&[
        "emit",
        "booking.created",
        "--format",
        "legacy",
        "--count",
        "200",
    ]);
    wait_for("the batch added after the restart", 90, || {
        completed(&env, "notifications") == 400
    })
    .await;
    daemon.shutdown().await;
    let all = env.json(&["notifications", "list", "--limit", "0"]);
    let mut per_event: HashMap<String, usize> = HashMap::new();
    for n in all.as_array().unwrap() {
        *per_event
            .entry(n["metadata"]["eventId"].as_str().unwrap().into())
            .or_default() += 1;
    }
    assert_eq!(per_event.len(), 400);
    assert!(per_event.values().all(|n| *n == 1));
}

#[test]
fn sigkill_mid_run_on_redis_loses_and_duplicates_nothing() {
    let server = RedisServer::start();
    let env = env_on(&server);
    crate::daemon_process::crash_safety(&env, 3000);
}

/// `rediss://` with a password: TLS verified against a CA given the usual way
/// (SSL_CERT_FILE), and clear errors for an unknown issuer and a wrong password.
#[test]
fn rediss_with_a_password() {
    let certs = tempfile::tempdir().unwrap();
    let dir = certs.path();
    let openssl = |args: &[&str]| {
        let ok = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("openssl is installed by tests/setup");
        assert!(ok.success(), "openssl {args:?}");
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=slotbase test CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
    let tls_port = crate::redis_support::free_port().to_string();
    let path = |f: &str| dir.join(f).display().to_string();
    let (crt, key, ca) = (path("server.crt"), path("server.key"), path("ca.crt"));
    let _server = RedisServer::start_with(&[
        "--tls-port",
        &tls_port,
        "--tls-cert-file",
        &crt,
        "--tls-key-file",
        &key,
        "--tls-ca-cert-file",
        &ca,
        "--tls-auth-clients",
        "no",
        "--requirepass",
        "s3cret",
        "--save",
        "",
    ]);
    let url = format!("rediss://:s3cret@localhost:{tls_port}/0");
    let env = TestEnv::new()
        .with_env("SLOTBASE_REDIS__URL", &url)
        .with_env("SSL_CERT_FILE", &ca);
    env.run_ok(&[
        "emit",
        "booking.created",
        "--format",
        "legacy",
        "--count",
        "2",
    ]);
    assert_eq!(
        env.json(&["queue", "stats", "notifications"])[0]["waiting"],
        2
    );

    let untrusted = TestEnv::new().with_env("SLOTBASE_REDIS__URL", &url);
    let (code, _, err) = untrusted.run(&["queue", "stats"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("UnknownIssuer") && err.contains("rediss://:****@localhost"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "password leaked: {err}");

    let wrong = format!("rediss://:nope@localhost:{tls_port}/0");
    let env = TestEnv::new()
        .with_env("SLOTBASE_REDIS__URL", &wrong)
        .with_env("SSL_CERT_FILE", &ca);
    let (code, _, err) = env.run(&["queue", "stats"]);
    assert_eq!(code, 2);
    assert!(err.contains("authentication failed"), "{err}");
}

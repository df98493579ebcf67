//! The Redis benchmark against real Bull on a private redis-server. Ignored by default
//! (it measures, it does not check):
//! `cargo test --release --test cli bull_bench -- --ignored --nocapture`

use std::path::Path;
use std::process::Command;

use slotbase::queue::bull::bench;

use crate::redis_support::RedisServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run with --ignored --nocapture"]
async fn bench_against_bull() {
    let jobs: u64 = std::env::var("BENCH_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let server = RedisServer::start();
    let q = server.backend("bull").await;

    let queue = bench::bench_queue("slotbase");
    let add = bench::add_rate(&*q, &queue, jobs).await.unwrap();
    let consume = bench::consume_rate(q.clone(), &queue, jobs, 50)
        .await
        .unwrap();
    let latency = bench::idle_latency(q.clone(), &bench::bench_queue("latency"), 500)
        .await
        .unwrap();

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("node")
        .arg(root.join("benches/bull-peer.js"))
        .arg(server.url())
        .arg("bull")
        .arg(jobs.to_string())
        .arg("50")
        .output()
        .expect("run node (npm ci --prefix tests/interop first)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let peer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let report = serde_json::json!({
        "jobs": jobs,
        "slotbase": { "add": add, "consume_c50": consume, "idle_latency": latency },
        "bull": peer,
        "ratio": {
            "add": add.per_second / peer["addBulk"]["perSecond"].as_f64().unwrap(),
            "consume": consume.per_second / peer["worker"]["perSecond"].as_f64().unwrap(),
        }
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
}

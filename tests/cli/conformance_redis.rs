//! The queue conformance suite on the Redis backend (Bull v4's layout), each case on a
//! private redis-server, plus one run of every case on a single shared server.

use std::sync::Arc;

use slotbase::queue::QueueBackend;

use crate::redis_support::RedisServer;

slotbase::queue_conformance_tests!(|| async {
    let server = RedisServer::start();
    let q: Arc<dyn QueueBackend> = server.backend("bull").await;
    (q, server)
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_all_on_one_shared_server() {
    let server = RedisServer::start();
    let q = server.backend("bull").await;
    slotbase::queue::conformance::run_all(&*q).await;
    let names = q.queue_names().await.unwrap();
    assert!(names.len() >= slotbase::queue::conformance::CASES.len());
}

//! The queue conformance suite on the embedded SQLite backend, plus what only this
//! backend offers (job logs).

use std::sync::Arc;
use std::time::Duration;

use slotbase::queue::QueueBackend;
use slotbase::queue::sqlite::SqliteQueue;

use crate::support::TestEnv;

async fn open(env: &TestEnv) -> SqliteQueue {
    SqliteQueue::open(&env.db(), Duration::from_secs(5))
        .await
        .expect("open the embedded queue")
}

slotbase::queue_conformance_tests!(|| async {
    let env = TestEnv::new();
    let q: Arc<dyn QueueBackend> = Arc::new(open(&env).await);
    (q, env)
});

#[tokio::test]
async fn logs_are_kept_in_order_and_removed_with_the_job() {
    let env = TestEnv::new();
    let q = open(&env).await;
    let job = slotbase::queue::NewJob {
        name: "n".into(),
        data: "{}".into(),
        opts: Default::default(),
    };
    let id = q.add("logs", vec![job]).await.unwrap().remove(0).id;
    assert_eq!(q.add_log("logs", &id, "first").await.unwrap(), Some(1));
    assert_eq!(q.add_log("logs", &id, "second").await.unwrap(), Some(2));
    assert_eq!(q.add_log("logs", "no-such-job", "x").await.unwrap(), None);
    assert_eq!(q.logs("logs", &id).await.unwrap(), vec!["first", "second"]);

    q.remove("logs", std::slice::from_ref(&id)).await.unwrap();
    assert!(q.logs("logs", &id).await.unwrap().is_empty());
    let n: i64 = q
        .db()
        .read(|tx| {
            tx.query_row("SELECT count(*) FROM queue_job_logs", [], |r| r.get(0))
                .map_err(slotbase::db::DbError::from)
        })
        .await
        .unwrap();
    assert_eq!(n, 0, "log lines of a removed job are deleted");
}

#[tokio::test]
async fn run_all_on_one_shared_backend() {
    let env = TestEnv::new();
    let q = open(&env).await;
    slotbase::queue::conformance::run_all(&q).await;
    // Every case left its own queue behind, and the counters still match the rows.
    let names = q.queue_names().await.unwrap();
    assert!(names.len() >= slotbase::queue::conformance::CASES.len());
    let mismatches: i64 = q
        .db()
        .read(|tx| {
            tx.query_row(
                "SELECT count(*) FROM queues q WHERE
                    n_wait <> (SELECT count(*) FROM queue_jobs WHERE qid = q.qid AND state = 0)
                 OR n_active <> (SELECT count(*) FROM queue_jobs WHERE qid = q.qid AND state = 1)
                 OR n_delayed <> (SELECT count(*) FROM queue_jobs WHERE qid = q.qid AND state = 2)
                 OR n_completed <> (SELECT count(*) FROM queue_jobs WHERE qid = q.qid AND state = 3)
                 OR n_failed <> (SELECT count(*) FROM queue_jobs WHERE qid = q.qid AND state = 4)
                 OR n_prioritized <> (SELECT count(*) FROM queue_jobs WHERE qid = q.qid
                     AND state = 0 AND sort1 BETWEEN 1 AND 4294967295)",
                [],
                |r| r.get(0),
            )
            .map_err(slotbase::db::DbError::from)
        })
        .await
        .unwrap();
    assert_eq!(mismatches, 0, "per-state counters drifted from the rows");
}

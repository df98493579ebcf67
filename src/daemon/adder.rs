//! Coalesced adds for the processor's forwards and retries.
//!
//! Many events are processed at once and each pushes a few jobs onto other queues. Sent
//! one by one, every job costs a backend call (on Redis, a script run and a round trip;
//! a single-job add costs the server several times its share of a batched one). The
//! adder's task sends whatever has been requested while the previous call was in flight
//! as one call per queue, and answers each caller with its own job's outcome. An idle
//! daemon's add goes out at once.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::queue::{Added, NewJob, QueueBackend, QueueError};

/// At most this many jobs share one backend call.
const MAX_BATCH: usize = 500;

struct Request {
    queue: String,
    job: NewJob,
    answer: oneshot::Sender<Result<Added, QueueError>>,
}

/// A handle on the adder's task; the task stops when the last handle is dropped.
#[derive(Clone)]
pub struct Adder {
    requests: mpsc::UnboundedSender<Request>,
}

impl Adder {
    /// Start the adder's task on the current runtime.
    pub fn new(backend: Arc<dyn QueueBackend>) -> Adder {
        let (requests, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(backend, rx));
        Adder { requests }
    }

    /// Add one job to `queue`, together with whatever other adds are waiting. The payload
    /// must be `serde_json` output (see [`QueueBackend::add_serialized`]): the daemon's
    /// forwards and retries are.
    pub async fn add(&self, queue: &str, job: NewJob) -> Result<Added, QueueError> {
        let (answer, rx) = oneshot::channel();
        let request = Request {
            queue: queue.to_string(),
            job,
            answer,
        };
        let gone = || QueueError::Backend("the daemon is stopping; the job was not added".into());
        self.requests.send(request).map_err(|_| gone())?;
        rx.await.map_err(|_| gone())?
    }
}

async fn run(backend: Arc<dyn QueueBackend>, mut rx: mpsc::UnboundedReceiver<Request>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        // One call per queue, in the order the jobs were requested.
        let mut by_queue: Vec<(String, Vec<Request>)> = Vec::new();
        for r in batch {
            match by_queue.iter_mut().find(|(q, _)| *q == r.queue) {
                Some((_, rs)) => rs.push(r),
                None => by_queue.push((r.queue.clone(), vec![r])),
            }
        }
        let calls = by_queue.into_iter().map(|(queue, requests)| {
            let backend = backend.clone();
            async move {
                let (jobs, answers): (Vec<NewJob>, Vec<_>) =
                    requests.into_iter().map(|r| (r.job, r.answer)).unzip();
                let sent = jobs.len();
                let added = match backend.add_serialized(&queue, jobs).await {
                    Ok(added) if added.len() == sent => added,
                    Ok(added) => {
                        let msg = format!(
                            "adding {sent} jobs to {queue} returned {} outcomes",
                            added.len()
                        );
                        return fail(answers, &msg);
                    }
                    Err(e) => return fail(answers, &e.to_string()),
                };
                for (a, answer) in added.into_iter().zip(answers) {
                    let _ = answer.send(Ok(a));
                }
            }
        });
        futures_util::future::join_all(calls).await;
    }
}

/// Answer every caller of a failed call with its error.
fn fail(answers: Vec<oneshot::Sender<Result<Added, QueueError>>>, msg: &str) {
    for answer in answers {
        let _ = answer.send(Err(QueueError::Backend(msg.to_string())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::JobOptions;
    use crate::queue::sqlite::SqliteQueue;

    fn job(id: &str) -> NewJob {
        NewJob {
            name: "n".into(),
            data: "{}".into(),
            opts: JobOptions {
                job_id: Some(id.into()),
                ..JobOptions::default()
            },
        }
    }

    #[tokio::test]
    async fn concurrent_adds_each_get_their_own_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let backend: Arc<dyn QueueBackend> = Arc::new(
            SqliteQueue::open(&dir.path().join("q.db"), std::time::Duration::from_secs(5))
                .await
                .unwrap(),
        );
        let adder = Adder::new(backend.clone());
        let mut tasks = Vec::new();
        for i in 0..50 {
            let adder = adder.clone();
            let queue = if i % 2 == 0 { "even" } else { "odd" };
            tasks.push(tokio::spawn(async move {
                adder.add(queue, job(&format!("j{i}"))).await
            }));
        }
        for (i, t) in tasks.into_iter().enumerate() {
            let added = t.await.unwrap().unwrap();
            assert_eq!(added.id, format!("j{i}"));
            assert!(!added.duplicate);
        }
        // A second add of an existing custom id is reported as a duplicate.
        let again = adder.add("even", job("j0")).await.unwrap();
        assert!(again.duplicate);
        assert_eq!(backend.counts("even").await.unwrap().waiting, 25);
        assert_eq!(backend.counts("odd").await.unwrap().waiting, 25);
    }
}

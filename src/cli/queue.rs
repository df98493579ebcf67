//! `slotbase queue ...`: operator actions on any queue, Redis (Bull v4 layout) or embedded.
//! Output is the same for both backends because both speak through `QueueBackend`.

use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use serde::Serialize;
use serde_json::Value;

use super::{Context, confirm};
use crate::exit;
use crate::output;
use crate::queue::{IdOutcome, Job, JobCounts, JobState, QueueBackend, now_ms};
use crate::util::{human_duration, iso_ms, parse_duration};

#[derive(Debug, clap::Subcommand)]
pub enum QueueCommand {
    /// Counts per state for every queue (waiting, active, delayed, paused, completed,
    /// failed, prioritized, age of the oldest waiting job)
    Stats {
        /// Queues to show (default: redis.queues, else every queue found)
        queues: Vec<String>,
        /// Redraw every SECS seconds (default 2) until interrupted
        #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "2")]
        watch: Option<f64>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Jobs in one state
    List {
        queue: String,
        /// wait, active, delayed, paused, completed or failed
        #[arg(long, value_enum, default_value = "wait")]
        state: JobState,
        #[arg(long, default_value_t = 20)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// One job: data, options, times, attempts, failure reason, stack trace, logs
    Show {
        queue: String,
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Remove every waiting job (and delayed ones with --delayed)
    Drain {
        queue: String,
        /// Remove delayed jobs too
        #[arg(long)]
        delayed: bool,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
        /// Show what would be removed; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Remove jobs in a state older than a duration
    Clean {
        queue: String,
        /// completed, failed, wait, delayed, paused or active
        #[arg(long, value_enum)]
        state: JobState,
        /// Age threshold, e.g. 1h, 7d
        #[arg(long, value_name = "DURATION", value_parser = parse_age)]
        older_than: Duration,
        /// Remove at most this many
        #[arg(long)]
        limit: Option<u64>,
        /// Count what would be removed; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Pause a queue: workers stop taking jobs; new jobs are kept
    Pause { queue: String },
    /// Resume a paused queue (whoever paused it)
    Resume { queue: String },
    /// Move failed jobs back to waiting
    Retry {
        queue: String,
        /// Job ids
        ids: Vec<String>,
        /// Every failed job (no cap)
        #[arg(long, conflicts_with = "ids")]
        all: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Remove jobs (refused while a worker holds them)
    Remove {
        queue: String,
        /// Job ids
        #[arg(required = true)]
        ids: Vec<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Move delayed jobs to waiting now
    Promote {
        queue: String,
        /// Job ids
        ids: Vec<String>,
        /// Every delayed job
        #[arg(long, conflicts_with = "ids")]
        all: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

fn parse_age(s: &str) -> Result<Duration, String> {
    parse_duration(s)
}

pub async fn run(ctx: &Context, cmd: QueueCommand) -> anyhow::Result<i32> {
    let q = ctx.queues().await?;
    match cmd {
        QueueCommand::Stats {
            queues,
            watch,
            json,
        } => stats(ctx, &q, queues, watch, json).await,
        QueueCommand::List {
            queue,
            state,
            limit,
            offset,
            json,
        } => {
            let jobs = q.list(&queue, state, offset, limit).await?;
            if json {
                let rows = jobs
                    .iter()
                    .map(job_json)
                    .collect::<anyhow::Result<Vec<_>>>()?;
                output::json(&rows)?;
            } else if jobs.is_empty() {
                output::line(format!("no {state} jobs in queue {queue}"))?;
            } else {
                list_table(&jobs, state)?;
            }
            Ok(exit::SUCCESS)
        }
        QueueCommand::Show { queue, id, json } => {
            let Some(job) = q.get(&queue, &id).await? else {
                bail!(
                    "no job {id} in queue {queue} on {} (list jobs with: slotbase queue list {queue} --state STATE)",
                    q.location()
                );
            };
            let logs = q.logs(&queue, &id).await?;
            if json {
                let mut v = job_json(&job)?;
                v["logs"] = serde_json::to_value(&logs)?;
                output::json(&v)?;
            } else {
                show_job(&queue, &job, &logs)?;
            }
            Ok(exit::SUCCESS)
        }
        QueueCommand::Drain {
            queue,
            delayed,
            yes,
            dry_run,
        } => {
            let c = q.counts(&queue).await?;
            let n = c.waiting + c.paused + if delayed { c.delayed } else { 0 };
            let what = if delayed {
                format!(
                    "{} waiting and {} delayed jobs",
                    c.waiting + c.paused,
                    c.delayed
                )
            } else {
                format!("{} waiting jobs", c.waiting + c.paused)
            };
            if dry_run {
                output::line(format!(
                    "would remove {what} from queue {queue} (dry run: nothing changed)"
                ))?;
                return Ok(exit::SUCCESS);
            }
            if n == 0 {
                output::line(format!("queue {queue} has nothing to drain"))?;
                return Ok(exit::SUCCESS);
            }
            confirm(yes, &format!("Remove {what} from queue {queue}?"))?;
            let removed = q.drain(&queue, delayed).await?;
            output::line(format!("removed {removed} jobs from queue {queue}"))?;
            Ok(exit::SUCCESS)
        }
        QueueCommand::Clean {
            queue,
            state,
            older_than,
            limit,
            dry_run,
        } => {
            if dry_run {
                let n = count_older(&q, &queue, state, older_than, limit).await?;
                output::line(format!(
                    "would remove {n} {state} jobs older than {} from queue {queue} (dry run: nothing changed)",
                    human_duration(older_than)
                ))?;
                return Ok(exit::SUCCESS);
            }
            let n = q.clean(&queue, state, older_than, limit).await?;
            output::line(format!(
                "removed {n} {state} jobs older than {} from queue {queue}",
                human_duration(older_than)
            ))?;
            Ok(exit::SUCCESS)
        }
        QueueCommand::Pause { queue } => {
            q.pause(&queue).await?;
            let c = q.counts(&queue).await?;
            output::line(format!(
                "queue {queue} paused ({} jobs held, {} still active)",
                c.paused, c.active
            ))?;
            Ok(exit::SUCCESS)
        }
        QueueCommand::Resume { queue } => {
            q.resume(&queue).await?;
            let c = q.counts(&queue).await?;
            output::line(format!(
                "queue {queue} resumed ({} jobs waiting)",
                c.waiting
            ))?;
            Ok(exit::SUCCESS)
        }
        QueueCommand::Retry {
            queue,
            ids,
            all,
            json,
        } => {
            if all {
                let n = q.retry_all(&queue).await?;
                if json {
                    output::json(&serde_json::json!({ "retried": n }))?;
                } else {
                    output::line(format!(
                        "moved {n} failed jobs back to waiting in queue {queue}"
                    ))?;
                }
                return Ok(exit::SUCCESS);
            }
            if ids.is_empty() {
                bail!("give job ids to retry, or --all for every failed job");
            }
            let outcomes = q.retry(&queue, &ids).await?;
            report_ids(&queue, "retried", &ids, &outcomes, json, "failed")
        }
        QueueCommand::Remove { queue, ids, json } => {
            let outcomes = q.remove(&queue, &ids).await?;
            report_ids(&queue, "removed", &ids, &outcomes, json, "removable")
        }
        QueueCommand::Promote {
            queue,
            ids,
            all,
            json,
        } => {
            let ids = if all {
                let mut all_ids = Vec::new();
                loop {
                    let page = q
                        .list(&queue, JobState::Delayed, all_ids.len() as u64, 1000)
                        .await?;
                    let done = page.len() < 1000;
                    all_ids.extend(page.into_iter().map(|j| j.id));
                    if done {
                        break;
                    }
                }
                if all_ids.is_empty() {
                    output::line(format!("queue {queue} has no delayed jobs"))?;
                    return Ok(exit::SUCCESS);
                }
                all_ids
            } else if ids.is_empty() {
                bail!("give job ids to promote, or --all for every delayed job");
            } else {
                ids
            };
            let outcomes = q.promote(&queue, &ids).await?;
            report_ids(&queue, "promoted", &ids, &outcomes, json, "delayed")
        }
    }
}

async fn count_older(
    q: &Arc<dyn QueueBackend>,
    queue: &str,
    state: JobState,
    older_than: Duration,
    limit: Option<u64>,
) -> anyhow::Result<u64> {
    let cutoff = now_ms() - older_than.as_millis() as i64;
    let mut n = 0u64;
    let mut offset = 0u64;
    loop {
        let page = q.list(queue, state, offset, 1000).await?;
        for j in &page {
            let t = j.finished_on.or(j.processed_on).unwrap_or(j.timestamp);
            if t < cutoff {
                n += 1;
            }
        }
        if page.len() < 1000 {
            break;
        }
        offset += 1000;
    }
    Ok(limit.map_or(n, |l| n.min(l)))
}

fn report_ids(
    queue: &str,
    verb: &str,
    ids: &[String],
    outcomes: &[IdOutcome],
    json: bool,
    needed_state: &str,
) -> anyhow::Result<i32> {
    let failures = outcomes.iter().filter(|o| **o != IdOutcome::Done).count();
    if json {
        let rows: Vec<Value> = ids
            .iter()
            .zip(outcomes)
            .map(|(id, o)| serde_json::json!({ "id": id, "outcome": o }))
            .collect();
        output::json(&rows)?;
    } else {
        let mut lines = Vec::new();
        for (id, o) in ids.iter().zip(outcomes) {
            lines.push(match o {
                IdOutcome::Done => format!("{verb} job {id}"),
                IdOutcome::NotFound => format!("job {id}: not found in queue {queue}"),
                IdOutcome::Locked => {
                    format!("job {id}: a worker holds it; wait until it finishes")
                }
                IdOutcome::WrongState => format!("job {id}: not {needed_state}; left as it is"),
            });
        }
        output::lines(lines)?;
    }
    if failures > 0 {
        bail!("{failures} of {} jobs were not {verb}", outcomes.len());
    }
    Ok(exit::SUCCESS)
}

/// One row of `queue stats`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatsRow {
    queue: String,
    #[serde(flatten)]
    counts: JobCounts,
    /// How long the oldest waiting job has waited, ms.
    oldest_waiting_age_ms: Option<i64>,
}

async fn stats(
    ctx: &Context,
    q: &Arc<dyn QueueBackend>,
    requested: Vec<String>,
    watch: Option<f64>,
    json: bool,
) -> anyhow::Result<i32> {
    let fixed = if !requested.is_empty() {
        Some(requested)
    } else if !ctx.settings.redis.queues.is_empty() && q.kind() == "redis" {
        Some(ctx.settings.redis.queues.clone())
    } else {
        None
    };
    let interval = match watch {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            bail!("--watch needs a positive number of seconds")
        }
        Some(s) => Some(Duration::from_secs_f64(s.max(0.1))),
        None => None,
    };
    let redraw = interval.is_some() && output::is_terminal() && !json;
    loop {
        let names = match &fixed {
            Some(n) => n.clone(),
            None => {
                let mut n = q.queue_names().await?;
                n.sort();
                n
            }
        };
        let now = now_ms();
        let mut rows = Vec::with_capacity(names.len());
        for name in names {
            let counts = q.counts(&name).await?;
            let age = counts.oldest_waiting.map(|t| (now - t).max(0));
            rows.push(StatsRow {
                queue: name,
                counts,
                oldest_waiting_age_ms: age,
            });
        }
        if json {
            if interval.is_some() {
                output::json_line(&rows)?;
            } else {
                output::json(&rows)?;
            }
        } else {
            let mut t = output::new_table(&[
                "QUEUE",
                "WAITING",
                "ACTIVE",
                "DELAYED",
                "PAUSED",
                "COMPLETED",
                "FAILED",
                "PRIORITIZED",
                "OLDEST WAITING",
                "STATE",
            ]);
            for r in &rows {
                let c = &r.counts;
                t.add_row(vec![
                    r.queue.clone(),
                    c.waiting.to_string(),
                    c.active.to_string(),
                    c.delayed.to_string(),
                    c.paused.to_string(),
                    c.completed.to_string(),
                    c.failed.to_string(),
                    c.prioritized.to_string(),
                    r.oldest_waiting_age_ms
                        .map(|ms| human_duration(Duration::from_millis(ms as u64)))
                        .unwrap_or_else(|| "-".into()),
                    if c.is_paused { "paused" } else { "running" }.to_string(),
                ]);
            }
            let mut text = String::new();
            if redraw {
                text.push_str("\x1b[2J\x1b[H");
                text.push_str(&format!(
                    "{} queues on {} at {}  (every {:.1}s, Ctrl-C to stop)\n",
                    q.kind(),
                    q.location(),
                    iso_ms(now),
                    interval.unwrap_or_default().as_secs_f64()
                ));
            }
            if rows.is_empty() {
                text.push_str(&format!("no queues found on {}", q.location()));
            } else {
                text.push_str(&t.to_string());
            }
            output::line(text)?;
        }
        let Some(every) = interval else { break };
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    Ok(exit::SUCCESS)
}

/// A job as `--json` prints it: the stored job with `data` and `returnvalue` parsed.
fn job_json(job: &Job) -> anyhow::Result<Value> {
    let parse =
        |text: &str| serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()));
    let mut v = serde_json::to_value(job)?;
    v["data"] = parse(&job.data);
    if let Some(r) = &job.returnvalue {
        v["returnvalue"] = parse(r);
    }
    Ok(v)
}

/// A short description of a job's payload: the event type and id when it is an event.
fn summary(job: &Job) -> String {
    let Ok(v) = serde_json::from_str::<Value>(&job.data) else {
        return "(data is not JSON)".into();
    };
    let ty = v
        .get("type")
        .or_else(|| v.get("eventType"))
        .and_then(Value::as_str);
    let id = v
        .get("id")
        .or_else(|| v.get("eventId"))
        .and_then(Value::as_str);
    match (ty, id) {
        (Some(t), Some(i)) => format!("{t} {i}"),
        (Some(t), None) => t.to_string(),
        _ => {
            let mut s = job.data.clone();
            if s.len() > 60 {
                let mut cut = 57;
                while !s.is_char_boundary(cut) {
                    cut -= 1;
                }
                s.truncate(cut);
                s.push_str("...");
            }
            s
        }
    }
}

fn age(ms: i64) -> String {
    let d = (now_ms() - ms).max(0) as u64;
    format!("{} ago", human_duration(Duration::from_millis(d)))
}

fn list_table(jobs: &[Job], state: JobState) -> anyhow::Result<()> {
    let when_header = match state {
        JobState::Completed | JobState::Failed => "FINISHED",
        JobState::Active => "STARTED",
        JobState::Delayed => "DUE",
        _ => "CREATED",
    };
    let mut headers = vec!["ID", "NAME", "EVENT", "ATTEMPTS", when_header];
    if state == JobState::Failed {
        headers.push("REASON");
    }
    let mut t = output::new_table(&headers);
    for j in jobs {
        let when = match state {
            JobState::Completed | JobState::Failed => j.finished_on.map(age),
            JobState::Active => j.processed_on.map(age),
            JobState::Delayed => j.due_at.map(|d| {
                let left = (d - now_ms()).max(0) as u64;
                format!("in {}", human_duration(Duration::from_millis(left)))
            }),
            _ => Some(age(j.timestamp)),
        }
        .unwrap_or_else(|| "-".into());
        let mut row = vec![
            j.id.clone(),
            j.name.clone(),
            summary(j),
            format!("{}/{}", j.attempts_made, j.opts.attempts),
            when,
        ];
        if state == JobState::Failed {
            row.push(j.failed_reason.clone().unwrap_or_default());
        }
        t.add_row(row);
    }
    output::table(&t)?;
    Ok(())
}

fn show_job(queue: &str, j: &Job, logs: &[String]) -> anyhow::Result<()> {
    let time = |ms: Option<i64>| {
        ms.map(|m| format!("{} ({})", iso_ms(m), age(m)))
            .unwrap_or_else(|| "-".into())
    };
    let pretty = |text: &str| {
        serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| text.to_string())
    };
    let mut pairs: Vec<(&str, String)> = vec![
        ("queue", queue.to_string()),
        ("id", j.id.clone()),
        ("name", j.name.clone()),
        (
            "state",
            j.state
                .map(|s| s.to_string())
                .unwrap_or_else(|| "unknown".into()),
        ),
        ("event", summary(j)),
        ("created", time(Some(j.timestamp))),
    ];
    if j.delay > 0 || j.due_at.is_some() {
        pairs.push(("delay", human_duration(Duration::from_millis(j.delay))));
    }
    if let Some(due) = j.due_at {
        pairs.push(("due", iso_ms(due)));
    }
    if j.priority > 0 {
        pairs.push(("priority", j.priority.to_string()));
    }
    pairs.push((
        "attempts",
        format!("{} failed of {} allowed", j.attempts_made, j.opts.attempts),
    ));
    if let Some(b) = &j.opts.backoff {
        pairs.push(("backoff", serde_json::to_string(b)?));
    }
    pairs.push(("processed", time(j.processed_on)));
    pairs.push(("finished", time(j.finished_on)));
    if j.stalled_counter > 0 {
        pairs.push(("stalled", format!("{} times", j.stalled_counter)));
    }
    if let Some(r) = &j.failed_reason {
        pairs.push(("failed reason", r.clone()));
    }
    if let Some(r) = &j.returnvalue {
        pairs.push(("return value", pretty(r)));
    }
    if let Some(p) = &j.progress {
        pairs.push(("progress", p.clone()));
    }
    pairs.push(("options", serde_json::to_string_pretty(&j.opts)?));
    pairs.push(("data", pretty(&j.data)));
    if !j.stacktrace.is_empty() {
        pairs.push(("stacktrace", j.stacktrace.join("\n---\n")));
    }
    if !logs.is_empty() {
        pairs.push(("logs", logs.join("\n")));
    }
    output::fields(&pairs)?;
    Ok(())
}

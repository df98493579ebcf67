//! `slotbase dlq list|show|replay|ignore|purge`: dead letters with their full error
//! history, and the safe bulk actions an operator needs at 3 a.m.

use anyhow::bail;

use super::Context;
use super::confirm;
use crate::daemon::processor::{RETRY_JOB_NAME, RetryJob};
use crate::exit;
use crate::output;
use crate::queue::{JobOptions, NewJob, now_ms};
use crate::store::{DeadLetter, DeadLetterFilter};
use crate::util::{human_duration, iso_ms};

/// Which entries a command acts on.
#[derive(Debug, Clone, clap::Args)]
pub struct Selection {
    /// Entry ids
    pub ids: Vec<String>,
    /// Entries of this event type
    #[arg(long = "type", value_name = "TYPE")]
    pub event_type: Option<String>,
    /// Entries about this booking (e.g. BKG-001)
    #[arg(long, value_name = "BOOKING_ID")]
    pub booking: Option<String>,
    /// Entries created since: a duration ago (2h, 7d) or a time (2026-11-25T10:00:00Z)
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Entries created before: a duration ago or a time
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Every entry (required when no other selector is given)
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum DlqCommand {
    /// Dead letters, newest first
    List {
        #[command(flatten)]
        select: Selection,
        /// open (default), resolved or all
        #[arg(long, default_value = "open")]
        status: String,
        #[arg(long, default_value_t = 50)]
        limit: u64,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// One entry: the event (or raw payload) and every error
    Show {
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Process entries again: only the handlers that failed run, once
    Replay {
        #[command(flatten)]
        select: Selection,
        /// Show what would be replayed; change nothing
        #[arg(long)]
        dry_run: bool,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
        /// Who resolves them (default: $USER)
        #[arg(long)]
        by: Option<String>,
    },
    /// Resolve entries without processing them
    Ignore {
        #[command(flatten)]
        select: Selection,
        /// Resolution to record: ignored (default) or manual (fixed by hand)
        #[arg(long, default_value = "ignored", value_parser = ["ignored", "manual"])]
        resolution: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long, short = 'y')]
        yes: bool,
        #[arg(long)]
        by: Option<String>,
    },
    /// Delete entries for good
    Purge {
        #[command(flatten)]
        select: Selection,
        /// Only resolved entries (with no other selector: those past dead_letter.retention_days)
        #[arg(long)]
        resolved: bool,
        #[arg(long)]
        dry_run: bool,
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// `--since 2h` or `--since 2026-11-25T10:00:00Z` as ms since the epoch.
fn parse_when(flag: &str, text: &str) -> anyhow::Result<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp_millis());
    }
    match crate::util::parse_duration(text) {
        Ok(d) => Ok(now_ms() - d.as_millis() as i64),
        Err(_) => bail!(
            "{flag} \"{text}\": give a duration ago (30m, 2h, 7d) or a time (2026-11-25T10:00:00Z)"
        ),
    }
}

impl Selection {
    fn filter(&self, status: Option<&str>) -> anyhow::Result<DeadLetterFilter> {
        Ok(DeadLetterFilter {
            ids: self.ids.clone(),
            event_type: self.event_type.clone(),
            booking_id: self.booking.clone(),
            since: self
                .since
                .as_deref()
                .map(|s| parse_when("--since", s))
                .transpose()?,
            until: self
                .until
                .as_deref()
                .map(|s| parse_when("--until", s))
                .transpose()?,
            status: status.map(str::to_string),
            limit: 0,
            offset: 0,
        })
    }

    fn is_empty(&self) -> bool {
        self.ids.is_empty()
            && self.event_type.is_none()
            && self.booking.is_none()
            && self.since.is_none()
            && self.until.is_none()
    }

    /// Refuse a bulk action with no selector unless `--all`.
    fn require(&self, verb: &str) -> anyhow::Result<()> {
        if self.is_empty() && !self.all {
            bail!(
                "say which dead letters to {verb}: ids, --type, --booking, --since/--until, or --all"
            );
        }
        Ok(())
    }
}

fn who(by: &Option<String>) -> String {
    by.clone()
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

pub async fn run(ctx: &Context, cmd: DlqCommand) -> anyhow::Result<i32> {
    let store = ctx.store().await?;
    match cmd {
        DlqCommand::List {
            select,
            status,
            limit,
            json,
        } => {
            let status = match status.as_str() {
                "open" | "resolved" => Some(status.as_str()),
                "all" => None,
                other => bail!("--status \"{other}\": use open, resolved or all"),
            };
            let mut f = select.filter(status)?;
            f.limit = limit;
            let entries = store.dead_letters(&f).await?;
            if json {
                output::json(&entries)?;
            } else if entries.is_empty() {
                output::line("no dead letters match")?;
            } else {
                let mut t = output::new_table(&[
                    "ID",
                    "EVENT TYPE",
                    "EVENT ID",
                    "FAILED HANDLERS",
                    "ERRORS",
                    "LAST ERROR",
                    "AGE",
                    "STATUS",
                ]);
                for e in &entries {
                    t.add_row(vec![
                        e.id.clone(),
                        e.event_type.clone(),
                        e.event_id.clone(),
                        if e.failed_handlers.is_empty() {
                            "(intake)".into()
                        } else {
                            e.failed_handlers.join(",")
                        },
                        e.errors.len().to_string(),
                        e.errors
                            .last()
                            .map(|x| shorten(&x.message, 60))
                            .unwrap_or_default(),
                        ago(e.created_at),
                        e.resolution
                            .as_ref()
                            .map(|r| format!("{} ({r})", e.status))
                            .unwrap_or_else(|| e.status.clone()),
                    ]);
                }
                output::table(&t)?;
            }
            if !json {
                let open = store.open_dead_letters().await?;
                let cap = ctx.settings.dead_letter.capacity;
                let warn = if open >= cap {
                    " OVER CAPACITY: replay, ignore or purge entries; nothing is evicted"
                } else {
                    ""
                };
                output::line(format!(
                    "{open} open of a capacity of {cap} (dead_letter.capacity); resolved entries are kept {} days (dead_letter.retention_days){warn}",
                    ctx.settings.dead_letter.retention_days
                ))?;
            }
            Ok(exit::SUCCESS)
        }
        DlqCommand::Show { id, json } => {
            let Some(e) = store.get_dead_letter(&id).await? else {
                bail!("no dead letter {id} (list them with: slotbase dlq list --status all)");
            };
            if json {
                output::json(&e)?;
            } else {
                show(&e)?;
            }
            Ok(exit::SUCCESS)
        }
        DlqCommand::Replay {
            select,
            dry_run,
            yes,
            by,
        } => {
            select.require("replay")?;
            let entries = store.dead_letters(&select.filter(Some("open"))?).await?;
            let (replayable, unreadable): (Vec<_>, Vec<_>) =
                entries.into_iter().partition(|e| e.event.is_some());
            let mut notes = Vec::new();
            for e in &unreadable {
                notes.push(format!(
                    "{}: the payload could not be read, so there is nothing to replay; resolve it with: slotbase dlq ignore {}",
                    e.id, e.id
                ));
            }
            if replayable.is_empty() {
                notes.push("no open dead letters to replay match".into());
                output::lines(notes)?;
                return Ok(exit::SUCCESS);
            }
            if dry_run {
                for e in &replayable {
                    notes.push(format!(
                        "would replay {} ({} {}): {}",
                        e.id,
                        e.event_type,
                        e.event_id,
                        handlers_text(e)
                    ));
                }
                notes.push(format!(
                    "dry run: {} entries would be replayed; nothing changed",
                    replayable.len()
                ));
                output::lines(notes)?;
                return Ok(exit::SUCCESS);
            }
            if replayable.len() > 1 || select.ids.is_empty() {
                confirm(yes, &format!("Replay {} dead letters?", replayable.len()))?;
            }
            let by = who(&by);
            let queues = ctx.queues().await?;
            let retry_queue = &ctx.settings.daemon.retry_queue;
            let mut done = Vec::new();
            for e in &replayable {
                let job = RetryJob {
                    event: e.event.clone().unwrap_or_default(),
                    handlers: e.failed_handlers.clone(),
                    queue: e.queue.clone(),
                    replay_of: Some(e.id.clone()),
                };
                queues
                    .add(
                        retry_queue,
                        vec![NewJob {
                            name: RETRY_JOB_NAME.into(),
                            data: serde_json::to_string(&job)?,
                            opts: JobOptions {
                                job_id: Some(format!("replay-{}", e.id)),
                                remove_on_complete: ctx.settings.daemon.own_jobs_kept(),
                                ..JobOptions::default()
                            },
                        }],
                    )
                    .await?;
                store
                    .resolve_dead_letters(std::slice::from_ref(&e.id), "reprocessed", &by)
                    .await?;
                done.push(format!(
                    "replaying {} ({} {}): {}",
                    e.id,
                    e.event_type,
                    e.event_id,
                    handlers_text(e)
                ));
            }
            done.push(format!(
                "{} entries queued on {retry_queue} for the daemon and resolved as reprocessed by {by}",
                replayable.len()
            ));
            notes.extend(done);
            output::lines(notes)?;
            Ok(exit::SUCCESS)
        }
        DlqCommand::Ignore {
            select,
            resolution,
            dry_run,
            yes,
            by,
        } => {
            select.require("resolve")?;
            let entries = store.dead_letters(&select.filter(Some("open"))?).await?;
            if entries.is_empty() {
                output::line("no open dead letters match")?;
                return Ok(exit::SUCCESS);
            }
            if dry_run {
                output::line(format!(
                    "dry run: {} entries would be resolved as {resolution}; nothing changed",
                    entries.len()
                ))?;
                return Ok(exit::SUCCESS);
            }
            if entries.len() > 1 || select.ids.is_empty() {
                confirm(
                    yes,
                    &format!("Resolve {} dead letters as {resolution}?", entries.len()),
                )?;
            }
            let by = who(&by);
            let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
            let n = store.resolve_dead_letters(&ids, &resolution, &by).await?;
            output::line(format!("resolved {n} dead letters as {resolution} by {by}"))?;
            Ok(exit::SUCCESS)
        }
        DlqCommand::Purge {
            select,
            resolved,
            dry_run,
            yes,
        } => {
            let mut f = select.filter(resolved.then_some("resolved"))?;
            if resolved && select.is_empty() && !select.all {
                let days = ctx.settings.dead_letter.retention_days as i64;
                f.until = Some(now_ms() - days * 86_400_000);
            } else {
                select.require("purge")?;
            }
            let entries = store.dead_letters(&f).await?;
            let open = entries.iter().filter(|e| e.status == "open").count();
            if entries.is_empty() {
                output::line("no dead letters match")?;
                return Ok(exit::SUCCESS);
            }
            if dry_run {
                output::line(format!(
                    "dry run: {} entries ({open} still open) would be deleted; nothing changed",
                    entries.len()
                ))?;
                return Ok(exit::SUCCESS);
            }
            confirm(
                yes,
                &format!(
                    "Delete {} dead letters for good ({open} still open)?",
                    entries.len()
                ),
            )?;
            let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
            let n = store.purge_dead_letters(&ids).await?;
            output::line(format!("deleted {n} dead letters"))?;
            Ok(exit::SUCCESS)
        }
    }
}

fn handlers_text(e: &DeadLetter) -> String {
    if e.failed_handlers.is_empty() {
        "every handler".into()
    } else {
        format!("handlers {}", e.failed_handlers.join(", "))
    }
}

fn ago(ms: i64) -> String {
    let d = (now_ms() - ms).max(0) as u64;
    format!(
        "{} ago",
        human_duration(std::time::Duration::from_millis(d))
    )
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut out: String = s.chars().take(n - 3).collect();
    out.push_str("...");
    out
}

fn show(e: &DeadLetter) -> anyhow::Result<()> {
    let mut pairs: Vec<(&str, String)> = vec![
        ("id", e.id.clone()),
        ("event", format!("{} {}", e.event_type, e.event_id)),
        ("queue", e.queue.clone()),
        ("status", e.status.clone()),
        (
            "created",
            format!("{} ({})", iso_ms(e.created_at), ago(e.created_at)),
        ),
        ("last attempt", iso_ms(e.last_attempt_at)),
    ];
    if let Some(b) = &e.booking_id {
        pairs.push(("booking", b.clone()));
    }
    pairs.push(("failed handlers", handlers_text(e)));
    if let Some(r) = &e.resolution {
        pairs.push((
            "resolution",
            format!(
                "{r} by {} at {}",
                e.resolved_by.clone().unwrap_or_default(),
                e.resolved_at.map(iso_ms).unwrap_or_default()
            ),
        ));
    }
    let errors: Vec<String> = e
        .errors
        .iter()
        .map(|x| {
            format!(
                "{} {} attempt {}{}: [{}] {}",
                iso_ms(x.at),
                x.handler_name,
                x.attempt_count,
                if x.max_retries > 0 {
                    format!(" (of {} retries)", x.max_retries)
                } else {
                    String::new()
                },
                x.code,
                x.message
            )
        })
        .collect();
    pairs.push(("errors", errors.join("\n")));
    match (&e.event, &e.raw) {
        (Some(ev), _) => pairs.push(("event data", serde_json::to_string_pretty(ev)?)),
        (None, Some(raw)) => pairs.push(("raw payload", raw.clone())),
        _ => {}
    }
    output::fields(&pairs)?;
    Ok(())
}

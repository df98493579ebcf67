//! `slotbase emit <type>`: publish realistic mock events, like `stripe trigger`.
//!
//! Everything the user typed is checked before anything is sent, so a bad override never
//! leaves half the events written.

use std::io::Read;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use super::Context;
use crate::event::{self, EnvelopeDefaults, EventError, Format, MockGen};
use crate::exit;
use crate::output;
use crate::queue::{Backoff, JobOptions, NewJob};
use crate::settings::BackoffKind;

/// Events per queue call when a rate paces them.
const BATCH: usize = 1000;
/// Events per queue call otherwise: several add scripts share one round trip.
const UNPACED_BATCH: usize = 8000;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    slotbase emit booking.confirmed\n  \
    slotbase emit booking.confirmed --set data.bookerEmail=me@example.com --print\n  \
    slotbase emit payment.failed --format legacy --count 500 --rate 50/s\n  \
    slotbase emit booking.created --data @event.json --seed 7")]
pub struct EmitArgs {
    /// Event type, e.g. booking.confirmed (list them with: slotbase events list)
    pub event_type: String,
    /// Override a field, typed by the catalog: data.userId=user_001, data.priceAmount=45.5,
    /// data.isRecurring=true, data.participants='[...]' (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// JSON merged over the generated data (or over the envelope if it has a "data" key):
    /// inline JSON, @FILE, or - for stdin
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub data: Option<String>,
    /// How many events to publish (each with fresh ids and data)
    #[arg(long, default_value_t = 1)]
    pub count: u64,
    /// Publish at most this many events per second, e.g. 50 or 50/s
    #[arg(long, value_name = "N/s")]
    pub rate: Option<String>,
    /// Envelope: domain (seed-2 DomainEvent) or legacy (seed-1 {eventType, eventId,
    /// timestamp, data}); default from emit.format
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Target queue (default: emit.domain_queue or emit.legacy_queue)
    #[arg(long)]
    pub queue: Option<String>,
    /// Bull job name (default: emit.domain_job_name, or booking-event for legacy)
    #[arg(long)]
    pub job_name: Option<String>,
    /// Print the events as JSON lines and send nothing
    #[arg(long)]
    pub print: bool,
    /// Seed for reproducible mock data
    #[arg(long)]
    pub seed: Option<u64>,
    /// Total tries of each job (default: emit.attempts)
    #[arg(long)]
    pub attempts: Option<u32>,
    /// Delay before the job becomes waiting, e.g. 30s or 5m
    #[arg(long, value_parser = parse_delay)]
    pub delay: Option<Duration>,
    /// Bull priority (1 is highest)
    #[arg(long)]
    pub priority: Option<u32>,
    /// Run next instead of last
    #[arg(long)]
    pub lifo: bool,
    /// Custom job id (dedupes: a job with this id is added once); only with --count 1
    #[arg(long)]
    pub job_id: Option<String>,
}

fn parse_delay(s: &str) -> Result<Duration, String> {
    crate::util::parse_duration(s)
}

/// Parse `--rate`: `50`, `50/s`, `3000/m`.
fn parse_rate(text: &str) -> anyhow::Result<f64> {
    let t = text.trim();
    let (num, per) = match t.split_once('/') {
        Some((n, unit)) => {
            let per = match unit.trim() {
                "s" | "sec" => 1.0,
                "m" | "min" => 60.0,
                "h" => 3600.0,
                other => bail!("--rate: unknown unit \"/{other}\"; use N/s, N/m or N/h"),
            };
            (n, per)
        }
        None => (t, 1.0),
    };
    let n: f64 = num
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v > 0.0)
        .with_context(|| format!("--rate: \"{text}\" is not a positive rate; use e.g. 50/s"))?;
    Ok(n / per)
}

fn read_data(spec: &str) -> anyhow::Result<(String, String)> {
    if spec == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("--data -: cannot read stdin")?;
        Ok((s, "stdin".into()))
    } else if let Some(path) = spec.strip_prefix('@') {
        let s = std::fs::read_to_string(path)
            .with_context(|| format!("--data @{path}: cannot read the file"))?;
        Ok((s, path.to_string()))
    } else {
        Ok((spec.to_string(), "--data".into()))
    }
}

/// The user's overrides, parsed once and applied to every generated event.
struct Overrides {
    sets: Vec<(String, String)>,
    patch: Option<Value>,
}

impl Overrides {
    fn apply(
        &self,
        ev: &mut Value,
        ty: &event::EventType,
        format: Format,
    ) -> Result<(), EventError> {
        if let Some(patch) = &self.patch {
            event::merge_patch(ev, patch.clone())?;
        }
        for (path, raw) in &self.sets {
            event::apply_set(ev, ty, format, path, raw)?;
        }
        event::validate(ev, ty, format)
    }
}

pub async fn run(ctx: &Context, args: EmitArgs) -> anyhow::Result<i32> {
    let cfg = &ctx.settings.emit;
    let ty = event::lookup(&args.event_type)?;
    if args.count == 0 {
        bail!("--count 0 publishes nothing; give a count of at least 1");
    }
    if args.job_id.is_some() && args.count > 1 {
        bail!("--job-id dedupes, so it only makes sense with --count 1");
    }
    let rate = args.rate.as_deref().map(parse_rate).transpose()?;
    let format = args.format.unwrap_or(cfg.format);
    let mut sets = Vec::new();
    for s in &args.set {
        let Some((path, value)) = s.split_once('=') else {
            bail!("--set \"{s}\": expected PATH=VALUE, e.g. --set data.userId=user_001");
        };
        sets.push((path.trim().to_string(), value.to_string()));
    }
    let patch = match &args.data {
        Some(spec) => {
            let (text, origin) = read_data(spec)?;
            let v = event::parse_json(&text, &origin)?;
            if !v.is_object() {
                bail!("{origin}: expected a JSON object, found {}", json_kind(&v));
            }
            Some(v)
        }
        None => None,
    };
    let overrides = Overrides { sets, patch };
    let defaults = EnvelopeDefaults {
        source: cfg.source.clone(),
        environment: cfg.environment.clone(),
    };
    let mut mock = MockGen::new(args.seed);

    // Check everything the user gave before sending anything.
    let mut first = mock.event(ty, format, &defaults);
    overrides.apply(&mut first, ty, format)?;

    if args.print {
        output::json_line(&first)?;
        for _ in 1..args.count {
            let mut ev = mock.event(ty, format, &defaults);
            overrides.apply(&mut ev, ty, format)?;
            output::json_line(&ev)?;
        }
        return Ok(exit::SUCCESS);
    }

    let (queue_name, job_name) = match format {
        Format::Domain => (&cfg.domain_queue, &cfg.domain_job_name),
        Format::Legacy => (&cfg.legacy_queue, &cfg.legacy_job_name),
    };
    let queue_name = args.queue.clone().unwrap_or_else(|| queue_name.clone());
    let job_name = args.job_name.clone().unwrap_or_else(|| job_name.clone());
    let backoff_delay = cfg.backoff_delay_ms;
    let opts = JobOptions {
        attempts: args.attempts.unwrap_or(cfg.attempts).max(1),
        backoff: Some(match cfg.backoff {
            BackoffKind::Fixed => Backoff::Fixed {
                delay: backoff_delay,
            },
            BackoffKind::Exponential => Backoff::Exponential {
                delay: backoff_delay,
            },
        }),
        delay: args.delay.map(|d| d.as_millis() as u64).unwrap_or(0),
        priority: args.priority.unwrap_or(0),
        lifo: args.lifo,
        job_id: args.job_id.clone(),
        ..JobOptions::default()
    };

    let queues = ctx.queues().await?;
    let started = Instant::now();
    let progress = if args.count > 1 {
        let pb = ProgressBar::new(args.count);
        pb.set_style(
            ProgressStyle::with_template(
                "{spinner} {bar:30} {pos}/{len} events  {per_sec}  eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb
    } else {
        ProgressBar::hidden()
    };

    let batch_size = match rate {
        Some(r) => ((r / 10.0).ceil() as usize).clamp(1, BATCH),
        None => UNPACED_BATCH,
    };
    let mut emitted: u64 = 0;
    let mut generated: u64 = 0;
    let mut last_event_id = String::new();
    let mut last_job = None;
    let mut duplicates = 0u64;
    let mut pending = Some(first);
    let mut generate = |n: usize| -> anyhow::Result<(Vec<NewJob>, String)> {
        let mut jobs = Vec::with_capacity(n);
        let mut last = String::new();
        for _ in 0..n {
            let ev = match pending.take() {
                Some(ev) => ev,
                None => {
                    let mut ev = mock.event(ty, format, &defaults);
                    overrides.apply(&mut ev, ty, format)?;
                    ev
                }
            };
            last = event_id(&ev);
            jobs.push(NewJob {
                name: job_name.clone(),
                data: serde_json::to_string(&ev)?,
                opts: opts.clone(),
            });
        }
        Ok((jobs, last))
    };
    let take = |generated: u64| ((args.count - generated) as usize).min(batch_size);
    let n = take(generated);
    let mut chunk = Some(generate(n)?);
    generated += n as u64;
    while let Some((jobs, chunk_last_id)) = chunk.take() {
        let n = jobs.len();
        // The next chunk is generated while this one is on its way to the queue: the
        // add future sends its request when first polled, then generation runs until
        // the reply is awaited. Chunks are still added one at a time, in order.
        let next_n = if rate.is_none() { take(generated) } else { 0 };
        let (added, next) = tokio::join!(queues.add(&queue_name, jobs), async {
            if next_n > 0 {
                Some(generate(next_n))
            } else {
                None
            }
        });
        let added = added.with_context(|| {
            format!(
                "adding events to queue \"{queue_name}\" on {}",
                queues.location()
            )
        })?;
        last_event_id = chunk_last_id;
        duplicates += added.iter().filter(|a| a.duplicate).count() as u64;
        last_job = added.last().map(|a| a.id.clone());
        emitted += n as u64;
        progress.set_position(emitted);
        if let Some(r) = rate {
            let due = Duration::from_secs_f64(emitted as f64 / r);
            let elapsed = started.elapsed();
            if due > elapsed && emitted < args.count {
                tokio::time::sleep(due - elapsed).await;
            }
        }
        chunk = match next {
            Some(next) => Some(next?),
            None if generated < args.count => Some(generate(take(generated))?),
            None => None,
        };
        if let Some((jobs, _)) = &chunk {
            generated += jobs.len() as u64;
        }
    }
    progress.finish_and_clear();
    let elapsed = started.elapsed();
    if args.count == 1 {
        let job = last_job.unwrap_or_default();
        let dup = if duplicates > 0 {
            " (duplicate job id: nothing added)"
        } else {
            ""
        };
        output::line(format!(
            "emitted {} {last_event_id} to queue {queue_name} as job {job}{dup}",
            ty.name
        ))?;
    } else {
        let rate = emitted as f64 / elapsed.as_secs_f64().max(1e-9);
        output::line(format!(
            "emitted {emitted} {} events to queue {queue_name} in {:.2}s ({rate:.0} events/s)",
            ty.name,
            elapsed.as_secs_f64()
        ))?;
    }
    Ok(exit::SUCCESS)
}

fn event_id(ev: &Value) -> String {
    ev.get("id")
        .or_else(|| ev.get("eventId"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::parse_rate;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("50").unwrap(), 50.0);
        assert_eq!(parse_rate("120/m").unwrap(), 2.0);
        assert!(parse_rate("0/s").is_err());
        assert!(parse_rate("fast").is_err());
    }
}

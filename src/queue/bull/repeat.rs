//! Bull's repeatable jobs: when a worker takes an occurrence, it adds the next one.
//!
//! A job added with `opts.repeat` (`every` ms or a `cron` pattern) is one occurrence; the
//! definition lives in `P:Q:repeat` (score: next run, member: the repeat key). Bull's
//! worker, on fetching an occurrence, computes the next run and adds it as a delayed job
//! with an id derived from the definition, but only while the definition is still in
//! `P:Q:repeat` (`removeRepeatable` stops the chain that way). A worker that does not do
//! this ends the repetition, so slotbase does it exactly as Bull's `nextRepeatableJob`:
//! the same next time, repeat key, job id and opts, so that Bull and slotbase workers can
//! take turns on one queue and `getRepeatableJobs()` stays right.

use chrono::{DateTime, TimeZone, Utc};
use md5::{Digest, Md5};
use serde_json::{Map, Value};

/// The occurrence to add after the one just taken.
#[derive(Clone, Debug, PartialEq)]
pub struct Next {
    /// The definition's member in `P:Q:repeat`.
    pub repeat_key: String,
    /// When it runs, ms since the epoch (the definition's new score).
    pub next_millis: i64,
    /// `repeat:<md5>:<next_millis>`: adding it twice is a no-op.
    pub job_id: String,
    pub name: String,
    pub data: String,
    /// The new job's opts, as Bull builds them: the taken job's, with `repeat.count`,
    /// `repeat.key`, `jobId`, `delay`, `timestamp` and `prevMillis` replaced.
    pub opts: Map<String, Value>,
    pub timestamp: i64,
    /// ms from `timestamp` to `next_millis`, 0 when that is past.
    pub delay: u64,
}

/// The next occurrence of the repeatable job `name` whose stored opts are `opts`, taken at
/// `now` (ms). `Ok(None)` when the repetition is over (limit reached, end date passed, no
/// further cron time). An error when the definition cannot be evaluated (both `cron` and
/// `every`, a bad pattern or time zone): Bull's worker fails the same way.
pub fn next(
    name: &str,
    data: &str,
    opts: &Map<String, Value>,
    now: i64,
) -> Result<Option<Next>, String> {
    let Some(Value::Object(mut repeat)) = opts.get("repeat").cloned() else {
        return Ok(None);
    };
    let prev_millis = opts.get("prevMillis").map(js_number).unwrap_or(0.0);
    let prev_millis = if prev_millis.is_finite() {
        prev_millis as i64
    } else {
        0
    };
    if prev_millis == 0
        && let Some(id) = opts.get("jobId").filter(|v| js_truthy(v))
    {
        repeat.insert("jobId".into(), id.clone());
    }
    let count = match repeat.get("count") {
        Some(c) if js_truthy(c) => js_number(c) + 1.0,
        _ => 1.0,
    };
    // `currentCount > limit` in JavaScript: false when either side is NaN.
    if let Some(limit) = repeat.get("limit")
        && count > js_number(limit)
    {
        return Ok(None);
    }
    let end = match repeat.get("endDate") {
        Some(v) if !v.is_null() => Some(js_date(v)?),
        _ => None,
    };
    if end.is_some_and(|end| now > end) {
        return Ok(None);
    }
    let from = prev_millis.max(now);
    let Some(next_millis) = next_millis(from, &repeat, end)? else {
        return Ok(None);
    };

    let job_part = match repeat.get("jobId") {
        Some(id) if js_truthy(id) => format!("{}:", js_string(id)),
        _ => ":".to_string(),
    };
    let repeat_key = repeat_key(name, &repeat, &job_part, end);
    let job_id = format!(
        "repeat:{}:{next_millis}",
        md5_hex(&format!("{name}{job_part}{}", md5_hex(&repeat_key)))
    );
    let created = now_ms_after(now);
    let delay = (next_millis - created).max(0) as u64;

    // lodash's defaultsDeep(overrides, opts): the overrides first, then whatever else the
    // taken job had, nested objects merged the same way.
    let mut merged_repeat = Map::new();
    merged_repeat.insert("count".into(), Value::from(count as i64));
    merged_repeat.insert("key".into(), Value::String(repeat_key.clone()));
    for (k, v) in repeat {
        merged_repeat.entry(k).or_insert(v);
    }
    let mut new_opts = Map::new();
    new_opts.insert("repeat".into(), Value::Object(merged_repeat));
    new_opts.insert("jobId".into(), Value::String(job_id.clone()));
    new_opts.insert("delay".into(), Value::from(delay));
    new_opts.insert("timestamp".into(), Value::from(created));
    new_opts.insert("prevMillis".into(), Value::from(next_millis));
    for (k, v) in opts {
        new_opts.entry(k.clone()).or_insert_with(|| v.clone());
    }
    // Job.create's defaults.
    new_opts.entry("attempts").or_insert(Value::from(1));

    Ok(Some(Next {
        repeat_key,
        next_millis,
        job_id,
        name: name.to_string(),
        data: data.to_string(),
        opts: new_opts,
        timestamp: created,
        delay,
    }))
}

/// Bull computes the job's creation time after its ZADD; the clock cannot go back here.
fn now_ms_after(now: i64) -> i64 {
    crate::queue::now_ms().max(now)
}

/// `getNextMillis`: the next multiple of `every` after `from`, or the cron pattern's next
/// time after `from` (or after `startDate`, if later) in the definition's time zone,
/// `None` once past `endDate`.
fn next_millis(
    from: i64,
    repeat: &Map<String, Value>,
    end: Option<i64>,
) -> Result<Option<i64>, String> {
    let cron = repeat.get("cron").filter(|v| js_truthy(v));
    let every = repeat.get("every").filter(|v| js_truthy(v));
    if cron.is_some() && every.is_some() {
        return Err("Both .cron and .every options are defined for this repeatable job".into());
    }
    if let Some(every) = every {
        let every = js_number(every);
        if !every.is_finite() || every <= 0.0 {
            return Err(format!(
                "repeat.every {every} is not a positive number of ms"
            ));
        }
        let next = (from as f64 / every).floor() * every + every;
        return Ok(Some(next as i64));
    }
    let Some(cron) = cron else {
        return Ok(None);
    };
    let pattern = js_string(cron);
    let start = match repeat.get("startDate") {
        Some(v) if js_truthy(v) => Some(js_date(v)?),
        _ => None,
    };
    let current = match start {
        Some(s) if s > from => s,
        _ => from,
    };
    let parsed = croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Optional)
        .build()
        .parse(&pattern)
        .map_err(|e| format!("repeat.cron {pattern:?}: {e}"))?;
    let at = DateTime::<Utc>::from_timestamp_millis(current)
        .ok_or_else(|| format!("time {current} ms is out of range"))?;
    // cron-parser reads the pattern in `tz`, or in the process's local time zone.
    let next = match repeat.get("tz").filter(|v| js_truthy(v)) {
        Some(tz) => {
            let tz: chrono_tz::Tz = js_string(tz)
                .parse()
                .map_err(|e| format!("repeat.tz: {e}"))?;
            cron_next(&parsed, &at.with_timezone(&tz))
        }
        None => cron_next(&parsed, &at.with_timezone(&chrono::Local)),
    };
    Ok(next.filter(|n| end.is_none_or(|end| *n <= end)))
}

fn cron_next<Tz: TimeZone>(cron: &croner::Cron, at: &DateTime<Tz>) -> Option<i64>
where
    DateTime<Tz>: croner::CronDateTime,
{
    cron.find_next_occurrence(at, false)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// `getRepeatKey`: `<name>:<jobId>:<endDate ms>:<tz>:<cron>`, or
/// `<name>:<jobId>:<endDate ms>:<every>`, empty parts left empty.
fn repeat_key(name: &str, repeat: &Map<String, Value>, job_part: &str, end: Option<i64>) -> String {
    let end_part = match end {
        Some(ms) => format!("{ms}:"),
        None => ":".to_string(),
    };
    let suffix = match repeat.get("cron").filter(|v| js_truthy(v)) {
        Some(cron) => {
            let tz = match repeat.get("tz").filter(|v| js_truthy(v)) {
                Some(tz) => format!("{}:", js_string(tz)),
                None => ":".to_string(),
            };
            format!("{tz}{}", js_string(cron))
        }
        None => repeat
            .get("every")
            .map(js_string)
            .unwrap_or_else(|| "undefined".into()),
    };
    format!("{name}:{job_part}{end_part}{suffix}")
}

fn md5_hex(s: &str) -> String {
    crate::util::hex(&Md5::digest(s.as_bytes()))
}

/// JavaScript truthiness of a JSON value.
fn js_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `Number(v)` for a JSON value.
fn js_number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) if s.trim().is_empty() => 0.0,
        Value::String(s) => s.trim().parse().unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

/// `String(v)` for the JSON values a repeat definition holds.
fn js_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// `new Date(v).getTime()` for a stored date: ms since the epoch, or the ISO text
/// `JSON.stringify` makes of a `Date`.
fn js_date(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map(|f| f as i64)
            .ok_or_else(|| format!("date {n} is not a time")),
        Value::String(s) => DateTime::parse_from_rfc3339(s)
            .map(|d| d.timestamp_millis())
            .map_err(|e| format!("date {s:?}: {e}")),
        other => Err(format!("date {other} is not a time")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn every_schedules_the_next_multiple_with_bulls_key_and_id() {
        let o = opts(json!({
            "repeat": {"every": 1000, "count": 1, "key": "__default__:::1000"},
            "jobId": "repeat:x:2000", "delay": 0, "timestamp": 1500, "prevMillis": 2000,
            "attempts": 1
        }));
        let n = next("__default__", "{}", &o, 2_100).unwrap().unwrap();
        assert_eq!(n.next_millis, 3000);
        assert_eq!(n.repeat_key, "__default__:::1000");
        // md5("__default__:" + md5("__default__:::1000")), as Bull's getRepeatJobId.
        let inner = md5_hex("__default__:::1000");
        assert_eq!(
            n.job_id,
            format!("repeat:{}:3000", md5_hex(&format!("__default__:{inner}")))
        );
        assert_eq!(n.opts["repeat"]["count"], json!(2));
        assert_eq!(n.opts["prevMillis"], json!(3000));
        assert_eq!(n.opts["jobId"], json!(n.job_id));
    }

    #[test]
    fn a_previous_run_later_than_now_counts_from_there() {
        let o = opts(json!({"repeat": {"every": 1000, "count": 3}, "prevMillis": 9000}));
        let n = next("n", "{}", &o, 5_000).unwrap().unwrap();
        assert_eq!(n.next_millis, 10_000);
    }

    #[test]
    fn the_limit_and_the_end_date_end_the_repetition() {
        let limited =
            opts(json!({"repeat": {"every": 1000, "count": 3, "limit": 3}, "prevMillis": 1}));
        assert_eq!(next("n", "{}", &limited, 5_000).unwrap(), None);
        let ended = opts(json!({"repeat": {"every": 1000, "endDate": 4000}, "prevMillis": 1}));
        assert_eq!(next("n", "{}", &ended, 5_000).unwrap(), None);
    }

    #[test]
    fn cron_in_a_time_zone_with_the_end_date_in_the_key() {
        let o = opts(json!({
            "repeat": {"cron": "30 2 * * *", "tz": "Europe/Paris",
                       "endDate": "2027-01-01T00:00:00.000Z"},
            "prevMillis": 1
        }));
        // 2026-11-26T12:00:00Z: the next 02:30 in Paris is 2026-11-27T01:30:00Z.
        let now = 1_795_694_400_000;
        let n = next("digest", "{}", &o, now).unwrap().unwrap();
        assert_eq!(n.next_millis, 1_795_743_000_000);
        assert_eq!(
            n.repeat_key,
            "digest::1798761600000:Europe/Paris:30 2 * * *"
        );
    }

    #[test]
    fn both_cron_and_every_is_an_error() {
        let o = opts(json!({"repeat": {"cron": "* * * * *", "every": 5}}));
        assert!(
            next("n", "{}", &o, 0)
                .unwrap_err()
                .contains("Both .cron and .every")
        );
    }
}

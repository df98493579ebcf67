//! Conversions between Bull's job hash (every value a string; JSON only in `data`,
//! `opts`, `progress`, `returnvalue` and `stacktrace`) and [`Job`].
//!
//! Reading is lenient because other clients write these hashes too: bull-repl stores
//! `"lifo":"true"`, attempts and delays may arrive as strings, and a hash holding only
//! `data` is a valid job for Bull.

use serde_json::Value;

use crate::queue::{Backoff, Job, JobOptions, KeepJobs};

/// Bull's default job name: what `queue.add(data)` and `queue.process(fn)` use.
pub const DEFAULT_JOB_NAME: &str = "__default__";

/// A number the way JavaScript's truthiness and `Number()` coercion would see it.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        Value::Bool(true) => Some(1.0),
        _ => None,
    }
}

fn to_u64(v: &Value) -> Option<u64> {
    number(v).filter(|f| *f >= 0.0).map(|f| f.round() as u64)
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s == "true",
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => false,
    }
}

fn keep_jobs(v: &Value) -> Option<KeepJobs> {
    match v {
        Value::Bool(true) => Some(KeepJobs {
            count: Some(0),
            age: None,
        }),
        Value::Number(_) | Value::String(_) => to_u64(v).map(|n| KeepJobs {
            count: Some(n),
            age: None,
        }),
        Value::Object(o) => Some(KeepJobs {
            count: o.get("count").and_then(to_u64),
            age: o.get("age").and_then(to_u64),
        }),
        _ => None,
    }
}

/// A backoff from Bull's opts: a bare number means fixed. Custom strategy types exist
/// only inside a Node worker's settings, so they read as no backoff.
fn backoff(v: &Value) -> Option<Backoff> {
    match v {
        Value::Number(_) | Value::String(_) => to_u64(v).map(|delay| Backoff::Fixed { delay }),
        Value::Object(o) => {
            let delay = o.get("delay").and_then(to_u64).unwrap_or(0);
            match o.get("type").and_then(Value::as_str) {
                Some("fixed") => Some(Backoff::Fixed { delay }),
                Some("exponential") => Some(Backoff::Exponential { delay }),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The parsed `opts` JSON of a job, written by Bull, BullMQ or us.
pub fn parse_opts(raw: Option<&str>) -> JobOptions {
    let o = raw.map(read_opts).unwrap_or_default();
    JobOptions {
        attempts: to_u64(&o.attempts)
            .map(|n| n.min(u32::MAX as u64) as u32)
            .unwrap_or(1),
        backoff: backoff(&o.backoff),
        delay: to_u64(&o.delay).unwrap_or(0),
        priority: to_u64(&o.priority)
            .map(|n| n.min(u32::MAX as u64) as u32)
            .unwrap_or(0),
        lifo: truthy(&o.lifo),
        job_id: match o.job_id {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        },
        timestamp: number(&o.timestamp).map(|f| f as i64),
        remove_on_complete: keep_jobs(&o.remove_on_complete),
        remove_on_fail: keep_jobs(&o.remove_on_fail),
    }
}

/// The opts fields slotbase reads, each as whatever JSON its writer put there (absent is
/// null). Picked out by name while parsing, without building a map of every field.
#[derive(Default, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawOpts {
    attempts: Value,
    backoff: Value,
    delay: Value,
    priority: Value,
    lifo: Value,
    job_id: Value,
    timestamp: Value,
    remove_on_complete: Value,
    remove_on_fail: Value,
}

/// Opts text as [`RawOpts`]; anything that is not a JSON object reads as no options. A
/// key given twice (which the direct read refuses) takes its last value, as in
/// JavaScript.
fn read_opts(text: &str) -> RawOpts {
    // A derived struct would also take an array, field by position.
    if !text.trim_start().starts_with('{') {
        return RawOpts::default();
    }
    serde_json::from_str(text).unwrap_or_else(|_| {
        serde_json::from_str::<Value>(text)
            .ok()
            .filter(Value::is_object)
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    })
}

/// `opts.stackTraceLimit`, which slotbase does not model but honours.
pub fn stack_trace_limit(raw: Option<&str>) -> Option<usize> {
    let v: Value = serde_json::from_str(raw?).ok()?;
    to_u64(v.get("stackTraceLimit")?)
        .filter(|n| *n > 0)
        .map(|n| n as usize)
}

/// The opts JSON slotbase stores: like Bull's, `attempts`, `delay` and `timestamp` are
/// always present.
pub fn opts_json(opts: &JobOptions, timestamp: i64) -> String {
    let mut o = opts.clone();
    o.timestamp = Some(timestamp);
    serde_json::to_string(&o).unwrap_or_else(|_| "{}".to_string())
}

/// Bull stores `data || {}`: JavaScript-falsy payloads become `{}`.
pub fn normalize_data(data: &str) -> &str {
    match data.trim() {
        "" | "null" | "false" | "0" | "\"\"" | "-0" => "{}",
        _ => data,
    }
}

/// `id & 0xFFF` with JavaScript semantics (Number(id), then ToInt32): the low bits
/// Bull puts in the delayed score of a retried job.
pub fn js_low12(id: &str) -> i64 {
    let s = id.trim();
    let n = if s.is_empty() {
        0.0
    } else if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16)
            .map(|n| n as f64)
            .unwrap_or(f64::NAN)
    } else if s.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) {
        s.parse::<f64>().unwrap_or(f64::NAN)
    } else {
        f64::NAN
    };
    if !n.is_finite() {
        return 0;
    }
    let int32 = (n.trunc().rem_euclid(4_294_967_296.0)) as i64;
    int32 & 0xFFF
}

/// A hash field as an integer (Bull may write floats, e.g. `1e3`).
fn int(v: &str) -> Option<i64> {
    v.parse::<i64>()
        .ok()
        .or_else(|| v.parse::<f64>().ok().map(|f| f as i64))
}

fn clamp_u32(v: Option<i64>) -> u32 {
    v.unwrap_or(0).clamp(0, u32::MAX as i64) as u32
}

/// A job from its id and HGETALL field/value pairs (taken by value: the values move
/// into the job, one pass over the fields).
pub fn job_from_hash(id: String, fields: Vec<(String, String)>) -> Job {
    let mut job = Job {
        id,
        name: String::new(),
        data: String::new(),
        opts: JobOptions::default(),
        timestamp: 0,
        delay: 0,
        priority: 0,
        attempts_made: 0,
        stalled_counter: 0,
        processed_on: None,
        finished_on: None,
        failed_reason: None,
        stacktrace: Vec::new(),
        returnvalue: None,
        progress: None,
        state: None,
        due_at: None,
    };
    let (mut name, mut data, mut opts) = (None, None, None);
    for (field, value) in fields {
        match field.as_str() {
            "name" => name = Some(value),
            "data" => data = Some(value),
            "opts" => opts = Some(value),
            "timestamp" => job.timestamp = int(&value).unwrap_or(0),
            "delay" => job.delay = int(&value).unwrap_or(0).max(0) as u64,
            "priority" => job.priority = clamp_u32(int(&value)),
            "attemptsMade" => job.attempts_made = clamp_u32(int(&value)),
            "stalledCounter" => job.stalled_counter = clamp_u32(int(&value)),
            "processedOn" => job.processed_on = int(&value),
            "finishedOn" => job.finished_on = int(&value),
            "failedReason" => job.failed_reason = Some(value),
            "stacktrace" => job.stacktrace = stacktrace(&value),
            "returnvalue" => job.returnvalue = Some(value),
            "progress" => job.progress = Some(value),
            _ => {}
        }
    }
    job.name = name.unwrap_or_else(|| DEFAULT_JOB_NAME.to_string());
    job.data = data.unwrap_or_else(|| "{}".to_string());
    job.opts = parse_opts(opts.as_deref());
    job
}

/// The `stacktrace` field: a JSON array of strings (nulls dropped).
fn stacktrace(raw: &str) -> Vec<String> {
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .filter(|i| !i.is_null())
            .map(|i| match i {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_opts_from_other_clients() {
        let o = parse_opts(Some(
            r#"{"attempts":"3","lifo":"true","backoff":500,"removeOnComplete":true,"removeOnFail":{"age":60}}"#,
        ));
        assert_eq!(o.attempts, 3);
        assert!(o.lifo);
        assert_eq!(o.backoff, Some(Backoff::Fixed { delay: 500 }));
        assert_eq!(o.remove_on_complete.unwrap().count, Some(0));
        assert_eq!(o.remove_on_fail.unwrap().age, Some(60));
        let empty = parse_opts(None);
        assert_eq!(empty.attempts, 1);
        assert_eq!(empty.backoff, None);
    }

    #[test]
    fn opts_with_a_repeated_key_or_no_object_still_read() {
        // The last of two values wins, as in JSON.parse.
        let o = parse_opts(Some(r#"{"attempts":2,"jobId":7,"attempts":5}"#));
        assert_eq!(o.attempts, 5);
        assert_eq!(o.job_id.as_deref(), Some("7"));
        for text in ["[1,2]", "null", "not json", r#""attempts""#] {
            assert_eq!(parse_opts(Some(text)), parse_opts(None), "{text}");
        }
    }

    #[test]
    fn js_number_low_bits() {
        assert_eq!(js_low12("123"), 123);
        assert_eq!(js_low12("4097"), 1);
        assert_eq!(js_low12("1e3"), 1000);
        assert_eq!(js_low12("custom-1"), 0);
        assert_eq!(js_low12("0x10"), 16);
        assert_eq!(js_low12(""), 0);
    }

    #[test]
    fn falsy_payloads_become_empty_objects() {
        assert_eq!(normalize_data("null"), "{}");
        assert_eq!(normalize_data(" 0 "), "{}");
        assert_eq!(normalize_data(r#"{"a":1}"#), r#"{"a":1}"#);
    }

    #[test]
    fn hash_with_only_data_is_a_job() {
        let j = job_from_hash("7".into(), vec![("data".into(), r#"{"x":1}"#.into())]);
        assert_eq!(j.name, DEFAULT_JOB_NAME);
        assert_eq!(j.opts.attempts, 1);
        assert!(j.stacktrace.is_empty());
    }
}

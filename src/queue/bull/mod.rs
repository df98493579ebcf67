//! Redis queues in Bull v4's own layout, so Bull producers and workers share every queue
//! with slotbase.
//!
//! Each atomic state transition is one Lua script of ours under `lua/` (the helpers in
//! `lua/lib.lua` are prepended to each at compile time). Scripts receive the job base key
//! `<prefix>:<queue>:` and build job keys and channel names from it, as Bull's do.
//!
//! # Key inventory
//!
//! `P` is the prefix (default `bull`), `Q` the queue name, `<id>` a job id.
//!
//! | key | type | contents |
//! |---|---|---|
//! | `P:Q:id` | string | job-id counter, INCRed once per added job (custom ids and duplicates included) |
//! | `P:Q:<id>` | hash | the job: `name`, `data` (JSON), `opts` (JSON), `timestamp`, `delay`, `priority`, `processedOn`, `finishedOn`, `attemptsMade`, `failedReason` (text), `stacktrace` (JSON array), `returnvalue` (JSON), `progress` (JSON), `stalledCounter`, `retriedOn`, `deid` |
//! | `P:Q:<id>:lock` | string, PX | the worker token holding the job; expires after the lease |
//! | `P:Q:<id>:logs` | list | log lines, RPUSHed |
//! | `P:Q:wait` | list | waiting ids; producers LPUSH, workers pop from the right (the rightmost runs next); prioritized jobs sit at the right end |
//! | `P:Q:paused` | list | `wait` while the queue is globally paused |
//! | `P:Q:active` | list | claimed ids, pushed on the left |
//! | `P:Q:priority` | zset | priority (1 highest) of prioritized jobs still waiting; only used to place inserts |
//! | `P:Q:delayed` | zset | score `due_ms * 4096 + (counter & 0xFFF)` |
//! | `P:Q:completed` | zset | score `finishedOn` |
//! | `P:Q:failed` | zset | score `finishedOn` |
//! | `P:Q:stalled` | set | ids that were active at the last stalled check (the mark of mark-and-sweep) |
//! | `P:Q:stalled-check` | string, PX | last stalled check time; while it lives no other check runs |
//! | `P:Q:meta-paused` | string | `1` while paused: the flag Bull's scripts check |
//! | `P:Q:meta` | hash | field `paused` while paused (BullMQ's flag; either flag means paused) |
//! | `P:Q:repeat` | zset | repeatable-job definitions (member: the repeat key, score: next run ms); created by Bull's `add` with `repeat`, rescheduled here when a worker takes an occurrence (see [`repeat`]) |
//! | `P:Q:limiter*`, `P:Q:de:<id>` | | rate limiter and debounce keys of Bull; read and cleaned up here, never created |
//!
//! Pub/sub channels (never keys): `P:Q:waiting@<token>`, `P:Q:active@<token>`,
//! `P:Q:stalled@`, `P:Q:completed`, `P:Q:failed`, `P:Q:delayed`, `P:Q:paused`,
//! `P:Q:resumed`, `P:Q:drained`, `P:Q:duplicated@<token>`. A script about to publish 8
//! or more per-job events (`waiting`, `active`, `completed`, `delayed`, `duplicated`)
//! first asks Redis whether anyone could receive them: a subscriber to the channel, any
//! pattern subscriber, a replica or a cluster. When nobody could, it leaves them out;
//! the script is atomic, so no client can tell (see `listened` in `lua/lib.lua`).
//!
//! # Connections
//!
//! One [`ConnectionManager`] (reconnects by itself, response timeout raised for batch
//! scripts) carries every command and script. Blocking pops each get a dedicated
//! connection with no response timeout, named `<prefix>:<base64(queue)>` like Bull's
//! `bclient` so that Bull's `getWorkers()` lists slotbase workers; a connection that
//! fails is dropped and the next claim opens a new one.

mod codec;
mod repeat;

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use redis::aio::{ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::{AsyncConnectionConfig, RedisError, Script, Value};

use super::{
    Added, FailOutcome, Failure, FinishError, IdOutcome, Job, JobCounts, JobState, NewJob,
    PromoteReport, QueueBackend, QueueError, Result, Retry, StalledCheck, StalledReport, now_ms,
};
use crate::settings::mask_url;

pub use codec::DEFAULT_JOB_NAME;

macro_rules! lua {
    ($file:literal) => {
        LazyLock::new(|| {
            Script::new(concat!(
                include_str!("lua/lib.lua"),
                "\n",
                include_str!(concat!("lua/", $file))
            ))
        })
    };
}

/// One run of a script, built straight into its `EVALSHA` command. A
/// `redis::ScriptInvocation` keeps every argument in an allocation of its own and copies
/// them all into a new command each time it is sent, which the calls that carry many
/// jobs (add, complete) cannot afford.
struct ScriptCall {
    script: &'static Script,
    cmd: redis::Cmd,
}

impl ScriptCall {
    /// A call of `script` on `keys`; arguments follow with [`ScriptCall::arg`].
    fn new(script: &'static Script, keys: &[String]) -> ScriptCall {
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(script.get_hash()).arg(keys.len());
        for key in keys {
            cmd.arg(key);
        }
        ScriptCall { script, cmd }
    }

    fn arg<T: redis::ToRedisArgs>(&mut self, arg: T) -> &mut ScriptCall {
        self.cmd.arg(arg);
        self
    }

    /// Run it, loading the script first if Redis does not know it (after a restart, say:
    /// the refused call ran nothing, so it is simply sent again).
    async fn invoke<T: redis::FromRedisValue>(
        &self,
        conn: &mut impl redis::aio::ConnectionLike,
    ) -> redis::RedisResult<T> {
        match self.cmd.query_async(conn).await {
            Err(e) if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) => {
                self.script.load_async(conn).await?;
                self.cmd.query_async(conn).await
            }
            r => r,
        }
    }
}

static ADD_JOBS: LazyLock<Script> = lua!("add_jobs.lua");
static MOVE_TO_ACTIVE: LazyLock<Script> = lua!("move_to_active.lua");
static EXTEND_LOCKS: LazyLock<Script> = lua!("extend_locks.lua");
static COMPLETE: LazyLock<Script> = lua!("complete.lua");
static FAIL: LazyLock<Script> = lua!("fail.lua");
static PROMOTE_DUE: LazyLock<Script> = lua!("promote_due.lua");
static PROMOTE: LazyLock<Script> = lua!("promote.lua");
static MOVE_STALLED: LazyLock<Script> = lua!("move_stalled.lua");
static REMOVE: LazyLock<Script> = lua!("remove.lua");
static DRAIN: LazyLock<Script> = lua!("drain.lua");
static CLEAN: LazyLock<Script> = lua!("clean.lua");
static PAUSE: LazyLock<Script> = lua!("pause.lua");
static RETRY: LazyLock<Script> = lua!("retry.lua");
static RETRY_ALL: LazyLock<Script> = lua!("retry_all.lua");
static OLDEST_WAITING: LazyLock<Script> = lua!("oldest_waiting.lua");
static REPEAT_NEXT: LazyLock<Script> = lua!("repeat_next.lua");

/// Jobs per add script call, and script calls per pipelined round trip.
const ADD_BATCH: usize = 1000;
const ADD_CALLS_PER_ROUND_TRIP: usize = 8;
/// Jobs per batch of the bulk scripts (drain, clean, retry_all, promote_due), so that
/// Redis is never blocked for long even on queues with millions of jobs.
const BULK_BATCH: usize = 1000;

/// Queue-level key suffixes and the Redis type each must have.
const QUEUE_KEYS: &[(&str, &str)] = &[
    ("wait", "list"),
    ("active", "list"),
    ("paused", "list"),
    ("delayed", "zset"),
    ("completed", "zset"),
    ("failed", "zset"),
    ("priority", "zset"),
    ("stalled", "set"),
    ("repeat", "zset"),
    ("id", "string"),
    ("meta-paused", "string"),
    ("stalled-check", "string"),
    ("meta", "hash"),
];

/// Suffixes that mark a queue as existing when scanning for queue names.
const QUEUE_MARKERS: &[&str] = &[
    "id",
    "wait",
    "active",
    "paused",
    "delayed",
    "completed",
    "failed",
    "priority",
    "stalled",
    "meta-paused",
    "meta",
    "repeat",
];

/// Key names of one queue.
struct Keys {
    base: String,
}

impl Keys {
    fn new(prefix: &str, queue: &str) -> Keys {
        Keys {
            base: format!("{prefix}:{queue}:"),
        }
    }

    fn key(&self, suffix: &str) -> String {
        format!("{}{}", self.base, suffix)
    }

    fn job(&self, id: &str) -> String {
        format!("{}{}", self.base, id)
    }
}

/// A Bull v4 compatible Redis backend.
pub struct BullQueue {
    client: redis::Client,
    conn: ConnectionManager,
    prefix: String,
    location: String,
    /// This instance's identity, like a Bull `Queue`'s: the suffix of the `waiting@`
    /// and `duplicated@` channels of the jobs it adds.
    token: String,
    /// Idle blocking connections per queue, each already named for its queue.
    blocking: Mutex<HashMap<String, Vec<MultiplexedConnection>>>,
    /// Job keys claimed here whose hash had no `removeOnComplete` rule and no debounce
    /// id: completing them needs no read of `opts`. Only a hint (a job missing from it
    /// is completed the general way), so it is simply cleared if it ever grows large.
    plain: Mutex<HashSet<String>>,
}

/// Size at which the `plain` hint set is cleared (claims never finished here).
const PLAIN_HINTS_MAX: usize = 100_000;

fn is_auth_error(e: &RedisError) -> bool {
    let text = e.to_string();
    e.kind() == redis::ErrorKind::AuthenticationFailed
        || matches!(e.code(), Some("WRONGPASS" | "NOAUTH" | "NOPERM"))
        || text.contains("WRONGPASS")
        || text.contains("NOAUTH")
}

fn is_connection_error(e: &RedisError) -> bool {
    e.is_connection_refusal() || e.is_io_error() || e.is_timeout() || e.is_connection_dropped()
}

fn classify(location: &str, e: RedisError) -> QueueError {
    if is_auth_error(&e) {
        QueueError::Auth {
            target: location.to_string(),
            reason: format!("{e} (check the user and password in redis.url)"),
        }
    } else if is_connection_error(&e) {
        QueueError::Connect {
            target: location.to_string(),
            reason: e.to_string(),
        }
    } else {
        QueueError::Backend(format!("Redis at {location}: {e}"))
    }
}

fn ms(d: Duration) -> u64 {
    (d.as_millis() as u64).max(1)
}

/// Bulk string or simple string as text.
fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Double(d) => Some(d.to_string()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        _ => None,
    }
}

fn as_int(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        other => as_string(other)
            .and_then(|s| s.parse().ok())
            .unwrap_or_default(),
    }
}

fn as_array(v: Value) -> Vec<Value> {
    match v {
        Value::Array(items) | Value::Set(items) => items,
        Value::Nil => Vec::new(),
        other => vec![other],
    }
}

/// A reply value as owned text, reusing a bulk string's buffer when it is UTF-8.
fn into_string(v: Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(
            String::from_utf8(b)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
        other => as_string(&other),
    }
}

/// HGETALL reply (flat array or RESP3 map) as field/value pairs.
fn as_pairs(v: Value) -> Vec<(String, String)> {
    match v {
        Value::Map(m) => m
            .into_iter()
            .filter_map(|(k, v)| Some((into_string(k)?, into_string(v)?)))
            .collect(),
        other => {
            let items = as_array(other);
            let mut pairs = Vec::with_capacity(items.len() / 2);
            let mut it = items.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                if let (Some(k), Some(v)) = (into_string(k), into_string(v)) {
                    pairs.push((k, v));
                }
            }
            pairs
        }
    }
}

fn finish_code(code: i64) -> std::result::Result<(), FinishError> {
    match code {
        0.. => Ok(()),
        -1 => Err(FinishError::Missing),
        -2 => Err(FinishError::LockMissing),
        -6 => Err(FinishError::LockMismatch),
        _ => Err(FinishError::NotActive),
    }
}

/// The `failed` event payload Bull publishes: `val` is a JSON string (complete.lua builds
/// the `completed` one the same way, only when someone listens).
fn event_json(id: &str, val: &str) -> String {
    let mut out = Vec::with_capacity(id.len() + val.len() * 5 / 4 + 24);
    out.extend_from_slice(br#"{"jobId":"#);
    serde_json::to_writer(&mut out, id).expect("a string serializes");
    out.extend_from_slice(br#","val":"#);
    serde_json::to_writer(&mut out, val).expect("a string serializes");
    out.push(b'}');
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Completions with their repeated ids left out, and the way back to one outcome per
/// completion given: a repeat is refused as a second completion would be, for want of
/// the lock once the first succeeded, else as the first was.
struct Distinct {
    /// The first completion of each id, or `None` when no id repeats.
    entries: Option<Vec<(String, String)>>,
    /// For each completion given, the index of its id's first completion in `entries`.
    firsts: Vec<usize>,
}

impl Distinct {
    const NONE_REPEATED: Distinct = Distinct {
        entries: None,
        firsts: Vec::new(),
    };

    fn of(done: &[(String, String)]) -> Distinct {
        if done.len() < 2 {
            return Distinct::NONE_REPEATED;
        }
        let mut seen = HashMap::with_capacity(done.len());
        let firsts: Vec<usize> = done
            .iter()
            .map(|(id, _)| {
                let next = seen.len();
                *seen.entry(id.as_str()).or_insert(next)
            })
            .collect();
        if seen.len() == done.len() {
            return Distinct::NONE_REPEATED;
        }
        let mut entries = Vec::with_capacity(seen.len());
        for (i, entry) in done.iter().enumerate() {
            if firsts[i] == entries.len() {
                entries.push(entry.clone());
            }
        }
        Distinct {
            entries: Some(entries),
            firsts,
        }
    }

    /// One outcome per completion given, from the outcomes of `entries`.
    fn spread(
        &self,
        outcomes: Vec<std::result::Result<(), FinishError>>,
    ) -> Vec<std::result::Result<(), FinishError>> {
        if self.entries.is_none() {
            return outcomes;
        }
        let mut answered = vec![false; outcomes.len()];
        self.firsts
            .iter()
            .map(|&f| {
                let first = outcomes
                    .get(f)
                    .copied()
                    .unwrap_or(Err(FinishError::Missing));
                if std::mem::replace(&mut answered[f], true) {
                    first.and(Err(FinishError::LockMissing))
                } else {
                    first
                }
            })
            .collect()
    }
}

/// A job a claim returned: the job, whether it is plain (see `BullQueue::plain`), and
/// for an occurrence of a repeatable job its stored opts (the next one is added from them).
struct Claimed {
    job: Job,
    plain: bool,
    repeat: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A job hash as a claim returns it: joined into one string by the script (`joined` in
/// lib.lua), or as HGETALL's table when it has more than 255 strings. `None` when the
/// joined count disagrees, which a value holding a NUL byte causes: the caller reads that
/// hash itself.
fn claimed_hash(v: Value) -> Option<Vec<(String, String)>> {
    let Value::BulkString(mut b) = v else {
        return Some(as_pairs(v));
    };
    let n = usize::from(b.pop()?);
    if n % 2 != 0 || b.last() != Some(&0) {
        return None;
    }
    b.pop();
    let mut parts = b.split(|c| *c == 0);
    let mut pairs = Vec::with_capacity(n / 2);
    let text = |p: &[u8]| String::from_utf8_lossy(p).into_owned();
    for _ in 0..n / 2 {
        let (Some(f), Some(v)) = (parts.next(), parts.next()) else {
            return None;
        };
        pairs.push((text(f), text(v)));
    }
    parts.next().is_none().then_some(pairs)
}

/// A job a claim returned, from its id and HGETALL pairs, claimed at `now`; plain when
/// the hash has neither a `removeOnComplete` rule nor a debounce id.
fn claimed_job(id: String, pairs: Vec<(String, String)>, now: i64) -> Claimed {
    let has_deid = pairs.iter().any(|(f, _)| f == "deid");
    let repeat = pairs
        .iter()
        .find(|(f, v)| f == "opts" && v.contains("\"repeat\""))
        .and_then(|(_, v)| serde_json::from_str::<serde_json::Map<_, _>>(v).ok())
        .filter(|o| o.get("repeat").is_some_and(serde_json::Value::is_object));
    let mut job = codec::job_from_hash(id, pairs);
    job.processed_on = Some(now);
    job.state = Some(JobState::Active);
    let plain = !has_deid && job.opts.remove_on_complete.is_none();
    Claimed { job, plain, repeat }
}

/// Jobs from a claim reply (id, job hash per job), claimed at `now`. A job whose hash
/// must be read again (see `claimed_hash`) comes back as its id.
fn claimed_jobs(reply: Value, now: i64) -> Vec<std::result::Result<Claimed, String>> {
    let items = as_array(reply);
    let mut jobs = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(id), Some(hash)) = (it.next(), it.next()) {
        let id = into_string(id).unwrap_or_default();
        jobs.push(match claimed_hash(hash) {
            Some(pairs) => Ok(claimed_job(id, pairs, now)),
            None => Err(id),
        });
    }
    jobs
}

impl BullQueue {
    /// Connect to Redis at `url` (`redis://` or `rediss://`, password allowed) for
    /// queues under `prefix`. Fails fast with [`QueueError::Connect`] naming the URL
    /// (password masked) or [`QueueError::Auth`].
    pub async fn connect(url: &str, prefix: &str) -> Result<Self> {
        let location = mask_url(url);
        if prefix.is_empty() {
            return Err(QueueError::Invalid("the Redis key prefix is empty".into()));
        }
        let client = redis::Client::open(url)
            .map_err(|e| QueueError::Invalid(format!("invalid Redis URL {location}: {e}")))?;
        // A plain probe first: the manager would retry a refused connection for seconds,
        // while an operator wants the reason at once.
        let probe_cfg = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(5)));
        let mut probe = client
            .get_multiplexed_async_connection_with_config(&probe_cfg)
            .await
            .map_err(|e| classify(&location, e))?;
        redis::cmd("PING")
            .query_async::<String>(&mut probe)
            .await
            .map_err(|e| classify(&location, e))?;
        drop(probe);
        let cfg = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(30)))
            .set_max_delay(Duration::from_secs(2))
            .set_number_of_retries(3);
        let conn = ConnectionManager::new_with_config(client.clone(), cfg)
            .await
            .map_err(|e| classify(&location, e))?;
        Ok(BullQueue {
            client,
            conn,
            prefix: prefix.to_string(),
            location,
            token: uuid::Uuid::new_v4().to_string(),
            blocking: Mutex::new(HashMap::new()),
            plain: Mutex::new(HashSet::new()),
        })
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// This instance's token (the `waiting@<token>` channel suffix of its adds).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The name Bull gives a worker's blocking connection: `<prefix>:<base64(queue)>`.
    pub fn worker_client_name(&self, queue: &str) -> String {
        format!(
            "{}:{}",
            self.prefix,
            base64::engine::general_purpose::STANDARD.encode(queue)
        )
    }

    fn keys(&self, queue: &str) -> Keys {
        Keys::new(&self.prefix, queue)
    }

    fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// Map a Redis error of an operation on `queue`. A WRONGTYPE error is traced back to
    /// the key that is not in Bull's layout.
    async fn fail_with(&self, queue: &str, e: RedisError) -> QueueError {
        if e.to_string().contains("WRONGTYPE") {
            match self.check_layout(queue).await {
                Err(layout) => return layout,
                Ok(()) => {
                    return QueueError::Layout {
                        key: format!("{}:{}:<job>", self.prefix, queue),
                        detail: e.to_string(),
                    };
                }
            }
        }
        classify(&self.location, e)
    }

    async fn run<T>(&self, queue: &str, r: redis::RedisResult<T>) -> Result<T> {
        match r {
            Ok(v) => Ok(v),
            Err(e) => Err(self.fail_with(queue, e).await),
        }
    }

    /// Check that every queue-level key of `queue` that exists has the type Bull uses.
    pub async fn check_layout(&self, queue: &str) -> Result<()> {
        let k = self.keys(queue);
        let mut pipe = redis::pipe();
        for (suffix, _) in QUEUE_KEYS {
            pipe.cmd("TYPE").arg(k.key(suffix));
        }
        let types: Vec<String> = pipe
            .query_async(&mut self.conn())
            .await
            .map_err(|e| classify(&self.location, e))?;
        for ((suffix, expected), found) in QUEUE_KEYS.iter().zip(types) {
            if found != "none" && found != *expected {
                return Err(QueueError::Layout {
                    key: k.key(suffix),
                    detail: format!(
                        "expected a {expected}, found a {found} (is another application using the prefix \"{}\"?)",
                        self.prefix
                    ),
                });
            }
        }
        Ok(())
    }

    async fn blocking_conn(&self, queue: &str) -> Result<MultiplexedConnection> {
        if let Some(c) = self
            .blocking
            .lock()
            .expect("blocking pool")
            .get_mut(queue)
            .and_then(Vec::pop)
        {
            return Ok(c);
        }
        let cfg = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(None);
        let mut c = self
            .client
            .get_multiplexed_async_connection_with_config(&cfg)
            .await
            .map_err(|e| classify(&self.location, e))?;
        redis::cmd("CLIENT")
            .arg("SETNAME")
            .arg(self.worker_client_name(queue))
            .query_async::<()>(&mut c)
            .await
            .map_err(|e| classify(&self.location, e))?;
        Ok(c)
    }

    fn return_blocking(&self, queue: &str, c: MultiplexedConnection) {
        self.blocking
            .lock()
            .expect("blocking pool")
            .entry(queue.to_string())
            .or_default()
            .push(c);
    }

    async fn move_to_active(
        &self,
        queue: &str,
        token: &str,
        lease: Duration,
        max: usize,
        popped: Option<&str>,
    ) -> Result<Vec<Job>> {
        let k = self.keys(queue);
        let now = now_ms();
        let r: redis::RedisResult<Value> = MOVE_TO_ACTIVE
            .key(k.key("wait"))
            .key(k.key("active"))
            .key(k.key("priority"))
            .key(k.key("stalled"))
            .key(k.key("meta-paused"))
            .key(k.key("meta"))
            .arg(&k.base)
            .arg(token)
            .arg(ms(lease))
            .arg(now)
            .arg(max)
            .arg(popped.unwrap_or(""))
            .invoke_async(&mut self.conn())
            .await;
        let reply = self.run(queue, r).await?;
        self.claimed(queue, &k, reply, now).await
    }

    /// The jobs of a claim reply (see `claimed_jobs`), with the hashes it could not carry
    /// read here, noted by `note_claimed`.
    async fn claimed(&self, queue: &str, k: &Keys, reply: Value, now: i64) -> Result<Vec<Job>> {
        let mut jobs = claimed_jobs(reply, now);
        let reread: Vec<&String> = jobs.iter().filter_map(|j| j.as_ref().err()).collect();
        if !reread.is_empty() {
            let mut pipe = redis::pipe();
            for id in &reread {
                pipe.cmd("HGETALL").arg(k.job(id));
            }
            let r: redis::RedisResult<Vec<Value>> = pipe.query_async(&mut self.conn()).await;
            let mut hashes = self.run(queue, r).await?.into_iter();
            for j in &mut jobs {
                if let Err(id) = j {
                    let pairs = hashes.next().map(as_pairs).unwrap_or_default();
                    *j = Ok(claimed_job(std::mem::take(id), pairs, now));
                }
            }
        }
        let claimed = jobs
            .into_iter()
            .filter_map(std::result::Result::ok)
            .collect();
        Ok(self.note_claimed(queue, k, claimed, now).await)
    }

    /// Remember which claimed jobs are plain (see `plain`), add the next occurrence of
    /// the repeatable ones, and return the jobs.
    async fn note_claimed(
        &self,
        queue: &str,
        k: &Keys,
        claimed: Vec<Claimed>,
        now: i64,
    ) -> Vec<Job> {
        let mut repeats = Vec::new();
        let jobs = {
            let mut plain = self.plain.lock().expect("plain hints");
            if plain.len() > PLAIN_HINTS_MAX {
                plain.clear();
            }
            claimed
                .into_iter()
                .map(|c| {
                    if c.plain {
                        plain.insert(k.job(&c.job.id));
                    }
                    if let Some(opts) = c.repeat {
                        repeats.push((
                            c.job.id.clone(),
                            c.job.name.clone(),
                            c.job.data.clone(),
                            opts,
                        ));
                    }
                    c.job
                })
                .collect()
        };
        for (id, name, data, opts) in repeats {
            // Like Bull's worker, the occurrence runs whether or not the next one could be
            // added; the reason is logged.
            if let Err(e) = self
                .add_next_occurrence(queue, k, &name, &data, &opts, now)
                .await
            {
                tracing::warn!(queue, job = %id, error = %e, "the next occurrence of a repeatable job was not added");
            }
        }
        jobs
    }

    /// Add jobs, proving each payload is JSON first when `check` is set.
    async fn add_checked(&self, queue: &str, jobs: Vec<NewJob>, check: bool) -> Result<Vec<Added>> {
        check_queue(queue)?;
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let k = self.keys(queue);
        let now = now_ms();
        let args = jobs
            .iter()
            .map(|j| add_args(j, now, check))
            .collect::<Result<Vec<_>>>()?;
        self.add_shaped(queue, &k, args).await
    }

    /// Add jobs given as add-script shapes (see `add_args`), pipelined in batches.
    async fn add_shaped(
        &self,
        queue: &str,
        k: &Keys,
        args: Vec<([String; 9], String)>,
    ) -> Result<Vec<Added>> {
        let keys = [
            k.key("wait"),
            k.key("paused"),
            k.key("meta-paused"),
            k.key("id"),
            k.key("delayed"),
            k.key("priority"),
            k.key("meta"),
        ];
        let mut out = Vec::with_capacity(args.len());
        for round in args.chunks(ADD_BATCH * ADD_CALLS_PER_ROUND_TRIP) {
            let invocations: Vec<_> = round
                .chunks(ADD_BATCH)
                .map(|batch| add_invocation(&keys, &k.base, &self.token, batch))
                .collect();
            let replies: Vec<Value> = if let [inv] = &invocations[..] {
                // One script call (every add of fewer than ADD_BATCH jobs): EVALSHA, and
                // SCRIPT LOAD only when Redis answers that it does not know the script
                // (after a restart). A call refused so ran nothing, so its retry can
                // neither repeat nor reorder jobs; sending the script's text on every
                // add cost Redis more than adding a few jobs.
                let r: redis::RedisResult<Value> = inv.invoke(&mut self.conn()).await;
                vec![self.run(queue, r).await?]
            } else {
                // Several calls travel in a pipeline that starts with SCRIPT LOAD: a
                // pipeline does not reload a script Redis forgot, and a retry that
                // reloads would reorder batches.
                let mut pipe = redis::pipe();
                pipe.load_script(&ADD_JOBS).ignore();
                for inv in invocations {
                    pipe.add_command(inv.cmd);
                }
                let r: redis::RedisResult<Vec<Value>> = pipe.query_async(&mut self.conn()).await;
                self.run(queue, r).await?
            };
            for (reply, batch) in replies.into_iter().zip(round.chunks(ADD_BATCH)) {
                let items = as_array(reply);
                let first = items.first().map(as_int).unwrap_or_default();
                let mut dups = items.iter().skip(1);
                for (i, (shape, _)) in batch.iter().enumerate() {
                    out.push(if shape[0].is_empty() {
                        Added {
                            id: (first + i as i64 + 1).to_string(),
                            duplicate: false,
                        }
                    } else {
                        Added {
                            id: shape[0].clone(),
                            duplicate: dups.next().map(as_int) == Some(1),
                        }
                    });
                }
            }
        }
        Ok(out)
    }

    /// Bull's `nextRepeatableJob` for an occurrence just taken (see [`repeat`]).
    async fn add_next_occurrence(
        &self,
        queue: &str,
        k: &Keys,
        name: &str,
        data: &str,
        opts: &serde_json::Map<String, serde_json::Value>,
        now: i64,
    ) -> Result<()> {
        let Some(next) = repeat::next(name, data, opts, now).map_err(QueueError::Invalid)? else {
            return Ok(());
        };
        let r: redis::RedisResult<i64> = REPEAT_NEXT
            .key(k.key("repeat"))
            .arg(&next.repeat_key)
            .arg(next.next_millis)
            .invoke_async(&mut self.conn())
            .await;
        if self.run(queue, r).await? == 0 {
            // The definition was removed: the repetition ends here.
            return Ok(());
        }
        let opt = |key: &str| next.opts.get(key);
        let shape = add_shape(
            next.job_id.clone(),
            &next.name,
            serde_json::Value::Object(next.opts.clone()).to_string(),
            next.timestamp,
            next.delay,
            opt("priority")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0),
            opt("lifo") == Some(&serde_json::Value::Bool(true)),
        )?;
        self.add_shaped(
            queue,
            k,
            vec![(shape, codec::normalize_data(&next.data).to_string())],
        )
        .await?;
        Ok(())
    }

    /// Fetch jobs' hashes in one pipelined round trip, skipping ids whose hash is gone.
    async fn load_jobs(&self, queue: &str, ids: Vec<(String, Option<i64>)>) -> Result<Vec<Job>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let k = self.keys(queue);
        let mut pipe = redis::pipe();
        for (id, _) in &ids {
            pipe.cmd("HGETALL").arg(k.job(id));
        }
        let r: redis::RedisResult<Vec<Value>> = pipe.query_async(&mut self.conn()).await;
        let hashes = self.run(queue, r).await?;
        Ok(ids
            .into_iter()
            .zip(hashes)
            .filter_map(|((id, due), h)| {
                let pairs = as_pairs(h);
                if pairs.is_empty() {
                    return None;
                }
                let mut job = codec::job_from_hash(id, pairs);
                job.due_at = due;
                Some(job)
            })
            .collect())
    }

    /// Invoke a script with the same keys once per batch of ids, concatenating replies.
    async fn per_id(
        &self,
        queue: &str,
        script: &Script,
        keys: &[String],
        lead: &[String],
        ids: &[String],
    ) -> Result<Vec<i64>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BULK_BATCH) {
            let mut inv = script.prepare_invoke();
            for key in keys {
                inv.key(key);
            }
            for a in lead {
                inv.arg(a);
            }
            for id in chunk {
                inv.arg(id);
            }
            let r: redis::RedisResult<Vec<i64>> = inv.invoke_async(&mut self.conn()).await;
            out.extend(self.run(queue, r).await?);
        }
        Ok(out)
    }

    fn paused_keys(&self, k: &Keys) -> [String; 4] {
        [
            k.key("wait"),
            k.key("paused"),
            k.key("meta-paused"),
            k.key("meta"),
        ]
    }
}

fn check_queue(queue: &str) -> Result<()> {
    if queue.is_empty() {
        return Err(QueueError::Invalid("the queue name is empty".into()));
    }
    Ok(())
}

/// Validate one job and turn it into the add script's arguments: its shape (9 values,
/// often shared with the other jobs of the call) and its data. `check` says whether the
/// payload must be proved to be JSON (see [`QueueBackend::add_serialized`] for when it
/// need not).
fn add_args(job: &NewJob, now: i64, check: bool) -> Result<([String; 9], String)> {
    let data = codec::normalize_data(&job.data);
    let valid = || serde_json::from_str::<serde::de::IgnoredAny>(data).is_ok();
    debug_assert!(check || valid(), "a serialized payload is not JSON: {data}");
    if check && !valid() {
        return Err(QueueError::Invalid(format!(
            "job \"{}\": the payload is not valid JSON (a Bull worker could never run it)",
            job.name
        )));
    }
    let custom = job.opts.job_id.clone().unwrap_or_default();
    if let Some((reserved, _)) = QUEUE_KEYS.iter().find(|(s, _)| *s == custom) {
        return Err(QueueError::Invalid(format!(
            "job id \"{reserved}\" is reserved: it names a queue-level key in Bull's layout"
        )));
    }
    let timestamp = job.opts.timestamp.unwrap_or(now);
    let name = if job.name.is_empty() {
        DEFAULT_JOB_NAME
    } else {
        &job.name
    };
    let shape = add_shape(
        custom,
        name,
        codec::opts_json(&job.opts, timestamp),
        timestamp,
        job.opts.delay,
        u64::from(job.opts.priority),
        job.opts.lifo,
    )?;
    Ok((shape, data.to_string()))
}

/// The add script's nine values for one job (see `lua/add_jobs.lua`): custom id or '',
/// name, opts JSON, timestamp, delay, delayed score base, due time, priority, lifo.
fn add_shape(
    custom: String,
    name: &str,
    opts: String,
    timestamp: i64,
    delay: u64,
    priority: u64,
    lifo: bool,
) -> Result<[String; 9]> {
    let (score_base, due) = if delay > 0 {
        let out_of_range = || QueueError::Invalid(format!("delay {delay} ms is out of range"));
        let due = i64::try_from(delay)
            .ok()
            .and_then(|d| timestamp.checked_add(d))
            .ok_or_else(out_of_range)?;
        let base = due.checked_mul(4096).ok_or_else(out_of_range)?;
        (base.to_string(), due.to_string())
    } else {
        ("0".to_string(), "0".to_string())
    };
    Ok([
        custom,
        name.to_string(),
        opts,
        timestamp.to_string(),
        delay.to_string(),
        score_base,
        due,
        priority.to_string(),
        if lifo { "1" } else { "0" }.to_string(),
    ])
}

/// One add script call: the shapes of `batch` (one per job with a custom id, otherwise
/// each distinct one once), then each job's shape index (1-based) and data.
fn add_invocation(
    keys: &[String],
    base: &str,
    token: &str,
    batch: &[([String; 9], String)],
) -> ScriptCall {
    let mut shapes: Vec<&[String; 9]> = Vec::new();
    let mut index: HashMap<&[String; 9], usize> = HashMap::new();
    let refs: Vec<usize> = batch
        .iter()
        .map(|(shape, _)| {
            // A custom id (the shape's first value) is in no other job's shape, bar a
            // repeat of the id in this batch: sent as it is, without hashing nine values
            // to look for a match there is almost never.
            if !shape[0].is_empty() {
                shapes.push(shape);
                return shapes.len();
            }
            *index.entry(shape).or_insert_with(|| {
                shapes.push(shape);
                shapes.len()
            })
        })
        .collect();
    let mut inv = ScriptCall::new(&ADD_JOBS, keys);
    inv.arg(base).arg(token).arg(shapes.len());
    for shape in shapes {
        for a in shape {
            inv.arg(a);
        }
    }
    for (r, (_, data)) in refs.into_iter().zip(batch) {
        inv.arg(r).arg(data);
    }
    inv
}

#[async_trait]
impl QueueBackend for BullQueue {
    fn kind(&self) -> &'static str {
        "redis"
    }

    fn location(&self) -> String {
        self.location.clone()
    }

    async fn server_cpu_seconds(&self) -> Option<f64> {
        let info: String = redis::cmd("INFO")
            .arg("cpu")
            .query_async(&mut self.conn())
            .await
            .ok()?;
        // used_cpu_sys and used_cpu_user: the whole server, every thread.
        let total = info
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(k, _)| matches!(*k, "used_cpu_sys" | "used_cpu_user"))
            .filter_map(|(_, v)| v.trim().parse::<f64>().ok())
            .sum();
        Some(total)
    }

    async fn queue_names(&self) -> Result<Vec<String>> {
        let pattern = format!("{}:*", self.prefix);
        let lead = format!("{}:", self.prefix);
        let mut names = std::collections::BTreeSet::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut self.conn())
                .await
                .map_err(|e| classify(&self.location, e))?;
            for key in keys {
                let Some(rest) = key.strip_prefix(&lead) else {
                    continue;
                };
                if let Some((queue, suffix)) = rest.rsplit_once(':')
                    && QUEUE_MARKERS.contains(&suffix)
                    && !queue.is_empty()
                {
                    names.insert(queue.to_string());
                }
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
        Ok(names.into_iter().collect())
    }

    async fn add(&self, queue: &str, jobs: Vec<NewJob>) -> Result<Vec<Added>> {
        self.add_checked(queue, jobs, true).await
    }

    async fn add_serialized(&self, queue: &str, jobs: Vec<NewJob>) -> Result<Vec<Added>> {
        self.add_checked(queue, jobs, false).await
    }

    async fn claim(
        &self,
        queue: &str,
        token: &str,
        lease: Duration,
        max: usize,
        block: Option<Duration>,
    ) -> Result<Vec<Job>> {
        check_queue(queue)?;
        if max == 0 {
            return Ok(Vec::new());
        }
        let jobs = self.move_to_active(queue, token, lease, max, None).await?;
        let block = match block {
            Some(b) if jobs.is_empty() && b >= Duration::from_millis(1) => b,
            _ => return Ok(jobs),
        };
        let k = self.keys(queue);
        let mut c = self.blocking_conn(queue).await?;
        // BRPOPLPUSH takes fractional seconds; 0 would mean forever.
        let r: redis::RedisResult<Option<String>> = redis::cmd("BRPOPLPUSH")
            .arg(k.key("wait"))
            .arg(k.key("active"))
            .arg(format!("{:.3}", block.as_secs_f64()))
            .query_async(&mut c)
            .await;
        let popped = match r {
            Ok(p) => {
                self.return_blocking(queue, c);
                p
            }
            // The connection is dropped: the next claim opens a fresh one.
            Err(e) => return Err(self.fail_with(queue, e).await),
        };
        match popped {
            None => Ok(Vec::new()),
            Some(id) => {
                self.move_to_active(queue, token, lease, max, Some(&id))
                    .await
            }
        }
    }

    async fn extend(
        &self,
        queue: &str,
        token: &str,
        ids: &[String],
        lease: Duration,
    ) -> Result<Vec<bool>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let k = self.keys(queue);
        let codes = self
            .per_id(
                queue,
                &EXTEND_LOCKS,
                &[k.key("stalled")],
                &[k.base.clone(), token.to_string(), ms(lease).to_string()],
                ids,
            )
            .await?;
        Ok(codes.into_iter().map(|c| c == 1).collect())
    }

    async fn complete(
        &self,
        queue: &str,
        token: &str,
        done: &[(String, String)],
    ) -> Result<Vec<std::result::Result<(), FinishError>>> {
        let (results, _) = self
            .complete_and_claim(queue, token, done, Duration::from_secs(1), 0)
            .await?;
        Ok(results)
    }

    async fn complete_and_claim(
        &self,
        queue: &str,
        token: &str,
        done: &[(String, String)],
        lease: Duration,
        max: usize,
    ) -> Result<(Vec<std::result::Result<(), FinishError>>, Vec<Job>)> {
        let k = self.keys(queue);
        // The script takes distinct ids; the repeats of an id are answered here.
        let distinct = Distinct::of(done);
        let done = distinct.entries.as_deref().unwrap_or(done);
        let mut out = Vec::with_capacity(done.len());
        let mut jobs = Vec::new();
        let chunks = done.chunks(BULK_BATCH);
        let last = chunks.len().saturating_sub(1);
        for (i, chunk) in chunks.enumerate() {
            // Only the last call fetches, so that every completion is recorded first.
            let fetch = if i == last { max } else { 0 };
            let now = now_ms();
            let keys = [
                k.key("active"),
                k.key("completed"),
                k.key("stalled"),
                k.key("wait"),
                k.key("priority"),
                k.key("meta-paused"),
                k.key("meta"),
            ];
            let mut inv = ScriptCall::new(&COMPLETE, &keys);
            inv.arg(&k.base)
                .arg(token)
                .arg(now)
                .arg(ms(lease))
                .arg(fetch);
            {
                let mut plain = self.plain.lock().expect("plain hints");
                for (id, value) in chunk {
                    let hint = if plain.remove(&k.job(id)) { "1" } else { "" };
                    inv.arg(id).arg(value).arg(hint);
                }
            }
            let r: redis::RedisResult<Value> = inv.invoke(&mut self.conn()).await;
            let mut reply = as_array(self.run(queue, r).await?).into_iter();
            let refused = reply.next().map(as_array).unwrap_or_default();
            let first = out.len();
            out.resize(first + chunk.len(), Ok(()));
            for pair in refused.chunks_exact(2) {
                let at = usize::try_from(as_int(&pair[0]) - 1).unwrap_or(usize::MAX);
                if let Some(o) = out.get_mut(first.saturating_add(at)) {
                    *o = finish_code(as_int(&pair[1]));
                }
            }
            if let Some(fetched) = reply.next() {
                jobs.extend(self.claimed(queue, &k, fetched, now).await?);
            }
        }
        if done.is_empty() && max > 0 {
            jobs = self.claim(queue, token, lease, max, None).await?;
        }
        Ok((distinct.spread(out), jobs))
    }

    async fn fail(
        &self,
        queue: &str,
        token: &str,
        id: &str,
        failure: &Failure,
    ) -> Result<std::result::Result<FailOutcome, FinishError>> {
        let k = self.keys(queue);
        let jk = k.job(id);
        self.plain.lock().expect("plain hints").remove(&jk);
        // Bull decides retry vs final in the worker from the job it holds; we read the
        // same fields, decide, and let the script refuse (-7) if they changed meanwhile.
        for _ in 0..5 {
            let r: redis::RedisResult<(Option<String>, Option<String>, Option<String>)> =
                redis::cmd("HMGET")
                    .arg(&jk)
                    .arg("attemptsMade")
                    .arg("opts")
                    .arg("stacktrace")
                    .query_async(&mut self.conn())
                    .await;
            let (made_raw, opts_raw, stack_raw) = self.run(queue, r).await?;
            let made = made_raw
                .as_deref()
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(0.0) as u32
                + 1;
            let opts = codec::parse_opts(opts_raw.as_deref());
            let mut entries: Vec<serde_json::Value> = stack_raw
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default();
            entries.push(serde_json::Value::String(
                failure
                    .stack
                    .clone()
                    .unwrap_or_else(|| failure.message.clone()),
            ));
            if let Some(limit) = codec::stack_trace_limit(opts_raw.as_deref())
                && entries.len() > limit
            {
                entries.drain(..entries.len() - limit);
            }
            let retry_delay = if made < opts.attempts {
                match failure.retry {
                    Retry::Never => None,
                    Retry::Job => Some(opts.backoff.map(|b| b.delay_for(made)).unwrap_or(0)),
                    Retry::After(ms) => Some(ms),
                }
            } else {
                None
            };
            let now = now_ms();
            let (mode, score, due) = match retry_delay {
                Some(0) => ("retry", 0i64, 0i64),
                Some(d) => {
                    let due = now.saturating_add(d as i64);
                    (
                        "delay",
                        due.saturating_mul(4096).saturating_add(codec::js_low12(id)),
                        due,
                    )
                }
                None => ("fail", 0, 0),
            };
            let r: redis::RedisResult<i64> = FAIL
                .key(k.key("active"))
                .key(k.key("wait"))
                .key(k.key("paused"))
                .key(k.key("meta-paused"))
                .key(k.key("meta"))
                .key(k.key("priority"))
                .key(k.key("delayed"))
                .key(k.key("failed"))
                .key(k.key("stalled"))
                .arg(&k.base)
                .arg(token)
                .arg(id)
                .arg(now)
                .arg(made_raw.as_deref().unwrap_or(""))
                .arg(made)
                .arg(serde_json::Value::Array(entries).to_string())
                .arg(&failure.message)
                .arg(mode)
                .arg(score)
                .arg(due)
                .arg(event_json(id, &failure.message))
                .invoke_async(&mut self.conn())
                .await;
            return Ok(match self.run(queue, r).await? {
                -7 => continue,
                1 => Ok(FailOutcome::Retrying {
                    delay_ms: retry_delay.unwrap_or(0),
                }),
                2 => Ok(FailOutcome::Retrying { delay_ms: 0 }),
                3 => Ok(FailOutcome::Failed),
                code => Err(finish_code(code).err().unwrap_or(FinishError::NotActive)),
            });
        }
        Err(QueueError::Backend(format!(
            "job {id}: its attempts kept changing while recording a failure"
        )))
    }

    async fn promote_due(&self, queue: &str) -> Result<PromoteReport> {
        let k = self.keys(queue);
        let mut report = PromoteReport::default();
        loop {
            let max_score = now_ms().saturating_mul(4096);
            let r: redis::RedisResult<Vec<Value>> = PROMOTE_DUE
                .key(k.key("delayed"))
                .key(k.key("active"))
                .key(k.key("wait"))
                .key(k.key("priority"))
                .key(k.key("paused"))
                .key(k.key("meta-paused"))
                .key(k.key("meta"))
                .arg(&k.base)
                .arg(&self.token)
                .arg(max_score)
                .arg(BULK_BATCH)
                .invoke_async(&mut self.conn())
                .await;
            let reply = self.run(queue, r).await?;
            let promoted = reply.first().map(as_int).unwrap_or(0) as u64;
            report.promoted += promoted;
            report.next_due = reply
                .get(1)
                .and_then(as_string)
                .and_then(|s| s.parse::<f64>().ok())
                .map(|score| (score / 4096.0).floor() as i64);
            if promoted < BULK_BATCH as u64 {
                return Ok(report);
            }
        }
    }

    async fn promote(&self, queue: &str, ids: &[String]) -> Result<Vec<IdOutcome>> {
        let k = self.keys(queue);
        let codes = self
            .per_id(
                queue,
                &PROMOTE,
                &[
                    k.key("delayed"),
                    k.key("wait"),
                    k.key("priority"),
                    k.key("paused"),
                    k.key("meta-paused"),
                    k.key("meta"),
                ],
                &[k.base.clone(), self.token.clone()],
                ids,
            )
            .await?;
        Ok(codes
            .into_iter()
            .map(|c| match c {
                1 => IdOutcome::Done,
                0 => IdOutcome::NotFound,
                _ => IdOutcome::WrongState,
            })
            .collect())
    }

    async fn recover_stalled(&self, queue: &str, check: StalledCheck) -> Result<StalledReport> {
        let k = self.keys(queue);
        let r: redis::RedisResult<(Vec<String>, Vec<String>)> = MOVE_STALLED
            .key(k.key("stalled"))
            .key(k.key("wait"))
            .key(k.key("active"))
            .key(k.key("failed"))
            .key(k.key("stalled-check"))
            .key(k.key("meta-paused"))
            .key(k.key("paused"))
            .key(k.key("meta"))
            .arg(check.max_stalled_count)
            .arg(&k.base)
            .arg(now_ms())
            .arg(ms(check.interval))
            .invoke_async(&mut self.conn())
            .await;
        let (failed, requeued) = self.run(queue, r).await?;
        Ok(StalledReport { requeued, failed })
    }

    async fn counts(&self, queue: &str) -> Result<JobCounts> {
        let k = self.keys(queue);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .llen(k.key("wait"))
            .llen(k.key("active"))
            .llen(k.key("paused"))
            .zcard(k.key("completed"))
            .zcard(k.key("failed"))
            .zcard(k.key("delayed"))
            .zcard(k.key("priority"))
            .exists(k.key("meta-paused"))
            .hexists(k.key("meta"), "paused");
        #[allow(clippy::type_complexity)]
        let r: redis::RedisResult<(u64, u64, u64, u64, u64, u64, u64, bool, bool)> =
            pipe.query_async(&mut self.conn()).await;
        let (wait, active, paused, completed, failed, delayed, prioritized, mp, mh) =
            self.run(queue, r).await?;
        let oldest_waiting = if wait + paused > 0 {
            let r: redis::RedisResult<Option<String>> = OLDEST_WAITING
                .key(k.key("wait"))
                .key(k.key("paused"))
                .key(k.key("priority"))
                .arg(&k.base)
                .invoke_async(&mut self.conn())
                .await;
            self.run(queue, r)
                .await?
                .and_then(|s| s.parse::<f64>().ok())
                .map(|f| f as i64)
        } else {
            None
        };
        Ok(JobCounts {
            waiting: wait,
            active,
            completed,
            failed,
            delayed,
            paused,
            prioritized,
            oldest_waiting,
            is_paused: mp || mh,
        })
    }

    async fn list(
        &self,
        queue: &str,
        state: JobState,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Job>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let k = self.keys(queue);
        let mut c = self.conn();
        let from = offset as i64;
        let to = offset.saturating_add(limit).saturating_sub(1) as i64;
        let ids: Vec<(String, Option<i64>)> = match state {
            JobState::Wait | JobState::Active | JobState::Paused => {
                // Lists run from the right: read that end and reverse.
                let r: redis::RedisResult<Vec<String>> = redis::cmd("LRANGE")
                    .arg(k.key(state.as_str()))
                    .arg(-(to + 1))
                    .arg(-(from + 1))
                    .query_async(&mut c)
                    .await;
                let mut ids = self.run(queue, r).await?;
                ids.reverse();
                ids.into_iter().map(|id| (id, None)).collect()
            }
            JobState::Delayed => {
                let r: redis::RedisResult<Vec<(String, f64)>> = redis::cmd("ZRANGE")
                    .arg(k.key("delayed"))
                    .arg(from)
                    .arg(to)
                    .arg("WITHSCORES")
                    .query_async(&mut c)
                    .await;
                self.run(queue, r)
                    .await?
                    .into_iter()
                    .map(|(id, score)| (id, Some((score / 4096.0).floor() as i64)))
                    .collect()
            }
            JobState::Completed | JobState::Failed => {
                let r: redis::RedisResult<Vec<String>> = redis::cmd("ZREVRANGE")
                    .arg(k.key(state.as_str()))
                    .arg(from)
                    .arg(to)
                    .query_async(&mut c)
                    .await;
                self.run(queue, r)
                    .await?
                    .into_iter()
                    .map(|id| (id, None))
                    .collect()
            }
        };
        let mut jobs = self.load_jobs(queue, ids).await?;
        for j in &mut jobs {
            j.state = Some(state);
        }
        Ok(jobs)
    }

    async fn get(&self, queue: &str, id: &str) -> Result<Option<Job>> {
        let k = self.keys(queue);
        let mut pipe = redis::pipe();
        pipe.cmd("HGETALL")
            .arg(k.job(id))
            .zscore(k.key("completed"), id)
            .zscore(k.key("failed"), id)
            .zscore(k.key("delayed"), id)
            .cmd("LPOS")
            .arg(k.key("active"))
            .arg(id)
            .cmd("LPOS")
            .arg(k.key("wait"))
            .arg(id)
            .cmd("LPOS")
            .arg(k.key("paused"))
            .arg(id);
        #[allow(clippy::type_complexity)]
        let r: redis::RedisResult<(
            Value,
            Option<f64>,
            Option<f64>,
            Option<f64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        )> = pipe.query_async(&mut self.conn()).await;
        let (hash, completed, failed, delayed, active, wait, paused) = self.run(queue, r).await?;
        let pairs = as_pairs(hash);
        if pairs.is_empty() {
            return Ok(None);
        }
        let mut job = codec::job_from_hash(id.to_string(), pairs);
        // Bull's job.getState() order.
        job.state = if completed.is_some() {
            Some(JobState::Completed)
        } else if failed.is_some() {
            Some(JobState::Failed)
        } else if delayed.is_some() {
            Some(JobState::Delayed)
        } else if active.is_some() {
            Some(JobState::Active)
        } else if wait.is_some() {
            Some(JobState::Wait)
        } else if paused.is_some() {
            Some(JobState::Paused)
        } else {
            None
        };
        job.due_at = delayed.map(|score| (score / 4096.0).floor() as i64);
        Ok(Some(job))
    }

    async fn logs(&self, queue: &str, id: &str) -> Result<Vec<String>> {
        let k = self.keys(queue);
        let r: redis::RedisResult<Vec<String>> = redis::cmd("LRANGE")
            .arg(format!("{}:logs", k.job(id)))
            .arg(0)
            .arg(-1)
            .query_async(&mut self.conn())
            .await;
        self.run(queue, r).await
    }

    async fn remove(&self, queue: &str, ids: &[String]) -> Result<Vec<IdOutcome>> {
        let k = self.keys(queue);
        let codes = self
            .per_id(
                queue,
                &REMOVE,
                &[
                    k.key("active"),
                    k.key("wait"),
                    k.key("paused"),
                    k.key("delayed"),
                    k.key("completed"),
                    k.key("failed"),
                    k.key("priority"),
                ],
                std::slice::from_ref(&k.base),
                ids,
            )
            .await?;
        Ok(codes
            .into_iter()
            .map(|c| match c {
                1 => IdOutcome::Done,
                0 => IdOutcome::NotFound,
                _ => IdOutcome::Locked,
            })
            .collect())
    }

    async fn drain(&self, queue: &str, delayed: bool) -> Result<u64> {
        let k = self.keys(queue);
        // Bounded by what was there at the start, so producers cannot keep it looping.
        let r: redis::RedisResult<(u64, u64, u64)> = redis::pipe()
            .llen(k.key("wait"))
            .llen(k.key("paused"))
            .zcard(k.key("delayed"))
            .query_async(&mut self.conn())
            .await;
        let (w, p, d) = self.run(queue, r).await?;
        let bound = w + p + if delayed { d } else { 0 };
        let mut total = 0u64;
        while total < bound {
            let r: redis::RedisResult<u64> = DRAIN
                .key(k.key("wait"))
                .key(k.key("paused"))
                .key(k.key("delayed"))
                .key(k.key("priority"))
                .arg(&k.base)
                .arg(if delayed { "1" } else { "0" })
                .arg(BULK_BATCH)
                .invoke_async(&mut self.conn())
                .await;
            let n = self.run(queue, r).await?;
            total += n;
            if n == 0 {
                break;
            }
        }
        Ok(total)
    }

    async fn clean(
        &self,
        queue: &str,
        state: JobState,
        grace: Duration,
        limit: Option<u64>,
    ) -> Result<u64> {
        let k = self.keys(queue);
        let kind = match state {
            JobState::Wait | JobState::Active | JobState::Paused => "list",
            JobState::Completed | JobState::Failed => "finished",
            JobState::Delayed => "zset",
        };
        let cutoff = now_ms().saturating_sub(grace.as_millis() as i64);
        let mut removed = 0u64;
        let mut start = 0u64;
        loop {
            let left = match limit {
                Some(l) if removed >= l => break,
                Some(l) => l - removed,
                None => u64::MAX,
            };
            let r: redis::RedisResult<(u64, u64, u64)> = CLEAN
                .key(k.key(state.as_str()))
                .key(k.key("priority"))
                .arg(&k.base)
                .arg(kind)
                .arg(cutoff)
                .arg(start)
                .arg(BULK_BATCH)
                .arg(left.min(i64::MAX as u64))
                .invoke_async(&mut self.conn())
                .await;
            let (n, kept, scanned) = self.run(queue, r).await?;
            removed += n;
            start += kept;
            if scanned < BULK_BATCH as u64 {
                break;
            }
        }
        Ok(removed)
    }

    async fn pause(&self, queue: &str) -> Result<()> {
        let k = self.keys(queue);
        let [wait, paused, meta_paused, meta] = self.paused_keys(&k);
        let r: redis::RedisResult<()> = PAUSE
            .key(wait)
            .key(paused)
            .key(meta_paused)
            .key(meta)
            .arg(&k.base)
            .arg("paused")
            .invoke_async(&mut self.conn())
            .await;
        self.run(queue, r).await
    }

    async fn resume(&self, queue: &str) -> Result<()> {
        let k = self.keys(queue);
        let [wait, paused, meta_paused, meta] = self.paused_keys(&k);
        let r: redis::RedisResult<()> = PAUSE
            .key(paused)
            .key(wait)
            .key(meta_paused)
            .key(meta)
            .arg(&k.base)
            .arg("resumed")
            .invoke_async(&mut self.conn())
            .await;
        self.run(queue, r).await
    }

    async fn retry(&self, queue: &str, ids: &[String]) -> Result<Vec<IdOutcome>> {
        let k = self.keys(queue);
        let [wait, paused, meta_paused, meta] = self.paused_keys(&k);
        let codes = self
            .per_id(
                queue,
                &RETRY,
                &[k.key("failed"), wait, paused, meta_paused, meta],
                &[k.base.clone(), self.token.clone(), now_ms().to_string()],
                ids,
            )
            .await?;
        Ok(codes
            .into_iter()
            .map(|c| match c {
                1 => IdOutcome::Done,
                0 => IdOutcome::NotFound,
                -1 => IdOutcome::Locked,
                _ => IdOutcome::WrongState,
            })
            .collect())
    }

    async fn retry_all(&self, queue: &str) -> Result<u64> {
        let k = self.keys(queue);
        let [wait, paused, meta_paused, meta] = self.paused_keys(&k);
        let r: redis::RedisResult<u64> = redis::cmd("ZCARD")
            .arg(k.key("failed"))
            .query_async(&mut self.conn())
            .await;
        let bound = self.run(queue, r).await?;
        let mut total = 0;
        while total < bound {
            let r: redis::RedisResult<u64> = RETRY_ALL
                .key(k.key("failed"))
                .key(&wait)
                .key(&paused)
                .key(&meta_paused)
                .key(&meta)
                .arg(&k.base)
                .arg(BULK_BATCH)
                .invoke_async(&mut self.conn())
                .await;
            let n = self.run(queue, r).await?;
            total += n;
            if n == 0 {
                break;
            }
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_event_carries_the_value_as_a_json_string() {
        // As Bull publishes it: `val` is the returnvalue's JSON text, itself quoted.
        assert_eq!(
            event_json("1", r#"{"done":1}"#),
            r#"{"jobId":"1","val":"{\"done\":1}"}"#
        );
        assert_eq!(
            event_json("a\"b", "line\nbreak"),
            r#"{"jobId":"a\"b","val":"line\nbreak"}"#
        );
    }

    fn joined(strings: &[&str]) -> Value {
        let mut b = strings.join("\0").into_bytes();
        b.push(0);
        b.push(strings.len() as u8);
        Value::BulkString(b)
    }

    #[test]
    fn joined_hashes_split_back_and_a_nul_in_a_value_asks_for_a_read() {
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(f, v)| (f.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            claimed_hash(joined(&["name", "n", "data", "", "opts", "{}"])),
            Some(pairs(&[("name", "n"), ("data", ""), ("opts", "{}")]))
        );
        // A value holding a NUL byte splits into one string too many.
        assert_eq!(claimed_hash(joined(&["name", "a\0b", "data", "{}"])), None);
        // The table form is taken as is.
        let table = Value::Array(vec![
            Value::BulkString(b"data".to_vec()),
            Value::BulkString(b"{}".to_vec()),
        ]);
        assert_eq!(claimed_hash(table), Some(pairs(&[("data", "{}")])));
        for broken in [vec![], vec![3], b"a\0b\0\x01".to_vec()] {
            assert_eq!(claimed_hash(Value::BulkString(broken)), None);
        }
    }

    #[test]
    fn repeated_completions_are_answered_from_the_first() {
        let done = |ids: &[&str]| -> Vec<(String, String)> {
            ids.iter()
                .map(|i| (i.to_string(), "1".to_string()))
                .collect()
        };
        let distinct = Distinct::of(&done(&["a", "b"]));
        assert!(distinct.entries.is_none());
        let outcomes = vec![Ok(()), Err(FinishError::LockMismatch)];
        assert_eq!(distinct.spread(outcomes.clone()), outcomes);

        let distinct = Distinct::of(&done(&["a", "b", "a", "b", "c"]));
        let ids: Vec<&str> = distinct
            .entries
            .as_ref()
            .unwrap()
            .iter()
            .map(|(i, _)| i.as_str())
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(
            distinct.spread(vec![Ok(()), Err(FinishError::LockMismatch), Ok(())]),
            [
                Ok(()),
                Err(FinishError::LockMismatch),
                Err(FinishError::LockMissing),
                Err(FinishError::LockMismatch),
                Ok(())
            ]
        );
    }
}

//! The embedded SQLite database: one file shared by the queue and the store.
//!
//! SQLite allows one writer at a time, so each process funnels every write through one
//! dedicated thread that owns the write connection: callers send it a closure and await
//! the answer on a oneshot channel, so the async runtime never blocks on SQLite. Every
//! write closure runs inside a `BEGIN IMMEDIATE` transaction, which takes the file's write
//! lock up front (waiting up to `busy_timeout` for another process) instead of failing
//! half-way when a read transaction would have to be upgraded. Reads run on a small pool
//! of read-only connections inside `spawn_blocking`; in WAL mode they never wait for the
//! writer.
//!
//! The schema is a list of numbered SQL files under `migrations/`, embedded in the binary
//! and applied in order under `PRAGMA user_version`, all inside one immediate transaction:
//! when two processes start at once on a fresh file, the second waits for the first and
//! then finds nothing left to do. Each table is documented in the file that creates it.
//!
//! Opening the same file twice in one process returns the same handle, so a process has
//! one writer thread per file however many components use it.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak, mpsc};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

/// One schema step: a numbered SQL file.
struct Migration {
    version: u32,
    name: &'static str,
    sql: &'static str,
}

/// The schema, oldest first. Append only: a released step is never edited.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "queue",
        sql: include_str!("migrations/001_queue.sql"),
    },
    Migration {
        version: 2,
        name: "store",
        sql: include_str!("migrations/002_store.sql"),
    },
    Migration {
        version: 3,
        name: "queue_counts",
        sql: include_str!("migrations/003_queue_counts.sql"),
    },
    Migration {
        version: 4,
        name: "webhooks",
        sql: include_str!("migrations/004_webhooks.sql"),
    },
    Migration {
        version: 5,
        name: "event_seq",
        sql: include_str!("migrations/005_event_seq.sql"),
    },
    Migration {
        version: 6,
        name: "webhook_deliveries_rowid",
        sql: include_str!("migrations/006_webhook_deliveries_rowid.sql"),
    },
    Migration {
        version: 7,
        name: "append_only_rows",
        sql: include_str!("migrations/007_append_only_rows.sql"),
    },
    Migration {
        version: 8,
        name: "first_pass_runs",
        sql: include_str!("migrations/008_first_pass_runs.sql"),
    },
];

/// Reads run at once, and read connections kept open for reuse. A busy daemon has as many
/// reads wanting to run as jobs in flight; past a few per core they only add blocking
/// threads and connections (each with its page cache) without finishing any sooner, so
/// the others wait for a turn, and every read finds a connection already open (opening
/// one, parsing the schema and preparing statements again, costs more than the read).
const READ_POOL_SIZE: usize = 8;

/// Page cache of each read connection, in KiB: the file's pages are in the OS cache
/// anyway, and a full pool of readers must not outgrow the daemon's memory budget.
const READER_CACHE_KIB: i64 = 512;

/// WAL pages after which the writer checkpoints by itself. Checkpoints normally run on
/// their own thread (see [`CHECKPOINT_EVERY`]) so the writer never waits for one; this
/// is the backstop for a checkpointer that falls behind.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 8000;

/// How often the checkpoint thread copies committed WAL pages back into the database
/// file (a passive checkpoint: it never blocks the writer or readers).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// When many writes are queued at once, how long the writer waits for more to share the
/// commit. Each commit costs about the same whatever it carries (WAL frames, lock and
/// cache bookkeeping), so many concurrent writers are served better by fewer, larger
/// commits.
const GROUP_LINGER: Duration = Duration::from_micros(1000);

/// Queued writes that show many concurrent writers. A caller that writes, waits for the
/// answer and writes again (a worker's claim loop) never queues more than a couple, and
/// must not wait: it would slow down to one write per linger.
const LINGER_QUEUED: usize = 4;

/// Page cache of the write connection, in KiB (SQLite's negative `cache_size`). It is
/// the daemon's largest single allocation once full. 8 MiB held the end-to-end
/// benchmark's rate and CPU per event where 16 MiB did, and left 8 MiB of memory for
/// jobs in flight; pages it misses are read from the OS's cache of the file.
const WRITER_CACHE_KIB: i64 = 8 * 1024;

/// Errors of the embedded database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the directory {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the database {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot apply schema step {version} ({name}) to {}: {source}", path.display())]
    Migrate {
        path: PathBuf,
        version: u32,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the database {} has schema version {found}, newer than this slotbase knows ({known}); upgrade slotbase",
        path.display()
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The writer thread is gone (it could not start, or a write closure panicked).
    #[error("the database writer has stopped")]
    WriterGone,
    /// The group commit that carried this write failed.
    #[error("the database commit failed: {0}")]
    Commit(String),
    /// A read task panicked or was cancelled.
    #[error("a database read failed: {0}")]
    Reader(String),
}

/// Work for the writer thread.
enum WriteTask {
    /// A transactional write; runs in a savepoint of a shared transaction (group commit).
    Tx(Box<dyn TxWork>),
    /// A closure on the bare connection, outside any transaction.
    Raw(Box<dyn FnOnce(&mut Connection) + Send>),
}

/// At most this many transactional writes share one commit.
const GROUP_COMMIT_MAX: usize = 256;

/// Run a parameterless statement through the statement cache (savepoints are run for
/// every write; parsing them each time shows in profiles).
fn run_cached(tx: &Transaction<'_>, sql: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// Undo a write's savepoint after its closure failed.
fn undo_savepoint(tx: &Transaction<'_>) {
    let _ = run_cached(tx, "ROLLBACK TO slotbase_write");
    let _ = run_cached(tx, "RELEASE slotbase_write");
}

/// Answers a write's caller once the group's commit outcome is known.
type Answer = Box<dyn FnOnce(Option<&DbError>) + Send>;

/// A queued [`Db::write`]: run it inside the group's transaction, then learn whether the
/// group committed; or, if the group could not even begin, fail it.
trait TxWork: Send {
    /// Run in a savepoint of `tx`; returns how to answer the caller once the outcome of
    /// the commit is known.
    fn run(self: Box<Self>, tx: &Transaction<'_>) -> Answer;
    /// Answer the caller with an error without running.
    fn abort(self: Box<Self>, err: &DbError);
    /// Whether this write can run twice (see [`Db::write_rerunnable`]).
    fn rerunnable(&self) -> bool {
        false
    }
    /// Run directly in `tx`, without a savepoint, and keep the value for
    /// [`TxWork::answer_plain`]. `false` when it failed: the whole group is then rolled
    /// back and run again, each write in its savepoint.
    fn run_plain(&mut self, _tx: &Transaction<'_>) -> bool {
        false
    }
    /// After a successful [`TxWork::run_plain`]: how to answer once the commit is known.
    fn answer_plain(self: Box<Self>) -> Answer {
        Box::new(|_| {})
    }
}

/// Run `f` in a savepoint of `tx`: an `Err` (or a panic) undoes its changes without
/// touching the other writes of the group. `None` after a panic.
fn in_savepoint<R, E>(
    tx: &Transaction<'_>,
    f: impl FnOnce(&Transaction<'_>) -> Result<R, E>,
) -> Option<Result<R, E>>
where
    E: From<DbError>,
{
    Some(match run_cached(tx, "SAVEPOINT slotbase_write") {
        Err(e) => Err(DbError::from(e).into()),
        Ok(()) => match catch_unwind(AssertUnwindSafe(|| f(tx))) {
            Ok(Ok(v)) => match run_cached(tx, "RELEASE slotbase_write") {
                Ok(()) => Ok(v),
                Err(e) => {
                    undo_savepoint(tx);
                    Err(DbError::from(e).into())
                }
            },
            Ok(Err(e)) => {
                undo_savepoint(tx);
                Err(e)
            }
            Err(_panic) => {
                undo_savepoint(tx);
                return None;
            }
        },
    })
}

/// Answer `answer` with `out`, or with the commit's error when the group did not commit.
fn answer_after_commit<R, E>(out: Result<R, E>, answer: oneshot::Sender<Result<R, E>>) -> Answer
where
    R: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    Box::new(move |commit_err: Option<&DbError>| {
        let out = match (out, commit_err) {
            (Ok(_), Some(e)) => Err(DbError::Commit(e.to_string()).into()),
            (out, _) => out,
        };
        let _ = answer.send(out);
    })
}

struct WriteJob<F, R, E> {
    f: F,
    answer: oneshot::Sender<Result<R, E>>,
}

impl<F, R, E> WriteJob<F, R, E>
where
    F: FnOnce(&Transaction<'_>) -> Result<R, E>,
    R: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    fn run_in_savepoint(self, tx: &Transaction<'_>) -> Answer {
        match in_savepoint(tx, self.f) {
            Some(out) => answer_after_commit(out, self.answer),
            // Dropping the sender tells the caller the writer failed it.
            None => Box::new(|_| {}),
        }
    }

    fn fail(self, err: &DbError) {
        let _ = self
            .answer
            .send(Err(DbError::Commit(err.to_string()).into()));
    }
}

impl<F, R, E> TxWork for WriteJob<F, R, E>
where
    F: FnOnce(&Transaction<'_>) -> Result<R, E> + Send + 'static,
    R: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    fn run(self: Box<Self>, tx: &Transaction<'_>) -> Answer {
        self.run_in_savepoint(tx)
    }

    fn abort(self: Box<Self>, err: &DbError) {
        self.fail(err);
    }
}

/// A queued [`Db::write_rerunnable`]: a write whose closure can run again.
struct RerunJob<F, R, E> {
    job: WriteJob<F, R, E>,
    /// The value of a plain run, kept until the commit's outcome is known.
    plain: Option<R>,
}

impl<F, R, E> TxWork for RerunJob<F, R, E>
where
    F: Fn(&Transaction<'_>) -> Result<R, E> + Send + 'static,
    R: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    fn run(self: Box<Self>, tx: &Transaction<'_>) -> Answer {
        self.job.run_in_savepoint(tx)
    }

    fn abort(self: Box<Self>, err: &DbError) {
        self.job.fail(err);
    }

    fn rerunnable(&self) -> bool {
        true
    }

    fn run_plain(&mut self, tx: &Transaction<'_>) -> bool {
        match catch_unwind(AssertUnwindSafe(|| (self.job.f)(tx))) {
            Ok(Ok(v)) => {
                self.plain = Some(v);
                true
            }
            _ => false,
        }
    }

    fn answer_plain(self: Box<Self>) -> Answer {
        let RerunJob { job, plain } = *self;
        match plain {
            Some(v) => answer_after_commit(Ok(v), job.answer),
            None => Box::new(|_| {}),
        }
    }
}

/// A handle on one SQLite file. Cheap to clone; the writer thread stops when the last
/// handle is dropped.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    busy_timeout: Duration,
    writer: mpsc::Sender<WriteTask>,
    readers: Mutex<Vec<Connection>>,
    /// One permit per read allowed to run ([`READ_POOL_SIZE`]).
    read_turns: Arc<tokio::sync::Semaphore>,
    /// Dropped with the last handle, which stops the checkpoint thread.
    _checkpointer: mpsc::Sender<()>,
}

/// Handles already open in this process, by canonical path.
fn registry() -> &'static Mutex<HashMap<PathBuf, Weak<Inner>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<PathBuf, Weak<Inner>>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Db {
    /// Open (or create) the database at `path`, creating its directory and applying
    /// pending migrations. `busy_timeout` bounds how long a write waits for another
    /// process holding the write lock.
    pub async fn open(path: &Path, busy_timeout: Duration) -> Result<Db, DbError> {
        let path = path.to_path_buf();
        let path = tokio::task::spawn_blocking(move || canonical(&path))
            .await
            .map_err(|e| DbError::Reader(e.to_string()))??;
        if let Some(inner) = lock(registry()).get(&path).and_then(Weak::upgrade) {
            return Ok(Db { inner });
        }

        let (ready_tx, ready_rx) = oneshot::channel();
        let (task_tx, task_rx) = mpsc::channel::<WriteTask>();
        let thread_path = path.clone();
        std::thread::Builder::new()
            .name("slotbase-db-writer".into())
            .spawn(move || writer_thread(thread_path, busy_timeout, ready_tx, task_rx))
            .map_err(|e| DbError::Reader(format!("cannot start the writer thread: {e}")))?;
        ready_rx.await.map_err(|_| DbError::WriterGone)??;
        let (stop_checkpoints, stopped) = mpsc::channel::<()>();
        let checkpoint_path = path.clone();
        std::thread::Builder::new()
            .name("slotbase-db-checkpoint".into())
            .spawn(move || checkpoint_thread(&checkpoint_path, stopped))
            .map_err(|e| DbError::Reader(format!("cannot start the checkpoint thread: {e}")))?;

        let mut map = lock(registry());
        // Another task may have opened the same file meanwhile: share its handle so the
        // process keeps one writer (ours stops when `task_tx` drops).
        if let Some(inner) = map.get(&path).and_then(Weak::upgrade) {
            return Ok(Db { inner });
        }
        let inner = Arc::new(Inner {
            path: path.clone(),
            busy_timeout,
            writer: task_tx,
            readers: Mutex::new(Vec::new()),
            read_turns: Arc::new(tokio::sync::Semaphore::new(READ_POOL_SIZE)),
            _checkpointer: stop_checkpoints,
        });
        map.retain(|_, weak| weak.strong_count() > 0);
        map.insert(path, Arc::downgrade(&inner));
        Ok(Db { inner })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Run `f` in a `BEGIN IMMEDIATE` transaction on the writer thread: its changes are
    /// committed when it returns `Ok` (the answer comes after the commit), undone when it
    /// returns `Err`.
    ///
    /// Writes queued together share one transaction (group commit), each in a savepoint of
    /// its own, so many small writes cost one commit instead of one each.
    ///
    /// Dropping the returned future does not cancel a write already queued: it still
    /// runs and commits, only its answer is lost.
    pub async fn write<R, E, F>(&self, f: F) -> Result<R, E>
    where
        F: FnOnce(&Transaction<'_>) -> Result<R, E> + Send + 'static,
        R: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (answer, rx) = oneshot::channel();
        self.inner
            .writer
            .send(WriteTask::Tx(Box::new(WriteJob { f, answer })))
            .map_err(|_| DbError::WriterGone)?;
        rx.await.map_err(|_| DbError::WriterGone)?
    }

    /// Like [`Db::write`], for a closure that can run more than once. A group made only
    /// of such writes runs them directly in its transaction, without a savepoint each
    /// (a savepoint copies every page it touches first); if one of them fails, the group
    /// is rolled back and each runs again in its own savepoint, so the outcome is the
    /// same as with [`Db::write`].
    pub async fn write_rerunnable<R, E, F>(&self, f: F) -> Result<R, E>
    where
        F: Fn(&Transaction<'_>) -> Result<R, E> + Send + 'static,
        R: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (answer, rx) = oneshot::channel();
        self.inner
            .writer
            .send(WriteTask::Tx(Box::new(RerunJob {
                job: WriteJob { f, answer },
                plain: None,
            })))
            .map_err(|_| DbError::WriterGone)?;
        rx.await.map_err(|_| DbError::WriterGone)?
    }

    /// Run `f` with the write connection itself, outside any transaction (for work a
    /// transaction cannot hold, such as `VACUUM` or a checkpoint).
    pub async fn with_writer<R, F>(&self, f: F) -> Result<R, DbError>
    where
        F: FnOnce(&mut Connection) -> R + Send + 'static,
        R: Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let task = WriteTask::Raw(Box::new(move |conn| {
            let _ = tx.send(f(conn));
        }));
        self.inner
            .writer
            .send(task)
            .map_err(|_| DbError::WriterGone)?;
        rx.await.map_err(|_| DbError::WriterGone)
    }

    /// Run `f` in a read transaction on a read-only connection, off the async runtime.
    /// It sees one consistent snapshot of the file.
    pub async fn read<R, E, F>(&self, f: F) -> Result<R, E>
    where
        F: FnOnce(&Transaction<'_>) -> Result<R, E> + Send + 'static,
        R: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let inner = self.inner.clone();
        let turn = inner
            .read_turns
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| DbError::Reader(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let mut conn = inner.take_reader()?;
            let out = match conn.transaction() {
                Ok(tx) => f(&tx),
                Err(e) => Err(DbError::from(e).into()),
            };
            inner.put_reader(conn);
            out
        })
        .await
        .map_err(|e| DbError::Reader(e.to_string()))?
    }
}

impl Inner {
    fn take_reader(&self) -> Result<Connection, DbError> {
        if let Some(conn) = lock(&self.readers).pop() {
            return Ok(conn);
        }
        let open = || -> rusqlite::Result<Connection> {
            let conn = Connection::open_with_flags(
                &self.path,
                OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
                    | OpenFlags::SQLITE_OPEN_URI,
            )?;
            conn.busy_timeout(self.busy_timeout)?;
            conn.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
            conn.set_prepared_statement_cache_capacity(64);
            Ok(conn)
        };
        open().map_err(|source| DbError::Open {
            path: self.path.clone(),
            source,
        })
    }

    fn put_reader(&self, conn: Connection) {
        let mut pool = lock(&self.readers);
        if pool.len() < READ_POOL_SIZE {
            pool.push(conn);
        }
    }
}

/// The writer thread: open, migrate, report readiness, then run closures until every
/// handle is gone.
fn writer_thread(
    path: PathBuf,
    busy_timeout: Duration,
    ready: oneshot::Sender<Result<(), DbError>>,
    tasks: mpsc::Receiver<WriteTask>,
) {
    let mut conn = match open_writer(&path, busy_timeout) {
        Ok(conn) => conn,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    if ready.send(Ok(())).is_err() {
        return;
    }
    while let Ok(first) = tasks.recv() {
        // Take whatever else is already queued, so that it shares one commit; when many
        // writers are busy, wait a moment for more.
        let mut batch = vec![first];
        while batch.len() < GROUP_COMMIT_MAX {
            match tasks.try_recv() {
                Ok(t) => batch.push(t),
                Err(_) => break,
            }
        }
        if batch.len() >= LINGER_QUEUED {
            let deadline = Instant::now() + GROUP_LINGER;
            while batch.len() < GROUP_COMMIT_MAX {
                let left = deadline.saturating_duration_since(Instant::now());
                match tasks.recv_timeout(left) {
                    Ok(t) => batch.push(t),
                    Err(_) => break,
                }
            }
        }
        let mut group = Vec::new();
        for task in batch {
            match task {
                WriteTask::Tx(work) => group.push(work),
                WriteTask::Raw(f) => {
                    // Keep the order: writes queued before it commit first.
                    commit_group(&mut conn, std::mem::take(&mut group));
                    // A panicking closure loses its own answer (the caller sees
                    // `WriterGone`); the writer carries on.
                    let _ = catch_unwind(AssertUnwindSafe(|| f(&mut conn)));
                }
            }
        }
        commit_group(&mut conn, group);
    }
}

/// Copy committed WAL pages back into the database file every [`CHECKPOINT_EVERY`], on a
/// connection of its own, until `stop` is disconnected. Passive checkpoints skip what a
/// reader still needs and never wait for a lock; errors (the file being replaced under a
/// test, say) are left to the writer's own automatic checkpoint.
fn checkpoint_thread(path: &Path, stop: mpsc::Receiver<()>) {
    let Ok(conn) = Connection::open(path) else {
        return;
    };
    while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_EVERY) {
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

/// Run queued writes in one immediate transaction, then commit and answer them all. A
/// group of re-runnable writes runs them directly (see [`commit_plain`]); any other group,
/// or one of those in which a write failed, runs each write in its savepoint.
fn commit_group(conn: &mut Connection, mut group: Vec<Box<dyn TxWork>>) {
    if group.is_empty() {
        return;
    }
    if group.iter().all(|work| work.rerunnable()) {
        match commit_plain(conn, group) {
            Some(rest) => group = rest,
            None => return,
        }
    }
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let err = DbError::from(e);
            for work in group {
                work.abort(&err);
            }
            return;
        }
    };
    let answers: Vec<_> = group.into_iter().map(|work| work.run(&tx)).collect();
    let committed = tx.commit().map_err(DbError::from);
    let err = committed.err();
    for answer in answers {
        answer(err.as_ref());
    }
}

/// Run a group of re-runnable writes directly in one transaction and commit it. When one
/// of them fails, roll back and hand the group back to run in savepoints.
fn commit_plain(
    conn: &mut Connection,
    mut group: Vec<Box<dyn TxWork>>,
) -> Option<Vec<Box<dyn TxWork>>> {
    // Failing to begin is left to the savepoint path, which reports it.
    let Ok(tx) = conn.transaction_with_behavior(TransactionBehavior::Immediate) else {
        return Some(group);
    };
    if !group.iter_mut().all(|work| work.run_plain(&tx)) {
        let _ = tx.rollback();
        return Some(group);
    }
    let committed = tx.commit().map_err(DbError::from);
    let err = committed.err();
    for work in group {
        work.answer_plain()(err.as_ref());
    }
    None
}

fn open_writer(path: &Path, busy_timeout: Duration) -> Result<Connection, DbError> {
    let open_err = |source| DbError::Open {
        path: path.to_path_buf(),
        source,
    };
    let mut conn = Connection::open(path).map_err(open_err)?;
    // The busy timeout comes first: switching a fresh file to WAL needs the lock that a
    // concurrently starting process may hold.
    conn.busy_timeout(busy_timeout).map_err(open_err)?;
    // Two processes switching the same fresh file at once can both hold a shared lock
    // and want an exclusive one; SQLite then answers one of them "busy" at once rather
    // than wait on a deadlock, so that one tries again until the busy timeout.
    let deadline = Instant::now() + busy_timeout;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Ok(_) => break,
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(open_err(e)),
        }
    }
    conn.execute_batch(&format!(
        "PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -{WRITER_CACHE_KIB};
         PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES};"
    ))
    .map_err(open_err)?;
    conn.set_prepared_statement_cache_capacity(64);
    migrate(&mut conn, path)?;
    Ok(conn)
}

/// Apply every migration newer than the file's `user_version`, in one transaction.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), DbError> {
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: u32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > known {
        return Err(DbError::TooNew {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    // A new file is created silently; an existing one is upgraded in place, which rewrites
    // whole tables and can take minutes on a large store: say so while it happens.
    let upgrading = found > 0 && found < known;
    if upgrading {
        tracing::info!(store = %path.display(), from = found, to = known,
            "upgrading the store's schema; on a large store this takes a while");
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        let started = Instant::now();
        tx.execute_batch(m.sql).map_err(|source| DbError::Migrate {
            path: path.to_path_buf(),
            version: m.version,
            name: m.name,
            source,
        })?;
        if upgrading {
            tracing::info!(
                version = m.version,
                migration = m.name,
                ms = started.elapsed().as_millis() as u64,
                "store migration applied"
            );
        }
    }
    if found < known {
        tx.pragma_update(None, "user_version", known)?;
    }
    tx.commit()?;
    Ok(())
}

/// `path` made absolute with its directory created, so one file has one registry key.
fn canonical(path: &Path) -> Result<PathBuf, DbError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|source| DbError::CreateDir {
        path: dir.clone(),
        source,
    })?;
    let dir = std::fs::canonicalize(&dir).map_err(|source| DbError::CreateDir {
        path: dir.clone(),
        source,
    })?;
    match path.file_name() {
        Some(name) => Ok(dir.join(name)),
        None => Err(DbError::Open {
            path: path.to_path_buf(),
            source: rusqlite::Error::InvalidPath(path.to_path_buf()),
        }),
    }
}

/// Lock a mutex, ignoring poisoning: the guarded data (a pool, a map of weak handles)
/// stays valid whatever panicked while holding it.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A ` WHERE c1 AND c2` clause (empty when no value is set) and its parameters, for list
/// commands that filter on optional values: each condition (`"user_id = ?"`, or one
/// that looks the value up) has one `?`, and is kept only when its value is set.
pub fn where_all(filters: &[(&str, &Option<String>)]) -> (String, Vec<rusqlite::types::Value>) {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    for (condition, val) in filters {
        if let Some(v) = val {
            clauses.push(*condition);
            args.push(rusqlite::types::Value::Text(v.clone()));
        }
    }
    let sql = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (sql, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn creates_directory_migrates_and_shares_the_handle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/test.db");
        let db = Db::open(&path, Duration::from_secs(1)).await.unwrap();
        assert!(path.exists());
        let version: u32 = db
            .read(|tx| {
                tx.pragma_query_value(None, "user_version", |r| r.get(0))
                    .map_err(DbError::from)
            })
            .await
            .unwrap();
        assert_eq!(version, MIGRATIONS.last().unwrap().version);

        let again = Db::open(&path, Duration::from_secs(1)).await.unwrap();
        assert!(Arc::ptr_eq(&db.inner, &again.inner));

        let mode: String = db
            .read(|tx| {
                tx.pragma_query_value(None, "journal_mode", |r| r.get(0))
                    .map_err(DbError::from)
            })
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[tokio::test]
    async fn write_commits_on_ok_and_rolls_back_on_err() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db"), Duration::from_secs(1))
            .await
            .unwrap();
        db.write(|tx| {
            tx.execute("INSERT INTO queues (name) VALUES ('kept')", [])
                .map_err(DbError::from)
        })
        .await
        .unwrap();
        let err = db
            .write(|tx| -> Result<(), DbError> {
                tx.execute("INSERT INTO queues (name) VALUES ('dropped')", [])?;
                Err(DbError::WriterGone)
            })
            .await;
        assert!(matches!(err, Err(DbError::WriterGone)));
        let names: Vec<String> = db
            .read(|tx| {
                let mut st = tx.prepare("SELECT name FROM queues ORDER BY name")?;
                let rows = st.query_map([], |r| r.get(0))?;
                rows.collect::<Result<_, _>>().map_err(DbError::from)
            })
            .await
            .unwrap();
        assert_eq!(names, vec!["kept".to_string()]);
    }

    #[tokio::test]
    async fn a_failing_rerunnable_write_leaves_its_group_committed() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db"), Duration::from_secs(1))
            .await
            .unwrap();
        // Hold the writer so that the writes below queue up and share one group.
        let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
        let hold = db.with_writer(move |_| {
            let _ = held_rx.recv_timeout(Duration::from_secs(5));
        });
        let writes = (0..6).map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                db.write_rerunnable(move |tx| -> Result<i64, DbError> {
                    tx.execute("INSERT INTO queues (name) VALUES (?1)", [format!("q{i}")])?;
                    if i == 3 {
                        return Err(DbError::Reader("refused".into()));
                    }
                    Ok(tx.last_insert_rowid())
                })
                .await
            })
        });
        let writes: Vec<_> = writes.collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
        held_tx.send(()).unwrap();
        hold.await.unwrap();
        let mut outcomes = Vec::new();
        for w in writes {
            outcomes.push(w.await.unwrap());
        }
        for (i, out) in outcomes.iter().enumerate() {
            assert_eq!(out.is_ok(), i != 3, "write {i}: {out:?}");
        }
        assert!(matches!(&outcomes[3], Err(DbError::Reader(m)) if m == "refused"));
        let names: Vec<String> = db
            .read(|tx| {
                let mut st = tx.prepare("SELECT name FROM queues ORDER BY name")?;
                let rows = st.query_map([], |r| r.get(0))?;
                rows.collect::<Result<_, _>>().map_err(DbError::from)
            })
            .await
            .unwrap();
        assert_eq!(names, ["q0", "q1", "q2", "q4", "q5"]);
        // Each caller got the row id its own insert has in the committed file.
        let ids: Vec<i64> = db
            .read(|tx| {
                let mut st = tx.prepare("SELECT qid FROM queues ORDER BY name")?;
                let rows = st.query_map([], |r| r.get(0))?;
                rows.collect::<Result<_, _>>().map_err(DbError::from)
            })
            .await
            .unwrap();
        let answered: Vec<i64> = outcomes.into_iter().filter_map(Result::ok).collect();
        assert_eq!(ids, answered);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_beyond_the_pool_wait_for_a_turn() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db"), Duration::from_secs(1))
            .await
            .unwrap();
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let reads = (0..READ_POOL_SIZE * 3).map(|_| {
            let (db, running, most) = (db.clone(), running.clone(), most.clone());
            tokio::spawn(async move {
                db.read(move |tx| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    let n: i64 = tx.query_row("SELECT count(*) FROM queues", [], |r| r.get(0))?;
                    running.fetch_sub(1, Ordering::SeqCst);
                    Ok::<_, DbError>(n)
                })
                .await
            })
        });
        let reads: Vec<_> = reads.collect();
        for r in reads {
            assert_eq!(r.await.unwrap().unwrap(), 0);
        }
        let most = most.load(Ordering::SeqCst);
        assert!(most <= READ_POOL_SIZE, "{most} reads ran at once");
    }

    #[tokio::test]
    async fn a_panicking_write_does_not_stop_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db"), Duration::from_secs(1))
            .await
            .unwrap();
        let r: Result<(), DbError> = db.write(|_| panic!("boom")).await;
        assert!(matches!(r, Err(DbError::WriterGone)));
        let n: i64 = db
            .write(|tx| {
                tx.query_row("SELECT count(*) FROM queues", [], |r| r.get(0))
                    .map_err(DbError::from)
            })
            .await
            .unwrap();
        assert_eq!(n, 0);
    }

    /// A file as a build that knew only the first `version` migrations left it, holding
    /// the rows `seed` inserts, opened by this build (which upgrades it).
    async fn opened_from_version(version: usize, seed: &str) -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        {
            let conn = Connection::open(&path).unwrap();
            for m in &MIGRATIONS[..version] {
                conn.execute_batch(m.sql).unwrap();
            }
            conn.pragma_update(None, "user_version", version as u32)
                .unwrap();
            conn.execute_batch(seed).unwrap();
        }
        let db = Db::open(&path, Duration::from_secs(1)).await.unwrap();
        (dir, db)
    }

    #[tokio::test]
    async fn queue_counters_move_from_triggers_to_code_intact() {
        // A file made by a build that had only the first step, counted by triggers.
        let (_dir, db) = opened_from_version(
            1,
            "INSERT INTO queues (name) VALUES ('q');
                 INSERT INTO queue_jobs (qid, id, state, sort1, sort2, name, data, opts,
                     timestamp, delay, priority, lifo, attempts)
                 VALUES (1, '1', 0, 4294967296, 1, 'n', '{}', '{}', 0, 0, 0, 0, 1),
                        (1, '2', 0, 3, 2, 'n', '{}', '{}', 0, 0, 3, 0, 1),
                        (1, '3', 2, 99, 3, 'n', '{}', '{}', 0, 9, 0, 0, 1);
                 UPDATE queues SET n_failed = 7;",
        )
        .await;
        let (triggers, counts): (i64, [i64; 6]) = db
            .read(|tx| {
                let triggers = tx.query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'",
                    [],
                    |r| r.get(0),
                )?;
                let counts = tx.query_row(
                    "SELECT n_wait, n_active, n_delayed, n_completed, n_failed, n_prioritized
                     FROM queues",
                    [],
                    |r| {
                        Ok([
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                        ])
                    },
                )?;
                Ok::<_, DbError>((triggers, counts))
            })
            .await
            .unwrap();
        assert_eq!(triggers, 0);
        assert_eq!(counts, [2, 0, 1, 0, 0, 1], "recounted from the rows");
    }

    #[tokio::test]
    async fn event_log_effects_and_runs_keep_their_history_when_renumbered() {
        use crate::store::Store;
        // A file made by a build whose effects and runs were keyed by event id.
        let (_dir, db) = opened_from_version(
            4,
            "INSERT INTO event_log (event_id, event_type, queue, received_at)
                 VALUES ('e2', 'booking.cancelled', 'notifications', 20),
                        ('e1', 'booking.confirmed', 'notifications', 10);
                 INSERT INTO effects (event_id, handler, applied_at)
                 VALUES ('e1', 'notification', 11), ('e1', 'projection', 11),
                        ('e2', 'analytics', 21), ('orphan', 'projection', 5);
                 INSERT INTO event_log_runs (event_id, handler, status, duration_ms, error,
                     attempt, at)
                 VALUES ('e1', 'notification', 'success', 1, NULL, 1, 11),
                        ('e2', 'forward:refunds', 'retrying', 2, 'refused', 1, 21),
                        ('e2', 'forward:refunds', 'failed', 2, 'refused again', 2, 22);",
        )
        .await;
        let store = crate::store::sqlite::SqliteStore::new(db);
        let mut applied = store.applied("e1").await.unwrap();
        applied.sort();
        assert_eq!(applied, ["notification", "projection"]);
        assert_eq!(store.applied("orphan").await.unwrap(), ["projection"]);
        let log = store.event_log("e1").await.unwrap().unwrap();
        assert_eq!(log.meta.event_type, "booking.confirmed");
        assert_eq!(log.handlers.len(), 1);
        let errors = store.handler_errors("e2", "forward:refunds").await.unwrap();
        let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["refused", "refused again"]);
        let tail = store.log_tail(0, 10).await.unwrap();
        let types: Vec<_> = tail.iter().map(|l| l.event_type.as_str()).collect();
        assert_eq!(
            types,
            [
                "booking.confirmed",
                "booking.cancelled",
                "booking.cancelled"
            ]
        );
    }

    #[tokio::test]
    async fn read_model_and_notifications_keep_their_rows_when_rekeyed() {
        use crate::store::{DocKind, NotificationFilter, Store};
        // A file made by a build whose read model was keyed by (kind, id) and whose
        // notifications were indexed by event id.
        let (_dir, db) = opened_from_version(
            6,
            r#"INSERT INTO event_log (event_id, event_type, queue, received_at)
                   VALUES ('e1', 'booking.confirmed', 'notifications', 10),
                          ('e2', 'booking.cancelled', 'notifications', 20);
                   INSERT INTO notifications (id, user_id, channel, template, subject,
                       content, priority, category, metadata, status, event_id, handler,
                       created_at)
                   VALUES ('n1', 'u1', 'email', 'booking-confirmed', 'S1', '{}', 'normal',
                           'transactional', '{}', 'pending', 'e1', 'notification', 11),
                          ('n2', 'u1', 'email', 'booking-cancelled', 'S2', '{}', 'normal',
                           'transactional', '{}', 'pending', 'e2', 'notification', 21),
                          ('n3', 'u2', 'push', 'booking-cancelled', 'S3', '{}', 'normal',
                           'transactional', '{}', 'pending', 'e2', 'notification', 21);
                   INSERT INTO read_model (kind, id, doc, updated_at)
                   VALUES ('booking', 'B1', '{"status":"confirmed"}', 11),
                          ('role', 'u1|facility|F1|admin', '{"scopeId":"F1"}', 12);"#,
        )
        .await;
        let store = crate::store::sqlite::SqliteStore::new(db.clone());
        let by_event = |event: &str| NotificationFilter {
            event_id: Some(event.into()),
            ..NotificationFilter::default()
        };
        let ids = |ns: Vec<crate::store::Notification>| {
            let mut ids: Vec<String> = ns.into_iter().map(|n| n.id).collect();
            ids.sort();
            ids
        };
        assert_eq!(
            ids(store.notifications(&by_event("e1")).await.unwrap()),
            ["n1"]
        );
        assert_eq!(
            ids(store.notifications(&by_event("e2")).await.unwrap()),
            ["n2", "n3"]
        );
        assert!(
            store
                .notifications(&by_event("e3"))
                .await
                .unwrap()
                .is_empty()
        );
        let both = NotificationFilter {
            user_id: Some("u2".into()),
            ..by_event("e2")
        };
        assert_eq!(ids(store.notifications(&both).await.unwrap()), ["n3"]);
        let doc = store.doc(DocKind::Booking, "B1").await.unwrap().unwrap();
        assert_eq!(doc["status"], "confirmed");
        let roles = store
            .docs_where(DocKind::Role, "scopeId", "F1")
            .await
            .unwrap();
        assert_eq!(roles.len(), 1);
        // (kind, id) is still unique: the projection's upsert relies on it.
        db.write(|tx| {
            tx.execute(
                "INSERT INTO read_model (kind, id, doc, updated_at)
                     VALUES ('booking', 'B1', '{}', 30)",
                [],
            )
            .map(|_| ())
            .map_err(DbError::from)
        })
        .await
        .unwrap_err();
    }

    #[tokio::test]
    async fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 999).unwrap();
        }
        let err = Db::open(&path, Duration::from_secs(1)).await.unwrap_err();
        assert!(matches!(err, DbError::TooNew { found: 999, .. }), "{err}");
    }
}

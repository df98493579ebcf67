//! Cross-process wake-ups for the embedded queue.
//!
//! A process whose claim is blocked on the SQLite file `F` binds a Unix datagram socket
//! in the directory `F.bell/` (one per process, named after its pid). A process that makes
//! jobs ready in `F` (add, promote, retry, resume) sends the queue's name to every socket
//! there after its commit, and the listener wakes its claims on that queue at once instead
//! of at their next poll. A ring that is lost, or a directory that cannot be made, only
//! costs latency: blocked claims still poll the file.
//!
//! Ringing never blocks: the sockets are non-blocking, and the directory is read at most
//! once per [`RESCAN_EVERY`] (a listener that appears later is found then; a listener
//! that is gone refuses the datagram and its socket file is removed).

use std::collections::HashMap;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// How long a ringer trusts its list of listeners.
const RESCAN_EVERY: Duration = Duration::from_millis(500);

/// Longest queue name carried in a ring (longer names wake every queue).
const MAX_NAME: usize = 512;

/// Claims blocked in this process, by queue name.
pub type Wakers = Arc<Mutex<HashMap<String, Arc<Notify>>>>;

/// The doorbell of one SQLite file.
pub struct Bell {
    dir: PathBuf,
    /// The socket this process listens on, once a claim has blocked.
    listening: OnceLock<Option<Listener>>,
    ringer: Mutex<Ringer>,
}

struct Listener {
    path: PathBuf,
    stop: CancellationToken,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.cancel();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Sockets bound by this process so far (a process may open the same file twice).
static BOUND: AtomicU64 = AtomicU64::new(0);

#[derive(Default)]
struct Ringer {
    socket: Option<UnixDatagram>,
    listeners: Vec<PathBuf>,
    scanned: Option<Instant>,
}

impl Bell {
    /// The doorbell of the database file at `db_path`.
    pub fn new(db_path: &Path) -> Bell {
        let mut dir = db_path.as_os_str().to_owned();
        dir.push(".bell");
        Bell {
            dir: PathBuf::from(dir),
            listening: OnceLock::new(),
            ringer: Mutex::new(Ringer::default()),
        }
    }

    /// Start listening (once per process and file), waking `wakers` on each ring. Must be
    /// called on a Tokio runtime.
    pub fn listen(&self, wakers: &Wakers) {
        self.listening.get_or_init(|| {
            let n = BOUND.fetch_add(1, Ordering::Relaxed);
            let path = self.dir.join(format!("{}-{n}.sock", std::process::id()));
            let bind = || -> std::io::Result<tokio::net::UnixDatagram> {
                std::fs::create_dir_all(&self.dir)?;
                // A socket left by a process that had this pid before.
                let _ = std::fs::remove_file(&path);
                tokio::net::UnixDatagram::bind(&path)
            };
            match bind() {
                Ok(socket) => {
                    let wakers = Arc::downgrade(wakers);
                    let stop = CancellationToken::new();
                    let stopped = stop.clone();
                    tokio::spawn(async move {
                        let mut buf = [0u8; MAX_NAME];
                        loop {
                            let n = tokio::select! {
                                _ = stopped.cancelled() => break,
                                r = socket.recv(&mut buf) => match r {
                                    Ok(n) => n,
                                    Err(_) => break,
                                },
                            };
                            let Some(wakers) = wakers.upgrade() else {
                                break;
                            };
                            let map = wakers.lock().unwrap_or_else(|e| e.into_inner());
                            match std::str::from_utf8(&buf[..n]).ok().and_then(|q| map.get(q)) {
                                Some(n) => n.notify_waiters(),
                                None if n == MAX_NAME => {
                                    map.values().for_each(|n| n.notify_waiters())
                                }
                                None => {}
                            }
                        }
                    });
                    Some(Listener { path, stop })
                }
                Err(e) => {
                    tracing::debug!(dir = %self.dir.display(), error = %e, "no cross-process wake-ups; claims poll the file");
                    None
                }
            }
        });
    }

    /// Tell the other processes listening on this file that `queue` may have jobs ready.
    pub fn ring(&self, queue: &str) {
        let mut r = self.ringer.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if r.scanned
            .is_none_or(|t| now.duration_since(t) >= RESCAN_EVERY)
        {
            r.scanned = Some(now);
            r.listeners = self.scan();
        }
        if r.listeners.is_empty() {
            return;
        }
        let Ringer {
            socket, listeners, ..
        } = &mut *r;
        if socket.is_none() {
            *socket = UnixDatagram::unbound()
                .and_then(|s| s.set_nonblocking(true).map(|()| s))
                .ok();
        }
        let Some(socket) = socket else {
            return;
        };
        let name = queue.as_bytes();
        let msg = if name.len() < MAX_NAME {
            name
        } else {
            &[b'*'; MAX_NAME][..]
        };
        listeners.retain(|path| match socket.send_to(msg, path) {
            Ok(_) => true,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => true,
            Err(_) => {
                // Nobody is bound there any more.
                let _ = std::fs::remove_file(path);
                false
            }
        });
    }

    /// The sockets in the directory, except this process's own.
    fn scan(&self) -> Vec<PathBuf> {
        let own = self
            .listening
            .get()
            .and_then(|l| l.as_ref())
            .map(|l| l.path.clone());
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sock"))
            .filter(|p| Some(p) != own.as_ref())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_ring_wakes_the_listeners_claims_on_that_queue() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("q.db");
        let listener = Bell::new(&db);
        let wakers: Wakers = Arc::default();
        let notify = Arc::new(Notify::new());
        wakers.lock().unwrap().insert("jobs".into(), notify.clone());
        listener.listen(&wakers);

        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        // Another process's view of the same file.
        Bell::new(&db).ring("jobs");
        tokio::time::timeout(Duration::from_secs(5), notified)
            .await
            .expect("the ring wakes the blocked claim");

        // A listener that has gone away is forgotten, and its socket file removed.
        let path = listener
            .listening
            .get()
            .unwrap()
            .as_ref()
            .unwrap()
            .path
            .clone();
        drop(listener);
        assert!(!path.exists());
        std::os::unix::net::UnixDatagram::bind(&path)
            .map(drop)
            .unwrap();
        let ringer = Bell::new(&db);
        ringer.ring("jobs");
        assert!(!path.exists(), "a socket nobody reads is removed");
    }
}

//! The delivery client: HTTP/1.1 on the runtime's own tasks (hyper's connection API), so
//! a delivery costs no thread of its own and no hand-over between threads.
//!
//! - Connecting goes through the SSRF guard: the host (a name or an IP literal alike) is
//!   resolved by [`GuardedResolver`], which refuses what the policy forbids, and the
//!   connection is made to one of the addresses it let through. https is TLS with rustls
//!   (ring), Mozilla's root certificates, SNI and TLS 1.2 or 1.3.
//! - Connections are kept alive between deliveries, per scheme, host and port: at most
//!   `per_host` for one and `total` in all, each for at most [`IDLE_AGE`]. Only a
//!   connection whose answer was read to the end is kept; one that timed out, or whose
//!   answer was cut at the body cap, is closed.
//! - Nothing is done behind the caller's back: no body is decompressed, no redirect is
//!   followed (a receiver that redirects is misconfigured, and following would take the
//!   delivery and its auth somewhere nobody registered), and no proxy is read from the
//!   environment (a proxy would resolve the target itself, out of the guard's reach).

use std::collections::HashMap;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::body::{Body as _, Incoming};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{ACCEPT, HOST, HeaderName, HeaderValue};
use hyper::{Method, Request, Uri};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::ssrf::{Blocked, GuardedResolver, Policy, ResolveError};

/// How long a kept connection may wait for its next delivery.
pub const IDLE_AGE: Duration = Duration::from_secs(15);

/// Why an attempt got no answer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL or a header cannot make a request.
    #[error("{0}")]
    Request(String),
    #[error(transparent)]
    Blocked(#[from] Blocked),
    #[error("the host name does not resolve")]
    HostNotFound,
    #[error("timed out (connect)")]
    ConnectTimeout,
    #[error("connection failed: {0}")]
    Connect(io::Error),
    #[error("TLS handshake failed: {0}")]
    Tls(io::Error),
    #[error("request failed: {0}")]
    Http(#[from] hyper::Error),
}

impl From<ResolveError> for Error {
    fn from(e: ResolveError) -> Error {
        match e {
            ResolveError::Blocked(b) => Error::Blocked(b),
            ResolveError::NotFound => Error::HostNotFound,
        }
    }
}

/// Where kept connections lead: one pool per scheme, host and port.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    https: bool,
    host: String,
    port: u16,
}

/// A kept connection, and since when it waits.
struct Idle {
    tx: SendRequest<String>,
    since: Instant,
}

#[derive(Default)]
struct Pool {
    idle: HashMap<Key, Vec<Idle>>,
    count: usize,
    pruned_at: Option<Instant>,
}

impl Pool {
    /// The most recently kept connection to `key` that may still be used.
    fn take(&mut self, key: &Key) -> Option<SendRequest<String>> {
        let list = self.idle.get_mut(key)?;
        let mut found = None;
        while let Some(idle) = list.pop() {
            self.count -= 1;
            if idle.since.elapsed() < IDLE_AGE && !idle.tx.is_closed() {
                found = Some(idle.tx);
                break;
            }
        }
        if list.is_empty() {
            self.idle.remove(key);
        }
        found
    }

    fn put(&mut self, key: Key, tx: SendRequest<String>, per_host: usize, total: usize) {
        let now = Instant::now();
        if self
            .pruned_at
            .is_none_or(|at| now.duration_since(at) >= IDLE_AGE)
        {
            self.pruned_at = Some(now);
            self.prune(now);
        }
        if self.count >= total {
            self.prune(now);
            self.drop_oldest();
        }
        let list = self.idle.entry(key).or_default();
        if list.len() >= per_host {
            list.remove(0);
            self.count -= 1;
        }
        list.push(Idle { tx, since: now });
        self.count += 1;
    }

    /// Forget connections that waited too long or that the other side closed.
    fn prune(&mut self, now: Instant) {
        let mut count = 0;
        self.idle.retain(|_, list| {
            list.retain(|i| now.duration_since(i.since) < IDLE_AGE && !i.tx.is_closed());
            count += list.len();
            !list.is_empty()
        });
        self.count = count;
    }

    fn drop_oldest(&mut self) {
        let oldest = self
            .idle
            .iter()
            .filter_map(|(k, list)| list.first().map(|i| (i.since, k.clone())))
            .min_by_key(|(since, _)| *since);
        if let Some((_, key)) = oldest
            && let Some(list) = self.idle.get_mut(&key)
        {
            list.remove(0);
            self.count -= 1;
            if list.is_empty() {
                self.idle.remove(&key);
            }
        }
    }
}

struct Shared {
    pool: Mutex<Pool>,
    per_host: usize,
    total: usize,
}

/// Sends requests; cheap to share (every sender of a process may use one).
pub struct Client {
    resolver: GuardedResolver,
    tls: TlsConnector,
    connect_timeout: Duration,
    shared: Arc<Shared>,
}

/// How a [`Client`] connects and what it keeps.
pub struct Options {
    pub connect_timeout: Duration,
    /// Kept connections per scheme, host and port.
    pub per_host: usize,
    /// Kept connections in all.
    pub total: usize,
    /// The certificates a server's chain may lead to; Mozilla's when `None`.
    pub roots: Option<rustls::RootCertStore>,
}

impl Client {
    pub fn new(policy: Policy, opts: Options) -> Client {
        let roots = opts.roots.unwrap_or_else(|| rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
        // The provider is named, not taken from the process default: which one that is
        // depends on the features of every crate in the build.
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .expect("ring supports TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth();
        Client {
            resolver: GuardedResolver::new(Arc::new(policy)),
            tls: TlsConnector::from(Arc::new(config)),
            connect_timeout: opts.connect_timeout,
            shared: Arc::new(Shared {
                pool: Mutex::new(Pool::default()),
                per_host: opts.per_host,
                total: opts.total,
            }),
        }
    }

    /// How long connecting may take.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Send one request and wait for the head of its answer; the body is read from the
    /// [`Answer`]. Dropping the future (a timeout) closes the connection it was using.
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: String,
    ) -> Result<Answer, Error> {
        let uri: Uri = url
            .parse()
            .map_err(|e| Error::Request(format!("\"{url}\" is not a URL: {e}")))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(Error::Request(format!("\"{url}\" is not an http(s) URL"))),
        };
        let host = uri
            .host()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| Error::Request(format!("\"{url}\" has no host")))?;
        let default_port = if https { 443 } else { 80 };
        let port = uri.port_u16().unwrap_or(default_port);
        let key = Key {
            https,
            host: host.to_string(),
            port,
        };
        let mut req = Request::new(body);
        *req.method_mut() = match method {
            "PUT" => Method::PUT,
            _ => Method::POST,
        };
        // HTTP/1 carries the origin form on the request line and the authority in Host.
        *req.uri_mut() = uri
            .path_and_query()
            .map(|p| p.as_str())
            .filter(|p| !p.is_empty())
            .unwrap_or("/")
            .parse()
            .map_err(|e| Error::Request(format!("\"{url}\": {e}")))?;
        let h = req.headers_mut();
        for (k, v) in headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|e| Error::Request(format!("header {k}: {e}")))?;
            let value =
                HeaderValue::from_str(v).map_err(|e| Error::Request(format!("header {k}: {e}")))?;
            h.append(name, value);
        }
        if !h.contains_key(HOST) {
            let value = if port == default_port {
                host.to_string()
            } else {
                format!("{host}:{port}")
            };
            let value = HeaderValue::from_str(&value)
                .map_err(|e| Error::Request(format!("\"{url}\": {e}")))?;
            h.insert(HOST, value);
        }
        if !h.contains_key(ACCEPT) {
            h.insert(ACCEPT, HeaderValue::from_static("*/*"));
        }

        loop {
            let (mut tx, kept) = match self.kept(&key).await {
                Some(tx) => (tx, true),
                None => (self.connect(&key).await?, false),
            };
            match tx.try_send_request(req).await {
                Ok(resp) => {
                    let (head, body) = resp.into_parts();
                    return Ok(Answer {
                        status: head.status.as_u16(),
                        headers: head.headers,
                        body,
                        conn: Some((tx, key, self.shared.clone())),
                    });
                }
                Err(mut e) => match e.take_message() {
                    // A kept connection closed before the request went out on it (the
                    // server ended it while it waited): nothing was sent, try another.
                    Some(unsent) if kept => req = unsent,
                    _ => return Err(Error::Http(e.into_error())),
                },
            }
        }
    }

    /// A kept connection to `key` that is ready for a request.
    async fn kept(&self, key: &Key) -> Option<SendRequest<String>> {
        loop {
            let mut tx = self
                .shared
                .pool
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(key)?;
            if tx.ready().await.is_ok() {
                return Some(tx);
            }
        }
    }

    async fn connect(&self, key: &Key) -> Result<SendRequest<String>, Error> {
        let addrs = self.resolver.resolve(&key.host, key.port).await?;
        let tcp = tokio::time::timeout(self.connect_timeout, connect_any(&addrs))
            .await
            .map_err(|_| Error::ConnectTimeout)?
            .map_err(Error::Connect)?;
        // Headers and body may leave in separate writes: Nagle's algorithm would hold the
        // second until the receiver acknowledged the first.
        let _ = tcp.set_nodelay(true);
        let io = if key.https {
            let bare = key
                .host
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .unwrap_or(&key.host);
            let name = ServerName::try_from(bare.to_string()).map_err(|e| {
                Error::Tls(io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))
            })?;
            let tls = tokio::time::timeout(self.connect_timeout, self.tls.connect(name, tcp))
                .await
                .map_err(|_| Error::ConnectTimeout)?
                .map_err(Error::Tls)?;
            Stream::Tls(Box::new(tls))
        } else {
            Stream::Plain(tcp)
        };
        let (tx, conn) = http1::handshake(TokioIo::new(io)).await?;
        // The connection runs as a task of its own while it lives; it ends when its
        // sender is dropped or the other side closes it.
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(tx)
    }
}

/// The first of `addrs` that accepts a connection.
async fn connect_any(addrs: &[SocketAddr]) -> io::Result<TcpStream> {
    let mut last = None;
    for a in addrs {
        match TcpStream::connect(a).await {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address")))
}

/// The head of an answer, and its body still to read.
pub struct Answer {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    body: Incoming,
    /// The connection, kept for another request once the body is read to the end.
    conn: Option<(SendRequest<String>, Key, Arc<Shared>)>,
}

impl Answer {
    /// Read the body into `buf`, at most `cap` bytes of it. A body longer than that is
    /// left unread (and its connection closed); an error leaves what came before it.
    pub async fn read_body(mut self, buf: &mut Vec<u8>, cap: usize) -> Result<(), hyper::Error> {
        let mut whole = self.body.is_end_stream();
        while !whole && buf.len() < cap {
            match poll_fn(|cx| Pin::new(&mut self.body).poll_frame(cx)).await {
                None => whole = true,
                Some(Err(e)) => return Err(e),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        let room = cap - buf.len();
                        buf.extend_from_slice(&data[..data.len().min(room)]);
                        if data.len() > room {
                            break;
                        }
                    }
                    whole = self.body.is_end_stream();
                }
            }
        }
        if whole && let Some((tx, key, shared)) = self.conn.take() {
            shared.pool.lock().unwrap_or_else(|e| e.into_inner()).put(
                key,
                tx,
                shared.per_host,
                shared.total,
            );
        }
        Ok(())
    }
}

/// A connection, with or without TLS.
enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;

    use super::*;

    fn options(roots: Option<rustls::RootCertStore>) -> Options {
        Options {
            connect_timeout: Duration::from_secs(5),
            per_host: 4,
            total: 8,
            roots,
        }
    }

    fn loopback_allowed() -> Policy {
        Policy::new(false, &["127.0.0.0/8".into()]).unwrap()
    }

    /// Answer every request on a connection with `reply` until the client closes it.
    async fn answer<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, reply: &[u8]) {
        let mut seen = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") else {
                match s.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => seen.extend_from_slice(&chunk[..n]),
                }
                continue;
            };
            let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .unwrap_or(0);
            while seen.len() < end + 4 + length {
                match s.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => seen.extend_from_slice(&chunk[..n]),
                }
            }
            seen.drain(..end + 4 + length);
            if s.write_all(reply).await.is_err() {
                return;
            }
        }
    }

    /// A receiver on loopback that counts the connections it accepted.
    async fn receiver(
        tls: Option<tokio_rustls::TlsAcceptor>,
        reply: &'static [u8],
    ) -> (u16, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((s, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        Some(tls) => {
                            if let Ok(s) = tls.accept(s).await {
                                answer(s, reply).await;
                            }
                        }
                        None => answer(s, reply).await,
                    }
                });
            }
        });
        (port, accepted)
    }

    async fn status_and_body(
        client: &Client,
        url: &str,
        cap: usize,
    ) -> Result<(u16, String), Error> {
        let headers = vec![("X-SlotBase-Event".to_string(), "test".to_string())];
        let answer = client.send("POST", url, &headers, "{}".into()).await?;
        let status = answer.status;
        let mut buf = Vec::new();
        answer.read_body(&mut buf, cap).await?;
        Ok((status, String::from_utf8(buf).unwrap()))
    }

    const OK: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\nhello world";

    #[tokio::test]
    async fn ip_literal_hosts_are_checked_before_anything_connects() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let client = Client::new(Policy::default(), options(None));
        for url in [
            format!("http://127.0.0.1:{port}/h"),
            format!("http://[::ffff:127.0.0.1]:{port}/h"),
            format!("https://127.0.0.1:{port}/h"),
            "http://169.254.169.254/latest/meta-data/".to_string(),
            "http://[::1]/h".to_string(),
        ] {
            let err = status_and_body(&client, &url, 100).await.unwrap_err();
            assert!(matches!(err, Error::Blocked(_)), "{url}: {err}");
        }
        let err = status_and_body(&client, &format!("http://localhost:{port}/h"), 100)
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("refused by the SSRF guard: localhost resolves only to"),
            "{err}"
        );
        // Nothing ever reached the listener.
        assert_eq!(
            listener.accept().unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
    }

    #[tokio::test]
    async fn a_connection_is_kept_once_its_answer_was_read_to_the_end() {
        let (port, accepted) = receiver(None, OK).await;
        let client = Client::new(loopback_allowed(), options(None));
        let url = format!("http://127.0.0.1:{port}/h");
        for _ in 0..3 {
            let got = status_and_body(&client, &url, 100).await.unwrap();
            assert_eq!(got, (200, "hello world".to_string()));
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
        // An answer cut at the cap leaves its connection unusable: the next one is new.
        let got = status_and_body(&client, &url, 5).await.unwrap();
        assert_eq!(got, (200, "hello".to_string()));
        status_and_body(&client, &url, 100).await.unwrap();
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_connection_the_receiver_closed_is_not_used_again() {
        const CLOSE: &[u8] =
            b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        let (port, accepted) = receiver(None, CLOSE).await;
        let client = Client::new(loopback_allowed(), options(None));
        let url = format!("http://127.0.0.1:{port}/h");
        for _ in 0..2 {
            let got = status_and_body(&client, &url, 100).await.unwrap();
            assert_eq!(got, (503, String::new()));
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn redirects_are_answers_not_followed() {
        const MOVED: &[u8] =
            b"HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:9/elsewhere\r\ncontent-length: 0\r\n\r\n";
        let (port, accepted) = receiver(None, MOVED).await;
        let client = Client::new(loopback_allowed(), options(None));
        let answer = client
            .send(
                "POST",
                &format!("http://127.0.0.1:{port}/h"),
                &[],
                "{}".into(),
            )
            .await
            .unwrap();
        assert_eq!(answer.status, 302);
        assert_eq!(answer.headers["location"], "http://127.0.0.1:9/elsewhere");
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
    }

    /// A CA and a certificate it signed for 127.0.0.1, made by `openssl`.
    fn certificates(
        dir: &std::path::Path,
    ) -> (
        CertificateDer<'static>,
        CertificateDer<'static>,
        PrivateKeyDer<'static>,
    ) {
        let openssl = |args: &[&str]| {
            let out = std::process::Command::new("openssl")
                .args(args)
                .current_dir(dir)
                .output()
                .expect("openssl runs");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &[
                    "-keyout",
                    "ca.key",
                    "-out",
                    "ca.pem",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=slotbase test CA",
                ],
            ]
            .concat(),
        );
        openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &[
                    "-keyout",
                    "leaf.key",
                    "-out",
                    "leaf.pem",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=127.0.0.1",
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-addext",
                    "subjectAltName=IP:127.0.0.1",
                    "-addext",
                    "basicConstraints=critical,CA:FALSE",
                ],
            ]
            .concat(),
        );
        (
            CertificateDer::from_pem_file(dir.join("ca.pem")).unwrap(),
            CertificateDer::from_pem_file(dir.join("leaf.pem")).unwrap(),
            PrivateKeyDer::from_pem_file(dir.join("leaf.key")).unwrap(),
        )
    }

    #[tokio::test]
    async fn https_is_verified_and_kept_alive() {
        let dir = tempfile::tempdir().unwrap();
        let (ca, leaf, key) = certificates(dir.path());
        let server = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf], key)
        .unwrap();
        let (port, accepted) =
            receiver(Some(tokio_rustls::TlsAcceptor::from(Arc::new(server))), OK).await;
        let url = format!("https://127.0.0.1:{port}/h");

        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca).unwrap();
        let client = Client::new(loopback_allowed(), options(Some(roots)));
        for _ in 0..2 {
            let got = status_and_body(&client, &url, 100).await.unwrap();
            assert_eq!(got, (200, "hello world".to_string()));
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1);

        // Against Mozilla's roots the test CA is nobody: the handshake fails.
        let strict = Client::new(loopback_allowed(), options(None));
        let err = status_and_body(&strict, &url, 100).await.unwrap_err();
        assert!(matches!(err, Error::Tls(_)), "{err}");
        assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    }
}

//! Webhook signatures: signing, verification, secrets and their rotation.
//!
//! Two schemes, both HMAC-SHA256 over the exact body bytes (never a re-serialised JSON):
//!
//! | scheme | signed content | headers | signature |
//! |---|---|---|---|
//! | SlotBase | `{timestamp}.{body}` | `X-SlotBase-Timestamp`, `X-SlotBase-Signature` | lowercase hex |
//! | Standard Webhooks | `{id}.{timestamp}.{body}` | `webhook-id`, `webhook-timestamp`, `webhook-signature` | `v1,<base64>`, space-separated |
//!
//! A SlotBase secret is used as its raw bytes (as the spec's `createHmac('sha256', secret)`
//! does); a Standard Webhooks secret is `whsec_` + base64 and the key is the decoded bytes.
//!
//! Verification never stops at "invalid": [`Failure`] says why (stale or future timestamp,
//! which shape of signature was given where another was expected, bad secret, mismatch),
//! because that is what an integrator debugging a receiver needs. Signature comparisons go
//! through `Mac::verify_slice`, which is constant-time.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT};
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::util::human_duration;

type HmacSha256 = Hmac<Sha256>;

/// Default window, in seconds, either side of the receiver's clock: five minutes, as in
/// every Standard Webhooks reference library and Stripe's.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;
/// Prefix of a Standard Webhooks symmetric secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a generated secret (the spec asks for 24 to 64).
pub const SECRET_BYTES: usize = 32;
/// How long a replaced secret keeps signing by default (as Svix: 24 h).
pub const DEFAULT_GRACE_SECS: u64 = 86_400;
/// The longest grace period a rotation may ask for (as Svix: 7 days).
pub const MAX_GRACE_SECS: u64 = 7 * 86_400;

pub const SLOTBASE_TIMESTAMP: &str = "X-SlotBase-Timestamp";
pub const SLOTBASE_SIGNATURE: &str = "X-SlotBase-Signature";
pub const WEBHOOK_ID: &str = "webhook-id";
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";

/// Header name and value pairs, in the order they should be sent.
pub type Headers = Vec<(&'static str, String)>;

/// The wire scheme of a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// SlotBase: hex HMAC-SHA256 of "{timestamp}.{payload}", X-SlotBase-* headers
    Slotbase,
    /// Standard Webhooks: v1,<base64> of "{id}.{timestamp}.{payload}", webhook-* headers
    Standard,
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::Slotbase => "slotbase",
            Scheme::Standard => "standard",
        })
    }
}

impl Scheme {
    /// The scheme a signature's shape points to: 64 hex characters is SlotBase; a
    /// `v…,` entry or a bare base64 HMAC is Standard Webhooks. `None` when the shape says
    /// nothing (verification then explains what is wrong with it).
    pub fn detect(signature: &str) -> Option<Scheme> {
        let first = signature.split_ascii_whitespace().next()?;
        if is_hex_mac(first) {
            Some(Scheme::Slotbase)
        } else if first.starts_with("t=") {
            None
        } else if first.contains(',') || decodes_to_mac(first) {
            Some(Scheme::Standard)
        } else {
            None
        }
    }
}

/// A webhook secret as the operator wrote it. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Secret(text.into())
    }

    /// A new Standard Webhooks secret: `whsec_` + base64 of [`SECRET_BYTES`] random bytes.
    ///
    /// The randomness is the OS CSPRNG behind `uuid`'s v4 (no extra dependency): three
    /// v4 UUIDs carry 366 random bits, and SHA-256 folds them into 32 uniform bytes.
    pub fn generate() -> Self {
        let mut hasher = Sha256::new();
        for _ in 0..3 {
            hasher.update(uuid::Uuid::new_v4().as_bytes());
        }
        let bytes = hasher.finalize();
        Secret(format!(
            "{SECRET_PREFIX}{}",
            STANDARD.encode(&bytes[..SECRET_BYTES])
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The HMAC key for the SlotBase scheme: the secret's own bytes.
    pub fn slotbase_key(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The HMAC key for Standard Webhooks: the base64 after `whsec_` (the prefix is
    /// optional; padding too, as the reference libraries accept both).
    pub fn standard_key(&self) -> Result<Vec<u8>, SecretError> {
        let text = self.0.trim();
        let b64 = text.strip_prefix(SECRET_PREFIX).unwrap_or(text);
        if b64.is_empty() {
            return Err(SecretError::Empty);
        }
        let key = STANDARD_PAD_INDIFFERENT
            .decode(b64)
            .map_err(|e| SecretError::NotBase64 {
                detail: e.to_string(),
            })?;
        if key.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(key)
    }

    /// The key for a scheme.
    pub fn key(&self, scheme: Scheme) -> Result<Vec<u8>, SecretError> {
        match scheme {
            Scheme::Slotbase if self.0.is_empty() => Err(SecretError::Empty),
            Scheme::Slotbase => Ok(self.slotbase_key().to_vec()),
            Scheme::Standard => self.standard_key(),
        }
    }
}

/// A secret that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the secret is empty")]
    Empty,
    #[error(
        "the secret is not base64 after the optional whsec_ prefix ({detail}); Standard \
         Webhooks secrets look like whsec_<base64 of 24-64 random bytes> (slotbase webhook \
         new-secret makes one); a plain shared secret belongs to --scheme slotbase"
    )]
    NotBase64 { detail: String },
    #[error("a grace period of {secs} s is longer than the maximum of {MAX_GRACE_SECS} s (7 days)")]
    GraceTooLong { secs: u64 },
}

/// Why a payload could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("no secret to sign with")]
    NoSecret,
    #[error("secret #{index}: {error}")]
    Secret { index: usize, error: SecretError },
    #[error(
        "message id {0:?} cannot be signed: it must be non-empty and contain no \".\" \
         (the signed content joins id, timestamp and body with dots)"
    )]
    BadMessageId(String),
}

/// A new Standard Webhooks message id: `msg_` + a time-ordered UUID. Retries of one
/// message reuse its id; only the timestamp changes per attempt.
pub fn new_message_id() -> String {
    format!("msg_{}", uuid::Uuid::now_v7().simple())
}

fn mac(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(p);
    }
    m
}

fn slotbase_mac(key: &[u8], timestamp: &str, payload: &[u8]) -> HmacSha256 {
    mac(key, &[timestamp.as_bytes(), b".", payload])
}

fn standard_mac(key: &[u8], msg_id: &str, timestamp: &str, payload: &[u8]) -> HmacSha256 {
    mac(
        key,
        &[msg_id.as_bytes(), b".", timestamp.as_bytes(), b".", payload],
    )
}

/// SlotBase signature: lowercase hex HMAC-SHA256 of `{timestamp}.{payload}`.
pub fn sign_slotbase(secret: &[u8], timestamp: i64, payload: &[u8]) -> String {
    let tag = slotbase_mac(secret, &timestamp.to_string(), payload)
        .finalize()
        .into_bytes();
    crate::util::hex(&tag)
}

/// One Standard Webhooks signature entry, `v1,<base64>`, for an already decoded key.
pub fn sign_standard(key: &[u8], msg_id: &str, timestamp: i64, payload: &[u8]) -> String {
    let tag = standard_mac(key, msg_id, &timestamp.to_string(), payload)
        .finalize()
        .into_bytes();
    format!("v1,{}", STANDARD.encode(tag))
}

/// The headers of a SlotBase delivery (timestamp and signature).
pub fn slotbase_headers(secret: &Secret, timestamp: i64, payload: &[u8]) -> Headers {
    vec![
        (SLOTBASE_TIMESTAMP, timestamp.to_string()),
        (
            SLOTBASE_SIGNATURE,
            sign_slotbase(secret.slotbase_key(), timestamp, payload),
        ),
    ]
}

/// The headers of a Standard Webhooks delivery, signed with every given secret (current
/// first) so receivers that still hold an older secret keep verifying during a rotation.
pub fn standard_headers<'a>(
    secrets: impl IntoIterator<Item = &'a Secret>,
    msg_id: &str,
    timestamp: i64,
    payload: &[u8],
) -> Result<Headers, SignError> {
    if msg_id.is_empty() || msg_id.contains('.') {
        return Err(SignError::BadMessageId(msg_id.to_string()));
    }
    let mut entries = Vec::new();
    for (i, secret) in secrets.into_iter().enumerate() {
        let key = secret.standard_key().map_err(|error| SignError::Secret {
            index: i + 1,
            error,
        })?;
        entries.push(sign_standard(&key, msg_id, timestamp, payload));
    }
    if entries.is_empty() {
        return Err(SignError::NoSecret);
    }
    Ok(vec![
        (WEBHOOK_ID, msg_id.to_string()),
        (WEBHOOK_TIMESTAMP, timestamp.to_string()),
        (WEBHOOK_SIGNATURE, entries.join(" ")),
    ])
}

/// An endpoint's secrets: the current one and, during a rotation's grace period, the
/// ones it replaced, each with the Unix second at which it stops signing.
#[derive(Clone, Debug)]
pub struct SecretSet {
    current: Secret,
    /// Newest first.
    previous: Vec<(Secret, i64)>,
}

impl SecretSet {
    pub fn new(current: Secret) -> Self {
        SecretSet {
            current,
            previous: Vec::new(),
        }
    }

    /// A set as stored: the current secret and the replaced ones with the Unix second at
    /// which each stops signing (any order).
    pub fn from_parts(current: Secret, mut previous: Vec<(Secret, i64)>) -> Self {
        previous.sort_by_key(|p| std::cmp::Reverse(p.1));
        SecretSet { current, previous }
    }

    pub fn current(&self) -> &Secret {
        &self.current
    }

    /// The replaced secrets still remembered, newest first, with the Unix second at which
    /// each stops signing.
    pub fn previous(&self) -> &[(Secret, i64)] {
        &self.previous
    }

    /// Replace the current secret; the old one keeps signing until `now + grace_secs`.
    pub fn rotate(&mut self, next: Secret, now: i64, grace_secs: u64) -> Result<(), SecretError> {
        if grace_secs > MAX_GRACE_SECS {
            return Err(SecretError::GraceTooLong { secs: grace_secs });
        }
        let old = std::mem::replace(&mut self.current, next);
        self.previous
            .insert(0, (old, now.saturating_add(grace_secs as i64)));
        self.prune(now);
        Ok(())
    }

    /// The secrets that sign at `now`: the current one first, then unexpired older ones.
    pub fn active(&self, now: i64) -> Vec<&Secret> {
        std::iter::once(&self.current)
            .chain(
                self.previous
                    .iter()
                    .filter(|(_, until)| now < *until)
                    .map(|(s, _)| s),
            )
            .collect()
    }

    /// Forget secrets whose grace period is over.
    pub fn prune(&mut self, now: i64) {
        self.previous.retain(|(_, until)| now < *until);
    }

    /// Standard Webhooks headers signed with every active secret.
    pub fn standard_headers(
        &self,
        msg_id: &str,
        timestamp: i64,
        payload: &[u8],
    ) -> Result<Headers, SignError> {
        standard_headers(self.active(timestamp), msg_id, timestamp, payload)
    }
}

/// What a received webhook claims, as header text (so a malformed value can be reported).
#[derive(Clone, Copy, Debug)]
pub struct Received<'a> {
    pub scheme: Scheme,
    /// The message id (`webhook-id`); Standard Webhooks only.
    pub msg_id: Option<&'a str>,
    pub timestamp: &'a str,
    pub signature: &'a str,
    /// The body exactly as received.
    pub payload: &'a [u8],
}

/// A signature that verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Valid {
    pub scheme: Scheme,
    /// Which secret matched, from 1 (the order they were given in).
    pub secret: usize,
    /// Seconds between the timestamp and now (negative: the timestamp is ahead).
    pub age_secs: i64,
}

/// The outcome of a verification.
pub type Verdict = Result<Valid, Failure>;

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("no secret to verify with")]
    NoSecret,
    #[error("secret #{index} is unusable: {error}")]
    BadSecret { index: usize, error: SecretError },
    #[error("the signature is empty")]
    EmptySignature,
    #[error(
        "no message id: Standard Webhooks signs \"{{id}}.{{timestamp}}.{{body}}\", so the \
         webhook-id value is needed (--id)"
    )]
    MissingId,
    #[error("timestamp {0:?} is not a whole number of Unix seconds")]
    BadTimestamp(String),
    #[error(
        "timestamp too old: it is {} old, {} beyond the {} tolerance ({})",
        secs(*age_secs), secs(age_secs - *tolerance_secs as i64), secs(*tolerance_secs as i64),
        matches_note(*signature_matches)
    )]
    TooOld {
        age_secs: i64,
        tolerance_secs: u64,
        signature_matches: bool,
    },
    #[error(
        "timestamp in the future: it is {} ahead of this clock, {} beyond the {} tolerance \
         (check the sender's or this machine's clock; {})",
        secs(*ahead_secs), secs(ahead_secs - *tolerance_secs as i64),
        secs(*tolerance_secs as i64), matches_note(*signature_matches)
    )]
    InFuture {
        ahead_secs: i64,
        tolerance_secs: u64,
        signature_matches: bool,
    },
    #[error(
        "signature mismatch: either the secret is wrong or the body (or id, or timestamp) \
         changed after signing; an HMAC cannot tell which ({signatures} signature(s) tried \
         against {secrets} secret(s))"
    )]
    Mismatch { signatures: usize, secrets: usize },
    #[error(
        "malformed signature: this looks like a SlotBase hex signature; use --scheme slotbase \
         (Standard Webhooks signatures look like v1,<base64>)"
    )]
    HexWhereBase64Expected,
    #[error(
        "malformed signature: this looks like a Standard Webhooks signature (v1,<base64>); \
         use --scheme standard (SlotBase signatures are 64 hex characters)"
    )]
    Base64WhereHexExpected,
    #[error(
        "malformed signature: missing the \"v1,\" prefix; Standard Webhooks signatures look \
         like v1,<base64>"
    )]
    MissingVersionPrefix,
    #[error(
        "unsupported signature version {}: only v1 (HMAC-SHA256) is supported{}",
        .0.join(", "),
        if .0.iter().any(|v| v == "v1a") { "; v1a is ed25519" } else { "" }
    )]
    UnsupportedVersion(Vec<String>),
    #[error(
        "malformed signature: this looks like a Stripe-style header (t=...,v1=...), which \
         neither scheme uses; SlotBase sends 64 hex characters, Standard Webhooks v1,<base64>"
    )]
    StripeStyle,
    #[error("malformed signature: {0}")]
    Malformed(String),
}

fn secs(n: i64) -> String {
    format!(
        "{n}s ({})",
        human_duration(std::time::Duration::from_secs(n.unsigned_abs()))
    )
}

fn matches_note(matches: bool) -> &'static str {
    if matches {
        "the signature itself matches; sign again with a fresh timestamp"
    } else {
        "the signature does not match either"
    }
}

fn is_hex_mac(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn decodes_to_mac(s: &str) -> bool {
    STANDARD_PAD_INDIFFERENT
        .decode(s)
        .is_ok_and(|b| b.len() == 32)
}

fn looks_stripe(s: &str) -> bool {
    s.starts_with("t=") || s.contains(",v1=") || s.starts_with("v1=")
}

/// Verify a received webhook against one or more secrets (any match is enough), with
/// `tolerance_secs` either side of `now`.
///
/// The checks run in the order that gives the most useful reason: secrets, the shape of
/// the signature, the id, the timestamp's syntax, then the timestamp window (reporting
/// whether the signature itself matched), then the match.
pub fn verify(received: &Received, secrets: &[Secret], now: i64, tolerance_secs: u64) -> Verdict {
    if secrets.is_empty() {
        return Err(Failure::NoSecret);
    }
    let keys = secrets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.key(received.scheme).map_err(|error| Failure::BadSecret {
                index: i + 1,
                error,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tags = match received.scheme {
        Scheme::Slotbase => parse_slotbase_signature(received.signature)?,
        Scheme::Standard => parse_standard_signature(received.signature)?,
    };
    let msg_id = match received.scheme {
        Scheme::Standard => Some(
            received
                .msg_id
                .filter(|id| !id.trim().is_empty())
                .ok_or(Failure::MissingId)?,
        ),
        Scheme::Slotbase => None,
    };
    let ts_text = received.timestamp.trim();
    let timestamp: i64 = ts_text
        .parse()
        .map_err(|_| Failure::BadTimestamp(received.timestamp.to_string()))?;

    let matched = keys.iter().position(|key| {
        tags.iter().any(|tag| {
            let m = match msg_id {
                Some(id) => standard_mac(key, id, ts_text, received.payload),
                None => slotbase_mac(key, ts_text, received.payload),
            };
            m.verify_slice(tag).is_ok()
        })
    });

    let age_secs = now.saturating_sub(timestamp);
    let tolerance = tolerance_secs.min(i64::MAX as u64) as i64;
    if age_secs > tolerance {
        return Err(Failure::TooOld {
            age_secs,
            tolerance_secs,
            signature_matches: matched.is_some(),
        });
    }
    if -age_secs > tolerance {
        return Err(Failure::InFuture {
            ahead_secs: -age_secs,
            tolerance_secs,
            signature_matches: matched.is_some(),
        });
    }
    match matched {
        Some(i) => Ok(Valid {
            scheme: received.scheme,
            secret: i + 1,
            age_secs,
        }),
        None => Err(Failure::Mismatch {
            signatures: tags.len(),
            secrets: keys.len(),
        }),
    }
}

fn parse_slotbase_signature(header: &str) -> Result<Vec<Vec<u8>>, Failure> {
    let sig = header.trim();
    if sig.is_empty() {
        return Err(Failure::EmptySignature);
    }
    if looks_stripe(sig) {
        return Err(Failure::StripeStyle);
    }
    if is_hex_mac(sig) {
        return Ok(vec![decode_hex(sig).expect("checked hex")]);
    }
    let first = sig.split_ascii_whitespace().next().unwrap_or(sig);
    if first.starts_with("v1,") || first.starts_with("v1a,") || decodes_to_mac(first) {
        return Err(Failure::Base64WhereHexExpected);
    }
    if sig.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Failure::Malformed(format!(
            "{} hex characters; an HMAC-SHA256 in hex has 64",
            sig.len()
        )));
    }
    Err(Failure::Malformed(
        "a SlotBase signature is 64 hex characters".to_string(),
    ))
}

fn parse_standard_signature(header: &str) -> Result<Vec<Vec<u8>>, Failure> {
    if header.trim().is_empty() {
        return Err(Failure::EmptySignature);
    }
    let mut tags = Vec::new();
    let mut problem: Option<Failure> = None;
    let mut unsupported: Vec<String> = Vec::new();
    for entry in header.split_ascii_whitespace() {
        let outcome = match entry.split_once(',') {
            _ if looks_stripe(entry) => Err(Failure::StripeStyle),
            None if is_hex_mac(entry) => Err(Failure::HexWhereBase64Expected),
            None if decodes_to_mac(entry) => Err(Failure::MissingVersionPrefix),
            None => Err(Failure::Malformed(format!(
                "{entry:?} is not a v1,<base64> entry"
            ))),
            // Hex digits are valid base64 too, so hex is recognised first.
            Some(("v1", sig)) if is_hex_mac(sig) => Err(Failure::HexWhereBase64Expected),
            Some(("v1", sig)) => match STANDARD_PAD_INDIFFERENT.decode(sig) {
                Ok(tag) if tag.len() == 32 => Ok(tag),
                Ok(tag) => Err(Failure::Malformed(format!(
                    "the v1 signature decodes to {} bytes; an HMAC-SHA256 has 32",
                    tag.len()
                ))),
                Err(e) => Err(Failure::Malformed(format!(
                    "the v1 signature is not base64 ({e})"
                ))),
            },
            Some((version, _)) => {
                if !unsupported.iter().any(|v| v == version) {
                    unsupported.push(version.to_string());
                }
                continue;
            }
        };
        match outcome {
            Ok(tag) => tags.push(tag),
            Err(f) => {
                problem.get_or_insert(f);
            }
        }
    }
    // As the reference libraries do, entries of other versions are skipped: a sender may
    // add v1a next to v1. Only when nothing usable is left is the header reported.
    if !tags.is_empty() {
        return Ok(tags);
    }
    Err(problem.unwrap_or(Failure::UnsupportedVersion(unsupported)))
}

/// A captured raw HTTP request: request line, headers, a blank line, the body.
#[derive(Clone, Debug)]
pub struct RawRequest {
    /// `POST /path HTTP/1.1`, when the capture has one.
    pub request_line: Option<String>,
    /// Header names and values in the order found.
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

/// A capture that cannot be read as an HTTP request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error(
        "no blank line between the headers and the body; a captured request is the request \
         line, headers, an empty line, then the body"
    )]
    NoBlankLine,
    #[error("line {line} is not a \"Name: value\" header: {text:?}")]
    BadHeader { line: usize, text: String },
}

impl RawRequest {
    /// Parse a capture with CRLF or LF line ends. The body is everything after the first
    /// empty line, unchanged (a signature covers those exact bytes).
    pub fn parse(bytes: &[u8]) -> Result<Self, RequestError> {
        let crlf = find(bytes, b"\r\n\r\n").map(|i| (i, 4));
        let lf = find(bytes, b"\n\n").map(|i| (i, 2));
        let (end, sep) = match (crlf, lf) {
            (Some(a), Some(b)) => {
                if a.0 < b.0 {
                    a
                } else {
                    b
                }
            }
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => return Err(RequestError::NoBlankLine),
        };
        let head = String::from_utf8_lossy(&bytes[..end]);
        let body = bytes[end + sep..].to_vec();
        let mut request_line = None;
        let mut headers = Vec::new();
        for (i, raw) in head.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if i == 0 && is_request_line(line) {
                request_line = Some(line.to_string());
                continue;
            }
            match line.split_once(':') {
                Some((name, value)) if !name.is_empty() && !name.contains(' ') => {
                    headers.push((name.to_string(), value.trim().to_string()));
                }
                _ => {
                    return Err(RequestError::BadHeader {
                        line: i + 1,
                        text: line.to_string(),
                    });
                }
            }
        }
        Ok(RawRequest {
            request_line,
            headers,
            body,
        })
    }

    /// A header's value, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn is_request_line(line: &str) -> bool {
    let mut parts = line.split(' ');
    let method = parts.next().unwrap_or("");
    !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase()) && parts.next().is_some()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Standard Webhooks' published test vector (also in Svix's library tests).
    const GOLDEN_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const GOLDEN_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const GOLDEN_TS: i64 = 1614265330;
    const GOLDEN_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const GOLDEN_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    // Computed with: printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    const OPENSSL_HEX: &str = "49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686";

    fn standard<'a>(sig: &'a str, ts: &'a str, body: &'a [u8]) -> Received<'a> {
        Received {
            scheme: Scheme::Standard,
            msg_id: Some(GOLDEN_ID),
            timestamp: ts,
            signature: sig,
            payload: body,
        }
    }

    fn slotbase<'a>(sig: &'a str, ts: &'a str, body: &'a [u8]) -> Received<'a> {
        Received {
            scheme: Scheme::Slotbase,
            msg_id: None,
            timestamp: ts,
            signature: sig,
            payload: body,
        }
    }

    fn golden_secret() -> Vec<Secret> {
        vec![Secret::new(GOLDEN_SECRET)]
    }

    #[test]
    fn golden_vector_signs_and_verifies() {
        let key = Secret::new(GOLDEN_SECRET).standard_key().unwrap();
        assert_eq!(
            sign_standard(&key, GOLDEN_ID, GOLDEN_TS, GOLDEN_BODY),
            GOLDEN_SIG
        );
        let ts = GOLDEN_TS.to_string();
        let ok = verify(
            &standard(GOLDEN_SIG, &ts, GOLDEN_BODY),
            &golden_secret(),
            GOLDEN_TS,
            300,
        )
        .unwrap();
        assert_eq!(ok.secret, 1);
    }

    #[test]
    fn whsec_prefix_is_optional() {
        let bare = GOLDEN_SECRET.strip_prefix("whsec_").unwrap();
        let ts = GOLDEN_TS.to_string();
        let r = standard(GOLDEN_SIG, &ts, GOLDEN_BODY);
        assert!(verify(&r, &[Secret::new(bare)], GOLDEN_TS, 300).is_ok());
        // Unpadded base64 is accepted too, as the reference libraries pad it themselves.
        let generated = Secret::generate();
        let unpadded = Secret::new(generated.as_str().trim_end_matches('='));
        assert_eq!(
            generated.standard_key().unwrap(),
            unpadded.standard_key().unwrap()
        );
    }

    #[test]
    fn slotbase_matches_openssl() {
        assert_eq!(
            sign_slotbase(b"secret", 1700000000, br#"{"a":1}"#),
            OPENSSL_HEX
        );
        // printf '%s' '1700000000.{"booking_id":"bk_42","status":"confirmed"}' \
        //   | openssl dgst -sha256 -hmac 's3cr3t-facility-key'
        assert_eq!(
            sign_slotbase(
                b"s3cr3t-facility-key",
                1700000000,
                br#"{"booking_id":"bk_42","status":"confirmed"}"#
            ),
            "47d1f6a6475560fed8a8aece7035e138ac299e4c34ebc84120d3a0e03f052b7d"
        );
        let ok = verify(
            &slotbase(OPENSSL_HEX, "1700000000", br#"{"a":1}"#),
            &[Secret::new("secret")],
            1700000000,
            300,
        );
        assert!(ok.is_ok(), "{ok:?}");
        // Upper-case hex from other senders verifies too.
        let upper = OPENSSL_HEX.to_uppercase();
        let r = slotbase(&upper, "1700000000", br#"{"a":1}"#);
        assert!(verify(&r, &[Secret::new("secret")], 1700000000, 300).is_ok());
    }

    #[test]
    fn slotbase_headers_carry_timestamp_and_hex() {
        let h = slotbase_headers(&Secret::new("secret"), 1700000000, br#"{"a":1}"#);
        assert_eq!(
            h,
            vec![
                ("X-SlotBase-Timestamp", "1700000000".to_string()),
                ("X-SlotBase-Signature", OPENSSL_HEX.to_string()),
            ]
        );
    }

    #[test]
    fn tolerance_edges() {
        let ts = GOLDEN_TS.to_string();
        let r = standard(GOLDEN_SIG, &ts, GOLDEN_BODY);
        let s = golden_secret();
        assert!(verify(&r, &s, GOLDEN_TS + 300, 300).is_ok());
        assert!(verify(&r, &s, GOLDEN_TS - 300, 300).is_ok());
        assert_eq!(
            verify(&r, &s, GOLDEN_TS + 301, 300),
            Err(Failure::TooOld {
                age_secs: 301,
                tolerance_secs: 300,
                signature_matches: true
            })
        );
        assert_eq!(
            verify(&r, &s, GOLDEN_TS - 301, 300),
            Err(Failure::InFuture {
                ahead_secs: 301,
                tolerance_secs: 300,
                signature_matches: true
            })
        );
        let msg = verify(&r, &s, GOLDEN_TS + 420, 300)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("too old"), "{msg}");
        assert!(msg.contains("420s (7m00s) old"), "{msg}");
        assert!(msg.contains("120s (2m00s) beyond"), "{msg}");
        assert!(msg.contains("signature itself matches"), "{msg}");
    }

    #[test]
    fn stale_and_wrong_says_both() {
        let ts = GOLDEN_TS.to_string();
        let r = standard(GOLDEN_SIG, &ts, b"{}");
        let f = verify(&r, &golden_secret(), GOLDEN_TS + 1000, 300).unwrap_err();
        assert!(matches!(
            f,
            Failure::TooOld {
                signature_matches: false,
                ..
            }
        ));
        assert!(f.to_string().contains("does not match either"));
    }

    #[test]
    fn mismatch_when_body_or_secret_changes() {
        let ts = GOLDEN_TS.to_string();
        let changed = standard(GOLDEN_SIG, &ts, br#"{"test": 2432232315}"#);
        let f = verify(&changed, &golden_secret(), GOLDEN_TS, 300).unwrap_err();
        assert_eq!(
            f,
            Failure::Mismatch {
                signatures: 1,
                secrets: 1
            }
        );
        assert!(f.to_string().contains("cannot tell which"));

        let r = standard(GOLDEN_SIG, &ts, GOLDEN_BODY);
        let other = Secret::generate();
        assert!(matches!(
            verify(&r, &[other], GOLDEN_TS, 300),
            Err(Failure::Mismatch { .. })
        ));
        // The id is signed too.
        let moved = Received {
            msg_id: Some("msg_other"),
            ..r
        };
        assert!(matches!(
            verify(&moved, &golden_secret(), GOLDEN_TS, 300),
            Err(Failure::Mismatch { .. })
        ));
    }

    #[test]
    fn shape_confusions_are_named() {
        let ts = "1700000000";
        let body = br#"{"a":1}"#;
        let s = [Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")];
        let hex_as_standard = verify(&standard(OPENSSL_HEX, ts, body), &s, 1700000000, 300);
        assert_eq!(hex_as_standard, Err(Failure::HexWhereBase64Expected));
        assert!(
            hex_as_standard
                .unwrap_err()
                .to_string()
                .contains("this looks like a SlotBase hex signature; use --scheme slotbase")
        );
        let v1_hex = format!("v1,{OPENSSL_HEX}");
        assert_eq!(
            verify(&standard(&v1_hex, ts, body), &s, 1700000000, 300),
            Err(Failure::HexWhereBase64Expected)
        );

        let plain = [Secret::new("secret")];
        assert_eq!(
            verify(&slotbase(GOLDEN_SIG, ts, body), &plain, 1700000000, 300),
            Err(Failure::Base64WhereHexExpected)
        );
        let bare_b64 = GOLDEN_SIG.strip_prefix("v1,").unwrap();
        assert_eq!(
            verify(&slotbase(bare_b64, ts, body), &plain, 1700000000, 300),
            Err(Failure::Base64WhereHexExpected)
        );
        assert_eq!(
            verify(&standard(bare_b64, ts, body), &s, 1700000000, 300),
            Err(Failure::MissingVersionPrefix)
        );
        let stripe = format!("t=1700000000,v1={OPENSSL_HEX}");
        assert_eq!(
            verify(&slotbase(&stripe, ts, body), &plain, 1700000000, 300),
            Err(Failure::StripeStyle)
        );
        assert!(matches!(
            verify(&slotbase("abc123", ts, body), &plain, 1700000000, 300),
            Err(Failure::Malformed(m)) if m.contains("6 hex characters")
        ));
        assert!(matches!(
            verify(&standard("v1,not base64!", ts, body), &s, 1700000000, 300),
            Err(Failure::Malformed(m)) if m.contains("not base64")
        ));
    }

    #[test]
    fn other_versions_are_skipped_or_reported() {
        let ts = GOLDEN_TS.to_string();
        let s = golden_secret();
        let only_v1a = "v1a,AAAA";
        let f = verify(&standard(only_v1a, &ts, GOLDEN_BODY), &s, GOLDEN_TS, 300).unwrap_err();
        assert_eq!(f, Failure::UnsupportedVersion(vec!["v1a".into()]));
        assert!(f.to_string().contains("unsupported signature version v1a"));
        // A v1a entry next to a valid v1 one does not spoil it.
        let mixed = format!("v1a,AAAA {GOLDEN_SIG}");
        assert!(verify(&standard(&mixed, &ts, GOLDEN_BODY), &s, GOLDEN_TS, 300).is_ok());
    }

    #[test]
    fn bad_inputs_are_named() {
        let ts = GOLDEN_TS.to_string();
        let r = standard(GOLDEN_SIG, &ts, GOLDEN_BODY);
        let f = verify(&r, &[Secret::new("whsec_not*base64")], GOLDEN_TS, 300).unwrap_err();
        assert!(matches!(
            f,
            Failure::BadSecret {
                index: 1,
                error: SecretError::NotBase64 { .. }
            }
        ));
        assert!(f.to_string().contains("not base64"));
        assert_eq!(verify(&r, &[], GOLDEN_TS, 300), Err(Failure::NoSecret));
        let no_id = Received { msg_id: None, ..r };
        assert_eq!(
            verify(&no_id, &golden_secret(), GOLDEN_TS, 300),
            Err(Failure::MissingId)
        );
        let bad_ts = standard(GOLDEN_SIG, "1614265330.5", GOLDEN_BODY);
        assert_eq!(
            verify(&bad_ts, &golden_secret(), GOLDEN_TS, 300),
            Err(Failure::BadTimestamp("1614265330.5".into()))
        );
        assert_eq!(
            verify(&standard("  ", &ts, GOLDEN_BODY), &golden_secret(), 0, 300),
            Err(Failure::EmptySignature)
        );
    }

    #[test]
    fn rotation_signs_with_every_active_secret() {
        let old = Secret::generate();
        let new = Secret::generate();
        let mut set = SecretSet::new(old.clone());
        set.rotate(new.clone(), 1_000, 3_600).unwrap();
        assert_eq!(set.current(), &new);
        assert_eq!(set.active(1_000), vec![&new, &old]);

        let body = br#"{"a":1}"#;
        let headers = set.standard_headers("msg_1", 1_000, body).unwrap();
        let sig = &headers[2].1;
        assert_eq!(sig.split(' ').count(), 2, "{sig}");
        // A receiver holding either secret accepts the delivery.
        for held in [&old, &new] {
            let r = Received {
                scheme: Scheme::Standard,
                msg_id: Some("msg_1"),
                timestamp: "1000",
                signature: sig,
                payload: body,
            };
            assert!(verify(&r, std::slice::from_ref(held), 1_000, 300).is_ok());
        }
        // After the grace period only the new secret signs.
        assert_eq!(set.active(4_600), vec![&new]);
        let later = set.standard_headers("msg_1", 4_600, body).unwrap();
        assert_eq!(later[2].1.split(' ').count(), 1);
        set.prune(4_600);
        assert_eq!(set.active(0), vec![&new]);

        assert_eq!(
            set.rotate(Secret::generate(), 0, MAX_GRACE_SECS + 1),
            Err(SecretError::GraceTooLong {
                secs: MAX_GRACE_SECS + 1
            })
        );
    }

    #[test]
    fn verify_reports_which_secret_matched() {
        let ts = GOLDEN_TS.to_string();
        let r = standard(GOLDEN_SIG, &ts, GOLDEN_BODY);
        let secrets = [Secret::generate(), Secret::new(GOLDEN_SECRET)];
        assert_eq!(verify(&r, &secrets, GOLDEN_TS + 5, 300).unwrap().secret, 2);
    }

    #[test]
    fn generated_secrets_are_fresh_whsec() {
        let a = Secret::generate();
        let b = Secret::generate();
        assert!(a.as_str().starts_with("whsec_"));
        assert_eq!(a.standard_key().unwrap().len(), SECRET_BYTES);
        assert_ne!(a, b);
        assert_eq!(format!("{a:?}"), "Secret(***)");
    }

    #[test]
    fn message_ids_cannot_break_the_signed_content() {
        let s = [Secret::generate()];
        assert_eq!(
            standard_headers(&s, "msg.1", 1, b""),
            Err(SignError::BadMessageId("msg.1".into()))
        );
        assert!(new_message_id().starts_with("msg_"));
        assert_ne!(new_message_id(), new_message_id());
    }

    #[test]
    fn detects_scheme_from_shape() {
        assert_eq!(Scheme::detect(OPENSSL_HEX), Some(Scheme::Slotbase));
        assert_eq!(Scheme::detect(GOLDEN_SIG), Some(Scheme::Standard));
        assert_eq!(Scheme::detect("v1a,AAAA"), Some(Scheme::Standard));
        assert_eq!(Scheme::detect("t=1,v1=ab"), None);
        assert_eq!(Scheme::detect("hello"), None);
    }

    #[test]
    fn parses_captured_requests() {
        let crlf = b"POST /hooks HTTP/1.1\r\nHost: x\r\nWebhook-Id: msg_1\r\n\r\n{\"a\":1}\r\n";
        let r = RawRequest::parse(crlf).unwrap();
        assert_eq!(r.request_line.as_deref(), Some("POST /hooks HTTP/1.1"));
        assert_eq!(r.header("webhook-id"), Some("msg_1"));
        // The body is kept byte for byte, trailing line end included.
        assert_eq!(r.body, b"{\"a\":1}\r\n");

        let lf = b"POST / HTTP/1.1\nX-SlotBase-Timestamp: 5\n\n{}";
        let r = RawRequest::parse(lf).unwrap();
        assert_eq!(r.header("x-slotbase-timestamp"), Some("5"));
        assert_eq!(r.body, b"{}");

        assert_eq!(
            RawRequest::parse(b"POST / HTTP/1.1\nHost: x\n").unwrap_err(),
            RequestError::NoBlankLine
        );
        assert!(matches!(
            RawRequest::parse(b"POST / HTTP/1.1\nnot a header\n\n{}"),
            Err(RequestError::BadHeader { line: 2, .. })
        ));
    }
}

//! `slotbase webhook sign|verify|new-secret`: sign a payload exactly as deliveries are
//! signed, check a signature or a captured request and say why it does not verify. The
//! endpoint commands (`add`, `list`, `deliveries`, `test`...) live in [`endpoints`].
//!
//! Bodies are bytes: `--payload` is taken literally and `--file` is read as is, never
//! re-serialised, because one changed byte changes the signature.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use serde_json::{Map, Value, json};

mod endpoints;

use super::Context;
use crate::exit::{self, Negative};
use crate::output;
use crate::util::{human_duration, parse_duration};
use crate::webhook::signing::{
    self, DEFAULT_TOLERANCE_SECS, RawRequest, Received, Scheme, Secret, Valid,
};

#[derive(Debug, clap::Subcommand)]
pub enum WebhookCommand {
    /// Register a facility endpoint; prints its signing secret once
    Add(endpoints::AddArgs),
    /// Endpoints, with their status (disabled ones say why)
    List {
        /// Only this facility's endpoints
        #[arg(long, value_name = "FACILITY_ID")]
        facility: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// One endpoint, secrets and credentials masked
    Show {
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Change an endpoint (flags as for add; --events replaces the list)
    Update(endpoints::UpdateArgs),
    /// Delete an endpoint (its delivery log stays)
    Remove {
        id: String,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Send deliveries to an endpoint again (clears its disable reason)
    Enable { id: String },
    /// Stop deliveries to an endpoint
    Disable {
        id: String,
        /// Why, shown by list and show
        #[arg(long)]
        reason: Option<String>,
    },
    /// Replace the signing secret; the old one keeps signing during the grace period
    RotateSecret {
        id: String,
        /// How long the old secret keeps signing (at most 7d)
        #[arg(long, value_name = "DURATION")]
        grace: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// The delivery log: one row per attempt, newest first
    Deliveries(endpoints::DeliveriesArgs),
    /// Send a delivery again now, from this process, and record the attempt
    Redeliver {
        delivery_id: String,
        /// Send to this URL instead of the endpoint's (e.g. a local receiver)
        #[arg(long, value_name = "URL")]
        to: Option<String>,
        /// Let this attempt reach private and loopback addresses
        #[arg(long)]
        allow_private: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Send a mock event to an endpoint now and print what it answered
    Test {
        id: String,
        /// The event type (default: the endpoint's first)
        #[arg(long = "event", value_name = "TYPE")]
        event_type: Option<String>,
        /// Let this attempt reach private and loopback addresses
        #[arg(long)]
        allow_private: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Print the body an endpoint would receive for an event (its mapping applied)
    Preview {
        id: String,
        /// The event: JSON, @file or @- for stdin
        #[arg(long, value_name = "JSON|@FILE")]
        event: String,
    },
    /// Sign a payload and print the signature and the headers to send
    Sign(SignArgs),
    /// Check a signature, or a captured request, and explain why it does not verify
    ///
    /// Exit 0 when valid, 1 with the reason when not, 2 on bad usage.
    Verify(VerifyArgs),
    /// Print a new Standard Webhooks secret (whsec_ + base64 of 32 random bytes)
    NewSecret {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// Secret to sign with; repeat during a rotation to sign with each (current first,
    /// standard scheme only)
    #[arg(
        long = "secret",
        value_name = "SECRET",
        required = true,
        env = "SLOTBASE_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    secrets: Vec<String>,
    /// Unix seconds to sign at (default: now)
    #[arg(long, value_name = "UNIX_SECS", allow_negative_numbers = true)]
    timestamp: Option<i64>,
    /// The body, taken literally
    #[arg(
        long,
        value_name = "BODY",
        conflicts_with = "file",
        required_unless_present = "file"
    )]
    payload: Option<String>,
    /// Read the body from a file, byte for byte ("-" for stdin)
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// slotbase: hex over "{timestamp}.{body}"; standard: Standard Webhooks v1
    #[arg(long, value_enum, default_value_t = Scheme::Standard)]
    scheme: Scheme,
    /// Message id for the standard scheme (default: a new msg_... id)
    #[arg(long = "id", value_name = "MSG_ID")]
    id: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Secret to verify with; repeat to accept any of several (rotation)
    #[arg(
        long = "secret",
        value_name = "SECRET",
        required = true,
        env = "SLOTBASE_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    secrets: Vec<String>,
    /// The timestamp header's value (Unix seconds)
    #[arg(
        long,
        value_name = "UNIX_SECS",
        required_unless_present = "request",
        conflicts_with = "request",
        allow_hyphen_values = true
    )]
    timestamp: Option<String>,
    /// The signature header's value (hex, or v1,<base64> entries separated by spaces)
    #[arg(
        long,
        value_name = "SIG",
        required_unless_present = "request",
        conflicts_with = "request"
    )]
    signature: Option<String>,
    /// The body, taken literally
    #[arg(
        long,
        value_name = "BODY",
        conflicts_with_all = ["file", "request"],
        required_unless_present_any = ["file", "request"]
    )]
    payload: Option<String>,
    /// Read the body from a file, byte for byte ("-" for stdin)
    #[arg(long, value_name = "FILE", conflicts_with = "request")]
    file: Option<PathBuf>,
    /// A captured raw HTTP request (request line, headers, empty line, body; CRLF or LF):
    /// scheme, timestamp, signature and id come from its headers, the body as is
    #[arg(long, value_name = "FILE")]
    request: Option<PathBuf>,
    /// Scheme (default: from the signature's shape, or the request's headers)
    #[arg(long, value_enum)]
    scheme: Option<Scheme>,
    /// The message id (webhook-id) for the standard scheme
    #[arg(long = "id", value_name = "MSG_ID", conflicts_with = "request")]
    id: Option<String>,
    /// Allowed clock difference either way, e.g. 300, 90s, 5m
    #[arg(long, value_name = "DURATION", default_value_t = DEFAULT_TOLERANCE_SECS, value_parser = parse_tolerance)]
    tolerance: u64,
    /// Verify as if the clock read this Unix second (tests, old captures)
    #[arg(long, value_name = "UNIX_SECS")]
    now: Option<i64>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

fn parse_tolerance(text: &str) -> Result<u64, String> {
    parse_duration(text).map(|d| d.as_secs())
}

pub async fn run(ctx: &Context, cmd: WebhookCommand) -> anyhow::Result<i32> {
    match cmd {
        WebhookCommand::Add(args) => endpoints::add(ctx, args).await,
        WebhookCommand::List { facility, json } => endpoints::list(ctx, facility, json).await,
        WebhookCommand::Show { id, json } => endpoints::show(ctx, &id, json).await,
        WebhookCommand::Update(args) => endpoints::update(ctx, args).await,
        WebhookCommand::Remove { id, yes } => endpoints::remove(ctx, &id, yes).await,
        WebhookCommand::Enable { id } => endpoints::set_active(ctx, &id, true, None).await,
        WebhookCommand::Disable { id, reason } => {
            endpoints::set_active(ctx, &id, false, reason).await
        }
        WebhookCommand::RotateSecret { id, grace, json } => {
            endpoints::rotate(ctx, &id, grace, json).await
        }
        WebhookCommand::Deliveries(args) => endpoints::deliveries(ctx, args).await,
        WebhookCommand::Redeliver {
            delivery_id,
            to,
            allow_private,
            json,
        } => endpoints::redeliver(ctx, &delivery_id, to, allow_private, json).await,
        WebhookCommand::Test {
            id,
            event_type,
            allow_private,
            json,
        } => endpoints::test(ctx, &id, event_type, allow_private, json).await,
        WebhookCommand::Preview { id, event } => endpoints::preview(ctx, &id, &event).await,
        WebhookCommand::Sign(args) => sign(args),
        WebhookCommand::Verify(args) => verify(args),
        WebhookCommand::NewSecret { json } => {
            let secret = Secret::generate();
            if json {
                output::json(&json!({ "secret": secret.as_str() }))?;
            } else {
                output::line(secret.as_str())?;
            }
            Ok(exit::SUCCESS)
        }
    }
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn read_body(payload: Option<String>, file: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    match (payload, file) {
        (Some(p), _) => Ok(p.into_bytes()),
        (None, Some(path)) if path == Path::new("-") => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("reading the body from stdin")?;
            Ok(buf)
        }
        (None, Some(path)) => {
            std::fs::read(path).with_context(|| format!("reading the body from {}", path.display()))
        }
        (None, None) => bail!("give the body with --payload or --file"),
    }
}

fn sign(args: SignArgs) -> anyhow::Result<i32> {
    let body = read_body(args.payload, args.file.as_deref())?;
    let timestamp = args.timestamp.unwrap_or_else(now_secs);
    let secrets: Vec<Secret> = args.secrets.into_iter().map(Secret::new).collect();
    let (id, headers) = match args.scheme {
        Scheme::Slotbase => {
            if args.id.is_some() {
                bail!(
                    "--id is only signed by --scheme standard; SlotBase signs \"{{timestamp}}.{{body}}\""
                );
            }
            if secrets.len() > 1 {
                bail!(
                    "the SlotBase scheme sends one signature, so give one --secret; signing with \
                     several during a rotation needs --scheme standard"
                );
            }
            if secrets[0].as_str().is_empty() {
                bail!("the secret is empty");
            }
            (
                None,
                signing::slotbase_headers(&secrets[0], timestamp, &body),
            )
        }
        Scheme::Standard => {
            let id = args.id.unwrap_or_else(signing::new_message_id);
            let headers = signing::standard_headers(&secrets, &id, timestamp, &body)?;
            (Some(id), headers)
        }
    };
    let signature = headers
        .iter()
        .find(|(name, _)| {
            name.eq_ignore_ascii_case(signing::WEBHOOK_SIGNATURE)
                || name.eq_ignore_ascii_case(signing::SLOTBASE_SIGNATURE)
        })
        .map(|(_, v)| v.clone())
        .unwrap_or_default();

    if args.json {
        let mut out = Map::new();
        out.insert("scheme".into(), json!(args.scheme));
        if let Some(id) = &id {
            out.insert("id".into(), json!(id));
        }
        out.insert("timestamp".into(), json!(timestamp));
        out.insert("signature".into(), json!(signature));
        out.insert(
            "signatures".into(),
            json!(signature.split(' ').collect::<Vec<_>>()),
        );
        let map: Map<String, Value> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        out.insert("headers".into(), Value::Object(map));
        output::json(&out)?;
    } else {
        let mut rows = vec![("scheme", args.scheme.to_string())];
        if let Some(id) = &id {
            rows.push(("id", id.clone()));
        }
        rows.push(("timestamp", timestamp.to_string()));
        rows.push(("signature", signature.clone()));
        let header_text: Vec<String> = headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        rows.push(("headers", header_text.join("\n")));
        output::fields(&rows)?;
    }
    Ok(exit::SUCCESS)
}

/// What the verify command found in a captured request.
struct RequestInfo {
    line: Option<String>,
    found: Vec<String>,
    body_bytes: usize,
    notes: Vec<String>,
}

/// Everything the verify command reports.
struct Report {
    scheme: Option<Scheme>,
    scheme_from: String,
    secrets: usize,
    outcome: Result<Valid, String>,
    request: Option<RequestInfo>,
}

fn verify(args: VerifyArgs) -> anyhow::Result<i32> {
    let now = args.now.unwrap_or_else(now_secs);
    let secrets: Vec<Secret> = args.secrets.iter().cloned().map(Secret::new).collect();
    if let Some(path) = &args.request {
        let bytes = std::fs::read(path)
            .with_context(|| format!("reading the captured request {}", path.display()))?;
        let request = RawRequest::parse(&bytes)
            .with_context(|| format!("{} is not a raw HTTP request", path.display()))?;
        let report = verify_request(&request, args.scheme, &secrets, now, args.tolerance);
        return print_report(report, args.json);
    }

    // clap enforces these when --request is absent.
    let timestamp = args.timestamp.as_deref().unwrap_or_default();
    let signature = args.signature.as_deref().unwrap_or_default();
    let body = read_body(args.payload, args.file.as_deref())?;
    let (scheme, scheme_from) = match (args.scheme, Scheme::detect(signature)) {
        (Some(s), _) => (s, "given with --scheme".to_string()),
        (None, Some(s)) => (s, "detected from the signature's shape".to_string()),
        (None, None) if args.id.is_some() => (Scheme::Standard, "--id was given".to_string()),
        (None, None) => (
            Scheme::Slotbase,
            "default; the signature's shape says nothing".to_string(),
        ),
    };
    let received = Received {
        scheme,
        msg_id: args.id.as_deref(),
        timestamp,
        signature,
        payload: &body,
    };
    let outcome =
        signing::verify(&received, &secrets, now, args.tolerance).map_err(|f| f.to_string());
    print_report(
        Report {
            scheme: Some(scheme),
            scheme_from,
            secrets: secrets.len(),
            outcome,
            request: None,
        },
        args.json,
    )
}

// Header names of each family; svix-* carries the same scheme as webhook-*.
const STANDARD_NAMES: [[&str; 3]; 2] = [
    ["webhook-id", "webhook-timestamp", "webhook-signature"],
    ["svix-id", "svix-timestamp", "svix-signature"],
];
const SLOTBASE_NAMES: [&str; 2] = [signing::SLOTBASE_TIMESTAMP, signing::SLOTBASE_SIGNATURE];

fn verify_request(
    request: &RawRequest,
    chosen: Option<Scheme>,
    secrets: &[Secret],
    now: i64,
    tolerance: u64,
) -> Report {
    let known: Vec<&str> = STANDARD_NAMES
        .iter()
        .flatten()
        .copied()
        .chain(SLOTBASE_NAMES)
        .collect();
    let found: Vec<String> = request
        .headers
        .iter()
        .filter(|(n, _)| known.iter().any(|k| k.eq_ignore_ascii_case(n)))
        .map(|(n, _)| n.clone())
        .collect();
    let has = |name: &str| request.header(name).is_some();
    // The standard family in use: webhook-* first, svix-* as the fallback.
    let standard = STANDARD_NAMES
        .iter()
        .find(|names| names.iter().any(|n| has(n)))
        .copied();
    let slotbase = SLOTBASE_NAMES.iter().any(|n| has(n));

    let mut notes = Vec::new();
    if let Some(len) = request.header("content-length")
        && let Ok(len) = len.trim().parse::<usize>()
        && len != request.body.len()
    {
        notes.push(format!(
            "Content-Length says {len} bytes but the body has {}; an editor may have added or \
             removed a line end when the capture was saved",
            request.body.len()
        ));
    }
    if request
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        notes.push(
            "the body is chunked (Transfer-Encoding: chunked); the signature covers the \
             de-chunked body, so capture it decoded"
                .to_string(),
        );
    }
    let info = RequestInfo {
        line: request.request_line.clone(),
        found: found.clone(),
        body_bytes: request.body.len(),
        notes,
    };

    let (scheme, scheme_from) = match (chosen, standard, slotbase) {
        (Some(s), _, _) => (s, "given with --scheme".to_string()),
        (None, Some(names), true) => (
            Scheme::Standard,
            format!(
                "from the {}* headers; X-SlotBase-* headers are present too (--scheme slotbase checks those)",
                names[0].trim_end_matches("id")
            ),
        ),
        (None, Some(names), false) => (
            Scheme::Standard,
            format!("from the {}* headers", names[0].trim_end_matches("id")),
        ),
        (None, None, true) => (
            Scheme::Slotbase,
            "from the X-SlotBase-* headers".to_string(),
        ),
        (None, None, false) => {
            let names: Vec<&str> = request.headers.iter().map(|(n, _)| n.as_str()).collect();
            return Report {
                scheme: None,
                scheme_from: "no signature headers".to_string(),
                secrets: secrets.len(),
                outcome: Err(format!(
                    "no signature headers in the request: expected X-SlotBase-Timestamp and \
                     X-SlotBase-Signature, or webhook-id, webhook-timestamp and \
                     webhook-signature; found: {}",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                )),
                request: Some(info),
            };
        }
    };

    let needed: Vec<&str> = match scheme {
        Scheme::Slotbase => SLOTBASE_NAMES.to_vec(),
        Scheme::Standard => standard.unwrap_or(STANDARD_NAMES[0]).to_vec(),
    };
    let missing: Vec<&str> = needed.iter().copied().filter(|n| !has(n)).collect();
    let outcome = if !missing.is_empty() {
        Err(format!(
            "the request lacks the {} header(s) the {scheme} scheme needs",
            missing.join(", ")
        ))
    } else {
        let value = |n: &str| request.header(n).unwrap_or_default();
        let received = match scheme {
            Scheme::Slotbase => Received {
                scheme,
                msg_id: None,
                timestamp: value(needed[0]),
                signature: value(needed[1]),
                payload: &request.body,
            },
            Scheme::Standard => Received {
                scheme,
                msg_id: Some(value(needed[0])),
                timestamp: value(needed[1]),
                signature: value(needed[2]),
                payload: &request.body,
            },
        };
        signing::verify(&received, secrets, now, tolerance).map_err(|f| f.to_string())
    };
    Report {
        scheme: Some(scheme),
        scheme_from,
        secrets: secrets.len(),
        outcome,
        request: Some(info),
    }
}

fn verdict_line(report: &Report) -> String {
    match (&report.outcome, report.scheme) {
        (Ok(v), _) => {
            let age = if v.age_secs >= 0 {
                format!(
                    "{} old",
                    human_duration(Duration::from_secs(v.age_secs as u64))
                )
            } else {
                format!(
                    "{} ahead",
                    human_duration(Duration::from_secs(v.age_secs.unsigned_abs()))
                )
            };
            format!(
                "valid: {} signature, secret {} of {}, timestamp {age}",
                v.scheme, v.secret, report.secrets
            )
        }
        (Err(_), Some(s)) => format!("invalid: {s} signature"),
        (Err(_), None) => "invalid: nothing to verify".to_string(),
    }
}

fn print_report(report: Report, json: bool) -> anyhow::Result<i32> {
    if json {
        let mut out = Map::new();
        out.insert("valid".into(), json!(report.outcome.is_ok()));
        out.insert("scheme".into(), json!(report.scheme));
        out.insert("scheme_from".into(), json!(report.scheme_from));
        out.insert("reason".into(), json!(report.outcome.as_ref().err()));
        if let Ok(v) = &report.outcome {
            out.insert("secret".into(), json!(v.secret));
            out.insert("age_secs".into(), json!(v.age_secs));
        }
        if let Some(r) = &report.request {
            out.insert(
                "request".into(),
                json!({
                    "line": r.line,
                    "found": r.found,
                    "body_bytes": r.body_bytes,
                    "notes": r.notes,
                }),
            );
        }
        output::json(&out)?;
    } else {
        if let Some(r) = &report.request {
            let mut rows = vec![
                (
                    "request",
                    r.line.clone().unwrap_or_else(|| "(no request line)".into()),
                ),
                (
                    "found",
                    if r.found.is_empty() {
                        "no signature headers".to_string()
                    } else {
                        r.found.join(", ")
                    },
                ),
                (
                    "scheme",
                    match report.scheme {
                        Some(s) => format!("{s} ({})", report.scheme_from),
                        None => "none".to_string(),
                    },
                ),
                ("body", format!("{} bytes", r.body_bytes)),
            ];
            rows.extend(r.notes.iter().map(|n| ("note", n.clone())));
            if let Err(reason) = &report.outcome {
                rows.push(("reason", reason.clone()));
            }
            output::fields(&rows)?;
        }
        output::line(verdict_line(&report))?;
    }
    match report.outcome {
        Ok(_) => Ok(exit::SUCCESS),
        Err(reason) => Err(Negative(reason).into()),
    }
}

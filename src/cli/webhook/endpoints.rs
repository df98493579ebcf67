//! `slotbase webhook add|list|show|update|remove|enable|disable|rotate-secret|deliveries|
//! redeliver|test|preview`: facility endpoints, their delivery log, and sending one
//! delivery now to see what a receiver answers.
//!
//! A signing secret is printed once, by `add` and `rotate-secret`; everything else shows
//! secrets and credentials masked.

use std::sync::Arc;

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use super::super::{Context, confirm};
use crate::event::{self, EnvelopeDefaults, FACILITY_WEBHOOK_EVENTS, Format, MockGen};
use crate::exit::{self, Negative};
use crate::output;
use crate::queue::now_ms;
use crate::util::{human_duration, iso_ms, parse_duration};
use crate::webhook::delivery::{self, Outcome, Prepared, Sender};
use crate::webhook::endpoint::{
    AuthConfig, AuthType, Endpoint, Filters, Method, RetryConfig, SigningScheme, StoredSecrets,
    delivery_id, validate_url,
};
use crate::webhook::signing::{DEFAULT_GRACE_SECS, Secret};
use crate::webhook::ssrf::Policy;
use crate::webhook::store::{AttemptFilter, NewAttempt, WebhookStore};

/// Flags shared by `add` and `update` (all optional for `update`).
#[derive(Debug, Clone, clap::Args)]
pub struct EndpointFlags {
    /// Deliveries go to this http:// or https:// URL
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Event types to deliver, comma-separated (slotbase events list shows them)
    #[arg(long, value_name = "TYPES", value_delimiter = ',')]
    pub events: Option<Vec<String>>,
    /// Accept catalogued types outside the seed's FACILITY_WEBHOOK_EVENTS
    #[arg(long)]
    pub any_event: bool,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long, value_enum)]
    pub method: Option<Method>,
    /// Credentials the receiver checks besides the signature (default: inferred from the
    /// credential flags, else signature)
    #[arg(long, value_enum)]
    pub auth: Option<AuthType>,
    /// Header name for --auth header
    #[arg(long, value_name = "NAME")]
    pub header_name: Option<String>,
    /// Header value for --auth header
    #[arg(long, value_name = "VALUE", hide_env_values = true)]
    pub header_value: Option<String>,
    /// User for --auth basic
    #[arg(long)]
    pub username: Option<String>,
    /// Password for --auth basic
    #[arg(long)]
    pub password: Option<String>,
    /// Token for --auth bearer
    #[arg(long, value_name = "TOKEN")]
    pub bearer_token: Option<String>,
    /// Only events whose data.resourceId is one of these (repeat)
    #[arg(long = "resource", value_name = "RESOURCE_ID")]
    pub resources: Vec<String>,
    /// Only events whose data.bookingType is one of these (repeat)
    #[arg(long = "booking-type", value_name = "TYPE")]
    pub booking_types: Vec<String>,
    /// Retries after the first attempt
    #[arg(long, value_name = "N")]
    pub max_retries: Option<u32>,
    /// First retry delay, e.g. 1s, 500ms, 5m
    #[arg(long, value_name = "DURATION", value_parser = parse_ms)]
    pub retry_delay: Option<u64>,
    /// Growth of each further delay (at least 1.0)
    #[arg(long, value_name = "FACTOR")]
    pub backoff_multiplier: Option<f64>,
    /// Signature headers: slotbase (X-SlotBase-*), standard (webhook-*) or both
    #[arg(long, value_enum)]
    pub scheme: Option<SigningScheme>,
    /// Payload mapping: a JSON object of Liquid templates, inline or @file
    #[arg(long, value_name = "JSON|@FILE")]
    pub mapping: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The facility whose events this endpoint receives
    #[arg(long, value_name = "FACILITY_ID")]
    pub facility: String,
    #[command(flatten)]
    pub flags: EndpointFlags,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    pub id: String,
    #[command(flatten)]
    pub flags: EndpointFlags,
    /// Drop the resource and booking-type filters
    #[arg(long)]
    pub clear_filters: bool,
    /// Drop the payload mapping (send the event itself)
    #[arg(long, conflicts_with = "mapping")]
    pub clear_mapping: bool,
}

fn parse_ms(text: &str) -> Result<u64, String> {
    parse_duration(text).map(|d| d.as_millis() as u64)
}

async fn webhooks(ctx: &Context) -> anyhow::Result<Arc<dyn WebhookStore>> {
    ctx.store()
        .await?
        .webhooks()
        .context("this store keeps no webhook endpoints")
}

async fn endpoint(ws: &dyn WebhookStore, id: &str) -> anyhow::Result<Endpoint> {
    match ws.endpoint(id).await? {
        Some(e) => Ok(e),
        None => bail!("no webhook endpoint {id} (slotbase webhook list shows them)"),
    }
}

fn check_events(events: &[String], any: bool) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for e in events.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        let ty = event::lookup(e)?;
        if !any && !ty.is_facility_webhook_event() {
            bail!(
                "\"{e}\" is not an event facilities may subscribe to; they are: {} (or pass --any-event)",
                FACILITY_WEBHOOK_EVENTS.join(", ")
            );
        }
        if !out.iter().any(|x| x == e) {
            out.push(e.to_string());
        }
    }
    if out.is_empty() {
        bail!("give at least one event type with --events, e.g. --events booking.confirmed");
    }
    Ok(out)
}

fn read_mapping(text: &str) -> anyhow::Result<Value> {
    let (body, origin) = match text.strip_prefix('@') {
        Some(path) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the payload mapping {path}"))?,
            path.to_string(),
        ),
        None => (text.to_string(), "--mapping".to_string()),
    };
    let v = event::parse_json(&body, &origin)?;
    crate::webhook::mapping::check(&v)?;
    Ok(v)
}

/// Apply the flags to `e`, then check the result is a usable endpoint.
fn apply(e: &mut Endpoint, f: &EndpointFlags) -> anyhow::Result<()> {
    if let Some(u) = &f.url {
        validate_url(u).map_err(anyhow::Error::msg)?;
        e.url = u.clone();
    }
    if let Some(ev) = &f.events {
        e.events = check_events(ev, f.any_event)?;
    }
    if let Some(n) = &f.name {
        e.name = n.clone();
    }
    if let Some(d) = &f.description {
        e.description = Some(d.clone()).filter(|d| !d.is_empty());
    }
    if let Some(m) = f.method {
        e.method = m;
    }
    let a = &mut e.auth_config;
    for (slot, v) in [
        (&mut a.header_name, &f.header_name),
        (&mut a.header_value, &f.header_value),
        (&mut a.username, &f.username),
        (&mut a.password, &f.password),
        (&mut a.bearer_token, &f.bearer_token),
    ] {
        if v.is_some() {
            *slot = v.clone();
        }
    }
    let inferred = if f.bearer_token.is_some() {
        Some(AuthType::Bearer)
    } else if f.username.is_some() || f.password.is_some() {
        Some(AuthType::Basic)
    } else if f.header_name.is_some() || f.header_value.is_some() {
        Some(AuthType::Header)
    } else {
        None
    };
    if let Some(t) = f.auth.or(inferred) {
        e.auth_type = t;
    }
    // Keep only the credentials of the chosen type, so nothing stale is stored.
    let a = e.auth_config.clone();
    e.auth_config = match e.auth_type {
        AuthType::Header => {
            if a.header_name.as_deref().is_none_or(str::is_empty) || a.header_value.is_none() {
                bail!("--auth header needs --header-name and --header-value");
            }
            AuthConfig {
                header_name: a.header_name,
                header_value: a.header_value,
                ..AuthConfig::default()
            }
        }
        AuthType::Basic => {
            if a.username.is_none() || a.password.is_none() {
                bail!("--auth basic needs --username and --password");
            }
            AuthConfig {
                username: a.username,
                password: a.password,
                ..AuthConfig::default()
            }
        }
        AuthType::Bearer => {
            if a.bearer_token.as_deref().is_none_or(str::is_empty) {
                bail!("--auth bearer needs --bearer-token");
            }
            AuthConfig {
                bearer_token: a.bearer_token,
                ..AuthConfig::default()
            }
        }
        AuthType::None | AuthType::Signature => {
            if inferred.is_some() {
                bail!(
                    "credential flags were given with --auth {}; use --auth header, basic or bearer",
                    e.auth_type.as_str()
                );
            }
            AuthConfig::default()
        }
    };
    if !f.resources.is_empty() {
        e.filters.resource_ids = f.resources.clone();
    }
    if !f.booking_types.is_empty() {
        e.filters.booking_types = f.booking_types.clone();
    }
    if let Some(n) = f.max_retries {
        e.retry_config.max_retries = n;
    }
    if let Some(d) = f.retry_delay {
        e.retry_config.retry_delay_ms = d;
    }
    if let Some(m) = f.backoff_multiplier {
        if !(m >= 1.0 && m.is_finite()) {
            bail!("--backoff-multiplier must be at least 1.0");
        }
        e.retry_config.backoff_multiplier = m;
    }
    if let Some(s) = f.scheme {
        e.signing_scheme = s;
    }
    if let Some(m) = &f.mapping {
        e.payload_mapping = Some(read_mapping(m)?);
    }
    Ok(())
}

pub async fn add(ctx: &Context, args: AddArgs) -> anyhow::Result<i32> {
    let f = &args.flags;
    let Some(url) = &f.url else {
        bail!("give the receiver's URL with --url");
    };
    if f.events.is_none() {
        bail!(
            "give the event types with --events, e.g. --events booking.confirmed,booking.cancelled"
        );
    }
    if args.facility.trim().is_empty() {
        bail!("--facility must not be empty");
    }
    let defaults = crate::daemon::retry::RetryPolicy::for_handler(&ctx.settings.retry, "webhook");
    let secret = Secret::generate();
    let retry = RetryConfig {
        max_retries: defaults.max_retries,
        retry_delay_ms: defaults.delay_ms,
        backoff_multiplier: defaults.multiplier,
    };
    let mut e = Endpoint::new(&args.facility, url, &secret, retry, now_ms());
    apply(&mut e, f)?;
    let ws = webhooks(ctx).await?;
    ws.create_endpoint(&e).await?;
    if args.json {
        output::json(&json!({"webhook": e.masked(), "signingSecret": secret.as_str()}))?;
    } else {
        output::lines([
            format!("created webhook {} for facility {}", e.id, e.facility_id),
            format!(
                "  {} {} on {}",
                e.method.as_str(),
                e.url,
                e.events.join(", ")
            ),
            format!(
                "  signing secret (shown once, keep it now): {}",
                secret.as_str()
            ),
            format!(
                "  signature headers: {} (verify with: slotbase webhook verify --secret <secret> --request <captured request>)",
                e.signing_scheme
            ),
        ])?;
    }
    Ok(exit::SUCCESS)
}

fn status_text(e: &Endpoint) -> String {
    if e.is_active {
        match e.failing_since {
            Some(t) => format!("active, failing since {}", iso_ms(t)),
            None => "active".into(),
        }
    } else {
        format!(
            "disabled: {}",
            e.disabled_reason.as_deref().unwrap_or("by an operator")
        )
    }
}

pub async fn list(ctx: &Context, facility: Option<String>, as_json: bool) -> anyhow::Result<i32> {
    let ws = webhooks(ctx).await?;
    let all = ws.endpoints(facility.as_deref()).await?;
    if as_json {
        output::json(&all.iter().map(Endpoint::masked).collect::<Vec<_>>())?;
        return Ok(exit::SUCCESS);
    }
    if all.is_empty() {
        output::line(
            "no webhook endpoints (add one with: slotbase webhook add --facility F --url U --events booking.confirmed)",
        )?;
        return Ok(exit::SUCCESS);
    }
    let mut t = output::new_table(&["ID", "FACILITY", "NAME", "URL", "EVENTS", "STATUS"]);
    for e in &all {
        t.add_row(vec![
            e.id.clone(),
            e.facility_id.clone(),
            e.name.clone(),
            e.url.clone(),
            e.events.join(", "),
            status_text(e),
        ]);
    }
    output::table(&t)?;
    Ok(exit::SUCCESS)
}

pub async fn show(ctx: &Context, id: &str, as_json: bool) -> anyhow::Result<i32> {
    let ws = webhooks(ctx).await?;
    let e = endpoint(ws.as_ref(), id).await?;
    let m = e.masked();
    if as_json {
        output::json(&m)?;
        return Ok(exit::SUCCESS);
    }
    let auth = m["authConfig"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let rc = &e.retry_config;
    let mut rows = vec![
        ("id", e.id.clone()),
        ("facility", e.facility_id.clone()),
        ("name", e.name.clone()),
        ("url", format!("{} {}", e.method.as_str(), e.url)),
        ("events", e.events.join(", ")),
        ("status", status_text(&e)),
        ("auth", format!("{} {auth}", e.auth_type.as_str())),
        ("signing", e.signing_scheme.to_string()),
        (
            "retries",
            format!(
                "{} after the first attempt, from {} ×{}",
                rc.max_retries,
                human_duration(std::time::Duration::from_millis(rc.retry_delay_ms)),
                rc.backoff_multiplier
            ),
        ),
    ];
    if let Some(d) = &e.description {
        rows.push(("description", d.clone()));
    }
    if !e.filters.resource_ids.is_empty() {
        rows.push(("resources", e.filters.resource_ids.join(", ")));
    }
    if !e.filters.booking_types.is_empty() {
        rows.push(("booking types", e.filters.booking_types.join(", ")));
    }
    if let Some(prev) = m["previousSecrets"].as_array().filter(|a| !a.is_empty()) {
        rows.push((
            "rotating",
            prev.iter()
                .map(|p| {
                    format!(
                        "{} signs until {}",
                        p["secret"].as_str().unwrap_or(""),
                        p["signsUntil"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ));
    }
    if let Some(map) = &e.payload_mapping {
        rows.push(("mapping", serde_json::to_string_pretty(map)?));
    }
    rows.push(("created", iso_ms(e.created_at)));
    rows.push(("updated", iso_ms(e.updated_at)));
    output::fields(&rows)?;
    Ok(exit::SUCCESS)
}

pub async fn update(ctx: &Context, args: UpdateArgs) -> anyhow::Result<i32> {
    let ws = webhooks(ctx).await?;
    let mut e = endpoint(ws.as_ref(), &args.id).await?;
    if args.clear_filters {
        e.filters = Filters::default();
    }
    if args.clear_mapping {
        e.payload_mapping = None;
    }
    apply(&mut e, &args.flags)?;
    e.updated_at = now_ms();
    ws.update_endpoint(&e).await?;
    output::line(format!("updated webhook {}", e.id))?;
    Ok(exit::SUCCESS)
}

pub async fn remove(ctx: &Context, id: &str, yes: bool) -> anyhow::Result<i32> {
    let ws = webhooks(ctx).await?;
    let e = endpoint(ws.as_ref(), id).await?;
    confirm(
        yes,
        &format!(
            "Remove webhook {} ({} for facility {})?",
            e.id, e.url, e.facility_id
        ),
    )?;
    ws.remove_endpoint(id).await?;
    output::line(format!(
        "removed webhook {id}; its delivery log stays (slotbase webhook deliveries {id})"
    ))?;
    Ok(exit::SUCCESS)
}

pub async fn set_active(
    ctx: &Context,
    id: &str,
    active: bool,
    reason: Option<String>,
) -> anyhow::Result<i32> {
    let ws = webhooks(ctx).await?;
    endpoint(ws.as_ref(), id).await?;
    let reason = reason.unwrap_or_else(|| "disabled by an operator".into());
    ws.set_active(id, active, (!active).then_some(reason.as_str()))
        .await?;
    output::line(if active {
        format!("enabled webhook {id}")
    } else {
        format!("disabled webhook {id}: {reason}")
    })?;
    Ok(exit::SUCCESS)
}

pub async fn rotate(
    ctx: &Context,
    id: &str,
    grace: Option<String>,
    as_json: bool,
) -> anyhow::Result<i32> {
    let grace_secs = match grace {
        Some(g) => parse_duration(&g).map_err(anyhow::Error::msg)?.as_secs(),
        None => DEFAULT_GRACE_SECS,
    };
    let ws = webhooks(ctx).await?;
    let mut e = endpoint(ws.as_ref(), id).await?;
    let mut set = e.secrets.to_set();
    let next = Secret::generate();
    let now = now_ms() / 1000;
    set.rotate(next.clone(), now, grace_secs)?;
    e.secrets = StoredSecrets::from_set(&set);
    e.updated_at = now_ms();
    ws.update_endpoint(&e).await?;
    let until = iso_ms((now + grace_secs as i64) * 1000);
    if as_json {
        output::json(
            &json!({"id": e.id, "signingSecret": next.as_str(), "previousSignsUntil": until}),
        )?;
    } else {
        output::lines([
            format!("rotated the signing secret of webhook {}", e.id),
            format!("  new secret (shown once, keep it now): {}", next.as_str()),
            format!(
                "  the old secret keeps signing until {until} (Standard Webhooks deliveries carry both signatures; SlotBase deliveries are signed with the new one)"
            ),
        ])?;
    }
    Ok(exit::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct DeliveriesArgs {
    /// Only this endpoint's deliveries
    pub endpoint: Option<String>,
    /// delivered, retrying or failed (attempts made), or pending (deliveries queued and not
    /// sent yet, read from the webhooks queue)
    #[arg(long, value_parser = ["delivered", "retrying", "failed", "pending"])]
    pub status: Option<String>,
    /// Only this event's deliveries
    #[arg(long, value_name = "EVENT_ID")]
    pub event: Option<String>,
    /// Only this delivery's attempts
    #[arg(long, value_name = "DELIVERY_ID")]
    pub delivery: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
    /// Print JSON (the seed's WebhookDelivery, one per attempt)
    #[arg(long)]
    pub json: bool,
}

pub async fn deliveries(ctx: &Context, args: DeliveriesArgs) -> anyhow::Result<i32> {
    if args.status.as_deref() == Some("pending") {
        return pending_deliveries(ctx, &args).await;
    }
    let ws = webhooks(ctx).await?;
    let rows = ws
        .attempts(&AttemptFilter {
            webhook_id: args.endpoint,
            delivery_id: args.delivery,
            event_id: args.event,
            status: args.status,
            job_id: None,
            limit: args.limit,
        })
        .await?;
    if args.json {
        output::json(&rows.iter().map(|a| a.to_json()).collect::<Vec<_>>())?;
        return Ok(exit::SUCCESS);
    }
    if rows.is_empty() {
        output::line("no delivery attempts match")?;
        return Ok(exit::SUCCESS);
    }
    let mut t = output::new_table(&[
        "DELIVERY", "#", "ENDPOINT", "EVENT", "STATUS", "HTTP", "TIME", "WHEN", "ERROR",
    ]);
    for a in &rows {
        let n = &a.new;
        t.add_row(vec![
            n.delivery_id.clone(),
            a.attempt.to_string(),
            n.webhook_id.clone(),
            format!("{} {}", n.event_type, n.event_id),
            n.status.clone(),
            n.response_status
                .map(|s| s.to_string())
                .unwrap_or("-".into()),
            n.duration_ms
                .map(|d| human_duration(std::time::Duration::from_millis(d)))
                .unwrap_or_default(),
            iso_ms(n.at),
            n.error_message.clone().unwrap_or_default(),
        ]);
    }
    output::table(&t)?;
    Ok(exit::SUCCESS)
}

fn sender(ctx: &Context, allow_private: bool) -> anyhow::Result<Arc<Sender>> {
    let w = &ctx.settings.webhooks;
    let policy = Policy::new(w.allow_private || allow_private, &w.allowed_cidrs)
        .map_err(anyhow::Error::msg)?;
    Ok(Arc::new(Sender::new(w, policy)))
}

/// How a command-line attempt is made and shown.
struct SendHow {
    /// `manual` or `test`, as recorded.
    trigger: &'static str,
    allow_private: bool,
    as_json: bool,
}

/// Send one attempt now from this process, record it, and print what happened.
async fn send_now(
    ctx: &Context,
    ws: &dyn WebhookStore,
    e: &Endpoint,
    delivery: &str,
    prepared: Prepared,
    how: SendHow,
) -> anyhow::Result<i32> {
    let SendHow {
        trigger,
        allow_private,
        as_json,
    } = how;
    let at = now_ms();
    let outcome: Outcome = sender(ctx, allow_private)?.send(&prepared).await;
    let status = if outcome.delivered() {
        "delivered"
    } else {
        "failed"
    };
    let disable_after = (ctx.settings.webhooks.disable_after_ms > 0)
        .then_some(ctx.settings.webhooks.disable_after_ms);
    let recorded = ws
        .record_attempt(
            NewAttempt {
                delivery_id: delivery.to_string(),
                webhook_id: e.id.clone(),
                event_id: prepared.event_id.clone(),
                event_type: prepared.event_type.clone(),
                url: prepared.url.clone(),
                method: prepared.method.clone(),
                headers: prepared.recorded_headers.clone(),
                payload: prepared.body.clone(),
                response_status: outcome.status,
                response_headers: outcome.headers.clone(),
                response_body: outcome.body.clone(),
                at,
                next_retry_at: None,
                status: status.into(),
                error_message: outcome.error.clone(),
                duration_ms: Some(outcome.duration.as_millis() as u64),
                trigger: trigger.into(),
                job_id: None,
            },
            disable_after,
        )
        .await?;
    let excerpt: String = outcome
        .body
        .as_deref()
        .unwrap_or("")
        .chars()
        .take(500)
        .collect();
    if as_json {
        output::json(&json!({
            "deliveryId": delivery,
            "attempt": recorded.attempt,
            "url": prepared.url,
            "status": status,
            "responseStatus": outcome.status,
            "durationMs": outcome.duration.as_millis() as u64,
            "responseBody": excerpt,
            "errorMessage": outcome.error,
        }))?;
    } else {
        let mut rows = vec![
            (
                "delivery",
                format!("{delivery} (attempt {})", recorded.attempt),
            ),
            ("url", format!("{} {}", prepared.method, prepared.url)),
            ("outcome", status.to_string()),
            (
                "http",
                outcome
                    .status
                    .map(|s| s.to_string())
                    .unwrap_or("no answer".into()),
            ),
            ("duration", human_duration(outcome.duration)),
        ];
        if let Some(err) = &outcome.error {
            rows.push(("error", err.clone()));
        }
        if !excerpt.is_empty() {
            rows.push(("response", excerpt));
        }
        output::fields(&rows)?;
    }
    if outcome.delivered() {
        Ok(exit::SUCCESS)
    } else {
        Err(Negative(format!(
            "the delivery failed: {}",
            outcome.error.unwrap_or_else(|| "no 2xx answer".into())
        ))
        .into())
    }
}

pub async fn redeliver(
    ctx: &Context,
    delivery: &str,
    to: Option<String>,
    allow_private: bool,
    as_json: bool,
) -> anyhow::Result<i32> {
    if let Some(u) = &to {
        validate_url(u).map_err(anyhow::Error::msg)?;
    }
    let ws = webhooks(ctx).await?;
    let last = ws
        .attempts(&AttemptFilter {
            delivery_id: Some(delivery.to_string()),
            limit: 1,
            ..AttemptFilter::default()
        })
        .await?;
    let Some(last) = last.into_iter().next() else {
        bail!("no delivery {delivery} (slotbase webhook deliveries lists them)");
    };
    let e = endpoint(ws.as_ref(), &last.new.webhook_id).await?;
    let prepared = delivery::prepare_body(
        &e,
        last.new.payload.clone(),
        &last.new.event_id,
        &last.new.event_type,
        delivery,
        to.as_deref(),
        now_ms() / 1000,
    )
    .map_err(anyhow::Error::msg)?;
    send_now(
        ctx,
        ws.as_ref(),
        &e,
        delivery,
        prepared,
        SendHow {
            trigger: "manual",
            allow_private,
            as_json,
        },
    )
    .await
}

pub async fn test(
    ctx: &Context,
    id: &str,
    event_type: Option<String>,
    allow_private: bool,
    as_json: bool,
) -> anyhow::Result<i32> {
    let ws = webhooks(ctx).await?;
    let e = endpoint(ws.as_ref(), id).await?;
    let ty_name = match event_type {
        Some(t) => t,
        None => e
            .events
            .first()
            .cloned()
            .unwrap_or_else(|| "booking.confirmed".into()),
    };
    let ty = event::lookup(&ty_name)?;
    let mut ev = MockGen::new(None).event(
        ty,
        Format::Domain,
        &EnvelopeDefaults {
            source: ctx.settings.emit.source.clone(),
            environment: ctx.settings.emit.environment.clone(),
        },
    );
    // The endpoint's own facility, so the test looks like what it will receive.
    ev["facilityId"] = json!(e.facility_id);
    if ev["data"].get("facilityId").is_some() {
        ev["data"]["facilityId"] = json!(e.facility_id);
    }
    let event_id = ev["id"].as_str().unwrap_or_default().to_string();
    let delivery = delivery_id(&event_id, &e.id);
    let prepared =
        delivery::prepare(&e, &ev, &delivery, None, now_ms() / 1000).map_err(anyhow::Error::msg)?;
    send_now(
        ctx,
        ws.as_ref(),
        &e,
        &delivery,
        prepared,
        SendHow {
            trigger: "test",
            allow_private,
            as_json,
        },
    )
    .await
}

pub async fn preview(ctx: &Context, id: &str, event_arg: &str) -> anyhow::Result<i32> {
    let ws = webhooks(ctx).await?;
    let e = endpoint(ws.as_ref(), id).await?;
    let (text, origin) = match event_arg.strip_prefix('@') {
        Some("-") => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
            (s, "stdin".to_string())
        }
        Some(path) => (
            std::fs::read_to_string(path).with_context(|| format!("reading the event {path}"))?,
            path.to_string(),
        ),
        None => (event_arg.to_string(), "--event".to_string()),
    };
    let ev = event::parse_json(&text, &origin)?;
    let body = delivery::render_body(&e, &ev).map_err(anyhow::Error::msg)?;
    let pretty = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or(body);
    output::line(pretty)?;
    Ok(exit::SUCCESS)
}

/// Deliveries still on the webhooks queue (waiting, scheduled for a retry, or being sent).
async fn pending_deliveries(ctx: &Context, args: &DeliveriesArgs) -> anyhow::Result<i32> {
    use crate::queue::JobState;
    let queues = ctx.queues().await?;
    let queue = &ctx.settings.webhooks.queue;
    let mut rows = Vec::new();
    for state in [
        JobState::Active,
        JobState::Wait,
        JobState::Paused,
        JobState::Delayed,
    ] {
        let mut offset = 0;
        loop {
            let page = queues.list(queue, state, offset, 1000).await?;
            for job in &page {
                let Ok(dj) = serde_json::from_str::<delivery::DeliveryJob>(&job.data) else {
                    continue;
                };
                let event_id = dj
                    .event
                    .get("id")
                    .or_else(|| dj.event.get("eventId"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let event_type = dj
                    .event
                    .get("type")
                    .or_else(|| dj.event.get("eventType"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let keep = args.endpoint.as_ref().is_none_or(|e| *e == dj.webhook_id)
                    && args.event.as_ref().is_none_or(|e| *e == event_id)
                    && args.delivery.as_ref().is_none_or(|d| *d == dj.delivery_id);
                if keep {
                    rows.retain(|r: &Value| r["jobId"] != job.id.as_str());
                    rows.push(json!({
                        "deliveryId": dj.delivery_id,
                        "webhookId": dj.webhook_id,
                        "eventId": event_id,
                        "eventType": event_type,
                        "state": state,
                        "jobId": job.id,
                        "failedAttempts": job.attempts_made,
                        "dueAt": job.due_at.map(iso_ms),
                        "trigger": dj.trigger,
                    }));
                }
            }
            if page.len() < 1000 {
                break;
            }
            offset += 1000;
        }
    }
    rows.truncate(args.limit.max(1) as usize);
    if args.json {
        output::json(&rows)?;
        return Ok(exit::SUCCESS);
    }
    if rows.is_empty() {
        output::line(format!("no deliveries are pending on queue {queue}"))?;
        return Ok(exit::SUCCESS);
    }
    let mut t = output::new_table(&["DELIVERY", "ENDPOINT", "EVENT", "STATE", "DUE", "TRIGGER"]);
    let text = |v: &Value| v.as_str().unwrap_or("-").to_string();
    for r in &rows {
        t.add_row(vec![
            text(&r["deliveryId"]),
            text(&r["webhookId"]),
            format!("{} {}", text(&r["eventType"]), text(&r["eventId"])),
            text(&r["state"]),
            text(&r["dueAt"]),
            text(&r["trigger"]),
        ]);
    }
    output::table(&t)?;
    Ok(exit::SUCCESS)
}

//! `slotbase events trace <id>` and `slotbase events tail`: what the daemon did with an
//! event, and a live stream of what it processes.

use std::time::Duration;

use anyhow::bail;
use serde_json::json;

use super::Context;
use crate::exit;
use crate::output;
use crate::store::{DeadLetterFilter, NotificationFilter};
use crate::util::iso_ms;

/// Print an event's trace: handlers run, notifications created, dead letters.
pub async fn trace(ctx: &Context, event_id: &str, as_json: bool) -> anyhow::Result<i32> {
    let store = ctx.store().await?;
    let Some(log) = store.event_log(event_id).await? else {
        bail!(
            "the daemon has no record of event {event_id} (it was not processed yet, or the id is wrong)"
        );
    };
    let notifications = store
        .notifications(&NotificationFilter {
            event_id: Some(event_id.to_string()),
            ..Default::default()
        })
        .await?;
    let dead = store
        .dead_letters(&DeadLetterFilter::default())
        .await?
        .into_iter()
        .filter(|d| d.event_id == event_id)
        .collect::<Vec<_>>();
    let applied = store.applied(event_id).await?;
    let deliveries = match store.webhooks() {
        Some(ws) => {
            let mut d = ws
                .attempts(&crate::webhook::store::AttemptFilter {
                    event_id: Some(event_id.to_string()),
                    ..Default::default()
                })
                .await?;
            d.sort_by_key(|a| (a.new.at, a.attempt));
            d
        }
        None => Vec::new(),
    };
    if as_json {
        output::json(&json!({
            "event": log,
            "applied": applied,
            "notifications": notifications,
            "webhookDeliveries": deliveries.iter().map(|a| a.to_json()).collect::<Vec<_>>(),
            "deadLetters": dead,
        }))?;
        return Ok(exit::SUCCESS);
    }
    let m = &log.meta;
    let mut lines = vec![
        format!("event {} {}", m.event_type, m.event_id),
        format!(
            "  from queue {}, first seen {}{}",
            m.queue,
            iso_ms(log.received_at),
            m.timestamp
                .as_ref()
                .map(|t| format!(", timestamp {t}"))
                .unwrap_or_default()
        ),
    ];
    if let Some(f) = &m.facility_id {
        lines.push(format!("  facility {f}"));
    }
    if let Some(b) = &m.booking_id {
        lines.push(format!("  booking {b}"));
    }
    lines.push("handlers:".into());
    for r in &log.handlers {
        lines.push(format!(
            "  {} {:<24} {:<9} attempt {} {}ms{}",
            iso_ms(r.at),
            r.handler,
            r.status,
            r.attempt,
            r.duration_ms,
            r.error
                .as_ref()
                .map(|e| format!("  error: {e}"))
                .unwrap_or_default()
        ));
    }
    lines.push(format!(
        "effects applied: {}",
        if applied.is_empty() {
            "none".into()
        } else {
            applied.join(", ")
        }
    ));
    lines.push(format!("notifications: {}", notifications.len()));
    for n in &notifications {
        lines.push(format!(
            "  {} {} {} to {}: {} [{}]",
            n.id,
            n.draft.channel.as_str(),
            n.draft.template,
            n.draft.user_id,
            n.draft.subject,
            n.status
        ));
    }
    if !deliveries.is_empty() {
        lines.push(format!("webhook attempts: {}", deliveries.len()));
        for a in &deliveries {
            let n = &a.new;
            lines.push(format!(
                "  {} {} #{} to {} ({}) {}{}{}",
                iso_ms(n.at),
                n.delivery_id,
                a.attempt,
                n.webhook_id,
                n.url,
                n.status,
                n.response_status
                    .map(|s| format!(" HTTP {s}"))
                    .unwrap_or_default(),
                n.error_message
                    .as_ref()
                    .map(|e| format!("  error: {e}"))
                    .unwrap_or_default()
            ));
        }
    }
    if !dead.is_empty() {
        lines.push("dead letters:".into());
        for d in &dead {
            lines.push(format!(
                "  {} {} ({} errors){}",
                d.id,
                d.status,
                d.errors.len(),
                d.resolution
                    .as_ref()
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default()
            ));
        }
    }
    output::lines(lines)?;
    Ok(exit::SUCCESS)
}

/// Stream handler runs as the daemon records them, until interrupted (or, without
/// `follow`, print the last `last` and stop).
pub async fn tail(ctx: &Context, last: u64, follow: bool, as_json: bool) -> anyhow::Result<i32> {
    let store = ctx.store().await?;
    // Walk to the end, keeping the last `last` lines. They are counted in lines, not in
    // positions: the runs of a clean first pass share their row's position.
    let mut after = 0i64;
    let mut recent = std::collections::VecDeque::new();
    loop {
        let page = store.log_tail(after, 10_000).await?;
        let Some(end) = page.last() else {
            break;
        };
        after = end.seq;
        for line in page {
            recent.push_back(line);
            if recent.len() > last as usize {
                recent.pop_front();
            }
        }
    }
    let mut lines: Vec<crate::store::LogLine> = recent.into();
    loop {
        let text: Vec<String> = lines
            .iter()
            .map(|l| {
                if as_json {
                    serde_json::to_string(l).unwrap_or_default()
                } else {
                    format!(
                        "{} {} {} {} {} {}ms{}",
                        iso_ms(l.run.at),
                        l.event_type,
                        l.event_id,
                        l.run.handler,
                        l.run.status,
                        l.run.duration_ms,
                        l.run
                            .error
                            .as_ref()
                            .map(|e| format!(" error: {e}"))
                            .unwrap_or_default()
                    )
                }
            })
            .collect();
        output::lines(text)?;
        if !follow {
            return Ok(exit::SUCCESS);
        }
        if lines.len() < 1000 {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                _ = tokio::signal::ctrl_c() => return Ok(exit::SUCCESS),
            }
        }
        lines = store.log_tail(after, 1000).await?;
        if let Some(l) = lines.last() {
            after = l.seq;
        }
    }
}

//! `slotbase events list|show`: the catalog of event types, their fields per form, and a
//! generated example.

use serde_json::{Value, json};

use super::Context;
use crate::event::{self, EnvelopeDefaults, EventType, Field, FieldType, Format, MockGen};
use crate::exit;
use crate::output;

#[derive(Debug, clap::Subcommand)]
pub enum EventsCommand {
    /// Every event type of both seeds, with the seed that defines it
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// One type's fields with their types, and a generated example
    #[command(after_help = "Examples:\n  \
        slotbase events show booking.confirmed\n  \
        slotbase events show booking.confirmed --format legacy --seed 7\n  \
        slotbase events show coach.session.completed --json")]
    Show {
        /// Event type, e.g. booking.confirmed
        event_type: String,
        /// Which form's fields to show: domain (seed 2) or legacy (seed 1)
        #[arg(long, value_enum)]
        format: Option<crate::event::Format>,
        /// Seed for the example
        #[arg(long)]
        seed: Option<u64>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// What the daemon did with one event: handlers, notifications, dead letters
    Trace {
        /// The event id (DomainEvent `id` or legacy `eventId`)
        event_id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Stream the handler runs the daemon records, as it records them
    Tail {
        /// Start with this many past lines
        #[arg(long, short = 'n', default_value_t = 20)]
        last: u64,
        /// Print the past lines and stop
        #[arg(long)]
        no_follow: bool,
        /// One JSON object per line
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(ctx: &Context, cmd: EventsCommand) -> anyhow::Result<i32> {
    match cmd {
        EventsCommand::List { json } => list(json)?,
        EventsCommand::Trace { event_id, json } => {
            return super::trace::trace(ctx, &event_id, json).await;
        }
        EventsCommand::Tail {
            last,
            no_follow,
            json,
        } => return super::trace::tail(ctx, last, !no_follow, json).await,
        EventsCommand::Show {
            event_type,
            format,
            seed,
            json,
        } => {
            let ty = event::lookup(&event_type)?;
            let defaults = EnvelopeDefaults {
                source: ctx.settings.emit.source.clone(),
                environment: ctx.settings.emit.environment.clone(),
            };
            show(ty, format, seed, &defaults, json)?;
        }
    }
    Ok(exit::SUCCESS)
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Domain => "domain",
        Format::Legacy => "legacy",
    }
}

fn forms_text(ty: &EventType) -> String {
    ty.forms()
        .iter()
        .map(|f| format_name(*f))
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(as_json: bool) -> anyhow::Result<()> {
    let types = event::catalog();
    if as_json {
        let rows: Vec<Value> = types
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "seeds": t.seeds().iter().map(|s| s.number()).collect::<Vec<_>>(),
                    "forms": t.forms(),
                    "description": t.description,
                    "contextFields": t.context_names(),
                    "facilityWebhook": t.is_facility_webhook_event(),
                })
            })
            .collect();
        output::json(&rows)?;
        return Ok(());
    }
    let mut table = output::new_table(&["NAME", "SEED", "FORMS", "DESCRIPTION"]);
    for t in types {
        table.add_row(vec![
            t.name.to_string(),
            t.seed_label(),
            forms_text(t),
            t.description.to_string(),
        ]);
    }
    output::table(&table)?;
    output::line(format!(
        "{} types. Fields and an example: slotbase events show <type>",
        types.len()
    ))?;
    Ok(())
}

/// One row of a field listing: nested fields as `participants[].userId`.
struct Row {
    depth: usize,
    path: String,
    field: Field,
}

fn flatten(fields: &[Field], prefix: &str, depth: usize, rows: &mut Vec<Row>) {
    for f in fields {
        let path = format!("{prefix}{}", f.name);
        rows.push(Row {
            depth,
            path: path.clone(),
            field: *f,
        });
        match f.ty {
            FieldType::Object(inner) => flatten(inner, &format!("{path}."), depth + 1, rows),
            FieldType::Array(FieldType::Object(inner)) => {
                flatten(inner, &format!("{path}[]."), depth + 1, rows)
            }
            _ => {}
        }
    }
}

fn enum_values(ty: &FieldType) -> Option<&'static [&'static str]> {
    match ty {
        FieldType::Enum(values) => Some(values),
        FieldType::Array(inner) => enum_values(inner),
        _ => None,
    }
}

/// Which seed's data a form carries, in words.
fn shape_note(ty: &EventType, format: Format) -> String {
    let seed = ty.shape_seed(format).number();
    if ty.forms().contains(&format) {
        format!("seed {seed}")
    } else {
        format!("seed {seed}'s data in the {} envelope", format_name(format))
    }
}

fn show(
    ty: &EventType,
    format: Option<Format>,
    seed: Option<u64>,
    defaults: &EnvelopeDefaults,
    as_json: bool,
) -> anyhow::Result<()> {
    let forms: Vec<Format> = match format {
        Some(f) => vec![f],
        None => ty.forms().to_vec(),
    };
    let example_format = forms[0];
    let example = MockGen::new(seed).event(ty, example_format, defaults);

    if as_json {
        let mut fields = serde_json::Map::new();
        for f in &forms {
            let mut rows = Vec::new();
            flatten(ty.fields(*f), "", 0, &mut rows);
            let rows: Vec<Value> = rows
                .iter()
                .map(|r| {
                    let mut v = json!({
                        "path": r.path,
                        "type": r.field.ty.label(),
                        "required": r.field.required,
                    });
                    if let Some(values) = enum_values(&r.field.ty) {
                        v["values"] = json!(values);
                    }
                    v
                })
                .collect();
            fields.insert(format_name(*f).into(), Value::Array(rows));
        }
        output::json(&json!({
            "name": ty.name,
            "description": ty.description,
            "seeds": ty.seeds().iter().map(|s| s.number()).collect::<Vec<_>>(),
            "forms": ty.forms(),
            "contextFields": ty.context_names(),
            "facilityWebhook": ty.is_facility_webhook_event(),
            "fields": fields,
            "exampleFormat": example_format,
            "example": example,
        }))?;
        return Ok(());
    }

    let context = if ty.context.is_empty() {
        "none".to_string()
    } else {
        format!("{} (domain envelope)", ty.context_names().join(", "))
    };
    output::fields(&[
        ("type", ty.name.to_string()),
        ("about", ty.description.to_string()),
        ("seeds", ty.seed_label()),
        ("forms", forms_text(ty)),
        ("context", context),
        (
            "webhooks",
            if ty.is_facility_webhook_event() {
                "facilities may subscribe to it".to_string()
            } else {
                "internal only (not in FACILITY_WEBHOOK_EVENTS)".to_string()
            },
        ),
    ])?;
    for f in &forms {
        output::line("")?;
        output::line(format!(
            "{} form, data fields ({}):",
            format_name(*f),
            shape_note(ty, *f)
        ))?;
        let mut rows = Vec::new();
        flatten(ty.fields(*f), "", 0, &mut rows);
        let mut table = output::new_table(&["FIELD", "TYPE", "REQUIRED", "VALUES"]);
        for r in &rows {
            table.add_row(vec![
                format!("{}{}", "  ".repeat(r.depth), r.path),
                r.field.ty.label(),
                if r.field.required { "yes" } else { "no" }.to_string(),
                enum_values(&r.field.ty)
                    .map(|v| v.join(" | "))
                    .unwrap_or_default(),
            ]);
        }
        output::table(&table)?;
    }
    output::line("")?;
    let how = match seed {
        Some(s) => format!("--seed {s}"),
        None => "random; pass --seed N to fix it".to_string(),
    };
    output::line(format!(
        "example, {} form ({how}):",
        format_name(example_format)
    ))?;
    output::json(&example)?;
    Ok(())
}

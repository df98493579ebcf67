//! Payload mapping: an endpoint's JSON object of Liquid templates (seed 2's Zapier
//! example, `{"Date": "{{data.startAt | date: \"%Y-%m-%d\"}}"}`) rendered against the
//! event into the body that is sent.
//!
//! Two departures from liquid-rust's defaults make the seed's example work as a Zapier
//! user expects:
//! - `date` is replaced by a filter that reads RFC 3339 / ISO 8601 times (the stdlib one
//!   returns them unchanged) and formats them in their own offset;
//! - a missing key renders empty, as in Shopify's Liquid, instead of failing the render:
//!   every variable path a template names is filled with null where the event lacks it.

use std::fmt::Write as _;
use std::sync::OnceLock;

use liquid_core::{
    Display_filter, Expression, Filter, FilterParameters, FilterReflection, FromFilterParameters,
    ParseFilter, Runtime, Value as LValue, ValueView,
};
use serde_json::{Map, Value};

/// Why a mapping cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("the payload mapping must be a JSON object of templates, found {0}")]
    NotAnObject(&'static str),
    #[error("mapping key \"{key}\": {message}")]
    Template { key: String, message: String },
}

fn parser() -> &'static liquid::Parser {
    static PARSER: OnceLock<liquid::Parser> = OnceLock::new();
    PARSER.get_or_init(|| {
        liquid::ParserBuilder::with_stdlib()
            .filter(Date)
            .build()
            .expect("the stdlib with one more filter always builds")
    })
}

/// Check every template of a mapping parses (at `webhook add` time).
pub fn check(mapping: &Value) -> Result<(), MappingError> {
    let Value::Object(map) = mapping else {
        return Err(MappingError::NotAnObject(kind(mapping)));
    };
    fn walk(prefix: &str, v: &Value) -> Result<(), MappingError> {
        match v {
            Value::String(s) => parser()
                .parse(s)
                .map(|_| ())
                .map_err(|e| MappingError::Template {
                    key: prefix.to_string(),
                    message: one_line(&e.to_string()),
                }),
            Value::Object(m) => m.iter().try_for_each(|(k, v)| walk(&join(prefix, k), v)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| walk(&format!("{prefix}[{i}]"), v)),
            _ => Ok(()),
        }
    }
    map.iter().try_for_each(|(k, v)| walk(k, v))
}

/// Render `mapping` against `event` (a DomainEvent): string leaves are templates,
/// other values are copied as they are.
pub fn render(mapping: &Value, event: &Value) -> Result<Value, MappingError> {
    let Value::Object(map) = mapping else {
        return Err(MappingError::NotAnObject(kind(mapping)));
    };
    let mut out = Map::new();
    for (k, v) in map {
        out.insert(k.clone(), render_value(k, v, event)?);
    }
    Ok(Value::Object(out))
}

fn render_value(key: &str, v: &Value, event: &Value) -> Result<Value, MappingError> {
    Ok(match v {
        Value::String(s) => Value::String(render_one(key, s, event)?),
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(k.clone(), render_value(&join(key, k), v, event)?);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, v)| render_value(&format!("{key}[{i}]"), v, event))
                .collect::<Result<_, _>>()?,
        ),
        other => other.clone(),
    })
}

fn render_one(key: &str, template: &str, event: &Value) -> Result<String, MappingError> {
    let err = |e: liquid::Error| MappingError::Template {
        key: key.to_string(),
        message: one_line(&e.to_string()),
    };
    let tpl = parser().parse(template).map_err(err)?;
    let mut globals = match event {
        Value::Object(m) => Value::Object(m.clone()),
        _ => Value::Object(Map::new()),
    };
    for path in variable_paths(template) {
        fill_missing(&mut globals, &path);
    }
    let object = liquid::model::to_object(&globals).map_err(err)?;
    tpl.render(&object).map_err(err)
}

/// The variable paths (`data.startAt` → ["data", "startAt"]) of every `{{ … }}` output.
fn variable_paths(template: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let expr = after[..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let head = expr.split('|').next().unwrap_or("").trim();
        if let Some(path) = parse_path(head) {
            out.push(path);
        }
        rest = &after[end + 2..];
    }
    out
}

/// `a.b[0].c` or `a["b"]` as segments; `None` for literals and anything else.
fn parse_path(text: &str) -> Option<Vec<String>> {
    let first = text.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return None;
    }
    let mut segs = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => segs.push(std::mem::take(&mut cur)),
            '[' => {
                if !cur.is_empty() {
                    segs.push(std::mem::take(&mut cur));
                }
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    inner.push(c);
                }
                segs.push(
                    inner
                        .trim()
                        .trim_matches(|c| c == '"' || c == '\'')
                        .to_string(),
                );
                if chars.peek() == Some(&'.') {
                    chars.next();
                }
            }
            c if c.is_alphanumeric() || c == '_' || c == '-' || c == '?' => cur.push(c),
            _ => return None,
        }
    }
    if !cur.is_empty() {
        segs.push(cur);
    }
    if matches!(
        segs[0].as_str(),
        "true" | "false" | "nil" | "null" | "empty" | "blank"
    ) {
        return None;
    }
    Some(segs)
}

/// Make `path` resolvable in `root`: absent object keys become null (the leaf) or empty
/// objects (along the way). Existing values are never changed.
fn fill_missing(root: &mut Value, path: &[String]) {
    let mut cur = root;
    for (i, seg) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        match cur {
            Value::Object(m) => {
                if !m.contains_key(seg) {
                    m.insert(
                        seg.clone(),
                        if last {
                            Value::Null
                        } else {
                            Value::Object(Map::new())
                        },
                    );
                }
                cur = m.get_mut(seg).expect("just inserted");
            }
            Value::Array(a) => match seg.parse::<usize>() {
                Ok(n) if n < a.len() => cur = &mut a[n],
                _ => return,
            },
            _ => return,
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Format a time given as RFC 3339 / ISO 8601 (with `T` or a space, offset or `Z`), a
/// bare date, or Unix seconds, with a strftime pattern. `None` when the input is not a
/// time or the pattern is invalid.
pub fn format_date(input: &str, pattern: &str) -> Option<String> {
    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
    let input = input.trim();
    let parsed: Option<DateTime<FixedOffset>> = DateTime::parse_from_rfc3339(input)
        .ok()
        .or_else(|| DateTime::parse_from_str(input, "%Y-%m-%d %H:%M:%S%.f %z").ok())
        .or_else(|| {
            NaiveDateTime::parse_from_str(input, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc().fixed_offset())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(input, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|n| n.and_utc().fixed_offset())
        })
        .or_else(|| {
            input
                .parse::<i64>()
                .ok()
                .and_then(|s| DateTime::from_timestamp(s, 0))
                .map(|d| d.fixed_offset())
        });
    let date = parsed?;
    // chrono panics in `to_string` on a bad pattern; `write!` reports it instead.
    let mut out = String::new();
    write!(out, "{}", date.format(pattern)).ok()?;
    Some(out)
}

#[derive(Debug, FilterParameters)]
struct DateArgs {
    #[parameter(
        description = "The strftime format, e.g. \"%Y-%m-%d\".",
        arg_type = "str"
    )]
    format: Expression,
}

/// `date` for RFC 3339 inputs (see the module doc).
#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(
    name = "date",
    description = "Formats a time (RFC 3339, ISO 8601, a date or Unix seconds) with strftime.",
    parameters(DateArgs),
    parsed(DateFilter)
)]
pub struct Date;

#[derive(Debug, FromFilterParameters, Display_filter)]
#[name = "date"]
struct DateFilter {
    #[parameters]
    args: DateArgs,
}

impl Filter for DateFilter {
    fn evaluate(
        &self,
        input: &dyn ValueView,
        runtime: &dyn Runtime,
    ) -> liquid_core::Result<LValue> {
        let args = self.args.evaluate(runtime)?;
        if input.is_nil() {
            return Ok(LValue::Nil);
        }
        let text = input.to_kstr();
        match format_date(&text, args.format.as_str()) {
            Some(s) => Ok(LValue::scalar(s)),
            None => Ok(input.to_value()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Seed 2's Zapier example, verbatim.
    fn zapier_mapping() -> Value {
        json!({
            "Booking ID": "{{data.bookingId}}",
            "Customer Name": "{{data.bookerName}}",
            "Customer Email": "{{data.bookerEmail}}",
            "Court": "{{data.resourceName}}",
            "Date": "{{data.startAt | date: \"%Y-%m-%d\"}}",
            "Time": "{{data.startAt | date: \"%H:%M\"}}",
            "Amount": "{{data.priceAmount}}",
        })
    }

    #[test]
    fn renders_the_seeds_zapier_example_exactly() {
        let event = json!({
            "id": "evt-1", "type": "booking.confirmed", "facilityId": "fac_1",
            "data": {
                "bookingId": "BKG-2025-001", "facilityId": "fac_1", "resourceId": "court-3",
                "resourceName": "Court 3", "bookerId": "usr_9", "bookerName": "Marie Curie",
                "bookerEmail": "marie@example.com", "participants": [],
                "startAt": "2025-11-15T18:30:00.000Z", "endAt": "2025-11-15T19:30:00.000Z",
                "timezone": "Europe/Paris", "bookingType": "open_play",
                "priceAmount": 45, "priceCurrency": "EUR", "paymentMethod": "online",
                "isRecurring": false
            }
        });
        let body = render(&zapier_mapping(), &event).unwrap();
        assert_eq!(
            body.to_string(),
            r#"{"Booking ID":"BKG-2025-001","Customer Name":"Marie Curie","Customer Email":"marie@example.com","Court":"Court 3","Date":"2025-11-15","Time":"18:30","Amount":"45"}"#
        );
    }

    #[test]
    fn missing_keys_render_empty() {
        let event = json!({"data": {"bookingId": "B1"}});
        let mapping = json!({
            "a": "{{data.bookingId}}", "b": "{{data.nope}}", "c": "{{nope.deeper.still}}",
            "d": "{{data.startAt | date: \"%Y\"}}", "e": "x{{ data.nope | upcase }}y",
            "nested": {"f": "{{type}}"}, "n": 3
        });
        let body = render(&mapping, &event).unwrap();
        assert_eq!(
            body,
            json!({"a": "B1", "b": "", "c": "", "d": "", "e": "xy", "nested": {"f": ""}, "n": 3})
        );
    }

    #[test]
    fn date_reads_iso_forms_and_keeps_the_offset() {
        assert_eq!(
            format_date("2026-11-25T10:00:00Z", "%Y-%m-%d %H:%M").unwrap(),
            "2026-11-25 10:00"
        );
        assert_eq!(
            format_date("2026-11-25T10:00:00.000+01:00", "%H:%M").unwrap(),
            "10:00"
        );
        assert_eq!(format_date("2026-11-25", "%d/%m/%Y").unwrap(), "25/11/2026");
        assert_eq!(format_date("0", "%Y").unwrap(), "1970");
        assert!(format_date("not a date", "%Y").is_none());
        assert!(format_date("2026-11-25T10:00:00Z", "%Q%").is_none());
    }

    #[test]
    fn bad_templates_name_the_key() {
        let err = check(&json!({"Date": "{{data.startAt | date: }}"})).unwrap_err();
        assert!(err.to_string().contains("\"Date\""), "{err}");
        assert!(matches!(
            check(&json!([1])),
            Err(MappingError::NotAnObject(_))
        ));
    }
}

//! The two envelopes as schemas: validation of a whole event, typed `--set` overrides,
//! JSON merge patches, and parsing of incoming events of either shape.

use serde_json::{Map, Value};

use super::catalog::{ENVIRONMENTS, Field, FieldType};
use super::{EventError, EventType, Format, parse_json};

static METADATA: &[Field] = &[
    field("environment", FieldType::Enum(ENVIRONMENTS), true),
    field("clientIp", FieldType::String, false),
    field("userAgent", FieldType::String, false),
];

const fn field(name: &'static str, ty: FieldType, required: bool) -> Field {
    Field { name, ty, required }
}

/// The envelope of `format` as fields, with `data` typed by `ty`'s fields in that form.
pub fn envelope_fields(ty: &EventType, format: Format) -> Vec<Field> {
    use FieldType::{DateTime, Object, String};
    let data = field("data", Object(ty.fields(format)), true);
    match format {
        Format::Domain => vec![
            field("id", String, true),
            field("type", String, true),
            field("version", String, true),
            field("timestamp", DateTime, true),
            field("occurredAt", DateTime, true),
            field("source", String, true),
            field("correlationId", String, true),
            field("causationId", String, false),
            field("facilityId", String, false),
            field("userId", String, false),
            field("organizationId", String, false),
            data,
            field("metadata", Object(METADATA), true),
        ],
        Format::Legacy => vec![
            field("eventType", String, true),
            field("eventId", String, true),
            field("timestamp", DateTime, true),
            data,
        ],
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// A value as an error message shows it: strings quoted (and cut short), containers by kind.
fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
        other => other.to_string(),
    }
}

fn quote(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() > MAX {
        let cut: std::string::String = s.chars().take(MAX).collect();
        format!("\"{cut}…\"")
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
    }
}

/// Suggestions for an unknown key among its siblings, as full paths. At the top of an
/// envelope, data fields count too, so `bookerEmail` suggests `data.bookerEmail`.
fn unknown(
    ty: &EventType,
    prefix: &str,
    key: &str,
    siblings: &[Field],
    data: Option<&[Field]>,
) -> EventError {
    // Compare the key with names at its own level, so a long prefix does not loosen the
    // match, then report full paths.
    let mut paths: Vec<(&str, std::string::String)> = siblings
        .iter()
        .map(|f| (f.name, join(prefix, f.name)))
        .collect();
    if let Some(data) = data {
        paths.extend(data.iter().map(|f| (f.name, format!("data.{}", f.name))));
    }
    let suggestions = crate::util::closest(key, paths.iter().map(|(name, _)| *name))
        .into_iter()
        .filter_map(|name| {
            paths
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, p)| p.clone())
        })
        .collect();
    EventError::UnknownField {
        event_type: ty.name.to_string(),
        path: join(prefix, key),
        suggestions,
    }
}

fn wrong(path: &str, ty: &FieldType, found: String) -> EventError {
    EventError::WrongType {
        path: path.to_string(),
        expected: ty.expected(),
        found,
    }
}

fn is_datetime(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

/// Where a value sits in an event, as a chain of segments borrowed from the check's own
/// frames: the text (`data.participants.0`) is built only for an error.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    /// A path already written out (a command line's `--set` key).
    Given(&'a str),
    Field(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn text(&self) -> std::string::String {
        match self {
            Path::Root => std::string::String::new(),
            Path::Given(text) => text.to_string(),
            Path::Field(parent, name) => join(&parent.text(), name),
            Path::Index(parent, i) => format!("{}.{i}", parent.text()),
        }
    }
}

/// Check `v` against `ft`, recursively.
fn check_value(ty: &EventType, v: &Value, ft: &FieldType, path: &Path) -> Result<(), EventError> {
    let ok = match ft {
        FieldType::String => v.is_string(),
        FieldType::Number => v.is_number(),
        FieldType::Integer => v.is_i64() || v.is_u64(),
        FieldType::Boolean => v.is_boolean(),
        FieldType::DateTime => v.as_str().is_some_and(is_datetime),
        FieldType::Enum(values) => v.as_str().is_some_and(|s| values.contains(&s)),
        FieldType::AnyObject => v.is_object(),
        FieldType::Array(inner) => match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_value(ty, item, inner, &Path::Index(path, i))?;
                }
                true
            }
            _ => false,
        },
        FieldType::Object(fields) => match v {
            Value::Object(map) => {
                check_fields(ty, map, fields, path, None)?;
                true
            }
            _ => false,
        },
    };
    if ok {
        Ok(())
    } else {
        Err(wrong(&path.text(), ft, describe(v)))
    }
}

fn check_fields(
    ty: &EventType,
    map: &Map<std::string::String, Value>,
    fields: &[Field],
    prefix: &Path,
    data: Option<&[Field]>,
) -> Result<(), EventError> {
    // Unknown keys first: a misspelt required field is better reported as the typo. The
    // same pass pairs each key with its field, so the checks below need no map lookups.
    let mut found: Vec<Option<&Value>> = vec![None; fields.len()];
    for (key, v) in map {
        match fields.iter().position(|f| f.name == key) {
            Some(i) => found[i] = Some(v),
            None => return Err(unknown(ty, &prefix.text(), key, fields, data)),
        }
    }
    for (f, v) in fields.iter().zip(found) {
        match v {
            Some(v) => check_value(ty, v, &f.ty, &Path::Field(prefix, f.name))?,
            None if f.required => {
                return Err(EventError::Missing {
                    path: Path::Field(prefix, f.name).text(),
                });
            }
            None => {}
        }
    }
    Ok(())
}

/// Check an envelope against its type and form.
pub fn validate(envelope: &Value, ty: &EventType, format: Format) -> Result<(), EventError> {
    let Value::Object(map) = envelope else {
        return Err(EventError::Invalid(format!(
            "an event must be a JSON object, found {}",
            describe(envelope)
        )));
    };
    let fields = envelope_fields(ty, format);
    check_fields(ty, map, &fields, &Path::Root, Some(ty.fields(format)))?;
    let type_key = match format {
        Format::Domain => "type",
        Format::Legacy => "eventType",
    };
    match map.get(type_key).and_then(Value::as_str) {
        Some(name) if name == ty.name => Ok(()),
        other => Err(EventError::WrongType {
            path: type_key.to_string(),
            expected: format!("\"{}\"", ty.name),
            found: other.map(quote).unwrap_or_else(|| "nothing".into()),
        }),
    }
}

/// What a path leads to in the schema.
enum Target {
    Typed(FieldType),
    /// Inside a free-form object: any JSON goes.
    Free,
}

fn resolve(ty: &EventType, format: Format, segs: &[&str]) -> Result<Target, EventError> {
    let top = envelope_fields(ty, format);
    let mut fields: &[Field] = &top;
    let mut current: Option<FieldType> = None;
    let mut prefix = std::string::String::new();
    for (i, seg) in segs.iter().enumerate() {
        let next = match current {
            None | Some(FieldType::Object(_)) => {
                let Some(f) = fields.iter().find(|f| f.name == *seg) else {
                    let data = (i == 0).then(|| ty.fields(format));
                    return Err(unknown(ty, &prefix, seg, fields, data));
                };
                f.ty
            }
            Some(FieldType::Array(inner)) => {
                if seg.parse::<usize>().is_err() {
                    return Err(EventError::Invalid(format!(
                        "\"{prefix}\" is an array: address an entry by its index, e.g. \
                         {prefix}.0{}",
                        segs.get(i + 1).map(|s| format!(".{s}")).unwrap_or_default()
                    )));
                }
                *inner
            }
            Some(FieldType::AnyObject) => return Ok(Target::Free),
            Some(scalar) => {
                return Err(EventError::Invalid(format!(
                    "\"{prefix}\" is a {} and has no field \"{seg}\"",
                    scalar.label()
                )));
            }
        };
        if let FieldType::Object(inner) = next {
            fields = inner;
        }
        current = Some(next);
        prefix = join(&prefix, seg);
    }
    Ok(current.map(Target::Typed).unwrap_or(Target::Free))
}

/// A command-line value as an error message shows it.
fn describe_raw(raw: &str) -> String {
    match serde_json::from_str::<Value>(raw.trim()) {
        Ok(v @ (Value::Number(_) | Value::Bool(_) | Value::Null | Value::String(_))) => {
            describe(&v)
        }
        Ok(v) => describe(&v),
        Err(_) => quote(raw),
    }
}

/// A string given either bare or as a quoted JSON string.
fn unquote(raw: &str) -> std::string::String {
    let t = raw.trim();
    if t.starts_with('"')
        && let Ok(Value::String(s)) = serde_json::from_str::<Value>(t)
    {
        return s;
    }
    raw.to_string()
}

/// Turn a command-line string into a value of `ft`.
fn parse_raw(ty: &EventType, raw: &str, ft: &FieldType, path: &str) -> Result<Value, EventError> {
    let bad = || wrong(path, ft, describe_raw(raw));
    match ft {
        FieldType::String => Ok(Value::String(unquote(raw))),
        FieldType::Number => match serde_json::from_str::<Value>(raw.trim()) {
            Ok(v @ Value::Number(_)) => Ok(v),
            _ => Err(bad()),
        },
        FieldType::Integer => match serde_json::from_str::<Value>(raw.trim()) {
            Ok(v) if v.is_i64() || v.is_u64() => Ok(v),
            _ => Err(bad()),
        },
        FieldType::Boolean => match raw.trim() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(bad()),
        },
        FieldType::DateTime => {
            let s = unquote(raw);
            if is_datetime(&s) {
                Ok(Value::String(s))
            } else {
                Err(bad())
            }
        }
        FieldType::Enum(values) => {
            let s = unquote(raw);
            if values.contains(&s.as_str()) {
                Ok(Value::String(s))
            } else {
                Err(bad())
            }
        }
        FieldType::Array(
            inner @ (FieldType::String | FieldType::Enum(_) | FieldType::DateTime),
        ) if !raw.trim_start().starts_with('[') => {
            // Lists of words may be given comma-separated: sportTypes=tennis,padel.
            let items = raw
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .enumerate()
                .map(|(i, s)| parse_raw(ty, s, inner, &format!("{path}.{i}")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Array(items))
        }
        FieldType::Array(_) | FieldType::Object(_) | FieldType::AnyObject => {
            let v = parse_json(raw, &format!("--set {path}"))?;
            check_value(ty, &v, ft, &Path::Given(path))?;
            Ok(v)
        }
    }
}

/// Put `value` at `segs` under `cur`, creating objects (or appending one array entry) on
/// the way.
fn place(cur: &mut Value, segs: &[&str], value: Value, path: &str) -> Result<(), EventError> {
    let Some((seg, rest)) = segs.split_first() else {
        *cur = value;
        return Ok(());
    };
    if cur.is_null() {
        *cur = if seg.parse::<usize>().is_ok() {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        };
    }
    match cur {
        Value::Object(map) => place(
            map.entry(seg.to_string()).or_insert(Value::Null),
            rest,
            value,
            path,
        ),
        Value::Array(items) => {
            let len = items.len();
            let idx = seg
                .parse::<usize>()
                .ok()
                .filter(|i| *i <= len)
                .ok_or_else(|| {
                    EventError::Invalid(format!(
                        "cannot set \"{path}\": \"{seg}\" is not an index of an array of {len} \
                         entries (use 0 to {len}; {len} appends)"
                    ))
                })?;
            if idx == len {
                items.push(Value::Null);
            }
            place(&mut items[idx], rest, value, path)
        }
        other => Err(EventError::Invalid(format!(
            "cannot set \"{path}\": the value on the way is {}, not an object",
            describe(other)
        ))),
    }
}

/// Copy data fields into the domain envelope's context fields they feed, so `userId` and
/// `facilityId` keep matching the data after an override.
fn sync_context(envelope: &mut Value, ty: &EventType, changed: &[&str], untouched: &[&str]) {
    let Value::Object(map) = envelope else {
        return;
    };
    for c in ty.context {
        let Some(from) = c.from else { continue };
        if !changed.contains(&from) || untouched.contains(&c.name) {
            continue;
        }
        match map.get("data").and_then(|d| d.get(from)).cloned() {
            Some(v) => {
                map.insert(c.name.to_string(), v);
            }
            None => {
                map.remove(c.name);
            }
        }
    }
}

/// See [`super::apply_set`].
pub fn apply_set(
    envelope: &mut Value,
    ty: &EventType,
    format: Format,
    path: &str,
    raw: &str,
) -> Result<(), EventError> {
    let segs: Vec<&str> = path.split('.').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return Err(EventError::Invalid(format!(
            "--set \"{path}\": empty path segment; use e.g. data.userId or metadata.clientIp"
        )));
    }
    let value = match resolve(ty, format, &segs)? {
        Target::Typed(ft) => parse_raw(ty, raw, &ft, path)?,
        Target::Free => serde_json::from_str(raw.trim()).unwrap_or(Value::String(raw.to_string())),
    };
    place(envelope, &segs, value, path)?;
    if format == Format::Domain && segs.len() == 2 && segs[0] == "data" {
        sync_context(envelope, ty, &[segs[1]], &[]);
    }
    Ok(())
}

/// RFC 7386 JSON merge patch: objects merge key by key, `null` removes a key, anything
/// else replaces.
fn merge(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(patch) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(map) = target {
                for (k, v) in patch {
                    if v.is_null() {
                        map.remove(&k);
                    } else {
                        merge(map.entry(k).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other,
    }
}

/// See [`super::merge_patch`].
pub fn merge_patch(envelope: &mut Value, patch: Value) -> Result<(), EventError> {
    let Value::Object(patch) = patch else {
        return Err(EventError::Invalid(format!(
            "a patch must be a JSON object, found {}",
            describe(&patch)
        )));
    };
    let ty = envelope
        .get("type")
        .and_then(Value::as_str)
        .and_then(|n| super::lookup(n).ok());
    let envelope_level = patch.contains_key("data");
    let top_keys: Vec<std::string::String> = patch.keys().cloned().collect();
    let data_keys: Vec<std::string::String> = if envelope_level {
        patch
            .get("data")
            .and_then(Value::as_object)
            .map(|d| d.keys().cloned().collect())
            .unwrap_or_default()
    } else {
        top_keys.clone()
    };
    if envelope_level {
        merge(envelope, Value::Object(patch));
    } else {
        let Value::Object(map) = envelope else {
            return Err(EventError::Invalid("the event is not a JSON object".into()));
        };
        merge(
            map.entry("data").or_insert(Value::Null),
            Value::Object(patch),
        );
    }
    if let Some(ty) = ty {
        let changed: Vec<&str> = data_keys.iter().map(|s| s.as_str()).collect();
        let untouched: Vec<&str> = if envelope_level {
            top_keys.iter().map(|s| s.as_str()).collect()
        } else {
            Vec::new()
        };
        sync_context(envelope, ty, &changed, &untouched);
    }
    Ok(())
}

/// An event as it arrived, in either shape, with what every consumer needs pulled out.
#[derive(Clone, Debug, PartialEq)]
pub struct Incoming {
    /// `id` (domain) or `eventId` (legacy): the deduplication key.
    pub id: String,
    /// `type` (domain) or `eventType` (legacy).
    pub event_type: String,
    /// `timestamp`, when the event has one.
    pub timestamp: Option<chrono::DateTime<chrono::Utc>>,
    /// The business payload.
    pub data: Value,
    /// The shape it came in.
    pub format: Format,
    /// The whole envelope as received.
    pub raw: Value,
}

impl Incoming {
    /// The catalogued type, if the event's type is one.
    pub fn catalogued(&self) -> Option<&'static EventType> {
        super::lookup(&self.event_type).ok()
    }
}

/// See [`super::parse_incoming`].
pub fn parse_incoming(bytes: &[u8]) -> Result<Incoming, EventError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        EventError::Invalid(format!(
            "an event must be UTF-8 JSON; invalid byte at offset {}",
            e.valid_up_to()
        ))
    })?;
    let raw = parse_json(text, "the event")?;
    let Value::Object(map) = &raw else {
        return Err(EventError::Invalid(format!(
            "an event must be a JSON object, found {}",
            describe(&raw)
        )));
    };
    // Seed 1 names its keys eventType/eventId; seed 2's DomainEvent uses type/id.
    let (format, id_key, type_key) = if map.contains_key("eventType") && !map.contains_key("type") {
        (Format::Legacy, "eventId", "eventType")
    } else {
        (Format::Domain, "id", "type")
    };
    let text_of = |key: &str| -> Result<String, EventError> {
        match map.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
            Some(Value::Number(n)) if key == id_key => Ok(n.to_string()),
            None | Some(Value::Null) => Err(EventError::Missing {
                path: key.to_string(),
            }),
            Some(other) => Err(EventError::WrongType {
                path: key.to_string(),
                expected: "a non-empty string".into(),
                found: describe(other),
            }),
        }
    };
    if !map.contains_key(type_key) {
        return Err(EventError::Missing {
            path: "type (or eventType)".into(),
        });
    }
    let event_type = text_of(type_key)?;
    let id = text_of(id_key)?;
    let timestamp = match map.get("timestamp") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| EventError::WrongType {
                    path: "timestamp".into(),
                    expected: FieldType::DateTime.expected(),
                    found: quote(s),
                })?
                .with_timezone(&chrono::Utc),
        ),
        Some(other) => {
            return Err(EventError::WrongType {
                path: "timestamp".into(),
                expected: FieldType::DateTime.expected(),
                found: describe(other),
            });
        }
    };
    let data = match map.get("data") {
        Some(v @ Value::Object(_)) => v.clone(),
        None | Some(Value::Null) => {
            return Err(EventError::Missing {
                path: "data".into(),
            });
        }
        Some(other) => {
            return Err(EventError::WrongType {
                path: "data".into(),
                expected: "a JSON object".into(),
                found: describe(other),
            });
        }
    };
    Ok(Incoming {
        id,
        event_type,
        timestamp,
        data,
        format,
        raw,
    })
}

//! Small helpers shared by commands: durations, times, string distance, hex.

use std::time::Duration;

/// A JSON value as text. `Value`'s `Display` (`to_string()`) writes through
/// `fmt::Write` one fragment at a time, which costs about twice as much as serializing
/// into a byte buffer; this is for the hot paths.
pub fn json_text(value: &serde_json::Value) -> String {
    serde_json::to_string(value).expect("a JSON value always serializes")
}

/// Field lookup on a JSON object that scans its keys instead of hashing the one sought.
/// serde_json's ordered maps hash every lookup with SipHash, which costs more than
/// comparing the dozen or so keys of an event's object; large objects still use the hash.
pub trait Field {
    /// The value of `key` when this is an object that has it (as `Value::get` with a key).
    fn field(&self, key: &str) -> Option<&serde_json::Value>;
}

impl Field for serde_json::Value {
    fn field(&self, key: &str) -> Option<&serde_json::Value> {
        let serde_json::Value::Object(map) = self else {
            return None;
        };
        if map.len() > 16 {
            return map.get(key);
        }
        map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    }
}

/// Lowercase hex of `bytes`, two digits a byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// Parse a duration such as `90s`, `15m`, `2h`, `7d`, `1h30m` or `500ms`; a bare number is
/// seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty duration; use e.g. 30s, 15m, 2h or 7d".into());
    }
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = Duration::ZERO;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!(
                "\"{text}\" is not a duration; use e.g. 30s, 15m, 2h or 7d"
            ));
        }
        let n: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("\"{text}\": number too large"))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let d = match unit {
            "ms" => Duration::from_millis(n),
            "s" | "sec" | "secs" => Duration::from_secs(n),
            "m" | "min" | "mins" => Duration::from_secs(n * 60),
            "h" | "hr" | "hrs" => Duration::from_secs(n * 3600),
            "d" | "day" | "days" => Duration::from_secs(n * 86400),
            "w" | "week" | "weeks" => Duration::from_secs(n * 7 * 86400),
            _ => {
                return Err(format!(
                    "\"{text}\": unknown unit \"{unit}\"; use ms, s, m, h, d or w"
                ));
            }
        };
        total += d;
    }
    Ok(total)
}

/// A short human form of a duration: `950ms`, `42s`, `3m12s`, `5h2m`, `3d4h`.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis() as u64;
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let s = ms / 1000;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86400, (s % 86400) / 3600),
    }
}

/// An ISO-8601 UTC time for ms since the epoch.
pub fn iso_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_else(|| ms.to_string())
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidates closest to `name` (at most three), best first; none if all are far off.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let lower = name.to_ascii_lowercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| {
            let mut d = edit_distance(&lower, &c.to_ascii_lowercase());
            if c.contains(&lower) || lower.contains(c) {
                d = d.min(2);
            }
            (d, c)
        })
        .filter(|(d, c)| *d <= (c.len().max(lower.len()) / 3).max(2))
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_finds_what_get_finds_in_small_and_large_objects() {
        let small = serde_json::json!({"a": 1, "bookingId": "BKG-1", "ab": [2]});
        let large = serde_json::Value::Object(
            (0..40)
                .map(|i| (format!("k{i}"), serde_json::json!(i)))
                .collect(),
        );
        for (v, key) in [
            (&small, "bookingId"),
            (&small, "a"),
            (&small, "ab"),
            (&small, "b"),
            (&small, ""),
            (&large, "k0"),
            (&large, "k39"),
            (&large, "k40"),
        ] {
            assert_eq!(v.field(key), v.get(key), "key {key:?}");
        }
        assert_eq!(small.field("bookingId"), Some(&serde_json::json!("BKG-1")));
        assert_eq!(serde_json::json!(["a"]).field("a"), None);
        assert_eq!(serde_json::json!("a").field("a"), None);
        assert_eq!(serde_json::Value::Null.field("a"), None);
    }

    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff, 0x5c]), "000fa0ff5c");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("2 parsecs").is_err());
        assert_eq!(human_duration(Duration::from_secs(3725)), "1h02m");
    }

    #[test]
    fn suggestions() {
        let names = ["booking.confirmed", "booking.cancelled", "payment.failed"];
        assert_eq!(closest("booking.confimred", names)[0], "booking.confirmed");
        assert!(closest("zzzz", names).is_empty());
    }
}

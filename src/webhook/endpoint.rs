//! Webhook endpoints: seed 2's `WebhookConfig` plus what delivery needs beyond it (the
//! signing scheme, the secrets and their rotation, the payload mapping, why an endpoint
//! was disabled), which events an endpoint receives, delivery ids, and how endpoints are
//! shown with every secret masked.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::signing::{Secret, SecretSet};
use crate::util::iso_ms;

/// HTTP method of deliveries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "UPPERCASE")]
#[value(rename_all = "UPPERCASE")]
pub enum Method {
    Post,
    Put,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        match s.to_ascii_uppercase().as_str() {
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            _ => None,
        }
    }
}

/// The seed's `authType`: what the receiver checks besides the signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum AuthType {
    /// No credentials (the signature still goes with every delivery)
    None,
    /// A custom header (--header-name, --header-value)
    Header,
    /// HTTP Basic (--username, --password)
    Basic,
    /// Authorization: Bearer (--bearer-token)
    Bearer,
    /// Only the signature (the seed's authConfig.signingSecret)
    Signature,
}

impl AuthType {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthType::None => "none",
            AuthType::Header => "header",
            AuthType::Basic => "basic",
            AuthType::Bearer => "bearer",
            AuthType::Signature => "signature",
        }
    }

    pub fn parse(s: &str) -> Option<AuthType> {
        Some(match s {
            "none" => AuthType::None,
            "header" => AuthType::Header,
            "basic" => AuthType::Basic,
            "bearer" => AuthType::Bearer,
            "signature" => AuthType::Signature,
            _ => return None,
        })
    }
}

/// The seed's `authConfig` (the signing secret lives in [`StoredSecrets`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token: Option<String>,
}

/// The seed's `filters`: an event must match every list that is not empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filters {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub booking_types: Vec<String>,
}

/// The seed's `retryConfig`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryConfig {
    /// Attempts after the first one.
    pub max_retries: u32,
    pub retry_delay_ms: u64,
    pub backoff_multiplier: f64,
}

/// Which signature headers deliveries carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SigningScheme {
    /// The seed's X-SlotBase-Timestamp and X-SlotBase-Signature (hex HMAC)
    Slotbase,
    /// Standard Webhooks' webhook-id, webhook-timestamp, webhook-signature
    Standard,
    /// Both sets of headers
    Both,
}

impl SigningScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            SigningScheme::Slotbase => "slotbase",
            SigningScheme::Standard => "standard",
            SigningScheme::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Option<SigningScheme> {
        Some(match s {
            "slotbase" => SigningScheme::Slotbase,
            "standard" => SigningScheme::Standard,
            "both" => SigningScheme::Both,
            _ => return None,
        })
    }

    pub fn slotbase(self) -> bool {
        matches!(self, SigningScheme::Slotbase | SigningScheme::Both)
    }

    pub fn standard(self) -> bool {
        matches!(self, SigningScheme::Standard | SigningScheme::Both)
    }
}

impl fmt::Display for SigningScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A replaced secret that keeps signing until `until` (Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousSecret {
    pub secret: String,
    pub until: i64,
}

/// The signing secrets as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSecrets {
    pub current: String,
    #[serde(default)]
    pub previous: Vec<PreviousSecret>,
}

impl StoredSecrets {
    pub fn new(current: &Secret) -> Self {
        StoredSecrets {
            current: current.as_str().to_string(),
            previous: Vec::new(),
        }
    }

    pub fn to_set(&self) -> SecretSet {
        SecretSet::from_parts(
            Secret::new(self.current.clone()),
            self.previous
                .iter()
                .map(|p| (Secret::new(p.secret.clone()), p.until))
                .collect(),
        )
    }

    pub fn from_set(set: &SecretSet) -> Self {
        StoredSecrets {
            current: set.current().as_str().to_string(),
            previous: set
                .previous()
                .iter()
                .map(|(s, until)| PreviousSecret {
                    secret: s.as_str().to_string(),
                    until: *until,
                })
                .collect(),
        }
    }
}

/// A webhook endpoint. Times are ms since the epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    pub id: String,
    pub facility_id: String,
    pub name: String,
    pub description: Option<String>,
    pub url: String,
    pub method: Method,
    pub auth_type: AuthType,
    pub auth_config: AuthConfig,
    pub events: Vec<String>,
    pub filters: Filters,
    pub retry_config: RetryConfig,
    pub signing_scheme: SigningScheme,
    pub secrets: StoredSecrets,
    pub payload_mapping: Option<Value>,
    pub is_active: bool,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<i64>,
    pub failing_since: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Endpoint {
    /// A new active endpoint of `facility_id`, signed with `secret` by both schemes,
    /// `POST`, subscribed to nothing yet, named after the URL's host.
    pub fn new(
        facility_id: &str,
        url: &str,
        secret: &Secret,
        retry_config: RetryConfig,
        now: i64,
    ) -> Endpoint {
        let host = url
            .parse::<hyper::Uri>()
            .ok()
            .and_then(|u| u.host().map(str::to_string))
            .unwrap_or_default();
        Endpoint {
            id: new_endpoint_id(),
            facility_id: facility_id.to_string(),
            name: host,
            description: None,
            url: url.to_string(),
            method: Method::Post,
            auth_type: AuthType::Signature,
            auth_config: AuthConfig::default(),
            events: Vec::new(),
            filters: Filters::default(),
            retry_config,
            signing_scheme: SigningScheme::Both,
            secrets: StoredSecrets::new(secret),
            payload_mapping: None,
            is_active: true,
            disabled_reason: None,
            disabled_at: None,
            failing_since: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A new endpoint id: `wh_` + a time-ordered uuid.
pub fn new_endpoint_id() -> String {
    format!("wh_{}", uuid::Uuid::now_v7().simple())
}

/// The id of the delivery of one event to one endpoint: the same whenever the event is
/// fanned out again, so it dedupes the queue job and receivers can dedupe on it.
pub fn delivery_id(event_id: &str, endpoint_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(event_id.as_bytes());
    h.update([0u8]);
    h.update(endpoint_id.as_bytes());
    let digest = h.finalize();
    format!("dlv_{}", crate::util::hex(&digest[..16]))
}

/// Check a delivery URL: http or https, with a host. The reason names the fix.
pub fn validate_url(url: &str) -> Result<(), String> {
    if !url.contains("://") {
        return Err(format!(
            "\"{url}\" has no scheme; write it in full, e.g. https://{url}"
        ));
    }
    let uri: hyper::Uri = url.parse().map_err(|e| {
        format!("\"{url}\" is not a URL ({e}); give one like https://example.com/hooks")
    })?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        Some(other) => {
            return Err(format!(
                "\"{url}\" uses the scheme {other}:// ; webhooks are sent over http:// or https://"
            ));
        }
        None => {
            return Err(format!(
                "\"{url}\" has no scheme; write it in full, e.g. https://{url}"
            ));
        }
    }
    match uri.host() {
        Some(h) if !h.is_empty() => {}
        _ => {
            return Err(format!(
                "\"{url}\" has no host; give one like https://example.com/hooks"
            ));
        }
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(format!(
            "\"{url}\" carries credentials in the URL; use --auth basic with --username and --password"
        ));
    }
    Ok(())
}

impl Endpoint {
    /// Whether this endpoint receives an event of `event_type` from `facility` with `data`.
    pub fn receives(&self, event_type: &str, facility: Option<&str>, data: &Value) -> bool {
        if !self.is_active || !self.events.iter().any(|e| e == event_type) {
            return false;
        }
        if facility != Some(self.facility_id.as_str()) {
            return false;
        }
        let field = |k: &str| data.get(k).and_then(Value::as_str);
        if !self.filters.resource_ids.is_empty()
            && !field("resourceId")
                .is_some_and(|r| self.filters.resource_ids.iter().any(|x| x == r))
        {
            return false;
        }
        if !self.filters.booking_types.is_empty()
            && !field("bookingType")
                .is_some_and(|t| self.filters.booking_types.iter().any(|x| x == t))
        {
            return false;
        }
        true
    }

    /// The endpoint as `show --json` and `list --json` print it: the seed's field names,
    /// ISO times, every secret and credential masked.
    pub fn masked(&self) -> Value {
        let mut auth = serde_json::Map::new();
        let a = &self.auth_config;
        if let Some(n) = &a.header_name {
            auth.insert("headerName".into(), json!(n));
        }
        for (k, v) in [
            ("headerValue", &a.header_value),
            ("password", &a.password),
            ("bearerToken", &a.bearer_token),
        ] {
            if v.is_some() {
                auth.insert(k.into(), json!(mask(v.as_deref().unwrap_or(""))));
            }
        }
        if let Some(u) = &a.username {
            auth.insert("username".into(), json!(u));
        }
        auth.insert("signingSecret".into(), json!(mask(&self.secrets.current)));
        let now = chrono::Utc::now().timestamp();
        let rotating: Vec<Value> = self
            .secrets
            .previous
            .iter()
            .filter(|p| p.until > now)
            .map(|p| json!({"secret": mask(&p.secret), "signsUntil": iso_ms(p.until * 1000)}))
            .collect();
        json!({
            "id": self.id,
            "facilityId": self.facility_id,
            "name": self.name,
            "description": self.description,
            "url": self.url,
            "method": self.method.as_str(),
            "authType": self.auth_type.as_str(),
            "authConfig": auth,
            "events": self.events,
            "filters": self.filters,
            "retryConfig": self.retry_config,
            "signingScheme": self.signing_scheme.as_str(),
            "previousSecrets": rotating,
            "payloadMapping": self.payload_mapping,
            "isActive": self.is_active,
            "disabledReason": self.disabled_reason,
            "disabledAt": self.disabled_at.map(iso_ms),
            "failingSince": self.failing_since.map(iso_ms),
            "createdAt": iso_ms(self.created_at),
            "updatedAt": iso_ms(self.updated_at),
        })
    }
}

/// A secret shown as its first characters and a mask, so two secrets can be told apart
/// without revealing either.
pub fn mask(secret: &str) -> String {
    let keep = if secret.starts_with(super::signing::SECRET_PREFIX) {
        10
    } else {
        2
    };
    if secret.chars().count() <= keep + 4 {
        return "****".into();
    }
    let head: String = secret.chars().take(keep).collect();
    format!("{head}****")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> Endpoint {
        let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let retry = RetryConfig {
            max_retries: 5,
            retry_delay_ms: 1000,
            backoff_multiplier: 2.0,
        };
        Endpoint {
            id: "wh_1".into(),
            name: "n".into(),
            auth_type: AuthType::None,
            events: vec!["booking.confirmed".into()],
            ..Endpoint::new("fac_1", "https://example.com/h", &secret, retry, 0)
        }
    }

    #[test]
    fn receives_by_type_facility_and_filters() {
        let mut e = endpoint();
        let data = json!({"resourceId": "court-1", "bookingType": "lesson"});
        assert!(e.receives("booking.confirmed", Some("fac_1"), &data));
        assert!(!e.receives("booking.cancelled", Some("fac_1"), &data));
        assert!(!e.receives("booking.confirmed", Some("fac_2"), &data));
        assert!(!e.receives("booking.confirmed", None, &data));
        e.filters.resource_ids = vec!["court-2".into()];
        assert!(!e.receives("booking.confirmed", Some("fac_1"), &data));
        e.filters.resource_ids.push("court-1".into());
        assert!(e.receives("booking.confirmed", Some("fac_1"), &data));
        e.filters.booking_types = vec!["open_play".into()];
        assert!(!e.receives("booking.confirmed", Some("fac_1"), &data));
        assert!(!e.receives(
            "booking.confirmed",
            Some("fac_1"),
            &json!({"resourceId": "court-1"})
        ));
        e.filters.booking_types = vec![];
        e.is_active = false;
        assert!(!e.receives("booking.confirmed", Some("fac_1"), &data));
    }

    #[test]
    fn delivery_ids_are_stable_and_distinct() {
        let a = delivery_id("evt-1", "wh_1");
        assert_eq!(a, delivery_id("evt-1", "wh_1"));
        assert_ne!(a, delivery_id("evt-1", "wh_2"));
        assert_ne!(a, delivery_id("evt-2", "wh_1"));
        assert!(a.starts_with("dlv_") && !a.contains('.') && a.len() == 36);
        // Ids already in queues and records must keep matching.
        assert_eq!(a, "dlv_538261eac12c08aa734ad81a6713d7bb");
    }

    #[test]
    fn url_validation_explains() {
        assert!(validate_url("https://example.com/hooks").is_ok());
        assert!(validate_url("http://127.0.0.1:8080/x").is_ok());
        assert!(
            validate_url("ftp://example.com")
                .unwrap_err()
                .contains("http:// or https://")
        );
        assert!(
            validate_url("example.com/hooks")
                .unwrap_err()
                .contains("no scheme")
        );
        assert!(
            validate_url("https://u:p@example.com/")
                .unwrap_err()
                .contains("--auth basic")
        );
        assert!(validate_url("not a url").is_err());
    }

    #[test]
    fn masked_view_hides_every_secret() {
        let mut e = endpoint();
        e.auth_type = AuthType::Bearer;
        e.auth_config.bearer_token = Some("tok_supersecretvalue".into());
        let text = e.masked().to_string();
        assert!(!text.contains("supersecret"), "{text}");
        assert!(!text.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "{text}");
        assert!(text.contains("whsec_MfKQ****"), "{text}");
    }
}

//! The built-in handlers. Each turns an event into [`Effect`]s; the processor applies
//! them through the store together with the (event id, handler) key, so an effect happens
//! once however often the event is delivered.
//!
//! - `notification`: the seeds' notification tables ([`crate::notify::rules`]), recipients
//!   resolved from the event and the read model, filtered by preferences.
//! - `projection`: the read model (bookings, holds, users, roles, parent links,
//!   subscriptions, facilities, resources).
//! - `analytics`: a counter per facility, event type and day.
//! - `forward:NAME`: handled by the processor (it pushes onto another queue).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::notify::NotificationDraft;
use crate::notify::rules::{self, Shape, Who};
use crate::store::{DocKind, Effect, Store, StoreError};
use crate::util::Field;

/// An event as handlers see it, whatever envelope it came in.
#[derive(Clone, Debug, PartialEq)]
pub struct EventCtx {
    pub id: String,
    pub event_type: String,
    /// The event's timestamp (ISO-8601), when it has one.
    pub timestamp: Option<String>,
    pub facility_id: Option<String>,
    pub user_id: Option<String>,
    /// Which seed's fields the data carries.
    pub shape: Shape,
    /// The whole envelope as received.
    pub envelope: Value,
    /// The event as forwarded in each envelope (domain, legacy), written by the first
    /// forward that needs it: the event's forwards share it instead of each encoding the
    /// same text.
    pub forward_bodies: [std::sync::OnceLock<String>; 2],
}

/// What [`EventCtx::data`] is when the envelope has no `data`.
static NO_DATA: Value = Value::Null;

impl EventCtx {
    /// The event's `data` (null when the envelope has none), read in place: both
    /// envelopes keep it under `data`.
    pub fn data(&self) -> &Value {
        self.envelope.field("data").unwrap_or(&NO_DATA)
    }

    fn str(&self, field: &str) -> Option<&str> {
        self.data().field(field).and_then(Value::as_str)
    }

    /// The booking this event is about, if any.
    pub fn booking_id(&self) -> Option<String> {
        self.str("bookingId").map(str::to_string).or_else(|| {
            (self.str("referenceType") == Some("booking"))
                .then(|| self.str("referenceId").map(str::to_string))
                .flatten()
        })
    }

    /// The facility: the envelope's, else the data's.
    pub fn facility(&self) -> Option<String> {
        self.facility_id
            .clone()
            .or_else(|| self.str("facilityId").map(str::to_string))
    }
}

/// A handler failure: retry later, or give up now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandlerError {
    /// Worth retrying (the store was busy, a peer was down).
    Transient(String),
    /// Retrying cannot help (the event lacks what the handler needs).
    Permanent(String),
}

impl std::fmt::Display for HandlerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HandlerError::Transient(m) | HandlerError::Permanent(m) => f.write_str(m),
        }
    }
}

impl From<StoreError> for HandlerError {
    fn from(e: StoreError) -> Self {
        HandlerError::Transient(e.to_string())
    }
}

/// Settings the notification handler needs.
#[derive(Clone, Debug)]
pub struct NotifyConfig {
    pub ticket_manager_id: String,
}

/// The notifications an event creates.
pub async fn notification(
    ev: &EventCtx,
    store: &dyn Store,
    cfg: &NotifyConfig,
) -> Result<Vec<Effect>, HandlerError> {
    let rules = rules::rules_for(&ev.event_type, ev.shape);
    if rules.is_empty() {
        return Ok(vec![]);
    }
    // (user, channel, template) already planned: a booker who is also a participant gets
    // one email, not two.
    let mut seen = BTreeSet::new();
    let mut planned = Vec::new();
    for rule in rules.iter().filter(|r| rules::applies(r, ev.data())) {
        for (who, channel) in rule.targets {
            for user in recipients(ev, *who, store, cfg).await? {
                if seen.insert((user.clone(), *channel, rule.template)) {
                    planned.push((user, *channel, rule));
                }
            }
        }
    }
    // Preferences are applied by the store when it records the drafts, in the same
    // transaction: no read here, and no window in which a change is missed.
    let mut drafts = Vec::new();
    for (user, channel, rule) in planned {
        let mut metadata = Map::new();
        metadata.insert("eventId".into(), json!(ev.id));
        metadata.insert("eventType".into(), json!(ev.event_type));
        if let Some(b) = ev.booking_id() {
            metadata.insert("bookingId".into(), json!(b));
        }
        drafts.push(NotificationDraft {
            user_id: user,
            channel,
            template: rule.template.to_string(),
            subject: rules::subject(rule, ev.data()),
            content: rules::content(rule, ev.data()),
            priority: rules::priority(rule, ev.data()),
            category: rule.category,
            metadata: Value::Object(metadata),
        });
    }
    if drafts.is_empty() {
        return Ok(vec![]);
    }
    Ok(vec![Effect::Notify(drafts)])
}

async fn recipients(
    ev: &EventCtx,
    who: Who,
    store: &dyn Store,
    cfg: &NotifyConfig,
) -> Result<Vec<String>, HandlerError> {
    Ok(match who {
        Who::Field(f) => ev.str(f).map(|s| vec![s.to_string()]).unwrap_or_default(),
        Who::Participants => ev
            .data()
            .field("participants")
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| {
                        p.field("userId")
                            .and_then(Value::as_str)
                            .or_else(|| p.as_str())
                            .map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        Who::Parents => {
            if let Some(ids) = ev.data().field("parentIds").and_then(Value::as_array) {
                ids.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            } else if let Some(child) = ev.str("studentId") {
                store
                    .docs_where(DocKind::ParentChild, "childId", child)
                    .await?
                    .iter()
                    .filter_map(|d| d.field("parentId").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            } else {
                vec![]
            }
        }
        Who::FacilityAdmins => {
            let Some(facility) = ev.facility() else {
                return Ok(vec![]);
            };
            let mut admins: BTreeSet<String> = store
                .docs_where(DocKind::Role, "scopeId", &facility)
                .await?
                .iter()
                .filter(|d| {
                    d.field("role")
                        .and_then(Value::as_str)
                        .is_some_and(|r| r.contains("admin") || r == "owner" || r == "manager")
                })
                .filter_map(|d| d.field("userId").and_then(Value::as_str))
                .map(str::to_string)
                .collect();
            if let Some(owner) = store
                .doc(DocKind::Facility, &facility)
                .await?
                .and_then(|f| {
                    f.field("ownerId")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
            {
                admins.insert(owner);
            }
            admins.into_iter().collect()
        }
        Who::Manager => {
            if cfg.ticket_manager_id.is_empty() {
                return Err(HandlerError::Permanent(
                    "escalations go to notifications.ticket_manager_id, which is empty; set it, then replay".into(),
                ));
            }
            vec![cfg.ticket_manager_id.clone()]
        }
    })
}

/// Copy these data fields (the ones present) into a map.
fn pick(data: &Value, fields: &[&str]) -> Map<String, Value> {
    let mut m = Map::new();
    for f in fields {
        if let Some(v) = data.field(f) {
            m.insert((*f).to_string(), v.clone());
        }
    }
    m
}

fn upsert(kind: DocKind, id: &str, mut fields: Map<String, Value>, ev: &EventCtx) -> Effect {
    fields.insert("lastEventId".into(), json!(ev.id));
    fields.insert("lastEventType".into(), json!(ev.event_type));
    Effect::Upsert {
        kind,
        id: id.to_string(),
        fields,
    }
}

/// The read-model changes of an event.
pub fn projection(ev: &EventCtx) -> Result<Vec<Effect>, HandlerError> {
    let d = ev.data();
    let s = |f: &str| d.field(f).and_then(Value::as_str);
    let mut out = Vec::new();
    let t = ev.event_type.as_str();
    if let Some(booking) = s("bookingId").filter(|_| t.starts_with("booking.")) {
        let mut f = pick(
            d,
            &[
                "facilityId",
                "resourceId",
                "resourceName",
                "bookerId",
                "bookerName",
                "bookerEmail",
                "participants",
                "startAt",
                "endAt",
                "timezone",
                "bookingType",
                "priceAmount",
                "priceCurrency",
                // seed 1 (parking) fields
                "userId",
                "userEmail",
                "userName",
                "parkingName",
                "parkingAddress",
                "startDate",
                "endDate",
            ],
        );
        // Seed 1 names the times startDate/endDate; keep startAt/endAt for every booking.
        for (from, to) in [
            ("startDate", "startAt"),
            ("endDate", "endAt"),
            ("userId", "bookerId"),
        ] {
            if !f.contains_key(to)
                && let Some(v) = f.get(from).cloned()
            {
                f.insert(to.into(), v);
            }
        }
        let status = match t {
            "booking.hold.created" => Some("held"),
            "booking.created" => Some(s("status").unwrap_or("pending")),
            "booking.confirmed" => Some("confirmed"),
            "booking.cancelled" => Some("cancelled"),
            "booking.checked_in" => Some("checked_in"),
            "booking.no_show" => Some("no_show"),
            "booking.completed" => Some("completed"),
            _ => None,
        };
        if let Some(st) = status {
            f.insert("status".into(), json!(st));
        }
        if t == "booking.checked_in" {
            f.extend(pick(d, &["checkedInAt", "checkedInBy", "method"]));
        }
        if t == "booking.cancelled" {
            f.extend(pick(d, &["cancelledBy", "cancellationReason", "wasNoShow"]));
        }
        f.insert("bookingId".into(), json!(booking));
        out.push(upsert(DocKind::Booking, booking, f, ev));
        if t == "booking.hold.created"
            && let Some(hold) = s("holdId")
        {
            let mut h = pick(
                d,
                &[
                    "bookingId",
                    "facilityId",
                    "resourceId",
                    "userId",
                    "startAt",
                    "endAt",
                    "expiresAt",
                ],
            );
            h.insert("holdId".into(), json!(hold));
            h.insert("status".into(), json!("active"));
            out.push(upsert(DocKind::Hold, hold, h, ev));
        }
    }
    match t {
        "user.created" => {
            if let Some(u) = s("userId") {
                out.push(upsert(
                    DocKind::User,
                    u,
                    pick(
                        d,
                        &[
                            "userId",
                            "email",
                            "firstName",
                            "lastName",
                            "registrationSource",
                            "facilityId",
                        ],
                    ),
                    ev,
                ));
            }
        }
        "user.role_assigned" => {
            if let (Some(u), Some(role), Some(st), Some(sid)) =
                (s("userId"), s("role"), s("scopeType"), s("scopeId"))
            {
                out.push(upsert(
                    DocKind::Role,
                    &format!("{u}|{st}|{sid}|{role}"),
                    pick(d, &["userId", "role", "scopeType", "scopeId", "grantedBy"]),
                    ev,
                ));
            }
        }
        "parent_child.linked" => {
            if let (Some(p), Some(c)) = (s("parentId"), s("childId")) {
                out.push(upsert(
                    DocKind::ParentChild,
                    &format!("{p}|{c}"),
                    pick(
                        d,
                        &[
                            "parentId",
                            "childId",
                            "relationship",
                            "isPrimary",
                            "permissions",
                        ],
                    ),
                    ev,
                ));
            }
        }
        "facility.created" | "facility.settings_updated" => {
            if let Some(f) = s("facilityId") {
                out.push(upsert(
                    DocKind::Facility,
                    f,
                    pick(
                        d,
                        &[
                            "facilityId",
                            "name",
                            "timezone",
                            "sportTypes",
                            "ownerId",
                            "changedSettings",
                        ],
                    ),
                    ev,
                ));
            }
        }
        "resource.created" => {
            if let Some(r) = s("resourceId") {
                out.push(upsert(
                    DocKind::Resource,
                    r,
                    pick(d, &["resourceId", "facilityId", "name", "resourceType"]),
                    ev,
                ));
            }
        }
        _ if t.starts_with("subscription.") => {
            if let Some(sub) = s("subscriptionId") {
                let mut f = pick(
                    d,
                    &[
                        "subscriptionId",
                        "facilityId",
                        "planId",
                        "planName",
                        "billingCycle",
                        "status",
                        "currentPeriodStart",
                        "currentPeriodEnd",
                        "newPeriodStart",
                        "newPeriodEnd",
                        "newPlanId",
                        "newPlanName",
                        "cancelAtPeriodEnd",
                        "effectiveDate",
                    ],
                );
                if t == "subscription.cancelled" {
                    f.insert("status".into(), json!("cancelled"));
                }
                if t == "subscription.renewed" {
                    if let Some(v) = d.field("newPeriodEnd") {
                        f.insert("currentPeriodEnd".into(), v.clone());
                    }
                    if let Some(v) = d.field("newPeriodStart") {
                        f.insert("currentPeriodStart".into(), v.clone());
                    }
                }
                if t == "subscription.plan_changed"
                    && let Some(v) = d.field("newPlanId")
                {
                    f.insert("planId".into(), v.clone());
                }
                out.push(upsert(DocKind::Subscription, sub, f, ev));
            }
        }
        _ => {}
    }
    Ok(out)
}

/// The analytics counter of an event: per facility (or `-`), type and UTC day.
pub fn analytics(ev: &EventCtx) -> Result<Vec<Effect>, HandlerError> {
    let day = ev
        .timestamp
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(chrono::Utc::now)
        .format("%Y-%m-%d")
        .to_string();
    Ok(vec![Effect::Count {
        facility_id: ev.facility().unwrap_or_else(|| "-".into()),
        event_type: ev.event_type.clone(),
        day,
    }])
}

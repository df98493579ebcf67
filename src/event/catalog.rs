//! Every event type of both seeds, with its fields.
//!
//! Seed 1 (the notification service) shows its events as examples rather than interfaces, so
//! every field it shows is required; `booking.reminder` ("...") and the ticket events are
//! given the fields the seed's TicketsService and reminder jobs use. Seed 2 (the hooks and
//! events spec) gives TypeScript interfaces: `?` marks an optional field, unions become
//! enums. A type both seeds define keeps both shapes: seed 2's as the domain form, seed 1's
//! as the legacy form.

use super::{EventError, Format};

/// Which design document defines an event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Seed {
    /// Seed 1: the notification service (booking-service events, reminders, tickets).
    #[serde(rename = "notification-service")]
    Notification,
    /// Seed 2: the SlotBase hooks and events spec.
    #[serde(rename = "hooks-and-events")]
    Hooks,
}

impl Seed {
    /// The number users see in `events list`: 1 or 2.
    pub fn number(self) -> u8 {
        match self {
            Seed::Notification => 1,
            Seed::Hooks => 2,
        }
    }
}

/// The type of one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    String,
    Number,
    Integer,
    Boolean,
    /// An ISO-8601 date-time string.
    DateTime,
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// An array of values of one type.
    Array(&'static FieldType),
    /// An object with these fields.
    Object(&'static [Field]),
    /// Any JSON object.
    AnyObject,
}

impl FieldType {
    /// How the type reads in `events show`: `string`, `number`, `datetime`, `enum`,
    /// `string[]`, `object[]`…
    pub fn label(&self) -> String {
        match self {
            FieldType::String => "string".into(),
            FieldType::Number => "number".into(),
            FieldType::Integer => "integer".into(),
            FieldType::Boolean => "boolean".into(),
            FieldType::DateTime => "datetime".into(),
            FieldType::Enum(_) => "enum".into(),
            FieldType::Array(inner) => format!("{}[]", inner.label()),
            FieldType::Object(_) | FieldType::AnyObject => "object".into(),
        }
    }

    /// The phrase used in error messages: `a number`, `one of "a", "b"`…
    pub fn expected(&self) -> String {
        match self {
            FieldType::String => "a string".into(),
            FieldType::Number => "a number".into(),
            FieldType::Integer => "an integer".into(),
            FieldType::Boolean => "true or false".into(),
            FieldType::DateTime => "an RFC 3339 date-time (e.g. 2026-01-15T08:00:00Z)".into(),
            FieldType::Enum(values) => format!(
                "one of {}",
                values
                    .iter()
                    .map(|v| format!("\"{v}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            FieldType::Array(inner) => format!("a JSON array of {}", inner.plural()),
            FieldType::Object(_) | FieldType::AnyObject => "a JSON object".into(),
        }
    }

    fn plural(&self) -> String {
        match self {
            FieldType::String => "strings".into(),
            FieldType::Number => "numbers".into(),
            FieldType::Integer => "integers".into(),
            FieldType::Boolean => "booleans".into(),
            FieldType::DateTime => "date-times".into(),
            FieldType::Enum(_) => "enum strings".into(),
            FieldType::Array(_) => "arrays".into(),
            FieldType::Object(_) | FieldType::AnyObject => "objects".into(),
        }
    }
}

/// One field of an event's `data` (or of an object nested in it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
    pub required: bool,
}

/// An envelope context field of the domain form (`facilityId`, `userId`, `organizationId`)
/// and the data field it is copied from, so envelope and data always agree. `from: None`
/// means the data has no such field and the value is the envelope's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContextField {
    pub name: &'static str,
    pub from: Option<&'static str>,
}

/// One catalogued event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventType {
    pub name: &'static str,
    /// One line for `events list`.
    pub description: &'static str,
    /// Seed 1's data fields, if seed 1 defines the type.
    pub seed1: Option<&'static [Field]>,
    /// Seed 2's data fields, if seed 2 defines the type.
    pub seed2: Option<&'static [Field]>,
    /// Context fields of the domain envelope.
    pub context: &'static [ContextField],
}

impl EventType {
    /// The seeds that define this type.
    pub fn seeds(&self) -> Vec<Seed> {
        let mut seeds = Vec::with_capacity(2);
        if self.seed1.is_some() {
            seeds.push(Seed::Notification);
        }
        if self.seed2.is_some() {
            seeds.push(Seed::Hooks);
        }
        seeds
    }

    /// `1`, `2` or `1+2`.
    pub fn seed_label(&self) -> String {
        self.seeds()
            .iter()
            .map(|s| s.number().to_string())
            .collect::<Vec<_>>()
            .join("+")
    }

    /// The forms with a data shape of their own: both for a type the seeds define
    /// differently, otherwise the one form of the seed that defines it. Any type can still
    /// be written in either envelope (see [`EventType::fields`]).
    pub fn forms(&self) -> &'static [Format] {
        match (self.seed1.is_some(), self.seed2.is_some()) {
            (true, true) => &[Format::Domain, Format::Legacy],
            (true, false) => &[Format::Legacy],
            _ => &[Format::Domain],
        }
    }

    /// Whether the two forms carry different data.
    pub fn has_both_forms(&self) -> bool {
        self.forms().len() == 2
    }

    /// The seed whose data shape `format` carries: seed 2 for the domain form and seed 1
    /// for the legacy form when both exist, else the only one.
    pub fn shape_seed(&self, format: Format) -> Seed {
        match (format, self.seed1.is_some(), self.seed2.is_some()) {
            (Format::Domain, _, true) | (Format::Legacy, false, true) => Seed::Hooks,
            _ => Seed::Notification,
        }
    }

    /// The data fields of `format`.
    pub fn fields(&self, format: Format) -> &'static [Field] {
        match self.shape_seed(format) {
            Seed::Hooks => self.seed2.unwrap_or(&[]),
            Seed::Notification => self.seed1.unwrap_or(&[]),
        }
    }

    /// Names of the domain envelope's context fields.
    pub fn context_names(&self) -> Vec<&'static str> {
        self.context.iter().map(|c| c.name).collect()
    }

    /// Whether facilities may subscribe webhooks to this type (seed 2's list).
    pub fn is_facility_webhook_event(&self) -> bool {
        FACILITY_WEBHOOK_EVENTS.contains(&self.name)
    }
}

/// Seed 2's `FACILITY_WEBHOOK_EVENTS`: the types a facility may subscribe a webhook to.
pub const FACILITY_WEBHOOK_EVENTS: &[&str] = &[
    "booking.confirmed",
    "booking.cancelled",
    "booking.checked_in",
    "booking.no_show",
    "booking.completed",
    "payment.succeeded",
    "payment.failed",
    "payment.refunded",
    "offline_payment.recorded",
    "coach.block.requested",
    "coach.block.approved",
    "coach.session.completed",
    "feedback.published",
    "user.created",
    "parent_child.linked",
    "subscription.limit_warning",
];

/// Every catalogued type, seed-1 types first, in the seeds' order.
pub fn catalog() -> &'static [EventType] {
    CATALOG
}

/// Every type name, in catalog order.
pub fn names() -> impl Iterator<Item = &'static str> {
    CATALOG.iter().map(|t| t.name)
}

/// Find a type by name, or say which names are closest.
pub fn lookup(name: &str) -> Result<&'static EventType, EventError> {
    CATALOG
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| EventError::UnknownType {
            name: name.to_string(),
            suggestions: crate::util::closest(name, names()),
        })
}

// Short spellings keep the tables below close to the seeds' interfaces.
const STR: FieldType = FieldType::String;
const NUM: FieldType = FieldType::Number;
const INT: FieldType = FieldType::Integer;
const BOOL: FieldType = FieldType::Boolean;
const TIME: FieldType = FieldType::DateTime;
const STRS: FieldType = FieldType::Array(&FieldType::String);

const fn req(name: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

const fn opt(name: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

const fn ctx(name: &'static str, from: &'static str) -> ContextField {
    ContextField {
        name,
        from: Some(from),
    }
}

const ORG: ContextField = ContextField {
    name: "organizationId",
    from: None,
};

/// Ticket priorities: the notification priorities seed 1 maps them to.
pub const TICKET_PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];
/// Ticket statuses along the lifecycle seed 1's TicketsService walks.
pub const TICKET_STATUSES: &[&str] = &["open", "in_progress", "resolved", "closed"];
/// `metadata.environment` of a domain event.
pub const ENVIRONMENTS: &[&str] = &["production", "staging", "development"];

// ---- seed 1: booking service events -------------------------------------------------

static S1_BOOKING_CREATED: &[Field] = &[
    req("bookingId", STR),
    req("userId", STR),
    req("userEmail", STR),
    req("userName", STR),
    req("parkingName", STR),
    req("parkingAddress", STR),
    req("startDate", TIME),
    req("endDate", TIME),
    req("totalAmount", NUM),
    req("currency", STR),
    req("status", STR),
];

static S1_BOOKING_CONFIRMED: &[Field] = &[
    req("bookingId", STR),
    req("userId", STR),
    req("userEmail", STR),
    req("userName", STR),
    req("parkingName", STR),
    req("startDate", TIME),
    req("endDate", TIME),
    req("confirmationCode", STR),
    req("qrCode", STR),
];

static S1_BOOKING_CANCELLED: &[Field] = &[
    req("bookingId", STR),
    req("userId", STR),
    req("userEmail", STR),
    req("userName", STR),
    req("parkingName", STR),
    req("cancellationReason", STR),
    req("refundAmount", NUM),
    req("refundDate", TIME),
];

static S1_PAYMENT_RECEIVED: &[Field] = &[
    req("paymentId", STR),
    req("bookingId", STR),
    req("userId", STR),
    req("userEmail", STR),
    req("amount", NUM),
    req("currency", STR),
    req("paymentMethod", STR),
    req("transactionId", STR),
    req("last4Digits", STR),
];

static S1_PAYMENT_FAILED: &[Field] = &[
    req("paymentId", STR),
    req("bookingId", STR),
    req("userId", STR),
    req("userEmail", STR),
    req("amount", NUM),
    req("failureReason", STR),
    req("failureCode", STR),
];

static S1_PAYMENT_REFUNDED: &[Field] = &[
    req("refundId", STR),
    req("paymentId", STR),
    req("bookingId", STR),
    req("userId", STR),
    req("userEmail", STR),
    req("refundAmount", NUM),
    req("refundReason", STR),
    req("processingDays", STR),
];

// Option B of seed 1 names bookingId, userId and hoursUntilStart, then "..."; the rest is
// what Option A's reminder notification shows (parking name and start time).
static S1_BOOKING_REMINDER: &[Field] = &[
    req("bookingId", STR),
    req("userId", STR),
    req("hoursUntilStart", INT),
    opt("userEmail", STR),
    opt("userName", STR),
    opt("parkingName", STR),
    opt("startDate", TIME),
];

// ---- seed 1: support tickets (fields of TicketsService's supportTicket) -------------

const PRIORITY: FieldType = FieldType::Enum(TICKET_PRIORITIES);
const TICKET_STATUS: FieldType = FieldType::Enum(TICKET_STATUSES);

static S1_TICKET_CREATED: &[Field] = &[
    req("ticketId", STR),
    req("ticketNumber", STR),
    req("userId", STR),
    req("userEmail", STR),
    req("userName", STR),
    req("subject", STR),
    req("priority", PRIORITY),
    req("status", TICKET_STATUS),
    opt("assignedTo", STR),
    opt("estimatedResponse", STR),
];

static S1_TICKET_ASSIGNED: &[Field] = &[
    req("ticketId", STR),
    req("ticketNumber", STR),
    req("userId", STR),
    req("assignedTo", STR),
    opt("assignedBy", STR),
    req("subject", STR),
    req("priority", PRIORITY),
];

static S1_TICKET_COMMENTED: &[Field] = &[
    req("ticketId", STR),
    req("ticketNumber", STR),
    req("userId", STR),
    req("commentId", STR),
    req("authorId", STR),
    req("authorName", STR),
    req("authorRole", FieldType::Enum(&["user", "agent"])),
    req("comment", STR),
    opt("assignedTo", STR),
];

static S1_TICKET_ESCALATED: &[Field] = &[
    req("ticketId", STR),
    req("ticketNumber", STR),
    req("userId", STR),
    req("subject", STR),
    req("priority", PRIORITY),
    req("escalatedTo", STR),
    opt("escalatedBy", STR),
    opt("reason", STR),
];

static S1_TICKET_RESOLVED: &[Field] = &[
    req("ticketId", STR),
    req("ticketNumber", STR),
    req("userId", STR),
    req("userEmail", STR),
    req("status", TICKET_STATUS),
    req("resolution", STR),
    req("resolvedBy", STR),
    req("resolvedAt", TIME),
];

static S1_TICKET_CLOSED: &[Field] = &[
    req("ticketId", STR),
    req("ticketNumber", STR),
    req("userId", STR),
    req("status", TICKET_STATUS),
    req("closedBy", STR),
    req("closedAt", TIME),
    opt("resolution", STR),
];

// ---- seed 2: booking events -----------------------------------------------------------

static S2_BOOKING_HOLD_CREATED: &[Field] = &[
    req("holdId", STR),
    req("bookingId", STR),
    req("facilityId", STR),
    req("resourceId", STR),
    req("userId", STR),
    req("startAt", TIME),
    req("endAt", TIME),
    req("expiresAt", TIME),
    req("priceAmount", NUM),
    req("priceCurrency", STR),
];

static PARTICIPANT: &[Field] = &[req("userId", STR), req("name", STR), req("role", STR)];

static S2_BOOKING_CONFIRMED: &[Field] = &[
    req("bookingId", STR),
    req("facilityId", STR),
    req("resourceId", STR),
    req("resourceName", STR),
    req("bookerId", STR),
    req("bookerName", STR),
    req("bookerEmail", STR),
    req(
        "participants",
        FieldType::Array(&FieldType::Object(PARTICIPANT)),
    ),
    req("startAt", TIME),
    req("endAt", TIME),
    req("timezone", STR),
    req("bookingType", STR),
    req("priceAmount", NUM),
    req("priceCurrency", STR),
    req(
        "paymentMethod",
        FieldType::Enum(&["online", "offline", "waived"]),
    ),
    req("isRecurring", BOOL),
    opt("recurringBookingId", STR),
];

static S2_BOOKING_CANCELLED: &[Field] = &[
    req("bookingId", STR),
    req("facilityId", STR),
    req("resourceId", STR),
    req("bookerId", STR),
    req("startAt", TIME),
    req("endAt", TIME),
    req("cancelledBy", STR),
    req("cancellationReason", STR),
    opt("refundAmount", NUM),
    opt("refundStatus", STR),
    req("wasNoShow", BOOL),
];

static S2_BOOKING_CHECKED_IN: &[Field] = &[
    req("bookingId", STR),
    req("facilityId", STR),
    req("userId", STR),
    req("checkedInAt", TIME),
    req("checkedInBy", FieldType::Enum(&["self", "staff"])),
    req(
        "method",
        FieldType::Enum(&["qr_code", "manual", "access_code"]),
    ),
];

static S2_BOOKING_NO_SHOW: &[Field] = &[
    req("bookingId", STR),
    req("facilityId", STR),
    req("userId", STR),
    req("scheduledAt", TIME),
    req("markedAt", TIME),
    req("feeCharged", NUM),
    req("strikeCount", INT),
    req("restrictionApplied", BOOL),
];

static S2_BOOKING_COMPLETED: &[Field] = &[
    req("bookingId", STR),
    req("facilityId", STR),
    req("resourceId", STR),
    req("bookerId", STR),
    req("participants", STRS),
    req("startAt", TIME),
    req("endAt", TIME),
    req("actualDuration", INT),
    req("wasCoachingSession", BOOL),
    opt("coachingSessionId", STR),
];

static S2_BOOKING_REMINDER_SENT: &[Field] = &[
    req("bookingId", STR),
    req("userId", STR),
    req("reminderType", FieldType::Enum(&["24h", "1h", "custom"])),
    req("channel", FieldType::Enum(&["email", "sms", "push"])),
    req("sentAt", TIME),
];

// ---- seed 2: payment events -----------------------------------------------------------

static S2_PAYMENT_SUCCEEDED: &[Field] = &[
    req("transactionId", STR),
    req("facilityId", STR),
    req("billingAccountId", STR),
    req("payerId", STR),
    req("amount", NUM),
    req("currency", STR),
    req("paymentMethod", STR),
    req(
        "referenceType",
        FieldType::Enum(&["booking", "subscription", "invoice"]),
    ),
    req("referenceId", STR),
    opt("stripePaymentIntentId", STR),
];

static S2_PAYMENT_FAILED: &[Field] = &[
    opt("transactionId", STR),
    req("facilityId", STR),
    req("billingAccountId", STR),
    req("payerId", STR),
    req("amount", NUM),
    req("currency", STR),
    req("failureReason", STR),
    opt("failureCode", STR),
    req("referenceType", STR),
    req("referenceId", STR),
    req("retryCount", INT),
    opt("nextRetryAt", TIME),
];

static S2_PAYMENT_REFUNDED: &[Field] = &[
    req("refundId", STR),
    req("transactionId", STR),
    req("facilityId", STR),
    req("amount", NUM),
    req("currency", STR),
    req("reason", STR),
    req("refundedBy", STR),
    req("referenceType", STR),
    req("referenceId", STR),
];

static S2_OFFLINE_PAYMENT_RECORDED: &[Field] = &[
    req("offlinePaymentId", STR),
    req("facilityId", STR),
    req("billingAccountId", STR),
    req("amount", NUM),
    req("currency", STR),
    req(
        "paymentMethod",
        FieldType::Enum(&["cash", "check", "bank_transfer", "venmo", "zelle", "other"]),
    ),
    opt("referenceNumber", STR),
    req("payerName", STR),
    req("recordedBy", STR),
    req("paymentDate", TIME),
    opt("bookingId", STR),
];

// ---- seed 2: subscription events ------------------------------------------------------

static S2_SUBSCRIPTION_CREATED: &[Field] = &[
    req("subscriptionId", STR),
    req("facilityId", STR),
    req("planId", STR),
    req("planName", STR),
    req("billingCycle", FieldType::Enum(&["monthly", "annual"])),
    req("status", STR),
    opt("trialEnd", TIME),
    req("currentPeriodStart", TIME),
    req("currentPeriodEnd", TIME),
    opt("couponApplied", STR),
    opt("discountAmount", NUM),
];

static S2_SUBSCRIPTION_RENEWED: &[Field] = &[
    req("subscriptionId", STR),
    req("facilityId", STR),
    req("planId", STR),
    req("previousPeriodEnd", TIME),
    req("newPeriodStart", TIME),
    req("newPeriodEnd", TIME),
    req("amount", NUM),
    req("currency", STR),
];

static S2_SUBSCRIPTION_CANCELLED: &[Field] = &[
    req("subscriptionId", STR),
    req("facilityId", STR),
    req("cancelledBy", STR),
    opt("cancelReason", STR),
    req("cancelAtPeriodEnd", BOOL),
    req("effectiveDate", TIME),
];

static S2_SUBSCRIPTION_PLAN_CHANGED: &[Field] = &[
    req("subscriptionId", STR),
    req("facilityId", STR),
    req("previousPlanId", STR),
    req("previousPlanName", STR),
    req("newPlanId", STR),
    req("newPlanName", STR),
    req("changeType", FieldType::Enum(&["upgrade", "downgrade"])),
    req("effectiveDate", TIME),
    opt("proratedAmount", NUM),
];

static S2_SUBSCRIPTION_LIMIT_WARNING: &[Field] = &[
    req("subscriptionId", STR),
    req("facilityId", STR),
    req("entitlementType", STR),
    req("currentUsage", INT),
    req("limit", INT),
    req("percentUsed", NUM),
    req(
        "warningLevel",
        FieldType::Enum(&["approaching", "at_limit", "exceeded"]),
    ),
    req("recommendedAction", STR),
];

// ---- seed 2: coach events -------------------------------------------------------------

static S2_COACH_BLOCK_REQUESTED: &[Field] = &[
    req("blockId", STR),
    req("coachId", STR),
    req("coachName", STR),
    req("facilityId", STR),
    req("resourceId", STR),
    req("resourceName", STR),
    req("startAt", TIME),
    req("endAt", TIME),
    req("blockType", STR),
    opt("reason", STR),
    req("requiresApproval", BOOL),
];

static S2_COACH_BLOCK_APPROVED: &[Field] = &[
    req("blockId", STR),
    req("coachId", STR),
    req("facilityId", STR),
    req("approvedBy", STR),
    req("approvedAt", TIME),
];

static S2_COACH_BLOCK_REJECTED: &[Field] = &[
    req("blockId", STR),
    req("coachId", STR),
    req("facilityId", STR),
    req("rejectedBy", STR),
    req("rejectedAt", TIME),
    req("rejectionReason", STR),
];

static STUDENT: &[Field] = &[req("userId", STR), req("name", STR), req("parentIds", STRS)];

static S2_COACH_SESSION_COMPLETED: &[Field] = &[
    req("sessionId", STR),
    req("bookingId", STR),
    req("coachId", STR),
    req("coachName", STR),
    req("facilityId", STR),
    req("sessionType", STR),
    req("students", FieldType::Array(&FieldType::Object(STUDENT))),
    req("startAt", TIME),
    req("endAt", TIME),
    req("attendedStudents", STRS),
];

// ---- seed 2: feedback, media and progress events --------------------------------------

static S2_FEEDBACK_CREATED: &[Field] = &[
    req("feedbackId", STR),
    req("sessionId", STR),
    req("coachId", STR),
    req("facilityId", STR),
    req("hasVoiceNote", BOOL),
    req("hasMedia", BOOL),
];

static S2_FEEDBACK_ENHANCED: &[Field] = &[
    req("feedbackId", STR),
    req("sessionId", STR),
    req(
        "enhancementType",
        FieldType::Enum(&[
            "transcription",
            "text_enhancement",
            "skill_extraction",
            "all",
        ]),
    ),
    req("skillsExtracted", STRS),
    req("processingTime", INT),
];

static S2_FEEDBACK_PUBLISHED: &[Field] = &[
    req("feedbackId", STR),
    req("sessionId", STR),
    req("coachId", STR),
    req("coachName", STR),
    req("facilityId", STR),
    req("studentId", STR),
    req("studentName", STR),
    req("parentIds", STRS),
    req("hasVideo", BOOL),
    req("hasPhotos", BOOL),
    req("skillsWorked", STRS),
];

static S2_MEDIA_UPLOADED: &[Field] = &[
    req("mediaId", STR),
    req("feedbackId", STR),
    req("mediaType", FieldType::Enum(&["video", "photo", "audio"])),
    req("fileName", STR),
    req("fileSizeBytes", INT),
    opt("durationSeconds", NUM),
    req("uploadedBy", STR),
];

static S2_MEDIA_PROCESSED: &[Field] = &[
    req("mediaId", STR),
    req("feedbackId", STR),
    req(
        "processingType",
        FieldType::Enum(&["transcoding", "thumbnail", "ai_analysis"]),
    ),
    req("success", BOOL),
    opt("outputUrl", STR),
    opt("aiInsights", FieldType::AnyObject),
    req("processingTime", INT),
];

static S2_PROGRESS_UPDATED: &[Field] = &[
    req("playerId", STR),
    req("skillId", STR),
    req("skillName", STR),
    req("sport", STR),
    req("previousLevel", NUM),
    req("newLevel", NUM),
    req("assessedBy", STR),
    req("improvementPercent", NUM),
];

// ---- seed 2: user events --------------------------------------------------------------

static S2_USER_CREATED: &[Field] = &[
    req("userId", STR),
    req("email", STR),
    req("firstName", STR),
    req("lastName", STR),
    req(
        "registrationSource",
        FieldType::Enum(&["web", "mobile", "admin", "invitation"]),
    ),
    opt("facilityId", STR),
];

static S2_USER_ROLE_ASSIGNED: &[Field] = &[
    req("userId", STR),
    req("role", STR),
    req("scopeType", STR),
    req("scopeId", STR),
    req("grantedBy", STR),
];

static S2_PARENT_CHILD_LINKED: &[Field] = &[
    req("parentId", STR),
    req("childId", STR),
    req("relationship", STR),
    req("isPrimary", BOOL),
    req("permissions", STRS),
];

// ---- seed 2: facility events ----------------------------------------------------------

static S2_FACILITY_CREATED: &[Field] = &[
    req("facilityId", STR),
    req("name", STR),
    req("timezone", STR),
    req("sportTypes", STRS),
    req("ownerId", STR),
];

static S2_FACILITY_SETTINGS_UPDATED: &[Field] = &[
    req("facilityId", STR),
    req("changedSettings", STRS),
    req("changedBy", STR),
];

static S2_RESOURCE_CREATED: &[Field] = &[
    req("resourceId", STR),
    req("facilityId", STR),
    req("name", STR),
    req("resourceType", STR),
];

static S2_LOST_ITEM_REPORTED: &[Field] = &[
    req("itemId", STR),
    req("facilityId", STR),
    req("description", STR),
    req("category", STR),
    req("foundLocation", STR),
    req("reportedBy", STR),
];

static S2_LOST_ITEM_CLAIMED: &[Field] = &[
    req("itemId", STR),
    req("facilityId", STR),
    req("claimedBy", STR),
    req("verifiedBy", STR),
];

// ---- the catalog ----------------------------------------------------------------------

const fn s1(
    name: &'static str,
    description: &'static str,
    fields: &'static [Field],
    context: &'static [ContextField],
) -> EventType {
    EventType {
        name,
        description,
        seed1: Some(fields),
        seed2: None,
        context,
    }
}

const fn s2(
    name: &'static str,
    description: &'static str,
    fields: &'static [Field],
    context: &'static [ContextField],
) -> EventType {
    EventType {
        name,
        description,
        seed1: None,
        seed2: Some(fields),
        context,
    }
}

const fn both(
    name: &'static str,
    description: &'static str,
    seed1: &'static [Field],
    seed2: &'static [Field],
    context: &'static [ContextField],
) -> EventType {
    EventType {
        name,
        description,
        seed1: Some(seed1),
        seed2: Some(seed2),
        context,
    }
}

const USER: &[ContextField] = &[ctx("userId", "userId")];
const FACILITY: &[ContextField] = &[ctx("facilityId", "facilityId")];
const FACILITY_USER: &[ContextField] = &[ctx("facilityId", "facilityId"), ctx("userId", "userId")];
const FACILITY_BOOKER: &[ContextField] =
    &[ctx("facilityId", "facilityId"), ctx("userId", "bookerId")];
const FACILITY_PAYER: &[ContextField] =
    &[ctx("facilityId", "facilityId"), ctx("userId", "payerId")];
const FACILITY_COACH: &[ContextField] =
    &[ctx("facilityId", "facilityId"), ctx("userId", "coachId")];
const FACILITY_ORG: &[ContextField] = &[ctx("facilityId", "facilityId"), ORG];

static CATALOG: &[EventType] = &[
    // Seed 1's booking service events; four of them have a seed-2 shape too.
    s1(
        "booking.created",
        "A parking booking was created and awaits payment",
        S1_BOOKING_CREATED,
        USER,
    ),
    both(
        "booking.confirmed",
        "A booking was confirmed",
        S1_BOOKING_CONFIRMED,
        S2_BOOKING_CONFIRMED,
        FACILITY_BOOKER,
    ),
    both(
        "booking.cancelled",
        "A booking was cancelled, with any refund",
        S1_BOOKING_CANCELLED,
        S2_BOOKING_CANCELLED,
        FACILITY_BOOKER,
    ),
    s1(
        "payment.received",
        "The booking service received a payment",
        S1_PAYMENT_RECEIVED,
        USER,
    ),
    both(
        "payment.failed",
        "A payment failed",
        S1_PAYMENT_FAILED,
        S2_PAYMENT_FAILED,
        FACILITY_PAYER,
    ),
    both(
        "payment.refunded",
        "A payment was refunded",
        S1_PAYMENT_REFUNDED,
        S2_PAYMENT_REFUNDED,
        FACILITY,
    ),
    s1(
        "booking.reminder",
        "The booking service asks for a reminder before a booking starts",
        S1_BOOKING_REMINDER,
        USER,
    ),
    // Seed 1's support ticket triggers.
    s1(
        "ticket.created",
        "A support ticket was opened",
        S1_TICKET_CREATED,
        USER,
    ),
    s1(
        "ticket.assigned",
        "A support ticket was assigned to an agent",
        S1_TICKET_ASSIGNED,
        USER,
    ),
    s1(
        "ticket.commented",
        "A comment was added to a support ticket",
        S1_TICKET_COMMENTED,
        USER,
    ),
    s1(
        "ticket.escalated",
        "A support ticket was escalated to a manager",
        S1_TICKET_ESCALATED,
        USER,
    ),
    s1(
        "ticket.resolved",
        "A support ticket was resolved",
        S1_TICKET_RESOLVED,
        USER,
    ),
    s1(
        "ticket.closed",
        "A support ticket was closed",
        S1_TICKET_CLOSED,
        USER,
    ),
    // Seed 2's domain events.
    s2(
        "booking.hold.created",
        "A slot is held while the booker pays",
        S2_BOOKING_HOLD_CREATED,
        FACILITY_USER,
    ),
    s2(
        "booking.checked_in",
        "A booker checked in",
        S2_BOOKING_CHECKED_IN,
        FACILITY_USER,
    ),
    s2(
        "booking.no_show",
        "A booker did not show up; fee and strikes applied",
        S2_BOOKING_NO_SHOW,
        FACILITY_USER,
    ),
    s2(
        "booking.completed",
        "A booking's time slot ended",
        S2_BOOKING_COMPLETED,
        FACILITY_BOOKER,
    ),
    s2(
        "booking.reminder.sent",
        "A booking reminder went out",
        S2_BOOKING_REMINDER_SENT,
        USER,
    ),
    s2(
        "payment.succeeded",
        "An online payment succeeded",
        S2_PAYMENT_SUCCEEDED,
        FACILITY_PAYER,
    ),
    s2(
        "offline_payment.recorded",
        "Staff recorded a cash, check or transfer payment",
        S2_OFFLINE_PAYMENT_RECORDED,
        FACILITY,
    ),
    s2(
        "subscription.created",
        "A facility subscribed to a SlotBase plan",
        S2_SUBSCRIPTION_CREATED,
        FACILITY_ORG,
    ),
    s2(
        "subscription.renewed",
        "A facility's subscription renewed for a new period",
        S2_SUBSCRIPTION_RENEWED,
        FACILITY_ORG,
    ),
    s2(
        "subscription.cancelled",
        "A facility's subscription was cancelled",
        S2_SUBSCRIPTION_CANCELLED,
        FACILITY_ORG,
    ),
    s2(
        "subscription.plan_changed",
        "A facility moved to another plan",
        S2_SUBSCRIPTION_PLAN_CHANGED,
        FACILITY_ORG,
    ),
    s2(
        "subscription.limit_warning",
        "A facility is near or over a plan limit",
        S2_SUBSCRIPTION_LIMIT_WARNING,
        FACILITY_ORG,
    ),
    s2(
        "coach.block.requested",
        "A coach asked to block a resource",
        S2_COACH_BLOCK_REQUESTED,
        FACILITY_COACH,
    ),
    s2(
        "coach.block.approved",
        "A coach's block was approved",
        S2_COACH_BLOCK_APPROVED,
        FACILITY_COACH,
    ),
    s2(
        "coach.block.rejected",
        "A coach's block was rejected",
        S2_COACH_BLOCK_REJECTED,
        FACILITY_COACH,
    ),
    s2(
        "coach.session.completed",
        "A coaching session ended, with attendance",
        S2_COACH_SESSION_COMPLETED,
        FACILITY_COACH,
    ),
    s2(
        "feedback.created",
        "A coach wrote feedback on a session",
        S2_FEEDBACK_CREATED,
        FACILITY_COACH,
    ),
    s2(
        "feedback.enhanced",
        "AI transcribed or enhanced a feedback",
        S2_FEEDBACK_ENHANCED,
        &[],
    ),
    s2(
        "feedback.published",
        "Feedback was published to a student and their parents",
        S2_FEEDBACK_PUBLISHED,
        FACILITY_COACH,
    ),
    s2(
        "media.uploaded",
        "A video, photo or audio file was attached to feedback",
        S2_MEDIA_UPLOADED,
        &[ctx("userId", "uploadedBy")],
    ),
    s2(
        "media.processed",
        "An uploaded media file was transcoded or analysed",
        S2_MEDIA_PROCESSED,
        &[],
    ),
    s2(
        "progress.updated",
        "A player's skill level changed",
        S2_PROGRESS_UPDATED,
        &[ctx("userId", "playerId")],
    ),
    s2(
        "user.created",
        "A user registered",
        S2_USER_CREATED,
        FACILITY_USER,
    ),
    s2(
        "user.role_assigned",
        "A user was granted a role",
        S2_USER_ROLE_ASSIGNED,
        USER,
    ),
    s2(
        "parent_child.linked",
        "A parent was linked to a child's account",
        S2_PARENT_CHILD_LINKED,
        &[ctx("userId", "parentId")],
    ),
    s2(
        "facility.created",
        "A facility was created",
        S2_FACILITY_CREATED,
        &[
            ctx("facilityId", "facilityId"),
            ORG,
            ctx("userId", "ownerId"),
        ],
    ),
    s2(
        "facility.settings_updated",
        "A facility's settings changed",
        S2_FACILITY_SETTINGS_UPDATED,
        &[ctx("facilityId", "facilityId"), ctx("userId", "changedBy")],
    ),
    s2(
        "resource.created",
        "A bookable resource (court, field, room) was added",
        S2_RESOURCE_CREATED,
        FACILITY,
    ),
    s2(
        "lost_item.reported",
        "Staff reported a found item",
        S2_LOST_ITEM_REPORTED,
        &[ctx("facilityId", "facilityId"), ctx("userId", "reportedBy")],
    ),
    s2(
        "lost_item.claimed",
        "A found item was claimed by its owner",
        S2_LOST_ITEM_CLAIMED,
        &[ctx("facilityId", "facilityId"), ctx("userId", "claimedBy")],
    ),
];

//! The seeds' notification tables as data.
//!
//! Seed 1 (notification service): each booking-service event notifies the user in
//! `data.userId` by email with a French subject; `booking.reminder` goes by push; the
//! ticket events notify the agent, the user or the manager. Seed 2 (NOTIFICATION_CONFIGS):
//! `booking.confirmed` notifies the booker (email, push) and the participants (email);
//! `feedback.published` notifies the student's parents (email, push); the other types
//! whose EVENT_HANDLERS include the NotificationHandler (`booking.cancelled`,
//! `payment.succeeded`, `subscription.limit_warning`) follow the same pattern.

use serde_json::Value;

use super::{Category, Channel, Priority};
use crate::util::Field;

/// Who receives a notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The user id in this data field (seed 1's `data.userId`, seed 2's `data.bookerId`...).
    Field(&'static str),
    /// Every `data.participants[].userId`.
    Participants,
    /// The parents of the student: `data.parentIds`, else the read model's links of
    /// `data.studentId`.
    Parents,
    /// The admins of the event's facility, from the read model's roles.
    FacilityAdmins,
    /// The support manager (config `notifications.ticket_manager_id`).
    Manager,
}

/// How the priority is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriorityRule {
    Fixed(Priority),
    /// `urgent` when `data.priority` is urgent, else `normal` (seed 1's ticket rule).
    FromTicket,
}

/// One notification template sent to some recipients.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub template: &'static str,
    /// The subject; `{field}` is replaced by that data field.
    pub subject: &'static str,
    pub priority: PriorityRule,
    pub category: Category,
    pub targets: &'static [(Who, Channel)],
    /// Data fields copied into the notification's content.
    pub content: &'static [&'static str],
    /// Apply only when this data field has this value (as text).
    pub when: Option<(&'static str, &'static str)>,
}

/// Which shape of data a rule set expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Seed-1 fields (legacy envelope, or a seed-1-only type in any envelope).
    Legacy,
    /// Seed-2 fields.
    Domain,
}

const fn rule(
    template: &'static str,
    subject: &'static str,
    priority: Priority,
    targets: &'static [(Who, Channel)],
    content: &'static [&'static str],
) -> Rule {
    Rule {
        template,
        subject,
        priority: PriorityRule::Fixed(priority),
        category: Category::Transactional,
        targets,
        content,
        when: None,
    }
}

const USER_EMAIL: &[(Who, Channel)] = &[(Who::Field("userId"), Channel::Email)];

static LEGACY: &[(&str, &[Rule])] = &[
    (
        "booking.created",
        &[rule(
            "booking_created",
            "Réservation créée, en attente de paiement",
            Priority::Normal,
            USER_EMAIL,
            &[
                "userName",
                "parkingName",
                "parkingAddress",
                "startDate",
                "endDate",
                "totalAmount",
                "currency",
            ],
        )],
    ),
    (
        "booking.confirmed",
        &[rule(
            "booking_confirmation",
            "Confirmation de votre réservation",
            Priority::High,
            USER_EMAIL,
            &[
                "userName",
                "parkingName",
                "confirmationCode",
                "qrCode",
                "startDate",
                "endDate",
            ],
        )],
    ),
    (
        "booking.cancelled",
        &[rule(
            "booking_cancelled",
            "Réservation annulée, remboursement en cours",
            Priority::High,
            USER_EMAIL,
            &[
                "userName",
                "parkingName",
                "cancellationReason",
                "refundAmount",
                "refundDate",
            ],
        )],
    ),
    (
        "payment.received",
        &[rule(
            "payment_received",
            "Paiement confirmé - {amount} {currency}",
            Priority::High,
            USER_EMAIL,
            &[
                "amount",
                "currency",
                "paymentMethod",
                "transactionId",
                "last4Digits",
            ],
        )],
    ),
    (
        "payment.failed",
        &[rule(
            "payment_failed",
            "Échec du paiement, veuillez mettre à jour votre moyen de paiement",
            Priority::High,
            USER_EMAIL,
            &["amount", "failureReason", "failureCode"],
        )],
    ),
    (
        "payment.refunded",
        &[rule(
            "payment_refunded",
            "Remboursement effectué - {refundAmount} €",
            Priority::Normal,
            USER_EMAIL,
            &["refundAmount", "refundReason", "processingDays"],
        )],
    ),
    (
        "booking.reminder",
        &[
            Rule {
                when: Some(("hoursUntilStart", "24")),
                ..rule(
                    "booking_reminder_24h",
                    "Rappel: Réservation demain",
                    Priority::Urgent,
                    &[(Who::Field("userId"), Channel::Push)],
                    &["parkingName", "startTime", "startDate", "hoursUntilStart"],
                )
            },
            Rule {
                when: Some(("hoursUntilStart", "2")),
                ..rule(
                    "booking_reminder_2h",
                    "Rappel: Réservation dans 2 heures",
                    Priority::Urgent,
                    &[(Who::Field("userId"), Channel::Push)],
                    &["parkingName", "startTime", "startDate", "hoursUntilStart"],
                )
            },
        ],
    ),
    (
        "ticket.created",
        &[
            Rule {
                priority: PriorityRule::FromTicket,
                ..rule(
                    "ticket_assigned",
                    "Nouveau ticket assigné",
                    Priority::Normal,
                    &[(Who::Field("assignedTo"), Channel::InApp)],
                    &["ticketNumber", "subject", "priority"],
                )
            },
            rule(
                "ticket_created",
                "Votre demande a été reçue",
                Priority::Normal,
                USER_EMAIL,
                &["ticketNumber", "estimatedResponse"],
            ),
        ],
    ),
    (
        "ticket.assigned",
        &[Rule {
            priority: PriorityRule::FromTicket,
            ..rule(
                "ticket_assigned",
                "Nouveau ticket assigné",
                Priority::Normal,
                &[(Who::Field("assignedTo"), Channel::InApp)],
                &["ticketNumber", "subject", "priority"],
            )
        }],
    ),
    (
        "ticket.commented",
        &[
            Rule {
                when: Some(("authorRole", "agent")),
                ..rule(
                    "ticket_commented",
                    "Nouvelle réponse à votre demande",
                    Priority::Normal,
                    USER_EMAIL,
                    &["ticketNumber", "comment", "authorName"],
                )
            },
            Rule {
                when: Some(("authorRole", "user")),
                ..rule(
                    "ticket_commented",
                    "Nouveau commentaire sur un ticket",
                    Priority::Normal,
                    &[(Who::Field("assignedTo"), Channel::InApp)],
                    &["ticketNumber", "comment", "authorName"],
                )
            },
        ],
    ),
    (
        "ticket.escalated",
        &[rule(
            "ticket_escalated",
            "Ticket escaladé",
            Priority::Urgent,
            &[(Who::Manager, Channel::InApp)],
            &["ticketNumber", "priority"],
        )],
    ),
    (
        "ticket.resolved",
        &[rule(
            "ticket_resolved",
            "Votre demande a été résolue",
            Priority::Normal,
            USER_EMAIL,
            &["ticketNumber", "resolution"],
        )],
    ),
    (
        "ticket.closed",
        &[rule(
            "ticket_closed",
            "Votre demande a été clôturée",
            Priority::Normal,
            USER_EMAIL,
            &["ticketNumber"],
        )],
    ),
];

static DOMAIN: &[(&str, &[Rule])] = &[
    (
        "booking.confirmed",
        &[rule(
            "booking-confirmation",
            "Your booking is confirmed: {resourceName}",
            Priority::High,
            &[
                (Who::Field("bookerId"), Channel::Email),
                (Who::Field("bookerId"), Channel::Push),
                (Who::Participants, Channel::Email),
            ],
            &[
                "bookingId",
                "resourceName",
                "bookerName",
                "startAt",
                "endAt",
                "timezone",
                "priceAmount",
                "priceCurrency",
            ],
        )],
    ),
    (
        "booking.cancelled",
        &[rule(
            "booking-cancellation",
            "Your booking was cancelled",
            Priority::High,
            &[
                (Who::Field("bookerId"), Channel::Email),
                (Who::Field("bookerId"), Channel::Push),
            ],
            &[
                "bookingId",
                "startAt",
                "endAt",
                "cancellationReason",
                "refundAmount",
                "refundStatus",
            ],
        )],
    ),
    (
        "payment.succeeded",
        &[rule(
            "payment-receipt",
            "Payment received: {amount} {currency}",
            Priority::Normal,
            &[(Who::Field("payerId"), Channel::Email)],
            &[
                "transactionId",
                "amount",
                "currency",
                "paymentMethod",
                "referenceType",
                "referenceId",
            ],
        )],
    ),
    (
        "payment.failed",
        &[rule(
            "payment-failed",
            "Payment failed: {amount} {currency}",
            Priority::High,
            &[(Who::Field("payerId"), Channel::Email)],
            &[
                "amount",
                "currency",
                "failureReason",
                "failureCode",
                "nextRetryAt",
            ],
        )],
    ),
    (
        "feedback.published",
        &[rule(
            "session-feedback",
            "New feedback from {coachName} for {studentName}",
            Priority::Normal,
            &[
                (Who::Parents, Channel::Email),
                (Who::Parents, Channel::Push),
            ],
            &[
                "feedbackId",
                "sessionId",
                "coachName",
                "studentName",
                "skillsWorked",
                "hasVideo",
                "hasPhotos",
            ],
        )],
    ),
    (
        "subscription.limit_warning",
        &[rule(
            "subscription-limit-warning",
            "Usage warning: {entitlementType} at {percentUsed}%",
            Priority::High,
            &[
                (Who::FacilityAdmins, Channel::Email),
                (Who::FacilityAdmins, Channel::InApp),
            ],
            &[
                "entitlementType",
                "currentUsage",
                "limit",
                "percentUsed",
                "warningLevel",
                "recommendedAction",
            ],
        )],
    ),
];

/// The rules for an event type in a shape, if it notifies anyone.
pub fn rules_for(event_type: &str, shape: Shape) -> &'static [Rule] {
    let table = match shape {
        Shape::Legacy => LEGACY,
        Shape::Domain => DOMAIN,
    };
    table
        .iter()
        .find(|(t, _)| *t == event_type)
        .map(|(_, r)| *r)
        .unwrap_or(&[])
}

/// Every event type that has notification rules, with its shape.
pub fn notifying_types() -> impl Iterator<Item = (&'static str, Shape)> {
    LEGACY
        .iter()
        .map(|(t, _)| (*t, Shape::Legacy))
        .chain(DOMAIN.iter().map(|(t, _)| (*t, Shape::Domain)))
}

/// Whether a rule applies to this data (its `when` condition).
pub fn applies(rule: &Rule, data: &Value) -> bool {
    match rule.when {
        None => true,
        Some((field, expected)) => data.field(field).map(text).as_deref() == Some(expected),
    }
}

/// The subject with `{field}` placeholders filled from the data.
pub fn subject(rule: &Rule, data: &Value) -> String {
    let mut out = String::new();
    let mut rest = rule.subject;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                let key = &rest[start + 1..start + end];
                out.push_str(&data.field(key).map(text).unwrap_or_default());
                rest = &rest[start + end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The priority of a rule for this data.
pub fn priority(rule: &Rule, data: &Value) -> Priority {
    match rule.priority {
        PriorityRule::Fixed(p) => p,
        PriorityRule::FromTicket => {
            if data.field("priority").and_then(Value::as_str) == Some("urgent") {
                Priority::Urgent
            } else {
                Priority::Normal
            }
        }
    }
}

/// The content object: the rule's fields that the data has.
pub fn content(rule: &Rule, data: &Value) -> Value {
    let mut map = serde_json::Map::new();
    for key in rule.content {
        if let Some(v) = data.field(key) {
            map.insert((*key).to_string(), v.clone());
        }
    }
    Value::Object(map)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => {
            // Money reads better with two decimals.
            match n.as_f64() {
                Some(f) if n.is_f64() => format!("{f:.2}"),
                _ => n.to_string(),
            }
        }
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seed_one_confirmation_subject_and_content() {
        let r = &rules_for("booking.confirmed", Shape::Legacy)[0];
        assert_eq!(r.template, "booking_confirmation");
        let data = json!({"userName": "Jean Dupont", "parkingName": "P1", "confirmationCode": "CONF-1", "x": 1});
        assert_eq!(subject(r, &data), "Confirmation de votre réservation");
        assert_eq!(
            content(r, &data),
            json!({"userName": "Jean Dupont", "parkingName": "P1", "confirmationCode": "CONF-1"})
        );
    }

    #[test]
    fn placeholders_and_conditions() {
        let r = &rules_for("payment.received", Shape::Legacy)[0];
        assert_eq!(
            subject(r, &json!({"amount": 45.5, "currency": "EUR"})),
            "Paiement confirmé - 45.50 EUR"
        );
        let reminders = rules_for("booking.reminder", Shape::Legacy);
        let data = json!({"hoursUntilStart": 24});
        let hits: Vec<_> = reminders.iter().filter(|r| applies(r, &data)).collect();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].template, "booking_reminder_24h");
        let t = &rules_for("ticket.created", Shape::Legacy)[0];
        assert_eq!(
            priority(t, &json!({"priority": "urgent"})),
            Priority::Urgent
        );
        assert_eq!(priority(t, &json!({"priority": "low"})), Priority::Normal);
    }

    #[test]
    fn seed_two_configs() {
        let r = &rules_for("booking.confirmed", Shape::Domain)[0];
        assert_eq!(r.template, "booking-confirmation");
        assert_eq!(r.targets.len(), 3);
        let f = &rules_for("feedback.published", Shape::Domain)[0];
        assert!(f.targets.iter().all(|(w, _)| *w == Who::Parents));
        assert!(rules_for("resource.created", Shape::Domain).is_empty());
    }
}

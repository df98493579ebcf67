//! Data of seed 1's shapes: the booking service's parking events, reminders and support
//! tickets, with the seed's id formats (BKG-, PAY-, REF-, TXN-, CONF-, user_) and EUR.

use serde_json::{Value, json};

use super::rng::Rand;
use super::words::{self, Person};
use super::{HOUR_MS, iso_s, local_slot, money};

/// Seed 1's user ids look like `user_001`.
fn user_id(r: &mut Rand) -> String {
    format!("user_{:03}", r.between(1, 999))
}

fn person(r: &mut Rand) -> Person {
    let id = user_id(r);
    Person::new(r, id, false)
}

fn prefixed(r: &mut Rand, prefix: &str) -> String {
    format!("{prefix}-{}", r.digits(6))
}

/// `CONF-ABC123`, as in the seed.
fn confirmation_code(r: &mut Rand) -> String {
    format!(
        "CONF-{}{}",
        r.chars(b"ABCDEFGHJKLMNPQRSTUVWXYZ", 3),
        r.digits(3)
    )
}

/// A future parking stay in Paris and its price: 2.50 to 4.50 EUR an hour.
fn stay(r: &mut Rand, now: i64) -> (i64, i64, f64) {
    let hours = r.pick(&[2, 3, 4, 6, 8, 10, 12]);
    let (start, end) = local_slot(r, now, "Europe/Paris", (1, 30), (6, 20), hours * 60);
    let rate = r.between(25, 45) as f64 / 10.0;
    (start, end, money(rate * hours as f64))
}

/// The data of a seed-1 shape of `name`. Within one event, the same user, booking and
/// payment appear wherever the seed repeats them.
pub(crate) fn data(r: &mut Rand, name: &str, now: i64) -> Value {
    let user = person(r);
    let booking_id = prefixed(r, "BKG");
    let (parking, address) = r.pick(words::PARKINGS);
    match name {
        "booking.created" => {
            let (start, end, amount) = stay(r, now);
            json!({
                "bookingId": booking_id,
                "userId": user.id,
                "userEmail": user.email,
                "userName": user.name(),
                "parkingName": parking,
                "parkingAddress": address,
                "startDate": iso_s(start),
                "endDate": iso_s(end),
                "totalAmount": amount,
                "currency": "EUR",
                "status": "pending",
            })
        }
        "booking.confirmed" => {
            let (start, end, _) = stay(r, now);
            json!({
                "bookingId": booking_id,
                "userId": user.id,
                "userEmail": user.email,
                "userName": user.name(),
                "parkingName": parking,
                "startDate": iso_s(start),
                "endDate": iso_s(end),
                "confirmationCode": confirmation_code(r),
                "qrCode": format!("https://storage.slotbase.example/qr-codes/{booking_id}.png"),
            })
        }
        "booking.cancelled" => {
            let (_, _, amount) = stay(r, now);
            // Full refund most of the time; late cancellations get half back.
            let refund = if r.chance(75) {
                amount
            } else {
                money(amount / 2.0)
            };
            json!({
                "bookingId": booking_id,
                "userId": user.id,
                "userEmail": user.email,
                "userName": user.name(),
                "parkingName": parking,
                "cancellationReason": r.pick(words::CANCELLATION_REASONS),
                "refundAmount": refund,
                "refundDate": iso_s(day_start(now + r.between(2, 5) * 24 * HOUR_MS)),
            })
        }
        "payment.received" => {
            let (_, _, amount) = stay(r, now);
            json!({
                "paymentId": prefixed(r, "PAY"),
                "bookingId": booking_id,
                "userId": user.id,
                "userEmail": user.email,
                "amount": amount,
                "currency": "EUR",
                "paymentMethod": r.pick(&["credit_card", "debit_card"]),
                "transactionId": prefixed(r, "TXN"),
                "last4Digits": r.pick(&["4242", "1881", "0005", "5556", "4444", "9424"]),
            })
        }
        "payment.failed" => {
            let (_, _, amount) = stay(r, now);
            let (reason, code) = r.pick(words::CARD_FAILURES);
            json!({
                "paymentId": prefixed(r, "PAY"),
                "bookingId": booking_id,
                "userId": user.id,
                "userEmail": user.email,
                "amount": amount,
                "failureReason": reason,
                "failureCode": code,
            })
        }
        "payment.refunded" => {
            let (_, _, amount) = stay(r, now);
            json!({
                "refundId": prefixed(r, "REF"),
                "paymentId": prefixed(r, "PAY"),
                "bookingId": booking_id,
                "userId": user.id,
                "userEmail": user.email,
                "refundAmount": amount,
                "refundReason": r.pick(words::REFUND_REASONS),
                "processingDays": r.pick(&["3-5 business days", "5-10 business days"]),
            })
        }
        "booking.reminder" => {
            let hours = r.pick(&[24, 2]);
            // Reminders go out on the hourly check, so the start is on the hour.
            let start = (now / HOUR_MS + hours) * HOUR_MS;
            json!({
                "bookingId": booking_id,
                "userId": user.id,
                "hoursUntilStart": hours,
                "userEmail": user.email,
                "userName": user.name(),
                "parkingName": parking,
                "startDate": iso_s(start),
            })
        }
        _ => ticket(r, name, now, &user),
    }
}

fn ticket(r: &mut Rand, name: &str, now: i64, user: &Person) -> Value {
    let ticket_id = r.uuid();
    let number = format!("TCK-{}", r.digits(6));
    let priority = r.pick(super::super::catalog::TICKET_PRIORITIES);
    let agent = person(r);
    let subject = r.pick(words::TICKET_SUBJECTS);
    match name {
        "ticket.created" => {
            let mut v = json!({
                "ticketId": ticket_id,
                "ticketNumber": number,
                "userId": user.id,
                "userEmail": user.email,
                "userName": user.name(),
                "subject": subject,
                "priority": priority,
                "status": "open",
            });
            // The seed notifies the agent only "if (ticket.assignedTo)".
            if r.chance(60) {
                v["assignedTo"] = json!(agent.id);
            }
            v["estimatedResponse"] = json!(match priority {
                "urgent" => "1 hour",
                "high" => "2 hours",
                "normal" => "4 hours",
                _ => "24 hours",
            });
            v
        }
        "ticket.assigned" => {
            let mut v = json!({
                "ticketId": ticket_id,
                "ticketNumber": number,
                "userId": user.id,
                "assignedTo": agent.id,
            });
            if r.chance(70) {
                v["assignedBy"] = json!(user_id(r));
            }
            v["subject"] = json!(subject);
            v["priority"] = json!(priority);
            v
        }
        "ticket.commented" => {
            // Either side of the conversation may write.
            let by_user = r.chance(50);
            let author = if by_user { user } else { &agent };
            let mut v = json!({
                "ticketId": ticket_id,
                "ticketNumber": number,
                "userId": user.id,
                "commentId": r.uuid(),
                "authorId": author.id,
                "authorName": author.name(),
                "authorRole": if by_user { "user" } else { "agent" },
                "comment": r.pick(words::TICKET_COMMENTS),
            });
            if !by_user || r.chance(50) {
                v["assignedTo"] = json!(agent.id);
            }
            v
        }
        "ticket.escalated" => {
            let mut v = json!({
                "ticketId": ticket_id,
                "ticketNumber": number,
                "userId": user.id,
                "subject": subject,
                "priority": r.pick(&["high", "urgent"]),
                "escalatedTo": user_id(r),
            });
            if r.chance(70) {
                v["escalatedBy"] = json!(agent.id);
            }
            if r.chance(70) {
                v["reason"] = json!(r.pick(words::ESCALATION_REASONS));
            }
            v
        }
        "ticket.resolved" => json!({
            "ticketId": ticket_id,
            "ticketNumber": number,
            "userId": user.id,
            "userEmail": user.email,
            "status": "resolved",
            "resolution": r.pick(words::TICKET_RESOLUTIONS),
            "resolvedBy": agent.id,
            "resolvedAt": iso_s(now),
        }),
        _ => {
            let mut v = json!({
                "ticketId": ticket_id,
                "ticketNumber": number,
                "userId": user.id,
                "status": "closed",
                "closedBy": agent.id,
                "closedAt": iso_s(now),
            });
            if r.chance(60) {
                v["resolution"] = json!(r.pick(words::TICKET_RESOLUTIONS));
            }
            v
        }
    }
}

/// Midnight UTC of the day of `ms`.
fn day_start(ms: i64) -> i64 {
    ms - ms.rem_euclid(24 * HOUR_MS)
}

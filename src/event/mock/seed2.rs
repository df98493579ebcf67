//! Data of seed 2's shapes: SlotBase's sports facilities, bookings, payments,
//! subscriptions, coaching, feedback and users. Ids are UUIDs; amounts are in the
//! facility's currency; booking times fall in the facility's opening hours, in its zone.

use serde_json::{Value, json};

use super::rng::Rand;
use super::words::{self, FacilityDef, Person};
use super::{HOUR_MS, MINUTE_MS, iso_s, local_slot, money};

/// One facility and the things every seed-2 event of it shares.
struct Scene {
    def: FacilityDef,
    facility_id: String,
    sport: &'static str,
}

impl Scene {
    fn new(r: &mut Rand) -> Scene {
        let def = r.pick(words::FACILITIES);
        Scene {
            facility_id: r.uuid(),
            sport: r.pick(def.sports),
            def,
        }
    }

    fn person(&self, r: &mut Rand) -> Person {
        let id = r.uuid();
        Person::new(r, id, self.def.us)
    }

    /// A future slot of 60, 90 or 120 minutes between 8:00 and 21:30 local time.
    fn future_slot(&self, r: &mut Rand, now: i64) -> (i64, i64) {
        let minutes = r.pick(&[60, 90, 120]);
        local_slot(r, now, self.def.timezone, (1, 21), (8, 20), minutes)
    }

    /// A slot of yesterday's opening hours: over before `now`, whatever time `now` is.
    fn past_slot(&self, r: &mut Rand, now: i64) -> (i64, i64) {
        let minutes = r.pick(&[60, 90, 120]);
        local_slot(r, now, self.def.timezone, (-1, -1), (8, 20), minutes)
    }

    /// Court prices: 20 to 60 an hour in the facility's currency.
    fn price(&self, r: &mut Rand, start: i64, end: i64) -> f64 {
        let hourly = r.between(4, 12) as f64 * 5.0;
        money(hourly * (end - start) as f64 / HOUR_MS as f64)
    }

    fn resource(&self, r: &mut Rand) -> (String, String, &'static str) {
        let (name, kind) = words::resource(r, self.sport);
        (r.uuid(), name, kind)
    }

    fn online_method(&self, r: &mut Rand) -> &'static str {
        if self.def.us {
            r.pick(&["card", "apple_pay", "google_pay", "ach_debit"])
        } else {
            r.pick(&["card", "apple_pay", "google_pay", "sepa_debit"])
        }
    }
}

fn skills(r: &mut Rand, sport: &str, lo: usize, hi: usize) -> Vec<&'static str> {
    let n = r.between(lo as i64, hi as i64) as usize;
    r.sample(words::skills(sport), n)
}

fn uuids(r: &mut Rand, lo: i64, hi: i64) -> Vec<String> {
    (0..r.between(lo, hi)).map(|_| r.uuid()).collect()
}

/// The data of a seed-2 shape of `name`.
pub(crate) fn data(r: &mut Rand, name: &str, now: i64) -> Value {
    let s = Scene::new(r);
    let fid = s.facility_id.clone();
    let cur = s.def.currency;
    match name {
        "booking.hold.created" => {
            let user = s.person(r);
            let (rid, _, _) = s.resource(r);
            let (start, end) = s.future_slot(r, now);
            json!({
                "holdId": r.uuid(),
                "bookingId": r.uuid(),
                "facilityId": fid,
                "resourceId": rid,
                "userId": user.id,
                "startAt": iso_s(start),
                "endAt": iso_s(end),
                "expiresAt": iso_s(now / 1000 * 1000 + r.pick(&[10, 15]) * MINUTE_MS),
                "priceAmount": s.price(r, start, end),
                "priceCurrency": cur,
            })
        }
        "booking.confirmed" => {
            let booker = s.person(r);
            let (rid, rname, _) = s.resource(r);
            let (start, end) = s.future_slot(r, now);
            // The booker is the first participant; 1 to 4 in all.
            let mut participants = vec![json!({
                "userId": booker.id,
                "name": booker.name(),
                "role": "organizer",
            })];
            for _ in 1..r.between(1, 4) {
                let p = s.person(r);
                participants.push(json!({
                    "userId": p.id,
                    "name": p.name(),
                    "role": r.pick(words::PARTICIPANT_ROLES),
                }));
            }
            let method = r.pick(&["online", "online", "online", "offline", "waived"]);
            let price = if method == "waived" {
                0.0
            } else {
                s.price(r, start, end)
            };
            let recurring = r.chance(25);
            let mut v = json!({
                "bookingId": r.uuid(),
                "facilityId": fid,
                "resourceId": rid,
                "resourceName": rname,
                "bookerId": booker.id,
                "bookerName": booker.name(),
                "bookerEmail": booker.email,
                "participants": participants,
                "startAt": iso_s(start),
                "endAt": iso_s(end),
                "timezone": s.def.timezone,
                "bookingType": r.pick(words::BOOKING_TYPES),
                "priceAmount": price,
                "priceCurrency": cur,
                "paymentMethod": method,
                "isRecurring": recurring,
            });
            if recurring {
                v["recurringBookingId"] = json!(r.uuid());
            }
            v
        }
        "booking.cancelled" => {
            let booker = s.person(r);
            let (rid, _, _) = s.resource(r);
            let no_show = r.chance(10);
            let (start, end) = if no_show {
                s.past_slot(r, now)
            } else {
                s.future_slot(r, now)
            };
            let by_staff = !no_show && r.chance(25);
            let mut v = json!({
                "bookingId": r.uuid(),
                "facilityId": fid,
                "resourceId": rid,
                "bookerId": booker.id,
                "startAt": iso_s(start),
                "endAt": iso_s(end),
                "cancelledBy": if by_staff { r.uuid() } else { booker.id.clone() },
                "cancellationReason": if no_show { "No-show" } else { r.pick(words::SEED2_CANCEL_REASONS) },
            });
            // No refund for a no-show; otherwise most cancellations are refunded.
            if !no_show && r.chance(70) {
                v["refundAmount"] = json!(s.price(r, start, end));
                v["refundStatus"] = json!(r.pick(&["pending", "processed"]));
            }
            v["wasNoShow"] = json!(no_show);
            v
        }
        "booking.checked_in" => {
            let user = s.person(r);
            let by = r.pick(&["self", "self", "staff"]);
            let method = if by == "self" {
                r.pick(&["qr_code", "access_code"])
            } else {
                r.pick(&["manual", "qr_code"])
            };
            json!({
                "bookingId": r.uuid(),
                "facilityId": fid,
                "userId": user.id,
                "checkedInAt": iso_s(now),
                "checkedInBy": by,
                "method": method,
            })
        }
        "booking.no_show" => {
            let user = s.person(r);
            let scheduled =
                (now - r.between(15, 45) * MINUTE_MS) / (30 * MINUTE_MS) * (30 * MINUTE_MS);
            let strikes = r.between(1, 3);
            json!({
                "bookingId": r.uuid(),
                "facilityId": fid,
                "userId": user.id,
                "scheduledAt": iso_s(scheduled),
                "markedAt": iso_s(now),
                "feeCharged": r.pick(&[0.0, 10.0, 15.0, 25.0]),
                "strikeCount": strikes,
                "restrictionApplied": strikes >= 3,
            })
        }
        "booking.completed" => {
            let booker = s.person(r);
            let (rid, _, _) = s.resource(r);
            let (start, end) = s.past_slot(r, now);
            let mut participants = vec![booker.id.clone()];
            participants.extend(uuids(r, 0, 3));
            let coaching = r.chance(30);
            let mut v = json!({
                "bookingId": r.uuid(),
                "facilityId": fid,
                "resourceId": rid,
                "bookerId": booker.id,
                "participants": participants,
                "startAt": iso_s(start),
                "endAt": iso_s(end),
                "actualDuration": (end - start) / MINUTE_MS - r.between(0, 10),
                "wasCoachingSession": coaching,
            });
            if coaching {
                v["coachingSessionId"] = json!(r.uuid());
            }
            v
        }
        "booking.reminder.sent" => {
            let user = s.person(r);
            json!({
                "bookingId": r.uuid(),
                "userId": user.id,
                "reminderType": r.pick(&["24h", "1h", "custom"]),
                "channel": r.pick(&["email", "sms", "push"]),
                "sentAt": iso_s(now),
            })
        }
        "payment.succeeded" => {
            let payer = s.person(r);
            let method = s.online_method(r);
            let reference = r.pick(&["booking", "booking", "subscription", "invoice"]);
            let amount = money(r.between(2000, 15000) as f64 / 100.0);
            let mut v = json!({
                "transactionId": r.uuid(),
                "facilityId": fid,
                "billingAccountId": r.uuid(),
                "payerId": payer.id,
                "amount": amount,
                "currency": cur,
                "paymentMethod": method,
                "referenceType": reference,
                "referenceId": r.uuid(),
            });
            // Card-network payments go through Stripe; bank debits may not.
            if !method.ends_with("_debit") || r.chance(50) {
                v["stripePaymentIntentId"] = json!(format!("pi_{}", r.chars(ALNUM, 24)));
            }
            v
        }
        "payment.failed" => {
            let payer = s.person(r);
            let (reason, code) = r.pick(words::CARD_FAILURES);
            let retries = r.between(0, 3);
            let mut v = json!({});
            if r.chance(80) {
                v["transactionId"] = json!(r.uuid());
            }
            v["facilityId"] = json!(fid);
            v["billingAccountId"] = json!(r.uuid());
            v["payerId"] = json!(payer.id);
            v["amount"] = json!(money(r.between(2000, 15000) as f64 / 100.0));
            v["currency"] = json!(cur);
            v["failureReason"] = json!(reason);
            if r.chance(85) {
                v["failureCode"] = json!(code);
            }
            v["referenceType"] = json!(r.pick(&["booking", "subscription", "invoice"]));
            v["referenceId"] = json!(r.uuid());
            v["retryCount"] = json!(retries);
            // Retries back off 1h, 2h, 4h; after the third there is none.
            if retries < 3 {
                v["nextRetryAt"] = json!(iso_s(now + (1 << retries) * HOUR_MS));
            }
            v
        }
        "payment.refunded" => json!({
            "refundId": r.uuid(),
            "transactionId": r.uuid(),
            "facilityId": fid,
            "amount": money(r.between(2000, 12000) as f64 / 100.0),
            "currency": cur,
            "reason": r.pick(&["Booking cancelled", "Duplicate charge", "Court unavailable", "Requested by customer"]),
            "refundedBy": r.uuid(),
            "referenceType": r.pick(&["booking", "subscription", "invoice"]),
            "referenceId": r.uuid(),
        }),
        "offline_payment.recorded" => {
            let payer = s.person(r);
            let method = if s.def.us {
                r.pick(&["cash", "check", "venmo", "zelle", "other"])
            } else {
                r.pick(&["cash", "check", "bank_transfer", "other"])
            };
            let mut v = json!({
                "offlinePaymentId": r.uuid(),
                "facilityId": fid,
                "billingAccountId": r.uuid(),
                "amount": money(r.between(4, 30) as f64 * 5.0),
                "currency": cur,
                "paymentMethod": method,
            });
            if method != "cash" {
                v["referenceNumber"] = json!(r.digits(if method == "check" { 7 } else { 10 }));
            }
            v["payerName"] = json!(payer.name());
            v["recordedBy"] = json!(r.uuid());
            v["paymentDate"] = json!(iso_s(now - r.between(0, 3) * 24 * HOUR_MS));
            if r.chance(70) {
                v["bookingId"] = json!(r.uuid());
            }
            v
        }
        "subscription.created" => {
            let (plan_id, plan_name, monthly) = r.pick(words::SUBSCRIPTION_PLANS);
            let cycle = r.pick(&["monthly", "annual"]);
            let trial = r.chance(40);
            let start = now / 1000 * 1000;
            let end = add_period(start, cycle);
            let mut v = json!({
                "subscriptionId": r.uuid(),
                "facilityId": fid,
                "planId": plan_id,
                "planName": plan_name,
                "billingCycle": cycle,
                "status": if trial { "trialing" } else { "active" },
            });
            if trial {
                v["trialEnd"] = json!(iso_s(start + 14 * 24 * HOUR_MS));
            }
            v["currentPeriodStart"] = json!(iso_s(start));
            v["currentPeriodEnd"] = json!(iso_s(end));
            if r.chance(25) {
                v["couponApplied"] = json!(r.pick(&["LAUNCH20", "CLUB10", "SPRING25"]));
                v["discountAmount"] = json!(money(monthly * 0.2));
            }
            v
        }
        "subscription.renewed" => {
            let (plan_id, _, monthly) = r.pick(words::SUBSCRIPTION_PLANS);
            let cycle = r.pick(&["monthly", "annual"]);
            let boundary = now / 1000 * 1000;
            json!({
                "subscriptionId": r.uuid(),
                "facilityId": fid,
                "planId": plan_id,
                "previousPeriodEnd": iso_s(boundary),
                "newPeriodStart": iso_s(boundary),
                "newPeriodEnd": iso_s(add_period(boundary, cycle)),
                "amount": if cycle == "annual" { money(monthly * 10.0) } else { monthly },
                "currency": cur,
            })
        }
        "subscription.cancelled" => {
            let at_end = r.chance(70);
            let effective = if at_end {
                now + r.between(1, 29) * 24 * HOUR_MS
            } else {
                now
            };
            let mut v = json!({
                "subscriptionId": r.uuid(),
                "facilityId": fid,
                "cancelledBy": r.uuid(),
            });
            if r.chance(70) {
                v["cancelReason"] = json!(r.pick(words::SUBSCRIPTION_CANCEL_REASONS));
            }
            v["cancelAtPeriodEnd"] = json!(at_end);
            v["effectiveDate"] = json!(iso_s(effective));
            v
        }
        "subscription.plan_changed" => {
            let pair = r.sample(words::SUBSCRIPTION_PLANS, 2);
            let upgrade = r.chance(60);
            let (from, to) = if upgrade {
                (pair[0], pair[1])
            } else {
                (pair[1], pair[0])
            };
            let mut v = json!({
                "subscriptionId": r.uuid(),
                "facilityId": fid,
                "previousPlanId": from.0,
                "previousPlanName": from.1,
                "newPlanId": to.0,
                "newPlanName": to.1,
                "changeType": if upgrade { "upgrade" } else { "downgrade" },
                "effectiveDate": iso_s(now),
            });
            // Upgrades are charged the prorated difference at once.
            if upgrade {
                let share = r.between(10, 90) as f64 / 100.0;
                v["proratedAmount"] = json!(money((to.2 - from.2) * share));
            }
            v
        }
        "subscription.limit_warning" => {
            let (entitlement, limit) = r.pick(words::ENTITLEMENTS);
            let level = r.pick(&["approaching", "approaching", "at_limit", "exceeded"]);
            let usage = match level {
                "approaching" => limit * r.between(80, 99) / 100,
                "at_limit" => limit,
                _ => limit * r.between(101, 125) / 100,
            };
            json!({
                "subscriptionId": r.uuid(),
                "facilityId": fid,
                "entitlementType": entitlement,
                "currentUsage": usage,
                "limit": limit,
                "percentUsed": (usage as f64 * 1000.0 / limit as f64).round() / 10.0,
                "warningLevel": level,
                "recommendedAction": if level == "approaching" {
                    "Review usage or upgrade before the limit is reached"
                } else {
                    "Upgrade your plan to keep accepting new activity"
                },
            })
        }
        "coach.block.requested" => {
            let coach = s.person(r);
            let (rid, rname, _) = s.resource(r);
            let (start, end) = s.future_slot(r, now);
            let mut v = json!({
                "blockId": r.uuid(),
                "coachId": coach.id,
                "coachName": coach.name(),
                "facilityId": fid,
                "resourceId": rid,
                "resourceName": rname,
                "startAt": iso_s(start),
                "endAt": iso_s(end),
                "blockType": r.pick(words::BLOCK_TYPES),
            });
            if r.chance(60) {
                v["reason"] = json!(r.pick(words::BLOCK_REASONS));
            }
            v["requiresApproval"] = json!(r.chance(70));
            v
        }
        "coach.block.approved" => json!({
            "blockId": r.uuid(),
            "coachId": r.uuid(),
            "facilityId": fid,
            "approvedBy": r.uuid(),
            "approvedAt": iso_s(now),
        }),
        "coach.block.rejected" => json!({
            "blockId": r.uuid(),
            "coachId": r.uuid(),
            "facilityId": fid,
            "rejectedBy": r.uuid(),
            "rejectedAt": iso_s(now),
            "rejectionReason": r.pick(words::REJECTION_REASONS),
        }),
        "coach.session.completed" => {
            let coach = s.person(r);
            let (start, end) = s.past_slot(r, now);
            let students: Vec<(String, String, Vec<String>)> = (0..r.between(1, 4))
                .map(|_| {
                    let p = s.person(r);
                    let parents = uuids(r, 1, 2);
                    (p.id.clone(), p.name(), parents)
                })
                .collect();
            // Usually everyone came; sometimes one or more missed it, never all of them.
            let attended_n = if r.chance(70) {
                students.len()
            } else {
                r.between(1, students.len() as i64) as usize
            };
            let ids: Vec<&str> = students.iter().map(|s| s.0.as_str()).collect();
            let attended = r.sample(&ids, attended_n);
            json!({
                "sessionId": r.uuid(),
                "bookingId": r.uuid(),
                "coachId": coach.id,
                "coachName": coach.name(),
                "facilityId": fid,
                "sessionType": r.pick(words::SESSION_TYPES),
                "students": students
                    .iter()
                    .map(|(id, name, parents)| json!({"userId": id, "name": name, "parentIds": parents}))
                    .collect::<Vec<_>>(),
                "startAt": iso_s(start),
                "endAt": iso_s(end),
                "attendedStudents": attended,
            })
        }
        "feedback.created" => json!({
            "feedbackId": r.uuid(),
            "sessionId": r.uuid(),
            "coachId": r.uuid(),
            "facilityId": fid,
            "hasVoiceNote": r.chance(40),
            "hasMedia": r.chance(50),
        }),
        "feedback.enhanced" => {
            let kind = r.pick(&[
                "transcription",
                "text_enhancement",
                "skill_extraction",
                "all",
            ]);
            // A bare transcription extracts no skills.
            let extracted = if kind == "transcription" {
                Vec::new()
            } else {
                skills(r, s.sport, 1, 4)
            };
            json!({
                "feedbackId": r.uuid(),
                "sessionId": r.uuid(),
                "enhancementType": kind,
                "skillsExtracted": extracted,
                "processingTime": r.between(800, 15000),
            })
        }
        "feedback.published" => {
            let coach = s.person(r);
            let student = s.person(r);
            json!({
                "feedbackId": r.uuid(),
                "sessionId": r.uuid(),
                "coachId": coach.id,
                "coachName": coach.name(),
                "facilityId": fid,
                "studentId": student.id,
                "studentName": student.name(),
                "parentIds": uuids(r, 1, 2),
                "hasVideo": r.chance(40),
                "hasPhotos": r.chance(40),
                "skillsWorked": skills(r, s.sport, 1, 4),
            })
        }
        "media.uploaded" => {
            let kind = r.pick(&["video", "photo", "audio"]);
            let (file, size, duration) = match kind {
                "video" => {
                    let secs = r.between(15, 300);
                    (
                        format!("VID_{}.mp4", compact(now)),
                        secs * r.between(400_000, 1_200_000),
                        Some(secs as f64 + r.below(10) as f64 / 10.0),
                    )
                }
                "audio" => {
                    let secs = r.between(10, 180);
                    (
                        format!("voice-note-{}.m4a", compact(now)),
                        secs * 16_000,
                        Some(secs as f64),
                    )
                }
                _ => (
                    format!("IMG_{}.jpg", r.digits(4)),
                    r.between(800_000, 6_000_000),
                    None,
                ),
            };
            let mut v = json!({
                "mediaId": r.uuid(),
                "feedbackId": r.uuid(),
                "mediaType": kind,
                "fileName": file,
                "fileSizeBytes": size,
            });
            if let Some(d) = duration {
                v["durationSeconds"] = json!(d);
            }
            v["uploadedBy"] = json!(r.uuid());
            v
        }
        "media.processed" => {
            let media_id = r.uuid();
            let kind = r.pick(&["transcoding", "thumbnail", "ai_analysis"]);
            let ok = r.chance(90);
            let mut v = json!({
                "mediaId": media_id,
                "feedbackId": r.uuid(),
                "processingType": kind,
                "success": ok,
            });
            if ok {
                let ext = match kind {
                    "transcoding" => "mp4",
                    "thumbnail" => "jpg",
                    _ => "json",
                };
                v["outputUrl"] = json!(format!(
                    "https://media.slotbase.example/{media_id}/{kind}.{ext}"
                ));
                if kind == "ai_analysis" {
                    v["aiInsights"] = json!({
                        "detectedSkills": skills(r, s.sport, 1, 3),
                        "confidence": r.between(60, 98) as f64 / 100.0,
                        "summary": "Good rhythm; work on preparation before contact.",
                    });
                }
            }
            v["processingTime"] = json!(r.between(500, 60_000));
            v
        }
        "progress.updated" => {
            let skill = r.pick(words::skills(s.sport));
            // Levels move in half steps on a 1–7 scale.
            let previous = r.between(2, 12) as f64 / 2.0;
            let new = previous + 0.5;
            json!({
                "playerId": r.uuid(),
                "skillId": r.uuid(),
                "skillName": skill,
                "sport": s.sport,
                "previousLevel": previous,
                "newLevel": new,
                "assessedBy": r.uuid(),
                "improvementPercent": ((new - previous) / previous * 1000.0).round() / 10.0,
            })
        }
        "user.created" => {
            let user = s.person(r);
            let source = r.pick(&["web", "mobile", "mobile", "admin", "invitation"]);
            let mut v = json!({
                "userId": user.id,
                "email": user.email,
                "firstName": user.first,
                "lastName": user.last,
                "registrationSource": source,
            });
            // Staff-created and invited users always belong to a facility.
            if source == "admin" || source == "invitation" || r.chance(50) {
                v["facilityId"] = json!(fid);
            }
            v
        }
        "user.role_assigned" => {
            let org_scope = r.chance(20);
            json!({
                "userId": r.uuid(),
                "role": r.pick(words::ROLES),
                "scopeType": if org_scope { "organization" } else { "facility" },
                "scopeId": if org_scope { r.uuid() } else { fid },
                "grantedBy": r.uuid(),
            })
        }
        "parent_child.linked" => {
            let n = r.between(2, 5) as usize;
            json!({
                "parentId": r.uuid(),
                "childId": r.uuid(),
                "relationship": r.pick(words::RELATIONSHIPS),
                "isPrimary": r.chance(70),
                "permissions": r.sample(words::PARENT_PERMISSIONS, n),
            })
        }
        "facility.created" => json!({
            "facilityId": fid,
            "name": s.def.name,
            "timezone": s.def.timezone,
            "sportTypes": s.def.sports,
            "ownerId": r.uuid(),
        }),
        "facility.settings_updated" => {
            let n = r.between(1, 3) as usize;
            json!({
                "facilityId": fid,
                "changedSettings": r.sample(words::SETTINGS, n),
                "changedBy": r.uuid(),
            })
        }
        "resource.created" => {
            let (rid, rname, kind) = s.resource(r);
            json!({
                "resourceId": rid,
                "facilityId": fid,
                "name": rname,
                "resourceType": kind,
            })
        }
        "lost_item.reported" => {
            let (description, category) = r.pick(words::LOST_ITEMS);
            json!({
                "itemId": r.uuid(),
                "facilityId": fid,
                "description": description,
                "category": category,
                "foundLocation": r.pick(words::FOUND_LOCATIONS),
                "reportedBy": r.uuid(),
            })
        }
        _ => json!({
            "itemId": r.uuid(),
            "facilityId": fid,
            "claimedBy": r.uuid(),
            "verifiedBy": r.uuid(),
        }),
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// One billing period later: a calendar month or year, on the same day and time.
fn add_period(ms: i64, cycle: &str) -> i64 {
    use chrono::Months;
    let months = if cycle == "annual" { 12 } else { 1 };
    chrono::DateTime::from_timestamp_millis(ms)
        .and_then(|t| t.checked_add_months(Months::new(months)))
        .map(|t| t.timestamp_millis())
        .unwrap_or(ms + i64::from(months) * 30 * 24 * HOUR_MS)
}

/// `20260112_101500`, as phones name their recordings.
fn compact(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y%m%d_%H%M%S").to_string())
        .unwrap_or_default()
}

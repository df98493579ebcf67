//! Unit tests of the event model: catalog, mock data, overrides, validation, parsing.

use serde_json::{Value, json};

use super::*;

const BOTH: [Format; 2] = [Format::Domain, Format::Legacy];

fn defaults() -> EnvelopeDefaults {
    EnvelopeDefaults {
        source: "booking-service".into(),
        environment: "staging".into(),
    }
}

fn gen_one(name: &str, format: Format, seed: u64) -> Value {
    let ty = lookup(name).unwrap();
    MockGen::new(Some(seed)).event(ty, format, &defaults())
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {v}"))
}

fn time(v: &Value, pointer: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(s(v, pointer)).unwrap()
}

fn matches(text: &str, prefix: &str, digits: usize) -> bool {
    text.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == digits && rest.bytes().all(|b| b.is_ascii_digit()))
}

// ---- catalog ------------------------------------------------------------------------

#[test]
fn catalog_holds_every_type_of_both_seeds() {
    let all = catalog();
    let seed1: Vec<_> = all.iter().filter(|t| t.seed1.is_some()).collect();
    let seed2: Vec<_> = all.iter().filter(|t| t.seed2.is_some()).collect();
    let both: Vec<&str> = all
        .iter()
        .filter(|t| t.has_both_forms())
        .map(|t| t.name)
        .collect();
    assert_eq!(seed1.len(), 13, "6 booking-service + reminder + 6 tickets");
    assert_eq!(seed2.len(), 34);
    assert_eq!(all.len(), 43);
    assert_eq!(
        both,
        [
            "booking.confirmed",
            "booking.cancelled",
            "payment.failed",
            "payment.refunded"
        ]
    );
    let mut names: Vec<&str> = names().collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "names are unique");
    for name in FACILITY_WEBHOOK_EVENTS {
        assert!(lookup(name).unwrap().seed2.is_some(), "{name}");
    }
    assert_eq!(FACILITY_WEBHOOK_EVENTS.len(), 16);
}

#[test]
fn catalog_shapes_follow_the_seeds() {
    let confirmed = lookup("booking.confirmed").unwrap();
    assert_eq!(confirmed.seed_label(), "1+2");
    assert_eq!(confirmed.forms(), [Format::Domain, Format::Legacy]);
    let domain: Vec<&str> = confirmed
        .fields(Format::Domain)
        .iter()
        .map(|f| f.name)
        .collect();
    let legacy: Vec<&str> = confirmed
        .fields(Format::Legacy)
        .iter()
        .map(|f| f.name)
        .collect();
    assert!(domain.contains(&"participants") && !domain.contains(&"parkingName"));
    assert!(legacy.contains(&"confirmationCode") && !legacy.contains(&"participants"));
    let recurring = confirmed
        .fields(Format::Domain)
        .iter()
        .find(|f| f.name == "recurringBookingId")
        .unwrap();
    assert!(!recurring.required, "`?` in the seed means optional");

    // A one-seed type carries the same data in either envelope.
    let ticket = lookup("ticket.created").unwrap();
    assert_eq!(ticket.seed_label(), "1");
    assert_eq!(ticket.forms(), [Format::Legacy]);
    assert_eq!(ticket.fields(Format::Domain), ticket.fields(Format::Legacy));
    let hold = lookup("booking.hold.created").unwrap();
    assert_eq!(hold.seed_label(), "2");
    assert_eq!(hold.fields(Format::Legacy), hold.fields(Format::Domain));

    let reminder = lookup("booking.reminder").unwrap();
    let hours = reminder.fields(Format::Legacy)[2];
    assert_eq!(
        (hours.name, hours.ty),
        ("hoursUntilStart", FieldType::Integer)
    );
}

#[test]
fn context_fields_come_from_data_fields_of_the_domain_form() {
    for ty in catalog() {
        for c in ty.context {
            assert!(
                ["facilityId", "userId", "organizationId"].contains(&c.name),
                "{}",
                ty.name
            );
            if let Some(from) = c.from {
                assert!(
                    ty.fields(Format::Domain).iter().any(|f| f.name == from),
                    "{}: {} from missing field {from}",
                    ty.name,
                    c.name
                );
            }
        }
    }
}

#[test]
fn lookup_suggests_close_names() {
    let err = lookup("booking.confimred").unwrap_err();
    let EventError::UnknownType { suggestions, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(suggestions[0], "booking.confirmed");
    assert!(err.to_string().contains("did you mean"), "{err}");
}

// ---- mock data ------------------------------------------------------------------------

#[test]
fn every_type_generates_valid_events_in_every_form() {
    for seed in 0..40 {
        let mut mock = MockGen::new(Some(seed));
        for ty in catalog() {
            for format in BOTH {
                let ev = mock.event(ty, format, &defaults());
                if let Err(e) = validate(&ev, ty, format) {
                    panic!("{} {format:?} seed {seed}: {e}\n{ev:#}", ty.name);
                }
            }
        }
    }
}

#[test]
fn unseeded_events_are_valid_and_distinct() {
    let ty = lookup("booking.confirmed").unwrap();
    let mut mock = MockGen::new(None);
    let a = mock.event(ty, Format::Domain, &defaults());
    let b = mock.event(ty, Format::Domain, &defaults());
    validate(&a, ty, Format::Domain).unwrap();
    assert_ne!(a["id"], b["id"]);
}

#[test]
fn every_optional_field_is_generated_sometimes() {
    for ty in catalog() {
        for format in ty.forms() {
            let mut mock = MockGen::new(Some(11));
            let events: Vec<Value> = (0..200)
                .map(|_| mock.event(ty, *format, &defaults()))
                .collect();
            for f in ty.fields(*format).iter().filter(|f| !f.required) {
                assert!(
                    events.iter().any(|e| e["data"].get(f.name).is_some()),
                    "{} never generates {}",
                    ty.name,
                    f.name
                );
            }
        }
    }
}

#[test]
fn same_seed_gives_identical_events() {
    let run = |seed| {
        let mut mock = MockGen::new(Some(seed));
        catalog()
            .iter()
            .flat_map(|ty| BOTH.map(|f| mock.event(ty, f, &defaults()).to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(42), run(42));
    assert_ne!(run(42), run(43));
}

#[test]
fn seeded_times_are_fixed_and_start_from_2026() {
    let ev = gen_one("booking.hold.created", Format::Domain, 9);
    let ts = time(&ev, "/timestamp");
    assert!(ts.to_rfc3339().starts_with("2026-0"), "{ts}");
    assert!(time(&ev, "/occurredAt") <= ts);
    assert_eq!(ev, gen_one("booking.hold.created", Format::Domain, 9));
}

#[test]
fn bookings_end_after_they_start_and_lie_ahead() {
    for seed in 0..50 {
        for (name, format, start, end) in [
            ("booking.confirmed", Format::Domain, "startAt", "endAt"),
            ("booking.hold.created", Format::Domain, "startAt", "endAt"),
            ("coach.block.requested", Format::Domain, "startAt", "endAt"),
            ("booking.confirmed", Format::Legacy, "startDate", "endDate"),
            ("booking.created", Format::Legacy, "startDate", "endDate"),
        ] {
            let ev = gen_one(name, format, seed);
            let (a, b) = (
                time(&ev, &format!("/data/{start}")),
                time(&ev, &format!("/data/{end}")),
            );
            assert!(b > a, "{name} seed {seed}: {a} .. {b}");
            assert!(
                a > time(&ev, "/timestamp"),
                "{name} seed {seed} in the past"
            );
        }
        let done = gen_one("booking.completed", Format::Domain, seed);
        assert!(time(&done, "/data/endAt") > time(&done, "/data/startAt"));
        assert!(time(&done, "/data/endAt") < time(&done, "/timestamp"));
        let hold = gen_one("booking.hold.created", Format::Domain, seed);
        assert!(time(&hold, "/data/expiresAt") > time(&hold, "/timestamp"));
    }
}

#[test]
fn ids_follow_each_seeds_formats() {
    for seed in 0..20 {
        let created = gen_one("booking.created", Format::Legacy, seed);
        assert!(matches(s(&created, "/data/bookingId"), "BKG-", 6));
        assert!(matches(s(&created, "/data/userId"), "user_", 3));
        assert_eq!(s(&created, "/data/currency"), "EUR");
        uuid::Uuid::parse_str(s(&created, "/eventId")).unwrap();

        let paid = gen_one("payment.received", Format::Legacy, seed);
        assert!(matches(s(&paid, "/data/paymentId"), "PAY-", 6));
        assert!(matches(s(&paid, "/data/transactionId"), "TXN-", 6));
        let refunded = gen_one("payment.refunded", Format::Legacy, seed);
        assert!(matches(s(&refunded, "/data/refundId"), "REF-", 6));

        let confirmed = gen_one("booking.confirmed", Format::Legacy, seed);
        let code = s(&confirmed, "/data/confirmationCode");
        let rest = code.strip_prefix("CONF-").unwrap();
        assert!(rest[..3].bytes().all(|b| b.is_ascii_uppercase()), "{code}");
        assert!(rest[3..].bytes().all(|b| b.is_ascii_digit()) && rest.len() == 6);

        let domain = gen_one("booking.confirmed", Format::Domain, seed);
        for p in ["/id", "/correlationId", "/data/bookingId", "/data/bookerId"] {
            uuid::Uuid::parse_str(s(&domain, p)).unwrap_or_else(|_| panic!("{p}"));
        }
    }
}

#[test]
fn one_event_tells_one_consistent_story() {
    for seed in 0..30 {
        let ev = gen_one("booking.confirmed", Format::Domain, seed);
        let d = &ev["data"];
        assert_eq!(ev["userId"], d["bookerId"]);
        assert_eq!(ev["facilityId"], d["facilityId"]);
        let participants = d["participants"].as_array().unwrap();
        assert!((1..=4).contains(&participants.len()));
        assert_eq!(participants[0]["userId"], d["bookerId"]);
        assert_eq!(participants[0]["name"], d["bookerName"]);
        let last = s(d, "/bookerName").rsplit(' ').next().unwrap();
        assert!(
            s(d, "/bookerEmail").contains(&mock_mailbox(last)),
            "{} / {}",
            d["bookerName"],
            d["bookerEmail"]
        );
        let (cur, tz) = (s(d, "/priceCurrency"), s(d, "/timezone"));
        assert!(
            (cur == "USD") == tz.starts_with("America/") && ["EUR", "USD"].contains(&cur),
            "{cur} {tz}"
        );
        assert_eq!(ev["metadata"]["environment"], "staging");
        assert_eq!(ev["source"], "booking-service");

        let legacy = gen_one("booking.created", Format::Legacy, seed);
        let last = s(&legacy, "/data/userName").rsplit(' ').next().unwrap();
        assert!(s(&legacy, "/data/userEmail").contains(&mock_mailbox(last)));

        let session = gen_one("coach.session.completed", Format::Domain, seed);
        let students: Vec<&Value> = session["data"]["students"]
            .as_array()
            .unwrap()
            .iter()
            .map(|st| &st["userId"])
            .collect();
        assert!((1..=4).contains(&students.len()));
        let attended = session["data"]["attendedStudents"].as_array().unwrap();
        assert!(!attended.is_empty() && attended.iter().all(|a| students.contains(&a)));
        assert_eq!(session["userId"], session["data"]["coachId"]);
    }
}

fn mock_mailbox(name: &str) -> String {
    name.to_lowercase()
        .replace(['é', 'è'], "e")
        .replace('ë', "e")
        .replace('ç', "c")
}

#[test]
fn legacy_form_of_a_seed_two_type_wraps_the_domain_data() {
    let ev = gen_one("coach.block.approved", Format::Legacy, 3);
    let keys: Vec<&str> = ev.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(keys, ["eventType", "eventId", "timestamp", "data"]);
    assert_eq!(ev["eventType"], "coach.block.approved");
    assert!(ev["data"]["approvedBy"].is_string());
}

// ---- --set ----------------------------------------------------------------------------

fn confirmed() -> (Value, &'static EventType) {
    let ty = lookup("booking.confirmed").unwrap();
    (gen_one("booking.confirmed", Format::Domain, 5), ty)
}

fn set(ev: &mut Value, ty: &EventType, path: &str, raw: &str) -> Result<(), EventError> {
    apply_set(ev, ty, Format::Domain, path, raw)
}

#[test]
fn set_keeps_numbers_booleans_and_strings_typed() {
    let (mut ev, ty) = confirmed();
    set(&mut ev, ty, "data.priceAmount", "45.5").unwrap();
    assert_eq!(ev["data"]["priceAmount"], json!(45.5));
    set(&mut ev, ty, "data.isRecurring", "true").unwrap();
    assert_eq!(ev["data"]["isRecurring"], json!(true));
    set(&mut ev, ty, "data.bookerEmail", "me@x.io").unwrap();
    assert_eq!(ev["data"]["bookerEmail"], "me@x.io");
    set(&mut ev, ty, "data.resourceName", "\"Court 1\"").unwrap();
    assert_eq!(ev["data"]["resourceName"], "Court 1");
    set(&mut ev, ty, "data.paymentMethod", "waived").unwrap();
    set(&mut ev, ty, "data.startAt", "2026-03-01T09:00:00+01:00").unwrap();
    set(&mut ev, ty, "facilityId", "fac_1").unwrap();
    set(&mut ev, ty, "metadata.clientIp", "203.0.113.9").unwrap();
    assert_eq!(ev["metadata"]["clientIp"], "203.0.113.9");
    validate(&ev, ty, Format::Domain).unwrap();
}

#[test]
fn set_rejects_values_of_the_wrong_type_naming_the_field() {
    let (mut ev, ty) = confirmed();
    let err = set(&mut ev, ty, "data.priceAmount", "abc").unwrap_err();
    assert_eq!(
        err.to_string(),
        "field \"data.priceAmount\" expects a number, got \"abc\""
    );
    let err = set(&mut ev, ty, "data.isRecurring", "yes").unwrap_err();
    assert_eq!(
        err.to_string(),
        "field \"data.isRecurring\" expects true or false, got \"yes\""
    );
    let err = set(&mut ev, ty, "data.paymentMethod", "bitcoin").unwrap_err();
    assert_eq!(
        err.to_string(),
        "field \"data.paymentMethod\" expects one of \"online\", \"offline\", \"waived\", got \"bitcoin\""
    );
    let err = set(&mut ev, ty, "data.startAt", "tomorrow").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("field \"data.startAt\" expects an RFC 3339 date-time"),
        "{err}"
    );

    let no_show = lookup("booking.no_show").unwrap();
    let mut ev = gen_one("booking.no_show", Format::Domain, 1);
    let err = set(&mut ev, no_show, "data.strikeCount", "4.5").unwrap_err();
    assert_eq!(
        err,
        EventError::WrongType {
            path: "data.strikeCount".into(),
            expected: "an integer".into(),
            found: "4.5".into(),
        }
    );
    set(&mut ev, no_show, "data.strikeCount", "4").unwrap();
    assert_eq!(ev["data"]["strikeCount"], json!(4));
}

#[test]
fn set_takes_json_for_arrays_and_objects_and_addresses_entries() {
    let (mut ev, ty) = confirmed();
    set(
        &mut ev,
        ty,
        "data.participants",
        r#"[{"userId":"u1","name":"Léa Martin","role":"organizer"}]"#,
    )
    .unwrap();
    assert_eq!(ev["data"]["participants"][0]["name"], "Léa Martin");
    set(&mut ev, ty, "data.participants.0.name", "Jean Dupont").unwrap();
    assert_eq!(ev["data"]["participants"][0]["name"], "Jean Dupont");
    validate(&ev, ty, Format::Domain).unwrap();

    let err = set(&mut ev, ty, "data.participants", r#"[{"userId": 1}]"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "field \"data.participants.0.userId\" expects a string, got 1"
    );
    let err = set(&mut ev, ty, "data.participants", "[{bad").unwrap_err();
    assert!(
        matches!(
            err,
            EventError::InvalidJson {
                line: 1,
                column: 3,
                ..
            }
        ),
        "{err:?}"
    );
    let err = set(&mut ev, ty, "data.participants.7.name", "x").unwrap_err();
    assert!(err.to_string().contains("array of 1 entries"), "{err}");

    let facility = lookup("facility.created").unwrap();
    let mut ev = gen_one("facility.created", Format::Domain, 1);
    set(&mut ev, facility, "data.sportTypes", "tennis, padel").unwrap();
    assert_eq!(ev["data"]["sportTypes"], json!(["tennis", "padel"]));
}

#[test]
fn set_on_an_unknown_field_suggests_the_closest() {
    let (mut ev, ty) = confirmed();
    let err = set(&mut ev, ty, "data.bookerEmial", "x").unwrap_err();
    let EventError::UnknownField {
        path, suggestions, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(path, "data.bookerEmial");
    assert_eq!(suggestions[0], "data.bookerEmail");
    assert!(
        err.to_string()
            .contains("did you mean \"data.bookerEmail\"?"),
        "{err}"
    );
    // A data field given without `data.` is pointed there.
    let err = set(&mut ev, ty, "bookerEmail", "x").unwrap_err();
    assert!(err.to_string().contains("\"data.bookerEmail\""), "{err}");
    // Legacy envelope fields belong to the legacy form only.
    assert!(set(&mut ev, ty, "eventId", "x").is_err());
    let mut legacy = gen_one("booking.confirmed", Format::Legacy, 1);
    apply_set(&mut legacy, ty, Format::Legacy, "eventId", "evt-1").unwrap();
    apply_set(&mut legacy, ty, Format::Legacy, "data.parkingName", "P1").unwrap();
    assert_eq!(legacy["eventId"], "evt-1");
    assert!(apply_set(&mut legacy, ty, Format::Legacy, "data.bookerId", "x").is_err());
}

#[test]
fn set_keeps_envelope_context_in_step_with_data() {
    let (mut ev, ty) = confirmed();
    set(&mut ev, ty, "data.bookerId", "user_001").unwrap();
    assert_eq!(ev["userId"], "user_001");
    set(&mut ev, ty, "data.facilityId", "fac_9").unwrap();
    assert_eq!(ev["facilityId"], "fac_9");
}

// ---- merge patches ----------------------------------------------------------------------

#[test]
fn merge_patch_merges_over_data_or_the_envelope() {
    let (mut ev, ty) = confirmed();
    merge_patch(
        &mut ev,
        json!({"bookerName": "Jean Dupont", "bookerId": "user_001", "recurringBookingId": null}),
    )
    .unwrap();
    assert_eq!(ev["data"]["bookerName"], "Jean Dupont");
    assert!(
        ev["data"].get("recurringBookingId").is_none(),
        "null removes"
    );
    assert!(ev["data"]["bookingId"].is_string(), "the rest is kept");
    assert_eq!(ev["userId"], "user_001", "context follows data");

    merge_patch(
        &mut ev,
        json!({"source": "payment-service", "metadata": {"clientIp": "192.0.2.1"}, "data": {"priceAmount": 12}}),
    )
    .unwrap();
    assert_eq!(ev["source"], "payment-service");
    assert_eq!(ev["metadata"]["clientIp"], "192.0.2.1");
    assert_eq!(ev["metadata"]["environment"], "staging", "nested merge");
    assert_eq!(ev["data"]["priceAmount"], json!(12));
    validate(&ev, ty, Format::Domain).unwrap();

    assert!(matches!(
        merge_patch(&mut ev, json!([1])),
        Err(EventError::Invalid(_))
    ));
}

// ---- validation ---------------------------------------------------------------------------

#[test]
fn validate_reports_missing_wrong_and_unknown_fields() {
    let (ev, ty) = confirmed();
    let check = |f: &dyn Fn(&mut Value)| {
        let mut e = ev.clone();
        f(&mut e);
        validate(&e, ty, Format::Domain).unwrap_err()
    };
    assert_eq!(
        check(&|e| {
            e["data"].as_object_mut().unwrap().remove("bookerEmail");
        }),
        EventError::Missing {
            path: "data.bookerEmail".into()
        }
    );
    assert_eq!(
        check(&|e| e["data"]["priceAmount"] = json!("12")).to_string(),
        "field \"data.priceAmount\" expects a number, got \"12\""
    );
    assert!(matches!(
        check(&|e| e["data"]["paymentMethod"] = json!("bitcoin")),
        EventError::WrongType { ref path, .. } if path == "data.paymentMethod"
    ));
    assert_eq!(
        check(&|e| {
            e["data"]["participants"][0]
                .as_object_mut()
                .unwrap()
                .remove("userId");
        }),
        EventError::Missing {
            path: "data.participants.0.userId".into()
        }
    );
    let err = check(&|e| e["data"]["bookerMail"] = json!("x@y.fr"));
    assert!(
        matches!(&err, EventError::UnknownField { path, suggestions, .. }
            if path == "data.bookerMail" && suggestions[0] == "data.bookerEmail"),
        "{err:?}"
    );
    assert!(matches!(
        check(&|e| e["type"] = json!("booking.cancelled")),
        EventError::WrongType { ref path, .. } if path == "type"
    ));
    assert!(matches!(
        check(&|e| e["metadata"]["environment"] = json!("prod")),
        EventError::WrongType { ref path, .. } if path == "metadata.environment"
    ));
    assert!(matches!(
        check(&|e| e["timestamp"] = json!("yesterday")),
        EventError::WrongType { ref path, .. } if path == "timestamp"
    ));
    // The legacy envelope has no `type`.
    assert!(validate(&ev, ty, Format::Legacy).is_err());
}

// ---- parsing ------------------------------------------------------------------------------

#[test]
fn parse_json_reports_line_and_column() {
    let err = parse_json("{\n  \"userId\": ,\n}", "--data").unwrap_err();
    let EventError::InvalidJson {
        line,
        column,
        ref message,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!((line, column), (2, 13));
    assert_eq!(message, "expected value");
    assert_eq!(
        err.to_string(),
        "invalid JSON in --data at line 2, column 13: expected value"
    );
}

#[test]
fn parse_incoming_accepts_both_shapes() {
    let domain = gen_one("payment.succeeded", Format::Domain, 2);
    let got = parse_incoming(domain.to_string().as_bytes()).unwrap();
    assert_eq!(got.format, Format::Domain);
    assert_eq!(got.id, s(&domain, "/id"));
    assert_eq!(got.event_type, "payment.succeeded");
    assert_eq!(got.data, domain["data"]);
    assert_eq!(got.raw, domain);
    assert_eq!(
        got.timestamp.unwrap(),
        time(&domain, "/timestamp").with_timezone(&chrono::Utc)
    );
    assert_eq!(got.catalogued().unwrap().name, "payment.succeeded");

    let legacy = json!({
        "eventType": "booking.confirmed",
        "eventId": "550e8400-e29b-41d4-a716-446655440000",
        "timestamp": "2025-11-02T10:05:00Z",
        "data": {"bookingId": "BKG-001", "userId": "user_001"}
    });
    let got = parse_incoming(legacy.to_string().as_bytes()).unwrap();
    assert_eq!(got.format, Format::Legacy);
    assert_eq!(got.id, "550e8400-e29b-41d4-a716-446655440000");
    assert_eq!(got.event_type, "booking.confirmed");
    assert_eq!(got.data["bookingId"], "BKG-001");

    // Unknown types parse; whether they are handled is the consumer's call.
    let odd = br#"{"id":"e1","type":"shipment.sent","data":{}}"#;
    let got = parse_incoming(odd).unwrap();
    assert!(got.catalogued().is_none() && got.timestamp.is_none());
}

#[test]
fn parse_incoming_rejects_garbage_clearly() {
    let err = |bytes: &[u8]| parse_incoming(bytes).unwrap_err();
    assert!(matches!(
        err(b"{\"id\": 1,"),
        EventError::InvalidJson { line: 1, .. }
    ));
    assert!(matches!(err(b"not json"), EventError::InvalidJson { .. }));
    assert!(matches!(err(&[0xff, 0xfe]), EventError::Invalid(_)));
    assert_eq!(
        err(b"[1, 2]").to_string(),
        "an event must be a JSON object, found an array"
    );
    assert_eq!(
        err(br#"{"type":"booking.confirmed","data":{}}"#),
        EventError::Missing { path: "id".into() }
    );
    assert_eq!(
        err(br#"{"eventType":"booking.confirmed","data":{}}"#),
        EventError::Missing {
            path: "eventId".into()
        }
    );
    assert_eq!(
        err(br#"{"id":"e1","data":{}}"#).to_string(),
        "required field \"type (or eventType)\" is missing"
    );
    assert_eq!(
        err(br#"{"id":"e1","type":"booking.confirmed"}"#),
        EventError::Missing {
            path: "data".into()
        }
    );
    assert!(matches!(
        err(br#"{"id":"e1","type":"x","timestamp":"soon","data":{}}"#),
        EventError::WrongType { ref path, .. } if path == "timestamp"
    ));
    assert!(matches!(
        err(br#"{"id":"","type":"x","data":{}}"#),
        EventError::WrongType { ref path, .. } if path == "id"
    ));
}

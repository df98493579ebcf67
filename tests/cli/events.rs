//! `slotbase events list|show` and `slotbase emit --print`, through the real binary.

use serde_json::Value;

use crate::support::TestEnv;

fn lines_json(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn list_json_has_every_type_with_its_seeds() {
    let env = TestEnv::new();
    let list = env.json(&["events", "list"]);
    let types = list.as_array().expect("an array");
    assert_eq!(types.len(), 43);
    let seeds_of = |n: u64| {
        types
            .iter()
            .filter(|t| t["seeds"].as_array().unwrap().contains(&Value::from(n)))
            .count()
    };
    assert_eq!(seeds_of(1), 13);
    assert_eq!(seeds_of(2), 34);
    let find = |name: &str| {
        types
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    let confirmed = find("booking.confirmed");
    assert_eq!(confirmed["seeds"], serde_json::json!([1, 2]));
    assert_eq!(confirmed["forms"], serde_json::json!(["domain", "legacy"]));
    assert_eq!(
        confirmed["contextFields"],
        serde_json::json!(["facilityId", "userId"])
    );
    assert_eq!(find("ticket.escalated")["seeds"], serde_json::json!([1]));
    assert_eq!(
        find("booking.reminder")["forms"],
        serde_json::json!(["legacy"])
    );
    assert_eq!(find("lost_item.claimed")["seeds"], serde_json::json!([2]));
    assert_eq!(
        find("subscription.limit_warning")["facilityWebhook"],
        Value::Bool(true)
    );
    assert!(
        find("media.processed")["description"]
            .as_str()
            .unwrap()
            .len()
            > 10
    );
}

#[test]
fn list_table_shows_seed_and_forms() {
    let env = TestEnv::new();
    let out = env.run_ok(&["events", "list"]);
    let row = out
        .lines()
        .find(|l| l.contains("booking.confirmed"))
        .expect("a booking.confirmed row");
    assert!(
        row.contains("1+2") && row.contains("domain, legacy"),
        "{row}"
    );
    let row = out.lines().find(|l| l.contains("ticket.closed")).unwrap();
    assert!(row.contains(" 1 ") && row.contains("legacy"), "{row}");
    assert!(out.contains("43 types"));
}

#[test]
fn show_lists_the_fields_of_both_forms_and_an_example() {
    let env = TestEnv::new();
    let out = env.run_ok(&["events", "show", "booking.confirmed", "--seed", "3"]);
    for needle in [
        "domain form",
        "legacy form",
        "participants[].userId",
        "online | offline | waived",
        "parkingName",
        "confirmationCode",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    let example = &out[out.find("\n{").expect("an example") + 1..];
    let ev: Value = serde_json::from_str(example).expect("the example is JSON");
    assert_eq!(ev["type"], "booking.confirmed");
    assert_eq!(
        out,
        env.run_ok(&["events", "show", "booking.confirmed", "--seed", "3"]),
        "same seed, same output"
    );
}

#[test]
fn show_one_form_and_json() {
    let env = TestEnv::new();
    let out = env.run_ok(&["events", "show", "booking.confirmed", "--format", "legacy"]);
    assert!(out.contains("confirmationCode") && !out.contains("participants"));

    let v = env.json(&["events", "show", "coach.session.completed", "--seed", "1"]);
    let paths: Vec<&str> = v["fields"]["domain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"students[].parentIds"), "{paths:?}");
    assert_eq!(v["example"]["type"], "coach.session.completed");
    assert!(v["fields"].get("legacy").is_none());
}

#[test]
fn show_unknown_type_suggests_the_closest() {
    let env = TestEnv::new();
    let (code, stdout, stderr) = env.run(&["events", "show", "booking.confimred"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("unknown event type \"booking.confimred\"")
            && stderr.contains("\"booking.confirmed\""),
        "{stderr}"
    );
}

#[test]
fn emit_print_is_valid_and_reproducible() {
    let env = TestEnv::new();
    let args = ["emit", "booking.confirmed", "--print", "--seed", "1"];
    let out = env.run_ok(&args);
    let ev = &lines_json(&out)[0];
    assert_eq!(ev["type"], "booking.confirmed");
    assert_eq!(ev["version"], "1.0");
    assert_eq!(ev["userId"], ev["data"]["bookerId"]);
    assert_eq!(out, env.run_ok(&args));
    assert_ne!(
        out,
        env.run_ok(&["emit", "booking.confirmed", "--print", "--seed", "2"])
    );
}

#[test]
fn emit_print_count_gives_distinct_events() {
    let env = TestEnv::new();
    let out = env.run_ok(&[
        "emit",
        "payment.failed",
        "--print",
        "--seed",
        "1",
        "--count",
        "3",
    ]);
    let events = lines_json(&out);
    assert_eq!(events.len(), 3);
    let mut ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3);
}

#[test]
fn emit_print_legacy_has_seed_one_fields() {
    let env = TestEnv::new();
    let out = env.run_ok(&[
        "emit",
        "booking.confirmed",
        "--print",
        "--seed",
        "1",
        "--format",
        "legacy",
    ]);
    let ev = &lines_json(&out)[0];
    let keys: Vec<&str> = ev.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(keys, ["eventType", "eventId", "timestamp", "data"]);
    assert!(
        ev["data"]["parkingName"]
            .as_str()
            .unwrap()
            .starts_with("Parking ")
    );
    assert!(
        ev["data"]["confirmationCode"]
            .as_str()
            .unwrap()
            .starts_with("CONF-")
    );
}

#[test]
fn emit_print_applies_typed_overrides() {
    let env = TestEnv::new();
    let out = env.run_ok(&[
        "emit",
        "booking.confirmed",
        "--print",
        "--seed",
        "1",
        "--set",
        "data.bookerEmail=me@x.io",
        "--set",
        "data.priceAmount=45.5",
        "--data",
        r#"{"isRecurring": false, "recurringBookingId": null}"#,
    ]);
    let ev = &lines_json(&out)[0];
    assert_eq!(ev["data"]["bookerEmail"], "me@x.io");
    assert_eq!(ev["data"]["priceAmount"], serde_json::json!(45.5));
    assert_eq!(ev["data"]["isRecurring"], Value::Bool(false));
}

#[test]
fn emit_rejects_a_bad_override_naming_the_field() {
    let env = TestEnv::new();
    let (code, stdout, stderr) = env.run(&[
        "emit",
        "booking.confirmed",
        "--print",
        "--set",
        "data.priceAmount=abc",
    ]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("field \"data.priceAmount\" expects a number, got \"abc\""),
        "{stderr}"
    );

    let (code, _, stderr) = env.run(&["emit", "booking.confirmed", "--print", "--data", "{bad"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("invalid JSON in --data at line 1, column 2"),
        "{stderr}"
    );

    let (code, _, stderr) = env.run(&[
        "emit",
        "booking.confirmed",
        "--print",
        "--set",
        "data.bookerEmial=x",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("did you mean \"data.bookerEmail\""),
        "{stderr}"
    );
}

//! `emit` inputs beyond the basics: files, stdin, missing fields, unknown types, rates.

use std::io::Write;
use std::process::Stdio;

use crate::support::TestEnv;

#[test]
fn data_from_a_file_and_from_stdin() {
    let env = TestEnv::new();
    let file = env.write("patch.json", r#"{"parkingName": "Parking Gare de Lyon"}"#);
    let arg = format!("@{}", file.display());
    let out = env.run_ok(&[
        "emit",
        "booking.created",
        "--format",
        "legacy",
        "--print",
        "--data",
        &arg,
    ]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["data"]["parkingName"], "Parking Gare de Lyon");

    let mut child = env
        .process()
        .args([
            "emit",
            "booking.created",
            "--format",
            "legacy",
            "--print",
            "--data",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"data": {"totalAmount": 12.5}}"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["data"]["totalAmount"], 12.5);

    let bad = env.write("bad.json", "{\n  \"a\": 1,\n  oops\n}");
    let arg = format!("@{}", bad.display());
    let (code, _, err) = env.run(&["emit", "booking.created", "--data", &arg]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json at line 3, column 3"), "{err}");
}

#[test]
fn a_required_field_removed_by_an_override_is_refused() {
    let env = TestEnv::new();
    let (code, _, err) = env.run(&[
        "emit",
        "booking.created",
        "--format",
        "legacy",
        "--data",
        r#"{"bookingId": null}"#,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("\"data.bookingId\" is missing"), "{err}");
    // Nothing was written.
    let stats = env.json(&["queue", "stats"]);
    assert_eq!(stats.as_array().map(Vec::len), Some(0), "{stats}");
}

#[test]
fn unknown_type_and_unknown_field_suggest_names() {
    let env = TestEnv::new();
    let (code, _, err) = env.run(&["emit", "booking.confimred"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean \"booking.confirmed\""), "{err}");
    let (code, _, err) = env.run(&[
        "emit",
        "booking.confirmed",
        "--set",
        "data.bookerEmial=x@y.z",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("bookerEmail"), "{err}");
}

#[test]
fn rate_paces_the_events() {
    let env = TestEnv::new();
    let started = std::time::Instant::now();
    let out = env.run_ok(&["emit", "booking.created", "--count", "20", "--rate", "40/s"]);
    assert!(out.contains("emitted 20"), "{out}");
    // 20 events at 40/s cannot all go out in the first instant (lower bound only).
    assert!(started.elapsed() >= std::time::Duration::from_millis(400));
    let (code, _, err) = env.run(&["emit", "booking.created", "--rate", "fast"]);
    assert_eq!(code, 2);
    assert!(err.contains("--rate"), "{err}");
}

//! `slotbase webhook sign|verify` through the real binary, and interop with the reference
//! Standard Webhooks library (PyPI `standardwebhooks`, run with `python3`).

use std::process::Command;

use crate::support::TestEnv;

// Standard Webhooks' published test vector.
const GOLDEN_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const GOLDEN_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const GOLDEN_TS: &str = "1614265330";
const GOLDEN_BODY: &str = r#"{"test": 2432232314}"#;
const GOLDEN_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

const BODY: &str = r#"{"type":"booking.confirmed","data":{"booking_id":"bk_42","guest":"Zoë"}}"#;

/// The version CI installs; the interop tests refuse any other.
const STANDARDWEBHOOKS: &str = "1.1.0";

fn sign_json(env: &TestEnv, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["webhook", "sign"];
    all.extend_from_slice(args);
    env.json(&all)
}

fn verify(env: &TestEnv, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["webhook", "verify"];
    all.extend_from_slice(args);
    env.run(&all)
}

fn assert_negative(out: &(i32, String, String), needle: &str) {
    let (code, stdout, stderr) = out;
    assert_eq!(
        *code, 1,
        "expected exit 1\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stderr.contains(needle),
        "stderr lacks {needle:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

fn assert_valid(out: &(i32, String, String)) {
    let (code, stdout, stderr) = out;
    assert_eq!(
        *code, 0,
        "expected exit 0\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.starts_with("valid"), "{stdout}");
}

fn s(v: &serde_json::Value, key: &str) -> String {
    match &v[key] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn golden_vector_through_the_cli() {
    let env = TestEnv::new();
    let out = sign_json(
        &env,
        &[
            "--scheme",
            "standard",
            "--secret",
            GOLDEN_SECRET,
            "--id",
            GOLDEN_ID,
            "--timestamp",
            GOLDEN_TS,
            "--payload",
            GOLDEN_BODY,
        ],
    );
    assert_eq!(out["signature"], GOLDEN_SIG);
    assert_eq!(out["headers"]["webhook-id"], GOLDEN_ID);
    assert_eq!(out["headers"]["webhook-timestamp"], GOLDEN_TS);
    assert_eq!(out["headers"]["webhook-signature"], GOLDEN_SIG);

    let verdict = verify(
        &env,
        &[
            "--secret",
            GOLDEN_SECRET,
            "--id",
            GOLDEN_ID,
            "--timestamp",
            GOLDEN_TS,
            "--signature",
            GOLDEN_SIG,
            "--payload",
            GOLDEN_BODY,
            "--now",
            GOLDEN_TS,
        ],
    );
    assert_valid(&verdict);
    assert!(verdict.1.contains("standard"), "{}", verdict.1);
}

#[test]
fn standard_round_trip_with_generated_id_and_current_time() {
    let env = TestEnv::new();
    let secret = env.run_ok(&["webhook", "new-secret"]).trim().to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let signed = sign_json(&env, &["--secret", &secret, "--payload", BODY]);
    let id = s(&signed, "id");
    assert!(id.starts_with("msg_"), "{signed}");
    let human = env.run_ok(&[
        "webhook",
        "sign",
        "--secret",
        &secret,
        "--payload",
        BODY,
        "--id",
        &id,
    ]);
    assert!(human.contains("webhook-signature: v1,"), "{human}");

    let verdict = verify(
        &env,
        &[
            "--secret",
            &secret,
            "--id",
            &id,
            "--timestamp",
            &s(&signed, "timestamp"),
            "--signature",
            &s(&signed, "signature"),
            "--payload",
            BODY,
        ],
    );
    assert_valid(&verdict);
}

#[test]
fn slotbase_round_trip_and_openssl_vector() {
    let env = TestEnv::new();
    // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    let hex = "49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686";
    let signed = sign_json(
        &env,
        &[
            "--scheme",
            "slotbase",
            "--secret",
            "secret",
            "--timestamp",
            "1700000000",
            "--payload",
            r#"{"a":1}"#,
        ],
    );
    assert_eq!(signed["signature"], hex);
    assert_eq!(signed["headers"]["X-SlotBase-Signature"], hex);
    assert_eq!(signed["headers"]["X-SlotBase-Timestamp"], "1700000000");
    assert!(signed.get("id").is_none(), "{signed}");

    // No --scheme: 64 hex characters are recognised as SlotBase.
    let verdict = verify(
        &env,
        &[
            "--secret",
            "secret",
            "--timestamp",
            "1700000000",
            "--signature",
            hex,
            "--payload",
            r#"{"a":1}"#,
            "--now",
            "1700000010",
        ],
    );
    assert_valid(&verdict);
    assert!(verdict.1.contains("slotbase"), "{}", verdict.1);
}

#[test]
fn wrong_secret_and_changed_body_are_mismatches() {
    let env = TestEnv::new();
    let signed = sign_json(
        &env,
        &[
            "--secret",
            GOLDEN_SECRET,
            "--timestamp",
            "1700000000",
            "--payload",
            BODY,
        ],
    );
    let (id, sig) = (s(&signed, "id"), s(&signed, "signature"));
    let other = env.run_ok(&["webhook", "new-secret"]).trim().to_string();
    let base = |secret: &str, body: &str| {
        verify(
            &env,
            &[
                "--secret",
                secret,
                "--id",
                &id,
                "--timestamp",
                "1700000000",
                "--signature",
                &sig,
                "--payload",
                body,
                "--now",
                "1700000000",
            ],
        )
    };
    let wrong = base(&other, BODY);
    assert_negative(&wrong, "signature mismatch");
    assert_negative(&wrong, "cannot tell which");
    assert!(wrong.1.starts_with("invalid"), "{}", wrong.1);

    // One byte of whitespace is a different body: JSON is never re-serialised.
    let changed = base(GOLDEN_SECRET, &BODY.replace(",\"data\"", ", \"data\""));
    assert_negative(&changed, "signature mismatch");
}

#[test]
fn stale_and_future_timestamps_say_by_how_much() {
    let env = TestEnv::new();
    let signed = sign_json(
        &env,
        &[
            "--secret",
            GOLDEN_SECRET,
            "--timestamp",
            "1700000000",
            "--payload",
            BODY,
        ],
    );
    let args = |now: &str| {
        verify(
            &env,
            &[
                "--secret",
                GOLDEN_SECRET,
                "--id",
                &s(&signed, "id"),
                "--timestamp",
                "1700000000",
                "--signature",
                &s(&signed, "signature"),
                "--payload",
                BODY,
                "--now",
                now,
            ],
        )
    };
    let old = args("1700000420");
    assert_negative(&old, "timestamp too old");
    assert_negative(&old, "420s (7m00s) old, 120s (2m00s) beyond the 300s");
    assert_negative(&old, "signature itself matches");
    assert_negative(&args("1699999000"), "timestamp in the future");
    assert_valid(&args("1700000300"));

    let wider = verify(
        &env,
        &[
            "--secret",
            GOLDEN_SECRET,
            "--id",
            &s(&signed, "id"),
            "--timestamp",
            "1700000000",
            "--signature",
            &s(&signed, "signature"),
            "--payload",
            BODY,
            "--now",
            "1700000420",
            "--tolerance",
            "10m",
        ],
    );
    assert_valid(&wider);
}

#[test]
fn hex_and_base64_confusions_name_the_fix() {
    let env = TestEnv::new();
    let hex = "49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686";
    let as_standard = verify(
        &env,
        &[
            "--scheme",
            "standard",
            "--secret",
            GOLDEN_SECRET,
            "--id",
            "msg_1",
            "--timestamp",
            "1700000000",
            "--signature",
            hex,
            "--payload",
            r#"{"a":1}"#,
            "--now",
            "1700000000",
        ],
    );
    assert_negative(
        &as_standard,
        "this looks like a SlotBase hex signature; use --scheme slotbase",
    );

    let as_slotbase = verify(
        &env,
        &[
            "--scheme",
            "slotbase",
            "--secret",
            "secret",
            "--timestamp",
            GOLDEN_TS,
            "--signature",
            GOLDEN_SIG,
            "--payload",
            GOLDEN_BODY,
            "--now",
            GOLDEN_TS,
        ],
    );
    assert_negative(&as_slotbase, "use --scheme standard");

    let no_prefix = verify(
        &env,
        &[
            "--scheme",
            "standard",
            "--secret",
            GOLDEN_SECRET,
            "--id",
            GOLDEN_ID,
            "--timestamp",
            GOLDEN_TS,
            "--signature",
            &GOLDEN_SIG[3..],
            "--payload",
            GOLDEN_BODY,
            "--now",
            GOLDEN_TS,
        ],
    );
    assert_negative(&no_prefix, "missing the \"v1,\" prefix");

    let v1a = verify(
        &env,
        &[
            "--secret",
            GOLDEN_SECRET,
            "--id",
            GOLDEN_ID,
            "--timestamp",
            GOLDEN_TS,
            "--signature",
            "v1a,AAAA",
            "--payload",
            GOLDEN_BODY,
            "--now",
            GOLDEN_TS,
        ],
    );
    assert_negative(&v1a, "unsupported signature version v1a");

    let plain_secret = verify(
        &env,
        &[
            "--secret",
            "my*plain*secret",
            "--id",
            GOLDEN_ID,
            "--timestamp",
            GOLDEN_TS,
            "--signature",
            GOLDEN_SIG,
            "--payload",
            GOLDEN_BODY,
            "--now",
            GOLDEN_TS,
        ],
    );
    assert_negative(&plain_secret, "not base64");
}

#[test]
fn whsec_prefix_is_optional() {
    let env = TestEnv::new();
    let bare = &GOLDEN_SECRET["whsec_".len()..];
    let signed = sign_json(
        &env,
        &[
            "--secret",
            bare,
            "--id",
            GOLDEN_ID,
            "--timestamp",
            GOLDEN_TS,
            "--payload",
            GOLDEN_BODY,
        ],
    );
    assert_eq!(signed["signature"], GOLDEN_SIG);
    assert_valid(&verify(
        &env,
        &[
            "--secret",
            bare,
            "--id",
            GOLDEN_ID,
            "--timestamp",
            GOLDEN_TS,
            "--signature",
            GOLDEN_SIG,
            "--payload",
            GOLDEN_BODY,
            "--now",
            GOLDEN_TS,
        ],
    ));
}

#[test]
fn rotation_signs_with_every_secret_and_verifies_with_any() {
    let env = TestEnv::new();
    let old = env.run_ok(&["webhook", "new-secret"]).trim().to_string();
    let new = env.run_ok(&["webhook", "new-secret"]).trim().to_string();
    let signed = sign_json(
        &env,
        &[
            "--secret",
            &new,
            "--secret",
            &old,
            "--timestamp",
            "1700000000",
            "--payload",
            BODY,
        ],
    );
    let sig = s(&signed, "signature");
    assert_eq!(
        signed["signatures"].as_array().unwrap().len(),
        2,
        "{signed}"
    );
    for held in [&old, &new] {
        assert_valid(&verify(
            &env,
            &[
                "--secret",
                held,
                "--id",
                &s(&signed, "id"),
                "--timestamp",
                "1700000000",
                "--signature",
                &sig,
                "--payload",
                BODY,
                "--now",
                "1700000000",
            ],
        ));
    }
    // A receiver configured with several secrets says which one matched.
    let stranger = env.run_ok(&["webhook", "new-secret"]).trim().to_string();
    let (code, stdout, _) = verify(
        &env,
        &[
            "--secret",
            &stranger,
            "--secret",
            &old,
            "--id",
            &s(&signed, "id"),
            "--timestamp",
            "1700000000",
            "--signature",
            &sig,
            "--payload",
            BODY,
            "--now",
            "1700000000",
        ],
    );
    assert_eq!(code, 0);
    assert!(stdout.contains("secret 2 of 2"), "{stdout}");

    // SlotBase's header carries one signature, so signing with two is refused.
    let (code, _, stderr) = env.run(&[
        "webhook",
        "sign",
        "--scheme",
        "slotbase",
        "--secret",
        "a",
        "--secret",
        "b",
        "--payload",
        BODY,
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("one --secret"), "{stderr}");
}

#[test]
fn file_bodies_are_signed_byte_for_byte() {
    let env = TestEnv::new();
    let file = env.write("body.json", &format!("{BODY}\n"));
    let file = file.to_str().unwrap();
    let from_file = sign_json(
        &env,
        &[
            "--secret",
            GOLDEN_SECRET,
            "--id",
            "msg_1",
            "--timestamp",
            "1700000000",
            "--file",
            file,
        ],
    );
    let from_arg = sign_json(
        &env,
        &[
            "--secret",
            GOLDEN_SECRET,
            "--id",
            "msg_1",
            "--timestamp",
            "1700000000",
            "--payload",
            BODY,
        ],
    );
    // The trailing newline is part of the body.
    assert_ne!(from_file["signature"], from_arg["signature"]);
    let args = |body_flag: &str, body: &str| {
        verify(
            &env,
            &[
                "--secret",
                GOLDEN_SECRET,
                "--id",
                "msg_1",
                "--timestamp",
                "1700000000",
                "--signature",
                &s(&from_file, "signature"),
                body_flag,
                body,
                "--now",
                "1700000000",
            ],
        )
    };
    assert_valid(&args("--file", file));
    assert_negative(&args("--payload", BODY), "signature mismatch");
}

#[test]
fn verify_json_reports_validity_scheme_and_reason() {
    let env = TestEnv::new();
    let (code, stdout, _) = verify(
        &env,
        &[
            "--secret",
            GOLDEN_SECRET,
            "--id",
            GOLDEN_ID,
            "--timestamp",
            GOLDEN_TS,
            "--signature",
            GOLDEN_SIG,
            "--payload",
            "{}",
            "--now",
            GOLDEN_TS,
            "--json",
        ],
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["scheme"], "standard");
    assert!(s(&v, "reason").contains("signature mismatch"), "{v}");

    let v = env.json(&[
        "webhook",
        "verify",
        "--secret",
        GOLDEN_SECRET,
        "--id",
        GOLDEN_ID,
        "--timestamp",
        GOLDEN_TS,
        "--signature",
        GOLDEN_SIG,
        "--payload",
        GOLDEN_BODY,
        "--now",
        GOLDEN_TS,
    ]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["reason"], serde_json::Value::Null);
    assert_eq!(v["secret"], 1);
}

#[test]
fn captured_standard_request_with_crlf() {
    let env = TestEnv::new();
    let request = format!(
        "POST /hooks/slotbase HTTP/1.1\r\nHost: facility.example\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nWebhook-Id: {GOLDEN_ID}\r\nWebhook-Timestamp: {GOLDEN_TS}\r\n\
         Webhook-Signature: {GOLDEN_SIG}\r\n\r\n{GOLDEN_BODY}",
        GOLDEN_BODY.len()
    );
    let path = env.write("captured.http", &request);
    let path = path.to_str().unwrap();
    let out = verify(
        &env,
        &[
            "--secret",
            GOLDEN_SECRET,
            "--request",
            path,
            "--now",
            GOLDEN_TS,
        ],
    );
    let (code, stdout, stderr) = &out;
    assert_eq!(*code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("POST /hooks/slotbase HTTP/1.1"), "{stdout}");
    assert!(
        stdout.contains("Webhook-Id, Webhook-Timestamp, Webhook-Signature"),
        "{stdout}"
    );
    assert!(
        stdout.contains("standard (from the webhook-* headers)"),
        "{stdout}"
    );
    assert!(stdout.contains("20 bytes"), "{stdout}");
    assert!(
        stdout.lines().last().unwrap().starts_with("valid"),
        "{stdout}"
    );

    // The same capture saved with a trailing newline no longer verifies, and says why.
    let path = env.write("edited.http", &format!("{request}\r\n"));
    let out = verify(
        &env,
        &[
            "--secret",
            GOLDEN_SECRET,
            "--request",
            path.to_str().unwrap(),
            "--now",
            GOLDEN_TS,
        ],
    );
    assert_negative(&out, "signature mismatch");
    assert!(
        out.1
            .contains("Content-Length says 20 bytes but the body has 22"),
        "{}",
        out.1
    );
}

#[test]
fn captured_slotbase_request_with_lf() {
    let env = TestEnv::new();
    let hex = "49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686";
    let request = format!(
        "POST /webhooks HTTP/1.1\nContent-Type: application/json\nX-SlotBase-Event: booking.confirmed\n\
         X-SlotBase-Timestamp: 1700000000\nX-SlotBase-Signature: {hex}\n\n{{\"a\":1}}"
    );
    let path = env.write("slotbase.http", &request);
    let path = path.to_str().unwrap();
    let out = verify(
        &env,
        &[
            "--secret",
            "secret",
            "--request",
            path,
            "--now",
            "1700000000",
        ],
    );
    assert_valid(&(
        out.0,
        out.1.lines().last().unwrap_or("").to_string(),
        out.2.clone(),
    ));
    assert!(
        out.1.contains("slotbase (from the X-SlotBase-* headers)"),
        "{}",
        out.1
    );

    let stale = verify(
        &env,
        &[
            "--secret",
            "secret",
            "--request",
            path,
            "--now",
            "1700009000",
        ],
    );
    assert_negative(&stale, "timestamp too old");
    assert!(stale.1.contains("reason"), "{}", stale.1);

    let json = env.json(&[
        "webhook",
        "verify",
        "--secret",
        "secret",
        "--request",
        path,
        "--now",
        "1700000000",
    ]);
    assert_eq!(json["scheme"], "slotbase");
    assert_eq!(json["request"]["found"][0], "X-SlotBase-Timestamp");
    assert_eq!(json["request"]["body_bytes"], 7);

    let unsigned = env.write("plain.http", "POST / HTTP/1.1\nHost: x\n\n{}");
    let out = verify(
        &env,
        &[
            "--secret",
            "secret",
            "--request",
            unsigned.to_str().unwrap(),
        ],
    );
    assert_negative(&out, "no signature headers in the request");

    let partial = env.write(
        "partial.http",
        &format!("POST / HTTP/1.1\nwebhook-signature: {GOLDEN_SIG}\n\n{GOLDEN_BODY}"),
    );
    let out = verify(
        &env,
        &[
            "--secret",
            GOLDEN_SECRET,
            "--request",
            partial.to_str().unwrap(),
        ],
    );
    assert_negative(&out, "lacks the webhook-id, webhook-timestamp header(s)");
}

/// `python3 tests/interop/verify_standard.py ARGS`, failing loudly when the reference
/// library is not installed: an interop test that skips itself proves nothing.
fn reference_library(args: &[&str]) -> (i32, String, String) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/verify_standard.py"
    );
    let install = format!("pip install standardwebhooks=={STANDARDWEBHOOKS}");
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("python3 is needed for the interop tests ({e}); then {install}")
        });
    let result = (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_ne!(result.0, 3, "{}\nrun: {install}", result.2);
    result
}

fn pinned_reference_library() {
    let (code, version, stderr) = reference_library(&["version"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        version, STANDARDWEBHOOKS,
        "interop is pinned to standardwebhooks {STANDARDWEBHOOKS}, found {version}: pip install standardwebhooks=={STANDARDWEBHOOKS}"
    );
}

#[test]
fn reference_library_verifies_what_slotbase_signs() {
    pinned_reference_library();
    let env = TestEnv::new();
    let old = env.run_ok(&["webhook", "new-secret"]).trim().to_string();
    let new = env.run_ok(&["webhook", "new-secret"]).trim().to_string();
    let body = env.write("body.json", &format!("{BODY}\n"));
    let body = body.to_str().unwrap();
    // The library checks against the real clock, so sign at "now" (the default).
    let one = sign_json(
        &env,
        &["--scheme", "standard", "--secret", &new, "--file", body],
    );
    let (code, stdout, stderr) = reference_library(&[
        "verify",
        &new,
        &s(&one, "id"),
        &s(&one, "timestamp"),
        &s(&one, "signature"),
        body,
    ]);
    assert_eq!((code, stdout.as_str()), (0, "verified"), "{stderr}");

    // During a rotation the library accepts the header with either secret.
    let both = sign_json(&env, &["--secret", &new, "--secret", &old, "--file", body]);
    for held in [&new, &old] {
        let (code, _, stderr) = reference_library(&[
            "verify",
            held,
            &s(&both, "id"),
            &s(&both, "timestamp"),
            &s(&both, "signature"),
            body,
        ]);
        assert_eq!(code, 0, "{stderr}");
    }

    // And it rejects what it should: a stranger's secret.
    let stranger = env.run_ok(&["webhook", "new-secret"]).trim().to_string();
    let (code, _, stderr) = reference_library(&[
        "verify",
        &stranger,
        &s(&one, "id"),
        &s(&one, "timestamp"),
        &s(&one, "signature"),
        body,
    ]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn slotbase_verifies_what_the_reference_library_signs() {
    pinned_reference_library();
    let env = TestEnv::new();
    let secret = env.run_ok(&["webhook", "new-secret"]).trim().to_string();
    let body = env.write("body.json", BODY);
    let body = body.to_str().unwrap();
    let (code, signature, stderr) =
        reference_library(&["sign", &secret, "msg_2Lh9x", "1700000000", body]);
    assert_eq!(code, 0, "{stderr}");
    assert!(signature.starts_with("v1,"), "{signature}");
    assert_valid(&verify(
        &env,
        &[
            "--secret",
            &secret,
            "--id",
            "msg_2Lh9x",
            "--timestamp",
            "1700000000",
            "--signature",
            &signature,
            "--file",
            body,
            "--now",
            "1700000060",
        ],
    ));
    // The library's output is what slotbase itself produces.
    let ours = sign_json(
        &env,
        &[
            "--secret",
            &secret,
            "--id",
            "msg_2Lh9x",
            "--timestamp",
            "1700000000",
            "--file",
            body,
        ],
    );
    assert_eq!(ours["signature"], signature.as_str());
}

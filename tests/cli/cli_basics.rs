//! Exit codes, configuration layers and messages of the CLI itself.

use crate::support::TestEnv;

#[test]
fn unknown_command_is_usage_error() {
    let (code, _, err) = TestEnv::new().run(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("unrecognized subcommand"), "{err}");
}

#[test]
fn config_check_accepts_defaults() {
    let env = TestEnv::new();
    let out = env.run_ok(&["config", "check"]);
    assert!(out.contains("configuration is valid"), "{out}");
    assert!(out.contains("embedded SQLite"), "{out}");
}

#[test]
fn config_check_names_file_key_and_reason() {
    let env = TestEnv::new();
    let file = env.write("bad.toml", "[redis]\nprefx = \"bull\"\n");
    let (code, _, err) = env.run(&["--config", file.to_str().unwrap(), "config", "check"]);
    assert_eq!(code, 78, "{err}");
    assert!(err.contains("bad.toml"), "{err}");
    assert!(err.contains("redis.prefx"), "{err}");
    assert!(err.contains("unknown key"), "{err}");

    let file = env.write("typed.toml", "[emit]\nattempts = \"three\"\n");
    let (code, _, err) = env.run(&["--config", file.to_str().unwrap(), "config", "check"]);
    assert_eq!(code, 78);
    assert!(
        err.contains("emit.attempts") && err.contains("expected integer"),
        "{err}"
    );

    let file = env.write("syntax.toml", "[redis\n");
    let (code, _, err) = env.run(&["--config", file.to_str().unwrap(), "config", "check"]);
    assert_eq!(code, 78);
    assert!(err.contains("syntax.toml"), "{err}");
}

#[test]
fn config_layers_file_then_env_then_flags() {
    let env = TestEnv::new();
    env.write(
        "slotbase.toml",
        "[redis]\nprefix = \"fromfile\"\nurl = \"redis://:s3cret@127.0.0.1:1/0\"\n",
    );
    let shown = env.run_ok(&["config", "show"]);
    assert!(shown.contains("prefix = \"fromfile\""), "{shown}");
    assert!(!shown.contains("s3cret"), "secret leaked: {shown}");
    assert!(shown.contains("****"), "{shown}");

    let env = env.with_env("SLOTBASE_REDIS__PREFIX", "fromenv");
    let shown = env.run_ok(&["config", "show", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(v["redis"]["prefix"], "fromenv");

    let shown = env.run_ok(&["--prefix", "fromflag", "config", "show", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(v["redis"]["prefix"], "fromflag");
}

#[test]
fn bad_env_var_is_a_config_error() {
    let env = TestEnv::new().with_env("SLOTBASE_EMIT__ENVIRONMENT", "prod");
    let (code, _, err) = env.run(&["config", "check"]);
    assert_eq!(code, 78);
    assert!(err.contains("emit.environment"), "{err}");
    assert!(err.contains("production, staging, development"), "{err}");
}

// `bench --rounds` runs the add and consume phases that many times and reports the median
// round; tiny sizes keep it quick (the figures themselves are not checked).
#[test]
fn bench_rounds_report_each_round_and_the_median() {
    let env = TestEnv::new();
    let v = env.json(&[
        "bench",
        "--jobs",
        "40",
        "--samples",
        "3",
        "--batch",
        "10",
        "--rounds",
        "3",
    ]);
    let rounds = v["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 3, "{v}");
    let mut adds: Vec<f64> = rounds
        .iter()
        .map(|r| r["add"]["perSecond"].as_f64().unwrap())
        .collect();
    adds.sort_by(f64::total_cmp);
    assert_eq!(v["add"]["perSecond"].as_f64().unwrap(), adds[1]);
    assert!(rounds.iter().all(|r| r["consume"]["jobs"] == 40), "{v}");

    let (code, _, err) = env.run(&["bench", "--rounds", "0"]);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("--rounds must be at least 1"), "{err}");
}

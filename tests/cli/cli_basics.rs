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

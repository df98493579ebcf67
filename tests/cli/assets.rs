//! The checked-in completions and man page match what the binary generates.
//! Regenerate them with: UPDATE_ASSETS=1 cargo test --test cli assets

use crate::support::TestEnv;

fn check(args: &[&str], file: &str) {
    let fresh = TestEnv::new().run_ok(args);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    if std::env::var_os("UPDATE_ASSETS").is_some() {
        std::fs::create_dir_all(path.parent().expect("asset dir")).expect("create asset dir");
        std::fs::write(&path, &fresh).expect("write asset");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == fresh,
        "{file} is out of date with the CLI; regenerate with: UPDATE_ASSETS=1 cargo test --test cli assets"
    );
}

#[test]
fn bash_completions_are_current() {
    check(&["completions", "bash"], "completions/slotbase.bash");
}

#[test]
fn zsh_completions_are_current() {
    check(&["completions", "zsh"], "completions/_slotbase");
}

#[test]
fn fish_completions_are_current() {
    check(&["completions", "fish"], "completions/slotbase.fish");
}

#[test]
fn man_page_is_current() {
    check(&["man"], "man/slotbase.1");
}

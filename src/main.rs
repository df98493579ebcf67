//! The `slotbase` binary: parse arguments, run, map the outcome to an exit code.

fn main() {
    let code = slotbase::cli::main();
    std::process::exit(code);
}

//! The `slotbase` binary: parse arguments, run, map the outcome to an exit code.

/// jemalloc instead of glibc's malloc. Per event the daemon makes and drops many small
/// allocations (JSON values, Redis frames, futures) on the runtime threads, with larger
/// ones in between; glibc kept consolidating its fast bins and taking arena locks for
/// that, over a quarter of those threads' CPU in a profile of the daemon. Its options
/// are set at build time, in `.cargo/config.toml`.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() {
    let code = slotbase::cli::main();
    std::process::exit(code);
}

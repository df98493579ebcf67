//! `slotbase bench`: throughput and latency of a queue backend on this machine.

use crate::cli::Context;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// The backend to measure
    #[arg(long, value_enum, default_value = "sqlite")]
    pub backend: BenchBackend,
    /// Jobs per phase
    #[arg(long, default_value_t = 50_000)]
    pub jobs: u64,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum BenchBackend {
    Sqlite,
    Redis,
}

pub async fn run(_ctx: &Context, _args: BenchArgs) -> anyhow::Result<i32> {
    anyhow::bail!("bench is not implemented yet")
}

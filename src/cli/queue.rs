//! `slotbase queue ...`: operator actions on any queue, Redis or embedded.

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum QueueCommand {
    /// Counts per state for every queue
    Stats,
}

pub async fn run(_ctx: &Context, _cmd: QueueCommand) -> anyhow::Result<i32> {
    anyhow::bail!("queue: not implemented yet")
}

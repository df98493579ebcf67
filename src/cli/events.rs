//! `slotbase events list|show`.

use super::Context;

#[derive(Debug, clap::Subcommand)]
pub enum EventsCommand {
    /// Every event type of both seeds, with the seed that defines it
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// One type's fields with their types, and a generated example
    Show {
        /// Event type, e.g. booking.confirmed
        event_type: String,
        /// Which form's fields to show: domain (seed 2) or legacy (seed 1)
        #[arg(long, value_enum)]
        format: Option<crate::event::Format>,
        /// Seed for the example
        #[arg(long)]
        seed: Option<u64>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(_ctx: &Context, _cmd: EventsCommand) -> anyhow::Result<i32> {
    anyhow::bail!("events: not implemented yet")
}

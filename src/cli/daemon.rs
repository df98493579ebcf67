//! `slotbase daemon`: run processors and the HTTP listener until SIGTERM.

use super::Context;
use crate::daemon::{self, DaemonOptions};
use crate::exit;
use crate::settings::LogFormat;

#[derive(Debug, clap::Args)]
pub struct DaemonArgs {
    /// Jobs processed at once per queue (overrides daemon.concurrency)
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Do not start the HTTP listener (/healthz, /readyz, /metrics)
    #[arg(long)]
    pub no_http: bool,
    /// HTTP listener address (overrides http.listen)
    #[arg(long, value_name = "IP:PORT")]
    pub listen: Option<String>,
}

/// Logs for the daemon: info by default, text or JSON per `log_format`, to stderr.
pub fn init_logging(settings: &crate::settings::Settings, verbose: u8) {
    let level = match verbose {
        0 => settings.log_level.clone(),
        1 => "debug".into(),
        _ => "trace".into(),
    };
    let filter = std::env::var("SLOTBASE_LOG")
        .ok()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .filter(|v| !v.is_empty())
        .and_then(|v| tracing_subscriber::EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

pub async fn run(ctx: &Context, args: DaemonArgs) -> anyhow::Result<i32> {
    daemon::run(
        ctx.settings.clone(),
        DaemonOptions {
            concurrency: args.concurrency,
            no_http: args.no_http,
            listen: args.listen,
        },
    )
    .await?;
    Ok(exit::SUCCESS)
}

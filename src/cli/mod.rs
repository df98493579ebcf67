//! The command line: global options, one module per command group, and the mapping of
//! outcomes to exit codes.

mod assets;
mod config;
mod daemon;
mod dlq;
mod emit;
mod events;
mod notifications;
mod prefs;
mod queue;
mod trace;
mod webhook;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::exit;
use crate::settings::{FlagOverrides, Settings, Sources};

/// Threads the runtime may start for blocking work: SQLite reads (at most 8 at once),
/// DNS lookups of webhook hosts, file reads. Tokio's default allows 512, and its pool
/// starts a thread whenever none is idle at the instant work arrives, so a busy daemon,
/// whose reads are handed over just as earlier ones finish, grew it past a hundred
/// threads, each keeping its own stack and allocator cache. Work beyond this waits for
/// a free thread.
const BLOCKING_THREADS: usize = 32;

/// slotbase: mock events, Bull v4 and embedded queues, and the booking platform's daemon.
///
/// Exit codes: 0 success, 1 a negative answer (e.g. a signature does not verify), 2 an error
/// or bad usage, 78 an invalid configuration.
#[derive(Debug, Parser)]
#[command(
    name = "slotbase",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Config file (default: $SLOTBASE_CONFIG, ./slotbase.toml, /etc/slotbase/config.toml)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Use Redis queues in Bull v4's layout at this URL (overrides redis.url)
    #[arg(long, global = true, value_name = "URL")]
    pub redis: Option<String>,
    /// Bull key prefix (overrides redis.prefix)
    #[arg(long, global = true, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// The embedded SQLite file (overrides store.path)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Publish mock events of any catalogued type
    Emit(emit::EmitArgs),
    /// The event catalog: types, fields, examples
    #[command(subcommand)]
    Events(events::EventsCommand),
    /// Inspect and operate queues (Redis in Bull's layout, or embedded)
    #[command(subcommand)]
    Queue(queue::QueueCommand),
    /// Webhook endpoints, signing and verification
    #[command(subcommand)]
    Webhook(webhook::WebhookCommand),
    /// Dead letters: list, show, replay, ignore, purge
    #[command(subcommand)]
    Dlq(dlq::DlqCommand),
    /// Per-user notification preferences
    #[command(subcommand)]
    Prefs(prefs::PrefsCommand),
    /// Notifications the daemon created
    #[command(subcommand)]
    Notifications(notifications::NotificationsCommand),
    /// Run processors, handlers and the HTTP listener (for systemd: Type=notify)
    Daemon(daemon::DaemonArgs),
    /// Validate or show the configuration
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Measure this machine's queue throughput and latency
    Bench(crate::bench::BenchArgs),
    /// Print a shell completion script
    Completions(assets::CompletionsArgs),
    /// Print the man page (roff)
    Man,
}

/// What every command gets: the effective settings and where they came from.
pub struct Context {
    pub settings: Settings,
    pub sources: Sources,
    pub flags: FlagOverrides,
}

impl Context {
    /// Open the configured queue backend.
    pub async fn queues(&self) -> anyhow::Result<std::sync::Arc<dyn crate::queue::QueueBackend>> {
        crate::queue::open(&self.settings).await
    }

    /// Open the store (the embedded SQLite file).
    pub async fn store(&self) -> anyhow::Result<std::sync::Arc<dyn crate::store::Store>> {
        crate::store::open(&self.settings).await
    }
}

/// Ask before a destructive bulk action; without a terminal, `--yes` is required.
pub(crate) fn confirm(yes: bool, question: &str) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        anyhow::bail!(
            "{question} Refusing without confirmation: no terminal to ask on; pass --yes"
        );
    }
    let ok = dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
        .map_err(|e| anyhow::anyhow!("reading the confirmation: {e}"))?;
    if !ok {
        anyhow::bail!("cancelled; nothing changed");
    }
    Ok(())
}

/// Parse, run, and return the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::ERROR
            } else {
                exit::SUCCESS
            };
            let _ = e.print();
            return code;
        }
    };
    if !matches!(cli.command, Command::Daemon(_)) {
        init_cli_logging(cli.global.verbose);
    }
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            let (code, quiet) = exit::code_for(&err);
            if !quiet {
                eprintln!("error: {err:#}");
            }
            code
        }
    }
}

fn init_cli_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = std::env::var("SLOTBASE_LOG")
        .ok()
        .filter(|v| !v.is_empty())
        .and_then(|v| tracing_subscriber::EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    // Commands that need no configuration.
    match &cli.command {
        Command::Completions(args) => return assets::completions(args).map(|_| exit::SUCCESS),
        Command::Man => return assets::man().map(|_| exit::SUCCESS),
        _ => {}
    }
    let flags = FlagOverrides {
        config: cli.global.config.clone(),
        redis: cli.global.redis.clone(),
        prefix: cli.global.prefix.clone(),
        db: cli.global.db.clone(),
    };
    if let Command::Config(cmd) = &cli.command {
        return config::run(cmd, &flags);
    }
    let (settings, sources) = Settings::load(&flags)?;
    if matches!(cli.command, Command::Daemon(_)) {
        daemon::init_logging(&settings, cli.global.verbose);
    }
    let ctx = Context {
        settings,
        sources,
        flags,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .max_blocking_threads(BLOCKING_THREADS)
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Emit(args) => emit::run(&ctx, args).await,
            Command::Events(cmd) => events::run(&ctx, cmd).await,
            Command::Queue(cmd) => queue::run(&ctx, cmd).await,
            Command::Webhook(cmd) => webhook::run(&ctx, cmd).await,
            Command::Bench(args) => crate::bench::run(&ctx, args).await,
            Command::Dlq(cmd) => dlq::run(&ctx, cmd).await,
            Command::Prefs(cmd) => prefs::run(&ctx, cmd).await,
            Command::Notifications(cmd) => notifications::run(&ctx, cmd).await,
            Command::Daemon(args) => daemon::run(&ctx, args).await,
            Command::Config(_) | Command::Completions(_) | Command::Man => unreachable!(),
        }
    })
}

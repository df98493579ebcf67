//! `slotbase config check|show`.

use crate::exit;
use crate::output;
use crate::settings::{FlagOverrides, Settings};

#[derive(Debug, clap::Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration; exit 78 with the file, key and reason if it is invalid
    Check,
    /// Print the effective configuration, secrets masked
    Show {
        /// Print JSON instead of TOML
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: &ConfigCommand, flags: &FlagOverrides) -> anyhow::Result<i32> {
    let (settings, sources) = Settings::load(flags)?;
    match cmd {
        ConfigCommand::Check => {
            let file = sources
                .file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "no config file (embedded defaults)".into());
            output::line(format!("configuration is valid: {file}"))?;
            if !sources.env.is_empty() {
                output::line(format!("environment overrides: {}", sources.env.join(", ")))?;
            }
            let backend = if settings.redis.url.is_empty() {
                format!("embedded SQLite at {}", settings.store_path()?.display())
            } else {
                format!(
                    "Redis at {} (prefix {})",
                    crate::settings::mask_url(&settings.redis.url),
                    settings.redis.prefix
                )
            };
            output::line(format!("queues: {backend}"))?;
        }
        ConfigCommand::Show { json } => {
            if *json {
                let mut shown = settings.clone();
                shown.redis.url = crate::settings::mask_url(&shown.redis.url);
                output::json(&shown)?;
            } else {
                output::line(settings.to_masked_toml().trim_end())?;
            }
        }
    }
    Ok(exit::SUCCESS)
}

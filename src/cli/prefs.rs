//! `slotbase prefs get|set|list`: per-user notification preferences.

use anyhow::bail;

use super::Context;
use crate::exit;
use crate::notify::Preferences;
use crate::output;

#[derive(Debug, clap::Subcommand)]
pub enum PrefsCommand {
    /// One user's preferences (defaults if they set none)
    Get {
        user_id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Change preferences: email, push, sms, in_app, marketing, partner_digest = on|off
    #[command(after_help = "Example:\n  slotbase prefs set user_001 email=off marketing=on")]
    Set {
        user_id: String,
        /// KEY=on|off pairs
        #[arg(required = true, value_name = "KEY=on|off")]
        changes: Vec<String>,
    },
    /// Every user who set preferences
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

fn on_off(v: bool) -> &'static str {
    if v { "on" } else { "off" }
}

fn row(p: &Preferences) -> Vec<String> {
    vec![
        p.user_id.clone(),
        on_off(p.email_enabled).into(),
        on_off(p.push_enabled).into(),
        on_off(p.sms_enabled).into(),
        on_off(p.in_app_enabled).into(),
        on_off(p.marketing_enabled).into(),
        on_off(p.partner_digest_enabled).into(),
    ]
}

const HEADERS: &[&str] = &[
    "USER",
    "EMAIL",
    "PUSH",
    "SMS",
    "IN-APP",
    "MARKETING",
    "PARTNER DIGEST",
];

pub async fn run(ctx: &Context, cmd: PrefsCommand) -> anyhow::Result<i32> {
    let store = ctx.store().await?;
    match cmd {
        PrefsCommand::Get { user_id, json } => {
            let p = store
                .preferences(std::slice::from_ref(&user_id))
                .await?
                .remove(&user_id)
                .unwrap_or_else(|| Preferences::defaults(&user_id));
            if json {
                output::json(&p)?;
            } else {
                let mut t = output::new_table(HEADERS);
                t.add_row(row(&p));
                output::table(&t)?;
            }
        }
        PrefsCommand::Set { user_id, changes } => {
            let mut p = store
                .preferences(std::slice::from_ref(&user_id))
                .await?
                .remove(&user_id)
                .unwrap_or_else(|| Preferences::defaults(&user_id));
            for c in &changes {
                let Some((k, v)) = c.split_once('=') else {
                    bail!("\"{c}\": expected KEY=on|off, e.g. email=off");
                };
                let value = match v.trim() {
                    "on" | "true" | "yes" | "1" => true,
                    "off" | "false" | "no" | "0" => false,
                    other => bail!("\"{c}\": \"{other}\" is not on or off"),
                };
                p.set(k.trim(), value).map_err(anyhow::Error::msg)?;
            }
            store.set_preferences(&p).await?;
            let mut t = output::new_table(HEADERS);
            t.add_row(row(&p));
            output::table(&t)?;
        }
        PrefsCommand::List { json } => {
            let all = store.list_preferences().await?;
            if json {
                output::json(&all)?;
            } else if all.is_empty() {
                output::line(
                    "no user has set preferences (everyone has the defaults: channels on, marketing off)",
                )?;
            } else {
                let mut t = output::new_table(HEADERS);
                for p in &all {
                    t.add_row(row(p));
                }
                output::table(&t)?;
            }
        }
    }
    Ok(exit::SUCCESS)
}

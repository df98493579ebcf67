//! `slotbase notifications list|show`: what the daemon created and whether it was sent.

use anyhow::bail;

use super::Context;
use crate::exit;
use crate::output;
use crate::store::NotificationFilter;
use crate::util::iso_ms;

#[derive(Debug, clap::Subcommand)]
pub enum NotificationsCommand {
    /// Notifications, newest first
    List {
        /// Only this user's
        #[arg(long)]
        user: Option<String>,
        /// pending, sent or failed
        #[arg(long)]
        status: Option<String>,
        /// Only this template (e.g. booking_confirmation)
        #[arg(long)]
        template: Option<String>,
        /// Only those created by this event
        #[arg(long)]
        event: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// One notification with its content and metadata
    Show {
        id: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(ctx: &Context, cmd: NotificationsCommand) -> anyhow::Result<i32> {
    let store = ctx.store().await?;
    match cmd {
        NotificationsCommand::List {
            user,
            status,
            template,
            event,
            limit,
            offset,
            json,
        } => {
            let list = store
                .notifications(&NotificationFilter {
                    user_id: user,
                    status,
                    template,
                    event_id: event,
                    limit,
                    offset,
                })
                .await?;
            if json {
                output::json(&list)?;
            } else if list.is_empty() {
                output::line("no notifications match")?;
            } else {
                let mut t = output::new_table(&[
                    "ID", "USER", "CHANNEL", "TEMPLATE", "SUBJECT", "PRIORITY", "STATUS", "CREATED",
                ]);
                for n in &list {
                    t.add_row(vec![
                        n.id.clone(),
                        n.draft.user_id.clone(),
                        n.draft.channel.as_str().into(),
                        n.draft.template.clone(),
                        n.draft.subject.clone(),
                        n.draft.priority.as_str().into(),
                        n.status.clone(),
                        iso_ms(n.created_at),
                    ]);
                }
                output::table(&t)?;
            }
        }
        NotificationsCommand::Show { id, json } => {
            let Some(n) = store.notification(&id).await? else {
                bail!("no notification {id} (list them with: slotbase notifications list)");
            };
            if json {
                output::json(&n)?;
            } else {
                output::fields(&[
                    ("id", n.id.clone()),
                    ("user", n.draft.user_id.clone()),
                    ("channel", n.draft.channel.as_str().into()),
                    ("template", n.draft.template.clone()),
                    ("subject", n.draft.subject.clone()),
                    ("priority", n.draft.priority.as_str().into()),
                    ("status", n.status.clone()),
                    ("created", iso_ms(n.created_at)),
                    ("sent", n.sent_at.map(iso_ms).unwrap_or_else(|| "-".into())),
                    ("event", n.event_id.clone()),
                    ("content", serde_json::to_string_pretty(&n.draft.content)?),
                    ("metadata", serde_json::to_string_pretty(&n.draft.metadata)?),
                ])?;
            }
        }
    }
    Ok(exit::SUCCESS)
}

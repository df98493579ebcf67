//! Notifications: which events notify whom, on which channel, with which template, and the
//! rows the notification handler creates (the contract later channel senders consume).
//!
//! [`rules`] holds the seeds' tables as data: the booking-service and ticket notifications
//! of seed 1 (with its French subjects) and seed 2's NOTIFICATION_CONFIGS.

pub mod rules;

use serde::{Deserialize, Serialize};

/// A delivery channel (seed 1's `type`/`channel`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Push,
    Sms,
    InApp,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Push => "push",
            Channel::Sms => "sms",
            Channel::InApp => "in_app",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "push" => Some(Channel::Push),
            "sms" => Some(Channel::Sms),
            "in_app" | "in-app" | "inapp" => Some(Channel::InApp),
            _ => None,
        }
    }
}

/// Seed 1's priorities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

/// What kind of message a template is: transactional messages are never blocked by a
/// marketing opt-out; marketing and partner digests need their opt-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Transactional,
    Marketing,
    PartnerDigest,
}

/// A user's notification preferences.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    pub user_id: String,
    pub email_enabled: bool,
    pub push_enabled: bool,
    pub sms_enabled: bool,
    pub in_app_enabled: bool,
    pub marketing_enabled: bool,
    pub partner_digest_enabled: bool,
}

impl Preferences {
    /// Every channel on, marketing and partner digests off until the user opts in.
    pub fn defaults(user_id: &str) -> Self {
        Preferences {
            user_id: user_id.to_string(),
            email_enabled: true,
            push_enabled: true,
            sms_enabled: true,
            in_app_enabled: true,
            marketing_enabled: false,
            partner_digest_enabled: false,
        }
    }

    pub fn channel_enabled(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email_enabled,
            Channel::Push => self.push_enabled,
            Channel::Sms => self.sms_enabled,
            Channel::InApp => self.in_app_enabled,
        }
    }

    /// Whether a message of `category` may go to this user on `channel`.
    pub fn allows(&self, channel: Channel, category: Category) -> bool {
        self.channel_enabled(channel)
            && match category {
                Category::Transactional => true,
                Category::Marketing => self.marketing_enabled,
                Category::PartnerDigest => self.partner_digest_enabled,
            }
    }

    /// Set one preference by its name (`email`, `push`, `sms`, `in_app`, `marketing`,
    /// `partner_digest`, or the camelCase field names).
    pub fn set(&mut self, key: &str, value: bool) -> Result<(), String> {
        let slot = match key {
            "email" | "emailEnabled" => &mut self.email_enabled,
            "push" | "pushEnabled" => &mut self.push_enabled,
            "sms" | "smsEnabled" => &mut self.sms_enabled,
            "in_app" | "in-app" | "inApp" | "inAppEnabled" => &mut self.in_app_enabled,
            "marketing" | "marketingEnabled" => &mut self.marketing_enabled,
            "partner_digest" | "partner-digest" | "partnerDigestEnabled" => {
                &mut self.partner_digest_enabled
            }
            other => {
                return Err(format!(
                    "unknown preference \"{other}\"; use email, push, sms, in_app, marketing or partner_digest"
                ));
            }
        };
        *slot = value;
        Ok(())
    }
}

/// A notification to create: seed 1's `notificationsService.create({...})` fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationDraft {
    pub user_id: String,
    pub channel: Channel,
    pub template: String,
    pub subject: String,
    pub content: serde_json::Value,
    pub priority: Priority,
    pub category: Category,
    /// eventId, eventType, bookingId where known.
    pub metadata: serde_json::Value,
}

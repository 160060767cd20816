use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::serde_helpers::{self as de, timestamp};
use super::{ApprovalPolicy, CustomEmoji};
use crate::entities::Visibility;

/// A user account, local or remote (Mastodon's `Account`).
///
/// ```
/// let json = r#"{"id": "1", "username": "bot", "acct": "bot", "url": "https://example.social/@bot"}"#;
/// let account: tootkit::Account = serde_json::from_str(json)?;
/// assert_eq!(account.acct, "bot");
/// assert!(account.created_at.is_none());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// The account's ID on this server (opaque).
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The user name, without domain.
    #[serde(default, deserialize_with = "de::text")]
    pub username: String,
    /// `username` for local accounts, `username@domain` for remote ones.
    #[serde(default, deserialize_with = "de::text")]
    pub acct: String,
    /// The display name (may contain custom emoji shortcodes).
    #[serde(default, deserialize_with = "de::text")]
    pub display_name: String,
    /// Whether follows must be approved.
    #[serde(default, deserialize_with = "de::flag")]
    pub locked: bool,
    /// Whether the account says it is automated.
    #[serde(default, deserialize_with = "de::flag")]
    pub bot: bool,
    /// Whether the account may be featured in the directory; `None` when unset.
    #[serde(default, deserialize_with = "de::opt_flag")]
    pub discoverable: Option<bool>,
    /// Whether public posts may be indexed for search.
    #[serde(default, deserialize_with = "de::opt_flag")]
    pub indexable: Option<bool>,
    /// Whether the account is a group.
    #[serde(default, deserialize_with = "de::flag")]
    pub group: bool,
    /// When the account was created.
    #[serde(default, with = "timestamp")]
    pub created_at: Option<OffsetDateTime>,
    /// The profile bio, as HTML.
    #[serde(default, deserialize_with = "de::text")]
    pub note: String,
    /// The profile page.
    #[serde(default, deserialize_with = "de::text")]
    pub url: String,
    /// The ActivityPub actor URI.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub uri: Option<String>,
    /// The avatar image URL.
    #[serde(default, deserialize_with = "de::text")]
    pub avatar: String,
    /// The avatar as a static image.
    #[serde(default, deserialize_with = "de::text")]
    pub avatar_static: String,
    /// The avatar's alt text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub avatar_description: Option<String>,
    /// The header image URL.
    #[serde(default, deserialize_with = "de::text")]
    pub header: String,
    /// The header as a static image.
    #[serde(default, deserialize_with = "de::text")]
    pub header_static: String,
    /// The header's alt text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub header_description: Option<String>,
    /// How many accounts follow this one.
    #[serde(default, deserialize_with = "de::count")]
    pub followers_count: u64,
    /// How many accounts this one follows.
    #[serde(default, deserialize_with = "de::count")]
    pub following_count: u64,
    /// How many statuses the account has posted.
    #[serde(default, deserialize_with = "de::count")]
    pub statuses_count: u64,
    /// The day of the last post (`2026-08-01`), as the server wrote it.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub last_status_at: Option<String>,
    /// Whether the account hides its follows and followers.
    #[serde(default, deserialize_with = "de::opt_flag")]
    pub hide_collections: Option<bool>,
    /// Whether the profile shows a media tab.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub show_media: Option<bool>,
    /// Whether the media tab includes replies.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub show_media_replies: Option<bool>,
    /// Whether the profile shows featured content.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub show_featured: Option<bool>,
    /// Whether the account opted out of search engine indexing.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub noindex: Option<bool>,
    /// Who may feature this account.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub feature_approval: Option<ApprovalPolicy>,
    /// The account it moved to, if it moved.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub moved: Option<Box<Account>>,
    /// Whether the account is suspended.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub suspended: Option<bool>,
    /// Whether the account is limited by moderators.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub limited: Option<bool>,
    /// Whether the account is a memorial.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub memorial: Option<bool>,
    /// Private profile details, only in `verify_credentials`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub source: Option<AccountSource>,
    /// Custom emoji used in the name and bio.
    #[serde(default, deserialize_with = "de::list")]
    pub emojis: Vec<CustomEmoji>,
    /// Roles shown on the profile.
    #[serde(default, deserialize_with = "de::list")]
    pub roles: Vec<Role>,
    /// Profile metadata fields.
    #[serde(default, deserialize_with = "de::list")]
    pub fields: Vec<Field>,
    /// The account's own role, only in `verify_credentials`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub role: Option<Role>,
}

/// A profile metadata field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The label.
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// The value, as HTML.
    #[serde(default, deserialize_with = "de::text")]
    pub value: String,
    /// When the link in the value was verified, if it was.
    #[serde(default, with = "timestamp")]
    pub verified_at: Option<OffsetDateTime>,
}

impl Field {
    /// A field with a name and value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            verified_at: None,
        }
    }
}

/// A role on the server (moderator, admin, or one shown on a profile).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// The role's ID (empty where the server names the role only).
    #[serde(default, deserialize_with = "de::id")]
    pub id: String,
    /// The role's name.
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// The role's colour, such as `#ff3838`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub color: Option<String>,
    /// The permission bit field, as a decimal string.
    #[serde(
        default,
        deserialize_with = "de::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub permissions: Option<String>,
    /// Whether the role is shown on profiles.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub highlighted: Option<bool>,
    /// How many collections the role may create.
    #[serde(
        default,
        deserialize_with = "de::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub collection_limit: Option<u32>,
}

/// Profile details only the owner sees (`Account.source`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountSource {
    /// The default visibility of new posts.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub privacy: Option<Visibility>,
    /// Whether new posts are marked sensitive by default.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub sensitive: Option<bool>,
    /// The default language of new posts.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub language: Option<String>,
    /// The bio as plain text.
    #[serde(default, deserialize_with = "de::text")]
    pub note: String,
    /// The profile fields as plain text.
    #[serde(default, deserialize_with = "de::list")]
    pub fields: Vec<Field>,
    /// How many follow requests wait for approval.
    #[serde(
        default,
        deserialize_with = "de::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub follow_requests_count: Option<u64>,
    /// Whether follows and followers are hidden.
    #[serde(default, deserialize_with = "de::opt_flag")]
    pub hide_collections: Option<bool>,
    /// Whether the account may be featured in the directory.
    #[serde(default, deserialize_with = "de::opt_flag")]
    pub discoverable: Option<bool>,
    /// Whether public posts may be indexed for search.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub indexable: Option<bool>,
    /// Domains allowed to credit this account as author of their pages.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub attribution_domains: Option<Vec<String>>,
    /// Who may quote the account's posts by default.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub quote_policy: Option<String>,
}

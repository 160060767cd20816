use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::serde_helpers::{self as de, open_enum, timestamp};
use super::{Account, ApprovalPolicy, CustomEmoji};

open_enum! {
    /// Who can see a status.
    ///
    /// ```
    /// use tootkit::Visibility;
    /// assert_eq!("unlisted".parse::<Visibility>().unwrap(), Visibility::Unlisted);
    /// // Values other servers add are kept, not refused.
    /// assert_eq!("local".parse::<Visibility>().unwrap(), Visibility::Other("local".into()));
    /// ```
    pub enum Visibility {
        /// Everyone, in public timelines.
        Public => "public",
        /// Everyone, but kept out of public timelines ("quiet public").
        Unlisted => "unlisted",
        /// Followers only.
        Private => "private",
        /// Mentioned accounts only.
        Direct => "direct",
    }
}

open_enum! {
    /// The kind of a media attachment.
    pub enum MediaType {
        /// An image.
        Image => "image",
        /// A looping, silent video.
        Gifv => "gifv",
        /// A video.
        Video => "video",
        /// An audio file.
        Audio => "audio",
        /// A file the server could not classify.
        Unknown => "unknown",
    }
}

open_enum! {
    /// The kind of a link preview card.
    pub enum CardType {
        /// A link to a page.
        Link => "link",
        /// A photo (oEmbed).
        Photo => "photo",
        /// A video (oEmbed).
        Video => "video",
        /// A rich embed (oEmbed), never used by Mastodon.
        Rich => "rich",
    }
}

/// A post (Mastodon's `Status`).
///
/// ```
/// let json = r#"{
///     "id": "103270115826048975", "created_at": "2019-12-08T03:48:33.901Z",
///     "content": "<p>howdy universe!</p>", "visibility": "public",
///     "uri": "https://mastodon.social/users/bot/statuses/103270115826048975",
///     "account": {"id": "1", "username": "bot", "acct": "bot"}
/// }"#;
/// let status: tootkit::Status = serde_json::from_str(json)?;
/// assert_eq!(status.visibility, tootkit::Visibility::Public);
/// assert!(status.media_attachments.is_empty());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The status's ID on this server (opaque).
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// When it was posted.
    #[serde(default, with = "timestamp")]
    pub created_at: Option<OffsetDateTime>,
    /// The status it replies to.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub in_reply_to_id: Option<String>,
    /// The account it replies to.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub in_reply_to_account_id: Option<String>,
    /// Whether its media is marked sensitive.
    #[serde(default, deserialize_with = "de::flag")]
    pub sensitive: bool,
    /// The content warning (empty when there is none).
    #[serde(default, deserialize_with = "de::text")]
    pub spoiler_text: String,
    /// Who can see it: [`Visibility::Other`] with an empty value when the server did not
    /// say, rather than a guess.
    #[serde(default = "unknown")]
    pub visibility: Visibility,
    /// Its language (ISO 639), if known.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub language: Option<String>,
    /// The ActivityPub URI.
    #[serde(default, deserialize_with = "de::text")]
    pub uri: String,
    /// The page showing it, if the server has one.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub url: Option<String>,
    /// How many replies it has.
    #[serde(default, deserialize_with = "de::count")]
    pub replies_count: u64,
    /// How many boosts it has.
    #[serde(default, deserialize_with = "de::count")]
    pub reblogs_count: u64,
    /// How many favourites it has.
    #[serde(default, deserialize_with = "de::count")]
    pub favourites_count: u64,
    /// How many quotes it has.
    #[serde(
        default,
        deserialize_with = "de::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub quotes_count: Option<u64>,
    /// When it was last edited.
    #[serde(default, with = "timestamp")]
    pub edited_at: Option<OffsetDateTime>,
    /// Whether the token's account favourited it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub favourited: Option<bool>,
    /// Whether the token's account boosted it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub reblogged: Option<bool>,
    /// Whether the token's account muted its conversation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub muted: Option<bool>,
    /// Whether the token's account bookmarked it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub bookmarked: Option<bool>,
    /// Whether it is pinned to its author's profile.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub pinned: Option<bool>,
    /// The content, as HTML.
    #[serde(default, deserialize_with = "de::text")]
    pub content: String,
    /// The plain-text source; only present after deleting (for "delete and redraft").
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub text: Option<String>,
    /// Filters matching it, for the token's account.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub filtered: Option<Vec<serde_json::Value>>,
    /// The boosted status, when this is a boost.
    #[serde(default, deserialize_with = "de::object_or_none")]
    pub reblog: Option<Box<Status>>,
    /// The application that posted it, when shown.
    #[serde(default, deserialize_with = "de::object_or_none")]
    pub application: Option<StatusApplication>,
    /// Its author.
    pub account: Account,
    /// Attached media.
    #[serde(default, deserialize_with = "de::list")]
    pub media_attachments: Vec<MediaAttachment>,
    /// Mentioned accounts.
    #[serde(default, deserialize_with = "de::list")]
    pub mentions: Vec<Mention>,
    /// Hashtags used.
    #[serde(default, deserialize_with = "de::list")]
    pub tags: Vec<Tag>,
    /// Custom emoji used.
    #[serde(default, deserialize_with = "de::list")]
    pub emojis: Vec<CustomEmoji>,
    /// Collections it is tagged in.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub tagged_collections: Option<Vec<serde_json::Value>>,
    /// The status it quotes.
    #[serde(default)]
    pub quote: Option<serde_json::Value>,
    /// The link preview.
    #[serde(default, deserialize_with = "de::object_or_none")]
    pub card: Option<PreviewCard>,
    /// The attached poll.
    #[serde(default, deserialize_with = "de::object_or_none")]
    pub poll: Option<Poll>,
    /// Who may quote it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::object_or_none"
    )]
    pub quote_approval: Option<ApprovalPolicy>,
}

fn unknown() -> Visibility {
    Visibility::Other(String::new())
}

/// The application a status was posted with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusApplication {
    /// The application's name.
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// Its website.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub website: Option<String>,
}

impl StatusApplication {
    /// An application with a name and optional website.
    pub fn new(name: impl Into<String>, website: Option<String>) -> Self {
        Self {
            name: name.into(),
            website,
        }
    }
}

/// An account mentioned in a status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// The account's ID.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The user name, without domain.
    #[serde(default, deserialize_with = "de::text")]
    pub username: String,
    /// `username` or `username@domain`.
    #[serde(default, deserialize_with = "de::text")]
    pub acct: String,
    /// The profile page.
    #[serde(default, deserialize_with = "de::text")]
    pub url: String,
}

/// A hashtag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// The tag's ID on the server (Mastodon 4.3 and later).
    #[serde(
        default,
        deserialize_with = "de::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// The tag, without `#`.
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// The tag's page.
    #[serde(default, deserialize_with = "de::text")]
    pub url: String,
    /// Recent use, when the server sends it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub history: Option<Vec<serde_json::Value>>,
    /// Whether the token's account follows the tag.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub following: Option<bool>,
    /// Whether the token's account features the tag on its profile.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub featuring: Option<bool>,
}

/// A file attached to a status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MediaAttachment {
    /// The attachment's ID.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// What kind of file it is.
    #[serde(rename = "type", default = "unknown_media")]
    pub kind: MediaType,
    /// The file; `None` while the server is still processing it.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub url: Option<String>,
    /// A scaled-down preview.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub preview_url: Option<String>,
    /// The original on a remote server.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub remote_url: Option<String>,
    /// Dimensions, duration, focal point… as the server describes them.
    #[serde(default)]
    pub meta: Option<serde_json::Value>,
    /// The alt text.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub description: Option<String>,
    /// A BlurHash of the image.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub blurhash: Option<String>,
    /// The preview's address on the server it came from, for remote media.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub preview_remote_url: Option<String>,
}

/// A link preview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewCard {
    /// The linked page.
    #[serde(default, deserialize_with = "de::text")]
    pub url: String,
    /// Its title.
    #[serde(default, deserialize_with = "de::text")]
    pub title: String,
    /// Its description.
    #[serde(default, deserialize_with = "de::text")]
    pub description: String,
    /// What kind of preview it is.
    #[serde(rename = "type", default = "link")]
    pub kind: CardType,
    /// The author's name.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub author_name: Option<String>,
    /// The author's page.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub author_url: Option<String>,
    /// The site's name.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub provider_name: Option<String>,
    /// The site's address.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub provider_url: Option<String>,
    /// HTML for an embed.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub html: Option<String>,
    /// Width of the preview.
    #[serde(default, deserialize_with = "de::opt_count")]
    pub width: Option<u64>,
    /// Height of the preview.
    #[serde(default, deserialize_with = "de::opt_count")]
    pub height: Option<u64>,
    /// The preview image.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub image: Option<String>,
    /// The embedded media's address.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub embed_url: Option<String>,
    /// A BlurHash of the image.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub blurhash: Option<String>,
    /// The image's alt text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub image_description: Option<String>,
    /// The page's language.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub language: Option<String>,
    /// When the page was published.
    #[serde(default, with = "timestamp", skip_serializing_if = "Option::is_none")]
    pub published_at: Option<OffsetDateTime>,
    /// The page's authors with their fediverse accounts, where the page names them
    /// (Mastodon 4.3 and later), as the server describes them.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub authors: Option<Vec<serde_json::Value>>,
    /// Whether the page claims a fediverse author who does not confirm it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub missing_attribution: Option<bool>,
}

fn link() -> CardType {
    CardType::Link
}

fn unknown_media() -> MediaType {
    MediaType::Unknown
}

/// A poll attached to a status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Poll {
    /// The poll's ID.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// When it closes, if it does.
    #[serde(default, with = "timestamp")]
    pub expires_at: Option<OffsetDateTime>,
    /// Whether it is closed.
    #[serde(default, deserialize_with = "de::flag")]
    pub expired: bool,
    /// Whether several options may be chosen.
    #[serde(default, deserialize_with = "de::flag")]
    pub multiple: bool,
    /// How many votes were cast.
    #[serde(default, deserialize_with = "de::count")]
    pub votes_count: u64,
    /// How many accounts voted (multiple-choice polls).
    #[serde(default, deserialize_with = "de::opt_count")]
    pub voters_count: Option<u64>,
    /// The options. Whole or not at all (`own_votes` counts in them): a poll with an
    /// option that cannot be read is itself left out of its status.
    #[serde(default, deserialize_with = "de::or_default")]
    pub options: Vec<PollOption>,
    /// Custom emoji in the options.
    #[serde(default, deserialize_with = "de::list")]
    pub emojis: Vec<CustomEmoji>,
    /// Whether the token's account voted.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub voted: Option<bool>,
    /// Which options the token's account chose.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub own_votes: Option<Vec<u32>>,
}

/// One option of a poll.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PollOption {
    /// The option's text.
    #[serde(default, deserialize_with = "de::text")]
    pub title: String,
    /// Votes for it; `None` while results are hidden.
    #[serde(default, deserialize_with = "de::opt_count")]
    pub votes_count: Option<u64>,
}

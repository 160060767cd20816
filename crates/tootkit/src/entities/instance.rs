use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Account;
use super::serde_helpers as de;

/// Mastodon's default status length limit, used when a server does not say.
pub const DEFAULT_MAX_CHARACTERS: u32 = 500;
/// Mastodon's default length of a URL in a status, used when a server does not say.
pub const DEFAULT_CHARACTERS_RESERVED_PER_URL: u32 = 23;

/// The server's description of itself (`GET /api/v2/instance`).
///
/// [`InstanceV1`] converts into this type, so a caller reads limits the same way
/// whichever endpoint the server offers.
///
/// ```
/// let json = r#"{"domain": "example.social", "title": "Example", "version": "4.6.4",
///     "api_versions": {"mastodon": 11},
///     "configuration": {"statuses": {"max_characters": 1000}}}"#;
/// let instance: tootkit::Instance = serde_json::from_str(json)?;
/// assert_eq!(instance.max_characters(), 1000);
/// assert_eq!(instance.characters_reserved_per_url(), 23);
/// assert_eq!(instance.api_version("mastodon"), Some(11));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// The domain name of the instance.
    #[serde(default, deserialize_with = "de::text")]
    pub domain: String,
    /// Its title.
    #[serde(default, deserialize_with = "de::text")]
    pub title: String,
    /// The software version, such as `4.6.4` or `2.7.2 (compatible; Pleroma 2.5.0)`.
    #[serde(default, deserialize_with = "de::text")]
    pub version: String,
    /// Where the server's source code is.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub source_url: Option<String>,
    /// A short description.
    #[serde(default, deserialize_with = "de::text")]
    pub description: String,
    /// Usage figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<serde_json::Value>,
    /// The banner image.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::object_or_none"
    )]
    pub thumbnail: Option<Thumbnail>,
    /// Icons in several sizes.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub icon: Option<Vec<serde_json::Value>>,
    /// Languages the staff speak (ISO 639-1).
    #[serde(default, deserialize_with = "de::list")]
    pub languages: Vec<String>,
    /// Limits and settings clients need.
    #[serde(default, deserialize_with = "de::or_default_readable")]
    pub configuration: InstanceConfiguration,
    /// Sign-up settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrations: Option<serde_json::Value>,
    /// API versions by implementation, such as `{"mastodon": 11}` (Mastodon 4.3+).
    #[serde(default, deserialize_with = "de::count_map")]
    pub api_versions: BTreeMap<String, u32>,
    /// How to contact the staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<serde_json::Value>,
    /// The server's rules.
    #[serde(default, deserialize_with = "de::list")]
    pub rules: Vec<Rule>,
    /// The yearly review ("Wrapstodon") on offer, if any.
    #[serde(default)]
    pub wrapstodon: Option<serde_json::Value>,
}

impl Instance {
    /// The status length limit (500 when the server does not say, or says 0, which
    /// would let no status through).
    pub fn max_characters(&self) -> u32 {
        self.published_max_characters()
            .unwrap_or(DEFAULT_MAX_CHARACTERS)
    }

    /// The status length limit the server publishes, if it publishes one (0 is none).
    pub fn published_max_characters(&self) -> Option<u32> {
        self.configuration
            .statuses
            .as_ref()
            .and_then(|s| s.max_characters)
            .filter(|&max| max > 0)
    }

    /// What a URL counts towards the limit (23 when the server does not say; 0 when
    /// it counts links as written, as Pleroma and Akkoma say).
    pub fn characters_reserved_per_url(&self) -> u32 {
        self.configuration
            .statuses
            .as_ref()
            .and_then(|s| s.characters_reserved_per_url)
            .unwrap_or(DEFAULT_CHARACTERS_RESERVED_PER_URL)
    }

    /// The version of an API family (`mastodon`), if the server publishes one.
    pub fn api_version(&self, family: &str) -> Option<u32> {
        self.api_versions.get(family).copied()
    }
}

/// The server's banner image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Thumbnail {
    /// The image.
    #[serde(default, deserialize_with = "de::text")]
    pub url: String,
    /// Its alt text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub description: Option<String>,
    /// A BlurHash of the image.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub blurhash: Option<String>,
    /// The image at other resolutions: `{"@1x": url, "@2x": url}`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub versions: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Limits and settings in [`Instance::configuration`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceConfiguration {
    /// URLs of the streaming API and the server's pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urls: Option<serde_json::Value>,
    /// The Web Push key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vapid: Option<serde_json::Value>,
    /// Profile limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<serde_json::Value>,
    /// Status limits.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub statuses: Option<StatusesConfiguration>,
    /// Media limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_attachments: Option<serde_json::Value>,
    /// Poll limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polls: Option<serde_json::Value>,
    /// Whether translation is available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation: Option<serde_json::Value>,
    /// Who may see the live, hashtag and trending feeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timelines_access: Option<serde_json::Value>,
    /// Whether the server federates only with allowed domains.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_flag"
    )]
    pub limited_federation: Option<bool>,
}

/// Status limits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusesConfiguration {
    /// The longest status, in characters as the server counts them.
    #[serde(
        default,
        deserialize_with = "de::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_characters: Option<u32>,
    /// How many media a status may carry.
    #[serde(
        default,
        deserialize_with = "de::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_media_attachments: Option<u32>,
    /// What a URL counts towards the length.
    #[serde(
        default,
        deserialize_with = "de::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub characters_reserved_per_url: Option<u32>,
}

impl StatusesConfiguration {
    /// A configuration with the given limits.
    pub fn new(
        max_characters: u32,
        max_media_attachments: u32,
        characters_reserved_per_url: u32,
    ) -> Self {
        Self {
            max_characters: Some(max_characters),
            max_media_attachments: Some(max_media_attachments),
            characters_reserved_per_url: Some(characters_reserved_per_url),
        }
    }
}

/// A server rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// The rule's ID.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The rule.
    #[serde(default, deserialize_with = "de::text")]
    pub text: String,
    /// An explanation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub hint: Option<String>,
    /// The rule in other languages, by language code: `{"de": {"text": …, "hint": …}}`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::or_none"
    )]
    pub translations: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The older description of a server (`GET /api/v1/instance`), still the only one some
/// servers offer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceV1 {
    /// The domain name (Mastodon) or URL (some others).
    #[serde(default, deserialize_with = "de::text")]
    pub uri: String,
    /// Its title.
    #[serde(default, deserialize_with = "de::text")]
    pub title: String,
    /// A short description.
    #[serde(default, deserialize_with = "de::text")]
    pub short_description: String,
    /// A longer description.
    #[serde(default, deserialize_with = "de::text")]
    pub description: String,
    /// The staff's email address.
    #[serde(default, deserialize_with = "de::text")]
    pub email: String,
    /// The software version.
    #[serde(default, deserialize_with = "de::text")]
    pub version: String,
    /// The streaming API's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urls: Option<serde_json::Value>,
    /// User, status and domain counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<serde_json::Value>,
    /// The banner image.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub thumbnail: Option<String>,
    /// Languages the staff speak.
    #[serde(default, deserialize_with = "de::list")]
    pub languages: Vec<String>,
    /// Whether sign-ups are open.
    #[serde(default, deserialize_with = "de::flag")]
    pub registrations: bool,
    /// Whether sign-ups need approval.
    #[serde(default, deserialize_with = "de::flag")]
    pub approval_required: bool,
    /// Whether invites are enabled.
    #[serde(default, deserialize_with = "de::flag")]
    pub invites_enabled: bool,
    /// Limits (Mastodon 3.4+).
    #[serde(default, deserialize_with = "de::or_default_readable")]
    pub configuration: InstanceConfiguration,
    /// The contact account.
    #[serde(default, deserialize_with = "de::object_or_none")]
    pub contact_account: Option<Account>,
    /// The server's rules.
    #[serde(default, deserialize_with = "de::list")]
    pub rules: Vec<Rule>,
    /// Pleroma's and Akkoma's status length limit.
    #[serde(
        default,
        deserialize_with = "de::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_toot_chars: Option<u32>,
}

impl From<InstanceV1> for Instance {
    fn from(v1: InstanceV1) -> Self {
        let mut configuration = v1.configuration;
        // v1's `urls.streaming_api` is v2's `configuration.urls.streaming`. (v1's `stats`
        // count everyone ever, not v2's monthly active users, so they stay unsaid.)
        if configuration.urls.is_none()
            && let Some(streaming) = v1.urls.as_ref().and_then(|urls| urls.get("streaming_api"))
        {
            configuration.urls = Some(serde_json::json!({ "streaming": streaming }));
        }
        if let Some(max) = v1.max_toot_chars {
            let statuses = configuration.statuses.get_or_insert_with(Default::default);
            statuses.max_characters.get_or_insert(max);
            // Pleroma and Akkoma count the text as written (their v2 says 0); others
            // that give the field (Friendica, GoToSocial) reserve Mastodon's 23 or say.
            let version = v1.version.to_ascii_lowercase();
            if version.contains("pleroma") || version.contains("akkoma") {
                statuses.characters_reserved_per_url.get_or_insert(0);
            }
        }
        let domain = v1
            .uri
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        Self {
            domain,
            title: v1.title,
            version: v1.version,
            source_url: None,
            description: if v1.short_description.is_empty() {
                v1.description
            } else {
                v1.short_description
            },
            usage: None,
            thumbnail: v1.thumbnail.map(|url| Thumbnail {
                url,
                description: None,
                blurhash: None,
                versions: None,
            }),
            icon: None,
            languages: v1.languages,
            configuration,
            registrations: Some(serde_json::json!({
                "enabled": v1.registrations,
                "approval_required": v1.approval_required,
            })),
            api_versions: BTreeMap::new(),
            contact: Some(serde_json::json!({
                "email": v1.email,
                "account": v1.contact_account,
            })),
            rules: v1.rules,
            wrapstodon: None,
        }
    }
}

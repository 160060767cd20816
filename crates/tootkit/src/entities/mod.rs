//! The JSON entities of the Mastodon API, as the library reads them and the sandbox
//! writes them.
//!
//! Tolerant by design, because servers other than Mastodon speak the same API a little
//! differently: unknown fields are ignored, unknown enum values are kept (as `Other`),
//! fields other servers omit are optional or default, IDs are opaque strings (numbers are
//! accepted), and a malformed timestamp becomes `None` instead of failing the entity.

mod account;
mod instance;
pub(crate) mod serde_helpers;
mod status;

use serde::{Deserialize, Serialize};

pub use account::{Account, AccountSource, Field, Role};
pub use instance::{
    DEFAULT_CHARACTERS_RESERVED_PER_URL, DEFAULT_MAX_CHARACTERS, Instance, InstanceConfiguration,
    InstanceV1, Rule, StatusesConfiguration, Thumbnail,
};
pub use serde_helpers::format_timestamp;
pub(crate) use serde_helpers::parse_timestamp;
pub use status::{
    CardType, MediaAttachment, MediaType, Mention, Poll, PollOption, PreviewCard, Status,
    StatusApplication, Tag, Visibility,
};

use crate::secret::{AccessToken, ClientSecret, RefreshToken};
use serde_helpers as de;

/// A custom emoji.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomEmoji {
    /// The code between colons, such as `blobaww`.
    #[serde(default, deserialize_with = "de::text")]
    pub shortcode: String,
    /// The image.
    #[serde(default, deserialize_with = "de::text")]
    pub url: String,
    /// A static image.
    #[serde(default, deserialize_with = "de::text")]
    pub static_url: String,
    /// Whether it is offered in the emoji picker.
    #[serde(default, deserialize_with = "de::flag")]
    pub visible_in_picker: bool,
    /// The picker category.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub category: Option<String>,
}

/// Who may do something automatically, who needs approval, and what applies to the
/// current user (Mastodon's `QuoteApproval` and `FeatureApproval`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalPolicy {
    /// Audiences approved automatically (`public`, `followers`, `following`…).
    #[serde(default, deserialize_with = "de::list")]
    pub automatic: Vec<String>,
    /// Audiences that need manual approval.
    #[serde(default, deserialize_with = "de::list")]
    pub manual: Vec<String>,
    /// What applies to the current user (`automatic`, `manual`, `denied`, `unknown`).
    #[serde(default, deserialize_with = "de::text")]
    pub current_user: String,
}

impl ApprovalPolicy {
    /// A policy with the given automatic audiences and the current user's standing.
    pub fn new(automatic: Vec<String>, current_user: impl Into<String>) -> Self {
        Self {
            automatic,
            manual: Vec::new(),
            current_user: current_user.into(),
        }
    }
}

/// A registered OAuth application, as `GET /api/v1/apps/verify_credentials` shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Application {
    /// The application's ID (absent on older servers).
    #[serde(
        default,
        deserialize_with = "de::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Its name.
    #[serde(default, deserialize_with = "de::text")]
    pub name: String,
    /// Its website.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub website: Option<String>,
    /// The scopes it was registered with.
    #[serde(default, deserialize_with = "de::list")]
    pub scopes: Vec<String>,
    /// The redirect URIs it was registered with.
    #[serde(default, deserialize_with = "de::list")]
    pub redirect_uris: Vec<String>,
    /// The redirect URIs joined by newlines (deprecated by Mastodon 4.3).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub redirect_uri: Option<String>,
    /// The Web Push key (deprecated by Mastodon 4.3).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub vapid_key: Option<String>,
}

impl Application {
    /// The redirect URIs it was registered with: `redirect_uris`, or on servers before
    /// Mastodon 4.3, which send only `redirect_uri`, that one's lines.
    ///
    /// ```
    /// let json = r#"{"name": "bot", "redirect_uri": "urn:ietf:wg:oauth:2.0:oob\nhttp://127.0.0.1/callback"}"#;
    /// let app: tootkit::Application = serde_json::from_str(json)?;
    /// assert_eq!(app.registered_redirect_uris(), ["urn:ietf:wg:oauth:2.0:oob", "http://127.0.0.1/callback"]);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn registered_redirect_uris(&self) -> Vec<&str> {
        if self.redirect_uris.is_empty() {
            self.redirect_uri
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .collect()
        } else {
            self.redirect_uris.iter().map(String::as_str).collect()
        }
    }
}

/// A newly registered application with its OAuth credentials (`POST /api/v1/apps`).
///
/// ```
/// let json = r#"{"id": "563419", "name": "Test Application", "website": null,
///     "scopes": ["read", "write"], "redirect_uris": ["urn:ietf:wg:oauth:2.0:oob"],
///     "client_id": "TWhM-tNSuncnqN7DBJmo", "client_secret": "ZEaFUFmF0umgBX1q"}"#;
/// let app: tootkit::CredentialApplication = serde_json::from_str(json)?;
/// assert_eq!(app.client_id, "TWhM-tNSuncnqN7DBJmo");
/// assert!(!format!("{app:?}").contains("ZEaFUFmF0umgBX1q"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CredentialApplication {
    /// The public part of the registration.
    #[serde(flatten)]
    pub application: Application,
    /// The OAuth client ID.
    #[serde(deserialize_with = "de::id")]
    pub client_id: String,
    /// The OAuth client secret.
    #[serde(serialize_with = "crate::exposed::serialize")]
    pub client_secret: ClientSecret,
    /// When the secret expires (0: never).
    #[serde(
        default,
        deserialize_with = "de::opt_seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_secret_expires_at: Option<i64>,
}

/// An OAuth token response (`POST /oauth/token`).
///
/// ```
/// let json = r#"{"access_token": "ZA-Yj3aBD8U8Cm7lKUp", "token_type": "Bearer",
///     "scope": "read write follow push", "created_at": 1573979017}"#;
/// let token: tootkit::Token = serde_json::from_str(json)?;
/// assert_eq!(token.scopes(), ["read", "write", "follow", "push"]);
/// assert!(!format!("{token:?}").contains("ZA-Yj3"));
/// assert_eq!(token.expires_in, None, "Mastodon's tokens last until revoked");
///
/// // Pleroma's expire, and come with a refresh token.
/// let json = r#"{"access_token": "UVBP2e17", "token_type": "Bearer", "scope": "read",
///     "expires_in": 600, "refresh_token": "c2DpbVxY"}"#;
/// let token: tootkit::Token = serde_json::from_str(json)?;
/// assert_eq!(token.expires_in, Some(600));
/// assert_eq!(token.refresh_token.map(|t| t.expose().to_owned()).as_deref(), Some("c2DpbVxY"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Token {
    /// The bearer token.
    #[serde(serialize_with = "crate::exposed::serialize")]
    pub access_token: AccessToken,
    /// Always `Bearer` on Mastodon.
    #[serde(default = "bearer", deserialize_with = "bearer_unless_named")]
    pub token_type: String,
    /// The granted scopes, separated by spaces.
    #[serde(default, deserialize_with = "de::text")]
    pub scope: String,
    /// When it was issued (Unix seconds).
    #[serde(default, deserialize_with = "de::opt_seconds")]
    pub created_at: Option<i64>,
    /// How many seconds the token stays valid, where the server lets tokens expire
    /// (Pleroma, Akkoma, Pixelfed); Mastodon's tokens last until revoked.
    #[serde(
        default,
        deserialize_with = "de::opt_count",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_in: Option<u64>,
    /// The token that renews an expiring one, where the server issues one.
    #[serde(
        default,
        serialize_with = "crate::exposed::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token: Option<RefreshToken>,
}

fn bearer() -> String {
    "Bearer".to_owned()
}

fn bearer_unless_named<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_else(bearer))
}

impl Token {
    /// The granted scopes, one per item.
    pub fn scopes(&self) -> Vec<&str> {
        self.scope.split_whitespace().collect()
    }
}

/// An error body from the API: `{"error": "...", "error_description": "..."}`.
///
/// Also read from the nested form some endpoints use,
/// `{"error": {"error": "...", "details": {...}}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawApiError")]
pub struct ApiError {
    /// The message (API errors) or the OAuth error code (OAuth errors).
    #[serde(default, deserialize_with = "de::text")]
    pub error: String,
    /// The OAuth error description.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_text"
    )]
    pub error_description: Option<String>,
    /// Per-field validation details (account registration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawApiError {
    #[serde(default)]
    error: serde_json::Value,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    details: Option<serde_json::Value>,
}

impl From<RawApiError> for ApiError {
    fn from(raw: RawApiError) -> Self {
        let (error, nested_details) = match raw.error {
            serde_json::Value::String(text) => (text, None),
            serde_json::Value::Object(mut inner) => (
                inner
                    .get("error")
                    .and_then(|e| e.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                inner.remove("details"),
            ),
            serde_json::Value::Null => (String::new(), None),
            other => (other.to_string(), None),
        };
        Self {
            error,
            error_description: raw.error_description,
            details: raw.details.or(nested_details),
        }
    }
}

impl ApiError {
    /// An error with a message only.
    pub fn new(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            error_description: None,
            details: None,
        }
    }

    /// An OAuth error with its code and description.
    pub fn oauth(error: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            error_description: Some(description.into()),
            details: None,
        }
    }
}

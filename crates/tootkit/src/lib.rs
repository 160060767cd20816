//! # tootkit
//!
//! A typed async client for Mastodon and the servers that speak its API (GoToSocial,
//! Akkoma, Pleroma…): app registration, OAuth with PKCE and a loopback redirect,
//! posting with idempotent retries, and tolerant entities that survive what other
//! servers send.
//!
//! A bot needs two strings, the instance address and an access token:
//!
//! ```no_run
//! # async fn run() -> Result<(), tootkit::Error> {
//! // MASTODON_API_BASE_URL=https://botsin.space MASTODON_ACCESS_TOKEN=...
//! let client = tootkit::Client::from_env()?;
//! let status = client.statuses().create("howdy universe!").send().await?;
//! println!("posted {}", status.url.unwrap_or(status.uri));
//! # Ok(()) }
//! ```
//!
//! Getting the token is the [`auth`] module's job; the `tootkit` command line does it
//! for you (`tootkit auth login`) and keeps it in the OS keyring.
//!
//! Secrets ([`AccessToken`], [`RefreshToken`], [`ClientSecret`], [`AuthorizationCode`],
//! [`PkceVerifier`], [`Password`]) never show their value in `Debug` or `Display`; call
//! `expose()`.

#![warn(missing_docs)]

pub mod accounts;
pub mod apps;
pub mod auth;
mod client;
pub mod entities;
mod error;
pub mod instance;
mod instance_url;
mod random;
mod secret;
pub mod statuses;
pub mod text;

pub use auth::{
    AppCredentials, AuthorizationRequest, LoopbackReceiver, OAuth, OOB_REDIRECT_URI, Scopes,
    ServerMetadata,
};
pub use client::{
    Client, ClientBuilder, ENV_ACCESS_TOKEN, ENV_BASE_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET,
    RateLimit, RetryPolicy, USER_AGENT,
};
pub use entities::{
    Account, ApiError, Application, CredentialApplication, Instance, InstanceV1, Status, Token,
    Visibility,
};
pub use error::Error;
#[doc(hidden)]
pub use error::SANDBOX_UNSERVED;
pub use instance_url::InstanceUrl;
pub use secret::{
    AccessToken, AuthorizationCode, ClientSecret, Password, PkceVerifier, REDACTED, RefreshToken,
    Secret, exposed,
};

/// Checks that an ID can go in a URL path as it is (`.` and `..` alone would move the
/// request to another path).
fn path_segment(id: &str) -> Result<&str, Error> {
    if id.is_empty() {
        return Err(Error::invalid_input(
            "The ID is empty; give the ID of what is meant, such as `109348207311542468`.",
        ));
    }
    if id.chars().all(|c| c == '.') {
        return Err(Error::invalid_input(format!(
            "`{id}` is not an ID (dots alone name another path); give the ID of what is meant, such as `109348207311542468`."
        )));
    }
    if id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
    {
        return Ok(id);
    }
    // Shown cut short: whatever was passed in an ID's place may be long.
    let shown = crate::text::shortened(id, 40);
    Err(Error::invalid_input(format!(
        "`{shown}` is not an ID; IDs are letters, digits, `-`, `_`, `.` and `~`, such as `109348207311542468`."
    )))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_stay_one_path_segment() {
        for id in ["109348207311542468", "AaBb-_~.1", "9z.x"] {
            assert_eq!(super::path_segment(id).unwrap(), id);
        }
        for id in [".", "..", "...", "a/b", "a?b", "a b", "%2e"] {
            let err = super::path_segment(id).unwrap_err();
            assert!(err.to_string().contains("is not an ID"), "{id}: {err}");
        }
        let dots = super::path_segment("..").unwrap_err().to_string();
        assert!(dots.contains("dots alone name another path"), "{dots}");
        let empty = super::path_segment("").unwrap_err().to_string();
        assert!(empty.starts_with("The ID is empty"), "{empty}");
    }
}

/// The README's examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeExamples;

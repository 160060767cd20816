//! Application registration: `client.apps()`.

use crate::auth::Scopes;
use crate::client::ApiRequest;
use crate::entities::{Application, CredentialApplication};
use crate::{Client, Error};

/// The longest application name Mastodon accepts.
pub const MAX_APP_NAME_CHARS: usize = 60;

/// Application endpoints: `client.apps()`.
#[derive(Clone, Copy, Debug)]
pub struct Apps<'a> {
    client: &'a Client,
}

impl Client {
    /// Application registration and verification.
    pub fn apps(&self) -> Apps<'_> {
        Apps { client: self }
    }
}

impl<'a> Apps<'a> {
    /// Starts registering an application named `name` (at most 60 characters).
    ///
    /// ```no_run
    /// use tootkit::{Client, Scopes};
    /// # async fn run() -> Result<(), tootkit::Error> {
    /// let client = Client::new("botsin.space".parse()?)?;
    /// let app = client
    ///     .apps()
    ///     .register("weatherbot")
    ///     .scopes(Scopes::parse("read write:statuses")?)
    ///     .redirect_uri(tootkit::OOB_REDIRECT_URI)
    ///     .website("https://example.org/weatherbot")
    ///     .send()
    ///     .await?;
    /// println!("client ID {}", app.client_id); // the secret stays redacted
    /// # Ok(()) }
    /// ```
    pub fn register(&self, name: impl Into<String>) -> RegisterApp<'a> {
        RegisterApp {
            client: self.client,
            name: name.into(),
            scopes: Scopes::read(),
            redirect_uris: Vec::new(),
            website: None,
        }
    }

    /// The application the client's token belongs to (`GET /api/v1/apps/verify_credentials`).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), tootkit::Error> {
    /// let client = tootkit::Client::from_env()?;
    /// let app = client.apps().verify_credentials().await?;
    /// println!("this token belongs to {}", app.name);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Unauthorized`] when the token is not valid.
    pub async fn verify_credentials(&self) -> Result<Application, Error> {
        self.client
            .json(
                ApiRequest::get("/api/v1/apps/verify_credentials"),
                "an Application",
            )
            .await
    }
}

/// A pending application registration (`POST /api/v1/apps`).
///
/// ```no_run
/// # async fn run(client: tootkit::Client) -> Result<(), tootkit::Error> {
/// use tootkit::{LoopbackReceiver, Scopes, OOB_REDIRECT_URI};
///
/// let app = client
///     .apps()
///     .register("weatherbot")
///     .scopes("read write:statuses".parse()?)
///     .redirect_uri(OOB_REDIRECT_URI)
///     .redirect_uri(LoopbackReceiver::REGISTERED_REDIRECT_URI)
///     .website("https://example.org/weatherbot")
///     .send()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use]
pub struct RegisterApp<'a> {
    client: &'a Client,
    name: String,
    scopes: Scopes,
    redirect_uris: Vec<String>,
    website: Option<String>,
}

impl RegisterApp<'_> {
    /// The scopes the application may ask for (default `read`).
    pub fn scopes(mut self, scopes: Scopes) -> Self {
        self.scopes = scopes;
        self
    }

    /// Adds a redirect URI (default: only the out-of-band one).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uris.push(uri.into());
        self
    }

    /// The application's website.
    pub fn website(mut self, website: impl Into<String>) -> Self {
        self.website = Some(website.into());
        self
    }

    /// Registers the application.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] before sending when the name is empty or longer than 60
    /// characters, or a redirect URI is not absolute; [`Error::Validation`] when the
    /// server refuses the registration.
    pub async fn send(self) -> Result<CredentialApplication, Error> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(Error::invalid_input(
                "The application name is empty; give it a name people will recognise, such as `weatherbot`.",
            ));
        }
        let length = name.chars().count();
        if length > MAX_APP_NAME_CHARS {
            return Err(Error::invalid_input(format!(
                "The application name is {length} characters long; Mastodon accepts at most {MAX_APP_NAME_CHARS}, so shorten it."
            )));
        }
        let mut redirect_uris = self.redirect_uris;
        if redirect_uris.is_empty() {
            redirect_uris.push(crate::OOB_REDIRECT_URI.to_owned());
        }
        for uri in &redirect_uris {
            // The URIs go to the server as lines of one string, and the URL parser
            // would quietly drop a line break inside one.
            if uri.chars().any(char::is_whitespace) || url::Url::parse(uri).is_err() {
                return Err(Error::invalid_input(format!(
                    "The redirect URI {uri:?} is not one absolute URI without spaces; use one such as `{}` or `{}`.",
                    crate::OOB_REDIRECT_URI,
                    crate::LoopbackReceiver::REGISTERED_REDIRECT_URI
                )));
            }
        }
        // One string, a URI per line: every Mastodon version reads it, where a JSON
        // list is read only since 4.3 (older servers answer "Redirect URI can't be blank").
        let mut body = serde_json::json!({
            "client_name": name,
            "redirect_uris": redirect_uris.join("\n"),
            "scopes": self.scopes.to_string(),
        });
        if let Some(website) = self.website {
            body["website"] = serde_json::Value::String(website);
        }
        let request = ApiRequest::post("/api/v1/apps").anonymous().json(body);
        self.client.json(request, "a registered application").await
    }
}

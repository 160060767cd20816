//! OAuth: server discovery, the authorization code flow with PKCE, client credentials,
//! the legacy password grant, and revocation.
//!
//! The usual flow for a bot's account:
//!
//! ```no_run
//! # async fn run() -> Result<(), tootkit::Error> {
//! use tootkit::{AuthorizationRequest, Client, Scopes, OOB_REDIRECT_URI};
//!
//! let client = Client::new("botsin.space".parse()?)?;
//! let app = client
//!     .apps()
//!     .register("weatherbot")
//!     .scopes(Scopes::read_write())
//!     .redirect_uri(OOB_REDIRECT_URI)
//!     .send()
//!     .await?;
//! let server = client.oauth().discover().await?;
//! let request = AuthorizationRequest::new(&app.client_id, OOB_REDIRECT_URI, Scopes::read_write());
//! println!("Open {} and paste the code here.", request.url(&server));
//! # let pasted = String::new();
//! let token = client
//!     .oauth()
//!     .exchange_code(&app.credentials(), &request, tootkit::AuthorizationCode::from_pasted(&pasted))
//!     .await?;
//! // Mastodon's tokens do not expire: keep this one somewhere safe (a secret store, the
//! // bot's MASTODON_ACCESS_TOKEN) instead of signing in at every run.
//! let keep = token.access_token.expose().to_owned();
//! let bot = client.with_access_token(token.access_token);
//! # drop(keep);
//! # Ok(()) }
//! ```

mod loopback;
mod scopes;

use serde::{Deserialize, Serialize};
use url::Url;

pub use loopback::{LOOPBACK_CALLBACK_PATH, LoopbackReceiver};
pub use scopes::Scopes;
pub(crate) use scopes::scope_needed_by;

use crate::client::{ApiRequest, looks_like_html};
use crate::entities::{CredentialApplication, Token};
use crate::{AccessToken, AuthorizationCode, Client, ClientSecret, Error, Password, PkceVerifier};

/// The redirect URI that asks the server to show the code instead of redirecting.
pub const OOB_REDIRECT_URI: &str = "urn:ietf:wg:oauth:2.0:oob";

/// The OAuth endpoints of a server and what it supports.
///
/// Read from `/.well-known/oauth-authorization-server` (Mastodon 4.3 and later), or
/// assumed from Mastodon's defaults when the server publishes no metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerMetadata {
    /// The issuer.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Where the user authorizes.
    pub authorization_endpoint: String,
    /// Where codes become tokens. Informational: tootkit posts to `/oauth/token` on the
    /// instance, where Mastodon and the servers that copy its API all answer.
    pub token_endpoint: String,
    /// Where tokens are revoked. Informational, as `token_endpoint` (`/oauth/revoke`).
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// Where applications are registered (Mastodon's `app_registration_endpoint`).
    #[serde(default)]
    pub app_registration_endpoint: Option<String>,
    /// Scopes the server knows.
    #[serde(default)]
    pub scopes_supported: Option<Vec<String>>,
    /// Grant types the server accepts.
    #[serde(default)]
    pub grant_types_supported: Option<Vec<String>>,
    /// PKCE methods the server accepts.
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// Whether the server published this metadata (false: defaults were assumed). Kept
    /// when the metadata is stored and read back; absent from a server's own document.
    #[serde(default)]
    pub published: bool,
}

impl ServerMetadata {
    /// Mastodon's endpoints on `client`'s instance, for servers publishing no metadata.
    pub fn assumed(client: &Client) -> Self {
        let base = client.base_url();
        Self {
            issuer: None,
            authorization_endpoint: base.endpoint("/oauth/authorize").to_string(),
            token_endpoint: base.endpoint("/oauth/token").to_string(),
            revocation_endpoint: Some(base.endpoint("/oauth/revoke").to_string()),
            app_registration_endpoint: Some(base.endpoint("/api/v1/apps").to_string()),
            scopes_supported: None,
            grant_types_supported: None,
            code_challenge_methods_supported: None,
            published: false,
        }
    }

    /// Whether the server accepts a grant type. A server that published no metadata is
    /// assumed to accept it (the token endpoint will say otherwise); one whose metadata
    /// lists no grant types accepts RFC 8414's default, `authorization_code` and
    /// `implicit`, and so no password.
    pub fn supports_grant(&self, grant: &str) -> bool {
        if !self.published {
            return true;
        }
        match &self.grant_types_supported {
            Some(grants) => grants.iter().any(|g| g == grant),
            None => matches!(grant, "authorization_code" | "implicit"),
        }
    }

    /// Whether the server lists `scope` among the scopes it knows. Unlike grants, an
    /// unlisted scope is assumed unknown: servers that publish no metadata predate the
    /// scopes added since (`profile` came with Mastodon 4.3, as the metadata did).
    ///
    /// ```
    /// # async fn run(client: &tootkit::Client) -> Result<(), tootkit::Error> {
    /// let server = client.oauth().discover().await?;
    /// let scope = if server.supports_scope("profile") { "profile" } else { "read:accounts" };
    /// # let _ = scope; Ok(()) }
    /// ```
    pub fn supports_scope(&self, scope: &str) -> bool {
        self.scopes_supported
            .as_ref()
            .is_some_and(|scopes| scopes.iter().any(|s| s == scope))
    }

    /// Checks that the server offers each of `scopes`, where it lists the scopes it
    /// offers (Mastodon 4.3 and later): a mistyped scope is caught before an application
    /// is registered with it, and the likeliest intended one named. A server that lists
    /// none judges them itself.
    ///
    /// ```
    /// let client = tootkit::Client::new("botsin.space".parse()?)?;
    /// let mut server = tootkit::ServerMetadata::assumed(&client);
    /// server.scopes_supported = Some(vec!["read".into(), "write".into(), "profile".into()]);
    /// assert!(server.require_scopes(&"read,write".parse()?).is_ok());
    /// let refused = server.require_scopes(&"read,wirte".parse()?).unwrap_err();
    /// assert!(refused.to_string().contains("perhaps `write` was meant"));
    /// # Ok::<(), tootkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the first scope the server does not list.
    pub fn require_scopes(&self, scopes: &Scopes) -> Result<(), Error> {
        let Some(offered) = self.scopes_supported.as_ref().filter(|s| !s.is_empty()) else {
            return Ok(());
        };
        let Some(unknown) = scopes.iter().find(|s| !self.supports_scope(s)) else {
            return Ok(());
        };
        let nearest = offered
            .iter()
            .map(|o| (strsim::levenshtein(unknown, o), o))
            .filter(|(distance, _)| *distance <= 2)
            .min_by_key(|(distance, _)| *distance);
        Err(Error::invalid_input(match nearest {
            Some((_, near)) => format!(
                "`{unknown}` is not a scope this server offers; perhaps `{near}` was meant (its OAuth metadata lists the others)."
            ),
            None => format!(
                "`{unknown}` is not a scope this server offers; use the ones its OAuth metadata lists, such as `read`, `write` or `write:statuses`."
            ),
        }))
    }

    /// Checks that the password grant may be tried here (see [`supports_grant`](Self::supports_grant)).
    ///
    /// # Errors
    ///
    /// [`Error::NotSupported`], saying Mastodon removed the grant in 4.4 and what to use.
    pub fn require_password_grant(&self) -> Result<(), Error> {
        if self.supports_grant("password") {
            Ok(())
        } else {
            Err(Error::not_supported(
                "This server no longer accepts passwords from applications (Mastodon removed the password grant in 4.4); sign in through the browser with the authorization code flow, or create an access token in the web interface under Preferences > Development.",
            ))
        }
    }
}

/// The client ID and secret of a registered application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppCredentials {
    /// The OAuth client ID.
    pub client_id: String,
    /// The OAuth client secret.
    #[serde(serialize_with = "crate::exposed::serialize")]
    pub client_secret: ClientSecret,
}

impl AppCredentials {
    /// Credentials from their two strings.
    pub fn new(client_id: impl Into<String>, client_secret: ClientSecret) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
        }
    }

    /// The application's credentials from the environment (`MASTODON_CLIENT_ID` and
    /// `MASTODON_CLIENT_SECRET`, as `tootkit auth export` writes them), `None` when
    /// neither is set: what a bot configured by [`Client::from_env`] needs to revoke its
    /// token.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), tootkit::Error> {
    /// let client = tootkit::Client::from_env()?;
    /// if let (Some(app), Some(token)) = (tootkit::AppCredentials::from_env()?, client.access_token()) {
    ///     client.oauth().revoke(&app, token).await?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when only one of the two is set.
    pub fn from_env() -> Result<Option<Self>, Error> {
        use crate::client::{ENV_CLIENT_ID, ENV_CLIENT_SECRET, env_pair};
        Ok(env_pair(ENV_CLIENT_ID, ENV_CLIENT_SECRET, |_| {
            "set both (as `tootkit auth export` prints them), or neither".to_owned()
        })?
        .map(|(id, secret)| {
            Self::new(
                crate::secret::pasted(&id),
                ClientSecret::from_pasted(&secret),
            )
        }))
    }
}

impl CredentialApplication {
    /// The client ID and secret, to request tokens with.
    pub fn credentials(&self) -> AppCredentials {
        AppCredentials::new(self.client_id.clone(), self.client_secret.clone())
    }
}

/// One authorization request: the URL to send the user to, with its own random `state`
/// and PKCE verifier, kept until the code comes back.
///
/// ```
/// use tootkit::{AuthorizationRequest, Scopes, ServerMetadata};
///
/// let request = AuthorizationRequest::new("my-client-id", "http://127.0.0.1:8912/callback", Scopes::read_write())
///     .force_login(true)
///     .lang("de");
/// # let server: ServerMetadata = serde_json::from_str(r#"{"authorization_endpoint": "https://botsin.space/oauth/authorize", "token_endpoint": "https://botsin.space/oauth/token"}"#).unwrap();
/// let url = request.url(&server);
/// assert!(url.as_str().starts_with("https://botsin.space/oauth/authorize?response_type=code&client_id=my-client-id"));
/// assert!(url.as_str().contains("code_challenge_method=S256"));
/// assert!(url.as_str().contains("force_login=true&lang=de"));
/// assert!(url.as_str().contains(&format!("state={}", request.state())));
/// ```
#[derive(Clone, Debug)]
pub struct AuthorizationRequest {
    client_id: String,
    redirect_uri: String,
    scopes: Scopes,
    state: String,
    verifier: PkceVerifier,
    force_login: bool,
    lang: Option<String>,
}

impl AuthorizationRequest {
    /// A request for `scopes`, redirecting to `redirect_uri` (or [`OOB_REDIRECT_URI`]).
    pub fn new(client_id: &str, redirect_uri: &str, scopes: Scopes) -> Self {
        Self {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            scopes,
            state: crate::random::token(16),
            verifier: PkceVerifier::generate(),
            force_login: false,
            lang: None,
        }
    }

    /// Makes the server show its authorization page even when the account already
    /// authorized this application for these scopes (Mastodon otherwise approves at
    /// once). Mastodon's documentation calls it forcing a new sign-in, for authorizing
    /// another account: on the page, the person can sign out and in as that one.
    pub fn force_login(mut self, force: bool) -> Self {
        self.force_login = force;
        self
    }

    /// The language of the authorization page (ISO 639-1).
    pub fn lang(mut self, lang: impl Into<String>) -> Self {
        self.lang = Some(lang.into());
        self
    }

    /// The random `state` the redirect must carry back.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The redirect URI of this request, which the code exchange must repeat.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The PKCE verifier, sent with the code exchange.
    pub fn verifier(&self) -> &PkceVerifier {
        &self.verifier
    }

    /// The scopes asked for.
    pub fn scopes(&self) -> &Scopes {
        &self.scopes
    }

    /// The URL to open in the user's browser. Metadata from [`OAuth::discover`] always
    /// has a usable `authorization_endpoint`; one built by hand that does not parse gives
    /// a URL on `invalid.invalid`, which no browser opens, rather than a panic.
    pub fn url(&self, server: &ServerMetadata) -> Url {
        let mut url = Url::parse(&server.authorization_endpoint).unwrap_or_else(|_| {
            // Unreachable for metadata from `discover`; keeps a bad value from panicking.
            Url::parse("https://invalid.invalid/oauth/authorize").expect("static URL")
        });
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", &self.redirect_uri)
                .append_pair("scope", &self.scopes.to_string())
                .append_pair("state", &self.state);
            // Always: a server without PKCE ignores both the challenge and the verifier,
            // while one with PKCE refuses a verifier sent for a code without a challenge.
            query
                .append_pair("code_challenge", &self.verifier.challenge())
                .append_pair("code_challenge_method", "S256");
            if self.force_login {
                query.append_pair("force_login", "true");
            }
            if let Some(lang) = &self.lang {
                query.append_pair("lang", lang);
            }
        }
        url
    }
}

/// OAuth endpoints: `client.oauth()`.
#[derive(Clone, Copy, Debug)]
pub struct OAuth<'a> {
    client: &'a Client,
}

impl Client {
    /// OAuth: discovery, code exchange, client credentials, password grant, revocation.
    pub fn oauth(&self) -> OAuth<'_> {
        OAuth { client: self }
    }
}

impl OAuth<'_> {
    /// Reads the server's OAuth metadata, or assumes Mastodon's endpoints when the server
    /// publishes none (it refuses the request, or answers an HTML page as Akkoma does).
    ///
    /// Metadata that sends the browser to an address that is neither https nor loopback,
    /// where a password could be read on the way, keeps its grants and scopes, but the
    /// instance's own authorization page is used instead. An answer that is JSON but not
    /// metadata is treated as none.
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client) -> Result<(), tootkit::Error> {
    /// let server = client.oauth().discover().await?;
    /// if !server.supports_grant("password") {
    ///     println!("sign in through the browser at {}", server.authorization_endpoint);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// Network failures, timeouts, rate limiting and server failures (5xx but 501): the
    /// server could not be asked. A refusal, or an answer that is no metadata, means it
    /// publishes none, and Mastodon's endpoints are assumed.
    pub async fn discover(&self) -> Result<ServerMetadata, Error> {
        const PATH: &str = "/.well-known/oauth-authorization-server";
        let request = ApiRequest::get(PATH).anonymous();
        let mut metadata = match self.client.send(request).await {
            Ok(answer) if !looks_like_html(&answer.body) => {
                match serde_json::from_slice::<ServerMetadata>(&answer.body) {
                    Ok(metadata) => metadata,
                    Err(err) => {
                        tracing::debug!(%err, "unreadable OAuth metadata; assuming Mastodon's endpoints");
                        return Ok(ServerMetadata::assumed(self.client));
                    }
                }
            }
            Ok(_) => return Ok(ServerMetadata::assumed(self.client)),
            // Refused, or sent elsewhere (a site that redirects what it does not serve):
            // no metadata here.
            Err(
                Error::NotFound { .. }
                | Error::Http { .. }
                | Error::Redirected { .. }
                | Error::Unauthorized { .. }
                | Error::TokenRequired { .. }
                | Error::Forbidden { .. }
                | Error::UnexpectedResponse { .. }
                | Error::Server { status: 501, .. },
            ) => return Ok(ServerMetadata::assumed(self.client)),
            Err(other) => return Err(other),
        };
        metadata.published = true;
        let endpoint = &metadata.authorization_endpoint;
        if !Url::parse(endpoint).is_ok_and(|url| crate::instance_url::is_safe_to_visit(&url)) {
            // A password typed on a plain-http page could be read on the way (a server
            // behind a proxy that forgot to say it speaks https publishes such an
            // address): the browser goes to the instance's own page, over https.
            tracing::warn!(
                endpoint,
                "the server's OAuth metadata names a sign-in page that is not https, where a password could be read on the way; the sign-in goes to the instance's own https page instead"
            );
            let assumed = ServerMetadata::assumed(self.client);
            metadata.authorization_endpoint = assumed.authorization_endpoint;
            metadata.token_endpoint = assumed.token_endpoint;
        }
        Ok(metadata)
    }

    /// Exchanges an authorization code for a token, with the PKCE verifier and redirect
    /// URI of the request that produced it.
    ///
    /// ```no_run
    /// use tootkit::{AppCredentials, AuthorizationCode, AuthorizationRequest, ClientSecret, Scopes};
    /// # async fn run(client: tootkit::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let app = AppCredentials::new("client-id", ClientSecret::new("client-secret"));
    /// let server = client.oauth().discover().await?;
    /// let request = AuthorizationRequest::new(&app.client_id, tootkit::OOB_REDIRECT_URI, Scopes::read_write());
    /// println!("open {} and paste the code here", request.url(&server));
    /// let mut code = String::new();
    /// std::io::stdin().read_line(&mut code)?;
    /// let token = client.oauth().exchange_code(&app, &request, AuthorizationCode::from_pasted(&code)).await?;
    /// let bot = client.with_access_token(token.access_token);
    /// # let _ = bot; Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::OAuth`] with `invalid_grant` when the code is used, expired, issued to
    /// another client, or the redirect URI or PKCE verifier differs; the message lists those causes.
    pub async fn exchange_code(
        &self,
        app: &AppCredentials,
        request: &AuthorizationRequest,
        code: AuthorizationCode,
    ) -> Result<Token, Error> {
        if code.is_empty() {
            return Err(Error::invalid_input(
                "The authorization code is empty; paste the code the authorization page showed.",
            ));
        }
        let form = vec![
            pair("grant_type", "authorization_code"),
            pair("code", code.expose().trim()),
            pair("client_id", &app.client_id),
            pair("client_secret", app.client_secret.expose()),
            pair("redirect_uri", &request.redirect_uri),
            pair("code_verifier", request.verifier.expose()),
        ];
        self.token(form, "invalid_grant").await
    }

    /// Whether the server still knows an application registered earlier: a saved client
    /// ID and secret outlive a server's database (a sandbox restarted, an instance
    /// rebuilt, an app deleted in the web interface), and a browser sent to sign in with
    /// them meets an error page instead. Asks for an application token, which only a
    /// known client gets; the token is left as it is, since Mastodon hands the same one
    /// to every such request of the application and someone may hold it. Only
    /// `invalid_client` says the registration is gone: any other refusal (a scope, a
    /// grant the server lacks) leaves it unknown, taken as still registered.
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client, app: tootkit::AppCredentials) -> Result<(), tootkit::Error> {
    /// if !client.oauth().is_registered(&app).await? {
    ///     println!("registration forgotten by the server; register again");
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// When the server cannot be asked: network failures, timeouts, rate limiting and
    /// server failures.
    pub async fn is_registered(&self, app: &AppCredentials) -> Result<bool, Error> {
        match self.client_credentials(app, &Scopes::read()).await {
            Ok(_) => Ok(true),
            Err(Error::OAuth { error, .. }) => Ok(error != "invalid_client"),
            Err(err) if err.is_transient() || matches!(err, Error::Server { .. }) => Err(err),
            Err(_) => Ok(true),
        }
    }

    /// Gets an application token (no user): for `apps().verify_credentials()` and
    /// public data.
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client, app: tootkit::AppCredentials) -> Result<(), tootkit::Error> {
    /// let token = client.oauth().client_credentials(&app, &tootkit::Scopes::read()).await?;
    /// let as_app = client.with_access_token(token.access_token);
    /// println!("registered as {}", as_app.apps().verify_credentials().await?.name);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::OAuth`] when the credentials or scopes are refused.
    pub async fn client_credentials(
        &self,
        app: &AppCredentials,
        scopes: &Scopes,
    ) -> Result<Token, Error> {
        let form = vec![
            pair("grant_type", "client_credentials"),
            pair("client_id", &app.client_id),
            pair("client_secret", app.client_secret.expose()),
            pair("scope", &scopes.to_string()),
        ];
        self.token(form, "invalid_client").await
    }

    /// Signs in with a user name (email on Mastodon) and password: the legacy password
    /// grant, which Mastodon removed in 4.4. Tried only where the server's metadata
    /// lists it, or where the server publishes no metadata.
    ///
    /// ```no_run
    /// use tootkit::{Password, Scopes};
    /// # async fn run(client: tootkit::Client, app: tootkit::AppCredentials) -> Result<(), tootkit::Error> {
    /// let server = client.oauth().discover().await?;
    /// let password = Password::new(std::env::var("BOT_PASSWORD").unwrap_or_default());
    /// match client.oauth().password_grant(&server, &app, "bot@example.org", &password, &Scopes::read_write()).await {
    ///     Ok(token) => println!("signed in; scopes {}", token.scope),
    ///     // Mastodon 4.4 and later: the error says to use the code flow instead.
    ///     Err(tootkit::Error::NotSupported { .. }) => println!("sign in through the browser"),
    ///     Err(err) => return Err(err),
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotSupported`] when the server advertises no password grant;
    /// [`Error::OAuth`] when the server refuses the credentials.
    pub async fn password_grant(
        &self,
        server: &ServerMetadata,
        app: &AppCredentials,
        username: &str,
        password: &Password,
        scopes: &Scopes,
    ) -> Result<Token, Error> {
        server.require_password_grant()?;
        let form = vec![
            pair("grant_type", "password"),
            pair("username", username),
            pair("password", password.expose()),
            pair("client_id", &app.client_id),
            pair("client_secret", app.client_secret.expose()),
            pair("scope", &scopes.to_string()),
        ];
        match self.token(form, "invalid_grant").await {
            Err(Error::OAuth { error, description }) if error == "invalid_grant" => {
                Err(Error::oauth("invalid_credentials", description))
            }
            other => other,
        }
    }

    /// Revokes a token. Revoking a token twice is not an error.
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client, app: tootkit::AppCredentials) -> Result<(), tootkit::Error> {
    /// if let Some(token) = client.access_token() {
    ///     client.oauth().revoke(&app, token).await?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::OAuth`] (`unauthorized_client`) when the token belongs to another
    /// application.
    pub async fn revoke(&self, app: &AppCredentials, token: &AccessToken) -> Result<(), Error> {
        let form = vec![
            pair("client_id", &app.client_id),
            pair("client_secret", app.client_secret.expose()),
            pair("token", token.expose()),
        ];
        let request = ApiRequest::post("/oauth/revoke").oauth().form(form);
        self.client.send(request).await.map(|_| ())
    }

    /// Asks `/oauth/token` for a token. Pleroma and Akkoma refuse a bad code, client or
    /// password alike with `400 {"error": "Invalid credentials"}` rather than an OAuth
    /// error: that refusal is read as `refused_as`, the OAuth error the grant would get.
    async fn token(&self, form: Vec<(String, String)>, refused_as: &str) -> Result<Token, Error> {
        let request = ApiRequest::post("/oauth/token").oauth().form(form);
        match self.client.json(request, "a token").await {
            Err(
                Error::Http {
                    status: 400,
                    server_message: Some(message),
                }
                | Error::Unauthorized {
                    server_message: Some(message),
                },
            ) if message.to_ascii_lowercase().contains("credentials") => {
                Err(Error::oauth(refused_as, Some(message)))
            }
            other => other,
        }
    }
}

fn pair(key: &str, value: &str) -> (String, String) {
    (key.to_owned(), value.to_owned())
}

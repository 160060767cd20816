//! # tootkit-sandbox
//!
//! A Mastodon-compatible instance on loopback, for developing bots offline and for
//! tootkit's own tests: real OAuth (sign-in and consent pages, PKCE, scopes, single-use
//! codes), Mastodon's JSON shapes, validations and `Idempotency-Key`, state in SQLite.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use tootkit::Password;
//! use tootkit_sandbox::{Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(
//!     SandboxConfig::in_memory().user("alice", Password::new("correct horse")),
//!     "127.0.0.1:0".parse()?,
//! )
//! .await?;
//! println!("a Mastodon API at {}", sandbox.base_url());
//! let client = tootkit::Client::new(sandbox.base_url().clone())?;
//! let instance = client.instance().get().await?;
//! sandbox.stop().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod auth;
mod error;
mod pages;
mod params;
mod rate_limits;
mod render;
mod routes;
mod scripted;
mod secrets;
mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tootkit::text::Limits;
use tootkit::{InstanceUrl, Password};

pub use scripted::{AuthorizationOutcome, ScriptedUser, ScriptedUserError};
pub use store::StoreError;

/// The Mastodon version the sandbox answers as: the version whose JSON it mirrors.
pub const MASTODON_VERSION: &str = concat!(
    "4.6.4 (compatible; tootkit-sandbox ",
    env!("CARGO_PKG_VERSION"),
    ")"
);
/// The version reported by a sandbox answering as Mastodon before 4.3
/// ([`SandboxConfig::before_4_3`]).
pub const MASTODON_4_2_VERSION: &str = concat!(
    "4.2.13 (compatible; tootkit-sandbox ",
    env!("CARGO_PKG_VERSION"),
    ")"
);
/// The Mastodon API version it reports in `api_versions`.
pub const MASTODON_API_VERSION: u32 = 11;
/// How long an authorization code stays valid: ten minutes, as Doorkeeper.
const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// The user name of the account made when none is configured.
pub const DEMO_USERNAME: &str = "demo";

/// How to run a sandbox.
#[derive(Clone, Debug, Default)]
pub struct SandboxConfig {
    database: Option<PathBuf>,
    users: Vec<(String, Password)>,
    legacy_password_grant: bool,
    limits: Limits,
    before_4_3: bool,
    without_rate_limits: bool,
}

impl SandboxConfig {
    /// A sandbox whose state lives in memory and vanishes when it stops.
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// A sandbox whose state lives in an SQLite file, kept between runs.
    pub fn with_database(path: impl Into<PathBuf>) -> Self {
        Self {
            database: Some(path.into()),
            ..Self::default()
        }
    }

    /// Adds (or resets the password of) an account. Without any, a `demo` account is made
    /// with a fresh random password.
    pub fn user(mut self, username: impl Into<String>, password: Password) -> Self {
        self.users.push((username.into(), password));
        self
    }

    /// Accepts the password grant, as Mastodon did before 4.4 (refused by default).
    pub fn legacy_password_grant(mut self, enabled: bool) -> Self {
        self.legacy_password_grant = enabled;
        self
    }

    /// The status length limits (default 500, links count 23).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether Mastodon's rate limits apply (default: yes): 300 API requests in 5
    /// minutes per token and 1,500 per account (300 per address without a user's
    /// token), 300 statuses in 3 hours, 30 deletions in 30
    /// minutes, 5 applications registered in 10 minutes per address; each answer says
    /// where the caller stands in `X-RateLimit-*` headers, and a request past a limit
    /// gets Mastodon's 429.
    pub fn rate_limits(mut self, enabled: bool) -> Self {
        self.without_rate_limits = !enabled;
        self
    }

    /// Answers as Mastodon 4.2 did where a client must tell the difference: version
    /// 4.2.13 without `api_versions`, no OAuth metadata
    /// (`/.well-known/oauth-authorization-server` is a 404), none of the scopes added
    /// since (`profile`, the collections scopes), `redirect_uris` read only as one
    /// string (a JSON list is ignored, so the registration is refused for a blank
    /// redirect URI), and applications shown without `scopes` or `redirect_uris` (only
    /// `redirect_uri`). For testing a client's fallbacks; off by default.
    pub fn before_4_3(mut self, enabled: bool) -> Self {
        self.before_4_3 = enabled;
        self
    }
}

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The address could not be bound.
    #[error(
        "The sandbox could not listen on {addr}: {source}; choose another port with --port, or stop what uses this one."
    )]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
    /// An account given on the command line is not valid.
    #[error("{0}")]
    InvalidUser(String),
    /// The address is not a loopback address.
    #[error(
        "The sandbox serves only this machine, over plain http, and {addr} is not a loopback address; give one such as 127.0.0.1:3000."
    )]
    NotLoopback {
        /// The address.
        addr: SocketAddr,
    },
    /// A password could not be hashed (the hashing task failed).
    #[error(
        "The sandbox could not hash the password of `{username}`, as its hashing failed; check that the system's random number generator works (/dev/urandom), then start the sandbox again."
    )]
    Hashing {
        /// The account.
        username: String,
    },
    /// The database file could not be created.
    #[error(
        "The sandbox's database {} could not be created ({source}); check that its directory exists and is writable, or use --in-memory.",
        path.display()
    )]
    CreateDatabase {
        /// The database file.
        path: std::path::PathBuf,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
    /// Another sandbox is serving from the same database file.
    #[error(
        "Another sandbox is already using the database {}; stop it first, or give this one its own state with --in-memory.",
        path.display()
    )]
    InUse {
        /// The database file.
        path: std::path::PathBuf,
    },
    /// The database failed.
    #[error(
        "The sandbox's database could not be opened ({0}); check that its directory exists and is writable, or use --in-memory."
    )]
    Store(#[from] StoreError),
}

/// An account of a running sandbox.
#[derive(Clone, Debug)]
pub struct SandboxAccount {
    /// Its user name.
    pub username: String,
    /// Its email address: what the password grant takes as `username` (Mastodon finds
    /// the account by email there), and what the sign-in page takes besides the name.
    pub email: String,
    /// Its password.
    pub password: Password,
}

pub(crate) struct AppState {
    store: store::Store,
    base_url: String,
    domain: String,
    legacy_password_grant: bool,
    before_4_3: bool,
    limits: Limits,
    rate_limits: rate_limits::RateLimits,
    rate_limits_on: bool,
    /// The tokens issued in this run, found again by [`AppState::issue_token`].
    issued: std::sync::Mutex<std::collections::HashMap<TokenFor, (String, i64)>>,
}

/// The scopes Mastodon added in 4.3 and since, unknown to a sandbox answering as 4.2.
const SCOPES_SINCE_4_3: &[&str] = &["profile", "read:collections", "write:collections"];

/// A token as Doorkeeper's `reuse_access_token` finds it again: the same application,
/// account and scopes (in any order).
type TokenFor = (String, Option<String>, Vec<String>);

impl AppState {
    /// A token for `account_id` (none: the application itself) with `scopes`, and when
    /// it was made: the one issued before for the same application, account and scopes
    /// while it works, as Mastodon hands it out again (Doorkeeper's
    /// `reuse_access_token`); else a new one. The store keeps only digests, so tokens
    /// are found again within one run of the sandbox.
    fn issue_token(
        &self,
        app_id: &str,
        account_id: Option<&str>,
        scopes: &tootkit::Scopes,
    ) -> Result<(String, i64), store::StoreError> {
        let key = (
            app_id.to_owned(),
            account_id.map(str::to_owned),
            store::scope_set(scopes.iter()),
        );
        let mut issued = self.issued.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((token, created)) = issued.get(&key)
            && matches!(self.store.token(token)?, Some((_, false)))
        {
            return Ok((token.clone(), *created));
        }
        let token = secrets::random_token();
        let created = self
            .store
            .insert_token(&token, app_id, account_id, &scopes.to_string())?;
        issued.insert(key, (token.clone(), created));
        Ok((token, created))
    }

    /// Whether this server knows an OAuth scope.
    fn knows_scope(&self, scope: &str) -> bool {
        routes::oauth::KNOWN_SCOPES.contains(&scope)
            && !(self.before_4_3 && SCOPES_SINCE_4_3.contains(&scope))
    }

    /// The version string the instance endpoints report.
    fn mastodon_version(&self) -> &'static str {
        version_answered(self.before_4_3)
    }
}

/// The Mastodon version a sandbox reports, as 4.2 when it answers as before 4.3.
fn version_answered(before_4_3: bool) -> &'static str {
    if before_4_3 {
        MASTODON_4_2_VERSION
    } else {
        MASTODON_VERSION
    }
}

/// A sandbox serving on a local address until stopped.
pub struct Sandbox {
    base_url: InstanceUrl,
    mastodon_version: &'static str,
    accounts: Vec<SandboxAccount>,
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// Held while the sandbox runs: the database is this sandbox's alone.
    _lock: Option<std::fs::File>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .field("mastodon_version", &self.mastodon_version)
            .field("accounts", &self.accounts)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts serving on `addr` (use port 0 for any free port) and returns once the
    /// sandbox accepts connections.
    ///
    /// # Errors
    ///
    /// [`SandboxError`] when the address is not a loopback one or cannot be bound, an
    /// account is invalid, or the database cannot be opened.
    pub async fn start(config: SandboxConfig, addr: SocketAddr) -> Result<Self, SandboxError> {
        for (index, (name, password)) in config.users.iter().enumerate() {
            validate_user(name, password)?;
            // Mastodon's user names are unique whatever their case.
            if config.users[..index]
                .iter()
                .any(|(earlier, _)| earlier.eq_ignore_ascii_case(name))
            {
                return Err(SandboxError::InvalidUser(format!(
                    "The account `{name}` is given twice; give each account once, with one password."
                )));
            }
        }
        // What the sandbox hands out (tokens, passwords) travels in plain http, which
        // only a loopback address keeps on this machine.
        if !addr.ip().is_loopback() {
            return Err(SandboxError::NotLoopback { addr });
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SandboxError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| SandboxError::Bind { addr, source })?;
        let domain = local.to_string();
        let base_url = InstanceUrl::parse(&format!("http://{domain}"))
            .map_err(|_| SandboxError::NotLoopback { addr: local })?;
        // Two sandboxes on one database would each set the demo account's password,
        // and each would then refuse the one the other printed.
        let lock = match &config.database {
            Some(path) => Some(lock_database(path)?),
            None => None,
        };
        let store = store::Store::open(config.database.as_deref())?;
        let mut users = config.users.clone();
        if users.is_empty() {
            users.push((DEMO_USERNAME.to_owned(), Password::new(readable_password())));
        }
        let mut accounts = Vec::new();
        for (name, password) in users {
            let hash = {
                let password = password.clone();
                tokio::task::spawn_blocking(move || secrets::hash_password(password.expose()))
                    .await
                    .map_err(|_| SandboxError::Hashing {
                        username: name.clone(),
                    })?
            };
            let row = store.upsert_account(&name, &hash)?;
            accounts.push(SandboxAccount {
                username: row.username,
                email: row.email,
                password,
            });
        }
        let state = Arc::new(AppState {
            store,
            base_url: base_url.to_string(),
            domain,
            legacy_password_grant: config.legacy_password_grant,
            before_4_3: config.before_4_3,
            limits: config.limits,
            rate_limits: rate_limits::RateLimits::default(),
            rate_limits_on: !config.without_rate_limits,
            issued: Default::default(),
        });
        let router = routes::router(Arc::clone(&state))
            .layer(axum::middleware::from_fn_with_state(
                Arc::clone(&state),
                rate_limits::enforce,
            ))
            // Outside the limits, as Mastodon puts Rack::Cors before Rack::Attack: a
            // preflight is not counted, and a 429 is readable by the page it refuses.
            .layer(axum::middleware::from_fn(routes::cross_origin))
            .layer(axum::middleware::from_fn(log_request))
            .layer(axum::middleware::from_fn_with_state(
                Arc::clone(&state),
                dated,
            ))
            .into_make_service_with_connect_info::<SocketAddr>();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Self {
            base_url,
            mastodon_version: version_answered(config.before_4_3),
            accounts,
            state,
            shutdown: Some(shutdown),
            task,
            _lock: lock,
        })
    }

    /// Moves the sandbox's clock forward by `by`, as if that much time had passed:
    /// authorization codes expire after ten minutes and `Idempotency-Key`s lapse after
    /// an hour of it, as on Mastodon, so a client's handling of both can be tried
    /// without waiting. Statuses posted afterwards, and every answer's `Date`, are
    /// dated by the advanced clock.
    ///
    /// ```
    /// # async fn run() -> Result<(), tootkit_sandbox::SandboxError> {
    /// use tootkit_sandbox::{Sandbox, SandboxConfig};
    ///
    /// let sandbox = Sandbox::start(SandboxConfig::in_memory(), "127.0.0.1:0".parse().unwrap()).await?;
    /// sandbox.advance_clock(std::time::Duration::from_secs(61 * 60)); // keys given before have lapsed
    /// # Ok(())
    /// # }
    /// ```
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.state
            .store
            .advance_clock(i64::try_from(by.as_millis()).unwrap_or(i64::MAX));
    }

    /// The base URL clients use, such as `http://127.0.0.1:3000`.
    pub fn base_url(&self) -> &InstanceUrl {
        &self.base_url
    }

    /// The Mastodon version it reports: [`MASTODON_VERSION`], or
    /// [`MASTODON_4_2_VERSION`] when it answers as before 4.3.
    pub fn mastodon_version(&self) -> &'static str {
        self.mastodon_version
    }

    /// The accounts configured at start, with their passwords.
    pub fn accounts(&self) -> &[SandboxAccount] {
        &self.accounts
    }

    /// The user names of the accounts a database kept from earlier runs, besides those
    /// configured at start; they sign in with the passwords they had then.
    ///
    /// # Errors
    ///
    /// When the database cannot be read.
    pub fn earlier_accounts(&self) -> Result<Vec<String>, SandboxError> {
        let configured = |name: &str| self.accounts.iter().any(|a| a.username == name);
        Ok(self
            .state
            .store
            .accounts()?
            .into_iter()
            .map(|row| row.username)
            .filter(|name| !configured(name))
            .collect())
    }

    /// Stops serving and waits for open requests to finish.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Waits until the server stops by itself (it only does on an I/O failure).
    ///
    /// # Errors
    ///
    /// The I/O failure that stopped it.
    pub async fn wait(&mut self) -> std::io::Result<()> {
        match (&mut self.task).await {
            Ok(result) => result,
            Err(join) => Err(std::io::Error::other(join)),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Creates the database file if need be and takes the lock beside it (`….lock`).
fn lock_database(path: &std::path::Path) -> Result<std::fs::File, SandboxError> {
    create_private(path).map_err(|source| SandboxError::CreateDatabase {
        path: path.to_path_buf(),
        source,
    })?;
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = std::path::PathBuf::from(lock_path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let lock = options
        .open(&lock_path)
        .map_err(|source| SandboxError::CreateDatabase {
            path: lock_path.clone(),
            source,
        })?;
    match lock.try_lock() {
        Ok(()) => Ok(lock),
        Err(std::fs::TryLockError::WouldBlock) => Err(SandboxError::InUse {
            path: path.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(source)) => Err(SandboxError::CreateDatabase {
            path: lock_path,
            source,
        }),
    }
}

/// Makes the database file readable by its owner alone, creating it if it is not there
/// yet: it holds password hashes and token digests. SQLite gives the `-wal` and `-shm`
/// files it creates the database's own mode; those a looser earlier run left are
/// tightened with it.
fn create_private(path: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mut files = vec![path.to_path_buf()];
                for suffix in ["-wal", "-shm"] {
                    let mut name = path.as_os_str().to_owned();
                    name.push(suffix);
                    files.push(name.into());
                }
                for file in files {
                    match std::fs::metadata(&file) {
                        Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                            std::fs::set_permissions(
                                &file,
                                std::fs::Permissions::from_mode(0o600),
                            )?;
                        }
                        Ok(_) => {}
                        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                        Err(err) => return Err(err),
                    }
                }
            }
            Ok(())
        }
        Err(err) => Err(err),
    }
}

fn validate_user(name: &str, password: &Password) -> Result<(), SandboxError> {
    let valid_name = !name.is_empty()
        && name.len() <= 30
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        return Err(SandboxError::InvalidUser(format!(
            "`{name}` is not a valid user name; use up to 30 letters, digits and underscores, as Mastodon does."
        )));
    }
    if password.expose().is_empty() {
        return Err(SandboxError::InvalidUser(format!(
            "The password for `{name}` is empty; give one after the colon, as in --user {name}:PASSWORD."
        )));
    }
    Ok(())
}

/// A password that is easy to type: four groups of four lowercase letters and digits.
fn readable_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let token = secrets::random_token();
    let chars: Vec<char> = token
        .bytes()
        .take(16)
        .map(|b| ALPHABET[usize::from(b) % ALPHABET.len()] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Dates every answer by the sandbox's clock, which [`Sandbox::advance_clock`] moves
/// (hyper would date it by the wall clock): its `Date` and the `created_at` of what it
/// makes agree, as a server's do.
async fn dated(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    // An HTTP date (RFC 9110's IMF-fixdate).
    let date = time::OffsetDateTime::from_unix_timestamp(state.store.now_ms().div_euclid(1000))
        .ok()
        .and_then(|now| {
            now.format(time::macros::format_description!(
                "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
            ))
            .ok()
        })
        .and_then(|date| axum::http::HeaderValue::from_str(&date).ok());
    if let Some(date) = date {
        response
            .headers_mut()
            .insert(axum::http::header::DATE, date);
    }
    response
}

/// Logs method, path and status; never the query (it can carry an authorization state)
/// nor any header.
async fn log_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    tracing::info!(%method, %path, status = response.status().as_u16(), "request");
    response
}

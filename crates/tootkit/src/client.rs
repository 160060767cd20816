//! The HTTP client: one place where requests are built, sent, retried, and where
//! answers become entities or [`Error`]s.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::entities::ApiError;
use crate::{AccessToken, Error, InstanceUrl};

/// The `User-Agent` every request carries, after the application's own name if one is set.
pub const USER_AGENT: &str = concat!("tootkit/", env!("CARGO_PKG_VERSION"));

/// Environment variable holding the instance address, as Mastodon.py's users know it.
pub const ENV_BASE_URL: &str = "MASTODON_API_BASE_URL";
/// Environment variable holding the access token.
pub const ENV_ACCESS_TOKEN: &str = "MASTODON_ACCESS_TOKEN";
/// Environment variable holding the application's client ID (for revoking the token).
pub const ENV_CLIENT_ID: &str = "MASTODON_CLIENT_ID";
/// Environment variable holding the application's client secret.
pub const ENV_CLIENT_SECRET: &str = "MASTODON_CLIENT_SECRET";

/// A client for one instance, optionally acting with an access token.
///
/// Cheap to clone: clones share the connection pool. Endpoint groups are handles:
/// `client.statuses().create(..)`, `client.oauth().exchange_code(..)`.
///
/// ```no_run
/// # async fn run() -> Result<(), tootkit::Error> {
/// use tootkit::{AccessToken, Client};
///
/// let client = Client::builder("botsin.space".parse()?)
///     .access_token(AccessToken::new("token from the web UI"))
///     .user_agent("weatherbot/1.0")
///     .build()?;
/// let status = client.statuses().create("howdy universe!").send().await?;
/// println!("{}", status.url.unwrap_or(status.uri));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    token: Option<AccessToken>,
    /// Per token: Mastodon counts each token's requests apart (and the requests
    /// without one by address).
    rate_limit: Arc<Mutex<Option<RateLimit>>>,
}

struct Inner {
    http: reqwest::Client,
    base: InstanceUrl,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// The longest answer read: a page of 40 statuses is well under 1 MiB.
const MAX_ANSWER_BYTES: usize = 16 << 20;

/// How requests that may safely be repeated are retried after a transient failure.
///
/// A request is repeated only when repeating cannot do harm: reads, and posts that carry
/// an `Idempotency-Key` (the server answers a repeat with the original status). Network
/// failures, timeouts and HTTP 502, 503 and 504 are retried, with a doubling delay;
/// a rate limit is waited out only if it resets within `max_rate_limit_wait`.
///
/// A post whose first attempt may still be running on the server (it timed out, the
/// connection broke, a gateway answered 502 or 504, GoToSocial answered 409) is repeated
/// only after `settle_delay` (a minute unless set), with a warning logged: Mastodon
/// records a key once the first request has finished, so a repeat that arrives while it
/// still runs would post a second time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// How many times a request is repeated at most (0: never).
    pub max_retries: u32,
    /// The delay before the first repeat; each later one doubles it, up to a minute
    /// (or this delay, if longer).
    pub initial_delay: Duration,
    /// The longest wait for a rate limit to reset before giving up with
    /// [`Error::RateLimited`].
    pub max_rate_limit_wait: Duration,
    /// The shortest wait before repeating a post whose first attempt may still be
    /// running on the server.
    pub settle_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_delay: Duration::from_millis(250),
            max_rate_limit_wait: Duration::ZERO,
            // Mastodon records a key only once its status is made, and making one can
            // take long: mentioning an account it does not know yet, it looks the
            // account up on its server (WebFinger, then the actor), each request
            // allowed 5 s to connect and 30 s to answer. A minute covers one such
            // mention; a post mentioning several unknown accounts on slow servers may
            // need a longer delay.
            settle_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never repeat a request.
    pub fn never() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Repeat up to `max_retries` times, starting with `initial_delay`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tootkit::RetryPolicy;
    ///
    /// let patient = RetryPolicy::new(5, Duration::from_secs(1))
    ///     .wait_for_rate_limits(Duration::from_secs(300))
    ///     .settle_delay(Duration::from_secs(30));
    /// assert_eq!(patient.max_retries, 5);
    /// ```
    pub fn new(max_retries: u32, initial_delay: Duration) -> Self {
        Self {
            max_retries,
            initial_delay,
            ..Self::default()
        }
    }

    /// Waits at least `delay` before repeating a post whose first attempt may still be
    /// running on the server.
    pub fn settle_delay(mut self, delay: Duration) -> Self {
        self.settle_delay = delay;
        self
    }

    /// Also wait out rate limits that reset within `wait`.
    pub fn wait_for_rate_limits(mut self, wait: Duration) -> Self {
        self.max_rate_limit_wait = wait;
        self
    }
}

/// The rate limit state the server reported with its last answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed in the period (`X-RateLimit-Limit`, 300 per 5 minutes on
    /// Mastodon), if the server said.
    pub limit: Option<u32>,
    /// Requests left (`X-RateLimit-Remaining`), if the server said.
    pub remaining: Option<u32>,
    /// When the period resets (`X-RateLimit-Reset`).
    pub reset: Option<OffsetDateTime>,
}

impl RateLimit {
    /// Reads the `X-RateLimit-*` headers, if the server sent any.
    ///
    /// The reset is read as Mastodon writes it (ISO 8601) or as GoToSocial does (Unix
    /// seconds).
    ///
    /// ```
    /// use reqwest::header::{HeaderMap, HeaderValue};
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert("x-ratelimit-limit", HeaderValue::from_static("300"));
    /// headers.insert("x-ratelimit-remaining", HeaderValue::from_static("12"));
    /// headers.insert("x-ratelimit-reset", HeaderValue::from_static("2026-08-01T13:55:00.441909Z"));
    /// let limit = tootkit::RateLimit::from_headers(&headers).unwrap();
    /// assert_eq!((limit.limit, limit.remaining), (Some(300), Some(12)));
    /// assert_eq!(limit.reset.unwrap().unix_timestamp(), 1_785_592_500);
    /// ```
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let text = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
        let number = |name: &str| -> Option<u32> {
            text(name)?
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(|n| n.clamp(0.0, f64::from(u32::MAX)) as u32)
        };
        let limit = number("x-ratelimit-limit");
        let remaining = number("x-ratelimit-remaining");
        let reset = text("x-ratelimit-reset").and_then(reset_time);
        if limit.is_none() && remaining.is_none() && reset.is_none() {
            return None;
        }
        Some(Self {
            limit,
            remaining,
            reset,
        })
    }
}

/// A reset time as servers write it: an RFC 3339 instant, Unix seconds (GoToSocial), or
/// seconds from now (the IETF draft's `RateLimit-Reset`), told apart by size.
fn reset_time(text: &str) -> Option<OffsetDateTime> {
    // 2001-09-09: no epoch-seconds reset is earlier, no wait in seconds is longer.
    const EPOCH_SECONDS_FROM: i64 = 1_000_000_000;
    match text.parse::<i64>() {
        Ok(seconds) if seconds < EPOCH_SECONDS_FROM => Some(seconds_from_now(seconds)),
        _ => crate::entities::parse_timestamp(text),
    }
}

fn seconds_from_now(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() + time::Duration::seconds(seconds.max(0))
}

/// When a `Retry-After` header (RFC 9110) says to try again: after a number of seconds,
/// or at an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<OffsetDateTime> {
    let text = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    match text.parse::<u32>() {
        Ok(seconds) => Some(seconds_from_now(seconds.into())),
        Err(_) => http_date(text),
    }
}

/// An HTTP date (RFC 9110's IMF-fixdate, `Sat, 01 Aug 2026 13:55:00 GMT`), as `Date` and
/// `Retry-After` carry it.
fn http_date(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc2822).ok()
}

/// Builds a [`Client`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    base: InstanceUrl,
    token: Option<AccessToken>,
    user_agent: Option<String>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
}

impl ClientBuilder {
    /// A builder for the instance and token in the environment, as
    /// [`Client::from_env`] reads them, to set the rest before building.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), tootkit::Error> {
    /// let client = tootkit::ClientBuilder::from_env()?
    ///     .user_agent("weatherbot/1.0")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Client::from_env`].
    pub fn from_env() -> Result<Self, Error> {
        let (base, token) = Client::env_credentials()?.ok_or_else(|| {
            Error::invalid_input(format!(
                "{ENV_BASE_URL} {}; set it to your instance's address (such as https://botsin.space) and {ENV_ACCESS_TOKEN} to your access token.",
                match unset_state(ENV_BASE_URL) {
                    "is not" => "is not set",
                    empty => empty,
                }
            ))
        })?;
        Ok(Client::builder(base).access_token(token))
    }

    /// Acts with this access token.
    pub fn access_token(mut self, token: AccessToken) -> Self {
        self.token = Some(token);
        self
    }

    /// Names the application in the `User-Agent`, before tootkit's own name.
    pub fn user_agent(mut self, product: impl Into<String>) -> Self {
        self.user_agent = Some(product.into());
        self
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long to wait for a whole request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How transient failures are retried (default: twice, from 250 ms).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Builds the client.
    ///
    /// TLS is rustls with the `ring` provider, installed as the process's default
    /// unless one is installed already (reqwest looks for it there): a program that
    /// installs its own `CryptoProvider` should do so before building a client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when the TLS stack cannot be set up or the user agent is
    /// not a valid header value.
    pub fn build(self) -> Result<Client, Error> {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Another thread may install one first; either is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let agent = match &self.user_agent {
            Some(product) => format!("{product} {USER_AGENT}"),
            None => USER_AGENT.to_owned(),
        };
        let agent = HeaderValue::from_str(&agent).map_err(|_| {
            Error::invalid_input(
                "The user agent contains characters that cannot go in an HTTP header; use plain ASCII such as `mybot/1.0`.",
            )
        })?;
        let http = reqwest::Client::builder()
            .user_agent(agent)
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| {
                Error::invalid_input(format!(
                    "The HTTP client could not be set up ({err}); check the system's TLS certificates."
                ))
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base: self.base,
                timeout: self.timeout,
                connect_timeout: self.connect_timeout,
                retry: self.retry,
            }),
            token: self.token,
            rate_limit: Arc::default(),
        })
    }
}

impl Client {
    /// A builder for a client of the instance at `base`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tootkit::{AccessToken, Client, RetryPolicy};
    ///
    /// let client = Client::builder("botsin.space".parse()?)
    ///     .access_token(AccessToken::new("token-from-the-web-ui"))
    ///     .user_agent("weatherbot/2.1")
    ///     .timeout(Duration::from_secs(20))
    ///     .retry(RetryPolicy::new(3, Duration::from_millis(500)))
    ///     .build()?;
    /// assert_eq!(client.base_url().as_str(), "https://botsin.space");
    /// # Ok::<(), tootkit::Error>(())
    /// ```
    pub fn builder(base: InstanceUrl) -> ClientBuilder {
        ClientBuilder {
            base,
            token: None,
            user_agent: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }

    /// A client of the instance at `base`, without a token, with default settings.
    ///
    /// ```
    /// let client = tootkit::Client::new("https://botsin.space/".parse()?)?;
    /// assert!(client.access_token().is_none());
    /// # Ok::<(), tootkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`].
    pub fn new(base: InstanceUrl) -> Result<Self, Error> {
        Self::builder(base).build()
    }

    /// A client configured from the environment: `MASTODON_API_BASE_URL` and
    /// `MASTODON_ACCESS_TOKEN`, the two strings a bot needs.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), tootkit::Error> {
    /// let client = tootkit::Client::from_env()?;
    /// let me = client.accounts().verify_credentials().await?;
    /// println!("posting as @{}", me.acct);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when a variable is missing or the address is unusable.
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// The instance address and token from the environment, `None` when
    /// `MASTODON_API_BASE_URL` is unset.
    ///
    /// ```no_run
    /// match tootkit::Client::env_credentials()? {
    ///     Some((instance, _token)) => println!("posting to {instance}"),
    ///     None => println!("set MASTODON_API_BASE_URL and MASTODON_ACCESS_TOKEN"),
    /// }
    /// # Ok::<(), tootkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when only one of the two is set, or the address is unusable.
    pub fn env_credentials() -> Result<Option<(InstanceUrl, AccessToken)>, Error> {
        let Some((base, token)) = env_pair(ENV_BASE_URL, ENV_ACCESS_TOKEN, |set| {
            if set == ENV_BASE_URL {
                format!("set {ENV_ACCESS_TOKEN} to your access token, or unset {ENV_BASE_URL}")
            } else {
                format!("set {ENV_BASE_URL} to the address of the instance the token belongs to")
            }
        })?
        else {
            return Ok(None);
        };
        let base = InstanceUrl::parse(crate::secret::pasted(&base))
            .map_err(|err| Error::invalid_input(format!("{ENV_BASE_URL}: {err}")))?;
        Ok(Some((base, AccessToken::from_pasted(&token))))
    }

    /// The same client (same connection pool and settings) acting with another token.
    ///
    /// ```
    /// use tootkit::{AccessToken, Client};
    ///
    /// let anonymous = Client::new("botsin.space".parse()?)?;
    /// let bot = anonymous.with_access_token(AccessToken::new("token-from-the-web-ui"));
    /// assert!(anonymous.access_token().is_none() && bot.access_token().is_some());
    /// # Ok::<(), tootkit::Error>(())
    /// ```
    pub fn with_access_token(&self, token: AccessToken) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            token: Some(token),
            rate_limit: Arc::default(),
        }
    }

    /// The instance this client talks to.
    pub fn base_url(&self) -> &InstanceUrl {
        &self.inner.base
    }

    /// The token the client acts with, if any.
    pub fn access_token(&self) -> Option<&AccessToken> {
        self.token.as_ref()
    }

    /// The rate limit state the server reported with its last answer to this client's
    /// token (to its address, for a client without one).
    pub fn rate_limit(&self) -> Option<RateLimit> {
        *self
            .rate_limit
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Sends a request, retrying where that is safe, and turns HTTP errors into [`Error`]s.
    pub(crate) async fn send(&self, request: ApiRequest) -> Result<ApiResponse, Error> {
        let retry = self.inner.retry;
        let mut attempt = 0;
        let mut timeouts = 0;
        // A write that carries a key (a post) may have been carried out although its
        // answer was lost; it is repeated, but only once the first attempt has settled.
        let keyed = request.idempotency_key.is_some();
        // What first left such a post's fate unknown: unless a later answer refuses it,
        // it may exist.
        let mut unconfirmed: Option<(String, String)> = None;
        loop {
            let err = match self.send_once(&request).await {
                Ok(answer) if keyed && answer.is_an_already_handled_repeat() => {
                    Error::AlreadyHandled { path: answer.path }
                }
                Ok(answer) => {
                    return Ok(ApiResponse {
                        tries: attempt + 1,
                        ..answer
                    });
                }
                Err(err) => err,
            };
            if matches!(err, Error::Timeout { .. } | Error::Unconfirmed { .. }) {
                timeouts += 1;
            }
            // A post, whose next run would carry a new key; other writes repeat
            // harmlessly (a deletion, a revocation) or fail (a used code).
            let fate = if keyed { self.unknown_fate(&err) } else { None };
            if unconfirmed.is_none() {
                unconfirmed = fate.clone();
            }
            // A post whose first try may still be running on the server: the repeat
            // waits for it to settle, which is long, and a person should know why. (A
            // post's time that ran out before it was sent, a keyed `Timeout`, left
            // nothing running: once sent, its timeout is `Unconfirmed`.)
            let settling = attempt < retry.max_retries
                && keyed
                && (fate.is_some()
                    || matches!(&err, Error::Network { source, .. } if !source.is_connect()));
            let wait = match &err {
                _ if attempt >= retry.max_retries => None,
                _ if settling => Some(backoff(retry, attempt).max(retry.settle_delay)),
                Error::Network { source, .. } if source.is_connect() => {
                    Some(backoff(retry, attempt))
                }
                Error::Timeout { .. } if keyed => Some(backoff(retry, attempt)),
                Error::Network { .. } | Error::Timeout { .. } if request.repeatable => {
                    Some(backoff(retry, attempt))
                }
                Error::Server { status, .. }
                    if request.repeatable && matches!(status, 502..=504) =>
                {
                    Some(backoff(retry, attempt))
                }
                Error::RateLimited {
                    reset: Some(reset), ..
                } if request.repeatable && !retry.max_rate_limit_wait.is_zero() => {
                    let until = (*reset - OffsetDateTime::now_utc()).max(time::Duration::ZERO);
                    let until = Duration::try_from(until).unwrap_or_default();
                    (until <= retry.max_rate_limit_wait).then_some(until)
                }
                _ => None,
            };
            let Some(wait) = wait else {
                return Err(match (err, unconfirmed) {
                    // The repeats did no better: that the post may exist is what the
                    // caller must hear of, lest a new run post twice.
                    (err, Some((host, cause)))
                        if err.is_transient() || self.unknown_fate(&err).is_some() =>
                    {
                        tracing::debug!(error = %err, "the last try of an unconfirmed post failed");
                        Error::Unconfirmed {
                            host,
                            cause,
                            attempts: attempt + 1,
                        }
                    }
                    // Made, by the server's word, but answered with what cannot be
                    // read (too long): the caller must not post it again either.
                    (
                        Error::UnexpectedResponse {
                            status: status @ 200..=299,
                            expected,
                            detail,
                            ..
                        },
                        _,
                    ) if keyed => self.unreadable_post(status, expected, &detail, attempt + 1),
                    (Error::Timeout { host, after, .. }, _) => Error::Timeout {
                        host,
                        after,
                        attempts: timeouts,
                    },
                    (other, _) => other,
                });
            };
            attempt += 1;
            if settling {
                let cause = fate.map_or_else(
                    || "the connection broke before an answer came".to_owned(),
                    |(_, cause)| cause,
                );
                let seconds = format!("{:.1}", wait.as_secs_f64());
                tracing::warn!(
                    "{} did not say whether the post was made ({cause}); it is sent again with the same Idempotency-Key in {} s, when the first try has most likely finished there, so that it is not posted twice",
                    self.inner.base.authority(),
                    seconds.trim_end_matches(".0")
                );
            }
            tracing::debug!(
                method = %request.method,
                path = %request.path,
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying after a transient failure"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// The host and cause, when `err` leaves a post's fate unknown: it may have been
    /// made (no answer came after sending, a gateway answered 502 or 504, or the server
    /// was still at work on an earlier try with its key).
    fn unknown_fate(&self, err: &Error) -> Option<(String, String)> {
        let host = || self.inner.base.authority().to_owned();
        match err {
            Error::Unconfirmed { host, cause, .. } => Some((host.clone(), cause.clone())),
            Error::Server {
                status: status @ (502 | 504),
                ..
            } => Some((host(), format!("a gateway answered HTTP {status}"))),
            Error::Http { status: 409, .. } => {
                Some((host(), "it was still at work on an earlier try".to_owned()))
            }
            _ => None,
        }
    }

    /// A post the server answered with success, in words that cannot be read: it was
    /// made, though nothing shows it, so the caller must hear it as unconfirmed.
    fn unreadable_post(&self, status: u16, expected: &str, detail: &str, tries: u32) -> Error {
        Error::Unconfirmed {
            host: self.inner.base.authority().to_owned(),
            cause: format!("it answered HTTP {status}, but not with {expected}: {detail}"),
            attempts: tries,
        }
    }

    async fn send_once(&self, request: &ApiRequest) -> Result<ApiResponse, Error> {
        let url = self.inner.base.endpoint(&request.path);
        let mut builder = self.inner.http.request(request.method.clone(), url);
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if request.authenticated
            && let Some(token) = &self.token
        {
            builder = builder.bearer_auth(token.expose());
        }
        if let Some(key) = &request.idempotency_key {
            builder = builder.header("Idempotency-Key", key);
        }
        builder = match &request.body {
            Body::None => builder,
            Body::Json(value) => builder.json(value),
            Body::Form(pairs) => builder.form(pairs),
        };
        let host = self.inner.base.authority();
        let response = builder
            .send()
            .await
            .map_err(|err| self.transport_error(err, &host, request.idempotency_key.is_some()))?;
        let status = response.status();
        let headers = response.headers().clone();
        // An anonymous request of a client with a token is counted apart from it.
        let counts_against_token = request.authenticated || self.token.is_none();
        if let Some(limit) = RateLimit::from_headers(&headers).filter(|_| counts_against_token) {
            *self
                .rate_limit
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(limit);
        }
        // Read in pieces up to a bound: a broken or hostile server cannot make the
        // client hold more than a Mastodon answer could ever need.
        let mut response = response;
        let mut body = Vec::new();
        // A post the server has refused (4xx) was not made, however its answer ends.
        let unknown_fate = request.idempotency_key.is_some() && !status.is_client_error();
        while let Some(piece) = response
            .chunk()
            .await
            .map_err(|err| self.transport_error(err, &host, unknown_fate))?
        {
            if body.len() + piece.len() > MAX_ANSWER_BYTES {
                return Err(Error::UnexpectedResponse {
                    path: request.path.clone(),
                    status: status.as_u16(),
                    expected: "a Mastodon answer",
                    detail: format!(
                        "it is longer than {} MiB, far more than any Mastodon answer",
                        MAX_ANSWER_BYTES >> 20
                    ),
                });
            }
            body.extend_from_slice(&piece);
        }
        tracing::debug!(method = %request.method, path = %request.path, status = status.as_u16(), "answered");
        let answer = ApiResponse {
            status,
            headers,
            body,
            path: request.path.clone(),
            tries: 1,
        };
        if status.is_success() {
            return Ok(answer);
        }
        let sent_token = request.authenticated && self.token.is_some();
        match answer.into_error(request.oauth, &request.method) {
            // Nothing to blame on a token that was not sent.
            Error::Unauthorized { server_message } if !sent_token && !request.oauth => {
                Err(Error::TokenRequired {
                    path: request.path.clone(),
                    server_message,
                })
            }
            other => Err(other),
        }
    }

    /// The error for a request that got no answer. A post (`keyed`) that was sent may
    /// have been carried out: [`Error::Unconfirmed`].
    fn transport_error(&self, err: reqwest::Error, host: &str, keyed: bool) -> Error {
        if err.is_builder() {
            // Nothing was sent: a header value could not be made (a token or key with a
            // line break, say). Repeating cannot help.
            Error::invalid_input(
                "The access token or idempotency key contains a character that cannot go in an HTTP header, such as a line break; remove it (tokens are letters, digits, - and _).",
            )
        } else if keyed && !err.is_connect() {
            // Sent, as the connection was made.
            Error::Unconfirmed {
                host: host.to_owned(),
                cause: if err.is_timeout() {
                    format!(
                        "it did not answer within {} s",
                        self.inner.timeout.as_secs_f32()
                    )
                } else {
                    format!("the connection broke: {}", crate::error::cause_chain(&err))
                },
                attempts: 1,
            }
        } else if err.is_timeout() {
            Error::Timeout {
                attempts: 1,
                host: host.to_owned(),
                // Which wait ran out: the connection's, or the whole request's.
                after: if err.is_connect() {
                    self.inner.connect_timeout
                } else {
                    self.inner.timeout
                },
            }
        } else {
            Error::Network {
                host: host.to_owned(),
                source: err.without_url(),
            }
        }
    }

    /// Sends a request and reads the answer as JSON.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        request: ApiRequest,
        expected: &'static str,
    ) -> Result<T, Error> {
        Ok(self.json_dated(request, expected).await?.0)
    }

    /// [`json`](Self::json), with when the server answered (its `Date`, to the second,
    /// on its own clock), if it said.
    pub(crate) async fn json_dated<T: DeserializeOwned>(
        &self,
        request: ApiRequest,
        expected: &'static str,
    ) -> Result<(T, Option<OffsetDateTime>), Error> {
        let keyed = request.idempotency_key.is_some();
        let answer = self.send(request).await?;
        let date = answer
            .headers
            .get(reqwest::header::DATE)
            .and_then(|date| date.to_str().ok())
            .and_then(http_date);
        let value = answer.json(expected).map_err(|err| match err {
            Error::UnexpectedResponse { status, detail, .. } if keyed => {
                self.unreadable_post(status, expected, &detail, answer.tries)
            }
            other => other,
        })?;
        Ok((value, date))
    }
}

/// The longest a doubling delay grows: many retries wait longer in all, not each.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

fn backoff(policy: RetryPolicy, attempt: u32) -> Duration {
    policy
        .initial_delay
        .saturating_mul(2u32.saturating_pow(attempt))
        .min(MAX_BACKOFF.max(policy.initial_delay))
}

/// A request body.
#[derive(Clone)]
pub(crate) enum Body {
    None,
    Json(serde_json::Value),
    Form(Vec<(String, String)>),
}

/// Names the fields, never their values: a form carries client secrets, codes,
/// verifiers and passwords as plain strings.
impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::Json(serde_json::Value::Object(fields)) => f
                .debug_tuple("Json")
                .field(&fields.keys().collect::<Vec<_>>())
                .finish(),
            Self::Json(_) => f.write_str("Json(..)"),
            Self::Form(pairs) => f
                .debug_tuple("Form")
                .field(&pairs.iter().map(|(k, _)| k).collect::<Vec<_>>())
                .finish(),
        }
    }
}

/// One API request, described before it is sent so that it can be sent again.
#[derive(Clone)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Body,
    pub(crate) idempotency_key: Option<String>,
    /// Send the client's token.
    pub(crate) authenticated: bool,
    /// Repeating the request after a lost answer does no harm.
    pub(crate) repeatable: bool,
    /// An OAuth endpoint: errors are OAuth error codes.
    pub(crate) oauth: bool,
}

/// Names the query's parameters, as [`Body`] names its fields, never their values.
impl std::fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let query: Vec<&str> = self.query.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &query)
            .field("body", &self.body)
            .field("idempotency_key", &self.idempotency_key)
            .field("authenticated", &self.authenticated)
            .field("repeatable", &self.repeatable)
            .field("oauth", &self.oauth)
            .finish()
    }
}

impl ApiRequest {
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Self {
        let repeatable = method == Method::GET;
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: Body::None,
            idempotency_key: None,
            authenticated: true,
            repeatable,
            oauth: false,
        }
    }

    pub(crate) fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    pub(crate) fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    pub(crate) fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    pub(crate) fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    pub(crate) fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Body::Json(body);
        self
    }

    pub(crate) fn form(mut self, pairs: Vec<(String, String)>) -> Self {
        self.body = Body::Form(pairs);
        self
    }

    pub(crate) fn idempotency_key(mut self, key: String) -> Self {
        self.idempotency_key = Some(key);
        self.repeatable = true;
        self
    }

    pub(crate) fn anonymous(mut self) -> Self {
        self.authenticated = false;
        self
    }

    pub(crate) fn oauth(mut self) -> Self {
        self.oauth = true;
        self.authenticated = false;
        self
    }
}

/// Two environment variables that go together (a blank one is unset): both, neither,
/// or a refusal saying which one is set and which is not, ending with the `advice`
/// given for the one set.
pub(crate) fn env_pair(
    first: &str,
    second: &str,
    advice: impl Fn(&str) -> String,
) -> Result<Option<(String, String)>, Error> {
    // Blank, or only the quotes of a `.env` file's placeholder (`""`): unset.
    let read = |name: &str| match std::env::var(name) {
        Ok(value) => Ok(Some(value).filter(|v| !crate::secret::pasted(v).is_empty())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::invalid_input(format!(
            "{name} holds bytes that are not UTF-8 text; set it again to the value alone."
        ))),
    };
    let alone = |set: &str, unset: &str| {
        Error::invalid_input(format!(
            "{set} is set but {unset} {}; {}.",
            unset_state(unset),
            advice(set)
        ))
    };
    match (read(first)?, read(second)?) {
        (None, None) => Ok(None),
        (Some(a), Some(b)) => Ok(Some((a, b))),
        (Some(_), None) => Err(alone(first, second)),
        (None, Some(_)) => Err(alone(second, first)),
    }
}

/// How an environment variable read as unset is: `is empty` (or blank), or `is not`.
fn unset_state(name: &str) -> &'static str {
    match std::env::var_os(name) {
        Some(_) => "is empty",
        None => "is not",
    }
}

/// A successful (or about-to-be-mapped) answer.
pub(crate) struct ApiResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    pub(crate) path: String,
    /// How many tries the request took, repeats included.
    pub(crate) tries: u32,
}

/// The body's size, not its text: a token endpoint's answer is the token.
impl std::fmt::Debug for ApiResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiResponse")
            .field("status", &self.status)
            .field("path", &self.path)
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl ApiResponse {
    /// GoToSocial answers the repeat of a keyed write it has already carried out with
    /// `{"status": "request already handled"}` instead of the result.
    fn is_an_already_handled_repeat(&self) -> bool {
        #[derive(serde::Deserialize)]
        struct Handled {
            status: String,
        }
        self.body.len() < 128
            && serde_json::from_slice::<Handled>(&self.body)
                .is_ok_and(|handled| handled.status == "request already handled")
    }

    /// An answer that says nothing: no body, or `{}`.
    pub(crate) fn is_empty_object(&self) -> bool {
        self.body.trim_ascii().is_empty()
            || serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&self.body)
                .is_ok_and(|fields| fields.is_empty())
    }

    pub(crate) fn json<T: DeserializeOwned>(&self, expected: &'static str) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|err| Error::UnexpectedResponse {
            path: self.path.clone(),
            status: self.status.as_u16(),
            expected,
            detail: if looks_like_html(&self.body) {
                "it is an HTML page".to_owned()
            } else {
                // serde quotes the value it could not take, which the server wrote.
                crate::error::tame(&err.to_string())
            },
        })
    }

    fn into_error(self, oauth: bool, method: &Method) -> Error {
        let parsed: Option<ApiError> = serde_json::from_slice(&self.body).ok();
        let message = parsed
            .as_ref()
            .map(|e| crate::error::tame(&e.error))
            .filter(|m| !m.is_empty());
        let description = parsed
            .as_ref()
            .and_then(|e| e.error_description.as_deref())
            .map(crate::error::tame);
        let status = self.status.as_u16();
        // An OAuth refusal is a 4xx; a 5xx with an OAuth code (Doorkeeper's
        // `server_error`, `temporarily_unavailable`) is the server failing.
        if oauth
            && (400..500).contains(&status)
            && let Some(code) = &message
            && is_oauth_code(code)
        {
            return Error::oauth(code.clone(), description);
        }
        match status {
            401 => Error::Unauthorized {
                server_message: message,
            },
            // Which scope the refused request needs, said where it is known.
            403 => Error::Forbidden {
                needed_scope: crate::auth::scope_needed_by(method, &self.path),
                request: format!("{method} {}", self.path),
                server_message: message,
            },
            404 => Error::NotFound {
                path: self.path,
                server_message: message,
            },
            422 => Error::Validation {
                server_message: message,
                details: parsed.and_then(|e| e.details),
            },
            429 => {
                let limit = RateLimit::from_headers(&self.headers);
                Error::RateLimited {
                    reset: limit
                        .and_then(|l| l.reset)
                        .or_else(|| retry_after(&self.headers)),
                    limit: limit.and_then(|l| l.limit),
                }
            }
            500..=599 => Error::Server {
                status,
                server_message: message,
            },
            300..=399 => Error::Redirected {
                path: self.path,
                status,
                // The origin alone: the rest of the address is the server's business.
                location: self
                    .headers
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|location| url::Url::parse(location).ok())
                    .map(|url| url.origin().ascii_serialization())
                    .filter(|origin| origin != "null"),
            },
            _ => Error::Http {
                status,
                server_message: message,
            },
        }
    }
}

fn is_oauth_code(code: &str) -> bool {
    !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

pub(crate) fn looks_like_html(body: &[u8]) -> bool {
    let start = String::from_utf8_lossy(&body[..body.len().min(256)]).to_ascii_lowercase();
    let start = start.trim_start();
    start.starts_with("<!doctype html") || start.starts_with("<html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_answers_show_no_values_in_debug() {
        let request = ApiRequest::post("/oauth/token").form(vec![
            ("client_secret".to_owned(), "s3cret-value".to_owned()),
            ("password".to_owned(), "hunter2-value".to_owned()),
        ]);
        let shown = format!("{request:?}");
        assert!(
            shown.contains("client_secret") && shown.contains("password"),
            "{shown}"
        );
        assert!(
            !shown.contains("s3cret-value") && !shown.contains("hunter2-value"),
            "{shown}"
        );
        let answer = ApiResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: br#"{"access_token":"token-value"}"#.to_vec(),
            path: "/oauth/token".to_owned(),
            tries: 1,
        };
        assert!(!format!("{answer:?}").contains("token-value"));
        let request = ApiRequest::get("/api/v1/accounts/1/statuses")
            .query("tagged", "secret-tag")
            .form(vec![("code".to_owned(), "code-value".to_owned())]);
        let shown = format!("{request:?}");
        assert!(
            shown.contains("tagged")
                && !shown.contains("secret-tag")
                && !shown.contains("code-value"),
            "{shown}"
        );
    }

    #[test]
    fn reads_mastodon_rate_limit_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-limit", HeaderValue::from_static("300"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("299"));
        headers.insert(
            "x-ratelimit-reset",
            HeaderValue::from_static("2026-08-01T13:55:00.441909Z"),
        );
        let limit = RateLimit::from_headers(&headers).unwrap();
        assert_eq!((limit.limit, limit.remaining), (Some(300), Some(299)));
        assert_eq!(limit.reset.unwrap().unix_timestamp(), 1_785_592_500);
    }

    #[test]
    fn reads_other_servers_rate_limit_headers() {
        // GoToSocial: the reset in Unix seconds.
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-limit", HeaderValue::from_static("300"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("1785592500"));
        let limit = RateLimit::from_headers(&headers).unwrap();
        assert_eq!(limit.reset.unwrap().unix_timestamp(), 1_785_592_500);
        // Seconds from now, as the IETF draft writes them.
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("90"));
        let wait =
            RateLimit::from_headers(&headers).unwrap().reset.unwrap() - OffsetDateTime::now_utc();
        assert!((80..=90).contains(&wait.whole_seconds()), "{wait}");
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("1785592500"));
        // A reset without a limit is kept.
        headers.remove("x-ratelimit-limit");
        let limit = RateLimit::from_headers(&headers).unwrap();
        assert_eq!(limit.limit, None);
        assert!(limit.reset.is_some());
        // Nonsense is no rate limit at all.
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-limit", HeaderValue::from_static("NaN"));
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("soon"));
        assert_eq!(RateLimit::from_headers(&headers), None);
    }

    #[test]
    fn a_429_with_retry_after_alone_says_when_to_retry() {
        let answer = |retry_after: &'static str| ApiResponse {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers: HeaderMap::from_iter([(
                reqwest::header::RETRY_AFTER,
                HeaderValue::from_static(retry_after),
            )]),
            body: br#"{"error":"Throttled"}"#.to_vec(),
            path: "/api/v1/statuses".to_owned(),
            tries: 1,
        };
        let Error::RateLimited { reset, limit } = answer("120").into_error(false, &Method::POST)
        else {
            panic!("expected RateLimited");
        };
        assert_eq!(limit, None);
        let wait = reset.unwrap() - OffsetDateTime::now_utc();
        assert!((110..=120).contains(&wait.whole_seconds()), "{wait}");
        let Error::RateLimited { reset, .. } =
            answer("Sat, 01 Aug 2026 13:55:00 GMT").into_error(false, &Method::POST)
        else {
            panic!("expected RateLimited");
        };
        assert_eq!(reset.map(|r| r.unix_timestamp()), Some(1_785_592_500));
    }

    #[test]
    fn http_429_becomes_rate_limited_with_the_reset_time() {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-limit", HeaderValue::from_static("300"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        headers.insert(
            "x-ratelimit-reset",
            HeaderValue::from_static("2026-08-01T13:55:00.441909Z"),
        );
        let answer = ApiResponse {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers,
            body: br#"{"error":"Too many requests"}"#.to_vec(),
            path: "/api/v1/statuses".to_owned(),
            tries: 1,
        };
        let err = answer.into_error(false, &Method::POST);
        let Error::RateLimited { reset, limit } = &err else {
            panic!("expected RateLimited, got {err:?}");
        };
        assert_eq!(*limit, Some(300));
        assert_eq!(reset.map(|r| r.unix_timestamp()), Some(1_785_592_500));
        assert!(
            err.to_string()
                .contains("(until 2026-08-01T13:55:01Z) before trying again"),
            "{err}"
        );
    }

    #[test]
    fn oauth_error_codes_map_to_oauth_errors_only_on_oauth_endpoints() {
        let answer = |oauth| {
            ApiResponse {
                status: StatusCode::BAD_REQUEST,
                headers: HeaderMap::new(),
                body: br#"{"error":"invalid_grant","error_description":"The provided authorization grant is invalid."}"#.to_vec(),
                path: "/oauth/token".to_owned(),
                tries: 1,
            }
            .into_error(oauth, &Method::POST)
        };
        assert!(matches!(answer(true), Error::OAuth { error, .. } if error == "invalid_grant"));
        assert!(matches!(answer(false), Error::Http { status: 400, .. }));
    }

    #[tokio::test]
    async fn a_token_that_cannot_be_a_header_is_invalid_input_not_a_network_failure() {
        let client = Client::builder(InstanceUrl::parse("http://127.0.0.1:9").unwrap())
            .access_token(AccessToken::new("abc\ndef"))
            .build()
            .unwrap();
        let err = client
            .send(ApiRequest::get("/api/v1/accounts/verify_credentials"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        assert!(
            !err.to_string().contains("abc"),
            "the token is not echoed: {err}"
        );
    }

    #[test]
    fn backoff_doubles() {
        let policy = RetryPolicy::new(3, Duration::from_millis(100));
        assert_eq!(backoff(policy, 0), Duration::from_millis(100));
        assert_eq!(backoff(policy, 2), Duration::from_millis(400));
        // Up to a minute, however many retries; a longer first delay is kept.
        assert_eq!(backoff(policy, 20), MAX_BACKOFF);
        assert_eq!(backoff(policy, u32::MAX), MAX_BACKOFF);
        let slow = RetryPolicy::new(3, Duration::from_secs(90));
        assert_eq!(backoff(slow, 5), Duration::from_secs(90));
    }
}

//! The one error type of the library.
//!
//! Every variant's message is one sentence: what happened, then what to do about it.
//! None of them ever contains a secret: requests carry tokens in headers and codes in
//! bodies, never in URLs, and the server's own messages are quoted as they come.

use std::time::Duration;

use time::OffsetDateTime;

/// The Mastodon `invalid_grant` explanation, with its causes spelled out.
const INVALID_GRANT_CAUSES: &str = "it was mistyped or cut short, already used, is older than ten minutes, was issued to another client, or the redirect URI or PKCE verifier sent with it is not the authorization request's (exchange the code with the request that made the sign-in URL); start the sign-in again to get a fresh code";

/// Doorkeeper's own description of `invalid_grant`, which the causes above say better.
const DOORKEEPER_INVALID_GRANT: &str = "The provided authorization grant is invalid";

/// How tootkit's sandbox says a route is one it does not serve (its 404 reads
/// `Not Found: GET /path …`): written here once, for the sandbox to say it and the library
/// to tell it from a record that is missing.
#[doc(hidden)]
pub const SANDBOX_UNSERVED: &str =
    "is not an endpoint the sandbox serves (the README lists those it does)";

/// Everything that can go wrong talking to an instance.
///
/// Match on the variant to decide what to do; print it (`Display`) to tell a person.
///
/// ```
/// use tootkit::{Error, InstanceUrl};
///
/// match InstanceUrl::parse("http://botsin.space") {
///     Err(Error::InvalidInput { message }) => assert!(message.contains("plain http")),
///     other => panic!("unexpected {other:?}"),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller's input cannot be used (an address, a name too long, a missing value).
    #[error("{message}")]
    InvalidInput {
        /// The full sentence: what is wrong and how to fix it.
        message: String,
    },

    /// The text cannot be cut into a thread; `reason` says why and how to fix it.
    #[error("The text cannot be posted as a thread: {reason}.")]
    Thread {
        /// Why the split failed, such as [`SplitError::TooManyParts`](crate::text::SplitError::TooManyParts).
        reason: crate::text::SplitError,
    },

    /// A part of a thread was posted before, by an earlier run of the same thread, and
    /// has since been deleted: the server answers its `Idempotency-Key` with "not found"
    /// for as long as it keeps the key (an hour on Mastodon).
    #[error(
        "Part {part} of {parts} of this thread was posted by an earlier run and has since been deleted, so the server will not post it again under the same key for up to an hour; change the text or its options to post the thread anew, or wait an hour."
    )]
    ThreadPartDeleted {
        /// Which part (1-based).
        part: usize,
        /// How many parts the thread has.
        parts: usize,
    },

    /// HTTP 401: the server does not accept the access token.
    #[error("{}", unauthorized_message(server_message))]
    Unauthorized {
        /// The server's own explanation, when it gave one.
        server_message: Option<String>,
    },

    /// HTTP 401 to a request sent without an access token: the server answers it only to
    /// signed-in clients (some instances close their public API).
    #[error(
        "The server answers {path} only to signed-in clients{}; give the client an access token (sign in first) and try again.",
        quoted(server_message)
    )]
    TokenRequired {
        /// The API path asked for.
        path: String,
        /// The server's own explanation, when it gave one.
        server_message: Option<String>,
    },

    /// HTTP 403: the token is valid but may not do this (usually a missing scope).
    #[error("{}", forbidden(request, *needed_scope, server_message))]
    Forbidden {
        /// The request refused: its method and path (`DELETE /api/v1/statuses/1`).
        request: String,
        /// The scope that request needs, where tootkit knows it (`write:statuses` to
        /// post).
        needed_scope: Option<&'static str>,
        /// The server's own explanation, when it gave one.
        server_message: Option<String>,
    },

    /// HTTP 404: the resource does not exist (or is not visible to this token).
    #[error("{}", not_found_message(path, server_message))]
    NotFound {
        /// The request path that was not found.
        path: String,
        /// The server's own explanation, when it gave one.
        server_message: Option<String>,
    },

    /// HTTP 422: the server refused the request's content.
    #[error("The server refused the request as invalid: {}; correct it and try again.", server_message.as_deref().map(|m| m.trim().trim_end_matches('.')).filter(|m| !m.is_empty()).unwrap_or("no reason given"))]
    Validation {
        /// Mastodon's message, such as `Validation failed: Text character limit of 500 exceeded`.
        server_message: Option<String>,
        /// Mastodon's per-field `details`, when present.
        details: Option<serde_json::Value>,
    },

    /// HTTP 429: the rate limit is used up.
    #[error(
        "The server's rate limit is used up; {}.",
        wait_advice(*reset, OffsetDateTime::now_utc())
    )]
    RateLimited {
        /// When the limit resets (`X-RateLimit-Reset`), if the server said.
        reset: Option<OffsetDateTime>,
        /// The limit for this period (`X-RateLimit-Limit`), if the server said.
        limit: Option<u32>,
    },

    /// HTTP 5xx: the server failed.
    #[error("{}", server_failure(*status, server_message))]
    Server {
        /// The HTTP status code.
        status: u16,
        /// The server's own explanation, when it gave one.
        server_message: Option<String>,
    },

    /// A 3xx answer: the library follows no redirect (a token must not follow one to
    /// another host), and an API that redirects usually lives at another address.
    #[error(
        "The server answered {path} with HTTP {status}, a redirect{}; the instance's API is probably at {}, so use that as the instance address.",
        location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default(),
        location.as_deref().unwrap_or("the address the instance's web pages use")
    )]
    Redirected {
        /// The request path that was redirected.
        path: String,
        /// The HTTP status code.
        status: u16,
        /// Where the redirect points, as an origin (`https://host`), when it said.
        location: Option<String>,
    },

    /// Another HTTP error status (400, 409, 410…).
    #[error(
        "The server refused the request with HTTP {status}{}; check the request's parameters.",
        quoted(server_message)
    )]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The server's own explanation, when it gave one.
        server_message: Option<String>,
    },

    /// The server could not be reached, or the connection broke.
    #[error("{}", network_message(host, source))]
    Network {
        /// The host that could not be reached.
        host: String,
        /// The underlying failure.
        #[source]
        source: reqwest::Error,
    },

    /// The server did not answer in time.
    #[error(
        "{host} did not answer within {} s{}; the server may be down or overloaded, so try again later.",
        after.as_secs_f32(),
        if *attempts > 1 { format!(", on each of {attempts} tries") } else { String::new() }
    )]
    Timeout {
        /// The host that did not answer.
        host: String,
        /// How long the client waited, each time.
        after: Duration,
        /// How many tries ran out of time (retries of a repeatable request).
        attempts: u32,
    },

    /// A post (a request with an `Idempotency-Key`) reached the server, and no answer
    /// said whether it was made: a try ran out of time, lost its connection, met a
    /// gateway's 502 or 504, or found the server still at work on an earlier one, and
    /// the repeats under the same key did no better; or the server answered success in
    /// words that could not be read as the status. Sending it again under a new key
    /// could post twice.
    #[error(
        "{host} may have made the post, and no answer that could be read confirmed it ({cause}); check whether it took effect (a post on the account, say) before sending it again."
    )]
    Unconfirmed {
        /// The host the post was sent to.
        host: String,
        /// What first left its fate unknown, briefly: `it did not answer within 30 s`.
        cause: String,
        /// How many tries were made, repeats included.
        attempts: u32,
    },

    /// The OAuth server refused a request (`/oauth/token`, `/oauth/revoke`) or the
    /// authorization itself failed.
    #[error("{}", oauth_message(error, description.as_deref()))]
    OAuth {
        /// The OAuth error code, such as `invalid_grant`; `invalid_credentials` when the
        /// password grant refused the user name or password.
        error: String,
        /// The server's `error_description`, when it gave one.
        description: Option<String>,
    },

    /// The server does not offer what was asked.
    #[error("{message}")]
    NotSupported {
        /// The full sentence: what is missing and what to use instead.
        message: String,
    },

    /// The server had already carried out a repeated write but sent no result back.
    #[error(
        "The server had already carried out this request (a repeat with the same Idempotency-Key to {path}) but did not send its result back; look at the account's posts for it instead of sending it again."
    )]
    AlreadyHandled {
        /// The request path.
        path: String,
    },

    /// The server answered with something that is not the expected JSON.
    #[error(
        "The answer from {path} (HTTP {status}) could not be read as {expected}: {detail}; check that the address is a Mastodon-compatible server."
    )]
    UnexpectedResponse {
        /// The request path.
        path: String,
        /// The HTTP status code.
        status: u16,
        /// What was expected, such as "a Status".
        expected: &'static str,
        /// What went wrong while reading it.
        detail: String,
    },

    /// A local I/O failure (the loopback redirect listener).
    #[error("{context} ({source}); {advice}.")]
    Io {
        /// What was being done.
        context: String,
        /// What to do about it.
        advice: &'static str,
        /// The underlying failure.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Self::InvalidInput {
            message: message.into(),
        }
    }

    pub(crate) fn not_supported(message: impl Into<String>) -> Self {
        Self::NotSupported {
            message: message.into(),
        }
    }

    /// An OAuth error, whatever brought it (an answer, a redirect's query): its words
    /// [tamed](tame).
    pub(crate) fn oauth(error: impl Into<String>, description: Option<String>) -> Self {
        Self::OAuth {
            error: tame(&error.into()),
            description: description.map(|d| tame(&d)).filter(|d| !d.is_empty()),
        }
    }

    /// Whether trying the same request again later may succeed (network trouble,
    /// timeouts, server failures, rate limits).
    ///
    /// ```
    /// let err = tootkit::Error::Server { status: 503, server_message: None };
    /// assert!(err.is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Network { .. } | Self::Timeout { .. } | Self::RateLimited { .. }
        ) || matches!(self, Self::Server { status, .. } if matches!(status, 500 | 502 | 503 | 504))
    }

    /// Whether nothing listened at the address (a network failure, but not a failed TLS
    /// handshake or a connection reset): a server not started, or the wrong port.
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client) {
    /// if let Err(err) = client.instance().get().await {
    ///     if err.is_connection_refused() {
    ///         eprintln!("nothing listens at {}", client.base_url());
    ///     }
    /// }
    /// # }
    /// ```
    pub fn is_connection_refused(&self) -> bool {
        let Self::Network { source, .. } = self else {
            return false;
        };
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(source);
        while let Some(error) = cause {
            if let Some(io) = error.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::ConnectionRefused
            {
                return true;
            }
            cause = error.source();
        }
        false
    }

    /// Whether this is a 401 saying the token was revoked (Doorkeeper's "The access
    /// token was revoked"), as opposed to one the server does not know at all.
    ///
    /// ```
    /// let revoked = tootkit::Error::Unauthorized {
    ///     server_message: Some("The access token was revoked".into()),
    /// };
    /// let unknown = tootkit::Error::Unauthorized {
    ///     server_message: Some("The access token is invalid".into()),
    /// };
    /// assert!(revoked.is_revoked_token() && !unknown.is_revoked_token());
    /// ```
    pub fn is_revoked_token(&self) -> bool {
        matches!(self, Self::Unauthorized { server_message } if says_revoked(server_message))
    }

    /// Whether this is a 403 about the token's scopes (Mastodon: "This action is outside
    /// the authorized scopes"), as one without a reason is taken to be; a 403 in other
    /// words refuses the account itself (disabled, unconfirmed, suspended).
    ///
    /// ```
    /// let scope = tootkit::Error::Forbidden {
    ///     request: "POST /api/v1/statuses".into(),
    ///     needed_scope: Some("write:statuses"),
    ///     server_message: Some("This action is outside the authorized scopes".into()),
    /// };
    /// let disabled = tootkit::Error::Forbidden {
    ///     request: "POST /api/v1/statuses".into(),
    ///     needed_scope: Some("write:statuses"),
    ///     server_message: Some("Your login is currently disabled".into()),
    /// };
    /// assert!(scope.is_scope_refusal() && !disabled.is_scope_refusal());
    /// ```
    pub fn is_scope_refusal(&self) -> bool {
        matches!(self, Self::Forbidden { server_message, .. } if about_scopes(server_message))
    }

    /// The limit a refusal of a too-long status names (Mastodon: `Validation failed:
    /// Text character limit of 500 exceeded`), if this is one.
    ///
    /// ```
    /// let long = tootkit::Error::Validation {
    ///     server_message: Some("Validation failed: Text character limit of 500 exceeded".into()),
    ///     details: None,
    /// };
    /// assert_eq!(long.character_limit(), Some(500));
    /// ```
    pub fn character_limit(&self) -> Option<usize> {
        let Self::Validation {
            server_message: Some(message),
            ..
        } = self
        else {
            return None;
        };
        let (_, rest) = message.split_once("character limit of ")?;
        let (digits, _) = rest.split_once(" exceeded")?;
        digits.parse().ok()
    }

    /// The HTTP status of an error that is one (401, 403, 404, 422, 429, 5xx and the
    /// other refusals); `None` for the rest, including OAuth errors and redirects, which
    /// carry their own meaning rather than a status.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { .. } | Self::TokenRequired { .. } => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::NotFound { .. } => Some(404),
            Self::Validation { .. } => Some(422),
            Self::RateLimited { .. } => Some(429),
            Self::Server { status, .. }
            | Self::Http { status, .. }
            | Self::UnexpectedResponse { status, .. } => Some(*status).filter(|s| *s >= 400),
            _ => None,
        }
    }
}

/// Mastodon explains its 404s in JSON (`Record not found`); an answer without one comes
/// from something else at that address.
fn not_found_message(path: &str, server_message: &Option<String>) -> String {
    match server_message.as_deref().map(str::trim) {
        // Mastodon's words for any missing record or route: the path says more.
        Some(m)
            if ["Record not found", "Not Found"]
                .iter()
                .any(|generic| m.trim_end_matches('.').eq_ignore_ascii_case(generic)) =>
        {
            if path == crate::accounts::LOOKUP_PATH {
                return format!(
                    "The server knows no account at that address{}; check its spelling (an instance knows a remote account only once someone there has looked it up or followed it).",
                    quoted(server_message)
                );
            }
            format!(
                "{path} was not found on the server{}; check the ID, or whether this server offers this part of the API.",
                quoted(server_message)
            )
        }
        // tootkit's sandbox, saying that a route is one it does not serve, not a record
        // it lacks.
        Some(m) if m.starts_with("Not Found: ") && m.contains(SANDBOX_UNSERVED) => {
            format!(
                "The server does not serve {path}{}; that part of the API is not there, so make the request on a server that has it.",
                quoted(server_message)
            )
        }
        // Words of its own, such as what a reply was to answer: they say what is missing.
        Some(m) if !m.is_empty() => format!(
            "The server answered {path} with {} (HTTP 404); check the IDs the request names.",
            curly(m)
        ),
        _ => format!(
            "{path} was not found on the server, and the answer was not Mastodon's; check that the address is a Mastodon-compatible server (and the ID, if there is one)."
        ),
    }
}

fn server_failure(status: u16, server_message: &Option<String>) -> String {
    if status == 501 {
        format!(
            "The server does not implement this request (HTTP 501){}; check that the address is a Mastodon-compatible server.",
            quoted(server_message)
        )
    } else {
        format!(
            "The server failed with HTTP {status}{}; this is a problem on the server's side, so try again later.",
            quoted(server_message)
        )
    }
}

/// A 403 explained: Mastodon says "outside the authorized scopes" for a missing scope,
/// other words for an account it will not serve (disabled, unconfirmed, suspended).
fn forbidden(request: &str, needed_scope: Option<&str>, message: &Option<String>) -> String {
    if about_scopes(message) {
        let scope = needed_scope.map_or_else(
            || "the scope it needs".to_owned(),
            |scope| format!("`{scope}`, which this request needs"),
        );
        format!(
            "The server refused {request}{}; the token probably lacks {scope}, so sign in again asking for it.",
            quoted(message)
        )
    } else {
        format!(
            "The server refused {request}{}; the account may be disabled, unconfirmed or suspended, so sign in to the web interface to see why.",
            quoted(message)
        )
    }
}

fn about_scopes(message: &Option<String>) -> bool {
    message
        .as_deref()
        .is_none_or(|m| m.trim().is_empty() || m.to_ascii_lowercase().contains("scope"))
}

/// Doorkeeper tells a revoked token ("The access token was revoked") from one it does
/// not know ("The access token is invalid"); only the second may be a typo.
fn says_revoked(server_message: &Option<String>) -> bool {
    server_message
        .as_deref()
        .is_some_and(|m| m.to_ascii_lowercase().contains("revoked"))
}

fn unauthorized_message(server_message: &Option<String>) -> String {
    let why = if says_revoked(server_message) {
        "get a new one by signing in again or in the web interface's Development settings"
    } else {
        "it may have been revoked or mistyped, so check it, or get a new one by signing in again or in the web interface's Development settings"
    };
    format!(
        "The server refused the access token{}; {why}.",
        quoted(server_message)
    )
}

/// The server's words, if it said any, in parentheses after a clause of ours.
fn quoted(message: &Option<String>) -> String {
    said(message.as_deref())
}

fn said(words: Option<&str>) -> String {
    match words.map(str::trim) {
        Some(words) if !words.is_empty() => format!(" ({})", curly(words)),
        _ => String::new(),
    }
}

/// The server's words in quotation marks, without the full stop that ends them.
fn curly(words: &str) -> String {
    format!("\u{201c}{}\u{201d}", words.trim_end_matches('.'))
}

/// Could not get a request to the server (the address is worth checking), or the
/// connection broke while the answer arrived (the request was carried out).
fn network_message(host: &str, source: &reqwest::Error) -> String {
    if source.is_body() || source.is_decode() {
        // The server had taken the request and was answering: what was asked was done.
        format!(
            "The connection to {host} broke while its answer arrived: {}; what was asked was probably done (look before sending a post again), so check your network connection.",
            cause_chain(source)
        )
    } else {
        format!(
            "Could not reach {host}: {}; check the address and your network connection.",
            cause_chain(source)
        )
    }
}

fn wait_advice(reset: Option<OffsetDateTime>, now: OffsetDateTime) -> String {
    match reset {
        Some(reset) => {
            // Whole seconds, rounded up: waiting a little longer is harmless, and a
            // `Retry-After` turned into a time has nanoseconds nobody needs to read.
            let reset = match reset.replace_nanosecond(0) {
                // Checked: a server may name the last instant of the year 9999.
                Ok(whole) if whole < reset => {
                    whole.checked_add(time::Duration::SECOND).unwrap_or(reset)
                }
                Ok(whole) => whole,
                Err(_) => reset,
            };
            let left = reset - now;
            let wait = (left.whole_seconds() + i64::from(left.subsec_nanoseconds() > 0)).max(1);
            let at = reset
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            // Seconds read well up to a couple of minutes, minutes up to a couple of
            // hours; beyond that the time itself says more.
            match wait {
                ..120 => format!("wait {wait} s (until {at}) before trying again"),
                120..7_200 => format!(
                    "wait {} min (until {at}) before trying again",
                    (wait + 59) / 60
                ),
                _ => format!("wait until {at} before trying again"),
            }
        }
        None => "wait a few minutes before trying again".to_owned(),
    }
}

/// The longest stretch of a server's words an error repeats.
const MAX_SERVER_WORDS: usize = 300;

/// A server's words as an error may repeat them: control, bidirectional formatting and
/// line separator characters (a terminal's escape sequences, reversed text) made
/// spaces, trimmed, and at most [`MAX_SERVER_WORDS`] characters.
pub(crate) fn tame(words: &str) -> String {
    let hidden = |c: char| {
        c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || crate::text::directional(c)
    };
    let shown: String = words
        .chars()
        .map(|c| if hidden(c) { ' ' } else { c })
        .collect();
    crate::text::shortened(shown.trim(), MAX_SERVER_WORDS)
}

pub(crate) fn cause_chain(err: &reqwest::Error) -> String {
    // reqwest's own message names the URL; the innermost cause says what failed.
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    // rustls' words for a server answering plain http where https was asked for.
    if text.contains("InvalidContentType") || text.contains("corrupt message") {
        return format!(
            "the server does not speak https there ({text}); if it is a tootkit sandbox or another test server on this machine, use its http:// address (plain http is allowed to loopback addresses only)"
        );
    }
    if err.is_connect() {
        format!("the connection failed ({text})")
    } else {
        text
    }
}

fn oauth_message(error: &str, description: Option<&str>) -> String {
    let said = said(description);
    match error {
        "invalid_grant" => {
            let said = match description {
                Some(d) if d.trim_start().starts_with(DOORKEEPER_INVALID_GRANT) => "",
                _ => said.as_str(),
            };
            format!(
                "The server refused the authorization code (invalid_grant{said}): {INVALID_GRANT_CAUSES}."
            )
        }
        "invalid_credentials" => format!(
            "The server refused the user name or password{said}; check them (Mastodon expects the account's email address), and note that accounts with two-factor authentication must sign in through the browser."
        ),
        "invalid_client" => format!(
            "The server does not recognise this application's client ID and secret{said}; the app may have been deleted, so register it again."
        ),
        "invalid_scope" => format!(
            "The server refused the requested scopes{said}; ask only for scopes the application was registered with, or register it again with them."
        ),
        "unsupported_grant_type" => format!(
            "The server does not support this way of signing in{said}; use the authorization code flow in a browser, or a token created in the web interface."
        ),
        "access_denied" => format!(
            "The authorization was denied{said}; run the sign-in again and choose Authorize if you want to grant access."
        ),
        "unauthorized_client" => format!(
            "The server refused: this client may not do that{said}; use the client ID and secret the token was issued to."
        ),
        "state_mismatch" => format!(
            "A redirect carried a state that does not match this sign-in{said}, so it was refused as a possible forgery, and no valid one came in time; start the sign-in again."
        ),
        "no_code" => format!(
            "The browser came back from the server without an authorization code{said}; start the sign-in again, or use a token created in the server's web interface."
        ),
        "timeout" => format!(
            "{}; start the sign-in again and finish it in time.",
            description.unwrap_or("The sign-in was not completed in time")
        ),
        other => format!(
            "The OAuth server refused the request with {}{said}; start the sign-in again, and check the client's registration if it persists.",
            // Something to name, when nothing readable was given.
            if other.is_empty() {
                "an unnamed error"
            } else {
                other
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_says_how_long_to_wait_in_a_readable_unit() {
        let now = time::macros::datetime!(2026-08-01 13:50 UTC);
        let after = |seconds: i64| wait_advice(Some(now + time::Duration::seconds(seconds)), now);
        assert_eq!(
            after(30),
            "wait 30 s (until 2026-08-01T13:50:30Z) before trying again"
        );
        assert_eq!(
            after(599),
            "wait 10 min (until 2026-08-01T13:59:59Z) before trying again"
        );
        assert_eq!(
            after(3 * 86_400),
            "wait until 2026-08-04T13:50:00Z before trying again"
        );
        assert_eq!(
            wait_advice(Some(now + time::Duration::milliseconds(1_500)), now),
            "wait 2 s (until 2026-08-01T13:50:02Z) before trying again"
        );
        assert_eq!(
            wait_advice(None, now),
            "wait a few minutes before trying again"
        );
    }

    #[test]
    fn a_route_the_sandbox_does_not_serve_is_not_taken_for_a_missing_record() {
        let said = "Not Found: GET /api/v1/timelines/home is not an endpoint the sandbox serves (the README lists those it does).";
        assert_eq!(
            not_found_message("/api/v1/timelines/home", &Some(said.to_owned())),
            "The server does not serve /api/v1/timelines/home (\u{201c}Not Found: GET /api/v1/timelines/home is not an endpoint the sandbox serves (the README lists those it does)\u{201d}); that part of the API is not there, so make the request on a server that has it."
        );
    }

    #[test]
    fn a_servers_words_are_tamed_before_an_error_repeats_them() {
        assert_eq!(tame(" \u{1b}[2J\u{7} "), "[2J");
        assert_eq!(tame("\u{1b}\u{7}\u{2028}"), "", "nothing left to quote");
        assert_eq!(tame("a\u{200F}b\u{2029}c\u{061C}d"), "a b c d");
        let long = tame(&"é".repeat(1_000));
        assert_eq!(long.chars().count(), MAX_SERVER_WORDS + 1);
        assert!(long.ends_with('…'));
        // From a redirect's query as from an answer.
        let err = Error::oauth("access_denied", Some("\u{1b}]0;x\u{7}".into()));
        assert!(!err.to_string().contains('\u{1b}'), "{err}");
        let unnamed = Error::oauth("\u{1b}\u{7}", None).to_string();
        assert!(
            unnamed.starts_with("The OAuth server refused the request with an unnamed error;"),
            "{unnamed}"
        );
    }

    #[test]
    fn a_reset_at_the_last_instant_a_date_can_name_is_still_said() {
        let error = Error::RateLimited {
            reset: Some(time::macros::datetime!(9999-12-31 23:59:59.5 UTC)),
            limit: Some(300),
        };
        assert!(
            error.to_string().contains("until 9999-12-31T23:59:59.5Z"),
            "{error}"
        );
    }

    #[test]
    fn an_unreadable_success_has_no_error_status() {
        let unreadable = |status| Error::UnexpectedResponse {
            path: "/api/v1/statuses/1".into(),
            status,
            expected: "a Status",
            detail: "expected value at line 1 column 1".into(),
        };
        assert_eq!(unreadable(200).status(), None);
        assert_eq!(unreadable(418).status(), Some(418));
    }

    #[test]
    fn invalid_grant_lists_its_causes() {
        let text = Error::oauth(
            "invalid_grant",
            Some("The provided authorization grant is invalid.".into()),
        )
        .to_string();
        for cause in [
            "already used",
            "ten minutes",
            "another client",
            "redirect URI",
        ] {
            assert!(text.contains(cause), "{text}");
        }
    }

    #[test]
    fn every_message_is_one_sentence_ending_with_advice() {
        let errors = [
            Error::Unauthorized {
                server_message: Some("The access token is invalid".into()),
            },
            Error::TokenRequired {
                path: "/api/v2/instance".into(),
                server_message: None,
            },
            Error::Forbidden {
                request: "POST /api/v1/statuses".into(),
                needed_scope: Some("write:statuses"),
                server_message: Some("This action is outside the authorized scopes".into()),
            },
            Error::Forbidden {
                request: "GET /api/v1/admin/accounts".into(),
                needed_scope: None,
                server_message: Some("This action is outside the authorized scopes".into()),
            },
            Error::Forbidden {
                request: "POST /api/v1/statuses".into(),
                needed_scope: None,
                server_message: Some("Your login is currently disabled".into()),
            },
            Error::NotFound {
                path: "/api/v1/statuses/1".into(),
                server_message: Some("Record not found".into()),
            },
            Error::NotFound {
                path: "/api/v1/accounts/verify_credentials".into(),
                server_message: None,
            },
            Error::Server {
                status: 501,
                server_message: None,
            },
            Error::ThreadPartDeleted { part: 3, parts: 6 },
            Error::AlreadyHandled {
                path: "/api/v1/statuses".into(),
            },
            Error::Validation {
                server_message: Some(
                    "Validation failed: Redirect URI is forbidden by the server.".into(),
                ),
                details: None,
            },
            Error::Io {
                context: "Could not open a local port".into(),
                advice: "sign in with the out-of-band flow instead",
                source: std::io::Error::other("denied"),
            },
            Error::RateLimited {
                reset: None,
                limit: Some(300),
            },
            Error::Server {
                status: 503,
                server_message: None,
            },
            Error::Timeout {
                host: "botsin.space".into(),
                after: Duration::from_secs(30),
                attempts: 3,
            },
            Error::Unconfirmed {
                host: "botsin.space".into(),
                cause: "a gateway answered HTTP 504".into(),
                attempts: 3,
            },
            Error::Redirected {
                path: "/api/v2/instance".into(),
                status: 301,
                location: None,
            },
            Error::oauth("invalid_client", None),
        ];
        for err in errors {
            let text = err.to_string();
            assert!(text.ends_with('.'), "{text}");
            assert!(!text.contains(".;"), "{text}");
            assert!(
                text.matches(". ").count() == 0,
                "more than one sentence: {text}"
            );
        }
    }
}

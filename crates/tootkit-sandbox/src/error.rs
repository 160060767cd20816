//! Errors as Mastodon answers them: `{"error": "..."}` for the API, `{"error": code,
//! "error_description": ...}` for OAuth, an HTML page for the browser.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tootkit::ApiError;

use crate::store::StoreError;

/// Doorkeeper's descriptions, word for word, so clients can match them.
pub(crate) mod oauth_text {
    pub const INVALID_GRANT: &str = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";
    pub const INVALID_CLIENT: &str = "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.";
    pub const INVALID_SCOPE: &str = "The requested scope is invalid, unknown, or malformed.";
    pub const UNSUPPORTED_GRANT_TYPE: &str =
        "The authorization grant type is not supported by the authorization server.";
    pub const ACCESS_DENIED: &str =
        "The resource owner or authorization server denied the request.";
}

/// Mastodon's API messages.
pub(crate) mod api_text {
    pub const INVALID_TOKEN: &str = "The access token is invalid";
    pub const REVOKED_TOKEN: &str = "The access token was revoked";
    pub const OUTSIDE_SCOPES: &str = "This action is outside the authorized scopes";
    pub const NEEDS_USER: &str = "This method requires an authenticated user";
    /// Rack::Attack's and the RateLimiter's answer past a limit.
    pub const TOO_MANY_REQUESTS: &str = "Too many requests";
    /// A record that is not there (`ActiveRecord::RecordNotFound`).
    pub const NOT_FOUND: &str = "Record not found";
    /// What there is nothing at, or nothing the caller may see (`not_found`, and
    /// Rails's routing for paths it does not know).
    pub const NOTHING_HERE: &str = "Not Found";
    /// A request Rails cannot read (a path that is not UTF-8): its 400's words.
    pub const MALFORMED: &str = "The request you submitted was invalid or malformed.";
}

/// An error answer.
#[derive(Debug)]
pub(crate) enum Failure {
    Api(StatusCode, ApiError),
    /// An error of the token endpoint, which Doorkeeper sends with a bearer challenge.
    Token(StatusCode, ApiError),
    Page(StatusCode, String),
}

impl Failure {
    pub(crate) fn api(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Api(status, ApiError::new(message))
    }

    /// An OAuth error of the token endpoint: `{"error": code, "error_description": …}`
    /// with Doorkeeper's `WWW-Authenticate` and `Cache-Control: no-store`.
    pub(crate) fn token(status: StatusCode, code: &str, description: &str) -> Self {
        Self::Token(status, ApiError::oauth(code, description))
    }

    /// An OAuth error in the same JSON without those headers, as the revocation
    /// endpoint renders its refusals.
    pub(crate) fn oauth(status: StatusCode, code: &str, description: &str) -> Self {
        Self::Api(status, ApiError::oauth(code, description))
    }

    pub(crate) fn unauthorized() -> Self {
        Self::api(StatusCode::UNAUTHORIZED, api_text::INVALID_TOKEN)
    }

    pub(crate) fn forbidden_scope() -> Self {
        Self::api(StatusCode::FORBIDDEN, api_text::OUTSIDE_SCOPES)
    }

    pub(crate) fn not_found() -> Self {
        Self::api(StatusCode::NOT_FOUND, api_text::NOT_FOUND)
    }

    pub(crate) fn nothing_here() -> Self {
        Self::api(StatusCode::NOT_FOUND, api_text::NOTHING_HERE)
    }

    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Self::api(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    pub(crate) fn page(status: StatusCode, title: &str, text: &str) -> Self {
        Self::Page(status, crate::pages::message_page(title, text))
    }
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        tracing::error!(%err, "database failure");
        Self::api(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The sandbox's database failed; see the sandbox's log.",
        )
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, body, challenge) = match self {
            Self::Page(status, html) => {
                // The headers of every page (no framing, no caching, no script).
                let mut response = crate::routes::page_response(html);
                *response.status_mut() = status;
                return response;
            }
            Self::Token(status, body) => {
                let description = body.error_description.clone().unwrap_or_default();
                let challenge = (body.error.clone(), description, "no-store");
                (status, body, Some(challenge))
            }
            Self::Api(status, body) => {
                let refused_token = status == StatusCode::UNAUTHORIZED
                    && [api_text::INVALID_TOKEN, api_text::REVOKED_TOKEN].contains(&&*body.error);
                let challenge = refused_token.then(|| {
                    let description = body.error.clone();
                    ("invalid_token".to_owned(), description, "private, no-store")
                });
                (status, body, challenge)
            }
        };
        let mut response = (status, Json(body)).into_response();
        if let Some((code, description, cache)) = challenge {
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            // Doorkeeper's descriptions are ASCII without quotes, so they go in as they are.
            let challenge = format!(
                r#"Bearer realm="Doorkeeper", error="{code}", error_description="{description}""#
            );
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                headers.insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

pub(crate) type Result<T> = std::result::Result<T, Failure>;

//! Errors as Mastodon answers them: `{"error": "..."}` for the API, `{"error": code,
//! "error_description": ...}` for OAuth, an HTML page for the browser.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tootkit::ApiError;

use crate::store::StoreError;

/// Doorkeeper's descriptions, word for word, so clients can match them.
pub(crate) mod oauth_text {
    pub const INVALID_GRANT: &str = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";
    pub const INVALID_CLIENT: &str = "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.";
    pub const INVALID_SCOPE: &str = "The requested scope is invalid, unknown, or malformed.";
    pub const UNSUPPORTED_GRANT_TYPE: &str =
        "The authorization grant type is not supported by the authorization server.";
    pub const INVALID_REQUEST: &str = "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.";
    pub const ACCESS_DENIED: &str =
        "The resource owner or authorization server denied the request.";
}

/// Mastodon's API messages.
pub(crate) mod api_text {
    pub const INVALID_TOKEN: &str = "The access token is invalid";
    pub const OUTSIDE_SCOPES: &str = "This action is outside the authorized scopes";
    pub const NEEDS_USER: &str = "This method requires an authenticated user";
    pub const NOT_FOUND: &str = "Record not found";
}

/// An error answer.
#[derive(Debug)]
pub(crate) enum Failure {
    Api(StatusCode, ApiError),
    Page(StatusCode, String),
}

impl Failure {
    pub(crate) fn api(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Api(status, ApiError::new(message))
    }

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
        match self {
            Self::Api(status, body) => {
                let challenge = bearer_challenge(status, &body);
                let mut response = (status, Json(body)).into_response();
                if let Some((challenge, cache)) = challenge {
                    let headers = response.headers_mut();
                    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
                    if let Ok(value) = HeaderValue::from_str(&challenge) {
                        headers.insert(header::WWW_AUTHENTICATE, value);
                    }
                }
                response
            }
            Self::Page(status, html) => (status, Html(html)).into_response(),
        }
    }
}

/// The `WWW-Authenticate` challenge and `Cache-Control` Doorkeeper sends with an OAuth
/// error (from the token and revocation endpoints) and with a refused access token.
fn bearer_challenge(status: StatusCode, body: &ApiError) -> Option<(String, &'static str)> {
    let (code, description, cache) = match &body.error_description {
        Some(description) => (body.error.as_str(), description.as_str(), "no-store"),
        None if status == StatusCode::UNAUTHORIZED && body.error == api_text::INVALID_TOKEN => (
            "invalid_token",
            api_text::INVALID_TOKEN,
            "private, no-store",
        ),
        None => return None,
    };
    Some((
        format!(
            r#"Bearer realm="Doorkeeper", error="{code}", error_description="{}""#,
            description.replace('"', "'")
        ),
        cache,
    ))
}

pub(crate) type Result<T> = std::result::Result<T, Failure>;

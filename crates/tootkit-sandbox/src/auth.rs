//! Who is calling: the bearer token of an API request, resolved to its application,
//! account and scopes, and the scope checks Mastodon makes.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use tootkit::Scopes;

use crate::AppState;
use crate::error::{Failure, Result, api_text};
use crate::store::{AccountRow, TokenRow};

/// The caller of an API endpoint that needs a token.
#[derive(Debug)]
pub(crate) struct Caller {
    pub(crate) token: TokenRow,
    pub(crate) account: Option<AccountRow>,
    pub(crate) scopes: Scopes,
}

/// The caller of an endpoint that also answers without a token.
#[derive(Debug)]
pub(crate) struct MaybeCaller(pub(crate) Option<Caller>);

impl Caller {
    /// Refuses with 403 unless the token holds one of `scopes`.
    pub(crate) fn require_any(&self, scopes: &[&str]) -> Result<()> {
        if scopes.iter().any(|s| self.scopes.covers(s)) {
            Ok(())
        } else {
            Err(Failure::forbidden_scope())
        }
    }

    /// The account acting; an application token gets Mastodon's 422.
    pub(crate) fn user(&self) -> Result<&AccountRow> {
        self.account
            .as_ref()
            .ok_or_else(|| Failure::api(StatusCode::UNPROCESSABLE_ENTITY, api_text::NEEDS_USER))
    }
}

/// The token of a request: `None` when it brings none, `Some(None)` when what it
/// brings is no token. Doorkeeper's default `access_token_methods`, which Mastodon
/// keeps: the `Authorization: Bearer` header, else an `access_token` or `bearer_token`
/// query parameter.
pub(crate) fn bearer(headers: &HeaderMap, uri: &Uri) -> Option<Option<String>> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        let query = uri.query()?;
        return url::form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "access_token" || name == "bearer_token")
            .map(|(_, token)| Some(token.trim().to_owned()).filter(|t| !t.is_empty()));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        })
        .filter(|t| !t.is_empty());
    Some(token)
}

/// A request's token as the rate limits looked it up, so that the handler's
/// extractor does not look it up again.
#[derive(Clone)]
pub(crate) struct KnownToken {
    pub(crate) token: String,
    pub(crate) row: Option<(TokenRow, bool)>,
}

/// The token itself is a secret: shown redacted.
impl std::fmt::Debug for KnownToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnownToken")
            .field("token", &tootkit::REDACTED)
            .field("row", &self.row)
            .finish()
    }
}

impl KnownToken {
    /// Looks `token` up; `None` when the store fails (the extractor tries again).
    pub(crate) fn look_up(state: &AppState, token: String) -> Option<Self> {
        let row = state.store.token(&token).ok()?;
        Some(Self { token, row })
    }
}

/// The caller a token stands for; `None` when the server never issued it.
fn resolve(state: &AppState, token: &str, parts: &Parts) -> Result<Option<Caller>> {
    let known = parts
        .extensions
        .get::<KnownToken>()
        .filter(|known| known.token == token);
    let row = match known {
        Some(known) => known.row.clone(),
        None => state.store.token(token)?,
    };
    let row = match row {
        Some((row, false)) => row,
        // Doorkeeper tells a revoked token from one it never issued.
        Some((_, true)) => {
            return Err(Failure::api(
                StatusCode::UNAUTHORIZED,
                api_text::REVOKED_TOKEN,
            ));
        }
        None => return Ok(None),
    };
    let account = match &row.account_id {
        Some(id) => Some(state.store.account(id)?.ok_or_else(Failure::unauthorized)?),
        None => None,
    };
    let scopes = Scopes::parse(&row.scopes).unwrap_or_else(|_| Scopes::read());
    Ok(Some(Caller {
        token: row,
        account,
        scopes,
    }))
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self> {
        match bearer(&parts.headers, &parts.uri) {
            Some(Some(token)) => resolve(state, &token, parts)?.ok_or_else(Failure::unauthorized),
            _ => Err(Failure::unauthorized()),
        }
    }
}

impl FromRequestParts<Arc<AppState>> for MaybeCaller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self> {
        // As Mastodon's `authorize_if_got_token!`: a token the server never issued, or
        // an Authorization header that holds none, reads as no token at all; a
        // revoked one is refused.
        match bearer(&parts.headers, &parts.uri) {
            Some(Some(token)) => resolve(state, &token, parts).map(Self),
            None | Some(None) => Ok(Self(None)),
        }
    }
}

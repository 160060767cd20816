//! `POST /api/v1/apps`, `GET /api/v1/apps/verify_credentials`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use tootkit::entities::{Application, CredentialApplication};
use tootkit::{ClientSecret, Scopes};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{Failure, Result};
use crate::params::Params;
use crate::secrets::{digest, random_token};
use crate::store::AppRow;

/// Mastodon's limits on application fields (the name's, which the library checks
/// before sending, is its `MAX_APP_NAME_CHARS`).
const MAX_NAME: usize = tootkit::apps::MAX_APP_NAME_CHARS;
const MAX_URI: usize = 2_000;

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    params: Params,
) -> Result<Json<serde_json::Value>> {
    // Every invalid field is named, in one sentence, as Rails joins its errors, in the
    // order the model declares its validations: Doorkeeper's, then Mastodon's lengths.
    let mut invalid: Vec<String> = Vec::new();
    let name = params.text("client_name").unwrap_or_default();
    let name = name.trim();
    if name.is_empty() {
        invalid.push("Application name can't be blank".to_owned());
    }
    // One string with URIs separated by whitespace (Doorkeeper splits it), or (since
    // 4.3) a list, which Mastodon joins with newlines.
    let given = if state.before_4_3 {
        params.text("redirect_uris").into_iter().collect()
    } else {
        params.list("redirect_uris")
    };
    let redirect_uris: Vec<String> = given
        .iter()
        .flat_map(|v| v.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    if redirect_uris.is_empty() {
        invalid.push("Redirect URI can't be blank".to_owned());
    }
    for problem in redirect_uri_problems(&redirect_uris) {
        invalid.push(format!("Redirect URI {problem}"));
    }
    let scopes_text = params.text("scopes").unwrap_or_else(|| "read".to_owned());
    let scopes = match crate::routes::oauth::server_scopes(&state, &scopes_text) {
        Ok(scopes) if scopes.is_empty() => Scopes::read(),
        Ok(scopes) => scopes,
        Err(_) => {
            invalid.push("Scopes doesn't match configured on the server.".to_owned());
            Scopes::read()
        }
    };
    if name.chars().count() > MAX_NAME {
        invalid.push(format!(
            "Application name is too long (maximum is {MAX_NAME} characters)"
        ));
    }
    if given.join("\n").chars().count() > MAX_URI {
        invalid.push(format!(
            "Redirect URI is too long (maximum is {MAX_URI} characters)"
        ));
    }
    let website = params.text("website").filter(|w| !w.trim().is_empty());
    if let Some(website) = &website {
        if !url::Url::parse(website).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
            invalid.push("Application website is invalid".to_owned());
        }
        if website.chars().count() > MAX_URI {
            invalid.push(format!(
                "Application website is too long (maximum is {MAX_URI} characters)"
            ));
        }
    }
    if !invalid.is_empty() {
        return Err(Failure::validation(format!(
            "Validation failed: {}",
            invalid.join(", ")
        )));
    }
    let client_secret = random_token();
    let app = AppRow {
        id: state.store.next_id(),
        name: name.to_owned(),
        website: website.clone(),
        scopes: scopes.to_string(),
        redirect_uris: redirect_uris.clone(),
        client_id: random_token(),
        client_secret_digest: digest(&client_secret),
    };
    state.store.insert_app(&app)?;
    Ok(Json(shaped(
        &state,
        &CredentialApplication {
            application: application_entity(&app),
            client_id: app.client_id,
            client_secret: ClientSecret::new(client_secret),
            client_secret_expires_at: Some(0),
        },
    )?))
}

/// An application as JSON in the shape of the version the sandbox answers as: before
/// 4.3, Mastodon sent neither `scopes` nor `redirect_uris` (nor the secret's expiry).
fn shaped(state: &AppState, app: &impl serde::Serialize) -> Result<serde_json::Value> {
    let since_4_3: &[&str] = if state.before_4_3 {
        &["scopes", "redirect_uris", "client_secret_expires_at"]
    } else {
        &[]
    };
    super::json_without(app, since_4_3)
}

pub(crate) async fn verify_credentials(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> Result<Json<serde_json::Value>> {
    let app = state
        .store
        .app(&caller.token.app_id)?
        .ok_or_else(Failure::unauthorized)?;
    Ok(Json(shaped(&state, &application_entity(&app))?))
}

fn application_entity(app: &AppRow) -> Application {
    Application {
        id: Some(app.id.clone()),
        name: app.name.clone(),
        website: app.website.clone(),
        scopes: app.scopes.split_whitespace().map(str::to_owned).collect(),
        redirect_uris: app.redirect_uris.clone(),
        redirect_uri: Some(app.redirect_uris.join("\n")),
        vapid_key: Some(String::new()),
    }
}

/// What Doorkeeper's `RedirectUriValidator` says of the URIs, in its words and order:
/// each URI's errors in turn, read as Ruby's RFC 3986 parser reads them; one it cannot
/// parse ends the check there.
fn redirect_uri_problems(uris: &[String]) -> Vec<&'static str> {
    let mut problems = Vec::new();
    for uri in uris {
        if uri == tootkit::OOB_REDIRECT_URI {
            continue;
        }
        let Some(parsed) = RubyUri::parse(uri) else {
            problems.push("must be a valid URI.");
            break;
        };
        let scheme = parsed.scheme.map(str::to_ascii_lowercase);
        // Mastodon's `forbid_redirect_uri`.
        if scheme
            .as_deref()
            .is_some_and(|s| matches!(s, "data" | "vbscript" | "javascript"))
        {
            problems.push("is forbidden by the server.");
        }
        if parsed.fragment {
            problems.push("cannot contain a fragment.");
        }
        // `localhost:8080/cb` reads as the scheme `localhost` and an opaque part.
        if parsed.opaque || scheme.as_deref() == Some("localhost") {
            problems.push("must specify a scheme.");
        }
        if scheme.is_none() && parsed.host.is_none() {
            problems.push("must be an absolute URI.");
        }
        if matches!(scheme.as_deref(), Some("http" | "https"))
            && parsed.host.is_none_or(str::is_empty)
        {
            problems.push("must be a valid URI.");
        }
    }
    problems
}

/// A URI as far as the redirect checks need it, split as RFC 3986 (and Ruby's `URI`)
/// splits one.
struct RubyUri<'a> {
    scheme: Option<&'a str>,
    /// `scheme:rest` with no `/` after the colon (`urn:x`, `mailto:a@b`).
    opaque: bool,
    /// The authority's host, when there is an authority (`//…`).
    host: Option<&'a str>,
    fragment: bool,
}

impl<'a> RubyUri<'a> {
    fn parse(uri: &'a str) -> Option<Self> {
        // Characters RFC 3986 never allows, a `%` that escapes nothing, a second `#`.
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c);
        let escapes_well = uri.match_indices('%').all(|(at, _)| {
            uri.get(at + 1..at + 3)
                .is_some_and(|hex| hex.chars().all(|c| c.is_ascii_hexdigit()))
        });
        if !uri.chars().all(allowed) || !escapes_well || uri.matches('#').count() > 1 {
            return None;
        }
        let (scheme, rest) = match uri.find(':') {
            Some(colon) if !uri[..colon].contains(['/', '?', '#']) => {
                let scheme = &uri[..colon];
                let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
                if !valid {
                    return None;
                }
                (Some(scheme), &uri[colon + 1..])
            }
            _ => (None, uri),
        };
        let opaque = scheme.is_some() && !rest.is_empty() && !rest.starts_with('/');
        let (authority, after_authority) = match rest.strip_prefix("//") {
            Some(after) => {
                let end = after.find(['/', '?', '#']).unwrap_or(after.len());
                (Some(&after[..end]), &after[end..])
            }
            None => (None, rest),
        };
        // Brackets belong around an IPv6 host alone.
        if after_authority.contains(['[', ']']) {
            return None;
        }
        let host = match authority {
            None => None,
            Some(authority) => {
                // One user part at most, then a host and a port of digits.
                let mut at = authority.split('@');
                let host_port = match (at.next(), at.next(), at.next()) {
                    (Some(host_port), None, _) | (Some(_), Some(host_port), None) => host_port,
                    _ => return None,
                };
                let (host, port) = match host_port.strip_prefix('[') {
                    Some(v6) => {
                        let (host, after) = v6.split_once(']')?;
                        (
                            host,
                            after.strip_prefix(':').or(after.is_empty().then_some(""))?,
                        )
                    }
                    None => host_port.split_once(':').unwrap_or((host_port, "")),
                };
                if host.contains(['[', ']']) || !port.chars().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                Some(host)
            }
        };
        Some(Self {
            scheme,
            opaque,
            host,
            fragment: uri.contains('#'),
        })
    }
}

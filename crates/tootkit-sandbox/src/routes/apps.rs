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

/// Mastodon's limits on application fields.
const MAX_NAME: usize = 60;
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
    if let Some(problem) = redirect_uris
        .iter()
        .find_map(|uri| redirect_uri_problem(uri))
    {
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

/// What Doorkeeper's redirect URI validator says of `uri`, if anything, in its words.
fn redirect_uri_problem(uri: &str) -> Option<String> {
    let Ok(parsed) = url::Url::parse(uri) else {
        return Some("must be an absolute URI.".to_owned());
    };
    if parsed.fragment().is_some() {
        return Some("cannot contain a fragment.".to_owned());
    }
    if matches!(parsed.scheme(), "data" | "vbscript" | "javascript") {
        return Some("is forbidden by the server.".to_owned());
    }
    // `localhost:8080/cb` reads as the scheme `localhost`, with no `//` after it.
    if parsed.cannot_be_a_base() && parsed.scheme() != "urn" {
        return Some("must specify a scheme.".to_owned());
    }
    None
}

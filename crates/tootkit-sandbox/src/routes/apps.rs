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
    let name = params.text("client_name").unwrap_or_default();
    let name = name.trim();
    if name.is_empty() {
        return Err(Failure::validation(
            "Validation failed: Application name can't be blank",
        ));
    }
    if name.chars().count() > MAX_NAME {
        return Err(Failure::validation(format!(
            "Validation failed: Application name is too long (maximum is {MAX_NAME} characters)"
        )));
    }
    // One string with URIs separated by newlines, or (since 4.3) a list.
    let given = if state.before_4_3 {
        params.text("redirect_uris").into_iter().collect()
    } else {
        params.list("redirect_uris")
    };
    let redirect_uris: Vec<String> = given
        .iter()
        .flat_map(|v| {
            v.split(['\n', '\r'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    if redirect_uris.is_empty() {
        return Err(Failure::validation(
            "Validation failed: Redirect URI can't be blank",
        ));
    }
    for uri in &redirect_uris {
        let parsed = url::Url::parse(uri).map_err(|_| {
            Failure::validation("Validation failed: Redirect URI must be an absolute URI.")
        })?;
        if uri.len() > MAX_URI {
            return Err(Failure::validation(format!(
                "Validation failed: Redirect URI is too long (maximum is {MAX_URI} characters)"
            )));
        }
        if matches!(parsed.scheme(), "data" | "vbscript" | "javascript")
            || parsed.fragment().is_some()
        {
            return Err(Failure::validation(
                "Validation failed: Redirect URI is forbidden by the server.",
            ));
        }
    }
    let scopes_text = params.text("scopes").unwrap_or_else(|| "read".to_owned());
    let scopes = match crate::routes::oauth::server_scopes(&state, &scopes_text) {
        Ok(scopes) if scopes.is_empty() => Scopes::read(),
        Ok(scopes) => scopes,
        Err(unknown) => {
            return Err(Failure::validation(format!(
                "Validation failed: Scopes doesn't match configured on the server ({unknown})"
            )));
        }
    };
    let website = params.text("website");
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

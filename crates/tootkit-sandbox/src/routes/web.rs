//! The public web pages behind the addresses the API hands out: an account's profile
//! (`/@user`) and a status (`/@user/:id`), and the default images an account without
//! its own points to. A bot that prints its post's URL links to something a person
//! can open.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::page_response;
use crate::AppState;
use crate::error::{Failure, Result};
use crate::pages::{self, ShownStatus};
use crate::store::StatusRow;

/// How many statuses a profile page shows, newest first.
const PROFILE_STATUSES: usize = 20;

/// `GET /@:username`: the account and its latest public and unlisted statuses.
pub(crate) async fn profile(
    State(state): State<Arc<AppState>>,
    Path(handle): Path<String>,
) -> Result<Response> {
    let account = local_account(&state, &handle)?;
    let rows = state
        .store
        .account_statuses(&account.id, (None, None, None), PROFILE_STATUSES)?;
    let mut shown = Vec::with_capacity(rows.len());
    for row in &rows {
        if state.can_see(row, None)? {
            shown.push(shown_status(&state, row)?);
        }
    }
    let entity = state.account_entity(&account, false)?;
    Ok(page_response(pages::profile_page(
        &entity.display_name,
        &entity.acct,
        &shown,
    )))
}

/// `GET /@:username/:id`: one status, if anyone may see it.
pub(crate) async fn status(
    State(state): State<Arc<AppState>>,
    Path((handle, id)): Path<(String, String)>,
) -> Result<Response> {
    let account = local_account(&state, &handle)?;
    let row = state
        .store
        .status(&id)?
        .filter(|row| row.account_id == account.id)
        .ok_or_else(not_found_page)?;
    if !state.can_see(&row, None)? {
        return Err(not_found_page());
    }
    Ok(page_response(pages::status_page(&shown_status(
        &state, &row,
    )?)))
}

/// `GET /avatars/original/missing.png` and the other default images: one grey pixel,
/// the colour of Mastodon's.
pub(crate) async fn default_image() -> Response {
    const GREY_PIXEL_PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xb8,
        0xf9, 0xf0, 0x05, 0x00, 0x05, 0x39, 0x02, 0xa3, 0xf9, 0x7c, 0x66, 0x3a, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    let mut response = GREY_PIXEL_PNG.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}

/// The local account a `@user` segment names.
fn local_account(state: &AppState, handle: &str) -> Result<crate::store::AccountRow> {
    let username = handle.strip_prefix('@').ok_or_else(not_found_page)?;
    state
        .store
        .account_by_username(username)?
        .ok_or_else(not_found_page)
}

fn shown_status(state: &AppState, row: &StatusRow) -> Result<ShownStatus> {
    let status = state.status_entity(row, false)?;
    Ok(ShownStatus {
        author: status.account.display_name.clone(),
        acct: status.account.acct.clone(),
        url: status.url.clone().unwrap_or(status.uri.clone()),
        content_html: status.content,
        spoiler_text: status.spoiler_text,
        created_at: status
            .created_at
            .map(|at| format!("{} {:02}:{:02} UTC", at.date(), at.hour(), at.minute()))
            .unwrap_or_default(),
    })
}

fn not_found_page() -> Failure {
    Failure::page(
        axum::http::StatusCode::NOT_FOUND,
        "Not found",
        "There is nothing here, or nothing you may see without signing in.",
    )
}

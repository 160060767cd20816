//! The public web pages behind the addresses the API hands out: an account's profile
//! (`/@user`), a status (`/@user/:id`), a hashtag's posts (`/tags/:name`), the
//! ActivityPub addresses in `uri` (`/ap/users/:id…` as Mastodon 4.6 writes them, and
//! the older `/users/:name…`, sent on to the pages, as Mastodon does for a browser),
//! and the default images an account without its own points to.
//! A bot that prints its post's URL links to something a person can open.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::{PagePath, found, page_response};
use crate::AppState;
use crate::error::{Failure, Result};
use crate::pages::{self, ShownStatus};

/// How many statuses a profile or tag page shows, newest first.
const PAGE_STATUSES: usize = 20;

/// How many of the latest statuses a tag page looks through.
const TAG_PAGE_SCAN: usize = 400;

/// `GET /@:username`: the account and its latest public and unlisted statuses.
pub(crate) async fn profile(
    State(state): State<Arc<AppState>>,
    PagePath(handle): PagePath<String>,
) -> Result<Response> {
    let account = local_account(&state, &handle)?;
    let rows = state
        .store
        .account_statuses(&account.id, (None, None, None), PAGE_STATUSES)?;
    let mut shown = Vec::with_capacity(rows.len());
    for row in &rows {
        if state.can_see(row, None)? {
            shown.push(shown_status(state.status_entity(row, None, false)?));
        }
    }
    let entity = state.account_entity(&account, false)?;
    Ok(page_response(pages::profile_page(
        shown_name(&entity.display_name, &entity.username),
        &entity.acct,
        &shown,
    )))
}

/// `GET /@:username/:id`: one status, if anyone may see it.
pub(crate) async fn status(
    State(state): State<Arc<AppState>>,
    PagePath((handle, id)): PagePath<(String, String)>,
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
        state.status_entity(&row, None, false)?,
    ))))
}

/// `GET /about`, a page the instance description names.
pub(crate) async fn about() -> Response {
    super::page_response(pages::message_page(
        "About this sandbox",
        "A tootkit sandbox: a Mastodon-compatible instance on this machine, for trying bots offline.",
    ))
}

/// `GET /privacy-policy`, the other page the instance description names.
pub(crate) async fn privacy_policy() -> Response {
    super::page_response(pages::message_page(
        "Privacy policy",
        "This sandbox keeps what it is given in a database on this machine (or in memory) and sends nothing anywhere.",
    ))
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

/// `GET /tags/:name`: the latest public posts filed under the tag.
pub(crate) async fn tag(
    State(state): State<Arc<AppState>>,
    PagePath(name): PagePath<String>,
) -> Result<Response> {
    let filed = tootkit::text::normalize_hashtag(&name);
    let mut shown = Vec::new();
    for row in state.store.recent_statuses(TAG_PAGE_SCAN)? {
        if shown.len() == PAGE_STATUSES {
            break;
        }
        // Mastodon's tag pages show public posts only, not unlisted ones.
        if row.visibility != "public" {
            continue;
        }
        let status = state.status_entity(&row, None, false)?;
        if status.tags.iter().any(|tag| tag.name == filed) {
            shown.push(shown_status(status));
        }
    }
    Ok(page_response(pages::tag_page(&filed, &shown)))
}

/// `GET /users/:name` and `/users/:name/statuses/:id`, the `uri` of an account and of
/// a status: sent on to their pages.
pub(crate) async fn activitypub_account(PagePath(name): PagePath<String>) -> Response {
    found(&format!("/@{}", segment(&name)))
}

/// See [`activitypub_account`].
pub(crate) async fn activitypub_status(
    PagePath((name, id)): PagePath<(String, String)>,
) -> Response {
    found(&format!("/@{}/{}", segment(&name), segment(&id)))
}

/// `GET /ap/users/:id` and `/ap/users/:id/statuses/:id`, the `uri`s Mastodon 4.6 hands
/// out (by the account's ID, which a rename does not change): sent on to their pages.
pub(crate) async fn activitypub_account_by_id(
    State(state): State<Arc<AppState>>,
    PagePath(id): PagePath<String>,
) -> Result<Response> {
    let account = state.store.account(&id)?.ok_or_else(Failure::not_found)?;
    Ok(found(&format!("/@{}", segment(&account.username))))
}

/// See [`activitypub_account_by_id`].
pub(crate) async fn activitypub_status_by_id(
    State(state): State<Arc<AppState>>,
    PagePath((id, status)): PagePath<(String, String)>,
) -> Result<Response> {
    let account = state.store.account(&id)?.ok_or_else(Failure::not_found)?;
    Ok(found(&format!(
        "/@{}/{}",
        segment(&account.username),
        segment(&status)
    )))
}

/// A path segment as written in a URL: anything but letters and digits escaped.
fn segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The local account a `@user` segment names. A segment without `@` is no page of
/// the sandbox's: the JSON 404 of every path it does not serve.
fn local_account(state: &AppState, handle: &str) -> Result<crate::store::AccountRow> {
    let username = handle.strip_prefix('@').ok_or_else(Failure::nothing_here)?;
    state
        .store
        .account_by_username(username)?
        .ok_or_else(not_found_page)
}

fn shown_status(status: tootkit::Status) -> ShownStatus {
    ShownStatus {
        author: shown_name(&status.account.display_name, &status.account.username).to_owned(),
        acct: status.account.acct.clone(),
        url: status.url.clone().unwrap_or(status.uri.clone()),
        content_html: status.content,
        spoiler_text: status.spoiler_text,
        created_at: status
            .created_at
            .map(|at| format!("{} {:02}:{:02} UTC", at.date(), at.hour(), at.minute()))
            .unwrap_or_default(),
    }
}

/// The name a page shows for an account: its display name, else its user name, as
/// Mastodon does.
fn shown_name<'a>(display_name: &'a str, username: &'a str) -> &'a str {
    if display_name.trim().is_empty() {
        username
    } else {
        display_name
    }
}

fn not_found_page() -> Failure {
    Failure::page(
        axum::http::StatusCode::NOT_FOUND,
        "Not found",
        "There is nothing here, or nothing public (these pages show public posts only); check the address.",
    )
}

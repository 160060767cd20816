//! `POST /api/v1/statuses`, `GET` and `DELETE /api/v1/statuses/:id`, with Mastodon's
//! validations and `Idempotency-Key`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use tootkit::Status;
use tootkit::text::{as_posted, is_blank, status_length};

use super::PathParam;
use crate::AppState;
use crate::auth::{Caller, MaybeCaller};
use crate::error::{Failure, Result};
use crate::params::Params;
use crate::rate_limits::StatusesSpent;
use crate::store::{Keyed, NewStatus, StatusRow};

const VISIBILITIES: &[&str] = &["public", "unlisted", "private", "direct"];
/// The language of a status that names none: Mastodon's default locale.
const DEFAULT_LANGUAGE: &str = "en";
/// Who may quote a status that says nothing of it: an account's default (a new
/// account's, which every sandbox account keeps), anyone.
pub(crate) const DEFAULT_QUOTE_POLICY: &str = "public";

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    spent: Option<Extension<StatusesSpent>>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response> {
    caller.require_any(&["write:statuses"])?;
    let account = caller.user()?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    // As the controller's `set_thread`, before anything else: the status to reply to
    // must be there and visible.
    let in_reply_to = match params.text("in_reply_to_id") {
        Some(id) => {
            let parent = match state.store.status(&id)? {
                Some(parent) if state.can_see(&parent, Some(&account.id))? => parent,
                _ => {
                    return Err(Failure::api(
                        StatusCode::NOT_FOUND,
                        "The post you are trying to reply to does not appear to exist.",
                    ));
                }
            };
            // As `Status#carried_over_reply_to_account_id`: a reply to one's own
            // reply is still addressed to whom the thread answers, so that a thread
            // continued under someone's post stays a reply to them.
            let addressee = match parent.in_reply_to_account_id {
                Some(theirs) if parent.account_id == account.id => theirs,
                _ => parent.account_id,
            };
            Some((parent.id, addressee))
        }
        None => None,
    };
    // Who may quote it, which the controller reads before the service runs: one of
    // three words, else Mastodon's bare `RecordInvalid`; none, the account's default.
    let quote_policy = match params.text("quote_approval_policy").as_deref() {
        None => DEFAULT_QUOTE_POLICY,
        Some(policy @ ("public" | "followers" | "nobody")) => policy,
        Some(_) => {
            return Err(Failure::api(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Record invalid",
            ));
        }
    }
    .to_owned();
    // As PostStatusService: a key seen within the hour answers with its status before
    // the rest of the request is looked at (a 404 once that status is deleted).
    if let Some(key) = key {
        match state.store.status_for_key(&account.id, key)? {
            Keyed::Posted(earlier) => {
                return Ok(
                    Json(state.status_entity(&earlier, Some(&account.id), false)?).into_response(),
                );
            }
            Keyed::Deleted => return Err(Failure::not_found()),
            Keyed::Unknown => {}
        }
    }
    let text = params.text("status").unwrap_or_default();
    let spoiler_text = params.text("spoiler_text").unwrap_or_default();
    if !params.list("media_ids").is_empty() {
        return Err(Failure::validation(
            "Validation failed: The tootkit sandbox does not store media yet",
        ));
    }
    if params.present("poll")
        || params.present("scheduled_at")
        || params.present("quoted_status_id")
    {
        return Err(Failure::validation(
            "Validation failed: The tootkit sandbox does not support polls, scheduled posts or quotes yet",
        ));
    }
    // As PostStatusService: a warning that is not blank (Ruby's `present?`, Unicode
    // spaces included) makes the status sensitive; a warning alone becomes the text.
    let sensitive = params.flag("sensitive").unwrap_or(false) || !is_blank(&spoiler_text);
    let (text, spoiler_text) = as_posted(&text, &spoiler_text);
    if is_blank(text) {
        return Err(Failure::validation(
            "Validation failed: Text can't be blank",
        ));
    }
    let length = status_length(text, spoiler_text, state.limits);
    if length > state.limits.max_characters {
        return Err(Failure::validation(format!(
            "Validation failed: Text character limit of {} exceeded",
            state.limits.max_characters
        )));
    }
    let visibility = params
        .text("visibility")
        .unwrap_or_else(|| "public".to_owned());
    if !VISIBILITIES.contains(&visibility.as_str()) {
        return Err(Failure::validation(
            "Validation failed: Visibility is not included in the list",
        ));
    }
    // Mastodon falls back to a default rather than refusing a language it does not
    // know, and files a regional one under its language (`pt-BR` as `pt`).
    let language = params
        .text("language")
        .and_then(|asked| tootkit::text::mastodon_language(&asked))
        .unwrap_or(DEFAULT_LANGUAGE)
        .to_owned();
    // As Mastodon's `statuses` RateLimiter, which a status meets once it is valid.
    if spent.is_some() {
        return Err(Failure::api(
            StatusCode::TOO_MANY_REQUESTS,
            crate::error::api_text::TOO_MANY_REQUESTS,
        ));
    }
    let text = state.with_canonical_mentions(text)?;
    let (row, created) = state.store.post_status(
        &NewStatus {
            account_id: &account.id,
            app_id: Some(&caller.token.app_id),
            text: &text,
            spoiler_text,
            visibility: &visibility,
            sensitive,
            language: Some(&language),
            in_reply_to: in_reply_to
                .as_ref()
                .map(|(id, account)| (id.as_str(), account.as_str())),
            quote_policy: &quote_policy,
        },
        key,
    )?;
    let mut response = Json(state.status_entity(&row, Some(&account.id), false)?).into_response();
    if created {
        // Counted against the account's statuses by the rate limits, as Mastodon counts
        // only the statuses it makes.
        response
            .extensions_mut()
            .insert(crate::rate_limits::StatusCreated);
    }
    Ok(response)
}

impl AppState {
    /// Whether `viewer` (an account ID, or nobody) may see a status: anyone a public or
    /// unlisted one, its author any, and the accounts it mentions a private or direct
    /// one (the sandbox has no followers, who see private statuses on Mastodon).
    pub(crate) fn can_see(&self, status: &StatusRow, viewer: Option<&str>) -> Result<bool> {
        if matches!(status.visibility.as_str(), "public" | "unlisted")
            || viewer == Some(status.account_id.as_str())
        {
            return Ok(true);
        }
        let Some(viewer) = viewer else {
            return Ok(false);
        };
        let mentioned = self.local_mentions(&status.text)?;
        Ok(mentioned.iter().any(|(_, account)| account.id == viewer))
    }
}

pub(crate) async fn show(
    State(state): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
) -> Result<Json<Status>> {
    if let Some(caller) = &caller {
        caller.require_any(&["read:statuses"])?;
    }
    let viewer = caller
        .as_ref()
        .and_then(|c| c.account.as_ref())
        .map(|a| a.id.as_str());
    match state.store.status(&id)? {
        Some(row) if state.can_see(&row, viewer)? => {
            Ok(Json(state.status_entity(&row, viewer, false)?))
        }
        // As recorded from Mastodon 4.6 (`GET /api/v1/statuses/0`).
        _ => Err(Failure::nothing_here()),
    }
}

pub(crate) async fn delete(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    PathParam(id): PathParam<String>,
) -> Result<Json<serde_json::Value>> {
    caller.require_any(&["write:statuses"])?;
    let account = caller.user()?;
    let row = state
        .store
        .status(&id)?
        .filter(|row| row.account_id == account.id)
        .ok_or_else(Failure::not_found)?;
    let entity = state.status_entity(&row, Some(&account.id), true)?;
    state.store.delete_status(&row.id)?;
    // Mastodon answers with the source (`text`, for "delete and redraft") in place of
    // the HTML: `content` is left out, not empty.
    Ok(Json(super::json_without(&entity, &["content"])?))
}

//! `GET /api/v1/accounts/verify_credentials`, `/api/v1/accounts/lookup`,
//! `/api/v1/accounts/:id` and its statuses.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tootkit::Account;

use crate::AppState;
use crate::auth::{Caller, MaybeCaller};
use crate::error::{Failure, Result};
use crate::params::Params;

pub(crate) async fn verify_credentials(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> Result<Json<Account>> {
    caller.require_any(&["read:accounts", "profile"])?;
    let account = caller.user()?;
    Ok(Json(state.account_entity(account, true)?))
}

pub(crate) async fn show(
    State(state): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Path(id): Path<String>,
) -> Result<Json<Account>> {
    if let Some(caller) = &caller {
        caller.require_any(&["read:accounts"])?;
    }
    let account = state.store.account(&id)?.ok_or_else(Failure::not_found)?;
    Ok(Json(state.account_entity(&account, false)?))
}

/// `GET /api/v1/accounts/lookup?acct=`: a local account by `user` or `user@domain`
/// (the sandbox knows no other server's).
pub(crate) async fn lookup(
    State(state): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    query: Params,
) -> Result<Json<Account>> {
    if let Some(caller) = &caller {
        caller.require_any(&["read:accounts"])?;
    }
    let acct = query.text("acct").unwrap_or_default();
    let acct = acct.trim().trim_start_matches('@');
    let (username, domain) = match acct.split_once('@') {
        Some((username, domain)) => (username, Some(domain)),
        None => (acct, None),
    };
    let account = state
        .local_account(username, domain)?
        .ok_or_else(Failure::not_found)?;
    Ok(Json(state.account_entity(&account, false)?))
}

pub(crate) async fn statuses(
    State(state): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    Path(id): Path<String>,
    page: Params,
) -> Result<Response> {
    if let Some(caller) = &caller {
        caller.require_any(&["read:statuses"])?;
    }
    let account = state.store.account(&id)?.ok_or_else(Failure::not_found)?;
    let viewer = caller
        .as_ref()
        .and_then(|c| c.account.as_ref())
        .map(|a| a.id.clone());
    // Mastodon: 20 by default, at most 40.
    let limit = page
        .text("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 40);
    // Statuses the viewer may not see are skipped in the store's order until a page is
    // full, so a run of hidden ones neither shortens the page nor ends the paging.
    // IDs are decimal Snowflakes, compared as integers; one that is not a number bounds
    // nothing.
    let bound = |name: &str| page.text(name).and_then(|id| id.parse::<i64>().ok());
    let (mut max_id, since_id, mut min_id) = (bound("max_id"), bound("since_id"), bound("min_id"));
    let ascending = min_id.is_some();
    let mut rows = Vec::with_capacity(limit);
    'pages: loop {
        let batch = state
            .store
            .account_statuses(&account.id, (max_id, since_id, min_id), limit)?;
        let exhausted = batch.len() < limit;
        let Some(furthest) = batch.last().and_then(|row| row.id.parse::<i64>().ok()) else {
            break;
        };
        for row in batch {
            if state.can_see(&row, viewer.as_deref())? {
                rows.push(row);
                if rows.len() == limit {
                    break 'pages;
                }
            }
        }
        if exhausted {
            break;
        }
        if ascending {
            min_id = Some(furthest);
        } else {
            max_id = Some(furthest);
        }
    }
    if ascending {
        rows.reverse();
    }
    let statuses = rows
        .iter()
        .map(|row| state.status_entity(row, viewer.as_deref(), false))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mut response = Json(statuses).into_response();
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        let base = format!("{}/api/v1/accounts/{}/statuses", state.base_url, account.id);
        let link = format!(
            "<{base}?limit={limit}&max_id={}>; rel=\"next\", <{base}?limit={limit}&min_id={}>; rel=\"prev\"",
            last.id, first.id
        );
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

//! `GET /api/v1/accounts/verify_credentials`, `/api/v1/accounts/lookup`,
//! `/api/v1/accounts/:id` and its statuses.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tootkit::Account;

use super::PathParam;
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
    PathParam(id): PathParam<String>,
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

/// The parameters a page's links carry on, as Mastodon's `pagination_params`.
const PAGE_PARAMETERS: [&str; 6] = [
    "limit",
    "only_media",
    "exclude_replies",
    "exclude_reblogs",
    "pinned",
    "tagged",
];

pub(crate) async fn statuses(
    State(state): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
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
    // Mastodon: 20 by default, at most 40, read as Ruby's `to_i.abs` reads it (a
    // negative one as positive, one that is no number as 0, which finds nothing).
    let limit = page
        .integer("limit")
        .map_or(20, |l| l.unsigned_abs().min(40) as usize);
    // The filters Mastodon's AccountStatusesFilter applies. Nothing is pinned and no
    // status has media here, so those two find nothing; replies to others go with
    // exclude_replies (a thread of one's own stays); `tagged` keeps what holds the tag.
    let flag = |name: &str| page.flag(name).unwrap_or(false);
    let finds_nothing = flag("pinned") || flag("only_media");
    let exclude_replies = flag("exclude_replies");
    let tagged = page
        .text("tagged")
        .map(|tag| tootkit::text::normalize_hashtag(tag.trim_start_matches('#')));
    let wanted = |row: &crate::store::StatusRow| {
        let replies_to_another = row
            .in_reply_to_account_id
            .as_ref()
            .is_some_and(|to| *to != row.account_id);
        !(exclude_replies && replies_to_another)
            && tagged.as_ref().is_none_or(|tag| {
                tootkit::text::extract_hashtags(&row.text)
                    .iter()
                    .any(|found| tootkit::text::normalize_hashtag(found.name()) == *tag)
            })
    };
    // Statuses the viewer may not see are skipped in the store's order until a page is
    // full, so a run of hidden ones neither shortens the page nor ends the paging.
    // IDs are decimal Snowflakes, compared as integers; one that is not a number bounds
    // nothing.
    let bound = |name: &str| page.text(name).and_then(|id| id.parse::<i64>().ok());
    let (mut max_id, since_id, mut min_id) = (bound("max_id"), bound("since_id"), bound("min_id"));
    let ascending = min_id.is_some();
    if finds_nothing || limit == 0 {
        return Ok(Json(Vec::<tootkit::Status>::new()).into_response());
    }
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
            if wanted(&row) && state.can_see(&row, viewer.as_deref())? {
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
        // As Mastodon's pagination_params: the parameters given, the bound replaced.
        let kept: Vec<(&str, String)> = PAGE_PARAMETERS
            .iter()
            .filter_map(|&name| page.text(name).map(|value| (name, value)))
            .collect();
        let link_to = |bound: &str, id: &str| {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(kept.iter().map(|(name, value)| (*name, value.as_str())))
                .append_pair(bound, id)
                .finish();
            format!(
                "<{}/api/v1/accounts/{}/statuses?{query}>",
                state.base_url, account.id
            )
        };
        // A next page only after a full one, as Mastodon's `records_continue?`.
        let mut links = Vec::new();
        if rows.len() == limit {
            links.push(format!("{}; rel=\"next\"", link_to("max_id", &last.id)));
        }
        links.push(format!("{}; rel=\"prev\"", link_to("min_id", &first.id)));
        if let Ok(value) = HeaderValue::from_str(&links.join(", ")) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

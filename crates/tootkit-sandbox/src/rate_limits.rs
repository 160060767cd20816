//! Mastodon's rate limits (Rack::Attack's throttles and the `statuses` RateLimiter): a
//! bot that works here paces itself as a real instance will make it, and sees the same
//! `X-RateLimit-*` headers and 429 answers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use crate::AppState;
use crate::auth::KnownToken;
use crate::error::{Failure, api_text};

/// One of Mastodon's limits: so many requests in a window of so many seconds, the
/// windows aligned on multiples of the period as Rack::Attack aligns them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Throttle {
    name: &'static str,
    limit: u32,
    period_seconds: i64,
}

/// Every API request made with a token, per token: 300 in 5 minutes.
const API_PER_TOKEN: Throttle = Throttle {
    name: "api per token",
    limit: 300,
    period_seconds: 5 * 60,
};
/// Every API request made with a user's tokens, per user: 1,500 in 5 minutes.
const API_PER_USER: Throttle = Throttle {
    name: "api per user",
    limit: 1_500,
    period_seconds: 5 * 60,
};
/// Every API request made without a user (no token, an application's token, one that
/// is no token), per address: 300 in 5 minutes.
const API_PER_ADDRESS: Throttle = Throttle {
    name: "api per address",
    limit: 300,
    period_seconds: 5 * 60,
};
/// Statuses posted, per account: 300 in 3 hours (Mastodon's `statuses` RateLimiter,
/// which counts only the statuses made).
const STATUSES: Throttle = Throttle {
    name: "statuses",
    limit: tootkit::text::COUNTED_PARTS as u32,
    period_seconds: 3 * 60 * 60,
};
/// Statuses deleted, per account: 30 in 30 minutes.
const DELETES: Throttle = Throttle {
    name: "deletes",
    limit: 30,
    period_seconds: 30 * 60,
};
/// Applications registered, per address: 5 in 10 minutes.
const APPS: Throttle = Throttle {
    name: "apps",
    limit: 5,
    period_seconds: 10 * 60,
};

/// The requests counted in each window, by throttle and caller.
#[derive(Debug, Default)]
pub(crate) struct RateLimits {
    counts: Mutex<HashMap<(Throttle, String), (i64, u32)>>,
}

/// Where a caller stands against one throttle.
struct Standing {
    throttle: Throttle,
    used: u32,
    reset: i64,
}

impl RateLimits {
    /// How many of `throttle`'s requests `caller` has used in the window holding
    /// `now` (Unix seconds), counting this one when `count` says so.
    fn standing(&self, throttle: Throttle, caller: &str, now: i64, count: bool) -> Standing {
        let window = now.div_euclid(throttle.period_seconds);
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let entry = counts
            .entry((throttle, caller.to_owned()))
            .or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if count {
            entry.1 = entry.1.saturating_add(1);
        }
        Standing {
            throttle,
            used: entry.1,
            reset: (window + 1) * throttle.period_seconds,
        }
    }
}

/// Set by the handler that posted a status on its answer: the status was made now
/// (not found again by its `Idempotency-Key`), and counts against the account's.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StatusCreated;

/// Set on a request to post a status when the account has made as many as its limit
/// allows: the handler refuses to make another, but still answers a known key.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StatusesSpent;

/// Counts each API request against the throttles that apply to it, refuses it with 429
/// once one is spent, and writes the headers of the one closest to running out, as
/// Mastodon's `RateLimitHeaders` does.
pub(crate) async fn enforce(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if !path.starts_with("/api/") || !state.rate_limits_on {
        return next.run(request).await;
    }
    // As Rack::Attack: a token's requests count against the token, a user's against
    // the user as well, the rest (no token, an application's token, one that is no
    // token) against the address. Doorkeeper finds a revoked token all the same.
    let known = crate::auth::bearer(request.headers(), request.uri())
        .flatten()
        .and_then(|token| KnownToken::look_up(&state, token));
    let token = known
        .as_ref()
        .filter(|known| known.row.is_some())
        .map(|known| format!("token:{}", crate::secrets::digest(&known.token)));
    let account = known
        .as_ref()
        .and_then(|known| known.row.as_ref())
        .and_then(|(row, _)| row.account_id.as_deref())
        .map(|id| format!("account:{id}"));
    if let Some(known) = known {
        request.extensions_mut().insert(known);
    }
    let address = format!("address:{}", peer.ip());
    let method = request.method().clone();
    let now = state.store.now_ms().div_euclid(1000);
    let limits = &state.rate_limits;

    let mut standings = Vec::new();
    if let Some(token) = &token {
        standings.push(limits.standing(API_PER_TOKEN, token, now, true));
    }
    standings.push(match &account {
        Some(account) => limits.standing(API_PER_USER, account, now, true),
        None => limits.standing(API_PER_ADDRESS, &address, now, true),
    });
    if method == Method::POST && path == "/api/v1/apps" {
        standings.push(limits.standing(APPS, &address, now, true));
    }
    // Only a status's own path, as Rack::Attack's pattern (`/api/v1/statuses/\d+`).
    let deleting = method == Method::DELETE
        && path
            .strip_prefix("/api/v1/statuses/")
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    if let Some(account) = &account
        && deleting
    {
        standings.push(limits.standing(DELETES, account, now, true));
    }
    // Statuses count once made: looked at now, counted after the answer.
    let posting = (method == Method::POST && path == "/api/v1/statuses")
        .then_some(account.as_deref())
        .flatten();
    let statuses = posting.map(|account| limits.standing(STATUSES, account, now, false));
    // The handler refuses a spent statuses limit itself, after the Idempotency-Key: a
    // status found again by its key comes back whatever the limit (PostStatusService).
    if statuses
        .as_ref()
        .is_some_and(|s| s.used >= s.throttle.limit)
    {
        request.extensions_mut().insert(StatusesSpent);
    }
    if let Some(spent) = standings.iter().find(|s| s.used > s.throttle.limit) {
        let mut response = Failure::api(StatusCode::TOO_MANY_REQUESTS, api_text::TOO_MANY_REQUESTS)
            .into_response();
        write_headers(&mut response, spent);
        return response;
    }
    let mut response = next.run(request).await;
    let statuses = match (posting, statuses) {
        (Some(account), Some(_)) if response.extensions().get::<StatusCreated>().is_some() => {
            Some(limits.standing(STATUSES, account, now, true))
        }
        (_, statuses) => statuses,
    };
    // Mastodon's RateLimitHeaders: the statuses limiter's headers replace Rack::Attack's
    // unless those leave fewer requests; either way, the closest to running out.
    let shown = statuses
        .iter()
        .chain(&standings)
        .min_by_key(|s| s.throttle.limit.saturating_sub(s.used));
    if let Some(shown) = shown {
        write_headers(&mut response, shown);
    }
    response
}

fn write_headers(response: &mut Response, standing: &Standing) {
    let remaining = standing.throttle.limit.saturating_sub(standing.used);
    // ISO 8601 with microseconds, as Rack::Attack's `iso8601(6)` writes it.
    let reset = OffsetDateTime::from_unix_timestamp(standing.reset)
        .ok()
        .and_then(|at| {
            at.format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
            ))
            .ok()
        })
        .unwrap_or_default();
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", standing.throttle.limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-reset", reset),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

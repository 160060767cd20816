//! The HTTP routes, one module per API area.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::error::Failure;

pub(crate) mod accounts;
pub(crate) mod apps;
pub(crate) mod instance;
pub(crate) mod oauth;
pub(crate) mod statuses;
pub(crate) mod web;

/// A path's parameter, as axum's `Path` reads it, refused as Mastodon refuses a path it
/// cannot read (not UTF-8, say): a 400 in JSON, not axum's plain text.
pub(crate) struct PathParam<T>(pub T);

impl<S: Send + Sync, T> axum::extract::FromRequestParts<S> for PathParam<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|_| {
                Failure::api(
                    axum::http::StatusCode::BAD_REQUEST,
                    crate::error::api_text::MALFORMED,
                )
            })
    }
}

/// A web page's path parameter, as [`PathParam`] for the API: one that cannot be read is
/// refused with a page, as a browser asked for one.
pub(crate) struct PagePath<T>(pub T);

impl<S: Send + Sync, T> axum::extract::FromRequestParts<S> for PagePath<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        PathParam::from_request_parts(parts, state)
            .await
            .map(|PathParam(value)| Self(value))
            .map_err(|_| {
                Failure::page(
                    axum::http::StatusCode::BAD_REQUEST,
                    "Bad request",
                    "This address cannot be read (it is not UTF-8 text); check the link it came from.",
                )
            })
    }
}

pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(oauth::home))
        .route("/about", get(web::about))
        .route("/privacy-policy", get(web::privacy_policy))
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth::metadata),
        )
        .route(
            "/oauth/authorize",
            get(oauth::authorize_page)
                .post(oauth::authorize_decision)
                .delete(oauth::authorize_decision),
        )
        .route("/oauth/authorize/native", get(oauth::native_code))
        .route(
            "/auth/sign_in",
            get(oauth::sign_in_page).post(oauth::sign_in),
        )
        .route(
            "/auth/sign_out",
            post(oauth::sign_out).delete(oauth::sign_out),
        )
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/revoke", post(oauth::revoke))
        .route(
            "/oauth/userinfo",
            get(oauth::userinfo).post(oauth::userinfo),
        )
        .route("/api/v1/apps", post(apps::create))
        .route(
            "/api/v1/apps/verify_credentials",
            get(apps::verify_credentials),
        )
        .route(
            "/api/v1/accounts/verify_credentials",
            get(accounts::verify_credentials),
        )
        .route("/api/v1/accounts/lookup", get(accounts::lookup))
        .route("/api/v1/accounts/{id}", get(accounts::show))
        .route("/api/v1/accounts/{id}/statuses", get(accounts::statuses))
        .route("/api/v1/statuses", post(statuses::create))
        .route(
            "/api/v1/statuses/{id}",
            get(statuses::show).delete(statuses::delete),
        )
        .route("/tags/{name}", get(web::tag))
        .route("/users/{name}", get(web::activitypub_account))
        .route("/users/{name}/statuses/{id}", get(web::activitypub_status))
        .route("/ap/users/{id}", get(web::activitypub_account_by_id))
        .route(
            "/ap/users/{id}/statuses/{status}",
            get(web::activitypub_status_by_id),
        )
        .route("/{handle}", get(web::profile))
        .route("/{handle}/{id}", get(web::status))
        .route("/avatars/original/missing.png", get(web::default_image))
        .route("/headers/original/missing.png", get(web::default_image))
        .route("/packs/images/preview.png", get(web::default_image))
        .route("/api/v1/instance", get(instance::v1))
        .route("/api/v1/instance/", get(instance::v1))
        .route("/api/v2/instance", get(instance::v2))
        .route("/api/v2/instance/", get(instance::v2))
        .route("/.well-known/nodeinfo", get(instance::nodeinfo_links))
        .route("/nodeinfo/2.0", get(instance::nodeinfo))
        .fallback(nothing_here)
        // Rails routes by method and path together: a known path with a method the
        // sandbox does not serve (such as editing a status) is no route either.
        .method_not_allowed_fallback(nothing_here)
        .layer(axum::middleware::map_response(json_in_utf8))
        .layer(axum::middleware::from_fn(cache_control))
        .with_state(state)
}

/// What a page of another origin may call, and how, as Mastodon's
/// `config/initializers/cors.rb` says (Rack::Cors): any origin and request header, no
/// credentials (a token travels in `Authorization`, not a cookie), preflights cached
/// for two hours. A web client on another port, or a page opened from a file, uses the
/// sandbox as it would a real instance; the sign-in pages stay same-origin.
pub(crate) async fn cross_origin(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderName, HeaderValue, Method, header};
    use tower::{Layer, ServiceExt};
    use tower_http::cors::{AllowHeaders, Any, CorsLayer};
    // Which paths, and with which methods (the API's also exposing what paging and
    // rate limits say).
    let path = request.uri().path();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let (methods, api): (&[Method], bool) = if path.starts_with("/api/") {
        (
            &[
                Method::POST,
                Method::PUT,
                Method::DELETE,
                Method::GET,
                Method::PATCH,
                Method::OPTIONS,
            ],
            true,
        )
    } else if path.starts_with("/.well-known/")
        || matches!(segments[..], [handle] if handle.starts_with('@'))
        || matches!(segments[..], ["users", _])
    {
        (&[Method::GET], false)
    } else if path == "/oauth/token" {
        (&[Method::POST], false)
    } else if path == "/oauth/revoke" {
        // No CORS resource, but an answer that varies with `Origin`, as recorded.
        let mut response = next.run(request).await;
        one_vary(response.headers_mut(), "Origin");
        return response;
    } else {
        return next.run(request).await;
    };
    // As Rack::Cors: an answer without an `Origin` asked gets no CORS headers but says
    // it varies with one (a cache must not hand it to a page of another origin), and an
    // OPTIONS is a preflight only when it names the method to come; else the routes
    // answer (a 404 for what the sandbox does not serve, whatever the method).
    let headers = request.headers();
    let origin = headers.contains_key(header::ORIGIN);
    let bare_options = request.method() == Method::OPTIONS
        && !headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if !origin || bare_options {
        let mut response = next.run(request).await;
        let headers = response.headers_mut();
        if origin {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
        }
        one_vary(headers, "Origin");
        return response;
    }
    let mut layer = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(methods.to_vec())
        .allow_headers(AllowHeaders::mirror_request())
        .max_age(std::time::Duration::from_secs(7200))
        // `Origin` alone, as Rack::Cors says, added below into the answer's one `Vary`.
        .vary(Vec::new());
    if api {
        layer = layer.expose_headers([
            header::LINK,
            HeaderName::from_static("x-ratelimit-reset"),
            HeaderName::from_static("x-ratelimit-limit"),
            HeaderName::from_static("x-ratelimit-remaining"),
            HeaderName::from_static("x-request-id"),
        ]);
    }
    match layer.layer(next).oneshot(request).await {
        Ok(response) => {
            let mut response = response.map(axum::body::Body::new);
            one_vary(response.headers_mut(), "Origin");
            response
        }
        Err(never) => match never {},
    }
}

/// Gathers every `Vary` of an answer into one, as Rails writes it, with `also` added
/// where it is not named yet (Rack::Cors adds `Origin` to what the answer varies with).
fn one_vary(headers: &mut axum::http::HeaderMap, also: &str) {
    use axum::http::{HeaderValue, header::VARY};
    let mut names: Vec<String> = Vec::new();
    for value in headers.get_all(VARY) {
        for name in value.to_str().unwrap_or_default().split(',') {
            let name = name.trim();
            if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                names.push(name.to_owned());
            }
        }
    }
    if !names.iter().any(|n| n.eq_ignore_ascii_case(also)) {
        names.push(also.to_owned());
    }
    if let Ok(vary) = HeaderValue::from_str(&names.join(", ")) {
        headers.insert(VARY, vary);
    }
}

/// Rails names the charset of every JSON answer (`application/json; charset=utf-8`);
/// clients that match the header whole see the same here.
async fn json_in_utf8(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{HeaderValue, header::CONTENT_TYPE};
    if response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| value == "application/json")
    {
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    response
}

/// Mastodon's `Cache-Control` (and `Vary`) where a handler set none: API answers are private and
/// never stored (a token or a client secret may be in them), except the instance's
/// public description, cached for five minutes; NodeInfo's for three days (where it is)
/// and half an hour (what it says); discovery and revocation must be revalidated, as
/// Rails' default.
async fn cache_control(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header::CACHE_CONTROL};
    let path = request.uri().path();
    let instance = matches!(
        path.trim_end_matches('/'),
        "/api/v1/instance" | "/api/v2/instance"
    );
    let policy = if instance {
        Some("max-age=300, public, stale-while-revalidate=30, stale-if-error=86400")
    } else if path == "/.well-known/nodeinfo" {
        Some("max-age=259200, public")
    } else if path == "/nodeinfo/2.0" {
        Some("max-age=1800, public")
    } else if path.starts_with("/api/") || path == "/oauth/userinfo" {
        Some("private, no-store")
    } else if path.starts_with("/.well-known/") || path == "/oauth/revoke" {
        Some("max-age=0, private, must-revalidate")
    } else {
        None
    };
    // What else an answer varies with, as Mastodon says: the token for the API, the
    // format asked for where an answer is cached or negotiated.
    let vary = if instance
        || path.starts_with("/api/v1/instance/")
        || path == "/api/v1/custom_emojis"
        || matches!(path, "/oauth/token" | "/oauth/revoke")
    {
        Some("Accept")
    } else if path.starts_with("/api/") {
        Some("Authorization")
    } else {
        None
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Some(policy) = policy {
        headers
            .entry(CACHE_CONTROL)
            .or_insert(HeaderValue::from_static(policy));
    }
    if let Some(vary) = vary {
        headers
            .entry(axum::http::header::VARY)
            .or_insert(HeaderValue::from_static(vary));
    }
    response
}

/// An entity as JSON without `fields`, for the answers where Mastodon leaves out
/// fields the shared entity type always writes.
pub(crate) fn json_without(
    entity: &impl serde::Serialize,
    fields: &[&str],
) -> crate::error::Result<serde_json::Value> {
    let mut value = serde_json::to_value(entity).map_err(|err| {
        Failure::api(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            format!("The answer could not be written as JSON ({err})"),
        )
    })?;
    if let Some(object) = value.as_object_mut() {
        for field in fields {
            object.remove(*field);
        }
    }
    Ok(value)
}

/// A page for a person: never cached, never framed, no scripts or outside resources.
pub(crate) fn page_response(html: String) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::{Html, IntoResponse};
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    response
}

/// What a page may load: its own inline style, nothing else; no framing.
const PAGE_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

/// A page whose one inline script, `script`, may run: the hash of it allowed, nothing else.
pub(crate) fn page_response_sending(html: String, script: &str) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut response = page_response(html);
    let hash =
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()));
    if let Ok(policy) = HeaderValue::from_str(&format!("{PAGE_POLICY}; script-src 'sha256-{hash}'"))
    {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// A redirect as Rails' `redirect_to` answers it: 302 Found.
pub(crate) fn found(location: &str) -> axum::response::Response {
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::IntoResponse;
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => Failure::page(
            StatusCode::BAD_REQUEST,
            "Bad redirect",
            "The address to go on to cannot be sent; go back and try again.",
        )
        .into_response(),
    }
}

/// No route: Mastodon's 404 for a route it does not have, which a client takes as
/// a feature the server lacks. Under `/api/` its message and the sandbox's log say
/// the endpoint is one the sandbox does not serve, so that a bot's author does not
/// take it for a missing record (the path only: a query may carry a token).
async fn nothing_here(method: axum::http::Method, uri: axum::http::Uri) -> Failure {
    if !uri.path().starts_with("/api/") {
        return Failure::nothing_here();
    }
    let what = format!("{method} {} {}", uri.path(), tootkit::SANDBOX_UNSERVED);
    tracing::warn!("{what}; answered 404 as Mastodon answers a route it does not have");
    Failure::api(
        axum::http::StatusCode::NOT_FOUND,
        format!("{}: {what}.", crate::error::api_text::NOTHING_HERE),
    )
}

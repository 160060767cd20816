//! OAuth as Mastodon (Doorkeeper) does it: discovery, the authorization pages, codes
//! with PKCE, tokens, revocation.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use tootkit::{AccessToken, Scopes, Token};
use url::Url;

use crate::AppState;
use crate::error::{Failure, Result, oauth_text};
use crate::pages::{self, PendingAuthorization};
use crate::params::Params;
use crate::secrets::{
    constant_time_eq, matches_digest, pkce_matches, random_token, verify_password,
};
use crate::store::{AccountRow, AppRow, CodeRow};

/// The scopes Mastodon 4.6 knows (its `scopes_supported`, in its order).
pub(crate) const KNOWN_SCOPES: &[&str] = &[
    "read",
    "profile",
    "write",
    "write:accounts",
    "write:blocks",
    "write:bookmarks",
    "write:collections",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
    "read:accounts",
    "read:blocks",
    "read:bookmarks",
    "read:collections",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "follow",
    "push",
    "admin:read",
    "admin:read:accounts",
    "admin:read:reports",
    "admin:read:domain_allows",
    "admin:read:domain_blocks",
    "admin:read:ip_blocks",
    "admin:read:email_domain_blocks",
    "admin:read:canonical_email_blocks",
    "admin:write",
    "admin:write:accounts",
    "admin:write:reports",
    "admin:write:domain_allows",
    "admin:write:domain_blocks",
    "admin:write:ip_blocks",
    "admin:write:email_domain_blocks",
    "admin:write:canonical_email_blocks",
];

const SESSION_COOKIE: &str = "_tootkit_sandbox_session";

// ---------------------------------------------------------------- discovery

/// Whether a request comes from Python's `requests`, the HTTP library Mastodon.py is
/// built on: by Mastodon.py's or `requests`' own user agent, or, when a program names
/// itself (`Mastodon(user_agent="weatherbot/2.1")`), by the headers `requests` sends
/// with every request and tootkit and curl do not send together.
fn from_python_requests(headers: &HeaderMap) -> bool {
    let header = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    };
    let agent = header(header::USER_AGENT);
    // Browsers and Node's fetch send the same three, and say what they are: by the
    // fetch metadata they add, or by a user agent in Mozilla's form.
    let fetch = headers.contains_key("sec-fetch-mode")
        || headers.contains_key(header::ORIGIN)
        || agent.starts_with("Mozilla/");
    agent.starts_with("mastodonpy")
        || agent.starts_with("python-requests/")
        || (!fetch
            && header(header::ACCEPT) == "*/*"
            && header(header::ACCEPT_ENCODING).starts_with("gzip, deflate")
            && header(header::CONNECTION).eq_ignore_ascii_case("keep-alive"))
}

pub(crate) async fn metadata(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>> {
    // Mastodon.py refuses OAuth endpoints that are not https when a server publishes
    // them, and the sandbox is plain http on loopback. Answered as Mastodon before 4.3
    // (no metadata), Mastodon.py falls back to /oauth/authorize and /oauth/token, so a
    // program written for a real instance runs here unchanged.
    if state.before_4_3 {
        return Err(Failure::nothing_here());
    }
    if from_python_requests(&headers) {
        tracing::info!(
            "OAuth metadata withheld from Python's requests (Mastodon.py), which refuses http OAuth endpoints"
        );
        return Err(Failure::nothing_here());
    }
    let base = &state.base_url;
    let mut grants = vec!["authorization_code", "client_credentials"];
    if state.legacy_password_grant {
        grants.insert(1, "password");
    }
    Ok(Json(serde_json::json!({
        "issuer": format!("{base}/"),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "app_registration_endpoint": format!("{base}/api/v1/apps"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "userinfo_endpoint": format!("{base}/oauth/userinfo"),
        "scopes_supported": KNOWN_SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": grants,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })))
}

// ---------------------------------------------------------------- browser session

struct Session {
    id: String,
    csrf_token: String,
    account_id: Option<String>,
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

fn current_session(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>> {
    let Some(id) = session_cookie(headers) else {
        return Ok(None);
    };
    Ok(state.store.session(&id)?.map(|row| Session {
        id,
        csrf_token: row.csrf_token,
        account_id: row.account_id,
    }))
}

fn new_session(state: &AppState) -> Result<Session> {
    let session = Session {
        id: random_token(),
        csrf_token: random_token(),
        account_id: None,
    };
    state
        .store
        .insert_session(&session.id, &session.csrf_token)?;
    Ok(session)
}

fn set_cookie(response: &mut Response, session: &Session) {
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax",
        session.id
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Refuses a form whose token is not the session's (a cross-site forgery, or an
/// expired session).
fn check_csrf(session: Option<&Session>, params: &Params) -> Result<()> {
    let sent = params.text("authenticity_token").unwrap_or_default();
    match session {
        Some(session) if !sent.is_empty() && constant_time_eq(&sent, &session.csrf_token) => Ok(()),
        _ => Err(Failure::page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Form expired",
            "This form's session expired or the form did not come from this site; go back, reload the page and try again.",
        )),
    }
}

// ---------------------------------------------------------------- authorization request

#[derive(Debug, Default)]
pub(crate) struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    response_mode: Option<String>,
    force_login: bool,
}

impl AuthorizeQuery {
    fn from_params(params: &Params) -> Self {
        Self {
            response_type: params.text("response_type"),
            client_id: params.text("client_id"),
            redirect_uri: params.text("redirect_uri"),
            scope: params.text("scope"),
            state: params.text("state"),
            code_challenge: params.text("code_challenge"),
            code_challenge_method: params.text("code_challenge_method"),
            response_mode: params.text("response_mode"),
            force_login: params.flag("force_login").unwrap_or(false),
        }
    }
}

/// A checked authorization request.
struct Authorization {
    app: AppRow,
    redirect_uri: String,
    scopes: Scopes,
    state: Option<String>,
    code_challenge: Option<String>,
    response_mode: ResponseMode,
}

/// How the result goes back to the application (OAuth 2.0 Multiple Response Types and
/// Form Post Response Mode), as Doorkeeper answers each.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

impl Authorization {
    /// Where the browser goes with the result, carrying `state` back.
    fn redirect_with(&self, pairs: &[(&str, &str)]) -> Response {
        let mut pairs: Vec<(&str, &str)> = pairs.to_vec();
        if let Some(state) = &self.state {
            pairs.push(("state", state));
        }
        match self.response_mode {
            ResponseMode::Query => {}
            ResponseMode::Fragment => {
                let fragment = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&pairs)
                    .finish();
                let mut url = self.redirect_uri.clone();
                url.push('#');
                url.push_str(&fragment);
                return super::found(&url);
            }
            ResponseMode::FormPost => {
                return super::page_response_sending(
                    crate::pages::form_post_page(&self.redirect_uri, &pairs),
                    crate::pages::FORM_POST_SCRIPT,
                );
            }
        }
        let mut url = match Url::parse(&self.redirect_uri) {
            Ok(url) => url,
            Err(_) => {
                return Failure::page(
                    StatusCode::BAD_REQUEST,
                    "Invalid redirect",
                    "The redirect URI is not valid.",
                )
                .into_response();
            }
        };
        {
            let mut query = url.query_pairs_mut();
            for (key, value) in pairs {
                query.append_pair(key, value);
            }
        }
        super::found(url.as_str())
    }

    fn is_oob(&self) -> bool {
        self.redirect_uri == tootkit::OOB_REDIRECT_URI
    }

    /// Issues a code for `account_id` and sends the browser on with it: to the
    /// application, or for out-of-band to the page that shows it.
    fn grant(&self, state: &AppState, account_id: String) -> Result<Response> {
        let code = random_token();
        state.store.insert_code(
            &code,
            &CodeRow {
                app_id: self.app.id.clone(),
                account_id,
                redirect_uri: self.redirect_uri.clone(),
                scopes: self.scopes.to_string(),
                code_challenge: self.code_challenge.clone(),
                created_at: state.store.now_ms(),
                used: false,
            },
        )?;
        if self.is_oob() {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("code", &code)
                .finish();
            return Ok(super::found(&format!("/oauth/authorize/native?{query}")));
        }
        Ok(self.redirect_with(&[("code", &code)]))
    }
}

/// Whether a redirect URI in a request matches a registered one, as Doorkeeper's
/// `URIChecker.matches?` has it: a registered query must come back, its pairs in any
/// order, and a request may add one where none was registered (a client's own state);
/// for loopback IP literals any port will do (RFC 8252 §7.3).
fn redirect_matches(requested: &str, registered: &str) -> bool {
    if requested == registered {
        return true;
    }
    let (Ok(mut a), Ok(mut b)) = (Url::parse(requested), Url::parse(registered)) else {
        return false;
    };
    if let Some(expected) = b.query() {
        // As Ruby's `split('&')`, which drops trailing empty fields; a query blank on
        // both sides is the same.
        let pairs = |query: &str| {
            let mut pairs: Vec<String> = query.split('&').map(str::to_owned).collect();
            while pairs.last().is_some_and(String::is_empty) {
                pairs.pop();
            }
            pairs.sort();
            pairs
        };
        let blank = |query: Option<&str>| query.is_none_or(|q| q.trim().is_empty());
        let same = (blank(Some(expected)) && blank(a.query()))
            || a.query()
                .is_some_and(|query| pairs(query) == pairs(expected));
        if !same {
            return false;
        }
        b.set_query(None);
    }
    a.set_query(None);
    let loopback = |u: &Url| match u.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        _ => false,
    };
    if loopback(&a) && loopback(&b) {
        let _ = a.set_port(None);
        let _ = b.set_port(None);
    }
    a == b
}

/// Checks an authorization request. Every error is shown as a page, as Doorkeeper's
/// default `handle_auth_errors :render` in Mastodon has it: the client hears of it only
/// when the person comes back to it.
fn check_authorization(
    state: &AppState,
    query: &AuthorizeQuery,
) -> std::result::Result<Authorization, Box<Response>> {
    let page = |title: &str, text: &str| {
        Failure::page(StatusCode::BAD_REQUEST, title, text).into_response()
    };
    let Some(client_id) = query.client_id.as_deref() else {
        return Err(Box::new(page(
            "Invalid request",
            "The request has no client_id, so the application that sent you here is misconfigured; tell its author, or start its sign-in again.",
        )));
    };
    let app = match state.store.app_by_client_id(client_id) {
        Ok(Some(app)) => app,
        // Doorkeeper's `invalid_client`, which it answers with 401.
        Ok(None) => {
            return Err(Box::new(
                Failure::page(
                    StatusCode::UNAUTHORIZED,
                    "Unknown application",
                    "No application with this client ID is registered on this server; start the sign-in again from the application, which may register itself anew.",
                )
                .into_response(),
            ));
        }
        Err(err) => return Err(Box::new(Failure::from(err).into_response())),
    };
    let Some(redirect_uri) = query.redirect_uri.clone() else {
        return Err(Box::new(page(
            "Invalid redirect",
            "The request has no redirect_uri; start the sign-in again from the application.",
        )));
    };
    if !app
        .redirect_uris
        .iter()
        .any(|registered| redirect_matches(&redirect_uri, registered))
    {
        return Err(Box::new(page(
            "Invalid redirect",
            "The redirect URI included is not one the application registered; start the sign-in again from the application, or register it with that URI.",
        )));
    }
    let scope_text = query.scope.clone().unwrap_or_else(|| "read".to_owned());
    let mut authorization = Authorization {
        scopes: Scopes::read(),
        app,
        redirect_uri,
        state: query.state.clone(),
        code_challenge: query.code_challenge.clone().filter(|c| !c.is_empty()),
        response_mode: ResponseMode::Query,
    };
    let fail = |description: &str| Box::new(page("An error has occurred", description));
    if query.response_type.as_deref() != Some("code") {
        return Err(fail(
            "The authorization server does not support this response type.",
        ));
    }
    // Mastodon's consent form does not carry the mode on, so it holds only where an
    // application authorized before is authorized again at once: the form answers in
    // the query, as Mastodon's does.
    authorization.response_mode = match query.response_mode.as_deref() {
        None | Some("query") => ResponseMode::Query,
        Some("fragment") => ResponseMode::Fragment,
        Some("form_post") => ResponseMode::FormPost,
        Some(_) => {
            return Err(fail(
                "The authorization server does not support this response mode.",
            ));
        }
    };
    match registered_subset(state, &authorization.app, &scope_text) {
        Some(scopes) => authorization.scopes = scopes,
        None => return Err(fail(oauth_text::INVALID_SCOPE)),
    }
    if authorization.code_challenge.is_some()
        && query.code_challenge_method.as_deref().unwrap_or("plain") != "S256"
    {
        return Err(fail("Only the S256 code challenge method is supported."));
    }
    Ok(authorization)
}

/// The authorization request, where sign-in returns.
fn return_path(raw_query: &str) -> String {
    format!("/oauth/authorize?{raw_query}")
}

pub(crate) async fn authorize_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    params: Params,
) -> Result<Response> {
    let query = AuthorizeQuery::from_params(&params);
    // As Mastodon: sign in first, then learn what is wrong with the request.
    let session = current_session(&state, &headers)?;
    let account = match &session {
        Some(Session {
            account_id: Some(id),
            ..
        }) => state.store.account(id)?,
        _ => None,
    };
    let (Some(session), Some(account)) = (session, account) else {
        let target = format!(
            "/auth/sign_in?{}",
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", &return_path(raw.as_deref().unwrap_or("")))
                .finish()
        );
        return Ok(super::found(&target));
    };
    let authorization = match check_authorization(&state, &query) {
        Ok(a) => a,
        Err(response) => return Ok(*response),
    };
    // As Mastodon: an application the account already authorized for these scopes, with
    // its token still working, is authorized again without asking, unless `force_login`
    // asks for the page, where a person signed in as another account can sign out.
    if !query.force_login
        && state
            .store
            .has_token(&authorization.app.id, &account.id, &authorization.scopes)?
    {
        return authorization.grant(&state, account.id);
    }
    let scopes: Vec<&str> = authorization.scopes.iter().collect();
    let scope_text = authorization.scopes.to_string();
    let pending = PendingAuthorization {
        client_id: &authorization.app.client_id,
        redirect_uri: &authorization.redirect_uri,
        scope: &scope_text,
        state: authorization.state.as_deref(),
        code_challenge: authorization.code_challenge.as_deref(),
        code_challenge_method: authorization.code_challenge.as_ref().map(|_| "S256"),
    };
    let html = pages::consent_page(
        &session.csrf_token,
        &authorization.app.name,
        &account.username,
        &scopes,
        &pending,
        &return_path(raw.as_deref().unwrap_or("")),
    );
    Ok(super::page_response(html))
}

/// The consent form's answer, as Mastodon takes it: a POST authorizes; a DELETE (or a
/// form's POST with Rails' `_method=delete`) denies.
pub(crate) async fn authorize_decision(
    State(state): State<Arc<AppState>>,
    method: Method,
    headers: HeaderMap,
    params: Params,
) -> Result<Response> {
    let session = current_session(&state, &headers)?;
    check_csrf(session.as_ref(), &params)?;
    let Some(account_id) = session.and_then(|s| s.account_id) else {
        return Err(Failure::page(
            StatusCode::UNAUTHORIZED,
            "Not signed in",
            "You are not signed in; sign in first, then authorize the application.",
        ));
    };
    let query = AuthorizeQuery::from_params(&params);
    let authorization = match check_authorization(&state, &query) {
        Ok(a) => a,
        Err(response) => return Ok(*response),
    };
    let denied = method == Method::DELETE
        || params
            .text("_method")
            .is_some_and(|method| method.eq_ignore_ascii_case("delete"));
    if denied {
        if authorization.is_oob() {
            return Ok(super::page_response(pages::message_page(
                "Authorization denied",
                "Nothing was authorized, so you can close this page.",
            )));
        }
        return Ok(authorization.redirect_with(&[
            ("error", "access_denied"),
            ("error_description", oauth_text::ACCESS_DENIED),
        ]));
    }
    authorization.grant(&state, account_id)
}

/// `GET /oauth/authorize/native`: where an out-of-band authorization lands, showing its
/// code, as Doorkeeper's page for `urn:ietf:wg:oauth:2.0:oob`.
pub(crate) async fn native_code(params: Params) -> Result<Response> {
    match params.text("code") {
        Some(code) => Ok(super::page_response(pages::code_page(&code))),
        None => Err(Failure::page(
            StatusCode::BAD_REQUEST,
            "No authorization code",
            "This page shows an authorization code and its address carries none; start the sign-in again from the application.",
        )),
    }
}

// ---------------------------------------------------------------- sign-in

/// Where sign-in may return: only the authorization page, never another site. A browser
/// drops tabs and line breaks from a URL, so a path with any of them is refused too.
fn safe_return(return_to: Option<&str>) -> String {
    match return_to {
        Some(path)
            if (path == "/oauth/authorize" || path.starts_with("/oauth/authorize?"))
                && !path
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// `GET /`: what a person who opens the sandbox's address sees.
pub(crate) async fn home(State(state): State<Arc<AppState>>) -> Response {
    super::page_response(pages::message_page(
        "tootkit sandbox",
        &format!(
            "A Mastodon-compatible instance for trying bots offline. Point a client at {}.",
            state.base_url
        ),
    ))
}

pub(crate) async fn sign_in_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response> {
    let (session, fresh) = match current_session(&state, &headers)? {
        Some(session) => (session, false),
        None => (new_session(&state)?, true),
    };
    let return_to = safe_return(params.text("return_to").as_deref());
    let mut response =
        super::page_response(pages::sign_in_page(&session.csrf_token, &return_to, None));
    if fresh {
        set_cookie(&mut response, &session);
    }
    Ok(response)
}

pub(crate) async fn sign_in(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response> {
    let session = current_session(&state, &headers)?;
    check_csrf(session.as_ref(), &params)?;
    let return_to = safe_return(params.text("return_to").as_deref());
    let login = params.text("user[email]").unwrap_or_default();
    let password = params.text("user[password]").unwrap_or_default();
    let account = authenticate(&state, Login::UserNameOrEmail(&login), &password).await?;
    let Some(account) = account else {
        let csrf = session.map(|s| s.csrf_token).unwrap_or_default();
        let html = pages::sign_in_page(
            &csrf,
            &return_to,
            Some("Invalid user name, email address or password."),
        );
        let mut response = super::page_response(html);
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        return Ok(response);
    };
    // A new session on sign-in, so a session ID planted before cannot be used after.
    if let Some(before) = &session {
        state.store.delete_session(&before.id)?;
    }
    let session = new_session(&state)?;
    state.store.set_session_account(&session.id, &account.id)?;
    let mut response = super::found(&return_to);
    set_cookie(&mut response, &session);
    Ok(response)
}

/// `POST /auth/sign_out` (Mastodon's is a DELETE from its pages): forgets who is signed
/// in, and goes on to sign in again where the person was, as another account, say.
pub(crate) async fn sign_out(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response> {
    let session = current_session(&state, &headers)?;
    check_csrf(session.as_ref(), &params)?;
    // As Devise's `reset_session`: the session and its CSRF token end here, and the
    // sign-in page opens another.
    if let Some(session) = &session {
        state.store.delete_session(&session.id)?;
    }
    let return_to = safe_return(params.text("return_to").as_deref());
    let target = format!(
        "/auth/sign_in?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("return_to", &return_to)
            .finish()
    );
    Ok(super::found(&target))
}

/// Who is signing in.
#[derive(Clone, Copy)]
enum Login<'a> {
    /// The sign-in page's field: a user name or an email address.
    UserNameOrEmail(&'a str),
    /// The password grant's `username`: an email address.
    Email(&'a str),
}

/// Checks a login and password; hashing runs off the async threads.
async fn authenticate(
    state: &Arc<AppState>,
    login: Login<'_>,
    password: &str,
) -> Result<Option<AccountRow>> {
    let (Login::UserNameOrEmail(given) | Login::Email(given)) = login;
    if given.trim().is_empty() || password.is_empty() {
        return Ok(None);
    }
    let account = match login {
        Login::UserNameOrEmail(login) => state.store.account_by_login(login)?,
        Login::Email(email) => state.store.account_by_email(email)?,
    };
    let Some(account) = account else {
        return Ok(None);
    };
    let password = password.to_owned();
    let hash = account.password_hash.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    Ok(ok.then_some(account))
}

// ---------------------------------------------------------------- token endpoint

/// The application authenticating at the token or revocation endpoint: HTTP Basic,
/// or `client_id` and `client_secret` in the body.
fn authenticate_client(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Option<AppRow>> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(id, secret)| (id.to_owned(), secret.to_owned()))
        });
    let (id, secret) = match basic {
        Some(pair) => pair,
        None => match (params.text("client_id"), params.text("client_secret")) {
            (Some(id), Some(secret)) => (id, secret),
            _ => return Ok(None),
        },
    };
    let app = state.store.app_by_client_id(&id)?;
    Ok(app.filter(|app| matches_digest(&secret, &app.client_secret_digest)))
}

/// Scopes as Doorkeeper reads them: names separated by spaces (a `+` in a form is a
/// space), each one the server knows. `read,write` is one unknown scope, as on Mastodon.
pub(crate) fn server_scopes(state: &AppState, text: &str) -> std::result::Result<Scopes, String> {
    if let Some(unknown) = text.split_whitespace().find(|s| !state.knows_scope(s)) {
        return Err(unknown.to_owned());
    }
    Scopes::parse(text).map_err(|_| text.to_owned())
}

/// The requested scopes, if every one of them is among the application's: Doorkeeper
/// compares names, so an app registered with `write` may not ask for `write:statuses`.
fn registered_subset(state: &AppState, app: &AppRow, requested: &str) -> Option<Scopes> {
    let registered = Scopes::parse(&app.scopes).unwrap_or_else(|_| Scopes::read());
    server_scopes(state, requested).ok().filter(|scopes| {
        !scopes.is_empty() && scopes.iter().all(|s| registered.iter().any(|r| r == s))
    })
}

/// The scopes of a token request (default `read`), within the application's.
fn requested_scopes(state: &AppState, app: &AppRow, params: &Params) -> Result<Scopes> {
    let text = params.text("scope").unwrap_or_else(|| "read".to_owned());
    registered_subset(state, app, &text).ok_or_else(|| {
        Failure::token(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            oauth_text::INVALID_SCOPE,
        )
    })
}

pub(crate) async fn token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response> {
    let missing = |name: &str| {
        Failure::token(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("Missing required parameter: {name}."),
        )
    };
    let Some(grant) = params.text("grant_type") else {
        return Err(missing("grant_type"));
    };
    if !matches!(
        grant.as_str(),
        "authorization_code" | "client_credentials" | "password"
    ) || (grant == "password" && !state.legacy_password_grant)
    {
        return Err(Failure::token(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            oauth_text::UNSUPPORTED_GRANT_TYPE,
        ));
    }
    // As Doorkeeper's AuthorizationCodeRequest: its parameters before the client, the
    // code first (looked up as the request is built), then the verifier of a code
    // issued with a challenge.
    let code_request = if grant == "authorization_code" {
        let Some(code) = params.text("code").filter(|code| !code.trim().is_empty()) else {
            return Err(missing("code"));
        };
        let verifier = params.text("code_verifier");
        if verifier.is_none() && state.store.code_uses_pkce(&code)? {
            return Err(missing("code_verifier"));
        }
        let Some(redirect_uri) = params.text("redirect_uri") else {
            return Err(missing("redirect_uri"));
        };
        Some((code, redirect_uri, verifier))
    } else {
        None
    };
    let Some(app) = authenticate_client(&state, &headers, &params)? else {
        return Err(Failure::token(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            oauth_text::INVALID_CLIENT,
        ));
    };
    let invalid_grant = || {
        Failure::token(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            oauth_text::INVALID_GRANT,
        )
    };
    let (account_id, scopes) = match (grant.as_str(), code_request) {
        (_, Some((code, redirect_uri, verifier))) => {
            let now = state.store.now_ms();
            let row = state
                .store
                .take_code(&code, |row| {
                    // As Doorkeeper: a verifier must match the code's challenge, and a
                    // code issued without a challenge takes no verifier.
                    let pkce_ok = match (&row.code_challenge, &verifier) {
                        (Some(challenge), Some(verifier)) => pkce_matches(verifier, challenge),
                        (None, None) => true,
                        _ => false,
                    };
                    now - row.created_at <= crate::CODE_LIFETIME_MS
                        && row.app_id == app.id
                        // Matched as the authorization request's was.
                        && redirect_matches(&redirect_uri, &row.redirect_uri)
                        && pkce_ok
                })?
                .ok_or_else(invalid_grant)?;
            let scopes = Scopes::parse(&row.scopes).unwrap_or_else(|_| Scopes::read());
            (Some(row.account_id), scopes)
        }
        ("client_credentials", None) => (None, requested_scopes(&state, &app, &params)?),
        _ => {
            // Mastodon finds the account by email address alone here (Doorkeeper's
            // resource_owner_from_credentials), unlike its sign-in page; the owner is
            // judged before the scopes, as PasswordAccessTokenRequest validates them.
            let email = params.text("username").unwrap_or_default();
            let password = params.text("password").unwrap_or_default();
            let account = authenticate(&state, Login::Email(&email), &password)
                .await?
                .ok_or_else(invalid_grant)?;
            (Some(account.id), requested_scopes(&state, &app, &params)?)
        }
    };
    let (access_token, created) = state.issue_token(&app.id, account_id.as_deref(), &scopes)?;
    let body = Token {
        access_token: AccessToken::new(access_token),
        token_type: "Bearer".to_owned(),
        scope: scopes.to_string(),
        created_at: Some(created / 1000),
        expires_in: None,
        refresh_token: None,
    };
    let mut response = Json(body).into_response();
    // As Doorkeeper answers a token (RFC 6749 §5.1), for HTTP/1.0 caches too.
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

pub(crate) async fn revoke(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    params: Params,
) -> Result<Json<serde_json::Value>> {
    let not_yours = || {
        Failure::oauth(
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "You are not authorized to revoke this token",
        )
    };
    let app = authenticate_client(&state, &headers, &params)?.ok_or_else(not_yours)?;
    // As Doorkeeper: once the client is known, no token is a token unknown, and an
    // unknown token is no error (RFC 7009).
    if let Some(token) = params.text("token") {
        match state.store.token(&token)?.map(|(row, _)| row.app_id) {
            Some(owner) if owner != app.id => return Err(not_yours()),
            Some(_) => state.store.revoke_token(&token)?,
            None => {}
        }
    }
    Ok(Json(serde_json::json!({})))
}

/// `GET /oauth/userinfo`: OpenID Connect claims about the token's account (`profile`).
pub(crate) async fn userinfo(
    State(state): State<Arc<AppState>>,
    caller: crate::auth::Caller,
) -> Result<Json<serde_json::Value>> {
    caller.require_any(&["profile"])?;
    let account = state.account_entity(caller.user()?, false)?;
    Ok(Json(serde_json::json!({
        "iss": format!("{}/", state.base_url),
        "sub": account.uri,
        "name": account.display_name,
        "preferred_username": account.username,
        "profile": account.url,
        "picture": account.avatar,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_on_any_port_only() {
        assert!(redirect_matches(
            "http://127.0.0.1:4123/callback",
            "http://127.0.0.1/callback"
        ));
        assert!(redirect_matches(
            "http://[::1]:4123/callback",
            "http://[::1]/callback"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1:4123/other",
            "http://127.0.0.1/callback"
        ));
        assert!(!redirect_matches(
            "http://localhost:4123/callback",
            "http://localhost/callback"
        ));
        assert!(!redirect_matches(
            "https://example.com:8443/cb",
            "https://example.com/cb"
        ));
        assert!(redirect_matches(
            "urn:ietf:wg:oauth:2.0:oob",
            "urn:ietf:wg:oauth:2.0:oob"
        ));
    }

    #[test]
    fn a_registered_query_comes_back_in_any_order_and_a_request_may_add_one() {
        assert!(redirect_matches(
            "https://bot.example/cb?session=abc",
            "https://bot.example/cb"
        ));
        assert!(redirect_matches(
            "https://bot.example/cb?b=2&a=1",
            "https://bot.example/cb?a=1&b=2"
        ));
        assert!(!redirect_matches(
            "https://bot.example/cb",
            "https://bot.example/cb?a=1"
        ));
        assert!(!redirect_matches(
            "https://bot.example/cb?a=1&c=3",
            "https://bot.example/cb?a=1"
        ));
        assert!(!redirect_matches(
            "https://bot.example/other?a=1",
            "https://bot.example/cb?a=1"
        ));
        // Ruby's split drops a trailing empty field; a blank query is none.
        assert!(redirect_matches(
            "https://bot.example/cb?b=2&a=1&",
            "https://bot.example/cb?a=1&b=2"
        ));
        assert!(redirect_matches(
            "https://bot.example/cb",
            "https://bot.example/cb?"
        ));
    }

    #[test]
    fn sign_in_returns_only_to_local_paths() {
        assert_eq!(
            safe_return(Some("/oauth/authorize?x=1")),
            "/oauth/authorize?x=1"
        );
        assert_eq!(safe_return(Some("//evil.example/")), "/");
        assert_eq!(safe_return(Some("/\t/evil.example")), "/");
        assert_eq!(safe_return(Some("/oauth/authorize?\n/x")), "/");
        assert_eq!(safe_return(Some("/api/v1/apps")), "/");
        assert_eq!(safe_return(Some("https://evil.example/")), "/");
        assert_eq!(safe_return(None), "/");
    }
}

//! A scripted user agent for the sandbox's own pages: it follows the authorization URL,
//! fills in the sign-in form, approves the consent form, and returns where the browser
//! would have gone. `tootkit demo` and the tests use it in place of a person.

use std::time::Duration;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use tootkit::{AuthorizationCode, Password};
use url::Url;

/// Where an authorization ended.
pub enum AuthorizationOutcome {
    /// The browser was sent to the application's redirect URI (with `code` and `state`,
    /// or `error`).
    Redirect(Url),
    /// The out-of-band page showed this code.
    Code(AuthorizationCode),
}

/// Why the scripted sign-in failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScriptedUserError {
    /// An HTTP request failed.
    #[error("The sandbox could not be reached at {url}: {source}; check that it is running.")]
    Http {
        /// The URL requested.
        url: String,
        /// The failure.
        #[source]
        source: reqwest::Error,
    },
    /// A page was not what the sandbox serves at that step.
    #[error("{0}")]
    Unexpected(String),
}

/// A user agent that signs in and authorizes on the sandbox's pages.
pub struct ScriptedUser {
    http: reqwest::Client,
    cookie: Option<String>,
}

/// A URL without its query, which may carry a code.
fn without_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.to_string()
}

impl std::fmt::Debug for AuthorizationOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Redirect(url) => {
                write!(f, "Redirect({}?{})", without_query(url), tootkit::REDACTED)
            }
            Self::Code(code) => write!(f, "Code({code:?})"),
        }
    }
}

impl std::fmt::Debug for ScriptedUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cookie = self.cookie.as_ref().map(|_| tootkit::REDACTED);
        f.debug_struct("ScriptedUser")
            .field("cookie", &cookie)
            .finish_non_exhaustive()
    }
}

impl ScriptedUser {
    /// A user agent with no session.
    ///
    /// # Errors
    ///
    /// [`ScriptedUserError::Unexpected`] when the HTTP client cannot be set up.
    pub fn new() -> Result<Self, ScriptedUserError> {
        // The same TLS provider as the library's client; the sandbox itself is plain http.
        if rustls_provider_missing() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|err| {
                ScriptedUserError::Unexpected(format!(
                    "The HTTP client could not be set up: {err}."
                ))
            })?;
        Ok(Self { http, cookie: None })
    }

    /// Opens `authorize_url`, signs in as `login` (user name or email) if asked, approves
    /// the request, and returns the outcome.
    ///
    /// # Errors
    ///
    /// [`ScriptedUserError`] when a page cannot be fetched or is not the expected one
    /// (wrong password, invalid request…); the message quotes the page.
    pub async fn authorize(
        &mut self,
        authorize_url: &Url,
        login: &str,
        password: &Password,
    ) -> Result<AuthorizationOutcome, ScriptedUserError> {
        self.decide(authorize_url, login, password, Decision::Authorize)
            .await
    }

    /// As [`authorize`](Self::authorize), but presses Deny.
    ///
    /// # Errors
    ///
    /// As [`authorize`](Self::authorize), and [`ScriptedUserError::Unexpected`] when
    /// the server authorizes without showing its page (the account authorized the
    /// application for these scopes before), as nothing is left to deny.
    pub async fn deny(
        &mut self,
        authorize_url: &Url,
        login: &str,
        password: &Password,
    ) -> Result<AuthorizationOutcome, ScriptedUserError> {
        self.decide(authorize_url, login, password, Decision::Deny)
            .await
    }

    /// As [`authorize`](Self::authorize), for a browser signed in as another account:
    /// signs out on the authorization page first (which `force_login` asks the server to
    /// show), then signs in as `login`.
    ///
    /// # Errors
    ///
    /// As [`authorize`](Self::authorize), and when the page offers no sign-out (nobody
    /// was signed in).
    pub async fn sign_out_and_authorize(
        &mut self,
        authorize_url: &Url,
        login: &str,
        password: &Password,
    ) -> Result<AuthorizationOutcome, ScriptedUserError> {
        self.decide(
            authorize_url,
            login,
            password,
            Decision::SignOutThenAuthorize,
        )
        .await
    }

    async fn decide(
        &mut self,
        authorize_url: &Url,
        login: &str,
        password: &Password,
        decision: Decision,
    ) -> Result<AuthorizationOutcome, ScriptedUserError> {
        let mut response = self.get(authorize_url.clone()).await?;
        let mut current = authorize_url.clone();
        if let Decision::SignOutThenAuthorize = decision {
            let html = text(response, &current).await?;
            let form = form_fields(&html, "sign-out");
            if form.is_empty() {
                return Err(ScriptedUserError::Unexpected(format!(
                    "The authorization page offered no sign-out: {}",
                    page_message(&html)
                )));
            }
            let sign_out = current
                .join("/auth/sign_out")
                .map_err(|e| ScriptedUserError::Unexpected(e.to_string()))?;
            response = self.post(sign_out.clone(), &form).await?;
            current = sign_out;
        }
        // The authorization page sends an anonymous browser to the sign-in page.
        if let Some(target) = location(&current, &response) {
            if target.path() != "/auth/sign_in" {
                return self.authorized_at_once(target, decision).await;
            }
            let page = self.get(target.clone()).await?;
            let html = text(page, &target).await?;
            let mut form = form_fields(&html, "sign-in");
            form.push(("user[email]".to_owned(), login.to_owned()));
            form.push(("user[password]".to_owned(), password.expose().to_owned()));
            let sign_in = target
                .join("/auth/sign_in")
                .map_err(|e| ScriptedUserError::Unexpected(e.to_string()))?;
            let after = self.post(sign_in.clone(), &form).await?;
            let Some(back) = location(&sign_in, &after) else {
                let html = text(after, &sign_in).await?;
                return Err(ScriptedUserError::Unexpected(format!(
                    "Signing in as {login} failed: {}",
                    page_message(&html)
                )));
            };
            current = back.clone();
            response = self.get(back).await?;
        }
        if let Some(target) = location(&current, &response) {
            return self.authorized_at_once(target, decision).await;
        }
        let status = response.status();
        let html = text(response, &current).await?;
        if !status.is_success() || !html.contains("id=\"consent\"") {
            return Err(ScriptedUserError::Unexpected(format!(
                "The authorization page refused the request (HTTP {}): {}",
                status.as_u16(),
                page_message(&html)
            )));
        }
        let form = form_fields(
            &html,
            match decision {
                Decision::Authorize | Decision::SignOutThenAuthorize => "consent",
                Decision::Deny => "refusal",
            },
        );
        let consent = current
            .join("/oauth/authorize")
            .map_err(|e| ScriptedUserError::Unexpected(e.to_string()))?;
        let answer = self.post(consent.clone(), &form).await?;
        if let Some(target) = location(&consent, &answer) {
            return self.arrive(target).await;
        }
        let html = text(answer, &consent).await?;
        Err(ScriptedUserError::Unexpected(format!(
            "The consent form's answer sent nowhere: {}",
            page_message(&html)
        )))
    }

    /// The authorization page sent the browser on without asking: the account had
    /// authorized the application for these scopes before. Nothing is left to deny.
    async fn authorized_at_once(
        &mut self,
        target: Url,
        decision: Decision,
    ) -> Result<AuthorizationOutcome, ScriptedUserError> {
        if let Decision::Deny = decision {
            return Err(ScriptedUserError::Unexpected(
                "The server authorized the application without asking, as the account had authorized it for these scopes before, so there was nothing to deny.".to_owned(),
            ));
        }
        self.arrive(target).await
    }

    /// Where the browser lands after the consent: the out-of-band page, read for its
    /// code, or the application's redirect URI, which is not followed.
    async fn arrive(&mut self, target: Url) -> Result<AuthorizationOutcome, ScriptedUserError> {
        if target.path() != "/oauth/authorize/native" {
            return Ok(AuthorizationOutcome::Redirect(target));
        }
        let page = self.get(target.clone()).await?;
        let html = text(page, &target).await?;
        match input_value(&html, "code") {
            Some(code) => Ok(AuthorizationOutcome::Code(AuthorizationCode::new(code))),
            None => Err(ScriptedUserError::Unexpected(format!(
                "The out-of-band page showed no code: {}",
                page_message(&html)
            ))),
        }
    }

    /// Opens a URL as the browser would when redirected there (to the application's
    /// loopback listener, say), and returns the HTTP status.
    ///
    /// # Errors
    ///
    /// [`ScriptedUserError::Http`] when the address cannot be reached.
    pub async fn visit(&mut self, url: &Url) -> Result<u16, ScriptedUserError> {
        Ok(self.get(url.clone()).await?.status().as_u16())
    }

    async fn get(&mut self, url: Url) -> Result<reqwest::Response, ScriptedUserError> {
        let request = self.http.get(url.clone());
        self.send(request, url).await
    }

    async fn post(
        &mut self,
        url: Url,
        form: &[(String, String)],
    ) -> Result<reqwest::Response, ScriptedUserError> {
        let request = self.http.post(url.clone()).form(form);
        self.send(request, url).await
    }

    /// Sends with the session cookie, as a browser would, and keeps the one set back.
    async fn send(
        &mut self,
        mut request: reqwest::RequestBuilder,
        url: Url,
    ) -> Result<reqwest::Response, ScriptedUserError> {
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        let response = request
            .send()
            .await
            .map_err(|source| ScriptedUserError::Http {
                url: without_query(&url),
                source: source.without_url(),
            })?;
        self.keep_cookie(&response);
        Ok(response)
    }

    fn keep_cookie(&mut self, response: &reqwest::Response) {
        if let Some(set) = response
            .headers()
            .get(SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            && let Some(pair) = set.split(';').next()
        {
            self.cookie = Some(pair.trim().to_owned());
        }
    }
}

fn rustls_provider_missing() -> bool {
    rustls::crypto::CryptoProvider::get_default().is_none()
}

fn location(base: &Url, response: &reqwest::Response) -> Option<Url> {
    if !response.status().is_redirection() {
        return None;
    }
    let value = response.headers().get(LOCATION)?.to_str().ok()?;
    base.join(value).ok()
}

async fn text(response: reqwest::Response, url: &Url) -> Result<String, ScriptedUserError> {
    response
        .text()
        .await
        .map_err(|source| ScriptedUserError::Http {
            url: without_query(url),
            source: source.without_url(),
        })
}

/// The button the scripted user presses on the consent page.
#[derive(Clone, Copy)]
enum Decision {
    Authorize,
    Deny,
    SignOutThenAuthorize,
}

/// The hidden inputs of the form with this `id`, in order.
fn form_fields(html: &str, id: &str) -> Vec<(String, String)> {
    let Some(start) = html
        .match_indices("<form ")
        .map(|(at, _)| at)
        .find(|&at| attribute(&html[at..], "id").as_deref() == Some(id))
    else {
        return Vec::new();
    };
    let form = &html[start..];
    let form = &form[..form.find("</form>").unwrap_or(form.len())];
    form.split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|rest| {
            let name = attribute(rest, "name")?;
            let value = attribute(rest, "value")?;
            Some((name, value))
        })
        .collect()
}

fn input_value(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    attribute(&html[start..], "value")
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let end_of_tag = tag.find('>').unwrap_or(tag.len());
    let tag = &tag[..end_of_tag];
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let len = tag[start..].find('"')?;
    Some(unescape(&tag[start..start + len]))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The message a page shows, for error reports.
fn page_message(html: &str) -> String {
    for marker in ["id=\"error\"", "id=\"message\""] {
        if let Some(start) = html.find(marker) {
            let rest = &html[start..];
            if let (Some(open), Some(close)) = (rest.find('>'), rest.find("</p>"))
                && open < close
            {
                return unescape(&rest[open + 1..close]);
            }
        }
    }
    "the page did not say why".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sandbox_forms() {
        let html = crate::pages::sign_in_page("tok&en", "/oauth/authorize?a=1&b=\"2\"", None);
        assert_eq!(
            form_fields(&html, "sign-in"),
            [
                ("authenticity_token".to_owned(), "tok&en".to_owned()),
                (
                    "return_to".to_owned(),
                    "/oauth/authorize?a=1&b=\"2\"".to_owned()
                )
            ]
        );
        assert!(form_fields(&html, "consent").is_empty());
        // The consent page's two forms carry the same request; only the refusal deletes.
        let consent = crate::pages::consent_page(
            "csrf",
            "bot",
            "alice",
            &["read"],
            &crate::pages::PendingAuthorization {
                client_id: "id",
                redirect_uri: "urn:ietf:wg:oauth:2.0:oob",
                scope: "read",
                state: Some("s"),
                code_challenge: None,
                code_challenge_method: None,
            },
            "/oauth/authorize?client_id=id",
        );
        let authorize = form_fields(&consent, "consent");
        let refuse = form_fields(&consent, "refusal");
        assert_eq!(refuse[0], ("_method".to_owned(), "delete".to_owned()));
        assert_eq!(authorize, refuse[1..]);
        assert_eq!(
            form_fields(&consent, "sign-out"),
            [
                ("authenticity_token".to_owned(), "csrf".to_owned()),
                (
                    "return_to".to_owned(),
                    "/oauth/authorize?client_id=id".to_owned()
                )
            ]
        );
        assert_eq!(
            authorize
                .iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>(),
            [
                "authenticity_token",
                "response_type",
                "client_id",
                "redirect_uri",
                "scope",
                "state"
            ]
        );
        let code = crate::pages::code_page("abc123");
        assert_eq!(input_value(&code, "code").as_deref(), Some("abc123"));
        let failed = crate::pages::sign_in_page(
            "t",
            "/",
            Some("Invalid user name, email address or password."),
        );
        assert_eq!(
            page_message(&failed),
            "Invalid user name, email address or password."
        );
    }
}

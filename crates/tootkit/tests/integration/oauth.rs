use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tootkit::{
    AuthorizationCode, AuthorizationRequest, Error, LoopbackReceiver, OOB_REDIRECT_URI, Password,
    Scopes, ServerMetadata,
};
use tootkit_sandbox::{AuthorizationOutcome, SandboxConfig, ScriptedUser};

use crate::{PASSWORD, USER, fast_client, oob_code, register, sandbox, sandbox_with};

#[tokio::test]
async fn the_full_code_flow_through_the_loopback_receiver_gives_a_working_token() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let scopes = Scopes::read_write();
    let app = register(&client, &scopes).await;
    assert_eq!(app.application.name, "tootkit tests");
    assert_eq!(app.application.scopes, ["read", "write"]);

    let server = client.oauth().discover().await.unwrap();
    assert!(server.published, "the sandbox publishes RFC 8414 metadata");
    assert_eq!(
        server.code_challenge_methods_supported.as_deref(),
        Some(&["S256".to_owned()][..])
    );
    assert!(!server.supports_grant("password"));

    let receiver = LoopbackReceiver::bind().await.unwrap();
    let request = AuthorizationRequest::new(&app.client_id, &receiver.redirect_uri(), scopes)
        .force_login(true);
    let url = request.url(&server);
    let waiting = receiver.receive(request.state(), Duration::from_secs(20));
    let browser = async {
        let mut user = ScriptedUser::new().unwrap();
        let outcome = user
            .authorize(&url, USER, &Password::new(PASSWORD))
            .await
            .unwrap();
        let AuthorizationOutcome::Redirect(target) = outcome else {
            panic!("expected a redirect to the loopback listener");
        };
        assert!(
            target
                .as_str()
                .starts_with(&request.redirect_uri().to_string())
        );
        assert_eq!(
            user.visit(&target).await.unwrap(),
            200,
            "the browser gets the success page"
        );
    };
    let (code, ()) = tokio::join!(waiting, browser);
    let token = client
        .oauth()
        .exchange_code(&app.credentials(), &request, code.unwrap())
        .await
        .unwrap();
    assert_eq!(token.scope, "read write");
    assert_eq!(token.token_type, "Bearer");

    let user = client.with_access_token(token.access_token.clone());
    let me = user.accounts().verify_credentials().await.unwrap();
    assert_eq!(me.username, USER);
    assert!(
        me.source.is_some(),
        "verify_credentials carries the private source"
    );
    let registered = user.apps().verify_credentials().await.unwrap();
    assert_eq!(registered.name, "tootkit tests");

    // Revoked, the token stops working.
    client
        .oauth()
        .revoke(&app.credentials(), &token.access_token)
        .await
        .unwrap();
    let refused = user.accounts().verify_credentials().await.unwrap_err();
    assert!(
        matches!(&refused, Error::Unauthorized { server_message: Some(m) } if m == "The access token was revoked"),
        "Doorkeeper's words for a revoked token: {refused:?}"
    );
    assert_eq!(
        refused.to_string(),
        "The server refused the access token (\u{201c}The access token was revoked\u{201d}); get a new one by signing in again or in the web interface's Development settings."
    );
}

#[tokio::test]
async fn a_reused_code_gets_invalid_grant_with_its_causes_spelled_out() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read()).await;
    let server = client.oauth().discover().await.unwrap();
    let request = AuthorizationRequest::new(&app.client_id, OOB_REDIRECT_URI, Scopes::read());
    let code = oob_code(&request.url(&server)).await;
    client
        .oauth()
        .exchange_code(&app.credentials(), &request, code.clone())
        .await
        .expect("the first exchange works");
    let err = client
        .oauth()
        .exchange_code(&app.credentials(), &request, code)
        .await
        .unwrap_err();
    let Error::OAuth { error, .. } = &err else {
        panic!("expected an OAuth error, got {err:?}");
    };
    assert_eq!(error, "invalid_grant");
    let message = err.to_string();
    assert!(
        message.starts_with("The server refused the authorization code (invalid_grant): "),
        "Doorkeeper's own long-winded description is left out: {message}"
    );
    for cause in [
        "mistyped or cut short",
        "already used",
        "older than ten minutes",
        "another client",
        "redirect URI",
    ] {
        assert!(message.contains(cause), "missing `{cause}` in: {message}");
    }
}

#[tokio::test]
async fn a_loopback_redirect_may_name_another_port_at_the_exchange_but_nothing_else() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read()).await;
    let server = client.oauth().discover().await.unwrap();
    let request = AuthorizationRequest::new(
        &app.client_id,
        "http://127.0.0.1:4123/callback",
        Scopes::read(),
    );
    let mut user = ScriptedUser::new().unwrap();
    let AuthorizationOutcome::Redirect(target) = user
        .authorize(&request.url(&server), USER, &Password::new(PASSWORD))
        .await
        .unwrap()
    else {
        panic!("expected a redirect to the loopback address");
    };
    let code = target
        .query_pairs()
        .find(|(name, _)| name == "code")
        .unwrap()
        .1
        .into_owned();
    let exchange = |redirect_uri: &'static str| {
        reqwest::Client::new()
            .post(format!("{}/oauth/token", sandbox.base_url()))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", redirect_uri),
                ("code_verifier", request.verifier().expose()),
                ("client_id", app.client_id.as_str()),
                ("client_secret", app.client_secret.expose()),
            ])
            .send()
    };
    let elsewhere = exchange("http://127.0.0.1:4123/other").await.unwrap();
    assert_eq!(elsewhere.status(), 400, "another path is another address");
    // RFC 8252 §7.3, as Doorkeeper compares the two at the exchange too.
    let other_port = exchange("http://127.0.0.1:5555/callback").await.unwrap();
    assert_eq!(other_port.status(), 200);
    let token: serde_json::Value = other_port.json().await.unwrap();
    assert_eq!(token["scope"], "read");
}

#[tokio::test]
async fn a_redirect_uri_may_carry_the_clients_own_query_as_on_mastodon() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = client
        .apps()
        .register("tootkit tests")
        .scopes(Scopes::read())
        .redirect_uri("https://bot.example/cb?account=7&lang=en")
        .redirect_uri(LoopbackReceiver::REGISTERED_REDIRECT_URI)
        .send()
        .await
        .unwrap();
    let server = client.oauth().discover().await.unwrap();
    let authorize = |redirect_uri: &str| {
        let request = AuthorizationRequest::new(&app.client_id, redirect_uri, Scopes::read());
        let url = request.url(&server);
        async move {
            let outcome = ScriptedUser::new()
                .unwrap()
                .authorize(&url, USER, &Password::new(PASSWORD))
                .await;
            (request, outcome)
        }
    };

    // A query of its own on a redirect registered without one comes back with the code,
    // and the same address is the one to exchange it with.
    let redirect_uri = "http://127.0.0.1:4123/callback?session=abc";
    let (request, outcome) = authorize(redirect_uri).await;
    let Ok(AuthorizationOutcome::Redirect(target)) = outcome else {
        panic!("expected a redirect, got {outcome:?}");
    };
    let pairs: Vec<(String, String)> = target.query_pairs().into_owned().collect();
    assert_eq!(pairs[0], ("session".into(), "abc".into()), "{target}");
    let code = pairs
        .iter()
        .find(|(name, _)| name == "code")
        .unwrap()
        .1
        .clone();
    let exchanged = reqwest::Client::new()
        .post(format!("{}/oauth/token", sandbox.base_url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", request.verifier().expose()),
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(exchanged.status(), 200);

    // A registered query must come back whole, in any order, and nothing more.
    let (_, outcome) = authorize("https://bot.example/cb?lang=en&account=7").await;
    let Ok(AuthorizationOutcome::Redirect(target)) = outcome else {
        panic!("expected a redirect, got {outcome:?}");
    };
    assert!(
        target
            .as_str()
            .starts_with("https://bot.example/cb?lang=en&account=7&code="),
        "{target}"
    );
    for stray in [
        "https://bot.example/cb?account=7",
        "https://bot.example/cb?account=7&lang=en&x=1",
    ] {
        let (_, outcome) = authorize(stray).await;
        assert!(
            !matches!(outcome, Ok(AuthorizationOutcome::Redirect(_))),
            "{stray} was taken for the registered address: {outcome:?}"
        );
    }
}

#[tokio::test]
async fn a_wrong_pkce_verifier_or_redirect_uri_is_refused_without_using_up_the_code() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read()).await;
    let server = client.oauth().discover().await.unwrap();
    let is_invalid_grant =
        |err: &Error| matches!(err, Error::OAuth { error, .. } if error == "invalid_grant");

    let request = AuthorizationRequest::new(&app.client_id, OOB_REDIRECT_URI, Scopes::read());
    let code = oob_code(&request.url(&server)).await;
    // Same client and redirect, but another request's verifier.
    let impostor = AuthorizationRequest::new(&app.client_id, OOB_REDIRECT_URI, Scopes::read());
    let err = client
        .oauth()
        .exchange_code(&app.credentials(), &impostor, code.clone())
        .await
        .unwrap_err();
    assert!(is_invalid_grant(&err), "{err:?}");
    assert!(
        err.to_string().contains(
            "or the redirect URI or PKCE verifier sent with it is not the authorization request's"
        ),
        "the message names this cause among the others: {err}"
    );
    // As Doorkeeper: a refused exchange leaves the code to its rightful owner.
    let token = client
        .oauth()
        .exchange_code(&app.credentials(), &request, code)
        .await
        .unwrap();
    assert_eq!(token.scope, "read");

    // The right verifier, but not the redirect URI the code was issued for.
    let request = AuthorizationRequest::new(&app.client_id, OOB_REDIRECT_URI, Scopes::read());
    let code = oob_code(&request.url(&server)).await;
    let exchange = |redirect_uri: &'static str| {
        reqwest::Client::new()
            .post(format!("{}/oauth/token", sandbox.base_url()))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.expose()),
                ("redirect_uri", redirect_uri),
                ("code_verifier", request.verifier().expose()),
                ("client_id", app.client_id.as_str()),
                ("client_secret", app.client_secret.expose()),
            ])
            .send()
    };
    let refused = exchange("http://127.0.0.1:9/callback").await.unwrap();
    assert_eq!(refused.status(), 400);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant", "{body}");
    // No verifier for a code issued with a challenge: a request missing a parameter,
    // found before the client is (a wrong secret here), as Doorkeeper checks them.
    let unverified = reqwest::Client::new()
        .post(format!("{}/oauth/token", sandbox.base_url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("redirect_uri", OOB_REDIRECT_URI),
            ("client_id", app.client_id.as_str()),
            ("client_secret", "not-the-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(unverified.status(), 400);
    let body: serde_json::Value = unverified.json().await.unwrap();
    assert_eq!(
        (body["error"].as_str(), body["error_description"].as_str()),
        (
            Some("invalid_request"),
            Some("Missing required parameter: code_verifier.")
        ),
        "{body}"
    );
    // No code at all: missing before anything else is looked at.
    for code in [None, Some(""), Some("  ")] {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("redirect_uri", OOB_REDIRECT_URI),
            ("client_id", app.client_id.as_str()),
            ("client_secret", "not-the-secret"),
        ];
        form.extend(code.map(|code| ("code", code)));
        let uncoded = reqwest::Client::new()
            .post(format!("{}/oauth/token", sandbox.base_url()))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(uncoded.status(), 400);
        let body: serde_json::Value = uncoded.json().await.unwrap();
        assert_eq!(
            (body["error"].as_str(), body["error_description"].as_str()),
            (
                Some("invalid_request"),
                Some("Missing required parameter: code.")
            ),
            "{code:?}: {body}"
        );
    }
    let granted = exchange(OOB_REDIRECT_URI).await.unwrap();
    assert_eq!(
        granted.status(),
        200,
        "the same exchange with the code's own redirect"
    );
}

#[tokio::test]
async fn the_loopback_receiver_refuses_a_wrong_state_and_keeps_waiting() {
    let receiver = LoopbackReceiver::bind().await.unwrap();
    let base = receiver.redirect_uri();
    let forged = url::Url::parse(&format!("{base}?code=stolen&state=not-the-one")).unwrap();
    let genuine = url::Url::parse(&format!("{base}?code=the-code&state=the-real-state")).unwrap();
    let waiting = receiver.receive("the-real-state", Duration::from_secs(10));
    let browser = async {
        let mut browser = ScriptedUser::new().unwrap();
        // A stray request: the receiver keeps waiting.
        assert_eq!(
            browser
                .visit(&forged.join("/favicon.ico").unwrap())
                .await
                .unwrap(),
            404
        );
        // A forged redirect: refused, and the browser is told so, but the wait goes on.
        assert_eq!(browser.visit(&forged).await.unwrap(), 400);
        assert_eq!(browser.visit(&genuine).await.unwrap(), 200);
    };
    let (outcome, ()) = tokio::join!(waiting, browser);
    assert_eq!(
        outcome.unwrap().expose(),
        "the-code",
        "the forged code was not taken"
    );

    // When only a forged redirect comes, the wait ends saying so.
    let receiver = LoopbackReceiver::bind().await.unwrap();
    let forged = url::Url::parse(&format!(
        "{}?code=stolen&state=other",
        receiver.redirect_uri()
    ))
    .unwrap();
    // The browser is ready before the wait starts, so the forged visit needs only a
    // connection to loopback within the wait.
    let mut browser = ScriptedUser::new().unwrap();
    let (outcome, status) = tokio::join!(
        receiver.receive("mine", Duration::from_secs(10)),
        browser.visit(&forged)
    );
    let status = status.unwrap();
    assert_eq!(status, 400);
    let err = outcome.unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "state_mismatch"),
        "{err:?}"
    );
    assert!(err.to_string().contains("possible forgery"), "{err}");

    // This sign-in's state without a code: nothing better will come, and the wait
    // ends at once rather than at its timeout.
    let receiver = LoopbackReceiver::bind().await.unwrap();
    let codeless = url::Url::parse(&format!("{}?state=mine", receiver.redirect_uri())).unwrap();
    let mut browser = ScriptedUser::new().unwrap();
    let started = std::time::Instant::now();
    let (outcome, status) = tokio::join!(
        receiver.receive("mine", Duration::from_secs(60)),
        browser.visit(&codeless)
    );
    assert_eq!(status.unwrap(), 400);
    let err = outcome.unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "no_code"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("The browser came back from the server without an authorization code;"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "not at the timeout"
    );
}

#[tokio::test]
async fn the_loopback_receiver_times_out_with_advice() {
    let receiver = LoopbackReceiver::bind().await.unwrap();
    let err = receiver
        .receive("state", Duration::from_millis(200))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("No sign-in redirect arrived within 0.2 s"),
        "{text}"
    );
    assert!(text.contains("start the sign-in again"), "{text}");
}

#[tokio::test]
async fn pressing_deny_reaches_the_receiver_as_access_denied() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read()).await;
    let server = client.oauth().discover().await.unwrap();
    let receiver = LoopbackReceiver::bind().await.unwrap();
    let request =
        AuthorizationRequest::new(&app.client_id, &receiver.redirect_uri(), Scopes::read());
    let url = request.url(&server);
    let (outcome, ()) = tokio::join!(
        receiver.receive(request.state(), Duration::from_secs(10)),
        async {
            let mut user = ScriptedUser::new().unwrap();
            let AuthorizationOutcome::Redirect(target) = user
                .deny(&url, USER, &Password::new(PASSWORD))
                .await
                .unwrap()
            else {
                panic!("a denial redirects back to the application");
            };
            assert!(
                target.query().unwrap().contains("error=access_denied"),
                "{target}"
            );
            assert_eq!(user.visit(&target).await.unwrap(), 200);
        }
    );
    let err = outcome.unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "access_denied"),
        "{err:?}"
    );
    assert!(err.to_string().contains("choose Authorize"), "{err}");
}

#[tokio::test]
async fn the_password_grant_is_refused_unless_the_sandbox_keeps_the_legacy_grant() {
    let modern = sandbox().await;
    let client = fast_client(&modern);
    let app = register(&client, &Scopes::read()).await;
    let server = client.oauth().discover().await.unwrap();
    let err = client
        .oauth()
        .password_grant(
            &server,
            &app.credentials(),
            USER,
            &Password::new(PASSWORD),
            &Scopes::read(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotSupported { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("Mastodon removed the password grant in 4.4"),
        "{text}"
    );
    assert!(text.contains("Preferences > Development"), "{text}");

    // Without metadata to go by, the token endpoint says the same, as Mastodon 4.4 does.
    let assumed = ServerMetadata::assumed(&client);
    let err = client
        .oauth()
        .password_grant(
            &assumed,
            &app.credentials(),
            USER,
            &Password::new(PASSWORD),
            &Scopes::read(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "unsupported_grant_type"),
        "{err:?}"
    );

    let legacy = sandbox_with(SandboxConfig::in_memory().legacy_password_grant(true)).await;
    let client = fast_client(&legacy);
    let app = register(&client, &Scopes::read()).await;
    let server = client.oauth().discover().await.unwrap();
    assert!(server.supports_grant("password"));
    let token = client
        .oauth()
        .password_grant(
            &server,
            &app.credentials(),
            "alice@localhost",
            &Password::new(PASSWORD),
            &Scopes::read(),
        )
        .await
        .expect("the legacy grant works with the email address");
    // As in Mastodon, the user name is no login for the password grant.
    let err = client
        .oauth()
        .password_grant(
            &server,
            &app.credentials(),
            USER,
            &Password::new(PASSWORD),
            &Scopes::read(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "invalid_credentials"),
        "{err:?}"
    );
    let me = client
        .with_access_token(token.access_token)
        .accounts()
        .verify_credentials()
        .await
        .unwrap();
    assert_eq!(me.acct, USER);
    let err = client
        .oauth()
        .password_grant(
            &server,
            &app.credentials(),
            USER,
            &Password::new("wrong"),
            &Scopes::read(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "invalid_credentials"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("refused the user name or password"),
        "{err}"
    );
    // The password is judged before the scopes, as Doorkeeper does.
    let err = client
        .oauth()
        .password_grant(
            &server,
            &app.credentials(),
            "alice@localhost",
            &Password::new("wrong"),
            &Scopes::read_write(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "invalid_credentials"),
        "{err:?}"
    );
}

#[tokio::test]
async fn client_credentials_give_an_app_token_that_cannot_act_as_a_user() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read_write()).await;
    let token = client
        .oauth()
        .client_credentials(&app.credentials(), &Scopes::read())
        .await
        .unwrap();
    let app_client = client.with_access_token(token.access_token);
    assert_eq!(
        app_client.apps().verify_credentials().await.unwrap().name,
        "tootkit tests"
    );
    let err = app_client
        .accounts()
        .verify_credentials()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Validation { .. }),
        "an app token has no account: {err:?}"
    );

    let err = client
        .oauth()
        .client_credentials(&app.credentials(), &Scopes::parse("admin:read").unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "invalid_scope"),
        "{err:?}"
    );
    let wrong =
        tootkit::AppCredentials::new(app.client_id.clone(), tootkit::ClientSecret::new("nope"));
    let err = client
        .oauth()
        .client_credentials(&wrong, &Scopes::read())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "invalid_client"),
        "{err:?}"
    );
}

#[tokio::test]
async fn app_names_over_sixty_characters_are_refused_before_sending() {
    // Nothing listens here: an error other than InvalidInput would mean a request was made.
    let client = tootkit::Client::new("http://127.0.0.1:9".parse().unwrap()).unwrap();
    let err = client
        .apps()
        .register("x".repeat(61))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("61 characters long; Mastodon accepts at most 60"),
        "{err}"
    );
    // Sent as lines of one string, a URI with a line break would register two.
    let err = client
        .apps()
        .register("bot")
        .redirect_uri("https://example.com/a\nhttps://evil.example/b")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { .. }) && err.to_string().contains("without spaces"),
        "{err:?}"
    );
}

#[tokio::test]
async fn discovery_falls_back_when_a_server_publishes_no_metadata() {
    // An HTML page where the metadata should be, as Akkoma serves.
    let html = axum::Router::new().fallback(|| async {
        axum::response::Html("<!DOCTYPE html><html><body>app</body></html>")
    });
    let addr = crate::serve(html).await;
    let client = tootkit::Client::new(format!("http://{addr}").parse().unwrap()).unwrap();
    let server = client.oauth().discover().await.unwrap();
    assert!(!server.published);
    assert_eq!(
        server.authorization_endpoint,
        format!("http://{addr}/oauth/authorize")
    );
    assert!(
        server.supports_grant("password"),
        "unknown, so left to the token endpoint"
    );
}

/// A server answering `/.well-known/oauth-authorization-server` with `metadata`, and
/// counting the requests that reach its token endpoint.
async fn server_publishing(metadata: serde_json::Value) -> (tootkit::Client, Arc<AtomicUsize>) {
    let tokens = Arc::new(AtomicUsize::new(0));
    let counted = tokens.clone();
    let router = axum::Router::new()
        .route(
            "/.well-known/oauth-authorization-server",
            axum::routing::get(move || async move { axum::Json(metadata) }),
        )
        .route(
            "/oauth/token",
            axum::routing::post(move || async move {
                counted.fetch_add(1, Ordering::SeqCst);
                axum::http::StatusCode::BAD_REQUEST
            }),
        );
    let addr = crate::serve(router).await;
    let client = tootkit::Client::new(format!("http://{addr}").parse().unwrap()).unwrap();
    (client, tokens)
}

#[tokio::test]
async fn metadata_listing_no_grant_types_means_no_password_is_sent() {
    let (client, tokens) = server_publishing(serde_json::json!({
        "issuer": "https://example.org/",
        "authorization_endpoint": "https://example.org/oauth/authorize",
        "token_endpoint": "https://example.org/oauth/token",
    }))
    .await;
    let server = client.oauth().discover().await.unwrap();
    assert!(server.published);
    // RFC 8414: an omitted list means authorization_code and implicit.
    assert!(server.supports_grant("authorization_code"));
    assert!(!server.supports_grant("password"));
    let app = tootkit::AppCredentials::new("id", tootkit::ClientSecret::new("secret"));
    let err = client
        .oauth()
        .password_grant(
            &server,
            &app,
            "bot@example.org",
            &tootkit::Password::new("hunter2"),
            &Scopes::read(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotSupported { .. }), "{err:?}");
    assert_eq!(tokens.load(Ordering::SeqCst), 0, "the password never left");
}

#[tokio::test]
async fn metadata_sending_the_browser_over_plain_http_elsewhere_is_not_followed() {
    let (client, _) = server_publishing(serde_json::json!({
        "issuer": "https://example.org/",
        "authorization_endpoint": "http://login.example.net/oauth/authorize",
        "token_endpoint": "http://login.example.net/oauth/token",
        "grant_types_supported": ["authorization_code"],
    }))
    .await;
    let server = client.oauth().discover().await.unwrap();
    // The instance's own pages instead; what the metadata says of grants still holds.
    assert_eq!(
        server.authorization_endpoint,
        client.base_url().endpoint("/oauth/authorize").as_str()
    );
    assert_eq!(
        server.token_endpoint,
        client.base_url().endpoint("/oauth/token").as_str()
    );
    assert!(server.published && !server.supports_grant("password"));
    let request = AuthorizationRequest::new("id", OOB_REDIRECT_URI, Scopes::read());
    assert!(
        request
            .url(&server)
            .as_str()
            .starts_with(client.base_url().endpoint("/oauth/authorize").as_str())
    );
    // Unreadable metadata is none: Mastodon's endpoints on the instance itself.
    let (client, _) = server_publishing(serde_json::json!({ "issuer": 3 })).await;
    let server = client.oauth().discover().await.unwrap();
    assert!(!server.published);
    assert_eq!(
        server.authorization_endpoint,
        client.base_url().endpoint("/oauth/authorize").as_str()
    );
}

#[tokio::test]
async fn a_code_is_good_for_ten_minutes_then_gets_invalid_grant() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read()).await;
    let server = client.oauth().discover().await.unwrap();
    let request = AuthorizationRequest::new(&app.client_id, OOB_REDIRECT_URI, Scopes::read());

    let code = oob_code(&request.url(&server)).await;
    sandbox.advance_clock(Duration::from_secs(9 * 60 + 50));
    client
        .oauth()
        .exchange_code(&app.credentials(), &request, code)
        .await
        .expect("a code nearly ten minutes old still works");

    let code = oob_code(&request.url(&server)).await;
    sandbox.advance_clock(Duration::from_secs(10 * 60 + 10));
    let err = client
        .oauth()
        .exchange_code(&app.credentials(), &request, code)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "invalid_grant"),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("older than ten minutes"),
        "the causes are listed: {err}"
    );
}

#[tokio::test]
async fn an_application_authorized_before_is_authorized_again_unless_force_login() {
    let sandbox =
        sandbox_with(SandboxConfig::in_memory().user("bob", Password::new("bobs password"))).await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::parse("read write").unwrap()).await;
    let server = client.oauth().discover().await.unwrap();
    let request = |scopes: &str| {
        AuthorizationRequest::new(
            &app.client_id,
            OOB_REDIRECT_URI,
            Scopes::parse(scopes).unwrap(),
        )
    };
    let mut browser = ScriptedUser::new().unwrap();
    let first = request("read");
    let Ok(AuthorizationOutcome::Code(code)) = browser
        .authorize(&first.url(&server), USER, &Password::new(PASSWORD))
        .await
    else {
        panic!("signed in and authorized");
    };
    // A code alone is no authorization yet: the consent page is still shown, and the
    // signed-in browser is not asked to sign in again.
    let asked = browser
        .deny(
            &request("read").url(&server),
            USER,
            &Password::new("not asked"),
        )
        .await
        .unwrap_err();
    assert!(
        asked.to_string().contains("Nothing was authorized"),
        "{asked}"
    );
    client
        .oauth()
        .exchange_code(&app.credentials(), &first, code)
        .await
        .unwrap();

    // With a working token for the same scopes, no question is asked, as Mastodon's
    // `matching_token?` redirects at once: there is no page on which to deny.
    let again = browser
        .deny(
            &request("read").url(&server),
            USER,
            &Password::new("not asked"),
        )
        .await
        .unwrap_err();
    assert!(
        again
            .to_string()
            .contains("authorized the application without asking"),
        "{again}"
    );
    let again = browser
        .authorize(
            &request("read").url(&server),
            USER,
            &Password::new("not asked"),
        )
        .await;
    assert!(
        matches!(again, Ok(AuthorizationOutcome::Code(_))),
        "{again:?}"
    );
    // Other scopes are asked for.
    let wider = browser
        .deny(
            &request("read write").url(&server),
            USER,
            &Password::new("not asked"),
        )
        .await
        .unwrap_err();
    assert!(
        wider.to_string().contains("Nothing was authorized"),
        "{wider}"
    );
    // force_login shows the page again, to the signed-in browser...
    let forced = request("read").force_login(true);
    let shown = browser
        .deny(&forced.url(&server), USER, &Password::new("not asked"))
        .await
        .unwrap_err();
    assert!(
        shown.to_string().contains("Nothing was authorized"),
        "{shown}"
    );
    // ...where signing out lets another account authorize.
    let forced = request("read").force_login(true);
    let Ok(AuthorizationOutcome::Code(code)) = browser
        .sign_out_and_authorize(&forced.url(&server), "bob", &Password::new("bobs password"))
        .await
    else {
        panic!("signed out and in as bob");
    };
    let token = client
        .oauth()
        .exchange_code(&app.credentials(), &forced, code)
        .await
        .unwrap()
        .access_token;
    let bob = client.with_access_token(token);
    assert_eq!(
        bob.accounts().verify_credentials().await.unwrap().username,
        "bob"
    );
}

#[tokio::test]
async fn a_response_mode_holds_where_mastodon_keeps_it_and_an_unknown_one_is_refused() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read()).await;
    let server = client.oauth().discover().await.unwrap();
    let redirect_uri = "http://127.0.0.1:4123/callback";
    let asking = |mode: &str| {
        let request = AuthorizationRequest::new(&app.client_id, redirect_uri, Scopes::read());
        let mut url = request.url(&server);
        url.query_pairs_mut().append_pair("response_mode", mode);
        (request, url)
    };
    let code_in = |pairs: Option<&str>| {
        url::form_urlencoded::parse(pairs.unwrap_or_default().as_bytes())
            .find(|(name, _)| name == "code")
            .map(|(_, code)| AuthorizationCode::new(code.into_owned()))
    };
    let mut browser = ScriptedUser::new().unwrap();

    // Mastodon's consent form does not carry the mode on: its answer is in the query.
    let (first, url) = asking("fragment");
    let Ok(AuthorizationOutcome::Redirect(target)) = browser
        .authorize(&url, USER, &Password::new(PASSWORD))
        .await
    else {
        panic!("a redirect to the application");
    };
    assert_eq!(target.fragment(), None, "{target}");
    let code = code_in(target.query()).expect("the code in the query");
    client
        .oauth()
        .exchange_code(&app.credentials(), &first, code)
        .await
        .unwrap();

    // Authorized again at once, the mode holds: the code and state in the fragment.
    let (again, url) = asking("fragment");
    let Ok(AuthorizationOutcome::Redirect(target)) = browser
        .authorize(&url, USER, &Password::new("not asked"))
        .await
    else {
        panic!("a redirect to the application");
    };
    assert_eq!(target.query(), None, "{target}");
    let state = url::form_urlencoded::parse(target.fragment().unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "state")
        .map(|(_, state)| state.into_owned());
    assert_eq!(state.as_deref(), Some(again.state()));
    let code = code_in(target.fragment()).expect("the code in the fragment");
    let token = client
        .oauth()
        .exchange_code(&app.credentials(), &again, code)
        .await
        .unwrap();
    assert_eq!(token.scope, "read");

    // A mode the server does not have is an error page, and no code.
    let (_, url) = asking("jsonp");
    let refused = browser
        .authorize(&url, USER, &Password::new("not asked"))
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("The authorization server does not support this response mode."),
        "{refused}"
    );
}

#[tokio::test]
async fn the_sign_in_and_consent_forms_refuse_a_missing_or_foreign_csrf_token() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // A session of its own, as an attacker's page would not have the victim's.
    let page = http
        .get(format!("{base}/auth/sign_in"))
        .send()
        .await
        .unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    for token in ["", "forged-token"] {
        let answer = http
            .post(format!("{base}/auth/sign_in"))
            .header("cookie", &cookie)
            .form(&[
                ("authenticity_token", token),
                ("user[email]", USER),
                ("user[password]", PASSWORD),
                ("return_to", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 422);
        assert!(
            answer.headers().get("set-cookie").is_none(),
            "no session is signed in"
        );
        // An error page is a page: not to be framed, cached or scripted either.
        for (header, value) in [
            ("x-frame-options", "DENY"),
            ("cache-control", "no-store"),
            ("referrer-policy", "no-referrer"),
        ] {
            assert_eq!(
                answer.headers().get(header).and_then(|v| v.to_str().ok()),
                Some(value),
                "{header}"
            );
        }
        assert!(
            answer
                .headers()
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|policy| policy.starts_with("default-src 'none'"))
        );
        assert!(answer.text().await.unwrap().contains("Form expired"));
    }
    let consent = http
        .post(format!("{base}/oauth/authorize"))
        .form(&[("client_id", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(consent.status(), 422, "no session, no consent");
}

#[tokio::test]
async fn signing_out_ends_the_session_and_an_abandoned_one_lasts_a_day() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // A sign-in page's session: its cookie and its form's token.
    let open = || async {
        let page = http
            .get(format!("{base}/auth/sign_in"))
            .send()
            .await
            .unwrap();
        let cookie = page.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let html = page.text().await.unwrap();
        let token = html
            .split("name=\"authenticity_token\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        (cookie, token)
    };
    let sign_in = |cookie: String, token: String| {
        http.post(format!("{base}/auth/sign_in"))
            .header("cookie", cookie)
            .form(&[
                ("authenticity_token", token.as_str()),
                ("user[email]", USER),
                ("user[password]", PASSWORD),
                ("return_to", "/"),
            ])
            .send()
    };

    let (cookie, token) = open().await;
    let signed_in = sign_in(cookie.clone(), token).await.unwrap();
    assert_eq!(signed_in.status(), 302);
    let session = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(session, cookie, "a new session on sign-in");
    // The signed-in session's token is the one its pages carry.
    let page = http
        .get(format!("{base}/auth/sign_in"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = page
        .split("name=\"authenticity_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let signed_out = http
        .post(format!("{base}/auth/sign_out"))
        .header("cookie", &session)
        .form(&[("authenticity_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), 302);
    // Ended: neither the session nor its token signs in again.
    let again = sign_in(session, token).await.unwrap();
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("Form expired"));

    // A sign-in page left open more than a day is forgotten when another is opened.
    let (cookie, token) = open().await;
    sandbox.advance_clock(std::time::Duration::from_secs(25 * 60 * 60));
    let _ = open().await;
    let late = sign_in(cookie, token).await.unwrap();
    assert_eq!(late.status(), 422);
}

#[tokio::test]
async fn the_sandbox_reads_scopes_and_pkce_as_doorkeeper_does() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let http = reqwest::Client::new();
    // Scopes are separated by spaces: `read,write` is one unknown scope.
    let commas = http
        .post(format!("{base}/api/v1/apps"))
        .form(&[
            ("client_name", "commas"),
            ("redirect_uris", OOB_REDIRECT_URI),
            ("scopes", "read,write"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(commas.status(), 422);

    // A code issued without a challenge takes no verifier.
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read()).await;
    let mut url = url::Url::parse(&format!("{base}/oauth/authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &app.client_id)
        .append_pair("redirect_uri", OOB_REDIRECT_URI)
        .append_pair("scope", "read");
    let code = oob_code(&url).await;
    let with_verifier = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose()),
            ("redirect_uri", OOB_REDIRECT_URI),
            (
                "code_verifier",
                "a-verifier-nobody-asked-for-0123456789abcdefgh",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(with_verifier.status(), 400);
    let body: serde_json::Value = with_verifier.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn registration_with_several_redirect_uris_works_before_mastodon_4_3() {
    let old = sandbox_with(SandboxConfig::in_memory().before_4_3(true)).await;
    let client = fast_client(&old);
    // What a client sending the URIs as a JSON list gets from such a server.
    let list: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v1/apps", old.base_url()))
        .json(&serde_json::json!({
            "client_name": "list",
            "redirect_uris": [OOB_REDIRECT_URI, LoopbackReceiver::REGISTERED_REDIRECT_URI],
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["error"], "Validation failed: Redirect URI can't be blank",
        "{list}"
    );

    let app = client
        .apps()
        .register("both")
        .scopes(Scopes::parse("read write").unwrap())
        .redirect_uri(OOB_REDIRECT_URI)
        .redirect_uri(LoopbackReceiver::REGISTERED_REDIRECT_URI)
        .send()
        .await
        .expect("one string, a URI per line, is read by every version");
    assert!(
        app.application.redirect_uris.is_empty(),
        "shown as Mastodon 4.2 shows it"
    );
    assert_eq!(
        app.application.registered_redirect_uris(),
        [OOB_REDIRECT_URI, LoopbackReceiver::REGISTERED_REDIRECT_URI]
    );
    let server = client.oauth().discover().await.unwrap();
    assert!(!server.published);
    assert!(!server.supports_scope("profile"));
    let modern = sandbox().await;
    let server = fast_client(&modern).oauth().discover().await.unwrap();
    assert!(server.supports_scope("profile") && server.supports_scope("write:statuses"));
}

#[tokio::test]
async fn pleromas_refusals_are_named_as_the_oauth_errors_they_stand_for() {
    // Pleroma and Akkoma publish no OAuth metadata (their front end answers instead) and
    // refuse a wrong password, code or client alike with `400 {"error": "Invalid
    // credentials"}` (`render_invalid_credentials_error` in their OAuthController).
    let router = axum::Router::new()
        .route(
            "/oauth/token",
            axum::routing::post(|| async {
                (
                    axum::http::StatusCode::BAD_REQUEST,
                    [("content-type", "application/json")],
                    r#"{"error":"Invalid credentials"}"#,
                )
            }),
        )
        .fallback(|| async { axum::response::Html("<!doctype html><div id=app></div>") });
    let addr = crate::serve(router).await;
    let client = tootkit::Client::new(format!("http://{addr}").parse().unwrap()).unwrap();
    let server = client.oauth().discover().await.unwrap();
    let app = tootkit::AppCredentials::new("id", tootkit::ClientSecret::new("secret"));
    let err = client
        .oauth()
        .password_grant(
            &server,
            &app,
            "alice@example.org",
            &Password::new("wrong"),
            &Scopes::read(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "invalid_credentials"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("The server refused the user name or password"),
        "{err}"
    );

    let request = AuthorizationRequest::new(&app.client_id, OOB_REDIRECT_URI, Scopes::read());
    let err = client
        .oauth()
        .exchange_code(&app, &request, tootkit::AuthorizationCode::new("pasted"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "invalid_grant"),
        "a bad code gets the code's explanation: {err:?}"
    );
    assert!(err.to_string().contains("older than ten minutes"), "{err}");
    let err = client
        .oauth()
        .client_credentials(&app, &Scopes::read())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "invalid_client"),
        "{err:?}"
    );
}

#[tokio::test]
async fn oauth_metadata_is_withheld_from_python_requests_alone() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    assert!(
        client.oauth().discover().await.unwrap().published,
        "tootkit's own"
    );
    let url = sandbox
        .base_url()
        .endpoint("/.well-known/oauth-authorization-server");
    let http = reqwest::Client::new();
    let status = |headers: &'static [(&'static str, &'static str)]| {
        let mut request = http.get(url.clone());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    const PYTHON: &[(&str, &str)] = &[
        ("user-agent", "weatherbot/2.1"),
        ("accept-encoding", "gzip, deflate"),
        ("accept", "*/*"),
        ("connection", "keep-alive"),
    ];
    assert_eq!(status(PYTHON).await, 404, "Mastodon.py naming itself");
    assert_eq!(
        status(&[("user-agent", "mastodonpy")]).await,
        404,
        "Mastodon.py"
    );
    const BROWSER_FETCH: &[(&str, &str)] = &[
        ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"),
        ("accept-encoding", "gzip, deflate, br, zstd"),
        ("accept", "*/*"),
        ("connection", "keep-alive"),
        ("sec-fetch-mode", "cors"),
    ];
    assert_eq!(status(BROWSER_FETCH).await, 200, "a web client's fetch");
    const NODE_FETCH: &[(&str, &str)] = &[
        ("user-agent", "node"),
        ("accept-encoding", "gzip, deflate"),
        ("accept", "*/*"),
        ("connection", "keep-alive"),
        ("sec-fetch-mode", "cors"),
    ];
    assert_eq!(status(NODE_FETCH).await, 200, "Node's fetch");
    assert_eq!(status(&[("user-agent", "curl/8.5.0")]).await, 200, "curl");
}

#[tokio::test]
async fn a_registration_is_known_until_the_server_forgets_it() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::parse("write:statuses").unwrap()).await;
    assert!(
        client
            .oauth()
            .is_registered(&app.credentials())
            .await
            .unwrap(),
        "known, though it may not have the `read` the check asks for"
    );
    let forgotten =
        tootkit::AppCredentials::new(app.client_id.clone(), tootkit::ClientSecret::new("other"));
    assert!(!client.oauth().is_registered(&forgotten).await.unwrap());
}

#[tokio::test]
async fn an_invalid_registration_is_refused_in_rails_words_naming_every_field() {
    // Failed registrations count against the 5 in 10 minutes too.
    let sandbox = sandbox_with(SandboxConfig::in_memory().rate_limits(false)).await;
    let url = format!("{}/api/v1/apps", sandbox.base_url());
    let register = |form: Vec<(&str, &str)>| {
        let request = reqwest::Client::new().post(url.clone()).form(&form);
        async move {
            let answer = request.send().await.unwrap();
            let status = answer.status().as_u16();
            let body: serde_json::Value = answer.json().await.unwrap();
            (
                status,
                body["error"].as_str().unwrap_or_default().to_owned(),
            )
        }
    };
    assert_eq!(
        register(vec![("client_name", ""), ("redirect_uris", "")]).await,
        (
            422,
            "Validation failed: Application name can't be blank, Redirect URI can't be blank"
                .to_owned()
        )
    );
    for (uri, problem) in [
        ("https://example.com/cb#top", "cannot contain a fragment."),
        ("localhost:8080/cb", "must specify a scheme."),
        ("/cb", "must be an absolute URI."),
        // Each of a URI's errors, as Doorkeeper adds them all.
        (
            "javascript:alert(1)",
            "is forbidden by the server., Redirect URI must specify a scheme.",
        ),
        ("urn:example:callback", "must specify a scheme."),
        (
            "http:callback",
            "must specify a scheme., Redirect URI must be a valid URI.",
        ),
        ("https://example.com/<cb>", "must be a valid URI."),
        ("https://example.com/a%zz", "must be a valid URI."),
        ("https://example.com:abc/cb", "must be a valid URI."),
        ("https://a@b@example.com/cb", "must be a valid URI."),
        ("https://example.com/[cb]", "must be a valid URI."),
    ] {
        assert_eq!(
            register(vec![("client_name", "bot"), ("redirect_uris", uri)]).await,
            (422, format!("Validation failed: Redirect URI {problem}")),
            "{uri}"
        );
    }
    assert_eq!(
        register(vec![
            ("client_name", "bot"),
            ("redirect_uris", OOB_REDIRECT_URI),
            ("website", "notaurl"),
            ("scopes", "read nonsense"),
        ])
        .await,
        (
            422,
            "Validation failed: Scopes doesn't match configured on the server., Application website is invalid"
                .to_owned()
        )
    );
    // Doorkeeper's checks come before Mastodon's lengths, and the length is that of
    // all the redirect URIs together.
    let name = "n".repeat(61);
    let long_site = format!("https://example.com/{}", "a".repeat(2_000));
    assert_eq!(
        register(vec![
            ("client_name", &name),
            ("redirect_uris", ""),
            ("website", &long_site),
        ])
        .await,
        (
            422,
            "Validation failed: Redirect URI can't be blank, Application name is too long (maximum is 60 characters), Application website is too long (maximum is 2000 characters)"
                .to_owned()
        )
    );
    let many: Vec<String> = (0..100)
        .map(|n| format!("https://app.example/{n}/callback"))
        .collect();
    let mut form = vec![("client_name", "bot")];
    form.extend(many.iter().map(|uri| ("redirect_uris[]", uri.as_str())));
    assert_eq!(
        register(form).await,
        (
            422,
            "Validation failed: Redirect URI is too long (maximum is 2000 characters)".to_owned()
        ),
        "each of them short, together too long"
    );
    // Doorkeeper splits a string of URIs at whitespace; an app's own scheme is a scheme.
    let (status, _) = register(vec![
        ("client_name", "bot"),
        (
            "redirect_uris",
            "https://a.example/cb https://b.example/cb com.example.bot:/oauth http://[::1]:8080/cb?x=%20",
        ),
    ])
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_token_may_come_as_a_query_parameter_as_doorkeeper_allows() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let token = crate::user_token(&client, "read").await;
    let url = sandbox
        .base_url()
        .endpoint("/api/v1/accounts/verify_credentials");
    let http = reqwest::Client::new();
    let answer = http
        .get(url.clone())
        .query(&[("access_token", token.expose())])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let account: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(account["username"], crate::USER);
    let refused = http
        .get(url)
        .query(&[("access_token", "not-a-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn the_same_app_account_and_scopes_get_the_same_token_until_it_is_revoked() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read_write()).await;
    let server = client.oauth().discover().await.unwrap();
    let sign_in = |scopes: &'static str| {
        let request = AuthorizationRequest::new(
            &app.client_id,
            OOB_REDIRECT_URI,
            Scopes::parse(scopes).unwrap(),
        );
        let url = request.url(&server);
        let client = &client;
        let app = &app;
        async move {
            let code = oob_code(&url).await;
            client
                .oauth()
                .exchange_code(&app.credentials(), &request, code)
                .await
                .unwrap()
                .access_token
        }
    };
    // Doorkeeper's reuse_access_token, which Mastodon turns on.
    let first = sign_in("read write").await;
    assert_eq!(sign_in("write read").await, first, "scopes in any order");
    let narrower = sign_in("read").await;
    assert_ne!(narrower, first, "other scopes, another token");
    client
        .oauth()
        .revoke(&app.credentials(), &first)
        .await
        .unwrap();
    let after = sign_in("read write").await;
    assert_ne!(after, first, "a revoked token is not handed out again");
    client
        .with_access_token(after)
        .accounts()
        .verify_credentials()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_request_the_server_refuses_is_shown_as_a_page_once_signed_in() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read()).await;
    let server = client.oauth().discover().await.unwrap();
    // Scopes the app did not register: Doorkeeper, as Mastodon configures it, shows an
    // error page rather than sending the browser back to the client with the error.
    let request = AuthorizationRequest::new(
        &app.client_id,
        LoopbackReceiver::REGISTERED_REDIRECT_URI,
        Scopes::read_write(),
    );
    let url = request.url(&server);
    let mut browser = ScriptedUser::new().unwrap();
    let unsigned = browser
        .authorize(&url, USER, &Password::new("wrong"))
        .await
        .unwrap_err();
    assert!(
        unsigned.to_string().contains("Signing in as"),
        "the sign-in page comes first: {unsigned}"
    );
    let refused = browser
        .authorize(&url, USER, &Password::new(PASSWORD))
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .ends_with("(HTTP 400): The requested scope is invalid, unknown, or malformed."),
        "{refused}"
    );
    // An application the server does not know: Doorkeeper's `invalid_client`, a 401.
    let unknown = AuthorizationRequest::new("no-such-client", OOB_REDIRECT_URI, Scopes::read());
    let refused = browser
        .authorize(&unknown.url(&server), USER, &Password::new(PASSWORD))
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("(HTTP 401): No application with this client ID"),
        "{refused}"
    );
}

#[tokio::test]
async fn public_reads_take_a_token_the_server_never_issued_as_none() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let token = crate::user_token(&client, "read write").await;
    let bot = client.with_access_token(token.clone());
    let status = bot.statuses().create("public").send().await.unwrap();
    let url = sandbox
        .base_url()
        .endpoint(&format!("/api/v1/statuses/{}", status.id));
    let http = reqwest::Client::new();
    // As Mastodon's `authorize_if_got_token!`: only a token it finds is checked.
    for authorization in ["Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz"] {
        let answer = http
            .get(url.clone())
            .header("authorization", authorization)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{authorization}");
    }
    // A token it finds but revoked is refused, as before.
    let app = register(&client, &Scopes::read()).await;
    let server = client.oauth().discover().await.unwrap();
    let request = AuthorizationRequest::new(&app.client_id, OOB_REDIRECT_URI, Scopes::read());
    let code = oob_code(&request.url(&server)).await;
    let revoked = client
        .oauth()
        .exchange_code(&app.credentials(), &request, code)
        .await
        .unwrap()
        .access_token;
    client
        .oauth()
        .revoke(&app.credentials(), &revoked)
        .await
        .unwrap();
    let answer = http
        .get(url)
        .bearer_auth(revoked.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    drop(token);
}

#[tokio::test]
async fn a_failing_token_endpoint_is_a_server_error_and_its_words_are_tamed() {
    let long = "x".repeat(5_000);
    let router = axum::Router::new()
        .route(
            "/oauth/token",
            axum::routing::post(|| async {
                (
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    axum::Json(serde_json::json!({"error": "temporarily_unavailable"})),
                )
            }),
        )
        .route(
            "/api/v1/statuses",
            axum::routing::post(move || async move {
                (
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    axum::Json(serde_json::json!({
                        "error": format!("Validation failed: \u{1b}]0;owned\u{7}\u{202e}txet {long}")
                    })),
                )
            }),
        );
    let addr = crate::serve(router).await;
    let client = tootkit::Client::builder(format!("http://{addr}").parse().unwrap())
        .retry(tootkit::RetryPolicy::never())
        .access_token(tootkit::AccessToken::new("a-token"))
        .build()
        .unwrap();
    // Doorkeeper's 503 `temporarily_unavailable` is the server failing, worth retrying,
    // not a refusal of the client's registration.
    let app = tootkit::AppCredentials::new("id", tootkit::ClientSecret::new("secret"));
    let err = client
        .oauth()
        .client_credentials(&app, &Scopes::read())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Server { status: 503, .. }) && err.is_transient(),
        "{err:?}"
    );
    // A server's words reach no terminal as escape sequences, nor at any length.
    let err = client.statuses().create("hi").send().await.unwrap_err();
    let text = err.to_string();
    assert!(!text.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{text:?}");
    assert!(
        text.contains("Validation failed:  ]0;owned  txet xxx"),
        "{text}"
    );
    assert!(
        text.chars().count() < 400,
        "{} characters",
        text.chars().count()
    );
    assert!(text.ends_with("…; correct it and try again."), "{text}");
}

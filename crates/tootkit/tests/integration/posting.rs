use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tootkit::{AccessToken, Client, Error, RetryPolicy, Visibility};

use tootkit_sandbox::SandboxConfig;

use crate::{USER, fast_client, register, sandbox, sandbox_with, user_token};

#[tokio::test]
async fn a_post_carries_every_option_and_reads_back() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let first = bot
        .statuses()
        .create("howdy universe!")
        .send()
        .await
        .unwrap();
    assert_eq!(first.content, "<p>howdy universe!</p>");
    assert_eq!(first.visibility, Visibility::Public);
    assert_eq!(first.account.username, USER);
    assert_eq!(
        first.application.as_ref().map(|a| a.name.as_str()),
        Some("tootkit tests")
    );
    assert!(
        first
            .url
            .as_deref()
            .unwrap()
            .ends_with(&format!("/@{USER}/{}", first.id))
    );

    let reply = bot
        .statuses()
        .create("a reply, with a warning")
        .visibility(Visibility::Unlisted)
        .spoiler_text("weather")
        .language("de")
        .in_reply_to(&first.id)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.visibility, Visibility::Unlisted);
    assert_eq!(reply.spoiler_text, "weather");
    assert!(
        reply.sensitive,
        "a content warning makes the status sensitive, as on Mastodon"
    );
    assert_eq!(reply.language.as_deref(), Some("de"));
    assert_eq!(reply.in_reply_to_id.as_deref(), Some(first.id.as_str()));
    assert_eq!(
        reply.in_reply_to_account_id.as_deref(),
        Some(first.account.id.as_str())
    );

    for visibility in [Visibility::Private, Visibility::Direct] {
        let hidden = bot
            .statuses()
            .create("a picture of the sky, marked sensitive without a warning")
            .visibility(visibility.clone())
            .sensitive(true)
            .send()
            .await
            .unwrap();
        assert_eq!(hidden.visibility, visibility);
        assert!(hidden.sensitive);
        assert_eq!(hidden.spoiler_text, "");
        let err = client.statuses().get(&hidden.id).await.unwrap_err();
        assert!(
            matches!(err, Error::NotFound { .. }),
            "{visibility:?} statuses are not shown to strangers: {err:?}"
        );
    }

    let read = bot.statuses().get(&first.id).await.unwrap();
    assert_eq!(read.replies_count, 1);
    let anonymous = client.statuses().get(&first.id).await.unwrap();
    assert_eq!(
        anonymous.id, first.id,
        "public statuses are readable without a token"
    );

    let deleted = bot.statuses().delete(&reply.id).await.unwrap().unwrap();
    assert_eq!(
        deleted.text.as_deref(),
        Some("a reply, with a warning"),
        "delete returns the source"
    );
    let gone = bot.statuses().get(&reply.id).await.unwrap_err();
    assert!(matches!(gone, Error::NotFound { .. }), "{gone:?}");
    assert!(
        gone.to_string()
            .contains(&format!("/api/v1/statuses/{} was not found", reply.id)),
        "{gone}"
    );
}

/// A reply given the address of the status it answers, as a person copies it from the
/// browser: the instance's own address is taken, another server's refused unsent.
#[tokio::test]
async fn a_reply_takes_the_address_of_a_status_on_the_instance() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let first = bot.statuses().create("first").send().await.unwrap();
    let address = first.url.clone().unwrap();
    let without_scheme = address.split_once("://").unwrap().1.to_owned();
    for given in [
        address.clone(),
        first.uri.clone(),
        format!(" {address}/ "),
        format!("{address}?utm_source=share#top"),
        without_scheme,
    ] {
        let reply = bot
            .statuses()
            .create("a reply to an address")
            .in_reply_to(given.clone())
            .send()
            .await
            .unwrap_or_else(|err| panic!("{given}: {err}"));
        assert_eq!(reply.in_reply_to_id.as_deref(), Some(first.id.as_str()));
    }
    // A thread answering the status by its address has the keys of one answering it by
    // its ID: run again so, it posts nothing twice.
    let thread = |answered: String| {
        bot.statuses()
            .thread("a reply in parts, long enough for three of them or more")
            .max_characters(20)
            .in_reply_to(answered)
            .send()
    };
    let by_address = thread(address.clone()).await.unwrap();
    let by_id = thread(first.id.clone()).await.unwrap();
    let ids =
        |statuses: &[tootkit::Status]| statuses.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    assert!(by_address.len() >= 3);
    assert_eq!(ids(&by_address), ids(&by_id));
    assert_eq!(
        by_address[0].in_reply_to_id.as_deref(),
        Some(first.id.as_str())
    );
    let posted = bot
        .accounts()
        .verify_credentials()
        .await
        .unwrap()
        .statuses_count;
    assert_eq!(
        posted,
        6 + by_address.len() as u64,
        "the first status, its five replies and the thread"
    );
    let refusal = |given: &'static str| {
        let bot = bot.clone();
        async move {
            let err = bot
                .statuses()
                .create("not sent")
                .in_reply_to(given)
                .send()
                .await
                .unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
            err.to_string()
        }
    };
    let instance = sandbox.base_url().authority();
    assert_eq!(
        refusal("https://mastodon.social/@Gargron/109348207311542468").await,
        format!(
            "The status to reply to is given by its address on mastodon.social, which holds mastodon.social's ID for it, not {instance}'s; open the status on {instance} (its search takes the address) and give the ID that ends its address there."
        )
    );
    let profile = format!("{}/@{USER}", sandbox.base_url().as_str());
    let profile: &'static str = Box::leak(profile.into_boxed_str());
    assert!(
        refusal(profile)
            .await
            .starts_with(&format!("`{profile}` is not the address of a status;"))
    );
    for not_web in [
        "http://[::1",
        "file:///@alice/1",
        "mailto:alice@example.com/1",
    ] {
        assert!(
            refusal(not_web)
                .await
                .starts_with("The status to reply to is neither an ID nor a web address;"),
            "{not_web}"
        );
    }
    // Addresses on the instance that are not a status's, said without their query.
    let base = sandbox.base_url().as_str().trim_end_matches('/').to_owned();
    for (given, shown) in [
        (
            format!("{base}/users/{USER}?token=private"),
            format!("{base}/users/{USER}"),
        ),
        (
            format!("{}/activity", first.url.clone().unwrap()),
            format!("{}/activity", first.url.clone().unwrap()),
        ),
        (
            format!("{base}/@{USER}/with_replies"),
            format!("{base}/@{USER}/with_replies"),
        ),
    ] {
        let given: &'static str = Box::leak(given.into_boxed_str());
        let said = refusal(given).await;
        assert!(
            said.starts_with(&format!("`{shown}` is not the address of a status;")),
            "{said}"
        );
    }
    // Nothing was sent.
    assert_eq!(
        bot.accounts()
            .verify_credentials()
            .await
            .unwrap()
            .statuses_count,
        posted
    );
}

#[tokio::test]
async fn posting_without_a_token_says_to_sign_in_rather_than_blaming_one() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let err = client.statuses().create("hello").send().await.unwrap_err();
    assert!(matches!(err, Error::TokenRequired { .. }), "{err:?}");
    assert_eq!(err.status(), Some(401));
    assert!(
        err.to_string()
            .starts_with("The server answers /api/v1/statuses only to signed-in clients"),
        "{err}"
    );
}

#[tokio::test]
async fn a_read_only_token_cannot_post() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let reader = client.with_access_token(user_token(&client, "read").await);
    let err = reader
        .statuses()
        .create("should not appear")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("This action is outside the authorized scopes"),
        "{text}"
    );
    assert!(text.contains("write:statuses"), "{text}");
    assert_eq!(statuses_count(&reader).await, 0);

    // A granular scope is enough.
    let poster = client.with_access_token(user_token(&client, "write:statuses profile").await);
    poster.statuses().create("granular").send().await.unwrap();

    // A refusal names the request and the scope it needs, whichever it was.
    let writer = client.with_access_token(user_token(&client, "write:statuses").await);
    let err = writer.accounts().verify_credentials().await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Forbidden { request, needed_scope: Some("read:accounts"), .. }
                if request == "GET /api/v1/accounts/verify_credentials"
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with(
            "The server refused GET /api/v1/accounts/verify_credentials (“This action is outside the authorized scopes”); the token probably lacks `read:accounts`, which this request needs, so sign in again asking for it."
        ),
        "{err}"
    );
}

#[tokio::test]
async fn mastodon_validations_come_back_as_validation_errors() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let err = bot
        .statuses()
        .create("a".repeat(501))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("Validation failed: Text character limit of 500 exceeded"),
        "{err}"
    );
    // 500 family emoji are 500 grapheme clusters (and 3,500 code points).
    bot.statuses()
        .create("👨‍👩‍👧‍👦".repeat(500))
        .send()
        .await
        .expect("500 graphemes fit");
    // The content warning counts too.
    let err = bot
        .statuses()
        .create("a".repeat(495))
        .spoiler_text("123456")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation { .. }), "{err:?}");

    let err = bot.statuses().create("   ").send().await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { .. }),
        "refused before sending: {err:?}"
    );
    // Mastodon would post it tagged with the account's default language.
    let before = statuses_count(&bot).await;
    let err = bot
        .statuses()
        .create("bonjour")
        .language("french")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("`french` is not a language code; give an ISO 639 code"),
        "{err}"
    );
    assert_eq!(statuses_count(&bot).await, before, "nothing posted");
    let err = bot
        .statuses()
        .create("x")
        .in_reply_to("12345")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = bot.statuses().get("../apps").await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
}

/// How many statuses the account of `client`'s token has.
async fn statuses_count(client: &Client) -> u64 {
    client
        .accounts()
        .verify_credentials()
        .await
        .unwrap()
        .statuses_count
}

/// Posts `text` with the `Idempotency-Key` `key`.
async fn post_keyed(
    client: &Client,
    text: impl Into<String>,
    key: &str,
) -> Result<tootkit::Status, Error> {
    client
        .statuses()
        .create(text)
        .idempotency_key(key)
        .send()
        .await
}

#[tokio::test]
async fn the_same_idempotency_key_gives_the_same_status() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let first = post_keyed(&bot, "once", "key-1").await.unwrap();
    let again = post_keyed(&bot, "once", "key-1").await.unwrap();
    assert_eq!(first.id, again.id);
    let other = post_keyed(&bot, "once", "key-2").await.unwrap();
    assert_ne!(first.id, other.id);
    assert_eq!(statuses_count(&bot).await, 2);
}

#[tokio::test]
async fn a_key_answers_with_its_status_for_an_hour() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let first = post_keyed(&bot, "once", "window").await.unwrap();
    sandbox.advance_clock(Duration::from_secs(59 * 60));
    assert_eq!(
        post_keyed(&bot, "once", "window").await.unwrap().id,
        first.id,
        "within the hour, the first status"
    );
    sandbox.advance_clock(Duration::from_secs(2 * 60));
    let later = post_keyed(&bot, "once", "window").await.unwrap();
    assert_ne!(later.id, first.id, "an expired key posts anew");
    assert_eq!(statuses_count(&bot).await, 2);
}

#[tokio::test]
async fn a_known_key_answers_before_the_request_is_validated() {
    // Mastodon's PostStatusService returns the status of a known key first, so a
    // retried request answers alike even if the limits changed in between.
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "write").await);
    let first = post_keyed(&bot, "short", "known").await.unwrap();
    let again = post_keyed(&bot, "x".repeat(600), "known").await.unwrap();
    assert_eq!(again.id, first.id);
    let fresh = post_keyed(&bot, "x".repeat(600), "unknown")
        .await
        .unwrap_err();
    assert!(matches!(fresh, Error::Validation { .. }), "{fresh:?}");
}

#[tokio::test]
async fn the_sandbox_strips_text_and_warning_as_mastodon_does() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "write").await);
    let status = bot
        .statuses()
        .create(format!("\n  {}  \n\n", "a".repeat(500)))
        .spoiler_text("  ")
        .send()
        .await
        .expect("500 characters once stripped");
    assert_eq!(status.content, format!("<p>{}</p>", "a".repeat(500)));
    assert_eq!(status.spoiler_text, "");
    assert!(!status.sensitive, "a blank warning is no warning");

    // Ruby's `strip` keeps an ideographic space, and its `present?` calls it blank.
    let wide = bot
        .statuses()
        .create("text")
        .spoiler_text("\u{3000}")
        .send()
        .await
        .unwrap();
    assert_eq!(wide.spoiler_text, "\u{3000}");
    assert!(!wide.sensitive);

    // A warning alone becomes the text, and the status stays sensitive.
    let alone = bot
        .statuses()
        .create("")
        .spoiler_text("only a warning")
        .send()
        .await
        .unwrap();
    assert_eq!(alone.content, "<p>only a warning</p>");
    assert_eq!(alone.spoiler_text, "");
    assert!(alone.sensitive);
}

#[tokio::test]
async fn the_key_of_a_deleted_status_answers_not_found() {
    // PostStatusService finds the status of a known key, and a deleted one is not there.
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "write").await);
    let first = post_keyed(&bot, "soon gone", "gone").await.unwrap();
    bot.statuses().delete(&first.id).await.unwrap();
    let err = post_keyed(&bot, "soon gone", "gone").await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn an_idempotency_key_belongs_to_one_account() {
    let sandbox = sandbox_with(
        SandboxConfig::in_memory().user("bob", tootkit::Password::new("bob's long password")),
    )
    .await;
    let client = fast_client(&sandbox);
    let alice = client.with_access_token(user_token(&client, "write").await);
    let bob = client.with_access_token(
        crate::user_token_as(&client, "write", "bob", "bob's long password").await,
    );
    let hers = post_keyed(&alice, "same words", "shared-key")
        .await
        .unwrap();
    let his = post_keyed(&bob, "same words", "shared-key").await.unwrap();
    assert_ne!(
        hers.id, his.id,
        "the same key from another account posts anew"
    );
    assert_eq!(his.account.username, "bob");
    assert_eq!(hers.account.username, USER);
}

#[tokio::test]
async fn replies_and_counts_follow_mastodons_rules() {
    let sandbox = sandbox_with(
        SandboxConfig::in_memory().user("bob", tootkit::Password::new("bob's long password")),
    )
    .await;
    let client = fast_client(&sandbox);
    let alice = client.with_access_token(user_token(&client, "read write").await);
    let bob = client.with_access_token(
        crate::user_token_as(&client, "read write", "bob", "bob's long password").await,
    );
    let hers = alice.statuses().create("a question").send().await.unwrap();
    let answer = bob
        .statuses()
        .create("an answer")
        .in_reply_to(&hers.id)
        .send()
        .await
        .unwrap();
    let more = bob
        .statuses()
        .create("and more of it")
        .in_reply_to(&answer.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        more.in_reply_to_account_id.as_deref(),
        Some(hers.account.id.as_str()),
        "a reply to one's own reply is still addressed to the account the thread answers"
    );
    let aside = bob
        .statuses()
        .create("@alice between us")
        .in_reply_to(&hers.id)
        .visibility(Visibility::Private)
        .send()
        .await
        .unwrap();
    assert_eq!(
        alice.statuses().get(&hers.id).await.unwrap().replies_count,
        1,
        "only replies shown to others are counted"
    );
    let before = bob.accounts().verify_credentials().await.unwrap();
    assert_eq!(before.statuses_count, 3);
    bob.statuses()
        .create("@alice a secret")
        .visibility(Visibility::Direct)
        .send()
        .await
        .unwrap();
    assert_eq!(
        statuses_count(&bob).await,
        3,
        "direct messages are not counted"
    );
    // The date of the last post is a day's: two days on, a direct message does not
    // move it, and deleting every post leaves it.
    sandbox.advance_clock(Duration::from_secs(2 * 86_400));
    bob.statuses()
        .create("@alice another secret")
        .visibility(Visibility::Direct)
        .send()
        .await
        .unwrap();
    for id in [&answer.id, &more.id, &aside.id] {
        bob.statuses().delete(id).await.unwrap();
    }
    let after = bob.accounts().verify_credentials().await.unwrap();
    assert_eq!(after.statuses_count, 0);
    assert!(before.last_status_at.is_some());
    assert_eq!(
        after.last_status_at, before.last_status_at,
        "neither a direct message nor a deletion moves the date of the last post"
    );
}

/// What a proxy in front of the sandbox does with a post.
#[derive(Clone, Copy, Debug)]
enum Fate {
    /// The sandbox makes the status; the client sees a gateway timeout.
    AnswerLost,
    /// As GoToSocial while the first request with the key still runs.
    AlreadyUnderWay,
    /// As GoToSocial once it has carried out the request with the key.
    AlreadyHandled,
}

/// A proxy in front of the sandbox that deals with posts as scripted, then forwards
/// them, and notes when each arrived.
struct ScriptedProxy {
    upstream: String,
    http: reqwest::Client,
    fates: std::sync::Mutex<std::collections::VecDeque<Fate>>,
    posts_seen: std::sync::Mutex<Vec<std::time::Instant>>,
}

impl ScriptedProxy {
    async fn start(sandbox: &tootkit_sandbox::Sandbox, fates: &[Fate]) -> (Arc<Self>, String) {
        let proxy = Arc::new(Self {
            upstream: sandbox.base_url().to_string(),
            http: reqwest::Client::new(),
            fates: std::sync::Mutex::new(fates.iter().copied().collect()),
            posts_seen: std::sync::Mutex::new(Vec::new()),
        });
        let router = axum::Router::new()
            .fallback(forward)
            .with_state(Arc::clone(&proxy));
        let addr = crate::serve(router).await;
        (proxy, format!("http://{addr}"))
    }

    fn posts_seen(&self) -> Vec<std::time::Instant> {
        self.posts_seen.lock().unwrap().clone()
    }
}

async fn forward(State(proxy): State<Arc<ScriptedProxy>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_owned();
    let is_post = parts.method == axum::http::Method::POST && path == "/api/v1/statuses";
    let fate = if is_post {
        proxy
            .posts_seen
            .lock()
            .unwrap()
            .push(std::time::Instant::now());
        proxy.fates.lock().unwrap().pop_front()
    } else {
        None
    };
    let json = |status, body: &'static str| {
        (status, [("content-type", "application/json")], body).into_response()
    };
    match fate {
        Some(Fate::AlreadyUnderWay) => {
            return json(
                StatusCode::CONFLICT,
                r#"{"error":"request already under way"}"#,
            );
        }
        Some(Fate::AlreadyHandled) => {
            return json(StatusCode::OK, r#"{"status":"request already handled"}"#);
        }
        Some(Fate::AnswerLost) | None => {}
    }
    let answer = relay(&proxy.http, &proxy.upstream, &parts, body).await;
    if matches!(fate, Some(Fate::AnswerLost)) {
        return (StatusCode::GATEWAY_TIMEOUT, "upstream timed out").into_response();
    }
    let status = answer.status();
    let headers = answer.headers().clone();
    let bytes = answer.bytes().await.unwrap();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// Sends on to `upstream` (a base URL) a request that reached a test proxy, with
/// `body`, perhaps rewritten, in its place.
async fn relay(
    http: &reqwest::Client,
    upstream: &str,
    parts: &axum::http::request::Parts,
    body: axum::body::Bytes,
) -> reqwest::Response {
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut outgoing = http
        .request(parts.method.clone(), format!("{upstream}{path}"))
        .body(body);
    for (name, value) in &parts.headers {
        if name != axum::http::header::HOST && name != axum::http::header::CONTENT_LENGTH {
            outgoing = outgoing.header(name, value);
        }
    }
    outgoing.send().await.unwrap()
}

#[tokio::test]
async fn a_retried_post_with_its_key_posts_once_after_the_first_attempt_settled() {
    let sandbox = sandbox().await;
    let direct = fast_client(&sandbox);
    let token = user_token(&direct, "read write").await;
    let (proxy, address) = ScriptedProxy::start(&sandbox, &[Fate::AnswerLost]).await;
    let settle = Duration::from_millis(300);
    let through_proxy = Client::builder(address.parse().unwrap())
        .access_token(token.clone())
        .retry(RetryPolicy::new(2, Duration::from_millis(10)).settle_delay(settle))
        .build()
        .unwrap();
    // The client runs on this test's thread, whose logs a subscriber of its own hears.
    // With that subscriber the only one, tracing would let a test on another thread, with
    // none, mark the warning as heard by nobody, for every thread: a second one, alive
    // throughout, makes tracing ask each thread's own.
    let _second = tracing::Dispatch::new(tracing_subscriber::registry());
    let captured = crate::secrets::Captured::default();
    let writer = captured.clone();
    let logging = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    );
    let status = through_proxy
        .statuses()
        .create("howdy universe!")
        .send()
        .await
        .unwrap();
    drop(logging);
    assert!(
        captured.text().contains(
            "did not say whether the post was made (a gateway answered HTTP 504); it is sent again with the same Idempotency-Key in 0.3 s"
        ),
        "the wait is announced: {}",
        captured.text()
    );
    let seen = proxy.posts_seen();
    assert_eq!(seen.len(), 2, "the post was sent twice");
    assert!(
        seen[1] - seen[0] >= settle,
        "the repeat waited for the first attempt to settle: {:?}",
        seen[1] - seen[0]
    );
    assert_eq!(
        statuses_count(&direct.with_access_token(token.clone())).await,
        1,
        "but only one status exists"
    );
    assert_eq!(
        direct.statuses().get(&status.id).await.unwrap().content,
        "<p>howdy universe!</p>"
    );

    // Without retries the caller hears that the post may exist (it does).
    proxy.fates.lock().unwrap().push_back(Fate::AnswerLost);
    let no_retry = Client::builder(address.parse().unwrap())
        .access_token(token)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = no_retry
        .statuses()
        .create("lost answer")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unconfirmed { cause, attempts: 1, .. } if cause == "a gateway answered HTTP 504"),
        "{err:?}"
    );
    assert!(
        !err.is_transient(),
        "sending it again under a new key would post twice"
    );
}

#[tokio::test]
async fn a_repeat_goto_social_already_handled_is_an_error_that_says_the_post_exists() {
    let sandbox = sandbox().await;
    let direct = fast_client(&sandbox);
    let token = user_token(&direct, "read write").await;
    let (proxy, address) = ScriptedProxy::start(
        &sandbox,
        &[
            Fate::AnswerLost,
            Fate::AlreadyUnderWay,
            Fate::AlreadyHandled,
        ],
    )
    .await;
    let client = Client::builder(address.parse().unwrap())
        .access_token(token.clone())
        .retry(
            RetryPolicy::new(3, Duration::from_millis(10)).settle_delay(Duration::from_millis(50)),
        )
        .build()
        .unwrap();
    let err = client
        .statuses()
        .create("howdy universe!")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyHandled { .. }), "{err:?}");
    assert_eq!(
        proxy.posts_seen().len(),
        3,
        "409 was waited out and repeated"
    );
    assert!(
        err.to_string()
            .ends_with("look at the account's posts for it instead of sending it again."),
        "{err}"
    );
    assert_eq!(
        statuses_count(&direct.with_access_token(token.clone())).await,
        1,
        "one status, not two"
    );
}

#[tokio::test]
async fn the_instance_reports_version_api_versions_and_limits() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let instance = client.instance().get().await.unwrap();
    assert!(
        instance.version.starts_with("4.6.4"),
        "{}",
        instance.version
    );
    assert_eq!(
        instance.api_version("mastodon"),
        Some(tootkit_sandbox::MASTODON_API_VERSION)
    );
    assert_eq!(instance.max_characters(), 500);
    assert_eq!(instance.characters_reserved_per_url(), 23);
    assert_eq!(instance.domain, sandbox.base_url().authority());
    let v1 = client.instance().v1().await.unwrap();
    assert_eq!(v1.uri, instance.domain);
    assert_eq!(v1.stats.as_ref().unwrap()["status_count"], 0);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    bot.statuses().create("counted").send().await.unwrap();
    let v1 = client.instance().v1().await.unwrap();
    assert_eq!(
        v1.stats.as_ref().unwrap()["status_count"],
        1,
        "the sandbox counts its statuses"
    );
}

#[tokio::test]
async fn the_sandbox_limits_rates_as_mastodon_and_says_so_in_its_headers() {
    let sandbox = sandbox().await;
    // Just past the start of a three-hour window, which every shorter one also starts
    // at, so that no window turns while the test runs.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    sandbox.advance_clock(Duration::from_secs(
        (10_800 - now.rem_euclid(10_800)) as u64 + 1,
    ));
    let client = fast_client(&sandbox);
    // Every API request: 300 in 5 minutes, the windows aligned on the clock.
    client.instance().get().await.unwrap();
    let general = client.rate_limit().expect("headers on an API answer");
    assert_eq!((general.limit, general.remaining), (Some(300), Some(299)));
    assert_eq!(general.reset.unwrap().unix_timestamp() % 300, 0);
    // Written as Rack::Attack writes it: ISO 8601 with microseconds.
    let raw = reqwest::get(sandbox.base_url().endpoint("/api/v1/instance"))
        .await
        .unwrap();
    let reset = raw.headers()["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        reset.len() == "2026-08-01T15:00:00.627625Z".len()
            && reset.ends_with(".000000Z")
            && time::OffsetDateTime::parse(&reset, &time::format_description::well_known::Rfc3339)
                .is_ok(),
        "{reset}"
    );

    // Statuses: 300 in 3 hours per account, counted when made — not when refused, not
    // when an Idempotency-Key finds one made before — whichever token of it posts.
    let reader_writer = user_token(&client, "read write").await;
    let writer = user_token(&client, "write").await;
    assert_ne!(reader_writer, writer);
    let bot = client.with_access_token(reader_writer);
    let remaining = |client: &Client| {
        let limit = client.rate_limit().unwrap();
        assert_eq!(limit.limit, Some(300));
        assert_eq!(limit.reset.unwrap().unix_timestamp() % 10_800, 0);
        limit.remaining.unwrap()
    };
    // The headers name the limit closest to running out; a fresh five minutes leaves the
    // requests' with more than the statuses', which then show.
    let next_five_minutes = || sandbox.advance_clock(Duration::from_secs(300));
    let anonymous = client.rate_limit();
    let first = post_keyed(&bot, "counted", "once").await.unwrap();
    assert_eq!(remaining(&bot), 299);
    assert_eq!(
        client.rate_limit(),
        anonymous,
        "a token's limits are its own, apart from the address's"
    );
    next_five_minutes();
    post_keyed(&bot, "counted", "once").await.unwrap();
    assert_eq!(remaining(&bot), 299, "found again by its key: not counted");
    next_five_minutes();
    bot.statuses()
        .create("x".repeat(501))
        .send()
        .await
        .unwrap_err();
    assert_eq!(remaining(&bot), 299, "refused: not counted");
    next_five_minutes();
    let other_token = client.with_access_token(writer);
    other_token
        .statuses()
        .create("also counted")
        .send()
        .await
        .unwrap();
    assert_eq!(
        remaining(&other_token),
        298,
        "the account's, not the token's"
    );
    // Within the five minutes, the token's requests come closer to their limit (300 per
    // token; the account's tokens together have 1,500) than the account's statuses.
    for _ in 0..3 {
        bot.accounts().verify_credentials().await.unwrap();
    }
    bot.statuses().create("counted too").send().await.unwrap();
    let closest = bot.rate_limit().unwrap();
    assert_eq!(
        (closest.limit, closest.remaining),
        (Some(300), Some(296)),
        "four requests of this token; the other token's post counts against the account, not this token"
    );
    let reset = closest.reset.unwrap().unix_timestamp();
    assert!(
        reset % 300 == 0 && reset % 10_800 != 0,
        "the five minutes', not the three hours'"
    );

    // Deletions: 30 in 30 minutes, the closest limit shown.
    bot.statuses().delete(&first.id).await.unwrap();
    let deleting = bot.rate_limit().unwrap();
    assert_eq!((deleting.limit, deleting.remaining), (Some(30), Some(29)));

    // Five applications in 10 minutes from one address (those made above were in an
    // earlier window); the sixth is refused with Mastodon's 429 until the window turns.
    for n in 0..5 {
        register(&client, &tootkit::Scopes::read()).await;
        assert_eq!(client.rate_limit().unwrap().limit, Some(5), "app {n}");
    }
    assert_eq!(client.rate_limit().unwrap().remaining, Some(0));
    let err = client
        .apps()
        .register("one too many")
        .send()
        .await
        .unwrap_err();
    let Error::RateLimited { reset, limit } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*limit, Some(5));
    assert_eq!(reset.unwrap().unix_timestamp() % 600, 0);
    assert!(err.to_string().contains("before trying again"), "{err}");
    sandbox.advance_clock(Duration::from_secs(10 * 60));
    register(&client, &tootkit::Scopes::read()).await;
}

#[tokio::test]
async fn a_known_key_answers_with_its_status_once_the_statuses_limit_is_spent() {
    let sandbox = sandbox().await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    sandbox.advance_clock(Duration::from_secs(
        (10_800 - now.rem_euclid(10_800)) as u64 + 1,
    ));
    let client = fast_client(&sandbox);
    // Two tokens of one account, each under its own 300 requests in 5 minutes.
    let tokens = [
        user_token(&client, "write").await,
        user_token(&client, "read write").await,
    ];
    let first = client.with_access_token(tokens[0].clone());
    let second = client.with_access_token(tokens[1].clone());
    for n in 0..150 {
        first
            .statuses()
            .create(format!("filler {n}"))
            .send()
            .await
            .unwrap();
    }
    for n in 150..299 {
        second
            .statuses()
            .create(format!("filler {n}"))
            .send()
            .await
            .unwrap();
    }
    let last = post_keyed(&second, "the 300th", "last").await.unwrap();
    assert_eq!(second.rate_limit().unwrap().remaining, Some(0));
    // As PostStatusService: the key finds its status before any limit is met...
    let again = post_keyed(&first, "the 300th", "last").await.unwrap();
    assert_eq!(again.id, last.id);
    // ...and what would not be valid is refused as such before the limit is met.
    let long = first
        .statuses()
        .create("x".repeat(501))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(long, Error::Validation { .. }), "{long:?}");
    // A new status is refused, with the limit's headers.
    let refused = post_keyed(&first, "one more", "new").await.unwrap_err();
    let Error::RateLimited { limit, reset } = &refused else {
        panic!("{refused:?}");
    };
    assert_eq!(*limit, Some(300));
    assert_eq!(reset.unwrap().unix_timestamp() % 10_800, 0);
    assert_eq!(statuses_count(&second).await, 300);
}

#[tokio::test]
async fn the_instance_falls_back_to_v1_on_servers_without_v2() {
    let Some(fixtures) = crate::fixtures() else {
        return;
    };
    // A Pleroma server's /api/v1/instance, replayed; everything else is 404.
    let body = std::fs::read_to_string(fixtures.join("compat/pleroma/InstanceV1-2.json")).unwrap();
    let router = axum::Router::new().route(
        "/api/v1/instance",
        axum::routing::get(move || async move { ([("content-type", "application/json")], body) }),
    );
    let addr = crate::serve(router).await;
    let client = Client::new(format!("http://{addr}").parse().unwrap()).unwrap();
    let instance = client.instance().get().await.unwrap();
    assert_eq!(instance.version, "2.7.2 (compatible; Pleroma 2.5.0)");
    assert_eq!(instance.max_characters(), 5000, "Pleroma's max_toot_chars");
    assert_eq!(
        instance.configuration.urls,
        Some(serde_json::json!({"streaming": "wss://m.iamkonstantin.eu"})),
        "v1's streaming_api, where v2 keeps it"
    );
}

#[tokio::test]
async fn a_delete_answered_with_an_empty_object_as_before_mastodon_2_9_is_a_success() {
    let Some(fixtures) = crate::fixtures() else {
        return;
    };
    // What a Mastodon 2.8 server answered to a DELETE, replayed.
    let cassette = fixtures.join("mastodon-recorded/old_pagination/test_fetch_next_previous.yaml");
    let recording: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&cassette).unwrap()).unwrap();
    let interactions = recording["interactions"].as_sequence().unwrap();
    let deleted = interactions
        .iter()
        .find(|i| i["request"]["method"].as_str() == Some("DELETE"))
        .expect("the recording deletes a status");
    let id = deleted["request"]["uri"]
        .as_str()
        .and_then(|uri| uri.rsplit('/').next())
        .unwrap()
        .to_owned();
    let body = deleted["response"]["body"]["string"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(body, "{}");
    let router = axum::Router::new().route(
        &format!("/api/v1/statuses/{id}"),
        axum::routing::delete(
            move || async move { ([("content-type", "application/json")], body) },
        ),
    );
    let addr = crate::serve(router).await;
    let client = Client::builder(format!("http://{addr}").parse().unwrap())
        .access_token(AccessToken::new("recorded"))
        .build()
        .unwrap();
    assert!(client.statuses().delete(&id).await.unwrap().is_none());
}

#[tokio::test]
async fn a_post_left_unanswered_says_it_may_have_been_made() {
    // A server that takes every request and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((connection, _)) = listener.accept().await {
            held.push(connection);
        }
    });
    let client = Client::builder(format!("http://{addr}").parse().unwrap())
        .access_token(AccessToken::new("a-token"))
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let post = client.statuses().create("hello").send().await.unwrap_err();
    assert!(
        matches!(post, Error::Unconfirmed { attempts: 1, .. }),
        "{post:?}"
    );
    assert_eq!(
        post.to_string(),
        format!(
            "{addr} may have made the post, and no answer that could be read confirmed it (it did not answer within 0.3 s); check whether it took effect (a post on the account, say) before sending it again."
        )
    );
    // A deletion sent again does no harm, and a read did nothing at all.
    let delete = client.statuses().delete("1").await.unwrap_err();
    assert!(matches!(delete, Error::Timeout { .. }), "{delete:?}");
    let read = client.statuses().get("1").await.unwrap_err();
    assert!(matches!(read, Error::Timeout { .. }), "{read:?}");
    assert!(read.to_string().ends_with("so try again later."), "{read}");
}

#[tokio::test]
async fn a_post_answered_with_success_in_unreadable_words_says_it_may_have_been_made() {
    // A server that makes the post and answers 200 with what is no Status: a string, then
    // an answer far too long; a read of the same is only unreadable.
    for (body, why) in [
        (r#""made""#.to_owned(), "a Status: invalid type: string"),
        (" ".repeat(17 << 20), "longer than 16 MiB"),
    ] {
        let answer = body.clone();
        let odd = axum::Router::new().fallback(move || {
            let answer = answer.clone();
            async move { ([("content-type", "application/json")], answer) }
        });
        let addr = crate::serve(odd).await;
        let client = Client::builder(format!("http://{addr}").parse().unwrap())
            .access_token(AccessToken::new("a-token"))
            .retry(RetryPolicy::never())
            .build()
            .unwrap();
        let post = client.statuses().create("hello").send().await.unwrap_err();
        assert!(
            matches!(post, Error::Unconfirmed { attempts: 1, .. }),
            "{post:?}"
        );
        let text = post.to_string();
        assert!(
            text.starts_with(&format!(
                "{addr} may have made the post, and no answer that could be read confirmed it (it answered HTTP 200, but not with "
            )) && text.contains(why),
            "{text}"
        );
        let read = client.statuses().get("1").await.unwrap_err();
        assert!(
            matches!(read, Error::UnexpectedResponse { status: 200, .. }),
            "{read:?}"
        );
    }
    // serde quotes what it could not take; a server's long word is shortened.
    let long = format!(r#""{}""#, "x".repeat(100_000));
    let odd = axum::Router::new().fallback(move || {
        let long = long.clone();
        async move { ([("content-type", "application/json")], long) }
    });
    let addr = crate::serve(odd).await;
    let client = Client::builder(format!("http://{addr}").parse().unwrap())
        .access_token(AccessToken::new("a-token"))
        .build()
        .unwrap();
    let err = client.accounts().verify_credentials().await.unwrap_err();
    assert!(matches!(err, Error::UnexpectedResponse { .. }), "{err:?}");
    assert!(
        err.to_string().len() < 1_000,
        "{} bytes",
        err.to_string().len()
    );
}

#[tokio::test]
async fn a_post_unanswered_then_refused_by_a_gateway_still_says_it_may_have_been_made() {
    // The first try reaches a server that never answers; the repeats meet a gateway
    // that answers 502, as in front of an overloaded instance.
    let addr = gateway(true).await;
    let client = Client::builder(format!("http://{addr}").parse().unwrap())
        .access_token(AccessToken::new("a-token"))
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::new(2, Duration::from_millis(5)).settle_delay(Duration::from_millis(5)))
        .build()
        .unwrap();
    let err = client.statuses().create("hello").send().await.unwrap_err();
    let Error::Unconfirmed {
        cause, attempts, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(
        (cause.as_str(), *attempts),
        ("it did not answer within 0.3 s", 3)
    );
    assert!(
        err.to_string().ends_with(
            "check whether it took effect (a post on the account, say) before sending it again."
        ),
        "{err}"
    );
    // A gateway's 502 from the first try leaves the post as unknown, and says so; a read
    // so answered is a server failure, worth trying again.
    let addr = gateway(false).await;
    let client = Client::builder(format!("http://{addr}").parse().unwrap())
        .access_token(AccessToken::new("a-token"))
        .retry(RetryPolicy::new(1, Duration::from_millis(5)).settle_delay(Duration::from_millis(5)))
        .build()
        .unwrap();
    let err = client.statuses().create("hello").send().await.unwrap_err();
    assert!(
        matches!(&err, Error::Unconfirmed { cause, attempts: 2, .. } if cause == "a gateway answered HTTP 502"),
        "{err:?}"
    );
    let read = client.statuses().get("1").await.unwrap_err();
    assert!(
        matches!(read, Error::Server { status: 502, .. }) && read.is_transient(),
        "{read:?}"
    );
}

/// A server that answers every request with a gateway's 502, after holding the first
/// connection unanswered when `hold_first` says so.
async fn gateway(hold_first: bool) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        let mut first = hold_first;
        while let Ok((mut connection, _)) = listener.accept().await {
            if std::mem::take(&mut first) {
                held.push(connection);
                continue;
            }
            tokio::spawn(async move {
                let mut request = vec![0; 64 * 1024];
                let _ = connection.read(&mut request).await;
                let _ = connection
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn network_failures_and_unreadable_answers_say_what_to_do() {
    let (_refusing, addr) = crate::refusing_port();
    let client = Client::builder(format!("http://{addr}").parse().unwrap())
        .retry(RetryPolicy::new(1, Duration::from_millis(5)))
        .build()
        .unwrap();
    let err = client.instance().get().await.unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("Could not reach {addr}")),
        "{text}"
    );
    assert!(
        text.ends_with("check the address and your network connection."),
        "{text}"
    );

    // A web page where the API should be.
    let html = axum::Router::new()
        .fallback(|| async { axum::response::Html("<!doctype html><p>a blog</p>") });
    let addr = crate::serve(html).await;
    let client = Client::new(format!("http://{addr}").parse().unwrap()).unwrap();
    let err = client.accounts().verify_credentials().await.unwrap_err();
    assert!(matches!(err, Error::UnexpectedResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("it is an HTML page"), "{err}");

    // https asked of a server that speaks plain http (a sandbox, say).
    let sandbox = sandbox().await;
    let https = format!("https://{}", sandbox.base_url().authority());
    let client = Client::builder(https.parse().unwrap())
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = client.instance().get().await.unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("the server does not speak https there"),
        "{err}"
    );

    // An answer far longer than any Mastodon answer is not read whole.
    let endless = axum::Router::new().fallback(|| async {
        (
            [("content-type", "application/json")],
            Body::from(vec![b' '; 17 << 20]),
        )
    });
    let addr = crate::serve(endless).await;
    let client = Client::new(format!("http://{addr}").parse().unwrap()).unwrap();
    let err = client.instance().get().await.unwrap_err();
    assert!(matches!(err, Error::UnexpectedResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("longer than 16 MiB"), "{err}");

    // A connection that breaks half-way through the answer: the address was right.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"uri\":")
                .await;
        }
    });
    let client = Client::builder(format!("http://{addr}").parse().unwrap())
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = client.instance().get().await.unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!(
            "The connection to {addr} broke while its answer arrived"
        )),
        "{err}"
    );

    // A server slower than the timeout.
    let slow = axum::Router::new().fallback(|| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    });
    let addr = crate::serve(slow).await;
    let client = Client::builder(format!("http://{addr}").parse().unwrap())
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = client.instance().get().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        err.to_string().contains("did not answer within 0.3 s"),
        "{err}"
    );
}

#[tokio::test]
async fn the_sandbox_reads_posts_as_mastodon_does() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    // A content warning alone becomes the text (Mastodon's PostStatusService).
    let warning_only = bot
        .statuses()
        .create("")
        .spoiler_text("just a warning")
        .send()
        .await
        .unwrap();
    assert_eq!(warning_only.content, "<p>just a warning</p>");
    assert_eq!(warning_only.spoiler_text, "");
    // A regional tag is filed under its language, but for Chinese's, which Mastodon
    // keeps whole; one it does not know falls back instead of failing.
    for (asked, filed) in [
        ("pt-BR", "pt"),
        ("zh-TW", "zh-TW"),
        ("tok", "tok"),
        ("gn", "en"),
    ] {
        let status = bot
            .statuses()
            .create("olá")
            .language(asked)
            .send()
            .await
            .unwrap();
        assert_eq!(status.language.as_deref(), Some(filed), "{asked}");
    }
    // (sent as-is: the library refuses it before sending)
    let http = reqwest::Client::new();
    let unknown: serde_json::Value = http
        .post(format!("{}/api/v1/statuses", sandbox.base_url()))
        .bearer_auth(bot.access_token().unwrap().expose())
        .json(&serde_json::json!({"status": "hm", "language": "not a language"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unknown["language"], "en");

    // What the sandbox does not do yet is refused, never silently dropped.
    let poll = http
        .post(format!("{}/api/v1/statuses", sandbox.base_url()))
        .bearer_auth(bot.access_token().unwrap().expose())
        .json(&serde_json::json!({"status": "vote", "poll": {"options": ["a", "b"], "expires_in": 300}}))
        .send()
        .await
        .unwrap();
    assert_eq!(poll.status(), 422);
    // Fields a client sends blank or null are not there, as Rails's `present?` has it.
    for blank in [
        serde_json::json!({"status": "nulls", "poll": null, "scheduled_at": null, "quoted_status_id": null}),
        serde_json::json!({"status": "blanks", "poll": {}, "scheduled_at": "", "quoted_status_id": " "}),
    ] {
        let posted = http
            .post(format!("{}/api/v1/statuses", sandbox.base_url()))
            .bearer_auth(bot.access_token().unwrap().expose())
            .json(&blank)
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), 200, "{blank}");
    }
    assert_eq!(statuses_count(&bot).await, 8);
}

#[tokio::test]
async fn a_body_is_read_only_when_its_type_is_one_rails_reads_and_the_query_wins() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let token = bot.access_token().unwrap().expose().to_owned();
    let url = format!("{}/api/v1/statuses", sandbox.base_url());
    let http = reqwest::Client::new();
    let post = |content_type: Option<&'static str>, body: &'static str, query: &'static str| {
        let mut request = http
            .post(format!("{url}{query}"))
            .bearer_auth(&token)
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        async move {
            let answer = request.send().await.unwrap();
            let status = answer.status().as_u16();
            (status, answer.json::<serde_json::Value>().await.unwrap())
        }
    };
    // What `fetch` sends for a string body: the form in it is not read.
    let (status, body) = post(Some("text/plain;charset=UTF-8"), "status=hi", "").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("Validation failed: Text can't be blank")),
        "{body}"
    );
    // A POST that names no type is read as a form, as Rack reads it; JSON by any of the
    // names Mastodon registers for it.
    let (status, body) = post(None, "status=untyped", "").await;
    assert_eq!(
        (status, body["content"].as_str()),
        (200, Some("<p>untyped</p>"))
    );
    let (status, body) = post(Some("application/ld+json"), r#"{"status":"linked"}"#, "").await;
    assert_eq!(
        (status, body["content"].as_str()),
        (200, Some("<p>linked</p>"))
    );
    // The query's value over the body's.
    let (status, body) = post(
        Some("application/x-www-form-urlencoded"),
        "status=both&visibility=public",
        "?visibility=private",
    )
    .await;
    assert_eq!(
        (status, body["visibility"].as_str()),
        (200, Some("private"))
    );
}

#[tokio::test]
async fn a_thread_posts_as_a_chain_cut_for_the_instances_limits() {
    use tootkit::text::{Limits, status_length};

    // An instance with a smaller limit and a different link length than Mastodon's.
    let limits = Limits {
        max_characters: 120,
        characters_reserved_per_url: 10,
    };
    let sandbox =
        crate::sandbox_with(tootkit_sandbox::SandboxConfig::in_memory().limits(limits)).await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let text = format!(
        "@bob@example.org look: https://example.com/{} and then {}",
        "long/".repeat(30),
        "more words follow here. ".repeat(20)
    );
    let mut seen = Vec::new();
    let statuses = bot
        .statuses()
        .thread(text.clone())
        .visibility(Visibility::Private)
        .reply_visibility(Visibility::Private)
        .spoiler_text("long")
        .carry_mentions(true)
        .send_with(|part| seen.push((part.index, part.count, part.status.id.clone(), part.earlier)))
        .await
        .unwrap();
    let count = statuses.len();
    assert!(count > 3, "{count} parts");
    let reported: Vec<_> = (statuses.iter().enumerate())
        .map(|(index, status)| (index, count, status.id.clone(), false))
        .collect();
    assert_eq!(
        seen, reported,
        "every part reported, as new, as it was posted"
    );
    let parts = bot
        .statuses()
        .thread(text)
        .spoiler_text("long")
        .carry_mentions(true)
        .parts()
        .await
        .unwrap();
    assert_eq!(parts.len(), count, "the instance's limits were asked for");
    for (index, (status, part)) in statuses.iter().zip(&parts).enumerate() {
        assert!(status_length(part, "long", limits) <= 120, "{part}");
        assert_eq!(status.spoiler_text, "long");
        assert_eq!(status.visibility, Visibility::Private);
        assert_eq!(
            status.in_reply_to_id.as_deref(),
            index
                .checked_sub(1)
                .map(|previous| statuses[previous].id.as_str())
        );
        assert!(part.ends_with(&format!(" {}/{count}", index + 1)));
        if index > 0 {
            assert!(part.starts_with("@bob@example.org "), "{part}");
        }
    }
    // The link was not cut: it sits whole in one part.
    assert!(
        parts
            .iter()
            .any(|p| p.contains(&format!("https://example.com/{}", "long/".repeat(30))))
    );
}

#[tokio::test]
async fn carried_mentions_leave_out_the_authors_own() {
    let sandbox = sandbox_with(
        SandboxConfig::in_memory().user("bob", tootkit::Password::new("bob's long password")),
    )
    .await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    // Her own name, as she wrote it, and as the sandbox's accounts are written.
    let text = format!(
        "@bob @{USER} and @{} again: {}",
        USER.to_uppercase(),
        "a sentence of words that needs a thread. ".repeat(20)
    );
    let statuses = bot
        .statuses()
        .thread(text)
        .carry_mentions(true)
        .send()
        .await
        .unwrap();
    assert!(statuses.len() > 1);
    for reply in &statuses[1..] {
        let opening: Vec<&str> = reply.mentions.iter().map(|m| m.acct.as_str()).collect();
        assert_eq!(opening, ["bob"], "{}", reply.content);
    }
}

#[tokio::test]
async fn thread_replies_are_unlisted_but_never_more_visible_than_the_first_part() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let text = "a sentence of words that needs a thread. ".repeat(20);
    for (first, replies) in [
        (None, Visibility::Unlisted),
        (Some(Visibility::Public), Visibility::Unlisted),
        (Some(Visibility::Private), Visibility::Private),
        (Some(Visibility::Direct), Visibility::Direct),
    ] {
        let mut thread = bot.statuses().thread(format!("{first:?}: {text}"));
        if let Some(first) = &first {
            thread = thread.visibility(first.clone());
        }
        let statuses = thread.send().await.unwrap();
        assert!(statuses.len() >= 2);
        assert_eq!(
            statuses[0].visibility,
            first.clone().unwrap_or(Visibility::Public)
        );
        for reply in &statuses[1..] {
            assert_eq!(reply.visibility, replies, "after a {first:?} first part");
        }
    }
}

#[tokio::test]
async fn a_thread_resumed_with_other_options_is_posted_anew() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let text = "a sentence of words that needs a thread. ".repeat(20);
    let numbered = bot.statuses().thread(text.clone()).send().await.unwrap();
    let again = bot.statuses().thread(text.clone()).send().await.unwrap();
    let ids = |statuses: &[tootkit::Status]| -> Vec<String> {
        statuses.iter().map(|s| s.id.clone()).collect()
    };
    assert_eq!(
        ids(&again),
        ids(&numbered),
        "the same thread is found again"
    );
    // Named postings of the same text are threads of their own, each found again.
    let named = |name: &'static str| bot.statuses().thread(text.clone()).run_id(name).send();
    let monday = named("monday").await.unwrap();
    let tuesday = named("tuesday").await.unwrap();
    assert!(ids(&monday).iter().all(|id| !ids(&numbered).contains(id)));
    assert!(ids(&tuesday).iter().all(|id| !ids(&monday).contains(id)));
    assert_eq!(ids(&named("tuesday").await.unwrap()), ids(&tuesday));
    let public = bot
        .statuses()
        .thread(text.clone())
        .visibility(Visibility::Public)
        .send()
        .await
        .unwrap();
    let named_default = bot
        .statuses()
        .thread(text.clone())
        .visibility(Visibility::Public)
        .reply_visibility(Visibility::Unlisted)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ids(&named_default),
        ids(&public),
        "after a public first part, naming the default (unlisted replies) is the same thread"
    );
    // A part deleted since cannot be posted again under its key: said as such.
    bot.statuses().delete(&numbered[1].id).await.unwrap();
    let err = bot
        .statuses()
        .thread(text.clone())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ThreadPartDeleted { part: 2, parts } if parts == numbered.len()),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .ends_with("change the text or its options to post the thread anew, or wait an hour."),
        "{err}"
    );
    let plain = bot
        .statuses()
        .thread(text)
        .numbering(false)
        .send()
        .await
        .unwrap();
    assert!(
        ids(&plain).iter().all(|id| !ids(&numbered).contains(id)),
        "unnumbered parts are other statuses, not the numbered ones found again"
    );
    assert!(plain.iter().all(|s| !s.content.contains("1/")));

    let err = bot
        .statuses()
        .thread("a sentence of words. ".repeat(100))
        .max_parts(2)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Thread {
                reason: tootkit::text::SplitError::TooManyParts { max: 2, .. }
            }
        ),
        "a caller can tell a thread too long from other refusals: {err:?}"
    );
}

/// Stands in front of `sandbox` as an account whose posts are direct unless said
/// otherwise: `verify_credentials` says so, and a status posted without a visibility
/// is made direct.
async fn direct_by_default(sandbox: &tootkit_sandbox::Sandbox) -> String {
    let upstream = sandbox
        .base_url()
        .to_string()
        .trim_end_matches('/')
        .to_owned();
    let http = reqwest::Client::new();
    let router = axum::Router::new().fallback(move |request: Request| {
        let upstream = upstream.clone();
        let http = http.clone();
        async move {
            let (parts, body) = request.into_parts();
            let path = parts.uri.path().to_owned();
            let mut body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
            if parts.method == axum::http::Method::POST && path == "/api/v1/statuses" {
                let mut json: serde_json::Value = serde_json::from_slice(&body).unwrap();
                json.as_object_mut()
                    .unwrap()
                    .entry("visibility")
                    .or_insert("direct".into());
                body = serde_json::to_vec(&json).unwrap().into();
            }
            let answer = relay(&http, &upstream, &parts, body).await;
            let status = answer.status();
            let mut bytes = answer.bytes().await.unwrap();
            if path == "/api/v1/accounts/verify_credentials" {
                let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                json["source"]["privacy"] = "direct".into();
                bytes = serde_json::to_vec(&json).unwrap().into();
            }
            (status, [("content-type", "application/json")], bytes).into_response()
        }
    });
    format!("http://{}", crate::serve(router).await)
}

#[tokio::test]
async fn a_thread_posted_direct_by_the_accounts_default_carries_its_mentions() {
    let sandbox = sandbox_with(
        SandboxConfig::in_memory().user("bob", tootkit::Password::new("bob's long password")),
    )
    .await;
    let token = user_token(&fast_client(&sandbox), "read write").await;
    let bot = Client::builder(direct_by_default(&sandbox).await.parse().unwrap())
        .access_token(token)
        .build()
        .unwrap();
    let text = format!(
        "@bob {}",
        "a sentence of words that needs a thread. ".repeat(20)
    );
    // No visibility named: the account's default, direct, decides.
    let statuses = bot.statuses().thread(text).send().await.unwrap();
    assert!(statuses.len() >= 2);
    for status in &statuses {
        assert_eq!(status.visibility, Visibility::Direct);
        assert!(
            status.mentions.iter().any(|m| m.acct == "bob"),
            "a direct reply without the mention reaches no one: {}",
            status.content
        );
    }
}

#[tokio::test]
async fn every_part_of_a_direct_thread_reaches_the_people_it_mentions() {
    let sandbox = sandbox_with(
        SandboxConfig::in_memory().user("bob", tootkit::Password::new("bob's long password")),
    )
    .await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let text = format!(
        "@bob {}",
        "a sentence of words that needs a thread. ".repeat(20)
    );
    let statuses = bot
        .statuses()
        .thread(text)
        .visibility(Visibility::Direct)
        .send()
        .await
        .unwrap();
    assert!(statuses.len() >= 2);
    for status in &statuses {
        assert_eq!(status.visibility, Visibility::Direct);
        assert_eq!(
            status
                .mentions
                .iter()
                .map(|m| m.acct.as_str())
                .collect::<Vec<_>>(),
            ["bob"],
            "without mentions, a direct reply reaches no one: {}",
            status.content
        );
    }
    // Bob, mentioned, reads every part; a stranger none.
    let bob = client.with_access_token(
        crate::user_token_as(&client, "read", "bob", "bob's long password").await,
    );
    for status in &statuses {
        assert_eq!(bob.statuses().get(&status.id).await.unwrap().id, status.id);
        let hidden = client.statuses().get(&status.id).await.unwrap_err();
        assert!(matches!(hidden, Error::NotFound { .. }), "{hidden:?}");
    }

    // Replies chosen wider than a direct first part are refused before posting.
    let before = statuses_count(&bot).await;
    let err = bot
        .statuses()
        .thread("@bob a secret. ".repeat(60))
        .visibility(Visibility::Direct)
        .reply_visibility(Visibility::Public)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string().ends_with(
            "Replies that are public would be more visible than the thread's first part, which is direct; choose a reply visibility no wider than direct."
        ),
        "{err}"
    );
    assert_eq!(statuses_count(&bot).await, before, "nothing was posted");

    // Direct replies to a public first part carry its mentions too.
    let replies_direct = bot
        .statuses()
        .thread(format!("@bob {}", "an open start. ".repeat(60)))
        .visibility(Visibility::Public)
        .reply_visibility(Visibility::Direct)
        .send()
        .await
        .unwrap();
    assert!(
        replies_direct[1..]
            .iter()
            .all(|s| s.visibility == Visibility::Direct
                && s.mentions.iter().any(|m| m.acct == "bob"))
    );

    let err = bot
        .statuses()
        .thread("a text")
        .visibility(Visibility::Other("list".into()))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot be derived from `list`, which tootkit does not know"),
        "{err}"
    );
}

#[tokio::test]
async fn the_sandbox_files_tags_and_mentions_as_mastodon_does() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "write").await);
    let status = bot
        .statuses()
        .create("#café #Café #CAFÉ #CamelCase hi @ALICE and @nobody")
        .send()
        .await
        .unwrap();
    let base = sandbox.base_url().to_string();
    let tags: Vec<(&str, &str)> = status
        .tags
        .iter()
        .map(|t| (t.name.as_str(), t.url.as_str()))
        .collect();
    let (cafe, camel) = (
        format!("{base}/tags/cafe"),
        format!("{base}/tags/camelcase"),
    );
    assert_eq!(
        tags,
        [("cafe", cafe.as_str()), ("camelcase", camel.as_str())]
    );
    // Each link keeps the tag as written.
    assert!(
        status
            .content
            .contains(&format!(r#"<a href="{base}/tags/CamelCase" class="mention hashtag" rel="tag">#<span>CamelCase</span></a>"#)),
        "{}",
        status.content
    );
    // The mention of a local account is stored as the account spells it; an unknown
    // one stays text.
    assert_eq!(status.mentions.len(), 1);
    assert_eq!(status.mentions[0].acct, USER);
    let source = bot.statuses().delete(&status.id).await.unwrap().unwrap();
    assert_eq!(
        source.text.as_deref(),
        Some("#café #Café #CAFÉ #CamelCase hi @alice and @nobody")
    );
}

/// One page of `GET /api/v1/accounts/:id/statuses`: the statuses' texts and the
/// `rel="next"` address of the `Link` header.
async fn account_page(url: &str, token: Option<&str>) -> (Vec<String>, Option<String>) {
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let next = response
        .headers()
        .get("link")
        .and_then(|link| link.to_str().ok())
        .and_then(|link| {
            link.split(", ")
                .find(|part| part.ends_with(r#"rel="next""#))
                .and_then(|part| part.split(['<', '>']).nth(1))
                .map(str::to_owned)
        });
    let statuses: Vec<serde_json::Value> = response.json().await.unwrap();
    let texts = statuses
        .iter()
        .map(|s| s["content"].as_str().unwrap().to_owned())
        .collect();
    (texts, next)
}

#[tokio::test]
async fn an_accounts_statuses_page_past_what_the_reader_may_not_see() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let token = user_token(&client, "read write").await;
    let bot = client.with_access_token(token.clone());
    let mut account_id = String::new();
    // Oldest first; the stranger may see only the public and unlisted ones.
    for (text, visibility) in [
        ("p1", Visibility::Public),
        ("h1", Visibility::Private),
        ("h2", Visibility::Private),
        ("h3", Visibility::Direct),
        ("p2", Visibility::Unlisted),
        ("h4", Visibility::Private),
        ("p3", Visibility::Public),
    ] {
        let status = bot
            .statuses()
            .create(text)
            .visibility(visibility)
            .send()
            .await
            .unwrap();
        account_id = status.account.id;
    }
    let p =
        |texts: &[&str]| -> Vec<String> { texts.iter().map(|t| format!("<p>{t}</p>")).collect() };
    let first = format!(
        "{}/api/v1/accounts/{account_id}/statuses?limit=2",
        sandbox.base_url().as_str().trim_end_matches('/')
    );

    let (page, next) = account_page(&first, None).await;
    assert_eq!(page, p(&["p3", "p2"]));
    let (page, next) = account_page(&next.expect("a next page"), None).await;
    assert_eq!(
        page,
        p(&["p1"]),
        "three hidden statuses in a row neither shorten the page nor end the paging"
    );
    if let Some(next) = next {
        assert_eq!(account_page(&next, None).await.0, Vec::<String>::new());
    }

    let (page, _) = account_page(&first.replace("limit=2", "limit=3"), Some(token.expose())).await;
    assert_eq!(page, p(&["p3", "h4", "p2"]), "the author sees every status");

    let p1_id = {
        let (_, next) =
            account_page(&first.replace("limit=2", "limit=7"), Some(token.expose())).await;
        next.unwrap().rsplit("max_id=").next().unwrap().to_owned()
    };
    let (page, _) = account_page(&format!("{first}&min_id={p1_id}"), None).await;
    assert_eq!(
        page,
        p(&["p3", "p2"]),
        "min_id: the nearest visible above it, newest first"
    );
    let (page, _) = account_page(
        &format!("{first}&min_id={p1_id}").replace("limit=2", "limit=1"),
        None,
    )
    .await;
    assert_eq!(page, p(&["p2"]));
    // An ID that is no number bounds nothing: the newest page, not a jumble.
    let (page, _) = account_page(&format!("{first}&min_id=abc"), None).await;
    assert_eq!(page, p(&["p3", "p2"]));
}

#[tokio::test]
async fn an_accounts_statuses_are_filtered_and_paged_as_mastodon_does() {
    let sandbox = sandbox_with(
        SandboxConfig::in_memory().user("bob", tootkit::Password::new("bobs password")),
    )
    .await;
    let client = fast_client(&sandbox);
    let token = user_token(&client, "read write").await;
    let bot = client.with_access_token(token.clone());
    let other = client.with_access_token(
        crate::user_token_as(&client, "read write", "bob", "bobs password").await,
    );
    let bobs = other.statuses().create("hi from bob").send().await.unwrap();
    let first = bot.statuses().create("one #Cats").send().await.unwrap();
    bot.statuses()
        .create("to bob")
        .in_reply_to(bobs.id.clone())
        .send()
        .await
        .unwrap();
    bot.statuses()
        .create("my own thread, #cats again")
        .in_reply_to(first.id.clone())
        .send()
        .await
        .unwrap();
    let base = format!(
        "{}/api/v1/accounts/{}/statuses",
        sandbox.base_url().as_str().trim_end_matches('/'),
        first.account.id
    );
    let p =
        |texts: &[&str]| -> Vec<String> { texts.iter().map(|t| format!("<p>{t}</p>")).collect() };
    let texts = |page: Vec<String>| -> Vec<String> {
        page.into_iter()
            .map(|html| {
                // Tags are links: keep the words.
                let mut text = String::new();
                let mut inside = false;
                for c in html.chars() {
                    match c {
                        '<' => inside = true,
                        '>' => inside = false,
                        c if !inside => text.push(c),
                        _ => {}
                    }
                }
                format!("<p>{text}</p>")
            })
            .collect()
    };
    // Replies to others go, a thread of one's own stays.
    let (page, _) = account_page(&format!("{base}?exclude_replies=true"), None).await;
    assert_eq!(texts(page), p(&["my own thread, #cats again", "one #Cats"]));
    // A tag, whatever its case.
    let (page, _) = account_page(&format!("{base}?tagged=CATS"), None).await;
    assert_eq!(texts(page).len(), 2);
    // Nothing is pinned, and no status has media.
    for filter in ["pinned=true", "only_media=1"] {
        let (page, next) = account_page(&format!("{base}?{filter}"), None).await;
        assert!(page.is_empty() && next.is_none(), "{filter}");
    }
    // A page that is not full has no next one; the links carry the filters given, and
    // a negative limit counts as positive.
    let (page, next) = account_page(&format!("{base}?limit=-2&exclude_replies=1"), None).await;
    assert_eq!(page.len(), 2);
    let next = next.expect("a full page has a next one");
    assert!(
        next.contains("limit=-2") && next.contains("exclude_replies=1"),
        "{next}"
    );
    let (page, next) = account_page(&next, None).await;
    assert!(page.is_empty() && next.is_none(), "{page:?} {next:?}");
    let (page, next) = account_page(&format!("{base}?limit=10"), None).await;
    assert_eq!(page.len(), 3);
    assert!(next.is_none(), "three of ten: no next page");
    // A limit of 0, or one that is no number (0 to Ruby), finds nothing.
    for limit in ["0", "abc"] {
        let (page, next) = account_page(&format!("{base}?limit={limit}"), None).await;
        assert!(page.is_empty() && next.is_none(), "{limit}");
    }
    drop(token);
}

/// A `multipart/form-data` body of text fields, as `curl -F` sends one.
fn multipart(fields: &[(&str, &str)]) -> (String, String) {
    let boundary = "------------------------tootkit0multipart";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_sandbox_reads_multipart_forms_as_mastodon_does() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().as_str().trim_end_matches('/').to_owned();
    let client = fast_client(&sandbox);
    let token = user_token(&client, "read write").await;
    let http = reqwest::Client::new();
    let send = |path: &str, token: Option<&str>, fields: &[(&str, &str)]| {
        let (content_type, body) = multipart(fields);
        let mut request = http
            .post(format!("{base}{path}"))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let answer = request.send().await.unwrap();
            (
                answer.status().as_u16(),
                answer.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };

    let (status, app) = send(
        "/api/v1/apps",
        None,
        &[
            ("client_name", "curl -F"),
            ("redirect_uris", tootkit::OOB_REDIRECT_URI),
            ("scopes", "read write"),
        ],
    )
    .await;
    assert_eq!(
        (status, app["name"].as_str()),
        (200, Some("curl -F")),
        "{app}"
    );
    let (status, granted) = send(
        "/oauth/token",
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", app["client_id"].as_str().unwrap()),
            ("client_secret", app["client_secret"].as_str().unwrap()),
            ("scope", "read"),
        ],
    )
    .await;
    assert_eq!(
        (status, granted["scope"].as_str()),
        (200, Some("read")),
        "{granted}"
    );

    let (status, posted) = send(
        "/api/v1/statuses",
        Some(token.expose()),
        &[
            ("status", "posted with curl -F, ünïcödé and all"),
            ("visibility", "unlisted"),
            ("spoiler_text", "multipart"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{posted}");
    assert_eq!(
        posted["content"],
        "<p>posted with curl -F, ünïcödé and all</p>"
    );
    assert_eq!(posted["visibility"], "unlisted");
    assert_eq!(posted["spoiler_text"], "multipart");

    let (status, refused) = send(
        "/api/v1/statuses",
        Some(token.expose()),
        &[("status", "x"), ("visibility", "everyone")],
    )
    .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (
            422,
            Some("Validation failed: Visibility is not included in the list")
        )
    );

    // Bytes that are not UTF-8 are refused, as in a URL-encoded form.
    let boundary = "tootkit0bytes";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"status\"\r\n\r\nbad")
            .into_bytes();
    body.extend_from_slice(b"\xff\r\n");
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let answer = http
        .post(format!("{base}/api/v1/statuses"))
        .bearer_auth(token.expose())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
}

#[tokio::test]
async fn a_redirecting_api_names_where_it_points() {
    let router = axum::Router::new().fallback(|| async {
        (
            StatusCode::MOVED_PERMANENTLY,
            [(
                "location",
                "https://social.example.org/api/v1/accounts/verify_credentials?x=1",
            )],
        )
    });
    let addr = crate::serve(router).await;
    let client = Client::new(format!("http://{addr}").parse().unwrap())
        .unwrap()
        .with_access_token(tootkit::AccessToken::new("token"));
    let err = client.accounts().verify_credentials().await.unwrap_err();
    assert!(
        matches!(&err, Error::Redirected { status: 301, location: Some(l), .. } if l == "https://social.example.org"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "The server answered /api/v1/accounts/verify_credentials with HTTP 301, a redirect to https://social.example.org; the instance's API is probably at https://social.example.org, so use that as the instance address."
    );
    // Discovery takes a redirect as no metadata, and goes on with the instance's own
    // endpoints (the next request says where the API went).
    let server = client.oauth().discover().await.unwrap();
    assert!(!server.published);
}

#[tokio::test]
async fn accounts_are_looked_up_by_address_as_mastodon_does() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let domain = sandbox.base_url().authority();
    for acct in [
        USER.to_owned(),
        format!("@{USER}"),
        USER.to_uppercase(),
        format!("{USER}@{domain}"),
    ] {
        let found = client.accounts().lookup(&acct).await.unwrap();
        assert_eq!(found.username, USER, "{acct}");
    }
    for acct in ["nobody", "alice@elsewhere.example"] {
        let err = client.accounts().lookup(acct).await.unwrap_err();
        assert!(
            matches!(&err, Error::NotFound { server_message: Some(m), .. } if m == "Record not found"),
            "{acct}: {err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("The server knows no account at that address"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn what_the_sandbox_does_not_serve_is_a_json_404_whatever_the_method() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let http = reqwest::Client::new();
    for (request, what) in [
        (
            http.get(format!("{base}/api/v1/timelines/home")),
            "GET /api/v1/timelines/home",
        ),
        // A path it serves, with a method it does not (editing a status).
        (
            http.put(format!("{base}/api/v1/statuses/1")),
            "PUT /api/v1/statuses/1",
        ),
        (
            http.patch(format!("{base}/api/v1/accounts/verify_credentials")),
            "PATCH /api/v1/accounts/verify_credentials",
        ),
    ] {
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 404);
        assert_eq!(
            answer.json::<serde_json::Value>().await.unwrap(),
            serde_json::json!({"error": format!(
                "Not Found: {what} is not an endpoint the sandbox serves (the README lists those it does)."
            )}),
            "told apart from a missing record"
        );
    }
    let missing = http
        .get(format!("{base}/api/v1/statuses/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    assert_eq!(
        missing.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"error": "Not Found"}),
        "a missing record is answered as Mastodon answers it"
    );
}

#[tokio::test]
async fn the_addresses_the_sandbox_hands_out_lead_to_pages() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let public = bot
        .statuses()
        .create("howdy <universe>!")
        .spoiler_text("greetings")
        .send()
        .await
        .unwrap();
    let private = bot
        .statuses()
        .create("for followers only")
        .visibility(Visibility::Private)
        .send()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let page = |url: String| {
        let http = http.clone();
        async move {
            let answer = http.get(url).send().await.unwrap();
            let status = answer.status().as_u16();
            let kind = answer
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            (status, kind, answer.bytes().await.unwrap().to_vec())
        }
    };
    let (status, kind, html) = page(public.url.clone().unwrap()).await;
    let html = String::from_utf8(html).unwrap();
    assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
    assert!(
        html.contains("<summary>greetings</summary><p>howdy &lt;universe&gt;!</p>"),
        "{html}"
    );
    let (status, _, html) = page(public.account.url.clone()).await;
    let html = String::from_utf8(html).unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("howdy &lt;universe&gt;!"), "{html}");
    assert!(
        !html.contains("for followers only"),
        "a private status is not on the public profile"
    );
    let (status, _, html) = page(private.url.clone().unwrap()).await;
    assert_eq!(status, 404, "nor on its own page, to someone not signed in");
    assert!(
        !String::from_utf8(html)
            .unwrap()
            .contains("for followers only")
    );
    let (status, kind, png) = page(public.account.avatar.clone()).await;
    assert_eq!((status, kind.as_str()), (200, "image/png"));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    // The instance's own addresses, given as Mastodon gives them (strings, not null).
    let instance: serde_json::Value = http
        .get(sandbox.base_url().endpoint("/api/v2/instance"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let urls = &instance["configuration"]["urls"];
    assert_eq!(
        urls["streaming"].as_str(),
        Some(
            sandbox
                .base_url()
                .as_str()
                .trim_end_matches('/')
                .replacen("http", "ws", 1)
                .as_str()
        )
    );
    for name in ["about", "privacy_policy"] {
        let (status, kind, _) = page(urls[name].as_str().unwrap().to_owned()).await;
        assert_eq!(
            (status, kind.as_str()),
            (200, "text/html; charset=utf-8"),
            "{name}"
        );
    }

    // The ActivityPub addresses in `uri` send a browser on to the pages.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Written as Mastodon 4.6 writes them (by the account's ID), and in the older
    // form by name, which Mastodon still serves.
    let base = sandbox.base_url().as_str().trim_end_matches('/');
    let account_uri = format!("{base}/ap/users/{}", public.account.id);
    assert_eq!(public.account.uri.as_deref(), Some(account_uri.as_str()));
    assert_eq!(public.uri, format!("{account_uri}/statuses/{}", public.id));
    for (uri, page) in [
        (public.uri.clone(), format!("/@{USER}/{}", public.id)),
        (account_uri.clone(), format!("/@{USER}")),
        (format!("{base}/users/{USER}"), format!("/@{USER}")),
        (
            format!("{base}/users/{USER}/statuses/{}", public.id),
            format!("/@{USER}/{}", public.id),
        ),
    ] {
        let answer = no_redirects.get(&uri).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 302, "{uri}");
        assert_eq!(answer.headers()["location"], page.as_str(), "{uri}");
    }
    // A hashtag's link leads to its public posts; a path without `@` is no page.
    let tagged = bot
        .statuses()
        .create("a post about #Rust")
        .send()
        .await
        .unwrap();
    bot.statuses()
        .create("an unlisted word on #Rust")
        .visibility(Visibility::Unlisted)
        .send()
        .await
        .unwrap();
    let (status, _, html) = page(tagged.tags[0].url.clone()).await;
    let html = String::from_utf8(html).unwrap();
    assert_eq!(status, 200);
    assert!(
        html.contains("<h1>#rust</h1>") && html.contains("a post about"),
        "{html}"
    );
    assert!(!html.contains("howdy"), "only the tag's posts");
    assert!(
        !html.contains("unlisted word"),
        "and only public ones, as Mastodon's"
    );
    let (status, kind, _) = page(format!("{}/explore/links", sandbox.base_url())).await;
    assert_eq!(
        (status, kind.as_str()),
        (404, "application/json; charset=utf-8")
    );
}

#[tokio::test]
async fn an_instance_that_describes_itself_only_to_signed_in_clients_is_asked_with_the_token() {
    // Limited-federation instances answer even /api/v2/instance only with a token.
    let router = axum::Router::new().route(
        "/api/v2/instance",
        axum::routing::get(|headers: axum::http::HeaderMap| async move {
            if headers.contains_key("authorization") {
                (
                    StatusCode::OK,
                    [("content-type", "application/json")],
                    r#"{"domain":"closed.example","version":"4.6.4","configuration":{"statuses":{"max_characters":600}}}"#,
                )
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    [("content-type", "application/json")],
                    r#"{"error":"This API requires an authenticated user"}"#,
                )
            }
        }),
    );
    let base: tootkit::InstanceUrl = format!("http://{}", crate::serve(router).await)
        .parse()
        .unwrap();
    let anonymous = Client::new(base.clone()).unwrap();
    let err = anonymous.instance().get().await.unwrap_err();
    assert!(matches!(err, Error::TokenRequired { .. }), "{err:?}");
    let signed_in = Client::builder(base)
        .access_token(tootkit::AccessToken::new("a-token"))
        .build()
        .unwrap();
    let instance = signed_in.instance().get().await.unwrap();
    assert_eq!(instance.max_characters(), 600);
}

#[tokio::test]
async fn a_limit_of_zero_published_is_no_limit_said() {
    let sandbox = sandbox_with(SandboxConfig::in_memory().limits(tootkit::text::Limits {
        max_characters: 0,
        characters_reserved_per_url: 23,
    }))
    .await;
    let client = fast_client(&sandbox);
    let instance = client.instance().get().await.unwrap();
    assert_eq!(
        instance
            .configuration
            .statuses
            .as_ref()
            .and_then(|s| s.max_characters),
        Some(0),
        "the sandbox publishes 0"
    );
    assert_eq!(instance.max_characters(), 500);
    // Cut for Mastodon's default, not refused as fitting nowhere.
    let parts = client
        .statuses()
        .thread("word ".repeat(300))
        .visibility(Visibility::Public)
        .parts()
        .await
        .unwrap();
    assert_eq!(parts.len(), 4, "{parts:?}");
    // Saying none, it leaves a caller who knows better free to cut larger parts.
    let parts = client
        .statuses()
        .thread("word ".repeat(300))
        .visibility(Visibility::Public)
        .max_characters(1000)
        .parts()
        .await
        .unwrap();
    assert_eq!(parts.len(), 2, "{parts:?}");
}

#[tokio::test]
async fn a_language_with_a_region_is_posted_and_filed_as_mastodon_files_it() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    // What a bot passes from `$LANG`, as Mastodon's `valid_locale_or_nil` reads it.
    for (given, filed) in [("ja_JP", "ja"), ("pt_BR.UTF-8", "pt"), ("zh-TW", "zh-TW")] {
        let status = bot
            .statuses()
            .create("konnichiwa")
            .language(given)
            .send()
            .await
            .unwrap();
        assert_eq!(status.language.as_deref(), Some(filed), "{given}");
    }
    let refused = bot
        .statuses()
        .create("hello")
        .language("English")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "`English` is not a language code; give an ISO 639 code such as `en`, `de` or `pt-BR`."
    );
    assert_eq!(
        statuses_count(&bot).await,
        3,
        "nothing sent for the refused one"
    );
}

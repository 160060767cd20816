//! The sign-in and consent pages in a real headless Chromium, driven over WebDriver:
//! the browser opens the URL `tootkit auth login --no-browser` prints, signs in,
//! authorizes, is redirected to the CLI's loopback listener, and the CLI stores a
//! working token.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};

use crate::{Home, PASSWORD, Running, USER, sandbox, skip_or_fail};

fn find(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env) {
        return Some(PathBuf::from(path));
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

/// Headless Chromium under chromedriver, its profile in `home`; `None` (after saying
/// so, or failing under CI) when either is not installed. The driver is stopped when
/// the first value is dropped.
async fn headless(home: &Home) -> Option<(crate::Reaped, fantoccini::Client)> {
    let Some(chromedriver) = find(
        "TOOTKIT_CHROMEDRIVER",
        &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"],
    ) else {
        skip_or_fail(
            "chromedriver is not installed (Debian: apt-get install chromium chromium-driver)",
        );
        return None;
    };
    let Some(chromium) = find(
        "TOOTKIT_CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
    ) else {
        skip_or_fail("chromium is not installed (Debian: apt-get install chromium)");
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = crate::Reaped::new(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile_dir = home.dir.join("chromium-profile");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile_dir.display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let mut browser = None;
    for _ in 0..50 {
        match ClientBuilder::new(connector.clone())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => {
                browser = Some(client);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    Some((
        driver,
        browser.expect("a WebDriver session with headless Chromium"),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_browser_signs_in_and_the_cli_stores_a_working_token() {
    let home = Home::new("browser");
    let Some((_driver, browser)) = headless(&home).await else {
        return;
    };

    let sandbox = sandbox().await;
    let mut command = home.tootkit();
    command.args([
        "auth",
        "login",
        "--no-browser",
        "--instance",
        &sandbox.base_url().to_string(),
    ]);
    let mut cli = Running::spawn(command, false);
    let url = cli.line_starting_with("http").await;

    browser.goto(&url).await.unwrap();
    assert_eq!(browser.title().await.unwrap(), "Sign in · tootkit sandbox");
    browser
        .find(Locator::Css("#user_email"))
        .await
        .unwrap()
        .send_keys(USER)
        .await
        .unwrap();
    browser
        .find(Locator::Css("#user_password"))
        .await
        .unwrap()
        .send_keys("wrong password")
        .await
        .unwrap();
    browser
        .find(Locator::Css("#sign-in-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error = browser
        .wait()
        .for_element(Locator::Css("#error"))
        .await
        .unwrap();
    assert_eq!(
        error.text().await.unwrap(),
        "Invalid user name, email address or password."
    );

    browser
        .find(Locator::Css("#user_email"))
        .await
        .unwrap()
        .send_keys(USER)
        .await
        .unwrap();
    browser
        .find(Locator::Css("#user_password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    browser
        .find(Locator::Css("#sign-in-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    let app_name = browser
        .wait()
        .for_element(Locator::Css("#app-name"))
        .await
        .unwrap();
    assert_eq!(app_name.text().await.unwrap(), "tootkit");
    assert_eq!(
        browser
            .find(Locator::Css("#account"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "@alice"
    );
    let scopes = browser
        .find(Locator::Css("#scopes"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        scopes.contains("read") && scopes.contains("write"),
        "{scopes}"
    );
    browser
        .find(Locator::Css("#authorize"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The click starts a navigation; until the callback page has loaded, the consent
    // page (which has an `h1` too) may still be the one shown.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let current = loop {
        let current = browser.current_url().await.unwrap();
        if current.path() == "/callback" || std::time::Instant::now() > deadline {
            break current;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(current.host_str(), Some("127.0.0.1"));
    assert_eq!(current.path(), "/callback");
    let landed = browser
        .wait()
        .for_element(Locator::Css("h1"))
        .await
        .unwrap();
    assert_eq!(landed.text().await.unwrap(), "Authorization received");
    browser.close().await.unwrap();

    let done = cli.finish().await.success();
    assert!(done.stderr.contains("Signed in to"), "{}", done.stderr);
    let posted = home
        .run(&["post", "posted after a real browser sign-in"])
        .await
        .success();
    assert!(
        posted.stdout.starts_with(&sandbox.base_url().to_string()),
        "{}",
        posted.stdout
    );
}

/// What a page of another origin (a web client's dev server) asks the sandbox for, as
/// a browser makes the requests: with preflights, and reading only what CORS allows.
const CROSS_ORIGIN_SCRIPT: &str = r#"
const [base, token, done] = arguments;
(async () => {
  const auth = { Authorization: "Bearer " + token };
  const me = await (await fetch(base + "/api/v1/accounts/verify_credentials", { headers: auth })).json();
  const posted = await fetch(base + "/api/v1/statuses", {
    method: "POST",
    headers: { ...auth, "Content-Type": "application/json", "Idempotency-Key": "from-a-web-page" },
    body: JSON.stringify({ status: "posted from a web page" }),
  });
  const status = await posted.json();
  let signInPage;
  try {
    await fetch(base + "/oauth/authorize");
    signInPage = "read";
  } catch (refused) {
    signInPage = "refused";
  }
  done({
    account: me.username,
    content: status.content,
    remaining: posted.headers.get("X-RateLimit-Remaining"),
    signInPage,
  });
})().catch((err) => done({ error: String(err) }));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_of_another_origin_posts_through_the_sandbox_in_a_real_browser() {
    let home = Home::new("browser-cors");
    let Some((_driver, browser)) = headless(&home).await else {
        return;
    };
    let sandbox = sandbox().await;
    let token = crate::web_token(&sandbox, USER, PASSWORD, "read write").await;
    // Another port of 127.0.0.1 is another origin.
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(|| async { axum::response::Html("<title>a web client</title>") }),
    );
    let page = format!("http://{}/", crate::serve(router).await);

    browser.goto(&page).await.unwrap();
    let base = sandbox.base_url().to_string();
    let said = browser
        .execute_async(
            CROSS_ORIGIN_SCRIPT,
            vec![
                serde_json::json!(base.trim_end_matches('/')),
                serde_json::json!(token.expose()),
            ],
        )
        .await
        .unwrap();
    browser.close().await.unwrap();
    assert_eq!(said["error"], serde_json::Value::Null, "{said}");
    assert_eq!(said["account"], USER, "{said}");
    assert_eq!(said["content"], "<p>posted from a web page</p>", "{said}");
    assert!(
        said["remaining"]
            .as_str()
            .is_some_and(|n| n.parse::<u32>().is_ok()),
        "the rate-limit headers are readable: {said}"
    );
    assert_eq!(
        said["signInPage"], "refused",
        "the sign-in pages stay same-origin: {said}"
    );
}

/// An application authorized before asks for `response_mode=form_post`: the browser
/// signs in, and the sandbox's page posts the code and state on to the application by
/// itself, its one script allowed by the page's policy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_post_answer_reaches_the_application_in_a_real_browser() {
    use tootkit::{AuthorizationRequest, Client, Password, Scopes};
    use tootkit_sandbox::{AuthorizationOutcome, ScriptedUser};

    let home = Home::new("browser-form-post");
    let Some((_driver, browser)) = headless(&home).await else {
        return;
    };
    let sandbox = sandbox().await;
    // The application: a page that takes the posted answer.
    let (posted, mut answers) = tokio::sync::mpsc::unbounded_channel::<Vec<(String, String)>>();
    let router = axum::Router::new().route(
        "/callback",
        axum::routing::post(
            move |axum::Form(fields): axum::Form<Vec<(String, String)>>| async move {
                let _ = posted.send(fields);
                axum::response::Html("<title>received</title>")
            },
        ),
    );
    let callback = format!("http://{}/callback", crate::serve(router).await);

    let client = Client::new(sandbox.base_url().clone()).unwrap();
    let app = client
        .apps()
        .register("form poster")
        .scopes(Scopes::read())
        .redirect_uri(&callback)
        .send()
        .await
        .unwrap();
    let server = client.oauth().discover().await.unwrap();
    // Authorized once (the consent form answers in the query), so authorized again at
    // once, where the mode holds.
    let first = AuthorizationRequest::new(&app.client_id, &callback, Scopes::read());
    let Ok(AuthorizationOutcome::Redirect(target)) = ScriptedUser::new()
        .unwrap()
        .authorize(&first.url(&server), USER, &Password::new(PASSWORD))
        .await
    else {
        panic!("a redirect to the application");
    };
    let code = target
        .query_pairs()
        .find(|(name, _)| name == "code")
        .unwrap()
        .1
        .into_owned();
    client
        .oauth()
        .exchange_code(
            &app.credentials(),
            &first,
            tootkit::AuthorizationCode::new(code),
        )
        .await
        .unwrap();

    let again = AuthorizationRequest::new(&app.client_id, &callback, Scopes::read());
    let mut url = again.url(&server);
    url.query_pairs_mut()
        .append_pair("response_mode", "form_post");
    browser.goto(url.as_str()).await.unwrap();
    for (field, value) in [("#user_email", USER), ("#user_password", PASSWORD)] {
        browser
            .find(Locator::Css(field))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    browser
        .find(Locator::Css("#sign-in-button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let fields = tokio::time::timeout(Duration::from_secs(20), answers.recv())
        .await
        .expect("the answer is posted to the application without a click")
        .unwrap();
    browser.close().await.unwrap();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    };
    assert_eq!(field("state").as_deref(), Some(again.state()), "{fields:?}");
    let code = field("code").expect("a code");
    let token = client
        .oauth()
        .exchange_code(
            &app.credentials(),
            &again,
            tootkit::AuthorizationCode::new(code),
        )
        .await
        .unwrap();
    assert_eq!(token.scope, "read");
}

//! How the client presents itself: its `User-Agent`, and the instance and token it
//! takes from the environment (`Client::from_env`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use tootkit::{Client, Error};

use crate::{fast_client, sandbox, serve, user_token};

#[tokio::test]
async fn every_request_names_tootkit_and_its_version_after_the_application() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let router = axum::Router::new().fallback(move |headers: HeaderMap| {
        let record = record.clone();
        async move {
            if let Some(agent) = headers.get("user-agent").and_then(|v| v.to_str().ok()) {
                record.lock().unwrap().push(agent.to_owned());
            }
            axum::http::StatusCode::NOT_FOUND
        }
    });
    let addr = serve(router).await;
    let base: tootkit::InstanceUrl = format!("http://{addr}").parse().unwrap();
    let version = env!("CARGO_PKG_VERSION");

    let plain = Client::new(base.clone()).unwrap();
    let _ = plain.statuses().get("1").await;
    let named = Client::builder(base)
        .user_agent("weatherbot/2.1")
        .build()
        .unwrap();
    let _ = named.statuses().get("1").await;

    assert_eq!(
        *seen.lock().unwrap(),
        [
            format!("tootkit/{version}"),
            format!("weatherbot/2.1 tootkit/{version}")
        ]
    );
}

/// On Linux, a listener whose accept queue is full drops new handshakes (where other
/// systems may refuse them), so a connection attempt waits until the client gives up.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_server_that_never_accepts_the_connection_times_out_with_advice() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    let mut queue_full = false;
    for _ in 0..4096 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(50)) {
            Ok(stream) => held.push(stream),
            Err(err) => {
                queue_full = err.kind() == std::io::ErrorKind::TimedOut;
                break;
            }
        }
    }
    assert!(
        queue_full,
        "the accept queue never filled ({} connections)",
        held.len()
    );
    let client = Client::builder(format!("http://{addr}").parse().unwrap())
        .connect_timeout(Duration::from_millis(300))
        .timeout(Duration::from_secs(30))
        .retry(tootkit::RetryPolicy::never())
        .build()
        .unwrap();
    let err = client.statuses().get("1").await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        err.to_string().contains("did not answer within 0.3 s"),
        "the connection's wait, not the request's 30 s, is the one that ended: {err}"
    );
    // A post that could not even connect was never sent: its fate is known, and its
    // repeat need not wait for a first try to settle (here an hour, never reached).
    let poster = Client::builder(format!("http://{addr}").parse().unwrap())
        .access_token(tootkit::AccessToken::new("a-token"))
        .connect_timeout(Duration::from_millis(300))
        .retry(
            tootkit::RetryPolicy::new(1, Duration::from_millis(5))
                .settle_delay(Duration::from_secs(3600)),
        )
        .build()
        .unwrap();
    let post = tokio::time::timeout(
        Duration::from_secs(60),
        poster.statuses().create("never sent").send(),
    )
    .await
    .expect("repeated without waiting for a first try to settle")
    .unwrap_err();
    assert!(matches!(post, Error::Timeout { .. }), "{post:?}");
    drop(listener);
}

/// The name of the test a child process runs to read its own environment.
const CHILD: &str = "identity::child_reads_its_environment";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_env_takes_the_instance_and_token_mastodon_py_users_set() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let token = user_token(&client, "read").await;
    let base = sandbox.base_url().to_string();
    let signed_in = child(&[
        (tootkit::ENV_BASE_URL, &base),
        (tootkit::ENV_ACCESS_TOKEN, token.expose()),
    ])
    .await;
    assert!(signed_in.contains("child: @alice"), "{signed_in}");
    // As a `.env` file read by Docker's --env-file keeps them: quoted.
    let quoted_token = format!("\"{}\"", token.expose());
    let quoted_base = format!("'{base}'");
    let quoted = child(&[
        (tootkit::ENV_BASE_URL, &quoted_base),
        (tootkit::ENV_ACCESS_TOKEN, &quoted_token),
    ])
    .await;
    assert!(quoted.contains("child: @alice"), "{quoted}");
    let no_token = child(&[(tootkit::ENV_BASE_URL, &base)]).await;
    assert!(
        no_token.contains(
            "child error: MASTODON_API_BASE_URL is set but MASTODON_ACCESS_TOKEN is not; set MASTODON_ACCESS_TOKEN to your access token"
        ),
        "{no_token}"
    );
    // A `.env` file's placeholder, read by Docker's --env-file, or the scheme copied
    // without the token: empty.
    for nothing in ["\"\"", "Bearer "] {
        let placeholder = child(&[
            (tootkit::ENV_BASE_URL, &base),
            (tootkit::ENV_ACCESS_TOKEN, nothing),
        ])
        .await;
        assert!(
            placeholder.contains(
                "child error: MASTODON_API_BASE_URL is set but MASTODON_ACCESS_TOKEN is empty;"
            ),
            "{nothing}: {placeholder}"
        );
    }
    let empty_base = child(&[
        (tootkit::ENV_BASE_URL, ""),
        (tootkit::ENV_ACCESS_TOKEN, token.expose()),
    ])
    .await;
    assert!(
        empty_base.contains(
            "child error: MASTODON_ACCESS_TOKEN is set but MASTODON_API_BASE_URL is empty; set MASTODON_API_BASE_URL to the address of the instance the token belongs to."
        ),
        "{empty_base}"
    );
    let nothing = child(&[]).await;
    assert!(
        nothing.contains("child error: MASTODON_API_BASE_URL is not set"),
        "{nothing}"
    );
}

/// Runs [`CHILD`] in a new process of this test binary with `vars` as its only
/// Mastodon variables, and returns what it printed. The environment belongs to the
/// whole process, so it is set for a child, never changed under the other tests.
async fn child(vars: &[(&str, &str)]) -> String {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args([
            CHILD,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_remove(tootkit::ENV_BASE_URL)
        .env_remove(tootkit::ENV_ACCESS_TOKEN)
        .env("TOOTKIT_TEST_CHILD", "1");
    for (name, value) in vars {
        command.env(name, value);
    }
    // Off the runtime's threads: the sandbox the child talks to runs on them.
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// Runs only as the child of the test above (it has nothing to check on its own), so
/// it is ignored in ordinary runs.
#[tokio::test]
#[ignore = "the child process of from_env_takes_the_instance_and_token_mastodon_py_users_set"]
async fn child_reads_its_environment() {
    if std::env::var_os("TOOTKIT_TEST_CHILD").is_none() {
        return;
    }
    match Client::from_env() {
        Ok(client) => match client.accounts().verify_credentials().await {
            Ok(me) => println!("child: @{}", me.acct),
            Err(err) => println!("child error: {err}"),
        },
        Err(err) => println!("child error: {err}"),
    }
}

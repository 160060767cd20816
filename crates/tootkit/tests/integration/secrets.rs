use std::io::Write;
use std::sync::{Arc, Mutex};

use tootkit::{AuthorizationRequest, OOB_REDIRECT_URI, Scopes};

use crate::{fast_client, oob_code, register, sandbox};

/// Collects everything the library and the sandbox log.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// What was logged, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_appears_in_logs_debug_output_or_errors() {
    // A global subscriber: the sandbox serves on threads of its own, which a
    // subscriber set for this thread alone would not hear. It hears the tests running
    // beside this one too, and none of them may log these secrets either.
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("no other test of this binary sets a global subscriber");

    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read_write()).await;
    let server = client.oauth().discover().await.unwrap();
    let request = AuthorizationRequest::new(&app.client_id, OOB_REDIRECT_URI, Scopes::read_write());
    let code = oob_code(&request.url(&server)).await;
    let code_text = code.expose().to_owned();
    let token = client
        .oauth()
        .exchange_code(&app.credentials(), &request, code.clone())
        .await
        .unwrap();
    let bot = client.with_access_token(token.access_token.clone());
    bot.statuses().create("howdy").send().await.unwrap();
    let reused = client
        .oauth()
        .exchange_code(&app.credentials(), &request, code)
        .await
        .unwrap_err();
    let forbidden = client
        .with_access_token(tootkit::AccessToken::new(format!(
            "{}x",
            token.access_token.expose()
        )))
        .statuses()
        .create("x")
        .send()
        .await
        .unwrap_err();
    // An endpoint the sandbox does not serve, the token in the query: named in the log
    // by its path alone.
    let mut url = sandbox.base_url().endpoint("/api/v1/preferences");
    url.query_pairs_mut()
        .append_pair("access_token", token.access_token.expose());
    let unserved = reqwest::get(url).await.unwrap();
    assert_eq!(unserved.status(), 404);

    let secrets = [
        token.access_token.expose().to_owned(),
        app.client_secret.expose().to_owned(),
        code_text,
        request.verifier().expose().to_owned(),
        crate::PASSWORD.to_owned(),
    ];
    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(
        logs.contains("path=/oauth/token") && logs.contains("answered"),
        "the sandbox's and the library's logs were captured: {logs}"
    );
    assert!(
        logs.contains("GET /api/v1/preferences is not an endpoint the sandbox serves"),
        "{logs}"
    );
    let shown = format!(
        "{token:?} {app:?} {bot:?} {request:?} {reused} {reused:?} {forbidden} {forbidden:?} {logs}"
    );
    for secret in &secrets {
        assert!(
            !shown.contains(secret.as_str()),
            "a secret leaked into: {shown}"
        );
    }
    assert!(shown.contains("[redacted]"));
}

#[tokio::test]
async fn the_sandbox_hands_out_secrets_only_on_loopback_addresses() {
    for addr in ["0.0.0.0:0", "[::]:0"] {
        let Err(err) = tootkit_sandbox::Sandbox::start(
            tootkit_sandbox::SandboxConfig::in_memory(),
            addr.parse().unwrap(),
        )
        .await
        else {
            panic!("a sandbox started on {addr}");
        };
        assert!(
            matches!(err, tootkit_sandbox::SandboxError::NotLoopback { .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "The sandbox serves only this machine, over plain http, and {addr} is not a loopback address; give one such as 127.0.0.1:3000."
            )
        );
    }
}

//! The loopback redirect receiver of RFC 8252: a one-shot HTTP listener on 127.0.0.1
//! that catches the browser's redirect after the user authorizes.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::{AuthorizationCode, Error};

/// The path the receiver listens on.
pub const LOOPBACK_CALLBACK_PATH: &str = "/callback";

/// Waits for the authorization redirect on `http://127.0.0.1:<port>/callback`.
///
/// Register the application with [`LoopbackReceiver::REGISTERED_REDIRECT_URI`] (no port):
/// Mastodon, following RFC 8252, accepts any port on a loopback redirect URI, so one
/// registration serves every sign-in. Then authorize with [`redirect_uri`](Self::redirect_uri),
/// which names the port actually bound.
///
/// ```no_run
/// # async fn run(server: tootkit::ServerMetadata, client_id: &str) -> Result<(), tootkit::Error> {
/// use std::time::Duration;
/// use tootkit::{AuthorizationRequest, LoopbackReceiver, Scopes};
///
/// let receiver = LoopbackReceiver::bind().await?;
/// let request = AuthorizationRequest::new(client_id, &receiver.redirect_uri(), Scopes::read_write());
/// println!("Open {}", request.url(&server));
/// let code = receiver.receive(request.state(), Duration::from_secs(300)).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct LoopbackReceiver {
    listener: TcpListener,
    addr: SocketAddr,
}

type Outcome = Result<AuthorizationCode, Error>;

impl LoopbackReceiver {
    /// The redirect URI to register the application with.
    pub const REGISTERED_REDIRECT_URI: &'static str = "http://127.0.0.1/callback";

    /// Binds an ephemeral port on 127.0.0.1.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use tootkit::{AuthorizationRequest, LoopbackReceiver, Scopes};
    /// # async fn run(client: tootkit::Client, app: tootkit::AppCredentials) -> Result<(), tootkit::Error> {
    /// let receiver = LoopbackReceiver::bind().await?;
    /// let request = AuthorizationRequest::new(&app.client_id, &receiver.redirect_uri(), Scopes::read_write());
    /// let server = client.oauth().discover().await?;
    /// println!("open {}", request.url(&server));
    /// let code = receiver.receive(request.state(), Duration::from_secs(300)).await?;
    /// let token = client.oauth().exchange_code(&app, &request, code).await?;
    /// # let _ = token; Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when no local port can be bound.
    pub async fn bind() -> Result<Self, Error> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|source| Error::Io {
                context: "Could not open a local port for the sign-in redirect".to_owned(),
                advice: "sign in with the out-of-band flow instead, pasting the code by hand",
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Io {
            context: "Could not read the local port for the sign-in redirect".to_owned(),
            advice: "sign in with the out-of-band flow instead, pasting the code by hand",
            source,
        })?;
        Ok(Self { listener, addr })
    }

    /// The redirect URI to authorize with: `http://127.0.0.1:<port>/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("http://{}{LOOPBACK_CALLBACK_PATH}", self.addr)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits for the redirect and returns its code.
    ///
    /// Requests for other paths (a browser's `/favicon.ico`) get a 404 and the wait goes
    /// on. The browser is answered with a short page saying what happened.
    ///
    /// # Errors
    ///
    /// [`Error::OAuth`] with the server's error (such as `access_denied`) when the user
    /// declined; with `timeout` when no redirect came within `timeout`; with
    /// `state_mismatch` when none came but one carrying another `state` did (refused as
    /// a possible forgery, while the wait went on for the real one); with `no_code` when
    /// the redirect with this sign-in's `state` carried neither a code nor an error.
    pub async fn receive(
        self,
        expected_state: &str,
        timeout: Duration,
    ) -> Result<AuthorizationCode, Error> {
        let (sender, receiver) = oneshot::channel::<Outcome>();
        let waiting = Arc::new(Waiting {
            sender: Mutex::new(Some(sender)),
            expected_state: expected_state.to_owned(),
            refused_forgery: AtomicBool::new(false),
        });
        let mut connections = tokio::task::JoinSet::new();
        let accept_loop = async {
            loop {
                let Ok((stream, _)) = self.listener.accept().await else {
                    // Out of file descriptors, say: wait rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let waiting = Arc::clone(&waiting);
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                        let reply = handle(&request, &waiting);
                        async move { Ok::<_, Infallible>(reply) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(false)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        };
        let outcome = tokio::select! {
            outcome = receiver => outcome.unwrap_or_else(|_| Err(Error::oauth("timeout", None))),
            () = accept_loop => Err(Error::oauth("timeout", None)),
            () = tokio::time::sleep(timeout) => Err(if waiting.refused_forgery.load(Ordering::SeqCst) {
                Error::oauth("state_mismatch", None)
            } else {
                Error::oauth(
                    "timeout",
                    Some(format!("No sign-in redirect arrived within {}", seconds(timeout))),
                )
            }),
        };
        // Let the browser receive its page before the listener goes away.
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            while connections.join_next().await.is_some() {}
        })
        .await;
        outcome
    }
}

/// What the connections share while the receiver waits.
struct Waiting {
    sender: Mutex<Option<oneshot::Sender<Outcome>>>,
    expected_state: String,
    /// A redirect with another state came and was refused.
    refused_forgery: AtomicBool,
}

fn handle(request: &Request<Incoming>, waiting: &Waiting) -> Response<Full<Bytes>> {
    if request.uri().path() != LOOPBACK_CALLBACK_PATH {
        return page(
            StatusCode::NOT_FOUND,
            "Not found",
            "This address only receives the sign-in redirect; go back to the terminal for the sign-in.",
        );
    }
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in url::form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
    {
        match key.as_ref() {
            "code" => code = Some(value.into_owned()),
            "state" => state = Some(value.into_owned()),
            "error" => error = Some(value.into_owned()),
            "error_description" => description = Some(value.into_owned()),
            _ => {}
        }
    }
    if state.as_deref() != Some(waiting.expected_state.as_str()) {
        // Refused, but the wait goes on: a stray or forged request must not be able to
        // cancel the real sign-in.
        waiting.refused_forgery.store(true, Ordering::SeqCst);
        tracing::warn!(
            "a sign-in redirect that does not belong to this sign-in (another state) was refused; still waiting for this one"
        );
        return page(
            StatusCode::BAD_REQUEST,
            "Sign-in refused",
            "This redirect does not belong to the sign-in that is waiting, so its code was refused; the sign-in goes on: finish it in the page the terminal opened or printed, or start it again there.",
        );
    }
    let (outcome, reply) = if let Some(error) = error {
        (
            Err(Error::oauth(error, description)),
            page(
                StatusCode::OK,
                "Authorization declined",
                "Nothing was authorized, so you can close this tab (run the sign-in again to grant access).",
            ),
        )
    } else if let Some(code) = code.filter(|c| !c.is_empty()) {
        (
            Ok(AuthorizationCode::new(code)),
            page(
                StatusCode::OK,
                "Authorization received",
                "tootkit is finishing the sign-in, and the terminal says how it went, so you can close this tab.",
            ),
        )
    } else {
        // This sign-in's own state and no code: nothing better will come, so the wait
        // ends here rather than at its timeout.
        (
            Err(Error::oauth("no_code", None)),
            page(
                StatusCode::BAD_REQUEST,
                "No code",
                "This redirect carries no authorization code, so the sign-in stopped; the terminal says what to do next.",
            ),
        )
    };
    let sender = waiting
        .sender
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take();
    match sender {
        Some(sender) => {
            let _ = sender.send(outcome);
            reply
        }
        None => page(
            StatusCode::GONE,
            "Already done",
            "This sign-in already finished, so you can close this tab.",
        ),
    }
}

fn page(status: StatusCode, title: &str, text: &str) -> Response<Full<Bytes>> {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · tootkit</title></head>\
         <body style=\"font-family:sans-serif;max-width:32em;margin:4em auto\"><h1>{title}</h1><p>{text}</p></body></html>"
    );
    let mut response = Response::new(Full::new(Bytes::from(html)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response.headers_mut().insert(
        "referrer-policy",
        hyper::header::HeaderValue::from_static("no-referrer"),
    );
    response
}

/// A wait as a person reads it: whole seconds, or tenths below ten.
fn seconds(wait: Duration) -> String {
    if wait.subsec_nanos() == 0 || wait >= Duration::from_secs(10) {
        format!("{} s", wait.as_secs())
    } else {
        format!("{:.1} s", wait.as_secs_f64())
    }
}

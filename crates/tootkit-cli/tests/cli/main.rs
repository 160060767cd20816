//! The built `tootkit` binary against sandboxes started in-process on 127.0.0.1:0.

mod auth;
mod browser;
mod commands;
mod python;
mod threads;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tootkit::{AccessToken, Client, OOB_REDIRECT_URI, Password, Scopes};
use tootkit_sandbox::{AuthorizationOutcome, Sandbox, SandboxConfig, ScriptedUser};

pub const USER: &str = "alice";
pub const PASSWORD: &str = "correct horse battery";

/// A throwaway home for one test: its own configuration and data directories.
pub struct Home {
    pub dir: PathBuf,
}

impl Home {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("tootkit-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self { dir }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.join("config")
    }

    pub fn credentials_file(&self) -> PathBuf {
        self.config().join("credentials.toml")
    }

    pub fn profiles_file(&self) -> PathBuf {
        self.config().join("profiles.toml")
    }

    /// `tootkit` with this home, no keyring (no D-Bus session), no credentials in the
    /// environment.
    pub fn tootkit(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tootkit"));
        command
            .env("TOOTKIT_CONFIG_DIR", self.config())
            .env("TOOTKIT_DATA_DIR", self.dir.join("data"))
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("TOOTKIT_CREDENTIAL_STORE")
            .env_remove("TOOTKIT_PROFILE")
            .env_remove("MASTODON_API_BASE_URL")
            .env_remove("MASTODON_ACCESS_TOKEN")
            .stdin(Stdio::null());
        command
    }

    /// `tootkit` with this home, acting on `base` with `token` from the environment.
    pub fn tootkit_as(&self, base: &str, token: &str) -> Command {
        let mut command = self.tootkit();
        command
            .env("MASTODON_API_BASE_URL", base)
            .env("MASTODON_ACCESS_TOKEN", token);
        command
    }

    /// Runs `tootkit args…` to completion off the async threads.
    pub async fn run(&self, args: &[&str]) -> Run {
        let mut command = self.tootkit();
        command.args(args);
        run(command, None).await
    }

    /// Runs with `input` on stdin.
    pub async fn run_with_input(&self, args: &[&str], input: &str) -> Run {
        let mut command = self.tootkit();
        command.args(args);
        run(command, Some(input.to_owned())).await
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What a finished command did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(self.code, 0, "failed: {self:#?}");
        self
    }

    #[track_caller]
    pub fn failure(self, code: i32) -> Self {
        assert_eq!(self.code, code, "expected exit code {code}: {self:#?}");
        // Warnings may come before it, the log lines of `-v` anywhere; the error is the
        // first thing else.
        let first = self
            .stderr
            .lines()
            .find(|l| !l.starts_with("warning: ") && !is_log_line(l));
        assert!(
            first.is_some_and(|l| l.starts_with("error: ")),
            "errors go to stderr, one sentence first: {self:#?}"
        );
        self
    }

    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// A line of `-v` logging: a timestamp and a level first.
fn is_log_line(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let stamped = words
        .next()
        .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()));
    stamped
        && words
            .next()
            .is_some_and(|w| ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&w))
}

pub async fn run(mut command: Command, input: Option<String>) -> Run {
    tokio::task::spawn_blocking(move || {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        if input.is_some() {
            command.stdin(Stdio::piped());
        }
        let mut child = Reaped::new(command.spawn().expect("tootkit runs"));
        if let Some(input) = input {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            // A run refused before it reads its input (a bad flag) closes the pipe
            // early; its exit code and stderr tell the test what happened.
            if let Err(err) = stdin.write_all(input.as_bytes()) {
                assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe, "{err}");
            }
        }
        let Output {
            status,
            stdout,
            stderr,
        } = child.into_inner().wait_with_output().unwrap();
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    })
    .await
    .unwrap()
}

/// A child process that is killed and reaped when dropped, so that a failing test
/// leaves nothing behind (a sandbox listening, a login waiting for its browser).
pub struct Reaped(Option<Child>);

impl Reaped {
    pub fn new(child: Child) -> Self {
        Self(Some(child))
    }

    /// The process itself, no longer killed on drop.
    pub fn into_inner(mut self) -> Child {
        self.0.take().expect("a process until taken")
    }
}

impl std::ops::Deref for Reaped {
    type Target = Child;
    fn deref(&self) -> &Child {
        self.0.as_ref().expect("a process until taken")
    }
}

impl std::ops::DerefMut for Reaped {
    fn deref_mut(&mut self) -> &mut Child {
        self.0.as_mut().expect("a process until taken")
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A running `tootkit` whose stderr is read line by line while it runs.
pub struct Running {
    pub child: Reaped,
    lines: mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<()>,
    pub seen: Vec<String>,
}

impl Running {
    pub fn spawn(mut command: Command, stdin: bool) -> Self {
        command.stderr(Stdio::piped()).stdout(Stdio::piped());
        if stdin {
            command.stdin(Stdio::piped());
        }
        let mut child = Reaped::new(command.spawn().expect("tootkit runs"));
        let stderr = child.stderr.take().unwrap();
        let (sender, lines) = mpsc::channel();
        // Bytes, not `lines()`: one invalid UTF-8 byte must not stop the reading (the
        // pipe would fill up and the command block).
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).split(b'\n').map_while(Result::ok) {
                let line = String::from_utf8_lossy(&line)
                    .trim_end_matches('\r')
                    .to_owned();
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            reader,
            seen: Vec::new(),
        }
    }

    /// Waits for a stderr line starting with `prefix`.
    pub async fn line_starting_with(&mut self, prefix: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            match self.lines.try_recv() {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.starts_with(prefix) {
                        return line;
                    }
                }
                Err(mpsc::TryRecvError::Empty) if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(_) => panic!("no line starting with {prefix:?}; saw {:#?}", self.seen),
            }
        }
    }

    /// Waits for the process to end and returns its code, stdout and the rest of stderr.
    pub async fn finish(mut self) -> Run {
        let child = self.child.into_inner();
        let reader = self.reader;
        let (code, stdout) = tokio::task::spawn_blocking(move || {
            let output = child.wait_with_output().unwrap();
            // The process has ended, but its last lines may still be in the pipe: the
            // reader ends at end of file, once it has sent them all.
            reader.join().expect("the stderr reader ends");
            (
                output.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&output.stdout).into_owned(),
            )
        })
        .await
        .unwrap();
        self.seen.extend(self.lines.try_iter());
        Run {
            code,
            stdout,
            stderr: self.seen.join("\n"),
        }
    }
}

/// One loopback address in front of a sandbox that can be swapped for another: "the
/// same address, a fresh instance" without starting a sandbox again on a port that the
/// system may meanwhile have handed to some test's client as its own.
pub struct Relay {
    addr: std::net::SocketAddr,
    upstream: std::sync::Arc<std::sync::Mutex<std::net::SocketAddr>>,
}

impl Relay {
    pub async fn start(sandbox: &Sandbox) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let upstream = std::sync::Arc::new(std::sync::Mutex::new(Self::address_of(sandbox)));
        let current = upstream.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let to = *current.lock().unwrap();
                tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(to).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Self { addr, upstream }
    }

    /// The address that stays.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Connections from now on reach `sandbox`.
    pub fn switch_to(&self, sandbox: &Sandbox) {
        *self.upstream.lock().unwrap() = Self::address_of(sandbox);
    }

    fn address_of(sandbox: &Sandbox) -> std::net::SocketAddr {
        sandbox.base_url().authority().parse().unwrap()
    }
}

/// Serves `router` on a free loopback port, as a stand-in for another server (or a web
/// page of another origin), and gives back its address.
pub async fn serve(router: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

pub async fn sandbox() -> Sandbox {
    sandbox_with(SandboxConfig::in_memory()).await
}

pub async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(
        config
            .user(USER, Password::new(PASSWORD))
            .user("bob", Password::new("bobs password")),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("the sandbox starts")
}

/// Signs in as `login` on the sandbox's pages, returning where the browser is sent.
pub async fn approve(url: &str, login: &str, password: &str) -> AuthorizationOutcome {
    let url = url::Url::parse(url.trim()).expect("an authorization URL");
    ScriptedUser::new()
        .unwrap()
        .authorize(&url, login, &Password::new(password))
        .await
        .expect("authorized")
}

/// A user token made with the library, as one made in the web interface would be.
pub async fn web_token(
    sandbox: &Sandbox,
    login: &str,
    password: &str,
    scopes: &str,
) -> AccessToken {
    web_app_token(sandbox, login, password, scopes).await.1
}

/// [`web_token`], with the application it came from (to revoke it as the web would).
pub async fn web_app_token(
    sandbox: &Sandbox,
    login: &str,
    password: &str,
    scopes: &str,
) -> (tootkit::entities::CredentialApplication, AccessToken) {
    let client = Client::new(sandbox.base_url().clone()).unwrap();
    let scopes = Scopes::parse(scopes).unwrap();
    let app = client
        .apps()
        .register("Web")
        .scopes(scopes.clone())
        .send()
        .await
        .unwrap();
    let server = client.oauth().discover().await.unwrap();
    let request = tootkit::AuthorizationRequest::new(&app.client_id, OOB_REDIRECT_URI, scopes);
    let AuthorizationOutcome::Code(code) =
        approve(request.url(&server).as_str(), login, password).await
    else {
        panic!("expected the code page");
    };
    let token = client
        .oauth()
        .exchange_code(&app.credentials(), &request, code)
        .await
        .unwrap()
        .access_token;
    (app, token)
}

#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Whether a test that needs outside tools may skip: only outside CI.
pub fn skip_or_fail(what: &str) -> bool {
    if std::env::var_os("CI").is_some() {
        panic!("{what}; CI must provide it");
    }
    // Straight to stderr: the test harness captures `eprintln!` of passing tests, and a
    // skip must be seen.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what}");
    true
}

/// A loopback port that refuses connections for as long as the returned socket lives:
/// bound, so no other test's server can take it, but not listening.
pub fn refusing_port() -> (tokio::net::TcpSocket, std::net::SocketAddr) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = socket.local_addr().unwrap();
    (socket, addr)
}

/// Stops `sandbox` and keeps its port, bound but not listening, for as long as the socket
/// given back lives: a server out of reach that refuses connections, rather than a port
/// the system may meanwhile hand to another test's server.
pub async fn out_of_reach(sandbox: Sandbox) -> tokio::net::TcpSocket {
    let addr: std::net::SocketAddr = sandbox.base_url().authority().parse().unwrap();
    sandbox.stop().await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(true).unwrap();
    socket.bind(addr).unwrap();
    socket
}

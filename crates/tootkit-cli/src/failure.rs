//! What the command tells the user when it fails, and the exit code scripts see.

use std::process::ExitCode;

/// Exit codes, distinct per kind of failure so scripts can react.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Something local failed (files, the keyring).
    Local = 1,
    /// The command line or an input value is wrong.
    Usage = 2,
    /// Signing in failed, or there are no usable credentials.
    Auth = 3,
    /// The server refused the request.
    Refused = 4,
    /// The server could not be reached or did not answer in time.
    Network = 5,
    /// Interrupted (Ctrl-C, or SIGTERM) while posting a thread, or Ctrl-C at a prompt:
    /// 128 + SIGINT, as a shell reports a command stopped by Ctrl-C.
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// A failure: one sentence saying what happened and what to do, an optional hint,
/// and the exit code.
#[derive(Clone, Debug)]
pub struct Failure {
    pub message: String,
    pub hint: Option<String>,
    pub exit: Exit,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            exit,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(Exit::Auth, message)
    }

    pub fn local(message: impl Into<String>) -> Self {
        Self::new(Exit::Local, message)
    }

    /// Something that cannot happen unless tootkit is wrong: `what` happened, and the
    /// user can only report it.
    pub fn bug(what: impl std::fmt::Display) -> Self {
        Self::local(format!(
            "{what}; this is a bug in tootkit, so please report it."
        ))
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl From<tootkit::Error> for Failure {
    fn from(err: tootkit::Error) -> Self {
        use tootkit::Error as E;
        let message = err.to_string();
        let scope_refusal = err.is_scope_refusal();
        let nothing_listens = err.is_connection_refused();
        match err {
            E::InvalidInput { .. } => Self::usage(message),
            E::Thread {
                reason:
                    tootkit::text::SplitError::TooManyParts {
                        parts: Some(parts), ..
                    },
            } if parts <= usize::from(crate::cli::MAX_PARTS) => Self::usage(message).with_hint(
                format!("Pass --max-parts {parts} to post it as {parts} parts."),
            ),
            E::Thread { .. } => Self::usage(message),
            E::Unauthorized { .. } => Self::auth(message).with_hint(match tootkit_for_the_token_in_use() {
                None => "The token comes from MASTODON_ACCESS_TOKEN: set it to a working token, or unset MASTODON_API_BASE_URL and MASTODON_ACCESS_TOKEN to use a stored profile.".to_owned(),
                Some(tootkit) => format!("Run `{tootkit} auth login` to sign in again, or `{tootkit} auth add-token` to store a new token."),
            }),
            E::OAuth { .. } => Self::auth(message),
            E::TokenRequired { .. } => Self::auth(message).with_hint(
                "Run `tootkit auth login --instance HOST` to sign in, or set MASTODON_API_BASE_URL and MASTODON_ACCESS_TOKEN.",
            ),
            E::Forbidden { .. } if scope_refusal => Self::new(Exit::Refused, message).with_hint(match tootkit_for_the_token_in_use() {
                None => "The token comes from MASTODON_ACCESS_TOKEN: set it to a token with the scopes tootkit's commands use (`read`, `write`).".to_owned(),
                Some(tootkit) => format!("Run `{tootkit} auth login --scopes read,write` for a token with the scopes tootkit's commands use."),
            }),
            E::Network { host, .. } if nothing_listens => {
                let failure = Self::new(Exit::Network, message);
                // Nothing listening where a sandbox would (it serves plain http on
                // 127.0.0.1, on the port it is given, one a user may open): most
                // likely one not started.
                let port = ["127.0.0.1:", "localhost:"]
                    .iter()
                    .find_map(|prefix| host.strip_prefix(prefix))
                    .and_then(|port| port.parse::<u16>().ok())
                    .filter(|&port| port >= 1024);
                match port {
                    Some(port) => failure.with_hint(format!(
                        "If {host} is to be a tootkit sandbox, start it with `tootkit sandbox --port {port}` (one started with --in-memory forgot its tokens when it stopped: sign in again there), and use http://{host}, which it serves."
                    )),
                    None => failure,
                }
            }
            E::Network { .. } | E::Timeout { .. } | E::Unconfirmed { .. } => {
                Self::new(Exit::Network, message)
            }
            E::Io { .. } => Self::local(message).with_hint("Pass --oob to paste the code instead."),
            _ => Self::new(Exit::Refused, message),
        }
    }
}

/// How to run tootkit on the stored profile whose token is in use (`tootkit --profile
/// NAME`, which signs in again on that profile's instance; `tootkit` when no profile was
/// read), for advice on replacing the token; `None` when it comes from
/// MASTODON_ACCESS_TOKEN, which wins over stored profiles, so that signing in again
/// would not replace it.
fn tootkit_for_the_token_in_use() -> Option<String> {
    if matches!(crate::commands::environment_credentials(), Ok(Some(_))) {
        return None;
    }
    Some(match crate::commands::profile_in_use() {
        Some(name) => format!("tootkit --profile {}", crate::commands::shell_word(name)),
        None => "tootkit".to_owned(),
    })
}

impl From<tootkit_sandbox::SandboxError> for Failure {
    fn from(err: tootkit_sandbox::SandboxError) -> Self {
        match err {
            tootkit_sandbox::SandboxError::InvalidUser(message) => Self::usage(message),
            other => Self::local(other.to_string()),
        }
    }
}

impl From<tootkit_sandbox::ScriptedUserError> for Failure {
    fn from(err: tootkit_sandbox::ScriptedUserError) -> Self {
        Self::local(err.to_string())
    }
}

pub type Result<T> = std::result::Result<T, Failure>;

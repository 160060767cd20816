//! The command line.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Mastodon credentials without secrets in files, a client that posts, and a local
/// sandbox instance to try it on.
#[derive(Debug, Parser)]
#[command(name = "tootkit", version, about, long_about = None)]
#[command(
    after_help = "Start with `tootkit demo` to see the whole walkthrough on a local sandbox.\n\
The environment (MASTODON_API_BASE_URL and MASTODON_ACCESS_TOKEN) wins over stored profiles,\n\
except one named with --profile on the command line."
)]
pub struct Cli {
    /// The profile (signed-in account) to use, or for `auth login` and `auth add-token`
    /// the name to store it under; default: the default profile (for those two,
    /// `user@host`).
    #[arg(long, global = true, env = "TOOTKIT_PROFILE", value_parser = profile_name)]
    pub profile: Option<String>,

    /// Print JSON instead of text (whoami, post, count, and every auth command).
    #[arg(long, global = true)]
    pub json: bool,

    /// How long to wait for the server's answer to each request, in seconds; reads and
    /// keyed posts are tried up to three times.
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        env = "TOOTKIT_REQUEST_TIMEOUT",
        default_value_t = 30,
        allow_negative_numbers = true,
        value_parser = seconds(1..=600)
    )]
    pub request_timeout: u64,

    /// Log requests to stderr (never their secrets); -vv adds the HTTP stack's own
    /// lines, -vvv everything.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in, show, export and forget credentials.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Show the account the credentials belong to.
    Whoami,
    /// Post a status (or, with --thread, a thread) and print its URL.
    Post(PostArgs),
    /// Count a text as the instance will, and show the instance's limit (exit 2 when it
    /// does not fit or is empty).
    Count(CountArgs),
    /// Serve a Mastodon-compatible instance on this machine, for trying bots offline.
    Sandbox(SandboxArgs),
    /// Run the whole walkthrough (app, sign-in, token, post) on a throwaway sandbox.
    Demo,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Register tootkit on an instance (once) and sign in to get a token.
    Login(LoginArgs),
    /// Show the stored profiles and which credentials are in use.
    Status,
    /// Print the access token alone (for scripts: `TOKEN=$(tootkit auth token)`).
    Token,
    /// Print the base URL, client ID, client secret and token as `export` lines.
    Export,
    /// Store a token made in the web interface (Preferences > Development), read from
    /// stdin; or the file Mastodon.py's log_in(to_file=…) wrote, instance included.
    AddToken(AddTokenArgs),
    /// Make a stored profile the default, used without --profile.
    Switch(SwitchArgs),
    /// Revoke the token and forget the profile.
    Logout,
}

#[derive(Debug, Args)]
pub struct SwitchArgs {
    /// The profile to use by default (`tootkit auth status` lists them).
    // An id of its own: sharing the global --profile's would make the two one argument.
    // Optional to clap, so that a missing one is answered with the profiles there are.
    #[arg(id = "default_profile", value_name = "PROFILE")]
    pub profile: Option<String>,
}

/// The most parts `--max-parts` allows: Mastodon takes 300 posts in three hours from
/// an account.
pub const MAX_PARTS: u16 = tootkit::text::COUNTED_PARTS as u16;

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The instance, such as `mastodon.social` or `https://fosstodon.org`.
    #[arg(long, short = 'i')]
    pub instance: Option<String>,

    /// The scopes to ask for, separated by commas.
    #[arg(long, default_value = "read,write")]
    pub scopes: String,

    /// Print the authorization URL instead of opening a browser, then wait for the redirect.
    #[arg(long)]
    pub no_browser: bool,

    /// Out of band: show the code in the browser and paste it here (no local listener).
    #[arg(long, conflicts_with = "password")]
    pub oob: bool,

    /// Sign in with email and password (the legacy grant; Mastodon 4.4 and later refuse it).
    #[arg(long)]
    pub password: bool,

    /// The account's email address, for --password (asked for when missing): Mastodon signs
    /// in by email, not by user name.
    #[arg(long, requires = "password")]
    pub username: Option<String>,

    /// Have the server show its authorization page even if this application was authorized before (to sign out there and authorize another account).
    #[arg(long)]
    pub force_login: bool,

    /// How long to wait for the browser, in seconds (10 to 3600).
    #[arg(long, default_value_t = 300, allow_negative_numbers = true, value_parser = seconds(10..=3600))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct AddTokenArgs {
    /// The instance the token belongs to (a Mastodon.py file names its own, and a
    /// profile named with --profile keeps its own).
    #[arg(long, short = 'i')]
    pub instance: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum VisibilityArg {
    Public,
    Unlisted,
    Private,
    Direct,
}

impl From<VisibilityArg> for tootkit::Visibility {
    fn from(v: VisibilityArg) -> Self {
        match v {
            VisibilityArg::Public => Self::Public,
            VisibilityArg::Unlisted => Self::Unlisted,
            VisibilityArg::Private => Self::Private,
            VisibilityArg::Direct => Self::Direct,
        }
    }
}

#[derive(Debug, Args)]
pub struct PostArgs {
    /// The text; `-` (or nothing, with input piped in) reads it from stdin.
    pub text: Option<String>,

    /// Who can see it (default: the account's preference).
    #[arg(long, value_enum)]
    pub visibility: Option<VisibilityArg>,

    /// A content warning shown before the text.
    #[arg(long = "cw", value_name = "TEXT")]
    pub content_warning: Option<String>,

    /// Mark the status sensitive (a content warning always does).
    #[arg(long)]
    pub sensitive: bool,

    /// The language of the text (ISO 639, such as `en` or `pt-BR`).
    #[arg(long, value_parser = language_code)]
    pub language: Option<String>,

    /// Reply to the status with this ID, or this address on the instance (another server's address holds that server's ID, and is refused).
    #[arg(
        long,
        value_name = "STATUS_ID",
        value_parser = clap::builder::NonEmptyStringValueParser::new()
    )]
    pub reply_to: Option<String>,
    /// Cut a text too long for one status into a thread of replies; running the same
    /// command again posts only the parts that are missing.
    #[arg(long)]
    pub thread: bool,
    /// Who can see a thread's replies [default: unlisted, or the first part's
    /// visibility when that is private or direct].
    #[arg(long, value_enum, requires = "thread")]
    pub reply_visibility: Option<VisibilityArg>,
    /// Leave out the `1/3` numbers at the end of a thread's parts.
    #[arg(long, requires = "thread")]
    pub no_numbering: bool,
    /// Start every reply of a thread with the first part's mentions (your own left out).
    #[arg(long, requires = "thread")]
    pub carry_mentions: bool,
    /// The most parts a thread may have (1 to 300: Mastodon takes 300 posts in three
    /// hours from an account); a longer text is refused before posting.
    #[arg(
        long,
        value_name = "N",
        default_value_t = tootkit::text::DEFAULT_MAX_PARTS as u16,
        value_parser = part_count,
        requires = "thread"
    )]
    pub max_parts: u16,
    /// Cut a thread's parts for this many characters instead of the limit the instance
    /// publishes (for a server that counts otherwise than it says, or says none); at
    /// most that limit.
    #[arg(long, value_name = "N", value_parser = character_count, requires = "thread")]
    pub max_characters: Option<u32>,
}

#[derive(Debug, Args)]
pub struct CountArgs {
    /// The text; `-` (or nothing, with input piped in) reads it from stdin.
    pub text: Option<String>,
    /// A content warning, which counts too.
    #[arg(long = "cw", value_name = "TEXT")]
    pub content_warning: Option<String>,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// The port to listen on (on 127.0.0.1).
    #[arg(long, short = 'p', default_value_t = 3000)]
    pub port: u16,

    /// Keep the state in memory instead of the data directory; it vanishes on exit.
    #[arg(long)]
    pub in_memory: bool,

    /// An account, as NAME:PASSWORD (repeatable); without one, a `demo` account is made.
    #[arg(long = "user", value_name = "NAME:PASSWORD")]
    pub users: Vec<String>,

    /// Accept the password grant, as Mastodon did before 4.4.
    #[arg(long)]
    pub legacy_password_grant: bool,

    /// Answer as Mastodon before 4.3 where clients tell the difference: no OAuth
    /// metadata, no `profile` scope, redirect URIs only as one string. For trying a
    /// client's fallbacks, and for Mastodon.py programs that bring their own HTTP session.
    #[arg(long = "before-4-3")]
    pub before_4_3: bool,

    /// Lift Mastodon's rate limits (300 requests in 5 minutes per token, 300 statuses in 3 hours,
    /// 30 deletions in 30 minutes, 5 app registrations in 10 minutes), which apply by
    /// default so that a bot meets them here first.
    #[arg(long)]
    pub no_rate_limits: bool,
}

/// A number of seconds within `range`, refused in one sentence whatever was typed
/// (`-1` included, which clap would otherwise take for an option).
fn seconds(range: std::ops::RangeInclusive<u64>) -> impl Fn(&str) -> Result<u64, String> + Clone {
    move |text: &str| {
        text.trim()
            .parse::<u64>()
            .ok()
            .filter(|seconds| range.contains(seconds))
            .ok_or_else(|| {
                format!(
                    "give a whole number of seconds from {} to {}.",
                    range.start(),
                    range.end()
                )
            })
    }
}

/// A number of parts, from 1 to [`MAX_PARTS`].
fn part_count(text: &str) -> Result<u16, String> {
    text.trim()
        .parse::<u16>()
        .ok()
        .filter(|parts| (1..=MAX_PARTS).contains(parts))
        .ok_or_else(|| format!("give a whole number of parts from 1 to {MAX_PARTS}."))
}

/// A status length, from 1 to a million characters.
fn character_count(text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|count| (1..=1_000_000).contains(count))
        .ok_or_else(|| "give a whole number of characters from 1 to 1000000.".to_owned())
}

/// A language as Mastodon takes it (`tootkit::text::check_language`).
fn language_code(text: &str) -> Result<String, String> {
    // clap writes the refusal after its own words, as the end of the one sentence.
    tootkit::text::check_language(text)
        .map(|()| text.to_owned())
        .map_err(|err| err.to_string())
}

/// A profile name: a line of text that names one profile in lists and prompts. An
/// empty one is let through for `TOOTKIT_PROFILE=`, which means none (`--profile ''`
/// is refused once its source is known).
fn profile_name(text: &str) -> Result<String, String> {
    if text.chars().any(char::is_control) {
        return Err(
            "a profile name holds no control characters (tabs, line breaks); give one such as `bot`."
                .to_owned(),
        );
    }
    if text.chars().count() > 100 {
        return Err("a profile name is at most 100 characters; give one such as `bot`.".to_owned());
    }
    // Spaces around a name are invisible in every list that shows it.
    if !text.trim().is_empty() && text.trim() != text {
        return Err(
            "a profile name neither starts nor ends with a space; give one such as `bot`."
                .to_owned(),
        );
    }
    Ok(text.to_owned())
}

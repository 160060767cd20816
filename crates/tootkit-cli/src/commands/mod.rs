//! The commands. Each gets what it needs from the [`Context`] and calls the library.

pub mod auth;
pub mod demo;
pub mod sandbox;

use std::io::{IsTerminal, Read};

use tootkit::text::{self, Limits};
use tootkit::{AccessToken, Client, InstanceUrl};

use crate::cli::{CountArgs, PostArgs};
use crate::config::{Paths, Profiles};
use crate::failure::{Failure, Result};
use crate::store::Secrets;

/// The user agent product of the command line, before the library's own.
pub const USER_AGENT: &str = concat!("tootkit-cli/", env!("CARGO_PKG_VERSION"));

/// What every command may need: where things are, the profiles, the secrets.
pub struct Context {
    pub paths: Paths,
    pub profile: Option<String>,
    pub json: bool,
    pub secrets: Secrets,
    /// `--request-timeout`: how long each request may take.
    pub request_timeout: std::time::Duration,
}

/// Set once at start when `--profile` was given on the command line.
static PROFILE_ON_COMMAND_LINE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Records that `--profile` was typed on the command line: as AWS's `--profile` does,
/// the profile named there wins over the environment's credentials, which win over
/// `TOOTKIT_PROFILE` and the default profile.
pub fn profile_named_on_command_line(named: bool) {
    let _ = PROFILE_ON_COMMAND_LINE.set(named);
}

/// The stored profile whose credentials this run uses, once they are read: the
/// advice after a refused token names it.
static PROFILE_IN_USE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The profile whose credentials this run uses, if they came from one.
pub fn profile_in_use() -> Option<&'static str> {
    PROFILE_IN_USE.get().map(String::as_str)
}

/// `value` as one shell word: as it is when nothing in it needs quoting.
pub fn shell_word(value: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@:._-+/=,".contains(c);
    if !value.is_empty() && value.chars().all(plain) {
        value.to_owned()
    } else {
        shell_quote(value)
    }
}

/// `value` in single quotes, for a shell: what `auth export` prints.
pub fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// `MASTODON_API_BASE_URL` and `MASTODON_ACCESS_TOKEN`, when set and not overridden by a
/// `--profile` on the command line.
pub fn environment_credentials() -> Result<Option<(InstanceUrl, AccessToken)>> {
    if PROFILE_ON_COMMAND_LINE.get() == Some(&true) {
        return Ok(None);
    }
    Ok(Client::env_credentials()?)
}

/// The credentials in use before the profile's token is read.
enum InUse {
    Environment(InstanceUrl, AccessToken),
    Profile(String, crate::config::Profile),
}

/// Where the credentials in use came from.
pub enum Source {
    Environment,
    Profile(String),
}

/// The key of a profile's token in the credential store.
pub fn token_key(profile: &str) -> String {
    format!("token:{profile}")
}

/// The key of an application's client ID and secret in the credential store. Each
/// registration has its own, so re-registering never orphans older profiles' tokens.
pub fn app_key(authority: &str, client_id: &str) -> String {
    format!("app:{authority}:{client_id}")
}

impl Context {
    pub fn new(
        profile: Option<String>,
        json: bool,
        request_timeout: std::time::Duration,
    ) -> Result<Self> {
        let paths = Paths::from_env()?;
        let secrets = Secrets::new(&paths);
        Ok(Self {
            paths,
            profile,
            json,
            secrets,
            request_timeout,
        })
    }

    /// A client of `instance` naming the CLI, with the request timeout asked for.
    pub fn client_builder(&self, instance: InstanceUrl) -> tootkit::ClientBuilder {
        Client::builder(instance)
            .user_agent(USER_AGENT)
            .timeout(self.request_timeout)
    }

    pub fn profiles(&self) -> Result<Profiles> {
        Profiles::load(&self.paths)
    }

    /// Where the credentials in use are: the environment when it holds them (unless a
    /// profile was named on the command line), else the selected profile.
    fn in_use(&self) -> Result<InUse> {
        if let Some((base, token)) = environment_credentials()? {
            return Ok(InUse::Environment(base, token));
        }
        let (name, profile) = self.profiles()?.select(self.profile.as_deref())?;
        Ok(InUse::Profile(name, profile))
    }

    /// The instance and token to act with ([`in_use`](Self::in_use)).
    pub fn credentials(&self) -> Result<(InstanceUrl, AccessToken, Source)> {
        let (name, profile) = match self.in_use()? {
            InUse::Environment(base, token) => return Ok((base, token, Source::Environment)),
            InUse::Profile(name, profile) => (name, profile),
        };
        let instance = InstanceUrl::parse(&profile.instance)?;
        let token = self.secrets.get(profile.store, &token_key(&name))?.ok_or_else(|| {
            Failure::auth(format!(
                "The token of profile `{name}` is missing from {}; run `tootkit --profile {} auth login --instance {}` to sign in again.",
                profile.store.describe(&self.paths),
                shell_word(&name),
                instance.authority()
            ))
        })?;
        let _ = PROFILE_IN_USE.set(name.clone());
        Ok((instance, AccessToken::new(token), Source::Profile(name)))
    }

    /// The instance of the credentials in use, found without reading the token (a
    /// profile names its instance): enough for what anyone may ask, such as its limits.
    pub fn instance_in_use(&self) -> Result<InstanceUrl> {
        match self.in_use()? {
            InUse::Environment(base, _) => Ok(base),
            InUse::Profile(_, profile) => Ok(InstanceUrl::parse(&profile.instance)?),
        }
    }

    /// A client acting with [`credentials`](Self::credentials).
    pub fn client(&self) -> Result<Client> {
        let (instance, token, _) = self.credentials()?;
        Ok(self.client_builder(instance).access_token(token).build()?)
    }

    pub fn print_json<T: serde::Serialize>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(|err| {
            Failure::bug(format_args!(
                "The answer could not be written as JSON ({err})"
            ))
        })?;
        outln!("{text}");
        Ok(())
    }
}

/// The most text read from stdin: 300 parts of 5,000 characters at four bytes each come
/// to under 6 MiB, and links, which count 23 whatever their length, rarely add much.
const MAX_STDIN_BYTES: u64 = 16 << 20;

/// Reads all of stdin, for text given as `-` or piped in, up to [`MAX_STDIN_BYTES`].
pub fn read_stdin(what: &str) -> Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_STDIN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| {
            Failure::usage(format!(
                "The {what} could not be read from standard input ({err}); pass it as an argument instead."
            ))
        })?;
    if bytes.len() as u64 > MAX_STDIN_BYTES {
        return Err(Failure::usage(format!(
            "The {what} on standard input is longer than {} MiB, far more than any post or thread; check what is piped in.",
            MAX_STDIN_BYTES >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|err| {
        Failure::usage(format!(
            "The {what} on standard input is not UTF-8 text (an invalid byte at {}); convert it to UTF-8 first, with iconv for instance.",
            err.utf8_error().valid_up_to()
        ))
    })
}

pub async fn whoami(context: &Context) -> Result<()> {
    let client = context.client()?;
    let account = match client.accounts().verify_credentials().await {
        Ok(account) => account,
        // The library's sentence is about any action; this one is reading the account.
        Err(err) if err.is_scope_refusal() => {
            return Err(Failure::new(
                crate::failure::Exit::Refused,
                "The server refused to show the token's account: it may not read it (it lacks `read` and `profile`); sign in again with `tootkit auth login --scopes read,write` (and the same --profile NAME, if you named one), or use a token that has them.",
            ));
        }
        Err(err) => return Err(err.into()),
    };
    if context.json {
        return context.print_json(&account);
    }
    outln!(
        "@{}@{} ({})",
        account.acct,
        client.base_url().authority(),
        account.url
    );
    Ok(())
}

/// The text of `post` or `count` (named by `command`): the argument, or stdin for `-`
/// or a pipe.
fn text_argument(text: Option<String>, command: &str) -> Result<String> {
    let text = match text.as_deref() {
        Some("-") => {
            if std::io::stdin().is_terminal() {
                errln!(
                    "Reading the text from the terminal; end it with Ctrl-D on a line of its own."
                );
            }
            read_stdin("text")?
        }
        Some(_) => text.unwrap_or_default(),
        None if !std::io::stdin().is_terminal() => read_stdin("text")?,
        None => {
            return Err(Failure::usage(format!(
                "No text given; pass it as an argument (`tootkit {command} \"howdy universe!\"`) or pipe it in with `-`."
            )));
        }
    };
    Ok(text.trim_end_matches(['\n', '\r']).to_owned())
}

/// The limits of `client`'s instance, asked only when `text` is over Mastodon's
/// default: a one-shot post should cost one request, and a text within 500 characters
/// fits every Mastodon that keeps the default (one that allows fewer refuses it, and
/// [`post_failure`] says so).
async fn limits_for(client: &Client, text: &str, warning: &str) -> Result<Limits> {
    let defaults = Limits::default();
    if text::fits(text, warning, defaults) {
        return Ok(defaults);
    }
    Ok(Limits::of(&client.instance().get().await?))
}

pub async fn post(context: &Context, args: PostArgs) -> Result<()> {
    let text = text_argument(args.text, "post")?;
    let warning = args.content_warning.unwrap_or_default();
    refuse_empty(&text, &warning)?;
    let client = context.client()?;
    // A direct post reaches the people it mentions: one that mentions no one is a note
    // to oneself, which is allowed, but rarely what a bot means.
    let direct = |visibility: Option<crate::cli::VisibilityArg>| {
        matches!(visibility, Some(crate::cli::VisibilityArg::Direct))
    };
    if text::extract_mentions(&text).is_empty() {
        if direct(args.visibility) {
            errln!(
                "warning: the text is direct and mentions no one, so no one but its author will see it."
            );
        } else if args.thread && direct(args.reply_visibility) {
            errln!(
                "warning: the replies are direct and the text mentions no one, so no one but its author will see them."
            );
        }
    }
    if let Some(language) = &args.language
        && text::mastodon_language(&text::language_tag(language)).is_none()
    {
        errln!(
            "warning: Mastodon does not know the language `{language}` and files a post in it under the account's default language; other servers may know it."
        );
    }
    if args.thread {
        let mut thread = client
            .statuses()
            .thread(text)
            .spoiler_text(warning)
            .numbering(!args.no_numbering)
            .carry_mentions(args.carry_mentions)
            .max_parts(usize::from(args.max_parts));
        if let Some(max) = args.max_characters {
            thread = thread.max_characters(max as usize);
        }
        if let Some(visibility) = args.reply_visibility {
            thread = thread.reply_visibility(visibility.into());
        }
        if let Some(visibility) = args.visibility {
            thread = thread.visibility(visibility.into());
        }
        if args.sensitive {
            thread = thread.sensitive(true);
        }
        if let Some(language) = args.language {
            thread = thread.language(language);
        }
        let reply_to = args.reply_to;
        let reply_visibility = args.reply_visibility;
        if let Some(id) = &reply_to {
            thread = thread.in_reply_to(id.clone());
        }
        let json = context.json;
        let mut done: Vec<tootkit::Status> = Vec::new();
        let mut earlier = 0;
        let sending = thread.send_with(|part| {
            let status = part.status;
            earlier += usize::from(part.earlier);
            let url = status.url.as_deref().unwrap_or(&status.uri);
            crate::done_before_output(format!(
                "part {} was posted ({url}), and the same command run again within the hour posts the rest without repeating any",
                done.len() + 1
            ));
            if !json {
                outln!("{url}");
            }
            done.push(status.clone());
        });
        let outcome = tokio::select! {
            outcome = sending => Some(outcome),
            () = interrupted() => None,
        };
        let Some(outcome) = outcome else {
            // What was posted, for a script to read, and how to finish.
            if json && !done.is_empty() {
                let _ = context.print_json(&done);
            }
            let posted = match done.len() {
                0 => "no part was confirmed".to_owned(),
                1 => "1 part was posted".to_owned(),
                n => format!("{n} parts were posted"),
            };
            return Err(Failure::new(
                crate::failure::Exit::Interrupted,
                format!(
                    "Interrupted when {posted}, and the one being sent may have been made too; run the same command again within the hour to post the rest without repeating any."
                ),
            ));
        };
        let posted = outcome
            .map_err(|err| {
                // The parts posted, for a script to read, before the error.
                if json && !done.is_empty() {
                    let _ = context.print_json(&done);
                }
                if matches!(err, tootkit::Error::ThreadPartDeleted { .. }) {
                    // Running it again would meet the same deleted part.
                    return Failure::from(err);
                }
                // A part refused as over the limit: running it again would meet the same.
                if let Some(limit) = err.character_limit() {
                    return part_over_the_limit(&client, limit, &done, reply_visibility);
                }
                if done.is_empty() {
                    // Only the first part answers the status given with --reply-to.
                    return post_failure(&client, reply_to.as_deref(), None, err);
                }
                let posted = if done.len() == 1 {
                    "1 part is posted".to_owned()
                } else {
                    format!("{} parts are posted", done.len())
                };
                // The first part's key, the first to lapse, lasts an hour from when the
                // server made it (found again by a re-run or not), on the server's clock.
                let keys_lapse = done
                    .first()
                    .and_then(|first| first.created_at)
                    .map(|at| at + tootkit::statuses::IDEMPOTENCY_KEY_LIFETIME);
                // Past them, or so close that a re-run once the limit resets would
                // likely come too late: ten minutes to notice and run it.
                let margin = time::Duration::minutes(10);
                let lapse_against_reset = match (&err, keys_lapse) {
                    (tootkit::Error::RateLimited { reset: Some(reset), .. }, Some(lapse))
                        if *reset >= lapse =>
                    {
                        Some("before the rate limit resets, so running the same command again then would post them twice")
                    }
                    (tootkit::Error::RateLimited { reset: Some(reset), .. }, Some(lapse))
                        if *reset + margin >= lapse =>
                    {
                        Some("minutes after the rate limit resets, so running the same command again then could post them twice")
                    }
                    _ => None,
                };
                post_failure(&client, None, None, err).with_hint(if let Some(lapse) = lapse_against_reset {
                    format!(
                        "{posted}, but their keys lapse {lapse}; post the rest instead with {}.",
                        rest_of_the_thread(&done, reply_visibility, None)
                    )
                } else {
                    format!(
                        "{posted}; run the same command again within the hour to post the rest without repeating them."
                    )
                })
            })?;
        // A run that posted nothing new looks like one that posted it all: said.
        match (earlier, posted.len()) {
            (0, _) => {}
            (1, 1) => errln!(
                "The thread's one part had already been posted by an earlier run; nothing new was posted."
            ),
            (all, count) if all == count => errln!(
                "All {count} parts had already been posted by an earlier run; nothing new was posted."
            ),
            (earlier, count) => errln!(
                "{earlier} of the {count} parts had already been posted by an earlier run; {}.",
                match count - earlier {
                    1 => "the other one was posted now".to_owned(),
                    new => format!("the other {new} were posted now"),
                }
            ),
        }
        if json {
            if let Some(last) = posted.last() {
                crate::done_before_output(format!(
                    "the thread was posted ({} parts, the last at {})",
                    posted.len(),
                    last.url.as_deref().unwrap_or(&last.uri)
                ));
            }
            return context.print_json(&posted);
        }
        return Ok(());
    }
    let limits = limits_for(&client, &text, &warning).await?;
    let length = text::status_length(&text, &warning, limits);
    let single = Single {
        length,
        warning_length: text::warning_length(&warning),
    };
    if length > limits.max_characters {
        return Err(single.too_long(
            limits.max_characters,
            Some(&client.base_url().authority()),
            "--thread",
        ));
    }
    let mut status = client.statuses().create(text);
    if let Some(visibility) = args.visibility {
        status = status.visibility(visibility.into());
    }
    if !warning.is_empty() {
        status = status.spoiler_text(warning);
    }
    if args.sensitive {
        status = status.sensitive(true);
    }
    if let Some(language) = args.language {
        status = status.language(language);
    }
    let reply_to = args.reply_to;
    if let Some(id) = &reply_to {
        status = status.in_reply_to(id.clone());
    }
    let posted = status
        .send()
        .await
        .map_err(|err| post_failure(&client, reply_to.as_deref(), Some(single), err))?;
    let url = posted.url.as_deref().unwrap_or(&posted.uri);
    crate::done_before_output(format!(
        "the status was posted ({url}), so the same command run again would post it twice"
    ));
    if context.json {
        return context.print_json(&posted);
    }
    outln!("{url}");
    Ok(())
}

/// Resolves when the user interrupts the command: Ctrl-C, or SIGTERM on Unix (a
/// service manager stopping it). Never, where signals cannot be listened to.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                Ok(()) = tokio::signal::ctrl_c() => {}
                Some(()) = terminate.recv() => {}
                else => std::future::pending::<()>().await,
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// A part of a thread refused as over `limit` when tootkit cut it to fit, after the
/// parts `done`: the server counts otherwise, and running the same command again would
/// meet the same refusal.
fn part_over_the_limit(
    client: &Client,
    limit: usize,
    done: &[tootkit::Status],
    reply_visibility: Option<crate::cli::VisibilityArg>,
) -> Failure {
    let host = client.base_url().authority();
    let part = done.len() + 1;
    // A tenth below the limit: room for however that server counts.
    let smaller = limit.saturating_sub(limit / 10).max(1);
    Failure::usage(match done.last() {
        None => format!(
            "{host} refused part 1 of the thread as over its limit of {limit} characters, though tootkit cut it to fit; that server counts otherwise, so run the same command with `--max-characters {smaller}` to cut smaller parts."
        ),
        // Cut smaller, the text would get other keys and the parts posted would be
        // posted again: the rest goes on from the last.
        Some(_) => format!(
            "{host} refused part {part} of the thread as over its limit of {limit} characters, though tootkit cut it to fit; that server counts otherwise, so post the rest of the text (from part {part} on) with {}, as running this command again would post the parts before it twice.",
            rest_of_the_thread(done, reply_visibility, Some(smaller))
        ),
    })
}

/// The command that posts the rest of a thread from its last part posted (`done` is not
/// empty), as visible as the replies posted, or as the rule for replies makes them
/// after the first part; cut for `max_characters` if given.
fn rest_of_the_thread(
    done: &[tootkit::Status],
    reply_visibility: Option<crate::cli::VisibilityArg>,
    max_characters: Option<usize>,
) -> String {
    let replies = match (done.get(1), reply_visibility) {
        (Some(reply), _) => reply.visibility.as_str().to_owned(),
        (None, Some(asked)) => tootkit::Visibility::from(asked).as_str().to_owned(),
        (None, None) => match done.first().map(|first| first.visibility.as_str()) {
            Some(narrow @ ("private" | "direct")) => narrow.to_owned(),
            _ => "unlisted".to_owned(),
        },
    };
    let cut = max_characters
        .map(|max| format!(" --max-characters {max}"))
        .unwrap_or_default();
    let last = done.last().map_or("ID", |last| last.id.as_str());
    format!(
        "`tootkit post --thread{cut} --reply-to {last} --visibility {replies} -` and the same --cw and --language"
    )
}

/// What a failed post means to the user. Two refusals are said in the words of the
/// command rather than of the API: a text over the instance's limit (a text within
/// Mastodon's default 500 is sent without asking for the limits, so an instance allowing
/// fewer refuses it itself, posting nothing), and a status to reply to that is not there.
/// `single` measures a text sent as one status (not cut into a thread for the limits).
fn post_failure(
    client: &Client,
    reply_to: Option<&str>,
    single: Option<Single>,
    err: tootkit::Error,
) -> Failure {
    let host = client.base_url().authority();
    if let (Some(single), Some(limit)) = (single, err.character_limit()) {
        if single.length > limit {
            return single.too_long(limit, Some(&host), "--thread");
        }
        // Within the limit as tootkit counted, which this server does not do: a thread
        // cut by that count could be refused as well.
        let warning = if single.warning_length > 0 {
            " with the content warning"
        } else {
            ""
        };
        return Failure::usage(format!(
            "{host} refused the text as over its limit of {limit} characters, though tootkit counts {}{warning}; that server counts otherwise, so shorten the text until it takes it.",
            single.length
        ));
    }
    match &err {
        tootkit::Error::NotFound { .. } if reply_to.is_some() => {
            let id = reply_to.unwrap_or_default();
            // An address is not said back: its query may hold what is nobody's business.
            let message = if id.contains('/') {
                format!(
                    "The status to reply to, given by its address, was not found on {host}; check that the address is of a status on {host} and that your account can see it."
                )
            } else {
                format!(
                    "The status to reply to, {id}, was not found on {host}; check the ID (the number at the end of the status's address on your instance) and that your account can see it."
                )
            };
            return Failure::new(crate::failure::Exit::Refused, message);
        }
        _ => {}
    }
    Failure::from(err)
}

/// A status sent whole, as Mastodon counts it: warning and text, and the warning alone.
#[derive(Clone, Copy)]
struct Single {
    length: usize,
    warning_length: usize,
}

impl Single {
    /// The refusal of a status over `limit`, with the advice that fits: a thread repeats
    /// the content warning on every part, so one that takes half the limit must shrink.
    /// `host` is whose limit it is (none: Mastodon's default); `thread` is how to ask
    /// for a thread where the advice is given (`--thread`, `tootkit post --thread`).
    fn too_long(self, limit: usize, host: Option<&str>, thread: &str) -> Failure {
        let Self {
            length,
            warning_length,
        } = self;
        let said = match host {
            Some(host) => format!("{host} allows {limit}"),
            None => format!("Mastodon allows {limit} by default"),
        };
        Failure::usage(if warning_length == 0 {
            format!(
                "The text is {length} characters and {said}; shorten it, or post it as a thread with {thread}."
            )
        } else if !text::warning_leaves_room(warning_length, limit) {
            format!(
                "The content warning ({warning_length} characters) and the text are {length} characters together and {said}; shorten the content warning, which a thread would repeat on every part."
            )
        } else {
            format!(
                "The content warning and the text are {length} characters together and {said}; shorten them, or post the text as a thread with {thread}."
            )
        })
    }
}

/// What `tootkit count --json` prints.
#[derive(serde::Serialize)]
struct Count {
    length: usize,
    max_characters: usize,
    characters_reserved_per_url: usize,
    fits: bool,
    /// The instance the limits come from (its base URL, as every command's JSON names
    /// an instance); none for Mastodon's defaults.
    instance: Option<String>,
}

/// Refuses a status with nothing to post. Mastodon would post a warning given alone as
/// the text, shown openly: what a script with an empty variable would not mean.
fn refuse_empty(text: &str, warning: &str) -> Result<()> {
    match (text::is_blank(text), text::is_blank(warning)) {
        (true, true) => Err(Failure::usage(
            "The text is empty, and Mastodon posts no empty status; write something.",
        )),
        (true, false) => Err(Failure::usage(
            "The text is empty, and Mastodon would post the content warning as the text with nothing behind it; give the text as well, or post the words as the text without --cw.",
        )),
        _ => Ok(()),
    }
}

pub async fn count(context: &Context, args: CountArgs) -> Result<()> {
    let text = text_argument(args.text, "count")?;
    let warning = args.content_warning.unwrap_or_default();
    // What `post` would refuse, `count` does too, so that a script may ask first; with
    // --json, after printing the count (nothing fits), as for a text over the limit.
    let empty = match refuse_empty(&text, &warning) {
        Err(refusal) if !context.json => return Err(refusal),
        outcome => outcome.err(),
    };
    // The instance in use, if any: its limits, else Mastodon's defaults. Counting is
    // local work, so an instance out of reach or unreadable credentials only warn.
    let defaults = (Limits::default(), None);
    let in_use = match context.instance_in_use() {
        // A profile asked for by name that does not exist is an error, as for every
        // command.
        Err(failure) if context.profile.is_some() => return Err(failure),
        other => other,
    };
    let (limits, instance) = match &in_use {
        Ok(instance) => {
            // Counting should not wait long on an instance out of reach: 5 s at most,
            // less when --request-timeout says so.
            let timeout = context
                .request_timeout
                .min(std::time::Duration::from_secs(5));
            let client = context
                .client_builder(instance.clone())
                .connect_timeout(timeout.min(std::time::Duration::from_secs(3)))
                .timeout(timeout)
                .retry(tootkit::RetryPolicy::never())
                .build()?;
            match client.instance().get().await {
                Ok(info) => (Limits::of(&info), Some(instance.clone())),
                Err(err) => {
                    errln!(
                        "warning: counting with Mastodon's defaults, as the limits of {} could not be read: {err}",
                        instance.authority()
                    );
                    defaults
                }
            }
        }
        // Not signed in: the defaults, as the output says.
        Err(failure) if failure.exit == crate::failure::Exit::Auth => defaults,
        // No instance in use for another reason (several profiles and no default, half
        // of the environment's pair, unreadable profiles), which the message says.
        Err(failure) => {
            errln!(
                "warning: counting with Mastodon's defaults. {}",
                failure.message
            );
            defaults
        }
    };
    let signed_out = matches!(&in_use, Err(failure) if failure.exit == crate::failure::Exit::Auth);
    let length = text::status_length(&text, &warning, limits);
    let count = Count {
        length,
        max_characters: limits.max_characters,
        characters_reserved_per_url: limits.characters_reserved_per_url,
        fits: empty.is_none() && length <= limits.max_characters,
        instance: instance.as_ref().map(ToString::to_string),
    };
    // A text that does not fit fails, with the advice `post` would give, so that a
    // script can ask first.
    let host = instance.as_ref().map(InstanceUrl::authority);
    let over = || {
        let single = Single {
            length,
            warning_length: text::warning_length(&warning),
        };
        single.too_long(
            limits.max_characters,
            host.as_deref(),
            "`tootkit post --thread`",
        )
    };
    if context.json {
        context.print_json(&count)?;
        return match empty {
            Some(refusal) => Err(refusal),
            None if count.fits => Ok(()),
            None => Err(over()),
        };
    }
    let source = match &host {
        Some(host) => format!("the limit of {host}"),
        None if signed_out => "Mastodon's default limit; sign in to use your instance's".to_owned(),
        None => "Mastodon's default limit".to_owned(),
    };
    outln!("{length}/{} ({source})", limits.max_characters);
    if count.fits { Ok(()) } else { Err(over()) }
}

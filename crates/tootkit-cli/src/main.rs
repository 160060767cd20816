//! `tootkit`: sign in to Mastodon without secrets in files, post, and run a local
//! sandbox instance. Argument parsing, profiles, credential stores and output live
//! here; every API call goes through the `tootkit` library.

/// `println!` that carries on when stdout's reader is gone (`tootkit post --thread |
/// head -1`): what is being posted matters more than what is printed about it. Output
/// that cannot be written for another reason (a full disk under `auth export > env.sh`)
/// ends the command with exit code 1, as the output was its point.
macro_rules! outln {
    () => {
        $crate::write_output(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::write_output(format_args!($($arg)*))
    };
}

/// `eprintln!` that carries on when stderr is gone, as [`outln!`] does for stdout.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;
mod commands;
mod config;
mod failure;
mod store;

use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};

use crate::cli::{AuthCommand, Cli, Command};
use crate::failure::Exit;

/// What was done that the output was to tell, said if it cannot be written.
static DONE_BEFORE_OUTPUT: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Notes what was done (`the status was posted (URL)…`) before the output that says so,
/// for the error should that output fail: the URL of a status posted is not lost.
fn done_before_output(what: String) {
    if let Ok(mut done) = DONE_BEFORE_OUTPUT.lock() {
        *done = Some(what);
    }
}

/// See [`outln!`].
fn write_output(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    match writeln!(std::io::stdout(), "{line}") {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
            let done = DONE_BEFORE_OUTPUT
                .lock()
                .ok()
                .and_then(|done| done.clone())
                .map(|done| format!(", though {done}"))
                .unwrap_or_default();
            errln!(
                "error: The output could not be written ({err}){done}; check where it goes, such as a full disk."
            );
            std::process::exit(Exit::Local as i32);
        }
        _ => {}
    }
}

/// Whether `--profile` was typed (rather than read from `TOOTKIT_PROFILE`). A global
/// option: clap gives the top level the source of wherever it was given.
fn profile_typed(matches: &clap::ArgMatches) -> bool {
    matches.value_source("profile") == Some(clap::parser::ValueSource::CommandLine)
}

/// A global option given to a command for people, where it would mean nothing: said,
/// not ignored.
fn meaningless_option(cli: &Cli, profile_typed: bool) -> Option<String> {
    let name = match cli.command {
        Command::Demo => "demo",
        Command::Sandbox(_) => "sandbox",
        _ => return None,
    };
    if cli.json {
        Some(format!(
            "`tootkit {name}` prints text for people, not JSON; leave out --json."
        ))
    } else if profile_typed {
        Some(format!(
            "`tootkit {name}` uses no profile, as its instance is its own; leave out --profile."
        ))
    } else {
        None
    }
}

/// clap's refusal of a value that came from the environment, naming the variable where
/// clap names the flag: the user set the one, not the other.
fn from_the_environment(err: &clap::Error) -> Option<String> {
    let (Some(ContextValue::String(arg)), Some(ContextValue::String(value)), Some(reason)) = (
        err.get(ContextKind::InvalidArg),
        err.get(ContextKind::InvalidValue),
        std::error::Error::source(err),
    ) else {
        return None;
    };
    let flag = arg.split(' ').next()?;
    let variable = match flag {
        "--request-timeout" => "TOOTKIT_REQUEST_TIMEOUT",
        "--profile" => "TOOTKIT_PROFILE",
        _ => return None,
    };
    // clap checks the variable even when the flag is typed too (the option is global, and
    // each subcommand reads the environment again), so the value tells where it came from.
    let from_variable =
        std::env::var_os(variable).is_some_and(|set| set.to_string_lossy() == *value);
    from_variable.then(|| {
        format!(
            "error: invalid value '{}' for {variable}: {reason}\n\nFor more information, try '--help'.",
            value.escape_debug()
        )
    })
}

fn main() -> ExitCode {
    let mut command = Cli::command();
    // An empty variable is an unset one, as for every other variable tootkit reads
    // (clap would refuse an empty number).
    if std::env::var_os("TOOTKIT_REQUEST_TIMEOUT").is_some_and(|value| value.is_empty()) {
        command = command.mut_arg("request_timeout", |arg| arg.env(None::<&str>));
    }
    let parsed = command
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let cli = match parsed {
        Ok((mut cli, matches)) => {
            let typed = profile_typed(&matches);
            if cli
                .profile
                .as_deref()
                .is_some_and(|name| name.trim().is_empty())
            {
                if typed {
                    errln!(
                        "error: A profile needs a name; give one such as `--profile bot`, or leave --profile out for the default."
                    );
                    return Exit::Usage.into();
                }
                // `TOOTKIT_PROFILE=` names no profile.
                cli.profile = None;
            }
            commands::profile_named_on_command_line(typed);
            if let Some(refusal) = meaningless_option(&cli, typed) {
                errln!("error: {refusal}");
                return Exit::Usage.into();
            }
            cli
        }
        Err(err) => {
            if let Some(refusal) = from_the_environment(&err) {
                errln!("{refusal}");
                return Exit::Usage.into();
            }
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::UnknownArgument
                    | ErrorKind::NoEquals
                    | ErrorKind::InvalidValue
            ) {
                let args: Vec<String> = std::env::args_os()
                    .skip(1)
                    .map(|arg| arg.to_string_lossy().into_owned())
                    .collect();
                if let Some(refusal) = text_read_as_options(&args) {
                    errln!("{refusal}");
                    return Exit::Usage.into();
                }
            }
            let err = with_quoting_tip(err);
            let _ = err.print();
            return if err.use_stderr() {
                Exit::Usage.into()
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let serving = matches!(cli.command, Command::Sandbox(_));
    init_logging(cli.verbose, serving);
    // One thread: a one-shot command makes a request or two, and the sandbox serves
    // one developer; a single-threaded runtime starts faster and uses less memory.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            errln!(
                "error: The async runtime could not start ({err}); this system may be out of resources, so close other programs or raise the process limits (ulimit) and try again."
            );
            return Exit::Local.into();
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            errln!("error: {}", failure.message);
            if let Some(hint) = &failure.hint {
                errln!("hint: {hint}");
            }
            failure.exit.into()
        }
    }
}

async fn run(cli: Cli) -> failure::Result<()> {
    let context = commands::Context::new(
        cli.profile.clone(),
        cli.json,
        std::time::Duration::from_secs(cli.request_timeout),
    )?;
    match cli.command {
        Command::Auth(AuthCommand::Login(args)) => commands::auth::login(&context, args).await,
        Command::Auth(AuthCommand::Status) => commands::auth::status(&context).await,
        Command::Auth(AuthCommand::Token) => commands::auth::token(&context),
        Command::Auth(AuthCommand::Export) => commands::auth::export(&context),
        Command::Auth(AuthCommand::AddToken(args)) => {
            commands::auth::add_token(&context, args).await
        }
        Command::Auth(AuthCommand::Switch(args)) => {
            commands::auth::switch(&context, args.profile.as_deref())
        }
        Command::Auth(AuthCommand::Logout) => commands::auth::logout(&context).await,
        Command::Whoami => commands::whoami(&context).await,
        Command::Post(args) => commands::post(&context, args).await,
        Command::Count(args) => commands::count(&context, args).await,
        Command::Sandbox(args) => commands::sandbox::serve(&context, args).await,
        Command::Demo => commands::demo::run(&context).await,
    }
}

/// `tootkit post howdy universe`: a text of several words not quoted, the most common
/// slip of all, gets clap's refusal and a tip saying how to give it.
fn with_quoting_tip(mut err: clap::Error) -> clap::Error {
    let usage = err
        .get(ContextKind::Usage)
        .map(ToString::to_string)
        .unwrap_or_default();
    let stray_word = matches!(
        err.get(ContextKind::InvalidArg),
        Some(ContextValue::String(word)) if !word.starts_with('-')
    );
    // `Usage: BINARY SUBCOMMAND [OPTIONS] …`, whatever the binary is named.
    let taking_text = usage
        .split_whitespace()
        .nth(2)
        .filter(|command| ["post", "count"].contains(command));
    if let Some(command) = taking_text
        && err.kind() == ErrorKind::UnknownArgument
        && stray_word
    {
        err.insert(
            ContextKind::Suggested,
            ContextValue::StyledStrs(vec![
                format!(
                    "the text is one argument: quote it, as in `tootkit {command} 'howdy universe!'`, or give `-` and write it on standard input"
                )
                .into(),
            ]),
        );
    }
    err
}

/// `tootkit post '-hot take: tabs'`: a text beginning with `-` whose letters include
/// `h` asks clap for help, which would exit 0 with nothing posted, and one whose first
/// letter no flag has (`-30 degrees`) is refused by clap for that letter alone. A
/// cluster of flags cannot hold a character no flag has, so such a word is the text
/// (`-vh` stays a request for help), or the value of the option before it (`--cw
/// -hx`). The refusal, with the command line that gives it as meant; `None` for any
/// other case (a mistyped flag such as `-t` among them), left to clap's own words.
fn text_read_as_options(args: &[String]) -> Option<String> {
    let mut cli = Cli::command();
    cli.build();
    let words = classify(&cli, args);
    let (index, after) = words.iter().enumerate().find_map(|(at, word)| match word {
        Word::NotOptions { after } => Some((at, after.clone())),
        _ => None,
    })?;
    let word = &args[index];
    let command = words
        .iter()
        .zip(args)
        .find_map(|(kind, word)| matches!(kind, Word::Command).then_some(word.as_str()));
    if !matches!(command, Some("post" | "count")) || word.chars().count() <= 2 {
        return None;
    }
    let read = format!("error: `{word}` was read as options because it begins with '-'");
    if let Some(option) = after {
        return Some(format!(
            "{read}; to give it as the value of {option}, join them with `=`, as in `{}`.",
            commands::shell_word(&format!("{option}={word}"))
        ));
    }
    // The text is this word and the unquoted words after it, if any; none may come
    // before it, nor another word clap would refuse after it.
    let text_at = |at: usize| matches!(words[at], Word::Positional) || at == index;
    if (0..index).any(|at| matches!(words[at], Word::Positional))
        || words[index + 1..]
            .iter()
            .any(|w| matches!(w, Word::NotOptions { .. }))
    {
        return None;
    }
    let text: Vec<&str> = (index..args.len())
        .filter(|&at| text_at(at))
        .map(|at| args[at].as_str())
        .collect();
    let others: Vec<String> = (0..args.len())
        .filter(|&at| !(at >= index && text_at(at)))
        .map(|at| commands::shell_word(&args[at]))
        .collect();
    Some(format!(
        "{read}; to give it as the text, put `--` before it, as in `tootkit {} -- {}`, or give `-` and write it on standard input.",
        others.join(" "),
        commands::shell_quote(&text.join(" "))
    ))
}

/// What a word of the command line is to clap, as far as [`text_read_as_options`] needs.
#[derive(Clone, Debug)]
enum Word {
    Command,
    /// An option, or a cluster of short flags.
    Option,
    /// The value of the option before it.
    Value,
    /// The text, or a word after `--`.
    Positional,
    /// Begins with `-` but holds a letter no flag has; `after` names the option just
    /// before it still waiting for its value.
    NotOptions {
        after: Option<String>,
    },
}

/// Reads the command line as clap would, without stopping at what it would refuse.
fn classify(cli: &clap::Command, args: &[String]) -> Vec<Word> {
    let takes_value = |arg: &clap::Arg| arg.get_num_args().is_some_and(|n| n.takes_values());
    let mut command: Option<&clap::Command> = None;
    let mut pending: Option<String> = None;
    let mut words = Vec::with_capacity(args.len());
    let mut rest_positional = false;
    for word in args {
        let scope = command.unwrap_or(cli);
        let letters = word.strip_prefix('-').filter(|l| !l.is_empty());
        let kind = match letters {
            _ if rest_positional => Word::Positional,
            Some("-") => {
                rest_positional = true;
                Word::Option
            }
            None if pending.take().is_some() => Word::Value,
            None => match (command, scope.find_subcommand(word)) {
                (None, Some(sub)) => {
                    command = Some(sub);
                    Word::Command
                }
                _ => Word::Positional,
            },
            Some(letters) => match letters.strip_prefix('-') {
                Some(long) => {
                    let (name, inline) = long
                        .split_once('=')
                        .map_or((long, false), |(n, _)| (n, true));
                    pending = scope
                        .get_arguments()
                        .find(|arg| arg.get_long() == Some(name))
                        .filter(|arg| takes_value(arg) && !inline)
                        .map(|_| format!("--{name}"));
                    Word::Option
                }
                None => {
                    // Short flags, the last one perhaps taking the rest as its value.
                    let mut known = Some(None);
                    for (at, letter) in letters.char_indices() {
                        match scope
                            .get_arguments()
                            .find(|arg| arg.get_short() == Some(letter))
                        {
                            None => {
                                known = None;
                                break;
                            }
                            Some(arg) if takes_value(arg) => {
                                let rest = &letters[at + letter.len_utf8()..];
                                known = Some(rest.is_empty().then(|| format!("-{letter}")));
                                break;
                            }
                            Some(_) => {}
                        }
                    }
                    match known {
                        Some(waiting) => {
                            pending = waiting;
                            Word::Option
                        }
                        None => Word::NotOptions {
                            after: pending.take(),
                        },
                    }
                }
            },
        };
        words.push(kind);
    }
    words
}

/// A log line as the CLI's other warnings read: `warning: ` and the message, its
/// fields left to `-v` (the message is the sentence meant for a person).
struct AsWarning;

/// The `message` of an event.
#[derive(Default)]
struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S, N> tracing_subscriber::fmt::FormatEvent<S, N> for AsWarning
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _context: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let mut message = Message::default();
        event.record(&mut message);
        writeln!(writer, "warning: {}", message.0)
    }
}

/// `-v` shows each request and its answer, `-vv` everything the libraries say. The
/// sandbox shows the requests it serves without being asked: that is what a developer
/// watches it for.
fn init_logging(verbosity: u8, serving: bool) {
    use std::io::IsTerminal;
    use tracing::Level;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    // `-v`: tootkit's own lines (one per request, retries, the sandbox's requests);
    // `-vv` adds the HTTP stack's, `-vvv` everything there is.
    let (ours, theirs) = match (verbosity, serving) {
        (0, false) => {
            // What the library warns of (a post sent again after a wait, a forged
            // sign-in redirect refused) is for the person at the terminal, in the
            // CLI's own words.
            // The demo's sandbox failing is worth hearing as well.
            let targets = tracing_subscriber::filter::Targets::new()
                .with_target("tootkit", Level::WARN)
                .with_target("tootkit_cli", Level::WARN)
                .with_target("tootkit_sandbox", Level::WARN);
            tracing_subscriber::fmt()
                .with_max_level(Level::WARN)
                .with_writer(std::io::stderr)
                .event_format(AsWarning)
                .finish()
                .with(targets)
                .init();
            return;
        }
        (0, true) => (Level::INFO, Level::WARN),
        (1, _) => (Level::DEBUG, Level::WARN),
        (2, _) => (Level::DEBUG, Level::DEBUG),
        _ => (Level::TRACE, Level::TRACE),
    };
    let targets = tracing_subscriber::filter::Targets::new()
        .with_target("tootkit", ours)
        .with_target("tootkit_cli", ours)
        .with_target("tootkit_sandbox", ours)
        .with_default(theirs);
    tracing_subscriber::fmt()
        .with_max_level(ours.max(theirs))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .finish()
        .with(targets)
        .init();
}

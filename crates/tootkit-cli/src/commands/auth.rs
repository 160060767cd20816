//! `tootkit auth …`: sign in, show, export and forget credentials.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tootkit::{
    AccessToken, Account, AppCredentials, AuthorizationCode, AuthorizationRequest, Client,
    ClientSecret, InstanceUrl, LoopbackReceiver, OOB_REDIRECT_URI, Password, Scopes,
    ServerMetadata, Token,
};

use super::{Context, Source, app_key, read_stdin, shell_quote, token_key};
use crate::cli::{AddTokenArgs, LoginArgs};
use crate::config::{AppRecord, AppRef, Profile, Profiles};
use crate::failure::{Exit, Failure, Result};
use crate::store::StoreKind;

/// The name tootkit registers itself under.
const APP_NAME: &str = "tootkit";
const APP_WEBSITE: &str = "https://github.com/tootkit/tootkit";

/// Application credentials as kept in the credential store.
#[derive(Serialize, Deserialize)]
struct StoredApp {
    client_id: String,
    #[serde(serialize_with = "tootkit::exposed::serialize")]
    client_secret: ClientSecret,
}

pub async fn login(context: &Context, args: LoginArgs) -> Result<()> {
    // Signing in again under a profile named with --profile: its own instance.
    let known = match (&args.instance, &context.profile) {
        (None, Some(name)) => context
            .profiles()?
            .profiles
            .get(name)
            .map(|profile| profile.instance.clone()),
        _ => None,
    };
    let instance = match (&args.instance, &known) {
        (Some(instance), _) | (None, Some(instance)) => InstanceUrl::parse(instance)?,
        (None, None) => InstanceUrl::parse(&prompt_line(
            "Instance (such as mastodon.social): ",
            "instance",
            "give the instance with --instance HOST",
        )?)?,
    };
    let mut scopes = Scopes::parse(&args.scopes)?;
    if scopes.is_empty() {
        return Err(Failure::usage(
            "No scopes were given; pass some, such as --scopes read,write.",
        ));
    }
    let client = context.client_builder(instance.clone()).build()?;
    let server = client.oauth().discover().await?;
    server.require_scopes(&scopes)?;
    if args.password {
        // Refused before registering an application the server would never use.
        server
            .require_password_grant()
            .map_err(|err| without_password(&err))?;
    }
    if !scopes.covers("read:accounts") && !scopes.covers("profile") {
        // Without a way to read the account, the token could not be verified or named.
        // `profile` grants only that, but servers before Mastodon 4.3 refuse it.
        let reader = if server.supports_scope("profile") {
            "profile"
        } else {
            "read:accounts"
        };
        scopes = scopes.union(&Scopes::parse(reader)?);
    }
    let mut profiles = context.profiles()?;
    let (app, app_store) = ensure_app(context, &client, &mut profiles, &scopes).await?;
    let token = match obtain_token(&client, &server, &app, &scopes, &args).await {
        Err(err @ tootkit::Error::OAuth { .. })
            if args.password
                && matches!(&err, tootkit::Error::OAuth { error, .. } if error == "unsupported_grant_type") =>
        {
            return Err(without_password(&err));
        }
        Err(tootkit::Error::OAuth { error, description }) if error == "invalid_client" => {
            forget_app(context, &mut profiles, &instance)?;
            return Err(Failure::from(tootkit::Error::OAuth { error, description })
                .with_hint("The saved registration was forgotten; run the same command again to register tootkit anew."));
        }
        other => other?,
    };
    let user = client.with_access_token(token.access_token.clone());
    let account = user.accounts().verify_credentials().await?;
    let app = AppRef {
        client_id: app.client_id.clone(),
        store: app_store,
    };
    let (name, store) = keep_token(
        context,
        &mut profiles,
        &instance,
        Some(&account),
        &token.access_token,
        token.scope.clone(),
        Some(app),
    )
    .await?;
    if context.json {
        return context.print_json(&serde_json::json!({
            "profile": name,
            "instance": instance.to_string(),
            "account": account,
            "scopes": token.scope,
            "store": store,
            "expires_in": token.expires_in,
        }));
    }
    errln!(
        "Signed in to {} as @{}; the token is in {} under the profile `{name}`.",
        instance.authority(),
        account.acct,
        store.describe(&context.paths)
    );
    if let Some(seconds) = token.expires_in {
        errln!(
            "warning: this server lets the token expire in {}; run `tootkit auth login` again when it does (tootkit does not renew tokens).",
            humantime_span(seconds)
        );
    }
    warn_if_the_environment_wins();
    Ok(())
}

/// Stores a verified token under its profile (named by `--profile`, else `user@host`),
/// which becomes the default if there is none and no other profile is in use
/// ([`Profiles::remember`]); returns the name and where the token went.
/// A token the profile held before is revoked when tootkit's application can (a token
/// made elsewhere is left, with a warning), and removed from a store it no longer uses.
async fn keep_token(
    context: &Context,
    profiles: &mut Profiles,
    instance: &InstanceUrl,
    account: Option<&Account>,
    token: &AccessToken,
    scopes: String,
    app: Option<AppRef>,
) -> Result<(String, StoreKind)> {
    let name = match (&context.profile, account) {
        (Some(name), _) => name.clone(),
        (None, Some(account)) => format!("{}@{}", account.acct, instance.authority()),
        (None, None) => {
            return Err(Failure::bug(
                "A token whose account is unknown reached the store without a profile name",
            ));
        }
    };
    // Best effort: a store that cannot be read now (a locked keyring) must not lose
    // the token the server has just issued; the old one is then left as it is.
    let previous = profiles.profiles.get(&name).map(|profile| {
        let token = context.secrets.get(profile.store, &token_key(&name));
        (profile.clone(), token)
    });
    let store = context.secrets.store(&token_key(&name), token.expose())?;
    let in_use_before = profiles.select(None).ok().map(|(used, _)| used);
    profiles.remember(
        &name,
        Profile {
            instance: instance.to_string(),
            account: account.map(|a| a.acct.clone()).unwrap_or_default(),
            account_id: account.map(|a| a.id.clone()).unwrap_or_default(),
            scopes,
            store,
            app,
        },
    );
    profiles.save(&context.paths)?;
    // Several profiles and none in use: this one now is, which the user must hear.
    if in_use_before.is_none()
        && profiles.profiles.len() > 1
        && profiles.default.as_deref() == Some(name.as_str())
    {
        errln!(
            "`{name}` is now the default profile, as none was in use; `tootkit auth switch NAME` chooses another."
        );
    }
    if let Some((profile, read)) = previous {
        // Unreadable (a locked keyring): left as it is, and so is what could revoke it.
        let old_token = read.as_ref().ok().cloned().flatten();
        // Compared as addresses: a hand-written `botsin.space` is no move.
        if InstanceUrl::parse(&profile.instance).ok().as_ref() != Some(instance) {
            errln!(
                "The profile `{name}` pointed at {} and now points at {}.",
                profile.instance,
                instance
            );
        }
        if let Some(account) = account
            && !profile.account.is_empty()
            && profile.account != account.acct
        {
            errln!(
                "The profile `{name}` was @{}'s and is now @{}'s.",
                profile.account,
                account.acct
            );
        }
        if profile.store != store
            && let Err(err) = context.secrets.delete(profile.store, &token_key(&name))
        {
            errln!(
                "warning: the token `{name}` held before is still in {} ({}); remove it there by hand.",
                profile.store.describe(&context.paths),
                err.message.trim_end_matches('.')
            );
        }
        match old_token {
            Some(old) if old == token.expose() => {}
            Some(old) => {
                let sharing = sharing(context, profiles, &name, &old);
                if sharing.is_empty() {
                    retire(context, &name, &profile, &AccessToken::new(old)).await;
                } else {
                    errln!(
                        "The profile `{name}` held another token, now replaced; it is left unrevoked, as {}.",
                        also_use(&sharing)
                    );
                }
            }
            None => {}
        }
        // The old token is dealt with: its application may now be of no further use.
        if let (Ok(_), Some(old_app), Ok(old_instance)) =
            (&read, &profile.app, InstanceUrl::parse(&profile.instance))
        {
            forget_unused_app(context, profiles, &old_instance.authority(), old_app);
        }
    }
    Ok((name, store))
}

/// Removes the client ID and secret of an application that is no longer the one
/// registered for its instance and that no profile's token came from: nothing will use
/// them again (not even to revoke). Best effort: a store out of reach keeps them.
fn forget_unused_app(context: &Context, profiles: &Profiles, authority: &str, app: &AppRef) {
    let current = profiles
        .apps
        .get(authority)
        .is_some_and(|record| record.client_id == app.client_id);
    let used = profiles.profiles.values().any(|profile| {
        profile
            .app
            .as_ref()
            .is_some_and(|a| a.client_id == app.client_id)
    });
    if !current && !used {
        let _ = context
            .secrets
            .delete(app.store, &app_key(authority, &app.client_id));
    }
}

/// The other profiles that hold `token` (as `profile`, quoted), which must outlive
/// `name`'s letting go of it.
fn sharing(context: &Context, profiles: &Profiles, name: &str, token: &str) -> Vec<String> {
    profiles
        .profiles
        .iter()
        .filter(|(other, profile)| *other != name && holds(context, other, profile, token))
        .map(|(other, _)| format!("`{other}`"))
        .collect()
}

/// Whether the profile `name` holds `token` (an unreadable store holds nothing).
fn holds(context: &Context, name: &str, profile: &Profile, token: &str) -> bool {
    context
        .secrets
        .get(profile.store, &token_key(name))
        .ok()
        .flatten()
        .is_some_and(|held| held == token)
}

/// "`a` also uses it", "`a`, `b` also use it".
fn also_use(profiles: &[String]) -> String {
    let verb = if profiles.len() == 1 { "uses" } else { "use" };
    format!("{} also {verb} it", profiles.join(", "))
}

/// Why a token tootkit let go of was not revoked, in the words `retire` and `logout`
/// both build their sentences on.
const SECRET_GONE: &str =
    "the client secret it came with is no longer stored, so tootkit could not revoke it";
const MADE_ELSEWHERE: &str = "it was made outside tootkit";

fn could_not_revoke(why: &str) -> String {
    format!("it could not be revoked ({why})")
}

/// Why a revocation failed, short enough to go inside another sentence: a server out
/// of reach in a few words, anything else as the error says it.
fn why_not_revoked(err: &tootkit::Error) -> String {
    match err {
        tootkit::Error::Timeout { host, .. } => format!("{host} did not answer in time"),
        tootkit::Error::Network { host, source } if source.is_connect() => {
            format!("{host} could not be reached")
        }
        tootkit::Error::Network { host, .. } => format!("the connection to {host} failed"),
        tootkit::Error::OAuth {
            error, description, ..
        } => format!(
            "the server refused it: {}",
            description
                .as_deref()
                .unwrap_or(error)
                .trim_end_matches('.')
        ),
        other => other.to_string().trim_end_matches('.').to_owned(),
    }
}

/// Revokes the token a profile held before it was replaced, or says it may still work.
async fn retire(context: &Context, name: &str, profile: &Profile, old: &AccessToken) {
    let revoked = async {
        let Some(app) = app_of(context, profile)? else {
            return Ok(false);
        };
        let client = context
            .client_builder(InstanceUrl::parse(&profile.instance)?)
            .build()?;
        client
            .oauth()
            .revoke(&app, old)
            .await
            .map_err(|err| Failure::local(why_not_revoked(&err)))?;
        Ok::<_, Failure>(true)
    }
    .await;
    let what_became_of_it = match revoked {
        Ok(true) => return errln!("The profile `{name}` held another token, now replaced and revoked."),
        // Its registration is gone (the server forgot it, and then tootkit), and the
        // server confirms the token went with it.
        Ok(false) if profile.app.is_some() && refused_by_its_server(context, profile, old).await => {
            "it came from a registration the server no longer knows, and no longer works there either".to_owned()
        }
        Ok(false) if profile.app.is_some() => format!(
            "{SECRET_GONE} and it may still work: revoke it {}",
            where_to_revoke(true)
        ),
        Ok(false) => format!(
            "{MADE_ELSEWHERE} and may still work, so revoke it {} if it is no longer needed",
            where_to_revoke(false)
        ),
        Err(err) => format!(
            "{} and may still work, so revoke it {}",
            could_not_revoke(err.message.trim_end_matches('.')),
            where_to_revoke(profile.app.is_some())
        ),
    };
    errln!("The profile `{name}` held another token, now replaced; {what_became_of_it}.");
}

/// A server that takes no password, whether it said so in its metadata or when asked:
/// one exit code, and the two ways that do work.
fn without_password(err: &tootkit::Error) -> Failure {
    Failure::auth(err.to_string()).with_hint(
        "Run the same `tootkit auth login` without --password to sign in through the browser (--oob if none is at hand), or store a token made in the web interface with `tootkit auth add-token`.",
    )
}

/// Whether the server of `profile` refuses `token` outright (a 401): such a token needs
/// no revoking.
async fn refused_by_its_server(context: &Context, profile: &Profile, token: &AccessToken) -> bool {
    let Ok(instance) = InstanceUrl::parse(&profile.instance) else {
        return false;
    };
    let Ok(client) = context
        .client_builder(instance)
        .access_token(token.clone())
        .build()
    else {
        return false;
    };
    matches!(
        client.accounts().verify_credentials().await,
        Err(tootkit::Error::Unauthorized { .. })
    )
}

/// Where in Mastodon's web interface a token is revoked by hand: one tootkit signed in
/// for is listed with the applications the account authorized, one made in the web
/// interface where it was made.
fn where_to_revoke(made_by_tootkit: bool) -> &'static str {
    if made_by_tootkit {
        "in the web interface under Preferences > Account > Authorized apps (tootkit)"
    } else {
        "in the web interface under Preferences > Development (or Authorized apps, if another application made it)"
    }
}

/// The application registered on this instance, reused when it has the scopes needed;
/// else registered anew with the scopes of the one before as well as these, so that
/// signing in by turns with different scopes settles on one application.
async fn ensure_app(
    context: &Context,
    client: &Client,
    profiles: &mut Profiles,
    scopes: &Scopes,
) -> Result<(AppCredentials, StoreKind)> {
    let authority = client.base_url().authority();
    let mut to_register = scopes.clone();
    let mut lacked_scopes = false;
    if let Some(record) = profiles.apps.get(&authority) {
        let registered = Scopes::parse(&record.scopes).unwrap_or_else(|_| Scopes::read());
        to_register = registered.union(scopes);
        let has_scopes = scopes.iter().all(|s| registered.iter().any(|r| r == s));
        let has_redirects = record
            .redirect_uris
            .iter()
            .any(|u| u == LoopbackReceiver::REGISTERED_REDIRECT_URI);
        if has_scopes
            && has_redirects
            && let Some(app) = read_app(context, &authority, &record.client_id, record.store)?
        {
            let store = record.store;
            // Checked before a browser is sent to sign in with it: a server whose data
            // was reset would show an error page there, and the wait would time out.
            if client.oauth().is_registered(&app).await? {
                return Ok((app, store));
            }
            forget_app(context, profiles, client.base_url())?;
            errln!(
                "{authority} no longer knows the application tootkit registered there (its data was reset, or the application removed); registering it again."
            );
        } else {
            // Mastodon lets an application ask only for scopes it was registered with,
            // word for word (`write` does not stand for `write:statuses` there).
            lacked_scopes = !has_scopes;
        }
    }
    let app = client
        .apps()
        .register(APP_NAME)
        .scopes(to_register.clone())
        .redirect_uri(OOB_REDIRECT_URI)
        .redirect_uri(LoopbackReceiver::REGISTERED_REDIRECT_URI)
        .website(APP_WEBSITE)
        .send()
        .await
        .map_err(|err| {
            // Mastodon's limit on registrations is 5; another limit met on the way (its
            // 300 requests per address) is not this one.
            let limited = matches!(
                err,
                tootkit::Error::RateLimited {
                    limit: None | Some(5),
                    ..
                }
            );
            let failure = Failure::from(err);
            if limited {
                failure.with_hint(
                    "The limit is the one on registering applications (Mastodon takes 5 from one address in 10 minutes), and a sign-in asking for scopes tootkit's application there lacks registers it again: after the wait, ask for every scope needed in one sign-in, such as `--scopes read,write,follow`.",
                )
            } else {
                failure
            }
        })?;
    if lacked_scopes {
        errln!(
            "Registered tootkit on {authority} again, with {to_register}: the application registered there before was not registered with the scopes asked for."
        );
    }
    let store = store_app(context, &authority, &app.credentials())?;
    profiles.apps.insert(
        authority,
        AppRecord {
            instance: client.base_url().to_string(),
            client_id: app.client_id.clone(),
            name: app.application.name.clone(),
            scopes: to_register.to_string(),
            redirect_uris: app
                .application
                .registered_redirect_uris()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            store,
        },
    );
    profiles.save(&context.paths)?;
    Ok((app.credentials(), store))
}

/// Keeps an application's client ID and secret, where the keyring or the file takes it.
fn store_app(context: &Context, authority: &str, app: &AppCredentials) -> Result<StoreKind> {
    let stored = StoredApp {
        client_id: app.client_id.clone(),
        client_secret: app.client_secret.clone(),
    };
    let text = serde_json::to_string(&stored).map_err(|err| {
        Failure::bug(format_args!(
            "The application's credentials could not be encoded ({err})"
        ))
    })?;
    context
        .secrets
        .store(&app_key(authority, &app.client_id), &text)
}

/// The client ID and secret kept for the application registered on `authority`.
fn read_app(
    context: &Context,
    authority: &str,
    client_id: &str,
    store: StoreKind,
) -> Result<Option<AppCredentials>> {
    Ok(context
        .secrets
        .get(store, &app_key(authority, client_id))?
        .and_then(|text| serde_json::from_str::<StoredApp>(&text).ok())
        .map(|stored| AppCredentials::new(stored.client_id, stored.client_secret)))
}

/// The application a profile's token was issued to, if tootkit registered it.
fn app_of(context: &Context, profile: &Profile) -> Result<Option<AppCredentials>> {
    let Some(app) = &profile.app else {
        return Ok(None);
    };
    let authority = InstanceUrl::parse(&profile.instance)?.authority();
    read_app(context, &authority, &app.client_id, app.store)
}

fn forget_app(context: &Context, profiles: &mut Profiles, instance: &InstanceUrl) -> Result<()> {
    if let Some(record) = profiles.apps.remove(&instance.authority()) {
        context.secrets.delete(
            record.store,
            &app_key(&instance.authority(), &record.client_id),
        )?;
        profiles.save(&context.paths)?;
    }
    Ok(())
}

async fn obtain_token(
    client: &Client,
    server: &ServerMetadata,
    app: &AppCredentials,
    scopes: &Scopes,
    args: &LoginArgs,
) -> std::result::Result<Token, tootkit::Error> {
    if args.password {
        let username = match &args.username {
            Some(username) => username.clone(),
            None => prompt_line(
                "Email address: ",
                "email address",
                "give it with --username EMAIL",
            )
            .map_err(into_input)?,
        };
        let password = prompt_secret("Password: ", args.username.is_some()).map_err(into_input)?;
        return client
            .oauth()
            .password_grant(server, app, &username, &password, scopes)
            .await;
    }
    if args.oob {
        let request = AuthorizationRequest::new(&app.client_id, OOB_REDIRECT_URI, scopes.clone())
            .force_login(args.force_login);
        let url = request.url(server);
        show_url(
            url.as_str(),
            args.no_browser,
            "then paste the code it shows here",
        );
        let code = prompt_line(
            "Code: ",
            "authorization code",
            "paste the code the page shows after you authorize, or pipe it in",
        )
        .map_err(into_input)?;
        let code = AuthorizationCode::from_pasted(&code);
        if code.is_empty() {
            return Err(into_input(Failure::usage(
                "What was pasted held no code (only quotes or a `Bearer`); paste the code the page shows after you authorize.",
            )));
        }
        return client.oauth().exchange_code(app, &request, code).await;
    }
    let receiver = LoopbackReceiver::bind().await?;
    let request =
        AuthorizationRequest::new(&app.client_id, &receiver.redirect_uri(), scopes.clone())
            .force_login(args.force_login);
    let url = request.url(server);
    let opened = show_url(
        url.as_str(),
        args.no_browser,
        "tootkit is waiting for the redirect",
    );
    if !opened {
        // Over SSH, say: the browser is elsewhere, and 127.0.0.1 is not this machine there.
        errln!(
            "(A browser on another machine cannot reach this one's redirect; there, stop with Ctrl-C and sign in with `tootkit auth login --oob`.)"
        );
    }
    let code = receiver
        .receive(request.state(), Duration::from_secs(args.timeout))
        .await?;
    client.oauth().exchange_code(app, &request, code).await
}

/// A prompt that failed is the user's input: carried as the library's input error so the
/// sign-in flow has one error type.
fn into_input(failure: Failure) -> tootkit::Error {
    tootkit::Error::InvalidInput {
        message: failure.message,
    }
}

/// Opens `url` in a browser, or prints it; whether a browser was opened.
fn show_url(url: &str, no_browser: bool, then: &str) -> bool {
    let opened = if no_browser {
        errln!("Open this address in a browser, sign in and authorize tootkit; {then}:");
        false
    } else {
        // Said after trying, so the two sentences never contradict each other.
        match open::that_detached(url) {
            Ok(()) => {
                errln!("Opened the authorization page in your browser; {then}.");
                errln!("If no browser window appeared, open this address yourself:");
                true
            }
            Err(err) => {
                // The launcher's own error repeats the whole address; the reason is enough.
                tracing::debug!(%err, "no browser");
                errln!(
                    "No browser could be opened here; open this address in one, sign in and authorize tootkit; {then}:"
                );
                false
            }
        }
    };
    errln!("{url}");
    let _ = std::io::stderr().flush();
    opened
}

/// Reads one line, prompting on a terminal; `what` names it when none comes through a
/// pipe, where no prompt was shown, and `advice` says what to do then.
fn prompt_line(prompt: &str, what: &str, advice: &str) -> Result<String> {
    let stdin = std::io::stdin();
    let asked = stdin.is_terminal();
    if asked {
        let _ = write!(std::io::stderr(), "{prompt}");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line).map_err(|err| {
        Failure::usage(format!(
            "Standard input could not be read ({err}); {advice}."
        ))
    })?;
    let line = line.trim().to_owned();
    if asked && read == 0 {
        // Ctrl-D ends the input without ending the prompt's line.
        let _ = writeln!(std::io::stderr());
    }
    if read == 0 || line.is_empty() {
        return Err(Failure::usage(if asked {
            format!("Nothing was entered; {advice}.")
        } else {
            format!("No {what} was given, and standard input had none; {advice}.")
        }));
    }
    Ok(line)
}

/// Reads a secret at the terminal without echo; `what` names it and `advice` says what to
/// do when none comes.
fn read_hidden(prompt: &str, what: &str, advice: &str) -> Result<String> {
    // rpassword turns echo and the terminal's own Ctrl-C off, and at a typed Ctrl-C
    // raises SIGINT before it turns them on again, which would end the process with the
    // terminal left mute: for as long as the prompt lasts, an interruption puts the
    // terminal back first.
    let read = {
        let _guard = interruption::RestoresTerminal::install();
        rpassword::prompt_password(prompt)
    };
    read.map_err(|err| {
        // Ctrl-D ends the input without ending the prompt's line.
        let _ = writeln!(std::io::stderr());
        Failure::usage(if err.kind() == std::io::ErrorKind::UnexpectedEof {
            format!("Nothing was entered; {advice}.")
        } else {
            format!("The {what} could not be read from the terminal ({err}); {advice}.")
        })
    })
}

/// An interruption at a prompt that changed the terminal's settings.
mod interruption {
    /// While it lives, SIGINT puts the terminal's settings back as they were when it was
    /// installed and ends the process as an interrupted one (128 + SIGINT); dropped, the
    /// signal does what it did before.
    pub struct RestoresTerminal {
        #[cfg(unix)]
        before: Option<libc::sigaction>,
    }

    #[cfg(unix)]
    mod saved {
        use std::sync::OnceLock;

        /// The terminal and its settings before the prompt: read in the signal handler,
        /// which may only load what was stored before it could run.
        pub static TERMINAL: OnceLock<(std::fs::File, libc::termios)> = OnceLock::new();

        pub extern "C" fn on_interrupt(_signal: libc::c_int) {
            use std::os::fd::AsRawFd;
            // A Ctrl-C read by rpassword, its echo off, comes after it ended the prompt's
            // line; one the terminal sent before rpassword took it over has not.
            let mut line_ended = false;
            if let Some((tty, settings)) = TERMINAL.get() {
                let mut now = std::mem::MaybeUninit::<libc::termios>::uninit();
                // SAFETY: tcgetattr, tcsetattr, write and _exit are async-signal-safe;
                // `now` is read only once tcgetattr filled it in, and the settings came
                // from tcgetattr on this descriptor, open for the process's life.
                unsafe {
                    line_ended = libc::tcgetattr(tty.as_raw_fd(), now.as_mut_ptr()) == 0
                        && now.assume_init().c_lflag & libc::ECHO == 0;
                    libc::tcsetattr(tty.as_raw_fd(), libc::TCSANOW, settings);
                }
            }
            if !line_ended {
                unsafe { libc::write(2, b"\n".as_ptr().cast(), 1) };
            }
            unsafe { libc::_exit(crate::failure::Exit::Interrupted as libc::c_int) }
        }
    }

    impl RestoresTerminal {
        #[cfg(unix)]
        pub fn install() -> Self {
            use std::os::fd::AsRawFd;
            if saved::TERMINAL.get().is_none() {
                let Ok(tty) = std::fs::File::open("/dev/tty") else {
                    return Self { before: None };
                };
                let mut settings = std::mem::MaybeUninit::<libc::termios>::uninit();
                // SAFETY: the descriptor is open, and `settings` is read only after
                // tcgetattr said it filled it in.
                if unsafe { libc::tcgetattr(tty.as_raw_fd(), settings.as_mut_ptr()) } != 0 {
                    return Self { before: None };
                }
                let _ = saved::TERMINAL.set((tty, unsafe { settings.assume_init() }));
            }
            // SAFETY: a zeroed sigaction is a valid one to fill in; the handler only
            // makes async-signal-safe calls.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = saved::on_interrupt as *const () as libc::sighandler_t;
                libc::sigemptyset(&mut action.sa_mask);
                let mut before: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(libc::SIGINT, &action, &mut before) != 0 {
                    return Self { before: None };
                }
                Self {
                    before: Some(before),
                }
            }
        }

        #[cfg(not(unix))]
        pub fn install() -> Self {
            Self {}
        }
    }

    impl Drop for RestoresTerminal {
        fn drop(&mut self) {
            #[cfg(unix)]
            if let Some(before) = &self.before {
                // SAFETY: `before` is the action sigaction reported for SIGINT.
                unsafe { libc::sigaction(libc::SIGINT, before, std::ptr::null_mut()) };
            }
        }
    }
}

/// Reads a secret without echo on a terminal, or one line of piped input (`alone`:
/// nothing else is piped before it).
fn prompt_secret(prompt: &str, alone: bool) -> Result<Password> {
    if std::io::stdin().is_terminal() {
        let secret = read_hidden(
            prompt,
            "password",
            "pipe it on standard input, or give it at the prompt",
        )?;
        return Ok(Password::new(secret));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|err| {
            Failure::usage(format!(
                "The password could not be read from standard input ({err}); type it at the prompt instead, without redirecting input."
            ))
        })?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err(Failure::usage(if alone {
            "No password was entered; pipe it on standard input, or leave input alone to type it at the prompt."
        } else {
            // Piped in alone, the password was read as the email address.
            "No password was entered; pipe the email address and the password on two lines, or give the address with --username EMAIL and pipe the password alone."
        }));
    }
    Ok(Password::new(password))
}

pub async fn status(context: &Context) -> Result<()> {
    let profiles = context.profiles()?;
    // What keeps the credentials in use from being tried (half of them in the
    // environment, a token gone from its store) is said after the profiles are listed.
    let (env, mut untried) = match super::environment_credentials() {
        Ok(env) => (env, None),
        Err(failure) => (None, Some(failure)),
    };
    let selected = profiles.select(context.profile.as_deref());
    let active = match (&env, &untried, &selected) {
        (Some(_), _, _) => Some(Source::Environment),
        (None, None, Ok((name, _))) => Some(Source::Profile(name.clone())),
        _ => None,
    };
    let verified = match &active {
        Some(_) => match context.client() {
            Ok(client) => Some(client.accounts().verify_credentials().await),
            Err(failure) => {
                untried = Some(failure);
                None
            }
        },
        None => None,
    };
    // The profile used without --profile: the default, or the only one there is.
    let default = profiles.select(None).ok().map(|(name, _)| name);
    // A token refused only the reading of its account (403) works: it lacks the scope.
    // Only a 401 says it does not; an unreachable server says nothing either way.
    let token_valid = verified.as_ref().and_then(|verified| match verified {
        Ok(_) => Some(true),
        Err(err) if err.is_scope_refusal() => Some(true),
        Err(tootkit::Error::Unauthorized { .. }) => Some(false),
        Err(_) => None,
    });
    // Why no credentials work, if none do: the answer is the same with --json.
    let (account, outcome) = match (&active, verified) {
        (Some(_), Some(Ok(account))) => (Some(account), Ok(())),
        (Some(_), Some(Err(err))) if err.is_scope_refusal() => (None, Ok(())),
        (Some(_), Some(Err(err))) => (None, Err(Failure::from(err))),
        // Why no credentials are in use: they could not be tried, none are stored,
        // several and no default, or no profile of the name given.
        _ => (
            None,
            Err(untried.or(selected.err()).unwrap_or_else(|| {
                Failure::auth(
                    "You are not signed in; run `tootkit auth login --instance HOST`, or set MASTODON_API_BASE_URL and MASTODON_ACCESS_TOKEN.",
                )
            })),
        ),
    };
    if context.json {
        let listed: Vec<_> = profiles
            .profiles
            .iter()
            .map(|(name, p)| {
                // Unknown (a token made elsewhere, one that may not read its
                // account): null, not an empty string.
                let known = |text: &str| (!text.is_empty()).then(|| text.to_owned());
                serde_json::json!({
                    "profile": name, "instance": p.instance, "acct": known(&p.account),
                    "scopes": known(&p.scopes), "store": p.store,
                })
            })
            .collect();
        context.print_json(&serde_json::json!({
            // The profile in use, if one is; the environment apart, so that no profile's
            // name can be mistaken for it.
            "active": match &active {
                Some(Source::Profile(name)) => serde_json::json!(name),
                _ => serde_json::Value::Null,
            },
            "environment": matches!(active, Some(Source::Environment)),
            "token_valid": token_valid,
            "default": default,
            "profiles": listed,
        }))?;
        return outcome;
    }
    if let Some((base, _)) = &env {
        outln!(
            "Environment: MASTODON_API_BASE_URL={base} with MASTODON_ACCESS_TOKEN set (in use; wins over profiles)"
        );
    }
    if profiles.profiles.is_empty() {
        outln!("No stored profiles.");
    }
    for (name, profile) in &profiles.profiles {
        let marker = if default.as_deref() == Some(name) {
            " (default)"
        } else {
            ""
        };
        outln!("{name}{marker}");
        if profile.account.is_empty() {
            outln!("  account:  unknown, on {}", profile.instance);
        } else {
            outln!("  account:  @{} on {}", profile.account, profile.instance);
        }
        outln!(
            "  scopes:   {}",
            if profile.scopes.is_empty() {
                "unknown"
            } else {
                &profile.scopes
            }
        );
        outln!("  token in: {}", profile.store.describe(&context.paths));
    }
    if let (Some(source), Some(true)) = (active, token_valid) {
        let from = match source {
            Source::Environment => "the environment".to_owned(),
            Source::Profile(name) => format!("profile `{name}`"),
        };
        match account {
            Some(account) => outln!("In use: {from}; the token works (@{}).", account.acct),
            None => outln!(
                "In use: {from}; the token works, but may not read its own account (no `read` or `profile` scope)."
            ),
        }
    }
    outcome
}

pub fn token(context: &Context) -> Result<()> {
    let (instance, token, source) = context.credentials()?;
    if context.json {
        return context.print_json(&serde_json::json!({
            "profile": match source {
                Source::Profile(name) => Some(name),
                Source::Environment => None,
            },
            "instance": instance.to_string(),
            "access_token": token.expose(),
        }));
    }
    outln!("{}", token.expose());
    Ok(())
}

pub fn export(context: &Context) -> Result<()> {
    let (instance, token, source) = context.credentials()?;
    // Whether the profile names an application, whose secret may be gone from the store.
    let mut registered = false;
    let app = match &source {
        Source::Profile(name) => {
            let profiles = context.profiles()?;
            match profiles.profiles.get(name) {
                Some(profile) => {
                    registered = profile.app.is_some();
                    app_of(context, profile)?
                }
                None => None,
            }
        }
        // What an earlier `eval "$(tootkit auth export)"` set goes on with the token.
        // Only one of the two set is as good as neither here: the `# no client ID…`
        // line printed below says so, rather than an error.
        Source::Environment => AppCredentials::from_env().ok().flatten(),
    };
    if context.json {
        return context.print_json(&serde_json::json!({
            "MASTODON_API_BASE_URL": instance.to_string(),
            "MASTODON_CLIENT_ID": app.as_ref().map(|a| a.client_id.clone()),
            "MASTODON_CLIENT_SECRET": app.as_ref().map(|a| a.client_secret.expose().to_owned()),
            "MASTODON_ACCESS_TOKEN": token.expose(),
        }));
    }
    if std::io::stdout().is_terminal() {
        errln!("# These are secrets: paste them only where they stay private.");
    }
    outln!(
        "export MASTODON_API_BASE_URL={}",
        shell_quote(instance.as_str())
    );
    match &app {
        Some(app) => {
            outln!("export MASTODON_CLIENT_ID={}", shell_quote(&app.client_id));
            outln!(
                "export MASTODON_CLIENT_SECRET={}",
                shell_quote(app.client_secret.expose())
            );
        }
        None if matches!(source, Source::Environment) => outln!(
            "# no client ID or secret: the token comes from MASTODON_ACCESS_TOKEN, and MASTODON_CLIENT_ID and MASTODON_CLIENT_SECRET are not both set"
        ),
        // A profile's own: another profile's pair, exported before into the same shell,
        // must not stay beside this token.
        None if registered => outln!(
            "# no client ID or secret: the application's secret is no longer in the credential store\nunset MASTODON_CLIENT_ID MASTODON_CLIENT_SECRET"
        ),
        None => outln!(
            "# no client ID or secret: this token was not obtained through `tootkit auth login`\nunset MASTODON_CLIENT_ID MASTODON_CLIENT_SECRET"
        ),
    }
    outln!(
        "export MASTODON_ACCESS_TOKEN={}",
        shell_quote(token.expose())
    );
    Ok(())
}

/// What `auth add-token` reads: a token alone (perhaps copied with its `Bearer`), or
/// the file Mastodon.py's `log_in(to_file=…)` writes — the token, the base URL, and
/// in recent versions the application's client ID and secret, a line each.
#[derive(Debug)]
struct TokenInput {
    token: AccessToken,
    instance: Option<InstanceUrl>,
    app: Option<AppCredentials>,
}

impl TokenInput {
    fn parse(text: &str) -> Result<Self> {
        // A file saved by an editor that marks UTF-8 (Windows' Notepad, say).
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect();
        let none_given = || {
            Failure::usage(
                "No token was given; pipe it in (`tootkit auth add-token --instance HOST < token.txt`) or paste it at the prompt.",
            )
        };
        let Some(first) = lines.first() else {
            return Err(none_given());
        };
        // Copied from an `Authorization: Bearer …` header or a `.env` file, it may carry
        // the scheme or quotes too.
        let token = AccessToken::from_pasted(first);
        if token.is_empty() {
            return Err(none_given());
        }
        // Tokens are ASCII letters, digits, `-` and `_`; anything else was copied along.
        if !token.expose().chars().all(|c| c.is_ascii_graphic()) {
            return Err(Failure::usage(
                "The token contains spaces, control characters or characters beyond ASCII; give the token alone, as the instance showed it.",
            ));
        }
        let unknown_shape = |lines: usize| {
            Failure::usage(format!(
                "The input has {lines} lines; give the token alone on one line, or the file Mastodon.py's log_in(to_file=…) writes (token, base URL, client ID, client secret)."
            ))
        };
        // create_app(to_file=…) writes the client ID, the secret, the base URL and the
        // app's name: a registration, no token.
        if let [_, _, base_url, ..] = lines[..]
            && lines.len() <= 4
            && InstanceUrl::parse(lines[1]).is_err()
            && let Ok(instance) = InstanceUrl::parse(base_url)
        {
            return Err(Failure::usage(format!(
                "The input is the file Mastodon.py's create_app(to_file=…) writes, an application's client ID and secret with no token; give the one log_in(to_file=…) writes, or sign in with `tootkit auth login --instance {instance}`."
            )));
        }
        let instance = match lines.get(1) {
            None => None,
            Some(line) => Some(InstanceUrl::parse(line).map_err(|_| unknown_shape(lines.len()))?),
        };
        let app = match lines[..] {
            [_] | [_, _] => None,
            [_, _, client_id, client_secret] => Some(AppCredentials::new(
                client_id,
                ClientSecret::new(client_secret),
            )),
            _ => return Err(unknown_shape(lines.len())),
        };
        Ok(Self {
            token,
            instance,
            app,
        })
    }
}

pub async fn add_token(context: &Context, args: AddTokenArgs) -> Result<()> {
    let no_instance = || {
        Failure::usage(
            "The instance the token belongs to is not known; pass it with --instance HOST.",
        )
    };
    let named = args
        .instance
        .as_deref()
        .map(InstanceUrl::parse)
        .transpose()?;
    let mut profiles = context.profiles()?;
    // A new token for a profile named with --profile: its own instance, as for login.
    let profiles_instance = match (&named, &context.profile) {
        (None, Some(name)) => profiles
            .profiles
            .get(name)
            .map(|profile| InstanceUrl::parse(&profile.instance))
            .transpose()?,
        _ => None,
    };
    let input = if std::io::stdin().is_terminal() {
        // A pasted token says nothing of its instance: asked for before the token.
        if named.is_none() && profiles_instance.is_none() {
            return Err(no_instance());
        }
        read_hidden(
            "Paste the access token: ",
            "token",
            "paste it at the prompt, or pipe it in as one line of text",
        )?
    } else {
        read_stdin("token")?
    };
    let given = TokenInput::parse(&input)?;
    let instance = match (named, given.instance) {
        (Some(named), Some(written)) if named != written => {
            return Err(Failure::usage(format!(
                "The token's file is for {} but --instance names {}; leave --instance out, or give the file of that instance.",
                written.authority(),
                named.authority()
            )));
        }
        (Some(instance), _) | (None, Some(instance)) => instance,
        (None, None) => profiles_instance.ok_or_else(no_instance)?,
    };
    let token = given.token;
    let client = context
        .client_builder(instance.clone())
        .access_token(token.clone())
        .build()?;
    let account = match client.accounts().verify_credentials().await {
        Ok(account) => Some(account),
        // A token with only the scopes a bot needs (`write:statuses`) works but may not
        // read whose it is: it is kept under the name given for it.
        Err(err) if err.is_scope_refusal() && context.profile.is_some() => None,
        Err(err) if err.is_scope_refusal() => {
            return Err(Failure::usage(
                "The token works but may not read its own account (it has neither `read` nor `profile`), so tootkit cannot name its profile; give a name with --profile NAME to store it anyway.",
            ));
        }
        // The token read from stdin, whatever the environment holds.
        Err(err) if err.is_revoked_token() => {
            return Err(Failure::auth(format!(
                "{} says the token given was revoked; make a new one (Preferences > Development) or sign in with `tootkit auth login`.",
                instance.authority()
            )));
        }
        Err(tootkit::Error::Unauthorized { .. }) => {
            return Err(Failure::auth(format!(
                "{} refused the token given; check that it was copied whole and was made on that instance.",
                instance.authority()
            )));
        }
        Err(other) => return Err(other.into()),
    };
    // Mastodon does not say which scopes a token has (the application's are only the
    // most it may have), so a token made elsewhere is stored with its scopes unknown;
    // one `auth login` obtained keeps what its profile knew, and the application that
    // can revoke it.
    let instance_text = instance.to_string();
    let (scopes, mut app) = profiles
        .profiles
        .iter()
        .find(|(name, profile)| {
            profile.instance == instance_text && holds(context, name, profile, token.expose())
        })
        .map(|(_, profile)| (profile.scopes.clone(), profile.app.clone()))
        .unwrap_or_default();
    // Mastodon.py's file names the application too, which `auth logout` revokes with.
    if let Some(written) = &given.app {
        let store = store_app(context, &instance.authority(), written)?;
        app = Some(AppRef {
            client_id: written.client_id.clone(),
            store,
        });
    }
    let known_scopes = (!scopes.is_empty()).then(|| scopes.clone());
    let (name, store) = keep_token(
        context,
        &mut profiles,
        &instance,
        account.as_ref(),
        &token,
        scopes,
        app,
    )
    .await?;
    if context.json {
        return context.print_json(&serde_json::json!({
            "profile": name,
            "instance": instance.to_string(),
            "account": account,
            "scopes": known_scopes,
            "store": store,
        }));
    }
    let whose = match &account {
        Some(account) => format!("for @{}", account.acct),
        None => "(whose, it may not say)".to_owned(),
    };
    errln!(
        "The token works {whose} on {}; stored in {} under the profile `{name}`.",
        instance.authority(),
        store.describe(&context.paths)
    );
    warn_if_the_environment_wins();
    Ok(())
}

pub fn switch(context: &Context, name: Option<&str>) -> Result<()> {
    let mut profiles = context.profiles()?;
    let Some(name) = name.filter(|name| !name.trim().is_empty()) else {
        let given = if name.is_some() {
            "is empty"
        } else {
            "was not given"
        };
        return Err(Failure::usage(if profiles.profiles.is_empty() {
            format!(
                "The profile to use by default {given}, and none is stored; sign in with `tootkit auth login --instance HOST` first."
            )
        } else {
            format!(
                "The profile to use by default {given}; give one of {}, as in `tootkit auth switch NAME`.",
                profiles.quoted_names()
            )
        }));
    };
    let (name, profile) = profiles.select(Some(name))?;
    profiles.default = Some(name.clone());
    profiles.save(&context.paths)?;
    if context.json {
        return context.print_json(&serde_json::json!({
            "profile": name,
            "default": name,
            "instance": profile.instance,
            "acct": Some(&profile.account).filter(|a| !a.is_empty()),
        }));
    }
    let whose = if profile.account.is_empty() {
        "an unknown account".to_owned()
    } else {
        format!("@{}", profile.account)
    };
    errln!(
        "`{name}` ({whose} on {}) is now the default profile.",
        profile.instance
    );
    warn_if_the_environment_wins();
    Ok(())
}

/// Says so when the environment's credentials will be used instead of the profile just
/// stored, by every later command that does not name it with `--profile`.
fn warn_if_the_environment_wins() {
    if matches!(Client::env_credentials(), Ok(Some(_))) {
        errln!(
            "MASTODON_API_BASE_URL and MASTODON_ACCESS_TOKEN are set and still win over it unless a command names it with --profile; unset them to use the profile by default."
        );
    }
}

pub async fn logout(context: &Context) -> Result<()> {
    // In use unless --profile names another (TOOTKIT_PROFILE does not outrank it).
    if super::environment_credentials()?.is_some() {
        // The environment wins everywhere else, but its token was not stored by tootkit,
        // which has no application to revoke it with: logging out a stored profile
        // instead would take away a token that is not the one in use.
        return Err(Failure::usage(
            "The token in use comes from MASTODON_ACCESS_TOKEN, which tootkit did not store and cannot revoke; name a stored profile with --profile NAME to log out of it, or unset MASTODON_API_BASE_URL and MASTODON_ACCESS_TOKEN.",
        ));
    }
    let mut profiles = context.profiles()?;
    let (name, profile) = profiles.select(context.profile.as_deref())?;
    let instance = InstanceUrl::parse(&profile.instance)?;
    let token = context.secrets.get(profile.store, &token_key(&name))?;
    let app = app_of(context, &profile)?;
    // Mastodon hands the same token out again for the same app, account and scopes
    // (Doorkeeper's reuse_access_token), so another profile may hold it too.
    let sharing = token
        .as_deref()
        .map(|token| sharing(context, &profiles, &name, token))
        .unwrap_or_default();
    // Whether the server refused the token itself, when it could not be revoked: it
    // works no more (an instance that forgot it, a sandbox started afresh).
    let mut no_longer_works = false;
    // The exit code of a revocation that was tried and failed: the command did not do
    // all it was asked, and a script must hear it.
    let mut revocation_failed = None;
    // Why the token may still work after the profile is gone, if it may.
    let still_valid = match (&token, &app) {
        (Some(_), _) if !sharing.is_empty() => None,
        (Some(token), Some(app)) => {
            let client = context.client_builder(instance.clone()).build()?;
            match client
                .oauth()
                .revoke(app, &AccessToken::new(token.as_str()))
                .await
            {
                Ok(()) => None,
                // The server is unreachable or no longer knows the application: forget the
                // profile anyway, and say what is left to do.
                Err(
                    err @ (tootkit::Error::Network { .. }
                    | tootkit::Error::Timeout { .. }
                    | tootkit::Error::OAuth { .. }),
                ) => {
                    // Refused by a server that may have forgotten the application:
                    // whether it still takes the token says if anything is left to do.
                    let refused = matches!(err, tootkit::Error::OAuth { .. });
                    no_longer_works = refused
                        && refused_by_its_server(
                            context,
                            &profile,
                            &AccessToken::new(token.as_str()),
                        )
                        .await;
                    revocation_failed = Some(if refused {
                        Exit::Refused
                    } else {
                        Exit::Network
                    });
                    Some(could_not_revoke(&why_not_revoked(&err)))
                }
                Err(other) => return Err(other.into()),
            }
        }
        (None, _) => Some(
            "it was no longer in the credential store, so tootkit could not revoke it".to_owned(),
        ),
        (Some(_), None) if profile.app.is_some() => Some(SECRET_GONE.to_owned()),
        (Some(token), None) => {
            // A token made in the web interface may have been revoked there already.
            no_longer_works =
                refused_by_its_server(context, &profile, &AccessToken::new(token.as_str())).await;
            Some(MADE_ELSEWHERE.to_owned())
        }
    };
    context.secrets.delete(profile.store, &token_key(&name))?;
    profiles.profiles.remove(&name);
    let was_default = profiles.default.as_deref() == Some(name.as_str());
    let default_before = profiles.default.clone();
    if profiles
        .default
        .as_ref()
        .is_none_or(|default| !profiles.profiles.contains_key(default))
    {
        // The one profile left, if one is, is the one in use from now on: made the
        // default, and said so below.
        profiles.default = match profiles.profiles.keys().collect::<Vec<_>>()[..] {
            [only] => Some(only.clone()),
            _ => None,
        };
    }
    profiles.save(&context.paths)?;
    if let Some(app) = &profile.app {
        forget_unused_app(context, &profiles, &instance.authority(), app);
    }
    let may_still_work = !no_longer_works && (still_valid.is_some() || !sharing.is_empty());
    let still_works = |why: &str| {
        format!(
            "Forgot the profile `{name}`, but its token may still work because {why}; revoke it {}.",
            where_to_revoke(profile.app.is_some())
        )
    };
    // Forgotten, but the revocation tried failed and the token may work on: the
    // command fails with the code of what kept it from being revoked, that sentence
    // its error.
    let failure = match (revocation_failed, &still_valid) {
        (Some(exit), Some(why)) if may_still_work => Some(Failure::new(exit, still_works(why))),
        _ => None,
    };
    if context.json {
        context.print_json(&serde_json::json!({
            "profile": name,
            "instance": instance.to_string(),
            "revoked": still_valid.is_none() && sharing.is_empty(),
            "shared_with": sharing.iter().map(|s| s.trim_matches('`')).collect::<Vec<_>>(),
            "not_revoked_because": still_valid.clone().or_else(|| {
                (!sharing.is_empty()).then(|| also_use(&sharing).replace('`', ""))
            }),
            // Neither revoked nor refused by its server (which leaves nothing to
            // revoke): the token may work on.
            "may_still_work": may_still_work,
            "default": profiles.default,
        }))?;
        return failure.map_or(Ok(()), Err);
    }
    let default_note = match &profiles.default {
        Some(left) if was_default => Some(format!(
            "It was the default; `{left}`, the one profile left, is in use from now on."
        )),
        Some(left) if default_before.as_ref() != Some(left) => Some(format!(
            "`{left}`, the one profile left, is in use from now on."
        )),
        None if was_default && profiles.profiles.len() > 1 => Some(format!(
            "It was the default, and several profiles remain ({}); make one the default with `tootkit auth switch NAME`.",
            profiles.names()
        )),
        _ => None,
    };
    if let Some(failure) = failure {
        // The error comes first, and what became of the default after it.
        return Err(match default_note {
            Some(note) => failure.with_hint(note),
            None => failure,
        });
    }
    match still_valid {
        Some(why) if no_longer_works => errln!(
            "Forgot the profile `{name}`; its token {}, but it no longer works on {} either, so nothing is left to revoke.",
            why.trim_start_matches("it "),
            instance.authority()
        ),
        None if !sharing.is_empty() => errln!(
            "Forgot the profile `{name}`; its token was not revoked, as {}.",
            also_use(&sharing)
        ),
        None => errln!(
            "Revoked the token of `{name}` on {} and forgot the profile.",
            instance.authority()
        ),
        Some(why) => errln!("{}", still_works(&why)),
    }
    if let Some(note) = default_note {
        errln!("{note}");
    }
    Ok(())
}

/// A token's lifetime in the largest unit that keeps it readable ("10 minutes").
fn humantime_span(seconds: u64) -> String {
    match seconds {
        0..120 => format!("{seconds} seconds"),
        120..7_200 => format!("{} minutes", seconds / 60),
        7_200..172_800 => format!("{} hours", seconds / 3_600),
        _ => format!("{} days", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::TokenInput;

    #[test]
    fn a_token_lifetime_reads_in_its_largest_unit() {
        use super::humantime_span;
        assert_eq!(humantime_span(90), "90 seconds");
        assert_eq!(humantime_span(600), "10 minutes");
        assert_eq!(humantime_span(86_400), "24 hours");
        assert_eq!(humantime_span(2_592_000), "30 days");
    }

    #[test]
    fn add_token_reads_a_token_alone_or_mastodon_py_s_file() {
        let alone = TokenInput::parse("Bearer abc_DEF-123\n").unwrap();
        assert_eq!(alone.token.expose(), "abc_DEF-123");
        let quoted = TokenInput::parse("\"abc_DEF-123\"\n").unwrap();
        assert_eq!(quoted.token.expose(), "abc_DEF-123");
        assert!(alone.instance.is_none() && alone.app.is_none());
        let file =
            TokenInput::parse("abc\nhttps://botsin.space\nclient-id\nclient-secret\n").unwrap();
        assert_eq!(file.instance.unwrap().authority(), "botsin.space");
        let app = file.app.unwrap();
        assert_eq!(app.client_id, "client-id");
        assert_eq!(app.client_secret.expose(), "client-secret");
        let refusal = |text: &str| TokenInput::parse(text).unwrap_err().message;
        for nothing in ["", "\"\"", "Bearer", "'Bearer '"] {
            assert!(
                refusal(nothing).starts_with("No token was given"),
                "{nothing}"
            );
        }
        assert!(refusal("abc def").starts_with("The token contains spaces"));
        assert!(refusal("abc\u{200b}").starts_with("The token contains spaces"));
        let marked = TokenInput::parse("\u{feff}abc_DEF-123\r\n").unwrap();
        assert_eq!(marked.token.expose(), "abc_DEF-123");
        for wrong in ["abc\nnot an address", "a\nb\nc"] {
            let text = refusal(wrong);
            assert!(
                text.contains("or the file Mastodon.py's log_in(to_file=…) writes"),
                "{text}"
            );
            assert!(!text.contains("not an address"), "never echoed: {text}");
        }
        // What create_app(to_file=…) writes: a registration, which holds no token.
        let registration = refusal("client-id\nclient-secret\nhttps://botsin.space\npytooterapp\n");
        assert!(
            registration
                .starts_with("The input is the file Mastodon.py's create_app(to_file=…) writes")
                && registration.ends_with("`tootkit auth login --instance https://botsin.space`."),
            "{registration}"
        );
        assert!(
            !registration.contains("client-secret"),
            "never echoed: {registration}"
        );
    }
}

use tootkit::{AccessToken, Client};
use tootkit_sandbox::{AuthorizationOutcome, Sandbox, SandboxConfig, ScriptedUser};

use crate::{Home, PASSWORD, Relay, Running, USER, approve, sandbox, sandbox_with, web_token};

/// `tootkit auth login --no-browser`, with the scripted user in the browser's place.
async fn login(home: &Home, base: &str, extra: &[&str]) -> crate::Run {
    sign_in(home, &[&["--instance", base], extra].concat()).await
}

/// `tootkit auth login --no-browser` with `args`, the scripted user in the browser's place.
async fn sign_in(home: &Home, args: &[&str]) -> crate::Run {
    let mut command = home.tootkit();
    command
        .args(["-vv", "auth", "login", "--no-browser"])
        .args(args);
    let mut running = Running::spawn(command, false);
    let url = running.line_starting_with("http").await;
    let AuthorizationOutcome::Redirect(target) = approve(&url, USER, PASSWORD).await else {
        panic!("expected a redirect to the CLI's listener");
    };
    assert_eq!(target.host_str(), Some("127.0.0.1"));
    assert_eq!(
        ScriptedUser::new().unwrap().visit(&target).await.unwrap(),
        200
    );
    running.finish().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_stores_a_working_token_that_every_command_uses() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let authority = sandbox.base_url().authority();
    let home = Home::new("login");

    let signed_in = login(&home, &base, &[]).await.success();
    assert!(
        signed_in
            .stderr
            .contains(&format!("Signed in to {authority} as @{USER}")),
        "{}",
        signed_in.stderr
    );
    assert!(
        signed_in.stderr.contains(
            "A browser on another machine cannot reach this one's redirect; there, stop with Ctrl-C and sign in with `tootkit auth login --oob`."
        ),
        "{}",
        signed_in.stderr
    );
    assert_eq!(
        signed_in
            .stderr
            .matches("warning: the OS keyring could not keep the credentials")
            .count(),
        1,
        "one warning before falling back to the file, for the app and the token: {}",
        signed_in.stderr
    );
    #[cfg(unix)]
    assert_eq!(crate::mode(&home.credentials_file()), 0o600);

    let token = home
        .run(&["auth", "token"])
        .await
        .success()
        .stdout
        .trim()
        .to_owned();
    assert!(token.len() >= 32, "{token}");
    let profiles = std::fs::read_to_string(home.profiles_file()).unwrap();
    assert!(!profiles.contains(&token), "no secret in the profiles file");
    assert!(
        profiles.contains(&format!("alice@{authority}")),
        "{profiles}"
    );

    let posted = home
        .run(&["-vv", "post", "howdy universe!"])
        .await
        .success();
    let url = posted.stdout.trim();
    assert!(url.starts_with(&format!("{base}/@{USER}/")), "{url}");
    let id = url.rsplit('/').next().unwrap();
    let status = Client::new(sandbox.base_url().clone())
        .unwrap()
        .statuses()
        .get(id)
        .await
        .unwrap();
    assert_eq!(status.content, "<p>howdy universe!</p>");
    assert_eq!(status.application.unwrap().name, "tootkit");

    let json = home
        .run(&[
            "post",
            "--json",
            "--visibility",
            "unlisted",
            "--cw",
            "spoilers",
            "--language",
            "fr",
            "second",
        ])
        .await
        .success();
    let status: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(status["visibility"], "unlisted");
    assert_eq!(status["spoiler_text"], "spoilers");
    assert_eq!(status["language"], "fr");
    // A language Mastodon does not know is sent (another server may), with a word that
    // Mastodon files the post under the account's default.
    let unknown = home
        .run(&["post", "--json", "--language", "gn", "Mba'éichapa"])
        .await
        .success();
    assert!(
        unknown.stderr.contains(
            "warning: Mastodon does not know the language `gn` and files a post in it under the account's default language; other servers may know it."
        ),
        "{}",
        unknown.stderr
    );
    let status: serde_json::Value = serde_json::from_str(&unknown.stdout).unwrap();
    assert_eq!(status["language"], "en");
    let reply = home
        .run(&["post", "--reply-to", status["id"].as_str().unwrap(), "-"])
        .await;
    assert_eq!(
        reply.code, 2,
        "`-` with nothing piped in is an empty text: {reply:?}"
    );
    // A direct post that mentions no one is allowed, with a word that no one will see it.
    let note = home
        .run(&["post", "--visibility", "direct", "a note to self"])
        .await
        .success();
    assert!(
        note.stderr.contains(
            "warning: the text is direct and mentions no one, so no one but its author will see it."
        ),
        "{}",
        note.stderr
    );
    // A warning without a text would be posted as the text, openly: refused.
    let bare_warning = home
        .run(&["post", "--cw", "spoilers", " "])
        .await
        .failure(2);
    assert!(
        bare_warning.stderr.starts_with(
            "error: The text is empty, and Mastodon would post the content warning as the text"
        ),
        "{}",
        bare_warning.stderr
    );
    let reply = home
        .run_with_input(
            &["post", "--reply-to", status["id"].as_str().unwrap(), "-"],
            "from stdin\n",
        )
        .await
        .success();
    assert!(reply.stdout.starts_with(&base));

    let whoami = home.run(&["whoami"]).await.success();
    assert!(
        whoami.stdout.starts_with(&format!("@{USER}@{authority}")),
        "{}",
        whoami.stdout
    );
    let status = home.run(&["-v", "auth", "status"]).await.success();
    assert!(
        status
            .stdout
            .contains(&format!("alice@{authority} (default)")),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("the token works (@alice)"),
        "{}",
        status.stdout
    );
    let exported = home.run(&["auth", "export"]).await.success();
    assert!(
        exported
            .stdout
            .contains(&format!("export MASTODON_API_BASE_URL='{base}'")),
        "{}",
        exported.stdout
    );
    assert!(
        exported
            .stdout
            .contains(&format!("export MASTODON_ACCESS_TOKEN='{token}'"))
    );
    assert!(exported.stdout.contains("export MASTODON_CLIENT_ID='"));
    assert!(exported.stdout.contains("export MASTODON_CLIENT_SECRET='"));

    let client_secret = exported
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix("export MASTODON_CLIENT_SECRET="))
        .map(|quoted| quoted.trim_matches('\'').to_owned())
        .unwrap();
    assert!(client_secret.len() >= 20, "{client_secret}");

    // No token in any output that did not ask for it, logs included.
    for run in [&signed_in, &posted, &whoami, &status] {
        assert!(!run.all().contains(&token), "the token leaked: {run:#?}");
        assert!(
            !run.all().contains(&client_secret),
            "the client secret leaked: {run:#?}"
        );
    }

    // A second sign-in reuses the registered application; its most verbose log (every
    // request of the HTTP stack) shows neither secret.
    let credentials_before = std::fs::read_to_string(home.credentials_file()).unwrap();
    let again = login(&home, &base, &["--force-login", "-vvv"])
        .await
        .success();
    assert!(
        again.stderr.contains(" TRACE "),
        "the HTTP stack's log: {}",
        again.stderr
    );
    for secret in [&token, &client_secret] {
        assert!(!again.all().contains(secret.as_str()), "leaked: {again:#?}");
    }
    let credentials_after = std::fs::read_to_string(home.credentials_file()).unwrap();
    let app_lines = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.contains("app:"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        app_lines(&credentials_before).len(),
        1,
        "{credentials_before}"
    );
    assert_eq!(
        app_lines(&credentials_before),
        app_lines(&credentials_after),
        "one application, the same client ID and secret"
    );
    let second_token = home
        .run(&["auth", "token"])
        .await
        .success()
        .stdout
        .trim()
        .to_owned();

    let logout = home.run(&["auth", "logout"]).await.success();
    assert!(
        logout.stderr.contains("Revoked the token"),
        "{}",
        logout.stderr
    );
    let revoked = Client::builder(sandbox.base_url().clone())
        .access_token(AccessToken::new(second_token.clone()))
        .build()
        .unwrap()
        .accounts()
        .verify_credentials()
        .await;
    assert!(
        matches!(revoked, Err(tootkit::Error::Unauthorized { .. })),
        "{revoked:?}"
    );
    assert!(
        !std::fs::read_to_string(home.credentials_file())
            .unwrap()
            .contains(&second_token)
    );
    let gone = home.run(&["whoami"]).await.failure(3);
    assert!(
        gone.stderr.contains("You are not signed in"),
        "{}",
        gone.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_is_met_with_the_command_that_signs_in_again() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("revoked");
    login(&home, &base, &[]).await.success();
    // Revoked elsewhere (the web interface's Authorized apps, say).
    let exported = home.run(&["auth", "export"]).await.success().stdout;
    let value = |name: &str| {
        exported
            .lines()
            .find_map(|l| l.strip_prefix(&format!("export {name}=")))
            .unwrap()
            .trim_matches('\'')
            .to_owned()
    };
    let app = tootkit::AppCredentials::new(
        value("MASTODON_CLIENT_ID"),
        tootkit::ClientSecret::new(value("MASTODON_CLIENT_SECRET")),
    );
    Client::new(sandbox.base_url().clone())
        .unwrap()
        .oauth()
        .revoke(&app, &AccessToken::new(value("MASTODON_ACCESS_TOKEN")))
        .await
        .unwrap();
    let refused = home.run(&["whoami"]).await.failure(3);
    assert!(
        refused.stderr.starts_with(
            "error: The server refused the access token (\u{201c}The access token was revoked\u{201d}); get a new one by signing in again or in the web interface's Development settings."
        ),
        "{}",
        refused.stderr
    );
    // The profile was named after the account: the advice names it, and that command
    // signs in again on its instance.
    let profile = format!("{USER}@{}", sandbox.base_url().authority());
    assert!(
        refused.stderr.contains(&format!(
            "Run `tootkit --profile {profile} auth login` to sign in again, or `tootkit --profile {profile} auth add-token` to store a new token."
        )),
        "{}",
        refused.stderr
    );
    // Added by hand, the revoked token is said to be revoked, not perhaps mistyped.
    let added = home
        .run_with_input(
            &[
                "--profile",
                "again",
                "auth",
                "add-token",
                "--instance",
                &base,
            ],
            &format!("{}\n", value("MASTODON_ACCESS_TOKEN")),
        )
        .await
        .failure(3);
    assert!(
        added
            .stderr
            .contains("says the token given was revoked; make a new one"),
        "{}",
        added.stderr
    );
    sign_in(&home, &["--profile", &profile]).await.success();
    home.run(&["whoami"]).await.success();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_out_of_an_instance_out_of_reach_forgets_and_says_what_is_left() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let authority = sandbox.base_url().authority();
    let home = Home::new("out-of-reach");
    login(&home, &base, &[]).await.success();
    let _refusing = crate::out_of_reach(sandbox).await;
    // Forgotten, but not revoked: a failure a script hears (the network's code).
    let logout = home.run(&["auth", "logout"]).await.failure(5);
    assert!(
        logout.stderr.starts_with(&format!(
            "error: Forgot the profile `{USER}@{authority}`, but its token may still work because it could not be revoked ({authority} could not be reached); revoke it"
        )),
        "{}",
        logout.stderr
    );
    home.run(&["whoami"]).await.failure(3);

    // A server that forgot tootkit's registration (a fresh sandbox on the same port)
    // refuses the revocation, said in a few words inside the sentence, and the token
    // too: nothing is left to revoke.
    let sandbox = crate::sandbox().await;
    let relay = Relay::start(&sandbox).await;
    let addr = relay.addr();
    login(&home, &relay.base_url(), &[]).await.success();
    sandbox.stop().await;
    let fresh = crate::sandbox().await;
    relay.switch_to(&fresh);
    let logout = home.run(&["auth", "logout"]).await.success();
    assert!(
        logout.stderr.starts_with(&format!(
            "Forgot the profile `{USER}@{addr}`; its token could not be revoked (the server refused it: "
        )) && logout.stderr.contains(&format!(
            "), but it no longer works on {addr} either, so nothing is left to revoke."
        )),
        "{}",
        logout.stderr
    );
    assert!(!logout.stderr.contains("(The server"), "{}", logout.stderr);
    assert!(
        !logout.stderr.contains("may still work"),
        "{}",
        logout.stderr
    );
    // The same with --json, for a script: not revoked, and working no more.
    let sandbox = crate::sandbox().await;
    let relay = Relay::start(&sandbox).await;
    login(&home, &relay.base_url(), &[]).await.success();
    sandbox.stop().await;
    let fresh = crate::sandbox().await;
    relay.switch_to(&fresh);
    let said = home.run(&["--json", "auth", "logout"]).await.success();
    let said: serde_json::Value = serde_json::from_str(&said.stdout).unwrap();
    assert_eq!(said["revoked"], false, "{said}");
    assert_eq!(said["may_still_work"], false, "{said}");

    // Out of reach with another profile left: the error first, then which profile is
    // in use from now on.
    let sandbox = crate::sandbox().await;
    let base = sandbox.base_url().to_string();
    let authority = sandbox.base_url().authority();
    let home = Home::new("out-of-reach-two");
    login(&home, &base, &[]).await.success();
    // Other scopes, so another token (Mastodon would hand the same one out again).
    login(&home, &base, &["--profile", "other", "--scopes", "read"])
        .await
        .success();
    let _refusing = crate::out_of_reach(sandbox).await;
    let logout = home.run(&["auth", "logout"]).await.failure(5);
    assert!(
        logout.stderr.starts_with(&format!(
            "error: Forgot the profile `{USER}@{authority}`, but its token may still work"
        )) && logout.stderr.ends_with(
            "hint: It was the default; `other`, the one profile left, is in use from now on.\n"
        ),
        "{}",
        logout.stderr
    );
}

/// Mastodon lets an application ask only for the scopes it was registered with, word for
/// word: asking for others registers tootkit again, said; and the limit on registrations
/// is named when it stops one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_the_application_lacks_register_it_again_within_the_server_s_limit() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let authority = sandbox.base_url().authority();
    let home = Home::new("register-again");
    let first = login(&home, &base, &[]).await.success();
    assert!(
        !first.stderr.contains("Registered tootkit"),
        "{}",
        first.stderr
    );
    let covered = login(&home, &base, &["--profile", "reader", "--scopes", "read"])
        .await
        .success();
    assert!(
        !covered.stderr.contains("Registered tootkit"),
        "{}",
        covered.stderr
    );
    let granular = login(
        &home,
        &base,
        &["--profile", "poster", "--scopes", "write:statuses"],
    )
    .await
    .success();
    assert!(
        granular.stderr.contains(&format!(
            "Registered tootkit on {authority} again, with read write write:statuses profile: the application registered there before was not registered with the scopes asked for.\n"
        )),
        "{}",
        granular.stderr
    );
    home.run(&["--profile", "poster", "post", "granular"])
        .await
        .success();

    // Three more registrations from this address use up the sandbox's five in ten
    // minutes, as Mastodon's.
    let client = Client::new(sandbox.base_url().clone()).unwrap();
    for _ in 0..3 {
        client.apps().register("another").send().await.unwrap();
    }
    let limited = home
        .run(&[
            "--profile",
            "follower",
            "auth",
            "login",
            "--no-browser",
            "--instance",
            &base,
            "--scopes",
            "read,write,follow",
        ])
        .await
        .failure(4);
    assert!(
        limited
            .stderr
            .starts_with("error: The server's rate limit is used up; wait")
            && limited.stderr.contains(
                "hint: The limit is the one on registering applications (Mastodon takes 5 from one address in 10 minutes), and a sign-in asking for scopes tootkit's application there lacks registers it again: after the wait, ask for every scope needed in one sign-in, such as `--scopes read,write,follow`."
            ),
        "{}",
        limited.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_out_of_band_takes_the_pasted_code() {
    let sandbox = sandbox().await;
    let home = oob_login_with_granular_scopes(&sandbox, "oob").await;
    let status = home.run(&["auth", "status"]).await.success();
    assert!(
        status.stdout.contains("scopes:   write:statuses profile"),
        "profile added to verify the account: {}",
        status.stdout
    );
    home.run(&["post", "granular scopes are enough"])
        .await
        .success();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_works_on_servers_from_before_mastodon_4_3() {
    // No OAuth metadata, no `profile` scope, redirect URIs only as one string.
    let sandbox = sandbox_with(SandboxConfig::in_memory().before_4_3(true)).await;
    let home = oob_login_with_granular_scopes(&sandbox, "pre-4.3").await;
    let status = home.run(&["auth", "status"]).await.success();
    assert!(
        status
            .stdout
            .contains("scopes:   write:statuses read:accounts"),
        "read:accounts, which older servers know, added to verify the account: {}",
        status.stdout
    );
    home.run(&["post", "an older server"]).await.success();
    // The registration is kept and reused, though the server did not list its URIs.
    let registered = std::fs::read_to_string(home.profiles_file()).unwrap();
    oob_login_at_home(&sandbox, &home).await;
    assert_eq!(
        std::fs::read_to_string(home.profiles_file())
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("client_id"))
            .collect::<Vec<_>>(),
        registered
            .lines()
            .filter(|l| l.starts_with("client_id"))
            .collect::<Vec<_>>(),
        "{registered}"
    );
}

/// Signs in with `--oob --scopes write:statuses`, pasting the code the sandbox shows
/// (in quotes).
async fn oob_login_with_granular_scopes(sandbox: &Sandbox, name: &str) -> Home {
    let home = Home::new(name);
    oob_login_at_home(sandbox, &home).await;
    home
}

/// [`oob_login_with_granular_scopes`] in a given home.
async fn oob_login_at_home(sandbox: &Sandbox, home: &Home) {
    let mut command = home.tootkit();
    command.args([
        "auth",
        "login",
        "--oob",
        "--no-browser",
        "--instance",
        &sandbox.base_url().to_string(),
        "--scopes",
        "write:statuses",
    ]);
    let mut running = Running::spawn(command, true);
    let url = running.line_starting_with("http").await;
    assert!(
        url.contains("redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob"),
        "{url}"
    );
    let AuthorizationOutcome::Code(code) = approve(&url, USER, PASSWORD).await else {
        panic!("expected the code page");
    };
    {
        use std::io::Write;
        let mut stdin = running.child.stdin.take().unwrap();
        // Copied with the quotes around it, as a terminal or a chat may give it.
        writeln!(stdin, " \"{}\"", code.expose()).unwrap();
    }
    let done = running.finish().await.success();
    assert!(
        !done.all().contains(code.expose()),
        "the code is not echoed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_login_is_refused_by_modern_servers_and_works_on_legacy_ones() {
    let modern = sandbox().await;
    let home = Home::new("password");
    let refused = home
        .run_with_input(
            &[
                "auth",
                "login",
                "--password",
                "--username",
                "alice@localhost",
                "--instance",
                &modern.base_url().to_string(),
            ],
            &format!("{PASSWORD}\n"),
        )
        .await
        .failure(3);
    assert!(
        refused
            .stderr
            .contains("Mastodon removed the password grant in 4.4"),
        "{}",
        refused.stderr
    );
    let what_works = "hint: Run the same `tootkit auth login` without --password to sign in through the browser (--oob if none is at hand), or store a token made in the web interface with `tootkit auth add-token`.";
    assert!(refused.stderr.contains(what_works), "{}", refused.stderr);
    // A server publishing no metadata is asked, and its refusal ends the same way.
    let silent = sandbox_with(SandboxConfig::in_memory().before_4_3(true)).await;
    let refused = home
        .run_with_input(
            &[
                "auth",
                "login",
                "--password",
                "--username",
                "alice@localhost",
                "--instance",
                &silent.base_url().to_string(),
            ],
            &format!("{PASSWORD}\n"),
        )
        .await
        .failure(3);
    assert!(
        refused
            .stderr
            .contains("The server does not support this way of signing in"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains(what_works), "{}", refused.stderr);

    let legacy = sandbox_with(SandboxConfig::in_memory().legacy_password_grant(true)).await;
    let wrong = home
        .run_with_input(
            &[
                "auth",
                "login",
                "--password",
                "--username",
                "alice@localhost",
                "--instance",
                &legacy.base_url().to_string(),
            ],
            "not the password\n",
        )
        .await
        .failure(3);
    assert!(
        wrong.stderr.contains("refused the user name or password"),
        "{}",
        wrong.stderr
    );
    assert!(!wrong.all().contains("not the password"));
    // The password piped alone, without --username, is read as the address: nothing
    // is left for the password, and that is said before a token is asked for.
    let alone = home
        .run_with_input(
            &[
                "auth",
                "login",
                "--password",
                "--instance",
                &legacy.base_url().to_string(),
            ],
            &format!("{PASSWORD}\n"),
        )
        .await
        .failure(2);
    assert!(
        alone.stderr.contains(
            "No password was entered; pipe the email address and the password on two lines"
        ),
        "{}",
        alone.stderr
    );
    let empty = home
        .run_with_input(
            &[
                "auth",
                "login",
                "--password",
                "--username",
                "alice@localhost",
                "--instance",
                &legacy.base_url().to_string(),
            ],
            "",
        )
        .await
        .failure(2);
    assert!(
        empty
            .stderr
            .contains("No password was entered; pipe it on standard input"),
        "{}",
        empty.stderr
    );
    home.run_with_input(
        &[
            "auth",
            "login",
            "--password",
            "--username",
            "alice@localhost",
            "--instance",
            &legacy.base_url().to_string(),
        ],
        &format!("{PASSWORD}\n"),
    )
    .await
    .success();
    home.run(&["whoami"]).await.success();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_token_stores_a_web_token_and_the_environment_wins_over_profiles() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("add-token");
    let alice = web_token(&sandbox, USER, PASSWORD, "read write").await;
    // As copied from an `Authorization` header, scheme and all.
    let added = home
        .run_with_input(
            &["auth", "add-token", "--instance", &base],
            &format!("Bearer {}\n", alice.expose()),
        )
        .await
        .success();
    assert!(
        added.stderr.contains("The token works for @alice"),
        "{}",
        added.stderr
    );
    assert!(!added.all().contains(alice.expose()));
    assert_eq!(
        home.run(&["auth", "token"]).await.success().stdout.trim(),
        alice.expose()
    );

    let bob = web_token(&sandbox, "bob", "bobs password", "read write").await;
    let mut command = home.tootkit();
    command
        .args(["whoami"])
        .env("MASTODON_API_BASE_URL", &base)
        .env("MASTODON_ACCESS_TOKEN", bob.expose());
    let whoami = crate::run(command, None).await.success();
    assert!(
        whoami.stdout.starts_with("@bob@"),
        "the environment wins: {}",
        whoami.stdout
    );
    // Over the default profile and TOOTKIT_PROFILE, but not over a profile named with
    // --profile on the command line.
    let alices_profile = format!("alice@{}", sandbox.base_url().authority());
    let mut command = home.tootkit_as(&base, bob.expose());
    command
        .args(["whoami"])
        .env("TOOTKIT_PROFILE", &alices_profile);
    let whoami = crate::run(command, None).await.success();
    assert!(whoami.stdout.starts_with("@bob@"), "{}", whoami.stdout);
    let mut command = home.tootkit_as(&base, bob.expose());
    command.args(["whoami", "--profile", &alices_profile]);
    let whoami = crate::run(command, None).await.success();
    assert!(
        whoami.stdout.starts_with("@alice@"),
        "the profile named wins: {}",
        whoami.stdout
    );
    let mut command = home.tootkit_as(&base, bob.expose());
    command.args(["--profile", "nobody", "auth", "token"]);
    let unknown = crate::run(command, None).await.failure(2);
    assert!(
        unknown
            .stderr
            .contains("There is no profile named `nobody`; the one profile is `alice@"),
        "{}",
        unknown.stderr
    );
    // The account's name alone points to the profile tootkit named after it.
    let shortened = home.run(&["--profile", "alice", "whoami"]).await.failure(2);
    assert!(
        shortened.stderr.contains(&format!(
            "There is no profile named `alice`; pass the whole name `{alices_profile}` if that is the one meant, or sign in under this name with `tootkit --profile alice auth login --instance HOST`."
        )),
        "{}",
        shortened.stderr
    );
    let mut command = home.tootkit();
    command
        .args(["auth", "token"])
        .env("MASTODON_API_BASE_URL", &base)
        .env("MASTODON_ACCESS_TOKEN", bob.expose());
    assert_eq!(
        crate::run(command, None).await.success().stdout.trim(),
        bob.expose()
    );
    // Which credentials are in use, said with --json: no profile for the environment's.
    let mut command = home.tootkit_as(&base, bob.expose());
    command.args(["--json", "auth", "token"]);
    let said: serde_json::Value =
        serde_json::from_str(&crate::run(command, None).await.success().stdout).unwrap();
    assert_eq!(
        said.get("profile"),
        Some(&serde_json::Value::Null),
        "{said}"
    );
    assert_eq!(said["access_token"], bob.expose(), "{said}");
    let said: serde_json::Value = serde_json::from_str(
        &home
            .run(&["--json", "--profile", &alices_profile, "auth", "token"])
            .await
            .success()
            .stdout,
    )
    .unwrap();
    assert_eq!(said["profile"], alices_profile.as_str(), "{said}");
    let mut command = home.tootkit_as(&base, bob.expose());
    command.args(["--json", "auth", "status"]);
    let status: serde_json::Value =
        serde_json::from_str(&crate::run(command, None).await.success().stdout).unwrap();
    assert_eq!(
        (status.get("active"), status.get("environment")),
        (
            Some(&serde_json::Value::Null),
            Some(&serde_json::Value::Bool(true))
        ),
        "{status}"
    );
    let mut command = home.tootkit_as(&base, bob.expose());
    command.args(["auth", "export"]);
    let exported = crate::run(command, None).await.success().stdout;
    assert!(
        exported.contains("# no client ID or secret: the token comes from MASTODON_ACCESS_TOKEN, and MASTODON_CLIENT_ID and MASTODON_CLIENT_SECRET are not both set")
            && exported
                .lines()
                .any(|line| line.starts_with("export MASTODON_ACCESS_TOKEN=") && line.contains(bob.expose())),
        "{exported}"
    );
    // After `eval "$(tootkit auth export)"`, the application's strings go on too.
    let mut command = home.tootkit_as(&base, bob.expose());
    command
        .args(["auth", "export"])
        .env("MASTODON_CLIENT_ID", "the-client-id")
        .env("MASTODON_CLIENT_SECRET", "the-client-secret");
    let exported = crate::run(command, None).await.success().stdout;
    assert!(
        exported.contains("export MASTODON_CLIENT_ID='the-client-id'")
            && exported.contains("export MASTODON_CLIENT_SECRET='the-client-secret'"),
        "{exported}"
    );

    // Refused, and the hint is about the token given, though the environment is set.
    let mut command = home.tootkit_as(&base, bob.expose());
    command.args(["auth", "add-token", "--instance", &base]);
    let rejected = crate::run(command, Some("not-a-token\n".to_owned()))
        .await
        .failure(3);
    assert!(
        rejected
            .stderr
            .contains("refused the token given; check that it was copied whole")
            && !rejected.stderr.contains("MASTODON_ACCESS_TOKEN"),
        "{}",
        rejected.stderr
    );
    // Stored while the environment is set: said to be outranked by it.
    let mut command = home.tootkit_as(&base, bob.expose());
    command.args([
        "--profile",
        "again",
        "auth",
        "add-token",
        "--instance",
        &base,
    ]);
    let another = web_token(&sandbox, USER, PASSWORD, "read").await;
    let outranked = crate::run(command, Some(format!("{}\n", another.expose())))
        .await
        .success();
    assert!(
        outranked.stderr.contains(
            "MASTODON_API_BASE_URL and MASTODON_ACCESS_TOKEN are set and still win over it"
        ),
        "{}",
        outranked.stderr
    );
    // Mastodon does not say which scopes a token has: a token made elsewhere shows none.
    let status = home.run(&["auth", "status"]).await.success();
    assert!(
        status.stdout.contains("scopes:   unknown"),
        "{}",
        status.stdout
    );

    // With the environment in use, logout would not touch the token in use: refused.
    let mut command = home.tootkit_as(&base, bob.expose());
    command.args(["auth", "logout"]);
    let refused = crate::run(command, None).await.failure(2);
    assert!(
        refused
            .stderr
            .contains("The token in use comes from MASTODON_ACCESS_TOKEN"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        home.run(&["auth", "token"]).await.success().stdout.trim(),
        alice.expose(),
        "the stored profile is still there"
    );

    let logout = home.run(&["auth", "logout"]).await.success();
    assert!(
        logout.stderr.contains("revoke it in the web interface"),
        "{}",
        logout.stderr
    );
    let still = Client::builder(sandbox.base_url().clone())
        .access_token(alice)
        .build()
        .unwrap();
    still
        .accounts()
        .verify_credentials()
        .await
        .expect("a token made elsewhere is not revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_may_only_post_is_stored_under_the_name_given() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("post-only");
    let poster = web_token(&sandbox, USER, PASSWORD, "write:statuses").await;
    let input = format!("{}\n", poster.expose());
    let unnamed = home
        .run_with_input(&["auth", "add-token", "--instance", &base], &input)
        .await
        .failure(2);
    assert!(
        unnamed
            .stderr
            .contains("may not read its own account (it has neither `read` nor `profile`)"),
        "{}",
        unnamed.stderr
    );
    let added = home
        .run_with_input(
            &["--profile", "bot", "auth", "add-token", "--instance", &base],
            &input,
        )
        .await
        .success();
    assert!(
        added
            .stderr
            .contains("The token works (whose, it may not say)"),
        "{}",
        added.stderr
    );
    let posted = home
        .run(&["post", "posted with the least a bot needs"])
        .await
        .success();
    assert!(
        posted.stdout.contains(&format!("/@{USER}/")),
        "{}",
        posted.stdout
    );
    let whoami = home.run(&["whoami"]).await.failure(4);
    assert!(
        whoami
            .stderr
            .contains("The server refused to show the token's account: it may not read it"),
        "{}",
        whoami.stderr
    );
    let status = home.run(&["auth", "status"]).await.success();
    assert!(
        status.stdout.contains("account:  unknown, on"),
        "{}",
        status.stdout
    );
    assert!(
        status
            .stdout
            .contains("the token works, but may not read its own account"),
        "{}",
        status.stdout
    );
    let json = home.run(&["auth", "status", "--json"]).await.success();
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["token_valid"], true);
    assert_eq!(json["profiles"][0]["acct"], serde_json::Value::Null);
    assert_eq!(json["profiles"][0]["scopes"], serde_json::Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switch_chooses_the_default_and_logout_says_when_none_is_left() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("switch");
    for name in ["one", "two", "three"] {
        let token = web_token(&sandbox, USER, PASSWORD, "read").await;
        home.run_with_input(
            &["--profile", name, "auth", "add-token", "--instance", &base],
            &format!("{}\n", token.expose()),
        )
        .await
        .success();
    }
    let status = home.run(&["auth", "status"]).await.success();
    assert!(
        status.stdout.starts_with("one (default)"),
        "{}",
        status.stdout
    );

    let switched = home.run(&["auth", "switch", "two"]).await.success();
    assert!(
        switched.stderr.contains("`two` (@alice on "),
        "{}",
        switched.stderr
    );
    let status = home.run(&["auth", "status"]).await.success();
    assert!(status.stdout.contains("two (default)"), "{}", status.stdout);
    assert!(
        status.stdout.contains("In use: profile `two`"),
        "{}",
        status.stdout
    );
    let unknown = home.run(&["auth", "switch", "four"]).await.failure(2);
    assert!(
        unknown.stderr.contains("There is no profile named `four`"),
        "{}",
        unknown.stderr
    );
    let unnamed = home.run(&["auth", "switch", ""]).await.failure(2);
    assert!(
        unnamed.stderr.starts_with(
            "error: The profile to use by default is empty; give one of `one`, `three`, `two`, as in `tootkit auth switch NAME`."
        ),
        "{}",
        unnamed.stderr
    );
    let missing = home.run(&["auth", "switch"]).await.failure(2);
    assert!(
        missing.stderr.starts_with(
            "error: The profile to use by default was not given; give one of `one`, `three`, `two`, as in `tootkit auth switch NAME`."
        ),
        "{}",
        missing.stderr
    );

    let logout = home.run(&["auth", "logout"]).await.success();
    assert!(
        logout.stderr.contains(
            "It was the default, and several profiles remain (one, three); make one the default with `tootkit auth switch NAME`."
        ),
        "{}",
        logout.stderr
    );
    // Status says why nothing is in use, and how to choose, with --json too.
    let json = home.run(&["--json", "auth", "status"]).await.failure(2);
    let listed: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(listed["active"], serde_json::Value::Null);
    assert_eq!(listed["default"], serde_json::Value::Null);
    assert_eq!(listed["profiles"].as_array().map(Vec::len), Some(2));
    let status = home.run(&["auth", "status"]).await.failure(2);
    assert!(
        status
            .stderr
            .contains("Several profiles exist (one, three) and none is the default")
            && status.stderr.contains("tootkit auth switch NAME"),
        "{}",
        status.stderr
    );

    // --json, for scripts: what each command did, on stdout.
    let json = |run: crate::Run| -> serde_json::Value {
        serde_json::from_str(&run.stdout).unwrap_or_else(|err| panic!("{err}: {run:#?}"))
    };
    let switched = json(
        home.run(&["--json", "auth", "switch", "three"])
            .await
            .success(),
    );
    assert_eq!(switched["default"], "three");
    assert_eq!(switched["profile"], "three");
    assert_eq!(switched["acct"], "alice");
    let listed = json(home.run(&["--json", "auth", "status"]).await.success());
    assert_eq!(
        listed["default"], "three",
        "named as every command names it"
    );
    assert_eq!(listed["profiles"][0]["profile"], "one");
    let token = json(home.run(&["--json", "auth", "token"]).await.success());
    assert_eq!(token["instance"], base.as_str());
    assert!(token["access_token"].as_str().is_some_and(|t| t.len() > 20));
    let token = web_token(&sandbox, USER, PASSWORD, "read").await;
    let added = json(
        home.run_with_input(
            &[
                "--json",
                "--profile",
                "four",
                "auth",
                "add-token",
                "--instance",
                &base,
            ],
            &format!("{}\n", token.expose()),
        )
        .await
        .success(),
    );
    assert_eq!(added["profile"], "four");
    assert_eq!(added["account"]["username"], USER);
    assert_eq!(
        added["scopes"],
        serde_json::Value::Null,
        "unknown: made elsewhere"
    );
    let logout = json(
        home.run(&["--json", "--profile", "four", "auth", "logout"])
            .await
            .success(),
    );
    assert_eq!(logout["profile"], "four");
    assert_eq!(logout["revoked"], false, "a token made outside tootkit");
    assert_eq!(logout["not_revoked_because"], "it was made outside tootkit");
    assert_eq!(logout["default"], "three");
    // One revoked in the web interface since: nothing is left to revoke, and so said.
    let (web, token) = crate::web_app_token(&sandbox, USER, PASSWORD, "read").await;
    home.run_with_input(
        &[
            "--profile",
            "five",
            "auth",
            "add-token",
            "--instance",
            &base,
        ],
        &format!("{}\n", token.expose()),
    )
    .await
    .success();
    Client::new(sandbox.base_url().clone())
        .unwrap()
        .oauth()
        .revoke(&web.credentials(), &token)
        .await
        .unwrap();
    let logout = home
        .run(&["--profile", "five", "auth", "logout"])
        .await
        .success();
    assert!(
        logout.stderr.starts_with(&format!(
            "Forgot the profile `five`; its token was made outside tootkit, but it no longer works on {} either, so nothing is left to revoke.",
            sandbox.base_url().authority()
        )),
        "{}",
        logout.stderr
    );

    // The account in use changes only with a word: a profile added while none is in
    // use becomes the default, and the last one left after a logout is in use. (A new
    // ten minutes, for the application each token comes from.)
    sandbox.advance_clock(std::time::Duration::from_secs(600));
    let add = |name: &'static str| {
        let (home, sandbox, base) = (&home, &sandbox, &base);
        async move {
            let token = web_token(sandbox, USER, PASSWORD, "read").await;
            home.run_with_input(
                &["--profile", name, "auth", "add-token", "--instance", base],
                &format!("{}\n", token.expose()),
            )
            .await
            .success()
        }
    };
    let quiet = add("five").await;
    assert!(!quiet.stderr.contains("default"), "{}", quiet.stderr);
    home.run(&["--profile", "three", "auth", "logout"])
        .await
        .success();
    let six = add("six").await;
    assert!(
        six.stderr.contains(
            "`six` is now the default profile, as none was in use; `tootkit auth switch NAME` chooses another."
        ),
        "{}",
        six.stderr
    );
    home.run(&["auth", "logout"]).await.success();
    let logout = home
        .run(&["--profile", "five", "auth", "logout"])
        .await
        .success();
    assert!(
        logout
            .stderr
            .contains("`one`, the one profile left, is in use from now on."),
        "{}",
        logout.stderr
    );
    let status = home.run(&["auth", "status"]).await.success();
    assert!(
        status.stdout.starts_with("one (default)"),
        "{}",
        status.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_token_is_kept_even_when_the_old_one_cannot_be_reached() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("unreachable-old");
    let add = |token: AccessToken| {
        let home = &home;
        let base = &base;
        async move {
            home.run_with_input(
                &["--profile", "bot", "auth", "add-token", "--instance", base],
                &format!("{}\n", token.expose()),
            )
            .await
        }
    };
    add(web_token(&sandbox, USER, PASSWORD, "read").await)
        .await
        .success();
    // The profile says its token is in a keyring this machine cannot reach.
    let profiles = std::fs::read_to_string(home.profiles_file()).unwrap();
    assert!(profiles.contains("store = \"file\""), "{profiles}");
    std::fs::write(
        home.profiles_file(),
        profiles.replace("store = \"file\"", "store = \"keyring\""),
    )
    .unwrap();
    let newer = web_token(&sandbox, USER, PASSWORD, "read").await;
    let replaced = add(newer.clone()).await.success();
    assert!(
        replaced.stderr.contains("The token works for @alice"),
        "{}",
        replaced.stderr
    );
    assert_eq!(
        home.run(&["--profile", "bot", "auth", "token"])
            .await
            .success()
            .stdout
            .trim(),
        newer.expose()
    );
    // Another account's token under the same name: said, not done silently.
    let bobs = add(web_token(&sandbox, "bob", "bobs password", "read").await)
        .await
        .success();
    assert!(
        bobs.stderr
            .contains("The profile `bot` was @alice's and is now @bob's."),
        "{}",
        bobs.stderr
    );
    // A token of another instance under the same name: said too.
    let elsewhere = crate::sandbox().await;
    let other = elsewhere.base_url().to_string();
    let moved = home
        .run_with_input(
            &[
                "--profile",
                "bot",
                "auth",
                "add-token",
                "--instance",
                &other,
            ],
            &format!(
                "{}\n",
                web_token(&elsewhere, USER, PASSWORD, "read").await.expose()
            ),
        )
        .await
        .success();
    assert!(
        moved.stderr.contains(&format!(
            "The profile `bot` pointed at {} and now points at {}.",
            base.trim_end_matches('/'),
            other.trim_end_matches('/')
        )),
        "{}",
        moved.stderr
    );
    // Named, a profile takes its new token on its own instance, as for login.
    let again = web_token(&elsewhere, USER, PASSWORD, "read write").await;
    home.run_with_input(
        &["--profile", "bot", "auth", "add-token"],
        &format!("{}\n", again.expose()),
    )
    .await
    .success();
    assert_eq!(
        home.run(&["--profile", "bot", "auth", "token"])
            .await
            .success()
            .stdout
            .trim(),
        again.expose()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_the_server_forgot_is_made_again_before_the_browser_opens() {
    let first = sandbox().await;
    let relay = Relay::start(&first).await;
    let addr = relay.addr();
    let base = relay.base_url();
    let home = Home::new("forgotten-app");
    login(&home, &base, &[]).await.success();
    let profiles = std::fs::read_to_string(home.profiles_file()).unwrap();

    // The same address, a fresh instance: the saved client ID means nothing there.
    first.stop().await;
    let second = sandbox().await;
    relay.switch_to(&second);
    let again = login(&home, &base, &[]).await.success();
    assert!(
        again.stderr.contains(&format!(
            "{} no longer knows the application tootkit registered there",
            addr
        )),
        "{}",
        again.stderr
    );
    assert!(
        again
            .stderr
            .contains("it came from a registration the server no longer knows"),
        "not taken for a token made outside tootkit: {}",
        again.stderr
    );
    let renewed = std::fs::read_to_string(home.profiles_file()).unwrap();
    let client_id = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("client_id"))
            .map(str::to_owned)
    };
    assert_ne!(client_id(&profiles), client_id(&renewed), "{renewed}");
    home.run(&["whoami"]).await.success();
    // A profile named knows its instance: signing in again needs no --instance.
    let name = format!("{USER}@{addr}");
    let again = sign_in(&home, &["--profile", &name]).await.success();
    assert!(
        again
            .stderr
            .contains(&format!("Signed in to {addr} as @{USER}")),
        "{}",
        again.stderr
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credentials_file_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = sandbox().await;
    let home = Home::new("loose");
    let token = web_token(&sandbox, USER, PASSWORD, "read").await;
    home.run_with_input(
        &[
            "auth",
            "add-token",
            "--instance",
            &sandbox.base_url().to_string(),
        ],
        token.expose(),
    )
    .await
    .success();
    assert_eq!(crate::mode(&home.credentials_file()), 0o600);
    // Readable by everyone, or by the group only: both refused, as ssh refuses a key.
    for mode in [0o644, 0o640] {
        std::fs::set_permissions(
            home.credentials_file(),
            std::fs::Permissions::from_mode(mode),
        )
        .unwrap();
        let refused = home.run(&["whoami"]).await.failure(1);
        assert!(
            refused
                .stderr
                .contains(&format!("is readable by other users (mode {mode:04o})")),
            "{}",
            refused.stderr
        );
        assert!(refused.stderr.contains("chmod 600"), "{}", refused.stderr);
        assert!(!refused.all().contains(token.expose()));
        // Where the token is, as the file now is, not as tootkit made it.
        let status = home.run(&["auth", "status"]).await;
        assert!(
            status.stdout.contains(&format!(
                "credentials.toml (refused: it is readable by other users (mode {mode:04o}), so its tokens may be exposed; run `chmod 600 "
            )),
            "{}",
            status.stdout
        );
        assert!(
            !status.all().contains("readable only by you"),
            "{}",
            status.all()
        );
        // Counting needs the instance, which profiles.toml names, not the token.
        let counted = home.run(&["count", "howdy"]).await.success();
        assert!(
            counted.stdout.starts_with("5/500 (the limit of 127.0.0.1:"),
            "{}",
            counted.stdout
        );
    }
    std::fs::set_permissions(
        home.credentials_file(),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    home.run(&["whoami"]).await.success();
    // The profiles hold no secret but say where tokens go: others may not change them.
    std::fs::set_permissions(home.profiles_file(), std::fs::Permissions::from_mode(0o666)).unwrap();
    let refused = home.run(&["whoami"]).await.failure(1);
    assert!(
        refused.stderr.contains(
            "profiles.toml is writable by other users (mode 0666), who could send your tokens to another server"
        ),
        "{}",
        refused.stderr
    );
    std::fs::set_permissions(home.profiles_file(), std::fs::Permissions::from_mode(0o644)).unwrap();
    home.run(&["whoami"]).await.success();
    // Nor may they put files of their own in the directory, as ssh's StrictModes has it.
    let dir = home.profiles_file().parent().unwrap().to_owned();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let refused = home.run(&["whoami"]).await.failure(1);
    assert!(
        refused.stderr.contains("is writable by other users (mode 0777), who could put files of their own in place of tootkit's; run `chmod 700"),
        "{}",
        refused.stderr
    );
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    home.run(&["whoami"]).await.success();
    // A file another user owns is refused whatever its mode (shown where the test may
    // give it away, as root).
    for file in [home.profiles_file(), home.credentials_file()] {
        if std::os::unix::fs::chown(&file, Some(65_534), None).is_err() {
            eprintln!("not root: skipping the check of a file another user owns");
            break;
        }
        let refused = home.run(&["whoami"]).await.failure(1);
        assert!(
            refused
                .stderr
                .contains("belongs to another user (uid 65534), who could have changed it"),
            "{}",
            refused.stderr
        );
        std::os::unix::fs::chown(&file, Some(0), None).unwrap();
        home.run(&["whoami"]).await.success();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_without_an_instance_says_what_is_missing_when_nothing_asked() {
    let home = Home::new("no-instance");
    // Piped, not typed: no prompt was shown, so none was left unanswered.
    let refused = home.run_with_input(&["auth", "login"], "").await.failure(2);
    assert_eq!(
        refused.stderr.lines().next().unwrap_or_default(),
        "error: No instance was given, and standard input had none; give the instance with --instance HOST.",
        "{}",
        refused.stderr
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_edited_profiles_file_is_refused_with_the_place_of_its_mistake() {
    let home = Home::new("hand-edited");
    std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
        .create(home.config())
        .unwrap();
    let write = |text: &str| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(home.profiles_file(), text).unwrap();
        std::fs::set_permissions(home.profiles_file(), std::fs::Permissions::from_mode(0o600))
            .unwrap();
    };
    write(
        "default = \"bot\"\n\n[profiles.bot]\ninstance = \"https://botsin.space\"\naccount = \"bot\"\naccount_id = \"1\"\nscopes = \"read\"\nstore = \"file\"\n[profiles.bad\n",
    );
    let broken = home.run(&["whoami"]).await.failure(1);
    assert!(
        broken.stderr.contains("is not a valid profiles file (")
            && broken.stderr.contains(", on line 9)"),
        "{}",
        broken.stderr
    );
    // Bytes that are no text: a corrupt file, not one out of reach.
    let write_bytes = |path: &std::path::Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(path, b"\xff\xfe").unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    };
    write(
        "default = \"bot\"\n\n[profiles.bot]\ninstance = \"https://botsin.space\"\naccount = \"bot\"\naccount_id = \"1\"\nscopes = \"read\"\nstore = \"file\"\n",
    );
    write_bytes(&home.credentials_file());
    let corrupt = home.run(&["auth", "token"]).await.failure(1);
    assert!(
        corrupt.stderr.starts_with("error: ")
            && corrupt.stderr.contains(
                "credentials.toml is not a valid credentials file (it is not UTF-8 text); move it aside and sign in again."
            ),
        "{}",
        corrupt.stderr
    );
    write_bytes(&home.profiles_file());
    let corrupt = home.run(&["whoami"]).await.failure(1);
    assert!(
        corrupt.stderr.contains(
            "profiles.toml is not a valid profiles file (it is not UTF-8 text); fix it or move it aside and sign in again."
        ),
        "{}",
        corrupt.stderr
    );
    write(
        "default = \"ghost\"\n\n[profiles.bot]\ninstance = \"https://botsin.space\"\naccount = \"bot\"\naccount_id = \"1\"\nscopes = \"read\"\nstore = \"file\"\n",
    );
    let ghost = home.run(&["whoami"]).await.failure(1);
    assert!(
        ghost.stderr.starts_with(
            "error: profiles.toml names `ghost` as the default, but holds no profile of that name; make one of `bot` the default with `tootkit auth switch NAME`."
        ),
        "{}",
        ghost.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_in_use_changes_only_with_a_word() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("in-use");
    let add = |login: &'static str, password: &'static str| {
        let (home, sandbox, base) = (&home, &sandbox, &base);
        async move {
            let token = web_token(sandbox, login, password, "read write").await;
            home.run_with_input(
                &["auth", "add-token", "--instance", base],
                &format!("{}\n", token.expose()),
            )
            .await
            .success()
        }
    };
    add(USER, PASSWORD).await;
    add("bob", "bobs password").await;
    let whoami = || async { home.run(&["whoami"]).await.success().stdout };
    assert!(
        whoami().await.starts_with("@alice@"),
        "the first one stays the default"
    );
    let alices = format!("alice@{}", sandbox.base_url().authority());
    let bobs = format!("bob@{}", sandbox.base_url().authority());
    let logout = home
        .run(&["--profile", &alices, "auth", "logout"])
        .await
        .success();
    assert!(
        logout.stderr.contains(&format!(
            "It was the default; `{bobs}`, the one profile left, is in use from now on."
        )),
        "{}",
        logout.stderr
    );
    assert!(whoami().await.starts_with("@bob@"));
    // Signing alice in again does not take bob's place.
    add(USER, PASSWORD).await;
    assert!(
        whoami().await.starts_with("@bob@"),
        "the one in use stays in use"
    );
    // With several profiles and none the default, the one signed in again becomes it.
    let token = web_token(&sandbox, "bob", "bobs password", "read").await;
    home.run_with_input(
        &[
            "--profile",
            "third",
            "auth",
            "add-token",
            "--instance",
            &base,
        ],
        &format!("{}\n", token.expose()),
    )
    .await
    .success();
    let logout = home
        .run(&["--profile", &bobs, "auth", "logout"])
        .await
        .success();
    assert!(
        logout.stderr.contains("several profiles remain"),
        "{}",
        logout.stderr
    );
    add(USER, PASSWORD).await;
    assert!(
        whoami().await.starts_with("@alice@"),
        "the one signed in again"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_is_written_into_a_directory_others_can_write_to() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("shared-config");
    std::fs::create_dir_all(home.config()).unwrap();
    std::fs::set_permissions(home.config(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let token = web_token(&sandbox, USER, PASSWORD, "read").await;
    let refused = home
        .run_with_input(
            &["auth", "add-token", "--instance", &base],
            &format!("{}\n", token.expose()),
        )
        .await
        .failure(1);
    assert!(
        refused.stderr.contains("is writable by other users (mode 0777), who could put files of their own in place of tootkit's"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read_dir(home.config()).unwrap().count(),
        0,
        "nothing was written there"
    );
    std::fs::set_permissions(home.config(), std::fs::Permissions::from_mode(0o700)).unwrap();
    home.run_with_input(
        &["auth", "add-token", "--instance", &base],
        &format!("{}\n", token.expose()),
    )
    .await
    .success();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relative_configuration_directory_is_refused() {
    let home = Home::new("relative");
    let mut command = home.tootkit();
    command
        .env("TOOTKIT_CONFIG_DIR", "tootkit-config")
        .current_dir(std::env::temp_dir());
    command.args(["auth", "status"]);
    let refused = crate::run(command, None).await.failure(2);
    assert!(
        refused
            .stderr
            .starts_with("error: TOOTKIT_CONFIG_DIR is the relative path `tootkit-config`"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("absolute path"),
        "{}",
        refused.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relative_home_is_refused_rather_than_writing_into_the_working_directory() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let token = web_token(&sandbox, USER, PASSWORD, "read").await;
    let home = Home::new("relative-home");
    let work = home.dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let in_work = |unset: &str, args: &[&str]| {
        let mut command = home.tootkit();
        command
            .env_remove(unset)
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME")
            .env("HOME", ".")
            .current_dir(&work)
            .args(args);
        command
    };
    // Commands that would write there: storing a token, serving the sandbox.
    let stored = in_work(
        "TOOTKIT_CONFIG_DIR",
        &["auth", "add-token", "--instance", &base],
    );
    let served = in_work("TOOTKIT_DATA_DIR", &["sandbox", "--port", "0"]);
    for (command, what, kept) in [
        (stored, "configuration", "credentials"),
        (served, "data", "the sandbox's database"),
    ] {
        let refused = crate::run(command, Some(format!("{}\n", token.expose())))
            .await
            .failure(2);
        assert!(
            refused.stderr.starts_with(&format!(
                "error: The {what} directory would be the relative path"
            )),
            "{}",
            refused.stderr
        );
        assert!(
            refused
                .stderr
                .contains(&format!("which would keep {kept} in whatever directory")),
            "{}",
            refused.stderr
        );
        assert!(refused.stderr.contains("set HOME"), "{}", refused.stderr);
    }
    assert_eq!(
        std::fs::read_dir(&work).unwrap().count(),
        0,
        "nothing written where tootkit ran"
    );
    // A command that needs no data directory is not refused for it.
    let counted = crate::run(in_work("TOOTKIT_DATA_DIR", &["count", "howdy"]), None)
        .await
        .success();
    assert!(counted.stdout.starts_with("5/500"), "{counted:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_revokes_with_the_application_the_token_came_from() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("two-apps");
    let first_token = || async {
        let mut command = home.tootkit();
        command.args(["--profile", "first", "auth", "token"]);
        crate::run(command, None)
            .await
            .success()
            .stdout
            .trim()
            .to_owned()
    };
    let works = |token: String| async {
        Client::builder(sandbox.base_url().clone())
            .access_token(AccessToken::new(token))
            .build()
            .unwrap()
            .accounts()
            .verify_credentials()
            .await
    };
    login(&home, &base, &["--profile", "first"]).await.success();
    let replaced = first_token().await;
    // Signing in again with the same scopes: Mastodon hands out the same token
    // (Doorkeeper's reuse_access_token), and there is nothing to retire.
    let same = login(&home, &base, &["--profile", "first"]).await.success();
    assert!(
        !same.stderr.contains("held another token"),
        "{}",
        same.stderr
    );
    assert_eq!(first_token().await, replaced);
    // With other scopes, another token: the one the profile held is retired, and said so.
    let again = login(&home, &base, &["--profile", "first", "--scopes", "read"])
        .await
        .success();
    assert!(
        again
            .stderr
            .contains("The profile `first` held another token, now replaced and revoked."),
        "{}",
        again.stderr
    );
    let first_token = first_token().await;
    assert_ne!(first_token, replaced);
    let retired = works(replaced).await;
    assert!(
        matches!(retired, Err(tootkit::Error::Unauthorized { .. })),
        "{retired:?}"
    );
    works(first_token.clone()).await.unwrap();
    // So two profiles of one account and scopes hold one token: logging out of one
    // leaves the other working.
    login(&home, &base, &["--profile", "twin", "--scopes", "read"])
        .await
        .success();
    let mut command = home.tootkit();
    command.args(["--profile", "twin", "auth", "token"]);
    let twins = crate::run(command, None).await.success().stdout;
    assert_eq!(
        twins.trim(),
        first_token,
        "the same token, handed out again"
    );
    let logout = home
        .run(&["--profile", "twin", "auth", "logout"])
        .await
        .success();
    assert!(
        logout.stderr.contains(
            "Forgot the profile `twin`; its token was not revoked, as `first` also uses it."
        ),
        "{}",
        logout.stderr
    );
    works(first_token.clone()).await.unwrap();
    // The token `auth login` obtained, added again by hand: what its profile knew stays
    // known, the application that can revoke it included.
    home.run_with_input(
        &[
            "--profile",
            "copied",
            "auth",
            "add-token",
            "--instance",
            &base,
        ],
        &format!("{first_token}\n"),
    )
    .await
    .success();
    let copied = home
        .run(&["--profile", "copied", "auth", "status"])
        .await
        .success();
    assert!(
        copied.stdout.contains("scopes:   read"),
        "{}",
        copied.stdout
    );
    let exported = home
        .run(&["--profile", "copied", "auth", "export"])
        .await
        .success();
    assert!(
        exported.stdout.contains("export MASTODON_CLIENT_SECRET='"),
        "{}",
        exported.stdout
    );
    let logout = home
        .run(&["--json", "--profile", "copied", "auth", "logout"])
        .await
        .success();
    let said: serde_json::Value = serde_json::from_str(&logout.stdout).unwrap();
    assert_eq!(said["revoked"], false);
    assert_eq!(said["shared_with"], serde_json::json!(["first"]));
    assert_eq!(said["not_revoked_because"], "first also uses it", "{said}");
    // Scopes the registration lacks: tootkit registers itself again.
    login(
        &home,
        &base,
        &["--profile", "second", "--scopes", "write:statuses"],
    )
    .await
    .success();
    let profiles = std::fs::read_to_string(home.profiles_file()).unwrap();
    assert_eq!(
        profiles.matches("client_id = ").count(),
        3,
        "two profiles and the latest app: {profiles}"
    );
    // It was registered with the scopes of the one before too: signing in with those
    // again reuses it rather than registering a third.
    let client_ids = |profiles: &str| {
        let mut ids: Vec<String> = profiles
            .lines()
            .filter(|l| l.starts_with("client_id = "))
            .map(str::to_owned)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let before = client_ids(&profiles);
    login(&home, &base, &["--profile", "third"]).await.success();
    let profiles = std::fs::read_to_string(home.profiles_file()).unwrap();
    assert_eq!(client_ids(&profiles), before, "{profiles}");
    home.run(&["--profile", "third", "auth", "logout"])
        .await
        .success();

    let logout = home
        .run(&["--profile", "first", "auth", "logout"])
        .await
        .success();
    assert!(
        logout.stderr.contains("Revoked the token of `first`"),
        "{}",
        logout.stderr
    );
    let revoked = works(first_token).await;
    assert!(
        matches!(revoked, Err(tootkit::Error::Unauthorized { .. })),
        "{revoked:?}"
    );
    let mut command = home.tootkit();
    command.args(["--profile", "second", "whoami"]);
    crate::run(command, None).await.success();
    // The one profile left is the one used without --profile, and is shown as such.
    let status = home.run(&["auth", "status"]).await.success();
    assert!(
        status.stdout.starts_with("second (default)"),
        "{}",
        status.stdout
    );
    // The first registration's secret went with the last token that came from it.
    let credentials = std::fs::read_to_string(home.credentials_file()).unwrap();
    assert_eq!(
        credentials.matches("app:").count(),
        1,
        "only the application in use is kept: {}",
        credentials
            .lines()
            .map(|l| l.split('=').next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" | ")
    );
}

/// Inside a D-Bus session with an unlocked GNOME keyring (the Secret Service a Linux
/// desktop has), tokens go to the keyring and no credentials file is written.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_os_keyring_keeps_the_token_when_one_is_reachable() {
    let have = |tool: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("dbus-run-session") || !have("gnome-keyring-daemon") {
        crate::skip_or_fail(
            "dbus-run-session or gnome-keyring-daemon is missing (Debian: apt-get install dbus-daemon gnome-keyring)",
        );
        return;
    }
    let sandbox = sandbox().await;
    let home = Home::new("keyring");
    let token = web_token(&sandbox, USER, PASSWORD, "read write").await;
    let script = r#"
        set -e
        eval "$(printf 'keyring-password' | gnome-keyring-daemon --unlock --components=secrets)"
        printf '%s\n' "$TEST_TOKEN" | "$TOOTKIT" auth add-token --instance "$TEST_BASE"
        echo "token=$("$TOOTKIT" auth token)"
        "$TOOTKIT" auth status
        "$TOOTKIT" post "from the keyring"
    "#;
    let mut command = home.tootkit();
    let mut wrapped = std::process::Command::new("dbus-run-session");
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    wrapped
        .args(["--", "sh", "-c", script])
        // The keyring lives in this test's home, not in the runner's data directory.
        .env_remove("XDG_DATA_HOME")
        .env("HOME", home.dir.join("home"))
        .env("XDG_RUNTIME_DIR", home.dir.join("runtime"))
        .env("TOOTKIT", command.get_program())
        .env("TEST_TOKEN", token.expose())
        .env("TEST_BASE", sandbox.base_url().to_string());
    std::fs::create_dir_all(home.dir.join("runtime")).unwrap();
    command = wrapped;
    let run = crate::run(command, None).await.success();
    assert!(
        run.stdout.contains(&format!("token={}", token.expose())),
        "{run:#?}"
    );
    assert!(run.stdout.contains("token in: the OS keyring"), "{run:#?}");
    assert!(
        !run.stderr.contains("the OS keyring could not keep"),
        "{run:#?}"
    );
    assert!(
        !home.credentials_file().exists(),
        "nothing was written to the fallback file"
    );
    let profiles = std::fs::read_to_string(home.profiles_file()).unwrap();
    assert!(profiles.contains("store = \"keyring\""), "{profiles}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_lists_the_profiles_whatever_keeps_the_credentials_from_being_tried() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("status-broken");
    let token = web_token(&sandbox, USER, PASSWORD, "read").await;
    home.run_with_input(
        &["--profile", "bot", "auth", "add-token", "--instance", &base],
        &format!("{}\n", token.expose()),
    )
    .await
    .success();

    // Half of the environment's pair: named, and the profiles still listed.
    let mut command = home.tootkit();
    command
        .args(["auth", "status"])
        .env("MASTODON_ACCESS_TOKEN", "zzz");
    let half = crate::run(command, None).await.failure(2);
    assert!(half.stdout.starts_with("bot (default)"), "{}", half.stdout);
    assert!(
        half.stderr.contains("MASTODON_API_BASE_URL"),
        "{}",
        half.stderr
    );
    let mut command = home.tootkit();
    command
        .args(["--json", "auth", "status"])
        .env("MASTODON_ACCESS_TOKEN", "zzz");
    let half = crate::run(command, None).await.failure(2);
    let listed: serde_json::Value = serde_json::from_str(&half.stdout).unwrap();
    assert_eq!(listed["active"], serde_json::Value::Null);
    assert_eq!(listed["profiles"][0]["profile"], "bot");

    // Exported into a shell that holds another profile's application: a token made
    // outside tootkit has none, and the other's pair does not stay beside it.
    let exported = home.run(&["auth", "export"]).await.success().stdout;
    let shell = std::process::Command::new("sh")
        .args([
            "-c",
            r#"eval "$EXPORTED"; echo "${MASTODON_CLIENT_ID-none} ${MASTODON_CLIENT_SECRET-none} ${MASTODON_ACCESS_TOKEN:+token}""#,
        ])
        .env("EXPORTED", &exported)
        .env("MASTODON_CLIENT_ID", "another-profiles-id")
        .env("MASTODON_CLIENT_SECRET", "another-profiles-secret")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&shell.stdout),
        "none none token\n",
        "{exported}"
    );

    // A server that cannot be reached says nothing of the token: unknown, not invalid.
    let _refusing = crate::out_of_reach(sandbox).await;
    let gone = home.run(&["--json", "auth", "status"]).await.failure(5);
    let listed: serde_json::Value = serde_json::from_str(&gone.stdout).unwrap();
    assert_eq!(listed["active"], "bot");
    assert_eq!(listed["token_valid"], serde_json::Value::Null);

    // The token gone from its store: the profiles listed, and the way back named with
    // the profile's own name, which a plain `auth login` would not sign in under.
    std::fs::remove_file(home.credentials_file()).unwrap();
    let missing = home.run(&["auth", "status"]).await.failure(3);
    assert!(
        missing.stdout.starts_with("bot (default)"),
        "{}",
        missing.stdout
    );
    assert!(
        missing.stderr.starts_with(&format!(
            "error: The token of profile `bot` is missing from {}",
            home.credentials_file().display(),
        )) && missing.stderr.contains(&format!(
            "; run `tootkit --profile bot auth login --instance {}` to sign in again.",
            base.trim_start_matches("http://").trim_end_matches('/')
        )),
        "{}",
        missing.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stray_redirect_is_refused_and_said_so_while_the_sign_in_goes_on() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("stray-redirect");
    let mut command = home.tootkit();
    command.args(["auth", "login", "--no-browser", "--instance", &base]);
    let mut running = Running::spawn(command, false);
    let url = running.line_starting_with("http").await;
    let AuthorizationOutcome::Redirect(mut target) = approve(&url, USER, PASSWORD).await else {
        panic!("expected a redirect to the CLI's listener");
    };
    let genuine = target.clone();
    let code = genuine
        .query_pairs()
        .find(|(name, _)| name == "code")
        .unwrap()
        .1
        .into_owned();
    target
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", "not-the-one");
    let stray = reqwest::get(target).await.unwrap();
    assert_eq!(stray.status().as_u16(), 400);
    assert!(
        stray.text().await.unwrap().contains("the sign-in goes on"),
        "the page says the sign-in is still waiting"
    );
    assert_eq!(
        ScriptedUser::new().unwrap().visit(&genuine).await.unwrap(),
        200
    );
    let done = running.finish().await.success();
    assert!(
        done.stderr.contains(
            "warning: a sign-in redirect that does not belong to this sign-in (another state) was refused; still waiting for this one\n"
        ),
        "{}",
        done.stderr
    );
    assert!(done.stderr.contains("Signed in to"), "{}", done.stderr);
}

/// Ctrl-C at a prompt for a secret ends the command as an interrupted one (130) with the
/// terminal echoing again, as it was: rpassword alone would leave it mute. Typed in a
/// real terminal, through util-linux's `script`.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_at_the_token_prompt_gives_the_terminal_back() {
    use std::io::{Read, Write};
    let home = Home::new("ctrl-c-prompt");
    let tootkit = home.tootkit();
    let mut script = std::process::Command::new("script");
    for (key, value) in tootkit.get_envs() {
        match value {
            Some(value) => script.env(key, value),
            None => script.env_remove(key),
        };
    }
    // A Ctrl-C typed before rpassword turns the terminal's own Ctrl-C off reaches the whole
    // foreground group, the shell that reports the exit code too: dash (`/bin/sh`, which
    // `script` runs when SHELL is unset) would die of it, bash not. The trap keeps either
    // shell alive and leaves the command's own SIGINT as it would be.
    let line = format!(
        "trap : INT; '{}' auth add-token --instance http://127.0.0.1:9; echo \"exit $?\"; stty -a",
        env!("CARGO_BIN_EXE_tootkit")
    );
    script
        .env("SHELL", "/bin/sh")
        .args(["-qec", &line, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let Ok(running) = script.spawn() else {
        crate::skip_or_fail("util-linux's `script` is not installed");
        return;
    };
    // Killed if the test fails, so that the reader below sees the end of its output.
    let mut running = crate::Reaped::new(running);
    let mut stdout = running.stdout.take().unwrap();
    let mut stdin = running.stdin.take().unwrap();
    let said = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        let mut buffer = [0; 4096];
        while !String::from_utf8_lossy(&seen).contains("Paste the access token: ") {
            let read = stdout.read(&mut buffer).unwrap();
            assert!(read > 0, "no prompt: {}", String::from_utf8_lossy(&seen));
            seen.extend_from_slice(&buffer[..read]);
        }
        stdin.write_all(b"\x03").unwrap();
        stdout.read_to_end(&mut seen).unwrap();
        drop(stdin);
        String::from_utf8_lossy(&seen).replace('\r', "")
    });
    let said = tokio::time::timeout(std::time::Duration::from_secs(30), said)
        .await
        .expect("the command ends at Ctrl-C")
        .unwrap();
    let _ = running.wait();
    assert!(said.contains("\nexit 130\n"), "{said}");
    let settings = said.split("exit 130").nth(1).unwrap();
    let has = |flag: &str| settings.split_whitespace().any(|word| word == flag);
    assert!(has("echo") && has("isig") && has("icanon"), "{settings}");
    assert!(!said.contains("error:"), "{said}");
}

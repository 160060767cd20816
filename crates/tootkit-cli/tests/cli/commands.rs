use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use tootkit::Client;
use tootkit_sandbox::AuthorizationOutcome;

use crate::{Home, PASSWORD, USER, approve, sandbox, web_token};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kind_of_failure_has_its_exit_code_and_one_clear_sentence() {
    let sandbox = sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("exit-codes");

    // Usage: plain http to a host that is not loopback.
    let usage = home
        .run(&["auth", "login", "--instance", "http://botsin.space"])
        .await
        .failure(2);
    assert!(
        usage
            .stderr
            .contains("Refusing to send credentials to botsin.space over plain http"),
        "{}",
        usage.stderr
    );
    assert!(
        usage.stderr.contains("use https://botsin.space"),
        "{}",
        usage.stderr
    );
    let mut command = home.tootkit();
    command
        .args(["whoami"])
        .env("MASTODON_API_BASE_URL", "http://example.com")
        .env("MASTODON_ACCESS_TOKEN", "x");
    let env_http = crate::run(command, None).await.failure(2);
    assert!(
        env_http.stderr.contains("MASTODON_API_BASE_URL: Refusing"),
        "{}",
        env_http.stderr
    );
    home.run(&["post", "--visibility", "everyone", "x"])
        .await
        .failure(2);
    // The text not quoted: clap's refusal, and how to give it.
    let unquoted = home.run(&["post", "howdy", "universe!"]).await.failure(2);
    assert!(
        unquoted
            .stderr
            .starts_with("error: unexpected argument 'universe!' found")
            && unquoted.stderr.contains(
                "tip: the text is one argument: quote it, as in `tootkit post 'howdy universe!'`"
            ),
        "{}",
        unquoted.stderr
    );
    // A text beginning with `-` whose letters take in `h`: not a request for help that
    // exits 0 with nothing posted; or in a letter no flag has: not clap's word about
    // that letter alone (`-3`).
    for (command, text) in [
        ("post", "-hot take: tabs aren't spaces"),
        ("count", "-vhello"),
        ("post", "-hi"),
        ("post", "-30 degrees tonight"),
    ] {
        let read_as_options = home.run(&[command, text]).await.failure(2);
        assert_eq!(
            read_as_options.stderr.trim_end(),
            format!(
                "error: `{text}` was read as options because it begins with '-'; to give it as the text, put `--` before it, as in `tootkit {command} -- '{}'`, or give `-` and write it on standard input.",
                text.replace('\'', r"'\''")
            )
        );
        assert!(read_as_options.stdout.is_empty());
    }
    // The command line given back keeps its options, and takes the unquoted words after
    // into the text; a value of an option is joined to it.
    let spread = home
        .run(&[
            "post",
            "--visibility",
            "private",
            "-30",
            "degrees",
            "--cw",
            "cold",
        ])
        .await
        .failure(2);
    assert_eq!(
        spread.stderr.trim_end(),
        "error: `-30` was read as options because it begins with '-'; to give it as the text, put `--` before it, as in `tootkit post --visibility private --cw cold -- '-30 degrees'`, or give `-` and write it on standard input."
    );
    let value = home.run(&["post", "--cw", "-hx", "text"]).await.failure(2);
    assert_eq!(
        value.stderr.trim_end(),
        "error: `-hx` was read as options because it begins with '-'; to give it as the value of --cw, join them with `=`, as in `--cw=-hx`."
    );
    // A mistyped flag is clap's to name.
    let mistyped = home.run(&["post", "-t", "text"]).await.failure(2);
    assert!(
        mistyped
            .stderr
            .starts_with("error: unexpected argument '-t' found"),
        "{}",
        mistyped.stderr
    );
    let counted = home.run(&["count", "--", "-hot take"]).await.success();
    assert!(counted.stdout.starts_with("9/500"), "{}", counted.stdout);
    home.run(&["post", "-vh"]).await.success();
    let language = home
        .run(&["post", "--language", "english", "x"])
        .await
        .failure(2);
    assert!(
        language
            .stderr
            .contains("`english` is not a language code; give an ISO 639 code such as `en`"),
        "{}",
        language.stderr
    );
    // A country's code, the usual slip: the language meant is named.
    let country = home
        .run(&["post", "--language", "jp", "x"])
        .await
        .failure(2);
    assert!(
        country
            .stderr
            .contains("`jp` is not a language code; give an ISO 639 code such as `ja`."),
        "{}",
        country.stderr
    );
    // A mistyped scope, caught against the scopes the server lists, before anything
    // is registered with it.
    let typo = home
        .run(&[
            "auth",
            "login",
            "--instance",
            &base,
            "--scopes",
            "read,wirte",
            "--no-browser",
        ])
        .await
        .failure(2);
    assert!(
        typo.stderr.starts_with(
            "error: `wirte` is not a scope this server offers; perhaps `write` was meant"
        ),
        "{}",
        typo.stderr
    );
    assert!(!home.profiles_file().exists(), "no application registered");
    // -v: a line per request, without the HTTP stack's own (which -vv adds).
    let mut command = home.tootkit_as(&base, "not-a-token");
    command.args(["-v", "whoami"]);
    let logged = crate::run(command, None).await.failure(3);
    assert!(
        logged
            .stderr
            .contains("answered method=GET path=/api/v1/accounts/verify_credentials status=401"),
        "{}",
        logged.stderr
    );
    assert!(
        !logged.stderr.contains("connecting to"),
        "{}",
        logged.stderr
    );
    let negative = home
        .run(&["--request-timeout", "-1", "whoami"])
        .await
        .failure(2);
    assert!(
        negative
            .stderr
            .contains("give a whole number of seconds from 1 to 600"),
        "{}",
        negative.stderr
    );
    let unnamed = home.run(&["--profile", "", "whoami"]).await.failure(2);
    assert!(
        unnamed.stderr.contains("A profile needs a name"),
        "{}",
        unnamed.stderr
    );
    for (name, why) in [
        ("a\nb", "holds no control characters (tabs, line breaks)"),
        ("a\tb", "holds no control characters (tabs, line breaks)"),
        ("  pad  ", "neither starts nor ends with a space"),
    ] {
        let refused = home.run(&["--profile", name, "whoami"]).await.failure(2);
        assert!(refused.stderr.contains(why), "{name:?}: {}", refused.stderr);
    }
    // `TOOTKIT_PROFILE=` names none: the default is used (here, none signed in).
    let mut command = home.tootkit();
    command.args(["whoami"]).env("TOOTKIT_PROFILE", "");
    let not_signed_in = crate::run(command, None).await.failure(3);
    assert!(
        not_signed_in.stderr.contains("You are not signed in"),
        "{}",
        not_signed_in.stderr
    );
    let port = home
        .run(&["auth", "login", "--instance", "mastodon.social:99999"])
        .await
        .failure(2);
    assert!(
        port.stderr
            .contains("a port that is no number from 1 to 65535"),
        "{}",
        port.stderr
    );
    // Output that cannot be written (a full disk) is a local failure, not a success.
    let mut command = home.tootkit();
    command
        .args(["count", "x"])
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .stderr(std::process::Stdio::piped());
    let full = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert_eq!(full.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&full.stderr).contains("The output could not be written"),
        "{}",
        String::from_utf8_lossy(&full.stderr)
    );

    // Text that is not UTF-8 is named as such, not blamed on the way it was given.
    let mut command = home.tootkit();
    command
        .args(["count", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let garbled = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = crate::Reaped::new(command.spawn().unwrap());
        child.stdin.take().unwrap().write_all(b"abc\xff").unwrap();
        child.into_inner().wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(garbled.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&garbled.stderr).contains("is not UTF-8 text"),
        "{}",
        String::from_utf8_lossy(&garbled.stderr)
    );
    let empty = home.run(&["post", "--reply-to", "", "x"]).await.failure(2);
    assert!(
        empty.stderr.contains("a value is required for '--reply-to"),
        "an empty ID is no reply to post as a new status: {}",
        empty.stderr
    );

    // Authentication: no credentials, or a token the server refuses.
    let none = home.run(&["whoami"]).await.failure(3);
    assert!(
        none.stderr
            .contains("You are not signed in; run `tootkit auth login --instance HOST`"),
        "{}",
        none.stderr
    );
    let mut command = home.tootkit();
    command
        .args(["whoami"])
        .env("MASTODON_API_BASE_URL", &base)
        .env("MASTODON_ACCESS_TOKEN", "revoked-or-mistyped");
    let refused = crate::run(command, None).await.failure(3);
    assert!(
        refused
            .stderr
            .contains("The server refused the access token"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains(
            "hint: The token comes from MASTODON_ACCESS_TOKEN: set it to a working token, or unset"
        ),
        "signing in again would not help while the environment wins: {}",
        refused.stderr
    );
    assert!(
        !refused.all().contains("revoked-or-mistyped"),
        "the token is not echoed"
    );

    // Refusal: the server refuses what only it can check.
    let token = web_token(&sandbox, USER, PASSWORD, "read write").await;
    let mut command = home.tootkit();
    command
        .args(["post", "--reply-to", "404404", "hi"])
        .env("MASTODON_API_BASE_URL", &base)
        .env("MASTODON_ACCESS_TOKEN", token.expose());
    let invalid = crate::run(command, None).await.failure(4);
    assert!(
        invalid.stderr.starts_with(&format!(
            "error: The status to reply to, 404404, was not found on {}; check the ID",
            sandbox.base_url().authority()
        )),
        "{}",
        invalid.stderr
    );
    // Given by an address on the instance, which is not said back (its query neither).
    let address = format!("{}/@{USER}/404404?key=private", sandbox.base_url().as_str());
    let mut command = home.tootkit();
    command
        .args(["post", "--reply-to", &address, "hi"])
        .env("MASTODON_API_BASE_URL", &base)
        .env("MASTODON_ACCESS_TOKEN", token.expose());
    let by_address = crate::run(command, None).await.failure(4);
    assert_eq!(
        by_address.stderr.trim_end(),
        format!(
            "error: The status to reply to, given by its address, was not found on {0}; check that the address is of a status on {0} and that your account can see it.",
            sandbox.base_url().authority()
        )
    );
    let reader = web_token(&sandbox, USER, PASSWORD, "read").await;
    let mut command = home.tootkit();
    command
        .args(["post", "hi"])
        .env("MASTODON_API_BASE_URL", &base)
        .env("MASTODON_ACCESS_TOKEN", reader.expose());
    let forbidden = crate::run(command, None).await.failure(4);
    assert!(
        forbidden.stderr.contains("write:statuses"),
        "{}",
        forbidden.stderr
    );
    assert!(
        forbidden.stderr.contains(
            "The token comes from MASTODON_ACCESS_TOKEN: set it to a token with the scopes tootkit's commands use"
        ),
        "{}",
        forbidden.stderr
    );
    // Stored, the advice signs in again under the profile's name.
    home.run_with_input(
        &[
            "--profile",
            "reader",
            "auth",
            "add-token",
            "--instance",
            &base,
        ],
        reader.expose(),
    )
    .await
    .success();
    let forbidden = home
        .run(&["--profile", "reader", "post", "hi"])
        .await
        .failure(4);
    assert!(
        forbidden
            .stderr
            .contains("Run `tootkit --profile reader auth login --scopes read,write`"),
        "{}",
        forbidden.stderr
    );

    // Network: nothing listens there.
    let (_refusing, addr) = crate::refusing_port();
    let port = addr.port();
    let mut command = home.tootkit();
    command
        .args(["whoami"])
        .env("MASTODON_API_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("MASTODON_ACCESS_TOKEN", "x");
    let network = crate::run(command, None).await.failure(5);
    assert!(
        network
            .stderr
            .contains(&format!("Could not reach 127.0.0.1:{port}")),
        "{}",
        network.stderr
    );
    assert!(
        network.stderr.contains(&format!(
            "If 127.0.0.1:{port} is to be a tootkit sandbox, start it with `tootkit sandbox --port {port}` (one started with --in-memory forgot its tokens when it stopped: sign in again there), and use http://127.0.0.1:{port}, which it serves."
        )),
        "{}",
        network.stderr
    );
    // A value from the environment is refused under the variable's name, not a flag's,
    // also when the flag is typed too (clap reads the variable all the same); a control
    // character in it is shown escaped.
    for (flags, variable, value, shown) in [
        (&[][..], "TOOTKIT_REQUEST_TIMEOUT", "abc", "abc"),
        (
            &["--request-timeout", "5"][..],
            "TOOTKIT_REQUEST_TIMEOUT",
            "abc",
            "abc",
        ),
        (&[][..], "TOOTKIT_PROFILE", "bot\u{1b}", "bot\\u{1b}"),
    ] {
        let mut command = home.tootkit();
        command.args(flags).args(["whoami"]).env(variable, value);
        let from_environment = crate::run(command, None).await.failure(2);
        assert!(
            from_environment
                .stderr
                .starts_with(&format!("error: invalid value '{shown}' for {variable}: ")),
            "{}",
            from_environment.stderr
        );
        assert!(
            !from_environment.stderr.contains('\u{1b}'),
            "{}",
            from_environment.stderr
        );
    }
    // An empty one is an unset one.
    let mut command = home.tootkit();
    command
        .args(["count", "hi"])
        .env("TOOTKIT_REQUEST_TIMEOUT", "");
    crate::run(command, None).await.success();
    // A port below 1024, which a sandbox started by a user cannot take: no such hint.
    let mut command = home.tootkit();
    command
        .args(["whoami"])
        .env("MASTODON_API_BASE_URL", "http://127.0.0.1:1")
        .env("MASTODON_ACCESS_TOKEN", "x");
    let privileged = crate::run(command, None).await.failure(5);
    assert!(
        !privileged.stderr.contains("tootkit sandbox --port"),
        "{}",
        privileged.stderr
    );
    // Something listens there, speaking another protocol: no sandbox to start.
    let mut command = home.tootkit();
    command
        .args(["whoami"])
        .env(
            "MASTODON_API_BASE_URL",
            format!("https://{}", sandbox.base_url().authority()),
        )
        .env("MASTODON_ACCESS_TOKEN", "x");
    let https = crate::run(command, None).await.failure(5);
    assert!(
        !https.stderr.contains("tootkit sandbox --port"),
        "{}",
        https.stderr
    );

    // A server that takes the connection and never answers: --request-timeout bounds
    // each try.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let mut command = home.tootkit();
    command
        .args(["--request-timeout", "1", "whoami"])
        .env("MASTODON_API_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("MASTODON_ACCESS_TOKEN", "x");
    let hung = crate::run(command, None).await.failure(5);
    assert!(
        hung.stderr
            .contains("did not answer within 1 s, on each of 3 tries"),
        "{}",
        hung.stderr
    );
    drop(silent);
}

/// Starts `tootkit sandbox` and reads its banner up to "Press Ctrl-C to stop.".
pub(crate) async fn start_sandbox(
    home: &Home,
    args: &[&str],
) -> (crate::Reaped, String, Vec<String>) {
    let mut command = home.tootkit();
    command
        .arg("sandbox")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    tokio::task::spawn_blocking(move || {
        let mut child = crate::Reaped::new(command.spawn().unwrap());
        let stdout = child.stdout.take().unwrap();
        let mut banner = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let done = line.starts_with("Press Ctrl-C");
            banner.push(line);
            if done {
                break;
            }
        }
        let base = banner
            .first()
            .and_then(|l| l.rsplit(' ').next())
            .unwrap_or_default()
            .to_owned();
        (child, base, banner)
    })
    .await
    .unwrap()
}

/// The OAuth metadata of the server at `base`, as the library reads it.
async fn discover(base: &str) -> tootkit::ServerMetadata {
    Client::new(base.parse().unwrap())
        .unwrap()
        .oauth()
        .discover()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_command_serves_and_keeps_its_state_between_runs() {
    let home = Home::new("sandbox-command");
    let args = ["--port", "0", "--user", "carol:s3cret-pass"];
    let (mut first, base, banner) = start_sandbox(&home, &args).await;
    let banner = banner.join("\n");
    assert!(
        banner.starts_with("tootkit sandbox: a Mastodon-compatible instance at http://127.0.0.1:"),
        "{banner}"
    );
    assert!(
        banner.contains("carol  password: as given  (email carol@localhost)"),
        "{banner}"
    );
    assert!(
        banner.contains(&format!("tootkit auth login --instance {base}")),
        "{banner}"
    );
    assert!(
        banner.contains(
            "(if it says \"OAuth URLs must use with https\", start the sandbox with --before-4-3)"
        ),
        "{banner}"
    );
    assert!(
        !banner.contains("s3cret-pass"),
        "a given password is not echoed"
    );

    let client = Client::new(base.parse().unwrap()).unwrap();
    assert!(
        client
            .instance()
            .get()
            .await
            .unwrap()
            .version
            .contains("tootkit-sandbox")
    );
    let scopes = tootkit::Scopes::read_write();
    let app = client
        .apps()
        .register("persistence")
        .scopes(scopes.clone())
        .send()
        .await
        .unwrap();
    let server = client.oauth().discover().await.unwrap();
    assert!(
        !server.supports_grant("password"),
        "refused, as Mastodon 4.4 does"
    );
    let request =
        tootkit::AuthorizationRequest::new(&app.client_id, tootkit::OOB_REDIRECT_URI, scopes);
    let AuthorizationOutcome::Code(code) =
        approve(request.url(&server).as_str(), "carol", "s3cret-pass").await
    else {
        panic!("expected a code");
    };
    let code_text = code.expose().to_owned();
    let token = client
        .oauth()
        .exchange_code(&app.credentials(), &request, code)
        .await
        .unwrap()
        .access_token;
    let status = client
        .with_access_token(token.clone())
        .statuses()
        .create("kept")
        .send()
        .await
        .unwrap();
    // A second sandbox on the same database would give the accounts it names new
    // passwords under the first one's feet.
    let beside = home.run(&["sandbox", "--port", "0"]).await.failure(1);
    assert!(
        beside.stderr.starts_with(&format!(
            "error: Another sandbox is already using the database {}; stop it first",
            home.dir.join("data/sandbox.sqlite3").display()
        )),
        "{}",
        beside.stderr
    );
    first.kill().unwrap();
    first.wait().unwrap();

    // What the sandbox keeps on disk holds digests of secrets, never the secrets.
    // Only its owner may read it: the database, and SQLite's files beside it.
    assert_eq!(crate::mode(&home.dir.join("data")), 0o700);
    let mut stored = Vec::new();
    for file in std::fs::read_dir(home.dir.join("data")).unwrap().flatten() {
        if file.path().is_file() {
            assert_eq!(
                crate::mode(&file.path()),
                0o600,
                "{}",
                file.path().display()
            );
            stored.extend(std::fs::read(file.path()).unwrap());
        }
    }
    assert!(stored.len() > 4096, "the database was found");
    let on_disk = |secret: &str| stored.windows(secret.len()).any(|w| w == secret.as_bytes());
    assert!(on_disk("carol"), "the account is there");
    for secret in [
        token.expose(),
        app.client_secret.expose(),
        code_text.as_str(),
        "s3cret-pass",
    ] {
        assert!(!on_disk(secret), "a secret is stored in the clear");
    }

    // A database an earlier version left readable by others is tightened.
    let database = home.dir.join("data/sandbox.sqlite3");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let (mut second, base, banner) =
        start_sandbox(&home, &["--port", "0", "--user", "erin:other-pass"]).await;
    assert_eq!(crate::mode(&database), 0o600);
    assert!(
        banner
            .iter()
            .any(|line| line == "  and from earlier runs: carol  password: as set then"),
        "{banner:?}"
    );
    let client = Client::builder(base.parse().unwrap())
        .access_token(token)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let again = client
        .statuses()
        .get(&status.id)
        .await
        .expect("the status and the token survived the restart");
    assert_eq!(again.content, "<p>kept</p>");
    second.kill().unwrap();
    second.wait().unwrap();
    // The demo account of a kept database: the store has only a hash, so the password
    // shown is a new one, and the banner says so.
    let (mut third, _, banner) = start_sandbox(&home, &["--port", "0"]).await;
    assert!(
        banner
            .iter()
            .any(|line| line.starts_with("  demo  password: ")
                && line.ends_with("(email demo@localhost, new at each start)")),
        "{banner:?}"
    );
    third.kill().unwrap();
    third.wait().unwrap();

    // One account given twice is a mistake to point out, not a password to pick.
    let twice = home
        .run(&[
            "sandbox",
            "--port",
            "0",
            "--in-memory",
            "--user",
            "dave:first-password",
            "--user",
            "Dave:second-password",
        ])
        .await
        .failure(2);
    assert!(
        twice
            .stderr
            .contains("The account `Dave` is given twice; give each account once"),
        "{}",
        twice.stderr
    );

    let (mut demo, base, banner) = start_sandbox(
        &home,
        &["--port", "0", "--in-memory", "--legacy-password-grant"],
    )
    .await;
    let banner = banner.join("\n");
    assert!(
        banner.contains("demo  password: "),
        "without --user, a demo account with its password: {banner}"
    );
    assert!(banner.contains("state in memory"), "{banner}");
    let server = discover(&base).await;
    assert!(
        server.published && server.supports_grant("password"),
        "--legacy-password-grant: {:?}",
        server.grant_types_supported
    );
    demo.kill().unwrap();
    demo.wait().unwrap();

    let (mut demo, base, banner) =
        start_sandbox(&home, &["--port", "0", "--in-memory", "--before-4-3"]).await;
    let banner = banner.join("\n");
    assert!(banner.contains("answers as Mastodon 4.2.13"), "{banner}");
    assert!(!banner.contains("OAuth URLs must"), "{banner}");
    let server = discover(&base).await;
    assert!(
        !server.published,
        "--before-4-3 publishes no OAuth metadata"
    );
    demo.kill().unwrap();
    demo.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_walks_through_and_posts() {
    let home = Home::new("demo");
    let demo = home.run(&["demo"]).await.success();
    let out = &demo.stdout;
    for step in [
        "1. Registered an application",
        "2. Authorization URL",
        "3. Signing in as @demo",
        "4. The redirect reached tootkit's loopback listener",
        "5. Exchanged the code for an access token",
        "6. The token works: it belongs to @demo.",
        "7. Posted \"howdy universe!\"",
        "8. Read it back: <p>howdy universe!</p> by @demo",
        "SANDBOX VALUES",
        "tootkit auth login --instance",
        "tootkit auth add-token --instance",
    ] {
        assert!(out.contains(step), "missing {step:?} in:\n{out}");
    }
    // The three strings themselves, as a bot would copy them: whole, not redacted.
    let value = |label: &str| -> String {
        out.lines()
            .find_map(|line| line.trim().strip_prefix(label))
            .unwrap_or_else(|| panic!("no {label:?} line in:\n{out}"))
            .trim()
            .to_owned()
    };
    let strings = [
        value("client ID:"),
        value("client secret:"),
        value("access token:"),
    ];
    for string in &strings {
        assert!(
            string.len() >= 20
                && string
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')),
            "{string:?} in:\n{out}"
        );
    }
    assert!(
        strings[0] != strings[1] && strings[1] != strings[2],
        "{strings:?}"
    );
    assert!(
        out.contains("On a real instance (your bot's account on mastodon.social, say):"),
        "{out}"
    );
    assert!(!home.config().exists(), "the demo stores nothing");
    // Options that would mean nothing to it are said to, not ignored.
    let json = home.run(&["demo", "--json"]).await.failure(2);
    assert_eq!(
        json.stderr.trim(),
        "error: `tootkit demo` prints text for people, not JSON; leave out --json."
    );
    let profile = home
        .run(&["--profile", "bot", "sandbox", "--in-memory"])
        .await
        .failure(2);
    assert!(
        profile
            .stderr
            .starts_with("error: `tootkit sandbox` uses no profile"),
        "{}",
        profile.stderr
    );
}

/// A status posted whose URL cannot be written (a full disk): the error says it was
/// posted and where, rather than leave a script to take it for a failure and post again.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_whose_url_cannot_be_written_says_it_was_posted() {
    let sandbox = crate::sandbox().await;
    let base = sandbox.base_url().to_string();
    let token = crate::web_token(&sandbox, crate::USER, crate::PASSWORD, "read write").await;
    let home = Home::new("full-disk");
    let post = |args: &'static [&'static str]| {
        let mut command = home.tootkit_as(&base, token.expose());
        command
            .args(args)
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .stderr(std::process::Stdio::piped());
        tokio::task::spawn_blocking(move || command.output().unwrap())
    };
    let said = post(&["post", "written nowhere"]).await.unwrap();
    let stderr = String::from_utf8_lossy(&said.stderr);
    assert_eq!(said.status.code(), Some(1), "{stderr}");
    let posted = Client::new(sandbox.base_url().clone())
        .unwrap()
        .with_access_token(token.clone())
        .accounts()
        .verify_credentials()
        .await
        .unwrap();
    assert_eq!(posted.statuses_count, 1);
    assert!(
        stderr.starts_with("error: The output could not be written (")
            && stderr.contains(&format!(
                "), though the status was posted (http://{}/@{}/",
                sandbox.base_url().authority(),
                crate::USER
            ))
            && stderr.contains("so the same command run again would post it twice; check where it goes, such as a full disk."),
        "{stderr}"
    );
    let said = post(&[
        "post",
        "--thread",
        "--max-characters",
        "20",
        "one two three four five six seven eight nine ten",
    ])
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&said.stderr);
    assert_eq!(said.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("), though part 1 was posted (")
            && stderr.contains("and the same command run again within the hour posts the rest without repeating any;"),
        "{stderr}"
    );
    // With --json, the thread is printed once it is all posted.
    let said = post(&[
        "--json",
        "post",
        "--thread",
        "--max-characters",
        "20",
        "ten nine eight seven six five four three two one",
    ])
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&said.stderr);
    assert_eq!(said.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("), though the thread was posted (")
            && stderr.contains(" parts, the last at "),
        "{stderr}"
    );
}

/// A server whose answer holds a value of the wrong kind: the post is read all the same,
/// and what was left out is said, not dropped in silence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_careless_server_sent_and_tootkit_left_out_is_said() {
    let answer = serde_json::json!({
        "id": "7",
        "uri": "https://careless.example/statuses/7",
        "url": "https://careless.example/@bot/7",
        "visibility": "public",
        "content": "<p>hi</p>",
        "favourited": 7,
        "account": {
            "id": "1", "username": "bot", "acct": "bot", "url": "https://careless.example/@bot",
            "source": "none", "moved": [],
        },
        "mentions": "none",
        "spoiler_text": "",
        "sensitive": false,
        "media_attachments": [],
        "language": "en",
        "created_at": "2026-11-28T00:00:00.000Z",
        "quote_approval": {"automatic": 5},
    })
    .to_string();
    let router = axum::Router::new().route(
        "/api/v1/statuses",
        axum::routing::post(move || {
            let answer = answer.clone();
            async move { ([("content-type", "application/json")], answer) }
        }),
    );
    let base = format!("http://{}", crate::serve(router).await);
    let home = Home::new("careless");
    let mut command = home.tootkit_as(&base, "a-token");
    command.args(["post", "hi"]);
    let posted = crate::run(command, None).await.success();
    assert_eq!(posted.stdout.trim(), "https://careless.example/@bot/7");
    for said in [
        "warning: the server's answer held a number where a flag belongs, so it was left out",
        "warning: the server's answer held a string where a list belongs, so it was left out",
        "warning: the server's answer held an AccountSource that could not be read (",
    ] {
        assert!(posted.stderr.contains(said), "{said}: {}", posted.stderr);
    }
    // An empty list for an absent object, as PHP writes one, is no news.
    assert!(!posted.stderr.contains("Account that"), "{}", posted.stderr);
}

//! A program written for Mastodon.py, run unchanged against `tootkit sandbox`:
//! `create_app`, `auth_request_url`, sign-in in the "browser", `log_in` with the code,
//! `toot`. Needs a Python with Mastodon.py (`TOOTKIT_PYTHON`); the README's test
//! command makes one.

use std::process::Command;

use crate::{Home, PASSWORD, USER, sandbox, skip_or_fail};

const PROGRAM: &str = r#"
import html, re, sys, requests
from mastodon import Mastodon

base = sys.argv[1]
# A user agent of the program's own, when given.
own = {"user_agent": sys.argv[4]} if len(sys.argv) > 4 else {}
# The walkthrough, unchanged.
Mastodon.create_app("pytooterapp", api_base_url=base, to_file="pytooter_clientcred.secret", **own)
mastodon = Mastodon(client_id="pytooter_clientcred.secret", **own)
url = mastodon.auth_request_url()

# The person: opens the URL, signs in, authorizes, copies the code.
browser = requests.Session()
# The hidden fields of a page's first form (on the consent page: Authorize).
hidden = lambda page: {k: html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text.split("</form>")[0])}
page = browser.get(url)
page = browser.post(base + "/auth/sign_in", data={**hidden(page), "user[email]": sys.argv[2], "user[password]": sys.argv[3]})
page = browser.post(base + "/oauth/authorize", data=hidden(page))
code = re.search(r'id="code" class="code" readonly value="([^"]+)"', page.text).group(1)

mastodon.log_in(code=code, to_file="pytooter_usercred.secret")
mastodon = Mastodon(access_token="pytooter_usercred.secret", **own)
status = mastodon.toot("howdy universe!")
print(status["url"])
print(mastodon.account_verify_credentials()["acct"])

# The walkthrough's password login, which Mastodon 4.4 removed.
from mastodon import MastodonIllegalArgumentError
try:
    Mastodon(client_id="pytooter_clientcred.secret", **own).log_in(sys.argv[2] + "@localhost", sys.argv[3])
    print("the password login worked")
except MastodonIllegalArgumentError as refused:
    print(refused)
"#;

/// What Mastodon.py says of a password login on the sandbox: the OAuth metadata, which
/// would have told it the grant is gone, is withheld from it (its endpoints are not
/// https; see the README), so it sends the grant and reports Mastodon 4.4's refusal.
const NO_PASSWORD_FLOW: &str = "Invalid user name, password, or redirect_uris: ('Mastodon API returned error', 400, 'Bad Request', 'unsupported_grant_type')";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mastodon_py_program_runs_unchanged_against_the_sandbox() {
    let sandbox = sandbox().await;
    let Some((usercred, password_login)) =
        run_program(&sandbox.base_url().to_string(), USER, PASSWORD, &[]).await
    else {
        return;
    };
    // Refused, as Mastodon 4.4 and later refuse it.
    assert_eq!(password_login, NO_PASSWORD_FLOW);
    // Moving to tootkit: the file log_in(to_file=…) wrote is taken whole, the token
    // with its instance and the application that revokes it.
    let home = Home::new("from-mastodon-py");
    let added = home
        .run_with_input(&["auth", "add-token"], &usercred)
        .await
        .success();
    assert!(
        added.stderr.contains(&format!(
            "The token works for @{USER} on {}",
            sandbox.base_url().authority()
        )),
        "{}",
        added.stderr
    );
    home.run(&["post", "moved to tootkit"]).await.success();
    let logout = home.run(&["auth", "logout"]).await.success();
    assert!(
        logout.stderr.contains("Revoked the token"),
        "{}",
        logout.stderr
    );
    let mut lines = usercred.lines();
    let revoked = tootkit::Client::builder(sandbox.base_url().clone())
        .access_token(tootkit::AccessToken::new(lines.next().unwrap()))
        .build()
        .unwrap()
        .accounts()
        .verify_credentials()
        .await;
    assert!(
        matches!(revoked, Err(tootkit::Error::Unauthorized { .. })),
        "{revoked:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mastodon_py_program_with_its_own_user_agent_runs_unchanged_too() {
    // Recognised by the headers of Python's requests rather than by its user agent.
    let sandbox = sandbox().await;
    let outcome = run_program(
        &sandbox.base_url().to_string(),
        USER,
        PASSWORD,
        &["weatherbot/2.1"],
    )
    .await;
    if let Some((_, password_login)) = outcome {
        assert_eq!(password_login, NO_PASSWORD_FLOW);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mastodon_py_program_runs_against_a_sandbox_before_4_3() {
    let sandbox =
        crate::sandbox_with(tootkit_sandbox::SandboxConfig::in_memory().before_4_3(true)).await;
    run_program(
        &sandbox.base_url().to_string(),
        USER,
        PASSWORD,
        &["weatherbot/2.1"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mastodon_py_program_runs_against_the_sandbox_command_as_a_new_user_starts_it() {
    // `tootkit sandbox`, as the README has a new user start it: no --user, so the demo
    // account, whose password the banner prints.
    let home = Home::new("python-command");
    let (mut server, base, banner) =
        crate::commands::start_sandbox(&home, &["--port", "0", "--in-memory"]).await;
    let password = banner
        .iter()
        .find_map(|line| line.trim().strip_prefix("demo  password: "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("the banner names the demo account's password: {banner:?}"))
        .to_owned();
    run_program(&base, "demo", &password, &[]).await;
    server.kill().unwrap();
    server.wait().unwrap();
}

/// Runs [`PROGRAM`] against the sandbox at `base` as `login`, checks it posted and read
/// its account, and gives back the file its `log_in(to_file=…)` wrote and what its
/// password login printed (`None`: skipped).
async fn run_program(
    base: &str,
    login: &str,
    password: &str,
    extra: &[&str],
) -> Option<(String, String)> {
    let Some(python) = std::env::var_os("TOOTKIT_PYTHON") else {
        skip_or_fail(
            "TOOTKIT_PYTHON does not name a Python with Mastodon.py (the README's test command sets it)",
        );
        return None;
    };
    let base = base.trim_end_matches('/').to_owned();
    // One directory per sandbox (its port is its own while it runs): the program
    // writes its secret files there, and the tests run side by side.
    let port = base.rsplit(':').next().expect("the sandbox's port");
    let dir = std::env::temp_dir().join(format!("tootkit-python-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut command = Command::new(python);
    command
        .current_dir(&dir)
        .args(["-c", PROGRAM, &base, login, password])
        .args(extra);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let usercred = std::fs::read_to_string(dir.join("pytooter_usercred.secret"));
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "Mastodon.py failed:\n{}\n{}",
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    let mut lines = stdout.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with(&format!("{base}/@{login}/")),
        "{stdout}"
    );
    assert_eq!(lines.next(), Some(login));
    let password_login = lines.next().unwrap_or_default().to_owned();
    Some((usercred.expect("log_in wrote its file"), password_login))
}

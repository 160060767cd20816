//! `tootkit count`, `tootkit post` over the limit, and `tootkit post --thread`, killed
//! half-way and run again.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::{Request, State};
use axum::response::Response;

use tootkit::text::{Limits, ThreadOptions, split_thread, status_length};
use tootkit::{AccessToken, Client, Status, Visibility};

use crate::{Home, PASSWORD, USER, web_token};

/// About 3,000 characters of prose with links, mentions and hashtags, in paragraphs.
fn long_text() -> String {
    let paragraph = |n: usize| {
        format!(
            "Paragraph {n} starts here, and it goes on for a while so that the thread has \
             something to cut. It links to https://example.com/posts/{n}/a-rather-long-slug-that-counts-as-23 \
             and thanks @bob for the idea. Then it says more: sentences, clauses; words, \
             and a #hashtag{n} to finish the thought before the next one begins."
        )
    };
    (1..=10).map(paragraph).collect::<Vec<_>>().join("\n\n")
}

/// The status IDs in the URLs a command printed, one per line.
fn ids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|url| url.rsplit('/').next().unwrap_or_default().to_owned())
        .collect()
}

async fn statuses_on_server(client: &Client) -> u64 {
    let instance = client.instance().v1().await.unwrap();
    instance.stats.unwrap()["status_count"].as_u64().unwrap()
}

/// Checks that the sandbox holds no status at all.
async fn assert_nothing_posted(sandbox: &tootkit_sandbox::Sandbox, token: AccessToken, why: &str) {
    let client = Client::builder(sandbox.base_url().clone())
        .access_token(token)
        .build()
        .unwrap();
    assert_eq!(statuses_on_server(&client).await, 0, "{why}");
}

/// The text of a status's HTML as the sandbox renders a local one: paragraphs and line
/// breaks back to newlines, the tags dropped, the few escapes undone.
fn plain_text(html: &str) -> String {
    let lines = html.replace("</p><p>", "\n\n").replace("<br />", "\n");
    let mut text = String::new();
    let mut in_tag = false;
    for c in lines.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Checks that `ids` are the thread of `parts`: each a reply to the one before, the
/// first public, the rest unlisted, with the parts' text.
async fn assert_chain(client: &Client, ids: &[String], parts: &[String]) {
    assert_eq!(ids.len(), parts.len(), "one status per part");
    let mut previous: Option<Status> = None;
    for (id, part) in ids.iter().zip(parts) {
        let status = client.statuses().get(id).await.unwrap();
        assert_eq!(
            status.in_reply_to_id,
            previous.as_ref().map(|p| p.id.clone()),
            "each part replies to the one before"
        );
        let expected = if previous.is_none() {
            Visibility::Public
        } else {
            Visibility::Unlisted
        };
        assert_eq!(status.visibility, expected);
        assert_eq!(plain_text(&status.content), *part, "{}", status.content);
        previous = Some(status);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_measures_and_post_refuses_what_does_not_fit() {
    let sandbox = crate::sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("count");
    let text = long_text();
    let length = status_length(&text, "", Limits::default());
    assert!(length > 2500, "{length}");

    // Without an instance, the defaults, said to be so.
    // Too long: counted all the same, and a failure (exit 2, as `post` would give),
    // so that a script may ask before posting.
    let defaults = home.run_with_input(&["count", "-"], &text).await.failure(2);
    assert!(
        defaults
            .stdout
            .starts_with(&format!("{length}/500 (Mastodon's default limit")),
        "{}",
        defaults.stdout
    );
    assert_eq!(
        defaults.stderr.trim(),
        format!(
            "error: The text is {length} characters and Mastodon allows 500 by default; shorten it, or post it as a thread with `tootkit post --thread`."
        )
    );

    // Signed out: the defaults, and how to use the instance's.
    let short = home.run(&["count", "hi"]).await.success();
    assert_eq!(
        short.stdout,
        "2/500 (Mastodon's default limit; sign in to use your instance's)\n"
    );
    // Credentials in use that cannot be: the defaults, and why, in the error's words.
    let mut command = home.tootkit();
    command
        .args(["count", "hi"])
        .env("MASTODON_ACCESS_TOKEN", "zzz");
    let half = crate::run(command, None).await.success();
    assert_eq!(half.stdout, "2/500 (Mastodon's default limit)\n");
    assert!(
        half.stderr
            .starts_with("warning: counting with Mastodon's defaults. MASTODON_ACCESS_TOKEN")
            || half
                .stderr
                .starts_with("warning: counting with Mastodon's defaults. MASTODON_API_BASE_URL"),
        "{}",
        half.stderr
    );

    let token = web_token(&sandbox, USER, PASSWORD, "read write").await;
    let with_env = |args: &[&str]| {
        let mut command = home.tootkit_as(&base, token.expose());
        command.args(args);
        command
    };
    let authority = sandbox.base_url().authority().to_owned();
    let counted = crate::run(
        with_env(&["count", "--json", "--cw", "cw", "@bob@example.org"]),
        None,
    )
    .await
    .success();
    let json: serde_json::Value = serde_json::from_str(&counted.stdout).unwrap();
    assert_eq!(json["length"], 6, "cw 2 + @bob 4");
    assert_eq!(json["max_characters"], 500);
    assert_eq!(json["fits"], true);
    assert_eq!(json["instance"], sandbox.base_url().to_string().as_str());

    let refused = crate::run(with_env(&["post", "-"]), Some(text.clone()))
        .await
        .failure(2);
    assert!(
        refused.stderr.contains(&format!(
            "The text is {length} characters and {authority} allows 500; shorten it, or post it as a thread with --thread."
        )),
        "{}",
        refused.stderr
    );
    // A content warning that takes most of the room is what to shorten: a thread would
    // repeat it on every part.
    let warning = "w".repeat(499);
    let refused = crate::run(with_env(&["post", "--cw", &warning, "hi"]), None)
        .await
        .failure(2);
    let advice = format!(
        "The content warning (499 characters) and the text are 501 characters together and {authority} allows 500; shorten the content warning, which a thread would repeat on every part."
    );
    assert!(refused.stderr.contains(&advice), "{}", refused.stderr);
    // `count` refuses what `post` refuses, an empty text too.
    for (args, said) in [
        (
            &["count", ""][..],
            "error: The text is empty, and Mastodon posts no empty status; write something.",
        ),
        (
            &["count", "--cw", "cw", " "][..],
            "error: The text is empty, and Mastodon would post the content warning as the text with nothing behind it; give the text as well, or post the words as the text without --cw.",
        ),
    ] {
        let empty = crate::run(with_env(args), None).await.failure(2);
        assert_eq!(empty.stderr.trim_end(), said, "{args:?}");
    }
    // With --json, a script reads that nothing fits before the error.
    let empty = crate::run(with_env(&["--json", "count", " "]), None)
        .await
        .failure(2);
    let counted: serde_json::Value = serde_json::from_str(&empty.stdout).unwrap();
    assert_eq!(
        (counted["length"].as_u64(), counted["fits"].as_bool()),
        (Some(0), Some(false))
    );
    assert!(
        empty.stderr.starts_with("error: The text is empty"),
        "{}",
        empty.stderr
    );
    // `count` gives the same advice.
    let counted = crate::run(with_env(&["count", "--cw", &warning, "hi"]), None)
        .await
        .failure(2);
    assert!(counted.stdout.starts_with("501/500"), "{}", counted.stdout);
    assert!(counted.stderr.contains(&advice), "{}", counted.stderr);
    let refused = crate::run(with_env(&["post", "--cw", "cw", &"t".repeat(499)]), None)
        .await
        .failure(2);
    assert!(
        refused.stderr.contains(&format!(
            "The content warning and the text are 501 characters together and {authority} allows 500; shorten them, or post the text as a thread with --thread."
        )),
        "{}",
        refused.stderr
    );
    assert_nothing_posted(&sandbox, token, "nothing was sent").await;
}

/// A proxy in front of the sandbox that lets the first `open` posted statuses through
/// and leaves every later one unanswered (or, with `reset_in`, answers it with a 429
/// whose limit resets that long after), so that a thread stops where a test says; with
/// `publishes`, its instance description names that limit instead of the sandbox's (a
/// server that counts otherwise than it says).
struct Gate {
    upstream: url::Url,
    http: reqwest::Client,
    open: usize,
    reset_in: Option<time::Duration>,
    publishes: Option<usize>,
    posts: AtomicUsize,
}

impl Gate {
    /// Starts the gate on a free loopback port and returns its base URL.
    async fn start(sandbox: &tootkit_sandbox::Sandbox, open: usize) -> String {
        Self::start_with(sandbox, open, None).await
    }

    async fn start_with(
        sandbox: &tootkit_sandbox::Sandbox,
        open: usize,
        reset_in: Option<time::Duration>,
    ) -> String {
        Self::launch(sandbox, open, reset_in).await.0
    }

    /// Starts the gate and gives it back too, to count the posts it has seen.
    async fn launch(
        sandbox: &tootkit_sandbox::Sandbox,
        open: usize,
        reset_in: Option<time::Duration>,
    ) -> (String, Arc<Self>) {
        Self::serve(sandbox, open, reset_in, None).await
    }

    /// Starts a gate that lets every post through and says the instance allows
    /// `max_characters`.
    async fn publishing(sandbox: &tootkit_sandbox::Sandbox, max_characters: usize) -> String {
        Self::serve(sandbox, usize::MAX, None, Some(max_characters))
            .await
            .0
    }

    async fn serve(
        sandbox: &tootkit_sandbox::Sandbox,
        open: usize,
        reset_in: Option<time::Duration>,
        publishes: Option<usize>,
    ) -> (String, Arc<Self>) {
        let gate = Arc::new(Self {
            upstream: sandbox.base_url().as_url().clone(),
            http: reqwest::Client::new(),
            open,
            reset_in,
            publishes,
            posts: AtomicUsize::new(0),
        });
        let router = axum::Router::new().fallback(pass).with_state(gate.clone());
        (format!("http://{}/", crate::serve(router).await), gate)
    }
}

async fn pass(State(gate): State<Arc<Gate>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let posting =
        parts.method == axum::http::Method::POST && parts.uri.path() == "/api/v1/statuses";
    if posting && gate.posts.fetch_add(1, Ordering::SeqCst) >= gate.open {
        let Some(reset_in) = gate.reset_in else {
            return std::future::pending().await;
        };
        let reset = time::OffsetDateTime::now_utc() + reset_in;
        let reset = reset
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        return Response::builder()
            .status(429)
            .header("content-type", "application/json")
            .header("x-ratelimit-limit", "300")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", reset)
            .body(axum::body::Body::from(r#"{"error":"Too many requests"}"#))
            .unwrap();
    }
    let parts_path = parts.uri.path().to_owned();
    let target = gate
        .upstream
        .join(parts.uri.path_and_query().map_or("/", |p| p.as_str()))
        .unwrap();
    let mut forwarded = gate.http.request(parts.method, target).body(body);
    for (name, value) in &parts.headers {
        if name != axum::http::header::HOST {
            forwarded = forwarded.header(name, value);
        }
    }
    let answer = forwarded.send().await.unwrap();
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        // The length is the body's own, which may be rewritten below.
        if name != axum::http::header::TRANSFER_ENCODING
            && name != axum::http::header::CONTENT_LENGTH
        {
            response = response.header(name, value);
        }
    }
    let mut body = answer.bytes().await.unwrap();
    if let Some(max) = gate.publishes
        && parts_path == "/api/v2/instance"
    {
        let mut instance: serde_json::Value = serde_json::from_slice(&body).unwrap();
        instance["configuration"]["statuses"]["max_characters"] = max.into();
        body = serde_json::to_vec(&instance).unwrap().into();
    }
    response.body(axum::body::Body::from(body)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_stopped_by_a_rate_limit_past_the_hour_is_not_run_again() {
    let sandbox = crate::sandbox().await;
    let home = Home::new("thread-limited");
    let token = web_token(&sandbox, USER, PASSWORD, "read write").await;
    // Past the hour, or so close to its end that a re-run would likely come too late.
    for reset_in in [time::Duration::hours(2), time::Duration::minutes(55)] {
        let gate = Gate::start_with(&sandbox, 2, Some(reset_in)).await;
        let mut command = home.tootkit_as(&gate, token.expose());
        command.args(["--json", "post", "--thread", "-"]);
        let stopped = crate::run(command, Some(long_text())).await.failure(4);
        // The keys of the parts posted lapse before the limit resets: a re-run would post
        // them again, so the advice is to go on from the last part.
        let posted: Vec<serde_json::Value> = serde_json::from_str(&stopped.stdout).unwrap();
        assert_eq!(
            posted.len(),
            2,
            "the parts posted, as JSON: {}",
            stopped.stdout
        );
        let last = posted[1]["id"].as_str().unwrap();
        let lapse = if reset_in > time::Duration::hours(1) {
            "before the rate limit resets, so running the same command again then would post them twice"
        } else {
            "minutes after the rate limit resets, so running the same command again then could post them twice"
        };
        assert!(
        stopped.stderr.contains(&format!(
            "2 parts are posted, but their keys lapse {lapse}; post the rest instead with `tootkit post --thread --reply-to {last} --visibility unlisted -` and the same --cw and --language."
        )),
        "{}",
        stopped.stderr
    );
    }
    // A reset well within the hour: the same command again, then.
    let gate = Gate::start_with(&sandbox, 2, Some(time::Duration::minutes(5))).await;
    let mut command = home.tootkit_as(&gate, token.expose());
    command.args(["post", "--thread", "-"]);
    let stopped = crate::run(command, Some(long_text())).await.failure(4);
    assert!(
        stopped.stderr.contains(
            "2 parts are posted; run the same command again within the hour to post the rest without repeating them."
        ),
        "{}",
        stopped.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_killed_after_two_parts_completes_without_duplicates_when_run_again() {
    let sandbox = crate::sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("thread");
    let token = web_token(&sandbox, USER, PASSWORD, "read write").await;
    let client = Client::builder(sandbox.base_url().clone())
        .access_token(token.clone())
        .build()
        .unwrap();
    let text = long_text();
    let parts = split_thread(&text, &ThreadOptions::new(Limits::default())).unwrap();
    assert!(parts.len() >= 6, "{} parts", parts.len());

    // The first run posts through a gate that holds the third part unanswered.
    let gate = Gate::start(&sandbox, 2).await;
    let thread_command = |base: &str| {
        let mut command = home.tootkit_as(base, token.expose());
        command
            .args(["post", "--thread", "--visibility", "public", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    };

    // First run: read the URLs as they come and kill the process after the second, while
    // it waits for the third.
    let first_two = {
        let text = text.clone();
        let mut child = crate::Reaped::new(thread_command(&gate).spawn().unwrap());
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
            let first = lines.next().unwrap().unwrap();
            let second = lines.next().unwrap().unwrap();
            child.kill().unwrap();
            child.wait().unwrap();
            vec![first, second]
        })
        .await
        .unwrap()
    };
    assert_eq!(
        statuses_on_server(&client).await,
        2,
        "two parts posted before the kill"
    );

    // Second run: the same command posts the rest, and answers the first parts with
    // the statuses already made, and says so. (Some seconds on by the server's clock,
    // which it tells by its `Date` to the second, as the parts' dates.)
    sandbox.advance_clock(std::time::Duration::from_secs(5));
    let rerun = crate::run(thread_command(&base), Some(text.clone()))
        .await
        .success();
    assert!(
        rerun.stderr.contains(&format!(
            "2 of the {} parts had already been posted by an earlier run; the other {} were posted now.",
            parts.len(),
            parts.len() - 2
        )),
        "{}",
        rerun.stderr
    );
    let urls: Vec<&str> = rerun.stdout.lines().collect();
    assert_eq!(urls.len(), parts.len(), "{}", rerun.stdout);
    assert_eq!(urls[..2], [first_two[0].as_str(), first_two[1].as_str()]);
    assert_eq!(
        statuses_on_server(&client).await,
        parts.len() as u64,
        "no part was posted twice"
    );
    assert_chain(&client, &ids(&rerun.stdout), &parts).await;

    // Once more, for good measure: nothing new, and said so.
    sandbox.advance_clock(std::time::Duration::from_secs(5));
    let again = crate::run(thread_command(&base), Some(text))
        .await
        .success();
    assert_eq!(again.stdout, rerun.stdout);
    assert!(
        again.stderr.contains(&format!(
            "All {} parts had already been posted by an earlier run; nothing new was posted.",
            parts.len()
        )),
        "{}",
        again.stderr
    );
    assert_eq!(statuses_on_server(&client).await, parts.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_interrupted_with_ctrl_c_prints_the_parts_posted_and_how_to_finish() {
    let sandbox = crate::sandbox().await;
    let home = Home::new("thread-interrupted");
    let token = web_token(&sandbox, USER, PASSWORD, "read write").await;
    let client = Client::builder(sandbox.base_url().clone())
        .access_token(token.clone())
        .build()
        .unwrap();
    // The third part is held unanswered, so the command is at work when interrupted.
    let (gate, watched) = Gate::launch(&sandbox, 2, None).await;
    let mut command = home.tootkit_as(&gate, token.expose());
    command
        .args(["--json", "post", "--thread", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = crate::Reaped::new(command.spawn().unwrap());
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(long_text().as_bytes()).unwrap();
    }
    // The third part sent: the command has read the second's answer.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while watched.posts.load(Ordering::SeqCst) < 3 {
        assert!(std::time::Instant::now() < deadline, "two parts in time");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(statuses_on_server(&client).await, 2);
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: sends a signal to the child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let output = tokio::task::spawn_blocking(move || child.into_inner().wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    let posted: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(posted.len(), 2, "{stderr}");
    assert!(
        stderr.starts_with(
            "error: Interrupted when 2 parts were posted, and the one being sent may have been made too; run the same command again within the hour to post the rest without repeating any."
        ),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_with_a_lower_limit_refuses_in_the_same_words() {
    // A text within Mastodon's default 500 is sent without asking for the limits, so
    // an instance allowing less refuses it itself; the user reads the same sentence, and
    // the same exit code, as when tootkit refuses before sending.
    let sandbox = crate::sandbox_with(tootkit_sandbox::SandboxConfig::in_memory().limits(Limits {
        max_characters: 100,
        characters_reserved_per_url: 23,
    }))
    .await;
    let home = Home::new("lower-limit");
    let token = web_token(&sandbox, USER, PASSWORD, "read write").await;
    let base = sandbox.base_url().to_string();
    let authority = sandbox.base_url().authority().to_owned();
    let with_env = |args: &[&str]| {
        let mut command = home.tootkit_as(&base, token.expose());
        command.args(args);
        command
    };
    let refused = crate::run(with_env(&["post", &"a".repeat(150)]), None)
        .await
        .failure(2);
    assert!(
        refused.stderr.starts_with(&format!(
            "error: The text is 150 characters and {authority} allows 100; shorten it, or post it as a thread with --thread."
        )),
        "{}",
        refused.stderr
    );
    let counted = crate::run(with_env(&["count", &"a".repeat(150)]), None)
        .await
        .failure(2);
    assert!(
        counted
            .stdout
            .starts_with(&format!("150/100 (the limit of {authority})")),
        "{}",
        counted.stdout
    );
    assert_nothing_posted(&sandbox, token, "nothing was posted").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_that_counts_otherwise_is_not_contradicted() {
    // Links count 200 there: a text short by Mastodon's rules is over its limit, and
    // the user hears both counts rather than "27 characters, 100 allowed".
    let sandbox = crate::sandbox_with(tootkit_sandbox::SandboxConfig::in_memory().limits(Limits {
        max_characters: 100,
        characters_reserved_per_url: 200,
    }))
    .await;
    let home = Home::new("counts-otherwise");
    let token = web_token(&sandbox, USER, PASSWORD, "read write").await;
    let base = sandbox.base_url().to_string();
    let authority = sandbox.base_url().authority().to_owned();
    let mut command = home.tootkit_as(&base, token.expose());
    command.args(["post", "see https://example.com/"]);
    let refused = crate::run(command, None).await.failure(2);
    assert!(
        refused.stderr.starts_with(&format!(
            "error: {authority} refused the text as over its limit of 100 characters, though tootkit counts 27; that server counts otherwise, so shorten the text until it takes it."
        )),
        "{}",
        refused.stderr
    );
    assert_nothing_posted(&sandbox, token, "nothing was posted").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_refused_by_a_server_that_counts_otherwise_is_not_to_be_run_again() {
    // It says 1,000 and takes 500: the parts, cut to 1,000, are refused.
    let sandbox = crate::sandbox().await;
    let home = Home::new("publishes-more");
    let token = web_token(&sandbox, USER, PASSWORD, "read write").await;
    let base = Gate::publishing(&sandbox, 1000).await;
    let authority = url::Url::parse(&base).unwrap().authority().to_owned();
    let mut command = home.tootkit_as(&base, token.expose());
    command.args(["post", "--thread", "-"]);
    let refused = crate::run(command, Some(long_text())).await.failure(2);
    assert!(
        refused.stderr.starts_with(&format!(
            "error: {authority} refused part 1 of the thread as over its limit of 500 characters, though tootkit cut it to fit; that server counts otherwise, so run the same command with `--max-characters 450` to cut smaller parts.\n"
        )),
        "{}",
        refused.stderr
    );
    // Refused after a first part short enough for either limit (a paragraph of its
    // own): the rest goes on from it, as running the same command would post it twice.
    // (Some 300 characters: a paragraph fills enough of a part cut for 1,000.)
    let opening = "An opening paragraph that either limit takes. ".repeat(6);
    let text = format!(
        "{}\n\n{}",
        opening.trim_end(),
        "A sentence that goes on and on. ".repeat(40)
    );
    let mut command = home.tootkit_as(&base, token.expose());
    command.args(["post", "--thread", "-"]);
    let refused = crate::run(command, Some(text)).await.failure(2);
    let first = ids(&refused.stdout);
    assert_eq!(first.len(), 1, "{}", refused.stdout);
    assert!(
        refused.stderr.starts_with(&format!(
            "error: {authority} refused part 2 of the thread as over its limit of 500 characters, though tootkit cut it to fit; that server counts otherwise, so post the rest of the text (from part 2 on) with `tootkit post --thread --max-characters 450 --reply-to {} --visibility unlisted -` and the same --cw and --language, as running this command again would post the parts before it twice.\n",
            first[0]
        )),
        "{}",
        refused.stderr
    );

    // More than the instance says it takes is refused before anything is sent.
    let mut command = home.tootkit_as(&sandbox.base_url().to_string(), token.expose());
    command.args(["post", "--thread", "--max-characters", "1000", "-"]);
    let refused = crate::run(command, Some(long_text())).await.failure(2);
    assert!(
        refused.stderr.starts_with(&format!(
            "error: Parts of at most 1000 characters were asked for, but {} takes a post of up to 500 characters; ask for 1 to 500 instead.\n",
            sandbox.base_url().authority()
        )),
        "{}",
        refused.stderr
    );
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);

    // As advised: cut for 450, every part is one the sandbox (500) takes.
    let mut command = home.tootkit_as(&base, token.expose());
    command.args(["--json", "post", "--thread", "--max-characters", "450", "-"]);
    let posted = crate::run(command, Some(long_text())).await.success();
    let parts: Vec<serde_json::Value> = serde_json::from_str(&posted.stdout).unwrap();
    assert!(parts.len() > 1);
    assert!(
        parts[0]["content"]
            .as_str()
            .is_some_and(|html| html.ends_with(&format!(" 1/{}</p>", parts.len())))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_uses_the_defaults_when_the_instance_is_out_of_reach() {
    let (_refusing, addr) = crate::refusing_port();
    let port = addr.port();
    let home = Home::new("count-offline");
    let mut command = home.tootkit_as(&format!("http://127.0.0.1:{port}"), "not-needed-to-count");
    command.args(["count", "howdy universe!"]);
    let counted = crate::run(command, None).await.success();
    assert!(
        counted
            .stdout
            .starts_with("15/500 (Mastodon's default limit"),
        "{}",
        counted.stdout
    );
    assert!(
        counted
            .stderr
            .starts_with("warning: counting with Mastodon's defaults, as the limits of 127.0.0.1:"),
        "{}",
        counted.stderr
    );
    assert!(!counted.all().contains("not-needed-to-count"));

    // Without credentials, the defaults; with a profile asked for that does not exist,
    // the usage error every command gives.
    home.run(&["count", "x"]).await.success();
    let missing = home
        .run(&["--profile", "nope", "count", "x"])
        .await
        .failure(2);
    assert!(
        missing
            .stderr
            .contains("There is no profile named `nope`, nor any other; sign in under this name"),
        "{}",
        missing.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_options_reach_every_part() {
    let sandbox = crate::sandbox().await;
    let home = Home::new("thread-options");
    let token = web_token(&sandbox, USER, PASSWORD, "read write").await;
    let text = format!(
        "@bob@example.org {}",
        "A sentence that keeps the thread going. ".repeat(30)
    );
    let mut command = home.tootkit_as(&sandbox.base_url().to_string(), token.expose());
    command.args([
        "post",
        "--thread",
        "--no-numbering",
        "--carry-mentions",
        "--cw",
        "long read",
        "--visibility",
        "private",
        "-",
    ]);
    let posted = crate::run(command, Some(text)).await.success();
    let ids = ids(posted.stdout.trim());
    assert!(ids.len() >= 3, "{}", posted.stdout);
    let client = Client::builder(sandbox.base_url().clone())
        .access_token(token)
        .build()
        .unwrap();
    for (index, id) in ids.iter().enumerate() {
        let status = client.statuses().get(id).await.unwrap();
        assert_eq!(
            status.spoiler_text, "long read",
            "the warning on every part"
        );
        assert_eq!(
            status.visibility,
            Visibility::Private,
            "replies to a private first part stay private"
        );
        assert!(
            status.content.starts_with("<p>@bob@example.org "),
            "part {index} carries the mention: {}",
            status.content
        );
        assert!(
            !status.content.contains(&format!("/{}", ids.len())),
            "no numbering: {}",
            status.content
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_that_would_flood_is_refused_before_posting() {
    let sandbox = crate::sandbox().await;
    let home = Home::new("flood");
    let token = web_token(&sandbox, USER, PASSWORD, "read write").await;
    let base = sandbox.base_url().to_string();
    let post = |args: &[&str], text: String| {
        let mut command = home.tootkit_as(&base, token.expose());
        command.args(["post", "--thread"]).args(args).arg("-");
        crate::run(command, Some(text))
    };
    // A warning repeated on every part that leaves a few characters for the text.
    let warning = "w".repeat(490);
    let refused = post(&["--cw", &warning], "t ".repeat(300)).await.failure(2);
    assert!(
        refused
            .stderr
            .contains("the content warning is 490 characters and every part repeats it"),
        "{}",
        refused.stderr
    );
    // More parts than allowed.
    let needed = split_thread(
        &long_text(),
        &ThreadOptions::new(Limits::default()).max_parts(usize::MAX),
    )
    .unwrap()
    .len();
    let beyond = post(&["--max-parts", "301"], long_text()).await.failure(2);
    assert!(
        beyond
            .stderr
            .contains("give a whole number of parts from 1 to 300."),
        "{}",
        beyond.stderr
    );
    let refused = post(&["--max-parts", "3"], long_text()).await.failure(2);
    assert!(
        refused.stderr.contains(&format!(
            "the thread would take {needed} posts, more than the 3 allowed"
        )) && refused.stderr.contains(&format!(
            "Pass --max-parts {needed} to post it as {needed} parts."
        )),
        "{}",
        refused.stderr
    );
    assert_nothing_posted(&sandbox, token, "nothing was posted").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_whose_reader_stops_reading_is_posted_whole() {
    // `tootkit post --thread - | head -1`: stdout closes after the first line.
    let sandbox = crate::sandbox().await;
    let base = sandbox.base_url().to_string();
    let home = Home::new("closed-stdout");
    let token = web_token(&sandbox, USER, PASSWORD, "read write").await;
    let client = Client::builder(sandbox.base_url().clone())
        .access_token(token.clone())
        .build()
        .unwrap();
    let text = long_text();
    let parts = split_thread(&text, &ThreadOptions::new(Limits::default())).unwrap();
    let mut command = home.tootkit_as(&base, token.expose());
    command
        .args(["post", "--thread", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = crate::Reaped::new(command.spawn().unwrap());
    let output = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let mut first = [0u8; 1];
        let mut stdout = child.stdout.take().unwrap();
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        child.into_inner().wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        statuses_on_server(&client).await,
        parts.len() as u64,
        "every part was posted though nobody read the URLs"
    );
}

//! The sandbox's JSON has the shape of a real Mastodon's: every field a recorded
//! Mastodon 4.6.4 response has, the sandbox's answer has too, with the same JSON type,
//! and no field it does not have.

use serde_json::Value;
use tootkit::{OOB_REDIRECT_URI, Scopes};

use crate::{fast_client, fixtures, register, sandbox, user_token};

/// The recordings of the current Mastodon (4.6.4), in name order.
fn current_cassettes(fixtures: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut cassettes: Vec<_> = std::fs::read_dir(fixtures.join("mastodon-recorded/current"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cassettes.sort();
    cassettes
}

/// The first recorded response (status 200) of `method` on a path matching `path`
/// (`*` stands for one segment) whose body is JSON.
fn recorded(fixtures: &std::path::Path, method: &str, path: &str) -> Value {
    recorded_response(fixtures, method, path, |response| {
        let body = response["body"]["string"].as_str()?;
        serde_json::from_str::<Value>(body).ok()
    })
}

/// What `read` takes from the first recorded response (status 200) of `method` on a
/// path matching `path` (`*` stands for one segment) it reads something from.
fn recorded_response<T>(
    fixtures: &std::path::Path,
    method: &str,
    path: &str,
    read: impl Fn(&serde_yaml::Value) -> Option<T>,
) -> T {
    let pattern: Vec<&str> = path.split('/').collect();
    let cassettes = current_cassettes(fixtures);
    for cassette in cassettes {
        let yaml: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&cassette).unwrap()).unwrap();
        for interaction in yaml["interactions"].as_sequence().into_iter().flatten() {
            let uri = interaction["request"]["uri"].as_str().unwrap_or("");
            let Ok(url) = url::Url::parse(uri) else {
                continue;
            };
            let segments: Vec<&str> = url.path().trim_end_matches('/').split('/').collect();
            let matches = interaction["request"]["method"].as_str() == Some(method)
                && interaction["response"]["status"]["code"].as_u64() == Some(200)
                && segments.len() == pattern.len()
                && segments
                    .iter()
                    .zip(&pattern)
                    .all(|(s, p)| *p == "*" || s == p);
            if matches && let Some(found) = read(&interaction["response"]) {
                return found;
            }
        }
    }
    panic!("no recorded {method} {path}");
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Records where `sandbox` lacks a field `mastodon` has, has one it does not, or has it
/// with another JSON type, at every depth: objects field by field, lists by their first
/// items.
fn differences(what: &str, sandbox: &Value, mastodon: &Value, out: &mut Vec<String>) {
    match (sandbox, mastodon) {
        (Value::Object(ours), Value::Object(theirs)) => {
            for key in ours.keys().filter(|key| !theirs.contains_key(*key)) {
                out.push(format!("{what}.{key} is not in Mastodon's answer"));
            }
            for (key, value) in theirs {
                let path = format!("{what}.{key}");
                match ours.get(key) {
                    None => out.push(format!("{path} is missing")),
                    Some(mine)
                        if !mine.is_null() && !value.is_null() && kind(mine) != kind(value) =>
                    {
                        out.push(format!(
                            "{path} is a {} where Mastodon has a {}",
                            kind(mine),
                            kind(value)
                        ));
                    }
                    Some(mine) => differences(&path, mine, value, out),
                }
            }
        }
        (Value::Array(ours), Value::Array(theirs)) => {
            if let (Some(mine), Some(value)) = (ours.first(), theirs.first()) {
                differences(&format!("{what}[0]"), mine, value, out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_sandbox_answers_with_mastodons_json_shapes() {
    let Some(fixtures) = fixtures() else { return };
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let token = user_token(&client, "read write").await;
    let base = sandbox.base_url().to_string();
    let http = reqwest::Client::new();
    let get = |path: &str, token: Option<&str>| {
        let mut request = http.get(format!("{base}{path}"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let token_text = token.expose().to_owned();
    let mut found = Vec::new();

    let posted: Value = http
        .post(format!("{base}/api/v1/statuses"))
        .bearer_auth(&token_text)
        .form(&[("status", "Toot!")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    differences(
        "POST /api/v1/statuses",
        &posted,
        &recorded(&fixtures, "POST", "/api/v1/statuses"),
        &mut found,
    );
    let id = posted["id"].as_str().unwrap().to_owned();
    let shown = get(&format!("/api/v1/statuses/{id}"), Some(&token_text)).await;
    // Read by its author, as the sandbox's is: Mastodon adds `pinned` only then.
    let own = recorded_response(&fixtures, "GET", "/api/v1/statuses/*", |response| {
        let body = response["body"]["string"].as_str()?;
        serde_json::from_str::<Value>(body)
            .ok()
            .filter(|status| status.get("pinned").is_some())
    });
    differences("GET /api/v1/statuses/:id", &shown, &own, &mut found);
    let me = get("/api/v1/accounts/verify_credentials", Some(&token_text)).await;
    differences(
        "GET /api/v1/accounts/verify_credentials",
        &me,
        &recorded(&fixtures, "GET", "/api/v1/accounts/verify_credentials"),
        &mut found,
    );
    let looked_up = get("/api/v1/accounts/lookup?acct=alice", Some(&token_text)).await;
    differences(
        "GET /api/v1/accounts/lookup",
        &looked_up,
        &recorded(&fixtures, "GET", "/api/v1/accounts/lookup"),
        &mut found,
    );
    let v2 = get("/api/v2/instance", None).await;
    differences(
        "GET /api/v2/instance",
        &v2,
        &recorded(&fixtures, "GET", "/api/v2/instance"),
        &mut found,
    );
    let v1 = get("/api/v1/instance", None).await;
    differences(
        "GET /api/v1/instance",
        &v1,
        &recorded(&fixtures, "GET", "/api/v1/instance"),
        &mut found,
    );
    let metadata = get("/.well-known/oauth-authorization-server", None).await;
    let recorded_metadata = recorded(&fixtures, "GET", "/.well-known/oauth-authorization-server");
    differences(
        "GET /.well-known/oauth-authorization-server",
        &metadata,
        &recorded_metadata,
        &mut found,
    );
    if metadata["scopes_supported"] != recorded_metadata["scopes_supported"] {
        found.push("scopes_supported is not Mastodon 4.6's list".to_owned());
    }
    let app: Value = http
        .post(format!("{base}/api/v1/apps"))
        .form(&[
            ("client_name", "shape test"),
            ("scopes", "read write"),
            ("redirect_uris", OOB_REDIRECT_URI),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    differences(
        "POST /api/v1/apps",
        &app,
        &recorded(&fixtures, "POST", "/api/v1/apps"),
        &mut found,
    );
    let registered = register(&client, &Scopes::read()).await;
    let app_token: Value = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", registered.client_id.as_str()),
            ("client_secret", registered.client_secret.expose()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    differences(
        "POST /oauth/token",
        &app_token,
        &recorded(&fixtures, "POST", "/oauth/token"),
        &mut found,
    );
    let verified = get(
        "/api/v1/apps/verify_credentials",
        app_token["access_token"].as_str(),
    )
    .await;
    differences(
        "GET /api/v1/apps/verify_credentials",
        &verified,
        &recorded(&fixtures, "GET", "/api/v1/apps/verify_credentials"),
        &mut found,
    );
    // No recording has it: the documentation's example stands in.
    let profile_token = user_token(&client, "profile").await;
    let userinfo = get("/oauth/userinfo", Some(profile_token.expose())).await;
    let documented: Value = serde_json::from_str(
        &std::fs::read_to_string(
            fixtures.join("mastodon-docs/methods/oauth/Retrieve-user-information.200-OK.07.json"),
        )
        .unwrap(),
    )
    .unwrap();
    differences("GET /oauth/userinfo", &userinfo, &documented, &mut found);
    let deleted: Value = http
        .delete(format!("{base}/api/v1/statuses/{id}"))
        .bearer_auth(&token_text)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    differences(
        "DELETE /api/v1/statuses/:id",
        &deleted,
        &recorded(&fixtures, "DELETE", "/api/v1/statuses/*"),
        &mut found,
    );

    let refused = get("/api/v1/accounts/verify_credentials", Some("not-a-token")).await;
    assert_eq!(
        refused,
        serde_json::json!({"error": "The access token is invalid"})
    );
    assert!(
        found.is_empty(),
        "the sandbox differs from Mastodon:\n{}",
        found.join("\n")
    );
}

/// The answer a recording holds for the first request to `path` whose response has
/// `status`: its body and its headers (names lowercased).
fn recorded_answer(
    cassette: &std::path::Path,
    path: &str,
    status: u64,
) -> (String, std::collections::HashMap<String, String>) {
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(cassette).unwrap()).unwrap();
    for interaction in yaml["interactions"].as_sequence().into_iter().flatten() {
        let uri = interaction["request"]["uri"].as_str().unwrap_or("");
        let response = &interaction["response"];
        if url::Url::parse(uri).is_ok_and(|url| url.path() == path)
            && response["status"]["code"].as_u64() == Some(status)
        {
            let headers = response["headers"]
                .as_mapping()
                .into_iter()
                .flatten()
                .filter_map(|(name, values)| {
                    Some((
                        name.as_str()?.to_ascii_lowercase(),
                        values[0].as_str()?.to_owned(),
                    ))
                })
                .collect();
            let body = response["body"]["string"].as_str().unwrap().to_owned();
            return (body, headers);
        }
    }
    panic!("{} has no {status} answer to {path}", cassette.display());
}

/// Compares the sandbox's answer with a recorded one: status, body and the headers a
/// client acts on (the content type, the caching rule and the bearer challenge).
async fn same_error_answer(
    what: &str,
    answer: reqwest::Response,
    recorded: (String, std::collections::HashMap<String, String>),
    status: u16,
) {
    assert_eq!(answer.status().as_u16(), status, "{what}");
    let headers = answer.headers().clone();
    let body = answer.text().await.unwrap();
    let (recorded_body, recorded_headers) = recorded;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        serde_json::from_str::<Value>(&recorded_body).unwrap(),
        "{what}: body"
    );
    for name in ["content-type", "cache-control", "www-authenticate"] {
        assert_eq!(
            headers.get(name).and_then(|v| v.to_str().ok()),
            recorded_headers.get(name).map(String::as_str),
            "{what}: {name}"
        );
    }
}

#[tokio::test]
async fn refusals_carry_doorkeepers_headers_as_recorded() {
    let Some(fixtures) = fixtures() else { return };
    let recordings = fixtures.join("mastodon-recorded");
    let sandbox = crate::sandbox_with(
        tootkit_sandbox::SandboxConfig::in_memory().legacy_password_grant(true),
    )
    .await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read()).await;
    let base = sandbox.base_url().to_string();
    let http = reqwest::Client::new();

    let wrong_password = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", "alice@localhost"),
            ("password", "hunter2"),
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose()),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap();
    same_error_answer(
        "a wrong password",
        wrong_password,
        recorded_answer(
            &recordings.join("pre_4_4_0/test_log_in_password_incorrect.yaml"),
            "/oauth/token",
            400,
        ),
        400,
    )
    .await;

    // The revocation endpoint renders its refusal without the challenge.
    let not_yours = http
        .post(format!("{base}/oauth/revoke"))
        .form(&[
            ("token", "someone-elses"),
            ("client_id", app.client_id.as_str()),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(not_yours.status().as_u16(), 403);
    assert!(not_yours.headers().get("www-authenticate").is_none());

    // A known client naming no token is told all is well, as an unknown token is
    // (RFC 7009), with the caching header Mastodon's revocation answers carry.
    let nothing_named = http
        .post(format!("{base}/oauth/revoke"))
        .form(&[
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(nothing_named.status().as_u16(), 200);
    let (_, recorded) = recorded_answer(
        &recordings.join("pre_4_4_0/test_zzz_revoke.yaml"),
        "/oauth/revoke",
        200,
    );
    for name in ["cache-control", "vary"] {
        assert_eq!(
            nothing_named.headers()[name].to_str().unwrap(),
            recorded[name],
            "{name} of a revocation"
        );
    }
    assert_eq!(nothing_named.text().await.unwrap(), "{}");

    let bad_token = http
        .get(format!("{base}/api/v1/accounts/verify_credentials"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    same_error_answer(
        "an unknown token",
        bad_token,
        recorded_answer(
            &recordings.join("current/test_unauthed_home_tl_throws.yaml"),
            "/api/v1/timelines/home",
            401,
        ),
        401,
    )
    .await;

    // A status that is not there, and an account that is not.
    let missing = http
        .get(format!("{base}/api/v1/statuses/0"))
        .send()
        .await
        .unwrap();
    same_error_answer(
        "a missing status",
        missing,
        recorded_answer(
            &recordings.join("current/test_status_missing.yaml"),
            "/api/v1/statuses/0",
            404,
        ),
        404,
    )
    .await;
    let nobody = http
        .get(format!(
            "{base}/api/v1/accounts/lookup?acct=kljadklajsdkljlkjlkjlkjasdasd"
        ))
        .send()
        .await
        .unwrap();
    same_error_answer(
        "an unknown account",
        nobody,
        recorded_answer(
            &recordings.join("current/test_account_lookup.yaml"),
            "/api/v1/accounts/lookup",
            404,
        ),
        404,
    )
    .await;
}

/// Mastodon 4.4 refuses the password grant in Doorkeeper's words, with the same headers
/// as any token error (no recording holds this answer; its shape is the one above).
#[tokio::test]
async fn the_refused_password_grant_answers_as_mastodon_4_4() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let app = register(&client, &Scopes::read()).await;
    let answer = reqwest::Client::new()
        .post(format!("{}/oauth/token", sandbox.base_url()))
        .form(&[
            ("grant_type", "password"),
            ("username", crate::USER),
            ("password", crate::PASSWORD),
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 400);
    let header = |name: &str| {
        answer
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(
        header("www-authenticate").as_deref(),
        Some(
            r#"Bearer realm="Doorkeeper", error="unsupported_grant_type", error_description="The authorization grant type is not supported by the authorization server.""#
        )
    );
    assert_eq!(
        header("content-type").as_deref(),
        Some("application/json; charset=utf-8")
    );
    let body: Value = answer.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "error": "unsupported_grant_type",
            "error_description": "The authorization grant type is not supported by the authorization server."
        })
    );
}

/// The text of a recorded `POST /api/v1/statuses` request (form or JSON body), unless
/// it asks for what the sandbox does not do (media, polls, quotes, scheduling).
fn posted_text(body: &str) -> Option<String> {
    let fields: Vec<(String, String)> = match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| (k, v.as_str().map(str::to_owned).unwrap_or_default()))
            .collect(),
        _ => url::form_urlencoded::parse(body.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    };
    let unsupported = ["media_ids", "poll", "quoted_status_id", "scheduled_at"];
    if fields
        .iter()
        .any(|(k, _)| unsupported.iter().any(|u| k.starts_with(u)))
    {
        return None;
    }
    fields
        .into_iter()
        .find(|(k, _)| k == "status")
        .map(|(_, v)| v)
}

#[tokio::test]
async fn the_sandbox_formats_each_recorded_status_as_mastodon_did() {
    let Some(fixtures) = fixtures() else { return };
    let cassettes = current_cassettes(&fixtures);
    // Each distinct text, with the content, mentions and tags Mastodon answered.
    let mut cases: Vec<(String, Value)> = Vec::new();
    for cassette in cassettes {
        let yaml: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&cassette).unwrap()).unwrap();
        for interaction in yaml["interactions"].as_sequence().into_iter().flatten() {
            let request = &interaction["request"];
            let is_post = request["method"].as_str() == Some("POST")
                && request["uri"]
                    .as_str()
                    .is_some_and(|u| u.ends_with("/api/v1/statuses"));
            let answer = interaction["response"]["body"]["string"]
                .as_str()
                .and_then(|b| serde_json::from_str::<Value>(b).ok());
            if let (true, Some(body), Some(answer)) = (is_post, request["body"].as_str(), answer)
                && let Some(text) = posted_text(body)
                && answer["content"].is_string()
                && !cases.iter().any(|(t, _)| *t == text)
            {
                cases.push((text, answer));
            }
        }
    }
    assert!(cases.len() >= 10, "only {} recorded posts", cases.len());

    // The accounts those posts mention, on a sandbox in their place.
    let password = tootkit::Password::new(crate::PASSWORD);
    let mut config = tootkit_sandbox::SandboxConfig::in_memory();
    for name in ["admin", "mastodonpy_test", "mastodonpy_test_2"] {
        config = config.user(name, password.clone());
    }
    let sandbox = crate::sandbox_with(config).await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "write").await);
    let base = sandbox.base_url().to_string();
    let ours = |value: &Value| value.to_string().replace("http://localhost:3000", &base);
    let mut found = Vec::new();
    for (text, mastodon) in &cases {
        let status = bot.statuses().create(text.clone()).send().await.unwrap();
        let status = serde_json::to_value(&status).unwrap();
        let content = mastodon["content"]
            .as_str()
            .map(|c| c.replace("http://localhost:3000", &base));
        if status["content"].as_str() != content.as_deref() {
            found.push(format!(
                "{text:?}\n  sandbox:  {}\n  mastodon: {content:?}",
                status["content"]
            ));
        }
        let names = |value: &Value, key: &str, fields: &[&str]| -> Vec<String> {
            value[key]
                .as_array()
                .into_iter()
                .flatten()
                .map(|item| fields.iter().map(|f| item[f].to_string()).collect())
                .collect()
        };
        for (key, fields) in [
            ("tags", &["name", "url"][..]),
            ("mentions", &["username", "acct", "url"][..]),
        ] {
            let (sandbox_side, mastodon_side) = (
                names(&status, key, fields),
                names(&serde_json::from_str(&ours(mastodon)).unwrap(), key, fields),
            );
            if sandbox_side != mastodon_side {
                found.push(format!(
                    "{text:?} {key}: {sandbox_side:?} where Mastodon has {mastodon_side:?}"
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} of {} recorded posts differ:\n{}",
        found.len(),
        cases.len(),
        found.join("\n")
    );
}

/// Mastodon keeps API answers out of caches (`private, no-store`: a token or a client
/// secret may be in them), lets the instance's description be cached for five
/// minutes, has discovery revalidated, and marks the first version of the instance
/// deprecated; the sandbox says the same.
#[tokio::test]
async fn answers_carry_mastodons_caching_rules() {
    let Some(fixtures) = fixtures() else { return };
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let token = user_token(&client, "read write").await;
    let bot = client.with_access_token(token.clone());
    let status = bot.statuses().create("cached?").send().await.unwrap();
    let account = &status.account.id;
    let base = sandbox.base_url().to_string();
    let http = reqwest::Client::new();
    let status_path = format!("/api/v1/statuses/{}", status.id);
    let account_path = format!("/api/v1/accounts/{account}/statuses");
    for (method, path, pattern) in [
        ("POST", "/api/v1/apps", "/api/v1/apps"),
        ("GET", status_path.as_str(), "/api/v1/statuses/*"),
        ("GET", account_path.as_str(), "/api/v1/accounts/*/statuses"),
        ("GET", "/api/v1/instance", "/api/v1/instance"),
        ("GET", "/api/v2/instance", "/api/v2/instance"),
        (
            "GET",
            "/.well-known/oauth-authorization-server",
            "/.well-known/oauth-authorization-server",
        ),
        ("DELETE", status_path.as_str(), "/api/v1/statuses/*"),
    ] {
        let mut request = http
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .bearer_auth(token.expose());
        if method == "POST" {
            request = request.form(&[
                ("client_name", "cache"),
                ("redirect_uris", OOB_REDIRECT_URI),
            ]);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), 200, "{method} {path}");
        let recorded: std::collections::BTreeMap<String, String> =
            recorded_response(&fixtures, method, pattern, |response| {
                let headers = response["headers"].as_mapping()?;
                Some(
                    headers
                        .iter()
                        .filter_map(|(name, values)| {
                            Some((
                                name.as_str()?.to_ascii_lowercase(),
                                values[0].as_str()?.to_owned(),
                            ))
                        })
                        .collect(),
                )
            });
        assert!(recorded.contains_key("cache-control"), "{method} {path}");
        // And the headers that say more of it: HTTP/1.0's `Pragma`, `Deprecation` on
        // the instance's first version, and what a cache must key it by.
        for name in ["cache-control", "pragma", "deprecation", "vary"] {
            assert_eq!(
                answer.headers().get(name).and_then(|v| v.to_str().ok()),
                recorded.get(name).map(String::as_str),
                "{name} of {method} {path}"
            );
        }
    }
    // A token, which no cache may keep.
    let app = crate::register(&client, &tootkit::Scopes::read()).await;
    let answer = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let recorded = |name: &str| {
        recorded_response(&fixtures, "POST", "/oauth/token", |response| {
            let headers = response["headers"].as_mapping()?;
            headers.iter().find_map(|(key, values)| {
                key.as_str()?
                    .eq_ignore_ascii_case(name)
                    .then(|| values[0].as_str().map(str::to_owned))?
            })
        })
    };
    for name in ["cache-control", "pragma", "vary"] {
        assert_eq!(
            answer.headers().get(name).and_then(|v| v.to_str().ok()),
            Some(recorded(name).as_str()),
            "{name} of a token"
        );
    }
}

#[tokio::test]
async fn each_visibility_answers_with_the_fields_and_quote_policy_mastodon_gives_it() {
    let Some(fixtures) = fixtures() else { return };
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let token = user_token(&client, "write").await;
    let http = reqwest::Client::new();
    for visibility in ["public", "unlisted", "private", "direct"] {
        let cassette = fixtures.join(format!(
            "mastodon-recorded/current/test_status_post[None-{visibility}].yaml"
        ));
        let (body, _) = recorded_answer(&cassette, "/api/v1/statuses", 200);
        let mastodon: Value = serde_json::from_str(&body).unwrap();
        let ours: Value = http
            .post(sandbox.base_url().endpoint("/api/v1/statuses"))
            .bearer_auth(token.expose())
            .form(&[("status", "Toot!"), ("visibility", visibility)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let fields = |status: &Value| -> Vec<String> {
            let mut keys: Vec<String> = status.as_object().unwrap().keys().cloned().collect();
            keys.sort();
            keys
        };
        assert_eq!(fields(&ours), fields(&mastodon), "{visibility}");
        // The recording's account lets its followers quote; the sandbox's, as a new
        // account's default, anyone: the same rule, another setting.
        let policy = &mastodon["quote_approval"];
        if matches!(visibility, "private" | "direct") {
            assert_eq!(ours["quote_approval"], *policy, "{visibility}");
        } else {
            assert_eq!(
                ours["quote_approval"]["current_user"],
                policy["current_user"]
            );
        }
    }
}

#[tokio::test]
async fn a_quote_policy_given_with_a_post_answers_as_mastodon_gives_it() {
    let Some(fixtures) = fixtures() else { return };
    let cassette =
        fixtures.join("mastodon-recorded/current/test_status_post_with_quote_approval_policy.yaml");
    let (body, _) = recorded_answer(&cassette, "/api/v1/statuses", 200);
    let mastodon: Value = serde_json::from_str(&body).unwrap();
    let sandbox = crate::sandbox_with(
        tootkit_sandbox::SandboxConfig::in_memory()
            .user("bob", tootkit::Password::new("bobs password")),
    )
    .await;
    let client = fast_client(&sandbox);
    let token = user_token(&client, "read write").await;
    let http = reqwest::Client::new();
    let post = |policy: &'static str| {
        http.post(sandbox.base_url().endpoint("/api/v1/statuses"))
            .bearer_auth(token.expose())
            .form(&[
                ("status", "tehehe"),
                ("visibility", "unlisted"),
                ("quote_approval_policy", policy),
            ])
            .send()
    };
    let ours: Value = post("followers").await.unwrap().json().await.unwrap();
    assert_eq!(ours["quote_approval"], mastodon["quote_approval"]);
    // No one: not even the author's followers, though the author still may.
    let nobody: Value = post("nobody").await.unwrap().json().await.unwrap();
    assert_eq!(
        nobody["quote_approval"],
        serde_json::json!({"automatic": [], "manual": [], "current_user": "automatic"})
    );
    // Another reader may not quote what only followers may (and has no followers here).
    let other = crate::user_token_as(&client, "read", "bob", "bobs password").await;
    let seen: Value = http
        .get(sandbox.base_url().endpoint(&format!(
            "/api/v1/statuses/{}",
            ours["id"].as_str().unwrap()
        )))
        .bearer_auth(other.expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["quote_approval"]["current_user"], "denied");
    // A word that names no policy: Mastodon's bare RecordInvalid.
    let odd = post("friends").await.unwrap();
    assert_eq!(odd.status(), 422);
    assert_eq!(
        odd.json::<Value>().await.unwrap(),
        serde_json::json!({"error": "Record invalid"})
    );
}

#[tokio::test]
async fn a_path_that_cannot_be_read_is_refused_in_json_as_rails_refuses_it() {
    let sandbox = sandbox().await;
    for path in ["/api/v1/statuses/%FF", "/api/v1/accounts/%C3%28/statuses"] {
        let answer = reqwest::get(format!(
            "{}{path}",
            sandbox.base_url().as_str().trim_end_matches('/')
        ))
        .await
        .unwrap();
        assert_eq!(answer.status(), 400, "{path}");
        assert_eq!(
            answer.json::<Value>().await.unwrap(),
            serde_json::json!({"error": "The request you submitted was invalid or malformed."}),
            "{path}"
        );
    }
    // A web page's address, refused with a page, as a browser asked for one.
    for path in ["/@%FF", "/@alice/%FF", "/tags/%C3%28", "/ap/users/%FF"] {
        let answer = reqwest::get(format!(
            "{}{path}",
            sandbox.base_url().as_str().trim_end_matches('/')
        ))
        .await
        .unwrap();
        assert_eq!(answer.status(), 400, "{path}");
        assert!(
            answer
                .headers()
                .get("content-type")
                .is_some_and(|t| t.to_str().unwrap().starts_with("text/html")),
            "{path}"
        );
        assert!(
            answer
                .text()
                .await
                .unwrap()
                .contains("This address cannot be read"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn nodeinfo_says_mastodon_as_the_recording_does() {
    let Some(fixtures) = fixtures() else { return };
    let cassette = fixtures.join("mastodon-recorded/current/test_nodeinfo.yaml");
    let sandbox = sandbox().await;
    let http = reqwest::Client::new();
    let mut found = Vec::new();
    let mut documents = Vec::new();
    for path in ["/.well-known/nodeinfo", "/nodeinfo/2.0"] {
        let (body, headers) = recorded_answer(&cassette, path, 200);
        let mastodon: Value = serde_json::from_str(&body).unwrap();
        let answer = http
            .get(sandbox.base_url().endpoint(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer.headers()["cache-control"].to_str().unwrap(),
            headers["cache-control"],
            "{path}"
        );
        let ours: Value = answer.json().await.unwrap();
        differences(path, &ours, &mastodon, &mut found);
        documents.push(ours);
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
    // The link leads to the document, which names Mastodon.
    let href = documents[0]["links"][0]["href"].as_str().unwrap();
    assert_eq!(href, sandbox.base_url().endpoint("/nodeinfo/2.0").as_str());
    assert_eq!(documents[1]["software"]["name"], "mastodon");
    assert_eq!(documents[1]["software"]["version"], "4.6.4");
    assert_eq!(documents[1]["usage"]["users"]["total"], 1);
}

#[tokio::test]
async fn a_status_read_by_no_one_signed_in_leaves_out_what_depends_on_the_reader() {
    let Some(fixtures) = fixtures() else { return };
    let cassette = fixtures.join("mastodon-recorded/current/test_public_tl_anonymous.yaml");
    let (body, _) = recorded_answer(&cassette, "/api/v1/timelines/public", 200);
    let timeline: Value = serde_json::from_str(&body).unwrap();
    let mastodon = &timeline[0];
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let status = bot.statuses().create("Toot!").send().await.unwrap();
    let url = sandbox
        .base_url()
        .endpoint(&format!("/api/v1/statuses/{}", status.id));
    let ours: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    let fields = |status: &Value| -> Vec<String> {
        let mut keys: Vec<String> = status.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(fields(&ours), fields(mastodon));
    for reader_only in [
        "favourited",
        "reblogged",
        "muted",
        "bookmarked",
        "pinned",
        "filtered",
    ] {
        assert!(ours.get(reader_only).is_none(), "{reader_only}");
    }
    assert_eq!(
        ours["quote_approval"]["current_user"],
        mastodon["quote_approval"]["current_user"]
    );
}

#[tokio::test]
async fn a_page_of_another_origin_may_call_what_mastodon_lets_it() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let token = user_token(&client, "read write").await;
    let base = sandbox.base_url().to_string();
    let http = reqwest::Client::new();
    let origin = "http://localhost:5173";

    let preflight = http
        .request(reqwest::Method::OPTIONS, format!("{base}/api/v1/statuses"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status().as_u16(), 200);
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_ascii_lowercase())
            .unwrap_or_default()
    };
    assert_eq!(header(&preflight, "access-control-allow-origin"), "*");
    // Answered before the rate limits, as Rack::Cors before Rack::Attack: not counted.
    assert_eq!(header(&preflight, "x-ratelimit-remaining"), "");
    assert!(header(&preflight, "access-control-allow-methods").contains("post"));
    assert_eq!(
        header(&preflight, "access-control-allow-headers"),
        "authorization,idempotency-key"
    );

    let posted = http
        .post(format!("{base}/api/v1/statuses"))
        .header("origin", origin)
        .bearer_auth(token.expose())
        .form(&[("status", "from a web page")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 200);
    assert_eq!(header(&posted, "access-control-allow-origin"), "*");
    let exposed = header(&posted, "access-control-expose-headers");
    for name in ["link", "x-ratelimit-remaining", "x-ratelimit-reset"] {
        assert!(exposed.contains(name), "{name} is readable: {exposed}");
    }
    // What it varies with, in one header, the token among it.
    let vary: Vec<&str> = posted
        .headers()
        .get_all("vary")
        .iter()
        .map(|value| value.to_str().unwrap())
        .collect();
    assert!(
        vary.len() == 1 && vary[0].starts_with("Authorization, ") && vary[0].contains("Origin"),
        "{vary:?}"
    );

    // A refusal past a limit is one the page may read.
    let mut refused = None;
    for n in 0..10 {
        let registered = http
            .post(format!("{base}/api/v1/apps"))
            .header("origin", origin)
            .form(&[
                ("client_name", format!("web client {n}")),
                ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob".to_owned()),
            ])
            .send()
            .await
            .unwrap();
        if registered.status() == 429 {
            refused = Some(registered);
            break;
        }
    }
    let refused = refused.expect("registrations are limited");
    assert_eq!(header(&refused, "access-control-allow-origin"), "*");
    assert!(header(&refused, "access-control-expose-headers").contains("x-ratelimit-reset"));

    let token_request = http
        .request(reqwest::Method::OPTIONS, format!("{base}/oauth/token"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&token_request, "access-control-allow-origin"), "*");

    // Without an `Origin`, or an OPTIONS that names no method to come, it is no
    // cross-origin request: answered as Mastodon's routes answer, with no CORS headers.
    let same_origin = http
        .get(format!("{base}/api/v1/instance"))
        .send()
        .await
        .unwrap();
    assert!(
        same_origin
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    // But a cache must know the answer depends on the Origin.
    assert!(
        same_origin
            .headers()
            .get_all("vary")
            .iter()
            .any(|value| value.to_str().unwrap().contains("Origin")),
        "{:?}",
        same_origin.headers()
    );
    let bare_options = http
        .request(reqwest::Method::OPTIONS, format!("{base}/api/v1/statuses"))
        .header("origin", origin)
        .send()
        .await
        .unwrap();
    assert_eq!(bare_options.status().as_u16(), 404);
    assert_eq!(header(&bare_options, "access-control-allow-origin"), "*");

    // The pages where one signs in are for the instance's own origin only.
    let page = http
        .get(format!("{base}/oauth/authorize"))
        .header("origin", origin)
        .send()
        .await
        .unwrap();
    assert!(page.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_field_of_an_unexpected_type_never_fails_the_status_holding_it() {
    let sandbox = sandbox().await;
    let client = fast_client(&sandbox);
    let bot = client.with_access_token(user_token(&client, "read write").await);
    let posted = bot
        .statuses()
        .create("@alice hello #tootkit https://example.com")
        .send()
        .await
        .unwrap();
    // The status as the sandbox sends it, then as a careless server might.
    let mut json: Value = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/statuses/{}",
            sandbox.base_url(),
            posted.id
        ))
        .bearer_auth(bot.access_token().unwrap().expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    json["language"] = serde_json::json!(5);
    json["favourited"] = serde_json::json!("true");
    json["bookmarked"] = serde_json::json!({"no": "flag"});
    json["url"] = serde_json::json!(["not", "text"]);
    json["account"]["discoverable"] = serde_json::json!("false");
    json["account"]["source"] = serde_json::json!("not an object");
    json["account"]["moved"] = serde_json::json!([]);
    json["visibility"] = serde_json::json!(5);
    json["poll"] = serde_json::json!({"options": "none"});
    json["application"] = serde_json::json!({"name": 7, "website": false});
    json["card"] = serde_json::json!({"url": ["x"]});
    json["mentions"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"username": "no id"}));
    json["tags"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!("not a tag"));
    let status: tootkit::Status = serde_json::from_value(json).expect("read all the same");
    assert_eq!(status.id, posted.id);
    assert_eq!(status.language.as_deref(), Some("5"));
    assert_eq!(status.favourited, Some(true));
    assert_eq!(status.bookmarked, None);
    assert_eq!(status.url, None);
    assert_eq!(status.account.discoverable, Some(false));
    assert!(status.account.source.is_none() && status.account.moved.is_none());
    // An open enum keeps a value of another kind as it was written.
    assert_eq!(status.visibility.as_str(), "5");
    // Objects read as far as they can be, or left out where a part that counts cannot
    // be (a poll's options, which its votes are counted in).
    assert_eq!(status.application.map(|app| app.name), Some("7".to_owned()));
    assert!(status.poll.is_none());
    assert_eq!(status.card.map(|card| card.url), Some(String::new()));
    // The readable mention and tag kept, the unreadable ones left out.
    assert_eq!(status.mentions.len(), 1, "{:?}", status.mentions);
    assert_eq!(status.mentions[0].username, "alice");
    assert_eq!(status.tags.len(), 1, "{:?}", status.tags);

    // An instance whose configuration cannot be read has Mastodon's defaults.
    let instance: tootkit::Instance =
        serde_json::from_value(serde_json::json!({"domain": "odd.example", "configuration": "x"}))
            .expect("read all the same");
    assert_eq!(instance.max_characters(), 500);
}

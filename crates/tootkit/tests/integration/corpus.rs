//! Every entity against real JSON: the examples of Mastodon's API documentation, the
//! responses of a Mastodon 4.6.4 server recorded by Mastodon.py's test suite, and the
//! responses of other servers that speak the API (GoToSocial, Pleroma, Akkoma…).
//!
//! Each document must deserialize, and must lose nothing a caller needs: serialized
//! back, every field the entity models equals the original, up to the documented
//! tolerances (a `null` list is empty, a `null` count is 0, a numeric ID is its string,
//! an unreadable timestamp is absent, instants compare as instants); and every field
//! Mastodon's API documents for the entity (the OpenAPI description of 4.7) that the
//! original has is written back, nested entities included, but for the few listed in
//! [`NOT_MODELLED`] with the reason. Fields only other servers send are not required.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::fixtures;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tootkit::entities::{
    CustomEmoji, MediaAttachment, Mention, Poll, PreviewCard, Role, Rule, StatusApplication, Tag,
};
use tootkit::{
    Account, ApiError, Application, CredentialApplication, Instance, InstanceV1, ServerMetadata,
    Status, Token,
};

/// A thread (`GET /api/v1/statuses/:id/context`), only for the compat corpus.
#[derive(Debug, Serialize, Deserialize)]
struct Context {
    ancestors: Vec<Status>,
    descendants: Vec<Status>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Account,
    Accounts,
    Status,
    Statuses,
    Context,
    Application,
    CredentialApplication,
    StatusApplication,
    Token,
    Instance,
    InstanceV1,
    ApiError,
    ServerMetadata,
    MediaAttachment,
    PreviewCard,
    Poll,
    Tag,
    Mention,
    CustomEmoji,
    Role,
    Rule,
}

/// Documented fields tootkit leaves out on purpose, by OpenAPI schema, with why.
const NOT_MODELLED: &[(&str, &str, &str)] = &[
    (
        "Status",
        "tagged_collections",
        "unreleased (4.7 collections), shape not settled",
    ),
    (
        "Account",
        "feature_approval",
        "unreleased (4.7 collections), shape not settled",
    ),
];

/// The OpenAPI schema of each kind.
fn schema_of(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Account | Kind::Accounts => "Account",
        Kind::Status | Kind::Statuses => "Status",
        Kind::Application => "Application",
        Kind::CredentialApplication => "CredentialApplication",
        Kind::Token => "Token",
        Kind::Instance => "Instance",
        Kind::ApiError => "Error",
        Kind::MediaAttachment => "MediaAttachment",
        Kind::PreviewCard => "PreviewCard",
        Kind::Poll => "Poll",
        Kind::Tag => "Tag",
        Kind::CustomEmoji => "CustomEmoji",
        Kind::Role => "Role",
        Kind::Rule => "Rule",
        Kind::Mention => "StatusMention",
        _ => return None,
    })
}

/// Mastodon's OpenAPI description, read once. Only asked for when the corpus is there,
/// so its absence or a broken copy fails rather than leaving nothing to check against.
fn openapi() -> &'static Value {
    static OPENAPI: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    OPENAPI.get_or_init(|| {
        let path = fixtures()
            .expect("the corpus is there")
            .join("openapi/mastodon-openapi-4.7.0.json");
        read_json(&path).unwrap_or_else(|| panic!("{} is missing or not JSON", path.display()))
    })
}

/// The schema a property or array item describes, with `$ref`s followed (also through
/// `anyOf`/`oneOf`, as nullable references are written) and arrays looked through:
/// its name, when it has one, and its own description.
fn resolve(schema: &Value) -> (Option<&str>, &Value) {
    if let Some(target) = schema["$ref"].as_str() {
        let name = target.rsplit('/').next().unwrap_or(target);
        return (Some(name), &openapi()["components"]["schemas"][name]);
    }
    if schema["type"] == "array" || schema["items"].is_object() {
        return resolve(&schema["items"]);
    }
    for alternatives in ["anyOf", "oneOf", "allOf"] {
        if let Some(found) = schema[alternatives].as_array().and_then(|all| {
            all.iter()
                .find(|s| s.get("$ref").is_some() || s.get("properties").is_some())
        }) {
            return resolve(found);
        }
    }
    (None, schema)
}

/// Lists the documented fields that `original` has and `ours` lost, as `schema` (named
/// `name`, when it has a name) describes them, nested objects included.
fn lost(
    name: Option<&str>,
    schema: &Value,
    ours: &Value,
    original: &Value,
    path: &str,
    losses: &mut Vec<String>,
) {
    match (ours, original) {
        (Value::Array(ours), Value::Array(original)) => {
            for (i, (mine, theirs)) in ours.iter().zip(original).enumerate() {
                lost(name, schema, mine, theirs, &format!("{path}[{i}]"), losses);
            }
        }
        (Value::Object(ours), Value::Object(original)) => {
            let Some(fields) = schema["properties"].as_object() else {
                return;
            };
            for (field, described) in fields {
                let Some(theirs) = original.get(field) else {
                    continue;
                };
                let not_modelled = || {
                    NOT_MODELLED
                        .iter()
                        .any(|(s, f, _)| Some(*s) == name && f == field)
                };
                match ours.get(field) {
                    None if theirs.is_null() || not_modelled() => {}
                    None => losses.push(format!("{path}.{field}: documented, not kept")),
                    Some(mine) => {
                        let (inner_name, inner) = resolve(described);
                        lost(
                            inner_name,
                            inner,
                            mine,
                            theirs,
                            &format!("{path}.{field}"),
                            losses,
                        );
                    }
                }
            }
        }
        _ => {}
    }
}

/// Deserializes `value` as `kind`, serializes it back, and lists what was lost.
fn check(kind: Kind, value: &Value) -> Result<(), String> {
    fn run<T: DeserializeOwned + Serialize>(kind: Kind, value: &Value) -> Result<(), String> {
        let parsed: T = serde_json::from_value(value.clone())
            .map_err(|e| format!("does not deserialize: {e}"))?;
        let back = serde_json::to_value(&parsed).map_err(|e| format!("does not serialize: {e}"))?;
        let mut losses = Vec::new();
        compare(&back, value, "$", &mut losses);
        if let Some(name) = schema_of(kind) {
            let schema = &openapi()["components"]["schemas"][name];
            lost(Some(name), schema, &back, value, "$", &mut losses);
        }
        if losses.is_empty() {
            Ok(())
        } else {
            Err(losses.join("; "))
        }
    }
    match kind {
        Kind::Account => run::<Account>(kind, value),
        Kind::Accounts => run::<Vec<Account>>(kind, value),
        Kind::Status => run::<Status>(kind, value),
        Kind::Statuses => run::<Vec<Status>>(kind, value),
        Kind::Context => run::<Context>(kind, value),
        Kind::Application => run::<Application>(kind, value),
        Kind::CredentialApplication => run::<CredentialApplication>(kind, value),
        Kind::StatusApplication => run::<StatusApplication>(kind, value),
        Kind::Token => run::<Token>(kind, value),
        Kind::Instance => run::<Instance>(kind, value),
        Kind::InstanceV1 => run::<InstanceV1>(kind, value),
        Kind::ApiError => run::<ApiError>(kind, value),
        Kind::ServerMetadata => run::<ServerMetadata>(kind, value),
        Kind::MediaAttachment => run::<MediaAttachment>(kind, value),
        Kind::PreviewCard => run::<PreviewCard>(kind, value),
        Kind::Poll => run::<Poll>(kind, value),
        Kind::Tag => run::<Tag>(kind, value),
        Kind::Mention => run::<Mention>(kind, value),
        Kind::CustomEmoji => run::<CustomEmoji>(kind, value),
        Kind::Role => run::<Role>(kind, value),
        Kind::Rule => run::<Rule>(kind, value),
    }
}

fn timestamp(value: &Value) -> Option<i128> {
    let text = value.as_str()?;
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp_nanos() / 1_000_000)
}

/// Compares what the entity wrote (`ours`) with the original, field by field.
fn compare(ours: &Value, original: &Value, path: &str, losses: &mut Vec<String>) {
    match (ours, original) {
        (Value::Object(ours), Value::Object(original)) => {
            for (key, mine) in ours {
                if let Some(theirs) = original.get(key) {
                    compare(mine, theirs, &format!("{path}.{key}"), losses);
                }
            }
        }
        (Value::Array(ours), Value::Array(original)) => {
            if ours.len() != original.len() {
                losses.push(format!(
                    "{path}: {} items instead of {}",
                    ours.len(),
                    original.len()
                ));
                return;
            }
            for (i, (mine, theirs)) in ours.iter().zip(original).enumerate() {
                compare(mine, theirs, &format!("{path}[{i}]"), losses);
            }
        }
        // Tolerances: absent-ish originals read as the empty value.
        (Value::Array(items), Value::Null) if items.is_empty() => {}
        (Value::String(s), Value::Null) if s.is_empty() => {}
        (Value::Bool(false), Value::Null) => {}
        (Value::Number(n), Value::Null) if n.as_u64() == Some(0) => {}
        (Value::Object(map), Value::Null) if map.is_empty() => {}
        // An empty list where an object belongs (Friendica's `contact_account: []`).
        (Value::Null, Value::Array(items)) if items.is_empty() => {}
        // Numeric IDs and counts written as strings.
        (Value::String(s), Value::Number(n)) if *s == n.to_string() => {}
        (Value::Number(n), Value::String(s)) if s.trim().parse::<f64>().ok() == n.as_f64() => {}
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        // The nested error form: {"error": {"error": "...", "details": ...}}.
        (Value::String(s), Value::Object(inner))
            if inner.get("error").and_then(Value::as_str) == Some(s) => {}
        // Instants: the same moment, however written; unreadable ones become absent.
        (Value::String(_), Value::String(_))
            if timestamp(ours).is_some() && timestamp(ours) == timestamp(original) => {}
        (Value::Null, Value::String(s))
            if timestamp(original).is_none() && looks_like_a_date(s) => {}
        (Value::String(_), Value::Number(n))
            if timestamp(ours).map(|ms| ms / 1000) == n.as_i64().map(i128::from) => {}
        (Value::String(_), Value::String(s))
            if timestamp(ours).is_some()
                && s.chars().all(|c| c.is_ascii_digit())
                && timestamp(ours).map(|ms| ms / 1000) == s.parse::<i128>().ok() => {}
        (a, b) if a == b => {}
        (a, b) => losses.push(format!("{path}: wrote {a} for {b}")),
    }
}

fn looks_like_a_date(s: &str) -> bool {
    s.is_empty() || s.chars().next().is_some_and(|c| c.is_ascii_digit())
}

#[derive(Default)]
struct Tally {
    checked: BTreeMap<(String, Kind), usize>,
    failures: Vec<String>,
}

impl Tally {
    fn check(&mut self, source: &str, name: &str, kind: Kind, value: &Value) {
        // A scheduled status answers POST /api/v1/statuses when `scheduled_at` is given;
        // old servers answered DELETE with `{}`. Neither is a Status.
        if kind == Kind::Status
            && (value.get("params").is_some() || value.as_object().is_some_and(|o| o.is_empty()))
        {
            return;
        }
        *self.checked.entry((source.to_owned(), kind)).or_default() += 1;
        if let Err(problem) = check(kind, value) {
            self.failures
                .push(format!("{source} {name} as {kind:?}: {problem}"));
        }
    }

    /// Checks every Account and Status inside a document that no mapping classified
    /// whole (notifications, conversations, search results, reports, edit histories…).
    fn check_nested(&mut self, source: &str, name: &str, value: &Value) {
        match value {
            Value::Object(map) => match looks_like(value) {
                Some(kind) => self.check(source, &format!("{name} (inside)"), kind, value),
                None => {
                    for inner in map.values() {
                        self.check_nested(source, name, inner);
                    }
                }
            },
            Value::Array(items) => {
                for item in items {
                    self.check_nested(source, name, item);
                }
            }
            _ => {}
        }
    }

    /// Fails on any failure, and when fewer documents of a kind were checked than
    /// `at_least` says: a mapping that broke would otherwise pass, checking nothing.
    fn finish(self, source: &str, at_least: &[(Kind, usize)]) {
        let total: usize = self.checked.values().sum();
        let mut by_kind: BTreeMap<Kind, usize> = BTreeMap::new();
        for ((_, kind), count) in &self.checked {
            *by_kind.entry(*kind).or_default() += count;
        }
        eprintln!("{source}: {total} documents checked");
        for (kind, count) in &by_kind {
            eprintln!("  {kind:?}: {count}");
        }
        assert!(
            self.failures.is_empty(),
            "{} of {total} failed:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        for (kind, minimum) in at_least {
            let count = by_kind.get(kind).copied().unwrap_or(0);
            assert!(
                count >= *minimum,
                "only {count} documents of {source} were checked as {kind:?} (at least {minimum} expected); the mapping broke"
            );
        }
    }
}

fn read_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// What a document is by its content, for the two entities most endpoints answer with:
/// a document shaped like an Account or a Status (or a list of them) is checked as one
/// whatever endpoint it came from (`/accounts/lookup`, `/endorsements`, `/profile/avatar`,
/// `/statuses/:id/interaction_policy`…), so none escapes the check by an unmapped path.
fn looks_like(value: &Value) -> Option<Kind> {
    fn one(value: &Value) -> Option<Kind> {
        let has = |keys: &[&str]| keys.iter().all(|k| value.get(k).is_some());
        if has(&["id", "username", "acct", "display_name", "url"]) {
            Some(Kind::Account)
        } else if has(&["id", "content", "visibility", "account", "created_at"]) {
            Some(Kind::Status)
        } else {
            None
        }
    }
    match value {
        Value::Array(items) if !items.is_empty() => {
            let first = one(&items[0])?;
            items
                .iter()
                .all(|item| one(item) == Some(first))
                .then_some(match first {
                    Kind::Account => Kind::Accounts,
                    _ => Kind::Statuses,
                })
        }
        _ => one(value),
    }
}

// ------------------------------------------------------------------- documentation

fn docs_kind(request: &str, section: &str) -> Option<Kind> {
    let status: u16 = section.split(':').next()?.trim().parse().ok()?;
    if status >= 400 {
        return Some(Kind::ApiError);
    }
    let request = request.trim();
    let kind = match request {
        "GET /api/v1/accounts/:id" | "GET /api/v1/accounts/verify_credentials" => Kind::Account,
        "GET /api/v1/accounts" => Kind::Accounts,
        "POST /api/v1/statuses" | "GET /api/v1/statuses/:id" => Kind::Status,
        "GET /api/v1/statuses" => Kind::Statuses,
        "GET /api/v1/statuses/:id/card" => Kind::PreviewCard,
        "POST /api/v1/apps" => Kind::CredentialApplication,
        "GET /api/v1/apps/verify_credentials" => Kind::Application,
        "POST /oauth/token" => Kind::Token,
        "GET /api/v2/instance" => Kind::Instance,
        "GET /api/v1/instance" => Kind::InstanceV1,
        "GET /api/v1/instance/rules" => return None,
        "GET /.well-known/oauth-authorization-server" => Kind::ServerMetadata,
        "GET /api/v1/media/:id"
        | "POST /api/v1/media"
        | "POST /api/v2/media"
        | "PUT /api/v1/media/:id" => Kind::MediaAttachment,
        "GET /api/v1/polls/:id" | "POST /api/v1/polls/:id/votes" => Kind::Poll,
        _ => return None,
    };
    Some(kind)
}

fn entity_kind(dir: &str) -> Option<Kind> {
    Some(match dir {
        "Account" => Kind::Account,
        "Status" => Kind::Status,
        "Application" => Kind::Application,
        "Token" => Kind::Token,
        "Instance" => Kind::Instance,
        "V1_Instance" => Kind::InstanceV1,
        "Error" => Kind::ApiError,
        "MediaAttachment" => Kind::MediaAttachment,
        "PreviewCard" => Kind::PreviewCard,
        "Poll" => Kind::Poll,
        "Tag" => Kind::Tag,
        "CustomEmoji" => Kind::CustomEmoji,
        "Role" => Kind::Role,
        "Rule" => Kind::Rule,
        _ => return None,
    })
}

#[derive(Deserialize)]
struct IndexEntry {
    file: String,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    section: String,
}

/// About four fifths of what the documentation's examples hold of each kind: fewer means a
/// broken mapping.
const DOCS_AT_LEAST: &[(Kind, usize)] = &[
    (Kind::Account, 10),
    (Kind::Status, 3),
    (Kind::ApiError, 300),
    (Kind::Instance, 2),
    (Kind::InstanceV1, 2),
    (Kind::CredentialApplication, 2),
    (Kind::Application, 1),
    (Kind::Token, 2),
    (Kind::MediaAttachment, 8),
    (Kind::PreviewCard, 4),
    (Kind::Poll, 3),
];

#[test]
fn entities_read_every_example_of_the_api_documentation() {
    let Some(root) = fixtures() else { return };
    let docs = root.join("mastodon-docs");
    let index: Vec<IndexEntry> = serde_json::from_str(
        &std::fs::read_to_string(docs.join("index.json")).expect("index.json"),
    )
    .expect("index");
    let mut tally = Tally::default();
    for entry in index {
        let kind = if let Some(rest) = entry.file.strip_prefix("entities/") {
            // `PartialAccountWithAvatar` and the like are other entities.
            if entry.operation.contains("Partial") {
                continue;
            }
            rest.split('/').next().and_then(entity_kind)
        } else {
            docs_kind(&entry.request, &entry.section)
        };
        let Some(value) = read_json(&docs.join(&entry.file)) else {
            continue;
        };
        match kind.or_else(|| looks_like(&value)) {
            Some(kind) => tally.check("mastodon-docs", &entry.file, kind, &value),
            None => tally.check_nested("mastodon-docs", &entry.file, &value),
        }
    }
    tally.finish("mastodon-docs", DOCS_AT_LEAST);
}

// ------------------------------------------------------------------- recordings

fn recorded_kind(method: &str, path: &str) -> Option<Kind> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    let id = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    let kind = match (method, segments.as_slice()) {
        (
            "GET" | "PATCH",
            [
                "api",
                "v1",
                "accounts",
                "verify_credentials" | "update_credentials",
            ],
        ) => Kind::Account,
        ("GET", ["api", "v1", "accounts", a]) if id(a) && a.chars().all(|c| c.is_ascii_digit()) => {
            Kind::Account
        }
        ("GET", ["api", "v1", "accounts", a, "statuses"]) if id(a) => Kind::Statuses,
        ("POST", ["api", "v1", "statuses"]) => Kind::Status,
        ("GET" | "DELETE" | "PUT", ["api", "v1", "statuses", s]) if id(s) => Kind::Status,
        (
            "POST",
            [
                "api",
                "v1",
                "statuses",
                s,
                "favourite" | "unfavourite" | "reblog" | "unreblog" | "bookmark" | "unbookmark"
                | "pin" | "unpin" | "mute" | "unmute",
            ],
        ) if id(s) => Kind::Status,
        ("GET", ["api", "v1", "statuses", s, "card"]) if id(s) => Kind::PreviewCard,
        ("GET", ["api", "v1", "timelines", "home" | "public"]) => Kind::Statuses,
        ("GET", ["api", "v1", "timelines", "tag" | "list", _]) => Kind::Statuses,
        ("GET", ["api", "v1", "favourites" | "bookmarks"]) => Kind::Statuses,
        ("POST", ["api", "v1", "apps"]) => Kind::CredentialApplication,
        ("GET", ["api", "v1", "apps", "verify_credentials"]) => Kind::Application,
        ("POST", ["oauth", "token"]) => Kind::Token,
        ("GET", ["api", "v1", "instance"]) => Kind::InstanceV1,
        ("GET", ["api", "v2", "instance"]) => Kind::Instance,
        ("GET", [".well-known", "oauth-authorization-server"]) => Kind::ServerMetadata,
        ("POST", ["api", "v1" | "v2", "media"]) => Kind::MediaAttachment,
        ("GET" | "PUT", ["api", "v1", "media", m]) if id(m) => Kind::MediaAttachment,
        ("GET", ["api", "v1", "polls", p]) if id(p) => Kind::Poll,
        ("POST", ["api", "v1", "polls", p, "votes"]) if id(p) => Kind::Poll,
        _ => return None,
    };
    Some(kind)
}

/// A recorded body as text. The recorder kept the gzip that Mastodon 2.9 sent as YAML's
/// `!!binary`, which reads as base64 text: decoded and inflated here.
fn body_text(body: &serde_yaml::Value) -> Option<String> {
    let text = body.as_str()?;
    Some(gunzipped(text).unwrap_or_else(|| text.to_owned()))
}

fn gunzipped(base64_text: &str) -> Option<String> {
    use base64::Engine;
    use std::io::Read;
    let encoded: String = base64_text.split_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .filter(|bytes| bytes.starts_with(&[0x1f, 0x8b]))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// About four fifths of what the recordings hold of each kind: fewer means a broken
/// mapping.
const RECORDED_AT_LEAST: &[(Kind, usize)] = &[
    (Kind::Account, 130),
    (Kind::Status, 420),
    (Kind::Statuses, 40),
    (Kind::ApiError, 15),
    (Kind::Instance, 12),
    (Kind::InstanceV1, 10),
    (Kind::CredentialApplication, 2),
    (Kind::Application, 1),
    (Kind::Token, 4),
    (Kind::MediaAttachment, 12),
    (Kind::PreviewCard, 1),
    (Kind::Poll, 4),
    (Kind::ServerMetadata, 6),
];

#[test]
fn entities_read_every_matching_response_of_a_real_mastodon() {
    let Some(root) = fixtures() else { return };
    let mut tally = Tally::default();
    let base = root.join("mastodon-recorded");
    let mut cassettes: Vec<PathBuf> = Vec::new();
    for dir in std::fs::read_dir(&base).expect("recordings").flatten() {
        if dir.path().is_dir() {
            cassettes.extend(
                std::fs::read_dir(dir.path())
                    .expect("dir")
                    .flatten()
                    .map(|e| e.path()),
            );
        }
    }
    cassettes.sort();
    for cassette in cassettes {
        let Ok(text) = std::fs::read_to_string(&cassette) else {
            continue;
        };
        let Ok(yaml) = serde_yaml::from_str::<serde_yaml::Value>(&text) else {
            panic!("{} is not YAML", cassette.display());
        };
        let name = cassette
            .strip_prefix(&base)
            .unwrap_or(&cassette)
            .display()
            .to_string();
        let interactions = yaml
            .get("interactions")
            .and_then(|i| i.as_sequence())
            .cloned()
            .unwrap_or_default();
        for (n, interaction) in interactions.iter().enumerate() {
            let method = interaction["request"]["method"].as_str().unwrap_or("");
            let uri = interaction["request"]["uri"].as_str().unwrap_or("");
            let status = interaction["response"]["status"]["code"]
                .as_u64()
                .unwrap_or(0);
            let Some(body) = body_text(&interaction["response"]["body"]["string"]) else {
                continue;
            };
            let path = url::Url::parse(uri)
                .map(|u| u.path().to_owned())
                .unwrap_or_default();
            let label = format!("{name}#{n} {method} {path}");
            let Ok(value) = serde_json::from_str::<Value>(&body) else {
                // A stream: each event's payload is JSON.
                for payload in body.lines().filter_map(|line| line.strip_prefix("data:")) {
                    if let Ok(value) = serde_json::from_str::<Value>(payload.trim()) {
                        tally.check_nested("mastodon-recorded", &label, &value);
                    }
                }
                continue;
            };
            let kind = if status >= 400 {
                value.get("error").is_some().then_some(Kind::ApiError)
            } else if (200..300).contains(&status) {
                recorded_kind(method, &path).or_else(|| looks_like(&value))
            } else {
                None
            };
            match kind {
                Some(kind) => tally.check("mastodon-recorded", &label, kind, &value),
                None if (200..300).contains(&status) => {
                    tally.check_nested("mastodon-recorded", &label, &value)
                }
                None => {}
            }
        }
    }
    tally.finish("mastodon-recorded", RECORDED_AT_LEAST);
}

// ------------------------------------------------------------------- other servers

fn compat_kind(file_name: &str) -> Option<Kind> {
    let entity = file_name.rsplit_once('-')?.0;
    Some(match entity {
        "Account" => Kind::Account,
        "AccountArray" => Kind::Accounts,
        "Status" => Kind::Status,
        "StatusArray" => Kind::Statuses,
        "Context" => Kind::Context,
        "Application" => Kind::CredentialApplication,
        "StatusApplication" => Kind::StatusApplication,
        "Token" => Kind::Token,
        "InstanceV1" => Kind::InstanceV1,
        "InstanceV2" => Kind::Instance,
        "Error" => Kind::ApiError,
        "Emoji" => Kind::CustomEmoji,
        "Mention" => Kind::Mention,
        "Tag" => Kind::Tag,
        "MediaAttachment" => Kind::MediaAttachment,
        "PreviewCard" => Kind::PreviewCard,
        "Poll" => Kind::Poll,
        _ => return None,
    })
}

/// About four fifths of what the other servers' responses hold of each kind: fewer means
/// a broken mapping.
const COMPAT_AT_LEAST: &[(Kind, usize)] = &[
    (Kind::Account, 60),
    (Kind::Status, 40),
    (Kind::InstanceV1, 6),
    (Kind::Instance, 4),
    (Kind::MediaAttachment, 7),
    (Kind::StatusApplication, 5),
    (Kind::Token, 2),
];

#[test]
fn entities_read_every_matching_response_of_other_servers() {
    let Some(root) = fixtures() else { return };
    let base = root.join("compat");
    let mut tally = Tally::default();
    let mut servers: Vec<PathBuf> = std::fs::read_dir(&base)
        .expect("compat")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    servers.sort();
    for server in servers {
        let server_name = server.file_name().unwrap().to_string_lossy().to_string();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&server)
            .expect("server")
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for file in files {
            if file.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let stem = file.file_stem().unwrap().to_string_lossy().to_string();
            let value =
                read_json(&file).unwrap_or_else(|| panic!("{} is not JSON", file.display()));
            let source = format!("compat/{server_name}");
            match compat_kind(&stem) {
                Some(kind) => tally.check(&source, &stem, kind, &value),
                None => tally.check_nested(&source, &stem, &value),
            }
        }
    }
    tally.finish("compat", COMPAT_AT_LEAST);
}

#[test]
fn each_server_is_counted_by_the_rule_its_instance_publishes() {
    let Some(fixtures) = crate::fixtures() else {
        return;
    };
    let compat = fixtures.join("compat");
    let read = |path: &str| read_json(&compat.join(path)).expect(path);
    let v2 = |path: &str| serde_json::from_value::<Instance>(read(path)).unwrap();
    let v1 = |path: &str| Instance::from(serde_json::from_value::<InstanceV1>(read(path)).unwrap());
    let text = "@bob@example.social see https://example.com/a/long/path";
    let as_written = text.chars().count();
    for (server, instance, max, length) in [
        // Pleroma reserves nothing for a link and counts the text as written, in
        // both descriptions (v1 says only `max_toot_chars`).
        (
            "Pleroma, v2",
            v2("pleroma/InstanceV2-1.json"),
            5000,
            as_written,
        ),
        (
            "Pleroma, v1",
            v1("pleroma/InstanceV1-1.json"),
            5000,
            as_written,
        ),
        // Friendica's v1 gives Pleroma's field, and reserves 23 as its v2 says.
        (
            "Friendica, v1",
            v1("friendica/InstanceV1-2.json"),
            200_000,
            4 + 5 + 23,
        ),
        // GoToSocial gives `max_toot_chars` and its own reserve.
        (
            "GoToSocial, v1",
            v1("gotosocial/InstanceV1-3.json"),
            5000,
            4 + 5 + 25,
        ),
        (
            "GoToSocial, v2",
            v2("gotosocial/InstanceV2-1.json"),
            5000,
            4 + 5 + 25,
        ),
    ] {
        let limits = tootkit::text::Limits::of(&instance);
        assert_eq!(limits.max_characters, max, "{server}");
        assert_eq!(
            tootkit::text::status_length(text, "", limits),
            length,
            "{server}"
        );
    }
}

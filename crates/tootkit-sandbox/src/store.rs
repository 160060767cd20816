//! The sandbox's state in SQLite: accounts, applications, codes, tokens, statuses.
//!
//! Secrets are never stored as they are: passwords as Argon2 hashes, client secrets,
//! authorization codes, access tokens and session IDs as SHA-256 digests, so a copy of
//! the database file gives nobody a working credential.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use crate::secrets::digest;

/// What an `Idempotency-Key` names.
pub(crate) enum Keyed {
    /// No status was posted with it within the hour.
    Unknown,
    /// The status posted with it.
    Posted(Box<StatusRow>),
    /// The status posted with it, since deleted.
    Deleted,
}

/// How long an `Idempotency-Key` answers with its status, in milliseconds.
const IDEMPOTENCY_MS: i64 = tootkit::statuses::IDEMPOTENCY_KEY_LIFETIME.as_millis() as i64;

const SCHEMA: &str = r#"
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS apps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    website TEXT,
    scopes TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    client_secret_digest TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS authorization_codes (
    code_digest TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL,
    code_challenge TEXT,
    created_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
    token_digest TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id),
    account_id TEXT REFERENCES accounts(id),
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS statuses (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    app_id TEXT REFERENCES apps(id),
    text TEXT NOT NULL,
    spoiler_text TEXT NOT NULL,
    visibility TEXT NOT NULL,
    sensitive INTEGER NOT NULL,
    language TEXT,
    in_reply_to_id TEXT,
    in_reply_to_account_id TEXT,
    created_at INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    quote_policy TEXT NOT NULL DEFAULT 'public'
);
CREATE INDEX IF NOT EXISTS statuses_by_account ON statuses(account_id, id);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    account_id TEXT NOT NULL,
    key TEXT NOT NULL,
    status_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, key)
);
CREATE TABLE IF NOT EXISTS sessions (
    session_digest TEXT PRIMARY KEY,
    csrf_token TEXT NOT NULL,
    account_id TEXT REFERENCES accounts(id),
    created_at INTEGER NOT NULL
);
"#;

/// Scopes as Doorkeeper compares a token's with a request's: a set, whatever the order.
pub(crate) fn scope_set<'a>(scopes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut set: Vec<String> = scopes.into_iter().map(str::to_owned).collect();
    set.sort_unstable();
    set.dedup();
    set
}

/// A failure of the database itself (not of a request).
#[derive(Debug, thiserror::Error)]
#[error("the sandbox database failed: {0}")]
pub struct StoreError(#[from] pub(crate) rusqlite::Error);

pub(crate) type Result<T> = std::result::Result<T, StoreError>;

/// Milliseconds since the Unix epoch, the unit every `created_at` column uses.
fn wall_clock_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

pub(crate) fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[derive(Clone, Debug)]
pub(crate) struct AccountRow {
    pub id: String,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub created_at: i64,
}

#[derive(Clone, Debug)]
pub(crate) struct AppRow {
    pub id: String,
    pub name: String,
    pub website: Option<String>,
    pub scopes: String,
    pub redirect_uris: Vec<String>,
    pub client_id: String,
    pub client_secret_digest: String,
}

#[derive(Clone, Debug)]
pub(crate) struct CodeRow {
    pub app_id: String,
    pub account_id: String,
    pub redirect_uri: String,
    pub scopes: String,
    pub code_challenge: Option<String>,
    pub created_at: i64,
    pub used: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct TokenRow {
    pub app_id: String,
    pub account_id: Option<String>,
    pub scopes: String,
}

#[derive(Clone, Debug)]
pub(crate) struct StatusRow {
    pub id: String,
    pub account_id: String,
    pub app_id: Option<String>,
    pub text: String,
    pub spoiler_text: String,
    pub visibility: String,
    pub sensitive: bool,
    pub language: Option<String>,
    pub in_reply_to_id: Option<String>,
    pub in_reply_to_account_id: Option<String>,
    pub created_at: i64,
    /// Who may quote it without asking: `public`, `followers` or `nobody`.
    pub quote_policy: String,
}

#[derive(Clone, Debug)]
pub(crate) struct SessionRow {
    pub csrf_token: String,
    pub account_id: Option<String>,
}

/// A new status, before it has an ID.
pub(crate) struct NewStatus<'a> {
    pub account_id: &'a str,
    pub app_id: Option<&'a str>,
    pub text: &'a str,
    pub spoiler_text: &'a str,
    pub visibility: &'a str,
    pub sensitive: bool,
    pub language: Option<&'a str>,
    pub in_reply_to: Option<(&'a str, &'a str)>,
    pub quote_policy: &'a str,
}

/// The database, behind one lock: the sandbox serves one developer, and every query is
/// a few microseconds.
pub(crate) struct Store {
    conn: Mutex<Connection>,
    last_id: Mutex<i64>,
    /// How far the sandbox's clock is ahead of the wall clock, in milliseconds: moved
    /// on by [`crate::Sandbox::advance_clock`] so that tests see codes and keys expire
    /// after their real lifetimes without waiting for them.
    clock_ahead_ms: AtomicI64,
}

impl Store {
    pub(crate) fn open(path: Option<&Path>) -> Result<Self> {
        let conn = match path {
            Some(path) => Connection::open(path)?,
            None => Connection::open_in_memory()?,
        };
        conn.execute_batch(SCHEMA)?;
        // A database kept from before statuses had a quote policy: theirs is public,
        // a new account's default.
        let has_quote_policy = conn
            .prepare("SELECT 1 FROM pragma_table_info('statuses') WHERE name = 'quote_policy'")?
            .exists([])?;
        if !has_quote_policy {
            conn.execute_batch(
                "ALTER TABLE statuses ADD COLUMN quote_policy TEXT NOT NULL DEFAULT 'public'",
            )?;
        }
        conn.pragma_update(None, "journal_mode", "WAL").ok();
        Ok(Self {
            conn: Mutex::new(conn),
            last_id: Mutex::new(0),
            clock_ahead_ms: AtomicI64::new(0),
        })
    }

    /// The sandbox's time in milliseconds since the Unix epoch: the wall clock's, plus
    /// however far it was advanced.
    pub(crate) fn now_ms(&self) -> i64 {
        wall_clock_ms().saturating_add(self.clock_ahead_ms.load(Ordering::Relaxed))
    }

    pub(crate) fn advance_clock(&self, by_ms: i64) {
        let _ = self
            .clock_ahead_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |ahead| {
                Some(ahead.saturating_add(by_ms))
            });
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A Mastodon-style Snowflake ID: milliseconds in the high bits, so IDs sort by time;
    /// strictly increasing within the process.
    pub(crate) fn next_id(&self) -> String {
        let mut last = self.last_id.lock().unwrap_or_else(|p| p.into_inner());
        let candidate = self.now_ms() << 16;
        let id = if candidate > *last {
            candidate
        } else {
            *last + 1
        };
        *last = id;
        id.to_string()
    }

    // ---- accounts ----

    pub(crate) fn upsert_account(&self, username: &str, password_hash: &str) -> Result<AccountRow> {
        let email = format!("{}@localhost", username.to_lowercase());
        let existing = self.account_by_username(username)?;
        match existing {
            Some(account) => {
                self.conn().execute(
                    "UPDATE accounts SET password_hash = ?1 WHERE id = ?2",
                    params![password_hash, account.id],
                )?;
                Ok(AccountRow {
                    password_hash: password_hash.to_owned(),
                    ..account
                })
            }
            None => {
                let row = AccountRow {
                    id: self.next_id(),
                    username: username.to_owned(),
                    email,
                    password_hash: password_hash.to_owned(),
                    display_name: String::new(),
                    created_at: self.now_ms(),
                };
                self.conn().execute(
                    "INSERT INTO accounts (id, username, email, password_hash, display_name, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![row.id, row.username, row.email, row.password_hash, row.display_name, row.created_at],
                )?;
                Ok(row)
            }
        }
    }

    const ACCOUNT_COLUMNS: &'static str =
        "id, username, email, password_hash, display_name, created_at";

    fn account_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
        Ok(AccountRow {
            id: row.get(0)?,
            username: row.get(1)?,
            email: row.get(2)?,
            password_hash: row.get(3)?,
            display_name: row.get(4)?,
            created_at: row.get(5)?,
        })
    }

    pub(crate) fn account(&self, id: &str) -> Result<Option<AccountRow>> {
        let sql = format!(
            "SELECT {} FROM accounts WHERE id = ?1",
            Self::ACCOUNT_COLUMNS
        );
        Ok(self
            .conn()
            .query_row(&sql, [id], Self::account_from)
            .optional()?)
    }

    pub(crate) fn account_by_username(&self, username: &str) -> Result<Option<AccountRow>> {
        let sql = format!(
            "SELECT {} FROM accounts WHERE username = ?1 COLLATE NOCASE",
            Self::ACCOUNT_COLUMNS
        );
        Ok(self
            .conn()
            .query_row(&sql, [username], Self::account_from)
            .optional()?)
    }

    /// The account with this email address (in any case, as Devise finds it).
    pub(crate) fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>> {
        let sql = format!(
            "SELECT {} FROM accounts WHERE email = ?1",
            Self::ACCOUNT_COLUMNS
        );
        Ok(self
            .conn()
            .query_row(&sql, [email.trim()], Self::account_from)
            .optional()?)
    }

    /// The account signing in with `login`: its user name or its email address.
    pub(crate) fn account_by_login(&self, login: &str) -> Result<Option<AccountRow>> {
        let login = login.trim().trim_start_matches('@');
        let sql = format!(
            "SELECT {} FROM accounts WHERE username = ?1 OR email = ?1",
            Self::ACCOUNT_COLUMNS
        );
        Ok(self
            .conn()
            .query_row(&sql, [login], Self::account_from)
            .optional()?)
    }

    pub(crate) fn accounts(&self) -> Result<Vec<AccountRow>> {
        let sql = format!("SELECT {} FROM accounts ORDER BY id", Self::ACCOUNT_COLUMNS);
        let conn = self.conn();
        let mut statement = conn.prepare(&sql)?;
        let rows = statement.query_map([], Self::account_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many statuses exist on the instance.
    pub(crate) fn status_total(&self) -> Result<u64> {
        Ok(self.conn().query_row(
            // The sum of the accounts' counts, as Mastodon's: direct messages left out.
            "SELECT COUNT(*) FROM statuses WHERE deleted = 0 AND visibility <> 'direct'",
            [],
            |row| row.get::<_, i64>(0),
        )? as u64)
    }

    pub(crate) fn count_statuses(&self, account_id: &str) -> Result<(u64, Option<i64>)> {
        Ok(self.conn().query_row(
            // As Mastodon's counter caches: direct messages are not counted, and a
            // deletion lowers the count but leaves the date of the last post.
            "SELECT COALESCE(SUM(deleted = 0), 0), MAX(created_at) FROM statuses \
             WHERE account_id = ?1 AND visibility <> 'direct'",
            [account_id],
            |row| Ok((row.get::<_, i64>(0)? as u64, row.get(1)?)),
        )?)
    }

    // ---- applications ----

    pub(crate) fn insert_app(&self, app: &AppRow) -> Result<()> {
        self.conn().execute(
            "INSERT INTO apps (id, name, website, scopes, redirect_uris, client_id, client_secret_digest, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                app.id,
                app.name,
                app.website,
                app.scopes,
                app.redirect_uris.join("\n"),
                app.client_id,
                app.client_secret_digest,
                self.now_ms()
            ],
        )?;
        Ok(())
    }

    const APP_COLUMNS: &'static str =
        "id, name, website, scopes, redirect_uris, client_id, client_secret_digest";

    fn app_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<AppRow> {
        let uris: String = row.get(4)?;
        Ok(AppRow {
            id: row.get(0)?,
            name: row.get(1)?,
            website: row.get(2)?,
            scopes: row.get(3)?,
            redirect_uris: uris.lines().map(str::to_owned).collect(),
            client_id: row.get(5)?,
            client_secret_digest: row.get(6)?,
        })
    }

    pub(crate) fn app_by_client_id(&self, client_id: &str) -> Result<Option<AppRow>> {
        let sql = format!(
            "SELECT {} FROM apps WHERE client_id = ?1",
            Self::APP_COLUMNS
        );
        Ok(self
            .conn()
            .query_row(&sql, [client_id], Self::app_from)
            .optional()?)
    }

    pub(crate) fn app(&self, id: &str) -> Result<Option<AppRow>> {
        let sql = format!("SELECT {} FROM apps WHERE id = ?1", Self::APP_COLUMNS);
        Ok(self
            .conn()
            .query_row(&sql, [id], Self::app_from)
            .optional()?)
    }

    // ---- authorization codes ----

    pub(crate) fn insert_code(&self, code: &str, row: &CodeRow) -> Result<()> {
        self.conn().execute(
            "INSERT INTO authorization_codes (code_digest, app_id, account_id, redirect_uri, scopes, code_challenge, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![digest(code), row.app_id, row.account_id, row.redirect_uri, row.scopes, row.code_challenge, row.created_at],
        )?;
        Ok(())
    }

    /// Whether `code` was issued with a PKCE challenge (false for a code never issued).
    pub(crate) fn code_uses_pkce(&self, code: &str) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT code_challenge IS NOT NULL FROM authorization_codes WHERE code_digest = ?1",
                [digest(code)],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }

    /// Looks a code up and, when `accept` takes it, marks it used, under one lock: a
    /// code is good once, and (as Doorkeeper) a refused exchange does not use it up.
    pub(crate) fn take_code(
        &self,
        code: &str,
        accept: impl FnOnce(&CodeRow) -> bool,
    ) -> Result<Option<CodeRow>> {
        let conn = self.conn();
        let found = conn
            .query_row(
                "SELECT app_id, account_id, redirect_uri, scopes, code_challenge, created_at, used FROM authorization_codes WHERE code_digest = ?1",
                [digest(code)],
                |row| {
                    Ok(CodeRow {
                        app_id: row.get(0)?,
                        account_id: row.get(1)?,
                        redirect_uri: row.get(2)?,
                        scopes: row.get(3)?,
                        code_challenge: row.get(4)?,
                        created_at: row.get(5)?,
                        used: row.get::<_, i64>(6)? != 0,
                    })
                },
            )
            .optional()?
            .filter(|row| !row.used && accept(row));
        if found.is_some() {
            conn.execute(
                "UPDATE authorization_codes SET used = 1 WHERE code_digest = ?1",
                [digest(code)],
            )?;
        }
        Ok(found)
    }

    // ---- tokens ----

    pub(crate) fn insert_token(
        &self,
        token: &str,
        app_id: &str,
        account_id: Option<&str>,
        scopes: &str,
    ) -> Result<i64> {
        let created = self.now_ms();
        self.conn().execute(
            "INSERT INTO tokens (token_digest, app_id, account_id, scopes, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![digest(token), app_id, account_id, scopes, created],
        )?;
        Ok(created)
    }

    /// The token, and whether it was revoked.
    pub(crate) fn token(&self, token: &str) -> Result<Option<(TokenRow, bool)>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT app_id, account_id, scopes, revoked FROM tokens WHERE token_digest = ?1",
                [digest(token)],
                |row| {
                    Ok((
                        TokenRow {
                            app_id: row.get(0)?,
                            account_id: row.get(1)?,
                            scopes: row.get(2)?,
                        },
                        row.get::<_, bool>(3)?,
                    ))
                },
            )
            .optional()?)
    }

    /// Whether `account_id` holds a working token of the application for exactly
    /// `scopes` (in any order), as Doorkeeper's `matching_token?` asks.
    pub(crate) fn has_token(
        &self,
        app_id: &str,
        account_id: &str,
        scopes: &tootkit::Scopes,
    ) -> Result<bool> {
        let wanted = scope_set(scopes.iter());
        let conn = self.conn();
        let mut query = conn.prepare(
            "SELECT scopes FROM tokens WHERE app_id = ?1 AND account_id = ?2 AND revoked = 0",
        )?;
        let mut rows = query.query(params![app_id, account_id])?;
        while let Some(row) = rows.next()? {
            let held: String = row.get(0)?;
            if scope_set(held.split_whitespace()) == wanted {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub(crate) fn revoke_token(&self, token: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE tokens SET revoked = 1 WHERE token_digest = ?1",
            [digest(token)],
        )?;
        Ok(())
    }

    // ---- statuses ----

    /// Posts a status, or, when `idempotency_key` was used by the same account in the
    /// last hour, returns the status posted then; says which (`true`: made now). Check
    /// and insert happen under one lock so that two concurrent retries cannot both post.
    pub(crate) fn post_status(
        &self,
        new: &NewStatus<'_>,
        idempotency_key: Option<&str>,
    ) -> Result<(StatusRow, bool)> {
        let id = self.next_id();
        let conn = self.conn();
        let now = self.now_ms();
        if let Some(key) = idempotency_key
            && let Keyed::Posted(earlier) = self.keyed_status(&conn, new.account_id, key, now)?
        {
            return Ok((*earlier, false));
        }
        let row = StatusRow {
            id,
            account_id: new.account_id.to_owned(),
            app_id: new.app_id.map(str::to_owned),
            text: new.text.to_owned(),
            spoiler_text: new.spoiler_text.to_owned(),
            visibility: new.visibility.to_owned(),
            sensitive: new.sensitive,
            language: new.language.map(str::to_owned),
            in_reply_to_id: new.in_reply_to.map(|(id, _)| id.to_owned()),
            in_reply_to_account_id: new.in_reply_to.map(|(_, account)| account.to_owned()),
            created_at: now,
            quote_policy: new.quote_policy.to_owned(),
        };
        conn.execute(
            "INSERT INTO statuses (id, account_id, app_id, text, spoiler_text, visibility, sensitive, language, in_reply_to_id, in_reply_to_account_id, created_at, quote_policy) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                row.id,
                row.account_id,
                row.app_id,
                row.text,
                row.spoiler_text,
                row.visibility,
                row.sensitive,
                row.language,
                row.in_reply_to_id,
                row.in_reply_to_account_id,
                row.created_at,
                row.quote_policy
            ],
        )?;
        if let Some(key) = idempotency_key {
            conn.execute(
                "INSERT OR REPLACE INTO idempotency_keys (account_id, key, status_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![new.account_id, key, row.id, now],
            )?;
        }
        Ok((row, true))
    }

    /// What `key` names for `account_id`: a status posted with it within the window,
    /// one since deleted, or nothing.
    pub(crate) fn status_for_key(&self, account_id: &str, key: &str) -> Result<Keyed> {
        self.keyed_status(&self.conn(), account_id, key, self.now_ms())
    }

    fn keyed_status(
        &self,
        conn: &Connection,
        account_id: &str,
        key: &str,
        now: i64,
    ) -> Result<Keyed> {
        let earlier: Option<String> = conn
            .query_row(
                "SELECT status_id FROM idempotency_keys WHERE account_id = ?1 AND key = ?2 AND created_at > ?3",
                params![account_id, key, now - IDEMPOTENCY_MS],
                |row| row.get(0),
            )
            .optional()?;
        let Some(earlier) = earlier else {
            return Ok(Keyed::Unknown);
        };
        let sql = format!(
            "SELECT {} FROM statuses WHERE id = ?1 AND deleted = 0",
            Self::STATUS_COLUMNS
        );
        Ok(conn
            .query_row(&sql, [&earlier], Self::status_from)
            .optional()?
            .map_or(Keyed::Deleted, |row| Keyed::Posted(Box::new(row))))
    }

    /// The latest statuses of every account, newest first.
    pub(crate) fn recent_statuses(&self, limit: usize) -> Result<Vec<StatusRow>> {
        let sql = format!(
            "SELECT {} FROM statuses WHERE deleted = 0 ORDER BY CAST(id AS INTEGER) DESC LIMIT ?1",
            Self::STATUS_COLUMNS
        );
        let conn = self.conn();
        let mut statement = conn.prepare(&sql)?;
        let rows = statement.query_map([limit as i64], Self::status_from)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    const STATUS_COLUMNS: &'static str = "id, account_id, app_id, text, spoiler_text, visibility, sensitive, language, in_reply_to_id, in_reply_to_account_id, created_at, quote_policy";

    fn status_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<StatusRow> {
        Ok(StatusRow {
            id: row.get(0)?,
            account_id: row.get(1)?,
            app_id: row.get(2)?,
            text: row.get(3)?,
            spoiler_text: row.get(4)?,
            visibility: row.get(5)?,
            sensitive: row.get::<_, i64>(6)? != 0,
            language: row.get(7)?,
            in_reply_to_id: row.get(8)?,
            in_reply_to_account_id: row.get(9)?,
            created_at: row.get(10)?,
            quote_policy: row.get(11)?,
        })
    }

    pub(crate) fn status(&self, id: &str) -> Result<Option<StatusRow>> {
        let sql = format!(
            "SELECT {} FROM statuses WHERE id = ?1 AND deleted = 0",
            Self::STATUS_COLUMNS
        );
        Ok(self
            .conn()
            .query_row(&sql, [id], Self::status_from)
            .optional()?)
    }

    pub(crate) fn delete_status(&self, id: &str) -> Result<()> {
        self.conn()
            .execute("UPDATE statuses SET deleted = 1 WHERE id = ?1", [id])?;
        Ok(())
    }

    pub(crate) fn replies_count(&self, id: &str) -> Result<u64> {
        Ok(self.conn().query_row(
            // Only replies shown to others count, as Mastodon's `distributable?`.
            "SELECT COUNT(*) FROM statuses WHERE in_reply_to_id = ?1 AND deleted = 0 \
             AND visibility IN ('public', 'unlisted')",
            [id],
            |row| row.get::<_, i64>(0),
        )? as u64)
    }

    /// An account's statuses between optional bounds (exclusive, IDs as the integers
    /// they are): newest first, or, with `min`, oldest first from just above it (the
    /// caller turns them round).
    pub(crate) fn account_statuses(
        &self,
        account_id: &str,
        (max, since, min): (Option<i64>, Option<i64>, Option<i64>),
        limit: usize,
    ) -> Result<Vec<StatusRow>> {
        let order = if min.is_some() { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {} FROM statuses WHERE account_id = ?1 AND deleted = 0 \
             AND (?2 IS NULL OR CAST(id AS INTEGER) < ?2) \
             AND (?3 IS NULL OR CAST(id AS INTEGER) > ?3) \
             AND (?4 IS NULL OR CAST(id AS INTEGER) > ?4) \
             ORDER BY CAST(id AS INTEGER) {order} LIMIT ?5",
            Self::STATUS_COLUMNS
        );
        let conn = self.conn();
        let mut statement = conn.prepare(&sql)?;
        let rows = statement.query_map(
            params![account_id, max, since, min, limit as i64],
            Self::status_from,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- browser sessions ----

    /// Stores a new session, and forgets those opened more than a day ago by a sign-in
    /// page nobody signed in on (each visit without a cookie opens one).
    pub(crate) fn insert_session(&self, session: &str, csrf_token: &str) -> Result<()> {
        const ABANDONED_AFTER_MS: i64 = 24 * 60 * 60 * 1000;
        let now = self.now_ms();
        let conn = self.conn();
        conn.execute(
            "DELETE FROM sessions WHERE account_id IS NULL AND created_at < ?1",
            [now - ABANDONED_AFTER_MS],
        )?;
        conn.execute(
            "INSERT INTO sessions (session_digest, csrf_token, created_at) VALUES (?1, ?2, ?3)",
            params![digest(session), csrf_token, now],
        )?;
        Ok(())
    }

    /// Forgets a session: its ID and its CSRF token are no good any more.
    pub(crate) fn delete_session(&self, session: &str) -> Result<()> {
        self.conn().execute(
            "DELETE FROM sessions WHERE session_digest = ?1",
            [digest(session)],
        )?;
        Ok(())
    }

    pub(crate) fn session(&self, session: &str) -> Result<Option<SessionRow>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT csrf_token, account_id FROM sessions WHERE session_digest = ?1",
                [digest(session)],
                |row| {
                    Ok(SessionRow {
                        csrf_token: row.get(0)?,
                        account_id: row.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    pub(crate) fn set_session_account(&self, session: &str, account_id: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE sessions SET account_id = ?1 WHERE session_digest = ?2",
            params![account_id, digest(session)],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_kept_from_before_quote_policies_gets_one() {
        let path = std::env::temp_dir().join(format!(
            "tootkit-sandbox-old-schema-{}.sqlite3",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        {
            // The statuses table as it was.
            let old = Connection::open(&path).unwrap();
            old.execute_batch(
                "CREATE TABLE statuses (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, app_id TEXT, text TEXT NOT NULL, spoiler_text TEXT NOT NULL, visibility TEXT NOT NULL, sensitive INTEGER NOT NULL, language TEXT, in_reply_to_id TEXT, in_reply_to_account_id TEXT, created_at INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
                 INSERT INTO statuses (id, account_id, text, spoiler_text, visibility, sensitive, created_at) VALUES ('1', '2', 'kept', '', 'public', 0, 0);",
            )
            .unwrap();
        }
        let store = Store::open(Some(&path)).unwrap();
        let kept = store.status("1").unwrap().unwrap();
        assert_eq!(
            (kept.text.as_str(), kept.quote_policy.as_str()),
            ("kept", "public")
        );
        drop(store);
        // Opened again, nothing more to add.
        Store::open(Some(&path)).unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.clone().into_os_string();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
}

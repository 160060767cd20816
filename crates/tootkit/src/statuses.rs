//! Posting and reading statuses: `client.statuses()`.

use crate::client::ApiRequest;
use crate::entities::{Status, Visibility};
use crate::{Client, Error};

/// Status endpoints: `client.statuses()`.
#[derive(Clone, Copy, Debug)]
pub struct Statuses<'a> {
    client: &'a Client,
}

impl Client {
    /// Posting, reading and deleting statuses.
    pub fn statuses(&self) -> Statuses<'_> {
        Statuses { client: self }
    }
}

impl<'a> Statuses<'a> {
    /// Starts a new status with `text`.
    ///
    /// The status gets its own `Idempotency-Key` now, and keeps it through retries: if an
    /// answer is lost and the request is sent again, the server returns the status it
    /// already made instead of posting twice.
    pub fn create(&self, text: impl Into<String>) -> CreateStatus<'a> {
        CreateStatus {
            client: self.client,
            text: text.into(),
            visibility: None,
            spoiler_text: None,
            sensitive: None,
            language: None,
            in_reply_to_id: None,
            idempotency_key: crate::random::uuid_v4(),
        }
    }

    /// A status by ID.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such status or it is not visible to the token.
    pub async fn get(&self, id: &str) -> Result<Status, Error> {
        let path = format!("/api/v1/statuses/{}", crate::path_segment(id)?);
        self.client.json(ApiRequest::get(path), "a Status").await
    }

    /// Deletes one of the token's account's statuses; the answer carries its source
    /// `text`, for "delete and redraft".
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such status (or it is someone else's).
    pub async fn delete(&self, id: &str) -> Result<Status, Error> {
        let path = format!("/api/v1/statuses/{}", crate::path_segment(id)?);
        self.client.json(ApiRequest::delete(path), "a Status").await
    }
}

/// A status being composed (`POST /api/v1/statuses`).
///
/// ```no_run
/// # async fn run(client: tootkit::Client) -> Result<(), tootkit::Error> {
/// use tootkit::Visibility;
///
/// let status = client
///     .statuses()
///     .create("The forecast: rain.")
///     .visibility(Visibility::Unlisted)
///     .spoiler_text("weather")
///     .language("en")
///     .send()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct CreateStatus<'a> {
    client: &'a Client,
    text: String,
    visibility: Option<Visibility>,
    spoiler_text: Option<String>,
    sensitive: Option<bool>,
    language: Option<String>,
    in_reply_to_id: Option<String>,
    idempotency_key: String,
}

impl CreateStatus<'_> {
    /// Who can see it (default: the account's preference).
    pub fn visibility(mut self, visibility: Visibility) -> Self {
        self.visibility = Some(visibility);
        self
    }

    /// A content warning, shown before the text.
    pub fn spoiler_text(mut self, warning: impl Into<String>) -> Self {
        self.spoiler_text = Some(warning.into());
        self
    }

    /// Marks attached media as sensitive.
    pub fn sensitive(mut self, sensitive: bool) -> Self {
        self.sensitive = Some(sensitive);
        self
    }

    /// The language of the text (ISO 639-1, such as `en`).
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Makes it a reply to the status with this ID.
    pub fn in_reply_to(mut self, status_id: impl Into<String>) -> Self {
        self.in_reply_to_id = Some(status_id.into());
        self
    }

    /// Replaces the generated `Idempotency-Key`, for instance with one stored before a
    /// crash, so that sending again cannot post twice.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = key.into();
        self
    }

    /// The `Idempotency-Key` this status is sent with.
    pub fn key(&self) -> &str {
        &self.idempotency_key
    }

    /// Posts the status. Transient failures are retried with the same key.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] before sending when the text and content warning are both
    /// empty; [`Error::Validation`] when the server refuses it (too long, for instance);
    /// [`Error::Forbidden`] when the token lacks `write:statuses`.
    pub async fn send(self) -> Result<Status, Error> {
        let has_warning = self
            .spoiler_text
            .as_deref()
            .is_some_and(|w| !w.trim().is_empty());
        if self.text.trim().is_empty() && !has_warning {
            return Err(Error::invalid_input(
                "The status has no text; write something to post.",
            ));
        }
        if self.idempotency_key.trim().is_empty() {
            return Err(Error::invalid_input(
                "The idempotency key is empty; leave it unset to get a generated one.",
            ));
        }
        let mut body = serde_json::json!({ "status": self.text });
        if let Some(visibility) = self.visibility {
            body["visibility"] = visibility.as_str().into();
        }
        if let Some(warning) = self.spoiler_text {
            body["spoiler_text"] = warning.into();
        }
        if let Some(sensitive) = self.sensitive {
            body["sensitive"] = sensitive.into();
        }
        if let Some(language) = self.language {
            body["language"] = language.into();
        }
        if let Some(id) = self.in_reply_to_id {
            body["in_reply_to_id"] = id.into();
        }
        let request = ApiRequest::post("/api/v1/statuses")
            .json(body)
            .idempotency_key(self.idempotency_key);
        self.client.json(request, "a Status").await
    }
}

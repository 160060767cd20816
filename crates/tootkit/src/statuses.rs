//! Posting and reading statuses: `client.statuses()`.

use crate::client::ApiRequest;
use crate::entities::{Status, Visibility};
use crate::text::{self, Limits, ThreadOptions};
use time::OffsetDateTime;

use crate::{Client, Error, InstanceUrl};

/// How long a server answers a repeated `Idempotency-Key` with the status it made:
/// an hour, as Mastodon keeps keys (`PostStatusService`).
///
/// ```
/// assert_eq!(tootkit::statuses::IDEMPOTENCY_KEY_LIFETIME.as_secs(), 3600);
/// ```
pub const IDEMPOTENCY_KEY_LIFETIME: std::time::Duration = std::time::Duration::from_secs(60 * 60);

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
    ///
    /// ```no_run
    /// use tootkit::{Client, Visibility};
    /// # async fn run() -> Result<(), tootkit::Error> {
    /// let client = Client::from_env()?;
    /// let status = client
    ///     .statuses()
    ///     .create("Rain at noon, sun by four.")
    ///     .visibility(Visibility::Unlisted)
    ///     .spoiler_text("weather")
    ///     .language("en")
    ///     .send()
    ///     .await?;
    /// println!("{}", status.url.unwrap_or(status.uri));
    /// # Ok(()) }
    /// ```
    pub fn create(&self, text: impl Into<String>) -> CreateStatus<'a> {
        self.create_keyed(text, crate::random::uuid_v4())
    }

    /// [`create`](Self::create) with a key already chosen (a thread derives its own).
    fn create_keyed(&self, text: impl Into<String>, idempotency_key: String) -> CreateStatus<'a> {
        CreateStatus {
            client: self.client,
            text: text.into(),
            visibility: None,
            spoiler_text: None,
            sensitive: None,
            language: None,
            in_reply_to_id: None,
            idempotency_key,
        }
    }

    /// A status by ID.
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client) -> Result<(), tootkit::Error> {
    /// let status = client.statuses().get("109876543210987654").await?;
    /// println!("{}: {}", status.account.acct, status.content);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such status or it is not visible to the token.
    pub async fn get(&self, id: &str) -> Result<Status, Error> {
        let path = format!("/api/v1/statuses/{}", crate::path_segment(id)?);
        self.client.json(ApiRequest::get(path), "a Status").await
    }

    /// Deletes one of the token's account's statuses; the answer carries its source
    /// `text`, for "delete and redraft". `None` when the server answered `{}`, as
    /// Mastodon did before 2.9: the status is gone all the same.
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client) -> Result<(), tootkit::Error> {
    /// let posted = client.statuses().create("a typo, soon gone").send().await?;
    /// if let Some(deleted) = client.statuses().delete(&posted.id).await? {
    ///     println!("redraft from: {}", deleted.text.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when there is no such status (or it is someone else's).
    pub async fn delete(&self, id: &str) -> Result<Option<Status>, Error> {
        let path = format!("/api/v1/statuses/{}", crate::path_segment(id)?);
        let answer = self.client.send(ApiRequest::delete(path)).await?;
        if answer.is_empty_object() {
            return Ok(None);
        }
        answer.json("a Status").map(Some)
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

    /// The language of the text: an ISO 639 code such as `en` or `pt-BR`, or a locale
    /// such as `$LANG`'s `pt_BR.UTF-8`, sent as its tag ([`text::language_tag`]);
    /// checked before sending ([`text::check_language`]).
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Makes it a reply to the status with this ID, or with this address on the
    /// instance (`https://host/@user/ID`, GoToSocial's `…/statuses/ID`, Akkoma's
    /// `…/notice/ID`). The address of a status on another server is refused before
    /// sending, as it holds that server's ID, not the instance's.
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
    /// empty, or the language is no language code ([`text::check_language`]);
    /// [`Error::Validation`] when the server refuses it (too long, for instance);
    /// [`Error::Forbidden`] when the token lacks `write:statuses`;
    /// [`Error::Unconfirmed`] when no answer said whether it was made (look before
    /// sending it again: a new `send` carries a new key); [`Error::AlreadyHandled`] when
    /// a server that keeps no copy (GoToSocial) says a repeat of it was carried out.
    pub async fn send(self) -> Result<Status, Error> {
        Ok(self.send_dated().await?.0)
    }

    /// [`send`](Self::send), with when the server answered, by its own clock.
    async fn send_dated(self) -> Result<(Status, Option<OffsetDateTime>), Error> {
        let has_warning = self
            .spoiler_text
            .as_deref()
            .is_some_and(|w| !text::is_blank(w));
        if text::is_blank(&self.text) && !has_warning {
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
            text::check_language(&language)?;
            body["language"] = text::language_tag(&language).into();
        }
        if let Some(id) = self.in_reply_to_id {
            body["in_reply_to_id"] = reply_target(self.client.base_url(), &id)?.into();
        }
        let request = ApiRequest::post("/api/v1/statuses")
            .json(body)
            .idempotency_key(self.idempotency_key);
        self.client.json_dated(request, "a Status").await
    }
}

/// The ID of the status to reply to: `given` as it is, or taken from a status's
/// address on this instance (Mastodon's `https://host/@user/ID` and
/// `…/users/user/statuses/ID`, GoToSocial's `…/@user/statuses/ID`, Akkoma's
/// `…/notice/ID`; a query such as `?utm_source=…` ignored), where it is the last part.
/// IDs hold no `/`, so a word with one is an address, `https://` left out or not.
fn reply_target(base: &InstanceUrl, given: &str) -> Result<String, Error> {
    let given = given.trim();
    if !given.contains('/') {
        return Ok(given.to_owned());
    }
    let instance = base.authority();
    let how = format!(
        "open the status on {instance} (its search takes the address) and give the ID that ends its address there"
    );
    let parsed = if given.contains("://") {
        url::Url::parse(given)
    } else if given
        .split('/')
        .next()
        .is_some_and(|host| !host.contains('@'))
    {
        url::Url::parse(&format!("https://{given}"))
    } else {
        // `user@host/…` is not how a status's address is written.
        Err(url::ParseError::EmptyHost)
    };
    let Some(mut url) = parsed
        .ok()
        .filter(|url| matches!(url.scheme(), "https" | "http") && url.host().is_some())
    else {
        return Err(Error::invalid_input(format!(
            "The status to reply to is neither an ID nor a web address; {how}."
        )));
    };
    // Said without what may be private: a query's parameters, a user name and password.
    url.set_query(None);
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let server = InstanceUrl::authority_of(&url);
    if server != instance {
        return Err(Error::invalid_input(format!(
            "The status to reply to is given by its address on {server}, which holds {server}'s ID for it, not {instance}'s; {how}."
        )));
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(|segments| segments.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    match segments[..] {
        [.., "statuses", id] | ["notice", id] => Ok(id.to_owned()),
        // Mastodon's own form, whose IDs are numbers (`@user/with_replies` is no status).
        [account, id] if account.starts_with('@') && id.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(id.to_owned())
        }
        _ => Err(Error::invalid_input(format!(
            "`{url}` is not the address of a status; {how}."
        ))),
    }
}

/// Whether a status the server dated `created`, in an answer it dated `date`, was made
/// before a run that began `running` ago by this machine's clock. The run's start is
/// placed on the server's clock by its `Date`, cut to the second and written before the
/// answer arrives, so it is placed early, never late; and cut to the second again, as
/// Pleroma's and Akkoma's `created_at` are. A status older than the hour for which a
/// server gives one back for its key means a `Date` from another clock (a proxy's): not
/// judged.
fn made_before_the_run(
    created: OffsetDateTime,
    date: OffsetDateTime,
    running: time::Duration,
) -> bool {
    let lifetime =
        time::Duration::try_from(IDEMPOTENCY_KEY_LIFETIME).unwrap_or(time::Duration::HOUR);
    let began = date
        .checked_sub(running)
        .and_then(|began| began.replace_nanosecond(0).ok());
    let kept_since = date.checked_sub(lifetime + time::Duration::MINUTE);
    match (began, kept_since) {
        (Some(began), Some(kept_since)) => created < began && created >= kept_since,
        _ => false,
    }
}

/// A part of a thread, as [`CreateThread::send_with`] reports it.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct PostedPart<'s> {
    /// Its place in the thread, from 0.
    pub index: usize,
    /// How many parts the thread has.
    pub count: usize,
    /// The status the server made, or gave back for the part's key.
    pub status: &'s Status,
    /// Whether the server made it before this run began: an earlier run of the same
    /// thread posted it, and the server gave it back for its key. Judged by the
    /// answer's `Date` against the status's `created_at`, both to the second, so false
    /// when either is missing, or when the earlier run ended a second or two before
    /// this one began.
    pub earlier: bool,
}

impl<'a> Statuses<'a> {
    /// Starts a thread: `text` cut into statuses by [`text::split_thread`] with the
    /// instance's limits, posted as a chain of replies.
    ///
    /// Each part's `Idempotency-Key` is derived from the whole text, the part itself,
    /// its position and every option (content warning, visibility, the status it
    /// replies to…), so running the same thread again — after a crash, a lost
    /// connection, a killed process — posts only the parts that are missing: Mastodon
    /// answers the others with the statuses it already made (it keeps keys for an hour).
    /// To post the same text anew within that hour, name the posting with
    /// [`CreateThread::run_id`].
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client, essay: String) -> Result<(), tootkit::Error> {
    /// let statuses = client
    ///     .statuses()
    ///     .thread(essay)
    ///     .spoiler_text("long read")
    ///     .send_with(|part| println!("{}/{} {}", part.index + 1, part.count, part.status.uri))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn thread(&self, text: impl Into<String>) -> CreateThread<'a> {
        CreateThread {
            client: self.client,
            text: text.into(),
            visibility: None,
            reply_visibility: None,
            spoiler_text: String::new(),
            sensitive: None,
            language: None,
            in_reply_to_id: None,
            numbering: true,
            carry_mentions: false,
            max_parts: text::DEFAULT_MAX_PARTS,
            limits: None,
            max_characters: None,
            run_id: String::new(),
        }
    }
}

/// A thread being composed: see [`Statuses::thread`].
#[derive(Clone, Debug)]
#[must_use]
pub struct CreateThread<'a> {
    client: &'a Client,
    text: String,
    visibility: Option<Visibility>,
    reply_visibility: Option<Visibility>,
    spoiler_text: String,
    sensitive: Option<bool>,
    language: Option<String>,
    in_reply_to_id: Option<String>,
    numbering: bool,
    carry_mentions: bool,
    max_parts: usize,
    limits: Option<Limits>,
    max_characters: Option<usize>,
    run_id: String,
}

impl CreateThread<'_> {
    /// Who can see the first part (default: the account's preference). A direct
    /// thread carries the first part's mentions into every reply, as
    /// [`carry_mentions`](Self::carry_mentions) does, so that each part reaches them.
    pub fn visibility(mut self, visibility: Visibility) -> Self {
        self.visibility = Some(visibility);
        self
    }

    /// Who can see the replies. By default they are unlisted, so a thread fills no
    /// timelines, but never more visible than the first part as posted: the replies
    /// to a private or direct first part keep its visibility. A choice wider than the
    /// [`visibility`](Self::visibility) chosen for the first part is refused before
    /// anything is posted; if the server makes the first part narrower than asked (the
    /// account's default, a moderator's limit), the replies follow it. Direct replies
    /// carry the first part's mentions, also when direct is the account's default (asked
    /// of the server when no visibility is named and the text mentions someone), the
    /// poster's own left out.
    pub fn reply_visibility(mut self, visibility: Visibility) -> Self {
        self.reply_visibility = Some(visibility);
        self
    }

    /// A content warning, repeated on every part.
    pub fn spoiler_text(mut self, warning: impl Into<String>) -> Self {
        self.spoiler_text = warning.into();
        self
    }

    /// Marks attached media as sensitive, on every part.
    pub fn sensitive(mut self, sensitive: bool) -> Self {
        self.sensitive = Some(sensitive);
        self
    }

    /// The language of the text: an ISO 639 code such as `en` or `pt-BR`, or a locale
    /// such as `$LANG`'s `pt_BR.UTF-8`, sent as its tag ([`text::language_tag`]);
    /// checked before sending ([`text::check_language`]).
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Makes the first part a reply to the status with this ID, or this address on the
    /// instance, as [`CreateStatus::in_reply_to`] takes it.
    pub fn in_reply_to(mut self, status_id: impl Into<String>) -> Self {
        self.in_reply_to_id = Some(status_id.into());
        self
    }

    /// Whether parts end with `1/3` and so on (default: yes).
    pub fn numbering(mut self, numbering: bool) -> Self {
        self.numbering = numbering;
        self
    }

    /// Names this posting of the thread, for a bot that posts the same text again on
    /// purpose: within the hour Mastodon keeps keys, the same text and options would
    /// otherwise find the statuses posted before rather than post new ones. Give each
    /// posting its own name (the date of a daily post, say) and keep it for re-runs of
    /// that posting (default: none).
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client) -> Result<(), tootkit::Error> {
    /// let statuses = client
    ///     .statuses()
    ///     .thread("Nothing new on the tracker today.")
    ///     .run_id("2026-11-27 09:00")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn run_id(mut self, run_id: impl Into<String>) -> Self {
        self.run_id = run_id.into();
        self
    }

    /// Whether the first part's mentions open every reply (default: no).
    pub fn carry_mentions(mut self, carry: bool) -> Self {
        self.carry_mentions = carry;
        self
    }

    /// The most parts the thread may have (default [`text::DEFAULT_MAX_PARTS`]); a
    /// longer text is refused before anything is posted.
    pub fn max_parts(mut self, max_parts: usize) -> Self {
        self.max_parts = max_parts;
        self
    }

    /// Cuts for these limits instead of asking the instance for its own.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Cuts the parts for `max_characters` instead of the limit the instance (or
    /// [`limits`](Self::limits)) names, its link length kept: for a server that counts
    /// otherwise than it says, or one that says none. More than a limit the instance
    /// publishes (or the limits give), or 0, is refused when the parts are cut, with
    /// [`Error::InvalidInput`].
    pub fn max_characters(mut self, max_characters: usize) -> Self {
        self.max_characters = Some(max_characters);
        self
    }

    /// The parts as they will be posted, without posting.
    ///
    /// # Errors
    ///
    /// [`Error::Thread`] when the text cannot be cut (see [`text::SplitError`]);
    /// the errors of [`crate::instance::InstanceApi::get`] when the limits are not set
    /// and the instance cannot be asked, and of
    /// [`crate::accounts::Accounts::verify_credentials`] when the text mentions someone
    /// and the account matters: no visibility is named (a direct default changes how it
    /// is cut), or mentions are carried (its own is left out).
    pub async fn parts(&self) -> Result<Vec<String>, Error> {
        let poster = self.poster().await?;
        let direct_by_default = self.visibility.is_none()
            && poster.as_ref().is_some_and(|account| {
                account
                    .source
                    .as_ref()
                    .and_then(|source| source.privacy.as_ref())
                    .is_some_and(|privacy| *privacy == Visibility::Direct)
            });
        // The instance, asked once: its limits unless they are set, and the domain its
        // accounts are written with (`@me@example.com`, served from another host).
        let instance = match self.limits {
            Some(_) if poster.is_none() => None,
            _ => Some(self.client.instance().get().await?),
        };
        let mut limits = self
            .limits
            .or_else(|| instance.as_ref().map(Limits::of))
            .unwrap_or_default();
        if let Some(max) = self.max_characters {
            // Smaller, for a server that counts otherwise than it says; never larger
            // than a limit it says (or the caller's limits say), which it would refuse.
            let said = match (&self.limits, &instance) {
                (Some(given), _) => {
                    Some((given.max_characters, "the limits given allow".to_owned()))
                }
                (None, Some(instance)) => instance.published_max_characters().map(|published| {
                    let host = self.client.base_url().authority();
                    (published as usize, format!("{host} takes"))
                }),
                (None, None) => None,
            };
            if max == 0 {
                return Err(Error::invalid_input(
                    "Parts of at most 0 characters were asked for, which no text fits; ask for 1 or more.",
                ));
            }
            if let Some((ceiling, whose)) = said
                && max > ceiling
            {
                return Err(Error::invalid_input(format!(
                    "Parts of at most {max} characters were asked for, but {whose} a post of up to {ceiling} characters; ask for 1 to {ceiling} instead."
                )));
            }
            limits.max_characters = max;
        }
        let author = poster.map(|account| {
            let domain = instance
                .as_ref()
                .map_or_else(|| self.client.base_url().host(), |i| i.domain.clone());
            format!("{}@{domain}", account.username)
        });
        // A direct message reaches only the accounts it mentions: every part of a direct
        // thread carries the first part's mentions, or its replies would reach no one.
        let direct = self.visibility == Some(Visibility::Direct)
            || self.reply_visibility == Some(Visibility::Direct)
            || direct_by_default;
        let options = ThreadOptions::new(limits)
            .spoiler_text(self.spoiler_text.clone())
            .numbering(self.numbering)
            .carry_mentions(self.carry_mentions || direct)
            .author(author.unwrap_or_default())
            .max_parts(self.max_parts);
        text::split_thread(&self.text, &options).map_err(|reason| Error::Thread { reason })
    }

    /// Posts the parts in order, each replying to the one before.
    ///
    /// # Errors
    ///
    /// Those of [`parts`](Self::parts), and those of [`CreateStatus::send`] for the
    /// first part that fails: the parts before it are posted, and sending the same
    /// thread again posts only the rest.
    pub async fn send(self) -> Result<Vec<Status>, Error> {
        self.send_with(|_| {}).await
    }

    /// Like [`send`](Self::send), calling `posted` as each part is posted, or found
    /// posted by an earlier run.
    ///
    /// ```no_run
    /// # async fn run(client: tootkit::Client, essay: String) -> Result<(), tootkit::Error> {
    /// client
    ///     .statuses()
    ///     .thread(essay)
    ///     .send_with(|part| {
    ///         let again = if part.earlier { " (posted before)" } else { "" };
    ///         println!("{}/{}: {}{again}", part.index + 1, part.count, part.status.uri);
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub async fn send_with(
        self,
        mut posted: impl FnMut(PostedPart<'_>),
    ) -> Result<Vec<Status>, Error> {
        // When this run began, by this machine's clock: a part the server made before
        // that (by its own clock, set against this one with its `Date`) is one an
        // earlier run posted, given back for its key.
        let began = OffsetDateTime::now_utc();
        if let Some(first) = &self.visibility {
            // Refused before anything is posted; with the account's default, after the
            // first part shows what that is.
            self.reply_visibility_after(first, false)?;
        }
        // Resolved once, so that the keys are the same whether the status answered was
        // given by its ID or its address.
        let answered = match &self.in_reply_to_id {
            Some(given) => Some(reply_target(self.client.base_url(), given)?),
            None => None,
        };
        let parts = self.parts().await?;
        if parts.is_empty() {
            return Err(Error::invalid_input(
                "The thread has no text; write something to post.",
            ));
        }
        let count = parts.len();
        let mut statuses: Vec<Status> = Vec::with_capacity(count);
        let mut reply_visibility: Option<Visibility> = None;
        for (index, part) in parts.into_iter().enumerate() {
            let reply_to = match statuses.last() {
                Some(previous) => Some(previous.id.clone()),
                None => answered.clone(),
            };
            let visibility = if index == 0 {
                self.visibility.clone()
            } else {
                reply_visibility.clone()
            };
            let key = self.key(index, count, &part, reply_to.as_deref());
            let mut status = self.client.statuses().create_keyed(part, key);
            if let Some(visibility) = visibility {
                status = status.visibility(visibility);
            }
            if let Some(id) = reply_to {
                status = status.in_reply_to(id);
            }
            if !self.spoiler_text.is_empty() {
                status = status.spoiler_text(self.spoiler_text.clone());
            }
            if let Some(sensitive) = self.sensitive {
                status = status.sensitive(sensitive);
            }
            if let Some(language) = &self.language {
                status = status.language(language.clone());
            }
            let (status, date) = match status.send_dated().await {
                // The status this part answers exists (it is the part just posted, or
                // none was named), so "not found" is about the key: the status it was
                // given to the first time is gone.
                Err(Error::NotFound {
                    server_message: Some(message),
                    ..
                }) if (index > 0 || self.in_reply_to_id.is_none())
                    && !message.contains("reply to") =>
                {
                    return Err(Error::ThreadPartDeleted {
                        part: index + 1,
                        parts: count,
                    });
                }
                other => other?,
            };
            if index == 0 && count > 1 {
                // The account's default, when no visibility was chosen, shows only now.
                // A first part whose visibility the server did not say leaves the
                // replies to the same default.
                reply_visibility = Some(self.reply_visibility_after(&status.visibility, true)?)
                    .filter(|visibility| !visibility.as_str().is_empty());
            }
            let earlier = date.zip(status.created_at).is_some_and(|(date, created)| {
                made_before_the_run(created, date, OffsetDateTime::now_utc() - began)
            });
            posted(PostedPart {
                index,
                count,
                status: &status,
                earlier,
            });
            statuses.push(status);
        }
        Ok(statuses)
    }

    /// The account posting the thread, when the cut depends on it: whether the first
    /// part, posted with no visibility named, will be a direct message (the account's
    /// default), so that the replies must carry its mentions to reach anyone; and, when
    /// mentions are carried, whose own mention to leave out. Asked only when it
    /// matters, a text mentioning someone; a token that may not read its account leaves
    /// it unknown. Any other failure is passed on: guessing would cut the text otherwise
    /// than a run that knew, and a resumed thread would get other keys and be posted
    /// twice.
    async fn poster(&self) -> Result<Option<crate::Account>, Error> {
        let direct_asked = [&self.visibility, &self.reply_visibility]
            .iter()
            .any(|chosen| **chosen == Some(Visibility::Direct));
        let needed = self.visibility.is_none() || self.carry_mentions || direct_asked;
        if !needed || text::extract_mentions(&self.text).is_empty() {
            return Ok(None);
        }
        match self.client.accounts().verify_credentials().await {
            Ok(account) => Ok(Some(account)),
            // A token that may not read its account: neither is known.
            Err(err) if err.is_scope_refusal() => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// The `Idempotency-Key` of part `index` of `count`: a digest of everything that
    /// makes the thread what it is, so that the same thread gets the same keys and any
    /// other thread other keys. The part's own text stands for how it was cut (limits,
    /// numbering, carried mentions) and the status it answers for its place in the
    /// chain, so a thread resumed with other options is posted anew rather than mixed
    /// with the parts of the first attempt. Naming the default (replies unlisted) after
    /// a first part named public or unlisted changes nothing, as both make the same
    /// statuses; after the account's default, which may be one tootkit cannot rank
    /// (Akkoma's `local`), it does.
    fn key(&self, index: usize, count: usize, part: &str, reply_to: Option<&str>) -> String {
        use sha2::{Digest, Sha256};
        let mut digest = Sha256::new();
        let visibility = |v: Option<&Visibility>| v.map_or("", Visibility::as_str).to_owned();
        let replies = self.reply_visibility.as_ref().filter(|chosen| {
            **chosen != Visibility::Unlisted
                || !matches!(
                    self.visibility,
                    Some(Visibility::Public | Visibility::Unlisted)
                )
        });
        // The text and warning as the server keeps them (stripped), so that one read
        // with a trailing newline is the same thread.
        let (text, spoiler_text) = text::as_posted(&self.text, &self.spoiler_text);
        for field in [
            "tootkit thread 3",
            text,
            part,
            spoiler_text,
            // The status this part answers (the previous part, or the thread's own
            // reply-to): a part never joins a chain other than the one it was made for.
            reply_to.unwrap_or(""),
            &format!("{index}/{count}"),
            &visibility(self.visibility.as_ref()),
            &visibility(replies),
            match self.sensitive {
                None => "",
                Some(true) => "sensitive",
                Some(false) => "not sensitive",
            },
            // What is sent: `pt_BR.UTF-8` and `pt-BR` are one language.
            &self
                .language
                .as_deref()
                .map(text::language_tag)
                .unwrap_or_default(),
            &self.run_id,
        ] {
            digest.update((field.len() as u64).to_be_bytes());
            digest.update(field.as_bytes());
        }
        let hex: String = digest.finalize()[..16]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        format!("tootkit-thread-{hex}")
    }

    /// The replies' visibility after a first part of visibility `first`: the chosen
    /// one, which may not be wider than `first` (it would show the later parts to people
    /// the first hides them from), or unlisted, unless `first` is narrower than that.
    ///
    /// Before posting, a choice wider than the first part's is refused. Once the first
    /// part is `posted`, the server may have made it narrower than asked (the account's
    /// default, or a moderator's limit): the replies then follow it, since refusing
    /// would leave a thread no run could finish.
    fn reply_visibility_after(
        &self,
        first: &Visibility,
        posted: bool,
    ) -> Result<Visibility, Error> {
        match (&self.reply_visibility, width(first)) {
            (Some(replies), Some(first_width))
                if width(replies).is_some_and(|w| w > first_width) =>
            {
                if posted {
                    return Ok(first.clone());
                }
                Err(Error::invalid_input(format!(
                    "Replies that are {replies} would be more visible than the thread's first part, which is {first}; choose a reply visibility no wider than {first}."
                )))
            }
            (Some(replies), _) => Ok(replies.clone()),
            (None, Some(first_width)) if first_width >= UNLISTED_WIDTH => Ok(Visibility::Unlisted),
            (None, Some(_)) => Ok(first.clone()),
            // Another server's visibility, which cannot be ranked: once posted, the
            // replies take it as it is.
            (None, None) if posted => Ok(first.clone()),
            (None, None) => Err(Error::invalid_input(format!(
                "The replies' visibility cannot be derived from `{first}`, which tootkit does not know; choose it with reply_visibility."
            ))),
        }
    }
}

const UNLISTED_WIDTH: u8 = 2;

/// How many people a visibility shows a status to, in Mastodon's order; `None` for a
/// value of another server's that cannot be ranked.
fn width(visibility: &Visibility) -> Option<u8> {
    match visibility {
        Visibility::Direct => Some(0),
        Visibility::Private => Some(1),
        Visibility::Unlisted => Some(UNLISTED_WIDTH),
        Visibility::Public => Some(3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_follow_a_first_part_the_server_made_narrower() {
        let client = Client::new("127.0.0.1:9".parse().unwrap()).unwrap();
        let thread = client
            .statuses()
            .thread("text")
            .reply_visibility(Visibility::Public);
        // Asked for before posting: refused, nothing is posted.
        assert!(
            thread
                .reply_visibility_after(&Visibility::Private, false)
                .is_err()
        );
        // The account's default made the first part private: the replies follow it.
        assert_eq!(
            thread
                .reply_visibility_after(&Visibility::Private, true)
                .unwrap(),
            Visibility::Private
        );
        assert_eq!(
            thread
                .reply_visibility_after(&Visibility::Public, true)
                .unwrap(),
            Visibility::Public
        );
        let unknown = Visibility::Other("local".into());
        let derived = client.statuses().thread("text");
        assert!(derived.reply_visibility_after(&unknown, false).is_err());
        assert_eq!(
            derived.reply_visibility_after(&unknown, true).unwrap(),
            unknown
        );
    }

    #[test]
    fn a_thread_is_keyed_by_its_text_and_warning_as_the_server_keeps_them() {
        let client = Client::new("127.0.0.1:9".parse().unwrap()).unwrap();
        let key = |text: &str, warning: &str| {
            client
                .statuses()
                .thread(text)
                .spoiler_text(warning)
                .key(0, 2, "a part", None)
        };
        let first = key("long text", "long read");
        assert_eq!(key("long text\n", "long read "), first);
        assert_eq!(key(" long text", "\nlong read\n"), first);
        assert_ne!(key("long text", "other"), first);
        // A blank warning is none.
        assert_eq!(key("long text", "   "), key("long text", ""));
    }

    #[test]
    fn a_part_is_earlier_only_when_made_before_the_run_on_the_server_s_clock() {
        use time::macros::datetime;
        let date = datetime!(2026-11-28 10:00:11 UTC);
        let seconds = |s: f64| time::Duration::seconds_f64(s);
        // Posted by a run that ended five seconds before this one began.
        assert!(super::made_before_the_run(
            date - seconds(6.0),
            date,
            seconds(1.0)
        ));
        // Made by this run, in the second it began, dated to the second as Pleroma
        // dates it: not earlier.
        let pleroma = datetime!(2026-11-28 10:00:10 UTC);
        assert!(!super::made_before_the_run(pleroma, date, seconds(0.15)));
        // A `Date` from another clock, hours or ages away: not judged.
        assert!(!super::made_before_the_run(
            date,
            datetime!(9999-12-31 23:59:59 UTC),
            seconds(1.0)
        ));
        // A local clock stepped back during the run, near the end of time: no panic.
        assert!(!super::made_before_the_run(
            date,
            datetime!(9999-12-31 23:59:59 UTC),
            seconds(-5.0)
        ));
    }
}

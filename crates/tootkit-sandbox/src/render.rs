//! Rows to entities: the sandbox answers with the library's own entity types, so the
//! JSON it writes is the JSON the library reads.

use tootkit::entities::{
    Account, AccountSource, ApprovalPolicy, Field, Instance, InstanceConfiguration, InstanceV1,
    Mention, Role, Status, StatusApplication, StatusesConfiguration, Tag, Thumbnail, Visibility,
};
use tootkit::text::{Entity, EntityKind, entities, normalize_hashtag};

use crate::AppState;
use crate::pages::escape;
use crate::store::{AccountRow, Result, StatusRow, from_ms};

impl AppState {
    fn avatar(&self) -> String {
        format!("{}/avatars/original/missing.png", self.base_url)
    }

    fn header_image(&self) -> String {
        format!("{}/headers/original/missing.png", self.base_url)
    }

    /// The public view of an account; `with_source` adds what only its owner sees.
    pub(crate) fn account_entity(&self, row: &AccountRow, with_source: bool) -> Result<Account> {
        let (statuses_count, last_status) = self.store.count_statuses(&row.id)?;
        let last_status_at = last_status.map(|ms| {
            let day = from_ms(ms).date();
            format!(
                "{:04}-{:02}-{:02}",
                day.year(),
                u8::from(day.month()),
                day.day()
            )
        });
        Ok(Account {
            id: row.id.clone(),
            username: row.username.clone(),
            acct: row.username.clone(),
            display_name: row.display_name.clone(),
            locked: false,
            bot: false,
            discoverable: None,
            indexable: Some(false),
            group: false,
            created_at: Some(from_ms(row.created_at).replace_time(time::Time::MIDNIGHT)),
            note: String::new(),
            url: format!("{}/@{}", self.base_url, row.username),
            uri: Some(format!("{}/ap/users/{}", self.base_url, row.id)),
            avatar: self.avatar(),
            avatar_static: self.avatar(),
            avatar_description: Some(String::new()),
            header: self.header_image(),
            header_static: self.header_image(),
            header_description: Some(String::new()),
            followers_count: 0,
            following_count: 0,
            statuses_count,
            last_status_at,
            hide_collections: None,
            show_media: Some(true),
            show_media_replies: Some(true),
            show_featured: Some(true),
            noindex: Some(false),
            feature_approval: Some(ApprovalPolicy::new(Vec::new(), "denied")),
            moved: None,
            suspended: None,
            limited: None,
            memorial: None,
            source: with_source.then(|| AccountSource {
                privacy: Some(Visibility::Public),
                sensitive: Some(false),
                language: None,
                note: String::new(),
                fields: Vec::<Field>::new(),
                follow_requests_count: Some(0),
                hide_collections: None,
                discoverable: None,
                indexable: Some(false),
                attribution_domains: Some(Vec::new()),
                quote_policy: Some(super::routes::statuses::DEFAULT_QUOTE_POLICY.to_owned()),
            }),
            emojis: Vec::new(),
            roles: Vec::new(),
            fields: Vec::new(),
            role: with_source.then(|| Role {
                id: "-99".to_owned(),
                name: String::new(),
                color: Some(String::new()),
                permissions: Some("65536".to_owned()),
                highlighted: Some(false),
                collection_limit: Some(10),
            }),
        })
    }

    /// A status as `viewer` (an account's ID; `None`: no one signed in) sees it;
    /// `with_source` adds the plain text (after deletion).
    pub(crate) fn status_entity(
        &self,
        row: &StatusRow,
        viewer: Option<&str>,
        with_source: bool,
    ) -> Result<Status> {
        let author = self
            .store
            .account(&row.account_id)?
            .ok_or_else(|| crate::store::StoreError(rusqlite::Error::QueryReturnedNoRows))?;
        let application = match &row.app_id {
            Some(app_id) => self
                .store
                .app(app_id)?
                .map(|app| StatusApplication::new(app.name, app.website)),
            None => None,
        };
        let formatted = self.format_text(&row.text)?;
        let visibility: Visibility = row.visibility.parse().unwrap_or(Visibility::Public);
        // Who may quote it, as Mastodon answers: for a public or unlisted post, whom its
        // policy names (anyone, the author's followers — none here —, or no one); for
        // a private one no one else; for a direct one not even its author. The author
        // may quote their own, and no one who is not signed in may quote anything.
        let own = viewer == Some(row.account_id.as_str());
        let automatic = match (&visibility, row.quote_policy.as_str()) {
            (Visibility::Private | Visibility::Direct, _) | (_, "nobody") => Vec::new(),
            (_, policy) => vec![policy.to_owned()],
        };
        let current_user = match viewer {
            _ if visibility == Visibility::Direct => "denied",
            None => "denied",
            Some(_) if own || automatic.iter().any(|who| who == "public") => "automatic",
            Some(_) => "denied",
        };
        let quote_approval = ApprovalPolicy::new(automatic, current_user);
        // What depends on the reader is left out for no one, as Mastodon leaves it out;
        // `pinned` only for the author, of a status that can be pinned (not direct).
        let signed_in = viewer.map(|_| false);
        let pinned = (own && visibility != Visibility::Direct).then_some(false);
        Ok(Status {
            id: row.id.clone(),
            created_at: Some(from_ms(row.created_at)),
            in_reply_to_id: row.in_reply_to_id.clone(),
            in_reply_to_account_id: row.in_reply_to_account_id.clone(),
            sensitive: row.sensitive,
            spoiler_text: row.spoiler_text.clone(),
            visibility,
            language: row.language.clone(),
            uri: format!(
                "{}/ap/users/{}/statuses/{}",
                self.base_url, author.id, row.id
            ),
            url: Some(format!("{}/@{}/{}", self.base_url, author.username, row.id)),
            replies_count: self.store.replies_count(&row.id)?,
            reblogs_count: 0,
            favourites_count: 0,
            quotes_count: Some(0),
            edited_at: None,
            favourited: signed_in,
            reblogged: signed_in,
            muted: signed_in,
            bookmarked: signed_in,
            pinned,
            content: formatted.html,
            text: with_source.then(|| row.text.clone()),
            filtered: viewer.map(|_| Vec::new()),
            reblog: None,
            application,
            account: self.account_entity(&author, false)?,
            media_attachments: Vec::new(),
            mentions: formatted.mentions,
            tags: formatted.tags,
            emojis: Vec::new(),
            tagged_collections: Some(Vec::new()),
            quote: None,
            card: None,
            poll: None,
            quote_approval: Some(quote_approval),
        })
    }

    /// Where Mastodon would stream: the base address over WebSocket.
    fn streaming_url(&self) -> String {
        self.base_url.replacen("http", "ws", 1)
    }

    pub(crate) fn statuses_configuration(&self) -> StatusesConfiguration {
        StatusesConfiguration::new(
            self.limits.max_characters as u32,
            4,
            self.limits.characters_reserved_per_url as u32,
        )
    }

    /// The account shown as the instance's contact: the first one configured.
    fn contact_account(&self, users: &[AccountRow]) -> Result<Option<Account>> {
        users
            .first()
            .map(|account| self.account_entity(account, false))
            .transpose()
    }

    pub(crate) fn instance_entity(&self) -> Result<Instance> {
        let contact = self.contact_account(&self.store.accounts()?)?;
        Ok(Instance {
            domain: self.domain.clone(),
            title: "tootkit sandbox".to_owned(),
            version: self.mastodon_version().to_owned(),
            source_url: Some("https://github.com/tootkit/tootkit".to_owned()),
            description: "A local Mastodon-compatible instance for trying bots offline.".to_owned(),
            usage: Some(serde_json::json!({ "users": { "active_month": 0 } })),
            thumbnail: Some(Thumbnail {
                url: format!("{}/packs/images/preview.png", self.base_url),
                description: Some("The tootkit sandbox".to_owned()),
                blurhash: None,
                versions: None,
            }),
            icon: Some(Vec::new()),
            languages: vec!["en".to_owned()],
            configuration: InstanceConfiguration {
                // Addresses as Mastodon gives them; the pages are served, streaming is not
                // (a client that connects hears a 404).
                urls: Some(serde_json::json!({
                    "streaming": self.streaming_url(),
                    "status": null,
                    "about": format!("{}/about", self.base_url),
                    "privacy_policy": format!("{}/privacy-policy", self.base_url),
                    "terms_of_service": null,
                })),
                vapid: Some(serde_json::json!({ "public_key": "" })),
                accounts: Some(serde_json::json!({
                    "max_display_name_length": 40,
                    "max_note_length": 500,
                    "max_avatar_description_length": 150,
                    "max_header_description_length": 150,
                    "max_featured_tags": 10,
                    "max_pinned_statuses": 5,
                    "max_profile_fields": 4,
                    "profile_field_name_limit": 255,
                    "profile_field_value_limit": 255,
                })),
                statuses: Some(self.statuses_configuration()),
                media_attachments: Some(media_configuration(true)),
                polls: Some(polls_configuration()),
                translation: Some(serde_json::json!({ "enabled": false })),
                timelines_access: Some(serde_json::json!({
                    "live_feeds": { "local": "public", "remote": "public" },
                    "hashtag_feeds": { "local": "public", "remote": "public" },
                    "trending_link_feeds": { "local": "public", "remote": "public" },
                })),
                limited_federation: Some(false),
            },
            registrations: Some(
                serde_json::json!({ "enabled": false, "approval_required": false, "reason_required": false, "message": null, "min_age": null, "url": null }),
            ),
            // Since 4.3.
            api_versions: if self.before_4_3 {
                Default::default()
            } else {
                [("mastodon".to_owned(), crate::MASTODON_API_VERSION)].into()
            },
            contact: Some(serde_json::json!({ "email": "", "account": contact })),
            rules: Vec::new(),
            wrapstodon: None,
        })
    }

    pub(crate) fn instance_v1_entity(&self) -> Result<InstanceV1> {
        let users = self.store.accounts()?;
        let contact = self.contact_account(&users)?;
        Ok(InstanceV1 {
            uri: self.domain.clone(),
            title: "tootkit sandbox".to_owned(),
            short_description: "A local Mastodon-compatible instance for trying bots offline."
                .to_owned(),
            description: String::new(),
            email: String::new(),
            version: self.mastodon_version().to_owned(),
            urls: Some(serde_json::json!({ "streaming_api": self.streaming_url() })),
            stats: Some(
                serde_json::json!({ "user_count": users.len(), "status_count": self.store.status_total()?, "domain_count": 0 }),
            ),
            thumbnail: Some(format!("{}/packs/images/preview.png", self.base_url)),
            languages: vec!["en".to_owned()],
            registrations: false,
            approval_required: false,
            invites_enabled: false,
            configuration: InstanceConfiguration {
                statuses: Some(self.statuses_configuration()),
                accounts: Some(serde_json::json!({ "max_featured_tags": 10 })),
                media_attachments: Some(media_configuration(false)),
                polls: Some(polls_configuration()),
                ..InstanceConfiguration::default()
            },
            contact_account: contact,
            rules: Vec::new(),
            max_toot_chars: None,
        })
    }
}

/// Mastodon's media limits, with no accepted type: the sandbox stores no media yet.
/// The description's limit is told only in v2's instance, as Mastodon does.
fn media_configuration(v2: bool) -> serde_json::Value {
    let mut limits = serde_json::json!({
        "image_matrix_limit": 33_177_600,
        "image_size_limit": 16_777_216,
        "supported_mime_types": [],
        "video_frame_rate_limit": 120,
        "video_matrix_limit": 8_294_400,
        "video_size_limit": 103_809_024,
    });
    if v2 {
        limits["description_limit"] = 10_000.into();
    }
    limits
}

/// Mastodon's default poll limits.
fn polls_configuration() -> serde_json::Value {
    serde_json::json!({ "max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2_629_746 })
}

/// A status's text as Mastodon shows it: the HTML, and the accounts and tags it names.
pub(crate) struct Formatted {
    pub(crate) html: String,
    pub(crate) mentions: Vec<Mention>,
    pub(crate) tags: Vec<Tag>,
}

impl AppState {
    /// Mastodon's `TextFormatter` for a local status: the text escaped, each entity the
    /// library's text rules find linked as Mastodon links it (links shortened for
    /// display, hashtags to their tag page, mentions of accounts of this instance to
    /// their profile; other mentions stay text, as a server that cannot resolve them
    /// leaves them), then paragraphs and line breaks as Rails' `simple_format`.
    pub(crate) fn format_text(&self, text: &str) -> Result<Formatted> {
        let mut html = String::with_capacity(text.len() * 2);
        let mut mentions: Vec<Mention> = Vec::new();
        let mut tags: Vec<Tag> = Vec::new();
        let mut copied = 0;
        for entity in entities(text) {
            let range = entity.range();
            html.push_str(&escape(&text[copied..range.start]));
            copied = range.end;
            match entity.kind() {
                EntityKind::Link | EntityKind::Uri => {
                    html.push_str(&shortened_link(entity.as_str()))
                }
                EntityKind::Hashtag => {
                    // The link keeps the tag as written; the list names it as filed.
                    let name = entity.name();
                    html.push_str(&format!(
                        r#"<a href="{}" class="mention hashtag" rel="tag">#<span>{}</span></a>"#,
                        escape(&self.tag_url(name)),
                        escape(name)
                    ));
                    let filed = normalize_hashtag(name);
                    if !filed.is_empty() && !tags.iter().any(|t| t.name == filed) {
                        tags.push(Tag {
                            id: None,
                            url: self.tag_url(&filed),
                            name: filed,
                            history: None,
                            following: None,
                            featuring: None,
                        });
                    }
                }
                EntityKind::Mention => {
                    let Some(account) = self.mentioned_account(&entity)? else {
                        html.push_str(&escape(entity.as_str()));
                        continue;
                    };
                    let url = format!("{}/@{}", self.base_url, account.username);
                    html.push_str(&format!(
                        r#"<span class="h-card" translate="no"><a href="{}" class="u-url mention">@<span>{}</span></a></span>"#,
                        escape(&url),
                        escape(&account.username)
                    ));
                    if !mentions.iter().any(|m| m.id == account.id) {
                        mentions.push(Mention {
                            id: account.id.clone(),
                            acct: account.username.clone(),
                            username: account.username,
                            url,
                        });
                    }
                }
                // A kind the library may add later: shown as written until formatted.
                _ => html.push_str(&escape(entity.as_str())),
            }
        }
        html.push_str(&escape(&text[copied..]));
        Ok(Formatted {
            html: simple_format(&html),
            mentions,
            tags,
        })
    }

    /// The account of this instance a mention names, if there is one (remote accounts
    /// are not resolved: the sandbox does not federate).
    fn mentioned_account(&self, mention: &Entity<'_>) -> Result<Option<AccountRow>> {
        self.local_account(mention.name(), mention.domain())
    }

    /// The account named `username` on `domain`, when the domain is this instance's (or
    /// none is given): remote accounts are not resolved, as the sandbox does not federate.
    pub(crate) fn local_account(
        &self,
        username: &str,
        domain: Option<&str>,
    ) -> Result<Option<AccountRow>> {
        let local = domain.is_none_or(|domain| domain.eq_ignore_ascii_case(&self.domain));
        if local {
            self.store.account_by_username(username)
        } else {
            Ok(None)
        }
    }

    /// The text as Mastodon stores it once `ProcessMentionsService` has run: each
    /// mention of an account here written as `@username`, as the account spells it.
    pub(crate) fn with_canonical_mentions(&self, text: &str) -> Result<String> {
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (range, account) in self.local_mentions(text)? {
            out.push_str(&text[copied..range.start]);
            out.push('@');
            out.push_str(&account.username);
            copied = range.end;
        }
        out.push_str(&text[copied..]);
        Ok(out)
    }

    /// The mentions in `text` of accounts of this instance, where they are written.
    pub(crate) fn local_mentions(
        &self,
        text: &str,
    ) -> Result<Vec<(std::ops::Range<usize>, AccountRow)>> {
        let mut found = Vec::new();
        for entity in entities(text) {
            if entity.kind() == EntityKind::Mention
                && let Some(account) = self.mentioned_account(&entity)?
            {
                found.push((entity.range(), account));
            }
        }
        Ok(found)
    }

    /// The page of a hashtag, its name a path segment (non-ASCII percent-encoded, as
    /// Rails' `tag_url` writes it).
    fn tag_url(&self, name: &str) -> String {
        let mut url = url::Url::parse(&self.base_url).expect("the base URL is a URL");
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push("tags").push(name);
        }
        url.to_string()
    }
}

/// Mastodon's display of a link: the scheme (and `www.`) hidden, 30 characters shown,
/// the rest (unless just one character) hidden behind an ellipsis.
fn shortened_link(url: &str) -> String {
    let prefix_len = [
        "https://www.",
        "http://www.",
        "https://",
        "http://",
        "xmpp:",
    ]
    .iter()
    .find(|prefix| url.starts_with(*prefix))
    .map_or(0, |prefix| prefix.len());
    let (prefix, rest) = url.split_at(prefix_len);
    let mut cut = rest.char_indices().nth(30).map_or(rest.len(), |(at, _)| at);
    if rest[cut..].chars().count() == 1 {
        // One character hidden would take an ellipsis as wide: it is shown instead.
        cut = rest.len();
    }
    let (shown, hidden) = rest.split_at(cut);
    format!(
        r#"<a href="{}" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">{}</span><span class="{}">{}</span><span class="invisible">{}</span></a>"#,
        escape(url),
        escape(prefix),
        if hidden.is_empty() { "" } else { "ellipsis" },
        escape(shown),
        escape(hidden)
    )
}

/// Rails' `simple_format(html, {}, sanitize: false).delete("\n")`: paragraphs at blank
/// lines, `<br />` at single line breaks, no newlines left.
fn simple_format(html: &str) -> String {
    let normalised = html.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(normalised.len() + 16);
    for paragraph in normalised.split("\n\n").filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        let lines: Vec<&str> = paragraph.split('\n').collect();
        for (index, line) in lines.iter().enumerate() {
            out.push_str(line);
            // A break only between two lines with something on them.
            if index + 1 < lines.len() && !line.is_empty() && !lines[index + 1].is_empty() {
                out.push_str("<br />");
            }
        }
        out.push_str("</p>");
    }
    if out.is_empty() {
        out.push_str("<p></p>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, shortened_link, simple_format};

    #[test]
    fn paragraphs_and_line_breaks_as_simple_format() {
        assert_eq!(
            simple_format(&escape("howdy <b>universe</b>!\nline two\n\n\nnext & last")),
            "<p>howdy &lt;b&gt;universe&lt;/b&gt;!<br />line two</p><p>next &amp; last</p>"
        );
    }

    #[test]
    fn links_show_thirty_characters_after_the_scheme() {
        // Both as a Mastodon 4.6.4 server wrote them (mastodon-recorded/current).
        assert_eq!(
            shortened_link("https://www.youtube.com/watch?v=FAEKjYroiME"),
            r#"<a href="https://www.youtube.com/watch?v=FAEKjYroiME" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://www.</span><span class="">youtube.com/watch?v=FAEKjYroiME</span><span class="invisible"></span></a>"#
        );
        assert_eq!(
            shortened_link("http://localhost:3000/@mastodonpy_test/117020583121982310"),
            r#"<a href="http://localhost:3000/@mastodonpy_test/117020583121982310" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">http://</span><span class="ellipsis">localhost:3000/@mastodonpy_tes</span><span class="invisible">t/117020583121982310</span></a>"#
        );
    }
}

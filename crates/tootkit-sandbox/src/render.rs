//! Rows to entities: the sandbox answers with the library's own entity types, so the
//! JSON it writes is the JSON the library reads.

use tootkit::entities::{
    Account, AccountSource, ApprovalPolicy, Field, Instance, InstanceConfiguration, InstanceV1,
    Role, Status, StatusApplication, StatusesConfiguration, Thumbnail, Visibility,
};

use crate::AppState;
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
            uri: Some(format!("{}/users/{}", self.base_url, row.username)),
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
                quote_policy: Some("public".to_owned()),
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

    /// A status as its author sees it; `with_source` adds the plain text (after deletion).
    pub(crate) fn status_entity(&self, row: &StatusRow, with_source: bool) -> Result<Status> {
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
        Ok(Status {
            id: row.id.clone(),
            created_at: Some(from_ms(row.created_at)),
            in_reply_to_id: row.in_reply_to_id.clone(),
            in_reply_to_account_id: row.in_reply_to_account_id.clone(),
            sensitive: row.sensitive,
            spoiler_text: row.spoiler_text.clone(),
            visibility: row.visibility.parse().unwrap_or(Visibility::Public),
            language: row.language.clone(),
            uri: format!(
                "{}/users/{}/statuses/{}",
                self.base_url, author.username, row.id
            ),
            url: Some(format!("{}/@{}/{}", self.base_url, author.username, row.id)),
            replies_count: self.store.replies_count(&row.id)?,
            reblogs_count: 0,
            favourites_count: 0,
            quotes_count: Some(0),
            edited_at: None,
            favourited: Some(false),
            reblogged: Some(false),
            muted: Some(false),
            bookmarked: Some(false),
            pinned: Some(false),
            content: if with_source {
                String::new()
            } else {
                render_content(&row.text)
            },
            text: with_source.then(|| row.text.clone()),
            filtered: Some(Vec::new()),
            reblog: None,
            application,
            account: self.account_entity(&author, false)?,
            media_attachments: Vec::new(),
            mentions: Vec::new(),
            tags: Vec::new(),
            emojis: Vec::new(),
            tagged_collections: Some(Vec::new()),
            quote: None,
            card: None,
            poll: None,
            quote_approval: Some(ApprovalPolicy::new(vec!["public".to_owned()], "automatic")),
        })
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
            version: crate::MASTODON_VERSION.to_owned(),
            source_url: Some("https://github.com/tootkit/tootkit".to_owned()),
            description: "A local Mastodon-compatible instance for trying bots offline.".to_owned(),
            usage: Some(serde_json::json!({ "users": { "active_month": 0 } })),
            thumbnail: Some(Thumbnail {
                url: format!("{}/packs/images/preview.png", self.base_url),
                description: None,
            }),
            icon: Some(Vec::new()),
            languages: vec!["en".to_owned()],
            configuration: InstanceConfiguration {
                urls: Some(
                    serde_json::json!({ "streaming": null, "status": null, "about": null, "privacy_policy": null, "terms_of_service": null }),
                ),
                vapid: Some(serde_json::json!({ "public_key": "" })),
                accounts: Some(
                    serde_json::json!({ "max_featured_tags": 10, "max_pinned_statuses": 5 }),
                ),
                statuses: Some(self.statuses_configuration()),
                media_attachments: Some(
                    serde_json::json!({ "supported_mime_types": [], "description_limit": 1500 }),
                ),
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
            api_versions: [("mastodon".to_owned(), crate::MASTODON_API_VERSION)].into(),
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
            version: crate::MASTODON_VERSION.to_owned(),
            urls: Some(serde_json::json!({ "streaming_api": null })),
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
                media_attachments: Some(serde_json::json!({ "supported_mime_types": [] })),
                polls: Some(polls_configuration()),
                ..InstanceConfiguration::default()
            },
            contact_account: contact,
            rules: Vec::new(),
            max_toot_chars: None,
        })
    }
}

/// Mastodon's default poll limits.
fn polls_configuration() -> serde_json::Value {
    serde_json::json!({ "max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2_629_746 })
}

/// Plain text to Mastodon's HTML: escaped, paragraphs at blank lines, `<br />` at line
/// breaks.
pub(crate) fn render_content(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n");
    normalised
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|paragraph| {
            format!(
                "<p>{}</p>",
                crate::pages::escape(paragraph.trim_matches('\n')).replace('\n', "<br />")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn content_is_escaped_and_paragraphed() {
        assert_eq!(
            super::render_content("howdy <b>universe</b>!\nline two\n\nnext & last"),
            "<p>howdy &lt;b&gt;universe&lt;/b&gt;!<br />line two</p><p>next &amp; last</p>"
        );
    }
}

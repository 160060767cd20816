//! Status length, counted the way Mastodon counts it — shared by the library, the CLI
//! and the sandbox so that all three agree.
//!
//! Mastodon measures a status in extended grapheme clusters (an emoji ZWJ sequence is
//! one), adds the content warning, counts every link as `characters_reserved_per_url`
//! (23) whatever its real length, and counts a remote mention `@user@domain` as `@user`.
//!
//! Links and mentions are recognised here by a simplified form of Mastodon's extractor:
//! a link is a run of non-space characters after one of Mastodon's URL schemes
//! (trailing punctuation excluded), a mention is `@` after a non-word character. The
//! exact twitter-text grammar (TLD checks, balanced parentheses) is not applied yet.

use unicode_segmentation::UnicodeSegmentation;

use crate::entities::{DEFAULT_CHARACTERS_RESERVED_PER_URL, DEFAULT_MAX_CHARACTERS};

/// URL schemes whose links Mastodon shortens for length.
pub const LINK_SCHEMES: &[&str] = &[
    "http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "gemini",
];

/// The limits a status is measured against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest status (`configuration.statuses.max_characters`).
    pub max_characters: usize,
    /// What a link counts (`configuration.statuses.characters_reserved_per_url`).
    pub characters_reserved_per_url: usize,
}

impl Default for Limits {
    /// Mastodon's defaults: 500 characters, links count 23.
    fn default() -> Self {
        Self {
            max_characters: DEFAULT_MAX_CHARACTERS as usize,
            characters_reserved_per_url: DEFAULT_CHARACTERS_RESERVED_PER_URL as usize,
        }
    }
}

impl Limits {
    /// The limits an instance publishes.
    pub fn of(instance: &crate::Instance) -> Self {
        Self {
            max_characters: instance.max_characters() as usize,
            characters_reserved_per_url: instance.characters_reserved_per_url() as usize,
        }
    }
}

/// How long a status is, as Mastodon counts it: content warning plus text.
///
/// ```
/// use tootkit::text::{status_length, Limits};
///
/// let limits = Limits::default();
/// assert_eq!(status_length("howdy universe!", "", limits), 15);
/// // A family emoji is one grapheme cluster.
/// assert_eq!(status_length("👨‍👩‍👧‍👦", "", limits), 1);
/// // Any link counts 23.
/// assert_eq!(status_length("see https://example.com/a/very/long/path/indeed", "", limits), 4 + 23);
/// // The domain of a remote mention is free.
/// assert_eq!(status_length("hi @bot@botsin.space", "", limits), 7);
/// // The content warning counts too.
/// assert_eq!(status_length("text", "cw", limits), 6);
/// ```
pub fn status_length(text: &str, spoiler_text: &str, limits: Limits) -> usize {
    spoiler_text.graphemes(true).count() + text_length(text, limits.characters_reserved_per_url)
}

/// Whether a status fits the limits.
pub fn fits(text: &str, spoiler_text: &str, limits: Limits) -> bool {
    status_length(text, spoiler_text, limits) <= limits.max_characters
}

fn text_length(text: &str, per_url: usize) -> usize {
    let mut total = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let Some((start, end, weight)) = next_entity(rest, per_url) else {
            total += rest.graphemes(true).count();
            break;
        };
        total += rest[..start].graphemes(true).count() + weight;
        rest = &rest[end..];
    }
    total
}

/// The next link or remote mention in `text`: its byte range and what it counts.
fn next_entity(text: &str, per_url: usize) -> Option<(usize, usize, usize)> {
    let mut previous: Option<char> = None;
    for (index, c) in text.char_indices() {
        let at_boundary = previous.is_none_or(|p| !p.is_alphanumeric() && p != '_');
        if at_boundary
            && c.is_ascii_alphabetic()
            && let Some(end) = link_end(&text[index..])
        {
            return Some((index, index + end, per_url));
        }
        if c == '@'
            && previous.is_none_or(|p| !p.is_alphanumeric() && !matches!(p, '_' | '=' | '/'))
            && let Some((end, counted)) = remote_mention(&text[index..])
        {
            return Some((index, index + end, counted));
        }
        previous = Some(c);
    }
    None
}

/// The byte length of a link at the start of `text`, if one starts there.
fn link_end(text: &str) -> Option<usize> {
    // Only the letters here can be a scheme: looking further would make counting
    // quadratic in the length of the text.
    let scheme_len = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (scheme, rest) = text.split_at(scheme_len);
    let rest = rest.strip_prefix("://")?;
    if !LINK_SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
        return None;
    }
    let body_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let body = rest[..body_len].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
    if body.is_empty() || !body.contains(|c: char| c.is_alphanumeric()) {
        return None;
    }
    Some(scheme.len() + 3 + body.len())
}

/// A remote mention `@user@domain` at the start of `text`: its byte length, and what it
/// counts (the graphemes of `@user`).
fn remote_mention(text: &str) -> Option<(usize, usize)> {
    let after = &text[1..];
    let user_len = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .unwrap_or(after.len());
    let user = after[..user_len].trim_end_matches(['.', '-']);
    if user.is_empty() || !after[user.len()..].starts_with('@') {
        return None;
    }
    let domain_part = &after[user.len() + 1..];
    let domain_len = domain_part
        .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
        .unwrap_or(domain_part.len());
    let domain = domain_part[..domain_len].trim_end_matches(['.', '-']);
    if domain.is_empty() || !domain.contains('.') || domain.len() > 253 {
        return None;
    }
    Some((1 + user.len() + 1 + domain.len(), 1 + user.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(text: &str) -> usize {
        status_length(text, "", Limits::default())
    }

    #[test]
    fn counts_grapheme_clusters() {
        assert_eq!(count("e\u{301}"), 1);
        assert_eq!(count("🏳️‍🌈 flag"), 6);
        assert_eq!(count(&"a".repeat(500)), 500);
    }

    #[test]
    fn links_count_as_reserved_length() {
        assert_eq!(count("https://example.com."), 24);
        assert_eq!(count("(https://example.com/x)"), 25);
        assert_eq!(count("gemini://example.org/page"), 23);
        assert_eq!(count("ftp://example.org/file"), 22, "ftp is not shortened");
        assert_eq!(count("xhttps://example.com"), 20, "not at a word boundary");
        assert_eq!(count("https://"), 8);
    }

    #[test]
    fn remote_mentions_count_without_domain() {
        assert_eq!(count("@bot@botsin.space"), 4);
        assert_eq!(count("@bot"), 4);
        assert_eq!(
            count("mail@example.com"),
            16,
            "an email address is no mention"
        );
        assert_eq!(count("@bot@localhost"), 14, "a domain needs a dot");
    }
}

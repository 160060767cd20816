//! Mastodon's text rules — what a server finds in a status and how it measures it —
//! shared by the library, the CLI and the sandbox so that all three agree with the
//! server.
//!
//! - [`entities`] finds the links, `xmpp:`/`magnet:` URIs, mentions and hashtags
//!   Mastodon's formatter links, at the same places; [`extract_links`],
//!   [`extract_mentions`] and [`extract_hashtags`] find one kind each.
//! - [`status_length`] measures a status as Mastodon's `StatusLengthValidator` does:
//!   the content warning as written plus the text in which every link counts
//!   `characters_reserved_per_url` (23) and `@user@domain` counts as `@user`, all in
//!   extended grapheme clusters (a server that reserves 0, as Pleroma and Akkoma say
//!   they do, is measured as it counts: the text as written).
//! - [`split_thread`] cuts a text too long for one status into a numbered thread.
//!
//! The rules reproduce Mastodon's extractor: twitter-text 3.1's regexes with Mastodon's
//! patches (more link schemes, its own path and query characters, its own mention and
//! hashtag patterns). Only links written with a scheme count as links; a domain must end
//! in a known TLD; a link longer than 4,096 characters after IDNA encoding counts as
//! written. `ARCHITECTURE.md` lists where tootkit knowingly differs.

mod classes;
pub(crate) use classes::directional;
mod extract;
mod languages;
mod thread;
mod tlds;

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use crate::entities::{DEFAULT_CHARACTERS_RESERVED_PER_URL, DEFAULT_MAX_CHARACTERS};
use extract::{Found, FoundKind};

pub use languages::mastodon_language;
pub use thread::{
    COUNTED_PARTS, DEFAULT_MAX_PARTS, SplitError, ThreadOptions, split_thread, warning_leaves_room,
};

/// URL schemes whose links Mastodon shortens for length.
pub const LINK_SCHEMES: &[&str] = extract::LINK_SCHEMES;

/// The limits a status is measured against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest status (`configuration.statuses.max_characters`).
    pub max_characters: usize,
    /// What a link counts (`configuration.statuses.characters_reserved_per_url`).
    /// 0, which Pleroma and Akkoma publish, is a server that reserves nothing and
    /// counts the text as written: links at their length, mentions with their domain.
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

/// What an [`Entity`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntityKind {
    /// A URL with one of Mastodon's [`LINK_SCHEMES`]: linked, and counted as
    /// `characters_reserved_per_url` whatever its length.
    Link,
    /// An `xmpp:` or `magnet:` URI: linked, but counted as written.
    Uri,
    /// A mention, `@user` or `@user@domain`.
    Mention,
    /// A hashtag, `#name`.
    Hashtag,
}

/// Something Mastodon finds in a status's text: a link, URI, mention or hashtag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity<'a> {
    kind: EntityKind,
    text: &'a str,
    range: Range<usize>,
    /// For `@user@domain`, the byte offset of the second `@` within `text`.
    domain_at: Option<usize>,
}

impl<'a> Entity<'a> {
    /// What it is.
    pub fn kind(&self) -> EntityKind {
        self.kind
    }

    /// Where it is in the text, in bytes.
    pub fn range(&self) -> Range<usize> {
        self.range.clone()
    }

    /// The entity as written, `#` or `@` included.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// For a mention, the username without the at sign or domain; for a hashtag, the
    /// name without `#`; for a link or URI, the whole of it.
    ///
    /// ```
    /// let found = tootkit::text::entities("hi @bot@botsin.space #rust");
    /// assert_eq!(found[0].name(), "bot");
    /// assert_eq!(found[0].domain(), Some("botsin.space"));
    /// assert_eq!(found[1].name(), "rust");
    /// ```
    pub fn name(&self) -> &'a str {
        match self.kind {
            EntityKind::Mention => &self.text[1..self.domain_at.unwrap_or(self.text.len())],
            EntityKind::Hashtag => {
                let hash_len = self.text.chars().next().map_or(0, char::len_utf8);
                &self.text[hash_len..]
            }
            EntityKind::Link | EntityKind::Uri => self.text,
        }
    }

    /// For a remote mention, its domain.
    pub fn domain(&self) -> Option<&'a str> {
        self.domain_at.map(|at| &self.text[at + 1..])
    }
}

/// A text as characters, with the byte offset of each (and of the end).
struct Chars {
    chars: Vec<char>,
    /// Byte offsets, when they differ from character indices (the text is not ASCII).
    offsets: Option<Vec<usize>>,
}

impl Chars {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            let chars = text.bytes().map(char::from).collect();
            return Self {
                chars,
                offsets: None,
            };
        }
        let mut chars = Vec::with_capacity(text.len());
        let mut offsets = Vec::with_capacity(text.len() + 1);
        for (offset, c) in text.char_indices() {
            chars.push(c);
            offsets.push(offset);
        }
        offsets.push(text.len());
        Self {
            chars,
            offsets: Some(offsets),
        }
    }

    /// The byte offset of character `index` (or of the end).
    fn offset(&self, index: usize) -> usize {
        self.offsets
            .as_ref()
            .map_or(index, |offsets| offsets[index])
    }

    fn entity<'a>(&self, text: &'a str, found: Found) -> Entity<'a> {
        let range = self.offset(found.start)..self.offset(found.end);
        let (kind, domain_at) = match found.kind {
            FoundKind::Link => (EntityKind::Link, None),
            FoundKind::Uri => (EntityKind::Uri, None),
            FoundKind::Mention { domain_at } => (
                EntityKind::Mention,
                domain_at.map(|at| self.offset(at) - range.start),
            ),
            FoundKind::Hashtag => (EntityKind::Hashtag, None),
        };
        Entity {
            kind,
            text: &text[range.clone()],
            range,
            domain_at,
        }
    }

    fn entities<'a>(&self, text: &'a str, found: Vec<Found>) -> Vec<Entity<'a>> {
        found
            .into_iter()
            .map(|found| self.entity(text, found))
            .collect()
    }
}

/// The number of extended grapheme clusters in `text`. Between two ASCII characters
/// there is always a boundary (but in CR LF), and no rule looks across one, so the text
/// is cut there and only the pieces with other characters go through the full rules.
fn grapheme_count(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut piece_start = 0;
    for at in 1..bytes.len() {
        let (before, here) = (bytes[at - 1], bytes[at]);
        if before.is_ascii() && here.is_ascii() && !(before == b'\r' && here == b'\n') {
            count += if at - piece_start == 1 {
                1
            } else {
                text[piece_start..at].graphemes(true).count()
            };
            piece_start = at;
        }
    }
    count + text[piece_start..].graphemes(true).count()
}

/// One of the scanners of `extract.rs`: what it finds in the characters, appended.
type Scanner = fn(&[char], &mut Vec<Found>);

/// `text` as characters, and what `scanners` find in it, in their order; with
/// `exclusive`, sorted and with overlaps removed as Mastodon removes them.
fn scan(text: &str, scanners: &[Scanner], exclusive: bool) -> (Chars, Vec<Found>) {
    let chars = Chars::new(text);
    let mut found = Vec::new();
    for scanner in scanners {
        scanner(&chars.chars, &mut found);
    }
    if exclusive {
        remove_overlapping(&mut found);
    }
    (chars, found)
}

/// twitter-text's `remove_overlapping_entities`: by start, each entity that begins
/// before the previous kept one ends is dropped.
fn remove_overlapping(found: &mut Vec<Found>) {
    found.sort_by_key(|found| found.start);
    let mut kept_end = 0;
    found.retain(|found| {
        let keep = found.start >= kept_end;
        if keep {
            kept_end = found.end;
        }
        keep
    });
}

/// Everything Mastodon links in a status's text — links, `xmpp:`/`magnet:` URIs,
/// mentions and hashtags — in order, overlaps removed as Mastodon removes them.
///
/// ```
/// use tootkit::text::{entities, EntityKind};
///
/// let text = "@alice see https://example.com/a_(b) #rust";
/// let kinds: Vec<_> = entities(text).iter().map(|e| (e.kind(), e.as_str())).collect();
/// assert_eq!(kinds, [
///     (EntityKind::Mention, "@alice"),
///     (EntityKind::Link, "https://example.com/a_(b)"),
///     (EntityKind::Hashtag, "#rust"),
/// ]);
/// // Only URLs written with a scheme are links; the domain needs a known TLD.
/// assert!(entities("example.com https://example.invalidtld").is_empty());
/// ```
pub fn entities(text: &str) -> Vec<Entity<'_>> {
    let scanners: [Scanner; 4] = [
        extract::links,
        extract::hashtags,
        extract::mentions,
        extract::extended_uris,
    ];
    let (chars, found) = scan(text, &scanners, true);
    chars.entities(text, found)
}

/// The links in a text (URLs with one of Mastodon's [`LINK_SCHEMES`]), as Mastodon's
/// `extract_urls_with_indices` finds them for length and formatting.
///
/// ```
/// let links = tootkit::text::extract_links("docs: https://docs.joinmastodon.org/api/. Thanks!");
/// assert_eq!(links[0].as_str(), "https://docs.joinmastodon.org/api/");
/// ```
pub fn extract_links(text: &str) -> Vec<Entity<'_>> {
    let (chars, found) = scan(text, &[extract::links], false);
    chars.entities(text, found)
}

/// The mentions in a text, as Mastodon's `extract_mentions_or_lists_with_indices`
/// finds them.
///
/// ```
/// let mentions = tootkit::text::extract_mentions("cc @Gargron, @bot@botsin.space; not me@example.com");
/// let names: Vec<_> = mentions.iter().map(|m| m.as_str()).collect();
/// assert_eq!(names, ["@Gargron", "@bot@botsin.space"]);
/// ```
pub fn extract_mentions(text: &str) -> Vec<Entity<'_>> {
    let (chars, found) = scan(text, &[extract::mentions], false);
    chars.entities(text, found)
}

/// The hashtags in a text, as Mastodon's `extract_hashtags_with_indices` finds them:
/// a `#` at the start or after whitespace, a name with at least one letter.
///
/// ```
/// let tags = tootkit::text::extract_hashtags("#rust and #1 and a#b and #日本語");
/// let names: Vec<_> = tags.iter().map(|t| t.name()).collect();
/// assert_eq!(names, ["rust", "日本語"]);
/// ```
pub fn extract_hashtags(text: &str) -> Vec<Entity<'_>> {
    let (chars, found) = scan(text, &[extract::hashtags], false);
    chars.entities(text, found)
}

/// The name Mastodon files a hashtag under (its `HashtagNormalizer`): compatibility
/// forms unified (NFKC, so full-width letters are plain ones), lower case, the accented
/// Latin letters of Mastodon's ASCII folding table folded, and anything but letters,
/// digits and the tag separators removed. Tags with the same name are one tag: it is
/// the `name` a status's `tags` list and the last part of the tag's URL.
///
/// ```
/// use tootkit::text::normalize_hashtag;
///
/// assert_eq!(normalize_hashtag("#CamelCase"), "camelcase");
/// assert_eq!(normalize_hashtag("Café"), normalize_hashtag("CAFE"));
/// assert_eq!(normalize_hashtag("ＲＵＳＴ"), "rust");
/// assert_eq!(normalize_hashtag("日本語"), "日本語");
/// ```
pub fn normalize_hashtag(name: &str) -> String {
    let name = name.strip_prefix(['#', '\u{ff03}']).unwrap_or(name);
    let compatible = icu_normalizer::ComposingNormalizerBorrowed::new_nfkc().normalize(name);
    compatible
        .chars()
        .flat_map(char::to_lowercase)
        .map(classes::ascii_fold)
        .filter(|&c| classes::hashtag_name_char(c))
        .collect()
}

/// The text or content warning as Mastodon keeps it: `Status#prepare_contents` strips
/// leading and trailing ASCII whitespace and NUL (Ruby's `strip`) before the length is
/// checked and the status stored. Other spaces, such as U+00A0 or U+3000, stay.
///
/// ```
/// assert_eq!(tootkit::text::strip("\n  howdy universe!\t\n"), "howdy universe!");
/// assert_eq!(tootkit::text::strip("\u{3000}wide\u{3000}"), "\u{3000}wide\u{3000}");
/// ```
pub fn strip(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r' | '\0'))
}

/// Ruby's `blank?`, by which Mastodon decides a text or warning is absent: empty, or
/// only whitespace (Unicode's, so U+3000 too — unlike [`strip`], which takes only
/// ASCII's).
///
/// ```
/// assert!(tootkit::text::is_blank(" \u{3000}\n"));
/// assert!(!tootkit::text::is_blank(" a "));
/// ```
pub fn is_blank(text: &str) -> bool {
    text.chars().all(char::is_whitespace)
}

/// Whether `tag` has the shape of a language Mastodon takes for a status: an ISO 639
/// code of two or three lowercase letters, alone or before a region or anything else
/// after `-` or `_`, which Mastodon drops when it does not know the whole tag
/// (`valid_locale_or_nil`: `pt-BR` is `pt`, and so are `pt_BR` and `$LANG`'s
/// `pt_BR.UTF-8`). Which codes exist is the server's to say.
///
/// ```
/// use tootkit::text::is_language_tag;
///
/// assert!(is_language_tag("pt-BR") && is_language_tag("fil") && is_language_tag("en_US.UTF-8"));
/// assert!(!is_language_tag("english") && !is_language_tag("EN") && !is_language_tag("C.UTF-8"));
/// ```
pub fn is_language_tag(tag: &str) -> bool {
    let primary = tag.split(['-', '_']).next().unwrap_or_default();
    (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase())
}

/// The language tag to send for `tag`: a POSIX locale such as `$LANG`'s `pt_BR.UTF-8`
/// or `sr_RS@latin` becomes the BCP 47 tag every server reads (`pt-BR`, `sr-RS`), which
/// Mastodon files as it would the locale; a tag is returned as it is.
///
/// ```
/// use tootkit::text::language_tag;
///
/// assert_eq!(language_tag("pt_BR.UTF-8"), "pt-BR");
/// assert_eq!(language_tag("zh-Hant"), "zh-Hant");
/// ```
pub fn language_tag(tag: &str) -> String {
    let locale = tag.split(['.', '@']).next().unwrap_or_default();
    locale.replace('_', "-")
}

/// Refuses what is no language code with a sentence saying what to give instead: a tag
/// without the shape of one ([`is_language_tag`]), or whose two letters are no ISO 639-1
/// code (`jp`, a country's, where `ja` is meant). Mastodon itself ignores a language it
/// does not know and tags the status with the account's default, so a typo is caught
/// here or not at all. A code of three letters is let through: other servers know more
/// of them than Mastodon does ([`mastodon_language`] says which it knows).
///
/// ```
/// use tootkit::text::check_language;
///
/// assert!(check_language("en").is_ok() && check_language("pt_BR.UTF-8").is_ok());
/// let refused = check_language("english").unwrap_err().to_string();
/// assert!(refused.starts_with("`english` is not a language code"));
/// let refused = check_language("jp").unwrap_err().to_string();
/// assert!(refused.ends_with("give an ISO 639 code such as `ja`."));
/// let refused = check_language("EN").unwrap_err().to_string();
/// assert!(refused.ends_with("give an ISO 639 code such as `en`."));
/// let refused = check_language("JP").unwrap_err().to_string();
/// assert!(refused.ends_with("give an ISO 639 code such as `ja`."));
/// let refused = check_language("ZH-TW").unwrap_err().to_string();
/// assert!(refused.ends_with("give an ISO 639 code such as `zh-TW`."));
/// ```
///
/// # Errors
///
/// [`Error::InvalidInput`](crate::Error::InvalidInput) when `tag` is not one.
pub fn check_language(tag: &str) -> Result<(), crate::Error> {
    // Judged as it will be sent: `en.UTF-8` is `en`.
    let sent = language_tag(tag);
    let primary = sent.split('-').next().unwrap_or_default();
    let lower = primary.to_ascii_lowercase();
    let meant = if is_language_tag(&sent) {
        match languages::not_iso_639_1(primary) {
            None => return Ok(()),
            Some(meant) => meant.to_owned(),
        }
    } else if is_language_tag(&lower) {
        // `EN`: codes are written in lowercase (and `JP` is still Japan); a region
        // stays as given (`ZH-TW`: `zh-TW`).
        let language = match languages::not_iso_639_1(&lower) {
            None => lower,
            Some(meant) => meant.to_owned(),
        };
        match sent.split_once('-') {
            Some((_, region)) if !language.is_empty() => format!("{language}-{region}"),
            _ => language,
        }
    } else {
        String::new()
    };
    let such_as = if meant.is_empty() {
        "`en`, `de` or `pt-BR`".to_owned()
    } else {
        format!("`{meant}`")
    };
    Err(crate::Error::invalid_input(format!(
        "`{tag}` is not a language code; give an ISO 639 code such as {such_as}."
    )))
}

/// The text and content warning a Mastodon server stores and measures for those
/// given: a warning given without a text becomes the text (`PostStatusService`), then
/// both are [stripped](strip) (`Status#prepare_contents`).
///
/// ```
/// use tootkit::text::as_posted;
///
/// assert_eq!(as_posted(" hi ", " cw "), ("hi", "cw"));
/// assert_eq!(as_posted(" ", "only a warning "), ("only a warning", ""));
/// ```
pub fn as_posted<'a>(text: &'a str, spoiler_text: &'a str) -> (&'a str, &'a str) {
    if is_blank(text) && !is_blank(spoiler_text) {
        (strip(spoiler_text), "")
    } else {
        (strip(text), strip(spoiler_text))
    }
}

/// How long a status is, as Mastodon counts it: content warning plus text, taken
/// [as posted](as_posted).
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
/// // Surrounding whitespace is stripped before counting.
/// assert_eq!(status_length("  text\n\n", " cw ", limits), 6);
/// // A warning alone is posted as the text, so its links count 23.
/// assert_eq!(status_length("", "https://example.com/a/very/long/path/indeed", limits), 23);
/// ```
pub fn status_length(text: &str, spoiler_text: &str, limits: Limits) -> usize {
    let (text, spoiler_text) = as_posted(text, spoiler_text);
    let mut counted = String::with_capacity(spoiler_text.len() + text.len());
    counted.push_str(spoiler_text);
    // A blank text counts nothing at all.
    let uncounted_link_characters = if is_blank(text) {
        0
    } else if limits.characters_reserved_per_url == 0 {
        counted.push_str(text);
        0
    } else {
        push_countable(&mut counted, text, limits.characters_reserved_per_url)
    };
    grapheme_count(&counted).saturating_add(uncounted_link_characters)
}

/// `StatusLengthValidator#countable_text`: the text with each link replaced by
/// `per_url` characters and each remote mention by its `@user`.
///
/// Only a link's first and last stand-in characters can join a neighbour into one
/// grapheme cluster, so at most two are written and the rest returned, to be added to
/// the count: a server's `characters_reserved_per_url` never sizes an allocation.
fn push_countable(counted: &mut String, text: &str, per_url: usize) -> usize {
    let (chars, found) = scan(text, &[extract::links, extract::mentions], true);
    let written_per_url = per_url.min(2);
    let mut unwritten = 0usize;
    let mut copied = 0;
    for found in found {
        let (start, end) = (chars.offset(found.start), chars.offset(found.end));
        counted.push_str(&text[copied..start]);
        match found.kind {
            FoundKind::Mention {
                domain_at: Some(at),
            } => {
                counted.push_str(&text[start..chars.offset(at)]);
            }
            FoundKind::Link => {
                counted.extend(std::iter::repeat_n('x', written_per_url));
                unwritten = unwritten.saturating_add(per_url - written_per_url);
            }
            _ => counted.push_str(&text[start..end]),
        }
        copied = end;
    }
    counted.push_str(&text[copied..]);
    unwritten
}

/// How much of the limit a content warning takes beside a text: its grapheme clusters
/// once [stripped](strip), links and remote mentions as written (Mastodon shortens them
/// only in the text).
///
/// ```
/// use tootkit::text::warning_length;
///
/// assert_eq!(warning_length(" see https://example.com/a/long/path "), 35);
/// assert_eq!(warning_length("for @bot@botsin.space"), 21);
/// ```
pub fn warning_length(spoiler_text: &str) -> usize {
    grapheme_count(strip(spoiler_text))
}

/// Whether a status fits the limits.
///
/// ```
/// use tootkit::text::{fits, Limits};
///
/// assert!(fits(&"a".repeat(500), "", Limits::default()));
/// assert!(!fits(&"a".repeat(501), "", Limits::default()));
/// ```
pub fn fits(text: &str, spoiler_text: &str, limits: Limits) -> bool {
    status_length(text, spoiler_text, limits) <= limits.max_characters
}

/// At most `max_chars` characters of `text`, with `…` when it went on: how an error
/// shows what may be long.
pub(crate) fn shortened(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_normalize_as_mastodon_files_them() {
        for (written, name) in [
            ("#café", "cafe"),
            ("#CAFÉ", "cafe"),
            ("Ærøskøbing", "æroskobing"),
            ("İstanbul", "istanbul"),
            ("Straße", "straße"),
            ("Łódź", "lodz"),
            ("a·b_c", "a·b_c"),
            ("ｔｏｏｔ１２", "toot12"),
            ("ไทย", "ไทย"),
            ("e\u{301}te\u{301}", "ete"),
        ] {
            assert_eq!(normalize_hashtag(written), name, "{written}");
        }
    }

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
    fn the_ascii_shortcut_counts_as_the_full_rules_do() {
        for text in [
            "",
            "a",
            "ab",
            "a\r\nb",
            "\r\n",
            "\r\r\n",
            "a\u{301}b",
            "ab\u{301}",
            "\u{301}ab",
            "x👨‍👩‍👧y",
            "🇫🇷🇩🇪a🇫",
            "a\u{200d}b",
            "ก่า",
            "क्षि a",
            "\r\u{301}",
        ] {
            assert_eq!(
                grapheme_count(text),
                text.graphemes(true).count(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn whitespace_alone_counts_nothing_but_the_warning() {
        assert_eq!(count(" \n\u{3000}"), 0);
        assert_eq!(status_length("   ", "cw", Limits::default()), 2);
    }

    #[test]
    fn links_count_as_reserved_length() {
        assert_eq!(count("https://example.com."), 24);
        assert_eq!(count("(https://example.com/x)"), 25);
        assert_eq!(count("gemini://example.org/page"), 23);
        assert_eq!(count("ftp://example.org/file"), 22, "ftp is not shortened");
        assert_eq!(count("xhttps://example.com"), 20, "not after a letter");
        assert_eq!(count("https://"), 8);
        assert_eq!(count("https://example.notatld/x"), 25, "unknown TLD");
        assert_eq!(
            count("example.com/http://example.org"),
            30,
            "swallowed by a scheme-less match"
        );
        assert_eq!(
            count("magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a"),
            60
        );
    }

    #[test]
    fn the_reserved_length_is_the_instances() {
        let limits = Limits {
            max_characters: 500,
            characters_reserved_per_url: 10,
        };
        assert_eq!(
            status_length("https://example.com/long/path", "", limits),
            10
        );
    }

    #[test]
    fn a_server_that_reserves_nothing_counts_the_text_as_written() {
        let pleroma = Limits {
            max_characters: 5000,
            characters_reserved_per_url: 0,
        };
        let text = "@bob@example.social see https://example.com/a/long/path";
        assert_eq!(status_length(text, "", pleroma), text.chars().count());
        assert_eq!(status_length(text, "cw", Limits::default()), 2 + 4 + 5 + 23);
    }

    #[test]
    fn any_reserved_length_a_server_publishes_is_counted_without_allocating_it() {
        let per_url = |characters_reserved_per_url| Limits {
            max_characters: 500,
            characters_reserved_per_url,
        };
        let text = "a\u{600}https://example.com/ b";
        for reserved in [1, 2, 3, 23] {
            let stand_in = "x".repeat(reserved);
            assert_eq!(
                status_length(text, "", per_url(reserved)),
                grapheme_count(&format!("a\u{600}{stand_in} b")),
                "the stand-in joins its neighbours as Mastodon's string of x does ({reserved})"
            );
        }
        assert_eq!(
            status_length(
                "https://example.com/ https://example.org/",
                "",
                per_url(usize::MAX)
            ),
            usize::MAX
        );
        assert!(!fits(
            "https://example.com/",
            "",
            per_url(u32::MAX as usize)
        ));
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
        assert_eq!(
            count("@bot@localhost"),
            4,
            "Mastodon's mention needs no dot in the domain"
        );
        assert_eq!(count("=@bot@example.com"), 17, "not after =");
        // A letter Unicode assigned after 15.0 (Mastodon's Ruby) is no word character.
        assert_eq!(count("@bob@ex\u{1C89}ample.org"), 14);
        assert_eq!(count("\u{1C89}@bob@example.org"), 5);
    }

    /// Cases where a differential run against Mastodon's own Ruby regexes once found
    /// tootkit answering differently.
    #[test]
    fn agrees_with_mastodon_where_it_once_did_not() {
        let links = |text: &str| -> Vec<String> {
            extract_links(text)
                .iter()
                .map(|e| e.as_str().to_owned())
                .collect()
        };
        // A full-width number sign starts a hashtag too (Mastodon 4.6's `[#＃]`).
        assert_eq!(extract_hashtags("＃tag").len(), 1);
        // Seven letters before `://` are no scheme (and no panic).
        assert_eq!(count("example://x"), 11);
        assert_eq!(count("open spotify://track/1"), 22);
        // A Latin accent stops a mention only as written: no case folding there.
        assert_eq!(extract_mentions("@user\u{212B}")[0].as_str(), "@user");
        assert_eq!(extract_mentions("@user\u{260}")[0].as_str(), "@user");
        // twitter-text's parentheses take ASCII dashes (`\p{Pd}` has `-`).
        let wiki = "https://en.wikipedia.org/wiki/Foo_(self-titled)";
        assert_eq!(links(wiki), [wiki]);
        assert_eq!(
            links("https://example.com/(-)"),
            ["https://example.com/(-)"]
        );
        // `/i` is case folding: `ﬁ` is `fi`, `ſ` is `s`, `ß` is `ss`.
        assert_eq!(links("https://example.\u{fb01}").len(), 1);
        assert_eq!(links("https://example.new\u{17f}").len(), 1);
        assert_eq!(links("https://example.\u{df}").len(), 1);
        assert_eq!(count("\u{df}b://example.com"), 23, "ßb is ssb");
        assert_eq!(
            links("http\u{17f}://t.co/abc/def"),
            ["http\u{17f}://t.co/abc"]
        );
        assert_eq!(
            links("https://example.com/(\u{3b9})"),
            ["https://example.com/(\u{3b9})"]
        );
    }

    #[test]
    fn a_combining_mark_after_a_link_joins_the_placeholder() {
        // The rewritten text is measured as a whole, so the mark joins the last `x`.
        assert_eq!(count("https://example.com\u{301}"), 23);
    }
}

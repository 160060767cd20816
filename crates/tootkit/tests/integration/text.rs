//! `tootkit::text` against the two suites that define it: Mastodon's own validator spec
//! (`spec/validators/status_length_validator_spec.rb`) and twitter-text's extraction
//! conformance suite, which Mastodon's extractor builds on.
//!
//! Mastodon changes twitter-text's rules in places, so some conformance cases expect what
//! Mastodon does not do. Each of those is listed in `DIVERGENCES` with the reason and what
//! Mastodon finds instead, which the extractor must find; a case listed there that starts
//! to agree fails the run too, so the list stays true.

use std::collections::BTreeMap;

use serde::Deserialize;
use tootkit::text::{
    EntityKind, LINK_SCHEMES, Limits, entities, extract_hashtags, extract_links, extract_mentions,
    status_length,
};

use crate::fixtures;

fn over_limit(text: &str, spoiler_text: &str) -> bool {
    status_length(text, spoiler_text, Limits::default()) > 500
}

// --- Mastodon's spec/validators/status_length_validator_spec.rb, case by case ---------
//
// All of its cases but two: "does not add errors onto remote statuses" and "does not add
// errors onto local reblogs" say which statuses the validator skips, not how it counts;
// the counter measures a text whoever posts it, and the sandbox has neither remote
// statuses (no federation) nor reblogs, so there is nothing of ours for them to check.

#[test]
fn mastodon_spec_content_warning_over_limit() {
    assert!(over_limit("", &"a".repeat(520)));
}

#[test]
fn mastodon_spec_text_over_limit() {
    assert!(over_limit(&"a".repeat(520), ""));
}

#[test]
fn mastodon_spec_text_and_warning_over_limit_together() {
    assert!(over_limit(&"b".repeat(251), &"a".repeat(250)));
}

#[test]
fn mastodon_spec_space_separated_urls_count_23() {
    let text = format!("{} http://{}.com/example", "a".repeat(476), "b".repeat(30));
    assert!(!over_limit(&text, ""));
    assert_eq!(status_length(&text, "", Limits::default()), 500);
}

#[test]
fn mastodon_spec_urls_that_do_not_autolink_count_in_full() {
    let text = format!("{}http://{}.com/example", "a".repeat(476), "b".repeat(30));
    assert!(over_limit(&text, ""));
}

#[test]
fn mastodon_spec_overly_long_urls_count_in_full() {
    let text = format!("http://example.com/valid?{}", "#foo?".repeat(1000));
    assert!(over_limit(&text, ""));
}

#[test]
fn mastodon_spec_only_the_front_of_remote_usernames_counts() {
    let text = format!("{} @alice@{}.com", "a".repeat(475), "b".repeat(30));
    assert!(!over_limit(&text, ""));
    assert_eq!(status_length(&text, "", Limits::default()), 482);
}

#[test]
fn mastodon_spec_overly_long_domains_count_in_full() {
    let text = format!("@alice@{}.com", "b".repeat(500));
    assert!(over_limit(&text, ""));
}

#[test]
fn mastodon_spec_multibyte_emoji_count_one() {
    assert!(!over_limit(&"✨".repeat(500), ""));
    assert!(over_limit(&"✨".repeat(501), ""));
}

#[test]
fn mastodon_spec_zwj_sequences_count_one() {
    assert!(!over_limit(&"🏳️‍⚧️".repeat(500), ""));
    assert!(over_limit(&"🏳️‍⚧️".repeat(501), ""));
}

// --- Status#prepare_contents, which strips text and warning before the validator runs ---

#[test]
fn surrounding_ascii_whitespace_is_stripped_before_counting() {
    assert!(!over_limit(&format!("{}   \n", "a".repeat(500)), ""));
    assert!(!over_limit(&format!("  \n{}\n\n", "a".repeat(499)), ""));
    assert!(!over_limit(&"a".repeat(496), "  cw  "));
    assert_eq!(
        status_length("\0\t\x0B\x0C\r abc \r\n", "", Limits::default()),
        3
    );
    // Ruby's `strip` leaves other spaces, and whitespace inside the text, alone.
    assert_eq!(status_length("\u{3000}abc\u{a0}", "", Limits::default()), 5);
    assert_eq!(status_length(" a \n\n b ", "", Limits::default()), 6);
}

// --- PostStatusService, which posts a warning given alone as the text ---------------------

#[test]
fn a_warning_alone_is_counted_as_the_text_it_becomes() {
    let limits = Limits::default();
    // Its links count 23, as in a text: under the limit though longer as written...
    let long_link = format!("{} https://example.com/{}", "w".repeat(470), "p".repeat(40));
    assert_eq!(status_length("", &long_link, limits), 470 + 1 + 23);
    assert_eq!(status_length(" \n", &long_link, limits), 494);
    // ...and over it though shorter as written.
    let short_links = format!("{} https://t.co/a https://t.co/b", "a".repeat(470));
    assert_eq!(status_length("", &short_links, limits), 470 + 2 + 2 * 23);
    // A remote mention's domain is free there too.
    assert_eq!(status_length("", "@bot@botsin.space", limits), 4);
    // With a text beside it, the warning counts as written.
    assert_eq!(status_length("x", "@bot@botsin.space", limits), 18);
}

// --- twitter-text's is_valid_domain, which converts a link's domain with libidn ----------

#[test]
fn link_domains_are_converted_as_libidn_converts_them() {
    let limits = Limits::default();
    let length = |text: &str| status_length(text, "", limits);
    let linked = |url: &str| length(url) == 23;
    // IDNA2003's nameprep maps joiners to nothing, and a dot leader to dots.
    assert!(linked("https://x\u{200D}y.com/"));
    assert!(linked("https://a.b\u{2026}c.com/"));
    assert!(linked("https://xn--p1ai\u{DF}.co.uk/"));
    // A right-to-left label must start and end with a right-to-left letter.
    assert!(linked("https://\u{5D3}\u{5D5}\u{5D2}\u{5DE}\u{5D4}.co.il/"));
    assert!(!linked(
        "https://\u{5D3}\u{5D5}\u{5D2}\u{5DE}\u{5D4}1.co.il/"
    ));
    // Invisible operators are prohibited; Unicode 3.2 had no emoji.
    assert!(!linked("https://a\u{2061}b.com/"));
    assert!(!linked("https://\u{1F600}.com/"));
    // Nor had it ⱽ, which today's NFKC would make a V.
    assert!(!linked("https://x\u{2C7D}.com/"));
    // A link whose domain fails counts as written.
    assert_eq!(length("https://a\u{2061}b.com/"), 16);
}

// --- Ruby 3.4's grapheme clusters (Unicode 15.0), which Mastodon counts --------------------

#[test]
fn indic_conjuncts_count_each_consonant_as_mastodon_does() {
    let limits = Limits::default();
    let hindi = "हिन्दी में स्वतंत्रता और राष्ट्रपति ";
    // Ruby 3.4 cuts it into 23 clusters (हि न् दी ␠ में ␠ स् व तं त् र ता ␠ औ र ␠ रा ष् ट् र
    // प ति ␠), Unicode 15.1's conjunct rule into 18 (न्दी स्व त्र ष्ट्र).
    assert_eq!(status_length(&hindi.repeat(40), "", limits), 23 * 40 - 1);
    assert!(!tootkit::text::fits(&hindi.repeat(22), "", limits));
}

// --- twitter-text's conformance suite ---------------------------------------------------

const HASHTAG_AFTER_SPACE: &str = "Mastodon takes a hashtag only at the start of a line or after whitespace (Tag::HASHTAG_RE's `(?<=^|[[:space:]])`), not after emoji, brackets or punctuation";
const HASHTAG_NAME: &str = "Mastodon's tag names are word characters and `_ · ・ ZWNJ` (Tag::HASHTAG_NAME_PAT); twitter-text's extra marks (〃 ～ 〜 ־ ׳ ״ ་ ZWJ) end the tag";
const HASHTAG_SEPARATOR: &str =
    "Mastodon's first name pattern takes a separator where a letter would be, so `#1_2` is a tag";
const HASHTAG_SCHEME: &str = "Mastodon gives back a swallowed `http`/`https` only when the tag has more before it, so `#http://…` keeps the tag `http`";
const MENTION_AFTER_WORD: &str = "Mastodon refuses a mention right after any word character (`(?<![=/[:word:]])`), Japanese letters and `RT` included";
const MENTION_AFTER_PUNCTUATION: &str =
    "Mastodon refuses a mention only after `=`, `/` or a word character; `!@#$%&*` do not stop it";
const MENTION_REMOTE: &str = "Mastodon mentions remote accounts: `@test@example.com` is a mention";
const LISTS: &str =
    "Mastodon has no list mentions: `@user/list` mentions `@user` and the list name is text";
const TCO: &str = "Mastodon runs Ruby twitter-text 3.1.0, whose t.co pattern stops after the slug; the suite's t.co query cases are newer";
const PATH: &str = "Mastodon's path characters are anything but whitespace and `<>()?` (config/initializers/twitter_regex.rb), so a path runs through CJK text and directional marks to the next space";

/// Conformance cases Mastodon answers differently, by section and description, with why
/// and with what Mastodon finds instead (the entities' texts, as the suite writes them).
const DIVERGENCES: &[(&str, &str, &str, &[&str])] = &[
    (
        "hashtags",
        "Extract hashtag after emoji without variant selector (uFE0E or uFE0F)",
        HASHTAG_AFTER_SPACE,
        &[],
    ),
    (
        "hashtags",
        "Extract hashtag after emoji with variant selector FE0E",
        HASHTAG_AFTER_SPACE,
        &[],
    ),
    (
        "hashtags",
        "Extract hashtag after emoji with variant selector FE0F",
        HASHTAG_AFTER_SPACE,
        &[],
    ),
    (
        "hashtags",
        "Extract hashtag after emoji with skin tone without variant selector (FE0E or FE0F)",
        HASHTAG_AFTER_SPACE,
        &[],
    ),
    (
        "hashtags",
        "Extract hashtag after emoji with skin tone with variant selector FE0F",
        HASHTAG_AFTER_SPACE,
        &[],
    ),
    (
        "hashtags",
        "Extract hashtag after emoji with zero-width-joiner",
        HASHTAG_AFTER_SPACE,
        &[],
    ),
    (
        "hashtags",
        "Extract hashtag after bracket",
        HASHTAG_AFTER_SPACE,
        &[],
    ),
    (
        "hashtags",
        "Extract a hashtag after a punctuation",
        HASHTAG_AFTER_SPACE,
        &[],
    ),
    ("hashtags", "Hashtag with chouon", HASHTAG_AFTER_SPACE, &[]),
    (
        "hashtags",
        "Hashtag with half-width chouon",
        HASHTAG_AFTER_SPACE,
        &[],
    ),
    (
        "hashtags",
        "Hashtag with half-width # after full-width ！",
        HASHTAG_AFTER_SPACE,
        &[],
    ),
    (
        "hashtags",
        "Hashtag with full-width ＃ after full-width ！",
        HASHTAG_AFTER_SPACE,
        &[],
    ),
    (
        "hashtags",
        "Hashtag with ideographic iteration mark",
        HASHTAG_NAME,
        &["云々", "学問のすゝめ", "いすゞ", "各〻", "各"],
    ),
    (
        "hashtags",
        "Extract hashtag with fullwidth tilde",
        HASHTAG_NAME,
        &["メ"],
    ),
    (
        "hashtags",
        "Extract hashtag with wave dash",
        HASHTAG_NAME,
        &["メ"],
    ),
    (
        "hashtags",
        "Hashtag after punctuations",
        HASHTAG_AFTER_SPACE,
        &[],
    ),
    (
        "hashtags",
        "DO NOT extract hashtag when # is followed by URL",
        HASHTAG_SCHEME,
        &["http", "https"],
    ),
    (
        "hashtags",
        "Extract Hebrew hashtags",
        HASHTAG_NAME,
        &["ע\u{5b7}ל", "וכו", "מ"],
    ),
    (
        "hashtags",
        "Extract Sinhala hashtag with Zero-Width Joiner (U+200D)",
        HASHTAG_NAME,
        &["ශ\u{dca}"],
    ),
    (
        "hashtags",
        "Extract Tibetan hashtags",
        HASHTAG_NAME,
        &["བ\u{f7c}ད", "བ\u{f7c}ད"],
    ),
    (
        "hashtags",
        "DO NOT extract hashtags without a letter",
        HASHTAG_SEPARATOR,
        &["1_2"],
    ),
    (
        "mentions",
        "Extract mention in the middle of a Japanese tweet",
        MENTION_AFTER_WORD,
        &[],
    ),
    (
        "mentions",
        "Extract lone metion but not @user@user (too close to an email)",
        MENTION_REMOTE,
        &["username", "test@example.com"],
    ),
    (
        "mentions",
        "Extract mentions after 'RT'",
        MENTION_AFTER_WORD,
        &["mention", "test"],
    ),
    (
        "mentions",
        "Extract mentions after 'rt'",
        MENTION_AFTER_WORD,
        &["mention", "test"],
    ),
    (
        "mentions",
        "Extract mentions after 'Rt'",
        MENTION_AFTER_WORD,
        &["mention", "test"],
    ),
    (
        "mentions",
        "Extract mentions after 'rT'",
        MENTION_AFTER_WORD,
        &["mention", "test"],
    ),
    (
        "mentions",
        "DO NOT extract username preceded by !",
        MENTION_AFTER_PUNCTUATION,
        &["kn"],
    ),
    (
        "mentions",
        "DO NOT extract username preceded by @",
        MENTION_AFTER_PUNCTUATION,
        &["kn"],
    ),
    (
        "mentions",
        "DO NOT extract username preceded by #",
        MENTION_AFTER_PUNCTUATION,
        &["kn"],
    ),
    (
        "mentions",
        "DO NOT extract username preceded by $",
        MENTION_AFTER_PUNCTUATION,
        &["kn"],
    ),
    (
        "mentions",
        "DO NOT extract username preceded by %",
        MENTION_AFTER_PUNCTUATION,
        &["kn"],
    ),
    (
        "mentions",
        "DO NOT extract username preceded by &",
        MENTION_AFTER_PUNCTUATION,
        &["kn"],
    ),
    (
        "mentions",
        "DO NOT extract username preceded by *",
        MENTION_AFTER_PUNCTUATION,
        &["kn"],
    ),
    (
        "mentions_or_lists_with_indices",
        "Extract a list",
        LISTS,
        &["username"],
    ),
    (
        "mentions_or_lists_with_indices",
        "Extract a mention and list",
        LISTS,
        &["username", "otheruser"],
    ),
    (
        "mentions_or_lists_with_indices",
        "Extract a list in the middle of a Japanese tweet",
        LISTS,
        &[],
    ),
    (
        "mentions_with_indices",
        "Extract a mention in the middle of a Japanese tweet",
        MENTION_AFTER_WORD,
        &[],
    ),
    (
        "tco_urls_with_params",
        "Extract valid URL with params: https://t.co/UqIyJAJTfo?amp=1",
        TCO,
        &["https://t.co/UqIyJAJTfo"],
    ),
    (
        "tco_urls_with_params",
        "Extract valid URL with params: https://t.co/UqIyJAJTfo?type=js",
        TCO,
        &["https://t.co/UqIyJAJTfo"],
    ),
    (
        "tco_urls_with_params",
        "Extract valid URL with params: https://t.co/UqIyJAJTfo?ssr=true",
        TCO,
        &["https://t.co/UqIyJAJTfo"],
    ),
    (
        "tco_urls_with_params",
        "Extract a valid URL with params: https://t.co/asdfdf?a=b#123",
        TCO,
        &["https://t.co/asdfdf"],
    ),
    (
        "tco_urls_with_params",
        "Extract a valid URL with params: https://t.co/sadfasdf?a=b&c=d",
        TCO,
        &["https://t.co/sadfasdf"],
    ),
    (
        "urls",
        "Extract URLs with and without protocol surrounded by CJK characters",
        PATH,
        &[
            "http://twitter.com/これは日本語です。example.com中国語http://t.co/abcde한국twitter.comテストexample2.comテストhttp://twitter.com/abcde",
        ],
    ),
    (
        "urls_with_directional_markers",
        "Extract URLs from RTL text",
        PATH,
        &["http://twitter.com/\u{202c}\u{2069}"],
    ),
    (
        "urls_with_directional_markers",
        "Extract URLs from RTL text with embedded directional marks",
        PATH,
        &["http://foobar.پاکستان/\u{202c}\u{2069}\u{2069}"],
    ),
    (
        "urls_with_indices",
        "Extract URLs with and without protocol surrounded by CJK characters",
        PATH,
        &[
            "http://twitter.com/これは日本語です。example.com中国語http://t.co/abcde한국twitter.comテストexample2.comテストhttp://twitter.com/abcde",
        ],
    ),
];

/// Sections of the suites that test something Mastodon does not use, with why.
const SKIPPED_SECTIONS: &[(&str, &str)] = &[
    (
        "replies",
        "Mastodon does not extract reply screen names: a reply is a status field",
    ),
    (
        "cashtags",
        "Mastodon's extractor overrides cashtag extraction to find none",
    ),
    (
        "cashtags_with_indices",
        "Mastodon's extractor overrides cashtag extraction to find none",
    ),
];

#[derive(Deserialize)]
struct Suite {
    tests: BTreeMap<String, Vec<Case>>,
}

#[derive(Deserialize)]
struct Case {
    description: String,
    text: String,
    expected: serde_yaml::Value,
}

/// An entity as the suite writes it: text (without `@`/`#` for mentions and hashtags)
/// and code point indices.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    text: String,
    indices: Option<(usize, usize)>,
}

fn code_points(text: &str, range: std::ops::Range<usize>) -> (usize, usize) {
    let start = text[..range.start].chars().count();
    (start, start + text[range].chars().count())
}

fn has_link_scheme(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    LINK_SCHEMES
        .iter()
        .any(|scheme| lower.starts_with(&format!("{scheme}://")))
}

/// What the suite expects, as Mastodon would list it.
fn expected(section: &str, value: &serde_yaml::Value) -> Vec<Expected> {
    let items = value.as_sequence().cloned().unwrap_or_default();
    let mut expected: Vec<Expected> = items
        .iter()
        .map(|item| match item {
            serde_yaml::Value::String(text) => Expected {
                text: text.clone(),
                indices: None,
            },
            map => {
                let field = ["url", "screen_name", "hashtag"]
                    .iter()
                    .find_map(|key| map.get(*key).and_then(|v| v.as_str()))
                    .unwrap_or_default();
                let indices = map
                    .get("indices")
                    .and_then(|v| v.as_sequence())
                    .map(|pair| {
                        let at = |i: usize| pair[i].as_u64().unwrap_or_default() as usize;
                        (at(0), at(1))
                    });
                Expected {
                    text: field.to_owned(),
                    indices,
                }
            }
        })
        .collect();
    // Mastodon links only URLs written with a scheme (it calls the extractor with
    // `extract_url_without_protocol: false`): the suite's scheme-less URLs are not links.
    if section.starts_with("urls") || section.starts_with("tco") {
        expected.retain(|e| has_link_scheme(&e.text));
    }
    expected
}

fn found(section: &str, text: &str, with_indices: bool) -> Vec<Expected> {
    let list = if section.starts_with("urls") || section.starts_with("tco") {
        extract_links(text)
    } else if section.starts_with("mentions") {
        extract_mentions(text)
    } else {
        extract_hashtags(text)
    };
    list.iter()
        .map(|entity| Expected {
            text: match entity.kind() {
                EntityKind::Mention => entity.as_str()[1..].to_owned(),
                EntityKind::Hashtag => entity.name().to_owned(),
                _ => entity.as_str().to_owned(),
            },
            indices: with_indices.then(|| code_points(text, entity.range())),
        })
        .collect()
}

#[test]
fn twitter_text_extraction_conformance() {
    let Some(dir) = fixtures() else { return };
    let path = dir.join("twitter-text-conformance/extract.yml");
    let suite: Suite = serde_yaml::from_str(&std::fs::read_to_string(&path).expect("extract.yml"))
        .expect("extract.yml parses");
    let mut failures = Vec::new();
    let mut agreed = 0;
    let mut diverged = 0;
    for (section, cases) in &suite.tests {
        if SKIPPED_SECTIONS.iter().any(|(s, _)| s == section) {
            continue;
        }
        for case in cases {
            let expected = expected(section, &case.expected);
            let with_indices = expected.iter().any(|e| e.indices.is_some());
            let found = found(section, &case.text, with_indices);
            let mastodon = DIVERGENCES
                .iter()
                .find(|(s, description, ..)| s == section && *description == case.description)
                .map(|(.., mastodon)| *mastodon);
            let texts: Vec<&str> = found.iter().map(|e| e.text.as_str()).collect();
            match mastodon {
                None if found == expected => agreed += 1,
                None => failures.push(format!(
                    "[{section}] {:?}\n    text:     {:?}\n    expected: {expected:?}\n    found:    {found:?}",
                    case.description, case.text
                )),
                Some(_) if found == expected => failures.push(format!(
                    "[{section}] {:?} is listed as a divergence but agrees now",
                    case.description
                )),
                Some(mastodon) if texts == mastodon => diverged += 1,
                Some(mastodon) => failures.push(format!(
                    "[{section}] {:?}\n    text:     {:?}\n    Mastodon: {mastodon:?}\n    found:    {texts:?}",
                    case.description, case.text
                )),
            }
        }
    }
    eprintln!("twitter-text extraction: {agreed} cases agree, {diverged} listed divergences");
    assert!(
        agreed > 100,
        "only {agreed} cases agree: is extract.yml whole?"
    );
    // Every divergence listed names a case of the suite, so that the list stays true.
    for (section, description, ..) in DIVERGENCES {
        let known = suite
            .tests
            .get(*section)
            .is_some_and(|cases| cases.iter().any(|case| case.description == *description));
        if !known {
            failures.push(format!(
                "[{section}] {description:?} is listed as a divergence but is no case of the suite"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_tld_of_the_suite_ends_a_link() {
    let Some(dir) = fixtures() else { return };
    let path = dir.join("twitter-text-conformance/tlds.yml");
    let suite: Suite = serde_yaml::from_str(&std::fs::read_to_string(&path).expect("tlds.yml"))
        .expect("tlds.yml parses");
    let mut failures = Vec::new();
    let mut checked = 0;
    for cases in suite.tests.values() {
        for case in cases {
            checked += 1;
            let found: Vec<_> = extract_links(&case.text)
                .iter()
                .map(|e| e.as_str().to_owned())
                .collect();
            if found != [case.text.clone()] {
                failures.push(format!(
                    "{}: {:?} gave {found:?}",
                    case.description, case.text
                ));
            }
        }
    }
    assert!(checked > 1500, "only {checked} TLD cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_tld_table_is_twitter_texts() {
    let Some(dir) = fixtures() else { return };
    let path = dir.join("twitter-text-conformance/tld_lib.yml");
    let lists: BTreeMap<String, Vec<String>> =
        serde_yaml::from_str(&std::fs::read_to_string(&path).expect("tld_lib.yml"))
            .expect("parses");
    for tld in lists.values().flatten() {
        let link = format!("https://example.{tld}/");
        assert_eq!(extract_links(&link).len(), 1, "{tld} should be a TLD");
        // Followed by ASCII letters, it is another name, and no TLD; a shorter TLD
        // followed by other letters may still end a link (`भारत` in `भारतम्`).
        let longer = format!("https://example.{tld}zzqx");
        let found = extract_links(&longer);
        assert!(
            found.iter().all(|e| !e.as_str().ends_with("zzqx")),
            "{tld}zzqx is no TLD"
        );
    }
}

#[test]
fn entities_drop_overlaps_urls_first() {
    let text = "https://example.com/#tag @bob@example.org xmpp:alice@example.com #ok";
    let kinds: Vec<_> = entities(text)
        .iter()
        .map(|e| (e.kind(), e.as_str().to_owned()))
        .collect();
    assert_eq!(
        kinds,
        [
            (EntityKind::Link, "https://example.com/#tag".to_owned()),
            (EntityKind::Mention, "@bob@example.org".to_owned()),
            (EntityKind::Uri, "xmpp:alice@example.com".to_owned()),
            (EntityKind::Hashtag, "#ok".to_owned()),
        ]
    );
}

//! Properties of `tootkit::text` over generated prose, and the fuzz corpus replayed.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use tootkit::text::{EntityKind, Limits, SplitError, ThreadOptions, entities, split_thread};

#[path = "../../../../fuzz/checks.rs"]
mod checks;

/// A word, link, mention, hashtag, emoji sequence or long run: the pieces of a post.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-zA-Z]{1,10}[,;:]?",
        1 => "[a-z]{2,8}".prop_map(|w| format!("{w}.")),
        1 => ("[a-z]{1,10}", "[a-z0-9/_()-]{0,60}").prop_map(|(d, p)| format!("https://{d}.example.com/{p}")),
        1 => "[a-z_]{1,12}".prop_map(|u| format!("@{u}")),
        1 => ("[a-z]{1,10}", "[a-z]{1,10}").prop_map(|(u, d)| format!("@{u}@{d}.social")),
        1 => "[a-zA-Z_][a-zA-Z0-9_]{0,20}".prop_map(|t| format!("#{t}")),
        1 => prop::sample::select(vec!["👨‍👩‍👧‍👦", "🏳️‍🌈", "e\u{301}", "🇫🇷", "ก่", "日本語の文章です。", "राष्ट्रपति", "क्\u{200D}षक्ष"]).prop_map(str::to_owned),
        1 => "[a-z]{30,90}",
        // What only looks like an entity, glued to a long word: no cut may make it one.
        1 => ("[a-z]{20,90}", prop::sample::select(vec!["@alice", "#tag", "https://example.com/x", "＠bob"])).prop_map(|(word, glued)| format!("{word}{glued}")),
        1 => "[ぁ-ん]{5,40}",
        // A link without a scheme (no link), whose query may run on past an ideographic
        // space; links that only show, never shortened.
        1 => "[a-z]{2,8}".prop_map(|d| format!("{d}.com/?q=1")),
        1 => prop::sample::select(vec!["xmpp:alice@example.com", "magnet:?xt=urn:btih:c12"]).prop_map(str::to_owned),
    ]
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ", " ", " ", " ", "\n", "\n\n", "  ", ". ", "! ", "\n \n", "\u{3000}", "\u{2002}",
    ])
}

fn prose() -> impl Strategy<Value = String> {
    prop::collection::vec((token(), separator()), 1..300).prop_map(|pieces| {
        pieces
            .into_iter()
            .map(|(token, sep)| format!("{token}{sep}"))
            .collect()
    })
}

fn limits() -> impl Strategy<Value = Limits> {
    (60usize..700).prop_map(|max_characters| Limits {
        max_characters,
        ..Limits::default()
    })
}

/// Whether `piece` holds a query that goes on past a space other than ASCII whitespace
/// (a query may hold U+3000 and U+2000–U+200A) into the next tokens: of a link, or of
/// one without a scheme that is none but swallows the link after it. A cut inside would
/// make a link the text does not have, so it may be longer than a part holds.
fn runs_past_a_space(text: &str, piece: &str) -> bool {
    text.contains(piece)
        && piece.char_indices().any(|(at, c)| {
            c.is_whitespace()
                && !c.is_ascii_whitespace()
                && piece[..at]
                    .rsplit(|c: char| c.is_ascii_whitespace())
                    .next()
                    .is_some_and(|word| word.contains('?'))
        })
}

/// 200 cases a test unless `PROPTEST_CASES` says otherwise. Under `CI` the generator
/// starts from a fixed seed (unless `PROPTEST_RNG_SEED` gives one), so that a CI run
/// judges the change and not the draw; runs elsewhere, and the fuzzer, keep exploring.
fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 200;
    }
    if std::env::var_os("CI").is_some() && std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x0700_7c17);
    }
    config
}

proptest! {
    #![proptest_config(config())]

    /// No part is over the limit; the parts, numbering removed, give back the text up
    /// to whitespace at the cuts; no cut falls inside a grapheme cluster, link, mention
    /// or hashtag.
    #[test]
    fn threads_fit_and_give_back_the_text(text in prose(), limits in limits(), numbered in any::<bool>(), warning in prop::sample::select(vec!["", "cw", "spoilers ahead", "see https://example.com/why", "for @alice@example.social"])) {
        let options = ThreadOptions::new(limits).numbering(numbered).spoiler_text(warning).max_parts(usize::MAX);
        let parts = match split_thread(&text, &options) {
            Ok(parts) => parts,
            Err(SplitError::Uncuttable { piece, length, room, .. }) if runs_past_a_space(&text, &piece) => {
                prop_assert!(length > room, "{piece:?} ({length}) refused for a room of {room}");
                return Ok(());
            }
            Err(err) => return Err(TestCaseError::fail(format!("prose of short tokens can always be cut: {err:?}"))),
        };
        if numbered {
            checks::check_thread(&text, &parts, limits, warning, None);
        } else {
            // Without numbers, each part fits the limit itself…
            for part in &parts {
                let length = tootkit::text::status_length(part, warning, limits);
                prop_assert!(length <= limits.max_characters, "{length} > {}: {part:?}", limits.max_characters);
            }
            // …and the other checks hold on the parts given the numbers they lack.
            let numbered_view: Vec<String> = parts
                .iter()
                .enumerate()
                .map(|(i, p)| if parts.len() > 1 { format!("{p} {}/{}", i + 1, parts.len()) } else { p.clone() })
                .collect();
            let loose = Limits { max_characters: limits.max_characters + 8, ..limits };
            checks::check_thread(&text, &numbered_view, loose, warning, None);
        }
    }

    /// With carried mentions, every reply starts with the first part's mentions; or,
    /// when the mentions leave a reply too little room for a link, mention or hashtag,
    /// the error says so, and the same text cuts without them.
    #[test]
    fn carried_mentions_open_every_reply(body in prose(), limits in limits()) {
        let text = format!("@alice @bob@example.org {body}");
        let options = ThreadOptions::new(limits).carry_mentions(true).max_parts(usize::MAX);
        let parts = match split_thread(&text, &options) {
            Ok(parts) => parts,
            Err(SplitError::Uncuttable { piece, length, room, .. }) if runs_past_a_space(&text, &piece) => {
                prop_assert!(length > room, "{piece:?} ({length}) refused for a room of {room}");
                return Ok(());
            }
            Err(SplitError::Uncuttable { piece, length, room, limit, .. }) => {
                // The prose's longest uncuttable piece is a link, 23 characters.
                prop_assert!(length <= 23 && length > room, "{piece:?}: {length} in {room}");
                prop_assert_eq!(limit, limits.max_characters);
                // Without the mentions (only the number is left, at most ` 999/999`)
                // the same text cuts.
                prop_assert!(room + 8 < limit, "room {room} of {limit} for {piece:?}");
                let plain = ThreadOptions::new(limits).max_parts(usize::MAX);
                prop_assert!(split_thread(&text, &plain).is_ok());
                return Ok(());
            }
            Err(err) => return Err(TestCaseError::fail(format!("{err:?}"))),
        };
        let first_mentions: Vec<String> = entities(&parts[0])
            .iter()
            .filter(|e| e.kind() == EntityKind::Mention)
            .map(|e| e.as_str().to_owned())
            .collect();
        let mut carried: Vec<String> = Vec::new();
        for mention in first_mentions {
            if !carried.iter().any(|c| c.eq_ignore_ascii_case(&mention)) {
                carried.push(mention);
            }
        }
        checks::check_thread(&text, &parts, limits, "", Some(&carried.join(" ")));
    }

    /// Any string at all: nothing panics and the invariants hold.
    #[test]
    fn any_text_keeps_the_invariants(text in "\\PC{0,200}") {
        checks::check_text(&text);
    }
}

/// The fuzz corpus (`fuzz/corpus/text`), replayed: every input the fuzzer kept, and
/// every crash it found once, still passes the checks.
#[test]
fn the_fuzz_corpus_keeps_the_invariants() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/text");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("the fuzz corpus is in the repository") {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        if let Ok(text) = std::str::from_utf8(&data) {
            checks::check_text(text);
            replayed += 1;
        }
    }
    assert!(replayed >= 20, "only {replayed} corpus inputs replayed");
}

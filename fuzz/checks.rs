//! What must hold for any text, whatever it is: the invariants of `tootkit::text` that
//! the fuzz target checks on generated inputs, the test suite on the saved corpus
//! (`fuzz/corpus/text`) and the property tests on generated prose.

use tootkit::text::{
    EntityKind, Limits, SplitError, ThreadOptions, entities, extract_hashtags, extract_links,
    extract_mentions, normalize_hashtag, split_thread, status_length,
};
use unicode_segmentation::UnicodeSegmentation;

/// Checks every invariant on `text`, panicking with the broken one.
pub fn check_text(text: &str) {
    check_entities(text);
    check_length(text);
    for max_characters in [40, 120, 500] {
        let limits = Limits {
            max_characters,
            ..Limits::default()
        };
        // No cap on parts: the invariants hold however long the thread.
        let options = ThreadOptions::new(limits).max_parts(usize::MAX);
        match split_thread(text, &options) {
            Ok(parts) => check_thread(text, &parts, limits, "", None),
            // Only a piece no cut may enter, longer than a part holds, stops a thread.
            Err(SplitError::Uncuttable {
                piece,
                length,
                room,
                ..
            }) => assert!(
                length > room && text.contains(piece.as_str()),
                "{piece:?} ({length}) refused for a room of {room} in {text:?}"
            ),
            Err(err) => panic!("{err:?} for {text:?}"),
        }
    }
}

fn check_sorted_and_apart(text: &str, ranges: &[std::ops::Range<usize>]) {
    let mut end = 0;
    for range in ranges {
        assert!(
            range.start >= end,
            "overlapping or unsorted entities {ranges:?} in {text:?}"
        );
        assert!(
            range.start < range.end && range.end <= text.len(),
            "bad range {range:?}"
        );
        assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
        end = range.end;
    }
}

fn check_entities(text: &str) {
    let all = entities(text);
    let ranges: Vec<_> = all.iter().map(|e| e.range()).collect();
    check_sorted_and_apart(text, &ranges);
    for entity in &all {
        assert_eq!(entity.as_str(), &text[entity.range()]);
        let written = entity.as_str();
        match entity.kind() {
            EntityKind::Link => assert!(written.contains("://"), "{written:?} has no scheme"),
            EntityKind::Mention => {
                assert!(written.starts_with('@') && entity.name().len() < written.len())
            }
            EntityKind::Hashtag => {
                assert!(written.starts_with(['#', '＃']) && !entity.name().is_empty());
                // Filed under a name made only of what a tag name may hold.
                let filed = normalize_hashtag(entity.name());
                assert!(!filed.contains(char::is_whitespace), "{filed:?}");
            }
            _ => {}
        }
    }
    for list in [
        extract_links(text),
        extract_mentions(text),
        extract_hashtags(text),
    ] {
        let ranges: Vec<_> = list.iter().map(|e| e.range()).collect();
        check_sorted_and_apart(text, &ranges);
    }
}

fn check_length(text: &str) {
    let limits = Limits::default();
    let length = status_length(text, "", limits);
    let graphemes = text.graphemes(true).count();
    let links = extract_links(text).len();
    assert!(
        length <= graphemes + links * 23,
        "{length} for {graphemes} graphemes and {links} links"
    );
    // The warning is measured joined to the text: at most one grapheme merges at the seam.
    let warning = "cw\u{301}";
    let joined = status_length(text, warning, limits);
    let apart = status_length("", warning, limits) + length;
    assert!(
        joined <= apart && joined + 1 >= apart,
        "{joined} against {apart}"
    );
}

/// The mentions a text opens with, as a run separated by spaces.
fn opening_mentions(text: &str) -> Vec<&str> {
    let mut opening = Vec::new();
    let mut at = 0;
    for entity in entities(text) {
        let range = entity.range();
        if entity.kind() != EntityKind::Mention || !text[at..range.start].trim().is_empty() {
            break;
        }
        opening.push(entity.as_str());
        at = range.end;
    }
    opening
}

/// Checks a thread cut from `text`: every part fits; the parts, numbering and carried
/// mentions removed, give back the text up to whitespace at the cuts; no cut falls
/// inside a grapheme cluster or an entity of the whole text.
pub fn check_thread(
    text: &str,
    parts: &[String],
    limits: Limits,
    warning: &str,
    carried: Option<&str>,
) {
    // The splitter trims the text first; a trailing space can belong to an entity of
    // the untrimmed text (a query may hold U+3000), so compare with what it cut.
    let text = text.trim();
    let count = parts.len();
    let mut position = 0;
    let boundaries: Vec<usize> = text
        .grapheme_indices(true)
        .map(|(at, _)| at)
        .chain([text.len()])
        .collect();
    let found: Vec<_> = entities(text)
        .iter()
        .map(|e| (e.range(), e.kind()))
        .collect();
    let inside: Vec<_> = found.iter().map(|(range, _)| range.clone()).collect();
    let check_cut = |at: usize| {
        assert!(
            boundaries.binary_search(&at).is_ok(),
            "cut at {at} splits a grapheme cluster in {text:?}"
        );
        assert!(
            !inside
                .iter()
                .any(|range| range.start < at && at < range.end),
            "cut at {at} splits an entity in {text:?}"
        );
    };
    for (index, part) in parts.iter().enumerate() {
        assert!(
            status_length(part, warning, limits) <= limits.max_characters,
            "part {index} too long: {part:?}"
        );
        let mut piece = part.as_str();
        if count > 1 {
            piece = piece
                .strip_suffix(&format!(" {}/{count}", index + 1))
                .unwrap_or_else(|| panic!("part {index} is not numbered: {part:?}"));
        }
        // Whitespace between parts goes, in whole grapheme clusters (a space followed by
        // a combining mark is one, and not whitespace).
        while let Some(space) = text[position..]
            .graphemes(true)
            .next()
            .filter(|g| g.chars().all(char::is_whitespace))
        {
            position += space.len();
        }
        if let Some(carried) = carried.filter(|c| index > 0 && !c.is_empty()) {
            // The reply opens with every carried mention: those put before it, then
            // those its own text opened with (not put before it again).
            let opening = opening_mentions(piece);
            for mention in carried.split(' ') {
                assert!(
                    opening.iter().any(|m| m.eq_ignore_ascii_case(mention)),
                    "part {index} does not open with {mention}: {part:?}"
                );
            }
            // What was put before it: the fewest opening mentions whose removal gives
            // back the text; each a carried one, and none also in the text's own.
            let mut put = Vec::new();
            while !text[position..].starts_with(piece) && put.len() < opening.len() {
                let mention = opening[put.len()];
                piece = piece[mention.len()..].trim_start_matches(' ');
                put.push(mention);
            }
            let own = opening_mentions(piece);
            for mention in &put {
                assert!(
                    carried.split(' ').any(|m| m == *mention)
                        && !own.iter().any(|m| m.eq_ignore_ascii_case(mention)),
                    "part {index} has {mention} put before it wrongly: {part:?}"
                );
            }
        }
        assert!(
            text[position..].starts_with(piece),
            "part {index} {piece:?} is not the text at {position}: {:?}",
            &text[position..]
        );
        check_cut(position);
        // A part links, mentions and tags only what the text did at that place.
        for entity in entities(piece) {
            let range = entity.range();
            assert!(
                found.contains(&(range.start + position..range.end + position, entity.kind())),
                "part {index} makes {:?} of what is no entity in {text:?}",
                entity.as_str()
            );
        }
        position += piece.len();
        check_cut(position);
    }
    assert!(
        text[position..].trim().is_empty(),
        "text left over: {:?}",
        &text[position..]
    );
}

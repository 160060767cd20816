//! The character classes of Mastodon's extractor regexes (twitter-text 3.1 with
//! Mastodon's patches), one predicate each, so the scanners in `extract` read like the
//! patterns they reproduce.
//!
//! Ruby's regexes are case-insensitive (`/i`) where twitter-text says so; [`ci`] gives a
//! predicate that meaning, so `[a-z]` under `/i` also takes `K` (KELVIN SIGN) and `ſ`,
//! as Onigmo's case folding does.

use icu_properties::CodePointMapData;
use icu_properties::props::{GeneralCategory, GeneralCategoryGroup, Script};

/// Characters that Unicode case folding makes equal but simple lower- and upper-casing
/// do not reach from one another (`ſ` and `s`, `K` and KELVIN SIGN, `ͅ` and `ι`…).
const FOLD_SIBLINGS: &[&[char]] = &[
    &['\u{345}', '\u{399}', '\u{3b9}', '\u{1fbe}'],
    &['k', 'K', '\u{212a}'],
    &['s', 'S', '\u{17f}'],
    &['\u{e5}', '\u{c5}', '\u{212b}'],
    &['\u{b5}', '\u{3bc}', '\u{39c}'],
    &['\u{3c2}', '\u{3c3}', '\u{3a3}'],
    &['\u{3d0}', '\u{3b2}', '\u{392}'],
    &['\u{3d1}', '\u{3b8}', '\u{398}', '\u{3f4}'],
    &['\u{3d5}', '\u{3c6}', '\u{3a6}'],
    &['\u{3d6}', '\u{3c0}', '\u{3a0}'],
    &['\u{3f0}', '\u{3ba}', '\u{39a}'],
    &['\u{3f1}', '\u{3c1}', '\u{3a1}'],
    &['\u{3f5}', '\u{3b5}', '\u{395}'],
    &['\u{1e9b}', '\u{1e61}', '\u{1e60}'],
    &['\u{df}', '\u{1e9e}'],
];

/// `pred` under `/i`: true when the character or one that case-folds to the same is in
/// the class, as Onigmo matches a class case-insensitively.
pub(super) fn ci(c: char, pred: impl Fn(char) -> bool) -> bool {
    if pred(c) {
        return true;
    }
    if c.is_ascii() {
        if pred(c.to_ascii_lowercase()) || pred(c.to_ascii_uppercase()) {
            return true;
        }
    } else {
        let lower = c.to_lowercase();
        let upper = c.to_uppercase();
        if (lower.len() == 1 && lower.clone().all(&pred))
            || (upper.len() == 1 && upper.clone().all(&pred))
        {
            return true;
        }
    }
    FOLD_SIBLINGS
        .iter()
        .filter(|siblings| siblings.contains(&c))
        .any(|siblings| siblings.iter().any(|&s| pred(s)))
}

/// Unicode case folding of `c`, as Onigmo compares under `/i`: lower case, except
/// where folding differs (`ß` is `ss`, `ﬁ` is `fi`, `ſ` is `s`, `ς` is `σ`…).
pub(super) fn fold(c: char, mut out: impl FnMut(char)) {
    if c.is_ascii() {
        return out(c.to_ascii_lowercase());
    }
    let special: Option<&str> = match c {
        '\u{df}' | '\u{1e9e}' => Some("ss"),
        '\u{17f}' => Some("s"),
        '\u{fb00}' => Some("ff"),
        '\u{fb01}' => Some("fi"),
        '\u{fb02}' => Some("fl"),
        '\u{fb03}' => Some("ffi"),
        '\u{fb04}' => Some("ffl"),
        '\u{fb05}' | '\u{fb06}' => Some("st"),
        '\u{b5}' => Some("\u{3bc}"),
        '\u{345}' | '\u{1fbe}' => Some("\u{3b9}"),
        '\u{3c2}' => Some("\u{3c3}"),
        _ => None,
    };
    match special {
        Some(folded) => folded.chars().for_each(out),
        None => c.to_lowercase().for_each(out),
    }
}

/// The general category as Mastodon's Ruby sees it: what Unicode assigned after 15.0
/// is unassigned there.
fn category(c: char) -> GeneralCategory {
    if c.is_ascii() || assigned_in_mastodons_unicode(c) {
        CodePointMapData::<GeneralCategory>::new().get(c)
    } else {
        GeneralCategory::Unassigned
    }
}

/// `[a-z]` under `/i`.
pub(super) fn latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '\u{212A}' || c == '\u{17F}'
}

/// `[a-z0-9]` under `/i`.
pub(super) fn latin_alnum(c: char) -> bool {
    latin_letter(c) || c.is_ascii_digit()
}

/// Ruby's `[[:word:]]`: Alphabetic, marks, decimal digits, connector punctuation.
pub(super) fn word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    alpha(c) || {
        let gc = category(c);
        GeneralCategoryGroup::Mark.contains(gc)
            || gc == GeneralCategory::DecimalNumber
            || gc == GeneralCategory::ConnectorPunctuation
    }
}

/// Ruby's `[[:alpha:]]`: the Alphabetic property.
pub(super) fn alpha(c: char) -> bool {
    c.is_alphabetic() && (c.is_ascii() || assigned_in_mastodons_unicode(c))
}

/// Whether Unicode 15.0, the version of Ruby 3.4 that Mastodon runs on, had assigned
/// `c`. Rust's and ICU's tables are newer: a letter assigned since (U+1C89, Unicode
/// 16.0) is no letter to Mastodon, so `@bob@ex\u{1C89}ample.org` mentions `@bob@ex`.
pub(super) fn assigned_in_mastodons_unicode(c: char) -> bool {
    static ASSIGNED: std::sync::OnceLock<Option<Vec<(char, char)>>> = std::sync::OnceLock::new();
    let assigned = ASSIGNED.get_or_init(|| {
        use regex_syntax::hir::{Class, HirKind};
        let hir = regex_syntax::Parser::new().parse(r"\p{Age=V15_0}").ok()?;
        match hir.kind() {
            HirKind::Class(Class::Unicode(class)) => Some(
                class
                    .ranges()
                    .iter()
                    .map(|range| (range.start(), range.end()))
                    .collect(),
            ),
            _ => None,
        }
    });
    // Without the table (it always builds: a test says so), newer tables decide.
    assigned.as_ref().is_none_or(|ranges| {
        ranges
            .binary_search_by(|&(start, end)| {
                if end < c {
                    std::cmp::Ordering::Less
                } else if start > c {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    })
}

/// `\p{Pd}`: dashes.
fn dash(c: char) -> bool {
    c == '-' || (!c.is_ascii() && category(c) == GeneralCategory::DashPunctuation)
}

/// `\p{Cyrillic}`.
fn cyrillic(c: char) -> bool {
    !c.is_ascii()
        && CodePointMapData::<Script>::new().get(c) == Script::Cyrillic
        && assigned_in_mastodons_unicode(c)
}

/// twitter-text's `LATIN_ACCENTS`, case-sensitive: where a regex embeds
/// `REGEXEN[:latin_accents]` it keeps that regex's own flags, without `/i`.
pub(super) fn latin_accent_raw(c: char) -> bool {
    matches!(c,
        '\u{c0}'..='\u{d6}' | '\u{d8}'..='\u{f6}' | '\u{f8}'..='\u{ff}' | '\u{100}'..='\u{24f}'
        | '\u{253}'..='\u{254}' | '\u{256}'..='\u{257}' | '\u{259}' | '\u{25b}' | '\u{263}'
        | '\u{268}' | '\u{26f}' | '\u{272}' | '\u{289}' | '\u{28b}' | '\u{2bb}'
        | '\u{300}'..='\u{36f}' | '\u{1e00}'..='\u{1eff}')
}

/// `[LATIN_ACCENTS]` under `/i`.
pub(super) fn latin_accent(c: char) -> bool {
    !c.is_ascii() && ci(c, latin_accent_raw)
}

/// twitter-text's `DIRECTIONAL_CHARACTERS`.
pub(crate) fn directional(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// twitter-text's `INVALID_CHARACTERS`.
fn invalid(c: char) -> bool {
    matches!(c, '\u{fffe}' | '\u{feff}' | '\u{ffff}')
}

/// twitter-text's `UNICODE_SPACES`.
fn unicode_space(c: char) -> bool {
    matches!(c,
        '\u{9}'..='\u{d}' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{180e}'
        | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// `valid_url_preceding_chars`' first alternative: `[^A-Z0-9@＠$#＃<invalid>]` under `/i`.
pub(super) fn url_preceding(c: char) -> bool {
    !(latin_alnum(c) || matches!(c, '@' | '＠' | '$' | '#' | '＃') || invalid(c))
}

/// twitter-text's `DOMAIN_VALID_CHARS`: anything but directional marks, ASCII
/// punctuation (the backslash excepted: Ruby reads `\[` in the class as an escape),
/// spaces, controls and invalid characters.
pub(super) fn domain_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '\\';
    }
    !(directional(c) || invalid(c) || unicode_space(c))
}

/// The characters a TLD may not be followed by: `[0-9a-z@+-]` under `/i`.
pub(super) fn tld_blocker(c: char) -> bool {
    latin_alnum(c) || matches!(c, '@' | '+' | '-')
}

/// Mastodon's `valid_general_url_path_chars`: `[^\p{White_Space}<>()?]`.
pub(super) fn path_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '?'))
}

/// Mastodon's `valid_url_path_ending_chars` (its character-class half).
pub(super) fn path_ending_char(c: char) -> bool {
    !(c.is_whitespace()
        || matches!(
            c,
            '(' | ')'
                | '?'
                | '!'
                | '*'
                | '"'
                | '\''
                | '「'
                | '」'
                | '<'
                | '>'
                | ';'
                | ':'
                | '='
                | ','
                | '.'
                | '$'
                | '%'
                | '['
                | ']'
                | '~'
                | '&'
                | '|'
                | '@'
        ))
}

/// twitter-text's original `valid_general_url_path_chars`, which Mastodon's patched
/// path-ending class still uses inside its balanced parentheses.
pub(super) fn twitter_path_char(c: char) -> bool {
    latin_alnum(c)
        || "!*';:=+,.$/%#[]_~&|@-".contains(c)
        || (!c.is_ascii() && (cyrillic(c) || dash(c) || latin_accent(c)))
}

/// Mastodon's `UCHARS`: the non-ASCII characters it allows in a query.
fn uchar(c: char) -> bool {
    matches!(c,
        '\u{a0}'..='\u{d7ff}' | '\u{f900}'..='\u{fdcf}' | '\u{fdf0}'..='\u{ffef}'
        | '\u{10000}'..='\u{1fffd}' | '\u{20000}'..='\u{2fffd}' | '\u{30000}'..='\u{3fffd}'
        | '\u{40000}'..='\u{4fffd}' | '\u{50000}'..='\u{5fffd}' | '\u{60000}'..='\u{6fffd}'
        | '\u{70000}'..='\u{7fffd}' | '\u{80000}'..='\u{8fffd}' | '\u{90000}'..='\u{9fffd}'
        | '\u{a0000}'..='\u{afffd}' | '\u{b0000}'..='\u{bfffd}' | '\u{c0000}'..='\u{cfffd}'
        | '\u{d0000}'..='\u{dfffd}' | '\u{e1000}'..='\u{efffd}' | '\u{e000}'..='\u{f8ff}'
        | '\u{f0000}'..='\u{ffffd}' | '\u{100000}'..='\u{10fffd}')
}

/// Mastodon's `valid_url_query_chars`.
pub(super) fn query_char(c: char) -> bool {
    latin_alnum(c)
        || matches!(
            c,
            '!' | '?'
                | '*'
                | '\''
                | '('
                | ')'
                | ';'
                | ':'
                | '&'
                | '='
                | '+'
                | '$'
                | '/'
                | '%'
                | '#'
                | '['
                | ']'
                | '-'
                | '_'
                | '.'
                | ','
                | '~'
                | '|'
                | '@'
                | '^'
        )
        || uchar(c)
}

/// Mastodon's `valid_url_query_ending_chars`.
pub(super) fn query_ending_char(c: char) -> bool {
    latin_alnum(c) || matches!(c, '_' | '&' | '=' | '#' | '/' | '-') || uchar(c)
}

/// twitter-text's `validate_url_unreserved`.
pub(super) fn unreserved(c: char) -> bool {
    latin_alnum(c)
        || matches!(c, '.' | '_' | '~' | '-')
        || (!c.is_ascii() && (cyrillic(c) || dash(c)))
}

/// The hashtag separators Mastodon allows inside a tag name.
pub(super) fn hashtag_separator(c: char) -> bool {
    matches!(c, '_' | '\u{b7}' | '\u{30fb}' | '\u{200c}')
}

/// What `Tag::HASHTAG_INVALID_CHARS_RE` keeps: `[[:alnum:]]` (Alphabetic or a decimal
/// digit), the Thai marks U+0E47–U+0E4E, and the separators.
pub(super) fn hashtag_name_char(c: char) -> bool {
    alpha(c)
        || ('\u{e47}'..='\u{e4e}').contains(&c)
        || hashtag_separator(c)
        || (c.is_ascii_digit() || (!c.is_ascii() && category(c) == GeneralCategory::DecimalNumber))
}

/// Mastodon's `ASCIIFolding` for a lower-case letter: the accented letters of Latin-1
/// and Latin Extended-A become their base letter (æ, œ, ĳ, þ and ß stay as they are).
pub(super) fn ascii_fold(c: char) -> char {
    match c {
        'ð' | 'đ' => 'd',
        'ø' => 'o',
        'ħ' => 'h',
        'ı' => 'i',
        'ĸ' => 'k',
        'ŀ' | 'ł' => 'l',
        'ŉ' | 'ŋ' => 'n',
        'ſ' => 's',
        'ŧ' => 't',
        'æ' | '÷' | 'þ' | 'ß' | 'ĳ' | 'œ' => c,
        '\u{e0}'..='\u{ff}' | '\u{100}'..='\u{17f}' => {
            // The rest decompose into an ASCII letter and combining marks.
            let nfd = icu_normalizer::DecomposingNormalizerBorrowed::new_nfd();
            let mut decomposed = String::new();
            let _ = nfd.normalize_to(c.encode_utf8(&mut [0; 4]), &mut decomposed);
            decomposed
                .chars()
                .next()
                .filter(char::is_ascii_alphabetic)
                .unwrap_or(c)
        }
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_those_of_unicode_15_as_in_ruby_3_4() {
        // Unicode 15.0 (Ruby 3.4): assigned.
        assert!(
            word('\u{11F00}') && alpha('\u{11F00}'),
            "KAWI SIGN CANDRABINDU, 15.0"
        );
        assert!(word('é') && word('中') && word('\u{1E030}'));
        // Unicode 16.0: not yet.
        assert!(
            !word('\u{1C89}') && !alpha('\u{1C89}'),
            "CYRILLIC CAPITAL TJE"
        );
        assert!(!word('\u{105C0}'), "TODHRI LETTER A");
        // Digits too: KIRAT RAI DIGIT ZERO (16.0) is no digit of a hashtag yet.
        assert!(!hashtag_name_char('\u{16D70}') && hashtag_name_char('\u{0966}'));
        // Unicode 15.1: not yet either.
        assert!(!assigned_in_mastodons_unicode('\u{2FFC}'));
        assert!(assigned_in_mastodons_unicode('\u{10FFFD}'), "private use");
    }

    #[test]
    fn case_insensitive_classes_follow_case_folding() {
        assert!(latin_letter('\u{212A}'), "KELVIN SIGN folds to k");
        assert!(
            latin_accent('\u{178}'),
            "Ÿ folds to ÿ, which is a Latin accent"
        );
        assert!(!url_preceding('K'));
        assert!(
            latin_accent('\u{3b9}'),
            "ι folds like U+0345, a Latin accent"
        );
        assert!(!latin_accent_raw('\u{212b}'));
        let mut folded = String::new();
        "Straße\u{fb01}"
            .chars()
            .for_each(|c| fold(c, |f| folded.push(f)));
        assert_eq!(folded, "strassefi");
        assert!(url_preceding('\u{3002}'));
    }

    #[test]
    fn word_follows_ruby_not_rust() {
        assert!(word('é') && word('_') && word('\u{301}') && word('٣'));
        assert!(!word('\u{200d}'), "Ruby's [[:word:]] has no Join_Control");
        assert!(!word('-'));
    }

    #[test]
    fn domain_characters_exclude_punctuation_but_not_backslash() {
        assert!(domain_char('a') && domain_char('あ') && domain_char('\\'));
        assert!(!domain_char('.') && !domain_char('_') && !domain_char('\u{a0}'));
        assert!(!domain_char('\u{202a}'));
    }
}

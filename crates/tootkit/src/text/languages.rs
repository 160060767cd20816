//! The languages a Mastodon server takes for a status (`LanguagesHelper`'s
//! `SUPPORTED_LOCALES`): ISO 639-1 codes, a few ISO 639-3 ones, and Chinese's regional
//! variants. A status's language is one of them, else the account's default.

/// ISO 639-1 codes, the ISO 639-3 codes Mastodon adds, and the regional variants it
/// keeps whole (Chinese, a family more than a language).
const SUPPORTED: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia",
    "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk",
    "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo",
    "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd",
    "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl",
    "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl",
    "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl",
    "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo",
    "xh", "yi", "yo", "za", "zh", "zu", // ISO 639-1
    "ast", "chr", "ckb", "cnr", "jbo", "kab", "ldn", "lfn", "sco", "sma", "smj", "szl", "tok",
    "xal", "zba", "zgh", // ISO 639-3
    "zh-CN", "zh-HK", "zh-TW", "zh-YUE", // regional
];

/// ISO 639-1 codes missing from Mastodon's list: languages still (Guarani, Samoan, and
/// Serbo-Croatian, which ISO withdrew), which another server may know.
const ISO_639_1_NOT_IN_MASTODON: &[&str] = &["gn", "sh", "sm"];

/// Codes often given for a language that are no ISO 639 code (a country's, most of
/// them, or one ISO withdrew), and the language meant.
const MEANT: &[(&str, &str)] = &[
    ("at", "de"),
    ("cn", "zh"),
    ("cz", "cs"),
    ("dk", "da"),
    ("gb", "en"),
    ("gr", "el"),
    ("il", "he"),
    ("iw", "he"),
    ("ji", "yi"),
    ("jp", "ja"),
    ("mx", "es"),
    ("ua", "uk"),
    ("us", "en"),
    ("vn", "vi"),
];

/// The language a Mastodon server files a status under when asked for `asked`
/// (`valid_locale_or_nil`): a code it knows as it is, else its part before `-` or `_`
/// when that is one (`pt-BR` is `pt`); `None` when neither is, and the status takes the
/// account's default language instead.
///
/// ```
/// use tootkit::text::mastodon_language;
///
/// assert_eq!(mastodon_language("pt-BR"), Some("pt"));
/// assert_eq!(mastodon_language("zh-TW"), Some("zh-TW"));
/// assert_eq!(mastodon_language("tok"), Some("tok"));
/// assert_eq!(mastodon_language("gn"), None);
/// ```
pub fn mastodon_language(asked: &str) -> Option<&'static str> {
    let find = |code: &str| SUPPORTED.iter().copied().find(|known| *known == code);
    find(asked).or_else(|| asked.split(['-', '_']).next().and_then(find))
}

/// For a two-letter code that is no ISO 639-1 code, the language most likely meant, or
/// `""` when none is known; `None` when `primary` is a language code or not two letters.
pub(super) fn not_iso_639_1(primary: &str) -> Option<&'static str> {
    let known = SUPPORTED.contains(&primary) || ISO_639_1_NOT_IN_MASTODON.contains(&primary);
    if primary.len() != 2 || known {
        return None;
    }
    Some(
        MEANT
            .iter()
            .find(|(given, _)| *given == primary)
            .map_or("", |(_, meant)| meant),
    )
}

#[cfg(test)]
mod tests {
    use super::{mastodon_language, not_iso_639_1};

    #[test]
    fn a_language_is_a_supported_code_or_its_part_before_the_region() {
        assert_eq!(mastodon_language("en"), Some("en"));
        assert_eq!(mastodon_language("zh-TW"), Some("zh-TW"));
        assert_eq!(mastodon_language("pt-BR"), Some("pt"));
        assert_eq!(mastodon_language("ja_JP"), Some("ja"));
        assert_eq!(mastodon_language("tok"), Some("tok"));
        for unknown in ["xx", "eng", "EN", "", "x-pt", "gn", "sm"] {
            assert_eq!(mastodon_language(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn a_country_code_is_no_language_and_the_one_meant_is_named() {
        assert_eq!(not_iso_639_1("jp"), Some("ja"));
        assert_eq!(not_iso_639_1("xx"), Some(""));
        for language in ["ja", "gn", "se", "kr", "tok"] {
            assert_eq!(not_iso_639_1(language), None, "{language}");
        }
    }
}

//! The languages a Mastodon server takes for a status (`LanguagesHelper`'s
//! `SUPPORTED_LOCALES`): ISO 639-1 codes, a few ISO 639-3 ones, and Chinese's regional
//! variants. A status's language is one of them, else the default.

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

/// The language Mastodon files a status under when asked for `asked`
/// (`valid_locale_or_nil`): a supported code as it is, else its part before `-` or `_`
/// when that is one (`pt-BR` is `pt`); `None` when neither is.
pub(crate) fn supported(asked: &str) -> Option<&'static str> {
    let find = |code: &str| SUPPORTED.iter().copied().find(|known| *known == code);
    find(asked).or_else(|| asked.split(['-', '_']).next().and_then(find))
}

#[cfg(test)]
mod tests {
    use super::supported;

    #[test]
    fn a_language_is_a_supported_code_or_its_part_before_the_region() {
        assert_eq!(supported("en"), Some("en"));
        assert_eq!(supported("zh-TW"), Some("zh-TW"));
        assert_eq!(supported("pt-BR"), Some("pt"));
        assert_eq!(supported("ja_JP"), Some("ja"));
        assert_eq!(supported("tok"), Some("tok"));
        for unknown in ["xx", "eng", "EN", "", "x-pt"] {
            assert_eq!(supported(unknown), None, "{unknown}");
        }
    }
}

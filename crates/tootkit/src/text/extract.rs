//! Scanners that find what Mastodon's extractor finds, at the same places.
//!
//! Each scanner reproduces one of the regexes Mastodon runs with Ruby's `String#scan`
//! (leftmost match, alternatives tried in order, greedy quantifiers backtracking, the
//! next search starting where the last match ended) and then the filters
//! `app/lib/extractor.rb` applies to each match. The regexes are twitter-text 3.1's,
//! with Mastodon's patches from `config/initializers/twitter_regex.rb`, its
//! `Account::MENTION_RE` and its `Tag::HASHTAG_RE`. A match a filter drops still
//! consumes its text, as in Ruby: that is why `example.com/http://x.org` holds no link.
//!
//! Positions are indices into a slice of `char`s (Ruby's indices are code points too).
//! The backtracking of the path pattern is resolved by hand, without recursion, and the
//! first domain match at each place is remembered ([`Domains`]), so a long input costs
//! time linear in its length (Ruby's own regexes are quadratic on `a.a.a.a…`) and no
//! stack.

use super::classes::*;
use super::tlds;

/// Twitter's (and so Mastodon's) longest link, in characters after IDNA encoding.
const MAX_URL_LENGTH: usize = 4096;
/// The longest t.co slug twitter-text accepts.
const MAX_TCO_SLUG_LENGTH: usize = 40;
/// A mention whose domain is longer than this is no mention (`Extractor::MAX_DOMAIN_LENGTH`).
const MAX_DOMAIN_LENGTH: usize = 253;
/// The longest DNS label, which IDNA's ToASCII enforces.
const MAX_LABEL_LENGTH: usize = 63;

/// What a scanner found: a kind and a range of `char` indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Found {
    pub kind: FoundKind,
    pub start: usize,
    pub end: usize,
}

/// The kinds of entity, with what the length rules need to know of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FoundKind {
    /// A URL with one of Mastodon's link schemes: counts as a fixed length.
    Link,
    /// An `xmpp:` or `magnet:` URI: linked, but counted as written.
    Uri,
    /// A mention; `domain_at` is the index of the second `@` of `@user@domain`.
    Mention { domain_at: Option<usize> },
    /// A hashtag.
    Hashtag,
}

fn at(chars: &[char], i: usize) -> Option<char> {
    chars.get(i).copied()
}

fn is(chars: &[char], i: usize, pred: impl Fn(char) -> bool) -> bool {
    at(chars, i).is_some_and(pred)
}

/// The end of the run of characters matching `pred` from `i`.
fn run_end(chars: &[char], mut i: usize, pred: impl Fn(char) -> bool) -> usize {
    while is(chars, i, &pred) {
        i += 1;
    }
    i
}

/// Whether `word` (lower-case ASCII) is written at `i`, in any case.
fn starts_with_ci(chars: &[char], i: usize, word: &str) -> bool {
    word.chars()
        .enumerate()
        .all(|(k, w)| is(chars, i + k, |c| ci(c, |c| c == w)))
}

/// Ruby's `^`: the start of the text or of a line.
fn line_start(chars: &[char], i: usize) -> bool {
    i == 0 || chars[i - 1] == '\n'
}

/// Runs `try_at` at each place a `valid_url_preceding_chars` match lets a URL start,
/// from `from` up to `to`, in the order Ruby's regex engine tries them: the first
/// success gives the match's start and what `try_at` returned.
fn search<T>(
    chars: &[char],
    from: usize,
    to: usize,
    mut try_at: impl FnMut(usize) -> Option<T>,
) -> Option<T> {
    for p in from..to {
        if url_preceding(chars[p])
            && let Some(found) = try_at(p + 1)
        {
            return Some(found);
        }
        if line_start(chars, p)
            && let Some(found) = try_at(p)
        {
            return Some(found);
        }
    }
    None
}

/// ASCII whitespace, which no part of a URL (domain, port, path, query) contains.
fn ascii_space(c: &char) -> bool {
    matches!(c, ' ' | '\t'..='\r')
}

// ---------------------------------------------------------------------------------------
// Domains

/// A character a domain label may hold inside: a domain character, `-`, and `_` in a
/// subdomain (`valid_subdomain`) but not in the domain name (`valid_domain_name`).
fn label_char(c: char, subdomain: bool) -> bool {
    domain_char(c) || c == '-' || (subdomain && c == '_')
}

/// A domain label from `i` (`(?:D(?:[-_]|D)*)?D\.`): the index after its dot.
fn label(chars: &[char], i: usize, subdomain: bool) -> Option<usize> {
    label_in_run(chars, i, run_end(chars, i, |c| label_char(c, subdomain)))
}

/// The label from `i` given where its run of label characters ends: the run starts and
/// ends with a domain character and a dot follows it.
fn label_in_run(chars: &[char], i: usize, end: usize) -> Option<usize> {
    (end > i && domain_char(chars[i]) && domain_char(chars[end - 1]) && at(chars, end) == Some('.'))
        .then_some(end + 1)
}

/// Each end of a TLD at `i`, in the order the regex alternation tries them.
fn tld_ends(chars: &[char], i: usize, ends: &mut Vec<usize>) {
    ends.clear();
    // At most a few TLDs match at one place (one is a prefix of the other, followed by
    // a letter the look-ahead allows): keep them with their rank, without allocating.
    let mut ranked = [(u16::MAX, 0usize); 4];
    let mut matched = 0;
    let mut name = [0u8; 4 * 2 * tlds::MAX_CHARS];
    let mut name_len = 0;
    for len in 1..=tlds::MAX_CHARS {
        let Some(c) = at(chars, i + len - 1) else {
            break;
        };
        // Every TLD in the list is letters: an ASCII digit, dot or mark ends the search.
        if c.is_ascii() && !c.is_ascii_alphabetic() {
            break;
        }
        let mut overflow = false;
        fold(c, |folded| {
            if name_len + 4 > name.len() {
                overflow = true;
            } else {
                name_len += folded.encode_utf8(&mut name[name_len..]).len();
            }
        });
        if overflow {
            break;
        }
        if is(chars, i + len, tld_blocker) {
            continue;
        }
        let Ok(name) = std::str::from_utf8(&name[..name_len]) else {
            break;
        };
        if let Ok(found) = tlds::TLDS.binary_search_by(|(tld, _)| (*tld).cmp(name))
            && matched < ranked.len()
        {
            ranked[matched] = (tlds::TLDS[found].1, i + len);
            matched += 1;
        }
    }
    let ranked = &mut ranked[..matched];
    ranked.sort_unstable();
    ends.extend(ranked.iter().map(|&(_, end)| end));
    // `xn--[0-9a-z]+`, the last alternative and the only one without a look-ahead.
    if matches!(at(chars, i), Some('x' | 'X')) && starts_with_ci(chars, i, "xn--") {
        let end = run_end(chars, i + 4, latin_alnum);
        if end > i + 4 {
            ends.push(end);
        }
    }
}

/// Each end of a `valid_domain` match at `i`, in the order Ruby would try them, until
/// `accept` takes one.
fn each_domain_end(
    chars: &[char],
    i: usize,
    mut accept: impl FnMut(usize) -> bool,
) -> Option<usize> {
    let subdomain = |at: usize| label(chars, at, true);
    // A domain needs at least one label; a place where none starts (most of them, in
    // prose) is refused before anything is allocated.
    let first = subdomain(i)?;
    // `valid_subdomain*` is greedy: try the most labels first.
    let mut starts = vec![i, first];
    while let Some(next) = starts.last().and_then(|&at| subdomain(at)) {
        starts.push(next);
    }
    let mut ends = Vec::new();
    for &name_start in starts.iter().rev() {
        let Some(tld_start) = label(chars, name_start, false) else {
            continue;
        };
        tld_ends(chars, tld_start, &mut ends);
        if let Some(&end) = ends.iter().find(|&&end| accept(end)) {
            return Some(end);
        }
    }
    None
}

/// No domain starts here (in [`Domains::first_end`]).
const NO_DOMAIN: usize = usize::MAX;
/// Not looked at yet (in [`Domains::first_end`]).
const UNKNOWN: usize = usize::MAX - 1;

/// The first `valid_domain` match at each place, remembered, so that a scan trying
/// every start in `a.a.a.a…` walks the labels once instead of once per start.
struct Domains<'a> {
    chars: &'a [char],
    /// Per start: the end of the first domain match, [`NO_DOMAIN`] or [`UNKNOWN`].
    first_end: Vec<usize>,
    /// The last run of subdomain and domain-name characters measured, as (start, end):
    /// every start inside a run shares its end.
    runs: [(usize, usize); 2],
}

impl<'a> Domains<'a> {
    fn new(chars: &'a [char]) -> Self {
        Self {
            chars,
            first_end: Vec::new(),
            runs: [(0, 0); 2],
        }
    }

    /// A label from `i` (see [`label`]), subdomain (`_` allowed) or domain name.
    fn label(&mut self, i: usize, subdomain: bool) -> Option<usize> {
        let chars = self.chars;
        let (start, end) = &mut self.runs[usize::from(subdomain)];
        if !(*start <= i && i < *end) {
            *start = i;
            *end = run_end(chars, i, |c| label_char(c, subdomain));
        }
        label_in_run(chars, i, *end)
    }

    /// The end of the first `valid_domain` match at `i`: the most subdomain labels
    /// that still leave a domain name and a TLD, the TLD tried in rank order.
    fn end(&mut self, i: usize) -> Option<usize> {
        if self.first_end.is_empty() {
            self.first_end = vec![UNKNOWN; self.chars.len() + 1];
        }
        // The chain of label starts from `i`, up to one already known.
        let mut chain = vec![i];
        while let Some(&last) = chain.last()
            && self.first_end[last] == UNKNOWN
            && let Some(next) = self.label(last, true)
        {
            chain.push(next);
        }
        // A start's answer is its next label's, when that has one, else its own.
        let mut deeper: Option<usize> = None;
        let mut ends = Vec::new();
        for &start in chain.iter().rev() {
            let known = self.first_end[start];
            let answer = if known != UNKNOWN {
                (known != NO_DOMAIN).then_some(known)
            } else {
                deeper.or_else(|| {
                    let tld_start = self.label(start, false)?;
                    tld_ends(self.chars, tld_start, &mut ends);
                    ends.first().copied()
                })
            };
            self.first_end[start] = answer.unwrap_or(NO_DOMAIN);
            deeper = answer;
        }
        deeper
    }
}

// ---------------------------------------------------------------------------------------
// Paths and queries

/// Balanced parentheses at `i` made of `class` characters, one nesting level allowed:
/// `\((?:C+|C*\(C+\)C*)\)`. Both alternatives can match at most one way.
fn balanced(chars: &[char], i: usize, class: fn(char) -> bool) -> Option<usize> {
    if at(chars, i) != Some('(') {
        return None;
    }
    let inner = run_end(chars, i + 1, class);
    match at(chars, inner) {
        Some(')') if inner > i + 1 => Some(inner + 1),
        Some('(') => {
            let nested = run_end(chars, inner + 1, class);
            if nested == inner + 1 || at(chars, nested) != Some(')') {
                return None;
            }
            let close = run_end(chars, nested + 1, class);
            (at(chars, close) == Some(')')).then_some(close + 1)
        }
        _ => None,
    }
}

/// `valid_url_path_ending_chars` at `i`: one ending character, or twitter-text's own
/// balanced parentheses.
fn path_ending(chars: &[char], i: usize) -> Option<usize> {
    if is(chars, i, path_ending_char) {
        return Some(i + 1);
    }
    balanced(chars, i, twitter_path_char)
}

/// The last path-ending character in `from..to` (all path characters): where a greedy
/// `G*` followed by an ending settles when it backtracks.
fn last_ending(chars: &[char], from: usize, to: usize) -> Option<usize> {
    (from..to)
        .rev()
        .find(|&k| path_ending_char(chars[k]))
        .map(|k| k + 1)
}

/// The first way `G* (?:B G*)* E` matches at `i`, B being Mastodon's balanced parens.
fn path_segment(chars: &[char], i: usize) -> Option<usize> {
    let first_run = run_end(chars, i, path_char);
    // The `B G*` repetitions the greedy star takes: where each B starts, where it ends,
    // where the G* after it ends.
    let mut chain: Vec<(usize, usize, usize)> = Vec::new();
    let mut paren = first_run;
    while let Some(after) = balanced(chars, paren, path_char) {
        let run = run_end(chars, after, path_char);
        chain.push((paren, after, run));
        paren = run;
    }
    // Backtracking from the deepest repetition outwards: after the deeper ones fail, a
    // level gives back its G* characters one by one, then drops its own B so that the
    // ending may try twitter-text's parentheses there.
    let mut found = path_ending(chars, paren);
    for &(paren, after, run) in chain.iter().rev() {
        if found.is_some() {
            break;
        }
        found = last_ending(chars, after, run).or_else(|| path_ending(chars, paren));
    }
    found.or_else(|| last_ending(chars, i, first_run))
}

/// The first way Mastodon's `valid_url_path` matches at `i`.
fn path_unit(chars: &[char], i: usize) -> Option<usize> {
    path_segment(chars, i).or_else(|| {
        // `G+/`: the last slash after at least one path character.
        let run = run_end(chars, i, path_char);
        (i + 1..run).rev().find(|&k| chars[k] == '/').map(|k| k + 1)
    })
}

/// `(/valid_url_path*)` at `i` (the slash): the end of the greedy repetition.
fn path(chars: &[char], i: usize) -> usize {
    let mut end = i + 1;
    while let Some(next) = path_unit(chars, end).filter(|&next| next > end) {
        end = next;
    }
    end
}

/// `\?Q*QE` at `i` (the question mark): the end of the query, if it has one.
fn query(chars: &[char], i: usize) -> Option<usize> {
    let run = run_end(chars, i + 1, query_char);
    (i + 1..run)
        .rev()
        .find(|&k| query_ending_char(chars[k]))
        .map(|k| k + 1)
}

/// Port, path and query after a domain ending at `i`: the end of the URL.
fn url_tail(chars: &[char], mut i: usize) -> usize {
    if at(chars, i) == Some(':') && is(chars, i + 1, |c| c.is_ascii_digit()) {
        i = run_end(chars, i + 1, |c| c.is_ascii_digit());
    }
    if at(chars, i) == Some('/') {
        i = path(chars, i);
    }
    if at(chars, i) == Some('?')
        && let Some(end) = query(chars, i)
    {
        i = end;
    }
    i
}

// ---------------------------------------------------------------------------------------
// URLs

/// The URL schemes Mastodon's patched `valid_url` accepts, in its alternation's order.
pub(super) const LINK_SCHEMES: &[&str] = &[
    "http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "gemini",
];

/// A `valid_url` match: where the URL starts and ends, where its domain ends, and
/// whether it has a scheme.
struct UrlMatch {
    start: usize,
    domain: (usize, usize),
    end: usize,
    with_scheme: bool,
}

/// A scheme at `i` followed by `://`: its folded name and its length with the `://`.
fn scheme(chars: &[char], i: usize) -> Option<(&'static str, usize)> {
    // A scheme is letters right before `://` (some, like `ß` for `ss`, fold to more
    // than one): find them first, then compare their folded form.
    let scheme_letter =
        |c| latin_letter(c) || matches!(c, '\u{df}' | '\u{1e9e}' | '\u{fb00}'..='\u{fb06}');
    // Seven letters are already too many: no need to look further into a long word.
    let letters = (i..chars.len().min(i + 7))
        .find(|&k| !scheme_letter(chars[k]))
        .unwrap_or(chars.len().min(i + 7));
    if letters - i > 6 || chars.get(letters..letters + 3) != Some(&[':', '/', '/']) {
        return None;
    }
    let mut name = String::new();
    for &c in &chars[i..letters] {
        fold(c, |folded| name.push(folded));
    }
    LINK_SCHEMES
        .iter()
        .find(|&&scheme| scheme == name)
        .map(|&scheme| (scheme, letters - i + 3))
}

fn scheme_len(chars: &[char], i: usize) -> Option<usize> {
    scheme(chars, i).map(|(_, len)| len)
}

fn url_at(domains: &mut Domains<'_>, start: usize) -> Option<UrlMatch> {
    let chars = domains.chars;
    // Schemes and domains both start with a domain character.
    if !is(chars, start, domain_char) {
        return None;
    }
    if let Some(len) = scheme_len(chars, start)
        && let Some(domain_end) = domains.end(start + len)
    {
        let end = url_tail(chars, domain_end);
        return Some(UrlMatch {
            start,
            domain: (start + len, domain_end),
            end,
            with_scheme: true,
        });
    }
    let domain_end = domains.end(start)?;
    let end = url_tail(chars, domain_end);
    Some(UrlMatch {
        start,
        domain: (start, domain_end),
        end,
        with_scheme: false,
    })
}

/// `^https?://t\.co/([a-z0-9]+)`: the end of a t.co link and the length of its slug.
fn tco(chars: &[char], start: usize) -> Option<(usize, usize)> {
    let (name, len) = scheme(chars, start)?;
    if !matches!(name, "http" | "https") || !starts_with_ci(chars, start + len, "t.co/") {
        return None;
    }
    let slug = start + len + 5;
    let end = run_end(chars, slug, latin_alnum);
    (end > slug).then_some((end, end - slug))
}

/// twitter-text's `is_valid_domain`: the domain converts to ASCII (libidn's IDNA2003
/// ToASCII) and the URL, counted with the converted domain, is at most 4,096 characters.
fn valid_domain(chars: &[char], url_len: usize, domain: (usize, usize)) -> bool {
    let text: String = chars[domain.0..domain.1].iter().collect();
    let Some(ascii) = idna2003_to_ascii(&text) else {
        return false;
    };
    url_len + ascii.len().saturating_sub(domain.1 - domain.0) <= MAX_URL_LENGTH
}

/// libidn's `idna_to_ascii_8z` without flags (RFC 3490 ToASCII, unassigned code points
/// refused), label by label: an ASCII label is kept as it is; any other is nameprepped
/// (RFC 3491: mapped, NFKC, refused with prohibited characters, mixed directions or
/// code points Unicode 3.2 had not assigned) and, if still not ASCII, must not start
/// with `xn--` and becomes `xn--` and its punycode; every label is 1 to 63 octets.
fn idna2003_to_ascii(domain: &str) -> Option<String> {
    let mut ascii = String::with_capacity(domain.len());
    for (index, label) in domain
        .split(['.', '\u{3002}', '\u{FF0E}', '\u{FF61}'])
        .enumerate()
    {
        if index > 0 {
            ascii.push('.');
        }
        let converted = if label.is_ascii() {
            std::borrow::Cow::Borrowed(label)
        } else {
            // Checked on the input too: nameprep's NFKC is today's, which maps some
            // characters added since Unicode 3.2 onto old ones (ⱽ to V); libidn's,
            // Unicode 3.2's, leaves them to be refused as unassigned.
            if label.chars().any(stringprep::tables::unassigned_code_point) {
                return None;
            }
            let prepared = stringprep::nameprep(label).ok()?;
            if prepared.is_ascii() {
                prepared
            } else {
                if prepared
                    .get(..4)
                    .is_some_and(|prefix| prefix.eq_ignore_ascii_case("xn--"))
                {
                    return None;
                }
                let encoded = idna::punycode::encode_str(&prepared)?;
                std::borrow::Cow::Owned(format!("xn--{encoded}"))
            }
        };
        if converted.is_empty() || converted.len() > MAX_LABEL_LENGTH {
            return None;
        }
        ascii.push_str(&converted);
    }
    Some(ascii)
}

/// Links as `extract_urls_with_indices(text, extract_url_without_protocol: false)`
/// finds them: URLs with a scheme, t.co links cut after their slug.
pub(super) fn links(chars: &[char], found: &mut Vec<Found>) {
    // A link has a scheme, so `://` in its run of non-space characters; a match can
    // neither cross ASCII whitespace nor be influenced by one that came before it. So
    // only the runs with a `://` are scanned — from the space before each, where the
    // full scan would be too — and the scan gives what scanning the whole text would.
    let mut domains = Domains::new(chars);
    let mut from = 0;
    while let Some(offset) = chars[from..].windows(3).position(|w| w == [':', '/', '/']) {
        let separator = from + offset;
        let run_start = chars[from..separator]
            .iter()
            .rposition(ascii_space)
            .map_or(from, |space| from + space);
        let run_end = chars[separator..]
            .iter()
            .position(ascii_space)
            .map_or(chars.len(), |space| separator + space);
        let mut at = run_start;
        while let Some(m) = search(chars, at, run_end, |start| url_at(&mut domains, start)) {
            at = m.end;
            if let Some(link) = link(chars, &m) {
                found.push(link);
            }
        }
        from = run_end;
    }
}

/// What Mastodon's extractor keeps of a `valid_url` match: one with a scheme, a t.co
/// link cut after its slug, a domain that converts to ASCII.
fn link(chars: &[char], m: &UrlMatch) -> Option<Found> {
    if !m.with_scheme {
        return None;
    }
    let mut end = m.end;
    if let Some((tco_end, slug)) = tco(chars, m.start) {
        if slug > MAX_TCO_SLUG_LENGTH {
            return None;
        }
        end = tco_end;
    }
    valid_domain(chars, end - m.start, m.domain).then_some(Found {
        kind: FoundKind::Link,
        start: m.start,
        end,
    })
}

// ---------------------------------------------------------------------------------------
// xmpp: and magnet: URIs

/// `%[0-9a-f]{2}` at `i`.
fn pct_encoded(chars: &[char], i: usize) -> bool {
    at(chars, i) == Some('%')
        && is(chars, i + 1, |c| c.is_ascii_hexdigit())
        && is(chars, i + 2, |c| c.is_ascii_hexdigit())
}

/// A greedy run of `unreserved | pct-encoded | extra` from `i`.
fn uri_run(chars: &[char], mut i: usize, extra: fn(char) -> bool) -> usize {
    loop {
        if is(chars, i, |c| unreserved(c) || extra(c)) {
            i += 1;
        } else if pct_encoded(chars, i) {
            i += 3;
        } else {
            return i;
        }
    }
}

fn node_id_extra(c: char) -> bool {
    matches!(c, '!' | '$' | '(' | ')' | '*' | '+' | ',' | ';' | '=')
}

fn res_id_extra(c: char) -> bool {
    matches!(
        c,
        '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | ';' | '='
    )
}

/// `NODEID+@` at `i`: the index after the `@`.
fn node_at(chars: &[char], i: usize) -> Option<usize> {
    let end = uri_run(chars, i, node_id_extra);
    (end > i && at(chars, end) == Some('@')).then_some(end + 1)
}

/// The xmpp URI after `xmpp:` at `i`, from its optional username on.
fn xmpp_rest(domains: &mut Domains<'_>, i: usize) -> Option<usize> {
    let chars = domains.chars;
    let domain_end = node_at(chars, i)
        .and_then(|after| domains.end(after))
        .or_else(|| domains.end(i))?;
    let mut end = domain_end;
    if at(chars, end) == Some('/') {
        let resource = uri_run(chars, end + 1, res_id_extra);
        if resource > end + 1 {
            end = resource;
        }
    }
    if at(chars, end) == Some('?')
        && let Some(query_end) = query(chars, end)
    {
        end = query_end;
    }
    Some(end)
}

fn extended_uri_at(domains: &mut Domains<'_>, start: usize) -> Option<usize> {
    let chars = domains.chars;
    if starts_with_ci(chars, start, "xmpp:") {
        let i = start + 5;
        // The optional authority `//NODEID+@DOMAIN/`, tried first.
        if chars.get(i..i + 2) == Some(&['/', '/'])
            && let Some(after_node) = node_at(chars, i + 2)
            && let Some(slash) =
                each_domain_end(chars, after_node, |end| at(chars, end) == Some('/'))
            && let Some(end) = xmpp_rest(domains, slash + 1)
        {
            return Some(end);
        }
        return xmpp_rest(domains, i);
    }
    if starts_with_ci(chars, start, "magnet:") && at(chars, start + 7) == Some('?') {
        return query(chars, start + 7);
    }
    None
}

/// `xmpp:` and `magnet:` URIs, as Mastodon's `extract_extra_uris_with_indices` finds them.
pub(super) fn extended_uris(chars: &[char], found: &mut Vec<Found>) {
    if !chars.contains(&':') {
        return;
    }
    let mut domains = Domains::new(chars);
    let mut from = 0;
    while let Some((start, end)) = search(chars, from, chars.len(), |start| {
        extended_uri_at(&mut domains, start).map(|end| (start, end))
    }) {
        from = end;
        found.push(Found {
            kind: FoundKind::Uri,
            start,
            end,
        });
    }
}

// ---------------------------------------------------------------------------------------
// Mentions

/// `[a-z0-9_]` under `/i`, the characters of a username.
fn username_char(c: char) -> bool {
    latin_alnum(c) || c == '_'
}

/// `X+([.-]+X+)*` from `i`, greedy: its end, if it has at least one `X`.
fn dotted(chars: &[char], i: usize, class: fn(char) -> bool) -> Option<usize> {
    let mut end = run_end(chars, i, class);
    if end == i {
        return None;
    }
    loop {
        let separators = run_end(chars, end, |c| c == '.' || c == '-');
        let next = run_end(chars, separators, class);
        if separators == end || next == separators {
            return Some(end);
        }
        end = next;
    }
}

/// Mentions as Mastodon's `extract_mentions_or_lists_with_indices` finds them, with
/// `Account::MENTION_RE`: `(?<![=/[:word:]])@(USERNAME(?:@DOMAIN)?)`.
pub(super) fn mentions(chars: &[char], found: &mut Vec<Found>) {
    if !chars.iter().any(|&c| c == '@' || c == '＠') {
        return;
    }
    let mut p = 0;
    while let Some(next) = chars[p..].iter().position(|&c| c == '@') {
        let at_sign = p + next;
        p = at_sign;
        let preceded_well = p == 0 || !(matches!(chars[p - 1], '=' | '/') || word(chars[p - 1]));
        let username_end = preceded_well
            .then(|| dotted(chars, p + 1, username_char))
            .flatten();
        let Some(username_end) = username_end else {
            p += 1;
            continue;
        };
        let domain_end = (at(chars, username_end) == Some('@'))
            .then(|| dotted(chars, username_end + 1, word))
            .flatten();
        let end = domain_end.unwrap_or(username_end);
        p = end;
        // `end_mention_match`: no mention directly before an at sign, a Latin accent or `://`.
        let rejected = is(chars, end, |c| c == '@' || c == '＠' || latin_accent_raw(c))
            || chars.get(end..end + 3) == Some(&[':', '/', '/']);
        let domain_too_long =
            domain_end.is_some_and(|domain_end| domain_end - username_end - 1 > MAX_DOMAIN_LENGTH);
        if !rejected && !domain_too_long {
            let domain_at = domain_end.map(|_| username_end);
            found.push(Found {
                kind: FoundKind::Mention { domain_at },
                start: at_sign,
                end,
            });
        }
    }
}

// ---------------------------------------------------------------------------------------
// Hashtags

/// `Tag::HASHTAG_NAME_PAT` at `i`: the end of the first way it matches.
fn hashtag_name(chars: &[char], i: usize) -> Option<usize> {
    // FIRST_SEQUENCE, `[W][W S]*[alpha S][W S]*[W]`: it ends at the last word character
    // of the run, given an alphabetic character or separator before that one.
    if is(chars, i, word) {
        let run = run_end(chars, i, |c| word(c) || hashtag_separator(c));
        if let Some(last_word) = (i + 2..run).rev().find(|&k| word(chars[k]))
            && (i + 1..last_word).any(|k| alpha(chars[k]) || hashtag_separator(chars[k]))
        {
            return Some(last_word + 1);
        }
    }
    // LAST_SEQUENCE, `[W]*[alpha][W]*`: a run of word characters with a letter in it.
    let run = run_end(chars, i, word);
    (i..run).any(|k| alpha(chars[k])).then_some(run)
}

/// Hashtags as Mastodon's `extract_hashtags_with_indices` finds them, with
/// `Tag::HASHTAG_RE`: `(?<=^|[[:space:]])[#＃](NAME)`.
pub(super) fn hashtags(chars: &[char], found: &mut Vec<Found>) {
    // Mastodon's `return [] unless text&.index(/[#＃]/)`.
    if !chars.iter().any(|&c| c == '#' || c == '＃') {
        return;
    }
    let mut p = 0;
    while p < chars.len() {
        let starts = matches!(chars[p], '#' | '＃')
            && (line_start(chars, p) || chars[p - 1].is_whitespace());
        let Some(end) = starts.then(|| hashtag_name(chars, p + 1)).flatten() else {
            p += 1;
            continue;
        };
        let mut tag_end = end;
        // A tag run into a URL (`#foohttps://…`) gives back the scheme it swallowed,
        // unless the scheme is all there is.
        if chars.get(end..end + 3) == Some(&[':', '/', '/']) {
            let name = &chars[p + 1..end];
            for scheme in [&['h', 't', 't', 'p', 's'][..], &['h', 't', 't', 'p'][..]] {
                if name.len() > scheme.len() && name.ends_with(scheme) {
                    tag_end = end - scheme.len();
                    break;
                }
            }
        }
        found.push(Found {
            kind: FoundKind::Hashtag,
            start: p,
            end: tag_end,
        });
        p = end;
    }
}

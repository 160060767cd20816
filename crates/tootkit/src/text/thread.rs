//! Cutting a text too long for one status into a thread, the way a careful person
//! would: at a paragraph break unless that leaves a part too short, else at the end
//! of a sentence, else at a line break, else between words, and only inside a word as a
//! last resort — never inside a link, mention, hashtag or grapheme cluster. Every part is measured with
//! [`status_length`], so each one fits the limits it was cut for.

use std::fmt;

use unicode_segmentation::UnicodeSegmentation;

use super::{EntityKind, Limits, entities, status_length};

/// How [`split_thread`] cuts and decorates the parts.
///
/// ```
/// use tootkit::text::{Limits, ThreadOptions};
///
/// let options = ThreadOptions::new(Limits::default())
///     .spoiler_text("long read")
///     .numbering(false)
///     .carry_mentions(true);
/// assert!(!options.is_numbered());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadOptions {
    limits: Limits,
    spoiler_text: String,
    numbering: bool,
    carry_mentions: bool,
    author: String,
    max_parts: usize,
}

/// How many parts a thread may have unless told otherwise: enough for 12,000 characters
/// of prose at Mastodon's limit, few enough that a mistake (a text pasted twice, a wrong
/// file) does not flood the followers' timelines.
pub const DEFAULT_MAX_PARTS: usize = 25;

/// How many parts a refused thread is counted up to, or [`ThreadOptions::max_parts`]
/// when that is more: the 300 statuses Mastodon lets an account post in three hours.
/// Counting stops there so that a text of any size (or one that can only be cut into
/// tiny parts) is refused after a bounded amount of work.
pub const COUNTED_PARTS: usize = 300;

impl ThreadOptions {
    /// Parts cut for `limits`, numbered `1/3`, no content warning, no carried mentions,
    /// at most [`DEFAULT_MAX_PARTS`].
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            spoiler_text: String::new(),
            numbering: true,
            carry_mentions: false,
            author: String::new(),
            max_parts: DEFAULT_MAX_PARTS,
        }
    }

    /// The account that posts the thread, as `user` or `user@domain` (its instance's):
    /// its own mention is not carried into the replies, as Mastodon's reply composer
    /// leaves one's own name out.
    ///
    /// ```
    /// use tootkit::text::{split_thread, Limits, ThreadOptions};
    ///
    /// let text = format!("@bob @alice {}", "word ".repeat(120));
    /// let options = ThreadOptions::new(Limits::default())
    ///     .carry_mentions(true)
    ///     .author("alice@example.social");
    /// let parts = split_thread(&text, &options)?;
    /// assert!(parts[1].starts_with("@bob word"));
    /// # Ok::<(), tootkit::text::SplitError>(())
    /// ```
    pub fn author(mut self, acct: impl Into<String>) -> Self {
        self.author = acct.into();
        self
    }

    /// The most parts the thread may have (at least one); a text that needs more is
    /// refused with [`SplitError::TooManyParts`] rather than posted as a flood.
    pub fn max_parts(mut self, max_parts: usize) -> Self {
        self.max_parts = max_parts.max(1);
        self
    }

    /// The content warning every part will carry: it counts towards each part's length.
    pub fn spoiler_text(mut self, spoiler_text: impl Into<String>) -> Self {
        self.spoiler_text = spoiler_text.into();
        self
    }

    /// Whether parts end with their number, ` 1/3` (on by default).
    pub fn numbering(mut self, numbering: bool) -> Self {
        self.numbering = numbering;
        self
    }

    /// Whether the mentions of the first part start every later part, so that the
    /// people addressed see the whole thread (off by default).
    pub fn carry_mentions(mut self, carry_mentions: bool) -> Self {
        self.carry_mentions = carry_mentions;
        self
    }

    /// Whether parts are numbered.
    pub fn is_numbered(&self) -> bool {
        self.numbering
    }

    /// The limits the parts are cut for.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The content warning every part carries.
    pub fn warning(&self) -> &str {
        &self.spoiler_text
    }
}

/// Why a text could not be cut into a thread.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SplitError {
    /// The content warning alone, repeated on every part, leaves no room for text.
    WarningTooLong {
        /// The warning's length.
        length: usize,
        /// The instance's limit.
        limit: usize,
    },
    /// A piece that cannot be cut (a mention, hashtag or URI) is longer than the room a
    /// part has for it.
    Uncuttable {
        /// The piece, as written.
        piece: String,
        /// The piece's length, as the instance counts it.
        length: usize,
        /// What the part had left for it once its content warning, carried mentions and
        /// number were in: the limit itself when the part has none of them.
        room: usize,
        /// The instance's limit.
        limit: usize,
        /// Whether the parts are numbered (a number is among what every part repeats).
        numbered: bool,
    },
    /// The text needs more parts than [`ThreadOptions::max_parts`] allows.
    TooManyParts {
        /// How many parts it would take: `None` when more than [`COUNTED_PARTS`] (or
        /// than `max_parts`, when that is more), where counting stops.
        parts: Option<usize>,
        /// How many are allowed.
        max: usize,
    },
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WarningTooLong { length, limit } => write!(
                f,
                "the content warning is {length} characters and every part repeats it, leaving too little room for text under the limit of {limit} (a warning may take at most half); shorten the warning"
            ),
            Self::TooManyParts {
                parts: Some(parts),
                max,
            } => write!(
                f,
                "the thread would take {parts} posts, more than the {max} allowed; shorten the text, or allow more parts if that many is meant"
            ),
            Self::TooManyParts { parts: None, max } => write!(
                f,
                "the thread would take more than {} posts, and {max} are allowed; shorten the text",
                counted_for(*max)
            ),
            Self::Uncuttable {
                piece,
                length,
                room,
                limit,
                numbered,
            } => {
                let shown = super::shortened(piece, 40);
                let characters = if *length == 1 {
                    "character"
                } else {
                    "characters"
                };
                if room < limit && length <= limit {
                    let (number, numbering) = if *numbered {
                        (", number", ", or turn the numbering off")
                    } else {
                        ("", "")
                    };
                    write!(
                        f,
                        "\"{shown}\" cannot be cut and counts {length} {characters}, but a part has only {room} of its {limit} left once what every part repeats is in (content warning, carried mentions{number}); shorten it, the content warning or the first part's mentions{numbering}"
                    )
                } else {
                    write!(
                        f,
                        "\"{shown}\" cannot be cut and counts {length} {characters}, more than a part of {limit} holds; shorten it"
                    )
                }
            }
        }
    }
}

impl std::error::Error for SplitError {}

/// How good a place to cut is: the better, the earlier in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Paragraph,
    Sentence,
    /// At a line break inside a paragraph (a hard-wrapped line, a list's item).
    Line,
    /// After a clause's mark where no space follows (`，`, `、`, `；`, `：` in Chinese
    /// and Japanese), before a letter: ranked above a space, which in such text is
    /// most often one around a word in Latin letters.
    Clause,
    /// Between words, at a space.
    Word,
    /// Between words without a space, as in Chinese or Japanese, before a letter.
    WordJoin,
    Grapheme,
}

/// A place to cut: the part before ends at `end`, the next one starts at `next`
/// (the whitespace between them is dropped).
#[derive(Clone, Copy, Debug)]
struct Cut {
    end: usize,
    next: usize,
    level: Level,
}

/// Whether a content warning of `warning_length` leaves a thread's parts room enough
/// under `max_characters`: repeated on every part, a warning taking most of the limit
/// would turn a text into a flood of parts holding a few characters each, so it may
/// take at most half.
///
/// ```
/// use tootkit::text::warning_leaves_room;
///
/// assert!(warning_leaves_room(250, 500));
/// assert!(!warning_leaves_room(251, 500));
/// ```
pub fn warning_leaves_room(warning_length: usize, max_characters: usize) -> bool {
    warning_length.saturating_mul(2) <= max_characters
}

/// Splits `text` into statuses that each fit `options`' limits: one part, as it is
/// (trimmed), when it fits; otherwise a thread. An empty text gives no parts.
///
/// ```
/// use tootkit::text::{split_thread, status_length, Limits, ThreadOptions};
///
/// let limits = Limits { max_characters: 60, ..Limits::default() };
/// let text = "First paragraph, short.\n\nSecond paragraph: a little longer, with a link \
///             https://example.com/a/long/path/that/counts/as/twenty-three and more words.";
/// let parts = split_thread(text, &ThreadOptions::new(limits))?;
/// assert_eq!(parts[0], "First paragraph, short. 1/3");
/// assert!(parts.iter().all(|part| status_length(part, "", limits) <= 60));
/// // Never inside a link: it counts 23 and moves whole to the next part.
/// assert_eq!(parts[1], "Second paragraph: a little longer, with a link 2/3");
/// assert!(parts[2].starts_with("https://example.com/a/long/path/that/counts/as/twenty-three "));
/// # Ok::<(), tootkit::text::SplitError>(())
/// ```
pub fn split_thread(text: &str, options: &ThreadOptions) -> Result<Vec<String>, SplitError> {
    let text = text.trim();
    let limits = options.limits;
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let warning = &options.spoiler_text;
    if super::fits(text, warning, limits) {
        return Ok(vec![text.to_owned()]);
    }
    let warning_length = super::warning_length(warning);
    if !warning_leaves_room(warning_length, limits.max_characters) {
        return Err(SplitError::WarningTooLong {
            length: warning_length,
            limit: limits.max_characters,
        });
    }
    // Parts hold at most the room a warning leaves, and cuts drop only whitespace: a
    // text too long for as many parts as are counted, even so, is refused before
    // anything is cut (cutting a megabyte to learn it would take a minute).
    let counted = counted_for(options.max_parts);
    let spaces = text
        .graphemes(true)
        .filter(|g| g.chars().all(char::is_whitespace))
        .count();
    let room = limits.max_characters.saturating_sub(warning_length) + 1;
    if status_length(text, "", limits).saturating_sub(spaces) / room > counted {
        return Err(SplitError::TooManyParts {
            parts: None,
            max: options.max_parts,
        });
    }
    let found: Vec<Found> = entities(text)
        .iter()
        .map(|entity| (entity.range(), entity.kind()))
        .collect();
    let cuts = cuts(text, &found);
    // Numbering reserves room for `NN/NN` at the width of the part count; when the
    // thread turns out longer than that width allows, cut again with a wider reserve.
    // The count is checked against `max_parts` only once the width has settled, so
    // that a refusal names the count a wider `max_parts` would really take.
    let mut digits = 1;
    loop {
        // A cut that reaches as many parts as the width allows stops there, as does one
        // past the count: the first is cut again wider, the second refused (a wider
        // number would only make more parts).
        let too_wide_at = if options.numbering {
            10usize.saturating_pow(digits as u32)
        } else {
            usize::MAX
        };
        let stop_at = too_wide_at.min(counted.saturating_add(1));
        let Some(pieces) = cut_pieces(text, &cuts, &found, options, digits, stop_at)? else {
            if stop_at == too_wide_at {
                digits += 1;
                continue;
            }
            return Err(SplitError::TooManyParts {
                parts: None,
                max: options.max_parts,
            });
        };
        if pieces.len() >= too_wide_at {
            digits += 1;
            continue;
        }
        if pieces.len() > options.max_parts {
            return Err(SplitError::TooManyParts {
                parts: Some(pieces.len()),
                max: options.max_parts,
            });
        }
        return Ok(decorate(text, &pieces, options));
    }
}

/// How far the parts of a thread allowed `max_parts` are counted before it is refused.
fn counted_for(max_parts: usize) -> usize {
    COUNTED_PARTS.max(max_parts)
}

/// An entity of the whole text: where it is, what it is.
type Found = (std::ops::Range<usize>, EntityKind);

// `found` is as `entities` gives it, sorted and without overlaps: looked up by binary
// search, so that a text dense with entities is cut in time that grows with its size,
// not with its square.

/// The entity of `found` that starts at `start`.
fn starting_at(found: &[Found], start: usize) -> Option<&Found> {
    let at = found.partition_point(|(range, _)| range.start < start);
    found.get(at).filter(|(range, _)| range.start == start)
}

/// Whether `entity` is one of `found`.
fn is_found(found: &[Found], entity: &Found) -> bool {
    starting_at(found, entity.0.start) == Some(entity)
}

/// The places `text` may be cut, in order.
fn cuts(text: &str, found: &[Found]) -> Vec<Cut> {
    // Whether `at` falls inside an entity: only the last one starting before it can
    // hold it.
    let splits_entity = |at: usize| {
        found[..found.partition_point(|(range, _)| range.start < at)]
            .last()
            .is_some_and(|(range, _)| at < range.end)
    };
    let sentence_ends = sentence_ends(text);
    let word_starts: Vec<usize> = text.split_word_bound_indices().map(|(at, _)| at).collect();

    let mut cuts = Vec::new();
    let mut whitespace_start: Option<usize> = None;
    let mut previous: Option<&str> = None;
    // The line last found blank or not, as (start, end, blank): every no-break space
    // of a line asks, and the line is read once.
    let mut line_known: Option<(usize, usize, bool)> = None;
    for (at, grapheme) in text.grapheme_indices(true) {
        // A no-break space binds what it stands between (`130 km`, `« oui »`), unless
        // it stands alone on a line (a blank line that an editor filled).
        let space = grapheme.chars().all(char::is_whitespace)
            && (!grapheme.contains(NO_BREAK) || {
                let known = line_known.filter(|&(start, end, _)| start <= at && at < end);
                let (start, end, blank) = known.unwrap_or_else(|| line_at(text, at));
                line_known = Some((start, end, blank));
                blank
            });
        match (space, whitespace_start) {
            (true, None) => whitespace_start = Some(at),
            (false, Some(start)) => {
                whitespace_start = None;
                let run = &text[start..at];
                let level = if run.matches('\n').count() >= 2 {
                    Level::Paragraph
                } else if sentence_ends.binary_search(&at).is_ok() {
                    Level::Sentence
                } else if run.contains('\n') {
                    Level::Line
                } else if clings_back(&text[at..]) || text[..start].ends_with(CLINGS_ON) {
                    // A space a careful writer would not break at either (`partis
                    // tôt ; la route`, `10 %`, `« oui »`): a cut there only when no other
                    // fits.
                    Level::Grapheme
                } else {
                    Level::Word
                };
                // Nor beside a no-break space, which binds the word it touches.
                let bound = text[..start].ends_with(NO_BREAK) || text[at..].starts_with(NO_BREAK);
                if !splits_entity(start) && !splits_entity(at) && !bound {
                    cuts.push(Cut {
                        end: start,
                        next: at,
                        level,
                    });
                }
            }
            (false, None) => {
                let no_break = |g: &str| g.contains(NO_BREAK);
                if let Some(before) = previous
                    && !before.trim_end_matches('\u{200D}').ends_with(VIRAMAS)
                    && !no_break(before)
                    && !no_break(grapheme)
                    && !splits_entity(at)
                {
                    let before_a_letter = word_starts.binary_search(&at).is_ok()
                        && grapheme.starts_with(char::is_alphanumeric);
                    let level = if sentence_ends.binary_search(&at).is_ok() {
                        Level::Sentence
                    } else if before_a_letter && before.ends_with(CLAUSE_MARKS) {
                        Level::Clause
                    } else if before_a_letter {
                        Level::WordJoin
                    } else {
                        Level::Grapheme
                    };
                    cuts.push(Cut {
                        end: at,
                        next: at,
                        level,
                    });
                }
            }
            _ => {}
        }
        previous = Some(grapheme).filter(|_| !space);
    }
    cuts
}

/// The marks that end a clause in writing without spaces: commas (full-width and
/// ideographic), semicolon, colon.
const CLAUSE_MARKS: &[char] = &['，', '、', '；', '：'];

/// Marks that belong to the word before them even after a space, as French and other
/// languages set them (`tôt ; la`, `oui !`, `« oui »`, `10 %`): a part should not start
/// with one.
const CLINGS_BACK: &[char] = &[
    ';', ':', '!', '?', '»', '›', ')', ']', '}', '”', '’', '%', '‰', '…', '‼', '⁉', '؟', '€',
];

/// Marks that belong to the word after them even before a space (`« oui »`, `( see )`,
/// `¿ qué ?`): a part should not end with one.
const CLINGS_ON: &[char] = &['«', '‹', '(', '[', '{', '“', '„', '¿', '¡'];

/// The line holding byte `at`, as its start and end (the line break excluded), and
/// whether it holds only whitespace.
fn line_at(text: &str, at: usize) -> (usize, usize, bool) {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    (
        start,
        end,
        text[start..end].chars().all(char::is_whitespace),
    )
}

/// Whether `rest` starts with a mark that belongs to the word before it: a mark of
/// [`CLINGS_BACK`] standing alone (`; la`, `!`), not one opening a word (`:blobcat:`).
fn clings_back(rest: &str) -> bool {
    let mut chars = rest.chars();
    chars.next().is_some_and(|c| CLINGS_BACK.contains(&c))
        && chars
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
}

/// Spaces that do not break a line: U+00A0, U+2007 (figure) and U+202F (narrow, as
/// French sets before `!` and `?`).
const NO_BREAK: &[char] = &['\u{A0}', '\u{2007}', '\u{202F}'];

/// Where sentences end, as a careful person would cut: Unicode's sentence boundaries
/// (UAX #29), less those that are not. A line break alone ends no sentence (the text is
/// read as flowed, a break counting as a space); a number or an abbreviation before
/// its full stop (`4.` in a list, `Dr.`, `e.g.`) ends none; and what closes a sentence
/// without letters or digits (`Done! 🎉 Next…`) stays with it.
fn sentence_ends(text: &str) -> Vec<usize> {
    // Line breaks as spaces: every byte stays where it was.
    let flowed = text.replace(['\n', '\r'], " ");
    let mut ends = Vec::new();
    for (start, sentence) in flowed.split_sentence_bound_indices() {
        let mut end = start + sentence.len();
        let closing = sentence.trim_end();
        let last_word = closing
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or_default();
        // From the text before it, which may be an earlier sentence (`R. R. Martin`);
        // looked for only when asked, as text without spaces has none near.
        let previous_word = || {
            flowed[..start + closing.len() - last_word.len()]
                .trim_end()
                .rsplit(char::is_whitespace)
                .next()
                .unwrap_or_default()
        };
        // The word after the boundary (`R.` after `by J.`), up to the next space; looked
        // at only a few bytes far, as an initial is short and text without spaces has
        // one long "word".
        // The window is cut before the spaces are skipped: a run of thousands of
        // separators (U+2029 ends a sentence at each) is not read at every end.
        let window = &flowed[end..ahead(&flowed, end, 32)];
        let next_word = {
            let near = window.trim_start();
            let word = near.split(char::is_whitespace).next().unwrap_or_default();
            // Only a word seen whole: one running past the window is no initial.
            if word.len() < near.len() || end + window.len() == flowed.len() {
                word
            } else {
                ""
            }
        };
        if is_abbreviation(last_word, previous_word, next_word, closing == last_word) {
            continue;
        }
        // `"Why?" and the room…`, `« Arrête ! » puis…`: a quoted question or exclamation
        // that a lowercase word goes on from is inside its sentence (Unicode ends one
        // at every `?` and `!`). Unquoted, `wow! i loved it` is two, as lowercase
        // writers mean it. (A closing mark after a space, `! »`, is the next
        // "sentence"'s first.)
        let closers = |c: char| c.is_whitespace() || QUOTATION_CLOSERS.contains(&c);
        let marks = closing.trim_end_matches(closers);
        let quoted = closing[marks.len()..].contains(QUOTATION_CLOSERS)
            || window.trim_start().starts_with(QUOTATION_CLOSERS);
        let exclaimed = marks.ends_with(['?', '!', '‼', '⁇', '⁈', '⁉', '？', '！']);
        if exclaimed
            && quoted
            && window
                .trim_start_matches(closers)
                .starts_with(char::is_lowercase)
        {
            continue;
        }
        // `🎉🥳 ` after the boundary: the sentence's, up to the next space, unless a
        // line break comes first (then it is the next line's bullet: `✅ Fixed…`).
        // Looked at only until a letter or digit shows it is a word (text without
        // spaces has one long "word").
        let rest = &text[end..];
        let gap = &text[start + closing.len()..end];
        let symbols = rest
            .char_indices()
            .find(|&(_, c)| c.is_whitespace() || c.is_alphanumeric() || BULLETS.contains(&c))
            .filter(|&(at, c)| at > 0 && c.is_whitespace() && !gap.contains(['\n', '\r']))
            .map(|(at, _)| at);
        if let Some(symbols) = symbols {
            let after = &rest[symbols..];
            end += symbols + (after.len() - after.trim_start().len());
        }
        ends.push(end);
    }
    ends.dedup();
    ends
}

/// Marks that close a quotation or an aside, which a sentence's end may stand before.
const QUOTATION_CLOSERS: &[char] = &['"', '\'', '”', '’', '»', '›', ')', ']', '}'];

/// Marks that open what follows rather than close what came before: a bullet, a dash,
/// an arrow.
const BULLETS: &[char] = &['•', '·', '▪', '‣', '◦', '►', '→', '-', '–', '—', '*', '>'];

/// A word whose full stop is no sentence's end (brackets and quotes before it aside): a
/// short number (a list's `4.`, an ordinal's `3. Oktober`; a longer one only as a
/// sentence of its own, `alone`, so that `in 2024.` ends one), an initial after a name
/// or before another initial (`George R.`, `by J. R. R.`, not `plan B.`), letters with
/// stops inside (`e.g.`, `U.S.`), or a title or abbreviation that comes before what it
/// names (`Dr.`, `vs.`, French `M.`, German `bzw.`). Which words those are is a guess;
/// elsewhere Unicode's boundaries stand.
fn is_abbreviation<'a>(
    word: &str,
    previous_word: impl Fn() -> &'a str,
    next_word: &str,
    alone: bool,
) -> bool {
    const BEFORE_A_NAME: &[&str] = &[
        "Mr", "Mrs", "Ms", "Messrs", "Dr", "Prof", "Sr", "Jr", "St", "Mt", "Gen", "Col", "Maj",
        "Lt", "Sgt", "Cpl", "Capt", "Cmdr", "Adm", "Rev", "Hon", "Fig", "Vol", "vs", "cf",
        "approx", "ca", // English and Latin
        "M", "MM", "Mme", "Mmes", "Mlle", "Mgr", "Pr", // French
        "Hr", "Fr", "Bd", "bzw", "vgl", "ggf", "evtl", "inkl", "zzgl", "z", "v", // German
    ];
    // Titles that are names too (`Amartya Sen.`, `the Dominican Rep.`): only where the
    // word before is no name (`said Sen. Warren`, or a sentence's end before it).
    const BEFORE_A_NAME_UNLESS_NAMED: &[&str] =
        &["Sen", "Sens", "Rep", "Reps", "Gov", "Pres", "Supt", "Ald"];
    // Before a number only: `No. 5`, but `Did it work? No. It failed.` (A month before
    // its day, `Sept. 12`, Unicode's rules already keep whole: a full stop before a
    // digit ends nothing.)
    const BEFORE_A_NUMBER: &[&str] = &["No", "Nos", "Nr"];
    let word = word.trim_start_matches(|c: char| !c.is_alphanumeric());
    let Some(stem) = word.strip_suffix('.') else {
        return false;
    };
    let digits = stem.len();
    let number = stem.chars().all(|c| c.is_ascii_digit())
        && (matches!(digits, 1 | 2) || (digits == 3 && alone));
    let named = |word: &str| {
        word.trim_start_matches(|c: char| !c.is_alphanumeric())
            .starts_with(char::is_uppercase)
    };
    let is_initial = |stem: &str| {
        stem.chars().count() == 1
            && stem.chars().all(char::is_uppercase)
            && !matches!(stem, "I" | "A")
    };
    // A letter after another letter's stop: an abbreviation written with a space
    // (`z. B.`, `u. a.`), or an initial after a name (`George R.`).
    let letter = stem.chars().count() == 1 && stem.chars().all(char::is_alphabetic);
    let initial = letter
        && (next_word.strip_suffix('.').is_some_and(is_initial) || {
            let previous = previous_word();
            (is_initial(stem) && named(previous))
                || previous
                    .strip_suffix('.')
                    .is_some_and(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
        });
    let dotted = stem.contains('.')
        && stem.split('.').all(|piece| {
            (1..=2).contains(&piece.chars().count()) && piece.chars().all(char::is_alphabetic)
        });
    let titled = || {
        BEFORE_A_NAME_UNLESS_NAMED.contains(&stem) && {
            let previous = previous_word();
            !named(previous) || previous.ends_with(['.', '!', '?', ':'])
        }
    };
    number
        || initial
        || dotted
        || BEFORE_A_NAME.contains(&stem)
        || titled()
        || (BEFORE_A_NUMBER.contains(&stem) && next_word.starts_with(|c: char| c.is_ascii_digit()))
}

/// The viramas that join consonants into one conjunct (Unicode 15.1's
/// `Indic_Conjunct_Break=Linker`): Mastodon counts a conjunct's consonants apart, as
/// Unicode 15.0 cut clusters, but a cut there would break the letter a reader sees.
const VIRAMAS: &[char] = &[
    '\u{094D}', '\u{09CD}', '\u{0ACD}', '\u{0B4D}', '\u{0C4D}', '\u{0D4D}',
];

/// What decorates part `index` (0-based): the carried mentions before it, its number
/// after it. While cutting, the count is not known yet, so `count` is `None` and the
/// count takes the most room `digits` allow; the part's own number is known, and
/// reserving its real width keeps early parts from losing room to a long thread.
fn decorations(
    options: &ThreadOptions,
    carried: &str,
    index: usize,
    count: Option<usize>,
    digits: usize,
) -> (String, String) {
    let prefix = if index > 0 && !carried.is_empty() {
        format!("{carried} ")
    } else {
        String::new()
    };
    let suffix = match (options.numbering, count) {
        (false, _) => String::new(),
        (true, Some(count)) => format!(" {}/{count}", index + 1),
        (true, None) => format!(" {}/{}", index + 1, "9".repeat(digits)),
    };
    (prefix, suffix)
}

fn measure(piece: &str, prefix: &str, suffix: &str, options: &ThreadOptions) -> usize {
    status_length(
        &format!("{prefix}{piece}{suffix}"),
        &options.spoiler_text,
        options.limits,
    )
}

/// The carried mentions a part still needs before it: those it does not open with
/// already (a paragraph that starts `@bob …` is not made to start `@bob @bob …`).
fn carried_into(carried: &str, part: &str) -> String {
    if carried.is_empty() {
        return String::new();
    }
    // Its opening mentions, looked for in what a few mentions could take.
    let opening = &part[..ahead(part, 0, ENTITY_REACH)];
    let mut leading: Vec<&str> = Vec::new();
    let mut at = 0;
    for entity in entities(opening) {
        let range = entity.range();
        if entity.kind() != EntityKind::Mention || !opening[at..range.start].trim().is_empty() {
            break;
        }
        leading.push(entity.as_str());
        at = range.end;
    }
    carried
        .split(' ')
        .filter(|mention| !leading.iter().any(|led| led.eq_ignore_ascii_case(mention)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The mentions of the first part, once each and the `author`'s left out, as they
/// should open every later part.
fn carried_mentions(first: &str, author: &str) -> String {
    let (user, domain) = author.split_once('@').unwrap_or((author, ""));
    let own = |mention: &str| {
        let mention = mention.trim_start_matches('@');
        let (their_user, their_domain) = mention.split_once('@').unwrap_or((mention, ""));
        !user.is_empty()
            && their_user.eq_ignore_ascii_case(user)
            && (their_domain.is_empty() || their_domain.eq_ignore_ascii_case(domain))
    };
    let mut seen: Vec<&str> = Vec::new();
    for entity in entities(first) {
        if entity.kind() == EntityKind::Mention
            && !own(entity.as_str())
            && !seen.iter().any(|s| s.eq_ignore_ascii_case(entity.as_str()))
        {
            seen.push(entity.as_str());
        }
    }
    seen.join(" ")
}

/// A part of a thread: a byte range of its text, and the first part's mentions carried
/// before it (when asked to, those it does not open with already).
struct Piece {
    start: usize,
    end: usize,
    carried: String,
}

/// Cuts `text` into pieces, each fitting with the widest decorations. `None` once it
/// has cut `stop_at` pieces with text left over.
fn cut_pieces(
    text: &str,
    cuts: &[Cut],
    found: &[Found],
    options: &ThreadOptions,
    digits: usize,
    stop_at: usize,
) -> Result<Option<Vec<Piece>>, SplitError> {
    let max = options.limits.max_characters;
    let mut pieces: Vec<Piece> = Vec::new();
    let mut carried = String::new();
    let mut start = 0;
    // A piece that would end among the mentions it opens with, leaving some out, is cut
    // again with all the carried ones before it.
    let mut carried_whole_at = None;
    loop {
        let index = pieces.len();
        if index >= stop_at {
            return Ok(None);
        }
        let needed = if carried_whole_at == Some(index) {
            carried.clone()
        } else {
            carried_into(&carried, &text[start..])
        };
        let (prefix, suffix) = decorations(options, &needed, index, None, digits);
        let length = |end: usize| measure(&text[start..end], &prefix, &suffix, options);
        let fits = |end: usize| length(end) <= max;
        let open = cuts.partition_point(|cut| cut.end <= start);
        let candidates = &cuts[open..];
        // Gallop to the first cut that does not fit, so that measuring costs the size of
        // a part, not of the rest of the text.
        let mut known_to_fit = 0;
        let mut step = 1;
        let too_far = loop {
            let probe = known_to_fit + step - 1;
            if probe >= candidates.len() {
                break candidates.len();
            }
            if !fits(candidates[probe].end) {
                break probe + 1;
            }
            known_to_fit = probe + 1;
            step *= 2;
        };
        if too_far == candidates.len() && fits(text.len()) {
            pieces.push(Piece {
                start,
                end: text.len(),
                carried: needed,
            });
            return Ok(Some(pieces));
        }
        // Lengths grow with the cut's position (links aside): a binary search between
        // the last cut known to fit and the first known not to finds the furthest that
        // fits; the walk back covers the rare place where lengths do not grow.
        let mut furthest =
            known_to_fit + candidates[known_to_fit..too_far].partition_point(|cut| fits(cut.end));
        while furthest > 0 && !fits(candidates[furthest - 1].end) {
            furthest -= 1;
        }
        let keeps = |cut: &Cut| keeps_entities(text, start, cut, found);
        // The next part's first word: up to the next space, looked for no further than
        // a part could reach.
        let next_word_fits = |cut: &Cut| {
            let reach = ahead(text, cut.next, max.saturating_mul(MAX_GRAPHEME_BYTES));
            let after = candidates.partition_point(|c| c.end <= cut.next);
            let end = candidates[after..]
                .iter()
                .take_while(|c| c.end <= reach)
                .find(|c| c.level <= Level::Word)
                .map_or(reach, |c| c.end);
            measure(&text[cut.next..end], &prefix, &suffix, options) <= max
        };
        let Some(cut) = choose(&candidates[..furthest], length, keeps, next_word_fits, max) else {
            // Nothing fits: the piece up to the first place it may be cut is too long.
            let first = candidates.first().map_or(text.len(), |cut| cut.end);
            let end = if fits(first) {
                // Something fits, but a part ending there would make or break a link,
                // mention or hashtag: the piece runs to the first space that may end
                // a part, looked for within an entity's reach.
                let beyond = candidates.get(furthest).map_or(text.len(), |cut| cut.end);
                let reach = ahead(text, beyond, ENTITY_REACH);
                candidates[furthest..]
                    .iter()
                    .take_while(|cut| cut.end <= reach)
                    .find(|cut| cut.level <= Level::WordJoin && keeps(cut))
                    .map_or(reach, |cut| cut.end)
            } else {
                first
            };
            return Err(uncuttable(&text[start..end], length(end), options));
        };
        if needed != carried && carried_into(&carried, &text[start..cut.end]) != needed {
            carried_whole_at = Some(index);
            continue;
        }
        pieces.push(Piece {
            start,
            end: cut.end,
            carried: needed,
        });
        if index == 0 && options.carry_mentions {
            carried = carried_mentions(&text[start..cut.end], &options.author);
        }
        start = cut.next;
    }
}

/// The best cut among `candidates` (all after the part's start, in order, the last
/// known to fit): the furthest at the best level that fits and fills enough of a part —
/// a quarter for a paragraph, half for a sentence, a line break, a space or a word
/// boundary without a space, a clause's mark without one —, else the furthest line break
/// or space however short the part if the word after it fits the next part whole
/// (`next_word_fits`), else the last. Each choice is measured: a longer piece can
/// count less than a shorter one (a remote mention's domain that grows is free), so
/// that the last fits says nothing of the ones before it.
fn choose(
    candidates: &[Cut],
    length: impl Fn(usize) -> usize,
    keeps_entities: impl Fn(&Cut) -> bool,
    next_word_fits: impl Fn(&Cut) -> bool,
    max: usize,
) -> Option<Cut> {
    use std::cell::Cell;
    // Each candidate is measured and checked at most once, whatever the levels tried.
    let measured: Vec<Cell<Option<usize>>> = vec![Cell::new(None); candidates.len()];
    let kept: Vec<Cell<Option<bool>>> = vec![Cell::new(None); candidates.len()];
    let length_at = |i: usize| {
        let known = measured[i].get();
        known.unwrap_or_else(|| {
            let length = length(candidates[i].end);
            measured[i].set(Some(length));
            length
        })
    };
    let usable = |i: usize| {
        length_at(i) <= max && {
            let known = kept[i].get();
            known.unwrap_or_else(|| {
                let keeps = keeps_entities(&candidates[i]);
                kept[i].set(Some(keeps));
                keeps
            })
        }
    };
    let best = furthest_usable(candidates.len(), usable)?;
    let furthest_fitting = |level: Level| {
        (0..=best)
            .rev()
            .filter(|&i| candidates[i].level <= level)
            .find(|&i| usable(i))
            .map(|i| (candidates[i], length_at(i)))
    };
    // Each kind of place, best first, if the part it ends fills enough: a space before
    // a word boundary without one (frequent in Chinese and Japanese, rare elsewhere,
    // and then inside something such as `km/h`), each if it fills half a part.
    let levels = [
        (Level::Paragraph, 4),
        (Level::Sentence, 2),
        (Level::Line, 2),
        (Level::Clause, 2),
        (Level::Word, 2),
        (Level::WordJoin, 2),
    ];
    for (level, fill) in levels {
        if let Some((cut, measured)) = furthest_fitting(level)
            && measured.saturating_mul(fill) >= max
        {
            return Some(cut);
        }
    }
    // However short the part, a space before a word that would fit the next part
    // whole, rather than a cut inside it; a word longer than a part is cut anyway, so
    // the part before it is filled.
    if let Some((cut, _)) = furthest_fitting(Level::Word)
        && next_word_fits(&cut)
    {
        return Some(cut);
    }
    Some(candidates[best])
}

/// The furthest of `count` candidates that is `usable`, most often the last. Where the
/// last ones are not (every longer prefix of a long word would be a link), the search
/// gallops back and then halves the gap, as usable candidates mostly come before
/// unusable ones; whatever it finds was checked, and only when galloping finds none
/// does it try the candidates it stepped over, one by one.
fn furthest_usable(count: usize, usable: impl Fn(usize) -> bool) -> Option<usize> {
    let last = count.checked_sub(1)?;
    if usable(last) {
        return Some(last);
    }
    let (mut unusable, mut step) = (last, 1);
    let found = loop {
        let Some(at) = unusable.checked_sub(step) else {
            return (0..last).rev().find(|&i| usable(i));
        };
        if usable(at) {
            break at;
        }
        unusable = at;
        step *= 2;
    };
    let (mut low, mut high) = (found, unusable);
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if usable(middle) {
            low = middle;
        } else {
            high = middle;
        }
    }
    Some(low)
}

/// The place at most `bytes` after `from` in `text`, stepped back to a character's start.
fn ahead(text: &str, from: usize, bytes: usize) -> usize {
    let mut to = from.saturating_add(bytes).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    to
}

/// Bytes a character that counts one may take, as far as looking ahead goes: a long
/// grapheme cluster takes more, and is then looked at no further.
const MAX_GRAPHEME_BYTES: usize = 16;

/// How far after a cut an entity it could make may reach: a link is at most 4,096
/// characters, mentions and hashtags far less.
const ENTITY_REACH: usize = 4_200;

/// Whether the part `text[start..cut.end]` links, mentions and tags exactly what the
/// whole text does there, and the next part's first word would too. A cut at ASCII
/// whitespace keeps both sides' context; a cut inside a word may not: `aaaa@alice` is no
/// mention, but a part that starts with `@alice` would notify her, and a cut in
/// `https://example.comx` would make a link of `https://example.com`. Nor may a cut at
/// other whitespace: a link's query may hold U+3000 and U+2000–U+200A, so a link-shaped
/// run without a scheme (no link) can swallow one written after such a space, which a
/// part starting there would link. The next part is checked whole once it is cut;
/// looking at its first word now steers clear of a cut that would leave it none.
fn keeps_entities(text: &str, start: usize, cut: &Cut, found: &[Found]) -> bool {
    let apart = |gap: &str| !gap.is_empty() && gap.bytes().all(|b| b.is_ascii_whitespace());
    let context_before = start == 0 || text[..start].ends_with(|c: char| c.is_ascii_whitespace());
    let context_after = apart(&text[cut.end..cut.next]);
    if context_before && context_after {
        return true;
    }
    let may_hold_one = |side: &str| side.contains(['@', '\u{FF20}', '#', '\u{FF03}', ':']);
    let known = |offset: usize, side: &str| {
        entities(side).iter().all(|entity| {
            let range = entity.range();
            is_found(
                found,
                &(range.start + offset..range.end + offset, entity.kind()),
            )
        })
    };
    let part = &text[start..cut.end];
    if may_hold_one(part) && !known(start, part) {
        return false;
    }
    if context_after {
        return true;
    }
    let reach = ahead(text, cut.next, ENTITY_REACH);
    let after = &text[cut.next..reach];
    let first_word = &after[..after
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(after.len())];
    if !may_hold_one(first_word) {
        return true;
    }
    // An entity the look-ahead window cuts short at its end (`#ta` of `#tag`) is the
    // text's if one of its kind starts there; where it ends, the window cannot tell.
    let cut_short = |end: usize| reach < text.len() && end == reach;
    entities(first_word).iter().all(|entity| {
        let range = entity.range();
        let placed = range.start + cut.next..range.end + cut.next;
        if cut_short(placed.end) {
            starting_at(found, placed.start).is_some_and(|(_, kind)| *kind == entity.kind())
        } else {
            is_found(found, &(placed, entity.kind()))
        }
    })
}

/// The error for `piece`, which measures `decorated` with its part's decorations.
fn uncuttable(piece: &str, decorated: usize, options: &ThreadOptions) -> SplitError {
    let limits = options.limits;
    let length = status_length(piece, "", limits);
    let decorations = decorated.saturating_sub(length);
    SplitError::Uncuttable {
        piece: piece.to_owned(),
        length,
        room: limits.max_characters.saturating_sub(decorations),
        limit: limits.max_characters,
        numbered: options.numbering,
    }
}

fn decorate(text: &str, pieces: &[Piece], options: &ThreadOptions) -> Vec<String> {
    let count = (pieces.len() > 1).then_some(pieces.len());
    pieces
        .iter()
        .enumerate()
        .map(|(index, piece)| {
            let (prefix, suffix) = match count {
                Some(count) => decorations(options, &piece.carried, index, Some(count), 0),
                None => (String::new(), String::new()),
            };
            format!("{prefix}{}{suffix}", &text[piece.start..piece.end])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_characters: usize) -> Limits {
        Limits {
            max_characters,
            ..Limits::default()
        }
    }

    #[test]
    fn a_text_that_fits_is_one_unnumbered_part() {
        let parts = split_thread("  howdy universe!\n", &ThreadOptions::new(limits(500))).unwrap();
        assert_eq!(parts, ["howdy universe!"]);
        assert!(
            split_thread(" \n ", &ThreadOptions::new(limits(500)))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn paragraphs_win_over_sentences_when_they_fill_half_a_part() {
        let text = format!(
            "{}.\n\n{}. {}.",
            "a".repeat(30),
            "b".repeat(20),
            "c".repeat(20)
        );
        let parts = split_thread(&text, &ThreadOptions::new(limits(50))).unwrap();
        assert_eq!(parts[0], format!("{}. 1/2", "a".repeat(30)));
        assert_eq!(
            parts[1],
            format!("{}. {}. 2/2", "b".repeat(20), "c".repeat(20))
        );
    }

    #[test]
    fn a_cut_inside_a_word_makes_no_mention_hashtag_or_link_the_text_did_not_have() {
        let entities_of = |text: &str| -> Vec<(EntityKind, String)> {
            entities(text)
                .iter()
                .map(|entity| (entity.kind(), entity.as_str().to_owned()))
                .collect()
        };
        for tail in [
            "@alice and then some more words here.",
            "#tag and then some more words here.",
            "https://example.com and some more words.",
            "＠alice and then some more words here.",
        ] {
            let text = format!("{}{tail}", "a".repeat(496));
            assert!(entities_of(&text).is_empty(), "{tail}");
            let parts = split_thread(&text, &ThreadOptions::new(Limits::default())).unwrap();
            assert!(parts.len() >= 2, "{tail}");
            for part in &parts {
                assert_eq!(entities_of(part), [], "{tail}: {part}");
            }
        }
        // A link can also appear between two cuts in one long word, and every cut must
        // be judged by the part it ends, not by the word it falls in.
        for text in [
            format!(
                "{}https://example.com/{}",
                "a".repeat(495),
                "b".repeat(5000)
            ),
            format!("https://example.com/{}", "b".repeat(5000)),
            format!(
                "{}https://example.com/{} end",
                "word ".repeat(120),
                "p".repeat(4100)
            ),
        ] {
            assert!(
                entities_of(&text).is_empty(),
                "over 4,096 characters: no link"
            );
            let parts = split_thread(&text, &ThreadOptions::new(Limits::default()))
                .unwrap_or_else(|err| panic!("{err}"));
            for part in &parts {
                assert_eq!(entities_of(part), [], "{part}");
            }
        }
        // A link's query may hold an ideographic space: a link-shaped run without a
        // scheme (no link) swallows the link written after one, which a part starting
        // there would make.
        for space in ['\u{3000}', '\u{2002}'] {
            let text = format!(
                "intro words. example.com/?q=1{space}https://example.org/{} end",
                "y".repeat(480)
            );
            assert!(entities_of(&text).is_empty());
            let parts = split_thread(&text, &ThreadOptions::new(Limits::default()))
                .unwrap_or_else(|err| panic!("{err}"));
            for part in &parts {
                assert_eq!(entities_of(part), [], "{part}");
            }
        }
        // Also when the word after the cut runs on past what the look-ahead sees.
        let text = format!(
            "intro words. aa.com/?q=1\u{3000}https://x.example.com/{} end",
            "é".repeat(2_500)
        );
        assert!(entities_of(&text).is_empty());
        let parts = split_thread(&text, &ThreadOptions::new(Limits::default()))
            .unwrap_or_else(|err| panic!("{err}"));
        for part in &parts {
            assert_eq!(entities_of(part), [], "{part}");
        }
        // Where the text has one, it is kept whole, as ever.
        let text = format!("{} @alice {}", "a".repeat(490), "b".repeat(30));
        let parts = split_thread(&text, &ThreadOptions::new(Limits::default())).unwrap();
        assert!(
            parts
                .iter()
                .any(|part| entities_of(part) == [(EntityKind::Mention, "@alice".to_owned())]),
            "{parts:?}"
        );
    }

    #[test]
    fn a_no_break_space_holds_its_words_together() {
        let text = format!("{} plus vite 130\u{A0}km/h, selon eux", "mot ".repeat(8));
        let options = ThreadOptions::new(limits(50)).numbering(false);
        let parts = split_thread(&text, &options).unwrap();
        assert!(
            parts.iter().any(|part| part.contains("130\u{A0}km/h")),
            "{parts:?}"
        );
        // Nor is a run of words bound by them cut beside one, while a letter will do,
        // nor a space beside one.
        for bound in [
            format!("{}fin.", "mot\u{A0}".repeat(30)),
            format!("{}il a dit \u{A0}{} fin.", "mot ".repeat(8), "b".repeat(30)),
            format!("{}il a dit\u{A0} {} fin.", "mot ".repeat(8), "b".repeat(30)),
        ] {
            let parts = split_thread(&bound, &options).unwrap();
            assert!(
                parts
                    .iter()
                    .all(|part| !part.starts_with('\u{A0}') && !part.ends_with('\u{A0}')),
                "{parts:?}"
            );
        }
    }

    #[test]
    fn a_full_stop_after_a_number_or_title_ends_no_sentence() {
        // The real sentence end comes first; the stops after `Dr` and the list's `2` are
        // no cuts.
        let text = "We met at noon with the team of five. Then came Dr. Okafor and said: 2. Edit the file now.";
        let parts = split_thread(text, &ThreadOptions::new(limits(60)).numbering(false)).unwrap();
        assert_eq!(
            parts[0], "We met at noon with the team of five.",
            "{parts:?}"
        );
        let ends = |text: &str| sentence_ends(text).len();
        assert_eq!(ends("I saw Dr. Okafor."), 1);
        assert_eq!(ends("I saw (Dr. Okafor) and “Dr. Who”."), 1);
        assert_eq!(ends("Steps: 1. Open it. 2. Close it."), 2);
        assert_eq!(ends("Steps:\n1. Open it.\n2. Close it."), 2);
        assert_eq!(ends("See e.g. this. Or (e.g. that) too."), 2);
        assert_eq!(
            ends("Essays of George R. R. Martin and Ursula K. Le Guin."),
            1
        );
        assert_eq!(ends("Es ist am 3. Oktober. Dann nicht."), 2);
        // Initials after a word in lower case, a French title, German abbreviations.
        assert_eq!(
            ends("It was written by J. R. R. Tolkien in the thirties."),
            1
        );
        assert_eq!(ends("Nous avons rencontré M. Dupont hier."), 1);
        assert_eq!(
            ends("Um 8 bzw. 9 Uhr kamen z. B. Äpfel, 50 v. Chr. war es so."),
            1
        );
        assert_eq!(ends("See No. 5 and Nr. 7 here."), 1);
        // Not before what they name: an answer, the end of a list, an era.
        assert_eq!(ends("Did it work? No. It failed."), 3);
        // Separators that each end a sentence, many in a row, are not read again at
        // each end (which took minutes for this text); the last sentence, `b`, ends
        // the text.
        let separators = format!("a{}b", "\u{2029}".repeat(200_000));
        assert_eq!(sentence_ends(&separators).last(), Some(&separators.len()));
        assert_eq!(
            ends("Äpfel, Birnen usw. Dann kam 44 v. Chr. Danach nichts."),
            3
        );
        // Words of their own: a year, a letter, `I`.
        assert_eq!(ends("It began in 2024. Then it grew."), 2);
        assert_eq!(ends("It reached\n250. After that it fell."), 2);
        assert_eq!(ends("We tried plan B. Then we left."), 2);
        assert_eq!(ends("So did I. Then we left."), 2);
        // Titles before a name (found by a review in news prose: `Late in the evening
        // Sen. 1/2` ‖ `Warren said…`), and a month before its day.
        assert_eq!(
            ends("Late that evening Sen. Warren and Gov. Newsom spoke with Rep. Ocasio."),
            1
        );
        assert_eq!(ends("It opens Sept. 12 and closes Dec. 3 this year."), 1);
        assert_eq!(ends("It was done in Sept. Then came winter."), 2);
        // Those titles are names too (a review's cases).
        assert_eq!(ends("The prize went to Amartya Sen. He had earned it."), 2);
        assert_eq!(
            ends("It came from the Dominican Rep. The rest followed."),
            2
        );
        assert_eq!(ends("It ended. Sen. Warren spoke."), 2);
    }

    #[test]
    fn a_question_or_exclamation_that_goes_on_in_lowercase_ends_no_sentence() {
        let ends = |text: &str| sentence_ends(text).len();
        assert_eq!(
            ends("A voice shouted \"Why?\" and the room fell silent."),
            1
        );
        assert_eq!(ends("Then \"Stop!\" he shouted at us."), 1);
        assert_eq!(ends("Il a crié « Arrête ! » puis il est parti."), 1);
        // Followed by a capital, or by nothing, they end one; unquoted, so does a
        // lowercase word (lowercase writers end their sentences so).
        assert_eq!(ends("Why? Because it rained. Stop! Now."), 4);
        assert_eq!(ends("wow that was great! i loved every minute of it."), 2);
        assert_eq!(ends("Did you update? iOS 18 is out now."), 2);
        assert_eq!(ends("Really?! no way."), 2);
        // A thread is cut at the real sentence end, not after the quotation.
        let text = "It was very late in the evening by then. Then \"Why?\" and all fell silent.";
        let parts = split_thread(text, &ThreadOptions::new(limits(60)).numbering(false)).unwrap();
        assert_eq!(
            parts[0], "It was very late in the evening by then.",
            "{parts:?}"
        );
    }

    #[test]
    fn a_hard_wrapped_line_gives_way_to_a_sentence_end() {
        let text = "The first sentence is here and\nit goes on. The second one is\nlonger than the first and wraps\nonce more here.";
        let parts = split_thread(text, &ThreadOptions::new(limits(80)).numbering(false)).unwrap();
        assert_eq!(
            parts[0], "The first sentence is here and\nit goes on.",
            "{parts:?}"
        );
        // Without a sentence end to take, a line break still beats a space.
        let lines = "alpha beta gamma delta\nepsilon zeta eta theta iota kappa";
        let parts = split_thread(lines, &ThreadOptions::new(limits(40)).numbering(false)).unwrap();
        assert_eq!(parts[0], "alpha beta gamma delta", "{parts:?}");
    }

    #[test]
    fn what_closes_a_sentence_without_words_stays_with_it() {
        let text = "We shipped it at last and it works as well as ours! 🎉🥳 Next up: the docs and the tests.";
        let parts = split_thread(text, &ThreadOptions::new(limits(60)).numbering(false)).unwrap();
        assert!(parts[0].ends_with("ours! 🎉🥳"), "{parts:?}");
        assert!(parts[1].starts_with("Next up"), "{parts:?}");
        // After a line break, it is the next line's bullet; a bullet is one anywhere.
        let notes = "Release notes for this week, all of them:\n✅ Fixed a typo in the about page.\n✅ Added Portuguese.";
        let parts = split_thread(notes, &ThreadOptions::new(limits(60)).numbering(false)).unwrap();
        assert!(parts[1].starts_with('✅'), "{parts:?}");
        let inline = "We now log every request as JSON for debugging. • We dropped the old API.";
        let parts = split_thread(inline, &ThreadOptions::new(limits(60)).numbering(false)).unwrap();
        assert!(parts[1].starts_with('•'), "{parts:?}");
    }

    #[test]
    fn looking_ahead_past_many_wide_graphemes_stops_on_a_character() {
        // No space within reach after the short words: the look-ahead ends where its
        // byte budget does, which must fall between characters.
        let text = format!("I love it {}", "❤️".repeat(1500));
        let parts = split_thread(&text, &ThreadOptions::new(Limits::default())).unwrap();
        assert_eq!(parts.concat().matches("❤️").count(), 1500);
    }

    #[test]
    fn a_word_that_fits_the_next_part_is_not_cut_for_a_fuller_one() {
        let words = "word ".repeat(9);
        let text = format!("{}{} and the end.", words, "x".repeat(70));
        let parts = split_thread(&text, &ThreadOptions::new(limits(100)).numbering(false)).unwrap();
        assert_eq!(parts[0], words.trim(), "{parts:?}");
        // One that fits no part is cut anyway: the part before it is filled.
        let text = format!("The hash is {} and that is all.", "a1b2c3d4".repeat(30));
        let parts = split_thread(&text, &ThreadOptions::new(limits(100)).numbering(false)).unwrap();
        assert_eq!(parts[0].chars().count(), 100, "{parts:?}");
    }

    #[test]
    fn sentences_win_over_words() {
        let text = "One two three four five six. Seven eight nine ten eleven twelve.";
        let parts = split_thread(text, &ThreadOptions::new(limits(40)).numbering(false)).unwrap();
        assert_eq!(
            parts,
            [
                "One two three four five six.",
                "Seven eight nine ten eleven twelve."
            ]
        );
        // A sentence under half a part is not worth a short status: words decide.
        let text = "One two three. Four five six seven eight nine ten eleven twelve.";
        let parts = split_thread(text, &ThreadOptions::new(limits(40)).numbering(false)).unwrap();
        assert_eq!(
            parts,
            [
                "One two three. Four five six seven eight",
                "nine ten eleven twelve."
            ]
        );
    }

    #[test]
    fn counting_a_refused_thread_stops_past_the_counted_parts() {
        let text = "word ".repeat(100_000);
        let err = split_thread(&text, &ThreadOptions::new(limits(30))).unwrap_err();
        assert_eq!(
            err,
            SplitError::TooManyParts {
                parts: None,
                max: 25
            }
        );
        assert!(
            err.to_string()
                .starts_with("the thread would take more than 300 posts")
        );
        // Allowing more than the count moves it.
        let err = split_thread(&text, &ThreadOptions::new(limits(30)).max_parts(400)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the thread would take more than 400 posts"),
            "{err}"
        );
        // A megabyte of mentions is refused by its length, before any cut is weighed
        // (weighing them took a minute); a text just within the count is still cut.
        let mentions = "@bob ".repeat(200_000);
        assert_eq!(
            split_thread(
                &mentions,
                &ThreadOptions::new(Limits::default()).max_parts(300)
            ),
            Err(SplitError::TooManyParts {
                parts: None,
                max: 300
            })
        );
        let within = "word ".repeat(2_000);
        let parts = split_thread(
            &within,
            &ThreadOptions::new(Limits::default()).max_parts(300),
        )
        .unwrap();
        assert!(parts.len() > 20, "{}", parts.len());
    }

    #[test]
    fn a_refusal_names_the_count_the_thread_really_takes() {
        let text = "\u{3042}".repeat(5450);
        let err = split_thread(&text, &ThreadOptions::new(limits(500)).max_parts(10)).unwrap_err();
        let SplitError::TooManyParts {
            parts: Some(parts), ..
        } = err
        else {
            panic!("{err:?}");
        };
        let allowed = split_thread(&text, &ThreadOptions::new(limits(500)).max_parts(parts));
        assert_eq!(allowed.map(|p| p.len()), Ok(parts));
    }

    #[test]
    fn text_without_spaces_is_cut_at_sentences_then_words() {
        // Japanese: sentences end with 。 and no space follows.
        let sentence = "これは日本語の文章で、句読点で終わります。";
        let text = sentence.repeat(6);
        let parts = split_thread(&text, &ThreadOptions::new(limits(50)).numbering(false)).unwrap();
        assert!(parts.len() > 1);
        assert_eq!(parts.concat(), text);
        assert!(parts.iter().all(|p| p.ends_with('。')), "{parts:?}");
        // One long sentence: cut between words (before a letter), not before its comma.
        let text = "東京都の天気は晴れのち曇り、".repeat(5);
        let parts = split_thread(&text, &ThreadOptions::new(limits(30)).numbering(false)).unwrap();
        assert_eq!(parts.concat(), text);
        assert!(parts.iter().all(|p| !p.starts_with('、')), "{parts:?}");
        // A Latin word's spaces do not win over a clause's comma.
        let text = format!(
            "{}所以我们决定把 Mastodon 升级到最新版本，并且通知大家",
            "今天天气很好我们去公园，".repeat(3)
        );
        let parts = split_thread(&text, &ThreadOptions::new(limits(60)).numbering(false)).unwrap();
        assert!(parts[0].ends_with('，'), "{parts:?}");
        // Where no sentence ends in reach, after a clause's comma rather than inside one.
        let text = "今天天气很好，我们去公园散步，然后回家吃饭".repeat(4);
        let parts = split_thread(&text, &ThreadOptions::new(limits(40)).numbering(false)).unwrap();
        assert_eq!(parts.concat(), text);
        assert!(
            parts[..parts.len() - 1]
                .iter()
                .all(|p| p.ends_with('，') || p.ends_with("吃饭")),
            "{parts:?}"
        );
    }

    #[test]
    fn a_conjunct_is_not_cut_after_its_virama() {
        // Mastodon counts क्ष as two, but a reader sees one letter.
        let text = "क्ष".repeat(15) + &"क्\u{200D}ष".repeat(15);
        let parts = split_thread(&text, &ThreadOptions::new(limits(25)).numbering(false)).unwrap();
        assert_eq!(parts.concat(), text);
        assert!(
            parts.iter().all(|p| p.starts_with('क') && p.ends_with('ष')),
            "{parts:?}"
        );
    }

    #[test]
    fn a_long_word_is_cut_between_graphemes() {
        let text = "👍🏽".repeat(30);
        let parts = split_thread(&text, &ThreadOptions::new(limits(20)).numbering(false)).unwrap();
        assert_eq!(parts.concat(), text);
        assert!(parts.iter().all(|p| status_length(p, "", limits(20)) <= 20));
    }

    #[test]
    fn numbering_widens_when_the_thread_reaches_ten_parts() {
        let text = "word ".repeat(200);
        let options = ThreadOptions::new(limits(30)).max_parts(100);
        let parts = split_thread(&text, &options).unwrap();
        assert!(parts.len() >= 10);
        assert!(parts[0].ends_with(&format!(" 1/{}", parts.len())));
        assert!(parts.iter().all(|p| status_length(p, "", limits(30)) <= 30));
    }

    #[test]
    fn a_thread_longer_than_allowed_is_refused_before_it_floods() {
        let text = "word ".repeat(200);
        let err = split_thread(&text, &ThreadOptions::new(limits(30))).unwrap_err();
        assert!(
            matches!(
                err,
                SplitError::TooManyParts {
                    parts: Some(40),
                    max: 25
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("the thread would take 40 posts")
        );
        // A warning taking more than half of every part leaves too little room.
        let options = ThreadOptions::new(limits(100)).spoiler_text("w".repeat(51));
        let err = split_thread(&"t ".repeat(300), &options).unwrap_err();
        assert!(
            matches!(
                err,
                SplitError::WarningTooLong {
                    length: 51,
                    limit: 100
                }
            ),
            "{err:?}"
        );
        let options = ThreadOptions::new(limits(100)).spoiler_text("w".repeat(50));
        assert!(split_thread(&"t ".repeat(300), &options.max_parts(100)).is_ok());
    }

    #[test]
    fn the_warning_counts_on_every_part_and_mentions_can_be_carried() {
        let text = format!("@alice @bob@example.org {}", "la ".repeat(60));
        let options = ThreadOptions::new(limits(60))
            .spoiler_text("spoilers")
            .carry_mentions(true);
        let parts = split_thread(&text, &options).unwrap();
        assert!(parts.len() > 2);
        for part in &parts[1..] {
            assert!(part.starts_with("@alice @bob@example.org "), "{part}");
        }
        assert!(
            parts
                .iter()
                .all(|p| status_length(p, "spoilers", limits(60)) <= 60)
        );
    }

    #[test]
    fn a_part_neither_starts_with_a_mark_of_the_word_before_nor_ends_with_one_of_the_next() {
        let text = format!(
            "Bref {}Fin.",
            "nous sommes partis tôt ce matin ; la route était longue : trois heures de virages et « rien » ne nous arrêtait (vraiment) à 90 % ! "
                .repeat(6)
        );
        for max in (60..=300).step_by(7) {
            let parts =
                split_thread(&text, &ThreadOptions::new(limits(max)).numbering(false)).unwrap();
            for part in &parts {
                assert!(
                    !part.starts_with(CLINGS_BACK) && !part.ends_with(CLINGS_ON),
                    "{max}: {part:?}"
                );
            }
        }
        // A mark that opens a word (a custom emoji's `:`) does not cling.
        let text = "love :blobcat: ; fin :_wave:";
        let level_before = |next: usize| {
            cuts(text, &[])
                .into_iter()
                .find(|cut| cut.next == next)
                .map(|cut| cut.level)
        };
        assert!(matches!(level_before(5), Some(Level::Word)));
        assert!(matches!(level_before(15), Some(Level::Grapheme)));
        assert!(matches!(level_before(21), Some(Level::Word)));
        // Where nothing else fits, such a space is still a place to cut.
        let marks = "; ".repeat(40);
        assert!(split_thread(&marks, &ThreadOptions::new(limits(30))).is_ok());
    }

    #[test]
    fn a_blank_line_holding_a_no_break_space_still_ends_a_paragraph() {
        let first = format!(
            "{}.",
            "This is the first paragraph and it has a number of words in it "
                .repeat(5)
                .trim_end()
        );
        let second = "Second paragraph goes on for quite a while with more words ".repeat(6);
        let text = format!("{first}\n\u{a0}\n{second}");
        let parts = split_thread(&text, &ThreadOptions::new(limits(500)).numbering(false)).unwrap();
        assert_eq!(parts[0], first);
        // Elsewhere a no-break space still binds.
        assert!(!cuts("a\u{a0}b c", &[]).iter().any(|cut| cut.end == 1));
    }

    #[test]
    fn a_reply_that_opens_with_the_carried_mentions_does_not_get_them_twice() {
        let text = format!(
            "@bob hello {}.\n\n@bob and here is the second paragraph {}",
            "word ".repeat(95).trim_end(),
            "word ".repeat(95)
        );
        let options = ThreadOptions::new(limits(500)).carry_mentions(true);
        let parts = split_thread(&text, &options).unwrap();
        assert!(parts.len() >= 2, "{parts:?}");
        for part in &parts {
            assert!(part.starts_with("@bob "), "{part}");
            assert!(!part.contains("@bob @bob"), "{part}");
            assert!(status_length(part, "", limits(500)) <= 500);
        }
        // Other carried mentions are still put before those it opens with.
        let text = format!(
            "@alice @bob hi {}.\n\n@bob more {}",
            "word ".repeat(95).trim_end(),
            "word ".repeat(95)
        );
        let parts = split_thread(&text, &options).unwrap();
        assert!(parts[1].starts_with("@alice @bob more"), "{}", parts[1]);
    }

    #[test]
    fn what_cannot_be_cut_or_fit_is_an_error() {
        let err = split_thread(
            &format!("#{}", "a".repeat(80)),
            &ThreadOptions::new(limits(50)),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                SplitError::Uncuttable {
                    length: 81,
                    room: 46,
                    limit: 50,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .ends_with("more than a part of 50 holds; shorten it")
        );
        let err = split_thread(
            &"a ".repeat(40),
            &ThreadOptions::new(limits(10)).spoiler_text("0123456789"),
        )
        .unwrap_err();
        assert_eq!(
            err,
            SplitError::WarningTooLong {
                length: 10,
                limit: 10
            }
        );
        // A warning's links count as written, not 23 as in the text.
        let warning = format!("see https://example.com/{}", "p".repeat(300));
        let err = split_thread(
            &"a ".repeat(400),
            &ThreadOptions::new(limits(500)).spoiler_text(&warning),
        )
        .unwrap_err();
        assert_eq!(
            err,
            SplitError::WarningTooLong {
                length: 324,
                limit: 500
            }
        );
    }

    /// While cutting, a part reserves room for its own number as it is (` 2/`), and only
    /// the count at its widest: a link that fits beside `2/12` is not refused for
    /// `99/99`.
    #[test]
    fn early_parts_reserve_their_own_number_only() {
        let text = "@alice @bob@example.org @aaaaaaaaa@a.social @aa__aaaa_a https://a.example.com/)a_a--a_((aa_ \
                    AAaaaaAAAA,. A aaaaaaaaarqzoszamiynbnilrwhovu orhQqw\n\nnjktothptovdjljpnvlurkzidkhkprvdtns\n \n\
                    EvzqwNQNXA\n\n@_yo and some more words to reach ten parts";
        let options = ThreadOptions::new(limits(63)).carry_mentions(true);
        let parts = split_thread(text, &options).unwrap();
        assert!(parts.len() >= 10, "{parts:?}");
        for part in &parts {
            assert!(status_length(part, "", limits(63)) <= 63, "{part}");
        }
        assert!(
            parts[1..]
                .iter()
                .all(|p| p.starts_with("@alice @bob@example.org @aaaaaaaaa@a.social @aa__aaaa_a "))
        );
        assert!(
            parts.iter().any(|p| p.contains(" https://a.example.com/")),
            "{parts:?}"
        );
    }

    /// Mentions carried into every reply can leave too little room for a link; the
    /// error says so, rather than blaming the link.
    #[test]
    fn carried_mentions_that_crowd_out_a_link_are_named() {
        let text = format!(
            "@alice @bob @carol @dave @erin @frank @grace {} https://example.com/page",
            "word ".repeat(30)
        );
        let options = ThreadOptions::new(limits(60)).carry_mentions(true);
        let err = split_thread(&text, &options).unwrap_err();
        let SplitError::Uncuttable {
            ref piece,
            length,
            room,
            limit,
            numbered: true,
        } = err
        else {
            panic!("{err:?}");
        };
        assert_eq!(
            (piece.as_str(), length, limit),
            ("https://example.com/page", 23, 60)
        );
        // 45 for the mentions and the space after them, 6 for the number of the part it
        // would be, the eleventh: ` 11/99`.
        assert_eq!(room, 60 - 45 - 6);
        assert!(
            err.to_string()
                .contains("has only 9 of its 60 left once what every part repeats is in")
                && err.to_string().ends_with(", or turn the numbering off"),
            "{err}"
        );
        // Unnumbered, the mentions alone crowd it out, and only they are named.
        let unnumbered = split_thread(&text, &options.clone().numbering(false)).unwrap_err();
        assert!(
            unnumbered.to_string().ends_with(
                "has only 15 of its 60 left once what every part repeats is in (content warning, carried mentions); shorten it, the content warning or the first part's mentions"
            ),
            "{unnumbered}"
        );
        assert!(split_thread(&text, &ThreadOptions::new(limits(60))).is_ok());
    }
}

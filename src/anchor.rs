//! Anchoring: finds where an annotation's quote sits in an article's rendered text.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::ops::Range;

/// The text a reader sees in one article, as a sequence of leaf blocks
/// (paragraphs, headings, list items, table cells, code blocks).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RenderedText {
    /// Every block's text, in order. Between two blocks there is always at
    /// least one '\n' that belongs to no block.
    pub(crate) text: String,
    /// Byte range of each block in `text`, in order, non-overlapping, on char boundaries.
    pub(crate) blocks: Vec<Range<usize>>,
}

/// What an annotation says about its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Selector<'a> {
    pub(crate) quote: &'a str,
    pub(crate) prefix: Option<&'a str>,
    pub(crate) suffix: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AnchorError {
    /// The quote is empty or only whitespace.
    EmptyQuote,
    /// No occurrence; `closest` is the passage of `text` most like the quote
    /// (None only when the text has no visible character at all).
    NotFound { closest: Option<Range<usize>> },
    /// Several occurrences and no prefix/suffix that picks exactly one (all
    /// candidate occurrences listed, in text order).
    Ambiguous { occurrences: Vec<Range<usize>> },
    /// prefix and/or suffix were given, the quote occurs, but no occurrence
    /// fits them (occurrences listed).
    ContextMismatch { occurrences: Vec<Range<usize>> },
    /// The quote only occurs across a boundary between two blocks.
    CrossesBlocks { range: Range<usize> },
}

/// Above this many dynamic-programming cells (text chars × quote chars) the
/// closest-passage search first narrows the text down by shared words, so a
/// huge article with a long broken quote cannot hang the build.
const FUZZY_CELL_BUDGET: usize = 20_000_000;

/// Block index of a whitespace unit that spans the gap between two blocks.
const GAP: usize = usize::MAX;

/// One char of the normalised text and the original bytes it stands for.
#[derive(Debug, Clone, Copy)]
struct Unit {
    /// Byte offset in the normalised text.
    norm: usize,
    /// Original byte range; a whole run of whitespace for a collapsed space.
    start: usize,
    end: usize,
    /// Index of the (sanitised) block, or `GAP`.
    block: usize,
}

/// Built once per article (normalises the text once), then used for every annotation of it.
#[derive(Debug)]
pub(crate) struct Anchorer<'t> {
    /// The article's block text with every whitespace run (block gaps
    /// included) collapsed to one ' ' and typographic quotes folded, so
    /// matching reduces to plain substring search.
    norm: String,
    /// One unit per char of `norm`, in order.
    units: Vec<Unit>,
    /// Returned ranges are only meaningful for the text they came from, so
    /// the borrow keeps it alive and unchanged.
    text: PhantomData<&'t RenderedText>,
}

impl<'t> Anchorer<'t> {
    /// Text outside the blocks reads as whitespace, and block ranges that
    /// break the `RenderedText` contract are clamped rather than trusted, so
    /// no input can make anchoring panic.
    pub(crate) fn new(text: &'t RenderedText) -> Self {
        // One unit per char at most: sized once, not grown an article long.
        let mut builder = Builder {
            norm: String::with_capacity(text.text.len()),
            units: Vec::with_capacity(text.text.len()),
        };
        let mut previous_end = None;
        for (index, block) in sanitized_blocks(text).into_iter().enumerate() {
            if let Some(end) = previous_end {
                builder.push_space(end..block.start, GAP);
            }
            let slice = text.text.get(block.clone()).unwrap_or_default();
            for (offset, c) in slice.char_indices() {
                let start = block.start + offset;
                builder.push_char(c, start..start + c.len_utf8(), index);
            }
            previous_end = Some(block.end);
        }
        Self {
            norm: builder.norm,
            units: builder.units,
            text: PhantomData,
        }
    }

    /// Byte range in `text.text` of the one occurrence the selector picks.
    pub(crate) fn anchor(&self, selector: &Selector<'_>) -> Result<Range<usize>, AnchorError> {
        let quote = normalize(selector.quote);
        if quote.is_empty() {
            return Err(AnchorError::EmptyQuote);
        }
        let (inside, crossing): (Vec<_>, Vec<_>) = find_all(&self.norm, &quote)
            .into_iter()
            .partition(|found| self.within_one_block(found));
        if inside.is_empty() {
            return Err(match crossing.first() {
                Some(found) => AnchorError::CrossesBlocks {
                    range: self.original(found),
                },
                None => AnchorError::NotFound {
                    closest: self.closest(&quote),
                },
            });
        }
        self.choose(&inside, &Context::new(selector))
    }

    /// Picks among in-block occurrences (ranges of `norm`).
    fn choose(
        &self,
        occurrences: &[Range<usize>],
        context: &Context,
    ) -> Result<Range<usize>, AnchorError> {
        let originals = |found: &[Range<usize>]| found.iter().map(|r| self.original(r)).collect();
        if !context.is_given() {
            return match occurrences {
                [one] => Ok(self.original(one)),
                _ => Err(AnchorError::Ambiguous {
                    occurrences: originals(occurrences),
                }),
            };
        }
        let fitting: Vec<_> = occurrences
            .iter()
            .filter(|found| context.fits(&self.norm, found))
            .cloned()
            .collect();
        match fitting.as_slice() {
            [] => Err(AnchorError::ContextMismatch {
                occurrences: originals(occurrences),
            }),
            [one] => Ok(self.original(one)),
            _ => Err(AnchorError::Ambiguous {
                occurrences: originals(&fitting),
            }),
        }
    }

    /// Indices of the units covering a char-aligned range of `norm`.
    fn units_of(&self, norm: &Range<usize>) -> Range<usize> {
        let first = self.units.partition_point(|unit| unit.norm < norm.start);
        let end = self.units.partition_point(|unit| unit.norm < norm.end);
        first..end
    }

    /// Original byte range from the first unit's first byte to the last unit's last.
    fn span(&self, units: Range<usize>) -> Range<usize> {
        let last = units.end.checked_sub(1).and_then(|i| self.units.get(i));
        match (self.units.get(units.start), last) {
            (Some(first), Some(last)) if units.start < units.end => first.start..last.end,
            _ => 0..0,
        }
    }

    fn original(&self, norm: &Range<usize>) -> Range<usize> {
        self.span(self.units_of(norm))
    }

    /// Block indices only change across a gap unit, so equal first and last
    /// blocks mean nothing in between left the block.
    fn within_one_block(&self, norm: &Range<usize>) -> bool {
        let units = self.units_of(norm);
        let last = units.end.checked_sub(1).and_then(|i| self.units.get(i));
        match (self.units.get(units.start), last) {
            (Some(first), Some(last)) => first.block == last.block && first.block != GAP,
            _ => false,
        }
    }

    fn closest(&self, quote: &str) -> Option<Range<usize>> {
        let text: Vec<char> = self.norm.chars().collect();
        let pattern: Vec<char> = quote.chars().collect();
        // Units are one per char of `norm`, so char indices are unit indices.
        closest_chars(&text, &pattern).map(|units| self.span(whole_words(&text, units)))
    }
}

/// Accumulates the normalised text and its map back to original bytes.
struct Builder {
    norm: String,
    units: Vec<Unit>,
}

impl Builder {
    fn push_char(&mut self, c: char, span: Range<usize>, block: usize) {
        if c.is_whitespace() {
            self.push_space(span, block);
        } else {
            self.push_unit(fold_quote(c), span, block);
        }
    }

    /// Extends a preceding space instead of adding one, so a run of
    /// whitespace, wherever it came from, is a single unit; a run touching
    /// two blocks belongs to neither.
    fn push_space(&mut self, span: Range<usize>, block: usize) {
        if self.norm.ends_with(' ')
            && let Some(last) = self.units.last_mut()
        {
            last.end = last.end.max(span.end);
            if last.block != block {
                last.block = GAP;
            }
            return;
        }
        self.push_unit(' ', span, block);
    }

    fn push_unit(&mut self, c: char, span: Range<usize>, block: usize) {
        self.units.push(Unit {
            norm: self.norm.len(),
            start: span.start,
            end: span.end,
            block,
        });
        self.norm.push(c);
    }
}

/// The blocks clamped to the text, to char boundaries and to text order, so
/// that malformed input degrades instead of panicking. Without any block the
/// whole text counts as one.
fn sanitized_blocks(text: &RenderedText) -> Vec<Range<usize>> {
    let source = text.text.as_str();
    if text.blocks.is_empty() {
        return std::iter::once(0..source.len()).collect();
    }
    let mut blocks = Vec::with_capacity(text.blocks.len());
    let mut floor = 0;
    for block in &text.blocks {
        let mut start = block.start.max(floor);
        let mut end = block.end.min(source.len());
        while start < end && !source.is_char_boundary(start) {
            start += 1;
        }
        while end > start && !source.is_char_boundary(end) {
            end -= 1;
        }
        if start < end {
            blocks.push(start..end);
            floor = end;
        }
    }
    blocks
}

/// Straight and typographic quotes are interchangeable in quotes people copy.
fn fold_quote(c: char) -> char {
    match c {
        // ‘ ’ ‚ ‛ ′
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
        // “ ” „ ‟ ″
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
        other => other,
    }
}

/// The same normalisation as the article's, for a quote, prefix or suffix,
/// trimmed because whitespace at either end never has to match.
fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_whitespace() {
            out.push(fold_quote(c));
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Prefix and suffix, normalised; empty ones count as not given.
struct Context {
    prefix: Option<String>,
    suffix: Option<String>,
}

impl Context {
    fn new(selector: &Selector<'_>) -> Self {
        let given = |s: Option<&str>| s.map(normalize).filter(|s| !s.is_empty());
        Self {
            prefix: given(selector.prefix),
            suffix: given(selector.suffix),
        }
    }

    fn is_given(&self) -> bool {
        self.prefix.is_some() || self.suffix.is_some()
    }

    /// `norm` has at most one space between the context and the quote, and
    /// whitespace at that junction is optional, so one space is skipped.
    fn fits(&self, norm: &str, found: &Range<usize>) -> bool {
        let prefix_fits = self.prefix.as_deref().is_none_or(|prefix| {
            norm.get(..found.start)
                .is_some_and(|before| before.strip_suffix(' ').unwrap_or(before).ends_with(prefix))
        });
        let suffix_fits = self.suffix.as_deref().is_none_or(|suffix| {
            norm.get(found.end..)
                .is_some_and(|after| after.strip_prefix(' ').unwrap_or(after).starts_with(suffix))
        });
        prefix_fits && suffix_fits
    }
}

/// Every occurrence of `needle` in `haystack`, overlapping ones included, in
/// linear time. A substring search is fastest for ordinary quotes, but
/// restarting it right after each hit rescans the hit, which is quadratic
/// for a quote that overlaps itself a lot ("aaaa…"); those go through KMP
/// instead.
fn find_all(haystack: &str, needle: &str) -> Vec<Range<usize>> {
    if needle.is_empty() {
        return Vec::new();
    }
    let failure = failure_function(needle.as_bytes());
    let border = failure.last().copied().unwrap_or(0);
    if border * 2 > needle.len() {
        // Byte-level hits are char-aligned: both sides are valid UTF-8 and
        // the needle starts with a leading byte.
        kmp_all(haystack.as_bytes(), needle.as_bytes(), &failure)
    } else {
        find_restarting(haystack, needle)
    }
}

/// Occurrences are at least half a needle apart here, so the rescans add up
/// to at most about twice the haystack. memchr's searcher is vectorised:
/// several times faster than `str::find` on an article's text, and a build
/// looks for every quote of every note.
fn find_restarting(haystack: &str, needle: &str) -> Vec<Range<usize>> {
    let step = needle.chars().next().map_or(1, char::len_utf8);
    let finder = memchr::memmem::Finder::new(needle);
    let bytes = haystack.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = bytes.get(from..).and_then(|rest| finder.find(rest)) {
        let start = from + offset;
        found.push(start..start + needle.len());
        from = start + step;
    }
    found
}

/// `failure[i]` is the length of the longest proper border of `needle[..=i]`.
fn failure_function(needle: &[u8]) -> Vec<usize> {
    let mut failure = vec![0; needle.len()];
    let mut k = 0;
    for (i, &byte) in needle.iter().enumerate().skip(1) {
        while k > 0 && needle[k] != byte {
            k = failure[k - 1];
        }
        if needle[k] == byte {
            k += 1;
        }
        failure[i] = k;
    }
    failure
}

fn kmp_all(haystack: &[u8], needle: &[u8], failure: &[usize]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut k = 0;
    for (i, &byte) in haystack.iter().enumerate() {
        while k > 0 && needle[k] != byte {
            k = failure[k - 1];
        }
        if needle[k] == byte {
            k += 1;
        }
        if k == needle.len() {
            found.push(i + 1 - k..i + 1);
            k = failure[k - 1];
        }
    }
    found
}

/// Char range of `text` (normalised chars) most like `pattern`, without
/// surrounding spaces; None only when `text` has no visible char.
fn closest_chars(text: &[char], pattern: &[char]) -> Option<Range<usize>> {
    let region = search_region(text, pattern);
    let cells = region.len().saturating_mul(pattern.len());
    let best = if cells <= FUZZY_CELL_BUDGET {
        text.get(region.clone())
            .and_then(|slice| sellers(slice, pattern))
            .map(|found| found.start + region.start..found.end + region.start)
    } else {
        Some(region)
    };
    best.and_then(|found| trim_spaces(text, found))
        .or_else(|| text.iter().position(|&c| c != ' ').map(|i| i..i + 1))
}

/// `found` widened so it neither starts nor ends inside a word: a passage
/// shown to a person is made of whole words ("poor spelling", not "oor
/// spelling").
fn whole_words(text: &[char], mut found: Range<usize>) -> Range<usize> {
    let word = |i: usize| text.get(i).is_some_and(|c| c.is_alphanumeric());
    while found.start > 0 && word(found.start) && word(found.start - 1) {
        found.start -= 1;
    }
    while found.end > 0 && word(found.end - 1) && word(found.end) {
        found.end += 1;
    }
    found
}

/// The part of `text` worth running the edit-distance search on: all of it
/// when affordable, otherwise the neighbourhood of the longest run of words
/// shared with the quote.
fn search_region(text: &[char], pattern: &[char]) -> Range<usize> {
    let width = pattern.len().max(1);
    if text.len().saturating_mul(width) <= FUZZY_CELL_BUDGET {
        return 0..text.len();
    }
    let Some(words) = shared_words_window(text, pattern) else {
        return 0..text.len().min(FUZZY_CELL_BUDGET / width);
    };
    // The word alignment is only a guess when the quote has typos.
    let widened =
        words.start.saturating_sub(width)..words.end.saturating_add(width).min(text.len());
    if widened.len().saturating_mul(width) <= FUZZY_CELL_BUDGET {
        widened
    } else {
        words
    }
}

/// Approximate substring matching (Sellers): minimal edit distance between
/// `pattern` and any substring of `text`. Returns that substring's char
/// range, preferring lower cost, then a length nearer the pattern's (a poor
/// match should still look like a passage, not a stray char), then the
/// earlier end, then the earlier start (so a typo in the quote's first char
/// is covered rather than skipped); only ranges with a visible char count.
fn sellers(text: &[char], pattern: &[char]) -> Option<Range<usize>> {
    let mut visible_before = Vec::with_capacity(text.len() + 1);
    visible_before.push(0);
    for (i, &c) in text.iter().enumerate() {
        visible_before.push(visible_before[i] + usize::from(c != ' '));
    }
    // column[i] = (cost, start) of the best alignment of pattern[..i] ending here.
    let mut column: Vec<(usize, usize)> = (0..=pattern.len()).map(|i| (i, 0)).collect();
    let mut best: Option<((usize, usize), Range<usize>)> = None;
    for (j, &tc) in text.iter().enumerate() {
        let mut diagonal = column[0];
        column[0] = (0, j + 1);
        for (i, &pc) in pattern.iter().enumerate() {
            let substitute = (diagonal.0 + usize::from(pc != tc), diagonal.1);
            let skip_pattern = (column[i].0 + 1, column[i].1);
            let skip_text = (column[i + 1].0 + 1, column[i + 1].1);
            diagonal = column[i + 1];
            column[i + 1] = substitute.min(skip_pattern).min(skip_text);
        }
        let (cost, start) = column[pattern.len()];
        let visible = visible_before[j + 1] > visible_before[start];
        let rank = (cost, (j + 1 - start).abs_diff(pattern.len()));
        if visible && best.as_ref().is_none_or(|(best_rank, _)| rank < *best_rank) {
            best = Some((rank, start..j + 1));
        }
    }
    best.map(|(_, found)| found)
}

fn trim_spaces(text: &[char], found: Range<usize>) -> Option<Range<usize>> {
    let slice = text.get(found.clone())?;
    let leading = slice.iter().take_while(|&&c| c == ' ').count();
    if leading == slice.len() {
        return None;
    }
    let trailing = slice.iter().rev().take_while(|&&c| c == ' ').count();
    Some(found.start + leading..found.end - trailing)
}

/// Char ranges of the space-separated words of normalised text.
fn word_spans(chars: &[char]) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, &c) in chars.iter().enumerate() {
        match (c == ' ', start) {
            (true, Some(s)) => {
                spans.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push(s..chars.len());
    }
    spans
}

/// Where the whole quote would sit in `text` (char range) if its longest run
/// of words found verbatim in the text is where it belongs.
fn shared_words_window(text: &[char], pattern: &[char]) -> Option<Range<usize>> {
    let spans = word_spans(text);
    let text_words: Vec<&[char]> = spans.iter().filter_map(|w| text.get(w.clone())).collect();
    let quote_words: Vec<&[char]> = word_spans(pattern)
        .into_iter()
        .filter_map(|w| pattern.get(w))
        .collect();
    let (t, q) = longest_shared_run(&text_words, &quote_words)?;
    let first = t.saturating_sub(q);
    let end = t
        .saturating_add(quote_words.len().saturating_sub(q))
        .min(spans.len());
    Some(spans.get(first)?.start..spans.get(end.checked_sub(1)?)?.end)
}

/// (text word index, quote word index) where the longest common run of
/// consecutive words starts. Extending runs is capped by the cell budget,
/// since repetitive text could otherwise make this quadratic too.
fn longest_shared_run(text_words: &[&[char]], quote_words: &[&[char]]) -> Option<(usize, usize)> {
    let mut positions: HashMap<&[char], Vec<usize>> = HashMap::new();
    for (q, &word) in quote_words.iter().enumerate() {
        positions.entry(word).or_default().push(q);
    }
    let mut budget = FUZZY_CELL_BUDGET;
    let mut best: Option<(usize, usize, usize)> = None;
    'text: for (t, word) in text_words.iter().enumerate() {
        let Some(starts) = positions.get(word) else {
            continue;
        };
        for &q in starts {
            // A run that extends backwards was already measured from its start.
            if t > 0 && q > 0 && text_words.get(t - 1) == quote_words.get(q - 1) {
                continue;
            }
            let run = text_words[t..]
                .iter()
                .zip(quote_words.get(q..).unwrap_or_default())
                .take_while(|(a, b)| a == b)
                .count();
            if best.is_none_or(|(longest, _, _)| run > longest) {
                best = Some((run, t, q));
            }
            budget = budget.saturating_sub(run + 1);
            if budget == 0 {
                break 'text;
            }
        }
    }
    best.map(|(_, t, q)| (t, q))
}

#[cfg(test)]
// One-element occurrence lists are what the contract returns, not a typo for a range.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;
    use AnchorError::{Ambiguous, ContextMismatch, CrossesBlocks, EmptyQuote, NotFound};
    use proptest::prelude::*;
    use proptest::sample::Index;

    /// Blocks joined the way the renderer separates them.
    fn rendered(blocks: &[&str]) -> RenderedText {
        let mut text = String::new();
        let mut ranges = Vec::new();
        for (i, block) in blocks.iter().enumerate() {
            if i > 0 {
                text.push_str("\n\n");
            }
            let start = text.len();
            text.push_str(block);
            ranges.push(start..text.len());
        }
        RenderedText {
            text,
            blocks: ranges,
        }
    }

    fn anchor_in(
        text: &RenderedText,
        quote: &str,
        prefix: Option<&str>,
        suffix: Option<&str>,
    ) -> Result<Range<usize>, AnchorError> {
        Anchorer::new(text).anchor(&Selector {
            quote,
            prefix,
            suffix,
        })
    }

    struct Case {
        name: &'static str,
        blocks: &'static [&'static str],
        quote: &'static str,
        prefix: Option<&'static str>,
        suffix: Option<&'static str>,
        expected: Result<Range<usize>, AnchorError>,
    }

    fn case(
        name: &'static str,
        blocks: &'static [&'static str],
        quote: &'static str,
        expected: Result<Range<usize>, AnchorError>,
    ) -> Case {
        Case {
            name,
            blocks,
            quote,
            prefix: None,
            suffix: None,
            expected,
        }
    }

    impl Case {
        fn prefix(mut self, prefix: &'static str) -> Self {
            self.prefix = Some(prefix);
            self
        }

        fn suffix(mut self, suffix: &'static str) -> Self {
            self.suffix = Some(suffix);
            self
        }
    }

    fn check_table(cases: Vec<Case>) {
        for case in cases {
            let text = rendered(case.blocks);
            let actual = anchor_in(&text, case.quote, case.prefix, case.suffix);
            assert_eq!(
                actual, case.expected,
                "case {:?} in {:?}",
                case.name, text.text
            );
        }
    }

    const BLAMED: &[&str] = &["The heist was blamed on North Korea."];
    const LETTERS: &[&str] = &["A: the heist. B: the heist. C: the heist."];
    const XYZ: &[&str] = &["x the heist y. z the heist y. x the heist w."];
    const THEY: &[&str] = &["They were blamed for the heist."];
    const UNICODE: &[&str] = &["Café “Zoë” 日本語 👍🏽 ok"];
    const WANNACRY: &[&str] = &["In 2017 the WannaCry attack crippled hospitals."];

    fn not_found(closest: Option<Range<usize>>) -> Result<Range<usize>, AnchorError> {
        Err(NotFound { closest })
    }

    fn ambiguous(occurrences: &[Range<usize>]) -> Result<Range<usize>, AnchorError> {
        Err(Ambiguous {
            occurrences: occurrences.to_vec(),
        })
    }

    fn mismatch(occurrences: &[Range<usize>]) -> Result<Range<usize>, AnchorError> {
        Err(ContextMismatch {
            occurrences: occurrences.to_vec(),
        })
    }

    fn crosses(range: Range<usize>) -> Result<Range<usize>, AnchorError> {
        Err(CrossesBlocks { range })
    }

    #[rustfmt::skip]
    #[test]
    fn exact_whitespace_and_case() {
        check_table(vec![
            case("exact", BLAMED, "blamed on", Ok(14..23)),
            case("whole block", BLAMED, "The heist was blamed on North Korea.", Ok(0..36)),
            case("quote trimmed", BLAMED, "  blamed on \n", Ok(14..23)),
            case("newline in text", &["blamed\non Korea"], "blamed on", Ok(0..9)),
            case("tab and spaces in text", &["blamed \t  on Korea"], "blamed on", Ok(0..12)),
            case("nbsp in text", &["blamed\u{a0}on Korea"], "blamed on", Ok(0..10)),
            case("em spaces in text", &["It was blamed\u{2003}\u{2003}on them"], "blamed on", Ok(7..21)),
            case("whitespace run in quote", BLAMED, "blamed\n\t  on", Ok(14..23)),
            case("nbsp in quote", BLAMED, "blamed\u{a0}on", Ok(14..23)),
            case("space is not no space", &["blamedon Korea"], "blamed on", not_found(Some(0..8))),
            case("no space is not space", &["blamed on Korea"], "blamedon", not_found(Some(0..9))),
            case("case sensitive", BLAMED, "the heist", not_found(Some(0..9))),
            case("case sensitive mid-text", BLAMED, "Blamed on", not_found(Some(14..23))),
        ]);
    }

    #[rustfmt::skip]
    #[test]
    fn typographic_quotes() {
        check_table(vec![
            case("curly text, straight quote", &["It’s “fine”"], "It's \"fine\"", Ok(0..17)),
            case("straight text, curly quote", &["It's \"fine\""], "It’s “fine”", Ok(0..11)),
            case("primes", &["5′ 6″ tall, ‚low‛ „high‟"], "5' 6\"", Ok(0..9)),
            case("low and reversed quotes", &["5′ 6″ tall, ‚low‛ „high‟"], "'low' \"high\"", Ok(16..36)),
            case("mixed curly in quote", &["He said \"go\""], "said ”go“", Ok(3..12)),
            case("curly text, straight prefix", &["He said “go” and ‘went’. They went."], "went", Ok(24..28))
                .prefix("said \"go\" and '"),
        ]);
    }

    #[rustfmt::skip]
    #[test]
    fn prefix_and_suffix() {
        check_table(vec![
            case("three without context", LETTERS, "the heist", ambiguous(&[3..12, 17..26, 31..40])),
            case("prefix picks second", LETTERS, "the heist", Ok(17..26)).prefix("B:"),
            case("prefix with junction space", LETTERS, "the heist", Ok(17..26)).prefix("B: "),
            case("suffix picks first", LETTERS, "the heist", Ok(3..12)).suffix(". B"),
            case("suffix fits all", LETTERS, "the heist", ambiguous(&[3..12, 17..26, 31..40])).suffix("."),
            case("prefix and suffix", XYZ, "the heist", Ok(2..11)).prefix("x").suffix("y"),
            case("prefix fits two", XYZ, "the heist", ambiguous(&[2..11, 32..41])).prefix("x"),
            case("suffix fits two", XYZ, "the heist", ambiguous(&[2..11, 17..26])).suffix("y"),
            case("context fits none", XYZ, "the heist", mismatch(&[2..11, 17..26, 32..41])).prefix("z").suffix("w"),
        ]);
    }

    #[rustfmt::skip]
    #[test]
    fn context_junction_and_adjacency() {
        check_table(vec![
            case("prefix", THEY, "the heist", Ok(21..30)).prefix("blamed for"),
            case("prefix with trailing space", THEY, "the heist", Ok(21..30)).prefix("blamed for "),
            case("prefix with odd whitespace", THEY, "the heist", Ok(21..30)).prefix("\tblamed\u{a0}for\n"),
            case("no junction space in text", &["They were blamed forthe heist."], "the heist", Ok(20..29)).prefix("blamed for"),
            case("suffix", THEY, "the heist", Ok(21..30)).suffix("."),
            case("suffix with junction space", THEY, "the heist", Ok(21..30)).suffix(" ."),
            case("whitespace-only prefix is absent", THEY, "the heist", Ok(21..30)).prefix(" \n "),
            case("empty suffix is absent", THEY, "the heist", Ok(21..30)).suffix(""),
            case("unique quote, wrong prefix", THEY, "the heist", mismatch(&[21..30])).prefix("were blamed"),
            case("prefix must be adjacent", THEY, "the heist", mismatch(&[21..30])).prefix("blamed"),
            case("prefix must be whole", THEY, "the heist", mismatch(&[21..30])).prefix("blamed fo"),
            case("unique quote, wrong suffix", THEY, "the heist", mismatch(&[21..30])).suffix("!"),
            // Equal edit distance: the passage nearer the quote's length wins.
            case("context cannot rescue a typo", THEY, "the heists", not_found(Some(21..31))).prefix("for"),
        ]);
    }

    #[rustfmt::skip]
    #[test]
    fn overlapping_occurrences() {
        check_table(vec![
            case("aa in aaa", &["aaa"], "aa", ambiguous(&[0..2, 1..3])),
            case("suffix picks first overlap", &["aaa"], "aa", Ok(0..2)).suffix("a"),
            case("prefix picks second overlap", &["aaa"], "aa", Ok(1..3)).prefix("a"),
            case("aba", &["abababa"], "aba", ambiguous(&[0..3, 2..5, 4..7])),
            case("highly periodic", &["aaaaaa"], "aaaa", ambiguous(&[0..4, 1..5, 2..6])),
            case("periodic multibyte", &["ééé"], "éé", ambiguous(&[0..4, 2..6])),
            case("overlap across spaces", &["a a a"], "a a", ambiguous(&[0..3, 2..5])),
        ]);
    }

    #[rustfmt::skip]
    #[test]
    fn block_boundaries() {
        let crossing_elsewhere = &["The heist", "was blamed. The heist was bold."][..];
        let later = &["the heist began; later the heist", "ended"][..];
        check_table(vec![
            case("crosses", &["The heist", "was blamed"], "heist was", crosses(4..14)),
            case("crosses despite context", &["The heist", "was blamed"], "heist was", crosses(4..14)).prefix("The"),
            case("crosses three blocks", &["a", "b", "c"], "a b c", crosses(0..7)),
            case("crosses with edge whitespace", &["The heist ", " was blamed"], "heist was", crosses(4..16)),
            case("in-block wins over crossing", crossing_elsewhere, "heist was", Ok(27..36)),
            case("in block with edge whitespace", &["The heist ", " was blamed"], "heist", Ok(4..9)),
            case("prefix reaches previous block", &["Seoul", "the heist began; later the heist"], "the heist", Ok(7..16))
                .prefix("Seoul"),
            case("suffix reaches next block", later, "the heist", Ok(23..32)).suffix("ended"),
            case("two blocks, ambiguous", later, "the heist", ambiguous(&[0..9, 23..32])),
            case("gap is not no space", &["The heist", "was blamed"], "heistwas", not_found(Some(4..14))),
        ]);
    }

    #[rustfmt::skip]
    #[test]
    fn non_ascii() {
        check_table(vec![
            case("curly quoted name", UNICODE, "\"Zoë\"", Ok(6..16)),
            case("cjk", UNICODE, "日本語", Ok(17..26)),
            case("cjk char", UNICODE, "本", Ok(20..23)),
            case("emoji with skin tone", UNICODE, "👍🏽", Ok(27..35)),
            case("emoji without modifier matches by char", UNICODE, "👍", Ok(27..31)),
            case("accent", UNICODE, "Café", Ok(0..5)),
            case("accent to curly", UNICODE, "é “Zoë", Ok(3..13)),
            case("combining accent", &["cafe\u{301} noir"], "cafe\u{301}", Ok(0..6)),
            case("starting at combining accent", &["cafe\u{301} noir"], "\u{301} noir", Ok(4..11)),
            case("cjk typo", UNICODE, "日本人", not_found(Some(17..26))),
            case("sharp s", &["Die Straße ist nass"], "Strasse", not_found(Some(4..11))),
        ]);
    }

    #[rustfmt::skip]
    #[test]
    fn empty_inputs_and_typos() {
        check_table(vec![
            case("empty quote", BLAMED, "", Err(EmptyQuote)),
            case("whitespace quote", BLAMED, " \n\t\u{a0} ", Err(EmptyQuote)),
            case("empty quote in empty text", &[], "", Err(EmptyQuote)),
            case("empty text", &[], "heist", not_found(None)),
            case("empty block", &[""], "heist", not_found(None)),
            case("whitespace-only blocks", &["  ", "\t"], "heist", not_found(None)),
            case("typo", WANNACRY, "the WannaCry atack", not_found(Some(8..27))),
            case("typo in first char", WANNACRY, "The WannaCry attack", not_found(Some(8..27))),
            case("poor match still reported", &["abc"], "xyz", not_found(Some(0..3))),
            case("closest trimmed", &["  Seoul  "], "Seoul!", not_found(Some(2..7))),
            // The best-scoring substring is "oor spelling": shown whole.
            case("closest is whole words", &["the attackers poor spelling"], "bad spelling", not_found(Some(14..27))),
            case("whole words at a mid-word end", &["hello worldwide web"], "hello wurl", not_found(Some(0..15))),
        ]);
    }

    /// The closest passage for the typos authors make, shown as whole words.
    #[test]
    fn closest_passages_for_realistic_typos_are_whole_words() {
        let text = rendered(&[
            "In February 2016 the attackers sent 35 payment instructions to the Federal Reserve Bank of New York.",
            "The heist, which failed in part, was noticed because of the attackers' poor spelling.",
            "Together they asked for about US$951 million.",
        ]);
        let cases = [
            (
                "changed word",
                "the attackers bad spelling",
                "the attackers' poor spelling",
            ),
            ("changed first letters", "bad spelling", "poor spelling"),
            (
                "missing word",
                "the attackers sent payment instructions",
                "the attackers sent 35 payment instructions",
            ),
            (
                "extra word",
                "sent 35 urgent payment instructions",
                "sent 35 payment instructions",
            ),
            (
                "changed punctuation",
                "The heist; which failed",
                "The heist, which failed",
            ),
            (
                "older version",
                "Together they asked for about $951 million in all.",
                "Together they asked for about US$951 million.",
            ),
        ];
        for (name, quote, expected) in cases {
            let found = match anchor_in(&text, quote, None, None) {
                Err(NotFound { closest: Some(r) }) => &text.text[r],
                other => panic!("{name}: {other:?}"),
            };
            assert_eq!(found, expected, "{name}");
        }
    }

    #[test]
    fn text_without_blocks_counts_as_one_block() {
        let text = RenderedText {
            text: "hello world".into(),
            blocks: Vec::new(),
        };
        assert_eq!(anchor_in(&text, "world", None, None), Ok(6..11));
    }

    #[test]
    fn one_anchorer_serves_many_selectors() {
        let text = rendered(LETTERS);
        let anchorer = Anchorer::new(&text);
        for (prefix, expected) in [("A:", 3..12), ("B:", 17..26), ("C:", 31..40)] {
            let selector = Selector {
                quote: "the heist",
                prefix: Some(prefix),
                suffix: None,
            };
            assert_eq!(anchorer.anchor(&selector), Ok(expected));
        }
    }

    fn large_text(paragraphs: usize) -> RenderedText {
        let blocks: Vec<String> = (0..paragraphs)
            .map(|i| format!("Paragraph {i} says the lazy dog jumped over fence number {i}."))
            .collect();
        let refs: Vec<&str> = blocks.iter().map(String::as_str).collect();
        rendered(&refs)
    }

    #[test]
    fn large_text_anchors_and_finds_closest() {
        let text = large_text(16_000);
        assert!(text.text.len() > 1_000_000);
        let anchorer = Anchorer::new(&text);
        let quote = "jumped over fence number 12345.";
        let start = text.text.find(quote).expect("quote is in the text");
        let selector = quote_only(quote);
        assert_eq!(anchorer.anchor(&selector), Ok(start..start + quote.len()));
        // Long enough to exceed the cell budget and use the word window.
        let typo = "Paragraph 12345 says the lazy dog jumpd over fence number 12345.";
        let exact = typo.replace("jumpd", "jumped");
        let start = text.text.find(&exact).expect("fixed quote is in the text");
        let selector = quote_only(typo);
        let closest = Some(start..start + exact.len());
        assert_eq!(anchorer.anchor(&selector), Err(NotFound { closest }));
    }

    #[test]
    fn periodic_quote_in_periodic_text_stays_linear() {
        let text = rendered(&[&"a".repeat(200_000)]);
        let quote = "a".repeat(1_000);
        let Err(Ambiguous { occurrences }) = anchor_in(&text, &quote, None, None) else {
            panic!("expected ambiguity");
        };
        assert_eq!(occurrences.len(), 199_001);
        assert_eq!(occurrences.last(), Some(&(199_000..200_000)));
    }

    #[test]
    fn word_window_handles_missing_and_repeated_words() {
        let text: Vec<char> = "x y z ".repeat(10).chars().collect();
        let pattern: Vec<char> = "q r".chars().collect();
        assert_eq!(shared_words_window(&text, &pattern), None);
        let pattern: Vec<char> = "w y z x".chars().collect();
        assert_eq!(shared_words_window(&text, &pattern), Some(0..7));
    }

    // ---- property tests ----

    /// Whitespace of several kinds, every quote variant, combining marks,
    /// multi-byte and astral chars; `any::<char>()` covers the rest.
    const TRICKY: &str = concat!(
        "ab  \n\t\u{a0}\u{2003}",
        "'\u{2018}\u{2019}\"\u{201C}\u{201D}\u{2033}",
        "eé\u{301}日本👍\u{1F3FD}",
    );

    fn tricky_string(max_chars: usize) -> impl Strategy<Value = String> {
        let tricky: Vec<char> = TRICKY.chars().collect();
        let tricky_char = prop_oneof![10 => prop::sample::select(tricky), 1 => any::<char>()];
        prop::collection::vec(tricky_char, 0..max_chars).prop_map(String::from_iter)
    }

    fn rendered_text() -> impl Strategy<Value = RenderedText> {
        let gap = prop::sample::select(&["\n", "\n\n", "\n \n", "\n\u{a0}\t\n"][..]);
        prop::collection::vec((tricky_string(16), gap), 0..6).prop_map(|parts| {
            let mut text = String::new();
            let mut blocks = Vec::new();
            for (i, (block, gap)) in parts.iter().enumerate() {
                if i > 0 {
                    text.push_str(gap);
                }
                let start = text.len();
                text.push_str(block);
                blocks.push(start..text.len());
            }
            RenderedText { text, blocks }
        })
    }

    fn boundaries(text: &str, within: Range<usize>) -> Vec<usize> {
        within.filter(|&i| text.is_char_boundary(i)).collect()
    }

    /// A char-aligned, non-empty range inside one block.
    fn pick_in_block(
        text: &RenderedText,
        block: Index,
        a: Index,
        b: Index,
    ) -> Option<Range<usize>> {
        if text.blocks.is_empty() {
            return None;
        }
        let block = text.blocks[block.index(text.blocks.len())].clone();
        let bounds = boundaries(&text.text, block.start..block.end + 1);
        let (i, j) = (*a.get(&bounds), *b.get(&bounds));
        (i != j).then(|| i.min(j)..i.max(j))
    }

    /// `range` without surrounding whitespace; None if only whitespace.
    fn trimmed(text: &str, range: Range<usize>) -> Option<Range<usize>> {
        let slice = &text[range.clone()];
        let start = range.start + slice.find(|c: char| !c.is_whitespace())?;
        let end = range.start + slice.trim_end().len();
        Some(start..end)
    }

    fn quote_only(quote: &str) -> Selector<'_> {
        Selector {
            quote,
            prefix: None,
            suffix: None,
        }
    }

    fn in_one_block(text: &RenderedText, range: &Range<usize>) -> bool {
        text.blocks
            .iter()
            .any(|b| b.start <= range.start && range.end <= b.end)
    }

    fn count_overlapping(haystack: &str, needle: &str) -> usize {
        (0..haystack.len())
            .filter(|&i| haystack.is_char_boundary(i) && haystack[i..].starts_with(needle))
            .count()
    }

    /// Every block normalised on its own, and all of them joined as if the
    /// gaps were whitespace: an oracle independent of the unit map.
    fn oracle(text: &RenderedText) -> (Vec<String>, String) {
        let blocks: Vec<String> = text
            .blocks
            .iter()
            .map(|b| normalize(&text.text[b.clone()]))
            .collect();
        let joined = blocks
            .iter()
            .filter(|b| !b.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        (blocks, joined)
    }

    fn check_invariants(
        text: &RenderedText,
        selector: &Selector<'_>,
        result: &Result<Range<usize>, AnchorError>,
    ) -> Result<(), TestCaseError> {
        let source = text.text.as_str();
        let quote = normalize(selector.quote);
        let tight = |r: &Range<usize>| {
            r.start < r.end
                && r.end <= source.len()
                && source.is_char_boundary(r.start)
                && source.is_char_boundary(r.end)
                && trimmed(source, r.clone()) == Some(r.clone())
        };
        let in_block = |r: &Range<usize>| in_one_block(text, r);
        let is_quote =
            |r: &Range<usize>| tight(r) && in_block(r) && normalize(&source[r.clone()]) == quote;
        let (blocks, joined) = oracle(text);
        let in_block_count: usize = blocks.iter().map(|b| count_overlapping(b, &quote)).sum();
        let context = Context::new(selector);
        let sorted = |o: &[Range<usize>]| o.windows(2).all(|w| w[0].start < w[1].start);
        match result {
            Ok(r) => prop_assert!(is_quote(r) && (context.is_given() || in_block_count == 1)),
            Err(Ambiguous { occurrences: o }) => {
                prop_assert!(o.len() >= 2 && o.len() <= in_block_count && sorted(o));
                prop_assert!(context.is_given() || o.len() == in_block_count);
                prop_assert!(o.iter().all(is_quote));
            }
            Err(ContextMismatch { occurrences: o }) => {
                prop_assert!(context.is_given() && o.len() == in_block_count && sorted(o));
                prop_assert!(o.iter().all(is_quote));
            }
            Err(CrossesBlocks { range }) => {
                prop_assert!(in_block_count == 0 && joined.contains(&quote));
                prop_assert!(tight(range) && !in_block(range));
                prop_assert_eq!(normalize(&source[range.clone()]), quote);
            }
            Err(NotFound { closest }) => {
                prop_assert!(!quote.is_empty() && !joined.contains(&quote));
                prop_assert_eq!(closest.is_some(), !joined.is_empty());
                prop_assert!(closest.as_ref().is_none_or(tight));
            }
            Err(EmptyQuote) => prop_assert!(quote.is_empty()),
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn arbitrary_selectors_keep_invariants(
            text in rendered_text(),
            quote in tricky_string(5),
            prefix in prop::option::of(tricky_string(3)),
            suffix in prop::option::of(tricky_string(3)),
        ) {
            let (prefix, suffix) = (prefix.as_deref(), suffix.as_deref());
            let selector = Selector { quote: &quote, prefix, suffix };
            let result = Anchorer::new(&text).anchor(&selector);
            check_invariants(&text, &selector, &result)?;
        }

        #[test]
        fn quotes_taken_from_a_block_are_found(
            text in rendered_text(),
            picks in any::<(Index, Index, Index)>(),
        ) {
            let picked = pick_in_block(&text, picks.0, picks.1, picks.2);
            let Some(expected) = picked.and_then(|r| trimmed(&text.text, r)) else {
                return Ok(());
            };
            let selector = quote_only(&text.text[expected.clone()]);
            let result = Anchorer::new(&text).anchor(&selector);
            check_invariants(&text, &selector, &result)?;
            match result {
                Ok(range) => prop_assert_eq!(range, expected),
                Err(Ambiguous { occurrences }) => prop_assert!(occurrences.contains(&expected)),
                other => prop_assert!(false, "{:?} for {:?}", other, selector),
            }
        }

        #[test]
        fn context_taken_from_the_text_fits(
            text in rendered_text(),
            picks in any::<(Index, Index, Index, Index, Index)>(),
            use_prefix in any::<bool>(),
            use_suffix in any::<bool>(),
        ) {
            let Some(picked) = pick_in_block(&text, picks.0, picks.1, picks.2) else {
                return Ok(());
            };
            let Some(expected) = trimmed(&text.text, picked.clone()) else {
                return Ok(());
            };
            let before = *picks.3.get(&boundaries(&text.text, 0..picked.start + 1));
            let after = *picks.4.get(&boundaries(&text.text, picked.end..text.text.len() + 1));
            let selector = Selector {
                quote: &text.text[picked.clone()],
                prefix: use_prefix.then(|| &text.text[before..picked.start]),
                suffix: use_suffix.then(|| &text.text[picked.end..after]),
            };
            let result = Anchorer::new(&text).anchor(&selector);
            check_invariants(&text, &selector, &result)?;
            match result {
                Ok(range) => prop_assert_eq!(range, expected),
                Err(Ambiguous { occurrences }) => prop_assert!(occurrences.contains(&expected)),
                other => prop_assert!(false, "{:?} for {:?}", other, selector),
            }
        }

        #[test]
        fn quotes_taken_across_blocks_are_never_lost(
            text in rendered_text(),
            picks in any::<(Index, Index)>(),
        ) {
            let bounds = boundaries(&text.text, 0..text.text.len() + 1);
            let (i, j) = (*picks.0.get(&bounds), *picks.1.get(&bounds));
            let Some(expected) = trimmed(&text.text, i.min(j)..i.max(j)) else {
                return Ok(());
            };
            let selector = quote_only(&text.text[expected.clone()]);
            let result = Anchorer::new(&text).anchor(&selector);
            check_invariants(&text, &selector, &result)?;
            match result {
                // A quote spanning blocks may still occur once inside another block.
                Ok(range) => prop_assert!(range == expected || !in_one_block(&text, &expected)),
                Err(Ambiguous { occurrences }) => prop_assert!(!occurrences.is_empty()),
                Err(CrossesBlocks { range }) => prop_assert!(range.start <= expected.start),
                other => prop_assert!(false, "{:?} for {:?}", other, selector),
            }
        }

        #[test]
        fn malformed_blocks_never_panic(
            source in tricky_string(24),
            raw_blocks in prop::collection::vec((0usize..80, 0usize..80), 0..6),
            quote in tricky_string(4),
            prefix in prop::option::of(tricky_string(2)),
        ) {
            let blocks = raw_blocks.into_iter().map(|(a, b)| a..b).collect();
            let text = RenderedText { text: source, blocks };
            let selector = Selector { quote: &quote, prefix: prefix.as_deref(), suffix: None };
            let source = text.text.as_str();
            let valid = |r: &Range<usize>| {
                r.start <= r.end && r.end <= source.len()
                    && source.is_char_boundary(r.start) && source.is_char_boundary(r.end)
            };
            match Anchorer::new(&text).anchor(&selector) {
                Ok(r) | Err(CrossesBlocks { range: r }) => prop_assert!(valid(&r)),
                Err(NotFound { closest }) => prop_assert!(closest.as_ref().is_none_or(valid)),
                Err(Ambiguous { occurrences: o } | ContextMismatch { occurrences: o }) => {
                    prop_assert!(o.iter().all(valid));
                }
                Err(EmptyQuote) => {}
            }
        }

        #[test]
        fn find_all_matches_naive_search(
            haystack in "[abé]{0,40}",
            needle in "[abé]{1,6}",
        ) {
            let naive: Vec<Range<usize>> = (0..haystack.len())
                .filter(|&i| haystack.is_char_boundary(i) && haystack[i..].starts_with(&needle))
                .map(|i| i..i + needle.len())
                .collect();
            prop_assert_eq!(find_all(&haystack, &needle), naive);
        }

        #[test]
        fn closest_is_exact_for_present_patterns(
            text in "[ab ]{1,30}",
            picks in any::<(Index, Index)>(),
        ) {
            let chars: Vec<char> = normalize(&text).chars().collect();
            let bounds: Vec<usize> = (0..=chars.len()).collect();
            let (i, j) = (*picks.0.get(&bounds), *picks.1.get(&bounds));
            let Some(picked) = trim_spaces(&chars, i.min(j)..i.max(j)) else {
                return Ok(());
            };
            let pattern = &chars[picked];
            let found = closest_chars(&chars, pattern).map(|r| chars[r].to_vec());
            prop_assert_eq!(found.as_deref(), Some(pattern));
        }
    }
}

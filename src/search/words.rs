//! The words of a text, as the index stores them and as `search.js` reads
//! a query: lower-cased, accents dropped (`Café` and `cafe` are one word),
//! split at anything that is neither a letter nor a digit.
//!
//! `static/search.js` does the same in the browser (`toLowerCase`,
//! `normalize("NFD")`, marks dropped, `normalize("NFC")`, runs of `\p{Alphabetic}\p{N}`), so a
//! change here must be made there too; the unit tests pin the cases where
//! the two could part.

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// Longer runs are blobs (base64, minified code), not words anyone types.
pub(crate) const MAX_WORD_BYTES: usize = 100;

/// The text a word list is cut from: `text` folded as described above.
pub(crate) fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    // Most text is ASCII with a few typographic quotes or accented names:
    // only the stretches between ASCII spaces and punctuation that hold
    // something else take the Unicode path. A word never spans such a
    // separator, so folding stretch by stretch gives the same words. The
    // ASCII between those stretches is copied and lower-cased in one go.
    let bytes = text.as_bytes();
    let is_separator = |b: &u8| b.is_ascii() && !b.is_ascii_alphanumeric();
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    while let Some(found) = bytes[done..].iter().position(|b| !b.is_ascii()) {
        let at = done + found;
        // Everything in done..at is ASCII, so the stretch holding `at`
        // starts after the last separator there and ends after the first
        // separator past `at`.
        let stretch_start = bytes[done..at]
            .iter()
            .rposition(is_separator)
            .map_or(done, |p| done + p + 1);
        let stretch_end = bytes[at..]
            .iter()
            .position(is_separator)
            .map_or(bytes.len(), |p| at + p + 1);
        push_ascii_lowercase(&mut out, &text[done..stretch_start]);
        fold_unicode(&text[stretch_start..stretch_end], &mut out);
        done = stretch_end;
    }
    push_ascii_lowercase(&mut out, &text[done..]);
    out
}

fn push_ascii_lowercase(out: &mut String, ascii: &str) {
    let from = out.len();
    out.push_str(ascii);
    out[from..].make_ascii_lowercase();
}

fn fold_unicode(text: &str, out: &mut String) {
    out.extend(
        text.to_lowercase()
            .nfd()
            .filter(|&c| !is_combining_mark(c))
            // Composed again: Hangul syllables decompose into letters, not marks.
            .nfc(),
    );
}

/// Calls `each` with every word of `folded` (the output of [`fold`]).
pub(crate) fn each_word<'t>(folded: &'t str, mut each: impl FnMut(&'t str)) {
    if folded.is_ascii() {
        // Most text: bytes are characters, and a table tells letters.
        let letters = folded.bytes().map(|b| b.is_ascii_alphanumeric());
        split(folded, letters.enumerate(), &mut each);
    } else {
        let letters = folded.char_indices().map(|(at, c)| {
            let letter = if c.is_ascii() {
                c.is_ascii_alphanumeric()
            } else {
                c.is_alphanumeric()
            };
            (at, letter)
        });
        split(folded, letters, &mut each);
    }
}

/// Calls `each` with every run of letters: `letters` says, for the start
/// of each character of `folded`, whether it is one.
fn split<'t>(
    folded: &'t str,
    letters: impl Iterator<Item = (usize, bool)>,
    each: &mut impl FnMut(&'t str),
) {
    let mut start = None;
    for (at, letter) in letters {
        match (letter, start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                emit(&folded[from..at], each);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        emit(&folded[from..], each);
    }
}

fn emit<'t>(word: &'t str, each: &mut impl FnMut(&'t str)) {
    if word.len() <= MAX_WORD_BYTES {
        each(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let folded = fold(text);
        let mut out = Vec::new();
        each_word(&folded, |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn words_are_folded_and_split() {
        let cases: &[(&str, &[&str])] = &[
            ("Hidden Cobra", &["hidden", "cobra"]),
            (
                "North Korea's WannaCry",
                &["north", "korea", "s", "wannacry"],
            ),
            ("175.45.178.1", &["175", "45", "178", "1"]),
            ("Café — CAFÉ", &["cafe", "cafe"]),
            ("Ri Jong-chol", &["ri", "jong", "chol"]),
            ("ΟΔΟΣ", &["οδος"]),
            ("평양 Pyongyang", &["평양", "pyongyang"]),
            ("x_y+z", &["x", "y", "z"]),
            ("", &[]),
            ("  --  ", &[]),
        ];
        for (text, expected) in cases {
            assert_eq!(words(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn folding_by_stretches_is_folding_the_whole() {
        for text in [
            "“Quoted” Café, e\u{301}te\u{301} — ΟΔΟΣ Σ; 평양 (x.y) naïve’s",
            "A\u{301}, \u{301}b",
            "plain ascii only",
        ] {
            let whole: String = text
                .to_lowercase()
                .nfd()
                .filter(|&c| !is_combining_mark(c))
                .nfc()
                .collect();
            assert_eq!(fold(text), whole, "{text:?}");
        }
    }

    /// Folding one separator-ended stretch at a time, as `fold` did before
    /// it copied the ASCII between stretches in one go.
    fn fold_stretch_by_stretch(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while !rest.is_empty() {
            let end = rest
                .find(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric())
                .map_or(rest.len(), |at| at + 1);
            let (stretch, after) = rest.split_at(end);
            fold_unicode(stretch, &mut out);
            rest = after;
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn folding_copies_ascii_as_stretches_would_fold_it(
            text in "[a-zA-Z0-9 .,'’“”éÉ\u{301}ΣσΟ평양\n-]{0,40}"
        ) {
            proptest::prop_assert_eq!(fold(&text), fold_stretch_by_stretch(&text));
        }
    }

    #[test]
    fn blobs_are_not_words() {
        let blob = "a".repeat(MAX_WORD_BYTES + 1);
        assert_eq!(words(&format!("one {blob} two")), ["one", "two"]);
        let hash = "e".repeat(64);
        assert_eq!(words(&hash), [hash.as_str()]);
    }
}

//! A word-level difference between a quote and the passage it was probably
//! meant to match, for the "quote not found" message: the reader should see
//! at once which word changed, went missing or was added.
//!
//! Words compare as anchoring compares text: straight and typographic quotes
//! are equal, and whitespace only separates words.

/// The difference in git's word-diff style: words only in the quote as
/// `[-word-]`, words only in the passage as `{+word+}`, and runs of more
/// than `CONTEXT` unchanged words on either side of a change shortened to
/// `…`. None when the two have the same words.
pub(crate) fn describe(quote: &str, passage: &str) -> Option<String> {
    let old: Vec<&str> = quote.split_whitespace().collect();
    let new: Vec<&str> = passage.split_whitespace().collect();
    let ops = diff(&old, &new)?;
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ops.len() {
        match ops[i] {
            Op::Same(_) => {
                let run = ops[i..]
                    .iter()
                    .take_while(|op| matches!(op, Op::Same(_)))
                    .count();
                let words: Vec<&str> = ops[i..i + run]
                    .iter()
                    .filter_map(|op| match op {
                        Op::Same(w) => Some(*w),
                        _ => None,
                    })
                    .collect();
                let (first, last) = (i == 0, i + run == ops.len());
                let keep_before = if first { 0 } else { CONTEXT };
                let keep_after = if last { 0 } else { CONTEXT };
                if words.len() > keep_before + keep_after + 1 {
                    out.extend(words[..keep_before].iter().map(|w| w.to_string()));
                    out.push("…".into());
                    out.extend(
                        words[words.len() - keep_after..]
                            .iter()
                            .map(|w| w.to_string()),
                    );
                } else {
                    out.extend(words.iter().map(|w| w.to_string()));
                }
                i += run;
            }
            Op::Removed(_) | Op::Added(_) => {
                let run = ops[i..]
                    .iter()
                    .take_while(|op| !matches!(op, Op::Same(_)))
                    .count();
                let (mut removed, mut added) = (Vec::new(), Vec::new());
                for op in &ops[i..i + run] {
                    match op {
                        Op::Removed(w) => removed.push(*w),
                        Op::Added(w) => added.push(*w),
                        Op::Same(_) => {}
                    }
                }
                let (removed, added) = (removed.join(" "), added.join(" "));
                let mut change = String::new();
                if !removed.is_empty() {
                    change.push_str(&format!("[-{removed}-]"));
                }
                if !added.is_empty() {
                    change.push_str(&format!("{{+{added}+}}"));
                }
                out.push(change);
                i += run;
            }
        }
    }
    Some(out.join(" "))
}

/// Unchanged words kept on each side of a change.
const CONTEXT: usize = 3;

/// Longer inputs are not compared word by word (the table is quadratic).
const MAX_WORDS: usize = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

fn same_word(a: &str, b: &str) -> bool {
    let fold = |c: char| match c {
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' => '\'',
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' => '"',
        c => c,
    };
    a.chars().map(fold).eq(b.chars().map(fold))
}

/// The edit script of a longest common subsequence of words; None when the
/// words are the same or there are too many to compare.
fn diff<'a>(old: &[&'a str], new: &[&'a str]) -> Option<Vec<Op<'a>>> {
    if old.len() > MAX_WORDS || new.len() > MAX_WORDS {
        return None;
    }
    if old.len() == new.len() && old.iter().zip(new).all(|(a, b)| same_word(a, b)) {
        return None;
    }
    // lcs[i][j]: common words of old[i..] and new[j..].
    let mut lcs = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i][j] = if same_word(old[i], new[j]) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::with_capacity(old.len() + new.len());
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && same_word(old[i], new[j]) {
            ops.push(Op::Same(new[j]));
            i += 1;
            j += 1;
        } else if j < new.len() && (i == old.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push(Op::Added(new[j]));
            j += 1;
        } else {
            ops.push(Op::Removed(old[i]));
            i += 1;
        }
    }
    // Show a replaced word as removed then added, however the walk met them.
    for group in ops.split_mut(|op| matches!(op, Op::Same(_))) {
        group.sort_by_key(|op| matches!(op, Op::Added(_)));
    }
    Some(ops)
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn realistic_typos_show_what_changed() {
        let cases = [
            (
                "changed word",
                "bad spelling",
                "poor spelling",
                "[-bad-]{+poor+} spelling",
            ),
            (
                "missing word",
                "the attackers sent payment instructions",
                "the attackers sent 35 payment instructions",
                "the attackers sent {+35+} payment instructions",
            ),
            (
                "extra word",
                "moved the money quickly through the network",
                "moved the money through the network",
                "moved the money [-quickly-] through the network",
            ),
            (
                "changed punctuation",
                "the heist, which failed",
                "the heist; which failed",
                "the [-heist,-]{+heist;+} which failed",
            ),
            (
                "an older version of the article",
                "Together they asked for about $951 million in all.",
                "Together they asked for about US$951 million.",
                "… asked for about [-$951 million in all.-]{+US$951 million.+}",
            ),
            (
                "long unchanged runs are shortened",
                "one two three four five six seven eight nine ten eleven",
                "one two three four five six seven eight nine ten twelve",
                "… eight nine ten [-eleven-]{+twelve+}",
            ),
        ];
        for (name, quote, passage, expected) in cases {
            assert_eq!(
                describe(quote, passage).as_deref(),
                Some(expected),
                "{name}"
            );
        }
    }

    #[test]
    fn same_words_have_no_difference() {
        assert_eq!(describe("a  “quoted”\nword", "a \"quoted\" word"), None);
        assert_eq!(describe("", ""), None);
    }

    #[test]
    fn anything_goes_without_panicking() {
        for (a, b) in [("", "x"), ("x", ""), ("a a a", "a"), ("é ü", "ü é")] {
            assert!(describe(a, b).is_some(), "{a} / {b}");
        }
    }
}

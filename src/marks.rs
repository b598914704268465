//! The text a reader sees in rendered HTML, and `<mark>` elements woven
//! into it.
//!
//! Annotations anchor to what a reader sees, not to Markdown source, so we
//! read the visible text back out of the HTML we rendered (Markdown,
//! highlighted code, raw HTML alike), remembering where each text run sits.
//! Marks are then inserted around pieces of single text runs only, so the
//! result stays balanced however quotes cross elements or overlap.

use std::collections::HashSet;
use std::ops::Range;

use crate::anchor::RenderedText;
use crate::html::{self, Token, Tokenizer};

/// One run of text in the HTML and where its decoded text starts in the
/// rendered text.
#[derive(Debug, Clone)]
pub(crate) struct TextRun {
    html: Range<usize>,
    text_start: usize,
}

/// Elements whose start or end separates blocks of text.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements whose content is not visible text.
const HIDDEN_TAGS: &[&str] = &["script", "style", "template", "textarea", "title"];

/// Collects the visible text of `html`, appending it to `out` (blocks are
/// separated by a newline that belongs to no block), and returns the runs.
pub(crate) fn extract(html: &str, out: &mut RenderedText) -> Vec<TextRun> {
    let mut runs = Vec::new();
    let mut block_start: Option<usize> = None;
    // Inside a hidden element, its name: nothing shows until it closes.
    let mut hidden: Option<&str> = None;
    let close_block = |out: &mut RenderedText, block_start: &mut Option<usize>| {
        if let Some(start) = block_start.take()
            && out.text.len() > start
        {
            out.blocks.push(start..out.text.len());
        }
    };
    for token in Tokenizer::new(html) {
        let (tag, closing) = match token {
            Token::StartTag(tag) => (tag, false),
            Token::EndTag(tag) => (tag, true),
            Token::Text(range) if hidden.is_none() => {
                let raw = &html[range.clone()];
                if block_start.is_none() {
                    if raw.trim().is_empty() {
                        continue;
                    }
                    if !out.text.is_empty() {
                        out.text.push('\n');
                    }
                    block_start = Some(out.text.len());
                }
                runs.push(TextRun {
                    html: range,
                    text_start: out.text.len(),
                });
                html::decode_into(raw, &mut out.text);
                continue;
            }
            // Comments, declarations, `script` and `style` content.
            _ => continue,
        };
        if let Some(name) = hidden {
            if closing && tag.is(name) {
                hidden = None;
            }
        } else if let Some(&name) = HIDDEN_TAGS.iter().find(|&&n| tag.is(n)) {
            if !closing {
                hidden = Some(name);
            }
        } else if BLOCK_TAGS.iter().any(|&n| tag.is(n)) {
            close_block(out, &mut block_start);
        } else if tag.is("br") && block_start.is_some() {
            out.text.push('\n');
        }
    }
    close_block(out, &mut block_start);
    runs
}

/// A span of the rendered text to wrap, with the annotation id it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Mark<'a> {
    pub(crate) range: Range<usize>,
    pub(crate) id: &'a str,
}

/// Inserts `<mark data-annotation="ID">` around every piece of text covered
/// by `marks`. The first mark of each annotation (across calls, tracked in
/// `seen`) carries `id="ID"`. Overlapping annotations nest, the one that
/// starts first (or is longer) outside.
pub(crate) fn weave<'a>(
    html: &str,
    runs: &[TextRun],
    marks: &[Mark<'a>],
    seen: &mut HashSet<&'a str>,
) -> String {
    if marks.is_empty() {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + marks.len() * 64);
    let mut copied = 0;
    for run in runs {
        let raw = &html[run.html.clone()];
        let run_len = html::decoded_len(raw);
        let run_text = run.text_start..run.text_start + run_len;
        if !marks
            .iter()
            .any(|m| m.range.start < run_text.end && run_text.start < m.range.end)
        {
            continue;
        }
        out.push_str(&html[copied..run.html.start]);
        weave_run(raw, run.text_start, marks, seen, &mut out);
        copied = run.html.end;
    }
    out.push_str(&html[copied..]);
    out
}

fn weave_run<'a>(
    raw: &str,
    text_start: usize,
    marks: &[Mark<'a>],
    seen: &mut HashSet<&'a str>,
    out: &mut String,
) {
    let mut offset = text_start;
    let mut open: Vec<usize> = Vec::new();
    let mut piece_start = 0;
    let flush = |open: &Vec<usize>, piece: &str, out: &mut String, seen: &mut HashSet<&'a str>| {
        if piece.is_empty() {
            return;
        }
        for &m in open {
            let id = marks[m].id;
            if seen.insert(id) {
                out.push_str(&format!("<mark data-annotation=\"{id}\" id=\"{id}\">"));
            } else {
                out.push_str(&format!("<mark data-annotation=\"{id}\">"));
            }
        }
        out.push_str(piece);
        for _ in open {
            out.push_str("</mark>");
        }
    };
    // The marks covering a character change only where one starts or
    // ends: they are looked up again there, not at every character.
    let mut next_change = 0;
    for unit in html::units(raw) {
        if offset >= next_change {
            let active = active_marks(marks, offset);
            if active != open {
                flush(&open, &raw[piece_start..unit.raw.start], out, seen);
                piece_start = unit.raw.start;
                open = active;
            }
            next_change = next_boundary(marks, offset);
        }
        offset += unit.text.len_utf8();
    }
    flush(&open, &raw[piece_start..], out, seen);
}

/// The first text offset after `at` where a mark starts or ends.
fn next_boundary(marks: &[Mark<'_>], at: usize) -> usize {
    marks
        .iter()
        .flat_map(|m| [m.range.start, m.range.end])
        .filter(|&b| b > at)
        .min()
        .unwrap_or(usize::MAX)
}

/// Indices of the marks covering text offset `at`, outermost first.
fn active_marks(marks: &[Mark<'_>], at: usize) -> Vec<usize> {
    let mut active: Vec<usize> = (0..marks.len())
        .filter(|&i| marks[i].range.contains(&at))
        .collect();
    active.sort_by_key(|&i| {
        (
            marks[i].range.start,
            std::cmp::Reverse(marks[i].range.end),
            i,
        )
    });
    active
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn text_of(html: &str) -> (RenderedText, Vec<TextRun>) {
        let mut out = RenderedText {
            text: String::new(),
            blocks: Vec::new(),
        };
        let runs = extract(html, &mut out);
        (out, runs)
    }

    /// Checks that every opened element is closed in order (void elements aside).
    pub(crate) fn is_balanced(html: &str) -> bool {
        const VOID: &[&str] = &[
            "br", "hr", "img", "input", "meta", "link", "col", "wbr", "source",
        ];
        let mut stack: Vec<String> = Vec::new();
        for token in Tokenizer::new(html) {
            match token {
                Token::EndTag(tag) => {
                    let open = stack.pop();
                    if !open.is_some_and(|name| tag.is(&name)) {
                        return false;
                    }
                }
                Token::StartTag(tag) if !VOID.iter().any(|&v| tag.is(v)) && !tag.self_closing => {
                    stack.push(tag.name.to_ascii_lowercase());
                }
                _ => {}
            }
        }
        stack.is_empty()
    }

    #[test]
    fn visible_text_and_blocks() {
        let (text, _) = text_of(
            "<h1>Title &amp; more</h1>\n<p>One <em>two</em><br />three</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n",
        );
        assert_eq!(text.text, "Title & more\nOne two\nthree\na\nb");
        let blocks: Vec<&str> = text.blocks.iter().map(|r| &text.text[r.clone()]).collect();
        assert_eq!(blocks, ["Title & more", "One two\nthree", "a", "b"]);
    }

    #[test]
    fn hidden_text_and_comments_are_skipped() {
        let (text, _) = text_of("<p>a<!-- b --></p><script>var x = '<p>';</script><p>c</p>");
        assert_eq!(text.text, "a\nc");
    }

    #[test]
    fn marks_cross_inline_elements_and_nest() {
        let html = "<p>the <em>attempted</em> $951 million heist</p>";
        let (_, runs) = text_of(html);
        // "the attempted $951 million heist": mark "attempted $951" and "$951 million".
        let marks = [
            Mark {
                range: 4..18,
                id: "a",
            },
            Mark {
                range: 14..26,
                id: "b",
            },
        ];
        let mut seen = HashSet::new();
        let out = weave(html, &runs, &marks, &mut seen);
        assert_eq!(
            out,
            "<p>the <em><mark data-annotation=\"a\" id=\"a\">attempted</mark></em>\
             <mark data-annotation=\"a\"> </mark>\
             <mark data-annotation=\"a\"><mark data-annotation=\"b\" id=\"b\">$951</mark></mark>\
             <mark data-annotation=\"b\"> million</mark> heist</p>"
        );
        assert!(is_balanced(&out));
    }

    #[test]
    fn entities_count_as_one_character() {
        let html = "<p>AT&amp;T &lt;b&gt; “x”</p>";
        let (text, runs) = text_of(html);
        assert_eq!(text.text, "AT&T <b> “x”");
        let start = text.text.find('<').unwrap();
        let marks = [Mark {
            range: start..start + 3,
            id: "q",
        }];
        let out = weave(html, &runs, &marks, &mut HashSet::new());
        assert_eq!(
            out,
            "<p>AT&amp;T <mark data-annotation=\"q\" id=\"q\">&lt;b&gt;</mark> “x”</p>"
        );
    }

    #[test]
    fn raw_html_reads_as_a_browser_shows_it() {
        // Numeric references decode (`&#146;` is Windows-1252's `’`), and
        // declarations are hidden like comments.
        let html = "<p>it&#8217;s &#146;x&#146; <?php x ?><!x>AT&T</p>";
        let (text, runs) = text_of(html);
        assert_eq!(text.text, "it’s ’x’ AT&T");
        let start = text.text.find("’x").unwrap();
        let marks = [Mark {
            range: start..start + "’x’".len(),
            id: "q",
        }];
        let out = weave(html, &runs, &marks, &mut HashSet::new());
        assert_eq!(
            out,
            "<p>it&#8217;s <mark data-annotation=\"q\" id=\"q\">&#146;x&#146;</mark> <?php x ?><!x>AT&T</p>"
        );
    }
}

/// Arbitrary Markdown through the whole article path: render, anchor quotes
/// taken from the text, weave marks. The HTML must stay balanced and keep
/// its visible text, and each quote's marks must hold exactly the quote.
#[cfg(test)]
mod pipeline_properties {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::tests::is_balanced;
    use super::*;
    use crate::anchor::{Anchorer, Selector};
    use crate::markdown::{self, Target};

    /// The visible text, whitespace runs collapsed: a whitespace-only run
    /// at the start of a block may be cut off by a mark, which changes no
    /// anchoring (whitespace runs are all equal) but would change bytes.
    fn visible_text(html: &str) -> String {
        let mut out = RenderedText::default();
        extract(html, &mut out);
        out.text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The text inside `<mark data-annotation="id">` elements, in order.
    fn marked_text(html: &str, id: &str) -> String {
        let open = format!("<mark data-annotation=\"{id}\"");
        let mut text = String::new();
        let mut rest = html;
        while let Some(start) = rest.find(&open) {
            let after = &rest[start..];
            let content_start = after.find('>').map_or(after.len(), |i| i + 1);
            let content = &after[content_start..];
            // Our marks never contain elements other than nested marks.
            let end = content.find("</mark>").unwrap_or(content.len());
            let inner = &content[..end];
            let inner_text: String = {
                let mut t = String::new();
                let mut in_tag = false;
                for c in inner.chars() {
                    match c {
                        '<' => in_tag = true,
                        '>' => in_tag = false,
                        c if !in_tag => t.push(c),
                        _ => {}
                    }
                }
                t
            };
            text.push_str(&html::decode_entities(&inner_text));
            rest = &content[end..];
        }
        text
    }

    fn markdown_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "[a-zA-Z0-9 ]{1,12}",
                Just("*".to_string()),
                Just("**".to_string()),
                Just("`".to_string()),
                Just("_".to_string()),
                Just("\n".to_string()),
                Just("\n\n".to_string()),
                Just("- ".to_string()),
                Just("# ".to_string()),
                Just("> ".to_string()),
                Just("[link](https://example.org)".to_string()),
                Just("[x](@missing)".to_string()),
                Just("&amp; < > \" '".to_string()),
                Just("“é” 👍🏽 日本".to_string()),
                Just("<b>raw</b>".to_string()),
                Just("\n```\ncode <x>\n```\n".to_string()),
                Just("| a | b |\n|---|---|\n| c | d |\n".to_string()),
            ],
            0..30,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn woven_html_stays_balanced(md in markdown_text(), picks in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), 1usize..40), 0..4)) {
            let rendered = markdown::render_article(&md, false, &|_, _| Target::Unknown, &[]);
            let anchorer = Anchorer::new(&rendered.text);
            let text = &rendered.text;
            let ids = ["q0", "q1", "q2", "q3"];
            let mut marks = Vec::new();
            for (n, (block, start, len)) in picks.iter().enumerate() {
                if text.blocks.is_empty() {
                    break;
                }
                let block = text.blocks[block.index(text.blocks.len())].clone();
                let chars: Vec<usize> = text.text[block.clone()].char_indices().map(|(i, _)| block.start + i).collect();
                let from = chars[start.index(chars.len())];
                let to = chars.iter().copied().find(|&c| c >= from + len).unwrap_or(block.end);
                let quote = &text.text[from..to];
                let selector = Selector { quote, prefix: None, suffix: None };
                if let Ok(range) = anchorer.anchor(&selector) {
                    marks.push(Mark { range, id: ids[n] });
                }
            }
            let mut seen = HashSet::new();
            let mut html = String::new();
            let mut original = String::new();
            for block in &rendered.blocks {
                let block_marks: Vec<Mark<'_>> = marks
                    .iter()
                    .filter(|m| m.range.start < block.text.end && block.text.start < m.range.end)
                    .cloned()
                    .collect();
                html.push_str(&weave(&block.html, &block.runs, &block_marks, &mut seen));
                original.push_str(&block.html);
            }
            prop_assert!(is_balanced(&html), "unbalanced: {html}");
            prop_assert_eq!(visible_text(&html), visible_text(&original));
            for mark in &marks {
                let expected: String = text.text[mark.range.clone()].split_whitespace().collect();
                let got: String = marked_text(&html, mark.id).split_whitespace().collect();
                prop_assert_eq!(got, expected, "mark {} in {}", mark.id, html);
                prop_assert_eq!(html.matches(&format!("id=\"{}\"", mark.id)).count(), 1);
            }
        }
    }
}

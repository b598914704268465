//! Reading HTML back: a tokenizer with exact byte ranges, and character
//! references. The one place that decides what in a page is markup and
//! what is text, for `marks.rs` (the visible text of an article, and marks
//! woven into it) and `links.rs` (`dossier check`).
//!
//! It follows the WHATWG tokenizer where our readers can tell the
//! difference, since what a browser sees is what both of them are about: a
//! tag starts with `<` and a letter and runs to the first `>` outside a
//! quoted attribute value; `<!`, `<?` and `</` followed by no letter are
//! comment-like declarations a browser hides; any other `<` is text; the
//! content of `script` and `style` is raw text, ended only by its own end
//! tag. Where we simplify: text inside `title` and `textarea` is not
//! treated as raw, CDATA sections end at `]]>` as in XML and SVG (our
//! scanner reads sitemaps and feeds too), and a tag left open at the end of
//! the input is still a tag (a browser drops it; neither reader may take it
//! for text). It never panics, whatever the input: user templates can hold
//! anything.
//!
//! Hand-written rather than a crate, measured before choosing.
//! `html5gum` (0.9) is the well-kept spec-complete tokenizer with spans,
//! but it hands text over decoded, while weaving marks needs the source
//! position of every character of a run, so a reference decoder of our own
//! would stay beside it; `lol_html` is a streaming rewriter built around
//! CSS selectors (`cssparser`, `selectors`, `encoding_rs`), much more than
//! two readers of tokens need; `tl` builds a tree. Tokenizing the 2,000
//! article pages of `bench/gen_corpus.py --articles 2000` (36.8 MB) took
//! 42 ms here against 294 ms for `html5gum` with its callback emitter and
//! spans, and the 0.8 MB timeline page 1.0 ms against 6.4 ms (CPU time per
//! pass, each reader in its own process, release build). The scanners this
//! replaced took 183 ms (visible text) and 104 ms (links) for those pages;
//! through this tokenizer they take 90 ms and 73 ms.

mod entities;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::ops::Range;

use memchr::{memchr, memmem};

pub(crate) use entities::{decode_entities, decode_into, decoded_len, units};

/// A piece of an HTML document. Together, the tokens of a document cover
/// it from start to end without gaps or overlaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// Text between markup, references not decoded (see [`units`]); never
    /// empty.
    Text(Range<usize>),
    /// The content of a `script` or `style` element, which holds no markup;
    /// never empty.
    RawText(Range<usize>),
    StartTag(Tag<'a>),
    EndTag(Tag<'a>),
    /// `<!-- ... -->`, to the end of the input when unclosed.
    Comment(Range<usize>),
    /// Every other `<!...>`, `<?...>` or `</...>` that is not an end tag:
    /// doctypes, CDATA sections, processing instructions, and what the
    /// standard calls bogus comments. None of it is visible.
    Declaration(Range<usize>),
}

impl Token<'_> {
    /// Where the token is in the document.
    pub(crate) fn range(&self) -> Range<usize> {
        match self {
            Token::Text(range)
            | Token::RawText(range)
            | Token::Comment(range)
            | Token::Declaration(range)
            | Token::StartTag(Tag { range, .. })
            | Token::EndTag(Tag { range, .. }) => range.clone(),
        }
    }
}

/// A start or end tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag<'a> {
    /// The name as written: compare with [`Tag::is`].
    pub(crate) name: &'a str,
    /// The whole tag, `<` to `>`, or to the end of the input when unclosed.
    pub(crate) range: Range<usize>,
    /// Ends with `/>` (which HTML ignores except on foreign elements).
    pub(crate) self_closing: bool,
    /// What follows the name, up to the closing `>`.
    attributes: &'a str,
}

impl<'a> Tag<'a> {
    /// Whether the tag is named `name` (lowercase), ignoring ASCII case.
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The tag's attributes, in order, duplicates included.
    pub(crate) fn attributes(&self) -> Attributes<'a> {
        Attributes::new(self.attributes)
    }
}

/// An attribute of a tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attribute<'a> {
    /// The name as written.
    pub(crate) name: &'a str,
    /// The value as written, without quotes; `None` for a bare `disabled`.
    pub(crate) raw_value: Option<&'a str>,
}

impl<'a> Attribute<'a> {
    /// Whether the attribute is named `name` (lowercase), ignoring ASCII case.
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The value with its character references decoded. Decoding is left
    /// to the caller that wants it, because most attributes are never read.
    pub(crate) fn value(&self) -> Option<Cow<'a, str>> {
        self.raw_value.map(decode_entities)
    }
}

/// The attributes of a tag, read the way the standard does: a name runs to
/// whitespace, `/`, `>` or `=`; a quoted value runs to its closing quote
/// whatever it holds; an unquoted one to whitespace or `>`.
pub(crate) struct Attributes<'a> {
    source: &'a str,
    at: usize,
    /// The last thing skipped was a `/`: if `>` follows, the tag closes
    /// itself (a `/` inside an unquoted value does not count).
    slash: bool,
}

impl<'a> Attributes<'a> {
    fn new(source: &'a str) -> Self {
        Attributes {
            source,
            at: 0,
            slash: false,
        }
    }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Attribute<'a>;

    /// Stops at the `>` that closes the tag, or at the end of the input.
    fn next(&mut self) -> Option<Attribute<'a>> {
        let bytes = self.source.as_bytes();
        loop {
            match bytes.get(self.at) {
                None | Some(b'>') => return None,
                Some(b'/') => self.slash = true,
                Some(&b) if is(b, SPACE) => self.slash = false,
                Some(_) => break,
            }
            self.at += 1;
        }
        self.slash = false;
        // The first character belongs to the name even if it is `=`; the
        // delimiters are ASCII, so every slice below is on char boundaries.
        let start = self.at;
        self.at = until(bytes, start + 1, SPACE | SLASH | GT | EQUALS);
        let name = &self.source[start..self.at];
        let after_name = skip_spaces(bytes, self.at);
        if bytes.get(after_name) != Some(&b'=') {
            return Some(Attribute {
                name,
                raw_value: None,
            });
        }
        self.at = skip_spaces(bytes, after_name + 1);
        let raw_value = match bytes.get(self.at) {
            Some(&quote @ (b'"' | b'\'')) => {
                let start = self.at + 1;
                let end = memchr(quote, &bytes[start..]).map_or(bytes.len(), |i| start + i);
                self.at = (end + 1).min(bytes.len());
                &self.source[start..end]
            }
            _ => {
                let start = self.at;
                self.at = until(bytes, start, SPACE | GT);
                &self.source[start..self.at]
            }
        };
        Some(Attribute {
            name,
            raw_value: Some(raw_value),
        })
    }
}

/// The tokens of an HTML document, in order.
pub(crate) struct Tokenizer<'a> {
    html: &'a str,
    at: usize,
    /// After a `script` or `style` start tag, that tag's name: what follows
    /// is raw text up to its end tag.
    raw: Option<&'static str>,
}

impl<'a> Tokenizer<'a> {
    pub(crate) fn new(html: &'a str) -> Self {
        Tokenizer {
            html,
            at: 0,
            raw: None,
        }
    }

    /// Whether the `<` at `at` starts markup rather than being text.
    fn starts_markup(&self, at: usize) -> bool {
        match self.html.as_bytes().get(at + 1) {
            Some(b) if b.is_ascii_alphabetic() => true,
            Some(b'!' | b'?') => true,
            // `</` at the very end is text, as in a browser.
            Some(b'/') => at + 2 < self.html.len(),
            _ => false,
        }
    }

    /// The markup that starts with the `<` at `at`, which starts markup.
    fn markup(&self, at: usize) -> Token<'a> {
        let bytes = self.html.as_bytes();
        // Tags first: they are nearly all of the markup.
        if bytes[at + 1].is_ascii_alphabetic() {
            return Token::StartTag(self.tag(at, at + 1));
        }
        if bytes[at + 1] == b'/' && bytes[at + 2].is_ascii_alphabetic() {
            return Token::EndTag(self.tag(at, at + 2));
        }
        let up_to = |pattern: &[u8], from: usize| {
            memmem::find(&bytes[from..], pattern).map_or(bytes.len(), |i| from + i + pattern.len())
        };
        let rest = &bytes[at..];
        if rest.starts_with(b"<!--") {
            // `<!-->` and `<!--->` are complete, empty comments.
            let end = match &rest[4..] {
                [b'>', ..] => at + 5,
                [b'-', b'>', ..] => at + 6,
                _ => comment_end(bytes, at + 4),
            };
            return Token::Comment(at..end);
        }
        if rest.starts_with(b"<![CDATA[") {
            return Token::Declaration(at..up_to(b"]]>", at + 9));
        }
        // `<!doctype>`, `<?xml ...?>`, `</ x>`, `</>`: all hidden to `>`.
        Token::Declaration(at..up_to(b">", at + 1))
    }

    /// The tag at `at` whose name starts at `name_start`.
    fn tag(&self, at: usize, name_start: usize) -> Tag<'a> {
        let bytes = self.html.as_bytes();
        let name_end = until(bytes, name_start, SPACE | SLASH | GT);
        let (close, self_closing) = if bytes.get(name_end) == Some(&b'>') {
            (name_end, false)
        } else {
            let mut attributes = Attributes::new(&self.html[name_end..]);
            attributes.by_ref().for_each(drop);
            let close = name_end + attributes.at;
            (close, attributes.slash && close < bytes.len())
        };
        Tag {
            name: &self.html[name_start..name_end],
            range: at..(close + 1).min(bytes.len()),
            self_closing,
            attributes: &self.html[name_end..close],
        }
    }

    /// Where the raw text of a `name` element ends: at `</name` followed by
    /// whitespace, `/` or `>`, ignoring case; else at the end of the input.
    fn raw_text_end(&self, name: &str) -> usize {
        let bytes = self.html.as_bytes();
        let mut from = self.at;
        while let Some(i) = memmem::find(&bytes[from..], b"</") {
            let name_start = from + i + 2;
            let name_end = name_start + name.len();
            if bytes
                .get(name_start..name_end)
                .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
                && bytes
                    .get(name_end)
                    .is_some_and(|&b| is(b, SPACE | SLASH | GT))
            {
                return from + i;
            }
            from = name_start;
        }
        bytes.len()
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let start = self.at;
        if start >= self.html.len() {
            return None;
        }
        if let Some(name) = self.raw.take() {
            let end = self.raw_text_end(name);
            if end > start {
                self.at = end;
                return Some(Token::RawText(start..end));
            }
        }
        let bytes = self.html.as_bytes();
        if bytes[start] == b'<' && self.starts_markup(start) {
            let token = self.markup(start);
            self.at = token.range().end;
            if let Token::StartTag(tag) = &token {
                self.raw = ["script", "style"].into_iter().find(|&n| tag.is(n));
            }
            return Some(token);
        }
        // Text runs to the next `<` that starts markup. A `<` is ASCII, so
        // wherever one is found is a char boundary.
        let mut from = if bytes[start] == b'<' {
            start + 1
        } else {
            start
        };
        self.at = loop {
            match memchr(b'<', &bytes[from..]) {
                Some(i) if self.starts_markup(from + i) => break from + i,
                Some(i) => from += i + 1,
                None => break bytes.len(),
            }
        };
        Some(Token::Text(start..self.at))
    }
}

/// Where the comment whose body starts at `from` ends: just past its `-->`
/// (or `--!>`, which browsers accept too), or at the end of the input.
fn comment_end(bytes: &[u8], mut from: usize) -> usize {
    while let Some(i) = memmem::find(&bytes[from..], b"--") {
        let after = from + i + 2;
        match &bytes[after..] {
            [b'>', ..] => return after + 1,
            [b'!', b'>', ..] => return after + 2,
            _ => from = from + i + 1,
        }
    }
    bytes.len()
}

// Byte classes, looked up in one table: the scanning loops test every byte
// of a tag against several delimiters.
const SPACE: u8 = 1;
const SLASH: u8 = 2;
const GT: u8 = 4;
const EQUALS: u8 = 8;
const CLASSES: [u8; 256] = {
    let mut table = [0; 256];
    // HTML's whitespace, not Unicode's: a no-break space is part of a name.
    table[b' ' as usize] = SPACE;
    table[b'\t' as usize] = SPACE;
    table[b'\n' as usize] = SPACE;
    table[b'\r' as usize] = SPACE;
    table[0x0c] = SPACE;
    table[b'/' as usize] = SLASH;
    table[b'>' as usize] = GT;
    table[b'=' as usize] = EQUALS;
    table
};

/// Whether `b` is in one of the `classes`.
fn is(b: u8, classes: u8) -> bool {
    CLASSES[b as usize] & classes != 0
}

/// The first position from `from` whose byte is in one of the `classes`,
/// or the end.
fn until(bytes: &[u8], from: usize, classes: u8) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| is(b, classes))
        .map_or(bytes.len(), |i| from + i)
}

fn skip_spaces(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| !is(b, SPACE))
        .map_or(bytes.len(), |i| from + i)
}

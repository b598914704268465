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
//! Hand-written rather than a crate. `html5gum` is the well-kept
//! spec-complete tokenizer with spans, but its text comes decoded, while
//! weaving marks needs the source position of every character of a text
//! run, so we would keep our own reference decoder beside it anyway;
//! `lol_html` rewrites streams without source offsets, and `tl` builds a
//! tree. Measured on a 1.6 MB page (`html5gum` 0.9 with its callback emitter
//! and spans; 20 runs each, release build), this tokenizer read it in
//! about MEASURED_OURS and `html5gum` in MEASURED_THEIRS.

mod entities;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::ops::Range;

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
                Some(&b) if is_space(b) => self.slash = false,
                Some(_) => break,
            }
            self.at += 1;
        }
        self.slash = false;
        // The first character belongs to the name even if it is `=`; the
        // delimiters are ASCII, so every slice below is on char boundaries.
        let start = self.at;
        self.at += 1;
        self.at += count(&bytes[self.at..], |b| !(is_space(b) || b"/>=".contains(&b)));
        let name = &self.source[start..self.at];
        let after_name = self.at + count(&bytes[self.at..], is_space);
        if bytes.get(after_name) != Some(&b'=') {
            return Some(Attribute {
                name,
                raw_value: None,
            });
        }
        self.at = after_name + 1;
        self.at += count(&bytes[self.at..], is_space);
        let raw_value = match bytes.get(self.at) {
            Some(&quote @ (b'"' | b'\'')) => {
                let start = self.at + 1;
                let end = self.source[start..]
                    .find(quote as char)
                    .map_or(self.source.len(), |i| start + i);
                self.at = (end + 1).min(self.source.len());
                &self.source[start..end]
            }
            _ => {
                let start = self.at;
                self.at += count(&bytes[start..], |b| !(is_space(b) || b == b'>'));
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
        let rest = &self.html[at..];
        let bytes = rest.as_bytes();
        let to = |len: usize| at..at + len;
        let up_to = |pat: &str, from: usize| {
            rest[from..]
                .find(pat)
                .map_or(rest.len(), |i| from + i + pat.len())
        };
        if let Some(body) = rest.strip_prefix("<!--") {
            // `<!-->` and `<!--->` are complete, empty comments.
            let len = if body.starts_with('>') {
                5
            } else if body.starts_with("->") {
                6
            } else {
                comment_end(body).map_or(rest.len(), |end| 4 + end)
            };
            return Token::Comment(to(len));
        }
        if rest.starts_with("<![CDATA[") {
            return Token::Declaration(to(up_to("]]>", 9)));
        }
        let end_tag = bytes[1] == b'/';
        let name_start = if end_tag { 2 } else { 1 };
        if !bytes[name_start].is_ascii_alphabetic() {
            // `<!doctype>`, `<?xml ...?>`, `</ x>`, `</>`: all hidden to `>`.
            return Token::Declaration(to(up_to(">", name_start)));
        }
        let name_len = count(&bytes[name_start..], |b| {
            !(is_space(b) || b == b'/' || b == b'>')
        });
        let after_name = name_start + name_len;
        let mut attributes = Attributes::new(&rest[after_name..]);
        attributes.by_ref().for_each(drop);
        let close = after_name + attributes.at;
        let tag = Tag {
            name: &rest[name_start..after_name],
            range: to((close + 1).min(rest.len())),
            self_closing: attributes.slash && close < rest.len(),
            attributes: &rest[after_name..close],
        };
        if end_tag {
            Token::EndTag(tag)
        } else {
            Token::StartTag(tag)
        }
    }

    /// Where the raw text of a `name` element ends: at `</name` followed by
    /// whitespace, `/` or `>`, ignoring case; else at the end of the input.
    fn raw_text_end(&self, name: &str) -> usize {
        let bytes = self.html.as_bytes();
        let mut from = self.at;
        while let Some(i) = self.html[from..].find("</") {
            let name_start = from + i + 2;
            let name_end = name_start + name.len();
            if bytes
                .get(name_start..name_end)
                .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
                && bytes
                    .get(name_end)
                    .is_some_and(|&b| is_space(b) || b == b'/' || b == b'>')
            {
                return from + i;
            }
            from = name_start;
        }
        self.html.len()
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
        let mut end = if bytes[start] == b'<' {
            start + 1
        } else {
            start
        };
        self.at = loop {
            match self.html[end..].find('<') {
                Some(i) if self.starts_markup(end + i) => break end + i,
                Some(i) => end += i + 1,
                None => break self.html.len(),
            }
        };
        Some(Token::Text(start..self.at))
    }
}

/// Where a comment's body ends, just past its `-->` (or `--!>`, which
/// browsers accept too).
fn comment_end(body: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = body[from..].find("--") {
        let after = from + i + 2;
        match body.as_bytes().get(after) {
            Some(b'>') => return Some(after + 1),
            Some(b'!') if body.as_bytes().get(after + 1) == Some(&b'>') => return Some(after + 2),
            _ => from = from + i + 1,
        }
    }
    None
}

/// HTML's whitespace (not Unicode's: a no-break space is part of a name).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// How many leading bytes of `bytes` satisfy `keep`.
fn count(bytes: &[u8], keep: impl Fn(u8) -> bool) -> usize {
    bytes.iter().take_while(|&&b| keep(b)).count()
}

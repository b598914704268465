//! One article end to end: its Markdown rendered, every annotation anchored
//! to the rendered text, marks woven into the HTML and notes placed after
//! the block that holds their quote. Anchoring failures become diagnostics
//! that point at the quote in the annotations file.

use std::cell::LazyCell;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use crate::anchor::{AnchorError, Anchorer, RenderedText, Selector};
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::graph::{Dossier, ItemRef, Lookup, markdown_span};
use crate::links::SourcedLink;
use crate::markdown::{self, BadRef, BadUrl, Block, LinkRef, Target};
use crate::marks::{self, Mark};
use crate::model::{Annotation, Markdown};
use crate::packed::Packed;

/// A rendered article, ready for its page.
#[derive(Debug, Default)]
pub(crate) struct ArticleOut {
    /// The body's HTML, block after block, packed: it is read only by the
    /// article's page and the exports (see `crate::packed`).
    html: Packed,
    pub(crate) blocks: Vec<BlockOut>,
    /// The anchored range of each annotation (None when anchoring failed).
    pub(crate) anchors: Vec<Option<Range<usize>>>,
    /// Each annotation's note as HTML (empty when it has none).
    pub(crate) notes: Vec<String>,
    /// Ids this article's body links to.
    pub(crate) refs: Vec<String>,
    /// The entities among `refs`, by index: the prepared article is reused
    /// only under the same link epoch, which fixes every id's index.
    pub(crate) entities: Vec<usize>,
    /// The visible text the anchors index into (byte ranges), for exports
    /// and search, packed.
    text: Packed,
    /// Every link of the body and the notes, with where it is written.
    pub(crate) links: Vec<SourcedLink>,
}

impl ArticleOut {
    /// The body's HTML; block `k` is `html[blocks[k].html.clone()]`.
    pub(crate) fn html(&self) -> String {
        self.html.unpack()
    }

    /// The visible text the anchors index into.
    pub(crate) fn text(&self) -> String {
        self.text.unpack()
    }

    /// The visible text, packed: equal texts pack to equal bytes.
    pub(crate) fn packed_text(&self) -> &Packed {
        &self.text
    }
}

#[derive(Debug)]
pub(crate) struct BlockOut {
    /// Where the block's HTML is in [`ArticleOut::html`].
    pub(crate) html: Range<usize>,
    /// Indices of the annotations whose note follows this block.
    pub(crate) notes: Vec<usize>,
}

/// The resolver every piece of Markdown in the dossier uses.
pub(crate) fn resolver(dossier: &Dossier) -> impl Fn(&str, Option<&str>) -> Target + '_ {
    move |id, fragment| match dossier.lookup(id) {
        // `@article#annotation` names the annotation in its link: one that
        // is not published is withheld like an item (SPEC.md section 4).
        Lookup::Included(ItemRef::Article(ai))
            if fragment.is_some_and(|f| dossier.withheld_annotation(ai, f)) =>
        {
            Target::Withheld
        }
        Lookup::Included(item) => Target::Url(dossier.url(item)),
        Lookup::Withheld => Target::Withheld,
        Lookup::Unknown => Target::Unknown,
    }
}

/// Renders a Markdown value of a YAML file, reporting unknown `@id`s and
/// collecting its links with their place in the file.
pub(crate) fn render_markdown_value_with_links(
    dossier: &Dossier,
    file: &Arc<SourceFile>,
    value: &Markdown,
    errors: &mut Vec<Diagnostic>,
    links: &mut Vec<SourcedLink>,
) -> (String, Vec<String>) {
    let fragment =
        markdown::render_fragment(&value.text, dossier.config.unsafe_html, &resolver(dossier));
    for bad in &fragment.bad_refs {
        let span = markdown_span(file, &value.span, &format!("(@{}", bad.id));
        let span = span.start + 1..span.end;
        errors.push(unknown_ref(dossier, file, span, bad));
    }
    for bad in &fragment.bad_urls {
        let span = markdown_span(file, &value.span, &value.text[bad.range.clone()]);
        errors.push(unsafe_url(file, span, bad));
    }
    // A YAML block scalar is indented: find the destination's text in the
    // value's span rather than shifting offsets.
    links.extend(fragment.links.iter().map(|link| SourcedLink {
        href: link.href.clone(),
        file: Arc::clone(file),
        span: markdown_span(file, &value.span, &value.text[link.range.clone()]),
    }));
    (fragment.html, fragment.refs)
}

/// Links of Markdown that starts at byte `start` of `file` (a body).
pub(crate) fn sourced_links(
    file: &Arc<SourceFile>,
    start: usize,
    links: &[LinkRef],
) -> impl Iterator<Item = SourcedLink> {
    links.iter().map(move |link| SourcedLink {
        href: link.href.clone(),
        file: Arc::clone(file),
        span: start + link.range.start..start + link.range.end,
    })
}

/// A Markdown link to a `javascript:` URL or the like (SPEC §2.3).
pub(crate) fn unsafe_url(file: &Arc<SourceFile>, span: Range<usize>, bad: &BadUrl) -> Diagnostic {
    Diagnostic::at(
        file,
        span,
        format!("unsafe link destination: {}", bad.reason),
    )
    .label("refused in a published link")
    .help(
        "link to a web address, a site path, `@id`, `mailto:` or a `#fragment`; \
             `javascript:`, `vbscript:`, `file:` and non-image `data:` URLs are refused \
             unless `unsafe_html: true` is set in dossier.yaml",
    )
}

pub(crate) fn unknown_ref(
    dossier: &Dossier,
    file: &Arc<SourceFile>,
    span: Range<usize>,
    bad: &BadRef,
) -> Diagnostic {
    let suggestion =
        crate::diagnostic::did_you_mean(&bad.id, dossier.ids.keys().map(String::as_str));
    Diagnostic::at(file, span, format!("link to unknown id `@{}`", bad.id)).help(match suggestion {
        Some(s) => format!("did you mean `@{s}`?"),
        None => {
            "`[text](@id)` links to the article, incident or entity with that id (its file name)"
                .to_string()
        }
    })
}

/// Renders article `ai` and anchors its annotations.
pub(crate) fn process_article(
    dossier: &Dossier,
    ai: usize,
    errors: &mut Vec<Diagnostic>,
) -> ArticleOut {
    let article = &dossier.articles[ai];
    // Only published ids: an unpublished one must not even shape a heading id.
    let annotation_ids: Vec<&str> = (0..article.annotations.len())
        .filter(|&ni| dossier.included.annotation(ai, ni))
        .map(|ni| article.annotations[ni].id.as_str())
        .collect();
    let rendered = markdown::render_article(
        article.body(),
        dossier.config.unsafe_html,
        &resolver(dossier),
        &annotation_ids,
    );
    for bad in &rendered.bad_refs {
        let start = article.body_start + bad.range.start;
        let span = start..article.body_start + bad.range.end;
        errors.push(unknown_ref(dossier, &article.file, span, bad));
    }
    for bad in &rendered.bad_urls {
        let span = article.body_start + bad.range.start..article.body_start + bad.range.end;
        errors.push(unsafe_url(&article.file, span, bad));
    }

    let mut links: Vec<SourcedLink> =
        sourced_links(&article.file, article.body_start, &rendered.links).collect();

    // Normalising the text costs about as much as rendering it: only an
    // article with annotations needs it.
    let anchorer = LazyCell::new(|| Anchorer::new(&rendered.text));
    let mut anchors = Vec::with_capacity(article.annotations.len());
    let mut notes = Vec::with_capacity(article.annotations.len());
    for (ni, annotation) in article.annotations.iter().enumerate() {
        let selector = Selector {
            quote: &annotation.quote.value,
            prefix: annotation.prefix.as_ref().map(|p| p.value.as_str()),
            suffix: annotation.suffix.as_ref().map(|s| s.value.as_str()),
        };
        let anchor = match anchorer.anchor(&selector) {
            Ok(range) => Some(range),
            Err(error) => {
                if let Some(file) = &article.annotations_file {
                    let place = ArticlePlace {
                        dossier,
                        ai,
                        text: &rendered.text,
                        blocks: &rendered.blocks,
                        anchorer: &anchorer,
                    };
                    errors.push(place.anchor_error(file, annotation, error));
                }
                None
            }
        };
        anchors.push(anchor);
        let note = match (&annotation.note, &article.annotations_file) {
            (Some(note), Some(file)) => {
                // The links of a withheld note are on no page.
                let mut note_links = Vec::new();
                let html =
                    render_markdown_value_with_links(dossier, file, note, errors, &mut note_links);
                if dossier.included.annotation(ai, ni) {
                    links.extend(note_links);
                }
                html.0
            }
            _ => String::new(),
        };
        notes.push(note);
    }

    let (html, blocks) = weave_blocks(dossier, ai, &rendered.blocks, &anchors);
    let entities = rendered
        .refs
        .iter()
        .filter_map(|id| match dossier.ids.get(id) {
            Some(&ItemRef::Entity(e)) => Some(e),
            _ => None,
        })
        .collect();
    ArticleOut {
        html: Packed::new(&html),
        blocks,
        anchors,
        notes,
        refs: rendered.refs,
        entities,
        text: Packed::new(&rendered.text.text),
        links,
    }
}

/// Puts marks for the published annotations into each block and lists the
/// notes that follow it, in the order of their quotes: the body's HTML and
/// where each block is in it.
fn weave_blocks(
    dossier: &Dossier,
    ai: usize,
    blocks: &[Block],
    anchors: &[Option<Range<usize>>],
) -> (String, Vec<BlockOut>) {
    let article = &dossier.articles[ai];
    let mut published: Vec<(usize, Range<usize>)> = anchors
        .iter()
        .enumerate()
        .filter(|(ni, _)| dossier.included.annotation(ai, *ni))
        .filter_map(|(ni, range)| range.clone().map(|r| (ni, r)))
        .collect();
    published.sort_by_key(|(ni, r)| (r.start, std::cmp::Reverse(r.end), *ni));
    let mut seen = HashSet::new();
    let mut html = String::with_capacity(blocks.iter().map(|b| b.html.len()).sum());
    let blocks = blocks
        .iter()
        .map(|block| {
            let marks: Vec<Mark<'_>> = published
                .iter()
                .filter(|(_, r)| r.start < block.text.end && block.text.start < r.end)
                .map(|(ni, r)| Mark {
                    range: r.clone(),
                    id: &article.annotations[*ni].id,
                })
                .collect();
            let notes = published
                .iter()
                .filter(|(_, r)| block.text.contains(&r.start))
                .map(|(ni, _)| *ni)
                .collect();
            let start = html.len();
            html.push_str(&marks::weave(&block.html, &block.runs, &marks, &mut seen));
            BlockOut {
                html: start..html.len(),
                notes,
            }
        })
        .collect();
    (html, blocks)
}

/// Turns positions in an article's rendered text into words for messages.
struct ArticlePlace<'a> {
    dossier: &'a Dossier,
    ai: usize,
    text: &'a RenderedText,
    blocks: &'a [Block],
    anchorer: &'a Anchorer<'a>,
}

impl ArticlePlace<'_> {
    /// The line of the article file where rendered text `range` comes from.
    fn line_of(&self, range: &Range<usize>) -> usize {
        let article = &self.dossier.articles[self.ai];
        let block = self
            .blocks
            .iter()
            .rev()
            .find(|b| b.text.start <= range.start)
            .or(self.blocks.first());
        let Some(block) = block else { return 1 };
        let source = &article.body()[block.source.clone()];
        // Look for the passage's first words in the block's Markdown.
        let passage = &self.text.text[range.clone()];
        let words: Vec<&str> = passage.split_whitespace().take(3).collect();
        let offset = (1..=words.len())
            .rev()
            .find_map(|n| source.find(&words[..n].join(" ")))
            .unwrap_or(0);
        article
            .file
            .line_col(article.body_start + block.source.start + offset)
            .0
    }

    /// The passage with up to 25 characters around it from the same block,
    /// on one line: `…before [quote] after…`.
    fn excerpt(&self, range: &Range<usize>) -> String {
        let text = &self.text.text;
        let block = self
            .text
            .blocks
            .iter()
            .find(|b| b.start <= range.start && range.start <= b.end)
            .cloned()
            .unwrap_or(0..text.len());
        let start = back_chars(text, range.start, 25).max(block.start);
        let end = forward_chars(text, range.end, 25).min(block.end.max(range.end));
        format!(
            "{}{}[{}]{}{}",
            if start > block.start { "…" } else { "" },
            collapse(&text[start..range.start]).trim_start(),
            collapse(&text[range.clone()]),
            collapse(&text[range.end..end]).trim_end(),
            if end < block.end { "…" } else { "" }
        )
    }

    fn anchor_error(
        &self,
        file: &Arc<SourceFile>,
        annotation: &Annotation,
        error: AnchorError,
    ) -> Diagnostic {
        let article_id = &self.dossier.articles[self.ai].id;
        let mut span = annotation.quote.span.clone();
        let places = |ranges: &[Range<usize>]| {
            ranges
                .iter()
                .map(|r| {
                    format!(
                        "line {} of the article: {}",
                        self.line_of(r),
                        self.excerpt(r)
                    )
                })
                .collect::<Vec<_>>()
        };
        let (message, label, help): (String, &str, Vec<String>) = match error {
            AnchorError::EmptyQuote => (
                "the quote is empty".into(),
                "empty quote",
                vec!["copy the words you annotate from the article into `quote`".into()],
            ),
            AnchorError::NotFound { closest } => (
                format!("quote not found in article `{article_id}`"),
                "not in the article's text",
                match closest {
                    Some(r) => {
                        let passage = self.text.text[r.clone()]
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ");
                        let mut help = vec![format!(
                            "closest passage (line {} of the article): \"{passage}\"",
                            self.line_of(&r),
                        )];
                        if let Some(diff) =
                            crate::word_diff::describe(&annotation.quote.value, &passage)
                        {
                            help.push(format!(
                                "difference: {diff}  ([-…-] is only in the quote, {{+…+}} only in the article)"
                            ));
                        }
                        help
                    }
                    None => vec!["the article has no text".into()],
                },
            ),
            AnchorError::Ambiguous { occurrences } => {
                let mut help = vec![format!(
                    "the quote occurs {} times; add a `prefix` (text just before it) or a `suffix` (text just after) that picks one",
                    occurrences.len()
                )];
                help.extend(places(&occurrences));
                (
                    format!("quote is ambiguous in article `{article_id}`"),
                    "found more than once",
                    help,
                )
            }
            AnchorError::ContextMismatch { occurrences } => {
                // Point at the field that fails: the prefix when it alone fails.
                let prefix_only = annotation.prefix.as_ref().map(|p| Selector {
                    quote: &annotation.quote.value,
                    prefix: Some(&p.value),
                    suffix: None,
                });
                let prefix_fails = prefix_only.is_some_and(|s| {
                    matches!(
                        self.anchorer.anchor(&s),
                        Err(AnchorError::ContextMismatch { .. })
                    )
                });
                let (field, spanned) = if prefix_fails {
                    ("prefix", &annotation.prefix)
                } else {
                    ("suffix", &annotation.suffix)
                };
                if let Some(spanned) = spanned {
                    span = spanned.span.clone();
                }
                let side = if prefix_fails { "before" } else { "after" };
                let mut help = vec![format!(
                    "`{field}` must be the text right {side} the quote; the quote occurs here:"
                )];
                help.extend(places(&occurrences));
                (
                    format!("the `{field}` does not fit the quote in article `{article_id}`"),
                    "not the text around the quote",
                    help,
                )
            }
            AnchorError::CrossesBlocks { range } => (
                format!("quote crosses a block boundary in article `{article_id}`"),
                "spans two blocks",
                vec![format!(
                    "a quote must stay inside one paragraph, heading, list item or table cell; this one spans (line {}): {}; annotate each part separately",
                    self.line_of(&range),
                    self.excerpt(&range)
                )],
            ),
        };
        let mut diagnostic = Diagnostic::at(file, span, message).label(label);
        diagnostic.help = help;
        diagnostic
    }
}

/// Each run of whitespace as one space, ends kept.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn back_chars(text: &str, from: usize, n: usize) -> usize {
    text[..from]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

fn forward_chars(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

//! Markdown to HTML: tables, footnotes, strikethrough, task lists, heading
//! ids, `[text](@id)` cross-references, highlighted code, and raw HTML
//! omitted unless the config allows it.
//!
//! Article bodies are rendered as a list of top-level blocks (so notes can
//! sit after the block holding their quote), each with the visible text it
//! contributes to the article's [`RenderedText`].

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::anchor::RenderedText;
use crate::highlight;
use crate::marks::{self, TextRun};
use crate::url_policy;

/// What an `@id` link points at.
pub(crate) enum Target {
    Url(String),
    /// Excluded by TLP or draft status: render the link text only.
    Withheld,
    Unknown,
}

/// An `[text](@id)` whose id does not exist, with its range in the Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadRef {
    pub(crate) id: String,
    pub(crate) range: Range<usize>,
}

/// A link or image destination that may not be published (a `javascript:`
/// URL...), with why and where its destination is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadUrl {
    pub(crate) url: String,
    pub(crate) reason: String,
    pub(crate) range: Range<usize>,
}

/// A link or image destination in the Markdown: the URL it became in the
/// HTML and where it is written (the destination itself when it can be
/// found, else the whole link), so a broken link can be traced to its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkRef {
    pub(crate) href: String,
    pub(crate) range: Range<usize>,
}

/// One top-level block of an article.
#[derive(Debug)]
pub(crate) struct Block {
    pub(crate) html: String,
    /// Byte range of the block in the Markdown source.
    pub(crate) source: Range<usize>,
    /// Byte range of the block's visible text in the article's rendered text.
    pub(crate) text: Range<usize>,
    pub(crate) runs: Vec<TextRun>,
}

#[derive(Debug)]
pub(crate) struct Rendered {
    pub(crate) blocks: Vec<Block>,
    pub(crate) text: RenderedText,
    pub(crate) bad_refs: Vec<BadRef>,
    pub(crate) bad_urls: Vec<BadUrl>,
    /// Ids of the items this Markdown links to, in order of appearance.
    pub(crate) refs: Vec<String>,
    /// Every link and image destination that reached the HTML.
    pub(crate) links: Vec<LinkRef>,
}

/// A small Markdown fragment (a note, a summary) rendered to HTML.
#[derive(Debug)]
pub(crate) struct Fragment {
    pub(crate) html: String,
    pub(crate) bad_refs: Vec<BadRef>,
    pub(crate) bad_urls: Vec<BadUrl>,
    pub(crate) refs: Vec<String>,
    pub(crate) links: Vec<LinkRef>,
}

const BLOCK_SEPARATOR: &str = "<!--dossier:block-->";

fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders an article body into blocks with their visible text. Heading
/// ids avoid `reserved_ids` (the page's annotation ids).
pub(crate) fn render_article(
    source: &str,
    unsafe_html: bool,
    resolve: &dyn Fn(&str, Option<&str>) -> Target,
    reserved_ids: &[&str],
) -> Rendered {
    let converted = convert(source, unsafe_html, resolve, reserved_ids);
    // Render in one pass (footnote numbers run across the whole body), with a
    // separator between top-level blocks to split the HTML afterwards.
    let mut events = Vec::with_capacity(converted.events.len() + converted.block_sources.len());
    let mut depth = 0usize;
    for event in converted.events {
        let starts_block = depth == 0;
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if starts_block && !events.is_empty() {
            events.push(Event::Html(CowStr::Borrowed(BLOCK_SEPARATOR)));
        }
        events.push(event);
    }
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());

    let mut text = RenderedText {
        text: String::new(),
        blocks: Vec::new(),
    };
    let blocks = html
        .split(BLOCK_SEPARATOR)
        .zip(converted.block_sources)
        .map(|(html, source)| {
            let start = text.text.len();
            let runs = marks::extract(html, &mut text);
            Block {
                html: html.to_string(),
                source,
                text: start..text.text.len(),
                runs,
            }
        })
        .collect();
    Rendered {
        blocks,
        text,
        bad_refs: converted.bad_refs,
        bad_urls: converted.bad_urls,
        refs: converted.refs,
        links: converted.links,
    }
}

/// Renders a Markdown fragment to HTML.
pub(crate) fn render_fragment(
    source: &str,
    unsafe_html: bool,
    resolve: &dyn Fn(&str, Option<&str>) -> Target,
) -> Fragment {
    let converted = convert(source, unsafe_html, resolve, &[]);
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, converted.events.into_iter());
    Fragment {
        html,
        bad_refs: converted.bad_refs,
        bad_urls: converted.bad_urls,
        refs: converted.refs,
        links: converted.links,
    }
}

struct Converted<'a> {
    events: Vec<Event<'a>>,
    /// Source range of each top-level block, in order.
    block_sources: Vec<Range<usize>>,
    bad_refs: Vec<BadRef>,
    bad_urls: Vec<BadUrl>,
    refs: Vec<String>,
    links: Vec<LinkRef>,
}

/// Parses and rewrites the event stream: cross-references, code blocks,
/// heading ids and raw HTML.
fn convert<'a>(
    source: &'a str,
    unsafe_html: bool,
    resolve: &dyn Fn(&str, Option<&str>) -> Target,
    reserved_ids: &[&str],
) -> Converted<'a> {
    let mut iter = Parser::new_ext(source, parser_options()).into_offset_iter();
    let parsed: Vec<(Event<'a>, Range<usize>)> = iter.by_ref().collect();
    let definitions = iter.reference_definitions();
    let mut out = Converted {
        events: Vec::with_capacity(parsed.len()),
        block_sources: Vec::new(),
        bad_refs: Vec::new(),
        bad_urls: Vec::new(),
        refs: Vec::new(),
        links: Vec::new(),
    };
    let link_ref = |href: String, raw: &str, label: &str, range: &Range<usize>| {
        let range = destination_range(source, raw, label, range, definitions);
        LinkRef { href, range }
    };
    let mut heading_ids: HashMap<String, usize> =
        reserved_ids.iter().map(|id| (id.to_string(), 1)).collect();
    let mut dropped_links: Vec<bool> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < parsed.len() {
        let (event, range) = &parsed[i];
        if depth == 0 && !matches!(event, Event::End(_)) {
            out.block_sources.push(range.clone());
        }
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.starts_with('@') => {
                let (id, fragment) = split_ref(&dest_url[1..]);
                match resolve(id, fragment) {
                    Target::Url(url) => {
                        out.refs.push(id.to_string());
                        let href = match fragment {
                            Some(f) => format!("{url}#{f}"),
                            None => url,
                        };
                        let Event::Start(Tag::Link { id: label, .. }) = event else {
                            unreachable!("matched a link start above")
                        };
                        out.links
                            .push(link_ref(href.clone(), dest_url, label, range));
                        let Event::Start(Tag::Link {
                            link_type,
                            title,
                            id: link_id,
                            ..
                        }) = event.clone()
                        else {
                            unreachable!("matched a link start above")
                        };
                        out.events.push(Event::Start(Tag::Link {
                            link_type,
                            dest_url: href.into(),
                            title,
                            id: link_id,
                        }));
                        dropped_links.push(false);
                    }
                    Target::Withheld => dropped_links.push(true),
                    Target::Unknown => {
                        out.bad_refs.push(BadRef {
                            id: id.to_string(),
                            range: range.clone(),
                        });
                        dropped_links.push(true);
                    }
                }
            }
            Event::Start(Tag::Link { dest_url, id, .. })
            | Event::Start(Tag::Image { dest_url, id, .. }) => {
                let image = matches!(event, Event::Start(Tag::Image { .. }));
                let refusal = (!unsafe_html)
                    .then(|| url_policy::markdown_refusal(dest_url, image))
                    .flatten();
                if let Some(reason) = refusal {
                    // An error: the page is never published. Leave the
                    // destination out of the HTML all the same.
                    let at = link_ref(String::new(), dest_url, id, range).range;
                    out.bad_urls.push(BadUrl {
                        url: dest_url.to_string(),
                        reason,
                        range: at,
                    });
                    if image {
                        let mut event = event.clone();
                        if let Event::Start(Tag::Image { dest_url, .. }) = &mut event {
                            *dest_url = "".into();
                        }
                        out.events.push(event);
                    } else {
                        dropped_links.push(true);
                    }
                } else {
                    if !image {
                        dropped_links.push(false);
                    }
                    out.links
                        .push(link_ref(dest_url.to_string(), dest_url, id, range));
                    out.events.push(event.clone());
                }
            }
            Event::End(TagEnd::Link) => {
                if !dropped_links.pop().unwrap_or(false) {
                    out.events.push(event.clone());
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let mut code = String::new();
                i += 1;
                while let Some((event, _)) = parsed.get(i) {
                    match event {
                        Event::Text(t) => code.push_str(t),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                    i += 1;
                }
                depth = depth.saturating_sub(1);
                out.events
                    .push(Event::Html(highlight::code_block(&code, &lang).into()));
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let id = match id {
                    Some(id) => id.clone(),
                    None => unique_slug(&heading_text(&parsed[i + 1..]), &mut heading_ids).into(),
                };
                out.events.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(id),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
            }
            Event::Start(Tag::HtmlBlock) if !unsafe_html => {
                while let Some((event, _)) = parsed.get(i) {
                    if matches!(event, Event::End(TagEnd::HtmlBlock)) {
                        break;
                    }
                    i += 1;
                }
                depth = depth.saturating_sub(1);
                out.events
                    .push(Event::Html("<!-- raw HTML omitted -->\n".into()));
            }
            Event::Html(_) | Event::InlineHtml(_) if !unsafe_html => {
                out.events
                    .push(Event::InlineHtml("<!-- raw HTML omitted -->".into()));
            }
            _ => out.events.push(event.clone()),
        }
        i += 1;
    }
    out
}

/// Where the destination `raw` of the link at `link` is written: inside
/// the link itself, or in the reference definition `label` names; the whole
/// link when neither holds it verbatim (escapes, entities).
fn destination_range(
    source: &str,
    raw: &str,
    label: &str,
    link: &Range<usize>,
    definitions: &pulldown_cmark::RefDefs<'_>,
) -> Range<usize> {
    let within = |range: &Range<usize>| {
        let text = source.get(range.clone())?;
        let at = text.rfind(raw).filter(|_| !raw.is_empty())?;
        Some(range.start + at..range.start + at + raw.len())
    };
    within(link)
        .or_else(|| {
            let definition = definitions.get(label)?;
            within(&definition.span)
        })
        .unwrap_or_else(|| link.clone())
}

/// `id#fragment` into its parts.
fn split_ref(target: &str) -> (&str, Option<&str>) {
    match target.split_once('#') {
        Some((id, fragment)) => (id, Some(fragment)),
        None => (target, None),
    }
}

fn heading_text(events: &[(Event<'_>, Range<usize>)]) -> String {
    let mut text = String::new();
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::End(TagEnd::Heading(_)) => break,
            _ => {}
        }
    }
    text
}

/// A URL-friendly id for a heading, unique within the page.
fn unique_slug(text: &str, used: &mut HashMap<String, usize>) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if (c.is_whitespace() || c == '-' || c == '_')
            && !slug.is_empty()
            && !slug.ends_with('-')
        {
            slug.push('-');
        }
    }
    let mut slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() || slug.starts_with(|c: char| c.is_ascii_digit()) {
        slug.insert_str(0, "section-");
        slug = slug.trim_end_matches('-').to_string();
    }
    let count = used.entry(slug.clone()).or_insert(0);
    *count += 1;
    if *count > 1 {
        format!("{slug}-{}", *count - 1)
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(id: &str, fragment: Option<&str>) -> Target {
        match (id, fragment) {
            ("known", Some("hidden")) => Target::Withheld,
            ("known", _) => Target::Url("/incidents/known/".into()),
            ("secret", _) => Target::Withheld,
            _ => Target::Unknown,
        }
    }

    #[test]
    fn cross_references_resolve_hide_or_fail() {
        let md = "See [the event](@known#a1), [a source](@secret), [a note](@known#hidden) and [x](@missing).";
        let f = render_fragment(md, false, &resolve);
        assert_eq!(
            f.html,
            "<p>See <a href=\"/incidents/known/#a1\">the event</a>, a source, a note and x.</p>\n"
        );
        assert_eq!(f.refs, ["known"]);
        assert_eq!(f.bad_refs.len(), 1);
        assert_eq!(f.bad_refs[0].id, "missing");
        assert_eq!(&md[f.bad_refs[0].range.clone()], "[x](@missing)");
    }

    #[test]
    fn every_link_destination_keeps_its_source_range() {
        let md = "A [ref](@known#a9), [web](/x/ \"t\"), ![img](pic.png),\n[by label][l] and [gone](@missing).\n\n[l]: /y/#z\n";
        let f = render_fragment(md, false, &resolve);
        let links: Vec<(&str, &str)> = f
            .links
            .iter()
            .map(|l| (l.href.as_str(), &md[l.range.clone()]))
            .collect();
        assert_eq!(
            links,
            [
                ("/incidents/known/#a9", "@known#a9"),
                ("/x/", "/x/"),
                ("pic.png", "pic.png"),
                ("/y/#z", "/y/#z"),
            ]
        );
        let article = render_article("Text [a](/a/).\n", false, &resolve, &[]);
        assert_eq!(article.links[0].range, 9..12);
    }

    #[test]
    fn raw_html_is_omitted_unless_allowed() {
        let md = "a <b>bold</b>\n\n<div>block</div>\n";
        let safe = render_fragment(md, false, &resolve).html;
        assert!(!safe.contains("<b>") && !safe.contains("<div>"), "{safe}");
        assert!(safe.contains("raw HTML omitted"));
        let raw = render_fragment(md, true, &resolve).html;
        assert!(
            raw.contains("<b>bold</b>") && raw.contains("<div>block</div>"),
            "{raw}"
        );
    }

    #[test]
    fn headings_get_unique_ids() {
        let html = render_fragment(
            "# Hello, World\n\n## Hello world\n\n## Custom {#mine}\n\n## 2019\n",
            false,
            &resolve,
        )
        .html;
        assert!(html.contains("<h1 id=\"hello-world\">"), "{html}");
        assert!(html.contains("<h2 id=\"hello-world-1\">"), "{html}");
        assert!(html.contains("<h2 id=\"mine\">"), "{html}");
        assert!(html.contains("<h2 id=\"section-2019\">"), "{html}");
        let article = render_article("## Context\n", false, &resolve, &["context"]);
        assert!(article.blocks[0].html.contains("<h2 id=\"context-1\">"));
    }

    #[test]
    fn article_blocks_carry_their_text() {
        let md = "# Title\n\nOne *two*\nthree.\n\n- a\n- b\n\n```rust\nlet x = 1;\n```\n\n| h |\n|---|\n| c |\n";
        let r = render_article(md, false, &resolve, &[]);
        let texts: Vec<&str> = r
            .text
            .blocks
            .iter()
            .map(|b| &r.text.text[b.clone()])
            .collect();
        assert_eq!(
            texts,
            [
                "Title",
                "One two\nthree.",
                "a",
                "b",
                "let x = 1;\n",
                "h",
                "c"
            ]
        );
        assert_eq!(r.blocks.len(), 5);
        assert_eq!(&md[r.blocks[1].source.clone()], "One *two*\nthree.\n");
        assert!(r.blocks[3].html.contains("hl-"), "{}", r.blocks[3].html);
    }

    #[test]
    fn footnotes_number_across_blocks() {
        let md = "A[^x].\n\nB[^y].\n\n[^x]: first\n[^y]: second\n";
        let r = render_article(md, false, &resolve, &[]);
        assert!(r.blocks[1].html.contains(">2</a>"), "{}", r.blocks[1].html);
    }
}

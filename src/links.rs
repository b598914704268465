//! Checking that every internal link, asset and `#fragment` of a rendered
//! site resolves, for `dossier check`.
//!
//! It reads the site as written, not the model it came from: a link typed
//! in Markdown, one a user's template builds, and one of ours are all just
//! `href`s in HTML, and the HTML is what visitors follow. The tokenizer of
//! `html.rs` reads the tags, not a full HTML parser with a tree, because a
//! link is an attribute of one tag wherever the tag sits; it never panics
//! on anything a user's template holds. Broken links are traced back to the
//! Markdown they were written in where there is one (see [`SourcedLink`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use crate::config::BaseUrl;
use crate::diagnostic::{Diagnostic, SourceFile, did_you_mean};
use crate::html::{Tag, Token, Tokenizer, decode_entities};

/// A link destination written in Markdown, with the URL it became.
#[derive(Debug, Clone)]
pub(crate) struct SourcedLink {
    pub(crate) href: String,
    pub(crate) file: Arc<SourceFile>,
    pub(crate) span: Range<usize>,
}

/// What the check found.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// HTML pages read.
    pub(crate) pages: usize,
    /// Internal links and assets checked (each occurrence).
    pub(crate) links: usize,
    pub(crate) problems: Vec<Problem>,
}

/// One broken link on one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The page's URL path (`/sub/articles/x/`).
    pub(crate) page: String,
    /// The attribute value as written (entities decoded).
    pub(crate) href: String,
    pub(crate) kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ProblemKind {
    /// No file at this URL path.
    MissingFile { url: String },
    /// The page exists but has no element with this id; `closest` is an
    /// id of that page that looks like a typo of it.
    MissingFragment {
        url: String,
        fragment: String,
        closest: Option<String>,
    },
    /// An internal URL outside the site's base path.
    OutsideBase { url: String },
}

impl ProblemKind {
    fn describe(&self, base: &str) -> String {
        match self {
            ProblemKind::MissingFile { url } => format!("the site has nothing at `{url}`"),
            ProblemKind::MissingFragment { url, fragment, .. } => {
                format!("no element with id=\"{fragment}\" on `{url}`")
            }
            ProblemKind::OutsideBase { url } => {
                format!("`{url}` is outside the site's base path `{base}`")
            }
        }
    }
}

/// Where a link found on a page points.
#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    /// Another site, or a scheme we do not follow (`mailto:`).
    External,
    /// A site path (`articles/x/index.html`, percent-decoded) and fragment.
    Internal {
        url: String,
        path: String,
        fragment: Option<String>,
    },
    Outside(String),
}

/// The site's path prefix and host, to tell internal links apart.
struct Resolver<'a> {
    prefix: &'a str,
    host: Option<&'a str>,
}

impl Resolver<'_> {
    /// Resolves `href` found on the page at URL path `page_url`.
    fn resolve(&self, page_url: &str, href: &str) -> Resolved {
        let href = href.trim();
        if href.is_empty() {
            return Resolved::External;
        }
        let (rest, fragment) = match href.split_once('#') {
            Some((rest, fragment)) => (rest, Some(percent_decode(fragment))),
            None => (href, None),
        };
        let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
        let with_host = rest.starts_with("//") || rest.contains("://");
        let absolute = if let Some(after) = rest.strip_prefix("//") {
            match self.same_host(after) {
                Some(path) => path,
                None => return Resolved::External,
            }
        } else if let Some((scheme, after)) = rest.split_once(':').filter(|(s, _)| is_scheme(s)) {
            let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
            match after.strip_prefix("//").filter(|_| web) {
                Some(after) => match self.same_host(after) {
                    Some(path) => path,
                    None => return Resolved::External,
                },
                None => return Resolved::External,
            }
        } else if rest.starts_with('/') {
            rest.to_string()
        } else if rest.is_empty() {
            page_url.to_string()
        } else {
            let dir = &page_url[..page_url.rfind('/').map_or(0, |i| i + 1)];
            format!("{dir}{rest}")
        };
        let url = normalize_path(&absolute);
        let decoded = percent_decode(&url);
        let Some(inside) = decoded.strip_prefix(self.prefix) else {
            // A full URL on our host but outside the base path is another
            // site on the same host (GitHub Pages puts all of an owner's
            // project sites on one host): external, not broken. A bare
            // `/path` outside it is almost always a missing prefix.
            return if with_host {
                Resolved::External
            } else {
                Resolved::Outside(url)
            };
        };
        let path = if inside.is_empty() || inside.ends_with('/') {
            format!("{inside}index.html")
        } else {
            inside.to_string()
        };
        Resolved::Internal {
            url,
            path,
            fragment: fragment.filter(|f| !f.is_empty()),
        }
    }

    /// The path of `host/path` when the host is the site's own.
    fn same_host(&self, after_slashes: &str) -> Option<String> {
        let end = after_slashes.find('/').unwrap_or(after_slashes.len());
        let host = &after_slashes[..end];
        let ours = self.host.is_some_and(|h| h.eq_ignore_ascii_case(host));
        ours.then(|| match &after_slashes[end..] {
            "" => "/".to_string(),
            path => path.to_string(),
        })
    }
}

fn is_scheme(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// Removes `.` and `..` segments and doubled slashes of an absolute path.
fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for segment in &segments {
        match *segment {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    let last = segments.last().copied().unwrap_or("");
    if matches!(last, "" | "." | "..") && !out.ends_with('/') {
        out.push('/');
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An attribute of interest found in a document.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// A URL to follow (`href`, `src`, one `srcset` candidate, `<loc>`).
    Link(Arc<str>),
    /// An `id`, or the `name` of an `<a>`: a fragment target.
    Anchor(Arc<str>),
}

impl Found {
    fn text(&self) -> &Arc<str> {
        match self {
            Found::Link(text) | Found::Anchor(text) => text,
        }
    }

    fn with_text(&self, text: Arc<str>) -> Found {
        match self {
            Found::Link(_) => Found::Link(text),
            Found::Anchor(_) => Found::Anchor(text),
        }
    }
}

/// Attributes that hold a URL to follow.
const LINK_ATTRIBUTES: [&str; 4] = ["href", "src", "xlink:href", "poster"];

/// Scans an HTML or XML document for links and fragment targets.
fn scan(text: &str) -> Vec<Found> {
    let mut found = Vec::new();
    // Just after a sitemap's `<loc>`, whose text is a URL.
    let mut in_loc = false;
    for token in Tokenizer::new(text) {
        match token {
            Token::Text(range) if in_loc => {
                found.push(Found::Link(decode_entities(text[range].trim()).into()));
            }
            Token::StartTag(tag) => {
                attributes(&tag, &mut found);
                in_loc = tag.is("loc");
                continue;
            }
            _ => {}
        }
        in_loc = false;
    }
    found
}

/// Records the links and fragment targets among the attributes of `tag`.
fn attributes(tag: &Tag<'_>, found: &mut Vec<Found>) {
    for attribute in tag.attributes() {
        // Borrowed unless it holds a reference: most values are never kept.
        let Some(value) = attribute.value() else {
            continue;
        };
        if LINK_ATTRIBUTES.iter().any(|&n| attribute.is(n)) {
            found.push(Found::Link(value.into()));
        } else if attribute.is("srcset") {
            found.extend(
                value
                    .split(',')
                    .filter_map(|c| c.split_whitespace().next())
                    .map(|url| Found::Link(url.into())),
            );
        } else if attribute.is("id") || (attribute.is("name") && tag.is("a")) {
            found.push(Found::Anchor(value.into()));
        }
    }
}

/// The URL path a site file is served at (`/sub/articles/x/`).
fn url_of(prefix: &str, path: &str) -> String {
    let path = path.strip_suffix("index.html").unwrap_or(path);
    format!("{prefix}{path}")
}

/// Whether links are followed in a file: HTML, XML (feeds, the sitemap)
/// and SVG.
fn is_document(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".xml") || path.ends_with(".svg")
}

/// A rendered file as `check` keeps it: its site path and, for a document,
/// the links and fragment targets in it.
pub(crate) type Scanned = (String, Option<Vec<Found>>);

/// The sink of `check`: it scans each document as it is rendered (on the
/// rendering threads) and keeps the links, not the page; of any other file
/// only its path. The rendered site of a large dossier is gigabytes; its
/// links are a small part of that.
#[derive(Default)]
pub(crate) struct ScanSink {
    files: std::sync::Mutex<Vec<Scanned>>,
    /// Every link and target kept, once: most are on many pages (the
    /// navigation, tags, entities, notes' anchors), and held once per
    /// page they were 400 MB of `check`'s memory on 10,000 annotated
    /// articles.
    interned: std::sync::Mutex<rustc_hash::FxHashSet<Arc<str>>>,
}

impl ScanSink {
    pub(crate) fn into_files(self) -> anyhow::Result<Vec<Scanned>> {
        self.files
            .into_inner()
            .map_err(|_| anyhow::anyhow!("a render thread panicked"))
    }

    fn keep(&self, path: &str, mut scanned: Option<Vec<Found>>) -> anyhow::Result<()> {
        if let Some(found) = &mut scanned {
            let mut interned = self
                .interned
                .lock()
                .map_err(|_| anyhow::anyhow!("a render thread panicked"))?;
            for item in found.iter_mut() {
                match interned.get(item.text()) {
                    Some(shared) => *item = item.with_text(shared.clone()),
                    None => {
                        interned.insert(item.text().clone());
                    }
                }
            }
            found.shrink_to_fit();
        }
        self.files
            .lock()
            .map_err(|_| anyhow::anyhow!("a render thread panicked"))?
            .push((path.to_string(), scanned));
        Ok(())
    }
}

impl crate::output::Sink for ScanSink {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let scanned = is_document(path).then(|| scan(&String::from_utf8_lossy(bytes)));
        self.keep(path, scanned)
    }

    fn write_with(
        &self,
        path: &str,
        render: &mut dyn FnMut(&mut dyn std::io::Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        if is_document(path) {
            let mut bytes = Vec::new();
            render(&mut bytes)?;
            return self.write(path, &bytes);
        }
        // An export: rendered (so that its errors show) but not kept.
        render(&mut std::io::sink())?;
        self.keep(path, None)
    }
}

/// Checks every link of the documents among `files`.
pub(crate) fn check(files: &[Scanned], base: &BaseUrl) -> Report {
    let host = base
        .permalink
        .split_once("://")
        .map(|(_, after)| after.split('/').next().unwrap_or(after));
    let resolver = Resolver {
        prefix: &base.path,
        host,
    };
    let paths: HashSet<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    let documents: Vec<(&str, &[Found])> = files
        .iter()
        .filter_map(|(p, found)| Some((p.as_str(), found.as_deref()?)))
        .collect();
    let anchors: HashMap<&str, HashSet<&str>> = documents
        .iter()
        .map(|(path, found)| {
            let ids = found
                .iter()
                .filter_map(|f| match f {
                    Found::Anchor(id) => Some(&**id),
                    Found::Link(_) => None,
                })
                .collect();
            (*path, ids)
        })
        .collect();
    let mut report = Report::default();
    for (path, found) in &documents {
        if path.ends_with(".html") {
            report.pages += 1;
        }
        let page_url = url_of(&base.path, path);
        for href in found.iter().filter_map(|f| match f {
            Found::Link(href) => Some(href),
            Found::Anchor(_) => None,
        }) {
            let kind = match resolver.resolve(&page_url, href) {
                Resolved::External => continue,
                Resolved::Outside(url) => Some(ProblemKind::OutsideBase { url }),
                Resolved::Internal {
                    url,
                    path: target,
                    fragment,
                } => {
                    let target = if paths.contains(target.as_str()) {
                        Some(target)
                    } else {
                        // `/entities` for `/entities/`: static hosts redirect.
                        let index = format!("{target}/index.html");
                        paths.contains(index.as_str()).then_some(index)
                    };
                    match (target, fragment) {
                        (None, _) => Some(ProblemKind::MissingFile { url }),
                        (Some(target), Some(fragment)) if target.ends_with(".html") => {
                            let ids = anchors.get(target.as_str());
                            if ids.is_some_and(|ids| ids.contains(fragment.as_str())) {
                                None
                            } else {
                                let closest = ids.and_then(|ids| {
                                    did_you_mean(&fragment, ids.iter().copied()).map(str::to_string)
                                });
                                Some(ProblemKind::MissingFragment {
                                    url,
                                    fragment,
                                    closest,
                                })
                            }
                        }
                        _ => None,
                    }
                }
            };
            report.links += 1;
            if let Some(kind) = kind {
                report.problems.push(Problem {
                    page: page_url.clone(),
                    href: href.to_string(),
                    kind,
                });
            }
        }
    }
    report
}

/// Turns problems into diagnostics: one per broken link written in
/// Markdown (at its source), one per broken link a template writes, each
/// listing the pages it is on.
pub(crate) fn diagnostics(
    problems: &[Problem],
    sources: &[&SourcedLink],
    base: &BaseUrl,
) -> Vec<Diagnostic> {
    let mut by_href: HashMap<String, Vec<&SourcedLink>> = HashMap::new();
    for link in sources {
        by_href
            .entry(percent_decode(&link.href))
            .or_default()
            .push(link);
    }
    // Where each broken link was written: its Markdown or YAML sources, or
    // none (a template). A fragment written as `#x` in an article may reach
    // another page as the article's URL + `#x` (the print page); it was
    // written as `#x`, and is reported there once.
    let written = |href: &str| -> Vec<&SourcedLink> {
        let fragment = href.split_once('#').map(|(_, f)| format!("#{f}"));
        by_href
            .get(&percent_decode(href))
            .or_else(|| by_href.get(&percent_decode(fragment.as_deref()?)))
            .cloned()
            .unwrap_or_default()
    };
    // Problems grouped by (where written, what is wrong), pages in order.
    // Where a link was written, or the text of a template's link.
    type Place<'p> = Result<(*const SourceFile, usize), &'p str>;
    // The link as shown, where it is written, and the pages it is on.
    type Group<'p> = (&'p str, Vec<&'p SourcedLink>, Vec<&'p str>);
    let mut grouped: BTreeMap<(Place, &ProblemKind), Group> = BTreeMap::new();
    for problem in problems {
        let sources = written(&problem.href);
        let mut places: Vec<(*const SourceFile, usize)> = sources
            .iter()
            .map(|l| (Arc::as_ptr(&l.file), l.span.start))
            .collect();
        places.sort();
        let place = places.first().copied().ok_or(problem.href.as_str());
        let entry = grouped
            .entry((place, &problem.kind))
            .or_insert_with(|| (&problem.href, sources, Vec::new()));
        // Show the link as written when one of its pages has it verbatim.
        if entry
            .1
            .iter()
            .any(|l| percent_decode(&l.href) == percent_decode(&problem.href))
        {
            entry.0 = &problem.href;
        }
        if !entry.2.contains(&problem.page.as_str()) {
            entry.2.push(&problem.page);
        }
    }
    let mut out = Vec::new();
    for ((_, kind), (href, links, mut pages)) in grouped {
        pages.sort_unstable();
        let what = kind.describe(&base.path);
        let on = on_pages(&pages);
        let hint = match kind {
            ProblemKind::MissingFragment {
                closest: Some(id), ..
            } => Some(format!("did you mean `#{id}`?")),
            _ => None,
        };
        if links.is_empty() {
            let mut d = Diagnostic::general(format!("broken link `{href}` in a template: {what}"))
                .help(on)
                .help(
                    "the link is not written in any Markdown or YAML field: it comes from a template \
                     (yours under `templates/`, or a built-in one) or from a static file",
                );
            if let Some(hint) = hint {
                d = d.help(hint);
            }
            out.push(d);
            continue;
        }
        let mut seen = HashSet::new();
        for link in links {
            if !seen.insert((Arc::as_ptr(&link.file), link.span.start)) {
                continue;
            }
            let mut d = Diagnostic::at(
                &link.file,
                link.span.clone(),
                format!("broken link `{href}`"),
            )
            .label(what.clone())
            .help(on.clone());
            if let Some(hint) = &hint {
                d = d.help(hint.clone());
            }
            out.push(d);
        }
    }
    out
}

fn on_pages(pages: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut list = pages
        .iter()
        .take(SHOWN)
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if pages.len() > SHOWN {
        list.push_str(&format!(" and {} more", pages.len() - SHOWN));
    }
    let plural = if pages.len() == 1 { "" } else { "s" };
    format!("on page{plural} {list}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(url: &str) -> BaseUrl {
        BaseUrl::parse(url).unwrap()
    }

    #[test]
    fn check_keeps_a_link_found_on_many_pages_once() {
        use crate::output::Sink as _;
        let sink = ScanSink::default();
        let page = r#"<a href="/tags/apt/">apt</a><p id="a1">x</p><a href="/tags/apt/">again</a>"#;
        sink.write("a/index.html", page.as_bytes()).unwrap();
        sink.write("b/index.html", page.as_bytes()).unwrap();
        sink.write("dossier.json", b"{}").unwrap();
        let files = sink.into_files().unwrap();
        let found: Vec<&Found> = files
            .iter()
            .filter_map(|(_, found)| found.as_deref())
            .flatten()
            .collect();
        assert_eq!(found.len(), 6, "{found:?}");
        let (links, anchors): (Vec<&Found>, Vec<&Found>) =
            found.iter().partition(|f| matches!(f, Found::Link(_)));
        assert_eq!((links.len(), anchors.len()), (4, 2));
        assert!(links.iter().all(|l| &**l.text() == "/tags/apt/"));
        for same in [links, anchors] {
            assert!(
                same.windows(2)
                    .all(|w| Arc::ptr_eq(w[0].text(), w[1].text())),
                "one shared copy of {:?}",
                same[0]
            );
        }
        // Only documents are scanned; other files are kept by path.
        assert!(
            files
                .iter()
                .any(|(p, f)| p == "dossier.json" && f.is_none())
        );
    }

    #[test]
    fn links_resolve_against_the_page_prefix_and_host() {
        let r = Resolver {
            prefix: "/sub/",
            host: Some("example.org"),
        };
        let page = "/sub/articles/x/";
        let internal = |href: &str| match r.resolve(page, href) {
            Resolved::Internal { path, fragment, .. } => (path, fragment),
            other => panic!("{other:?}"),
        };
        let cases: [(&str, (&str, Option<&str>)); 6] = [
            ("/sub/timeline/", ("timeline/index.html", None)),
            ("#a1", ("articles/x/index.html", Some("a1"))),
            ("../y/#n%2D1", ("articles/y/index.html", Some("n-1"))),
            ("https://EXAMPLE.org/sub/style.css?v=1", ("style.css", None)),
            ("//example.org/sub/", ("index.html", None)),
            ("pic.png", ("articles/x/pic.png", None)),
        ];
        for (href, (path, fragment)) in cases {
            let (p, f) = internal(href);
            assert_eq!((p.as_str(), f.as_deref()), (path, fragment), "{href}");
        }
        for external in [
            "https://example.com/x",
            "mailto:desk@example.org",
            "tel:+1",
            "data:image/png;base64,xx",
            "javascript:void(0)",
            "",
            // Same host, outside the base path: another site on that host.
            "https://example.org/blog/post",
            "//example.org/other/",
            "https://example.org/sub",
        ] {
            assert_eq!(r.resolve(page, external), Resolved::External, "{external}");
        }
        for outside in ["/timeline/", "../../../../etc/", "/sub"] {
            assert!(
                matches!(r.resolve(page, outside), Resolved::Outside(_)),
                "{outside}"
            );
        }
    }

    #[test]
    fn the_scanner_reads_attributes_of_any_shape() {
        let html = r#"<!doctype html><!-- <a href="/commented/"> --><html><a
            HREF='/a/?x=1&amp;y=2' id=top><img src=/p.png srcset="/s1.png 1x, /s2.png 2x"/>
            <a name="old"></a><script>if (a<b) { x = '<a href="/no/">'; }</script>
            <p id="x&#45;y" title="a > b">text < more</p><svg><a xlink:href="/svg/"/></svg><loc> /l/ </loc><a href"#;
        let found = scan(html);
        let expected = [
            Found::Link("/a/?x=1&y=2".into()),
            Found::Anchor("top".into()),
            Found::Link("/p.png".into()),
            Found::Link("/s1.png".into()),
            Found::Link("/s2.png".into()),
            Found::Anchor("old".into()),
            Found::Anchor("x-y".into()),
            Found::Link("/svg/".into()),
            Found::Link("/l/".into()),
        ];
        assert_eq!(found, expected);
        for junk in [
            "<",
            "<a",
            "<a href=",
            "<a href='",
            "<<>>",
            "<a =x>",
            "&#xFFFFFFFF;<a id=&#9999999;>",
        ] {
            let _ = scan(junk);
        }
    }

    #[test]
    fn missing_files_fragments_and_prefixes_are_problems() {
        let sink = ScanSink::default();
        let files: Vec<(&str, &str)> = vec![
            (
                "index.html",
                r##"<link href="/sub/style.css"><a href="#main" id="main"></a><a href="#gone"></a>
                <a href="/sub/a/#x"></a><a href="/sub/a/#y"></a><a href="/sub/entities"></a>
                <a href="/sub/missing.css"></a><a href="/elsewhere/"></a><a href="https://other.org/"></a>"##,
            ),
            ("a/index.html", r#"<h2 id="x">X</h2>"#),
            ("entities/index.html", ""),
            ("style.css", ""),
        ];
        for (path, text) in files {
            crate::output::Sink::write(&sink, path, text.as_bytes()).unwrap();
        }
        let report = check(
            &sink.into_files().unwrap(),
            &base("https://example.org/sub/"),
        );
        assert_eq!(report.pages, 3);
        assert_eq!(report.links, 8);
        let problems: Vec<(&str, &ProblemKind)> = report
            .problems
            .iter()
            .map(|p| (p.href.as_str(), &p.kind))
            .collect();
        assert_eq!(
            problems,
            [
                (
                    "#gone",
                    &ProblemKind::MissingFragment {
                        url: "/sub/".into(),
                        fragment: "gone".into(),
                        closest: None,
                    }
                ),
                (
                    "/sub/a/#y",
                    &ProblemKind::MissingFragment {
                        url: "/sub/a/".into(),
                        fragment: "y".into(),
                        closest: Some("x".into()),
                    }
                ),
                (
                    "/sub/missing.css",
                    &ProblemKind::MissingFile {
                        url: "/sub/missing.css".into()
                    }
                ),
                (
                    "/elsewhere/",
                    &ProblemKind::OutsideBase {
                        url: "/elsewhere/".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn problems_from_markdown_point_at_their_source() {
        let file = SourceFile::new("content/index.md", "See [x](@a#nope).\n");
        let link = SourcedLink {
            href: "/articles/a/#nope".into(),
            file: Arc::clone(&file),
            span: 8..15,
        };
        let problem = |page: &str, href: &str| Problem {
            page: page.into(),
            href: href.into(),
            kind: ProblemKind::MissingFragment {
                url: "/articles/a/".into(),
                fragment: "nope".into(),
                closest: Some("note".into()),
            },
        };
        let problems = [
            problem("/", "/articles/a/#nope"),
            problem("/", "/articles/a/#other"),
            problem("/timeline/", "/articles/a/#other"),
        ];
        let d = diagnostics(&problems, &[&link], &base("/"));
        assert_eq!(d.len(), 2);
        let text = d[0].render(false);
        assert!(text.contains("broken link `/articles/a/#nope`"), "{text}");
        assert_eq!(d[0].location().unwrap(), "content/index.md:1:9");
        assert!(
            text.contains("no element with id=\"nope\" on `/articles/a/`"),
            "{text}"
        );
        assert!(text.contains("did you mean `#note`?"), "{text}");
        let text = d[1].render(false);
        assert!(text.contains("in a template"), "{text}");
        assert!(text.contains("on pages `/`, `/timeline/`"), "{text}");
    }

    proptest::proptest! {
        /// User templates can hold anything: the scanner and resolver never panic.
        #[test]
        fn scanning_and_resolving_arbitrary_text_never_panics(text in "[<>=\"' a-zé“&#;%/.:?-]{0,80}") {
            for found in scan(&text) {
                if let Found::Link(href) = found {
                    let r = Resolver { prefix: "/sub/", host: Some("example.org") };
                    let _ = r.resolve("/sub/a/", &href);
                }
            }
            let _ = decode_entities(&text);
            let _ = percent_decode(&text);
        }
    }
}

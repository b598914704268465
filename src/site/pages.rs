//! Every page of the site: its path, its template context and, beside it,
//! its signature, a hash of everything the context is built from.
//!
//! A signature must change whenever the page's output could, or `serve`
//! would keep a stale page; it should change as little as possible beyond
//! that, or `serve` re-renders too much. Keeping each page's signature next
//! to the code that reads its inputs makes a missed input visible in review;
//! a property test (`site::tests`) checks that over random edits an
//! unchanged signature always means an unchanged page.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;
use serde::Serialize;

use super::context::{
    Article, ArticlePage, Block, Context, Counts, Empty, Entities, Entity, EntityGroup,
    EntityListed, EntityPage, Entry, Feed, FeedEntry, FeedPage, Incident, IncidentPage, Index,
    Latest, Page, Shapes, Site, Sitemap, SitemapUrl, Timeline, Year,
};
use crate::chart;
use crate::citations::Citations;
use crate::diagnostic::SourceFile;
use crate::graph::ItemRef;
use crate::publish::{AnnotationRef, Published};
use crate::tlp::Tlp;

/// One output file rendered through a template.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PageKind {
    Index,
    Timeline,
    Entities,
    NotFound,
    Article(usize),
    Incident(usize),
    Entity(usize),
    Feed,
    Sitemap,
    Robots,
}

impl PageKind {
    /// Every page of the published view.
    pub(crate) fn all(view: &Published<'_>) -> Vec<PageKind> {
        let mut pages = vec![
            PageKind::Index,
            PageKind::Timeline,
            PageKind::Entities,
            PageKind::NotFound,
            PageKind::Feed,
            PageKind::Sitemap,
            PageKind::Robots,
        ];
        pages.extend(view.articles().iter().map(|&i| PageKind::Article(i)));
        pages.extend(view.incidents().iter().map(|&i| PageKind::Incident(i)));
        pages.extend(view.entities().iter().map(|&i| PageKind::Entity(i)));
        pages
    }

    pub(crate) fn path(self, view: &Published<'_>) -> String {
        let d = view.dossier;
        match self {
            PageKind::Index => "index.html".into(),
            PageKind::Timeline => "timeline/index.html".into(),
            PageKind::Entities => "entities/index.html".into(),
            PageKind::NotFound => "404.html".into(),
            PageKind::Article(i) => format!("articles/{}/index.html", d.articles[i].id),
            PageKind::Incident(i) => format!("incidents/{}/index.html", d.incidents[i].id),
            PageKind::Entity(i) => format!("entities/{}/index.html", d.entities[i].id),
            PageKind::Feed => "feed.xml".into(),
            PageKind::Sitemap => "sitemap.xml".into(),
            PageKind::Robots => "robots.txt".into(),
        }
    }

    /// An HTML page (not the feed, sitemap or robots file).
    pub(crate) fn is_html(self) -> bool {
        !matches!(self, PageKind::Feed | PageKind::Sitemap | PageKind::Robots)
    }
}

/// Hashes of the inputs many pages share.
pub(crate) struct Epochs {
    /// Config, base URL, publish rule and templates: every page reads them.
    site: u64,
    /// What references to items show: ids, titles, kinds, dates, publication.
    refs: u64,
    /// What listings show: `refs` plus summaries, levels and counts.
    listings: u64,
}

/// Builds the context and the signature of each page.
pub(crate) struct Pages<'v, 'a> {
    pub(crate) view: &'v Published<'a>,
    pub(crate) epochs: Epochs,
}

impl<'v, 'a> Pages<'v, 'a> {
    pub(crate) fn new(view: &'v Published<'a>, templates: u64) -> Self {
        let epochs = epochs(view, templates);
        Pages { view, epochs }
    }

    fn shapes(&self) -> Shapes<'v, 'a> {
        Shapes { view: self.view }
    }

    /// The template and its context for `page`.
    pub(crate) fn context(&self, page: PageKind) -> (&'static str, Context<'a>) {
        let d = self.view.dossier;
        let context = match page {
            PageKind::Index => {
                let title = d.index.as_ref().and_then(|p| p.title.as_deref());
                Context::Index(self.wrap(title, self.listing_tlp(), self.index()))
            }
            PageKind::Timeline => {
                Context::Timeline(self.wrap(Some("Timeline"), self.listing_tlp(), self.timeline()))
            }
            PageKind::Entities => {
                let tlp = self
                    .view
                    .entities()
                    .iter()
                    .map(|&i| d.entities[i].tlp)
                    .max();
                Context::Entities(self.wrap(
                    Some("Entities"),
                    tlp.unwrap_or_default(),
                    self.entities(),
                ))
            }
            PageKind::NotFound => {
                Context::Empty(self.wrap(Some("Page not found"), Tlp::Clear, Empty {}))
            }
            PageKind::Article(i) => {
                let (tlp, fields) = self.article(i);
                Context::Article(self.wrap(Some(&d.articles[i].title), tlp, fields))
            }
            PageKind::Incident(i) => {
                let (tlp, fields) = self.incident(i);
                Context::Incident(self.wrap(Some(&d.incidents[i].title), tlp, fields))
            }
            PageKind::Entity(i) => {
                let (tlp, fields) = self.entity(i);
                Context::Entity(self.wrap(Some(&d.entities[i].name), tlp, fields))
            }
            PageKind::Feed => Context::Feed(self.wrap(None, Tlp::Clear, self.feed())),
            PageKind::Sitemap => Context::Sitemap(self.wrap(None, Tlp::Clear, self.sitemap())),
            PageKind::Robots => Context::Empty(self.wrap(None, Tlp::Clear, Empty {})),
        };
        (template(page), context)
    }

    /// A hash of everything the context of `page` is built from.
    pub(crate) fn signature(&self, page: PageKind) -> u64 {
        let mut h = FxHasher::default();
        self.epochs.site.hash(&mut h);
        match page {
            PageKind::Article(ai) => self.article_signature(ai, &mut h),
            PageKind::Incident(i) => self.incident_signature(i, &mut h),
            PageKind::Entity(i) => self.entity_signature(i, &mut h),
            PageKind::Index
            | PageKind::Timeline
            | PageKind::Entities
            | PageKind::Feed
            | PageKind::Sitemap => self.epochs.listings.hash(&mut h),
            PageKind::NotFound | PageKind::Robots => {}
        }
        h.finish()
    }

    /// The common variables around a page's own fields.
    fn wrap<T: Serialize>(&self, title: Option<&'a str>, tlp: Tlp, fields: T) -> Page<'a, T> {
        let d = self.view.dossier;
        let c = &d.config;
        Page {
            site: Site {
                title: &c.title,
                description: c.description.as_deref(),
                language: &c.language,
                base_path: &d.base.path,
                permalink: &d.base.permalink,
                generator: concat!("dossier ", env!("CARGO_PKG_VERSION")),
            },
            page_title: title,
            page_tlp: (tlp != Tlp::Clear).then_some(tlp),
            fields,
        }
    }

    /// The highest level among the articles and incidents listings show.
    fn listing_tlp(&self) -> Tlp {
        let d = self.view.dossier;
        let articles = self.view.articles().iter().map(|&i| d.articles[i].tlp);
        let incidents = self.view.incidents().iter().map(|&i| d.incidents[i].tlp);
        articles.chain(incidents).max().unwrap_or_default()
    }

    // ---- index.html

    fn index(&self) -> Index<'a> {
        let view = self.view;
        let d = view.dossier;
        let mut latest: Vec<usize> = view.articles().to_vec();
        latest.sort_by(|&a, &b| {
            let (a, b) = (&d.articles[a], &d.articles[b]);
            b.published
                .sort_key()
                .cmp(&a.published.sort_key())
                .then_with(|| a.title.cmp(&b.title))
        });
        let latest = latest
            .into_iter()
            .take(10)
            .map(|i| {
                let a = &d.articles[i];
                Latest {
                    id: &a.id,
                    title: &a.title,
                    url: view.url(ItemRef::Article(i)),
                    published: a.published,
                    summary: a.summary.as_deref(),
                    tlp: a.tlp,
                }
            })
            .collect();
        Index {
            intro_html: &view.prepared.intro_html,
            chart_svg: chart::svg(view),
            counts: Counts {
                articles: view.articles().len(),
                annotations: view.annotation_count(),
                incidents: view.incidents().len(),
                entities: view.entities().len(),
            },
            latest,
        }
    }

    // ---- timeline.html

    fn timeline(&self) -> Timeline<'a> {
        let view = self.view;
        let d = view.dossier;
        let mut years: Vec<Year<'a>> = Vec::new();
        for &item in view.timeline() {
            let entry = match item {
                ItemRef::Incident(i) => {
                    let x = &d.incidents[i];
                    Entry {
                        item_type: "incident",
                        id: &x.id,
                        title: &x.title,
                        url: view.url(item),
                        date: x.date,
                        end: x.end,
                        kind: Some(x.kind),
                        summary: x.summary.as_ref().map(|m| first_sentence(&m.text)),
                        tlp: x.tlp,
                    }
                }
                ItemRef::Article(i) => {
                    let a = &d.articles[i];
                    Entry {
                        item_type: "article",
                        id: &a.id,
                        title: &a.title,
                        url: view.url(item),
                        date: a.published,
                        end: None,
                        kind: None,
                        summary: a.summary.clone(),
                        tlp: a.tlp,
                    }
                }
                ItemRef::Entity(_) => continue,
            };
            let year = entry.date.year();
            match years.last_mut() {
                Some(current) if current.year == year => current.entries.push(entry),
                _ => years.push(Year {
                    year,
                    entries: vec![entry],
                }),
            }
        }
        Timeline { years }
    }

    // ---- entities.html

    fn entities(&self) -> Entities<'a> {
        let view = self.view;
        let d = view.dossier;
        let b = view.backlinks();
        let groups = view
            .entity_groups()
            .into_iter()
            .map(|(kind, members)| EntityGroup {
                kind,
                label: kind.plural_label(),
                entities: members
                    .into_iter()
                    .map(|i| {
                        let e = &d.entities[i];
                        EntityListed {
                            id: &e.id,
                            name: &e.name,
                            url: view.url(ItemRef::Entity(i)),
                            aliases: &e.aliases,
                            tlp: e.tlp,
                            incident_count: b.entity_incidents[i].len(),
                            annotation_count: b.entity_annotations[i].len(),
                        }
                    })
                    .collect(),
            })
            .collect();
        Entities { groups }
    }

    // ---- article.html

    fn article(&self, ai: usize) -> (Tlp, ArticlePage<'a>) {
        let view = self.view;
        let a = &view.dossier.articles[ai];
        let out = &view.prepared.articles[ai];
        let shapes = self.shapes();
        let mut citations = Citations::default();
        let mut tlp = a.tlp;
        let blocks = out
            .blocks
            .iter()
            .map(|block| Block {
                html: &block.html,
                notes: block
                    .notes
                    .iter()
                    .map(|&ni| {
                        tlp = tlp.max(view.annotation_tlp(ai, ni));
                        shapes.annotation((ai, ni), &mut citations)
                    })
                    .collect(),
            })
            .collect();
        let article = Article {
            id: &a.id,
            title: &a.title,
            url: view.url(ItemRef::Article(ai)),
            published: a.published,
            source: a.source.as_deref(),
            source_url: a.url.as_deref(),
            author: a.author.as_deref(),
            reliability: a.reliability.map(String::from),
            tags: &a.tags,
            summary: a.summary.as_deref(),
            tlp: a.tlp,
            blocks,
            references: citations.references(),
        };
        (tlp, ArticlePage { article })
    }

    /// The article's own files (body, annotations) and what its references
    /// show of other items.
    fn article_signature(&self, ai: usize, h: &mut FxHasher) {
        let a = &self.view.dossier.articles[ai];
        self.epochs.refs.hash(h);
        (
            generation(&a.file),
            a.annotations_file.as_deref().map(generation),
        )
            .hash(h);
    }

    // ---- incident.html

    fn incident(&self, ii: usize) -> (Tlp, IncidentPage<'a>) {
        let view = self.view;
        let x = &view.dossier.incidents[ii];
        let shapes = self.shapes();
        let mut citations = Citations::default();
        let cites = citations.cite_all(&x.sources);
        let mut tlp = x.tlp;
        let backlinks = shapes.backlinks(&view.backlinks().incident_annotations[ii], &mut tlp);
        let incident = Incident {
            id: &x.id,
            title: &x.title,
            url: view.url(ItemRef::Incident(ii)),
            date: x.date,
            end: x.end,
            kind: x.kind,
            summary_html: &view.prepared.incident_summaries[ii],
            actors: shapes.references(&x.actors),
            targets: shapes.references(&x.targets),
            malware: shapes.references(&x.malware),
            losses: x.losses.as_deref(),
            tags: &x.tags,
            tlp: x.tlp,
            citations: cites,
            references: citations.references(),
        };
        (
            tlp,
            IncidentPage {
                incident,
                backlinks,
            },
        )
    }

    /// Its file, what references show, and the annotations listed on it.
    fn incident_signature(&self, ii: usize, h: &mut FxHasher) {
        let view = self.view;
        self.epochs.refs.hash(h);
        generation(&view.dossier.incidents[ii].file).hash(h);
        self.backlinks_signature(&view.backlinks().incident_annotations[ii], h);
    }

    // ---- entity.html

    fn entity(&self, ei: usize) -> (Tlp, EntityPage<'a>) {
        let view = self.view;
        let x = &view.dossier.entities[ei];
        let b = view.backlinks();
        let shapes = self.shapes();
        let mut citations = Citations::default();
        let cites = citations.cite_all(&x.sources);
        let mut tlp = x.tlp;
        let backlinks = shapes.backlinks(&b.entity_annotations[ei], &mut tlp);
        let entity = Entity {
            id: &x.id,
            name: &x.name,
            url: view.url(ItemRef::Entity(ei)),
            kind: x.kind,
            aliases: &x.aliases,
            summary_html: &view.prepared.entity_summaries[ei],
            tlp: x.tlp,
            citations: cites,
            references: citations.references(),
        };
        let page = EntityPage {
            entity,
            incidents: b.entity_incidents[ei]
                .iter()
                .map(|&i| shapes.item(ItemRef::Incident(i)))
                .collect(),
            articles: b.entity_articles[ei]
                .iter()
                .map(|&i| shapes.item(ItemRef::Article(i)))
                .collect(),
            backlinks,
        };
        (tlp, page)
    }

    /// Its file, what references show, the annotations, incidents and
    /// articles listed on it.
    fn entity_signature(&self, ei: usize, h: &mut FxHasher) {
        let view = self.view;
        let b = view.backlinks();
        self.epochs.refs.hash(h);
        generation(&view.dossier.entities[ei].file).hash(h);
        self.backlinks_signature(&b.entity_annotations[ei], h);
        b.entity_incidents[ei].hash(h);
        b.entity_articles[ei].hash(h);
    }

    /// A backlink shows one annotation (its own YAML) and its article's
    /// title and level.
    fn backlinks_signature(&self, list: &[AnnotationRef], h: &mut FxHasher) {
        let d = self.view.dossier;
        for &(ai, ni) in list {
            let a = &d.articles[ai];
            (a.tlp, a.annotations[ni].digest).hash(h);
        }
    }

    // ---- feed.xml

    fn feed(&self) -> FeedPage {
        let view = self.view;
        let d = view.dossier;
        let newest: Vec<ItemRef> = view.timeline().iter().rev().copied().collect();
        let entries = newest
            .iter()
            .take(50)
            .filter_map(|&item| {
                let summary = match item {
                    ItemRef::Article(i) => d.articles[i].summary.clone(),
                    ItemRef::Incident(i) => d.incidents[i]
                        .summary
                        .as_ref()
                        .map(|m| first_sentence(&m.text)),
                    ItemRef::Entity(_) => return None,
                };
                let url = view.url(item);
                Some(FeedEntry {
                    title: view.title(item).to_string(),
                    permalink: self.permalink(&url),
                    id: self.atom_id(&url),
                    updated: view.date(item)?.rfc3339(),
                    summary,
                })
            })
            .collect();
        let updated = newest
            .iter()
            .filter_map(|&item| view.date(item))
            .max_by_key(|d| d.sort_key())
            .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |d| d.rfc3339());
        let feed_url = format!("{}feed.xml", d.base.path);
        FeedPage {
            feed: Feed {
                id: self.atom_id(&feed_url),
                updated,
                entries,
            },
        }
    }

    /// An absolute URL when the base URL has a host, else the path.
    fn permalink(&self, url: &str) -> String {
        let base = &self.view.dossier.base;
        let origin = base.permalink.strip_suffix(&base.path).unwrap_or("");
        format!("{origin}{url}")
    }

    /// Atom needs absolute ids; without a host we use stable UUID URNs.
    fn atom_id(&self, url: &str) -> String {
        let permalink = self.permalink(url);
        if permalink.contains("://") {
            permalink
        } else {
            format!(
                "urn:uuid:{}",
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, permalink.as_bytes())
            )
        }
    }

    // ---- sitemap.xml

    fn sitemap(&self) -> Sitemap {
        let view = self.view;
        let d = view.dossier;
        let base = &d.base.path;
        let mut urls: Vec<SitemapUrl> = ["", "timeline/", "entities/"]
            .iter()
            .map(|p| SitemapUrl {
                loc: self.permalink(&format!("{base}{p}")),
                lastmod: None,
            })
            .collect();
        let items = view
            .articles()
            .iter()
            .map(|&i| ItemRef::Article(i))
            .chain(view.incidents().iter().map(|&i| ItemRef::Incident(i)))
            .chain(view.entities().iter().map(|&i| ItemRef::Entity(i)));
        for item in items {
            let lastmod = match item {
                ItemRef::Article(i) => Some(d.articles[i].published.iso()),
                _ => None,
            };
            urls.push(SitemapUrl {
                loc: self.permalink(&view.url(item)),
                lastmod,
            });
        }
        Sitemap { urls }
    }
}

fn template(page: PageKind) -> &'static str {
    match page {
        PageKind::Index => "index.html",
        PageKind::Timeline => "timeline.html",
        PageKind::Entities => "entities.html",
        PageKind::NotFound => "404.html",
        PageKind::Article(_) => "article.html",
        PageKind::Incident(_) => "incident.html",
        PageKind::Entity(_) => "entity.html",
        PageKind::Feed => "feed.xml",
        PageKind::Sitemap => "sitemap.xml",
        PageKind::Robots => "robots.txt",
    }
}

fn generation(file: &SourceFile) -> u64 {
    file.generation
}

/// The inputs many pages share, hashed once per pass.
fn epochs(view: &Published<'_>, templates: u64) -> Epochs {
    let d = view.dossier;
    let c = &d.config;
    let mut h = FxHasher::default();
    (
        &c.title,
        &c.description,
        &c.language,
        &c.highlight_theme,
        c.unsafe_html,
    )
        .hash(&mut h);
    (&d.base.path, &d.base.permalink, view.rule(), templates).hash(&mut h);
    let site = h.finish();

    let mut h = FxHasher::default();
    d.link_epoch().hash(&mut h);
    for a in d.articles.iter() {
        (&a.id, &a.title, a.published).hash(&mut h);
    }
    for x in &d.incidents {
        (&x.id, &x.title, x.date, x.kind).hash(&mut h);
    }
    for x in &d.entities {
        (&x.id, &x.name, x.kind).hash(&mut h);
    }
    let refs = h.finish();

    let mut h = FxHasher::default();
    refs.hash(&mut h);
    for &ai in view.articles() {
        let a = &d.articles[ai];
        (&a.summary, a.tlp, view.annotations(ai).len()).hash(&mut h);
    }
    for x in &d.incidents {
        (x.end, x.tlp, x.summary.as_ref().map(|m| &m.text)).hash(&mut h);
    }
    let b = view.backlinks();
    for (i, x) in d.entities.iter().enumerate() {
        (&x.aliases, x.tlp).hash(&mut h);
        (b.entity_incidents[i].len(), b.entity_annotations[i].len()).hash(&mut h);
    }
    d.index
        .as_ref()
        .map(|page| page.file.generation)
        .hash(&mut h);
    let listings = h.finish();
    Epochs {
        site,
        refs,
        listings,
    }
}

/// The first sentence of some Markdown, as plain text, for listings.
fn first_sentence(markdown: &str) -> String {
    let plain: String = markdown
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['*', '_', '`'], "");
    // `[text](target)` keeps its text.
    let mut out = String::with_capacity(plain.len());
    let mut rest = plain.as_str();
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match (after.find("]("), after.find(')')) {
            (Some(close), Some(end)) if close < end => {
                out.push_str(&after[..close]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    match out.find(". ") {
        Some(end) => out[..=end].to_string(),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::first_sentence;

    #[test]
    fn first_sentences_are_plain() {
        assert_eq!(
            first_sentence("The *Lazarus* [group](@lazarus-group) struck.\nThen more."),
            "The Lazarus group struck."
        );
        assert_eq!(first_sentence("One line"), "One line");
    }
}
